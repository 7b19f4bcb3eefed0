"""SCDenseLayer step-by-step history (linear, no aliasing) and the pick_offsets failure warning."""

from __future__ import annotations

import numpy as np
import pytest

import sc_neurocore._fixed_point as fp
from sc_neurocore import SCDenseLayer
from sc_neurocore._fixed_point import FixedPointDenseLayer


def _layer() -> SCDenseLayer:
    rng = np.random.default_rng(3)
    return SCDenseLayer(5, rng.random(4) * 0.5, rng.random((5, 4)) * 0.3, length=100, base_seed=7)


def test_run_one_step_at_a_time_never_rejoins_the_history(monkeypatch) -> None:
    """run(1) appends only: T calls join the history 0 times (was: once per call, O(T^2) copying)."""
    calls = []
    real = np.concatenate

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    stepped, whole = _layer(), _layer()
    monkeypatch.setattr(np, "concatenate", counting)
    steps = [stepped.run(1) for _ in range(300)]
    assert calls == []
    history = stepped.get_spike_trains()
    assert len(calls) == 1
    # the joined history is kept: reading it again joins nothing
    stepped.get_spike_trains()
    stepped.firing_rates_hz()
    stepped.summary()
    assert len(calls) == 1
    monkeypatch.undo()
    np.testing.assert_array_equal(history, np.concatenate(steps, axis=1))
    np.testing.assert_array_equal(history, whole.run(300))


def test_run_returns_an_array_the_layer_does_not_keep() -> None:
    layer = _layer()
    out = layer.run(50)
    before = layer.get_spike_trains()
    out[:] = 1
    np.testing.assert_array_equal(layer.get_spike_trains(), before)
    hist = layer.get_spike_trains()
    hist[:] = 1
    np.testing.assert_array_equal(layer.get_spike_trains(), before)


def test_empty_history_before_any_run() -> None:
    layer = _layer()
    assert layer.get_spike_trains().shape == (5, 0)
    np.testing.assert_array_equal(layer.firing_rates_hz(), np.zeros(5))
    layer.run(0)
    assert layer.get_spike_trains().shape == (5, 0)


def _failing_pick_offsets(real):
    def wrapped(cands, width, tmask, k):
        theta, ok = real(cands, width, tmask, k)
        ok[::2] = False  # pretend every other weight had no passing candidate
        return theta, ok

    return wrapped


def test_pick_offsets_failure_warns(monkeypatch) -> None:
    monkeypatch.setattr(fp, "pick_offsets", _failing_pick_offsets(fp.pick_offsets))
    with pytest.warns(
        RuntimeWarning,
        match=r"^3 of 6 weight LFSR phases failed the top-bit independence check for all 64 candidate "
        r"offsets; those weight streams may be correlated with their inputs \(use another seed, or "
        r"w_taps = the mirror of x_taps\)$",
    ):
        FixedPointDenseLayer(2, [0.5, 0.25, 0.75], np.full((2, 3), 0.5), lfsr_width=12, seed=1)


def test_pick_offsets_failure_is_silent_when_weight_seeds_are_given(monkeypatch) -> None:
    """Explicit w_seeds do not use the picked offsets, so there is nothing to warn about."""
    monkeypatch.setattr(fp, "pick_offsets", _failing_pick_offsets(fp.pick_offsets))
    layer = FixedPointDenseLayer(2, [0.5, 0.25, 0.75], np.full((2, 3), 0.5), lfsr_width=12, seed=1,
                                 w_seeds=np.arange(1, 7).reshape(2, 3))
    assert layer.w_seeds.tolist() == [[1, 2, 3], [4, 5, 6]]


def test_default_layers_pick_checked_offsets() -> None:
    """The default one-polynomial phases of drawn layers pass the check (no warning: warnings are errors)."""
    for width in (6, 8, 12, 16):
        layer = FixedPointDenseLayer(8, np.full(8, 0.5), np.full((8, 8), 0.5), lfsr_width=width, seed=width)
        assert layer.w_seeds.shape == (8, 8)
