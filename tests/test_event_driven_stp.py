"""Tsodyks–Markram short-term plasticity in EventDrivenNetwork, against closed-form solutions.

For a regular presynaptic train of period D (first spike: u = U, x = 1), with
E_f = exp(-D / tau_facil), E_d = exp(-D / tau_rec) and a = (1 - U) E_f:

    u_n = u* + (U - u*) a^(n-1),             u* = U / (1 - a)
    x_{n+1} = (1 - E_d) + (1 - u_n) E_d x_n,  x* = (1 - E_d) / (1 - (1 - u*) E_d)

so x_n = prod_{k<n} c_k + (1 - E_d) sum_{j<n} prod_{j<k<n} c_k with c_k = (1 - u_k) E_d, and for
tau_facil = 0 (u_n = U) x_n = x* + (1 - x*) ((1 - U) E_d)^(n-1).  The network's released fractions
are read from what the postsynaptic neuron receives and from ``stp_state()``.
"""

from __future__ import annotations

import io
import math

import numpy as np
import pytest

from sc_neurocore.network import EventDrivenNetwork, Population, TsodyksMarkram


def closed_form(U: float, tau_f: float, tau_d: float, D: float, n: int) -> tuple[np.ndarray, np.ndarray]:
    """``(u_k, x_k)`` for spikes k = 1..n of a regular train, from the closed forms above."""
    ef = math.exp(-D / tau_f) if tau_f > 0 else 0.0
    ed = math.exp(-D / tau_d) if tau_d > 0 else 0.0
    a = (1 - U) * ef
    u_star = U / (1 - a)
    k = np.arange(n)
    u = u_star + (U - u_star) * a**k
    c = (1 - u) * ed
    x = np.empty(n)
    for m in range(n):  # explicit sum of products (no recursion on x)
        x[m] = np.prod(c[:m]) + (1 - ed) * sum(np.prod(c[j + 1: m]) for j in range(m))
    return u, x


# (U, tau_facil, tau_rec, period): depressing, facilitating, both, neither
CASES = [(0.5, 0.0, 800.0, 20.0), (0.1, 1000.0, 50.0, 25.0), (0.3, 200.0, 300.0, 10.0), (0.7, 0.0, 0.0, 5.0)]


def two_synapses(cases, n_spikes: int, delay: float = 1.0, tau_post: float = 1e12):
    """Presynaptic neurons 0..m-1 spike regularly (external kicks); neuron m + i receives 0.5 * r from i."""
    m = len(cases)
    thr = np.r_[np.ones(m), np.full(m, 1e6)]
    pop = Population(2 * m, threshold=thr, tau_m=np.r_[np.full(m, 20.0), np.full(m, tau_post)],
                     refractory=0.0, allow_large_dt=True)
    indptr = np.r_[np.arange(m + 1), np.full(m, m)]
    net = EventDrivenNetwork(pop, (indptr, np.arange(m, 2 * m), np.full(m, 0.5)), delays_ms=delay)
    net.set_stp(TsodyksMarkram(U=[c[0] for c in cases] + [1.0] * m, tau_facil=[c[1] for c in cases] + [0.0] * m,
                               tau_rec=[c[2] for c in cases] + [0.0] * m))
    times, ids = [], []
    for i, c in enumerate(cases):
        t = 5.0 + c[3] * np.arange(n_spikes)
        times.append(t)
        ids.append(np.full(n_spikes, i))
    net.add_events(np.concatenate(times), np.concatenate(ids), 2.0)
    return net


def test_closed_form_helpers_agree_with_the_recursion_and_steady_state() -> None:
    # the reference itself: closed forms vs the defining recursion, and the steady state
    for U, tf, td, D in CASES:
        u, x = closed_form(U, tf, td, D, 400)
        ef = math.exp(-D / tf) if tf > 0 else 0.0
        ed = math.exp(-D / td) if td > 0 else 0.0
        for k in range(1, 400):
            assert u[k] == pytest.approx(U + u[k - 1] * (1 - U) * ef, rel=1e-12)
            assert x[k] == pytest.approx(1 - (1 - x[k - 1] * (1 - u[k - 1])) * ed, rel=1e-12, abs=1e-15)
        u_star = U / (1 - (1 - U) * ef)
        assert u[-1] == pytest.approx(u_star, rel=1e-12)
        assert x[-1] == pytest.approx((1 - ed) / (1 - (1 - u_star) * ed), rel=1e-12)


