r"""Correlation control: circuits that *change* the correlation of stream pairs (private).

References
----------
V. T. Lee, A. Alaghi and L. Ceze, "Correlation manipulating circuits for
stochastic computing", DATE 2018 (synchronizer, desynchronizer, decorrelator /
shuffle buffer).  A. Alaghi and J. P. Hayes, "Exploiting correlation in
stochastic circuit design", ICCD 2013 (SCC; min / max / |a - b| with
correlated AND / OR / XOR; SCC-controlled generation from shared randomness).

Functions computed by one gate on a stream pair with SCC = +1 (the ones of
the sparser stream nested in the ones of the denser), with ``p``, ``q`` the
input values, exactly on the counts:

=========  =====  ===================  ================
function   gate   needs                output value
=========  =====  ===================  ================
min        AND    SCC = +1             ``min(p, q)``
max        OR     SCC = +1             ``max(p, q)``
abs diff   XOR    SCC = +1             ``|p - q|``
sat. add   OR     SCC = -1             ``min(1, p + q)``
=========  =====  ===================  ================
"""

from __future__ import annotations

from typing import Any

import numpy as np

from sc_neurocore._kernels._bitops import and_words, or_words
from sc_neurocore._kernels._correlation_control import (
    DESYNC,
    SYNC,
    pair_fsm_sliced,
    pair_fsm_tables,
    pair_fsm_words,
    scc_pair_hashed_words,
    scc_pair_words,
    shuffle_hashed_words,
    shuffle_sliced,
    shuffle_words,
    xor_words,
)
from sc_neurocore._rng import SeedLike, key_from_seed
from sc_neurocore._validation import check_int, check_unit_array

from ._gates import broadcast_words
from ._packing import check_length

__all__ = [
    "MAX_FSM_DEPTH",
    "correlated_pair",
    "decorrelate",
    "desynchronize",
    "sc_abs_diff",
    "sc_max",
    "sc_min",
    "sc_sat_add",
    "shuffle",
    "synchronize",
    "xor",
]

#: largest FSM depth of the (de)synchronizer
MAX_FSM_DEPTH = 64
#: from this many streams (pairs) on, the FSMs and the shuffle buffer run bit-sliced (64
#: streams per word; fewer would leave most lanes empty), below it one stream at a time
SLICED_MIN_STREAMS = 16


def _pair_fsm(kind: int, x: Any, y: Any, length: int, depth: int) -> tuple[np.ndarray, np.ndarray]:
    length = check_length(length)
    d = check_int(depth, "depth", low=1, high=MAX_FSM_DEPTH)
    (a, b), lead = broadcast_words({"x": x, "y": y}, length)
    if a.shape[0] >= SLICED_MIN_STREAMS:
        xo, yo = pair_fsm_sliced(kind, d, a, b, length)
    else:
        one, four = pair_fsm_tables(kind, d)
        init = np.full(a.shape[0], d if kind == SYNC else 0, dtype=np.int64)  # state 0
        xo, yo, _final = pair_fsm_words(a, b, one, four, init, length)
    shape = lead + (a.shape[1],)
    return xo.reshape(shape), yo.reshape(shape)


def synchronize(x: Any, y: Any, length: int, depth: int = 1) -> tuple[np.ndarray, np.ndarray]:
    r"""Synchronizer FSM (Lee, Alaghi & Ceze, DATE 2018): raise the SCC of each pair towards +1.

    Equal input bits pass.  An unpaired 1 (input ``1 0`` or ``0 1``) is paired
    with a 1 the other stream holds back, if any (output ``1 1``); otherwise
    it is held back (output ``0 0``), up to ``depth`` held ones; with the FSM
    full it passes unchanged.  State ``s`` in [-depth, depth], ``2 depth + 1``
    states.  Each output stream has at most as many ones as its input and at
    most ``depth`` fewer: the ones still held at the end,
    ``n_x - n_x' = max(s_L, 0)``, ``n_y - n_y' = max(-s_L, 0)``.

    Parameters
    ----------
    x, y : numpy.ndarray of uint64, shapes ``A + (W,)``, ``B + (W,)``
        Packed streams of ``length`` bits; leading axes broadcast.
    length : int
        Stream length in bits.
    depth : int
        Ones each stream may hold back, in [1, 64].

    Returns
    -------
    xo, yo : numpy.ndarray
        uint64, shape ``broadcast(A, B) + (W,)``.
    """
    return _pair_fsm(SYNC, x, y, length, depth)


def desynchronize(x: Any, y: Any, length: int, depth: int = 1) -> tuple[np.ndarray, np.ndarray]:
    r"""Desynchronizer FSM (Lee, Alaghi & Ceze, DATE 2018): lower the SCC of each pair towards -1.

    On ``1 1`` the one of ``x`` is held back (output ``0 1``) unless
    ``depth`` ones are already held; on ``0 0`` a held one is sent (output
    ``1 0``); ``1 0`` and ``0 1`` pass.  State ``s`` in [0, depth].  ``y`` is
    unchanged in count (``n_y' = n_y``); ``x`` loses the ``s_L <= depth`` ones
    held at the end.

    Parameters and returns as :func:`synchronize`.
    """
    return _pair_fsm(DESYNC, x, y, length, depth)


