"""Recorded output: spike event lists and membrane traces (private; re-exported)."""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["SpikeEvents", "StateTrace"]


class SpikeEvents:
    """Spikes as a compact event list: ``neurons[e]`` spiked on step ``steps[e]``.

    Events are ordered by step, then by neuron index.  ``t_start``/``t_stop`` is
    the half-open window of steps that was simulated, ``dt`` the step in ms.
    """

    def __init__(self, neurons: np.ndarray, steps: np.ndarray, *, n_neurons: int, dt: float,
                 t_start: int, t_stop: int) -> None:
        self.neurons = np.ascontiguousarray(neurons, dtype=np.int32)
        self.steps = np.ascontiguousarray(steps, dtype=np.int32)
        self.n_neurons = int(n_neurons)
        self.dt = float(dt)
        self.t_start = int(t_start)
        self.t_stop = int(t_stop)

    def __len__(self) -> int:
        return int(self.neurons.shape[0])

    @property
    def times_ms(self) -> np.ndarray:
        """Spike times in ms (``step * dt``), float64."""
        return self.steps.astype(np.float64) * self.dt

    @property
    def duration_ms(self) -> float:
        return (self.t_stop - self.t_start) * self.dt

    def counts(self) -> np.ndarray:
        """Spike count per neuron, shape (n_neurons,), int64."""
        return np.bincount(self.neurons, minlength=self.n_neurons).astype(np.int64)

    def rates_hz(self) -> np.ndarray:
        """Mean rate per neuron in Hz over the window."""
        d = self.duration_ms
        return self.counts() / (d / 1000.0) if d > 0 else np.zeros(self.n_neurons)

    def mean_rate_hz(self, neurons: Any = None) -> float:
        """Population rate in Hz (over all neurons or the given subset)."""
        r = self.rates_hz()
        return float(r.mean() if neurons is None else r[np.asarray(neurons)].mean())

    def window(self, t_start: int, t_stop: int) -> SpikeEvents:
        """Events with ``t_start <= step < t_stop``."""
        m = (self.steps >= t_start) & (self.steps < t_stop)
        return SpikeEvents(self.neurons[m], self.steps[m], n_neurons=self.n_neurons, dt=self.dt,
                           t_start=t_start, t_stop=t_stop)

    def to_dense(self, neurons: Any = None) -> np.ndarray:
        """Dense uint8 raster ``(t_stop - t_start, len(neurons))`` (time x neuron), for small selections."""
        sel = np.arange(self.n_neurons) if neurons is None else np.asarray(neurons, dtype=np.int64)
        col = np.full(self.n_neurons, -1, dtype=np.int64)
        col[sel] = np.arange(sel.shape[0])
        out = np.zeros((self.t_stop - self.t_start, sel.shape[0]), dtype=np.uint8)
        c = col[self.neurons]
        m = c >= 0
        out[self.steps[m] - self.t_start, c[m]] = 1
        return out

    def spike_trains(self) -> list[np.ndarray]:
        """Per-neuron arrays of spike steps."""
        order = np.argsort(self.neurons, kind="stable")
        bounds = np.searchsorted(self.neurons[order], np.arange(self.n_neurons + 1))
        st = self.steps[order]
        return [st[bounds[i]: bounds[i + 1]] for i in range(self.n_neurons)]

    def __repr__(self) -> str:
        return (f"SpikeEvents({len(self)} spikes, {self.n_neurons} neurons, "
                f"steps [{self.t_start}, {self.t_stop}))")


class StateTrace:
    """Monitored membrane potentials: ``v[k, j]`` is neuron ``neurons[j]`` after step ``t_start + k``."""

    def __init__(self, neurons: np.ndarray, v: np.ndarray, *, dt: float, t_start: int) -> None:
        self.neurons = neurons
        self.v = v
        self.dt = float(dt)
        self.t_start = int(t_start)

    @property
    def times_ms(self) -> np.ndarray:
        return (self.t_start + np.arange(self.v.shape[0])) * self.dt
