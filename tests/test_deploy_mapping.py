"""sc_neurocore.deploy: float -> SC mapping arithmetic (hand-computed), FloatMLP, bad input."""

from __future__ import annotations

import io
import math
import sys

import numpy as np
import pytest

from sc_neurocore.deploy import (
    DigitsSplit,
    FloatMLP,
    SCClassifier,
    accuracy_curve,
    activation_scales,
    effective_matrices,
    evaluate,
    evaluate_early_exit,
    gain_shift,
    hidden_activations,
    predict_float,
    quantise_weights,
    to_sc,
)


def _tiny(act=(4.0,)):
    return FloatMLP.from_arrays([[[1.0, -2.0]], [[2.0], [-1.0]]], [[0.5], [0.0, 1.0]], act)


def test_gain_shift_hand_cases():
    # 16-bit gain: shift = 15 - floor(log2 ratio), gain = round(ratio 2^shift)
    assert gain_shift(1.0, 16) == (32768, 15)
    assert gain_shift(12.5, 16) == (51200, 12)
    assert gain_shift(0.5, 16) == (32768, 16)
    assert gain_shift(2.0**20, 16) == (1 << 20, 0)
    assert gain_shift(1 / 3, 4) == (11, 5)  # 0.333 * 32 = 10.67 -> 11
    g, s = gain_shift(0.1234567, 16)
    assert abs(g / 2**s - 0.1234567) <= 2.0 ** -(s + 1)
    assert 1 << 15 <= g < 1 << 16


def test_quantise_weights_hand_cases():
    e = np.array([[0.5, -1.0, 0.25, -0.15625, 0.21875]])
    mag, neg = quantise_weights(e, 1.0, 4, "unipolar")
    # |e| * 16 = 8, 16, 4, 2.5 -> 2 (half to even), 3.5 -> 4
    assert mag.tolist() == [[8, 16, 4, 2, 4]]
    assert neg.tolist() == [[False, True, False, True, False]]
    bip, nb = quantise_weights(e, 1.0, 4, "bipolar")
    # (e + 1) / 2 * 16 = 12, 0, 10, 6.75 -> 7, 9.75 -> 10
    assert bip.tolist() == [[12, 0, 10, 7, 10]] and not nb.any()


def test_to_sc_hand_computed_unipolar_apc():
    clf = to_sc(_tiny(), width=4, length=16, encoder="lfsr", seed=3)
    l0, l1 = clf.layers
    # E0 = [1, -2 | 0.5], s0 = 2: M = |E0| / 2 * 16 = [8, 16, 4]
    assert l0.scale == 2.0
    assert l0.magnitude.tolist() == [[8, 16, 4]] and l0.negative.tolist() == [[False, True, False]]
    # ratio = 2^W s0 f / (L A) = 16 * 2 * 1 / (16 * 4) = 0.5 -> gain 32768, shift 16
    assert (l0.gain, l0.shift) == (32768, 16)
    # E1 = [W1 A | b1] = [[8, 0], [-4, 1]], s1 = 8: M = [[16, 0], [8, 2]]
    assert l1.scale == 8.0
    assert l1.magnitude.tolist() == [[16, 0], [8, 2]]
    assert l1.negative.tolist() == [[False, False], [True, False]]
    assert effective_matrices(_tiny(), (4.0,))[1].tolist() == [[8.0, 0.0], [-4.0, 1.0]]


def test_to_sc_mux_gain_counts_the_inputs():
    clf = to_sc(_tiny(), width=4, length=16, encoder="sobol", accumulation="mux", seed=3)
    # f = n_in + 1 = 3: ratio = 16 * 2 * 3 / (16 * 4) = 1.5 -> shift 15, gain 1.5 * 2^15
    assert (clf.layers[0].gain, clf.layers[0].shift) == (49152, 15)


def test_to_sc_bipolar_thresholds():
    clf = to_sc(_tiny(), width=4, length=16, encoder="lfsr", coding="bipolar", seed=3)
    # (E0 / 2 + 1) / 2 * 16 = (0.5, -1, 0.25) -> 12, 0, 10
    assert clf.layers[0].magnitude.tolist() == [[12, 0, 10]] and not clf.layers[0].negative.any()


