"""sc_neurocore against the peer package ``sc-neurocore`` 3.16.0 on the tutorial API, in one run.

The peer (a different project, AGPL, pure NumPy with one byte per bit, that
happens to export the same tutorial class names) is installed in its own
virtual environment and only called through its public API, as a user would::

    python -m venv /tmp/peer_venv
    /tmp/peer_venv/bin/pip install sc-neurocore==3.16.0

Run (from anywhere; ``--peer-python`` defaults to ``/tmp/peer_venv/bin/python``)::

    python benchmarks/bench_peer.py [--peer-python PATH] [--rounds 3]

Our side runs in this process (one numba thread); the peer side in a child
process started with the peer venv's interpreter, from an empty working
directory and without ``PYTHONPATH``, so that ``import sc_neurocore`` there
finds the peer and nothing of ours (the child prints the version and path it
imported).  Both sides execute the same case code (:data:`CASES`) with the
same arguments.  Each round times every case on our side, then on the peer
side; every time is the minimum of single-call wall times over all repeats
of all rounds (compile or cache load is paid by a warm-up call first and is
not timed).  Ratio = peer time / our time.

Cases (issue #9 §1; each includes construction, as in the issue's table):

* ``dense``: ``SCDenseLayer`` 256 neurons x 64 inputs, 2-D weights,
  L = 2048, construction + ``run(1000)``; target >= 200x;
* ``encode``: ``BitstreamEncoder(length=2**20, seed=1).encode(0.6)``; target >= 15x;
* ``apply``: ``BitstreamSynapse(0.0, 1.0, length=2**20, w=0.4, seed=2).apply(bits)``
  on a fixed 0/1 uint8 array of 2^20 bits; target >= 15x;
* ``encode call`` / ``apply call``: the same calls on an existing object
  (no target; shows the cost of the boundary itself).

The script prints a summary of each side's outputs first (mean encoded and
multiplied bits agree; the peer's layer, whose neuron and current model
differ from ours, does not fire on this input, ours fires at ~6 Hz).

The script exits with status 2, printing these install instructions, if the
peer interpreter is missing or does not import the peer 3.16.0.
"""

from __future__ import annotations

import os

os.environ.setdefault("NUMBA_NUM_THREADS", "1")

import argparse  # noqa: E402
import json  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402

PEER_VERSION = "3.16.0"
INSTALL = (
    "The peer package is needed in its own venv:\n"
    "    python -m venv /tmp/peer_venv\n"
    f"    /tmp/peer_venv/bin/pip install sc-neurocore=={PEER_VERSION}\n"
    "then: python benchmarks/bench_peer.py --peer-python /tmp/peer_venv/bin/python"
)
TARGETS = {"dense": 200.0, "encode": 15.0, "apply": 15.0}

#: Case code run unchanged on both sides: ``sc`` is whichever ``sc_neurocore`` the
#: interpreter imports; ``timings(repeats)`` returns {case: min seconds} and a summary
#: of the outputs, so the two sides can be seen to compute the same things.
CASES = r'''
import time
import numpy as np

L_BITS = 2**20
N_NEURONS, N_INPUTS, LENGTH, T = 256, 64, 2048, 1000

_rng = np.random.default_rng(0)
X_IN = _rng.random(N_INPUTS) * 0.3          # small inputs and weights keep the OR current
W_IN = _rng.random((N_NEURONS, N_INPUTS)) * 0.1  # inside the neurons' firing range
BITS = (np.random.default_rng(1).random(L_BITS) < 0.6).astype(np.uint8)


def dense():
    layer = sc.SCDenseLayer(N_NEURONS, X_IN, W_IN, x_min=0.0, x_max=1.0, w_min=0.0, w_max=1.0,
                            length=LENGTH, base_seed=1)
    layer.run(T)
    return layer


def encode():
    return sc.BitstreamEncoder(length=L_BITS, seed=1).encode(0.6)


def apply():
    return sc.BitstreamSynapse(0.0, 1.0, length=L_BITS, w=0.4, seed=2).apply(BITS)


_ENC = sc.BitstreamEncoder(length=L_BITS, seed=1)
_SYN = sc.BitstreamSynapse(0.0, 1.0, length=L_BITS, w=0.4, seed=2)
FNS = {"dense": dense, "encode": encode, "apply": apply,
       "encode call": lambda: _ENC.encode(0.6), "apply call": lambda: _SYN.apply(BITS)}
REPEATS = {"dense": 1}  # per round; the rest use the round's repeat count


def summary():
    spikes = np.asarray(dense().get_spike_trains())
    return {"dense spikes/neuron/step": float(spikes.mean()),
            "encode mean": float(np.mean(encode())), "apply mean": float(np.mean(apply()))}


def timings(repeats):
    out = {}
    for name, fn in FNS.items():
        fn()  # warm-up: numba compile or cache load, first-call allocations
        best = float("inf")
        for _ in range(REPEATS.get(name, repeats)):
            t0 = time.perf_counter()
            fn()
            best = min(best, time.perf_counter() - t0)
        out[name] = best
    return out
'''

