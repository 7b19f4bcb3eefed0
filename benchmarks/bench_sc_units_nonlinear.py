"""Nonlinear and sequential SC units: packed kernels vs a plain-NumPy per-cycle loop, in one run.

Run: ``python benchmarks/bench_sc_units_nonlinear.py``.  Single thread
(NUMBA_NUM_THREADS=1); best of several interleaved rounds, after a warm-up call
(numba compile time excluded).

Workload: 256 streams of 2^14 cycles each (2^22 stream-cycles) per unit,
Bernoulli inputs.  Throughput is in Gbit/s = 10^9 stream-cycles (output bits)
per second.  The baseline is what a straightforward NumPy implementation of
an FSM does: unpacked bool arrays of shape (streams, L) and a Python loop
over the L cycles, each cycle vectorised over the streams.

Targets (issue #11): sequential (FSM) units >= 1 Gbit/s per core; the
combinational ReSC unit "within 2x of AND + popcount" (its ratio to
``bitstream.and_popcount`` on the same number of stream-cycles is printed;
ReSC reads 2N + 1 input words per output word and does O(N^2) word
operations, AND + popcount reads 2).
"""

from __future__ import annotations

import os

os.environ.setdefault("NUMBA_NUM_THREADS", "1")

import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402

from sc_neurocore import bitstream as bs  # noqa: E402

N_STREAMS = 256
L = 2**14
K = 8  # FSM states
M = 16  # APC inputs
DEG = 4  # Bernstein degree
SEED = 2024


def _round(fn: Callable[[], Any], min_time: float) -> float:
    n = 0
    t0 = time.perf_counter()
    while True:
        fn()
        n += 1
        dt = time.perf_counter() - t0
        if dt >= min_time:
            return dt / n


def paired_best(fns: list[Callable[[], Any]], repeats: int = 5, min_time: float = 0.05) -> list[float]:
    """Best per-call time of each function, rounds interleaved so all see the same machine load."""
    for fn in fns:
        fn()  # warm-up (numba compilation)
    best = [float("inf")] * len(fns)
    for _ in range(repeats):
        for i, fn in enumerate(fns):
            best[i] = min(best[i], _round(fn, min_time))
    return best


# ---- plain NumPy per-cycle loops on unpacked bool arrays (streams, L) ------------------------


