"""NIR export/import (``sc_neurocore.network.to_nir`` / ``from_nir`` / ``write_nir`` / ``read_nir``).

Two kinds of evidence: a network exported, written, read back and run gives
identical spikes; and a graph built with nir's own API, independently of our
exporter, runs like a plain NumPy simulation of NIR's documented LIF
equations (``tau dv/dt = (v_leak - v) + r I``, spike when ``v > v_threshold``,
``v <- v_reset``) discretised by forward Euler as docs/interop.md states.
"""

from __future__ import annotations

import os

import numpy as np
import pytest

from sc_neurocore.network import (
    STDP,
    Current,
    Homeostasis,
    Network,
    Population,
    erdos_renyi,
    from_arrays,
    from_nir,
    read_nir,
    to_nir,
    write_nir,
)

if os.environ.get("CI"):
    import nir  # the test command installs the nir extra: a missing package is a failure in CI
else:
    nir = pytest.importorskip("nir")


def _net(n: int = 40, seed: int = 1, **pop_kw: object) -> Network:
    kw: dict = dict(tau_m=20.0, refractory=2.0, dt=0.1, threshold=1.0, v_rest=0.1, v_reset=-0.05)
    kw.update(pop_kw)
    pop = Population(n, **kw)
    return Network(pop, erdos_renyi(n, 0.2, weight=0.05, weight_std=0.03, seed=seed))


def _drive(n: int, steps: int, seed: int = 2) -> np.ndarray:
    return np.random.default_rng(seed).uniform(0.0, 30.0, (steps, n))


