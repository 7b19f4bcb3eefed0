"""Issue #8 §3: defects of the network package found by trying it, one regression test each."""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pytest
from test_network_event_driven import reference

from sc_neurocore.network import (
    Current,
    EventDrivenNetwork,
    Network,
    Population,
    Reservoir,
    erdos_renyi,
    from_arrays,
)

# --------------------------------------------------------------------------- prune


def _prune_reference(conn, fraction):
    """Plain-Python prune: drop the k = floor(fraction * nnz) smallest |w| (stable), rebuild the rows."""
    w = [abs(float(x)) for x in conn.weights]
    k = math.floor(fraction * len(w))
    drop = set(sorted(range(len(w)), key=lambda s: w[s])[:k])
    rows = [[s for s in range(conn.indptr[i], conn.indptr[i + 1]) if s not in drop] for i in range(conn.n_pre)]
    indptr = np.cumsum([0] + [len(r) for r in rows])
    kept = [s for r in rows for s in r]
    return k, indptr, conn.indices[kept], conn.weights[kept]


def _check_prune(conn, fraction):
    k_ref, indptr, indices, weights = _prune_reference(conn, fraction)
    net = Network(Population(conn.n_pre), conn)
    assert net.prune(fraction) == k_ref
    c = net.connectivity
    np.testing.assert_array_equal(c.indptr, indptr)
    np.testing.assert_array_equal(c.indices, indices)
    np.testing.assert_array_equal(c.weights, weights)
    net.run(5)  # the rebuilt CSR is usable


def test_prune_with_trailing_neurons_without_synapses():
    # the repro: neuron 2 has no outgoing synapse, so np.add.reduceat saw indptr[2] == nnz
    conn = from_arrays([0, 0, 1], [1, 2, 2], [0.1, 0.5, 0.3], 1, n_pre=3)
    _check_prune(conn, 0.34)
    net = Network(Population(3), conn)
    net.prune(0.34)
    assert net.connectivity.indptr.tolist() == [0, 1, 2, 2]
    assert net.connectivity.weights.tolist() == [np.float32(0.5), np.float32(0.3)]


def test_prune_erdos_renyi_every_seed():
    # erdos_renyi(100, 0.02) raised in 2 of 20 seeds: those whose last rows are empty
    trailing_empty = 0
    for seed in range(20):
        conn = erdos_renyi(100, 0.02, weight=0.5, weight_std=0.1, seed=seed)
        trailing_empty += conn.indptr[-2] == conn.nnz
        _check_prune(conn, 0.34)
    assert trailing_empty >= 1  # the defect's case is among them


def test_prune_everything_and_nothing():
    conn = from_arrays([0, 2], [1, 0], [0.1, 0.2], 3, n_pre=3)
    _check_prune(conn, 1.0)
    _check_prune(conn, 0.0)


# --------------------------------------------------------------------------- event-driven self-crossing


def test_event_driven_self_crossing_spikes_once_per_instant():
    """Refractory 0 and a crossing interval below the resolution of t: one spike, not an endless loop.

    ``v_inf = 10^12`` makes the post-reset crossing ``20 ln(1 + 6e-8 / 10^12) ms = 1.2e-18 ms`` after the
    spike at t ~ 1219 ms, less than half an ulp of t, so it is predicted at t itself.  Before the fix the
    kernel fired at that instant forever (MemoryError); now the same-instant crossing is dropped like
    same-instant input, and the plain-Python reference agrees bit for bit.
    """
    pop = Population(1, threshold=1.0, v_reset=1.0 - 2.0**-24, v_init=-3e38, tau_m=20.0, refractory=0.0)
    net = EventDrivenNetwork(pop, i_ext=5e10)
    sp = net.run(2000.0)
    ref_t, ref_i, _ = reference(pop, [0, 0], [], [], [], [5e10], [], ([], [], []), 2000.0)
    assert sp.times_ms.tolist() == ref_t and sp.neurons.tolist() == ref_i
    assert len(sp) == 1 and 1219.0 < sp.times_ms[0] < 1220.0
    assert net.statistics()["spikes"] == 1


