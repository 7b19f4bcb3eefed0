"""Start-up cost: cold and warm wall times of ``sc-neurocore demo`` and of every tutorial script.

Each run is a fresh interpreter (``python -m sc_neurocore demo`` or
``python tutorials/NN_x.py``), timed from outside, so the times include
interpreter start-up, imports, numba compiling or loading kernels, the work
itself and (with matplotlib) writing figures into a temporary directory.

* **cold**: an empty ``NUMBA_CACHE_DIR`` of its own, so every kernel the script
  uses is compiled, as on a user's first run;
* **warm**: a ``NUMBA_CACHE_DIR`` filled once by ``sc-neurocore warmup`` (timed
  too), so kernels only load from the cache; the median of ``--repeats`` runs.

The ``notice`` columns say whether the run printed the first-compile notice:
always on a cold run, never on a warm one unless ``warmup`` missed a
specialisation that script uses.

Run: ``python benchmarks/bench_startup.py [--repeats 3] [--only 01 14 demo]``
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # this checkout's package, also in the subprocesses (PYTHONPATH below)

from sc_neurocore._jit import COMPILE_NOTICE  # noqa: E402

TUTORIALS = sorted((ROOT / "tutorials").glob("[0-9][0-9]_*.py"))


def run(cmd: list[str], cache_dir: Path, scratch: Path) -> tuple[float, bool]:
    """Wall time (s) of ``cmd`` in a fresh interpreter, and whether it printed the compile notice."""
    # PYTHONPATH: this checkout's package, whatever is installed
    python_path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    env = dict(os.environ, NUMBA_CACHE_DIR=str(cache_dir), MPLBACKEND="Agg", PYTHONPATH=python_path,
               SC_NEUROCORE_FIGURES=str(scratch / "figures"))
    env.pop("NUMBA_DISABLE_JIT", None)
    t = time.perf_counter()
    out = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=scratch)
    seconds = time.perf_counter() - t
    if out.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({out.returncode}):\n{out.stderr[-2000:]}")
    return seconds, COMPILE_NOTICE in out.stderr


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=3, help="warm runs per script (median; default 3)")
    ap.add_argument("--only", nargs="*", default=None,
                    help="run only these: 'demo' and/or tutorial numbers such as 01 14")
    args = ap.parse_args()

    targets: list[tuple[str, list[str]]] = []
    if args.only is None or "demo" in args.only:
        targets.append(("sc-neurocore demo", [sys.executable, "-m", "sc_neurocore", "demo", "--out", "demo"]))
    for path in TUTORIALS:
        if args.only is None or path.name[:2] in args.only:
            targets.append((path.name, [sys.executable, str(path)]))

    with tempfile.TemporaryDirectory(prefix="bench_startup_") as tmp:
        base = Path(tmp)
        warm_cache = base / "warm_cache"
        warmup_s, _ = run([sys.executable, "-m", "sc_neurocore", "warmup"], warm_cache, base)
        print(f"sc-neurocore warmup into an empty cache: {warmup_s:.1f} s\n")
        print(f"{'script':<42s} {'cold s':>7s} {'warm s':>7s} {'saved':>6s}  notice cold/warm")
        total_cold = total_warm = 0.0
        for label, cmd in targets:
            cold_cache = base / "cold_cache"
            scratch = base / "scratch"
            scratch.mkdir()
            cold, cold_notice = run(cmd, cold_cache, scratch)
            shutil.rmtree(cold_cache, ignore_errors=True)
            warm_runs = [run(cmd, warm_cache, scratch) for _ in range(args.repeats)]
            shutil.rmtree(scratch)
            warm = statistics.median(s for s, _ in warm_runs)
            warm_notice = any(n for _, n in warm_runs)
            total_cold += cold
            total_warm += warm
            missed = "YES (warmup missed a kernel)" if warm_notice else "no"
            print(f"{label:<42s} {cold:7.2f} {warm:7.2f} {cold - warm:6.2f}  "
                  f"{'yes' if cold_notice else 'no'}/{missed}", flush=True)
        print(f"{'total':<42s} {total_cold:7.2f} {total_warm:7.2f} {total_cold - total_warm:6.2f}")


if __name__ == "__main__":
    main()
