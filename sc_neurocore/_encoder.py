"""Value -> bitstream encoder (the tutorial's simple byte-per-bit API over the packed engine)."""

from __future__ import annotations

from typing import Any

import numpy as np

from sc_neurocore._rng import SeedLike, _check_seed
from sc_neurocore._validation import (
    check_binary_array,
    check_bool,
    check_choice,
    check_count,
    check_finite_array,
    check_int,
    check_real,
)

__all__ = ["BitstreamEncoder", "bitstream_to_probability", "ENCODER_MODES"]

#: Stream generators accepted by ``mode`` (see conventions §3).
ENCODER_MODES: tuple[str, ...] = ("bernoulli", "lfsr", "sobol")


def fixed_seed(seed: SeedLike) -> Any:
    """A seed that gives the same key every time it is used.

    ints and SeedSequences already do; ``None`` becomes a fresh SeedSequence
    (fixed from then on); a Generator is consumed once for a 63-bit integer.
    """
    if seed is None:
        return np.random.SeedSequence()
    if isinstance(seed, np.random.Generator):
        return int(seed.integers(0, 2**63))
    return seed


def normalise(x: Any, name: str, lo: float, hi: float, clip: bool) -> np.ndarray:
    """``(x - lo) / (hi - lo)`` as float64; values outside [lo, hi] raise (or, with ``clip``, are clipped)."""
    arr = check_finite_array(x, name)
    if clip:
        arr = np.clip(arr, lo, hi)
    else:
        bad = (arr < lo) | (arr > hi)
        if bad.any():
            idx = tuple(int(i) for i in np.argwhere(bad)[0])
            where = f" at index {idx}" if arr.ndim else ""
            raise ValueError(f"{name} must be in [{lo}, {hi}]; got {arr[idx]}{where}")
    return (arr - lo) / (hi - lo)


def check_range(lo: Any, hi: Any, lo_name: str, hi_name: str) -> tuple[float, float]:
    """Validate an interval ``lo < hi`` of finite reals with a finite width ``hi - lo``."""
    a = check_real(lo, lo_name)
    b = check_real(hi, hi_name)
    if not a < b:
        raise ValueError(f"{hi_name} must be > {lo_name} ({a}); got {b}")
    if not np.isfinite(b - a):
        # the linear map (x - lo) / (hi - lo) would silently give 0 for every x
        raise ValueError(f"{hi_name} - {lo_name} must be finite (at most ~1.8e308); got {b} - {a} = inf")
    return a, b


def bitstream_to_probability(bits: Any) -> float:
    r"""Fraction of ones in a 0/1 stream (bool or integer array, any shape, non-empty).

    This is the unipolar decode :math:`\hat p = \frac1L \sum_t b_t`, whose standard
    error for a Bernoulli stream is :math:`\sqrt{p(1-p)/L}`.
    """
    if np.size(bits) == 0:
        raise ValueError("bits must be non-empty; got an empty array")
    arr = check_binary_array(bits, "bits")
    return float(np.count_nonzero(arr)) / arr.size


