"""Tutorial 08 - correlation: what it does to an AND gate, and how SCC measures it.

What you will see
-----------------
An AND gate multiplies only if its two input streams are independent.  If
their ones tend to coincide, the output density rises towards min(p, q); if
they avoid each other it falls towards max(p + q - 1, 0).  The stochastic
cross-correlation (SCC, Alaghi & Hayes) measures this on a -1 .. +1 scale:

    delta = P(a AND b) - p q
    SCC   = delta / (min(p, q) - p q)          if delta > 0
          = delta / (p q - max(p + q - 1, 0))  otherwise

so, given SCC, P(a AND b) = p q + SCC (min(p, q) - p q) for SCC >= 0.
Shared random sources are the classic silent SC bug: the numbers look fine
and the product is simply wrong.

With p = 0.8 and q = 0.3 the AND output runs from 0.10 (SCC = -1) through
p q = 0.24 (SCC = 0) to 0.30 (SCC = +1), with a kink at SCC = 0 because the
two branches have slopes 0.14 and 0.06.  The run prints, for seven ways of
making the two streams, the SCC, the AND output, the product of the measured
densities and the gap in binomial standard errors: the independent pairs
(and a Bernoulli stream against its own source delayed by one cycle) sit
within half an SE of p^ q^; the shared-source pairs sit 36 to 84 SEs away.
The SCC formula evaluated at the measured densities reproduces the AND
output exactly (gap 0), and within 0.0043 at the nominal p and q.

Run:  python tutorials/08_correlation.py
Figures (with matplotlib installed) go to the current directory, or to --out DIR.
"""

# %%
import numpy as np
from _common import figure_dir, save_figure

from sc_neurocore import bitstream as bs

# p and q chosen so that the two branches of the SCC formula have different slopes
# (0.06 and 0.14 per unit SCC): with p = 0.6, q = 0.5 both are 0.2 and the kink at 0 vanishes
P, Q, L = 0.8, 0.3, 2**16


def delayed(words: np.ndarray, length: int) -> np.ndarray:
    """The stream one clock later (a D flip-flop): bit t of the result is bit t-1 of the input, bit 0 is 0."""
    bits = bs.unpack(words, length)
    out = np.zeros_like(bits)
    out[..., 1:] = bits[..., :-1]
    return bs.pack(out)


def and_given_scc(scc: np.ndarray, p: np.ndarray | float, q: np.ndarray | float) -> np.ndarray:
    """P(a AND b) implied by the SCC definition, for stream densities p and q."""
    pq = np.multiply(p, q)
    pos = pq + scc * (np.minimum(p, q) - pq)
    neg = pq + scc * (pq - np.maximum(np.add(p, q) - 1.0, 0.0))
    return np.where(scc >= 0, pos, neg)

# %% [markdown]
# ## What an AND gate computes
#
# Independent streams give p q = 0.24.  If the ones of the two streams coincide as much as
# possible, the AND gives min(p, q) = 0.30; if they avoid each other, max(p + q - 1, 0) = 0.10.

# %%
print("Tutorial 08: correlation and the AND gate\n")
print(f"p = {P}, q = {Q}, L = {L}: independent streams give P(AND) = p q = {P * Q:.2f};")
print(f"fully overlapping ones give min(p, q) = {min(P, Q):.2f}; fully avoiding ones give "
      f"max(p + q - 1, 0) = {max(P + Q - 1, 0):.2f}\n")
g = np.random.default_rng(2024).spawn(6)
shared = g[0]  # consumed once: both streams below are keyed from this one draw
seed_int = int(shared.integers(0, 2**63))
seed_a = int(g[1].integers(0, 2**63))

# %% [markdown]
# ## Seven ways to make two streams
#
# For each pair we print the SCC, the AND output, the product of the two *measured* densities
# p^ q^ and the distance z between the two in binomial standard errors.  The same seed in two
# Bernoulli encoders, the same LFSR register and start state, or the same Sobol dimension give
# SCC = +1 and min(p, q): 36 standard errors from a product.  A one-cycle delay (a D flip-flop,
# the classic isolator) decorrelates a Bernoulli stream from its own source, because its bits are
# independent from cycle to cycle.

