"""Tutorial 31 - short-term plasticity in the event-driven simulator, and which engine to run.

What you will see
-----------------
* Part 1: one facilitating and one depressing Tsodyks-Markram synapse driven
  by a regular 20 Hz train.  The released fraction r_n = u_n x_n of every
  spike, read from the jump of a postsynaptic neuron that does not leak, is
  printed next to the closed form for a regular train; they agree to
  2.2e-16 (rounding).  The facilitating synapse (U = 0.15) grows from 0.150
  to 0.342 in ten spikes, the depressing one (U = 0.5) falls from 0.500 to
  0.058 (steady states 0.3549 and 0.0571).
* Part 2: a 2000-neuron E/I network with Poisson input, run three times:
  static synapses, depressing and facilitating excitatory synapses (the
  weights scaled by 1/U, so a first spike has the static efficacy).  It
  prints the mean rates (32.0, 7.5 and 43.0 Hz) and the population rate in
  50 ms bins: depression quiets the network after its first 50 ms,
  facilitation makes it overshoot to 82 Hz before depletion brings it down.
* Part 3: ``choose_engine`` on a 20000-neuron network x 100 synapses at a
  low and a high activity, the rate measured in a 100 ms pilot run (0.34
  and 19.94 Hz; crossover 12.6 Hz): it picks the event-driven engine for
  the first and the clock-driven one for the second.  Both engines then run
  both cases for 200 ms (0.56 and 21.5 Hz) and the cell prints their CPU
  times on one thread.  In our run (shared 2-core machine): quiet, event
  0.011 s against clock 0.111 s; busy, event 0.240 s against clock 0.183 s,
  so both choices were right.  The times vary from machine to machine and
  run to run; the choices and rates do not.

Run:  python tutorials/31_short_term_plasticity.py
Figures (with matplotlib installed) go to the current directory, or to --out DIR.
"""

# %%
import math
import os
import time

import numba
import numpy as np
from _common import figure_dir, save_figure

from sc_neurocore.network import (
    Current,
    EventDrivenNetwork,
    Network,
    PoissonInput,
    Population,
    TsodyksMarkram,
    choose_engine,
    ei_weights,
    erdos_renyi,
)

PERIOD, N_SPIKES, W = 50.0, 10, 0.5  # a 20 Hz train, 10 spikes, synaptic weight
# (name, U, tau_facil in ms, tau_rec in ms)
SYNAPSES = (("facilitating", 0.15, 1000.0, 100.0), ("depressing", 0.5, 0.0, 800.0))


def closed_form(U: float, tau_f: float, tau_d: float, D: float, n: int) -> np.ndarray:
    """Released fractions r_k = u_k x_k of spikes k = 1..n of a regular train of period D (ms)."""
    ef = math.exp(-D / tau_f) if tau_f > 0 else 0.0
    ed = math.exp(-D / tau_d) if tau_d > 0 else 0.0
    a = (1 - U) * ef
    u_star = U / (1 - a)
    u = u_star + (U - u_star) * a ** np.arange(n)
    c = (1 - u) * ed  # x_{k+1} = (1 - E_d) + c_k x_k, x_1 = 1, written out as a sum of products
    x = np.array([np.prod(c[:m]) + (1 - ed) * sum(np.prod(c[j + 1:m]) for j in range(m)) for m in range(n)])
    return u * x


# %% [markdown]
# ## Part 1: one synapse against the closed form
#
# In the Tsodyks-Markram model each presynaptic neuron has a utilisation `u` and a fraction `x`
# of available resources.  Between spikes `u` decays to 0 with `tau_facil` and `x` recovers to 1
# with `tau_rec`; at a spike `u` grows by `U (1 - u)`, the fraction `r = u x` is released and
# `x` loses it.  Each synapse of that spike delivers `w r` instead of `w`.  A small `U` with a
# long `tau_facil` facilitates (later spikes release more); a large `U` with a long `tau_rec`
# depresses (resources run out).  For a regular train of period D, with
# `E_f = exp(-D / tau_facil)`, `E_d = exp(-D / tau_rec)` and `a = (1 - U) E_f`,
#
#     u_n = u* + (U - u*) a^(n-1),              u* = U / (1 - a)
#     x_1 = 1,   x_{n+1} = (1 - E_d) + (1 - u_n) E_d x_n
#
# (`closed_form` above writes `x_n` out as a sum of products).  We drive neuron 0 (and 1) with
# external kicks that make it spike every 50 ms, connect it to a neuron that never fires and
# does not leak (tau_m = 1e300 ms), and read `r_n` as that neuron's jump divided by `w` right
# after each arrival.

