"""ExpSynLIF in the event-driven engine: its state rows and :class:`~._event.EvOps` (private).

Importing this module registers the model in ``_event.EV_MODELS`` under :class:`EvExpSyn` (as a
model from outside the package would be; ``network._event_models`` imports it).  The maths, and
why no threshold crossing is missed, are in :mod:`._expsyn_exact`.

State row (10 float64 columns): LIF's ``V``, ``VINF``, ``TAU`` (``tau_m``) and ``THR``, the
engine's ``TUPD``, ``TSPK``, ``ACC`` and ``VER``, then ``ISYN`` (the synaptic current ``i_syn`` at
``t_upd``) and ``TAUS`` (``tau_syn``).  While a neuron is refractory, ``t_upd`` is the end of its
refractory period, ``v`` is held at ``v_reset`` and ``ISYN`` is the current *at that end*: an input
sum ``x`` at ``t <= t_upd`` adds ``x / tau_syn * exp(-(t_upd - t) / tau_syn)``, exact because the
current decays linearly, so one time column serves both variables.  Inputs are never discarded
(NEST ``iaf_psc_exp``; the clock-driven ``lif_exp_update``).
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from numba import njit

from ._event import EV_MODELS, TAU, THR, TUPD, VINF, EvOps, V
from ._expsyn_exact import crossing_time_exp, propagate_exp

__all__ = ["ISYN", "N_COLS_EXPSYN", "TAUS", "EvExpSyn"]

ISYN, TAUS = 8, 9
N_COLS_EXPSYN = 10


class EvExpSyn(NamedTuple):
    """Kernel parameters of the event-driven ExpSynLIF (float64 arrays of length ``n``)."""

    v_reset: np.ndarray
    t_ref: np.ndarray  # refractory period (ms)


@njit(cache=True)
def _reset(m, S, i, t):
    """Spike at ``t``: ``v = v_reset`` until ``t + t_ref``; ``i_syn`` carried from ``t_upd <= t`` to then."""
    te = t + m.t_ref[i]
    S[i, ISYN] = S[i, ISYN] * math.exp(-(te - S[i, TUPD]) / S[i, TAUS])
    S[i, V] = m.v_reset[i]
    S[i, TUPD] = te


@njit(cache=True)
def _input(m, S, i, t, x):
    """Propagate ``(v, i_syn)`` to ``t``, then ``i_syn += x / tau_syn`` (``v`` does not jump)."""
    v, s = propagate_exp(S[i, V], S[i, ISYN], S[i, VINF], S[i, TAU], S[i, TAUS], t - S[i, TUPD])
    S[i, V] = v
    S[i, ISYN] = s + x / S[i, TAUS]
    S[i, TUPD] = t
    # v reaches the threshold here only within rounding of a crossing predicted at (or just after) t
    return v >= S[i, THR]


@njit(cache=True)
def _held(m, S, i, t, x):
    """Input while held: its current at the end of the refractory period ``t_upd >= t``."""
    S[i, ISYN] += x / S[i, TAUS] * math.exp(-(S[i, TUPD] - t) / S[i, TAUS])
    return True


@njit(cache=True)
def _crossing(m, S, i):
    return crossing_time_exp(S[i, TUPD], S[i, V], S[i, ISYN], S[i, VINF], S[i, THR], S[i, TAU], S[i, TAUS])


@njit(cache=True)
def _set_drive(m, S, i, t, value):
    tu = S[i, TUPD]
    if t > tu:
        v, s = propagate_exp(S[i, V], S[i, ISYN], S[i, VINF], S[i, TAU], S[i, TAUS], t - tu)
        S[i, V] = v
        S[i, ISYN] = s
        S[i, TUPD] = t
    S[i, VINF] = value


@njit(cache=True)
def _potential(m, S, i, t):
    if t > S[i, TUPD]:
        return propagate_exp(S[i, V], S[i, ISYN], S[i, VINF], S[i, TAU], S[i, TAUS], t - S[i, TUPD])[0]
    return S[i, V]


EV_MODELS[EvExpSyn] = EvOps(_reset, _input, _crossing, _set_drive, _potential, _held)
