r"""The SC classifier as a gate-level datapath with a phase controller, and its Verilog (private).

:class:`SCClassifierDatapath` is the hardware of a ``sc_neurocore.deploy.SCClassifier``
(datapath contract: ``sc_neurocore.deploy``, ``docs/model_to_hardware.md``), bit-exact with
``sc_neurocore.deploy.reference_trace`` cycle by cycle and with ``evaluate``:

* **Sources** from ``sc_neurocore.deploy.channel_plan`` (one ``assign_channels``
  call): per layer k one register per input channel, one per weight column
  (bias included) and, for MUX accumulation, a select register.  Channels
  with the same source (Sobol: one dimension per role) share one register.
  Every source has a clock enable and a synchronous load: all are loaded with
  their seeds when an image starts, and layer k's advance only in phase k.
* **Comparators**: input ``x_i = r_in(i) < X_i``; one per weight,
  ``w_ji = r_wt(i) < M_ji`` (constant thresholds: a weight column's source is
  shared by all neurons); the bias input is the constant-1 stream.
* **Products** AND (unipolar) or XNOR (bipolar); **accumulation** per neuron
  into a signed counter ``C_j``: APC (two parallel counters, positive minus
  negative columns), OR (``OR(pos) - OR(neg)``) or MUX (select
  ``s_t = (r_sel * (n_in + 1)) >> W``); bipolar: ``+-1`` per product.
* **Requantisation** of hidden counters to the next layer's input thresholds,
  combinational from the (held) counters: level ``clamp((C gain) >> shift, 0,
  2^W)`` (multiplier, arithmetic shift, clamp), unipolar threshold = level,
  bipolar ``2^(W-1) + (level >> 1)``.  Layer-0 thresholds come from a table
  ``round_half_even(q 2^W / input_max)`` on each pixel.
* **Phase controller** and **argmax** (lowest index wins ties).

Timing: ``start`` in cycle s (while idle or done) loads the sources and clears
the counters; phase k occupies cycles ``s + 1 + k L .. s + (k + 1) L``; in
cycle ``s + K L + 1`` the argmax of the output counters is registered; from
cycle ``s + latency``, ``latency = K L + 2``, ``done = 1`` and ``class_id`` hold
the result.  Pixels must stay on the port during phase 0 (the thresholds are
combinational from the port).  Ports: inputs ``start``, ``pixels``
(``bit_length(input_max)`` bits per pixel); outputs ``done``, ``class_id`` and
``acc<k>`` (layer k's counters, counter j in bits ``[j CW_k, (j + 1) CW_k)``,
two's complement).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from hw_models._common import Block, Port, check_part_int, mask, port_input, vhex, wrap_top
from hw_models._counters import _popcount_module
from hw_models._datapaths import _Composite
from hw_models._gates import AndGate, XnorGate
from hw_models._imageio import check_pixels
from hw_models._lfsr import FibonacciLFSR
from hw_models._sng import SNG
from hw_models._sobol import SobolGenerator

__all__ = ["SCClassifierDatapath"]

_PART = "SCClassifierDatapath"

# Clock-enabled, loadable forms of the two random sources.  The next-state
# logic is that of hw_models.FibonacciLFSR / SobolGenerator (no zero-state
# insertion: assign_channels does not use it); ``ld`` loads the reset value
# and has priority over ``ce``.
_VMODULES = {
    "sc_lfsr_fib_ce": (
        "// Fibonacci LFSR with clock enable and synchronous load (shift-left, fb = ^(state & TAPMASK))\n"
        "module sc_lfsr_fib_ce #(parameter W = 16, parameter [W-1:0] TAPMASK = 1,\n"
        "  parameter [W-1:0] SEED = 1) (\n"
        "  input wire clk, input wire ld, input wire ce, output reg [W-1:0] state);\n"
        "  always @(posedge clk) begin\n"
        "    if (ld) state <= SEED;\n"
        "    else if (ce) state <= {state[W-2:0], ^(state & TAPMASK)};\n"
        "  end\n"
        "endmodule\n"),
    "sc_sobol_ce": (
        "// Sobol generator (Gray-code order) with clock enable and synchronous load\n"
        "module sc_sobol_ce #(parameter W = 32, parameter [W*W-1:0] V = 0,\n"
        "  parameter [W-1:0] K0 = 0, parameter [W-1:0] X0 = 0) (\n"
        "  input wire clk, input wire ld, input wire ce, output reg [W-1:0] point);\n"
        "  reg [W-1:0] k;\n"
        "  integer i, c;\n"
        "  always @* begin\n"
        "    c = W - 1;\n"
        "    for (i = W - 1; i >= 0; i = i - 1)\n"
        "      if (!k[i]) c = i;\n"
        "  end\n"
        "  always @(posedge clk) begin\n"
        "    if (ld) begin k <= K0; point <= X0; end\n"
        "    else if (ce) begin k <= k + 1'b1; point <= point ^ V[c*W +: W]; end\n"
        "  end\n"
        "endmodule\n"),
}


class _HwLayer:
    """One layer's parts: sources (distinct registers), channel -> register maps, SNGs and gates."""

    def __init__(self, k: int, clf: Any, plan: list[Any], chans: Any) -> None:
        lay = clf.layers[k]
        self.mag = np.asarray(lay.magnitude, dtype=np.int64)
        self.neg = np.asarray(lay.negative, dtype=bool)
        self.n_out, self.n_cols = self.mag.shape
        self.n_in = self.n_cols - 1
        self.gain, self.shift = int(lay.gain), int(lay.shift)
        bipolar = clf.coding == "bipolar"
        # counter range: APC moves by at most n_cols per cycle, OR / MUX by 1
        step = self.n_cols if clf.accumulation == "apc" else 1
        self.counter_width = (step * clf.length).bit_length() + 1
        self.sources: list[Block] = []
        by_spec: dict[Any, int] = {}

        def reg(spec: Any) -> int:
            if spec not in by_spec:
                by_spec[spec] = len(self.sources)
                self.sources.append(FibonacciLFSR(clf.width, spec.seed, taps=spec.taps) if spec.kind == "lfsr"
                                    else SobolGenerator(spec.dimension, width=clf.width))
            return by_spec[spec]

        self.in_reg = np.array([reg(plan[chans.inputs + i]) for i in range(self.n_in)], dtype=np.int64)
        self.wt_reg = np.array([reg(plan[chans.weights + i]) for i in range(self.n_cols)], dtype=np.int64)
        self.sel_reg = reg(plan[chans.select]) if chans.select >= 0 else -1
        # structure for check_correlation: one SNG per input and per weight, a gate per product
        # (the bias column has no gate: its input is the constant-1 stream)
        self.x_sngs = [SNG(self.sources[r]) for r in self.in_reg]
        self.w_sngs = [[SNG(self.sources[self.wt_reg[i]], int(self.mag[j, i])) for i in range(self.n_cols)]
                       for j in range(self.n_out)]
        gate = XnorGate if bipolar else AndGate
        self.gates = [gate(sources=(self.x_sngs[i], self.w_sngs[j][i]))
                      for j in range(self.n_out) for i in range(self.n_in)]


