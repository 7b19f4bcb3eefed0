"""Simulated cycles per second of the gate-level models, next to the fast kernels.

Measured in one run, single thread:

* **LFSR SNG** (16-bit Fibonacci LFSR + comparator): the cycle-by-cycle model
  through the clocking protocol (``SNG.run``: eval/clock per cycle), its
  vectorised form (``SNG.bits``: the same next-state function without the
  per-cycle port dictionaries), and the core encoder ``bitstream.lfsr``
  (numba kernel, packed output).  All three are checked bit-equal first.
* **16-input dense-layer datapath** (4 neurons, count accumulation,
  16-bit LFSRs, Q(16, 8) LIF): ``hw_models.DenseLayer.run`` against
  ``sc_neurocore.FixedPointDenseLayer.run`` (numba kernel) on the same
  seeds, checked spike-for-spike first.

The numba compile (or cache load) is paid by a warm-up call and reported
separately.  Run: ``python benchmarks/bench_hw_models.py [--cycles N]``
"""

from __future__ import annotations

import os

os.environ.setdefault("NUMBA_NUM_THREADS", "1")

import argparse  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402


def best_time(fn, repeats: int) -> float:  # type: ignore[no-untyped-def]
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cycles", type=int, default=20000, help="cycles for the cycle-by-cycle models")
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()

    from hw_models import SNG, DenseLayer, FibonacciLFSR, assert_bit_exact, threshold_of
    from sc_neurocore import bitstream as bs
    from sc_neurocore._fixed_point import FixedPointDenseLayer, QFormat

    n = args.cycles
    width, seed, p = 16, 0xACE1, 0.3

    # compile / cache-load cost, paid once
    t0 = time.perf_counter()
    bs.lfsr(p, 64, width, seed)
    small = FixedPointDenseLayer(1, [0.5], [[0.5]], seed=0)
    small.run(4)
    print(f"numba compile / cache load (warm-up calls): {time.perf_counter() - t0:.3f} s")

    # --- LFSR SNG -------------------------------------------------------------
    sng = SNG(FibonacciLFSR(width, seed), threshold_of(p, width))
    big = 1 << 22
    ref = bs.unpack(bs.lfsr(p, n, width, seed), n)
    assert_bit_exact(sng.run(n)["stream"], ref, "SNG.run vs bitstream.lfsr")
    sng.reset()
    assert_bit_exact(sng.bits(n), ref, "SNG.bits vs bitstream.lfsr")

    def model_run() -> None:
        sng.reset()
        sng.run(n)

    t_run = best_time(model_run, args.repeats)
    t_bits = best_time(lambda: sng.bits(n), args.repeats)
    t_core = best_time(lambda: bs.lfsr(p, big, width, seed), args.repeats)
    r_run, r_bits, r_core = n / t_run, n / t_bits, big / t_core
    print(f"\nLFSR SNG, {width}-bit (bit-exact checked over {n} cycles)")
    print(f"  model, cycle by cycle (SNG.run)      {r_run:14,.0f} cycles/s")
    print(f"  model, vectorised (SNG.bits)         {r_bits:14,.0f} cycles/s   ({r_bits / r_run:.1f}x run)")
    print(f"  core kernel (bitstream.lfsr, packed) {r_core:14,.0f} cycles/s   ({r_core / r_run:,.0f}x run)")

    # --- 16-input dense layer --------------------------------------------------
    rng = np.random.default_rng(1)
    n_in, n_out = 16, 4
    layer = FixedPointDenseLayer(n_out, rng.random(n_in) * 0.5, rng.random((n_out, n_in)) * 0.5, "count",
                                 gain=0.0625, lfsr_width=width, seed=2, qformat=QFormat(16, 8),
                                 v_threshold=1.0, leak_shift=4, refractory_period=2)
    hw = DenseLayer.from_fixed_point(layer)
    n_dense = max(n // 10, 100)
    out = hw.run(n_dense)
    spikes = layer.run(n_dense)
    assert_bit_exact(out["spike"], (spikes.astype(np.int64) << np.arange(n_out)).sum(axis=1), "dense spikes")

    def hw_run() -> None:
        hw.reset()
        hw.run(n_dense)

    big_dense = 200_000

    def core_run() -> None:
        layer.reset()
        layer.run(big_dense)

    t_hw = best_time(hw_run, args.repeats)
    t_fast = best_time(core_run, args.repeats)
    r_hw, r_fast = n_dense / t_hw, big_dense / t_fast
    print(f"\nDense layer datapath, {n_in} inputs x {n_out} neurons, count accumulation "
          f"({n_in * (n_out + 1)} LFSR SNGs; spikes checked over {n_dense} cycles; "
          f"{spikes.sum()} spikes)")
    print(f"  model, cycle by cycle (DenseLayer.run)   {r_hw:12,.0f} cycles/s")
    print(f"  core kernel (FixedPointDenseLayer.run)   {r_fast:12,.0f} cycles/s   "
          f"({r_fast / r_hw:,.0f}x model)")


if __name__ == "__main__":
    main()
