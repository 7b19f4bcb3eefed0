"""Multi-channel SC current source: inputs x weights, accumulated into one current per cycle."""

from __future__ import annotations

from typing import Any

import numpy as np

from sc_neurocore._encoder import check_range, fixed_seed, normalise
from sc_neurocore._kernels._layer import (
    and_streams,
    count_current_table,
    or_current_table,
    stream_current_table,
)
from sc_neurocore._rng import SeedLike, _check_seed, spawn_generators
from sc_neurocore._validation import check_choice, check_int

__all__ = ["BitstreamCurrentSource", "ACCUMULATION_MODES", "build_current_table", "expected_current"]

#: Ways of combining the product streams x_i AND w_i into one current.
ACCUMULATION_MODES: tuple[str, ...] = ("or", "count", "mux")


def expected_current(
    p_x: np.ndarray, p_w: np.ndarray, y_min: float, y_max: float, accumulation: str
) -> np.ndarray:
    r"""Theoretical mean current for normalised inputs ``p_x`` (n_in,) and weights ``p_w`` (..., n_in).

    * ``"or"``: :math:`y_\min + (y_\max - y_\min)\,(1 - \prod_i (1 - x_i w_i))`
    * ``"count"``: :math:`y_\min + (y_\max - y_\min) \sum_i x_i w_i`
    * ``"mux"``: :math:`y_\min + (y_\max - y_\min) \frac{1}{n} \sum_i x_i w_i`
    """
    prod = p_x * p_w
    if accumulation == "or":
        q = 1.0 - np.prod(1.0 - prod, axis=-1)
    elif accumulation == "count":
        q = prod.sum(axis=-1)
    else:
        q = prod.mean(axis=-1)
    return y_min + (y_max - y_min) * q


def build_current_table(
    p_x: np.ndarray,
    p_w: np.ndarray,
    length: int,
    y_min: float,
    y_max: float,
    accumulation: str,
    seed: SeedLike,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray | None]:
    """Encode inputs and weights, and precompute the per-cycle current of every source row.

    ``p_x`` (n_in,) are shared input probabilities, ``p_w`` (n_rows, n_in) the
    weight probabilities of each row.  ``seed`` is spawned into three
    independent children: input streams, weight streams (stream index =
    flat index into ``p_w``), and the MUX select lines (one child per row).

    Returns ``(table, x_words, w_words, out_words)``: the float64 current table
    (n_rows, length), the packed input (n_in, W) and weight (n_rows, n_in, W)
    streams, and for "or"/"mux" the packed output stream of each row
    (n_rows, W) (None for "count", whose output is a count, not a bit).
    """
    from sc_neurocore import bitstream as bs

    g_in, g_w, g_mux = spawn_generators(seed, 3)
    x_words = np.ascontiguousarray(bs.bernoulli(p_x, length, seed=g_in), dtype=np.uint64)
    w_words = np.ascontiguousarray(bs.bernoulli(p_w, length, seed=g_w), dtype=np.uint64)
    span = y_max - y_min
    out_words: np.ndarray | None
    if accumulation == "count":
        table = count_current_table(x_words, w_words, length, y_min, span)
        out_words = None
    elif accumulation == "or":
        table = or_current_table(x_words, w_words, length, y_min, span)
        prods = and_streams(x_words, w_words)
        out_words = np.bitwise_or.reduce(prods, axis=1)
    else:
        prods = and_streams(x_words, w_words)
        rows = []
        for r, g in enumerate(g_mux.spawn(p_w.shape[0])):
            rows.append(np.asarray(bs.mux_add(prods[r], length, fixed_seed(g)), dtype=np.uint64))
        out_words = np.ascontiguousarray(np.stack(rows))
        table = stream_current_table(out_words, length, y_min, span)
    return table, x_words, w_words, out_words