@pytest.mark.parametrize("case", CASES)
def test_released_fractions_match_closed_form(case) -> None:
    U, tf, td, D = case
    n_spikes = 12
    net = two_synapses([case], n_spikes)
    u_ref, x_ref = closed_form(U, tf, td, D, n_spikes)
    got = []
    v_prev = 0.0
    for k in range(n_spikes):  # read each postsynaptic jump right after its arrival (t_k + 1 ms)
        net.run(5.0 + k * D + 1.0 + 1e-6 - net.t)
        v = float(net.potentials()[1])
        got.append((v - v_prev) / 0.5)
        v_prev = v
    # tau_post = 1e12 ms: the decay between jumps is < 1e-9 relative
    np.testing.assert_allclose(got, u_ref * x_ref, rtol=1e-8)
    assert len(net.spikes) == n_spikes and (net.spikes.neurons == 0).all()
    u, x = net.stp_state()
    assert u[0] == pytest.approx(u_ref[-1], rel=1e-12)
    assert x[0] == pytest.approx(x_ref[-1] * (1 - u_ref[-1]), rel=1e-12, abs=1e-15)


def test_depressing_geometric_closed_form_and_steady_state() -> None:
    U, td, D, n = 0.5, 800.0, 20.0, 300
    net = two_synapses([(U, 0.0, td, D)], n, tau_post=1e300)
    net.run(5.0 + (n - 1) * D + 2.0)
    ed = math.exp(-D / td)
    x_star = (1 - ed) / (1 - (1 - U) * ed)
    x_n = x_star + (1 - x_star) * ((1 - U) * ed) ** np.arange(n)
    # v = w * sum_n r_n with r_n = U x_n (tau_post = 1e300: no decay at all)
    assert net.potentials()[1] == pytest.approx(0.5 * U * x_n.sum(), rel=1e-12)
    u, x = net.stp_state()
    assert x[0] == pytest.approx(x_star * (1 - U), rel=1e-9)  # steady state reached: ((1-U) E_d)^300 < 1e-90
    assert u[0] == U


def test_several_presynaptic_neurons_have_their_own_state() -> None:
    net = two_synapses(CASES, 30)
    net.run(5.0 + 29 * 25.0 + 2.0)
    u, x = net.stp_state()
    for i, (U, tf, td, D) in enumerate(CASES):
        u_ref, x_ref = closed_form(U, tf, td, D, 30)
        assert u[i] == pytest.approx(u_ref[-1], rel=1e-12)
        assert x[i] == pytest.approx(x_ref[-1] * (1 - u_ref[-1]), rel=1e-12, abs=1e-15)
    m = len(CASES)
    np.testing.assert_array_equal(u[m:], 0.0)  # never spiked
    np.testing.assert_array_equal(x[m:], 1.0)


def test_stp_off_is_the_plain_network_and_reset_restarts_the_state() -> None:
    a = two_synapses([CASES[0]], 10)
    a.set_stp(None)
    sp = a.run(300.0)
    assert a.potentials()[1] == pytest.approx(10 * 0.5, rel=1e-9)
    assert len(sp) == 10
    b = two_synapses([CASES[0]], 10)
    b.run(100.0)
    b.reset()
    u, x = b.stp_state()
    np.testing.assert_array_equal(u, 0.0)
    np.testing.assert_array_equal(x, 1.0)


def test_checkpoint_resume_is_bit_identical_with_stp() -> None:
    from sc_neurocore.network import PoissonInput, ei_weights, erdos_renyi

    def build():
        n = 300
        pop = Population(n, tau_m=20.0, refractory=2.0, n_exc=240)
        conn = erdos_renyi(n, 0.05, weight=ei_weights(n, 240, 0.08, 0.3), delay=15, seed=3)
        net = EventDrivenNetwork(pop, conn, i_ext=0.045)
        net.add_input(PoissonInput(20.0, 0.2, n=n, seed=4))
        net.set_stp(TsodyksMarkram(U=np.linspace(0.1, 0.6, n), tau_facil=200.0, tau_rec=np.linspace(50, 500, n)))
        return net

    whole = build()
    ref = whole.run(200.0)
    half = build()
    first = half.run(100.0)
    f = io.BytesIO()
    half.save(f)
    f.seek(0)
    resumed = EventDrivenNetwork.load(f)
    second = resumed.run(100.0)
    assert len(ref) > 300
    np.testing.assert_array_equal(np.concatenate([first.times_ms, second.times_ms]), ref.times_ms)
    np.testing.assert_array_equal(np.concatenate([first.neurons, second.neurons]), ref.neurons)
    for a, b in zip(resumed.stp_state(), whole.stp_state(), strict=True):
        np.testing.assert_array_equal(a, b)
    assert resumed.stp is not None and whole.stp is not None
    np.testing.assert_array_equal(resumed.stp.U, whole.stp.U)
    # STP changed the dynamics (the same network without it spikes differently)
    plain = build()
    plain.set_stp(None)
    assert len(plain.run(200.0)) != len(ref)


