"""EventDrivenNetwork's neuron models: the model interface, models without an exact solution, old files.

The interface test plugs a model that is not in the package (a non-leaky integrate-and-fire neuron,
``dv/dt = I``) into the event loop through the registries only, and checks its spike times against
plain-Python arithmetic, bit for bit.
"""

from __future__ import annotations

import hashlib
import math
import os
from typing import NamedTuple

import numpy as np
import pytest
from numba import njit
from numba.core.caching import NullCache

from sc_neurocore._kernels import _event as K
from sc_neurocore.network import (
    COBA,
    LIF,
    EventDrivenNetwork,
    Izhikevich,
    NeuronModel,
    Population,
)
from sc_neurocore.network import _event_models as EM

DATA = os.path.join(os.path.dirname(__file__), "data")


@pytest.mark.parametrize("neuron", [Izhikevich(), COBA()], ids=["izhikevich", "coba"])
def test_models_without_exact_solution_are_refused(neuron: NeuronModel) -> None:
    name = type(neuron).__name__
    with pytest.raises(ValueError, match=rf"neuron must be a model with an exact event-driven solution "
                                         rf"\(ExpSynLIF, LIF\); got {name}, which has none here: simulate it with the clock-driven "
                                         rf"Network\(population, neuron={name}\(\.\.\.\)\)"):
        EventDrivenNetwork(Population(3), neuron=neuron)


def test_neuron_must_be_a_model() -> None:
    with pytest.raises(TypeError, match="neuron must be a NeuronModel .*; got str"):
        EventDrivenNetwork(Population(3), neuron="lif")  # type: ignore[arg-type]


def test_default_model_is_lif() -> None:
    net = EventDrivenNetwork(Population(2))
    assert isinstance(net.neuron, LIF)
    assert isinstance(EventDrivenNetwork(Population(2), neuron=LIF()).neuron, LIF)


def _digest(sp) -> str:
    h = hashlib.sha256()
    h.update(np.ascontiguousarray(sp.times_ms, dtype="<f8").tobytes())
    h.update(np.ascontiguousarray(sp.neurons, dtype="<i4").tobytes())
    return h.hexdigest()[:32]


# Files written by EventDrivenNetwork.save before the event-driven models were pluggable (commit b71e6d6):
# 32 neurons, saved at t = 40 ms.  "det": continuous delays, STDP, STP, a time-varying current, Poisson
# and explicit events; "lfsr": LFSR synapses.  Expected: that code's spikes of run(60.0) after the save,
# and its final weights (sha256, first 32 hex digits).
FORMAT1 = {
    "det": ("6f90690ddc4bcec55eed1603a94ad056", "bb65d5115e2ea2b6919d99e56b7cc71e", 31),
    "lfsr": ("f1d48e8e34f0371c7302361cbf77a0d1", "208895eddc9ad81d0cff1520dda02c0d", 35),
}


@pytest.mark.parametrize("case", sorted(FORMAT1))
def test_format1_files_load_and_continue_bit_identically(case: str) -> None:
    net = EventDrivenNetwork.load(os.path.join(DATA, f"event_network_format1_{case}.npz"))
    assert net.t == 40.0 and isinstance(net.neuron, LIF)
    sp = net.run(60.0)
    spikes, weights, count = FORMAT1[case]
    assert len(sp) == count
    assert _digest(sp) == spikes
    assert hashlib.sha256(net.weights.astype("<f4").tobytes()).hexdigest()[:32] == weights


# --------------------------------------------------------------------------- a model plugged in from outside

SLOPE, THR_IF = 4, 5  # the model's columns beyond the engine's (V at 0)


class EvPerfectIF(NamedTuple):
    v_reset: np.ndarray
    t_ref: np.ndarray


@njit
def _pif_reset(m, S, i, t):
    S[i, 0] = m.v_reset[i]
    S[i, K.TUPD] = t + m.t_ref[i]


@njit
def _pif_input(m, S, i, t, x):
    v = S[i, 0] + S[i, SLOPE] * (t - S[i, K.TUPD]) + x
    S[i, 0] = v
    S[i, K.TUPD] = t
    return v >= S[i, THR_IF]


@njit
def _pif_crossing(m, S, i):
    if S[i, 0] >= S[i, THR_IF]:
        return S[i, K.TUPD]
    if S[i, SLOPE] > 0.0:
        return S[i, K.TUPD] + (S[i, THR_IF] - S[i, 0]) / S[i, SLOPE]
    return math.inf


