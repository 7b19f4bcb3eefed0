"""Event-driven vs clock-driven simulation of a sparse, low-rate LIF network (single thread).

    NUMBA_NUM_THREADS=1 python benchmarks/bench_event_driven.py [--n 100000] [--k 100] [--ms 1000]

The same network (E/I 80/20, ``k`` random synapses per neuron, delay 1.5 ms,
tau_m 20 ms, refractory 2 ms, a subthreshold bias ``v_inf = 0.9`` and sparse
Poisson kicks) is run by :class:`EventDrivenNetwork` (exact, continuous time)
and by the clock-driven :class:`Network` at dt = 0.1 ms.  Both are warmed up
first; compile time is reported separately.  The Poisson kicks are
independent realisations of the same process in the two simulators (continuous
time vs one Bernoulli draw per step), so spike counts agree statistically, not
spike for spike.  A third section times the event queue itself: our array heap
against numba's ``heapq`` on a list of tuples, for the same hold-model workload.

``--crossover`` instead runs only the two simulators on both activity
configurations and reports CPU times (``time.process_time``: robust to other
processes sharing the cores), the cost constants of ``choose_engine`` fitted to
them, and the crossover rate at which both take the same time (each engine's
CPU time is linear in the rate along the two configurations).
"""

from __future__ import annotations

import argparse
import heapq
import math
import os
import time

os.environ.setdefault("NUMBA_NUM_THREADS", "1")

import numpy as np  # noqa: E402
from numba import njit  # noqa: E402

from sc_neurocore._kernels import _event as K  # noqa: E402
from sc_neurocore.network import (  # noqa: E402
    STDP,
    Current,
    EventDrivenNetwork,
    Network,
    PoissonInput,
    Population,
    ei_weights,
    erdos_renyi,
)

W_INH = 0.1  # inhibitory weight magnitude


def build(n: int, k: int, w_exc: float, seed: int = 1, w_inh: float = W_INH):
    pop = Population(n, tau_m=20.0, refractory=2.0, threshold=1.0, v_reset=0.0, dt=0.1, n_exc=int(0.8 * n))
    conn = erdos_renyi(n, k / n, weight=ei_weights(n, pop.n_exc, w_exc, w_inh), delay=15, seed=seed)
    return pop, conn


I_EXT = 0.045  # v_inf = 0.9: no neuron fires without a kick
KICK_W = 0.15
# (label, excitatory weight, Poisson kick rate per neuron in Hz)
CONFIGS = (("sparse activity", 0.015, 1.0), ("denser activity", 0.02, 2.0))


def run_event(pop, conn, ms: float, kick_hz: float, seed: int, synapse: str = "deterministic",
              stdp: bool = False):
    net = EventDrivenNetwork(pop, conn, i_ext=I_EXT, synapse=synapse, seed=seed)
    net.add_input(PoissonInput(kick_hz, KICK_W, n=pop.n, seed=seed))
    if stdp:
        net.set_stdp(STDP(A_plus=1e-4, A_minus=1e-4, W_max=0.1))
    t0 = time.perf_counter()
    c0 = time.process_time()
    sp = net.run(ms)
    run_event.cpu_s = time.process_time() - c0  # type: ignore[attr-defined]  # CPU time of the run alone
    return time.perf_counter() - t0, sp, net.statistics()


def run_clock(pop, conn, ms: float, kick_hz: float, seed: int):
    net = Network(pop, conn)
    net.add_input(Current(I_EXT, time_varying=False))
    net.add_input(PoissonInput(kick_hz, KICK_W, n=pop.n, seed=seed))
    steps = int(round(ms / pop.dt))
    t0 = time.perf_counter()
    c0 = time.process_time()
    sp = net.run(steps)
    run_clock.cpu_s = time.process_time() - c0  # type: ignore[attr-defined]
    return time.perf_counter() - t0, sp


# --------------------------------------------------------------------------- heap micro-benchmark


@njit(cache=True)
def _hold_array(m, ops, k0, k1):
    h = np.empty((m, 3), dtype=np.float64)
    n = 0
    for q in range(m):
        n = K.heap_push(h, n, K.poisson_interval(k0, k1, 0, q, 1.0), float(q), 0.0)
    acc = 0.0
    for c in range(ops):
        t, key, _, n = K.heap_pop(h, n)
        acc += t
        n = K.heap_push(h, n, t + K.poisson_interval(k0, k1, 1, c, 1.0), key, 0.0)
    return acc


