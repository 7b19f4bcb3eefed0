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

__all__ = ["COBAParams", "COBAState", "IzhParams", "IzhState", "LIFExpParams", "LIFExpState", "LIFParams",
           "LIFState", "update_neurons"]


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
    """State of the LIF model: potential ``v`` (float32) and refractory countdown ``refr`` (int32)."""

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
        _lif(lo, hi, buf, st.v, st.refr, flags, p.alpha, p.v_rest, p.v_reset, p.thr, p.refr_steps, theta,
             homeo, p.dt, i_const)


class IzhParams(NamedTuple):
    """Kernel parameters of the Izhikevich model (float32 arrays of length n; ``refr_steps`` int32)."""

    dt: Any
    a: np.ndarray
    b: np.ndarray
    c: np.ndarray
    d: np.ndarray
    v_peak: np.ndarray
    refr_steps: np.ndarray


class IzhState(NamedTuple):
    """State of the Izhikevich model: ``v`` (mV), recovery ``u`` (float32) and ``refr`` (int32)."""

    v: np.ndarray
    u: np.ndarray
    refr: np.ndarray


@njit(cache=True)
def izh_update(p, st, lo, hi, buf, flags, theta, homeo, i_const, i_tn, t):
    """One forward-Euler step of Izhikevich neurons ``[lo, hi)`` (float32, mV and ms):

    ``v' = v + dt (0.04 v^2 + 5 v + 140 - u + I) + x``, ``u' = u + dt a (b v - u)``;
    ``v' >= v_peak + theta`` spikes: ``v = c``, ``u = u' + d``.  A refractory
    neuron is held at ``v = c`` (input discarded) while ``u`` evolves.
    """
    row = t < i_tn.shape[0]
    dt = p.dt
    v, u, refr = st.v, st.u, st.refr
    zero = np.float32(0.0)
    k2 = np.float32(0.04)
    k1 = np.float32(5.0)
    k0 = np.float32(140.0)
    for i in range(lo, hi):
        x = buf[i]
        buf[i] = zero
        cur = i_const[i] + i_tn[t, i] if row else i_const[i]
        vi = v[i]
        ui = u[i]
        ri = refr[i]
        vn = vi + dt * (k2 * vi * vi + k1 * vi + k0 - ui + cur) + x
        un = ui + dt * (p.a[i] * (p.b[i] * vi - ui))
        th = p.v_peak[i] + theta[i] if homeo else p.v_peak[i]
        f = (ri <= 0) & (vn >= th)
        v[i] = p.c[i] if (ri > 0) | f else vn
        u[i] = un + p.d[i] if f else un
        refr[i] = ri - 1 if ri > 0 else (p.refr_steps[i] if f else 0)
        flags[i] = f


class LIFExpParams(NamedTuple):
    """Kernel parameters of the LIF model with exponential current synapses (float32 arrays of length n).

    ``em = exp(-dt / tau_m)``, ``es = exp(-dt / tau_syn)``, ``p21`` the
    current-to-potential propagator (see :func:`lif_exp_update`), ``inv_tau_syn = 1 / tau_syn``.
    """

    v_rest: np.ndarray
    v_reset: np.ndarray
    thr: np.ndarray
    tau_m: np.ndarray
    em: np.ndarray
    es: np.ndarray
    p21: np.ndarray
    inv_tau_syn: np.ndarray
    refr_steps: np.ndarray


class LIFExpState(NamedTuple):
    """State: ``v``, synaptic current ``i_syn`` (potential units per ms, float32) and ``refr`` (int32)."""

    v: np.ndarray
    i_syn: np.ndarray
    refr: np.ndarray


@njit(cache=True)
def lif_exp_update(p, st, lo, hi, buf, flags, theta, homeo, i_const, i_tn, t):
    """One exact step of LIF neurons with exponential current synapses ``[lo, hi)`` (float32).

    Between steps ``dv/dt = (v_rest - v) / tau_m + i_syn + I``,
    ``di_syn/dt = -i_syn / tau_syn``; the jumps ``x`` arriving on the step
    enter first, ``i_syn += x / tau_syn`` (so a weight ``w`` is the total
    charge, the delta model's jump in the limit ``tau_syn -> 0``); then over
    ``dt``, exactly, with ``v_inf = v_rest + tau_m I``:
    ``v' = v_inf + (v - v_inf) em + i_syn p21``, ``i_syn' = i_syn es``.
    A refractory neuron is held at ``v_reset`` while its current still
    integrates and decays (NEST ``iaf_psc_exp``); ``v' >= thr + theta`` spikes.
    """
    row = t < i_tn.shape[0]
    v, isyn, refr = st.v, st.i_syn, st.refr
    zero = np.float32(0.0)
    for i in range(lo, hi):
        x = buf[i]
        buf[i] = zero
        cur = i_const[i] + i_tn[t, i] if row else i_const[i]
        vi = v[i]
        ri = refr[i]
        si = isyn[i] + x * p.inv_tau_syn[i]
        v_inf = p.v_rest[i] + p.tau_m[i] * cur
        vn = v_inf + (vi - v_inf) * p.em[i] + si * p.p21[i]
        isyn[i] = si * p.es[i]
        th = p.thr[i] + theta[i] if homeo else p.thr[i]
        f = (ri <= 0) & (vn >= th)
        v[i] = p.v_reset[i] if (ri > 0) | f else vn
        refr[i] = ri - 1 if ri > 0 else (p.refr_steps[i] if f else 0)
        flags[i] = f


