"""Memory layout of the clock-driven network: no per-synapse temporaries, uniform delays, spike record views.

Peak allocations are measured with tracemalloc, which numpy reports its data
buffers to (numba's own allocations are not seen, so only the Python-side
shell is bounded here).  Bounds are derived from array sizes: a per-synapse
temporary of the smallest kind (a bool mask) takes ``nnz`` bytes, so a peak
below ``nnz / 2`` proves there is none.
"""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

from sc_neurocore.network import (
    Connectivity,
    Current,
    Network,
    Population,
    erdos_renyi,
    from_arrays,
    load_network,
    watts_strogatz,
)


@pytest.fixture(autouse=True)
def _quiet_uint64_overflow():
    # Under NUMBA_DISABLE_JIT the hash runs on numpy uint64 scalars, whose wrap-around warns.
    with np.errstate(over="ignore"):
        yield


def _dense(n: int = 400, delay: int = 3) -> Connectivity:
    """All-to-all (no self loops): nnz = n (n - 1) synapses, far more than per-neuron sizes."""
    return erdos_renyi(n, 1.0, weight=0.05, weight_std=0.02, delay=delay, seed=4)


def _peak(fn):
    tracemalloc.start()
    try:
        out = fn()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return out, peak


def test_network_construction_allocates_no_per_synapse_temporary():
    conn = _dense()
    pop = Population(conn.n_pre)
    nnz = conn.nnz
    assert nnz == 400 * 399
    _, peak = _peak(lambda: Network(pop, conn, seed=1))
    assert peak < nnz // 2, f"Network() peak {peak} B vs nnz {nnz}"


@pytest.mark.parametrize("synapse", ["deterministic", "bernoulli", "lfsr"])
def test_run_allocates_no_per_synapse_temporary(synapse):
    conn = _dense()
    net = Network(Population(conn.n_pre, v_init=np.linspace(0.0, 0.99, conn.n_pre)), conn,
                  synapse=synapse, seed=1)
    net.add_input(Current(3.0))
    net.run(1)  # inputs merged, kernels compiled
    lfsr_bytes = net.lfsr.nbytes  # per-synapse state owned by the network, not a temporary
    sp, peak = _peak(lambda: net.run(5))
    assert len(sp) > 0
    assert peak < conn.nnz // 2, f"run() peak {peak} B vs nnz {conn.nnz} (lfsr state {lfsr_bytes} B)"


def test_uniform_delays_are_one_element_and_report_every_delay():
    for c in (_dense(50, 7), watts_strogatz(30, 4, 0.3, delay=7, seed=1),
              from_arrays([0, 1, 1], [1, 0, 2], 0.5, 7, n_pre=3)):
        d = c.delays
        assert d.shape == (c.nnz,) and d.dtype == np.int8 and d.strides == (0,)
        assert not d.flags.writeable
        assert d.tolist() == [7] * c.nnz and c.max_delay == 7
        with pytest.raises(ValueError, match="read-only"):
            d[0] = 1
        assert c.copy().delays.strides == (0,)
        # re-wrapping through the validating constructor keeps the representation
        again = Connectivity(c.indptr, c.indices, c.weights, c.delays, c.n_post)
        assert again.delays.strides == (0,) and again.delays.tolist() == d.tolist()
    big = from_arrays([0], [1], 1.0, 300, n_pre=2)
    assert big.delays.dtype == np.int16 and big.delays.tolist() == [300]
    assert from_arrays([], [], 1.0, 2, n_pre=2).delays.shape == (0,)


def _materialized(c: Connectivity) -> Connectivity:
    return Connectivity(c.indptr, c.indices, c.weights, np.array(c.delays), c.n_post)


