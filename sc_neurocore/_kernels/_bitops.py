"""Word-parallel kernels on packed bitstreams (private).

Every function takes C-contiguous 2-D ``uint64`` arrays of shape
``(n_streams, n_words)`` (bit ``t`` of a stream in word ``t // 64`` at bit
``t % 64``, LSB first) and validates nothing; see ``sc_neurocore.bitstream``
for the checked public wrappers.
"""

from __future__ import annotations

import numpy as np
from numba import njit, uint64

from sc_neurocore._kernels._hash import counter_key, hash_parts, mulhi32, stream_key

_ALL = uint64(0xFFFFFFFFFFFFFFFF)
_K1 = uint64(0x5555555555555555)
_K2 = uint64(0x3333333333333333)
_K4 = uint64(0x0F0F0F0F0F0F0F0F)
_H01 = uint64(0x0101010101010101)


@njit(cache=True, inline="always")
def popcount64(x):
    """Number of set bits of a uint64 (SWAR; LLVM lowers this idiom to ``popcnt``)."""
    x = uint64(x)
    x = x - ((x >> uint64(1)) & _K1)
    x = (x & _K2) + ((x >> uint64(2)) & _K2)
    x = (x + (x >> uint64(4))) & _K4
    return (x * _H01) >> uint64(56)


@njit(cache=True, inline="always")
def gf2_matvec(cols, v):
    """``M v`` over GF(2): XOR of the columns ``cols[j]`` for the set bits ``j`` of ``v`` (uint64).

    Also the Sobol point of Gray index ``g``: the XOR of the direction numbers selected by its bits.
    """
    out = uint64(0)
    j = 0
    while v != uint64(0):
        if v & uint64(1):
            out ^= cols[j]
        v >>= uint64(1)
        j += 1
    return out


@njit(cache=True, inline="always")
def tail_mask(length):
    """Mask of the valid bits of the last word of a ``length``-bit stream."""
    r = length % 64
    if r == 0:
        return _ALL
    return (uint64(1) << uint64(r)) - uint64(1)


@njit(cache=True)
def pack_bits(bits, n_words):
    """(n, L) uint8 0/1 -> (n, n_words) uint64."""
    n, length = bits.shape
    out = np.zeros((n, n_words), dtype=np.uint64)
    for s in range(n):
        for t in range(length):
            if bits[s, t]:
                out[s, t >> 6] |= uint64(1) << uint64(t & 63)
    return out


@njit(cache=True)
def unpack_words(words, length):
    """(n, n_words) uint64 -> (n, length) uint8 0/1."""
    n = words.shape[0]
    out = np.empty((n, length), dtype=np.uint8)
    for s in range(n):
        for t in range(length):
            out[s, t] = np.uint8((words[s, t >> 6] >> uint64(t & 63)) & uint64(1))
    return out


@njit(cache=True)
def and_words(a, b):
    out = np.empty_like(a)
    for s in range(a.shape[0]):
        for w in range(a.shape[1]):
            out[s, w] = a[s, w] & b[s, w]
    return out


@njit(cache=True)
def or_words(a, b):
    out = np.empty_like(a)
    for s in range(a.shape[0]):
        for w in range(a.shape[1]):
            out[s, w] = a[s, w] | b[s, w]
    return out


@njit(cache=True)
def xnor_words(a, b, length):
    """NOT(a XOR b), padding bits cleared."""
    out = np.empty_like(a)
    nw = a.shape[1]
    last = tail_mask(length)
    for s in range(a.shape[0]):
        for w in range(nw):
            out[s, w] = ~(a[s, w] ^ b[s, w])
        out[s, nw - 1] &= last
    return out


@njit(cache=True)
def not_words(a, length):
    """NOT a, padding bits cleared."""
    out = np.empty_like(a)
    nw = a.shape[1]
    last = tail_mask(length)
    for s in range(a.shape[0]):
        for w in range(nw):
            out[s, w] = ~a[s, w]
        out[s, nw - 1] &= last
    return out


@njit(cache=True)
def mux_words(a, b, sel):
    """Per cycle ``sel ? b : a``."""
    out = np.empty_like(a)
    for s in range(a.shape[0]):
        for w in range(a.shape[1]):
            out[s, w] = (a[s, w] & ~sel[s, w]) | (b[s, w] & sel[s, w])
    return out


@njit(cache=True)
def or_reduce_words(x):
    """(k, n, n_words) -> (n, n_words): OR over axis 0."""
    out = x[0].copy()
    for i in range(1, x.shape[0]):
        for s in range(x.shape[1]):
            for w in range(x.shape[2]):
                out[s, w] |= x[i, s, w]
    return out


@njit(cache=True)
def and_reduce_words(x):
    """(k, n, n_words) -> (n, n_words): AND over axis 0."""
    out = x[0].copy()
    for i in range(1, x.shape[0]):
        for s in range(x.shape[1]):
            for w in range(x.shape[2]):
                out[s, w] &= x[i, s, w]
    return out


