"""Fault injection: bit flips in streams and registers, and SC vs binary error (private).

Fault model: every stored or transmitted data bit is flipped independently with
probability ``rate`` (a soft error / single-event upset per bit and cycle).
The same per-bit rate is applied to both number systems:

* **stochastic computing (SC)**: a value is a stream of ``L = 2**width`` bits;
  faults hit every bit of both input streams and of the output stream.  A flip
  moves the decoded value by ``1/L`` whatever bit it hits, so the damage grows
  smoothly with the rate: a unipolar stream of density ``x`` is read as
  ``x + rate * (1 - 2x)`` on average (unbiased estimate: ``(x' - rate)/(1 - 2 rate)``).
* **binary fixed point**: a value is a ``width``-bit register; faults hit both
  operand registers and the result register (``2*width`` bits for a product,
  ``width + 1`` for a sum).  A flip of bit ``k`` moves the value by
  ``2**k / 2**width``; one upset of the most significant bit is an error of 1/2.

SC spends ``L / width`` times more bits on the same value and so takes more
flips in absolute number, yet its error is bounded by the number of flips
divided by ``L``; binary errors are rare at low rates but heavy tailed.
:func:`fault_tolerance` measures both side by side.

Randomness: every function takes ``seed`` (None / int / SeedSequence /
Generator); independent streams of faults come from ``spawn``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from hw_models._common import Block, Port, check_part_int, mask
from sc_neurocore._rng import SeedLike, spawn_generators
from sc_neurocore._validation import check_choice, check_int, check_real

__all__ = [
    "FaultTable",
    "FaultyBlock",
    "binary_operation_faulty",
    "fault_tolerance",
    "flip_bits",
    "flip_register_bits",
    "sc_operation_faulty",
]


def _rate(rate: Any, name: str = "rate") -> float:
    return check_real(rate, name, low=0.0, high=1.0)


def _flip_mask(rng: np.random.Generator, shape: tuple[int, ...], rate: float) -> np.ndarray:
    if rate == 0.0:
        return np.zeros(shape, dtype=bool)
    if rate == 1.0:
        return np.ones(shape, dtype=bool)
    return rng.random(shape) < rate


def flip_bits(bits: Any, rate: float, seed: SeedLike = None) -> np.ndarray:
    """Flip each bit of a 0/1 array independently with probability ``rate``.

    Parameters
    ----------
    bits : array_like of 0/1
        Unpacked stream(s), any shape (one element per clock cycle).
    rate : float
        Per-bit flip probability in [0, 1].
    seed : None, int, SeedSequence or Generator
        Fault pattern seed; the same seed flips the same positions.

    Returns
    -------
    numpy.ndarray
        uint8 array of the same shape.
    """
    arr = np.asarray(bits)
    if arr.dtype == object or not (np.issubdtype(arr.dtype, np.integer) or arr.dtype == np.bool_):
        raise TypeError(f"bits must be an integer or bool array of 0/1; got dtype {arr.dtype}")
    if arr.size and (arr.min() < 0 or arr.max() > 1):
        raise ValueError(f"bits must hold only 0 and 1; got values in [{arr.min()}, {arr.max()}]")
    r = _rate(rate)
    rng = spawn_generators(seed, 1)[0]
    return (arr.astype(np.uint8) ^ _flip_mask(rng, arr.shape, r)).astype(np.uint8)


def flip_register_bits(
    values: Any, width: int, rate: float, seed: SeedLike = None, *, signed: bool = False
) -> np.ndarray:
    """Flip each of the ``width`` bits of each register value with probability ``rate``.

    Values are two's-complement patterns when ``signed``; the result is read
    back in the same representation (a flipped sign bit changes the sign).

    Returns
    -------
    numpy.ndarray
        int64 array of the same shape.
    """
    w = check_int(width, "width", low=1, high=62)
    arr = np.asarray(values)
    if arr.dtype == object or not np.issubdtype(arr.dtype, np.integer):
        raise TypeError(f"values must be an integer array; got dtype {arr.dtype}")
    arr = arr.astype(np.int64)
    lo, hi = (-(1 << (w - 1)), (1 << (w - 1)) - 1) if signed else (0, mask(w))
    if arr.size and (arr.min() < lo or arr.max() > hi):
        raise ValueError(
            f"values must fit a {'signed' if signed else 'unsigned'} {w}-bit register, i.e. lie in "
            f"[{lo}, {hi}]; got values in [{arr.min()}, {arr.max()}]"
        )
    r = _rate(rate)
    rng = spawn_generators(seed, 1)[0]
    flips = _flip_mask(rng, arr.shape + (w,), r)
    weights = np.left_shift(np.int64(1), np.arange(w, dtype=np.int64))
    flip_word = (flips * weights).sum(axis=-1).astype(np.int64)
    out = (arr & mask(w)) ^ flip_word
    if signed:
        out = np.where(out >> (w - 1) & 1, out - (1 << w), out)
    return out.astype(np.int64)


# --- SC vs binary ------------------------------------------------------------


def sc_operation_faulty(
    op: str, p: Any, q: Any, width: int, rate: float, seed: SeedLike = None
) -> np.ndarray:
    """SC multiply (AND) or scaled add (MUX) of ``p`` and ``q`` under bit flips.

    Each operand pair is encoded as two independent random streams of
    ``L = 2**width`` bits (comparator of a uniform ``width``-bit random number
    against ``floor(p * 2**width)``, i.e. an ideal SNG); bits of both inputs (and
    of the select stream for ``add``) and of the output stream are flipped with
    probability ``rate``; the output is decoded as ones / L.

    Parameters
    ----------
    op : {"multiply", "add"}
        ``multiply``: ``p * q`` by AND.  ``add``: ``(p + q) / 2`` by a MUX with a
        select stream of density 1/2.
    p, q : array_like of float in [0, 1]
        Operands (same shape).
    width : int
        Precision in bits, 2..16; stream length ``2**width``.
    rate : float
        Per-bit flip probability.

    Returns
    -------
    numpy.ndarray
        Decoded results, float64, shape of ``p``.
    """
    o = check_choice(op, "op", ("multiply", "add"))
    w = check_int(width, "width", low=2, high=16)
    r = _rate(rate)
    pa, qa = _operands(p, q)
    L = 1 << w
    g = spawn_generators(seed, 7)
    shape = pa.shape + (L,)
    a = g[0].integers(0, L, shape) < np.floor(pa * L)[..., None]
    b = g[1].integers(0, L, shape) < np.floor(qa * L)[..., None]
    a ^= _flip_mask(g[2], shape, r)
    b ^= _flip_mask(g[3], shape, r)
    if o == "multiply":
        z = a & b
    else:
        s = g[4].integers(0, 2, shape).astype(bool)
        s ^= _flip_mask(g[5], shape, r)
        z = np.where(s, b, a)
    z ^= _flip_mask(g[6], shape, r)
    return np.asarray(z.sum(axis=-1) / L, dtype=np.float64)


def binary_operation_faulty(
    op: str, p: Any, q: Any, width: int, rate: float, seed: SeedLike = None
) -> np.ndarray:
    """Binary fixed-point multiply or average of ``p`` and ``q`` under bit flips.

    Operands are ``a = floor(p * 2**width)`` and ``b = floor(q * 2**width)`` in
    ``width``-bit registers; ``multiply`` stores ``a * b`` in a ``2*width``-bit
    register (value ``a b / 4**width``), ``add`` stores ``a + b`` in a
    ``width + 1``-bit register (value ``(a + b) / 2**(width+1)``, the same
    scaled sum as the SC MUX).  Every bit of both operand registers and of the
    result register flips with probability ``rate``.
    """
    o = check_choice(op, "op", ("multiply", "add"))
    w = check_int(width, "width", low=2, high=16)
    r = _rate(rate)
    pa, qa = _operands(p, q)
    L = 1 << w
    g = spawn_generators(seed, 3)
    a = flip_register_bits(np.minimum(np.floor(pa * L), L - 1).astype(np.int64), w, r, g[0])
    b = flip_register_bits(np.minimum(np.floor(qa * L), L - 1).astype(np.int64), w, r, g[1])
    if o == "multiply":
        res = flip_register_bits(a * b, 2 * w, r, g[2])
        return np.asarray(res / float(L * L), dtype=np.float64)
    res = flip_register_bits(a + b, w + 1, r, g[2])
    return np.asarray(res / float(2 * L), dtype=np.float64)


def _operands(p: Any, q: Any) -> tuple[np.ndarray, np.ndarray]:
    from sc_neurocore._validation import check_unit_array

    pa = check_unit_array(p, "p")
    qa = check_unit_array(q, "q")
    if pa.shape != qa.shape:
        raise ValueError(f"q must have the shape of p {pa.shape}; got {qa.shape}")
    return pa, qa


@dataclass(frozen=True)
class FaultTable:
    """Errors of SC and binary arithmetic at several bit-flip rates.

    Each array has one entry per rate; errors are absolute, against the exact
    real result (``p q`` or ``(p + q)/2``), over ``trials`` random operand pairs.
    ``*_tail`` is the fraction of trials with error above ``tolerance``.
    """

    op: str
    width: int
    trials: int
    tolerance: float
    rates: np.ndarray
    sc_mean: np.ndarray
    sc_p99: np.ndarray
    sc_tail: np.ndarray
    binary_mean: np.ndarray
    binary_p99: np.ndarray
    binary_tail: np.ndarray

    def format(self) -> str:
        """Plain-text table, one row per rate."""
        head = (f"{self.op}, {self.width}-bit (SC stream length {1 << self.width}), "
                f"{self.trials} random operand pairs per rate\n"
                f"{'flip rate':>10} | {'SC mean':>8} {'SC p99':>8} {'SC >tol':>8} | "
                f"{'bin mean':>8} {'bin p99':>8} {'bin >tol':>8}   (tol = {self.tolerance:g})")
        rows = [
            f"{r:>10.4g} | {sm:8.4f} {sp:8.4f} {st:8.3f} | {bm:8.4f} {bp:8.4f} {bt:8.3f}"
            for r, sm, sp, st, bm, bp, bt in zip(
                self.rates, self.sc_mean, self.sc_p99, self.sc_tail,
                self.binary_mean, self.binary_p99, self.binary_tail, strict=True)
        ]
        return "\n".join([head, *rows])


def fault_tolerance(
    op: str = "multiply",
    rates: Sequence[float] = (0.0, 1e-3, 1e-2, 5e-2, 0.1),
    *,
    width: int = 8,
    trials: int = 1000,
    tolerance: float = 0.1,
    seed: SeedLike = None,
) -> FaultTable:
    """Measure SC vs binary error under the same per-bit flip rate.

    Operand pairs ``(p, q)`` are drawn uniformly from ``[0, 1)^2``; the same
    pairs are used for every rate and both number systems.

    Returns
    -------
    FaultTable
        Mean, 99th-percentile and tail fraction (error > ``tolerance``) of the
        absolute error per rate.
    """
    o = check_choice(op, "op", ("multiply", "add"))
    rs = np.asarray([_rate(r, "rates entry") for r in rates], dtype=np.float64)
    if rs.size == 0:
        raise ValueError("rates must hold at least one rate; got an empty sequence")
    n = check_int(trials, "trials", low=1, high=1_000_000)
    tol = check_real(tolerance, "tolerance", low=0.0, high=1.0, low_open=True)
    gens = spawn_generators(seed, 1 + 2 * rs.size)
    p, q = gens[0].random(n), gens[0].random(n)
    exact = p * q if o == "multiply" else (p + q) / 2
    cols: dict[str, list[float]] = {k: [] for k in ("sm", "sp", "st", "bm", "bp", "bt")}
    for i, r in enumerate(rs):
        e_sc = np.abs(sc_operation_faulty(o, p, q, width, float(r), gens[1 + 2 * i]) - exact)
        e_bin = np.abs(binary_operation_faulty(o, p, q, width, float(r), gens[2 + 2 * i]) - exact)
        for key, e in (("s", e_sc), ("b", e_bin)):
            cols[key + "m"].append(float(e.mean()))
            cols[key + "p"].append(float(np.quantile(e, 0.99)))
            cols[key + "t"].append(float((e > tol).mean()))
    arr = {k: np.asarray(v) for k, v in cols.items()}
    return FaultTable(o, width, n, tol, rs, arr["sm"], arr["sp"], arr["st"], arr["bm"], arr["bp"], arr["bt"])


# --- wrapping a model ----------------------------------------------------------


class FaultyBlock(Block):
    """A model with bit flips injected into its outputs and/or registers.

    ``eval`` returns the wrapped block's outputs with each output bit flipped
    with probability ``output_rate`` (stream faults on the wires leaving the
    block); after every ``clock`` each bit of each named register flips with
    probability ``register_rate`` (upsets of stored state).

    Parameters
    ----------
    block : Block
        The model to disturb (it is modified in place through its registers).
    output_rate, register_rate : float
        Per-bit, per-cycle flip probabilities.
    registers : mapping of str to int or (int, bool)
        Dotted attribute paths from ``block`` to integer register attributes,
        with their width (and signedness), e.g. ``{"lfsr.state": 8}``.  An LFSR
        state flipped to 0 locks up (unless zero-state insertion is on), as the
        real circuit would.
    seed : None, int, SeedSequence or Generator
        Fault-pattern seed.
    """

    part = "FaultyBlock"

    def __init__(
        self,
        block: Block,
        *,
        output_rate: float = 0.0,
        register_rate: float = 0.0,
        registers: Mapping[str, int | tuple[int, bool]] | None = None,
        seed: SeedLike = None,
    ) -> None:
        if not isinstance(block, Block):
            raise TypeError(f"block must be a hw_models Block; got {type(block).__name__}")
        self.block = block
        self.top_module = block.top_module
        self.output_rate = _rate(output_rate, "output_rate")
        self.register_rate = _rate(register_rate, "register_rate")
        self._regs: list[tuple[Any, str, int, bool]] = []
        for path, spec in (registers or {}).items():
            width, signed = (spec, False) if not isinstance(spec, tuple) else spec
            w = check_part_int(self.part, f"width of register {path!r}", width, 1, 62)
            *parents, attr = path.split(".")
            obj: Any = block
            for name in parents:
                obj = getattr(obj, name, None)
            if obj is None or not isinstance(getattr(obj, attr, None), (int, np.integer)):
                raise ValueError(
                    f"{self.part}: registers must name integer attributes of the block; got {path!r}"
                )
            self._regs.append((obj, attr, w, bool(signed)))
        self._g_out, self._g_reg = spawn_generators(seed, 2)
        self.flips = 0  # number of bits flipped so far

    def inputs_spec(self) -> list[Port]:
        return self.block.inputs_spec()

    def outputs_spec(self) -> list[Port]:
        return self.block.outputs_spec()

    def leaves(self) -> list[Block]:
        return [self.block]

    def reset(self) -> None:
        self.block.reset()

    def eval(self, **inputs: int) -> dict[str, int]:
        out = dict(self.block.eval(**inputs))
        if self.output_rate > 0.0:
            for name, width, signed in self.outputs_spec():
                fl = _flip_mask(self._g_out, (width,), self.output_rate)
                if fl.any():
                    self.flips += int(fl.sum())
                    word = int(sum(1 << int(k) for k in np.flatnonzero(fl)))
                    v = (int(out[name]) & mask(width)) ^ word
                    if signed and v >> (width - 1):
                        v -= 1 << width
                    out[name] = v
        return out

    def clock(self) -> None:
        self.block.clock()
        if self.register_rate > 0.0:
            for obj, attr, width, signed in self._regs:
                fl = _flip_mask(self._g_reg, (width,), self.register_rate)
                if fl.any():
                    self.flips += int(fl.sum())
                    word = int(sum(1 << int(k) for k in np.flatnonzero(fl)))
                    v = (int(getattr(obj, attr)) & mask(width)) ^ word
                    if signed and v >> (width - 1):
                        v -= 1 << width
                    setattr(obj, attr, v)

    def verilog_modules(self) -> dict[str, str]:
        return self.block.verilog_modules()

    def verilog_top(self) -> str:
        return self.block.verilog_top()

    def to_verilog(self) -> str:
        """The wrapped block's (fault-free) Verilog: faults exist only in the model."""
        return self.block.to_verilog()
