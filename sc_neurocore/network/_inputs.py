"""External inputs: Poisson generators, bit matrices / bitstreams and currents (private; re-exported).

Step ``t`` of every input is the network's absolute step ``t`` (counted from
the network's creation; resumed runs continue the count).  Jump inputs
(Poisson, binary, bitstream) add their ``amplitude`` to the target's membrane
potential on the step they fire, through the same ring slot as recurrent
input, so they are discarded while the target is refractory.  Currents ``I``
enter the Euler step as ``dt * I`` (``I`` in potential units per ms).

Inputs own their arrays: the constructors copy them and mark them read-only,
so an input added to a network cannot be edited in place behind its back.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._rng import SeedLike, key_from_seed
from .._validation import check_binary_array, check_count, check_finite_array, check_int, check_real
from ._population import check_f32, frozen

__all__ = ["PoissonInput", "BinaryInput", "BitstreamInput", "Current"]

#: Neuron ids and input indices are int32 in the simulation kernels.
_MAX_INT32 = 2**31 - 1


def _targets(targets: Any, n_in: int) -> np.ndarray:
    if targets is None:
        return frozen(np.arange(n_in, dtype=np.int32))
    t = np.asarray(targets)
    if t.ndim != 1 or (t.size and not np.issubdtype(t.dtype, np.integer)):
        raise ValueError(f"targets must be a 1-d integer array; got shape {t.shape} dtype {t.dtype}")
    if t.shape != (n_in,):
        raise ValueError(f"targets must have shape ({n_in},) (one target per input); got shape {t.shape}")
    if n_in and (t.min() < 0 or t.max() > _MAX_INT32):
        bad = int(t.min() if t.min() < 0 else t.max())
        raise ValueError(f"targets must be in [0, {_MAX_INT32}] (int32 neuron ids); got {bad}")
    return frozen(t.astype(np.int32))


def _amplitude(value: Any) -> float:
    a = check_real(value, "amplitude")
    check_f32(a, "amplitude")
    return a


def _pack_rows(bits: np.ndarray) -> np.ndarray:
    """(R, L) uint8 0/1 -> (R, ceil(L/64)) uint64, LSB first (conventions §1)."""
    r, length = bits.shape
    n_words = (length + 63) // 64
    padded = np.zeros((r, n_words * 64), dtype=np.uint8)
    padded[:, :length] = bits
    by = np.packbits(padded.reshape(r, n_words * 8, 8), axis=2, bitorder="little").reshape(r, n_words * 8)
    return np.ascontiguousarray(by).view("<u8").astype(np.uint64)


class PoissonInput:
    """Independent Poisson spike generators, one per target neuron.

    Generator ``q`` fires on step ``t`` when ``uniform01(key, q, t) < rate[q] * dt / 1000``
    (Bernoulli per step, the discrete-time Poisson process), and then adds
    ``amplitude`` to neuron ``targets[q]``.

    Parameters
    ----------
    rates_hz : float or array
        Rates in Hz (>= 0), one per generator; a scalar needs ``n``.
    amplitude : float
        Jump added to the target's potential per input spike.
    n : int, optional
        Number of generators (``1 <= n <= 2**31 - 1``) when ``rates_hz`` is a
        scalar; with an array it must be None or ``len(rates_hz)``.
    targets : array of int, optional
        Target neuron of each generator (default ``0 .. n_inputs - 1``).
    seed : None, int, SeedSequence or Generator
    """

    def __init__(self, rates_hz: Any, amplitude: float, *, n: int | None = None, targets: Any = None,
                 seed: SeedLike = None) -> None:
        if np.ndim(rates_hz) == 0:
            if n is None:
                raise ValueError("n must be given when rates_hz is a scalar; got None")
            n = check_int(n, "n", low=1, high=_MAX_INT32)
            r = check_real(rates_hz, "rates_hz", low=0.0)
            self.rates_hz = np.full(n, r)
        else:
            self.rates_hz = check_finite_array(rates_hz, "rates_hz", ndim=1)
            m = self.rates_hz.shape[0]
            if m > _MAX_INT32:
                raise ValueError(f"rates_hz must have at most {_MAX_INT32} entries; got {m}")
            if n is not None and check_int(n, "n", low=1, high=_MAX_INT32) != m:
                raise ValueError(f"n must be None or equal len(rates_hz) = {m}; got {n}")
            if (self.rates_hz < 0).any():
                i = int(np.argmax(self.rates_hz < 0))
                raise ValueError(f"rates_hz must be >= 0; got {self.rates_hz[i]} at index {i}")
        frozen(self.rates_hz)
        self.amplitude = _amplitude(amplitude)
        self.targets = _targets(targets, self.rates_hz.shape[0])
        self.key = frozen(key_from_seed(seed))


class BinaryInput:
    """Binary ``(n_inputs, T)`` matrix: a 1 at ``[q, t]`` adds ``amplitude`` to ``targets[q]`` on step ``t``.

    This is the reservoir package's ``input_spike_times``; by default input row
    ``q`` drives neuron ``q`` (the first rows' neurons).  Steps ``>= T`` inject
    nothing.
    """

    def __init__(self, matrix: Any, amplitude: float, *, targets: Any = None) -> None:
        self._init_bits(matrix, amplitude, targets, "matrix")

    def _init_bits(self, matrix: Any, amplitude: float, targets: Any, name: str) -> None:
        bits = check_binary_array(matrix, name)
        if bits.ndim != 2:
            raise ValueError(f"{name} must be 2-dimensional (inputs x time); got shape {bits.shape}")
        self.length = int(bits.shape[1])
        self.packed = frozen(_pack_rows(bits))
        self.amplitude = _amplitude(amplitude)
        self.targets = _targets(targets, bits.shape[0])


class BitstreamInput(BinaryInput):
    """Stochastic-computing bitstreams as spike input: bit ``t`` of stream ``q`` is a spike on step ``t``.

    ``streams`` is either unpacked ``(n_inputs, L)`` 0/1 (uint8/bool) or packed
    ``uint64`` ``(n_inputs, ceil(L/64))`` (conventions §1, zero padding bits)
    with ``length=L``.
    """

    def __init__(self, streams: Any, amplitude: float, *, length: int | None = None,
                 targets: Any = None) -> None:
        arr = np.asarray(streams)
        if arr.dtype == np.uint64:
            if arr.ndim != 2:
                raise ValueError(f"streams must be 2-dimensional; got shape {arr.shape}")
            if length is None:
                raise ValueError("length must be given for packed uint64 streams; got None")
            length = check_count(length, "length")
            if arr.shape[1] != (length + 63) // 64:
                raise ValueError(f"streams must have {(length + 63) // 64} words per row for length "
                                 f"{length}; "
                                 f"got {arr.shape[1]}")
            packed = np.ascontiguousarray(arr).copy()
            if length % 64 and packed.shape[0]:
                pad = np.uint64(~((1 << (length % 64)) - 1) & (2**64 - 1))
                bad = (packed[:, -1] & pad) != 0
                if bad.any():
                    q = int(np.argmax(bad))
                    raise ValueError(f"streams must have zero padding bits (positions >= {length % 64}) in "
                                     f"their last word; got last word {int(packed[q, -1]):#x} of stream {q}")
            self.length = length
            self.packed = frozen(packed)
            self.amplitude = _amplitude(amplitude)
            self.targets = _targets(targets, arr.shape[0])
        else:
            self._init_bits(arr, amplitude, targets, "streams")
            if length is not None and check_count(length, "length") != self.length:
                raise ValueError(f"length must equal streams.shape[1] = {self.length}; got {length}")


class Current:
    """Injected current ``I`` (potential units per ms), entering the Euler step as ``dt * I``.

    ``values`` is

    * a scalar: the same constant current for every target;
    * an ``(N,)`` array with ``time_varying=False``: one constant current per
      neuron of an ``N``-neuron network (``targets`` must be None);
    * a ``(T,)`` array with ``time_varying=True``: a ``T``-step time course,
      the same for every target;
    * a ``(T, N)`` array: a time course per neuron (``targets`` must be None).

    A 1-d array means either of two things, so its meaning must be stated
    with ``time_varying``; without it the constructor raises (it used to be
    guessed from the network size, which silently turned a wrong-length
    per-neuron array into a time course).  ``targets`` (default: all
    neurons) selects which neurons a scalar or ``(T,)`` current reaches.
    Time-varying currents are zero from step ``T`` on.  After construction
    ``time_varying`` is a bool and ``values`` a read-only float64 copy.
    """

    def __init__(self, values: Any, *, targets: Any = None, time_varying: bool | None = None) -> None:
        arr = check_finite_array(values, "values")
        check_f32(arr, "values")
        if arr.ndim > 2:
            raise ValueError(f"values must be a scalar, (N,), (T,) or (T, N) array; got shape {arr.shape}")
        if targets is not None:
            t = np.asarray(targets)
            if t.ndim != 1 or (t.size and not np.issubdtype(t.dtype, np.integer)):
                raise ValueError(f"targets must be a 1-d integer array; got shape {t.shape} dtype {t.dtype}")
            if t.size and (t.min() < 0 or t.max() > _MAX_INT32):
                bad = int(t.min() if t.min() < 0 else t.max())
                raise ValueError(f"targets must be in [0, {_MAX_INT32}] (int32 neuron ids); got {bad}")
            self.targets: np.ndarray | None = frozen(t.astype(np.int64))
        else:
            self.targets = None
        if time_varying is not None and not isinstance(time_varying, (bool, np.bool_)):
            raise TypeError(f"time_varying must be a bool or None; got {type(time_varying).__name__} "
                            f"{time_varying!r}")
        implied = arr.ndim == 2 if arr.ndim != 1 else None  # scalar: constant; (T, N): time-varying
        if time_varying is None:
            if implied is None:
                raise ValueError(
                    f"time_varying must be given for a 1-d values array of {arr.shape[0]} entries: it reads "
                    f"either as one constant current per neuron of a network of {arr.shape[0]} neurons "
                    f"(time_varying=False) or as a time course of {arr.shape[0]} steps for every target "
                    "(time_varying=True); got None")
            time_varying = implied
        elif implied is not None and bool(time_varying) != implied:
            raise ValueError(f"time_varying must be {implied} (or None) for values of shape {arr.shape}; "
                             f"got {bool(time_varying)}")
        if self.targets is not None and arr.ndim == 1 and not time_varying:
            raise ValueError("targets must be None for an (N,) constant current (time_varying=False); "
                             f"got {self.targets.shape[0]} targets")
        if self.targets is not None and arr.ndim == 2:
            raise ValueError("targets must be None for a (T, N) current; "
                             f"got {self.targets.shape[0]} targets")
        self.values = frozen(arr)
        self.time_varying = bool(time_varying)

    def resolve(self, n: int) -> tuple[np.ndarray | None, np.ndarray | None]:
        """``(constant (N,), time-varying (T, N))`` float32 contributions for a network of ``n`` neurons."""
        a = self.values
        mask = np.zeros(n, dtype=np.float32)
        if self.targets is None:
            mask[:] = 1.0
        else:
            if self.targets.size and self.targets.max() >= n:
                raise ValueError(f"targets must be in [0, {n - 1}]; got {int(self.targets.max())}")
            mask[self.targets] = 1.0
        if a.ndim == 0:
            return (mask * np.float32(a)).astype(np.float32), None
        if a.ndim == 1 and not self.time_varying:
            if a.shape[0] != n:
                raise ValueError(f"values must have shape ({n},) for a constant current per neuron "
                                 f"(time_varying=False) of this {n}-neuron network; got shape {a.shape}")
            return a.astype(np.float32), None
        if a.ndim == 1:
            return None, (a[:, None].astype(np.float32) * mask[None, :]).astype(np.float32)
        if a.shape[1] != n:
            raise ValueError(f"values must have shape (T, {n}); got shape {a.shape}")
        return None, a.astype(np.float32)
