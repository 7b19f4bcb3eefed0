"""Every bad input of sc_neurocore.bitstream raises ValueError/TypeError naming parameter, value and range."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from sc_neurocore import bitstream as bs

W = bs.bernoulli(0.5, 100, seed=1)  # one stream of 100 bits, 2 words
W_PAD = W.copy()
W_PAD[-1] |= np.uint64(1 << 63)

CASES: list[tuple[str, Callable[[], Any], type[Exception], str]] = [
    # probabilities
    ("p above 1", lambda: bs.bernoulli(1.5, 10), ValueError, r"p must be in \[0\.0, 1\.0\]; got 1\.5"),
    ("p NaN", lambda: bs.bernoulli([0.1, np.nan], 10), ValueError, r"p must be finite; got nan at index \(1,\)"),
    ("p inf", lambda: bs.lfsr(np.inf, 10), ValueError, r"p must be finite; got inf"),
    ("p negative", lambda: bs.sobol(np.array([[0.1, -0.2]]), 10), ValueError,
     r"p must be in \[0\.0, 1\.0\]; got -0\.2 at index \(0, 1\)"),
    ("p string", lambda: bs.bernoulli("a", 10), TypeError, r"p must be an array of real numbers; got dtype <U1"),
    ("p bool", lambda: bs.bernoulli(np.array([True]), 10), TypeError,
     r"p must be an array of real numbers; got dtype bool"),
    # lengths
    ("length 0", lambda: bs.bernoulli(0.5, 0), ValueError, r"length must be an integer in \[1, inf\]; got 0"),
    ("length negative", lambda: bs.lfsr(0.5, -4), ValueError, r"length must be an integer in \[1, inf\]; got -4"),
    ("length float", lambda: bs.sobol(0.5, 10.5), TypeError, r"length must be an integer; got float 10\.5"),
    ("length bool", lambda: bs.decode(W, True), TypeError, r"length must be an integer; got bool True"),
    # seeds and offsets
    ("stream_offset", lambda: bs.bernoulli(0.5, 10, stream_offset=-1), ValueError,
     r"stream_offset must be an integer in \[0, \d+\]; got -1"),
    ("seed negative", lambda: bs.bernoulli(0.5, 10, seed=-1), ValueError,
     r"seed must be a non-negative integer; got -1"),
    ("seed string", lambda: bs.bernoulli(0.5, 10, seed="x"), TypeError,
     r"seed must be None, an int, a numpy SeedSequence or a numpy Generator; got str 'x'"),
    ("mux_add seed", lambda: bs.mux_add(np.stack([W, W]), 100, seed=1.5), TypeError,
     r"seed must be None, an int, a numpy SeedSequence or a numpy Generator; got float 1\.5"),
    # LFSR
    ("lfsr seed 0", lambda: bs.lfsr(0.5, 10, width=8, seed=0), ValueError,
     r"seed must be an integer in \[1, 255\]; got 0"),
    ("lfsr seed too large", lambda: bs.lfsr(0.5, 10, width=8, seed=256), ValueError,
     r"seed must be an integer in \[1, 255\]; got 256"),
    ("lfsr seed array 0", lambda: bs.lfsr([0.5, 0.5], 10, width=8, seed=np.array([1, 0])), ValueError,
     r"seed must be integers in \[1, 255\] \(nonzero 8-bit states\); got 0 at index \(1,\)"),
    ("lfsr seed array shape", lambda: bs.lfsr([0.5, 0.5], 10, width=8, seed=np.array([1, 2, 3])), ValueError,
     r"seed must broadcast to the shape of p \(2,\); got shape \(3,\)"),
    ("lfsr seed float", lambda: bs.lfsr(0.5, 10, width=8, seed=1.0), TypeError,
     r"seed must be an integer or an integer array; got float 1\.0"),
    ("lfsr_states seed", lambda: bs.lfsr_states(10, width=4, seed=16), ValueError,
     r"seed must be an integer in \[1, 15\]; got 16"),
    ("width too large", lambda: bs.lfsr(0.5, 10, width=33), ValueError,
     r"width must be an integer in \[3, 32\]; got 33"),
    ("width too small", lambda: bs.lfsr_states(10, width=2), ValueError,
     r"width must be an integer in \[3, 32\]; got 2"),
    ("taps not maximal", lambda: bs.lfsr(0.5, 10, width=16, taps=(16, 15)), ValueError,
     r"taps must be a maximal-length tap set for width 16 \(e\.g\. \(16, 15, 13, 4\)\); got \(16, 15\)"),
    ("taps without width", lambda: bs.lfsr(0.5, 10, width=16, taps=(15, 13)), ValueError,
     r"taps must be distinct integers in \[1, 16\] including the width 16; got \(15, 13\)"),
    ("taps repeated", lambda: bs.lfsr(0.5, 10, width=8, taps=(8, 6, 6, 5)), ValueError,
     r"taps must be distinct integers in \[1, 8\] including the width 8; got \(8, 6, 6, 5\)"),
    ("taps string", lambda: bs.lfsr(0.5, 10, width=16, taps="16"), TypeError,
     r"taps must be a sequence of ints; got str '16'"),
    ("taps float entry", lambda: bs.lfsr(0.5, 10, width=16, taps=(16, 1.5)), TypeError,
     r"taps must be a sequence of ints; got \(16, 1\.5\)"),
    ("zero_state int", lambda: bs.lfsr(0.5, 10, zero_state=1), TypeError, r"zero_state must be a bool; got int 1"),
    ("is_maximal width", lambda: bs.is_maximal_taps(40, (40, 3)), ValueError,
     r"width must be an integer in \[3, 32\]; got 40"),
    ("is_maximal taps int", lambda: bs.is_maximal_taps(8, 8), TypeError, r"taps must be a sequence of ints; got int 8"),
    ("lfsr_period taps", lambda: bs.lfsr_period(8, (7, 5)), ValueError,
     r"taps must be distinct integers in \[1, 8\] including the width 8; got \(7, 5\)"),
    ("lfsr_period seed", lambda: bs.lfsr_period(8, seed=0), ValueError, r"seed must be an integer in \[1, 255\]; got 0"),
    # Sobol
    ("sobol dimension", lambda: bs.sobol(0.5, 10, dimension=99), ValueError,
     r"dimension must be an integer in \[0, 15\]; got 99"),
    ("sobol skip negative", lambda: bs.sobol(0.5, 10, skip=-1), ValueError,
     r"skip must be an integer in \[0, 4294967286\]; got -1"),
    ("sobol skip past 2^32", lambda: bs.sobol(0.5, 10, skip=2**32), ValueError,
     r"skip must be an integer in \[0, 4294967286\]; got 4294967296"),
    # packed arrays
    ("words dtype", lambda: bs.and_(W.astype(np.int64), W), TypeError,
     r"a must be a uint64 array of packed streams \(see bitstream\.pack\); got dtype int64"),
    ("words list", lambda: bs.popcount([1, 2]), TypeError,
     r"words must be a uint64 array of packed streams \(see bitstream\.pack\); got dtype int64"),
    ("sel dtype", lambda: bs.mux(W, W, W.astype(np.uint32)), TypeError,
     r"sel must be a uint64 array of packed streams \(see bitstream\.pack\); got dtype uint32"),
    ("word count vs length", lambda: bs.xnor(W, W, 200), ValueError,
     r"a must have last axis n_words\(length\) = 4 for length 200; got shape \(2,\)"),
    ("word counts differ", lambda: bs.and_(W, np.zeros(3, np.uint64)), ValueError,
     r"a and b must have the same number of words \(last axis\); got a \(2,\), b \(3,\)"),
    ("leading axes", lambda: bs.or_(np.zeros((2, 2), np.uint64), np.zeros((3, 2), np.uint64)), ValueError,
     r"a and b must have broadcast-compatible leading axes; got a \(2, 2\), b \(3, 2\)"),
    ("padding bits", lambda: bs.not_(W_PAD, 100), ValueError,
     r"a must have zero padding bits \(positions >= 36\) in its last word; got last word 0x8"),
    ("0-d words", lambda: bs.decode(np.uint64(1), 1), ValueError,
     r"words must have at least one axis \(the word axis\); got a 0-d array"),
    ("mux_add 1-d", lambda: bs.mux_add(W, 100, 1), ValueError,
     r"words must have shape \(k, \.\.\., n_words\) with the k inputs on axis 0; got shape \(2,\)"),
    ("parallel_count dtype", lambda: bs.parallel_count([1, 2], 10), TypeError,
     r"words must be a uint64 array of packed streams"),
    ("scc length", lambda: bs.scc(W, W, 0), ValueError, r"length must be an integer in \[1, inf\]; got 0"),
    ("or_reduce 1-d", lambda: bs.or_reduce(W), ValueError,
     r"words must have shape \(k, \.\.\., n_words\) with the k inputs on axis 0; got shape \(2,\)"),
    ("and_reduce dtype", lambda: bs.and_reduce(np.zeros((2, 2), np.int32)), TypeError,
     r"words must be a uint64 array of packed streams"),
    ("bits_at t", lambda: bs.bits_at(W, 100, 100), ValueError, r"t must be an integer in \[0, 99\]; got 100"),
    ("bits_at words", lambda: bs.bits_at(W, 3, 200), ValueError,
     r"words must have last axis n_words\(length\) = 4 for length 200; got shape \(2,\)"),
    ("sobol_points dimension", lambda: bs.sobol_points(10, dimension=-1), ValueError,
     r"dimension must be an integer in \[0, 15\]; got -1"),
    # metrics
    ("progressive target", lambda: bs.progressive_precision(W, 100, target=2.0), ValueError,
     r"target must be in \[0\.0, 1\.0\]; got 2\.0"),
    ("progressive target shape", lambda: bs.progressive_precision(W, 100, target=[0.1, 0.2]), ValueError,
     r"target must broadcast to the stream shape \(\); got shape \(2,\)"),
    ("progressive lengths range", lambda: bs.progressive_precision(W, 100, lengths=[0, 5]), ValueError,
     r"lengths must be integers in \[1, 100\]; got 0"),
    ("progressive lengths type", lambda: bs.progressive_precision(W, 100, lengths=[0.5]), TypeError,
     r"lengths must be a non-empty 1-d integer array; got \[0\.5\]"),
    ("se p", lambda: bs.binomial_standard_error(1.2, 10), ValueError, r"p must be in \[0\.0, 1\.0\]; got 1\.2"),
    ("se length", lambda: bs.binomial_standard_error(0.2, 0), ValueError, r"length must be integers >= 1; got 0"),
    ("se length float", lambda: bs.binomial_standard_error(0.2, 10.0), TypeError,
     r"length must be an integer or integer array; got float 10\.0"),
    ("required eps 0", lambda: bs.required_length(0, 0.1), ValueError, r"eps must be in \(0\.0, 1\.0\); got 0\.0"),
    ("required eps NaN", lambda: bs.required_length(float("nan"), 0.1), ValueError, r"eps must be finite; got nan"),
    ("required delta 1", lambda: bs.required_length(0.1, 1.0), ValueError,
     r"delta must be in \(0\.0, 1\.0\); got 1\.0"),
    ("required p", lambda: bs.required_length(0.1, 0.1, p=1.5), ValueError, r"p must be in \[0\.0, 1\.0\]; got 1\.5"),
    # mappings and packing
    ("to_unipolar", lambda: bs.to_unipolar(1.5), ValueError, r"x must be in \[-1\.0, 1\.0\]; got 1\.5"),
    ("to_bipolar", lambda: bs.to_bipolar(-0.1), ValueError, r"p must be in \[0\.0, 1\.0\]; got -0\.1"),
    ("pack non-binary", lambda: bs.pack(np.array([[0, 1], [3, 0]])), ValueError,
     r"bits must contain only 0 and 1; got 3 at index \(1, 0\)"),
]


@pytest.mark.parametrize(("call", "exc", "pattern"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_raises_with_message(call: Callable[[], Any], exc: type[Exception], pattern: str) -> None:
    with pytest.raises(exc, match=pattern):
        call()
