r"""Exact event-driven maths of the LIF neuron with exponential current synapses (private).

Model (``ExpSynLIF``, the same as the clock-driven ``lif_exp_update``): between events

.. math::
    \frac{dv}{dt} = \frac{v_\infty - v}{\tau_m} + s, \qquad \frac{ds}{dt} = -\frac{s}{\tau_s},
    \qquad v_\infty = v_\mathrm{rest} + \tau_m I_\mathrm{ext},

with ``s = i_syn`` (potential units per ms, so ``tau_m`` and ``tau_s`` in ms).  An input of weight
``w`` adds ``w / tau_s`` to ``s``; ``v >= thr`` is a spike.  From ``(v, s)`` at ``t0``, after
``d >= 0`` ms,

.. math::
    s(d) = s\,e^{-d/\tau_s}, \qquad
    v(d) = v + (v_\infty - v)\,(1 - e^{-d/\tau_m}) + s\,P(d), \qquad
    P(d) = \frac{\tau_m \tau_s}{\tau_m - \tau_s}\left(e^{-d/\tau_m} - e^{-d/\tau_s}\right)

(``P(d) = d e^{-d/tau}`` when ``tau_s = tau_m = tau``).  ``P`` is symmetric in the two time
constants; with ``tau_hi = max``, ``tau_lo = min`` and ``c = 1/tau_lo - 1/tau_hi >= 0`` it is
computed as

.. math:: P(d) = e^{-d/\tau_\mathrm{hi}}\;\frac{1 - e^{-c d}}{c}
          = e^{-d/\tau_\mathrm{hi}}\;\frac{-\mathrm{expm1}(-c d)}{c}

(``= d e^{-d/tau_hi}`` at ``c = 0``): no difference of nearly equal numbers however close the two
time constants are (``c = (tau_hi - tau_lo) / (tau_hi tau_lo)`` is accurate to a few ulps, and
``-expm1(-x) / x`` has condition number at most 1 for ``x >= 0``), and no overflow for large ``d``.

Threshold crossing
------------------
With ``f(d) = v(d) - thr``: ``f(d) = A + B e^{-d/tau_m} + s P(d)``, ``A = v_inf - thr``,
``B = v - v_inf``, a constant plus two exponentials, ``f(inf) = A``.  Its derivative is

.. math:: f'(d) = e^{-d/\tau_m}\left(f'(0) - \frac{s}{\tau_s}\,G(d)\right), \qquad
          G(d) = \frac{1 - e^{-k d}}{k}, \quad k = \frac{1}{\tau_s} - \frac{1}{\tau_m},

(``G(d) = d`` at ``k = 0``), ``f'(0) = (v_inf - v) / tau_m + s``.  ``G`` increases strictly from
``G(0) = 0`` (``G' = e^{-kd} > 0``), to ``1/k`` if ``k > 0``, without bound otherwise.  So the
bracket changes sign at most once, at ``G(d*) = r = tau_s f'(0) / s``, i.e.

.. math:: d^* = -\frac{\mathrm{log1p}(-k r)}{k} \quad (= r \text{ at } k = 0),
          \qquad\text{when } r > 0 \text{ and } k r < 1,

which splits ``[0, inf)`` into at most two monotone pieces.  Starting below the threshold
(``f(0) < 0``):

* ``s > 0``, ``f'(0) > 0``: ``f`` increases on ``[0, d*]`` and decreases after (or increases on all
  of ``[0, inf)`` when there is no ``d*``).  A crossing exists iff ``f(d*) >= 0`` (resp. ``A > 0``)
  and lies in ``[0, d*]`` (resp. the first bracket found by doubling).
* ``s >= 0``, ``f'(0) <= 0``: ``f`` decreases for all ``d > 0``: never.
* ``s < 0``, ``f'(0) >= 0``: ``f`` increases on ``[0, inf)`` towards ``A``: a crossing iff ``A > 0``.
* ``s < 0``, ``f'(0) < 0``: ``f`` decreases on ``[0, d*]`` (staying below ``f(0) < 0``), then
  increases towards ``A``: a crossing iff ``A > 0``, in ``[d*, inf)``.

(``s = 0`` is the LIF case and uses its closed form ``tau_m log1p((thr - v) / (v_inf - thr))``.)

**Why no crossing is missed:** on each piece ``f`` is monotone, so its supremum on the piece is
at one of its ends (``f(d*)`` or ``f(0)``, or the limit ``A`` at infinity), and the first root,
if any, lies on the first piece whose supremum is ``>= 0``; the root is then bracketed by
``lo`` with ``f(lo) < 0`` (every earlier point has ``f < 0``: the earlier piece is below
``f(0) < 0`` or below ``f(lo)``) and ``hi`` with ``f(hi) >= 0`` on an increasing piece, where the
root is unique.  No step size or sampling is involved.

The root is polished by Newton steps from the bracket end with the smaller ``|f|``, safeguarded
by bisection (a Newton iterate outside the bracket, or one following a Newton step that did not
halve ``|f|``, is replaced by the midpoint, or by ``lo + sqrt(width tau_lo)`` while the bracket is
wider than ``64 (lo + tau_lo)``); every iterate shrinks the bracket, and once Newton has converged
at one end a step just past the root closes it.  It stops when the bracket is no wider than
``4 eps d`` or than ``2 ftol / f'``, the width within which the sign of the evaluated ``f`` is
rounding noise (``ftol = 4 eps (|v| + |v_inf| + |thr| + |s| tau_hi)``), or after 400 iterations;
fixed rules, so the same bits on every run (7.5 evaluations of ``f`` per root on average, at
most 10, for random sub-threshold states with ``tau_m = 20``, ``tau_s = 5``).  The returned time
is the bracket's upper end: the evaluated ``v`` there is ``>= thr``.  Existence is decided on the
float64 values of ``f(d*)`` and ``A``: a trajectory that only touches the threshold within
rounding (a tangency, whose time is ill-conditioned anyway) may be reported either way.

Before any of this, two cheap exits: ``s > 0`` with ``max(v, v_inf) + s tau_s < thr`` never
crosses (above ``max(v, v_inf)`` the leak pulls ``v`` down, so ``v`` can rise by at most the charge
still to come, ``s tau_s``), and ``s < 0``, ``f'(0) < 0`` with ``v_inf <= thr`` neither.

Pure functions of scalars; nothing is validated here.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

__all__ = ["crossing_time_exp", "crossing_times_exp", "propagate_exp", "psc_kernel"]

_EPS = 2.220446049250313e-16  # float64 machine epsilon
_MAXIT = 400  # iteration cap: each Newton step halves |f| or is followed by a bisection (about 8 are used)
_MAX_DOUBLINGS = 64  # unbounded piece: the bracket grows to at most 2^64 tau_hi


@njit(cache=True)
def psc_kernel(d, tau_m, tau_s):
    r"""``P(d) = tau_m tau_s / (tau_m - tau_s) (e^{-d/tau_m} - e^{-d/tau_s})`` without cancellation.

    Parameters
    ----------
    d : float
        Elapsed time in ms, ``>= 0``.
    tau_m, tau_s : float
        Membrane and synaptic time constants in ms, ``> 0`` (equal allowed: ``P = d e^{-d/tau}``).

    Returns
    -------
    float
        ``P(d)`` in ms: the potential at ``d`` of a unit synaptic current at 0 (``>= 0``),
        computed as ``e^{-d/tau_hi} (-expm1(-c d)) / c``, ``c = (tau_hi - tau_lo) / (tau_hi tau_lo)``.
    """
    hi = tau_m if tau_m >= tau_s else tau_s
    lo = tau_s if tau_m >= tau_s else tau_m
    c = (hi - lo) / (hi * lo)
    e = math.exp(-d / hi)
    if c == 0.0:
        return d * e
    return e * (-math.expm1(-c * d) / c)


@njit(cache=True)
def propagate_exp(v, s, v_inf, tau_m, tau_s, d):
    """State ``(v, s)`` of the free trajectory ``d >= 0`` ms later (exact; ``d = 0`` returns it unchanged).

    ``v' = v + (v_inf - v) (-expm1(-d / tau_m)) + s P(d)`` and ``s' = s e^{-d / tau_s}``
    (:func:`psc_kernel`); with ``s = 0`` the first is the LIF ``advance`` to the bit.
    """
    if s == 0.0:
        return v + (v_inf - v) * (-math.expm1(-d / tau_m)), s
    return (v + (v_inf - v) * (-math.expm1(-d / tau_m)) + s * psc_kernel(d, tau_m, tau_s),
            s * math.exp(-d / tau_s))


@njit(cache=True)
def _f(d, v, s, v_inf, thr, tau_m, tau_s):
    """``v(d) - thr`` and ``v'(d)`` along the free trajectory."""
    vd, sd = propagate_exp(v, s, v_inf, tau_m, tau_s, d)
    return vd - thr, (v_inf - vd) / tau_m + sd


