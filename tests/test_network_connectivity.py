"""Connectivity builders vs plain-Python references, graph properties, dtypes, seeds and bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.sparse as sp
from _stats import assert_binomial, assert_gaussian_variance, assert_normal
from conftest import NOJIT
from hypothesis import given
from hypothesis import strategies as st

from sc_neurocore._kernels._hash import hash3_py
from sc_neurocore._rng import spawn_keys
from sc_neurocore.network import (
    Connectivity,
    Network,
    Population,
    ei_weights,
    erdos_renyi,
    from_arrays,
    from_scipy,
    watts_strogatz,
)


def _u01(k0: int, k1: int, dom: int, c: int) -> float:
    return (hash3_py(k0, k1, dom, c) >> 11) * (1.0 / 9007199254740992.0)


def er_reference(n: int, p: float, seed: int) -> list[list[int]]:
    """Rows of the Erdős–Rényi graph by geometric skipping, one neuron at a time (no self loops)."""
    k0, k1 = (int(x) for x in spawn_keys(seed, 2)[0])
    rows = []
    logq = math.log1p(-p) if p < 1.0 else -math.inf
    for i in range(n):
        j, c, row = -1, 0, []
        while True:
            u = _u01(k0, k1, i, c)
            c += 1
            g = 0.0 if p >= 1.0 else math.log1p(-u) / logq  # may be inf for a denormal p
            gap = n if g >= n else int(g)
            j += gap + 1
            if j >= n:
                break
            if j != i:
                row.append(j)
        rows.append(row)
    return rows


def ws_reference(n: int, k: int, p: float, seed: int) -> list[list[int]]:
    """Presynaptic sources of each neuron of the directed Watts–Strogatz graph (plain Python)."""
    k0, k1 = (int(x) for x in spawn_keys(seed, 2)[0])
    out = []
    for i in range(n):
        src = []
        for off in range(1, k // 2 + 1):
            src += [(i - off) % n, (i + off) % n]
        c = k
        for m in range(k):
            if k < n - 1 and _u01(k0, k1, i, m) < p:
                while True:
                    cand = hash3_py(k0, k1, i, c) % n
                    c += 1
                    if cand != i and cand not in src:
                        break
                src[m] = cand
        out.append(src)
    return out


@given(n=st.integers(2, 40), p=st.floats(0.0, 1.0), seed=st.integers(0, 2**32))
def test_erdos_renyi_matches_reference(n, p, seed):
    c = erdos_renyi(n, p, seed=seed)
    ref = er_reference(n, p, seed) if p > 0 else [[] for _ in range(n)]
    assert c.indptr.dtype == np.int32 and c.indices.dtype == np.int32
    assert c.weights.dtype == np.float32 and c.delays.dtype == np.int8
    for i in range(n):
        assert c.indices[c.indptr[i]: c.indptr[i + 1]].tolist() == ref[i]


def test_erdos_renyi_extremes_and_self_loops():
    full = erdos_renyi(7, 1.0, seed=0)
    assert full.nnz == 7 * 6 and np.all(full.in_degree() == 6)
    assert not np.any(full.pre() == full.indices)
    with_self = erdos_renyi(7, 1.0, allow_self=True, seed=0)
    assert with_self.nnz == 49
    assert erdos_renyi(7, 0.0, seed=0).nnz == 0
    rect = erdos_renyi(5, 1.0, n_post=3, seed=0)
    assert rect.nnz == 15 and rect.n_post == 3


@given(p=st.floats(0.001, 0.5), seed=st.integers(0, 2**32))
def test_erdos_renyi_synapse_count_binomial(p, seed):
    n = 60 if NOJIT else 300
    c = erdos_renyi(n, p, seed=seed)
    trials = n * (n - 1)
    # each ordered pair is a synapse independently with probability p (up to the 2^-53 grid of the
    # uniforms behind the geometric skips; 1e-9 is generous): exact Clopper-Pearson.
    # False failure <= 60 x 1e-10.
    assert_binomial(c.nnz, trials, p, slack=1e-9)


def test_seeds():
    a = erdos_renyi(200, 0.1, weight=0.5, weight_std=0.1, seed=3)
    b = erdos_renyi(200, 0.1, weight=0.5, weight_std=0.1, seed=3)
    c = erdos_renyi(200, 0.1, weight=0.5, weight_std=0.1, seed=4)
    assert np.array_equal(a.indptr, b.indptr) and np.array_equal(a.indices, b.indices)
    assert np.array_equal(a.weights, b.weights)
    assert not np.array_equal(a.indices[: min(a.nnz, c.nnz)], c.indices[: min(a.nnz, c.nnz)])
    w1 = watts_strogatz(100, 6, 0.3, seed=np.random.SeedSequence(9))
    w2 = watts_strogatz(100, 6, 0.3, seed=np.random.SeedSequence(9))
    assert np.array_equal(w1.indices, w2.indices)


@given(n=st.integers(3, 40), half=st.integers(1, 19), p=st.floats(0.0, 1.0), seed=st.integers(0, 2**32))
def test_watts_strogatz_matches_reference_and_in_degree_is_k(n, half, p, seed):
    k = 2 * half
    if k >= n:
        k = 2 * ((n - 1) // 2)
    c = watts_strogatz(n, k, p, seed=seed)
    ref = ws_reference(n, k, p, seed)
    edges = sorted((int(pre), int(post)) for pre, post in zip(c.pre(), c.indices, strict=True))
    ref_edges = sorted((pre, post) for post in range(n) for pre in ref[post])
    assert edges == ref_edges
    assert np.all(c.in_degree() == k)
    assert not np.any(c.pre() == c.indices)
    assert len(set(edges)) == len(edges)  # no duplicate synapses


def test_watts_strogatz_p0_is_the_ring_lattice():
    c = watts_strogatz(10, 4, 0.0, seed=1)
    for j in range(10):
        assert sorted(c.pre()[c.indices == j].tolist()) == sorted({(j - 1) % 10, (j + 1) % 10, (j - 2) % 10,
                                                                   (j + 2) % 10})
    assert np.all(c.out_degree() == 4)


def test_weights_and_ei():
    w = ei_weights(10, 8, 0.2, -0.7)
    assert np.array_equal(w, [0.2] * 8 + [-0.7] * 2)
    c = erdos_renyi(400, 0.2, weight=ei_weights(400, 320, 0.1, 0.5), seed=2)
    pre = c.pre()
    assert np.all(c.weights[pre < 320] == np.float32(0.1)) and np.all(c.weights[pre >= 320] == np.float32(-0.5))
    g = erdos_renyi(500, 0.2, weight=1.0, weight_std=0.25, seed=5)
    m = g.nnz
    w = g.weights.astype(np.float64)
    # N(1, 0.25^2) weights: exact normal tail for the mean (float32 rounding moves it by < 2^-22);
    # exact chi2(m - 1) for m times the sample variance.  False failure <= 2 x 1e-10.
    assert_normal(w.mean() - 1.0, 0.25 / math.sqrt(m), slack=2.0**-22)
    assert_gaussian_variance(w.var(), m, 0.25**2)


def test_from_arrays_keeps_row_order_and_delay_dtypes():
    c = from_arrays([2, 0, 2, 1, 0], [1, 2, 0, 0, 1], [0.1, 0.2, 0.3, 0.4, 0.5], [1, 2, 3, 4, 200], n_pre=3)
    assert c.indptr.tolist() == [0, 2, 3, 5]
    assert c.indices.tolist() == [2, 1, 0, 1, 0]
    np.testing.assert_array_equal(c.weights, np.float32([0.2, 0.5, 0.4, 0.1, 0.3]))
    assert c.delays.dtype == np.int16 and c.delays.tolist() == [2, 200, 4, 1, 3]
    assert from_arrays([0], [1], 1.0, 5, n_pre=2).delays.dtype == np.int8


def test_from_scipy_round_trip():
    rng = np.random.default_rng(0)
    dense = np.where(rng.random((30, 20)) < 0.2, rng.normal(size=(30, 20)), 0.0)
    m = sp.csr_matrix(dense)
    c = from_scipy(m, delay=3)
    assert (c.n_pre, c.n_post, c.nnz) == (30, 20, m.nnz)
    np.testing.assert_array_equal(c.to_scipy().toarray(), dense.astype(np.float32))
    assert np.all(c.delays == 3)


def test_connectivity_constructor_validates():
    c = Connectivity([0, 1, 2], [1, 0], [0.5, -0.5], [1, 2], 2)
    assert c.nnz == 2 and c.max_delay == 2


def test_bad_input():
    with pytest.raises(ValueError, match="p must"):
        erdos_renyi(10, 1.5)
    with pytest.raises(ValueError, match="p must"):
        erdos_renyi(10, -0.01)
    with pytest.raises(ValueError, match="p must"):
        watts_strogatz(10, 4, 1.1)
    with pytest.raises(ValueError, match="k must"):
        watts_strogatz(10, 3, 0.1)
    with pytest.raises(ValueError, match="k must"):
        watts_strogatz(10, 10, 0.1)
    with pytest.raises(ValueError, match="post must have the same shape"):
        from_arrays([0, 1], [1], 1.0, n_pre=3)
    with pytest.raises(ValueError, match="pre must be in"):
        from_arrays([0, 5], [1, 1], 1.0, n_pre=3)
    with pytest.raises(ValueError, match="post must be in"):
        from_arrays([0, 1], [1, -1], 1.0, n_pre=3)
    with pytest.raises(ValueError, match="weight must be finite"):
        from_arrays([0, 1], [1, 1], [1.0, np.nan], n_pre=3)
    with pytest.raises(ValueError, match="weight must be a scalar or have shape"):
        from_arrays([0, 1], [1, 1], [1.0, 2.0, 3.0], n_pre=3)
    with pytest.raises(ValueError, match="delay must"):
        from_arrays([0, 1], [1, 1], 1.0, delay=0, n_pre=3)
    with pytest.raises(ValueError, match="weight must be finite"):
        from_scipy(sp.csr_matrix(np.array([[0.0, np.nan], [1.0, 0.0]])))
    with pytest.raises(TypeError, match="matrix must be a scipy.sparse"):
        from_scipy(np.eye(3))
    with pytest.raises(ValueError, match="indices must be in"):
        Connectivity([0, 1, 2], [0, 5], [1.0, 1.0], [1, 1], 3)
    with pytest.raises(ValueError, match="weights must be finite"):
        Connectivity([0, 1, 2], [0, 1], [1.0, np.nan], [1, 1], 3)
    with pytest.raises(ValueError, match="indptr must"):
        Connectivity([0, 2, 1], [0, 1], [1.0, 1.0], [1, 1], 3)
    with pytest.raises(ValueError, match="connectivity must be 3 x 3"):
        Network(Population(3), erdos_renyi(4, 0.5, seed=0))
    with pytest.raises(ValueError, match="weight_std must"):
        erdos_renyi(10, 0.5, weight_std=-1.0)
