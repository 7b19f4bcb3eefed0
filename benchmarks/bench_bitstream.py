"""Packed bitstream engine vs a plain NumPy unpacked implementation (one byte per bit).

Run: ``python benchmarks/bench_bitstream.py``.  Single thread (NUMBA_NUM_THREADS=1).
Both sides are timed in this one run, best of several repeats; the ratio is
baseline time / packed time.  numba compile time is measured separately, in a
child process with an empty cache directory, and is not part of any ratio.

Baseline (what a straightforward NumPy SC implementation does, one byte per bit):

* encode: ``np.random.default_rng(seed).random(L) < p`` (bool array)
* AND + popcount: ``np.sum(a & b)`` on two such arrays
* SC multiply: encode two streams, AND, decode with ``np.mean(a & b)``

The targets are checked against that baseline.  For transparency every row
also shows the ratio against the fastest NumPy idiom we know for the
counting step, ``np.count_nonzero`` (about 7x faster than ``np.sum`` on bool
arrays, and not what SC code usually writes): for AND + popcount the packed
kernel reads 2^22 / 4 bytes = 1 MiB and is bound by cache bandwidth, so
that ratio is much lower.

Packed engine: ``bitstream.bernoulli`` (counter hash, bit-sliced comparator,
64 bits per uint64 word), ``bitstream.and_popcount`` and ``bitstream.and_`` +
``bitstream.decode``.  Targets (issue #2): encode >= 8x, AND + popcount on
2^22 bits >= 150x, SC multiply end to end >= 9x.

The unpacked boundary (issue #9 §1, target: within 2x of NumPy's own
primitives for every shape): ``bitstream.pack`` against ``np.packbits(bits,
axis=-1, bitorder="little")``, ``bitstream.unpack`` against
``np.unpackbits(..., axis=-1, count=L, bitorder="little")`` on the words'
bytes, and the 0/1 check ``check_binary_array`` against ``x.max()``, on
2^20 bits in several row shapes.  The peer comparison of the tutorial API is
``benchmarks/bench_peer.py``.
"""

from __future__ import annotations

import os

os.environ.setdefault("NUMBA_NUM_THREADS", "1")

import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from functools import partial  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402

from sc_neurocore import bitstream as bs  # noqa: E402

L = 2**22
P, Q = 0.3, 0.7
SEED = 12345
TARGETS = {"encode": 8.0, "and_popcount": 150.0, "sc_multiply": 9.0}


def _round(fn: Callable[[], Any], min_time: float) -> float:
    """Mean wall time of one call in a round that loops until ``min_time`` has passed."""
    n = 0
    t0 = time.perf_counter()
    while True:
        fn()
        n += 1
        dt = time.perf_counter() - t0
        if dt >= min_time:
            return dt / n


def best_time(fn: Callable[[], Any], repeats: int = 9, min_time: float = 0.05) -> float:
    """Best per-call time over ``repeats`` rounds."""
    return min(_round(fn, min_time) for _ in range(repeats))


def paired_best(fns: list[Callable[[], Any]], repeats: int = 9, min_time: float = 0.05) -> list[float]:
    """Best per-call time of each function, rounds interleaved so all see the same machine load."""
    best = [float("inf")] * len(fns)
    for _ in range(repeats):
        for i, fn in enumerate(fns):
            best[i] = min(best[i], _round(fn, min_time))
    return best


# ---- plain NumPy, unpacked (one byte per bit) -----------------------------------------


def np_encode(p: float, length: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).random(length) < p


def np_and_popcount(a: np.ndarray, b: np.ndarray) -> int:
    return int(np.sum(a & b))


def np_and_popcount_fast(a: np.ndarray, b: np.ndarray) -> int:
    return int(np.count_nonzero(a & b))


def np_sc_multiply(p: float, q: float, length: int, seed: int) -> float:
    rng = np.random.default_rng(seed)
    a = rng.random(length) < p
    b = rng.random(length) < q
    return float(np.mean(a & b))


def np_sc_multiply_fast(p: float, q: float, length: int, seed: int) -> float:
    rng = np.random.default_rng(seed)
    a = rng.random(length) < p
    b = rng.random(length) < q
    return np.count_nonzero(a & b) / length


# ---- packed engine ------------------------------------------------------------------------


