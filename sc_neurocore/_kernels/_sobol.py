"""Sobol / van der Corput encoder kernel, Gray-code order (private).

Points are 32-bit integers: ``x_0 = 0``, ``x_{k+1} = x_k XOR v[c(k)]`` with
``c(k)`` the index of the lowest zero bit of ``k`` (Antonov-Saleev); bit ``t``
of a stream is ``x_{skip + t} < T`` with ``T = round(p * 2^32)``.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange, uint64

from sc_neurocore._kernels._bitops import gf2_matvec
from sc_neurocore._kernels._hash import compare_plane, compare_settled


@njit(cache=True, inline="always")
def gray_point(v, k):
    """Point ``x_k`` directly: XOR of ``v[i]`` over the set bits of gray(k) = k ^ (k >> 1)."""
    return gf2_matvec(v, uint64(k) ^ (uint64(k) >> uint64(1)))


@njit(cache=True)
def sobol_points(v, skip, length):
    """(32,) direction integers -> (length,) uint64 points ``x_skip .. x_{skip+L-1}``."""
    out = np.empty(length, dtype=np.uint64)
    x = gray_point(v, skip)
    k = uint64(skip)
    for t in range(length):
        out[t] = x
        # lowest zero bit of k
        c = 0
        kk = k
        while kk & uint64(1):
            kk >>= uint64(1)
            c += 1
        if c < 32:
            x ^= v[c]
        k += uint64(1)
    return out


@njit(cache=True)
def sobol_words_serial(thresholds, v, skip, n_words, length):
    """(n,) thresholds in [0, 2^32] -> (n, n_words) streams sharing one point sequence (one point per bit)."""
    n = thresholds.shape[0]
    out = np.zeros((n, n_words), dtype=np.uint64)
    pts = sobol_points(v, skip, length)
    for w in range(n_words):
        stop = min(64, length - w * 64)
        for s in range(n):
            thr = thresholds[s]
            acc = uint64(0)
            for lane in range(stop):
                if pts[w * 64 + lane] < thr:
                    acc |= uint64(1) << uint64(lane)
            out[s, w] = acc
    return out


_ALL = uint64(0xFFFFFFFFFFFFFFFF)
_TWO32 = uint64(1) << uint64(32)
_N_ALIGNED = 1 << 26  # aligned 64-point words in the 2^32-point sequence


@njit(cache=True, inline="always")
def _aligned_compare(c, ymask, thr):
    """Lanes ``l`` with ``c XOR x_l < thr`` (``0 < thr < 2^32``), bit-sliced from the MSB.

    ``ymask[b]`` has bit ``l`` set when bit ``b`` of ``x_l`` is 1, so plane ``b``
    of the 64 points ``c ^ x_l`` is ``ymask[b]``, complemented if bit ``b`` of
    ``c`` is 1.  Early exits as in the Bernoulli comparator.
    """
    lt = uint64(0)
    eq = _ALL
    for b in range(31, -1, -1):
        plane = ymask[b] ^ (uint64(0) - ((c >> uint64(b)) & uint64(1)))
        lt, eq = compare_plane(lt, eq, plane, thr, b)
        if compare_settled(eq, thr, b):
            break
    return lt


#: Streams per threaded work unit; results do not depend on it (streams are independent).
STREAM_BLOCK = 16


@njit(cache=True)
def _sobol_rows(s_lo, s_hi, thresholds, starts, ymask, j0, r, n_words, length, out):
    """Streams ``[s_lo, s_hi)`` of :func:`sobol_words`.

    ``starts[a]`` is the first point of the aligned block ``j0 + a``.
    """
    n_aligned = starts.shape[0]
    lm = (uint64(1) << uint64(length & 63)) - uint64(1)
    for s in range(s_lo, s_hi):
        thr = thresholds[s]
        prev = uint64(0)
        for a in range(n_aligned):
            if j0 + a >= _N_ALIGNED or thr == uint64(0):
                res = uint64(0)
            elif thr >= _TWO32:
                res = _ALL
            else:
                res = _aligned_compare(starts[a], ymask, thr)
            if r == 0:
                out[s, a] = res
            else:
                if a > 0:
                    out[s, a - 1] = (prev >> uint64(r)) | (res << uint64(64 - r))
                prev = res
        if length & 63:
            out[s, n_words - 1] &= lm


@njit(cache=True, parallel=True)
def sobol_words(thresholds, v, skip, n_words, length):
    """(n,) thresholds in [0, 2^32] -> (n, n_words) streams sharing one point sequence, word-parallel.

    Gray-code order is linear in aligned blocks: for ``k = 64 J + l``,
    ``gray(k) = gray(64 J) XOR gray(l)``, so ``x_k = x_{64 J} XOR x_l``.  With
    the 32 bit planes of ``x_0 .. x_63`` precomputed, the comparator for 64
    points costs a few word operations per plane, and ``x_{64 (J+1)} =
    x_{64 J} XOR x_63 XOR v[6 + trailing_ones(J)]`` moves to the next block.
    For ``skip % 64 != 0`` each output word joins two aligned result words.
    Bit-identical to :func:`sobol_words_serial` (tested).  The block starts
    are computed first; blocks of :data:`STREAM_BLOCK` streams then run on
    any thread (same bits for every thread count).
    """
    n = thresholds.shape[0]
    out = np.zeros((n, n_words), dtype=np.uint64)
    ymask = np.zeros(32, dtype=np.uint64)
    x = uint64(0)
    for lane in range(64):
        for b in range(32):
            ymask[b] |= ((x >> uint64(b)) & uint64(1)) << uint64(lane)
        c = 0
        while (lane >> c) & 1:
            c += 1
        if lane < 63:
            x ^= v[c]
    x63 = x  # x_63
    j0 = skip >> 6
    r = skip & 63
    n_aligned = n_words + 1 if r else n_words
    # first points of the aligned blocks: x_{64(J+1)} = x_{64J} ^ x_63 ^ v[6 + trailing ones of J]
    starts = np.empty(n_aligned, dtype=np.uint64)
    c_j = gray_point(v, uint64(j0) << uint64(6))
    for a in range(n_aligned):
        starts[a] = c_j
        jj = j0 + a
        t1 = 0
        while (jj >> t1) & 1:
            t1 += 1
        if 6 + t1 < 32:
            c_j ^= x63 ^ v[6 + t1]
    n_blk = (n + STREAM_BLOCK - 1) // STREAM_BLOCK
    if n_blk > 1:
        for bk in prange(n_blk):
            _sobol_rows(bk * STREAM_BLOCK, min(bk * STREAM_BLOCK + STREAM_BLOCK, n), thresholds, starts,
                        ymask, j0, r, n_words, length, out)
    else:
        _sobol_rows(0, n, thresholds, starts, ymask, j0, r, n_words, length, out)
    return out


__all__ = ["gray_point", "sobol_points", "sobol_words", "sobol_words_serial"]
