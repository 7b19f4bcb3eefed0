"""Nonlinear and sequential SC units (sc_neurocore.bitstream): bit-exact against plain-Python
references, and statistically against the exact distribution of their Markov chains.

Statistical tests: every unit is a finite Markov chain driven by i.i.d. input symbols, so the
number of ones in one output stream of length L has an exactly computable distribution (dynamic
programming over (state, count), :func:`exact_count_law`).  M independent output streams are then
M i.i.d. draws of that law, and Bernstein's inequality with the *exact* variance,
P(|mean - mu| >= eps) <= 2 exp(-M eps^2 / (2 var + 2 eps / 3)) for counts / L in [0, 1],
bounds the deviation of the mean for every p and L.  Each such assertion uses failure probability
DELTA = 1e-9.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sc_neurocore import bitstream as bs

DELTA = 1e-9


# --- plain-Python references (one cycle each, on ints) ------------------------


def counter_step(kind: str, k: int, g: int) -> Callable[[int, tuple[int, ...]], tuple[int, int]]:
    """(state, (x,)) -> (output bit, next state) of the Brown & Card counter FSMs."""

    def step(s: int, sym: tuple[int, ...]) -> tuple[int, int]:
        x = sym[0]
        if kind == "stanh":
            y = int(s >= k // 2)
        elif kind == "sexp":
            y = int(s < k - g)
        else:  # abs
            y = x if s >= k // 2 else 1 - x
        return y, (min(s + 1, k - 1) if x else max(s - 1, 0))

    return step


def sqrt_step(q: int, sym: tuple[int, ...]) -> tuple[int, int]:
    y = q | sym[0]
    return y, (1 - q) & y


def cordiv_step(q: int, sym: tuple[int, ...]) -> tuple[int, int]:
    a, b = sym
    y = a if b else q
    return y, y


def jk_step(q: int, sym: tuple[int, ...]) -> tuple[int, int]:
    j, k = sym
    return q, (1 - q if j else 0) if k else (1 if j else q)


def btanh_step(k: int, m: int) -> Callable[[int, tuple[int, ...]], tuple[int, int]]:
    def step(s: int, sym: tuple[int, ...]) -> tuple[int, int]:
        return int(s >= k // 2), min(max(s + 2 * sym[0] - m, 0), k - 1)

    return step


def run_ref(step, init: int, symbols: list[tuple[int, ...]]) -> np.ndarray:
    s, out = init, []
    for sym in symbols:
        y, s = step(s, sym)
        out.append(y)
    return np.array(out, dtype=np.uint8)


def exact_count_law(step, init: int, n_states: int, symbols: list[tuple[float, tuple[int, ...]]],
                    length: int) -> np.ndarray:
    """Exact law of the number of output ones in ``length`` cycles, i.i.d. input symbols."""
    dist = np.zeros((n_states, length + 1))
    dist[init, 0] = 1.0
    table = [[(prob, *step(s, sym)) for prob, sym in symbols] for s in range(n_states)]
    for _ in range(length):
        new = np.zeros_like(dist)
        for s in range(n_states):
            for prob, y, nxt in table[s]:
                if y:
                    new[nxt, 1:] += prob * dist[s, :-1]
                else:
                    new[nxt] += prob * dist[s]
        dist = new
    return dist.sum(axis=0)


def assert_mean_matches_law(counts: np.ndarray, law: np.ndarray, length: int) -> None:
    """Bernstein bound with the exact variance of counts / L; false-failure probability DELTA."""
    k = np.arange(law.size) / length
    mu = float(law @ k)
    var = float(law @ (k - mu) ** 2)
    m = counts.size
    c = math.log(2.0 / DELTA)
    eps = math.sqrt(2.0 * var * c / m) + 2.0 * c / (3.0 * m) + 1e-12
    mean = float(np.mean(counts)) / length
    assert abs(mean - mu) <= eps, (mean, mu, eps)


def counts_of(words: np.ndarray) -> np.ndarray:
    return bs.popcount(words)


dyadic = st.integers(0, 1 << 12).map(lambda k: k / (1 << 12))  # exactly representable by bernoulli
seeds = st.integers(0, 2**63 - 1)
even_states = st.integers(1, 8).map(lambda h: 2 * h)


# --- bit-exact against the references ----------------------------------------


@given(seed=seeds, length=st.integers(1, 300), k=even_states, g=st.integers(1, 15))
def test_counter_fsms_match_reference(seed, length, k, g):
    g = min(g, k - 1)
    x = np.random.default_rng(seed).integers(0, 2, (3, length), dtype=np.uint8)
    px = bs.pack(x)
    for kind, got in (("stanh", bs.stanh(px, length, k)), ("sexp", bs.sexp(px, length, k, g)),
                      ("abs", bs.fsm_abs(px, length, k))):
        for i in range(3):
            ref = run_ref(counter_step(kind, k, g), k // 2, [(int(b),) for b in x[i]])
            np.testing.assert_array_equal(bs.unpack(got[i], length), ref, err_msg=kind)
    np.testing.assert_array_equal(bs.fsm_sigmoid(px, length, k), bs.stanh(px, length, k))
    for i in range(3):
        ref = run_ref(sqrt_step, 0, [(int(b),) for b in x[i]])
        np.testing.assert_array_equal(bs.unpack(bs.sc_sqrt(px, length)[i], length), ref)


def test_many_streams_cross_the_64_stream_slices():
    # the kernels transpose blocks of 64 streams: 130 streams = two full blocks and a partial one
    length = 200
    rng = np.random.default_rng(11)
    x = rng.integers(0, 2, (130, length), dtype=np.uint8)
    b = rng.integers(0, 2, (130, length), dtype=np.uint8)
    got = {"stanh": bs.stanh(bs.pack(x), length, 6), "abs": bs.fsm_abs(bs.pack(x), length, 6),
           "jk": bs.jk_divide(bs.pack(x), bs.pack(b), length)}
    for i in (0, 63, 64, 127, 128, 129):
        for kind in ("stanh", "abs"):
            ref = run_ref(counter_step(kind, 6, 1), 3, [(int(v),) for v in x[i]])
            np.testing.assert_array_equal(bs.unpack(got[kind][i], length), ref)
        ref = run_ref(jk_step, 0, list(zip(x[i].tolist(), b[i].tolist(), strict=True)))
        np.testing.assert_array_equal(bs.unpack(got["jk"][i], length), ref)
    xm = rng.integers(0, 2, (130, 40, length), dtype=np.uint8)  # 40 inputs: a 6-bit count
    got_m = bs.apc_btanh(bs.pack(xm), length, 10)
    for i in (0, 64, 129):
        ref = run_ref(btanh_step(10, 40), 5, [(int(c),) for c in xm[i].sum(axis=0)])
        np.testing.assert_array_equal(bs.unpack(got_m[i], length), ref)
    # ReSC works on blocks of 64 words: 70 words cross a block boundary
    n_bits = 70 * 64 + 5
    blocks = np.random.default_rng(3).integers(0, 2, (3, 5, n_bits), dtype=np.uint8)
    z = np.random.default_rng(4).integers(0, 2, (3, 6, n_bits), dtype=np.uint8)
    got_b = bs.unpack(bs.bernstein(bs.pack(blocks), bs.pack(z), n_bits), n_bits)
    np.testing.assert_array_equal(got_b, np.take_along_axis(z, blocks.sum(axis=1)[:, None, :], 1)[:, 0])


@given(seed=seeds, length=st.integers(1, 300))
def test_dividers_match_reference(seed, length):
    a, b = np.random.default_rng(seed).integers(0, 2, (2, 2, length), dtype=np.uint8)
    for fn, step in ((bs.cordiv, cordiv_step), (bs.jk_divide, jk_step)):
        got = fn(bs.pack(a), bs.pack(b), length)
        for i in range(2):
            ref = run_ref(step, 0, list(zip(a[i].tolist(), b[i].tolist(), strict=True)))
            np.testing.assert_array_equal(bs.unpack(got[i], length), ref)


@given(seed=seeds, length=st.integers(1, 300), m=st.integers(1, 9), k=even_states)
def test_apc_btanh_matches_reference(seed, length, m, k):
    x = np.random.default_rng(seed).integers(0, 2, (2, m, length), dtype=np.uint8)
    got = bs.apc_btanh(bs.pack(x), length, k)
    assert got.shape == (2, bs.n_words(length))
    for i in range(2):
        ref = run_ref(btanh_step(k, m), k // 2, [(int(c),) for c in x[i].sum(axis=0)])
        np.testing.assert_array_equal(bs.unpack(got[i], length), ref)


@given(seed=seeds, length=st.integers(1, 300), n=st.integers(1, 10))
def test_bernstein_matches_reference(seed, length, n):
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 2, (n, length), dtype=np.uint8)
    z = rng.integers(0, 2, (n + 1, length), dtype=np.uint8)
    got = bs.unpack(bs.bernstein(bs.pack(x), bs.pack(z), length), length)
    np.testing.assert_array_equal(got, z[x.sum(axis=0), np.arange(length)])


def test_padding_bits_stay_zero():
    length = 70
    ones = bs.pack(np.ones((1, length), dtype=np.uint8))
    for out in (bs.stanh(ones, length), bs.sc_sqrt(ones, length), bs.fsm_abs(ones ^ ones, length),
                bs.cordiv(ones, ones, length), bs.jk_divide(ones, ones ^ ones, length),
                bs.apc_btanh(ones[None], length, 4)):
        assert int(out[..., -1].max()) >> 6 == 0


# --- theory: exact stationary values (the docs table) -------------------------


def stationary(step, n_states: int, symbols) -> tuple[np.ndarray, float]:
    """Stationary law of the chain and the long-run probability of an output 1."""
    t = np.zeros((n_states, n_states))
    o = np.zeros(n_states)
    for s in range(n_states):
        for prob, sym in symbols:
            y, nxt = step(s, sym)
            t[s, nxt] += prob
            o[s] += prob * y
    a = np.vstack([t.T - np.eye(n_states), np.ones(n_states)])
    pi = np.linalg.lstsq(a, np.r_[np.zeros(n_states), 1.0], rcond=None)[0]
    return pi, float(pi @ o)


@given(p=st.floats(0.01, 0.99), k=even_states, g=st.integers(1, 15))
def test_stationary_outputs_match_closed_forms(p, k, g):
    g = min(g, k - 1)
    sym = [(1 - p, (0,)), (p, (1,))]
    x = 2 * p - 1
    r = p / (1 - p)
    tanh_exact = math.tanh(k / 2 * math.atanh(x))
    _, y = stationary(counter_step("stanh", k, g), k, sym)
    assert 2 * y - 1 == pytest.approx(tanh_exact, abs=1e-9)
    assert y == pytest.approx(1 / (1 + r ** (-k / 2)), abs=1e-9)  # the sigmoid reading
    _, y = stationary(counter_step("sexp", k, g), k, sym)
    assert y == pytest.approx((k - g) / k if r == 1 else (1 - r ** (k - g)) / (1 - r ** k), abs=1e-9)
    _, y = stationary(counter_step("abs", k, g), k, sym)
    assert 2 * y - 1 == pytest.approx(x * tanh_exact, abs=1e-9)
    _, y = stationary(sqrt_step, 2, sym)
    assert y == pytest.approx(2 * p / (1 + p), abs=1e-12)


@given(pa=st.floats(0.01, 0.99), pb=st.floats(0.01, 0.99))
def test_dividers_stationary(pa, pb):
    _, y = stationary(jk_step, 2, [(pa * pb, (1, 1)), (pa * (1 - pb), (1, 0)),
                                   ((1 - pa) * pb, (0, 1)), ((1 - pa) * (1 - pb), (0, 0))])
    assert y == pytest.approx(pa / (pa + pb), abs=1e-12)
    lo, hi = min(pa, pb), max(pa, pb)  # SCC = +1: a = (u < lo), b = (u < hi)
    _, y = stationary(cordiv_step, 2, [(lo, (1, 1)), (hi - lo, (0, 1)), (1 - hi, (0, 0))])
    assert y == pytest.approx(lo / hi, abs=1e-12)


def test_cordiv_transient_closed_form():
    # E[y_t] = (pa / pb)(1 - (1 - pb)^(t + 1)): the exact mean count is its sum over t
    pa, pb, length = 0.2, 0.25, 40
    law = exact_count_law(cordiv_step, 0, 2, [(pa, (1, 1)), (pb - pa, (0, 1)), (1 - pb, (0, 0))], length)
    expected = sum(pa / pb * (1 - (1 - pb) ** (t + 1)) for t in range(length))
    assert float(law @ np.arange(length + 1)) == pytest.approx(expected, rel=1e-12)


def test_sqrt_error_against_true_sqrt():
    p = np.linspace(0, 1, 200001)
    err = np.sqrt(p) - 2 * p / (1 + p)
    assert err.min() >= -1e-15 and err.max() == pytest.approx(0.13488, abs=1e-4)


# --- statistics: kernel output law == the exact Markov-chain law ---------------

N_STREAMS = 4000


@pytest.mark.slow  # statistics only (bit-exactness is tested under NUMBA_DISABLE_JIT above)
@given(seed=seeds, p=dyadic, length=st.integers(1, 256), k=st.sampled_from([2, 4, 8]),
       g=st.integers(1, 7))
def test_single_input_units_follow_exact_law(seed, p, length, k, g):
    g = min(g, k - 1)
    x = bs.bernoulli(np.full(N_STREAMS, p), length, seed=seed)
    sym = [(1 - p, (0,)), (p, (1,))]
    for kind, out in (("stanh", bs.stanh(x, length, k)), ("sexp", bs.sexp(x, length, k, g)),
                      ("abs", bs.fsm_abs(x, length, k))):
        law = exact_count_law(counter_step(kind, k, g), k // 2, k, sym, length)
        assert_mean_matches_law(counts_of(out), law, length)
    assert_mean_matches_law(counts_of(bs.sc_sqrt(x, length)),
                            exact_count_law(sqrt_step, 0, 2, sym, length), length)


@pytest.mark.slow  # statistics only (bit-exactness is tested under NUMBA_DISABLE_JIT above)
@given(seed=seeds, pa=dyadic, pb=dyadic, length=st.integers(1, 256))
def test_dividers_follow_exact_law(seed, pa, pb, length):
    ss = np.random.SeedSequence(seed).spawn(2)
    a = bs.bernoulli(np.full(N_STREAMS, pa), length, seed=ss[0])
    b = bs.bernoulli(np.full(N_STREAMS, pb), length, seed=ss[1])
    sym = [(pa * pb, (1, 1)), (pa * (1 - pb), (1, 0)), ((1 - pa) * pb, (0, 1)), ((1 - pa) * (1 - pb), (0, 0))]
    assert_mean_matches_law(counts_of(bs.jk_divide(a, b, length)),
                            exact_count_law(jk_step, 0, 2, sym, length), length)
    # CORDIV with SCC = +1 inputs: both comparators read one uniform per cycle
    lo, hi = min(pa, pb), max(pa, pb)
    u = np.random.default_rng(seed).random((N_STREAMS, length))
    y = bs.cordiv(bs.pack((u < lo).astype(np.uint8)), bs.pack((u < hi).astype(np.uint8)), length)
    law = exact_count_law(cordiv_step, 0, 2, [(lo, (1, 1)), (hi - lo, (0, 1)), (1 - hi, (0, 0))], length)
    assert_mean_matches_law(counts_of(y), law, length)


@pytest.mark.slow
@given(seed=seeds, p=dyadic, length=st.integers(1, 192), m=st.integers(1, 6), k=st.sampled_from([2, 4, 8, 12]))
def test_apc_btanh_follows_exact_law(seed, p, length, m, k):
    x = bs.bernoulli(np.full((N_STREAMS, m), p), length, seed=seed)
    sym = [(math.comb(m, c) * p**c * (1 - p) ** (m - c), (c,)) for c in range(m + 1)]
    law = exact_count_law(btanh_step(k, m), k // 2, k, sym, length)
    assert_mean_matches_law(counts_of(bs.apc_btanh(x, length, k)), law, length)


@pytest.mark.slow  # statistics only (bit-exactness is tested under NUMBA_DISABLE_JIT above)
@given(seed=seeds, p=dyadic, n=st.integers(1, 6), b=st.lists(dyadic, min_size=7, max_size=7))
def test_bernstein_mean_is_the_polynomial(seed, p, n, b):
    # combinational: output bits are i.i.d. Bernoulli(B(p)); Bernstein bound on 2^18 bits, DELTA
    coeffs = np.array(b[: n + 1])
    length = 1 << 12
    ss = np.random.SeedSequence(seed).spawn(2)
    x = bs.bernoulli(np.full((64, n), p), length, seed=ss[0])
    z = bs.bernoulli(np.broadcast_to(coeffs, (64, n + 1)), length, seed=ss[1])
    mu = float(bs.bernstein_poly(coeffs, p))
    total = 64 * length
    c = math.log(2.0 / DELTA)
    eps = math.sqrt(2 * mu * (1 - mu) * c / total) + 2 * c / (3 * total) + 1e-12
    assert abs(float(bs.popcount(bs.bernstein(x, z, length)).sum()) / total - mu) <= eps


# --- Bernstein coefficient synthesis ------------------------------------------


@given(b=st.lists(st.floats(0, 1), min_size=2, max_size=8))
def test_synthesis_recovers_a_bernstein_polynomial(b):
    coeffs = np.array(b)
    fit = bs.bernstein_coefficients(lambda q: bs.bernstein_poly(coeffs, q), coeffs.size - 1)
    grid = np.linspace(0, 1, 257)
    assert np.max(np.abs(bs.bernstein_poly(fit, grid) - bs.bernstein_poly(coeffs, grid))) < 1e-6
    assert np.all((fit >= 0) & (fit <= 1))


def test_synthesis_error_falls_with_degree():
    # degree elevation maps [0,1] coefficients of degree n to [0,1] coefficients of degree n + 1, so
    # the constrained least-squares optimum can only improve with the degree
    def f(q):
        return 1 / (1 + np.exp(-8 * (q - 0.5)))

    grid = np.linspace(0, 1, 1025)
    errs = [float(np.sqrt(np.mean((bs.bernstein_poly(bs.bernstein_coefficients(f, n), grid) - f(grid)) ** 2)))
            for n in range(1, 9)]
    assert all(e2 <= e1 + 1e-7 for e1, e2 in zip(errs, errs[1:], strict=False))
    assert errs[-1] < 0.01 < errs[0]


# --- bad input ----------------------------------------------------------------


def test_bad_input_is_rejected():
    x = bs.pack(np.ones((2, 10), dtype=np.uint8))
    with pytest.raises(ValueError, match=r"n_states must be an even integer in \[2, 65536\]; got 5"):
        bs.stanh(x, 10, 5)
    with pytest.raises(ValueError, match=r"n_states must be an integer in \[2, 65536\]; got 0"):
        bs.fsm_abs(x, 10, 0)
    with pytest.raises(TypeError, match="n_states must be an integer; got float 4.0"):
        bs.stanh(x, 10, 4.0)
    with pytest.raises(ValueError, match=r"g must be an integer in \[1, 7\]; got 8"):
        bs.sexp(x, 10, 8, 8)
    with pytest.raises(TypeError, match="x must be a uint64 array"):
        bs.sc_sqrt(np.ones((2, 1)), 10)
    with pytest.raises(ValueError, match="x must have zero padding bits"):
        bs.stanh(np.full((1, 1), 2**20, dtype=np.uint64), 10)
    with pytest.raises(ValueError, match="dividend and divisor must have broadcast-compatible"):
        bs.cordiv(x, np.zeros((3, 1), dtype=np.uint64), 10)
    with pytest.raises(ValueError, match=r"x must have shape S \+ \(M, W\)"):
        bs.apc_btanh(x[0], 10, 4)
    with pytest.raises(ValueError, match=r"x and z must have shapes S \+ \(N, W\) and S \+ \(N \+ 1, W\)"):
        bs.bernstein(x, x, 10)
    with pytest.raises(ValueError, match=r"degree must be an integer in \[1, 32\]; got 0"):
        bs.bernstein_coefficients(np.sqrt, 0)
    with pytest.raises(TypeError, match="f must be a callable"):
        bs.bernstein_coefficients("sqrt", 3)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="f must return 1025 finite values"):
        bs.bernstein_coefficients(lambda q: q * np.nan, 3)
    with pytest.raises(ValueError, match=r"p must be in \[0, 1\]"):
        bs.bernstein_poly([0.5, 0.5], 1.5)
    with pytest.raises(ValueError, match="coeffs must be a non-empty 1-D array"):
        bs.bernstein_poly([], 0.5)
