"""sc_neurocore.deploy: the classifier value, validation, channel plan, save/load and the reference."""

from __future__ import annotations

import io

import numpy as np
import pytest

from hw_models import FibonacciLFSR, SobolGenerator, assign_channels
from sc_neurocore.deploy import (
    SCClassifier,
    SCLayer,
    channel_layout,
    channel_plan,
    input_levels,
    level_to_threshold,
    load_classifier,
    reference_counters,
    reference_early_exit,
    reference_trace,
    save_classifier,
    source_values,
    validate,
)

W = 8
TOP = 1 << W


def _layer(mag, neg=None, gain=1, shift=0, scale=1.0):
    mag = np.asarray(mag, dtype=np.int64)
    neg = np.zeros(mag.shape, dtype=bool) if neg is None else np.asarray(neg, dtype=bool)
    return SCLayer(mag, neg, gain, shift, scale)


def _small(encoder="lfsr", accumulation="apc", coding="unipolar", length=32, seed=5):
    rng = np.random.default_rng(1)
    l0 = _layer(rng.integers(0, TOP + 1, (5, 5)), rng.random((5, 5)) < 0.4 if coding == "unipolar" else None,
                gain=3, shift=4)
    l1 = _layer(rng.integers(0, TOP + 1, (3, 6)), rng.random((3, 6)) < 0.4 if coding == "unipolar" else None)
    return SCClassifier((l0, l1), W, length, encoder, accumulation, coding, seed, 16)


# --------------------------------------------------------------------------- hand-computed cases


def test_input_levels_round_half_even_exactly():
    # q 2^W / m: 16 -> 2^W exactly; m = 3: 1 * 256 / 3 = 85.33 -> 85, 2 * 256 / 3 = 170.67 -> 171
    assert input_levels(np.array([0, 1, 8, 16]), 8, 16).tolist() == [0, 16, 128, 256]
    assert input_levels(np.array([0, 1, 2, 3]), 8, 3).tolist() == [0, 85, 171, 256]
    # ties to even: 1 * 16 / 32 = 0.5 -> 0, 3 * 16 / 32 = 1.5 -> 2, 5 * 16 / 32 = 2.5 -> 2
    assert input_levels(np.array([1, 3, 5]), 4, 32).tolist() == [0, 2, 2]


def test_level_to_threshold_bipolar_sets_msb_and_halves():
    assert level_to_threshold(np.array([0, 1, 2, 256]), 8, "bipolar").tolist() == [128, 128, 129, 256]
    assert level_to_threshold(np.array([0, 1, 256]), 8, "unipolar").tolist() == [0, 1, 256]


def test_reference_with_constant_streams_matches_hand_computation():
    # thresholds 0 or 2^W make every stream constant, so each APC counter is L times a signed count
    L = 16
    l0 = _layer([[TOP, TOP, 0], [TOP, TOP, TOP], [0, TOP, TOP]],
                [[False, True, False], [False, False, True], [False, False, False]], gain=5, shift=6)
    l1 = _layer([[TOP, 0, TOP, 0], [0, TOP, TOP, TOP]], [[False, False, False, False],
                                                        [False, False, True, False]])
    clf = SCClassifier((l0, l1), W, L, "lfsr", "apc", "unipolar", 3, 16)
    out = reference_counters(clf, np.array([[16, 16], [16, 0], [0, 0]]))
    # image 0: x = (1, 1, bias 1): C = (1 - 1, 1 + 1 - 1, 1 + 1) * L = (0, 16, 32)
    # levels clamp((C * 5) >> 6, 0, 256) = (0, 1, 2); layer 1 inputs 0, 1, 2 (nonzero -> may fire),
    # so only constant columns are predictable: use image 2 for layer 1 by hand.
    assert out.counters[0].tolist() == [[0, 16, 32], [16, 0, 16], [0, -16, 16]]
    # image 2: levels (0, 0, (16 * 5) >> 6 = 1); layer 1 row 0: column 0 (X=0) and bias column 3 M=0
    # -> column 2 has X = 1 and M = 2^W: bit r_t < 1 never fires for an LFSR (r_t >= 1), so C = 0;
    # row 1: bias column M = 2^W, positive: C = L
    assert out.counters[1][2].tolist() == [0, 16]
    assert out.predictions[2] == 1


def test_or_and_mux_with_constant_streams():
    L = 16
    lay = _layer([[TOP, TOP, TOP], [TOP, 0, 0]], [[False, True, False], [True, False, False]])
    clf = SCClassifier((lay,), W, L, "lfsr", "or", "unipolar", 3, 16)
    out = reference_counters(clf, np.array([[16, 16]]))
    # row 0: OR of positives (1) - OR of negatives (1) = 0 per cycle; row 1: 0 - 1 per cycle
    assert out.counters[0].tolist() == [[0, -16]]
    mux = reference_counters(clf._replace(accumulation="mux"), np.array([[16, 16]]))
    # row 0: +1, -1, +1 for select 0, 1, 2: C = L - 2 * (#cycles with select 1)
    sel = reference_trace(clf._replace(accumulation="mux"), np.array([16, 16]))[0].select
    assert mux.counters[0][0, 0] == L - 2 * int((sel == 1).sum())
    assert mux.counters[0][0, 1] == -int((sel == 0).sum())


