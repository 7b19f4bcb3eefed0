"""Plasticity rules: pair-based STDP and an adaptive threshold (private; re-exported).

Weight-level tools that act between runs (``rescale_weights``, ``prune``)
live on :class:`~sc_neurocore.network.Network`.
"""

from __future__ import annotations

import math

from .._validation import check_choice, check_real
from ._population import check_f32

__all__ = ["STDP", "Homeostasis"]


def _check_bool(value: object, name: str) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be a bool; got {type(value).__name__} {value!r}")
    return value


class STDP:
    """Pair-based STDP with exponentially decaying traces, the reservoir package's rule set.

    Every step each trace decays, ``x <- x * exp(-dt / tau)``; then the
    synapses of neurons that spiked this step are updated from the *decayed
    traces before this step's increments*; then spiking neurons' traces are
    incremented by 1 (``nearest_neighbor=True``: set to 1, so only the nearest
    pair counts).  A pre/post pair on the same step therefore changes nothing.

    On a presynaptic spike (LTD, from the postsynaptic trace ``x_post``) and on a
    postsynaptic spike (LTP, from the presynaptic trace ``x_pre``), with
    ``m = |w|``:

    * ``additive``:       LTP ``m += eta A+ x_pre``;  LTD ``m -= eta A- x_post``
    * ``multiplicative``: LTP ``m += eta A+ x_pre (1 - m / W_max)``;
      LTD ``m *= 1 - (eta A- / W_max) x_post``

    The sign of each synapse is fixed when the network is built (inhibitory
    synapses stay inhibitory); ``clip=True`` keeps ``m`` in ``[0, W_max]``.
    ``lock_A_minus=True`` sets ``A- = A+ tau_plus / tau_minus``.

    Units: ``tau_plus``/``tau_minus`` are in **ms**.  The reservoir package's
    defaults 0.02 and 0.04 are evidently seconds (20 and 40 ms); our defaults
    are 20.0 and 40.0 ms.
    """

    def __init__(
        self,
        *,
        tau_plus: float = 20.0,
        tau_minus: float = 40.0,
        A_plus: float = 1e-3,
        A_minus: float = 1e-3,
        eta: float = 1.0,
        W_max: float = 1.0,
        clip: bool = True,
        nearest_neighbor: bool = False,
        lock_A_minus: bool = False,
        rule: str = "multiplicative",
    ) -> None:
        self.tau_plus = check_real(tau_plus, "tau_plus", low=0.0, low_open=True)
        self.tau_minus = check_real(tau_minus, "tau_minus", low=0.0, low_open=True)
        self.A_plus = check_real(A_plus, "A_plus", low=0.0)
        self.lock_A_minus = _check_bool(lock_A_minus, "lock_A_minus")
        a_minus = check_real(A_minus, "A_minus", low=0.0)
        self.A_minus = self.A_plus * self.tau_plus / self.tau_minus if self.lock_A_minus else a_minus
        self.eta = check_real(eta, "eta", low=0.0)
        self.W_max = check_real(W_max, "W_max", low=0.0, low_open=True)
        self.clip = _check_bool(clip, "clip")
        self.nearest_neighbor = _check_bool(nearest_neighbor, "nearest_neighbor")
        self.rule = check_choice(rule, "rule", ("multiplicative", "additive"))
        # the kernel works in float32 with the products eta * A+ and eta * A-
        check_f32(self.W_max, "W_max")
        check_f32(self.eta * self.A_plus, "eta * A_plus")
        check_f32(self.eta * self.A_minus, "eta * A_minus")

    def decay(self, dt: float) -> tuple[float, float]:
        """Per-step trace factors ``(exp(-dt / tau_plus), exp(-dt / tau_minus))``."""
        return math.exp(-dt / self.tau_plus), math.exp(-dt / self.tau_minus)

    def to_dict(self) -> dict[str, object]:
        return {
            "tau_plus": self.tau_plus, "tau_minus": self.tau_minus, "A_plus": self.A_plus,
            "A_minus": self.A_minus, "eta": self.eta, "W_max": self.W_max, "clip": self.clip,
            "nearest_neighbor": self.nearest_neighbor, "lock_A_minus": False, "rule": self.rule,
        }


class Homeostasis:
    """Adaptive threshold: the effective threshold is ``threshold + theta``.

    ``theta`` decays each step by ``exp(-dt / tau_theta)`` (``tau_theta`` in ms)
    and grows by ``theta_plus`` on every spike of the neuron, so neurons that
    fire a lot become harder to excite.
    """

    def __init__(self, *, theta_plus: float = 0.05, tau_theta: float = 1000.0) -> None:
        self.theta_plus = check_real(theta_plus, "theta_plus", low=0.0)
        check_f32(self.theta_plus, "theta_plus")
        self.tau_theta = check_real(tau_theta, "tau_theta", low=0.0, low_open=True)

    def to_dict(self) -> dict[str, object]:
        return {"theta_plus": self.theta_plus, "tau_theta": self.tau_theta}
