"""The exact event-driven maths of ExpSynLIF (``_kernels/_expsyn_exact.py``) against independent references.

The reference is plain Python in 60-digit ``decimal`` arithmetic, written from the textbook
solution ``v(d) = v_inf + (v - v_inf) e^{-d/tau_m} + s tau_m tau_s / (tau_m - tau_s)
(e^{-d/tau_m} - e^{-d/tau_s})`` (``s d e^{-d/tau}`` for equal constants) with no shared code: the
cancellation that the kernel avoids is harmless at 60 digits.  Its first crossing is found by dense
sampling (a linear and a geometric grid up to 60 tau_hi), a ternary search around the largest
sample, and bisection, without the kernel's closed-form extremum.

Every test here is deterministic (false-failure probability 0); the tolerances are float64
rounding bounds (``u = 2^-53``), derived in the comments.
"""

from __future__ import annotations

import math
from decimal import Decimal, localcontext

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from sc_neurocore._kernels._expsyn_exact import (
    crossing_time_exp,
    crossing_times_exp,
    propagate_exp,
    psc_kernel,
)
from sc_neurocore._kernels._neuron_models import LIFExpState, lif_exp_update
from sc_neurocore.network import ExpSynLIF, Population

U = 2.0**-53  # float64 unit roundoff
PREC = 60


# --------------------------------------------------------------------------- decimal reference


def _exp(x: Decimal) -> Decimal:
    return x.exp()


def ref_state(v: float, s: float, v_inf: float, tau_m: float, tau_s: float, d: Decimal | float):
    """``(v(d), s(d))`` in 60-digit decimal arithmetic from the textbook formulas."""
    with localcontext() as ctx:
        ctx.prec = PREC
        d = Decimal(d)
        tm, ts = Decimal(tau_m), Decimal(tau_s)
        em, es = _exp(-d / tm), _exp(-d / ts)
        p = d * em if tm == ts else tm * ts / (tm - ts) * (em - es)
        vi = Decimal(v_inf)
        return vi + (Decimal(v) - vi) * em + Decimal(s) * p, Decimal(s) * es


def ref_f(x, v, s, v_inf, thr, tau_m, tau_s) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = PREC
        return ref_state(v, s, v_inf, tau_m, tau_s, x)[0] - Decimal(thr)


def ref_crossing(v, s, v_inf, thr, tau_m, tau_s):
    """``(first root or None, max of f over [0, inf), grid)`` by sampling, ternary search and bisection."""
    hi_tau = max(tau_m, tau_s)
    lo_tau = min(tau_m, tau_s)
    horizon = 60.0 * hi_tau
    grid = np.union1d(np.linspace(0.0, horizon, 300), np.geomspace(lo_tau * 1e-4, horizon, 300))
    fs = [ref_f(x, v, s, v_inf, thr, tau_m, tau_s) for x in grid]
    with localcontext() as ctx:
        ctx.prec = PREC

        def f(x):
            return ref_f(x, v, s, v_inf, thr, tau_m, tau_s)

        def bisect(a, b):  # f(a) < 0 <= f(b)
            a, b = Decimal(a), Decimal(b)
            for _ in range(200):
                m = (a + b) / 2
                if f(m) >= 0:
                    b = m
                else:
                    a = m
            return b

        first = next((j for j, y in enumerate(fs) if y >= 0), None)
        # the largest sample, refined by ternary search on its two neighbouring intervals
        j = int(np.argmax([float(y) for y in fs]))
        a, b = Decimal(grid[max(j - 1, 0)]), Decimal(grid[min(j + 1, len(grid) - 1)])
        for _ in range(150):
            m1, m2 = a + (b - a) / 3, b - (b - a) / 3
            if f(m1) < f(m2):
                a = m1
            else:
                b = m2
        x_max = (a + b) / 2
        f_max = max(f(x_max), fs[j], Decimal(v_inf) - Decimal(thr))
        if first is not None:
            root = bisect(grid[first - 1], grid[first])
        elif f(x_max) >= 0:
            root = bisect(Decimal(grid[max(j - 1, 0)]), x_max)
        else:
            root = None
    return root, f_max, grid, fs


# --------------------------------------------------------------------------- propagation


