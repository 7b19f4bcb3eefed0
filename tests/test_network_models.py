"""Pluggable neuron models (issue #13 §2): Izhikevich and LIF with exponential current synapses.

References are independent of the engine: a NumPy integration of the
published Izhikevich equations, the analytic postsynaptic potential and
first-spike time of the exponential-synapse LIF, and a plain-Python
reimplementation of the SC synapse bits (``hash3_py``, the LFSR register).
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from sc_neurocore._kernels._hash import hash3_py
from sc_neurocore._taps import MAXIMAL_TAPS
from sc_neurocore.network import (
    COBA,
    LIF,
    STDP,
    BinaryInput,
    Current,
    ExpSynLIF,
    Homeostasis,
    Izhikevich,
    Network,
    PoissonInput,
    Population,
    ei_weights,
    erdos_renyi,
    from_arrays,
    load_network,
)

F = np.float32
EPS32 = 2.0**-24  # unit roundoff of float32

# --------------------------------------------------------------------------- Izhikevich

#: Izhikevich (2003), Fig. 2: (a, b, c, d)
PATTERNS = {
    "regular_spiking": (0.02, 0.2, -65.0, 8.0),
    "intrinsically_bursting": (0.02, 0.2, -55.0, 4.0),
    "chattering": (0.02, 0.2, -50.0, 2.0),
    "fast_spiking": (0.1, 0.2, -65.0, 2.0),
}


def izhikevich_numpy(a, b, c, d, current, dt, n_steps, v0=-65.0):
    """The published equations, forward Euler in float32, vectorised over neurons (NumPy)."""
    a, b, c, d, current = (np.asarray(x, dtype=F) for x in (a, b, c, d, current))
    v = np.full(a.shape, v0, dtype=F)
    u = b * v
    dt = F(dt)
    spikes = []
    for t in range(n_steps):
        dv = F(0.04) * v * v + F(5.0) * v + F(140.0) - u + current
        vn = v + dt * dv + F(0.0)
        un = u + dt * (a * (b * v - u))
        fired = vn >= F(30.0)
        v = np.where(fired, c, vn)
        u = np.where(fired, un + d, un)
        spikes.extend((t, int(i)) for i in np.nonzero(fired)[0])
    return spikes


def _izh_net(dt=0.1, current=10.0):
    a, b, c, d = (np.array(x) for x in zip(*PATTERNS.values(), strict=True))
    pop = Population(4, v_init=-65.0, refractory=0.0, dt=dt)
    net = Network(pop, neuron=Izhikevich(a, b, c, d))
    net.add_input(Current(current))
    return net, (a, b, c, d)


def test_izhikevich_matches_numpy_reference_spike_for_spike():
    net, (a, b, c, d) = _izh_net()
    n_steps = 5000  # 500 ms
    s = net.run(n_steps)
    ref = izhikevich_numpy(a, b, c, d, np.full(4, 10.0), 0.1, n_steps)
    got = list(zip(s.steps.tolist(), s.neurons.tolist(), strict=True))
    assert len(ref) > 50
    assert got == ref


def _isis(net, i, n_steps=5000):
    s = net.run(n_steps)
    return np.diff(s.steps[s.neurons == i] * net.population.dt)


@pytest.mark.parametrize("dt", [0.1, 0.05])
def test_izhikevich_four_classic_firing_patterns(dt):
    """The qualitative signatures of Izhikevich (2003) Fig. 2 with a 10 pA-equivalent step current."""
    net, _ = _izh_net(dt=dt)
    s = net.run(int(round(500 / dt)))
    isi = [np.diff(s.steps[s.neurons == i] * dt) for i in range(4)]
    rs, ib, ch, fs = isi
    # regular spiking: tonic with adaptation, no bursts
    assert rs.min() > 15.0 and rs[-1] > 1.5 * rs[0]
    # intrinsically bursting: an initial burst (short ISIs), then tonic single spikes
    assert ib[0] < 6.0 and ib[1] < 6.0 and (ib[3:] > 20.0).all()
    # chattering: repeated high-frequency bursts separated by long pauses
    short, long_ = (ch < 6.0).sum(), (ch > 20.0).sum()
    assert short >= 3 * long_ and long_ >= 5
    # fast spiking: high-frequency tonic firing without adaptation
    assert (fs < 10.0).all() and np.ptp(fs[3:]) < 0.1 * fs[3:].mean() + dt


def test_izhikevich_validation():
    with pytest.raises(ValueError, match=r"v_peak must be > c \(else the neuron spikes every step\); "
                                         r"got v_peak -70.0 <= c -65.0"):
        Izhikevich(v_peak=-70.0)
    with pytest.raises(ValueError, match=r"^a must be a scalar or have shape \(3,\); got shape \(2,\)$"):
        Network(Population(3), neuron=Izhikevich(a=[0.02, 0.1]))
    with pytest.raises(ValueError, match=r"got v_peak -70.0 <= c -65.0 at index 1"):
        Network(Population(2), neuron=Izhikevich(v_peak=[40.0, -70.0]))
    with pytest.raises(ValueError, match=r"^d must be finite; got nan$"):
        Izhikevich(d=float("nan"))
    with pytest.raises(TypeError, match=r"^neuron must be a NeuronModel \(LIF, ExpSynLIF, Izhikevich, COBA\); "
                                        r"got str$"):
        Network(Population(2), neuron="izhikevich")  # type: ignore[arg-type]


# --------------------------------------------------------------------------- LIF with exponential synapses


def psp(t, w, tau_m, tau_s):
    """Analytic PSP of a charge ``w`` injected as ``w / tau_s * exp(-t / tau_s)`` into a LIF at rest 0."""
    if tau_m == tau_s:
        return w / tau_s * t * np.exp(-t / tau_m)
    return w * tau_m / (tau_m - tau_s) * (np.exp(-t / tau_m) - np.exp(-t / tau_s))


def _float32_bound(k, scale):
    """Rounding bound of k steps of the float32 recursion: <= 8 roundings of relative 2^-24 per step,
    each of a quantity bounded by ``scale`` (the propagators are contractions, so errors do not grow)."""
    return 8.0 * (k + 1) * EPS32 * scale


@pytest.mark.parametrize(("tau_m", "tau_s", "dt"), [(10.0, 2.0, 0.1), (20.0, 5.0, 0.5), (10.0, 10.0, 0.1),
                                                    (5.0, 8.0, 1.0)])
def test_exp_syn_psp_matches_analytic(tau_m, tau_s, dt):
    w = 0.5
    pop = Population(1, tau_m=tau_m, threshold=100.0, dt=dt, allow_large_dt=True)
    net = Network(pop, neuron=ExpSynLIF(tau_syn=tau_s))
    net.add_input(BinaryInput(np.array([[1]], dtype=np.uint8), w))  # arrives at the start of step 0
    net.monitor([0])
    k = 400
    net.run(k)
    t = (np.arange(k) + 1) * dt  # v after step j is v((j + 1) dt)
    expect = psp(t, w, tau_m, tau_s)
    scale = w * max(1.0, tau_m / tau_s) * 4
    np.testing.assert_allclose(net.v_trace.v[:, 0], expect, rtol=0, atol=_float32_bound(k, scale))
    assert expect.max() > 0.05  # a real PSP, not a flat line


def test_exp_syn_superposition_of_inputs_and_current_matches_analytic():
    """Many jumps at random steps plus a constant current: the analytic superposition (linear, no threshold)."""
    rng = np.random.default_rng(4)
    tau_m, tau_s, dt, i_ext, k = 15.0, 3.0, 0.2, 0.02, 500
    bits = (rng.random((3, k)) < 0.02).astype(np.uint8)
    amps = [0.3, -0.2, 0.45]
    pop = Population(1, tau_m=tau_m, threshold=100.0, v_rest=-0.1, v_init=0.05, dt=dt)
    net = Network(pop, neuron=ExpSynLIF(tau_syn=tau_s))
    for q in range(3):
        net.add_input(BinaryInput(bits[q:q + 1], amps[q]))
    net.add_input(Current(i_ext))
    net.monitor([0])
    net.run(k)
    t = (np.arange(k) + 1) * dt
    v_inf = -0.1 + tau_m * i_ext
    expect = v_inf + (0.05 - v_inf) * np.exp(-t / tau_m)
    for q in range(3):
        for step in np.nonzero(bits[q])[0]:
            tt = t - step * dt
            expect = expect + np.where(tt > 0, psp(np.maximum(tt, 0.0), amps[q], tau_m, tau_s), 0.0)
    scale = sum(abs(a) for a in amps) * bits.sum(axis=1).max() * tau_m / tau_s + abs(v_inf) + 1
    np.testing.assert_allclose(net.v_trace.v[:, 0], expect, rtol=0, atol=_float32_bound(k, scale))


def test_exp_syn_first_spike_at_analytic_time():
    """Constant drive only: v(t) = v_inf (1 - exp(-t / tau_m)) crosses thr at tau_m ln(v_inf / (v_inf - thr))."""
    tau_m, dt, i_ext = 20.0, 0.1, 0.08
    pop = Population(1, tau_m=tau_m, refractory=0.0, dt=dt)
    net = Network(pop, neuron=ExpSynLIF(tau_syn=5.0))
    net.add_input(Current(i_ext))
    s = net.run(600)
    v_inf = tau_m * i_ext
    t_star = tau_m * math.log(v_inf / (v_inf - 1.0))  # 19.6166 ms, not near a step boundary
    assert s.steps[0] == math.ceil(t_star / dt) - 1  # step j ends at (j + 1) dt
    isi = np.diff(s.steps)
    assert (isi == isi[0]).all() and isi[0] == math.ceil(t_star / dt)


def test_exp_syn_validation():
    with pytest.raises(ValueError, match=r"^tau_syn must be in \(0\.0, inf\); got 0\.0$"):
        ExpSynLIF(tau_syn=0.0)
    with pytest.raises(ValueError, match=r"^tau_syn must be finite and > 0; got -1\.0 at index 1$"):
        Network(Population(2), neuron=ExpSynLIF(tau_syn=[1.0, -1.0]))


# --------------------------------------------------------------------------- every model with SC synapses


MODELS = {
    "coba": (COBA(), {"v_rest": -60.0, "v_reset": -60.0, "threshold": -50.0, "v_init": -60.0}),
    "lif": (LIF(), {}),
    "exp_syn_lif": (ExpSynLIF(tau_syn=3.0), {}),
    "izhikevich": (Izhikevich(), {"v_init": -65.0, "refractory": 0.0}),
}


def _sc_net(model_name, synapse, drive=True):
    model, pop_kw = MODELS[model_name]
    pop = Population(2, dt=0.1, **{"refractory": 0.0, **pop_kw})
    conn = from_arrays([0], [1], [0.3], 2, n_pre=2)
    net = Network(pop, conn, synapse=synapse, w_scale=1.0, lfsr_width=8, seed=7, neuron=model)
    if drive:  # neuron 0 is kicked on every 5th step (its spikes are read back: exp_syn_lif fires more)
        net.add_input(BinaryInput((np.arange(400) % 5 == 0).astype(np.uint8)[None, :], 1000.0, targets=[0]))
    net.monitor([1])
    return net


def _expected_arrivals(net, source_steps):
    """Steps at which the SC synapse 0 -> 1 delivers, from the plain-Python bit rules (test_network_sim)."""
    k0, k1 = (int(x) for x in net._syn_key)
    p = 0.3
    arrivals = []
    if net.synapse == "bernoulli":
        thr = math.floor(p * 2.0**32 + 0.5)
        arrivals = [t + 2 for t in source_steps if (hash3_py(k0, k1, 0, t) >> 32) < thr]
    else:
        nb = net.lfsr_width
        mask = sum(1 << (q - 1) for q in MAXIMAL_TAPS[nb])
        st = 1 + hash3_py(int(net._lfsr_key[0]), int(net._lfsr_key[1]), 0, 0) % ((1 << nb) - 1)
        x = math.floor(p * 2.0**nb + 0.5)
        for t in source_steps:
            if st < x:
                arrivals.append(t + 2)
            st = ((st << 1) | (bin(st & mask).count("1") & 1)) & ((1 << nb) - 1)
    return arrivals


@pytest.mark.parametrize("synapse", ["bernoulli", "lfsr"])
@pytest.mark.parametrize("model_name", sorted(MODELS))
def test_sc_synapses_work_with_every_model(model_name, synapse):
    """The target of an SC synapse sees exactly the reference bits' jumps of w_scale, for every model."""
    net = _sc_net(model_name, synapse)
    k = 400
    s = net.run(k)
    source = s.steps[s.neurons == 0].tolist()
    assert len(source) >= k // 5
    arrivals = [t for t in _expected_arrivals(net, source) if t < k]
    assert 0 < len(arrivals) < len(source)
    # replay: the same model with the reference arrivals as deterministic jumps of w_scale
    replay = _sc_net(model_name, "deterministic", drive=False)
    bits = np.zeros((1, k), dtype=np.uint8)
    bits[0, arrivals] = 1
    replay.add_input(BinaryInput(bits, 1.0, targets=[1]))
    replay.run(k)
    np.testing.assert_array_equal(net.v_trace.v, replay.v_trace.v)


