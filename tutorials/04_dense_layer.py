"""Tutorial 04 - a dense SC layer: 8 inputs, 4 LIF neurons.

What you will see
-----------------
* :class:`~sc_neurocore.SCDenseLayer` with 1-D weights: one current source
  shared by every neuron.  The neurons receive the same current, cycle for
  cycle, and differ only in their own membrane noise.  That noise (std 0.02
  per step, against a threshold of 1) shifts spike times, so the four trains
  differ on 111 of the 500 steps, but in this run it never adds or removes a
  spike: all four neurons fire 33 spikes in 500 ms, 66.0 Hz each, a spread of
  0.0%.  The rate is set by the shared current, not by the noise.
* With 2-D weights (one row per neuron) each neuron gets its own source, and
  its rate follows its own expected current.  The weakest row puts the mean
  current below the rheobase 0.05 (= v_threshold / tau): a noiseless neuron
  at that constant current would never fire, yet the SC neuron does, because
  its current is 0 or 0.1 on each step and runs of 1s carry it over.
* One time step is one clock cycle: each step consumes one bit of every stream.

Run:  python tutorials/04_dense_layer.py
Figures (with matplotlib installed) go to the current directory, or to --out DIR.
"""

# %%
import math

import numpy as np
from _common import figure_dir, save_figure

from sc_neurocore import SCDenseLayer

X = [0.3, 0.7, 0.5, 0.2, 0.9, 0.4, 0.6, 0.8]
W = [0.5, 0.6, 0.4, 0.3, 0.7, 0.5, 0.8, 0.2]
T = 500


def noiseless_rate_hz(current: float, tau: float = 20.0, v_th: float = 1.0) -> float:
    """Rate of a noiseless LIF neuron at a constant current (continuous-time formula, tutorial 01)."""
    if current * tau <= v_th:
        return 0.0
    return 1000.0 / (-tau * math.log(1.0 - v_th / (current * tau)))

# %% [markdown]
# ## One shared source, four neurons
#
# With 1-D weights, `SCDenseLayer` builds one current source (tutorial 03, "or" mode) and feeds
# its current to all four neurons.  Each time step is one clock cycle and uses one bit of every
# stream.  The neurons differ only in their own membrane noise (standard deviation 0.02 per
# step, against a threshold of 1): expect the same spike count for each and slightly different
# spike times.

# %%
print("Tutorial 04: a dense SC layer\n")
layer = SCDenseLayer(
    n_neurons=4, x_inputs=X, weight_values=W, x_min=0.0, x_max=1.0, w_min=0.0, w_max=1.0,
    length=2048, y_min=0.0, y_max=0.1, dt_ms=1.0,
    neuron_params={"tau_mem": 20.0, "v_threshold": 1.0, "noise_std": 0.02}, base_seed=42,
)
layer.run(T=T)
spikes = layer.get_spike_trains()
summary = layer.summary()
print(f"spike matrix: shape {spikes.shape}, dtype {spikes.dtype} (neurons x time steps)")
for stat in summary["stats"]:
    print(f"  neuron {stat['neuron']}: {stat['total_spikes']} spikes, {stat['firing_rate_hz']:.1f} Hz")
rates = np.array([s["firing_rate_hz"] for s in summary["stats"]])
expected_i = summary["expected_current"][0]
print(f"shared source: mean current {summary['mean_current'][0]:.4f}, expected {expected_i:.4f} "
      "(OR accumulation, 0.1 x (1 - prod(1 - x_i w_i)))")
print(f"rates: mean {rates.mean():.1f} Hz, spread (std/mean) {100 * rates.std() / rates.mean():.1f}%")
moved = int((spikes != spikes[0]).any(axis=0).sum())
print(f"the noise changes spike timing only: the trains differ from neuron 0's on {moved} of {T} steps")
print("A noiseless neuron at the constant mean current would fire at "
      f"{noiseless_rate_hz(expected_i):.1f} Hz;")
print("the SC current is not constant (each cycle it is 0 or 0.1) but the membrane averages it over")
print("tau = 20 ms, so the rate lands close to that value.\n")

# %% [markdown]
# ## Without noise the neurons are copies
#
# Set `noise_std = 0`: four neurons on one current are then the same neuron four times.

