r"""Nonlinear and sequential SC units on packed streams (private).

Every unit has a bit-identical gate-level twin in ``hw_models`` (module
``hw_models._nonlinear``) whose Verilog is co-simulated in Icarus.  Expected
values, correlation requirements, bias and variance are tabulated in
``docs/sc_units_nonlinear.md``.  Notation: a unipolar stream of probability
:math:`p` has bipolar value :math:`x = 2p - 1`; :math:`K` is the number of FSM
states and :math:`r = p / (1 - p)`.

Saturating-counter FSMs (Brown & Card 2001) are birth-death chains with
stationary law :math:`\pi_i \propto r^i`, which gives the exact long-run
outputs quoted in each docstring.  Outputs start in a fixed reset state, so a
length-``L`` stream carries an ``O(K / L)`` start-up transient on top of that.
"""

from __future__ import annotations

from collections.abc import Callable
from math import comb
from typing import Any

import numpy as np

from sc_neurocore._kernels._nonlinear import (
    ABS,
    CORDIV,
    JK,
    SEXP,
    SQRT,
    STANH,
    apc_btanh_words,
    bernstein_words,
    fsm_words,
)
from sc_neurocore._validation import check_int

from ._gates import broadcast_words
from ._packing import check_length, check_words

__all__ = [
    "MAX_FSM_STATES",
    "apc_btanh",
    "bernstein",
    "bernstein_coefficients",
    "bernstein_poly",
    "cordiv",
    "fsm_abs",
    "fsm_sigmoid",
    "jk_divide",
    "sc_sqrt",
    "sexp",
    "stanh",
]

#: Largest FSM state count accepted by the counter units (a 16-bit state register).
MAX_FSM_STATES = 1 << 16


def _check_states(n_states: Any) -> int:
    k = check_int(n_states, "n_states", low=2, high=MAX_FSM_STATES)
    if k % 2:
        raise ValueError(f"n_states must be an even integer in [2, {MAX_FSM_STATES}]; got {k}")
    return k


def _run1(kind: int, x: Any, length: int, n_states: int, thr: int, init: int) -> np.ndarray:
    length = check_length(length)
    arr = check_words(x, "x", length)
    flat = arr.reshape(-1, arr.shape[-1])
    return fsm_words(flat, flat, kind, n_states, thr, init, length).reshape(arr.shape)


def _run2(kind: int, names: tuple[str, str], a: Any, b: Any, length: int) -> np.ndarray:
    length = check_length(length)
    (x, y), lead = broadcast_words({names[0]: a, names[1]: b}, length)
    return fsm_words(x, y, kind, 2, 0, 0, length).reshape(lead + (x.shape[1],))


