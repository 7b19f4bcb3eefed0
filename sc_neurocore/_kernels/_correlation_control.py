"""Correlation-control kernels: synchronizer / desynchronizer FSMs, shuffle buffer,
SCC-controlled pair generation, XOR (private).

Pure functions on C-contiguous ``uint64`` packed streams of shape
``(n_streams, n_words)``; nothing is validated here (see
``sc_neurocore.bitstream._correlation_control``).

The pair FSMs have two equivalent kernels: per stream, four cycles at a time
through a table derived from the one-cycle rule :func:`pair_fsm_step` (state
``s`` stored as the index ``s - s_min``), and bit-sliced across 64 streams
(:func:`pair_fsm_sliced`, the same rule in boolean algebra on bit-planes) for
large batches.  Both are tested against each other and against ``hw_models``.
"""

from __future__ import annotations

import numpy as np
from numba import njit, uint64

from sc_neurocore._kernels._hash import hash3

SYNC, DESYNC = 0, 1


@njit(cache=True)
def xor_words(a, b):
    """Per cycle ``a XOR b``."""
    out = np.empty_like(a)
    for s in range(a.shape[0]):
        for w in range(a.shape[1]):
            out[s, w] = a[s, w] ^ b[s, w]
    return out


@njit(cache=True, inline="always")
def pair_fsm_step(kind, depth, s, x, y):
    """One cycle of the synchronizer (kind 0) or desynchronizer (kind 1): (xo, yo, s').

    Synchronizer (state ``s`` in [-depth, depth], ``s > 0``: x holds ``s``
    unsent ones, ``s < 0``: y holds ``-s``): equal inputs pass; an unpaired 1
    pairs with a held 1 of the other stream, else it is held (output 0 0),
    else (FSM full) it passes.  Desynchronizer (``s`` in [0, depth]: x holds
    ``s`` unsent ones): on 1 1 x's one is held (output 0 1) unless full; on
    0 0 a held one is sent (output 1 0); 1 0 and 0 1 pass.
    """
    if kind == SYNC:
        if x == y:
            return x, y, s
        if x == 1:
            if s < 0:
                return 1, 1, s + 1
            if s < depth:
                return 0, 0, s + 1
            return 1, 0, s
        if s > 0:
            return 1, 1, s - 1
        if s > -depth:
            return 0, 0, s - 1
        return 0, 1, s
    if x == 1 and y == 1:
        if s < depth:
            return 0, 1, s + 1
        return 1, 1, s
    if x == 0 and y == 0 and s > 0:
        return 1, 0, s - 1
    return x, y, s


@njit(cache=True)
def pair_fsm_tables(kind, depth):
    """(n_states, 4) one-cycle table and (n_states, 256) four-cycle table.

    One-cycle entry at ``[i, x | y << 1]``: ``xo | yo << 1 | i' << 2``.
    Four-cycle entry at ``[i, nx | ny << 4]`` (nibbles, LSB = first cycle):
    ``xo_nibble | yo_nibble << 4 | i' << 8``.
    """
    lo = -depth if kind == SYNC else 0
    n_states = depth - lo + 1
    one = np.zeros((n_states, 4), dtype=np.int64)
    for i in range(n_states):
        for v in range(4):
            xo, yo, s2 = pair_fsm_step(kind, depth, i + lo, v & 1, v >> 1)
            one[i, v] = xo | (yo << 1) | ((s2 - lo) << 2)
    four = np.zeros((n_states, 256), dtype=np.int64)
    for i in range(n_states):
        for v in range(256):
            st = i
            xo = 0
            yo = 0
            for c in range(4):
                e = one[st, ((v >> c) & 1) | (((v >> (4 + c)) & 1) << 1)]
                xo |= (e & 1) << c
                yo |= ((e >> 1) & 1) << c
                st = e >> 2
            four[i, v] = xo | (yo << 4) | (st << 8)
    return one, four


