"""Plain-Python, cycle-by-cycle reference of the SC classifier datapath (private).

Slow and obvious on purpose: one loop iteration per clock cycle, one
Python ``int`` per wire, the random sources taken from the gate-level
models of ``hw_models`` (``FibonacciLFSR.sequence``, ``SobolGenerator.sequence``)
or from the counter hash's plain-Python form (``hash3_py``) for ``bernoulli``.
The fast packed path (``sc_neurocore.deploy.evaluate``), the ``hw_models``
composition and the RTL are all checked against it bit for bit.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from ._model import (
    SCClassifier,
    SCLayer,
    channel_layout,
    channel_plan,
    check_margin,
    input_thresholds,
    level_to_threshold,
    validate,
)

__all__ = [
    "ClassifierOutput",
    "PhaseTrace",
    "early_exit_bounds",
    "reference_counters",
    "reference_early_exit",
    "reference_trace",
    "source_values",
]


class ClassifierOutput(NamedTuple):
    """Result of running a classifier on ``n`` images.

    Attributes
    ----------
    predictions : numpy.ndarray
        int64, shape ``(n,)``: argmax of the output counters, lowest index on ties.
    counters : tuple of numpy.ndarray
        Per layer ``k``, int64 of shape ``(n, n_out(k))``: the counters ``C_j`` at the end
        of phase ``k`` (before requantisation).
    """

    predictions: np.ndarray
    counters: tuple[np.ndarray, ...]


class PhaseTrace(NamedTuple):
    """Every wire of one layer phase of one image, cycle by cycle (for hardware comparison).

    Attributes
    ----------
    thresholds : numpy.ndarray
        int64 ``(n_in,)``: the input comparator thresholds X of this phase.
    input_bits : numpy.ndarray
        uint8 ``(L, n_in + 1)``: input stream bits of each cycle; last column the bias (all 1).
    weight_bits : numpy.ndarray
        uint8 ``(L, n_out, n_in + 1)``: weight stream bits.
    select : numpy.ndarray
        int64 ``(L,)``: the MUX select index of each cycle (-1 for APC / OR).
    counters : numpy.ndarray
        int64 ``(L, n_out)``: the counters after each cycle's clock edge.
    levels : numpy.ndarray
        int64 ``(n_out,)``: hidden layer: the next layer's input levels
        ``clamp((C gain) >> shift, 0, 2^W)``; output layer: the final counters.
    """

    thresholds: np.ndarray
    input_bits: np.ndarray
    weight_bits: np.ndarray
    select: np.ndarray
    counters: np.ndarray
    levels: np.ndarray


def source_values(clf: SCClassifier) -> np.ndarray:
    """Register value ``r_t`` of every channel's source during cycles ``t = 0 .. L-1`` of its phase.

    Returns
    -------
    numpy.ndarray
        int64, shape ``(n_channels, L)``, values in ``[0, 2^W - 1]``; channel order of
        :func:`~sc_neurocore.deploy.channel_layout`.
    """
    from hw_models import FibonacciLFSR, SobolGenerator

    clf = validate(clf)
    L, W = clf.length, clf.width
    if clf.encoder == "bernoulli":
        from .._kernels._hash import hash3_py
        from .._rng import key_from_seed

        k0, k1 = (int(v) for v in key_from_seed(clf.seed))
        n = channel_layout(clf)[1]
        return np.array([[hash3_py(k0, k1, c, t) >> (64 - W) for t in range(L)] for c in range(n)],
                        dtype=np.int64)
    rows = []
    for src in channel_plan(clf):
        if src.kind == "lfsr":
            rows.append(FibonacciLFSR(width=src.width, seed=src.seed, taps=src.taps).sequence(L))
        else:
            rows.append(SobolGenerator(dimension=src.dimension, width=W).sequence(L))
    return np.array(rows, dtype=np.int64)


def early_exit_bounds(layer: SCLayer, thresholds: np.ndarray, coding: str,
                      accumulation: str) -> tuple[np.ndarray, np.ndarray]:
    """Largest per-cycle increase ``up_j`` and decrease ``down_j`` of each counter ``C_j``.

    A column can change a counter only if its input stream is not constant 0
    (``X_i > 0``; the bias input is constant 1) and its weight stream is not
    constant 0 (``M_ji > 0``).  unipolar APC: ``up_j`` = number of such positive
    columns, ``down_j`` = number of such negative ones; OR and MUX: at most 1
    each way; bipolar APC: every column adds +-1, so ``n_in + 1`` both ways;
    bipolar MUX: 1.

    Parameters
    ----------
    layer : SCLayer
    thresholds : numpy.ndarray
        int64 ``(..., n_in)`` input thresholds of the phase (one row per image).
    coding, accumulation : str

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        int64 ``(..., n_out)`` each.
    """
    x = np.asarray(thresholds)
    n_out, n_cols = layer.magnitude.shape
    if coding == "bipolar":
        step = n_cols if accumulation == "apc" else 1
        full = np.full(x.shape[:-1] + (n_out,), step, dtype=np.int64)
        return full, full.copy()
    x_live = np.concatenate([x > 0, np.ones(x.shape[:-1] + (1,), dtype=bool)], axis=-1)
    live = (layer.magnitude > 0) & x_live[..., None, :]
    pos = (live & ~layer.negative).sum(axis=-1).astype(np.int64)
    neg = (live & layer.negative).sum(axis=-1).astype(np.int64)
    if accumulation == "apc":
        return pos, neg
    return np.minimum(pos, 1), np.minimum(neg, 1)


def _decided(c: list[int], up: np.ndarray, down: np.ndarray, remaining: int) -> int:
    """Index of the current leader if no ``remaining`` cycles can change the argmax, else -1."""
    lead = _argmax(c)
    worst = c[lead] - remaining * int(down[lead])
    for j in range(len(c)):
        if j == lead:
            continue
        best = c[j] + remaining * int(up[j])
        # lower index wins ties: a rival below the leader must stay strictly behind
        if best > worst or (best == worst and j < lead):
            return -1
    return lead


def _phase(clf: SCClassifier, k: int, thresholds: list[int], r: np.ndarray, record: bool,
           early: bool = False, margin: int = 0) -> tuple[list[int], PhaseTrace | None, int]:
    """Run phase ``k`` cycle by cycle; return the final counters, the trace and the stop cycle count.

    ``early``: stop by the provable rule, or with ``margin > 0`` by the margin rule.
    """
    layer = clf.layers[k]
    lc = channel_layout(clf)[0][k]
    W, L = clf.width, clf.length
    mag = layer.magnitude.tolist()
    neg = layer.negative.tolist()
    n_out, n_cols = len(mag), len(mag[0])
    n_in = n_cols - 1
    bipolar = clf.coding == "bipolar"
    c = [0] * n_out
    tr_in = np.zeros((L, n_cols), dtype=np.uint8) if record else None
    tr_w = np.zeros((L, n_out, n_cols), dtype=np.uint8) if record else None
    tr_sel = np.full(L, -1, dtype=np.int64)
    tr_c = np.zeros((L, n_out), dtype=np.int64) if record else None
    if early:
        up, down = early_exit_bounds(layer, np.array(thresholds, dtype=np.int64), clf.coding,
                                     clf.accumulation)
    for t in range(L):
        x = [int(int(r[lc.inputs + i, t]) < thresholds[i]) for i in range(n_in)] + [1]
        rw = [int(r[lc.weights + i, t]) for i in range(n_cols)]
        s = -1
        if clf.accumulation == "mux":
            s = (int(r[lc.select, t]) * n_cols) >> W
            tr_sel[t] = s
        for j in range(n_out):
            w = [int(rw[i] < mag[j][i]) for i in range(n_cols)]
            p = [1 - (x[i] ^ w[i]) if bipolar else x[i] & w[i] for i in range(n_cols)]
            if record:
                tr_w[t, j] = w  # type: ignore[index]
            if bipolar:
                if clf.accumulation == "apc":
                    c[j] += sum(2 * b - 1 for b in p)
                else:
                    c[j] += 2 * p[s] - 1
            elif clf.accumulation == "apc":
                c[j] += sum(-p[i] if neg[j][i] else p[i] for i in range(n_cols))
            elif clf.accumulation == "or":
                c[j] += int(any(p[i] for i in range(n_cols) if not neg[j][i]))
                c[j] -= int(any(p[i] for i in range(n_cols) if neg[j][i]))
            else:
                c[j] += -p[s] if neg[j][s] else p[s]
        if record:
            tr_in[t] = x  # type: ignore[index]
            tr_c[t] = c  # type: ignore[index]
        if early and margin == 0 and _decided(c, up, down, L - t - 1) >= 0:
            return c, None, t + 1
        if early and margin > 0 and ((t + 1) % 64 == 0 or t + 1 == L):
            lead = _argmax(c)
            if t + 1 == L or all(c[lead] - c[j] >= margin for j in range(n_out) if j != lead):
                return c, None, t + 1
    trace = None
    if record:
        trace = PhaseTrace(np.array(thresholds, dtype=np.int64), tr_in, tr_w, tr_sel, tr_c,  # type: ignore[arg-type]
                           np.array(c, dtype=np.int64))
    return c, trace, L


def _requantise(c: list[int], layer: SCLayer, width: int) -> list[int]:
    top = 1 << width
    return [min(max((v * layer.gain) >> layer.shift, 0), top) for v in c]


def _thresholds(clf: SCClassifier, levels: list[int]) -> list[int]:
    return [int(level_to_threshold(v, clf.width, clf.coding)) for v in levels]


def _argmax(c: list[int]) -> int:
    return max(range(len(c)), key=lambda j: (c[j], -j))


def _check_image(clf: SCClassifier, image: Any) -> list[int]:
    n_in = clf.layers[0].magnitude.shape[1] - 1
    q = np.asarray(image)
    if q.shape != (n_in,):
        raise ValueError(f"image must have shape ({n_in},) (the inputs of layers[0]); got {q.shape}")
    return [int(v) for v in input_thresholds(clf, q[None, :])[0]]


def reference_trace(clf: SCClassifier, image: Any) -> tuple[PhaseTrace, ...]:
    """Every wire of every layer phase for one image, cycle by cycle.

    Parameters
    ----------
    clf : SCClassifier
    image : array_like of int, shape ``(n_in,)``
        Input values in ``[0, clf.input_max]``.

    Returns
    -------
    tuple of PhaseTrace
        One per layer; phase ``k`` runs during cycles ``k L .. (k + 1) L - 1`` of the image.
    """
    clf = validate(clf)
    r = source_values(clf)
    x = _check_image(clf, image)
    out = []
    for k, layer in enumerate(clf.layers):
        c, trace, _ = _phase(clf, k, x, r, record=True)
        if k < len(clf.layers) - 1:
            lv = _requantise(c, layer, clf.width)
            trace = trace._replace(levels=np.array(lv, dtype=np.int64))  # type: ignore[union-attr]
            x = _thresholds(clf, lv)
        out.append(trace)
    return tuple(out)  # type: ignore[arg-type]


def _check_pixels(clf: SCClassifier, pixels: Any) -> np.ndarray:
    input_thresholds(clf, pixels)  # shape, type and range check
    return np.asarray(pixels)


def reference_counters(clf: SCClassifier, pixels: Any) -> ClassifierOutput:
    """Final counters of every layer and the predicted class of each image, cycle by cycle in Python.

    Parameters
    ----------
    clf : SCClassifier
    pixels : array_like of int, shape ``(n_images, n_in)``
        Values in ``[0, clf.input_max]``.

    Returns
    -------
    ClassifierOutput
    """
    clf = validate(clf)
    q = _check_pixels(clf, pixels)
    r = source_values(clf)
    K = len(clf.layers)
    counters = [np.zeros((q.shape[0], lay.magnitude.shape[0]), dtype=np.int64) for lay in clf.layers]
    pred = np.zeros(q.shape[0], dtype=np.int64)
    for n in range(q.shape[0]):
        x = _check_image(clf, q[n])
        for k, layer in enumerate(clf.layers):
            c, _, _ = _phase(clf, k, x, r, record=False)
            counters[k][n] = c
            if k < K - 1:
                x = _thresholds(clf, _requantise(c, layer, clf.width))
        pred[n] = _argmax(counters[-1][n].tolist())
    return ClassifierOutput(pred, tuple(counters))


def reference_early_exit(clf: SCClassifier, pixels: Any, margin: int | None = None
                         ) -> tuple[np.ndarray, np.ndarray]:
    """Prediction and output-phase cycles with early termination (see ``early_exit_bounds``).

    Provable rule (``margin=None``): the output phase stops after the first cycle
    ``t`` (0-based) at which, for the current leader ``l`` and every rival ``j``,
    ``C_l - (L - t - 1) down_l`` exceeds ``C_j + (L - t - 1) up_j`` (or equals it
    when ``l < j``): no remaining cycles can change the argmax, so the answer
    equals the full-length one.  Margin rule (heuristic, ``margin`` >= 1): checked
    every 64 cycles (and at ``L``), stop when the leader is ahead of every rival by
    at least ``margin`` counts.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        int64 predictions ``(n,)`` and output-phase cycles used ``(n,)``, in ``[1, L]``.
    """
    clf = validate(clf)
    q = _check_pixels(clf, pixels)
    r = source_values(clf)
    K = len(clf.layers)
    pred = np.zeros(q.shape[0], dtype=np.int64)
    cycles = np.zeros(q.shape[0], dtype=np.int64)
    for n in range(q.shape[0]):
        x = _check_image(clf, q[n])
        for k, layer in enumerate(clf.layers[:-1]):
            c, _, _ = _phase(clf, k, x, r, record=False)
            x = _thresholds(clf, _requantise(c, layer, clf.width))
        c, _, cycles[n] = _phase(clf, K - 1, x, r, record=False, early=True, margin=check_margin(margin))
        pred[n] = _argmax(c)
    return pred, cycles