# --------------------------------------------------------------------------- persistence, STDP, homeostasis


_MV = {"v_rest": -60.0, "v_reset": -60.0, "threshold": -50.0, "v_init": -60.0}


@pytest.mark.parametrize(("model", "pop_kw", "w", "amp"), [
    (ExpSynLIF(tau_syn=np.linspace(2.0, 6.0, 60)), {}, 0.2, 0.5),
    (Izhikevich(a=np.linspace(0.02, 0.1, 60), d=np.linspace(2.0, 8.0, 60), c=-60.0), {"v_init": -65.0}, 3.0,
     20.0),
    (COBA(tau_exc=np.linspace(3.0, 6.0, 60)), _MV, 0.6, 0.6),
], ids=["exp_syn_lif", "izhikevich", "coba"])
def test_models_save_load_resume_bit_identically(tmp_path, model, pop_kw, w, amp):
    def build():
        pop = Population(60, dt=0.1, refractory=1.0, n_exc=48, **pop_kw)
        net = Network(pop, erdos_renyi(60, 0.2, weight=ei_weights(60, 48, w, w), delay=3, seed=1),
                      synapse="bernoulli", w_scale=w, seed=2, neuron=model)
        net.add_input(PoissonInput(800.0, amp, n=60, seed=3))
        net.set_stdp(STDP(W_max=w, A_plus=0.01, A_minus=0.012))
        net.set_homeostasis(Homeostasis(theta_plus=0.5))
        return net

    ref = build()
    ref.run(400)
    a = build()
    a.run(170)
    a.save(tmp_path / "m.npz")
    b = load_network(tmp_path / "m.npz")
    assert type(b.neuron) is type(model)
    b.run(230)
    assert len(ref.spikes) > 100
    np.testing.assert_array_equal(b.spikes.neurons, ref.spikes.neurons)
    np.testing.assert_array_equal(b.spikes.steps, ref.spikes.steps)
    for f in ref.state_fields:
        np.testing.assert_array_equal(getattr(b, f.name), getattr(ref, f.name), err_msg=f.name)
    np.testing.assert_array_equal(b.connectivity.weights, ref.connectivity.weights)


