"""What the clock-driven :class:`Network` and the :class:`EventDrivenNetwork` share (private).

One base class, :class:`EngineBase`: the population, the synapse model
(``synapse``, ``w_scale``, ``lfsr_width`` and the keys of the SC bits and
LFSR seeds), the checks of STDP against it, and short-term plasticity; and
the input checks both engines make.  Each engine keeps only what differs (its
state, its inputs' representation, its kernel call).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._rng import SeedLike, spawn_keys
from .._validation import check_choice, check_int, check_real
from ._connectivity import Connectivity
from ._plasticity import STDP
from ._population import Population, check_f32
from ._stp import TsodyksMarkram, fresh_rows, resolve_stp, stp_uv

__all__ = ["SYNAPSE_MODES", "EngineBase", "check_neuron_ids", "check_targets", "empty_connectivity",
           "max_abs"]

SYNAPSE_MODES = ("deterministic", "bernoulli", "lfsr")


def max_abs(a: np.ndarray) -> float:
    """``max |a|`` of a non-empty array without an ``|a|`` temporary (two reductions)."""
    return max(abs(float(a.max())), abs(float(a.min())))


def empty_connectivity(n: int) -> Connectivity:
    """``n x n`` synapses: none."""
    return Connectivity._trusted(np.zeros(n + 1, np.int32), np.zeros(0, np.int32), np.zeros(0, np.float32),
                                 np.ones(0, np.int8), n)


def check_neuron_ids(value: object, name: str, n: int) -> np.ndarray:
    """A 1-d integer array of neuron indices in ``[0, n - 1]`` as int32, or a ValueError naming ``name``."""
    a = np.asarray(value)
    if a.ndim != 1 or (a.size and not np.issubdtype(a.dtype, np.integer)):
        raise ValueError(f"{name} must be a 1-d integer array; got shape {a.shape} dtype {a.dtype}")
    if a.size and (a.min() < 0 or a.max() >= n):
        bad = int(a.min() if a.min() < 0 else a.max())
        raise ValueError(f"{name} must be in [0, {n - 1}]; got {bad}")
    return a.astype(np.int32)


def check_targets(targets: np.ndarray, n: int) -> None:
    """Raise unless every input target (integers >= 0, as the inputs make them) is below ``n``."""
    if targets.size and int(targets.max()) >= n:
        raise ValueError(f"targets must be in [0, {n - 1}]; got {int(targets.max())}")


class EngineBase:
    """Population, synapse model, STDP checks and short-term plasticity of both network engines.

    A subclass calls :meth:`_set_population` first, then (with its
    connectivity) :meth:`_set_synapse_model`, and keeps the simulated time in
    ``_t`` (0 before the first run).
    """

    _pop: Population
    _conn: Connectivity
    _t: Any  # simulated time: steps (Network, int) or ms (EventDrivenNetwork, float)
    _synapse: str
    _w_scale: float
    _lfsr_width: int
    _stdp: STDP | None

    def _set_population(self, population: Population) -> None:
        if not isinstance(population, Population):
            raise TypeError(f"population must be a Population; got {type(population).__name__}")
        self._pop = population

    def _set_synapse_model(self, conn: Connectivity, synapse: str, w_scale: float | None, lfsr_width: int,
                           seed: SeedLike) -> float:
        """Check ``conn`` against the population and set the synapse model; returns ``max |w|`` (1 if none).

        ``|w| <= w_scale`` in SC mode is the subclass's check (:meth:`_check_sc_weights`), after its own.
        """
        n = self._pop.n
        if conn.n_pre != n or conn.n_post != n:
            raise ValueError(f"connectivity must be {n} x {n} to match the population; "
                             f"got {conn.n_pre} x {conn.n_post}")
        self._synapse = check_choice(synapse, "synapse", SYNAPSE_MODES)
        self._lfsr_width = check_int(lfsr_width, "lfsr_width", low=3, high=32)
        wmax = max_abs(conn.weights) if conn.nnz else 1.0
        if w_scale is None:
            self._w_scale = wmax if wmax > 0 else 1.0
        else:
            self._w_scale = check_real(w_scale, "w_scale", low=0.0, low_open=True)
            check_f32(self._w_scale, "w_scale")
        self._syn_key, self._lfsr_key = spawn_keys(seed, 2)
        self._stdp = None
        self._stp: TsodyksMarkram | None = None
        self._stp_params = np.zeros((0, 3))
        return wmax

    def _check_sc_weights(self, wmax: float) -> None:
        """``|w| <= w_scale`` (up to float32 rounding) in SC mode."""
        if self._synapse != "deterministic" and wmax > self._w_scale * (1 + 1e-7):
            raise ValueError(f"weights must satisfy |w| <= w_scale = {self._w_scale} in SC mode; "
                             f"got max |w| = {wmax}")

    def _check_stdp(self, stdp: STDP | None) -> None:
        """Raise unless ``stdp`` is an :class:`STDP` (or None) this synapse model can run."""
        if stdp is not None and not isinstance(stdp, STDP):
            raise TypeError(f"stdp must be an STDP or None; got {type(stdp).__name__}")
        sc_mode = self._synapse != "deterministic"
        if stdp is not None and sc_mode and (not stdp.clip or stdp.W_max > self._w_scale):
            raise ValueError(f"stdp.W_max must be <= w_scale = {self._w_scale} with clip=True in SC mode; "
                             f"got W_max={stdp.W_max}, clip={stdp.clip}")

    @property
    def population(self) -> Population:
        return self._pop

    @property
    def synapse(self) -> str:
        return self._synapse

    @property
    def w_scale(self) -> float:
        return self._w_scale

    @property
    def lfsr_width(self) -> int:
        return self._lfsr_width

    @property
    def stdp(self) -> STDP | None:
        return self._stdp

    def set_stp(self, stp: TsodyksMarkram | None) -> None:
        """Enable (or with ``None`` disable) Tsodyks–Markram short-term plasticity; its state restarts.

        Per presynaptic neuron (:class:`TsodyksMarkram`): when neuron ``i``
        spikes, its ``u`` and ``x`` are advanced analytically from its previous
        spike, the fraction ``r = u x`` is released, and every synapse of that
        spike delivers ``w r`` when it arrives.  The event-driven engine does
        this at exact spike times; :class:`Network` takes a spike at step ``t``
        at time ``t * dt`` and adds ``float32(w r)``, so spikes on the step grid
        release exactly what the event-driven engine releases for the same
        spike times.  Deterministic synapses only.

        Raises
        ------
        TypeError
            If ``stp`` is not a :class:`TsodyksMarkram` or ``None``.
        ValueError
            With SC synapses, after a run (deliveries in flight carry no released
            fraction; call :meth:`reset` first), or if a parameter array's length is not ``n``.
        """
        params = resolve_stp(stp, self._synapse, self._t, self._pop.n)  # validated first
        self._stp = stp
        self._stp_params = params
        self._Q = fresh_rows(params)

    @property
    def stp(self) -> TsodyksMarkram | None:
        """The short-term plasticity (:meth:`set_stp`), or None."""
        return self._stp

    def stp_state(self) -> tuple[np.ndarray, np.ndarray]:
        """``(u, x)`` of every presynaptic neuron right after its last spike (copies; ``u = 0``, ``x = 1``
        before the first), or a ValueError without STP."""
        return stp_uv(self._stp, self._Q)
