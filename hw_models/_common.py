"""Shared pieces of the gate-level models (private).

Every model follows one clocking protocol, the software image of a synchronous
circuit with a single clock:

* ``eval(**inputs)`` is the *combinational* phase of the current cycle: it
  returns the block's outputs, computed from the register outputs and the
  inputs, and latches the next-state values of its registers (the values
  present at the D pins just before the edge).
* ``clock()`` is the rising edge that ends the cycle: every register takes the
  latched value.
* ``step(**inputs)`` = ``eval`` then ``clock``.

Registers are plain Python ``int`` attributes holding an unsigned bit pattern
of an explicit width (signed values are stored and computed as Python ints and
checked against their two's-complement range).  A composed block clocks every
distinct leaf once per cycle, so a random source shared by two consumers still
advances once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from sc_neurocore._taps import MAX_LFSR_WIDTH, MAXIMAL_TAPS, MIN_LFSR_WIDTH

__all__ = [
    "Block",
    "Port",
    "check_part_int",
    "check_taps",
    "mirror_taps",
    "mask",
    "port_decl",
    "signed_range",
    "vhex",
    "vsigned",
    "wrap_top",
]

Port = tuple[str, int, bool]  # (name, width in bits, signed)


def mask(width: int) -> int:
    """``2**width - 1``."""
    return (1 << width) - 1


def signed_range(width: int) -> tuple[int, int]:
    """Two's-complement range of a ``width``-bit signed register."""
    return -(1 << (width - 1)), (1 << (width - 1)) - 1


def check_part_int(part: str, name: str, value: Any, low: int, high: int) -> int:
    """Return ``value`` as an int in [low, high], or raise naming the part.

    Message: ``"<part>: <name> must be an integer in [low, high]; got <value>"``.
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{part}: {name} must be an integer; got {type(value).__name__} {value!r}")
    v = int(value)
    if v < low or v > high:
        raise ValueError(f"{part}: {name} must be an integer in [{low}, {high}]; got {v}")
    return v


def port_input(part: str, inputs: Mapping[str, Any], name: str) -> Any:
    """The value of input port ``name`` from an ``eval(**inputs)`` call, or raise naming the port."""
    if name not in inputs:
        raise ValueError(
            f"{part}: input port {name} must be given; got ports {sorted(inputs)!r}"
        )
    return inputs[name]


def check_part_bool(part: str, name: str, value: Any) -> bool:
    """Return ``value`` as a bool (Python or numpy bool only), or raise naming the part."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{part}: {name} must be a bool; got {type(value).__name__} {value!r}")
    return bool(value)


def mirror_taps(taps: Sequence[int]) -> tuple[int, ...]:
    """Taps of the reciprocal polynomial: ``x^n + sum x^t + 1`` -> ``x^n + sum x^(n-t) + 1``.

    The reciprocal of a primitive polynomial is primitive, so each width has
    two maximal tap sets: ``MAXIMAL_TAPS[n]`` and its mirror.  ``taps`` must
    be a non-empty sequence of ints whose first entry ``n`` is the largest.
    """
    if isinstance(taps, (str, bytes)) or not isinstance(taps, (Sequence, np.ndarray)):
        raise TypeError(f"taps must be a sequence of ints; got {type(taps).__name__} {taps!r}")
    if len(taps) == 0 or any(
        isinstance(t, (bool, np.bool_)) or not isinstance(t, (int, np.integer)) for t in taps
    ):
        raise TypeError(f"taps must be a non-empty sequence of ints; got {taps!r}")
    if any(not 1 <= int(t) <= int(taps[0]) for t in taps):
        raise ValueError(f"taps must be ints in [1, taps[0]] with the width first; got {tuple(taps)!r}")
    n = int(taps[0])
    return (n, *sorted((n - int(t) for t in taps[1:]), reverse=True))


