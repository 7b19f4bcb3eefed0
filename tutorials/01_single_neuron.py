"""Tutorial 01 - one leaky integrate-and-fire neuron driven by a constant current.

What you will see
-----------------
* A neuron with I = 0.08, tau_mem = 20 ms, V_th = 1, R = 1 and dt = 1 ms fires
  at exactly 50 Hz.  The continuous-time formula gives 51.0 Hz.  (Not the ~60 Hz
  you may see quoted for this example.)
* Why 50 and not 51: Euler integration, whole time steps.
* The rate-versus-current curve against the analytic formula, including the
  rheobase (the smallest current that ever fires).
* Inter-spike interval (ISI) histograms without and with membrane noise, and
  what a refractory period does.

Run:  python tutorials/01_single_neuron.py
Figures (with matplotlib installed) go to the current directory, or to --out DIR.
"""

# %%
import math

import numpy as np
from _common import figure_dir, save_figure

from sc_neurocore import BitstreamSpikeRecorder, StochasticLIFNeuron

I_EXAMPLE = 0.08
TAU = 20.0  # ms
V_TH = 1.0
R = 1.0
DT = 1.0  # ms


def analytic_rate_hz(current: float, tau: float = TAU, v_th: float = V_TH, r: float = R) -> float:
    """Continuous-time rate (Hz): V(t) = R I tau (1 - e^(-t/tau)) hits v_th at -tau ln(1 - v_th/(R I tau))."""
    drive = r * current * tau  # the voltage the membrane would settle at
    if drive <= v_th:
        return 0.0
    return 1000.0 / (-tau * math.log(1.0 - v_th / drive))


def euler_isi_steps(current: float, tau: float = TAU, dt: float = DT, v_th: float = V_TH) -> int:
    """Steps until the Euler update V <- V + dt(-V/tau + R I) from 0 first reaches v_th (0 = never)."""
    if R * current * tau <= v_th:
        return 0
    v, n = 0.0, 0
    while v < v_th:
        v += dt * (-v / tau + R * current)
        n += 1
    return n

# %% [markdown]
# ## One neuron, one step at a time
#
# The membrane obeys dV/dt = -V/tau + R I.  With dt = 1 ms the simulator takes one Euler step
# per millisecond, V <- V + dt (-V/tau + R I), and emits a spike (then resets V to 0) at the end
# of any step where V reaches V_th = 1.  We step the neuron 200 times at I = 0.08 and record
# the spikes.  Expect 10 spikes in 200 ms: 50 Hz.

# %%
print("Tutorial 01: a single LIF neuron at constant current\n")
neuron = StochasticLIFNeuron(
    v_rest=0.0, v_reset=0.0, v_threshold=V_TH, tau_mem=TAU, dt=DT,
    noise_std=0.0, resistance=R, seed=42,
)
recorder = BitstreamSpikeRecorder(dt_ms=DT)
trace = []
for _ in range(200):
    recorder.record(neuron.step(I_EXAMPLE))
    trace.append(neuron.v)
print(f"I = {I_EXAMPLE}: {recorder.total_spikes()} spikes in {recorder.duration_ms():.0f} ms "
      f"-> {recorder.firing_rate_hz():.1f} Hz")
print(f"spike times (ms): {recorder.spike_times_ms()[:5]} ...")

# %% [markdown]
# ## Why 50 Hz and not 51 Hz
#
# Without a threshold V would settle at R I tau = 1.6.  In continuous time it reaches 1 when
# 1.6 (1 - exp(-t/20)) = 1, after 19.6 ms: 51.0 Hz.  Euler gives V_n = 1.6 (1 - 0.95^n), which
# needs n >= 19.1 steps, and a spike can only be emitted at the end of a whole step, so every
# interval is 20 steps: 50 Hz.

# %%
# Without a threshold the membrane would relax towards R*I*tau = 1.6.  In continuous
# time it crosses V_th = 1 when 1.6 (1 - exp(-t/20)) = 1, i.e. t = -20 ln(0.375).
isi_exact = -TAU * math.log(1.0 - V_TH / (R * I_EXAMPLE * TAU))
n_steps = euler_isi_steps(I_EXAMPLE)
# Euler: V_n = 1.6 (1 - 0.95^n), which needs n >= ln(0.375)/ln(0.95) = 19.1 steps.
n_real = math.log(1.0 - V_TH / (R * I_EXAMPLE * TAU)) / math.log(1.0 - DT / TAU)
print(f"\ncontinuous ISI  = -tau ln(1 - V_th/(R I tau)) = {isi_exact:.2f} ms -> "
      f"{1000 / isi_exact:.1f} Hz")
print(f"Euler needs {n_real:.2f} steps to reach V_th; a spike can only be emitted at the end of a")
print(f"whole step, so the interval is {n_steps} steps = {n_steps * DT:.0f} ms -> "
      f"{1000 / (n_steps * DT):.1f} Hz.")
print("Both numbers disagree with the '~60 Hz' claim sometimes attached to this example:")
print("60 Hz would mean an ISI of 16.7 ms, and this membrane needs 19.6 ms (or 20 whole steps).\n")

# %% [markdown]
# ## Rate against current
#
# Sweep the current.  Below the rheobase V_th / (R tau) = 0.05 the membrane settles under
# threshold and the neuron never fires.  Above it the simulated rate is 1000/n Hz for a whole
# number of steps n: a staircase around the smooth continuous-time curve.  Counting the Euler
# steps (`euler_isi_steps`) predicts every simulated rate.

