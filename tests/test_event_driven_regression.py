"""Regression: stored hashes of EventDrivenNetwork spike lists (written before the event queue was replaced).

The hashes were computed with the binary-heap queue; any later queue (or loop) must reproduce
every spike time and neuron bit for bit.  Each case exercises a different path: uniform and
per-synapse (continuous) delays, zero delays, self-crossings from a bias current, Poisson and
explicit inputs, both SC synapse modes, STDP (final weights hashed too), a time-varying current,
and a run split in chunks.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sc_neurocore.network import (
    STDP,
    Current,
    EventDrivenNetwork,
    Population,
    ei_weights,
    erdos_renyi,
)


def _digest(sp, weights=None) -> str:
    h = hashlib.sha256()
    h.update(np.ascontiguousarray(sp.times_ms, dtype="<f8").tobytes())
    h.update(np.ascontiguousarray(sp.neurons, dtype="<i4").tobytes())
    if weights is not None:
        h.update(np.ascontiguousarray(weights, dtype="<f4").tobytes())
    return h.hexdigest()[:32]


def _net(case: str) -> tuple[EventDrivenNetwork, float]:
    n = 400
    pop = Population(n, tau_m=20.0, refractory=2.0, threshold=1.0, v_reset=0.0, dt=0.1, n_exc=320)
    conn = erdos_renyi(n, 0.05, weight=ei_weights(n, 320, 0.06, 0.25), delay=15, seed=11)
    kw: dict = {"i_ext": 0.045}
    if case == "hetero_delays":
        kw["delays_ms"] = np.random.default_rng(3).uniform(0.0, 3.0, conn.nnz).round(1)
    elif case == "zero_delay":
        kw["delays_ms"] = 0.0
    elif case == "bias":
        kw["i_ext"] = np.linspace(0.03, 0.07, n)
    elif case in ("bernoulli", "lfsr"):
        kw.update(synapse=case, seed=5)
    net = EventDrivenNetwork(pop, conn, **kw)
    net.add_poisson(20.0, 0.15, n=n, seed=7)
    net.add_events([1.0, 1.0, 30.5], [0, 1, 2], [1.5, 1.5, 2.0])
    if case == "stdp":
        net.set_stdp(STDP(A_plus=5e-3, A_minus=5e-3, W_max=0.2))
    if case == "time_varying":
        net.add_input(Current(np.tile(np.linspace(0.0, 0.03, n), (500, 1))))
    return net, 200.0


# sha256 (first 32 hex digits) of (times, neurons[, weights]) with the binary-heap queue
EXPECTED = {
    "bernoulli": "af69f57935e9c3347a34c2604026febe",
    "bias": "e5b2882ec70fd0f52b74e3a24e8ca4ec",
    "chunked": "562e435284b5b3fba4792f3349ce05ba",
    "hetero_delays": "d7db11f8600935ad8fa3fb77cfb09f77",
    "lfsr": "9c3595a906400c24b30a46a4d7f11d46",
    "stdp": "b7c2d482594954b16c6d38c2fede2853",
    "time_varying": "7e1b01bc737e73713ebfa528717fd82a",
    "uniform": "562e435284b5b3fba4792f3349ce05ba",
    "zero_delay": "c97561a21b2ded77ba563213ebbcc4b1",
}


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_spike_hashes_unchanged(case: str) -> None:
    net, ms = _net("uniform" if case == "chunked" else case)
    if case == "chunked":
        net.run(ms / 4)
        net.run(ms / 4)
        net.run(ms / 2)
        sp = net.spikes
    else:
        sp = net.run(ms)
    assert len(sp) > 100  # a case that does not spike would test nothing
    assert _digest(sp, net.weights if case == "stdp" else None) == EXPECTED[case]


def _drain(h, hn, nd, nx, head, qm):
    """Pop everything through the calendar queue (settle, then pop the heap's top); a heap without
    spare room grows by one row whenever a bucket does not fit (the bucket keeps the rest)."""
    from sc_neurocore._kernels import _event as K

    out = []
    cut = 0
    while True:
        no_cuts = np.zeros((0, 1), np.int32)  # one partition; no delivery keys: bounds and cuts unread
        hn = K._cq_settle(h, hn, nd, nx, head, qm, np.zeros(1, np.int64), no_cuts, 0)
        if head[qm[K.CUR] & K._CQ_MASK] >= 0:  # the bucket was cut short: one more row, settle again
            h = np.concatenate([h, np.zeros((1, 3))])
            cut += 1
            continue
        if hn == 0:
            assert cut > 0  # the cut-short path ran
            return out
        t, k, p, hn = K.heap_pop(h, hn)
        out.append((t, k, p))


def test_calendar_queue_pops_in_time_key_order() -> None:
    """Against Python's sort: entries in the ring's window, beyond its 4.1 s horizon, at equal times,
    in one bucket, and huge; pushed before the ring opens and while it drains."""
    from sc_neurocore._kernels import _event as K

    rng = np.random.default_rng(5)
    m = 3000
    t = np.concatenate([rng.uniform(0, 20_000.0, m), np.full(50, 7.0), 7.0 + rng.uniform(0, 0.06, 50),
                        [1e12, 5e15, 0.0, 4095.9999, 4096.0]])
    k = rng.permutation(t.shape[0]).astype(np.float64)  # unique keys
    p = rng.integers(0, 1000, t.shape[0]).astype(np.float64)
    h = np.zeros((16, 3))
    hn = 0
    half = t.shape[0] // 2
    for i in range(half):  # the first half through the heap (as the Python side pushes), then open the ring
        if hn == h.shape[0]:
            h = K._grow(h)
        hn = K.heap_push(h, hn, t[i], k[i], p[i])
    hn, nd, nx, head, qm = K._cq_open(h, hn)
    for i in range(half, t.shape[0]):  # the rest through the ring's push (from t = 0: all still pending)
        h, nd, nx = K._make_room(h, hn, nd, nx, qm, 1)
        hn = K._cq_push(h, hn, nd, nx, head, qm, t[i], k[i], p[i])
    assert qm[K.COUNT] > 0 and hn > 0  # both parts used
    got = _drain(h[:hn].copy(), hn, nd, nx, head, qm)  # a full heap: every bucket's move is cut short
    want = sorted(zip(t.tolist(), k.tolist(), p.tolist(), strict=True), key=lambda e: (e[0], e[1]))
    assert got == want
    # flush: everything back in one valid heap
    hn = 0
    h = np.zeros((16, 3))
    hn, nd, nx, head, qm = K._cq_open(h, 0)
    for i in range(t.shape[0]):
        h, nd, nx = K._make_room(h, hn, nd, nx, qm, 1)
        hn = K._cq_push(h, hn, nd, nx, head, qm, t[i], k[i], p[i])
    h, hn = K._cq_flush(h, hn, nd, nx, head, qm)
    assert hn == t.shape[0] and qm[K.COUNT] == 0
    popped = []
    while hn:
        a, b, c, hn = K.heap_pop(h, hn)
        popped.append((a, b, c))
    assert popped == want


@pytest.mark.parametrize("variant", [pytest.param("pool", marks=pytest.mark.slow), "burst",
                                     pytest.param("fast", marks=pytest.mark.slow)])
@pytest.mark.parametrize("case", ["uniform", "bias", "hetero_delays", "zero_delay", "time_varying", "stdp"])
def test_round_loop_resumes_after_growth(case: str, variant: str) -> None:
    """The queue, its node pool and the spike output start without spare room, so the loop stops at
    every kind of push that does not fit (settling the ring, a Poisson generator's next spike, a drive
    change, the round's new predictions, a spike's deliveries), grows them and goes on: the spikes,
    weights and state rows equal those of a run with room to spare, bit for bit.

    ``pool``: 3000 more Poisson generators, more pending entries than the pool's first 1024 nodes.
    ``burst``: every neuron spikes at 1 ms, so one bucket receives more deliveries than the heap holds.
    ``fast``: 1000 generators at 20 kHz, so most pushes that do not fit are a generator's next spike.
    """
    runs = []
    for tight in (False, True):
        net, ms = _net(case)
        if variant == "pool":
            net.add_poisson(2.0, 0.02, n=3000, targets=np.arange(3000) % net.n, seed=8)
        elif variant == "burst":
            net.add_events(np.full(net.n, 1.0), np.arange(net.n), 2.0)
        else:
            net.add_poisson(20_000.0, 1e-4, n=1000, targets=np.arange(1000) % net.n, seed=9)
            ms = 4.0
        if tight:
            hn = int(net._heap_n[0])
            net._h = net._h[:hn].copy()
            net._out_t = np.zeros(1)
            net._out_i = np.zeros(1, dtype=np.int32)
        net.run(ms / 2)
        sp = net.run(ms / 2)  # a second call opens the grown queue again
        runs.append((np.asarray(sp.times_ms).copy(), np.asarray(sp.neurons).copy(), net.weights.copy(),
                     net._S.copy()))
    assert len(runs[0][0]) > 100 or variant == "fast"  # 4 ms: the state rows carry the comparison
    for a, b in zip(runs[0], runs[1], strict=True):
        np.testing.assert_array_equal(a, b)


@given(st.lists(st.integers(-(2**31), 2**31 - 1), max_size=80), st.integers(0, 80))
def test_sort_prefix_matches_numpy(values: list[int], cut: int) -> None:
    """The round's spike list is sorted by an own heapsort (the loop runs without numba's runtime):
    ``a[:n]`` as ``np.sort`` sorts it; the rest of ``a`` untouched."""
    from sc_neurocore._kernels import _event as K

    a = np.array(values, dtype=np.int32)
    n = min(cut, a.shape[0])
    want = np.concatenate([np.sort(a[:n]), a[n:]])
    K._sort_prefix(a, n)
    np.testing.assert_array_equal(a, want)
