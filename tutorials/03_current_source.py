"""Tutorial 03 - a multi-channel SC current source and its three accumulation modes.

What you will see
-----------------
A :class:`~sc_neurocore.BitstreamCurrentSource` multiplies each input x_i by
its weight w_i with an AND gate, every clock cycle, and turns the product
bits of that cycle into one number a_t, then into a current
I_t = y_min + (y_max - y_min) a_t.  How the bits are combined is the
accumulation mode, and each mode has its own expected value:

* ``"or"`` (default): a_t = 1 if any product bit is 1.
  E[a] = 1 - prod_i (1 - x_i w_i).  Saturating: never above y_max.
* ``"count"``: a_t = number of product bits that are 1 (a parallel counter).
  E[a] = sum_i x_i w_i.  Exact dot product, but can exceed 1.
* ``"mux"``: a_t = the product bit of one input picked at random each cycle.
  E[a] = (1/n) sum_i x_i w_i.  The mean, scaled down by n.

Each cycle uses fresh, independent bits, so the mean current over L cycles is
an average of L independent draws and its standard error follows from the
per-cycle variance.

Units: the neurons of these tutorials integrate dV/dt = -V/tau + I with the
threshold at V = 1, so V is in threshold units and a current in threshold
units per ms (written 1/ms on the axes).

Run:  python tutorials/03_current_source.py
Figures (with matplotlib installed) go to the current directory, or to --out DIR.
"""

# %%
import math

import numpy as np
from _common import figure_dir, save_figure

from sc_neurocore import BitstreamCurrentSource

X = [0.5, 0.8, 0.3]
W = [0.6, 0.4, 0.9]
L = 2048
Y_MIN, Y_MAX = 0.0, 0.1


def per_cycle_sd(products: np.ndarray, mode: str) -> float:
    """Standard deviation of a_t for independent product bits with probabilities ``products``."""
    if mode == "count":  # a sum of independent Bernoulli bits
        return math.sqrt(float(np.sum(products * (1 - products))))
    # "or" and "mux" give one Bernoulli bit per cycle
    q = 1 - np.prod(1 - products) if mode == "or" else float(np.mean(products))
    return math.sqrt(q * (1 - q))

# %% [markdown]
# ## Three inputs, three weights
#
# Each input x_i is ANDed with its weight w_i every clock cycle; the products x_i w_i are the
# probabilities of the product bits.

# %%
print("Tutorial 03: the SC current source\n")
products = np.array(X) * np.array(W)
print(f"inputs x = {X}, weights w = {W}; products x*w = {products.round(3).tolist()}")
print(f"L = {L} cycles, current range y = {Y_MIN}..{Y_MAX}\n")

# %% [markdown]
# ## One source, cycle by cycle
#
# In the default mode, "or", the current of a cycle is y_max if any product bit is 1, else
# y_min: each `step()` returns 0.0 or 0.1.  The mean over all L cycles estimates the expected
# current y_max (1 - prod(1 - x_i w_i)); 100 cycles estimate it sqrt(2048/100) = 4.5 times
# less precisely.

# %%
source = BitstreamCurrentSource(
    x_inputs=X, x_min=0.0, x_max=1.0, weight_values=W, w_min=0.0, w_max=1.0,
    length=L, y_min=Y_MIN, y_max=Y_MAX, seed=42,
)
first_100 = [source.step() for _ in range(100)]
print(f"default mode {source.accumulation!r}: each step returns {Y_MIN} or {Y_MAX} (one OR bit)")
print(f"  first 10 currents: {first_100[:10]}")
print(f"  {'mean of 100 steps':27s}{np.mean(first_100):.4f}")
print(f"  {f'mean over all {L} cycles':27s}{source.full_current_estimate():.4f}")
print(f"  {'expected value':27s}{source.expected_current():.4f}"
      f"  = {Y_MAX} x (1 - prod(1 - x_i w_i))")
print("  100 cycles see only 100 random bits, so that mean is ~4.5x noisier than the full one.\n")

# %% [markdown]
# ## The three accumulation modes
#
# "or" saturates, "count" (a parallel counter) gives the exact sum, "mux" (one input picked at
# random per cycle) gives the mean.  Each cycle is an independent draw, so the standard error
# of the mean current is the per-cycle standard deviation over sqrt(L), and the measured means
# should sit within a couple of standard errors of the expected ones.  `reset()` goes back to
# cycle 0 without redrawing the streams.

