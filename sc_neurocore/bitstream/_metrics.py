"""Metrics of stochastic streams: correlation, precision, error bounds, LFSR periods (private)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import lru_cache
from typing import Any, NamedTuple

import numpy as np

from sc_neurocore._kernels._bitops import joint_counts, prefix_popcount
from sc_neurocore._kernels._lfsr import lfsr_period as _lfsr_period_kernel
from sc_neurocore._taps import MAXIMAL_TAPS, tap_mask
from sc_neurocore._validation import check_bool, check_int, check_real, check_unit_array

from ._gates import broadcast_words
from ._packing import check_length, check_words

__all__ = [
    "ProgressivePrecision",
    "binomial_standard_error",
    "is_maximal_taps",
    "lfsr_period",
    "progressive_precision",
    "required_length",
    "scc",
]


def scc(a: Any, b: Any, length: int) -> Any:
    r"""Stochastic cross-correlation (Alaghi & Hayes 2013) of paired streams.

    With :math:`p_a, p_b` the densities of the two streams and :math:`p_{ab}`
    the density of ``a AND b``, :math:`\delta = p_{ab} - p_a p_b` and

    .. math::

        \mathrm{SCC} = \begin{cases}
            \dfrac{\delta}{\min(p_a, p_b) - p_a p_b} & \delta > 0 \\[1ex]
            \dfrac{\delta}{p_a p_b - \max(p_a + p_b - 1, 0)} & \delta \le 0
        \end{cases}

    so +1 means maximal overlap of the ones (identical streams, or one's ones
    inside the other's), -1 minimal overlap, and 0 the overlap expected of
    independent streams (then :math:`E[p_{ab}] = p_a p_b`; an AND computes
    the product only at SCC = 0).  The denominator is 0 exactly when a stream
    is constant (all 0 or all 1): every overlap is then both maximal and
    minimal, and we **define SCC = 0**.  Computed from integer counts, so
    identical non-constant streams give exactly 1.0.

    For independent Bernoulli streams SCC is approximately normal with mean 0
    and standard deviation about :math:`\sqrt{p_a p_b (1-p_a)(1-p_b)/L}`
    divided by the denominator used.

    Parameters
    ----------
    a, b : numpy.ndarray of uint64, shapes ``A + (W,)``, ``B + (W,)``
        Packed streams of ``length`` bits; leading axes broadcast.
    length : int
        Stream length in bits.

    Returns
    -------
    float or numpy.ndarray
        Values in [-1, 1], shape ``broadcast(A, B)``.
    """
    length = check_length(length)
    (x, y), lead = broadcast_words({"a": a, "b": b}, length)
    c = joint_counts(x, y)
    na, nb, nab = c[:, 0], c[:, 1], c[:, 2]
    if length < 2**31:
        # exact int64 arithmetic: every product is < 2^62
        L = np.int64(length)
        num = nab * L - na * nb
        den_pos = np.minimum(na, nb) * L - na * nb
        den_neg = na * nb - np.maximum(na + nb - L, 0) * L
    else:  # pragma: no cover - streams of >= 2^31 bits (256 MiB each)
        na_o, nb_o, nab_o = (v.astype(object) for v in (na, nb, nab))
        num = nab_o * length - na_o * nb_o
        den_pos = np.minimum(na_o, nb_o) * length - na_o * nb_o
        den_neg = na_o * nb_o - np.maximum(na_o + nb_o - length, 0) * length
    den = np.where(num > 0, den_pos, den_neg)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(den != 0, num.astype(np.float64) / np.where(den != 0, den, 1).astype(np.float64), 0.0)
    out = out.reshape(lead)
    return float(out) if out.ndim == 0 else out


class ProgressivePrecision(NamedTuple):
    """Result of :func:`progressive_precision`."""

    #: prefix lengths ``L_k`` (int64, increasing)
    lengths: np.ndarray
    #: running estimates ``ones(L_k) / L_k``, shape ``S + (K,)``
    estimates: np.ndarray
    #: absolute errors ``|estimate - target|``, shape ``S + (K,)``
    errors: np.ndarray


def progressive_precision(
    words: Any, length: int, target: Any = None, lengths: Any = None
) -> ProgressivePrecision:
    r"""Running estimate and its error versus prefix length (progressive precision).

    A stream has progressive precision when its prefixes are already good
    estimates: the error of :math:`\hat p(L_k) = \text{ones in bits } 0..L_k-1 / L_k`
    shrinks as :math:`L_k` grows, like :math:`\sqrt{p(1-p)/L_k}` for a
    Bernoulli stream and like :math:`1/L_k` for a Sobol stream.

    Parameters
    ----------
    words : numpy.ndarray of uint64, shape ``S + (ceil(L / 64),)``
        Packed streams.
    length : int
        Stream length ``L`` in bits.
    target : float or array_like, optional
        Value each stream encodes (broadcast to ``S``), in [0, 1].  Default:
        the full-length estimate, so the errors show convergence to it.
    lengths : array_like of int, optional
        Prefix lengths in [1, L] (sorted, duplicates removed).  Default: the
        powers of two below ``L`` and ``L`` itself.

    Returns
    -------
    ProgressivePrecision
        ``(lengths, estimates, errors)``.
    """
    length = check_length(length)
    x = check_words(words, "words", length)
    if lengths is None:
        ends = [1 << k for k in range(length.bit_length()) if (1 << k) < length] + [length]
        ends_arr = np.asarray(ends, dtype=np.int64)
    else:
        raw = np.asarray(lengths)
        if (
            raw.dtype == np.bool_
            or not np.issubdtype(raw.dtype, np.integer)
            or raw.ndim != 1
            or raw.size == 0
        ):
            raise TypeError(f"lengths must be a non-empty 1-d integer array; got {lengths!r}")
        if raw.min() < 1 or raw.max() > length:
            bad = raw[(raw < 1) | (raw > length)][0]
            raise ValueError(f"lengths must be integers in [1, {length}]; got {bad}")
        ends_arr = np.unique(raw.astype(np.int64))
    lead = x.shape[:-1]
    counts = prefix_popcount(x.reshape(-1, x.shape[-1]), ends_arr).reshape(lead + (ends_arr.size,))
    est = counts / ends_arr.astype(np.float64)
    if target is None:
        tgt = est[..., -1:]
    else:
        t = check_unit_array(target, "target")
        try:
            tgt = np.broadcast_to(t, lead)[..., None]
        except ValueError:
            raise ValueError(
                f"target must broadcast to the stream shape {lead}; got shape {t.shape}"
            ) from None
    return ProgressivePrecision(ends_arr, est, np.abs(est - tgt))


def binomial_standard_error(p: Any, length: Any) -> Any:
    r"""Standard error of the decoded value of a Bernoulli stream, :math:`\sqrt{p(1-p)/L}`.

    Parameters
    ----------
    p : float or array_like
        Probability in [0, 1].
    length : int or array_like of int
        Stream length(s) ``L >= 1``; broadcast against ``p``.

    Returns
    -------
    float or numpy.ndarray
        Standard error (same units as ``p``).
    """
    pa = check_unit_array(p, "p")
    la = np.asarray(length)
    if la.dtype == np.bool_ or not np.issubdtype(la.dtype, np.integer):
        raise TypeError(f"length must be an integer or integer array; got {type(length).__name__} {length!r}")
    if np.any(la < 1):
        raise ValueError(f"length must be integers >= 1; got {la[la < 1].reshape(-1)[0]}")
    try:
        np.broadcast_shapes(pa.shape, la.shape)
    except ValueError:
        raise ValueError(
            f"length must broadcast against p; got shapes {la.shape} (length) and {pa.shape} (p)"
        ) from None
    out = np.sqrt(pa * (1.0 - pa) / la.astype(np.float64))
    return float(out) if out.ndim == 0 else out


def required_length(eps: float, delta: float, p: float | None = None) -> int:
    r"""Shortest stream length with :math:`P(|\hat p - p| \ge \varepsilon) \le \delta` for Bernoulli streams.

    Distribution-free (``p=None``), Hoeffding's inequality
    :math:`P(|\hat p - p| \ge \varepsilon) \le 2 e^{-2 L \varepsilon^2}` gives

    .. math:: L_H = \left\lceil \frac{\ln(2/\delta)}{2\varepsilon^2} \right\rceil .

    With a known (or assumed) ``p``, Bernstein's inequality
    :math:`P \le 2\exp\!\left(-\frac{L\varepsilon^2}{2p(1-p) + 2\varepsilon/3}\right)`
    also holds and is much tighter near p = 0 or 1; the result is then
    :math:`\min(L_H, L_B)` with
    :math:`L_B = \lceil (2p(1-p) + 2\varepsilon/3) \ln(2/\delta) / \varepsilon^2 \rceil`.
    Both are rigorous upper bounds (never an asymptotic normal approximation),
    so the returned length always meets the guarantee; the exact binomial
    answer can be somewhat shorter.  Example: ``eps = 0.01, delta = 0.05``
    gives 18445.

    Parameters
    ----------
    eps : float
        Absolute error, in (0, 1).
    delta : float
        Failure probability, in (0, 1).
    p : float, optional
        Encoded probability in [0, 1]; None means unknown (worst case).

    Returns
    -------
    int
        Length ``L`` in bits.
    """
    eps = check_real(eps, "eps", low=0.0, high=1.0, low_open=True, high_open=True)
    delta = check_real(delta, "delta", low=0.0, high=1.0, low_open=True, high_open=True)
    log_term = math.log(2.0 / delta)
    n = math.ceil(log_term / (2.0 * eps * eps))
    if p is not None:
        pv = check_real(p, "p", low=0.0, high=1.0)
        nb = math.ceil((2.0 * pv * (1.0 - pv) + 2.0 * eps / 3.0) * log_term / (eps * eps))
        n = min(n, nb)
    return max(int(n), 1)


# --- LFSR polynomials --------------------------------------------------------------------


def _poly_mulmod(a: int, b: int, mod: int, deg: int) -> int:
    """a * b mod ``mod`` over GF(2) (polynomials as bit masks, ``deg`` = degree of mod)."""
    r = 0
    top = 1 << deg
    while b:
        if b & 1:
            r ^= a
        b >>= 1
        a <<= 1
        if a & top:
            a ^= mod
    return r


def _poly_powmod(e: int, mod: int, deg: int) -> int:
    """x^e mod ``mod`` over GF(2)."""
    result = 1
    base = 2  # the polynomial x (deg >= 3 here)
    while e:
        if e & 1:
            result = _poly_mulmod(result, base, mod, deg)
        base = _poly_mulmod(base, base, mod, deg)
        e >>= 1
    return result


def _prime_factors(n: int) -> list[int]:
    out = []
    d = 2
    while d * d <= n:
        if n % d == 0:
            out.append(d)
            while n % d == 0:
                n //= d
        d += 1 if d == 2 else 2
    if n > 1:
        out.append(n)
    return out


@lru_cache(maxsize=256)
def _primitive(width: int, taps: tuple[int, ...]) -> bool:
    """Whether the feedback polynomial of ``taps`` is primitive over GF(2) (period 2^n - 1).

    The register's characteristic polynomial is ``1 + sum_t x^(n - t)``, the
    reciprocal of ``x^n + sum_{t < n} x^t + 1``; both are primitive or neither.
    Primitive <=> ``x`` has multiplicative order exactly ``2^n - 1`` modulo the
    polynomial: ``x^(2^n - 1) = 1`` and ``x^((2^n - 1)/q) != 1`` for every prime
    ``q | 2^n - 1`` (an order of 2^n - 1 is impossible in a reducible ring).
    """
    if width not in taps or min(taps) < 1 or max(taps) > width:
        return False
    poly = (1 << width) | 1
    for t in taps:
        if t != width:
            poly ^= 1 << t
    order = (1 << width) - 1
    if _poly_powmod(order, poly, width) != 1:
        return False
    return all(_poly_powmod(order // q, poly, width) != 1 for q in _prime_factors(order))


def is_maximal_taps(width: int, taps: Sequence[int]) -> bool:
    """Whether an ``width``-bit Fibonacci LFSR with ``taps`` has the maximal period 2^n - 1.

    Decided algebraically (the feedback polynomial is primitive over GF(2)), so
    it is cheap for every width 3..32; the tests confirm it against
    :func:`lfsr_period` for the widths where a full period is cheap.

    Parameters
    ----------
    width : int
        Register width in [3, 32].
    taps : sequence of int
        Tap positions in [1, width] (``t`` XORs state bit ``t - 1`` into the feedback).

    Returns
    -------
    bool
        False also for tap sets without ``width`` (singular register map) or
        with entries outside [1, width] or repeated.
    """
    from ._encoders import check_width, tap_values

    width = check_width(width)
    vals = tap_values(taps)
    if len(set(vals)) != len(vals):
        return False
    return _primitive(width, tuple(sorted(vals, reverse=True)))


def lfsr_period(
    width: int, taps: Sequence[int] | None = None, seed: int = 1, zero_state: bool = False
) -> int:
    """Number of clocks until the LFSR of :func:`lfsr` returns to its seed, by running it.

    ``2^n - 1`` for maximal taps, ``2^n`` with ``zero_state=True``.  The run
    costs ``O(2^n)`` clocks (about 2^n nanoseconds compiled): cheap up to about
    width 28.

    Parameters
    ----------
    width : int
        Register width in [3, 32].
    taps : sequence of int, optional
        Any tap set containing ``width`` with entries in [1, width] (need not
        be maximal); default ``MAXIMAL_TAPS[width]``.
    seed : int
        Start state in [1, 2^n - 1].
    zero_state : bool
        Zero-state insertion (see :func:`lfsr`).

    Returns
    -------
    int
        The period.
    """
    from ._encoders import check_width

    width = check_width(width)
    if taps is None:
        t: tuple[int, ...] = MAXIMAL_TAPS[width]
    else:
        if isinstance(taps, (str, bytes)) or not isinstance(taps, (Sequence, np.ndarray)):
            raise TypeError(f"taps must be a sequence of ints; got {type(taps).__name__} {taps!r}")
        t = tuple(int(check_int(v, "taps entry", low=1, high=width)) for v in taps)
        if width not in t or len(set(t)) != len(t):
            raise ValueError(
                f"taps must be distinct integers in [1, {width}] including the width {width}; got {t}"
            )
    seed = check_int(seed, "seed", low=1, high=(1 << width) - 1)
    zero_state = check_bool(zero_state, "zero_state")
    # the map is invertible (tap n present), so the orbit of the seed is a cycle of length <= 2^n
    return int(_lfsr_period_kernel(seed, width, np.uint64(tap_mask(t)), bool(zero_state), 1 << width))

