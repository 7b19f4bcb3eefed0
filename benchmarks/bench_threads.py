"""Thread scaling of the threaded hot paths (issue 9 §3), with a bit-identity check.

Cases:

* ``network``: the ``100k`` case of ``bench_network.py`` (100,000 LIF neurons
  x 100 synapses, delay 1.5 ms, 1 s at dt 0.1 ms, constant-current drive);
* ``trials``: Monte Carlo trials of the 1000-neuron decision task
  (``DecisionTask().run_trials``; one trial per Python thread);
* ``dense``: an ``SCDenseLayer`` of 4096 neurons x 64 inputs (one source per
  neuron, exact-count accumulation), construction + 1000 steps;
* ``encoders``: ``bitstream.bernoulli`` of 20,000 streams x 4096 bits.

Each (case, thread count) runs in its own child process with
``NUMBA_NUM_THREADS=K`` (best of ``--repeat`` runs after a warm-up call that
compiles or loads the kernels).  The child hashes its outputs; the table says
whether every thread count gave the same bits.  The load average is printed
before and after: on a shared machine the numbers are only indicative, and
with more runnable threads than cores set ``OMP_WAIT_POLICY=PASSIVE`` (numba's
OpenMP layer otherwise spins at every synchronisation while the other
thread waits for a core; see docs/network.md, "Threads").

Model: from the 1- and 2-thread times, ``T(p) = s + (T1 - s) / p`` with the
serial part ``s = 2 T2 - T1`` (Amdahl; ``s`` absorbs the per-epoch
synchronisation and the serial recording).  It is printed for 16 and 64 cores
as an upper bound: it ignores memory bandwidth (the neuron update streams about
20 bytes per neuron and step) and the cost of a synchronisation, which grows
with the thread count.

Usage::

    python benchmarks/bench_threads.py                   # 1, 2 threads, every case
    python benchmarks/bench_threads.py --threads 1,2,3 --cases network --quick
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import time
from typing import Any

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def _hash(*arrays: Any) -> str:
    h = hashlib.sha256()
    for a in arrays:
        h.update(np.ascontiguousarray(a).tobytes())
    return h.hexdigest()[:16]


def _best(fn: Any, repeat: int) -> tuple[float, Any]:
    best = float("inf")
    out = None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


def child(case: str, quick: bool, repeat: int) -> dict[str, Any]:
    import numba

    if case == "network":
        sys.path.insert(0, HERE)
        import bench_network as bn

        spec = bn.case_spec("100k", False)
        if quick:
            spec.update(n=20_000, steps=2000)
        net = bn.build_ours(spec)
        net.run(20)  # compile / cache load

        def run() -> Any:
            net.reset()
            return net.run(spec["steps"])

        s, sp = _best(run, repeat)
        return {"s": s, "hash": _hash(sp.neurons, sp.steps, net.v), "spikes": len(sp),
                "threads": numba.get_num_threads()}
    if case == "trials":
        from sc_neurocore.network import DecisionTask

        task = DecisionTask(seed=1, window_ms=20.0 if quick else 100.0)
        task.run_trials(1, seed=0)
        n_trials = 4 if quick else 16
        s, tr = _best(lambda: task.run_trials(n_trials, seed=2), repeat)
        return {"s": s, "hash": _hash(tr.counts), "spikes": int(tr.counts.sum()),
                "threads": numba.get_num_threads()}
    if case == "dense":
        from sc_neurocore import SCDenseLayer

        rng = np.random.default_rng(3)
        n, n_in = (1024, 32) if quick else (4096, 64)
        x, w = rng.uniform(0, 1, n_in), rng.uniform(0, 1, (n, n_in))

        def layer() -> Any:
            lay = SCDenseLayer(n, x, w, length=1024, accumulation="count", y_max=0.3,
                               neuron_params={"noise_std": 0.02}, base_seed=4)
            return lay.run(1000)

        layer()
        s, spikes = _best(layer, repeat)
        return {"s": s, "hash": _hash(spikes), "spikes": int(spikes.sum()),
                "threads": numba.get_num_threads()}
    if case == "encoders":
        from sc_neurocore.bitstream import bernoulli

        p = np.random.default_rng(5).uniform(0, 1, 4000 if quick else 20_000)
        bernoulli(p[:100], 4096, seed=6)
        s, words = _best(lambda: bernoulli(p, 4096, seed=6), repeat)
        return {"s": s, "hash": _hash(words), "spikes": 0, "threads": numba.get_num_threads()}
    raise ValueError(f"case must be network, trials, dense or encoders; got {case}")


def run_child(case: str, k: int, quick: bool, repeat: int) -> dict[str, Any] | None:
    env = dict(os.environ, NUMBA_NUM_THREADS=str(k), OMP_NUM_THREADS=str(k), SC_BENCH_THREADS=str(k))
    cmd = [sys.executable, __file__, "--child", case, "--repeat", str(repeat)]
    cmd += ["--quick"] if quick else []
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")]
    if proc.returncode != 0 or not lines:
        print(f"  [{case} / {k} threads failed: {proc.stderr.strip().splitlines()[-1:] or proc.returncode}]")
        return None
    return json.loads(lines[-1][len("RESULT "):])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--threads", default="1,2", help="comma list of thread counts (default 1,2)")
    ap.add_argument("--cases", default="network,trials,dense,encoders")
    ap.add_argument("--repeat", type=int, default=3, help="best of this many runs (default 3)")
    ap.add_argument("--quick", action="store_true", help="smaller sizes (seconds)")
    ap.add_argument("--child", default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print("RESULT " + json.dumps(child(args.child, args.quick, args.repeat)))
        return
    threads = [int(k) for k in args.threads.split(",")]
    print(f"bench_threads: cores {os.cpu_count()}, load average {os.getloadavg()[0]:.2f} (1 min)"
          f"{' (--quick)' if args.quick else ''}")
    for case in args.cases.split(","):
        print(f"\n== {case}")
        print(f"  {'threads':>8}{'time':>11}{'speed-up':>10}{'efficiency':>12}  bits")
        res = {k: run_child(case, k, args.quick, args.repeat) for k in threads}
        base = res.get(threads[0])
        for k, r in res.items():
            if r is None or base is None:
                continue
            sp = base["s"] / r["s"] * threads[0]
            same = "same" if r["hash"] == base["hash"] else "DIFFERENT"
            print(f"  {r['threads']:>8}{r['s']:>10.3f}s{sp:>9.2f}x{sp / k:>11.0%}  {same} ({r['hash']})")
        r1, r2 = res.get(1), res.get(2)
        if r1 and r2:
            serial = 2 * r2["s"] - r1["s"]
            if not 0.0 <= serial < r1["s"]:  # 2 threads slower than 1, or more than twice as fast: noise
                print(f"  no Amdahl fit: T2 / T1 = {r2['s'] / r1['s']:.2f} is outside [0.5, 1)")
                continue
            par = r1["s"] - serial
            model = ", ".join(f"{p} cores {r1['s'] / (serial + par / p):.1f}x" for p in (16, 64))
            print(f"  Amdahl fit: serial part {serial:.3f} s of {r1['s']:.3f} s "
                  f"({serial / r1['s']:.0%}); upper bound {model}")
    print(f"\nload average {os.getloadavg()[0]:.2f} (1 min) at the end")


if __name__ == "__main__":
    main()
