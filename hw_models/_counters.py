"""Counters: up, up/down (bipolar decode), parallel and accumulative parallel counters (private).

Widths are chosen so that the configured stream length cannot overflow them:
counting the ones of a stream of length ``L`` needs ``bit_length(L)`` bits
(``n + 1`` bits for ``L = 2^n``).  Counting past the configured limit is a
modelling error: the model raises :class:`OverflowError` (naming the part)
instead of wrapping; the emitted Verilog holds at the limit, so the RTL never
wraps either.  :class:`UpCounter` with ``saturate=True`` makes holding at the
limit the intended behaviour (a saturating counter).
"""

from __future__ import annotations

from collections.abc import Mapping

from hw_models._common import (
    Block,
    Port,
    check_part_bool,
    check_part_int,
    mask,
    port_input,
    vhex,
    vsigned,
    wrap_top,
)

__all__ = ["AccumulativeParallelCounter", "ParallelCounter", "UpCounter", "UpDownCounter", "bipolar_decode"]

_MAX_LENGTH = 1 << 40


class UpCounter(Block):
    """Counts the cycles with ``inc = 1``, up to ``length``.

    Parameters
    ----------
    length : int
        Largest count (the stream length), in [1, 2^40]; width ``bit_length(length)``.
    saturate : bool
        Hold at ``length`` (a saturating counter) instead of raising.

    Ports: input ``inc`` (1 bit), output ``q`` (the count before this cycle).
    """

    part = "UpCounter"
    top_module = "up_counter_top"

    def __init__(self, length: int, saturate: bool = False) -> None:
        self.length: int = check_part_int(self.part, "length", length, 1, _MAX_LENGTH)
        self.width: int = self.length.bit_length()
        self.saturate = check_part_bool(self.part, "saturate", saturate)
        self.q = 0
        self._next = 0

    def inputs_spec(self) -> list[Port]:
        return [("inc", 1, False)]

    def outputs_spec(self) -> list[Port]:
        return [("q", self.width, False)]

    def reset(self) -> None:
        self.q = self._next = 0

    def eval(self, **inputs: int) -> dict[str, int]:
        inc = check_part_int(self.part, "inc", port_input(self.part, inputs, "inc"), 0, 1)
        nxt = self.q + inc
        if nxt > self.length:
            if not self.saturate:
                raise OverflowError(
                    f"{self.part}: count would exceed length={self.length} "
                    f"(width {self.width} bits); got {nxt}")
            nxt = self.length
        self._next = nxt
        return {"q": self.q}

    def clock(self) -> None:
        self.q = self._next

    def verilog_modules(self) -> dict[str, str]:
        return {"sc_up_counter": (
            "// up counter holding at LIMIT\n"
            "module sc_up_counter #(parameter W = 8, parameter [W-1:0] LIMIT = 255) (\n"
            "  input wire clk, input wire rst, input wire inc, output reg [W-1:0] q);\n"
            "  always @(posedge clk) begin\n"
            "    if (rst) q <= {W{1'b0}};\n"
            "    else if (inc && q != LIMIT) q <= q + 1'b1;\n"
            "  end\n"
            "endmodule\n")}

    def verilog_body(self, inst: str, conns: Mapping[str, str]) -> str:
        w = self.width
        return (f"  sc_up_counter #(.W({w}), .LIMIT({vhex(self.length, w)})) {inst} "
                f"(.clk(clk), .rst(rst), .inc({conns['inc']}), .q({conns['q']}));\n")

    def verilog_top(self) -> str:
        return wrap_top(self, self.verilog_body("u_cnt", {"inc": "inc", "q": "q"}))


def bipolar_decode(q: int, length: int) -> float:
    r"""Bipolar value of an up/down count: :math:`x = q / L = 2 n_1 / L - 1`.

    ``length`` is the stream length L in [1, 2^40]; ``q`` an int in [-L, L].
    """
    length = check_part_int("bipolar_decode", "length", length, 1, _MAX_LENGTH)
    q = check_part_int("bipolar_decode", "q", q, -length, length)
    return q / length


