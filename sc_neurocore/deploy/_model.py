"""The SC classifier value: layers, configuration, validation, channel plan, save/load (private).

The datapath these values describe (``/work/notes/spec12.md``, ``docs/model_to_hardware.md``):
per image and per layer phase ``k`` (``L`` cycles, sources reset per image,
layer ``k``'s sources advance only in phase ``k``) every input ``i`` and
every weight column ``i`` has one random source ``r`` (``W``-bit register
values); the stream bit of cycle ``t`` is ``r_t < X`` (hw_models SNG
convention, thresholds ``X`` in ``[0, 2^W]``).  Products are AND (unipolar,
sign-magnitude weights) or XNOR (bipolar); an accumulator (APC, OR or MUX)
adds them into a signed counter ``C_j`` per neuron; hidden counters become the
next layer's input levels ``clamp((C_j gain) >> shift, 0, 2^W)``; the class is
the argmax of the output counters (lowest index wins ties).
"""

from __future__ import annotations

import functools
import json
from typing import Any, NamedTuple

import numpy as np

from .._validation import check_choice, check_int, check_real

__all__ = [
    "ACCUMULATIONS",
    "CODINGS",
    "ENCODERS",
    "HW_ENCODERS",
    "LENGTH_RANGE",
    "WIDTH_RANGE",
    "LayerChannels",
    "SCClassifier",
    "SCLayer",
    "channel_layout",
    "channel_plan",
    "check_margin",
    "input_levels",
    "input_thresholds",
    "level_to_threshold",
    "load_classifier",
    "next_thresholds",
    "save_classifier",
    "validate",
]

#: Encoders with a gate-level model in ``hw_models`` (bit-exact with the RTL).
HW_ENCODERS = ("lfsr", "sobol")
#: All encoders of the fast path; "bernoulli" is the counter hash of ``sc_neurocore.bitstream``.
ENCODERS = ("lfsr", "sobol", "bernoulli")
ACCUMULATIONS = ("apc", "or", "mux")
CODINGS = ("unipolar", "bipolar")
#: Comparator / source width W (bits), inclusive.
WIDTH_RANGE = (4, 24)
#: Cycles per layer phase L, inclusive; L must be a power of two.
LENGTH_RANGE = (1 << 4, 1 << 16)
#: Largest gain and shift: keeps ``C gain`` inside int64 for every valid L and layer size.
_MAX_GAIN = 1 << 24
_MAX_SHIFT = 62
_MAX_FAN_IN = 1 << 14
_FORMAT = 1


class SCLayer(NamedTuple):
    """One dense SC layer (``n_in`` inputs + bias -> ``n_out`` counters).

    Attributes
    ----------
    magnitude : numpy.ndarray
        int64, shape ``(n_out, n_in + 1)``: comparator thresholds in ``[0, 2^W]`` of the
        weight streams; the last column is the bias weight (its input is the constant-1
        stream).  Unipolar coding: ``M = |w| / scale * 2^W`` rounded; bipolar: the bipolar
        threshold ``B = (w / scale + 1) / 2 * 2^W`` rounded.
    negative : numpy.ndarray
        bool, shape ``(n_out, n_in + 1)``: sign bits (all False for bipolar coding).
    gain, shift : int
        Requantisation of a hidden layer's counters to the next input level
        ``clamp((C gain) >> shift, 0, 2^W)`` (ignored for the output layer);
        ``gain`` in ``[1, 2^24]``, ``shift`` in ``[0, 62]``.
    scale : float
        Float weight units per unit of stream value (> 0), recorded by the mapping.
    """

    magnitude: np.ndarray
    negative: np.ndarray
    gain: int
    shift: int
    scale: float