def shuffle(x: Any, index: Any, length: int, init: Any = 0) -> np.ndarray:
    r"""Shuffle buffer with explicit slot indices (the decorrelator of Lee, Alaghi & Ceze, DATE 2018).

    A buffer of ``K <= 64`` one-bit slots; in cycle ``t`` the output is slot
    ``index_t`` and the input bit replaces it.  The count is preserved up to
    the buffer contents: ``n_out = n_in + popcount(init) - popcount(final buffer)``,
    so ``|n_out - n_in| <= K``.

    Parameters
    ----------
    x : numpy.ndarray of uint64, shape ``S + (W,)``
        Packed streams of ``length`` bits.
    index : array_like of int, shape ``S + (length,)`` or ``(length,)``
        Slot read and written in each cycle, in [0, 63].
    length : int
        Stream length in bits.
    init : int or array_like of int
        Initial buffer contents (slot ``j`` = bit ``j``), in [0, 2^64 - 1]; broadcast to ``S``.

    Returns
    -------
    numpy.ndarray
        uint64, shape ``S + (W,)``.
    """
    length = check_length(length)
    (a,), lead = broadcast_words({"x": x}, length)
    idx = np.asarray(index)
    if idx.dtype == np.bool_ or not np.issubdtype(idx.dtype, np.integer):
        raise TypeError(f"index must be an array of integers; got dtype {idx.dtype}")
    if idx.shape[-1:] != (length,):
        raise ValueError(f"index must have last axis length = {length}; got shape {idx.shape}")
    if np.any((idx < 0) | (idx > 63)):
        raise ValueError(f"index must be integers in [0, 63]; got min {idx.min()}, max {idx.max()}")
    try:
        idx2 = np.ascontiguousarray(np.broadcast_to(idx, lead + (length,)), dtype=np.uint8)
    except ValueError:
        raise ValueError(f"index must broadcast to {lead + (length,)}; got shape {idx.shape}") from None
    ini = np.asarray(init)
    if ini.dtype == np.bool_ or not np.issubdtype(ini.dtype, np.integer):
        raise TypeError(f"init must be an integer or an array of integers; got dtype {ini.dtype}")
    if np.any(ini < 0):
        raise ValueError(f"init must be integers in [0, 2^64 - 1]; got min {ini.min()}")
    ini2 = np.ascontiguousarray(np.broadcast_to(ini.astype(np.uint64), lead)).reshape(-1)
    out, _buf = shuffle_words(a, idx2.reshape(-1, length), ini2, length)
    return out.reshape(lead + (a.shape[1],))


def decorrelate(x: Any, length: int, depth_bits: int = 3, seed: SeedLike = None) -> np.ndarray:
    r"""Decorrelate streams with a shuffle buffer of ``K = 2^depth_bits`` slots and random slot choice.

    The buffer starts empty; the slot of cycle ``t`` of stream ``i`` is drawn
    from the counter hash keyed by ``seed`` (stream ``i``, so a stream and its
    own copy come out different): its bit ``b`` is bit ``t mod 64`` of
    ``hash3(key, 8 i + b, t // 64)``.  From 16 streams on the buffer runs
    bit-sliced (64 streams per word), with the same output.  Each stream's count is kept within ``K``
    (:func:`shuffle`: ``0 <= n_in - n_out <= K``).  A bit leaves the buffer
    after a geometric delay of mean ``K`` cycles, so correlation over lags
    shorter than about ``K`` is broken; the buffer preserves the value, not
    independence in a strict sense (Lee, Alaghi & Ceze, DATE 2018).

    Parameters
    ----------
    x : numpy.ndarray of uint64, shape ``S + (W,)``
    length : int
    depth_bits : int
        ``log2 K`` in [1, 6].
    seed : None, int, SeedSequence or Generator

    Returns
    -------
    numpy.ndarray
        uint64, shape ``S + (W,)``.
    """
    length = check_length(length)
    m = check_int(depth_bits, "depth_bits", low=1, high=6)
    (a,), lead = broadcast_words({"x": x}, length)
    key = key_from_seed(seed)
    kernel = shuffle_sliced if a.shape[0] >= SLICED_MIN_STREAMS else shuffle_hashed_words
    out = kernel(a, key[0], key[1], m, length)
    return out.reshape(lead + (a.shape[1],))