# %%
m = len(SYNAPSES)
pop = Population(2 * m, threshold=np.r_[np.ones(m), np.full(m, 1e6)],
                 tau_m=np.r_[np.full(m, 20.0), np.full(m, 1e300)], refractory=0.0, allow_large_dt=True)
indptr = np.r_[np.arange(m + 1), np.full(m, m)]  # neuron i -> neuron m + i, nothing else
net = EventDrivenNetwork(pop, (indptr, np.arange(m, 2 * m), np.full(m, W)), delays_ms=1.0)
# the receiving neurons get static synapses (U = 1, no time constants: r = 1 always); they never spike
net.set_stp(TsodyksMarkram(U=[s[1] for s in SYNAPSES] + [1.0] * m,
                           tau_facil=[s[2] for s in SYNAPSES] + [0.0] * m,
                           tau_rec=[s[3] for s in SYNAPSES] + [0.0] * m))
kicks = 5.0 + PERIOD * np.arange(N_SPIKES)  # a kick of 2 takes a neuron from rest over threshold 1
net.add_events(np.tile(kicks, m), np.repeat(np.arange(m), N_SPIKES), 2.0)
measured = np.empty((m, N_SPIKES))
v_prev = np.zeros(m)
for k in range(N_SPIKES):
    net.run(kicks[k] + 1.0 + 1e-6 - net.t)  # just after the k-th arrival (1 ms delay)
    v = net.potentials()[m:]
    measured[:, k] = (v - v_prev) / W
    v_prev = v
theory = np.array([closed_form(U, tf, td, PERIOD, N_SPIKES) for _, U, tf, td in SYNAPSES])
print(f"Part 1 - released fraction r_n of a regular {1000 / PERIOD:.0f} Hz train")
print(f"{'spike':>5}  {'facilitating':>12} {'closed form':>12}  {'depressing':>12} {'closed form':>12}")
for k in range(N_SPIKES):
    fac, dep = f"{measured[0, k]:12.6f} {theory[0, k]:12.6f}", f"{measured[1, k]:12.6f} {theory[1, k]:12.6f}"
    print(f"{k + 1:5d}  {fac}  {dep}")
err = np.abs(measured - theory).max()
print(f"largest |measured - closed form| = {err:.1e}")
assert err < 1e-9  # exact at event times (the only error is rounding of the potentials)
for (name, U, tf, td), r in zip(SYNAPSES, theory, strict=True):
    ef = math.exp(-PERIOD / tf) if tf > 0 else 0.0
    ed = math.exp(-PERIOD / td) if td > 0 else 0.0
    u_star = U / (1 - (1 - U) * ef)
    x_star = (1 - ed) / (1 - (1 - u_star) * ed)
    print(f"{name}: U = {U}, tau_facil = {tf:g} ms, tau_rec = {td:g} ms; r_1 = {r[0]:.3f}, "
          f"r_10 = {r[-1]:.3f}, steady state u* x* = {u_star * x_star:.4f}")

# %% [markdown]
# ## Part 2: a network with short-term plasticity
#
# The same synapse types on the 1600 excitatory neurons of a 2000-neuron E/I network
# (connection probability 0.05, 1.5 ms delays, bias 0.045 so that no neuron fires without
# input, Poisson kicks of 0.15 at 20 Hz per neuron).  The inhibitory neurons keep static
# synapses (`U = 1`, zero time constants).  To compare like with like the excitatory weight is
# `0.03 / U`: every synapse's first spike delivers the static 0.03.  Depression lowers the
# efficacy of neurons that fire often, so the network quiets down after its onset;
# facilitation raises it and the network overshoots until the resources (`tau_rec = 100` ms)
# run low.  `stp_state()` gives each neuron's `u` and `x` after its last spike.

