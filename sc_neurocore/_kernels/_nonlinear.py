"""Nonlinear and sequential SC units on packed streams (private).

Sequential units (finite-state machines with one or two 1-bit inputs) are
*bit-sliced across streams*: 64 streams are transposed (a 64 x 64 bit-matrix
transpose per word) so that one ``uint64`` holds one clock cycle of 64
streams; the FSM state is a set of bit-planes (plane ``j`` = bit ``j`` of the
64 states) updated with Boolean algebra (a saturating ripple up/down counter
for the K-state units), and the output planes are transposed back.  Stream
counts that are not a multiple of 64 are padded with idle streams.

The kernels are pure functions of C-contiguous arrays and validate nothing
(see ``sc_neurocore.bitstream`` for the checked wrappers).  Bit ``t`` of a
stream is bit ``t % 64`` of word ``t // 64`` (LSB first); the padding bits of
the last output word are cleared.
"""

from __future__ import annotations

import numpy as np
from numba import njit, uint64

from sc_neurocore._kernels._bitops import tail_mask

__all__ = [
    "ABS",
    "CORDIV",
    "JK",
    "SEXP",
    "SQRT",
    "STANH",
    "apc_btanh_words",
    "bernstein_words",
    "fsm_words",
    "transpose64",
]

#: FSM kinds of :func:`fsm_words`.
STANH, SEXP, ABS, SQRT, CORDIV, JK = 0, 1, 2, 3, 4, 5

_ALL = uint64(0xFFFFFFFFFFFFFFFF)


@njit(cache=True, inline="always")
def transpose64(m):
    """In-place 64 x 64 bit-matrix transpose of ``m`` (uint64[64]): bit c of m[r] <-> bit r of m[c]."""
    j = 32
    mask = uint64(0x00000000FFFFFFFF)
    while j != 0:
        k = 0
        while k < 64:
            t = ((m[k] >> uint64(j)) ^ m[k + j]) & mask
            m[k + j] ^= t
            m[k] ^= t << uint64(j)
            k = (k + j + 1) & ~j
        j >>= 1
        mask ^= mask << uint64(j)


@njit(cache=True, inline="always")
def _ge_const(planes, nbits, c):
    """Plane of the 64 lanes whose state (bit-planes ``planes[:nbits]``) is >= the constant ``c``."""
    gt = uint64(0)
    eq = _ALL
    for j in range(nbits - 1, -1, -1):
        p = planes[j]
        if (c >> j) & 1:
            eq &= p
        else:
            gt |= eq & p
            eq &= ~p
    return gt | eq


