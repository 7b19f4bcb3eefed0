"""Shared test configuration.

Hypothesis profiles:
- ``ci``: the full profile (60 examples), **derandomized**: the examples are a fixed
  function of each test, so a red CI run reproduces exactly on any machine.
- ``nojit-ci``: the reduced profile (5 examples) used with ``NUMBA_DISABLE_JIT=1``, where
  every kernel runs as plain Python; derandomized as well.
- ``random``: the full profile with fresh random examples, for local runs.
- ``nojit``: the reduced profile with fresh random examples.
- ``dev``: fewer random examples for quick local runs.

Select one with ``HYPOTHESIS_PROFILE=<name>``.  Otherwise the default is ``ci`` (or
``nojit-ci`` under NUMBA_DISABLE_JIT=1) when the ``CI`` environment variable is set
(``.ci/run`` sets it) and ``random`` (or ``nojit``) elsewhere.

At the end of a session the statistical ledger of ``_stats`` (number of statistical checks
and their summed false-failure probability) is printed, and the session fails if the sum
exceeds ``_stats.BUDGET``.
"""

from __future__ import annotations

import os
from typing import Any, NoReturn

import _stats
import pytest
from hypothesis import HealthCheck, settings

NOJIT = os.environ.get("NUMBA_DISABLE_JIT", "0") not in ("", "0")
#: running in CI (the same test as tests/_hw_toy_blocks.py uses for the simulators)
IN_CI = os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def missing(what: str, msg: str, in_ci: bool = IN_CI) -> NoReturn:
    """A tool or extra the tests need is missing: fail in CI (``CI must provide <what>: <msg>``), skip locally."""
    if in_ci:
        pytest.fail(f"CI must provide {what}: {msg}")
    pytest.skip(msg)


def require_ml(in_ci: bool = IN_CI) -> None:
    """Fail in CI, skip locally (saying what to install), when scikit-learn (the ``ml`` extra) is missing."""
    try:
        import sklearn.datasets  # noqa: F401
    except ImportError:
        missing("the ml extra", "scikit-learn not found (the digits data): pip install 'sc-neurocore[ml]'", in_ci)


def require_fpga_tools(family: str = "ice40") -> None:
    """Fail in CI, skip locally (saying what to install), when the FPGA tools for ``family`` are missing."""
    from hw_models._fpga import ToolNotFoundError, fpga_tools

    try:
        fpga_tools(family)
    except ToolNotFoundError as exc:
        missing("the FPGA tools", str(exc))


_COMMON: dict[str, Any] = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow]}
# derandomize: examples are derived from each test's source, and no example database is
# replayed, so two runs (on any machine) draw the same examples.  Set explicitly both ways:
# recent hypothesis versions derandomize by themselves when CI is set, and profiles inherit
# from the default, so leaving it out would make "random" derandomized in CI.
_FIXED: dict[str, Any] = {"derandomize": True, "database": None}
_RANDOM: dict[str, Any] = {"derandomize": False}
settings.register_profile("ci", max_examples=60, **_COMMON, **_FIXED)
settings.register_profile("nojit-ci", max_examples=5, **_COMMON, **_FIXED)
settings.register_profile("random", max_examples=60, **_COMMON, **_RANDOM)
settings.register_profile("nojit", max_examples=5, **_COMMON, **_RANDOM)
settings.register_profile("dev", max_examples=15, **_COMMON, **_RANDOM)
_DEFAULT_PROFILE = {(False, False): "random", (False, True): "ci", (True, False): "nojit", (True, True): "nojit-ci"}
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", _DEFAULT_PROFILE[NOJIT, IN_CI]))


def pytest_configure(config: pytest.Config) -> None:
    if NOJIT:
        # The hash and LFSR kernels rely on wrapping uint64 arithmetic.  Compiled by
        # numba it wraps silently; run as plain Python on numpy scalars it wraps the
        # same way but warns.  Only in this mode is the warning expected.
        for op in ("multiply", "add", "subtract", "left shift"):
            config.addinivalue_line(
                "filterwarnings", f"ignore:overflow encountered in scalar {op}:RuntimeWarning"
            )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under NUMBA_DISABLE_JIT=1, tests marked ``slow`` are deselected (plain Python is ~100x slower)."""
    if not NOJIT:
        return
    kept = [item for item in items if "slow" not in item.keywords]
    dropped = [item for item in items if "slow" in item.keywords]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    """Print the statistical ledger; a session over budget fails (see ``_stats``)."""
    spent = _stats.LEDGER["alpha"]
    terminalreporter.write_line(
        f"statistical checks: {_stats.LEDGER['checks']}, summed false-failure probability {spent:.3g} "
        f"(budget {_stats.BUDGET:g}){' -- OVER BUDGET, session fails' if spent > _stats.BUDGET else ''}; "
        f"hypothesis examples {'derandomized' if settings.default.derandomize else 'random'}"
    )


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _stats.LEDGER["alpha"] > _stats.BUDGET:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
