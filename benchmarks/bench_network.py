"""Network simulator benchmark: sc_neurocore vs a vectorised NumPy model (vs Brian2 if installed).

Cases (issue 4):

1. ``decision``: the 1000-neuron E/I decision model (80 % excitatory,
   Erdős–Rényi p = 0.1, tau_m 20 ms, refractory 2 ms, dt 0.1 ms, 100 ms),
   each neuron driven by its own Poisson generator.
2. ``100k``: 100,000 neurons x 100 synapses each (p = 100 / N), 1 s at
   dt 0.1 ms, driven by per-neuron constant currents tuned to 8-9 Hz.
3. ``1M``: 1,000,000 neurons x 100 synapses, 0.1 s.

Every implementation of every case runs in its own child process, so the
peak resident memory (``ru_maxrss``) is that case's alone; the child also
reports its resident memory before building the network (interpreter, numpy,
numba and the loaded compiled kernels), the bytes of the model's arrays, the
time to build the network, the time of a first small compile / cache-load
call (reported separately) and the simulation loop's wall time.
Single thread by default: ``NUMBA_NUM_THREADS=1``, ``OMP_NUM_THREADS=1``;
``--threads K`` runs sc_neurocore with ``NUMBA_NUM_THREADS=K`` and Brian2
with ``prefs.devices.cpp_standalone.openmp_threads = K`` (the NumPy
reference stays single threaded).  ``benchmarks/bench_threads.py`` runs the
thread scaling table.

Brian2 reference figures (cpp_standalone, one thread, measured on these
2-core machines, quoted by issue 4) are printed next to ours.  With
``--brian`` and an importable ``brian2``, Brian2 (cpp_standalone, one
thread, no OpenMP, build directory under the system temp dir, removed
afterwards) also runs the same network (the same synapse arrays, weights,
delay, initial potentials and drive, mapped step for step; see
:func:`child_brian`) in its own child process, and the firing rates are compared (agreement within 5 % is
checked and printed).  brian2 2.9.0 does not import under NumPy >= 2.4
(``ndarray.ptp`` was removed), so run it from a separate environment, e.g.::

    python -m venv /tmp/b2venv
    /tmp/b2venv/bin/pip install "numpy==2.3.5" brian2 cython -e .
    /tmp/b2venv/bin/python benchmarks/bench_network.py --brian

Usage::

    python benchmarks/bench_network.py              # all cases, ours + NumPy
    python benchmarks/bench_network.py --quick      # small sizes, seconds
    python benchmarks/bench_network.py --cases 1,2 --brian
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from typing import Any

# Threads of every implementation: 1 unless --threads (passed to the child processes in SC_BENCH_THREADS);
# BLAS stays single threaded.
THREADS = int(os.environ.get("SC_BENCH_THREADS", "1"))
for _var in ("NUMBA_NUM_THREADS", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = str(THREADS) if _var in ("NUMBA_NUM_THREADS", "OMP_NUM_THREADS") else "1"

import numpy as np  # noqa: E402

# Brian2 2.x cpp_standalone, one thread, these machines (issue 4): wall s, peak MB; NumPy wall s
REFERENCE: dict[str, dict[str, Any]] = {
    "decision": {"brian2_s": 0.0063, "brian2_mb": None, "numpy_s": 0.020},
    "100k": {"brian2_s": 1.73, "brian2_mb": 356.0, "numpy_s": 4.75},
    "1M": {"brian2_s": 2.6, "brian2_mb": 3400.0, "numpy_s": None},
}

DT = 0.1  # ms
TAU_M = 20.0  # ms
REFRACTORY = 2.0  # ms
DELAY_STEPS = 15  # 1.5 ms
EXC_FRAC = 0.8


def case_spec(case: str, quick: bool) -> dict[str, Any]:
    """Sizes and drive of one case (``quick`` shrinks sizes, keeps the model)."""
    if case == "decision":
        return {"n": 1000, "k": 100, "steps": 1000 if not quick else 300, "w_exc": 0.02, "g": 5.0,
                "drive": "poisson", "rate_hz": 1500.0, "amp": 0.12, "repeat": 7}
    if case == "100k":
        return {"n": 100_000 if not quick else 10_000, "k": 100, "steps": 10_000 if not quick else 2000,
                "w_exc": 0.01, "g": 5.0, "drive": "current", "i_lo": 0.035, "i_hi": 0.06, "repeat": 2}
    if case == "1M":
        return {"n": 1_000_000 if not quick else 50_000, "k": 100, "steps": 1000 if not quick else 300,
                "w_exc": 0.01, "g": 5.0, "drive": "current", "i_lo": 0.035, "i_hi": 0.06, "repeat": 2}
    raise ValueError(f"case must be one of decision, 100k, 1M; got {case}")


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _currents(spec: dict[str, Any]) -> np.ndarray:
    """Per-neuron constant currents (potential units per ms), uniform in [i_lo, i_hi]."""
    rng = np.random.default_rng(11)
    return rng.uniform(spec["i_lo"], spec["i_hi"], spec["n"]).astype(np.float32)


def _v_init(n: int) -> np.ndarray:
    return np.random.default_rng(12).uniform(0.0, 1.0, n).astype(np.float32)


def build_ours(spec: dict[str, Any]) -> Any:
    from sc_neurocore.network import Current, Network, PoissonInput, Population, ei_weights, erdos_renyi

    n = spec["n"]
    n_exc = int(EXC_FRAC * n)
    pop = Population(n, tau_m=TAU_M, refractory=REFRACTORY, dt=DT, n_exc=n_exc, v_init=_v_init(n))
    w = ei_weights(n, n_exc, spec["w_exc"], spec["g"] * spec["w_exc"])
    conn = erdos_renyi(n, spec["k"] / n, weight=w,
                       delay=DELAY_STEPS, seed=1)
    net = Network(pop, conn, seed=2)
    if spec["drive"] == "poisson":
        net.add_input(PoissonInput(spec["rate_hz"], spec["amp"], n=n, seed=3))
    else:
        net.add_input(Current(_currents(spec), time_varying=False))
    return net


def child_ours(spec: dict[str, Any]) -> dict[str, Any]:
    from sc_neurocore.network import Current, Network, PoissonInput, Population, erdos_renyi

    t = time.perf_counter()  # compile / cache load on a tiny network of the same kind
    warm = Network(Population(50, dt=DT), erdos_renyi(50, 0.1, weight=0.1, delay=DELAY_STEPS, seed=0))
    warm.add_input(PoissonInput(100.0, 0.5, n=50, seed=0))
    warm.add_input(Current(0.01))
    warm.run(30)
    compile_s = time.perf_counter() - t
    base_mb = _rss_mb()
    t = time.perf_counter()
    net = build_ours(spec)
    build_s = time.perf_counter() - t
    c = net.connectivity
    model_bytes = int(c.indptr.nbytes + c.indices.nbytes + c.weights.nbytes + c.delays.nbytes
                      + net.v.nbytes + net.refr.nbytes + net.ring.nbytes
                      + sum(a.nbytes for a in net.population.to_arrays().values()))
    run_s = cpu_s = float("inf")
    for _ in range(spec["repeat"]):  # best of `repeat` (the machine is shared); reset() restarts identically
        net.reset()
        t = time.perf_counter()
        c0 = time.process_time()
        sp = net.run(spec["steps"])
        cpu_s = min(cpu_s, time.process_time() - c0)
        run_s = min(run_s, time.perf_counter() - t)
    return {"compile_s": compile_s, "build_s": build_s, "run_s": run_s, "cpu_s": cpu_s,
            "rate_hz": sp.mean_rate_hz(),
            "n_spikes": len(sp), "model_mb": model_bytes / 2**20, "base_mb": base_mb, "peak_mb": _rss_mb()}


def child_numpy(spec: dict[str, Any]) -> dict[str, Any]:
    """A vectorised NumPy implementation of the same model (same synapse arrays, same drive).

    Per step: leak + input for all neurons (float32 array ops), refractory
    counters, threshold, and event-driven propagation of the spiking rows
    (CSR slices gathered with ``np.repeat``) into a delay ring with
    ``np.add.at``.  Poisson drive uses numpy's generator (same statistics,
    different draws from ours).
    """
    base_mb = _rss_mb()
    t = time.perf_counter()
    net = build_ours(spec)  # reuse the builder so both simulate the same graph
    c = net.connectivity
    indptr = c.indptr.astype(np.int64)
    indices = c.indices
    weights = c.weights
    n = spec["n"]
    hold = int(net.population.hold_steps[0])
    del net
    build_s = time.perf_counter() - t
    f32 = np.float32
    if spec["drive"] == "poisson":
        cur = np.zeros(n, dtype=np.float32)
    else:
        cur = (f32(DT) * _currents(spec)).astype(np.float32)
    rng = np.random.default_rng(5)
    run_s = cpu_s = float("inf")
    n_spikes = 0
    for _ in range(spec["repeat"]):  # best of `repeat`, like ours
        t0 = time.perf_counter()
        c0 = time.process_time()
        n_spikes = _numpy_loop(spec, cur, rng, indptr, indices, weights, hold)
        cpu_s = min(cpu_s, time.process_time() - c0)
        run_s = min(run_s, time.perf_counter() - t0)
    rate = n_spikes / n / (spec["steps"] * DT / 1000.0)
    return {"compile_s": 0.0, "build_s": build_s, "run_s": run_s, "cpu_s": cpu_s, "rate_hz": rate,
            "n_spikes": n_spikes, "model_mb": float("nan"), "base_mb": base_mb, "peak_mb": _rss_mb()}


def _numpy_loop(spec: dict[str, Any], cur: np.ndarray, rng: np.random.Generator, indptr: np.ndarray,
                indices: np.ndarray, weights: np.ndarray, hold: int) -> int:
    """The NumPy time loop from the initial state; returns the number of spikes."""
    f32 = np.float32
    n = spec["n"]
    alpha = f32(DT / TAU_M)
    v = _v_init(n)
    refr = np.zeros(n, dtype=np.int32)
    n_slots = DELAY_STEPS + 1
    ring = np.zeros((n_slots, n), dtype=np.float32)
    poisson = spec["drive"] == "poisson"
    p = spec.get("rate_hz", 0.0) * DT / 1000.0
    amp = f32(spec.get("amp", 0.0))
    n_spikes = 0
    for step in range(spec["steps"]):
        x = ring[step % n_slots]
        if poisson:
            x += amp * (rng.random(n) < p)
        vn = v + alpha * (f32(0.0) - v) + cur + x
        x[:] = 0.0
        refractory = refr > 0
        fired = (~refractory) & (vn >= f32(1.0))
        v = np.where(refractory | fired, f32(0.0), vn)
        refr = np.where(refractory, refr - 1, np.where(fired, hold, 0)).astype(np.int32)
        idx = np.flatnonzero(fired)
        if idx.size:
            n_spikes += idx.size
            starts = indptr[idx]
            lens = indptr[idx + 1] - starts
            total = int(lens.sum())
            offs = np.repeat(starts - np.concatenate(([0], np.cumsum(lens)[:-1])), lens) + np.arange(total)
            np.add.at(ring[(step + DELAY_STEPS) % n_slots], indices[offs], weights[offs])
    return n_spikes


_RSS_WRAPPER = (
    "import os, subprocess, sys\n"
    "p = subprocess.Popen(sys.argv[2:])\n"
    "_, st, ru = os.wait4(p.pid, 0)\n"
    "with open(sys.argv[1], 'a') as f:\n"
    "    f.write(f'{ru.ru_maxrss}\\n')\n"
    "sys.exit(os.waitstatus_to_exitcode(st))\n"
)


def child_brian(spec: dict[str, Any]) -> dict[str, Any]:
    """Brian2 cpp_standalone (one thread, no OpenMP; ``--threads K``: K OpenMP threads) on the same synapses
    and drive.

    The model is mapped step for step onto ours:

    * The schedule is ``groups, synapses, thresholds, resets``: the state
      update (``v += dt * (-v / tau_m + I)``, forward Euler, which is our
      ``v += alpha * (0 - v) + dt * I``) runs first, then the synaptic and
      Poisson jumps arriving this step are added, then the threshold.  That is
      our order (jumps are added after the leak, before the threshold).
      With Brian2's default schedule (synapses after thresholds) a jump would
      also be leaked by one step (a factor ``1 - dt / tau_m``).
    * Delays: spikes of step ``t`` are pushed into the queue on step ``t + 1``
      (the synapses slot now precedes the thresholds), so our delay of ``d``
      steps is Brian2's ``(d - 1) dt``; one homogeneous delay (like ours).
    * Refractoriness: ``refractory = 2 ms`` (20 steps, Brian2 counts the spike
      step; we hold 19 steps after it), ``(unless refractory)`` freezes ``v``
      at the reset value, the threshold is checked only when not refractory,
      and jumps onto refractory neurons are discarded
      (``w * int(not_refractory_post)``, as in our engine; Brian2's default
      would add them to the frozen ``v``).
    * Same CSR arrays (pre, post, weight), same initial ``v``, same constant
      currents; the Poisson drive is Brian2's ``PoissonInput`` (same rate and
      jump, different random draws), so that case agrees in rate only.

    Brian2 computes in float64 (its default), we in float32.  Timing: the C++
    code generation + compilation (``device.build``) is reported as compile
    time; the loop's wall time is measured in the binary around the network
    run (``clock_gettime(CLOCK_MONOTONIC)``, inserted with
    ``device.insert_code``) and its CPU time is Brian2's own
    ``device._last_run_time`` (``std::clock()`` without OpenMP), each the
    best of ``repeat`` runs of the binary; the rest of the binary's wall time
    (loading the static arrays, creating the synapses and spike queues,
    writing results) is reported as build time.
    The peak RSS is the binary's own (``wait4`` on its pid), not the
    compiler's or this Python process's.
    """
    import brian2 as b2

    t = time.perf_counter()
    net = build_ours(spec)
    c = net.connectivity
    pre = c.pre().astype(np.int32)
    post = c.indices.astype(np.int32)
    w = c.weights.astype(np.float64)
    assert int(np.unique(c.delays).size) == 1 and int(c.delays[0]) == DELAY_STEPS
    n = spec["n"]
    del net, c
    py_s = time.perf_counter() - t
    outdir = tempfile.mkdtemp(prefix="bench_brian_")
    rss_file = os.path.join(outdir, "rss_kb.txt")
    b2.set_device("cpp_standalone", directory=outdir, build_on_run=False)
    b2.prefs.devices.cpp_standalone.openmp_threads = THREADS if THREADS > 1 else 0
    b2.prefs.devices.cpp_standalone.run_cmd_unix = [sys.executable, "-c", _RSS_WRAPPER, rss_file, "./main"]
    b2.defaultclock.dt = DT * b2.ms
    eqs = "dv/dt = -v / tau + I : 1 (unless refractory)\nI : 1/second (constant)\ntau : second (constant)"
    group = b2.NeuronGroup(n, eqs, threshold="v >= 1", reset="v = 0", refractory=REFRACTORY * b2.ms,
                           method="euler")
    group.tau = TAU_M * b2.ms
    group.v = _v_init(n).astype(np.float64)
    objs: list[Any] = []
    if spec["drive"] == "poisson":
        group.I = 0 / b2.second
        objs.append(b2.PoissonInput(group, "v", 1, spec["rate_hz"] * b2.Hz,
                                    weight=f"{spec['amp']!r} * int(not_refractory)"))
    else:
        group.I = _currents(spec).astype(np.float64) / b2.ms
    syn = b2.Synapses(group, group, "w : 1 (constant)", on_pre="v_post += w * int(not_refractory_post)",
                      delay=(DELAY_STEPS - 1) * DT * b2.ms)
    syn.connect(i=pre, j=post)
    syn.w = w
    del pre, post, w
    mon = b2.SpikeMonitor(group, record=False)
    bnet = b2.Network(group, syn, mon, *objs)
    bnet.schedule = ["start", "groups", "synapses", "thresholds", "resets", "end"]
    # wall clock around the network run (Brian2's own _last_run_time is std::clock(), i.e. CPU time)
    b2.device.insert_code("before_network_run",
                          "struct timespec _bw0, _bw1; clock_gettime(CLOCK_MONOTONIC, &_bw0);")
    b2.device.insert_code("after_network_run",
                          "clock_gettime(CLOCK_MONOTONIC, &_bw1); std::cout << \"BENCH_WALL \" << "
                          "((_bw1.tv_sec - _bw0.tv_sec) + 1e-9 * (_bw1.tv_nsec - _bw0.tv_nsec)) "
                          "<< std::endl;")
    bnet.run(spec["steps"] * DT * b2.ms)
    t = time.perf_counter()
    b2.device.build(directory=outdir, compile=True, run=False)
    compile_s = time.perf_counter() - t
    loop_s = cpu_s = wall_s = float("inf")
    n_spikes = -1
    for _ in range(spec["repeat"]):  # best of `repeat`, like ours; each run restarts the binary from scratch
        t = time.perf_counter()
        b2.device.run(directory=outdir, with_output=False, run_args=[])
        wall = time.perf_counter() - t
        with open(os.path.join(b2.device.results_dir, "stdout.txt")) as f:
            loop = float(next(ln for ln in f if ln.startswith("BENCH_WALL ")).split()[1])
        if loop < loop_s:
            loop_s, wall_s = loop, wall
        cpu_s = min(cpu_s, float(b2.device._last_run_time))
        n_spikes = int(mon.num_spikes)
    with open(rss_file) as f:
        peak_kb = max(int(x) for x in f.read().split())
    rate = n_spikes / n / (spec["steps"] * DT / 1000.0)
    shutil.rmtree(outdir, ignore_errors=True)  # ~2 GB of array files for the 1M case
    return {"compile_s": compile_s, "build_s": wall_s - loop_s, "run_s": loop_s, "cpu_s": cpu_s,
            "run_wall_s": wall_s, "py_build_s": py_s, "rate_hz": rate, "n_spikes": n_spikes,
            "model_mb": float("nan"), "base_mb": float("nan"), "peak_mb": peak_kb / 1024.0,
            "python_peak_mb": _rss_mb()}


def run_child(case: str, impl: str, quick: bool) -> dict[str, Any] | None:
    cmd = [sys.executable, __file__, "--child", case, impl] + (["--quick"] if quick else [])
    proc = subprocess.run(cmd, capture_output=True, text=True, env=os.environ.copy(), check=False)
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")]
    if proc.returncode != 0 or not lines:
        print(f"  [{case}/{impl} failed: {proc.stderr.strip().splitlines()[-1:] or proc.returncode}]")
        return None
    return json.loads(lines[-1][len("RESULT "):])


def _fmt_s(x: float | None) -> str:
    if x is None or x != x:
        return "-"
    return f"{x * 1000:.1f} ms" if x < 1.0 else f"{x:.2f} s"


def _fmt_mb(x: float | None) -> str:
    return "-" if x is None or x != x else f"{x:.0f} MB"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="small sizes (seconds); ratios not comparable")
    ap.add_argument("--cases", default="1,2,3", help="comma list of 1 (decision), 2 (100k), 3 (1M)")
    ap.add_argument("--no-numpy", action="store_true", help="skip the NumPy reference")
    ap.add_argument("--brian", action="store_true", help="also run Brian2 cpp_standalone if importable")
    ap.add_argument("--threads", type=int, default=None,
                    help="threads of sc_neurocore (numba) and Brian2 (OpenMP); default 1")
    ap.add_argument("--child", nargs=2, metavar=("CASE", "IMPL"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.threads is not None:  # read by the children at import
        if args.threads < 1:
            raise SystemExit(f"--threads must be >= 1; got {args.threads}")
        os.environ["SC_BENCH_THREADS"] = str(args.threads)
    if args.child:
        case, impl = args.child
        spec = case_spec(case, args.quick)
        fn = {"ours": child_ours, "numpy": child_numpy, "brian": child_brian}[impl]
        print("RESULT " + json.dumps(fn(spec)))
        return
    names = {"1": "decision", "2": "100k", "3": "1M"}
    cases = [names[c.strip()] for c in args.cases.split(",") if c.strip()]
    have_brian = False
    if args.brian:
        try:
            import brian2  # noqa: F401

            have_brian = True
        except Exception as exc:  # ImportError, or e.g. brian2 2.9 under NumPy >= 2.4 (no ndarray.ptp)
            print(f"brian2 is not importable ({type(exc).__name__}: {exc}): "
                  "printing its reference figures only")
    n_thr = args.threads or THREADS
    print(f"bench_network: {'single thread' if n_thr == 1 else f'{n_thr} threads (NumPy: one)'}, dt = {DT} ms"
          f"{' (--quick: reduced sizes)' if args.quick else ''}")
    for case in cases:
        spec = case_spec(case, args.quick)
        ref = REFERENCE[case]
        print(f"\n== {case}: N = {spec['n']:,}, ~{spec['k']} synapses/neuron, {spec['steps']} steps "
              f"({spec['steps'] * DT:g} ms), drive = {spec['drive']}")
        res = {"ours": run_child(case, "ours", args.quick)}
        if not args.no_numpy:
            res["numpy"] = run_child(case, "numpy", args.quick)
        if have_brian:
            res["brian"] = run_child(case, "brian", args.quick)
        print(f"  {'implementation':<26}{'loop':>11}{'loop CPU':>10}{'build':>10}{'compile':>10}{'rate':>10}"
              f"{'peak RSS':>11}{'pre-build':>11}{'model':>9}")
        for impl, r in res.items():
            if r is None:
                continue
            label = {"ours": "sc_neurocore (numba)", "numpy": "NumPy (this script)",
                     "brian": "Brian2 cpp_standalone"}[impl]
            print(f"  {label:<26}{_fmt_s(r['run_s']):>11}{_fmt_s(r['cpu_s']):>10}{_fmt_s(r['build_s']):>10}"
                  f"{_fmt_s(r['compile_s']):>10}"
                  f"{r['rate_hz']:>8.2f}Hz{_fmt_mb(r['peak_mb']):>11}{_fmt_mb(r['base_mb']):>11}"
                  f"{_fmt_mb(r['model_mb']):>9}")
        print(f"  {'Brian2 reference (issue)':<26}{_fmt_s(ref['brian2_s']):>11}{'':>40}"
              f"{_fmt_mb(ref['brian2_mb']):>11}")
        print(f"  {'NumPy reference (issue)':<26}{_fmt_s(ref['numpy_s']):>11}")
        ours = res["ours"]
        if ours is None:
            continue
        rbr = res.get("brian")
        if rbr:
            rb = rbr["rate_hz"]
            ok = abs(ours["rate_hz"] - rb) <= 0.05 * rb
            print(f"  rates: ours {ours['rate_hz']:.3f} Hz ({ours['n_spikes']} spikes), Brian2 {rb:.3f} Hz "
                  f"({rbr['n_spikes']} spikes), difference {(ours['rate_hz'] - rb) / rb:+.2%}: "
                  f"{'agree within 5%' if ok else 'DIFFER by more than 5%'}")
            print(f"  Brian2: C++ code generation + compile {_fmt_s(rbr['compile_s'])}, binary wall "
                  f"{_fmt_s(rbr['run_wall_s'])} = loop {_fmt_s(rbr['run_s'])} + load/synapse creation/"
                  f"output {_fmt_s(rbr['build_s'])}; Python side (arrays + model) "
                  f"{_fmt_s(rbr['py_build_s'])}")
        if args.quick:
            print("  (--quick: sizes differ from the reference figures; no ratios)")
            continue
        rn = res.get("numpy")
        print(f"  loop speed-up: x{ref['brian2_s'] / ours['run_s']:.2f} vs Brian2 reference"
              + (f", x{rbr['run_s'] / ours['run_s']:.2f} vs Brian2 measured here (CPU time: "
                 f"x{rbr['cpu_s'] / ours['cpu_s']:.2f})" if rbr else "")
              + (f", x{ref['numpy_s'] / ours['run_s']:.2f} vs NumPy reference" if ref["numpy_s"] else "")
              + (f", x{rn['run_s'] / ours['run_s']:.1f} vs NumPy measured here" if rn else ""))
        print(f"  build + loop: {_fmt_s(ours['build_s'] + ours['run_s'])} (compile/cache load "
              f"{_fmt_s(ours['compile_s'])} separate)"
              + (f"; Brian2 binary wall {_fmt_s(rbr['run_wall_s'])}" if rbr else ""))
        for name, mb in (("Brian2 reference", ref["brian2_mb"]), ("Brian2 measured", rbr and rbr["peak_mb"])):
            if mb:
                print(f"  peak RSS {ours['peak_mb'] / mb:.0%} of {name} {mb:.0f} MB "
                      f"(target <= 60%); model arrays {ours['model_mb']:.0f} MB, interpreter + numpy + "
                      f"numba + kernels {ours['base_mb']:.0f} MB")


if __name__ == "__main__":
    main()
