"""Time-varying input in the event-driven network: a Current time course against the piecewise analytic
solution, a bit matrix as events, and the run statistics (events per second, real-time factor)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sc_neurocore.network import BinaryInput, Current, EventDrivenNetwork, Population


def piecewise_reference(v0, v_inf_steps, v_inf_after, dt, tau, thr, v_reset, t_ref, t_stop):
    """Spike times of one LIF neuron whose asymptote is ``v_inf_steps[k]`` on ``[k dt, (k + 1) dt)``.

    Within a piece, ``v(t) = v_inf + (v(t0) - v_inf) exp(-(t - t0) / tau)``; the threshold is reached at
    ``t0 + tau ln((v_inf - v) / (v_inf - thr))`` when ``v_inf > thr``; after a spike ``v`` is held at
    ``v_reset`` for ``t_ref`` ms.
    """
    pieces = [(k * dt, min((k + 1) * dt, t_stop), vi) for k, vi in enumerate(v_inf_steps)]
    pieces.append((len(v_inf_steps) * dt, t_stop, v_inf_after))
    t, v, free_from, spikes = 0.0, v0, 0.0, []
    for a, b, vi in pieces:
        if b <= a:
            continue
        t = max(t, a)
        while True:
            start = max(t, free_from)
            if start >= b:
                t = b
                break
            if start > t:  # held at v_reset while refractory
                t = start
            if vi > thr:
                tc = t + tau * math.log((vi - v) / (vi - thr))
                if tc < b:
                    spikes.append(tc)
                    t, v, free_from = tc, v_reset, tc + t_ref
                    continue
            v = vi + (v - vi) * math.exp(-(b - t) / tau)
            t = b
            break
    return spikes


def test_time_varying_current_matches_piecewise_analytic() -> None:
    dt, tau = 0.5, 10.0
    course = np.r_[np.full(20, 0.05), np.full(40, 0.25), np.full(20, 0.12), np.full(20, 0.3)]  # 50 ms
    pop = Population(1, tau_m=tau, threshold=1.0, v_reset=0.0, v_rest=0.0, refractory=1.5, dt=dt)
    net = EventDrivenNetwork(pop, i_ext=0.01)
    net.add_input(Current(course, time_varying=True))
    sp = net.run(80.0)
    vinf = [float(np.float32(c)) * tau + 0.01 * tau for c in course]
    ref = piecewise_reference(0.0, vinf, 0.01 * tau, dt, tau, 1.0, 0.0, 1.5, 80.0)
    assert len(ref) == 6 and 30.0 < ref[3] < 40.0  # three while v_inf = 2.6, one at 1.3, two at 3.1
    np.testing.assert_allclose(sp.times_ms, ref, rtol=0, atol=1e-9)
    # after the course: from v_reset = 0 at the end of the last refractory period, towards v_inf = 0.1
    assert net.potentials()[0] == pytest.approx(0.1 * -math.expm1(-(80.0 - ref[-1] - 1.5) / tau), rel=1e-9)


def test_time_course_per_neuron_and_resume() -> None:
    rng = np.random.default_rng(4)
    pop = Population(8, tau_m=15.0, refractory=1.0, dt=0.25)
    course = rng.uniform(0.0, 0.2, (200, 8))

    def build():
        net = EventDrivenNetwork(pop, i_ext=0.02)
        net.add_input(Current(course))
        net.add_input(Current(0.01, time_varying=False))  # a constant after a course: both count
        return net

    whole = build().run(60.0)
    a = build()
    first = a.run(23.0)
    second = a.run(37.0)
    np.testing.assert_array_equal(np.r_[first.times_ms, second.times_ms], whole.times_ms)
    # each neuron alone gives the same spikes (the schedule only touches the neuron it names)
    for j in (0, 5):
        one = EventDrivenNetwork(Population(1, tau_m=15.0, refractory=1.0, dt=0.25), i_ext=0.02)
        one.add_input(Current(course[:, j], time_varying=True))
        one.add_input(Current(0.01, time_varying=False))
        np.testing.assert_array_equal(one.run(60.0).times_ms, whole.spike_trains()[j])


def test_current_after_run_is_refused() -> None:
    net = EventDrivenNetwork(Population(2))
    net.run(1.0)
    with pytest.raises(ValueError, match=r"inp \(a Current\) must be added before the first run; call reset\(\)"):
        net.add_input(Current(np.ones(3), time_varying=True))


def test_binary_input_becomes_events_at_step_starts() -> None:
    bits = np.zeros((3, 40), dtype=np.uint8)
    bits[0, [2, 10, 30]] = 1
    bits[1, [10, 39]] = 1
    bits[2, 5] = 1
    pop = Population(3, refractory=0.0, dt=0.5)
    net = EventDrivenNetwork(pop)
    net.add_input(BinaryInput(bits, 2.0, targets=[2, 0, 1]))  # amplitude 2 >= threshold: a spike per bit
    sp = net.run(25.0)
    want = sorted([(k * 0.5, 2) for k in (2, 10, 30)] + [(k * 0.5, 0) for k in (10, 39)] + [(2.5, 1)])
    assert list(zip(sp.times_ms.tolist(), sp.neurons.tolist(), strict=True)) == want
    late = EventDrivenNetwork(pop)
    late.run(2.0)
    with pytest.raises(ValueError, match=r"must not have bits before the current time 2.0 ms; got a bit at step 2"):
        late.add_input(BinaryInput(bits, 2.0))
    with pytest.raises(ValueError, match=r"targets must be in \[0, 2\]; got 5"):
        late.add_input(BinaryInput(bits, 2.0, targets=[5, 0, 1]))


def test_statistics_report_speed() -> None:
    net = EventDrivenNetwork(Population(10, tau_m=20.0, refractory=2.0), i_ext=0.08)
    st0 = net.statistics()
    assert (st0["events_per_s"], st0["rtf"], st0["wall_s"], st0["bio_ms"]) == (0.0, 0.0, 0.0, 0.0)
    net.run(100.0)
    net.run(50.0)
    st = net.statistics()
    assert st["bio_ms"] == 150.0 and st["wall_s"] > 0
    assert st["events_per_s"] == pytest.approx((st["synaptic_events"] + st["heap_pops"]) / st["wall_s"])
    assert st["rtf"] == pytest.approx(st["wall_s"] / 0.15)
    net.reset()
    assert net.statistics()["bio_ms"] == 0.0