# %%
N_NET, N_EXC, W_EXC = 2000, 1600, 0.03
pop = Population(N_NET, tau_m=20.0, refractory=2.0, threshold=1.0, v_reset=0.0, dt=0.1, n_exc=N_EXC)
static_inh = np.ones(N_NET - N_EXC), np.zeros(N_NET - N_EXC)
rates = {}
print("\nPart 2 - 2000-neuron E/I network, 500 ms, population rate in 50 ms bins (Hz)")
for name, U, tf, td in (("static", 1.0, 0.0, 0.0), *SYNAPSES):
    conn = erdos_renyi(N_NET, 0.05, weight=ei_weights(N_NET, N_EXC, W_EXC / U, 0.1), delay=15, seed=1)
    net = EventDrivenNetwork(pop, conn, i_ext=0.045, seed=2)
    net.add_input(PoissonInput(20.0, 0.15, n=N_NET, seed=2))
    if name != "static":
        net.set_stp(TsodyksMarkram(U=np.r_[np.full(N_EXC, U), static_inh[0]],
                                   tau_facil=np.r_[np.full(N_EXC, tf), static_inh[1]],
                                   tau_rec=np.r_[np.full(N_EXC, td), static_inh[1]]))
    sp = net.run(500.0)
    rates[name] = np.histogram(sp.times_ms, bins=10, range=(0.0, 500.0))[0] / N_NET / 0.05
    bins = " ".join(f"{r:5.1f}" for r in rates[name])
    line = f"{name:>12}: mean {sp.mean_rate_hz():5.1f} Hz  [{bins}]"
    if name != "static":
        u, x = net.stp_state()
        line += f"  excitatory mean u {u[:N_EXC].mean():.3f}, x {x[:N_EXC].mean():.3f}"
    print(line)

# %% [markdown]
# ## Part 3: which engine?
#
# The event-driven engine does work per synaptic arrival (about 35 ns at 1M neurons); the
# clock-driven `Network` does work per neuron and step (about 2 ns) plus a little per arrival.  So the
# event-driven one wins in quiet networks and loses in busy ones.  `choose_engine` predicts
# both CPU times per biological second from the mean rate (here measured in a short pilot run),
# the out-degree, the Poisson input rate and `dt`, using constants fitted on 1M neurons
# (`MEASURED_COSTS`; docs/event_driven.md, "Which engine"), and picks the cheaper one.
# We take a 20000-neuron network with 100 synapses per neuron at two activity levels, run
# both engines on both for 200 ms with one thread (as the constants were fitted) and print the
# CPU time (`time.process_time`) of each run next to the prediction (`process_time` adds up
# every thread, and numba's idle worker threads would inflate the clock-driven time).  In our
# run the quiet network's times were 1.4x (event) and 1.7x (clock) the predictions, and the
# busy network's 0.38x and 0.80x (a small network keeps more of its state in the caches,
# which helps the event-driven engine most); what the choice needs is which engine is
# faster, and both choices were right.