@njit(cache=True)
def _hold_heapq(m, ops, k0, k1):
    h = [(K.poisson_interval(k0, k1, 0, 0, 1.0), 0, 0)]
    for q in range(1, m):
        heapq.heappush(h, (K.poisson_interval(k0, k1, 0, q, 1.0), q, 0))
    acc = 0.0
    for c in range(ops):
        t, key, p = heapq.heappop(h)
        acc += t
        heapq.heappush(h, (t + K.poisson_interval(k0, k1, 1, c, 1.0), key, p))
    return acc


def heap_bench(repeats: int = 5) -> None:
    k0, k1 = np.uint64(12345), np.uint64(678910)
    _hold_array(16, 16, k0, k1)
    _hold_heapq(16, 16, k0, k1)
    ops = 1_000_000
    print(f"\nevent queue, hold model (pop the earliest, push it back later), {ops:,d} operations, "
          f"each incl. one hash + log draw; best of {repeats} alternating runs:")
    for m in (1_000, 100_000, 1_000_000):
        ta = tb = math.inf
        for _ in range(repeats):
            t0 = time.perf_counter()
            a = _hold_array(m, ops, k0, k1)
            ta = min(ta, time.perf_counter() - t0)
            t0 = time.perf_counter()
            b = _hold_heapq(m, ops, k0, k1)
            tb = min(tb, time.perf_counter() - t0)
            assert a == b, "both queues must pop the same times"
        print(f"  {m:>9,d} entries: array heap {ta * 1e9 / ops:6.1f} ns/op, "
              f"numba heapq {tb * 1e9 / ops:6.1f} ns/op (heapq / array time {tb / ta:.2f})")


