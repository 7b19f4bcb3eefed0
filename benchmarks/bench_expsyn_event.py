"""Event-driven ExpSynLIF against event-driven LIF on the same network: CPU time per event (one thread).

    NUMBA_NUM_THREADS=1 python benchmarks/bench_expsyn_event.py [--n 100000] [--k 100] [--ms 1000]

The network of ``bench_event_driven.py`` (E/I 80/20, ``k`` random synapses per neuron, delay 1.5 ms,
tau_m 20 ms, refractory 2 ms, bias ``v_inf = 0.9``, Poisson kicks) runs with ``neuron=LIF()`` and with
``neuron=ExpSynLIF(tau_syn)``, the same weights (the charge of a jump) and the same Poisson
realisation.  Both are warmed up on a small network first; times are ``time.process_time`` of
``run`` alone.  An event is a synaptic arrival or a queue pop (``statistics()["events_per_s"]``'s
count).  With LIF and ``v_inf < thr`` an input only needs a threshold test; with ExpSynLIF every
accepted input sum needs a crossing prediction (``_kernels/_expsyn_exact.py``), which is what the
difference per accepted input measures.
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("NUMBA_NUM_THREADS", "1")

from bench_event_driven import I_EXT, KICK_W, build  # noqa: E402

from sc_neurocore.network import LIF, EventDrivenNetwork, ExpSynLIF, PoissonInput  # noqa: E402


def run(pop, conn, neuron, ms: float, kick_hz: float, seed: int) -> tuple[float, dict[str, float]]:
    net = EventDrivenNetwork(pop, conn, i_ext=I_EXT, seed=seed, neuron=neuron)
    net.add_input(PoissonInput(kick_hz, KICK_W, n=pop.n, seed=seed))
    c0 = time.process_time()
    net.run(ms)
    return time.process_time() - c0, net.statistics()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--k", type=int, default=100)
    ap.add_argument("--ms", type=float, default=1000.0)
    ap.add_argument("--tau-syn", type=float, default=5.0)
    ap.add_argument("--w-exc", type=float, default=0.02)
    ap.add_argument("--kick-hz", type=float, default=2.0)
    a = ap.parse_args()
    models = (("LIF", LIF()), (f"ExpSynLIF(tau_syn={a.tau_syn:g})", ExpSynLIF(tau_syn=a.tau_syn)))
    small_pop, small_conn = build(1000, 20, a.w_exc)
    for _, m in models:  # compile (cached after the first run)
        run(small_pop, small_conn, m, 10.0, a.kick_hz, 1)
    pop, conn = build(a.n, a.k, a.w_exc)
    print(f"{a.n:,d} neurons x {a.k} synapses, {a.ms:g} ms, w_exc {a.w_exc}, kicks {a.kick_hz} Hz, "
          "one thread")
    print(f"{'model':>24} {'CPU s':>7} {'rate Hz':>8} {'events':>12} {'accepted':>11} {'ns/event':>9} "
          f"{'ns/accepted':>11}")
    for label, m in models:
        cpu, st = run(pop, conn, m, a.ms, a.kick_hz, 2)
        events = st["synaptic_events"] + st["heap_pops"]
        rate = st["spikes"] / a.n / (a.ms / 1000.0)
        print(f"{label:>24} {cpu:7.2f} {rate:8.2f} {events:12,d} {st['accepted_inputs']:11,d} "
              f"{cpu / events * 1e9:9.1f} {cpu / st['accepted_inputs'] * 1e9:11.1f}")


if __name__ == "__main__":
    main()
