"""BitstreamEncoder, bitstream_to_probability and BitstreamSynapse: engine equivalence, theory, bad input."""

from __future__ import annotations

import numpy as np
import pytest
from _stats import assert_binomial, assert_binomial_mean
from conftest import NOJIT
from hypothesis import example, given
from hypothesis import strategies as st

from sc_neurocore import BitstreamEncoder, BitstreamSynapse, bitstream_to_probability
from sc_neurocore import bitstream as bs

probs = st.floats(0.0, 1.0)
lengths = st.integers(1, 700) if NOJIT else st.integers(1, 5000)


# ---------------------------------------------------------------- encoder


@given(p=probs, length=lengths, seed=st.integers(0, 2**40))
def test_bernoulli_encoder_is_the_engine_stream(p, length, seed) -> None:
    enc = BitstreamEncoder(0.0, 1.0, length, seed=seed)
    bits = enc.encode(p)
    assert bits.shape == (length,) and bits.dtype == np.uint8
    np.testing.assert_array_equal(bits, bs.unpack(bs.bernoulli(p, length, seed=seed), length))
    # the next call uses the next stream index: independent, reproducible
    np.testing.assert_array_equal(
        enc.encode_packed(p), bs.bernoulli(p, length, seed=seed, stream_offset=1)
    )


def test_encoder_value_range_and_array_shapes() -> None:
    enc = BitstreamEncoder(x_min=-2.0, x_max=6.0, length=200, seed=3)
    x = np.array([[-2.0, 0.0], [2.0, 6.0]])
    bits = enc.encode(x)
    assert bits.shape == (2, 2, 200)
    np.testing.assert_array_equal(
        bits, bs.unpack(bs.bernoulli((x + 2.0) / 8.0, 200, seed=3), 200)
    )
    assert bits[0, 0].sum() == 0 and bits[1, 1].sum() == 200
    dec = enc.decode(bits)
    assert dec.shape == (2, 2) and dec[0, 0] == -2.0 and dec[1, 1] == 6.0


def test_bipolar_mapping_is_the_range_minus_one_to_one() -> None:
    # conventions §3: bipolar x in [-1, 1] is the probability p = (x + 1) / 2
    enc = BitstreamEncoder(x_min=-1.0, x_max=1.0, length=1000, seed=4)
    x = np.array([-0.5, 0.25, 1.0])
    np.testing.assert_array_equal(enc.encode_packed(x), bs.bernoulli(bs.to_unipolar(x), 1000, seed=4))


@given(p=probs, length=st.integers(16, 8000), seed=st.integers(0, 2**32))
@example(p=4.94e-6, length=477, seed=1)  # one 1 in 477 bits: 4.2 "standard errors" away, but P = 2.4e-3
def test_decode_within_exact_binomial_interval(p, length, seed) -> None:
    enc = BitstreamEncoder(length=length, seed=seed)
    bits = enc.encode(p)
    assert enc.decode(bits) == bits.sum() / length
    # exact Clopper-Pearson; bit probability within 2^-32 of p.  False failure <= 61 x 1e-10.
    assert_binomial(int(bits.sum()), length, p, slack=2.0**-32)


@given(width=st.integers(3, 12), p=probs, state=st.integers(1, 2**12 - 1))
def test_lfsr_encoder_exact_full_period_count(width, p, state) -> None:
    period = 2**width - 1
    enc = BitstreamEncoder(length=period, seed=state % period + 1, mode="lfsr", lfsr_width=width)
    bits = enc.encode(p)
    X = round(p * 2**width)
    assert bits.sum() == max(X - 1, 0)  # states 1..2^n-1 once each, bit = state < X
    np.testing.assert_array_equal(
        bits, bs.unpack(bs.lfsr(p, period, width=width, seed=state % period + 1), period)
    )
    np.testing.assert_array_equal(enc.encode(p), bits)  # every call restarts from the seed


