"""Scale runs of the exact event-driven simulator: wall time, RTF, synaptic events/s and peak RSS.

    NUMBA_NUM_THREADS=1 python benchmarks/bench_scale.py --n 1000000 --ms 1000      # 1M x 100, 1 s
    NUMBA_NUM_THREADS=1 python benchmarks/bench_scale.py --n 10000000 --ms 100      # 10M x 100, 0.1 s
    python benchmarks/bench_scale.py --n 1000000 --ms 1000 --threads 1,2           # side by side
    python benchmarks/bench_scale.py --n 1000000 --ms 1000 --config seed --threads 2  # the seed's row

The network is ``bench_event_driven``'s (E/I 80/20, ``k`` random synapses per
neuron with one uniform delay of 1.5 ms, float32 weights, tau_m 20 ms,
refractory 2 ms, subthreshold bias ``v_inf = 0.9``, Poisson kicks), in its
"sparse" or "denser" activity configuration, or in "seed", the workload of the
seed's table (below).  The most compact layout the
simulator supports is used: int32 indices + float32 weights per synapse (8 B;
the uniform delay is one stride-0 byte for the whole matrix), so 1e9 synapses
take 8 GB for the connectivity and 4 GB more for the network's own copy of the
weights.

Printed: construction time and RSS after it, the run's wall time, real-time
factor ``RTF = wall / biological time`` (below 1 is faster than real time),
synaptic events (arrivals) per second of wall time, and the process's peak RSS
(``getrusage`` ``ru_maxrss``: the high-water mark since the process started,
construction included).  ``--threads 1,2`` runs a fresh network with each
thread count in turn (``run(threads=k)``; one network at a time) and checks
that their spikes are identical; compile or cache load is done first on a
small network and not counted.

The seed's table gives one run of 10^6 neurons: RTF 0.2 (its RTF is biological
time / wall time: 5 s of wall time per simulated second), 25 GB and 5e7 events/s,
so 5 s x 5e7 = 2.5e8 events per simulated second.  Its text names
K ~ 1000 synapses per neuron as the biological value, and at its 12 B per synapse
25 GB holds about 2e9.  ``--config seed`` is that workload: 10^6 x 1000 synapses
(``--k`` changes it), the weights of "denser" scaled by 100 / k (the same mean
input for the same presynaptic rates) and Poisson kicks at 0.3 Hz, which give about
0.28 Hz and 2.8e8 arrivals per simulated second.  At ``--n 1000000`` it also
prints the run's figures in the seed's terms, beside the seed's.
"""

from __future__ import annotations

import argparse
import os
import resource
import time

os.environ.setdefault("NUMBA_NUM_THREADS", "1")

from bench_event_driven import CONFIGS, I_EXT, KICK_W, W_INH, build  # noqa: E402

from sc_neurocore.network import EventDrivenNetwork, PoissonInput  # noqa: E402

# (label, synapses per neuron, Poisson kick rate in Hz) of --config seed (see above)
SEED_WORKLOAD = ("the seed's workload", 1000, 0.3)
SEED_ROW = (0.2, 25.0, 5e7)  # the seed's table, 10^6 neurons: RTF (biological / wall), GB, events/s


def rss_gb() -> float:
    """Current resident set size in GB (from /proc/self/statm)."""
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 1e9


