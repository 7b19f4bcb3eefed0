"""The huge-page hint: it changes no value, returns its argument and never raises."""

from __future__ import annotations

import numpy as np
import pytest

from sc_neurocore._memory import huge_pages
from sc_neurocore.network import _connectivity, erdos_renyi


def test_huge_pages_changes_no_value_and_returns_its_argument() -> None:
    a = np.arange(5_000_000, dtype=np.int32)  # 20 MB: above the 8 MiB threshold
    before = a.copy()
    assert huge_pages(a) is a
    np.testing.assert_array_equal(a, before)
    a[123] = -1  # still the caller's writable memory
    assert a[123] == -1


def test_huge_pages_skips_small_views_and_broadcasts() -> None:
    small = np.ones(10)
    assert huge_pages(small) is small
    strided = np.ones((4_000_000, 2))[:, 0]  # not contiguous: its memory is not its own block
    assert huge_pages(strided) is strided
    broadcast = np.broadcast_to(np.int8(3), (50_000_000,))  # stride 0: one byte of memory
    assert huge_pages(broadcast) is broadcast
    assert int(broadcast[-1]) == 3


def test_hinted_connectivity_equals_an_unhinted_one(monkeypatch: pytest.MonkeyPatch) -> None:
    # erdos_renyi's indices come from a kernel and are hinted on construction (19 MB here)
    c = erdos_renyi(20_000, 0.012, weight=0.5, seed=3)
    assert c.indices.nbytes > 8 * 2**20
    monkeypatch.setattr(_connectivity, "huge_pages", lambda a: a)
    plain = erdos_renyi(20_000, 0.012, weight=0.5, seed=3)
    np.testing.assert_array_equal(c.indices, plain.indices)
    np.testing.assert_array_equal(c.indptr, plain.indptr)
    np.testing.assert_array_equal(c.weights, plain.weights)
