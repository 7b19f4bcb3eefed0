# %% [markdown]
# # Lesson 17 - Choosing a generator: period, polynomial, seed and autocorrelation
#
# Every stream comes from a source of random-looking numbers compared with
# a threshold.  Lesson 07 measured that the three sources of this package
# give different errors: independent Bernoulli bits sqrt(p(1-p)/L), Sobol
# points about 1/L, and prefixes of a 16-bit LFSR about 1.4 times the
# Bernoulli error.  This lesson looks at the generators themselves:
#
# * **period**: an n-bit LFSR repeats after at most 2^n - 1 clocks, and only
#   with a *maximal* tap set (a primitive feedback polynomial);
# * **polynomials**: how many maximal tap sets exist, checked against the
#   number of primitive polynomials, phi(2^n - 1) / n;
# * **seeds**: with maximal taps a seed only picks where on the one cycle
#   the register starts; two seeds k clocks apart give streams whose SCC is
#   the lag-k autocorrelation;
# * **autocorrelation** of the bit streams of the three generators, and the
#   formula that predicts the LFSR's, which explains its larger error.
#
# Run: `python tutorials/17_choosing_generators.py [--out DIR]`.

# %%
from itertools import combinations

import numpy as np
from _common import figure_dir, save_figure

from sc_neurocore import bitstream as bs

P = 0.3  # the value every stream of this lesson encodes
WIDTH = 16
PERIOD = 2**WIDTH - 1


def euler_phi(m: int) -> int:
    """Euler's totient: how many of 1..m are coprime to m."""
    result, rest, f = m, m, 2
    while f * f <= rest:
        if rest % f == 0:
            while rest % f == 0:
                rest //= f
            result -= result // f
        f += 1
    return result - result // rest if rest > 1 else result


# %% [markdown]
# ## 1. Period
#
# The register holds n bits and never reaches the all-zero state (it would
# stay there), so it cycles through at most 2^n - 1 states.  `bs.lfsr_period`
# runs the register until it returns to its seed.  A maximal tap set visits
# all 2^n - 1 nonzero states from any seed; other tap sets split the states
# into shorter cycles, so a stream from them repeats early and its count of
# ones depends on the seed.  Zero-state insertion (`zero_state=True`) adds
# the missing state: period 2^n.

# %%
for n in (4, 8, 12, 16):
    period = bs.lfsr_period(n)
    assert period == 2**n - 1 and bs.lfsr_period(n, zero_state=True) == 2**n
    print(f"width {n:2d}: default taps, period {period} = 2^{n} - 1 (zero-state insertion: {2**n})")
bad_taps = (6, 3)
periods = sorted({bs.lfsr_period(6, bad_taps, seed=s) for s in range(1, 64)})
print(f"width 6, taps {bad_taps}: maximal? {bs.is_maximal_taps(6, bad_taps)}; periods over all 63 seeds: "
      f"{periods} (the 63 states fall into cycles this long)")

# %% [markdown]
# ## 2. Polynomials: how many maximal tap sets are there?
#
# A tap set (n, t2, ...) is the feedback polynomial x^n + x^t2 + ... + 1.
# It gives period 2^n - 1 exactly when the polynomial is *primitive*, and
# there are phi(2^n - 1) / n primitive polynomials of degree n (phi is
# Euler's totient).  We test every tap set that contains n with
# `bs.is_maximal_taps` and count.  The mirror image of a maximal set
# (t -> n - t, the reciprocal polynomial) is maximal too.

# %%
print(f"\n{'n':>3} {'tap sets tried':>15} {'maximal':>8} {'phi(2^n-1)/n':>13}")
for n in range(3, 11):
    sets = [(n, *rest) for k in range(n) for rest in combinations(range(n - 1, 0, -1), k)]
    n_max = sum(bs.is_maximal_taps(n, taps) for taps in sets)
    n_primitive = euler_phi(2**n - 1) // n
    print(f"{n:3d} {len(sets):15d} {n_max:8d} {n_primitive:13d}")
    assert n_max == n_primitive
    for taps in sets:
        if bs.is_maximal_taps(n, taps):  # the mirror of every maximal set is maximal
            assert bs.is_maximal_taps(n, (n, *(n - t for t in taps[1:])))

# %% [markdown]
# ## 3. Seeds are phases, and near phases are correlated
#
# With maximal taps all seeds lie on one cycle, so a seed only chooses the
# starting point.  The next state of a shift-left register is
# s' = 2 s mod 2^n + (new bit): the register is the previous state shifted
# by one place.  Treat x = s / 2^n as uniform in [0, 1); then k clocks later
# the top bits are those of frac(2^k x), and
#
# P(x < p and frac(2^k x) < p) = 2^-k sum_j clip(p 2^k - j, 0, p),
#
# for k < n (later lags draw on fresh feedback bits).  The lag-k
# autocorrelation of the comparator bits is
# rho_k = (that joint probability - p^2) / (p (1 - p)).
#
# A second stream seeded k clocks further along is the first one shifted by
# k cycles.  Fed into an AND gate with the first, its SCC (lesson 08) is the
# same number rho_k: seeds a few clocks apart are a correlation trap.

