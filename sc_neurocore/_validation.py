"""Input checks shared by every public entry point (private).

Messages follow one pattern so tests can match them exactly:
``"<parameter> must be <allowed>; got <value>"``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

__all__ = [
    "DT_MS_RANGE",
    "MAX_COUNT",
    "check_count",
    "check_dt_ms",
    "check_finite_array",
    "check_int",
    "check_real",
    "check_unit_array",
    "check_binary_array",
    "check_bool",
    "check_choice",
    "check_known_keys",
]


def check_real(
    value: Any,
    name: str,
    *,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    high_open: bool = False,
) -> float:
    """Return ``value`` as a finite float in the given interval, or raise."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(
        value, (int, float, np.integer, np.floating)
    ):
        raise TypeError(f"{name} must be a real number; got {type(value).__name__} {value!r}")
    try:
        v = float(value)
    except OverflowError:  # a Python int beyond the float range (e.g. from JSON)
        raise ValueError(f"{name} must be finite; got an integer of {int(value).bit_length()} bits") from None
    if not math.isfinite(v):
        raise ValueError(f"{name} must be finite; got {v}")
    if (
        low is not None
        and (v < low or (low_open and v == low))
        or high is not None
        and (v > high or (high_open and v == high))
    ):
        lo = "-inf" if low is None else repr(low)
        hi = "inf" if high is None else repr(high)
        interval = (
            ("(" if low_open or low is None else "[")
            + f"{lo}, {hi}"
            + (")" if high_open or high is None else "]")
        )
        raise ValueError(f"{name} must be in {interval}; got {v}")
    return v


def check_bool(value: Any, name: str) -> bool:
    """Return ``value`` as a bool (Python or numpy bool only: 0/1 or strings are not flags), or raise."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be a bool; got {type(value).__name__} {value!r}")
    return bool(value)


def check_int(value: Any, name: str, *, low: int | None = None, high: int | None = None) -> int:
    """Return ``value`` as an int in [low, high], or raise."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an integer; got {type(value).__name__} {value!r}")
    v = int(value)
    if (low is not None and v < low) or (high is not None and v > high):
        lo = "-inf" if low is None else str(low)
        hi = "inf" if high is None else str(high)
        raise ValueError(f"{name} must be an integer in [{lo}, {hi}]; got {v}")
    return v


#: Upper bound for sizes, stream lengths and step counts (2^40, about 1.1e12).
#: Anything larger cannot be allocated on current machines (a packed stream of
#: 2^40 bits alone is 128 GiB) and would push int64 index arithmetic in the
#: kernels towards overflow, so it is rejected up front instead of failing as
#: an OverflowError or MemoryError deep inside numpy or numba.
MAX_COUNT = 2**40


def check_count(value: Any, name: str, *, low: int = 0) -> int:
    """Return ``value`` as an int in [low, MAX_COUNT] (a size, length or step count), or raise.

    Values below ``low`` give the same message as :func:`check_int` with only
    a lower bound; values above :data:`MAX_COUNT` name the full interval.
    """
    v = check_int(value, name, low=low)
    if v > MAX_COUNT:
        raise ValueError(f"{name} must be an integer in [{low}, {MAX_COUNT}]; got {v}")
    return v


#: Accepted range of a time step in ms (1 fs .. ~11.6 days).  Outside it,
#: spike times over MAX_COUNT steps, their squares or rates ``1000 / dt``
#: overflow float64 (silently to inf, or as OverflowError).
DT_MS_RANGE = (1e-12, 1e9)


def check_dt_ms(value: Any, name: str = "dt_ms") -> float:
    """Return a time step in ms in :data:`DT_MS_RANGE`, or raise.

    Non-positive values give the message of ``check_real(..., low=0, low_open=True)``.
    """
    v = check_real(value, name, low=0.0, low_open=True)
    lo, hi = DT_MS_RANGE
    if not lo <= v <= hi:
        raise ValueError(f"{name} must be in [{lo}, {hi}]; got {v}")
    return v


def check_finite_array(value: Any, name: str, *, ndim: int | None = None) -> np.ndarray:
    """Return a float64 array copy of ``value``; reject non-numeric, NaN and inf entries."""
    arr = np.asarray(value)
    if (
        arr.dtype == object
        or not (np.issubdtype(arr.dtype, np.integer) or np.issubdtype(arr.dtype, np.floating))
        or arr.dtype == np.bool_
    ):
        raise TypeError(f"{name} must be an array of real numbers; got dtype {arr.dtype}")
    if ndim is not None and arr.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-dimensional; got shape {arr.shape}")
    arr = arr.astype(np.float64)
    bad = ~np.isfinite(arr)
    if bad.any():
        idx = tuple(int(i) for i in np.argwhere(bad)[0])
        raise ValueError(f"{name} must be finite; got {arr[idx]} at index {idx}")
    return arr


def check_unit_array(value: Any, name: str, low: float = 0.0, high: float = 1.0) -> np.ndarray:
    """Return a float64 array with every entry in [low, high], or raise naming the first bad entry."""
    arr = check_finite_array(value, name)
    bad = (arr < low) | (arr > high)
    if bad.any():
        idx = tuple(int(i) for i in np.argwhere(bad)[0])
        where = f" at index {idx}" if arr.ndim else ""
        raise ValueError(f"{name} must be in [{low}, {high}]; got {arr[idx]}{where}")
    return arr


def check_binary_array(value: Any, name: str) -> np.ndarray:
    """Return a C-contiguous uint8 array of 0/1 bits, or raise (bool or integer input only).

    The result may share memory with ``value`` (uint8 or bool input that is
    already C-contiguous); callers must not write to it.
    """
    arr = np.asarray(value)
    if arr.dtype == np.bool_:
        # numpy stores bools as bytes 0/1, so the uint8 view is already the bit array; a bool
        # array viewed from arbitrary bytes (e.g. np.frombuffer) can hold 2..255 and is converted
        view = np.ascontiguousarray(arr).view(np.uint8)
        return view if view.size == 0 or view.max() <= 1 else np.ascontiguousarray(arr, dtype=np.uint8)
    if not np.issubdtype(arr.dtype, np.integer):
        raise TypeError(
            f"{name} must be an array of 0/1 bits (bool or integer dtype); got dtype {arr.dtype}"
        )
    # One reduction instead of two comparisons and an AND: reinterpreted as unsigned of the
    # same width, negative entries become >= 2^(bits-1), so ``max <= 1`` iff every entry is 0/1.
    unsigned = np.dtype(f"{arr.dtype.byteorder}u{arr.dtype.itemsize}")
    if arr.size and arr.view(unsigned).max() > 1:
        bad = (arr != 0) & (arr != 1)
        idx = tuple(int(i) for i in np.argwhere(bad)[0])
        raise ValueError(f"{name} must contain only 0 and 1; got {arr[idx]} at index {idx}")
    return np.ascontiguousarray(arr, dtype=np.uint8)


def check_choice(value: Any, name: str, choices: tuple[str, ...]) -> str:
    """Return ``value`` if it is one of ``choices``, or raise listing them."""
    if not isinstance(value, str) or value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, choices))}; got {value!r}")
    return value


def check_known_keys(mapping: dict[str, Any], name: str, allowed: tuple[str, ...]) -> None:
    """Reject keys of ``mapping`` that are not in ``allowed``."""
    unknown = sorted(set(mapping) - set(allowed))
    if unknown:
        raise ValueError(
            f"{name} has unknown key(s) {', '.join(map(repr, unknown))}; "
            f"allowed: {', '.join(map(repr, allowed))}"
        )
