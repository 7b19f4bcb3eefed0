"""Stochastic number generator: a random source and a ``<`` comparator (private).

Convention (conventions §3): the stream bit of cycle ``t`` is
``r_t < X``, where ``r_t`` is the random source's register output during cycle
``t`` (``r_0`` = its reset value, e.g. the LFSR seed) and ``X`` is an
``n+1``-bit unsigned threshold in ``[0, 2^n]`` (``X = round(p 2^n)``; ``2^n``
gives all ones, 0 all zeros).  The comparator is combinational: the bit is
valid during cycle ``t`` and is sampled by whatever consumes it on the rising
edge that ends cycle ``t``, the same edge that advances the source.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from hw_models._common import Block, Port, check_part_int, port_input, vhex, wrap_top

__all__ = ["SNG", "threshold_of"]


def threshold_of(p: float, width: int) -> int:
    """Comparator threshold ``X = round(p 2^n)`` (half to even, as the core encoders).

    ``p`` is a real in [0, 1]; ``width`` an int in [1, 64].
    """
    if isinstance(p, (bool, np.bool_)) or not isinstance(p, (int, float, np.integer, np.floating)):
        raise TypeError(f"SNG: p must be a real number in [0, 1]; got {type(p).__name__} {p!r}")
    if not 0.0 <= float(p) <= 1.0:  # also rejects NaN
        raise ValueError(f"SNG: p must be in [0, 1]; got {p}")
    width = check_part_int("SNG", "width", width, 1, 64)
    return int(np.round(float(p) * float(2**width)))


class SNG(Block):
    """Stream generator ``bit = r < X`` on a random source.

    Parameters
    ----------
    source : Block
        A random source with ``width`` and ``out_port`` attributes
        (:class:`FibonacciLFSR`, :class:`GaloisLFSR`, :class:`SobolGenerator`).
        It may be shared with other parts: a composed block clocks it once.
    value : int, optional
        Constant threshold X in [0, 2^n].  None makes X an input port ``x``
        (n+1 bits).

    Ports: input ``x`` (only without ``value``), output ``stream``.
    """

    part = "SNG"
    top_module = "sng_top"

    def __init__(self, source: Block, value: int | None = None) -> None:
        width = getattr(source, "width", None)
        if not isinstance(width, int) or not hasattr(source, "out_port"):
            raise TypeError(f"SNG: source must be a random-source block; got {type(source).__name__}")
        self.source = source
        self.width: int = width
        self.value: int | None = (
            None if value is None else check_part_int(self.part, "value", value, 0, 1 << width)
        )

    def leaves(self) -> list[Block]:
        return self.source.leaves()

    def inputs_spec(self) -> list[Port]:
        return [] if self.value is not None else [("x", self.width + 1, False)]

    def outputs_spec(self) -> list[Port]:
        return [("stream", 1, False)]

    def eval(self, **inputs: int) -> dict[str, int]:
        x = self.value
        if x is None:
            x = check_part_int(self.part, "x", port_input(self.part, inputs, "x"), 0, (2 << self.width) - 1)
        r = self.source.eval()[self.source.out_port]  # type: ignore[attr-defined]
        return {"stream": int(r < x)}

    def bits(self, n_cycles: int, value: Any = None) -> np.ndarray:
        """Stream of the next ``n_cycles`` cycles (uint8), state unchanged: the vectorised model.

        Uses the source's own next-state function (``source.sequence``) and the
        same comparator; ``value`` overrides a port threshold.
        """
        x = self.value if value is None else check_part_int(self.part, "value", value, 0, 1 << self.width)
        if x is None:
            raise ValueError("SNG: bits() needs a value when the threshold is an input port")
        seq = self.source.sequence(n_cycles)  # type: ignore[attr-defined]
        return (seq < x).astype(np.uint8)

    def verilog_modules(self) -> dict[str, str]:
        mods = dict(self.source.verilog_modules())
        mods["sc_sng_cmp"] = (
            "// SNG comparator: s = r < x (x in [0, 2^W], W+1 bits)\n"
            "module sc_sng_cmp #(parameter W = 16) (\n"
            "  input wire [W-1:0] r, input wire [W:0] x, output wire s);\n"
            "  assign s = ({1'b0, r} < x);\n"
            "endmodule\n")
        return mods

    def verilog_body(self, inst: str, conns: Mapping[str, str], source_net: str | None = None) -> str:
        """Comparator (and the source, unless its output net ``source_net`` is given)."""
        w = self.width
        text = ""
        if source_net is None:
            source_net = f"{inst}_r"
            text += f"  wire [{w - 1}:0] {source_net};\n"
            text += self.source.verilog_body(f"{inst}_src", {self.source.out_port: source_net})  # type: ignore[attr-defined]
        x = conns["x"] if self.value is None else vhex(self.value, w + 1)
        text += f"  sc_sng_cmp #(.W({w})) {inst} (.r({source_net}), .x({x}), .s({conns['stream']}));\n"
        return text

    def verilog_top(self) -> str:
        conns = {"stream": "stream"}
        if self.value is None:
            conns["x"] = "x"
        return wrap_top(self, self.verilog_body("u_sng", conns))
