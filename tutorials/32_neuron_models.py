"""Tutorial 32 - neuron models beyond LIF: Izhikevich, LIF with exponential synapses, COBA.

What you will see
-----------------
* Part 1: four Izhikevich neurons with the classic parameters (regular
  spiking, intrinsically bursting, chattering, fast spiking) under the same
  step current.  For each the run prints the spike count in 300 ms, the
  first and last interspike intervals (ISIs) and how many ISIs are short
  (< 6 ms, within a burst) or long (> 20 ms): regular spiking 8 spikes, ISIs
  23.7 ms growing to 45.1 ms; intrinsically bursting a burst (2.5, 4.6 ms)
  then single spikes every ~31 ms; chattering 27 spikes, 22 short ISIs and 4
  long pauses; fast spiking 40 spikes, its ISI settling at 7.5-7.6 ms.  The
  figure draws the four v(t) traces.
* Part 2: one ExpSynLIF neuron receives a single synaptic jump.  Its
  membrane potential is printed at a few times next to the analytic
  postsynaptic potential, with the largest difference over the whole trace
  (3.9e-07: float32 rounding) and the analytic peak time (4.024 ms; the
  recorded maximum is at 4.0 ms, on the 0.1 ms grid).  The same neuron in the
  event-driven engine, which has no time step: its potential matches the
  formula to float64 rounding (1.1e-16), and with the threshold at 0.3 its
  spike time equals the formula's root found by bisection (2.326995346 ms;
  they differ by 3e-14 ms).
* Part 3: the Vogels-Abbott / Brette 2007 COBA network (4000 conductance-based
  neurons, 80% excitatory, reversal potentials 0 and -80 mV) runs for 500 ms
  without any external input.  The run prints the excitatory and inhibitory
  mean rates after the first 100 ms (20.04 and 19.50 Hz) and the population
  rate in 50 ms bins (18 to 21 Hz: the activity sustains itself); the
  figure shows a raster of 200 neurons.

Run:  python tutorials/32_neuron_models.py
Figures (with matplotlib installed) go to the current directory, or to --out DIR.
"""

# %%
import os

import numpy as np
from _common import figure_dir, save_figure

from sc_neurocore.network import (
    COBA,
    BinaryInput,
    Current,
    EventDrivenNetwork,
    ExpSynLIF,
    Izhikevich,
    Network,
    Population,
    ei_weights,
    erdos_renyi,
)

# %% [markdown]
# ## Part 1: the four classic Izhikevich patterns
#
# The Izhikevich (2003) neuron has two variables: the membrane potential `v` (mV) and a
# recovery variable `u`,
#
#     dv/dt = 0.04 v^2 + 5 v + 140 - u + I,      du/dt = a (b v - u),
#
# and when `v` reaches 30 mV it is reset to `c` while `u` jumps by `d`.  Four numbers choose
# the behaviour.  `Network(pop, neuron=Izhikevich(a, b, c, d))` takes one value per neuron, so
# one network of four neurons holds all four patterns.  The population supplies `n`, `dt` and
# the initial potential; its LIF parameters are not used, and `refractory=0.0` because the
# model has its own reset.  We drive all four with the step current I = 10 and record `v`.

# %%
PATTERNS = {  # (a, b, c, d), Izhikevich (2003) Fig. 2
    "regular spiking": (0.02, 0.2, -65.0, 8.0),
    "intrinsically bursting": (0.02, 0.2, -55.0, 4.0),
    "chattering": (0.02, 0.2, -50.0, 2.0),
    "fast spiking": (0.1, 0.2, -65.0, 2.0),
}
DT_IZH, T_IZH = 0.1, 300.0
a, b, c, d = (np.array(col) for col in zip(*PATTERNS.values(), strict=True))
net = Network(Population(4, v_init=-65.0, refractory=0.0, dt=DT_IZH), neuron=Izhikevich(a, b, c, d))
net.add_input(Current(10.0))
net.monitor(range(4))
sp = net.run(int(round(T_IZH / DT_IZH)))
v_izh = net.v_trace.v.copy()
print(f"Part 1 - Izhikevich neurons, I = 10, {T_IZH:.0f} ms, dt = {DT_IZH} ms")
print(f"{'pattern':>24} {'spikes':>6} {'first ISIs (ms)':>18} {'last ISI':>8} "
      f"{'ISIs < 6 ms':>11} {'> 20 ms':>7}")
