"""Tutorial 07 - encoding error versus stream length: Bernoulli, LFSR and Sobol streams.

What you will see
-----------------
The same 200 values p are encoded as streams of L = 16 .. 16384 bits by
different generators and decoded again (fraction of ones).  The RMS error
tells how many bits each generator needs for a given precision:

* ``bernoulli`` (independent random bits): binomial error sqrt(p(1-p)/L),
  slope -1/2 on log-log axes.
* ``lfsr``, a 16-bit register read for L << 2^16 cycles, each value with its
  own seed: again slope -1/2, but about 1.4 times the Bernoulli error at
  every L (1.38 predicted for these 200 values).  A shift register's next state is its current state
  shifted by one place plus one new bit, s' = 2 s mod 2^16 + b, so the
  comparator bits [s < p 2^16] of consecutive cycles are correlated (like
  the doubling map x -> 2x mod 1).  The variance of the count grows by the
  factor F(p) = 1 + 2 sum_k rho_k(p) (F = 1 at p = 1/2, 1.67 at p = 1/4,
  2.42 at p = 1/10); averaged over uniform p, F p(1-p) is exactly twice
  p(1-p), hence sqrt(2).  The script computes F(p) for its 200 values and
  prints the measured RMS against this prediction.
* ``lfsr`` with an n-bit register, L = 2^n and ``zero_state=True``: one full
  period visits every n-bit state exactly once, so the count of ones is
  exactly round(p 2^n) and the only error is rounding, <= 1/(2L): slope -1.
* ``sobol`` (dimension 0, van der Corput): low discrepancy, every aligned
  block of 2^m points covers [0, 1) evenly, error <= 1/L: slope -1.

Run:  python tutorials/07_error_vs_length.py
Figures (with matplotlib installed) go to the current directory, or to --out DIR.
"""

# %%
import numpy as np
from _common import figure_dir, save_figure

from sc_neurocore import bitstream as bs


def lfsr_variance_factor(p: float, width: int = 16) -> float:
    """Variance inflation of an LFSR comparator stream over independent bits.

    Treating the register as x = s / 2^width, uniform, one step shifts x left
    by one bit: x_k = frac(2^k x) for k < width.  The lag-k correlation of the
    bits [x < p] follows from P(x < p and frac(2^k x) < p)
    = 2^-k sum_j clip(p 2^k - j, 0, p); lags >= width draw on fresh feedback
    bits and are taken as uncorrelated.
    """
    factor = 1.0
    for k in range(1, width):
        j = np.arange(2**k)
        joint = np.clip(p * 2**k - j, 0.0, p).sum() / 2**k
        factor += 2.0 * (joint - p * p) / (p * (1.0 - p))
    return factor

# %% [markdown]
# ## 200 values, four generators
#
# The same 200 random values p are encoded by four generators at each length L = 16 .. 16384
# and decoded again:
#
# * `bernoulli`: independent random bits;
# * `lfsr16 prefix`: the first L states of a 16-bit shift register, each value with its own
#   start state;
# * `lfsr full period`: an n-bit register with the zero state inserted, over exactly
#   L = 2^n cycles, so every state appears once;
# * `sobol`: dimension 0 of the Sobol sequence (van der Corput), a low-discrepancy sequence.

# %%
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

# %% [markdown]
# ## Error against length: two slopes
#
# Random-like streams have a binomial-like error, slope -1/2 on log-log axes; the full-period
# LFSR and Sobol streams cover [0, 1) evenly, so only rounding is left: error at most 1/L,
# slope -1.

# %%
names = list(curves)
print("RMS error over the 200 values (lfsr16 prefix: 16-bit register, first L states;")
print("lfsr full period: n-bit register with zero state, L = 2^n)")
# theory for the two random-like curves: sqrt(mean p(1-p) / L) and sqrt(mean F(p) p(1-p) / L)
var_b = float(np.mean(values * (1 - values)))
var_l = float(np.mean([lfsr_variance_factor(v) for v in values] * values * (1 - values)))
print(f"{'L':>6} " + " ".join(f"{name:>16}" for name in names) + f" {'1/L':>9}")
for k, length in enumerate(lengths):
    row = " ".join(f"{curves[name][k]:16.6f}" for name in names)
    print(f"{int(length):6d} {row} {1 / length:9.6f}")

