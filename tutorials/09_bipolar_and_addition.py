# %% [markdown]
# # Lesson 09 - Signed numbers and sums: bipolar XNOR, and three ways to add
#
# Lesson 00 multiplied two numbers in [0, 1] with one AND gate.  Neurons also
# need negative weights and sums of many inputs.  This lesson shows:
#
# * **bipolar coding**: x in [-1, 1] is sent as a stream with
#   P(bit = 1) = (x + 1) / 2; one XNOR gate then multiplies signed numbers;
# * **addition** of k streams three ways, each against its expected value:
#   a MUX (exact but scaled by 1/k), an OR gate (no scaling, but it
#   saturates) and a parallel counter (APC: exact and unscaled, but its
#   output is a binary number per cycle, not a stream).
#
# Every measured value is printed next to the formula it should match, with
# the standard error (SE) of the measurement.
#
# Run: `python tutorials/09_bipolar_and_addition.py [--out DIR]`.

# %%
import numpy as np
from _common import figure_dir, save_figure

from sc_neurocore import bitstream as bs

L = 4096
R = 400  # independent repetitions, to compare measured spreads with standard errors
gens = np.random.default_rng(909).spawn(6)
# Hoeffding: P(|p_hat - p| > EPS) <= 2 exp(-2 L EPS^2) = 1e-6 for one stream of L independent bits
EPS = np.sqrt(np.log(2 / 1e-6) / (2 * L))

# %% [markdown]
# ## 1. Bipolar coding and the XNOR product
#
# With p = (x + 1)/2 and q = (w + 1)/2 and independent streams, the XNOR of
# two bits is 1 when both are 1 or both are 0:
#
# P = p q + (1 - p)(1 - q),  so  2 P - 1 = (2p - 1)(2q - 1) = x w.
#
# `bs.decode_bipolar` returns 2 p_hat - 1.  Its standard error is twice that
# of p_hat: SE = 2 sqrt(P (1 - P) / L).  At x w = 0 that is 1/sqrt(L), twice
# the unipolar worst case: the sign costs precision.

# %%
xs = np.array([-0.9, -0.5, 0.0, 0.4, 0.8])
ws = np.array([-0.7, 0.3, 0.9])
X, W = np.meshgrid(xs, ws, indexing="ij")
sx = bs.bernoulli(bs.to_unipolar(X), L, seed=gens[0])
sw = bs.bernoulli(bs.to_unipolar(W), L, seed=gens[1])
got = bs.decode_bipolar(bs.xnor(sx, sw, L), L)
P = (1 + X * W) / 2
se_bip = 2 * bs.binomial_standard_error(P, L)
print(f"bipolar XNOR product, L = {L}:")
print(f"{'x':>6} {'w':>6} {'x w':>7} {'XNOR':>8} {'SE':>7} {'(got - xw)/SE':>14}")
for i, j in np.ndindex(X.shape):
    xw = X[i, j] * W[i, j]
    z = (got[i, j] - xw) / se_bip[i, j]
    print(f"{X[i, j]:6.2f} {W[i, j]:6.2f} {xw:7.3f} {got[i, j]:8.4f} {se_bip[i, j]:7.4f} {z:14.2f}")
assert np.all(np.abs(got - X * W) <= 2 * EPS)  # false-failure probability <= 15 x 1e-6
n_in = int(np.sum(np.abs(got - X * W) <= 2 * se_bip))
print(f"{n_in} of {got.size} products within 2 SE of x w (about 95 % expected); all within the Hoeffding "
      f"bound 2 x {EPS:.3f}")

# %% [markdown]
# ## 2. Adding k streams: MUX, OR and a parallel counter
#
# Four inputs with p = 0.3, 0.5, 0.2, 0.6 (sum 1.6, more than 1, so no
# single stream can hold the sum).  For independent inputs:
#
# * **MUX** (`bs.mux_add`): each cycle copies the bit of one input chosen
#   uniformly at random.  P = (1/k) sum p_i: the mean, i.e. the sum scaled by
#   1/k.  The output bits are independent Bernoulli(P), so the sum estimate
#   k p_hat has SE = k sqrt(P (1 - P) / L).
# * **OR** (`bs.or_reduce`): 1 if any input is 1.  P = 1 - prod (1 - p_i):
#   close to the sum only when every p_i is small, never above 1 (saturating).
# * **APC** (`bs.parallel_count`): counts the ones of each cycle, c_t in
#   0..k.  E[c_t] = sum p_i exactly, Var[c_t] = sum p_i (1 - p_i), so the
#   mean of c_t over L cycles has SE = sqrt(sum p_i (1 - p_i) / L), the
#   smallest of the three.  Its output is a log2(k + 1)-bit number each
#   cycle (a small adder tree in hardware), not a stream.
#
# We repeat each adder on R = 400 independent sets of streams and compare the
# RMS spread of the estimates with these standard errors.