class UpDownCounter(Block):
    r"""Adds +1 for a 1 and -1 for a 0: after ``L`` cycles ``q = 2 n_1 - L`` (bipolar decode ``q / L``).

    Parameters
    ----------
    length : int
        Stream length L in [1, 2^40]; ``q`` is a signed register of
        ``bit_length(L) + 1`` bits holding [-L, L].

    Ports: input ``stream``, output ``q`` (signed, the value before this cycle).
    """

    part = "UpDownCounter"
    top_module = "updown_counter_top"

    def __init__(self, length: int) -> None:
        self.length: int = check_part_int(self.part, "length", length, 1, _MAX_LENGTH)
        self.width: int = self.length.bit_length() + 1
        self.q = 0
        self._next = 0

    def inputs_spec(self) -> list[Port]:
        return [("stream", 1, False)]

    def outputs_spec(self) -> list[Port]:
        return [("q", self.width, True)]

    def reset(self) -> None:
        self.q = self._next = 0

    def eval(self, **inputs: int) -> dict[str, int]:
        b = check_part_int(self.part, "stream", port_input(self.part, inputs, "stream"), 0, 1)
        nxt = self.q + (1 if b else -1)
        if abs(nxt) > self.length:
            raise OverflowError(
                f"{self.part}: count would leave [-{self.length}, {self.length}] "
                f"(width {self.width} bits); got {nxt}")
        self._next = nxt
        return {"q": self.q}

    def clock(self) -> None:
        self.q = self._next

    def verilog_modules(self) -> dict[str, str]:
        return {"sc_updown_counter": (
            "// up/down counter: +1 on bit = 1, -1 on bit = 0, held inside [-LIMIT, LIMIT]\n"
            "module sc_updown_counter #(parameter W = 8, parameter signed [W-1:0] LIMIT = 100) (\n"
            "  input wire clk, input wire rst, input wire bit_in, output reg signed [W-1:0] q);\n"
            "  always @(posedge clk) begin\n"
            "    if (rst) q <= {W{1'b0}};\n"
            "    else if (bit_in && q != LIMIT) q <= q + 1'b1;\n"
            "    else if (!bit_in && q != -LIMIT) q <= q - 1'b1;\n"
            "  end\n"
            "endmodule\n")}

    def verilog_body(self, inst: str, conns: Mapping[str, str]) -> str:
        w = self.width
        return (f"  sc_updown_counter #(.W({w}), .LIMIT({vsigned(self.length, w)})) {inst} "
                f"(.clk(clk), .rst(rst), .bit_in({conns['stream']}), .q({conns['q']}));\n")

    def verilog_top(self) -> str:
        return wrap_top(self, self.verilog_body("u_cnt", {"stream": "stream", "q": "q"}))


def _popcount_module() -> str:
    return (
        "// combinational population count of an N-bit bus\n"
        "module sc_popcount #(parameter N = 4, parameter W = 3) (\n"
        "  input wire [N-1:0] x, output reg [W-1:0] count);\n"
        "  integer i;\n"
        "  always @* begin\n"
        "    count = {W{1'b0}};\n"
        "    for (i = 0; i < N; i = i + 1) count = count + x[i];\n"
        "  end\n"
        "endmodule\n")


class ParallelCounter(Block):
    """Combinational parallel counter: ``count`` = number of ones on the ``n_inputs``-bit bus ``x``.

    Width ``bit_length(n_inputs)``.  Bit ``i`` of ``x`` is input ``i``.
    """

    part = "ParallelCounter"
    top_module = "parallel_counter_top"

    def __init__(self, n_inputs: int) -> None:
        self.n_inputs: int = check_part_int(self.part, "n_inputs", n_inputs, 1, 4096)
        self.width: int = self.n_inputs.bit_length()

    def leaves(self) -> list[Block]:
        return []

    def inputs_spec(self) -> list[Port]:
        return [("x", self.n_inputs, False)]

    def outputs_spec(self) -> list[Port]:
        return [("count", self.width, False)]

    def reset(self) -> None:
        """No registers."""

    def clock(self) -> None:
        """No registers."""

    def eval(self, **inputs: int) -> dict[str, int]:
        x = check_part_int(self.part, "x", port_input(self.part, inputs, "x"), 0, mask(self.n_inputs))
        return {"count": x.bit_count()}

    def verilog_modules(self) -> dict[str, str]:
        return {"sc_popcount": _popcount_module()}

    def verilog_body(self, inst: str, conns: Mapping[str, str]) -> str:
        return (f"  sc_popcount #(.N({self.n_inputs}), .W({self.width})) {inst} "
                f"(.x({conns['x']}), .count({conns['count']}));\n")

    def verilog_top(self) -> str:
        return wrap_top(self, self.verilog_body("u_pc", {"x": "x", "count": "count"}))


