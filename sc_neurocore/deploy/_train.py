r"""A short NumPy MLP trainer, with optional SC-aware fine-tuning (private).

Float training: ReLU hidden layers, softmax cross-entropy, Adam, mini-batches
drawn from ``numpy.random.default_rng(seed)`` (deterministic for a seed).

SC-aware fine-tuning trains the model *through* the SC mapping
(``_mapping.py``): the forward pass uses the quantised weight thresholds, the
W-bit input and hidden levels, the clamp of hidden values at the activation
scale :math:`A_k`, and adds Gaussian noise with the variance of the counter
estimate at the target length ``L`` (independent Bernoulli products, the
bernoulli encoder's noise; LFSR / Sobol noise is lower):

* unipolar APC: :math:`\operatorname{Var} \hat z = \sum_i p_i (1 - p_i) / L`
  with :math:`p_i = v_i |P_i|`;
* bipolar APC: :math:`\sum_i (1 - (v_i P_i)^2) / L`;
* MUX: :math:`f (\bar{p_2} - (z / f)^2) / L` with :math:`f = n_{in} + 1`,
  :math:`\bar{p_2} = \sum_i v_i |P_i| / f`;

in units of the stream value (``P`` = quantised ``E / s``).  The backward pass
is the straight-through estimator (quantisation and noise pass gradients
unchanged; the clamp passes them only inside ``(0, A_k)``).  The activation
scales are fixed at the start and recorded in the returned model
(``act_scales``), so :func:`~sc_neurocore.deploy.to_sc` uses the same clamp.
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

import numpy as np

from .._validation import check_finite_array, check_int, check_real
from ._model import CODINGS, input_levels

__all__ = ["FloatMLP", "float_accuracy", "hidden_activations", "predict_float", "sc_finetune", "train_mlp"]


class FloatMLP(NamedTuple):
    """A float MLP: ``z_k = W_k h_k + b_k``, ReLU between layers, inputs ``pixels / input_max``.

    Attributes
    ----------
    weights : tuple of numpy.ndarray
        float64 ``(n_out, n_in)`` per layer (the PyTorch ``Linear.weight`` layout).
    biases : tuple of numpy.ndarray
        float64 ``(n_out,)`` per layer.
    act_scales : tuple of float or None
        Clamp ``A_k`` of each hidden layer's ReLU (set by SC-aware training); None: plain ReLU.
    """

    weights: tuple[np.ndarray, ...]
    biases: tuple[np.ndarray, ...]
    act_scales: tuple[float, ...] | None = None

    @classmethod
    def from_arrays(cls, weights: Any, biases: Any, act_scales: Any = None) -> FloatMLP:
        """A checked model from plain arrays (any framework); copies, read-only.

        Parameters
        ----------
        weights : sequence of array_like
            ``(n_out, n_in)`` per layer; layer ``k``'s ``n_in`` = layer ``k - 1``'s ``n_out``.
        biases : sequence of array_like
            ``(n_out,)`` per layer.
        act_scales : sequence of float, optional
            One positive clamp per hidden layer.
        """
        return cls(tuple(weights), tuple(biases),
                   None if act_scales is None else tuple(act_scales)).checked()

    def checked(self) -> FloatMLP:
        """This model with every array validated (finite, matching shapes), as owned read-only float64."""
        if not isinstance(self.weights, (tuple, list)) or not isinstance(self.biases, (tuple, list)):
            raise TypeError("weights and biases must be sequences of arrays")
        if len(self.weights) == 0 or len(self.weights) != len(self.biases):
            raise ValueError(f"weights and biases must have the same nonzero number of layers; got "
                             f"{len(self.weights)} and {len(self.biases)}")
        ws, bs = [], []
        n_in: int | None = None
        for k, (w, b) in enumerate(zip(self.weights, self.biases, strict=True)):
            w = check_finite_array(w, f"weights[{k}]", ndim=2)
            b = check_finite_array(b, f"biases[{k}]", ndim=1)
            if n_in is not None and w.shape[1] != n_in:
                raise ValueError(f"weights[{k}] must have shape (n_out, {n_in}) (n_in = rows of "
                                 f"weights[{k - 1}]); got {w.shape}")
            if w.shape[0] < 1 or w.shape[1] < 1:
                raise ValueError(f"weights[{k}] must have at least one row and column; got {w.shape}")
            if b.shape != (w.shape[0],):
                raise ValueError(f"biases[{k}] must have shape ({w.shape[0]},); got {b.shape}")
            n_in = w.shape[0]
            for a in (w, b):
                a.setflags(write=False)
            ws.append(w)
            bs.append(b)
        acts = None
        if self.act_scales is not None:
            acts = tuple(float(a) for a in check_finite_array(self.act_scales, "act_scales", ndim=1))
            if len(acts) != len(ws) - 1 or min(acts, default=1.0) <= 0:
                raise ValueError(f"act_scales must hold {len(ws) - 1} positive values (one per hidden "
                                 f"layer); got {acts}")
        return FloatMLP(tuple(ws), tuple(bs), acts)

    def save(self, path: Any) -> None:
        """Write the model to exactly ``path``: uncompressed npz, ``w0, b0, w1, b1, ...``, ``act_scales``."""
        from ..network._persistence import write_npz

        m = self.checked()
        arrays = {}
        for k, (w, b) in enumerate(zip(m.weights, m.biases, strict=True)):
            arrays[f"w{k}"], arrays[f"b{k}"] = w, b
        if m.act_scales is not None:
            arrays["act_scales"] = np.array(m.act_scales)
        write_npz(path, arrays)

    @classmethod
    def load(cls, path: Any) -> FloatMLP:
        """Read a model written by :meth:`save`, or any npz with ``w0, b0, w1, b1, ...`` (untrusted file)."""
        from ..network._persistence import file_name, read_npz

        what = "path must be an npz float MLP file (entries w0, b0, w1, b1, ...)"
        name = file_name(path)
        arrays = read_npz(path, what)
        try:
            K = 0
            while f"w{K}" in arrays:
                K += 1
            extra = set(arrays) - {f"w{k}" for k in range(K)} - {f"b{k}" for k in range(K)} - {"act_scales"}
            if K == 0 or extra:
                raise ValueError(f"unexpected or missing entries: {sorted(extra) or 'w0'}")
            return cls.from_arrays([arrays[f"w{k}"] for k in range(K)],
                                   [arrays[f"b{k}"] if f"b{k}" in arrays else None for k in range(K)],
                                   arrays.get("act_scales"))
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{what}; got {name}: {exc}") from exc


def _inputs(pixels: Any, n_in: int, input_max: int) -> np.ndarray:
    q = np.asarray(pixels)
    if q.ndim != 2 or q.shape[1] != n_in:
        raise ValueError(f"pixels must have shape (n, {n_in}); got {q.shape}")
    if q.dtype == np.bool_ or not np.issubdtype(q.dtype, np.number):
        raise TypeError(f"pixels must be a numeric array; got dtype {q.dtype}")
    if q.size and (not np.isfinite(q).all() or q.min() < 0 or q.max() > input_max):
        raise ValueError(f"pixels must be finite and in [0, input_max] = [0, {input_max}]")
    return q.astype(np.float64) / input_max


def _exact_affine(h: np.ndarray, w: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``h @ w.T + b`` with every entry the correctly rounded sum of the correctly rounded products.

    A BLAS matrix product may sum in any order and fuse multiply-adds, so its last
    bits depend on the CPU; one IEEE multiply per term and ``math.fsum`` (exact sum,
    rounded once) give the same float64 on every machine.
    """
    terms = np.concatenate([h[:, None, :] * w[None, :, :],
                            np.broadcast_to(b, (h.shape[0], b.size))[:, :, None]], axis=2)
    sums = [math.fsum(row) for row in terms.reshape(-1, terms.shape[2]).tolist()]
    return np.array(sums, dtype=np.float64).reshape(h.shape[0], w.shape[0])


