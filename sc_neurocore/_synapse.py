"""Bitstream synapse: multiplication of a presynaptic stream by an encoded weight."""

from __future__ import annotations

from typing import Any

import numpy as np

from sc_neurocore._encoder import BitstreamEncoder, check_range
from sc_neurocore._rng import SeedLike
from sc_neurocore._validation import check_binary_array, check_bool, check_real

__all__ = ["BitstreamSynapse"]


class BitstreamSynapse:
    r"""A weight ``w`` in ``[w_min, w_max]`` held as a bitstream; :meth:`apply` multiplies by it.

    The weight stream has probability :math:`p_w = (w - w_\min)/(w_\max - w_\min)`.

    * unipolar (default): ``out = pre AND weight``, so
      :math:`P(out) = P(pre)\,p_w` when the streams are independent;
    * ``bipolar=True``: values are read as :math:`x = 2p - 1 \in [-1, 1]` and
      ``out = pre XNOR weight``, so :math:`x_{out} = x_{pre}\,x_w`.

    Parameters
    ----------
    w_min, w_max : float
        Weight range, ``w_min < w_max``.
    length : int
        Stream length L, >= 1; :meth:`apply` needs streams of this length.
    w : float or None
        The weight; None means ``w_max`` (a transparent synapse).
    seed : None, int, SeedSequence or Generator
        Seed of the weight stream (see :class:`~sc_neurocore.BitstreamEncoder`).
        Use a seed different from the presynaptic encoder's: streams from the
        same key and stream index are identical, and AND of identical streams
        gives ``min(p, q)``, not ``p * q``.
    mode : {"bernoulli", "lfsr", "sobol"}
        Generator of the weight stream.
    bipolar : bool
        XNOR (bipolar) instead of AND (unipolar) multiplication.
    """

    def __init__(
        self,
        w_min: float = 0.0,
        w_max: float = 1.0,
        length: int = 1024,
        w: float | None = None,
        seed: SeedLike = None,
        mode: str = "bernoulli",
        bipolar: bool = False,
    ) -> None:
        self.w_min, self.w_max = check_range(w_min, w_max, "w_min", "w_max")
        w_val = self.w_max if w is None else check_real(w, "w", low=self.w_min, high=self.w_max)
        self.bipolar = check_bool(bipolar, "bipolar")
        self.w: float = w_val
        self._encoder = BitstreamEncoder(self.w_min, self.w_max, length, seed=seed, mode=mode)
        self.length: int = self._encoder.length
        self.mode: str = mode
        #: packed weight stream, uint64 (n_words,)
        self.weight_words: np.ndarray = self._encoder.encode_packed(w_val)

    @property
    def p_weight(self) -> float:
        """Probability of a 1 in the weight stream."""
        return (self.w - self.w_min) / (self.w_max - self.w_min)

    def weight_bits(self) -> np.ndarray:
        """The weight stream as uint8 bits, shape (length,)."""
        from sc_neurocore import bitstream as bs

        return np.asarray(bs.unpack(self.weight_words, self.length), dtype=np.uint8)

    def apply_packed(self, pre_words: Any) -> np.ndarray:
        """Packed form of :meth:`apply`: ``pre_words`` uint64 (..., n_words)."""
        from sc_neurocore import bitstream as bs

        pre = np.asarray(pre_words)
        n_words = -(-self.length // 64)
        if pre.dtype != np.uint64 or pre.ndim == 0 or pre.shape[-1] != n_words:
            raise ValueError(
                f"pre_words must be a uint64 array with last axis {n_words}; "
                f"got dtype {pre.dtype}, shape {pre.shape}"
            )
        from sc_neurocore.bitstream._packing import check_words

        pre = check_words(pre, "pre_words", self.length)  # padding bits must be 0
        if self.bipolar:
            return np.asarray(bs.sc_xnor(pre, self.weight_words, self.length))
        return np.asarray(bs.sc_and(pre, self.weight_words))

    def apply(self, pre_bits: Any) -> np.ndarray:
        """Multiply presynaptic bits (0/1, last axis of size ``length``) by the weight; uint8 out."""
        from sc_neurocore import bitstream as bs
        from sc_neurocore.bitstream._packing import pack_checked

        arr = check_binary_array(pre_bits, "pre_bits")
        if arr.ndim == 0 or arr.shape[-1] != self.length:
            raise ValueError(f"pre_bits must have last axis of size {self.length}; got shape {arr.shape}")
        out = self.apply_packed(pack_checked(arr))
        return np.asarray(bs.unpack(out, self.length), dtype=np.uint8)

    def __repr__(self) -> str:
        return (
            f"BitstreamSynapse(w={self.w}, w_min={self.w_min}, w_max={self.w_max}, "
            f"length={self.length}, bipolar={self.bipolar})"
        )
