"""hw_models classifier designs, Python models only: the SC datapath equals the deploy reference
cycle by cycle, the binary baseline's per-cycle model equals its vectorised model, bad input errors.

RTL co-simulation of both designs: tests/test_hw_classifier_rtl.py.
"""

from __future__ import annotations

import numpy as np
import pytest
from _hw_classifier_cases import class_images, decode_bus, random_classifier, structured_classifier
from hypothesis import given
from hypothesis import strategies as st

import hw_models as hw
from hw_models._imageio import image_schedule, register_toggles
from sc_neurocore.deploy import SCClassifier, evaluate, reference_counters, reference_trace

CONFIGS = [("apc", "unipolar"), ("or", "unipolar"), ("mux", "unipolar"), ("apc", "bipolar"), ("mux", "bipolar")]


def _run_per_cycle(dp: hw.SCClassifierDatapath, pixels: np.ndarray):
    """Run the datapath on ``pixels`` back to back; per-cycle (outputs, wires, counters after the edge)."""
    inputs, n, at = image_schedule(dp, pixels)
    dp.reset()
    rows = []
    for t in range(n):
        out = dp.eval(start=inputs["start"][t], pixels=inputs["pixels"][t])
        wires = dp.wires
        dp.clock()
        rows.append((out, wires, [list(c) for c in dp.counters]))
    return rows, at


@st.composite
def tiny_classifiers(draw):
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    acc, coding = draw(st.sampled_from(CONFIGS))
    sizes = [draw(st.integers(1, 4))] + [draw(st.integers(1, 3)) for _ in range(draw(st.integers(1, 2)))]
    clf = random_classifier(rng, sizes, width=draw(st.integers(6, 9)), length=draw(st.sampled_from([16, 32])),
                            encoder=draw(st.sampled_from(["lfsr", "sobol"])), accumulation=acc, coding=coding)
    pixels = rng.integers(0, 17, (draw(st.integers(1, 2)), sizes[0]))
    return clf, pixels


@given(tiny_classifiers())
def test_datapath_equals_reference_trace_every_cycle(case):
    clf, pixels = case
    dp = hw.SCClassifierDatapath.from_classifier(clf)
    rows, at = _run_per_cycle(dp, pixels)
    L, K = clf.length, len(clf.layers)
    ref = reference_counters(clf, pixels)
    for m, image in enumerate(pixels):
        trace = reference_trace(clf, image)
        s = m * dp.latency  # start cycle of image m
        for k in range(K):
            for t in range(L):
                _out, wires, counters = rows[s + 1 + k * L + t]
                tr = trace[k]
                np.testing.assert_array_equal(wires["input_bits"], tr.input_bits[t])
                np.testing.assert_array_equal(wires["weight_bits"], tr.weight_bits[t])
                assert wires["select"] == tr.select[t]
                np.testing.assert_array_equal(counters[k], tr.counters[t])
        # done rises exactly `latency` cycles after start, with the reference's class
        assert [rows[s + c][0]["done"] for c in range(1, dp.latency)] == [0] * (dp.latency - 1)
        out = rows[at[m]][0]
        assert out["done"] == 1 and out["class_id"] == ref.predictions[m]
        for k, lay in enumerate(dp.hw_layers):
            assert decode_bus(out[f"acc{k}"], lay.n_out, lay.counter_width) == ref.counters[k][m].tolist()


@pytest.mark.parametrize("encoder", ["lfsr", "sobol"])
@pytest.mark.parametrize("accumulation,coding", CONFIGS)
def test_per_cycle_classes_equal_fast_path(encoder, accumulation, coding):
    # a classifier whose answer varies with the image, 16-8-4, several images back to back
    clf = structured_classifier([16, 8, 4], width=10, length=32, encoder=encoder, accumulation=accumulation,
                                coding=coding)
    pixels, _ = class_images(np.random.default_rng(7), 6, 16, 4)
    dp = hw.SCClassifierDatapath.from_classifier(clf)
    inputs, n, at = image_schedule(dp, pixels)
    dp.reset()
    out = dp.run(n, inputs)
    fast = evaluate(clf, pixels)
    np.testing.assert_array_equal(out["class_id"][at], fast.predictions)
    np.testing.assert_array_equal(dp.classify(pixels)[0], fast.predictions)
    assert (out["done"][at] == 1).all()


