"""RTL of the classifier designs: the emitted Verilog equals the Python models cycle by cycle and the
deploy fast path (``sc_neurocore.deploy.evaluate``) image by image, in Icarus and Verilator.

In CI (env CI set) a missing simulator fails these tests; locally they skip and say what to install.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from _hw_classifier_cases import class_images, decode_bus, require_simulator, structured_classifier
from conftest import require_ml

import hw_models as hw
from sc_neurocore.deploy import FloatMLP, evaluate, load_digits_split, to_sc

DATA = Path(__file__).resolve().parent / "data"

pytestmark = pytest.mark.rtl

CONFIGS = [("apc", "unipolar"), ("or", "unipolar"), ("mux", "unipolar"), ("apc", "bipolar"), ("mux", "bipolar")]


@pytest.fixture(autouse=True)
def _icarus() -> None:
    require_simulator("iverilog")
    require_simulator("vvp")


def _counters_at(run: hw.RtlRun, dp: hw.SCClassifierDatapath, cycles: list[int], k: int) -> np.ndarray:
    lay = dp.hw_layers[k]
    return np.array([decode_bus(int(run.values[f"acc{k}"][t]), lay.n_out, lay.counter_width) for t in cycles])


@pytest.mark.parametrize("encoder", ["lfsr", "sobol"])
@pytest.mark.parametrize("accumulation,coding", CONFIGS)
def test_reduced_classifier_rtl_equals_model_every_cycle(encoder, accumulation, coding):
    clf = structured_classifier([16, 8, 4], width=10, length=16, encoder=encoder, accumulation=accumulation,
                                coding=coding)
    # the serial requantiser for half of the cases
    requant = "serial" if (encoder == "sobol") != (coding == "bipolar") else "parallel"
    dp = hw.SCClassifierDatapath.from_classifier(clf, requant=requant)
    pixels, _ = class_images(np.random.default_rng(3), 3, 16, 4)
    inputs, n, _at = hw.image_schedule(dp, pixels)
    res = hw.cosimulate(dp, n, inputs)
    assert res.ok, str(res)


@pytest.mark.parametrize("requant", ["parallel", "serial"])
@pytest.mark.parametrize("accumulation,coding", CONFIGS)
def test_reduced_classifier_rtl_equals_fast_path(accumulation, coding, requant):
    # 16-8-4 at L = 64: classes and both layers' final counters, read from the RTL's ports
    clf = structured_classifier([16, 8, 4], width=12, length=64, accumulation=accumulation, coding=coding)
    dp = hw.SCClassifierDatapath.from_classifier(clf, requant=requant)
    pixels, _ = class_images(np.random.default_rng(4), 8, 16, 4)
    classes, run = hw.classify_rtl(dp, pixels)
    fast = evaluate(clf, pixels)
    np.testing.assert_array_equal(classes, fast.predictions)
    _inputs, _n, at = hw.image_schedule(dp, pixels)
    for k in range(2):
        np.testing.assert_array_equal(_counters_at(run, dp, at, k), fast.counters[k])
    if (accumulation, coding) == ("apc", "unipolar"):
        assert len(set(classes.tolist())) >= 3  # the check compares real decisions


def test_reset_mid_image_restarts_cleanly():
    clf = structured_classifier([16, 8, 4], width=10, length=16)
    dp = hw.SCClassifierDatapath.from_classifier(clf)
    pixels, _ = class_images(np.random.default_rng(5), 2, 16, 4)
    inputs, n, _at = hw.image_schedule(dp, pixels)
    res = hw.cosimulate(dp, n, inputs, reset_cycles=[7, 20])  # during phase 0 of the first image
    assert res.ok, str(res)
    serial = hw.SCClassifierDatapath.from_classifier(clf, requant="serial")
    inputs, n, _at = hw.image_schedule(serial, pixels)
    res = hw.cosimulate(serial, n, inputs, reset_cycles=[18, 40])  # during a requantisation pass
    assert res.ok, str(res)


def test_binary_baseline_rtl_equals_model_and_classify():
    rng = np.random.default_rng(6)
    ws = [rng.normal(size=(6, 12)), rng.normal(size=(5, 6)), rng.normal(size=(3, 5))]
    bs = [rng.normal(size=6) * 0.3, rng.normal(size=5) * 0.3, rng.normal(size=3) * 0.3]
    bc = hw.BinaryClassifier.from_float(ws, bs, rng.integers(0, 17, (16, 12)), weight_bits=6, act_bits=5)
    pixels = rng.integers(0, 17, (4, 12))
    inputs, n, _at = hw.image_schedule(bc, pixels)
    res = hw.cosimulate(bc, n, inputs, reset_cycles=[30])
    assert res.ok, str(res)
    classes, _run = hw.classify_rtl(bc, pixels)
    np.testing.assert_array_equal(classes, bc.classify(pixels)[0])


def test_full_binary_baseline_rtl_equals_classify():
    # 64-32-10 with 8-bit weights and activations: 20 images, 47 421 cycles
    rng = np.random.default_rng(10)
    ws = [rng.normal(size=(32, 64)) * 0.2, rng.normal(size=(10, 32)) * 0.3]
    bs = [rng.normal(size=32) * 0.1, rng.normal(size=10) * 0.1]
    pixels, _ = class_images(rng, 20, 64, 10)
    bc = hw.BinaryClassifier.from_float(ws, bs, pixels)
    classes, _run = hw.classify_rtl(bc, pixels)
    np.testing.assert_array_equal(classes, bc.classify(pixels)[0])
    assert len(set(classes.tolist())) >= 3


def test_verilator_backend_equals_icarus():
    require_simulator("verilator")
    clf = structured_classifier([16, 8, 4], width=10, length=16, accumulation="mux")
    dp = hw.SCClassifierDatapath.from_classifier(clf)
    pixels, _ = class_images(np.random.default_rng(8), 3, 16, 4)
    inputs, n, _at = hw.image_schedule(dp, pixels)
    res = hw.cosimulate(dp, n, inputs, backend="verilator", reset_cycles=[5])
    assert res.ok and res.backend == "verilator", str(res)
    ica = hw.run_rtl(dp, n, inputs, reset_cycles=[5])
    for name, _w, _s in dp.outputs_spec():
        assert [int(v) for v in res.rtl[name]] == ica.values[name]


@pytest.mark.slow
def test_full_digits_classifier_rtl_equals_fast_path_at_full_length():
    # the stored 64-32-10 digits model mapped at W = 16, L = 1024 (lfsr, APC, unipolar) on the
    # first 24 test images: 49 201 cycles in Icarus (about 1.5 minutes); the binary baseline of
    # the same model on the same images
    require_ml()
    digits = load_digits_split()
    mlp = FloatMLP.load(DATA / "digits_mlp.npz")
    clf = to_sc(mlp, width=16, length=1024, calibration=digits.x_train)
    pixels = digits.x_test[:24]
    dp = hw.SCClassifierDatapath.from_classifier(clf)
    classes, run = hw.classify_rtl(dp, pixels)
    fast = evaluate(clf, pixels)
    np.testing.assert_array_equal(classes, fast.predictions)
    _inputs, _n, at = hw.image_schedule(dp, pixels)
    for k in range(2):
        np.testing.assert_array_equal(_counters_at(run, dp, at, k), fast.counters[k])
    assert len(set(classes.tolist())) >= 8  # real digits: the decisions vary
    bc = hw.BinaryClassifier.from_float(mlp.weights, mlp.biases, digits.x_train)
    b_classes, _run = hw.classify_rtl(bc, pixels)
    np.testing.assert_array_equal(b_classes, bc.classify(pixels)[0])