class BitstreamCurrentSource:
    r"""Input channels x synapses -> one scalar current per clock cycle.

    Every input ``x_i`` and weight ``w_i`` is normalised to a probability,
    :math:`p_{x,i} = (x_i - x_\min)/(x_\max - x_\min)` and
    :math:`p_{w,i} = (w_i - w_\min)/(w_\max - w_\min)`, and encoded as an
    independent Bernoulli stream of ``length`` cycles (inputs and weights use
    independent spawned children of ``seed``).  Each synapse is an AND gate;
    the products are accumulated per cycle ``t`` into the current
    :math:`I_t = y_\min + (y_\max - y_\min)\,a_t` with

    ``accumulation="or"`` (default)
        :math:`a_t = 1` if any product bit is 1 (an OR gate):
        :math:`E[I] = y_\min + (y_\max - y_\min)(1 - \prod_i (1 - p_{x,i} p_{w,i}))`.
        Saturating, bounded by ``y_max``: the tutorial's regime.
    ``accumulation="count"``
        :math:`a_t` = number of product bits that are 1 (exact parallel
        counter): :math:`E[I] = y_\min + (y_\max - y_\min)\sum_i p_{x,i} p_{w,i}`.
        Linear, but can exceed ``y_max`` (up to ``y_min + n (y_max - y_min)``).
    ``accumulation="mux"``
        :math:`a_t` = the product bit of one input chosen uniformly at random
        each cycle (scaled addition):
        :math:`E[I] = y_\min + (y_\max - y_\min)\frac1n\sum_i p_{x,i} p_{w,i}`.

    The whole per-cycle current is computed once at construction from the
    packed streams.  :meth:`step` returns the current of the present cycle and
    advances; after ``length`` cycles it wraps around to cycle 0 (the streams
    repeat), so long simulations reuse the same finite sample.

    Parameters
    ----------
    x_inputs : array_like, shape (n_inputs,)
        Input values in [x_min, x_max].
    x_min, x_max : float
        Input range.
    weight_values : array_like, shape (n_inputs,)
        Weights in [w_min, w_max].
    w_min, w_max : float
        Weight range.
    length : int
        Stream length L (cycles), >= 1.
    y_min, y_max : float
        Output current scale, ``y_min < y_max``.
    seed : None, int, SeedSequence or Generator
        Root seed of all streams of this source.
    accumulation : {"or", "count", "mux"}
        See above.
    """

    def __init__(
        self,
        x_inputs: Any,
        x_min: float = 0.0,
        x_max: float = 1.0,
        weight_values: Any = None,
        w_min: float = 0.0,
        w_max: float = 1.0,
        length: int = 1024,
        y_min: float = 0.0,
        y_max: float = 1.0,
        seed: SeedLike = None,
        accumulation: str = "or",
    ) -> None:
        self.x_min, self.x_max = check_range(x_min, x_max, "x_min", "x_max")
        self.w_min, self.w_max = check_range(w_min, w_max, "w_min", "w_max")
        self.y_min, self.y_max = check_range(y_min, y_max, "y_min", "y_max")
        self.length: int = check_int(length, "length", low=1)
        self.accumulation: str = check_choice(accumulation, "accumulation", ACCUMULATION_MODES)
        _check_seed(seed, "seed")
        p_x = normalise(x_inputs, "x_inputs", self.x_min, self.x_max, clip=False)
        if p_x.ndim != 1 or p_x.size == 0:
            raise ValueError(f"x_inputs must be a non-empty 1-D sequence; got shape {p_x.shape}")
        if weight_values is None:
            raise TypeError("weight_values must be given (one weight per input); got None")
        p_w = normalise(weight_values, "weight_values", self.w_min, self.w_max, clip=False)
        if p_w.shape != p_x.shape:
            raise ValueError(
                f"weight_values must have shape {p_x.shape} (one weight per input); got shape {p_w.shape}"
            )
        self.n_inputs: int = int(p_x.size)
        self.p_inputs: np.ndarray = p_x
        self.p_weights: np.ndarray = p_w
        table, self.input_words, w_words, out = build_current_table(
            p_x, p_w[None, :], self.length, self.y_min, self.y_max, self.accumulation,
            fixed_seed(seed),
        )
        self.weight_words: np.ndarray = w_words[0]
        #: packed output stream (n_words,) for "or"/"mux"; None for "count"
        self.output_words: np.ndarray | None = None if out is None else out[0]
        self._table: np.ndarray = table[0]
        self.cycle: int = 0

    def step(self) -> float:
        """Current of the present cycle; then advance one cycle (wrapping after ``length``)."""
        value = float(self._table[self.cycle])
        self.cycle = (self.cycle + 1) % self.length
        return value

    def currents(self) -> np.ndarray:
        """Per-cycle current of all ``length`` cycles, float64 (a copy)."""
        return self._table.copy()

    def full_current_estimate(self) -> float:
        """Mean current over the full stream length (the decoded stream value)."""
        return float(self._table.mean())

    def expected_current(self) -> float:
        """Theoretical mean current of the chosen accumulation mode (see class docstring)."""
        return float(
            expected_current(self.p_inputs, self.p_weights, self.y_min, self.y_max, self.accumulation)
        )

    def reset(self) -> None:
        """Back to cycle 0 (the streams are not regenerated)."""
        self.cycle = 0

    def __repr__(self) -> str:
        return (
            f"BitstreamCurrentSource(n_inputs={self.n_inputs}, length={self.length}, "
            f"accumulation={self.accumulation!r})"
        )