for k, name in enumerate(PATTERNS):
    isi = np.diff(sp.steps[sp.neurons == k]) * DT_IZH
    first = " ".join(f"{x:5.1f}" for x in isi[:3])
    print(f"{name:>24} {np.count_nonzero(sp.neurons == k):6d} {first:>18} {isi[-1]:8.1f} "
          f"{np.count_nonzero(isi < 6.0):11d} {np.count_nonzero(isi > 20.0):7d}")

# %% [markdown]
# How to read the table: regular spiking starts fast and slows down (adaptation: each spike
# adds `d = 8` to `u`); intrinsically bursting fires a short burst (ISIs of a few ms) and then
# single spikes; chattering repeats bursts, so most of its ISIs are a few ms, with a long
# pause after each burst; fast spiking has a fast `u` (`a = 0.1`) and a small `d`, so it fires at a
# high, nearly constant rate.

# %% [markdown]
# ## Part 2: LIF with exponential current synapses
#
# `ExpSynLIF(tau_syn)` adds a synaptic current that decays with `tau_syn`:
#
#     dv/dt = (v_rest - v) / tau_m + i_syn + I,      di_syn/dt = -i_syn / tau_syn,
#
# and a synaptic jump `w` adds `w / tau_syn` to `i_syn`, so `w` is the charge it carries.  The
# potential after one jump at t = 0 (from rest 0) is
#
#     v(t) = w tau_m / (tau_m - tau_syn) (exp(-t / tau_m) - exp(-t / tau_syn)),
#
# rising, then decaying, with its peak at t* = tau_m tau_syn ln(tau_m / tau_syn) / (tau_m - tau_syn).
# The model steps `v` and `i_syn` with this exact solution, so the only difference from the
# formula is float32 rounding.  A one-bit `BinaryInput` delivers the jump at step 0.

# %%
TAU_M, TAU_SYN, DT_PSP, W_PSP, N_PSP = 10.0, 2.0, 0.1, 0.5, 400
net = Network(Population(1, tau_m=TAU_M, threshold=100.0, dt=DT_PSP), neuron=ExpSynLIF(tau_syn=TAU_SYN))
net.add_input(BinaryInput(np.array([[1]], dtype=np.uint8), W_PSP))
net.monitor([0])
net.run(N_PSP)
t_psp = (np.arange(N_PSP) + 1) * DT_PSP  # the potential recorded after step j is v((j + 1) dt)
v_psp = net.v_trace.v[:, 0].astype(float)
analytic = W_PSP * TAU_M / (TAU_M - TAU_SYN) * (np.exp(-t_psp / TAU_M) - np.exp(-t_psp / TAU_SYN))
t_peak = TAU_M * TAU_SYN * np.log(TAU_M / TAU_SYN) / (TAU_M - TAU_SYN)
print(f"\nPart 2 - ExpSynLIF PSP, w = {W_PSP}, tau_m = {TAU_M:g} ms, tau_syn = {TAU_SYN:g} ms, "
      f"dt = {DT_PSP} ms")
print(f"{'t (ms)':>7} {'network':>10} {'analytic':>10}")
for t_at in (1.0, 2.0, 4.0, 10.0, 20.0, 40.0):
    j = int(round(t_at / DT_PSP)) - 1
    print(f"{t_at:7.1f} {v_psp[j]:10.6f} {analytic[j]:10.6f}")
print(f"largest |network - analytic| over {N_PSP} steps: {np.abs(v_psp - analytic).max():.1e}")
print(f"analytic peak at t* = {t_peak:.3f} ms; the recorded maximum is at {t_psp[np.argmax(v_psp)]:.1f} ms")

# %% [markdown]
# ### The same neuron without a time step: `EventDrivenNetwork`
#
# Between inputs the model has an exact solution, so `EventDrivenNetwork(pop, neuron=ExpSynLIF(tau_syn))`
# simulates it with no time step at all, in float64.  An input does not move `v` at once, so the
# threshold can be crossed later, at a time no formula gives in closed form: after every input
# the engine finds the first root of `v(t) = threshold` exactly (the difference of two
# exponentials has at most one extremum, which splits time into two monotone pieces; see
# docs/event_driven.md).  We read the event-driven potential at the same times as the clock-driven
# one, then lower the threshold to 0.3 (the PSP's peak is 0.334) and compare the spike time with
# the root of the formula found by bisection.

