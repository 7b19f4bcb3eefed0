"""Tsodyks–Markram short-term plasticity in the clock-driven ``Network`` (issue #13 §2).

References: the closed form of u_n, x_n for a regular train, and the
event-driven engine (``EventDrivenNetwork``), which calls the same per-spike
update, on the same presynaptic spike times.
"""

from __future__ import annotations

import math

import numba
import numpy as np
import pytest

from sc_neurocore.network import (
    BinaryInput,
    EventDrivenNetwork,
    Network,
    PoissonInput,
    Population,
    TsodyksMarkram,
    erdos_renyi,
    from_arrays,
    load_network,
)

EPS32 = 2.0**-24  # unit roundoff of float32
DT = 0.1
#: (U, tau_facil, tau_rec): facilitating, depressing, both, static
SYNAPSES = ((0.15, 1000.0, 100.0), (0.5, 0.0, 800.0), (0.3, 50.0, 200.0), (1.0, 0.0, 0.0))


def closed_form(U, tau_f, tau_d, D, n):
    """u_k and x_k (before release) of spikes k = 1..n of a regular train of period D ms."""
    ef = math.exp(-D / tau_f) if tau_f > 0 else 0.0
    ed = math.exp(-D / tau_d) if tau_d > 0 else 0.0
    a = (1 - U) * ef
    u_star = U / (1 - a)
    u = u_star + (U - u_star) * a ** np.arange(n)  # u_n = u* + (U - u*) a^(n-1)
    x = np.empty(n)
    x[0] = 1.0
    for k in range(1, n):  # x_{n+1} = 1 - (1 - x_n (1 - u_n)) E_d
        x[k] = 1.0 - (1.0 - x[k - 1] * (1.0 - u[k - 1])) * ed
    return u, x


def _driven(m, stp_params, bits, delay=1):
    """Neurons 0..m-1 spike exactly at their kick steps (kick 2 > threshold 1, reset 0, no refractoriness);
    neuron i -> neuron m + i, which neither leaks nor fires (reads the delivered jumps)."""
    pop = Population(2 * m, threshold=np.r_[np.ones(m), np.full(m, 1e6)],
                     tau_m=np.r_[np.full(m, 20.0), np.full(m, 1e300)], refractory=0.0, dt=DT,
                     allow_large_dt=True)
    conn = from_arrays(np.arange(m), np.arange(m, 2 * m), 0.5, delay, n_pre=2 * m)
    net = Network(pop, conn)
    pad = np.zeros((m, bits.shape[1]), dtype=np.uint8)
    net.add_input(BinaryInput(np.r_[bits, pad], 2.0))
    U, tf, td = (np.r_[[s[c] for s in stp_params], np.ones(m) if c == 0 else np.zeros(m)] for c in range(3))
    net.set_stp(TsodyksMarkram(U, tf, td))
    return net


def test_regular_train_matches_closed_form_u_x_and_delivered_jumps():
    m, period, n_spikes = len(SYNAPSES), 200, 12  # 20 ms period on the 0.1 ms grid
    bits = np.zeros((m, period * n_spikes), dtype=np.uint8)
    bits[:, 5::period] = 1
    net = _driven(m, SYNAPSES, bits)
    net.monitor(range(m, 2 * m))
    got_u = np.empty((m, n_spikes))
    got_x = np.empty((m, n_spikes))
    for k in range(n_spikes):
        net.run(period)  # spike k at step 5 + k * period, delivered one step later
        got_u[:, k], got_x[:, k] = (a[:m] for a in net.stp_state())
    v = net.v_trace.v.astype(np.float64)
    for j, (U, tf, td) in enumerate(SYNAPSES):
        u, x = closed_form(U, tf, td, period * DT, n_spikes)
        # u, x after release: float64 recursion against the closed form (a few roundings per spike)
        np.testing.assert_allclose(got_u[j], u, rtol=1e-13, atol=0)
        np.testing.assert_allclose(got_x[j], x * (1 - u), rtol=1e-12, atol=1e-15)
        # jump k lands at step 6 + k * period: v difference = float32(0.5 r_k) up to float32 rounding
        # of the jump and of two sums bounded by 0.5 n_spikes
        jumps = v[6 + period * np.arange(n_spikes), j] - v[5 + period * np.arange(n_spikes), j]
        np.testing.assert_allclose(jumps, 0.5 * u * x, rtol=0, atol=3 * EPS32 * 0.5 * n_spikes)
    u_st = 1.0 / (1 - 0.85 * math.exp(-20.0 / 1000.0)) * 0.15
    assert got_u[0, -1] > got_u[0, 0] and got_u[0, -1] < u_st  # facilitation towards u*


def test_clock_and_event_driven_release_the_same_fractions_for_the_same_spike_train():
    rng = np.random.default_rng(7)
    m, n_steps = len(SYNAPSES), 3000
    bits = (rng.random((m, n_steps)) < 0.03).astype(np.uint8)
    clock = _driven(m, SYNAPSES, bits, delay=3)
    clock.monitor(range(m, 2 * m))
    clock.run(n_steps + 4)
    pop = clock.population
    event = EventDrivenNetwork(pop, clock.connectivity)
    src, steps = np.nonzero(bits)
    event.add_events(steps * DT, src, 2.0)  # the same products k * dt as the clock-driven engine
    event.set_stp(clock.stp)
    sp = event.run((n_steps + 4) * DT)
    assert np.array_equal(np.sort(sp.times_ms[sp.neurons < m]), np.sort(steps * DT))
    # u, x after every neuron's last spike: the same float64 operations in the same order
    for a, b in zip(clock.stp_state(), event.stp_state(), strict=True):
        assert np.array_equal(a, b)
    assert np.array_equal(clock._Q, event._Q)  # parameters, u, x and the last spike time
    # the delivered totals: float64 sums of w r (event) against float32 sums of float32(w r) (clock)
    total = clock.v_trace.v[-1].astype(np.float64)
    counts = bits.sum(axis=1)
    np.testing.assert_allclose(total, event.potentials()[m:], rtol=0, atol=3 * EPS32 * 0.5 * counts.max())
    assert (total[:3] < 0.5 * counts[:3]).all()  # plasticity acted (static would deliver 0.5 per spike)
    assert total[3] == np.float32(0.5) * counts[3]  # U = 1, no time constants: r = 1 exactly