class SCClassifier(NamedTuple):
    """A K-layer SC classifier: layers plus the datapath configuration.

    Attributes
    ----------
    layers : tuple of SCLayer
        ``layers[k].magnitude.shape[1] - 1`` equals ``layers[k - 1].magnitude.shape[0]``.
    width : int
        Source / comparator width W in bits, in :data:`WIDTH_RANGE`.
    length : int
        Cycles per layer phase L, a power of two in :data:`LENGTH_RANGE`.
    encoder : str
        One of :data:`ENCODERS`.
    accumulation : str
        One of :data:`ACCUMULATIONS` (``"or"`` only with unipolar coding).
    coding : str
        One of :data:`CODINGS`.
    seed : int
        lfsr / sobol: the ``seed`` of ``hw_models.assign_channels`` (first LFSR state), in
        ``[1, 2^W - 1]``; bernoulli: the counter-hash seed, in ``[0, 2^63 - 1]``.
    input_max : int
        Largest input value (16 for the digits), in ``[1, 2^16]``.
    """

    layers: tuple[SCLayer, ...]
    width: int
    length: int
    encoder: str
    accumulation: str
    coding: str
    seed: int
    input_max: int


class LayerChannels(NamedTuple):
    """Channel indices of one layer in the channel plan.

    Inputs ``i`` use channel ``inputs + i`` (``i < n_in``), weight columns ``i`` use
    ``weights + i`` (``i <= n_in``, bias column included), the MUX select uses
    ``select`` (-1 unless accumulation is ``"mux"``).
    """

    inputs: int
    weights: int
    select: int


def _frozen(a: np.ndarray) -> np.ndarray:
    out = np.array(a, copy=True, order="C")
    out.setflags(write=False)
    return out


def _check_layer(layer: Any, k: int, width: int, coding: str, n_in_expected: int | None) -> SCLayer:
    where = f"layers[{k}]"
    if not isinstance(layer, SCLayer):
        raise TypeError(f"{where} must be an SCLayer; got {type(layer).__name__}")
    mag = np.asarray(layer.magnitude)
    if mag.dtype == np.bool_ or not np.issubdtype(mag.dtype, np.integer):
        raise TypeError(f"{where}.magnitude must be an integer array; got dtype {mag.dtype}")
    if mag.ndim != 2 or mag.shape[0] < 1 or not 2 <= mag.shape[1] <= _MAX_FAN_IN + 1:
        raise ValueError(f"{where}.magnitude must have shape (n_out, n_in + 1) with n_out >= 1 and "
                         f"n_in in [1, {_MAX_FAN_IN}]; got shape {mag.shape}")
    if n_in_expected is not None and mag.shape[1] != n_in_expected + 1:
        raise ValueError(f"{where}.magnitude must have n_in + 1 = {n_in_expected + 1} columns (one per "
                         f"output of layers[{k - 1}] plus the bias); got shape {mag.shape}")
    top = 1 << width
    bad = (mag < 0) | (mag > top)
    if bad.any():
        idx = tuple(int(i) for i in np.argwhere(bad)[0])
        raise ValueError(f"{where}.magnitude must be in [0, 2^width] = [0, {top}]; got {mag[idx]} at {idx}")
    neg = np.asarray(layer.negative)
    if neg.dtype != np.bool_:
        raise TypeError(f"{where}.negative must be a bool array; got dtype {neg.dtype}")
    if neg.shape != mag.shape:
        raise ValueError(f"{where}.negative must have the shape of magnitude {mag.shape}; got {neg.shape}")
    if coding == "bipolar" and neg.any():
        raise ValueError(f"{where}.negative must be all False for coding 'bipolar' (the sign is in the "
                         f"bipolar threshold); got {int(neg.sum())} True entries")
    gain = check_int(layer.gain, f"{where}.gain", low=1, high=_MAX_GAIN)
    shift = check_int(layer.shift, f"{where}.shift", low=0, high=_MAX_SHIFT)
    scale = check_real(layer.scale, f"{where}.scale", low=0.0, low_open=True)
    return SCLayer(_frozen(mag.astype(np.int64)), _frozen(neg), gain, shift, scale)


