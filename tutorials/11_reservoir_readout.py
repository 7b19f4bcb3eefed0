"""Tutorial 11 - a small-world LIF reservoir, spike-train features and a linear readout.

What you will see
-----------------
* A reservoir of 300 LIF neurons on a directed Watts-Strogatz graph (every
  neuron receives exactly k = 20 synapses, 20 % rewired), driven by a binary
  input matrix (10 inputs x 200 steps of 1 ms), as the reservoir package does.
* The features of the output neurons after one sample (spike count, rate,
  timing, ISI statistics, entropy, burstiness, ...).
* A classification task: class 0 puts its input spikes in the first 100 ms,
  class 1 in the last 100 ms (same number of input spikes on average).  A
  least-squares readout on spike counts alone does poorly; adding timing
  features (mean spike time, first/second-half asymmetry) separates them.

Run:  python tutorials/11_reservoir_readout.py
Figures (with matplotlib installed) go to the current directory, or to --out DIR.
"""

# %%
import numpy as np
from _common import figure_dir, save_figure

from sc_neurocore.network import LinearClassifier, Reservoir, confusion_matrix

N_IN, T, N_RES = 10, 200, 300


def sample(label: int, rng: np.random.Generator) -> np.ndarray:
    """Input matrix (inputs x steps): 3 % spike probability per step in the class's half."""
    m = np.zeros((N_IN, T), dtype=np.uint8)
    half = slice(0, T // 2) if label == 0 else slice(T // 2, T)
    m[:, half] = rng.random((N_IN, T // 2)) < 0.03
    return m

# %% [markdown]
# ## A small-world reservoir
#
# 300 LIF neurons on a directed Watts-Strogatz graph: every neuron receives exactly k = 20
# synapses, 20% of them rewired at random.  A binary input matrix (10 inputs x 200 steps of
# 1 ms) drives it.  A sample of class 0 puts its input spikes (3% per input and step) in the
# first 100 ms, class 1 in the last 100 ms: the same number of input spikes on average.

# %%
res = Reservoir(N_RES, n_inputs=N_IN, n_outputs=40, topology="small_world", k=20, p_rewire=0.2,
                mean_weight=0.15, weight_std=0.1, tau_m=20.0, refractory=5.0, dt=1.0, seed=7)
print(res)
print(f"in-degree of every neuron: {sorted(set(res.connectivity.in_degree().tolist()))}")
rng = np.random.default_rng(11)
ev = res.simulate(sample(0, rng))
print(f"one sample: {len(ev)} output spikes, whole reservoir {res.network.spikes.mean_rate_hz():.1f} Hz")

# %% [markdown]
# ## Spike-train features
#
# After a sample, `features()` describes each of the 40 output neurons: spike count, rate,
# first, last and mean spike time, ISI statistics, entropy, burstiness, half asymmetry and
# more.  Neurons driven by the same input often fire in lockstep and share every feature, so we
# show the neurons with the fewest, the median and the most spikes.

# %%
feats = res.features()
# neurons driven by the same input often fire in lockstep and share every feature; show three
# output neurons with the fewest, a middle and the most spikes instead of the first three
order = np.argsort(feats["spike_count"], kind="stable")
shown = [int(order[0]), int(order[order.size // 2]), int(order[-1])]
print("features of three output neurons (fewest, median and most spikes):")
print(f"  {'output neuron':<22s} " + "  ".join(f"{res.output_neurons[j]:9d}" for j in shown))
for name, values in feats.items():
    print(f"  {name:<22s} " + "  ".join(f"{values[j]:9.3f}" for j in shown))

# %% [markdown]
# ## A linear readout: counts against timing
#
# A least-squares classifier trained on 60 samples and tested on 60 others.  Spike counts
# alone separate the classes poorly (the counts hardly differ between them); adding timing
# features (mean spike time, first/second-half asymmetry) separates them.

# %%
labels = np.arange(120) % 2
samples = [sample(int(c), rng) for c in labels]
for names in (("spike_count",), ("spike_count", "mean_spike_time_ms", "half_asymmetry")):
    x = res.transform(samples, features=names)
    clf = LinearClassifier(alpha=1.0).fit(x[:60], labels[:60])
    pred = clf.predict(x[60:])
    acc = float(np.mean(pred == labels[60:]))
    cm = confusion_matrix(labels[60:], pred, n_classes=2)
    print(f"readout on {', '.join(names)}: test accuracy {acc:.1%} (60 test samples), "
          f"confusion {cm.tolist()}")

# %% [markdown]
# ## The figure
#
# `11_reservoir_raster_rates.png`: rasters of one sample per class on the same 0-200 ms axis
# (output neurons in red, the input half shaded) and the reservoir's rate histograms for both
# samples.

# %%
fig_dir = figure_dir()
if fig_dir is not None:
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(1, 3, figsize=(14, 4))
    rates = {}
    for k, c in enumerate((0, 1)):
        res.simulate(sample(c, rng))
        all_ev = res.network.spikes
        ax[k].plot(all_ev.steps, all_ev.neurons, ",k")
        out = np.isin(all_ev.neurons, res.output_neurons)
        ax[k].plot(all_ev.steps[out], all_ev.neurons[out], "|r", ms=3)
        ax[k].axvspan(0 if c == 0 else T // 2, T // 2 if c == 0 else T, color="tab:green", alpha=0.1,
                      label="input half")
        ax[k].set(xlabel="time (ms, 1 ms steps)", ylabel="neuron index", xlim=(0, T), ylim=(-5, N_RES + 5),
                  title=f"class {c}: input in the {'first' if c == 0 else 'second'} half (red: outputs)")
        ax[k].legend(loc="upper right" if c == 0 else "upper left", fontsize=8)  # on the quiet half
        rates[c] = res.network.spikes.rates_hz()
    bins = np.arange(-2.5, max(r.max() for r in rates.values()) + 7.5, 5.0)  # rates: multiples of 5 Hz
    for c, r in rates.items():
        ax[2].hist(r, bins=bins, histtype="step", lw=1.5, label=f"class {c} sample")
    ax[2].set(xlabel="rate over the 200 ms sample (Hz)", ylabel="neurons",
              title="reservoir rates, one sample per class")
    ax[2].legend(fontsize=8)
    fig.tight_layout()
    save_figure(fig, fig_dir / "11_reservoir_raster_rates.png")
    plt.close(fig)
    print(f"figure written to {fig_dir / '11_reservoir_raster_rates.png'}")

# %% [markdown]
# ## Try this
#
# Predict first, then change the code and run the cells again.
#
# * Train the readout on timing alone, `("mean_spike_time_ms",)`.  Prediction: most of the gap
#   closes without any count: 90.0% in our run, against 78.3% for counts.
# * Train it on `("half_asymmetry",)` alone.  Prediction: also far above the counts (86.7% in
#   our run): which half of the window the spikes fall in is exactly what tells the classes
#   apart.
