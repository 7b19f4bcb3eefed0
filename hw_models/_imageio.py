"""Image I/O shared by the classifier designs (private): pixel checks, port schedules, RTL runs.

Both classifier designs (:class:`~hw_models.SCClassifierDatapath` and
:class:`~hw_models.BinaryClassifier`) have the same top-level interface::

    input  start                 1 bit, a one-cycle pulse starts an image
    input  pixels                n_inputs * pixel_bits bits, pixel i at [i*pixel_bits +: pixel_bits]
    output done                  1 while the result of the last image is valid
    output class_id              the predicted class (argmax, lowest index wins ties)

``pixels`` is sampled in the cycle ``start`` is high (when the design is
ready: idle, or done with the previous image).  ``done`` and ``class_id`` are
registers: with ``start`` in cycle ``s``, they show the result from cycle
``s + latency`` on, where ``latency`` is the design's documented constant.
(``class_id`` rather than ``class``: ``class`` is a SystemVerilog keyword,
and Verilator parses SystemVerilog.)
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np

from hw_models._common import Block

__all__ = ["ImageDesign", "check_pixels", "classify_rtl", "image_schedule", "register_toggles"]


class ImageDesign(Protocol):
    """What :func:`image_schedule` needs of a classifier design."""

    part: str
    n_inputs: int
    input_max: int
    pixel_bits: int
    latency: int


def check_pixels(part: str, pixels: Any, n_inputs: int, input_max: int) -> np.ndarray:
    """``pixels`` as an int64 (n_images, n_inputs) array of integers in [0, input_max], or raise.

    A 1-d array is one image.  Floats are rejected even when integral: pixel
    values are the integer grey levels of the data set.
    """
    arr = np.asarray(pixels)
    if arr.dtype == object or not np.issubdtype(arr.dtype, np.integer) or arr.dtype == np.bool_:
        raise TypeError(f"{part}: pixels must be an integer array in [0, {input_max}]; got dtype {arr.dtype}")
    if arr.ndim == 1:
        arr = arr[None, :]
    if arr.ndim != 2 or arr.shape[1] != n_inputs or arr.shape[0] == 0:
        raise ValueError(
            f"{part}: pixels must have shape (n_images, {n_inputs}) or ({n_inputs},) with n_images >= 1; "
            f"got shape {np.shape(pixels)}")
    bad = (arr < 0) | (arr > input_max)
    if bad.any():
        idx = tuple(int(i) for i in np.argwhere(bad)[0])
        raise ValueError(f"{part}: pixels must be integers in [0, {input_max}]; "
                         f"got {arr[idx]} at index {idx}")
    return np.ascontiguousarray(arr, dtype=np.int64)


def pack_pixels(row: np.ndarray, bits: int) -> int:
    """The ``pixels`` port value of one image: pixel i at bits ``[i*bits, (i+1)*bits)``."""
    return sum(int(q) << (i * bits) for i, q in enumerate(row))


def image_schedule(design: ImageDesign, pixels: Any) -> tuple[dict[str, list[int]], int, list[int]]:
    """Port values that classify ``pixels`` back to back, one image per ``latency`` cycles.

    Returns ``(inputs, n_cycles, result_cycles)``: image m is started in cycle
    ``m * latency`` (a ``start`` pulse, its pixels held on the port until the
    next start) and its class is read from ``class_id`` in cycle
    ``result_cycles[m] = (m + 1) * latency`` (the cycle in which the next image
    starts: ``class_id`` is a register and still holds the result).
    """
    px = check_pixels(design.part, pixels, design.n_inputs, design.input_max)
    period = design.latency
    n_cycles = px.shape[0] * period + 1
    start = [0] * n_cycles
    bus = [0] * n_cycles
    for m, row in enumerate(px):
        start[m * period] = 1
        word = pack_pixels(row, design.pixel_bits)
        bus[m * period:(m + 1) * period] = [word] * period
    bus[-1] = bus[-2]
    return {"start": start, "pixels": bus}, n_cycles, [(m + 1) * period for m in range(px.shape[0])]


def classify_rtl(design: Any, pixels: Any, *, backend: str = "icarus",
                 workdir: str | os.PathLike[str] | None = None, timeout: float = 1800.0,
                 vcd: str | os.PathLike[str] | None = None) -> tuple[np.ndarray, Any]:
    """Classify ``pixels`` with the design's emitted Verilog; ``(classes, RtlRun)``.

    The design's Python model is not run (for long runs compare ``classes``
    with the design's vectorised ``classify``).  Raises
    :class:`~hw_models.CosimError` if ``done`` is not high in a result cycle.
    """
    from hw_models._cosim import CosimError, run_rtl

    if not isinstance(design, Block):
        raise TypeError(f"design must be a hw_models Block; got {type(design).__name__}")
    inputs, n, at = image_schedule(design, pixels)  # type: ignore[arg-type]
    run = run_rtl(design, n, inputs, backend=backend, workdir=workdir, timeout=timeout, vcd=vcd)
    done: Sequence[int | str] = run.values["done"]
    cls: Sequence[int | str] = run.values["class_id"]
    for m, t in enumerate(at):
        if done[t] != 1 or isinstance(cls[t], str):
            raise CosimError(f"{design.part}: image {m}: done={done[t]!r}, class_id={cls[t]!r} in cycle {t}; "
                             "expected done=1 and a class")
    return np.asarray([int(cls[t]) for t in at], dtype=np.int64), run


def register_toggles(design: Any, pixels: Any) -> np.ndarray:
    """Energy proxy: flip-flop toggles per image in the per-cycle model.

    Classifies ``pixels`` back to back (:func:`image_schedule`) with the
    design's Python model and counts, for each image, the register bits that
    change value on the clock edges of its ``latency`` cycles (its start cycle
    up to the cycle before the next start): the sum over edges of
    ``popcount(before XOR after)`` over every register of
    ``design.registers()`` (two's-complement bit patterns).

    It is a proxy for dynamic energy, not joules: it ignores combinational
    nets (comparators, adders, multiplexers), glitches, clock-tree power, wire
    capacitance and leakage, and weighs every flip-flop bit the same.  Use it to
    compare designs and configurations with each other.

    Returns
    -------
    numpy.ndarray
        int64 ``(n_images,)``.
    """
    if not isinstance(design, Block) or not callable(getattr(design, "registers", None)):
        raise TypeError(f"design must be a classifier design with registers(); got {type(design).__name__}")
    dsg: Any = design  # a Block with registers() and latency (checked above / by image_schedule)
    inputs, n, at = image_schedule(dsg, pixels)
    dsg.reset()
    toggles = np.zeros(len(at), dtype=np.int64)
    before = dsg.registers()
    for t in range(n - 1):
        dsg.step(start=inputs["start"][t], pixels=inputs["pixels"][t])
        after = dsg.registers()
        toggles[t // dsg.latency] += sum((v ^ before[k][0]).bit_count() for k, (v, _w) in after.items())
        before = after
    return toggles
