"""Seed handling: one place that turns user seeds into counter-hash keys.

Follows numpy's SeedSequence guidance: user input (None, int, SeedSequence,
Generator) is normalised by :func:`numpy.random.default_rng`; independent
children come from ``spawn``, never from ``seed + i`` arithmetic.  Nothing here
touches numpy's global random state.
"""

from __future__ import annotations

import numpy as np

SeedLike = None | int | np.integer | np.random.SeedSequence | np.random.Generator

__all__ = ["SeedLike", "key_from_seed", "spawn_keys", "spawn_generators"]


def _check_seed(seed: object, name: str) -> None:
    if isinstance(seed, bool) or not (
        seed is None
        or isinstance(seed, (int, np.integer, np.random.SeedSequence, np.random.Generator))
    ):
        raise TypeError(
            f"{name} must be None, an int, a numpy SeedSequence or a numpy Generator; "
            f"got {type(seed).__name__} {seed!r}"
        )
    if isinstance(seed, (int, np.integer)) and seed < 0:
        raise ValueError(f"{name} must be a non-negative integer; got {seed}")


def key_from_seed(seed: SeedLike, name: str = "seed") -> np.ndarray:
    """Two uint64 words keying the counter hash, drawn from ``default_rng(seed)``.

    Returns
    -------
    numpy.ndarray
        Shape (2,), dtype uint64.
    """
    _check_seed(seed, name)
    rng = np.random.default_rng(seed)
    return rng.integers(0, np.iinfo(np.uint64).max, size=2, dtype=np.uint64, endpoint=True)


def spawn_generators(seed: SeedLike, n: int, name: str = "seed") -> list[np.random.Generator]:
    """``n`` statistically independent Generators spawned from ``seed``."""
    _check_seed(seed, name)
    return np.random.default_rng(seed).spawn(n)


def spawn_keys(seed: SeedLike, n: int, name: str = "seed") -> np.ndarray:
    """Keys of ``n`` independent children of ``seed``; shape (n, 2), dtype uint64.

    Child ``i`` equals ``key_from_seed(child_i)`` where ``child_i`` is the i-th
    Generator spawned from ``default_rng(seed)``, so one member of a population
    can be rebuilt alone from its parent seed.
    """
    keys = np.empty((n, 2), dtype=np.uint64)
    for i, child in enumerate(spawn_generators(seed, n, name)):
        keys[i] = key_from_seed(child)
    return keys
