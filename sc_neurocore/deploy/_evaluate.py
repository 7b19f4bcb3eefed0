"""Fast, bit-exact evaluation of an SC classifier on packed streams (private).

Bit for bit the datapath of ``_reference.py`` (tested), computed 64 cycles
per machine word by the kernels of ``sc_neurocore/_kernels/_classifier.py``.
Per classifier the channel sources are generated once (the core package's
LFSR / Sobol / hash generators, bit-exact with ``hw_models``), the weight
streams and MUX select masks are packed once, and per image only the input
streams are packed.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from .._kernels._classifier import (
    MODE_APC,
    MODE_MUX,
    MODE_OR,
    bit_planes,
    hash_sources,
    layer_counters,
    output_early_exit,
    pack_streams,
    select_masks,
)
from ._model import (
    SCClassifier,
    channel_layout,
    channel_plan,
    check_margin,
    input_thresholds,
    next_thresholds,
    validate,
)
from ._reference import ClassifierOutput, early_exit_bounds

__all__ = [
    "CURVE_LENGTHS",
    "CurvePoint",
    "EarlyExitOutput",
    "accuracy_curve",
    "evaluate",
    "evaluate_early_exit",
    "fast_source_values",
]

_MODES = {"apc": MODE_APC, "or": MODE_OR, "mux": MODE_MUX}
#: Default lengths of :func:`accuracy_curve`: 2^4 .. 2^12.
CURVE_LENGTHS = (16, 32, 64, 128, 256, 512, 1024, 2048, 4096)


class EarlyExitOutput(NamedTuple):
    """Result of :func:`evaluate_early_exit`.

    Attributes
    ----------
    predictions : numpy.ndarray
        int64 ``(n,)``, equal to the full-length predictions.
    cycles : numpy.ndarray
        int64 ``(n,)``: output-phase cycles used, in ``[1, L]``; the image's total
        latency is ``(K - 1) L + cycles``.
    """

    predictions: np.ndarray
    cycles: np.ndarray


def fast_source_values(clf: SCClassifier) -> np.ndarray:
    """Source register values ``(n_channels, L)`` int64, from the core package's generators.

    Same values as :func:`~sc_neurocore.deploy.source_values` (which uses the
    ``hw_models`` gate-level sources; tested equal): lfsr via
    ``sc_neurocore.bitstream.lfsr_states``; sobol via ``sobol_points`` (top W
    bits, period ``2^W`` as the W-bit ``SobolGenerator``); bernoulli via the
    counter hash.
    """
    from ..bitstream import lfsr_states, sobol_points

    clf = validate(clf)
    L, W = clf.length, clf.width
    if clf.encoder == "bernoulli":
        from .._rng import key_from_seed

        k = key_from_seed(clf.seed)
        return hash_sources(k[0], k[1], channel_layout(clf)[1], L, W)
    plan = channel_plan(clf)
    out = np.empty((len(plan), L), dtype=np.int64)
    if clf.encoder == "lfsr":
        for c, src in enumerate(plan):
            out[c] = lfsr_states(L, width=W, seed=src.seed, taps=src.taps)
        return out
    period = min(L, 1 << W)
    rows: dict[int, np.ndarray] = {}
    for c, src in enumerate(plan):
        if src.dimension not in rows:
            pts = sobol_points(period, dimension=src.dimension).astype(np.int64) >> (32 - W)
            rows[src.dimension] = np.resize(pts, L)
        out[c] = rows[src.dimension]
    return out


class _Layer(NamedTuple):
    planes: np.ndarray  # (n_in, W, nw) input-channel bit planes
    wbits: np.ndarray  # (n_out, n_in + 1, nw) weight streams
    negative: np.ndarray  # (n_out, n_in + 1) uint8
    sel: np.ndarray  # (n_in + 1, nw) MUX select masks (zeros otherwise)


def _prepare(clf: SCClassifier) -> list[_Layer]:
    """Everything image-independent: input bit planes, weight streams, select masks."""
    r = fast_source_values(clf)
    W, L = clf.width, clf.length
    out = []
    for lc, lay in zip(channel_layout(clf)[0], clf.layers, strict=True):
        n_out, n_cols = lay.magnitude.shape
        planes = bit_planes(np.ascontiguousarray(r[lc.inputs:lc.inputs + n_cols - 1]), W)
        wplanes = bit_planes(np.ascontiguousarray(r[lc.weights:lc.weights + n_cols]), W)
        chans = np.tile(np.arange(n_cols, dtype=np.int64), n_out)
        wbits = pack_streams(wplanes, chans, lay.magnitude.ravel(), W, L).reshape(n_out, n_cols, -1)
        if lc.select >= 0:
            sel = select_masks(np.ascontiguousarray(r[lc.select]), n_cols, W, L)
        else:
            sel = np.zeros((n_cols, planes.shape[2]), dtype=np.uint64)
        out.append(_Layer(planes, wbits, np.ascontiguousarray(lay.negative, dtype=np.uint8), sel))
    return out


def _run(clf: SCClassifier, prep: list[_Layer], x: np.ndarray, k: int) -> np.ndarray:
    p = prep[k]
    return layer_counters(x, p.planes, p.wbits, p.negative, p.sel, _MODES[clf.accumulation],
                          clf.coding == "bipolar", clf.width, clf.length)


def evaluate(clf: SCClassifier, pixels: Any) -> ClassifierOutput:
    """Run the classifier on a batch of images: predictions and every layer's counters, bit-exact.

    Parameters
    ----------
    clf : SCClassifier
    pixels : array_like of int, shape ``(n_images, n_in)``
        Input values in ``[0, clf.input_max]``.

    Returns
    -------
    ClassifierOutput
        Identical to :func:`~sc_neurocore.deploy.reference_counters` (and, for
        encoders lfsr / sobol, to the ``hw_models`` composition and its RTL).

    Raises
    ------
    TypeError, ValueError
        For a bad classifier or pixels of the wrong shape, type or range.
    """
    clf = validate(clf)
    x = input_thresholds(clf, pixels)
    prep = _prepare(clf)
    counters = []
    for k in range(len(clf.layers)):
        c = _run(clf, prep, x, k)
        counters.append(c)
        if k < len(clf.layers) - 1:
            x = next_thresholds(clf, k, c)
    return ClassifierOutput(np.argmax(counters[-1], axis=1).astype(np.int64), tuple(counters))


def evaluate_early_exit(clf: SCClassifier, pixels: Any, margin: int | None = None) -> EarlyExitOutput:
    """Predictions with early termination of the output phase, and the cycles it used.

    Provable rule (default): the output phase stops after the first cycle ``t`` at
    which no remaining cycle can change the argmax: for the leader ``l`` (lowest
    index on ties) and every rival ``j``, ``C_l - (L - t - 1) down_l > C_j + (L - t - 1) up_j``
    (``>=`` when ``l < j``), with the per-cycle bounds of
    :func:`~sc_neurocore.deploy.early_exit_bounds`.  Counters move by at most
    their bound per cycle, so the answer is provably the full-length one.

    Margin rule (heuristic, ``margin`` given): every 64 cycles (and at ``L``) stop
    if the leader is ahead of every rival by at least ``margin`` counts; the
    answer may differ from the full-length one (measure its accuracy).

    Parameters
    ----------
    clf : SCClassifier
    pixels : array_like of int, shape ``(n_images, n_in)``
    margin : int, optional
        In [1, 2^62]; None selects the provable rule.

    Returns
    -------
    EarlyExitOutput
    """
    clf = validate(clf)
    m = check_margin(margin)
    x = input_thresholds(clf, pixels)
    prep = _prepare(clf)
    K = len(clf.layers)
    for k in range(K - 1):
        x = next_thresholds(clf, k, _run(clf, prep, x, k))
    up, down = early_exit_bounds(clf.layers[-1], x, clf.coding, clf.accumulation)
    p = prep[-1]
    pred, cycles = output_early_exit(x, p.planes, p.wbits, p.negative, p.sel, _MODES[clf.accumulation],
                                     clf.coding == "bipolar", clf.width, clf.length,
                                     np.ascontiguousarray(up), np.ascontiguousarray(down), m)
    return EarlyExitOutput(pred, cycles)


class CurvePoint(NamedTuple):
    """One row of :func:`accuracy_curve`.

    Attributes
    ----------
    encoder : str
    length : int
        Cycles per layer L.
    accuracy : float
        Test accuracy of the SC classifier (full length).
    float_accuracy : float
        Test accuracy of the float model (clamped at its act_scales if it has them).
    mean_cycles : float
        Mean output-phase cycles with early termination (same predictions).
    mean_latency : float
        Mean cycles per image with early termination, ``(K - 1) L + mean_cycles``.
    margin_accuracy : float or None
        Test accuracy with the heuristic margin rule (``accuracy_curve(margin=m)``), else None.
    margin_mean_cycles : float or None
        Mean output-phase cycles with the margin rule, else None.
    margin_agreement : float or None
        Fraction of test images whose margin-rule prediction equals the full-length one, else None.
    """

    encoder: str
    length: int
    accuracy: float
    float_accuracy: float
    mean_cycles: float
    mean_latency: float
    margin_accuracy: float | None = None
    margin_mean_cycles: float | None = None
    margin_agreement: float | None = None


def accuracy_curve(mlp: Any, data: Any, *, lengths: Any = CURVE_LENGTHS,
                   encoders: Any = ("bernoulli", "lfsr", "sobol"), width: int = 16, accumulation: str = "apc",
                   coding: str = "unipolar", seed: int = 1, activation_percentile: float = 99.0,
                   early_exit: bool = True, margin: int | None = None) -> list[CurvePoint]:
    """Test accuracy of the SC classifier of ``mlp`` against L, for each encoder.

    Parameters
    ----------
    mlp : FloatMLP
    data : DigitsSplit
        ``x_train`` calibrates the activation scales (unless ``mlp`` has them);
        accuracy is measured on ``x_test``, ``y_test``.
    lengths : sequence of int
        Powers of two in [16, 65536] (default 2^4 .. 2^12).
    encoders : sequence of str
        Members of ``ENCODERS``.
    width, accumulation, coding, seed, activation_percentile
        As in :func:`~sc_neurocore.deploy.to_sc`.
    early_exit : bool
        Also run :func:`evaluate_early_exit` (else ``mean_cycles = L``).
    margin : int, optional
        Also run the heuristic margin rule with this margin (counts, in [1, 2^62]; see
        :func:`evaluate_early_exit`) and fill the ``margin_*`` columns.

    Returns
    -------
    list of CurvePoint
        Encoder-major, lengths in the given order.
    """
    from .._validation import check_bool
    from ._mapping import to_sc
    from ._train import float_accuracy

    early_exit = check_bool(early_exit, "early_exit")
    check_margin(margin)
    fa = float_accuracy(mlp, data.x_test, data.y_test)
    y = np.asarray(data.y_test)
    rows = []
    for enc in encoders:
        for L in lengths:
            clf = to_sc(mlp, width=width, length=L, encoder=enc, accumulation=accumulation, coding=coding,
                        seed=seed, calibration=data.x_train, activation_percentile=activation_percentile)
            pred = evaluate(clf, data.x_test).predictions
            # the provable rule never changes a prediction (tested), so only its cycles are kept
            cyc = float(evaluate_early_exit(clf, data.x_test).cycles.mean()) if early_exit else float(L)
            K = len(clf.layers)
            extra: tuple[float, ...] = ()
            if margin is not None:
                mar = evaluate_early_exit(clf, data.x_test, margin)
                extra = (float(np.mean(mar.predictions == y)), float(mar.cycles.mean()),
                         float(np.mean(mar.predictions == pred)))
            acc = float(np.mean(pred == y))
            rows.append(CurvePoint(enc, int(L), acc, fa, cyc, (K - 1) * L + cyc, *extra))
    return rows