@pytest.mark.parametrize("encoder", ["lfsr", "sobol"])
def test_check_correlation_is_clean(encoder):
    clf = structured_classifier([64, 32, 10], width=16, length=64, encoder=encoder)
    dp = hw.SCClassifierDatapath.from_classifier(clf)
    rep = hw.check_correlation(dp)
    # every product gate is checked: one per (neuron, input) of both layers
    assert rep.gates_checked == 32 * 64 + 10 * 32
    assert rep.ok and rep.issues == [], rep.format()


def test_check_correlation_flags_a_shared_source():
    # the checker sees the datapath's structure: wire one weight column to its input's source
    clf = structured_classifier([4, 2, 2], width=8, length=16)
    dp = hw.SCClassifierDatapath.from_classifier(clf)
    lay = dp.hw_layers[0]
    for row in lay.w_sngs:
        row[1].source = lay.x_sngs[1].source
    rep = hw.check_correlation(dp)
    assert not rep.ok
    assert {i.severity for i in rep.issues} == {"error"} and len(rep.issues) == lay.n_out


def test_verilog_is_one_complete_design():
    clf = structured_classifier([16, 8, 4], width=8, length=16, accumulation="mux")
    text = hw.SCClassifierDatapath.from_classifier(clf).to_verilog()
    assert "module sc_classifier_top (" in text
    for mod in ("sc_lfsr_fib_ce", "sc_sobol_ce", "sc_popcount"):
        assert f"module {mod} " in text
    assert text.count("endmodule") == 4


def test_toggle_counts_are_deterministic_and_scale_with_length():
    pixels, _ = class_images(np.random.default_rng(1), 3, 16, 4)
    pixels[1] = pixels[2] = pixels[0]
    short = structured_classifier([16, 8, 4], width=10, length=16)
    long = structured_classifier([16, 8, 4], width=10, length=64)
    t_short = register_toggles(hw.SCClassifierDatapath.from_classifier(short), pixels)
    t_long = register_toggles(hw.SCClassifierDatapath.from_classifier(long), pixels)
    # the same image after the same image: the same toggles (image 0 starts from the reset state)
    assert t_short[1] == t_short[2] and t_long[1] == t_long[2]
    # the sources advance every cycle of their phase: at least one bit per source per cycle
    assert (t_long > 3 * t_short).all() and (t_short >= 2 * 16).all()


def test_binary_toggles_count_every_register_flip():
    bc = hw.BinaryClassifier([hw.BinaryLayer(np.array([[1, -1]]), np.array([0]), 1, 0)], input_max=3,
                             weight_bits=2, act_bits=2)
    t = register_toggles(bc, np.array([[0, 0], [3, 0]]))
    assert t.shape == (2,) and (t > 0).all() and t[1] > t[0]


# --- the binary baseline ---------------------------------------------------------------


@st.composite
def small_mlps(draw):
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    sizes = [draw(st.integers(1, 6))] + [draw(st.integers(1, 4)) for _ in range(draw(st.integers(1, 3)))]
    ws = [rng.normal(size=(b, a)) for a, b in zip(sizes[:-1], sizes[1:], strict=True)]
    bs = [rng.normal(size=b) * 0.3 for b in sizes[1:]]
    calib = rng.integers(0, 17, (8, sizes[0]))
    bits = draw(st.integers(2, 9))
    bc = hw.BinaryClassifier.from_float(ws, bs, calib, weight_bits=bits, act_bits=draw(st.integers(1, 8)))
    return bc, rng.integers(0, 17, (draw(st.integers(1, 3)), sizes[0]))


@given(small_mlps())
def test_binary_per_cycle_model_equals_classify(case):
    bc, pixels = case
    inputs, n, at = image_schedule(bc, pixels)
    bc.reset()
    out = bc.run(n, inputs)
    cls, acc = bc.classify(pixels)
    np.testing.assert_array_equal(out["class_id"][at], cls)
    assert (out["done"][at] == 1).all()
    # done is low from the cycle after each start until `latency` cycles after it
    for m in range(len(pixels)):
        assert not out["done"][m * bc.latency + 1:(m + 1) * bc.latency].any()
    # the accumulator register holds the last output neuron's sum when done rises
    np.testing.assert_array_equal(out["acc"][at], acc[:, -1])
    assert bc.latency == sum(lay.weight.size for lay in bc.layers) + len(bc.layers) + 1


