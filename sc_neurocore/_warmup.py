"""``sc-neurocore warmup``: compile every numba kernel once so later runs load them from the cache.

The kernels are compiled lazily, one specialisation (argument types) at a
time, the first time the public API calls them.  :func:`warmup` calls the
public API on tiny inputs chosen to hit the specialisations the demo, the
tutorials, the network simulators and the hardware models use (including the
read-only variants that broadcasting produces), so numba writes them all to its
on-disk cache.  Private; the command line lives in :mod:`sc_neurocore._cli`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["WarmupReport", "warmup"]


@dataclass(frozen=True)
class WarmupReport:
    """What :func:`warmup` did.

    Attributes
    ----------
    n_specialisations : int
        Specialisations (kernel x argument types) now in memory.  A kernel called
        only by other kernels has none of its own when its callers load from
        the cache: their machine code includes it.
    n_compiled : int
        Specialisations compiled during the call (cache misses).
    n_loaded : int
        Specialisations loaded from numba's on-disk cache during the call (hits).
    seconds : float
        Wall time of the warm-up.
    cache_dirs : tuple of str
        Where numba cached the kernels.
    """

    n_specialisations: int
    n_compiled: int
    n_loaded: int
    seconds: float
    cache_dirs: tuple[str, ...]


def _bitstreams() -> None:
    from sc_neurocore import BitstreamEncoder, BitstreamSynapse, bitstream_to_probability
    from sc_neurocore import bitstream as bs

    n = 130  # three words, the last one partial
    p = np.array([0.25, 0.5, 0.75])
    a = bs.bernoulli(p, n, seed=1)
    b = bs.bernoulli(p[::-1], n, seed=2)
    one = bs.bernoulli(0.5, n, seed=3)  # one stream against three: a read-only broadcast view
    for other in (b, one):
        bs.decode(bs.and_(a, other), n)
        bs.scc(a, other, n)
        bs.xnor(a, other, n)
        bs.mux(a, b, other)
    bs.decode_bipolar(bs.not_(a, n), n)
    bs.popcount(bs.or_(a, b))
    bs.and_popcount(a, b)
    bs.parallel_count(a, n)
    bs.mux_add(a, n, seed=4)
    bs.and_reduce(a)
    bs.or_reduce(a)
    bs.bits_at(a, 129, n)
    bs.pack(bs.unpack(a, n))
    bs.progressive_precision(a[0], n, 0.25)
    bs.lfsr(p, n, width=16, seed=1)
    bs.lfsr(p, n, width=16, seed=np.array([1, 2, 3]))
    bs.lfsr(p, 255, width=8, seed=1, zero_state=True)
    bs.lfsr_states(10, width=8, seed=1)
    bs.lfsr_period(8, seed=1)
    bs.sobol(p, n, dimension=0)
    bs.sobol_points(4, dimension=2)
    bits = BitstreamEncoder(length=n, seed=5).encode(0.3)
    BitstreamSynapse(length=n, w=0.5, seed=6).apply(bits)
    bitstream_to_probability(bits)


def _neurons_and_layers() -> None:
    from sc_neurocore import (
        BitstreamCurrentSource,
        FixedPointDenseLayer,
        FixedPointLIF,
        SCDenseLayer,
        StochasticLIFNeuron,
    )
    from sc_neurocore._demo import run_demo

    run_demo(seed=0, length=64, trials=2, out_dir=None, say=lambda _line: None)
    neuron = StochasticLIFNeuron(noise_std=0.1, seed=1)
    neuron.step(0.1)
    neuron.run_constant(0.1, 5)
    for mode in ("or", "count", "mux"):
        src = BitstreamCurrentSource(x_inputs=[0.3, 0.6], weight_values=[0.5, 0.4], length=64, seed=2,
                                     accumulation=mode)
        src.step()
        src.full_current_estimate()
        src.currents()
    layer = SCDenseLayer(2, [0.3, 0.6], [[0.5, 0.4], [0.2, 0.9]], length=64, base_seed=3)
    layer.run(3)
    FixedPointLIF(2).run(np.array([[0.5, 0.7]] * 3))
    for mode in ("count", "or", "mux"):
        FixedPointDenseLayer(2, [0.3, 0.6], [[0.5, 0.4], [0.2, 0.9]], accumulation=mode, seed=4).run(8)


def _networks() -> None:
    from sc_neurocore.network import (
        COBA,
        STDP,
        BinaryInput,
        Current,
        DecisionTask,
        EventDrivenNetwork,
        ExpSynLIF,
        Izhikevich,
        Network,
        Population,
        Reservoir,
        ei_weights,
        erdos_renyi,
        from_arrays,
    )

    task = DecisionTask(n=50, n_pool=5, window_ms=2.0, seed=1)
    for synapse in ("deterministic", "bernoulli", "lfsr"):
        task.run_trials(2, seed=2, synapse=synapse)
    DecisionTask(n=50, n_pool=5, window_ms=2.0, coding="single_pool", seed=1).run_trials(2, seed=2)
    res = Reservoir(20, n_inputs=2, n_outputs=4, topology="small_world", k=4, p_rewire=0.2, seed=3)
    res.simulate(np.ones((2, 5), dtype=np.uint8))
    # STDP on explicit connectivity with a bit input (tutorial 12's path)
    pre, post = np.array([0, 1]), np.array([2, 2])
    net = Network(Population(3, dt=0.5), from_arrays(pre, post, np.array([0.1, 0.1]), 1, n_pre=3))
    net.add_input(BinaryInput(np.ones((3, 4), dtype=np.uint8), 1.0))
    net.set_stdp(STDP())
    net.run(4)
    # exact event-driven run and its clock-driven twin with per-synapse delays (tutorial 14's path)
    pop = Population(4, n_exc=3, dt=0.5)
    conn = erdos_renyi(4, 0.5, weight=ei_weights(4, 3, 0.25, 0.5), delay=2, seed=4)
    for threads in (1, 2):
        EventDrivenNetwork(pop, conn).add_events(np.array([0.5]), np.array([0]), np.array([1.0])).run(
            2.0, threads=threads)
    EventDrivenNetwork(Population(2, dt=1.0), i_ext=0.2).run(2.0)
    EventDrivenNetwork(pop, conn, neuron=ExpSynLIF(tau_syn=2.0)).add_events(
        np.array([0.5]), np.array([0]), np.array([1.0])).run(2.0)
    clock = Network(pop, conn)
    clock.add_input(Current(0.1))
    clock.run(4)
    # the other neuron models (each is its own specialisation of the engine)
    for model in (ExpSynLIF(tau_syn=2.0), Izhikevich(), COBA()):
        Network(pop, conn, neuron=model).run(2)


def _hardware() -> None:
    import hw_models as hw

    # tutorial 20's path: an SNG multiplier, its correlation check against the core encoders
    lfsr = hw.FibonacciLFSR(8, 1)
    gate = hw.AndGate(1, sources=(hw.SNG(lfsr, 100), hw.SNG(hw.FibonacciLFSR(8, 7), 50)))
    hw.check_correlation(gate)
    hw.assign_channels(2, width=8, seed=1, probabilities=[0.3, 0.6])


def warmup(say: Callable[[str], None] = print) -> WarmupReport:
    """Compile (or load from numba's cache) every kernel specialisation the package uses.

    Parameters
    ----------
    say : callable
        Receives one line per stage.

    Returns
    -------
    WarmupReport
        Counts and wall time; under ``NUMBA_DISABLE_JIT=1`` every count is 0.
    """
    from sc_neurocore._jit import kernel_dispatchers, numba_config

    if numba_config().DISABLE_JIT:
        say("NUMBA_DISABLE_JIT is set: kernels run as plain Python, nothing to compile.")
        return WarmupReport(0, 0, 0, 0.0, ())
    start = time.perf_counter()
    kernels = kernel_dispatchers()
    before = _cache_counts(kernels)
    for label, stage in (("bitstreams", _bitstreams), ("neurons and layers", _neurons_and_layers),
                         ("networks", _networks), ("hardware models", _hardware)):
        t = time.perf_counter()
        stage()
        say(f"  {label:<20s}{time.perf_counter() - t:7.2f} s")
    after = _cache_counts(kernels)
    return WarmupReport(
        n_specialisations=sum(len(k.signatures) for k in kernels.values()),
        n_compiled=after[0] - before[0],
        n_loaded=after[1] - before[1],
        seconds=time.perf_counter() - start,
        cache_dirs=tuple(sorted({k.stats.cache_path for k in kernels.values()})),
    )


def _cache_counts(kernels: dict[str, Any]) -> tuple[int, int]:
    """Specialisations compiled (cache misses) and loaded from the cache (hits) so far in this process."""
    stats = [k.stats for k in kernels.values()]
    return (sum(sum(s.cache_misses.values()) for s in stats), sum(sum(s.cache_hits.values()) for s in stats))
