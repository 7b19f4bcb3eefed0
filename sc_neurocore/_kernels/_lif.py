"""Discrete-time LIF update (conventions §4), shared by the single neuron and the layer.

One function, :func:`lif_update`, is the only place the membrane equation is
written, so :class:`~sc_neurocore.StochasticLIFNeuron` and the dense-layer
kernel produce bit-identical voltages and spikes.
"""

from __future__ import annotations

from numba import njit

from sc_neurocore._kernels._hash import standard_normal


@njit(cache=True)
def lif_update(
    v, refr, step, current, k0, k1,
    v_rest, v_reset, v_threshold, tau_mem, dt, noise_std, resistance, refractory_period,
):
    """One Euler step of the LIF neuron.

    Returns ``(v', refr', spike)``.  ``step`` is the neuron's step index, the
    counter of its Gaussian noise draw ``standard_normal(k0, k1, 0, step)``;
    refractory steps consume a counter value too, so the noise of step ``t``
    never depends on what happened before.
    """
    if refr > 0:
        return v_reset, refr - 1, 0
    noise = 0.0
    if noise_std != 0.0:
        noise = noise_std * standard_normal(k0, k1, 0, step)
    v = v + dt * (-(v - v_rest) / tau_mem + resistance * current) + noise
    if v >= v_threshold:
        return v_reset, refractory_period, 1
    return v, refr, 0


@njit(cache=True)
def lif_run_constant(
    v, refr, step0, current, n_steps, k0, k1,
    v_rest, v_reset, v_threshold, tau_mem, dt, noise_std, resistance, refractory_period, out,
):
    """Run ``n_steps`` steps at a constant current; spikes into ``out`` (uint8); returns (v, refr)."""
    for t in range(n_steps):
        v, refr, s = lif_update(
            v, refr, step0 + t, current, k0, k1, v_rest, v_reset, v_threshold,
            tau_mem, dt, noise_std, resistance, refractory_period,
        )
        out[t] = s
    return v, refr


__all__ = ["lif_run_constant", "lif_update"]
