"""Metrics: SCC, progressive precision, binomial standard error, required length, LFSR periods and taps."""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

import numpy as np
import pytest
from _stats import assert_binomial_mean, binomial_deviation, probs, seeds, spend
from conftest import NOJIT
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from sc_neurocore import bitstream as bs
from sc_neurocore._taps import MAXIMAL_TAPS


def scc_ref(a: list[int], b: list[int]) -> float:
    """Alaghi & Hayes SCC with exact rational arithmetic; 0 when the denominator is 0."""
    n = len(a)
    pa = Fraction(sum(a), n)
    pb = Fraction(sum(b), n)
    pab = Fraction(sum(x & y for x, y in zip(a, b, strict=True)), n)
    d = pab - pa * pb
    den = (min(pa, pb) - pa * pb) if d > 0 else (pa * pb - max(pa + pb - 1, Fraction(0)))
    return 0.0 if den == 0 else float(d / den)


@given(st.integers(1, 200), st.integers(0, 2), seeds, st.floats(0, 1), st.floats(0, 1))
def test_scc_matches_exact_reference(length: int, n: int, seed: int, da: float, db: float) -> None:
    rng = np.random.default_rng(seed)
    shape = (n,) if n else ()
    a = (rng.random(shape + (length,)) < da).astype(np.uint8)
    b = (rng.random(shape + (length,)) < db).astype(np.uint8)
    got = bs.scc(bs.pack(a), bs.pack(b), length)
    if n == 0:
        assert isinstance(got, float)
        assert math.isclose(got, scc_ref(a.tolist(), b.tolist()), rel_tol=1e-12, abs_tol=1e-15)
    else:
        for i in range(n):
            assert math.isclose(got[i], scc_ref(a[i].tolist(), b[i].tolist()), rel_tol=1e-12, abs_tol=1e-15)
    assert np.all(np.abs(got) <= 1.0)


@given(st.floats(0.01, 0.99), st.integers(64, 4000), seeds)
def test_scc_of_stream_with_itself_is_one(p: float, length: int, seed: int) -> None:
    a = bs.bernoulli(p, length, seed=seed)
    n1 = bs.popcount(a)
    expected = 0.0 if n1 in (0, length) else 1.0  # constant stream: SCC defined as 0
    assert bs.scc(a, a, length) == expected


def test_scc_extremes_and_constant_streams() -> None:
    length = 128
    a = bs.pack(np.array([1, 0] * 64))
    assert bs.scc(a, bs.not_(a, length), length) == -1.0  # disjoint ones, p_a + p_b = 1
    first = bs.pack(np.array([1] * 32 + [0] * 96))
    inside = bs.pack(np.array([1] * 16 + [0] * 112))
    assert bs.scc(first, inside, length) == 1.0  # ones of one inside the other's
    zeros = bs.pack(np.zeros(length, dtype=np.uint8))
    ones = bs.pack(np.ones(length, dtype=np.uint8))
    assert bs.scc(zeros, a, length) == 0.0
    assert bs.scc(ones, a, length) == 0.0


@given(st.floats(0.25, 0.75), st.floats(0.25, 0.75), seeds)
def test_scc_of_independent_streams_near_zero(p: float, q: float, seed: int) -> None:
    length = 2**16
    a = bs.bernoulli(p, length, seed=seed, stream_offset=0)
    b = bs.bernoulli(q, length, seed=seed, stream_offset=1)
    # SCC = delta / den with delta = p_ab - p_a p_b (all sample densities).  With e_a, e_b, e_ab
    # the exact binomial deviations of p_a, p_b, p_ab (each exceeded with probability <= 1e-10;
    # true bit probabilities within 2^-32 of p, q, and 2^-31 of p q):
    # |delta| <= e_ab + e_a q + e_b p + e_a e_b, and the denominator (either branch) is
    # 1-Lipschitz in each density, so den >= den_true - e_a - e_b.  False failure <= 60 x 3e-10.
    e_a = binomial_deviation(length, p, slack=2.0**-32)
    e_b = binomial_deviation(length, q, slack=2.0**-32)
    e_ab = binomial_deviation(length, p * q, slack=2.0**-31)
    spend(n=3)
    den_true = min(min(p, q) - p * q, p * q - max(p + q - 1, 0.0))
    bound = (e_ab + e_a * q + e_b * p + e_a * e_b) / (den_true - e_a - e_b)
    assert abs(bs.scc(a, b, length)) <= bound


def test_scc_broadcasts() -> None:
    a = bs.bernoulli(np.full((3,), 0.5), 256, seed=1)
    out = bs.scc(a, a[0], 256)
    assert out.shape == (3,)
    assert out[0] == 1.0


# ---------------------------------------------------------------- progressive precision