@njit(cache=True)
def _root(lo, flo, dflo, hi, fhi, dfhi, v, s, v_inf, thr, tau_m, tau_s):
    """Root of ``f`` in ``[lo, hi]`` (``f(lo) < 0 <= f(hi)``, ``f`` increasing; ``f``, ``f'`` given at
    both ends): the bracket's upper end once it is closed."""
    tau = tau_m if tau_m <= tau_s else tau_s
    # Newton steps start from the bracket end where |f| is smaller (at the upper end d* the slope is 0)
    # f is evaluated to within a few ulps of its terms: closer than ftol / f' to the root, its sign is noise
    ftol = 4.0 * _EPS * (abs(v) + abs(v_inf) + abs(thr) + abs(s) * (tau_m if tau_m >= tau_s else tau_s))
    bisect = False
    for _ in range(_MAXIT):
        w = hi - lo
        if w <= 4.0 * _EPS * hi or w * max(dflo, dfhi) <= 2.0 * ftol:
            break
        # bisection point: the midpoint, or lo + sqrt(width tau) when the bracket spans many time
        # constants (a bracket [0, 1e146] then takes ~10 steps, not ~480)
        mid = lo + (0.5 * w if w <= 64.0 * (lo + tau) else math.sqrt(w * tau))
        if -flo <= fhi:
            x, fx, dfx = lo, flo, dflo
        else:
            x, fx, dfx = hi, fhi, dfhi
        xn = x - fx / dfx if dfx > 0.0 else math.nan
        newton = not bisect and lo <= xn <= hi  # NaN fails too
        step = max(2.0 * _EPS * hi, ftol / dfx) if dfx > 0.0 else 0.0
        if newton and abs(xn - x) <= step:
            # Newton has converged at one end: step just past the root to close the bracket
            xn = x + step if fx < 0.0 else x - step
        if not (newton and lo < xn < hi):
            xn = mid
        fn, dfn = _f(xn, v, s, v_inf, thr, tau_m, tau_s)
        if fn >= 0.0:
            hi, fhi, dfhi = xn, fn, dfn
        else:
            lo, flo, dflo = xn, fn, dfn
        # a Newton step that did not halve |f| is followed by a bisection (Newton far from the root)
        bisect = newton and abs(fn) > 0.5 * abs(fx)
    return hi


