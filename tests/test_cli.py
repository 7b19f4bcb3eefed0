"""The ``sc-neurocore`` command line: the demo's printed numbers, help, and bad arguments."""

from __future__ import annotations

import math
import re
from importlib import metadata

import numpy as np
import pytest
from _stats import binomial_deviation, chernoff_mean_range, spend
from conftest import NOJIT
from scipy import stats

from sc_neurocore._cli import main
from sc_neurocore._demo import euler_isi_steps, lif_analytic_rate_hz
from sc_neurocore._jit import COMPILE_NOTICE

# Small enough for plain Python under NUMBA_DISABLE_JIT=1.
LENGTH = 1024 if NOJIT else 4096
TRIALS = 100 if NOJIT else 400
FAST = ["--length", str(LENGTH), "--trials", str(TRIALS)]


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def number(pattern: str, text: str) -> float:
    m = re.search(pattern, text)
    assert m is not None, f"{pattern!r} not found in output:\n{text}"
    return float(m.group(1))


def test_demo_no_plot_prints_numbers_that_match_theory(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, "demo", "--no-plot", "--seed", "5", *FAST)
    assert code == 0
    assert err.replace(COMPILE_NOTICE + "\n", "", 1) == ""  # the notice only if a kernel compiled here
    assert list(tmp_path.iterdir()) == []  # --no-plot writes nothing

    # SC products: each estimate L-bit AND of independent streams, Binomial(L, p q) / L (true bit
    # probability within 2^-31 of p q), printed to 4 decimals: exact binomial acceptance region.
    # False failure <= 3 x 1e-10.
    rows = re.findall(
        r"^\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([+-][\d.]+)\s+([\d.]+)\s+([+-][\d.]+)$", out, re.M
    )
    assert len(rows) == 3
    for p, q, exact, est, _err, se, _z in rows:
        pq = float(p) * float(q)
        assert float(exact) == pytest.approx(pq, abs=5e-5)
        assert float(se) == pytest.approx(math.sqrt(pq * (1 - pq) / LENGTH), abs=5e-5)
        assert abs(float(est) - pq) <= binomial_deviation(LENGTH, pq, slack=2.0**-31) + 5e-5
        spend()

    # RMS over repetitions: RMS^2 is the mean of TRIALS iid Y = (K/L - p)^2, K ~ Binomial(L, p), whose
    # distribution is known exactly: exact-MGF Chernoff range (the 2^-31 bias of the true bit
    # probability moves the RMS by at most 2^-31; printed to 5 decimals).  False failure <= 1e-10.
    rms = number(r"RMS error ([\d.]+)", out)
    se = number(r"theory SE ([\d.]+)", out)
    assert se == pytest.approx(math.sqrt(0.3 * 0.7 / LENGTH), abs=5e-6)
    k = np.arange(LENGTH + 1)
    lo, hi = chernoff_mean_range((k / LENGTH - 0.3) ** 2, stats.binom.logpmf(k, LENGTH, 0.3), TRIALS)
    spend()
    assert math.sqrt(lo) - 2.0**-31 - 5e-6 <= rms <= math.sqrt(hi) + 2.0**-31 + 5e-6

    # The deterministic neuron: exactly 50 Hz under Euler at dt = 1, 51.0 Hz analytic.
    assert number(r"measured rate\s+([\d.]+) Hz", out) == 50.0
    assert number(r"analytic \(continuous\)\s+([\d.]+) Hz", out) == 51.0
    assert number(r"Euler prediction\s+([\d.]+) Hz", out) == 50.0
    assert "50 spikes in 1000 ms" in out
    assert "on step 20" in out

    # Dense layer: the mean current is 0.1 x Binomial(2048, a') / 2048 (independent cycles), where
    # a' is within 1e-3 of the printed a (the current 0.1 a is printed to 4 decimals) and 3 x 2^-31
    # of the exact OR.  False failure <= 1e-10.
    mean_i = number(r"mean current ([\d.]+)", out)
    expected_i = number(r"\(1 - prod\(1 - x_i w_i\)\) = ([\d.]+)", out)
    a = expected_i / 0.1
    assert abs(mean_i - expected_i) <= 0.1 * binomial_deviation(2048, a, slack=1e-3 + 3 * 2.0**-31) + 1e-4
    spend()
    rates = [float(r) for r in re.findall(r"neuron \d: +\d+ spikes, +([\d.]+) Hz", out)]
    assert len(rates) == 4
    noiseless = lif_analytic_rate_hz(expected_i, 20.0, 1.0)
    for r in rates:
        assert 0.5 * noiseless < r < 1.5 * noiseless
    assert "No figures" not in out


