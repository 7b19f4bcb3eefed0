"""Gates, counters, decoders, parallel counter and MUX addition against plain-Python references."""

from __future__ import annotations

import numpy as np
from _stats import assert_binomial_mean, probs, seeds
from hypothesis import given
from hypothesis import strategies as st

from sc_neurocore import bitstream as bs
from sc_neurocore._kernels._hash import hash3_py
from sc_neurocore._rng import key_from_seed


def random_bits(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    return rng.integers(0, 2, size=shape, dtype=np.uint8)


@given(st.integers(1, 200), st.integers(1, 4), seeds)
def test_gates_match_bitwise_reference(length: int, n: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    a, b, s = (random_bits(rng, (n, length)) for _ in range(3))
    pa, pb, ps = bs.pack(a), bs.pack(b), bs.pack(s)
    assert np.array_equal(bs.unpack(bs.and_(pa, pb), length), a & b)
    assert np.array_equal(bs.unpack(bs.or_(pa, pb), length), a | b)
    assert np.array_equal(bs.unpack(bs.xnor(pa, pb, length), length), 1 - (a ^ b))
    assert np.array_equal(bs.unpack(bs.not_(pa, length), length), 1 - a)
    assert np.array_equal(bs.unpack(bs.mux(pa, pb, ps), length), np.where(s == 1, b, a))
    assert np.array_equal(bs.sc_and(pa, pb), bs.and_(pa, pb))
    assert np.array_equal(bs.sc_xnor(pa, pb, length), bs.xnor(pa, pb, length))


@given(st.integers(1, 200), seeds)
def test_padding_invariant_after_not_and_xnor(length: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    a = bs.pack(random_bits(rng, (3, length)))
    b = bs.pack(random_bits(rng, (3, length)))
    r = length % 64
    for out in (bs.not_(a, length), bs.xnor(a, b, length), bs.not_(bs.xnor(a, b, length), length)):
        if r:
            assert np.all(out[:, -1] >> np.uint64(r) == 0)
        # popcount needs no length because the padding is zero
        assert np.array_equal(bs.popcount(out), bs.unpack(out, length).sum(axis=-1))


@given(st.integers(1, 130), seeds)
def test_gates_broadcast_leading_axes(length: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    a = bs.pack(random_bits(rng, (2, 3, length)))
    w = bs.pack(random_bits(rng, (length,)))
    out = bs.and_(a, w)
    assert out.shape == (2, 3, bs.n_words(length))
    assert np.array_equal(out, a & w)
    assert np.array_equal(bs.xnor(w, a, length), bs.xnor(a, np.broadcast_to(w, a.shape), length))
    col = bs.pack(random_bits(rng, (2, 1, length)))
    assert np.array_equal(bs.or_(a, col), a | col)
    assert np.array_equal(bs.mux(a, col, w), (a & ~w) | (col & w))


@given(st.integers(1, 300), st.integers(0, 3), seeds)
def test_popcount_decode_and_popcount(length: int, n: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    shape = (n,) if n else ()
    a = random_bits(rng, shape + (length,))
    b = random_bits(rng, shape + (length,))
    pa, pb = bs.pack(a), bs.pack(b)
    ones = a.sum(axis=-1)
    assert np.array_equal(bs.popcount(pa), ones)
    assert np.allclose(bs.decode(pa, length), ones / length)
    assert np.allclose(bs.decode_bipolar(pa, length), 2 * ones / length - 1)
    assert np.array_equal(bs.and_popcount(pa, pb), (a & b).sum(axis=-1))
    if n == 0:
        assert isinstance(bs.popcount(pa), int)
        assert isinstance(bs.decode(pa, length), float)


@given(st.integers(1, 9), st.integers(1, 200), st.integers(0, 2), seeds)
def test_parallel_count_matches_column_sums(n: int, length: int, batch: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    lead = (batch,) if batch else ()
    bits = random_bits(rng, lead + (n, length))
    counts = bs.parallel_count(bs.pack(bits), length)
    assert counts.shape == lead + (length,)
    assert np.array_equal(counts, bits.sum(axis=-2))


def test_parallel_count_single_stream_and_all_ones() -> None:
    bits = np.ones((300, 77), dtype=np.uint8)
    assert np.array_equal(bs.parallel_count(bs.pack(bits), 77), np.full(77, 300))
    one = np.array([1, 0, 1], dtype=np.uint8)
    assert bs.parallel_count(bs.pack(one), 3).tolist() == [1, 0, 1]


def mux_add_ref(bits: np.ndarray, length: int, seed: int) -> np.ndarray:
    """bits (k, n, L): output stream s, cycle t copies input floor(hash3(k0, k1, s, t) * k / 2^64)."""
    k0, k1 = (int(v) for v in key_from_seed(seed))
    k, n, _ = bits.shape
    out = np.zeros((n, length), dtype=np.uint8)
    for s in range(n):
        for t in range(length):
            out[s, t] = bits[(hash3_py(k0, k1, s, t) * k) >> 64, s, t]
    return out


@given(st.integers(1, 5), st.integers(1, 3), st.integers(1, 150), seeds)
def test_mux_add_matches_python_reference(k: int, n: int, length: int, seed: int) -> None:
    bits = random_bits(np.random.default_rng(seed), (k, n, length))
    out = bs.mux_add(bs.pack(bits), length, seed)
    assert out.shape == (n, bs.n_words(length))
    assert np.array_equal(bs.unpack(out, length), mux_add_ref(bits, length, seed))
    # k inputs along axis 0 with no further leading axes -> one stream
    single = bs.mux_add(bs.pack(bits[:, 0]), length, seed)
    assert np.array_equal(single, out[0])


@given(st.lists(probs, min_size=2, max_size=5), seeds)
def test_mux_add_mean_within_tolerance(ps: list[float], seed: int) -> None:
    length = 8192
    s_in, s_sel = np.random.SeedSequence(seed).spawn(2)
    streams = bs.bernoulli(np.array(ps), length, seed=s_in)
    est = bs.decode(bs.mux_add(streams, length, seed=s_sel), length)
    mean = float(np.mean(ps))
    # each output bit is an independent Bernoulli(mean) draw (fresh select and fresh input bits);
    # exact Clopper-Pearson, false failure <= 60 x 1e-10
    assert_binomial_mean(est, length, mean, slack=2.0**-31)


@given(probs, probs, st.sampled_from([1024, 4096, 16384]), seeds)
def test_and_of_independent_streams_within_tolerance(p: float, q: float, length: int, seed: int) -> None:
    a = bs.bernoulli(p, length, seed=seed, stream_offset=0)
    b = bs.bernoulli(q, length, seed=seed, stream_offset=1)
    est = bs.and_popcount(a, b) / length
    assert est == bs.decode(bs.and_(a, b), length)
    # bit probabilities are quantised to 2^-32, so the product is within 2^-31 of p q;
    # exact Clopper-Pearson, false failure <= 60 x 1e-10
    assert_binomial_mean(est, length, p * q, slack=2.0**-31)


@given(probs, probs, seeds)
def test_or_and_not_of_independent_streams(p: float, q: float, seed: int) -> None:
    length = 4096
    a = bs.bernoulli(p, length, seed=seed, stream_offset=0)
    b = bs.bernoulli(q, length, seed=seed, stream_offset=1)
    r = p + q - p * q
    # exact Clopper-Pearson, false failure <= 60 x 1e-10
    assert_binomial_mean(bs.decode(bs.or_(a, b), length), length, r, slack=2.0**-31)
    assert bs.decode(bs.not_(a, length), length) == 1.0 - bs.decode(a, length)


@given(st.integers(1, 5), st.integers(0, 2), st.integers(1, 200), seeds)
def test_or_and_reduce_match_reference(k: int, n: int, length: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    shape = (k,) + ((n,) if n else ()) + (length,)
    bits = random_bits(rng, shape)
    words = bs.pack(bits)
    assert np.array_equal(bs.unpack(bs.or_reduce(words), length), np.bitwise_or.reduce(bits, axis=0))
    assert np.array_equal(bs.unpack(bs.and_reduce(words), length), np.bitwise_and.reduce(bits, axis=0))


@given(st.integers(1, 200), st.integers(0, 2), seeds, st.data())
def test_bits_at_matches_unpack(length: int, n: int, seed: int, data: st.DataObject) -> None:
    shape = ((n,) if n else ()) + (length,)
    bits = random_bits(np.random.default_rng(seed), shape)
    t = data.draw(st.integers(0, length - 1))
    got = bs.bits_at(bs.pack(bits), t, length)
    assert got.dtype == np.uint8
    assert np.array_equal(got, bits[..., t])


@given(st.lists(probs, min_size=2, max_size=6), seeds)
def test_or_reduce_of_independent_streams(ps: list[float], seed: int) -> None:
    length = 4096
    est = bs.decode(bs.or_reduce(bs.bernoulli(np.array(ps), length, seed=seed)), length)
    r = 1.0 - float(np.prod(1.0 - np.array(ps)))
    # each bit probability is within 2^-33 of p_i, so r is within k 2^-33;
    # exact Clopper-Pearson, false failure <= 60 x 1e-10
    assert_binomial_mean(est, length, r, slack=len(ps) * 2.0**-32)
