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


# Shared helpers of the update loops.  Each model's loop is written once and compiled for two
# kinds of parameters: per-neuron arrays (indexed per neuron) and shared scalars (the ``uni``
# path: one value read once, so a neuron update streams its state only); ``_view`` / ``_at``
# pick the access from the argument's type at compile time.  Loops take views and count from
# 0: numba then knows every index is non-negative (no wrap-around branch per access), so the
# loops vectorise.


def _view(a, lo, hi):  # type: ignore[no-untyped-def]
    """``a[lo:hi]`` for an array; a scalar or None unchanged."""
    return a[lo:hi] if isinstance(a, np.ndarray) else a


def _at(a, i):  # type: ignore[no-untyped-def]
    """``a[i]`` for an array; a scalar unchanged."""
    return a[i] if isinstance(a, np.ndarray) else a


def _plus_row(c, row, i):  # type: ignore[no-untyped-def]
    """``c + row[i]``, or ``c`` itself (not ``c + 0``: keeps a ``-0.0``) when ``row`` is None."""
    return c if row is None else c + row[i]


@overload(_view)
def _view_jit(a, lo, hi):  # type: ignore[no-untyped-def]
    if isinstance(a, types.Array):
        return lambda a, lo, hi: a[lo:hi]
    return lambda a, lo, hi: a


@overload(_at)
def _at_jit(a, i):  # type: ignore[no-untyped-def]
    if isinstance(a, types.Array):
        return lambda a, i: a[i]
    return lambda a, i: a


@overload(_plus_row)
def _plus_row_jit(c, row, i):  # type: ignore[no-untyped-def]
    if isinstance(row, (types.NoneType, types.Omitted)) or row is None:
        return lambda c, row, i: c
    return lambda c, row, i: c + row[i]


@njit(cache=True, inline="always")
def _fire(vn, ri, thr, theta, i, homeo, v_hold, refr_steps):
    """The tail every model shares: spike test, reset and refractory countdown of one neuron.

    ``vn`` is the integrated potential, ``ri`` the countdown before the step.
    A neuron spikes when it is not refractory (``ri <= 0``) and
    ``vn >= thr (+ theta[i] with homeo)``; a spiking or refractory neuron is
    set to ``v_hold``; the countdown is decremented while positive and set to
    ``refr_steps`` by a spike.  Returns ``(v', refr', spiked)``.
    """
    th = thr + theta[i] if homeo else thr
    f = (ri <= 0) & (vn >= th)
    return (v_hold if (ri > 0) | f else vn), (ri - 1 if ri > 0 else (refr_steps if f else 0)), f


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
    uni: bool = False


class LIFState(NamedTuple):
    """State of the LIF model: potential ``v`` (float32) and refractory countdown ``refr`` (int32)."""

    v: np.ndarray
    refr: np.ndarray


@njit(cache=True, inline="always")
def _lif(lo, hi, buf, v, refr, flags, alpha, v_rest, v_reset, thr, refr_steps, theta, homeo, dt, i_const,
         i_row):
    """LIF loop over ``[lo, hi)``: parameters arrays or scalars, ``i_row`` a current row or None."""
    buf, v, refr, flags, theta, i_const = buf[lo:hi], v[lo:hi], refr[lo:hi], flags[lo:hi], theta[lo:hi], \
        i_const[lo:hi]
    alpha, v_rest, v_reset, thr, refr_steps, i_row = (
        _view(alpha, lo, hi), _view(v_rest, lo, hi), _view(v_reset, lo, hi), _view(thr, lo, hi),
        _view(refr_steps, lo, hi), _view(i_row, lo, hi))
    zero = np.float32(0.0)
    for i in range(hi - lo):
        x = buf[i]
        buf[i] = zero
        vi = v[i]
        vn = vi + _at(alpha, i) * (_at(v_rest, i) - vi) + dt * _plus_row(i_const[i], i_row, i) + x
        v[i], refr[i], flags[i] = _fire(vn, refr[i], _at(thr, i), theta, i, homeo, _at(v_reset, i),
                                        _at(refr_steps, i))


@njit(cache=True, inline="always")
def lif_update(p, st, lo, hi, buf, flags, theta, homeo, i_const, i_tn, t):
    """One forward-Euler step of LIF neurons ``[lo, hi)`` (float32):

    ``v' = v + alpha (v_rest - v) + dt I + x``; a refractory neuron is held at
    ``v_reset`` (input discarded, counter decremented); ``v' >= thr + theta``
    spikes, resets and holds for ``refr_steps`` steps.
    """
    if t < i_tn.shape[0]:
        _lif(lo, hi, buf, st.v, st.refr, flags, p.alpha, p.v_rest, p.v_reset, p.thr, p.refr_steps, theta,
             homeo, p.dt, i_const, i_tn[t])
    elif p.uni:
        _lif(lo, hi, buf, st.v, st.refr, flags, p.alpha[0], p.v_rest[0], p.v_reset[0], p.thr[0],
             p.refr_steps[0], theta, homeo, p.dt, i_const, None)
    else:
        _lif(lo, hi, buf, st.v, st.refr, flags, p.alpha, p.v_rest, p.v_reset, p.thr, p.refr_steps, theta,
             homeo, p.dt, i_const, None)


