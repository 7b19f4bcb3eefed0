"""SC (stochastic) synapses in the event-driven network: bits against a plain-Python reference of the
hash / LFSR rule, the transmitted fraction (exact binomial bound) and the mean input (Bernstein bound)."""

from __future__ import annotations

import numpy as np
import pytest
from _stats import assert_bernstein, assert_binomial

from sc_neurocore._kernels._hash import hash3_py
from sc_neurocore._rng import spawn_keys
from sc_neurocore._taps import MAXIMAL_TAPS, tap_mask
from sc_neurocore.network import EventDrivenNetwork, Population


def _threshold(p: float, bits: int) -> int:
    """round(p 2^bits), half to even (conventions §3), in exact arithmetic for the test's values."""
    return int(np.rint(p * 2.0**bits))


def transmitted_ref(synapse: str, seed: int, weights: np.ndarray, w_scale: float, n_spikes: int,
                    width: int = 16) -> np.ndarray:
    """(n_spikes, nnz) bool: did synapse s (CSR index) transmit the presynaptic spike number c?"""
    syn_key, lfsr_key = (tuple(int(x) for x in k) for k in spawn_keys(seed, 2))
    nnz = weights.shape[0]
    out = np.zeros((n_spikes, nnz), dtype=bool)
    p = np.abs(weights.astype(np.float64)) / np.float32(w_scale)
    for s in range(nnz):
        if synapse == "bernoulli":
            t = _threshold(p[s], 32)
            for c in range(n_spikes):
                out[c, s] = (hash3_py(syn_key[0], syn_key[1], s, c) >> 32) < t
        else:
            t = _threshold(min(p[s], 1.0), width)
            state = 1 + hash3_py(lfsr_key[0], lfsr_key[1], s, 0) % ((1 << width) - 1)
            taps = tap_mask(MAXIMAL_TAPS[width])
            for c in range(n_spikes):
                out[c, s] = state < t
                fb = bin(state & taps).count("1") & 1
                state = ((state << 1) | fb) & ((1 << width) - 1)
    return out


@pytest.mark.parametrize("synapse", ["bernoulli", "lfsr"])
def test_transmissions_match_reference_bit_for_bit(synapse: str) -> None:
    """Neuron 0 spikes 40 times; each of its 30 synapses (random delays, so the kernel's synapse order is
    not the CSR order) makes its target spike exactly when it transmits (jump w_scale = 1 >= threshold)."""
    rng = np.random.default_rng(7)
    k, n_spikes, seed = 30, 40, 1234
    n = k + 1
    weights = rng.uniform(0.05, 1.0, k).astype(np.float32)
    weights[0] = 1.0
    delays = rng.uniform(0.0, 4.0, k)
    indptr = np.r_[0, np.full(n, k)]
    pop = Population(n, threshold=0.5, v_reset=0.0, v_rest=0.0, refractory=0.0)
    net = EventDrivenNetwork(pop, (indptr, np.arange(1, n), weights), delays_ms=delays, synapse=synapse,
                             w_scale=1.0, seed=seed)
    net.add_events(5.0 + 5.0 * np.arange(n_spikes), np.zeros(n_spikes, int), 2.0)
    sp = net.run(5.0 * n_spikes + 20.0)
    ref = transmitted_ref(synapse, seed, weights, 1.0, n_spikes)
    want = sorted([(5.0 + 5.0 * c, 0) for c in range(n_spikes)]
                  + [(5.0 + 5.0 * c + delays[s], s + 1) for c in range(n_spikes) for s in range(k) if ref[c, s]])
    assert list(zip(sp.times_ms.tolist(), sp.neurons.tolist(), strict=True)) == want
    st = net.statistics()
    assert (st["synaptic_events"], st["transmitted"]) == (n_spikes * k, int(ref.sum()))
    assert ref[:, 0].all() and 0 < ref.sum() < ref.size


