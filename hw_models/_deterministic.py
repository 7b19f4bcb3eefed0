"""Deterministic encoders: thermometer (unary) generator and the Jenson & Riedel pair (private).

Gate-level twins of ``sc_neurocore.bitstream.thermometer`` and
``sc_neurocore.bitstream.deterministic_pair`` (D. Jenson and M. Riedel, "A
deterministic approach to stochastic computation", ICCAD 2016).  Counters
reset to 0; the comparators are combinational, so the stream bit of cycle
``t`` uses the counter value during cycle ``t`` (as :class:`hw_models.SNG`).
"""

from __future__ import annotations

from collections.abc import Mapping

from hw_models._common import Block, Port, check_part_int, mask, port_input, vhex, wrap_top

__all__ = ["DeterministicPair", "ThermometerEncoder"]

_METHODS = ("clock_division", "rotation", "relatively_prime")


class ThermometerEncoder(Block):
    """Counter modulo ``period`` and comparator: ``stream = c < k`` (thermometer / unary code).

    Parameters
    ----------
    period : int
        Counter period P in [2, 2^24]; the counter has ``bit_length(P - 1)`` bits.

    Ports: input ``k`` (``bit_length(P)`` bits, in [0, P]), output ``stream``.
    Over each period the stream has exactly ``k`` ones, first.
    """

    part = "ThermometerEncoder"
    top_module = "thermometer_top"

    def __init__(self, period: int) -> None:
        self.period: int = check_part_int(self.part, "period", period, 2, 1 << 24)
        self.cw: int = (self.period - 1).bit_length()
        self.kw: int = self.period.bit_length()
        self.c = 0
        self._next = 0

    def inputs_spec(self) -> list[Port]:
        return [("k", self.kw, False)]

    def outputs_spec(self) -> list[Port]:
        return [("stream", 1, False)]

    def reset(self) -> None:
        self.c = self._next = 0

    def eval(self, **inputs: int) -> dict[str, int]:
        k = check_part_int(self.part, "k", port_input(self.part, inputs, "k"), 0, mask(self.kw))
        self._next = 0 if self.c == self.period - 1 else self.c + 1
        return {"stream": int(self.c < k)}

    def clock(self) -> None:
        self.c = self._next

    def verilog_modules(self) -> dict[str, str]:
        return {"sc_thermometer": (
            "// thermometer code: counter modulo LAST + 1, stream = c < k\n"
            "module sc_thermometer #(parameter CW = 4, parameter KW = 5, parameter [CW-1:0] LAST = 15) (\n"
            "  input wire clk, input wire rst, input wire [KW-1:0] k, output wire stream);\n"
            "  reg [CW-1:0] c;\n"
            "  assign stream = (c < k);\n"
            "  always @(posedge clk) begin\n"
            "    if (rst || c == LAST) c <= {CW{1'b0}};\n"
            "    else c <= c + 1'b1;\n"
            "  end\n"
            "endmodule\n")}

    def verilog_body(self, inst: str, conns: Mapping[str, str]) -> str:
        return (f"  sc_thermometer #(.CW({self.cw}), .KW({self.kw}), "
                f".LAST({vhex(self.period - 1, self.cw)})) {inst} "
                f"(.clk(clk), .rst(rst), .k({conns['k']}), .stream({conns['stream']}));\n")

    def verilog_top(self) -> str:
        return wrap_top(self, self.verilog_body("u_therm", {"k": "k", "stream": "stream"}))


