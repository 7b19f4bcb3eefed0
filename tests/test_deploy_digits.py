"""sc_neurocore.deploy on the real digits: split, trainer, accuracy of the documented configuration.

Everything is deterministic (fixed seeds, integer SC arithmetic), so accuracies are
exact counts of correct test images and are asserted as such.  The float training
uses NumPy matrix products; a BLAS that rounds differently could shift a count by an
image or two (then re-measure with ``accuracy_curve`` and update the numbers here).
"""

from __future__ import annotations

import os

import numpy as np
import pytest

pytest.importorskip("sklearn")

from sc_neurocore.deploy import (  # noqa: E402
    ENCODERS,
    accuracy_curve,
    evaluate,
    evaluate_early_exit,
    load_digits_split,
    predict_float,
    sc_finetune,
    stratified_split,
    to_sc,
    train_mlp,
)

NOJIT = os.environ.get("NUMBA_DISABLE_JIT", "0") not in ("", "0")
# the pure-Python kernels would take minutes for 360 images at L = 1024; bit-exactness
# without the JIT is covered by test_deploy_fast.py
needs_jit = pytest.mark.skipif(NOJIT, reason="360 images at L = 1024 are too slow without the JIT")


@pytest.fixture(scope="module")
def digits():
    return load_digits_split()


@pytest.fixture(scope="module")
def mlp(digits):
    return train_mlp(digits.x_train, digits.y_train)


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
    again = train_mlp(digits.x_train, digits.y_train)
    for a, b in zip(mlp.weights + mlp.biases, again.weights + again.biases, strict=True):
        assert np.array_equal(a, b)


@needs_jit
def test_documented_configuration_within_two_points_of_float(digits, mlp):
    # documented configuration: W = 16, L = 1024, APC, unipolar, seed 1, hidden scale at the
    # 99th percentile of the training activations (to_sc defaults)
    n_float = int((predict_float(mlp, digits.x_test) == digits.y_test).sum())
    assert n_float == 349  # 96.94 %
    correct = {}
    for enc in ENCODERS:
        clf = to_sc(mlp, encoder=enc, calibration=digits.x_train)
        pred = evaluate(clf, digits.x_test).predictions
        correct[enc] = int((pred == digits.y_test).sum())
        ee = evaluate_early_exit(clf, digits.x_test)
        assert np.array_equal(ee.predictions, pred)
    assert correct == {"lfsr": 345, "sobol": 349, "bernoulli": 348}
    assert all(n_float - c <= 0.02 * 360 for c in correct.values())


@needs_jit
def test_sc_aware_finetuning(digits, mlp):
    ft = sc_finetune(mlp, digits.x_train, digits.y_train, length=1024)
    assert ft.act_scales is not None and len(ft.act_scales) == 1
    assert int((predict_float(ft, digits.x_test) == digits.y_test).sum()) == 350
    correct = {enc: int((evaluate(to_sc(ft, encoder=enc), digits.x_test).predictions == digits.y_test).sum())
               for enc in ENCODERS}
    assert correct == {"lfsr": 345, "sobol": 351, "bernoulli": 349}


@needs_jit
def test_accuracy_curve_rows(digits, mlp):
    rows = accuracy_curve(mlp, digits, lengths=(64, 1024), encoders=("sobol", "lfsr"))
    assert [(r.encoder, r.length) for r in rows] == [("sobol", 64), ("sobol", 1024), ("lfsr", 64), ("lfsr", 1024)]
    assert rows[1].accuracy == 349 / 360 and rows[3].accuracy == 345 / 360
    assert all(r.float_accuracy == 349 / 360 for r in rows)
    for r in rows:
        # the provable early exit uses at most L output cycles; latency adds the hidden phase
        assert 1 <= r.mean_cycles <= r.length and r.mean_latency == r.length + r.mean_cycles


def test_trainer_rejects_bad_data(digits):
    with pytest.raises(ValueError, match=r"y must be in \[0, 9\]; got 10"):
        train_mlp(digits.x_train[:5], np.array([0, 1, 2, 3, 10]), epochs=1)
    with pytest.raises(ValueError, match=r"pixels must be finite and in \[0, input_max\] = \[0, 16\]"):
        train_mlp(digits.x_train[:2] + 1, np.array([0, 1]), epochs=1)
    with pytest.raises(ValueError, match=r"y must be integer class labels of shape \(2,\)"):
        train_mlp(digits.x_train[:2], np.array([0.0, 1.0]), epochs=1)
