"""Synaptic connectivity in CSR form and its builders (private; re-exported).

Rows are presynaptic neurons: the synapses of neuron ``i`` are
``indptr[i]:indptr[i+1]``, with targets ``indices``, weights ``weights``
(float32, jump added to the target's membrane potential) and delays ``delays``
(int8 or int16, in steps, >= 1: a spike emitted on step ``t`` arrives on step
``t + delay``).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .._kernels import _network as K
from .._memory import huge_pages
from .._rng import SeedLike, spawn_keys
from .._validation import check_bool, check_finite_array, check_int, check_real
from ._population import check_f32, frozen

__all__ = [
    "Connectivity",
    "erdos_renyi",
    "watts_strogatz",
    "from_scipy",
    "from_arrays",
    "ei_weights",
]

_MAX_DELAY = 32767
#: Neuron ids are int32 in the kernels and the CSR arrays.
_MAX_NEURONS = 2**31 - 1


def _check_n(value: Any, name: str, low: int = 1) -> int:
    return check_int(value, name, low=low, high=_MAX_NEURONS)




def _delay_dtype(max_delay: int) -> type[np.int8] | type[np.int16]:
    return np.int8 if max_delay <= 127 else np.int16


def _check_delay_scalar(delay: Any) -> int:
    return check_int(delay, "delay", low=1, high=_MAX_DELAY)


def _uniform_delays(nnz: int, delay: int) -> np.ndarray:
    """Delays of ``nnz`` synapses that all equal ``delay``: a read-only stride-0 view of one element.

    Indexing, reductions, comparisons and saving behave as for the full
    ``(nnz,)`` array, but it takes one byte instead of ``nnz``.
    """
    return np.broadcast_to(np.array(delay, dtype=_delay_dtype(delay)), (nnz,))


def _is_uniform(delays: np.ndarray) -> bool:
    """Whether ``delays`` is the uniform (stride-0) representation of :func:`_uniform_delays`."""
    return delays.ndim == 1 and delays.shape[0] > 0 and delays.strides[0] == 0


def _per_pre(value: Any, name: str, n_pre: int, *, nonneg: bool = False) -> np.ndarray:
    if np.ndim(value) == 0:
        v = check_real(value, name, low=0.0 if nonneg else None)
        check_f32(v, name)
        return np.full(n_pre, v, dtype=np.float64)
    arr = check_finite_array(value, name, ndim=1)
    if arr.shape != (n_pre,):
        raise ValueError(f"{name} must be a scalar or have shape ({n_pre},); got shape {arr.shape}")
    if nonneg and (arr < 0).any():
        i = int(np.argmax(arr < 0))
        raise ValueError(f"{name} must be >= 0; got {arr[i]} at index {i}")
    check_f32(arr, name)
    return arr


def _check_weights(value: Any, nnz: int) -> np.ndarray:
    """Weights as a new float32 array of shape ``(nnz,)``: finite and within the float32 range."""
    w = np.asarray(value)
    if w.shape != (nnz,):
        raise ValueError(f"weights must have shape ({nnz},); got shape {w.shape}")
    if w.dtype == np.float32:
        if not np.isfinite(w).all():
            i = int(np.argmax(~np.isfinite(w)))
            raise ValueError(f"weights must be finite; got {w[i]} at index {i}")
        return w.copy()
    w = check_finite_array(w, "weights")
    check_f32(w, "weights")
    return w.astype(np.float32)


def ei_weights(n_pre: int, n_exc: int, w_exc: float, w_inh: float) -> np.ndarray:
    """Per-presynaptic-neuron weights: ``+|w_exc|`` for rows ``< n_exc``, ``-|w_inh|`` after.

    Pass the result as ``weight=`` to a builder to get an E/I network obeying
    Dale's law.
    """
    n_pre = _check_n(n_pre, "n_pre")
    n_exc = check_int(n_exc, "n_exc", low=0, high=n_pre)
    we = abs(check_real(w_exc, "w_exc"))
    wi = abs(check_real(w_inh, "w_inh"))
    check_f32(we, "w_exc")
    check_f32(wi, "w_inh")
    out = np.full(n_pre, -wi, dtype=np.float64)
    out[:n_exc] = we
    return out


class Connectivity:
    """A CSR synapse matrix (rows = presynaptic, columns = postsynaptic neurons).

    Build it with :func:`erdos_renyi`, :func:`watts_strogatz`,
    :func:`from_scipy` or :func:`from_arrays`; the constructor validates raw
    CSR arrays (and copies them).

    The structure (``indptr``, ``indices``, ``delays``, ``n_post``) is
    immutable: read-only arrays that cannot be reassigned, so copies and
    networks share them safely and no later edit can send a kernel out of
    bounds.  ``weights`` is writable in place, and assigning
    ``conn.weights = w`` validates ``w`` (shape ``(nnz,)``, finite, float32
    range) and stores a float32 copy.

    Attributes
    ----------
    indptr, indices : ndarray of int32, read-only
        CSR row pointer (``n_pre + 1``) and postsynaptic neuron of each synapse (``nnz``).
    weights : ndarray of float32, shape (nnz,)
    delays : ndarray of int8 or int16, shape (nnz,), read-only
        Delay of each synapse in steps.  When every synapse has the same delay
        (the builders given a scalar ``delay``) this is a stride-0
        view of one element: it indexes, compares and saves like the full
        array but costs one byte instead of ``nnz`` (10 MB for 10^7 synapses).
    n_post : int
        Number of postsynaptic neurons.
    """

    def __init__(
        self,
        indptr: Any,
        indices: Any,
        weights: Any,
        delays: Any,
        n_post: int,
    ) -> None:
        indptr = np.asarray(indptr)
        indices = np.asarray(indices)
        if indptr.ndim != 1 or indptr.shape[0] < 2 or not np.issubdtype(indptr.dtype, np.integer):
            raise ValueError(f"indptr must be a 1-d integer array of length >= 2; got shape {indptr.shape}")
        if indptr[0] != 0 or (indptr[1:] < indptr[:-1]).any():  # not np.diff: it wraps for unsigned dtypes
            raise ValueError("indptr must start at 0 and be non-decreasing; got an invalid row pointer")
        n_post = _check_n(n_post, "n_post")
        if indptr.shape[0] - 1 > _MAX_NEURONS:
            raise ValueError(f"indptr must have at most {_MAX_NEURONS + 1} entries (int32 neuron ids); "
                             f"got {indptr.shape[0]}")
        nnz = int(indptr[-1])
        if nnz > np.iinfo(np.int32).max:
            raise ValueError(f"number of synapses must be < 2^31; got {nnz}")
        if indices.shape != (nnz,) or not np.issubdtype(indices.dtype, np.integer):
            raise ValueError(f"indices must be an integer array of shape ({nnz},); got shape {indices.shape}")
        if nnz and (indices.min() < 0 or indices.max() >= n_post):
            bad = int(indices.min() if indices.min() < 0 else indices.max())
            raise ValueError(f"indices must be in [0, {n_post - 1}]; got {bad}")
        w = _check_weights(weights, nnz)
        d = np.asarray(delays)
        if d.shape != (nnz,) or not np.issubdtype(d.dtype, np.integer):
            raise ValueError(f"delays must be an integer array of shape ({nnz},); got shape {d.shape}")
        if nnz and (d.min() < 1 or d.max() > _MAX_DELAY):
            bad = int(d.min() if d.min() < 1 else d.max())
            raise ValueError(f"delays must be in [1, {_MAX_DELAY}] steps; got {bad}")
        max_d = int(d.max()) if nnz else 1
        if _is_uniform(d):  # keep the one-element representation (e.g. delays of another Connectivity)
            d = _uniform_delays(nnz, max_d)
        else:
            d = np.array(d, dtype=_delay_dtype(max_d))
        # copies: the caller keeps no writable alias of the structure
        self._set(np.array(indptr, dtype=np.int32), np.array(indices, dtype=np.int32), w, d, n_post)

    def _set(self, indptr: np.ndarray, indices: np.ndarray, weights: np.ndarray, delays: np.ndarray,
             n_post: int) -> None:
        """Store valid arrays this object owns, freezing the structure."""
        self._indptr = frozen(indptr) if indptr.flags.writeable else indptr
        self._indices = frozen(indices) if indices.flags.writeable else indices
        self._delays = frozen(delays) if delays.flags.writeable else delays
        self._weights = weights
        self._n_post = n_post

    @classmethod
    def _trusted(cls, indptr: np.ndarray, indices: np.ndarray, weights: np.ndarray,
                 delays: np.ndarray, n_post: int) -> Connectivity:
        """Wrap valid arrays nobody else writes (kernel output, our own copies) without re-checking.

        The synapse arrays are put on huge pages (:func:`~sc_neurocore._memory.huge_pages`): the
        engines read them at random rows, and a kernel's output is not (numba's allocator asks for none).
        """
        huge_pages(indices)
        huge_pages(weights)
        self = cls.__new__(cls)
        self._set(indptr, indices, weights, delays, n_post)
        return self

    @property
    def indptr(self) -> np.ndarray:
        return self._indptr

    @property
    def indices(self) -> np.ndarray:
        return self._indices

    @property
    def delays(self) -> np.ndarray:
        return self._delays

    @property
    def n_post(self) -> int:
        return self._n_post

    @property
    def weights(self) -> np.ndarray:
        return self._weights

    @weights.setter
    def weights(self, value: Any) -> None:
        if not self._weights.flags.writeable:
            raise ValueError("weights are read-only in this Connectivity (a simulator's snapshot); "
                             "build a new network with the new weights")
        self._weights = _check_weights(value, self.nnz)

    @property
    def n_pre(self) -> int:
        return int(self.indptr.shape[0] - 1)

    @property
    def nnz(self) -> int:
        return int(self.indptr[-1])

    @property
    def max_delay(self) -> int:
        if not self.nnz:
            return 1
        return int(self.delays[0]) if _is_uniform(self.delays) else int(self.delays.max())

    def out_degree(self) -> np.ndarray:
        return np.diff(self.indptr).astype(np.int64)

    def in_degree(self) -> np.ndarray:
        return np.bincount(self.indices, minlength=self.n_post).astype(np.int64)

    def pre(self) -> np.ndarray:
        """Presynaptic index of every synapse (int32)."""
        return K.row_of_synapse(self.indptr)

    def to_scipy(self) -> Any:
        """``scipy.sparse.csr_matrix`` of the weights (duplicates summed by scipy on use)."""
        import scipy.sparse as sp

        return sp.csr_matrix((self.weights, self.indices, self.indptr), shape=(self.n_pre, self.n_post))

    def copy(self) -> Connectivity:
        """A Connectivity with its own (writable) copy of the weights; the immutable structure is shared."""
        return Connectivity._trusted(self.indptr, self.indices, self.weights.copy(), self.delays, self.n_post)

    def __repr__(self) -> str:
        return f"Connectivity(n_pre={self.n_pre}, n_post={self.n_post}, nnz={self.nnz})"


def _weights_for(indptr: np.ndarray, weight: Any, weight_std: Any, n_pre: int, key: np.ndarray) -> np.ndarray:
    mean = _per_pre(weight, "weight", n_pre)
    std = _per_pre(weight_std, "weight_std", n_pre, nonneg=True)
    out = np.empty(int(indptr[-1]), dtype=np.float32)
    K.fill_weights(key[0], key[1], indptr, mean.astype(np.float32), std.astype(np.float32), out)
    return out


def erdos_renyi(
    n_pre: int,
    p: float,
    *,
    n_post: int | None = None,
    weight: Any = 1.0,
    weight_std: Any = 0.0,
    delay: int = 1,
    allow_self: bool = False,
    seed: SeedLike = None,
) -> Connectivity:
    """Erdős–Rényi graph: every (pre, post) pair is a synapse independently with probability ``p``.

    Generated row by row with geometric skipping (O(nnz) hashes, no
    ``n_pre x n_post`` work), seeded through the counter hash, so the same seed
    gives the same graph on every machine.  The in-degree of each neuron is
    Binomial(n_pre - 1, p) without self connections (Binomial(n_pre, p) with).

    Parameters
    ----------
    n_pre : int
        Presynaptic neurons (also ``n_post`` unless given).
    p : float
        Connection probability in [0, 1].
    weight, weight_std : float or array (n_pre,)
        Weight of synapse ``s`` from row ``i``: ``weight[i] + weight_std[i] * N(0, 1)``
        (no clipping: a large std can flip signs).  See :func:`ei_weights`.
    delay : int
        Delay in steps (>= 1) of every synapse.
    allow_self : bool
        Allow ``i -> i`` synapses (only meaningful when ``n_post == n_pre``).
    seed : None, int, SeedSequence or Generator
    """
    n_pre = _check_n(n_pre, "n_pre")
    n_post = n_pre if n_post is None else _check_n(n_post, "n_post")
    p = check_real(p, "p", low=0.0, high=1.0)
    delay = _check_delay_scalar(delay)
    allow_self = check_bool(allow_self, "allow_self")
    keys = spawn_keys(seed, 2)
    self_ok = allow_self or n_post != n_pre
    if p == 0.0:
        indptr64 = np.zeros(n_pre + 1, dtype=np.int64)
        indices = np.zeros(0, dtype=np.int32)
    else:
        pairs = n_pre * (n_post - (0 if self_ok else 1))
        mean = pairs * p
        if mean > np.iinfo(np.int32).max:
            raise ValueError(f"number of synapses must be < 2^31; expected {mean:.3g} "
                             "(n_pre * n_post * p too large)")
        cap = int(mean + 8.0 * math.sqrt(mean * (1.0 - p)) + 64)  # outgrown with probability ~1e-15
        indptr64, buf, nnz = K.er_build(keys[0, 0], keys[0, 1], n_pre, n_post, p, self_ok, cap)
        indices = buf[:nnz] if buf.shape[0] <= 1.1 * nnz + 64 else buf[:nnz].copy()
    if indptr64[-1] > np.iinfo(np.int32).max:
        raise ValueError(f"number of synapses must be < 2^31; got {int(indptr64[-1])} "
                         "(n_pre * n_post * p too large)")
    indptr = indptr64.astype(np.int32)
    w = _weights_for(indptr, weight, weight_std, n_pre, keys[1])
    d = _uniform_delays(indices.shape[0], delay)
    return Connectivity._trusted(indptr, indices, w, d, n_post)


def watts_strogatz(
    n: int,
    k: int,
    p: float,
    *,
    weight: Any = 1.0,
    weight_std: Any = 0.0,
    delay: int = 1,
    seed: SeedLike = None,
) -> Connectivity:
    """Directed Watts–Strogatz small-world graph with in-degree exactly ``k``.

    Neuron ``i`` first receives from its ``k`` ring neighbours ``i +- 1 .. i +- k/2``;
    then each of these ``k`` presynaptic sources is independently rewired with
    probability ``p`` to a uniformly random neuron that is not ``i`` and not
    already a source of ``i``.  Every in-degree therefore stays ``k`` (no self
    loops, no duplicates); out-degrees vary once ``p > 0``.  With ``k = n - 1``
    the graph is complete and there is nothing to rewire.  (networkx's
    undirected version rewires an endpoint of each undirected edge, which does
    not keep degrees; we do not depend on networkx.)

    Parameters
    ----------
    n : int
        Number of neurons (>= 3).
    k : int
        Even in-degree, ``2 <= k < n``.
    p : float
        Rewiring probability in [0, 1].
    weight, weight_std, delay, seed
        As in :func:`erdos_renyi`.
    """
    n = _check_n(n, "n", low=3)
    k = check_int(k, "k", low=2)
    if k % 2 or k >= n:
        raise ValueError(f"k must be an even integer with 2 <= k < n = {n}; got {k}")
    p = check_real(p, "p", low=0.0, high=1.0)
    delay = _check_delay_scalar(delay)
    keys = spawn_keys(seed, 2)
    src = K.ws_sources(keys[0, 0], keys[0, 1], n, k, p)
    pre = src.reshape(-1)
    post = np.repeat(np.arange(n, dtype=np.int32), k)
    zero_w = np.zeros(pre.shape[0], dtype=np.float32)
    d = np.full(pre.shape[0], delay, dtype=_delay_dtype(delay))
    indptr, indices, _, _ = K.coo_to_csr(pre, post, zero_w, d, n)
    w = _weights_for(indptr, weight, weight_std, n, keys[1])
    return Connectivity._trusted(indptr, indices, w, _uniform_delays(indices.shape[0], delay), n)


def from_arrays(
    pre: Any,
    post: Any,
    weight: Any,
    delay: Any = 1,
    *,
    n_pre: int,
    n_post: int | None = None,
) -> Connectivity:
    """Connectivity from synapse lists ``pre[s] -> post[s]`` with ``weight[s]`` and ``delay[s]`` (steps).

    ``weight`` and ``delay`` may be scalars.  Synapses keep their input order
    within each presynaptic row; duplicates are separate synapses.
    """
    n_pre = _check_n(n_pre, "n_pre")
    n_post = n_pre if n_post is None else _check_n(n_post, "n_post")
    pre_a = np.asarray(pre)
    post_a = np.asarray(post)
    for name, a in (("pre", pre_a), ("post", post_a)):
        if a.ndim != 1 or (a.size and not np.issubdtype(a.dtype, np.integer)):
            raise ValueError(f"{name} must be a 1-d integer array; got shape {a.shape} dtype {a.dtype}")
    if pre_a.shape != post_a.shape:
        raise ValueError(f"post must have the same shape as pre {pre_a.shape}; got {post_a.shape}")
    m = pre_a.shape[0]
    if m and (pre_a.min() < 0 or pre_a.max() >= n_pre):
        bad = int(pre_a.min() if pre_a.min() < 0 else pre_a.max())
        raise ValueError(f"pre must be in [0, {n_pre - 1}]; got {bad}")
    if m and (post_a.min() < 0 or post_a.max() >= n_post):
        bad = int(post_a.min() if post_a.min() < 0 else post_a.max())
        raise ValueError(f"post must be in [0, {n_post - 1}]; got {bad}")
    if np.ndim(weight) == 0:
        wv = check_real(weight, "weight")
        check_f32(wv, "weight")
        w = np.full(m, wv, dtype=np.float32)
    else:
        w = check_finite_array(weight, "weight", ndim=1)
        if w.shape != (m,):
            raise ValueError(f"weight must be a scalar or have shape ({m},); got shape {w.shape}")
        check_f32(w, "weight")
        w = w.astype(np.float32)
    uniform = 0
    if np.ndim(delay) == 0:
        uniform = dv = _check_delay_scalar(delay)
        d = np.full(m, dv, dtype=_delay_dtype(dv))
    else:
        d_a = np.asarray(delay)
        if d_a.shape != (m,) or (m and not np.issubdtype(d_a.dtype, np.integer)):
            raise ValueError(f"delay must be an integer or an integer array of shape ({m},); "
                             f"got shape {d_a.shape}")
        if m and (d_a.min() < 1 or d_a.max() > _MAX_DELAY):
            bad = int(d_a.min() if d_a.min() < 1 else d_a.max())
            raise ValueError(f"delay must be in [1, {_MAX_DELAY}] steps; got {bad}")
        d = d_a.astype(_delay_dtype(int(d_a.max()) if m else 1))
    indptr, indices, ww, dd = K.coo_to_csr(
        np.ascontiguousarray(pre_a, dtype=np.int32), np.ascontiguousarray(post_a, dtype=np.int32),
        w, np.ascontiguousarray(d), n_pre)
    if uniform and m:
        dd = _uniform_delays(m, uniform)
    return Connectivity._trusted(indptr, indices, ww, dd, n_post)


def from_scipy(matrix: Any, delay: Any = 1) -> Connectivity:
    """Connectivity from a scipy.sparse matrix ``M[pre, post] = weight``.

    Explicitly stored entries become synapses (including stored zeros);
    ``delay`` is an int (steps) or an array matching the matrix's COO entries.
    """
    import scipy.sparse as sp

    if not sp.issparse(matrix):
        raise TypeError(f"matrix must be a scipy.sparse matrix; got {type(matrix).__name__}")
    if matrix.ndim != 2:
        raise ValueError(f"matrix must be 2-dimensional; got shape {matrix.shape}")
    coo = sp.coo_matrix(matrix)
    return from_arrays(coo.row.astype(np.int32), coo.col.astype(np.int32), coo.data, delay,
                       n_pre=int(coo.shape[0]), n_post=int(coo.shape[1]))
