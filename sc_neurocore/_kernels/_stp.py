"""Tsodyks–Markram short-term plasticity: the per-spike update both network engines call (private).

One row ``Q[i]`` per presynaptic neuron holds its parameters and its state
after its last spike; :func:`stp_release` advances it to a spike and returns
the released fraction.  The event-driven engine calls it at exact spike
times, the clock-driven one at ``t * dt`` (``sc_neurocore.network``'s
``TsodyksMarkram`` documents the model).
"""

from __future__ import annotations

import math

from numba import njit

__all__ = ["STP_COLS", "STP_LAST", "STP_TD", "STP_TF", "STP_U", "STP_UV", "STP_XV", "stp_release"]

# columns of the short-term plasticity rows ``Q[i]``: parameters, then state after the last spike
STP_U, STP_TF, STP_TD, STP_UV, STP_XV, STP_LAST = 0, 1, 2, 3, 4, 5
STP_COLS = 6


@njit(cache=True, inline="always")
def stp_release(Q, i, t):
    """Tsodyks–Markram release of presynaptic neuron ``i`` spiking at ``t``; returns ``r = u x``.

    From the state after the previous spike at ``t0 = Q[i, STP_LAST]`` (``-inf``:
    none; then ``u = 0``, ``x = 1``): ``u^- = u e^{-(t - t0)/tau_f}``,
    ``x^- = 1 - (1 - x) e^{-(t - t0)/tau_d}`` (a zero time constant: full decay,
    full recovery), ``u = u^- + U (1 - u^-)``, ``r = u x^-``, ``x = x^- - r``.
    """
    dt = t - Q[i, STP_LAST]
    tf = Q[i, STP_TF]
    td = Q[i, STP_TD]
    u = Q[i, STP_UV] * math.exp(-dt / tf) if tf > 0.0 else 0.0
    u += Q[i, STP_U] * (1.0 - u)
    x = 1.0 - (1.0 - Q[i, STP_XV]) * math.exp(-dt / td) if td > 0.0 else 1.0
    r = u * x
    Q[i, STP_UV] = u
    Q[i, STP_XV] = x - r
    Q[i, STP_LAST] = t
    return r