def validate(clf: Any) -> SCClassifier:
    """Check every field of ``clf`` and return it with owned, read-only, canonical arrays.

    Parameters
    ----------
    clf : SCClassifier

    Returns
    -------
    SCClassifier
        Equal to ``clf``; ``magnitude`` int64 and ``negative`` bool, C-contiguous
        read-only copies (so the caller's arrays are never shared).

    Raises
    ------
    TypeError, ValueError
        Naming the first bad field, its value and the allowed range.
    """
    if not isinstance(clf, SCClassifier):
        raise TypeError(f"clf must be an SCClassifier; got {type(clf).__name__}")
    width = check_int(clf.width, "width", low=WIDTH_RANGE[0], high=WIDTH_RANGE[1])
    length = check_int(clf.length, "length", low=LENGTH_RANGE[0], high=LENGTH_RANGE[1])
    if length & (length - 1):
        raise ValueError(f"length must be a power of two in [{LENGTH_RANGE[0]}, {LENGTH_RANGE[1]}]; "
                         f"got {length}")
    encoder = check_choice(clf.encoder, "encoder", ENCODERS)
    accumulation = check_choice(clf.accumulation, "accumulation", ACCUMULATIONS)
    coding = check_choice(clf.coding, "coding", CODINGS)
    if coding == "bipolar" and accumulation == "or":
        raise ValueError("accumulation must be one of 'apc', 'mux' for coding 'bipolar' (OR does not add "
                         "bipolar values); got 'or'")
    if encoder == "bernoulli":
        seed = check_int(clf.seed, "seed", low=0, high=2**63 - 1)
    else:
        seed = check_int(clf.seed, "seed", low=1, high=(1 << width) - 1)
    input_max = check_int(clf.input_max, "input_max", low=1, high=1 << 16)
    if not isinstance(clf.layers, tuple) or not clf.layers:
        raise TypeError(f"layers must be a non-empty tuple of SCLayer; got {type(clf.layers).__name__} "
                        f"of length {len(clf.layers) if hasattr(clf.layers, '__len__') else '?'}")
    layers: list[SCLayer] = []
    n_in: int | None = None
    for k, layer in enumerate(clf.layers):
        lay = _check_layer(layer, k, width, coding, n_in)
        layers.append(lay)
        n_in = lay.magnitude.shape[0]
    return SCClassifier(tuple(layers), width, length, encoder, accumulation, coding, seed, input_max)


def channel_layout(clf: SCClassifier) -> tuple[tuple[LayerChannels, ...], int]:
    """Per-layer channel indices and the total number of channels (spec order).

    Layer ``k`` takes ``n_in`` input channels, then ``n_in + 1`` weight channels
    (bias column included), then one select channel for MUX accumulation;
    layer ``k + 1`` follows.  The bias input is the constant-1 stream and
    needs no source.
    """
    out = []
    base = 0
    mux = clf.accumulation == "mux"
    for layer in clf.layers:
        n_in = layer.magnitude.shape[1] - 1
        out.append(LayerChannels(base, base + n_in, base + 2 * n_in + 1 if mux else -1))
        base += 2 * n_in + 1 + int(mux)
    return tuple(out), base