def check_taps(part: str, width: int, taps: Sequence[int] | None) -> tuple[int, ...]:
    """Validate ``taps`` for a width-``width`` LFSR (None -> ``MAXIMAL_TAPS[width]``).

    Accepted: any tap set whose feedback polynomial ``x^n + sum_t x^t + 1`` is
    primitive over GF(2) (decided algebraically, as
    ``sc_neurocore.bitstream.is_maximal_taps``), e.g. ``MAXIMAL_TAPS[width]``
    and its mirror (the reciprocal polynomial).  It must contain ``width``
    and distinct entries in [1, width]; it is returned sorted descending.
    Anything else is rejected, because a non-maximal LFSR silently gives a
    short period and biased streams.
    """
    width = check_part_int(part, "width", width, MIN_LFSR_WIDTH, MAX_LFSR_WIDTH)
    base = MAXIMAL_TAPS[width]
    if taps is None:
        return base
    if isinstance(taps, (str, bytes)):
        raise TypeError(f"{part}: taps must be a tuple of ints; got {taps!r}")
    try:
        vals = [int(x) for x in taps if not isinstance(x, (bool, np.bool_, float))]
        if len(vals) != len(list(taps)):
            raise TypeError
    except (TypeError, ValueError):
        raise TypeError(f"{part}: taps must be a tuple of ints; got {taps!r}") from None
    t = tuple(sorted(set(vals), reverse=True))
    if t in (base, mirror_taps(base)) and len(t) == len(vals):
        return t
    from sc_neurocore.bitstream import is_maximal_taps

    if len(t) != len(vals) or not t or t[0] != width or t[-1] < 1 or not is_maximal_taps(width, t):
        raise ValueError(
            f"{part}: taps must be a maximal-length tap set for width {width}: distinct ints in "
            f"[1, {width}] including {width} with a primitive feedback polynomial "
            f"(e.g. {base} or {mirror_taps(base)}); got {tuple(vals)}"
        )
    return t