@given(m=st.integers(0, 12), p=probs, dim=st.integers(0, 3))
def test_sobol_encoder_error_one_over_length(m, p, dim) -> None:
    length = 2**m
    enc = BitstreamEncoder(length=length, mode="sobol", sobol_dimension=dim)
    bits = enc.encode(p)
    np.testing.assert_array_equal(bits, bs.unpack(bs.sobol(p, length, dimension=dim), length))
    # the first 2^m points take every multiple of 2^-m once: |count/L - p| <= 1/L
    assert abs(bits.mean() - p) <= 1.0 / length + 2.0**-32


def test_encoder_clip_option() -> None:
    enc = BitstreamEncoder(length=64, seed=1, clip=True)
    np.testing.assert_array_equal(enc.encode(1.7), np.ones(64, dtype=np.uint8))
    np.testing.assert_array_equal(enc.encode(-3.0), np.zeros(64, dtype=np.uint8))


@pytest.mark.parametrize(
    ("kw", "exc", "msg"),
    [
        ({"mode": "halton"}, ValueError, r"mode must be one of 'bernoulli', 'lfsr', 'sobol'; got 'halton'"),
        ({"length": 0}, ValueError, r"length must be an integer in \[1, inf\]; got 0"),
        ({"x_min": 1.0, "x_max": 0.0}, ValueError, r"x_max must be > x_min \(1.0\); got 0.0"),
        ({"mode": "lfsr", "seed": 0}, ValueError, r"seed must be an integer in \[1, 65535\]; got 0"),
        ({"mode": "lfsr", "lfsr_width": 8, "seed": 256}, ValueError, r"seed must be an integer in \[1, 255\]; got 256"),
        ({"lfsr_width": 2}, ValueError, r"lfsr_width must be an integer in \[3, 32\]; got 2"),
        ({"mode": "sobol", "seed": 5}, ValueError, r"seed must be None for mode='sobol'"),
        ({"sobol_dimension": -1}, ValueError, r"sobol_dimension must be an integer in \[0, inf\]; got -1"),
        ({"clip": 1}, TypeError, r"clip must be a bool; got int 1"),
        ({"seed": -1}, ValueError, r"seed must be a non-negative integer; got -1"),
    ],
)
def test_encoder_bad_input(kw, exc, msg) -> None:
    with pytest.raises(exc, match=msg):
        BitstreamEncoder(**kw)


@pytest.mark.parametrize(
    ("x", "exc", "msg"),
    [
        (1.5, ValueError, r"x must be in \[0.0, 1.0\]; got 1.5"),
        ([0.2, float("nan")], ValueError, r"x must be finite; got nan at index \(1,\)"),
        ("0.5", TypeError, r"x must be an array of real numbers; got dtype <U3"),
    ],
)
def test_encode_bad_value(x, exc, msg) -> None:
    with pytest.raises(exc, match=msg):
        BitstreamEncoder(length=8, seed=0).encode(x)


def test_decode_bad_bits() -> None:
    enc = BitstreamEncoder(length=8, seed=0)
    with pytest.raises(ValueError, match=r"bits must contain only 0 and 1; got 2 at index \(1,\)"):
        enc.decode([0, 2, 1])
    with pytest.raises(ValueError, match=r"bits must have a non-empty last axis; got shape \(0,\)"):
        enc.decode(np.zeros(0, dtype=np.uint8))
    with pytest.raises(TypeError, match=r"bits must be an array of 0/1 bits"):
        enc.decode([0.5, 1.0])


# ---------------------------------------------------------------- bitstream_to_probability


def test_bitstream_to_probability() -> None:
    assert bitstream_to_probability([1, 0, 1, 1]) == 0.75
    assert bitstream_to_probability(np.array([True, False])) == 0.5
    assert bitstream_to_probability(np.ones((3, 4), dtype=np.uint8)) == 1.0
    with pytest.raises(ValueError, match=r"bits must be non-empty; got an empty array"):
        bitstream_to_probability([])
    with pytest.raises(ValueError, match=r"bits must contain only 0 and 1; got -1 at index \(0,\)"):
        bitstream_to_probability([-1, 0])
    with pytest.raises(TypeError, match=r"bits must be an array of 0/1 bits .* got dtype float64"):
        bitstream_to_probability([0.0, 1.0])


# ---------------------------------------------------------------- synapse


