r"""Deterministic encodings: thermometer (unary, race) streams and the three exact
multiplication schemes of Jenson & Riedel (private).

References
----------
D. Jenson and M. Riedel, "A deterministic approach to stochastic computation",
ICCAD 2016.  Race logic / temporal coding: A. Madhavan, T. Sherwood and
D. Strukov, "Race logic", ISCA 2014.

With ``n`` bits, ``N = 2^n`` and value ``a`` in [0, N], a *thermometer*
(unary) stream of one period has ``a`` ones followed by ``N - a`` zeros.  Two
such streams ANDed bit by bit give ``min(a, b)`` (they are maximally
correlated), not the product.  The three deterministic methods instead make
every bit of stream A meet every bit of stream B exactly once per period, so
the AND of the pair has exactly ``a b`` ones:

=================  ========================================  =====================
method             counters (cycle t)                        period
=================  ========================================  =====================
clock_division     ``ca = t mod N``, ``cb = (t div N) mod N``  ``N^2``
rotation           ``ca = t mod N``, ``cb = (ca + t div N) mod N``  ``N^2``
relatively_prime   ``ca = t mod N``, ``cb = t mod (N - 1)``    ``N (N - 1)``
=================  ========================================  =====================

with ``sa = ca < a`` and ``sb = cb < b``.  Relatively prime lengths encode
``b`` in [0, N - 1] over a stream of length ``N - 1`` (value ``b / (N - 1)``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from sc_neurocore._kernels._bitops import and_words, mux_words, xnor_words
from sc_neurocore._kernels._deterministic import (
    CLOCK_DIVISION,
    RELATIVELY_PRIME,
    ROTATION,
    deterministic_pair_words,
    thermometer_words,
)
from sc_neurocore._validation import check_choice, check_int

from ._packing import check_length

__all__ = [
    "DETERMINISTIC_METHODS",
    "MAX_DETERMINISTIC_BITS",
    "deterministic_add",
    "deterministic_length",
    "deterministic_multiply",
    "deterministic_pair",
    "thermometer",
]

#: the methods of Jenson & Riedel (ICCAD 2016)
DETERMINISTIC_METHODS = ("clock_division", "rotation", "relatively_prime")
_CODES = {"clock_division": CLOCK_DIVISION, "rotation": ROTATION, "relatively_prime": RELATIVELY_PRIME}
#: largest n: one period is at most 2^24 bits (2 MiB per stream)
MAX_DETERMINISTIC_BITS = 12


def _int_values(value: Any, name: str, high: int) -> np.ndarray:
    """``value`` as an int64 array with every entry in [0, high], or raise naming the entry."""
    arr = np.asarray(value)
    if arr.dtype == np.bool_ or not np.issubdtype(arr.dtype, np.integer):
        raise TypeError(f"{name} must be an integer or an array of integers; got dtype {arr.dtype}")
    bad = (arr < 0) | (arr > high)
    if np.any(bad):
        idx = tuple(int(i) for i in np.argwhere(bad)[0])
        where = f" at index {idx}" if arr.ndim else ""
        raise ValueError(f"{name} must be integers in [0, {high}]; got {arr[idx]}{where}")
    return arr.astype(np.int64)


def thermometer(k: Any, length: int, period: int | None = None) -> np.ndarray:
    r"""Thermometer (unary) streams: bit ``t`` is ``(t mod period) < k``.

    One period holds ``k`` ones then ``period - k`` zeros, so the value
    ``k / period`` is exact (no random error).  The complement (``NOT``) is
    the *race-logic* (temporal) code of ``period - k``: a single rising edge
    at cycle ``k`` (Madhavan, Sherwood & Strukov, ISCA 2014).  Two thermometer
    streams are maximally correlated (SCC = +1): AND gives ``min``, OR ``max``
    exactly (see :func:`sc_min`).

    Parameters
    ----------
    k : int or array_like of int, shape ``S``
        Number of ones per period, in [0, period].
    length : int
        Stream length in bits, >= 1.
    period : int, optional
        Repetition period in cycles, in [1, 2^40]; default ``length``.

    Returns
    -------
    numpy.ndarray
        uint64, shape ``S + (ceil(length / 64),)``.
    """
    length = check_length(length)
    per = length if period is None else check_length(period, "period")
    kk = _int_values(k, "k", per)
    out = thermometer_words(kk.reshape(-1), per, length)
    return out.reshape(kk.shape + (out.shape[-1],))


def deterministic_length(n_bits: int, method: str = "clock_division") -> int:
    """Period of the deterministic pair: ``N^2`` (clock division, rotation) or ``N (N - 1)``.

    Parameters
    ----------
    n_bits : int
        Value resolution n in [1, 12] (``N = 2^n``).
    method : {"clock_division", "rotation", "relatively_prime"}
    """
    n = check_int(n_bits, "n_bits", low=1, high=MAX_DETERMINISTIC_BITS)
    m = check_choice(method, "method", DETERMINISTIC_METHODS)
    big = 1 << n
    return big * (big - 1) if m == "relatively_prime" else big * big


def _pair(a: Any, b: Any, n_bits: int, method: str, length: int | None
          ) -> tuple[np.ndarray, np.ndarray, np.ndarray, tuple[int, ...], int]:
    period = deterministic_length(n_bits, method)
    big = 1 << int(n_bits)
    aa = _int_values(a, "a", big)
    bb = _int_values(b, "b", big - 1 if method == "relatively_prime" else big)
    try:
        lead = np.broadcast_shapes(aa.shape, bb.shape)
    except ValueError:
        raise ValueError(f"a and b must broadcast; got shapes {aa.shape} and {bb.shape}") from None
    L = period if length is None else check_length(length)
    sa, sb, sel = deterministic_pair_words(
        np.ascontiguousarray(np.broadcast_to(aa, lead)).reshape(-1),
        np.ascontiguousarray(np.broadcast_to(bb, lead)).reshape(-1), int(n_bits), _CODES[method], L)
    return sa, sb, sel, lead, L


def deterministic_pair(
    a: Any, b: Any, n_bits: int, method: str = "clock_division", length: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    r"""The stream pair of a deterministic method (Jenson & Riedel, ICCAD 2016).

    Over one period ``L`` (:func:`deterministic_length`) every bit of the
    ``a``-stream meets every bit of the ``b``-stream once, so
    ``popcount(sa & sb) = a b`` exactly (``L = N^2``) and each stream alone is
    exact: ``popcount(sa) = a N`` and ``popcount(sb) = b N``
    (relatively prime: ``a (N - 1)`` and ``b N``).

    Parameters
    ----------
    a, b : int or array_like of int
        Values in [0, N] (``b`` in [0, N - 1] for relatively prime lengths),
        ``N = 2^n_bits``; the shapes broadcast to ``S``.
    n_bits : int
        Resolution n in [1, 12].
    method : {"clock_division", "rotation", "relatively_prime"}
    length : int, optional
        Stream length; default one period (longer streams repeat it).

    Returns
    -------
    sa, sb : numpy.ndarray
        uint64, shape ``S + (ceil(length / 64),)``.
    """
    sa, sb, _sel, lead, _L = _pair(a, b, n_bits, method, length)
    nw = sa.shape[-1]
    return sa.reshape(lead + (nw,)), sb.reshape(lead + (nw,))


def deterministic_multiply(
    a: Any, b: Any, n_bits: int, method: str = "clock_division", *, bipolar: bool = False
) -> np.ndarray:
    r"""Exact SC product over one period: AND (unipolar) or XNOR (bipolar) of the deterministic pair.

    Unipolar: ``popcount = a b``, value ``a b / N^2 = (a / N)(b / N)``
    (relatively prime: ``a b / (N (N - 1))``).  Bipolar with
    :math:`x_a = 2a/N - 1`: XNOR has ``a b + (N - a)(N - b)`` ones, so
    :math:`2\,\mathrm{popcount}/N^2 - 1 = x_a x_b` exactly (relatively prime:
    :math:`x_b = 2b/(N-1) - 1`).  No bias, no variance.

    Parameters
    ----------
    a, b, n_bits, method
        As :func:`deterministic_pair`.
    bipolar : bool
        XNOR instead of AND.

    Returns
    -------
    numpy.ndarray
        uint64 product streams, shape ``S + (ceil(L / 64),)``, L one period.
    """
    if not isinstance(bipolar, (bool, np.bool_)):
        raise TypeError(f"bipolar must be a bool; got {type(bipolar).__name__} {bipolar!r}")
    sa, sb, _sel, lead, L = _pair(a, b, n_bits, method, None)
    out = xnor_words(sa, sb, L) if bipolar else and_words(sa, sb)
    return out.reshape(lead + (out.shape[-1],))


def deterministic_add(a: Any, b: Any, n_bits: int, method: str = "clock_division") -> np.ndarray:
    r"""Scaled addition over one period: a MUX whose select is ``(ca + cb) mod 2``.

    For clock division and rotation the output has exactly
    ``(a + b) N / 2`` ones in ``N^2`` cycles: value ``(a + b) / (2N)``
    (bipolar: ``(x_a + x_b) / 2``), exact.  For relatively prime lengths the
    count is ``(a + b) N / 2 - floor(a / 2)`` in ``N (N - 1)`` cycles, within
    1/2 count of the exact ``(a (N - 1) + b N) / 2``.

    Parameters
    ----------
    a, b, n_bits, method
        As :func:`deterministic_pair`.

    Returns
    -------
    numpy.ndarray
        uint64 sum streams, shape ``S + (ceil(L / 64),)``, L one period.
    """
    sa, sb, sel, lead, _L = _pair(a, b, n_bits, method, None)
    out = mux_words(sa, sb, sel)
    return out.reshape(lead + (out.shape[-1],))
