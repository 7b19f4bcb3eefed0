r"""Float MLP -> SC classifier: per-layer scales, weight thresholds, requantisation (private).

The float model (``FloatMLP``) computes, for inputs :math:`u = q / q_{max} \in [0, 1]`,

.. math::

    h_0 = u, \qquad z_k = W_k h_k + b_k, \qquad h_{k+1} = \mathrm{relu}(z_k)
    \ (\text{clamped at } A_k \text{ if the model records activation scales}),

and the class is :math:`\arg\max_j z_{K-1, j}`.  The SC datapath carries
hidden values as stream values :math:`v_k = \min(h_k / A_k, 1) \in [0, 1]`
(``A_k`` = the activation scale: recorded by SC-aware training, or a high
percentile of the training-set activations), so layer ``k`` works with the
*effective* matrix :math:`E_k = [\,W_k A_{k-1} \mid b_k\,]` (``A_{-1} = 1``,
last column the bias, whose input is the constant-1 stream).  With the
per-layer weight scale :math:`s_k = \max |E_k|` (weights into [-1, 1]):

* unipolar: :math:`M = \mathrm{rhe}(|E| / s \cdot 2^W)`, ``negative = E < 0``;
* bipolar: :math:`B = \mathrm{rhe}((E / s + 1) / 2 \cdot 2^W)`;

(``rhe`` = round half to even).  The expected counter after ``L`` cycles is
:math:`\mathbb{E}[C_j] = L\, z_j / (s_k f_k)` with :math:`f_k = n_{in} + 1` for
MUX accumulation (the select picks one of the ``n_in + 1`` inputs) and 1
otherwise (OR approximates the sum only for small products).  A hidden layer's
next level is :math:`a = \mathrm{clamp}((C\,g) \gg \sigma, 0, 2^W)`; for
:math:`a / 2^W \approx z / A_k` the ratio :math:`g / 2^\sigma` must be

.. math::  \rho_k = \frac{2^W s_k f_k}{L A_k},

realised with a ``gain_bits``-bit integer gain ``g`` and shift ``sigma``.
Error sources: weight quantisation (:math:`\le s / 2^{W+1}` per weight),
input and level quantisation (:math:`2^{-W}`), the gain's rounding
(relative :math:`\le 2^{-\text{gain\_bits}}`), the clamp at :math:`A_k`,
and the stream noise (binomial for bernoulli, lower for LFSR / Sobol):
standard deviation of :math:`z` about :math:`s \sqrt{\sum_i p_i (1 - p_i) / L}`.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .._validation import check_int, check_real
from ._model import SCClassifier, SCLayer, validate

__all__ = [
    "activation_scales",
    "dequantise_weights",
    "effective_matrices",
    "gain_shift",
    "quantise_weights",
    "to_sc",
]


def _rhe(x: np.ndarray) -> np.ndarray:
    return np.rint(x).astype(np.int64)  # IEEE round half to even


def quantise_weights(e: np.ndarray, scale: float, width: int, coding: str) -> tuple[np.ndarray, np.ndarray]:
    """Thresholds and signs of an effective matrix ``e`` (values in ``[-scale, scale]``).

    Parameters
    ----------
    e : numpy.ndarray
        float64 weights (any shape).
    scale : float
        Weight scale s > 0 (float units per unit of stream value).
    width : int
        Comparator width W.
    coding : {"unipolar", "bipolar"}

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        int64 thresholds in ``[0, 2^W]`` and bool signs (all False for bipolar).
    """
    top = float(1 << width)
    if coding == "bipolar":
        return _rhe((e / scale + 1.0) / 2.0 * top), np.zeros(e.shape, dtype=bool)
    return _rhe(np.abs(e) / scale * top), e < 0


def dequantise_weights(mag: np.ndarray, neg: np.ndarray, width: int, coding: str) -> np.ndarray:
    """The stream value in [-1, 1] that thresholds ``mag`` (and signs ``neg``) code."""
    top = float(1 << width)
    if coding == "bipolar":
        return 2.0 * mag / top - 1.0
    return np.where(neg, -1.0, 1.0) * mag / top


def effective_matrices(mlp: Any, act_scales: Any) -> list[np.ndarray]:
    """``E_k = [W_k A_{k-1} | b_k]`` (float64, ``(n_out, n_in + 1)``), ``A_{-1} = 1``."""
    out = []
    prev = 1.0
    for k, (w, b) in enumerate(zip(mlp.weights, mlp.biases, strict=True)):
        out.append(np.concatenate([np.asarray(w, dtype=np.float64) * prev,
                                   np.asarray(b, dtype=np.float64)[:, None]], axis=1))
        if k < len(mlp.weights) - 1:
            prev = float(act_scales[k])
    return out


def gain_shift(ratio: float, gain_bits: int) -> tuple[int, int]:
    """Integers ``(gain, shift)`` with ``gain / 2^shift`` closest to ``ratio`` using a ``gain_bits``-bit gain.

    ``shift`` is the largest in ``[0, 62]`` with ``round(ratio 2^shift) < 2^gain_bits``;
    ``gain`` is at least 1.
    """
    ratio = check_real(ratio, "ratio", low=0.0, low_open=True)
    shift = max(0, min(62, gain_bits - 1 - math.floor(math.log2(ratio))))
    gain = round(ratio * 2.0**shift)
    if gain >= 1 << gain_bits and shift > 0:  # log2 rounding at a power of two
        shift -= 1
        gain = round(ratio * 2.0**shift)
    return max(1, gain), shift


def _check_mlp(mlp: Any) -> None:
    from ._train import FloatMLP

    if not isinstance(mlp, FloatMLP):
        raise TypeError(f"mlp must be a FloatMLP (FloatMLP.from_arrays takes plain arrays); "
                        f"got {type(mlp).__name__}")


def to_sc(mlp: Any, *, width: int = 16, length: int = 1024, encoder: str = "lfsr", accumulation: str = "apc",
          coding: str = "unipolar", seed: int = 1, input_max: int = 16, calibration: Any = None,
          activation_percentile: float = 99.0, gain_bits: int = 16) -> SCClassifier:
    """Map a float MLP onto the SC datapath (scales, thresholds, gains and shifts recorded).

    Parameters
    ----------
    mlp : FloatMLP
        Weights ``(n_out, n_in)`` and biases per layer; its inputs are ``pixels / input_max``.
    width : int
        Comparator width W, in [4, 24].
    length : int
        Cycles per layer L, a power of two in [16, 65536].
    encoder : {"lfsr", "sobol", "bernoulli"}
    accumulation : {"apc", "or", "mux"}
    coding : {"unipolar", "bipolar"}
    seed : int
        Channel-plan seed (lfsr / sobol: in [1, 2^W - 1]) or hash seed (bernoulli).
    input_max : int
        Largest pixel value (16 for the digits).
    calibration : array_like of int, shape ``(n, n_in)``, optional
        Training pixels for the activation scales ``A_k`` (the
        ``activation_percentile`` of the hidden activations).  Needed unless
        ``mlp.act_scales`` is set (SC-aware training records them).
    activation_percentile : float
        In (0, 100].
    gain_bits : int
        Bits of the requantisation gain, in [1, 24].

    Returns
    -------
    SCClassifier

    Raises
    ------
    TypeError, ValueError
        Bad model (shape mismatch, NaN / inf, all-zero layer), bad configuration
        (unknown encoder / accumulation / coding, L not a power of two, W out of range),
        missing calibration data, or a requantisation ratio the gain cannot reach.
    """
    _check_mlp(mlp)
    mlp = mlp.checked()
    width = check_int(width, "width", low=4, high=24)
    gain_bits = check_int(gain_bits, "gain_bits", low=1, high=24)
    pct = check_real(activation_percentile, "activation_percentile", low=0.0, high=100.0, low_open=True)
    # validate the configuration before any arithmetic (same messages as validate)
    validate(SCClassifier((SCLayer(np.zeros((1, 2), np.int64), np.zeros((1, 2), bool), 1, 0, 1.0),), width,
                          length, encoder, accumulation, coding, seed, input_max))
    K = len(mlp.weights)
    if mlp.act_scales is not None:
        scales = [float(a) for a in mlp.act_scales]
    elif K == 1:
        scales = []
    else:
        if calibration is None:
            raise ValueError("calibration must be given (training pixels, shape (n, n_in)) when mlp has no "
                             "act_scales; got None")
        scales = activation_scales(mlp, calibration, input_max, pct)
    layers = []
    for k, e in enumerate(effective_matrices(mlp, scales)):
        s = float(np.abs(e).max())
        if s == 0.0:
            raise ValueError(f"mlp layer {k} must have a nonzero weight or bias; got all zeros")
        mag, neg = quantise_weights(e, s, width, coding)
        gain, shift = 1, 0
        if k < K - 1:
            f = e.shape[1] if accumulation == "mux" else 1
            ratio = float(1 << width) * s * f / (length * scales[k])
            if not 2.0**-62 <= ratio <= 2.0**24:
                raise ValueError(f"the requantisation ratio of layer {k} must be in [2^-62, 2^24]; "
                                 f"got {ratio} "
                                 f"(width={width}, length={length}, scale={s}, activation scale={scales[k]})")
            gain, shift = gain_shift(ratio, gain_bits)
        layers.append(SCLayer(mag, neg, gain, shift, s))
    clf = SCClassifier(tuple(layers), width, length, encoder, accumulation, coding, seed, input_max)
    return validate(clf)


def activation_scales(mlp: Any, pixels: Any, input_max: int, percentile: float) -> list[float]:
    r"""Per hidden layer, the ``percentile`` of its ReLU activations over ``pixels`` (float forward).

    Machine-independent: the activations are computed with exact summation
    (``hidden_activations(..., exact=True)``) and the percentile is the linear
    interpolation between order statistics, written out as NumPy's default method
    computes it: for the sorted values :math:`a_{(0)} \le \dots \le a_{(n-1)}` and
    :math:`x = (n - 1) (p / 100) = i + f`, :math:`A = a_{(i)} + (a_{(i+1)} - a_{(i)}) f`
    (:math:`a_{(i+1)} - (a_{(i+1)} - a_{(i)}) (1 - f)` when :math:`f \ge 1/2`):
    a few IEEE operations, the same bits everywhere.  A layer whose percentile is 0
    (dead on the calibration data) falls back to its maximum, then to 1.
    """
    from ._train import hidden_activations

    q = np.asarray(pixels)
    if q.ndim != 2 or q.shape[0] < 1 or q.shape[1] != np.shape(mlp.weights[0])[1]:
        raise ValueError(f"calibration must have shape (n, {np.shape(mlp.weights[0])[1]}) with n >= 1; "
                         f"got {q.shape}")
    out = []
    for h in hidden_activations(mlp, q, input_max, exact=True):
        srt = np.sort(h, axis=None)
        x = (srt.size - 1) * (float(percentile) / 100.0)
        i = min(int(math.floor(x)), srt.size - 1)
        lo, hi, f = float(srt[i]), float(srt[min(i + 1, srt.size - 1)]), x - i
        a = lo + (hi - lo) * f if f < 0.5 else hi - (hi - lo) * (1.0 - f)
        if a <= 0.0:
            a = float(srt[-1]) if srt[-1] > 0 else 1.0
        out.append(a)
    return out