print("\nfitted slope of log(RMS error) vs log(L)  (-0.5: random-like, -1: low discrepancy)")
for name in names:
    slope = np.polyfit(np.log(lengths), np.log(curves[name]), 1)[0]
    print(f"  {name:16s} {slope:+.2f}")

# %% [markdown]
# ## Why the LFSR prefix is 1.4 times worse than Bernoulli
#
# Its slope is -1/2 too, but its error is about 1.4 times larger at every L.  A shift
# register's next state is its current state shifted one place plus one new bit,
# s' = 2 s mod 2^16 + b, so the comparator bits [s < p 2^16] of consecutive cycles are
# correlated.  The variance of the count grows by F(p) = 1 + 2 sum_k rho_k(p)
# (`lfsr_variance_factor`: 1 at p = 1/2, 1.67 at 1/4, 2.42 at 1/10), and averaged over these
# 200 values the error ratio is sqrt(1.92) = 1.38.

# %%
ratio = np.array(curves["bernoulli"]) / np.sqrt(var_b / lengths)
print(f"\nbernoulli RMS / sqrt(mean p(1-p) / L): {ratio.min():.2f} .. {ratio.max():.2f} (theory 1)")
ratio = np.array(curves["lfsr16 prefix"]) / np.sqrt(var_l / lengths)
print(f"lfsr16 prefix RMS / sqrt(mean F(p) p(1-p) / L): {ratio[:-1].min():.2f} .. {ratio[:-1].max():.2f} "
      f"for L <= {lengths[-2]} (theory 1), {ratio[-1]:.2f} at L = {lengths[-1]}")
gain = var_l / var_b
print(f"predicted lfsr16 / bernoulli error ratio: sqrt({gain:.2f}) = {np.sqrt(gain):.2f}")
print("(each ratio is an RMS over 200 values, so it scatters by about 1/sqrt(2 x 200) = 5% around 1;")
print(" at L = 16384, a quarter of the 65535-cycle period, the prefix starts to visit the states")
print(" evenly, the effect that makes the full-period curve exact, and the error drops below theory)")
print("For 0.1% precision a Bernoulli stream needs ~ 0.25 / 0.001^2 = 250,000 bits;")
print("a full-period LFSR or a Sobol stream needs ~1,000.  The price: those streams are")
print("deterministic and strongly correlated with each other (tutorial 08), so operands of one")
print("gate need different seeds, polynomials or Sobol dimensions.")

# %% [markdown]
# ## The figure
#
# `07_error_vs_length.png`: the four RMS error curves against L, with the Bernoulli theory
# sqrt(mean p(1-p)/L), the LFSR-prefix theory sqrt(mean F(p) p(1-p)/L) and the bound 1/L.

# %%
out = figure_dir()
if out is None:
    print("\n(matplotlib not installed: no figures)")
else:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(7, 5), layout="constrained")
    ax = fig.subplots()
    for name, marker in zip(names, "osd^", strict=True):
        ax.loglog(lengths, curves[name], marker + "-", label=name)
    ax.loglog(lengths, np.sqrt(var_b / lengths), "k--", lw=1,
              label="theory, bernoulli: sqrt(mean p(1-p) / L)")
    ax.loglog(lengths, np.sqrt(var_l / lengths), "k-.", lw=1,
              label="theory, lfsr16 prefix: sqrt(mean F(p) p(1-p) / L)")
    ax.loglog(lengths, 1.0 / lengths, "k:", lw=1, label="bound 1 / L (sobol)")
    ax.set(xlabel="stream length L (bits)", ylabel="RMS error of decoded value (probability units)",
           title="encoding error vs length (200 values)")
    ax.legend(fontsize=8)
    save_figure(fig, out / "07_error_vs_length.png")
    print(f"\nfigure written to {out}")

# %% [markdown]
# ## Try this
#
# Predict first, then change the code and run the cells again.
#
# * Encode p = 0.5 for every value (`values = np.full(200, 0.5)`).  Prediction: F(1/2) = 1, so
#   the predicted LFSR-prefix / Bernoulli ratio becomes sqrt(1.00) = 1.00: at p = 1/2 the shift
#   structure costs nothing.
# * Draw the values from [0, 0.1] instead of [0, 1].  Prediction: F is large for small p, and
#   the predicted ratio grows to about 1.6.
# * Use Sobol dimension 1 instead of 0.  Prediction: still slope -1 (every one-dimensional
#   projection of a Sobol sequence is evenly stratified); -1.00 in our run.
