"""The ``sc-neurocore demo`` tour (private; the command line lives in :mod:`sc_neurocore._cli`).

Three short experiments, each printed next to the theory it should match:

1. **SC multiplication.**  Two values become independent Bernoulli bitstreams;
   their AND is a stream of density :math:`p q`.  The decoded estimate is
   compared with the exact product and with the binomial standard error
   :math:`\\sqrt{pq(1 - pq)/L}`, for single products and over many
   independent repetitions.
2. **One LIF neuron** at constant current, against the analytic inter-spike
   interval :math:`T = -\\tau \\ln(1 - V_\\theta / (R I \\tau))` and against the
   exact prediction of the Euler scheme the neuron uses.
3. **A dense SC layer** (the "first SNN" tutorial's 8-input, 4-neuron
   example): mean current against its expected value, and firing rates.

With matplotlib installed, each experiment also saves a figure.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

__all__ = [
    "DemoResult",
    "FigureWriteError",
    "euler_isi_steps",
    "lif_analytic_rate_hz",
    "matplotlib_available",
    "run_demo",
]

# The tutorial's single-neuron example.
LIF_CURRENT = 0.08
LIF_TAU = 20.0
LIF_THRESHOLD = 1.0
LIF_RESISTANCE = 1.0
LIF_DT = 1.0
LIF_STEPS = 1000

# The tutorial's dense-layer example.
LAYER_INPUTS = (0.3, 0.7, 0.5, 0.2, 0.9, 0.4, 0.6, 0.8)
LAYER_WEIGHTS = (0.5, 0.6, 0.4, 0.3, 0.7, 0.5, 0.8, 0.2)
LAYER_NEURONS = 4
LAYER_STEPS = 500

# (p, q) pairs multiplied in part 1; the first is also repeated many times.
PRODUCT_PAIRS = ((0.6, 0.5), (0.3, 0.8), (0.9, 0.25))


def lif_analytic_rate_hz(current: float, tau: float, threshold: float, resistance: float = 1.0) -> float:
    r"""Continuous-time firing rate (Hz) of a noiseless LIF neuron at constant current.

    With :math:`V_\text{rest} = V_\text{reset} = 0` and no refractory period,
    :math:`V(t) = R I \tau (1 - e^{-t/\tau})` reaches :math:`V_\theta` after

    .. math:: T = -\tau \ln\left(1 - \frac{V_\theta}{R I \tau}\right)\ \text{ms},

    so the rate is :math:`1000 / T` Hz; 0 when :math:`R I \tau \le V_\theta`
    (the membrane settles below threshold).
    """
    drive = resistance * current * tau
    if drive <= threshold:
        return 0.0
    return 1000.0 / (-tau * math.log(1.0 - threshold / drive))


def euler_isi_steps(current: float, tau: float, threshold: float, dt: float, resistance: float = 1.0) -> int:
    r"""Inter-spike interval, in steps, of the Euler-discretised noiseless LIF neuron.

    The update :math:`V \leftarrow V + dt(-V/\tau + R I)` from :math:`V_0 = 0`
    gives :math:`V_n = R I \tau (1 - a^n)` with :math:`a = 1 - dt/\tau`, so the
    first step with :math:`V_n \ge V_\theta` is found by iterating the same
    update (exact in floating point, unlike a closed-form ``ceil`` that can
    land on the wrong side of a tie).  Returns 0 if the neuron never fires.
    """
    if resistance * current * tau <= threshold:
        return 0
    v = 0.0
    for n in range(1, 10**7):
        v = v + dt * (-v / tau + resistance * current)
        if v >= threshold:
            return n
    return 0


def matplotlib_available() -> bool:
    """True if matplotlib can be imported (the ``plot`` extra)."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


@dataclass
class DemoResult:
    """Numbers measured by :func:`run_demo` (also printed)."""

    length: int
    products: list[dict[str, float]] = field(default_factory=list)
    trials: int = 0
    trial_rms_error: float = 0.0
    trial_standard_error: float = 0.0
    lif_rate_hz: float = 0.0
    lif_analytic_hz: float = 0.0
    lif_euler_hz: float = 0.0
    lif_isi_ms: float = 0.0
    layer_rates_hz: list[float] = field(default_factory=list)
    layer_mean_current: float = 0.0
    layer_expected_current: float = 0.0
    figures: list[Path] = field(default_factory=list)


