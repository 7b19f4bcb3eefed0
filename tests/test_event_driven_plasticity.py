"""Exact event-driven STDP against an independent plain-Python reference of the continuous-time rule.

The spikes are forced by explicit input events (weight 5, threshold 1) and the recurrent weights are
too small to make a neuron fire, so the spike times are known in advance; the test asserts that the
network fired exactly those, and the reference computes the weights from them alone: traces
``x(t) = x(t0) exp(-(t - t0) / tau)`` between a neuron's spikes, at every instant the synapses of the
spiking neurons (ascending) are updated from the traces before that instant's increments, then the
traces are incremented (or set to 1).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from sc_neurocore.network import STDP, EventDrivenNetwork, Population

F32 = np.float32


def _update_ref(w: np.float32, y: np.float32, st: STDP) -> np.float32:
    """One STDP step of STDP's docstring, in float32: ``y > 0`` LTP by x_pre, ``y < 0`` LTD by x_post."""
    a_plus, a_minus, w_max = F32(st.eta * st.A_plus), F32(st.eta * st.A_minus), F32(st.W_max)
    sign = F32(math.copysign(1.0, float(w)))
    m = F32(w * sign)
    if y > 0:
        m = F32(m + a_plus * y) if st.rule == "additive" else F32(m + a_plus * y * (F32(1.0) - m / w_max))
    else:
        m = F32(m + a_minus * y) if st.rule == "additive" else F32(m * (F32(1.0) + (a_minus / w_max) * y))
    if st.clip:  # as the kernel: ``m <= 0`` becomes +0.0, so the sign bit of w survives
        m = F32(0.0) if m <= 0 else (w_max if m > w_max else m)
    return F32(m * sign)


def stdp_reference(n, pre, post, w0, spikes, st):
    """Final weights after the spikes ``[(t, neuron), ...]`` under the continuous-time pair rule."""
    w = [F32(x) for x in w0]
    x_pre, x_post, last = [0.0] * n, [0.0] * n, [-math.inf] * n

    def trace(x, i, t, tau):
        return 0.0 if x == 0.0 else x * math.exp(-(t - last[i]) / tau)

    for t in sorted({t for t, _ in spikes}):
        spiking = sorted(i for tt, i in spikes if tt == t)
        for i in spiking:
            for s in range(len(w)):
                if pre[s] == i:
                    y = F32(trace(x_post[post[s]], post[s], t, st.tau_minus))
                    if y != 0:
                        w[s] = _update_ref(w[s], F32(-y), st)
            for s in range(len(w)):
                if post[s] == i:
                    y = F32(trace(x_pre[pre[s]], pre[s], t, st.tau_plus))
                    if y != 0:
                        w[s] = _update_ref(w[s], y, st)
        for i in spiking:
            if st.nearest_neighbor:
                x_pre[i], x_post[i] = 1.0, 1.0
            else:
                x_pre[i] = trace(x_pre[i], i, t, st.tau_plus) + 1.0
                x_post[i] = trace(x_post[i], i, t, st.tau_minus) + 1.0
            last[i] = t
    return np.array(w, dtype=np.float32)


def _setup(seed: int):
    """All-to-all 5 neurons (self-synapses too), weights in (-0.01, 0.01), forced spike times on a 0.25 ms grid."""
    rng = np.random.default_rng(seed)
    n = 5
    indptr = np.arange(0, n * n + 1, n)
    indices = np.tile(np.arange(n), n)
    pre = np.repeat(np.arange(n), n)
    w0 = (rng.uniform(0.002, 0.01, n * n) * np.where(rng.random(n * n) < 0.2, -1, 1)).astype(np.float32)
    delays = rng.uniform(0.0, 2.0, n * n)
    # spikes on a coarse grid, so that several neurons often fire at one instant; >= 1 ms apart per neuron
    spikes = []
    for i in range(n):
        grid = np.sort(rng.choice(np.arange(4, 400), size=40, replace=False))
        grid = grid[np.concatenate([[True], np.diff(grid) >= 4])]
        spikes += [(float(g) * 0.25, i) for g in grid]
    return n, indptr, indices, pre, w0, delays, spikes


