"""Every core, same bits: threaded kernels give identical results for 1, 2 and 3 threads.

The threaded network loop is compared with its own serial path, with the
plain-Python reference of ``test_network_sim`` and across thread counts; the
dense layers and multi-stream encoders across thread counts (their serial
references are in their own test files); the
3-thread run is a child process started with ``NUMBA_NUM_THREADS=3`` (more
threads than this machine's 2 cores is allowed and still exercises the
partition).  Small networks are forced onto the threaded path by lowering
``PAR_MIN_NEURONS`` and ``CHUNK`` (64 neurons), so that several chunks and
blocks exist.  Under ``NUMBA_DISABLE_JIT=1`` ``prange`` is ``range``: the
partition into blocks is still exercised (in one thread).
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numba
import numpy as np
import pytest

from sc_neurocore._kernels import _network as KN
from sc_neurocore.network import (
    STDP,
    BinaryInput,
    Current,
    Homeostasis,
    Network,
    PoissonInput,
    Population,
    ei_weights,
    erdos_renyi,
    from_arrays,
)

NOJIT = os.environ.get("NUMBA_DISABLE_JIT", "0") not in ("", "0")
N = 200 if NOJIT else 600
STEPS = (40, 41) if NOJIT else (230, 231)
THREADS = [k for k in (1, 2, 3) if k <= numba.config.NUMBA_NUM_THREADS]  # type: ignore[attr-defined]
SCENARIOS = ("plain", "delays", "bernoulli", "lfsr", "stdp", "stdp_nearest_additive", "homeostasis")


def _build(case: str, n: int) -> Network:
    """An E/I network with Poisson (several generators per target), bit and current inputs."""
    rng = np.random.default_rng(5)
    n_exc = int(0.8 * n)
    pop = Population(n, tau_m=10.0, refractory=1.0, dt=0.1, n_exc=n_exc,
                     v_init=rng.uniform(0, 1, n).astype(np.float32))
    if case == "delays":  # unsorted rows, per-synapse delays 1..19 (epochs of one step)
        m = 20 * n
        pre = rng.integers(0, n, m)
        conn = from_arrays(pre, rng.integers(0, n, m), np.where(pre < n_exc, 0.05, -0.2),
                           delay=rng.integers(1, 20, m), n_pre=n, n_post=n)
    else:  # sorted rows, common delay of 7 steps (epochs of 7 steps)
        w = ei_weights(n, n_exc, 0.05, 0.2)
        conn = erdos_renyi(n, 20 / n, weight=w, weight_std=np.abs(w) * 0.3, delay=7, seed=1)
    net = Network(pop, conn, synapse=case if case in ("bernoulli", "lfsr") else "deterministic", seed=4)
    targets = np.tile(np.arange(n), 2)[::-1].copy()
    net.add_input(PoissonInput(rng.uniform(500, 3000, 2 * n), 0.07, targets=targets, seed=3))
    net.add_input(Current(rng.uniform(0.0, 0.02, n).astype(np.float32), time_varying=False))
    net.add_input(BinaryInput((rng.random((50, 300)) < 0.2).astype(np.uint8), 0.3,
                              targets=rng.integers(0, n, 50)))
    if case == "stdp":
        net.set_stdp(STDP(A_plus=0.01, A_minus=0.012, W_max=0.3))
    if case == "stdp_nearest_additive":
        net.set_stdp(STDP(A_plus=0.01, A_minus=0.012, W_max=0.3, rule="additive", nearest_neighbor=True))
    if case == "homeostasis":
        net.set_homeostasis(Homeostasis(theta_plus=0.05, tau_theta=50.0))
        wave = np.sin(np.arange(300)[:, None] * 0.05 + np.arange(n)[None, :]) * 0.05
        net.add_input(Current(wave.astype(np.float32)))
    net.monitor(np.r_[np.arange(0, n, 37), 3, 3])  # repeated index: every entry written
    return net


def _digest(case: str, n: int) -> tuple[int, str]:
    """(spike count, hash of every state array) after two runs (exercises resumption)."""
    net = _build(case, n)
    for k in STEPS:
        net.run(k)
    sp = net.spikes
    h = hashlib.sha256()
    for a in (sp.neurons, sp.steps, net.v, net.refr, net.ring, net.connectivity.weights, net.xpre,
              net.xpost, net.theta, net.lfsr, net.v_trace.v):
        h.update(np.ascontiguousarray(a).tobytes())
    return int(sp.neurons.size), h.hexdigest()


def _hash(*arrays: Any) -> str:
    h = hashlib.sha256()
    for a in arrays:
        h.update(np.ascontiguousarray(a).tobytes())
    return h.hexdigest()


def _kernel_digests() -> dict[str, list[Any]]:
    """Dense layers (SC and fixed point, every accumulation) and multi-stream encoders.

    Sizes give several work blocks: 150 SC neurons (blocks of 64), 100
    fixed-point rows (blocks of 32), 100 streams (blocks of 16).
    """
    from sc_neurocore import FixedPointDenseLayer, SCDenseLayer
    from sc_neurocore.bitstream import bernoulli, lfsr, sobol

    rng = np.random.default_rng(9)
    steps = 60 if NOJIT else 400
    out: dict[str, list[Any]] = {}
    for acc in ("or", "count", "mux"):
        layer = SCDenseLayer(150, rng.uniform(0, 1, 12), rng.uniform(0, 1, (150, 12)), length=300,
                             accumulation=acc, y_max=0.3, neuron_params={"noise_std": 0.05}, base_seed=3)
        s = layer.run(steps)
        out[f"dense_{acc}"] = [int(s.sum()), _hash(s, layer.currents())]
        fixed = FixedPointDenseLayer(100, rng.uniform(0, 1, 10), rng.uniform(0, 1, (100, 10)), accumulation=acc,
                                     seed=4)
        s = fixed.run(steps)
        out[f"fixed_{acc}"] = [int(s.sum()), _hash(s, fixed.w_state, fixed.neurons.v_raw)]
    p = rng.uniform(0, 1, 100)
    length = 300 if NOJIT else 1000
    seeds = rng.integers(1, 2**16, 100)
    seeds[10:20] = seeds[9]  # streams sharing a seed share the register's bit sequence
    out["encoder_bernoulli"] = [0, _hash(bernoulli(p, length, seed=5))]
    out["encoder_lfsr"] = [0, _hash(lfsr(p, length, seed=seeds))]
    out["encoder_sobol"] = [0, _hash(sobol(p, length, skip=37))]
    return out


def _all_digests(n: int) -> dict[str, list[Any]]:
    return {c: list(_digest(c, n)) for c in SCENARIOS} | _kernel_digests()


@pytest.fixture
def threaded(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[int], None]]:
    """Force the threaded path on small networks; yields ``set_threads(k)``; restores the thread count."""
    before = numba.get_num_threads()
    monkeypatch.setattr(KN, "PAR_MIN_NEURONS", 0)
    monkeypatch.setattr(KN, "CHUNK", 64)
    yield numba.set_num_threads
    numba.set_num_threads(before)


@pytest.fixture(scope="module")
def serial_digests() -> dict[str, list[Any]]:
    """The serial path: networks below PAR_MIN_NEURONS (default chunk and epoch), kernels on one thread."""
    assert N < KN.PAR_MIN_NEURONS
    before = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        return _all_digests(N)
    finally:
        numba.set_num_threads(before)


def test_threaded_network_equals_serial_for_1_2_threads(threaded, serial_digests):
    for k in THREADS:
        threaded(k)
        got = _all_digests(N)
        assert got == serial_digests, f"{k} threads"
    # the runs are not trivial: every network scenario spikes (compiled: more than the initial
    # 4096-event record buffer, so the early return and regrowth path of the kernel runs too)
    assert min(serial_digests[c][0] for c in SCENARIOS) > (N if NOJIT else 4096)
    assert min(serial_digests[f"{m}_{a}"][0] for m in ("dense", "fixed") for a in ("or", "count", "mux")) > 0


def test_three_threads_in_a_child_process(serial_digests):
    import sc_neurocore

    # the child must import this package, not whichever one is installed: put its root first
    root = str(Path(sc_neurocore.__file__).resolve().parents[1])
    env = dict(os.environ, NUMBA_NUM_THREADS="3",
               PYTHONPATH=os.pathsep.join([root, *filter(None, [os.environ.get("PYTHONPATH")])]))
    out = subprocess.run([sys.executable, str(Path(__file__).resolve()), str(N)], env=env,
                         capture_output=True, text=True, check=True)
    got = json.loads(out.stdout.strip().splitlines()[-1])
    assert got["package"] == sc_neurocore.__file__
    assert got["threads"] == 3
    assert got["digests"] == serial_digests


def test_epoch_length_does_not_change_results(threaded, monkeypatch, serial_digests):
    threaded(THREADS[-1])
    monkeypatch.setattr(KN, "MAX_EPOCH", 1)
    assert _all_digests(N) == serial_digests
    monkeypatch.setattr(KN, "MAX_EPOCH", 3)
    assert _all_digests(N) == serial_digests


@pytest.mark.parametrize("synapse", ["deterministic", "bernoulli", "lfsr"])
def test_threaded_matches_plain_python_reference(threaded, synapse):
    from test_network_sim import _small_net, reference

    threaded(THREADS[-1])
    steps = 60 if NOJIT else 150
    net = _small_net(synapse, n=200)  # 4 chunks of 64 neurons
    ref_spikes, ref_v, _ = reference(net, steps)
    sp = net.run(steps)
    assert len(ref_spikes) > 20
    assert list(zip(sp.steps.tolist(), sp.neurons.tolist(), strict=True)) == ref_spikes
    np.testing.assert_array_equal(net.v, ref_v)


@pytest.mark.parametrize("nearest", [False, True])
def test_threaded_stdp_matches_plain_python_reference(threaded, nearest):
    from test_network_sim import _small_net, reference

    threaded(THREADS[-1])
    steps = 50 if NOJIT else 120
    stdp = STDP(tau_plus=2.0, tau_minus=4.0, A_plus=0.05, A_minus=0.04, eta=0.5, W_max=0.45,
                nearest_neighbor=nearest)
    net = _small_net(stdp=stdp, homeo=True, n=200)
    ref_spikes, ref_v, ref_w = reference(net, steps)
    sp = net.run(steps)
    assert list(zip(sp.steps.tolist(), sp.neurons.tolist(), strict=True)) == ref_spikes
    np.testing.assert_array_equal(net.connectivity.weights, ref_w)
    np.testing.assert_array_equal(net.v, ref_v)


def test_monte_carlo_trials_same_for_any_thread_count():
    from sc_neurocore.network import DecisionTask

    task = DecisionTask(n=120, n_pool=10, window_ms=5.0 if NOJIT else 30.0, seed=2)
    before = numba.get_num_threads()
    runs = []
    try:
        for k in THREADS:
            numba.set_num_threads(k)  # k Python threads run the trials (serial kernels, GIL released)
            runs.append(task.run_trials(5, seed=7))
    finally:
        numba.set_num_threads(before)
    ref = runs[0]
    assert ref.counts.sum() > 0
    for r in runs[1:]:
        for name in ("labels", "counts", "rates_hz", "network_rate_hz"):
            np.testing.assert_array_equal(getattr(r, name), getattr(ref, name))
    # and each trial equals building and running it alone
    from sc_neurocore._rng import spawn_generators

    gens = spawn_generators(7, 5)
    for i in (0, 3):
        alone = task.build_network(i % 2, gens[i]).run(task.n_steps).counts()
        np.testing.assert_array_equal(alone[task.output_neurons], ref.counts[i])


def test_rows_sorted():
    indptr = np.array([0, 3, 3, 5], dtype=np.int32)
    assert KN.rows_sorted(indptr, np.array([0, 2, 2, 1, 4], dtype=np.int32))
    assert not KN.rows_sorted(indptr, np.array([0, 2, 1, 1, 4], dtype=np.int32))
    # a decrease across a row boundary is allowed
    assert KN.rows_sorted(indptr, np.array([5, 6, 7, 0, 1], dtype=np.int32))


if __name__ == "__main__":  # child process of test_three_threads_in_a_child_process
    KN.PAR_MIN_NEURONS = 0
    KN.CHUNK = 64
    import sc_neurocore

    print(json.dumps({"package": sc_neurocore.__file__, "threads": numba.get_num_threads(),
                      "digests": _all_digests(int(sys.argv[1]))}))