class COBAParams(NamedTuple):
    """Kernel parameters of the conductance-based LIF (float32 arrays of length n).

    ``alpha = dt / tau_m``; ``dec_e = exp(-dt / tau_exc)``, ``dec_i = exp(-dt / tau_inh)``;
    reversal potentials ``e_exc``, ``e_inh``.
    """

    dt: Any
    v_rest: np.ndarray
    v_reset: np.ndarray
    thr: np.ndarray
    alpha: np.ndarray
    e_exc: np.ndarray
    e_inh: np.ndarray
    dec_e: np.ndarray
    dec_i: np.ndarray
    refr_steps: np.ndarray


class COBAState(NamedTuple):
    """State: ``v``, conductances ``g_exc``, ``g_inh`` (leak conductance units, float32), ``refr``."""

    v: np.ndarray
    g_exc: np.ndarray
    g_inh: np.ndarray
    refr: np.ndarray


@njit(cache=True)
def coba_update(p, st, lo, hi, buf, flags, theta, homeo, i_const, i_tn, t):
    """One step of conductance-based LIF neurons ``[lo, hi)`` (float32); ``buf`` holds two channels.

    Jumps arrive first: ``g_exc += x_exc``, ``g_inh += -x_inh`` (the ring's
    inhibitory channel ``buf[n + i]`` sums the negative jumps).  Then forward
    Euler for ``v``,
    ``v' = v + alpha ((v_rest - v) + g_exc (e_exc - v) + g_inh (e_inh - v)) + dt I``,
    and the exact decay ``g' = g exp(-dt / tau)``.  A refractory neuron is
    held at ``v_reset`` while its conductances integrate and decay (Brian2's
    ``(unless refractory)`` on ``v`` only); ``v' >= thr + theta`` spikes.
    """
    n = st.v.shape[0]
    row = t < i_tn.shape[0]
    v, ge, gi, refr = st.v, st.g_exc, st.g_inh, st.refr
    dt = p.dt
    zero = np.float32(0.0)
    for i in range(lo, hi):
        xe = buf[i]
        xi = buf[n + i]
        buf[i] = zero
        buf[n + i] = zero
        cur = i_const[i] + i_tn[t, i] if row else i_const[i]
        gei = ge[i] + xe
        gii = gi[i] - xi
        vi = v[i]
        ri = refr[i]
        drive = (p.v_rest[i] - vi) + gei * (p.e_exc[i] - vi) + gii * (p.e_inh[i] - vi)
        vn = vi + p.alpha[i] * drive + dt * cur
        ge[i] = gei * p.dec_e[i]
        gi[i] = gii * p.dec_i[i]
        th = p.thr[i] + theta[i] if homeo else p.thr[i]
        f = (ri <= 0) & (vn >= th)
        v[i] = p.v_reset[i] if (ri > 0) | f else vn
        refr[i] = ri - 1 if ri > 0 else (p.refr_steps[i] if f else 0)
        flags[i] = f


#: parameter NamedTuple class -> its update kernel (the models the engine knows)
UPDATES: dict[type, Callable[..., None]] = {LIFParams: lif_update, IzhParams: izh_update,
                                            LIFExpParams: lif_exp_update, COBAParams: coba_update}


def update_neurons(p, st, lo, hi, buf, flags, theta, homeo, i_const, i_tn, t):  # type: ignore[no-untyped-def]
    """Advance neurons ``[lo, hi)`` one step with the update kernel of ``p``'s model (see the module doc)."""
    UPDATES[type(p)](p, st, lo, hi, buf, flags, theta, homeo, i_const, i_tn, t)


@overload(update_neurons)
def _update_neurons_jit(p, st, lo, hi, buf, flags, theta, homeo, i_const, i_tn, t):  # type: ignore[no-untyped-def]
    if not isinstance(p, types.BaseNamedTuple) or p.instance_class not in UPDATES:
        return None
    kernel = UPDATES[p.instance_class]

    def impl(p, st, lo, hi, buf, flags, theta, homeo, i_const, i_tn, t):  # type: ignore[no-untyped-def]
        kernel(p, st, lo, hi, buf, flags, theta, homeo, i_const, i_tn, t)

    return impl