# %%
print(f"{'mode':>6} {'expected':>9} {'measured':>9} {'SE':>8} {'(meas-exp)/SE':>14}  formula")
formulas = {
    "or": "y_max (1 - prod(1 - x_i w_i))",
    "count": "y_max sum(x_i w_i)",
    "mux": "y_max mean(x_i w_i)",
}
traces = {}
summary = {}
for mode in ("or", "count", "mux"):
    src = BitstreamCurrentSource(
        x_inputs=X, weight_values=W, length=L, y_min=Y_MIN, y_max=Y_MAX, seed=42, accumulation=mode,
    )
    exp = src.expected_current()
    got = src.full_current_estimate()
    se = (Y_MAX - Y_MIN) * per_cycle_sd(products, mode) / math.sqrt(L)
    traces[mode] = src.currents()[:100]
    summary[mode] = (exp, got, se)
    print(f"{mode:>6} {exp:9.4f} {got:9.4f} {se:8.4f} {(got - exp) / se:+14.2f}  {formulas[mode]}")
print("(All three sources use seed 42, hence the same input streams: their deviations are correlated.)")
print("\nWhich one to use:")
print("* 'count' is the exact dot product but can exceed y_max (up to n * y_max).")
print("* 'mux' is unbiased for the mean but n times smaller, and noisier relative to its size.")
print("* 'or' stays within [y_min, y_max]; it is close to the sum while the products are small")
print("  and saturates as they grow (1 - prod(1 - a_i) <= sum a_i).  It is the default because")
print("  the dense layers of tutorials 04-05 are designed around it: their neurons then fire at")
print("  tens of Hz.")

# reset() goes back to cycle 0; the streams are not redrawn, so the currents repeat
source.reset()
again = [source.step() for _ in range(100)]
print(f"\nafter reset() the first 100 currents repeat exactly: {again == first_100}")

# %% [markdown]
# ## The figure
#
# `03_current_modes.png`: the first 100 cycles of each mode's current on its own axis (OR and
# MUX are 0/0.1 pulses, COUNT takes the values 0, 0.1, 0.2, 0.3) and the three means over
# L cycles next to their expected values.

# %%
out = figure_dir()
if out is None:
    print("\n(matplotlib not installed: no figures)")
else:
    from matplotlib.figure import Figure

    # one panel per mode, each on its own current axis (no offsets), with its expected mean
    fig = Figure(figsize=(10, 5.5), layout="constrained")
    grid = fig.add_gridspec(3, 2)
    trace_axes = [fig.add_subplot(grid[k, 0]) for k in range(3)]
    ax2 = fig.add_subplot(grid[:, 1])
    for k, (ax, (mode, tr)) in enumerate(zip(trace_axes, traces.items(), strict=True)):
        ax.step(np.arange(tr.size), tr, where="post", color=f"C{k}", label=f"{mode}: I_t")
        ax.axhline(summary[mode][0], color="k", ls="--", lw=0.8, label="expected mean")
        ax.set(ylabel="I_t (1/ms)", ylim=(-0.01, 1.15 * tr.max() + 0.01), xlim=(0, tr.size))
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=7)
    trace_axes[0].set_title("first 100 cycles of the current, per mode")
    trace_axes[-1].set_xlabel("cycle (= time step)")
    modes = list(summary)
    pos = np.arange(len(modes))
    ax2.bar(pos - 0.2, [summary[m][0] for m in modes], width=0.4, label="expected")
    ax2.bar(pos + 0.2, [summary[m][1] for m in modes], width=0.4,
            yerr=[2 * summary[m][2] for m in modes], label="measured (+-2 SE)")
    ax2.set_xticks(pos, modes)
    ax2.set(ylabel="mean current (1/ms)", title=f"mean over L = {L} cycles",
            ylim=(0, 1.3 * max(v[1] for v in summary.values())))
    ax2.legend(ncol=2, loc="upper center", fontsize=8)
    save_figure(fig, out / "03_current_modes.png")
    print(f"\nfigure written to {out}")

# %% [markdown]
# ## Try this
#
# Predict first, then change the code and run the cells again.
#
# * Set L = 8192 (four times the cycles).  Prediction: every SE in the table halves (0.0011 to
#   about 0.00055 for "or"), while the expected values do not change.
# * Add a fourth input x = 0.9 with weight 0.9 (product 0.81).  Prediction: "or" expects
#   0.1 (1 - 0.7 x 0.68 x 0.73 x 0.19) = 0.0934, "count" 0.1 x 1.70 = 0.170, above y_max, and
#   "mux" 0.170 / 4 = 0.0425.
# * Change the seed from 42.  Prediction: the measured column moves, but the (meas-exp)/SE
#   column stays mostly within +-2 (each entry does with probability about 95%).
