"""Seed handling, the counter hash and the shared validation helpers."""

from __future__ import annotations

import math

import numpy as np
import pytest
from _stats import assert_bernstein, assert_binomial, assert_gaussian_variance, assert_normal
from hypothesis import given
from hypothesis import strategies as st
from numba import njit

from sc_neurocore._kernels._hash import (
    bernoulli_mask8,
    hash3,
    hash3_py,
    mix64,
    mix64_py,
    standard_normal,
    uniform01,
)
from sc_neurocore._rng import key_from_seed, spawn_keys
from sc_neurocore._validation import (
    check_binary_array,
    check_choice,
    check_int,
    check_known_keys,
    check_real,
    check_unit_array,
)

u64 = st.integers(0, 2**64 - 1)


@given(u64)
def test_mix64_matches_python_reference(z: int) -> None:
    assert int(mix64(np.uint64(z))) == mix64_py(z)


@given(u64, u64, st.integers(0, 2**40), st.integers(0, 2**40))
def test_hash3_matches_python_reference(k0: int, k1: int, domain: int, counter: int) -> None:
    assert int(hash3(np.uint64(k0), np.uint64(k1), np.uint64(domain), np.uint64(counter))) == (
        hash3_py(k0, k1, domain, counter)
    )


@njit(cache=True)
def _masks(skeys, thr, ckey):  # every full group of eight, compiled (the 512-bit form)
    out = np.empty(skeys.shape[0] - 7, dtype=np.uint8)
    for i in range(out.shape[0]):
        out[i] = bernoulli_mask8(skeys, thr, i, ckey)
    return out


# thresholds at the edges: never (0), one word in 2^53, always (2^53 and above), and anything between
thresholds = st.one_of(st.sampled_from([0, 1, 2**52, 2**53 - 1, 2**53, 2**64 - 1]), u64)


@given(st.lists(st.tuples(u64, thresholds), min_size=8, max_size=40), u64, st.booleans())
def test_bernoulli_mask8_matches_python_reference(rows: list[tuple[int, int]], ckey: int,
                                                  strided: bool) -> None:
    """Bit ``b`` of group ``i`` is the test of word ``i + b``; strided arrays take the scalar form."""
    skeys = np.array([r[0] for r in rows], dtype=np.uint64)
    thr = np.array([r[1] for r in rows], dtype=np.uint64)
    if strided:
        skeys, thr = np.repeat(skeys, 2)[::2], np.repeat(thr, 2)[::2]
    fire = [(mix64_py(k ^ ckey) >> 11) < t for k, t in rows]
    want = [sum(fire[i + b] << b for b in range(8)) for i in range(len(rows) - 7)]
    assert _masks(skeys, thr, np.uint64(ckey)).tolist() == want
    assert int(bernoulli_mask8(skeys, thr, 0, np.uint64(ckey))) == want[0]  # the plain-Python form


def test_hash_bits_are_balanced() -> None:
    # 4096 words x 64 bits: each bit position is 1 with probability 1/2; the count of
    # ones per position is Binomial(4096, 1/2): exact Clopper-Pearson per position.
    # False failure <= 64 x 1e-10.
    words = np.array([hash3_py(1, 2, 3, c) for c in range(4096)], dtype=np.uint64)
    ones = np.array([int(((words >> np.uint64(b)) & np.uint64(1)).sum()) for b in range(64)])
    assert_binomial(ones, 4096, 0.5)


def test_uniform_and_normal_moments() -> None:
    n = 20000
    u = np.array([uniform01(5, 6, 0, i) for i in range(n)])
    z = np.array([standard_normal(5, 6, 0, i) for i in range(n)])
    assert np.all((u >= 0) & (u < 1))
    # sum of U(0,1): Bernstein (variance n / 12, terms within 1/2 of their mean); mean of N(0,1):
    # exact normal tail, sd 1/sqrt(n); n x sample variance of N(0,1): exact chi2(n - 1).
    # False failure <= 3 x 1e-10.
    assert_bernstein(u.sum() - 0.5 * n, n / 12, 0.5)
    assert_normal(z.mean(), 1 / math.sqrt(n))
    assert_gaussian_variance(z.var(), n)


