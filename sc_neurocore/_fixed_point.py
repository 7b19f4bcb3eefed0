r"""Fixed-point hardware mode: LIF neurons and an LFSR-fed dense layer, bit-exact with ``hw_models``.

Q format
--------
A :class:`QFormat` ``Q(width, frac)`` stores a real number :math:`x` as the
signed ``width``-bit two's-complement integer :math:`\mathrm{raw} = x\,2^{frac}`
(range :math:`[-2^{width-1}, 2^{width-1} - 1]`, resolution :math:`2^{-frac}`).
Real parameters are quantised with round-half-to-even and must be
representable; values between grid points are rounded, values outside the
range are a ``ValueError`` (never a silent wrap).

Neuron (one clock cycle, raw integers)
--------------------------------------
::

    if ref > 0:                      # refractory: held at reset, input discarded
        v' = v_reset; ref' = ref - 1; spike = 0
    else:
        s = sat(v - ((v - v_rest) >>> k) + i)     # >>> arithmetic shift, sat to the Q range
        if s >= v_threshold: spike = 1; v' = v_reset; ref' = refractory_period
        else:                spike = 0; v' = s

This is the Euler LIF of conventions §4 with :math:`dt/\tau_m = 2^{-k}` and
the input ``i`` already scaled to :math:`dt\,R\,I` (so :math:`\tau_m = 2^k dt`).
The leak is rounded toward :math:`-\infty` (arithmetic shift).  A spike is
decided before the refractory counter it starts is loaded, so it is never
suppressed by its own refractory period.  ``hw_models.FixedPointLIFNeuron``
is the gate-level image of exactly this update.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from sc_neurocore._kernels._fixed import (
    MODE_COUNT,
    MODE_MUX,
    MODE_OR,
    dense_fixed_run,
    lfsr_jump_states,
    lif_fixed_run,
    pick_offsets,
)
from sc_neurocore._kernels._hash import prob_thresholds
from sc_neurocore._rng import SeedLike, _check_seed, spawn_generators
from sc_neurocore._taps import MAX_LFSR_WIDTH, MAXIMAL_TAPS, MIN_LFSR_WIDTH, tap_mask
from sc_neurocore._validation import (
    check_bool,
    check_choice,
    check_count,
    check_finite_array,
    check_int,
    check_real,
    check_unit_array,
)

__all__ = ["FIXED_ACCUMULATION_MODES", "FixedPointDenseLayer", "FixedPointLIF", "QFormat"]

#: Accumulation modes of :class:`FixedPointDenseLayer` (all have a direct gate-level meaning).
FIXED_ACCUMULATION_MODES: tuple[str, ...] = ("or", "count", "mux")


@dataclass(frozen=True)
class QFormat:
    """Signed fixed-point format ``Q(width, frac)``: ``width`` bits, ``frac`` of them fractional.

    Parameters
    ----------
    width : int
        Total bits including the sign, in [2, 32].
    frac : int
        Fractional bits, in [0, width - 1].
    """

    width: int = 16
    frac: int = 8

    def __post_init__(self) -> None:
        check_int(self.width, "width", low=2, high=32)
        check_int(self.frac, "frac", low=0, high=self.width - 1)

    @property
    def raw_min(self) -> int:
        """Smallest raw value ``-2^(width-1)``."""
        return -(1 << (self.width - 1))

    @property
    def raw_max(self) -> int:
        """Largest raw value ``2^(width-1) - 1``."""
        return (1 << (self.width - 1)) - 1

    @property
    def resolution(self) -> float:
        """Real value of one raw unit, ``2^-frac``."""
        return 2.0 ** -self.frac

    def to_raw(self, x: Any, name: str = "value") -> Any:
        """Quantise real ``x`` (scalar or array) to raw ints (round half to even); out of range: error."""
        arr = check_finite_array(x, name)
        raw = np.round(arr * float(2**self.frac))
        bad = (raw < self.raw_min) | (raw > self.raw_max)
        if bad.any():
            idx = tuple(int(i) for i in np.argwhere(bad)[0])
            lo, hi = self.raw_min * self.resolution, self.raw_max * self.resolution
            where = f" at index {idx}" if arr.ndim else ""
            raise ValueError(
                f"{name} must be representable in Q({self.width},{self.frac}), i.e. in [{lo}, {hi}]; "
                f"got {arr[idx]}{where}")
        out = raw.astype(np.int64)
        return int(out) if out.ndim == 0 else out

    def to_real(self, raw: Any) -> Any:
        """Real value(s) of raw integer(s), ``raw * 2^-frac``.

        Raises
        ------
        TypeError
            If ``raw`` is not an integer or an integer array (bool included).
        """
        arr = np.asarray(raw)
        if arr.dtype == np.bool_ or not np.issubdtype(arr.dtype, np.integer):
            raise TypeError(
                f"raw must be an integer or an integer array; got {type(raw).__name__} "
                f"of dtype {arr.dtype}"
            )
        return arr.astype(np.float64) * self.resolution


def _lif_raw(q: QFormat, v_threshold: float, v_reset: float, v_rest: float, leak_shift: int,
             refractory_period: int) -> dict[str, int]:
    raw = {
        "v_threshold": q.to_raw(check_real(v_threshold, "v_threshold"), "v_threshold"),
        "v_reset": q.to_raw(check_real(v_reset, "v_reset"), "v_reset"),
        "v_rest": q.to_raw(check_real(v_rest, "v_rest"), "v_rest"),
        "leak_shift": check_int(leak_shift, "leak_shift", low=0, high=q.width - 1),
        "refractory_period": check_int(refractory_period, "refractory_period", low=0, high=2**16 - 1),
    }
    return raw


class FixedPointLIF:
    r"""``n_neurons`` fixed-point LIF neurons (the hardware datapath), vectorised.

    Parameters
    ----------
    n_neurons : int
        Number of neurons, >= 1.
    qformat : QFormat
        Format of the membrane, thresholds and input currents (default Q(16, 8)).
    v_threshold, v_reset, v_rest : float
        Threshold, reset and resting potential in model units (quantised to
        ``qformat``; must be representable).
    leak_shift : int
        k in [0, width - 1]: the leak per cycle is ``(v - v_rest) >>> k``,
        i.e. :math:`dt/\tau_m = 2^{-k}` (k = 4: :math:`\tau_m = 16\,dt`).
    refractory_period : int
        Cycles held at ``v_reset`` after a spike, in [0, 65535].

    Notes
    -----
    The state (``v_raw``, ``refractory``) persists between calls, so
    ``run(a); run(b)`` equals ``run(concatenate(a, b))``.  See the module
    docstring for the exact update; ``hw_models.FixedPointLIFNeuron`` is
    bit-exact with it.
    """

    def __init__(self, n_neurons: int = 1, qformat: QFormat | None = None, v_threshold: float = 1.0,
                 v_reset: float = 0.0, v_rest: float = 0.0, leak_shift: int = 4,
                 refractory_period: int = 0) -> None:
        self.n_neurons: int = check_count(n_neurons, "n_neurons", low=1)
        if qformat is None:
            qformat = QFormat()
        if not isinstance(qformat, QFormat):
            raise TypeError(f"qformat must be a QFormat; got {type(qformat).__name__}")
        self.qformat = qformat
        self.raw: dict[str, int] = _lif_raw(qformat, v_threshold, v_reset, v_rest, leak_shift,
                                            refractory_period)
        self.reset()

    def reset(self) -> None:
        """Every neuron back to ``v = v_rest``, not refractory."""
        self.v_raw = np.full(self.n_neurons, self.raw["v_rest"], dtype=np.int64)
        self.refractory = np.zeros(self.n_neurons, dtype=np.int64)

    @property
    def v(self) -> np.ndarray:
        """Membrane potentials in model units."""
        return np.asarray(self.qformat.to_real(self.v_raw))

    def _args(self) -> tuple[int, ...]:
        q, r = self.qformat, self.raw
        return (q.raw_min, q.raw_max, r["v_threshold"], r["v_reset"], r["v_rest"], r["leak_shift"],
                r["refractory_period"])

    def run_raw(self, currents_raw: Any) -> tuple[np.ndarray, np.ndarray]:
        """Run with raw integer input currents, shape (T,) (same for all neurons) or (T, n_neurons).

        Returns
        -------
        spikes : numpy.ndarray
            uint8, (T, n_neurons).
        v_raw : numpy.ndarray
            int64, (T, n_neurons): membrane after each cycle (raw).
        """
        arr = np.asarray(currents_raw)
        if arr.dtype == np.bool_ or not np.issubdtype(arr.dtype, np.integer):
            raise TypeError(f"currents_raw must be an integer array; got dtype {arr.dtype}")
        if arr.ndim == 1:
            arr = np.repeat(arr[:, None], self.n_neurons, axis=1)
        if arr.ndim != 2 or arr.shape[1] != self.n_neurons:
            raise ValueError(f"currents_raw must have shape (T,) or (T, {self.n_neurons}); got {arr.shape}")
        q = self.qformat
        bad = (arr < q.raw_min) | (arr > q.raw_max)
        if bad.any():
            idx = tuple(int(i) for i in np.argwhere(bad)[0])
            raise ValueError(f"currents_raw must be in [{q.raw_min}, {q.raw_max}] (Q({q.width},{q.frac})); "
                             f"got {arr[idx]} at index {idx}")
        cur = np.ascontiguousarray(arr, dtype=np.int64)
        spikes = np.zeros(cur.shape, dtype=np.uint8)
        volts = np.zeros(cur.shape, dtype=np.int64)
        vmin, vmax, v_th, v_reset, v_rest, k, refr = self._args()
        lif_fixed_run(cur, self.v_raw, self.refractory, vmin, vmax, v_th, v_reset, v_rest, k, refr,
                      spikes, volts)
        return spikes, volts

    def run(self, currents: Any) -> tuple[np.ndarray, np.ndarray]:
        """Run with real input currents (quantised to the Q format; out of range is an error).

        Returns spikes (uint8, (T, n)) and the membrane after each cycle in model units.
        """
        raw = self.qformat.to_raw(currents, "currents")
        spikes, volts = self.run_raw(np.atleast_1d(np.asarray(raw, dtype=np.int64)))
        return spikes, np.asarray(self.qformat.to_real(volts))

    def __repr__(self) -> str:
        q = self.qformat
        return f"FixedPointLIF(n_neurons={self.n_neurons}, Q({q.width},{q.frac}), raw={self.raw})"


def _lfsr_seed_array(value: Any, name: str, shape: tuple[int, ...], width: int) -> np.ndarray:
    arr = np.asarray(value)
    if arr.dtype == np.bool_ or not np.issubdtype(arr.dtype, np.integer):
        raise TypeError(f"{name} must be an integer array; got dtype {arr.dtype}")
    if arr.shape != shape:
        raise ValueError(f"{name} must have shape {shape}; got {arr.shape}")
    hi = (1 << width) - 1
    bad = (arr < 1) | (arr > hi)
    if bad.any():
        idx = tuple(int(i) for i in np.argwhere(bad)[0])
        raise ValueError(f"{name} must be nonzero {width}-bit LFSR states in [1, {hi}]; got {arr[idx]} "
                         f"at index {idx}")
    return np.ascontiguousarray(arr, dtype=np.uint64)


def _mirror_taps(taps: tuple[int, ...]) -> tuple[int, ...]:
    """Taps of the reciprocal polynomial: ``x^n + sum x^t + 1 -> x^n + sum x^(n-t) + 1`` (also primitive)."""
    n = taps[0]
    return (n, *sorted((n - t for t in taps[1:]), reverse=True))


def _taps_arg(value: Any, name: str, width: int, default: tuple[int, ...]) -> tuple[int, ...]:
    """Validated maximal-length tap set (sorted descending); ``None`` -> ``default``."""
    if value is None:
        return default
    if isinstance(value, (str, bytes)) or not isinstance(value, (Sequence, np.ndarray)):
        raise TypeError(f"{name} must be a sequence of ints; got {type(value).__name__} {value!r}")
    vals = []
    for t in value:
        if isinstance(t, (bool, np.bool_)) or not isinstance(t, (int, np.integer)):
            raise TypeError(f"{name} must be a sequence of ints; got {value!r}")
        vals.append(int(t))
    taps = tuple(sorted(set(vals), reverse=True))
    from sc_neurocore.bitstream._metrics import is_maximal_taps

    if (len(taps) != len(vals) or not taps or taps[0] != width or taps[-1] < 1
            or not is_maximal_taps(width, taps)):
        base = MAXIMAL_TAPS[width]
        raise ValueError(
            f"{name} must be a maximal-length tap set for width {width}: distinct ints in [1, {width}] "
            f"including {width} with a primitive feedback polynomial (e.g. {base} or {_mirror_taps(base)}); "
            f"got {tuple(vals)}")
    return taps


def _circular_gap(a: np.ndarray, b: np.ndarray, period: int) -> np.ndarray:
    """Clocks between phases ``a`` and ``b`` the shorter way round a cycle of ``period`` (broadcast)."""
    d = np.abs(a - b) % period
    return np.minimum(d, period - d)


def _jump(base: int, phases: np.ndarray, width: int, taps: tuple[int, ...]) -> np.ndarray:
    """States ``phases`` clocks after ``base`` (GF(2) jump-ahead, no zero-state insertion)."""
    flat = np.ascontiguousarray(phases, dtype=np.int64).ravel()
    out = lfsr_jump_states(np.uint64(base), width, np.uint64(tap_mask(taps)), flat)
    return np.ascontiguousarray(out.reshape(np.shape(phases)))


def _default_phases(gens: list[np.random.Generator], n_in: int, n_out: int, width: int,
                    one_polynomial: bool, taps: tuple[int, ...]
                    ) -> tuple[np.ndarray, np.ndarray, int, int, int]:
    """Phases (clocks after state 1) of inputs, weights, select; the guard used; unchecked weights.

    Returns ``(phi_x (n_in,), phi_w (n_out, n_in), psi, guard, n_unchecked)``,
    ``n_unchecked`` being the number of weights none of whose 64 candidate
    offsets passed the top-bit independence test (they get the last
    candidate); see :class:`FixedPointDenseLayer` (Notes).
    """
    period = (1 << width) - 1
    guard = max(0, min(4 * width, (period - 3) // 2))
    phi_x = gens[0].integers(0, period, n_in)
    if one_polynomial:  # weight (r, i) more than `guard` clocks from input i, top bits independent
        cands = gens[1].integers(guard + 1, period - guard, (n_out * n_in, 64))
        theta, ok = pick_offsets(cands, width, np.uint64(tap_mask(taps)), width // 2)
        n_unchecked = int(ok.size - np.count_nonzero(ok))
        phi_w = (phi_x[None, :] + theta.reshape(n_out, n_in)) % period
        rivals = np.concatenate([phi_x, phi_w.ravel()])
    else:  # reciprocal polynomial: any phase (Weil bound)
        phi_w = gens[1].integers(0, period, (n_out, n_in))
        rivals = phi_x
        n_unchecked = 0
    cand = gens[2].integers(0, period, 64)  # select: first candidate clear of every rival, else the clearest
    gaps = _circular_gap(cand[:, None], rivals[None, :], period).min(axis=1)
    clear = np.flatnonzero(gaps > guard)
    psi = int(cand[clear[0]] if clear.size else cand[int(np.argmax(gaps))])
    return phi_x, phi_w, psi, guard, n_unchecked


class FixedPointDenseLayer:
    r"""Dense SC layer as hardware builds it: LFSR SNGs, AND synapses, accumulation, fixed-point LIF.

    Every cycle ``t``: input stream bit :math:`x_{i,t} = [s^x_{i,t} < X_i]`,
    weight stream bit :math:`w_{r,i,t} = [s^w_{r,i,t} < W_{r,i}]` (each from its
    own ``lfsr_width``-bit Fibonacci LFSR, conventions §3, thresholds
    :math:`X = \mathrm{round}(p\,2^n)`, i.e. exactly the streams of
    ``sc_neurocore.bitstream.lfsr(p, T, n, seed, taps)`` with ``x_taps`` resp.
    ``w_taps``), synapse bits
    :math:`x_{i,t} \wedge w_{r,i,t}`, accumulated per neuron ``r`` into

    * ``"count"``: :math:`a_t = \sum_i x_{i,t} w_{r,i,t}` (parallel counter, 0..n_in);
    * ``"or"``: :math:`a_t = \bigvee_i x_{i,t} w_{r,i,t}`;
    * ``"mux"``: :math:`a_t = x_{j,t} w_{r,j,t}` with :math:`j = \lfloor s^{sel}_t\, n_{in} / 2^n \rfloor`
      from one select LFSR (taps ``sel_taps``) shared by all neurons (its
      states 1..2^n-1 make each input selected :math:`\approx 1/n_{in}` of the time).

    The input current is :math:`i_t = \mathrm{bias} + \mathrm{gain}\cdot a_t` (raw Q
    units) and drives :class:`FixedPointLIF` neuron ``r``.  Every register
    advances once per cycle; streams never wrap (period :math:`2^n - 1`, or
    :math:`2^n` with ``zero_state``).

    Parameters
    ----------
    n_neurons : int
        Number of neurons, >= 1.
    p_inputs : array_like, shape (n_inputs,)
        Input probabilities in [0, 1].
    p_weights : array_like, shape (n_neurons, n_inputs)
        Weight probabilities in [0, 1].
    accumulation : {"or", "count", "mux"}
    gain, bias : float
        Current per unit of ``a_t`` and constant current, in model units
        (quantised to ``qformat``; ``bias + gain * a`` must stay representable
        for every possible ``a``).
    lfsr_width : int
        LFSR width n in [3, 32].
    seed : None, int, SeedSequence or Generator
        Draws the phases of the default seeds (Notes) from three spawned
        children: inputs, weights, select.  Ignored for the seeds given
        explicitly.
    x_seeds, w_seeds : array_like of int, optional
        Explicit LFSR seeds, shapes (n_inputs,) and (n_neurons, n_inputs):
        states of the registers with ``x_taps`` resp. ``w_taps``.
    sel_seed : int, optional
        Explicit seed of the MUX select LFSR.
    x_taps, w_taps, sel_taps : sequence of int, optional
        Feedback taps of the input, weight and select registers (any
        maximal-length set, e.g. ``MAXIMAL_TAPS[n]`` or its mirror, the
        reciprocal polynomial).  Default ``x_taps = MAXIMAL_TAPS[n]``,
        ``w_taps = x_taps`` and ``sel_taps`` the mirror of ``x_taps``.
    qformat, v_threshold, v_reset, v_rest, leak_shift, refractory_period
        As in :class:`FixedPointLIF`.
    zero_state : bool
        Zero-state insertion in every LFSR (period 2^n through every value,
        so a full period of a stream holds exactly X ones).

    Notes
    -----
    **Default seeds are decorrelated by construction.**  An AND computes the
    product only if its two streams are uncorrelated; two registers of one
    polynomial whose seeds happen to lie a few clocks apart on the
    m-sequence give strongly correlated streams (drawn uniformly, a 64x64
    layer with 16-bit registers has about four such synapses; one measured
    at SCC +0.27).  The default seeds are therefore drawn as *phases* (clocks
    after state 1, placed by GF(2) jump-ahead) rather than states:

    * inputs: uniform phases ``phi_i``;
    * weights, one polynomial (default ``w_taps = x_taps``): weight ``(r, i)``
      at ``phi_i + theta`` with ``theta`` uniform in ``[g + 1, 2^n - 2 - g]``,
      i.e. more than ``g = min(4 n, (2^n - 4) // 2)`` clocks from its input
      either way round the period (``hw_models.check_correlation`` flags
      ``<= 2 n``), *and* such that the top ``k = n // 2`` bits of the weight
      state are linearly independent of the top ``k`` bits of the input state
      (first of 64 uniform candidates passing; a rank test on the ``k x (n-k)``
      block of ``A^theta``; if none passes, the last is used and a
      ``RuntimeWarning`` gives the number of such weights).  Near phases are not the only trap: some far
      offsets make the top bits of one state an XOR of top bits of the other
      (16-bit table polynomial: ``theta = 15941``, ``31882``, ``16176``, ...;
      over 40 drawn 64x64 layers such pairs reached covariance 0.076).  With
      the ``2k`` top bits independent, every pattern of them occurs
      ``2^(n-2k)`` times per period (the all-zero one once fewer; without
      zero-state insertion), so for
      thresholds on the ``2^(n-k)`` grid :math:`|P(x\wedge w) - P(x)P(w)| \le
      2/(2^n - 1)`, and moving a threshold off the grid changes a stream on
      fewer than :math:`2^{-k}` of the cycles: :math:`|P(x\wedge w) -
      P(x)P(w)| < 4\cdot 2^{-k} + 2/(2^n-1)` for all thresholds;
    * weights, reciprocal polynomial (``w_taps`` = mirror of ``x_taps``, e.g.
      ``hw_models.mirror_taps``): uniform phases.  The two streams of every AND
      then come from different primitive polynomials: the weight sequence is
      the time reversal of an input-polynomial sequence, so over a full period
      every pair of parity functions of the two states correlates through a
      Kloosterman sum, :math:`|\sum_t (-1)^{a\cdot s^x_t + b\cdot s^w_t}| \le
      2^{n/2+1}` (Weil bound, :math:`a, b \ne 0`), *whatever the phases*.  For
      comparator streams this gives :math:`|P(x \wedge w) - P(x) P(w)| \le L_X
      L_W\, 2^{n/2+1}/(2^n-1) + (2^n-1)^{-2}`, :math:`L_X` being the sum of the
      absolute non-constant Walsh coefficients of :math:`[s < X]` (at most
      about :math:`n/4`); at :math:`X = W = 2^{n-1}`, :math:`|\mathrm{SCC}| \le
      2^{n/2+1}/(2^n-1)`.  A guarantee with no search, but a larger typical
      error: over 40 drawn 64x64 16-bit layers worst covariance 3.6e-3, rms
      7.0e-4, against 9.6e-4 and 6.6e-5 for the checked one-polynomial phases
      (uniformly drawn seeds as before: 0.19 and 7.7e-4).
    * MUX select: the first of 64 uniform phases more than ``g`` clocks from
      every register of its polynomial (else the one farthest from them).
      By default ``sel_taps`` is the mirror of ``x_taps`` (the reciprocal
      polynomial), so every term involving the select is a Kloosterman sum,
      bounded as above (0 of 300 drawn 16-bit MUX layers had a synapse whose
      full-period mean was more than 5 binomial standard errors off).  With
      ``sel_taps = x_taps`` the guard is all it gets and far-offset relations
      between the select and single weights remain possible (measured: 3 of
      300 such layers).

    The phases are uniform otherwise, on purpose: evenly spaced phases
    ``0, d, 2d, ...`` of one sequence were tried and rejected, since their
    bit sequences obey short XOR relations (e.g. 31 registers of 20 bits at
    ``d = (2^20 - 1)/31`` span only a 5-dimensional space), which biased OR
    and MUX means of about 3 % of drawn 16-bit layers beyond 5 binomial
    standard errors of a full period (the checked uniform phases: 0 of 400,
    MUX select on the reciprocal polynomial).
    The guard used is kept in ``phase_guard``.  Explicit seeds are used as
    given (``hw_models.check_correlation`` on
    ``DenseLayer.from_fixed_point(layer)`` flags near-phase pairs).
    :meth:`seeds` returns seeds and taps, enough to rebuild the identical
    layer (``FixedPointDenseLayer(..., **layer.seeds())``) or its gate-level
    datapath.
    """

    def __init__(self, n_neurons: int, p_inputs: Any, p_weights: Any, accumulation: str = "count",
                 gain: float = 0.25, bias: float = 0.0, lfsr_width: int = 16, seed: SeedLike = None,
                 x_seeds: Any = None, w_seeds: Any = None, sel_seed: int | None = None,
                 qformat: QFormat | None = None, v_threshold: float = 1.0, v_reset: float = 0.0,
                 v_rest: float = 0.0, leak_shift: int = 4, refractory_period: int = 0,
                 zero_state: bool = False, x_taps: Sequence[int] | None = None,
                 w_taps: Sequence[int] | None = None, sel_taps: Sequence[int] | None = None) -> None:
        self.zero_state = check_bool(zero_state, "zero_state")
        self.neurons = FixedPointLIF(n_neurons, qformat, v_threshold, v_reset, v_rest, leak_shift,
                                     refractory_period)
        self.n_neurons = self.neurons.n_neurons
        q = self.neurons.qformat
        self.qformat = q
        self.accumulation: str = check_choice(accumulation, "accumulation", FIXED_ACCUMULATION_MODES)
        self.lfsr_width: int = check_int(lfsr_width, "lfsr_width", low=MIN_LFSR_WIDTH, high=MAX_LFSR_WIDTH)
        p_x = check_unit_array(p_inputs, "p_inputs")
        if p_x.ndim != 1 or p_x.size == 0:
            raise ValueError(f"p_inputs must be a non-empty 1-D sequence; got shape {p_x.shape}")
        self.n_inputs = int(p_x.size)
        p_w = check_unit_array(p_weights, "p_weights")
        if p_w.shape != (self.n_neurons, self.n_inputs):
            raise ValueError(
                f"p_weights must have shape ({self.n_neurons}, {self.n_inputs}); got {p_w.shape}")
        self.p_inputs, self.p_weights = p_x, p_w
        self.x_thresholds = prob_thresholds(p_x, self.lfsr_width)
        self.w_thresholds = prob_thresholds(p_w, self.lfsr_width)
        self.gain_raw: int = q.to_raw(check_real(gain, "gain"), "gain")
        self.bias_raw: int = q.to_raw(check_real(bias, "bias"), "bias")
        a_max = self.n_inputs if self.accumulation == "count" else 1
        for a in (0, a_max):
            cur = self.bias_raw + self.gain_raw * a
            if not q.raw_min <= cur <= q.raw_max:
                raise ValueError(
                    f"bias + gain * a must be representable in Q({q.width},{q.frac}) for a in [0, {a_max}]; "
                    f"got {cur * q.resolution} at a = {a}")
        n = self.lfsr_width
        self.x_taps: tuple[int, ...] = _taps_arg(x_taps, "x_taps", n, MAXIMAL_TAPS[n])
        self.w_taps: tuple[int, ...] = _taps_arg(w_taps, "w_taps", n, self.x_taps)
        self.sel_taps: tuple[int, ...] = _taps_arg(sel_taps, "sel_taps", n, _mirror_taps(self.x_taps))
        _check_seed(seed, "seed")
        hi = 1 << n
        phi_x, phi_w, psi, self.phase_guard, n_unchecked = _default_phases(
            spawn_generators(seed, 3), self.n_inputs, self.n_neurons, n, self.w_taps == self.x_taps,
            self.x_taps)
        if n_unchecked and w_seeds is None:
            warnings.warn(
                f"{n_unchecked} of {phi_w.size} weight LFSR phases failed the top-bit independence "
                f"check for all 64 candidate offsets; those weight streams may be correlated with "
                f"their inputs (use another seed, or w_taps = the mirror of x_taps)",
                RuntimeWarning, stacklevel=2)
        self.x_seeds = (_lfsr_seed_array(x_seeds, "x_seeds", (self.n_inputs,), n)
                        if x_seeds is not None else _jump(1, phi_x, n, self.x_taps))
        self.w_seeds = (_lfsr_seed_array(w_seeds, "w_seeds", p_w.shape, n)
                        if w_seeds is not None else _jump(1, phi_w, n, self.w_taps))
        self.sel_seed: int = (check_int(sel_seed, "sel_seed", low=1, high=hi - 1) if sel_seed is not None
                              else int(_jump(1, np.array([psi]), n, self.sel_taps)[0]))
        self.reset()

    def reset(self) -> None:
        """LFSRs back to their seeds, neurons to rest, cycle 0."""
        self.neurons.reset()
        self.x_state = self.x_seeds.copy()
        self.w_state = np.ascontiguousarray(self.w_seeds.copy())
        self.sel_state = np.array([self.sel_seed], dtype=np.uint64)
        self.cycle = 0

    def run(self, n_cycles: int) -> np.ndarray:
        """Simulate ``n_cycles`` cycles; returns spikes (uint8, (n_cycles, n_neurons)).

        The membrane after each cycle (raw) and the accumulated values
        ``a_t`` of the last call are kept in ``last_v_raw`` and ``last_acc``.
        Calls continue where the previous one stopped.
        """
        n = check_count(n_cycles, "n_cycles", low=0)
        spikes = np.zeros((n, self.n_neurons), dtype=np.uint8)
        volts = np.zeros((n, self.n_neurons), dtype=np.int64)
        accs = np.zeros((n, self.n_neurons), dtype=np.int64)
        mode = {"or": MODE_OR, "count": MODE_COUNT, "mux": MODE_MUX}[self.accumulation]
        nrn = self.neurons
        vmin, vmax, v_th, v_reset, v_rest, k, refr = nrn._args()
        dense_fixed_run(self.x_thresholds, self.x_state, self.w_thresholds, self.w_state, self.sel_state,
                        self.lfsr_width, np.uint64(tap_mask(self.x_taps)), np.uint64(tap_mask(self.w_taps)),
                        np.uint64(tap_mask(self.sel_taps)), self.zero_state, mode, self.gain_raw,
                        self.bias_raw, nrn.v_raw, nrn.refractory, vmin, vmax, v_th, v_reset, v_rest, k,
                        refr, spikes, volts, accs)
        self.last_v_raw, self.last_acc = volts, accs
        self.cycle += n
        return spikes

    def seeds(self) -> dict[str, Any]:
        """LFSR seeds and taps: ``FixedPointDenseLayer(..., **layer.seeds())`` rebuilds the same registers.

        Keys ``x_seeds``, ``w_seeds`` (nested lists), ``sel_seed`` (int) and
        ``x_taps``, ``w_taps``, ``sel_taps`` (tuples).
        """
        return {"x_seeds": self.x_seeds.tolist(), "w_seeds": self.w_seeds.tolist(), "sel_seed": self.sel_seed,
                "x_taps": self.x_taps, "w_taps": self.w_taps, "sel_taps": self.sel_taps}

    def __repr__(self) -> str:
        q = self.qformat
        return (f"FixedPointDenseLayer(n_neurons={self.n_neurons}, n_inputs={self.n_inputs}, "
                f"accumulation={self.accumulation!r}, lfsr_width={self.lfsr_width}, Q({q.width},{q.frac}))")
