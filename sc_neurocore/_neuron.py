"""Stochastic leaky integrate-and-fire neuron (discrete time, Euler; conventions §4)."""

from __future__ import annotations

from typing import Any

import numpy as np

from sc_neurocore._kernels._lif import lif_run_constant, lif_step, noise_prefix
from sc_neurocore._rng import SeedLike, key_from_seed
from sc_neurocore._validation import check_count, check_int, check_real

__all__ = ["StochasticLIFNeuron", "NEURON_PARAMS"]

#: Parameter names accepted by :class:`StochasticLIFNeuron` (also the allowed
#: keys of ``neuron_params`` in :class:`~sc_neurocore.SCDenseLayer`).
NEURON_PARAMS: tuple[str, ...] = (
    "v_rest",
    "v_reset",
    "v_threshold",
    "tau_mem",
    "dt",
    "noise_std",
    "resistance",
    "refractory_period",
)


class StochasticLIFNeuron:
    r"""Discrete-time leaky integrate-and-fire neuron with optional Gaussian noise.

    Each call of :meth:`step` advances one time step of ``dt`` ms:

    .. math::

        V \leftarrow V + dt\left(-\frac{V - V_\text{rest}}{\tau_\text{mem}} + R I\right)
        + \sigma\,\xi_t, \qquad \xi_t \sim \mathcal N(0, 1)

    and if :math:`V \ge V_\theta` the neuron spikes (returns 1), resets to
    ``v_reset`` and is then held at ``v_reset`` for ``refractory_period`` steps
    (input discarded, no spike).  The noise is added per step and is *not*
    scaled by ``dt`` (the tutorial's :math:`\mathcal N(0, \sigma^2)`).

    Parameters
    ----------
    v_rest, v_reset, v_threshold : float
        Resting, reset and threshold potentials (model units);
        ``v_reset < v_threshold`` is required.
    tau_mem : float
        Membrane time constant in ms, > 0.
    dt : float
        Time step in ms, > 0.
    noise_std : float
        Standard deviation :math:`\sigma` of the per-step voltage noise, >= 0.
    resistance : float
        Membrane resistance :math:`R` (model units), > 0.
    refractory_period : int
        Steps held at ``v_reset`` after a spike, >= 0.
    seed : None, int, SeedSequence or Generator
        Keys the noise: the draw of step ``t`` is
        ``standard_normal(k0, k1, noise_stream, t)`` with
        ``(k0, k1) = key_from_seed(seed)`` (conventions §2, §4).
    noise_stream : int
        Index of the noise stream under that key (the counter hash's domain),
        >= 0.  Neurons with one seed and different ``noise_stream`` have
        independent noise; neuron ``i`` of an
        :class:`~sc_neurocore.SCDenseLayer` is ``noise_stream=i``.

    Notes
    -----
    For a constant current with ``v_rest = v_reset = 0`` and no refractory
    period, the continuous-time inter-spike interval is
    :math:`T = -\tau \ln(1 - V_\theta / (R I \tau))` (defined when
    :math:`R I \tau > V_\theta`).  Euler at step ``dt`` gives
    :math:`V_n = R I \tau (1 - a^n)` with :math:`a = 1 - dt/\tau`, so the
    discrete ISI is :math:`\lceil \ln(1 - V_\theta/(R I\tau)) / \ln a \rceil`
    steps.  Example: I = 0.08, tau = 20, V_th = 1: T = 19.6 ms (51.0 Hz);
    Euler at dt = 1 crosses on step 20 (50.0 Hz).
    """

    def __init__(
        self,
        v_rest: float = 0.0,
        v_reset: float = 0.0,
        v_threshold: float = 1.0,
        tau_mem: float = 20.0,
        dt: float = 1.0,
        noise_std: float = 0.0,
        resistance: float = 1.0,
        refractory_period: int = 0,
        seed: SeedLike = None,
        *,
        noise_stream: int = 0,
    ) -> None:
        params = validate_neuron_params(
            v_rest=v_rest,
            v_reset=v_reset,
            v_threshold=v_threshold,
            tau_mem=tau_mem,
            dt=dt,
            noise_std=noise_std,
            resistance=resistance,
            refractory_period=refractory_period,
        )
        self.v_rest: float = params["v_rest"]
        self.v_reset: float = params["v_reset"]
        self.v_threshold: float = params["v_threshold"]
        self.tau_mem: float = params["tau_mem"]
        self.dt: float = params["dt"]
        self.noise_std: float = params["noise_std"]
        self.resistance: float = params["resistance"]
        self.refractory_period: int = params["refractory_period"]
        self.noise_stream: int = check_int(noise_stream, "noise_stream", low=0, high=2**63 - 1)
        key = key_from_seed(seed)
        self._prefix = np.uint64(noise_prefix(key[0], key[1], np.uint64(self.noise_stream)))
        self.reset()

    def reset(self) -> None:
        """Back to ``v = v_rest``, not refractory, step counter 0 (the noise sequence restarts)."""
        self.v: float = self.v_rest
        self.refractory_counter: int = 0
        self.step_count: int = 0

    def step(self, I: float) -> int:  # noqa: E741 - the tutorial's name for the current
        """Advance one time step with input current ``I``; return 1 on a spike, else 0."""
        current = check_real(I, "I")
        v, refr, spike = lif_step(
            self.v, self.refractory_counter, self.step_count, current, self._prefix,
            self.v_rest, self.v_reset, self.v_threshold, self.tau_mem, self.dt,
            self.noise_std, self.resistance, self.refractory_period,
        )
        self.v = float(v)
        self.refractory_counter = int(refr)
        self.step_count += 1
        return int(spike)

    def run_constant(self, I: float, n_steps: int) -> np.ndarray:  # noqa: E741
        """Run ``n_steps`` steps at constant current ``I`` in one kernel call.

        Identical to calling :meth:`step` ``n_steps`` times; returns the spikes
        as a uint8 array of shape ``(n_steps,)``.
        """
        current = check_real(I, "I")
        n = check_count(n_steps, "n_steps", low=0)
        out = np.zeros(n, dtype=np.uint8)
        v, refr = lif_run_constant(
            self.v, self.refractory_counter, self.step_count, current, n, self._prefix,
            self.v_rest, self.v_reset, self.v_threshold, self.tau_mem, self.dt,
            self.noise_std, self.resistance, self.refractory_period, out,
        )
        self.v = float(v)
        self.refractory_counter = int(refr)
        self.step_count += n
        return out

    def __repr__(self) -> str:
        return (
            f"StochasticLIFNeuron(v_rest={self.v_rest}, v_reset={self.v_reset}, "
            f"v_threshold={self.v_threshold}, tau_mem={self.tau_mem}, dt={self.dt}, "
            f"noise_std={self.noise_std}, resistance={self.resistance}, "
            f"refractory_period={self.refractory_period})"
        )


def validate_neuron_params(**kw: Any) -> dict[str, Any]:
    """Validate LIF parameters (all of :data:`NEURON_PARAMS`); return them as floats/int."""
    out: dict[str, Any] = {
        "v_rest": check_real(kw["v_rest"], "v_rest"),
        "v_reset": check_real(kw["v_reset"], "v_reset"),
        "v_threshold": check_real(kw["v_threshold"], "v_threshold"),
        "tau_mem": check_real(kw["tau_mem"], "tau_mem", low=0.0, low_open=True),
        "dt": check_real(kw["dt"], "dt", low=0.0, low_open=True),
        "noise_std": check_real(kw["noise_std"], "noise_std", low=0.0),
        "resistance": check_real(kw["resistance"], "resistance", low=0.0, low_open=True),
        "refractory_period": check_count(kw["refractory_period"], "refractory_period", low=0),
    }
    if not out["v_reset"] < out["v_threshold"]:
        raise ValueError(
            f"v_reset must be < v_threshold ({out['v_threshold']}); got {out['v_reset']}"
        )
    return out