@njit
def _pif_set_drive(m, S, i, t, value):
    if t > S[i, K.TUPD]:
        S[i, 0] = S[i, 0] + S[i, SLOPE] * (t - S[i, K.TUPD])
        S[i, K.TUPD] = t
    S[i, SLOPE] = value


@njit
def _pif_potential(m, S, i, t):
    if t > S[i, K.TUPD]:
        return S[i, 0] + S[i, SLOPE] * (t - S[i, K.TUPD])
    return S[i, 0]


class PerfectIF(NeuronModel):
    """Non-leaky integrate-and-fire, ``dv/dt = i_ext`` (the population's tau_m and v_rest unused)."""

    name = "perfect_if"
    state = ()

    def __init__(self) -> None:
        super().__init__()


class PerfectIFEvent(EM.EventModel):
    n_cols = 8
    columns = (EM.Column("v", 0), EM.Column("slope", SLOPE), EM.Column("thr", THR_IF, saved=False),
               EM.Column("unused", 6, saved=False))
    drive_col = SLOPE
    drive_text = "the slope i_ext"

    def kernel_params(self) -> EvPerfectIF:
        return EvPerfectIF(self.pop.v_reset, self.pop.refractory)

    def drive(self, i_ext: np.ndarray) -> np.ndarray:
        return np.asarray(i_ext, dtype=np.float64) * 1.0

    def init_rows(self, S: np.ndarray, drive: np.ndarray) -> None:
        S[:, 0] = self.pop.v_init
        S[:, SLOPE] = drive
        S[:, THR_IF] = self.pop.threshold
        S[:, 6] = 0.0


def _reference(i_ext: float, thr: float, v_reset: float, t_ref: float, kicks: dict[float, float],
               t_stop: float) -> list[float]:
    """Plain-Python event loop of one perfect integrator from v = 0, t = 0 with the engine's arithmetic."""
    v, tu, out = 0.0, 0.0, []
    pending = sorted(kicks.items())
    while True:
        tc = tu + (thr - v) / i_ext
        if pending and pending[0][0] < tc:
            t, w = pending.pop(0)
            if t >= tu:  # not refractory
                v = v + i_ext * (t - tu) + w
                tu = t
                if v >= thr:
                    out.append(t)
                    v, tu = v_reset, t + t_ref
            continue
        if tc >= t_stop:
            return out
        out.append(tc)
        v, tu = v_reset, tc + t_ref


def test_a_new_model_plugs_in_through_the_registries(monkeypatch: pytest.MonkeyPatch) -> None:
    # the engine's kernels compiled for a type of this test module must not go to the on-disk cache: a
    # process without tests/ on sys.path fails to unpickle their cache index (ModuleNotFoundError)
    for kernel in (K.run_events, K._rounds, K.run_window, K.predict_all, K.potentials_at):
        if hasattr(kernel, "_cache"):  # a numba dispatcher (not with NUMBA_DISABLE_JIT=1)
            monkeypatch.setattr(kernel, "_cache", NullCache())
    monkeypatch.setitem(K.EV_MODELS, EvPerfectIF, K.EvOps(_pif_reset, _pif_input, _pif_crossing,
                                                          _pif_set_drive, _pif_potential))
    monkeypatch.setitem(EM.EVENT_MODELS, PerfectIF, PerfectIFEvent)
    pop = Population(2, threshold=1.0, v_reset=0.0, refractory=2.0)
    i_ext = [0.1, 0.03]
    kicks = {5.0: 0.3, 31.25: 0.5}
    net = EventDrivenNetwork(pop, i_ext=i_ext, neuron=PerfectIF())
    net.add_events(list(kicks), [0, 0], list(kicks.values()))
    sp = net.run(100.0)
    for i in range(2):
        want = _reference(i_ext[i], 1.0, 0.0, 2.0, kicks if i == 0 else {}, 100.0)
        assert sp.spike_trains()[i].tolist() == want
    assert len(sp) > 5  # the reference spikes (neuron 0: ~8, neuron 1: 2)
    threaded = EventDrivenNetwork(pop, i_ext=i_ext, neuron=PerfectIF())
    threaded.add_events(list(kicks), [0, 0], list(kicks.values()))
    sp2 = threaded.run(100.0, threads=2)
    assert sp2.times_ms.tolist() == sp.times_ms.tolist() and sp2.neurons.tolist() == sp.neurons.tolist()
    t = net.t
    # potentials from the model's own formula, no leak
    v = net.potentials()
    S = net._S
    assert v.tolist() == [S[i, 0] + S[i, SLOPE] * (t - S[i, K.TUPD]) if t > S[i, K.TUPD] else S[i, 0]
                          for i in range(2)]
