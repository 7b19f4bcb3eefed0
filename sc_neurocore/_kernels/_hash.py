"""Counter-based random numbers: a keyed 64-bit mixing function.

Every random bit in sc_neurocore is a pure function of ``(key, counter)``, so
any word of any stream can be regenerated on its own, on any machine, in any
order, and chunked runs equal unchunked ones.  The mixer is the SplitMix64
finaliser (Steele, Lea & Flood 2014), applied twice with the two key words
so that nearby counters under nearby keys give unrelated outputs.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, uint64

_GOLDEN = uint64(0x9E3779B97F4A7C15)
_M1 = uint64(0xBF58476D1CE4E5B9)
_M2 = uint64(0x94D049BB133111EB)
# 2**-53: turns the top 53 bits of a word into a double in [0, 1).
_INV_2_53 = 1.0 / 9007199254740992.0


@njit(cache=True, inline="always")
def mix64(z):
    """SplitMix64 finaliser: a bijection on uint64 with full avalanche."""
    z = uint64(z)
    z = (z ^ (z >> uint64(30))) * _M1
    z = (z ^ (z >> uint64(27))) * _M2
    return z ^ (z >> uint64(31))


@njit(cache=True, inline="always")
def hash3(k0, k1, domain, counter):
    """Random 64-bit word for ``counter`` in ``domain`` (e.g. a stream index) under key (k0, k1)."""
    x = mix64(uint64(k0) ^ (uint64(domain) * _GOLDEN))
    x = mix64(x ^ uint64(k1) ^ mix64(uint64(counter) + _GOLDEN))
    return x


@njit(cache=True, inline="always")
def uniform01(k0, k1, domain, counter):
    """Double in [0, 1) with 53 random bits."""
    return float(hash3(k0, k1, domain, counter) >> uint64(11)) * _INV_2_53


@njit(cache=True, inline="always")
def standard_normal(k0, k1, domain, counter):
    """N(0, 1) draw for one counter (Box-Muller, one of the pair; 1 - u avoids log(0))."""
    u1 = 1.0 - uniform01(k0, k1, domain, uint64(counter) * uint64(2))
    u2 = uniform01(k0, k1, domain, uint64(counter) * uint64(2) + uint64(1))
    return math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)


def mix64_py(z: int) -> int:
    """Plain-Python reference of :func:`mix64` (for tests)."""
    mask = (1 << 64) - 1
    z &= mask
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & mask
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & mask
    return z ^ (z >> 31)


def hash3_py(k0: int, k1: int, domain: int, counter: int) -> int:
    """Plain-Python reference of :func:`hash3` (for tests)."""
    mask = (1 << 64) - 1
    x = mix64_py(k0 ^ ((domain * 0x9E3779B97F4A7C15) & mask))
    return mix64_py(x ^ k1 ^ mix64_py((counter + 0x9E3779B97F4A7C15) & mask))


__all__ = ["hash3", "hash3_py", "mix64", "mix64_py", "standard_normal", "uniform01"]

_ = np  # numpy is imported so numba types resolve identically in every caller
