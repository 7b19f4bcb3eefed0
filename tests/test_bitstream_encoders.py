"""Encoders: bernoulli, lfsr, sobol, bipolar mappings -- bit-exact references, exact counts, statistics."""

from __future__ import annotations

import math

import numpy as np
import pytest
from _stats import assert_binomial_mean, probs, seeds
from conftest import NOJIT
from hypothesis import given
from hypothesis import strategies as st

from sc_neurocore import bitstream as bs
from sc_neurocore._kernels._bernoulli import bernoulli_word
from sc_neurocore._kernels._hash import hash3_py
from sc_neurocore._kernels._lfsr import _lfsr_words_serial, _lfsr_words_sliced
from sc_neurocore._kernels._sobol import sobol_words, sobol_words_serial
from sc_neurocore._rng import key_from_seed
from sc_neurocore._taps import MAXIMAL_TAPS, tap_mask

ALL = (1 << 64) - 1


def bernoulli_ref(p: float, length: int, seed: int, stream: int) -> list[int]:
    """Plain Python, all 32 planes (no early exit): bit t = U_t < round(p 2^32)."""
    k0, k1 = (int(v) for v in key_from_seed(seed))
    thr = int(np.round(p * 2.0**32))
    out = []
    for w in range((length + 63) // 64):
        planes = [hash3_py(k0, k1, stream, w * 32 + j) for j in range(32)]
        for lane in range(min(64, length - 64 * w)):
            u = 0
            for j in range(32):
                u |= ((planes[j] >> lane) & 1) << (31 - j)
            out.append(int(u < thr))
    return out


def lfsr_ref(p: float, length: int, width: int, seed: int, taps: tuple[int, ...], zero_state: bool) -> list[int]:
    """Plain-Python shift-left Fibonacci register with a < comparator."""
    x = round(p * 2**width)
    assert x == int(np.round(p * 2.0**width))
    state = seed
    out = []
    for _ in range(length):
        out.append(int(state < x))
        fb = 0
        for t in taps:
            fb ^= (state >> (t - 1)) & 1
        if zero_state and state & ((1 << (width - 1)) - 1) == 0:
            fb ^= 1
        state = ((state << 1) | fb) & ((1 << width) - 1)
    return out


def mirror(taps: tuple[int, ...]) -> tuple[int, ...]:
    """Taps of the reciprocal polynomial (also maximal)."""
    n = taps[0]
    return (n, *sorted((n - t for t in taps[1:]), reverse=True))


def sobol_points_ref(v: list[int], n: int) -> list[int]:
    """Gray-code order: x_0 = 0, x_{k+1} = x_k ^ v[lowest zero bit of k]."""
    x, pts = 0, []
    for k in range(n):
        pts.append(x)
        c = 0
        while (k >> c) & 1:
            c += 1
        x ^= v[c]
    return pts


# ---------------------------------------------------------------- bernoulli


@given(probs, st.integers(1, 400), seeds, st.integers(0, 2**40))
def test_bernoulli_matches_python_reference(p: float, length: int, seed: int, offset: int) -> None:
    words = bs.bernoulli(p, length, seed=seed, stream_offset=offset)
    assert words.shape == (bs.n_words(length),)
    assert bs.unpack(words, length).tolist() == bernoulli_ref(p, length, seed, offset)


@given(st.sampled_from([0.5, 0.25, 0.75, 0.375, 2.0**-24, 2.0**-32, 1 - 2.0**-32, 0.3]), st.integers(1, 300), seeds)
def test_bernoulli_early_exit_thresholds_match_reference(p: float, length: int, seed: int) -> None:
    # lengths above 128 go through the two-word block path for p with T mod 2^24 != 0
    # thresholds with trailing zero bits take the "remaining bits of T are 0" exit
    assert bs.unpack(bs.bernoulli(p, length, seed=seed), length).tolist() == bernoulli_ref(p, length, seed, 0)


@given(st.lists(probs, min_size=1, max_size=6), st.integers(1, 300), seeds, st.integers(0, 2**64 - 1))
def test_bernoulli_words_are_independently_producible(ps: list[float], length: int, seed: int, mask: int) -> None:
    batch = bs.bernoulli(np.array(ps).reshape(-1, 1), length, seed=seed)
    k0, k1 = key_from_seed(seed)
    nw = bs.n_words(length)
    for i, p in enumerate(ps):
        # stream i of a batch == a single stream with stream_offset=i
        assert np.array_equal(batch[i, 0], bs.bernoulli(p, length, seed=seed, stream_offset=i))
        thr = np.uint64(int(np.round(p * 2.0**32)))
        for w in range(nw - 1):
            word = bernoulli_word(k0, k1, np.uint64(i), w, thr, np.uint64(ALL))
            assert int(word) == int(batch[i, 0, w])
            # each lane is decided on its own: a lane subset gives the same lanes
            sub = bernoulli_word(k0, k1, np.uint64(i), w, thr, np.uint64(mask))
            assert int(sub) == int(word) & mask


@given(st.integers(0, 3), st.integers(1, 3), st.integers(1, 100))
def test_bernoulli_shape(ndim: int, side: int, length: int) -> None:
    shape = (side,) * ndim
    words = bs.bernoulli(np.full(shape, 0.5), length, seed=1)
    assert words.shape == shape + (bs.n_words(length),)
    assert words.dtype == np.uint64


@given(probs, st.integers(1, 500), seeds)
def test_bernoulli_deterministic_and_padding_zero(p: float, length: int, seed: int) -> None:
    a = bs.bernoulli(p, length, seed=seed)
    assert np.array_equal(a, bs.bernoulli(p, length, seed=seed))
    assert np.array_equal(a, bs.bernoulli(p, length, seed=np.random.SeedSequence(seed)))
    if length % 64:
        assert int(a[-1]) >> (length % 64) == 0


@given(seeds, seeds)
def test_bernoulli_different_seeds_differ(s1: int, s2: int) -> None:
    if s1 == s2:
        s2 = s1 + 1
    # 256 bits at p = 1/2 agree by chance with probability 2^-256
    assert not np.array_equal(bs.bernoulli(0.5, 256, seed=s1), bs.bernoulli(0.5, 256, seed=s2))
    assert not np.array_equal(
        bs.bernoulli(0.5, 256, seed=s1, stream_offset=0), bs.bernoulli(0.5, 256, seed=s1, stream_offset=1)
    )


def test_bernoulli_extremes_exact() -> None:
    assert bs.popcount(bs.bernoulli(0.0, 1000, seed=3)) == 0
    assert bs.popcount(bs.bernoulli(1.0, 1000, seed=3)) == 1000


@given(probs, st.sampled_from([1000, 4096, 20000]), seeds)
def test_bernoulli_density_within_tolerance(p: float, length: int, seed: int) -> None:
    p_hat = bs.decode(bs.bernoulli(p, length, seed=seed), length)
    # bit probability is round(p 2^32) / 2^32, within 2^-33 of p; exact Clopper-Pearson,
    # false failure <= 60 examples x 1e-10
    assert_binomial_mean(p_hat, length, p, slack=2.0**-32)


def test_bernoulli_seed_none_draws_fresh_streams() -> None:
    assert not np.array_equal(bs.bernoulli(0.5, 512), bs.bernoulli(0.5, 512))


# ---------------------------------------------------------------- lfsr


@given(probs, st.integers(1, 300), st.integers(3, 16), st.data(), st.booleans())
def test_lfsr_matches_python_register(p: float, length: int, width: int, data: st.DataObject, zs: bool) -> None:
    seed = data.draw(st.integers(1, 2**width - 1))
    taps = MAXIMAL_TAPS[width]
    words = bs.lfsr(p, length, width=width, seed=seed, zero_state=zs)
    assert bs.unpack(words, length).tolist() == lfsr_ref(p, length, width, seed, taps, zs)


@given(probs, st.integers(3, 8), st.data())
def test_lfsr_long_streams_match_python_register(p: float, width: int, data: st.DataObject) -> None:
    # beyond the first 64 n bits the word-parallel encoder uses the recurrence W_j = XOR_t W_{j-t};
    # with zero-state insertion it splices a 0 into the sequence every 2^n bits
    seed = data.draw(st.sampled_from([1, 2 ** (width - 1)]) | st.integers(1, 2**width - 1))
    length = data.draw(st.integers(64 * width, 64 * width + 1500))
    taps = data.draw(st.sampled_from([MAXIMAL_TAPS[width], mirror(MAXIMAL_TAPS[width])]))
    zs = data.draw(st.booleans())
    words = bs.lfsr(p, length, width=width, seed=seed, taps=taps, zero_state=zs)
    assert bs.unpack(words, length).tolist() == lfsr_ref(p, length, width, seed, taps, zs)


@given(st.integers(3, 32), st.integers(1, 3000), st.data())
def test_lfsr_word_parallel_kernel_equals_clocked_kernel(width: int, length: int, data: st.DataObject) -> None:
    n = data.draw(st.integers(1, 4))
    hi = 2**width
    thr = np.array(data.draw(st.lists(st.sampled_from([0, 1, hi - 1, hi]) | st.integers(0, hi), min_size=n,
                                      max_size=n)), dtype=np.uint64)
    seed_list = data.draw(st.lists(st.sampled_from([1, hi // 2, hi - 1]) | st.integers(1, hi - 1),
                                   min_size=n, max_size=n))
    if data.draw(st.booleans()):
        seed_list = [seed_list[0]] * n  # streams sharing one register sequence
    seeds = np.array(seed_list, dtype=np.uint64)
    taps = data.draw(st.sampled_from([MAXIMAL_TAPS[width], mirror(MAXIMAL_TAPS[width])]))
    tm = np.uint64(tap_mask(taps))
    nw = bs.n_words(length)
    zs = data.draw(st.booleans())
    assert np.array_equal(
        _lfsr_words_sliced(thr, seeds, width, tm, zs, nw, length),
        _lfsr_words_serial(thr, seeds, width, tm, zs, nw, length),
    )


@given(st.integers(3, 16), st.data(), st.booleans())
def test_lfsr_states_match_python_register(width: int, data: st.DataObject, zs: bool) -> None:
    seed = data.draw(st.integers(1, 2**width - 1))
    length = data.draw(st.integers(1, 200))
    states = bs.lfsr_states(length, width=width, seed=seed, zero_state=zs)
    assert states.dtype == np.uint32
    state, ref = seed, []
    for _ in range(length):
        ref.append(state)
        fb = sum((state >> (t - 1)) & 1 for t in MAXIMAL_TAPS[width]) & 1
        if zs and state & ((1 << (width - 1)) - 1) == 0:
            fb ^= 1
        state = ((state << 1) | fb) & ((1 << width) - 1)
    assert states.tolist() == ref


@given(st.integers(3, 12), st.data())
def test_lfsr_states_per_register_seeds(width: int, data: st.DataObject) -> None:
    sd = np.array(data.draw(st.lists(st.integers(1, 2**width - 1), min_size=1, max_size=4)))
    length = data.draw(st.integers(1, 100))
    states = bs.lfsr_states(length, width=width, seed=sd.reshape(-1, 1))
    assert states.shape == (sd.size, 1, length)
    for i, s in enumerate(sd):
        assert np.array_equal(states[i, 0], bs.lfsr_states(length, width=width, seed=int(s)))


@given(st.integers(3, 12 if NOJIT else 16), st.data())
def test_lfsr_full_period_exact_counts(width: int, data: st.DataObject) -> None:
    x = data.draw(st.integers(0, 2**width))
    seed = data.draw(st.integers(1, 2**width - 1))
    p = x / 2**width
    period = 2**width - 1
    assert bs.popcount(bs.lfsr(p, period, width=width, seed=seed)) == max(x - 1, 0)
    assert bs.popcount(bs.lfsr(p, period + 1, width=width, seed=seed, zero_state=True)) == x


@given(st.integers(3, 10), st.data())
def test_lfsr_full_period_visits_every_state(width: int, data: st.DataObject) -> None:
    seed = data.draw(st.integers(1, 2**width - 1))
    st_plain = bs.lfsr_states(2**width - 1, width=width, seed=seed)
    assert sorted(st_plain.tolist()) == list(range(1, 2**width))
    st_zero = bs.lfsr_states(2**width, width=width, seed=seed, zero_state=True)
    assert sorted(st_zero.tolist()) == list(range(2**width))


@given(st.integers(3, 12), st.data())
def test_lfsr_per_stream_seeds(width: int, data: st.DataObject) -> None:
    sd = data.draw(st.lists(st.integers(1, 2**width - 1), min_size=1, max_size=4))
    ps = data.draw(st.lists(probs, min_size=len(sd), max_size=len(sd)))
    length = data.draw(st.integers(1, 150))
    words = bs.lfsr(np.array(ps), length, width=width, seed=np.array(sd))
    for i in range(len(sd)):
        assert np.array_equal(words[i], bs.lfsr(ps[i], length, width=width, seed=sd[i]))
    # one seed array broadcast against a 2-D p
    words2 = bs.lfsr(np.tile(np.array(ps), (2, 1)), length, width=width, seed=np.array(sd))
    assert np.array_equal(words2[1], words)


def test_lfsr_custom_maximal_taps() -> None:
    # the reciprocal polynomial of MAXIMAL_TAPS[8] = (8, 6, 5, 4) is (8, 4, 3, 2)
    taps = (8, 4, 3, 2)
    assert bs.is_maximal_taps(8, taps)
    words = bs.lfsr(0.5, 300, width=8, seed=7, taps=taps)
    assert bs.unpack(words, 300).tolist() == lfsr_ref(0.5, 300, 8, 7, taps, False)
    assert bs.popcount(bs.lfsr(0.5, 255, width=8, seed=7, taps=list(reversed(taps)))) == 127


def test_lfsr_equal_seeds_are_fully_correlated() -> None:
    a = bs.lfsr(0.3, 1000, width=12, seed=5)
    b = bs.lfsr(0.6, 1000, width=12, seed=5)
    assert bs.scc(a, b, 1000) == 1.0


# ---------------------------------------------------------------- sobol


@given(st.integers(0, bs.SOBOL_MAX_DIMENSION), st.lists(probs, min_size=1, max_size=3), st.integers(1, 300),
       st.integers(0, 5000))
def test_sobol_matches_python_gray_code(dim: int, ps: list[float], length: int, skip: int) -> None:
    v = [int(x) for x in bs.sobol_direction_numbers(dim)]
    pts = sobol_points_ref(v, skip + length)[skip:]
    words = bs.sobol(np.array(ps), length, dimension=dim, skip=skip)
    for i, p in enumerate(ps):
        thr = int(np.round(p * 2.0**32))
        assert bs.unpack(words[i], length).tolist() == [int(x < thr) for x in pts]


@given(st.integers(0, bs.SOBOL_MAX_DIMENSION), st.integers(1, 300), st.integers(0, 5000))
def test_sobol_points_match_python_gray_code(dim: int, length: int, skip: int) -> None:
    v = [int(x) for x in bs.sobol_direction_numbers(dim)]
    assert bs.sobol_points(length, dim, skip).tolist() == sobol_points_ref(v, skip + length)[skip:]


@given(st.integers(0, bs.SOBOL_MAX_DIMENSION), st.integers(1, 3000), st.data())
def test_sobol_word_parallel_kernel_equals_point_by_point_kernel(dim: int, length: int, data: st.DataObject) -> None:
    skip = data.draw(st.sampled_from([0, 64, 2**32 - length]) | st.integers(0, 2**32 - length))
    n = data.draw(st.integers(1, 3))
    thr = np.array(data.draw(st.lists(st.sampled_from([0, 1, 2**31, 2**32 - 1, 2**32]) | st.integers(0, 2**32),
                                      min_size=n, max_size=n)), dtype=np.uint64)
    v = bs.sobol_direction_numbers(dim)
    nw = bs.n_words(length)
    assert np.array_equal(sobol_words(thr, v, skip, nw, length), sobol_words_serial(thr, v, skip, nw, length))


def test_sobol_direction_numbers_match_scipy() -> None:
    qmc = pytest.importorskip("scipy.stats.qmc", reason="scipy (test extra) gives the reference Sobol points")
    d = bs.SOBOL_MAX_DIMENSION + 1
    ref = qmc.Sobol(d=d, scramble=False, bits=32).random(512)
    for dim in range(d):
        v = [int(x) for x in bs.sobol_direction_numbers(dim)]
        pts = np.array(sobol_points_ref(v, 512), dtype=np.float64) / 2.0**32
        assert np.array_equal(pts, ref[:, dim]), dim


def test_van_der_corput_dimension_zero() -> None:
    # x_k of dimension 0 is the bit reversal of gray(k) -> as a set, the first 2^m points are j / 2^m
    v = [int(x) for x in bs.sobol_direction_numbers(0)]
    assert v == [1 << (31 - i) for i in range(32)]
    pts = sobol_points_ref(v, 16)
    assert sorted(pts) == [j << 28 for j in range(16)]


@given(st.integers(0, bs.SOBOL_MAX_DIMENSION), st.integers(0, 12), probs, st.integers(0, 8))
def test_sobol_error_below_one_over_length(dim: int, m: int, p: float, block: int) -> None:
    # every 1-d projection of Sobol is a (0, m, 1)-net: each aligned block of 2^m points has one
    # point in each interval [j 2^-m, (j+1) 2^-m), so the count below T is floor or ceil of T 2^m / 2^32
    length = 2**m
    est = bs.decode(bs.sobol(p, length, dimension=dim, skip=block * length), length)
    thr = np.round(p * 2.0**32) / 2.0**32
    assert abs(est - thr) < 1.0 / length


# ---------------------------------------------------------------- bipolar


@given(st.floats(-1.0, 1.0))
def test_bipolar_round_trip(x: float) -> None:
    p = bs.to_unipolar(x)
    assert 0.0 <= p <= 1.0
    assert math.isclose(bs.to_bipolar(p), x, abs_tol=1e-15)


def test_bipolar_arrays() -> None:
    assert np.allclose(bs.to_unipolar(np.array([-1.0, 0.0, 1.0])), [0.0, 0.5, 1.0])
    assert np.allclose(bs.to_bipolar(np.array([0.0, 0.25, 1.0])), [-1.0, -0.5, 1.0])


@given(st.floats(-1.0, 1.0), st.floats(-1.0, 1.0), seeds)
def test_bipolar_xnor_product_within_tolerance(x: float, y: float, seed: int) -> None:
    length = 8192
    a = bs.bernoulli(bs.to_unipolar(x), length, seed=seed, stream_offset=0)
    b = bs.bernoulli(bs.to_unipolar(y), length, seed=seed, stream_offset=1)
    est = bs.decode_bipolar(bs.xnor(a, b, length), length)
    q = (x * y + 1) / 2  # probability of a 1 in the XNOR stream (within 2^-31: each input within 2^-32)
    # est = 2 k / L - 1 with k ~ Binomial(L, q): exact Clopper-Pearson, false failure <= 60 x 1e-10
    assert_binomial_mean((est + 1) / 2, length, q, slack=2.0**-31)


@given(st.lists(probs, min_size=1, max_size=4), st.integers(1, 2000), seeds)
def test_bernoulli_block_path_equals_word_by_word_kernel(ps: list[float], length: int, seed: int) -> None:
    # bernoulli_words takes full words two at a time (vectorised planes); every word must equal the
    # one-word kernel that the fused layer kernels call
    k0, k1 = key_from_seed(seed)
    words = bs.bernoulli(np.array(ps), length, seed=seed)
    nw = bs.n_words(length)
    last = (1 << (length % 64)) - 1 if length % 64 else ALL
    for i, p in enumerate(ps):
        thr = np.uint64(int(np.round(p * 2.0**32)))
        ref = [int(bernoulli_word(k0, k1, np.uint64(i), w, thr, np.uint64(ALL if w < nw - 1 else last)))
               for w in range(nw)]
        assert [int(x) for x in words[i]] == ref