def test_model_state_is_owned_and_validated():
    net = Network(Population(3, v_init=-65.0, refractory=0.0), neuron=Izhikevich())
    np.testing.assert_array_equal(net.u, np.full(3, F(-13.0)))
    u = np.array([-10.0, -11.0, -12.0])
    net.set_state("u", u)
    u[0] = 99.0
    assert net.u[0] == F(-10.0)
    with pytest.raises(ValueError, match=r"^u must have shape \(3,\); got shape \(2,\)$"):
        net.set_state("u", [1.0, 2.0])
    with pytest.raises(ValueError, match=r"^u must have shape \(3,\); got shape \(2,\)$"):
        net.u = [1.0, 2.0]  # attribute assignment is validated too (no stray instance attribute)
    assert "u" not in vars(net)
    with pytest.raises(ValueError, match=r"^u must be finite; got nan at index \(1,\)$"):
        net.set_state("u", [1.0, np.nan, 2.0])
    with pytest.raises(ValueError, match=r"^name must be a state field of this network \(v, u, refr, ring, "
                                         r"theta, xpre, xpost, lfsr\); got 'i_syn'$"):
        net.set_state("i_syn", [0.0, 0.0, 0.0])
    net.u[1] = np.inf  # an in-place edit is caught before the run
    with pytest.raises(ValueError, match=r"^u must be finite; got inf at index 1 \(edited in place\?\)$"):
        net.run(1)
    net.reset()
    np.testing.assert_array_equal(net.u, np.full(3, F(-13.0)))