_PEER_MAIN = r'''
import json, sys
from importlib.metadata import version
import sc_neurocore as sc
exec(compile(sys.argv[1], "<bench_peer cases>", "exec"))
info = {"version": version("sc-neurocore"), "path": sc.__file__}
if sys.argv[3] == "summary":
    info["summary"] = summary()
info["times"] = timings(int(sys.argv[2]))
print(json.dumps(info))
'''


def run_peer(python: str, repeats: int, with_summary: bool) -> dict:
    """Time the cases in the peer venv (child process, empty cwd, no PYTHONPATH)."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    env.update(OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    with tempfile.TemporaryDirectory() as cwd:
        res = subprocess.run(
            [python, "-c", _PEER_MAIN, CASES, str(repeats), "summary" if with_summary else "-"],
            cwd=cwd, env=env, capture_output=True, text=True,
        )
    if res.returncode != 0:
        sys.exit(f"peer run failed:\n{res.stderr}\n{INSTALL}")
    info = json.loads(res.stdout.strip().splitlines()[-1])
    if info["version"] != PEER_VERSION:
        print(f"warning: peer is sc-neurocore {info['version']}, not {PEER_VERSION}")
    return info


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--peer-python", default="/tmp/peer_venv/bin/python",
                    help="interpreter of the venv holding the peer (default: %(default)s)")
    ap.add_argument("--rounds", type=int, default=3, help="alternating rounds (ours, then peer)")
    ap.add_argument("--repeats", type=int, default=15,
                    help="timed calls per case per round (the dense case: 1 per round)")
    args = ap.parse_args()
    if not Path(args.peer_python).is_file():
        print(f"peer interpreter not found: {args.peer_python}\n{INSTALL}", file=sys.stderr)
        sys.exit(2)

    import sc_neurocore as ours

    ns: dict = {"sc": ours}
    exec(compile(CASES, "<bench_peer cases>", "exec"), ns)
    mine = {"path": ours.__file__, "summary": ns["summary"](), "times": ns["timings"](1)}
    peer = run_peer(args.peer_python, 1, with_summary=True)
    print(f"ours: {mine['path']} (NUMBA_NUM_THREADS={os.environ['NUMBA_NUM_THREADS']})")
    print(f"peer: sc-neurocore {peer['version']} at {peer['path']} ({args.peer_python})")
    for key in mine["summary"]:
        print(f"  {key:26s} ours {mine['summary'][key]:.4f}   peer {peer['summary'][key]:.4f}")

    best_ours, best_peer = mine["times"], peer["times"]
    for _ in range(args.rounds):
        t_ours = ns["timings"](args.repeats)
        t_peer = run_peer(args.peer_python, args.repeats, with_summary=False)["times"]
        best_ours = {k: min(best_ours[k], t_ours[k]) for k in best_ours}
        best_peer = {k: min(best_peer[k], t_peer[k]) for k in best_peer}

    print(f"\n{'case':12s} {'peer':>11s} {'ours':>11s} {'ratio':>9s} {'target':>7s}")
    for key in best_ours:
        ratio = best_peer[key] / best_ours[key]
        tgt = TARGETS.get(key)
        verdict = "" if tgt is None else f"{tgt:6.0f}x {'ok' if ratio >= tgt else 'MISSED'}"
        print(f"{key:12s} {best_peer[key] * 1e3:8.3f} ms {best_ours[key] * 1e3:8.3f} ms "
              f"{ratio:8.1f}x {verdict}")


if __name__ == "__main__":
    main()