def test_event_driven_zero_refractory_still_fires_repeatedly():
    # the guard only drops same-instant crossings: a resolvable ISI tau ln(v_inf / (v_inf - 1)) still repeats
    pop = Population(1, tau_m=20.0, refractory=0.0)
    sp = EventDrivenNetwork(pop, i_ext=0.1).run(100.0)
    isi = 20.0 * math.log(2.0 / 1.0)
    assert len(sp) == int(100.0 // isi)
    np.testing.assert_allclose(np.diff(sp.times_ms), isi, rtol=1e-12)


# --------------------------------------------------------------------------- event-driven reset


def test_event_driven_reset_keeps_events_not_yet_delivered():
    pop = Population(2, refractory=0.0)
    net = EventDrivenNetwork(pop).add_events([1.0, 5.0, 9.0], [0, 1, 0], [2.0, 2.0, 2.0])
    first = net.run(4.0)
    assert first.times_ms.tolist() == [1.0]
    net.reset()  # the events at 5 and 9 ms have not happened yet: they stay scheduled
    again = net.run(10.0)
    assert list(zip(again.times_ms.tolist(), again.neurons.tolist(), strict=True)) == [(5.0, 1), (9.0, 0)]
    net.reset()  # all delivered now: nothing is replayed
    assert len(net.run(10.0)) == 0


# --------------------------------------------------------------------------- Current


def test_current_1d_without_time_varying_is_rejected_naming_both_readings():
    msg = re.escape("time_varying must be given for a 1-d values array of 7 entries: it reads either as one "
                    "constant current per neuron of a network of 7 neurons (time_varying=False) or as a time "
                    "course of 7 steps for every target (time_varying=True); got None")
    with pytest.raises(ValueError, match=msg):
        Current(np.ones(7))
    with pytest.raises(ValueError, match="time_varying must be given"):
        Current(np.ones(7), targets=[1, 2])  # per-target constants or a time course: also ambiguous


def test_current_per_neuron_of_the_wrong_length_is_an_error():
    # the case: 7 values on 100 neurons used to become a 7-step time course silently
    net = Network(Population(100))
    with pytest.raises(ValueError, match=re.escape(
            "values must have shape (100,) for a constant current per neuron (time_varying=False) of this "
            "100-neuron network; got shape (7,)")):
        net.add_input(Current(np.ones(7), time_varying=False))
    assert net.inputs == ()


def test_current_t_equal_n_means_what_it_says():
    """With T = N the two readings differ; each is chosen explicitly (hand-computed potentials)."""
    values = np.array([1.0, 2.0, 3.0])
    nets = {}
    for tv in (False, True):
        net = Network(Population(3, threshold=100.0, tau_m=10.0, dt=0.1))
        net.add_input(Current(values, time_varying=tv))
        net.run(4)
        nets[tv] = net.v.copy()
    f = np.float32
    alpha, dt = f(0.1 / 10.0), f(0.1)

    def euler(v, i):
        return f(f(v + f(alpha * f(f(0) - v))) + f(dt * f(i)))

    per_neuron = [f(0)] * 3
    for _ in range(4):
        per_neuron = [euler(per_neuron[j], values[j]) for j in range(3)]
    time_course = f(0)
    for t in range(4):
        time_course = euler(time_course, values[t] if t < 3 else 0.0)
    np.testing.assert_array_equal(nets[False], per_neuron)
    np.testing.assert_array_equal(nets[True], [time_course] * 3)


@pytest.mark.parametrize(("values", "kwargs", "match"), [
    (1.0, {"time_varying": True}, r"time_varying must be False \(or None\) for values of shape \(\); got True"),
    (np.ones((4, 3)), {"time_varying": False},
     r"time_varying must be True \(or None\) for values of shape \(4, 3\); got False"),
    (np.ones(3), {"time_varying": False, "targets": [0]},
     r"targets must be None for an \(N,\) constant current \(time_varying=False\); got 1 targets"),
    (np.ones((4, 3)), {"targets": [0]}, r"targets must be None for a \(T, N\) current; got 1 targets"),
], ids=["scalar_tv", "2d_not_tv", "1d_constant_targets", "2d_targets"])
def test_current_contradictory_arguments(values, kwargs, match):
    with pytest.raises(ValueError, match=match):
        Current(values, **kwargs)


def test_current_unambiguous_forms_need_no_keyword():
    assert Current(0.5).time_varying is False
    assert Current(np.ones((4, 3))).time_varying is True
    c, tv = Current(np.ones((4, 3))).resolve(3)
    assert c is None and tv.shape == (4, 3)


# --------------------------------------------------------------------------- scipy


def test_scipy_is_a_core_dependency():
    """The reservoir's topology API returns and takes scipy.sparse matrices, so the first README command
    (``pip install ".[plot]"``) must install scipy: it is a core dependency."""
    tomllib = pytest.importorskip("tomllib")  # Python >= 3.11
    meta = tomllib.loads((Path(__file__).resolve().parents[1] / "pyproject.toml").read_text())["project"]
    names = [re.split(r"[<>=!~ ;\[]", d, maxsplit=1)[0].lower() for d in meta["dependencies"]]
    assert "scipy" in names


def test_reservoir_topology_api_round_trip():
    import scipy.sparse as sp

    r = Reservoir(30, n_inputs=3, n_outputs=4, topology="random", connection_prob=0.2, seed=1)
    m = r.get_topology()
    assert sp.issparse(m) and m.shape == (30, 30) and m.nnz == r.connectivity.nnz
    r2 = Reservoir(n_inputs=3, n_outputs=4, adjacency=m, seed=1)
    r2.set_topology(m * 0.5)
    np.testing.assert_array_equal(r2.connectivity.weights, r.connectivity.weights * np.float32(0.5))
