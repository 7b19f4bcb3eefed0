"""Fixed-point LIF neuron datapath (private).

Registers: membrane ``v`` (signed, ``width`` bits) and refractory counter
``ref`` (``bit_length(refractory)`` bits).  Combinational path of one cycle,
all in raw two's-complement integers of the Q format::

    d     = v - v_rest                    (width + 1 bits)
    leak  = d >>> leak_shift              (arithmetic shift: rounds toward -inf)
    s     = sat(v - leak + i)             (saturated to [-2^(w-1), 2^(w-1) - 1])
    spike = (ref == 0) and (s >= v_threshold)
    edge:  v <= v_reset, ref <= ref - 1          if ref > 0   (input discarded)
           v <= v_reset, ref <= refractory       if spike
           v <= s                                 otherwise

The spike is decided from ``ref`` of this cycle, before the counter it starts
is loaded on the edge, so a spike is never suppressed by its own refractory
period.  Reset loads ``v = v_rest``, ``ref = 0``.  Bit-exact with
``sc_neurocore.FixedPointLIF`` (whose ``v`` after cycle ``t`` is this
block's ``v`` output in cycle ``t + 1``).
"""

from __future__ import annotations

from collections.abc import Mapping

from hw_models._common import (
    Block,
    Port,
    check_part_int,
    port_input,
    signed_range,
    vhex,
    vsigned,
    wrap_top,
)

__all__ = ["FixedPointLIFNeuron"]


class FixedPointLIFNeuron(Block):
    """Fixed-point LIF neuron, parameters as raw integers of a signed ``width``-bit Q format.

    Parameters
    ----------
    width : int
        Register width (sign included) in [2, 32].
    v_threshold, v_reset, v_rest : int
        Raw values in the signed ``width``-bit range.
    leak_shift : int
        k in [0, width - 1]: leak ``(v - v_rest) >>> k`` per cycle (tau = 2^k cycles).
    refractory : int
        Refractory cycles in [0, 65535].
    frac : int
        Fraction bits of the Q(width, frac) format, in [0, width - 1]: a raw
        value r means ``r / 2^frac`` (:meth:`to_real`).  The datapath is the
        same for every ``frac``; it only fixes the interpretation.

    Ports: input ``i`` (signed, width bits, raw current of the cycle); outputs
    ``spike`` and ``v`` (the membrane register during the cycle).
    """

    part = "FixedPointLIFNeuron"
    top_module = "lif_fixed_top"

    def __init__(self, width: int = 16, v_threshold: int = 256, v_reset: int = 0, v_rest: int = 0,
                 leak_shift: int = 4, refractory: int = 0, *, frac: int = 0) -> None:
        self.width: int = check_part_int(self.part, "width", width, 2, 32)
        self.frac: int = check_part_int(self.part, "frac", frac, 0, self.width - 1)
        lo, hi = signed_range(self.width)
        self.v_min, self.v_max = lo, hi
        self.v_threshold: int = check_part_int(self.part, "v_threshold", v_threshold, lo, hi)
        self.v_reset: int = check_part_int(self.part, "v_reset", v_reset, lo, hi)
        self.v_rest: int = check_part_int(self.part, "v_rest", v_rest, lo, hi)
        self.leak_shift: int = check_part_int(self.part, "leak_shift", leak_shift, 0, self.width - 1)
        self.refractory: int = check_part_int(self.part, "refractory", refractory, 0, 65535)
        self.ref_width: int = max(1, self.refractory.bit_length())
        self.v = self.v_rest
        self.ref = 0
        self._next = (self.v, self.ref)

    def to_real(self, raw: int) -> float:
        """Real value of a raw register value in Q(width, frac)."""
        lo, hi = signed_range(self.width)
        raw = check_part_int(self.part, "raw", raw, lo, hi)
        return raw / (1 << self.frac)

    def inputs_spec(self) -> list[Port]:
        return [("i", self.width, True)]

    def outputs_spec(self) -> list[Port]:
        return [("spike", 1, False), ("v", self.width, True)]

    def reset(self) -> None:
        self.v, self.ref = self.v_rest, 0
        self._next = (self.v, self.ref)

    def eval(self, **inputs: int) -> dict[str, int]:
        i = check_part_int(self.part, "i", port_input(self.part, inputs, "i"), self.v_min, self.v_max)
        spike = 0
        if self.ref > 0:
            self._next = (self.v_reset, self.ref - 1)
        else:
            leak = (self.v - self.v_rest) >> self.leak_shift  # Python >> on ints is arithmetic
            s = min(max(self.v - leak + i, self.v_min), self.v_max)
            if s >= self.v_threshold:
                spike = 1
                self._next = (self.v_reset, self.refractory)
            else:
                self._next = (s, 0)
        return {"spike": spike, "v": self.v}

    def clock(self) -> None:
        self.v, self.ref = self._next

    def verilog_modules(self) -> dict[str, str]:
        return {"sc_lif_fixed": (
            "// fixed-point LIF: s = sat(v - ((v - VREST) >>> K) + i); spike = !refractory && s >= VTH\n"
            "module sc_lif_fixed #(parameter W = 16, parameter K = 4, parameter RW = 1,\n"
            "  parameter signed [W-1:0] VTH = 0, parameter signed [W-1:0] VRESET = 0,\n"
            "  parameter signed [W-1:0] VREST = 0, parameter [RW-1:0] REF = 0) (\n"
            "  input wire clk, input wire rst, input wire signed [W-1:0] i,\n"
            "  output wire spike, output reg signed [W-1:0] v);\n"
            "  localparam signed [W+1:0] VMAX = {3'b000, {(W-1){1'b1}}};\n"
            "  localparam signed [W+1:0] VMIN = {3'b111, {(W-1){1'b0}}};\n"
            "  reg [RW-1:0] ref_cnt;\n"
            "  wire signed [W+1:0] d = v - VREST;\n"
            "  wire signed [W+1:0] leak = d >>> K;\n"
            "  wire signed [W+1:0] s = v - leak + i;\n"
            "  wire signed [W-1:0] sat = (s > VMAX) ? VMAX[W-1:0] : (s < VMIN) ? VMIN[W-1:0] : s[W-1:0];\n"
            "  wire active = (ref_cnt == {RW{1'b0}});\n"
            "  assign spike = active && (sat >= VTH);\n"
            "  always @(posedge clk) begin\n"
            "    if (rst) begin v <= VREST; ref_cnt <= {RW{1'b0}}; end\n"
            "    else if (!active) begin v <= VRESET; ref_cnt <= ref_cnt - 1'b1; end\n"
            "    else if (spike) begin v <= VRESET; ref_cnt <= REF; end\n"
            "    else v <= sat;\n"
            "  end\n"
            "endmodule\n")}

    def verilog_body(self, inst: str, conns: Mapping[str, str]) -> str:
        w = self.width
        return (f"  sc_lif_fixed #(.W({w}), .K({self.leak_shift}), .RW({self.ref_width}), "
                f".VTH({vsigned(self.v_threshold, w)}), .VRESET({vsigned(self.v_reset, w)}), "
                f".VREST({vsigned(self.v_rest, w)}), .REF({vhex(self.refractory, self.ref_width)}))\n"
                f"    {inst} (.clk(clk), .rst(rst), .i({conns['i']}), .spike({conns['spike']}), "
                f".v({conns['v']}));\n")

    def verilog_top(self) -> str:
        return wrap_top(self, self.verilog_body("u_lif", {"i": "i", "spike": "spike", "v": "v"}))
