"""Deterministic encodings: thermometer streams and the Jenson & Riedel exact pairs (issue 11, part A).

Every claim here is exact (no randomness): the product of a deterministic pair
over one period is exact, each stream's count is exact, the scaled sum is exact
(clock division, rotation) or within half a count (relatively prime lengths).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sc_neurocore import bitstream as bs

methods = st.sampled_from(bs.DETERMINISTIC_METHODS)


def _reference_counters(n_bits: int, method: str, length: int) -> tuple[np.ndarray, np.ndarray]:
    """(ca, cb) per cycle from the closed forms of Jenson & Riedel (plain NumPy, not the kernel)."""
    big = 1 << n_bits
    t = np.arange(length, dtype=np.int64)
    ca = t % big
    if method == "clock_division":
        cb = (t // big) % big
    elif method == "rotation":
        cb = (t % big + t // big) % big
    else:
        cb = t % (big - 1)
    return ca, cb


@st.composite
def pairs(draw):
    n = draw(st.integers(1, 6))
    method = draw(methods)
    big = 1 << n
    a = draw(st.integers(0, big))
    b = draw(st.integers(0, big - 1 if method == "relatively_prime" else big))
    return n, method, a, b


@given(st.lists(st.integers(0, 300), min_size=1, max_size=4), st.integers(1, 300),
       st.integers(1, 700))
def test_thermometer_matches_reference(ks, period, length):
    ks = [min(k, period) for k in ks]
    got = bs.unpack(bs.thermometer(np.array(ks), length, period), length)
    t = np.arange(length)
    expected = (t[None, :] % period) < np.array(ks)[:, None]
    np.testing.assert_array_equal(got, expected.astype(np.uint8))


def test_thermometer_default_period_is_length_and_scalar_shape():
    w = bs.thermometer(3, 10)
    assert w.shape == (1,) and int(w[0]) == 0b111
    assert bs.popcount(bs.thermometer(64, 64)) == 64


@given(pairs(), st.integers(0, 3))
def test_pair_matches_closed_form_counters(case, extra_periods):
    n, method, a, b = case
    period = bs.deterministic_length(n, method)
    length = period + extra_periods * 37 + 1  # beyond one period the pair repeats
    sa, sb = bs.deterministic_pair(a, b, n, method, length)
    ca, cb = _reference_counters(n, method, length)
    np.testing.assert_array_equal(bs.unpack(sa, length), (ca < a).astype(np.uint8))
    np.testing.assert_array_equal(bs.unpack(sb, length), (cb < b).astype(np.uint8))


@given(pairs())
def test_deterministic_product_is_exact(case):
    n, method, a, b = case
    big = 1 << n
    nb = big - 1 if method == "relatively_prime" else big  # resolution of b
    period = bs.deterministic_length(n, method)
    assert period == big * nb
    sa, sb = bs.deterministic_pair(a, b, n, method)
    assert bs.popcount(sa) == a * nb and bs.popcount(sb) == b * big  # each stream exact
    assert bs.popcount(bs.deterministic_multiply(a, b, n, method)) == a * b  # exact product
    # bipolar: ones of XNOR = a b + (N - a)(N_b - b), i.e. 2 P - 1 = x_a x_b exactly
    ones = bs.popcount(bs.deterministic_multiply(a, b, n, method, bipolar=True))
    assert ones == a * b + (big - a) * (nb - b)
    assert 2 * ones / period - 1 == pytest.approx((2 * a / big - 1) * (2 * b / nb - 1), abs=1e-12)


@given(pairs())
def test_deterministic_add(case):
    n, method, a, b = case
    big = 1 << n
    ones = int(bs.popcount(bs.deterministic_add(a, b, n, method)))
    if method == "relatively_prime":
        # exact scaled sum would be (a (N - 1) + b N) / 2; the count is within 1/2 of it
        assert ones == (a + b) * big // 2 - a // 2
        assert abs(2 * ones - (a * (big - 1) + b * big)) <= 1
    else:
        assert 2 * ones == (a + b) * big  # value (a + b) / (2 N): exact


def test_and_of_plain_thermometers_is_min_not_product():
    # the reason the deterministic methods exist: two unary streams of one period are maximally
    # correlated, so AND gives min(a, b)
    a, b = np.array([3, 10, 7]), np.array([12, 4, 7])
    ones = bs.popcount(bs.sc_min(bs.thermometer(a, 16), bs.thermometer(b, 16)))
    np.testing.assert_array_equal(ones, np.minimum(a, b))


def test_batched_broadcast_shapes():
    a = np.arange(5).reshape(5, 1)
    b = np.arange(4).reshape(1, 4)
    sa, sb = bs.deterministic_pair(a, b, 2, "rotation")
    assert sa.shape == sb.shape == (5, 4, 1)
    prod = bs.popcount(bs.deterministic_multiply(a, b, 2, "rotation"))
    np.testing.assert_array_equal(prod, a * b)


def test_bad_input():
    with pytest.raises(ValueError, match=r"n_bits must be an integer in \[1, 12\]; got 13"):
        bs.deterministic_length(13)
    with pytest.raises(ValueError, match="method must be one of 'clock_division', 'rotation', "
                                         "'relatively_prime'; got 'cd'"):
        bs.deterministic_pair(1, 1, 3, "cd")
    with pytest.raises(ValueError, match=r"a must be integers in \[0, 8\]; got 9"):
        bs.deterministic_multiply(9, 1, 3)
    with pytest.raises(ValueError, match=r"b must be integers in \[0, 7\]; got 8 at index \(1,\)"):
        bs.deterministic_pair(1, [0, 8], 3, "relatively_prime")
    with pytest.raises(TypeError, match="a must be an integer or an array of integers; got dtype float64"):
        bs.deterministic_add(0.5, 1, 3)
    with pytest.raises(ValueError, match=r"a and b must broadcast; got shapes \(2,\) and \(3,\)"):
        bs.deterministic_pair([1, 2], [1, 2, 3], 3)
    with pytest.raises(TypeError, match="bipolar must be a bool; got int 1"):
        bs.deterministic_multiply(1, 1, 3, bipolar=1)
    with pytest.raises(ValueError, match=r"k must be integers in \[0, 10\]; got 11"):
        bs.thermometer(11, 10)
    with pytest.raises(ValueError, match=r"k must be integers in \[0, 4\]; got -1"):
        bs.thermometer(-1, 10, period=4)
    with pytest.raises(ValueError, match=r"period must be an integer in \[1, "):
        bs.thermometer(0, 10, period=0)