def hidden_activations(mlp: FloatMLP, pixels: Any, input_max: int = 16, *,
                       exact: bool = False) -> list[np.ndarray]:
    """ReLU outputs of every hidden layer (float forward, clamps ignored), each ``(n, n_out)``.

    With ``exact=True`` every pre-activation is the correctly rounded sum of the
    correctly rounded products (``math.fsum``): the same bits on every machine,
    slower than the BLAS product (used for calibration, which must not depend on
    the BLAS).
    """
    h = _inputs(pixels, np.shape(mlp.weights[0])[1], input_max)
    out = []
    for w, b in zip(mlp.weights[:-1], mlp.biases[:-1], strict=True):
        w, b = np.asarray(w, dtype=np.float64), np.asarray(b, dtype=np.float64)
        h = np.maximum(_exact_affine(h, w, b) if exact else h @ w.T + b, 0.0)
        out.append(h)
    return out


def predict_float(mlp: FloatMLP, pixels: Any, input_max: int = 16) -> np.ndarray:
    """Float class predictions (argmax of the logits, int64), hidden clamps applied if recorded."""
    m = mlp.checked()
    h = _inputs(pixels, m.weights[0].shape[1], input_max)
    for k, (w, b) in enumerate(zip(m.weights, m.biases, strict=True)):
        h = h @ w.T + b
        if k < len(m.weights) - 1:
            h = np.maximum(h, 0.0) if m.act_scales is None else np.clip(h, 0.0, m.act_scales[k])
    return np.argmax(h, axis=1).astype(np.int64)