def test_requantisation_is_floor_shift_and_clamp():
    # one hidden neuron with counter -16, 16, 32 -> levels clamp(floor(C * 3 / 4), 0, 2^W)
    L = 16
    l0 = _layer([[TOP, 0, 0], [0, 0, TOP], [TOP, TOP, TOP]], [[True, False, False], [False] * 3, [False] * 3],
                gain=3, shift=2)
    l1 = _layer([[0, 0, 0, TOP]])
    clf = SCClassifier((l0, l1), W, L, "lfsr", "apc", "unipolar", 3, 16)
    tr = reference_trace(clf, np.array([16, 16]))
    assert tr[0].counters[-1].tolist() == [-16, 16, 48]
    assert tr[0].levels.tolist() == [0, 12, 36]
    assert tr[1].thresholds.tolist() == [0, 12, 36]


def test_trace_is_consistent_with_counters_and_sources():
    clf = validate(_small("sobol", "mux"))
    image = np.array([3, 16, 0, 9])
    tr = reference_trace(clf, image)
    out = reference_counters(clf, image[None, :])
    r = source_values(clf)
    (lc0, lc1), n = channel_layout(clf)
    assert r.shape == (n, clf.length)
    for k, phase in enumerate(tr):
        assert phase.counters[-1].tolist() == out.counters[k][0].tolist()
        lc = (lc0, lc1)[k]
        n_in = phase.thresholds.size
        bits = (r[lc.inputs:lc.inputs + n_in].T < phase.thresholds).astype(np.uint8)
        assert np.array_equal(phase.input_bits[:, :n_in], bits)
        assert phase.input_bits[:, -1].all()
        assert np.array_equal(phase.select, (r[lc.select] * (n_in + 1)) >> W)
    assert tr[1].levels.tolist() == out.counters[1][0].tolist()


# --------------------------------------------------------------------------- channel plan


def test_channel_plan_lfsr_is_one_assign_channels_call():
    clf = validate(_small("lfsr", "mux"))
    layout, n = channel_layout(clf)
    # layer 0: 4 inputs, 5 weight columns, 1 select; layer 1: 5 inputs, 6 columns, 1 select
    assert n == (4 + 5 + 1) + (5 + 6 + 1)
    assert layout[0] == (0, 4, 9) and layout[1] == (10, 15, 21)
    ref = assign_channels(n, kind="lfsr", width=W, seed=clf.seed).sources
    assert channel_plan(clf) == list(ref)
    r = source_values(clf)
    for c, src in enumerate(ref):
        assert np.array_equal(r[c], FibonacciLFSR(W, src.seed, src.taps).sequence(clf.length))


def test_channel_plan_sobol_dimensions_by_role():
    clf = validate(_small("sobol", "apc"))
    plan = channel_plan(clf)
    assert [s.dimension for s in plan] == [0] * 4 + [1] * 5 + [0] * 5 + [1] * 6
    r = source_values(clf)
    assert np.array_equal(r[4], SobolGenerator(1, width=W).sequence(clf.length))


def test_channel_plan_rejects_bernoulli():
    with pytest.raises(ValueError, match="encoder must be one of 'lfsr', 'sobol' for a channel plan"):
        channel_plan(_small("bernoulli"))


# --------------------------------------------------------------------------- early exit


@pytest.mark.parametrize("accumulation", ["apc", "or", "mux"])
@pytest.mark.parametrize("coding", ["unipolar", "bipolar"])
def test_reference_early_exit_gives_full_length_answer(accumulation, coding):
    if coding == "bipolar" and accumulation == "or":
        return
    clf = _small("lfsr", accumulation, coding, length=64)
    pixels = np.random.default_rng(2).integers(0, 17, (6, 4))
    pred, cycles = reference_early_exit(clf, pixels)
    full = reference_counters(clf, pixels)
    assert np.array_equal(pred, full.predictions)
    assert ((cycles >= 1) & (cycles <= clf.length)).all()


def test_early_exit_stops_as_soon_as_constant_leader_is_decided():
    # neuron 0 gains 1 per cycle, neuron 1 nothing: after t + 1 cycles C = (t + 1, 0), the rival
    # can gain 0 per cycle, so the leader is decided after the first cycle
    lay = _layer([[0, 0, TOP], [0, 0, 0]])
    clf = SCClassifier((lay,), W, 32, "lfsr", "apc", "unipolar", 3, 16)
    pred, cycles = reference_early_exit(clf, np.array([[0, 0]]))
    assert pred.tolist() == [0] and cycles.tolist() == [1]


# --------------------------------------------------------------------------- validation and files