@njit(cache=True)
def popcount_rows(words):
    """(n, n_words) -> (n,) int64 number of ones per stream."""
    n = words.shape[0]
    out = np.zeros(n, dtype=np.int64)
    for s in range(n):
        c = uint64(0)
        for w in range(words.shape[1]):
            c += popcount64(words[s, w])
        out[s] = np.int64(c)
    return out


@njit(cache=True)
def and_popcount_rows(a, b):
    """(n, n_words) x2 -> (n,) int64 popcount of ``a & b`` (fused, no temporary)."""
    n = a.shape[0]
    out = np.zeros(n, dtype=np.int64)
    for s in range(n):
        c = uint64(0)
        for w in range(a.shape[1]):
            c += popcount64(a[s, w] & b[s, w])
        out[s] = np.int64(c)
    return out


@njit(cache=True)
def joint_counts(a, b):
    """(n, n_words) x2 -> (n, 3) int64: ones of a, ones of b, ones of a & b."""
    n = a.shape[0]
    out = np.zeros((n, 3), dtype=np.int64)
    for s in range(n):
        ca = uint64(0)
        cb = uint64(0)
        cab = uint64(0)
        for w in range(a.shape[1]):
            x = a[s, w]
            y = b[s, w]
            ca += popcount64(x)
            cb += popcount64(y)
            cab += popcount64(x & y)
        out[s, 0] = np.int64(ca)
        out[s, 1] = np.int64(cb)
        out[s, 2] = np.int64(cab)
    return out


@njit(cache=True)
def bits_at_words(words, t):
    """(n, n_words) -> (n,) uint8: bit of cycle ``t`` of every stream."""
    n = words.shape[0]
    out = np.empty(n, dtype=np.uint8)
    w = t >> 6
    sh = uint64(t & 63)
    for s in range(n):
        out[s] = np.uint8((words[s, w] >> sh) & uint64(1))
    return out


@njit(cache=True)
def parallel_count_words(words, length):
    """(n_streams, n_words) -> (length,) int32: per cycle, the number of streams at 1.

    Word-parallel: a bit-sliced (vertical) counter adds one stream word to 64
    lane counters at once with a ripple of half adders over the count's bit
    planes; only the final per-lane counts are read out bit by bit.
    """
    n, nw = words.shape
    n_planes = 1
    while (1 << n_planes) <= n:
        n_planes += 1
    planes = np.zeros(n_planes, dtype=np.uint64)
    out = np.zeros(length, dtype=np.int32)
    for w in range(nw):
        for j in range(n_planes):
            planes[j] = uint64(0)
        for s in range(n):
            carry = words[s, w]
            j = 0
            while carry != uint64(0):
                c = planes[j]
                planes[j] = c ^ carry
                carry = c & carry
                j += 1
        base = w * 64
        stop = min(64, length - base)
        for lane in range(stop):
            v = 0
            for j in range(n_planes):
                v |= int((planes[j] >> uint64(lane)) & uint64(1)) << j
            out[base + lane] = v
    return out


@njit(cache=True)
def mux_add_words(x, length, k0, k1):
    """(k, n, n_words) -> (n, n_words): per cycle copy the bit of one input chosen uniformly.

    The selected input of output stream ``s`` at cycle ``t`` is
    ``floor(hash3(k0, k1, s, t) * k / 2^64)``.
    """
    k, n, nw = x.shape
    kk = uint64(k)
    out = np.zeros((n, nw), dtype=np.uint64)
    for s in range(n):
        skey = stream_key(k0, k1, s)  # the per-stream half of hash3, hoisted
        for w in range(nw):
            acc = uint64(0)
            stop = min(64, length - w * 64)
            for lane in range(stop):
                i = mulhi32(hash_parts(skey, counter_key(w * 64 + lane)), kk)
                acc |= x[i, s, w] & (uint64(1) << uint64(lane))
            out[s, w] = acc
    return out


@njit(cache=True)
def prefix_popcount(words, ends):
    """(m,) int64 prefix lengths -> (n, m) int64: ones among the first ``ends[k]`` bits."""
    n, nw = words.shape
    m = ends.shape[0]
    out = np.zeros((n, m), dtype=np.int64)
    cum = np.zeros(nw + 1, dtype=np.int64)
    for s in range(n):
        for w in range(nw):
            cum[w + 1] = cum[w] + np.int64(popcount64(words[s, w]))
        for k in range(m):
            e = ends[k]
            full = e >> 6
            c = cum[full]
            r = e & 63
            if r:
                c += np.int64(popcount64(words[s, full] & ((uint64(1) << uint64(r)) - uint64(1))))
            out[s, k] = c
    return out


__all__ = [
    "and_popcount_rows",
    "and_reduce_words",
    "and_words",
    "bits_at_words",
    "gf2_matvec",
    "joint_counts",
    "mux_add_words",
    "mux_words",
    "not_words",
    "or_reduce_words",
    "or_words",
    "pack_bits",
    "parallel_count_words",
    "popcount64",
    "popcount_rows",
    "prefix_popcount",
    "tail_mask",
    "unpack_words",
    "xnor_words",
]
