"""sc_neurocore.deploy: the fast packed path equals the plain-Python reference bit for bit.

Hypothesis draws small classifiers (1 or 2 layers, every accumulation, both codings,
lfsr / sobol / bernoulli, widths with and without Sobol wrap-around) and images;
counters of every layer, predictions, and the early-termination cycle must all
be identical.  Also under ``NUMBA_DISABLE_JIT=1`` (reduced profile).
"""

from __future__ import annotations

import os

import numba
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sc_neurocore.deploy import (
    SCClassifier,
    SCLayer,
    evaluate,
    evaluate_early_exit,
    fast_source_values,
    reference_counters,
    reference_early_exit,
    source_values,
)

NOJIT = os.environ.get("NUMBA_DISABLE_JIT", "0") not in ("", "0")


@st.composite
def classifiers(draw):
    width = draw(st.integers(6, 10))
    length = draw(st.sampled_from([16, 32, 64, 128] if NOJIT else [16, 32, 64, 128, 256]))
    encoder = draw(st.sampled_from(["lfsr", "sobol", "bernoulli"]))
    coding = draw(st.sampled_from(["unipolar", "bipolar"]))
    accumulation = draw(st.sampled_from(["apc", "mux"] if coding == "bipolar" else ["apc", "or", "mux"]))
    n_layers = draw(st.integers(1, 2))
    sizes = [draw(st.integers(1, 5)) for _ in range(n_layers + 1)]
    seed = draw(st.integers(1, (1 << width) - 1)) if encoder != "bernoulli" else draw(st.integers(0, 2**40))
    rng = np.random.default_rng(draw(st.integers(0, 2**32)))
    top = 1 << width
    layers = []
    for k in range(n_layers):
        shape = (sizes[k + 1], sizes[k] + 1)
        # a share of constant streams (0 and 2^W) exercises the comparator's shortcuts
        mag = np.where(rng.random(shape) < 0.2, rng.choice([0, top], shape), rng.integers(0, top + 1, shape))
        neg = (rng.random(shape) < 0.4) if coding == "unipolar" else np.zeros(shape, dtype=bool)
        layers.append(SCLayer(mag, neg, int(rng.integers(1, 64)), int(rng.integers(0, 9)), 1.0))
    input_max = draw(st.sampled_from([1, 3, 16]))
    clf = SCClassifier(tuple(layers), width, length, encoder, accumulation, coding, seed, input_max)
    pixels = rng.integers(0, input_max + 1, (draw(st.integers(1, 4)), sizes[0]))
    return clf, pixels


@given(classifiers())
def test_fast_path_equals_reference_bit_for_bit(case):
    clf, pixels = case
    assert np.array_equal(fast_source_values(clf), source_values(clf))
    ref = reference_counters(clf, pixels)
    fast = evaluate(clf, pixels)
    assert len(fast.counters) == len(ref.counters)
    for a, b in zip(fast.counters, ref.counters, strict=True):
        assert a.dtype == np.int64 and np.array_equal(a, b)
    assert np.array_equal(fast.predictions, ref.predictions)
    ee_ref = reference_early_exit(clf, pixels)
    ee = evaluate_early_exit(clf, pixels)
    assert np.array_equal(ee.predictions, ee_ref[0]) and np.array_equal(ee.cycles, ee_ref[1])
    # early termination gives the full-length answer whenever it stops
    assert np.array_equal(ee.predictions, fast.predictions)
    assert ((ee.cycles >= 1) & (ee.cycles <= clf.length)).all()


@given(classifiers(), st.integers(1, 40))
def test_margin_rule_equals_reference(case, margin):
    clf, pixels = case
    ref = reference_early_exit(clf, pixels, margin=margin)
    ee = evaluate_early_exit(clf, pixels, margin=margin)
    assert np.array_equal(ee.predictions, ref[0]) and np.array_equal(ee.cycles, ref[1])
    # checked at word ends only: a multiple of 64 cycles or the full length
    assert ((ee.cycles % 64 == 0) | (ee.cycles == clf.length)).all()


def _digits_like():
    rng = np.random.default_rng(7)
    top = 1 << 12
    l0 = SCLayer(rng.integers(0, top + 1, (12, 17)), rng.random((12, 17)) < 0.5, 37, 9, 1.0)
    l1 = SCLayer(rng.integers(0, top + 1, (4, 13)), rng.random((4, 13)) < 0.5, 1, 0, 1.0)
    clf = SCClassifier((l0, l1), 12, 256, "lfsr", "apc", "unipolar", 77, 16)
    return clf, rng.integers(0, 17, (40, 16))