def test_binary_from_float_hand_computed():
    # s = 127 / max|W| = 127; W q = rint([63.5, -127]) = [64, -127] (half to even);
    # B q = rint(0.25 * 127 / (1 / 16)) = 508
    bc = hw.BinaryClassifier.from_float([np.array([[0.5, -1.0]])], [np.array([0.25])], np.zeros((1, 2), int))
    (lay,) = bc.layers
    assert lay.weight.tolist() == [[64, -127]] and lay.bias.tolist() == [508]
    cls, acc = bc.classify(np.array([[16, 0], [0, 16]]))
    assert acc.tolist() == [[64 * 16 + 508], [-127 * 16 + 508]]
    assert bc.latency == 2 + 1 + 1


def test_binary_hidden_requantisation_hand_computed():
    # hidden: h = relu(1.0 * x), x = q / 16; calibration max h = 1 -> unit 1 / 255 per LSB;
    # accumulator LSB = 1 / (16 * 127); ratio = 255 / (16 * 127) = 0.12549 (log2 = -2.99);
    # gain_bits 16: shift = 15 - floor(log2 ratio) = 18, gain = rint(ratio 2^18) = 32897
    bc = hw.BinaryClassifier.from_float([np.array([[1.0]]), np.array([[1.0], [-1.0]])],
                                        [np.zeros(1), np.zeros(2)], np.array([[16]]))
    assert (bc.layers[0].gain, bc.layers[0].shift) == (32897, 18)
    # q = 16: acc = 127 * 16 = 2032 -> (2032 * 32897) >> 18 = floor(254.99994) = 254
    assert bc.classify(np.array([[16]]))[1].tolist() == [[127 * 254, -127 * 254]]


def test_binary_from_float_uses_recorded_clamps():
    # with the float model's clamp A = 0.5 the hidden unit is 255 LSBs for h >= 0.5: q = 16 saturates
    ws, bs = [np.array([[1.0]]), np.array([[1.0]])], [np.zeros(1), np.zeros(1)]
    bc = hw.BinaryClassifier.from_float(ws, bs, np.array([[16]]), act_scales=[0.5])
    ratio = (1 / 16) / (127 * 0.5 / 255)
    assert bc.layers[0].gain == round(ratio * 2 ** bc.layers[0].shift)
    assert bc.classify(np.array([[16]]))[1].tolist() == [[127 * 255]]
    with pytest.raises(ValueError, match=r"act_scales must have one entry per hidden layer \(1\); got 2"):
        hw.BinaryClassifier.from_float(ws, bs, np.array([[16]]), act_scales=[0.5, 1.0])
    with pytest.raises(ValueError, match=r"act_scales\[0\] must be in \(0.0, inf\); got 0.0"):
        hw.BinaryClassifier.from_float(ws, bs, np.array([[16]]), act_scales=[0.0])


def test_binary_verilog_holds_the_roms():
    bc = hw.BinaryClassifier([hw.BinaryLayer(np.array([[3, -2]]), np.array([5]), 1, 0)], weight_bits=3)
    text = bc.to_verilog()
    assert "module binary_classifier_top (" in text
    assert "wrom[1] = $signed(3'h6);" in text and "brom[0] = $signed(" in text


# --- bad input -------------------------------------------------------------------------


def test_datapath_rejects_bad_classifiers():
    clf = structured_classifier([4, 2, 2], width=8, length=16)
    with pytest.raises(ValueError, match=r"SCClassifierDatapath: clf.encoder must be one of 'lfsr', 'sobol'.*"
                                         r"got 'bernoulli'"):
        hw.SCClassifierDatapath.from_classifier(clf._replace(encoder="bernoulli"))
    with pytest.raises(TypeError, match=r"clf must be an SCClassifier; got dict"):
        hw.SCClassifierDatapath.from_classifier({})
    with pytest.raises(ValueError, match=r"length must be a power of two"):
        hw.SCClassifierDatapath.from_classifier(clf._replace(length=48))
    assert isinstance(clf, SCClassifier)


