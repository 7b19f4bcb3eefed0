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

The table kernels generate weight bits lazily with
:func:`~sc_neurocore._kernels._bernoulli.bernoulli_word`, comparing only the
lanes whose result can still change; the bit-sliced comparator decides each
lane independently of the others, so the output is bit-identical to building
every stream in full and combining them.

:func:`layer_run` is the whole simulation loop over (neurons, time steps); it
calls the same :func:`~sc_neurocore._kernels._lif.lif_update` as the single
neuron, so a layer neuron is bit-identical to a lone one fed the same currents.
"""

from __future__ import annotations

import numpy as np
from numba import njit, uint64

from sc_neurocore._kernels._bernoulli import bernoulli_word
from sc_neurocore._kernels._hash import hash3
from sc_neurocore._kernels._lif import lif_update

_ONE = uint64(1)
_ALL = uint64(0xFFFFFFFFFFFFFFFF)


@njit(cache=True, inline="always")
def _mulhi(r, n):
    """``floor(r * n / 2^64)`` for uint64 ``r`` and ``n < 2^32`` (exact, no 128-bit type)."""
    rh = r >> uint64(32)
    rl = r & uint64(0xFFFFFFFF)
    return (rh * n + ((rl * n) >> uint64(32))) >> uint64(32)


@njit(cache=True, inline="always")
def _word_lanes(w, n_w, length):
    """Valid lanes of word ``w`` of a ``length``-cycle stream (padding bits are 0)."""
    if w < n_w - 1 or length % 64 == 0:
        return _ALL
    return (_ONE << uint64(length % 64)) - _ONE


@njit(cache=True)
def input_words(x_thr, k0, k1, length):
    """Packed input streams: (n_in,) uint64 thresholds in [0, 2^32] -> (n_in, W) uint64."""
    n_in = x_thr.shape[0]
    n_w = (length + 63) // 64
    out = np.empty((n_in, n_w), dtype=np.uint64)
    for i in range(n_in):
        for w in range(n_w):
            out[i, w] = bernoulli_word(k0, k1, uint64(i), w, x_thr[i], _word_lanes(w, n_w, length))
    return out


@njit(cache=True)
def or_planes(x_words, w_thr, k0, k1):
    """OR accumulation: ``planes[r, 0] = OR_i(x_i AND w_{r,i})``, shape (n_rows, 1, W).

    A weight bit is drawn only where the input bit is 1 and the OR is still 0.
    """
    n_rows, n_in = w_thr.shape
    n_w = x_words.shape[1]
    out = np.empty((n_rows, 1, n_w), dtype=np.uint64)
    for r in range(n_rows):
        for w in range(n_w):
            acc = uint64(0)
            for i in range(n_in):
                lanes = x_words[i, w] & ~acc
                if lanes:
                    acc |= bernoulli_word(k0, k1, uint64(r * n_in + i), w, w_thr[r, i], lanes)
            out[r, 0, w] = acc
    return out


@njit(cache=True)
def count_planes(x_words, w_thr, k0, k1, n_planes):
    """Exact parallel count: ``a_t = sum_i x_i,t AND w_{r,i},t`` as (n_rows, n_planes, W) bit planes.

    Each product word is added to the 64 lane counters at once by a ripple of
    half adders over the planes (carry = plane & addend, plane ^= addend);
    ``n_planes = bit_length(n_in)`` planes cannot overflow.
    """
    n_rows, n_in = w_thr.shape
    n_w = x_words.shape[1]
    out = np.zeros((n_rows, n_planes, n_w), dtype=np.uint64)
    for r in range(n_rows):
        for w in range(n_w):
            for i in range(n_in):
                lanes = x_words[i, w]
                if lanes:
                    carry = bernoulli_word(k0, k1, uint64(r * n_in + i), w, w_thr[r, i], lanes)
                    k = 0
                    while carry:
                        c = out[r, k, w]
                        out[r, k, w] = c ^ carry
                        carry = c & carry
                        k += 1
    return out


@njit(cache=True)
def mux_planes(x_words, w_thr, k0, k1, m0, m1, length):
    """MUX scaled addition: per cycle the product bit of one uniformly selected input; (n_rows, 1, W).

    The select of row ``r`` at cycle ``t`` is ``floor(hash3(m0, m1, r, t) * n_in / 2^64)``;
    a weight bit is drawn only in the lanes that select its input and whose input bit is 1.
    """
    n_rows, n_in = w_thr.shape
    n_w = x_words.shape[1]
    out = np.zeros((n_rows, 1, n_w), dtype=np.uint64)
    sel_mask = np.zeros(n_in, dtype=np.uint64)
    nn = uint64(n_in)
    for r in range(n_rows):
        for w in range(n_w):
            sel_mask[:] = 0
            stop = min(64, length - w * 64)
            for lane in range(stop):
                i = _mulhi(hash3(m0, m1, uint64(r), uint64(w * 64 + lane)), nn)
                sel_mask[i] |= _ONE << uint64(lane)
            acc = uint64(0)
            for i in range(n_in):
                lanes = sel_mask[i] & x_words[i, w]
                if lanes:
                    acc |= bernoulli_word(k0, k1, uint64(r * n_in + i), w, w_thr[r, i], lanes)
            out[r, 0, w] = acc
    return out


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
def layer_run(
    planes, src_of, cycle0, n_steps, length, y_min, span, v, refr, step0, keys,
    v_rest, v_reset, v_threshold, tau_mem, dt, noise_std, resistance, refractory_period, out,
):
    """Simulate every neuron for ``n_steps`` steps; spikes into ``out`` (uint8, (n_neurons, n_steps)).

    Step ``t`` of neuron ``n`` is one clock cycle ``c = (cycle0 + t) % length`` of
    source row ``src_of[n]``: the current ``y_min + span * a_c`` is read straight
    from the packed planes.  ``v`` and ``refr`` are updated in place; ``step0`` is
    the step index (noise counter) of the first step.
    """
    n_neurons = v.shape[0]
    n_planes = planes.shape[1]
    for n in range(n_neurons):
        row = src_of[n]
        k0 = keys[n, 0]
        k1 = keys[n, 1]
        vn = v[n]
        rn = refr[n]
        c = cycle0 % length
        for t in range(n_steps):
            w = c >> 6
            b = uint64(c & 63)
            a = 0
            for k in range(n_planes):
                a += np.int64((planes[row, k, w] >> b) & _ONE) << k
            vn, rn, s = lif_update(
                vn, rn, step0 + t, y_min + span * float(a), k0, k1, v_rest, v_reset, v_threshold,
                tau_mem, dt, noise_std, resistance, refractory_period,
            )
            out[n, t] = s
            c += 1
            if c == length:
                c = 0
        v[n] = vn
        refr[n] = rn


__all__ = [
    "count_planes",
    "input_words",
    "layer_run",
    "mux_planes",
    "or_planes",
    "plane_sums",
    "plane_values",
]