# %%
cases: list[tuple[str, np.ndarray, np.ndarray]] = []
a = bs.bernoulli(P, L, seed=seed_a)
cases.append(("bernoulli, independent seeds", a, bs.bernoulli(Q, L, seed=g[2])))
# same seed and stream index -> the same uniform numbers U_t; bits are U_t < p and U_t < q
cases.append(("bernoulli, same seed", bs.bernoulli(P, L, seed=seed_int),
              bs.bernoulli(Q, L, seed=seed_int)))
# NOT of (U_t < 1 - q) is (U_t >= 1 - q): ones at the other end of the same numbers
cases.append(("bernoulli, same seed, inverted", bs.bernoulli(P, L, seed=seed_int),
              bs.not_(bs.bernoulli(1 - Q, L, seed=seed_int), L)))
cases.append(("sobol, same dimension", bs.sobol(P, L, dimension=0), bs.sobol(Q, L, dimension=0)))
cases.append(("sobol, dimensions 0 and 1", bs.sobol(P, L, dimension=0), bs.sobol(Q, L, dimension=1)))
cases.append(("lfsr, same register and seed", bs.lfsr(P, L, width=16, seed=1),
              bs.lfsr(Q, L, width=16, seed=1)))
# b from a's own random numbers (SCC = +1 before the delay), then one cycle later
cases.append(("bernoulli, same seed, b delayed", a, delayed(bs.bernoulli(Q, L, seed=seed_a), L)))

print(f"{'streams':34s} {'SCC':>7} {'P(a AND b)':>11} {'p^ q^':>7} {'z':>6}  {'reading':s}")
for name, x, y in cases:
    s = bs.scc(x, y, L)
    v = bs.decode(bs.and_(x, y), L)
    # compare with the product of the *measured* densities, in binomial standard errors
    pq = bs.decode(x, L) * bs.decode(y, L)
    z = (v - pq) / bs.binomial_standard_error(pq, L)
    if abs(s) < 0.1:
        reading = "a product: |z| small"
    elif s > 0:
        reading = "~ min(p, q): NOT a product"
    else:
        reading = "~ max(p+q-1, 0): NOT a product"
    print(f"{name:34s} {s:+7.3f} {v:11.4f} {pq:7.4f} {z:+6.1f}  {reading}")
print("(p^ q^: product of the two measured densities; z: distance from it in binomial SEs)")
print("\n* The same seed in two Bernoulli encoders, or the same register and seed in two LFSR")
print("  comparators, or the same Sobol dimension: SCC = +1 and the 'product' is min(p, q).")
print("* A one-cycle delay (a D flip-flop, the classic isolator) decorrelates a Bernoulli stream")
print("  from its own source, because its bits are independent from cycle to cycle.  It does not")
print("  work for LFSR or Sobol streams, whose consecutive bits are strongly related.")

# %% [markdown]
# ## Setting any SCC, and the formula that predicts the AND output
#
# Take bit t of b from a shared-source stream with probability r, else from an independent one:
# SCC is then about r (or -r with the inverted stream).  Given the SCC and the two densities,
# the AND output follows from the definition, P(a AND b) = p q + SCC (min(p, q) - p q) for
# SCC >= 0 and p q + SCC (p q - max(p + q - 1, 0)) below 0.  At the measured densities this is
# exact (SCC is computed from the same counts); at the nominal p and q it is off by up to
# 0.0043, about one binomial SE of each density.  The two branches have slopes 0.06 and 0.14:
# a kink at SCC = 0.