def test_demo_is_reproducible_and_seed_matters(capsys):
    _, out1, _ = run(capsys, "demo", "--no-plot", "--seed", "11", *FAST)
    _, out2, _ = run(capsys, "demo", "--no-plot", "--seed", "11", *FAST)
    _, out3, _ = run(capsys, "demo", "--no-plot", "--seed", "12", *FAST)
    assert out1 == out2
    sc = [line for line in out1.splitlines() if "RMS error" in line]
    sc3 = [line for line in out3.splitlines() if "RMS error" in line]
    assert sc != sc3


def test_demo_writes_figures(capsys, tmp_path):
    pytest.importorskip("matplotlib", reason="figures need matplotlib (the 'plot' extra)")
    out_dir = tmp_path / "figs" / "nested"
    code, out, _ = run(capsys, "demo", "--out", str(out_dir), *FAST)
    assert code == 0
    names = sorted(p.name for p in out_dir.iterdir())
    assert names == ["demo_dense_raster.png", "demo_lif.png", "demo_sc_multiply.png"]
    for p in out_dir.iterdir():
        assert p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert f"Figures written to {out_dir.resolve()}" in out


def test_demo_default_out_dir(capsys, tmp_path, monkeypatch):
    pytest.importorskip("matplotlib", reason="figures need matplotlib (the 'plot' extra)")
    monkeypatch.chdir(tmp_path)
    assert run(capsys, "demo", *FAST)[0] == 0
    assert len(list((tmp_path / "sc_neurocore_demo").glob("*.png"))) == 3


def test_demo_without_matplotlib_says_so(capsys, tmp_path, monkeypatch):
    import sys

    for name in [m for m in sys.modules if m == "matplotlib" or m.startswith("matplotlib.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # makes `import matplotlib` raise ImportError
    out_dir = tmp_path / "never"
    code, out, _ = run(capsys, "demo", "--out", str(out_dir), *FAST)
    assert code == 0
    assert "No figures: matplotlib is not installed" in out
    assert not out_dir.exists()


def test_demo_unwritable_out_is_exit_1(capsys, tmp_path):
    pytest.importorskip("matplotlib", reason="figures need matplotlib (the 'plot' extra)")
    blocker = tmp_path / "file"
    blocker.write_text("x")
    code, _, err = run(capsys, "demo", "--out", str(blocker / "sub"), *FAST)
    assert code == 1
    assert "could not write figures" in err


@pytest.mark.parametrize("args", [["--help"], ["demo", "--help"], ["warmup", "--help"]])
def test_help(capsys, args):
    with pytest.raises(SystemExit) as exc:
        main(args)
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert "usage: sc-neurocore" in out
    assert args[0] in out if args[0] != "--help" else ("demo" in out and "warmup" in out)
    if args[0] == "demo":
        for opt in ("--seed", "--out", "--no-plot", "--length", "--trials"):
            assert opt in out


def test_version(capsys):
    from sc_neurocore import __version__

    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert capsys.readouterr().out.strip() == f"sc-neurocore {__version__}"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], r"the following arguments are required: COMMAND"),
        (["fly"], r"invalid choice: 'fly'"),
        (["demo", "--seed", "-1"], r"--seed must be an integer >= 0; got -1"),
        (["demo", "--seed", "abc"], r"--seed must be an integer >= 0; got 'abc'"),
        (["demo", "--seed", "1.5"], r"--seed must be an integer >= 0; got '1.5'"),
        (["demo", "--length", "0"], r"--length must be an integer >= 1; got 0"),
        (["demo", "--trials", "1"], r"--trials must be an integer >= 2; got 1"),
        (["demo", "--colour"], r"unrecognized arguments: --colour"),
    ],
)
def test_bad_arguments_exit_2_with_a_clear_message(capsys, args, message):
    with pytest.raises(SystemExit) as exc:
        main(args)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "usage: sc-neurocore" in err
    assert re.search(message, err), err


def test_out_must_not_be_a_file(capsys, tmp_path):
    f = tmp_path / "taken"
    f.write_text("")
    with pytest.raises(SystemExit) as exc:
        main(["demo", "--out", str(f)])
    assert exc.value.code == 2
    assert f"--out must be a directory; got {str(f)!r}, which is a file" in capsys.readouterr().err


def test_console_script_is_declared():
    eps = [ep for ep in metadata.entry_points(group="console_scripts") if ep.name == "sc-neurocore"]
    assert [ep.value for ep in eps] == ["sc_neurocore._cli:main"]


