"""Reservoir: topology, determinism, outputs, features, plasticity tools, persistence, readout, bad input."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import scipy.sparse as sp
from _stats import assert_binomial, assert_normal

from sc_neurocore.network import FEATURE_NAMES, STDP, LinearClassifier, Reservoir, extract_features


def _res(**kw) -> Reservoir:  # type: ignore[no-untyped-def]
    args: dict[str, Any] = {"n_inputs": 4, "n_outputs": 6, "k": 6, "p_rewire": 0.2, "mean_weight": 0.3, "seed": 3}
    args.update(kw)
    return Reservoir(40, **args)


def _inputs(seed: int, t: int = 60, n_in: int = 4, p: float = 0.2) -> np.ndarray:
    return (np.random.default_rng(seed).random((n_in, t)) < p).astype(np.uint8)


def test_small_world_in_degree_and_outputs() -> None:
    r = _res()
    np.testing.assert_array_equal(r.connectivity.in_degree(), np.full(40, 6))
    out = r.get_output_neurons()
    assert out.size == 6 and np.unique(out).size == 6 and out.min() >= 4  # never an input neuron
    # 240 weights N(0.3, 0.03^2) (float32): exact normal tail, false failure <= 1e-10
    assert_normal(r.connectivity.weights.astype(np.float64).mean() - 0.3, 0.03 / np.sqrt(240), slack=2.0**-23)


def test_random_topology_and_adjacency() -> None:
    r = _res(topology="random", connection_prob=0.2)
    assert 0 < r.connectivity.nnz < 40 * 39
    adj = sp.csr_matrix(np.triu(np.full((5, 5), 0.5), 1))
    r2 = Reservoir(n_inputs=1, output_neurons=[3, 4], adjacency=adj)
    assert r2.n_neurons == 5 and r2.connectivity.nnz == 10
    np.testing.assert_array_equal(r2.get_topology().toarray(), adj.toarray())


def test_leak_coefficient_maps_to_tau() -> None:
    r = _res(leak_coefficient=0.01, dt=1.0)
    assert r.population.tau_m[0] == pytest.approx(100.0)


def test_input_bit_makes_input_neuron_fire() -> None:
    # amplitude = threshold by default: a bit on step 0 makes neuron q spike on step 0
    adj = sp.csr_matrix((3, 3))
    r = Reservoir(n_inputs=2, output_neurons=[0, 1, 2], adjacency=adj)
    ev = r.simulate(np.array([[1, 0, 0], [0, 0, 1]], dtype=np.uint8))
    assert sorted(zip(ev.neurons.tolist(), ev.steps.tolist(), strict=True)) == [(0, 0), (1, 2)]
    np.testing.assert_array_equal(r.raster(), [[1, 0, 0], [0, 0, 0], [0, 1, 0]])
    lists = r.spike_time_lists()
    assert [a.tolist() for a in lists] == [[0], [2], []]


def test_simulate_is_deterministic_and_restarts_from_initial_state() -> None:
    x = _inputs(1)
    a = _res().simulate(x)
    r = _res()
    b = r.simulate(x)
    c = r.simulate(x)  # restarts: same as the first run
    for e in (b, c):
        np.testing.assert_array_equal(a.neurons, e.neurons)
        np.testing.assert_array_equal(a.steps, e.steps)
    assert len(a) > 0
    d = _res(seed=4).simulate(x)
    assert not (np.array_equal(a.neurons, d.neurons) and np.array_equal(a.steps, d.steps))


def test_features_match_extract_features() -> None:
    r = _res()
    ev = r.simulate(_inputs(2))
    f = r.features(n_bins=5)
    assert tuple(f) == FEATURE_NAMES
    g = extract_features(ev.neurons, ev.steps, r.output_neurons, 60, 1.0, n_bins=5)
    for k in FEATURE_NAMES:
        np.testing.assert_array_equal(f[k], g[k])
    np.testing.assert_array_equal(f["spike_count"], r.raster().sum(axis=0))


def test_transform_shape_and_readout_on_separable_inputs() -> None:
    # class 0 drives inputs 0,1 densely, class 1 drives inputs 2,3; counts of the
    # input neurons themselves (made outputs) separate the classes perfectly.
    r = _res(output_neurons=np.arange(8), mean_weight=0.0, n_outputs=None)
    y = np.arange(20) % 2
    samples = []
    for i, c in enumerate(y):
        m = np.zeros((4, 30), dtype=np.uint8)
        m[2 * c: 2 * c + 2] = _inputs(100 + i, 30, 2, 0.5)
        samples.append(m)
    x = r.transform(samples, features=("spike_count", "rate_hz"))
    assert x.shape == (20, 16)
    clf = LinearClassifier(alpha=1e-3).fit(x[:10], y[:10])
    assert clf.score(x[10:], y[10:]) == 1.0


def test_stdp_changes_weights_within_bounds_and_can_be_disabled() -> None:
    r = _res()
    w0 = r.connectivity.weights.copy()
    r.enable_stdp(STDP(W_max=0.5, A_plus=0.01, A_minus=0.01))
    r.simulate(_inputs(3))
    w1 = r.connectivity.weights.copy()
    assert not np.array_equal(w0, w1)
    assert (w1 >= 0).all() and (w1 <= 0.5).all()
    r.disable_stdp()
    r.simulate(_inputs(3))
    np.testing.assert_array_equal(r.connectivity.weights, w1)


def test_prune_rescale_reset_weights() -> None:
    r = _res()
    nnz = r.connectivity.nnz
    assert r.prune(0.25) == nnz // 4 and r.connectivity.nnz == nnz - nnz // 4
    r.rescale_synaptic_weights_to_mean(0.2)
    assert float(np.abs(r.connectivity.weights).mean()) == pytest.approx(0.2, rel=1e-5)
    r.reset_synaptic_weights(0.5, 0.0)
    np.testing.assert_array_equal(r.connectivity.weights, np.full(r.connectivity.nnz, 0.5, np.float32))
    r.reset_synaptic_weights(0.5, 0.1, seed=1)
    assert r.connectivity.weights.std() > 0


def test_suggested_threshold_hand_example() -> None:
    # 3 synapses of weight 0.5 on 3 neurons: mean w 0.5, mean in-degree 1 -> 0.5;
    # input amplitude 1 (= threshold) with half the bits set, refractory 2 steps -> + 2 * 0.5 * 2
    adj = sp.csr_matrix(([0.5, 0.5, 0.5], ([0, 1, 2], [1, 2, 0])), shape=(3, 3))
    r = Reservoir(n_inputs=1, output_neurons=[2], adjacency=adj)
    assert r.suggested_threshold() == pytest.approx(0.5)
    assert r.suggested_threshold(np.array([[1, 0, 1, 0]])) == pytest.approx(2.5)
    r.set_threshold(2.5)
    assert r.population.threshold[0] == 2.5
    with pytest.raises(ValueError, match=r"threshold must be > v_reset"):
        r.set_threshold(-1.0)


def test_membrane_potentials_and_save_load(tmp_path) -> None:  # type: ignore[no-untyped-def]
    r = _res()
    v0 = np.linspace(0.0, 0.9, 40)
    r.set_membrane_potentials(v0)
    np.testing.assert_array_equal(r.get_membrane_potentials(), v0.astype(np.float32))
    x = _inputs(5)
    ev = r.simulate(x)
    r.save(tmp_path / "res.npz")
    r2 = Reservoir.load(tmp_path / "res.npz")
    np.testing.assert_array_equal(r2.get_output_neurons(), r.get_output_neurons())
    ev2 = r2.simulate(x)
    np.testing.assert_array_equal(ev.neurons, ev2.neurons)
    np.testing.assert_array_equal(ev.steps, ev2.steps)


def test_sc_synapse_mode_runs_and_is_seeded() -> None:
    x = _inputs(6)
    a = _res(synapse="bernoulli").simulate(x)
    b = _res(synapse="bernoulli").simulate(x)
    assert len(a) > 0  # the output neurons fire
    np.testing.assert_array_equal(a.steps, b.steps)
    np.testing.assert_array_equal(a.neurons, b.neurons)
    c = _res(synapse="bernoulli", seed=4).simulate(x)
    assert not (np.array_equal(a.steps, c.steps) and np.array_equal(a.neurons, c.neurons))

    # The SC mean: neuron 0 fires on every step but the last and projects onto m silent, leak-free
    # targets with w = 0.2 and onto one with w = 0.5 (which sets w_scale = 0.5): each emission then
    # adds 0.5 to a target with probability 0.2 / 0.5 = 0.4, so the targets' summed potential / 0.5
    # is Binomial(m (T - 1), 0.4) and the w = 0.5 target receives every emission.
    m, t = 40, 300
    rows, cols = np.zeros(m + 1, dtype=np.int64), np.arange(1, m + 2)
    adj = sp.csr_matrix((np.r_[np.full(m, 0.2), 0.5], (rows, cols)), shape=(m + 2, m + 2))
    bits = np.ones((1, t), dtype=np.uint8)
    bits[0, -1] = 0  # the last emission (step T - 2) arrives on step T - 1: nothing left in flight
    r = Reservoir(n_inputs=1, output_neurons=cols, adjacency=adj, synapse="bernoulli", threshold=1e9,
                  input_amplitude=2e9, tau_m=1e9, refractory=0.0, membrane_potentials=0.0, seed=4)
    r.simulate(bits)
    net = r.network
    assert net.w_scale == 0.5
    assert (net.spikes.neurons == 0).sum() == t - 1 and len(net.spikes) == t - 1
    v = net.v.astype(np.float64)
    assert v[m + 1] == 0.5 * (t - 1)
    successes = v[1:m + 1] / 0.5
    np.testing.assert_array_equal(successes, np.rint(successes))  # whole transmissions only
    # p = round(F(0.2) / F(0.5) 2^32) / 2^32, within 2^-24 of 0.4 (float32 weights); exact
    # Clopper-Pearson, false failure <= 1e-10
    assert_binomial(int(successes.sum()), m * (t - 1), 0.4, slack=2.0**-24)


@pytest.mark.parametrize(
    ("kwargs", "exc", "match"),
    [
        ({"k": 5}, ValueError, r"k must be an even integer with 2 <= k < n = 40; got 5"),
        ({"k": 40}, ValueError, r"k must be an even integer with 2 <= k < n = 40; got 40"),
        ({"p_rewire": 1.5}, ValueError, r"p_rewire must be in \[0.0, 1.0\]; got 1.5"),
        ({"topology": "ring"}, ValueError, r"topology must be one of 'small_world', 'random'; got 'ring'"),
        ({"n_outputs": None}, ValueError, r"n_outputs must be given when output_neurons is None"),
        ({"n_outputs": 37}, ValueError, r"n_outputs must be an integer in \[1, 36\]; got 37"),
        ({"n_inputs": 40}, ValueError, r"n_inputs must be an integer in \[1, 39\]; got 40"),
        ({"output_neurons": [1, 1]}, ValueError, r"output_neurons must be distinct"),
        ({"output_neurons": [50]}, ValueError, r"output_neurons must be in \[0, 39\]; got 50"),
        ({"leak_coefficient": 1.0}, ValueError, r"leak_coefficient must be in \(0.0, 1.0\); got 1.0"),
        ({"tau_m": 0.0}, ValueError, r"tau_m must be finite and > 0|tau_m must be in \(0.0, inf\)"),
        ({"weight_std": -1.0}, ValueError, r"weight_std must be in \[0.0, inf\); got -1.0"),
        ({"synapse": "analog"}, ValueError, r"synapse must be one of"),
        ({"membrane_potentials": [0.0]}, ValueError, r"membrane_potentials must be a scalar or have shape \(40,\)"),
    ],
)
def test_bad_construction(kwargs: dict, exc: type, match: str) -> None:
    with pytest.raises(exc, match=match):
        _res(**kwargs)


def test_bad_calls() -> None:
    r = _res()
    with pytest.raises(ValueError, match=r"simulate must be called first"):
        r.features()
    with pytest.raises(ValueError, match=r"input_spikes must have shape \(4, T\)"):
        r.simulate(np.zeros((3, 10), dtype=np.uint8))
    with pytest.raises(ValueError, match=r"input_spikes must contain only 0 and 1; got 2"):
        r.simulate(np.full((4, 10), 2))
    with pytest.raises(TypeError, match=r"input_spikes must be an array of 0/1 bits"):
        r.simulate(np.zeros((4, 10)))
    with pytest.raises(ValueError, match=r"features must be one of"):
        r.transform([_inputs(1)], features=("spikes",))
    with pytest.raises(ValueError, match=r"samples must hold at least one input matrix"):
        r.transform([])
    with pytest.raises(ValueError, match=r"matrix must be 40 x 40; got 3 x 3"):
        r.set_topology(sp.csr_matrix((3, 3)))
    with pytest.raises(ValueError, match=r"membrane_potentials must have shape \(40,\)"):
        r.set_membrane_potentials(np.zeros(3))
    with pytest.raises(ValueError, match=r"membrane_potentials must be finite"):
        r.set_membrane_potentials(np.full(40, np.nan))
    with pytest.raises(ValueError, match=r"fraction must be in \[0.0, 1.0\]; got 2.0"):
        r.prune(2.0)
    with pytest.raises(TypeError, match=r"stdp must be an STDP or None; got str"):
        r.enable_stdp("yes")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"n_neurons must be given when adjacency is None"):
        Reservoir(n_inputs=1, n_outputs=1)
    with pytest.raises(ValueError, match=r"adjacency must be square; got 3 x 4"):
        Reservoir(n_inputs=1, n_outputs=1, adjacency=sp.csr_matrix((3, 4)))


@pytest.mark.slow
def test_seed_package_example_scaled_down() -> None:
    # The package's usage example (50 random inputs x 500 steps, 35 outputs, leak
    # 1/10000, refractory 2 steps, threshold 2, small world p = 0.2 with k = 10 % of
    # 2N) at a fifth of the size, with the weight scaled so that k * w is unchanged.
    rng = np.random.default_rng(0)
    my_input = rng.integers(0, 2, size=(50, 500), dtype=np.uint8)
    n = 400
    k = int(0.10 * n * 2)
    w = 0.00745167232 * 1.05 * (2000 * 0.2 * 2) / (2 * k)  # k*w as with N = 2000, k = 400
    res = Reservoir(n, n_inputs=50, n_outputs=35, leak_coefficient=1 / 10000, refractory=2.0,
                    threshold=2.0, dt=1.0, topology="small_world", p_rewire=0.2, k=k,
                    mean_weight=w, seed=1)
    assert res.population.tau_m[0] == pytest.approx(10000.0)
    res.simulate(my_input)
    raster = res.raster()
    assert raster.shape == (500, 35)
    assert 0 < raster.sum() < raster.size  # active, not saturated
    feats = res.features()
    assert set(feats) == set(FEATURE_NAMES)
    assert all(v.shape == (35,) for v in feats.values())
    np.testing.assert_array_equal(feats["spike_count"], raster.sum(axis=0))
    assert res.get_output_neurons().min() >= 50
    again = Reservoir(n, n_inputs=50, n_outputs=35, leak_coefficient=1 / 10000, refractory=2.0,
                      threshold=2.0, dt=1.0, topology="small_world", p_rewire=0.2, k=k,
                      mean_weight=w, seed=1)
    again.simulate(my_input)
    np.testing.assert_array_equal(again.raster(), raster)


def test_homeostasis_theta_carries_over_between_samples() -> None:
    from sc_neurocore.network import Homeostasis

    r = _res()
    x = _inputs(8)
    first = len(r.simulate(x))
    r.enable_homeostasis(Homeostasis(theta_plus=0.5, tau_theta=1e6))
    r.simulate(x)
    theta = r.network.theta.copy()
    assert theta.max() > 0  # neurons that fired raised their thresholds
    # the next sample starts from the raised thresholds, so the outputs fire less than without
    assert len(r.simulate(x)) < first
    assert (r.network.theta >= theta * np.exp(-60 / 1e6) - 1e-6).all()  # decay over 60 steps is tiny
