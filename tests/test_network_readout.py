"""Linear readout: exact least squares, ridge closed form, separable toy data, metrics, bad input."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sc_neurocore.network import LinearClassifier, RidgeReadout, accuracy, confusion_matrix


def test_least_squares_recovers_exact_line() -> None:
    x = np.array([[0.0], [1.0], [2.0], [3.0]])
    y = 2.0 * x[:, 0] + 1.0
    r = RidgeReadout(alpha=0.0).fit(x, y)
    assert r.coef_ is not None and r.intercept_ is not None
    assert r.coef_[0, 0] == pytest.approx(2.0)
    assert r.intercept_[0] == pytest.approx(1.0)
    np.testing.assert_allclose(r.predict([[10.0]]), [21.0])
    assert r.score(x, y) == pytest.approx(1.0)


def test_ridge_one_feature_hand_formula() -> None:
    # x = 0, 1, 2, 3: mean 1.5, population sd sqrt(1.25); z = (x - 1.5) / sqrt(1.25)
    # sum z^2 = 4 (n samples of unit variance); y = 0, 1, 1, 3: sum z*y = (-1.5*0 - .5 + .5 + 4.5)/sqrt(1.25)
    x = np.array([[0.0], [1.0], [2.0], [3.0]])
    y = np.array([0.0, 1.0, 1.0, 3.0])
    alpha = 2.0
    szy = 4.5 / np.sqrt(1.25)
    w_z = szy / (4.0 + alpha)
    r = RidgeReadout(alpha=alpha).fit(x, y)
    assert r.coef_ is not None and r.intercept_ is not None
    assert r.coef_[0, 0] == pytest.approx(w_z / np.sqrt(1.25))
    assert r.intercept_[0] == pytest.approx(1.25 - 1.5 * w_z / np.sqrt(1.25))


def test_ridge_shrinks_towards_mean() -> None:
    rng = np.random.default_rng(1)
    x = rng.normal(size=(30, 3))
    y = x @ np.array([1.0, -2.0, 0.5]) + 3.0
    norms = []
    for a in (0.0, 1.0, 100.0):
        coef = RidgeReadout(alpha=a).fit(x, y).coef_
        assert coef is not None
        norms.append(float(np.abs(coef).sum()))
    assert norms[0] > norms[1] > norms[2]


def test_constant_feature_is_ignored() -> None:
    x = np.array([[1.0, 5.0], [2.0, 5.0], [3.0, 5.0]])
    r = RidgeReadout(alpha=0.0).fit(x, [1.0, 2.0, 3.0])
    assert r.coef_ is not None
    assert r.coef_[1, 0] == 0.0
    np.testing.assert_allclose(r.predict(x), [1.0, 2.0, 3.0])


def test_classifier_separable_toy_data() -> None:
    # three well separated clusters: a linear least-squares readout classifies them all
    rng = np.random.default_rng(7)
    centres = np.array([[0.0, 0.0], [10.0, 0.0], [0.0, 10.0]])
    y = np.repeat(np.arange(3), 40)
    x = centres[y] + rng.normal(scale=0.5, size=(120, 2))
    clf = LinearClassifier(alpha=1e-3).fit(x, y)
    assert clf.classes_ is not None
    np.testing.assert_array_equal(clf.classes_, [0, 1, 2])
    assert clf.score(x, y) == 1.0
    np.testing.assert_array_equal(clf.predict(centres), [0, 1, 2])
    assert clf.decision_function(centres).shape == (3, 3)


def test_classifier_arbitrary_labels() -> None:
    x = np.array([[0.0], [0.1], [5.0], [5.1]])
    clf = LinearClassifier(alpha=0.0).fit(x, [3, 3, 8, 8])
    np.testing.assert_array_equal(clf.predict([[0.05], [4.9]]), [3, 8])


def test_accuracy_and_confusion_hand_example() -> None:
    t = [0, 0, 1, 1, 1]
    p = [0, 1, 1, 1, 0]
    assert accuracy(t, p) == pytest.approx(3 / 5)
    np.testing.assert_array_equal(confusion_matrix(t, p), [[1, 1], [1, 2]])
    np.testing.assert_array_equal(confusion_matrix([0], [0], n_classes=3), [[1, 0, 0], [0, 0, 0], [0, 0, 0]])


@pytest.mark.parametrize(
    ("call", "exc", "match"),
    [
        (lambda: RidgeReadout(alpha=-1.0), ValueError, r"alpha must be in \[0.0, inf\); got -1.0"),
        (lambda: RidgeReadout().fit([1.0, 2.0], [1.0, 2.0]), ValueError, r"X must be 2-dimensional"),
        (lambda: RidgeReadout().fit([[1.0], [np.nan]], [1.0, 2.0]), ValueError, r"X must be finite; got nan"),
        (lambda: RidgeReadout().fit([[1.0], [2.0]], [1.0]), ValueError, r"y must have shape \(2,\)"),
        (lambda: RidgeReadout().predict([[1.0]]), ValueError, r"readout must be fitted before use"),
        (lambda: RidgeReadout().fit([[1.0], [2.0]], [1.0, 2.0]).predict([[1.0, 2.0]]), ValueError,
         r"X must have 1 features as in fit; got 2"),
        (lambda: LinearClassifier().fit([[1.0], [2.0]], [1, 1]), ValueError,
         r"y must contain at least 2 classes; got 1"),
        (lambda: LinearClassifier().fit([[1.0], [2.0]], [0.5, 1.0]), TypeError,
         r"y must be an array of integer class labels; got dtype float64"),
        (lambda: LinearClassifier().predict([[1.0]]), ValueError, r"readout must be fitted before use"),
        (lambda: confusion_matrix([0, 1], [0]), ValueError, r"y_pred must have the same length"),
        (lambda: confusion_matrix([0, -1], [0, 0]), ValueError, r"labels must be >= 0; got -1"),
        (lambda: confusion_matrix([0, 2], [0, 0], n_classes=2), ValueError, r"n_classes must be an integer >= 3"),
        (lambda: accuracy([], []), ValueError, r"y_pred must have the same non-zero length"),
    ],
)
def test_bad_input(call, exc, match) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(exc, match=match):
        call()


@given(
    n=st.integers(min_value=6, max_value=30),  # n > p + 1: the least-squares fit is unique
    p=st.integers(min_value=1, max_value=4),
    alpha=st.sampled_from([0.0, 0.1, 3.0]),
    seed=st.integers(min_value=0, max_value=2**32 - 1),
)
def test_ridge_matches_augmented_least_squares_reference(n: int, p: int, alpha: float, seed: int) -> None:
    # reference: standardise by hand, then solve the augmented system
    # [Z; sqrt(alpha) I] w = [y - mean(y); 0] with lstsq (a different algorithm from the normal equations)
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, p)) * rng.uniform(0.5, 5.0, size=p) + rng.normal(size=p)
    y = rng.normal(size=n)
    mu, sd = x.mean(axis=0), x.std(axis=0)
    z = (x - mu) / sd
    a = np.vstack([z, np.sqrt(alpha) * np.eye(p)])
    b = np.concatenate([y - y.mean(), np.zeros(p)])
    w_ref = np.linalg.lstsq(a, b, rcond=None)[0]
    x_new = rng.normal(size=(3, p))
    want = ((x_new - mu) / sd) @ w_ref + y.mean()
    got = RidgeReadout(alpha=alpha).fit(x, y).predict(x_new)
    np.testing.assert_allclose(got, want, rtol=1e-8, atol=1e-8)