def _sc_multiply(result: DemoResult, seed: int, trials: int, say: Callable[[str], None]) -> dict[str, Any]:
    from sc_neurocore import bitstream as bs
    from sc_neurocore._rng import spawn_generators

    L = result.length
    say(f"1. SC multiplication: AND of two independent Bernoulli streams, L = {L} bits")
    say("   A value p in [0, 1] is a stream whose bits are 1 with probability p; for independent")
    say("   streams P(a AND b) = p*q.  Decoding counts the ones, so the estimate is binomial with")
    say("   standard error SE = sqrt(pq(1-pq)/L).")
    say(f"   {'p':>5} {'q':>5} {'exact':>8} {'SC':>8} {'error':>9} {'SE':>8} {'error/SE':>9}")
    gens = spawn_generators(seed, 4)
    p = np.array([a for a, _ in PRODUCT_PAIRS])
    q = np.array([b for _, b in PRODUCT_PAIRS])
    # Inputs and weights come from different spawned seeds: equal seeds and stream
    # indices would give identical streams, whose AND is min(p, q), not p*q.
    a = bs.bernoulli(p, L, seed=gens[0])
    b = bs.bernoulli(q, L, seed=gens[1])
    est = np.asarray(bs.decode(bs.and_(a, b), L), dtype=np.float64)
    for i in range(p.size):
        exact = float(p[i] * q[i])
        se = float(bs.binomial_standard_error(exact, L))
        err = float(est[i]) - exact
        result.products.append(
            {"p": float(p[i]), "q": float(q[i]), "exact": exact, "estimate": float(est[i]), "se": se}
        )
        say(f"   {p[i]:5.2f} {q[i]:5.2f} {exact:8.4f} {est[i]:8.4f} {err:+9.4f} {se:8.4f} {err / se:+9.2f}")

    # Many independent repetitions of the first product: the spread of the
    # estimates should match SE (the standard error *is* that spread).
    p0, q0 = PRODUCT_PAIRS[0]
    exact0 = p0 * q0
    ta = bs.bernoulli(np.full(trials, p0), L, seed=gens[2])
    tb = bs.bernoulli(np.full(trials, q0), L, seed=gens[3])
    t_est = np.asarray(bs.decode(bs.and_(ta, tb), L), dtype=np.float64)
    result.trials = trials
    result.trial_rms_error = float(np.sqrt(np.mean((t_est - exact0) ** 2)))
    result.trial_standard_error = float(bs.binomial_standard_error(exact0, L))
    say(f"   {trials} independent repetitions of {p0} x {q0}: RMS error {result.trial_rms_error:.5f}, "
        f"theory SE {result.trial_standard_error:.5f}")
    say(f"   (ratio {result.trial_rms_error / result.trial_standard_error:.2f}; 1 is perfect agreement).  "
        "Halving the error needs 4x the bits.")
    say(f"   For +-0.01 at 95% confidence: L = {int(bs.required_length(0.01, 0.05))} bits "
        "(Hoeffding bound, any p).")
    return {"estimates": t_est, "exact": exact0, "se": result.trial_standard_error}