# %%
ev = EventDrivenNetwork(Population(1, tau_m=TAU_M, threshold=100.0), neuron=ExpSynLIF(tau_syn=TAU_SYN))
ev.add_events([0.0], [0], [W_PSP])
v_event = np.empty(N_PSP)
for j, t_at in enumerate(t_psp):
    ev.run(t_at - ev.t)
    v_event[j] = ev.potentials()[0]
print(f"event-driven: largest |event-driven - analytic| over the same {N_PSP} times: "
      f"{np.abs(v_event - analytic).max():.1e}")
THR_EV = 0.3
ev = EventDrivenNetwork(Population(1, tau_m=TAU_M, threshold=THR_EV), neuron=ExpSynLIF(tau_syn=TAU_SYN))
ev.add_events([0.0], [0], [W_PSP])
t_spike = ev.run(20.0).times_ms[0]


def psp_at(t):
    return W_PSP * TAU_M / (TAU_M - TAU_SYN) * (np.exp(-t / TAU_M) - np.exp(-t / TAU_SYN))


lo, hi = 0.0, t_peak  # the PSP rises on [0, t*]: bisection for psp_at(t) = THR_EV
for _ in range(100):
    mid = 0.5 * (lo + hi)
    lo, hi = (lo, mid) if psp_at(mid) >= THR_EV else (mid, hi)
print(f"threshold {THR_EV}: event-driven spike at {t_spike:.9f} ms, root of the formula {hi:.9f} ms "
      f"(difference {abs(t_spike - hi):.0e} ms)")

# %% [markdown]
# The event-driven potential agrees with the formula to float64 rounding.  The spike time agrees
# with the root to a few 1e-14 ms: the engine stops refining once the sign of the float64
# `v - threshold` is rounding noise, which here is about that wide.  The clock-driven network,
# run at dt = 0.1 ms, would label that spike with the end of its step (2.4 ms).

# %% [markdown]
# ## Part 3: a conductance-based E/I network (COBA)
#
# In `COBA` a synapse opens a conductance instead of injecting a current: an excitatory jump
# raises `g_exc`, which pulls `v` towards `E_exc = 0 mV`; an inhibitory jump (a negative weight)
# raises `g_inh`, which pulls `v` towards `E_inh = -80 mV`.  The effect of a spike therefore
# depends on how far `v` is from the reversal potential.  This is the Vogels-Abbott network as
# used in Brette et al. (2007): 4000 neurons, 3200 excitatory, each ordered pair connected with
# probability 0.02, jumps 0.6 and 6.7 (in units of the leak conductance), initial potentials
# drawn around -55 mV (those above the -50 mV threshold start the activity), and no input at
# all afterwards: the activity sustains itself.  `benchmarks/bench_coba.py` runs the same
# network in Brian2 for comparison.

# %%
N, N_EXC = 4000, 3200
DT_NET, T_NET, SKIP = 0.1, 500.0, 100.0
rng = np.random.default_rng(1)
pop = Population(N, tau_m=20.0, v_rest=-60.0, v_reset=-60.0, threshold=-50.0, refractory=5.0, dt=DT_NET,
                 n_exc=N_EXC, v_init=rng.normal(-55.0, 5.0, N))
conn = erdos_renyi(N, 0.02, weight=ei_weights(N, N_EXC, 0.6, 6.7), delay=1, seed=2)
net = Network(pop, conn, neuron=COBA(e_exc=0.0, e_inh=-80.0, tau_exc=5.0, tau_inh=10.0))
sp_net = net.run(int(round(T_NET / DT_NET)))
t_ms = sp_net.steps * DT_NET
late = t_ms >= SKIP
exc_hz = np.count_nonzero(sp_net.neurons[late] < N_EXC) / N_EXC / ((T_NET - SKIP) / 1000)
inh_hz = np.count_nonzero(sp_net.neurons[late] >= N_EXC) / (N - N_EXC) / ((T_NET - SKIP) / 1000)
pop_rate = np.histogram(t_ms, bins=10, range=(0.0, T_NET))[0] / N / 0.05
print(f"\nPart 3 - COBA network, {N} neurons, {conn.nnz} synapses, {T_NET:.0f} ms, no external input")
print(f"mean rates after {SKIP:.0f} ms: excitatory {exc_hz:.2f} Hz, inhibitory {inh_hz:.2f} Hz")
print("population rate in 50 ms bins (Hz): " + " ".join(f"{r:.1f}" for r in pop_rate))

