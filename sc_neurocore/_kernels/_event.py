"""Exact event-driven kernels: the event queue (calendar ring + binary heap), the loop, its models (private).

The neuron model is pluggable (:class:`EvOps`, registered in :data:`EV_MODELS`).  The LIF model
(:class:`EvLIF`, per neuron, between events): ``dv/dt = (v_inf - v) / tau`` with
``v_inf = v_rest + tau * I_ext``, so ``v(t) = v + (v_inf - v) * (1 - exp(-(t - t0) / tau))``.
An input adds its weight to ``v`` instantly; ``v >= thr`` is a spike.  A
neuron with ``v_inf > thr`` reaches the threshold on its own at
``t0 + tau * log1p((thr - v) / (v_inf - thr))``.

Heap entries are ``(time, key, payload)`` rows of one float64 array, ordered by ``(time, key)``.  The key
packs a kind in bits 40.. and an index below: ``SELF`` (a neuron's predicted
threshold crossing; payload = version of the neuron's state when predicted),
``POIS`` (the next spike of Poisson generator ``q``) and ``DELIV`` (delivery of
synapse group ``g``: consecutive synapses of one presynaptic row with one
delay).  External explicit events are not in the heap: they are a time-sorted
array merged in as kind ``EXT`` (between ``SELF`` and ``POIS``).  During
:func:`run_events` most entries wait in a calendar ring in front of the heap
(see "calendar queue" below); between calls the heap holds them all.

Pure functions on plain arrays; nothing is validated here.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np
from numba import njit, types, uint64
from numba.extending import overload

from ._hash import uniform01
from ._network import _lower_bound, _transmit, _update
from ._prefetch import _prefetch, _prefetch_at, _prefetch_at_l2, _prefetch_each, _prefetch_l2, _prefetch_lines
from ._stp import STP_COLS, stp_release

KIND_SHIFT = 40
KIND_SELF = 0
KIND_EXT = 1
KIND_POIS = 2
KIND_DELIV = 3
_SELF_END_F = float(1 << KIND_SHIFT)  # keys below this are SELF entries
_POIS_BASE = np.int64(KIND_POIS) << np.int64(KIND_SHIFT)
_DELIV_BASE = np.int64(KIND_DELIV) << np.int64(KIND_SHIFT)
_IDX_MASK = (np.int64(1) << np.int64(KIND_SHIFT)) - np.int64(1)

__all__ = [
    "KIND_SHIFT",
    "EV_MODELS",
    "EvGraph",
    "EvInputs",
    "EvLIF",
    "EvNeurons",
    "EvOps",
    "EvPlasticity",
    "EvQueue",
    "EvRecord",
    "EvSynapse",
    "heap_push",
    "heap_pop",
    "N_COLS",
    "crossing_time",
    "ev_crossing",
    "ev_held",
    "ev_input",
    "ev_potential",
    "ev_reset",
    "ev_set_drive",
    "predict_all",
    "push_many",
    "poisson_first_times",
    "advance",
    "poisson_interval",
    "build_groups",
    "potentials_at",
    "run_events",
    "run_window",
    "partition_cuts",
    "open_queue",
    "split_queue",
    "merge_queue",
    "heapify",
    "merge_spikes",
    "trace_at",
    "stp_release",
    "STP_COLS",
]


# --------------------------------------------------------------------------- heap
#
# The heap is one float64 array ``h`` of shape (capacity, 3): row = (time, key, payload).  Keys
# (< 2^43) and payloads (state versions, < 2^53) are exact in float64; one row per node keeps a
# node in one cache line.  Order: (time, key).


@njit(cache=True, inline="always")
def _sift_up(h, i, t, k, p):
    """Place ``(t, k, p)`` at hole ``i``, moving the hole up past larger parents (no swaps)."""
    while i > 0:
        parent = (i - 1) >> 1
        tp = h[parent, 0]
        if t < tp or (t == tp and k < h[parent, 1]):
            h[i, 0] = tp
            h[i, 1] = h[parent, 1]
            h[i, 2] = h[parent, 2]
            i = parent
        else:
            break
    h[i, 0] = t
    h[i, 1] = k
    h[i, 2] = p


@njit(cache=True)
def heap_push(h, n, t, k, p):
    """Push ``(t, k, p)`` onto the heap of size ``n`` (``h`` has room); returns the new size."""
    _sift_up(h, n, t, k, p)
    return n + 1


@njit(cache=True)
def heap_pop(h, n):
    """Remove the smallest entry (it must exist); returns ``(t, k, p, new_size)``.

    Bottom-up deletion (as CPython's ``heapq``): the hole left by the root
    moves down along the smaller children to a leaf, then the last entry is
    sifted up from there; about half the comparisons of the textbook version.
    """
    t0 = h[0, 0]
    k0 = h[0, 1]
    p0 = h[0, 2]
    n -= 1
    if n > 0:
        t = h[n, 0]
        k = h[n, 1]
        p = h[n, 2]
        i = 0
        while True:
            c = 2 * i + 1
            if c >= n:
                break
            if c + 1 < n and (h[c + 1, 0] < h[c, 0] or (h[c + 1, 0] == h[c, 0] and h[c + 1, 1] < h[c, 1])):
                c += 1
            h[i, 0] = h[c, 0]
            h[i, 1] = h[c, 1]
            h[i, 2] = h[c, 2]
            i = c
        _sift_up(h, i, t, k, p)
    return t0, k0, p0, n


@njit(cache=True)
def _grow(h):
    m = h.shape[0]
    out = np.empty((max(2 * m, 64), 3), dtype=np.float64)
    out[:m] = h
    return out


# --------------------------------------------------------------------------- neuron maths


# ``advance``, ``crossing_time`` and the LIF model's functions are plain Python made available to compiled
# code by an overload returning the function itself: numba then inlines them (numba IR) into the caller.
# (An ``njit(inline="always")`` function called inside an inlined overload trips numba's IR scope check;
# a plain ``njit`` call is not inlined by LLVM across numba functions: 20% slower at 100k neurons.)


def advance(v, v_inf, tau, dt):  # type: ignore[no-untyped-def]
    """Free membrane potential ``dt`` ms later: ``v + (v_inf - v) * (-expm1(-dt / tau))``."""
    return v + (v_inf - v) * (-math.expm1(-dt / tau))


def crossing_time(t0, v, v_inf, thr, tau):  # type: ignore[no-untyped-def]
    """Time at which the free trajectory from ``(t0, v)`` reaches ``thr`` (``inf`` if never).

    ``t0`` if ``v >= thr``; otherwise ``t0 + tau * log1p((thr - v) / (v_inf - thr))``
    when ``v_inf > thr``, else ``inf``.
    """
    if v >= thr:
        return t0
    if v_inf > thr:
        return t0 + tau * math.log1p((thr - v) / (v_inf - thr))
    return math.inf


@overload(advance, inline="always")
def _advance_jit(v, v_inf, tau, dt):  # type: ignore[no-untyped-def]
    return advance


@overload(crossing_time, inline="always")
def _crossing_time_jit(t0, v, v_inf, thr, tau):  # type: ignore[no-untyped-def]
    return crossing_time


@njit(cache=True, inline="always")
def poisson_interval(k0, k1, dom, count, mean_ms):
    """Exponential inter-spike interval ``-mean_ms * log(1 - u)``, ``u = uniform01(k0, k1, dom, count)``."""
    return -mean_ms * math.log1p(-uniform01(k0, k1, dom, count))


# --------------------------------------------------------------------------- event-driven neuron models
#
# A model is a parameter NamedTuple type (its kernel value, e.g. :class:`EvLIF`) and an :class:`EvOps`
# of five functions registered in :data:`EV_MODELS` under that type.  The loop calls them through
# the dispatchers ``ev_reset`` / ``ev_input`` / ``ev_crossing`` / ``ev_set_drive`` / ``ev_potential``,
# resolved at compile time from the type of the parameter tuple (one specialisation of
# :func:`run_events` per model; in plain Python, from the same registry).  Every model's state row
# ``S[i]`` keeps the engine's columns at ``TUPD``, ``TSPK``, ``ACC`` and ``VER``; the other columns
# are the model's own (``docs/event_driven.md``, "How to add an event-driven model").

# engine columns, the same for every model: t_upd (the time the model's state is valid, or the end of
# the refractory period), last spike time, input sum of the round (NaN when none), state version
TUPD, TSPK, ACC, VER = 1, 2, 3, 7
# LIF columns (one 64-byte row per neuron: one cache line per event): potential, asymptote, tau_m, threshold
V, VINF, TAU, THR = 0, 4, 5, 6
N_COLS = 8


class EvLIF(NamedTuple):
    """Kernel parameters of the event-driven LIF model (float64 arrays of length ``n``).

    Its state row is ``N_COLS`` = 8 columns: ``V`` (potential at ``t_upd``),
    ``VINF`` (asymptote ``v_rest + tau_m I``, set by current changes),
    ``TAU`` (``tau_m``, ms) and ``THR`` (threshold), plus the engine's.
    """

    v_reset: np.ndarray
    t_ref: np.ndarray  # refractory period (ms)


class EvOps(NamedTuple):
    """The event-driven maths of one model: functions of ``(m, S, i, ...)`` (``m``: its parameters).

    Plain Python in numba's subset (or njit functions: their Python source is used); the ``ev_*``
    overloads compile them inline into the caller, so they cost no call in the loop.

    ``reset(m, S, i, t)``: state after a spike of ``i`` at ``t`` (and ``S[i, TUPD] = t + t_ref``).
    ``input(m, S, i, t, x) -> bool``: advance ``i`` from ``S[i, TUPD]`` to ``t``, add the input sum ``x``,
    store the state with ``S[i, TUPD] = t``; returns whether that reaches the threshold.
    ``crossing(m, S, i) -> float``: time at which the free trajectory from ``(S[i, TUPD], state)``
    reaches the threshold (``S[i, TUPD]`` if already there, ``inf`` if never).
    ``set_drive(m, S, i, t, value)``: from ``t`` on, the drive (constant-current term) is ``value``:
    advance to ``t`` unless held (``t <= S[i, TUPD]``), then store it.
    ``potential(m, S, i, t) -> float``: membrane potential at ``t >= S[i, TSPK]`` without changing ``S``.
    ``held(m, S, i, t, x) -> bool`` (optional): the input sum ``x`` reaching ``i`` at ``t`` while it is
    held (refractory, or it spiked at ``t``); returns whether it changed the state (then the loop
    makes a new prediction).  ``None`` (LIF): the input is discarded.
    """

    reset: Callable[..., None]
    input: Callable[..., bool]
    crossing: Callable[..., float]
    set_drive: Callable[..., None]
    potential: Callable[..., float]
    held: Callable[..., bool] | None = None


def _lif_reset(m, S, i, t):
    S[i, V] = m.v_reset[i]
    S[i, TUPD] = t + m.t_ref[i]


def _lif_input(m, S, i, t, x):
    v = advance(S[i, V], S[i, VINF], S[i, TAU], t - S[i, TUPD]) + x
    S[i, V] = v
    S[i, TUPD] = t
    return v >= S[i, THR]


def _lif_crossing(m, S, i):
    return crossing_time(S[i, TUPD], S[i, V], S[i, VINF], S[i, THR], S[i, TAU])


def _lif_set_drive(m, S, i, t, value):
    tu = S[i, TUPD]
    if t > tu:
        S[i, V] = advance(S[i, V], S[i, VINF], S[i, TAU], t - tu)
        S[i, TUPD] = t
    S[i, VINF] = value


def _lif_potential(m, S, i, t):
    if t > S[i, TUPD]:
        return advance(S[i, V], S[i, VINF], S[i, TAU], t - S[i, TUPD])
    return S[i, V]


#: parameter NamedTuple type -> its event-driven maths (the models :func:`run_events` knows)
EV_MODELS: dict[type, EvOps] = {EvLIF: EvOps(_lif_reset, _lif_input, _lif_crossing, _lif_set_drive,
                                             _lif_potential)}


def ev_reset(m, S, i, t):  # type: ignore[no-untyped-def]
    """:attr:`EvOps.reset` of ``m``'s model."""
    EV_MODELS[type(m)].reset(m, S, i, t)


def ev_input(m, S, i, t, x):  # type: ignore[no-untyped-def]
    """:attr:`EvOps.input` of ``m``'s model."""
    return EV_MODELS[type(m)].input(m, S, i, t, x)


def ev_crossing(m, S, i):  # type: ignore[no-untyped-def]
    """:attr:`EvOps.crossing` of ``m``'s model."""
    return EV_MODELS[type(m)].crossing(m, S, i)


def ev_set_drive(m, S, i, t, value):  # type: ignore[no-untyped-def]
    """:attr:`EvOps.set_drive` of ``m``'s model."""
    EV_MODELS[type(m)].set_drive(m, S, i, t, value)


def ev_potential(m, S, i, t):  # type: ignore[no-untyped-def]
    """:attr:`EvOps.potential` of ``m``'s model."""
    return EV_MODELS[type(m)].potential(m, S, i, t)


def ev_held(m, S, i, t, x):  # type: ignore[no-untyped-def]
    """:attr:`EvOps.held` of ``m``'s model (False: discarded, when the model has none)."""
    f = EV_MODELS[type(m)].held
    return False if f is None else f(m, S, i, t, x)


def _op(m: Any, name: str) -> Any:
    """The Python source of the registered function ``name`` of the model whose parameter type is ``m``
    (None: not a model).

    Returned as the overload's implementation, it is compiled and inlined into the caller (numba IR), so a
    model's maths costs no call in the loop.
    """
    cls = getattr(m, "instance_class", None) if isinstance(m, types.BaseNamedTuple) else None
    if cls not in EV_MODELS:
        return None
    f = getattr(EV_MODELS[cls], name)
    return getattr(f, "py_func", f)


@overload(ev_reset, inline="always")
def _ev_reset_jit(m, S, i, t):  # type: ignore[no-untyped-def]
    return _op(m, "reset")


@overload(ev_input, inline="always")
def _ev_input_jit(m, S, i, t, x):  # type: ignore[no-untyped-def]
    return _op(m, "input")


@overload(ev_crossing, inline="always")
def _ev_crossing_jit(m, S, i):  # type: ignore[no-untyped-def]
    return _op(m, "crossing")


@overload(ev_set_drive, inline="always")
def _ev_set_drive_jit(m, S, i, t, value):  # type: ignore[no-untyped-def]
    return _op(m, "set_drive")


@overload(ev_potential, inline="always")
def _ev_potential_jit(m, S, i, t):  # type: ignore[no-untyped-def]
    return _op(m, "potential")


def _discard(m, S, i, t, x):  # type: ignore[no-untyped-def]
    """:attr:`EvOps.held` of a model without one: the input is discarded."""
    return False


@overload(ev_held, inline="always")
def _ev_held_jit(m, S, i, t, x):  # type: ignore[no-untyped-def]
    cls = getattr(m, "instance_class", None) if isinstance(m, types.BaseNamedTuple) else None
    if cls is not None and cls in EV_MODELS and EV_MODELS[cls].held is None:
        return _discard
    return _op(m, "held")


@njit(cache=True)
def predict_all(m, S):
    """:func:`ev_crossing` of every neuron (its next threshold crossing from its state; ``inf`` if none)."""
    n = S.shape[0]
    out = np.empty(n, dtype=np.float64)
    for i in range(n):
        out[i] = ev_crossing(m, S, i)
    return out


@njit(cache=True)
def potentials_at(t, m, S):
    """Membrane potentials at time ``t`` without changing the state (held neurons stay at ``v``)."""
    n = S.shape[0]
    out = np.empty(n, dtype=np.float64)
    for i in range(n):
        out[i] = ev_potential(m, S, i, t)
    return out


# --------------------------------------------------------------------------- the loop's arguments


class EvNeurons(NamedTuple):
    """The neurons: the model and its state rows, and the loop's per-round scratch lists."""

    model: Any  # the model's parameter tuple (e.g. EvLIF): selects the maths at compile time
    S: np.ndarray  # (n, cols) float64 state rows, the model's layout (engine columns TUPD, TSPK, ACC, VER)
    tlist: np.ndarray  # (n,) int32: neurons that received input in the current round
    slist: np.ndarray  # (n,) int32: the current round's spikes


class EvGraph(NamedTuple):
    """Recurrent synapses in delivery groups (:func:`build_groups`) and, for STDP, the incoming index."""

    grp_ptr: np.ndarray  # (n + 1,) int64: row i owns groups grp_ptr[i]:grp_ptr[i + 1]
    grp_start: np.ndarray  # (n_grp + 1,) int64: group g is synapses grp_start[g]:grp_start[g + 1]
    grp_delay: np.ndarray  # (n_grp,) float64 ms
    indices: np.ndarray  # (nnz,) int32 targets, in kernel (delay-sorted) order
    weights: np.ndarray  # (nnz,) float32, changed by STDP
    in_ptr: np.ndarray  # (n + 1,) int64 (STDP; else unused)
    in_syn: np.ndarray  # (m, 2) int64 (source, kernel position) pairs of each neuron's incoming synapses


class EvInputs(NamedTuple):
    """External input: explicit events, Poisson generators and current changes, each with its cursor."""

    ext_t: np.ndarray  # (E,) float64 sorted times
    ext_i: np.ndarray  # (E,) int32 targets
    ext_w: np.ndarray  # (E,) float64 amplitudes
    ext_pos: np.ndarray  # (1,) int64: events before it are delivered
    pois_target: np.ndarray  # (G,) int32
    pois_amp: np.ndarray  # (G,) float64
    pois_mean: np.ndarray  # (G,) float64 mean interval (ms; inf: rate 0)
    pois_k0: np.ndarray  # (G,) uint64 key
    pois_k1: np.ndarray  # (G,) uint64 key
    pois_dom: np.ndarray  # (G,) uint64 hash domain (generator index within its input)
    pois_count: np.ndarray  # (G,) int64 draws so far
    chg_t: np.ndarray  # (C,) float64 sorted times of drive changes
    chg_i: np.ndarray  # (C,) int32 neurons
    chg_v: np.ndarray  # (C,) float64 new drive values (the model's, e.g. LIF's v_inf)
    chg_pos: np.ndarray  # (1,) int64: changes before it are applied


class EvQueue(NamedTuple):
    """The pending events between calls: a binary heap of ``(time, key, payload)`` rows."""

    h: np.ndarray  # (capacity, 3) float64; the loop returns it (reallocated when it grows)
    n: np.ndarray  # (1,) int64 heap size


class EvSynapse(NamedTuple):
    """Synapse model: SC transmission (as the clock-driven engine's ``_transmit``) and STP."""

    mode: int  # 0 deterministic, 1 bernoulli, 2 lfsr
    w_scale: Any  # float32 SC amplitude
    k0: Any  # uint64 key of the bernoulli bits
    k1: Any
    syn_id: np.ndarray  # (nnz,) int64 CSR index of each kernel position (SC modes; else empty)
    nspk: np.ndarray  # (n,) int64 spike ordinals (the SC bits' counter)
    lfsr: np.ndarray  # (nnz,) uint32 LFSR registers (lfsr mode; else empty)
    tap_mask: Any  # uint32
    n_bits: int  # LFSR width
    n_mask: Any  # uint32 2^n_bits - 1
    stp: bool  # Tsodyks-Markram short-term plasticity on
    Q: np.ndarray  # (n, STP_COLS) float64 STP parameters and state per presynaptic neuron


class EvPlasticity(NamedTuple):
    """Pair-based STDP with traces evaluated at event times (:func:`_stdp_round`)."""

    on: bool
    P: np.ndarray  # (n, 3) float64 (x_pre, x_post, t_last); (0, 3) when off
    tau_plus: float
    tau_minus: float
    rule: int  # 0 additive, 1 multiplicative (the clock-driven ``_update``)
    a_plus: Any  # float32 eta * A_plus
    a_minus: Any  # float32 eta * A_minus
    w_max: Any  # float32
    clip: bool
    nearest: bool


class EvRecord(NamedTuple):
    """Output: spikes (grown and returned when full), their count and the counters."""

    out_t: np.ndarray  # float64 spike times
    out_i: np.ndarray  # int32 neurons
    n_out: np.ndarray  # (1,) int64 spikes recorded
    stats: np.ndarray  # int64 (6,): the counters of run_events


# --------------------------------------------------------------------------- synapse groups


@njit(cache=True)
def build_groups(indptr, delays):
    """Group consecutive equal delays of each row (rows already sorted by delay).

    Returns ``(grp_ptr, grp_start, grp_delay)``: row ``i`` owns groups
    ``grp_ptr[i]:grp_ptr[i+1]``; group ``g`` is synapses ``grp_start[g]:grp_start[g+1]``
    (``grp_start`` has a final sentinel ``nnz``), all with delay ``grp_delay[g]``.
    """
    n = indptr.shape[0] - 1
    nnz = indptr[n]
    n_grp = 0
    for i in range(n):
        for s in range(indptr[i], indptr[i + 1]):
            if s == indptr[i] or delays[s] != delays[s - 1]:
                n_grp += 1
    grp_ptr = np.zeros(n + 1, dtype=np.int64)
    grp_start = np.empty(n_grp + 1, dtype=np.int64)
    grp_delay = np.empty(n_grp, dtype=np.float64)
    g = 0
    for i in range(n):
        grp_ptr[i] = g
        for s in range(indptr[i], indptr[i + 1]):
            if s == indptr[i] or delays[s] != delays[s - 1]:
                grp_start[g] = s
                grp_delay[g] = delays[s]
                g += 1
    grp_ptr[n] = g
    grp_start[n_grp] = nnz
    return grp_ptr, grp_start, grp_delay



# --------------------------------------------------------------------------- calendar queue
#
# Inside :func:`run_events` the pending entries live in two places: a calendar ring of ``_CQ_NB``
# buckets of width ``1 / _CQ_INV_W`` ms (bucket index ``b = floor(t * _CQ_INV_W)``; unsorted singly
# linked lists in a node pool) for ``cur < b < cur + _CQ_NB``, and the heap ``h`` for everything else
# (the current bucket and the far future).  Before each round the buckets up to the heap's top are
# moved into the heap (:func:`_cq_settle`), so the heap's top is the smallest pending entry and the
# pop order is exactly ``(time, key)`` as with the heap alone: an O(1) push and a pop from a heap of
# one bucket's entries instead of from all of them.  Between calls everything is in the heap
# (:func:`_cq_flush`), which is what checkpoints store.

_CQ_INV_W = 16.0  # buckets per ms (width 62.5 us; exact in binary: only speed depends on it)
_CQ_NB = 1 << 16  # ring size: a horizon of 4.096 s
_CQ_MASK = _CQ_NB - 1
CUR, COUNT, FREE, USED = 0, 1, 2, 3  # fields of the queue's int64 meta array


@njit(cache=True, inline="always")
def _sift_down(h, i, n):
    """Restore the heap order below ``i`` (Floyd's heapify step)."""
    t = h[i, 0]
    k = h[i, 1]
    p = h[i, 2]
    while True:
        c = 2 * i + 1
        if c >= n:
            break
        if c + 1 < n and (h[c + 1, 0] < h[c, 0] or (h[c + 1, 0] == h[c, 0] and h[c + 1, 1] < h[c, 1])):
            c += 1
        if h[c, 0] < t or (h[c, 0] == t and h[c, 1] < k):
            h[i, 0] = h[c, 0]
            h[i, 1] = h[c, 1]
            h[i, 2] = h[c, 2]
            i = c
        else:
            break
    h[i, 0] = t
    h[i, 1] = k
    h[i, 2] = p


@njit(cache=True)
def _heapify(h, n):
    """Make ``h[:n]`` a heap ordered by ``(time, key)`` in O(n)."""
    for i in range(n // 2 - 1, -1, -1):
        _sift_down(h, i, n)


@njit(cache=True)
def _grow_pool(nd, nx):
    m = nd.shape[0]
    nd2 = np.empty((2 * m, 3), dtype=np.float64)
    nx2 = np.empty(2 * m, dtype=np.int64)
    nd2[:m] = nd
    nx2[:m] = nx
    return nd2, nx2


@njit(cache=True, inline="always")
def _cq_push(h, hn, nd, nx, head, qm, t, k, p):
    """Push ``(t, k, p)``: into its bucket if within the ring's window, else onto the heap.

    ``h`` must have room and the pool a free node; returns the new heap size.
    """
    bf = t * _CQ_INV_W
    cur = qm[CUR]
    if bf >= cur + 1 and bf < cur + _CQ_NB:  # both compared in float64: no int overflow for huge t
        e = qm[FREE]
        if e >= 0:
            qm[FREE] = nx[e]
        else:
            e = qm[USED]
            qm[USED] = e + 1
        nd[e, 0] = t
        nd[e, 1] = k
        nd[e, 2] = p
        b = np.int64(bf) & _CQ_MASK
        nx[e] = head[b]
        head[b] = e
        qm[COUNT] += 1
        return hn
    _sift_up(h, hn, t, k, p)
    return hn + 1


@njit(cache=True)
def _cq_move(h, hn, nd, nx, head, qm, b, grp_start, cuts, part):
    """Move bucket ``b``'s entries onto the heap while it has room; returns the new heap size.

    Entries that do not fit stay in the bucket (the caller grows the heap and calls again).  A
    delivery's group bounds ``grp_start[g]`` (and in a threaded run its partition's cuts) are
    prefetched into level 2 here: the pop before it reads them, a random miss each at 10^6 neurons,
    one bucket (62.5 us of biological time) later at most.
    """
    e = head[b]
    while e >= 0 and hn < h.shape[0]:
        _sift_up(h, hn, nd[e, 0], nd[e, 1], nd[e, 2])
        k = np.int64(nd[e, 1])
        if k >= _DELIV_BASE:
            _prefetch_share(grp_start, cuts, part, k & _IDX_MASK, True)
        hn += 1
        nxt = nx[e]
        nx[e] = qm[FREE]
        nd[e, 0] = math.nan  # a free node (skipped by _cq_flush)
        qm[FREE] = e
        qm[COUNT] -= 1
        e = nxt
    head[b] = e
    return hn


@njit(cache=True)
def _cq_settle(h, hn, nd, nx, head, qm, grp_start, cuts, part):
    """Advance the ring until the heap's top is the smallest pending entry; returns the new heap size.

    If the heap fills up, the current bucket keeps the entries that did not fit
    (``head[qm[CUR] & _CQ_MASK] >= 0``); grow the heap and call again.
    """
    b = qm[CUR] & _CQ_MASK
    if head[b] >= 0:  # the rest of a bucket that did not fit before
        hn = _cq_move(h, hn, nd, nx, head, qm, b, grp_start, cuts, part)
    while head[b] < 0 and qm[COUNT] > 0 and (hn == 0 or h[0, 0] * _CQ_INV_W >= qm[CUR] + 1):
        qm[CUR] += 1
        b = qm[CUR] & _CQ_MASK
        hn = _cq_move(h, hn, nd, nx, head, qm, b, grp_start, cuts, part)
    return hn


@njit(cache=True)
def _cq_open(h, hn):
    """Move the heap's entries of the ring's window into a new ring; returns ``(hn, nd, nx, head, qm)``."""
    qm = np.zeros(4, dtype=np.int64)
    qm[FREE] = -1
    head = np.full(_CQ_NB, -1, dtype=np.int64)
    cap = max(1024, hn)
    nd = np.empty((cap, 3), dtype=np.float64)
    nx = np.empty(cap, dtype=np.int64)
    if hn == 0:
        return hn, nd, nx, head, qm
    qm[CUR] = np.int64(math.floor(h[0, 0] * _CQ_INV_W)) if h[0, 0] * _CQ_INV_W < 2.0**62 else 0
    m = 0
    for r in range(hn):
        if h[r, 0] * _CQ_INV_W >= qm[CUR] + 1 and h[r, 0] * _CQ_INV_W < qm[CUR] + _CQ_NB:
            _cq_push(h, 0, nd, nx, head, qm, h[r, 0], h[r, 1], h[r, 2])  # in the window: goes to the ring
        else:
            h[m, 0] = h[r, 0]
            h[m, 1] = h[r, 1]
            h[m, 2] = h[r, 2]
            m += 1
    _heapify(h, m)
    return m, nd, nx, head, qm


@njit(cache=True)
def _cq_flush(h, hn, nd, nx, head, qm):
    """Append every ring entry to the heap and re-heapify; returns ``(h, hn)``."""
    h, hn = _cq_drain(h, hn, nd, nx, head, qm)
    _heapify(h, hn)
    return h, hn


@njit(cache=True)
def _cq_drain(h, hn, nd, nx, head, qm):
    """Append every ring entry to ``h[:hn]`` (not heap-ordered afterwards); returns ``(h, hn)``.

    The pool is scanned in memory order (free nodes have a NaN time), not bucket by bucket.
    """
    while hn + qm[COUNT] > h.shape[0]:
        h = _grow(h)
    for e in range(qm[USED]):
        if nd[e, 0] == nd[e, 0]:
            h[hn, 0] = nd[e, 0]
            h[hn, 1] = nd[e, 1]
            h[hn, 2] = nd[e, 2]
            hn += 1
    head[:] = -1
    qm[COUNT] = 0
    return h, hn


# --------------------------------------------------------------------------- event loop


# synapses ahead: several independent row loads in flight hide the misses.  Two stages: a row is
# prefetched into level 2 ``_PF_L2_AHEAD`` synapses ahead, then into level 1 ``_PF_AHEAD`` ahead
# (1M neurons x 100 synapses, 6 Hz: 1-10% less CPU time than one stage 32 ahead; docs/event_driven.md)
_PF_AHEAD = 16
_PF_L2_AHEAD = 64
# touched neurons ahead in the integration loop: their rows were loaded by the deliveries, but at 1M
# neurons they are no longer all in level 1 (12% less CPU time at 1M x 100, 6 Hz; docs/event_driven.md)
_PF_TOUCHED = 16


@njit(cache=True, inline="always")
def _prefetch_rows(S, indices, a, b):
    """Prefetch the rows of the targets of synapses ``a:b``: the first ``_PF_AHEAD`` into level 1, the
    next ones up to ``_PF_L2_AHEAD`` into level 2 (the delivery loop continues: :func:`_prefetch_ahead`)."""
    _prefetch_each(S, indices, a, min(a + _PF_AHEAD, b))
    for s in range(a + _PF_AHEAD, min(a + _PF_L2_AHEAD, b)):
        _prefetch_l2(S, indices[s])


@njit(cache=True, inline="always")
def _prefetch_ahead(S, indices, s, b):
    """The delivery loop's share of the two stages at synapse ``s`` of ``[.., b)``: the row of synapse
    ``s + _PF_L2_AHEAD`` into level 2, that of ``s + _PF_AHEAD`` into level 1."""
    if s + _PF_L2_AHEAD < b:
        _prefetch_l2(S, indices[s + _PF_L2_AHEAD])
    if s + _PF_AHEAD < b:
        _prefetch(S, indices[s + _PF_AHEAD])


@njit(cache=True, inline="always")
def _prefetch_next(h, hn, S, grp_start, indices, weights, rows, cuts, part):
    """If the heap's top entry (usually the next round's) is a delivery, prefetch what it will read.

    While the current round's inputs are delivered and integrated the random loads of the next
    delivery are already under way: its targets and weights, then (``rows``, once those have arrived)
    its first targets' rows.  Changes no value.  (Prefetching a Poisson generator's parameters and
    target row the same way made the 0.75 Hz run slower: docs/event_driven.md.)
    """
    if hn == 0:
        return
    k = np.int64(h[0, 1])
    if k >= _DELIV_BASE:
        # its share's bounds (and cuts) were prefetched by _cq_move
        s0, s1 = _share(grp_start, cuts, part, k & _IDX_MASK)
        if rows:
            _prefetch_rows(S, indices, s0, s1)
        else:  # the lines of the share
            _prefetch_lines(indices, s0, s1)
            _prefetch_lines(weights, s0, s1)
            # the bounds of the entries that may come next: the heap's top after the next pop is one of
            # them (or the last entry); the level-2 copy from _cq_move is often gone by then
            for c in range(1, min(hn, 3)):
                kc = np.int64(h[c, 1])
                if kc >= _DELIV_BASE:
                    _prefetch_share(grp_start, cuts, part, kc & _IDX_MASK, False)


def _prefetch_params(m, i):  # noqa: ARG001
    """Prefetch entry ``i`` of each of a model's per-neuron parameter arrays (a parameter tuple of 1-d
    arrays of one type, as :class:`EvLIF`; nothing for any other tuple); changes no value."""


@overload(_prefetch_params, inline="always")
def _prefetch_params_jit(m, i):  # type: ignore[no-untyped-def]
    if isinstance(getattr(m, "dtype", None), types.Array) and m.dtype.ndim == 1:  # a homogeneous tuple

        def impl(m, i):  # type: ignore[no-untyped-def]
            for a in m:
                _prefetch(a, i)

        return impl
    return lambda m, i: None


@njit(cache=True, inline="always")
def _add_input(S, j, w, tlist, n_touch):
    """``acc[j] += w``; ``acc`` is NaN while untouched (then ``acc = w``, the same value as ``0.0 + w``)."""
    a = S[j, ACC]
    if a != a:
        S[j, ACC] = w
        tlist[n_touch] = j
        return n_touch + 1
    S[j, ACC] = a + w
    return n_touch


@njit(cache=True)
def run_events(t_stop, nrn, graph, inp, queue, syn, pl, rec):
    """Process every event with time ``< t_stop``, round by round.

    The arguments are the groups :class:`EvNeurons` ``nrn``, :class:`EvGraph`
    ``graph``, :class:`EvInputs` ``inp``, :class:`EvQueue` ``queue``,
    :class:`EvSynapse` ``syn``, :class:`EvPlasticity` ``pl`` and
    :class:`EvRecord` ``rec``.  ``nrn.S`` is the ``(n, cols)`` float64 state in
    the layout of the model ``nrn.model``; the engine's columns are ``t_upd``
    (the time at which the model's state is valid; the end of the refractory
    period while refractory), ``t_spk`` (last spike), ``acc`` (input sum of
    the current round, NaN when none) and ``ver`` (state version, invalidates
    older ``SELF`` predictions).  The neuron maths (advance and add an input,
    reset, threshold-crossing prediction, drive change) is the model's
    (:class:`EvOps`); below, "the LIF" names what :class:`EvLIF` does.

    A *round* is one instant ``t`` (the smallest pending time):

    1. pop every heap entry at ``t`` in key order, merging the external events
       at ``t`` after the ``SELF`` entries.  A ``SELF`` entry whose payload
       equals ``ver[i]`` is a spike of ``i`` unless ``i`` already spiked at
       ``t`` (at most one spike per instant) (the model's reset, LIF: ``v = v_reset``,
       ``t_upd = t + t_ref``; ``t_spk = t``).  External, Poisson and synaptic
       inputs are summed per target into ``acc`` (in pop order, synapses in
       CSR order); a Poisson generator draws its next time.
    2. each neuron that received input: if ``t >= t_upd`` and ``t != t_spk``
       (not refractory, at most one spike per instant) it is advanced to ``t``,
       the sum is added, and reaching the threshold is a spike; otherwise the input is
       discarded.  A non-spiking neuron gets a new version and, if it can
       cross on its own, a new ``SELF`` prediction.
    3. the round's spikes are recorded (in ascending neuron order) and their synapse groups pushed at
       ``t + delay`` (zero delays form a later round at the same ``t``);
       neurons that cross on their own (LIF: ``v_inf > thr``) get the ``SELF``
       prediction from the end of their refractory period.

    SC synapses (``mode`` 1 = bernoulli, 2 = lfsr; 0 = deterministic): synapse
    ``s`` of a delivery transmits ``sign(w) * w_scale`` or nothing, decided by
    the clock-driven kernel's ``_transmit`` keyed by its CSR id ``syn_id[s]``
    and the presynaptic spike ordinal ``nspk[i]`` carried as the delivery's
    payload (so the bits do not depend on the event order).

    STDP (``pl.on``): traces ``P[i] = (x_pre, x_post, t_last)`` hold their value
    at the neuron's last spike; at time ``t`` a trace is
    ``x * exp(-(t - t_last) / tau)``.  After step 2 the round's spikes, in
    ascending neuron order, update their outgoing synapses (LTD from the
    targets' ``x_post(t)``) and incoming synapses ``in_syn[in_ptr[i]:in_ptr[i+1]]``
    (LTP from the sources' ``x_pre(t)``) with the clock-driven ``_update``; then
    their traces are incremented (or set to 1 with ``nearest``).

    Time-varying currents: ``chg_t`` (sorted) / ``chg_i`` / ``chg_v`` say that from
    ``chg_t[c]`` on, neuron ``chg_i[c]`` has the drive ``chg_v[c]`` (LIF: the asymptote ``v_inf``);
    a change at ``t`` is applied after the pops at ``t`` and before the inputs
    at ``t`` are integrated (a crossing reached at ``t`` under the old current
    fires): the neuron is advanced to ``t`` (held while refractory), gets the
    new drive, a new version and a new ``SELF`` prediction.

    Short-term plasticity (``stp``): ``Q[i]`` holds presynaptic neuron ``i``'s
    Tsodyks–Markram parameters and state (see :func:`stp_release`); a spike of
    ``i`` releases the fraction ``r``, carried as its deliveries' payload, and
    each of its synapses adds ``w * r`` (deterministic mode only).

    Returns ``(h, out_t, out_i)``: the heap and the output arrays grow when full (possibly reallocated).
    ``stats``: [rounds, heap pops, synaptic arrivals, accepted input sums, spikes, transmitted arrivals].
    """
    n = nrn.S.shape[0]
    hn, nd, nx, head, qm = _cq_open(queue.h, queue.n[0])
    ob_t = np.empty(n, dtype=np.float64)  # self-crossing predictions of one round
    ob_i = np.empty(n, dtype=np.int64)
    h, hn, nd, nx, out_t, out_i, no, _, _ = _rounds(
        t_stop, nrn, graph, inp, queue.h, hn, nd, nx, head, qm, syn, pl, rec, rec.n_out[0], ob_t, ob_i,
        np.zeros((0, 0), dtype=np.int32), 0, np.empty((0, 3), dtype=np.float64))
    h, hn = _cq_flush(h, hn, nd, nx, head, qm)
    queue.n[0] = hn
    rec.n_out[0] = no
    return h, out_t, out_i


@njit(cache=True, inline="always")
def _sift_int(a, i, n):
    """Restore the max-heap order of ``a[:n]`` below ``i``."""
    x = a[i]
    while True:
        c = 2 * i + 1
        if c >= n:
            break
        if c + 1 < n and a[c + 1] > a[c]:
            c += 1
        if a[c] <= x:
            break
        a[i] = a[c]
        i = c
    a[i] = x


@njit(cache=True)
def _sort_prefix(a, n):
    """Sort ``a[:n]`` in place by heapsort (numba's ``sort`` needs its runtime, which
    :func:`_round_loop` runs without)."""
    for i in range(n // 2 - 1, -1, -1):
        _sift_int(a, i, n)
    for e in range(n - 1, 0, -1):
        x = a[0]
        a[0] = a[e]
        a[e] = x
        _sift_int(a, 0, e)


# The loop is split in two so that its hot part does no reference counting.  numba counts references
# to every array variable that is reassigned in a loop (the queue and the output grow) or bound to an
# inlined helper's parameter, with an atomic update at each use: about 95 per round, 12% of the
# samples at 10^6 neurons.  So :func:`_round_loop` never allocates nor reassigns an array and is
# compiled without numba's runtime (``_nrt=False``: no reference counts at all; it must then not
# allocate, nor return an array); when a push would not fit it saves where it is in the round and
# returns, and :func:`_rounds` grows what is short and calls it again.  The order of every operation,
# and so every bit, is that of one uninterrupted loop.

# the resume state ``rs`` (int64) between the two: heap size, spikes recorded, rows in ``box``, phase
# of the round, its touched neurons, spikes and new predictions, the position within the phase, and the
# room the phase needs (the round's time is ``rt[0]``)
_RS_HN, _RS_NO, _RS_NBOX, _RS_PHASE, _RS_TOUCH, _RS_SP, _RS_OB, _RS_POS, _RS_NEED = range(9)
# phases: before a round (settling the ring), popping (1c), drive changes (1d), queuing the new
# predictions, emitting the spikes (3), and the run's end
_PH_START, _PH_POP, _PH_DRIVE, _PH_PREDICT, _PH_EMIT, _PH_DONE = range(6)
# numba's option (not in its type stubs) to compile a function without its runtime
_WITHOUT_RUNTIME: dict[str, Any] = {"_nrt": False}


@njit(cache=True, inline="always")
def _fits(h, hn, nd, qm, k):
    """Room for ``k`` pushes (:func:`_cq_push`: each goes onto the heap or into a free pool node)."""
    return hn + k <= h.shape[0] and qm[COUNT] + k <= nd.shape[0]


@njit(cache=True)
def _make_room(h, hn, nd, nx, qm, k):
    """Double the heap and the node pool until :func:`_fits` ``k`` pushes; returns ``(h, nd, nx)``."""
    while hn + k > h.shape[0]:
        h = _grow(h)
    while qm[COUNT] + k > nd.shape[0]:
        nd, nx = _grow_pool(nd, nx)
    return h, nd, nx


@njit(cache=True)
def _rounds(t_stop, nrn, graph, inp, h, hn, nd, nx, head, qm, syn, pl, rec, no, ob_t, ob_i, cuts, part, box):
    """The rounds of :func:`run_events` (see there) on an open queue (heap ``h[:hn]`` and calendar ring).

    With ``cuts`` (``(P - 1, n_grp)``, from :func:`partition_cuts`; ``(0, 0)``: one partition) this is
    partition ``part`` of a threaded run (:func:`run_window`): a delivery reaches only its share of the
    group's synapses (:func:`_share`), and the round's spikes are appended to ``box`` as
    ``(t, i, payload)`` rows instead of pushing their groups.
    Returns ``(h, hn, nd, nx, out_t, out_i, no, box, n_box)``; the arrays may be reallocated.
    """
    rs = np.zeros(9, dtype=np.int64)
    rs[_RS_HN] = hn
    rs[_RS_NO] = no
    rs[_RS_PHASE] = _PH_START
    rt = np.zeros(1, dtype=np.float64)
    out_t, out_i = rec.out_t, rec.out_i
    while True:
        _round_loop(t_stop, nrn, graph, inp, h, nd, nx, head, qm, syn, pl, out_t, out_i, rec.stats, ob_t,
                    ob_i, cuts, part, box, rs, rt)
        if rs[_RS_PHASE] == _PH_DONE:
            break
        h, nd, nx = _make_room(h, rs[_RS_HN], nd, nx, qm, rs[_RS_NEED])
        if rs[_RS_PHASE] == _PH_EMIT:  # and for the spike: its output row, or its row in the box
            if rs[_RS_NO] == out_t.shape[0]:
                m = out_t.shape[0]
                nt = np.empty(max(2 * m, 64), dtype=np.float64)
                ni = np.empty(nt.shape[0], dtype=np.int32)
                nt[:m] = out_t
                ni[:m] = out_i
                out_t = nt
                out_i = ni
            if cuts.shape[0] > 0 and rs[_RS_NBOX] == box.shape[0]:
                box = _grow(box)
    return h, rs[_RS_HN], nd, nx, out_t, out_i, rs[_RS_NO], box, rs[_RS_NBOX]


@njit(cache=True, **_WITHOUT_RUNTIME)
def _round_loop(t_stop, nrn, graph, inp, h, nd, nx, head, qm, syn, pl, out_t, out_i, stats, ob_t, ob_i, cuts,
                part, box, rs, rt):
    """The rounds, from the point saved in ``rs`` / ``rt``, until ``t_stop`` (then the phase is
    ``_PH_DONE``) or until a push does not fit (then ``rs[_RS_NEED]`` is the room needed).  Allocates
    nothing and returns nothing (see above)."""
    model, S, tlist, slist = nrn.model, nrn.S, nrn.tlist, nrn.slist
    grp_ptr, grp_start, grp_delay = graph.grp_ptr, graph.grp_start, graph.grp_delay
    indices, weights, in_ptr, in_syn = graph.indices, graph.weights, graph.in_ptr, graph.in_syn
    ext_t, ext_i, ext_w, ext_pos = inp.ext_t, inp.ext_i, inp.ext_w, inp.ext_pos
    pois_target, pois_amp, pois_mean = inp.pois_target, inp.pois_amp, inp.pois_mean
    pois_k0, pois_k1, pois_dom, pois_count = inp.pois_k0, inp.pois_k1, inp.pois_dom, inp.pois_count
    chg_t, chg_i, chg_v, chg_pos = inp.chg_t, inp.chg_i, inp.chg_v, inp.chg_pos
    mode, w_scale, syn_k0, syn_k1, syn_id, nspk = syn.mode, syn.w_scale, syn.k0, syn.k1, syn.syn_id, syn.nspk
    lfsr, tap_mask, n_bits, n_mask, stp, Q = syn.lfsr, syn.tap_mask, syn.n_bits, syn.n_mask, syn.stp, syn.Q
    n_ext = ext_t.shape[0]
    n_chg = chg_t.shape[0]
    cp = chg_pos[0]
    inv_scale = 1.0 / w_scale if w_scale > 0.0 else 0.0
    ep = ext_pos[0]
    boxed = cuts.shape[0] > 0
    hn = rs[_RS_HN]
    no = rs[_RS_NO]
    n_box = rs[_RS_NBOX]
    phase = rs[_RS_PHASE]
    n_touch = rs[_RS_TOUCH]
    n_sp = rs[_RS_SP]
    n_ob = rs[_RS_OB]
    pos = rs[_RS_POS]
    t = rt[0]
    need = 0
    while True:
        if phase == _PH_START:
            # next instant
            hn = _cq_settle(h, hn, nd, nx, head, qm, grp_start, cuts, part)
            if head[qm[CUR] & _CQ_MASK] >= 0:  # the heap filled up while the ring's bucket moved onto it
                need = 1
                break
            t = math.inf
            if hn > 0:
                t = h[0, 0]
            if ep < n_ext and ext_t[ep] < t:
                t = ext_t[ep]
            if cp < n_chg and chg_t[cp] < t:
                t = chg_t[cp]
            if not (t < t_stop):
                phase = _PH_DONE
                break
            if qm[COUNT] == 0 and t * _CQ_INV_W < 2.0**62:
                qm[CUR] = max(qm[CUR], np.int64(t * _CQ_INV_W))  # an empty ring's window starts at t
            stats[0] += 1
            n_touch = 0
            n_sp = 0
            # (1a) SELF entries at t
            while hn > 0 and h[0, 0] == t and h[0, 1] < _SELF_END_F:
                _, k, p, hn = heap_pop(h, hn)
                stats[1] += 1
                i = np.int64(k)
                # once per instant, as for input in (2): a crossing predicted below the resolution of t
                # right after a spike at t (zero refractory) would otherwise fire at t forever
                if p == S[i, VER] and t != S[i, TSPK]:
                    ev_reset(model, S, i, t)
                    S[i, TSPK] = t
                    S[i, VER] += 1.0
                    slist[n_sp] = i
                    n_sp += 1
            # (1b) external events at t (array order)
            while ep < n_ext and ext_t[ep] == t:
                n_touch = _add_input(S, ext_i[ep], ext_w[ep], tlist, n_touch)
                ep += 1
            phase = _PH_POP
        if phase == _PH_POP:
            # (1c) Poisson and deliveries at t
            while hn > 0 and h[0, 0] == t:
                if not _fits(h, hn, nd, qm, 1):  # room for a Poisson generator's next spike
                    need = 1
                    break
                _, kf, p, hn = heap_pop(h, hn)
                stats[1] += 1
                _prefetch_next(h, hn, S, grp_start, indices, weights, False, cuts, part)
                k = np.int64(kf)
                if k >= _DELIV_BASE:
                    s0, s1 = _share(grp_start, cuts, part, k & _IDX_MASK)
                    if mode == 0:
                        # the targets' rows are random: prefetching a few synapses ahead overlaps the misses
                        _prefetch_rows(S, indices, s0, s1)
                        for s in range(s0, s1):
                            _prefetch_ahead(S, indices, s, s1)
                            w = np.float64(weights[s])
                            n_touch = _add_input(S, indices[s], w * p if stp else w, tlist, n_touch)
                        stats[5] += s1 - s0
                    else:
                        ordinal = uint64(p)  # the presynaptic spike ordinal
                        _prefetch_rows(S, indices, s0, s1)
                        for s in range(s0, s1):
                            _prefetch_ahead(S, indices, s, s1)
                            jump = _transmit(mode, syn_id[s], ordinal, weights[s], inv_scale, w_scale,
                                             syn_k0, syn_k1, lfsr, tap_mask, n_bits, n_mask)
                            if jump != 0.0:
                                n_touch = _add_input(S, indices[s], np.float64(jump), tlist, n_touch)
                                stats[5] += 1
                    stats[2] += s1 - s0
                else:
                    q = k & _IDX_MASK
                    n_touch = _add_input(S, pois_target[q], pois_amp[q], tlist, n_touch)
                    c = pois_count[q]
                    pois_count[q] = c + 1
                    tn = t + poisson_interval(pois_k0[q], pois_k1[q], pois_dom[q], uint64(c), pois_mean[q])
                    hn = _cq_push(h, hn, nd, nx, head, qm, tn, kf, 0.0)
            if need > 0:
                break
            phase = _PH_DRIVE
        if phase == _PH_DRIVE:
            # (1d) current changes at t (after the pops: a prediction at t made here goes to a later round)
            while cp < n_chg and chg_t[cp] == t:
                if not _fits(h, hn, nd, qm, 1):
                    need = 1
                    break
                j = chg_i[cp]
                ev_set_drive(model, S, j, t, chg_v[cp])
                S[j, VER] += 1.0
                tc = ev_crossing(model, S, j)
                if tc < math.inf:
                    hn = _cq_push(h, hn, nd, nx, head, qm, tc, float(j), S[j, VER])
                cp += 1
            if need > 0:
                break
            _prefetch_next(h, hn, S, grp_start, indices, weights, True, cuts, part)
            # (2) integrate the summed inputs
            n_ob = 0
            n_acc = 0  # a local count, not a memory update of stats[3] per accepted input
            n_sp0 = n_sp
            for r in range(n_touch):
                j = tlist[r]
                if r + _PF_TOUCHED < n_touch:
                    _prefetch(S, tlist[r + _PF_TOUCHED])
                x = S[j, ACC]
                S[j, ACC] = math.nan
                tu = S[j, TUPD]
                if t >= tu and t != S[j, TSPK]:
                    n_acc += 1
                    S[j, VER] += 1.0
                    if ev_input(model, S, j, t, x):
                        S[j, TSPK] = t  # the reset after the loop, once its parameters are loaded
                        slist[n_sp] = j
                        n_sp += 1
                        _prefetch_params(model, j)
                        _prefetch(nspk, j)  # read in step (3)
                        _prefetch(grp_ptr, j)
                    else:
                        tc = ev_crossing(model, S, j)
                        if tc < math.inf:
                            ob_t[n_ob] = tc
                            ob_i[n_ob] = j
                            n_ob += 1
                elif ev_held(model, S, j, t, x):  # held, but the input changed its state (ExpSynLIF's i_syn)
                    S[j, VER] += 1.0
                    tc = ev_crossing(model, S, j)  # from the end of the refractory period
                    if tc < math.inf:
                        ob_t[n_ob] = tc
                        ob_i[n_ob] = j
                        n_ob += 1
            stats[3] += n_acc
            # the reset reads the model's per-neuron parameters (LIF: v_reset, t_ref), a random miss each
            # at 10^6 neurons: done here, after the loop, the misses overlap it instead of stalling it
            # (each neuron is in the round's list once, so nothing above reads the state it resets);
            # grp_ptr[j], prefetched with them, gives the delay of its first group, a miss too
            for r in range(n_sp0, n_sp):
                j = slist[r]
                ev_reset(model, S, j, t)
                if not boxed:
                    _prefetch(grp_delay, grp_ptr[j])  # read in step (3)
            pos = 0
            phase = _PH_PREDICT
        if phase == _PH_PREDICT:
            # the new predictions are queued after the loop above, which thus has no queue operation
            if not _fits(h, hn, nd, qm, n_ob - pos):
                need = n_ob - pos
                break
            for r in range(pos, n_ob):
                j = ob_i[r]
                hn = _cq_push(h, hn, nd, nx, head, qm, ob_t[r], float(j), S[j, VER])
            if n_sp > 1:  # ascending: the output and STDP's update order do not depend on the event order
                _sort_prefix(slist, n_sp)
            # (2b) plasticity at the round's instant, from the traces before its increments
            if pl.on and n_sp > 0:
                _stdp_round(t, slist, n_sp, pl.P, grp_ptr, grp_start, indices, weights, in_ptr, in_syn,
                            pl.tau_plus, pl.tau_minus, pl.rule, pl.a_plus, pl.a_minus, pl.w_max, pl.clip,
                            pl.nearest)
            pos = 0
            phase = _PH_EMIT
        if phase == _PH_EMIT:
            # (3) emit the round's spikes
            while pos < n_sp:
                i = slist[pos]
                m = 1 if boxed else grp_ptr[i + 1] - grp_ptr[i] + 1  # its pushes: deliveries, prediction
                if no == out_t.shape[0] or (boxed and n_box == box.shape[0]) or not _fits(h, hn, nd, qm, m):
                    need = m
                    break
                out_t[no] = t
                out_i[no] = i
                no += 1
                pay = stp_release(Q, i, t) if stp else float(nspk[i])
                if boxed:  # the window's spikes go to every partition between windows (_ingest)
                    box[n_box, 0] = t
                    box[n_box, 1] = i
                    box[n_box, 2] = pay
                    n_box += 1
                else:
                    for g in range(grp_ptr[i], grp_ptr[i + 1]):
                        hn = _cq_push(h, hn, nd, nx, head, qm, t + grp_delay[g], float(_DELIV_BASE + g), pay)
                nspk[i] += 1
                tc = ev_crossing(model, S, i)
                if tc < math.inf:
                    hn = _cq_push(h, hn, nd, nx, head, qm, tc, float(i), S[i, VER])
                pos += 1
            if need > 0:
                break
            stats[4] += n_sp
            phase = _PH_START
    ext_pos[0] = ep
    chg_pos[0] = cp
    rs[_RS_HN] = hn
    rs[_RS_NO] = no
    rs[_RS_NBOX] = n_box
    rs[_RS_PHASE] = phase
    rs[_RS_TOUCH] = n_touch
    rs[_RS_SP] = n_sp
    rs[_RS_OB] = n_ob
    rs[_RS_POS] = pos
    rs[_RS_NEED] = need
    rt[0] = t


# --------------------------------------------------------------------------- threads
#
# A threaded run partitions the neurons into ranges of indices and simulates windows of the smallest
# synaptic delay ``d_min``: a spike at ``t >= W`` reaches its targets at ``t + d >= W + d_min`` (rounding is
# monotone), so within ``[W, W + d_min)`` no partition affects another and each runs the rounds of its own
# neurons from its own queue, in parallel.  Between windows every partition pushes the deliveries of the
# window's spikes (all partitions' boxes) that reach it.  Per neuron the inputs, their summation order and
# the maths are those of the sequential loop, so the spikes and states are bit-identical.


@njit(cache=True)
def partition_cuts(grp_start, indices, bounds):
    """Where each delivery group's targets (ascending) cross the partition boundaries ``bounds[1:-1]``.

    Returns ``(P - 1, n_grp)`` int32 offsets into the group: partition ``p`` (neurons
    ``bounds[p]:bounds[p + 1]``) receives the group's synapses from offset ``cuts[p - 1, g]`` (0 for
    ``p = 0``) to ``cuts[p, g]`` (the group's end for the last partition).
    """
    m = bounds.shape[0] - 2
    n_grp = grp_start.shape[0] - 1
    cuts = np.empty((m, n_grp), dtype=np.int32)
    for g in range(n_grp):
        s0 = grp_start[g]
        s1 = grp_start[g + 1]
        for r in range(m):
            cuts[r, g] = _lower_bound(indices, s0, s1, bounds[r + 1]) - s0
    return cuts


@njit(cache=True, inline="always")
def _share(grp_start, cuts, part, g):
    """Synapses ``[s0, s1)`` of group ``g`` whose targets are in partition ``part`` (all of them without
    cuts)."""
    s0 = grp_start[g]
    s1 = grp_start[g + 1]
    m = cuts.shape[0]
    if m == 0:
        return s0, s1
    a = s0 + cuts[part - 1, g] if part > 0 else s0
    b = s0 + cuts[part, g] if part < m else s1
    return a, b


@njit(cache=True, inline="always")
def _prefetch_share(grp_start, cuts, part, g, far):
    """Prefetch what :func:`_share` reads for group ``g`` (its bounds, and its cuts in a threaded run):
    into level 1, or level 2 if ``far``."""
    if far:
        _prefetch_l2(grp_start, g)
    else:
        _prefetch(grp_start, g)
    for r in range(max(part - 1, 0), min(part + 1, cuts.shape[0])):
        if far:
            _prefetch_at_l2(cuts, r, g)
        else:
            _prefetch_at(cuts, r, g)


# spikes ahead in _ingest: their group pointers, then their groups' bounds, delays and cuts
_PF_SPIKES = 16


@njit(cache=True, **_WITHOUT_RUNTIME)
def _ingest_from(h, hn, nd, nx, head, qm, graph, inbox, cuts, part, r0):
    """Push the delivery groups of spikes ``inbox[r0:]`` that reach partition ``part``, until a spike's
    groups do not fit; returns ``(r, hn)``, ``r`` being the first spike not pushed.  Without numba's
    runtime (as :func:`_round_loop`): no reference counts per push."""
    grp_ptr, grp_start, grp_delay = graph.grp_ptr, graph.grp_start, graph.grp_delay
    nb = inbox.shape[0]
    for r in range(r0, nb):
        # the loads of later spikes in flight: a random miss each (changes no value)
        if r + _PF_SPIKES < nb:
            _prefetch(grp_ptr, np.int64(inbox[r + _PF_SPIKES, 1]))
        if r + _PF_SPIKES // 2 < nb:
            g2 = grp_ptr[np.int64(inbox[r + _PF_SPIKES // 2, 1])]
            _prefetch_share(grp_start, cuts, part, g2, False)
            _prefetch(grp_delay, g2)
        t = inbox[r, 0]
        i = np.int64(inbox[r, 1])
        pay = inbox[r, 2]
        if not _fits(h, hn, nd, qm, grp_ptr[i + 1] - grp_ptr[i]):
            return r, hn
        for g in range(grp_ptr[i], grp_ptr[i + 1]):
            s0, s1 = _share(grp_start, cuts, part, g)
            if s1 > s0:
                hn = _cq_push(h, hn, nd, nx, head, qm, t + grp_delay[g], float(_DELIV_BASE + g), pay)
    return nb, hn


@njit(cache=True)
def _ingest(h, hn, nd, nx, head, qm, graph, inbox, cuts, part):
    """Push the delivery groups of the spikes ``inbox`` (``(t, i, payload)`` rows) that reach partition
    ``part`` (a non-empty :func:`_share`).  Returns ``(h, hn, nd, nx)``; the heap and the node pool
    double when a spike's groups do not fit."""
    r, hn = _ingest_from(h, hn, nd, nx, head, qm, graph, inbox, cuts, part, 0)
    while r < inbox.shape[0]:
        i = np.int64(inbox[r, 1])
        h, nd, nx = _make_room(h, hn, nd, nx, qm, graph.grp_ptr[i + 1] - graph.grp_ptr[i])
        r, hn = _ingest_from(h, hn, nd, nx, head, qm, graph, inbox, cuts, part, r)
    return h, hn, nd, nx


@njit(cache=True, nogil=True)
def run_window(t_stop, nrn, graph, inp, h, hn, nd, nx, head, qm, syn, pl, rec, no, ob_t, ob_i, cuts, part,
               box, inbox):
    """One partition's window of a threaded run (releases the GIL): :func:`_ingest` ``inbox``, then the
    rounds of events ``< t_stop`` of partition ``part``'s neurons (``pl.on`` must be False); the window's
    spikes go to ``box``.

    The queue is open (heap ``h[:hn]`` and calendar ring ``nd, nx, head, qm``, as from :func:`open_queue`);
    ``nrn.tlist``, ``nrn.slist``, ``ob_t`` and ``ob_i`` are this partition's scratch (one entry per neuron
    of the partition).  Returns ``(h, hn, nd, nx, out_t, out_i, no, box, n_box)``.
    """
    h, hn, nd, nx = _ingest(h, hn, nd, nx, head, qm, graph, inbox, cuts, part)
    return _rounds(t_stop, nrn, graph, inp, h, hn, nd, nx, head, qm, syn, pl, rec, no, ob_t, ob_i, cuts, part,
                   box)


#: the calendar queue's set-up and heap order, by their public names for the threaded runs
open_queue = _cq_open
heapify = _heapify


@njit(cache=True)
def split_queue(h, hn, pois_target, grp_start, cuts, bounds):
    """The pending entries ``h[:hn]`` by partition: ``(out, off)``, partition ``p``'s entries being
    ``out[off[p]:off[p + 1]]`` (in heap order).  A neuron's self-crossing goes to its partition, a Poisson
    generator's next spike to its target's, a delivery to every partition with a non-empty share."""
    P = bounds.shape[0] - 1
    dest = np.empty(hn, dtype=np.int64)  # the partition of a neuron's entry; -1: a delivery
    for r in range(hn):
        k = np.int64(h[r, 1])
        kind = k >> KIND_SHIFT
        idx = k & _IDX_MASK
        if kind == KIND_DELIV:
            dest[r] = -1
        else:
            dest[r] = pois_target[idx] if kind == KIND_POIS else idx
    off = np.zeros(P + 1, dtype=np.int64)
    for r in range(hn):
        j = dest[r]
        if j >= 0:
            p = 0
            while j >= bounds[p + 1]:
                p += 1
            dest[r] = p
            off[p + 1] += 1
        else:
            g = np.int64(h[r, 1]) & _IDX_MASK
            for p in range(P):
                s0, s1 = _share(grp_start, cuts, p, g)
                if s1 > s0:
                    off[p + 1] += 1
    for p in range(P):
        off[p + 1] += off[p]
    out = np.empty((off[P], 3), dtype=np.float64)
    fill = off[:P].copy()
    for r in range(hn):
        if dest[r] >= 0:
            p = dest[r]
            out[fill[p]] = h[r]
            fill[p] += 1
        else:
            g = np.int64(h[r, 1]) & _IDX_MASK
            for p in range(P):
                s0, s1 = _share(grp_start, cuts, p, g)
                if s1 > s0:
                    out[fill[p]] = h[r]
                    fill[p] += 1
    return out, off


@njit(cache=True)
def merge_queue(dst, m, h, hn, nd, nx, head, qm, grp_start, cuts, part):
    """Append partition ``part``'s pending entries (heap and ring) to ``dst[:m]`` (which has room),
    keeping a delivery only in the first partition it reaches; returns the new ``m``.  ``dst`` is not
    heap-ordered afterwards (:func:`heapify` it once all partitions are in)."""
    h, hn = _cq_drain(h, hn, nd, nx, head, qm)
    for r in range(hn):
        k = np.int64(h[r, 1])
        if k >> KIND_SHIFT == KIND_DELIV:
            g = k & _IDX_MASK
            first = 0
            while True:
                s0, s1 = _share(grp_start, cuts, first, g)
                if s1 > s0:
                    break
                first += 1
            if first != part:
                continue
        dst[m, 0] = h[r, 0]
        dst[m, 1] = h[r, 1]
        dst[m, 2] = h[r, 2]
        m += 1
    return m


@njit(cache=True)
def merge_spikes(ta, ia, tb, ib):
    """Merge two spike lists sorted by ``(time, neuron)`` into one (ties cannot occur: one neuron, one
    partition)."""
    na = ta.shape[0]
    nb = tb.shape[0]
    t = np.empty(na + nb, dtype=np.float64)
    i = np.empty(na + nb, dtype=np.int32)
    a = 0
    b = 0
    for r in range(na + nb):
        if b == nb or (a < na and (ta[a] < tb[b] or (ta[a] == tb[b] and ia[a] < ib[b]))):
            t[r] = ta[a]
            i[r] = ia[a]
            a += 1
        else:
            t[r] = tb[b]
            i[r] = ib[b]
            b += 1
    return t, i


@njit(cache=True, inline="always")
def trace_at(x, t_last, t, tau):
    """Trace value ``x * exp(-(t - t_last) / tau)`` (0 for a neuron that never spiked: ``x = 0``)."""
    if x == 0.0:
        return 0.0
    return x * math.exp(-(t - t_last) / tau)


@njit(cache=True)
def _stdp_round(t, slist, n_sp, P, grp_ptr, grp_start, indices, weights, in_ptr, in_syn,
                tau_plus, tau_minus, rule, a_plus, a_minus, w_max, clip, nearest):
    """Pair-based STDP for the spikes ``slist[:n_sp]`` (ascending) at time ``t``."""
    for r in range(n_sp):
        i = slist[r]
        # pre spike: depression from the targets' post traces
        for s in range(grp_start[grp_ptr[i]], grp_start[grp_ptr[i + 1]]):
            j = indices[s]
            y = np.float32(trace_at(P[j, 1], P[j, 2], t, tau_minus))
            if y != 0.0:
                weights[s] = _update(weights[s], -y, rule, a_plus, a_minus, w_max, clip)
        # post spike: potentiation from the sources' pre traces (in_syn holds (source, synapse) pairs)
        for r2 in range(in_ptr[i], in_ptr[i + 1]):
            k = in_syn[r2, 0]
            s = in_syn[r2, 1]
            y = np.float32(trace_at(P[k, 0], P[k, 2], t, tau_plus))
            if y != 0.0:
                weights[s] = _update(weights[s], y, rule, a_plus, a_minus, w_max, clip)
    for r in range(n_sp):
        i = slist[r]
        if nearest:
            P[i, 0] = 1.0
            P[i, 1] = 1.0
        else:
            P[i, 0] = trace_at(P[i, 0], P[i, 2], t, tau_plus) + 1.0
            P[i, 1] = trace_at(P[i, 1], P[i, 2], t, tau_minus) + 1.0
        P[i, 2] = t


@njit(cache=True)
def poisson_first_times(t, k0, k1, dom, mean):
    """``t`` plus the first interval (draw 0) of each generator (:func:`poisson_interval`)."""
    out = np.empty(k0.shape[0], dtype=np.float64)
    for r in range(k0.shape[0]):
        out[r] = t + poisson_interval(k0[r], k1[r], dom[r], uint64(0), mean[r])
    return out


@njit(cache=True)
def push_many(h, n, times, keys, payloads):
    """Push every ``(times[q], keys[q], payloads[q])`` (``h`` must have room); returns the new size."""
    for q in range(times.shape[0]):
        n = heap_push(h, n, times[q], keys[q], payloads[q])
    return n
