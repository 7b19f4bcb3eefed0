"""BitstreamCurrentSource and SCDenseLayer: every kernel vs a plain-Python reference, theory, bad input."""

from __future__ import annotations

import numpy as np
import pytest
from _stats import assert_bernstein, assert_binomial_mean
from conftest import NOJIT
from hypothesis import given
from hypothesis import strategies as st
from test_tutorial_api_neuron import lif_py, param_st

from sc_neurocore import BitstreamCurrentSource, SCDenseLayer, StochasticLIFNeuron
from sc_neurocore import bitstream as bs
from sc_neurocore._current_source import bernoulli_thresholds, expected_current
from sc_neurocore._kernels._hash import hash3_py
from sc_neurocore._kernels._layer import (
    count_planes,
    input_words,
    layer_run,
    mux_planes,
    or_planes,
    plane_sums,
    plane_values,
)
from sc_neurocore._rng import key_from_seed, spawn_generators, spawn_keys

# ---------------------------------------------------------------- plain-Python references


def bernoulli_bits_py(k0: int, k1: int, stream: int, thr: int, length: int) -> list[int]:
    """Conventions §3 without the bit-sliced shortcut: a full 32-bit uniform per cycle."""
    bits = []
    for w in range((length + 63) // 64):
        planes = [hash3_py(k0, k1, stream, w * 32 + j) for j in range(32)]
        for lane in range(min(64, length - 64 * w)):
            u = 0
            for j in range(32):
                u |= ((planes[j] >> lane) & 1) << (31 - j)
            bits.append(int(u < thr))
    return bits


def accumulate_py(p_x, p_w, length, mode, keys):
    """Per-cycle accumulated integers a[r][t] from unpacked reference streams."""
    k = [(int(a), int(b)) for a, b in keys]
    n_rows, n_in = p_w.shape
    tx = bernoulli_thresholds(p_x)
    tw = bernoulli_thresholds(p_w)
    X = [bernoulli_bits_py(*k[0], i, int(tx[i]), length) for i in range(n_in)]
    W = [[bernoulli_bits_py(*k[1], r * n_in + i, int(tw[r, i]), length) for i in range(n_in)]
         for r in range(n_rows)]
    a = np.zeros((n_rows, length), dtype=np.int64)
    for r in range(n_rows):
        for t in range(length):
            prods = [X[i][t] & W[r][i][t] for i in range(n_in)]
            if mode == "or":
                a[r, t] = int(any(prods))
            elif mode == "count":
                a[r, t] = sum(prods)
            else:
                sel = (hash3_py(*k[2], r, t) * n_in) >> 64
                a[r, t] = prods[sel]
    return a, X


def pack_py(bits) -> list[int]:
    words = [0] * ((len(bits) + 63) // 64)
    for t, b in enumerate(bits):
        words[t // 64] |= int(b) << (t % 64)
    return words


probs = st.floats(0.0, 1.0)
small_case = st.tuples(st.integers(1, 9), st.integers(1, 6), st.integers(1, 150), st.integers(0, 2**32))


def _planes(mode, x_words, thr, keys, length, n_in, split):
    """Build all words, in two calls [0, split) and [split, W) (the word order must not matter)."""
    n_w = x_words.shape[1]
    out = np.zeros((thr.shape[0], max(n_in.bit_length(), 1) if mode == "count" else 1, n_w), dtype=np.uint64)
    for w0, w1 in ((split, n_w), (0, split)):
        if mode == "or":
            or_planes(x_words, thr, keys[1, 0], keys[1, 1], out, w0, w1)
        elif mode == "count":
            count_planes(x_words, thr, keys[1, 0], keys[1, 1], out, w0, w1)
        else:
            mux_planes(x_words, thr, keys[1, 0], keys[1, 1], keys[2, 0], keys[2, 1], length, out, w0, w1)
    return out


@pytest.mark.parametrize("mode", ["or", "count", "mux"])
@given(case=small_case, data=st.data())
def test_plane_kernels_equal_plain_python(mode, case, data) -> None:
    n_rows, n_in, length, seed = case
    p_x = np.array(data.draw(st.lists(probs, min_size=n_in, max_size=n_in)))
    p_w = np.array(data.draw(st.lists(probs, min_size=n_rows * n_in, max_size=n_rows * n_in))).reshape(
        n_rows, n_in
    )
    keys = spawn_keys(seed, 3)
    x_words = input_words(bernoulli_thresholds(p_x), keys[0, 0], keys[0, 1], length)
    split = data.draw(st.integers(0, x_words.shape[1]))
    planes = _planes(mode, x_words, bernoulli_thresholds(p_w), keys, length, n_in, split)
    a_ref, X = accumulate_py(p_x, p_w, length, mode, keys)
    assert [[int(w) for w in row] for row in x_words] == [pack_py(x) for x in X]
    np.testing.assert_array_equal(plane_values(planes, length), a_ref)
    np.testing.assert_array_equal(plane_sums(planes), a_ref.sum(axis=1))
    # the planes are the packed binary digits of a_t, padding bits zero
    for k in range(planes.shape[1]):
        ref = [pack_py(((a_ref[r] >> k) & 1).tolist()) for r in range(n_rows)]
        assert [[int(w) for w in planes[r, k]] for r in range(n_rows)] == ref


@given(case=small_case, data=st.data())
def test_input_streams_are_the_public_bernoulli_streams(case, data) -> None:
    _, n_in, length, seed = case
    p = np.array(data.draw(st.lists(probs, min_size=n_in, max_size=n_in)))
    child = spawn_generators(seed, 3)[0]
    k = key_from_seed(spawn_generators(seed, 3)[0])
    np.testing.assert_array_equal(
        input_words(bernoulli_thresholds(p), k[0], k[1], length), bs.bernoulli(p, length, seed=child)
    )


# ---------------------------------------------------------------- current source


@pytest.mark.parametrize("mode", ["or", "count", "mux"])
def test_source_step_currents_estimate_and_wrap(mode) -> None:
    src = BitstreamCurrentSource([0.5, 0.8, 0.3], 0.0, 1.0, [0.6, 0.4, 0.9], 0.0, 1.0, length=130,
                                 y_min=0.01, y_max=0.05, seed=42, accumulation=mode)
    cur = src.currents()
    stepped = np.array([src.step() for _ in range(130 * 2 + 7)])
    np.testing.assert_array_equal(stepped[:130], cur)  # same floats, bit for bit
    np.testing.assert_array_equal(stepped[130:260], cur)  # wraps after length cycles
    src.reset()
    assert src.step() == cur[0]
    assert src.full_current_estimate() == pytest.approx(cur.mean(), rel=1e-12)
    a = np.round((cur - 0.01) / 0.04).astype(int)
    assert a.min() >= 0 and a.max() <= (3 if mode == "count" else 1)
    keys = spawn_keys(42, 3)
    np.testing.assert_array_equal(src.input_words, bs.bernoulli([0.5, 0.8, 0.3], 130, seed=spawn_generators(42, 3)[0]))
    np.testing.assert_array_equal(src.weight_words, bs.bernoulli([0.6, 0.4, 0.9], 130, seed=spawn_generators(42, 3)[1]))
    assert keys.shape == (3, 2)
    if mode == "count":
        assert src.output_words is None
        np.testing.assert_array_equal(a, bs.parallel_count(bs.and_(src.input_words, src.weight_words), 130))
    else:
        np.testing.assert_array_equal(bs.unpack(src.output_words, 130), a)
    if mode == "or":
        np.testing.assert_array_equal(
            src.output_words, np.bitwise_or.reduce(src.input_words & src.weight_words, axis=0)
        )


@pytest.mark.parametrize("mode", ["or", "count", "mux"])
@given(data=st.data(), n_in=st.integers(1, 8), seed=st.integers(0, 2**32))
def test_source_mean_within_exact_bounds(mode, data, n_in, seed) -> None:
    length = 512 if NOJIT else data.draw(st.integers(256, 8192))
    p_x = np.array(data.draw(st.lists(probs, min_size=n_in, max_size=n_in)))
    p_w = np.array(data.draw(st.lists(probs, min_size=n_in, max_size=n_in)))
    src = BitstreamCurrentSource(p_x, 0.0, 1.0, p_w, 0.0, 1.0, length=length, y_min=0.0, y_max=1.0,
                                 seed=seed, accumulation=mode)
    pq = p_x * p_w
    if mode == "or":
        q = 1 - np.prod(1 - pq)
        var = q * (1 - q)  # a_t is one Bernoulli(q) bit per cycle, independent across cycles
    elif mode == "count":
        q = pq.sum()
        var = float((pq * (1 - pq)).sum())  # sum of independent Bernoulli(x_i w_i)
    else:
        q = pq.mean()
        var = q * (1 - q)  # uniform select then Bernoulli: one Bernoulli(mean) bit per cycle
    assert src.expected_current() == pytest.approx(q, abs=1e-12)
    # every product bit's probability is within 2^-31 of x_i w_i (two 2^-32 roundings).
    # count: Bernstein on the L n_in independent product bits; or/mux: one Bernoulli(q) bit per
    # cycle, exact Clopper-Pearson.  False failure <= 3 modes x 60 x 1e-10.
    est = src.full_current_estimate()
    if mode == "count":
        assert_bernstein(length * (est - q), length * var, 1.0, slack=length * n_in * 2.0**-31)
    else:
        assert_binomial_mean(est, length, q, slack=n_in * 2.0**-31)


def test_expected_current_formulas() -> None:
    p_x, p_w = np.array([0.5, 0.8, 0.3]), np.array([0.6, 0.4, 0.9])
    assert expected_current(p_x, p_w, 0.0, 0.1, "or") == pytest.approx(0.1 * (1 - 0.7 * 0.68 * 0.73))
    assert expected_current(p_x, p_w, 0.0, 0.1, "count") == pytest.approx(0.1 * 0.89)
    assert expected_current(p_x, p_w, 0.0, 0.1, "mux") == pytest.approx(0.1 * 0.89 / 3)


def test_source_seed_determinism() -> None:
    kw = dict(x_inputs=[0.3, 0.6], weight_values=[0.5, 0.9], length=300)
    a = BitstreamCurrentSource(**kw, seed=1).currents()
    np.testing.assert_array_equal(a, BitstreamCurrentSource(**kw, seed=1).currents())
    assert not np.array_equal(a, BitstreamCurrentSource(**kw, seed=2).currents())
    assert BitstreamCurrentSource(**kw).length == 300  # seed None: fresh entropy, still valid


@pytest.mark.parametrize(
    ("kw", "exc", "msg"),
    [
        ({"x_inputs": [0.5, 1.5]}, ValueError, r"x_inputs must be in \[0.0, 1.0\]; got 1.5 at index \(1,\)"),
        ({"x_inputs": [0.5, float("nan")]}, ValueError, r"x_inputs must be finite; got nan at index \(1,\)"),
        ({"x_inputs": []}, ValueError, r"x_inputs must be a non-empty 1-D sequence; got shape \(0,\)"),
        ({"x_inputs": [[0.5, 0.5]]}, ValueError, r"x_inputs must be a non-empty 1-D sequence; got shape \(1, 2\)"),
        ({"x_inputs": ["a", "b"]}, TypeError, r"x_inputs must be an array of real numbers; got dtype <U1"),
        ({"weight_values": [0.5]}, ValueError, r"weight_values must have shape \(2,\) \(one weight per input\); got shape \(1,\)"),
        ({"weight_values": [0.5, -0.1]}, ValueError, r"weight_values must be in \[0.0, 1.0\]; got -0.1 at index \(1,\)"),
        ({"weight_values": None}, TypeError, r"weight_values must be given"),
        ({"length": 0}, ValueError, r"length must be an integer in \[1, inf\]; got 0"),
        ({"length": 2.0}, TypeError, r"length must be an integer; got float 2.0"),
        ({"y_min": 0.2, "y_max": 0.1}, ValueError, r"y_max must be > y_min \(0.2\); got 0.1"),
        ({"x_min": 1.0, "x_max": 1.0}, ValueError, r"x_max must be > x_min \(1.0\); got 1.0"),
        ({"w_max": float("inf")}, ValueError, r"w_max must be finite; got inf"),
        ({"accumulation": "sum"}, ValueError, r"accumulation must be one of 'or', 'count', 'mux'; got 'sum'"),
        ({"seed": -3}, ValueError, r"seed must be a non-negative integer; got -3"),
    ],
)
def test_source_bad_input(kw, exc, msg) -> None:
    args = dict(x_inputs=[0.5, 0.5], weight_values=[0.5, 0.5], length=64)
    args.update(kw)
    with pytest.raises(exc, match=msg):
        BitstreamCurrentSource(**args)


# ---------------------------------------------------------------- dense layer


def layer_reference(layer: SCDenseLayer, T: int, base_seed) -> np.ndarray:
    """Per-step unpacked reference: one byte per bit streams, plain-Python LIF, cycle by cycle."""
    n, L = layer.n_neurons, layer.length
    noise_gen, source_gen = np.random.default_rng(base_seed).spawn(2)
    keys = spawn_keys(source_gen, 3)
    p_w = np.broadcast_to(layer.p_weights, (n, layer.n_inputs)) if layer.p_weights.ndim == 2 else layer.p_weights[None]
    a, _ = accumulate_py(layer.p_inputs, np.asarray(p_w), L, layer.accumulation, keys)
    p = layer.neuron_params
    out = np.zeros((n, T), dtype=np.uint8)
    k0, k1 = (int(k) for k in key_from_seed(noise_gen))
    for i in range(n):
        row = a[i if layer.p_weights.ndim == 2 else 0]
        v, refr = p["v_rest"], 0
        for t in range(T):
            current = layer.y_min + (layer.y_max - layer.y_min) * float(row[t % L])
            v, refr, out[i, t] = lif_py(v, refr, t, current, k0, k1, p, domain=i)
    return out


@pytest.mark.parametrize("mode", ["or", "count", "mux"])
@pytest.mark.parametrize("two_d", [False, True])
def test_layer_run_equals_unpacked_per_step_reference(mode, two_d) -> None:
    rng = np.random.default_rng(0)
    n, n_in, L = 3, 5, 100
    w = rng.random((n, n_in)) if two_d else rng.random(n_in)
    layer = SCDenseLayer(n, rng.random(n_in), w, length=L, y_min=0.02, y_max=0.09, accumulation=mode,
                         neuron_params={"noise_std": 0.05, "refractory_period": 1, "tau_mem": 10.0,
                                        "v_threshold": 0.3},
                         base_seed=123)
    spikes = layer.run(250)  # wraps the streams twice
    np.testing.assert_array_equal(spikes, layer_reference(layer, 250, 123))
    assert spikes.sum() > 0


@given(p=param_st, seed=st.integers(0, 2**32), two_d=st.booleans(), n_steps=st.integers(1, 120))
def test_layer_neuron_equals_lone_neuron_with_every_parameter(p, seed, two_d, n_steps) -> None:
    n, L = 3, 50
    w = np.full((n, 4), 0.7) if two_d else np.full(4, 0.7)
    layer = SCDenseLayer(n, [0.9, 0.4, 0.6, 0.2], w, length=L, dt_ms=p["dt"], y_min=0.0, y_max=0.3,
                         neuron_params=p, base_seed=seed)
    spikes = layer.run(n_steps)
    cur = layer.currents()
    for i in range(n):
        noise_child = np.random.default_rng(seed).spawn(2)[0]
        lone = StochasticLIFNeuron(**p, seed=noise_child, noise_stream=i)
        ref = [lone.step(cur[i, t % L]) for t in range(n_steps)]
        np.testing.assert_array_equal(spikes[i], ref)
        assert layer.v[i] == lone.v


def test_layer_shared_vs_per_neuron_sources() -> None:
    x, w = [0.3, 0.7, 0.5], [0.5, 0.6, 0.4]
    shared = SCDenseLayer(4, x, w, length=256, base_seed=5)
    assert shared.shared_source and shared.source is not None
    cur = shared.currents()
    assert (cur == cur[0]).all()
    source_child = np.random.default_rng(5).spawn(2)[1]
    alone = BitstreamCurrentSource(x, 0.0, 1.0, w, 0.0, 1.0, 256, 0.0, 0.1, seed=source_child)
    np.testing.assert_array_equal(cur[0], alone.currents())
    per = SCDenseLayer(4, x, np.tile(w, (4, 1)), length=256, base_seed=5)
    assert not per.shared_source and per.source is None
    c2 = per.currents()
    assert len({c2[i].tobytes() for i in range(4)}) == 4  # independent weight streams per neuron
    np.testing.assert_allclose(per.summary()["expected_current"], shared.summary()["expected_current"])


def test_layer_run_continues_and_summary() -> None:
    kw = dict(n_neurons=3, x_inputs=[0.9, 0.8], weight_values=[0.9, 0.9], length=64, base_seed=8,
              neuron_params={"noise_std": 0.1})
    a = SCDenseLayer(**kw)
    a.run(70)
    a.run(0)
    a.run(55)
    b = SCDenseLayer(**kw)
    b.run(125)
    np.testing.assert_array_equal(a.get_spike_trains(), b.get_spike_trains())
    s = a.summary()
    assert a.get_spike_trains().shape == (3, 125) and a.get_spike_trains().dtype == np.uint8
    assert [st_["neuron"] for st_ in s["stats"]] == [0, 1, 2]
    counts = a.get_spike_trains().sum(axis=1)
    assert [st_["total_spikes"] for st_ in s["stats"]] == counts.tolist()
    assert [st_["firing_rate_hz"] for st_ in s["stats"]] == pytest.approx(counts / 0.125)
    assert s["t_steps"] == 125 and s["duration_ms"] == 125.0
    a.reset()
    assert a.get_spike_trains().shape == (3, 0) and a.summary()["stats"][0]["firing_rate_hz"] == 0.0
    a.run(125)
    np.testing.assert_array_equal(a.get_spike_trains(), b.get_spike_trains())


def test_layer_seed_determinism() -> None:
    kw = dict(n_neurons=2, x_inputs=[0.9, 0.5], weight_values=[0.8, 0.9], length=128,
              neuron_params={"noise_std": 0.2})
    a = SCDenseLayer(**kw, base_seed=1).run(200)
    np.testing.assert_array_equal(a, SCDenseLayer(**kw, base_seed=1).run(200))
    assert not np.array_equal(a, SCDenseLayer(**kw, base_seed=2).run(200))


def test_layer_dt_defaults_to_dt_ms() -> None:
    layer = SCDenseLayer(1, [1.0], [1.0], length=64, dt_ms=0.5, y_max=0.08)
    assert layer.neuron_params["dt"] == 0.5
    assert SCDenseLayer(1, [1.0], [1.0], length=64, dt_ms=0.5, neuron_params={"dt": 0.5}).dt_ms == 0.5


@pytest.mark.parametrize(
    ("kw", "exc", "msg"),
    [
        ({"neuron_params": {"tau": 5.0}}, ValueError, r"neuron_params has unknown key\(s\) 'tau'; allowed: 'v_rest'"),
        ({"neuron_params": {"tau_mem": -5.0}}, ValueError, r"tau_mem must be in \(0.0, inf\); got -5.0"),
        ({"neuron_params": {"dt": 2.0}}, ValueError, r"neuron_params\['dt'\] must equal dt_ms \(1.0\); got 2.0"),
        ({"neuron_params": [("tau_mem", 5.0)]}, TypeError, r"neuron_params must be a dict or None; got list"),
        ({"n_neurons": 0}, ValueError, r"n_neurons must be an integer in \[1, inf\]; got 0"),
        ({"weight_values": np.ones((3, 2))}, ValueError, r"weight_values must have shape \(2,\) or \(2, 2\); got shape \(3, 2\)"),
        ({"weight_values": [0.5, 2.0]}, ValueError, r"weight_values must be in \[0.0, 1.0\]; got 2.0 at index \(1,\)"),
        ({"x_inputs": [0.5, 0.05]}, ValueError, r"x_inputs must be in \[0.1, 1.0\]; got 0.05 at index \(1,\)"),
        ({"dt_ms": 0.0}, ValueError, r"dt_ms must be in \(0.0, inf\); got 0.0"),
        ({"accumulation": "and"}, ValueError, r"accumulation must be one of 'or', 'count', 'mux'; got 'and'"),
        ({"base_seed": "x"}, TypeError, r"base_seed must be None, an int"),
        ({"length": -1}, ValueError, r"length must be an integer in \[1, inf\]; got -1"),
    ],
)
def test_layer_bad_input(kw, exc, msg) -> None:
    args = dict(n_neurons=2, x_inputs=[0.5, 0.5], weight_values=[0.5, 0.5], length=64, x_min=0.1)
    args.update(kw)
    with pytest.raises(exc, match=msg):
        SCDenseLayer(**args)


def test_layer_run_bad_T() -> None:
    layer = SCDenseLayer(1, [0.5], [0.5], length=64)
    with pytest.raises(ValueError, match=r"T must be an integer in \[0, inf\]; got -1"):
        layer.run(-1)
    with pytest.raises(TypeError, match=r"T must be an integer; got float 5.0"):
        layer.run(5.0)


def test_layer_run_kernel_directly() -> None:
    # one neuron, one plane: the kernel reads bit t of the packed word as the current
    planes = np.array([[[0b1011]]], dtype=np.uint64)
    v = np.zeros(1)
    refr = np.zeros(1, dtype=np.int64)
    out = np.zeros((1, 4), dtype=np.uint8)
    prefixes = np.zeros(1, dtype=np.uint64)
    layer_run(planes, np.zeros(1, dtype=np.int64), 0, 4, 4, 0.0, 0.6, v, refr, 0, prefixes,
              0.0, 0.0, 1.0, 1e9, 1.0, 0.0, 1.0, 0, out)
    # currents 0.6, 0.6, 0, 0.6: v = 0.6, 1.2 -> spike, 0, 0.6
    assert out.tolist() == [[0, 1, 0, 0]]
    assert v[0] == pytest.approx(0.6)


@given(
    mode=st.sampled_from(["or", "count", "mux"]),
    two_d=st.booleans(),
    n=st.integers(1, 6),
    n_in=st.integers(1, 5),
    L=st.integers(1, 130),
    chunks=st.lists(st.integers(0, 90), min_size=1, max_size=3),
    seed=st.integers(0, 2**32),
)
def test_layer_run_in_chunks_equals_reference_for_any_shape(mode, two_d, n, n_in, L, chunks, seed) -> None:
    rng = np.random.default_rng(seed)
    w = rng.random((n, n_in)) if two_d else rng.random(n_in)
    layer = SCDenseLayer(n, rng.random(n_in), w, length=L, y_min=0.0, y_max=0.2, accumulation=mode,
                         neuron_params={"noise_std": 0.1, "v_threshold": 0.5, "refractory_period": 2},
                         base_seed=seed)
    for c in chunks:
        assert layer.run(c).shape == (n, c)
    np.testing.assert_array_equal(layer.get_spike_trains(), layer_reference(layer, sum(chunks), seed))