@njit(cache=True)
def fsm_words(a, b, kind, n_states, thr, init, length):
    """Run FSM ``kind`` over packed streams ``a`` (and ``b``), uint64 ``(n, W)`` -> ``(n, W)``.

    One cycle of each kind (``s`` = state, output ``y`` from the state before the edge):

    * ``STANH`` (Brown & Card 2001): ``s`` in [0, K-1] (K = ``n_states``),
      ``s + 1`` on ``a = 1`` and ``s - 1`` on ``a = 0``, saturating;
      ``y = s >= thr`` (``thr = K/2``).
    * ``SEXP`` (Brown & Card 2001): same counter; ``y = s < thr`` (``thr = K - G``).
    * ``ABS``: same counter; ``y = a`` if ``s >= thr`` else ``NOT a``.
    * ``SQRT``: flag ``q``; ``y = q | a``, ``q <- ~q & a``.
    * ``CORDIV`` (Chen & Hayes 2016): ``y = a if b else q``, ``q <- y``.
    * ``JK``: ``y = q``, ``q <- (a & ~q) | (~b & q)`` (J = a, K = b).

    ``init`` is the reset state (``b`` is ignored by the one-input kinds).
    """
    n, nw = a.shape
    nbits = 1
    while (1 << nbits) < n_states:
        nbits += 1
    top = n_states - 1
    n_groups = (n + 63) // 64
    out = np.zeros((n, nw), dtype=np.uint64)
    planes = np.zeros(nbits, dtype=np.uint64)
    ta = np.zeros(64, dtype=np.uint64)
    tb = np.zeros(64, dtype=np.uint64)
    ty = np.zeros(64, dtype=np.uint64)
    for g in range(n_groups):
        base = 64 * g
        rows = min(64, n - base)
        for j in range(nbits):
            planes[j] = _ALL if (init >> j) & 1 else uint64(0)
        for w in range(nw):
            for r in range(64):
                ta[r] = a[base + r, w] if r < rows else uint64(0)
                tb[r] = b[base + r, w] if r < rows else uint64(0)
            transpose64(ta)  # ta[t] = cycle t of the 64 streams
            if kind >= CORDIV:
                transpose64(tb)
            for t in range(64):
                x = ta[t]
                if kind <= ABS:
                    if kind == STANH:
                        y = _ge_const(planes, nbits, thr)
                    elif kind == SEXP:
                        y = ~_ge_const(planes, nbits, thr)
                    else:
                        y = ~(_ge_const(planes, nbits, thr) ^ x)
                    at_top = _ALL
                    at_bottom = _ALL
                    for j in range(nbits):
                        p = planes[j]
                        at_top &= p if (top >> j) & 1 else ~p
                        at_bottom &= ~p
                    carry = x & ~at_top  # lanes that count up
                    borrow = ~x & ~at_bottom  # lanes that count down
                    for j in range(nbits):
                        p = planes[j]
                        planes[j] = p ^ carry ^ borrow
                        carry &= p
                        borrow &= ~p
                else:
                    q = planes[0]
                    if kind == SQRT:
                        y = q | x
                        planes[0] = ~q & x
                    elif kind == CORDIV:
                        y = (tb[t] & x) | (~tb[t] & q)
                        planes[0] = y
                    else:
                        y = q
                        planes[0] = (x & ~q) | (~tb[t] & q)
                ty[t] = y
            transpose64(ty)
            for r in range(rows):
                out[base + r, w] = ty[r]
        for r in range(rows):
            out[base + r, nw - 1] &= tail_mask(length)
    return out


@njit(cache=True, inline="always")
def cycle_fsm(cnt, planes, u, ty, sb, cb, uw, half, top, m):
    """64 cycles of the bit-sliced Btanh counter: ``cnt[b, t]`` = count bit-plane ``b`` of cycle ``t``."""
    for t in range(64):
        ty[t] = _ge_const(planes, sb, half)
        carry = uint64(0)
        for k in range(uw):  # u = s + 2c
            sa = planes[k] if k < sb else uint64(0)
            ca = cnt[k - 1, t] if 1 <= k <= cb else uint64(0)
            u[k] = sa ^ ca ^ carry
            carry = (sa & ca) | (carry & (sa ^ ca))
        low = ~_ge_const(u, uw, m)  # s + 2c - M < 0
        high = _ge_const(u, uw, top + m + 1)  # s + 2c - M > K - 1
        keep = ~(low | high)
        borrow = uint64(0)
        for k in range(sb):  # s = (u - M) mod 2^sb where in range
            mk = _ALL if (m >> k) & 1 else uint64(0)
            d = u[k] ^ mk ^ borrow
            borrow = (~u[k] & (mk | borrow)) | (mk & borrow)
            planes[k] = (d & keep) | (high if (top >> k) & 1 else uint64(0))