def crossover(n: int, k: int, ms: float) -> None:
    """CPU time of both engines on both configurations; fitted constants and the crossover rate."""
    rows = []
    for label, w_exc, kick_hz in CONFIGS:
        pop, conn = build(n, k, w_exc)
        _, sp_e, stats = run_event(pop, conn, ms, kick_hz, 2)
        ce = run_event.cpu_s  # type: ignore[attr-defined]  # the runs alone, construction excluded
        _, sp_c = run_clock(pop, conn, ms, kick_hz, 3)
        cc = run_clock.cpu_s  # type: ignore[attr-defined]
        rate_e = len(sp_e) / n / (ms / 1000.0)
        rate_c = len(sp_c) / n / (ms / 1000.0)
        rows.append((label, kick_hz, rate_e, rate_c, ce, cc, stats["synaptic_events"], conn.nnz / n))
        arr = stats["synaptic_events"]
        print(f"{label}: event-driven {ce:.2f} s CPU ({rate_e:.3f} Hz, {arr:,d} arrivals, "
              f"{ce / arr * 1e9:.1f} ns each), clock-driven {cc:.2f} s CPU "
              f"({rate_c:.3f} Hz, {cc / (n * ms / pop.dt) * 1e9:.2f} ns per neuron update)", flush=True)
    (_, k1, re1, rc1, e1, c1, _, kk), (_, k2, re2, rc2, e2, c2, _, _) = rows
    r1, r2 = (re1 + rc1) / 2, (re2 + rc2) / 2
    bio = n * ms / 1000.0  # neuron-seconds
    se, sc = (e2 - e1) / (r2 - r1), (c2 - c1) / (r2 - r1)  # CPU s per Hz
    ie, ic = e1 - se * r1, c1 - sc * r1
    cross = (ic - ie) / (se - sc) if se != sc else math.inf
    steps = ms / 0.1
    print(f"crossover (equal CPU time, linear in the rate between the configurations): {cross:.2f} Hz "
          f"for {n:,d} neurons x {kk:.0f} synapses")
    print(f"fitted constants (ns): event_ns={se / (bio * kk) * 1e9:.1f} per arrival, "
          f"event_input_ns={ie / (bio * (k1 + k2) / 2) * 1e9:.0f} per Poisson input spike (intercept), "
          f"update_ns={ic / (n * steps) * 1e9:.2f}, clock_syn_ns={sc / (bio * kk) * 1e9:.1f}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--k", type=int, default=100)
    ap.add_argument("--ms", type=float, default=1000.0)
    ap.add_argument("--skip-heap", action="store_true")
    ap.add_argument("--crossover", action="store_true")
    args = ap.parse_args()
    n, k, ms = args.n, args.k, args.ms
    if args.crossover:
        pop_s, conn_s = build(200, 20, 0.015)
        run_event(pop_s, conn_s, 20.0, 1.0, 0)
        run_clock(pop_s, conn_s, 20.0, 1.0, 0)
        crossover(n, k, ms)
        return

    t0 = time.perf_counter()
    pop_s, conn_s = build(200, 20, 0.015)
    run_event(pop_s, conn_s, 20.0, 1.0, 0)
    run_event(pop_s, conn_s, 20.0, 1.0, 0, "bernoulli", True)
    run_clock(pop_s, conn_s, 20.0, 1.0, 0)
    print(f"warm-up (compile or numba cache load): {time.perf_counter() - t0:.2f} s")
    for label, w_exc, kick_hz in CONFIGS:
        t0 = time.perf_counter()
        pop, conn = build(n, k, w_exc)
        build_s = time.perf_counter() - t0
        print(f"\n== {label}: {n:,d} neurons, {conn.nnz:,d} synapses (built in {build_s:.2f} s), "
              f"w_exc {w_exc}, Poisson kicks {kick_hz} Hz, {ms:.0f} ms of biological time")
        te, sp_e, stats = run_event(pop, conn, ms, kick_hz, 2)
        tc, sp_c = run_clock(pop, conn, ms, kick_hz, 3)
        n_e, n_c = len(sp_e), len(sp_c)
        rate_e = n_e / n / (ms / 1000.0)
        rate_c = n_c / n / (ms / 1000.0)
        syn = stats["synaptic_events"]
        events = syn + int(kick_hz * n * ms / 1000.0)
        print(f"{'simulator':<36}{'wall s':>9}{'spikes':>11}{'rate Hz':>9}")
        print(f"{'event-driven (exact)':<36}{te:9.3f}{n_e:11,d}{rate_e:9.3f}")
        print(f"{'clock-driven Network, dt = 0.1 ms':<36}{tc:9.3f}{n_c:11,d}{rate_c:9.3f}")
        print(f"clock-driven / event-driven wall time: {tc / te:.2f}")
        print(f"event-driven: {syn:,d} synaptic events + ~{events - syn:,d} Poisson kicks = "
              f"{events / te / 1e6:.1f} M events/s ({te / events * 1e9:.0f} ns per event); "
              f"{stats['rounds']:,d} distinct instants")
        updates = n * ms / pop.dt
        print(f"clock-driven: {updates:.3g} neuron updates = {tc / updates * 1e9:.2f} ns each")
        print(f"spike-count agreement (independent Poisson kicks): event {n_e:,d} vs clock {n_c:,d}, "
              f"difference {(n_e - n_c) / max(n_c, 1):+.2%}")
        c_ev, c_up = te / events, tc / updates
        kr = c_up / (c_ev * pop.dt / 1000.0)
        print(f"event-driven statistics(): {stats['events_per_s'] / 1e6:.1f} M events/s (synaptic events + "
              f"queue pops per second of run()), real-time factor {stats['rtf']:.3f}")
        print(f"{'event-driven variant':<36}{'wall s':>9}{'spikes':>11}{'M ev/s':>9}{'RTF':>8}")
        for vlabel, synapse, stdp in (("synapse='bernoulli'", "bernoulli", False),
                                      ("deterministic + STDP", "deterministic", True)):
            tv, sp_v, st_v = run_event(pop, conn, ms, kick_hz, 2, synapse, stdp)
            print(f"{vlabel:<36}{tv:9.3f}{len(sp_v):11,d}{st_v['events_per_s'] / 1e6:9.1f}{st_v['rtf']:8.3f}")
        print(f"crossover from these constants: event-driven wins while K x rate < c_update / (c_event x dt) "
              f"= {kr:.0f} events per neuron per s, i.e. rate < {kr / k:.1f} Hz with K = {k}")
    if not args.skip_heap:
        heap_bench()


if __name__ == "__main__":
    main()
