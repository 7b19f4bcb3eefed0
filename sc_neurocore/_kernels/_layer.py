"""Kernels of the SC current source and the dense LIF layer (private).

A current source row ``r`` multiplies shared input streams ``x_i`` by its own
weight streams ``w_{r,i}`` (AND gates) and accumulates the products per clock
cycle into an integer ``a_t``; the current is ``I_t = y_min + span * a_t``.
The accumulated value is kept **packed as bit planes**: ``planes[r, k, w]`` is
bit ``k`` of ``a_t`` for the 64 cycles of word ``w`` (LSB first, as every packed
stream), so nothing on the heavy path is ever unpacked to one byte per bit.
OR and MUX accumulation give one plane (``a_t`` is a bit); the exact parallel
count gives ``bit_length(n_in)`` planes built by a bit-sliced ripple adder.

Stream definitions (conventions §3), all under counter-hash keys:

* input ``i``: Bernoulli stream of threshold ``x_thr[i]``, key ``kx``, stream
  index ``i``;
* weight ``(r, i)``: Bernoulli stream of threshold ``w_thr[r, i]``, key ``kw``,
  stream index ``r * n_in + i``;
* MUX select of row ``r`` at cycle ``t``: input
  ``floor(hash3(km0, km1, r, t) * n_in / 2^64)``.

Every table kernel fills a word range ``[w0, w1)`` of a preallocated output,
so the current source builds only the words a simulation reaches (counter-based
streams: any word of any stream can be produced on its own).

The table kernels generate weight bits lazily with the bit-sliced comparator of
conventions §3, comparing only the lanes whose result can still change; the
comparator decides each lane independently of the others, so the output is
bit-identical to building every stream in full and combining them.  The
per-stream part ``stream_key`` of the counter hash is computed once per
stream (``_prefixes``); the comparator is the encoder's
:func:`~sc_neurocore._kernels._bernoulli.bernoulli_word_keyed`, plus a
four-stream form (:func:`_bern_word4`) for the row loops.

:func:`layer_run` is the whole simulation loop over (neurons, time steps); it
calls the same :func:`~sc_neurocore._kernels._lif.lif_update` as the single
neuron, so a layer neuron is bit-identical to a lone one fed the same currents.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange, uint64

from sc_neurocore._kernels._bernoulli import bernoulli_word_keyed
from sc_neurocore._kernels._hash import (
    compare_plane,
    compare_start,
    counter_key,
    hash3,
    hash_parts,
    mulhi32,
    stream_key,
)
from sc_neurocore._kernels._lif import counter_mix, lif_membrane, normal_draw

_ONE = uint64(1)
_ALL = uint64(0xFFFFFFFFFFFFFFFF)
_TWO32 = uint64(1) << uint64(32)
#: Rows (or neurons) per threaded work unit, a multiple of 4; results do not depend on it.
BLOCK = 64


@njit(cache=True, inline="always")
def _word_lanes(w, n_w, length):
    """Valid lanes of word ``w`` of a ``length``-cycle stream (padding bits are 0)."""
    if w < n_w - 1 or length % 64 == 0:
        return _ALL
    return (_ONE << uint64(length % 64)) - _ONE


@njit(cache=True, inline="always")
def _bern_word4(p0, p1, p2, p3, w, t0, t1, t2, t3, l0, l1, l2, l3):
    """Word ``w`` of four streams at once (stream keys ``p0 .. p3``, thresholds ``t0 .. t3``,
    lanes ``l0 .. l3``): :func:`~sc_neurocore._kernels._bernoulli.bernoulli_word_keyed` four
    times, with four independent hash chains per plane to keep the multiplier busy; the
    loop runs until no lane of any stream is tied.

    A second comparator loop, kept because a benchmark needs it: a 128 x 64
    ``SCDenseLayer`` (L = 1024, ``run(500)``) takes 3.97 ms with it and 4.61 ms
    with the serial loop alone for ``count`` accumulation, 2.29 ms against
    2.45 ms for ``or`` (thread CPU time, best of 21 interleaved rounds, 2026-12-06).
    A third loop with the per-counter hash halves precomputed once per word
    and shared by all streams was removed: it measured no faster (28.27 ns
    per word for 256 input streams, against 27.97 with the encoder's loop).
    """
    a0, e0 = compare_start(t0, _TWO32, l0)
    a1, e1 = compare_start(t1, _TWO32, l1)
    a2, e2 = compare_start(t2, _TWO32, l2)
    a3, e3 = compare_start(t3, _TWO32, l3)
    base = uint64(w) * uint64(32)
    for j in range(32):
        if (e0 | e1 | e2 | e3) == uint64(0):
            break
        c = counter_key(base + uint64(j))
        b = 31 - j
        a0, e0 = compare_plane(a0, e0, hash_parts(p0, c), t0, b)
        a1, e1 = compare_plane(a1, e1, hash_parts(p1, c), t1, b)
        a2, e2 = compare_plane(a2, e2, hash_parts(p2, c), t2, b)
        a3, e3 = compare_plane(a3, e3, hash_parts(p3, c), t3, b)
    return a0, a1, a2, a3


@njit(cache=True)
def _prefixes(k0, k1, n_rows, n_in):
    """Stream prefixes of the weight streams ``r * n_in + i``, uint64 (n_rows, n_in)."""
    out = np.empty((n_rows, n_in), dtype=np.uint64)
    for r in range(n_rows):
        for i in range(n_in):
            out[r, i] = stream_key(k0, k1, r * n_in + i)
    return out


@njit(cache=True)
def input_words(x_thr, k0, k1, length):
    """Packed Bernoulli streams ``i = 0 .. n-1`` under key (k0, k1): (n,) thresholds -> (n, W) uint64.

    Equal to ``bitstream.bernoulli`` with the same key (conventions §3).
    """
    n_in = x_thr.shape[0]
    n_w = (length + 63) // 64
    out = np.empty((n_in, n_w), dtype=np.uint64)
    pre = _prefixes(k0, k1, 1, n_in)
    for w in range(n_w):
        lanes = _word_lanes(w, n_w, length)
        for i in range(n_in):
            out[i, w] = bernoulli_word_keyed(pre[0, i], w, x_thr[i], lanes)
    return out


@njit(cache=True)
def _or_rows(r_lo, r_hi, x_words, w_thr, pre, out, w0, w1):
    """:func:`or_planes` for the rows ``[r_lo, r_hi)``."""
    n_in = w_thr.shape[1]
    n4 = r_hi - (r_hi - r_lo) % 4
    for w in range(w0, w1):
        for r in range(r_lo, n4, 4):
            a0 = uint64(0)
            a1 = uint64(0)
            a2 = uint64(0)
            a3 = uint64(0)
            for i in range(n_in):
                x = x_words[i, w]
                if x & ~(a0 & a1 & a2 & a3):
                    b0, b1, b2, b3 = _bern_word4(
                        pre[r, i], pre[r + 1, i], pre[r + 2, i], pre[r + 3, i], w,
                        w_thr[r, i], w_thr[r + 1, i], w_thr[r + 2, i], w_thr[r + 3, i],
                        x & ~a0, x & ~a1, x & ~a2, x & ~a3,
                    )
                    a0 |= b0
                    a1 |= b1
                    a2 |= b2
                    a3 |= b3
            out[r, 0, w] = a0
            out[r + 1, 0, w] = a1
            out[r + 2, 0, w] = a2
            out[r + 3, 0, w] = a3
        for r in range(n4, r_hi):
            acc = uint64(0)
            for i in range(n_in):
                lanes = x_words[i, w] & ~acc
                if lanes:
                    acc |= bernoulli_word_keyed(pre[r, i], w, w_thr[r, i], lanes)
            out[r, 0, w] = acc


@njit(cache=True, parallel=True)
def or_planes(x_words, w_thr, k0, k1, out, w0, w1):
    """OR accumulation: ``out[r, 0, w] = OR_i(x_i AND w_{r,i})`` for words w in [w0, w1).

    ``out`` has shape (n_rows, 1, W).  A weight bit is drawn only where the
    input bit is 1 and the OR is still 0 (comparing more lanes would not change
    the OR); words outside [w0, w1) are left untouched (any word can be built
    on its own).  Rows are processed four at a time for instruction-level
    parallelism, in blocks of :data:`BLOCK` rows on any thread (rows are
    independent: same bits for every thread count).
    """
    n_rows, n_in = w_thr.shape
    pre = _prefixes(k0, k1, n_rows, n_in)
    n_blk = (n_rows + BLOCK - 1) // BLOCK
    if n_blk > 1:
        for bk in prange(n_blk):
            _or_rows(bk * BLOCK, min(bk * BLOCK + BLOCK, n_rows), x_words, w_thr, pre, out, w0, w1)
    else:
        _or_rows(0, n_rows, x_words, w_thr, pre, out, w0, w1)


@njit(cache=True, inline="always")
def _ripple_add(out, r, w, addend):
    """Add one product word to the 64 bit-sliced lane counters of row ``r``, word ``w``."""
    k = 0
    carry = addend
    while carry:
        c = out[r, k, w]
        out[r, k, w] = c ^ carry
        carry = c & carry
        k += 1


@njit(cache=True)
def _count_rows(r_lo, r_hi, x_words, w_thr, pre, out, w0, w1):
    """:func:`count_planes` for the rows ``[r_lo, r_hi)``."""
    n_in = w_thr.shape[1]
    n4 = r_hi - (r_hi - r_lo) % 4
    for w in range(w0, w1):
        for i in range(n_in):
            x = x_words[i, w]
            if not x:
                continue
            for r in range(r_lo, n4, 4):
                b0, b1, b2, b3 = _bern_word4(
                    pre[r, i], pre[r + 1, i], pre[r + 2, i], pre[r + 3, i], w,
                    w_thr[r, i], w_thr[r + 1, i], w_thr[r + 2, i], w_thr[r + 3, i], x, x, x, x,
                )
                _ripple_add(out, r, w, b0)
                _ripple_add(out, r + 1, w, b1)
                _ripple_add(out, r + 2, w, b2)
                _ripple_add(out, r + 3, w, b3)
            for r in range(n4, r_hi):
                _ripple_add(out, r, w, bernoulli_word_keyed(pre[r, i], w, w_thr[r, i], x))


@njit(cache=True, parallel=True)
def count_planes(x_words, w_thr, k0, k1, out, w0, w1):
    """Exact parallel count ``a_t = sum_i x_i,t AND w_{r,i},t`` into bit planes ``out`` (n_rows, n_planes, W).

    Each product word is added to the 64 lane counters at once by a ripple of
    half adders over the planes (carry = plane & addend, plane ^= addend);
    ``n_planes = bit_length(n_in)`` planes cannot overflow.  Words [w0, w1) of
    ``out`` must be zero on entry.  Rows are processed four at a time, in
    blocks of :data:`BLOCK` rows on any thread (integer counts of independent
    rows: same bits for every thread count).
    """
    n_rows, n_in = w_thr.shape
    pre = _prefixes(k0, k1, n_rows, n_in)
    n_blk = (n_rows + BLOCK - 1) // BLOCK
    if n_blk > 1:
        for bk in prange(n_blk):
            _count_rows(bk * BLOCK, min(bk * BLOCK + BLOCK, n_rows), x_words, w_thr, pre, out, w0, w1)
    else:
        _count_rows(0, n_rows, x_words, w_thr, pre, out, w0, w1)


@njit(cache=True)
def _mux_rows(r_lo, r_hi, x_words, w_thr, pre, m0, m1, length, out, w0, w1):
    """:func:`mux_planes` for the rows ``[r_lo, r_hi)``."""
    n_in = w_thr.shape[1]
    sel_mask = np.zeros(n_in, dtype=np.uint64)
    nn = uint64(n_in)
    for w in range(w0, w1):
        stop = min(64, length - w * 64)
        for r in range(r_lo, r_hi):
            sel_mask[:] = 0
            for lane in range(stop):
                i = mulhi32(hash3(m0, m1, uint64(r), uint64(w * 64 + lane)), nn)
                sel_mask[i] |= _ONE << uint64(lane)
            acc = uint64(0)
            for i in range(n_in):
                lanes = sel_mask[i] & x_words[i, w]
                if lanes:
                    acc |= bernoulli_word_keyed(pre[r, i], w, w_thr[r, i], lanes)
            out[r, 0, w] = acc


@njit(cache=True, parallel=True)
def mux_planes(x_words, w_thr, k0, k1, m0, m1, length, out, w0, w1):
    """MUX scaled addition into ``out`` (n_rows, 1, W): per cycle the product bit of one selected input.

    The select of row ``r`` at cycle ``t`` is ``floor(hash3(m0, m1, r, t) * n_in / 2^64)``;
    a weight bit is drawn only in the lanes that select its input and whose input bit is 1.
    Blocks of :data:`BLOCK` independent rows run on any thread.
    """
    n_rows, n_in = w_thr.shape
    pre = _prefixes(k0, k1, n_rows, n_in)
    n_blk = (n_rows + BLOCK - 1) // BLOCK
    if n_blk > 1:
        for bk in prange(n_blk):
            _mux_rows(bk * BLOCK, min(bk * BLOCK + BLOCK, n_rows), x_words, w_thr, pre, m0, m1, length, out,
                      w0, w1)
    else:
        _mux_rows(0, n_rows, x_words, w_thr, pre, m0, m1, length, out, w0, w1)


@njit(cache=True)
def plane_values(planes, length):
    """Unpack bit planes (n_rows, n_planes, W) to the integers ``a_t``, int64 (n_rows, length).

    Only for inspection (``currents()``); the simulation reads the planes directly.
    """
    n_rows, n_planes, _ = planes.shape
    out = np.zeros((n_rows, length), dtype=np.int64)
    for r in range(n_rows):
        for t in range(length):
            w = t >> 6
            b = uint64(t & 63)
            a = 0
            for k in range(n_planes):
                a += np.int64((planes[r, k, w] >> b) & _ONE) << k
            out[r, t] = a
    return out


@njit(cache=True)
def plane_sums(planes):
    """``sum_t a_t`` of every row, int64 (n_rows,): popcount of each plane times 2^k."""
    n_rows, n_planes, n_w = planes.shape
    out = np.zeros(n_rows, dtype=np.int64)
    for r in range(n_rows):
        s = 0
        for k in range(n_planes):
            c = 0
            for w in range(n_w):
                x = planes[r, k, w]
                while x:
                    x &= x - _ONE
                    c += 1
            s += c << k
        out[r] = s
    return out


@njit(cache=True)
def _layer_block(
    lo, hi, planes, src_of, cycle0, n_steps, length, y_min, span, v, refr, step0, prefixes,
    v_rest, v_reset, v_threshold, tau_mem, dt, noise_std, resistance, refractory_period, out,
):
    """:func:`layer_run` for the neurons ``[lo, hi)`` through every step (neurons are independent)."""
    n_planes = planes.shape[1]
    m = hi - lo
    noise = np.zeros(m, dtype=np.float64)
    # views and loops from 0: numba then knows the index is non-negative (no wrap-around branch)
    src_of, v, refr, prefixes, out = src_of[lo:hi], v[lo:hi], refr[lo:hi], prefixes[lo:hi], out[lo:hi]
    c = cycle0 % length
    for t in range(n_steps):
        # pass 1: this step's noise of every neuron, branch-free so the libm calls of
        # successive neurons overlap (a refractory neuron's draw is computed but unused:
        # lif_membrane discards it, as the single neuron never draws it; same bits)
        if noise_std != 0.0:
            c1, c2 = counter_mix(step0 + t)
            for n in range(m):
                noise[n] = noise_std * normal_draw(prefixes[n], c1, c2)
        # pass 2: currents from the packed planes, membrane update
        w = c >> 6
        b = uint64(c & 63)
        for n in range(m):
            row = src_of[n]
            a = 0
            for k in range(n_planes):
                a += np.int64((planes[row, k, w] >> b) & _ONE) << k
            vn, rn, s = lif_membrane(
                v[n], refr[n], y_min + span * float(a), noise[n], v_rest, v_reset,
                v_threshold, tau_mem, dt, resistance, refractory_period,
            )
            v[n] = vn
            refr[n] = rn
            out[n, t] = s
        c += 1
        if c == length:
            c = 0


@njit(cache=True, parallel=True)
def layer_run(
    planes, src_of, cycle0, n_steps, length, y_min, span, v, refr, step0, prefixes,
    v_rest, v_reset, v_threshold, tau_mem, dt, noise_std, resistance, refractory_period, out,
):
    """Simulate every neuron for ``n_steps`` steps; spikes into ``out`` (uint8, (n_neurons, n_steps)).

    Step ``t`` is one clock cycle ``c = (cycle0 + t) % length``: neuron ``n``
    reads the current ``y_min + span * a_c`` of source row ``src_of[n]`` straight
    from the packed planes, and its noise is ``noise_std * normal_draw(prefixes[n], c1, c2)``
    with the per-step hash part ``(c1, c2) = counter_mix(step0 + t)`` shared by
    all neurons; the membrane update is :func:`~sc_neurocore._kernels._lif.lif_membrane`,
    as for the single neuron.  ``v`` and ``refr`` are updated in place.

    Threads: the neurons are independent (the currents are precomputed
    planes), so blocks of :data:`BLOCK` neurons run through all steps on any
    thread (``prange``, one synchronisation per call); same bits for every
    thread count.
    """
    n_neurons = v.shape[0]
    n_blk = (n_neurons + BLOCK - 1) // BLOCK
    if n_blk > 1:
        for bk in prange(n_blk):
            _layer_block(bk * BLOCK, min(bk * BLOCK + BLOCK, n_neurons), planes, src_of, cycle0, n_steps,
                         length, y_min, span, v, refr, step0, prefixes, v_rest, v_reset, v_threshold,
                         tau_mem, dt, noise_std, resistance, refractory_period, out)
    else:
        _layer_block(0, n_neurons, planes, src_of, cycle0, n_steps, length, y_min, span, v, refr, step0,
                     prefixes, v_rest, v_reset, v_threshold, tau_mem, dt, noise_std, resistance,
                     refractory_period, out)


__all__ = [
    "count_planes",
    "input_words",
    "layer_run",
    "mux_planes",
    "or_planes",
    "plane_sums",
    "plane_values",
]