class SCClassifierDatapath(_Composite):
    """Gate-level SC classifier: sources, comparators, accumulators, counters, controller, argmax.

    Build it with :meth:`from_classifier`; see the module docstring for the
    structure, timing and ports.  ``eval``/``clock`` follow the hw_models
    protocol; after ``eval`` the attribute ``wires`` holds this cycle's
    ``input_bits``, ``weight_bits`` and ``select`` of the active phase
    (the fields of ``sc_neurocore.deploy.PhaseTrace``), or None outside a phase.
    """

    part = _PART
    top_module = "sc_classifier_top"

    def __init__(self, clf: Any) -> None:
        from sc_neurocore.deploy import HW_ENCODERS, channel_layout, channel_plan, validate

        clf = validate(clf)
        if clf.encoder not in HW_ENCODERS:
            raise ValueError(f"{_PART}: clf.encoder must be one of {', '.join(map(repr, HW_ENCODERS))} "
                             f"(a gate-level source exists); got {clf.encoder!r}")
        self.clf = clf
        self.width: int = clf.width
        self.length: int = clf.length
        self.input_max: int = clf.input_max
        self.pixel_bits = self.input_max.bit_length()
        plan = channel_plan(clf)
        layout = channel_layout(clf)[0]
        self.hw_layers = [_HwLayer(k, clf, plan, layout[k]) for k in range(len(clf.layers))]
        #: every product gate (structure only: what check_correlation walks)
        self.gates: list[Block] = [g for lay in self.hw_layers for g in lay.gates]
        self.n_inputs = self.hw_layers[0].n_in
        self.n_classes = self.hw_layers[-1].n_out
        self.class_width = max(1, (self.n_classes - 1).bit_length())
        #: cycles from the start cycle to the first cycle showing done (module docstring)
        self.latency = len(self.hw_layers) * self.length + 2
        self._thr_cache: tuple[int, np.ndarray] | None = None
        self.reset()

    @classmethod
    def from_classifier(cls, clf: Any) -> SCClassifierDatapath:
        """The datapath of ``clf``, a ``sc_neurocore.deploy.SCClassifier`` with encoder lfsr or sobol."""
        return cls(clf)

    def classify(self, pixels: Any) -> tuple[np.ndarray, tuple[np.ndarray, ...]]:
        """Classes and every layer's final counters: the fast packed path ``sc_neurocore.deploy.evaluate``.

        The per-cycle model and the RTL equal it bit for bit (tests); it is
        offered here so both classifier designs share one interface.
        """
        from sc_neurocore.deploy import evaluate

        px = check_pixels(_PART, pixels, self.n_inputs, self.input_max)
        out = evaluate(self.clf, px)
        return out.predictions, out.counters

    # --- structure ---------------------------------------------------------
    def leaves(self) -> list[Block]:
        return [s for lay in self.hw_layers for s in lay.sources]

    def inputs_spec(self) -> list[Port]:
        return [("start", 1, False), ("pixels", self.n_inputs * self.pixel_bits, False)]

    def outputs_spec(self) -> list[Port]:
        return [("done", 1, False), ("class_id", self.class_width, False),
                *[(f"acc{k}", lay.n_out * lay.counter_width, False) for k, lay in enumerate(self.hw_layers)]]

    # --- clocking ------------------------------------------------------------
    def reset(self) -> None:
        super().reset()
        self.busy = self.fin = self.done = self.phase = self.t = self.cls = 0
        self.counters = [[0] * lay.n_out for lay in self.hw_layers]
        self.wires: dict[str, Any] | None = None
        self._next: dict[str, Any] = {}

    def counter_bus(self, k: int) -> int:
        """Port ``acc<k>``: layer k's counters in two's complement, counter j at ``[j CW, (j+1) CW)``."""
        lay = self.hw_layers[k]
        cw = lay.counter_width
        return sum((c & mask(cw)) << (j * cw) for j, c in enumerate(self.counters[k]))

    def registers(self) -> dict[str, tuple[int, int]]:
        """Every register bit pattern and width (for toggle counting), by name."""
        out: dict[str, tuple[int, int]] = {
            "busy": (self.busy, 1), "fin": (self.fin, 1), "done": (self.done, 1),
            "phase": (self.phase, max(1, (len(self.hw_layers) - 1).bit_length())),
            "t": (self.t, max(1, (self.length - 1).bit_length())), "cls": (self.cls, self.class_width)}
        for k, lay in enumerate(self.hw_layers):
            for j, c in enumerate(self.counters[k]):
                out[f"c{k}_{j}"] = (c & mask(lay.counter_width), lay.counter_width)
            for r, src in enumerate(lay.sources):
                if isinstance(src, SobolGenerator):
                    out[f"src{k}_{r}.k"] = (src.k, src.width)
                    out[f"src{k}_{r}.x"] = (src.x, src.width)
                else:
                    out[f"src{k}_{r}"] = (src.state, src.width)  # type: ignore[attr-defined]
        return out

    def _input_thresholds(self, k: int, bus: int) -> np.ndarray:
        from sc_neurocore.deploy import input_thresholds, next_thresholds

        if k > 0:
            return next_thresholds(self.clf, k - 1, np.asarray(self.counters[k - 1], dtype=np.int64))
        if self._thr_cache is None or self._thr_cache[0] != bus:
            pb = self.pixel_bits
            q = np.array([(bus >> (i * pb)) & mask(pb) for i in range(self.n_inputs)], dtype=np.int64)
            if (q > self.input_max).any():
                i = int(np.argmax(q > self.input_max))
                raise ValueError(f"{_PART}: pixels must hold values in [0, {self.input_max}]; "
                                 f"got {int(q[i])} for pixel {i}")
            self._thr_cache = (bus, input_thresholds(self.clf, q[None, :])[0])
        return self._thr_cache[1]

    def eval(self, **inputs: int) -> dict[str, int]:
        start = check_part_int(_PART, "start", port_input(_PART, inputs, "start"), 0, 1)
        bus = check_part_int(_PART, "pixels", port_input(_PART, inputs, "pixels"), 0,
                             mask(self.n_inputs * self.pixel_bits))
        out = {"done": self.done, "class_id": self.cls,
               **{f"acc{k}": self.counter_bus(k) for k in range(len(self.hw_layers))}}
        nx: dict[str, Any] = {}
        self.wires = None
        n_layers = len(self.hw_layers)
        if start and not self.busy and not self.fin:
            nx.update(busy=1, phase=0, t=0, done=0, load=True)
        elif self.busy:
            k = self.phase
            lay = self.hw_layers[k]
            x_thr = self._input_thresholds(k, bus)
            r = np.array([s.eval()[s.out_port] for s in lay.sources], dtype=np.int64)  # type: ignore[attr-defined]
            x = np.append(r[lay.in_reg] < x_thr, True)  # the bias input is the constant-1 stream
            w = r[lay.wt_reg][None, :] < lay.mag
            sel = -1
            if self.clf.coding == "bipolar":
                p = ~(x[None, :] ^ w)
                if self.clf.accumulation == "apc":
                    delta = 2 * p.sum(axis=1) - lay.n_cols
                else:
                    sel = (int(r[lay.sel_reg]) * lay.n_cols) >> self.width
                    delta = 2 * p[:, sel].astype(np.int64) - 1
            else:
                p = x[None, :] & w
                if self.clf.accumulation == "apc":
                    delta = (p & ~lay.neg).sum(axis=1) - (p & lay.neg).sum(axis=1)
                elif self.clf.accumulation == "or":
                    delta = (p & ~lay.neg).any(axis=1).astype(np.int64) - (p & lay.neg).any(axis=1)
                else:
                    sel = (int(r[lay.sel_reg]) * lay.n_cols) >> self.width
                    delta = np.where(p[:, sel], np.where(lay.neg[:, sel], -1, 1), 0)
            self.wires = {"input_bits": x.astype(np.uint8), "weight_bits": w.astype(np.uint8), "select": sel}
            nx["counters"] = (k, [c + int(d) for c, d in zip(self.counters[k], delta, strict=True)])
            nx["enable"] = k
            if self.t == self.length - 1:
                nx["t"] = 0
                if k == n_layers - 1:
                    nx.update(busy=0, fin=1)
                else:
                    nx["phase"] = k + 1
            else:
                nx["t"] = self.t + 1
        elif self.fin:
            c = self.counters[-1]
            nx.update(fin=0, done=1, cls=max(range(len(c)), key=lambda j: (c[j], -j)))
        self._next = nx
        return out

    def clock(self) -> None:
        nx = self._next
        if nx.pop("load", False):
            for s in self._distinct_leaves():
                s.reset()
            self.counters = [[0] * lay.n_out for lay in self.hw_layers]
        k = nx.pop("enable", None)
        if k is not None:
            for s in self.hw_layers[k].sources:
                s.clock()
        cnt = nx.pop("counters", None)
        if cnt is not None:
            self.counters[cnt[0]] = cnt[1]
        for name, v in nx.items():
            setattr(self, name, v)
        self._next = {}

    # --- Verilog ---------------------------------------------------------------
    def verilog_modules(self) -> dict[str, str]:
        return {**_VMODULES, "sc_popcount": _popcount_module()}

    def _source_inst(self, inst: str, src: Block, ce: str) -> str:
        w = self.width
        if isinstance(src, FibonacciLFSR):
            return (f"  wire [{w - 1}:0] {inst};\n"
                    f"  sc_lfsr_fib_ce #(.W({w}), .TAPMASK({vhex(src.tap_mask, w)}), "
                    f".SEED({vhex(src.seed, w)}))\n"
                    f"    u_{inst} (.clk(clk), .ld(ld), .ce({ce}), .state({inst}));\n")
        assert isinstance(src, SobolGenerator)
        packed = sum(v << (i * w) for i, v in enumerate(src.directions))
        return (f"  wire [{w - 1}:0] {inst};\n"
                f"  sc_sobol_ce #(.W({w}), .V({vhex(packed, w * w)}), .K0({vhex(src.k0, w)}), "
                f".X0({vhex(src.x0, w)})) u_{inst} (.clk(clk), .ld(ld), .ce({ce}), .point({inst}));\n")

    def _popcount(self, name: str, bits: list[str], width: int) -> str:
        """``name`` = number of ones among ``bits`` (``width``-bit unsigned wire)."""
        if not bits:
            return f"  wire [{width - 1}:0] {name} = {width}'d0;\n"
        n = len(bits)
        return (f"  wire [{width - 1}:0] {name};\n"
                f"  sc_popcount #(.N({n}), .W({width})) u_{name} (.x({{{', '.join(reversed(bits))}}}), "
                f".count({name}));\n")

    def verilog_top(self) -> str:
        clf = self.clf
        w, L, n_layers = self.width, self.length, len(self.hw_layers)
        bipolar = clf.coding == "bipolar"
        pw = max(1, (n_layers - 1).bit_length())
        tw = max(1, (L - 1).bit_length())
        cb, pb = self.class_width, self.pixel_bits
        V: list[str] = []
        V.append("  // control: start loads every source and clears the counters; phase k = layer k\n"
                 f"  reg busy, fin, done_r;\n  reg [{pw - 1}:0] phase;\n  reg [{tw - 1}:0] t;\n"
                 f"  reg [{cb - 1}:0] cls;\n"
                 "  wire go = start & ~busy & ~fin;\n  wire ld = rst | go;\n")
        # layer-0 threshold table
        from sc_neurocore.deploy import input_thresholds

        table = input_thresholds(clf, np.arange(self.input_max + 1, dtype=np.int64)[:, None].repeat(
            self.n_inputs, axis=1))[:, 0]
        cases = " ".join(f"{q}: qthr = {vhex(int(v), w + 1)};" for q, v in enumerate(table))
        V.append(f"  function [{w}:0] qthr(input [{pb - 1}:0] q);\n"
                 f"    begin case (q) {cases} default: qthr = {w + 1}'d0; endcase end\n"
                 "  endfunction\n")
        for k, lay in enumerate(self.hw_layers):
            cw = lay.counter_width
            V.append(f"  // ---- layer {k}: {lay.n_in} inputs + bias -> {lay.n_out} counters ----\n"
                     f"  wire ce{k} = busy & (phase == {k});\n")
            for r, src in enumerate(lay.sources):
                V.append(self._source_inst(f"r{k}_{r}", src, f"ce{k}"))
            # input thresholds
            for i in range(lay.n_in):
                if k == 0:
                    V.append(f"  wire [{w}:0] X{k}_{i} = qthr(pixels[{i * pb + pb - 1}:{i * pb}]);\n")
            if k > 0:
                prev = self.hw_layers[k - 1]
                pcw = prev.counter_width
                gw = prev.gain.bit_length() + 1
                qw = max(pcw + gw, w + 2)  # product width (and room for the level's w + 1 bits)
                top = 1 << w
                for i in range(lay.n_in):
                    lv = f"lv{k}_{i}"
                    V.append(f"  wire signed [{qw - 1}:0] {lv}_p = c{k - 1}_{i} * "
                             f"$signed({vhex(prev.gain, gw)});\n"
                             f"  wire signed [{qw - 1}:0] {lv}_s = {lv}_p >>> {prev.shift};\n"
                             f"  wire [{w}:0] {lv} = ({lv}_s < 0) ? {w + 1}'d0 : ({lv}_s > {top}) ? "
                             f"{vhex(top, w + 1)} : {lv}_s[{w}:0];\n")
                    thr = (f"{vhex(1 << (w - 1), w + 1)} + ({lv} >> 1)" if bipolar else lv)
                    V.append(f"  wire [{w}:0] X{k}_{i} = {thr};\n")
            for i in range(lay.n_in):
                V.append(f"  wire x{k}_{i} = {{1'b0, r{k}_{lay.in_reg[i]}}} < X{k}_{i};\n")
            sel = None
            if lay.sel_reg >= 0:
                nb = lay.n_cols.bit_length()
                V.append(f"  wire [{w + nb - 1}:0] selp{k} = r{k}_{lay.sel_reg} * {w + nb}'d{lay.n_cols};\n"
                         f"  wire [{nb - 1}:0] sel{k} = selp{k}[{w + nb - 1}:{w}];\n")
                sel = f"sel{k}"
            dw = lay.n_cols.bit_length() + 2
            for j in range(lay.n_out):
                prods: list[str] = []
                pos: list[str] = []
                neg: list[str] = []
                for i in range(lay.n_cols):
                    m = int(lay.mag[j, i])
                    wb = ("1'b0" if m == 0 else "1'b1" if m == 1 << w
                          else f"({{1'b0, r{k}_{lay.wt_reg[i]}}} < {vhex(m, w + 1)})")
                    xb = "1'b1" if i == lay.n_in else f"x{k}_{i}"
                    name = f"p{k}_{j}_{i}"
                    expr = f"~({xb} ^ {wb})" if bipolar else f"{xb} & {wb}"
                    V.append(f"  wire {name} = {expr};\n")
                    prods.append(name)
                    (neg if lay.neg[j, i] else pos).append(name)
                d = f"d{k}_{j}"
                if bipolar and sel is None:
                    V.append(self._popcount(f"{d}_n", prods, dw))
                    V.append(f"  wire signed [{dw}:0] {d} = $signed({{1'b0, {d}_n, 1'b0}}) - {lay.n_cols};\n")
                elif bipolar:
                    V.append(f"  wire [{lay.n_cols - 1}:0] {d}_bus = {{{', '.join(reversed(prods))}}};\n"
                             f"  wire signed [{dw}:0] {d} = {d}_bus[{sel}] ? 1 : -1;\n")
                elif clf.accumulation == "apc":
                    V.append(self._popcount(f"{d}_pos", pos, dw))
                    V.append(self._popcount(f"{d}_neg", neg, dw))
                    V.append(f"  wire signed [{dw}:0] {d} = $signed({{1'b0, {d}_pos}}) - "
                             f"$signed({{1'b0, {d}_neg}});\n")
                elif clf.accumulation == "or":
                    por = " | ".join(pos) if pos else "1'b0"
                    nor = " | ".join(neg) if neg else "1'b0"
                    V.append(f"  wire signed [{dw}:0] {d} = $signed({{1'b0, {por}}}) - "
                             f"$signed({{1'b0, {nor}}});\n")
                else:
                    negmask = sum(1 << i for i in range(lay.n_cols) if lay.neg[j, i])
                    V.append(f"  wire [{lay.n_cols - 1}:0] {d}_bus = {{{', '.join(reversed(prods))}}};\n"
                             f"  wire [{lay.n_cols - 1}:0] {d}_neg = {vhex(negmask, lay.n_cols)};\n"
                             f"  wire signed [{dw}:0] {d} = !{d}_bus[{sel}] ? 0 : {d}_neg[{sel}] ? -1 : 1;\n")
                V.append(f"  reg signed [{cw - 1}:0] c{k}_{j};\n"
                         f"  always @(posedge clk) begin\n"
                         f"    if (ld) c{k}_{j} <= {cw}'d0;\n"
                         f"    else if (ce{k}) c{k}_{j} <= c{k}_{j} + {d};\n"
                         "  end\n")
            V.append(f"  assign acc{k} = {{{', '.join(f'c{k}_{j}' for j in reversed(range(lay.n_out)))}}};\n")
        last = self.hw_layers[-1]
        lk = n_layers - 1
        V.append("  // argmax of the output counters, lowest index wins ties\n"
                 f"  reg signed [{last.counter_width - 1}:0] best;\n  reg [{cb - 1}:0] amax;\n"
                 f"  always @* begin\n    best = c{lk}_0; amax = {cb}'d0;\n")
        for j in range(1, last.n_out):
            V.append(f"    if (c{lk}_{j} > best) begin best = c{lk}_{j}; amax = {cb}'d{j}; end\n")
        V.append("  end\n")
        V.append("  always @(posedge clk) begin\n"
                 "    if (rst) begin\n"
                 f"      busy <= 1'b0; fin <= 1'b0; done_r <= 1'b0; phase <= {pw}'d0; t <= {tw}'d0; "
                 f"cls <= {cb}'d0;\n"
                 "    end else if (go) begin\n"
                 f"      busy <= 1'b1; phase <= {pw}'d0; t <= {tw}'d0; done_r <= 1'b0;\n"
                 "    end else if (busy) begin\n"
                 f"      t <= t + 1'b1;\n"
                 f"      if (t == {vhex(L - 1, tw)}) begin\n"
                 f"        if (phase == {n_layers - 1}) begin busy <= 1'b0; fin <= 1'b1; end\n"
                 "        else phase <= phase + 1'b1;\n"
                 "      end\n"
                 "    end else if (fin) begin\n"
                 "      fin <= 1'b0; done_r <= 1'b1; cls <= amax;\n"
                 "    end\n"
                 "  end\n"
                 "  assign done = done_r;\n  assign class_id = cls;\n")
        return wrap_top(self, "".join(V))

    def verilog_body(self, inst: str, conns: Mapping[str, str]) -> str:
        raise NotImplementedError(f"{_PART}: the classifier is a top-level design; use to_verilog()")