@njit(cache=True)
def _crossing_d(v, s, v_inf, thr, tau_m, tau_s):
    """Delay ``d >= 0`` of the first crossing from ``(v, s)`` (``v < thr``, ``s != 0``), or ``inf``."""
    df0 = (v_inf - v) / tau_m + s
    if s > 0.0:
        if df0 <= 0.0:
            return math.inf  # f decreases from f(0) < 0
        if max(v, v_inf) + s * tau_s < thr:
            # cheap rejection: while v > max(v0, v_inf) the leak pulls v down, so v rises by at most
            # the charge still to come, the integral of s e^{-t/tau_s}, s tau_s
            return math.inf
    elif df0 < 0.0 and not (v_inf > thr):
        return math.inf  # s < 0: decreasing, then rising towards A <= 0
    # the extremum d* of f (see the module doc), if any
    k = (tau_m - tau_s) / (tau_m * tau_s)
    d_star = math.inf
    if df0 != 0.0:
        r = tau_s * df0 / s
        if r > 0.0 and k * r < 1.0:
            d_star = r if k == 0.0 else -math.log1p(-k * r) / k
    lo, flo, dflo = 0.0, v - thr, df0
    if s > 0.0:
        if d_star < math.inf:  # increasing on [0, d*], decreasing after: the maximum is f(d*)
            f_star, df_star = _f(d_star, v, s, v_inf, thr, tau_m, tau_s)
            if f_star < 0.0:
                return math.inf
            return _root(lo, flo, dflo, d_star, f_star, df_star, v, s, v_inf, thr, tau_m, tau_s)
    elif df0 < 0.0:  # decreasing on [0, d*] (below f(0) < 0), then increasing
        if d_star == math.inf:
            return math.inf
        lo = d_star
        flo, dflo = _f(lo, v, s, v_inf, thr, tau_m, tau_s)
        if flo >= 0.0:
            return lo  # only within rounding (f(d*) < f(0) < 0 exactly): a touch at d*
    # increasing on [lo, inf) towards A
    if not (v_inf > thr):
        return math.inf
    width = tau_m if tau_m >= tau_s else tau_s
    for _ in range(_MAX_DOUBLINGS):
        hi = lo + width
        fhi, dfhi = _f(hi, v, s, v_inf, thr, tau_m, tau_s)
        if fhi >= 0.0:
            return _root(lo, flo, dflo, hi, fhi, dfhi, v, s, v_inf, thr, tau_m, tau_s)
        lo, flo, dflo = hi, fhi, dfhi
        width *= 2.0
    return math.inf  # A > 0 only within rounding: the evaluated v never reaches thr