class DeterministicPair(Block):
    r"""Two counters and comparators giving the exact deterministic pair (Jenson & Riedel, ICCAD 2016).

    ``ca`` counts modulo ``N = 2^n``; ``cb`` advances when ``ca`` wraps (clock
    division), by 1, or 2 when ``ca`` wraps (rotation: ``cb = (ca + t div N)
    mod N``), or counts modulo ``N - 1`` (relatively prime lengths).

    Parameters
    ----------
    n_bits : int
        Resolution n in [1, 12].
    method : {"clock_division", "rotation", "relatively_prime"}

    Ports: inputs ``a``, ``b`` (n + 1 bits, values in [0, N]); outputs ``sa =
    ca < a``, ``sb = cb < b``, ``sel = (ca + cb) mod 2``, ``prod = sa & sb``
    (exact unipolar product over a period), ``bprod = ~(sa ^ sb)`` (bipolar
    product), ``add = sel ? sb : sa`` (scaled sum).
    """

    part = "DeterministicPair"
    top_module = "det_pair_top"

    def __init__(self, n_bits: int, method: str = "clock_division") -> None:
        self.n_bits: int = check_part_int(self.part, "n_bits", n_bits, 1, 12)
        if method not in _METHODS:
            raise ValueError(f"{self.part}: method must be one of {', '.join(map(repr, _METHODS))}; "
                             f"got {method!r}")
        self.method: str = method
        self.big = 1 << self.n_bits
        self.ca = self.cb = 0
        self._next = (0, 0)

    @property
    def period(self) -> int:
        """Cycles of one full period (``N^2`` or ``N (N - 1)``)."""
        return self.big * (self.big - 1 if self.method == "relatively_prime" else self.big)

    def inputs_spec(self) -> list[Port]:
        return [("a", self.n_bits + 1, False), ("b", self.n_bits + 1, False)]

    def outputs_spec(self) -> list[Port]:
        return [(n, 1, False) for n in ("sa", "sb", "sel", "prod", "bprod", "add")]

    def reset(self) -> None:
        self.ca = self.cb = 0
        self._next = (0, 0)

    def eval(self, **inputs: int) -> dict[str, int]:
        hi = mask(self.n_bits + 1)
        a = check_part_int(self.part, "a", port_input(self.part, inputs, "a"), 0, hi)
        b = check_part_int(self.part, "b", port_input(self.part, inputs, "b"), 0, hi)
        big, ca, cb = self.big, self.ca, self.cb
        wrap = ca == big - 1
        if self.method == "clock_division":
            nb = (cb + 1) % big if wrap else cb
        elif self.method == "rotation":
            nb = (cb + (2 if wrap else 1)) % big
        else:
            nb = 0 if cb >= big - 2 else cb + 1
        self._next = ((ca + 1) % big, nb)
        sa, sb, sel = int(ca < a), int(cb < b), (ca + cb) & 1
        return {"sa": sa, "sb": sb, "sel": sel, "prod": sa & sb, "bprod": 1 - (sa ^ sb),
                "add": sb if sel else sa}

    def clock(self) -> None:
        self.ca, self.cb = self._next

    def verilog_modules(self) -> dict[str, str]:
        return {"sc_det_pair": (
            "// deterministic pair (Jenson & Riedel 2016); METHOD 0 clock division, 1 rotation,\n"
            "// 2 relatively prime lengths (cb modulo 2^N - 1, last value CB_LAST)\n"
            "module sc_det_pair #(parameter N = 4, parameter METHOD = 0, parameter [N-1:0] CB_LAST = 14) (\n"
            "  input wire clk, input wire rst, input wire [N:0] a, input wire [N:0] b,\n"
            "  output wire sa, output wire sb, output wire sel, output wire prod, output wire bprod,\n"
            "  output wire add);\n"
            "  reg [N-1:0] ca, cb;\n"
            "  wire wrap = (ca == {N{1'b1}});\n"
            "  assign sa = ({1'b0, ca} < a);\n"
            "  assign sb = ({1'b0, cb} < b);\n"
            "  assign sel = ca[0] ^ cb[0];\n"
            "  assign prod = sa & sb;\n"
            "  assign bprod = ~(sa ^ sb);\n"
            "  assign add = sel ? sb : sa;\n"
            "  always @(posedge clk) begin\n"
            "    if (rst) begin\n"
            "      ca <= {N{1'b0}};\n"
            "      cb <= {N{1'b0}};\n"
            "    end else begin\n"
            "      ca <= ca + 1'b1;\n"
            "      if (METHOD == 0) begin\n"
            "        if (wrap) cb <= cb + 1'b1;\n"
            "      end else if (METHOD == 1) begin\n"
            "        cb <= cb + (wrap ? 2'd2 : 2'd1);\n"
            "      end else begin\n"
            "        cb <= (cb == CB_LAST) ? {N{1'b0}} : cb + 1'b1;\n"
            "      end\n"
            "    end\n"
            "  end\n"
            "endmodule\n")}

    def verilog_body(self, inst: str, conns: Mapping[str, str]) -> str:
        n = self.n_bits
        pins = ", ".join(f".{p}({conns[p]})" for p in ("a", "b", "sa", "sb", "sel", "prod", "bprod", "add"))
        return (f"  sc_det_pair #(.N({n}), .METHOD({_METHODS.index(self.method)}), "
                f".CB_LAST({vhex(max(self.big - 2, 0), n)})) {inst} (.clk(clk), .rst(rst), {pins});\n")

    def verilog_top(self) -> str:
        names = [p[0] for p in self.inputs_spec() + self.outputs_spec()]
        return wrap_top(self, self.verilog_body("u_det", {n: n for n in names}))