def test_datapath_rejects_bad_ports_and_pixels():
    dp = hw.SCClassifierDatapath.from_classifier(structured_classifier([2, 2, 2], width=8, length=16))
    dp.reset()
    dp.step(start=1, pixels=0)
    with pytest.raises(ValueError, match=r"pixels must hold values in \[0, 16\]; got 31 for pixel 1"):
        dp.eval(start=0, pixels=31 << 5)
    with pytest.raises(ValueError, match=r"SCClassifierDatapath: start must be an integer in \[0, 1\]; got 2"):
        dp.eval(start=2, pixels=0)
    with pytest.raises(ValueError, match=r"SCClassifierDatapath: input port pixels must be given"):
        dp.eval(start=0)
    with pytest.raises(ValueError, match=r"pixels must be integers in \[0, 16\]; got 17 at index \(0, 1\)"):
        dp.classify(np.array([[0, 17]]))
    with pytest.raises(ValueError, match=r"pixels must have shape \(n_images, 2\) or \(2,\)"):
        image_schedule(dp, np.zeros((1, 3), int))
    with pytest.raises(TypeError, match=r"pixels must be an integer array in \[0, 16\]; got dtype float64"):
        dp.classify(np.zeros((1, 2)))


def test_binary_rejects_bad_layers():
    ok = hw.BinaryLayer(np.array([[1, 2]]), np.array([0]), 1, 0)
    with pytest.raises(ValueError, match=r"layers\[0\].weight must be in \[-127, 127\] \(weight_bits=8\); got 128"):
        hw.BinaryClassifier([ok._replace(weight=np.array([[128, 0]]))])
    with pytest.raises(ValueError, match=r"layers\[0\].bias must have n_out=1 entries; got 2"):
        hw.BinaryClassifier([ok._replace(bias=np.array([0, 0]))])
    with pytest.raises(ValueError, match=r"layers\[1\].weight must have n_in=1 columns"):
        hw.BinaryClassifier([ok, ok])
    with pytest.raises(ValueError, match=r"layers\[0\].gain must be an integer in \[1, 65535\]; got 0"):
        hw.BinaryClassifier([ok._replace(gain=0)])
    with pytest.raises(TypeError, match=r"layers\[0\].weight must be an integer array; got dtype float64"):
        hw.BinaryClassifier([ok._replace(weight=np.array([[1.0, 2.0]]))])
    with pytest.raises(TypeError, match=r"layers must be a non-empty sequence of BinaryLayer"):
        hw.BinaryClassifier([])
    with pytest.raises(ValueError, match=r"weight_bits must be an integer in \[2, 16\]; got 1"):
        hw.BinaryClassifier([ok], weight_bits=1)


def test_binary_from_float_rejects_bad_weights():
    with pytest.raises(ValueError, match=r"weights\[0\] must be finite; got nan at index \(0, 1\)"):
        hw.BinaryClassifier.from_float([np.array([[1.0, np.nan]])], [np.zeros(1)], np.zeros((1, 2), int))
    with pytest.raises(ValueError, match=r"weights and biases must be non-empty and of equal length; got 1 and 0"):
        hw.BinaryClassifier.from_float([np.ones((1, 2))], [], np.zeros((1, 2), int))
    with pytest.raises(ValueError, match=r"layer 0: weights\[0\] must be \(n_out, 2\) and biases\[0\] \(n_out,\)"):
        hw.BinaryClassifier.from_float([np.ones((1, 2))], [np.zeros(2)], np.zeros((1, 2), int))
    with pytest.raises(ValueError, match=r"pixels must be integers in \[0, 16\]; got -1"):
        hw.BinaryClassifier.from_float([np.ones((1, 2))], [np.zeros(1)], np.array([[0, -1]]))


def test_run_rtl_and_toggles_reject_bad_arguments():
    bc = hw.BinaryClassifier([hw.BinaryLayer(np.array([[1]]), np.array([0]), 1, 0)])
    with pytest.raises(ValueError, match=r"backend must be one of \('icarus', 'verilator'\); got 'modelsim'"):
        hw.run_rtl(bc, 3, {"start": [0] * 3, "pixels": [0] * 3}, backend="modelsim")
    with pytest.raises(ValueError, match=r"backend must be one of"):
        hw.cosimulate(bc, 3, {"start": [0] * 3, "pixels": [0] * 3}, backend="")
    with pytest.raises(TypeError, match=r"design must be a classifier design with registers\(\); got AndGate"):
        register_toggles(hw.AndGate(), np.zeros((1, 1), int))
