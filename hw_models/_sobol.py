"""Sobol / van der Corput point generator in Gray-code order (private).

Registers: an index counter ``k`` and the point ``x`` (both ``width`` bits).
One clock (Antonov-Saleev)::

    c  = index of the lowest zero bit of k   (w - 1 when k = 2^w - 1: wrap)
    x' = x XOR v[c]
    k' = (k + 1) mod 2^w

``v[i]`` are the top ``w`` bits of the 32-bit direction integers of
``sc_neurocore.bitstream.sobol_direction_numbers(dimension)``, so with
``width=32`` the points are exactly those of ``sc_neurocore.bitstream.sobol``
(which uses indices below 2^32 - 1).  Since ``x_k`` is the XOR of ``v[i]``
over the set bits of ``gray(k) = k ^ (k >> 1)`` and ``gray(2^w - 1) = 2^(w-1)``,
flipping ``v[w-1]`` at the wrap returns the point to ``x_0 = 0``: the
sequence has period ``2^w``.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from hw_models._common import Block, Port, check_part_int, mask, vhex, wrap_top

__all__ = ["SobolGenerator"]


def _lowest_zero(k: int) -> int:
    c = 0
    while k & 1:
        k >>= 1
        c += 1
    return c


class SobolGenerator(Block):
    """Sobol point generator (dimension 0: van der Corput base 2), Gray-code order.

    Parameters
    ----------
    dimension : int
        Sobol dimension in [0, SOBOL_MAX_DIMENSION] of :mod:`sc_neurocore.bitstream`.
    width : int
        Point width w in [1, 32]; 32 reproduces the core encoder.
    skip : int
        Index loaded by reset, in [0, 2^w - 1] (the first point is ``x_skip``).

    Ports: output ``point`` (w bits), the point of this cycle.
    """

    part = "SobolGenerator"
    top_module = "sobol_top"
    random_source_kind = "sobol"
    out_port = "point"

    def __init__(self, dimension: int = 0, width: int = 32, skip: int = 0) -> None:
        from sc_neurocore.bitstream import SOBOL_MAX_DIMENSION, sobol_direction_numbers

        self.dimension: int = check_part_int(self.part, "dimension", dimension, 0, SOBOL_MAX_DIMENSION)
        self.width: int = check_part_int(self.part, "width", width, 1, 32)
        self.skip: int = check_part_int(self.part, "skip", skip, 0, mask(self.width))
        v32 = sobol_direction_numbers(self.dimension)
        self.directions: tuple[int, ...] = tuple(int(v) >> (32 - self.width) for v in v32[: self.width])
        self.k0 = self.skip
        self.x0 = self.point_at(self.skip)
        self.k, self.x = self.k0, self.x0
        self._next = (self.k, self.x)

    def point_at(self, k: int) -> int:
        """``x_k``: XOR of the direction numbers over the set bits of ``gray(k)``, k in [0, 2^width - 1]."""
        k = check_part_int(self.part, "k", k, 0, mask(self.width))
        g = k ^ (k >> 1)
        x = 0
        for i, v in enumerate(self.directions):
            if (g >> i) & 1:
                x ^= v
        return x

    def next_state(self, k: int, x: int) -> tuple[int, int]:
        """Next (index, point) register values (both in [0, 2^width - 1])."""
        k = check_part_int(self.part, "k", k, 0, mask(self.width))
        x = check_part_int(self.part, "x", x, 0, mask(self.width))
        c = min(_lowest_zero(k), self.width - 1)
        return (k + 1) & mask(self.width), x ^ self.directions[c]

    def outputs_spec(self) -> list[Port]:
        return [("point", self.width, False)]

    def reset(self) -> None:
        self.k, self.x = self.k0, self.x0
        self._next = (self.k, self.x)

    def eval(self, **inputs: int) -> dict[str, int]:
        self._next = self.next_state(self.k, self.x)
        return {"point": self.x}

    def clock(self) -> None:
        self.k, self.x = self._next

    def sequence(self, n_cycles: int) -> np.ndarray:
        """Points of the next ``n_cycles`` cycles from the current state (state unchanged)."""
        n = check_part_int(self.part, "n_cycles", n_cycles, 0, 1 << 32)
        out = np.empty(n, dtype=np.int64)
        k, x = self.k, self.x
        for t in range(n):
            out[t] = x
            k, x = self.next_state(k, x)
        return out

    def verilog_modules(self) -> dict[str, str]:
        return {"sc_sobol": (
            "// Sobol generator, Gray-code order: x' = x ^ V[c], c = lowest zero bit of k (W-1 at wrap)\n"
            "module sc_sobol #(parameter W = 32, parameter [W*W-1:0] V = 0,\n"
            "  parameter [W-1:0] K0 = 0, parameter [W-1:0] X0 = 0) (\n"
            "  input wire clk, input wire rst, output reg [W-1:0] point);\n"
            "  reg [W-1:0] k;\n"
            "  integer i, c;\n"
            "  always @* begin\n"
            "    c = W - 1;\n"
            "    for (i = W - 1; i >= 0; i = i - 1)\n"
            "      if (!k[i]) c = i;\n"
            "  end\n"
            "  always @(posedge clk) begin\n"
            "    if (rst) begin k <= K0; point <= X0; end\n"
            "    else begin k <= k + 1'b1; point <= point ^ V[c*W +: W]; end\n"
            "  end\n"
            "endmodule\n")}

    def verilog_body(self, inst: str, conns: Mapping[str, str]) -> str:
        w = self.width
        packed = 0
        for i, v in enumerate(self.directions):
            packed |= v << (i * w)
        return (f"  sc_sobol #(.W({w}), .V({vhex(packed, w * w)}), .K0({vhex(self.k0, w)}),"
                f" .X0({vhex(self.x0, w)}))\n"
                f"    {inst} (.clk(clk), .rst(rst), .point({conns['point']}));\n")

    def verilog_top(self) -> str:
        return wrap_top(self, self.verilog_body("u_sobol", {"point": "point"}))