class BitstreamEncoder:
    r"""Encode values in ``[x_min, x_max]`` as stochastic bitstreams of ``length`` cycles.

    A value ``x`` becomes a stream whose probability of a 1 is
    :math:`p = (x - x_\min) / (x_\max - x_\min)`; :meth:`decode` inverts it
    from the fraction of ones.

    Unipolar and bipolar mappings are both this linear map: ``x_min=0,
    x_max=1`` is unipolar (:math:`p = x`), ``x_min=-1, x_max=1`` is the bipolar
    mapping :math:`p = (x + 1)/2` of conventions §3 (bits identical to
    ``bitstream.bernoulli(bitstream.to_unipolar(x), L, seed)``).  Bipolar
    multiplication is an XNOR: ``BitstreamSynapse(..., bipolar=True)``.

    Parameters
    ----------
    x_min, x_max : float
        Value range, ``x_min < x_max``.
    length : int
        Stream length L (clock cycles), >= 1.
    seed : None, int, SeedSequence or Generator
        ``mode="bernoulli"``: keys the counter hash.  Successive :meth:`encode`
        calls use successive stream indices, so they are independent of each
        other yet reproducible for a given seed and call order.
        ``mode="lfsr"``: the initial register state, an int in
        [1, 2^lfsr_width - 1] (None means 1); every call restarts from it.
        ``mode="sobol"``: must be None (the sequence is deterministic).
    mode : {"bernoulli", "lfsr", "sobol"}
        Stream generator (conventions §3).  Bernoulli error of the decoded
        value is :math:`\sqrt{p(1-p)/L}`; LFSR and Sobol are low-discrepancy
        and their error falls like 1/L.
    lfsr_width : int
        LFSR register width n in 3..32 (``mode="lfsr"`` only).
    sobol_dimension : int
        Sobol dimension (``mode="sobol"`` only); 0 is van der Corput.
    clip : bool
        If True, values outside [x_min, x_max] are clipped to the range;
        by default they raise ValueError.
    """

    def __init__(
        self,
        x_min: float = 0.0,
        x_max: float = 1.0,
        length: int = 1024,
        seed: SeedLike = None,
        mode: str = "bernoulli",
        *,
        lfsr_width: int = 16,
        sobol_dimension: int = 0,
        clip: bool = False,
    ) -> None:
        self.x_min, self.x_max = check_range(x_min, x_max, "x_min", "x_max")
        self.length: int = check_count(length, "length", low=1)
        self.mode: str = check_choice(mode, "mode", ENCODER_MODES)
        self.lfsr_width: int = check_int(lfsr_width, "lfsr_width", low=3, high=32)
        self.sobol_dimension: int = check_int(sobol_dimension, "sobol_dimension", low=0)
        from sc_neurocore.bitstream import SOBOL_MAX_DIMENSION

        if self.sobol_dimension > SOBOL_MAX_DIMENSION:
            raise ValueError(
                f"sobol_dimension must be an integer in [0, {SOBOL_MAX_DIMENSION}]; "
                f"got {self.sobol_dimension}"
            )
        self.clip = check_bool(clip, "clip")
        _check_seed(seed, "seed")
        if self.mode == "lfsr":
            state = 1 if seed is None else seed
            self._seed: Any = check_int(state, "seed", low=1, high=2**self.lfsr_width - 1)
        elif self.mode == "sobol":
            if seed is not None:
                raise ValueError(
                    f"seed must be None for mode='sobol' (the sequence is deterministic); got {seed!r}"
                )
            self._seed = None
        else:
            self._seed = fixed_seed(seed)
        self._next_stream = 0

    def probability(self, x: Any) -> np.ndarray:
        """The encoding probability ``(x - x_min) / (x_max - x_min)`` (validated)."""
        return normalise(x, "x", self.x_min, self.x_max, self.clip)

    def encode_packed(self, x: Any) -> np.ndarray:
        """Packed streams (uint64, shape ``x.shape + (n_words,)``, LSB first) for value(s) ``x``."""
        from sc_neurocore import bitstream as bs

        p = self.probability(x)
        if self.mode == "bernoulli":
            words = bs.bernoulli(p, self.length, seed=self._seed, stream_offset=self._next_stream)
            self._next_stream += max(int(p.size), 1)
        elif self.mode == "lfsr":
            words = bs.lfsr(p, self.length, width=self.lfsr_width, seed=self._seed)
        else:
            words = bs.sobol(p, self.length, dimension=self.sobol_dimension)
        return np.asarray(words, dtype=np.uint64)

    def encode(self, x: Any) -> np.ndarray:
        """Bits of value(s) ``x``: uint8 0/1, shape ``(length,)`` for a scalar (``x.shape + (length,)``)."""
        from sc_neurocore import bitstream as bs

        return np.asarray(bs.unpack(self.encode_packed(x), self.length), dtype=np.uint8)

    def decode(self, bits: Any) -> float | np.ndarray:
        """Value estimate ``x_min + (x_max - x_min) * mean(bits)`` along the last axis."""
        from sc_neurocore import bitstream as bs
        from sc_neurocore.bitstream._packing import pack_checked

        arr = check_binary_array(bits, "bits")
        if arr.ndim == 0 or arr.shape[-1] == 0:
            raise ValueError(f"bits must have a non-empty last axis; got shape {arr.shape}")
        # ones / L, counted packed (~20x faster than arr.mean); the same float64 as the mean,
        # whose sum of 0/1 values is exact, so both are the correctly rounded quotient
        p = np.divide(bs.popcount(pack_checked(arr)), arr.shape[-1])
        val = self.x_min + (self.x_max - self.x_min) * p
        return float(val) if np.ndim(val) == 0 else val

    def __repr__(self) -> str:
        return (
            f"BitstreamEncoder(x_min={self.x_min}, x_max={self.x_max}, length={self.length}, "
            f"mode={self.mode!r})"
        )
