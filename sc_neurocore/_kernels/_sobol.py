"""Sobol / van der Corput encoder kernel, Gray-code order (private).

Points are 32-bit integers: ``x_0 = 0``, ``x_{k+1} = x_k XOR v[c(k)]`` with
``c(k)`` the index of the lowest zero bit of ``k`` (Antonov-Saleev); bit ``t``
of a stream is ``x_{skip + t} < T`` with ``T = round(p * 2^32)``.
"""

from __future__ import annotations

import numpy as np
from numba import njit, uint64


@njit(cache=True, inline="always")
def gray_point(v, k):
    """Point ``x_k`` directly: XOR of ``v[i]`` over the set bits of gray(k) = k ^ (k >> 1)."""
    g = uint64(k) ^ (uint64(k) >> uint64(1))
    x = uint64(0)
    i = 0
    while g != uint64(0):
        if g & uint64(1):
            x ^= v[i]
        g >>= uint64(1)
        i += 1
    return x


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
def sobol_words(thresholds, v, skip, n_words, length):
    """(n,) thresholds in [0, 2^32] -> (n, n_words) streams sharing one point sequence."""
    n = thresholds.shape[0]
    out = np.zeros((n, n_words), dtype=np.uint64)
    x = gray_point(v, skip)
    k = uint64(skip)
    pts = np.empty(64, dtype=np.uint64)
    for w in range(n_words):
        stop = min(64, length - w * 64)
        for lane in range(stop):
            pts[lane] = x
            c = 0
            kk = k
            while kk & uint64(1):
                kk >>= uint64(1)
                c += 1
            if c < 32:
                x ^= v[c]
            k += uint64(1)
        for s in range(n):
            thr = thresholds[s]
            acc = uint64(0)
            for lane in range(stop):
                if pts[lane] < thr:
                    acc |= uint64(1) << uint64(lane)
            out[s, w] = acc
    return out


__all__ = ["gray_point", "sobol_points", "sobol_words"]