@given(st.integers(1, 300), st.integers(0, 2), seeds)
def test_progressive_precision_matches_prefix_means(length: int, n: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    shape = (n,) if n else ()
    bits = rng.integers(0, 2, size=shape + (length,), dtype=np.uint8)
    res = bs.progressive_precision(bs.pack(bits), length, target=0.5)
    expected_lengths = [2**k for k in range(20) if 2**k < length] + [length]
    assert res.lengths.tolist() == expected_lengths
    for k, e in enumerate(expected_lengths):
        ref = bits[..., :e].mean(axis=-1)
        assert np.allclose(res.estimates[..., k], ref)
        assert np.allclose(res.errors[..., k], np.abs(ref - 0.5))
    own = bs.progressive_precision(bs.pack(bits), length)
    assert np.allclose(own.errors[..., -1], 0.0)


@given(st.lists(st.integers(1, 500), min_size=1, max_size=8), seeds)
def test_progressive_precision_custom_lengths(lengths: list[int], seed: int) -> None:
    bits = np.random.default_rng(seed).integers(0, 2, size=500, dtype=np.uint8)
    res = bs.progressive_precision(bs.pack(bits), 500, target=0.25, lengths=lengths)
    assert res.lengths.tolist() == sorted(set(lengths))
    assert np.allclose(res.estimates, [bits[:e].mean() for e in sorted(set(lengths))])


def test_sobol_error_shrinks_faster_than_bernoulli() -> None:
    length = 2**12
    p = 0.3
    sob = bs.progressive_precision(bs.sobol(p, length), length, target=p)
    # Sobol: error < 1/L_k at every power-of-two prefix (net property)
    assert np.all(sob.errors < 1.0 / sob.lengths)
    ber = bs.progressive_precision(bs.bernoulli(p, length, seed=0), length, target=p)
    # every prefix density is Binomial(n_k, p) / n_k: exact Clopper-Pearson at each of the 13
    # prefixes, false failure <= 13 x 1e-10
    assert_binomial_mean(ber.estimates, ber.lengths, p, slack=2.0**-32)
    np.testing.assert_allclose(ber.errors, np.abs(ber.estimates - p))


# ---------------------------------------------------------------- error bounds


@given(probs, st.integers(1, 10**6))
def test_binomial_standard_error(p: float, length: int) -> None:
    assert math.isclose(bs.binomial_standard_error(p, length), math.sqrt(p * (1 - p) / length))


def test_binomial_standard_error_arrays() -> None:
    se = bs.binomial_standard_error(np.array([0.5, 0.1]), np.array([100, 400]))
    assert np.allclose(se, [0.05, 0.015])


def test_required_length_hoeffding_formula() -> None:
    assert bs.required_length(0.01, 0.05) == math.ceil(math.log(40) / (2 * 0.01**2)) == 18445
    assert bs.required_length(0.1, 0.5) == math.ceil(math.log(4) / 0.02)
    # Bernstein with a known p near 0 is much shorter, and never longer than Hoeffding
    assert bs.required_length(0.01, 0.05, p=0.01) < bs.required_length(0.01, 0.05) / 10
    assert bs.required_length(0.01, 0.05, p=0.5) == 18445


@given(st.floats(0.02, 0.3), st.floats(0.001, 0.3), st.one_of(st.none(), probs))
def test_required_length_meets_its_guarantee_exactly(eps: float, delta: float, p: float | None) -> None:
    n = bs.required_length(eps, delta, p)
    # worst case over p for the distribution-free bound; the given p otherwise
    for q in [p] if p is not None else np.linspace(0.0, 1.0, 41):
        # failure: X <= n (q - eps) or X >= n (q + eps) (boundaries counted as failures)
        fail = stats.binom.cdf(math.floor(n * (q - eps) + 1e-9), n, q) + stats.binom.sf(
            math.ceil(n * (q + eps) - 1e-9) - 1, n, q
        )
        assert fail <= delta


# ---------------------------------------------------------------- LFSR periods and taps


@pytest.mark.parametrize("width", range(3, 13 if NOJIT else 17))
def test_table_taps_have_full_period(width: int) -> None:
    assert bs.is_maximal_taps(width, MAXIMAL_TAPS[width])
    assert bs.lfsr_period(width) == 2**width - 1
    assert bs.lfsr_period(width, zero_state=True) == 2**width


@pytest.mark.slow
@pytest.mark.parametrize("width", range(17, 21))
def test_table_taps_have_full_period_wide(width: int) -> None:
    assert bs.lfsr_period(width) == 2**width - 1
    assert bs.lfsr_period(width, seed=2**width - 1, zero_state=True) == 2**width


@pytest.mark.parametrize("width", range(21, 33))
def test_table_taps_primitive_algebraically(width: int) -> None:
    assert bs.is_maximal_taps(width, MAXIMAL_TAPS[width])


@pytest.mark.parametrize("width", range(3, 8 if NOJIT else 10))
def test_is_maximal_taps_agrees_with_period_for_every_tap_set(width: int) -> None:
    for r in range(0, width):
        for rest in itertools.combinations(range(1, width), r):
            taps = (width, *rest)
            maximal = bs.lfsr_period(width, taps) == 2**width - 1
            assert bs.is_maximal_taps(width, taps) == maximal, taps


def test_is_maximal_taps_rejects_malformed_sets() -> None:
    assert not bs.is_maximal_taps(8, (6, 5, 4))  # no width tap: singular register map
    assert not bs.is_maximal_taps(8, (8, 6, 6, 5))
    assert not bs.is_maximal_taps(8, (9, 6, 5, 4))
    assert not bs.is_maximal_taps(16, (16, 15))
