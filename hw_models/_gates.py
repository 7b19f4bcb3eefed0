"""Gates and storage: AND, OR, XNOR, NOT, 2:1 MUX, D flip-flop / delay line (private).

Gates are combinational (no registers): ``eval`` computes ``y`` from the
inputs of the current cycle.  They work bitwise on ``width``-bit buses
(``width=1`` for a single stream).  ``sources`` optionally records the blocks
driving the inputs (in port order); it describes structure only (used by the
correlation checker through :meth:`input_sources`), the composed block still
wires the values.

The D flip-flop samples ``d`` on the rising edge ending cycle ``t`` and shows
it on ``q`` during cycle ``t + 1``; ``q`` of cycle 0 is the reset value
``init``.  With ``stages = k`` it is a k-stage shift register (``q_t =
d_{t-k}``).  As an *isolator* a DFF delays one stream by a cycle so that two
copies of it are not bit-aligned; note that a delayed LFSR comparator stream
stays correlated with the original (see ``hw_models.check_correlation``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from hw_models._common import Block, Port, check_part_int, mask, port_input, vhex, wrap_top

__all__ = ["AndGate", "DFF", "Mux2", "NotGate", "OrGate", "XnorGate"]


def _check_sources(part: str, sources: Any, ports: tuple[str, ...] | None = None) -> tuple[Block, ...]:
    """``sources`` as a tuple of Blocks, or raise naming the part.

    With ``ports``, a non-empty ``sources`` must name one block per input port.
    """
    if isinstance(sources, (str, bytes)) or not isinstance(sources, Iterable):
        raise TypeError(f"{part}: sources must be a sequence of Blocks; got {type(sources).__name__}")
    out = tuple(sources)
    for s in out:
        if not isinstance(s, Block):
            raise TypeError(
                f"{part}: sources must be a sequence of Blocks; got an entry of type {type(s).__name__}"
            )
    if ports is not None and out and len(out) != len(ports):
        raise ValueError(f"{part}: sources must name one block per input {ports}; got {len(out)}")
    return out


class _Gate(Block):
    op: str = ""
    n_inputs = 2
    input_names: tuple[str, ...] = ("a", "b")

    def __init__(self, width: int = 1, sources: Sequence[Block] = ()) -> None:
        self.width: int = check_part_int(self.part, "width", width, 1, 64)
        self.sources: tuple[Block, ...] = _check_sources(self.part, sources, self.input_names)

    def input_sources(self) -> list[Block]:
        """Blocks driving the inputs, in port order (structure only)."""
        return list(self.sources)

    def leaves(self) -> list[Block]:
        return []

    def inputs_spec(self) -> list[Port]:
        return [(n, 1 if n == "sel" else self.width, False) for n in self.input_names]

    def outputs_spec(self) -> list[Port]:
        return [("y", self.width, False)]

    def _inputs(self, inputs: Mapping[str, int]) -> list[int]:
        out = []
        for n in self.input_names:
            hi = 1 if n == "sel" else mask(self.width)
            out.append(check_part_int(self.part, n, port_input(self.part, inputs, n), 0, hi))
        return out

    def func(self, *args: int) -> int:
        """The Boolean function on unchecked input values."""
        raise NotImplementedError

    def eval(self, **inputs: int) -> dict[str, int]:
        return {"y": self.func(*self._inputs(inputs))}

    def reset(self) -> None:
        """No registers."""

    def clock(self) -> None:
        """No registers."""

    def _vmodule(self) -> str:
        raise NotImplementedError

    def verilog_modules(self) -> dict[str, str]:
        return {f"sc_{self.op.lower()}": self._vmodule()}

    def verilog_body(self, inst: str, conns: Mapping[str, str]) -> str:
        pins = ", ".join(f".{n}({conns[n]})" for n in (*self.input_names, "y"))
        return f"  sc_{self.op.lower()} #(.W({self.width})) {inst} ({pins});\n"

    def verilog_top(self) -> str:
        names = [p[0] for p in self.inputs_spec() + self.outputs_spec()]
        return wrap_top(self, self.verilog_body("u_gate", {n: n for n in names}))


def _comb(name: str, ports: str, expr: str) -> str:
    return (f"module {name} #(parameter W = 1) ({ports});\n"
            f"  assign y = {expr};\nendmodule\n")


_AB = "input wire [W-1:0] a, input wire [W-1:0] b, output wire [W-1:0] y"


class AndGate(_Gate):
    """``y = a & b`` (unipolar SC multiplication of independent streams)."""

    part = "AndGate"
    top_module = "and_top"
    op = "AND"

    def func(self, a: int, b: int) -> int:  # type: ignore[override]
        return a & b

    def _vmodule(self) -> str:
        return _comb("sc_and", _AB, "a & b")


class OrGate(_Gate):
    """``y = a | b`` (saturating SC addition: ``p + q - p q``)."""

    part = "OrGate"
    top_module = "or_top"
    op = "OR"

    def func(self, a: int, b: int) -> int:  # type: ignore[override]
        return a | b

    def _vmodule(self) -> str:
        return _comb("sc_or", _AB, "a | b")


class XnorGate(_Gate):
    """``y = ~(a ^ b)`` (bipolar SC multiplication)."""

    part = "XnorGate"
    top_module = "xnor_top"
    op = "XNOR"

    def func(self, a: int, b: int) -> int:  # type: ignore[override]
        return ~(a ^ b) & mask(self.width)

    def _vmodule(self) -> str:
        return _comb("sc_xnor", _AB, "~(a ^ b)")


class NotGate(_Gate):
    """``y = ~a`` (``1 - p``)."""

    part = "NotGate"
    top_module = "not_top"
    op = "NOT"
    input_names = ("a",)

    def func(self, a: int) -> int:  # type: ignore[override]
        return ~a & mask(self.width)

    def _vmodule(self) -> str:
        return _comb("sc_not", "input wire [W-1:0] a, output wire [W-1:0] y", "~a")


class Mux2(_Gate):
    """``y = b if sel else a`` (with a p = 1/2 select stream: scaled addition ``(p + q) / 2``)."""

    part = "Mux2"
    top_module = "mux2_top"
    op = "MUX2"
    input_names = ("a", "b", "sel")

    def func(self, a: int, b: int, sel: int) -> int:  # type: ignore[override]
        return b if sel else a

    def _vmodule(self) -> str:
        return _comb("sc_mux2", _AB.replace("output", "input wire sel, output"), "sel ? b : a")


class DFF(Block):
    """D flip-flop (``stages`` = 1) or a chain of them: ``q_t = d_{t - stages}``.

    Parameters
    ----------
    width : int
        Bits per stage, in [1, 64].
    stages : int
        Number of flip-flop stages (delay in cycles), in [1, 64].
    init : int
        Reset value of every stage, in [0, 2^width - 1].
    sources : sequence of Block
        Optional: the block driving ``d`` (structure only).

    Ports: input ``d``, output ``q``.  Register: ``chain`` (stage ``j`` in
    bits ``j*width .. (j+1)*width - 1``; stage ``stages - 1`` drives ``q``).
    """

    part = "DFF"
    top_module = "dff_top"

    def __init__(self, width: int = 1, stages: int = 1, init: int = 0, sources: Sequence[Block] = ()) -> None:
        self.width: int = check_part_int(self.part, "width", width, 1, 64)
        self.stages: int = check_part_int(self.part, "stages", stages, 1, 64)
        self.init: int = check_part_int(self.part, "init", init, 0, mask(self.width))
        self.sources: tuple[Block, ...] = _check_sources(self.part, sources)
        if len(self.sources) > 1:
            raise ValueError(f"{self.part}: sources must hold at most one block (the d driver); "
                             f"got {len(self.sources)}")
        self._init_chain = sum(self.init << (j * self.width) for j in range(self.stages))
        self.chain: int = self._init_chain
        self._next: int = self.chain

    def input_sources(self) -> list[Block]:
        """Block driving ``d`` (structure only)."""
        return list(self.sources)

    def inputs_spec(self) -> list[Port]:
        return [("d", self.width, False)]

    def outputs_spec(self) -> list[Port]:
        return [("q", self.width, False)]

    @property
    def q(self) -> int:
        """Output of the last stage."""
        return (self.chain >> ((self.stages - 1) * self.width)) & mask(self.width)

    def reset(self) -> None:
        self.chain = self._init_chain
        self._next = self.chain

    def eval(self, **inputs: int) -> dict[str, int]:
        d = check_part_int(self.part, "d", port_input(self.part, inputs, "d"), 0, mask(self.width))
        self._next = ((self.chain << self.width) | d) & mask(self.width * self.stages)
        return {"q": self.q}

    def clock(self) -> None:
        self.chain = self._next

    def verilog_modules(self) -> dict[str, str]:
        return {"sc_dff": (
            "// STAGES-deep chain of W-bit D flip-flops, synchronous reset to INIT\n"
            "module sc_dff #(parameter W = 1, parameter STAGES = 1, parameter [W-1:0] INIT = 0) (\n"
            "  input wire clk, input wire rst, input wire [W-1:0] d, output wire [W-1:0] q);\n"
            "  reg [W*STAGES-1:0] chain;\n"
            "  assign q = chain[W*STAGES-1 -: W];\n"
            "  generate if (STAGES == 1) begin : g_one\n"
            "    always @(posedge clk) chain <= rst ? INIT : d;\n"
            "  end else begin : g_chain\n"
            "    always @(posedge clk) chain <= rst ? {STAGES{INIT}} : {chain[W*STAGES-W-1:0], d};\n"
            "  end endgenerate\n"
            "endmodule\n")}

    def verilog_body(self, inst: str, conns: Mapping[str, str]) -> str:
        w = self.width
        return (f"  sc_dff #(.W({w}), .STAGES({self.stages}), .INIT({vhex(self.init, w)}))\n"
                f"    {inst} (.clk(clk), .rst(rst), .d({conns['d']}), .q({conns['q']}));\n")

    def verilog_top(self) -> str:
        return wrap_top(self, self.verilog_body("u_dff", {"d": "d", "q": "q"}))
