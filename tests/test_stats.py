"""The statistical helpers of ``tests/_stats.py`` and the suite's test configuration.

Each bound is checked against its definition with exact arithmetic (no sampling), the ledger
and the session budget are checked end to end, and the ``ci`` hypothesis profile is checked
to draw the same examples in two separate processes.
"""

from __future__ import annotations

import math
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import _stats
import numpy as np
import pytest
from _stats import (
    ALPHA,
    assert_binomial,
    assert_poisson,
    bernstein_halfwidth,
    binomial_deviation,
    chernoff_mean_range,
    clopper_pearson,
)
from hypothesis import settings
from scipy import stats

TESTS = Path(__file__).resolve().parent


@pytest.mark.parametrize("n", [1, 2, 7, 50, 477])
@pytest.mark.parametrize("alpha", [0.05, 1e-10])
def test_clopper_pearson_is_the_inverted_exact_test(n: int, alpha: float) -> None:
    # p is inside [lo, hi] exactly when neither tail of Binomial(n, p) at k is <= alpha / 2
    k = np.arange(n + 1)
    lo, hi = clopper_pearson(k, n, alpha)
    for j in k:
        if j > 0:
            assert stats.binom.sf(j - 1, n, lo[j]) == pytest.approx(alpha / 2, rel=1e-6)
        else:
            assert lo[j] == 0.0
        if j < n:
            assert stats.binom.cdf(j, n, hi[j]) == pytest.approx(alpha / 2, rel=1e-6)
        else:
            assert hi[j] == 1.0


@pytest.mark.parametrize("n", [1, 10, 477, 4096])
def test_clopper_pearson_coverage_for_every_p(n: int) -> None:
    # exact coverage (a sum over k, no sampling) is >= 1 - alpha on a grid of p including p n << 1
    alpha = 0.01
    k = np.arange(n + 1)
    lo, hi = clopper_pearson(k, n, alpha)
    for p in [0.0, 1e-9, 4.94e-6, 1e-3, 0.1, 0.3, 0.5, 0.77, 1 - 1e-7, 1.0]:
        miss = stats.binom.pmf(k, n, p)[(p < lo) | (p > hi)].sum()
        assert miss <= alpha


def test_the_issue_case_is_a_likely_outcome_not_a_bug() -> None:
    # p = 4.94e-6, L = 477: one 1 in 477 bits happens with probability 2.4e-3 (1.3 % of suite runs
    # drew such a case), yet lies 4.2 binomial standard errors from p: the old 5-SE bound failed it
    p, n = 4.94e-6, 477
    assert 1 - (1 - p) ** n == pytest.approx(2.354e-3, rel=1e-3)
    assert abs(1 / n - p) > 5 * math.sqrt(p * (1 - p) / n)
    assert_binomial(1, n, p)
    assert_binomial(0, n, p)
    with pytest.raises(AssertionError, match="binomial count outside the exact"):
        assert_binomial(4, n, p)  # P(K >= 4) = 1.3e-12 < ALPHA / 2


@pytest.mark.parametrize(("n", "p"), [(1, 0.5), (477, 4.94e-6), (4096, 0.3), (10**6, 1e-4), (50, 1.0)])
def test_binomial_deviation_tails(n: int, p: float) -> None:
    d = binomial_deviation(n, p)
    # each tail beyond the deviation has probability <= alpha / 2
    assert stats.binom.cdf(math.ceil(n * (p - d)) - 1, n, p) <= ALPHA / 2
    assert stats.binom.sf(math.floor(n * (p + d) + 1e-9), n, p) <= ALPHA / 2


def test_binomial_deviation_with_slack_covers_every_nearby_p() -> None:
    n, p, s = 4096, 0.3, 1e-3
    d = binomial_deviation(n, p, slack=s)
    for q in (p - s, p, p + s):
        assert stats.binom.cdf(math.ceil(n * (p - d)) - 1, n, q) <= ALPHA / 2
        assert stats.binom.sf(math.floor(n * (p + d) + 1e-9), n, q) <= ALPHA / 2