# %%


def rho_lfsr(p: float, k: int, width: int = WIDTH) -> float:
    """Lag-k autocorrelation of LFSR comparator bits (doubling-map model, zero for k >= width)."""
    if k >= width:
        return 0.0
    j = np.arange(2**k)
    joint = np.clip(p * 2**k - j, 0.0, p).sum() / 2**k
    return float((joint - p * p) / (p * (1 - p)))


states = bs.lfsr_states(PERIOD + 1, WIDTH, seed=1)
a = bs.lfsr(P, PERIOD, WIDTH, seed=1)
print(f"\nSCC of the stream from seed 1 with the stream from the state k clocks later "
      f"(one full period, p = {P}):")
print(f"{'k':>6} {'seed':>7} {'SCC':>8} {'rho_k theory':>13}")
for k in (1, 2, 3, 5, 10, 20, 32768):
    b = bs.lfsr(P, PERIOD, WIDTH, seed=int(states[k]))
    c = bs.scc(a, b, PERIOD)
    lag = min(k, PERIOD - k)  # over a full period a shift of k clocks ahead is one of PERIOD - k back
    print(f"{k:6d} {int(states[k]):7d} {c:8.4f} {rho_lfsr(P, lag):13.4f}")
    assert abs(c - rho_lfsr(P, lag)) < 0.01  # deterministic; the model is within ~3e-3 here

# %% [markdown]
# ## 4. Autocorrelation of the three generators
#
# The same lag-k autocorrelation, measured on one stream of 65535 bits from
# each generator:
#
# * **Bernoulli**: independent bits, rho_k = 0 up to the sampling noise
#   (standard deviation about 1/sqrt(L) = 0.004);
# * **LFSR**: positive at short lags, as the formula above predicts, and
#   near zero from lag 16 on;
# * **Sobol** (dimension 1): far from zero at every lag, with alternating
#   sign.  Consecutive Sobol points are spread out on purpose; at p = 0.3
#   this stream never has two ones in a row.  This negative correlation is
#   what makes its count nearly exact.

# %%
K = 24
lags = np.arange(1, K + 1)


def autocorr(bits: np.ndarray, max_lag: int) -> np.ndarray:
    x = bits.astype(np.float64) - bits.mean()
    return np.array([np.mean(x[:-k] * x[k:]) for k in range(1, max_lag + 1)]) / x.var()


bits = {
    "LFSR (16-bit)": bs.unpack(a, PERIOD),
    "Bernoulli": bs.unpack(bs.bernoulli(P, PERIOD, seed=17), PERIOD),
    "Sobol (dimension 1)": bs.unpack(bs.sobol(P, PERIOD, dimension=1), PERIOD),
}
acf = {name: autocorr(b, K) for name, b in bits.items()}
theory = np.array([rho_lfsr(P, int(k)) for k in lags])
print(f"\nlag-k autocorrelation at p = {P}, L = {PERIOD}:")
print(f"{'k':>3} " + " ".join(f"{name:>20}" for name in acf) + f" {'LFSR theory':>12}")
for i in range(8):
    print(f"{lags[i]:3d} " + " ".join(f"{v[i]:20.4f}" for v in acf.values()) + f" {theory[i]:12.4f}")
print(f"largest |Bernoulli rho_k| over {K} lags: {np.abs(acf['Bernoulli']).max():.4f} "
      f"(4/sqrt(L) = {4 / np.sqrt(PERIOD):.4f})")
assert np.abs(acf["Bernoulli"]).max() < 4 / np.sqrt(PERIOD)  # normal approx.: each lag 6e-5, all 24 < 2e-3
assert np.abs(acf["LFSR (16-bit)"] - theory).max() < 0.01
sob = bits["Sobol (dimension 1)"]
print(f"Sobol: pairs of consecutive ones = {int(np.sum(sob[:-1] & sob[1:]))} "
      f"(independent bits would give about p^2 L = {P * P * PERIOD:.0f})")

# %% [markdown]
# ## 5. Why an LFSR prefix has a larger error
#
# The count of ones in L bits has variance
# L p (1 - p) [1 + 2 sum_k (1 - k/L) rho_k].  For independent bits the
# bracket is 1.  For the LFSR, with L much shorter than the period, it is
# about F = 1 + 2 sum_k rho_k (the short lags), so the error is sqrt(F)
# times the Bernoulli error.  For longer prefixes the small negative
# correlations at long lags start to count: over a whole period they cancel
# everything (the count of a full period is exact).  Using the measured
# autocorrelation at *all* lags of the full period (by FFT), the bracket is
# the exact variance over all 65535 starting points.
#
# We compare both predictions with the RMS error of 2000 prefixes from
# random seeds, divided by the RMS error of 2000 Bernoulli streams.

# %%
F = 1 + 2 * theory.sum()
x = bits["LFSR (16-bit)"].astype(np.float64)
x -= x.mean()
circ = np.fft.irfft(np.abs(np.fft.rfft(x)) ** 2, n=PERIOD)  # circular autocovariance, all lags
rho_all = circ / circ[0]


