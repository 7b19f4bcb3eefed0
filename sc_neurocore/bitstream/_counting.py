"""Counting and decoding packed streams; parallel counter and MUX scaled addition (private)."""

from __future__ import annotations

from typing import Any

import numpy as np

from sc_neurocore._kernels._bitops import (
    and_popcount_rows,
    mux_add_words,
    parallel_count_words,
    popcount_rows,
)
from sc_neurocore._rng import SeedLike, key_from_seed

from ._gates import broadcast_words
from ._packing import check_length, check_words

__all__ = ["and_popcount", "decode", "decode_bipolar", "mux_add", "parallel_count", "popcount"]


def _out(arr: np.ndarray) -> Any:
    """Plain Python scalar for a 0-d result, else the array."""
    return arr.item() if arr.ndim == 0 else arr


def _counts(x: np.ndarray) -> np.ndarray:
    """Ones per stream of validated packed words, shape ``x.shape[:-1]``."""
    return popcount_rows(x.reshape(-1, x.shape[-1])).reshape(x.shape[:-1])


def popcount(words: Any) -> Any:
    """Number of ones in each packed stream.

    Relies on the padding invariant (padding bits are 0), so no length is needed.

    Parameters
    ----------
    words : numpy.ndarray of uint64, shape ``S + (W,)``

    Returns
    -------
    int or numpy.ndarray
        int64 counts of shape ``S`` (a Python int for a single stream).
    """
    return _out(_counts(check_words(words, "words")))


def decode(words: Any, length: int) -> Any:
    r"""Unipolar estimate :math:`\hat p = (\text{ones}) / L` of each stream.

    Parameters
    ----------
    words : numpy.ndarray of uint64, shape ``S + (ceil(L / 64),)``
    length : int
        Stream length ``L`` in bits.

    Returns
    -------
    float or numpy.ndarray
        float64 of shape ``S`` (a float for a single stream).
    """
    length = check_length(length)
    return _out(_counts(check_words(words, "words", length)) / float(length))


def decode_bipolar(words: Any, length: int) -> Any:
    r"""Bipolar estimate :math:`\hat x = 2\hat p - 1` of each stream.

    Parameters
    ----------
    words : numpy.ndarray of uint64, shape ``S + (ceil(L / 64),)``
    length : int
        Stream length ``L`` in bits.

    Returns
    -------
    float or numpy.ndarray
        Values in [-1, 1], shape ``S`` (a float for a single stream).
    """
    p = decode(words, length)
    return 2.0 * p - 1.0


def and_popcount(a: Any, b: Any) -> Any:
    """Ones of ``a AND b`` per stream, fused (no temporary stream array).

    Parameters
    ----------
    a, b : numpy.ndarray of uint64, shapes ``A + (W,)``, ``B + (W,)``
        Packed streams; leading axes broadcast.

    Returns
    -------
    int or numpy.ndarray
        int64 counts of shape ``broadcast(A, B)``.
    """
    x = check_words(a, "a")
    y = check_words(b, "b")
    if x.shape == y.shape:
        # no broadcasting: views only, so the checks cost ~1 us on top of the kernel (the
        # popcount of 2^22-bit streams takes ~9 us; issue #9 section 2)
        lead = x.shape[:-1]
        flat = (-1, x.shape[-1])
        counts = and_popcount_rows(x.reshape(flat), y.reshape(flat))
    else:
        (x, y), lead = broadcast_words({"a": x, "b": y})
        counts = and_popcount_rows(x, y)
    return counts.item() if not lead else counts.reshape(lead)


def parallel_count(words: Any, length: int) -> np.ndarray:
    r"""Accumulative parallel counter: per cycle, the number of streams that are 1.

    :math:`c_t = \sum_i b_i[t]`, computed word-parallel with a bit-sliced
    (vertical) adder; the expected value is :math:`\sum_i p_i`.

    Parameters
    ----------
    words : numpy.ndarray of uint64, shape ``B + (N, ceil(L / 64))``
        ``N`` streams per batch entry (a 1-D array is one stream).
    length : int
        Stream length ``L`` in bits.

    Returns
    -------
    numpy.ndarray
        int32 counts in [0, N], shape ``B + (L,)``.
    """
    length = check_length(length)
    x = check_words(words, "words", length)
    shp: tuple[int, ...] = tuple(x.shape) if x.ndim > 1 else (1, x.shape[0])
    lead = shp[:-2]
    nb = int(np.prod(lead, dtype=np.int64))
    flat = x.reshape((nb, shp[-2], shp[-1]))
    out = np.empty((nb, length), dtype=np.int32)
    for i in range(nb):
        out[i] = parallel_count_words(np.ascontiguousarray(flat[i]), length)
    return out.reshape(lead + (length,))


def mux_add(words: Any, length: int, seed: SeedLike = None) -> np.ndarray:
    r"""MUX scaled addition of ``k`` streams: per cycle copy the bit of one input chosen uniformly.

    Output bit ``t`` of output stream ``s`` is input ``i = floor(h k / 2^64)``
    with ``h = hash3(k0, k1, s, t)`` under the key of ``seed`` (an exactly
    uniform choice up to ``k / 2^64``).  For a select independent of the inputs
    :math:`P = \frac{1}{k}\sum_i p_i`: the scaled sum, with no overflow, at
    the cost of a variance of a Bernoulli of that mean.

    Parameters
    ----------
    words : numpy.ndarray of uint64, shape ``(k,) + S + (ceil(L / 64),)``
        The ``k >= 1`` inputs along axis 0.
    length : int
        Stream length in bits.
    seed : None, int, SeedSequence or Generator
        Keys the select sequence.

    Returns
    -------
    numpy.ndarray
        uint64, shape ``S + (ceil(L / 64),)``.
    """
    length = check_length(length)
    x = check_words(words, "words", length)
    if x.ndim < 2:
        raise ValueError(
            f"words must have shape (k, ..., n_words) with the k inputs on axis 0; got shape {x.shape}"
        )
    k = x.shape[0]
    if k >= 2**32:
        raise ValueError(f"words must have fewer than 2^32 inputs on axis 0; got {k}")
    key = key_from_seed(seed)
    lead = x.shape[1:-1]
    flat = np.ascontiguousarray(x.reshape((k, -1, x.shape[-1])))
    return mux_add_words(flat, length, key[0], key[1]).reshape(lead + (x.shape[-1],))