# %%
# The same layer without noise: all four neurons see the same current and are identical.
quiet = SCDenseLayer(
    n_neurons=4, x_inputs=X, weight_values=W, length=2048, y_min=0.0, y_max=0.1,
    neuron_params={"noise_std": 0.0}, base_seed=42,
)
quiet.run(T)
q = quiet.get_spike_trains()
print(f"noise_std = 0: the four spike trains are identical: {bool((q == q[0]).all())}; "
      f"rate {quiet.firing_rates_hz()[0]:.1f} Hz\n")

# %% [markdown]
# ## 2-D weights: one source per neuron
#
# A weight matrix with one row per neuron gives each neuron its own source.  Row k is the
# weight vector scaled by 0.2, 0.4, 0.7 or 1.0, so the expected currents, and the rates, rise
# with the factor.  Factor 0.2 puts the mean current (0.038) below the rheobase 0.05: a
# noiseless neuron at that constant current never fires, but the SC current is 0 or 0.1 on each
# step, and runs of ones carry the membrane over threshold now and then.

# %%
scale = np.array([[0.2], [0.4], [0.7], [1.0]])
w2 = scale * np.array(W)
layer2d = SCDenseLayer(
    n_neurons=4, x_inputs=X, weight_values=w2, length=2048, y_min=0.0, y_max=0.1,
    neuron_params={"noise_std": 0.02}, base_seed=42,
)
layer2d.run(T)
exp_i = layer2d.expected_currents()
print("2-D weights: row k is the weight vector times a factor")
print(f"{'factor':>7} {'expected I':>11} {'noiseless rate':>15} {'measured':>9}")
for k in range(4):
    print(f"{scale[k, 0]:7.1f} {exp_i[k]:11.4f} {noiseless_rate_hz(float(exp_i[k])):13.1f} Hz "
          f"{layer2d.firing_rates_hz()[k]:6.1f} Hz")
print("Weaker weights -> smaller current -> lower rate.  Factor 0.2 puts the mean current below the")
print("rheobase 0.05, where the noiseless formula gives 0 Hz; the SC neuron still fires, because its")
print("current is 0 or 0.1 on each step and runs of 1s carry the membrane over threshold.")

# %% [markdown]
# ## The figure
#
# `04_raster.png`: top, the four neurons on the shared source (same spike counts, slightly
# shifted spikes); bottom, the four rows of the 2-D weights, firing faster as the weight factor
# grows.

# %%
out = figure_dir()
if out is None:
    print("\n(matplotlib not installed: no figures)")
else:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(9, 5), layout="constrained")
    ax1, ax2 = fig.subplots(2, 1, sharex=True)
    for ax, sp, title in ((ax1, spikes, "1-D weights: one shared source"),
                          (ax2, layer2d.get_spike_trains(), "2-D weights: weight factor 0.2 .. 1.0")):
        for i in range(sp.shape[0]):
            ax.vlines(np.flatnonzero(sp[i]) + 1, i + 0.6, i + 1.4,
                      label=f"spike ({sp.shape[0]} neurons)" if i == 0 else None)
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
        ax.set_yticks(range(1, sp.shape[0] + 1), [str(i) for i in range(sp.shape[0])])
        ax.set(ylabel="neuron", title=title, xlim=(0, T))
    ax2.set_xlabel("time (ms)")
    save_figure(fig, out / "04_raster.png")
    print(f"\nfigure written to {out}")

# %% [markdown]
# ## Try this
#
# Predict first, then change the code and run the cells again.
#
# * Raise the membrane noise to `noise_std = 0.1`.  Prediction: the noise now adds and removes
#   spikes, not only moves them, so the four rates differ (60 to 70 Hz in our run, a spread of
#   about 5%).
# * Scale the weakest row down to factor 0.1 (mean current 0.021, far below the rheobase).
#   Prediction: it still fires, but rarely: runs of ones long enough to reach threshold become
#   rare (2 Hz, one spike in 500 ms, in our runs).
# * Run the shared-source layer with `T = 2000`.  Prediction: over the longer run the rates
#   settle within about 1 Hz of the 67.1 Hz of a noiseless neuron at the constant mean current
#   (66.5 to 68.0 Hz in our run), and the noise now changes a few spike counts.
