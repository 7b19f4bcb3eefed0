"""Fixed-point hardware mode of the core package: Q format, FixedPointLIF and
FixedPointDenseLayer against plain-Python references built on the core LFSR encoder."""

from __future__ import annotations

import numpy as np
import pytest
from _stats import assert_bernstein
from hypothesis import given
from hypothesis import strategies as st

from hw_models import assert_bit_exact
from sc_neurocore import bitstream as bs
from sc_neurocore._fixed_point import FixedPointDenseLayer, FixedPointLIF, QFormat


def lif_reference(currents, width, v_th, v_reset, v_rest, k, refractory):
    """Plain-Python fixed-point LIF (module docstring of sc_neurocore._fixed_point)."""
    lo, hi = -(1 << (width - 1)), (1 << (width - 1)) - 1
    v, ref = v_rest, 0
    spikes, volts = [], []
    for i in currents:
        if ref > 0:
            v, ref, sp = v_reset, ref - 1, 0
        else:
            s = min(max(v - ((v - v_rest) >> k) + int(i), lo), hi)
            if s >= v_th:
                v, ref, sp = v_reset, refractory, 1
            else:
                v, sp = s, 0
        spikes.append(sp)
        volts.append(v)
    return np.array(spikes), np.array(volts)


@st.composite
def lif_params(draw):
    width = draw(st.integers(4, 32))
    frac = draw(st.integers(0, width - 1))
    lo, hi = -(1 << (width - 1)), (1 << (width - 1)) - 1
    raw = [draw(st.integers(lo, hi)) for _ in range(3)]
    k = draw(st.integers(0, width - 1))
    refractory = draw(st.integers(0, 6))
    return width, frac, raw, k, refractory


@given(p=lif_params(), data=st.data())
def test_lif_kernel_matches_reference(p, data):
    width, frac, (v_th, v_reset, v_rest), k, refractory = p
    lo, hi = -(1 << (width - 1)), (1 << (width - 1)) - 1
    cur = data.draw(st.lists(st.integers(lo, hi), min_size=1, max_size=200))
    q = QFormat(width, frac)
    lif = FixedPointLIF(2, q, v_th / 2**frac, v_reset / 2**frac, v_rest / 2**frac, k, refractory)
    assert lif.raw["v_threshold"] == v_th and lif.raw["v_rest"] == v_rest
    spikes, volts = lif.run_raw(np.array(cur, dtype=np.int64))
    ref_s, ref_v = lif_reference(cur, width, v_th, v_reset, v_rest, k, refractory)
    assert_bit_exact(spikes[:, 0], ref_s, "spikes")
    assert_bit_exact(volts[:, 1], ref_v, "membrane")


def test_lif_run_continues_and_real_interface():
    q = QFormat(12, 6)
    cur = np.full(300, 0.2)
    a = FixedPointLIF(1, q, 1.0, 0.0, 0.0, 3, 2)
    s1, v1 = a.run(cur[:100])
    s2, v2 = a.run(cur[100:])
    b = FixedPointLIF(1, q, 1.0, 0.0, 0.0, 3, 2)
    s, v = b.run(cur)
    assert_bit_exact(np.concatenate([s1, s2]), s, "chunked spikes")
    np.testing.assert_array_equal(np.concatenate([v1, v2]), v)
    assert s.sum() > 0
    # volts are on the Q grid
    np.testing.assert_array_equal(v * 64, np.round(v * 64))


def test_spike_not_suppressed_by_own_refractory():
    lif = FixedPointLIF(1, QFormat(8, 0), v_threshold=10, v_reset=0, v_rest=0, leak_shift=7,
                        refractory_period=3)
    spikes, volts = lif.run_raw(np.array([20, 20, 20, 20, 20, 20], dtype=np.int64))
    assert spikes[:, 0].tolist() == [1, 0, 0, 0, 1, 0]
    assert volts[:, 0].tolist() == [0, 0, 0, 0, 0, 0]


def test_leak_rounds_toward_minus_infinity():
    # v = -3, v_rest = 0, k = 1: leak = -3 >> 1 = -2, s = -3 + 2 = -1 (not -2)
    lif = FixedPointLIF(1, QFormat(8, 0), v_threshold=100, v_reset=0, v_rest=0, leak_shift=1)
    _, volts = lif.run_raw(np.array([-3, 0], dtype=np.int64))
    assert volts[:, 0].tolist() == [-3, -1]


def test_saturation():
    lif = FixedPointLIF(1, QFormat(8, 0), v_threshold=127, v_reset=0, v_rest=0, leak_shift=7)
    _, volts = lif.run_raw(np.array([-128, -128, -128], dtype=np.int64))
    assert volts[:, 0].tolist() == [-128, -128, -128]


