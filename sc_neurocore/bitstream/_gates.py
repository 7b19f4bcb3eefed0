"""Logic gates on packed streams, batched over leading axes with broadcasting (private).

Unipolar multiplication is AND, bipolar multiplication is XNOR, scaled
addition is MUX.  NOT and XNOR clear the padding bits of the last word, so
the padding invariant (conventions §1) holds for every output.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from sc_neurocore._kernels._bitops import (
    and_reduce_words,
    and_words,
    mux_words,
    not_words,
    or_reduce_words,
    or_words,
    xnor_words,
)

from ._packing import check_length, check_words

__all__ = [
    "and_",
    "and_reduce",
    "broadcast_words",
    "mux",
    "not_",
    "or_",
    "or_reduce",
    "sc_and",
    "sc_xnor",
    "xnor",
]


def broadcast_words(
    named: dict[str, Any], length: int | None = None
) -> tuple[list[np.ndarray], tuple[int, ...]]:
    """Validate packed arrays (``check_words`` with their names and ``length``) and broadcast them
    over their leading axes; return 2-D C-contiguous views and the lead shape."""
    names = list(named)
    arrays = [check_words(a, n, length) for n, a in named.items()]
    shape0 = arrays[0].shape
    if all(a.shape == shape0 for a in arrays):  # common case: no broadcasting, views only
        return [a.reshape(-1, shape0[-1]) for a in arrays], shape0[:-1]
    nws = {a.shape[-1] for a in arrays}
    if len(nws) != 1:
        shapes = ", ".join(f"{n} {a.shape}" for n, a in zip(names, arrays, strict=True))
        raise ValueError(
            f"{' and '.join(names)} must have the same number of words (last axis); got {shapes}"
        )
    nw = nws.pop()
    try:
        lead = np.broadcast_shapes(*(a.shape[:-1] for a in arrays))
    except ValueError:
        shapes = ", ".join(f"{n} {a.shape}" for n, a in zip(names, arrays, strict=True))
        raise ValueError(
            f"{' and '.join(names)} must have broadcast-compatible leading axes; got {shapes}"
        ) from None
    full = lead + (nw,)
    # Copy only the arrays that really broadcast: np.broadcast_to of a full-shape array is a read-only
    # view, and read-only arguments make numba compile every gate kernel a second time.
    out = [(a if a.shape == full else np.ascontiguousarray(np.broadcast_to(a, full))).reshape(-1, nw)
           for a in arrays]
    return out, lead


def and_(a: Any, b: Any) -> np.ndarray:
    """Bitwise AND of packed streams: the unipolar SC product, :math:`P = p_a p_b` for independent inputs.

    Parameters
    ----------
    a, b : numpy.ndarray of uint64, shapes ``A + (W,)``, ``B + (W,)``
        Packed streams; the leading axes broadcast.

    Returns
    -------
    numpy.ndarray
        uint64, shape ``broadcast(A, B) + (W,)``.
    """
    (x, y), lead = broadcast_words({"a": a, "b": b})
    return and_words(x, y).reshape(lead + (x.shape[1],))


def or_(a: Any, b: Any) -> np.ndarray:
    """Bitwise OR of packed streams, :math:`P = p_a + p_b - p_a p_b` for independent inputs.

    Parameters
    ----------
    a, b : numpy.ndarray of uint64, shapes ``A + (W,)``, ``B + (W,)``
        Packed streams; the leading axes broadcast.

    Returns
    -------
    numpy.ndarray
        uint64, shape ``broadcast(A, B) + (W,)``.
    """
    (x, y), lead = broadcast_words({"a": a, "b": b})
    return or_words(x, y).reshape(lead + (x.shape[1],))


def xnor(a: Any, b: Any, length: int) -> np.ndarray:
    r"""Bitwise XNOR of packed streams: the bipolar SC product.

    For independent bipolar inputs :math:`x_a = 2p_a - 1`, :math:`x_b = 2p_b - 1`
    the output has :math:`2P - 1 = x_a x_b`.  Padding bits beyond ``length``
    are cleared.

    Parameters
    ----------
    a, b : numpy.ndarray of uint64, shapes ``A + (W,)``, ``B + (W,)``
        Packed streams, ``W = ceil(length / 64)``; the leading axes broadcast.
    length : int
        Stream length in bits.

    Returns
    -------
    numpy.ndarray
        uint64, shape ``broadcast(A, B) + (W,)``.
    """
    length = check_length(length)
    (x, y), lead = broadcast_words({"a": a, "b": b}, length)
    return xnor_words(x, y, length).reshape(lead + (x.shape[1],))


def not_(a: Any, length: int) -> np.ndarray:
    """Bitwise NOT of packed streams (:math:`P = 1 - p`); padding bits stay 0.

    Parameters
    ----------
    a : numpy.ndarray of uint64, shape ``S + (ceil(length / 64),)``
    length : int
        Stream length in bits.

    Returns
    -------
    numpy.ndarray
        uint64, same shape as ``a``.
    """
    length = check_length(length)
    x = check_words(a, "a", length)
    return not_words(x.reshape(-1, x.shape[-1]), length).reshape(x.shape)


def mux(a: Any, b: Any, sel: Any) -> np.ndarray:
    r"""Per-cycle 2:1 multiplexer: bit ``t`` is ``b[t]`` where ``sel[t] = 1``, else ``a[t]``.

    With a select stream of probability :math:`s` independent of the inputs,
    :math:`P = (1 - s) p_a + s p_b`; :math:`s = 1/2` gives the scaled sum
    :math:`(p_a + p_b)/2`.

    Parameters
    ----------
    a, b, sel : numpy.ndarray of uint64, shapes ``A + (W,)``, ``B + (W,)``, ``C + (W,)``
        Packed streams; leading axes broadcast.

    Returns
    -------
    numpy.ndarray
        uint64, shape ``broadcast(A, B, C) + (W,)``.
    """
    (x, y, s), lead = broadcast_words({"a": a, "b": b, "sel": sel})
    return mux_words(x, y, s).reshape(lead + (x.shape[1],))


def sc_and(a: Any, b: Any) -> np.ndarray:
    """Unipolar SC multiplication: alias of :func:`and_` (same parameters and result)."""
    return and_(a, b)


def sc_xnor(a: Any, b: Any, length: int) -> np.ndarray:
    """Bipolar SC multiplication: alias of :func:`xnor` (same parameters and result)."""
    return xnor(a, b, length)


def _reduce(words: Any, name: str) -> tuple[np.ndarray, tuple[int, ...]]:
    x = check_words(words, name)
    if x.ndim < 2:
        raise ValueError(
            f"{name} must have shape (k, ..., n_words) with the k inputs on axis 0; got shape {x.shape}"
        )
    lead = tuple(x.shape[1:-1])
    return np.ascontiguousarray(x.reshape((x.shape[0], -1, x.shape[-1]))), lead


def or_reduce(words: Any) -> np.ndarray:
    r"""OR of the ``k`` streams on axis 0, cycle by cycle (a k-input OR gate).

    For independent inputs :math:`P = 1 - \prod_i (1 - p_i)`: the saturating
    accumulation of SC current sources.

    Parameters
    ----------
    words : numpy.ndarray of uint64, shape ``(k,) + S + (W,)``

    Returns
    -------
    numpy.ndarray
        uint64, shape ``S + (W,)``.
    """
    x, lead = _reduce(words, "words")
    return or_reduce_words(x).reshape(lead + (x.shape[-1],))


def and_reduce(words: Any) -> np.ndarray:
    r"""AND of the ``k`` streams on axis 0, cycle by cycle; :math:`P = \prod_i p_i` for independent inputs.

    Parameters
    ----------
    words : numpy.ndarray of uint64, shape ``(k,) + S + (W,)``

    Returns
    -------
    numpy.ndarray
        uint64, shape ``S + (W,)``.
    """
    x, lead = _reduce(words, "words")
    return and_reduce_words(x).reshape(lead + (x.shape[-1],))
