"""Bit-exact contract helpers: compare per-cycle sequences, report the first difference (private)."""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["assert_bit_exact", "first_difference"]


def first_difference(model: Any, reference: Any) -> int | None:
    """Index (cycle) of the first differing entry along the first axis, or None if equal.

    Both arguments are array-like of the same shape, cycles along axis 0
    (further axes, e.g. neurons, are compared together).
    """
    a, b = np.asarray(model), np.asarray(reference)
    if a.shape != b.shape:
        raise ValueError(f"model and reference must have the same shape; got {a.shape} and {b.shape}")
    if a.ndim == 0:
        return None if a == b else 0
    if a.size == 0:
        return None
    diff = (a != b).reshape(a.shape[0], -1).any(axis=1)
    idx = np.flatnonzero(diff)
    return int(idx[0]) if idx.size else None


def assert_bit_exact(model: Any, reference: Any, what: str = "output") -> None:
    """Raise AssertionError naming the first differing cycle (and the values there) if not equal."""
    t = first_difference(model, reference)
    if t is not None:
        a, b = np.asarray(model), np.asarray(reference)
        lo = max(t - 3, 0)
        raise AssertionError(
            f"{what}: first differing cycle {t} of {a.shape[0]}: model {a[t].tolist()} != "
            f"reference {b[t].tolist()} (cycles {lo}..{t}: model {a[lo:t + 1].tolist()}, "
            f"reference {b[lo:t + 1].tolist()})"
        )
