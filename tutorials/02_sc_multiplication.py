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
import numpy as np
from _common import figure_dir, save_figure

from sc_neurocore import BitstreamEncoder, BitstreamSynapse, bitstream_to_probability
from sc_neurocore import bitstream as bs

# %% [markdown]
# ## Multiplying with one AND gate
#
# An encoder turns 0.6 into a stream of 4096 bits, each 1 with probability 0.6; a synapse ANDs
# it with its own stream for the weight 0.5.  Decoding counts the ones.  The product's count of
# ones is binomial, so the decoded 0.3 comes with a standard error sqrt(pq(1-pq)/L) = 0.0072.
# The two streams need different seeds: the same seed would give the same random numbers.

# %%
print("Tutorial 02: SC multiplication and its error\n")
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
# ## The same product, 64 bits per word
#
# The packed engine `sc_neurocore.bitstream` stores 64 cycles in one uint64 word, so AND and
# popcount process 64 bits at once, and takes a whole array of probabilities in one call.
# Independent seeds come from one generator's `spawn`.

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
# ## Error against stream length
#
# Repeat the multiplication 400 times at each length L = 64 .. 16384 and take the RMS error.
# Theory: sqrt(pq(1-pq)/L), a straight line of slope -1/2 on log-log axes, so four times the
# bits buy half the error.  `required_length` turns an accuracy target into a length
# (Hoeffding for any p, Bernstein when p is known).

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
# ## Bipolar values: XNOR multiplies
#
# A value x in [-1, 1] is encoded with p = (x + 1)/2.  Then the XNOR of two independent
# streams has density (1 + x w)/2, so it decodes to the product x w, signs included.

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
#
# `02_error_vs_length.png`: the measured RMS error sits on the binomial line sqrt(pq(1-pq)/L)
# at every length.

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

# %% [markdown]
# ## Try this
#
# Predict first, then change the code and run the cells again.
#
# * Give the synapse the encoder's seed (`seed=7` for both).  Prediction: P(post) comes out near
#   min(0.6, 0.5) = 0.5 instead of 0.3 (0.4973 in our run): the two streams are the same random
#   numbers compared with two thresholds (tutorial 08).
# * Set L = 1024 in the first cell.  Prediction: a quarter of the bits, twice the error: the
#   printed SE becomes sqrt(0.21/1024) = 0.0143.
# * Use 100 repetitions instead of 400.  Prediction: the ratio column scatters about twice as
#   much around 1: an RMS over n repetitions has a relative standard error of about
#   1/sqrt(2n), 3.5% for n = 400 and 7% for n = 100.
