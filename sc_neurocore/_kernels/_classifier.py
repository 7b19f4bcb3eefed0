"""SC classifier kernels: one dense layer phase on packed streams, for many images (private).

The datapath is that of ``sc_neurocore.deploy`` (``deploy/_model.py``): every
stream bit is ``r_t < X`` for a channel's source values ``r_t``; the sources
are turned into bit planes once (:func:`bit_planes`, plane ``b`` word ``w`` bit
``l`` = bit ``b`` of ``r_{64 w + l}``) and each stream is produced 64 cycles at
a time by the MSB-first bit-sliced comparator of ``_kernels/_hash.py``.
Counters need only per-word totals: APC adds ``+-popcount(x AND w)``; OR adds
``popcount(OR of positive products) - popcount(OR of negative products)``; MUX
ANDs each column's products with the mask of cycles that select it
(:func:`select_masks`).  Bipolar coding uses XNOR products, each bit worth
``2 b - 1``.  All functions are pure, on C-contiguous arrays; images run in
``prange`` and each image's result depends only on its own inputs, so the
bits are the same for every thread count.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange, uint64

from sc_neurocore._kernels._bitops import popcount64, tail_mask
from sc_neurocore._kernels._hash import compare_plane, compare_settled, hash3

_ALL = uint64(0xFFFFFFFFFFFFFFFF)
MODE_APC = 0
MODE_OR = 1
MODE_MUX = 2

__all__ = [
    "MODE_APC",
    "MODE_MUX",
    "MODE_OR",
    "bit_planes",
    "hash_sources",
    "layer_counters",
    "output_early_exit",
    "pack_streams",
    "select_masks",
]


@njit(cache=True)
def hash_sources(k0, k1, n_channels, length, width):
    """(n_channels, L) int64 source values ``hash3(k0, k1, c, t) >> (64 - W)`` (the bernoulli encoder)."""
    out = np.empty((n_channels, length), dtype=np.int64)
    sh = uint64(64 - width)
    for c in range(n_channels):
        for t in range(length):
            out[c, t] = np.int64(hash3(k0, k1, uint64(c), uint64(t)) >> sh)
    return out


@njit(cache=True)
def bit_planes(values, width):
    """(n, L) int64 values in [0, 2^W) -> (n, W, ceil(L / 64)) uint64 bit planes (zero padding)."""
    n, length = values.shape
    nw = (length + 63) // 64
    out = np.zeros((n, width, nw), dtype=np.uint64)
    for c in range(n):
        for t in range(length):
            v = uint64(values[c, t])
            w = t >> 6
            lane = uint64(t & 63)
            for b in range(width):
                out[c, b, w] |= ((v >> uint64(b)) & uint64(1)) << lane
    return out


@njit(cache=True, inline="always")
def _pack_row(planes, x, width, length, out):
    """``out[w]`` = lanes of word ``w`` with ``r < x`` (``planes``: (W, nw) of one channel, x in [0, 2^W])."""
    nw = out.shape[0]
    thr = uint64(x)
    if thr >= (uint64(1) << uint64(width)):
        for w in range(nw):
            out[w] = _ALL
    elif thr == uint64(0):
        for w in range(nw):
            out[w] = uint64(0)
    else:
        for w in range(nw):
            lt = uint64(0)
            eq = _ALL
            for b in range(width - 1, -1, -1):
                lt, eq = compare_plane(lt, eq, planes[b, w], thr, b)
                if compare_settled(eq, thr, b):
                    break
            out[w] = lt
    out[nw - 1] &= tail_mask(length)


@njit(cache=True)
def pack_streams(planes, channels, thresholds, width, length):
    """Streams ``r_c < X`` for (m,) channel indices into ``planes`` and (m,) thresholds -> (m, nw) uint64."""
    m = channels.shape[0]
    out = np.zeros((m, planes.shape[2]), dtype=np.uint64)
    for s in range(m):
        _pack_row(planes[channels[s]], thresholds[s], width, length, out[s])
    return out


@njit(cache=True)
def select_masks(values, n_cols, width, length):
    """MUX select masks: (L,) int64 select-source values -> (n_cols, nw) uint64.

    Bit ``t`` of row ``i`` is set iff the select index ``(r_t n_cols) >> W`` (multiply-high) is ``i``.
    """
    nw = (length + 63) // 64
    out = np.zeros((n_cols, nw), dtype=np.uint64)
    for t in range(length):
        s = (values[t] * n_cols) >> width
        out[s, t >> 6] |= uint64(1) << uint64(t & 63)
    return out


@njit(cache=True, inline="always")
def _delta(xs, wrow, negrow, sel, mode, bipolar, w, m):
    """Change of one counter over the cycles of word ``w`` in lane mask ``m``."""
    n_cols = xs.shape[0]
    d = 0
    if mode == MODE_OR:
        pos = uint64(0)
        neg = uint64(0)
        for i in range(n_cols):
            p = xs[i, w] & wrow[i, w]
            if negrow[i]:
                neg |= p
            else:
                pos |= p
        return np.int64(popcount64(pos & m)) - np.int64(popcount64(neg & m))
    for i in range(n_cols):
        mm = m & sel[i, w] if mode == MODE_MUX else m
        if bipolar:
            d += 2 * np.int64(popcount64(~(xs[i, w] ^ wrow[i, w]) & mm)) - np.int64(popcount64(mm))
        else:
            c = np.int64(popcount64(xs[i, w] & wrow[i, w] & mm))
            d += -c if negrow[i] else c
    return d


@njit(cache=True, inline="always")
def _count(xs, wrow, negrow, sel, mode, bipolar, last):
    """One counter over the whole phase (``last``: valid-lane mask of the last word).

    Same sum as :func:`_delta` over all words; APC and MUX are summed column by
    column (one sign per column, the inner loop over words), about three times
    faster than word by word.  OR needs every column of a word at once.  The
    padding lanes of input and weight streams are 0, so only XNOR (bipolar)
    products need the padding removed: ``64 nw - L`` lanes (APC; the MUX
    select masks are 0 there).
    """
    n_cols, nw = xs.shape
    c = 0
    if mode == MODE_OR:
        for w in range(nw):
            c += _delta(xs, wrow, negrow, sel, mode, bipolar, w, _ALL if w < nw - 1 else last)
        return c
    length = 64 * (nw - 1) + np.int64(popcount64(last))
    for i in range(n_cols):
        s = 0
        n = 0
        if mode == MODE_MUX:
            for w in range(nw):
                p = ~(xs[i, w] ^ wrow[i, w]) if bipolar else xs[i, w] & wrow[i, w]
                s += np.int64(popcount64(p & sel[i, w]))
                n += np.int64(popcount64(sel[i, w]))
        elif bipolar:
            for w in range(nw):
                s += np.int64(popcount64(~(xs[i, w] ^ wrow[i, w])))
            s -= 64 * nw - length
            n = length
        else:
            for w in range(nw):
                s += np.int64(popcount64(xs[i, w] & wrow[i, w]))
        if bipolar:
            c += 2 * s - n
        else:
            c += -s if negrow[i] else s
    return c


@njit(cache=True, inline="always")
def _input_streams(planes, thr_row, width, length, xs):
    """Input streams of one image into ``xs`` (n_in + 1, nw); the last row is the constant-1 bias."""
    n_in = thr_row.shape[0]
    for i in range(n_in):
        _pack_row(planes[i], thr_row[i], width, length, xs[i])
    nw = xs.shape[1]
    for w in range(nw):
        xs[n_in, w] = _ALL
    xs[n_in, nw - 1] &= tail_mask(length)


@njit(cache=True, parallel=True)
def layer_counters(thresholds, planes, wbits, negative, sel, mode, bipolar, width, length):
    """Counters of one layer phase for every image.

    Parameters
    ----------
    thresholds : int64 (n_img, n_in)
        Input comparator thresholds X in [0, 2^W].
    planes : uint64 (n_in, W, nw)
        Bit planes of the layer's input channels (:func:`bit_planes`).
    wbits : uint64 (n_out, n_in + 1, nw)
        Weight streams (image-independent).
    negative : uint8 (n_out, n_in + 1)
        Sign bits (unipolar).
    sel : uint64 (n_in + 1, nw)
        MUX select masks (:func:`select_masks`); any shape-compatible array for APC / OR.
    mode : int
        MODE_APC, MODE_OR or MODE_MUX.
    bipolar : bool
    width, length : int

    Returns
    -------
    int64 (n_img, n_out)
    """
    n_img = thresholds.shape[0]
    n_out, n_cols, nw = wbits.shape
    out = np.zeros((n_img, n_out), dtype=np.int64)
    last = tail_mask(length)
    for m in prange(n_img):
        xs = np.empty((n_cols, nw), dtype=np.uint64)
        _input_streams(planes, thresholds[m], width, length, xs)
        for j in range(n_out):
            out[m, j] = _count(xs, wbits[j], negative[j], sel, mode, bipolar, last)
    return out


@njit(cache=True, inline="always")
def _leader(c, up, down, remaining):
    """Current leader (argmax, lowest index) if ``remaining`` cycles cannot dethrone it, else -1."""
    n = c.shape[0]
    lead = 0
    for j in range(1, n):
        if c[j] > c[lead]:
            lead = j
    worst = c[lead] - remaining * down[lead]
    for j in range(n):
        if j != lead:
            best = c[j] + remaining * up[j]
            if best > worst or (best == worst and j < lead):
                return -1
    return lead


@njit(cache=True, inline="always")
def _margin_leader(c, margin):
    """Leader (argmax, lowest index) if it is ahead of every rival by ``margin``, else -1."""
    lead = np.argmax(c)
    for j in range(c.shape[0]):
        if j != lead and c[lead] - c[j] < margin:
            return -1
    return lead


@njit(cache=True, parallel=True)
def output_early_exit(thresholds, planes, wbits, negative, sel, mode, bipolar, width, length, up, down,
                      margin):
    """Output phase with early termination: (n_img,) predictions and cycles used.

    ``margin = 0``: the provable rule below.  ``margin > 0``: the heuristic margin
    rule, checked at word ends only (every 64 cycles and at L): stop when the
    leader is ahead of every rival by at least ``margin``.

    Stops after the first cycle ``t`` at which the leader is decided
    (:func:`_leader` with ``remaining = L - t - 1``; ``up``, ``down``: (n_img, n_out)
    int64 per-cycle bounds of each counter).  The decision condition can only
    become true and stay true as cycles pass (each counter moves by at most its
    bound per cycle), so it is checked at word ends and the first word where
    it holds is then replayed cycle by cycle to find the exact cycle.
    """
    n_img = thresholds.shape[0]
    n_out, n_cols, nw = wbits.shape
    pred = np.zeros(n_img, dtype=np.int64)
    cycles = np.zeros(n_img, dtype=np.int64)
    last = tail_mask(length)
    for m in prange(n_img):
        xs = np.empty((n_cols, nw), dtype=np.uint64)
        _input_streams(planes, thresholds[m], width, length, xs)
        c = np.zeros(n_out, dtype=np.int64)
        prev = np.zeros(n_out, dtype=np.int64)
        for w in range(nw):
            prev[:] = c
            for j in range(n_out):
                c[j] += _delta(xs, wbits[j], negative[j], sel, mode, bipolar, w, _ALL if w < nw - 1 else last)
            end = min(64 * (w + 1), length)
            if margin > 0:
                lead = _margin_leader(c, margin)
                if lead >= 0 or end == length:
                    pred[m] = np.argmax(c)
                    cycles[m] = end
                    break
                continue
            lead = _leader(c, up[m], down[m], length - end)
            if lead >= 0:
                c[:] = prev
                for t in range(64 * w, end):
                    lane = uint64(1) << uint64(t & 63)
                    for j in range(n_out):
                        c[j] += _delta(xs, wbits[j], negative[j], sel, mode, bipolar, w, lane)
                    lead = _leader(c, up[m], down[m], length - t - 1)
                    if lead >= 0:
                        pred[m] = lead
                        cycles[m] = t + 1
                        break
                break
    return pred, cycles
