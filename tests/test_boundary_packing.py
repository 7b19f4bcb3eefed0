"""The unpacked boundary (issue #9): packing, unpacking, 0/1 validation, decode and the AND + popcount
fast path, against plain-Python references, bit for bit, for every accepted dtype and shape."""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sc_neurocore import BitstreamEncoder, BitstreamSynapse
from sc_neurocore import bitstream as bs
from sc_neurocore._kernels._bitops import pack_bits, unpack_words
from sc_neurocore._validation import check_binary_array
from sc_neurocore.bitstream._packing import check_words

# every integer dtype the API accepts, both byte orders
INT_DTYPES = ["i1", "u1", "<i2", "<u2", "<i4", "<u4", "<i8", "<u8", ">i2", ">u4", ">i8", ">u8"]
# lengths on both sides of whole bytes, whole words and the short-row threshold (256)
LENGTHS = [1, 3, 7, 8, 9, 63, 64, 65, 128, 200, 255, 256, 257, 1000, 1024]


def py_pack_row(bits: list[int]) -> list[int]:
    """Bit ``t`` -> bit ``t % 64`` of word ``t // 64`` (conventions §1)."""
    words = [0] * ((len(bits) + 63) // 64)
    for t, b in enumerate(bits):
        words[t // 64] |= b << (t % 64)
    return words


def py_unpack_row(words: list[int], length: int) -> list[int]:
    return [(words[t // 64] >> (t % 64)) & 1 for t in range(length)]


def first_bad(arr: np.ndarray) -> tuple[int, ...]:
    """Index of the first entry (C order) that is neither 0 nor 1, by plain iteration."""
    for idx in np.ndindex(arr.shape):
        if int(arr[idx]) not in (0, 1):
            return idx
    raise AssertionError("no bad entry")


def bad_values(dtype: np.dtype) -> list[int]:
    """Values that are not 0/1, including ones that wrap to 0 or 1 in a narrower type."""
    info = np.iinfo(dtype)
    vals = [2, int(info.max)]
    if info.min < 0:
        vals += [-1, int(info.min)]
    if info.bits > 8:
        vals += [256, 257]  # 0 and 1 modulo 2^8
    if info.bits > 32:
        vals += [2**32, 2**32 + 1]
    return vals


@pytest.mark.parametrize("length", LENGTHS)
@pytest.mark.parametrize("n", [0, 1, 5])
@pytest.mark.parametrize("dtype", [np.uint8, np.bool_])
def test_pack_bits_and_unpack_words_match_python(length: int, n: int, dtype: type) -> None:
    rng = np.random.default_rng(length * 10 + n)
    bits = rng.integers(0, 2, (n, length), dtype=np.uint8)
    nw = -(-length // 64)
    words = pack_bits(np.ascontiguousarray(bits.astype(dtype)), nw)
    assert words.dtype == np.uint64 and words.shape == (n, nw) and words.flags.c_contiguous
    assert [[int(w) for w in row] for row in words] == [py_pack_row(row.tolist()) for row in bits]
    back = unpack_words(words, length)
    assert back.dtype == np.uint8 and back.shape == (n, length) and back.flags.c_contiguous
    assert back.tolist() == [py_unpack_row([int(w) for w in row], length) for row in words]


@given(st.integers(0, 4), st.integers(1, 700), st.integers(0, 2**32 - 1))
def test_unpack_words_ignores_nothing_but_padding(n: int, length: int, seed: int) -> None:
    """Arbitrary words (not only packed bits): every valid bit comes back, in order."""
    rng = np.random.default_rng(seed)
    nw = -(-length // 64)
    words = rng.integers(0, 2**64, (n, nw), dtype=np.uint64, endpoint=False)
    got = unpack_words(words, length)
    assert got.tolist() == [py_unpack_row([int(w) for w in row], length) for row in words]


@given(
    st.sampled_from([(), (0,), (2,), (3, 1), (2, 0, 2)]),
    st.integers(1, 300),
    st.sampled_from(["bool", *INT_DTYPES]),
    st.booleans(),
    st.integers(0, 2**32 - 1),
)
def test_pack_any_shape_dtype_and_layout(lead, length, dtype, strided, seed) -> None:
    """bs.pack / bs.unpack on every accepted dtype, C-contiguous or strided, against the reference."""
    rng = np.random.default_rng(seed)
    full = rng.integers(0, 2, lead + (2 * length,), dtype=np.uint8).astype(dtype)
    bits = full[..., ::2] if strided else np.ascontiguousarray(full[..., :length])
    words = bs.pack(bits)
    assert words.dtype == np.uint64 and words.shape == lead + (bs.n_words(length),)
    flat_bits = np.asarray(bits, dtype=np.uint8).reshape(-1, length)
    assert [[int(w) for w in r] for r in words.reshape(-1, words.shape[-1])] == [
        py_pack_row(r.tolist()) for r in flat_bits
    ]
    out = bs.unpack(words, length)
    assert out.dtype == np.uint8 and np.array_equal(out, bits)
    # strided words unpack the same
    wide = np.zeros(lead + (2 * words.shape[-1],), dtype=np.uint64)
    wide[..., ::2] = words
    assert np.array_equal(bs.unpack(wide[..., ::2], length), out)


@pytest.mark.parametrize("dtype", INT_DTYPES)
def test_check_binary_array_accepts_01_of_every_integer_dtype(dtype: str) -> None:
    bits = np.random.default_rng(1).integers(0, 2, (3, 50)).astype(dtype)
    for arr in (bits, bits[:, ::3], bits.T, bits[:0], bits[0, 0]):
        got = check_binary_array(arr, "bits")
        # (a 0-d input comes back 1-d, as np.ascontiguousarray makes it; unchanged behaviour)
        assert got.dtype == np.uint8 and got.flags.c_contiguous and got.shape == (np.shape(arr) or (1,))
        assert got.tolist() == np.asarray(arr).reshape(got.shape).tolist()


@pytest.mark.parametrize("dtype", INT_DTYPES)
def test_check_binary_array_rejects_every_non_01_value(dtype: str) -> None:
    """The first bad entry in C order is named, with the message of the previous implementation."""
    rng = np.random.default_rng(2)
    for bad in bad_values(np.dtype(dtype)):
        for layout in ("c", "strided", "transposed", "scalar"):
            base = rng.integers(0, 2, (4, 6)).astype(dtype)
            base[rng.integers(0, 4), rng.integers(0, 6)] = bad
            base[3, 4] = bad  # in every layout below
            arr = {"c": base, "strided": base[:, ::2], "transposed": base.T, "scalar": base[3, 4]}[layout]
            arr = np.asarray(arr)
            idx = first_bad(arr)
            msg = f"bits must contain only 0 and 1; got {arr[idx]} at index {idx}"
            with pytest.raises(ValueError, match="^" + re.escape(msg) + "$"):
                check_binary_array(arr, "bits")


def test_check_binary_array_timedelta_is_an_integer_dtype_as_before() -> None:
    """numpy counts timedelta64 as an integer dtype; it stays accepted, negatives included in the check."""
    assert check_binary_array(np.array([0, 1], dtype="m8[s]"), "bits").tolist() == [0, 1]
    arr = np.array([1, -1, 0], dtype="m8[s]")
    with pytest.raises(ValueError, match="^" + re.escape(f"bits must contain only 0 and 1; got {arr[1]} at index (1,)")):
        check_binary_array(arr, "bits")


@pytest.mark.parametrize("dtype", ["f8", "f4", "c16", "O", "U1", "M8[s]"])
def test_check_binary_array_rejects_non_integer_dtypes(dtype: str) -> None:
    arr = np.zeros(3, dtype=dtype) if dtype != "O" else np.array([0, 1, None], dtype=object)
    msg = f"bits must be an array of 0/1 bits (bool or integer dtype); got dtype {arr.dtype}"
    with pytest.raises(TypeError, match="^" + re.escape(msg) + "$"):
        check_binary_array(arr, "bits")


@given(st.binary(min_size=0, max_size=200))
def test_bool_arrays_from_raw_bytes_are_read_as_truth_values(raw: bytes) -> None:
    """A bool array viewed from arbitrary bytes (np.frombuffer) holds 0..255; every nonzero is True."""
    arr = np.frombuffer(raw, dtype=np.bool_)
    expected = [int(b != 0) for b in raw]
    assert check_binary_array(arr, "bits").tolist() == expected
    if raw:  # 0-d too
        assert check_binary_array(arr[-1], "bits").tolist() == expected[-1:]
    if raw:
        assert bs.unpack(bs.pack(arr), len(raw)).tolist() == expected
        enc = BitstreamEncoder(length=len(raw))
        assert enc.decode(arr) == sum(expected) / len(raw)


@given(
    st.sampled_from([(), (1,), (3,), (2, 2), (0, 3)]),
    st.integers(1, 400),
    st.sampled_from(["bool", "u1", "<i8"]),
    st.integers(0, 2**32 - 1),
)
def test_decode_equals_the_mean_bit_for_bit(lead, length, dtype, seed) -> None:
    """decode counts packed; the float64 is the same as x_min + span * mean(bits) (an exact sum / L)."""
    rng = np.random.default_rng(seed)
    bits = rng.integers(0, 2, lead + (length,)).astype(dtype)
    enc = BitstreamEncoder(-3.0, 7.5, length=length)
    got = enc.decode(bits)
    ref = -3.0 + (7.5 - -3.0) * np.asarray(bits, dtype=np.uint8).mean(axis=-1)
    if lead == ():
        assert type(got) is float and got == float(ref)
    else:
        assert isinstance(got, np.ndarray) and got.dtype == np.float64 and got.shape == lead
        assert np.array_equal(got, ref)


@given(
    st.sampled_from([((), ()), ((3,), (3,)), ((2, 3), (2, 3)), ((2, 1), (3,)), ((1,), ())]),
    st.integers(1, 300),
    st.booleans(),
    st.integers(0, 2**32 - 1),
)
def test_and_popcount_same_shape_fast_path_and_broadcasting(shapes, length, strided, seed) -> None:
    rng = np.random.default_rng(seed)
    sa, sb = shapes
    a = bs.pack(rng.integers(0, 2, sa + (length,), dtype=np.uint8))
    b = bs.pack(rng.integers(0, 2, sb + (length,), dtype=np.uint8))
    if strided:  # same values, non-contiguous
        a = np.repeat(a, 2, axis=-1)[..., ::2]
    got = bs.and_popcount(a, b)
    a_b, b_b = np.broadcast_arrays(a, b)
    lead = a_b.shape[:-1]
    ref = [
        sum((int(x) & int(y)).bit_count() for x, y in zip(ra, rb, strict=True))
        for ra, rb in zip(a_b.reshape(-1, a_b.shape[-1]), b_b.reshape(-1, b_b.shape[-1]), strict=True)
    ]
    if lead == ():
        assert type(got) is int and got == ref[0]
    else:
        assert got.dtype == np.int64 and got.shape == lead and got.ravel().tolist() == ref


def test_and_popcount_error_messages_unchanged() -> None:
    a = bs.pack(np.ones((2, 70), dtype=np.uint8))
    with pytest.raises(TypeError, match=r"^b must be a uint64 array of packed streams \(see bitstream.pack\); "
                                        r"got dtype int64$"):
        bs.and_popcount(a, np.ones((2, 2), dtype=np.int64))
    with pytest.raises(ValueError, match=r"^a and b must have the same number of words \(last axis\); "
                                         r"got a \(2, 2\), b \(2, 3\)$"):
        bs.and_popcount(a, np.zeros((2, 3), dtype=np.uint64))
    with pytest.raises(ValueError, match=r"^a and b must have broadcast-compatible leading axes; "
                                         r"got a \(2, 2\), b \(3, 2\)$"):
        bs.and_popcount(a, np.zeros((3, 2), dtype=np.uint64))


@given(
    st.sampled_from([(), (2,), (2, 3)]),
    st.integers(1, 300),
    st.sampled_from(["bool", "u1", "<i4"]),
    st.booleans(),
    st.integers(0, 2**32 - 1),
)
def test_synapse_apply_is_the_gate_on_the_bits(lead, length, dtype, bipolar, seed) -> None:
    """apply == pre AND weight (XNOR when bipolar), cycle by cycle, for any accepted dtype."""
    rng = np.random.default_rng(seed)
    pre = rng.integers(0, 2, lead + (length,)).astype(dtype)
    syn = BitstreamSynapse(0.0, 1.0, length=length, w=0.37, seed=seed, bipolar=bipolar)
    w = syn.weight_bits()
    p = np.asarray(pre, dtype=np.uint8)
    ref = 1 - (p ^ w) if bipolar else p & w
    got = syn.apply(pre)
    assert got.dtype == np.uint8 and got.shape == lead + (length,)
    assert np.array_equal(got, ref)


def test_check_words_passes_valid_arrays_through_without_a_copy() -> None:
    """Re-validating packed operands is attribute reads only: the same object comes back."""
    words = bs.pack(np.ones((3, 100), dtype=np.uint8))
    assert check_words(words, "a") is words
    assert check_words(words, "a", 100) is words
    strided = np.repeat(words, 2, axis=-1)[..., ::2]
    got = check_words(strided, "a", 100)
    assert got.flags.c_contiguous and np.array_equal(got, words) and not np.shares_memory(got, strided)


@given(st.integers(1, 4), st.integers(1, 4), st.integers(1, 200), st.integers(0, 2**32 - 1))
def test_padding_check_names_the_first_stream_with_padding_bits(n0, n1, length, seed) -> None:
    """Padding bits are the high bits of the last word; the first stream (C order) with one is named."""
    rng = np.random.default_rng(seed)
    words = bs.pack(rng.integers(0, 2, (n0, n1, length), dtype=np.uint8))
    r = length % 64
    if r == 0:  # no padding: everything is valid
        assert np.array_equal(bs.unpack(words, length), bs.unpack(words.copy(), length))
        return
    i, j = int(rng.integers(n0)), int(rng.integers(n1))
    words[i, j, -1] |= np.uint64(1) << np.uint64(int(rng.integers(r, 64)))
    first = next((a, b) for a in range(n0) for b in range(n1) if int(words[a, b, -1]) >> r)
    msg = (f"words must have zero padding bits (positions >= {r}) in its last word; "
           f"got last word {int(words[first + (-1,)]):#x} of stream {first}")
    with pytest.raises(ValueError, match="^" + re.escape(msg) + "$"):
        bs.unpack(words, length)
    with pytest.raises(ValueError, match=re.escape(f"(positions >= {r})")):
        bs.unpack(words[i, j], length)
