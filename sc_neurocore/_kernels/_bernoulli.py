"""Bernoulli encoder kernel: bit-sliced comparison against counter-hash uniforms (private).

Conventions §3: threshold ``T = round(p * 2^32)``; for stream ``s``, word ``w``,
plane ``j`` the word ``hash3(k0, k1, s, w * 32 + j)`` gives bit ``31 - j`` of
the 32-bit uniform ``U`` of each of the 64 lanes; bit = ``U < T``.
"""

from __future__ import annotations

import numpy as np
from numba import njit, uint64

from sc_neurocore._kernels._bitops import tail_mask
from sc_neurocore._kernels._hash import mix64

_ALL = uint64(0xFFFFFFFFFFFFFFFF)
_TWO32 = uint64(1) << uint64(32)
_GOLDEN = uint64(0x9E3779B97F4A7C15)


@njit(cache=True, inline="always")
def stream_key(k0, k1, stream):
    """Per-stream part of :func:`~sc_neurocore._kernels._hash.hash3`.

    ``hash3(k0, k1, s, c) == mix64(stream_key(k0, k1, s) ^ mix64(c + golden))``,
    so a stream's planes cost one ``mix64`` pair each instead of three.
    """
    return mix64(uint64(k0) ^ (uint64(stream) * _GOLDEN)) ^ uint64(k1)


@njit(cache=True, inline="always")
def bernoulli_word_keyed(skey, w, thr, lanes):
    """One 64-cycle word of the stream whose :func:`stream_key` is ``skey``.

    MSB-first bit-sliced compare: ``eq`` holds lanes whose prefix of U still
    equals the prefix of T, ``lt`` those already decided smaller.  The loop
    stops as soon as (a) no lane is tied (about log2(64) + 2 = 8 planes on
    average), or (b) the remaining bits of T are all zero, because a lane
    still tied then has ``U >= T`` whatever its remaining bits are.  Both exits
    leave every lane's result equal to the full 32-plane comparison, and each
    lane's result does not depend on which other lanes are in ``lanes``.
    """
    if thr >= _TWO32:
        return lanes
    lt = uint64(0)
    if thr == uint64(0):
        return lt
    eq = lanes
    base = uint64(w) * uint64(32)
    for j in range(32):
        r = mix64(skey ^ mix64(base + uint64(j) + _GOLDEN))
        sh = uint64(31 - j)
        if (thr >> sh) & uint64(1):
            lt |= eq & ~r
            eq &= r
        else:
            eq &= ~r
        if eq == uint64(0) or (thr & ((uint64(1) << sh) - uint64(1))) == uint64(0):
            break
    return lt


@njit(cache=True, inline="always")
def bernoulli_word(k0, k1, stream, w, thr, lanes):
    """One 64-cycle word of stream ``stream``; lanes outside ``lanes`` are 0 (see bernoulli_word_keyed)."""
    return bernoulli_word_keyed(stream_key(k0, k1, stream), w, thr, lanes)


@njit(cache=True)
def bernoulli_words(thresholds, n_words, length, k0, k1, stream_offset):
    """(n,) uint64 thresholds in [0, 2^32] -> (n, n_words) uint64 streams.

    Stream ``s`` of the output uses stream index ``stream_offset + s``.
    """
    n = thresholds.shape[0]
    out = np.empty((n, n_words), dtype=np.uint64)
    last = tail_mask(length)
    for s in range(n):
        skey = stream_key(k0, k1, uint64(stream_offset + s))
        thr = thresholds[s]
        for w in range(n_words - 1):
            out[s, w] = bernoulli_word_keyed(skey, w, thr, _ALL)
        out[s, n_words - 1] = bernoulli_word_keyed(skey, n_words - 1, thr, last)
    return out


__all__ = ["bernoulli_word", "bernoulli_word_keyed", "bernoulli_words", "stream_key"]
