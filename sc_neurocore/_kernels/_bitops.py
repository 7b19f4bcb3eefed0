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


#: Rows shorter than this many bits (and not whole bytes) are padded to whole bytes and packed as
#: one flat array: ``np.packbits`` along an axis costs ~25 ns per row on top of the bytes
#: (2^20 rows of 1 bit: 27 ms by row, 5 ms padded and flat; at 257 bits by row is faster).
_SHORT_ROW = 256


def pack_bits(bits, n_words):
    """(n, L) C-contiguous 0/1 (uint8 or bool) -> (n, n_words) uint64, ``n_words >= ceil(L / 64)``.

    Not a numba kernel: ``np.packbits`` (SIMD, ~100x faster than a bit-by-bit
    loop) packs 8 cycles per byte, LSB first; the bytes of a row are then the
    little-endian bytes of its words.  Zero bytes pad each row to whole words,
    so the padding bits stay 0.  Rows of a whole number of bytes are packed as
    one flat array; short rows are first padded with zero bits to whole bytes.
    """
    n, length = bits.shape
    n_bytes = -(-length // 8)
    if length % 8 == 0:
        packed = np.packbits(bits.reshape(-1), bitorder="little").reshape(n, n_bytes)
    elif length < _SHORT_ROW:
        padded = np.zeros((n, 8 * n_bytes), dtype=np.uint8)
        padded[:, :length] = bits
        packed = np.packbits(padded.reshape(-1), bitorder="little").reshape(n, n_bytes)
    else:
        packed = np.packbits(bits, axis=1, bitorder="little")
    if n_bytes == 8 * n_words:
        out = packed.view("<u8")
    else:
        out = np.zeros((n, n_words), dtype="<u8")
        out.view(np.uint8)[:, :n_bytes] = packed
    return out.astype(np.uint64, copy=False)  # no copy on little-endian machines


def unpack_words(words, length):
    """(n, n_words) uint64 -> (n, length) uint8 0/1, ``length <= 64 n_words`` (inverse of pack_bits).

    Rows of whole bytes are unpacked as one flat array (``np.unpackbits`` along
    an axis costs ~10 ns per row); others along the axis with ``count``, which
    measured faster than unpacking flat and copying out a slice.
    """
    n = words.shape[0]
    as_bytes = np.ascontiguousarray(words, dtype="<u8").view(np.uint8)
    if length % 8:
        return np.unpackbits(as_bytes, axis=1, count=length, bitorder="little")
    n_bytes = length // 8
    if n_bytes != as_bytes.shape[1]:
        as_bytes = np.ascontiguousarray(as_bytes[:, :n_bytes])
    return np.unpackbits(as_bytes.reshape(-1), bitorder="little").reshape(n, length)


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
