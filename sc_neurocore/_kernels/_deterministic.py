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


@njit(cache=True)
def thermometer_words(k, period, length):
    """(S,) int64 values -> (S, n_words) streams with bit ``t = (t mod period) < k``."""
    n = k.shape[0]
    nw = (length + 63) >> 6
    out = np.zeros((n, nw), dtype=np.uint64)
    for s in range(n):
        ks = k[s]
        for t in range(length):
            if t % period < ks:
                out[s, t >> 6] |= uint64(1) << uint64(t & 63)
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
    """(S,) int64 values a, b -> three (S, n_words) arrays: sa, sb and the select stream sel."""
    n = a.shape[0]
    nw = (length + 63) >> 6
    sa = np.zeros((n, nw), dtype=np.uint64)
    sb = np.zeros((n, nw), dtype=np.uint64)
    sel = np.zeros((n, nw), dtype=np.uint64)
    for t in range(length):
        ca, cb = counters(np.int64(t), n_bits, method)
        bit = uint64(1) << uint64(t & 63)
        w = t >> 6
        for s in range(n):
            if ca < a[s]:
                sa[s, w] |= bit
            if cb < b[s]:
                sb[s, w] |= bit
            if (ca + cb) & 1:
                sel[s, w] |= bit
    return sa, sb, sel