@njit(cache=True)
def crossing_time_exp(t0, v, s, v_inf, thr, tau_m, tau_s):
    """Time of the first threshold crossing of the free trajectory from ``(t0, v, s)``, or ``inf``.

    Parameters
    ----------
    t0 : float
        Time (ms) at which ``(v, s)`` is the state.
    v : float
        Membrane potential at ``t0``.
    s : float
        Synaptic current ``i_syn`` at ``t0`` (potential per ms).
    v_inf : float
        Asymptote ``v_rest + tau_m I_ext`` of the potential without synaptic current.
    thr : float
        Threshold (``v >= thr`` is a spike).
    tau_m, tau_s : float
        Membrane and synaptic time constants (ms, ``> 0``).

    Returns
    -------
    float
        ``t0`` if ``v >= thr``; else ``t0 + d`` with ``d`` the first root of ``v(d) = thr``
        (the smallest float64 ``d`` found, to ``4 eps d``, with evaluated ``v(d) >= thr``), or
        ``inf`` if ``v`` never reaches ``thr`` (module doc: the case analysis and why no crossing
        is missed).  With ``s = 0`` the LIF closed form ``t0 + tau_m log1p((thr - v) / (v_inf - thr))``.
    """
    if v >= thr:
        return t0
    if s == 0.0:
        if v_inf > thr:
            return t0 + tau_m * math.log1p((thr - v) / (v_inf - thr))
        return math.inf
    return t0 + _crossing_d(v, s, v_inf, thr, tau_m, tau_s)


@njit(cache=True)
def crossing_times_exp(t0, v, s, v_inf, thr, tau_m, tau_s):
    """:func:`crossing_time_exp` of every neuron (arrays of one length) from the common time ``t0``."""
    n = v.shape[0]
    out = np.empty(n, dtype=np.float64)
    for i in range(n):
        out[i] = crossing_time_exp(t0, v[i], s[i], v_inf[i], thr[i], tau_m[i], tau_s[i])
    return out