class IzhParams(NamedTuple):
    """Kernel parameters of the Izhikevich model (float32 arrays of length n, or 1 with ``uni``;
    ``refr_steps`` int32)."""

    dt: Any
    a: np.ndarray
    b: np.ndarray
    c: np.ndarray
    d: np.ndarray
    v_peak: np.ndarray
    refr_steps: np.ndarray
    uni: bool = False


class IzhState(NamedTuple):
    """State of the Izhikevich model: ``v`` (mV), recovery ``u`` (float32) and ``refr`` (int32)."""

    v: np.ndarray
    u: np.ndarray
    refr: np.ndarray


@njit(cache=True, inline="always")
def _izh(lo, hi, buf, v, u, refr, flags, a, b, c, d, v_peak, refr_steps, theta, homeo, dt, i_const, i_row):
    """Izhikevich loop over ``[lo, hi)`` (see :func:`_lif` for the argument kinds)."""
    buf, v, u, refr, flags, theta, i_const = buf[lo:hi], v[lo:hi], u[lo:hi], refr[lo:hi], flags[lo:hi], \
        theta[lo:hi], i_const[lo:hi]
    a, b, c, d, v_peak, refr_steps, i_row = (
        _view(a, lo, hi), _view(b, lo, hi), _view(c, lo, hi), _view(d, lo, hi), _view(v_peak, lo, hi),
        _view(refr_steps, lo, hi), _view(i_row, lo, hi))
    zero = np.float32(0.0)
    k2 = np.float32(0.04)
    k1 = np.float32(5.0)
    k0 = np.float32(140.0)
    for i in range(hi - lo):
        x = buf[i]
        buf[i] = zero
        cur = _plus_row(i_const[i], i_row, i)
        vi = v[i]
        ui = u[i]
        vn = vi + dt * (k2 * vi * vi + k1 * vi + k0 - ui + cur) + x
        un = ui + dt * (_at(a, i) * (_at(b, i) * vi - ui))
        v[i], refr[i], f = _fire(vn, refr[i], _at(v_peak, i), theta, i, homeo, _at(c, i), _at(refr_steps, i))
        u[i] = un + _at(d, i) if f else un
        flags[i] = f


@njit(cache=True)
def izh_update(p, st, lo, hi, buf, flags, theta, homeo, i_const, i_tn, t):
    """One forward-Euler step of Izhikevich neurons ``[lo, hi)`` (float32, mV and ms):

    ``v' = v + dt (0.04 v^2 + 5 v + 140 - u + I) + x``, ``u' = u + dt a (b v - u)``;
    ``v' >= v_peak + theta`` spikes: ``v = c``, ``u = u' + d``.  A refractory
    neuron is held at ``v = c`` (input discarded) while ``u`` evolves.
    """
    if t < i_tn.shape[0]:
        _izh(lo, hi, buf, st.v, st.u, st.refr, flags, p.a, p.b, p.c, p.d, p.v_peak, p.refr_steps, theta,
             homeo, p.dt, i_const, i_tn[t])
    elif p.uni:
        _izh(lo, hi, buf, st.v, st.u, st.refr, flags, p.a[0], p.b[0], p.c[0], p.d[0], p.v_peak[0],
             p.refr_steps[0], theta, homeo, p.dt, i_const, None)
    else:
        _izh(lo, hi, buf, st.v, st.u, st.refr, flags, p.a, p.b, p.c, p.d, p.v_peak, p.refr_steps, theta,
             homeo, p.dt, i_const, None)


