"""Import cost of sc_neurocore, measured in fresh subprocesses (target: < 0.5 s with a warm numba cache).

Printed side by side, each the median of ``--repeats`` fresh interpreters:

* ``import numba`` alone (the floor every numba package pays once it compiles);
* ``import sc_neurocore`` (names resolve lazily, so this must not import numba);
* ``from sc_neurocore import SCDenseLayer`` (imports the kernels module and numba,
  compiles nothing);
* the first layer construction + run after that import: numba loads the cached
  machine code (its LLVM start-up is a fixed cost of any cached numba call); with
  a cold cache this is the compile time, reported separately.

A warm-up subprocess runs the layer once first so the numba cache is warm.

Run: ``python benchmarks/bench_import.py``
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys

SNIPPETS = {
    "import numba": "import numba",
    "import sc_neurocore": "import sc_neurocore",
    "from sc_neurocore import SCDenseLayer": "from sc_neurocore import SCDenseLayer",
}

FIRST_CALL = """
import time
from sc_neurocore import SCDenseLayer
t = time.perf_counter()
layer = SCDenseLayer(4, [0.3, 0.7, 0.5], [0.5, 0.6, 0.4], length=256, base_seed=1,
                     neuron_params={"noise_std": 0.02})
layer.run(100)
print(time.perf_counter() - t)
"""


def timed(code: str) -> float:
    """Wall time of ``code`` inside a fresh interpreter, measured in that interpreter."""
    wrapper = (
        "import time; _t = time.perf_counter()\n"
        + code
        + "\nprint(time.perf_counter() - _t)"
    )
    env = dict(os.environ, NUMBA_NUM_THREADS="1")
    out = subprocess.run([sys.executable, "-c", wrapper], capture_output=True, text=True, check=True,
                         env=env)
    return float(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=7)
    args = ap.parse_args()
    env = dict(os.environ, NUMBA_NUM_THREADS="1")
    # warm the numba cache (compiles on a cold cache)
    warm = subprocess.run([sys.executable, "-c", FIRST_CALL], capture_output=True, text=True,
                          check=True, env=env)
    print(f"warm-up (compile on a cold cache, else cache load): {float(warm.stdout.strip()):.3f} s")
    results = {}
    for label, code in SNIPPETS.items():
        results[label] = statistics.median(timed(code) for _ in range(args.repeats))
    first = statistics.median(
        float(subprocess.run([sys.executable, "-c", FIRST_CALL], capture_output=True, text=True,
                             check=True, env=env).stdout.strip())
        for _ in range(args.repeats)
    )
    for label, sec in results.items():
        print(f"  {label:<42s} {sec:.3f} s")
    print(f"  {'first SCDenseLayer construction + run':<42s} {first:.3f} s  (warm cache)")
    ok = results["import sc_neurocore"] < 0.5
    print(f"import sc_neurocore < 0.5 s: {'yes' if ok else 'NO'} "
          f"({results['import sc_neurocore']:.3f} s; numba alone {results['import numba']:.3f} s)")


if __name__ == "__main__":
    main()
