"""Nonlinear and sequential SC units on packed streams (private).

Sequential units (finite-state machines with one or two 1-bit inputs) run
eight clock cycles per step: a table indexed by ``(state, input bytes)``
holds the state after those eight cycles and the eight output bits, so the
serial dependency through the state costs one table load per byte instead of
eight branchy updates.  The tables are built here from the one-cycle update
rule of each unit (the single definition of the unit in the core package);
the kernels are pure functions of C-contiguous arrays and validate nothing
(see ``sc_neurocore.bitstream`` for the checked wrappers).

Bit ``t`` of a stream is bit ``t % 64`` of word ``t // 64`` (LSB first); the
padding bits of the last output word are cleared.
"""

from __future__ import annotations

import numpy as np
from numba import njit, uint64

from sc_neurocore._kernels._bitops import tail_mask

__all__ = [
    "FSM_KINDS",
    "apc_btanh_words",
    "bernstein_words",
    "fsm_table",
    "fsm_words",
    "fsm_step",
]

#: Units with one input ``x`` (state = saturating up/down counter or a flag)
#: and with two inputs ``a``, ``b``.
FSM_KINDS = {"stanh": 1, "sexp": 1, "abs": 1, "sqrt": 1, "cordiv": 2, "jk": 2}


def fsm_step(kind: str, n_states: int, param: int, s: np.ndarray, a: np.ndarray, b: np.ndarray
             ) -> tuple[np.ndarray, np.ndarray]:
    """One clock cycle of unit ``kind`` on int64 arrays: (output bit, next state).

    ``s`` is the state, ``a`` the input bit (``x`` for one-input units, the
    dividend / J for two-input units), ``b`` the second input bit.

    * ``stanh`` (Brown & Card 2001): saturating counter in [0, K-1], up on
      ``x = 1``, down on ``x = 0``; output ``s >= K/2``.
    * ``sexp`` (Brown & Card 2001): same counter; output ``s < K - G``
      (``param = G``).
    * ``abs``: same counter; output ``x`` in the upper half, ``NOT x`` in the lower.
    * ``sqrt`` (bit-inserting square root): flag ``Q``; output ``Q | x``,
      next ``Q = ~Q & x`` (a JK flip-flop with ``J = out, K = 1``).
    * ``cordiv`` (Chen & Hayes 2016): state = last output;
      output ``a if b else state``.
    * ``jk``: JK flip-flop, ``J = a``, ``K = b``; output ``Q``.
    """
    if kind in ("stanh", "sexp", "abs"):
        nxt = np.where(a == 1, np.minimum(s + 1, n_states - 1), np.maximum(s - 1, 0))
        if kind == "stanh":
            out = (s >= n_states // 2).astype(np.int64)
        elif kind == "sexp":
            out = (s < n_states - param).astype(np.int64)
        else:
            out = np.where(s >= n_states // 2, a, 1 - a)
        return out, nxt
    if kind == "sqrt":
        return s | a, (1 - s) & a
    if kind == "cordiv":
        out = np.where(b == 1, a, s)
        return out, out
    if kind == "jk":
        return s.copy(), (a & (1 - s)) | ((1 - b) & s)
    raise ValueError(f"kind must be one of {sorted(FSM_KINDS)}; got {kind!r}")


def fsm_table(kind: str, n_states: int, param: int = 0) -> np.ndarray:
    """Eight-cycle table of unit ``kind``: int32 ``(n_states, 256**n_inputs)``.

    Entry ``[s, v]`` = ``(state after 8 cycles) << 8 | (8 output bits)`` when
    starting in state ``s`` with input byte(s) ``v`` (``a`` in bits 0-7 of
    ``v``, ``b`` in bits 8-15, cycle ``j`` at bit ``j``).
    """
    n_in = FSM_KINDS[kind]
    n_v = 1 << (8 * n_in)
    s = np.repeat(np.arange(n_states, dtype=np.int64), n_v)
    v = np.tile(np.arange(n_v, dtype=np.int64), n_states)
    outs = np.zeros_like(s)
    for j in range(8):
        a = (v >> j) & 1
        b = (v >> (8 + j)) & 1 if n_in == 2 else a
        o, s = fsm_step(kind, n_states, param, s, a, b)
        outs |= o << j
    return ((s << 8) | outs).astype(np.int32).reshape(n_states, n_v)


@njit(cache=True)
def fsm_words(a, b, table, init, length):
    """Run the FSM of ``table`` over packed input streams; one output stream per row.

    ``a`` and ``b``: uint64 ``(n, W)`` (``b`` is ignored for one-input tables
    of width 256); ``init``: start state; returns uint64 ``(n, W)``.
    """
    n, nw = a.shape
    two = table.shape[1] > 256
    out = np.zeros((n, nw), dtype=np.uint64)
    for i in range(n):
        s = init
        for w in range(nw):
            x = a[i, w]
            y = b[i, w] if two else uint64(0)
            acc = uint64(0)
            for k in range(8):
                sh = uint64(8 * k)
                v = (x >> sh) & uint64(0xFF)
                if two:
                    v |= ((y >> sh) & uint64(0xFF)) << uint64(8)
                e = table[s, v]
                acc |= uint64(e & 0xFF) << sh
                s = e >> 8
            out[i, w] = acc
        out[i, nw - 1] &= tail_mask(length)
    return out


@njit(cache=True)
def apc_btanh_words(x, n_states, length):
    """APC + Btanh (Li et al., SC-DNN): ``x`` uint64 ``(n, M, W)`` -> ``(n, W)``.

    Each cycle the parallel counter gives ``c`` ones among the ``M`` inputs;
    the saturating counter ``s`` in ``[0, K-1]`` (start ``K/2``) moves by
    ``2c - M``; the output bit is ``s >= K/2``.
    """
    n, m, nw = x.shape
    half = n_states // 2
    out = np.zeros((n, nw), dtype=np.uint64)
    counts = np.zeros(64, dtype=np.int64)
    for i in range(n):
        s = half
        for w in range(nw):
            for t in range(64):
                counts[t] = 0
            for j in range(m):
                v = x[i, j, w]
                for t in range(64):  # branch-free, vectorised by LLVM
                    counts[t] += np.int64((v >> uint64(t)) & uint64(1))
            acc = uint64(0)
            for t in range(64):
                if s >= half:
                    acc |= uint64(1) << uint64(t)
                s += 2 * counts[t] - m
                if s < 0:
                    s = 0
                elif s > n_states - 1:
                    s = n_states - 1
            out[i, w] = acc
        out[i, nw - 1] &= tail_mask(length)
    return out


@njit(cache=True)
def bernstein_words(x, z, length):
    """ReSC (Qian & Riedel): ``x`` uint64 ``(n, N, W)``, ``z`` ``(n, N+1, W)`` -> ``(n, W)``.

    Bit ``t`` of the output is bit ``t`` of ``z[k]`` where ``k`` is the number
    of ones among the ``N`` bits ``x[:, t]``.  Word-parallel: ``e[k]`` is the
    mask of positions whose count so far is ``k`` (updated input by input).
    """
    n, deg, nw = x.shape
    out = np.zeros((n, nw), dtype=np.uint64)
    e = np.zeros(deg + 1, dtype=np.uint64)
    for i in range(n):
        for w in range(nw):
            e[0] = ~uint64(0)
            for k in range(1, deg + 1):
                e[k] = uint64(0)
            for j in range(deg):
                v = x[i, j, w]
                for k in range(j + 1, 0, -1):
                    e[k] = (e[k] & ~v) | (e[k - 1] & v)
                e[0] &= ~v
            acc = uint64(0)
            for k in range(deg + 1):
                acc |= e[k] & z[i, k, w]
            out[i, w] = acc
        out[i, nw - 1] &= tail_mask(length)
    return out
