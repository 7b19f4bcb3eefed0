"""Tsodyks–Markram short-term synaptic plasticity (private; re-exported)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .._kernels import _stp as K
from .._validation import check_finite_array

__all__ = ["TsodyksMarkram", "fresh_rows", "check_saved_state", "resolve_stp", "stp_uv"]


def _param(value: Any, name: str, low: float, high: float, low_open: bool) -> np.ndarray:
    a = np.atleast_1d(check_finite_array(value, name))
    if a.ndim != 1:
        raise ValueError(f"{name} must be a scalar or a 1-d array; got shape {a.shape}")
    bad = ((a <= low) if low_open else (a < low)) | (a > high)
    if bad.any():
        i = int(np.argmax(bad))
        lo = "(" if low_open else "["
        raise ValueError(f"{name} must be in {lo}{low}, {high}]; got {a[i]} at index {i}")
    return a


class TsodyksMarkram:
    r"""Tsodyks–Markram short-term plasticity of the synapses of each presynaptic neuron.

    Every presynaptic neuron ``i`` has a utilisation ``u`` and a fraction of
    available resources ``x`` shared by its outgoing synapses.  Between its
    spikes ``u`` decays to 0 with ``tau_facil`` and ``x`` recovers to 1 with
    ``tau_rec``; at a spike, first ``u <- u + U (1 - u)``, then the fraction
    ``r = u x`` is released and ``x <- x - r``.  Each synapse ``s`` of the spike
    delivers ``w_s r`` instead of ``w_s``.  For a spike at ``t_n`` after one at
    ``t_{n-1}`` (``Δ = t_n - t_{n-1}``; before the first spike ``u = 0``, ``x = 1``):

    .. math::

        u_n &= U + u_{n-1} (1 - U) e^{-Δ/\tau_f}, \qquad
        x_n = 1 - \bigl(1 - x_{n-1} (1 - u_{n-1})\bigr) e^{-Δ/\tau_d},

    and the released fraction (efficacy) is :math:`r_n = u_n x_n`, so
    :math:`u_1 = U`, :math:`x_1 = 1`.  For a regular train of period Δ the
    steady state is :math:`u^* = U / (1 - (1 - U) e^{-Δ/\tau_f})` and
    :math:`x^* = (1 - e^{-Δ/\tau_d}) / (1 - (1 - u^*) e^{-Δ/\tau_d})`
    (Tsodyks, Pawelzik & Markram 1998, Neural Comput. 10:821; the same
    equations as Brian2's and NEST's ``tsodyks2_synapse``).

    Parameters
    ----------
    U : float or array (n,)
        Utilisation increment in (0, 1] (and the efficacy of a first spike).
    tau_facil : float or array (n,)
        Facilitation time constant in ms (>= 0; 0: ``u = U`` at every spike, no facilitation).
    tau_rec : float or array (n,)
        Recovery (depression) time constant in ms (>= 0; 0: ``x = 1`` at every spike, no depression).

    Scalars apply to every presynaptic neuron; arrays give one value per neuron
    (checked against the network's size when attached).  Depressing synapses
    have a large ``U`` and ``tau_rec >> tau_facil`` (e.g. ``U=0.5, tau_facil=0,
    tau_rec=800``), facilitating ones a small ``U`` and ``tau_facil >> tau_rec``
    (e.g. ``U=0.15, tau_facil=1000, tau_rec=100``).
    """

    def __init__(self, U: Any = 0.5, tau_facil: Any = 0.0, tau_rec: Any = 800.0) -> None:
        self.U = _param(U, "U", 0.0, 1.0, True)
        self.tau_facil = _param(tau_facil, "tau_facil", 0.0, np.inf, False)
        self.tau_rec = _param(tau_rec, "tau_rec", 0.0, np.inf, False)
        for a in (self.U, self.tau_facil, self.tau_rec):
            a.flags.writeable = False

    def resolve(self, n: int) -> np.ndarray:
        """Per-neuron parameters as an ``(n, 3)`` float64 array ``(U, tau_facil, tau_rec)``."""
        out = np.empty((n, 3))
        named = ((self.U, "U"), (self.tau_facil, "tau_facil"), (self.tau_rec, "tau_rec"))
        for c, (a, name) in enumerate(named):
            if a.shape[0] not in (1, n):
                raise ValueError(f"{name} must be a scalar or have shape ({n},); got shape {a.shape}")
            out[:, c] = a
        return out

    def __repr__(self) -> str:
        def show(a: np.ndarray) -> str:
            return f"{a[0]:g}" if a.shape[0] == 1 else f"array({a.shape[0]})"

        return (f"TsodyksMarkram(U={show(self.U)}, tau_facil={show(self.tau_facil)}, "
                f"tau_rec={show(self.tau_rec)})")


def resolve_stp(stp: Any, synapse: str, t: float, n: int) -> np.ndarray:
    """Validate a ``set_stp`` call of either engine; the ``(n, 3)`` parameters (``(0, 3)`` for None).

    STP needs deterministic synapses (how a released fraction should act on a
    stochastic weight stream is not defined) and a network at ``t = 0``
    (deliveries in flight carry no released fraction).
    """
    if stp is not None and not isinstance(stp, TsodyksMarkram):
        raise TypeError(f"stp must be a TsodyksMarkram or None; got {type(stp).__name__}")
    if stp is not None and synapse != "deterministic":
        raise ValueError(f"stp needs synapse='deterministic'; got synapse={synapse!r}")
    if t != 0:
        raise ValueError(f"stp must be set before the first run (t = 0); got t = {t}; call reset() first")
    return stp.resolve(n) if stp is not None else np.zeros((0, 3))


def stp_uv(stp: Any, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(u, x)`` copies from the state rows, or a ValueError without STP (``stp_state`` of both engines)."""
    if stp is None:
        raise ValueError("stp_state needs short-term plasticity; call set_stp first")
    return rows[:, K.STP_UV].copy(), rows[:, K.STP_XV].copy()


def fresh_rows(params: np.ndarray) -> np.ndarray:
    """Kernel rows ``Q`` (``(m, STP_COLS)``) for ``(m, 3)`` parameters: ``u = 0``, ``x = 1``, no spike yet."""
    Q = np.empty((params.shape[0], K.STP_COLS))
    Q[:, :3] = params
    Q[:, K.STP_UV] = 0.0
    Q[:, K.STP_XV] = 1.0
    Q[:, K.STP_LAST] = -math.inf
    return Q


def check_saved_state(a: np.ndarray, n: int, t: float) -> None:
    """Raise a ValueError unless ``a`` (a file's ``st_stp``) is ``(n, 3)`` float64 rows ``(u, x, t_last)``
    with ``u, x`` in [0, 1] and ``t_last <= t`` ms (or ``-inf`` with ``u = 0, x = 1``: no spike yet)."""
    if a.shape != (n, 3) or a.dtype != np.float64:
        raise ValueError(f"st_stp must have shape ({n}, 3) and dtype float64; "
                         f"got shape {a.shape} dtype {a.dtype}")
    su, sx, sl = a[:, 0], a[:, 1], a[:, 2]
    with np.errstate(invalid="ignore"):
        ux = a[:, :2]
        checks = (((ux >= 0) & (ux <= 1), "(u, x) in [0, 1]", ux),
                  (((sl == -np.inf) & (su == 0) & (sx == 1)) | (np.isfinite(sl) & (sl <= t)),
                   f"a last-spike time <= t = {t} (or -inf with u = 0, x = 1)", sl))
    for ok, what, b in checks:
        if not ok.all():
            i = np.unravel_index(int(np.argmax(~ok)), ok.shape)
            raise ValueError(f"st_stp must be {what}; got {b[i]} at index {tuple(map(int, i))}")
