"""The public surface: explicit __all__, lazy imports, cheap import."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from conftest import NOJIT

import sc_neurocore


def test_all_names_resolve() -> None:
    for name in sc_neurocore.__all__:
        assert getattr(sc_neurocore, name) is not None, name


def test_unknown_attribute_raises() -> None:
    with pytest.raises(AttributeError, match="has no attribute 'does_not_exist'"):
        sc_neurocore.does_not_exist  # noqa: B018


def test_import_is_lazy() -> None:
    # Importing the package must not pull in scipy, matplotlib or the network simulator.
    code = (
        "import sys, sc_neurocore; "
        "print(','.join(m for m in ('scipy', 'matplotlib', 'sc_neurocore.network', 'tqdm') "
        "if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_all_matches_lazy_table() -> None:
    assert set(sc_neurocore.__all__) == set(sc_neurocore._EXPORTS) | set(sc_neurocore._SUBPACKAGES) | {
        "__version__"
    }


# ---------------------------------------------------------------- packaging (issue 8 §5)

ROOT = Path(__file__).resolve().parent.parent
PUBLIC_PACKAGES = ("sc_neurocore", "sc_neurocore.bitstream", "sc_neurocore.deploy", "sc_neurocore.network",
                   "sc_neurocore.sweep", "hw_models")


def _env(**changes: str | None) -> dict[str, str]:
    """The environment for a subprocess that imports this checkout; ``None`` removes a variable."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    for key, value in changes.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def _pyproject() -> dict[str, Any]:
    tomllib = pytest.importorskip("tomllib", reason="tomllib is in the standard library from Python 3.11")
    return tomllib.loads((ROOT / "pyproject.toml").read_text())  # type: ignore[no-any-return]


def test_license_file_matches_pyproject() -> None:
    meta = _pyproject()["project"]
    assert meta["license"] == {"text": "MIT"}
    text = (ROOT / "LICENSE").read_text()
    assert text.startswith("MIT License\n")
    assert "Copyright (c) 2026 sc_neurocore developers" in text
    assert 'THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND' in text


@pytest.mark.parametrize("package", ["sc_neurocore", "hw_models"])
def test_py_typed_marker_ships(package: str) -> None:
    assert (ROOT / package / "py.typed").is_file()
    package_data = _pyproject()["tool"]["setuptools"]["package-data"]
    assert "py.typed" in package_data[package]


def test_python_dash_m_runs_the_cli() -> None:
    run = subprocess.run([sys.executable, "-m", "sc_neurocore", "--version"], capture_output=True, text=True,
                         env=_env(), cwd=ROOT)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == f"sc-neurocore {sc_neurocore.__version__}"
    bad = subprocess.run([sys.executable, "-m", "sc_neurocore", "fly"], capture_output=True, text=True,
                         env=_env(), cwd=ROOT)
    assert bad.returncode == 2
    assert "usage: sc-neurocore" in bad.stderr and "invalid choice: 'fly'" in bad.stderr


def test_dir_shows_only_the_api() -> None:
    # A fresh interpreter in which every public name has been resolved and the kernels imported,
    # so private submodules and helper imports have had every chance to show up.
    code = (
        "import importlib, json\n"
        f"mods = [importlib.import_module(m) for m in {PUBLIC_PACKAGES!r}]\n"
        "for m in mods:\n"
        "    [getattr(m, name) for name in m.__all__]\n"
        "print(json.dumps({m.__name__: [dir(m), sorted(m.__all__)] for m in mods}))\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=_env(), cwd=ROOT,
                         check=True)
    for name, (listed, api) in json.loads(run.stdout).items():
        assert listed == api, f"{name}: not API {sorted(set(listed) - set(api))}"
    for noise in ("Any", "TYPE_CHECKING", "annotations", "importlib"):
        assert noise not in dir(sc_neurocore)


def test_decision_reprs_are_short() -> None:
    from sc_neurocore.network import DecisionResult, DecisionTrials

    n = 400
    trials = DecisionTrials(np.arange(n) % 2, np.ones((n, 50), dtype=np.int64), np.full((n, 2), 3.0),
                            np.full(n, 2.5))
    assert repr(trials) == (
        "DecisionTrials(n_trials=400, n_outputs=50, trials_per_pattern=[200, 200], mean_network_rate_hz=2.5)"
    )
    result = DecisionResult("threshold", np.float64(0.75), np.array([[3, 1], [1, 3]]), 8, np.float64(40.0),
                            np.float64(0.153))
    assert repr(result) == (
        "DecisionResult(rule='threshold', accuracy=0.75, confusion=[[3, 1], [1, 3]], n_test=8, "
        "threshold_hz=40.0, stderr=0.153)"
    )


