"""Linear readout: ridge regression and a least-squares classifier (numpy only; private).

A readout maps a feature matrix ``X`` (trials x features, for example the
spike counts of the output neurons in each trial) to targets.  Features are
standardised with the training mean and standard deviation (a feature that is
constant in training gets scale 1, so it contributes nothing), then the
weights solve the ridge problem

.. math::

    \\hat W = \\arg\\min_W \\lVert Z W + \\mathbf 1 b^T - Y \\rVert_F^2
              + \\lambda \\lVert W \\rVert_F^2

with an unpenalised intercept ``b``; ``Z`` is the standardised ``X``.  Since
the columns of ``Z`` have zero mean, ``b`` is the mean of ``Y`` and
``W = (Z^T Z + lambda I)^{-1} Z^T (Y - mean(Y))``.  ``lambda = 0`` is ordinary
least squares (solved with ``lstsq``, the minimum-norm solution when ``Z`` is
rank deficient).

The classifier codes class ``c`` of ``K`` classes as the one-hot row ``e_c``
(the "least-squares classifier") and predicts the class with the largest
output.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._validation import check_finite_array, check_real

__all__ = ["RidgeReadout", "LinearClassifier", "accuracy", "confusion_matrix"]


#: Largest magnitude accepted in X and y: their squares (variances, Gram
#: matrix) must stay finite in float64, else the fit would return inf/NaN.
MAX_ABS = 1e150


def _check_magnitude(arr: np.ndarray, name: str) -> None:
    big = np.abs(arr) > MAX_ABS
    if big.any():
        idx = tuple(int(i) for i in np.argwhere(big)[0])
        raise ValueError(
            f"{name} must have entries in [-{MAX_ABS}, {MAX_ABS}]; got {arr[idx]} at index {idx}"
        )


def _features(x: Any, name: str = "X") -> np.ndarray:
    arr = check_finite_array(x, name)
    _check_magnitude(arr, name)
    if arr.ndim != 2:
        raise ValueError(f"{name} must be 2-dimensional (samples x features); got shape {arr.shape}")
    if arr.shape[0] < 1 or arr.shape[1] < 1:
        raise ValueError(f"{name} must have at least one sample and one feature; got shape {arr.shape}")
    return arr


def _labels(y: Any, name: str = "y") -> np.ndarray:
    arr = np.asarray(y)
    if arr.dtype == np.bool_ or (arr.size == 0 and arr.dtype == np.float64):
        arr = arr.astype(np.int64)  # bool labels, or an empty list
    if not np.issubdtype(arr.dtype, np.integer):
        raise TypeError(f"{name} must be an array of integer class labels; got dtype {arr.dtype}")
    if arr.ndim != 1:
        raise ValueError(f"{name} must be 1-dimensional; got shape {arr.shape}")
    if arr.dtype == np.uint64 and arr.size and int(arr.max()) > np.iinfo(np.int64).max:
        # astype(int64) would wrap these to negative labels
        raise ValueError(f"{name} must hold labels <= 2^63 - 1; got {int(arr.max())}")
    return arr.astype(np.int64)


def _solve(z: np.ndarray, y: np.ndarray, alpha: float) -> np.ndarray:
    if alpha == 0.0:
        w, *_ = np.linalg.lstsq(z, y, rcond=None)
        return np.asarray(w)
    gram = z.T @ z
    gram[np.diag_indices_from(gram)] += alpha
    return np.asarray(np.linalg.solve(gram, z.T @ y))


class RidgeReadout:
    """Ridge regression from features to one or several real targets.

    Parameters
    ----------
    alpha : float
        Ridge penalty ``lambda >= 0`` on the standardised features (0: least
        squares).

    Attributes (after :meth:`fit`)
    ------------------------------
    coef_ : ndarray (n_features, n_targets)
        Weights on the *raw* features (standardisation folded in).
    intercept_ : ndarray (n_targets,)
        So that ``predict(X) = X @ coef_ + intercept_``.
    """

    def __init__(self, alpha: float = 1.0) -> None:
        self.alpha = check_real(alpha, "alpha", low=0.0)
        self.coef_: np.ndarray | None = None
        self.intercept_: np.ndarray | None = None
        self._one_d = False

    def fit(self, X: Any, y: Any) -> RidgeReadout:
        """Fit on ``X`` (n_samples, n_features) and ``y`` (n_samples,) or (n_samples, n_targets)."""
        x = _features(X)
        t = check_finite_array(y, "y")
        _check_magnitude(t, "y")
        if t.ndim not in (1, 2) or t.shape[0] != x.shape[0]:
            raise ValueError(f"y must have shape ({x.shape[0]},) or ({x.shape[0]}, n_targets) to match X; "
                             f"got shape {t.shape}")
        self._one_d = t.ndim == 1
        t2 = t[:, None] if t.ndim == 1 else t
        mu = x.mean(axis=0)
        sd = x.std(axis=0)
        sd[sd == 0] = 1.0
        z = (x - mu) / sd
        t_mean = t2.mean(axis=0)
        w = _solve(z, t2 - t_mean, self.alpha)
        self.coef_ = w / sd[:, None]
        self.intercept_ = t_mean - mu @ self.coef_
        return self

    def _check_fitted(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if self.coef_ is None or self.intercept_ is None:
            raise ValueError("readout must be fitted before use; got an unfitted readout (call fit first)")
        if x.shape[1] != self.coef_.shape[0]:
            raise ValueError(f"X must have {self.coef_.shape[0]} features as in fit; got {x.shape[1]}")
        return self.coef_, self.intercept_

    def predict(self, X: Any) -> np.ndarray:
        """``X @ coef_ + intercept_``; 1-D when fitted on a 1-D ``y``."""
        x = _features(X)
        coef, icpt = self._check_fitted(x)
        out = x @ coef + icpt
        return out[:, 0] if self._one_d else out

    def score(self, X: Any, y: Any) -> float:
        """Coefficient of determination ``R^2 = 1 - SS_res / SS_tot`` (pooled over targets)."""
        pred = self.predict(X)
        t = check_finite_array(y, "y")
        if t.shape != pred.shape:
            raise ValueError(f"y must have shape {pred.shape}; got shape {t.shape}")
        ss_res = float(((t - pred) ** 2).sum())
        ss_tot = float(((t - t.mean(axis=0)) ** 2).sum())
        return 1.0 - ss_res / ss_tot if ss_tot > 0 else (1.0 if ss_res == 0 else 0.0)


class LinearClassifier:
    """Least-squares (ridge) classifier on one-hot targets.

    Parameters
    ----------
    alpha : float
        Ridge penalty on the standardised features (>= 0).

    Attributes (after :meth:`fit`)
    ------------------------------
    classes_ : ndarray of int
        The sorted distinct labels seen in training.
    """

    def __init__(self, alpha: float = 1.0) -> None:
        self._ridge = RidgeReadout(alpha)
        self.alpha = self._ridge.alpha
        self.classes_: np.ndarray | None = None

    def fit(self, X: Any, y: Any) -> LinearClassifier:
        """Fit on features ``X`` (n_samples, n_features) and integer labels ``y`` (n_samples,)."""
        x = _features(X)
        lab = _labels(y)
        if lab.shape[0] != x.shape[0]:
            raise ValueError(f"y must have {x.shape[0]} labels to match X; got {lab.shape[0]}")
        classes = np.unique(lab)
        if classes.size < 2:
            raise ValueError(f"y must contain at least 2 classes; got {classes.size}")
        onehot = (lab[:, None] == classes[None, :]).astype(np.float64)
        self._ridge.fit(x, onehot)
        self.classes_ = classes
        return self

    def decision_function(self, X: Any) -> np.ndarray:
        """Readout outputs, shape (n_samples, n_classes)."""
        if self.classes_ is None:
            raise ValueError("readout must be fitted before use; got an unfitted readout (call fit first)")
        return np.asarray(self._ridge.predict(X))

    def predict(self, X: Any) -> np.ndarray:
        """The class with the largest output (ties: the smaller label)."""
        out = self.decision_function(X)
        assert self.classes_ is not None
        return self.classes_[np.argmax(out, axis=1)]

    def score(self, X: Any, y: Any) -> float:
        """Fraction of correctly classified samples."""
        return accuracy(y, self.predict(X))


def accuracy(y_true: Any, y_pred: Any) -> float:
    """Fraction of positions where ``y_true == y_pred``."""
    t = _labels(y_true, "y_true")
    p = _labels(y_pred, "y_pred")
    if t.shape != p.shape or t.size == 0:
        raise ValueError(
            f"y_pred must have the same non-zero length as y_true ({t.shape[0]}); got {p.shape[0]}"
        )
    return float(np.mean(t == p))


#: Largest number of classes :func:`confusion_matrix` accepts (a 2^14 x 2^14 int64 matrix is 2 GiB).
MAX_CLASSES = 2**14


def confusion_matrix(y_true: Any, y_pred: Any, n_classes: int | None = None) -> np.ndarray:
    """Counts ``C[i, j]`` of samples of true class ``i`` predicted as ``j`` (labels ``0 .. K-1``).

    ``K`` is ``n_classes`` or ``max(label) + 1``, at most ``MAX_CLASSES`` (2^14);
    rows sum to the class sizes.
    """
    t = _labels(y_true, "y_true")
    p = _labels(y_pred, "y_pred")
    if t.shape != p.shape:
        raise ValueError(f"y_pred must have the same length as y_true ({t.shape[0]}); got {p.shape[0]}")
    for name, lab in (("y_true", t), ("y_pred", p)):
        if lab.size and int(lab.min()) < 0:
            raise ValueError(f"{name} labels must be >= 0; got {int(lab.min())}")
        if lab.size and int(lab.max()) >= MAX_CLASSES:
            raise ValueError(
                f"{name} labels must be < {MAX_CLASSES} (the matrix is K x K); got {int(lab.max())}"
            )
    k = int(max(t.max(initial=-1), p.max(initial=-1))) + 1
    if n_classes is not None:
        if not isinstance(n_classes, (int, np.integer)) or isinstance(n_classes, bool) or n_classes < k:
            raise ValueError(f"n_classes must be an integer >= {k} (largest label + 1); got {n_classes!r}")
        if n_classes > MAX_CLASSES:
            raise ValueError(f"n_classes must be an integer in [{k}, {MAX_CLASSES}]; got {n_classes!r}")
        k = int(n_classes)
    return np.bincount(t * k + p, minlength=k * k).reshape(k, k).astype(np.int64)
