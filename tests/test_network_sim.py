"""Network simulation loop vs a plain-Python reference, resumability, persistence, SC synapses."""

from __future__ import annotations

import math

import numpy as np
import pytest
from _stats import assert_binomial
from conftest import NOJIT
from hypothesis import given
from hypothesis import strategies as st

from sc_neurocore._kernels._hash import hash3_py
from sc_neurocore._taps import MAXIMAL_TAPS
from sc_neurocore.network import (
    STDP,
    BinaryInput,
    BitstreamInput,
    Current,
    Homeostasis,
    Network,
    PoissonInput,
    Population,
    ei_weights,
    erdos_renyi,
    from_arrays,
    load_network,
)

F = np.float32


def _u01(k, dom, c):
    return (hash3_py(int(k[0]), int(k[1]), dom, c) >> 11) * (1.0 / 9007199254740992.0)


def reference(net: Network, n_steps: int, ring: np.ndarray | None = None):
    """Plain-Python simulation of ``net`` from its initial state (one neuron at a time).

    ``ring``: the initial delay ring (default zeros), updated in place.
    """
    pop, c = net.population, net.connectivity
    n = pop.n
    dt = F(pop.dt)
    alpha = pop.alpha
    v = pop.v_init.astype(F).copy()
    vr, vreset, thr = pop.v_rest.astype(F), pop.v_reset.astype(F), pop.threshold.astype(F)
    rs = pop.hold_steps
    refr = np.zeros(n, dtype=np.int64)
    ring = np.zeros((c.max_delay + 1, n), dtype=F) if ring is None else ring
    D = ring.shape[0]
    w = c.weights.copy()
    sign = np.where(w < 0, F(-1), F(1))
    pre_of = np.repeat(np.arange(n), np.diff(c.indptr))
    theta = np.zeros(n, dtype=F)
    xpre = np.zeros(n, dtype=F)
    xpost = np.zeros(n, dtype=F)
    nb = net.lfsr_width
    mask = sum(1 << (t - 1) for t in MAXIMAL_TAPS[nb])
    lfsr = [1 + hash3_py(int(net._lfsr_key[0]), int(net._lfsr_key[1]), s, 0) % ((1 << nb) - 1)
            for s in range(c.nnz)]
    i_const = np.zeros(n, dtype=F)
    tv = []
    for inp in net.inputs:
        if isinstance(inp, Current):
            a, b = inp.resolve(n)
            if a is not None:
                i_const += a
            if b is not None:
                tv.append(b)
    h, s_ = net.homeostasis, net.stdp
    spikes = []
    for t in range(n_steps):
        slot = t % D
        for inp in net.inputs:
            if isinstance(inp, PoissonInput):
                for q in range(inp.rates_hz.shape[0]):
                    if _u01(inp.key, q, t) < inp.rates_hz[q] * pop.dt / 1000.0:
                        ring[slot, inp.targets[q]] += F(inp.amplitude)
            elif isinstance(inp, BinaryInput):
                for q in range(inp.packed.shape[0]):
                    if t < inp.length and (int(inp.packed[q, t // 64]) >> (t % 64)) & 1:
                        ring[slot, inp.targets[q]] += F(inp.amplitude)
        fired = []
        for i in range(n):
            x = ring[slot, i]
            ring[slot, i] = 0
            f = False
            if refr[i] > 0:
                v[i] = vreset[i]
                refr[i] -= 1
            else:
                cur = i_const[i]
                for b in tv:
                    if t < b.shape[0]:
                        cur = F(cur + b[t, i])
                vi = v[i]
                vi = F(F(F(vi + F(alpha[i] * F(vr[i] - vi))) + F(dt * cur)) + x)
                th = thr[i] if h is None else F(thr[i] + theta[i])
                if vi >= th:
                    v[i] = vreset[i]
                    refr[i] = rs[i]
                    f = True
                else:
                    v[i] = vi
            if h is not None:
                theta[i] = F(F(theta[i] * F(math.exp(-pop.dt / h.tau_theta))) + (F(h.theta_plus) if f else F(0)))
            if f:
                fired.append(i)
                spikes.append((t, i))
        for i in fired:
            for s in range(c.indptr[i], c.indptr[i + 1]):
                ws = w[s]
                if net.synapse == "deterministic":
                    jump = ws
                else:
                    sgn = F(net.w_scale) if ws >= 0 else F(-net.w_scale)
                    p = abs(float(ws)) * (1.0 / float(F(net.w_scale)))
                    if net.synapse == "bernoulli":
                        T = math.floor(p * 2.0**32 + 0.5)
                        bit = (hash3_py(int(net._syn_key[0]), int(net._syn_key[1]), s, t) >> 32) < T
                    else:
                        X = math.floor(min(p, 1.0) * 2.0**nb + 0.5)
                        stt = lfsr[s]
                        bit = stt < X
                        fb = bin(stt & mask).count("1") & 1
                        lfsr[s] = ((stt << 1) | fb) & ((1 << nb) - 1)
                    jump = sgn if bit else F(0)
                if jump != 0:
                    ring[(t + int(c.delays[s])) % D, c.indices[s]] += jump
        if s_ is not None:
            dp, dm = (F(x) for x in s_.decay(pop.dt))
            xpre *= dp
            xpost *= dm
            ap, am, wm = F(s_.eta * s_.A_plus), F(s_.eta * s_.A_minus), F(s_.W_max)
            for i in fired:
                for s in range(c.indptr[i], c.indptr[i + 1]):
                    y = xpost[c.indices[s]]
                    if y != 0:
                        w[s] = _upd(w[s], sign[s], -y, s_, ap, am, wm)
                for s in np.nonzero(c.indices == i)[0].tolist():
                    y = xpre[pre_of[s]]
                    if y != 0:
                        w[s] = _upd(w[s], sign[s], y, s_, ap, am, wm)
            for i in fired:
                if s_.nearest_neighbor:
                    xpre[i] = 1
                    xpost[i] = 1
                else:
                    xpre[i] += F(1)
                    xpost[i] += F(1)
    return spikes, v, w


def _upd(w, sign, y, s_, ap, am, wm):
    m = F(w * sign)
    if y > 0:
        m = F(m + F(ap * y)) if s_.rule == "additive" else F(m + F(F(ap * y) * F(F(1) - F(m / wm))))
    else:
        m = F(m + F(am * y)) if s_.rule == "additive" else F(m * F(F(1) + F(F(am / wm) * y)))
    if s_.clip:
        m = min(max(m, F(0)), wm)
    return F(m * sign)


def _small_net(synapse="deterministic", seed=0, n=30, stdp=None, homeo=False, delay_max=3):
    pop = Population(n, v_rest=F(-0.1), v_reset=0.0, threshold=1.0, tau_m=10.0, refractory=0.3, dt=0.1,
                     n_exc=24)
    rng = np.random.default_rng(seed)
    m = 6 * n
    pre = rng.integers(0, n, m)
    post = rng.integers(0, n, m)
    w = np.where(pre < 24, rng.uniform(0.05, 0.4, m), -rng.uniform(0.05, 0.4, m))
    d = rng.integers(1, delay_max + 1, m)
    conn = from_arrays(pre, post, w, d, n_pre=n)
    net = Network(pop, conn, synapse=synapse, w_scale=0.5 if synapse != "deterministic" else None, seed=seed,
                  lfsr_width=8)
    net.add_input(PoissonInput(rng.uniform(200, 900, 10), 0.6, seed=seed + 1))
    bits = rng.integers(0, 2, (4, 70))
    net.add_input(BinaryInput(bits, 0.5, targets=[10, 11, 12, 13]))
    net.add_input(Current(rng.uniform(0, 8, 50), targets=np.arange(14, 20), time_varying=True))
    net.add_input(Current(np.full(n, 2.0), time_varying=False))
    if stdp is not None:
        net.set_stdp(stdp)
    if homeo:
        net.set_homeostasis(Homeostasis(theta_plus=0.1, tau_theta=5.0))
    return net


@pytest.mark.parametrize("synapse", ["deterministic", "bernoulli", "lfsr"])
def test_simulation_matches_reference(synapse):
    steps = 60 if NOJIT else 150
    net = _small_net(synapse)
    ref_spikes, ref_v, _ = reference(net, steps)
    sp = net.run(steps)
    assert len(ref_spikes) > 20
    assert list(zip(sp.steps.tolist(), sp.neurons.tolist(), strict=True)) == ref_spikes
    np.testing.assert_array_equal(net.v, ref_v)


@pytest.mark.parametrize("rule", ["additive", "multiplicative"])
@pytest.mark.parametrize("nearest", [False, True])
def test_stdp_and_homeostasis_match_reference(rule, nearest):
    steps = 50 if NOJIT else 120
    stdp = STDP(tau_plus=2.0, tau_minus=4.0, A_plus=0.05, A_minus=0.04, eta=0.5, W_max=0.45, rule=rule,
                nearest_neighbor=nearest)
    net = _small_net(stdp=stdp, homeo=True)
    ref_spikes, ref_v, ref_w = reference(net, steps)
    sp = net.run(steps)
    assert list(zip(sp.steps.tolist(), sp.neurons.tolist(), strict=True)) == ref_spikes
    np.testing.assert_array_equal(net.connectivity.weights, ref_w)
    assert not np.array_equal(ref_w, _small_net().connectivity.weights)
    # sign of inhibitory synapses preserved, magnitudes within [0, W_max]
    w0 = _small_net().connectivity.weights
    assert np.all((w0 < 0) <= (ref_w <= 0))
    assert np.all(np.abs(ref_w) <= F(0.45))


def test_stdp_hand_computed_pair():
    # neuron 0 -> 1 with w = 0.5; 0 is made to spike at step 0, 1 at step 3 (pre before post: LTP).
    # dt = 1 ms keeps the trace arithmetic simple; tau_m = 100 ms satisfies dt < tau_m / 10.
    pop = Population(2, threshold=1.0, tau_m=100.0, refractory=0.0, dt=1.0)
    conn = from_arrays([0], [1], [0.5], 5, n_pre=2)
    net = Network(pop, conn)
    bits = np.zeros((2, 10), dtype=np.uint8)
    bits[0, 0] = 1
    bits[1, 3] = 1
    net.add_input(BinaryInput(bits, 2.0))
    net.set_stdp(STDP(tau_plus=10.0, tau_minus=20.0, A_plus=0.1, A_minus=0.1, eta=1.0, W_max=1.0,
                      rule="additive", clip=True))
    sp = net.run(4)
    assert list(zip(sp.steps.tolist(), sp.neurons.tolist(), strict=True)) == [(0, 0), (3, 1)]
    # at step 3 the pre trace has decayed three times from 1: exp(-3/10)
    x_pre = F(1) * F(math.exp(-0.1)) * F(math.exp(-0.1)) * F(math.exp(-0.1))
    assert net.connectivity.weights[0] == F(F(0.5) + F(F(0.1) * x_pre))
    assert abs(float(net.connectivity.weights[0]) - (0.5 + 0.1 * math.exp(-0.3))) < 1e-6
    # multiplicative LTD on a post-before-pre pair
    net2 = Network(pop, from_arrays([0], [1], [0.5], 5, n_pre=2))
    bits2 = np.zeros((2, 10), dtype=np.uint8)
    bits2[1, 0] = 1
    bits2[0, 2] = 1
    net2.add_input(BinaryInput(bits2, 2.0))
    net2.set_stdp(STDP(tau_plus=10.0, tau_minus=20.0, A_plus=0.1, A_minus=0.2, W_max=1.0))
    net2.run(3)
    assert abs(float(net2.connectivity.weights[0]) - 0.5 * (1 - 0.2 * math.exp(-2 / 20))) < 1e-6


def test_lock_a_minus():
    s = STDP(tau_plus=20.0, tau_minus=40.0, A_plus=0.01, A_minus=0.5, lock_A_minus=True)
    assert s.A_minus == pytest.approx(0.005)


@pytest.mark.parametrize("synapse", ["deterministic", "bernoulli", "lfsr"])
def test_resumable_bit_for_bit(synapse):
    steps = 40 if NOJIT else 400
    stdp = STDP(tau_plus=2.0, tau_minus=4.0, A_plus=0.01, A_minus=0.01, W_max=0.5)
    a = _small_net(synapse, stdp=stdp, homeo=True)
    a.monitor([0, 5])
    full = a.run(2 * steps)
    b = _small_net(synapse, stdp=stdp, homeo=True)
    b.monitor([0, 5])
    b.run(steps)
    b.run(steps)
    assert np.array_equal(full.neurons, b.spikes.neurons) and np.array_equal(full.steps, b.spikes.steps)
    np.testing.assert_array_equal(a.v_trace.v, b.v_trace.v)
    np.testing.assert_array_equal(a.connectivity.weights, b.connectivity.weights)


@pytest.mark.parametrize("synapse", ["deterministic", "bernoulli", "lfsr"])
def test_save_load_resume_bit_identical(tmp_path, synapse):
    steps = 30 if NOJIT else 300
    stdp = STDP(tau_plus=2.0, tau_minus=4.0, A_plus=0.01, A_minus=0.01, W_max=0.5)
    a = _small_net(synapse, stdp=stdp, homeo=True)
    a.run(2 * steps)
    b = _small_net(synapse, stdp=stdp, homeo=True)
    b.run(steps)
    b.save(tmp_path / "net.npz")
    c = load_network(tmp_path / "net.npz")
    c.run(steps)
    for x, y in ((a.spikes.neurons, c.spikes.neurons), (a.spikes.steps, c.spikes.steps),
                 (a.v, c.v), (a.ring, c.ring), (a.connectivity.weights, c.connectivity.weights),
                 (a.lfsr, c.lfsr), (a.theta, c.theta)):
        np.testing.assert_array_equal(x, y)
    assert c.t == a.t


def test_progress_chunks_equal_single_call():
    pytest.importorskip("tqdm", reason="the progress bar needs the optional tqdm package")
    a = _small_net()
    b = _small_net()
    sa = a.run(250)
    sb = b.run(250, progress=True)  # 100 compiled chunks of 2 steps with a bar between them
    assert len(sa) > 20
    assert np.array_equal(sa.neurons, sb.neurons) and np.array_equal(sa.steps, sb.steps)
    np.testing.assert_array_equal(a.v, b.v)


def test_spike_buffer_growth():
    # 200 neurons driven to threshold on every step (dt I = 20 >= 1, no refractoriness): 200 spikes a
    # step overflow the initial record within ~20 steps, in both passes, and again on a second run
    n, steps = 200, 50
    pop = Population(n, tau_m=10.0, refractory=0.0, dt=0.1)
    net = Network(pop)
    net.add_input(Current(np.full(n, 200.0), time_varying=False))
    cap0 = net._sp_n.shape[0]
    assert cap0 < n * steps
    first = net.run(steps)
    cap1 = net._sp_n.shape[0]
    assert cap1 > cap0  # the record grew
    net.run(4 * cap1 // n)
    assert net._sp_n.shape[0] > cap1  # and grew again
    sp = net.spikes
    # nothing lost or reordered in the copies: every neuron on every step, in neuron order
    total = steps + 4 * cap1 // n
    np.testing.assert_array_equal(sp.steps, np.repeat(np.arange(total), n))
    np.testing.assert_array_equal(sp.neurons, np.tile(np.arange(n), total))
    np.testing.assert_array_equal(first.steps, np.repeat(np.arange(steps), n))


def test_refractory_holds_at_reset_and_discards_input():
    # one neuron driven every step by a big jump, refractory 0.4 ms = 4 steps (Brian2's convention):
    # spikes on steps 0, 4, 8, ...; on the 3 steps after each spike v is held at v_reset although a
    # jump of 5 arrives, and on the spike step itself v is reset
    pop = Population(1, v_rest=0.0, v_reset=-0.5, threshold=1.0, tau_m=10.0, refractory=0.4, dt=0.1)
    net = Network(pop)
    net.add_input(BinaryInput(np.ones((1, 30), dtype=np.uint8), 5.0))
    net.monitor([0])
    sp = net.run(30)
    assert sp.steps.tolist() == list(range(0, 30, 4))
    assert np.all(net.v_trace.v[:28, 0] == F(-0.5))
    # refractory 0: a spike on every step; refractory 0.1 ms = 1 step: the same
    for r in (0.0, 0.1):
        net = Network(Population(1, refractory=r, dt=0.1))
        net.add_input(BinaryInput(np.ones((1, 10), dtype=np.uint8), 5.0))
        assert net.run(10).steps.tolist() == list(range(10))


def test_resting_potential_honoured():
    pop = Population(3, v_rest=[-0.3, 0.0, 0.5], threshold=1.0, v_reset=-1.0, v_init=[0.0, 0.0, 0.0],
                     tau_m=5.0, dt=0.1)
    net = Network(pop)
    net.run(2000 if not NOJIT else 600)
    np.testing.assert_allclose(net.v, [-0.3, 0.0, 0.5], atol=1e-3 if not NOJIT else 0.01)


def test_lif_rate_matches_analytic_isi():
    # v_rest = v_reset = 0, constant current I: ISI = -tau ln(1 - Vth/(I tau)) (+ refractory)
    pop = Population(1, tau_m=20.0, refractory=0.0, dt=0.01)
    net = Network(pop)
    net.add_input(Current(0.08))
    steps = 4000 if NOJIT else 100000
    sp = net.run(steps)
    isi = np.diff(sp.steps).mean() * 0.01
    assert abs(isi - (-20 * math.log(1 - 1 / (0.08 * 20)))) < 0.05


def test_bitstream_input_packed_equals_unpacked():
    rng = np.random.default_rng(3)
    bits = rng.integers(0, 2, (3, 100)).astype(np.uint8)
    packed = np.zeros((3, 2), dtype=np.uint64)
    for q in range(3):
        for t in range(100):
            if bits[q, t]:
                packed[q, t // 64] |= np.uint64(1) << np.uint64(t % 64)
    outs = []
    for inp in (BitstreamInput(bits, 1.5), BitstreamInput(packed, 1.5, length=100)):
        net = Network(Population(3, refractory=0.0, dt=0.1))
        net.add_input(inp)
        outs.append(net.run(120))
    assert np.array_equal(outs[0].steps, outs[1].steps)
    # each input bit alone crosses threshold (1.5 >= 1): spikes are exactly the bits
    assert len(outs[0]) == int(bits.sum())


@given(rate=st.floats(5.0, 400.0), seed=st.integers(0, 2**32))
def test_poisson_counts_within_binomial_bounds(rate, seed):
    n_gen, steps, dt = 20, 2000 if NOJIT else 20000, 0.1
    pop = Population(n_gen, threshold=1.0, refractory=0.0, dt=dt)
    net = Network(pop)
    net.add_input(PoissonInput(rate, 10.0, n=n_gen, seed=seed))  # every input spike fires its neuron
    total = len(net.run(steps))
    # each generator fires on a step when u < rate dt / 1000 (u on the 2^-53 grid):
    # Binomial(n_gen steps, p), exact Clopper-Pearson; false failure <= 60 x 1e-10
    p = rate * dt / 1000.0
    assert_binomial(total, n_gen * steps, p, slack=2.0**-52)


def _one_to_many(synapse, w, n_t, steps, seed, lfsr_width=16):
    """Neuron 0 fires on every step; it projects with weight ``w`` onto ``n_t`` silent, leak-free targets."""
    pop = Population(n_t + 1, threshold=[1.0] + [1e9] * n_t, tau_m=1e9, refractory=0.0, dt=0.1)
    conn = from_arrays(np.zeros(n_t, dtype=np.int64), np.arange(1, n_t + 1), np.full(n_t, w), 1, n_pre=n_t + 1)
    net = Network(pop, conn, synapse=synapse, w_scale=0.5, seed=seed, lfsr_width=lfsr_width)
    net.add_input(BinaryInput(np.ones((1, steps + 1), dtype=np.uint8), 2.0))
    net.run(steps + 1)  # emissions on steps 0..steps-1 arrive on 1..steps
    return net.v[1:].astype(np.float64) / 0.5  # successes per target


@given(wp=st.floats(0.05, 0.95), seed=st.integers(0, 2**31))
def test_sc_bernoulli_transmission_rate_binomial(wp, seed):
    n_t, steps = 40, 60 if NOJIT else 500
    got = _one_to_many("bernoulli", wp * 0.5, n_t, steps, seed).sum()
    p = math.floor(float(F(wp * 0.5)) / 0.5 * 2**32 + 0.5) / 2**32
    trials = n_t * steps
    # exact Clopper-Pearson on the successes; false failure <= 60 x 1e-10
    assert got == round(got)
    assert_binomial(round(got), trials, p)


@given(x=st.integers(1, 256), seed=st.integers(0, 2**31))
def test_sc_lfsr_full_period_exact_count(x, seed):
    # over one full period (255 clocks of an 8-bit LFSR) every state 1..255 appears once: X - 1 ones
    got = _one_to_many("lfsr", x / 256 * 0.5, 5, 255, seed, lfsr_width=8)
    assert np.array_equal(got, np.full(5, max(x - 1, 0)))


def test_ei_network_matches_reference():
    # the 80/20 E/I network with Poisson drive, small enough for the plain-Python reference:
    # the same spikes and final potentials, bit for bit (a rate window would pass a broken engine)
    n, steps = (60, 150) if NOJIT else (100, 400)
    pop = Population(n, tau_m=20.0, refractory=2.0, dt=0.1, n_exc=int(0.8 * n))
    conn = erdos_renyi(n, 0.1, weight=ei_weights(n, int(0.8 * n), 0.02, 0.1), seed=5)
    net = Network(pop, conn, seed=1)
    net.add_input(PoissonInput(1500.0, 0.25, n=n, seed=2))
    ref_spikes, ref_v, _ = reference(net, steps)
    sp = net.run(steps)
    assert len(ref_spikes) > n  # active: more than one spike per neuron on average
    assert {i for _, i in ref_spikes} & set(range(int(0.8 * n), n))  # inhibitory neurons fire too
    assert list(zip(sp.steps.tolist(), sp.neurons.tolist(), strict=True)) == ref_spikes
    np.testing.assert_array_equal(net.v, ref_v)


def test_prune_and_rescale():
    net = _small_net("lfsr")
    w = net.connectivity.weights.copy()
    k = net.prune(0.25)
    assert k == int(0.25 * w.size)
    assert net.connectivity.nnz == w.size - k
    assert np.abs(net.connectivity.weights).min() >= np.sort(np.abs(w))[k - 1]
    assert net.lfsr.shape[0] == net.connectivity.nnz
    net.run(20)
    net2 = _small_net()
    net2.rescale_weights(0.1)
    assert abs(np.abs(net2.connectivity.weights.astype(np.float64)).mean() - 0.1) < 1e-6
    assert np.array_equal(np.sign(net2.connectivity.weights), np.sign(w))


def test_reset_restarts_identically():
    net = _small_net("bernoulli")
    a = net.run(80)
    net.reset()
    b = net.run(80)
    assert np.array_equal(a.neurons, b.neurons) and np.array_equal(a.steps, b.steps)
