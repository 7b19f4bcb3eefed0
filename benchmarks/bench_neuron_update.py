"""Cost of one clock-driven neuron update at 1M neurons (issue 13 §3: target <= 2 ns per update).

    python benchmarks/bench_neuron_update.py [--n 1000000] [--steps 160] [--repeat 3] [--threads 1,2]
        [--models lif,lif_pn,expsyn,izh,coba] [--drives const,poisson,synapses,recurrent,bare] [--k 100]
        [--compare OTHER_SOURCE_TREE]

For every neuron model and drive, one child process per thread count
(``NUMBA_NUM_THREADS=K``) builds ``Network``s of ``n`` neurons, warms the
kernels up (cache load or compilation, not timed), and times ``run(steps)``,
best of ``--repeat``: CPU time of the process (``time.process_time``, robust
to other jobs on the cores; with K threads it is the CPU of all of them) and
wall time.  It prints ns per neuron update, ``time / (n * steps)``, and the
bytes per ns implied by ``BYTES``, what one update must stream (its state,
ring channels, spike flag and ``i_const``, and the per-neuron parameters for
``lif_pn``: docs/network.md, "Bytes per neuron update").

Models: ``lif`` (shared parameters), ``lif_pn`` (per-neuron threshold, so
every parameter array is read), ``expsyn`` (``ExpSynLIF``), ``izh``
(``Izhikevich``), ``coba`` (``COBA``), all with shared parameters except
``lif_pn``.  Drives:

* ``const``: a constant subthreshold current, no synapses, no spikes: the
  neuron update alone plus the engine's fixed costs per step and chunk;
* ``poisson``: the same plus one Poisson generator per neuron (10 Hz, small
  jumps: one hash per neuron and step);
* ``synapses``: the ``recurrent`` graph with the constant current only (no
  spikes): what the delay ring of ``max_delay + 1`` rows costs;
* ``recurrent``: ``erdos_renyi`` with ``k`` synapses per neuron (delay 1.5
  ms), the subthreshold current and 1 Hz Poisson kicks, as the sparse
  configuration of ``bench_event_driven.py``, potentials starting spread over
  ``[0.5, 0.95]``: the engine as a user runs it, spikes delivered (the rate is
  printed).

``bare`` rows time the model's update kernel alone (``update_neurons`` in a
compiled loop over steps and 1024-neuron chunks, no engine): the floor the
engine's per-step costs add to.

``--compare DIR`` also runs every case from another source tree (e.g. an
export of ``main``: ``git archive main | tar -x -C /tmp/before``), the two
trees' children interleaved case by case, and prints them side by side with
the spike-count check (the same spikes from both trees).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
MODELS = ("lif", "lif_pn", "expsyn", "izh", "coba")
DRIVES = ("const", "poisson", "synapses", "recurrent", "bare")
#: v/state 4 each, ring channels 4 each, flag 1, i_const 4 (+ 20 of per-neuron parameters for lif_pn)
BYTES = {"lif": 17, "lif_pn": 37, "expsyn": 21, "izh": 21, "coba": 29}
I_SUB = 0.045  # LIF: v_inf = tau_m I = 0.9 < threshold 1, no spike without input


def _network(model: str, drive: str, n: int, k: int) -> Any:
    import numpy as np

    from sc_neurocore.network import (
        COBA,
        Connectivity,
        Current,
        ExpSynLIF,
        Izhikevich,
        Network,
        PoissonInput,
        Population,
        ei_weights,
        erdos_renyi,
    )

    thr: Any = 1.0
    if model == "lif_pn":  # distinct thresholds: the per-neuron path reads every parameter array
        thr = 1.0 + 0.1 * np.random.default_rng(0).random(n)
    # Izhikevich: v_init -70 mV, u_init b v_init is its resting point with I = 0; the recurrent drive
    # starts the others spread below threshold, so that kicks make some of them fire from the start
    v_init: Any = -70.0 if model == "izh" else None
    if drive == "recurrent" and model != "izh":
        v_init = np.random.default_rng(3).uniform(0.5, 0.95, n)
    pop = Population(n, tau_m=20.0, refractory=2.0, threshold=thr, v_reset=0.0, dt=0.1, n_exc=int(0.8 * n),
                     v_init=v_init)
    neuron = {"lif": None, "lif_pn": None, "expsyn": ExpSynLIF(5.0), "izh": Izhikevich(),
              "coba": COBA()}[model]
    if drive in ("recurrent", "synapses"):
        conn = erdos_renyi(n, k / n, weight=ei_weights(n, pop.n_exc, 0.015, 0.1), delay=15, seed=1)
    else:
        conn = Connectivity(np.zeros(n + 1, dtype=np.int32), np.zeros(0, dtype=np.int32),
                            np.zeros(0, dtype=np.float32), np.zeros(0, dtype=np.int8), n)
    net = Network(pop, conn) if neuron is None else Network(pop, conn, neuron=neuron)
    net.add_input(Current(0.0 if model == "izh" else I_SUB, time_varying=False))
    if drive == "poisson":
        net.add_input(PoissonInput(10.0, 0.01, n=n, seed=2))
    elif drive == "recurrent":
        net.add_input(PoissonInput(1.0, 0.15, n=n, seed=2))
    return net


def _bare(model: str, n: int, steps: int, repeat: int) -> dict[str, Any]:
    """The model's update kernel alone over 1024-neuron chunks, no engine."""
    import numpy as np
    from numba import njit

    from sc_neurocore._kernels._network import CHUNK
    from sc_neurocore._kernels._neuron_models import update_neurons

    @njit
    def loop(p, st, buf, flags, theta, i_const, i_tn, steps):  # type: ignore[no-untyped-def]
        n = st.v.shape[0]
        for t in range(steps):
            for lo in range(0, n, CHUNK):
                update_neurons(p, st, lo, min(lo + CHUNK, n), buf, flags, theta, False, i_const, i_tn, t)

    net = _network(model, "const", n, 0)
    p = net.neuron.kernel_params(net.population, per_neuron_rows=False)
    st = net.neuron.make_state(net._state)
    buf = np.zeros(2 * n if net.neuron.channels == 2 else n, dtype=np.float32)
    flags = np.zeros(8 * ((n + 7) // 8), dtype=np.uint8)
    theta = np.zeros(n, dtype=np.float32)
    i_const = np.full(n, 0.0 if model == "izh" else I_SUB, dtype=np.float32)
    i_tn = np.zeros((0, n), dtype=np.float32)
    loop(p, st, buf, flags, theta, i_const, i_tn, 1)
    cpu, wall = [], []
    for _ in range(repeat):
        c0, w0 = time.process_time(), time.perf_counter()
        loop(p, st, buf, flags, theta, i_const, i_tn, steps)
        cpu.append(time.process_time() - c0)
        wall.append(time.perf_counter() - w0)
    return {"cpu": min(cpu), "wall": min(wall), "spikes": -1}


def child(model: str, drive: str, n: int, steps: int, repeat: int, k: int) -> dict[str, Any]:
    if drive == "bare":
        return _bare(model, n, steps, repeat)
    net = _network(model, drive, n, k)
    net.run(16)  # load or compile the kernels
    cpu, wall = [], []
    spikes = 0
    for _ in range(repeat):
        net.reset()
        c0, w0 = time.process_time(), time.perf_counter()
        sp = net.run(steps)
        cpu.append(time.process_time() - c0)
        wall.append(time.perf_counter() - w0)
        spikes = len(sp.neurons)
    return {"cpu": min(cpu), "wall": min(wall), "spikes": spikes}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--steps", type=int, default=160)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--models", default=",".join(MODELS))
    ap.add_argument("--drives", default=",".join(DRIVES))
    ap.add_argument("--k", type=int, default=100, help="synapses per neuron of the recurrent drive")
    ap.add_argument("--compare", default=None, help="another source tree to run side by side")
    ap.add_argument("--child", default=None, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child:
        model, drive = a.child.split(":")
        print(json.dumps(child(model, drive, a.n, a.steps, a.repeat, a.k)))
        return
    trees = [("this", ROOT)] + ([("other", os.path.abspath(a.compare))] if a.compare else [])
    print(f"n = {a.n}, {a.steps} steps, best of {a.repeat}; load average {os.getloadavg()[0]:.2f}")
    print("ns per neuron update: CPU time of the process (all K threads), wall in brackets; "
          "GB/s = bytes / ns (CPU ns for K = 1, wall ns for K > 1)")
    print(f"{'model':8} {'drive':10} {'K':>2} {'tree':6} {'ns/update':>22} {'bytes':>5} {'GB/s':>6} "
          f"{'spikes':>9} {'rate Hz':>8}")
    for model in a.models.split(","):
        for drive in a.drives.split(","):
            for k in (int(x) for x in a.threads.split(",")):
                if drive == "bare" and k > 1:
                    continue
                counts = set()
                for label, tree in trees:
                    env = dict(os.environ, NUMBA_NUM_THREADS=str(k), PYTHONPATH=tree)
                    cmd = [sys.executable, os.path.join(HERE, "bench_neuron_update.py"), "--child",
                           f"{model}:{drive}", "--n", str(a.n), "--steps", str(a.steps), "--repeat",
                           str(a.repeat), "--k", str(a.k)]
                    out = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=tree)
                    if out.returncode:
                        print(f"{model:8} {drive:10} {k:2} {label:6} failed: {out.stderr.strip()[-300:]}")
                        continue
                    r = json.loads(out.stdout.strip().splitlines()[-1])
                    upd = a.n * a.steps
                    ns, ns_w = 1e9 * r["cpu"] / upd, 1e9 * r["wall"] / upd
                    counts.add(r["spikes"])
                    gbs = BYTES[model] / (ns if k == 1 else ns_w)
                    hz = max(r["spikes"], 0) / (a.n * a.steps * 1e-4)  # dt = 0.1 ms
                    print(f"{model:8} {drive:10} {k:2} {label:6} {ns:9.3f} ({ns_w:9.3f} wall) "
                          f"{BYTES[model]:5d} {gbs:6.2f} {r['spikes']:9d} {hz:8.3f}", flush=True)
                if len(counts) > 1:
                    print(f"    spike counts differ between the trees: {sorted(counts)}")
    print(f"load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