@given(p=probs, w=probs, length=st.integers(64, 8000), seeds=st.tuples(st.integers(0, 2**32), st.integers(0, 2**32)))
def test_synapse_and_within_five_standard_errors(p, w, length, seeds) -> None:
    if seeds[0] == seeds[1]:
        seeds = (seeds[0], seeds[1] + 1)
    pre = BitstreamEncoder(length=length, seed=seeds[0]).encode(p)
    syn = BitstreamSynapse(length=length, w=w, seed=seeds[1])
    post = syn.apply(pre)
    assert post.shape == (length,) and post.dtype == np.uint8
    np.testing.assert_array_equal(post, pre & syn.weight_bits())
    # AND of independent streams: Binomial(L, p w) (each factor within 2^-32); false failure <= 60 x 1e-10
    assert_binomial_mean(bitstream_to_probability(post), length, p * w, slack=2.0**-31)


@given(x=st.floats(-1, 1), w=st.floats(-1, 1), length=st.integers(64, 8000), seed=st.integers(0, 2**32))
def test_synapse_bipolar_xnor(x, w, length, seed) -> None:
    enc = BitstreamEncoder(-1.0, 1.0, length, seed=seed)
    pre = enc.encode(x)
    syn = BitstreamSynapse(-1.0, 1.0, length, w=w, seed=seed + 1, bipolar=True)
    post = syn.apply(pre)
    np.testing.assert_array_equal(post, 1 - (pre ^ syn.weight_bits()))
    q = (1 + x * w) / 2  # P(XNOR) = p_x p_w + (1 - p_x)(1 - p_w)
    assert enc.decode(post) == 2 * post.mean() - 1
    # the XNOR count is Binomial(L, q) (q within 2^-31); false failure <= 60 x 1e-10
    assert_binomial(int(post.sum()), length, q, slack=2.0**-31)


def test_synapse_weight_range_and_packed_apply() -> None:
    syn = BitstreamSynapse(w_min=-1.0, w_max=3.0, length=100, w=1.0, seed=2)
    assert syn.p_weight == 0.5
    np.testing.assert_array_equal(syn.weight_words, bs.bernoulli(0.5, 100, seed=2))
    pre = bs.bernoulli([0.3, 0.9], 100, seed=3)
    np.testing.assert_array_equal(syn.apply_packed(pre), pre & syn.weight_words)
    full = BitstreamSynapse(length=10, seed=1)  # w=None: w_max, a transparent synapse
    assert full.w == 1.0
    np.testing.assert_array_equal(full.apply(np.array([1, 0, 1, 1, 0, 0, 1, 0, 1, 1])), [1, 0, 1, 1, 0, 0, 1, 0, 1, 1])


@pytest.mark.parametrize(
    ("kw", "exc", "msg"),
    [
        ({"w": 1.5}, ValueError, r"w must be in \[0.0, 1.0\]; got 1.5"),
        ({"w": float("nan")}, ValueError, r"w must be finite; got nan"),
        ({"w_min": 0.5, "w_max": 0.5}, ValueError, r"w_max must be > w_min \(0.5\); got 0.5"),
        ({"bipolar": "yes"}, TypeError, r"bipolar must be a bool; got str 'yes'"),
        ({"length": 0}, ValueError, r"length must be an integer in \[1, inf\]; got 0"),
        ({"mode": "xor"}, ValueError, r"mode must be one of 'bernoulli', 'lfsr', 'sobol'; got 'xor'"),
    ],
)
def test_synapse_bad_input(kw, exc, msg) -> None:
    with pytest.raises(exc, match=msg):
        BitstreamSynapse(**kw)


def test_synapse_apply_bad_input() -> None:
    syn = BitstreamSynapse(length=8, w=0.5, seed=0)
    with pytest.raises(ValueError, match=r"pre_bits must have last axis of size 8; got shape \(7,\)"):
        syn.apply(np.zeros(7, dtype=np.uint8))
    with pytest.raises(ValueError, match=r"pre_bits must contain only 0 and 1; got 5 at index \(2,\)"):
        syn.apply([0, 0, 5, 0, 0, 0, 0, 0])
    with pytest.raises(ValueError, match=r"pre_words must be a uint64 array with last axis 1; got dtype int64"):
        syn.apply_packed(np.zeros(1, dtype=np.int64))