@njit(cache=True)
def pair_fsm_words(x, y, one, four, init, length):
    """Run the pair FSM on every stream pair; returns (xo, yo, final state index per stream).

    The stream loop is innermost: the state chains of different streams are
    independent, so their table look-ups overlap in the CPU pipeline.
    """
    n, nw = x.shape
    xo = np.zeros_like(x)
    yo = np.zeros_like(y)
    st = init.copy()
    full_words = length >> 6
    for w in range(full_words):
        for s in range(n):
            xw, yw = x[s, w], y[s, w]
            ox = uint64(0)
            oy = uint64(0)
            state = st[s]
            for q in range(16):
                sh = uint64(q << 2)
                e = four[state, ((xw >> sh) & uint64(15)) | (((yw >> sh) & uint64(15)) << uint64(4))]
                ox |= uint64(e & 15) << sh
                oy |= uint64((e >> 4) & 15) << sh
                state = e >> 8
            st[s] = state
            xo[s, w] = ox
            yo[s, w] = oy
    for s in range(n):  # the partial last word, cycle by cycle
        state = st[s]
        for t in range(full_words << 6, length):
            w = t >> 6
            sh = uint64(t & 63)
            e = one[state, ((x[s, w] >> sh) & uint64(1)) | (((y[s, w] >> sh) & uint64(1)) << uint64(1))]
            xo[s, w] |= uint64(e & 1) << sh
            yo[s, w] |= uint64((e >> 1) & 1) << sh
            state = e >> 2
        st[s] = state
    return xo, yo, st


_ALL = uint64(0xFFFFFFFFFFFFFFFF)


@njit(cache=True)
def transpose64(a):
    """In-place transpose of a 64 x 64 bit matrix held in ``a`` (64 uint64, LSB = column 0).

    Afterwards bit ``i`` of ``a[k]`` is the former bit ``k`` of ``a[i]`` (recursive block swap,
    Hacker's Delight 7-3, 6 rounds of 32 word pairs).
    """
    j = 32
    m = uint64(0x00000000FFFFFFFF)
    while j != 0:
        k = 0
        while k < 64:
            t = ((a[k] >> uint64(j)) ^ a[k + j]) & m
            a[k] ^= t << uint64(j)
            a[k + j] ^= t
            k = (k + j + 1) & ~j
        j >>= 1
        m ^= m << uint64(j)


@njit(cache=True)
def pair_fsm_sliced(kind, depth, x, y, length):
    """The pair FSM bit-sliced across streams: (xo, yo).

    Streams are taken 64 at a time; each 64 x 64 block (streams x cycles) is
    transposed so that one word holds one cycle of 64 streams, and the state
    is a set of bit-planes (a sign plane and ``bit_length(depth)`` magnitude
    planes, ``s = +-m``) updated with boolean algebra: the same rule as
    :func:`pair_fsm_step`, for 64 streams per operation.  Cycles past
    ``length`` (zero inputs) are masked off the output.
    """
    n, nw = x.shape
    kb = 0
    while (1 << kb) <= depth:
        kb += 1
    xo = np.zeros_like(x)
    yo = np.zeros_like(y)
    bufa = np.empty(64, dtype=np.uint64)
    bufb = np.empty(64, dtype=np.uint64)
    planes = np.zeros(kb, dtype=np.uint64)
    for g0 in range(0, n, 64):
        lanes = min(64, n - g0)
        planes[:] = 0
        neg = uint64(0)
        for w in range(nw):
            for i in range(64):
                if i < lanes:
                    bufa[i] = x[g0 + i, w]
                    bufb[i] = y[g0 + i, w]
                else:
                    bufa[i] = 0
                    bufb[i] = 0
            transpose64(bufa)
            transpose64(bufb)
            for c in range(64):
                a = bufa[c]
                b = bufb[c]
                full = _ALL  # lanes with m == depth
                nz = uint64(0)  # lanes with m != 0
                for i in range(kb):
                    full &= planes[i] if (depth >> i) & 1 else ~planes[i]
                    nz |= planes[i]
                if kind == SYNC:
                    pos = nz & ~neg
                    ng = nz & neg
                    up = a & ~b
                    dn = b & ~a
                    pair_up = up & ng  # x's one meets a held one of y
                    pair_dn = dn & pos
                    hold_up = up & ~ng & ~(pos & full)
                    hold_dn = dn & ~pos & ~(ng & full)
                    dec = pair_up | pair_dn
                    inc = hold_up | hold_dn
                    both = (a & b) | dec
                    oa = both | (up & ~dec & ~hold_up)
                    ob = both | (dn & ~dec & ~hold_dn)
                    neg = (neg & ~hold_up) | hold_dn
                else:
                    inc = a & b & ~full
                    dec = ~a & ~b & nz
                    oa = (a & ~inc) | dec
                    ob = b
                carry = inc  # m += 1 on inc lanes, m -= 1 on dec lanes (disjoint)
                borrow = dec
                for i in range(kb):
                    mi = planes[i]
                    planes[i] = mi ^ carry ^ borrow
                    carry = mi & carry
                    borrow = ~mi & borrow
                bufa[c] = oa
                bufb[c] = ob
            transpose64(bufa)
            transpose64(bufb)
            for i in range(lanes):
                xo[g0 + i, w] = bufa[i]
                yo[g0 + i, w] = bufb[i]
    r = length & 63
    if r:
        tail = (uint64(1) << uint64(r)) - uint64(1)
        for s in range(n):
            xo[s, nw - 1] &= tail
            yo[s, nw - 1] &= tail
    return xo, yo


