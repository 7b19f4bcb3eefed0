"""Shared hypothesis strategies and statistical bounds for the bitstream tests."""

from __future__ import annotations

import math

from hypothesis import strategies as st

seeds = st.integers(0, 2**63 - 1)
probs = st.floats(0.0, 1.0, allow_nan=False)


def mean_tolerance(p: float, length: int) -> float:
    """Allowed |mean - p| for ``length`` independent Bernoulli(p) bits: 5 binomial standard errors,
    widened where needed to Bernstein's bound at failure probability 1e-5,
    P(|mean - p| >= eps) <= 2 exp(-L eps^2 / (2 p (1-p) + 2 eps / 3)), which stays rigorous when
    L p (1-p) is small and the normal approximation behind "5 SE" is not."""
    c = math.log(2.0 / 1e-5)
    var = p * (1.0 - p)
    bern = ((2 * c / 3) + math.sqrt((2 * c / 3) ** 2 + 8 * length * c * var)) / (2 * length)
    return max(5 * math.sqrt(var / length), bern)
