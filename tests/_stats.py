"""Shared hypothesis strategies and exact statistical bounds for the test suite.

Every statistical assertion in the suite goes through one of the ``assert_*`` helpers
below.  Each helper holds for every parameter value (no normal approximation): the
false-failure probability of one call is at most ``alpha`` per checked element, whatever
p, n or L are.  The helpers record what they spend in a ledger; ``conftest.py`` prints
the total at the end of the session and fails the run when it exceeds ``BUDGET``.

Ledger arithmetic (union bound): the suite fails falsely with probability at most
``sum(alpha over every executed elementary check)``.  With ``ALPHA = 1e-10`` per check, the
compiled pass (``ci`` profile, 60 hypothesis examples) made 1653 checks (1.65e-7) and the
``NUMBA_DISABLE_JIT`` pass (``nojit-ci``, 5 examples) 218 (2.2e-8): about 1.9e-7 for both
passes, within ``BUDGET = 1e-6``.  Each session prints its own total, and fails above the budget.

Bounds used:

- Binomial: the exact Clopper--Pearson interval (Beta quantiles),
  ``p in [B(a/2; k, n-k+1), B(1-a/2; k+1, n-k)]`` fails with probability <= a for all p.
- Sums of independent bounded terms: Bernstein, ``P(|S - E S| >= t) <= 2 exp(-t^2 / (2 V + 2 b t / 3))``
  with ``V >= Var S`` and ``|X_i - E X_i| <= b``; it keeps its ``b t / 3`` term, so it stays valid
  when ``V`` is tiny (``p L << 1``), where a normal "k standard errors" bound does not.
- Gaussian means: the exact normal tail; sample variances of Gaussians: the exact chi-square tail;
  Poisson counts: the exact Poisson tail.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from hypothesis import strategies as st
from scipy import stats

seeds = st.integers(0, 2**63 - 1)
probs = st.floats(0.0, 1.0, allow_nan=False)

#: false-failure probability of one elementary statistical check
ALPHA = 1e-10
#: the whole suite's false-failure budget (union bound over every executed check)
BUDGET = 1e-6

# elementary checks made and probability spent in this process (read by conftest)
LEDGER = {"checks": 0, "alpha": 0.0}


def _spend(alpha: float, n: int = 1) -> None:
    LEDGER["checks"] += n
    LEDGER["alpha"] += alpha * n


def clopper_pearson(k: Any, n: Any, alpha: float = ALPHA) -> tuple[np.ndarray, np.ndarray]:
    """Exact two-sided Clopper--Pearson interval for a binomial p given ``k`` successes in ``n`` trials.

    ``P(p not in [lo, hi]) <= alpha`` for every p in [0, 1].
    """
    k = np.asarray(k, dtype=np.float64)
    n = np.asarray(n, dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        lo = np.where(k > 0, stats.beta.ppf(alpha / 2, k, n - k + 1), 0.0)
        hi = np.where(k < n, stats.beta.isf(alpha / 2, k + 1, n - k), 1.0)
    return lo, hi


def assert_binomial(k: Any, n: Any, p: Any, *, slack: float = 0.0, alpha: float = ALPHA) -> None:
    """Assert that ``k`` successes of ``n`` Bernoulli(p) trials are consistent with p (exact test).

    ``slack`` widens the interval by a known bias of the true bit probability (e.g. the 2^-32
    quantisation of a comparator threshold): the true p' with ``|p' - p| <= slack`` is inside the
    Clopper--Pearson interval with probability >= 1 - alpha, so p is inside the widened one.
    Arrays are checked element-wise; each element costs ``alpha`` from the ledger.
    """
    k, n, p = np.broadcast_arrays(np.asarray(k), np.asarray(n), np.asarray(p, dtype=np.float64))
    assert np.all((k >= 0) & (k <= n)), f"counts out of range: k={k}, n={n}"
    lo, hi = clopper_pearson(k, n, alpha)
    _spend(alpha, k.size)
    ok = (lo - slack <= p) & (p <= hi + slack)
    assert np.all(ok), (
        f"binomial count outside the exact {alpha:g} interval: k={k[~ok]}, n={n[~ok]}, p={p[~ok]}, "
        f"interval=[{lo[~ok]}, {hi[~ok]}] +- {slack}"
    )


def assert_binomial_mean(est: Any, n: Any, p: Any, *, slack: float = 0.0, alpha: float = ALPHA) -> None:
    """:func:`assert_binomial` for a decoded density ``est = k / n``."""
    k = np.rint(np.asarray(est, dtype=np.float64) * np.asarray(n)).astype(np.int64)
    np.testing.assert_allclose(k / np.asarray(n), est, rtol=0, atol=1e-12)  # est really is k / n
    assert_binomial(k, n, p, slack=slack, alpha=alpha)


def binomial_deviation(n: int, p: float, alpha: float = ALPHA, *, slack: float = 0.0) -> float:
    """Largest ``|K/n - p|`` inside the exact acceptance region of K ~ Binomial(n, p').

    ``P(|K/n - p| > binomial_deviation(n, p, alpha, slack=s)) <= alpha`` (each tail <= alpha / 2)
    for every true ``p'`` with ``|p' - p| <= s``: the lower end is taken at ``p - s`` and the upper
    at ``p + s`` (a binomial count grows stochastically with p').  The caller spends the ``alpha``
    (see :func:`spend`).
    """
    p_lo, p_hi = max(p - slack, 0.0), min(p + slack, 1.0)
    lo = stats.binom.ppf(alpha / 2, n, p_lo)
    hi = stats.binom.isf(alpha / 2, n, p_hi)
    # guard against off-by-one rounding inside scipy: widen until each tail is provably <= alpha/2
    while lo > 0 and stats.binom.cdf(lo - 1, n, p_lo) > alpha / 2:
        lo -= 1
    while hi < n and stats.binom.sf(hi, n, p_hi) > alpha / 2:
        hi += 1
    return float(max(p - lo / n, hi / n - p))


def bernstein_halfwidth(variance: Any, bound: Any, alpha: float = ALPHA) -> Any:
    """Deviation ``t`` of a sum of independent terms with ``P(|S - E S| >= t) <= alpha``.

    Bernstein: ``P(|S - E S| >= t) <= 2 exp(-t^2 / (2 V + 2 b t / 3))`` for independent terms with
    ``|X_i - E X_i| <= b`` and ``sum Var X_i <= V``.  Solving ``2 exp(...) = alpha`` for t:
    ``t = b c / 3 + sqrt((b c / 3)^2 + 2 V c)``, ``c = ln(2 / alpha)``.
    """
    c = math.log(2.0 / alpha)
    bc3 = np.asarray(bound, dtype=np.float64) * c / 3.0
    return bc3 + np.sqrt(bc3**2 + 2.0 * np.asarray(variance, dtype=np.float64) * c)


def assert_bernstein(deviation: Any, variance: Any, bound: Any, *, slack: float = 0.0,
                     alpha: float = ALPHA) -> None:
    """Assert ``|S - E S| <= bernstein_halfwidth(V, b) + slack`` (element-wise, ``alpha`` each)."""
    dev = np.abs(np.asarray(deviation, dtype=np.float64))
    t = np.broadcast_to(bernstein_halfwidth(variance, bound, alpha), dev.shape)
    _spend(alpha, dev.size)
    ok = dev <= t + slack
    assert np.all(ok), f"deviation {dev[~ok]} above the Bernstein {alpha:g} bound {t[~ok]} + {slack}"


def assert_normal(deviation: Any, sd: Any, *, slack: float = 0.0, alpha: float = ALPHA) -> None:
    """Assert ``|X - E X| <= z sd + slack`` for a Gaussian X, ``z`` the exact two-sided normal quantile."""
    z = stats.norm.isf(alpha / 2)
    dev = np.abs(np.asarray(deviation, dtype=np.float64))
    _spend(alpha, dev.size)
    assert np.all(dev <= z * np.asarray(sd) + slack), f"|deviation| {dev} > {z:.3f} x sd {sd} + {slack}"


def assert_gaussian_variance(sample_var: float, n: int, sigma2: float = 1.0, *, alpha: float = ALPHA) -> None:
    """Assert a ``ddof=0`` sample variance of n iid N(mu, sigma2) draws: ``n s^2 / sigma2 ~ chi2(n - 1)``."""
    lo, hi = stats.chi2.ppf(alpha / 2, n - 1), stats.chi2.isf(alpha / 2, n - 1)
    _spend(alpha)
    x = n * sample_var / sigma2
    assert lo <= x <= hi, f"n s^2 / sigma^2 = {x} outside the exact chi2({n - 1}) {alpha:g} range [{lo}, {hi}]"


def assert_poisson(count: Any, mean: Any, *, alpha: float = ALPHA) -> None:
    """Assert that ``count`` is inside the exact two-sided acceptance region of Poisson(mean)."""
    count, mean = np.broadcast_arrays(np.asarray(count), np.asarray(mean, dtype=np.float64))
    _spend(alpha, count.size)
    ok = (stats.poisson.cdf(count, mean) > alpha / 2) & (stats.poisson.sf(count - 1, mean) > alpha / 2)
    assert np.all(ok), f"Poisson count {count[~ok]} improbable under mean {mean[~ok]} (alpha {alpha:g})"


def chernoff_mean_range(values: Any, log_weights: Any, trials: int, alpha: float = ALPHA) -> tuple[float, float]:
    """Exact-MGF Chernoff range for the mean of ``trials`` iid draws from a known finite distribution.

    The draws take ``values[j]`` with probability ``exp(log_weights[j])`` (logs, so that far tails
    which underflow as probabilities still count in the moment generating function).  Cramer--Chernoff:
    ``P(mean >= a) <= exp(-trials I(a))`` and ``P(mean <= b) <= exp(-trials I(b))`` with the rate
    ``I(a) = sup_l (l a - log E exp(l Y))``; the returned ``(b, a)`` solve ``trials I = ln(2 / alpha)``,
    so ``P(mean not in [b, a]) <= alpha``.  The caller spends the ``alpha`` (see :func:`spend`).
    """
    from scipy.optimize import brentq, minimize_scalar
    from scipy.special import logsumexp

    y = np.asarray(values, dtype=np.float64)
    logw = np.asarray(log_weights, dtype=np.float64)
    mu = float(np.exp(logw) @ y)
    scale = float(np.max(np.abs(y - mu))) or 1.0
    target = math.log(2.0 / alpha) / trials

    def rate(a: float) -> float:
        # sup over l of l a - log M(l), on the side of mu where a lies (concave in l)
        sign = 1.0 if a >= mu else -1.0
        res = minimize_scalar(
            lambda u: -(sign * u * a - logsumexp(logw + sign * u * y)),
            bounds=(0.0, 1e3 * trials / scale), method="bounded",
            options={"xatol": 1e-12 / scale},
        )
        return float(-res.fun)

    lo = float(y.min()) if rate(float(y.min())) <= target else brentq(lambda a: rate(a) - target, float(y.min()), mu)
    hi = float(y.max()) if rate(float(y.max())) <= target else brentq(lambda a: rate(a) - target, mu, float(y.max()))
    return lo, hi


def spend(alpha: float = ALPHA, n: int = 1) -> None:
    """Record ``n`` elementary checks made with a bound from :func:`binomial_deviation` by hand."""
    _spend(alpha, n)
