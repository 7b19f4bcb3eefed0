"""Shared test configuration.

Hypothesis profiles:
- ``ci`` (default): the full profile used by CI.
- ``dev``: fewer examples for quick local runs.
- ``nojit``: the reduced profile used with ``NUMBA_DISABLE_JIT=1``, where every
  kernel runs as plain Python.
Select one with ``HYPOTHESIS_PROFILE=<name>``; with NUMBA_DISABLE_JIT=1 set, the
default becomes ``nojit``.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

NOJIT = os.environ.get("NUMBA_DISABLE_JIT", "0") not in ("", "0")

settings.register_profile(
    "ci", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "dev", max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "nojit", max_examples=5, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "nojit" if NOJIT else "ci"))


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
