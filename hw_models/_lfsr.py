"""Random sources: Fibonacci and Galois LFSRs (private).

Both registers are ``width`` = n bits wide, advance once per clock edge and
output their register contents (``state``) combinationally during the cycle.

Fibonacci (conventions §3, bit-exact with ``sc_neurocore.bitstream.lfsr``)::

    fb     = parity(state & tap_mask)            tap_mask: bit t-1 for each tap t
    fb    ^= zero_state and (state & (2^(n-1) - 1)) == 0
    state' = ((state << 1) | fb) & (2^n - 1)

Galois (internal XOR, multiplication by x modulo the feedback polynomial
``p(x) = x^n + sum_t x^t + 1`` over GF(2))::

    state' = ((state << 1) & (2^n - 1)) ^ (poly if state[n-1] else 0)
    poly   = 1 + sum_t 2^t                       (the terms below x^n)

With ``zero_state`` the Galois register goes from ``x^-1 mod p`` (the state
whose successor is 1) to 0 and from 0 to 1.  In both forms a maximal
polynomial gives the period ``2^n - 1`` through every nonzero state, or ``2^n``
through every state with zero-state insertion.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from hw_models._common import Block, Port, check_part_bool, check_part_int, check_taps, mask, vhex, wrap_top
from sc_neurocore._taps import tap_mask

__all__ = ["FibonacciLFSR", "GaloisLFSR"]




class _LFSRBase(Block):
    """Shared parts of the two LFSR forms: parameters, register, run helpers."""

    random_source_kind = "lfsr"
    out_port = "state"

    def __init__(self, width: int = 16, seed: int = 1, taps: Sequence[int] | None = None,
                 zero_state: bool = False) -> None:
        self.taps: tuple[int, ...] = check_taps(self.part, width, taps)
        self.width: int = int(width)
        self.zero_state: bool = check_part_bool(self.part, "zero_state", zero_state)
        self.seed: int = check_part_int(self.part, "seed", seed, 1, mask(self.width))
        self.state: int = self.seed
        self._next: int = self.seed

    @property
    def period(self) -> int:
        """Period of the sequence: ``2^n`` with zero-state insertion, else ``2^n - 1``."""
        return (1 << self.width) - (0 if self.zero_state else 1)

    def next_state(self, state: int) -> int:
        """The register's next-state function (the D inputs for register value ``state``)."""
        raise NotImplementedError

    def outputs_spec(self) -> list[Port]:
        return [("state", self.width, False)]

    def reset(self) -> None:
        self.state = self.seed
        self._next = self.seed

    def eval(self, **inputs: int) -> dict[str, int]:
        self._next = self.next_state(self.state)
        return {"state": self.state}

    def clock(self) -> None:
        self.state = self._next

    def sequence(self, n_cycles: int) -> np.ndarray:
        """Register contents of the next ``n_cycles`` cycles from the current state (state unchanged).

        The same next-state function as :meth:`eval`, without the per-cycle
        port dictionaries: the fast path of the long contract tests.
        """
        n = check_part_int(self.part, "n_cycles", n_cycles, 0, 1 << 32)
        out = np.empty(n, dtype=np.int64)
        s = self.state
        f = self.next_state
        for t in range(n):
            out[t] = s
            s = f(s)
        return out

    def verilog_top(self) -> str:
        return wrap_top(self, self.verilog_body("u_lfsr", {"state": "state"}))


