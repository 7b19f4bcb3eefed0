"""sc_neurocore.deploy on the real digits: split, trainer, accuracy of the documented configuration.

Exact counts are asserted only where every machine computes the same bits: the SC
evaluation (integer arithmetic) and the mapping's calibration (exact summation) of the
models stored in ``tests/data`` (written by ``scripts/make_digits_models.py``).  Float
training goes through the BLAS, whose rounding depends on the CPU, so a model trained
here is checked against documented bounds instead of counts.

The digits come with scikit-learn (the ``ml`` extra): without it these tests skip
locally and fail in CI (``conftest.IN_CI``).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import NOJIT, require_ml

from sc_neurocore.deploy import (
    ENCODERS,
    FloatMLP,
    accuracy_curve,
    activation_scales,
    evaluate,
    evaluate_early_exit,
    load_digits_split,
    predict_float,
    stratified_split,
    to_sc,
    train_mlp,
)

DATA = Path(__file__).resolve().parent / "data"
# the pure-Python kernels would take minutes for 360 images at L = 1024; bit-exactness
# without the JIT is covered by test_deploy_fast.py
needs_jit = pytest.mark.skipif(NOJIT, reason="360 images at L = 1024 are too slow without the JIT")


@pytest.fixture(scope="module")
def digits():
    require_ml()
    return load_digits_split()


@pytest.fixture(scope="module")
def mlp(digits):
    return train_mlp(digits.x_train, digits.y_train)


@pytest.fixture(scope="module")
def stored():
    return FloatMLP.load(DATA / "digits_mlp.npz")


def test_missing_ml_extra_fails_in_ci_and_skips_locally(monkeypatch):
    monkeypatch.setitem(sys.modules, "sklearn.datasets", None)
    with pytest.raises(pytest.fail.Exception, match=r"CI must provide the ml extra: scikit-learn not found"):
        require_ml(in_ci=True)
    with pytest.raises(pytest.skip.Exception, match=r"pip install 'sc-neurocore\[ml\]'"):
        require_ml(in_ci=False)


def test_documented_split(digits):
    assert digits.x_train.shape == (1437, 64) and digits.x_test.shape == (360, 64)
    assert digits.x_train.dtype == np.int64 and digits.x_train.min() == 0 and digits.x_train.max() == 16
    # stratified: 360 * n_c / 1797 rounded by largest remainder, i.e. within one image of proportional
    counts = np.bincount(np.concatenate([digits.y_train, digits.y_test]))
    assert np.abs(np.bincount(digits.y_test) - 360 * counts / 1797).max() < 1
    again = load_digits_split()
    assert np.array_equal(again.x_test, digits.x_test) and np.array_equal(again.y_train, digits.y_train)


def test_stratified_split_partitions():
    y = np.repeat(np.arange(3), [5, 7, 9])
    tr, te = stratified_split(y, 7, seed=4)
    assert np.array_equal(np.sort(np.concatenate([tr, te])), np.arange(21))
    # 7 * (5, 7, 9) / 21 = (1.67, 2.33, 3): floors (1, 2, 3) + 1 for the largest remainder (class 0)
    assert np.bincount(y[te]).tolist() == [2, 2, 3]
    with pytest.raises(ValueError, match=r"test_size must be an integer in \[1, 20\]; got 21"):
        stratified_split(y, 21, seed=0)


def test_trainer_is_deterministic(digits, mlp):
    # on one machine the same seed gives the same weights (another BLAS may round differently)
    again = train_mlp(digits.x_train, digits.y_train)
    for a, b in zip(mlp.weights + mlp.biases, again.weights + again.biases, strict=True):
        assert np.array_equal(a, b)


def _float_count(m, digits) -> int:
    """Correct float predictions, checked to be the same on every machine.

    A BLAS may change each logit by a few ulps (about 1e-15 here); an argmax can only
    move if its two largest logits are that close, so a gap above 1e-9 fixes every prediction.
    """
    h = digits.x_test / 16.0
    for k, (w, b) in enumerate(zip(m.weights, m.biases, strict=True)):
        h = h @ w.T + b
        if k < len(m.weights) - 1:
            h = np.maximum(h, 0.0) if m.act_scales is None else np.clip(h, 0.0, m.act_scales[k])
    top2 = np.sort(h, axis=1)[:, -2:]
    assert (top2[:, 1] - top2[:, 0]).min() > 1e-9
    return int((predict_float(m, digits.x_test) == digits.y_test).sum())


def test_calibration_is_exact(digits, stored):
    # the hidden scale is the exactly summed 99th percentile: same bits on every machine
    assert activation_scales(stored, digits.x_train, 16, 99.0) == [4.617648709874096]
    layer = to_sc(stored, calibration=digits.x_train).layers[0]
    assert (layer.gain, layer.shift) == (35256, 11)


@needs_jit
def test_documented_configuration_within_two_points_of_float(digits, stored):
    # documented configuration: W = 16, L = 1024, APC, unipolar, seed 1, hidden scale at the
    # 99th percentile of the training activations (to_sc defaults), on the stored model
    n_float = _float_count(stored, digits)
    assert n_float == 349  # 96.94 %
    correct = {}
    for enc in ENCODERS:
        clf = to_sc(stored, encoder=enc, calibration=digits.x_train)
        pred = evaluate(clf, digits.x_test).predictions
        correct[enc] = int((pred == digits.y_test).sum())
        ee = evaluate_early_exit(clf, digits.x_test)
        assert np.array_equal(ee.predictions, pred)
    assert correct == {"lfsr": 345, "sobol": 349, "bernoulli": 348}
    assert all(n_float - c <= 0.02 * 360 for c in correct.values())


@needs_jit
def test_sc_aware_finetuned_model(digits):
    ft = FloatMLP.load(DATA / "digits_mlp_sc_finetuned.npz")
    assert ft.act_scales is not None and len(ft.act_scales) == 1
    assert _float_count(ft, digits) == 350
    correct = {enc: int((evaluate(to_sc(ft, encoder=enc), digits.x_test).predictions == digits.y_test).sum())
               for enc in ENCODERS}
    assert correct == {"lfsr": 345, "sobol": 351, "bernoulli": 349}


@needs_jit
def test_training_reaches_documented_bounds(digits, mlp):
    # A model trained on this machine (its bits depend on the BLAS), so bounds, not counts.  They come
    # from the seed study (python scripts/make_digits_models.py --seed-study 20: train_mlp seeds
    # 0..19, 360 test images), assuming a model trained under another BLAS varies like another seed
    # (same initialisation, rounding differences amplified by training):
    # * float: 347..354 correct over the 20 seeds; the bound 342 (95 %) is 5 images below the worst;
    # * sobol at L = 1024 (the configuration that reaches the target for every seed) was within
    #   1 image of float for every seed; "within 2 points" allows 7.  lfsr (up to 10 images below
    #   float, seed 16) and bernoulli (up to 5) do not reach it with margin for every model, so
    #   they are checked exactly on the stored models only.
    n_float = int((predict_float(mlp, digits.x_test) == digits.y_test).sum())
    assert n_float >= 342
    n_sobol = int((evaluate(to_sc(mlp, encoder="sobol", calibration=digits.x_train), digits.x_test).predictions
                   == digits.y_test).sum())
    assert n_float - n_sobol <= 0.02 * 360


@needs_jit
def test_accuracy_curve_rows(digits, stored):
    rows = accuracy_curve(stored, digits, lengths=(64, 1024), encoders=("sobol", "lfsr"), margin=32)
    assert [(r.encoder, r.length) for r in rows] == [("sobol", 64), ("sobol", 1024), ("lfsr", 64), ("lfsr", 1024)]
    assert [round(r.accuracy * 360) for r in rows] == [350, 349, 336, 345]
    # provable rule: total output cycles over the 360 images
    assert [round(r.mean_cycles * 360) for r in rows] == [22380, 355654, 22505, 355675]
    # margin rule (32 counts, checked every 64 cycles): a tenth of the cycles at L = 1024
    assert [round(r.margin_accuracy * 360) for r in rows] == [350, 349, 336, 346]
    assert [round(r.margin_mean_cycles * 360) for r in rows] == [23040, 35392, 23040, 31808]
    assert [round(r.margin_agreement * 360) for r in rows] == [360, 360, 360, 356]
    assert all(r.float_accuracy == 349 / 360 for r in rows)
    for r in rows:
        # the provable early exit uses at most L output cycles; latency adds the hidden phase
        assert 1 <= r.mean_cycles <= r.length and r.mean_latency == r.length + r.mean_cycles


@needs_jit
def test_clock_division_on_digits(digits, stored):
    # deterministic streams (no random error; n = log2(L) / 2 bit levels): float's 349 from L = 256
    rows = accuracy_curve(stored, digits, lengths=(64, 256, 1024), encoders=("clock_division",), early_exit=False)
    assert [round(r.accuracy * 360) for r in rows] == [346, 349, 349]


def test_trainer_rejects_bad_data(digits):
    with pytest.raises(ValueError, match=r"y must be in \[0, 9\]; got 10"):
        train_mlp(digits.x_train[:5], np.array([0, 1, 2, 3, 10]), epochs=1)
    with pytest.raises(ValueError, match=r"pixels must be finite and in \[0, input_max\] = \[0, 16\]"):
        train_mlp(digits.x_train[:2] + 1, np.array([0, 1]), epochs=1)
    with pytest.raises(ValueError, match=r"y must be integer class labels of shape \(2,\)"):
        train_mlp(digits.x_train[:2], np.array([0.0, 1.0]), epochs=1)
