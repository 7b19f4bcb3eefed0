"""Overhead and scaling of sc_neurocore.sweep: a plain loop against run() on each scheduler.

A sweep of ``--points`` points (default 200), one seed each, where each run
is an SC simulation of about ``--seconds`` (default 0.5 s): products of
Bernoulli streams (AND gate, decode), repeated a calibrated number of times.
Measured, wall clock:

* **plain loop**: the function called once per point in this process;
* **serial**: ``run(sweep, "serial", out=DIR)`` (adds seeding, metric checks,
  the results file, the table);
* **process pool, 1 and 2 workers**: ``run(sweep, n_workers=k, out=DIR)``
  (adds process start-up, numba cache loads in every worker, pickling);
* **Dask LocalCluster, 2 workers** (if dask.distributed is installed).

Overhead per point = (wall time - plain loop / workers) / points; the target
is < 5 % of the run time at 0.5 s per run.  "Outside fn" = (wall time x
workers - the runs' own wall times) / points: the time the workers did not
spend inside the function (start-up, dispatch, results, idle), which a busy
machine distorts less than the comparison with the loop.  Numba is limited to
one thread per process so that workers do not oversubscribe the cores.

``--sleep`` replaces the computation by a sleep of the same length: the runs
then use no CPU, so the measured overhead is the runner's own even on a busy
machine.

Run: ``python benchmarks/bench_sweep.py [--points N] [--seconds S] [--sleep] [--skip-dask]``
"""

from __future__ import annotations

import os

os.environ.setdefault("NUMBA_NUM_THREADS", "1")

import argparse  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

LENGTH = 1 << 20  # bits per stream


def sc_work(index: int, reps: int, *, seed: np.random.SeedSequence) -> dict[str, float]:
    """``reps`` SC products of two independent 2^20-bit Bernoulli streams; mean error against p q."""
    from sc_neurocore import bitstream as bs

    p, q = 0.3 + 0.4 * (index % 7) / 7, 0.6
    errs = []
    for s in seed.spawn(reps):
        a = bs.bernoulli(p, LENGTH, seed=s, stream_offset=0)
        b = bs.bernoulli(q, LENGTH, seed=s, stream_offset=1)
        errs.append(float(bs.decode(bs.and_(a, b), LENGTH)) - p * q)
    return {"mean_error": float(np.mean(errs)), "rms_error": float(np.sqrt(np.mean(np.square(errs))))}


def sleep_work(index: int, seconds: float, *, seed: np.random.SeedSequence) -> dict[str, float]:
    """A run that waits ``seconds`` without using the CPU: isolates the runner's own overhead."""
    time.sleep(seconds)
    return {"mean_error": float(np.random.default_rng(seed).random())}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--points", type=int, default=200)
    ap.add_argument("--seconds", type=float, default=0.5, help="target run time of one point")
    ap.add_argument("--skip-dask", action="store_true")
    ap.add_argument("--sleep", action="store_true", help="runs that sleep instead of computing")
    args = ap.parse_args()

    from sc_neurocore.sweep import Sweep, run

    if args.sleep:
        fn, work = sleep_work, args.seconds
        what = f"a {args.seconds} s sleep per run (no CPU: the runner's own overhead)"
    else:
        fn = sc_work
        fn(0, 1, seed=np.random.SeedSequence(0))  # numba compile / cache load
        t0 = time.perf_counter()
        fn(0, 4, seed=np.random.SeedSequence(0))
        work = max(1, round(args.seconds / ((time.perf_counter() - t0) / 4)))
        what = f"{work} products of 2^20-bit streams per run"
    key = "seconds" if args.sleep else "reps"
    sweep = Sweep(fn, {"index": list(range(args.points)), key: [work]}, n_seeds=1, seed=1)
    print(f"{args.points} points, one seed each, {what}; cpu_count = {os.cpu_count()}")

    t0 = time.perf_counter()
    for i in range(sweep.n_points):
        fn(**sweep.point(i), seed=sweep.seed_sequence(i, 0))
    loop = time.perf_counter() - t0
    per_run = loop / args.points
    print(
        f"\n{'how':<28} {'wall (s)':>9} {'speed-up':>9} {'overhead/point (ms)':>20} {'overhead %':>11} "
        f"{'outside fn/point (ms)':>22}"
    )
    print(f"{'plain loop':<28} {loop:>9.2f} {1.0:>9.2f} {'-':>20} {'-':>11} {'-':>22}")

    cases: list[tuple[str, object, int]] = [
        ("serial", "serial", 1),
        ("process pool, 1 worker", None, 1),
        ("process pool, 2 workers", None, 2),
    ]
    if not args.skip_dask:
        try:
            import distributed  # noqa: F401

            cases.append(("Dask LocalCluster, 2 workers", "local", 2))
        except ImportError:
            print("(Dask LocalCluster skipped: dask.distributed is not installed)")
    reference = None
    startups = []
    for name, scheduler, workers in cases:
        # start-up alone: one short run per worker (process start, imports, numba cache loads)
        tiny = Sweep(fn, {"index": list(range(workers)), key: [0.0 if args.sleep else 1]}, n_seeds=1, seed=2)
        t0 = time.perf_counter()
        run(tiny, scheduler, n_workers=workers, progress=False)
        startups.append((name, time.perf_counter() - t0 - (0.0 if args.sleep else per_run / work)))
        with tempfile.TemporaryDirectory() as out:
            t0 = time.perf_counter()
            res = run(sweep, scheduler, n_workers=workers, out=out, progress=False)
            wall = time.perf_counter() - t0
        assert not res.failures and len(res.table) == args.points
        if reference is None:
            reference = res.table["mean_error"]
        assert np.array_equal(res.table["mean_error"], reference), "schedulers disagree"
        over = (wall - loop / workers) / args.points
        pct = 100 * over / per_run
        # worker time not spent inside fn: start-up, dispatch, result handling, idle
        outside = (wall * workers - float(np.sum(res.table["wall_time_s"]))) / args.points
        print(
            f"{name:<28} {wall:>9.2f} {loop / wall:>9.2f} {1e3 * over:>20.1f} {pct:>10.1f}% "
            f"{1e3 * outside:>22.1f}"
        )
    print("\nStart-up cost (a sweep of one short run per worker, minus that run), included above:")
    for name, startup in startups:
        per_point = 1e3 * startup / args.points
        print(f"  {name:<28} {startup:6.2f} s = {per_point:6.1f} ms per point of this sweep")
    print(
        f"\nEvery scheduler produced the same table (mean_error bit for bit).  Load average during the "
        f"benchmark: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores."
    )


if __name__ == "__main__":
    main()