@pytest.mark.parametrize("rel", [0.0, 1e-15, 1e-12, 1e-8, 1e-4, -1e-12, 0.5, -0.9])
@pytest.mark.parametrize("d", [0.0, 1e-9, 0.3, 7.0, 200.0])
def test_psc_kernel_has_no_cancellation(rel, d):
    """P(d) to a relative (14 + d / tau_hi) u, even for tau_s within 1e-15 of tau_m.

    Bound: c = (hi - lo) / (hi lo) carries 3 roundings, c d one more, -expm1(-x) / x has condition
    <= 1 (x >= 0) plus 2 roundings; exp(-d / hi) carries (d / hi + 2) u; the product one.
    """
    tau_m = 10.0
    tau_s = tau_m * (1.0 + rel)
    got = psc_kernel(d, tau_m, tau_s)
    with localcontext() as ctx:
        ctx.prec = PREC
        dd, tm, ts = Decimal(d), Decimal(tau_m), Decimal(tau_s)
        ref = dd * _exp(-dd / tm) if tm == ts else tm * ts / (tm - ts) * (_exp(-dd / tm) - _exp(-dd / ts))
    bound = (14.0 + d / max(tau_m, tau_s)) * U * float(ref)
    assert abs(Decimal(got) - ref) <= Decimal(bound), (got, ref)
    if d > 0:
        assert got > 0.0


finite = dict(allow_nan=False, allow_infinity=False)
taus = st.floats(0.1, 50.0, **finite)


@st.composite
def params(draw):
    """(v, s, v_inf, thr, tau_m, tau_s): v below thr, s of either sign, v_inf on either side of thr."""
    tau_m = draw(taus)
    tau_s = draw(st.one_of(taus, st.just(tau_m), st.floats(0.999999, 1.000001).map(lambda r: tau_m * r)))
    thr = draw(st.floats(-2.0, 2.0, **finite))
    v = thr - draw(st.floats(1e-6, 3.0, **finite))
    a = draw(st.floats(-3.0, 3.0, **finite))
    assume(abs(a) > 1e-6)  # |v_inf - thr| > 1e-6: a crossing, if any, before 60 tau_hi (see ref_crossing)
    # s tau_s up to +-10: a peak PSP that may or may not reach thr
    s = draw(st.floats(-10.0, 10.0, **finite)) / tau_s
    return v, s, thr + a, thr, tau_m, tau_s


def _scale(v, s, v_inf, thr, tau_m, tau_s):
    """Magnitude of the terms of f: its float64 evaluation is within 16 u of this times the exact one."""
    return abs(v) + abs(v_inf) + abs(thr) + abs(s) * max(tau_m, tau_s)


@given(params(), st.floats(0.0, 300.0, **finite))
def test_propagation_matches_decimal_reference(pr, d):
    v, s, v_inf, _, tau_m, tau_s = pr
    vn, sn = propagate_exp(v, s, v_inf, tau_m, tau_s, d)
    rv, rs = ref_state(v, s, v_inf, tau_m, tau_s, d)
    # v: v + (v_inf - v) E + s P, each term within (4 + d / tau) u of |term| <= scale; s: exp to (2 + d / tau_s) u
    assert abs(Decimal(vn) - rv) <= Decimal((16.0 + d / min(tau_m, tau_s)) * U * _scale(*pr))
    assert abs(Decimal(sn) - rs) <= Decimal((3.0 + d / tau_s) * U) * abs(rs) + Decimal(1e-300)


def test_propagation_by_zero_is_identity_and_lif_without_current():
    assert propagate_exp(0.3, -0.7, 1.2, 10.0, 3.0, 0.0) == (0.3, -0.7)
    v, v_inf, tau = 0.3, 1.2, 10.0
    # s = 0: the LIF advance v + (v_inf - v) (-expm1(-d / tau)) to the bit
    assert propagate_exp(v, 0.0, v_inf, tau, 3.0, 2.5)[0] == v + (v_inf - v) * (-math.expm1(-2.5 / tau))


@given(params(), st.floats(0.0, 100.0, **finite), st.floats(0.0, 100.0, **finite))
def test_propagation_composes(pr, d1, d2):
    """Propagating d1 then d2 equals d1 + d2 within the sum of the two rounding bounds (each as above)."""
    v, s, v_inf, _, tau_m, tau_s = pr
    v1, s1 = propagate_exp(v, s, v_inf, tau_m, tau_s, d1)
    v2, s2 = propagate_exp(v1, s1, v_inf, tau_m, tau_s, d2)
    v3, s3 = propagate_exp(v, s, v_inf, tau_m, tau_s, d1 + d2)
    k = 3.0 * (16.0 + (d1 + d2) / min(tau_m, tau_s)) * U
    assert abs(v2 - v3) <= k * (_scale(*pr) + abs(v1))
    assert abs(s2 - s3) <= 3.0 * (3.0 + (d1 + d2) / tau_s) * U * abs(s3) + 1e-300


