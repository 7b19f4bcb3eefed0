"""Tutorial 02 - multiplication with one AND gate, and how large its error is.

What you will see
-----------------
* Encoding: a value p in [0, 1] becomes a bitstream whose bits are 1 with
  probability p.  If two streams are independent, the AND of their bits is 1
  with probability p * q, so one gate multiplies.
* Decoding counts the ones.  The count of L independent bits is binomial, so
  the estimate has standard error SE = sqrt(pq (1 - pq) / L): four times the
  bits for half the error.
* The measured error over many independent repetitions, for lengths from 64 to
  16384 bits, against that formula.
* Bipolar coding (values in [-1, 1]) multiplies with XNOR instead of AND.

Run:  python tutorials/02_sc_multiplication.py
Figures (with matplotlib installed) go to the current directory, or to --out DIR.
"""

# %%
from __future__ import annotations

import numpy as np
from _common import figure_dir, save_figure

from sc_neurocore import BitstreamEncoder, BitstreamSynapse, bitstream_to_probability
from sc_neurocore import bitstream as bs

print("Tutorial 02: SC multiplication and its error\n")

# %% [markdown]
# ## A first example: class API, one bit per byte

# %%
L = 4096
encoder = BitstreamEncoder(x_min=0.0, x_max=1.0, length=L, seed=7)
pre_bits = encoder.encode(0.6)
# A different seed for the weight: two streams from the same seed would be the
# same random numbers, and their AND would be min(p, q) (tutorial 08).
synapse = BitstreamSynapse(w_min=0.0, w_max=1.0, length=L, w=0.5, seed=99)
post_bits = synapse.apply(pre_bits)
p_pre = bitstream_to_probability(pre_bits)
p_post = bitstream_to_probability(post_bits)
se = bs.binomial_standard_error(0.3, L)
print(f"L = {L}: P(pre) = {p_pre:.4f} (0.6), P(post) = {p_post:.4f} (0.6 x 0.5 = 0.3)")
print(f"binomial SE of the product: sqrt(0.3 x 0.7 / {L}) = {se:.4f}; this run is "
      f"{(p_post - 0.3) / se:+.2f} SE off.")
print("Note that the SE is an absolute error of about 0.7 percentage points, i.e. about 2.4% of 0.3.\n")

# %% [markdown]
# ## The same with the packed engine: 64 bits per uint64 word

# %%
# bs.bernoulli(p, L, seed) returns uint64 words; AND, popcount and decode work on
# 64 cycles at once.  Many streams go in one call (one per entry of p).
gens = np.random.default_rng(2024).spawn(2)
a = bs.bernoulli(0.6, L, seed=gens[0])
b = bs.bernoulli(0.5, L, seed=gens[1])
prod = bs.and_(a, b)
print(f"packed: {a.shape[0]} words per stream; ones in a AND b = {bs.popcount(prod)}, "
      f"decoded {bs.decode(prod, L):.4f}\n")

# %% [markdown]
# ## Error vs stream length, over many independent repetitions

# %%
p, q = 0.6, 0.5
lengths = 2 ** np.arange(6, 15)
trials = 400
rms = np.empty(lengths.size)
gens = np.random.default_rng(7).spawn(2 * lengths.size)
print(f"{'L':>6} {'RMS error':>10} {'theory SE':>10} {'ratio':>6}   ({trials} repetitions each)")
for k, n_bits in enumerate(lengths):
    n = int(n_bits)
    sa = bs.bernoulli(np.full(trials, p), n, seed=gens[2 * k])
    sb = bs.bernoulli(np.full(trials, q), n, seed=gens[2 * k + 1])
    est = bs.decode(bs.and_(sa, sb), n)
    rms[k] = np.sqrt(np.mean((est - p * q) ** 2))
    theory = bs.binomial_standard_error(p * q, n)
    print(f"{n:6d} {rms[k]:10.5f} {theory:10.5f} {rms[k] / theory:6.2f}")
slope = np.polyfit(np.log(lengths), np.log(rms), 1)[0]
print(f"fitted slope of log(error) vs log(L): {slope:.2f} (theory -0.5)")
print(f"bits needed for |error| < 0.01 with 95% confidence (Hoeffding, any p): "
      f"{bs.required_length(0.01, 0.05)}; knowing p = 0.3 (Bernstein): "
      f"{bs.required_length(0.01, 0.05, p=0.3)}\n")

# %% [markdown]
# ## Bipolar: x in [-1, 1], p = (x + 1)/2, product by XNOR

# %%
x, w = -0.4, 0.5
gens = np.random.default_rng(11).spawn(2)
sx = bs.bernoulli(bs.to_unipolar(x), L, seed=gens[0])
sw = bs.bernoulli(bs.to_unipolar(w), L, seed=gens[1])
got = bs.decode_bipolar(bs.xnor(sx, sw, L), L)
print(f"bipolar: {x} x {w} = {x * w:+.3f}; XNOR of the streams decodes to {got:+.4f}")
print("(the bipolar SE is twice the unipolar one of p = (1 + xw)/2: sign costs precision)")

# %% [markdown]
# ## The figure

# %%
out = figure_dir()
if out is None:
    print("\n(matplotlib not installed: no figures)")
else:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6, 4), layout="constrained")
    ax = fig.subplots()
    ax.loglog(lengths, rms, "o", label=f"measured RMS error, {trials} repetitions")
    ax.loglog(lengths, bs.binomial_standard_error(p * q, lengths), label="sqrt(pq(1-pq)/L)")
    ax.set(xlabel="stream length L (bits)", ylabel="RMS error of 0.6 x 0.5 (probability)",
           title="SC multiplication error")
    ax.legend()
    save_figure(fig, out / "02_error_vs_length.png")
    print(f"\nfigure written to {out}")