# %% [markdown]
# ## The figure
#
# `32_neuron_models.png`: top, the four Izhikevich traces; bottom left, the ExpSynLIF PSP
# (line: analytic, dots: clock-driven network, crosses: event-driven network, star: the
# event-driven spike with threshold 0.3); bottom right, a raster of the first 160 excitatory and
# the first 40 inhibitory neurons of the COBA network.

# %%
fig_dir = figure_dir()
if fig_dir is not None:
    import matplotlib

    matplotlib.use(os.environ.get("MPLBACKEND", "Agg"))
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=(11, 7))
    grid = fig.add_gridspec(2, 2)
    ax = fig.add_subplot(grid[0, :])
    t_izh = (np.arange(v_izh.shape[0]) + 1) * DT_IZH
    for k, name in enumerate(PATTERNS):
        ax.plot(t_izh, v_izh[:, k] - 100.0 * k, lw=0.8, label=f"{name} (offset {-100 * k} mV)")
    ax.set_xlabel("time (ms)")
    ax.set_ylabel("v (mV), traces offset by 100 mV")
    ax.set_title("Izhikevich neurons, step current I = 10")
    ax.set_ylim(-380.0, 110.0)
    ax.legend(loc="upper center", ncol=4)
    ax = fig.add_subplot(grid[1, 0])
    ax.plot(t_psp, analytic, "-", color="C0", label="analytic")
    ax.plot(t_psp[::10], v_psp[::10], "o", color="C1", ms=3, label="clock-driven Network (every 10th step)")
    ax.plot(t_psp[5::10], v_event[5::10], "x", color="C2", ms=4,
            label="EventDrivenNetwork (every 10th sample)")
    ax.axvline(t_peak, color="0.5", ls=":", label=f"analytic peak {t_peak:.2f} ms")
    ax.plot([t_spike], [THR_EV], "*", color="C3", ms=10,
            label=f"event-driven spike with threshold {THR_EV}: {t_spike:.3f} ms")
    ax.set_xlabel("time after the jump (ms)")
    ax.set_ylabel("v - v_rest (potential units)")
    ax.set_title(f"PSP, w = {W_PSP}, tau_m = {TAU_M:g} ms, tau_syn = {TAU_SYN:g} ms")
    ax.legend()
    ax = fig.add_subplot(grid[1, 1])
    shown = np.r_[np.arange(160), np.arange(N_EXC, N_EXC + 40)]
    row = np.full(N, -1)
    row[shown] = np.arange(shown.size)
    keep = row[sp_net.neurons] >= 0
    is_exc = sp_net.neurons[keep] < N_EXC
    for sel, colour, label in ((is_exc, "C0", "excitatory"), (~is_exc, "C3", "inhibitory")):
        ax.plot(t_ms[keep][sel], row[sp_net.neurons[keep]][sel], "|", color=colour, ms=2, label=label)
    ax.set_xlabel("time (ms)")
    ax.set_ylabel("neuron (160 exc., 40 inh.)")
    ax.set_title(f"COBA network: exc. {exc_hz:.1f} Hz, inh. {inh_hz:.1f} Hz")
    ax.legend(loc="upper right", markerscale=4)
    fig.tight_layout()
    save_figure(fig, fig_dir / "32_neuron_models.png")
    plt.close(fig)
    print(f"\nfigure: {fig_dir / '32_neuron_models.png'}")

# %% [markdown]
# ## Try this
#
# Predict first, then change the code and run the cells again.
#
# * Raise the Izhikevich current to I = 20.  Prediction: every pattern fires faster and the
#   regular-spiking neuron still adapts (in our run: 15 spikes instead of 8, its ISI growing
#   from 2.9 to 23.1 ms; fast spiking 92 spikes).
# * Set `TAU_SYN = 5.0`.  Prediction: the same charge spread over a longer current gives a
#   lower, later peak: t* = 50 ln(2) / 5 = 6.93 ms, height 0.5 * 2 * (1/2 - 1/4) = 0.25; the
#   network still matches the formula to float32 rounding (2.1e-07 in our run).
# * In Part 3, weaken inhibition from 6.7 to 3.0.  Predict before you run: more activity?
#   In our run the network fired at 37.3 Hz in the first 50 ms and was then silent for the
#   rest of the run (0.00 Hz after 100 ms): without enough inhibition the excitation runs away
#   once and, with no external input, nothing restarts it.