def test_keys_are_deterministic_and_distinct() -> None:
    assert np.array_equal(key_from_seed(42), key_from_seed(42))
    assert not np.array_equal(key_from_seed(42), key_from_seed(43))
    keys = spawn_keys(7, 50)
    assert keys.shape == (50, 2) and keys.dtype == np.uint64
    assert len({tuple(k) for k in keys.tolist()}) == 50
    # A child can be rebuilt alone from its parent seed.
    child3 = np.random.default_rng(7).spawn(4)[3]
    assert np.array_equal(keys[3], key_from_seed(child3))


def test_seed_forms_accepted() -> None:
    ss = np.random.SeedSequence(3)
    assert np.array_equal(key_from_seed(ss), key_from_seed(np.random.SeedSequence(3)))
    assert key_from_seed(np.random.default_rng(3)).shape == (2,)
    assert key_from_seed(None).shape == (2,)


def test_global_numpy_random_state_untouched() -> None:
    before = np.random.get_state()[1].copy()  # noqa: NPY002 - checking it is untouched
    key_from_seed(1)
    spawn_keys(1, 3)
    assert np.array_equal(before, np.random.get_state()[1])  # noqa: NPY002


@pytest.mark.parametrize(
    ("seed", "exc", "message"),
    [
        (-1, ValueError, r"^seed must be a non-negative integer; got -1$"),
        (
            1.5,
            TypeError,
            r"^seed must be None, an int, a numpy SeedSequence or a numpy Generator; got float 1.5$",
        ),
        (True, TypeError, r"^seed must be None, an int"),
        ("7", TypeError, r"^seed must be None, an int"),
    ],
)
def test_bad_seeds(seed: object, exc: type[Exception], message: str) -> None:
    with pytest.raises(exc, match=message):
        key_from_seed(seed)  # type: ignore[arg-type]


def test_validation_messages() -> None:
    with pytest.raises(ValueError, match=r"^p must be in \[0, 1\]; got 1.5$"):
        check_real(1.5, "p", low=0, high=1)
    with pytest.raises(ValueError, match=r"^tau must be in \(0, inf\); got 0.0$"):
        check_real(0, "tau", low=0, low_open=True)
    with pytest.raises(ValueError, match=r"^x must be finite; got nan$"):
        check_real(float("nan"), "x")
    with pytest.raises(TypeError, match=r"^x must be a real number; got str 'a'$"):
        check_real("a", "x")
    with pytest.raises(ValueError, match=r"^length must be an integer in \[1, inf\]; got 0$"):
        check_int(0, "length", low=1)
    with pytest.raises(TypeError, match=r"^length must be an integer; got float 2.0$"):
        check_int(2.0, "length", low=1)
    with pytest.raises(ValueError, match=r"^x must be finite; got inf at index \(1,\)$"):
        check_unit_array([0.1, np.inf], "x")
    with pytest.raises(
        ValueError, match=r"^x must be in \[0.0, 1.0\]; got -0.5 at index \(0, 1\)$"
    ):
        check_unit_array([[0.1, -0.5]], "x")
    with pytest.raises(
        ValueError, match=r"^bits must contain only 0 and 1; got 3 at index \(2,\)$"
    ):
        check_binary_array([0, 1, 3], "bits")
    with pytest.raises(TypeError, match=r"^bits must be an array of 0/1 bits"):
        check_binary_array([0.0, 1.0], "bits")
    with pytest.raises(ValueError, match=r"^mode must be one of 'or', 'mux'; got 'and'$"):
        check_choice("and", "mode", ("or", "mux"))
    with pytest.raises(
        ValueError, match=r"^neuron_params has unknown key\(s\) 'tau'; allowed: 'tau_mem'$"
    ):
        check_known_keys({"tau": 1.0}, "neuron_params", ("tau_mem",))
    assert check_binary_array([True, False], "bits").dtype == np.uint8
    assert check_unit_array(0.5, "p") == 0.5
