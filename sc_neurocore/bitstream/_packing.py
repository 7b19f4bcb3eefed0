"""Packing 0/1 bits into uint64 words and back; shared input checks for packed streams (private).

Bit order (conventions §1): bit ``t`` of a stream lives in word ``t // 64`` at
bit position ``t % 64``, LSB first; the unused high bits of the last word are 0.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from sc_neurocore._kernels._bitops import bits_at_words, pack_bits, unpack_words
from sc_neurocore._validation import check_binary_array, check_count, check_int

__all__ = [
    "bits_at", "check_length", "check_words", "n_words", "pack", "pack_checked", "tail_mask", "unpack",
]

WORD_BITS = 64
_UINT64 = np.dtype(np.uint64)


def check_length(length: Any, name: str = "length") -> int:
    """``length`` as an int in [1, MAX_COUNT] (2^40), or raise."""
    return check_count(length, name, low=1)


def n_words(length: int) -> int:
    """Number of uint64 words holding a stream of ``length`` bits, ``ceil(length / 64)``.

    Parameters
    ----------
    length : int
        Stream length in bits (clock cycles), >= 1.

    Returns
    -------
    int
        ``(length + 63) // 64``.

    Examples
    --------
    >>> n_words(64), n_words(65)
    (1, 2)
    """
    length = check_length(length)
    return (length + WORD_BITS - 1) // WORD_BITS


def tail_mask(length: int) -> int:
    """Mask of the valid bit positions of the last word of a ``length``-bit stream (as a Python int)."""
    r = length % WORD_BITS
    return (1 << WORD_BITS) - 1 if r == 0 else (1 << r) - 1


def check_words(
    words: Any, name: str, length: int | None = None, *, check_padding: bool = True
) -> np.ndarray:
    """Validate a packed-stream array: uint64, ndim >= 1, C-contiguous copy if needed.

    With ``length`` given, the last axis must have ``n_words(length)`` entries
    and (when ``check_padding``) the padding bits of the last word must be 0.
    """
    arr = words if type(words) is np.ndarray else np.asarray(words)
    if arr.dtype != _UINT64:
        raise TypeError(
            f"{name} must be a uint64 array of packed streams (see bitstream.pack); got dtype {arr.dtype}"
        )
    if arr.ndim == 0:
        raise ValueError(f"{name} must have at least one axis (the word axis); got a 0-d array")
    if arr.shape[-1] == 0:
        raise ValueError(f"{name} must have a non-empty word axis; got shape {arr.shape}")
    if length is not None:
        nw = (length + WORD_BITS - 1) // WORD_BITS
        if arr.shape[-1] != nw:
            raise ValueError(
                f"{name} must have last axis n_words(length) = {nw} for length {length}; "
                f"got shape {arr.shape}"
            )
        last = arr[..., -1]
        mask = tail_mask(length)
        # the padding bits are the high bits: one is set iff a last word exceeds the mask
        # (one max reduction instead of an AND, a compare and an any)
        if check_padding and length % WORD_BITS and last.size and int(last.max()) > mask:
            idx = tuple(int(i) for i in np.argwhere(last > np.uint64(mask))[0]) if arr.ndim > 1 else ()
            where = f" of stream {idx}" if idx else ""
            raise ValueError(
                f"{name} must have zero padding bits (positions >= {length % WORD_BITS}) "
                f"in its last word; got last word {int(last[idx]):#x}{where}"
            )
    # gates call this on every operand: already-valid arrays pass through without a copy or
    # any numpy call beyond attribute reads (issue #9 section 2: re-validation must be ~free)
    return arr if arr.flags.c_contiguous else np.ascontiguousarray(arr)


def pack(bits: Any) -> np.ndarray:
    """Pack 0/1 bits along the last axis into uint64 words, LSB first.

    Parameters
    ----------
    bits : array_like of bool or int, shape ``S + (L,)``
        Bit ``t`` of each stream along the last axis; ``L >= 1``.

    Returns
    -------
    numpy.ndarray
        uint64, shape ``S + (ceil(L / 64),)``: bit ``t`` is bit ``t % 64`` of
        word ``t // 64``; bits ``L % 64 .. 63`` of the last word are 0.

    Raises
    ------
    TypeError
        If ``bits`` is not bool or integer.
    ValueError
        If an entry is not 0 or 1, or the last axis is empty / missing.
    """
    shape = np.shape(bits)
    arr = check_binary_array(bits, "bits").reshape(shape)
    if arr.ndim == 0 or arr.shape[-1] == 0:
        raise ValueError(f"bits must have a non-empty last axis (the time axis); got shape {arr.shape}")
    return pack_checked(arr)


def pack_checked(arr: np.ndarray) -> np.ndarray:
    """:func:`pack` of an array already checked: ``check_binary_array`` output, non-empty last axis.

    For callers that validated the bits under their own parameter name (a second
    0/1 check would read the whole array again).
    """
    length = arr.shape[-1]
    lead = arr.shape[:-1]
    out = pack_bits(np.ascontiguousarray(arr.reshape(-1, length)), (length + 63) // 64)
    return out.reshape(lead + (out.shape[1],))


def unpack(words: Any, length: int) -> np.ndarray:
    """Unpack uint64 words into ``length`` 0/1 bits (uint8) along the last axis.

    Parameters
    ----------
    words : numpy.ndarray of uint64, shape ``S + (ceil(length / 64),)``
        Packed streams (zero padding in the last word).
    length : int
        Stream length in bits, >= 1.

    Returns
    -------
    numpy.ndarray
        uint8 0/1, shape ``S + (length,)``.
    """
    length = check_length(length)
    arr = check_words(words, "words", length)
    lead = arr.shape[:-1]
    out = unpack_words(arr.reshape(-1, arr.shape[-1]), length)
    return out.reshape(lead + (length,))


def bits_at(words: Any, t: int, length: int) -> np.ndarray:
    """The bit of clock cycle ``t`` of every stream (one time step of a packed simulation).

    Parameters
    ----------
    words : numpy.ndarray of uint64, shape ``S + (ceil(length / 64),)``
    t : int
        Cycle index in [0, length - 1].
    length : int
        Stream length in bits.

    Returns
    -------
    numpy.ndarray
        uint8 0/1, shape ``S``.
    """
    length = check_length(length)
    t = check_int(t, "t", low=0, high=length - 1)
    arr = check_words(words, "words", length, check_padding=False)
    lead = arr.shape[:-1]
    return bits_at_words(arr.reshape(-1, arr.shape[-1]), t).reshape(lead)