def _izh_file(tmp_path):
    net = Network(Population(4, v_init=-65.0, refractory=0.0), neuron=Izhikevich(d=[8.0, 4.0, 2.0, 2.0]))
    net.add_input(Current(10.0))
    net.run(20)
    path = tmp_path / "izh.npz"
    net.save(path)
    with np.load(path, allow_pickle=False) as z:
        return {k: z[k] for k in z.files}


def _edited(tmp_path, d, **meta_neuron):
    meta = json.loads(str(d["meta"]))
    meta["neuron"].update(meta_neuron)
    d = dict(d, meta=np.array(json.dumps(meta)))
    path = tmp_path / "bad.npz"
    np.savez(path, **d)
    return path


def test_model_file_is_format_2_and_lif_files_stay_format_1(tmp_path):
    d = _izh_file(tmp_path)
    meta = json.loads(str(d["meta"]))
    assert meta["format"] == 2 and meta["neuron"]["model"] == "izhikevich"
    assert d["nm_d"].tolist() == [8.0, 4.0, 2.0, 2.0] and "d" not in meta["neuron"]["params"]
    assert d["st_u"].dtype == np.float32
    Network(Population(2)).save(tmp_path / "lif.npz")
    with np.load(tmp_path / "lif.npz", allow_pickle=False) as z:
        m = json.loads(str(z["meta"]))
    assert m["format"] == 1 and "neuron" not in m