def float_accuracy(mlp: FloatMLP, pixels: Any, labels: Any, input_max: int = 16) -> float:
    """Fraction of ``labels`` that :func:`predict_float` gets right."""
    return float(np.mean(predict_float(mlp, pixels, input_max) == np.asarray(labels)))


class _SC(NamedTuple):
    width: int
    length: int
    coding: str
    mux: bool
    scales: tuple[float, ...]


def _forward_backward(params: list[list[np.ndarray]], u: np.ndarray, y: np.ndarray, sc: _SC | None,
                      rng: np.random.Generator) -> list[list[np.ndarray]]:
    """Gradients of the mean cross-entropy w.r.t. ``params`` (float, or through the SC mapping)."""
    from ._mapping import dequantise_weights, quantise_weights

    K = len(params)
    v = u
    cache = []
    for k, (w, b) in enumerate(params):
        prev = 1.0 if (sc is None or k == 0) else sc.scales[k - 1]
        e = np.concatenate([w * prev, b[:, None]], axis=1)
        s = 1.0
        if sc is not None:
            s = float(np.abs(e).max()) or 1.0
            p = dequantise_weights(*quantise_weights(e, s, sc.width, sc.coding), sc.width, sc.coding)
            eq = p * s
        else:
            eq = e
        vin = np.concatenate([v, np.ones((v.shape[0], 1))], axis=1)
        z = vin @ eq.T
        if sc is not None:
            z = z + s * _noise_std(vin, eq / s, sc) * rng.standard_normal(z.shape)
        mask = None
        if k < K - 1:
            if sc is None:
                mask = z > 0
                v = np.where(mask, z, 0.0)
            else:
                t = z / sc.scales[k]
                mask = (t > 0) & (t < 1)
                top = float(1 << sc.width)
                v = np.floor(np.clip(t, 0.0, 1.0) * top) / top
        cache.append((vin, eq, mask, prev))
    # softmax cross-entropy on the last z
    z = z - z.max(axis=1, keepdims=True)
    pr = np.exp(z)
    pr /= pr.sum(axis=1, keepdims=True)
    pr[np.arange(y.size), y] -= 1.0
    dz = pr / y.size
    grads: list[list[np.ndarray]] = [[np.empty(0), np.empty(0)] for _ in range(K)]
    for k in range(K - 1, -1, -1):
        vin, eq, _, prev = cache[k]
        de = dz.T @ vin  # straight through the weight quantisation
        grads[k] = [de[:, :-1] * prev, de[:, -1]]
        if k:
            dv = (dz @ eq)[:, :-1]
            _, _, mask, _ = cache[k - 1]
            dz = dv * mask / (1.0 if sc is None else sc.scales[k - 1])
    return grads


