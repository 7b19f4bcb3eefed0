"""Fibonacci LFSR kernels, shift-left form (private).

Conventions §3: ``fb = parity(state & tap_mask)``,
``state' = ((state << 1) | fb) & (2^n - 1)``; with zero-state insertion
``fb ^= [state & (2^(n-1) - 1) == 0]`` (period 2^n through every value).
Output bit of cycle ``t`` is ``state_t < X``.
"""

from __future__ import annotations

import numpy as np
from numba import njit, uint64

from sc_neurocore._kernels._bitops import popcount64


@njit(cache=True, inline="always")
def lfsr_step(state, mask, tmask, low_mask, zero_state):
    """One clock of the register (all arguments uint64)."""
    fb = popcount64(state & tmask) & uint64(1)
    if zero_state and (state & low_mask) == uint64(0):
        fb ^= uint64(1)
    return ((state << uint64(1)) | fb) & mask


@njit(cache=True)
def lfsr_words(thresholds, seeds, width, tmask, zero_state, n_words, length):
    """(n,) thresholds X in [0, 2^n], (n,) seeds -> (n, n_words) streams."""
    n = thresholds.shape[0]
    mask = (uint64(1) << uint64(width)) - uint64(1)
    low_mask = (uint64(1) << uint64(width - 1)) - uint64(1)
    tm = uint64(tmask)
    out = np.zeros((n, n_words), dtype=np.uint64)
    for s in range(n):
        state = uint64(seeds[s])
        x = thresholds[s]
        for w in range(n_words):
            acc = uint64(0)
            stop = min(64, length - w * 64)
            for lane in range(stop):
                if state < x:
                    acc |= uint64(1) << uint64(lane)
                state = lfsr_step(state, mask, tm, low_mask, zero_state)
            out[s, w] = acc
    return out


@njit(cache=True)
def lfsr_state_seq(seeds, width, tmask, zero_state, length):
    """(n,) seeds -> (n, length) uint32 register states ``state_0 .. state_{L-1}``."""
    n = seeds.shape[0]
    mask = (uint64(1) << uint64(width)) - uint64(1)
    low_mask = (uint64(1) << uint64(width - 1)) - uint64(1)
    tm = uint64(tmask)
    out = np.empty((n, length), dtype=np.uint32)
    for s in range(n):
        state = uint64(seeds[s])
        for t in range(length):
            out[s, t] = np.uint32(state)
            state = lfsr_step(state, mask, tm, low_mask, zero_state)
    return out


@njit(cache=True)
def lfsr_period(seed, width, tmask, zero_state, limit):
    """Number of clocks until the register first returns to ``seed`` (``limit + 1`` if not within limit)."""
    mask = (uint64(1) << uint64(width)) - uint64(1)
    low_mask = (uint64(1) << uint64(width - 1)) - uint64(1)
    tm = uint64(tmask)
    s0 = uint64(seed)
    state = lfsr_step(s0, mask, tm, low_mask, zero_state)
    k = 1
    while state != s0 and k <= limit:
        state = lfsr_step(state, mask, tm, low_mask, zero_state)
        k += 1
    return k


__all__ = ["lfsr_period", "lfsr_state_seq", "lfsr_step", "lfsr_words"]
