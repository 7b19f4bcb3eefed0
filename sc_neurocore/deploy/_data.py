"""The 8x8 handwritten digits with a fixed, stratified train/test split (private).

The data ship inside scikit-learn (``sklearn.datasets.load_digits``: 1797
images of 8 x 8 pixels with values 0..16, 10 classes), so nothing is
downloaded.  scikit-learn is the optional extra ``ml``.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from .._validation import check_int

__all__ = ["DIGITS_SEED", "DIGITS_TEST_SIZE", "DigitsSplit", "load_digits_split", "stratified_split"]

#: Seed of the documented split (``numpy.random.default_rng(DIGITS_SEED)``).
DIGITS_SEED = 12
#: Test images of the documented split: 360 of 1797 (1437 train).
DIGITS_TEST_SIZE = 360


class DigitsSplit(NamedTuple):
    """A train/test split of the digits.

    Attributes
    ----------
    x_train, x_test : numpy.ndarray
        int64 ``(n, 64)``, pixel values 0..16 (row-major 8 x 8).
    y_train, y_test : numpy.ndarray
        int64 ``(n,)``, classes 0..9.
    """

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray


def _load_digits() -> tuple[np.ndarray, np.ndarray]:
    try:
        from sklearn.datasets import load_digits
    except ImportError as exc:
        raise ImportError("the digits data come with scikit-learn: pip install 'sc-neurocore[ml]' "
                          "(the optional extra 'ml', scikit-learn>=1.3)") from exc
    d = load_digits()
    return np.asarray(d.data).astype(np.int64), np.asarray(d.target).astype(np.int64)


def stratified_split(y: Any, test_size: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Train and test indices (sorted int64) with class proportions kept, fixed by ``seed``.

    Class ``c`` with ``n_c`` of ``n`` items gives ``floor(test_size n_c / n)`` test
    items plus one for the classes with the largest remainders (ties: lower
    class first) until ``test_size`` is reached; which items is a permutation
    drawn per class from ``default_rng(seed)``, classes in increasing order.
    """
    y = np.asarray(y)
    n = y.size
    test_size = check_int(test_size, "test_size", low=1, high=n - 1)
    seed = check_int(seed, "seed", low=0)
    classes, counts = np.unique(y, return_counts=True)
    share = counts * test_size
    take = share // n
    order = sorted(range(classes.size), key=lambda c: (-(share[c] % n), c))
    for c in order[: test_size - int(take.sum())]:
        take[c] += 1
    rng = np.random.default_rng(seed)
    test = []
    for c, k in zip(classes, take, strict=True):
        idx = np.flatnonzero(y == c)
        test.append(idx[rng.permutation(idx.size)[:k]])
    test_idx = np.sort(np.concatenate(test))
    train_idx = np.setdiff1d(np.arange(n), test_idx)
    return train_idx.astype(np.int64), test_idx.astype(np.int64)


def load_digits_split(seed: int = DIGITS_SEED, test_size: int = DIGITS_TEST_SIZE) -> DigitsSplit:
    """The digits, split into train and test sets, stratified by class.

    Parameters
    ----------
    seed : int
        Seed of the split (>= 0); the default gives the documented split
        (1437 train / 360 test).
    test_size : int
        Number of test images, in [1, 1796].

    Returns
    -------
    DigitsSplit

    Raises
    ------
    ImportError
        If scikit-learn (the extra ``ml``) is not installed.
    """
    x, y = _load_digits()
    tr, te = stratified_split(y, test_size, seed)
    return DigitsSplit(x[tr], y[tr], x[te], y[te])