# %%
# b_t = (shared-source stream)_t with probability r, else (independent stream)_t.  The select
# stream is independent of both, so E[SCC] ~ r (and -r with the inverted stream).
rs = np.linspace(0.0, 1.0, 11)
a2 = bs.bernoulli(P, L, seed=seed_int)
pos_b = bs.bernoulli(Q, L, seed=seed_int)
neg_b = bs.not_(bs.bernoulli(1 - Q, L, seed=seed_int), L)
ind_b = bs.bernoulli(Q, L, seed=g[3])
sel = bs.bernoulli(rs, L, seed=g[4])
mixed = np.concatenate([bs.mux(ind_b, neg_b, sel)[::-1], bs.mux(ind_b, pos_b, sel)[1:]])
scc = np.asarray(bs.scc(a2, mixed, L))
prod = np.asarray(bs.decode(bs.and_(a2, mixed), L))
print("\nmixing correlated and independent streams:")
pa = float(bs.decode(a2, L))
pb = np.asarray(bs.decode(mixed, L))
predicted = and_given_scc(scc, pa, pb)
print(f"{'SCC':>7} {'P(AND)':>8} {'from SCC and the densities':>27} {'if p q were exact':>18}")
for k in range(0, scc.size, 4):
    nominal = float(and_given_scc(scc[k], P, Q))
    print(f"{scc[k]:+7.3f} {prod[k]:8.4f} {predicted[k]:27.4f} {nominal:18.4f}")
print("largest gap between measured P(AND) and the SCC formula at the measured densities: "
      f"{np.abs(prod - predicted).max():.1e}")
off = np.abs(prod - and_given_scc(scc, P, Q)).max()
print("(zero up to rounding: SCC is defined from those counts.  At the nominal p, q the formula is")
print(f" off by up to {off:.4f} here, because each measured density is off by about one binomial SE.)")
print("Given the measured densities, SCC pins the AND output down exactly: it is the right dial")
print("for 'how wrong is my product'.  Keep it near 0 for multiplication (and use SCC = +1 on")
print("purpose where a gate should compute min, or -1 where an OR should compute min(1, p + q)).")

# %% [markdown]
# ## The figure
#
# `08_and_vs_scc.png`: the AND output against SCC; the measured dots fall on the crosses of the
# formula at the measured densities and close to the kinked line at nominal p = 0.8, q = 0.3.

# %%
out = figure_dir()
if out is None:
    print("\n(matplotlib not installed: no figures)")
else:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6.5, 4.2), layout="constrained")
    ax = fig.subplots()
    grid = np.linspace(-1, 1, 201)
    ax.plot(grid, and_given_scc(grid, P, Q), color="C0", label=f"theory at nominal p = {P}, q = {Q}")
    ax.plot(scc, prod, "o", color="C1", label="measured AND output")
    ax.plot(scc, predicted, "x", color="k", label="theory at the measured densities")
    ax.axhline(P * Q, color="gray", ls=":", label="p q (independent)")
    ax.axvline(0.0, color="gray", lw=0.6)
    ax.set(xlabel="SCC(a, b) (dimensionless)", ylabel="P(a AND b) (density of 1s)",
           title="AND output against correlation: a kink at SCC = 0")
    ax.legend(fontsize=8)
    save_figure(fig, out / "08_and_vs_scc.png")
    print(f"\nfigure written to {out}")

# %% [markdown]
# ## Try this
#
# Predict first, then change the code and run the cells again.
#
# * Set p = 0.6, q = 0.5.  Prediction: the kink disappears: min(p, q) - p q = 0.2 and
#   p q - max(p + q - 1, 0) = 0.2, so both branches have slope 0.2.
# * Delay an LFSR stream instead of a Bernoulli one: `delayed(bs.lfsr(Q, L, width=16, seed=1), L)`
#   against `bs.lfsr(P, L, width=16, seed=1)`.  Prediction: the isolator fails: consecutive LFSR
#   states are shifts of each other, and SCC stays at +1.000 (AND output 0.3000).
# * Use L = 2**12 instead of 2**16.  Prediction: the shared-seed gap stays at 0.06 but the
#   binomial SE grows by sqrt(16) = 4, so the z column drops from +36 to about +9.