@njit(cache=True, inline="always")
def shuffle_step(b, j, bit):
    """One cycle of the shuffle buffer ``b`` (slot j = bit j): (output bit, next buffer)."""
    return (b >> j) & uint64(1), (b & ~(uint64(1) << j)) | (bit << j)


@njit(cache=True)
def shuffle_words(x, index, init, length):
    """Shuffle buffer: per cycle output ``buf[index_t]`` then ``buf[index_t] = x_t``.

    ``x`` (S, n_words); ``index`` (S, length) uint8 slot numbers; ``init``
    (S,) uint64 initial buffer contents (slot ``j`` = bit ``j``).  Returns the
    output streams and the final buffers.
    """
    n, nw = x.shape
    out = np.zeros_like(x)
    buf = init.copy()
    for s in range(n):
        b = buf[s]
        for w in range(nw):
            xw = x[s, w]
            ow = uint64(0)
            for k in range(min(64, length - (w << 6))):
                o, b = shuffle_step(b, uint64(index[s, (w << 6) + k]), (xw >> uint64(k)) & uint64(1))
                ow |= o << uint64(k)
            out[s, w] = ow
        buf[s] = b
    return out, buf


@njit(cache=True, inline="always")
def slot_plane(k0, k1, s, b, w):
    """Bit ``b`` of the slot numbers of stream ``s`` in cycles ``64 w .. 64 w + 63`` (bit t % 64)."""
    return hash3(k0, k1, s * 8 + b, w)


@njit(cache=True)
def shuffle_hashed_words(x, k0, k1, m, length):
    """Shuffle buffer of ``2^m`` slots, empty at start, slot numbers from the counter hash.

    The slot of stream ``s`` in cycle ``t`` has bit ``b`` = bit ``t % 64`` of
    :func:`slot_plane` ``(s, b, t // 64)``.  One stream at a time.
    """
    n, nw = x.shape
    out = np.zeros_like(x)
    planes = np.empty(m, dtype=np.uint64)
    for s in range(n):
        b = uint64(0)
        for w in range(nw):
            for i in range(m):
                planes[i] = slot_plane(k0, k1, s, i, w)
            xw = x[s, w]
            ow = uint64(0)
            for k in range(min(64, length - (w << 6))):
                j = uint64(0)
                for i in range(m):
                    j |= ((planes[i] >> uint64(k)) & uint64(1)) << uint64(i)
                o, b = shuffle_step(b, j, (xw >> uint64(k)) & uint64(1))
                ow |= o << uint64(k)
            out[s, w] = ow
    return out


@njit(cache=True)
def shuffle_sliced(x, k0, k1, m, length):
    """:func:`shuffle_hashed_words` bit-sliced across 64 streams (same output).

    Per block of 64 streams x 64 cycles the input and the ``m`` slot planes
    are transposed so that one word holds one cycle of 64 streams; the buffer
    is ``2^m`` slot words.  Each cycle decodes the slot planes into one-hot
    masks, reads the selected slot and writes the input into it.
    """
    n, nw = x.shape
    k_slots = 1 << m
    out = np.zeros_like(x)
    bufx = np.empty(64, dtype=np.uint64)
    bufo = np.empty(64, dtype=np.uint64)
    idx = np.empty((m, 64), dtype=np.uint64)
    slots = np.zeros(k_slots, dtype=np.uint64)
    sel = np.empty(k_slots, dtype=np.uint64)
    for g0 in range(0, n, 64):
        lanes = min(64, n - g0)
        slots[:] = 0
        for w in range(nw):
            for i in range(64):
                bufx[i] = x[g0 + i, w] if i < lanes else uint64(0)
                for b in range(m):
                    idx[b, i] = slot_plane(k0, k1, g0 + i, b, w) if i < lanes else uint64(0)
            transpose64(bufx)
            for b in range(m):
                transpose64(idx[b])
            nk = min(64, length - (w << 6))
            for c in range(64):
                if c >= nk:
                    bufo[c] = 0
                    continue
                sel[0] = _ALL  # one-hot decode of the slot number, one plane at a time
                half = 1
                for b in range(m):
                    p = idx[b, c]
                    for j in range(half):
                        sel[j + half] = sel[j] & p
                        sel[j] &= ~p
                    half <<= 1
                xc = bufx[c]
                o = uint64(0)
                for j in range(k_slots):
                    o |= slots[j] & sel[j]
                    slots[j] = (slots[j] & ~sel[j]) | (xc & sel[j])
                bufo[c] = o
            transpose64(bufo)
            for i in range(lanes):
                out[g0 + i, w] = bufo[i]
    return out