def channel_plan(clf: SCClassifier) -> list[Any]:
    """The random source (``hw_models.ChannelSource``) of every channel, in :func:`channel_layout` order.

    lfsr: one ``hw_models.assign_channels(n_channels, kind="lfsr", width=W, seed=seed)``
    call (evenly spread phases of one maximal-length sequence); the channel's
    register values are ``FibonacciLFSR(W, source.seed, source.taps)``.

    sobol: Sobol has only ``SOBOL_MAX_DIMENSION + 1 = 16`` dimensions, fewer than
    the channels of a real layer, so the dimensions go by role, from one
    ``assign_channels(3, kind="sobol", width=W, seed=seed)`` call: every input
    channel uses dimension 0, every weight channel dimension 1, the MUX select
    dimension 2.  An AND still always sees two different dimensions (the
    product of two Sobol dimensions is a low-discrepancy estimate of the
    product); the channel's register values are the top W bits of the 32-bit
    points, ``SobolGenerator(dimension, width=W)``.

    Raises
    ------
    ValueError
        For encoder ``"bernoulli"`` (no hardware source; the fast path uses the counter hash).
    """
    clf = validate(clf)
    if clf.encoder not in HW_ENCODERS:
        raise ValueError(f"encoder must be one of {', '.join(map(repr, HW_ENCODERS))} for a channel plan "
                         f"(hardware sources); got {clf.encoder!r}")
    layout, n = channel_layout(clf)
    if clf.encoder == "lfsr":
        return list(_assigned(n, "lfsr", clf.width, clf.seed))
    dims = _assigned(3, "sobol", clf.width, clf.seed)
    plan: list[Any] = []
    for lc, layer in zip(layout, clf.layers, strict=True):
        n_in = layer.magnitude.shape[1] - 1
        plan += [dims[0]] * n_in + [dims[1]] * (n_in + 1) + ([dims[2]] if lc.select >= 0 else [])
    return plan


@functools.lru_cache(maxsize=64)
def _assigned(n: int, kind: str, width: int, seed: int) -> tuple[Any, ...]:
    """Sources of ``hw_models.assign_channels`` (a pure function of its arguments, so memoised).

    The sources do not depend on the SCC measurement length; a short one keeps
    the call cheap (the phase jumps of 200 LFSR channels still take ~0.3 s).
    """
    from hw_models import assign_channels

    return tuple(assign_channels(n, kind=kind, width=width, seed=seed, length=64).sources)


def input_levels(pixels: Any, width: int, input_max: int) -> np.ndarray:
    """Input levels ``round_half_even(q 2^W / input_max)`` in ``[0, 2^W]``, exactly (integer arithmetic).

    Parameters
    ----------
    pixels : array_like of int
        Values ``q`` in ``[0, input_max]``, any shape.
    width, input_max : int

    Returns
    -------
    numpy.ndarray
        int64, the shape of ``pixels``.
    """
    q = np.asarray(pixels)
    if q.dtype == np.bool_ or not np.issubdtype(q.dtype, np.integer):
        raise TypeError(f"pixels must be an integer array with values in [0, {input_max}]; "
                        f"got dtype {q.dtype}")
    bad = (q < 0) | (q > input_max)
    if bad.any():
        idx = tuple(int(i) for i in np.argwhere(bad)[0])
        raise ValueError(f"pixels must be in [0, input_max] = [0, {input_max}]; got {q[idx]} at index {idx}")
    quot, rem = np.divmod(q.astype(np.int64) << width, input_max)
    up = (2 * rem > input_max) | ((2 * rem == input_max) & (quot % 2 == 1))
    return quot + up


def level_to_threshold(level: Any, width: int, coding: str) -> Any:
    """Comparator threshold of an input level ``a`` in ``[0, 2^W]`` (value ``a / 2^W`` in [0, 1]).

    unipolar: ``X = a``; bipolar: ``X = 2^(W-1) + (a >> 1)``, i.e. ``floor((v + 1) / 2 * 2^W)``
    (set the MSB, shift right: no rounding logic in hardware).
    """
    if coding == "bipolar":
        return (1 << (width - 1)) + (level >> 1)
    return level


def check_margin(margin: Any) -> int:
    """Early-exit rule selector: 0 for the provable rule (``None``), else a margin in [1, 2^62]."""
    return 0 if margin is None else check_int(margin, "margin", low=1, high=2**62)


