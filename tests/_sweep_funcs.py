"""Module-level sweep functions for the sweep tests (importable by worker processes)."""

from __future__ import annotations

import os
import time

import numpy as np


def noisy(x: float, k: int = 1, *, seed: np.random.SeedSequence) -> dict[str, object]:
    """Deterministic given the seed: a scalar and a small array drawn from ``default_rng(seed)``."""
    rng = np.random.default_rng(seed)
    return {"y": x * k + rng.normal(), "v": rng.integers(0, 100, size=3)}


def fails_on_two(x: int, *, seed: np.random.SeedSequence) -> dict[str, float]:
    if x == 2:
        raise ValueError(f"x = {x} is not allowed here")
    return {"y": float(x)}


def spin_on_one(x: int, *, seed: np.random.SeedSequence) -> dict[str, float]:
    """Runs forever (in Python bytecode) when x == 1: only a timeout stops it."""
    while x == 1:
        pass
    return {"y": float(x)}


def bad_metric(x: int, *, seed: np.random.SeedSequence) -> dict[str, object]:
    return {"y": float(x), "label": "abc"} if x == 1 else {"y": float(x), "label": 0.0}


def sleepy(x: int, delay: float = 0.1, *, seed: np.random.SeedSequence) -> dict[str, float]:
    """A run that takes ``delay`` seconds (so that a test can kill things mid-sweep)."""
    time.sleep(delay)
    return {"y": float(x) + float(np.random.default_rng(seed).random())}


def exit_on_one(x: int, *, seed: np.random.SeedSequence) -> dict[str, float]:
    """Kills its own worker process when x == 1 (a segfault or an out-of-memory kill, say)."""
    if x == 1:
        os._exit(1)
    return {"y": float(x)}


def metric_named(x: int, name: str = "y", *, seed: np.random.SeedSequence) -> dict[str, float]:
    """Returns one metric called ``name`` (x == 1 adds a second one)."""
    return {name: float(x), "extra": 1.0} if x == 1 else {name: float(x)}