def stanh(x: Any, length: int, n_states: int = 8) -> np.ndarray:
    r"""Stochastic tanh: the K-state saturating up/down counter FSM of Brown & Card (2001).

    B. D. Brown and H. C. Card, "Stochastic neural computation I:
    computational elements", IEEE Trans. Computers 50(9), 2001.  State
    :math:`s \in [0, K-1]` starts at :math:`K/2`, moves up on a 1 and down on
    a 0 (saturating); the output bit is :math:`s \ge K/2`.  For a Bernoulli
    input of bipolar value :math:`x` the long-run bipolar output is exactly

    .. math:: y = \frac{r^{K/2} - 1}{r^{K/2} + 1} = \tanh\!\big(\tfrac{K}{2}\,
              \operatorname{artanh} x\big) \approx \tanh\!\big(\tfrac{K}{2} x\big),

    (:math:`r = (1+x)/(1-x)`); the approximation error
    :math:`|\tanh(\frac K2 \operatorname{artanh} x) - \tanh(\frac K2 x)|` is
    tabulated in the docs.

    Parameters
    ----------
    x : numpy.ndarray of uint64, shape ``S + (W,)``
        Packed input streams (bipolar), ``W = ceil(length / 64)``.
    length : int
        Stream length in bits.
    n_states : int
        Even state count K in [2, 65536].

    Returns
    -------
    numpy.ndarray
        uint64, shape ``S + (W,)``: the output streams (bipolar).
    """
    k = _check_states(n_states)
    return _run1(STANH, x, length, k, k // 2, k // 2)


def fsm_sigmoid(x: Any, length: int, n_states: int = 8) -> np.ndarray:
    r"""Stochastic sigmoid: the :func:`stanh` FSM read as a unipolar stream (Brown & Card 2001).

    The long-run probability of a 1 is exactly
    :math:`P = r^{K/2} / (1 + r^{K/2}) = \sigma(\frac K2 \ln r)` with
    :math:`r = p/(1-p)`, i.e. :math:`\sigma(K \operatorname{artanh}(2p - 1))
    \approx \sigma(K (2p - 1))`.  Same parameters and circuit as :func:`stanh`.
    """
    return stanh(x, length, n_states)


def sexp(x: Any, length: int, n_states: int = 8, g: int = 2) -> np.ndarray:
    r"""Stochastic exponentiation FSM of Brown & Card (2001).

    Same K-state counter as :func:`stanh` (start :math:`K/2`); the output bit
    is :math:`s < K - G`.  Long-run unipolar output, exactly,

    .. math:: P = \frac{1 - r^{K-G}}{1 - r^K} \quad (P = (K-G)/K \text{ at } r = 1),

    which approximates :math:`e^{-2Gx}` for bipolar :math:`x \in [0, 1]`.

    Parameters
    ----------
    x, length, n_states :
        As in :func:`stanh`.
    g : int
        Number of top states that output 0, in [1, K-1].
    """
    k = _check_states(n_states)
    g = check_int(g, "g", low=1, high=k - 1)
    return _run1(SEXP, x, length, k, k - g, k // 2)


def fsm_abs(x: Any, length: int, n_states: int = 8) -> np.ndarray:
    r"""Bipolar absolute value: the :func:`stanh` counter passing ``x`` (upper half) or ``NOT x``.

    The output bit is the input bit in states :math:`s \ge K/2` and its
    complement below (the FSM absolute-value unit of Li, Lilja et al.,
    "Using stochastic computing to implement digital image processing
    algorithms", ICCD 2011).  The state is independent of the current input
    bit, so the long-run bipolar output is exactly
    :math:`y = x \tanh(\frac K2 \operatorname{artanh} x) \to |x|` as K grows.
    Parameters as in :func:`stanh`.
    """
    k = _check_states(n_states)
    return _run1(ABS, x, length, k, k // 2, k // 2)


def sc_sqrt(x: Any, length: int) -> np.ndarray:
    r"""Bit-inserting square root (unipolar): a JK flip-flop inserts a 1 after every input 1.

    After D. Wu, J. San Miguel et al., "In-stream correlation-based division and
    bit-inserting square root in stochastic computing", IEEE Design & Test
    2021.  Flag ``Q`` (reset 0): output ``Q | x``, next ``Q = ~Q & x``.  For
    a Bernoulli input of probability :math:`p` the long-run output is exactly
    :math:`P = 2p / (1 + p)`, which matches :math:`\sqrt p` at 0 and 1 with a
    largest error of 0.1349 (at p = 0.0874).  (No finite-state circuit fed by independent
    Bernoulli bits can do better in kind: its stationary output is a rational
    function of :math:`p`, and :math:`\sqrt p` is not rational.)
    """
    return _run1(SQRT, x, length, 2, 0, 0)


def cordiv(dividend: Any, divisor: Any, length: int) -> np.ndarray:
    r"""CORDIV division (Chen & Hayes): output the dividend bit when the divisor bit is 1, else repeat.

    T.-H. Chen and J. P. Hayes, "Design of division circuits for stochastic
    computing", ISVLSI 2016.  A MUX selected by the divisor and a D flip-flop
    (reset 0) holding the last output.  The inputs must be positively
    correlated (SCC = +1, e.g. comparator streams of one random source) with
    :math:`p_a \le p_b`; then the output after the first divisor 1 is
    :math:`P = p_a / p_b` exactly, and :math:`E[y_t] = (p_a/p_b)(1 - (1-p_b)^{t+1})`.
    """
    return _run2(CORDIV, ("dividend", "divisor"), dividend, divisor, length)


def jk_divide(a: Any, b: Any, length: int) -> np.ndarray:
    r"""JK flip-flop divider: ``J = a``, ``K = b``, output ``Q`` (reset 0).

    For independent Bernoulli inputs the long-run output is exactly
    :math:`P = p_a / (p_a + p_b)` (Gaines 1969, "Stochastic computing
    systems"; used for division by Chen & Hayes 2016); the start-up transient
    decays as :math:`(1 - p_a - p_b)^t`.
    """
    return _run2(JK, ("a", "b"), a, b, length)


def apc_btanh(x: Any, length: int, n_states: int) -> np.ndarray:
    r"""APC + Btanh accumulate-activate (Kim et al. 2016; Ren, Li et al., SC-DCNN 2017).

    K. Kim, J. Kim, J. Yu, J. Seo, J. Lee and K. Choi, "Dynamic
    energy-accuracy trade-off using stochastic computing in deep neural
    networks", DAC 2016 (Btanh); A. Ren, Z. Li et al., "SC-DCNN:
    highly-scalable deep convolutional neural network using stochastic
    computing", ASPLOS 2017.  Each cycle an accumulative parallel counter counts
    the ones :math:`c` of the ``M`` bipolar product streams, and a saturating
    counter in :math:`[0, K-1]` (start :math:`K/2`) moves by :math:`2c - M`;
    the output bit is :math:`s \ge K/2`, a bipolar stream approximating
    :math:`\tanh(\frac{K}{2M}\sum_j x_j)` (Kim et al. choose
    :math:`K \approx 2M` for :math:`\tanh(\sum x)`); the exact expectation is
    that of the Markov chain (docs).

    Parameters
    ----------
    x : numpy.ndarray of uint64, shape ``S + (M, W)``
        The M input streams of each neuron (M >= 1).
    length : int
        Stream length in bits.
    n_states : int
        Even state count K in [2, 65536].

    Returns
    -------
    numpy.ndarray
        uint64, shape ``S + (W,)``.
    """
    length = check_length(length)
    k = _check_states(n_states)
    arr = check_words(x, "x", length)
    if arr.ndim < 2:
        raise ValueError(f"x must have shape S + (M, W) with M input streams; got shape {arr.shape}")
    flat = arr.reshape((-1,) + arr.shape[-2:])
    return apc_btanh_words(flat, k, length).reshape(arr.shape[:-2] + (arr.shape[-1],))


def bernstein(x: Any, z: Any, length: int) -> np.ndarray:
    r"""ReSC Bernstein-polynomial unit (Qian & Riedel): output ``z[k]`` where ``k`` = ones among ``x``.

    W. Qian, X. Li, M. D. Riedel, K. Bazargan and D. J. Lilja, "An
    architecture for fault-tolerant computation with stochastic logic", IEEE
    Trans. Computers 60(1), 2011.  With ``N`` mutually independent streams of
    probability :math:`p` in ``x`` and ``N + 1`` coefficient streams of
    probabilities :math:`b_k` in ``z`` (independent of ``x``), each output bit
    is 1 with probability exactly

    .. math:: B(p) = \sum_{k=0}^{N} b_k \binom{N}{k} p^k (1-p)^{N-k}.

    Use :func:`bernstein_coefficients` to fit :math:`b` to a function.

    Parameters
    ----------
    x : numpy.ndarray of uint64, shape ``S + (N, W)``
        N >= 1 independent copies of the input.
    z : numpy.ndarray of uint64, shape ``S + (N + 1, W)``
        Coefficient streams.
    length : int
        Stream length in bits.

    Returns
    -------
    numpy.ndarray
        uint64, shape ``S + (W,)``.
    """
    length = check_length(length)
    xa = check_words(x, "x", length)
    za = check_words(z, "z", length)
    if xa.ndim < 2 or za.ndim < 2 or za.shape[:-2] != xa.shape[:-2] or za.shape[-2] != xa.shape[-2] + 1:
        raise ValueError(
            f"x and z must have shapes S + (N, W) and S + (N + 1, W); got {xa.shape} and {za.shape}")
    nw = xa.shape[-1]
    out = bernstein_words(xa.reshape((-1,) + xa.shape[-2:]), za.reshape((-1,) + za.shape[-2:]), length)
    return out.reshape(xa.shape[:-2] + (nw,))


def bernstein_poly(coeffs: Any, p: Any) -> np.ndarray:
    r"""Evaluate :math:`B(p) = \sum_k b_k \binom{N}{k} p^k (1-p)^{N-k}` (float64, shape of ``p``)."""
    b = np.asarray(coeffs, dtype=np.float64)
    if b.ndim != 1 or b.size < 1 or not np.all(np.isfinite(b)):
        raise ValueError(f"coeffs must be a non-empty 1-D array of finite numbers; got {coeffs!r}")
    q = np.asarray(p, dtype=np.float64)
    if not np.all((q >= 0) & (q <= 1)):
        raise ValueError(f"p must be in [0, 1]; got {p!r}")
    n = b.size - 1
    k = np.arange(n + 1)
    basis = np.array([comb(n, int(i)) for i in k], dtype=np.float64) * (
        q[..., None] ** k * (1.0 - q[..., None]) ** (n - k))
    return np.asarray(basis @ b)


def bernstein_coefficients(f: Callable[[np.ndarray], Any], degree: int, n_grid: int = 1025,
                           n_sweeps: int = 2000) -> np.ndarray:
    r"""Bernstein coefficients :math:`b \in [0, 1]^{N+1}` minimising :math:`\sum_g (B(p_g) - f(p_g))^2`.

    Least squares on ``n_grid`` equispaced points of [0, 1], constrained to
    :math:`0 \le b_k \le 1` (so every coefficient is a probability): a convex
    box-constrained quadratic program, solved by cyclic coordinate descent
    (each coordinate step is the exact clipped minimiser; ``n_sweeps`` sweeps).
    Qian & Riedel (2011) solve the same constrained problem in L2 norm.

    Parameters
    ----------
    f : callable
        Vectorised function on [0, 1] with values in [0, 1].
    degree : int
        Polynomial degree N in [1, 32].
    n_grid : int
        Grid points, in [degree + 1, 2^20].
    n_sweeps : int
        Coordinate-descent sweeps, in [1, 10^6].

    Returns
    -------
    numpy.ndarray
        float64, shape ``(N + 1,)``, entries in [0, 1].
    """
    if not callable(f):
        raise TypeError(f"f must be a callable on [0, 1]; got {type(f).__name__}")
    n = check_int(degree, "degree", low=1, high=32)
    m = check_int(n_grid, "n_grid", low=n + 1, high=1 << 20)
    sweeps = check_int(n_sweeps, "n_sweeps", low=1, high=10**6)
    grid = np.linspace(0.0, 1.0, m)
    target = np.asarray(f(grid), dtype=np.float64)
    if target.shape != grid.shape or not np.all(np.isfinite(target)):
        raise ValueError(f"f must return {m} finite values for the {m} grid points; got {target!r}")
    k = np.arange(n + 1)
    basis = np.array([comb(n, int(i)) for i in k], dtype=np.float64) * (
        grid[:, None] ** k * (1.0 - grid[:, None]) ** (n - k))
    h = basis.T @ basis
    g = basis.T @ target
    b = np.clip(np.linalg.lstsq(basis, target, rcond=None)[0], 0.0, 1.0)
    for _ in range(sweeps):
        for i in range(n + 1):
            b[i] = min(1.0, max(0.0, b[i] + (g[i] - h[i] @ b) / h[i, i]))
    return b