class LIFExpParams(NamedTuple):
    """Kernel parameters of the LIF model with exponential current synapses (float32 arrays of length n,
    or 1 with ``uni``).

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
    uni: bool = False


class LIFExpState(NamedTuple):
    """State: ``v``, synaptic current ``i_syn`` (potential units per ms, float32) and ``refr`` (int32)."""

    v: np.ndarray
    i_syn: np.ndarray
    refr: np.ndarray


@njit(cache=True, inline="always")
def _lif_exp(lo, hi, buf, v, isyn, refr, flags, v_rest, v_reset, thr, tau_m, em, es, p21, inv_tau_syn,
             refr_steps, theta, homeo, i_const, i_row):
    """Exponential-synapse LIF loop over ``[lo, hi)`` (see :func:`_lif` for the argument kinds)."""
    buf, v, isyn, refr, flags, theta, i_const = buf[lo:hi], v[lo:hi], isyn[lo:hi], refr[lo:hi], \
        flags[lo:hi], theta[lo:hi], i_const[lo:hi]
    v_rest, v_reset, thr, tau_m, em, es, p21, inv_tau_syn, refr_steps, i_row = (
        _view(v_rest, lo, hi), _view(v_reset, lo, hi), _view(thr, lo, hi), _view(tau_m, lo, hi),
        _view(em, lo, hi), _view(es, lo, hi), _view(p21, lo, hi), _view(inv_tau_syn, lo, hi),
        _view(refr_steps, lo, hi), _view(i_row, lo, hi))
    zero = np.float32(0.0)
    for i in range(hi - lo):
        x = buf[i]
        buf[i] = zero
        cur = _plus_row(i_const[i], i_row, i)
        vi = v[i]
        si = isyn[i] + x * _at(inv_tau_syn, i)
        v_inf = _at(v_rest, i) + _at(tau_m, i) * cur
        vn = v_inf + (vi - v_inf) * _at(em, i) + si * _at(p21, i)
        isyn[i] = si * _at(es, i)
        v[i], refr[i], flags[i] = _fire(vn, refr[i], _at(thr, i), theta, i, homeo, _at(v_reset, i),
                                        _at(refr_steps, i))


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
    if t < i_tn.shape[0]:
        _lif_exp(lo, hi, buf, st.v, st.i_syn, st.refr, flags, p.v_rest, p.v_reset, p.thr, p.tau_m, p.em, p.es,
                 p.p21, p.inv_tau_syn, p.refr_steps, theta, homeo, i_const, i_tn[t])
    elif p.uni:
        _lif_exp(lo, hi, buf, st.v, st.i_syn, st.refr, flags, p.v_rest[0], p.v_reset[0], p.thr[0], p.tau_m[0],
                 p.em[0], p.es[0], p.p21[0], p.inv_tau_syn[0], p.refr_steps[0], theta, homeo, i_const, None)
    else:
        _lif_exp(lo, hi, buf, st.v, st.i_syn, st.refr, flags, p.v_rest, p.v_reset, p.thr, p.tau_m, p.em, p.es,
                 p.p21, p.inv_tau_syn, p.refr_steps, theta, homeo, i_const, None)


class COBAParams(NamedTuple):
    """Kernel parameters of the conductance-based LIF (float32 arrays of length n, or 1 with ``uni``).

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
    uni: bool = False


class COBAState(NamedTuple):
    """State: ``v``, conductances ``g_exc``, ``g_inh`` (leak conductance units, float32), ``refr``."""

    v: np.ndarray
    g_exc: np.ndarray
    g_inh: np.ndarray
    refr: np.ndarray


@njit(cache=True, inline="always")
def _coba(lo, hi, buf, v, ge, gi, refr, flags, v_rest, v_reset, thr, alpha, e_exc, e_inh, dec_e, dec_i,
          refr_steps, theta, homeo, dt, i_const, i_row):
    """COBA loop over ``[lo, hi)`` (see :func:`_lif` for the argument kinds); ``buf`` holds two channels."""
    n = v.shape[0]
    bexc, binh = buf[lo:hi], buf[n + lo:n + hi]
    v, ge, gi, refr, flags, theta, i_const = v[lo:hi], ge[lo:hi], gi[lo:hi], refr[lo:hi], flags[lo:hi], \
        theta[lo:hi], i_const[lo:hi]
    v_rest, v_reset, thr, alpha, e_exc, e_inh, dec_e, dec_i, refr_steps, i_row = (
        _view(v_rest, lo, hi), _view(v_reset, lo, hi), _view(thr, lo, hi), _view(alpha, lo, hi),
        _view(e_exc, lo, hi), _view(e_inh, lo, hi), _view(dec_e, lo, hi), _view(dec_i, lo, hi),
        _view(refr_steps, lo, hi), _view(i_row, lo, hi))
    zero = np.float32(0.0)
    for i in range(hi - lo):
        xe = bexc[i]
        xi = binh[i]
        bexc[i] = zero
        binh[i] = zero
        cur = _plus_row(i_const[i], i_row, i)
        gei = ge[i] + xe
        gii = gi[i] - xi
        vi = v[i]
        drive = (_at(v_rest, i) - vi) + gei * (_at(e_exc, i) - vi) + gii * (_at(e_inh, i) - vi)
        vn = vi + _at(alpha, i) * drive + dt * cur
        ge[i] = gei * _at(dec_e, i)
        gi[i] = gii * _at(dec_i, i)
        v[i], refr[i], flags[i] = _fire(vn, refr[i], _at(thr, i), theta, i, homeo, _at(v_reset, i),
                                        _at(refr_steps, i))


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
    if t < i_tn.shape[0]:
        _coba(lo, hi, buf, st.v, st.g_exc, st.g_inh, st.refr, flags, p.v_rest, p.v_reset, p.thr, p.alpha,
              p.e_exc, p.e_inh, p.dec_e, p.dec_i, p.refr_steps, theta, homeo, p.dt, i_const, i_tn[t])
    elif p.uni:
        _coba(lo, hi, buf, st.v, st.g_exc, st.g_inh, st.refr, flags, p.v_rest[0], p.v_reset[0], p.thr[0],
              p.alpha[0], p.e_exc[0], p.e_inh[0], p.dec_e[0], p.dec_i[0], p.refr_steps[0], theta, homeo, p.dt,
              i_const, None)
    else:
        _coba(lo, hi, buf, st.v, st.g_exc, st.g_inh, st.refr, flags, p.v_rest, p.v_reset, p.thr, p.alpha,
              p.e_exc, p.e_inh, p.dec_e, p.dec_i, p.refr_steps, theta, homeo, p.dt, i_const, None)


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