def test_qformat():
    q = QFormat(8, 4)
    assert (q.raw_min, q.raw_max, q.resolution) == (-128, 127, 1 / 16)
    assert q.to_raw(1.5) == 24 and q.to_raw(0.03125) == 0 and q.to_raw(0.09375) == 2  # half to even
    np.testing.assert_array_equal(q.to_raw([-8.0, 7.9375]), [-128, 127])
    assert q.to_real(24) == 1.5
    with pytest.raises(ValueError, match=r"value must be representable in Q\(8,4\), i.e. in \[-8.0, 7.9375\]; got 8.0"):
        q.to_raw(8.0)
    with pytest.raises(ValueError, match=r"frac must be an integer in \[0, 7\]; got 8"):
        QFormat(8, 8)
    with pytest.raises(ValueError, match=r"width must be an integer in \[2, 32\]; got 33"):
        QFormat(33, 0)


# --- dense layer -----------------------------------------------------------------


def dense_reference(layer: FixedPointDenseLayer, n: int):
    """Streams from the core encoder bitstream.lfsr, accumulation and LIF in plain Python."""
    w = layer.lfsr_width
    zs = layer.zero_state
    xs = bs.unpack(bs.lfsr(layer.p_inputs, n, w, layer.x_seeds.astype(np.int64), taps=layer.x_taps, zero_state=zs), n)
    ws = bs.unpack(bs.lfsr(layer.p_weights, n, w, layer.w_seeds.astype(np.int64), taps=layer.w_taps, zero_state=zs), n)
    sel_states = bs.lfsr_states(n, w, layer.sel_seed, taps=layer.sel_taps, zero_state=zs).astype(np.int64)
    sel = (sel_states * layer.n_inputs) >> w
    prod = xs[None, :, :] & ws  # (N, n_in, T)
    if layer.accumulation == "count":
        acc = prod.sum(axis=1)
    elif layer.accumulation == "or":
        acc = prod.max(axis=1)
    else:
        acc = prod[:, sel, np.arange(n)]
    cur = layer.bias_raw + layer.gain_raw * acc
    r = layer.neurons.raw
    outs = [lif_reference(cur[j], layer.qformat.width, r["v_threshold"], r["v_reset"], r["v_rest"],
                          r["leak_shift"], r["refractory_period"]) for j in range(layer.n_neurons)]
    return acc.T, np.array([o[0] for o in outs]).T, np.array([o[1] for o in outs]).T


@given(n_in=st.integers(1, 6), n_out=st.integers(1, 4), width=st.integers(3, 20),
       mode=st.sampled_from(["count", "or", "mux"]), seed=st.integers(0, 2**32), n=st.integers(1, 400),
       k=st.integers(0, 6), refr=st.integers(0, 3), zero_state=st.booleans())
