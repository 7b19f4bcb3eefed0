"""LIF populations as parameter arrays (private; re-exported by ``sc_neurocore.network``)."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._validation import check_bool, check_dt_ms, check_int, check_real

__all__ = ["Population"]

#: Neuron ids are int32 in the simulation kernels.
_MAX_NEURONS = 2**31 - 1
#: Potentials, weights, amplitudes and currents are float32 in the kernels.
F32_MAX = float(np.finfo(np.float32).max)


def check_f32(value: Any, name: str) -> None:
    """Raise unless every entry of ``value`` (already finite float) fits float32 (``|x| <= F32_MAX``)."""
    arr = np.asarray(value, dtype=np.float64)
    bad = np.abs(arr) > F32_MAX
    if bad.any():
        idx = tuple(int(i) for i in np.argwhere(bad)[0])
        where = f" at index {idx[0] if len(idx) == 1 else idx}" if arr.ndim else ""
        raise ValueError(f"{name} must be in [-{F32_MAX:.7g}, {F32_MAX:.7g}] (float32 range); "
                         f"got {arr[idx]}{where}")


def _param(value: Any, name: str, n: int, *, positive: bool = False, nonneg: bool = False,
           f32: bool = False) -> np.ndarray:
    """Scalar or length-``n`` array -> float64 array of length ``n`` (validated; ``f32``: fits float32)."""
    if np.ndim(value) == 0:
        v = check_real(value, name, low=0.0 if (positive or nonneg) else None, low_open=positive)
        if f32:
            check_f32(v, name)
        return np.full(n, v, dtype=np.float64)
    arr = np.asarray(value)
    if arr.dtype == object or arr.dtype == np.bool_ or not (
        np.issubdtype(arr.dtype, np.integer) or np.issubdtype(arr.dtype, np.floating)
    ):
        raise TypeError(f"{name} must be a real number or an array of real numbers; got dtype {arr.dtype}")
    if arr.shape != (n,):
        raise ValueError(f"{name} must be a scalar or have shape ({n},); got shape {arr.shape}")
    arr = arr.astype(np.float64)
    bad = ~np.isfinite(arr)
    if positive:
        bad |= arr <= 0
    elif nonneg:
        bad |= arr < 0
    if bad.any():
        i = int(np.argmax(bad))
        allowed = "finite and > 0" if positive else ("finite and >= 0" if nonneg else "finite")
        raise ValueError(f"{name} must be {allowed}; got {arr[i]} at index {i}")
    if f32:
        check_f32(arr, name)
    return arr


def _item(value: Any) -> Any:
    """The element of a 0-d array as a numpy scalar (anything else unchanged) for the constructor's checks."""
    return np.asarray(value)[()]


def frozen(a: np.ndarray) -> np.ndarray:
    """Mark ``a`` (an array the caller owns) read-only and return it."""
    a.flags.writeable = False
    return a