@pytest.mark.parametrize(("tau_m", "tau_s", "dt"), [(10.0, 2.0, 0.1), (20.0, 20.0, 0.5), (5.0, 8.0, 1.0),
                                                    (10.0, 10.000001, 0.1)])
def test_propagation_matches_clock_driven_step(tau_m, tau_s, dt):
    """One step of the clock-driven ``lif_exp_update`` (float32) equals the propagation over dt."""
    rng = np.random.default_rng(7)
    n = 64
    pop = Population(n, tau_m=tau_m, threshold=100.0, v_rest=-0.2, dt=dt, allow_large_dt=True)
    p = ExpSynLIF(tau_syn=tau_s).params(pop)
    v = rng.uniform(-1.0, 1.0, n).astype(np.float32)
    isyn = rng.uniform(-0.5, 0.5, n).astype(np.float32)
    x = rng.uniform(-0.3, 0.3, n).astype(np.float32)  # jumps arriving on the step: i_syn += x / tau_s first
    i_const = rng.uniform(-0.05, 0.05, n).astype(np.float32)
    st_ = LIFExpState(v.copy(), isyn.copy(), np.zeros(n, dtype=np.int32))
    lif_exp_update(p, st_, 0, n, x.copy(), np.zeros(n, dtype=np.uint8), np.zeros(n, dtype=np.float32), False,
                   i_const, np.zeros((0, n), dtype=np.float32), 0)
    for i in range(n):
        s0 = float(isyn[i]) + float(x[i]) / tau_s
        v_inf = -0.2 + tau_m * float(i_const[i])
        ve, se = propagate_exp(float(v[i]), s0, v_inf, tau_m, tau_s, dt)
        # float32 kernel: float32 parameters and about 8 roundings, each <= 2^-24 of a term <= 2
        assert abs(st_.v[i] - ve) <= 2e-6
        assert abs(st_.i_syn[i] - se) <= 2e-7


# --------------------------------------------------------------------------- crossing


@given(params())
def test_crossing_is_the_first_root(pr):
    """The crossing is a root (|f| <= 32 u scale), no earlier sample has f >= 32 u scale, inf iff max f < 0.

    ``32 u scale`` bounds the float64 evaluation error of f (16 u scale, see the propagation test)
    twice over; existence can only differ from the reference within it (a tangency).
    """
    v, s, v_inf, thr, tau_m, tau_s = pr
    t0 = 3.0
    tc = crossing_time_exp(t0, v, s, v_inf, thr, tau_m, tau_s)
    root, f_max, grid, fs = ref_crossing(v, s, v_inf, thr, tau_m, tau_s)
    tol = Decimal(32.0 * U * _scale(*pr))
    if tc == math.inf:
        assert f_max < tol, (root, f_max)
        return
    assert f_max >= -tol
    d = tc - t0
    assert d >= 0.0
    # d is recovered from t0 + d to the resolution of t: evaluate at that d (v's slope <= scale / tau_lo)
    res = Decimal(4.0 * U * tc * _scale(*pr) / min(tau_m, tau_s))
    assert abs(ref_f(d, v, s, v_inf, thr, tau_m, tau_s)) <= tol + res
    for x, y in zip(grid, fs, strict=True):
        if x < d:
            assert y < tol + res, (x, y, d)
    if root is not None and f_max > tol:  # a clear crossing: the kernel found it, at the reference's root
        slope = (ref_f(root + Decimal(1e-9), v, s, v_inf, thr, tau_m, tau_s)
                 - ref_f(root, v, s, v_inf, thr, tau_m, tau_s)) / Decimal(1e-9)
        if slope > tol:
            assert abs(Decimal(d) - root) <= 4 * (tol + res) / slope + Decimal(8.0 * U * d)


@given(params())
def test_no_crossing_means_max_below_threshold(pr):
    """The converse: if the reference's maximum of f is clearly >= 0, the kernel reports a crossing."""
    tc = crossing_time_exp(0.0, *pr)
    _, f_max, _, _ = ref_crossing(*pr)
    if f_max > Decimal(32.0 * U * _scale(*pr)):
        assert tc < math.inf


