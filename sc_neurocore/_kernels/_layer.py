"""Kernels of the SC current source and the dense LIF layer (private).

* The ``*_current_table`` kernels turn packed input and weight streams into the
  per-cycle current of every source, reading each packed word once (no
  byte-per-bit intermediate).
* :func:`layer_run` is the whole simulation loop over (neurons, time steps),
  calling the same :func:`~sc_neurocore._kernels._lif.lif_update` as the
  single neuron, so a layer neuron is bit-identical to a lone one.
"""

from __future__ import annotations

import numpy as np
from numba import njit, uint64

from sc_neurocore._kernels._lif import lif_update

_ONE = uint64(1)


@njit(cache=True)
def or_current_table(x_words, w_words, length, y_min, scale):
    """``cur[r, t] = y_min + scale * OR_i(x[i, t] AND w[r, i, t])``.

    ``x_words`` (n_in, W) are shared input streams, ``w_words`` (n_rows, n_in, W)
    the weight streams of each source row.  Returns float64 (n_rows, length).
    """
    n_rows, n_in, n_w = w_words.shape
    out = np.empty((n_rows, length), dtype=np.float64)
    for r in range(n_rows):
        for w in range(n_w):
            acc = uint64(0)
            for i in range(n_in):
                acc |= x_words[i, w] & w_words[r, i, w]
            base = w * 64
            n_bits = min(64, length - base)
            for b in range(n_bits):
                out[r, base + b] = y_min + scale * float((acc >> uint64(b)) & _ONE)
    return out


@njit(cache=True)
def count_current_table(x_words, w_words, length, y_min, scale):
    """``cur[r, t] = y_min + scale * sum_i(x[i, t] AND w[r, i, t])`` (exact parallel count)."""
    n_rows, n_in, n_w = w_words.shape
    out = np.empty((n_rows, length), dtype=np.float64)
    counts = np.zeros(64, dtype=np.int64)
    for r in range(n_rows):
        for w in range(n_w):
            counts[:] = 0
            for i in range(n_in):
                a = x_words[i, w] & w_words[r, i, w]
                if a:
                    for b in range(64):
                        counts[b] += np.int64((a >> uint64(b)) & _ONE)
            base = w * 64
            n_bits = min(64, length - base)
            for b in range(n_bits):
                out[r, base + b] = y_min + scale * float(counts[b])
    return out


@njit(cache=True)
def and_streams(x_words, w_words):
    """``x[i] AND w[r, i]`` for every row: (n_in, W) x (n_rows, n_in, W) -> (n_rows, n_in, W)."""
    n_rows, n_in, n_w = w_words.shape
    out = np.empty_like(w_words)
    for r in range(n_rows):
        for i in range(n_in):
            for w in range(n_w):
                out[r, i, w] = x_words[i, w] & w_words[r, i, w]
    return out


@njit(cache=True)
def stream_current_table(words, length, y_min, scale):
    """``cur[r, t] = y_min + scale * bit_t(words[r])`` for one stream per row (n_rows, W)."""
    n_rows, n_w = words.shape
    out = np.empty((n_rows, length), dtype=np.float64)
    for r in range(n_rows):
        for w in range(n_w):
            word = words[r, w]
            base = w * 64
            n_bits = min(64, length - base)
            for b in range(n_bits):
                out[r, base + b] = y_min + scale * float((word >> uint64(b)) & _ONE)
    return out


@njit(cache=True)
def layer_run(
    table, src_of, cycle0, n_steps, v, refr, step0, keys,
    v_rest, v_reset, v_threshold, tau_mem, dt, noise_std, resistance, refractory_period, out,
):
    """Simulate every neuron for ``n_steps`` steps; spikes into ``out`` (n_neurons, n_steps).

    Neuron ``n`` reads source row ``src_of[n]`` of ``table`` (n_sources, L) at
    cycle ``(cycle0 + t) % L``; ``v`` and ``refr`` are updated in place and
    ``step0`` is the step index (noise counter) of the first step.
    """
    n_neurons = v.shape[0]
    length = table.shape[1]
    for n in range(n_neurons):
        row = src_of[n]
        k0 = keys[n, 0]
        k1 = keys[n, 1]
        vn = v[n]
        rn = refr[n]
        c = cycle0 % length
        for t in range(n_steps):
            vn, rn, s = lif_update(
                vn, rn, step0 + t, table[row, c], k0, k1, v_rest, v_reset, v_threshold,
                tau_mem, dt, noise_std, resistance, refractory_period,
            )
            out[n, t] = s
            c += 1
            if c == length:
                c = 0
        v[n] = vn
        refr[n] = rn


__all__ = [
    "and_streams",
    "count_current_table",
    "layer_run",
    "or_current_table",
    "stream_current_table",
]
