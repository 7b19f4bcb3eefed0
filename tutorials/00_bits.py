# %% [markdown]
# # Lesson 00 - Bits: a number as a stream of coin flips
#
# Stochastic computing stores a number p in [0, 1] as a stream of bits that
# are 1 with probability p, one bit per clock cycle.  Reading the number back
# means counting ones.  This lesson looks at the bits themselves:
#
# * two short streams (L = 16 and L = 64 bits) printed as rows of 0 and 1;
# * an AND gate applied bit by bit, whose output stream encodes p q;
# * the running estimate p_hat(t) = (ones in the first t bits) / t, which
#   wanders inside a band of one standard error sqrt(p (1 - p) / t) about
#   two times in three.
#
# Run: `python tutorials/00_bits.py [--out DIR]` (figures into the current
# directory, or DIR).

# %%
from math import comb

import numpy as np
from _common import figure_dir, save_figure

from sc_neurocore import bitstream as bs

P, Q = 0.75, 0.5  # the two numbers we encode
children = np.random.default_rng(2026).spawn(3)  # independent generators: a, b, the many streams of §3

# %% [markdown]
# ## 1. Sixteen bits
#
# `bs.bernoulli(p, L, seed)` draws L independent bits, each 1 with
# probability p.  They are stored packed, 64 per `uint64` word;
# `bs.unpack` turns them into one 0/1 byte per bit so we can print them.
# The decoded value is the fraction of ones.  With only 16 bits it can only
# be a multiple of 1/16, and it scatters around p by one binomial standard
# error sqrt(p (1 - p) / L) = 0.108 for p = 0.75.

# %%
streams = {}
for L in (16, 64):
    a = bs.bernoulli(P, L, seed=children[0])
    b = bs.bernoulli(Q, L, seed=children[1])
    streams[L] = (bs.unpack(a, L), bs.unpack(b, L), bs.unpack(bs.and_(a, b), L))

bits_a, bits_b, bits_ab = streams[16]
print(f"a (p = {P}): " + "".join(map(str, bits_a)) + f"   {bits_a.sum():2d} ones -> {bits_a.mean():.4f}")
se16 = bs.binomial_standard_error(P, 16)
print(f"one standard error at L = 16: sqrt({P} x {1 - P} / 16) = {se16:.3f}; "
      f"this stream is {(bits_a.mean() - P) / se16:+.2f} SE from {P}")

# %% [markdown]
# ## 2. An AND gate, bit by bit
#
# If a and b are independent, the AND of bit t is 1 with probability
# P(a_t = 1) P(b_t = 1) = p q.  So one gate multiplies: the output stream
# encodes p q = 0.375.  The packed `bs.and_` does 64 of these ANDs per
# machine instruction; below we check it against the AND of the printed bits.

# %%
for L, (ua, ub, uab) in streams.items():
    assert np.array_equal(uab, ua & ub)  # the packed gate is the bitwise AND
    print(f"\nL = {L}")
    print("  a        " + "".join(map(str, ua)) + f"  {ua.mean():.4f}  (p = {P})")
    print("  b        " + "".join(map(str, ub)) + f"  {ub.mean():.4f}  (q = {Q})")
    print("  a AND b  " + "".join(map(str, uab)) + f"  {uab.mean():.4f}  (p q = {P * Q})")
    se = bs.binomial_standard_error(P * Q, L)
    print(f"  product estimate {uab.mean():.4f} is {(uab.mean() - P * Q) / se:+.2f} standard errors "
          f"(SE = {se:.3f}) from p q")

# %% [markdown]
# ## 3. The running estimate and its standard-error band
#
# Reading a stream one bit at a time gives an estimate after every cycle:
# p_hat(t) = (ones in bits 0 .. t-1) / t.  `bs.progressive_precision`
# computes it for the prefix lengths we ask for.  The count of ones in t
# independent bits is binomial(t, p), so p_hat(t) has standard error
# SE(t) = sqrt(p (1 - p) / t): the band narrows like 1 / sqrt(t), four times
# the bits for half the error.
#
# How often is p_hat(t) inside p +- SE(t)?  Exactly
# P(|K - t p| <= t SE(t)) for K ~ binomial(t, p), which we compute from
# the binomial distribution; near 68 % for large t (the normal limit), and
# it jumps around for small t because K takes few values.  We measure the
# fraction over 4000 independent streams and print both.

# %%
L_RUN = 1024
t = np.arange(1, L_RUN + 1)
many = bs.bernoulli(np.full(4000, P), L_RUN, seed=children[2])
run = bs.progressive_precision(many, L_RUN, target=P, lengths=t)
se_t = bs.binomial_standard_error(P, t)