def packed_sc_multiply(p: float, q: float, length: int, seed: int) -> float:
    a = bs.bernoulli(p, length, seed=seed, stream_offset=0)
    b = bs.bernoulli(q, length, seed=seed, stream_offset=1)
    return bs.decode(bs.and_(a, b), length)


def packed_sc_multiply_fused(p: float, q: float, length: int, seed: int) -> float:
    ab = bs.bernoulli(np.array([p, q]), length, seed=seed)
    return bs.and_popcount(ab[0], ab[1]) / length


_COMPILE_SNIPPET = """
import os, time
os.environ["NUMBA_NUM_THREADS"] = "1"
t0 = time.perf_counter()
import numpy as np
from sc_neurocore import bitstream as bs
t1 = time.perf_counter()
a = bs.bernoulli(0.3, 1000, seed=1)
t2 = time.perf_counter()
bs.and_popcount(a, a); bs.decode(bs.and_(a, a), 1000)
t3 = time.perf_counter()
print(t1 - t0, t2 - t1, t3 - t2)
"""


def compile_times() -> tuple[float, float, float, float, float, float]:
    """(import, bernoulli first call, gates+decode first call), cold then warm cache, in child processes."""
    out: list[float] = []
    with tempfile.TemporaryDirectory() as cache:
        env = dict(os.environ, NUMBA_CACHE_DIR=cache)
        for _ in range(2):  # first run compiles into the empty cache, second loads from it
            res = subprocess.run(
                [sys.executable, "-c", _COMPILE_SNIPPET], env=env, capture_output=True, text=True, check=True
            )
            out.extend(float(x) for x in res.stdout.split())
    return tuple(out)  # type: ignore[return-value]


def main() -> None:
    print(f"sc_neurocore.bitstream benchmark: L = 2^{L.bit_length() - 1} = {L} bits, p = {P}, q = {Q}, "
          f"NUMBA_NUM_THREADS={os.environ['NUMBA_NUM_THREADS']}")
    ct = compile_times()
    print(f"numba compile (empty cache, child process): import {ct[0]:.3f} s, bernoulli {ct[1]:.3f} s, "
          f"AND/popcount/decode {ct[2]:.3f} s")
    print(f"warm cache (child process):                 import {ct[3]:.3f} s, bernoulli {ct[4]:.3f} s, "
          f"AND/popcount/decode {ct[5]:.3f} s")

    # warm-up in this process (compile or cache load; not timed below)
    t0 = time.perf_counter()
    a_w = bs.bernoulli(P, L, seed=SEED, stream_offset=0)
    b_w = bs.bernoulli(Q, L, seed=SEED, stream_offset=1)
    bs.and_popcount(a_w, b_w)
    packed_sc_multiply(P, Q, 256, SEED)
    packed_sc_multiply_fused(P, Q, 256, SEED)
    print(f"warm-up in this process (first calls, cache load): {time.perf_counter() - t0:.3f} s\n")

    a_u = np_encode(P, L, SEED)
    b_u = np_encode(Q, L, SEED + 1)
    # sanity: both sides estimate the same product
    est_np = np_sc_multiply(P, Q, L, SEED)
    est_bs = packed_sc_multiply(P, Q, L, SEED)
    se = bs.binomial_standard_error(P * Q, L)
    print(f"SC product estimates: numpy {est_np:.5f}, packed {est_bs:.5f}, exact {P * Q:.5f} "
          f"(binomial SE {se:.5f})\n")

    rows = [
        ("encode", lambda: np_encode(P, L, SEED), None, lambda: bs.bernoulli(P, L, seed=SEED)),
        ("and_popcount", lambda: np_and_popcount(a_u, b_u), lambda: np_and_popcount_fast(a_u, b_u),
         lambda: bs.and_popcount(a_w, b_w)),
        ("sc_multiply", lambda: np_sc_multiply(P, Q, L, SEED), lambda: np_sc_multiply_fast(P, Q, L, SEED),
         lambda: packed_sc_multiply(P, Q, L, SEED)),
    ]
    print(f"{'task':14s} {'numpy (plain)':>14s} {'packed':>12s} {'ratio':>8s} {'target':>7s}      "
          f"{'numpy count_nonzero':>20s} {'ratio':>7s}")
    for key, base, base_fast, fast in rows:
        fns = [base, fast] if base_fast is None else [base, fast, base_fast]
        times = paired_best(fns)
        tb, tf = times[0], times[1]
        r = tb / tf
        ok = "ok" if r >= TARGETS[key] else "MISSED"
        line = f"{key:14s} {tb * 1e3:11.3f} ms {tf * 1e3:9.3f} ms {r:7.1f}x {TARGETS[key]:6.0f}x {ok:6s}"
        if base_fast is not None:
            line += f" {times[2] * 1e3:17.3f} ms {times[2] / tf:6.1f}x"
        print(line)
    tb, tf2 = paired_best(
        [lambda: np_sc_multiply(P, Q, L, SEED), lambda: packed_sc_multiply_fused(P, Q, L, SEED)]
    )
    print(f"{'sc_mult fused':14s} {tb * 1e3:11.3f} ms {tf2 * 1e3:9.3f} ms {tb / tf2:7.1f}x"
          "   (one bernoulli call for both streams + and_popcount)")

    # other encoders (no targets): same NumPy encode baseline
    bs.lfsr(P, 256)
    bs.lfsr(P, 256, zero_state=True)
    bs.sobol(P, 256)
    others = [
        ("lfsr 16-bit", lambda: bs.lfsr(P, L, width=16, seed=1)),
        ("lfsr zero_st", lambda: bs.lfsr(P, L, width=16, seed=1, zero_state=True)),
        ("sobol dim 1", lambda: bs.sobol(P, L, dimension=1)),
    ]
    print()
    for name, fn in others:
        tb, tf = paired_best([lambda: np_encode(P, L, SEED), fn], repeats=5)
        print(f"{name:14s} {tb * 1e3:11.3f} ms {tf * 1e3:9.3f} ms {tb / tf:7.1f}x   (encode, no target)")

    # the comparator stops early when T = round(p 2^32) has trailing zeros (p = 0.5 needs 1 plane)
    print("\nencode time per 64-bit word vs p (packed): ", end="")
    for p in (0.5, 0.3, 0.123456789, 0.99):
        t = best_time(partial(bs.bernoulli, p, L, seed=SEED), repeats=3)
        print(f"p={p}: {t / (L // 64) * 1e9:.1f} ns", end="  ")
    print()


