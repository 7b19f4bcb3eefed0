"""Value -> packed stream encoders: bernoulli, lfsr, sobol; unipolar/bipolar mappings (private).

Shapes: a value array of shape ``S`` gives packed streams of shape
``S + (n_words,)`` (uint64, LSB first, zero padding; conventions §1).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from sc_neurocore._kernels._bernoulli import bernoulli_words
from sc_neurocore._kernels._hash import prob_thresholds
from sc_neurocore._kernels._lfsr import lfsr_state_seq, lfsr_words
from sc_neurocore._kernels._sobol import sobol_points as _sobol_points_kernel
from sc_neurocore._kernels._sobol import sobol_words
from sc_neurocore._rng import SeedLike, key_from_seed
from sc_neurocore._taps import MAX_LFSR_WIDTH, MAXIMAL_TAPS, MIN_LFSR_WIDTH, tap_mask
from sc_neurocore._validation import check_bool, check_int, check_unit_array

from ._packing import check_length

__all__ = [
    "BERNOULLI_BITS",
    "SOBOL_BITS",
    "SOBOL_MAX_DIMENSION",
    "bernoulli",
    "check_lfsr_seeds",
    "check_taps",
    "check_width",
    "lfsr",
    "lfsr_states",
    "sobol",
    "sobol_direction_numbers",
    "sobol_points",
    "to_bipolar",
    "to_unipolar",
]

#: Comparator precision of :func:`bernoulli` and :func:`sobol` (bits).
BERNOULLI_BITS = 32
SOBOL_BITS = 32

# Joe & Kuo (2008) direction numbers, file new-joe-kuo-6.21201, dimensions 2..16
# (their numbering; our dimension d is their d + 1, and our dimension 0 is van der
# Corput): (degree s, coefficient word a, initial m_1..m_s).
_JOE_KUO: tuple[tuple[int, int, tuple[int, ...]], ...] = (
    (1, 0, (1,)),
    (2, 1, (1, 3)),
    (3, 1, (1, 3, 1)),
    (3, 2, (1, 1, 1)),
    (4, 1, (1, 1, 3, 3)),
    (4, 4, (1, 3, 5, 13)),
    (5, 2, (1, 1, 5, 5, 17)),
    (5, 4, (1, 1, 5, 5, 5)),
    (5, 7, (1, 1, 7, 11, 19)),
    (5, 11, (1, 1, 5, 1, 1)),
    (5, 13, (1, 1, 1, 3, 11)),
    (5, 14, (1, 3, 5, 5, 31)),
    (6, 1, (1, 3, 3, 9, 7, 49)),
    (6, 13, (1, 1, 1, 15, 21, 21)),
    (6, 16, (1, 3, 1, 13, 27, 49)),
)

#: Largest supported ``dimension`` of :func:`sobol`.
SOBOL_MAX_DIMENSION = len(_JOE_KUO)


def _thresholds(p: np.ndarray, bits: int) -> np.ndarray:
    """Comparator thresholds ``round(p * 2^bits)`` (round half to even, conventions §3), flat uint64."""
    return prob_thresholds(p, bits).reshape(-1)


def to_unipolar(x: Any) -> np.ndarray | float:
    r"""Bipolar value -> unipolar probability, :math:`p = (x + 1) / 2`.

    A bipolar stream represents :math:`x \in [-1, 1]` by the probability
    ``p`` of a 1; its product with another bipolar stream is their XNOR.
    Encode with e.g. ``bernoulli(to_unipolar(x), L)`` and decode with
    :func:`decode_bipolar`.

    Parameters
    ----------
    x : float or array_like
        Values in [-1, 1].

    Returns
    -------
    float or numpy.ndarray
        Probabilities in [0, 1] (float for scalar input).
    """
    arr = check_unit_array(x, "x", -1.0, 1.0)
    p = (arr + 1.0) / 2.0
    return float(p) if p.ndim == 0 else p


def to_bipolar(p: Any) -> np.ndarray | float:
    r"""Unipolar probability -> bipolar value, :math:`x = 2p - 1`.

    Parameters
    ----------
    p : float or array_like
        Probabilities in [0, 1].

    Returns
    -------
    float or numpy.ndarray
        Values in [-1, 1] (float for scalar input).
    """
    arr = check_unit_array(p, "p")
    x = 2.0 * arr - 1.0
    return float(x) if x.ndim == 0 else x


def bernoulli(p: Any, length: int, seed: SeedLike = None, stream_offset: int = 0) -> np.ndarray:
    r"""Independent Bernoulli streams from a counter-based PRNG (bit-sliced comparator).

    Each bit is 1 with probability :math:`T / 2^{32}`, :math:`T = \mathrm{round}(p\,2^{32})`,
    so the quantisation error of the probability is at most :math:`2^{-33}`.
    Stream ``i`` (flat, C-order index into ``p``) uses stream index
    ``stream_offset + i`` of the counter hash keyed by ``seed`` (conventions §3):
    word ``w`` of it depends only on ``(seed, stream_offset + i, w)``, so any
    word can be produced on its own and the same seed gives the same bits on
    every machine.  Different stream indices are independent streams.

    The decoded mean of a stream has standard error
    :math:`\sqrt{p(1-p)/L}` (see :func:`binomial_standard_error`).

    Parameters
    ----------
    p : float or array_like, shape ``S``
        Probabilities of a 1, in [0, 1].
    length : int
        Stream length ``L`` in bits (clock cycles), >= 1.
    seed : None, int, numpy.random.SeedSequence or numpy.random.Generator
        Keys the hash via ``default_rng(seed)``.  None draws fresh entropy.
    stream_offset : int
        First stream index (>= 0); lets separate calls with one seed produce
        independent streams.

    Returns
    -------
    numpy.ndarray
        uint64, shape ``S + (ceil(L / 64),)``.

    Raises
    ------
    TypeError, ValueError
        For a non-numeric, NaN/inf or out-of-range ``p``, ``length < 1``,
        negative ``stream_offset`` or a bad seed.
    """
    arr = check_unit_array(p, "p")
    length = check_length(length)
    stream_offset = check_int(stream_offset, "stream_offset", low=0, high=2**63 - 1 - max(arr.size, 1))
    k = key_from_seed(seed)
    nw = (length + 63) // 64
    out = bernoulli_words(_thresholds(arr, BERNOULLI_BITS), nw, length, k[0], k[1], stream_offset)
    return out.reshape(arr.shape + (nw,))


def check_width(width: Any) -> int:
    """LFSR width as an int in [3, 32], or raise."""
    return check_int(width, "width", low=MIN_LFSR_WIDTH, high=MAX_LFSR_WIDTH)


def tap_values(taps: Any) -> list[int]:
    """The entries of a tap sequence as Python ints (in the given order), or a TypeError naming ``taps``."""
    if isinstance(taps, (str, bytes)) or not isinstance(taps, (Sequence, np.ndarray)):
        raise TypeError(f"taps must be a sequence of ints; got {type(taps).__name__} {taps!r}")
    vals = []
    for t in taps:
        if isinstance(t, (bool, np.bool_)) or not isinstance(t, (int, np.integer)):
            raise TypeError(f"taps must be a sequence of ints; got {taps!r}")
        vals.append(int(t))
    return vals


def check_taps(width: int, taps: Sequence[int] | None) -> tuple[int, ...]:
    """Validated tap tuple ``(width, t2, t3, ...)`` (descending) for a maximal-length LFSR.

    None gives ``MAXIMAL_TAPS[width]``.  Any other tap set must contain
    ``width`` (otherwise the register map is not invertible), have entries in
    [1, width] without repeats, and give a maximal-length sequence (primitive
    feedback polynomial, see :func:`is_maximal_taps`).
    """
    if taps is None:
        return MAXIMAL_TAPS[width]
    vals = tap_values(taps)
    t_sorted = tuple(sorted(set(vals), reverse=True))
    if len(t_sorted) != len(vals) or not vals or t_sorted[-1] < 1 or t_sorted[0] != width:
        raise ValueError(
            f"taps must be distinct integers in [1, {width}] including the width {width}; got {tuple(vals)}"
        )
    from ._metrics import _primitive

    if not _primitive(width, t_sorted):
        raise ValueError(
            f"taps must be a maximal-length tap set for width {width} "
            f"(e.g. {MAXIMAL_TAPS[width]}); got {tuple(vals)}"
        )
    return t_sorted


def check_lfsr_seeds(seed: Any, width: int, shape: tuple[int, ...]) -> np.ndarray:
    """Seeds broadcast to ``shape`` as a flat uint64 array, each in [1, 2^width - 1]."""
    hi = (1 << width) - 1
    if isinstance(seed, (int, np.integer)) and not isinstance(seed, (bool, np.bool_)):
        s = check_int(seed, "seed", low=1, high=hi)
        return np.full(int(np.prod(shape, dtype=np.int64)), s, dtype=np.uint64)
    arr = np.asarray(seed)
    if arr.dtype == np.bool_ or not np.issubdtype(arr.dtype, np.integer):
        raise TypeError(f"seed must be an integer or an integer array; got {type(seed).__name__} {seed!r}")
    bad = (arr < 1) | (arr > hi)
    if bad.any():
        idx = tuple(int(i) for i in np.argwhere(bad)[0])
        raise ValueError(
            f"seed must be integers in [1, {hi}] (nonzero {width}-bit states); got {arr[idx]} at index {idx}"
        )
    try:
        b = np.broadcast_to(arr, shape)
    except ValueError:
        raise ValueError(f"seed must broadcast to the shape of p {shape}; got shape {arr.shape}") from None
    return np.ascontiguousarray(b.reshape(-1).astype(np.uint64))


def lfsr(
    p: Any,
    length: int,
    width: int = 16,
    seed: Any = 1,
    taps: Sequence[int] | None = None,
    zero_state: bool = False,
) -> np.ndarray:
    r"""Streams of an ``width``-bit Fibonacci LFSR and a ``<`` comparator, as hardware builds them.

    Register (shift-left Fibonacci, conventions §3): ``fb = parity(state & tap_mask)``,
    ``state' = ((state << 1) | fb) mod 2^n``, ``state_0 = seed``.  Bit ``t``
    is ``state_t < X`` with :math:`X = \mathrm{round}(p\,2^n) \in [0, 2^n]`.

    Over one full period :math:`2^n - 1` the states are :math:`1 .. 2^n - 1`
    once each, so the number of ones is exactly :math:`\max(X - 1, 0)` and
    the density :math:`(X-1)/(2^n-1)`.  With ``zero_state=True`` the state 0
    is inserted after :math:`10\ldots0` (feedback flipped when the low
    :math:`n-1` bits are 0), the period is :math:`2^n` and the count is
    exactly :math:`X`, density :math:`X/2^n`.  Over whole periods the error
    is therefore deterministic and :math:`O(2^{-n})`; a stream shorter than a
    period is a window of a pseudo-random sequence whose consecutive states
    are correlated (:math:`s_{t+1} \approx 2 s_t \bmod 2^n`), and its error is
    then somewhat *larger* than the binomial :math:`\sqrt{p(1-p)/L}` (about
    1.5x for n = 16, L = 1024, p = 0.3).  Streams of one register with equal
    seeds are maximally correlated (SCC = 1).

    Parameters
    ----------
    p : float or array_like, shape ``S``
        Probabilities in [0, 1].
    length : int
        Stream length in bits, >= 1.
    width : int
        Register width ``n`` in [3, 32].
    seed : int or array_like of int
        Initial state(s) in [1, 2^n - 1]; an array is broadcast to ``S``
        (one register per stream).
    taps : sequence of int, optional
        Feedback taps ``(n, t2, ...)``; default ``MAXIMAL_TAPS[n]``.  Must be maximal-length.
    zero_state : bool
        Insert the all-zero state (period 2^n).

    Returns
    -------
    numpy.ndarray
        uint64, shape ``S + (ceil(L / 64),)``.
    """
    arr = check_unit_array(p, "p")
    length = check_length(length)
    width = check_width(width)
    t = check_taps(width, taps)
    zero_state = check_bool(zero_state, "zero_state")
    seeds = check_lfsr_seeds(seed, width, arr.shape)
    nw = (length + 63) // 64
    out = lfsr_words(
        _thresholds(arr, width), seeds, width, np.uint64(tap_mask(t)), bool(zero_state), nw, length
    )
    return out.reshape(arr.shape + (nw,))


def lfsr_states(
    length: int,
    width: int = 16,
    seed: Any = 1,
    taps: Sequence[int] | None = None,
    zero_state: bool = False,
) -> np.ndarray:
    """Register contents ``state_0 .. state_{L-1}`` of the LFSR used by :func:`lfsr`.

    Parameters
    ----------
    length : int
        Number of cycles, >= 1.
    width, taps, zero_state
        As in :func:`lfsr`.
    seed : int or array_like of int
        Initial state(s) in [1, 2^n - 1]; an array of shape ``S`` gives one
        register per entry.

    Returns
    -------
    numpy.ndarray
        uint32, shape ``(length,)`` for an int seed, ``S + (length,)`` for an array.
    """
    length = check_length(length)
    width = check_width(width)
    t = check_taps(width, taps)
    zero_state = check_bool(zero_state, "zero_state")
    shape: tuple[int, ...] = () if isinstance(seed, (int, np.integer)) else np.shape(seed)
    seeds = check_lfsr_seeds(seed, width, shape)
    out = lfsr_state_seq(seeds, width, np.uint64(tap_mask(t)), bool(zero_state), length)
    return out.reshape(shape + (length,))


def _check_sobol_length(length: Any) -> int:
    """Stream length for a Sobol encoder: at most the 2^32 points of the 32-bit sequence."""
    length = check_length(length)
    if length > 2**SOBOL_BITS:
        raise ValueError(
            f"length must be an integer in [1, {2**SOBOL_BITS}] (a {SOBOL_BITS}-bit Sobol sequence "
            f"has 2^{SOBOL_BITS} points); got {length}"
        )
    return length


def sobol_direction_numbers(dimension: int) -> np.ndarray:
    """The 32 direction integers ``v_1 .. v_32`` of a Sobol dimension (uint64, 32-bit values).

    Dimension 0 is van der Corput (``v_i = 2^(32 - i)``); dimension ``d >= 1``
    uses the Joe-Kuo (2008) primitive polynomial and initial numbers of their
    dimension ``d + 1`` with the recurrence
    ``m_i = 2 a_1 m_{i-1} ^ 4 a_2 m_{i-2} ^ ... ^ 2^s m_{i-s} ^ m_{i-s}``,
    ``v_i = m_i 2^(32 - i)``.
    """
    dimension = check_int(dimension, "dimension", low=0, high=SOBOL_MAX_DIMENSION)
    bits = SOBOL_BITS
    if dimension == 0:
        m = [1] * bits
    else:
        s, a, m0 = _JOE_KUO[dimension - 1]
        m = list(m0)
        for i in range(s, bits):
            new = m[i - s] ^ (m[i - s] << s)
            for k in range(1, s):
                if (a >> (s - 1 - k)) & 1:
                    new ^= m[i - k] << k
            m.append(new)
    return np.array([m[i] << (bits - 1 - i) for i in range(bits)], dtype=np.uint64)


def sobol(p: Any, length: int, dimension: int = 0, skip: int = 0) -> np.ndarray:
    r"""Low-discrepancy streams: a Sobol sequence (Gray-code order) and a ``<`` comparator.

    Points are 32-bit integers ``x_0 = 0``, ``x_{k+1} = x_k XOR v_{c(k)}``
    (``c(k)``: index of the lowest zero bit of ``k``; Antonov-Saleev Gray-code
    order); bit ``t`` is :math:`x_{\mathrm{skip}+t} < \mathrm{round}(p\,2^{32})`.
    Every aligned block of :math:`2^m` points holds each interval
    :math:`[j 2^{-m}, (j+1) 2^{-m})` exactly once, so the decoded value of a
    stream of length :math:`L` has error :math:`O(\log L / L)` (at most
    :math:`1/L` for a power-of-two ``L`` from ``skip = 0``, plus the
    :math:`2^{-33}` quantisation), instead of the :math:`1/\sqrt{L}` of
    :func:`bernoulli`.  The sequence is deterministic (no seed); all streams
    of one dimension share the points, so they are maximally correlated:
    use different dimensions for operands that are multiplied.

    Parameters
    ----------
    p : float or array_like, shape ``S``
        Probabilities in [0, 1].
    length : int
        Stream length in bits, >= 1.
    dimension : int
        Sobol dimension in [0, SOBOL_MAX_DIMENSION]; 0 is van der Corput base 2.
    skip : int
        Index of the first point used (>= 0; ``skip + length <= 2^32``).

    Returns
    -------
    numpy.ndarray
        uint64, shape ``S + (ceil(L / 64),)``.
    """
    arr = check_unit_array(p, "p")
    length = _check_sobol_length(length)
    v = sobol_direction_numbers(dimension)
    skip = check_int(skip, "skip", low=0, high=2**SOBOL_BITS - length)
    nw = (length + 63) // 64
    out = sobol_words(_thresholds(arr, SOBOL_BITS), v, skip, nw, length)
    return out.reshape(arr.shape + (nw,))



def sobol_points(length: int, dimension: int = 0, skip: int = 0) -> np.ndarray:
    """The 32-bit Sobol points ``x_skip .. x_{skip + length - 1}`` that :func:`sobol` compares against.

    Gray-code order, ``x_k / 2^32`` in [0, 1).  Parameters as in :func:`sobol`.

    Returns
    -------
    numpy.ndarray
        uint64 (values < 2^32), shape ``(length,)``.
    """
    length = _check_sobol_length(length)
    v = sobol_direction_numbers(dimension)
    skip = check_int(skip, "skip", low=0, high=2**SOBOL_BITS - length)
    return _sobol_points_kernel(v, skip, length)