class FibonacciLFSR(_LFSRBase):
    """Fibonacci (external XOR) LFSR, shift-left form of conventions §3.

    Parameters
    ----------
    width : int
        Register width n in [3, 32].
    seed : int
        Reset value of the register, in [1, 2^n - 1] (0 is the lock-up state).
    taps : sequence of int, optional
        ``MAXIMAL_TAPS[n]`` (default) or its mirror; anything else is rejected.
    zero_state : bool
        Zero-state insertion: period 2^n through every value.

    Ports: output ``state`` (n bits), the register contents of this cycle.
    """

    part = "FibonacciLFSR"
    top_module = "fib_lfsr_top"

    def __init__(self, width: int = 16, seed: int = 1, taps: Sequence[int] | None = None,
                 zero_state: bool = False) -> None:
        super().__init__(width, seed, taps, zero_state)
        self.tap_mask: int = tap_mask(self.taps)
        self._mask = mask(self.width)
        self._low = mask(self.width - 1)

    def next_state(self, state: int) -> int:
        state = check_part_int(self.part, "state", state, 0, self._mask)
        fb = (state & self.tap_mask).bit_count() & 1
        if self.zero_state and (state & self._low) == 0:
            fb ^= 1
        return ((state << 1) | fb) & self._mask

    def verilog_modules(self) -> dict[str, str]:
        return {"sc_lfsr_fib": (
            "// Fibonacci LFSR, shift-left: fb = ^(state & TAPMASK) (^ low bits zero if ZERO_STATE)\n"
            "module sc_lfsr_fib #(parameter W = 16, parameter [W-1:0] TAPMASK = 1,\n"
            "  parameter [W-1:0] SEED = 1, parameter ZERO_STATE = 0) (\n"
            "  input wire clk, input wire rst, output reg [W-1:0] state);\n"
            "  wire fb_lin = ^(state & TAPMASK);\n"
            "  wire low_zero = (state[W-2:0] == {(W-1){1'b0}});\n"
            "  wire fb = (ZERO_STATE != 0) ? (fb_lin ^ low_zero) : fb_lin;\n"
            "  always @(posedge clk) begin\n"
            "    if (rst) state <= SEED;\n"
            "    else state <= {state[W-2:0], fb};\n"
            "  end\n"
            "endmodule\n")}

    def verilog_body(self, inst: str, conns: Mapping[str, str]) -> str:
        w = self.width
        return (f"  sc_lfsr_fib #(.W({w}), .TAPMASK({vhex(self.tap_mask, w)}), .SEED({vhex(self.seed, w)}),"
                f" .ZERO_STATE({int(self.zero_state)}))\n"
                f"    {inst} (.clk(clk), .rst(rst), .state({conns['state']}));\n")


class GaloisLFSR(_LFSRBase):
    """Galois (internal XOR) LFSR: multiplication by x modulo ``x^n + sum_t x^t + 1``.

    Parameters and ports as :class:`FibonacciLFSR`; the taps name the
    polynomial's middle terms.  The sequence differs from the Fibonacci
    register's (same period, different order); the core package's encoder
    uses the Fibonacci form.
    """

    part = "GaloisLFSR"
    top_module = "galois_lfsr_top"

    def __init__(self, width: int = 16, seed: int = 1, taps: Sequence[int] | None = None,
                 zero_state: bool = False) -> None:
        super().__init__(width, seed, taps, zero_state)
        self.poly: int = 1 | sum(1 << t for t in self.taps[1:])
        self._mask = mask(self.width)
        #: the state whose successor is 1 (x^-1 mod p)
        self.pre_one: int = (1 << (self.width - 1)) | (self.poly >> 1)

    def next_state(self, state: int) -> int:
        state = check_part_int(self.part, "state", state, 0, self._mask)
        if self.zero_state:
            if state == self.pre_one:
                return 0
            if state == 0:
                return 1
        nxt = (state << 1) & self._mask
        if state >> (self.width - 1):
            nxt ^= self.poly
        return nxt

    def verilog_modules(self) -> dict[str, str]:
        return {"sc_lfsr_galois": (
            "// Galois LFSR: state' = (state << 1) ^ (msb ? POLY : 0); zero state after PRE_ONE\n"
            "module sc_lfsr_galois #(parameter W = 16, parameter [W-1:0] POLY = 1,\n"
            "  parameter [W-1:0] SEED = 1, parameter ZERO_STATE = 0, parameter [W-1:0] PRE_ONE = 1) (\n"
            "  input wire clk, input wire rst, output reg [W-1:0] state);\n"
            "  wire [W-1:0] shifted = {state[W-2:0], 1'b0} ^ (state[W-1] ? POLY : {W{1'b0}});\n"
            "  always @(posedge clk) begin\n"
            "    if (rst) state <= SEED;\n"
            "    else if (ZERO_STATE != 0 && state == PRE_ONE) state <= {W{1'b0}};\n"
            "    else if (ZERO_STATE != 0 && state == {W{1'b0}}) state <= {{(W-1){1'b0}}, 1'b1};\n"
            "    else state <= shifted;\n"
            "  end\n"
            "endmodule\n")}

    def verilog_body(self, inst: str, conns: Mapping[str, str]) -> str:
        w = self.width
        return (f"  sc_lfsr_galois #(.W({w}), .POLY({vhex(self.poly, w)}), .SEED({vhex(self.seed, w)}),"
                f" .ZERO_STATE({int(self.zero_state)}), .PRE_ONE({vhex(self.pre_one, w)}))\n"
                f"    {inst} (.clk(clk), .rst(rst), .state({conns['state']}));\n")