BOUNDARY_SHAPES = [(2**20,), (1024, 1024), (4096, 256), (2**14, 64), (2**14, 65), (2**14, 63), (2**17, 8),
                   (2**18, 3)]


def boundary() -> None:
    """pack / unpack / 0-1 check against np.packbits / np.unpackbits / max, about 2^20 bits per shape."""
    from sc_neurocore._validation import check_binary_array

    print(f"\nboundary, ~2^20 bits (ratio = ours / NumPy; target <= 2):\n{'shape':13s} "
          f"{'pack':>8s} {'packbits':>9s} {'ratio':>6s}   {'unpack':>8s} {'unpackbits':>10s} {'ratio':>6s}   "
          f"{'check u8':>8s} {'max':>8s} {'ratio':>6s}  {'check i64':>9s} {'max':>8s} {'ratio':>6s}")
    for shape in BOUNDARY_SHAPES:
        bits = (np.random.default_rng(0).random(shape) < 0.5).astype(np.uint8)
        length = shape[-1]
        words = bs.pack(bits)
        as_bytes = words.view(np.uint8)
        i64 = bits.astype(np.int64)
        tp, tnp, tu, tnu, tc, tm, tc64, tm64 = paired_best([
            partial(bs.pack, bits),
            partial(np.packbits, bits, axis=-1, bitorder="little"),
            partial(bs.unpack, words, length),
            partial(np.unpackbits, as_bytes, axis=-1, count=length, bitorder="little"),
            partial(check_binary_array, bits, "bits"),
            bits.max,
            partial(check_binary_array, i64, "bits"),  # includes the conversion to uint8
            i64.max,
        ], repeats=5, min_time=0.02)
        print(f"{str(shape):13s} {tp * 1e3:6.3f}ms {tnp * 1e3:7.3f}ms {tp / tnp:6.2f}   "
              f"{tu * 1e3:6.3f}ms {tnu * 1e3:8.3f}ms {tu / tnu:6.2f}   "
              f"{tc * 1e3:6.3f}ms {tm * 1e3:6.3f}ms {tc / tm:6.2f}  {tc64 * 1e3:7.3f}ms {tm64 * 1e3:6.3f}ms "
              f"{tc64 / tm64:6.2f}")


if __name__ == "__main__":
    main()
    boundary()