def test_to_sc_calibration_percentile():
    mlp = _tiny(None)
    # hidden z = u0 - 2 u1 + 0.5 for u = q / 16: pixels (16, 0) -> 1.5, (8, 0) -> 1.0, (0, 16) -> 0
    calib = np.array([[16, 0], [8, 0], [0, 16]])
    clf = to_sc(mlp, width=4, length=16, calibration=calib, activation_percentile=100.0)
    # A = 1.5: ratio = 16 * 2 / (16 * 1.5) = 4/3 -> shift 15, gain round(4/3 * 2^15) = 43691
    assert (clf.layers[0].gain, clf.layers[0].shift) == (43691, 15)
    assert clf.layers[1].scale == 3.0  # E1 = [[3, 0], [-1.5, 1]]


def test_exact_hidden_activations_and_percentile():
    rng = np.random.default_rng(5)
    mlp = FloatMLP.from_arrays([rng.standard_normal((6, 9)), rng.standard_normal((4, 6)), rng.standard_normal((2, 4))],
                               [rng.standard_normal(6), rng.standard_normal(4), rng.standard_normal(2)])
    q = rng.integers(0, 17, size=(40, 9))
    got = hidden_activations(mlp, q, exact=True)
    # reference: one product per term, exact sum rounded once (math.fsum), layer by layer
    h = (q / 16.0).tolist()
    for k, layer in enumerate(got):
        w, b = mlp.weights[k], mlp.biases[k]
        h = [[max(0.0, math.fsum([x * y for x, y in zip(row, w[j].tolist(), strict=True)] + [float(b[j])]))
              for j in range(w.shape[0])] for row in h]
        assert np.array_equal(layer, np.array(h))
        # the BLAS product agrees up to rounding
        np.testing.assert_allclose(hidden_activations(mlp, q)[k], layer, rtol=0, atol=1e-12)
    # the percentile is numpy's linear interpolation, written out; a dead percentile falls back to the max
    for pct in (90.0, 99.0, 100.0, 62.7, 33.3):  # interpolation fractions below and above 1/2
        want = [float(np.percentile(a, pct)) or float(a.max()) for a in got]
        assert activation_scales(mlp, q, 16, pct) == want
    assert float(np.percentile(got[1], 90.0)) == 0.0  # this case covers the fallback
    with pytest.raises(ValueError, match=r"calibration must have shape \(n, 9\) with n >= 1; got \(0, 9\)"):
        activation_scales(mlp, q[:0], 16, 90.0)


def test_constant_stream_model_matches_float():
    # weights +-1 at scale 1 and pixels 0 / max give constant streams: SC counters are exact
    mlp = FloatMLP.from_arrays([[[1.0, -1.0], [1.0, 1.0]], [[1.0, 0.0], [0.0, 1.0]]], [[0.0, 0.0], [0.0, 0.0]],
                               (2.0,))
    clf = to_sc(mlp, width=8, length=64, encoder="sobol")
    pixels = np.array([[16, 0], [0, 16], [16, 16]])
    out = evaluate(clf, pixels)
    # z0 = (1, 1), (-1, 1), (0, 2); counters L z0 / s0
    assert out.counters[0].tolist() == [[64, 64], [-64, 64], [0, 128]]
    assert np.array_equal(out.predictions, predict_float(mlp, pixels))


