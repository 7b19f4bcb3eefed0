"""Packing: bit order, round trips, partial last word, padding checks."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from sc_neurocore import bitstream as bs


def pack_ref(bits: list[int]) -> list[int]:
    """Plain-Python packing: bit t -> word t // 64, bit position t % 64."""
    words = [0] * ((len(bits) + 63) // 64)
    for t, b in enumerate(bits):
        words[t // 64] |= b << (t % 64)
    return words


lead_shapes = hnp.array_shapes(min_dims=0, max_dims=2, min_side=1, max_side=3)


@given(lead_shapes, st.integers(1, 200), st.integers(0, 2**32 - 1))
def test_pack_unpack_round_trip(lead: tuple[int, ...], length: int, seed: int) -> None:
    bits = np.random.default_rng(seed).integers(0, 2, size=lead + (length,), dtype=np.uint8)
    words = bs.pack(bits)
    assert words.dtype == np.uint64
    assert words.shape == lead + (bs.n_words(length),)
    assert np.array_equal(bs.unpack(words, length), bits)


@given(st.lists(st.integers(0, 1), min_size=1, max_size=300))
def test_pack_matches_python_reference_bit_for_bit(bits: list[int]) -> None:
    words = bs.pack(np.array(bits, dtype=np.int64))
    assert [int(w) for w in words] == pack_ref(bits)
    # padding bits of the last word are zero
    r = len(bits) % 64
    if r:
        assert int(words[-1]) >> r == 0


@given(st.lists(st.booleans(), min_size=1, max_size=130))
def test_pack_accepts_bool(bits: list[bool]) -> None:
    assert np.array_equal(bs.pack(np.array(bits)), bs.pack(np.array(bits, dtype=np.uint8)))


def test_bit_order_lsb_first() -> None:
    bits = np.zeros(70, dtype=np.uint8)
    bits[0] = 1
    bits[65] = 1
    words = bs.pack(bits)
    assert words.tolist() == [1, 2]


@pytest.mark.parametrize(("length", "expected"), [(1, 1), (63, 1), (64, 1), (65, 2), (128, 2), (129, 3)])
def test_n_words(length: int, expected: int) -> None:
    assert bs.n_words(length) == expected


def test_pack_rejects_non_binary() -> None:
    with pytest.raises(ValueError, match=r"bits must contain only 0 and 1; got 2 at index \(1,\)"):
        bs.pack(np.array([0, 2, 1]))
    with pytest.raises(TypeError, match=r"bits must be an array of 0/1 bits \(bool or integer dtype\); got dtype float64"):
        bs.pack(np.array([0.0, 1.0]))
    with pytest.raises(ValueError, match=r"bits must have a non-empty last axis \(the time axis\); got shape \(\)"):
        bs.pack(np.uint8(1))
    with pytest.raises(ValueError, match=r"bits must have a non-empty last axis \(the time axis\); got shape \(2, 0\)"):
        bs.pack(np.zeros((2, 0), dtype=np.uint8))


def test_unpack_rejects_bad_words_and_length() -> None:
    w = bs.pack(np.ones(70, dtype=np.uint8))
    with pytest.raises(TypeError, match=r"words must be a uint64 array of packed streams .*; got dtype int64"):
        bs.unpack(w.astype(np.int64), 70)
    with pytest.raises(ValueError, match=r"words must have last axis n_words\(length\) = 1 for length 64; got shape \(2,\)"):
        bs.unpack(w, 64)
    with pytest.raises(ValueError, match=r"length must be an integer in \[1, inf\]; got 0"):
        bs.unpack(w, 0)
    with pytest.raises(TypeError, match=r"length must be an integer; got float 70.0"):
        bs.unpack(w, 70.0)
    with pytest.raises(ValueError, match=r"words must have at least one axis \(the word axis\); got a 0-d array"):
        bs.unpack(np.uint64(3), 2)
    with pytest.raises(ValueError, match=r"words must have zero padding bits \(positions >= 5\) in its last word; got last word 0x3f"):
        bs.unpack(w, 69)
    with pytest.raises(ValueError, match=r"words must have a non-empty word axis; got shape \(3, 0\)"):
        bs.popcount(np.zeros((3, 0), dtype=np.uint64))
    with pytest.raises(ValueError, match=r"length must be an integer in \[1, inf\]; got -3"):
        bs.n_words(-3)
