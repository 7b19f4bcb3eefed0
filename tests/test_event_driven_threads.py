"""Threaded EventDrivenNetwork runs: bit-identical to the sequential loop for every thread count.

``run(T, threads=k)`` partitions the neurons and advances in windows of the smallest delay
(``network/_event_threads.py``).  The reference is the sequential loop (``threads=1``), itself checked
against analytic and independent references in the other event-driven test files: the spikes, the
state rows, the SC registers, STP state, Poisson draws and the saved file must be the same bits.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from conftest import NOJIT
from hypothesis import given, settings
from hypothesis import strategies as st
from test_event_driven_checkpoint import _arrays

from sc_neurocore.network import (
    STDP,
    BinaryInput,
    Current,
    EventDrivenNetwork,
    ExpSynLIF,
    PoissonInput,
    Population,
    TsodyksMarkram,
    ei_weights,
    erdos_renyi,
)

COUNTERS_ALIKE = ("synaptic_events", "accepted_inputs", "spikes", "transmitted")


def build(synapse: str = "deterministic", *, uniform: bool = False, tv: bool = False, stp: bool = False,
          expsyn: bool = False, n: int = 60, seed: int = 3) -> EventDrivenNetwork:
    """A recurrent E/I network with Poisson input, explicit events, optionally SC synapses, STP,
    ExpSynLIF and time-varying input."""
    pop = Population(n, tau_m=20.0, refractory=2.0, threshold=1.0, v_reset=0.0, dt=0.1, n_exc=int(0.8 * n))
    conn = erdos_renyi(n, 0.2, weight=ei_weights(n, pop.n_exc, 0.2, 0.4), delay=15, seed=seed)
    delays = None if uniform else np.random.default_rng(seed).uniform(0.5, 3.0, conn.nnz)
    net = EventDrivenNetwork(pop, conn, delays_ms=delays, i_ext=0.045, synapse=synapse, seed=seed + 1,
                             neuron=ExpSynLIF(tau_syn=3.0) if expsyn else None)
    net.add_input(PoissonInput(50.0, 0.3, n=n, seed=seed + 2))
    net.add_events([5.0, 120.0, 150.0, 150.0], [1, 2, 3, 59], [2.0, 2.0, 0.5, 2.0])
    if stp:
        net.set_stp(TsodyksMarkram(U=np.linspace(0.1, 0.6, n), tau_facil=200.0, tau_rec=300.0))
    if tv:
        rng = np.random.default_rng(seed)
        net.add_input(Current(rng.uniform(0.0, 0.03, (1500, n))))
        net.add_input(BinaryInput((rng.random((10, 1800)) < 0.01).astype(np.uint8), 0.4))
    return net


def assert_same_run(a: EventDrivenNetwork, b: EventDrivenNetwork) -> None:
    """Everything a run leaves behind is the same bits (the counters that count per partition aside)."""
    sa, sb = a.spikes, b.spikes
    np.testing.assert_array_equal(sa.times_ms, sb.times_ms)
    np.testing.assert_array_equal(sa.neurons, sb.neurons)
    np.testing.assert_array_equal(a._S, b._S)
    np.testing.assert_array_equal(a.potentials(), b.potentials())
    fa, fb = _arrays(a), _arrays(b)
    assert fa.keys() == fb.keys()
    for k in fa:
        if k != "st_stats":
            np.testing.assert_array_equal(fa[k], fb[k], err_msg=k)
    assert [a.statistics()[k] for k in COUNTERS_ALIKE] == [b.statistics()[k] for k in COUNTERS_ALIKE]


CONFIGS = [dict(), dict(uniform=True), dict(synapse="bernoulli"), dict(synapse="lfsr", uniform=True),
           dict(stp=True), dict(tv=True), dict(expsyn=True), dict(expsyn=True, synapse="lfsr", tv=True)]


@pytest.mark.parametrize("cfg", CONFIGS, ids=lambda c: "-".join(f"{k}={v}" for k, v in c.items()) or "plain")
@pytest.mark.parametrize("threads", [2, 3])
def test_threads_give_the_sequential_bits(cfg: dict[str, Any], threads: int) -> None:
    ref = build(**cfg)
    ref.run(200.0)
    assert ref.statistics()["spikes"] > 300
    net = build(**cfg)
    net.run(200.0, threads=threads)
    assert_same_run(ref, net)


def test_chunks_and_thread_counts_mix_and_resume_from_a_threaded_checkpoint(tmp_path: Any) -> None:
    ref = build(tv=True)
    ref.run(150.0)
    net = build(tv=True)
    net.run(40.0, threads=2)
    net.run(35.0)
    net.run(75.0, threads=4, checkpoint_every=20.0, checkpoint_dir=tmp_path, keep=1)
    assert_same_run(ref, net)
    back = EventDrivenNetwork.load(tmp_path / "checkpoint_000000003.npz")
    ref.run(30.0)
    back.run(30.0, threads=2)
    assert_same_run(ref, back)


def test_more_threads_than_neurons_and_no_synapses() -> None:
    pop = Population(3, tau_m=10.0, refractory=1.0)
    a = EventDrivenNetwork(pop, i_ext=np.array([0.11, 0.12, 0.13]), seed=1)
    b = EventDrivenNetwork(pop, i_ext=np.array([0.11, 0.12, 0.13]), seed=1)
    a.run(100.0)
    b.run(100.0, threads=8)  # three partitions of one neuron; no synapses: one window
    assert a.statistics()["spikes"] > 10
    assert_same_run(a, b)


def test_unsorted_rows_are_put_in_target_order() -> None:
    # plain CSR arrays with descending targets per row and a uniform delay
    n = 40
    rng = np.random.default_rng(5)
    rows = [np.sort(rng.choice(n, 8, replace=False))[::-1] for _ in range(n)]
    indptr = np.arange(0, 8 * n + 1, 8)
    indices = np.concatenate(rows)
    weights = rng.uniform(0.1, 0.5, 8 * n)
    pop = Population(n, tau_m=20.0, refractory=2.0)

    def make() -> EventDrivenNetwork:
        net = EventDrivenNetwork(pop, (indptr, indices, weights), delays_ms=1.0, i_ext=0.04, seed=1)
        net.add_poisson(200.0, 0.4, n=n, seed=2)
        return net

    a, b = make(), make()
    np.testing.assert_array_equal(a.weights, weights.astype(np.float32))  # CSR order kept for the user
    a.run(100.0)
    b.run(100.0, threads=2)
    assert a.statistics()["spikes"] > 50
    assert_same_run(a, b)


@settings(max_examples=10 if NOJIT else 60, deadline=None)
@given(n=st.integers(2, 24), p=st.floats(0.05, 0.6), d_min=st.floats(0.05, 2.0), threads=st.integers(2, 5),
       seed=st.integers(0, 2**32 - 1), ms=st.floats(5.0, 60.0))
def test_random_networks_are_bit_identical(n: int, p: float, d_min: float, threads: int, seed: int,
                                           ms: float) -> None:
    rng = np.random.default_rng(seed)
    pop = Population(n, tau_m=10.0, refractory=float(rng.uniform(0.0, 3.0)))
    conn = erdos_renyi(n, p, weight=0.5, seed=seed)
    delays = d_min + rng.integers(0, 3, conn.nnz) * float(rng.uniform(0.0, 1.0))  # ties and equal delays

    def make() -> EventDrivenNetwork:
        net = EventDrivenNetwork(pop, conn, delays_ms=delays, i_ext=rng_i, seed=seed)
        net.add_poisson(300.0, 0.6, n=n, seed=seed)
        net.add_events(np.full(n, 1.0), np.arange(n), np.full(n, 0.7))  # synchronous input: one instant
        return net

    rng_i = rng.uniform(0.0, 0.12, n)
    a, b = make(), make()
    a.run(ms)
    b.run(ms, threads=threads)
    assert_same_run(a, b)


def test_bad_threads_leave_the_network_as_it_was() -> None:
    net = build()
    with pytest.raises(ValueError, match=r"threads must be an integer in \[1, inf\]; got 0"):
        net.run(10.0, threads=0)
    with pytest.raises(TypeError, match="threads must be an integer; got float 1.5"):
        net.run(10.0, threads=1.5)  # type: ignore[arg-type]
    net.set_stdp(STDP())
    with pytest.raises(ValueError, match=r"threads=2 needs STDP off: a spike's weight updates read the traces"):
        net.run(10.0, threads=2)
    assert net.t == 0.0 and net.statistics()["rounds"] == 0
    zero = EventDrivenNetwork(Population(4), (np.array([0, 1, 1, 1, 1]), np.array([1]), np.array([0.5])),
                              delays_ms=0.0)
    with pytest.raises(ValueError, match=r"threads=2 needs every synaptic delay > 0 \(the partitions advance"):
        zero.run(10.0, threads=2)
    zero.run(10.0)  # one thread: zero delays are fine
    # a delay below half a float64 ulp of the time: a window would not advance it (the run never ended)
    tiny = EventDrivenNetwork(Population(4), (np.array([0, 1, 1, 1, 1]), np.array([1]), np.array([0.5])),
                              delays_ms=1e-14)
    with pytest.raises(ValueError, match=r"threads=2 needs the smallest synaptic delay \(1e-14 ms\) to advance "
                                         r"the time 1000.0 ms in float64"):
        tiny.run(1000.0, threads=2)
    assert tiny.t == 0.0