def peak_rss_gb() -> float:
    """Peak resident set size of this process in GB (ru_maxrss is in KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1e9


def seed_comparison(rtf: float, gb: float, events_per_s: float) -> list[str]:
    """A line per figure of the seed's row: its value, the run's and whether the run beats it.

    ``rtf`` in the seed's sense (biological time / wall time: more is faster), ``gb`` the peak
    memory (less is better) and ``events_per_s`` (more is better).
    """
    lines = []
    for name, mine, theirs, more_is_better in zip(
        ("RTF (biological / wall time)", "peak memory (GB)", "events/s"),
        (rtf, gb, events_per_s),
        SEED_ROW,
        (True, False, True),
        strict=True,
    ):
        beaten = mine > theirs if more_is_better else mine < theirs
        verdict = "beaten" if beaten else "NOT beaten"
        lines.append(f"  the seed's {name}: {theirs:.3g}; this run: {mine:.3g} ({verdict})")
    return lines


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--k", type=int, default=None, help="synapses per neuron (100; 1000 with --config seed)")
    ap.add_argument("--ms", type=float, default=1000.0)
    ap.add_argument("--config", choices=[c[0].split()[0] for c in CONFIGS] + ["seed"], default="sparse")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--threads", default="1", help="comma-separated thread counts, e.g. 1,2")
    args = ap.parse_args()
    if args.k is not None and args.k < 1:
        ap.error(f"--k must be at least 1 (synapses per neuron), got {args.k}")
    if args.config == "seed":
        label, k, kick_hz = SEED_WORKLOAD
        k = k if args.k is None else args.k
        _, w_exc, _ = next(c for c in CONFIGS if c[0].startswith("denser"))
        w_exc, w_inh = w_exc * 100 / k, W_INH * 100 / k
    else:
        label, w_exc, kick_hz = next(c for c in CONFIGS if c[0].startswith(args.config))
        k, w_inh = 100 if args.k is None else args.k, W_INH

    counts = [int(x) for x in args.threads.split(",")]
    t0 = time.perf_counter()
    pop_s, conn_s = build(200, 20, w_exc, w_inh=w_inh)
    for th in counts:
        net_s = EventDrivenNetwork(pop_s, conn_s, i_ext=I_EXT)
        net_s.add_input(PoissonInput(kick_hz, KICK_W, n=200, seed=0))
        net_s.run(20.0, threads=th)
    print(f"warm-up (compile or cache load): {time.perf_counter() - t0:.2f} s")
    del net_s, pop_s, conn_s

    first = None
    first_wall = 0.0
    for th in counts:
        t0 = time.perf_counter()
        pop, conn = build(args.n, k, w_exc, seed=args.seed, w_inh=w_inh)
        net = EventDrivenNetwork(pop, conn, i_ext=I_EXT)
        del conn  # the network keeps the structure; its weights are its own copy
        net.add_input(PoissonInput(kick_hz, KICK_W, n=args.n, seed=args.seed + 1))
        build_s = time.perf_counter() - t0
        nnz = net.connectivity.nnz
        print(f"{label}: {args.n:,d} neurons, {nnz:,d} synapses ({nnz / args.n:.1f} per neuron), "
              f"w_exc {w_exc:g}, w_inh {w_inh:g}, Poisson kicks {kick_hz} Hz; built in {build_s:.1f} s, "
              f"RSS {rss_gb():.2f} GB (peak so far {peak_rss_gb():.2f} GB)")

        t0 = time.perf_counter()
        cpu0 = time.process_time()
        sp = net.run(args.ms, threads=th)
        wall = time.perf_counter() - t0
        cpu = time.process_time() - cpu0
        st = net.statistics()
        syn = st["synaptic_events"]
        rate = len(sp) / args.n / (args.ms / 1000.0)
        print(f"threads {th}, biological time {args.ms:g} ms: wall {wall:.2f} s (CPU {cpu:.2f} s), "
              f"RTF {wall / (args.ms / 1000):.3f}, {len(sp):,d} spikes ({rate:.3f} Hz)")
        print(f"synaptic events (arrivals) {syn:,d} = {syn / wall / 1e6:.1f} M/s of wall time "
              f"({syn / cpu / 1e6:.1f} M/s of CPU time, {cpu / max(syn, 1) * 1e9:.1f} ns each); "
              f"queue pops {st['heap_pops']:,d}; statistics() events_per_s {st['events_per_s'] / 1e6:.1f} M")
        print(f"peak RSS {peak_rss_gb():.2f} GB", flush=True)
        if args.config == "seed" and args.n == 1_000_000:  # the size of the seed's row
            for line in seed_comparison(args.ms / 1000 / wall, peak_rss_gb(), st["events_per_s"]):
                print(line, flush=True)
        if first is None:
            first, first_wall = sp, wall
        else:
            print(f"wall time threads={th} / threads={counts[0]}: {wall / first_wall:.3f}")
            same = (first.times_ms.tobytes() == sp.times_ms.tobytes()
                    and first.neurons.tobytes() == sp.neurons.tobytes())
            print(f"spikes identical to threads={counts[0]}: {same}")
            assert same
        del net, sp, pop


if __name__ == "__main__":
    main()