@pytest.mark.parametrize("rule", ["additive", "multiplicative"])
@pytest.mark.parametrize("nearest", [False, True])
@pytest.mark.parametrize("seed", [1, 2])
def test_stdp_matches_continuous_time_reference(rule: str, nearest: bool, seed: int) -> None:
    n, indptr, indices, pre, w0, delays, spikes = _setup(seed)
    st = STDP(tau_plus=15.0, tau_minus=30.0, A_plus=0.002, A_minus=0.0025, eta=1.5, W_max=0.02, rule=rule,
              nearest_neighbor=nearest)
    pop = Population(n, tau_m=10.0, refractory=0.5, threshold=1.0, v_reset=0.0, v_rest=0.0)
    net = EventDrivenNetwork(pop, (indptr, indices, w0), delays_ms=delays)
    net.set_stdp(st)
    net.add_events([t for t, _ in spikes], [i for _, i in spikes], 5.0)
    sp = net.run(101.0)
    # the network fired exactly the forced spikes (the recurrent weights never reach the threshold)
    want = sorted(spikes)
    assert list(zip(sp.times_ms.tolist(), sp.neurons.tolist(), strict=True)) == want
    ref = stdp_reference(n, pre, indices, w0, spikes, st)
    np.testing.assert_array_equal(net.weights, ref)
    np.testing.assert_array_equal(net.connectivity.weights, ref)
    assert not np.array_equal(ref, w0)


def test_inhibitory_weight_clipped_to_zero_stays_inhibitory() -> None:
    # multiplicative LTD of a magnitude clipped to 0 with a factor 1 - (A-/W_max) x_post < 0 gave -0.0,
    # which `mag < 0` did not clip, and the sign bit flipped (inhibitory -> excitatory)
    from sc_neurocore._kernels._network import _update

    w = _update(F32(-0.0), F32(-20.0), 1, F32(0.01), F32(0.01), F32(0.02), True)  # factor 1 - 0.5 * 20 < 0
    assert math.copysign(1.0, float(w)) == -1.0


def test_same_instant_pair_changes_nothing_and_pairs_follow_the_exponential() -> None:
    st = STDP(tau_plus=20.0, tau_minus=40.0, A_plus=0.01, A_minus=0.01, W_max=1.0, rule="additive")
    pop = Population(2, refractory=0.0)
    # synapse 0 -> 1 only
    net = EventDrivenNetwork(pop, (np.array([0, 1, 1]), np.array([1]), np.array([0.1], np.float32)))
    net.set_stdp(st)
    net.add_events([1.0, 1.0], [0, 1], 5.0)  # same instant: no change
    net.run(2.0)
    assert net.weights[0] == F32(0.1)
    net.add_events([10.0], [1], 5.0)  # post 9 ms after the pre spike at 1 ms: LTP by A+ exp(-9/20)
    net.add_events([30.0], [0], 5.0)  # pre 20 ms after post at 10 ms (post trace 1 + exp(-9/40)): LTD
    net.run(40.0)
    w = F32(0.1) + F32(0.01) * F32(math.exp(-9.0 / 20.0))
    w = F32(w) - F32(0.01) * F32((1.0 * math.exp(-9.0 / 40.0) + 1.0) * math.exp(-20.0 / 40.0))
    assert net.weights[0] == pytest.approx(float(w), rel=1e-6)


def test_stdp_arguments() -> None:
    net = EventDrivenNetwork(Population(2), (np.array([0, 1, 1]), np.array([1]), np.array([0.5], np.float32)),
                             synapse="bernoulli")
    with pytest.raises(TypeError, match="stdp must be an STDP or None; got dict"):
        net.set_stdp({})  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"stdp.W_max must be <= w_scale = 0.5 with clip=True in SC mode; "
                                         r"got W_max=1.0, clip=True"):
        net.set_stdp(STDP())
    net.set_stdp(STDP(W_max=0.5))
    net.set_stdp(None)
    assert net.stdp is None


def test_connectivity_handed_out_is_a_snapshot() -> None:
    st = STDP(A_plus=0.01, A_minus=0.0, W_max=1.0, rule="additive")
    for delays in (None, np.array([0.0, 1.0])):  # one delay (CSR kernel order) and two (sorted by delay)
        net = EventDrivenNetwork(Population(3, refractory=0.0),
                                 (np.array([0, 2, 2, 2]), np.array([1, 2]), np.array([0.1, 0.2], np.float32)),
                                 delays_ms=delays)
        before = net.connectivity
        net.set_stdp(st)
        net.add_events([1.0, 2.0, 2.0], [0, 1, 2], 5.0)  # pre then post: LTP on both synapses
        net.run(5.0)
        np.testing.assert_array_equal(before.weights, np.array([0.1, 0.2], np.float32))
        after = net.connectivity.weights
        assert (after > before.weights).all() and not after.flags.writeable
        np.testing.assert_array_equal(after, net.weights)