@pytest.mark.parametrize(("edit", "match"), [
    ({"model": "hodgkin_huxley"}, r"neuron model must be one of \['coba', 'exp_syn_lif', 'izhikevich', 'lif'\]; "
                                  r"got 'hodgkin_huxley'"),
    ({"params": {"a": 0.02, "e": 1.0}}, r"neuron model izhikevich has no parameter 'e'"),
    ({"params": {"a": float("nan")}}, r"a must be finite; got nan"),
    ({"params": {"d": 1.0}}, r"neuron parameter d is given twice \(meta and nm_d\)"),
    ({"params": [1, 2]}, r"meta.neuron.params must be a JSON object; got list"),
    ({"extra": 1}, r"neuron has unknown key"),
], ids=["model", "param", "nan", "twice", "params_type", "extra_key"])
def test_bad_model_in_file_is_a_clear_error(tmp_path, edit, match):
    path = _edited(tmp_path, _izh_file(tmp_path), **edit)
    with pytest.raises(ValueError, match=r"path must be an npz network file saved by save_network; got "
                                         r"'[^']*bad\.npz': " + match):
        load_network(path)


def test_model_state_entry_of_wrong_shape_in_file(tmp_path):
    d = _izh_file(tmp_path)
    d["st_u"] = d["st_u"][:3]
    np.savez(tmp_path / "bad.npz", **d)
    with pytest.raises(ValueError, match=r"st_u must have shape \(4,\) and dtype float32; got shape \(3,\)"):
        load_network(tmp_path / "bad.npz")


# --------------------------------------------------------------------------- conductance-based LIF


def coba_numpy(v0, jumps, p, dt, k, i_ext=0.0):
    """Float64 NumPy integration of one COBA neuron (no threshold): Euler for v, exact decay for g.

    ``jumps[t]`` is the signed sum of the jumps arriving on step t (>0 excitatory, <0 inhibitory)."""
    v, ge, gi = v0, 0.0, 0.0
    out = np.empty(k)
    for t in range(k):
        ge += sum(j for j in jumps.get(t, ()) if j > 0)
        gi -= sum(j for j in jumps.get(t, ()) if j < 0)
        v = v + dt / p["tau_m"] * ((p["el"] - v) + ge * (p["ee"] - v) + gi * (p["ei"] - v)) + dt * i_ext
        ge *= math.exp(-dt / p["tau_e"])
        gi *= math.exp(-dt / p["tau_i"])
        out[t] = v
    return out