def test_dense_layer_matches_encoder_reference(n_in, n_out, width, mode, seed, n, k, refr, zero_state):
    rng = np.random.default_rng(seed)
    layer = FixedPointDenseLayer(n_out, rng.random(n_in), rng.random((n_out, n_in)), mode,
                                 gain=0.125, bias=0.0625, lfsr_width=width, seed=seed,
                                 qformat=QFormat(12, 6), v_threshold=0.5, leak_shift=k, refractory_period=refr,
                                 zero_state=zero_state)
    a1 = layer.run(n // 2)
    acc1 = layer.last_acc
    a2 = layer.run(n - n // 2)
    acc, spikes, volts = dense_reference(layer, n)
    assert_bit_exact(np.concatenate([acc1, layer.last_acc]), acc, "accumulated a_t")
    assert_bit_exact(np.concatenate([a1, a2]), spikes, "spikes")
    assert_bit_exact(layer.last_v_raw, volts[n // 2:], "membrane")


def test_dense_layer_seeds_reproducible_and_explicit():
    a = FixedPointDenseLayer(3, [0.5, 0.6], np.full((3, 2), 0.7), seed=5)
    b = FixedPointDenseLayer(3, [0.5, 0.6], np.full((3, 2), 0.7), seed=5)
    np.testing.assert_array_equal(a.run(200), b.run(200))
    c = FixedPointDenseLayer(3, [0.5, 0.6], np.full((3, 2), 0.7), **a.seeds())
    np.testing.assert_array_equal(a.x_seeds, c.x_seeds)
    a.reset()
    np.testing.assert_array_equal(a.run(200), c.run(200))
    assert (a.x_seeds >= 1).all() and (a.x_seeds < 2**16).all()


def test_dense_layer_count_mean_is_sum_of_products():
    """Over a long run the mean count approaches sum_i p_x p_w (LFSR error O(2^-n) + phase effects)."""
    px = np.array([0.5, 0.25, 0.75, 0.9])
    pw = np.array([[0.5, 0.5, 0.5, 0.5], [1.0, 0.0, 0.2, 0.6]])
    layer = FixedPointDenseLayer(2, px, pw, "count", gain=0.0, lfsr_width=12, seed=3)
    layer.run(4095 * 4)
    mean = layer.last_acc.mean(axis=0)
    # independent seeds on one polynomial, modelled as independent Bernoulli bits: the summed count
    # over T cycles obeys Bernstein (terms in [0, 1], variance T sum q (1 - q)); + 4/4096 for the
    # 12-bit threshold rounding.  False failure (of the model) <= 2 x 1e-10.
    t = layer.last_acc.shape[0]
    var = t * (px * pw * (1 - px * pw)).sum(axis=1)
    assert_bernstein(t * (mean - (px * pw).sum(axis=1)), var, 1.0, slack=t * 4 / 4096)


def test_bad_input():
    q = QFormat(8, 4)
    with pytest.raises(ValueError, match=r"v_threshold must be representable in Q\(8,4\)"):
        FixedPointLIF(1, q, v_threshold=9.0)
    with pytest.raises(ValueError, match=r"leak_shift must be an integer in \[0, 7\]; got 8"):
        FixedPointLIF(1, q, leak_shift=8)
    with pytest.raises(TypeError, match="qformat must be a QFormat"):
        FixedPointLIF(1, (8, 4))  # type: ignore[arg-type]
    lif = FixedPointLIF(2, q)
    with pytest.raises(ValueError, match=r"currents_raw must be in \[-128, 127\]"):
        lif.run_raw(np.array([200]))
    with pytest.raises(ValueError, match=r"currents_raw must have shape \(T,\) or \(T, 2\)"):
        lif.run_raw(np.zeros((3, 3), dtype=np.int64))
    with pytest.raises(TypeError, match="currents_raw must be an integer array"):
        lif.run_raw(np.zeros(3))
    with pytest.raises(ValueError, match=r"p_weights must have shape \(2, 3\)"):
        FixedPointDenseLayer(2, [0.1, 0.2, 0.3], np.zeros((3, 2)))
    with pytest.raises(ValueError, match=r"p_inputs must be in \[0.0, 1.0\]"):
        FixedPointDenseLayer(1, [1.5], [[0.1]])
    with pytest.raises(ValueError, match="bias \\+ gain \\* a must be representable"):
        FixedPointDenseLayer(1, [0.5] * 8, np.ones((1, 8)), "count", gain=2.0, qformat=q)
    with pytest.raises(ValueError, match=r"x_seeds must be nonzero 16-bit LFSR states in \[1, 65535\]; got 0"):
        FixedPointDenseLayer(1, [0.5, 0.5], np.ones((1, 2)), x_seeds=[0, 1])
    with pytest.raises(ValueError, match=r"w_seeds must have shape \(1, 2\)"):
        FixedPointDenseLayer(1, [0.5, 0.5], np.ones((1, 2)), w_seeds=[1, 2])
    with pytest.raises(ValueError, match=r"lfsr_width must be an integer in \[3, 32\]; got 2"):
        FixedPointDenseLayer(1, [0.5], [[0.5]], lfsr_width=2)
    with pytest.raises(ValueError, match="accumulation must be one of"):
        FixedPointDenseLayer(1, [0.5], [[0.5]], "sum")
    with pytest.raises(TypeError, match="zero_state must be a bool"):
        FixedPointDenseLayer(1, [0.5], [[0.5]], zero_state=1)


@given(k=st.integers(0, 6), frac=st.integers(4, 12), data=st.data())
def test_fixed_point_tracks_float_euler_lif(k, frac, data):
    """With dt/tau = 2^-k and representable inputs, the fixed-point membrane stays within
    [0, 2^k) LSB above the float Euler membrane of StochasticLIFNeuron (no spikes): each step's
    floor in the leak adds an error in [0, 1) LSB, which then decays by (1 - 2^-k) per step."""
    from sc_neurocore import StochasticLIFNeuron

    lsb = 2.0**-frac
    cur_raw = data.draw(st.lists(st.integers(-(1 << frac), 1 << frac), min_size=1, max_size=150))
    v_rest = data.draw(st.integers(-(1 << frac), 1 << frac)) * lsb
    q = QFormat(frac + 10, frac)
    fixed = FixedPointLIF(1, q, v_threshold=500.0, v_reset=v_rest, v_rest=v_rest, leak_shift=k)
    _, v_fixed = fixed.run_raw(np.array(cur_raw, dtype=np.int64))
    neuron = StochasticLIFNeuron(v_rest=v_rest, v_reset=v_rest, v_threshold=500.0, tau_mem=float(2**k),
                                 dt=1.0, seed=0)
    v_float = []
    for c in cur_raw:
        assert neuron.step(c * lsb) == 0
        v_float.append(neuron.v)
    err = v_fixed[:, 0] * lsb - np.array(v_float)
    assert err.min() >= -1e-9 and err.max() < 2**k * lsb + 1e-9
