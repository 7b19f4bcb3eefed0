"""Dense SC layer: bitstream current sources driving a population of LIF neurons."""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np

from sc_neurocore._current_source import (
    ACCUMULATION_MODES,
    BitstreamCurrentSource,
    PlaneTable,
    expected_current,
)
from sc_neurocore._encoder import check_range, normalise
from sc_neurocore._kernels._layer import layer_run, plane_sums, plane_values
from sc_neurocore._kernels._lif import noise_prefixes
from sc_neurocore._neuron import NEURON_PARAMS, StochasticLIFNeuron, validate_neuron_params
from sc_neurocore._rng import SeedLike, _check_seed, key_from_seed, spawn_generators
from sc_neurocore._validation import check_choice, check_count, check_dt_ms, check_known_keys, check_real

__all__ = ["SCDenseLayer"]


def _neuron_defaults() -> dict[str, Any]:
    sig = inspect.signature(StochasticLIFNeuron.__init__)
    return {name: sig.parameters[name].default for name in NEURON_PARAMS}


class SCDenseLayer:
    r"""``n_neurons`` LIF neurons driven by SC current sources, simulated in one kernel.

    Parameters
    ----------
    n_neurons : int
        Number of neurons, >= 1.
    x_inputs : array_like, shape (n_inputs,)
        Input values in [x_min, x_max], shared by every neuron.
    weight_values : array_like, shape (n_inputs,) or (n_neurons, n_inputs)
        1-D: one :class:`~sc_neurocore.BitstreamCurrentSource` whose current
        drives every neuron (neurons differ only by their noise).
        2-D: one source per neuron; the input streams are shared, each neuron
        has its own weight streams.
    x_min, x_max, w_min, w_max, length, y_min, y_max, accumulation
        As in :class:`~sc_neurocore.BitstreamCurrentSource` (default
        accumulation "or": mean current
        :math:`y_\min + (y_\max - y_\min)(1 - \prod_i(1 - p_{x,i} p_{w,i}))`;
        default current range 0..0.1, in which a default neuron (tau 20 ms,
        threshold 1) fires at 0..72 Hz).
    dt_ms : float
        Time step in ms; one step is one clock cycle and consumes one bit of
        every stream (streams wrap after ``length`` steps).
    neuron_params : dict, optional
        Keyword arguments of :class:`~sc_neurocore.StochasticLIFNeuron`
        (``v_rest``, ``v_reset``, ``v_threshold``, ``tau_mem``, ``dt``,
        ``noise_std``, ``resistance``, ``refractory_period``), shared by all
        neurons.  ``dt`` defaults to ``dt_ms`` and, if given, must equal it.
    base_seed : None, int, SeedSequence or Generator
        Root seed, spawned into two children
        (``numpy.random.default_rng(base_seed).spawn(2)``): child 0 keys the
        noise, neuron ``i`` drawing from noise stream (hash domain) ``i``, so
        every neuron has independent noise; child 1 seeds the current
        source(s).  Neuron ``i`` behaves exactly like
        ``StochasticLIFNeuron(seed=child0, noise_stream=i, **params)`` stepped
        with the same currents.  With 2-D weights the weight stream of neuron
        ``r``, input ``i`` has stream index ``r * n_inputs + i``.

    Notes
    -----
    :meth:`run` is a single numba kernel over (neurons, steps); repeated calls
    continue where the previous one stopped (state, stream cycle and noise
    counter), so ``run(a); run(b)`` equals ``run(a + b)``.
    """

    def __init__(
        self,
        n_neurons: int,
        x_inputs: Any,
        weight_values: Any,
        x_min: float = 0.0,
        x_max: float = 1.0,
        w_min: float = 0.0,
        w_max: float = 1.0,
        length: int = 1024,
        y_min: float = 0.0,
        y_max: float = 0.1,
        dt_ms: float = 1.0,
        neuron_params: dict[str, Any] | None = None,
        base_seed: SeedLike = None,
        accumulation: str = "or",
    ) -> None:
        self.n_neurons: int = check_count(n_neurons, "n_neurons", low=1)
        self.dt_ms: float = check_dt_ms(dt_ms)
        self.accumulation: str = check_choice(accumulation, "accumulation", ACCUMULATION_MODES)
        self.length: int = check_count(length, "length", low=1)
        self.x_min, self.x_max = check_range(x_min, x_max, "x_min", "x_max")
        self.w_min, self.w_max = check_range(w_min, w_max, "w_min", "w_max")
        self.y_min, self.y_max = check_range(y_min, y_max, "y_min", "y_max")
        _check_seed(base_seed, "base_seed")

        params = {} if neuron_params is None else neuron_params
        if not isinstance(params, dict):
            raise TypeError(f"neuron_params must be a dict or None; got {type(params).__name__}")
        check_known_keys(params, "neuron_params", NEURON_PARAMS)
        merged = _neuron_defaults()
        merged["dt"] = self.dt_ms
        merged.update(params)
        if "dt" in params and check_real(params["dt"], "neuron_params['dt']") != self.dt_ms:
            raise ValueError(
                f"neuron_params['dt'] must equal dt_ms ({self.dt_ms}); got {params['dt']}"
            )
        self.neuron_params: dict[str, Any] = validate_neuron_params(**merged)

        p_x = normalise(x_inputs, "x_inputs", self.x_min, self.x_max, clip=False)
        if p_x.ndim != 1 or p_x.size == 0:
            raise ValueError(f"x_inputs must be a non-empty 1-D sequence; got shape {p_x.shape}")
        p_w = normalise(weight_values, "weight_values", self.w_min, self.w_max, clip=False)
        n_in = p_x.size
        if p_w.shape not in ((n_in,), (self.n_neurons, n_in)):
            raise ValueError(
                f"weight_values must have shape ({n_in},) or ({self.n_neurons}, {n_in}); "
                f"got shape {p_w.shape}"
            )
        self.n_inputs: int = int(n_in)
        self.p_inputs: np.ndarray = p_x
        self.p_weights: np.ndarray = p_w

        noise_seed, source_seed = spawn_generators(base_seed, 2, "base_seed")
        k = key_from_seed(noise_seed)
        self._prefixes = noise_prefixes(k[0], k[1], self.n_neurons)
        self._span = self.y_max - self.y_min

        self.source: BitstreamCurrentSource | None
        if p_w.ndim == 1:
            self.source = BitstreamCurrentSource(
                x_inputs, self.x_min, self.x_max, weight_values, self.w_min, self.w_max,
                self.length, self.y_min, self.y_max, seed=source_seed, accumulation=self.accumulation,
            )
            self._table = self.source._table
            self._src_of = np.zeros(self.n_neurons, dtype=np.int64)
        else:
            self.source = None
            self._table = PlaneTable(p_x, p_w, self.length, self.accumulation, source_seed)
            self._src_of = np.arange(self.n_neurons, dtype=np.int64)
        self.reset()

    @property
    def shared_source(self) -> bool:
        """True when one current source drives every neuron (1-D weights)."""
        return self.source is not None

    def currents(self) -> np.ndarray:
        """Per-cycle current of every neuron, float64 (n_neurons, length) (unpacked, for inspection)."""
        a = plane_values(self._table.full(), self.length)[self._src_of]
        return self.y_min + self._span * a.astype(np.float64)

    def expected_currents(self) -> np.ndarray:
        """Theoretical mean current of every neuron, float64 (n_neurons,)."""
        p_w = np.broadcast_to(self.p_weights, (self.n_neurons, self.n_inputs))
        return np.asarray(expected_current(self.p_inputs, p_w, self.y_min, self.y_max, self.accumulation))

    def reset(self) -> None:
        """Neurons back to ``v_rest``, time and stream cycle back to 0, spikes forgotten."""
        self.v: np.ndarray = np.full(self.n_neurons, self.neuron_params["v_rest"], dtype=np.float64)
        self._refr = np.zeros(self.n_neurons, dtype=np.int64)
        self.t_steps: int = 0
        self._chunks: list[np.ndarray] = []

    def run(self, T: int) -> np.ndarray:  # the tutorial's name
        """Advance ``T`` steps; return the new spikes, uint8 (n_neurons, T)."""
        n_steps = check_count(T, "T", low=0)
        out = np.zeros((self.n_neurons, n_steps), dtype=np.uint8)
        p = self.neuron_params
        cycle0 = self.t_steps % self.length
        planes = self._table.ensure_cycles(cycle0, n_steps)
        layer_run(
            planes, self._src_of, cycle0, n_steps, self.length,
            self.y_min, self._span, self.v, self._refr, self.t_steps, self._prefixes,
            p["v_rest"], p["v_reset"], p["v_threshold"], p["tau_mem"], p["dt"],
            p["noise_std"], p["resistance"], p["refractory_period"], out,
        )
        self.t_steps += n_steps
        # appending is O(T); the history is joined only when read (joining on every call made
        # T calls of run(1) cost O(T^2)).  The caller gets its own copy: the chunk is ours.
        self._chunks.append(out)
        return out.copy()

    def _spikes(self) -> np.ndarray:
        """All spikes so far, uint8 (n_neurons, T_total); the stored array, not a copy."""
        if len(self._chunks) != 1:
            joined = (np.concatenate(self._chunks, axis=1) if self._chunks
                      else np.zeros((self.n_neurons, 0), dtype=np.uint8))
            self._chunks = [joined]
        return self._chunks[0]

    def get_spike_trains(self) -> np.ndarray:
        """All spikes so far, uint8 (n_neurons, T_total) (a copy)."""
        return self._spikes().copy()

    def firing_rates_hz(self) -> np.ndarray:
        """Rate of every neuron, ``spikes / (T_total * dt_ms / 1000)`` Hz (zeros before any run)."""
        counts = self._spikes().sum(axis=1, dtype=np.int64)
        if self.t_steps == 0:
            return np.zeros(self.n_neurons)
        return counts / (self.t_steps * self.dt_ms / 1000.0)

    def summary(self) -> dict[str, Any]:
        """Run statistics.

        Keys: ``"stats"`` (list of ``{"neuron", "total_spikes", "firing_rate_hz"}``),
        ``"n_neurons"``, ``"n_inputs"``, ``"t_steps"``, ``"duration_ms"``,
        ``"dt_ms"``, ``"length"``, ``"accumulation"``, ``"mean_rate_hz"``,
        ``"rate_cv"`` (std/mean of the rates, 0 when silent),
        ``"mean_current"`` and ``"expected_current"`` (per-neuron lists: the
        mean of the realised per-cycle current and its theoretical value).
        """
        counts = self._spikes().sum(axis=1, dtype=np.int64)
        rates = self.firing_rates_hz()
        mean_rate = float(rates.mean())
        return {
            "stats": [
                {"neuron": i, "total_spikes": int(counts[i]), "firing_rate_hz": float(rates[i])}
                for i in range(self.n_neurons)
            ],
            "n_neurons": self.n_neurons,
            "n_inputs": self.n_inputs,
            "t_steps": self.t_steps,
            "duration_ms": self.t_steps * self.dt_ms,
            "dt_ms": self.dt_ms,
            "length": self.length,
            "accumulation": self.accumulation,
            "mean_rate_hz": mean_rate,
            "rate_cv": float(rates.std() / mean_rate) if mean_rate > 0 else 0.0,
            "mean_current": [
                self.y_min + self._span * float(s) / self.length
                for s in plane_sums(self._table.full())[self._src_of]
            ],
            "expected_current": [float(e) for e in self.expected_currents()],
        }

    def __repr__(self) -> str:
        return (
            f"SCDenseLayer(n_neurons={self.n_neurons}, n_inputs={self.n_inputs}, "
            f"length={self.length}, accumulation={self.accumulation!r}, t_steps={self.t_steps})"
        )
