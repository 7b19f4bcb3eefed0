"""Choosing between the event-driven and the clock-driven simulator (private; re-exported).

See ``docs/event_driven.md`` ("Which engine") for the measured constants and crossover.
"""

from __future__ import annotations

from typing import NamedTuple

from .._validation import check_choice, check_int, check_real
from ._connectivity import Connectivity
from ._event_driven import EventSpikes
from ._monitors import SpikeEvents
from ._population import Population

__all__ = ["EngineCosts", "EngineChoice", "choose_engine", "MEASURED_COSTS"]


class EngineCosts(NamedTuple):
    """Single-thread cost model of the two simulators (ns), fitted to ``bench_event_driven --crossover``.

    Event-driven: ``event_ns`` per synaptic arrival plus ``event_spike_ns`` per spike and
    ``event_input_ns`` per Poisson input spike (queue work).  Clock-driven: ``update_ns`` per
    neuron and step plus ``clock_syn_ns`` per synaptic arrival.
    """

    event_ns: float
    event_spike_ns: float
    event_input_ns: float
    update_ns: float
    clock_syn_ns: float


#: Fitted by ``bench_event_driven --crossover --n 1000000`` (1M neurons x 100 synapses, dt = 0.1 ms, one
#: thread, CPU time, 2026-12-07, after the two-stage row prefetch; crossover 11.5 Hz); see
#: docs/event_driven.md.  Per-spike queue work is folded into ``event_ns``.  Fit your own machine for a
#: sharper choice.
MEASURED_COSTS = EngineCosts(event_ns=33.2, event_spike_ns=0.0, event_input_ns=927.0, update_ns=1.60,
                             clock_syn_ns=20.5)


class EngineChoice(NamedTuple):
    """The engine (``"event"`` or ``"clock"``), why, and the predicted CPU seconds per biological second."""

    engine: str
    reason: str
    event_s_per_s: float
    clock_s_per_s: float
    crossover_hz: float


def choose_engine(population: Population, connectivity: Connectivity | None = None, *,
                  expected_rate_hz: float | None = None, measured: EventSpikes | SpikeEvents | None = None,
                  input_rate_hz: float = 0.0, plasticity: str = "none",
                  costs: EngineCosts = MEASURED_COSTS) -> EngineChoice:
    r"""Pick :class:`EventDrivenNetwork` (``"event"``) or :class:`Network` (``"clock"``) for a model.

    The model decides first: homeostasis (``plasticity="homeostasis"``) only
    exists in the clock-driven :class:`Network` (the event-driven engine
    supports STDP and STP, ``"stdp"`` / ``"stp"``).  Otherwise the cheaper
    engine is predicted from the activity, with ``N`` neurons, ``K`` synapses
    per neuron, mean rate ``r`` (Hz), Poisson input rate ``r_in`` per neuron
    and the population's ``dt`` (ms):

    .. math::

        C_\mathrm{event} &= N (K r\,c_\mathrm{ev} + r\,c_\mathrm{spk} + r_\mathrm{in}\,c_\mathrm{in}),\\
        C_\mathrm{clock} &= N (10^3/dt\;c_\mathrm{up} + K r\,c_\mathrm{syn})

    (ns per biological second); ``"event"`` iff :math:`C_\mathrm{event} < C_\mathrm{clock}`.  The
    crossover rate (at ``r_in = 0``) is
    :math:`r^* = 10^3 c_\mathrm{up} / (dt\,(K (c_\mathrm{ev} - c_\mathrm{syn}) + c_\mathrm{spk}))`.

    Parameters
    ----------
    population : Population
    connectivity : Connectivity, optional
        Its mean out-degree is ``K`` (0 without).
    expected_rate_hz : float, optional
        Expected mean firing rate in Hz (>= 0).
    measured : EventSpikes or SpikeEvents, optional
        Spikes of a pilot run; their mean rate is used (instead of ``expected_rate_hz``).
    input_rate_hz : float
        Poisson input spikes per neuron per second (>= 0; each is a queue event in the event-driven engine).
    plasticity : {"none", "stdp", "stp", "homeostasis"}
    costs : EngineCosts
        Cost constants (default: :data:`MEASURED_COSTS`).

    Returns
    -------
    EngineChoice

    Raises
    ------
    ValueError
        If neither ``expected_rate_hz`` nor ``measured`` is given, or a value is out of range.
    TypeError
        If ``population`` is not a Population, or ``connectivity``/``measured`` of the wrong type.
    """
    if not isinstance(population, Population):
        raise TypeError(f"population must be a Population; got {type(population).__name__}")
    if connectivity is not None and not isinstance(connectivity, Connectivity):
        raise TypeError(f"connectivity must be a Connectivity or None; got {type(connectivity).__name__}")
    plasticity = check_choice(plasticity, "plasticity", ("none", "stdp", "stp", "homeostasis"))
    r_in = check_real(input_rate_hz, "input_rate_hz", low=0.0)
    if measured is not None:
        if not isinstance(measured, (EventSpikes, SpikeEvents)):
            raise TypeError(f"measured must be EventSpikes or SpikeEvents; got {type(measured).__name__}")
        rate = float(measured.mean_rate_hz())
    elif expected_rate_hz is not None:
        rate = check_real(expected_rate_hz, "expected_rate_hz", low=0.0)
    else:
        raise ValueError("expected_rate_hz or measured must be given; got neither")
    n = check_int(population.n, "population.n", low=1)
    k = connectivity.nnz / connectivity.n_pre if connectivity is not None and connectivity.n_pre else 0.0
    dt = population.dt
    c = costs
    ev = n * (k * rate * c.event_ns + rate * c.event_spike_ns + r_in * c.event_input_ns) * 1e-9
    ck = n * (1e3 / dt * c.update_ns + k * rate * c.clock_syn_ns) * 1e-9
    denom = k * (c.event_ns - c.clock_syn_ns) + c.event_spike_ns
    cross = 1e3 * c.update_ns / (dt * denom) if denom > 0 else float("inf")
    if plasticity == "homeostasis":
        return EngineChoice("clock", "homeostasis is only in the clock-driven Network", ev, ck, cross)
    engine = "event" if ev < ck else "clock"
    why = (f"predicted {ev:.3g} s (event) vs {ck:.3g} s (clock) per biological second at {rate:.3g} Hz "
           f"(crossover {cross:.3g} Hz)")
    return EngineChoice(engine, why, ev, ck, cross)