# %%
N_BIG, K_OUT, T_MS = 20000, 100, 200.0
# (label, excitatory weight, Poisson kick rate per neuron in Hz)
LEVELS = (("quiet", 0.015, 1.0), ("busy", 0.02, 100.0))
print(f"\nPart 3 - {N_BIG} neurons x {K_OUT} synapses, {T_MS:.0f} ms, CPU time on one thread")
pop = Population(N_BIG, tau_m=20.0, refractory=2.0, threshold=1.0, v_reset=0.0, dt=0.1, n_exc=N_BIG * 4 // 5)
threads = numba.get_num_threads()
numba.set_num_threads(1)  # the fitted constants are single-thread CPU times
try:
    for label, w_exc, kick_hz in LEVELS:
        weights = ei_weights(N_BIG, pop.n_exc, w_exc, 0.1)
        conn = erdos_renyi(N_BIG, K_OUT / N_BIG, weight=weights, delay=15, seed=1)
        pilot = EventDrivenNetwork(pop, conn, i_ext=0.045, seed=2)
        pilot.add_input(PoissonInput(kick_hz, 0.15, n=N_BIG, seed=2))
        choice = choose_engine(pop, conn, measured=pilot.run(100.0), input_rate_hz=kick_hz)
        event = EventDrivenNetwork(pop, conn, i_ext=0.045, seed=3)
        event.add_input(PoissonInput(kick_hz, 0.15, n=N_BIG, seed=3))
        c0 = time.process_time()
        sp_e = event.run(T_MS)
        cpu_event = time.process_time() - c0
        clock = Network(pop, conn)
        clock.add_input(Current(0.045, time_varying=False))
        clock.add_input(PoissonInput(kick_hz, 0.15, n=N_BIG, seed=3))
        c0 = time.process_time()
        sp_c = clock.run(int(round(T_MS / pop.dt)))
        cpu_clock = time.process_time() - c0
        faster = "event" if cpu_event < cpu_clock else "clock"
        print(f"{label}: pilot rate {pilot.spikes.mean_rate_hz():.2f} Hz -> choose_engine picks "
              f"{choice.engine!r} (crossover {choice.crossover_hz:.1f} Hz)")
        print(f"  predicted CPU s: event {choice.event_s_per_s * T_MS / 1000:.3f}, "
              f"clock {choice.clock_s_per_s * T_MS / 1000:.3f}")
        print(f"  measured CPU s:  event {cpu_event:.3f} ({sp_e.mean_rate_hz():.2f} Hz), "
              f"clock {cpu_clock:.3f} ({len(sp_c) / N_BIG / (T_MS / 1000):.2f} Hz) -> faster: {faster}")
finally:
    numba.set_num_threads(threads)

# %% [markdown]
# ## The figure
#
# `31_short_term_plasticity.png`: left, the released fraction per spike of both synapses
# (markers: read from the network; lines: closed form); right, the population rate of the
# three networks of Part 2 in 50 ms bins.

# %%
fig_dir = figure_dir()
if fig_dir is not None:
    import matplotlib

    matplotlib.use(os.environ.get("MPLBACKEND", "Agg"))
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(1, 2, figsize=(11, 4))
    spike_no = np.arange(1, N_SPIKES + 1)
    for j, (name, *_) in enumerate(SYNAPSES):
        ax[0].plot(spike_no, theory[j], "-", color=f"C{j}", label=f"{name}, closed form")
        ax[0].plot(spike_no, measured[j], "o", color=f"C{j}", label=f"{name}, EventDrivenNetwork")
    ax[0].set_xticks(spike_no)
    ax[0].set_xlabel("spike number (20 Hz train)")
    ax[0].set_ylabel("released fraction r = u x (dimensionless)")
    ax[0].set_title("Tsodyks-Markram synapses on a regular train")
    ax[0].legend()
    centres = np.arange(25.0, 500.0, 50.0)
    colours = {"static": "0.4", "facilitating": "C0", "depressing": "C1"}  # as in the left panel
    for name, r in rates.items():
        ax[1].plot(centres, r, "o-", color=colours[name], label=name)
    ax[1].set_xlabel("time (ms)")
    ax[1].set_ylabel("population rate (Hz)")
    ax[1].set_title("2000-neuron E/I network, 50 ms bins")
    ax[1].legend(title="excitatory synapses")
    fig.tight_layout()
    save_figure(fig, fig_dir / "31_short_term_plasticity.png")
    plt.close(fig)
    print(f"\nfigure: {fig_dir / '31_short_term_plasticity.png'}")

# %% [markdown]
# ## Try this
#
# Predict first, then change the code and run the cells again.
#
# * Halve the train's period (`PERIOD = 25.0`, 40 Hz).  Prediction: less time to recover, so
#   the depressing synapse's steady state u* x* falls from 0.0571 to 0.0298, and the
#   facilitating one peaks at the third spike (0.272) and then depresses to 0.2145.
# * Give the depressing synapses of Part 2 a short recovery, `tau_rec = 50` ms.  Prediction:
#   resources come back between spikes at these rates, so the network's mean rate moves back
#   towards the static network's 32.0 Hz (16.8 Hz in our run, from 7.5).
# * In Part 3, lower the busy level's kicks to 5 Hz.  Prediction: the rate falls below the
#   crossover (pilot rate 5.55 Hz in our run), so `choose_engine` picks `'event'` for both
#   levels.
