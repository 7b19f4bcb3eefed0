"""Populations, inputs, monitors, plasticity and persistence details: hand-computed cases and bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sc_neurocore.bitstream import bernoulli
from sc_neurocore.network import (
    STDP,
    BinaryInput,
    BitstreamInput,
    Current,
    Homeostasis,
    Network,
    PoissonInput,
    Population,
    erdos_renyi,
    from_arrays,
    load_network,
)

F = np.float32


def _euler(v, alpha, v_rest, dt, i, x=0.0):
    """One float32 Euler step in the kernel's operation order."""
    return F(F(F(v + F(alpha * F(v_rest - v))) + F(dt * i)) + F(x))


def test_constant_and_time_varying_current_hand_computed():
    pop = Population(2, v_rest=0.2, threshold=10.0, tau_m=5.0, dt=0.1)
    net = Network(pop)
    net.add_input(Current(0.5))  # both neurons
    net.add_input(Current(np.array([1.0, 2.0, 3.0]), targets=[1], time_varying=True))  # neuron 1, steps 0-2
    net.monitor([0, 1])
    net.run(5)
    alpha, dt = F(0.1 / 5.0), F(0.1)
    v0 = v1 = F(0.2)
    for t in range(5):
        v0 = _euler(v0, alpha, F(0.2), dt, F(0.5))
        extra = F([1.0, 2.0, 3.0][t]) if t < 3 else F(0)
        v1 = _euler(v1, alpha, F(0.2), dt, F(F(0.5) + extra))
        assert net.v_trace.v[t, 0] == v0 and net.v_trace.v[t, 1] == v1
    np.testing.assert_array_equal(net.v_trace.times_ms, np.arange(5) * 0.1)


def test_current_shapes():
    n = 3
    per_neuron = Current(np.array([0.1, 0.2, 0.3]), time_varying=False)
    c, tv = per_neuron.resolve(n)
    assert tv is None and np.array_equal(c, F([0.1, 0.2, 0.3]))
    c, tv = Current(np.ones((4, 3))).resolve(n)
    assert c is None and tv.shape == (4, 3)
    c, tv = Current(np.array([1.0, 2.0]), targets=[2], time_varying=True).resolve(n)
    assert tv.tolist() == [[0, 0, 1], [0, 0, 2]]


def test_binary_input_is_the_reservoir_matrix():
    # input row q drives neuron q; each 1 is a jump of 1.5 >= threshold: spikes are exactly the ones
    m = np.array([[1, 0, 0, 1, 0], [0, 1, 1, 0, 1]], dtype=np.uint8)
    net = Network(Population(4, refractory=0.0, dt=0.1))
    net.add_input(BinaryInput(m, 1.5))
    sp = net.run(8)
    assert sorted(zip(sp.steps.tolist(), sp.neurons.tolist(), strict=True)) == [(0, 0), (1, 1), (2, 1), (3, 0),
                                                                                 (4, 1)]


