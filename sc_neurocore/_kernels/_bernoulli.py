"""Bernoulli encoder kernel: bit-sliced comparison against counter-hash uniforms (private).

Conventions §3: threshold ``T = round(p * 2^32)``; for stream ``s``, word ``w``,
plane ``j`` the word ``hash3(k0, k1, s, w * 32 + j)`` gives bit ``31 - j`` of
the 32-bit uniform ``U`` of each of the 64 lanes; bit = ``U < T``.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange, uint64

from sc_neurocore._kernels._bitops import tail_mask
from sc_neurocore._kernels._hash import (
    compare_plane,
    compare_settled,
    compare_start,
    counter_key,
    hash_parts,
    stream_key,
)

_ALL = uint64(0xFFFFFFFFFFFFFFFF)
_TWO32 = uint64(1) << uint64(32)


@njit(cache=True, inline="always")
def bernoulli_word_keyed(skey, w, thr, lanes):
    """One 64-cycle word of the stream whose :func:`~sc_neurocore._kernels._hash.stream_key` is ``skey``.

    Serial MSB-first bit-sliced compare (``_hash.compare_plane``), one hash
    per plane.  The loop stops as soon as no lane is tied (about
    log2(64) + 2 = 8 planes on average) or the remaining bits of T are all
    zero (``_hash.compare_settled``); either exit leaves every lane's result
    equal to the full 32-plane comparison, and each lane's result does not
    depend on which other lanes are in ``lanes``.
    """
    lt, eq = compare_start(thr, _TWO32, lanes)
    if eq == uint64(0):
        return lt
    base = uint64(w) * uint64(32)
    for j in range(32):
        lt, eq = compare_plane(lt, eq, hash_parts(skey, counter_key(base + uint64(j))), thr, 31 - j)
        if compare_settled(eq, thr, 31 - j):
            break
    return lt


@njit(cache=True, inline="always")
def bernoulli_word(k0, k1, stream, w, thr, lanes):
    """One 64-cycle word of stream ``stream``; lanes outside ``lanes`` are 0 (see bernoulli_word_keyed)."""
    return bernoulli_word_keyed(stream_key(k0, k1, stream), w, thr, lanes)


@njit(cache=True, inline="always")
def bernoulli_word_pair(skey, w, thr, buf):
    """Words ``w`` and ``w + 1`` (all 64 lanes each) of one stream, ``0 < thr < 2^32``.

    Same result as two :func:`bernoulli_word_keyed` calls.  A second comparator
    loop, kept because a benchmark needs it: ``bernoulli`` at p = 0.3 takes
    25.7 ns per word with it and 32.2 ns with the serial loop alone (2^20-bit
    stream, single thread, thread CPU time, best of 15 interleaved rounds,
    2026-12-06).  The planes are hashed in blocks of 8 per word into ``buf``
    (a (16,) uint64 scratch array): the 16 hashes of a block are independent,
    so the compiler vectorises them (8 lanes of 64-bit multiplies with
    AVX-512, fewer otherwise) and the CPU overlaps them, instead of one serial
    hash per plane with an unpredictable exit branch.  A word that is decided
    early only gets extra planes with ``eq = 0``, which change nothing.  One
    block decides both words with probability 0.6 (a word is settled after 8
    planes with probability (1 - 2^-8)^64 = 0.78), so a pair takes 1.4 blocks
    on average: about 11 planes per word against 7.35 for the serial loop, but
    at a fraction of the cost per plane.
    """
    base = uint64(w) * uint64(32)
    lt0 = uint64(0)
    eq0 = _ALL
    lt1 = uint64(0)
    eq1 = _ALL
    for blk in range(4):
        b0 = blk * 8
        for j in range(8):
            buf[j] = hash_parts(skey, counter_key(base + uint64(b0 + j)))
            buf[8 + j] = hash_parts(skey, counter_key(base + uint64(32 + b0 + j)))
        for j in range(8):
            lt0, eq0 = compare_plane(lt0, eq0, buf[j], thr, 31 - b0 - j)
            lt1, eq1 = compare_plane(lt1, eq1, buf[8 + j], thr, 31 - b0 - j)
        if compare_settled(eq0 | eq1, thr, 24 - b0):
            break
    return lt0, lt1


#: Streams per threaded work unit; results do not depend on it (streams are independent).
STREAM_BLOCK = 16


@njit(cache=True)
def _bernoulli_rows(s_lo, s_hi, thresholds, n_words, length, k0, k1, stream_offset, out):
    """Rows ``[s_lo, s_hi)`` of :func:`bernoulli_words`."""
    buf = np.empty(16, dtype=np.uint64)
    last = tail_mask(length)
    for s in range(s_lo, s_hi):
        skey = stream_key(k0, k1, uint64(stream_offset + s))
        thr = thresholds[s]
        w = 0
        # pairs only pay off when T needs more than 8 planes (T mod 2^24 != 0)
        if thr > uint64(0) and thr < _TWO32 and (thr & uint64(0xFFFFFF)) != uint64(0):
            while w + 1 < n_words - 1:
                lo, hi = bernoulli_word_pair(skey, w, thr, buf)
                out[s, w] = lo
                out[s, w + 1] = hi
                w += 2
        while w < n_words - 1:
            out[s, w] = bernoulli_word_keyed(skey, w, thr, _ALL)
            w += 1
        out[s, n_words - 1] = bernoulli_word_keyed(skey, n_words - 1, thr, last)


@njit(cache=True, parallel=True)
def bernoulli_words(thresholds, n_words, length, k0, k1, stream_offset):
    """(n,) uint64 thresholds in [0, 2^32] -> (n, n_words) uint64 streams.

    Stream ``s`` of the output uses stream index ``stream_offset + s``.  Full
    words go two at a time through :func:`bernoulli_word_pair`; the last
    (possibly partial) word, and a leftover odd word, through
    :func:`bernoulli_word_keyed`.  Blocks of :data:`STREAM_BLOCK` streams run
    on any thread (``prange``); every stream is a function of its own index
    only, so the bits do not depend on the thread count.
    """
    n = thresholds.shape[0]
    out = np.empty((n, n_words), dtype=np.uint64)
    n_blk = (n + STREAM_BLOCK - 1) // STREAM_BLOCK
    if n_blk > 1:
        for bk in prange(n_blk):
            _bernoulli_rows(bk * STREAM_BLOCK, min(bk * STREAM_BLOCK + STREAM_BLOCK, n), thresholds, n_words,
                            length, k0, k1, stream_offset, out)
    else:
        _bernoulli_rows(0, n, thresholds, n_words, length, k0, k1, stream_offset, out)
    return out


__all__ = [
    "bernoulli_word",
    "bernoulli_word_keyed",
    "bernoulli_word_pair",
    "bernoulli_words",
]