def binomial_inside(n: int, p: float, half_width: float) -> float:
    """Exact P(|K - n p| <= half_width) for K ~ binomial(n, p)."""
    return sum(comb(n, k) * p**k * (1 - p) ** (n - k) for k in range(n + 1) if abs(k - n * p) <= half_width)


print(f"\nfraction of 4000 streams with |p_hat(t) - {P}| <= SE(t):")
print(f"{'t':>6} {'SE(t)':>8} {'measured':>9} {'exact binomial':>15}")
for tt in (4, 16, 64, 256, 1024):
    inside = float(np.mean(run.errors[:, tt - 1] <= se_t[tt - 1] * (1 + 1e-12)))
    exact = binomial_inside(tt, P, tt * se_t[tt - 1] * (1 + 1e-12))
    print(f"{tt:6d} {se_t[tt - 1]:8.4f} {inside:9.3f} {exact:15.3f}")
    # Hoeffding: P(|measured - exact| > 0.04) <= 2 exp(-2 x 4000 x 0.04^2) = 5.5e-6 per row
    assert abs(inside - exact) <= 0.04
rms = np.sqrt(np.mean(run.errors**2, axis=0))
print(f"RMS error over the streams at t = {L_RUN}: {rms[-1]:.4f}, theory SE = {se_t[-1]:.4f}")

# %%
out = figure_dir()
if out is None:
    print("\n(matplotlib not installed: no figures)")
else:
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    fig = Figure(figsize=(9, 4.2), layout="constrained")
    axes = fig.subplots(2, 1, height_ratios=[1, 1])
    for ax, (L, rows) in zip(axes, streams.items(), strict=True):
        ax.imshow(np.vstack(rows), cmap="Greys", vmin=0, vmax=1, aspect="auto", interpolation="nearest",
                  extent=(-0.5, L - 0.5, 2.5, -0.5))
        ax.set_yticks([0, 1, 2], [f"a (p={P})", f"b (q={Q})", "a AND b"])
        ax.set(xlabel="clock cycle t", title=f"L = {L} bits: ones in a AND b = {rows[2].sum()} "
               f"(expected p q L = {P * Q * L:g})")
        ax.grid(False)
    keys = [Patch(color="k", label="bit 1"), Patch(facecolor="w", edgecolor="k", label="bit 0")]
    axes[0].legend(handles=keys, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    save_figure(fig, out / "00_bits_and.png")

    fig = Figure(figsize=(7, 4.2), layout="constrained")
    ax = fig.subplots()
    ax.fill_between(t, P - 2 * se_t, P + 2 * se_t, color="C0", alpha=0.12, label="p +- 2 SE(t)")
    ax.fill_between(t, P - se_t, P + se_t, color="C0", alpha=0.25, label="p +- SE(t), SE = sqrt(p(1-p)/t)")
    for k in range(3):
        ax.plot(t, run.estimates[k], lw=1, label=f"p_hat(t), stream {k + 1}")
    ax.axhline(P, color="k", lw=1, label=f"p = {P}")
    ax.set_xscale("log")
    ax.set(xlabel="bits read t (clock cycles)", ylabel="running estimate p_hat(t) (probability)",
           ylim=(0.25, 1.05), title=f"running estimate of three streams (p = {P}) inside the band p +- SE(t)")
    ax.legend(loc="lower right")
    save_figure(fig, out / "00_running_estimate.png")
    print(f"\nfigures written to {out}")

# %% [markdown]
# ## Try this
#
# 1. **Predict, then run:** set `P = 0.5`.  Does the L = 16 stream get
#    closer to its value or farther, on average?  (Farther: the standard
#    error sqrt(p (1 - p) / L) is largest at p = 1/2, 0.125 for 16 bits
#    against 0.108 at p = 0.75; the printed "SE(t)" column grows too.)
# 2. **Predict, then run:** give a and b the same integer seed (in the
#    loop of §1-2, `a = bs.bernoulli(P, L, seed=7)` and
#    `b = bs.bernoulli(Q, L, seed=7)`).  What does a AND b encode now?
#    (min(p, q) = 0.5, not p q: both streams compare the same random
#    numbers with different thresholds, so every 1 of b is also a 1 of a
#    and a AND b = b.  Lesson 08 measures this correlation.)
# 3. **Predict, then run:** what fraction of the streams stays inside
#    p +- 2 SE(t) at t = 1024?  Change the check in §3 to `2 * se_t`.
#    (About 95 %, again given exactly by the binomial distribution.)
