"""Discrete-time LIF update (conventions §4), shared by the single neuron and the layer.

:func:`lif_membrane` is the only place the membrane equation is written, so
:class:`~sc_neurocore.StochasticLIFNeuron` and the dense-layer kernel produce
bit-identical voltages and spikes.

Noise: the draw of step ``t`` of the noise stream ``domain`` under key
``(k0, k1)`` is ``standard_normal(k0, k1, domain, t)`` (conventions §2).  The
hash is ``hash3 = mix64(P ^ C)`` with a per-neuron part
``P = stream_key(k0, k1, domain)`` (:func:`noise_prefix`, once per neuron)
and a per-step part ``C = counter_key(counter)`` (:func:`counter_mix`, once
per step, shared by every neuron of a layer), so a draw costs two mixes plus
Box-Muller; the primitives are those of ``_kernels/_hash.py``, so the result
is bit-identical to ``standard_normal``.
"""

from __future__ import annotations

import numpy as np
from numba import njit, uint64

from sc_neurocore._kernels._hash import box_muller, counter_key, hash_parts, stream_key

# the noise stream's prefix is its stream key (name kept for the callers)
noise_prefix = stream_key


@njit(cache=True)
def noise_prefixes(k0, k1, n):
    """``noise_prefix(k0, k1, i)`` for the noise streams ``i = 0 .. n-1``, uint64 (n,)."""
    out = np.empty(n, dtype=np.uint64)
    for i in range(n):
        out[i] = stream_key(k0, k1, i)
    return out


@njit(cache=True, inline="always")
def counter_mix(t):
    """Per-step part of the two hashes of draw ``t``: ``counter_key(c)`` for ``c = 2t, 2t + 1``."""
    c = uint64(t) * uint64(2)
    return counter_key(c), counter_key(c + uint64(1))


@njit(cache=True, inline="always")
def normal_draw(prefix, c1, c2):
    """``standard_normal(k0, k1, domain, t)`` from ``prefix = noise_prefix(k0, k1, domain)``
    and ``(c1, c2) = counter_mix(t)``: Box-Muller (cosine branch) on the words
    ``hash3(k0, k1, domain, 2t)`` and ``hash3(k0, k1, domain, 2t + 1)``.
    """
    return box_muller(hash_parts(prefix, c1), hash_parts(prefix, c2))


@njit(cache=True, inline="always")
def lif_membrane(
    v, refr, current, noise,
    v_rest, v_reset, v_threshold, tau_mem, dt, resistance, refractory_period,
):
    """The membrane equation of conventions §4 given this step's noise term (``noise_std * xi_t``).

    Returns ``(v', refr', spike)``; during a refractory step the membrane is held at
    ``v_reset``, the input and the noise are discarded and no spike is emitted.
    """
    if refr > 0:
        return v_reset, refr - 1, 0
    v = v + dt * (-(v - v_rest) / tau_mem + resistance * current) + noise
    if v >= v_threshold:
        return v_reset, refractory_period, 1
    return v, refr, 0


@njit(cache=True, inline="always")
def lif_update(
    v, refr, current, prefix, c1, c2,
    v_rest, v_reset, v_threshold, tau_mem, dt, noise_std, resistance, refractory_period,
):
    """One Euler step of the LIF neuron (conventions §4).

    Returns ``(v', refr', spike)``.  The noise of the step is
    ``noise_std * normal_draw(prefix, c1, c2)`` with ``(c1, c2) = counter_mix(step)``
    (drawn only when it is used): refractory steps consume a step index too, so
    the noise of step ``t`` never depends on the past.
    """
    noise = 0.0
    if refr <= 0 and noise_std != 0.0:
        noise = noise_std * normal_draw(prefix, c1, c2)
    return lif_membrane(v, refr, current, noise, v_rest, v_reset, v_threshold, tau_mem, dt,
                        resistance, refractory_period)


@njit(cache=True)
def lif_step(
    v, refr, step, current, prefix,
    v_rest, v_reset, v_threshold, tau_mem, dt, noise_std, resistance, refractory_period,
):
    """:func:`lif_update` at step index ``step`` (the single neuron's entry point)."""
    c1, c2 = counter_mix(step)
    return lif_update(v, refr, current, prefix, c1, c2, v_rest, v_reset, v_threshold,
                      tau_mem, dt, noise_std, resistance, refractory_period)


@njit(cache=True)
def lif_run_constant(
    v, refr, step0, current, n_steps, prefix,
    v_rest, v_reset, v_threshold, tau_mem, dt, noise_std, resistance, refractory_period, out,
):
    """Run ``n_steps`` steps at a constant current; spikes into ``out`` (uint8); returns (v, refr)."""
    for t in range(n_steps):
        c1, c2 = counter_mix(step0 + t)
        v, refr, s = lif_update(
            v, refr, current, prefix, c1, c2, v_rest, v_reset, v_threshold,
            tau_mem, dt, noise_std, resistance, refractory_period,
        )
        out[t] = s
    return v, refr


__all__ = [
    "counter_mix",
    "lif_membrane",
    "lif_run_constant",
    "lif_step",
    "lif_update",
    "noise_prefix",
    "noise_prefixes",
    "normal_draw",
]
