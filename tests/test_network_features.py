"""Readout features: hand-computed examples, a plain-Python reference, properties."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sc_neurocore.network import _features as F

# ---------------------------------------------------------------------------
# hand-computed example (values derived in the comments)
# n_steps = 20, dt = 0.5 ms; neuron 0 spikes in steps 2, 3, 4, 10; neuron 1 is
# silent; neuron 2 spikes once, in step 7.  Events are given out of order, and
# neuron 5 (not selected) must be ignored.
NEURON = np.array([0, 2, 5, 0, 0, 5, 0])
STEP = np.array([10, 7, 3, 2, 4, 4, 3])
N_STEPS, DT = 20, 0.5
FILL = -7.0


def _all(fill: float = FILL) -> dict[str, np.ndarray]:
    return F.extract_features(NEURON, STEP, 3, N_STEPS, DT, fill=fill)


def test_hand_example_neuron0() -> None:
    f = {k: v[0] for k, v in _all().items()}
    assert f["spike_count"] == 4
    assert f["rate_hz"] == pytest.approx(4 / (20 * 0.5e-3))  # 400 Hz
    assert f["first_spike_time_ms"] == 1.0
    assert f["last_spike_time_ms"] == 5.0
    assert f["mean_spike_time_ms"] == pytest.approx(19 / 4 * 0.5)
    # ISIs 1, 1, 6 steps: mean 8/3, variance 50/9 steps^2
    assert f["mean_isi_ms"] == pytest.approx(8 / 3 * 0.5)
    assert f["isi_variance_ms2"] == pytest.approx(50 / 9 * 0.25)
    assert f["isi_cv"] == pytest.approx(5 * math.sqrt(2) / 8)
    assert f["burstiness"] == pytest.approx((5 * math.sqrt(2) - 8) / (5 * math.sqrt(2) + 8))
    # 10 bins of 2 steps: counts 2 (bin 1), 1 (bin 2), 1 (bin 5) -> p = .5, .25, .25
    assert f["spike_entropy_bits"] == pytest.approx(1.5)
    # mu = 0.2; num = 2 - 0.2 * (4 + 4) + 19 * 0.04 = 1.16; den = 4 - 20 * 0.04 = 3.2
    assert f["autocorrelation_lag1"] == pytest.approx(1.16 / 3.2)
    # 3 spikes in steps 0..9, 1 in steps 10..19
    assert f["half_asymmetry"] == pytest.approx(0.5)
    m2, m3, m4 = 38.75 / 4, 118.125 / 4, 826.578125 / 4
    assert f["spike_time_skewness"] == pytest.approx(m3 / m2**1.5)
    assert f["spike_time_kurtosis"] == pytest.approx(m4 / m2**2 - 3)
    assert f["burst_count"] == 1  # run 2,3,4; the lone spike at 10 is not a burst


def test_hand_example_single_spike_and_silent() -> None:
    feats = _all()
    one = {k: v[2] for k, v in feats.items()}
    assert one["spike_count"] == 1
    assert one["first_spike_time_ms"] == one["last_spike_time_ms"] == one["mean_spike_time_ms"] == 3.5
    for k in ("mean_isi_ms", "isi_variance_ms2", "isi_cv", "burstiness",
              "spike_time_skewness", "spike_time_kurtosis"):
        assert one[k] == FILL, k
    assert one["spike_entropy_bits"] == 0.0
    # mu = 0.05; num = -0.05 * 2 + 19 * 0.0025; den = 1 - 20 * 0.0025
    assert one["autocorrelation_lag1"] == pytest.approx((-0.1 + 0.0475) / 0.95)
    assert one["half_asymmetry"] == 1.0
    assert one["burst_count"] == 0
    silent = {k: v[1] for k, v in feats.items()}
    for k, v in silent.items():
        expected = 0.0 if k in ("spike_count", "rate_hz", "burst_count") else FILL
        assert v == expected, k


def test_default_fill_is_zero_and_never_nan() -> None:
    feats = _all(fill=0.0)
    assert set(feats) == set(F.FEATURE_NAMES)
    for k, v in feats.items():
        assert v.shape == (3,) and v.dtype == np.float64, k
        assert np.all(np.isfinite(v)), k
    assert feats["mean_isi_ms"][1] == 0.0


def test_individual_functions_match_extract_features() -> None:
    feats = F.extract_features(NEURON, STEP, 3, N_STEPS, DT, fill=FILL, n_bins=5, bin_steps=3,
                               max_isi_steps=2, min_spikes=1)
    a = (NEURON, STEP, 3, N_STEPS)
    kw: dict[str, Any] = {"fill": FILL}
    np.testing.assert_array_equal(F.spike_counts(*a), feats["spike_count"])
    np.testing.assert_array_equal(F.spike_rates(*a, DT), feats["rate_hz"])
    np.testing.assert_array_equal(F.first_spike_times(*a, DT, **kw), feats["first_spike_time_ms"])
    np.testing.assert_array_equal(F.last_spike_times(*a, DT, **kw), feats["last_spike_time_ms"])
    np.testing.assert_array_equal(F.mean_spike_times(*a, DT, **kw), feats["mean_spike_time_ms"])
    np.testing.assert_array_equal(F.mean_isi(*a, DT, **kw), feats["mean_isi_ms"])
    np.testing.assert_array_equal(F.isi_variance(*a, DT, **kw), feats["isi_variance_ms2"])
    np.testing.assert_array_equal(F.isi_cv(*a, **kw), feats["isi_cv"])
    np.testing.assert_array_equal(F.burstiness(*a, **kw), feats["burstiness"])
    np.testing.assert_array_equal(F.spike_entropy(*a, n_bins=5, **kw), feats["spike_entropy_bits"])
    np.testing.assert_array_equal(F.autocorrelation_lag1(*a, bin_steps=3, **kw),
                                  feats["autocorrelation_lag1"])
    np.testing.assert_array_equal(F.half_asymmetry(*a, **kw), feats["half_asymmetry"])
    np.testing.assert_array_equal(F.spike_time_skewness(*a, **kw), feats["spike_time_skewness"])
    np.testing.assert_array_equal(F.spike_time_kurtosis(*a, **kw), feats["spike_time_kurtosis"])
    np.testing.assert_array_equal(F.burst_counts(*a, max_isi_steps=2, min_spikes=1),
                                  feats["burst_count"])
    # steps 2,3,4 | 10 with gaps <= 2: two runs, min_spikes=1 counts both
    assert feats["burst_count"][0] == 2


def test_seed_burst_definition_counts_lone_spikes() -> None:
    # snnpy's "contiguous sequence of 1s": runs of any length, isolated spikes included
    assert F.burst_counts([0, 0, 0, 0], [1, 3, 5, 6], 1, 10, min_spikes=1)[0] == 3
    assert F.burst_counts([0, 0, 0, 0], [1, 3, 5, 6], 1, 10)[0] == 1


def test_periodic_train_values() -> None:
    steps = np.arange(0, 100, 10)
    f = F.extract_features(np.zeros(10, int), steps, 1, 100, 1.0)
    assert f["isi_cv"][0] == 0.0
    assert f["burstiness"][0] == -1.0
    assert f["spike_entropy_bits"][0] == pytest.approx(math.log2(10))
    assert f["half_asymmetry"][0] == 0.0
    assert f["spike_time_skewness"][0] == pytest.approx(0.0, abs=1e-12)
    # discrete uniform on 10 points: excess kurtosis -6(n^2+1)/(5(n^2-1))
    assert f["spike_time_kurtosis"][0] == pytest.approx(-6 * 101 / (5 * 99))


def test_odd_window_middle_step_in_neither_half() -> None:
    assert F.half_asymmetry([0], [2], 1, 5, fill=9.0)[0] == 9.0
    assert F.half_asymmetry([0, 0], [1, 3], 1, 5)[0] == 0.0


def test_selected_neurons_order_and_ids() -> None:
    c = F.spike_counts(NEURON, STEP, np.array([5, 0, 9]), N_STEPS)
    np.testing.assert_array_equal(c, [2, 4, 0])


def test_empty_record() -> None:
    f = F.extract_features([], [], 4, 10, 1.0, fill=-1.0)
    np.testing.assert_array_equal(f["spike_count"], np.zeros(4))
    np.testing.assert_array_equal(f["mean_isi_ms"], -np.ones(4))
    assert F.spike_counts([], [], 0, 10).shape == (0,)


@pytest.mark.parametrize(
    ("kwargs", "exc", "match"),
    [
        ({"step": [1, 2]}, ValueError, r"neuron and step must have the same length; got 1 and 2"),
        ({"step": [20]}, ValueError, r"step must be in \[0, 19\] \(n_steps=20\); got 20"),
        ({"step": [-1]}, ValueError, r"step must be in \[0, 19\] \(n_steps=20\); got -1"),
        ({"neuron": [-2]}, ValueError, r"neuron must be non-negative indices; got -2"),
        ({"neuron": [0.5]}, TypeError, r"neuron must be a 1-D array of integers; got dtype float64"),
        ({"n_steps": 0}, ValueError, r"n_steps must be an integer in \[1, inf\]; got 0"),
        ({"dt_ms": 0.0}, ValueError, r"dt_ms must be in \(0.0, inf\); got 0.0"),
        ({"neurons": [1, 1]}, ValueError, r"neurons must be distinct indices"),
        ({"neurons": [-1]}, ValueError, r"neurons must be non-negative indices; got -1"),
        ({"fill": float("nan")}, ValueError, r"fill must be finite; got nan"),
        ({"n_bins": 0}, ValueError, r"n_bins must be an integer in \[1, inf\]; got 0"),
        ({"bin_steps": 0}, ValueError, r"bin_steps must be an integer in \[1, inf\]; got 0"),
        ({"min_spikes": 0}, ValueError, r"min_spikes must be an integer in \[1, inf\]; got 0"),
    ],
)
def test_bad_input(kwargs: dict, exc: type, match: str) -> None:
    args: dict[str, Any] = {"neuron": [0], "step": [3], "neurons": 2, "n_steps": 20, "dt_ms": 1.0}
    args.update(kwargs)
    with pytest.raises(exc, match=match):
        F.extract_features(**args)


def test_duplicate_spike_rejected() -> None:
    with pytest.raises(ValueError, match=r"at most one spike per neuron and step; got neuron 3 "
                                         r"twice in step 4"):
        F.spike_counts([3, 3], [4, 4], [3], 10)


# ---------------------------------------------------------------------------
# plain-Python reference on dense binary trains (two implementations, one answer)


def _reference(train: np.ndarray, dt: float, fill: float, n_bins: int, bin_steps: int,
               max_isi: int, min_spikes: int) -> dict[str, float]:
    n_steps = len(train)
    s = [i for i in range(n_steps) if train[i]]
    n = len(s)
    r: dict[str, float] = {"spike_count": n, "rate_hz": n / (n_steps * dt / 1000)}
    r["first_spike_time_ms"] = s[0] * dt if n else fill
    r["last_spike_time_ms"] = s[-1] * dt if n else fill
    r["mean_spike_time_ms"] = sum(s) / n * dt if n else fill
    isi = [b - a for a, b in zip(s[:-1], s[1:], strict=True)]
    if isi:
        mu = sum(isi) / len(isi)
        var = sum((x - mu) ** 2 for x in isi) / len(isi)
        r["mean_isi_ms"], r["isi_variance_ms2"] = mu * dt, var * dt * dt
        r["isi_cv"] = math.sqrt(var) / mu
        r["burstiness"] = (math.sqrt(var) - mu) / (math.sqrt(var) + mu)
    else:
        r["mean_isi_ms"] = r["isi_variance_ms2"] = r["isi_cv"] = r["burstiness"] = fill
    counts = [0] * n_bins
    for t in s:
        counts[t * n_bins // n_steps] += 1
    r["spike_entropy_bits"] = (
        -sum(c / n * math.log2(c / n) for c in counts if c) if n else fill
    )
    m = -(-n_steps // bin_steps)
    x = [sum(train[b * bin_steps:(b + 1) * bin_steps]) for b in range(m)]
    mx = sum(x) / m
    den = sum((v - mx) ** 2 for v in x)
    num = sum((x[b] - mx) * (x[b + 1] - mx) for b in range(m - 1))
    r["autocorrelation_lag1"] = num / den if den > 1e-12 else fill
    h = n_steps // 2
    n1 = sum(1 for t in s if t < h)
    n2 = sum(1 for t in s if t >= n_steps - h)
    r["half_asymmetry"] = (n1 - n2) / (n1 + n2) if n1 + n2 else fill
    if n >= 2:
        mt = sum(s) / n
        m2 = sum((t - mt) ** 2 for t in s) / n
        m3 = sum((t - mt) ** 3 for t in s) / n
        m4 = sum((t - mt) ** 4 for t in s) / n
        r["spike_time_skewness"] = m3 / m2**1.5
        r["spike_time_kurtosis"] = m4 / m2**2 - 3
    else:
        r["spike_time_skewness"] = r["spike_time_kurtosis"] = fill
    bursts, run = 0, 0
    for i, t in enumerate(s):
        if i and t - s[i - 1] <= max_isi:
            run += 1
        else:
            bursts += run >= min_spikes
            run = 1
    bursts += run >= min_spikes
    r["burst_count"] = bursts
    return r


@st.composite
def _records(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, int, int]:
    n_neurons = draw(st.integers(1, 6))
    n_steps = draw(st.integers(1, 60))
    p = draw(st.sampled_from([0.02, 0.1, 0.5, 0.9]))
    bits = draw(st.lists(st.booleans() if p == 0.5 else st.floats(0, 1).map(lambda u: u < p),
                         min_size=n_neurons * n_steps, max_size=n_neurons * n_steps))
    dense = np.array(bits, dtype=np.uint8).reshape(n_neurons, n_steps)
    nrn, stp = np.nonzero(dense)
    return nrn, stp, n_neurons, n_steps


@given(_records(), st.integers(1, 8), st.integers(1, 5), st.integers(1, 3), st.integers(1, 3),
       st.sampled_from([0.1, 1.0, 0.25]))
def test_matches_reference(rec, n_bins, bin_steps, max_isi, min_spikes, dt) -> None:
    nrn, stp, n_neurons, n_steps = rec
    feats = F.extract_features(nrn, stp, n_neurons, n_steps, dt, fill=-3.0, n_bins=n_bins,
                               bin_steps=bin_steps, max_isi_steps=max_isi, min_spikes=min_spikes)
    for i in range(n_neurons):
        train = np.zeros(n_steps, dtype=int)
        train[stp[nrn == i]] = 1
        ref = _reference(train, dt, -3.0, n_bins, bin_steps, max_isi, min_spikes)
        for k in F.FEATURE_NAMES:
            assert feats[k][i] == pytest.approx(ref[k], rel=1e-9, abs=1e-9), (k, i)


@given(_records(), st.randoms(use_true_random=False))
def test_invariant_to_event_order_and_neuron_relabelling(rec, rnd) -> None:
    nrn, stp, n_neurons, n_steps = rec
    base = F.extract_features(nrn, stp, n_neurons, n_steps, 1.0)
    order = list(range(len(nrn)))
    rnd.shuffle(order)
    shuffled = F.extract_features(nrn[order], stp[order], n_neurons, n_steps, 1.0)
    perm = list(range(n_neurons))
    rnd.shuffle(perm)
    # select the neurons in permuted order: the outputs are permuted the same way
    permuted = F.extract_features(nrn, stp, np.array(perm), n_steps, 1.0)
    for k in F.FEATURE_NAMES:
        np.testing.assert_array_equal(shuffled[k], base[k])
        np.testing.assert_array_equal(permuted[k], base[k][perm])


@given(_records())
def test_counts_and_bounds(rec) -> None:
    nrn, stp, n_neurons, n_steps = rec
    f = F.extract_features(nrn, stp, n_neurons, n_steps, 1.0, n_bins=10)
    for i in range(n_neurons):
        assert f["spike_count"][i] == np.count_nonzero(nrn == i)
    assert f["spike_count"].sum() == len(nrn)
    spiking = f["spike_count"] > 0
    assert np.all(f["first_spike_time_ms"][spiking] <= f["mean_spike_time_ms"][spiking] + 1e-12)
    assert np.all(f["mean_spike_time_ms"][spiking] <= f["last_spike_time_ms"][spiking] + 1e-12)
    assert np.all(f["spike_entropy_bits"] <= np.log2(np.maximum(
        np.minimum(f["spike_count"], min(10, n_steps)), 1)) + 1e-12)
    assert np.all(f["spike_entropy_bits"] >= 0)
    for k in ("burstiness", "autocorrelation_lag1", "half_asymmetry"):
        assert np.all(np.abs(f[k]) <= 1 + 1e-12), k
    assert np.all(f["burst_count"] <= f["spike_count"] / 2)


def test_features_exported_from_network_package() -> None:
    import sc_neurocore.network as net

    for name in F.__all__:
        assert name in net.__all__, name
        assert getattr(net, name) is getattr(F, name), name
    # every documented feature name is produced by extract_features
    assert tuple(net.extract_features([0], [1], 1, 4, 1.0)) == net.FEATURE_NAMES


def test_features_from_events_uses_the_record_window() -> None:
    from sc_neurocore.network import SpikeEvents

    # the hand example shifted to a window starting at step 100 (as after a resumed run)
    ev = SpikeEvents(NEURON, STEP + 100, n_neurons=6, dt=DT, t_start=100, t_stop=100 + N_STEPS)
    got = F.features_from_events(ev, 3, fill=FILL)
    want = _all()
    for k in F.FEATURE_NAMES:
        np.testing.assert_array_equal(got[k], want[k], err_msg=k)
    with pytest.raises(TypeError, match=r"events must be a SpikeEvents record; got dict"):
        F.features_from_events({}, 3)
    empty = SpikeEvents(np.zeros(0, int), np.zeros(0, int), n_neurons=1, dt=1.0, t_start=5, t_stop=5)
    with pytest.raises(ValueError, match=r"events must cover at least one step; got window \[5, 5\)"):
        F.features_from_events(empty, 1)
