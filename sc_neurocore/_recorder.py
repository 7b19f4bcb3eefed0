"""Spike recorder: a growing 0/1 spike train with rate and ISI statistics."""

from __future__ import annotations

from typing import Any

import numpy as np

from sc_neurocore._validation import (
    check_binary_array,
    check_count,
    check_dt_ms,
    check_finite_array,
    check_real,
)

__all__ = ["BitstreamSpikeRecorder"]


class BitstreamSpikeRecorder:
    """Record one neuron's output, one bit per time step of ``dt_ms`` milliseconds.

    Time convention: the spike returned by step ``k`` (0-based) is stamped at
    the end of that step, ``t = (k + 1) * dt_ms``.  Inter-spike intervals are
    differences of these times, so they do not depend on the convention.

    Parameters
    ----------
    dt_ms : float
        Duration of one recorded step in ms, > 0.
    """

    def __init__(self, dt_ms: float = 1.0) -> None:
        self.dt_ms: float = check_dt_ms(dt_ms)
        self._bits = bytearray()

    def record(self, spike: Any) -> None:
        """Append one step's output: 0/1 (int, numpy integer) or bool."""
        if isinstance(spike, (bool, np.bool_)):
            self._bits.append(int(spike))
            return
        if not isinstance(spike, (int, np.integer)):
            raise TypeError(f"spike must be 0, 1 or a bool; got {type(spike).__name__} {spike!r}")
        if spike not in (0, 1):
            raise ValueError(f"spike must be 0, 1 or a bool; got {spike!r}")
        self._bits.append(int(spike))

    def record_many(self, spikes: Any) -> None:
        """Append a whole 1-D 0/1 train (e.g. a row of ``SCDenseLayer.get_spike_trains()``)."""
        arr = check_binary_array(spikes, "spikes")
        if arr.ndim != 1:
            raise ValueError(f"spikes must be 1-dimensional; got shape {arr.shape}")
        self._bits.extend(arr.tobytes())

    @property
    def n_steps(self) -> int:
        """Number of recorded steps."""
        return len(self._bits)

    def to_array(self) -> np.ndarray:
        """The recorded train as a uint8 array of shape ``(n_steps,)`` (a copy)."""
        return np.frombuffer(bytes(self._bits), dtype=np.uint8).copy()

    def total_spikes(self) -> int:
        """Number of recorded spikes."""
        return int(self._bits.count(1))

    def duration_ms(self) -> float:
        """Recorded time, ``n_steps * dt_ms``."""
        return self.n_steps * self.dt_ms

    def firing_rate_hz(self) -> float:
        """Mean rate ``total_spikes / (n_steps * dt_ms / 1000)`` in Hz (0.0 before any step)."""
        if not self._bits:
            return 0.0
        return self.total_spikes() / (self.duration_ms() / 1000.0)

    def spike_times_ms(self) -> np.ndarray:
        """Spike times ``(k + 1) * dt_ms`` in ms, float64, ascending."""
        idx = np.flatnonzero(self.to_array())
        return (idx + 1) * self.dt_ms

    def isi_ms(self) -> np.ndarray:
        """Inter-spike intervals in ms (empty with fewer than two spikes)."""
        return np.diff(self.spike_times_ms())

    def isi_histogram(self, bins: Any = 20, range: Any = None) -> tuple[np.ndarray, np.ndarray]:  # noqa: A002
        """Histogram of the inter-spike intervals in ms.

        Same semantics as :func:`numpy.histogram` (``bins`` an int or edges,
        optional ``range``); returns ``(counts, edges)``.  With fewer than two
        spikes the counts are all zero.

        Raises
        ------
        TypeError, ValueError
            If ``bins`` is neither an int >= 1 nor a 1-D array of at least two
            finite, strictly increasing edges, or ``range`` is neither None
            nor a pair ``(lo, hi)`` of finite reals with ``lo < hi``.
        """
        if isinstance(bins, (int, np.integer)) and not isinstance(bins, (bool, np.bool_)):
            bins = check_count(bins, "bins", low=1)
        else:
            if isinstance(bins, (bool, np.bool_, str, bytes)) or bins is None:
                raise TypeError(
                    f"bins must be an int >= 1 or an array of bin edges; got {type(bins).__name__} {bins!r}"
                )
            edges = check_finite_array(bins, "bins", ndim=1)
            if edges.size < 2 or np.any(np.diff(edges) <= 0):
                raise ValueError(
                    f"bins must be at least two strictly increasing edges; got {edges.tolist()!r}"
                )
            bins = edges
        if range is not None:
            if isinstance(range, (str, bytes, dict)) or not hasattr(range, "__len__") or len(range) != 2:
                raise TypeError(f"range must be None or a pair (lo, hi); got {range!r}")
            lo = check_real(range[0], "range[0]")
            hi = check_real(range[1], "range[1]")
            if not lo < hi:
                raise ValueError(f"range must have lo < hi; got ({lo}, {hi})")
            range = (lo, hi)
        return np.histogram(self.isi_ms(), bins=bins, range=range)

    def reset(self) -> None:
        """Forget everything recorded."""
        self._bits = bytearray()

    def __len__(self) -> int:
        return self.n_steps
