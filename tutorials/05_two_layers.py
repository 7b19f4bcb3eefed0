"""Tutorial 05 - two layers wired by hand: layer-1 firing rates become layer-2 inputs.

What you will see
-----------------
* Layer 1 (8 inputs -> 4 neurons) runs for 500 ms; its firing rates, in
  spikes per ms, are the input values of layer 2 (4 inputs -> 2 neurons).
* Layer 2 declares its input range as ``x_min=0, x_max=0.1``: a rate of
  0.1 spikes/ms (100 Hz) maps to probability 1.  Layer-1 rates must stay in
  that range, which they do with the default "or" accumulation (its current
  never exceeds y_max = 0.1, and a neuron at that current fires at ~72 Hz).
  A rate above 100 Hz would be rejected with a ValueError, not clipped.
* The two layers run one after the other: layer 2 sees layer 1's rates over
  the whole first run as constant input values, not its spikes as they
  happen.  The figure therefore has one panel per run.

Run:  python tutorials/05_two_layers.py
Figures (with matplotlib installed) go to the current directory, or to --out DIR.
"""

# %%
import numpy as np
from _common import figure_dir, save_figure

from sc_neurocore import SCDenseLayer

T = 500

# %% [markdown]
# ## Layer 1: eight inputs, four neurons
#
# A dense layer as in tutorial 04, run for 500 ms.  Its firing rates, converted from Hz to
# spikes per ms, will be the input values of layer 2.  A rate in a 500 ms window is a whole
# number of spikes, so it moves in steps of 2 Hz.

# %%
print("Tutorial 05: two layers\n")
inputs = [0.4, 0.7, 0.3, 0.8, 0.6, 0.5, 0.9, 0.2]
weights_l1 = [0.5, 0.6, 0.4, 0.7, 0.3, 0.8, 0.5, 0.6]
layer1 = SCDenseLayer(
    n_neurons=4, x_inputs=inputs, weight_values=weights_l1, x_min=0.0, x_max=1.0,
    w_min=0.0, w_max=1.0, length=2048, y_min=0.0, y_max=0.1,
    neuron_params={"tau_mem": 20.0, "noise_std": 0.01}, base_seed=100,
)
layer1.run(T=T)
# Hz -> spikes per ms: the unit layer 2's input range (0 .. 0.1) is written in
rates_l1 = [s["firing_rate_hz"] / 1000.0 for s in layer1.summary()["stats"]]
print("layer 1 (8 inputs -> 4 neurons):")
for i, r in enumerate(rates_l1):
    print(f"  neuron {i}: {r * 1000:.1f} Hz = {r:.4f} spikes/ms -> layer-2 probability {r / 0.1:.3f}")
print(f"  all inside layer 2's input range [0, 0.1]: {all(0.0 <= r <= 0.1 for r in rates_l1)}\n")

# %% [markdown]
# ## Layer 2: layer 1's rates as inputs
#
# Layer 2 declares its input range as x_min = 0, x_max = 0.1 spikes/ms, so 100 Hz maps to
# probability 1 and 66 Hz to 0.66.  It runs after layer 1, on layer 1's final rates held
# constant: it sees fresh Bernoulli streams of those densities, not layer 1's spikes.  A rate
# above 100 Hz would be rejected with a `ValueError`, not clipped.

# %%
weights_l2 = [0.6, 0.5, 0.7, 0.4]
layer2 = SCDenseLayer(
    n_neurons=2, x_inputs=rates_l1, weight_values=weights_l2, x_min=0.0, x_max=0.1,
    w_min=0.0, w_max=1.0, length=2048, y_min=0.0, y_max=0.1,
    neuron_params={"tau_mem": 20.0, "noise_std": 0.01}, base_seed=200,
)
layer2.run(T=T)
print("layer 2 (4 inputs -> 2 neurons):")
for s in layer2.summary()["stats"]:
    print(f"  neuron {s['neuron']}: {s['firing_rate_hz']:.1f} Hz")
exp2 = layer2.expected_currents()[0]
p_in = np.round(np.array(rates_l1) / 0.1, 3).tolist()
print(f"  expected current {exp2:.4f} = 0.1 x (1 - prod(1 - p_i w_i)) with p_i = rate_i / 0.1 = {p_in}")
print("  (above the rheobase 0.05, so layer 2 fires)")
print("\nThe layers are connected through rates, not spikes: layer 2 sees fresh Bernoulli")
print("streams whose density is layer 1's measured rate.  For spike-to-spike wiring, see")
print("sc_neurocore.network.")

# %% [markdown]
# ## The figure
#
# `05_two_layers_raster.png`: one raster panel per run, since the two layers ran one after the
# other: layer 1 on the input values, then layer 2 on layer 1's measured rates.

# %%
out = figure_dir()
if out is None:
    print("\n(matplotlib not installed: no figures)")
else:
    from matplotlib.figure import Figure

    # Two separate runs, so two panels: layer 2 is driven by layer 1's *final* rates, held
    # constant, not by layer 1's spikes as they happen.
    fig = Figure(figsize=(9, 5), layout="constrained")
    ax1, ax2 = fig.subplots(2, 1, height_ratios=[4, 2.6])
    runs = (
        (ax1, layer1.get_spike_trains(), "tab:blue", "run 1: layer 1, driven by the 8 input values"),
        (ax2, layer2.get_spike_trains(), "tab:red",
         "run 2: layer 2, driven by layer 1's measured rates (constant inputs)"),
    )
    for ax, sp, color, title in runs:
        for i in range(sp.shape[0]):
            ax.vlines(np.flatnonzero(sp[i]) + 1, i + 0.6, i + 1.4, color=color,
                      label="spike" if i == 0 else None)
        ax.set_yticks(range(1, sp.shape[0] + 1), [str(i) for i in range(sp.shape[0])])
        ax.set(xlabel="time within the run (ms)", ylabel="neuron", title=title, xlim=(0, T))
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)
    save_figure(fig, out / "05_two_layers_raster.png")
    print(f"\nfigure written to {out}")

# %% [markdown]
# ## Try this
#
# Predict first, then change the code and run the cells again.
#
# * Declare layer 2's input range as `x_max=0.2`.  Prediction: 66 Hz now maps to probability
#   0.33 (the printed "layer-2 probability" column still divides by 0.1), the expected current
#   drops to about 0.055, just above the rheobase 0.05, and layer 2 fires far more slowly
#   (0.0550 and 24 Hz in our run, against 0.0837 and 56 Hz).
# * Pass layer 2 an input of 0.12 spikes/ms (120 Hz).  Prediction: `ValueError: x_inputs must
#   be in [0.0, 0.1]; got 0.12 at index (0,)`.
# * Change layer 1's `base_seed`.  Prediction: its rates move by a spike or two (steps of 2 Hz)
#   and layer 2's expected current by under 1% (seed 101: one neuron at 68 Hz, 0.0844).