def _single_neuron(result: DemoResult, say: Callable[[str], None]) -> dict[str, Any]:
    from sc_neurocore import BitstreamSpikeRecorder, StochasticLIFNeuron

    say("")
    say(f"2. One LIF neuron: I = {LIF_CURRENT}, tau_mem = {LIF_TAU} ms, V_th = {LIF_THRESHOLD}, "
        f"R = {LIF_RESISTANCE},")
    say(f"   dt = {LIF_DT} ms, no noise, {LIF_STEPS} steps")
    neuron = StochasticLIFNeuron(
        v_rest=0.0, v_reset=0.0, v_threshold=LIF_THRESHOLD, tau_mem=LIF_TAU, dt=LIF_DT,
        noise_std=0.0, resistance=LIF_RESISTANCE, seed=0,
    )
    recorder = BitstreamSpikeRecorder(dt_ms=LIF_DT)
    trace = np.empty(LIF_STEPS)
    for k in range(LIF_STEPS):
        recorder.record(neuron.step(LIF_CURRENT))
        trace[k] = neuron.v
    analytic = lif_analytic_rate_hz(LIF_CURRENT, LIF_TAU, LIF_THRESHOLD, LIF_RESISTANCE)
    n_isi = euler_isi_steps(LIF_CURRENT, LIF_TAU, LIF_THRESHOLD, LIF_DT, LIF_RESISTANCE)
    result.lif_rate_hz = recorder.firing_rate_hz()
    result.lif_analytic_hz = analytic
    result.lif_euler_hz = 1000.0 / (n_isi * LIF_DT)
    result.lif_isi_ms = 1000.0 / analytic
    say(f"   {'measured rate':22s}{result.lif_rate_hz:6.1f} Hz  ({recorder.total_spikes()} spikes in "
        f"{recorder.duration_ms():.0f} ms)")
    say(f"   {'analytic (continuous)':22s}{analytic:6.1f} Hz  (ISI = -tau ln(1 - V_th/(R I tau)) = "
        f"{result.lif_isi_ms:.2f} ms)")
    say(f"   {'Euler prediction':22s}{result.lif_euler_hz:6.1f} Hz  (V first reaches V_th on step {n_isi})")
    n_real = math.log(1.0 - LIF_THRESHOLD / (LIF_RESISTANCE * LIF_CURRENT * LIF_TAU)) / math.log(
        1.0 - LIF_DT / LIF_TAU
    )
    say(f"   The Euler membrane would reach V_th after {n_real:.2f} steps (slightly sooner than the exact")
    say(f"   {result.lif_isi_ms:.2f} ms), but a spike can only happen at the end of a whole step, so the")
    say(f"   interval is {n_isi} steps: {result.lif_euler_hz:.1f} Hz instead of {analytic:.1f} Hz; "
        "the gap shrinks with dt.")
    say("   (The '~60 Hz' sometimes quoted for this example is wrong.)")

    # Rate-vs-current curve for the figure: simulated (Euler) against the formula.
    currents = np.linspace(0.04, 0.30, 27)
    sim = np.empty_like(currents)
    for i, cur in enumerate(currents):
        n = StochasticLIFNeuron(tau_mem=LIF_TAU, v_threshold=LIF_THRESHOLD, dt=LIF_DT, seed=0)
        sim[i] = n.run_constant(float(cur), 2000).sum() / 2.0  # spikes per 2000 ms -> Hz
    theory = np.array([lif_analytic_rate_hz(float(c), LIF_TAU, LIF_THRESHOLD) for c in currents])
    return {"trace": trace, "spikes": recorder.to_array(), "currents": currents, "sim": sim, "theory": theory}


def _dense_layer(result: DemoResult, seed: int, say: Callable[[str], None]) -> dict[str, Any]:
    from sc_neurocore import SCDenseLayer

    say("")
    say(f"3. Dense SC layer: {len(LAYER_INPUTS)} inputs -> {LAYER_NEURONS} neurons, one shared SC "
        f"current source")
    say(f"   (OR accumulation), noise_std = 0.02, {LAYER_STEPS} steps")
    layer = SCDenseLayer(
        n_neurons=LAYER_NEURONS, x_inputs=list(LAYER_INPUTS), weight_values=list(LAYER_WEIGHTS),
        x_min=0.0, x_max=1.0, w_min=0.0, w_max=1.0, length=2048, y_min=0.0, y_max=0.1, dt_ms=1.0,
        neuron_params={"tau_mem": 20.0, "v_threshold": 1.0, "noise_std": 0.02}, base_seed=seed,
    )
    layer.run(LAYER_STEPS)
    summary = layer.summary()
    result.layer_rates_hz = [float(s["firing_rate_hz"]) for s in summary["stats"]]
    result.layer_mean_current = float(np.mean(summary["mean_current"]))
    result.layer_expected_current = float(np.mean(summary["expected_current"]))
    say(f"   mean current {result.layer_mean_current:.4f}; "
        f"expected y_max (1 - prod(1 - x_i w_i)) = {result.layer_expected_current:.4f}")
    for s in summary["stats"]:
        say(f"   neuron {s['neuron']}: {s['total_spikes']:3d} spikes, {s['firing_rate_hz']:5.1f} Hz")
    rates = np.array(result.layer_rates_hz)
    mean = rates.mean()
    spread = rates.std() / mean * 100 if mean > 0 else 0.0
    noiseless = lif_analytic_rate_hz(result.layer_expected_current, 20.0, 1.0)
    say(f"   mean {mean:.1f} Hz, spread {spread:.1f}% (std/mean): the neurons share one current and")
    say("   differ only by their noise.  A noiseless neuron at the constant mean current would")
    say(f"   fire at {noiseless:.1f} Hz (continuous formula).")
    return {"spikes": layer.get_spike_trains()}


