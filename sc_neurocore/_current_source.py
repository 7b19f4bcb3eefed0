"""Multi-channel SC current source: inputs x weights, accumulated into one current per cycle."""

from __future__ import annotations

from typing import Any

import numpy as np

from sc_neurocore._encoder import check_range, normalise
from sc_neurocore._kernels._hash import prob_thresholds
from sc_neurocore._kernels._layer import (
    count_planes,
    input_words,
    mux_planes,
    or_planes,
    plane_sums,
    plane_values,
)
from sc_neurocore._rng import SeedLike, _check_seed, spawn_keys
from sc_neurocore._validation import check_choice, check_count

__all__ = [
    "ACCUMULATION_MODES",
    "BitstreamCurrentSource",
    "PlaneTable",
    "bernoulli_thresholds",
    "expected_current",
]

#: Ways of combining the product streams x_i AND w_i into one current.
ACCUMULATION_MODES: tuple[str, ...] = ("or", "count", "mux")


def expected_current(
    p_x: np.ndarray, p_w: np.ndarray, y_min: float, y_max: float, accumulation: str
) -> np.ndarray:
    r"""Theoretical mean current for normalised inputs ``p_x`` (n_in,) and weights ``p_w`` (..., n_in).

    * ``"or"``: :math:`y_\min + (y_\max - y_\min)\,(1 - \prod_i (1 - x_i w_i))`
    * ``"count"``: :math:`y_\min + (y_\max - y_\min) \sum_i x_i w_i`
    * ``"mux"``: :math:`y_\min + (y_\max - y_\min) \frac{1}{n} \sum_i x_i w_i`

    (``x_i``, ``w_i`` are the stream probabilities; exact for the quantised
    probabilities ``round(p 2^32) / 2^32`` of the Bernoulli streams.)
    """
    prod = p_x * p_w
    if accumulation == "or":
        q = 1.0 - np.prod(1.0 - prod, axis=-1)
    elif accumulation == "count":
        q = prod.sum(axis=-1)
    else:
        q = prod.mean(axis=-1)
    return y_min + (y_max - y_min) * q


def bernoulli_thresholds(p: np.ndarray) -> np.ndarray:
    """Conventions §3 thresholds ``T = round(p * 2^32)`` (half to even) as C-contiguous uint64."""
    return prob_thresholds(p, 32)


def n_count_planes(n_inputs: int) -> int:
    """Bit planes needed for a count in ``0 .. n_inputs``: ``bit_length(n_inputs)``."""
    return max(int(n_inputs).bit_length(), 1)


