"""Recorded output: spike event lists and membrane traces (private; re-exported)."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._validation import check_dt_ms, check_int

__all__ = ["SpikeEvents", "StateTrace"]

#: Neuron ids and steps are int32 in the network engine.
_MAX_INT32 = 2**31 - 1


def _check_ids(value: Any, name: str) -> np.ndarray:
    a = np.asarray(value)
    if a.ndim != 1 or (a.size and (a.dtype == np.bool_ or not np.issubdtype(a.dtype, np.integer))):
        raise ValueError(f"{name} must be a 1-d integer array; got shape {a.shape} dtype {a.dtype}")
    return a


class SpikeEvents:
    """Spikes as a compact event list: ``neurons[e]`` spiked on step ``steps[e]``.

    The engine emits events ordered by step, then by neuron index (records
    built by hand may come in any order).  ``t_start``/``t_stop`` is the
    half-open window of steps that was simulated, ``dt`` the step in ms.

    Parameters
    ----------
    neurons, steps : array of int, shape (E,)
        Neuron id (in ``[0, n_neurons)``) and step (in ``[t_start, t_stop)``) of each event.
    n_neurons : int
        Number of neurons, ``1 <= n_neurons <= 2**31 - 1``.
    dt : float
        Step in ms, in ``DT_MS_RANGE`` = [1e-12, 1e9].
    t_start, t_stop : int
        Window of steps, ``0 <= t_start <= t_stop <= 2**31 - 1``.

    Raises
    ------
    TypeError
        Non-integer ``n_neurons``/``t_start``/``t_stop`` or non-real ``dt``.
    ValueError
        Out-of-range values or ids/steps outside the window, naming the parameter.
    """

    def __init__(self, neurons: Any, steps: Any, *, n_neurons: int, dt: float,
                 t_start: int, t_stop: int) -> None:
        nn = check_int(n_neurons, "n_neurons", low=1, high=_MAX_INT32)
        dtv = check_dt_ms(dt, "dt")
        t0 = check_int(t_start, "t_start", low=0, high=_MAX_INT32)
        t1 = check_int(t_stop, "t_stop", low=t0, high=_MAX_INT32)
        nrn = _check_ids(neurons, "neurons")
        stp = _check_ids(steps, "steps")
        if stp.shape != nrn.shape:
            raise ValueError(f"steps must have the same shape as neurons {nrn.shape}; got shape {stp.shape}")
        if nrn.size and (nrn.min() < 0 or nrn.max() >= nn):
            bad = int(nrn.min() if nrn.min() < 0 else nrn.max())
            raise ValueError(f"neurons must be in [0, {nn - 1}]; got {bad}")
        if stp.size and (stp.min() < t0 or stp.max() >= t1):
            bad = int(stp.min() if stp.min() < t0 else stp.max())
            raise ValueError(f"steps must be in [t_start, t_stop) = [{t0}, {t1}); got {bad}")
        self._set(np.ascontiguousarray(nrn, dtype=np.int32), np.ascontiguousarray(stp, dtype=np.int32),
                  nn, dtv, t0, t1)

    def _set(self, neurons: np.ndarray, steps: np.ndarray, n_neurons: int, dt: float,
             t_start: int, t_stop: int) -> None:
        self.neurons = neurons
        self.steps = steps
        self.n_neurons = n_neurons
        self.dt = dt
        self.t_start = t_start
        self.t_stop = t_stop

    @classmethod
    def _trusted(cls, neurons: np.ndarray, steps: np.ndarray, *, n_neurons: int, dt: float,
                 t_start: int, t_stop: int) -> SpikeEvents:
        """Wrap int32 event arrays produced by the engine (already valid) without re-checking."""
        self = cls.__new__(cls)
        self._set(np.ascontiguousarray(neurons, dtype=np.int32), np.ascontiguousarray(steps, dtype=np.int32),
                  int(n_neurons), float(dt), int(t_start), int(t_stop))
        return self

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
        return float(r.mean() if neurons is None else r[self._selection(neurons)].mean())

    def _selection(self, neurons: Any) -> np.ndarray:
        a = _check_ids(neurons, "neurons")
        if a.size == 0:
            raise ValueError("neurons must select at least one neuron; got an empty array")
        if a.min() < 0 or a.max() >= self.n_neurons:
            bad = int(a.min() if a.min() < 0 else a.max())
            raise ValueError(f"neurons must be in [0, {self.n_neurons - 1}]; got {bad}")
        return a.astype(np.int64)

    def window(self, t_start: int, t_stop: int) -> SpikeEvents:
        """Events with ``t_start <= step < t_stop`` (``0 <= t_start <= t_stop <= 2**31 - 1``)."""
        t0 = check_int(t_start, "t_start", low=0, high=_MAX_INT32)
        t1 = check_int(t_stop, "t_stop", low=t0, high=_MAX_INT32)
        m = (self.steps >= t0) & (self.steps < t1)
        return SpikeEvents._trusted(self.neurons[m], self.steps[m], n_neurons=self.n_neurons, dt=self.dt,
                                    t_start=t0, t_stop=t1)

    def to_dense(self, neurons: Any = None) -> np.ndarray:
        """Dense uint8 raster ``(t_stop - t_start, len(neurons))`` (time x neuron), for small selections."""
        sel = np.arange(self.n_neurons) if neurons is None else self._selection(neurons)
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