def test_bad_stp_input() -> None:
    pop = Population(3)
    net = EventDrivenNetwork(pop)
    with pytest.raises(TypeError, match="stp must be a TsodyksMarkram or None; got dict"):
        net.set_stp({"U": 0.5})  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"U must be in \(0.0, 1.0\]; got 0.0 at index 0"):
        TsodyksMarkram(U=0.0)
    with pytest.raises(ValueError, match=r"U must be in \(0.0, 1.0\]; got 1.5 at index 1"):
        TsodyksMarkram(U=[0.5, 1.5])
    with pytest.raises(ValueError, match=r"tau_rec must be in \[0.0, inf\]; got -1.0 at index 0"):
        TsodyksMarkram(tau_rec=-1.0)
    with pytest.raises(ValueError, match="tau_facil must be finite"):
        TsodyksMarkram(tau_facil=np.nan)
    with pytest.raises(ValueError, match=r"tau_facil must be a scalar or have shape \(3,\); got shape \(2,\)"):
        net.set_stp(TsodyksMarkram(tau_facil=[1.0, 2.0]))
    assert net.stp is None  # a failed call changes nothing
    with pytest.raises(ValueError, match="stp_state needs short-term plasticity; call set_stp first"):
        net.stp_state()
    net.run(1.0)
    with pytest.raises(ValueError, match=r"stp must be set before the first run \(t = 0\); got t = 1.0; call reset"):
        net.set_stp(TsodyksMarkram())
    net.reset()
    net.set_stp(TsodyksMarkram())
    assert net.stp is not None
    sc = EventDrivenNetwork(pop, synapse="bernoulli", seed=1)
    with pytest.raises(ValueError, match="stp needs synapse='deterministic'; got synapse='bernoulli'"):
        sc.set_stp(TsodyksMarkram())


def _stp_file(**changes) -> io.BytesIO:
    net = two_synapses([CASES[1]], 6)
    net.run(5.0 + 2 * 25.0 + 0.5)  # a delivery is pending: its payload is a released fraction
    f = io.BytesIO()
    net.save(f)
    f.seek(0)
    with np.load(f) as z:
        arrays = {k: z[k] for k in z.files}
    arrays.update(changes)
    out = io.BytesIO()
    np.savez(out, **arrays)
    out.seek(0)
    return out


def test_stp_checkpoint_entries_are_checked() -> None:
    ok = EventDrivenNetwork.load(_stp_file())
    assert ok.stp is not None
    bad_state = np.array([[1.5, 0.5, 1.0], [0.0, 1.0, -np.inf]])
    with pytest.raises(ValueError, match=r"st_stp must be \(u, x\) in \[0, 1\]; got 1.5"):
        EventDrivenNetwork.load(_stp_file(st_stp=bad_state))
    never = np.array([[0.5, 0.5, -np.inf], [0.0, 1.0, -np.inf]])
    with pytest.raises(ValueError, match=r"st_stp must be a last-spike time <= t"):
        EventDrivenNetwork.load(_stp_file(st_stp=never))
    with pytest.raises(ValueError, match=r"st_stp must have shape \(2, 3\) and dtype float64"):
        EventDrivenNetwork.load(_stp_file(st_stp=np.zeros((2, 2))))
    with pytest.raises(ValueError, match=r"U must be in \(0.0, 1.0\]"):
        EventDrivenNetwork.load(_stp_file(stp_U=np.array([0.0, 1.0])))
    f = _stp_file()
    with np.load(f) as z:
        heap = z["st_heap"].copy()
    heap[:, 2] = np.where(heap[:, 1] >= float(3 << 40), 2.0, heap[:, 2])  # a delivery releasing 200%
    assert (heap[:, 1] >= float(3 << 40)).any()
    with pytest.raises(ValueError, match=r"st_heap must be made of payloads in \[0, 1\] \(deliveries\)"):
        EventDrivenNetwork.load(_stp_file(st_heap=heap))