class Population:
    """``n`` leaky integrate-and-fire neurons stored as parameter arrays.

    Every parameter is a scalar (shared) or an array of shape ``(n,)``.
    Potentials are in model units ("mV" if you like), times in ms.

    A Population is immutable: its arrays are read-only copies of the
    arguments and its attributes cannot be reassigned, so networks can share
    it safely (build a new Population to change a parameter).

    Parameters
    ----------
    n : int
        Number of neurons, ``1 <= n <= 2**31 - 1`` (neuron ids are int32).
    v_rest, v_reset, threshold : float or array
        Resting potential (the leak pulls ``v`` towards it), reset potential and
        firing threshold.  ``threshold > v_reset`` is required.
    tau_m : float or array
        Membrane time constant in ms (> 0).
    refractory : float or array
        Absolute refractory period in ms (>= 0), ``R = round(refractory / dt)``
        steps, with Brian2's meaning: a neuron that spikes on step ``t`` is
        held at ``v_reset`` (input discarded) on steps ``t + 1 .. t + R - 1``
        and integrates again from step ``t + R``, so consecutive spikes are at
        least ``max(R, 1)`` steps = ``refractory`` ms apart.
    dt : float
        Time step in ms, in ``[1e-12, 1e9]`` (``DT_MS_RANGE``).  Forward Euler needs
        ``dt < tau_m / 10`` for every neuron unless ``allow_large_dt=True``.
    n_exc : int, optional
        Neurons ``0 .. n_exc - 1`` are excitatory, the rest inhibitory (default:
        all excitatory).  Used by the weight helpers of the builders.
    v_init : float or array, optional
        Initial membrane potential (default ``v_rest``).
    allow_large_dt : bool
        Skip the ``dt < tau_m / 10`` check.
    """

    def __init__(
        self,
        n: int,
        *,
        v_rest: Any = 0.0,
        v_reset: Any = 0.0,
        threshold: Any = 1.0,
        tau_m: Any = 20.0,
        refractory: Any = 2.0,
        dt: float = 0.1,
        n_exc: int | None = None,
        v_init: Any = None,
        allow_large_dt: bool = False,
    ) -> None:
        self.n = check_int(n, "n", low=1, high=_MAX_NEURONS)
        self.dt = check_dt_ms(dt, "dt")
        self.v_rest = _param(v_rest, "v_rest", self.n, f32=True)
        self.v_reset = _param(v_reset, "v_reset", self.n, f32=True)
        self.threshold = _param(threshold, "threshold", self.n, f32=True)
        self.tau_m = _param(tau_m, "tau_m", self.n, positive=True)
        self.refractory = _param(refractory, "refractory", self.n, nonneg=True)
        bad = np.rint(self.refractory / self.dt) > _MAX_NEURONS
        if bad.any():
            i = int(np.argmax(bad))
            raise ValueError(f"refractory must be <= (2**31 - 1) * dt = {_MAX_NEURONS * self.dt} ms "
                             f"(int32 step counter); got {self.refractory[i]} at index {i}")
        self.allow_large_dt = check_bool(allow_large_dt, "allow_large_dt")
        if not self.allow_large_dt:
            bad = ~(self.dt < self.tau_m / 10.0)
            if bad.any():
                i = int(np.argmax(bad))
                raise ValueError(
                    f"dt must be < tau_m / 10 = {self.tau_m[i] / 10.0} (neuron {i}) for forward Euler, "
                    f"or pass allow_large_dt=True; got {self.dt}"
                )
        bad = ~(self.threshold > self.v_reset)
        if bad.any():
            i = int(np.argmax(bad))
            raise ValueError(
                f"threshold must be > v_reset; got threshold {self.threshold[i]} <= "
                f"v_reset {self.v_reset[i]} at index {i}"
            )
        self.n_exc = self.n if n_exc is None else check_int(n_exc, "n_exc", low=0, high=self.n)
        self.v_init = self.v_rest.copy() if v_init is None else _param(v_init, "v_init", self.n, f32=True)
        for a in (self.v_rest, self.v_reset, self.threshold, self.tau_m, self.refractory, self.v_init):
            frozen(a)
        self._sealed = True

    def __setattr__(self, name: str, value: Any) -> None:
        if getattr(self, "_sealed", False):
            raise AttributeError(f"Population is immutable: cannot set {name!r}; build a new Population")
        object.__setattr__(self, name, value)

    @property
    def n_inh(self) -> int:
        """Number of inhibitory neurons (indices ``n_exc .. n - 1``)."""
        return self.n - self.n_exc

    @property
    def is_excitatory(self) -> np.ndarray:
        """Boolean mask, shape (n,)."""
        mask = np.zeros(self.n, dtype=bool)
        mask[: self.n_exc] = True
        return mask

    @property
    def refractory_steps(self) -> np.ndarray:
        """Refractory period in steps, ``R = round(refractory / dt)`` (the minimum ISI), int32."""
        return np.rint(self.refractory / self.dt).astype(np.int32)

    @property
    def hold_steps(self) -> np.ndarray:
        """Steps held at reset after a spike, ``max(refractory_steps - 1, 0)``, int32."""
        return np.maximum(self.refractory_steps - 1, 0).astype(np.int32)

    @property
    def alpha(self) -> np.ndarray:
        """Euler leak factor ``dt / tau_m`` per neuron, float32."""
        return (self.dt / self.tau_m).astype(np.float32)

    def to_arrays(self) -> dict[str, np.ndarray]:
        """All parameters as arrays (for persistence)."""
        return {
            "n": np.array(self.n),
            "dt": np.array(self.dt),
            "v_rest": self.v_rest,
            "v_reset": self.v_reset,
            "threshold": self.threshold,
            "tau_m": self.tau_m,
            "refractory": self.refractory,
            "n_exc": np.array(self.n_exc),
            "v_init": self.v_init,
            "allow_large_dt": np.array(self.allow_large_dt),
        }

    @classmethod
    def from_arrays(cls, d: dict[str, np.ndarray]) -> Population:
        """Inverse of :meth:`to_arrays` (scalars as 0-d arrays, checked by the constructor, never cast)."""
        return cls(
            _item(d["n"]),
            v_rest=d["v_rest"],
            v_reset=d["v_reset"],
            threshold=d["threshold"],
            tau_m=d["tau_m"],
            refractory=d["refractory"],
            dt=_item(d["dt"]),
            n_exc=_item(d["n_exc"]),
            v_init=d["v_init"],
            allow_large_dt=_item(d["allow_large_dt"]),
        )

    def __repr__(self) -> str:
        return f"Population(n={self.n}, n_exc={self.n_exc}, dt={self.dt})"
