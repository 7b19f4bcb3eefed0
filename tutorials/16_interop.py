"""Tutorial 16 - two doors in: the snnpy reservoir package's API, and NIR graphs.

What you will see
-----------------
1. Code written for the ``snnpy`` reservoir package, with only its import line
   changed (``from sc_neurocore.network.snnpy import SNN, SimulationParams``),
   running on sc_neurocore's reservoir: 300 neurons on a small-world graph
   (in-degree exactly k = 30, half rewired), 100 input neurons driven by a
   10 % Bernoulli raster for 200 steps of 1 ms, 12 output neurons.  The run
   prints the output matrix shape ``(200, 12)`` (time x output neurons), the
   package's feature keys, ``spike_counts`` of shape ``(12,)`` (14 to 26 spikes
   per output neuron) and two corrected defects: ``simulate()`` twice gives
   the same output (``True``: every run starts from the initial state, where
   the package carried the last run's potentials over), and STDP with the
   package's default ``STDPParams()`` changes the weights (mean |dw| = 0.22 in
   one run, 7850 synapses potentiated, 1150 depressed: in this all-excitatory
   reservoir without weight scaling potentiation dominates).  The package
   reads its default 0.02 s / 0.04 s as steps, so its traces vanish and it
   learns nothing.
2. NIR, the ecosystem's interchange format: a 100-neuron recurrent LIF
   network (tau_m = 20 ms, refractory 2 ms, dt = 0.1 ms, noisy current
   around the rheobase) is written to ``interop_network.nir`` (in a temporary
   directory) with
   ``write_nir``, read back with ``read_nir`` and run on the same current for
   200 ms: the run prints ``original 1008 spikes, re-imported 1008 spikes,
   identical spikes: True``.
3. A graph built with nir's own API (3 inputs -> Affine -> 5 LIF neurons,
   tau = 20 ms, r = 1, bias 0.5) is imported with ``from_nir(graph, dt_ms=0.1)``
   and run on a 30 % Bernoulli input raster for 100 ms; the run prints each
   neuron's spike count (``[164, 62, 41, 145, 173]``).

The figure ``16_interop_nir.png`` shows the round trip's two rasters on top
of each other and the imported graph's input and output spikes.

Run:  python tutorials/16_interop.py
Figures (with matplotlib installed) go to the current directory, or to --out DIR.
Parts 2 and 3 need ``pip install 'sc_neurocore[nir]'``.
"""

# %%
import importlib.util
import tempfile
from pathlib import Path

import numpy as np
from _common import figure_dir, save_figure

from sc_neurocore.network import Current, Network, Population, erdos_renyi, from_nir, read_nir, write_nir
from sc_neurocore.network.snnpy import SNN, SimulationParams, STDPParams

# parts 2 and 3 need the optional nir package; part 1 runs without it
HAVE_NIR = importlib.util.find_spec("nir") is not None

# %% [markdown]
# ## Door 1: code written for the snnpy reservoir package
#
# The lines below are the reservoir package's own API; only the import line changed, to
# `from sc_neurocore.network.snnpy import SNN, SimulationParams`.  300 neurons on a small-world
# graph (every neuron receives exactly k = 30 synapses, half of them rewired), 100 input
# neurons driven by a 10% Bernoulli input raster (100 inputs x 200 steps of 1 ms), 12 output
# neurons.  The output matrix is time x output neurons, (200, 12), and the feature dictionary
# has the package's keys; each output neuron fires 14 to 26 times in the 200 ms.

# %%
print("== 1. the snnpy reservoir package's API ==")
my_input = (np.random.default_rng(16).random((100, 200)) < 0.1).astype(np.uint8)
params = SimulationParams(
    num_neurons=300,
    num_output_neurons=12,
    input_spike_times=my_input,
    leak_coefficient=1 / 20,
    refractory_period=2,
    membrane_threshold=1.0,
    is_random_uniform=False,
    small_world_graph_p=0.5,
    small_world_graph_k=30,
    mean_weight=0.045,
    weight_variance=0.04**2,
)
snn = SNN(params, seed=16)
output = snn.simulate()
features = snn.extract_features_from_spikes()
print("Output shape:", output.shape)
print("Available feature keys:", list(features.keys()))
print("Spike counts shape:", features["spike_counts"].shape)
print("spike counts:", features["spike_counts"].astype(int).tolist())

# %% [markdown]
# ## Two defects of the package, corrected
#
# The package carried the last run's membrane potentials into the next `simulate()`, so the
# same input gave different outputs; here every run starts from the initial state, and a second
# run gives the same output (`True`).  And the package read its default STDP time constants,
# 0.02 s and 0.04 s, as steps, so its traces vanished and it learned nothing; here the default
# `STDPParams()` changes the weights: mean |dw| = 0.22, 7850 synapses potentiated and 1150
# depressed (in this all-excitatory reservoir without weight scaling potentiation dominates).

# %%
print("simulate() again gives the same output:", bool(np.array_equal(snn.simulate(), output)))

plastic = SNN(params, STDPParams(), seed=16)
w0 = plastic.get_topology().toarray()
plastic.simulate()
dw = plastic.get_topology().toarray() - w0
print(f"STDP with the default STDPParams(): mean |dw| = {np.abs(dw[w0 != 0]).mean():.2e}, "
      f"{int((dw > 0).sum())} synapses potentiated, {int((dw < 0).sum())} depressed")

# %% [markdown]
# ## Door 2: a NIR round trip
#
# NIR is the ecosystem's interchange format for spiking networks.  A 100-neuron recurrent LIF
# network (tau_m = 20 ms, refractory 2 ms, dt = 0.1 ms, random connections with probability
# 0.1), driven by a noisy current around the rheobase 1/20 per ms, is written to a `.nir` file
# with `write_nir`, read back with `read_nir` and run on the same current for 200 ms.  The
# round trip loses nothing: 1008 spikes before and after, at the same steps in the same neurons.