def _spikes(net: Network, current: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    net.add_input(Current(current, time_varying=True))
    ev = net.run(current.shape[0])
    return ev.neurons.copy(), ev.steps.copy()


# ---------------------------------------------------------------- round trip


def test_round_trip_file_gives_identical_spikes(tmp_path):
    net = _net(v_init=np.linspace(-0.05, 0.9, 40))
    drive = _drive(40, 600)
    path = tmp_path / "net.nir"
    write_nir(net, path)
    imp = read_nir(path)
    ref = _spikes(_net(v_init=np.linspace(-0.05, 0.9, 40)), drive)
    got = _spikes(imp.network(), drive)
    assert ref[0].size > 200  # the comparison is about a network that fires
    np.testing.assert_array_equal(got[0], ref[0])
    np.testing.assert_array_equal(got[1], ref[1])
    # the same input through the graph's Input node: x @ I (identity) is the jump per step
    ev = imp.run(drive * imp.population.dt)
    np.testing.assert_array_equal(ev.neurons, ref[0])
    np.testing.assert_array_equal(ev.steps, ref[1])


def test_round_trip_keeps_every_parameter():
    net = _net(refractory=np.linspace(0.0, 3.0, 40), tau_m=np.linspace(5.0, 30.0, 40), n_exc=30)
    imp = from_nir(to_nir(net))
    a, b = net.population, imp.population
    for attr in ("v_rest", "v_reset", "threshold", "tau_m", "refractory", "v_init"):
        np.testing.assert_array_equal(getattr(b, attr), getattr(a, attr), err_msg=attr)
    assert b.dt == a.dt
    np.testing.assert_array_equal(imp.connectivity.to_scipy().toarray(), net.connectivity.to_scipy().toarray())
    np.testing.assert_array_equal(imp.output_neurons, np.arange(40))


def test_export_records_refractory_and_reset_in_metadata():
    g = to_nir(_net(refractory=2.0, dt=0.1))
    lif = g.nodes["lif"]
    assert isinstance(lif, nir.LIF)
    np.testing.assert_array_equal(lif.metadata["sc_neurocore.refractory_ms"], np.full(40, 2.0))
    np.testing.assert_array_equal(lif.metadata["sc_neurocore.refractory_steps"], np.full(40, 20))
    assert lif.metadata["sc_neurocore.spike_condition"] == "v >= v_threshold"
    assert "hard reset" in lif.metadata["sc_neurocore.reset"]
    np.testing.assert_allclose(lif.tau, np.full(40, 0.02))  # seconds
    np.testing.assert_allclose(lif.r, np.full(40, 200.0))  # tau / dt, so NIR weights are our jumps
    assert set(g.nodes) == {"input", "lif", "recurrent", "output"}
    assert isinstance(g.nodes["recurrent"], nir.Linear)


# ---------------------------------------------------------------- independent graph


#: float32 unit roundoff: the engine keeps potentials, weights and currents in float32.
_EPS32 = 2.0**-24


def _reference(x, w_in, b_in, w_rec, w_ff, tau, r, v_leak, thr, v_reset, dt):
    """Forward-Euler NIR LIF, two populations: input -> Affine -> A, A -> Linear -> A, A -> Linear -> B.

    Spikes of step t reach their targets on step t + 1; the input acts on its own step.
    Returns the spike rasters of A and B and the smallest ``|v - v_threshold| - e`` seen,
    where ``e`` bounds the float32 engine's deviation from this float64 run: each step
    adds at most 8 roundings (of the leak, the jumps and their float32 parameters) of
    the magnitudes involved, and the leak contracts the old error by ``1 - dt / tau``.
    A positive value means float32 cannot flip any threshold decision of this run.
    """
    pops = [dict(tau=t, r=rr, lk=lk, th=th, rs=rs, v=np.zeros(t.size), z=np.zeros(t.size), e=np.zeros(t.size),
                 out=[]) for t, rr, lk, th, rs in zip(tau, r, v_leak, thr, v_reset, strict=True)]
    a, b = pops
    slack = np.inf
    for t in range(x.shape[0]):
        terms_a = np.abs(w_in) @ np.abs(x[t]) + np.abs(b_in) + np.abs(w_rec) @ a["z"]
        currents = (w_in @ x[t] + b_in + w_rec @ a["z"], w_ff @ a["z"])
        terms = (terms_a, np.abs(w_ff) @ a["z"])
        for p, cur, mag in zip(pops, currents, terms, strict=True):
            leak = dt / p["tau"] * (p["lk"] - p["v"])
            jump = dt * p["r"] / p["tau"] * cur
            p["v"] = p["v"] + leak + jump
            p["e"] = (1 - dt / p["tau"]) * p["e"] + 8 * _EPS32 * (
                np.abs(p["v"]) + np.abs(leak) + dt * p["r"] / p["tau"] * mag)
            slack = min(slack, float((np.abs(p["v"] - p["th"]) - p["e"]).min()))
        for p in pops:
            p["z"] = (p["v"] > p["th"]).astype(float)
            p["v"] = np.where(p["z"] > 0, p["rs"], p["v"])
            p["e"] = np.where(p["z"] > 0, 0.0, p["e"])
            p["out"].append(p["z"])
    return np.array(a["out"]), np.array(b["out"]), slack


def test_independent_graph_matches_numpy_simulation():
    rng = np.random.default_rng(7)
    n_in, na, nb, steps = 3, 6, 4, 400
    dt_s = 1e-4
    tau_a, tau_b = rng.uniform(0.01, 0.03, na), rng.uniform(0.005, 0.02, nb)
    r_a, r_b = rng.uniform(0.5, 2.0, na), rng.uniform(0.5, 2.0, nb)
    leak_a, leak_b = rng.uniform(-0.1, 0.1, na), np.zeros(nb)
    thr_a, thr_b = rng.uniform(0.8, 1.2, na), np.ones(nb)
    reset_a, reset_b = np.zeros(na), np.full(nb, -0.2)
    w_in = rng.uniform(0.0, 60.0, (na, n_in))
    b_in = rng.uniform(0.0, 2.0, na)
    w_rec = rng.normal(0.0, 20.0, (na, na))
    w_ff = rng.uniform(20.0, 150.0, (nb, na))
    g = nir.NIRGraph(
        nodes={
            "in": nir.Input(input_type={"input": np.array([n_in])}),
            "w_in": nir.Affine(weight=w_in, bias=b_in),
            "a": nir.LIF(tau=tau_a, r=r_a, v_leak=leak_a, v_threshold=thr_a, v_reset=reset_a),
            "w_rec": nir.Linear(weight=w_rec),
            "w_ff": nir.Linear(weight=w_ff),
            "b": nir.LIF(tau=tau_b, r=r_b, v_leak=leak_b, v_threshold=thr_b, v_reset=reset_b),
            "out": nir.Output(output_type={"output": np.array([nb])}),
        },
        edges=[("in", "w_in"), ("w_in", "a"), ("a", "w_rec"), ("w_rec", "a"), ("a", "w_ff"), ("w_ff", "b"),
               ("b", "out")],
    )
    x = (rng.random((steps, n_in)) < 0.3).astype(float)
    imp = from_nir(g, dt_ms=dt_s * 1e3)
    ev = imp.run(x)
    got = np.zeros((steps, na + nb))
    got[ev.steps, ev.neurons] = 1
    ref_a, ref_b, slack = _reference(x, w_in, b_in, w_rec, w_ff, (tau_a, tau_b), (r_a, r_b),
                                      (leak_a, leak_b), (thr_a, thr_b), (reset_a, reset_b), dt_s)
    # float32 engine vs float64 reference: exact comparison is valid when no decision is within rounding
    assert slack > 0
    assert ref_a.sum() > 50 and ref_b.sum() > 20
    np.testing.assert_array_equal(got[:, :na], ref_a)
    np.testing.assert_array_equal(got[:, na:], ref_b)
    np.testing.assert_array_equal(imp.output_neurons, np.arange(na, na + nb))
    assert imp.node_slices == {"a": slice(0, na), "b": slice(na, na + nb)}


def test_nir_threshold_is_strict():
    """NIR fires on v > v_threshold: reaching the threshold exactly is not a spike."""
    g = nir.NIRGraph(
        nodes={"in": nir.Input(input_type={"input": np.array([1])}),
               # r = tau / dt: one unit of input is a jump of exactly 1
               "lif": nir.LIF(tau=np.array([0.02]), r=np.array([200.0]), v_leak=np.zeros(1),
                              v_threshold=np.ones(1)),
               "out": nir.Output(output_type={"output": np.array([1])})},
        edges=[("in", "lif"), ("lif", "out")],
    )
    imp = from_nir(g, dt_ms=0.1)
    assert imp.run(np.array([[1.0]])).steps.size == 0
    assert imp.run(np.array([[1.0 + 2**-20]])).steps.size == 1


def test_foreign_graph_has_no_refractory_and_zero_initial_state():
    g = nir.NIRGraph(
        nodes={"in": nir.Input(input_type={"input": np.array([2])}),
               "lif": nir.LIF(tau=np.full(2, 0.02), r=np.ones(2), v_leak=np.ones(2), v_threshold=np.full(2, 2.0)),
               "out": nir.Output(output_type={"output": np.array([2])})},
        edges=[("in", "lif"), ("lif", "out")],
    )
    imp = from_nir(g, dt_ms=1.0)
    np.testing.assert_array_equal(imp.population.refractory, np.zeros(2))
    np.testing.assert_array_equal(imp.population.v_init, np.zeros(2))


# ---------------------------------------------------------------- refusals


def test_export_refuses_plasticity():
    net = _net()
    net.set_stdp(STDP())
    with pytest.raises(ValueError, match=r"plasticity \(STDP\) cannot be expressed in NIR"):
        to_nir(net)
    net = _net()
    net.set_homeostasis(Homeostasis())
    with pytest.raises(ValueError, match=r"plasticity \(Homeostasis adaptive thresholds\)"):
        to_nir(net)


def test_export_refuses_sc_synapses():
    pop = Population(10, dt=0.1)
    net = Network(pop, erdos_renyi(10, 0.3, weight=0.1, seed=1), synapse="bernoulli", seed=1)
    with pytest.raises(ValueError, match=r"stochastic-computing synapses \(synapse='bernoulli'\) cannot be "):
        to_nir(net)


def test_export_refuses_delays_other_than_one_step():
    pop = Population(3, dt=0.1)
    conn = from_arrays(np.array([0, 1]), np.array([1, 2]), 0.5, np.array([1, 3]), n_pre=3)
    with pytest.raises(ValueError, match=r"delays other than one step cannot be expressed in NIR .* got a "
                                         r"delay of 3 steps"):
        to_nir(Network(pop, conn))


def test_dense_size_guard():
    net = _net(n=40)
    with pytest.raises(ValueError, match=r"a dense 40 x 40 weight matrix has 1600 entries \(12800 bytes as "
                                         r"float64\), above max_dense_entries=1000"):
        to_nir(net, max_dense_entries=1000)
    assert isinstance(to_nir(net, max_dense_entries=1600), nir.NIRGraph)


def test_import_refuses_cubalif_and_unknown_nodes():
    one = np.ones(2)
    g = nir.NIRGraph(nodes={"in": nir.Input(input_type={"input": np.array([2])}),
                            "c": nir.CubaLIF(tau_syn=one, tau_mem=one, r=one, v_leak=0 * one, v_threshold=one),
                            "out": nir.Output(output_type={"output": np.array([2])})},
                     edges=[("in", "c"), ("c", "out")])
    with pytest.raises(ValueError, match=r"node 'c' is a nir.CubaLIF: current-based synapses \(tau_syn\)"):
        from_nir(g, dt_ms=0.1)
    g = nir.NIRGraph(nodes={"in": nir.Input(input_type={"input": np.array([2])}),
                            "i": nir.IF(r=one, v_threshold=one),
                            "out": nir.Output(output_type={"output": np.array([2])})},
                     edges=[("in", "i"), ("i", "out")])
    with pytest.raises(ValueError, match=r"node 'i' is a nir.IF, which cannot be expressed"):
        from_nir(g, dt_ms=0.1)


def test_import_needs_dt_for_a_foreign_graph():
    g = nir.NIRGraph(nodes={"in": nir.Input(input_type={"input": np.array([1])}),
                            "lif": nir.LIF(tau=np.ones(1), r=np.ones(1), v_leak=np.zeros(1),
                                           v_threshold=np.ones(1))},
                     edges=[("in", "lif")])
    with pytest.raises(ValueError, match=r"dt_ms must be given: the graph records no time step"):
        from_nir(g)


def test_import_refuses_shape_mismatch():
    g = nir.NIRGraph(nodes={"in": nir.Input(input_type={"input": np.array([3])}),
                            "w": nir.Linear(weight=np.ones((2, 4))),
                            "lif": nir.LIF(tau=np.ones(2), r=np.ones(2), v_leak=np.zeros(2),
                                           v_threshold=np.ones(2))},
                     edges=[("in", "w"), ("w", "lif")], type_check=False)
    with pytest.raises(ValueError, match=r"edge 'in' -> 'lif': weight shape \(2, 4\) does not match \(2, 3\)"):
        from_nir(g, dt_ms=0.1)


def test_malformed_file_names_the_file(tmp_path):
    bad = tmp_path / "bad.nir"
    bad.write_bytes(b"not an hdf5 file")
    with pytest.raises(ValueError, match=r"bad\.nir' is not a readable NIR file"):
        read_nir(bad)
    with pytest.raises(FileNotFoundError, match="no NIR file"):
        read_nir(tmp_path / "absent.nir")


def test_file_with_too_large_datasets_is_refused_before_loading(tmp_path):
    path = tmp_path / "big.nir"
    write_nir(_net(n=40), path)
    with pytest.raises(ValueError, match=r"big\.nir' is not a usable NIR file: its datasets declare \d+ entries"):
        read_nir(path, max_dense_entries=100)


def test_file_with_bad_parameters_names_the_file(tmp_path):
    g = nir.NIRGraph(nodes={"in": nir.Input(input_type={"input": np.array([1])}),
                            "lif": nir.LIF(tau=np.array([-1.0]), r=np.ones(1), v_leak=np.zeros(1),
                                           v_threshold=np.ones(1))},
                     edges=[("in", "lif")])
    path = tmp_path / "neg.nir"
    nir.write(path, g)
    with pytest.raises(ValueError, match=r"neg\.nir': node 'lif': tau must be > 0 \(seconds\); got -1.0"):
        read_nir(path, dt_ms=0.1)


def test_population_without_synapses_exports_without_a_weight_node():
    g = to_nir(Population(4, dt=0.1))
    assert sorted(g.nodes) == ["input", "lif", "output"]
    imp = from_nir(g)
    assert imp.connectivity.nnz == 0
    # a unit input of 2 jumps v past the threshold 1 of every neuron on step 0
    np.testing.assert_array_equal(imp.run(np.full((1, 4), 2.0)).neurons, np.arange(4))


def test_bad_metadata_is_named():
    g = to_nir(_net(n=4))
    g.nodes["lif"].metadata["sc_neurocore.refractory_ms"] = "two"
    with pytest.raises(ValueError, match=r"node 'lif': metadata sc_neurocore.refractory_ms must be a finite 1-d "
                                         r"array of real numbers; got str"):
        from_nir(g)
