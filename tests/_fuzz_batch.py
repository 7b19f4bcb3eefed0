"""Run a fuzz batch in ONE subprocess (test helper for the loader fuzz tests).

A loader bug can let a compiled kernel read or write past an array's end and kill the
interpreter, so the fuzz files run their batch as a script in a child process that prints
each case before trying it; a crash then fails the test with the offending case shown.

The hypothesis seed is fixed in CI (so a red run reproduces and CI is deterministic) and
fresh elsewhere; either way it is printed with the replay command.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import zlib

from conftest import IN_CI, NOJIT


def batch_seed(script: str) -> int:
    """Fixed per script in CI, random elsewhere."""
    if IN_CI:
        return zlib.crc32(os.path.basename(script).encode())
    return random.SystemRandom().randrange(2**32)


def run_batch(script: str, cases: int) -> str:
    """Run ``python script CASES SEED`` with warnings as errors; assert it passed all cases; return stdout."""
    import sc_neurocore

    seed = batch_seed(script)
    script = os.path.abspath(script)
    root = os.path.dirname(os.path.dirname(os.path.abspath(sc_neurocore.__file__)))
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([root, os.environ.get("PYTHONPATH", "")]))
    # warnings are errors, as under pytest; without JIT the kernels' uint64 hashes wrap with a warning (conftest)
    flags = ["-W", "error"] + (["-W", "ignore:overflow encountered in scalar:RuntimeWarning"] if NOJIT else [])
    proc = subprocess.run([sys.executable, *flags, script, str(cases), str(seed)],
                          capture_output=True, text=True, env=env, cwd=os.path.dirname(script))
    tail = "\n".join(proc.stderr.splitlines()[-40:])
    replay = f"PYTHONPATH=. python tests/{os.path.basename(script)} {cases} {seed}"
    assert proc.returncode == 0, (f"fuzz batch exited with {proc.returncode} (negative: killed by signal); "
                                  f"replay with `{replay}`; last cases and the error:\n{tail}\n{proc.stdout[-3000:]}")
    done = int(proc.stdout.split("fuzzed ")[1].split(" cases")[0])
    assert done >= cases, proc.stdout
    return proc.stdout