# %%
p_in = np.array([0.3, 0.5, 0.2, 0.6])
k = p_in.size
inputs = bs.bernoulli(np.broadcast_to(p_in[:, None], (k, R)), L, seed=gens[2])  # (k, R, words)
sums = {
    "MUX x k": k * bs.decode(bs.mux_add(inputs, L, seed=gens[3]), L),
    "OR": bs.decode(bs.or_reduce(inputs), L),
    "APC": bs.parallel_count(np.ascontiguousarray(inputs.transpose(1, 0, 2)), L).mean(axis=-1),
}
expected = {"MUX x k": p_in.sum(), "OR": 1 - np.prod(1 - p_in), "APC": p_in.sum()}
P_mux = p_in.mean()
se_theory = {
    "MUX x k": k * float(bs.binomial_standard_error(P_mux, L)),
    "OR": float(bs.binomial_standard_error(expected["OR"], L)),
    "APC": float(np.sqrt(np.sum(p_in * (1 - p_in)) / L)),
}
print(f"\nsum of p = {p_in.tolist()} = {p_in.sum():.2f}; {R} repetitions of L = {L} bits")
print(f"{'adder':>8} {'expected':>9} {'mean':>9} {'RMS spread':>11} {'theory SE':>10} {'spread/SE':>10}")
for name, est in sums.items():
    mean, spread = est.mean(), est.std()
    print(f"{name:>8} {expected[name]:9.4f} {mean:9.4f} {spread:11.5f} {se_theory[name]:10.5f} "
          f"{spread / se_theory[name]:10.2f}")
    # mean of R estimates: 6 SE / sqrt(R) margin, normal tail 2e-9 (each estimate is a sum of L bounded terms)
    assert abs(mean - expected[name]) <= 6 * se_theory[name] / np.sqrt(R)
    # sample SD of R = 400 near-normal draws: relative SE 1/sqrt(2R) = 3.5 %, 15 % is > 4 SE
    assert abs(spread / se_theory[name] - 1) < 0.15
print(f"OR falls short of the sum by {p_in.sum() - expected['OR']:.3f}: it saturates at 1.")
print(f"APC is {se_theory['MUX x k'] / se_theory['APC']:.1f}x more precise than the MUX for the same L.")

# %% [markdown]
# ## 3. Where OR saturates
#
# With all k = 4 inputs equal to p, the true sum is 4 p.  MUX x k and APC
# follow it on average; OR follows 1 - (1 - p)^4, which agrees with 4 p
# only for small p (to first order) and stays below 1.  The figure shows a
# sweep over p, one set of streams per point.

# %%
p_sweep = np.linspace(0.0, 1.0, 21)
sweep_in = bs.bernoulli(np.broadcast_to(p_sweep, (k, p_sweep.size)), L, seed=gens[4])  # (k, n_p, words)
sweep = {
    "MUX x k": k * bs.decode(bs.mux_add(sweep_in, L, seed=gens[5]), L),
    "OR": bs.decode(bs.or_reduce(sweep_in), L),
    "APC": bs.parallel_count(np.ascontiguousarray(sweep_in.transpose(1, 0, 2)), L).mean(axis=-1),
}
or_theory = 1 - (1 - p_sweep) ** k
worst = np.max(np.abs(sweep["OR"] - or_theory))
assert worst <= EPS  # false-failure probability <= 21 x 1e-6
print(f"\nsweep of p (4 equal inputs): OR within {worst:.4f} of 1 - (1 - p)^4 everywhere; "
      f"at p = 0.5 it reads {sweep['OR'][10]:.3f} where the sum is 2.0")

# %%
out = figure_dir()
if out is None:
    print("\n(matplotlib not installed: no figures)")
else:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(11, 4.2), layout="constrained")
    ax1, ax2 = fig.subplots(1, 2)
    prod = (X * W).ravel()
    ax1.errorbar(prod, got.ravel(), yerr=2 * se_bip.ravel(), fmt="o", capsize=3,
                 label=f"XNOR of bipolar streams, L = {L} (+- 2 SE)")
    line = np.linspace(-1, 1, 3)
    ax1.plot(line, line, "k--", lw=1, label="exact product x w")
    ax1.set(xlabel="exact product x w (bipolar value)",
            ylabel="decoded XNOR output 2 p_hat - 1 (bipolar value)",
            title="bipolar multiplication with one XNOR gate")
    ax1.legend(loc="upper left")

    for (name, vals), marker in zip(sweep.items(), "os^", strict=True):
        ax2.plot(p_sweep, vals, marker, label=f"{name}, measured")
    ax2.plot(p_sweep, k * p_sweep, "k--", lw=1, label="sum 4 p (MUX x k and APC expect this)")
    ax2.plot(p_sweep, or_theory, "k:", lw=1.5, label="OR expects 1 - (1 - p)^4")
    ax2.set(xlabel="p of each of the 4 inputs (probability)", ylabel="decoded sum (probability units)",
            title="adding 4 streams: MUX and APC follow the sum, OR saturates")
    ax2.legend(loc="upper left")
    save_figure(fig, out / "09_bipolar_and_addition.png")
    print(f"\nfigure written to {out}")

# %% [markdown]
# ## Try this
#
# 1. **Predict, then run:** set `L = 1024`.  By how much does the RMS
#    spread of each adder grow?  (By sqrt(4) = 2: every SE scales as
#    1/sqrt(L); the spread/SE column stays near 1.)
# 2. **Predict, then run:** change the inputs to `p_in = [0.05, 0.1, 0.05, 0.1]`.
#    How far is OR from the sum now?  (0.3 - (1 - 0.95^2 0.9^2) = 0.031,
#    against 0.71 for the original inputs: OR is a fair adder for sparse
#    streams, such as low firing rates.)
# 3. **Predict, then run:** feed the same stream to both XNOR inputs
#    (`sw = sx` with `ws = xs`, so `W = X`).  What comes out?  (All ones,
#    decoded +1 for every x: a stream XNOR itself is always 1, not x^2.
#    Correlated operands break the product, as lesson 08 shows for AND.)
