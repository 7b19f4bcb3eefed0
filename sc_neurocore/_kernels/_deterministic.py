"""Deterministic (unary / thermometer) stream generation (private).

Pure functions on int64 value arrays; outputs are C-contiguous packed
``uint64`` streams (bit ``t`` in word ``t // 64`` at bit ``t % 64``, padding 0).
The public wrappers are in ``sc_neurocore.bitstream._deterministic``; the
gate-level twins in ``hw_models._deterministic``.

Method codes (Jenson & Riedel, ICCAD 2016), with ``N = 2^n`` and cycle ``t``:

* 0 clock division: ``ca = t mod N``, ``cb = floor(t / N) mod N``;
* 1 rotation: ``ca = t mod N``, ``cb = (t mod N + floor(t / N)) mod N``;
* 2 relatively prime lengths: ``ca = t mod N``, ``cb = t mod (N - 1)``.

Stream bits ``sa = ca < a``, ``sb = cb < b``; select ``sel = (ca + cb) mod 2``.
"""

from __future__ import annotations

import numpy as np
from numba import njit, uint64

CLOCK_DIVISION, ROTATION, RELATIVELY_PRIME = 0, 1, 2


_ALL = uint64(0xFFFFFFFFFFFFFFFF)
_ODD = uint64(0xAAAAAAAAAAAAAAAA)  # bits at odd offsets


@njit(cache=True, inline="always")
def low_ones(k):
    """Mask of the ``k`` lowest bits (k clipped to [0, 64])."""
    if k >= 64:
        return _ALL
    if k <= 0:
        return uint64(0)
    return (uint64(1) << uint64(k)) - uint64(1)


@njit(cache=True)
def thermometer_words(k, period, length):
    """(S,) int64 values -> (S, n_words) streams with bit ``t = (t mod period) < k``.

    Word by word, in runs where the counter does not wrap: a run starting at
    count ``c`` of ``m`` cycles has ones in its first ``min(m, k - c)`` cycles.
    """
    n = k.shape[0]
    nw = (length + 63) >> 6
    out = np.zeros((n, nw), dtype=np.uint64)
    for w in range(nw):
        t = w << 6
        end = min(t + 64, length)
        while t < end:
            c = t % period
            m = min(end - t, period - c)
            sh = uint64(t & 63)
            for s in range(n):
                out[s, w] |= low_ones(min(m, k[s] - c)) << sh
            t += m
    return out


@njit(cache=True, inline="always")
def counters(t, n_bits, method):
    """(ca, cb) of cycle ``t`` for a method code."""
    big = np.int64(1) << n_bits
    ca = t & (big - 1)
    if method == CLOCK_DIVISION:
        cb = (t >> n_bits) & (big - 1)
    elif method == ROTATION:
        cb = (ca + (t >> n_bits)) & (big - 1)
    else:
        cb = t % (big - 1)
    return ca, cb


@njit(cache=True)
def deterministic_pair_words(a, b, n_bits, method, length):
    """(S,) int64 values a, b -> three (S, n_words) arrays: sa, sb and the select stream sel.

    Word by word, in runs where neither counter wraps: there ``ca`` counts up
    and ``cb`` counts up (rotation, relatively prime) or is constant (clock
    division), so ``sa`` and ``sb`` are a prefix of ones and ``sel`` is
    constant (``ca + cb`` steps by 2) or alternating (clock division).
    """
    n = a.shape[0]
    nw = (length + 63) >> 6
    big = np.int64(1) << n_bits
    b_period = big - 1 if method == RELATIVELY_PRIME else big
    sa = np.zeros((n, nw), dtype=np.uint64)
    sb = np.zeros((n, nw), dtype=np.uint64)
    sel = np.zeros((n, nw), dtype=np.uint64)
    for w in range(nw):
        t = np.int64(w) << 6
        end = min(t + 64, length)
        while t < end:
            ca, cb = counters(t, n_bits, method)
            m = min(end - t, big - ca)
            if method != CLOCK_DIVISION:
                m = min(m, b_period - cb)
            sh = uint64(t & 63)
            run = low_ones(m)
            if method == CLOCK_DIVISION:  # ca + cb steps by 1: alternating parity
                pat = _ODD if (ca + cb) & 1 == 0 else ~_ODD
            else:
                pat = _ALL if (ca + cb) & 1 else uint64(0)
            selw = (pat & run) << sh
            for s in range(n):
                sa[s, w] |= low_ones(min(m, a[s] - ca)) << sh
                if method == CLOCK_DIVISION:
                    if cb < b[s]:
                        sb[s, w] |= run << sh
                else:
                    sb[s, w] |= low_ones(min(m, b[s] - cb)) << sh
                sel[s, w] |= selw
            t += m
    return sa, sb, sel