def _noise_std(vin: np.ndarray, p: np.ndarray, sc: _SC) -> np.ndarray:
    """Standard deviation of the counter estimate of ``vin @ p.T`` (stream units) after L cycles."""
    L = sc.length
    if sc.mux:
        f = p.shape[1]
        m2 = vin @ np.abs(p).T / f
        z = vin @ p.T / f
        return f * np.sqrt(np.maximum(m2 - z * z, 0.0) / L)
    if sc.coding == "bipolar":
        return np.sqrt(np.maximum(p.shape[1] - (vin * vin) @ (p * p).T, 0.0) / L)
    q = vin @ np.abs(p).T
    return np.sqrt(np.maximum(q - (vin * vin) @ (p * p).T, 0.0) / L)


def _adam(params: list[list[np.ndarray]], u: np.ndarray, y: np.ndarray, *, epochs: int, batch: int,
          lr: float, weight_decay: float, rng: np.random.Generator, sc: _SC | None) -> None:
    m = [[np.zeros_like(a) for a in layer] for layer in params]
    v = [[np.zeros_like(a) for a in layer] for layer in params]
    b1, b2, eps = 0.9, 0.999, 1e-8
    step = 0
    for _ in range(epochs):
        order = rng.permutation(y.size)
        for lo in range(0, y.size, batch):
            idx = order[lo:lo + batch]
            g = _forward_backward(params, u[idx], y[idx], sc, rng)
            step += 1
            for k, layer in enumerate(params):
                for i, a in enumerate(layer):
                    gi = g[k][i] + (weight_decay * a if i == 0 else 0.0)
                    m[k][i] = b1 * m[k][i] + (1 - b1) * gi
                    v[k][i] = b2 * v[k][i] + (1 - b2) * gi * gi
                    mh = m[k][i] / (1 - b1**step)
                    vh = v[k][i] / (1 - b2**step)
                    a -= lr * mh / (np.sqrt(vh) + eps)


def _check_data(x: Any, y: Any, n_in: int | None, input_max: int) -> tuple[np.ndarray, np.ndarray]:
    q = np.asarray(x)
    if n_in is None:  # training from scratch: any number of input columns
        n_in = q.shape[1] if q.ndim == 2 else -1
    u = _inputs(q, n_in, input_max)
    lab = np.asarray(y)
    if lab.dtype == np.bool_ or not np.issubdtype(lab.dtype, np.integer) or lab.shape != (u.shape[0],):
        raise ValueError(f"y must be integer class labels of shape ({u.shape[0]},); "
                         f"got {lab.dtype} {lab.shape}")
    if lab.size and lab.min() < 0:
        raise ValueError(f"y must be class labels >= 0; got {lab.min()}")
    return u, lab.astype(np.int64)