def test_coba_matches_numpy_reference_with_separate_channels():
    """Excitatory and inhibitory jumps on the same steps go to separate conductances."""
    rng = np.random.default_rng(9)
    k, dt = 600, 0.1
    p = {"tau_m": 20.0, "el": -60.0, "ee": 0.0, "ei": -80.0, "tau_e": 5.0, "tau_i": 10.0}
    exc = (rng.random(k) < 0.05).astype(np.uint8)
    inh = (rng.random(k) < 0.05).astype(np.uint8)
    inh[np.nonzero(exc)[0][:5]] = 1  # some steps carry both kinds
    pop = Population(1, tau_m=20.0, v_rest=-60.0, v_reset=-60.0, threshold=100.0, v_init=-60.0, dt=dt)
    net = Network(pop, neuron=COBA(e_exc=0.0, e_inh=-80.0, tau_exc=5.0, tau_inh=10.0))
    net.add_input(BinaryInput(exc[None, :], 0.6))
    net.add_input(BinaryInput(inh[None, :], -0.9))
    net.monitor([0])
    net.run(k)
    jumps = {}
    for t in range(k):
        jumps[t] = [0.6] * int(exc[t]) + [-0.9] * int(inh[t])
    ref = coba_numpy(-60.0, jumps, p, dt, k)
    # float32 state: each step rounds v (|v| <= 80) a few times, the Euler map contracts (alpha (1 + g) < 1),
    # so the error stays below ~8 roundings of 80 per step, summed over the steps
    np.testing.assert_allclose(net.v_trace.v[:, 0], ref, rtol=0, atol=8 * k * EPS32 * 80)
    assert np.ptp(ref) > 1.0  # the input moves v both ways
    # the conductances decay exactly: compare the final values with the analytic sums
    t_end = k * dt
    ge = sum(0.6 * math.exp(-(t_end - t * dt) / 5.0) for t in np.nonzero(exc)[0])
    gi = sum(0.9 * math.exp(-(t_end - t * dt) / 10.0) for t in np.nonzero(inh)[0])
    np.testing.assert_allclose([net.g_exc[0], net.g_inh[0]], [ge, gi], rtol=1e-4)


def test_coba_without_conductances_is_the_lif_model_bit_for_bit():
    """With no synaptic input the COBA drive is the LIF leak exactly (0 * (E - v) = 0)."""
    pop = Population(50, tau_m=20.0, v_rest=-60.0, v_reset=-65.0, threshold=-50.0, refractory=2.0,
                     v_init=np.linspace(-65.0, -51.0, 50), dt=0.1)
    runs = []
    for model in (LIF(), COBA()):
        net = Network(pop, neuron=model)
        net.add_input(Current(np.linspace(0.4, 1.2, 50), time_varying=False))
        s = net.run(3000)
        runs.append((s.neurons.copy(), s.steps.copy(), net.v.copy()))
    assert len(runs[0][0]) > 500
    for a, b in zip(runs[0], runs[1], strict=True):
        np.testing.assert_array_equal(a, b)


def test_coba_validation_and_ring_channels():
    with pytest.raises(ValueError, match=r"^tau_inh must be in \(0\.0, inf\); got -1\.0$"):
        COBA(tau_inh=-1.0)
    net = Network(Population(3, v_rest=-60.0, v_reset=-60.0, threshold=-50.0, v_init=-60.0),
                  from_arrays([0], [1], [0.5], 4, n_pre=3), neuron=COBA())
    assert net.ring.shape == (5, 6)  # max_delay + 1 rows of [excitatory 3 | inhibitory 3]
    with pytest.raises(ValueError, match=r"^ring must have shape \(5, 6\); got shape \(5, 3\)$"):
        net.ring = np.zeros((5, 3))