# ------------------------------------------------- numba cache fallback and compile notice

KERNEL_CALLS = (
    "import numpy as np\n"
    "from sc_neurocore import StochasticLIFNeuron, bitstream as bs\n"
    "print(float(bs.decode(bs.bernoulli(np.array([0.25]), 256, seed=3), 256)[0]))\n"
    "print(int(StochasticLIFNeuron(noise_std=0.1, seed=1).run_constant(0.1, 50).sum()))\n"
)


def _can_mount_read_only(tmp_path: Path) -> bool:
    """Whether ``unshare -rm`` (user + mount namespace) and a read-only bind mount work here."""
    if shutil.which("unshare") is None:
        return False
    probe = tmp_path / "probe"
    probe.mkdir()
    run = subprocess.run(
        ["unshare", "-rm", "sh", "-c", 'mount --bind -o ro "$0" "$0" && ! touch "$0/x" 2>/dev/null', str(probe)],
        capture_output=True,
    )
    return run.returncode == 0


@pytest.mark.parametrize("jit", [True, False], ids=["jit", "nojit"])
def test_read_only_install_still_imports_with_one_warning(tmp_path: Path, jit: bool) -> None:
    # We run as root (so does CI), and root ignores permission bits: the package copy and HOME are
    # made read-only with bind mounts in a private mount namespace instead.
    if not _can_mount_read_only(tmp_path):
        # CI runs as root on a machine where this works: there a missing tool is a failure
        if os.environ.get("CI"):
            pytest.fail("needs `unshare -rm` and read-only bind mounts, which CI must provide")
        pytest.skip("needs `unshare -rm` and read-only bind mounts")
    site, home = tmp_path / "site", tmp_path / "home"
    shutil.copytree(ROOT / "sc_neurocore", site / "sc_neurocore",
                    ignore=shutil.ignore_patterns("__pycache__"))
    home.mkdir()
    code = (
        "import json, warnings\n"
        "warnings.simplefilter('always')\n"
        "with warnings.catch_warnings(record=True) as caught:\n"
        "    import sc_neurocore, numba\n"
        f"    assert sc_neurocore.__file__.startswith({str(site)!r}), sc_neurocore.__file__\n"
        + "".join(f"    {line}\n" for line in KERNEL_CALLS.splitlines())
        + "print(json.dumps([[w.category.__name__, str(w.message)] for w in caught]))\n"
        "print(numba.config.CACHE_DIR)\n"
    )
    env = _env(PYTHONPATH=str(site), HOME=str(home), NUMBA_CACHE_DIR=None, XDG_CACHE_HOME=None,
               PYTHONDONTWRITEBYTECODE="1", NUMBA_DISABLE_JIT=None if jit else "1")
    script = 'mount --bind -o ro "$0" "$0" && mount --bind -o ro "$1" "$1" && exec "$2" -c "$3"'
    run = subprocess.run(["unshare", "-rm", "sh", "-c", script, str(site), str(home), sys.executable, code],
                         capture_output=True, text=True, env=env, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    *values, caught, cache_dir = run.stdout.splitlines()
    # the same bits as a normal install
    expected = subprocess.run([sys.executable, "-c", KERNEL_CALLS], capture_output=True, text=True,
                              env=_env(), check=True)
    assert values == expected.stdout.splitlines()
    warned = json.loads(caught)
    cache_warnings = [message for category, message in warned if category == "JitCacheWarning"]
    if not jit:  # plain Python (whose uint64 arithmetic warns about wrapping): nothing cached, no warning
        assert cache_warnings == []
        return
    assert len(warned) == len(cache_warnings) == 1, warned
    message = cache_warnings[0]
    assert f"caching the kernels in {cache_dir} for this process only" in message
    assert "Set NUMBA_CACHE_DIR to a writable directory" in message
    assert not Path(cache_dir).exists()  # removed at exit


def _compile_notices(cache_dir: Path, **env: str | None) -> str:
    """stderr of a fresh interpreter calling two kernel families with ``NUMBA_CACHE_DIR=cache_dir``.

    Compiled, warnings are errors there: the notice must not be a warning.  As plain Python the
    uint64 arithmetic warns about wrapping, which is silenced so that stderr holds only notices.
    """
    flags = ["-W", "ignore::RuntimeWarning" if env.get("NUMBA_DISABLE_JIT") == "1" else "error"]
    run = subprocess.run([sys.executable, *flags, "-c", KERNEL_CALLS], capture_output=True, text=True,
                         env=_env(NUMBA_CACHE_DIR=str(cache_dir), **env), check=True)
    return run.stderr


def test_compile_notice_once_when_cold_never_when_warm(tmp_path: Path) -> None:
    from sc_neurocore._jit import COMPILE_NOTICE

    cold = _compile_notices(tmp_path, NUMBA_DISABLE_JIT=None)
    assert cold == COMPILE_NOTICE + "\n"  # one line although several kernels compile; not a warning
    assert _compile_notices(tmp_path, NUMBA_DISABLE_JIT=None) == ""  # everything loads from the cache


def test_no_compile_notice_without_jit(tmp_path: Path) -> None:
    assert _compile_notices(tmp_path, NUMBA_DISABLE_JIT="1") == ""
    assert list(tmp_path.iterdir()) == []


# ---------------------------------------------------- fewer specialisations (issue 9 §5)

@pytest.mark.skipif(NOJIT, reason="counts numba specialisations")
def test_broadcasting_gates_compile_one_specialisation() -> None:
    # A full-shape operand used to reach the kernel as a read-only broadcast view, and numba
    # compiled a second, read-only specialisation of every gate kernel for it.  Counted in a fresh
    # process: other tests legitimately pass read-only arrays of their own.
    code = """
import numpy as np
from sc_neurocore import bitstream as bs
from sc_neurocore._kernels import _bitops
one = bs.bernoulli(0.5, 200, seed=1)
many = bs.bernoulli(np.array([0.2, 0.4, 0.8]), 200, seed=2)
for a, b in ((one, many), (many, one), (many, many)):
    bs.and_(a, b)
    bs.scc(a, b, 200)
    bs.mux(a, b, many)
for kernel in (_bitops.and_words, _bitops.joint_counts, _bitops.mux_words):
    assert all(getattr(arg, "mutable", True) for sig in kernel.signatures for arg in sig), kernel.signatures
"""
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 0, run.stderr


@pytest.mark.skipif(NOJIT, reason="counts numba specialisations")
def test_uniform_and_per_synapse_delays_share_one_simulate_specialisation() -> None:
    # Counted in a fresh process: other tests legitimately compile other delay dtypes (int16, ...).
    code = """
import numpy as np
from sc_neurocore._kernels import _network
from sc_neurocore.network import Network, Population, erdos_renyi, from_arrays
uniform = erdos_renyi(6, 0.5, weight=0.2, delay=2, seed=1)  # one common delay
per_synapse = from_arrays(np.array([0, 1]), np.array([2, 3]), np.array([0.2, 0.2]), np.array([1, 2]), n_pre=6)
for conn in (uniform, per_synapse):
    Network(Population(6, dt=0.5), conn).run(3)
# one array type for both (read-only: the network owns its delays and never writes them)
delay_types = {sig[5] for sig in _network.simulate.signatures}  # the Graph tuple type holds the delays
assert len(delay_types) == 1, delay_types
"""
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 0, run.stderr


def test_no_writable_place_at_all_is_a_clear_import_error(monkeypatch, tmp_path: Path) -> None:
    import tempfile

    from sc_neurocore import _jit

    def no_temp_dir(**_kw: Any) -> str:
        raise PermissionError(13, "Permission denied", "/tmp")

    monkeypatch.setattr(_jit, "_numba_finds_a_cache", lambda _dir: False)
    monkeypatch.setattr(tempfile, "mkdtemp", no_temp_dir)
    cache_dir_before = _jit.numba_config().CACHE_DIR
    with pytest.raises(ImportError, match=r"numba cannot cache its kernels: neither NUMBA_CACHE_DIR .*, nor "
                       + re.escape(str(tmp_path / "__pycache__")) + r", nor the user cache directory is "
                       r"writable, and no temporary directory can be created .*; set NUMBA_CACHE_DIR to a "
                       r"writable directory"):
        _jit._ensure_cache_location(tmp_path)
    assert _jit.numba_config().CACHE_DIR == cache_dir_before  # nothing changed
