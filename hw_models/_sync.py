"""Correlation-control circuits: synchronizer, desynchronizer, shuffle buffer, SCC-controlled
pair generator, and the correlated-input gates min / max / |a - b| / saturating add (private).

Gate-level twins of ``sc_neurocore.bitstream.synchronize`` and friends; see
V. T. Lee, A. Alaghi and L. Ceze, "Correlation manipulating circuits for
stochastic computing", DATE 2018, and A. Alaghi and J. P. Hayes, "Exploiting
correlation in stochastic circuit design", ICCD 2013.

Every block carries ``correlation_requirement`` (``"independent"``,
``"positive"`` or ``"negative"``): the input correlation its function needs;
the (de)synchronizers carry ``correlation_effect`` (``"positive"`` /
``"negative"``), the correlation they produce.
:func:`hw_models.check_correlation` reads it from any block.  The
(de)synchronizers and the shuffle buffer have no requirement; the shuffle
buffer declares ``random_source_kind = "shuffle"`` so the checker treats its
output as decorrelated from its input.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from hw_models._common import Block, Port, check_part_int, mask, port_input, vhex, vsigned, wrap_top
from hw_models._gates import AndGate, OrGate, _check_sources, _comb, _Gate

__all__ = [
    "AbsDiffGate",
    "CorrelatedPairGenerator",
    "Desynchronizer",
    "MaxGate",
    "MinGate",
    "SatAddGate",
    "ShuffleBuffer",
    "Synchronizer",
    "XorGate",
]


class XorGate(_Gate):
    """``y = a ^ b``: ``p + q - 2 P(a and b)``; ``|p - q|`` when SCC = +1."""

    part = "XorGate"
    top_module = "xor_top"
    op = "XOR"

    def func(self, a: int, b: int) -> int:  # type: ignore[override]
        return a ^ b

    def _vmodule(self) -> str:
        return _comb("sc_xor", "input wire [W-1:0] a, input wire [W-1:0] b, output wire [W-1:0] y",
                     "a ^ b")


class MinGate(AndGate):
    """AND used as ``min(p, q)``: exact only when the inputs have SCC = +1 (Alaghi & Hayes 2013)."""

    part = "MinGate"
    correlation_requirement = "positive"


class MaxGate(OrGate):
    """OR used as ``max(p, q)``: exact only when the inputs have SCC = +1 (Alaghi & Hayes 2013)."""

    part = "MaxGate"
    correlation_requirement = "positive"


class AbsDiffGate(XorGate):
    """XOR used as ``|p - q|``: exact only when the inputs have SCC = +1 (Alaghi & Hayes 2013)."""

    part = "AbsDiffGate"
    correlation_requirement = "positive"


class SatAddGate(OrGate):
    """OR used as ``min(1, p + q)``: exact only when the inputs have SCC = -1 (Alaghi & Hayes 2013)."""

    part = "SatAddGate"
    correlation_requirement = "negative"


class _PairFSM(Block):
    """Two-stream FSM with a state register ``s`` (inputs ``x``, ``y``; outputs ``xo``, ``yo``)."""

    def __init__(self, depth: int = 1, sources: Sequence[Block] = ()) -> None:
        self.depth: int = check_part_int(self.part, "depth", depth, 1, 64)
        self.sources: tuple[Block, ...] = _check_sources(self.part, sources, ("x", "y"))
        self.s = 0
        self._next = 0

    def input_sources(self) -> list[Block]:
        """Blocks driving ``x`` and ``y`` (structure only)."""
        return list(self.sources)

    def inputs_spec(self) -> list[Port]:
        return [("x", 1, False), ("y", 1, False)]

    def outputs_spec(self) -> list[Port]:
        return [("xo", 1, False), ("yo", 1, False)]

    def reset(self) -> None:
        self.s = self._next = 0

    def clock(self) -> None:
        self.s = self._next

    def rule(self, x: int, y: int) -> tuple[int, int]:
        """Outputs of this cycle; sets ``self._next``."""
        raise NotImplementedError

    def eval(self, **inputs: int) -> dict[str, int]:
        x = check_part_int(self.part, "x", port_input(self.part, inputs, "x"), 0, 1)
        y = check_part_int(self.part, "y", port_input(self.part, inputs, "y"), 0, 1)
        xo, yo = self.rule(x, y)
        return {"xo": xo, "yo": yo}

    def verilog_body(self, inst: str, conns: Mapping[str, str]) -> str:
        name = next(iter(self.verilog_modules()))
        return (f"  {name} #(.W({self.state_width}), .D({self._vdepth()})) {inst} (.clk(clk), .rst(rst), "
                f".x({conns['x']}), .y({conns['y']}), .xo({conns['xo']}), .yo({conns['yo']}));\n")

    @property
    def state_width(self) -> int:
        """Bits of the state register."""
        raise NotImplementedError

    def _vdepth(self) -> str:
        raise NotImplementedError

    def verilog_top(self) -> str:
        return wrap_top(self, self.verilog_body("u_fsm", {n: n for n in ("x", "y", "xo", "yo")}))


class Synchronizer(_PairFSM):
    r"""Synchronizer (Lee, Alaghi & Ceze, DATE 2018): pushes the SCC of a pair towards +1.

    State ``s`` in [-depth, depth] (``2 depth + 1`` states; ``s > 0``: ``x``
    holds ``s`` unsent ones, ``s < 0``: ``y`` holds ``-s``).  Per cycle:

    * ``x = y``: pass, ``s`` unchanged;
    * ``x = 1, y = 0``: if ``s < 0`` output ``1 1`` (pair with a held one of
      ``y``), ``s + 1``; elif ``s < depth`` output ``0 0`` (hold it), ``s + 1``;
      else pass;
    * ``x = 0, y = 1``: mirror image.

    Each output count is its input count minus the ones still held, so at
    most ``depth`` lower and never higher.

    Parameters
    ----------
    depth : int
        In [1, 64].
    sources : sequence of two Blocks, optional
        Blocks driving ``x`` and ``y`` (structure only, for the checker).
    """

    part = "Synchronizer"
    top_module = "synchronizer_top"
    #: drives the SCC of its outputs towards +1 (read by check_correlation)
    correlation_effect = "positive"

    @property
    def state_width(self) -> int:
        return self.depth.bit_length() + 1

    def _vdepth(self) -> str:
        return vsigned(self.depth, self.state_width)

    def rule(self, x: int, y: int) -> tuple[int, int]:
        s, d = self.s, self.depth
        self._next = s
        if x == y:
            return x, y
        step = 1 if x else -1
        held_by_other = s * step < 0
        if held_by_other or abs(s) < d:
            self._next = s + step
            return (1, 1) if held_by_other else (0, 0)
        return x, y

    def verilog_modules(self) -> dict[str, str]:
        return {"sc_synchronizer": (
            "// synchronizer FSM (Lee, Alaghi & Ceze, DATE 2018), state in [-D, D]\n"
            "module sc_synchronizer #(parameter W = 2, parameter signed [W-1:0] D = 1) (\n"
            "  input wire clk, input wire rst, input wire x, input wire y,\n"
            "  output reg xo, output reg yo);\n"
            "  reg signed [W-1:0] s, s_n;\n"
            "  always @* begin\n"
            "    xo = x; yo = y; s_n = s;\n"
            "    if (x && !y) begin\n"
            "      if (s < 0) begin xo = 1'b1; yo = 1'b1; s_n = s + 1; end\n"
            "      else if (s < D) begin xo = 1'b0; yo = 1'b0; s_n = s + 1; end\n"
            "    end else if (!x && y) begin\n"
            "      if (s > 0) begin xo = 1'b1; yo = 1'b1; s_n = s - 1; end\n"
            "      else if (s > -D) begin xo = 1'b0; yo = 1'b0; s_n = s - 1; end\n"
            "    end\n"
            "  end\n"
            "  always @(posedge clk) s <= rst ? {W{1'b0}} : s_n;\n"
            "endmodule\n")}


class Desynchronizer(_PairFSM):
    r"""Desynchronizer (Lee, Alaghi & Ceze, DATE 2018): pushes the SCC of a pair towards -1.

    State ``s`` in [0, depth] (ones of ``x`` held back).  Per cycle: ``1 1``
    outputs ``0 1`` and ``s + 1`` unless ``s = depth`` (then pass); ``0 0``
    with ``s > 0`` outputs ``1 0`` and ``s - 1``; otherwise pass.  ``y`` is
    unchanged; ``x`` loses the ``s <= depth`` ones held at the end.

    Parameters as :class:`Synchronizer`.
    """

    part = "Desynchronizer"
    top_module = "desynchronizer_top"
    #: drives the SCC of its outputs towards -1 (read by check_correlation)
    correlation_effect = "negative"

    @property
    def state_width(self) -> int:
        return self.depth.bit_length()

    def _vdepth(self) -> str:
        return vhex(self.depth, self.state_width)

    def rule(self, x: int, y: int) -> tuple[int, int]:
        s = self.s
        self._next = s
        if x and y and s < self.depth:
            self._next = s + 1
            return 0, 1
        if not x and not y and s > 0:
            self._next = s - 1
            return 1, 0
        return x, y

    def verilog_modules(self) -> dict[str, str]:
        return {"sc_desynchronizer": (
            "// desynchronizer FSM (Lee, Alaghi & Ceze, DATE 2018), state in [0, D]\n"
            "module sc_desynchronizer #(parameter W = 1, parameter [W-1:0] D = 1) (\n"
            "  input wire clk, input wire rst, input wire x, input wire y,\n"
            "  output reg xo, output reg yo);\n"
            "  reg [W-1:0] s, s_n;\n"
            "  always @* begin\n"
            "    xo = x; yo = y; s_n = s;\n"
            "    if (x && y && s < D) begin xo = 1'b0; s_n = s + 1'b1; end\n"
            "    else if (!x && !y && s != {W{1'b0}}) begin xo = 1'b1; s_n = s - 1'b1; end\n"
            "  end\n"
            "  always @(posedge clk) s <= rst ? {W{1'b0}} : s_n;\n"
            "endmodule\n")}


class ShuffleBuffer(Block):
    r"""Shuffle-buffer decorrelator (Lee, Alaghi & Ceze, DATE 2018).

    ``K = 2^m`` one-bit slots; in each cycle the output is slot ``idx`` and the
    input bit is written into it.  ``idx`` is an input port (in a design, the
    low ``m`` bits of an LFSR).  Count: ``n_out = n_in + popcount(init) -
    popcount(final buffer)``.

    Parameters
    ----------
    depth_bits : int
        m in [1, 6].
    init : int
        Reset contents of the buffer (slot j = bit j), in [0, 2^K - 1].
    sources : sequence of Blocks, optional
        Blocks driving ``x`` (and ``idx``), structure only.

    Ports: inputs ``x``, ``idx`` (m bits); output ``y``.
    """

    part = "ShuffleBuffer"
    top_module = "shuffle_top"
    #: the checker treats the output as a fresh random source
    random_source_kind = "shuffle"

    def __init__(self, depth_bits: int = 3, init: int = 0, sources: Sequence[Block] = ()) -> None:
        self.depth_bits: int = check_part_int(self.part, "depth_bits", depth_bits, 1, 6)
        self.slots = 1 << self.depth_bits
        self.init: int = check_part_int(self.part, "init", init, 0, mask(self.slots))
        self.sources: tuple[Block, ...] = _check_sources(self.part, sources)
        self.buf = self.init
        self._next = self.init

    def input_sources(self) -> list[Block]:
        """Blocks driving the inputs (structure only)."""
        return list(self.sources)

    def inputs_spec(self) -> list[Port]:
        return [("x", 1, False), ("idx", self.depth_bits, False)]

    def outputs_spec(self) -> list[Port]:
        return [("y", 1, False)]

    def reset(self) -> None:
        self.buf = self._next = self.init

    def eval(self, **inputs: int) -> dict[str, int]:
        x = check_part_int(self.part, "x", port_input(self.part, inputs, "x"), 0, 1)
        j = check_part_int(self.part, "idx", port_input(self.part, inputs, "idx"), 0, self.slots - 1)
        self._next = (self.buf & ~(1 << j)) | (x << j)
        return {"y": (self.buf >> j) & 1}

    def clock(self) -> None:
        self.buf = self._next

    def verilog_modules(self) -> dict[str, str]:
        return {"sc_shuffle": (
            "// shuffle buffer (Lee, Alaghi & Ceze, DATE 2018): y = mem[idx]; mem[idx] <= x\n"
            "module sc_shuffle #(parameter M = 3, parameter [(1<<M)-1:0] INIT = 0) (\n"
            "  input wire clk, input wire rst, input wire x, input wire [M-1:0] idx, output wire y);\n"
            "  reg [(1<<M)-1:0] mem;\n"
            "  assign y = mem[idx];\n"
            "  always @(posedge clk) begin\n"
            "    if (rst) mem <= INIT;\n"
            "    else mem[idx] <= x;\n"
            "  end\n"
            "endmodule\n")}

    def verilog_body(self, inst: str, conns: Mapping[str, str]) -> str:
        return (f"  sc_shuffle #(.M({self.depth_bits}), .INIT({vhex(self.init, self.slots)})) {inst} "
                f"(.clk(clk), .rst(rst), .x({conns['x']}), .idx({conns['idx']}), .y({conns['y']}));\n")

    def verilog_top(self) -> str:
        return wrap_top(self, self.verilog_body("u_shuf", {"x": "x", "idx": "idx", "y": "y"}))


class CorrelatedPairGenerator(Block):
    r"""Comparators and a MUX giving a stream pair of controlled SCC from shared randomness.

    ``x = r0 < p``; ``y = yc`` when ``r2 < c`` else ``r1 < q``, with the
    correlated partner ``yc = r0 < q`` (``neg = 0``) or ``~r0 < q``
    (``neg = 1``).  Expected SCC ``+c / 2^w`` or ``-c / 2^w`` for uniform
    independent ``r0, r1, r2`` (Alaghi & Hayes, ICCD 2013); the twin of
    ``sc_neurocore.bitstream.correlated_pair``.  Combinational.

    Parameters
    ----------
    width : int
        Random-number width w in [1, 32].
    sources : sequence of Blocks, optional
        Blocks driving ``r0, r1, r2`` (structure only).

    Ports: inputs ``r0, r1, r2`` (w bits), ``p, q, c`` (w + 1 bits, in [0, 2^w]),
    ``neg``; outputs ``x``, ``y``.
    """

    part = "CorrelatedPairGenerator"
    top_module = "scc_pair_top"

    def __init__(self, width: int = 16, sources: Sequence[Block] = ()) -> None:
        self.width: int = check_part_int(self.part, "width", width, 1, 32)
        self.sources: tuple[Block, ...] = _check_sources(self.part, sources)

    def input_sources(self) -> list[Block]:
        """Blocks driving the random inputs (structure only)."""
        return list(self.sources)

    def leaves(self) -> list[Block]:
        return []

    def inputs_spec(self) -> list[Port]:
        w = self.width
        return [("r0", w, False), ("r1", w, False), ("r2", w, False),
                ("p", w + 1, False), ("q", w + 1, False), ("c", w + 1, False), ("neg", 1, False)]

    def outputs_spec(self) -> list[Port]:
        return [("x", 1, False), ("y", 1, False)]

    def reset(self) -> None:
        """No registers."""

    def clock(self) -> None:
        """No registers."""

    def eval(self, **inputs: int) -> dict[str, int]:
        v = {}
        for name, width, _s in self.inputs_spec():
            v[name] = check_part_int(self.part, name, port_input(self.part, inputs, name), 0, mask(width))
        r0 = v["r0"]
        partner = (mask(self.width) - r0 if v["neg"] else r0) if v["r2"] < v["c"] else v["r1"]
        return {"x": int(r0 < v["p"]), "y": int(partner < v["q"])}

    def verilog_modules(self) -> dict[str, str]:
        return {"sc_scc_pair": (
            "// SCC-controlled pair (Alaghi & Hayes 2013):\n"
            "// x = r0 < p, y = (r2 < c ? (neg ? ~r0 : r0) : r1) < q\n"
            "module sc_scc_pair #(parameter W = 16) (\n"
            "  input wire [W-1:0] r0, input wire [W-1:0] r1, input wire [W-1:0] r2,\n"
            "  input wire [W:0] p, input wire [W:0] q, input wire [W:0] c, input wire neg,\n"
            "  output wire x, output wire y);\n"
            "  wire [W-1:0] rc = neg ? ~r0 : r0;\n"
            "  wire [W-1:0] ry = ({1'b0, r2} < c) ? rc : r1;\n"
            "  assign x = ({1'b0, r0} < p);\n"
            "  assign y = ({1'b0, ry} < q);\n"
            "endmodule\n")}

    def verilog_body(self, inst: str, conns: Mapping[str, str]) -> str:
        pins = ", ".join(f".{p[0]}({conns[p[0]]})" for p in self.inputs_spec() + self.outputs_spec())
        return f"  sc_scc_pair #(.W({self.width})) {inst} ({pins});\n"

    def verilog_top(self) -> str:
        names = [p[0] for p in self.inputs_spec() + self.outputs_spec()]
        return wrap_top(self, self.verilog_body("u_pair", {n: n for n in names}))