def test_validate_returns_owned_read_only_copies():
    clf = _small()
    mag = clf.layers[0].magnitude
    v = validate(clf)
    assert v.layers[0].magnitude is not mag and not v.layers[0].magnitude.flags.writeable
    mag[0, 0] = 0  # the caller's array stays the caller's
    assert v.layers[0].magnitude[0, 0] == _small().layers[0].magnitude[0, 0]


@pytest.mark.parametrize(
    ("change", "exc", "match"),
    [
        ({"width": 3}, ValueError, r"width must be an integer in \[4, 24\]; got 3"),
        ({"length": 48}, ValueError, r"length must be a power of two in \[16, 65536\]; got 48"),
        ({"length": 8}, ValueError, r"length must be an integer in \[16, 65536\]; got 8"),
        ({"encoder": "gauss"}, ValueError, r"encoder must be one of 'lfsr', 'sobol', 'bernoulli'; got 'gauss'"),
        ({"accumulation": "sum"}, ValueError, r"accumulation must be one of 'apc', 'or', 'mux'; got 'sum'"),
        ({"coding": "signed"}, ValueError, r"coding must be one of 'unipolar', 'bipolar'; got 'signed'"),
        ({"seed": 0}, ValueError, r"seed must be an integer in \[1, 255\]; got 0"),
        ({"seed": 1.5}, TypeError, r"seed must be an integer; got float 1.5"),
        ({"input_max": 0}, ValueError, r"input_max must be an integer in \[1, 65536\]; got 0"),
        ({"layers": ()}, TypeError, r"layers must be a non-empty tuple of SCLayer"),
    ],
)
def test_validate_rejects_bad_fields(change, exc, match):
    with pytest.raises(exc, match=match):
        validate(_small()._replace(**change))


def test_validate_rejects_bad_layers():
    clf = _small()
    l0, l1 = clf.layers
    with pytest.raises(ValueError, match=r"layers\[1\].magnitude must have n_in \+ 1 = 6 columns"):
        validate(clf._replace(layers=(l0, l1._replace(magnitude=l1.magnitude[:, :5],
                                                       negative=l1.negative[:, :5]))))
    with pytest.raises(ValueError, match=r"layers\[0\].magnitude must be in \[0, 2\^width\] = \[0, 256\]; "
                                         r"got 257 at \(0, 1\)"):
        bad = l0.magnitude.copy()
        bad[0, 1] = 257
        validate(clf._replace(layers=(l0._replace(magnitude=bad), l1)))
    with pytest.raises(TypeError, match=r"layers\[0\].magnitude must be an integer array; got dtype float64"):
        validate(clf._replace(layers=(l0._replace(magnitude=l0.magnitude * 1.0), l1)))
    with pytest.raises(ValueError, match=r"layers\[0\].negative must have the shape of magnitude"):
        validate(clf._replace(layers=(l0._replace(negative=l0.negative[:, :2]), l1)))
    with pytest.raises(ValueError, match=r"layers\[0\].gain must be an integer in \[1, 16777216\]; got 0"):
        validate(clf._replace(layers=(l0._replace(gain=0), l1)))
    with pytest.raises(ValueError, match=r"layers\[0\].scale must be finite; got nan"):
        validate(clf._replace(layers=(l0._replace(scale=float("nan")), l1)))
    with pytest.raises(ValueError, match=r"layers\[0\].negative must be all False for coding 'bipolar'"):
        validate(clf._replace(coding="bipolar"))
    with pytest.raises(ValueError, match=r"accumulation must be one of 'apc', 'mux' for coding 'bipolar'"):
        validate(_small(coding="bipolar", accumulation="or"))


def test_reference_rejects_bad_pixels():
    clf = _small()
    with pytest.raises(ValueError, match=r"pixels must be in \[0, input_max\] = \[0, 16\]; got 17 at index \(0, 2\)"):
        reference_counters(clf, np.array([[0, 0, 17, 0]]))
    with pytest.raises(ValueError, match=r"pixels must have shape \(n_images, 4\); got \(1, 5\)"):
        reference_counters(clf, np.zeros((1, 5), dtype=int))
    with pytest.raises(TypeError, match="pixels must be an integer array"):
        reference_counters(clf, np.zeros((1, 4)))


def test_save_load_roundtrip_and_untrusted_file():
    clf = validate(_small("sobol", "mux"))
    buf = io.BytesIO()
    save_classifier(clf, buf)
    buf.seek(0)
    back = load_classifier(buf)
    assert back[1:] == clf[1:]
    for a, b in zip(back.layers, clf.layers, strict=True):
        assert np.array_equal(a.magnitude, b.magnitude) and np.array_equal(a.negative, b.negative)
        assert a[2:] == b[2:]
    buf2 = io.BytesIO()
    np.savez(buf2, meta=np.array('{"format": 1, "kind": "sc_classifier", "layers": [{}]}'))
    buf2.seek(0)
    with pytest.raises(ValueError, match="saved by save_classifier; got .*missing entry magnitude_0"):
        load_classifier(buf2)