@njit(cache=True)
def apc_btanh_words(x, n_states, length):
    """APC + Btanh (Kim et al. 2016; SC-DCNN): ``x`` uint64 ``(n, M, W)`` -> ``(n, W)``.

    Each cycle the parallel counter gives ``c`` ones among the ``M`` inputs;
    the saturating counter ``s`` in ``[0, K-1]`` (start ``K/2``) moves by
    ``2c - M``; the output bit is ``s >= K/2``.

    Bit-sliced twice: per stream the M input words are summed into count
    bit-planes whose lanes are the 64 cycles of the word (a ripple-carry
    adder, vectorised along the words), those planes are transposed so that
    lanes become 64 streams, and the counter update ``clip(s + 2c - M, 0, K-1)``
    runs on state bit-planes.
    """
    n, m, nw = x.shape
    sb = 1
    while (1 << sb) < n_states:
        sb += 1
    cb = 1
    while (1 << cb) <= m:
        cb += 1
    uw = 1
    while (1 << uw) <= n_states - 1 + 2 * m:
        uw += 1
    half = n_states // 2
    top = n_states - 1
    out = np.zeros((n, nw), dtype=np.uint64)
    planes = np.zeros(sb, dtype=np.uint64)
    wblk = 64  # words per block
    cnt = np.zeros((64, cb, wblk), dtype=np.uint64)
    cin = np.zeros(wblk, dtype=np.uint64)
    tcnt = np.zeros((cb, 64), dtype=np.uint64)
    u_planes = np.zeros(uw, dtype=np.uint64)
    ty = np.zeros(64, dtype=np.uint64)
    for g in range((n + 63) // 64):
        base = 64 * g
        rows = min(64, n - base)
        for j in range(sb):
            planes[j] = _ALL if (half >> j) & 1 else uint64(0)
        for w0 in range(0, nw, wblk):
            nb = min(wblk, nw - w0)
            for r in range(rows):  # count along the words of one stream: contiguous, vectorised
                for b in range(cb):
                    for u in range(nb):
                        cnt[r, b, u] = uint64(0)
                for j in range(m):
                    for u in range(nb):
                        cin[u] = x[base + r, j, w0 + u]
                    for b in range(cb):
                        for u in range(nb):
                            t = cnt[r, b, u] & cin[u]
                            cnt[r, b, u] ^= cin[u]
                            cin[u] = t
            for u in range(nb):
                for b in range(cb):
                    for r in range(64):
                        tcnt[b, r] = cnt[r, b, u] if r < rows else uint64(0)
                    transpose64(tcnt[b])  # tcnt[b, t] = bit b of the counts of cycle t, lanes = streams
                cycle_fsm(tcnt, planes, u_planes, ty, sb, cb, uw, half, top, m)
                transpose64(ty)
                for r in range(rows):
                    out[base + r, w0 + u] = ty[r]
        for r in range(rows):
            out[base + r, nw - 1] &= tail_mask(length)
    return out


@njit(cache=True)
def bernstein_words(x, z, length):
    """ReSC (Qian & Riedel): ``x`` uint64 ``(n, N, W)``, ``z`` ``(n, N+1, W)`` -> ``(n, W)``.

    Bit ``t`` of the output is bit ``t`` of ``z[k]`` where ``k`` is the number
    of ones among the ``N`` bits ``x[:, t]``.  Word-parallel: ``e[k]`` is the
    mask of positions whose count so far is ``k`` (updated input by input),
    over blocks of 64 words so that the inner loops vectorise.
    """
    n, deg, nw = x.shape
    blk = 64
    out = np.zeros((n, nw), dtype=np.uint64)
    e = np.zeros((deg + 1, blk), dtype=np.uint64)
    for i in range(n):
        for w0 in range(0, nw, blk):
            m = min(blk, nw - w0)
            for u in range(m):
                e[0, u] = _ALL
            for k in range(1, deg + 1):
                for u in range(m):
                    e[k, u] = uint64(0)
            for j in range(deg):
                for k in range(j + 1, 0, -1):
                    for u in range(m):
                        v = x[i, j, w0 + u]
                        e[k, u] = (e[k, u] & ~v) | (e[k - 1, u] & v)
                for u in range(m):
                    e[0, u] &= ~x[i, j, w0 + u]
            for u in range(m):
                acc = uint64(0)
                for k in range(deg + 1):
                    acc |= e[k, u] & z[i, k, w0 + u]
                out[i, w0 + u] = acc
        out[i, nw - 1] &= tail_mask(length)
    return out