# %%
if not HAVE_NIR:
    print("nir is not installed (pip install 'sc_neurocore[nir]'): parts 2 and 3 skipped")
else:
    print("== 2. NIR round trip ==")
    pop = Population(100, tau_m=20.0, refractory=2.0, dt=0.1, threshold=1.0, v_reset=0.0)
    net = Network(pop, erdos_renyi(100, 0.1, weight=0.04, weight_std=0.02, seed=3))
    # noisy current (potential units per ms) around the rheobase 1 / 20 ms
    drive = 0.06 + 0.4 * np.random.default_rng(4).standard_normal((2000, 100))
    net.add_input(Current(drive, time_varying=True))
    original = net.run(2000)
    with tempfile.TemporaryDirectory() as tmp:  # the .nir file is only a stop on the round trip
        path = Path(tmp) / "interop_network.nir"
        write_nir(net, path)
        back = read_nir(path).network()
    back.add_input(Current(drive, time_varying=True))
    again = back.run(2000)
    same = np.array_equal(original.neurons, again.neurons) and np.array_equal(original.steps, again.steps)
    print(f"original {len(original)} spikes, re-imported {len(again)} spikes, identical spikes: {same}")

# %% [markdown]
# ## Door 3: a graph built with nir's own API
#
# Any tool that writes NIR can hand a network over.  Here the graph is built with the `nir`
# package itself: 3 inputs -> an `Affine` layer (weights uniform in [0, 60], bias 0.5) -> 5 LIF
# neurons (tau = 20 ms, r = 1, threshold 1) -> output.  `from_nir(graph, dt_ms=0.1)` turns it
# into a network, which runs on a 30% Bernoulli input raster for 100 ms (1000 steps): the
# neurons fire 41 to 173 times.

# %%
if HAVE_NIR:
    print("== 3. a graph built with nir's own API ==")
    import nir

    rng = np.random.default_rng(5)
    graph = nir.NIRGraph(
        nodes={
            "in": nir.Input(input_type={"input": np.array([3])}),
            "syn": nir.Affine(weight=rng.uniform(0.0, 60.0, (5, 3)), bias=np.full(5, 0.5)),
            "lif": nir.LIF(tau=np.full(5, 0.02), r=np.ones(5), v_leak=np.zeros(5), v_threshold=np.ones(5)),
            "out": nir.Output(output_type={"output": np.array([5])}),
        },
        edges=[("in", "syn"), ("syn", "lif"), ("lif", "out")],
    )
    imported = from_nir(graph, dt_ms=0.1)
    x = (rng.random((1000, 3)) < 0.3).astype(float)
    ev = imported.run(x)
    print("spike counts of the 5 imported neurons in 100 ms:", np.bincount(ev.neurons, minlength=5).tolist())

# %% [markdown]
# ## The figure
#
# `16_interop_nir.png`: left, the round trip's two rasters on top of each other (neurons 0-29:
# every dot inside a circle); right, the imported graph's input spikes and its 5 neurons' spikes.

# %%
fig_dir = figure_dir() if HAVE_NIR else None
if fig_dir is not None:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(13, 4), layout="constrained")
    ax = fig.subplots(1, 2)
    keep_o, keep_a = original.neurons < 30, again.neurons < 30
    ax[0].plot(original.steps[keep_o] * 0.1, original.neurons[keep_o], "o", ms=5, mfc="none",
               label="original network")
    ax[0].plot(again.steps[keep_a] * 0.1, again.neurons[keep_a], "k.", ms=2,
               label="after write_nir / read_nir")
    ax[0].set(xlabel="time (ms)", ylabel="neuron", title="NIR round trip: neurons 0-29")
    ax[0].legend(loc="upper left", bbox_to_anchor=(0.0, -0.16), ncol=2)
    t_in, q_in = np.nonzero(x)
    ax[1].plot(t_in * 0.1, q_in + 6, "|", color="gray", ms=3, label="input spikes (inputs 0-2)")
    ax[1].plot(ev.steps * 0.1, ev.neurons, "r|", ms=8, label="imported LIF spikes (neurons 0-4)")
    ax[1].set(xlabel="time (ms)", ylabel="input + 6  /  neuron", title="graph built with nir's API, imported")
    ax[1].legend(loc="upper left", bbox_to_anchor=(0.0, -0.16), ncol=2)
    save_figure(fig, fig_dir / "16_interop_nir.png")
    print(f"figure written to {fig_dir / '16_interop_nir.png'}")

# %% [markdown]
# ## Try this
#
# Predict first, then change the code and run the cells again.
#
# * Give the reservoir 400 steps of input: `random((100, 400))` in `my_input`.  Prediction: the
#   output matrix is (400, 12) (one row per input step) and each output neuron fires about twice
#   as often (33 to 62 spikes in our run); STDP still changes all 300 x 30 = 9000 synapses
#   (7850 potentiated, 1150 depressed).
# * In door 3, set the bias to 1.5 and the input to `x = np.zeros((1000, 3))`.  Prediction:
#   each neuron relaxes towards V = r * bias = 1.5 and crosses the threshold 1 after
#   -20 ln(1 - 1/1.5) = 20 ln 3 = 22.0 ms, then restarts from 0: 4 spikes each in 100 ms,
#   [4, 4, 4, 4, 4].
# * Change the round-trip network: connection probability 0.2, `seed=7`, refractory 5 ms.
#   Prediction: another spike count (1100 in our run), but still `identical spikes: True`: the
#   round trip is exact for any such network, not only for this one.
