"""Fixed-point (hardware-mode) LIF and dense-layer kernels (private).

All quantities are raw two's-complement integers of a Q format (held in
int64).  One cycle of a neuron (see ``sc_neurocore._fixed_point``)::

    if ref > 0:  v' = v_reset; ref' = ref - 1; spike = 0
    else:
        s = clamp(v - ((v - v_rest) >> k) + i, vmin, vmax)     # >> arithmetic
        if s >= v_th:  spike = 1; v' = v_reset; ref' = refractory
        else:          spike = 0; v' = s

The dense layer's streams are shift-left Fibonacci LFSRs with ``<``
comparators (conventions §3), stepped with ``_lfsr.lfsr_step``; the input,
weight and select registers each have their own tap mask.

Jump-ahead: without zero-state insertion one clock is linear over GF(2),
``s' = A s``.  A matrix is held as its ``n`` columns (the images of the basis
vectors ``1 << j``) in a uint64 array; ``A^k`` is built by repeated squaring
(:func:`lfsr_jump_matrix`, O(n^2 log k)); :func:`lfsr_jump_states` puts one
register at many phases ``k_j`` of a base state (a table of ``A^(2^b)``, then
O(n log k) per state).
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange, uint64

from sc_neurocore._kernels._bitops import gf2_matvec
from sc_neurocore._kernels._lfsr import lfsr_step, register_masks

MODE_OR = 0
MODE_COUNT = 1
MODE_MUX = 2


@njit(cache=True, inline="always")
def lif_fixed_update(v, ref, i, vmin, vmax, v_th, v_reset, v_rest, k, refractory):
    """One cycle of one neuron: returns (v', ref', spike)."""
    if ref > 0:
        return v_reset, ref - 1, 0
    s = v - ((v - v_rest) >> k) + i
    if s > vmax:
        s = vmax
    elif s < vmin:
        s = vmin
    if s >= v_th:
        return v_reset, refractory, 1
    return s, 0, 0


@njit(cache=True)
def lif_fixed_run(currents, v, ref, vmin, vmax, v_th, v_reset, v_rest, k, refractory, spikes, volts):
    """(T, n) int64 currents; v, ref (n,) int64 in place; out: spikes (T, n) uint8, volts (T, n) int64."""
    n_t, n = currents.shape
    for t in range(n_t):
        for j in range(n):
            nv, nr, sp = lif_fixed_update(v[j], ref[j], currents[t, j], vmin, vmax, v_th, v_reset,
                                          v_rest, k, refractory)
            v[j] = nv
            ref[j] = nr
            spikes[t, j] = sp
            volts[t, j] = nv


@njit(cache=True)
def lfsr_jump_matrix(width, tmask, k):
    """Columns (uint64, (width,)) of ``A^k``, ``A`` one clock of the Fibonacci LFSR without insertion."""
    msk = (uint64(1) << uint64(width)) - uint64(1)
    low = uint64(0)
    tm = uint64(tmask)
    a = np.empty(width, dtype=np.uint64)
    r = np.empty(width, dtype=np.uint64)
    for j in range(width):
        a[j] = lfsr_step(uint64(1) << uint64(j), msk, tm, low, False)
        r[j] = uint64(1) << uint64(j)  # identity
    tmp = np.empty(width, dtype=np.uint64)
    kk = k
    while kk > 0:
        if kk & 1:
            for j in range(width):
                tmp[j] = gf2_matvec(a, r[j])  # R <- A R
            r[:] = tmp
        for j in range(width):
            tmp[j] = gf2_matvec(a, a[j])  # A <- A^2
        a[:] = tmp
        kk >>= 1
    return r


@njit(cache=True)
def _power_table(width, tmask, top):
    """Columns of ``A^(2^b)`` for every bit ``b`` of offsets up to ``top`` (shape (nb, width))."""
    nb = 1
    while (1 << nb) <= top:
        nb += 1
    table = np.empty((nb, width), dtype=np.uint64)
    table[0, :] = lfsr_jump_matrix(width, tmask, 1)
    for b in range(1, nb):
        for j in range(width):
            table[b, j] = gf2_matvec(table[b - 1], table[b - 1, j])  # A^(2^b) = (A^(2^(b-1)))^2
    return table


@njit(cache=True, inline="always")
def _jump(table, k, s):
    """``A^k s``: the offset walked bit by bit with the powers in ``table``."""
    b = 0
    while k > 0:
        if k & 1:
            s = gf2_matvec(table[b], s)
        k >>= 1
        b += 1
    return s


@njit(cache=True)
def lfsr_jump_states(base, width, tmask, phases):
    """(len(phases),) uint64 states ``A^phases[j] base``."""
    table = _power_table(width, tmask, phases.max() if phases.shape[0] else 0)
    out = np.empty(phases.shape[0], dtype=np.uint64)
    for j in range(phases.shape[0]):
        out[j] = _jump(table, phases[j], uint64(base))
    return out


@njit(cache=True)
def top_bits_independent(cols, width, k):
    """Whether the top ``k`` bits of ``M s`` are linearly independent of the top ``k`` bits of ``s``.

    ``cols`` are the columns of ``M`` (e.g. ``A^theta``).  Equivalent: the
    ``k x (width - k)`` block of ``M`` (top rows, low columns) has rank ``k``,
    so no nonzero XOR of top bits of ``M s`` is an XOR of top bits of ``s`` alone.
    """
    basis = np.zeros(k, dtype=np.uint64)  # basis[i]: reduced vector with leading bit i, or 0
    rank = 0
    for j in range(width - k):
        v = cols[j] >> uint64(width - k)
        for i in range(k - 1, -1, -1):
            if (v >> uint64(i)) & uint64(1):
                if basis[i] == uint64(0):
                    basis[i] = v
                    rank += 1
                    break
                v ^= basis[i]
        if rank == k:
            return True
    return rank == k


@njit(cache=True)
def pick_offsets(cands, width, tmask, k):
    """Per row of ``cands`` (m, T): the first offset ``theta`` for which ``A^theta`` passes
    :func:`top_bits_independent`.

    Returns ``(theta (m,), ok (m,) bool)``; a row with no passing candidate gives its last one and False.
    """
    m, n_try = cands.shape
    table = _power_table(width, tmask, cands.max() if cands.size else 0)
    theta = np.empty(m, dtype=np.int64)
    ok = np.zeros(m, dtype=np.bool_)
    cols = np.empty(width, dtype=np.uint64)
    for r in range(m):
        theta[r] = cands[r, n_try - 1]
        for c in range(n_try):
            for j in range(width):  # columns of A^theta: the images of the unit vectors
                cols[j] = _jump(table, cands[r, c], uint64(1) << uint64(j))
            if top_bits_independent(cols, width, k):
                theta[r] = cands[r, c]
                ok[r] = True
                break
    return theta, ok


#: Output neurons per threaded work unit; results do not depend on it (rows are independent).
ROW_BLOCK = 32
#: Cycles whose shared input bits are generated before the rows run through them (bounds memory).
TIME_BLOCK = 4096


@njit(cache=True)
def _dense_fixed_rows(r_lo, r_hi, t0, t1, xb, sels, w_thr, w_state, msk, wtm, low, zero_state, mode, gain,
                      bias, v, ref, vmin, vmax, v_th, v_reset, v_rest, k, refractory, spikes, volts, accs):
    """Cycles ``[t0, t1)`` of :func:`dense_fixed_run` for the output rows ``[r_lo, r_hi)``
    (``xb[t - t0]``, ``sels[t - t0]``: the shared input bits and select of cycle ``t``).
    """
    n_in = xb.shape[1]
    for t in range(t0, t1):
        sel = sels[t - t0]
        for r in range(r_lo, r_hi):
            a = 0
            for i in range(n_in):
                wb = 1 if w_state[r, i] < w_thr[r, i] else 0
                w_state[r, i] = lfsr_step(w_state[r, i], msk, wtm, low, zero_state)
                p = np.int64(xb[t - t0, i]) & wb
                if mode == MODE_COUNT:
                    a += p
                elif mode == MODE_OR:
                    a |= p
                elif i == sel:
                    a = p
            cur = bias + gain * a
            nv, nr, sp = lif_fixed_update(v[r], ref[r], cur, vmin, vmax, v_th, v_reset, v_rest, k,
                                          refractory)
            v[r] = nv
            ref[r] = nr
            spikes[t, r] = sp
            volts[t, r] = nv
            accs[t, r] = a


@njit(cache=True, parallel=True)
def dense_fixed_run(x_thr, x_state, w_thr, w_state, sel_state, width, x_tmask, w_tmask, sel_tmask,
                    zero_state, mode, gain, bias, v, ref, vmin, vmax, v_th, v_reset, v_rest, k, refractory,
                    spikes, volts, accs):
    """Run ``spikes.shape[0]`` cycles of the LFSR-fed layer; every state array is updated in place.

    x_thr, x_state: (n_in,) uint64; w_thr, w_state: (N, n_in) uint64;
    sel_state: (1,) uint64 (MUX select register); x_tmask, w_tmask, sel_tmask:
    feedback tap masks of the input, weight and select registers; v, ref: (N,) int64;
    outputs spikes (T, N) uint8, volts (T, N) int64 (membrane after the
    cycle), accs (T, N) int64 (accumulated value a_t).

    The shared input bits and MUX selects of :data:`TIME_BLOCK` cycles are
    generated first (``TIME_BLOCK x n_in`` bytes); the output rows then depend
    only on them and on their own registers, so blocks of :data:`ROW_BLOCK`
    rows run through those cycles on any thread (integer arithmetic: same
    bits for every thread count).
    """
    n_t = spikes.shape[0]
    n_in = x_thr.shape[0]
    n_out = w_thr.shape[0]
    msk, low = register_masks(width)
    xtm = uint64(x_tmask)
    wtm = uint64(w_tmask)
    stm = uint64(sel_tmask)
    xb = np.empty((min(n_t, TIME_BLOCK), n_in), dtype=np.uint8)
    sels = np.empty(min(n_t, TIME_BLOCK), dtype=np.int64)
    n_blk = (n_out + ROW_BLOCK - 1) // ROW_BLOCK
    for t0 in range(0, n_t, TIME_BLOCK):
        t1 = min(t0 + TIME_BLOCK, n_t)
        for t in range(t1 - t0):
            for i in range(n_in):
                xb[t, i] = 1 if x_state[i] < x_thr[i] else 0
                x_state[i] = lfsr_step(x_state[i], msk, xtm, low, zero_state)
            sels[t] = int((sel_state[0] * uint64(n_in)) >> uint64(width))
            sel_state[0] = lfsr_step(sel_state[0], msk, stm, low, zero_state)
        if n_blk > 1:
            for bk in prange(n_blk):
                _dense_fixed_rows(bk * ROW_BLOCK, min(bk * ROW_BLOCK + ROW_BLOCK, n_out), t0, t1, xb, sels,
                                  w_thr, w_state, msk, wtm, low, zero_state, mode, gain, bias, v, ref,
                                  vmin, vmax, v_th, v_reset, v_rest, k, refractory, spikes, volts, accs)
        else:
            _dense_fixed_rows(0, n_out, t0, t1, xb, sels, w_thr, w_state, msk, wtm, low, zero_state, mode,
                              gain, bias, v, ref, vmin, vmax, v_th, v_reset, v_rest, k, refractory, spikes,
                              volts, accs)


__all__ = [
    "MODE_COUNT",
    "MODE_MUX",
    "MODE_OR",
    "dense_fixed_run",
    "gf2_matvec",
    "lfsr_jump_matrix",
    "lfsr_jump_states",
    "pick_offsets",
    "lif_fixed_run",
    "lif_fixed_update",
    "top_bits_independent",
]