class FigureWriteError(RuntimeError):
    """The demo ran but its figures could not be written (the message names the directory)."""


def _save_figures(
    out_dir: Path, sc: dict[str, Any], lif: dict[str, Any], dense: dict[str, Any]
) -> list[Path]:
    from matplotlib.figure import Figure

    out_dir.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []

    fig = Figure(figsize=(6, 4), layout="constrained")
    ax = fig.subplots()
    est, exact, se = sc["estimates"], sc["exact"], sc["se"]
    ax.hist(est, bins=30, density=True, alpha=0.6, label=f"{est.size} SC estimates")
    xs = np.linspace(exact - 4 * se, exact + 4 * se, 200)
    ax.plot(xs, np.exp(-0.5 * ((xs - exact) / se) ** 2) / (se * math.sqrt(2 * math.pi)),
            label="normal, binomial SE")
    ax.axvline(exact, color="k", lw=1, label=f"exact {exact:.2f}")
    ax.set_xlabel("decoded value of AND stream")
    ax.set_ylabel("density")
    ax.set_title("SC multiplication 0.6 x 0.5")
    ax.legend()
    paths.append(out_dir / "demo_sc_multiply.png")
    fig.savefig(paths[-1], dpi=100)

    fig = Figure(figsize=(10, 4), layout="constrained")
    ax1, ax2 = fig.subplots(1, 2)
    t = np.arange(1, 201) * LIF_DT
    ax1.plot(t, lif["trace"][:200])
    ax1.axhline(LIF_THRESHOLD, color="r", ls="--", lw=1, label="threshold")
    ax1.set_xlabel("time (ms)")
    ax1.set_ylabel("membrane potential V")
    ax1.set_title(f"LIF at I = {LIF_CURRENT} (after each step)")
    ax1.legend()
    ax2.plot(lif["currents"], lif["theory"], label="analytic (continuous)")
    ax2.plot(lif["currents"], lif["sim"], "o", ms=3, label="simulated (Euler, dt = 1 ms)")
    ax2.set_xlabel("current I")
    ax2.set_ylabel("rate (Hz)")
    ax2.set_title("rate vs current")
    ax2.legend()
    paths.append(out_dir / "demo_lif.png")
    fig.savefig(paths[-1], dpi=100)

    fig = Figure(figsize=(8, 3), layout="constrained")
    ax = fig.subplots()
    spikes = dense["spikes"]
    for i in range(spikes.shape[0]):
        times = np.flatnonzero(spikes[i]) + 1
        ax.vlines(times, i + 0.6, i + 1.4)
    ax.set_xlabel("time (ms)")
    ax.set_ylabel("neuron")
    ax.set_yticks(range(1, spikes.shape[0] + 1), [str(i) for i in range(spikes.shape[0])])
    ax.set_title("dense SC layer: spike raster")
    paths.append(out_dir / "demo_dense_raster.png")
    fig.savefig(paths[-1], dpi=100)
    return paths


def run_demo(
    seed: int = 2024,
    length: int = 4096,
    trials: int = 200,
    out_dir: str | os.PathLike[str] | None = None,
    say: Callable[[str], None] = print,
) -> DemoResult:
    """Run the tour, printing through ``say``; save figures into ``out_dir`` unless it is None.

    Parameters
    ----------
    seed : int
        Root seed of every random stream (>= 0); the same seed prints the same numbers.
    length : int
        Stream length L of the multiplication experiment (bits, >= 1).
    trials : int
        Independent repetitions used to measure the error spread (>= 2).
    out_dir : path or None
        Where to write PNG figures (created if needed); None writes none.
        Requires matplotlib.
    say : callable
        Receives each output line.
    """
    result = DemoResult(length=length)
    say(f"sc-neurocore demo (seed {seed})")
    say("")
    sc = _sc_multiply(result, seed, trials, say)
    lif = _single_neuron(result, say)
    dense = _dense_layer(result, seed, say)
    say("")
    if out_dir is not None:
        try:
            result.figures = _save_figures(Path(out_dir), sc, lif, dense)
        except OSError as exc:
            raise FigureWriteError(f"could not write figures to {str(out_dir)!r}: {exc}") from exc
        say(f"Figures written to {Path(out_dir).resolve()}:")
        for p in result.figures:
            say(f"   {p.name}")
    return result