def _random_delays(n, p, w, lo, hi, seed):
    """Erdős–Rényi synapses with delays drawn uniformly from [lo, hi] steps (the per-synapse path)."""
    c = erdos_renyi(n, p, weight=w, seed=seed)
    d = np.random.default_rng(seed).integers(lo, hi + 1, c.nnz)
    return from_arrays(c.pre(), c.indices, c.weights, d, n_pre=n)


def _net(seed=3):
    pop = Population(300, tau_m=20.0, refractory=2.0, dt=DT, n_exc=240)
    net = Network(pop, _random_delays(300, 0.05, 0.12, 5, 15, seed))
    net.add_input(PoissonInput(300.0, 0.4, n=300, seed=seed))
    rng = np.random.default_rng(seed)
    net.set_stp(TsodyksMarkram(rng.uniform(0.1, 0.9, 300), rng.uniform(0.0, 500.0, 300),
                               rng.uniform(0.0, 800.0, 300)))
    return net


def test_save_load_resume_is_bit_identical(tmp_path):
    whole = _net()
    s_whole = whole.run(2000)
    half = _net()
    half.run(1000)
    path = tmp_path / "stp.npz"
    half.save(path)
    loaded = load_network(path)
    assert repr(loaded.stp) == repr(half.stp)
    loaded.run(1000)
    assert len(s_whole) > 500
    assert np.array_equal(loaded.spikes.neurons, s_whole.neurons)
    assert np.array_equal(loaded.spikes.steps, s_whole.steps)
    assert np.array_equal(loaded._Q, whole._Q)
    assert np.array_equal(loaded.v, whole.v)


def test_stp_changes_the_dynamics_and_reset_restarts_it():
    net = _net()
    s1 = net.run(1000)
    plain = _net()
    plain.set_stp(None)
    assert not np.array_equal(plain.run(1000).neurons, s1.neurons)
    net.reset()
    u, x = net.stp_state()
    assert (u == 0).all() and (x == 1).all()
    assert np.array_equal(net.run(1000).neurons, s1.neurons)


def test_threads_and_epochs_do_not_change_the_result():
    """Releases are computed serially in spike order; deliveries per target block (bit-identical)."""
    n = 5000  # above PAR_MIN_NEURONS: the threaded path
    pop = Population(n, tau_m=20.0, refractory=2.0, dt=DT)
    conn = _random_delays(n, 0.004, 0.15, 2, 12, 1)
    runs = []
    threads = numba.get_num_threads()
    try:
        for k in (1, threads):
            numba.set_num_threads(k)
            net = Network(pop, conn)
            net.add_input(PoissonInput(400.0, 0.4, n=n, seed=2))
            net.set_stp(TsodyksMarkram(0.4, 200.0, 300.0))
            s = net.run(300)
            runs.append((s.neurons.copy(), s.steps.copy(), net._Q.copy(), net.v.copy()))
    finally:
        numba.set_num_threads(threads)
    assert len(runs[0][0]) > 1000
    for a, b in zip(*runs, strict=True):
        assert np.array_equal(a, b)


def test_set_stp_validation_leaves_the_network_as_it_was():
    net = _net()
    with pytest.raises(TypeError, match=r"^stp must be a TsodyksMarkram or None; got dict$"):
        net.set_stp({})  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"^U must be a scalar or have shape \(300,\); got shape \(2,\)$"):
        net.set_stp(TsodyksMarkram(U=[0.5, 0.5]))
    assert net.stp is not None and net._Q.shape == (300, 6)
    net.run(10)
    with pytest.raises(ValueError, match=r"^stp must be set before the first run \(t = 0\); got t = 10; "
                                         r"call reset\(\) first$"):
        net.set_stp(None)
    sc = Network(Population(4), synapse="bernoulli")
    with pytest.raises(ValueError, match=r"^stp needs synapse='deterministic'; got synapse='bernoulli'$"):
        sc.set_stp(TsodyksMarkram())
    with pytest.raises(ValueError, match=r"^stp_state needs short-term plasticity; call set_stp first$"):
        sc.stp_state()


def test_loader_rejects_bad_stp_state(tmp_path):
    net = _net()
    net.run(100)
    path = tmp_path / "ok.npz"
    net.save(path)
    with np.load(path) as z:
        arrays = dict(z)
    st = arrays["st_stp"].copy()
    st[3, 1] = 1.5
    bad = tmp_path / "bad.npz"
    np.savez(bad, **{**arrays, "st_stp": st})
    with pytest.raises(ValueError, match=r"st_stp must be \(u, x\) in \[0, 1\]; got 1\.5 at index \(3, 1\)"):
        load_network(bad)
    st = arrays["st_stp"].copy()
    st[0, 2] = 10.5  # after t = 100 steps = 10 ms
    np.savez(bad, **{**arrays, "st_stp": st})
    with pytest.raises(ValueError, match=r"st_stp must be a last-spike time <= t = 10\.0 "):
        load_network(bad)
