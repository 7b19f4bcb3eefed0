r"""Binary fixed-point baseline: the same MLP classifier on one sequential MAC unit (private).

The reference point for the SC classifier (:class:`~hw_models.SCClassifierDatapath`):
a plain binary design a designer would write first, at the same input
precision (the 0..``input_max`` pixel grey levels, ``bit_length(input_max)``
bits).

Arithmetic (bit-exact in :meth:`BinaryClassifier.classify`, the per-cycle
model and the RTL).  Layer k has an integer weight matrix
:math:`W^q_k \in [-(2^{b-1}-1), 2^{b-1}-1]^{n_{out} \times n_{in}}` (``b`` =
``weight_bits``), an integer bias :math:`B^q_k` in accumulator units and, for
hidden layers, a requantisation ``gain``/``shift``:

.. math::

    acc_j = B^q_{k,j} + \sum_i W^q_{k,j,i} a_i, \qquad
    a'_j = \mathrm{clamp}(\lfloor acc_j \cdot gain_k / 2^{shift_k} \rfloor, 0, 2^{a} - 1)

(``a`` = ``act_bits``; the floor is an arithmetic right shift), ``a_i`` the
pixels for layer 0 and the previous layer's ``a'`` after it.  The class is
the argmax of the output layer's ``acc`` (lowest index wins ties).

Schedule (one MAC, a two-stage pipeline).  Stage 1 issues one (layer k,
neuron j, input i) element per cycle, layer-major, neuron-major, input-minor:
it reads the weight ROM at the running address, the bias ROM at the running
neuron index and the activation (a pixel, or the hidden-activation register
file of layer k), into pipeline registers.  Stage 2 adds ``w * a`` to the
accumulator (to the bias on a neuron's first input) and, on its last input,
writes the requantised activation (hidden layer) or updates the running
argmax (output layer).  One bubble cycle between layers lets the last hidden
activation be written before it is read.  With ``N = sum_k n_out(k) n_in(k)``
MACs and K layers, ``start`` in cycle s gives ``done``/``class_id`` in cycle
``s + latency``, ``latency = N + K + 1`` (64-32-10: 2371 cycles).  Weights
and biases live in ROMs written as initialised ``reg`` arrays with a
registered read (block RAM on an FPGA); pixels must be held on the port until
``done``.

Quantisation (:meth:`BinaryClassifier.from_float`): inputs are ``pixel /
input_max`` as in the float model; per layer one weight scale
:math:`s_k = (2^{b-1}-1) / \max|W_k|`; activations of hidden layer k+1 use the
unit :math:`u_{k+1} = h_{max} / (2^a - 1)` with :math:`h_{max}` the largest
float activation on the calibration images; ``gain / 2^shift`` approximates
:math:`u_k / (s_k u_{k+1})` with a ``gain_bits``-bit gain.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np

from hw_models._common import Block, Port, check_part_int, mask, port_input, vhex, vsigned, wrap_top
from hw_models._imageio import check_pixels

__all__ = ["BinaryClassifier", "BinaryLayer"]

_PART = "BinaryClassifier"


class BinaryLayer(NamedTuple):
    """One layer of :class:`BinaryClassifier` (arrays are read-only copies)."""

    weight: np.ndarray  #: int64 (n_out, n_in) in [-(2^(b-1)-1), 2^(b-1)-1]
    bias: np.ndarray  #: int64 (n_out,), accumulator units
    gain: int  #: hidden requantisation gain (ignored for the output layer)
    shift: int  #: hidden requantisation right shift


def _frozen_int(value: Any, name: str, ndim: int) -> np.ndarray:
    arr = np.asarray(value)
    if arr.dtype == object or not np.issubdtype(arr.dtype, np.integer) or arr.dtype == np.bool_:
        raise TypeError(f"{_PART}: {name} must be an integer array; got dtype {arr.dtype}")
    if arr.ndim != ndim or 0 in arr.shape:
        raise ValueError(f"{_PART}: {name} must be a non-empty {ndim}-d array; got shape {arr.shape}")
    out = np.array(arr, dtype=np.int64, copy=True)
    out.setflags(write=False)
    return out


class BinaryClassifier(Block):
    """Binary fixed-point MLP classifier with one sequential MAC (module docstring).

    Parameters
    ----------
    layers : sequence of BinaryLayer
        K >= 1 layers; ``n_in`` of layer k+1 equals ``n_out`` of layer k.
    input_max : int
        Largest pixel value (16 for the 8x8 digits), in [1, 65535].
    weight_bits : int
        Signed weight width b in [2, 16]; weights in [-(2^(b-1)-1), 2^(b-1)-1].
    act_bits : int
        Hidden activation width in [1, 16].

    Ports: inputs ``start``, ``pixels``; outputs ``done``, ``class_id`` and
    ``acc`` (the accumulator register, signed).
    """

    part = _PART
    top_module = "binary_classifier_top"

    def __init__(self, layers: Sequence[BinaryLayer], *, input_max: int = 16, weight_bits: int = 8,
                 act_bits: int = 8) -> None:
        self.input_max = check_part_int(_PART, "input_max", input_max, 1, 65535)
        self.weight_bits = check_part_int(_PART, "weight_bits", weight_bits, 2, 16)
        self.act_bits = check_part_int(_PART, "act_bits", act_bits, 1, 16)
        if isinstance(layers, (str, bytes)) or not isinstance(layers, Sequence) or len(layers) == 0:
            raise TypeError(f"{_PART}: layers must be a non-empty sequence of BinaryLayer; got {layers!r}")
        wmax = mask(self.weight_bits - 1)
        self.pixel_bits = self.input_max.bit_length()
        self.act_max = mask(self.act_bits)
        checked: list[BinaryLayer] = []
        bound = 0
        for k, lay in enumerate(layers):
            if not isinstance(lay, BinaryLayer):
                raise TypeError(f"{_PART}: layers[{k}] must be a BinaryLayer; got {type(lay).__name__}")
            w = _frozen_int(lay.weight, f"layers[{k}].weight", 2)
            b = _frozen_int(lay.bias, f"layers[{k}].bias", 1)
            if b.shape[0] != w.shape[0]:
                raise ValueError(f"{_PART}: layers[{k}].bias must have n_out={w.shape[0]} entries; "
                                 f"got {b.shape[0]}")
            if k and w.shape[1] != checked[-1].weight.shape[0]:
                raise ValueError(f"{_PART}: layers[{k}].weight must have n_in={checked[-1].weight.shape[0]} "
                                 f"columns (n_out of layer {k - 1}); got {w.shape[1]}")
            if np.abs(w).max() > wmax:
                raise ValueError(f"{_PART}: layers[{k}].weight must be in [-{wmax}, {wmax}] "
                                 f"(weight_bits={self.weight_bits}); got {int(np.abs(w).max())}")
            if np.abs(b).max() > (1 << 40):
                raise ValueError(f"{_PART}: layers[{k}].bias must be in [-2^40, 2^40]; "
                                 f"got {int(np.abs(b).max())}")
            gain = check_part_int(_PART, f"layers[{k}].gain", lay.gain, 1, 65535)
            shift = check_part_int(_PART, f"layers[{k}].shift", lay.shift, 0, 62)
            amax = self.input_max if k == 0 else self.act_max
            bound = max(bound, int((np.abs(b) + np.abs(w).sum(axis=1) * amax).max()))
            checked.append(BinaryLayer(w, b, gain, shift))
        self.layers: tuple[BinaryLayer, ...] = tuple(checked)
        self.n_inputs = int(self.layers[0].weight.shape[1])
        self.n_classes = int(self.layers[-1].weight.shape[0])
        #: accumulator width: holds every partial sum |B| + sum |W| a_max, signed
        self.acc_width = bound.bit_length() + 1
        self.gain_width = max(lay.gain for lay in self.layers).bit_length()
        if self.acc_width + self.gain_width + 1 > 62:
            raise ValueError(f"{_PART}: accumulator ({self.acc_width} bits) times gain "
                             f"({self.gain_width} bits) must fit 61 bits; reduce the weights, biases or gain")
        self.class_width = max(1, (self.n_classes - 1).bit_length())
        self.in_width = max(self.pixel_bits, self.act_bits)
        self.n_macs = sum(int(lay.weight.size) for lay in self.layers)
        #: cycles from the start cycle to the first cycle showing done (module docstring)
        self.latency = self.n_macs + len(self.layers) + 1
        self._flat_w = [int(v) for lay in self.layers for v in lay.weight.ravel()]
        self._flat_b = [int(v) for lay in self.layers for v in lay.bias]
        self.reset()

    # --- construction from a float model ---------------------------------
    @classmethod
    def from_float(cls, weights: Sequence[Any], biases: Sequence[Any], calibration: Any, *,
                   input_max: int = 16, weight_bits: int = 8, act_bits: int = 8,
                   gain_bits: int = 16, act_scales: Sequence[float] | None = None) -> BinaryClassifier:
        """Quantise a float ReLU MLP ``a_{k+1} = relu(W_k a_k + b_k)`` (module docstring).

        Parameters
        ----------
        weights, biases : sequences of arrays
            ``W_k`` of shape (n_out, n_in) and ``b_k`` of shape (n_out,), finite;
            the float input is ``pixel / input_max``.
        calibration : array_like of int
            Pixel images (n_images, n_in) that set the hidden activation ranges.
        gain_bits : int
            Width of the requantisation gain, in [2, 16].
        act_scales : sequence of float, optional
            The float model's hidden clamps ``h = clip(z, 0, A_k)`` (one positive
            value per hidden layer, e.g. ``FloatMLP.act_scales`` after SC-aware
            training): then ``h_max = A_k`` instead of the calibration maximum.
        """
        from sc_neurocore._validation import check_finite_array, check_real

        input_max = check_part_int(_PART, "input_max", input_max, 1, 65535)
        weight_bits = check_part_int(_PART, "weight_bits", weight_bits, 2, 16)
        act_bits = check_part_int(_PART, "act_bits", act_bits, 1, 16)
        gain_bits = check_part_int(_PART, "gain_bits", gain_bits, 2, 16)
        if len(weights) != len(biases) or len(weights) == 0:
            raise ValueError(f"{_PART}: weights and biases must be non-empty and of equal length; "
                             f"got {len(weights)} and {len(biases)}")
        ws = [check_finite_array(w, f"weights[{k}]", ndim=2) for k, w in enumerate(weights)]
        bs = [check_finite_array(b, f"biases[{k}]", ndim=1) for k, b in enumerate(biases)]
        x = check_pixels(_PART, calibration, ws[0].shape[1], input_max) / input_max
        if act_scales is not None:
            if len(act_scales) != len(ws) - 1:
                raise ValueError(f"{_PART}: act_scales must have one entry per hidden layer ({len(ws) - 1}); "
                                 f"got {len(act_scales)}")
            clamps = [check_real(a, f"act_scales[{k}]", low=0.0, low_open=True)
                      for k, a in enumerate(act_scales)]
        wmax = mask(weight_bits - 1)
        amax = mask(act_bits)
        unit = 1.0 / input_max  # float value of one input LSB of the current layer
        layers = []
        for k, (w, b) in enumerate(zip(ws, bs, strict=True)):
            if b.shape[0] != w.shape[0] or w.shape[1] != x.shape[1]:
                raise ValueError(f"{_PART}: layer {k}: weights[{k}] must be (n_out, {x.shape[1]}) and "
                                 f"biases[{k}] (n_out,); got {w.shape} and {b.shape}")
            peak = float(np.abs(w).max())
            s = wmax / peak if peak > 0 else 1.0
            wq = np.rint(w * s).astype(np.int64)
            bq = np.rint(b * s / unit).astype(np.int64)
            gain, shift = 1, 0
            if k < len(ws) - 1:
                if act_scales is None:
                    x = np.maximum(x @ w.T + b, 0.0)
                    hmax = float(x.max()) if x.max() > 0 else 1.0
                else:
                    hmax = clamps[k]
                    x = np.clip(x @ w.T + b, 0.0, hmax)
                nxt = hmax / amax
                ratio = unit / (s * nxt)  # accumulator LSB in units of the next activation LSB
                # ratio 2^shift in [2^(gain_bits-1), 2^gain_bits): the gain uses all its bits
                shift = int(np.clip(gain_bits - 1 - np.floor(np.log2(ratio)), 0, 62))
                gain = int(np.clip(np.rint(ratio * 2.0**shift), 1, mask(gain_bits)))
                unit = nxt
            layers.append(BinaryLayer(wq, bq, gain, shift))
        return cls(layers, input_max=input_max, weight_bits=weight_bits, act_bits=act_bits)

    # --- vectorised model -------------------------------------------------
    def _requant(self, k: int, acc: Any) -> Any:
        lay = self.layers[k]
        return np.clip((acc * lay.gain) >> lay.shift, 0, self.act_max)

    def classify(self, pixels: Any) -> tuple[np.ndarray, np.ndarray]:
        """Classes (int64, (n_images,)) and output accumulators (int64, (n_images, n_classes)).

        The vectorised model: integer matrix products, bit-exact with the
        per-cycle model and the RTL.
        """
        a = check_pixels(_PART, pixels, self.n_inputs, self.input_max)
        for k, lay in enumerate(self.layers):
            acc = a @ lay.weight.T + lay.bias
            if k < len(self.layers) - 1:
                a = self._requant(k, acc)
        return np.argmax(acc, axis=1).astype(np.int64), acc

    # --- per-cycle model ---------------------------------------------------
    def inputs_spec(self) -> list[Port]:
        return [("start", 1, False), ("pixels", self.n_inputs * self.pixel_bits, False)]

    def outputs_spec(self) -> list[Port]:
        return [("done", 1, False), ("class_id", self.class_width, False), ("acc", self.acc_width, True)]

    def leaves(self) -> list[Block]:
        return [self]

    _REGS = ("busy", "bubble", "k", "j", "i", "addr", "nidx", "v1", "w1", "a1", "b1", "first1", "last1",
             "k1", "j1", "acc", "best", "best_j", "done", "cls")

    def reset(self) -> None:
        # stage-1 control and issue registers, stage-2 registers (names as in the Verilog)
        self.busy = self.bubble = self.k = self.j = self.i = self.addr = self.nidx = 0
        self.v1 = self.w1 = self.a1 = self.b1 = self.first1 = self.last1 = self.k1 = self.j1 = 0
        self.acc = self.best = self.best_j = self.done = self.cls = 0
        # the register files are not reset (never read before written); zero in the model
        self.mem = [[0] * int(lay.weight.shape[0]) for lay in self.layers[:-1]]
        self._next: dict[str, Any] = {}

    def registers(self) -> dict[str, tuple[int, int]]:
        """Every register bit pattern and width (for toggle counting), by name."""
        w = {"busy": 1, "bubble": 1, "k": 8, "j": 16, "i": 16, "addr": 32, "nidx": 32, "v1": 1,
             "w1": self.weight_bits, "a1": self.in_width, "b1": self.acc_width, "first1": 1, "last1": 1,
             "k1": 8, "j1": 16, "acc": self.acc_width, "best": self.acc_width, "best_j": self.class_width,
             "done": 1, "cls": self.class_width}
        out = {r: (getattr(self, r) & mask(w[r]), w[r]) for r in self._REGS}
        for h, m in enumerate(self.mem):
            for j, v in enumerate(m):
                out[f"mem{h + 1}[{j}]"] = (v, self.act_bits)
        return out

    def eval(self, **inputs: int) -> dict[str, int]:
        start = check_part_int(_PART, "start", port_input(_PART, inputs, "start"), 0, 1)
        bus = check_part_int(_PART, "pixels", port_input(_PART, inputs, "pixels"), 0,
                             mask(self.n_inputs * self.pixel_bits))
        out = {"done": self.done, "class_id": self.cls, "acc": self.acc}
        nx: dict[str, Any] = {}
        last_layer = len(self.layers) - 1
        # stage 1: control and issue
        if start and not self.busy and not self.v1:
            nx.update(busy=1, bubble=0, k=0, j=0, i=0, addr=0, nidx=0, v1=0, done=0)
        elif self.busy and not self.bubble:
            lay = self.layers[self.k]
            n_out, n_in = lay.weight.shape
            if self.k == 0:
                a = (bus >> (self.i * self.pixel_bits)) & mask(self.pixel_bits)
            else:
                a = self.mem[self.k - 1][self.i]
            nx.update(v1=1, w1=self._flat_w[self.addr], a1=a, b1=self._flat_b[self.nidx],
                      first1=int(self.i == 0), last1=int(self.i == n_in - 1), k1=self.k, j1=self.j,
                      addr=self.addr + 1)
            if self.i == n_in - 1:
                nx.update(i=0, nidx=self.nidx + 1)
                if self.j == n_out - 1:
                    nx["j"] = 0
                    if self.k == last_layer:
                        nx["busy"] = 0
                    else:
                        nx.update(k=self.k + 1, bubble=1)
                else:
                    nx["j"] = self.j + 1
            else:
                nx["i"] = self.i + 1
        else:
            nx.update(v1=0, bubble=0)
        # stage 2: accumulate, requantise or argmax
        if self.v1:
            s = (self.b1 if self.first1 else self.acc) + self.w1 * self.a1
            nx["acc"] = s
            if self.last1:
                if self.k1 < last_layer:
                    nx["mem"] = (self.k1, self.j1, int(self._requant(self.k1, s)))
                else:
                    better = self.j1 == 0 or s > self.best
                    if better:
                        nx.update(best=s, best_j=self.j1)
                    if self.j1 == self.n_classes - 1:
                        nx.update(done=1, cls=self.j1 if better else self.best_j)
        self._next = nx
        return out

    def clock(self) -> None:
        nx = self._next
        mem = nx.pop("mem", None)
        if mem is not None:
            self.mem[mem[0]][mem[1]] = mem[2]
        for r, v in nx.items():
            setattr(self, r, v)
        self._next = {}

    # --- Verilog -------------------------------------------------------------
    def verilog_modules(self) -> dict[str, str]:
        return {}

    def verilog_top(self) -> str:
        kk = len(self.layers)
        aw, wb, ib, ab, pb, cb = (self.acc_width, self.weight_bits, self.in_width, self.act_bits,
                                  self.pixel_bits, self.class_width)
        n_neurons = len(self._flat_b)
        addr_w = max(1, (self.n_macs - 1).bit_length())
        nidx_w = max(1, (n_neurons - 1).bit_length())
        k_w = max(1, (kk - 1).bit_length())
        max_out = max(int(lay.weight.shape[0]) for lay in self.layers)
        max_in = max(int(lay.weight.shape[1]) for lay in self.layers)
        j_w, i_w = max(1, (max_out - 1).bit_length()), max(1, (max_in - 1).bit_length())
        gw = self.gain_width + 1
        L: list[str] = []
        L.append(f"  // weight ROM ({self.n_macs} x {wb} bits) and bias ROM ({n_neurons} x {aw} bits)\n")
        L.append(f"  reg signed [{wb - 1}:0] wrom [0:{self.n_macs - 1}];\n")
        L.append(f"  reg signed [{aw - 1}:0] brom [0:{n_neurons - 1}];\n")
        L.append("  initial begin\n")
        L += [f"    wrom[{a}] = {vsigned(v, wb)};\n" for a, v in enumerate(self._flat_w)]
        L += [f"    brom[{a}] = {vsigned(v, aw)};\n" for a, v in enumerate(self._flat_b)]
        L.append("  end\n")
        for h in range(1, kk):
            L.append(f"  reg [{ab - 1}:0] mem{h} [0:{int(self.layers[h - 1].weight.shape[0]) - 1}];"
                     f"  // activations of hidden layer {h}\n")
        L.append(f"  reg busy, bubble, v1, first1, last1, done_r;\n"
                 f"  reg [{k_w - 1}:0] k, k1;\n  reg [{j_w - 1}:0] j, j1;\n  reg [{i_w - 1}:0] i;\n"
                 f"  reg [{addr_w - 1}:0] addr;\n  reg [{nidx_w - 1}:0] nidx;\n"
                 f"  reg signed [{wb - 1}:0] w1;\n  reg [{ib - 1}:0] a1;\n"
                 f"  reg signed [{aw - 1}:0] b1, acc_r, best;\n  reg [{cb - 1}:0] best_j, cls;\n")
        # per-layer sizes as case tables
        last_in = " ".join(f"{k}: last_i = (i == {int(lay.weight.shape[1]) - 1});"
                           for k, lay in enumerate(self.layers))
        last_j = " ".join(f"{k}: last_j = (j == {int(lay.weight.shape[0]) - 1});"
                          for k, lay in enumerate(self.layers))
        act = [f"{0}: act = {{{{{ib - pb}{{1'b0}}}}, pixels[i*{pb} +: {pb}]}};" if ib > pb
               else f"0: act = pixels[i*{pb} +: {pb}];"]
        act += [f"{h}: act = {{{{{ib - ab}{{1'b0}}}}, mem{h}[i]}};" if ib > ab else f"{h}: act = mem{h}[i];"
                for h in range(1, kk)]
        L.append("  reg last_i, last_j;\n")
        L.append(f"  reg [{ib - 1}:0] act;\n")
        L.append("  always @* begin\n"
                 f"    case (k) {last_in} default: last_i = 1'b1; endcase\n"
                 f"    case (k) {last_j} default: last_j = 1'b1; endcase\n"
                 f"    case (k) {' '.join(act)} default: act = {ib}'d0; endcase\n"
                 "  end\n")
        L.append(f"  wire signed [{aw - 1}:0] s = (first1 ? b1 : acc_r) + w1 * $signed({{1'b0, a1}});\n")
        for h in range(kk - 1):
            lay = self.layers[h]
            L.append(f"  wire signed [{aw + gw - 1}:0] rq{h}_p = s * $signed({vhex(lay.gain, gw)});\n"
                     f"  wire signed [{aw + gw - 1}:0] rq{h}_s = rq{h}_p >>> {lay.shift};\n"
                     f"  wire [{ab - 1}:0] rq{h} = (rq{h}_s < 0) ? {ab}'d0 : "
                     f"(rq{h}_s > {self.act_max}) ? {vhex(self.act_max, ab)} : rq{h}_s[{ab - 1}:0];\n")
        L.append("  wire better = (j1 == 0) || (s > best);\n")
        L.append("  always @(posedge clk) begin\n"
                 "    if (rst) begin\n"
                 "      busy <= 1'b0; bubble <= 1'b0; v1 <= 1'b0; first1 <= 1'b0; last1 <= 1'b0;"
                 " done_r <= 1'b0;\n"
                 "      k <= 0; k1 <= 0; j <= 0; j1 <= 0; i <= 0; addr <= 0; nidx <= 0;\n"
                 "      w1 <= 0; a1 <= 0; b1 <= 0; acc_r <= 0; best <= 0; best_j <= 0; cls <= 0;\n"
                 "    end else begin\n"
                 "      // stage 1: control and issue\n"
                 "      if (start && !busy && !v1) begin\n"
                 "        busy <= 1'b1; bubble <= 1'b0; k <= 0; j <= 0; i <= 0; addr <= 0; nidx <= 0;"
                 " v1 <= 1'b0; done_r <= 1'b0;\n"
                 "      end else if (busy && !bubble) begin\n"
                 "        v1 <= 1'b1; w1 <= wrom[addr]; a1 <= act; b1 <= brom[nidx];\n"
                 "        first1 <= (i == 0); last1 <= last_i; k1 <= k; j1 <= j; addr <= addr + 1'b1;\n"
                 "        if (last_i) begin\n"
                 "          i <= 0; nidx <= nidx + 1'b1;\n"
                 "          if (last_j) begin\n"
                 f"            j <= 0;\n            if (k == {kk - 1}) busy <= 1'b0;\n"
                 "            else begin k <= k + 1'b1; bubble <= 1'b1; end\n"
                 "          end else j <= j + 1'b1;\n"
                 "        end else i <= i + 1'b1;\n"
                 "      end else begin\n"
                 "        v1 <= 1'b0; bubble <= 1'b0;\n"
                 "      end\n"
                 "      // stage 2: accumulate, requantise or argmax\n"
                 "      if (v1) begin\n"
                 "        acc_r <= s;\n"
                 "        if (last1) begin\n")
        for h in range(kk - 1):
            L.append(f"          if (k1 == {h}) mem{h + 1}[j1] <= rq{h};\n")
        L.append(f"          if (k1 == {kk - 1}) begin\n"
                 "            if (better) begin best <= s; best_j <= j1; end\n"
                 f"            if (j1 == {self.n_classes - 1}) begin\n"
                 "              done_r <= 1'b1; cls <= better ? j1 : best_j;\n"
                 "            end\n"
                 "          end\n"
                 "        end\n"
                 "      end\n"
                 "    end\n"
                 "  end\n"
                 "  assign done = done_r;\n  assign class_id = cls;\n  assign acc = acc_r;\n")
        return wrap_top(self, "".join(L))
