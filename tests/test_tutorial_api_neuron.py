"""StochasticLIFNeuron and BitstreamSpikeRecorder: kernels vs plain Python, analytic rates, refractory, seeds.

Euler bias bound (documented in docs/tutorial_api.md).  For a constant current
with ``v_rest = v_reset = 0``, no noise and no refractory period, Euler at step
``dt`` gives ``v_n = R I tau (1 - a^n)`` with ``a = 1 - dt / tau``; the neuron
spikes on the first step ``n_e = ceil(n*)`` with ``n* = x / (-ln a)`` and
``x = -ln(1 - V_th / (R I tau))``, and the continuous ISI is ``T = tau x``.
Since ``u <= -ln(1 - u) <= u / (1 - u)`` for ``u = dt / tau`` in (0, 1),
``T (1 - dt/tau) <= n* dt <= T``, and rounding up adds less than one step:

    T (1 - dt / tau)  <=  ISI_euler = n_e dt  <  T + dt.

So Euler is late by less than one step (the threshold is checked only at step
ends) and early by at most ``T dt / tau`` (its exponential decays slower).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from _stats import assert_gaussian_variance, assert_normal
from hypothesis import given
from hypothesis import strategies as st

from sc_neurocore import BitstreamSpikeRecorder, StochasticLIFNeuron
from sc_neurocore._kernels._hash import hash3_py, standard_normal
from sc_neurocore._kernels._lif import counter_mix, lif_run_constant, lif_step, noise_prefix, normal_draw
from sc_neurocore._rng import key_from_seed

# ---------------------------------------------------------------- references


def normal_py(k0: int, k1: int, domain: int, t: int) -> float:
    """Plain-Python standard_normal (Box-Muller on counters 2t, 2t+1; conventions §2)."""
    u1 = 1.0 - float(hash3_py(k0, k1, domain, 2 * t) >> 11) * 2.0**-53
    u2 = float(hash3_py(k0, k1, domain, 2 * t + 1) >> 11) * 2.0**-53
    return math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)


def lif_py(v, refr, step, current, k0, k1, p, domain=0):
    """Plain-Python LIF step of conventions §4 (noise stream ``domain``)."""
    if refr > 0:
        return p["v_reset"], refr - 1, 0
    noise = p["noise_std"] * normal_py(k0, k1, domain, step) if p["noise_std"] != 0.0 else 0.0
    v = v + p["dt"] * (-(v - p["v_rest"]) / p["tau_mem"] + p["resistance"] * current) + noise
    if v >= p["v_threshold"]:
        return p["v_reset"], p["refractory_period"], 1
    return v, refr, 0


def params(**kw):
    base = dict(v_rest=0.0, v_reset=0.0, v_threshold=1.0, tau_mem=20.0, dt=1.0,
                noise_std=0.0, resistance=1.0, refractory_period=0)
    base.update(kw)
    return base


param_st = st.fixed_dictionaries({
    "v_rest": st.floats(-0.5, 0.5),
    "v_reset": st.floats(-0.5, 0.5),
    "v_threshold": st.floats(0.6, 2.0),
    "tau_mem": st.floats(2.0, 50.0),
    "dt": st.floats(0.1, 1.0),
    "noise_std": st.sampled_from([0.0, 0.05, 0.3]),
    "resistance": st.floats(0.5, 2.0),
    "refractory_period": st.integers(0, 4),
})


# ---------------------------------------------------------------- kernels bit for bit


@given(
    p=param_st,
    seed=st.integers(0, 2**32),
    stream=st.integers(0, 2**40),
    currents=st.lists(st.floats(-0.2, 0.5), min_size=1, max_size=60),
)
def test_step_equals_plain_python(p, seed, stream, currents) -> None:
    neuron = StochasticLIFNeuron(**p, seed=seed, noise_stream=stream)
    k0, k1 = (int(k) for k in key_from_seed(seed))
    v, refr = p["v_rest"], 0
    for t, current in enumerate(currents):
        v, refr, s = lif_py(v, refr, t, current, k0, k1, p, domain=stream)
        assert neuron.step(current) == s
        assert neuron.v == v  # bit for bit
        assert neuron.refractory_counter == refr


@given(p=param_st, seed=st.integers(0, 2**32), current=st.floats(0.0, 0.5), n=st.integers(0, 200))
def test_run_constant_equals_steps(p, seed, current, n) -> None:
    a = StochasticLIFNeuron(**p, seed=seed)
    b = StochasticLIFNeuron(**p, seed=seed)
    fast = a.run_constant(current, n)
    slow = np.array([b.step(current) for _ in range(n)], dtype=np.uint8)
    np.testing.assert_array_equal(fast, slow)
    assert (a.v, a.refractory_counter, a.step_count) == (b.v, b.refractory_counter, b.step_count)


def test_kernels_directly_against_reference() -> None:
    p = params(noise_std=0.1, refractory_period=2, v_rest=-0.1)
    k0, k1 = (int(k) for k in key_from_seed(5))
    out = np.zeros(300, dtype=np.uint8)
    prefix = np.uint64(noise_prefix(np.uint64(k0), np.uint64(k1), np.uint64(0)))
    v_end, r_end = lif_run_constant(
        -0.1, 0, 7, 0.09, 300, prefix, p["v_rest"], p["v_reset"],
        p["v_threshold"], p["tau_mem"], p["dt"], p["noise_std"], p["resistance"],
        p["refractory_period"], out,
    )
    v, refr = -0.1, 0
    ref = []
    for t in range(300):
        v, refr, s = lif_py(v, refr, 7 + t, 0.09, k0, k1, p)
        ref.append(s)
    np.testing.assert_array_equal(out, ref)
    assert (v_end, r_end) == (v, refr)
    assert out.sum() > 0
    one = lif_step(0.98, 0, 0, 0.08, prefix, 0.0, 0.0, 1.0, 20.0, 1.0, 0.0, 1.0, 3)
    assert one == (0.0, 3, 1)


@given(k=st.tuples(st.integers(0, 2**64 - 1), st.integers(0, 2**64 - 1)), domain=st.integers(0, 2**63),
       t=st.integers(0, 2**40))
def test_hoisted_normal_draw_equals_standard_normal(k, domain, t) -> None:
    k0, k1 = np.uint64(k[0]), np.uint64(k[1])
    c1, c2 = (np.uint64(c) for c in counter_mix(np.uint64(t)))
    got = normal_draw(np.uint64(noise_prefix(k0, k1, np.uint64(domain))), c1, c2)
    assert got == standard_normal(k0, k1, np.uint64(domain), np.uint64(t))
    assert got == normal_py(k[0], k[1], domain, t)


# ---------------------------------------------------------------- analytic rate


def test_tutorial_example_numbers() -> None:
    T = -20.0 * math.log(1 - 1.0 / (0.08 * 20.0))
    assert T == pytest.approx(19.616, abs=1e-3)
    assert 1000.0 / T == pytest.approx(50.98, abs=0.01)
    spikes = StochasticLIFNeuron(seed=0).run_constant(0.08, 1000)
    isi = np.diff(np.flatnonzero(spikes))
    assert np.flatnonzero(spikes)[0] == 19 and (isi == 20).all()  # spike on step 20 (index 19)
    assert spikes.sum() / 1000 * 1000.0 == 50.0


@given(
    ratio=st.floats(1.05, 6.0),
    tau=st.floats(5.0, 60.0),
    dt=st.sampled_from([0.1, 0.25, 0.5, 1.0]),
    v_th=st.floats(0.5, 2.0),
    resistance=st.floats(0.5, 2.0),
)
def test_rate_against_analytic_formula_with_euler_bound(ratio, tau, dt, v_th, resistance) -> None:
    current = ratio * v_th / (resistance * tau)
    T = -tau * math.log(1 - v_th / (resistance * current * tau))
    neuron = StochasticLIFNeuron(v_threshold=v_th, tau_mem=tau, dt=dt, resistance=resistance, seed=0)
    n_steps = int(math.ceil(4 * (T + dt) / dt)) + 2
    spikes = neuron.run_constant(current, n_steps)
    times = (np.flatnonzero(spikes) + 1) * dt
    assert times.size >= 3
    isis = np.diff(np.concatenate([[0.0], times]))
    eps = 1e-9 * T
    assert (isis >= T * (1 - dt / tau) - eps).all() and (isis < T + dt + eps).all()
    assert np.ptp(isis) < 1e-9 * T + 1e-12  # strictly periodic
    # the rate over whole ISIs is 1000 / ISI_euler, within the same relative bounds of 1000 / T
    rate = 1000.0 / isis[0]
    assert 1000.0 / (T + dt) < rate <= 1000.0 / (T * (1 - dt / tau)) * (1 + 1e-9)


@given(ratio=st.floats(0.0, 0.999), tau=st.floats(5.0, 60.0))
def test_subthreshold_current_never_fires(ratio, tau) -> None:
    # v_n = R I tau (1 - a^n) < R I tau < V_th
    spikes = StochasticLIFNeuron(tau_mem=tau, seed=0).run_constant(ratio / tau, 500)
    assert spikes.sum() == 0


# ---------------------------------------------------------------- refractory


@given(k=st.integers(0, 12), ratio=st.floats(1.2, 4.0))
def test_refractory_adds_exactly_k_steps(k, ratio) -> None:
    current = ratio / 20.0
    base = StochasticLIFNeuron(seed=0).run_constant(current, 400)
    n_e = int(np.flatnonzero(base)[0]) + 1
    spikes = StochasticLIFNeuron(refractory_period=k, seed=0).run_constant(current, 400)
    idx = np.flatnonzero(spikes)
    assert idx[0] + 1 == n_e  # the first spike is not delayed
    assert (np.diff(idx) == n_e + k).all()


def test_refractory_holds_reset_and_discards_input() -> None:
    n = StochasticLIFNeuron(v_reset=-0.3, v_rest=0.0, refractory_period=3, noise_std=0.5, seed=1)
    n.v = 0.99
    assert n.step(10.0) == 1
    for left in (2, 1, 0):
        assert n.step(1000.0) == 0  # huge input discarded
        assert n.v == -0.3 and n.refractory_counter == left
    assert n.step(1000.0) == 1  # integrates again


# ---------------------------------------------------------------- seeds and noise


def test_seed_determinism_and_independence() -> None:
    p = dict(noise_std=0.2, tau_mem=10.0)
    a = StochasticLIFNeuron(**p, seed=3).run_constant(0.09, 500)
    b = StochasticLIFNeuron(**p, seed=3).run_constant(0.09, 500)
    c = StochasticLIFNeuron(**p, seed=4).run_constant(0.09, 500)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    g = np.random.default_rng(3)
    d = StochasticLIFNeuron(**p, seed=np.random.default_rng(3)).run_constant(0.09, 500)
    assert key_from_seed(g).tolist() == key_from_seed(np.random.default_rng(3)).tolist()
    np.testing.assert_array_equal(a, d)


def test_reset_restarts_the_noise_sequence() -> None:
    n = StochasticLIFNeuron(noise_std=0.3, seed=9)
    a = n.run_constant(0.07, 200)
    n.reset()
    np.testing.assert_array_equal(n.run_constant(0.07, 200), a)


@pytest.mark.slow
def test_noise_is_standard_normal_per_step() -> None:
    # zero input, tau huge: v performs a random walk whose increments are the noise draws
    n = StochasticLIFNeuron(tau_mem=1e12, v_threshold=1e9, noise_std=0.5, seed=11)
    steps = []
    for _ in range(20000):
        before = n.v
        n.step(0.0)
        steps.append(n.v - before)
    x = np.array(steps) / 0.5
    # exact normal tail for the mean (the leak, |v| dt / tau < 1e-9, is the slack) and exact
    # chi2(n - 1) for n times the sample variance.  False failure <= 2 x 1e-10.
    assert_normal(x.mean(), 1 / math.sqrt(x.size), slack=1e-9)
    assert_gaussian_variance(x.var(), x.size)


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("kw", "exc", "msg"),
    [
        ({"tau_mem": 0.0}, ValueError, r"tau_mem must be in \(0.0, inf\); got 0.0"),
        ({"tau_mem": -1}, ValueError, r"tau_mem must be in \(0.0, inf\); got -1.0"),
        ({"dt": float("nan")}, ValueError, r"dt must be finite; got nan"),
        ({"noise_std": -0.1}, ValueError, r"noise_std must be in \[0.0, inf\); got -0.1"),
        ({"resistance": 0}, ValueError, r"resistance must be in \(0.0, inf\); got 0.0"),
        ({"refractory_period": -1}, ValueError, r"refractory_period must be an integer in \[0, inf\]; got -1"),
        ({"refractory_period": 1.5}, TypeError, r"refractory_period must be an integer; got float 1.5"),
        ({"v_threshold": "1"}, TypeError, r"v_threshold must be a real number; got str '1'"),
        ({"v_reset": 1.0}, ValueError, r"v_reset must be < v_threshold \(1.0\); got 1.0"),
        ({"v_rest": float("inf")}, ValueError, r"v_rest must be finite; got inf"),
        ({"seed": -1}, ValueError, r"seed must be a non-negative integer; got -1"),
        ({"seed": 1.5}, TypeError, r"seed must be None, an int"),
    ],
)
def test_neuron_bad_input(kw, exc, msg) -> None:
    with pytest.raises(exc, match=msg):
        StochasticLIFNeuron(**kw)


def test_step_bad_current() -> None:
    n = StochasticLIFNeuron()
    with pytest.raises(ValueError, match=r"I must be finite; got nan"):
        n.step(float("nan"))
    with pytest.raises(TypeError, match=r"I must be a real number; got list"):
        n.step([0.1])
    with pytest.raises(ValueError, match=r"n_steps must be an integer in \[0, inf\]; got -2"):
        n.run_constant(0.1, -2)


# ---------------------------------------------------------------- recorder


def test_recorder_rates_isi_and_export() -> None:
    rec = BitstreamSpikeRecorder(dt_ms=0.5)
    assert rec.firing_rate_hz() == 0.0 and rec.total_spikes() == 0
    train = [0, 0, 1, 0, 0, 0, 1, 0, 1, 0]
    for s in train:
        rec.record(s)
    rec.record(True)
    rec.record(np.uint8(0))
    assert rec.total_spikes() == 4 and len(rec) == 12
    assert rec.duration_ms() == 6.0
    assert rec.firing_rate_hz() == pytest.approx(4 / 6.0 * 1000)
    np.testing.assert_array_equal(rec.spike_times_ms(), [1.5, 3.5, 4.5, 5.5])
    np.testing.assert_array_equal(rec.isi_ms(), [2.0, 1.0, 1.0])
    hist, edges = rec.isi_histogram(bins=2)
    np.testing.assert_array_equal(hist, [2, 1])
    assert edges[0] == 1.0 and edges[-1] == 2.0
    arr = rec.to_array()
    assert arr.dtype == np.uint8 and arr.tolist() == [*train, 1, 0]
    arr[0] = 1  # a copy
    assert rec.to_array()[0] == 0
    rec.record_many(np.array([1, 1], dtype=bool))
    assert rec.total_spikes() == 6
    rec.reset()
    assert len(rec) == 0


def test_recorder_matches_neuron_rate() -> None:
    rec = BitstreamSpikeRecorder(dt_ms=1.0)
    rec.record_many(StochasticLIFNeuron().run_constant(0.08, 5000))
    assert rec.firing_rate_hz() == 50.0
    assert (rec.isi_ms() == 20.0).all()


@pytest.mark.parametrize(
    ("call", "exc", "msg"),
    [
        (lambda r: r.record(2), ValueError, r"spike must be 0, 1 or a bool; got 2"),
        (lambda r: r.record(0.5), TypeError, r"spike must be 0, 1 or a bool; got float 0.5"),
        (lambda r: r.record_many([0, 3]), ValueError, r"spikes must contain only 0 and 1; got 3 at index \(1,\)"),
        (lambda r: r.record_many([[0, 1]]), ValueError, r"spikes must be 1-dimensional; got shape \(1, 2\)"),
        (lambda r: r.record_many([0.0, 1.0]), TypeError, r"spikes must be an array of 0/1 bits"),
    ],
)
def test_recorder_bad_input(call, exc, msg) -> None:
    with pytest.raises(exc, match=msg):
        call(BitstreamSpikeRecorder())


def test_recorder_bad_dt() -> None:
    with pytest.raises(ValueError, match=r"dt_ms must be in \(0.0, inf\); got 0.0"):
        BitstreamSpikeRecorder(dt_ms=0)