def exact_ratio(L: int) -> float:
    """sqrt of the variance bracket 1 + 2 sum_k (1 - k/L) rho_k over all lags of the full period."""
    k = np.arange(1, L)
    return float(np.sqrt(1 + 2 * np.sum((1 - k / L) * rho_all[1:L])))


gens = np.random.default_rng(1717).spawn(2)
seeds = gens[0].integers(1, PERIOD + 1, 2000)
lengths = np.array([64, 256, 1024, 4096, 16384])
ratio_meas, ratio_exact = [], []
print(f"\nLFSR prefix error / Bernoulli error, p = {P}; short-lag prediction sqrt(F) = {np.sqrt(F):.3f}")
print(f"{'L':>6} {'measured':>9} {'exact (all lags)':>17}")
for L in lengths:
    exact = exact_ratio(int(L))
    e_l = bs.decode(bs.lfsr(np.full(seeds.size, P), int(L), WIDTH, seed=seeds), int(L)) - P
    e_b = bs.decode(bs.bernoulli(np.full(seeds.size, P), int(L), seed=gens[1]), int(L)) - P
    meas = float(np.sqrt(np.mean(e_l**2) / np.mean(e_b**2)))
    ratio_meas.append(meas)
    ratio_exact.append(exact)
    print(f"{int(L):6d} {meas:9.3f} {exact:17.3f}")
    # each RMS over 2000 near-normal errors has relative SD 1/sqrt(4000) = 1.6 %, the ratio 2.2 %;
    # a 10 % tolerance is 4.5 SD (normal approximation: false failure about 1e-5 per row)
    assert abs(meas / exact - 1) < 0.10

# %% [markdown]
# The run prints sqrt(F) = 1.49 at p = 0.3 and an exact ratio of 1.48 at
# L = 64, 1.42 at L = 1024 and 1.11 at L = 16384 (a quarter of the period);
# the measured ratios agree with it within a few percent.  Lesson 07's
# "about 1.4x" is this effect averaged over p.  To use an LFSR well, read
# whole periods (the count is then exact), or use Sobol streams when the
# prefix must already be precise.

# %%
out = figure_dir()
if out is None:
    print("\n(matplotlib not installed: no figures)")
else:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(11, 4.2), layout="constrained")
    ax1, ax2 = fig.subplots(1, 2)
    for (name, r), marker in zip(acf.items(), "osd", strict=True):
        ax1.plot(lags, r, marker + "-", lw=1, label=name)
    ax1.plot(lags, theory, "k--", lw=1, label="LFSR theory (doubling map)")
    band = 2 / np.sqrt(PERIOD)
    ax1.axhspan(-band, band, color="C1", alpha=0.2, label="Bernoulli: +- 2 / sqrt(L)")
    ax1.set(xlabel="lag k (clock cycles)", ylabel="autocorrelation rho_k (dimensionless)", ylim=(-0.5, 1.0),
            title=f"bit autocorrelation of three generators, p = {P}")
    ax1.legend(loc="upper right", ncols=2)

    ax2.semilogx(lengths, ratio_meas, "o", label="measured, 2000 random seeds")
    dense = np.unique(np.geomspace(lengths[0], lengths[-1], 60).astype(int))
    ax2.semilogx(dense, [exact_ratio(int(L)) for L in dense], "k-", lw=1,
                 label="exact: all lags of the full period")
    ax2.axhline(np.sqrt(F), color="k", ls="--", lw=1, label="short lags only: sqrt(F)")
    ax2.axhline(1.0, color="C1", lw=1, label="Bernoulli (= 1)")
    ax2.set(xlabel="prefix length L (bits)", ylabel="RMS error ratio LFSR / Bernoulli (dimensionless)",
            ylim=(0.9, 1.7), title="why a 16-bit LFSR prefix is less precise")
    ax2.legend(loc="lower left")
    save_figure(fig, out / "17_generators.png")
    print(f"\nfigure written to {out}")

# %% [markdown]
# ## Try this
#
# 1. **Predict, then run:** set `P = 0.5`.  What happens to the LFSR's
#    autocorrelation and to its error ratio?  (At p = 1/2 the comparator
#    reads only the top bit, and the top bits of consecutive states are
#    independent: rho_k = 0 for every k in the formula, F = 1, and the LFSR
#    prefix is as precise as Bernoulli.)
# 2. **Predict, then run:** in §3, which k gives the largest SCC?  Try
#    k = 65534, one clock *before* seed 1.  (SCC = rho_1 = 0.286 again: over
#    a full period, a stream one clock behind is the same pair of streams as
#    one clock ahead.)
# 3. **Predict, then run:** in §1, try the taps `(6, 1)` and `(6, 4)`.  One
#    is the mirror of the default `(6, 5)`; which periods do you expect?
#    (`(6, 1)` is the mirror: period 63 from every seed.  `(6, 4)` is not
#    maximal: `bs.is_maximal_taps` says False and the periods are shorter.)