def input_thresholds(clf: SCClassifier, pixels: Any) -> np.ndarray:
    """Layer-0 comparator thresholds of a batch of images (validated ``clf``).

    Parameters
    ----------
    clf : SCClassifier
        Already validated.
    pixels : array_like of int, shape ``(n_images, n_in)``
        Values in ``[0, clf.input_max]``.

    Returns
    -------
    numpy.ndarray
        int64 ``(n_images, n_in)``: ``level_to_threshold(input_levels(pixels))``.
    """
    n_in = clf.layers[0].magnitude.shape[1] - 1
    q = np.asarray(pixels)
    if q.ndim != 2 or q.shape[1] != n_in:
        raise ValueError(f"pixels must have shape (n_images, {n_in}); got {q.shape}")
    return np.ascontiguousarray(level_to_threshold(input_levels(q, clf.width, clf.input_max), clf.width,
                                                   clf.coding), dtype=np.int64)


def next_thresholds(clf: SCClassifier, k: int, counters: np.ndarray) -> np.ndarray:
    """Input thresholds of layer ``k + 1`` from the counters of hidden layer ``k``.

    Level ``a = clamp((C gain) >> shift, 0, 2^W)`` (arithmetic shift = floor), then
    :func:`level_to_threshold`.
    """
    lay = clf.layers[k]
    a = np.clip((np.asarray(counters, dtype=np.int64) * lay.gain) >> lay.shift, 0, 1 << clf.width)
    return np.ascontiguousarray(level_to_threshold(a, clf.width, clf.coding), dtype=np.int64)


def save_classifier(clf: SCClassifier, path: Any) -> None:
    """Write ``clf`` to exactly ``path`` as an uncompressed npz (no pickles).

    Entries: ``meta`` (JSON: format, width, length, encoder, accumulation, coding,
    seed, input_max, and per layer gain, shift, scale), ``magnitude_k`` (int64) and
    ``negative_k`` (bool) for each layer ``k``.
    """
    from ..network._persistence import write_npz

    clf = validate(clf)
    meta = {"format": _FORMAT, "kind": "sc_classifier", "width": clf.width, "length": clf.length,
            "encoder": clf.encoder, "accumulation": clf.accumulation, "coding": clf.coding,
            "seed": clf.seed, "input_max": clf.input_max,
            "layers": [{"gain": lay.gain, "shift": lay.shift, "scale": lay.scale} for lay in clf.layers]}
    arrays: dict[str, np.ndarray] = {"meta": np.array(json.dumps(meta))}
    for k, lay in enumerate(clf.layers):
        arrays[f"magnitude_{k}"] = lay.magnitude
        arrays[f"negative_{k}"] = lay.negative
    write_npz(path, arrays)


def load_classifier(path: Any) -> SCClassifier:
    """Read a classifier written by :func:`save_classifier` (untrusted file; every field validated).

    Raises
    ------
    ValueError
        Naming the file and the problem (bad archive, missing or extra entry,
        bad field); ``FileNotFoundError`` for a missing file.
    """
    from ..network._persistence import Entries, field, file_name, read_meta, read_npz

    what = "path must be an npz SC classifier file saved by save_classifier"
    name = file_name(path)
    e = Entries(read_npz(path, what))
    try:
        meta = read_meta(e, what, name, "SC classifier", _FORMAT)
        if meta.get("kind") != "sc_classifier":
            raise ValueError(f"meta.kind must be 'sc_classifier'; got {meta.get('kind')!r}")
        layers_meta = field(meta, "layers")
        if not isinstance(layers_meta, list) or not layers_meta:
            raise ValueError("meta.layers must be a non-empty list")
        layers = []
        for k, lm in enumerate(layers_meta):
            if not isinstance(lm, dict):
                raise ValueError(f"meta.layers[{k}] must be an object")
            layers.append(SCLayer(e[f"magnitude_{k}"], e[f"negative_{k}"], field(lm, "gain"),
                                  field(lm, "shift"), field(lm, "scale")))
        e.check_all_used()
        clf = SCClassifier(tuple(layers), field(meta, "width"), field(meta, "length"), field(meta, "encoder"),
                           field(meta, "accumulation"), field(meta, "coding"), field(meta, "seed"),
                           field(meta, "input_max"))
        return validate(clf)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{what}; got {name}: {exc}") from exc