@pytest.mark.parametrize("synapse", ["deterministic", "bernoulli", "lfsr"])
def test_uniform_delay_path_equals_per_synapse_delays(synapse, monkeypatch):
    """The kernel's common-delay path and its per-synapse path give the same bits."""
    conn = erdos_renyi(60, 0.2, weight=0.3, weight_std=0.2, delay=4, seed=2)
    pop = Population(60, v_init=np.linspace(0.0, 0.9, 60))
    a = Network(pop, conn, synapse=synapse, w_scale=1.5, seed=3)
    a.add_input(Current(np.linspace(0.05, 0.2, 60), time_varying=False))
    a.monitor(np.arange(60))
    sa = a.run(300)
    monkeypatch.setattr(Network, "_uniform_delay", lambda self: 0)
    b = Network(pop, _materialized(conn), synapse=synapse, w_scale=1.5, seed=3)
    assert b.connectivity.delays.strides != (0,)
    b.add_input(Current(np.linspace(0.05, 0.2, 60), time_varying=False))
    b.monitor(np.arange(60))
    sb = b.run(300)
    assert len(sa) > 50
    np.testing.assert_array_equal(sa.neurons, sb.neurons)
    np.testing.assert_array_equal(sa.steps, sb.steps)
    np.testing.assert_array_equal(a.v_trace.v, b.v_trace.v)


def test_prune_and_save_load_keep_uniform_delays(tmp_path):
    conn = erdos_renyi(80, 0.2, weight=0.3, weight_std=0.2, delay=5, seed=2)
    net = Network(Population(80), conn, seed=1)
    net.add_input(Current(0.2))
    net.run(50)
    removed = net.prune(0.3)
    assert removed == int(0.3 * conn.nnz)
    d = net.connectivity.delays
    assert d.strides == (0,) and d.shape == (conn.nnz - removed,) and d.tolist() == [5] * d.shape[0]
    net.save(tmp_path / "n.npz")
    back = load_network(tmp_path / "n.npz")
    np.testing.assert_array_equal(back.connectivity.delays, d)
    np.testing.assert_array_equal(back.run(100).neurons, net.run(100).neurons)


def test_spike_results_are_read_only_and_survive_later_runs():
    conn = erdos_renyi(50, 0.1, weight=0.2, delay=2, seed=1)
    net = Network(Population(50), conn, seed=1)
    net.add_input(Current(np.linspace(0.1, 0.3, 50), time_varying=False))
    first = net.run(200)
    kept = (first.neurons.copy(), first.steps.copy())
    assert len(first) > 0
    with pytest.raises(ValueError, match="read-only"):
        first.neurons[0] = 1
    net.clear_spikes()  # the next events go to fresh buffers: `first` is not overwritten
    second = net.run(2000)  # also grows the record
    np.testing.assert_array_equal(first.neurons, kept[0])
    np.testing.assert_array_equal(first.steps, kept[1])
    assert len(net.spikes) == len(second) > len(first)
    net.reset()  # buffers sized from the record so far: no growth, same events
    whole = net.run(2200)
    assert net._sp_n.shape[0] >= len(first) + len(second)
    np.testing.assert_array_equal(whole.neurons, np.concatenate([first.neurons, second.neurons]))
    np.testing.assert_array_equal(whole.steps, np.concatenate([first.steps, second.steps]))


def test_record_growth_keeps_every_event():
    """Runs that outgrow the record (extrapolated growth) equal the same steps run piecewise."""
    def make():
        net = Network(Population(40, refractory=0.1, v_init=np.linspace(0.0, 0.9, 40)), seed=1)
        net.add_input(Current(np.linspace(2.0, 9.0, 40), time_varying=False))
        return net

    a = make()
    cap0 = a._sp_n.shape[0]
    whole = a.run(3000)
    assert len(whole) > 4 * cap0  # several growths in one run
    assert a._sp_n.shape[0] >= len(whole)
    b = make()
    parts = [b.run(k) for k in (1, 7, 500, 92, 2400)]
    np.testing.assert_array_equal(whole.neurons, np.concatenate([p.neurons for p in parts]))
    np.testing.assert_array_equal(whole.steps, np.concatenate([p.steps for p in parts]))
    np.testing.assert_array_equal(whole.neurons, b.spikes.neurons)
    np.testing.assert_array_equal(whole.steps, b.spikes.steps)
