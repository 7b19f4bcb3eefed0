"""Tiny hand-written Blocks used to test the co-simulation, area and fault harnesses
independently of the real models (shared by tests/test_hw_*.py)."""

from __future__ import annotations

import shutil

from conftest import missing

from hw_models._common import Block, Port, mask
from hw_models._cosim import install_hint


def require_tool(tool: str) -> None:
    """Fail in CI, skip locally (saying what to install), when ``tool`` is missing."""
    if shutil.which(tool) is not None:
        return
    missing("the simulator", f"{tool} not found: {install_hint(tool)}")


class ToyCounter(Block):
    """Up counter with enable, wrapping modulo 2**width."""

    part = "ToyCounter"
    top_module = "toy_counter_top"

    def __init__(self, width: int, start: int = 0) -> None:
        self.width = width
        self.start = start
        self.q = start
        self._next = start

    def inputs_spec(self) -> list[Port]:
        return [("en", 1, False)]

    def outputs_spec(self) -> list[Port]:
        return [("q", self.width, False)]

    def reset(self) -> None:
        self.q = self.start
        self._next = self.start

    def eval(self, **inputs: int) -> dict[str, int]:
        self._next = (self.q + inputs["en"]) & mask(self.width)
        return {"q": self.q}

    def clock(self) -> None:
        self.q = self._next

    def verilog_modules(self) -> dict[str, str]:
        return {
            "toy_counter": (
                "module toy_counter #(parameter W = 4, parameter [W-1:0] START = 0) (\n"
                "  input wire clk, input wire rst, input wire en, output reg [W-1:0] q);\n"
                "  always @(posedge clk) begin\n"
                "    if (rst) q <= START;\n"
                "    else q <= q + {{(W-1){1'b0}}, en};\n"
                "  end\n"
                "endmodule\n"
            )
        }

    def verilog_top(self) -> str:
        w = self.width
        return (
            f"module {self.top_module} (input wire clk, input wire rst, input wire en,\n"
            f"  output wire [{w - 1}:0] q);\n"
            f"  toy_counter #(.W({w}), .START({w}'d{self.start})) u (.clk(clk), .rst(rst), .en(en), .q(q));\n"
            "endmodule\n"
        )


class ToySignedAcc(Block):
    """Signed accumulator: out = acc (registered), acc' = wrap(acc + x)."""

    part = "ToySignedAcc"
    top_module = "toy_acc_top"

    def __init__(self, width: int, bug_at: int | None = None) -> None:
        self.width = width
        self.acc = 0
        self._next = 0
        self.bug_at = bug_at  # the Verilog (not the model) misbehaves when acc == bug_at

    def inputs_spec(self) -> list[Port]:
        return [("x", self.width, True)]

    def outputs_spec(self) -> list[Port]:
        return [("acc", self.width, True), ("neg", 1, False)]

    def reset(self) -> None:
        self.acc = 0
        self._next = 0

    def eval(self, **inputs: int) -> dict[str, int]:
        w = self.width
        s = (self.acc + inputs["x"]) & mask(w)
        self._next = s - (1 << w) if s >> (w - 1) else s
        return {"acc": self.acc, "neg": int(self.acc < 0)}

    def clock(self) -> None:
        self.acc = self._next

    def verilog_modules(self) -> dict[str, str]:
        return {}

    def verilog_top(self) -> str:
        w = self.width
        bug = ""
        if self.bug_at is not None:
            bug = f"    else if (acc == {w}'h{self.bug_at & mask(w):X}) acc <= acc;\n"
        return (
            f"module {self.top_module} (input wire clk, input wire rst,\n"
            f"  input wire signed [{w - 1}:0] x, output reg signed [{w - 1}:0] acc, output wire neg);\n"
            "  assign neg = acc < 0;\n"
            "  always @(posedge clk) begin\n"
            "    if (rst) acc <= 0;\n"
            f"{bug}"
            "    else acc <= acc + x;\n"
            "  end\n"
            "endmodule\n"
        )


class ToyBroken(ToyCounter):
    """Emits Verilog that does not compile."""

    part = "ToyBroken"

    def verilog_top(self) -> str:
        return f"module {self.top_module} (input wire clk; endmodule\n"


class ToyNoReset(ToyCounter):
    """Its Verilog ignores rst, so the register powers up as x in simulation."""

    part = "ToyNoReset"

    def verilog_modules(self) -> dict[str, str]:
        return {
            "toy_counter": (
                "module toy_counter #(parameter W = 4, parameter [W-1:0] START = 0) (\n"
                "  input wire clk, input wire rst, input wire en, output reg [W-1:0] q);\n"
                "  always @(posedge clk) q <= q + {{(W-1){1'b0}}, en};\n"
                "endmodule\n"
            )
        }