# %%
rheobase = V_TH / (R * TAU)
print(f"rheobase V_th / (R tau) = {rheobase:.3f}: below it the membrane settles under threshold.")
currents = np.round(np.linspace(0.02, 0.30, 29), 4)
simulated = np.empty_like(currents)
T_MS = 2000
for i, cur in enumerate(currents):
    n = StochasticLIFNeuron(tau_mem=TAU, v_threshold=V_TH, dt=DT, seed=0)
    simulated[i] = n.run_constant(float(cur), int(T_MS / DT)).sum() / (T_MS / 1000.0)
analytic = np.array([analytic_rate_hz(float(c)) for c in currents])
print(f"{'I':>6} {'simulated':>10} {'analytic':>9} {'Euler pred.':>11}")
for cur, s, a in list(zip(currents, simulated, analytic, strict=True))[::4]:
    n_isi = euler_isi_steps(float(cur))
    pred = 1000.0 / (n_isi * DT) if n_isi else 0.0
    print(f"{cur:6.3f} {s:10.1f} {a:9.1f} {pred:11.1f}")
print("The simulation spikes only at whole milliseconds, so its rate is 1000/n Hz for an integer n:")
print("a staircase around the smooth analytic curve.  Near the rheobase Euler's slightly fast rise")
print("wins (simulated > analytic); at high rates rounding up to a whole step wins (simulated <")
print("analytic).  The Euler column, 1000/n for the exact step count n, matches up to the last,")
print("unfinished interval of the 2 s window.\n")

# %% [markdown]
# ## Noise and a refractory period
#
# Without noise every inter-spike interval (ISI) is exactly 20 ms.  Membrane noise (a random
# kick of standard deviation 0.05 each step) spreads the intervals: the coefficient of
# variation (CV = std/mean of the ISIs) goes from 0 to about 0.2.  A refractory period of
# 5 steps adds 5 ms to every interval: 25 ms, 40 Hz.

# %%
noisy = StochasticLIFNeuron(tau_mem=TAU, v_threshold=V_TH, dt=DT, noise_std=0.05, seed=1)
noisy_rec = BitstreamSpikeRecorder(dt_ms=DT)
noisy_rec.record_many(noisy.run_constant(I_EXAMPLE, 5000))
isi = noisy_rec.isi_ms()
print(f"with noise_std = 0.05 per step: {noisy_rec.firing_rate_hz():.1f} Hz, mean ISI "
      f"{isi.mean():.1f} ms, ISI CV {isi.std() / isi.mean():.2f} (0 without noise)")
hist, edges = noisy_rec.isi_histogram(bins=np.arange(0.5, 45.5, 1.0))
print(f"most common noisy ISI: {edges[hist.argmax()] + 0.5:.0f} ms")

refr = StochasticLIFNeuron(tau_mem=TAU, v_threshold=V_TH, dt=DT, refractory_period=5, seed=0)
refr_rate = refr.run_constant(I_EXAMPLE, 1000).sum()
print(f"refractory_period = 5 steps: ISI 20 + 5 = 25 steps -> {refr_rate:.0f} Hz (measured over 1 s)")

# %% [markdown]
# ## The figures
#
# `01_rate_vs_current.png`: the membrane trace at I = 0.08 (a sawtooth reset every 20 ms) and the
# simulated staircase against the analytic rate curve.  `01_isi_histogram.png`: the noisy ISIs
# spread around the single noiseless value of 20 ms.

# %%
out = figure_dir()
if out is None:
    print("\n(matplotlib not installed: no figures)")
else:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(10, 4), layout="constrained")
    ax1, ax2 = fig.subplots(1, 2)
    ax1.plot(np.arange(1, len(trace) + 1) * DT, trace)
    ax1.axhline(V_TH, color="r", ls="--", lw=1, label="V_th")
    ax1.set(xlabel="time (ms)", ylabel="V after each step (threshold units)",
            title=f"membrane at I = {I_EXAMPLE}")
    ax1.legend()
    fine = np.linspace(0.02, 0.30, 400)
    ax2.plot(fine, [analytic_rate_hz(float(c)) for c in fine], label="analytic (continuous time)")
    ax2.plot(currents, simulated, "o", ms=4, label="simulated, Euler dt = 1 ms")
    ax2.axvline(rheobase, color="gray", ls=":", label="rheobase")
    ax2.set(xlabel="current I (threshold units per ms)", ylabel="rate (Hz)", title="rate vs current")
    ax2.legend()
    save_figure(fig, out / "01_rate_vs_current.png")

    fig = Figure(figsize=(6, 4), layout="constrained")
    ax = fig.subplots()
    ax.bar(edges[:-1] + 0.5, hist, width=1.0, alpha=0.7, label="noise_std = 0.05")
    ax.axvline(n_steps * DT, color="k", lw=2, label=f"no noise: every ISI = {n_steps} ms")
    ax.axvline(isi_exact, color="r", ls="--", label=f"continuous ISI {isi_exact:.1f} ms")
    ax.set(xlabel="inter-spike interval (ms)", ylabel="intervals", title=f"ISI histogram, I = {I_EXAMPLE}")
    ax.legend()
    save_figure(fig, out / "01_isi_histogram.png")
    print(f"\nfigures written to {out}")

# %% [markdown]
# ## Try this
#
# Predict first, then change the code and run the cells again.
#
# * Set the refractory period to 10 steps.  Prediction: every interval becomes 20 + 10 = 30 steps,
#   so the refractory line prints 33 Hz.
# * Drive the example neuron at I = 0.10 instead of 0.08.  Prediction: the Euler count gives 14
#   steps per interval (71.4 Hz, against 72.1 Hz in continuous time), so the 200-step run shows
#   14 spikes: 70.0 Hz over 200 ms.
# * Double the membrane noise to noise_std = 0.1.  Prediction: the ISI CV roughly doubles (0.23 to
#   about 0.4) while the mean rate stays near 50 Hz (51.2 Hz in our run).