class PlaneTable:
    """Packed accumulator planes of one or more source rows, built lazily word by word.

    ``p_x`` (n_in,) are the shared input probabilities, ``p_w`` (n_rows, n_in)
    the weight probabilities of each row.  ``seed`` gives three independent
    spawned keys ``spawn_keys(seed, 3)``: the input streams (stream index
    ``i``), the weight streams (stream index ``r * n_in + i``) and the MUX
    selects (domain ``r``, counter ``t``); see :mod:`sc_neurocore._kernels._layer`.

    ``planes`` (uint64, (n_rows, n_planes, W)) holds the per-cycle accumulated
    integer ``a_t`` bit-sliced; only words ``0 .. ready-1`` are valid.  The
    input streams are built at once (they are shared and cheap); the per-row
    planes on demand by :meth:`ensure`, so a run of T < L steps never draws the
    weight bits of cycles it does not reach.  The bits do not depend on the
    order in which words are built.
    """

    def __init__(
        self, p_x: np.ndarray, p_w: np.ndarray, length: int, accumulation: str, seed: SeedLike
    ) -> None:
        self.keys = spawn_keys(seed, 3)
        self.length = length
        self.n_words = -(-length // 64)
        self.accumulation = accumulation
        self.x_words = input_words(bernoulli_thresholds(p_x), self.keys[0, 0], self.keys[0, 1], length)
        self.w_thr = bernoulli_thresholds(np.atleast_2d(p_w))
        n_planes = n_count_planes(p_x.size) if accumulation == "count" else 1
        self.planes = np.zeros((self.w_thr.shape[0], n_planes, self.n_words), dtype=np.uint64)
        self.ready = 0

    def ensure(self, n_words: int) -> np.ndarray:
        """Build words ``ready .. n_words-1`` (capped at W) of every row; return ``planes``."""
        stop = min(n_words, self.n_words)
        if stop > self.ready:
            k = self.keys
            if self.accumulation == "or":
                or_planes(self.x_words, self.w_thr, k[1, 0], k[1, 1], self.planes, self.ready, stop)
            elif self.accumulation == "count":
                count_planes(self.x_words, self.w_thr, k[1, 0], k[1, 1], self.planes, self.ready, stop)
            else:
                mux_planes(self.x_words, self.w_thr, k[1, 0], k[1, 1], k[2, 0], k[2, 1], self.length,
                           self.planes, self.ready, stop)
            self.ready = stop
        return self.planes

    def ensure_cycles(self, cycle0: int, n_steps: int) -> np.ndarray:
        """Make the words of cycles ``cycle0 .. cycle0 + n_steps - 1`` (mod L) valid."""
        end = cycle0 % self.length + n_steps
        return self.ensure(self.n_words if end > self.length else -(-end // 64))

    def full(self) -> np.ndarray:
        """All words of every row."""
        return self.ensure(self.n_words)


class BitstreamCurrentSource:
    r"""Input channels x synapses -> one scalar current per clock cycle.

    Every input ``x_i`` and weight ``w_i`` is normalised to a probability,
    :math:`p_{x,i} = (x_i - x_\min)/(x_\max - x_\min)` and
    :math:`p_{w,i} = (w_i - w_\min)/(w_\max - w_\min)`, and encoded as an
    independent Bernoulli stream of ``length`` cycles.  Each synapse is an AND
    gate (:math:`P(x_i \wedge w_i) = p_{x,i} p_{w,i}`); the products of cycle
    ``t`` are accumulated into an integer :math:`a_t` and the current is
    :math:`I_t = y_\min + (y_\max - y_\min)\,a_t`.

    ``accumulation="or"`` (default): saturating OR
        :math:`a_t = 1` if any product bit is 1:
        :math:`E[I] = y_\min + (y_\max - y_\min)\,(1 - \prod_i (1 - p_{x,i} p_{w,i}))`.
        Bounded by ``y_max``, so ``y_min``/``y_max`` keep their meaning as the
        output range; with a few strong inputs it sits near ``y_max``.  This is
        the regime the tutorial describes (its dense-layer neurons fire at
        tens of Hz and its layer-1 rates stay below ``x_max = 0.1``
        spikes/ms of layer 2), hence the default.
    ``accumulation="count"``: exact parallel count
        :math:`a_t = \sum_i [x_{i,t} \wedge w_{i,t}]`:
        :math:`E[I] = y_\min + (y_\max - y_\min)\sum_i p_{x,i} p_{w,i}`.
        Linear in every product, but reaches up to
        :math:`y_\min + n (y_\max - y_\min)`.
    ``accumulation="mux"``: MUX scaled addition
        :math:`a_t` = the product bit of one input selected uniformly at random
        each cycle: :math:`E[I] = y_\min + (y_\max - y_\min)\frac1n\sum_i p_{x,i} p_{w,i}`.
        Unbiased for the mean but shrinks the current by ``1/n``: in the
        tutorial's examples it stays below threshold and nothing fires.

    The accumulated values are held packed as bit planes (one plane for
    "or"/"mux", ``bit_length(n)`` for "count"), built word by word as the
    cycles are reached (:class:`PlaneTable`).  :meth:`step` returns the
    current of the present cycle and advances one cycle; after ``length``
    cycles it wraps around to cycle 0 (the same finite streams repeat).

    Parameters
    ----------
    x_inputs : array_like, shape (n_inputs,)
        Input values in [x_min, x_max].
    x_min, x_max : float
        Input range, ``x_min < x_max``.
    weight_values : array_like, shape (n_inputs,)
        Weights in [w_min, w_max].
    w_min, w_max : float
        Weight range, ``w_min < w_max``.
    length : int
        Stream length L (cycles), >= 1.
    y_min, y_max : float
        Output current scale (model units), ``y_min < y_max``; the default
        0..0.1 is the tutorial's range (a default neuron, tau 20 ms and
        threshold 1, fires at 0..72 Hz for currents in it).
    seed : None, int, SeedSequence or Generator
        Root seed; ``spawn_keys(seed, 3)`` keys the input streams (index ``i``),
        the weight streams (index ``i``) and the MUX selects (domain 0).
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
        y_max: float = 0.1,
        seed: SeedLike = None,
        accumulation: str = "or",
    ) -> None:
        self.x_min, self.x_max = check_range(x_min, x_max, "x_min", "x_max")
        self.w_min, self.w_max = check_range(w_min, w_max, "w_min", "w_max")
        self.y_min, self.y_max = check_range(y_min, y_max, "y_min", "y_max")
        self.length: int = check_count(length, "length", low=1)
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
        self._span = self.y_max - self.y_min
        self._table = PlaneTable(p_x, p_w[None, :], self.length, self.accumulation, seed)
        #: packed input streams, uint64 (n_inputs, n_words)
        self.input_words: np.ndarray = self._table.x_words
        self.cycle: int = 0

    @property
    def planes(self) -> np.ndarray:
        """Accumulated value ``a_t`` bit-sliced and packed: uint64 (n_planes, n_words)."""
        return self._table.full()[0]

    @property
    def weight_words(self) -> np.ndarray:
        """Packed weight streams, uint64 (n_inputs, n_words) (generated on request)."""
        k = self._table.keys[1]
        return input_words(bernoulli_thresholds(self.p_weights), k[0], k[1], self.length)

    @property
    def output_words(self) -> np.ndarray | None:
        """Packed output stream (n_words,) for "or"/"mux" (a bit per cycle); None for "count"."""
        return None if self.accumulation == "count" else self.planes[0].copy()

    def step(self) -> float:
        """Current of the present cycle, ``y_min + (y_max - y_min) a_t``; then advance one cycle."""
        c = self.cycle
        w, b = c >> 6, c & 63
        planes = self._table.ensure(w + 1)[0]
        a = 0
        for k in range(planes.shape[0]):
            a += int((int(planes[k, w]) >> b) & 1) << k
        self.cycle = (c + 1) % self.length
        return self.y_min + self._span * float(a)

    def currents(self) -> np.ndarray:
        """Per-cycle current of all ``length`` cycles, float64 (length,) (unpacked, for inspection)."""
        a = plane_values(self._table.full(), self.length)[0]
        return self.y_min + self._span * a.astype(np.float64)

    def full_current_estimate(self) -> float:
        """Mean current over the full stream, ``y_min + (y_max - y_min) sum_t a_t / L`` (popcounts only)."""
        total = int(plane_sums(self._table.full())[0])
        return self.y_min + self._span * total / self.length

    def expected_current(self) -> float:
        """Theoretical mean current of the chosen accumulation mode (see the class docstring)."""
        return float(
            expected_current(self.p_inputs, self.p_weights, self.y_min, self.y_max, self.accumulation)
        )

    def reset(self) -> None:
        """Back to cycle 0 (the streams are not regenerated, so the currents repeat)."""
        self.cycle = 0

    def __repr__(self) -> str:
        return (
            f"BitstreamCurrentSource(n_inputs={self.n_inputs}, length={self.length}, "
            f"y_min={self.y_min}, y_max={self.y_max}, accumulation={self.accumulation!r})"
        )
