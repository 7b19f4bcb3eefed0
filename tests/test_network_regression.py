"""Regression: stored sha256 hashes of spikes, final state and weights for every simulator feature.

The hashes in ``tests/data/network_regression.json`` were recorded from main
before the model refactor (issue #13 §1); the refactored engines must
reproduce them bit for bit.  This is a guard against unintended change, not a
correctness test (the correctness tests compare with independent references).
Regenerate only for an intended change of the bits:
``python tests/test_network_regression.py --write``.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numba
import numpy as np
import pytest

from sc_neurocore._kernels import _network as K
from sc_neurocore.network import (
    STDP,
    BinaryInput,
    BitstreamInput,
    Current,
    EventDrivenNetwork,
    Homeostasis,
    Network,
    PoissonInput,
    Population,
    ei_weights,
    erdos_renyi,
    from_arrays,
)

DATA = Path(__file__).parent / "data" / "network_regression.json"
N = 200


def _digest(*arrays: np.ndarray) -> str:
    h = hashlib.sha256()
    for a in arrays:
        a = np.ascontiguousarray(a)
        h.update(str((a.dtype.str, a.shape)).encode())
        h.update(a.tobytes())
    return h.hexdigest()


def _random_delays(seed: int, n: int, p: float) -> Any:
    """An ER-like graph with per-synapse delays 1..12 (from_arrays)."""
    rng = np.random.default_rng(seed)
    mask = rng.random((n, n)) < p
    np.fill_diagonal(mask, False)
    pre, post = np.nonzero(mask)
    w = np.where(pre < int(0.8 * n), 0.03, -0.12).astype(np.float32)
    d = rng.integers(1, 13, size=pre.shape[0]).astype(np.int8)
    return from_arrays(pre, post, w, d, n_pre=n)


def _pop(per_neuron: bool = False, n: int = N) -> Population:
    if per_neuron:
        rng = np.random.default_rng(5)
        return Population(n, tau_m=rng.uniform(10.0, 30.0, n), threshold=rng.uniform(0.9, 1.1, n),
                          v_reset=rng.uniform(-0.1, 0.0, n), v_rest=rng.uniform(-0.05, 0.05, n),
                          refractory=rng.uniform(0.0, 3.0, n), dt=0.1, n_exc=int(0.8 * n))
    return Population(n, tau_m=20.0, refractory=2.0, dt=0.1, n_exc=int(0.8 * n))


def _er(n: int = N, delay: int = 15, w_exc: float = 0.03, w_inh: float = 0.12) -> Any:
    return erdos_renyi(n, 0.1, weight=ei_weights(n, int(0.8 * n), w_exc, w_inh), weight_std=0.005,
                       delay=delay, seed=1)


def _run_clock(net: Network, steps: int = 600) -> str:
    net.run(steps // 2)
    net.run(steps - steps // 2)
    s = net.spikes
    parts = [s.neurons, s.steps, net.v, net.refr, net.connectivity.weights, net.theta, net.xpre, net.xpost,
             net.lfsr, net.ring]
    if net._mon_idx.shape[0]:
        parts.append(net.v_trace.v)
    return _digest(*parts)


def c_base() -> str:
    net = Network(_pop(), _er(), seed=2)
    net.add_input(PoissonInput(1500.0, 0.12, n=N, seed=3))
    return _run_clock(net)


def c_delays_per_neuron_currents() -> str:
    net = Network(_pop(per_neuron=True), _random_delays(7, N, 0.1), seed=2)
    net.add_input(PoissonInput(np.linspace(500.0, 2000.0, N), 0.1, n=N, seed=4))
    net.add_input(Current(np.linspace(0.0, 0.04, N), time_varying=False))
    tv = np.zeros((300, N), dtype=np.float32)
    tv[100:200, :50] = 0.05
    net.add_input(Current(tv, time_varying=True))
    return _run_clock(net)


def c_stdp_mult_homeo_monitor() -> str:
    net = Network(_pop(), _er(delay=3), seed=2)
    net.add_input(PoissonInput(1500.0, 0.12, n=N, seed=3))
    net.set_stdp(STDP(A_plus=0.005, A_minus=0.006, W_max=0.2))
    net.set_homeostasis(Homeostasis(theta_plus=0.05, tau_theta=50.0))
    net.monitor(np.array([0, 5, 199, 5]))
    return _run_clock(net)


def c_stdp_additive_nearest_delays() -> str:
    net = Network(_pop(per_neuron=True), _random_delays(8, N, 0.1), seed=2)
    net.add_input(PoissonInput(1800.0, 0.12, n=N, seed=3))
    net.set_stdp(STDP(rule="additive", nearest_neighbor=True, A_plus=0.004, A_minus=0.004, W_max=0.3,
                      clip=True))
    return _run_clock(net)


def c_bernoulli() -> str:
    net = Network(_pop(), _er(delay=4), synapse="bernoulli", w_scale=0.2, seed=2)
    net.add_input(PoissonInput(1500.0, 0.12, n=N, seed=3))
    return _run_clock(net)


def c_lfsr_stdp_delays() -> str:
    net = Network(_pop(), _random_delays(9, N, 0.1), synapse="lfsr", w_scale=0.2, lfsr_width=12, seed=2)
    net.add_input(PoissonInput(1500.0, 0.12, n=N, seed=3))
    net.set_stdp(STDP(A_plus=0.005, A_minus=0.006, W_max=0.2))
    return _run_clock(net)


def c_bits_inputs() -> str:
    rng = np.random.default_rng(11)
    net = Network(_pop(), _er(delay=2), seed=2)
    net.add_input(BinaryInput((rng.random((60, 400)) < 0.1).astype(np.uint8), 0.3,
                              targets=rng.integers(0, N, 60)))
    net.add_input(BitstreamInput((rng.random((N, 700)) < 0.08).astype(np.uint8), 0.25))
    net.monitor(np.arange(0, N, 17))
    return _run_clock(net)


def c_threads() -> str:
    """A network large enough for the threaded path (n >= PAR_MIN_NEURONS), with non-uniform delays."""
    n = K.PAR_MIN_NEURONS + 700
    net = Network(_pop(n=n), erdos_renyi(n, 0.005, weight=ei_weights(n, int(0.8 * n), 0.1, 0.4),
                                         delay=3, seed=1), seed=2)
    net.add_input(PoissonInput(1500.0, 0.12, n=n, seed=3))
    net.add_input(Current(0.01))
    return _run_clock(net, 200)


def c_threads_stdp() -> str:
    n = K.PAR_MIN_NEURONS + 700
    net = Network(_pop(n=n), _random_delays(3, n, 0.004), synapse="bernoulli", w_scale=0.15, seed=2)
    net.add_input(PoissonInput(1500.0, 0.12, n=n, seed=3))
    net.set_stdp(STDP(A_plus=0.005, A_minus=0.006, W_max=0.15))
    return _run_clock(net, 100)


def _run_event(net: EventDrivenNetwork, ms: float = 60.0) -> str:
    net.run(ms / 2)
    net.run(ms / 2)
    s = net.spikes
    return _digest(s.times_ms, s.neurons, net.potentials(), net.weights)


def e_base() -> str:
    net = EventDrivenNetwork(_pop(), _er(), seed=2)
    net.add_poisson(1500.0, 0.12, n=N, seed=3)
    return _run_event(net)


def e_delays_currents() -> str:
    net = EventDrivenNetwork(_pop(per_neuron=True), _random_delays(7, N, 0.1), i_ext=0.03, seed=2)
    net.add_poisson(1200.0, 0.1, n=N, seed=4)
    tv = np.zeros((300, N), dtype=np.float32)
    tv[100:200, :50] = 0.05
    net.add_input(Current(tv, time_varying=True))
    net.add_events([1.0, 2.5, 2.5], [3, 4, 3], [1.5, 1.5, 0.2])
    return _run_event(net)


def e_sc_stdp() -> str:
    net = EventDrivenNetwork(_pop(), _er(delay=4), synapse="bernoulli", w_scale=0.2, seed=2)
    net.add_poisson(1500.0, 0.12, n=N, seed=3)
    net.set_stdp(STDP(A_plus=0.005, A_minus=0.006, W_max=0.2))
    return _run_event(net)


def e_lfsr_bits() -> str:
    rng = np.random.default_rng(12)
    net = EventDrivenNetwork(_pop(), _random_delays(9, N, 0.1), synapse="lfsr", w_scale=0.2, lfsr_width=12,
                             seed=2)
    net.add_poisson(1500.0, 0.12, n=N, seed=3)
    net.add_input(BitstreamInput((rng.random((N, 500)) < 0.05).astype(np.uint8), 0.3))
    return _run_event(net)


CASES: dict[str, Callable[[], str]] = {f.__name__: f for f in (
    c_base, c_delays_per_neuron_currents, c_stdp_mult_homeo_monitor, c_stdp_additive_nearest_delays,
    c_bernoulli, c_lfsr_stdp_delays, c_bits_inputs, c_threads, c_threads_stdp,
    e_base, e_delays_currents, e_sc_stdp, e_lfsr_bits)}
_THREADED = ("c_threads", "c_threads_stdp")


def _stored() -> dict[str, str]:
    return json.loads(DATA.read_text())


@pytest.mark.parametrize("name", sorted(set(CASES) - set(_THREADED)))
def test_hash_unchanged(name: str) -> None:
    assert CASES[name]() == _stored()[name]


@pytest.mark.slow  # ~5000 neurons: minutes in plain Python (NUMBA_DISABLE_JIT), where threads do not exist
@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("name", _THREADED)
def test_hash_unchanged_threads(name: str, threads: int) -> None:
    """The threaded cases on 1 and 2 threads: the same bits (the engine promises thread independence)."""
    if threads > numba.config.NUMBA_NUM_THREADS:
        pytest.skip(f"numba has {numba.config.NUMBA_NUM_THREADS} thread(s) here")
    old = numba.get_num_threads()
    numba.set_num_threads(threads)
    try:
        assert CASES[name]() == _stored()[name]
    finally:
        numba.set_num_threads(old)


if __name__ == "__main__" and "--write" in sys.argv:
    DATA.parent.mkdir(exist_ok=True)
    DATA.write_text(json.dumps({k: f() for k, f in CASES.items()}, indent=1, sort_keys=True) + "\n")
    print(f"wrote {DATA}")