@pytest.mark.parametrize(("v", "s", "v_inf", "expect"), [
    (0.0, 0.5, 0.0, "root before the peak"),      # s > 0, peak 1.25 > thr
    (0.0, 0.1, 0.0, "inf"),                        # s > 0, peak 0.25 < thr, v_inf < thr
    (0.0, 0.1, 1.5, "root on the tail"),           # s > 0, no extremum reached above thr: the tail to v_inf
    (0.0, -0.5, 1.5, "root on the tail"),          # s < 0: dips, then rises to v_inf > thr
    (0.0, -0.5, 0.9, "inf"),                       # s < 0, v_inf < thr
    (0.5, -0.01, 0.0, "inf"),                      # decreasing from the start
    (1.0, 0.3, 0.0, "at t0"),                      # already at the threshold
])
def test_crossing_cases(v, s, v_inf, expect):
    tau_m, tau_s, thr, t0 = 10.0, 5.0, 1.0, 2.0
    tc = crossing_time_exp(t0, v, s, v_inf, thr, tau_m, tau_s)
    if expect == "inf":
        assert tc == math.inf
    elif expect == "at t0":
        assert tc == t0
    else:
        root, _, _, _ = ref_crossing(v, s, v_inf, thr, tau_m, tau_s)
        assert root is not None
        assert abs(Decimal(tc - t0) - root) <= Decimal(1e-12)
        # the evaluated potential is >= thr at the returned time, and below it just before
        d = tc - t0
        assert propagate_exp(v, s, v_inf, tau_m, tau_s, d)[0] >= thr
        assert propagate_exp(v, s, v_inf, tau_m, tau_s, d * (1 - 1e-12))[0] < thr


def test_crossing_without_current_is_lif_closed_form():
    v, v_inf, thr, tau = 0.2, 1.5, 1.0, 20.0
    assert crossing_time_exp(1.0, v, 0.0, v_inf, thr, tau, 5.0) == 1.0 + tau * math.log1p((thr - v) / (v_inf - thr))


def test_crossing_equal_time_constants():
    """tau_s == tau_m: the PSP s d e^{-d/tau} from v = 0 = v_inf peaks at d = tau with value s tau / e."""
    tau, thr = 10.0, 1.0
    s = 0.5  # peak 5 / e = 1.84 > 1: two roots of s d e^{-d/tau} = 1; the first one
    tc = crossing_time_exp(0.0, 0.0, s, 0.0, thr, tau, tau)
    assert abs(s * tc * math.exp(-tc / tau) - thr) <= 1e-14
    assert tc < tau  # before the peak at d = tau
    assert crossing_time_exp(0.0, 0.0, 0.999 * math.e / tau, 0.0, thr, tau, tau) == math.inf  # peak 0.999


def test_crossing_is_deterministic_and_vectorised():
    rng = np.random.default_rng(3)
    n = 200
    v = rng.uniform(-1.0, 0.99, n)
    s = rng.uniform(-1.0, 1.0, n)
    v_inf = rng.uniform(0.0, 2.0, n)
    thr = np.ones(n)
    tm = rng.uniform(1.0, 30.0, n)
    ts = rng.uniform(0.5, 30.0, n)
    a = crossing_times_exp(1.5, v, s, v_inf, thr, tm, ts)
    b = crossing_times_exp(1.5, v, s, v_inf, thr, tm, ts)
    assert np.array_equal(a, b)
    for i in range(0, n, 17):
        assert a[i] == crossing_time_exp(1.5, v[i], s[i], v_inf[i], thr[i], tm[i], ts[i])
    assert np.isfinite(a).any() and np.isinf(a).any()


@pytest.mark.parametrize("s", [7.7e-147, 1e-300, -1e-200, 1e-20])
def test_crossing_with_negligible_current_is_the_lif_time(s):
    """A tiny current puts the extremum at d* ~ 1e146 ms: the bracket [0, d*] must still be solved.

    (Found by hypothesis: plain bisection from 1e146 ran out of iterations.)  The LIF time
    ``tau log1p((thr - v) / (v_inf - thr))`` changes by |s| tau^2 / slope, far below an ulp here; the
    solver stops at a bracket of width 2 ftol / f' (ftol = 8 u (|v| + |v_inf| + |thr|) = 16 u, f' = 1
    at the root): within 32 u, plus a few u for evaluating f.
    """
    t = crossing_time_exp(0.0, -1.0, s, 1.0, 0.0, 1.0, 1.0)
    assert abs(t - math.log(2.0)) <= 40 * U
