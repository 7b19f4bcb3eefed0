"""Fibonacci LFSR kernels, shift-left form (private).

Conventions §3: ``fb = parity(state & tap_mask)``,
``state' = ((state << 1) | fb) & (2^n - 1)``; with zero-state insertion
``fb ^= [state & (2^(n-1) - 1) == 0]`` (period 2^n through every value).
Output bit of cycle ``t`` is ``state_t < X``.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange, uint64

from sc_neurocore._kernels._bitops import popcount64, tail_mask
from sc_neurocore._kernels._hash import compare_plane, compare_settled

_ALL = uint64(0xFFFFFFFFFFFFFFFF)


@njit(cache=True, inline="always")
def register_masks(width):
    """``(mask, low_mask)`` of a ``width``-bit register: all its bits, and its low ``width - 1`` bits."""
    return (uint64(1) << uint64(width)) - uint64(1), (uint64(1) << uint64(width - 1)) - uint64(1)


@njit(cache=True, inline="always")
def lfsr_step(state, mask, tmask, low_mask, zero_state):
    """One clock of the register (all arguments uint64)."""
    fb = popcount64(state & tmask) & uint64(1)
    if zero_state and (state & low_mask) == uint64(0):
        fb ^= uint64(1)
    return ((state << uint64(1)) | fb) & mask


@njit(cache=True)
def _lfsr_words_serial(thresholds, seeds, width, tmask, zero_state, n_words, length):
    """Clock the register once per bit (any taps, with or without zero-state insertion)."""
    n = thresholds.shape[0]
    mask, low_mask = register_masks(width)
    tm = uint64(tmask)
    out = np.zeros((n, n_words), dtype=np.uint64)
    for s in range(n):
        state = uint64(seeds[s])
        x = thresholds[s]
        for w in range(n_words):
            acc = uint64(0)
            stop = min(64, length - w * 64)
            for lane in range(stop):
                acc |= uint64(state < x) << uint64(lane)  # branch-free: the compare is unpredictable
                state = lfsr_step(state, mask, tm, low_mask, zero_state)
            out[s, w] = acc
    return out


@njit(cache=True)
def _feedback_words(seed, width, tmask, nb, buf):
    """Fill ``buf[:nb]`` with the register's bit sequence ``b``, 64 bits per word (LSB first).

    ``b_k = a_{k - n + 1}`` where ``a_m`` is the bit shifted into the register on
    clock ``m`` (``a_0 .. a_{-n+1}`` are the seed bits, ``a_{-i}`` = seed bit ``i``),
    so ``state_t`` bit ``i`` is ``b_{t + n - 1 - i}``.  The sequence obeys
    ``a_m = XOR_{tap t} a_{m-t}``; over GF(2) the characteristic polynomial
    satisfies ``c(x)^64 = c(x^64)``, so also ``a_m = XOR_t a_{m - 64 t}``: a
    shift by ``64 t`` bits is exactly ``t`` words, and every word from index
    ``n`` on is the XOR of ``len(taps)`` earlier words.  The first ``n`` words
    come from clocking the register.
    """
    mask = (uint64(1) << uint64(width)) - uint64(1)
    tm = uint64(tmask)
    for j in range(nb):
        buf[j] = uint64(0)
    # b_0 .. b_{n-1}: the seed, MSB first
    for k in range(width):
        bit = (uint64(seed) >> uint64(width - 1 - k)) & uint64(1)
        buf[k >> 6] |= bit << uint64(k & 63)
    head = min(nb, width) * 64
    state = uint64(seed)
    for k in range(width, head):
        fb = popcount64(state & tm) & uint64(1)
        state = ((state << uint64(1)) | fb) & mask
        buf[k >> 6] |= fb << uint64(k & 63)
    for j in range(width, nb):
        acc = uint64(0)
        for t in range(1, width + 1):
            if (tm >> uint64(t - 1)) & uint64(1):
                acc ^= buf[j - t]
        buf[j] = acc


@njit(cache=True, inline="always")
def _window(buf, start):
    """64 bits of the packed sequence ``buf`` starting at bit ``start`` (LSB = bit ``start``)."""
    w = start >> 6
    r = start & 63
    if r == 0:
        return buf[w]
    return (buf[w] >> uint64(r)) | (buf[w + 1] << uint64(64 - r))


@njit(cache=True)
def _de_bruijn_words(seed, width, tmask, nb, buf, tmp):
    """Bit sequence of the register *with* zero-state insertion into ``buf[:nb]``.

    With insertion the register is still a shift register, so ``state_t`` bit
    ``i`` is bit ``t + n - 1 - i`` of its sequence ``e``.  The only change from
    the linear sequence ``b`` (:func:`_feedback_words`, written to ``tmp``,
    which needs ``nb + 2`` words) is at the state ``10...0``: its feedback is
    flipped to 0 (state 0 follows), and then state 0's to 1 (state ``0...01``
    follows, where ``b`` goes directly).  So ``e`` is ``b`` with one extra 0
    inserted before bit ``t + n`` of ``b`` for every ``t`` with
    ``b_t = 1, b_{t+1} = ... = b_{t+n-1} = 0``; such ``t`` repeat every
    ``2^n - 1`` bits of ``b``, i.e. the insertions are ``2^n`` bits apart in ``e``.
    """
    nt = tmp.shape[0]
    _feedback_words(seed, width, tmask, nt, tmp)
    limit = 64 * nb
    # first t with state 10...0: b_t = 1 followed by n - 1 zeros (word-parallel search)
    q = limit + 1  # e-position of the next inserted zero (none in range by default)
    for j in range(nt - 1):
        if 64 * j >= limit:
            break
        m = tmp[j]
        for d in range(1, width):
            m &= ~((tmp[j] >> uint64(d)) | (tmp[j + 1] << uint64(64 - d)))
            if m == uint64(0):
                break
        if m != uint64(0):
            q = 64 * j + int(popcount64((m & (uint64(0) - m)) - uint64(1))) + width
            break
    period = 1 << width
    k = 0  # zeros inserted before the current position
    for j in range(nb):
        base = 64 * j
        word = uint64(0)
        pos = 0
        while pos < 64:
            end = q - base if q < base + 64 else 64
            if end > pos:
                span = end - pos
                sel = _ALL if span == 64 else ((uint64(1) << uint64(span)) - uint64(1)) << uint64(pos)
                word |= _window(tmp, base - k) & sel
            if end < 64:  # bit `end` is an inserted zero; later bits come from one place further back
                pos = end + 1
                k += 1
                q += period
            else:
                pos = 64
        buf[j] = word


@njit(cache=True)
def _lfsr_rows_sliced(s_lo, s_hi, thresholds, seeds, width, tmask, zero_state, n_words, length, out):
    """Word-parallel LFSR encoder for the streams ``[s_lo, s_hi)``: bit-sliced ``state < X`` on windows
    of the register's bit sequence.

    For output word ``j`` the 64 lanes' state bit ``i`` is the 64-bit window of
    the bit sequence starting at bit ``64 j + n - 1 - i`` (see
    :func:`_feedback_words`, :func:`_de_bruijn_words`), so the comparator runs
    on whole words from the MSB plane down, stopping when no lane is tied or
    the remaining bits of X are zero: the comparator primitives of ``_kernels/_hash.py``.
    """
    nb = n_words + 1
    buf = np.empty(nb, dtype=np.uint64)
    tmp = np.empty(nb + 2, dtype=np.uint64)
    full = uint64(1) << uint64(width)
    last = tail_mask(length)
    have = False  # buf holds the sequence of seed `cur` (streams sharing a seed reuse it)
    cur = uint64(0)
    for s in range(s_lo, s_hi):
        x = thresholds[s]
        if x >= full:  # every state (< 2^n) is below X
            for j in range(n_words):
                out[s, j] = _ALL
            out[s, n_words - 1] = last
            continue
        if x == uint64(0):
            continue
        if not have or uint64(seeds[s]) != cur:
            cur = uint64(seeds[s])
            if zero_state:
                _de_bruijn_words(cur, width, tmask, nb, buf, tmp)
            else:
                _feedback_words(cur, width, tmask, nb, buf)
            have = True
        for j in range(n_words):
            lt = uint64(0)
            eq = _ALL
            for i in range(width - 1, -1, -1):
                lt, eq = compare_plane(lt, eq, _window(buf, 64 * j + width - 1 - i), x, i)
                if compare_settled(eq, x, i):
                    break
            out[s, j] = lt
        out[s, n_words - 1] &= last


@njit(cache=True)
def _lfsr_words_sliced(thresholds, seeds, width, tmask, zero_state, n_words, length):
    """All streams of :func:`lfsr_words` in one thread (:func:`_lfsr_rows_sliced` on every row)."""
    out = np.zeros((thresholds.shape[0], n_words), dtype=np.uint64)
    _lfsr_rows_sliced(0, thresholds.shape[0], thresholds, seeds, width, tmask, zero_state, n_words, length,
                      out)
    return out


#: Streams per threaded work unit; results do not depend on it (streams are independent).
STREAM_BLOCK = 16


@njit(cache=True, parallel=True)
def lfsr_words(thresholds, seeds, width, tmask, zero_state, n_words, length):
    """(n,) thresholds X in [0, 2^n], (n,) seeds -> (n, n_words) streams, bit ``t`` = ``state_t < X``.

    Word-parallel (:func:`_lfsr_rows_sliced`); bit-identical to clocking the
    register once per bit (:func:`_lfsr_words_serial`, tested).  Blocks of
    :data:`STREAM_BLOCK` streams run on any thread (each stream depends only
    on its threshold and seed: same bits for every thread count).
    """
    n = thresholds.shape[0]
    out = np.zeros((n, n_words), dtype=np.uint64)
    n_blk = (n + STREAM_BLOCK - 1) // STREAM_BLOCK
    if n_blk > 1:
        for bk in prange(n_blk):
            _lfsr_rows_sliced(bk * STREAM_BLOCK, min(bk * STREAM_BLOCK + STREAM_BLOCK, n), thresholds, seeds,
                              width, tmask, zero_state, n_words, length, out)
    else:
        return _lfsr_words_sliced(thresholds, seeds, width, tmask, zero_state, n_words, length)
    return out


@njit(cache=True)
def lfsr_state_seq(seeds, width, tmask, zero_state, length):
    """(n,) seeds -> (n, length) uint32 register states ``state_0 .. state_{L-1}``."""
    n = seeds.shape[0]
    mask, low_mask = register_masks(width)
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
    mask, low_mask = register_masks(width)
    tm = uint64(tmask)
    s0 = uint64(seed)
    state = lfsr_step(s0, mask, tm, low_mask, zero_state)
    k = 1
    while state != s0 and k <= limit:
        state = lfsr_step(state, mask, tm, low_mask, zero_state)
        k += 1
    return k


__all__ = ["lfsr_period", "lfsr_state_seq", "lfsr_step", "lfsr_words", "register_masks"]