def test_bernoulli_transmitted_fraction_is_binomial() -> None:
    """k transmissions of N = 200 spikes x 400 synapses of |w| / w_scale = 0.3: exactly Binomial(N, T / 2^32)
    with T = round(0.3 * 2^32).  False-failure probability: ALPHA = 1e-10 (one exact Clopper-Pearson check)."""
    syn, n_spikes = 400, 200
    n = syn + 1
    w = np.where(np.arange(syn) % 3 == 0, -0.3, 0.3).astype(np.float32)
    pop = Population(n, threshold=np.r_[0.5, np.full(syn, 1e9)], refractory=0.0)
    net = EventDrivenNetwork(pop, (np.r_[0, np.full(n, syn)], np.arange(1, n), w), delays_ms=1.0,
                             synapse="bernoulli", w_scale=1.0, seed=99)
    net.add_events(2.0 * np.arange(1, n_spikes + 1), np.zeros(n_spikes, int), 2.0)
    net.run(2.0 * n_spikes + 5.0)
    st = net.statistics()
    assert st["synaptic_events"] == syn * n_spikes
    p = _threshold(float(np.float32(0.3)), 32) / 2.0**32
    assert_binomial(st["transmitted"], syn * n_spikes, p)


@pytest.mark.parametrize("synapse", ["bernoulli", "lfsr"])
def test_mean_input_equals_deterministic(synapse: str) -> None:
    """M = 3000 presynaptic neurons fire once at t = 1 into one target (threshold out of reach), all arriving
    at t = 2: the target's v is the sum of the M transmitted jumps.  Its mean is sum_i sign(w_i) w_scale p_i
    with p_i the exact bit probability (bernoulli: T_i / 2^32; LFSR first bit, seed uniform on
    [1, 2^n - 1]: (T_i - 1) / (2^n - 1) for T_i >= 1), within M w_scale 2^-(bits+1) (+ the LFSR's
    1 / (2^n - 1) per synapse) of the deterministic sum of w_i.  Bernstein bound on S - E S with
    V = sum w_scale^2 p_i (1 - p_i), b = w_scale.  False-failure probability: ALPHA = 1e-10 per parameter."""
    m, w_scale = 3000, 0.5
    rng = np.random.default_rng(3)
    w = (rng.uniform(-w_scale, w_scale, m)).astype(np.float32)
    n = m + 1
    indptr = np.r_[np.arange(m + 1), m]  # neuron i < m -> neuron m
    pop = Population(n, threshold=np.r_[np.full(m, 0.5), 1e9], refractory=0.0, v_rest=0.0, v_init=0.0)
    net = EventDrivenNetwork(pop, (indptr, np.full(m, m), w), delays_ms=1.0, synapse=synapse, w_scale=w_scale,
                             seed=5)
    net.add_events(np.ones(m), np.arange(m), 1.0)
    net.run(2.5)
    s = float(net._S[m, 0])  # v of the target right after the arrivals at t = 2 (no decay: v_inf = v = 0)
    q = np.abs(w.astype(np.float64)) / np.float32(w_scale)
    if synapse == "bernoulli":
        t = np.rint(q * 2.0**32)
        p = t / 2.0**32
    else:
        t = np.rint(np.minimum(q, 1.0) * 2.0**16)
        p = np.maximum(t - 1, 0) / (2.0**16 - 1)
    mean = float(np.sum(np.sign(w) * float(np.float32(w_scale)) * p))
    var = float(np.sum(w_scale**2 * p * (1 - p)))
    assert_bernstein(s - mean, var, w_scale, slack=1e-9)
    bits = 32 if synapse == "bernoulli" else 16
    rounding = m * w_scale * (2.0**-(bits + 1) + (0 if synapse == "bernoulli" else 1 / (2.0**16 - 1)))
    assert abs(mean - float(np.sum(w.astype(np.float64)))) <= rounding


def test_sc_arguments() -> None:
    pop = Population(2)
    conn = (np.array([0, 1, 1]), np.array([1]), np.array([0.8], np.float32))
    with pytest.raises(ValueError, match=r"synapse must be one of"):
        EventDrivenNetwork(pop, conn, synapse="magic")
    with pytest.raises(ValueError, match=r"weights must satisfy \|w\| <= w_scale = 0.5 in SC mode; got max \|w\|"):
        EventDrivenNetwork(pop, conn, synapse="bernoulli", w_scale=0.5)
    with pytest.raises(ValueError, match=r"lfsr_width must be an integer in \[3, 32\]; got 2"):
        EventDrivenNetwork(pop, conn, synapse="lfsr", lfsr_width=2)
    assert EventDrivenNetwork(pop, conn, synapse="lfsr").w_scale == pytest.approx(0.8)
