"""choose_engine: the model rule, the cost model's crossover, measured rates and bad input."""

from __future__ import annotations

import pytest

from sc_neurocore.network import (
    MEASURED_COSTS,
    EngineCosts,
    EventDrivenNetwork,
    Population,
    choose_engine,
    erdos_renyi,
)

COSTS = EngineCosts(event_ns=60.0, event_spike_ns=100.0, event_input_ns=200.0, update_ns=4.0, clock_syn_ns=20.0)


def test_crossover_is_where_the_predicted_costs_meet() -> None:
    pop = Population(1000, dt=0.1)
    conn = erdos_renyi(1000, 0.1, seed=1)
    k = conn.nnz / 1000
    # by hand: 1e3 / dt * c_up = r (K (c_ev - c_syn) + c_spk)
    r_star = 1e4 * 4.0 / (k * 40.0 + 100.0)
    low = choose_engine(pop, conn, expected_rate_hz=0.99 * r_star, costs=COSTS)
    high = choose_engine(pop, conn, expected_rate_hz=1.01 * r_star, costs=COSTS)
    assert low.engine == "event" and high.engine == "clock"
    assert low.crossover_hz == pytest.approx(r_star, rel=1e-12)
    # predicted CPU seconds per biological second, by hand
    r = 2.0
    c = choose_engine(pop, conn, expected_rate_hz=r, input_rate_hz=5.0, costs=COSTS)
    assert c.event_s_per_s == pytest.approx(1000 * (k * r * 60.0 + r * 100.0 + 5.0 * 200.0) * 1e-9, rel=1e-12)
    assert c.clock_s_per_s == pytest.approx(1000 * (1e4 * 4.0 + k * r * 20.0) * 1e-9, rel=1e-12)


def test_model_rule_and_no_synapses() -> None:
    pop = Population(100)
    assert choose_engine(pop, expected_rate_hz=0.0, plasticity="homeostasis").engine == "clock"
    # without synapses and without input the event-driven engine costs nothing
    c = choose_engine(pop, expected_rate_hz=0.0)
    assert c.engine == "event" and c.event_s_per_s == 0.0
    assert choose_engine(pop, expected_rate_hz=1.0, plasticity="stp").engine == "event"
    assert MEASURED_COSTS.update_ns > 0


def test_measured_rate_from_a_pilot_run() -> None:
    pop = Population(10, tau_m=20.0, refractory=2.0)
    net = EventDrivenNetwork(pop, i_ext=0.08)  # every neuron fires every 2 + 20 ln(8/3) ms: 46.2 Hz
    sp = net.run(1000.0)
    c = choose_engine(pop, measured=sp, costs=COSTS)
    assert f"at {sp.mean_rate_hz():.3g} Hz" in c.reason
    assert sp.mean_rate_hz() == pytest.approx(46.0, abs=0.5)


def test_bad_input() -> None:
    pop = Population(10)
    with pytest.raises(ValueError, match="expected_rate_hz or measured must be given; got neither"):
        choose_engine(pop)
    with pytest.raises(ValueError, match=r"expected_rate_hz must be in \[0.0, inf\); got -1.0"):
        choose_engine(pop, expected_rate_hz=-1.0)
    with pytest.raises(ValueError, match="plasticity must be one of"):
        choose_engine(pop, expected_rate_hz=1.0, plasticity="bcm")
    with pytest.raises(TypeError, match="population must be a Population; got int"):
        choose_engine(10, expected_rate_hz=1.0)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="measured must be EventSpikes or SpikeEvents; got list"):
        choose_engine(pop, measured=[1.0])  # type: ignore[arg-type]