def np_counter_fsm(x: np.ndarray, kind: str, k: int = K, g: int = 2) -> np.ndarray:
    s = np.full(x.shape[0], k // 2)
    y = np.empty_like(x)
    for t in range(x.shape[1]):
        xt = x[:, t]
        if kind == "stanh":
            y[:, t] = s >= k // 2
        elif kind == "sexp":
            y[:, t] = s < k - g
        else:
            y[:, t] = np.where(s >= k // 2, xt, ~xt)
        s = np.where(xt, np.minimum(s + 1, k - 1), np.maximum(s - 1, 0))
    return y


def np_sqrt(x: np.ndarray) -> np.ndarray:
    q = np.zeros(x.shape[0], dtype=bool)
    y = np.empty_like(x)
    for t in range(x.shape[1]):
        y[:, t] = q | x[:, t]
        q = ~q & x[:, t]
    return y


def np_cordiv(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    q = np.zeros(a.shape[0], dtype=bool)
    y = np.empty_like(a)
    for t in range(a.shape[1]):
        q = np.where(b[:, t], a[:, t], q)
        y[:, t] = q
    return y


def np_jk(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    q = np.zeros(a.shape[0], dtype=bool)
    y = np.empty_like(a)
    for t in range(a.shape[1]):
        y[:, t] = q
        q = (a[:, t] & ~q) | (~b[:, t] & q)
    return y


def np_btanh(x: np.ndarray, k: int) -> np.ndarray:
    """x: (streams, M, L)."""
    counts = x.sum(axis=1, dtype=np.int64)
    s = np.full(x.shape[0], k // 2)
    y = np.empty((x.shape[0], x.shape[2]), dtype=bool)
    m = x.shape[1]
    for t in range(x.shape[2]):
        y[:, t] = s >= k // 2
        s = np.clip(s + 2 * counts[:, t] - m, 0, k - 1)
    return y


def np_bernstein(x: np.ndarray, z: np.ndarray) -> np.ndarray:
    """x: (streams, N, L), z: (streams, N + 1, L); per cycle: y = z[popcount]."""
    y = np.empty((x.shape[0], x.shape[2]), dtype=bool)
    rows = np.arange(x.shape[0])
    for t in range(x.shape[2]):
        y[:, t] = z[rows, x[:, :, t].sum(axis=1), t]
    return y


def main() -> None:
    ss = np.random.SeedSequence(SEED).spawn(5)
    a = bs.bernoulli(np.full(N_STREAMS, 0.6), L, seed=ss[0])
    b = bs.bernoulli(np.full(N_STREAMS, 0.75), L, seed=ss[1])
    xm = bs.bernoulli(np.full((N_STREAMS, M), 0.55), L, seed=ss[2])
    xb = bs.bernoulli(np.full((N_STREAMS, DEG), 0.4), L, seed=ss[3])
    zb = bs.bernoulli(np.full((N_STREAMS, DEG + 1), 0.5), L, seed=ss[4])
    ua, ub = bs.unpack(a, L).astype(bool), bs.unpack(b, L).astype(bool)
    uxm, uxb, uzb = (bs.unpack(v, L).astype(bool) for v in (xm, xb, zb))

    rows: list[tuple[str, Callable[[], Any], Callable[[], Any], Callable[[], np.ndarray]]] = [
        (f"stanh K={K}", lambda: bs.stanh(a, L, K), lambda: np_counter_fsm(ua, "stanh"),
         lambda: bs.unpack(bs.stanh(a, L, K), L)),
        (f"sexp K={K} G=2", lambda: bs.sexp(a, L, K, 2), lambda: np_counter_fsm(ua, "sexp"),
         lambda: bs.unpack(bs.sexp(a, L, K, 2), L)),
        (f"fsm_abs K={K}", lambda: bs.fsm_abs(a, L, K), lambda: np_counter_fsm(ua, "abs"),
         lambda: bs.unpack(bs.fsm_abs(a, L, K), L)),
        ("sc_sqrt", lambda: bs.sc_sqrt(a, L), lambda: np_sqrt(ua), lambda: bs.unpack(bs.sc_sqrt(a, L), L)),
        ("cordiv", lambda: bs.cordiv(a, b, L), lambda: np_cordiv(ua, ub),
         lambda: bs.unpack(bs.cordiv(a, b, L), L)),
        ("jk_divide", lambda: bs.jk_divide(a, b, L), lambda: np_jk(ua, ub),
         lambda: bs.unpack(bs.jk_divide(a, b, L), L)),
        (f"apc_btanh M={M} K={2 * M}", lambda: bs.apc_btanh(xm, L, 2 * M), lambda: np_btanh(uxm, 2 * M),
         lambda: bs.unpack(bs.apc_btanh(xm, L, 2 * M), L)),
        (f"bernstein N={DEG}", lambda: bs.bernstein(xb, zb, L), lambda: np_bernstein(uxb, uzb),
         lambda: bs.unpack(bs.bernstein(xb, zb, L), L)),
    ]
    baselines: dict[str, np.ndarray] = {}
    bits = N_STREAMS * L
    (t_andpc,) = paired_best([lambda: bs.and_popcount(a, b)])
    print(f"{N_STREAMS} streams x {L} cycles = {bits} stream-cycles per call; single thread\n")
    print(f"{'unit':24s} {'packed Gbit/s':>14s} {'numpy loop Gbit/s':>18s} {'speed-up':>9s}  check")
    print(f"{'and_popcount (ref.)':24s} {bits / t_andpc / 1e9:14.2f}")
    for name, packed, loop, unpacked in rows:
        t_packed, t_loop = paired_best([packed, loop], repeats=5)
        baselines[name] = loop()
        same = bool(np.array_equal(unpacked().astype(bool), baselines[name]))
        if name.startswith("bernstein"):
            check = f"{t_packed / t_andpc:.1f}x the time of and_popcount (target <= 2x)"
        else:
            check = f"{'meets' if bits / t_packed >= 1e9 else 'MISSES'} >= 1 Gbit/s"
        print(f"{name:24s} {bits / t_packed / 1e9:14.2f} {bits / t_loop / 1e9:18.4f} "
              f"{t_loop / t_packed:8.0f}x  {check}; identical bits: {same}")


if __name__ == "__main__":
    main()