@njit(cache=True, inline="always")
def scc_pair_bits(r0, r1, r2, p, q, c, flip):
    """One cycle of the SCC-controlled pair: (x, y) as uint64 0/1 (branch-free select)."""
    pick = np.int64(r2 < c)
    partner = r1 + ((r0 ^ flip) - r1) * pick  # 2^w - 1 - r0 == r0 XOR (2^w - 1)
    return uint64(r0 < p), uint64(partner < q)


@njit(cache=True)
def scc_pair_words(r, thresholds, width, length):
    """Stream pair with controlled correlation from three random-number sequences.

    ``r`` (S, 3, length) uint32 in [0, 2^width); ``thresholds`` (S, 4) int64 rows
    ``(P, Q, C, negative)``.  Per cycle: ``x = r0 < P``; the correlated partner
    ``yc = r0 < Q`` (or ``(2^width - 1 - r0) < Q`` when negative); the
    independent partner ``yi = r1 < Q``; ``y = yc if r2 < C else yi``.
    """
    n = r.shape[0]
    nw = (length + 63) >> 6
    xs = np.zeros((n, nw), dtype=np.uint64)
    ys = np.zeros((n, nw), dtype=np.uint64)
    top = (np.int64(1) << width) - 1
    for s in range(n):
        p, q, c = thresholds[s, 0], thresholds[s, 1], thresholds[s, 2]
        flip = top if thresholds[s, 3] else np.int64(0)
        for w in range(nw):
            wx = uint64(0)
            wy = uint64(0)
            for k in range(min(64, length - (w << 6))):
                t = (w << 6) + k
                bx, by = scc_pair_bits(np.int64(r[s, 0, t]), np.int64(r[s, 1, t]), np.int64(r[s, 2, t]),
                                       p, q, c, flip)
                wx |= bx << uint64(k)
                wy |= by << uint64(k)
            xs[s, w] = wx
            ys[s, w] = wy
    return xs, ys


@njit(cache=True)
def scc_pair_hashed_words(k0, k1, thresholds, width, length):
    """As :func:`scc_pair_words` with the random numbers from the counter hash.

    Pair ``s``, cycle ``t``: ``h1 = hash3(k0, k1, s, 2t)``, ``h2 = hash3(k0, k1, s, 2t + 1)``;
    ``r0`` = low ``width`` bits of ``h1``, ``r1`` = bits 32.. of ``h1``, ``r2`` = low bits of ``h2``.
    """
    n = thresholds.shape[0]
    nw = (length + 63) >> 6
    xs = np.zeros((n, nw), dtype=np.uint64)
    ys = np.zeros((n, nw), dtype=np.uint64)
    top = (np.int64(1) << width) - 1
    lo = uint64(top)
    for s in range(n):
        p, q, c = thresholds[s, 0], thresholds[s, 1], thresholds[s, 2]
        flip = top if thresholds[s, 3] else np.int64(0)
        for w in range(nw):
            wx = uint64(0)
            wy = uint64(0)
            for k in range(min(64, length - (w << 6))):
                t = uint64((w << 6) + k)
                h1 = hash3(k0, k1, s, t << uint64(1))
                h2 = hash3(k0, k1, s, (t << uint64(1)) | uint64(1))
                bx, by = scc_pair_bits(np.int64(h1 & lo), np.int64((h1 >> uint64(32)) & lo),
                                       np.int64(h2 & lo), p, q, c, flip)
                wx |= bx << uint64(k)
                wy |= by << uint64(k)
            xs[s, w] = wx
            ys[s, w] = wy
    return xs, ys
