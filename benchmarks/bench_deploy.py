"""Images per second of ``sc_neurocore.deploy.evaluate`` against the plain-Python reference.

The classifier: the stored digits model ``tests/data/digits_mlp.npz`` (64-32-10,
``scripts/make_digits_models.py``) mapped with ``to_sc`` defaults (W = 16,
unipolar, seed 1) for every encoder (lfsr, sobol, bernoulli), accumulation
(apc, or, mux) and L in 256 / 1024 / 4096.

* **fast**: ``evaluate`` on the 360 test images of the documented split, best of
  ``--repeat`` calls after a warm-up call (which compiles or loads the kernels);
  one call includes its per-classifier preparation (sources, weight streams).
* **reference**: ``reference_counters`` (plain Python, cycle by cycle, one thread)
  on the first ``--ref-images`` test images, one call, including its source
  generation; measured in the 1-thread run only.  Its counters are checked equal
  to the fast path's on the same images.

Each thread count runs in its own child process with ``NUMBA_NUM_THREADS=K``;
the table says whether the fast path gave the same counters (hash) for every
thread count.  On a shared machine the numbers are indicative: the load
average is printed.  Needs the ``ml`` extra (scikit-learn, for the digits).

Usage::

    python benchmarks/bench_deploy.py                       # 1 and 2 threads, all cases
    python benchmarks/bench_deploy.py --lengths 256 --encoders lfsr --ref-images 1
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

MODEL = Path(__file__).resolve().parent.parent / "tests" / "data" / "digits_mlp.npz"


def child(encoders: list[str], accumulations: list[str], lengths: list[int], repeat: int,
          ref_images: int) -> list[dict[str, Any]]:
    from sc_neurocore.deploy import FloatMLP, evaluate, load_digits_split, reference_counters, to_sc

    d = load_digits_split()
    mlp = FloatMLP.load(MODEL)
    rows = []
    for enc in encoders:
        for acc in accumulations:
            for L in lengths:
                clf = to_sc(mlp, length=L, encoder=enc, accumulation=acc, calibration=d.x_train)
                out = evaluate(clf, d.x_test)  # warm-up: compile / load the kernels
                best = float("inf")
                for _ in range(repeat):
                    t0 = time.perf_counter()
                    out = evaluate(clf, d.x_test)
                    best = min(best, time.perf_counter() - t0)
                h = hashlib.sha256(b"".join(np.ascontiguousarray(c).tobytes() for c in out.counters))
                row = {"encoder": enc, "accumulation": acc, "length": L, "fast": len(d.x_test) / best,
                       "hash": h.hexdigest()[:16], "correct": int((out.predictions == d.y_test).sum())}
                if ref_images > 0:
                    t0 = time.perf_counter()
                    ref = reference_counters(clf, d.x_test[:ref_images])
                    row["reference"] = ref_images / (time.perf_counter() - t0)
                    row["equal"] = all(np.array_equal(r, c[:ref_images])
                                       for r, c in zip(ref.counters, out.counters, strict=True))
                rows.append(row)
    return rows


def run_child(k: int, args: argparse.Namespace, ref_images: int) -> list[dict[str, Any]] | None:
    env = dict(os.environ, NUMBA_NUM_THREADS=str(k), OMP_NUM_THREADS=str(k))
    cmd = [sys.executable, __file__, "--child", "--encoders", args.encoders, "--accumulations",
           args.accumulations, "--lengths", args.lengths, "--repeat", str(args.repeat),
           "--ref-images", str(ref_images)]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")]
    if proc.returncode != 0 or not lines:
        print(f"  [{k} threads failed: {proc.stderr.strip().splitlines()[-1:] or proc.returncode}]")
        return None
    result: list[dict[str, Any]] = json.loads(lines[-1][len("RESULT "):])
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--threads", default="1,2", help="comma list of thread counts (default 1,2)")
    ap.add_argument("--encoders", default="lfsr,sobol,bernoulli")
    ap.add_argument("--accumulations", default="apc,or,mux")
    ap.add_argument("--lengths", default="256,1024,4096")
    ap.add_argument("--repeat", type=int, default=3, help="fast path: best of this many calls (default 3)")
    ap.add_argument("--ref-images", type=int, default=2, help="images for the reference (default 2; 0: skip)")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    split = (lambda s: [x for x in s.split(",") if x])  # noqa: E731
    if args.child:
        rows = child(split(args.encoders), split(args.accumulations), [int(x) for x in split(args.lengths)],
                     args.repeat, args.ref_images)
        print("RESULT " + json.dumps(rows))
        return
    threads = [int(k) for k in split(args.threads)]
    print(f"bench_deploy: cores {os.cpu_count()}, load average {os.getloadavg()[0]:.2f} (1 min); "
          f"fast path on 360 images (best of {args.repeat}), reference on {args.ref_images}")
    runs = {k: run_child(k, args, args.ref_images if i == 0 else 0) for i, k in enumerate(threads)}
    ok = {k: r for k, r in runs.items() if r is not None}
    if not ok:
        return
    first = ok[threads[0]] if threads[0] in ok else next(iter(ok.values()))
    head = f"{'encoder':<10}{'acc':<5}{'L':>6}{'correct':>8}" + "".join(f"{f'img/s {k}t':>12}" for k in ok)
    head += f"{'ref img/s':>11}" + "".join(f"{f'x ref {k}t':>10}" for k in ok) + "  ref==fast  same bits"
    print(head)
    for i, row in enumerate(first):
        fast = [ok[k][i]["fast"] for k in ok]
        ref = row.get("reference")
        line = f"{row['encoder']:<10}{row['accumulation']:<5}{row['length']:>6}{row['correct']:>8}"
        line += "".join(f"{f:12.0f}" for f in fast)
        line += f"{ref:11.2f}" + "".join(f"{f / ref:10.0f}" for f in fast) if ref else f"{'-':>11}"
        line += f"  {str(row.get('equal', '-')):>9}  {len({ok[k][i]['hash'] for k in ok}) == 1}"
        print(line)
    print(f"load average after: {os.getloadavg()[0]:.2f} (1 min)")


if __name__ == "__main__":
    main()