@pytest.mark.parametrize(("v", "b"), [(0.0, 1.0), (1e-6, 1.0), (100.0, 0.5), (1e6, 2.0)])
def test_bernstein_halfwidth_solves_the_tail_bound(v: float, b: float) -> None:
    t = bernstein_halfwidth(v, b)
    assert 2 * math.exp(-(t**2) / (2 * v + 2 * b * t / 3)) == pytest.approx(ALPHA, rel=1e-9)


def test_chernoff_range_is_conservative_for_a_known_case() -> None:
    # the mean of n Bernoulli(p) draws: the exact tails beyond the Chernoff range are <= alpha / 2
    n, p = 1000, 0.3
    lo, hi = chernoff_mean_range([0.0, 1.0], np.log([1 - p, p]), n)
    assert stats.binom.cdf(math.ceil(n * lo) - 1, n, p) <= ALPHA / 2
    assert stats.binom.sf(math.floor(n * hi), n, p) <= ALPHA / 2
    assert lo < p < hi


def test_poisson_region_is_exact() -> None:
    mean = 100.0
    assert_poisson(100, mean)
    with pytest.raises(AssertionError, match="Poisson count"):
        assert_poisson(200, mean)  # P(X >= 200) = 9.3e-19


def test_ledger_counts_each_checked_element() -> None:
    before = dict(_stats.LEDGER)
    assert_binomial(np.array([10, 20, 30]), 100, 0.2)
    assert _stats.LEDGER["checks"] == before["checks"] + 3
    assert _stats.LEDGER["alpha"] == pytest.approx(before["alpha"] + 3 * ALPHA)


def _pytest_subprocess(tmp_path: Path, body: str, **env: str) -> subprocess.CompletedProcess[str]:
    test_file = tmp_path / "test_inner.py"
    test_file.write_text(textwrap.dedent(body))
    full_env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(TESTS), os.environ.get("PYTHONPATH", "")]),
                **env}
    # tests/conftest.py loaded as a plugin: the suite's profiles, ledger and budget
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "conftest", "-s", str(test_file)],
        env=full_env, capture_output=True, text=True, check=False, cwd=tmp_path,
    )


def test_session_over_the_budget_fails(tmp_path: Path) -> None:
    body = """
        import _stats

        def test_spends_too_much():
            _stats.spend(n=int(2 * _stats.BUDGET / _stats.ALPHA))
    """
    res = _pytest_subprocess(tmp_path, body)
    assert res.returncode == 1, res.stdout + res.stderr
    assert "1 passed" in res.stdout and "OVER BUDGET" in res.stdout


def test_ci_profiles_are_derandomized_and_local_profiles_random() -> None:
    for name, examples in (("ci", 60), ("nojit-ci", 5)):
        profile = settings.get_profile(name)
        assert profile.derandomize and profile.database is None and profile.max_examples == examples
    for name in ("random", "nojit", "dev"):
        assert not settings.get_profile(name).derandomize


def test_ci_profile_draws_the_same_examples_in_two_processes(tmp_path: Path) -> None:
    body = """
        from hypothesis import given, settings, strategies as st

        def test_draws():
            seen = []

            @given(st.integers(0, 2**63), st.floats(0, 1))
            def inner(i, x):
                seen.append((i, x))

            inner()
            assert settings.default.derandomize
            print("DRAWN", len(seen), repr(seen))
    """
    runs = [_pytest_subprocess(tmp_path, body, CI="true", NUMBA_DISABLE_JIT="0", PYTHONHASHSEED=str(h))
            for h in (1, 2)]
    drawn = []
    for res in runs:
        assert res.returncode == 0, res.stdout + res.stderr
        line = next(ln for ln in res.stdout.splitlines() if "DRAWN" in ln)
        drawn.append(line[line.index("DRAWN"):])
    assert drawn[0] == drawn[1]
    assert drawn[0].startswith("DRAWN 60 ")  # the ci profile's 60 examples