@pytest.mark.parametrize(
    ("kwargs", "exc", "match"),
    [
        ({"length": 1000}, ValueError, r"length must be a power of two in \[16, 65536\]; got 1000"),
        ({"encoder": "halton"}, ValueError, r"encoder must be one of 'lfsr', 'sobol', 'bernoulli'; got 'halton'"),
        ({"accumulation": "max"}, ValueError, r"accumulation must be one of 'apc', 'or', 'mux'; got 'max'"),
        ({"coding": "x"}, ValueError, r"coding must be one of 'unipolar', 'bipolar'; got 'x'"),
        ({"width": 30}, ValueError, r"width must be an integer in \[4, 24\]; got 30"),
        ({"activation_percentile": 0.0}, ValueError, r"activation_percentile must be in \(0.0, 100.0\]; got 0.0"),
        ({"gain_bits": 0}, ValueError, r"gain_bits must be an integer in \[1, 24\]; got 0"),
    ],
)
def test_to_sc_rejects_bad_configuration(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        to_sc(_tiny(), **kwargs)


def test_to_sc_rejects_bad_models():
    with pytest.raises(ValueError, match=r"weights\[0\] must be finite; got nan at index \(0, 1\)"):
        FloatMLP.from_arrays([[[1.0, np.nan]]], [[0.0]])
    with pytest.raises(ValueError, match=r"weights\[1\] must have shape \(n_out, 1\) \(n_in = rows of weights\[0\]\); "
                                         r"got \(2, 3\)"):
        FloatMLP.from_arrays([[[1.0, 2.0]], np.ones((2, 3))], [[0.0], [0.0, 0.0]])
    with pytest.raises(ValueError, match=r"biases\[0\] must have shape \(1,\); got \(2,\)"):
        FloatMLP.from_arrays([[[1.0, 2.0]]], [[0.0, 1.0]])
    with pytest.raises(ValueError, match=r"act_scales must hold 1 positive values \(one per hidden layer\); "
                                         r"got \(-1.0,\)"):
        _tiny((-1.0,))
    with pytest.raises(ValueError, match=r"act_scales must be finite; got inf at index \(0,\)"):
        _tiny((np.inf,))
    with pytest.raises(TypeError, match=r"mlp must be a FloatMLP \(FloatMLP.from_arrays takes plain arrays\); "
                                        r"got list"):
        to_sc([np.ones((1, 2))])
    with pytest.raises(ValueError, match=r"calibration must be given \(training pixels, shape \(n, n_in\)\) when mlp "
                                         r"has no act_scales; got None"):
        to_sc(_tiny(None))
    with pytest.raises(ValueError, match=r"mlp layer 0 must have a nonzero weight or bias; got all zeros"):
        to_sc(FloatMLP.from_arrays([np.zeros((1, 2))], [np.zeros(1)]))
    with pytest.raises(ValueError, match=r"the requantisation ratio of layer 0 must be in \[2\^-62, 2\^24\]"):
        to_sc(_tiny((1e-9,)))


def test_float_mlp_save_load_roundtrip_and_bad_file():
    buf = io.BytesIO()
    _tiny().save(buf)
    buf.seek(0)
    back = FloatMLP.load(buf)
    assert back.act_scales == (4.0,)
    for a, b in zip(back.weights + back.biases, _tiny().weights + _tiny().biases, strict=True):
        assert np.array_equal(a, b) and not a.flags.writeable
    bad = io.BytesIO()
    np.savez(bad, w0=np.ones((1, 2)), b0=np.ones(1), junk=np.ones(1))
    bad.seek(0)
    with pytest.raises(ValueError, match=r"float MLP file .*unexpected or missing entries: \['junk'\]"):
        FloatMLP.load(bad)


def test_digits_need_the_ml_extra(monkeypatch):
    from sc_neurocore.deploy import load_digits_split

    monkeypatch.setitem(sys.modules, "sklearn.datasets", None)
    with pytest.raises(ImportError, match=r"pip install 'sc-neurocore\[ml\]'"):
        load_digits_split()


def test_evaluate_accepts_only_validated_layers():
    with pytest.raises(TypeError, match=r"layers\[0\] must be an SCLayer; got tuple"):
        evaluate(SCClassifier(((1, 2),), 8, 16, "lfsr", "apc", "unipolar", 1, 16), np.zeros((1, 1), int))


def test_accuracy_curve_margin_columns():
    rng = np.random.default_rng(3)
    mlp = FloatMLP.from_arrays([rng.standard_normal((5, 6)), rng.standard_normal((3, 5))],
                               [rng.standard_normal(5), rng.standard_normal(3)])
    data = DigitsSplit(rng.integers(0, 17, (30, 6)), rng.integers(0, 3, 30),
                       rng.integers(0, 17, (25, 6)), rng.integers(0, 3, 25))
    plain = accuracy_curve(mlp, data, lengths=(64, 128), encoders=("lfsr", "bernoulli"))
    assert all(r.margin_accuracy is None and r.margin_mean_cycles is None and r.margin_agreement is None
               for r in plain)
    rows = accuracy_curve(mlp, data, lengths=(64, 128), encoders=("lfsr", "bernoulli"), margin=3)
    assert [r[:6] for r in rows] == [r[:6] for r in plain]
    for r in rows:
        clf = to_sc(mlp, length=r.length, encoder=r.encoder, calibration=data.x_train)
        full = evaluate(clf, data.x_test).predictions
        mar = evaluate_early_exit(clf, data.x_test, margin=3)
        assert r.margin_accuracy == np.mean(mar.predictions == data.y_test)
        assert r.margin_mean_cycles == mar.cycles.mean()
        assert r.margin_agreement == np.mean(mar.predictions == full)
        # checked every 64 cycles: a multiple of 64 (or L)
        assert 64 <= r.margin_mean_cycles <= r.length
    with pytest.raises(ValueError, match=r"margin must be an integer in \[1, 4611686018427387904\]; got 0"):
        accuracy_curve(mlp, data, lengths=(64,), encoders=("lfsr",), margin=0)