@pytest.mark.parametrize(("current", "tau", "dt"), [(0.08, 20.0, 1.0), (0.2, 10.0, 0.5), (0.06, 30.0, 0.1)])
def test_demo_theory_helpers_agree_with_the_neuron(current, tau, dt):
    from sc_neurocore import StochasticLIFNeuron

    n_isi = euler_isi_steps(current, tau, 1.0, dt)
    spikes = StochasticLIFNeuron(tau_mem=tau, dt=dt, seed=0).run_constant(current, 3 * n_isi)
    assert [int(i) for i in spikes.nonzero()[0]] == [n_isi - 1, 2 * n_isi - 1, 3 * n_isi - 1]
    # Euler's V_n = R I tau (1 - a^n), a = 1 - dt/tau, lies above the exact V(n dt) (a <= e^(-dt/tau)),
    # so it reaches threshold after T (dt/tau) / (-ln a) ms of real time or later, rounded up to a whole
    # step, and never a whole step after the continuous interval T.
    isi_ms = 1000.0 / lif_analytic_rate_hz(current, tau, 1.0)
    lower = isi_ms * (dt / tau) / -math.log1p(-dt / tau)
    assert lower - 1e-9 <= n_isi * dt < isi_ms + dt


def test_subthreshold_current_gives_zero():
    assert lif_analytic_rate_hz(0.05, 20.0, 1.0) == 0.0  # R I tau == V_th: approaches, never reaches
    assert euler_isi_steps(0.04, 20.0, 1.0, 1.0) == 0


def test_closed_output_pipe_is_exit_1_without_a_traceback(monkeypatch):
    import os
    import sys

    import sc_neurocore._demo as demo

    def closed_pipe(**_kw):
        raise BrokenPipeError(32, "Broken pipe")

    read_end, write_end = os.pipe()

    class PipeOut:
        def fileno(self) -> int:
            return write_end

    monkeypatch.setattr(demo, "run_demo", closed_pipe)
    monkeypatch.setattr(sys, "stdout", PipeOut())
    try:
        assert main(["demo", "--no-plot"]) == 1
    finally:
        os.close(read_end)
        os.close(write_end)


# ------------------------------------------------------------------ warmup (issue 9 §5)

READY = re.compile(r"^Ready: (\d+) kernel specialisations \((\d+) compiled now, (\d+) loaded from the cache\) "
                   r"in [\d.]+ s\.$", re.M)


@pytest.mark.skipif(NOJIT, reason="compiles kernels")
def test_warmup_reports_what_it_compiled_or_loaded(capsys):
    from sc_neurocore._jit import kernel_dispatchers

    code, out, _ = run(capsys, "warmup")
    assert code == 0
    m = READY.search(out)
    assert m is not None, out
    n_spec, n_compiled, n_loaded = map(int, m.groups())
    assert n_spec == sum(len(k.signatures) for k in kernel_dispatchers().values()) > 0
    # this process may already hold some kernels (from earlier tests): those are neither
    assert n_compiled + n_loaded <= n_spec
    assert re.search(r"^Cache: \S+", out, re.M)
    for stage in ("bitstreams", "neurons and layers", "networks", "hardware models"):
        assert re.search(rf"^  {stage} +[\d.]+ s$", out, re.M), stage


def test_warmup_without_jit_says_there_is_nothing_to_compile(capsys, monkeypatch):
    import numba

    monkeypatch.setattr(numba.config, "DISABLE_JIT", True)
    code, out, _ = run(capsys, "warmup")
    assert code == 0
    assert "NUMBA_DISABLE_JIT is set: kernels run as plain Python, nothing to compile." in out
    assert "Ready" not in out


@pytest.mark.slow
@pytest.mark.skipif(NOJIT, reason="compiles kernels")
def test_after_warmup_the_demo_compiles_nothing(tmp_path):
    # An empty cache: warmup compiles everything (and says so once); a fresh demo process then
    # loads every kernel from the cache and prints no compile notice.
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    env = dict(os.environ, NUMBA_CACHE_DIR=str(tmp_path / "cache"),
               PYTHONPATH=os.pathsep.join(filter(None, [str(root), os.environ.get("PYTHONPATH")])))
    cli = [sys.executable, "-m", "sc_neurocore"]
    warm = subprocess.run([*cli, "warmup"], capture_output=True, text=True, env=env, check=True)
    assert warm.stderr == COMPILE_NOTICE + "\n"
    m = READY.search(warm.stdout)
    assert m is not None, warm.stdout
    assert int(m.group(2)) > 0 and int(m.group(3)) == 0  # all compiled, none loaded
    demo = subprocess.run([*cli, "demo", "--no-plot"], capture_output=True, text=True, env=env, check=True)
    assert demo.stderr == ""
    assert "sc-neurocore demo (seed 2024)" in demo.stdout