class AccumulativeParallelCounter(Block):
    """Accumulative parallel counter: ``acc += popcount(x)`` every cycle.

    Parameters
    ----------
    n_inputs : int
        Bus width N in [1, 4096].
    length : int
        Cycles accumulated (stream length L) in [1, 2^40]; the register has
        ``bit_length(N L)`` bits, enough for the largest sum ``N L``.

    Ports: input ``x`` (N bits), output ``acc`` (the sum before this cycle).
    Decoding: ``acc / (N L)`` is the mean of the N input probabilities.
    """

    part = "AccumulativeParallelCounter"
    top_module = "apc_top"

    def __init__(self, n_inputs: int, length: int) -> None:
        self.n_inputs: int = check_part_int(self.part, "n_inputs", n_inputs, 1, 4096)
        self.length: int = check_part_int(self.part, "length", length, 1, _MAX_LENGTH)
        self.limit = self.n_inputs * self.length
        self.width: int = self.limit.bit_length()
        self.cw = self.n_inputs.bit_length()
        self.acc = 0
        self._next = 0

    def inputs_spec(self) -> list[Port]:
        return [("x", self.n_inputs, False)]

    def outputs_spec(self) -> list[Port]:
        return [("acc", self.width, False)]

    def reset(self) -> None:
        self.acc = self._next = 0

    def eval(self, **inputs: int) -> dict[str, int]:
        x = check_part_int(self.part, "x", port_input(self.part, inputs, "x"), 0, mask(self.n_inputs))
        nxt = self.acc + x.bit_count()
        if nxt > self.limit:
            raise OverflowError(
                f"{self.part}: sum would exceed n_inputs*length={self.limit} "
                f"(width {self.width} bits); got {nxt}")
        self._next = nxt
        return {"acc": self.acc}

    def clock(self) -> None:
        self.acc = self._next

    def verilog_modules(self) -> dict[str, str]:
        return {"sc_popcount": _popcount_module(), "sc_apc": (
            "// accumulative parallel counter, held at LIMIT\n"
            "module sc_apc #(parameter N = 4, parameter CW = 3, parameter W = 8,\n"
            "  parameter [W-1:0] LIMIT = 255) (\n"
            "  input wire clk, input wire rst, input wire [N-1:0] x, output reg [W-1:0] acc);\n"
            "  wire [CW-1:0] count;\n"
            "  wire [W:0] sum = acc + count;\n"
            "  sc_popcount #(.N(N), .W(CW)) pc (.x(x), .count(count));\n"
            "  always @(posedge clk) begin\n"
            "    if (rst) acc <= {W{1'b0}};\n"
            "    else acc <= (sum > LIMIT) ? LIMIT : sum[W-1:0];\n"
            "  end\n"
            "endmodule\n")}

    def verilog_body(self, inst: str, conns: Mapping[str, str]) -> str:
        w = self.width
        return (f"  sc_apc #(.N({self.n_inputs}), .CW({self.cw}), .W({w}), .LIMIT({vhex(self.limit, w)})) "
                f"{inst} (.clk(clk), .rst(rst), .x({conns['x']}), .acc({conns['acc']}));\n")

    def verilog_top(self) -> str:
        return wrap_top(self, self.verilog_body("u_apc", {"x": "x", "acc": "acc"}))