class Block:
    """Base class of every model: ports, clocking protocol, run loop, Verilog."""

    part: str = "Block"
    #: name of the top module emitted by :meth:`to_verilog`
    top_module: str = "block_top"

    # --- structure -------------------------------------------------------
    def inputs_spec(self) -> list[Port]:
        """Input ports of the top module (besides clk and rst)."""
        return []

    def outputs_spec(self) -> list[Port]:
        """Output ports compared by the co-simulation."""
        raise NotImplementedError

    def leaves(self) -> list[Block]:
        """Leaf blocks that own registers (for composed blocks: the distinct children)."""
        return [self]

    # --- clocking --------------------------------------------------------
    def reset(self) -> None:
        """Synchronous reset: every register back to its initial value."""
        for leaf in _unique(self.leaves()):
            if leaf is not self:
                leaf.reset()

    def eval(self, **inputs: int) -> dict[str, int]:
        """Combinational outputs of the current cycle (and latch next state)."""
        raise NotImplementedError

    def clock(self) -> None:
        """Rising edge: every distinct leaf register takes its latched value."""
        for leaf in _unique(self.leaves()):
            if leaf is not self:
                leaf.clock()

    def step(self, **inputs: int) -> dict[str, int]:
        """One full cycle: outputs of this cycle, then the edge."""
        out = self.eval(**inputs)
        self.clock()
        return out

    def run(self, n_cycles: int, inputs: Mapping[str, Iterable[int]] | None = None
            ) -> dict[str, np.ndarray]:
        """Run ``n_cycles`` from the current state; per-cycle outputs as int64 arrays.

        ``inputs`` maps each input port to a sequence of at least ``n_cycles``
        values (one per cycle).
        """
        n = check_part_int(self.part, "n_cycles", n_cycles, 0, 1 << 40)
        names = [p[0] for p in self.inputs_spec()]
        if inputs is not None:
            if not isinstance(inputs, Mapping):
                raise TypeError(
                    f"{self.part}: inputs must be None or a mapping port -> values; "
                    f"got {type(inputs).__name__} {inputs!r}"
                )
            unknown = sorted(set(inputs) - set(names), key=str)
            if unknown:
                raise ValueError(
                    f"{self.part}: inputs must only name input ports {names}; got unknown "
                    f"{', '.join(map(repr, unknown))}"
                )
        seqs: dict[str, list[Any] | None] = {}
        for k in names:
            raw = inputs.get(k) if inputs is not None else None
            if raw is not None and (isinstance(raw, (str, bytes)) or not isinstance(raw, Iterable)):
                raise TypeError(
                    f"{self.part}: inputs[{k!r}] must be a sequence of ints; got {type(raw).__name__} {raw!r}"
                )
            seqs[k] = None if raw is None else list(raw)
        for k, s in seqs.items():
            if s is None or len(s) < n:
                raise ValueError(
                    f"{self.part}: inputs[{k!r}] must hold at least n_cycles={n} values; "
                    f"got {0 if s is None else len(s)}"
                )
            for t in range(n):  # int() below must not truncate a float or parse a string
                if not isinstance(s[t], (int, np.integer, np.bool_)):
                    raise TypeError(
                        f"{self.part}: inputs[{k!r}] must hold integers; got "
                        f"{type(s[t]).__name__} {s[t]!r} at cycle {t}"
                    )
        outs: dict[str, list[int]] = {p[0]: [] for p in self.outputs_spec()}
        for t in range(n):
            o = self.step(**{k: int(s[t]) for k, s in seqs.items()})  # type: ignore[index]
            for k in outs:
                outs[k].append(o[k])
        return {k: np.asarray(v, dtype=np.int64) if v and max(map(abs, v)) < (1 << 62)
                else np.asarray(v, dtype=object) for k, v in outs.items()}

    # --- Verilog ---------------------------------------------------------
    def verilog_modules(self) -> dict[str, str]:
        """Generic (parameterised) module definitions this block needs, by name."""
        raise NotImplementedError

    def verilog_top(self) -> str:
        """Top module instantiating the generic modules with this block's parameters."""
        raise NotImplementedError

    def verilog_body(self, inst: str, conns: Mapping[str, str]) -> str:
        """Module-body text instantiating this block as ``inst``, ports wired to the nets in ``conns``.

        Composed blocks use it to place their parts (internal nets are
        prefixed with ``inst``); ``clk`` and ``rst`` are wired implicitly.
        """
        raise NotImplementedError

    def to_verilog(self) -> str:
        """Synthesizable Verilog-2005: generic modules followed by the top module.

        Top-module ports: ``clk``, ``rst`` (synchronous, active high: loads the
        seeds / clears the registers), then :meth:`inputs_spec`, then
        :meth:`outputs_spec`.
        """
        mods = self.verilog_modules()
        body = "\n".join(mods[k] for k in sorted(mods))
        return (
            f"// generated by hw_models ({self.part})\n`default_nettype none\n{body}\n"
            f"{self.verilog_top()}\n`default_nettype wire\n"
        )


def _unique(blocks: Iterable[Block]) -> list[Block]:
    seen: set[int] = set()
    out = []
    for b in blocks:
        if id(b) not in seen:
            seen.add(id(b))
            out.append(b)
    return out


def port_decl(direction: str, p: Port) -> str:
    """``input wire signed [7:0] name`` style declaration."""
    name, width, signed = p
    rng = f"[{width - 1}:0] " if width > 1 else ""
    sg = "signed " if signed else ""
    kind = " wire" if direction in ("input", "output") else ""
    return f"{direction}{kind} {sg}{rng}{name}"


def vhex(value: int, width: int) -> str:
    """Sized Verilog hex literal of an unsigned pattern."""
    return f"{width}'h{value & mask(width):X}"


def vsigned(value: int, width: int) -> str:
    """Sized Verilog literal of a signed value (two's complement pattern, cast signed)."""
    return f"$signed({width}'h{value & mask(width):X})"


def wrap_top(block: Block, body: str) -> str:
    """Top module ``block.top_module`` with ``clk``, ``rst`` and the block's ports around ``body``."""
    ports = ["input wire clk", "input wire rst"]
    ports += [port_decl("input", p) for p in block.inputs_spec()]
    ports += [port_decl("output", p) for p in block.outputs_spec()]
    head = f"module {block.top_module} (\n  " + ",\n  ".join(ports) + "\n);\n"
    return head + body + "endmodule\n"
