"""Tutorial 07 - encoding error versus stream length: Bernoulli, LFSR and Sobol streams.

What you will see
-----------------
The same 200 values p are encoded as streams of L = 16 .. 16384 bits by
different generators and decoded again (fraction of ones).  The RMS error
tells how many bits each generator needs for a given precision:

* ``bernoulli`` (independent random bits): binomial error sqrt(p(1-p)/L),
  slope -1/2 on log-log axes.
* ``lfsr``, a 16-bit register read for L << 2^16 cycles, each value with its
  own seed: a pseudo-random sequence, so again about 1/sqrt(L).
* ``lfsr`` with an n-bit register, L = 2^n and ``zero_state=True``: one full
  period visits every n-bit state exactly once, so the count of ones is
  exactly round(p 2^n) and the only error is rounding, <= 1/(2L): slope -1.
* ``sobol`` (dimension 0, van der Corput): low discrepancy, every aligned
  block of 2^m points covers [0, 1) evenly, error <= 1/L: slope -1.

Run:  python tutorials/07_error_vs_length.py
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from sc_neurocore import bitstream as bs


def figure_dir() -> Path | None:
    """Directory for figures, or None when matplotlib is not installed."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return None
    path = Path(os.environ.get("SC_NEUROCORE_FIGURES") or Path(__file__).resolve().parent / "figures")
    path.mkdir(parents=True, exist_ok=True)
    return path


def main() -> None:
    print("Tutorial 07: error vs stream length\n")
    gens = np.random.default_rng(2024).spawn(3)
    values = gens[0].random(200)  # the same values for every generator
    # one nonzero 16-bit start state per value, so the LFSR streams are different prefixes
    lfsr_seeds = gens[1].integers(1, 2**16, size=values.size)
    exponents = np.arange(4, 15)
    lengths = 2**exponents

    def rms(words: np.ndarray, length: int) -> float:
        return float(np.sqrt(np.mean((bs.decode(words, length) - values) ** 2)))

    curves: dict[str, list[float]] = {
        "bernoulli": [],
        "lfsr16 prefix": [],
        "lfsr full period": [],
        "sobol": [],
    }
    for n, length in zip(exponents, lengths, strict=True):
        L = int(length)
        curves["bernoulli"].append(rms(bs.bernoulli(values, L, seed=gens[2], stream_offset=0), L))
        curves["lfsr16 prefix"].append(rms(bs.lfsr(values, L, width=16, seed=lfsr_seeds), L))
        # widths start at 3, so the full-period curve needs L >= 8 (always true here)
        curves["lfsr full period"].append(
            rms(bs.lfsr(values, L, width=int(n), seed=1, zero_state=True), L)
        )
        curves["sobol"].append(rms(bs.sobol(values, L, dimension=0), L))

    names = list(curves)
    print("RMS error over the 200 values (lfsr16 prefix: 16-bit register, first L states;")
    print("lfsr full period: n-bit register with zero state, L = 2^n)")
    print(f"{'L':>6} " + " ".join(f"{name:>16}" for name in names) + f" {'1/sqrt(L)':>10} {'1/L':>9}")
    for k, length in enumerate(lengths):
        row = " ".join(f"{curves[name][k]:16.6f}" for name in names)
        print(f"{int(length):6d} {row} {1 / np.sqrt(length):10.5f} {1 / length:9.6f}")

    print("\nfitted slope of log(RMS error) vs log(L)  (-0.5: random-like, -1: low discrepancy)")
    for name in names:
        slope = np.polyfit(np.log(lengths), np.log(curves[name]), 1)[0]
        print(f"  {name:16s} {slope:+.2f}")
    theory = np.sqrt(np.mean(values * (1 - values)) / lengths)
    ratio = np.array(curves["bernoulli"]) / theory
    print(f"\nbernoulli RMS / sqrt(mean p(1-p) / L): {ratio.min():.2f} .. {ratio.max():.2f} (theory 1)")
    print("For 0.1% precision a Bernoulli stream needs ~ 0.25 / 0.001^2 = 250,000 bits;")
    print("a full-period LFSR or a Sobol stream needs ~1,000.  The price: those streams are")
    print("deterministic and strongly correlated with each other (tutorial 08), so operands of one")
    print("gate need different seeds, polynomials or Sobol dimensions.")

    out = figure_dir()
    if out is None:
        print("\n(matplotlib not installed: no figures)")
        return
    from matplotlib.figure import Figure

    fig = Figure(figsize=(7, 5), layout="constrained")
    ax = fig.subplots()
    for name, marker in zip(names, "osd^", strict=True):
        ax.loglog(lengths, curves[name], marker + "-", label=name)
    ax.loglog(lengths, 0.5 / np.sqrt(lengths), "k--", lw=1, label="0.5 / sqrt(L)")
    ax.loglog(lengths, 1.0 / lengths, "k:", lw=1, label="1 / L")
    ax.set(xlabel="stream length L (bits)", ylabel="RMS error of decoded value",
           title="encoding error vs length (200 values)")
    ax.legend(fontsize=8)
    fig.savefig(out / "07_error_vs_length.png", dpi=100)
    print(f"\nfigure written to {out}")


if __name__ == "__main__":
    main()