def test_bitstream_input_from_core_encoder():
    streams = bernoulli(np.array([0.2, 0.7]), 500, seed=4)  # packed uint64, shape (2, 8)
    net = Network(Population(2, refractory=0.0, dt=0.1))
    net.add_input(BitstreamInput(streams, 2.0, length=500))
    counts = net.run(500).counts()
    bits = [sum((int(streams[q, t // 64]) >> (t % 64)) & 1 for t in range(500)) for q in range(2)]
    assert counts.tolist() == bits


def test_record_subset_and_event_lists():
    net = Network(Population(3, refractory=0.0, dt=0.1), record=[1, 2])
    net.add_input(BinaryInput(np.ones((3, 4), dtype=np.uint8), 5.0))
    sp = net.run(4)
    assert set(sp.neurons.tolist()) == {1, 2} and len(sp) == 8
    assert sp.to_dense().shape == (4, 3) and sp.to_dense()[:, 0].sum() == 0
    assert [tr.tolist() for tr in sp.spike_trains()] == [[], [0, 1, 2, 3], [0, 1, 2, 3]]
    assert sp.counts().tolist() == [0, 4, 4]
    assert sp.rates_hz()[1] == pytest.approx(4 / 0.0004)
    assert len(sp.window(1, 3)) == 4
    np.testing.assert_allclose(sp.times_ms[:2], [0.0, 0.0])
    net.clear_spikes()
    assert len(net.spikes) == 0


def test_homeostasis_hand_computed():
    # a spike every step (refractory 0): theta_t = theta_{t-1} * exp(-dt/tau) + theta_plus while v crosses
    pop = Population(1, threshold=1.0, refractory=0.0, dt=0.1)
    net = Network(pop)
    net.add_input(BinaryInput(np.ones((1, 3), dtype=np.uint8), 5.0))
    net.set_homeostasis(Homeostasis(theta_plus=0.5, tau_theta=2.0))
    net.run(3)
    d = F(math.exp(-0.1 / 2.0))
    th = F(0)
    for _ in range(3):
        th = F(F(th * d) + F(0.5))
    assert net.theta[0] == th
    # the effective threshold 1 + theta stays below the jump of 5, so the neuron fires on all three steps
    assert len(net.spikes) == 3


def test_stdp_keeps_inhibitory_sign_through_zero():
    # inhibitory synapse 0 -> 1 driven to magnitude 0 by LTD stays inhibitory (-0.0) and regrows negative
    pop = Population(2, threshold=1.0, tau_m=100.0, refractory=0.0, dt=1.0)
    net = Network(pop, from_arrays([0], [1], [-0.05], 5, n_pre=2))
    bits = np.zeros((2, 6), dtype=np.uint8)
    bits[1, 0] = 1  # post, then pre: LTD of 0.2 * 1 * e^-0.1 > 0.05
    bits[0, 1] = 1
    bits[1, 3] = 1  # post after pre: LTP
    net.add_input(BinaryInput(bits, 2.0))
    net.set_stdp(STDP(tau_plus=10.0, tau_minus=10.0, A_plus=0.1, A_minus=0.2, W_max=1.0, rule="additive"))
    net.run(2)
    w = net.connectivity.weights[0]
    assert w == 0 and np.signbit(w)
    net.run(2)
    expected = -(0.1 * math.exp(-0.2))
    assert abs(float(net.connectivity.weights[0]) - expected) < 1e-6


def test_save_load_with_currents_and_bitstreams(tmp_path):
    def make():
        pop = Population(6, v_rest=[0.0, 0.1, 0.2, 0.0, 0.0, 0.0], refractory=0.3, dt=0.1)
        net = Network(pop, from_arrays([0, 1, 2, 3], [1, 2, 3, 4], [0.3, 0.4, -0.2, 0.6], [1, 2, 3, 140], n_pre=6),
                      synapse="lfsr", lfsr_width=12, seed=3)
        net.add_input(Current(np.linspace(0, 30, 40), targets=[0, 5], time_varying=True))
        net.add_input(BitstreamInput(bernoulli(np.array([0.3]), 100, seed=1), 1.2, length=100, targets=[1]))
        net.add_input(PoissonInput([300.0, 500.0], 0.7, targets=[2, 3], seed=8))
        net.monitor([0, 4])
        return net

    a = make()
    a.run(160)
    b = make()
    b.run(70)
    b.save(tmp_path / "n.npz")
    c = load_network(tmp_path / "n.npz")
    c.run(90)
    assert len(a.spikes) > 10
    np.testing.assert_array_equal(a.spikes.neurons, c.spikes.neurons)
    np.testing.assert_array_equal(a.spikes.steps, c.spikes.steps)
    np.testing.assert_array_equal(a.v_trace.v, c.v_trace.v)
    np.testing.assert_array_equal(a.lfsr, c.lfsr)


def test_load_rejects_other_files(tmp_path):
    np.savez(tmp_path / "x.npz", meta=np.array('{"format": 99}'))
    with pytest.raises(ValueError, match="path must be a network file"):
        load_network(tmp_path / "x.npz")


def test_allow_large_dt_override():
    pop = Population(1, tau_m=1.0, dt=0.5, allow_large_dt=True)
    assert pop.alpha[0] == F(0.5)


def test_bad_input():
    with pytest.raises(ValueError, match="tau_m must"):
        Population(3, tau_m=0.0)
    with pytest.raises(ValueError, match="tau_m must"):
        Population(3, tau_m=[10.0, -1.0, 10.0])
    with pytest.raises(ValueError, match="dt must be < tau_m / 10"):
        Population(3, tau_m=1.0, dt=0.1)
    with pytest.raises(ValueError, match="dt must"):
        Population(3, dt=0.0)
    with pytest.raises(ValueError, match="tau_m must be a scalar or have shape"):
        Population(3, tau_m=[20.0, 20.0])
    with pytest.raises(ValueError, match="v_rest must be finite"):
        Population(2, v_rest=[0.0, np.nan])
    with pytest.raises(ValueError, match="threshold must be > v_reset"):
        Population(2, threshold=0.0, v_reset=0.0)
    with pytest.raises(ValueError, match="refractory must"):
        Population(2, refractory=-1.0)
    with pytest.raises(ValueError, match="rates_hz must be >= 0"):
        PoissonInput([-1.0], 1.0)
    with pytest.raises(ValueError, match="n must be given"):
        PoissonInput(5.0, 1.0)
    with pytest.raises(ValueError, match="rates_hz must be <= 1000 / dt"):
        Network(Population(2, dt=0.1)).add_input(PoissonInput(20000.0, 1.0, n=2))
    with pytest.raises(ValueError, match="targets must be in"):
        Network(Population(2)).add_input(PoissonInput(1.0, 1.0, n=2, targets=[0, 7]))
    with pytest.raises(ValueError, match="targets must have shape"):
        PoissonInput([1.0, 2.0], 1.0, targets=[0])
    with pytest.raises(ValueError, match="matrix must contain only 0 and 1"):
        BinaryInput(np.array([[0, 2]]), 1.0)
    with pytest.raises(ValueError, match="matrix must be 2-dimensional"):
        BinaryInput(np.array([0, 1]), 1.0)
    with pytest.raises(ValueError, match="streams must have 2 words"):
        BitstreamInput(np.zeros((1, 1), dtype=np.uint64), 1.0, length=100)
    with pytest.raises(ValueError, match="values must have shape"):
        Network(Population(3)).add_input(Current(np.ones((5, 4))))
    with pytest.raises(ValueError, match="values must be finite"):
        Current(np.array([1.0, np.nan]))
    with pytest.raises(ValueError, match="synapse must be one of"):
        Network(Population(3), synapse="analog")
    with pytest.raises(ValueError, match="lfsr_width must"):
        Network(Population(3), lfsr_width=2)
    with pytest.raises(ValueError, match="weights must satisfy"):
        Network(Population(2), from_arrays([0], [1], 0.8, n_pre=2), synapse="bernoulli", w_scale=0.5)
    with pytest.raises(ValueError, match="record must be in"):
        Network(Population(3), record=[0, 3])
    with pytest.raises(ValueError, match="neurons must be in"):
        Network(Population(3)).monitor([5])
    with pytest.raises(ValueError, match="fraction must"):
        Network(Population(3)).prune(1.5)
    with pytest.raises(ValueError, match="target_mean must"):
        Network(Population(2), from_arrays([0], [1], 0.5, n_pre=2)).rescale_weights(-1.0)
    with pytest.raises(ValueError, match="tau_plus must"):
        STDP(tau_plus=0.0)
    with pytest.raises(ValueError, match="rule must be one of"):
        STDP(rule="hebb")
    with pytest.raises(TypeError, match="nearest_neighbor must be a bool"):
        STDP(nearest_neighbor=1)
    with pytest.raises(ValueError, match="tau_theta must"):
        Homeostasis(tau_theta=0.0)
    with pytest.raises(ValueError, match="stdp.W_max must be <= w_scale"):
        Network(Population(2), from_arrays([0], [1], 0.5, n_pre=2), synapse="lfsr", w_scale=0.5).set_stdp(
            STDP(W_max=1.0))
    with pytest.raises(ValueError, match="n_steps must"):
        Network(Population(2)).run(-1)


@given(split=st.integers(0, 120), mode=st.sampled_from(["deterministic", "bernoulli", "lfsr"]))
def test_any_split_equals_one_run(split, mode):
    def make():
        pop = Population(12, v_rest=-0.05, refractory=0.2, dt=0.1)
        net = Network(pop, erdos_renyi(12, 0.3, weight=0.3, delay=2, seed=4), synapse=mode, seed=6,
                      lfsr_width=10)
        net.add_input(PoissonInput(600.0, 0.6, n=12, seed=7))
        return net

    a = make()
    whole = a.run(120)
    b = make()
    b.run(split)
    b.run(120 - split)
    assert len(whole) > 10
    np.testing.assert_array_equal(whole.neurons, b.spikes.neurons)
    np.testing.assert_array_equal(whole.steps, b.spikes.steps)
    np.testing.assert_array_equal(a.v, b.v)