def correlated_pair(
    p: Any, q: Any, scc: Any, length: int, *, width: int = 16, seed: SeedLike = None,
    randoms: Any = None,
) -> tuple[np.ndarray, np.ndarray]:
    r"""Stream pair with requested SCC from shared randomness (Alaghi & Hayes, ICCD 2013).

    Three ``width``-bit random numbers per cycle: ``r0`` drives ``x = r0 < P``;
    the partner is ``y = r0 < Q`` (``c >= 0``) or ``(2^w - 1 - r0) < Q``
    (``c < 0``) when ``r2 < C`` and ``y = r1 < Q`` otherwise, with
    ``P = round(p 2^w)``, ``Q = round(q 2^w)``, ``C = round(|c| 2^w)``.  With
    uniform independent ``r`` the joint one-density is the mixture
    :math:`E[x y] = |c|\,m + (1 - |c|)\,p q` with ``m = min(p, q)`` for
    ``c >= 0`` and ``m = max(0, p + q - 1)`` for ``c < 0``, i.e. SCC ``c`` in
    expectation; at ``c = +1`` / ``-1`` the measured SCC of the streams is
    exactly ``+1`` / ``-1`` (for non-constant streams).

    Parameters
    ----------
    p, q : float or array_like of float in [0, 1]
        Values; broadcast with ``scc`` to ``S``.
    scc : float or array_like of float in [-1, 1]
        Requested correlation.
    length : int
    width : int
        Random-number width w in [1, 32].
    seed : None, int, SeedSequence or Generator
        Keys the counter hash that gives the random numbers: pair ``i``,
        cycle ``t``: ``h1 = hash3(key, i, 2t)``, ``h2 = hash3(key, i, 2t + 1)``,
        ``r0`` = low ``w`` bits of ``h1``, ``r1`` = bits ``32 ..`` of ``h1``,
        ``r2`` = low ``w`` bits of ``h2``.
    randoms : array_like of int, shape ``S + (3, length)``, optional
        Explicit random numbers in [0, 2^w) (e.g. three LFSR sequences, to
        match ``hw_models.CorrelatedPairGenerator``); overrides ``seed``.

    Returns
    -------
    x, y : numpy.ndarray
        uint64, shape ``S + (ceil(length / 64),)``.
    """
    length = check_length(length)
    w = check_int(width, "width", low=1, high=32)
    pp = check_unit_array(p, "p")
    qq = check_unit_array(q, "q")
    cc = check_unit_array(scc, "scc", -1.0, 1.0)
    try:
        lead = np.broadcast_shapes(pp.shape, qq.shape, cc.shape)
    except ValueError:
        raise ValueError(
            f"p, q and scc must broadcast; got shapes {pp.shape}, {qq.shape}, {cc.shape}") from None
    scale = float(1 << w)
    thr = np.stack(np.broadcast_arrays(
        np.round(pp * scale), np.round(qq * scale), np.round(np.abs(cc) * scale),
        (cc < 0).astype(np.float64)), axis=-1).astype(np.int64).reshape(-1, 4)
    n = thr.shape[0]
    if randoms is None:
        key = key_from_seed(seed)
        xs, ys = scc_pair_hashed_words(key[0], key[1], thr, w, length)
    else:
        ra = np.asarray(randoms)
        if ra.dtype == np.bool_ or not np.issubdtype(ra.dtype, np.integer):
            raise TypeError(f"randoms must be an array of integers; got dtype {ra.dtype}")
        if ra.shape[-2:] != (3, length):
            raise ValueError(f"randoms must have shape S + (3, {length}); got {ra.shape}")
        if np.any((ra < 0) | (ra >= (1 << w))):
            raise ValueError(f"randoms must be integers in [0, {(1 << w) - 1}]; got min {ra.min()}, "
                             f"max {ra.max()}")
        try:
            r = np.ascontiguousarray(np.broadcast_to(ra, lead + (3, length)), dtype=np.uint32)
        except ValueError:
            raise ValueError(f"randoms must broadcast to {lead + (3, length)}; got {ra.shape}") from None
        xs, ys = scc_pair_words(r.reshape(n, 3, length), thr, w, length)
    return xs.reshape(lead + (xs.shape[-1],)), ys.reshape(lead + (ys.shape[-1],))


def xor(a: Any, b: Any) -> np.ndarray:
    r"""Bitwise XOR of packed streams; :math:`P = p + q - 2 P(a \wedge b)` (``|p - q|`` at SCC = +1).

    Parameters
    ----------
    a, b : numpy.ndarray of uint64, shapes ``A + (W,)``, ``B + (W,)``; leading axes broadcast.

    Returns
    -------
    numpy.ndarray
        uint64, shape ``broadcast(A, B) + (W,)``.
    """
    (x, y), lead = broadcast_words({"a": a, "b": b})
    return xor_words(x, y).reshape(lead + (x.shape[1],))


def sc_min(a: Any, b: Any) -> np.ndarray:
    """``min(p, q)``: AND of a pair with SCC = +1 (exact on the counts); else ``p q + SCC (min - p q)``."""
    (x, y), lead = broadcast_words({"a": a, "b": b})
    return and_words(x, y).reshape(lead + (x.shape[1],))


def sc_max(a: Any, b: Any) -> np.ndarray:
    """``max(p, q)``: OR of a pair with SCC = +1 (exact on the counts)."""
    (x, y), lead = broadcast_words({"a": a, "b": b})
    return or_words(x, y).reshape(lead + (x.shape[1],))


def sc_abs_diff(a: Any, b: Any) -> np.ndarray:
    """``|p - q|``: XOR of a pair with SCC = +1 (exact on the counts)."""
    return xor(a, b)


def sc_sat_add(a: Any, b: Any) -> np.ndarray:
    """``min(1, p + q)``: OR of a pair with SCC = -1 (exact on the counts)."""
    return sc_max(a, b)