def train_mlp(x: Any, y: Any, *, hidden: Any = (32,), n_classes: int = 10, epochs: int = 60, batch: int = 32,
              lr: float = 3e-3, weight_decay: float = 1e-4, seed: int = 0, input_max: int = 16) -> FloatMLP:
    """Train a ReLU MLP with softmax cross-entropy and Adam (deterministic for a seed).

    Parameters
    ----------
    x : array_like, shape ``(n, n_in)``
        Training pixels in ``[0, input_max]``; the network sees ``x / input_max``.
    y : array_like of int, shape ``(n,)``
        Labels in ``[0, n_classes)``.
    hidden : sequence of int
        Hidden layer widths (default one layer of 32: a 64-32-10 network for the digits).
    n_classes : int
    epochs, batch : int
        Passes over the data and mini-batch size.
    lr, weight_decay : float
        Adam step size and L2 penalty on the weights (not the biases).
    seed : int
        Seeds ``default_rng`` for the He initialisation and the batch order.
    input_max : int

    Returns
    -------
    FloatMLP
    """
    n_classes = check_int(n_classes, "n_classes", low=2)
    u, lab = _check_data(x, y, None, input_max)
    if lab.size and lab.max() >= n_classes:
        raise ValueError(f"y must be in [0, {n_classes - 1}]; got {lab.max()}")
    sizes = [u.shape[1]] + [check_int(h, "hidden", low=1) for h in hidden] + [n_classes]
    rng = np.random.default_rng(check_int(seed, "seed", low=0))
    params = [[rng.standard_normal((o, i)) * np.sqrt(2.0 / i), np.zeros(o)]
              for i, o in zip(sizes[:-1], sizes[1:], strict=True)]
    _adam(params, u, lab, epochs=check_int(epochs, "epochs", low=0), batch=check_int(batch, "batch", low=1),
          lr=check_real(lr, "lr", low=0.0), weight_decay=check_real(weight_decay, "weight_decay", low=0.0),
          rng=rng, sc=None)
    return FloatMLP.from_arrays([p[0] for p in params], [p[1] for p in params])


def sc_finetune(mlp: FloatMLP, x: Any, y: Any, *, width: int = 16, length: int = 1024,
                accumulation: str = "apc", coding: str = "unipolar", epochs: int = 20, batch: int = 32,
                lr: float = 1e-3, weight_decay: float = 1e-4, seed: int = 0, input_max: int = 16,
                activation_percentile: float = 99.0) -> FloatMLP:
    """Fine-tune ``mlp`` with the SC mapping's quantisation, clamp and stream noise in the loop.

    Parameters
    ----------
    mlp : FloatMLP
        Starting point (usually :func:`train_mlp`'s result).
    x, y : array_like
        Training pixels and labels.
    width, length, accumulation, coding
        The SC configuration to train for (as in :func:`~sc_neurocore.deploy.to_sc`).
    epochs, batch, lr, weight_decay, seed, input_max
        As in :func:`train_mlp`.
    activation_percentile : float
        Fixes each hidden layer's clamp ``A_k`` from ``x`` at the start (unless ``mlp`` has
        ``act_scales``); recorded in the result.

    Returns
    -------
    FloatMLP
        With ``act_scales`` set; map it with ``to_sc`` at the same configuration.
    """
    from .._validation import check_choice
    from ._mapping import activation_scales

    m = mlp.checked()
    width = check_int(width, "width", low=4, high=24)
    length = check_int(length, "length", low=1)
    check_choice(accumulation, "accumulation", ("apc", "or", "mux"))
    check_choice(coding, "coding", CODINGS)
    u, lab = _check_data(x, y, m.weights[0].shape[1], input_max)
    # the SC datapath sees the W-bit input levels
    u = input_levels(np.asarray(x).astype(np.int64), width, input_max) / float(1 << width)
    scales = m.act_scales
    if scales is None:
        scales = tuple(activation_scales(m, x, input_max, activation_percentile))
    sc = _SC(width, length, coding, accumulation == "mux", tuple(scales))
    params = [[np.array(w), np.array(b)] for w, b in zip(m.weights, m.biases, strict=True)]
    _adam(params, u, lab, epochs=check_int(epochs, "epochs", low=0), batch=check_int(batch, "batch", low=1),
          lr=check_real(lr, "lr", low=0.0), weight_decay=check_real(weight_decay, "weight_decay", low=0.0),
          rng=np.random.default_rng(check_int(seed, "seed", low=0)), sc=sc)
    return FloatMLP.from_arrays([p[0] for p in params], [p[1] for p in params], scales)