@pytest.mark.skipif(NOJIT, reason="thread count has no effect without the JIT")
def test_same_bits_for_any_thread_count():
    clf, pixels = _digits_like()
    before = numba.get_num_threads()
    try:
        outs = []
        for n in sorted({1, before}):
            numba.set_num_threads(n)
            outs.append((evaluate(clf, pixels), evaluate_early_exit(clf, pixels)))
    finally:
        numba.set_num_threads(before)
    for o in outs[1:]:
        for a, b in zip(o[0].counters, outs[0][0].counters, strict=True):
            assert np.array_equal(a, b)
        assert np.array_equal(o[1].cycles, outs[0][1].cycles)


def test_larger_classifier_equals_reference():
    # 16-12-4 at W = 12, L = 256: several words per stream, fan-in beyond one popcount word
    clf, pixels = _digits_like()
    pixels = pixels[:3]
    ref = reference_counters(clf, pixels)
    fast = evaluate(clf, pixels)
    for a, b in zip(fast.counters, ref.counters, strict=True):
        assert np.array_equal(a, b)


def test_evaluate_rejects_bad_pixels_and_classifier():
    clf, _ = _digits_like()
    with pytest.raises(ValueError, match=r"pixels must have shape \(n_images, 16\); got \(2, 15\)"):
        evaluate(clf, np.zeros((2, 15), dtype=int))
    with pytest.raises(ValueError, match=r"pixels must be in \[0, input_max\] = \[0, 16\]; got -1 at index \(0, 0\)"):
        evaluate(clf, -np.ones((1, 16), dtype=int))
    with pytest.raises(ValueError, match=r"length must be a power of two in \[16, 65536\]; got 100"):
        evaluate(clf._replace(length=100), np.zeros((1, 16), dtype=int))
    with pytest.raises(ValueError, match=r"encoder must be one of 'lfsr', 'sobol', 'bernoulli'; got 'thermo'"):
        evaluate_early_exit(clf._replace(encoder="thermo"), np.zeros((1, 16), dtype=int))
    with pytest.raises(ValueError, match=r"margin must be an integer in \[1, 4611686018427387904\]; got 0"):
        evaluate_early_exit(clf, np.zeros((1, 16), dtype=int), margin=0)


@given(st.integers(4, 10), st.sampled_from([64, 256, 1024]), st.sampled_from(["apc", "mux", "bipolar"]),
       st.integers(1, 6), st.integers(1, 4), st.integers(0, 2**40), st.integers(0, 2**32))
def test_bernoulli_counters_have_the_mapped_mean(width, length, kind, n_in, n_out, seed, draw):
    """E[C_j] is what to_sc assumes (L sum_i v_i w_ji / f), within an exact Bernstein bound.

    bernoulli sources are independent across channels and cycles, so C_j is a sum of L
    independent per-cycle terms (APC: of n_in + 1 independent products).  Bernstein's
    inequality with the exact variance holds for every probability; false-failure
    probability ALPHA = 1e-10 per counter (recorded in the ledger of tests/_stats.py).
    """
    from _stats import assert_bernstein

    rng = np.random.default_rng(draw)
    top = 1 << width
    coding = "bipolar" if kind == "bipolar" else "unipolar"
    acc = "mux" if kind == "mux" else "apc"
    mag = rng.integers(0, top + 1, (n_out, n_in + 1))
    neg = (rng.random((n_out, n_in + 1)) < 0.5) & (coding == "unipolar")
    clf = SCClassifier((SCLayer(mag, neg, 1, 0, 1.0),), width, length, "bernoulli", acc, coding, seed, top)
    q = rng.integers(0, top + 1, (1, n_in))
    c = evaluate(clf, q).counters[0][0].astype(np.float64)
    x = q[0] if coding == "unipolar" else (top >> 1) + (q[0] >> 1)
    px = np.append(x / top, 1.0)  # the bias input is constant 1
    pw = mag / top
    sign = np.where(neg, -1.0, 1.0)
    if kind == "apc":
        p = px * pw
        mean, var, bound = length * (sign * p).sum(1), length * (p * (1 - p)).sum(1), 1.0
    elif kind == "bipolar":
        pe = px * pw + (1 - px) * (1 - pw)  # P(XNOR = 1) of independent streams
        mean, var, bound = length * (2 * pe - 1).sum(1), length * (4 * pe * (1 - pe)).sum(1), 2.0
    else:
        # select i with probability #{r < 2^W : (r (n_in + 1)) >> W = i} / 2^W
        ps = np.bincount((np.arange(top) * (n_in + 1)) >> width, minlength=n_in + 1) / top
        m1 = (ps * sign * px * pw).sum(1)
        m2 = (ps * px * pw).sum(1)
        mean, var, bound = length * m1, length * (m2 - m1 * m1), 2.0
    assert_bernstein(c - mean, var, bound)
