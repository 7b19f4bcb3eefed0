"""Neuron models of the clock-driven engine: parameters, state and the per-step update (private).

A model is three things, as in norse (``LIFParameters`` / ``LIFState`` /
``lif_step``):

* a ``NamedTuple`` of kernel parameters (float32 / int32 arrays of length
  ``n``, or of length 1 when every neuron shares them, plus scalars);
* a ``NamedTuple`` of state arrays, each of length ``n``;
* an update kernel ``update(p, st, lo, hi, buf, flags, theta, homeo, i_const, i_tn, t)``
  that advances neurons ``[lo, hi)`` by one step ``t``: it consumes (and
  zeroes) the summed synaptic input ``buf`` of this step, writes the spike
  flags ``flags[lo:hi]`` (uint8, 1 = spiked) and updates the state in place.
  ``theta`` is the adaptive threshold offset (read when ``homeo``), ``i_const``
  the constant current and ``i_tn`` the time-varying current rows (row ``t``
  applies on step ``t`` while ``t < len(i_tn)``).

:func:`update_neurons` picks the update kernel from the type of ``p`` at
compile time (one specialisation of the engine per model), and in plain
Python (``NUMBA_DISABLE_JIT=1``) from the same registry.  The Python-side
definitions (validation, persistence, reset) are in
``sc_neurocore.network._models``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np
from numba import njit, types
from numba.extending import overload

__all__ = ["LIFParams", "LIFState", "update_neurons"]


class LIFParams(NamedTuple):
    """Kernel parameters of the leaky integrate-and-fire model (float32 unless noted).

    ``alpha = dt / tau_m`` (Euler leak factor), ``refr_steps`` (int32) the steps
    held at ``v_reset`` after a spike.  With ``uni`` every array holds one
    shared value (read as a scalar: less memory traffic, same result).
    """

    dt: Any
    v_rest: np.ndarray
    v_reset: np.ndarray
    thr: np.ndarray
    alpha: np.ndarray
    refr_steps: np.ndarray
    uni: bool


class LIFState(NamedTuple):
    """State of the LIF model: membrane potential ``v`` (float32) and refractory countdown ``refr`` (int32)."""

    v: np.ndarray
    refr: np.ndarray


@njit(cache=True, inline="always")
def _lif(lo, hi, buf, v, refr, flags, alpha, v_rest, v_reset, thr, refr_steps, theta, homeo, dt, i_const):
    """Per-neuron parameters, constant current."""
    # views and a loop from 0: numba then knows the index is non-negative (no wrap-around
    # branch per access), so the loop vectorises
    buf, v, refr, flags, alpha, v_rest, v_reset, thr, refr_steps, theta, i_const = (
        buf[lo:hi], v[lo:hi], refr[lo:hi], flags[lo:hi], alpha[lo:hi], v_rest[lo:hi], v_reset[lo:hi],
        thr[lo:hi], refr_steps[lo:hi], theta[lo:hi], i_const[lo:hi])
    zero = np.float32(0.0)
    for i in range(hi - lo):
        x = buf[i]
        buf[i] = zero
        ri = refr[i]
        vi = v[i]
        vn = vi + alpha[i] * (v_rest[i] - vi) + dt * i_const[i] + x
        th = thr[i] + theta[i] if homeo else thr[i]
        f = (ri <= 0) & (vn >= th)
        v[i] = v_reset[i] if (ri > 0) | f else vn
        refr[i] = ri - 1 if ri > 0 else (refr_steps[i] if f else 0)
        flags[i] = f


@njit(cache=True, inline="always")
def _lif_uniform(lo, hi, buf, v, refr, flags, alpha, v_rest, v_reset, thr, refr_steps, theta, homeo, dt,
                 i_const):
    """:func:`_lif` with scalar (shared) parameters."""
    buf, v, refr, flags = buf[lo:hi], v[lo:hi], refr[lo:hi], flags[lo:hi]
    theta, i_const = theta[lo:hi], i_const[lo:hi]
    zero = np.float32(0.0)
    for i in range(hi - lo):  # from 0: vectorises (see _lif)
        x = buf[i]
        buf[i] = zero
        ri = refr[i]
        vi = v[i]
        vn = vi + alpha * (v_rest - vi) + dt * i_const[i] + x
        th = thr + theta[i] if homeo else thr
        f = (ri <= 0) & (vn >= th)
        v[i] = v_reset if (ri > 0) | f else vn
        refr[i] = ri - 1 if ri > 0 else (refr_steps if f else 0)
        flags[i] = f


@njit(cache=True, inline="always")
def _lif_row(lo, hi, buf, v, refr, flags, alpha, v_rest, v_reset, thr, refr_steps, theta, homeo, dt,
             i_const, i_row):
    """:func:`_lif` with a time-varying current row added to the constant current."""
    buf, v, refr, flags, alpha, v_rest, v_reset, thr, refr_steps, theta, i_const, i_row = (
        buf[lo:hi], v[lo:hi], refr[lo:hi], flags[lo:hi], alpha[lo:hi], v_rest[lo:hi], v_reset[lo:hi],
        thr[lo:hi], refr_steps[lo:hi], theta[lo:hi], i_const[lo:hi], i_row[lo:hi])
    zero = np.float32(0.0)
    for i in range(hi - lo):  # from 0: vectorises (see _lif)
        x = buf[i]
        buf[i] = zero
        ri = refr[i]
        vi = v[i]
        vn = vi + alpha[i] * (v_rest[i] - vi) + dt * (i_const[i] + i_row[i]) + x
        th = thr[i] + theta[i] if homeo else thr[i]
        f = (ri <= 0) & (vn >= th)
        v[i] = v_reset[i] if (ri > 0) | f else vn
        refr[i] = ri - 1 if ri > 0 else (refr_steps[i] if f else 0)
        flags[i] = f


@njit(cache=True, inline="always")
def lif_update(p, st, lo, hi, buf, flags, theta, homeo, i_const, i_tn, t):
    """One forward-Euler step of LIF neurons ``[lo, hi)`` (float32):

    ``v' = v + alpha (v_rest - v) + dt I + x``; a refractory neuron is held at
    ``v_reset`` (input discarded, counter decremented); ``v' >= thr + theta``
    spikes, resets and holds for ``refr_steps`` steps.
    """
    if t < i_tn.shape[0]:
        _lif_row(lo, hi, buf, st.v, st.refr, flags, p.alpha, p.v_rest, p.v_reset, p.thr, p.refr_steps, theta,
                 homeo, p.dt, i_const, i_tn[t])
    elif p.uni:
        _lif_uniform(lo, hi, buf, st.v, st.refr, flags, p.alpha[0], p.v_rest[0], p.v_reset[0], p.thr[0],
                     p.refr_steps[0], theta, homeo, p.dt, i_const)
    else:
        _lif(lo, hi, buf, st.v, st.refr, flags, p.alpha, p.v_rest, p.v_reset, p.thr, p.refr_steps, theta, homeo,
             p.dt, i_const)


#: parameter NamedTuple class -> its update kernel (the models the engine knows)
UPDATES: dict[type, Callable[..., None]] = {LIFParams: lif_update}


def update_neurons(p, st, lo, hi, buf, flags, theta, homeo, i_const, i_tn, t):  # type: ignore[no-untyped-def]
    """Advance neurons ``[lo, hi)`` one step with the update kernel of ``p``'s model (see the module doc)."""
    UPDATES[type(p)](p, st, lo, hi, buf, flags, theta, homeo, i_const, i_tn, t)


@overload(update_neurons, inline="always")
def _update_neurons_jit(p, st, lo, hi, buf, flags, theta, homeo, i_const, i_tn, t):  # type: ignore[no-untyped-def]
    if not isinstance(p, types.BaseNamedTuple) or p.instance_class not in UPDATES:
        return None
    kernel = UPDATES[p.instance_class]

    def impl(p, st, lo, hi, buf, flags, theta, homeo, i_const, i_tn, t):  # type: ignore[no-untyped-def]
        kernel(p, st, lo, hi, buf, flags, theta, homeo, i_const, i_tn, t)

    return impl
