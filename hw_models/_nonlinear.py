"""Nonlinear and sequential SC units: FSM tanh/exp/abs, sqrt, dividers, APC + Btanh, ReSC (private).

Gate-level twins of ``sc_neurocore.bitstream``'s :func:`stanh`,
:func:`fsm_sigmoid`, :func:`sexp`, :func:`fsm_abs`, :func:`sc_sqrt`,
:func:`cordiv`, :func:`jk_divide`, :func:`apc_btanh` and :func:`bernstein`,
bit for bit (same reset states, same cycle order).  Outputs are Mealy/Moore
bits of the current cycle; registers change on the edge.  The papers are cited
in the core functions' docstrings; the theory table is
``docs/sc_units_nonlinear.md``.

``correlation_requirement`` tells :func:`hw_models.check_correlation` what the
two inputs need: ``"independent"`` (JK divider, ReSC) or ``"positive"``
(CORDIV needs SCC = +1, i.e. both inputs from one random source).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from hw_models._common import Block, Port, check_part_int, mask, port_input, wrap_top
from hw_models._counters import _popcount_module
from hw_models._gates import _check_sources

__all__ = ["ApcBtanh", "BernsteinUnit", "BitInsertSqrt", "Cordiv", "FsmAbs", "JKDivider", "Sexp", "Stanh"]

_MAX_STATES = 1 << 16


def _counter_module(name: str, out_expr: str) -> str:
    """K-state saturating up/down counter FSM (up on x = 1) with output ``out_expr``."""
    return (
        f"// saturating up/down counter FSM in [0, TOP], reset to HALF\n"
        f"module {name} #(parameter W = 3, parameter [W-1:0] TOP = 7, parameter [W-1:0] HALF = 4,\n"
        f"  parameter [W-1:0] THR = 4) (\n"
        f"  input wire clk, input wire rst, input wire x, output wire y);\n"
        f"  reg [W-1:0] s;\n"
        f"  assign y = {out_expr};\n"
        f"  always @(posedge clk) begin\n"
        f"    if (rst) s <= HALF;\n"
        f"    else if (x && s != TOP) s <= s + 1'b1;\n"
        f"    else if (!x && s != {{W{{1'b0}}}}) s <= s - 1'b1;\n"
        f"  end\n"
        f"endmodule\n")


class _CounterFSM(Block):
    """K-state saturating up/down counter driven by one stream ``x``; output ``y``."""

    module = ""
    out_expr = ""

    def __init__(self, n_states: int = 8) -> None:
        k = check_part_int(self.part, "n_states", n_states, 2, _MAX_STATES)
        if k % 2:
            raise ValueError(f"{self.part}: n_states must be an even integer in [2, {_MAX_STATES}]; got {k}")
        self.n_states = k
        self.width = (k - 1).bit_length()
        self.threshold = k // 2
        self.s = k // 2
        self._next = self.s

    def inputs_spec(self) -> list[Port]:
        return [("x", 1, False)]

    def outputs_spec(self) -> list[Port]:
        return [("y", 1, False)]

    def reset(self) -> None:
        self.s = self._next = self.n_states // 2

    def out(self, x: int) -> int:
        raise NotImplementedError

    def eval(self, **inputs: int) -> dict[str, int]:
        x = check_part_int(self.part, "x", port_input(self.part, inputs, "x"), 0, 1)
        y = self.out(x)
        self._next = min(self.s + 1, self.n_states - 1) if x else max(self.s - 1, 0)
        return {"y": y}

    def clock(self) -> None:
        self.s = self._next

    def verilog_modules(self) -> dict[str, str]:
        return {self.module: _counter_module(self.module, self.out_expr)}

    def verilog_body(self, inst: str, conns: Mapping[str, str]) -> str:
        w = self.width
        return (f"  {self.module} #(.W({w}), .TOP({w}'d{self.n_states - 1}), "
                f".HALF({w}'d{self.n_states // 2}), .THR({w}'d{self.threshold})) {inst} "
                f"(.clk(clk), .rst(rst), .x({conns['x']}), .y({conns['y']}));\n")

    def verilog_top(self) -> str:
        return wrap_top(self, self.verilog_body("u_fsm", {"x": "x", "y": "y"}))


class Stanh(_CounterFSM):
    """Brown & Card stochastic tanh (and sigmoid, read unipolar): output ``s >= K/2``.

    Parameters
    ----------
    n_states : int
        Even state count K in [2, 65536]; state register ``bit_length(K-1)`` bits.
    """

    part = "Stanh"
    top_module = "stanh_top"
    module = "sc_stanh"
    out_expr = "s >= THR"

    def out(self, x: int) -> int:
        return int(self.s >= self.threshold)


class Sexp(_CounterFSM):
    """Brown & Card stochastic exponentiation: output ``s < K - G``.

    Parameters
    ----------
    n_states : int
        Even state count K in [2, 65536].
    g : int
        Top states that output 0, in [1, K-1].
    """

    part = "Sexp"
    top_module = "sexp_top"
    module = "sc_sexp"
    out_expr = "s < THR"

    def __init__(self, n_states: int = 8, g: int = 2) -> None:
        super().__init__(n_states)
        self.g = check_part_int(self.part, "g", g, 1, self.n_states - 1)
        self.threshold = self.n_states - self.g

    def out(self, x: int) -> int:
        return int(self.s < self.threshold)


class FsmAbs(_CounterFSM):
    """Bipolar absolute value: output ``x`` when ``s >= K/2``, else ``NOT x``.

    After P. Li and D. J. Lilja, "Using stochastic computing to implement
    digital image processing algorithms", ICCD 2011.
    """

    part = "FsmAbs"
    top_module = "fsm_abs_top"
    module = "sc_fsm_abs"
    out_expr = "(s >= THR) ? x : ~x"

    def out(self, x: int) -> int:
        return x if self.s >= self.threshold else 1 - x


class BitInsertSqrt(Block):
    """Bit-inserting square root: JK flip-flop ``Q`` (J = y, K = 1), output ``y = Q | x``.

    After D. Wu, J. San Miguel et al., "In-stream correlation-based
    division and bit-inserting square root in stochastic computing", IEEE
    Design & Test 2021.  Long-run output ``2p / (1 + p)``.
    """

    part = "BitInsertSqrt"
    top_module = "sqrt_top"

    def __init__(self) -> None:
        self.q = 0
        self._next = 0

    def inputs_spec(self) -> list[Port]:
        return [("x", 1, False)]

    def outputs_spec(self) -> list[Port]:
        return [("y", 1, False)]

    def reset(self) -> None:
        self.q = self._next = 0

    def eval(self, **inputs: int) -> dict[str, int]:
        x = check_part_int(self.part, "x", port_input(self.part, inputs, "x"), 0, 1)
        y = self.q | x
        self._next = y & (1 - self.q)  # JK with K = 1: toggle if J else clear
        return {"y": y}

    def clock(self) -> None:
        self.q = self._next

    def verilog_modules(self) -> dict[str, str]:
        return {"sc_sqrt": (
            "// bit-inserting square root: JK flip-flop q with J = y, K = 1\n"
            "module sc_sqrt (input wire clk, input wire rst, input wire x, output wire y);\n"
            "  reg q;\n"
            "  assign y = q | x;\n"
            "  always @(posedge clk) q <= rst ? 1'b0 : (y & ~q);\n"
            "endmodule\n")}

    def verilog_body(self, inst: str, conns: Mapping[str, str]) -> str:
        return f"  sc_sqrt {inst} (.clk(clk), .rst(rst), .x({conns['x']}), .y({conns['y']}));\n"

    def verilog_top(self) -> str:
        return wrap_top(self, self.verilog_body("u_sqrt", {"x": "x", "y": "y"}))


class _TwoInput(Block):
    """One-bit state ``q`` (reset 0), two 1-bit inputs, output ``y``; optional ``sources``."""

    names: tuple[str, str] = ("a", "b")
    module = ""
    correlation_requirement = "independent"

    def __init__(self, sources: Sequence[Block] = ()) -> None:
        self.sources: tuple[Block, ...] = _check_sources(self.part, sources, self.names)
        self.q = 0
        self._next = 0

    def input_sources(self) -> list[Block]:
        """Blocks driving the inputs, in port order (structure only)."""
        return list(self.sources)

    def inputs_spec(self) -> list[Port]:
        return [(n, 1, False) for n in self.names]

    def outputs_spec(self) -> list[Port]:
        return [("y", 1, False)]

    def reset(self) -> None:
        self.q = self._next = 0

    def clock(self) -> None:
        self.q = self._next

    def _bits(self, inputs: Mapping[str, int]) -> tuple[int, int]:
        a, b = (check_part_int(self.part, n, port_input(self.part, inputs, n), 0, 1) for n in self.names)
        return a, b

    def verilog_body(self, inst: str, conns: Mapping[str, str]) -> str:
        a, b = self.names
        return (f"  {self.module} {inst} (.clk(clk), .rst(rst), .{a}({conns[a]}), .{b}({conns[b]}), "
                f".y({conns['y']}));\n")

    def verilog_top(self) -> str:
        return wrap_top(self, self.verilog_body("u_div", {n: n for n in (*self.names, "y")}))


class Cordiv(_TwoInput):
    """CORDIV (T.-H. Chen and J. P. Hayes, ISVLSI 2016): ``y = dividend if divisor else q``, ``q <= y``.

    Needs positively correlated inputs (SCC = +1) with ``p_dividend <= p_divisor``.
    """

    part = "Cordiv"
    top_module = "cordiv_top"
    module = "sc_cordiv"
    names = ("dividend", "divisor")
    correlation_requirement = "positive"

    def eval(self, **inputs: int) -> dict[str, int]:
        a, b = self._bits(inputs)
        y = a if b else self.q
        self._next = y
        return {"y": y}

    def verilog_modules(self) -> dict[str, str]:
        return {"sc_cordiv": (
            "// CORDIV: MUX selected by the divisor, D flip-flop holding the last output\n"
            "module sc_cordiv (input wire clk, input wire rst, input wire dividend, input wire divisor,\n"
            "  output wire y);\n"
            "  reg q;\n"
            "  assign y = divisor ? dividend : q;\n"
            "  always @(posedge clk) q <= rst ? 1'b0 : y;\n"
            "endmodule\n")}


class JKDivider(_TwoInput):
    """JK flip-flop divider: ``J = a``, ``K = b``, ``y = Q``; ``p_a / (p_a + p_b)`` for independent inputs.

    B. R. Gaines, "Stochastic computing systems", Advances in Information
    Systems Science 2, 1969; used for division by Chen & Hayes (ISVLSI 2016).
    """

    part = "JKDivider"
    top_module = "jk_divider_top"
    module = "sc_jk_div"

    def eval(self, **inputs: int) -> dict[str, int]:
        a, b = self._bits(inputs)
        self._next = (a & (1 - self.q)) | ((1 - b) & self.q)
        return {"y": self.q}

    def verilog_modules(self) -> dict[str, str]:
        return {"sc_jk_div": (
            "// JK flip-flop: J = a sets, K = b clears, both toggle\n"
            "module sc_jk_div (input wire clk, input wire rst, input wire a, input wire b, output wire y);\n"
            "  reg q;\n"
            "  assign y = q;\n"
            "  always @(posedge clk) q <= rst ? 1'b0 : ((a & ~q) | (~b & q));\n"
            "endmodule\n")}


class ApcBtanh(Block):
    """APC + Btanh: popcount ``c`` of the ``M``-bit bus ``x``; counter ``s += 2c - M`` clipped to [0, K-1].

    K. Kim et al., "Dynamic energy-accuracy trade-off using stochastic
    computing in deep neural networks", DAC 2016; A. Ren, Z. Li et al.,
    "SC-DCNN", ASPLOS 2017.

    Parameters
    ----------
    n_inputs : int
        M in [1, 4096].
    n_states : int
        Even K in [2, 65536]; reset state K/2; output ``s >= K/2``.
    """

    part = "ApcBtanh"
    top_module = "apc_btanh_top"

    def __init__(self, n_inputs: int, n_states: int) -> None:
        self.n_inputs = check_part_int(self.part, "n_inputs", n_inputs, 1, 4096)
        k = check_part_int(self.part, "n_states", n_states, 2, _MAX_STATES)
        if k % 2:
            raise ValueError(f"{self.part}: n_states must be an even integer in [2, {_MAX_STATES}]; got {k}")
        self.n_states = k
        self.width = (k - 1).bit_length()
        self.s = k // 2
        self._next = self.s

    def inputs_spec(self) -> list[Port]:
        return [("x", self.n_inputs, False)]

    def outputs_spec(self) -> list[Port]:
        return [("y", 1, False)]

    def reset(self) -> None:
        self.s = self._next = self.n_states // 2

    def eval(self, **inputs: int) -> dict[str, int]:
        x = check_part_int(self.part, "x", port_input(self.part, inputs, "x"), 0, mask(self.n_inputs))
        y = int(self.s >= self.n_states // 2)
        self._next = min(max(self.s + 2 * x.bit_count() - self.n_inputs, 0), self.n_states - 1)
        return {"y": y}

    def clock(self) -> None:
        self.s = self._next

    def verilog_modules(self) -> dict[str, str]:
        return {"sc_popcount": _popcount_module(), "sc_btanh": (
            "// APC + Btanh: s <= clip(s + 2*popcount(x) - M, 0, TOP), y = s >= HALF\n"
            "module sc_btanh #(parameter M = 4, parameter CW = 3, parameter W = 3,\n"
            "  parameter TOP = 7, parameter HALF = 4) (\n"
            "  input wire clk, input wire rst, input wire [M-1:0] x, output wire y);\n"
            "  wire [CW-1:0] c;\n"
            "  reg [W-1:0] s;\n"
            "  wire signed [31:0] t = $signed({1'b0, s}) + $signed({1'b0, c, 1'b0}) - M;\n"
            "  sc_popcount #(.N(M), .W(CW)) pc (.x(x), .count(c));\n"
            "  assign y = s >= HALF;\n"
            "  always @(posedge clk) begin\n"
            "    if (rst) s <= HALF;\n"
            "    else if (t < 0) s <= {W{1'b0}};\n"
            "    else if (t > TOP) s <= TOP;\n"
            "    else s <= t[W-1:0];\n"
            "  end\n"
            "endmodule\n")}

    def verilog_body(self, inst: str, conns: Mapping[str, str]) -> str:
        return (f"  sc_btanh #(.M({self.n_inputs}), .CW({self.n_inputs.bit_length()}), .W({self.width}), "
                f".TOP({self.n_states - 1}), .HALF({self.n_states // 2})) {inst} "
                f"(.clk(clk), .rst(rst), .x({conns['x']}), .y({conns['y']}));\n")

    def verilog_top(self) -> str:
        return wrap_top(self, self.verilog_body("u_btanh", {"x": "x", "y": "y"}))


class BernsteinUnit(Block):
    """ReSC (Qian & Riedel 2011), combinational: ``y = z[popcount(x)]``.

    Parameters
    ----------
    degree : int
        N in [1, 64]: bus ``x`` holds N independent copies of the input, bus
        ``z`` the N + 1 coefficient streams (bit k = coefficient k).
    sources : sequence of Block
        Optional: the blocks driving ``x`` and ``z`` (structure only).
    """

    part = "BernsteinUnit"
    top_module = "bernstein_top"
    correlation_requirement = "independent"

    def __init__(self, degree: int, sources: Sequence[Block] = ()) -> None:
        self.degree = check_part_int(self.part, "degree", degree, 1, 64)
        self.sources: tuple[Block, ...] = _check_sources(self.part, sources)

    def input_sources(self) -> list[Block]:
        """Blocks driving ``x`` and ``z`` (structure only)."""
        return list(self.sources)

    def leaves(self) -> list[Block]:
        return []

    def inputs_spec(self) -> list[Port]:
        return [("x", self.degree, False), ("z", self.degree + 1, False)]

    def outputs_spec(self) -> list[Port]:
        return [("y", 1, False)]

    def reset(self) -> None:
        """No registers."""

    def clock(self) -> None:
        """No registers."""

    def eval(self, **inputs: int) -> dict[str, int]:
        x = check_part_int(self.part, "x", port_input(self.part, inputs, "x"), 0, mask(self.degree))
        z = check_part_int(self.part, "z", port_input(self.part, inputs, "z"), 0, mask(self.degree + 1))
        return {"y": (z >> x.bit_count()) & 1}

    def verilog_modules(self) -> dict[str, str]:
        return {"sc_popcount": _popcount_module(), "sc_bernstein": (
            "// ReSC: the number of ones among the N input copies selects a coefficient stream\n"
            "module sc_bernstein #(parameter N = 4, parameter CW = 3) (\n"
            "  input wire [N-1:0] x, input wire [N:0] z, output wire y);\n"
            "  wire [CW-1:0] k;\n"
            "  sc_popcount #(.N(N), .W(CW)) pc (.x(x), .count(k));\n"
            "  assign y = z[k];\n"
            "endmodule\n")}

    def verilog_body(self, inst: str, conns: Mapping[str, str]) -> str:
        return (f"  sc_bernstein #(.N({self.degree}), .CW({self.degree.bit_length()})) {inst} "
                f"(.x({conns['x']}), .z({conns['z']}), .y({conns['y']}));\n")

    def verilog_top(self) -> str:
        return wrap_top(self, self.verilog_body("u_resc", {"x": "x", "z": "z", "y": "y"}))
