"""Exact event-driven simulation of LIF networks with delta synapses (private; re-exported).

See ``docs/event_driven.md`` for the model, the event semantics and when this
beats the clock-driven :class:`~sc_neurocore.network.Network`.
"""

from __future__ import annotations

import copy
import math
import os
import re
import time
from typing import Any

import numpy as np

from .._kernels import _event as K
from .._kernels._network import lfsr_init, rows_sorted
from .._rng import SeedLike
from .._taps import MAXIMAL_TAPS, tap_mask
from .._validation import check_finite_array, check_int, check_real
from ._connectivity import Connectivity
from ._engine_common import SYNAPSE_MODES, EngineBase, check_neuron_ids, check_targets, empty_connectivity
from ._event_models import EventModel, event_model
from ._inputs import BinaryInput, Current, PoissonInput
from ._models import LIF, NeuronModel
from ._monitors import SpikeEvents
from ._plasticity import STDP
from ._population import Population, frozen
from ._stp import fresh_rows

__all__ = ["EventDrivenNetwork", "EventSpikes"]

_STAT_NAMES = ("rounds", "heap_pops", "synaptic_events", "accepted_inputs", "spikes", "transmitted")
_F32 = np.float32
#: checkpoint files written by ``run(..., checkpoint_dir=...)``: ``checkpoint_<index>.npz``
_CKPT_RE = re.compile(r"^checkpoint_(\d{9})\.npz$")


class EventSpikes:
    """Spikes at exact times: ``neurons[e]`` spiked at ``times_ms[e]``.

    Sorted by time, then by neuron index.  ``t_start``/``t_stop`` (ms) is the
    half-open window that was simulated.
    """

    def __init__(self, times_ms: np.ndarray, neurons: np.ndarray, *, n_neurons: int,
                 t_start: float, t_stop: float) -> None:
        self.times_ms = np.ascontiguousarray(times_ms, dtype=np.float64)
        self.neurons = np.ascontiguousarray(neurons, dtype=np.int32)
        self.n_neurons = int(n_neurons)
        self.t_start = float(t_start)
        self.t_stop = float(t_stop)

    def __len__(self) -> int:
        return int(self.neurons.shape[0])

    @property
    def duration_ms(self) -> float:
        return self.t_stop - self.t_start

    def counts(self) -> np.ndarray:
        """Spike count per neuron, shape (n_neurons,), int64."""
        return np.bincount(self.neurons, minlength=self.n_neurons).astype(np.int64)

    def rates_hz(self) -> np.ndarray:
        """Mean rate per neuron in Hz over the window."""
        d = self.duration_ms
        return self.counts() / (d / 1000.0) if d > 0 else np.zeros(self.n_neurons)

    def mean_rate_hz(self) -> float:
        """Population mean rate in Hz."""
        return float(self.rates_hz().mean())

    def spike_trains(self) -> list[np.ndarray]:
        """Per-neuron arrays of spike times (ms)."""
        order = np.argsort(self.neurons, kind="stable")
        bounds = np.searchsorted(self.neurons[order], np.arange(self.n_neurons + 1))
        tt = self.times_ms[order]
        return [tt[bounds[i]: bounds[i + 1]] for i in range(self.n_neurons)]

    def to_spike_events(self, dt: float) -> SpikeEvents:
        """Bin onto a ``dt`` grid as the clock-driven :class:`SpikeEvents` (for the readout features).

        A spike at time ``t`` goes to step ``max(ceil(t / dt) - 1, 0)``: the step
        ``s`` whose end ``(s + 1) dt`` is the first grid time at or after ``t``,
        which is how :class:`Network` labels a crossing inside ``(s dt, (s + 1) dt]``.
        The window becomes steps ``[round(t_start / dt), round(t_stop / dt))``.
        """
        dt = check_real(dt, "dt", low=0.0, low_open=True)
        stepf = np.maximum(np.ceil(self.times_ms / dt) - 1.0, 0.0)
        if self.t_stop / dt > np.iinfo(np.int32).max or (
                stepf.size and stepf.max() > np.iinfo(np.int32).max):
            raise ValueError(f"dt must keep step indices below 2^31 (t_stop / dt = {self.t_stop / dt:.6g}); "
                             f"got {dt}")
        steps = stepf.astype(np.int64)
        order = np.lexsort((self.neurons, steps))
        return SpikeEvents._trusted(self.neurons[order], steps[order].astype(np.int32),
                                    n_neurons=self.n_neurons, dt=dt, t_start=int(round(self.t_start / dt)),
                                    t_stop=int(round(self.t_stop / dt)))

    def __repr__(self) -> str:
        return (f"EventSpikes({len(self)} spikes, {self.n_neurons} neurons, "
                f"[{self.t_start}, {self.t_stop}) ms)")


def _cache_line_rows(n: int, cols: int) -> np.ndarray:
    """Uninitialised C-contiguous float64 ``(n, cols)`` array whose start is 64-byte aligned.

    With 8 columns a row is then one cache line (numpy aligns to 16 bytes only: a row would straddle
    two lines and an event would miss twice).
    """
    buf = np.empty(n * cols + 8)
    off = (-buf.ctypes.data % 64) // 8
    return buf[off: off + n * cols].reshape(n, cols)


def _check_times(value: Any, name: str, n: int) -> np.ndarray:
    arr = check_finite_array(value, name, ndim=1)
    if arr.shape != (n,):
        raise ValueError(f"{name} must have shape ({n},); got shape {arr.shape}")
    if (arr < 0).any():
        i = int(np.argmax(arr < 0))
        raise ValueError(f"{name} must be >= 0; got {arr[i]} at index {i}")
    return arr


class EventDrivenNetwork(EngineBase):
    r"""Exact event-driven simulation of a current-based LIF network with delta synapses.

    Between events every neuron follows

    .. math:: \frac{dv}{dt} = -\frac{v - v_\mathrm{rest}}{\tau_m} + I_\mathrm{ext},

    so :math:`v(t) = v_\infty + (v_0 - v_\infty) e^{-(t - t_0)/\tau_m}` with
    :math:`v_\infty = v_\mathrm{rest} + \tau_m I_\mathrm{ext}`.  An arriving
    spike adds its weight ``w`` to ``v`` at the arrival instant; ``v >= threshold``
    is a spike at that exact time.  If :math:`v_\infty > \theta` the neuron
    also reaches the threshold on its own, at

    .. math:: t^* = t_0 + \tau_m \ln\frac{v_\infty - v_0}{v_\infty - \theta}.

    After a spike at :math:`t_s`, ``v = v_reset`` and the neuron is refractory
    on :math:`[t_s, t_s + t_\mathrm{ref})`: ``v`` is held and arriving input is
    discarded (Brian2's and :class:`Network`'s semantics); a neuron spikes at
    most once per instant (input reaching it at the instant of its spike is
    dropped, and so is a self-crossing predicted for that instant, which with
    zero refractoriness happens when the interval to the next crossing is below
    the floating-point resolution of ``t``).  Inputs reaching one neuron at
    exactly the same time are summed before the threshold test.  Spike times are exact up to
    floating-point rounding (no time step).

    Parameters
    ----------
    population : Population
        Neuron parameters (``v_rest``, ``v_reset``, ``threshold``, ``tau_m`` and
        ``refractory`` in ms, ``v_init``); ``population.dt`` is only used to turn
        a :class:`Connectivity`'s integer delays into ms.
    connectivity : Connectivity or tuple, optional
        Recurrent synapses: a :class:`Connectivity` (delays ``delays * dt`` ms
        unless ``delays_ms`` is given) or plain CSR arrays
        ``(indptr, indices, weights)`` (rows = presynaptic neurons; weights are
        stored as float32, as in :class:`Connectivity`).
    delays_ms : float or array (nnz,), optional
        Continuous synaptic delays in ms (>= 0; zero delay is allowed).
        Default: the Connectivity's step delays times ``dt``, or 0 for plain arrays.
    i_ext : float or array (n,)
        Constant bias current per neuron (potential units per ms).
    synapse : {"deterministic", "bernoulli", "lfsr"}
        Synapse model, with :class:`Network`'s semantics: in the SC modes an
        arriving spike is transmitted with probability ``|w| / w_scale`` and
        then adds ``sign(w) * w_scale``.  ``bernoulli``: the bit is
        ``hash3(key, s, c) >> 32 < round(|w| / w_scale * 2^32)`` for synapse ``s``
        (CSR index) and the presynaptic neuron's spike ordinal ``c`` (0 for its
        first spike since :meth:`reset`), so it does not depend on the event
        order; ``lfsr``: a per-synapse ``lfsr_width``-bit LFSR clocked once per
        arrival, compared with ``round(|w| / w_scale * 2^lfsr_width)``.
    w_scale : float, optional
        SC transmission amplitude (default: the largest ``|w|``, or 1); SC modes need ``|w| <= w_scale``.
    lfsr_width : int
        LFSR width in [3, 32] for ``synapse="lfsr"``.
    seed : None, int, SeedSequence or Generator
        Keys the SC synapse bits and LFSR seeds (inputs carry their own seeds).
    neuron : NeuronModel, optional
        The neuron model (default :class:`LIF`, the model above).  Only models
        with an exact solution between events run here: :class:`LIF` and
        :class:`ExpSynLIF` (an input of weight ``w`` adds ``w / tau_syn`` to the
        synaptic current, also while refractory; the threshold crossing after
        every input is predicted exactly, ``docs/event_driven.md``).  Izhikevich
        and COBA have none (simulate them with :class:`Network`).

    Raises
    ------
    ValueError
        Non-finite or out-of-range parameters (negative delays, NaN weights,
        indices outside ``[0, n - 1]``, shape mismatches), naming the parameter;
        a ``neuron`` without an exact event-driven solution.
    TypeError
        ``population`` not a :class:`Population`, ``neuron`` not a
        :class:`NeuronModel`, or an unsupported ``connectivity``.

    Notes
    -----
    The network owns what its kernel reads: it keeps a snapshot of the
    connectivity (structure shared, immutable; weights copied, changed only by
    its STDP) and of ``i_ext``; later edits of the caller's arrays do not
    change it, and what it hands out (``net.connectivity``, ``net.weights``,
    ``net.i_ext``) is read-only or a copy.  :meth:`save` / :meth:`load`
    checkpoint everything, pending events included.

    Examples
    --------
    >>> from sc_neurocore.network import EventDrivenNetwork, Population
    >>> net = EventDrivenNetwork(Population(1, tau_m=20.0, refractory=2.0), i_ext=0.08)
    >>> [round(float(t), 4) for t in net.run(50.0).times_ms]  # 20 ln(8/3), then every 2 + 20 ln(8/3) ms
    [19.6166, 41.2332]
    """

    def __init__(self, population: Population, connectivity: Connectivity | tuple[Any, ...] | None = None, *,
                 delays_ms: Any = None, i_ext: Any = 0.0, synapse: str = "deterministic",
                 w_scale: float | None = None, lfsr_width: int = 16, seed: SeedLike = None,
                 neuron: NeuronModel | None = None) -> None:
        self._set_population(population)
        self._model: EventModel = event_model(LIF() if neuron is None else neuron, population)
        self._kp = self._model.kernel_params()
        n = population.n
        if np.ndim(i_ext) == 0:
            i_ext_arr = np.full(n, check_real(i_ext, "i_ext"))
        else:
            i_ext_arr = check_finite_array(i_ext, "i_ext", ndim=1)
            if i_ext_arr.shape != (n,):
                raise ValueError(f"i_ext must be a scalar or have shape ({n},); got shape {i_ext_arr.shape}")
        if connectivity is None:
            conn = empty_connectivity(n)
        elif isinstance(connectivity, Connectivity):
            conn = connectivity
        elif isinstance(connectivity, tuple) and len(connectivity) == 3:
            indptr, indices, weights = connectivity
            ip = np.asarray(indptr)
            nnz_guess = int(ip[-1]) if ip.ndim == 1 and ip.size and np.issubdtype(ip.dtype, np.integer) else 0
            conn = Connectivity(indptr, indices, weights, np.ones(max(nnz_guess, 0), np.int8), n)
        else:
            raise TypeError("connectivity must be a Connectivity, a tuple (indptr, indices, weights) "
                            f"or None; got {type(connectivity).__name__}")
        self._check_sc_weights(self._set_synapse_model(conn, synapse, w_scale, lfsr_width, seed))
        nnz = conn.nnz
        uni: float | None = None  # the common delay (ms) when every synapse has the same one
        d = np.zeros(0)
        if delays_ms is None:
            if isinstance(connectivity, Connectivity):
                cd = conn.delays
                if nnz == 0 or cd.min() == cd.max():  # reductions: no per-synapse temporary
                    uni = float(cd[0]) * population.dt if nnz else 0.0
                else:
                    d = cd.astype(np.float64) * population.dt
            else:
                uni = 0.0
        elif np.ndim(delays_ms) == 0:
            uni = check_real(delays_ms, "delays_ms", low=0.0)
        else:
            d = check_finite_array(delays_ms, "delays_ms", ndim=1)
            if d.shape != (nnz,):
                raise ValueError(f"delays_ms must be a scalar or have shape ({nnz},); got shape {d.shape}")
            if (d < 0).any():
                i = int(np.argmax(d < 0))
                raise ValueError(f"delays_ms must be >= 0; got {d[i]} at index {i}")
            if nnz == 0 or bool((d == d[0]).all()):
                uni = float(d[0]) if nnz else 0.0
        # a snapshot: the immutable structure is shared, the weights are the network's own copy (the
        # kernel's array), so later edits of the caller's weights cannot reach the kernel; the snapshot
        # shares it read-only until STDP is enabled (then the kernel gets a private copy: copy-on-write)
        own_w = conn.weights.copy()
        self._conn = Connectivity._trusted(conn.indptr, conn.indices, frozen(own_w.view()), conn.delays, n)
        conn = self._conn
        self._uniform_delay = uni
        self._delays = frozen(d)
        self._order: np.ndarray | None = None  # kernel position -> CSR index (None: the same)
        # kernel order: rows, then delay, then target (stable, so multapses keep their CSR order); each
        # delivery group's targets ascend, so a partition's share of a group is one sub-range (threads)
        targets_ascend = rows_sorted(conn.indptr, conn.indices)
        if uni is not None:
            # one delivery group per non-empty row
            nonempty = np.diff(conn.indptr) > 0
            self._grp_ptr = np.zeros(n + 1, dtype=np.int64)
            np.cumsum(nonempty, out=self._grp_ptr[1:])
            self._grp_start = np.append(conn.indptr[:-1][nonempty], nnz).astype(np.int64)
            self._grp_delay = np.full(int(self._grp_ptr[-1]), uni)
            if targets_ascend:  # the snapshot's CSR arrays as they are
                self._indices = conn.indices
                self._weights = own_w
            else:
                order = np.lexsort((conn.indices, conn.pre()))
                self._indices = np.ascontiguousarray(conn.indices[order])
                self._weights = np.ascontiguousarray(conn.weights[order])
                self._order = order.astype(np.int64)
        else:
            # a spike pushes one queue entry per distinct delay of its row
            order = np.lexsort((conn.indices, d, conn.pre()))
            self._indices = np.ascontiguousarray(conn.indices[order])
            self._weights = np.ascontiguousarray(conn.weights[order])
            self._grp_ptr, self._grp_start, self._grp_delay = K.build_groups(
                conn.indptr.astype(np.int64), np.ascontiguousarray(d[order]))
            self._order = order.astype(np.int64)
        #: smallest synaptic delay in ms (inf without synapses): the window of a threaded run
        self._min_delay = math.inf if nnz == 0 else (uni if uni is not None else float(d.min()))
        self._cuts: tuple[bytes, np.ndarray] | None = None  # partition_cuts of the last threaded run
        # SC synapses are keyed by their CSR index
        if self._synapse == "deterministic":
            self._syn_id = np.zeros(0, np.int64)
        else:
            self._syn_id = np.arange(nnz, dtype=np.int64) if self._order is None else self._order
        self._plastic = False  # weights may differ from the snapshot's (STDP was enabled)
        self._in_ptr = np.zeros(1, np.int64)
        self._in_syn = np.zeros((0, 2), np.int64)
        self._drive = self._checked_drive(i_ext_arr)
        self._i_ext = frozen(i_ext_arr)
        self._poisson: list[PoissonInput] = []
        self._ext_t = np.zeros(0)
        self._ext_i = np.zeros(0, np.int32)
        self._ext_w = np.zeros(0)
        self._ext_pos = np.zeros(1, dtype=np.int64)
        self._tv = np.zeros((0, n))  # summed time-varying currents, (T, n) float64
        self._chg_t = np.zeros(0)
        self._chg_i = np.zeros(0, np.int32)
        self._chg_v = np.zeros(0)
        self._chg_pos = np.zeros(1, dtype=np.int64)
        self.reset()

    def _checked_drive(self, i_ext: np.ndarray) -> np.ndarray:
        """The model's drive for ``i_ext`` (LIF: ``v_inf``); a ValueError naming ``i_ext`` if not finite."""
        drive = self._model.drive(i_ext)
        if not np.isfinite(drive).all():
            i = int(np.argmax(~np.isfinite(drive)))
            raise ValueError(f"i_ext must keep {self._model.drive_text} finite; got {i_ext[i]} at index {i}")
        return drive

    @property
    def n(self) -> int:
        """Number of neurons."""
        return self._pop.n

    @property
    def neuron(self) -> NeuronModel:
        """The neuron model (immutable; :class:`LIF` unless given)."""
        return self._model.neuron

    @property
    def connectivity(self) -> Connectivity:
        """The network's synapses (structure and weights read-only; the weights are the current ones)."""
        if self._order is None and not self._plastic:
            return self._conn
        c = self._conn
        return Connectivity._trusted(c.indptr, c.indices, frozen(self.weights), c.delays, self.n)

    @property
    def i_ext(self) -> np.ndarray:
        """Constant bias current per neuron (read-only; :meth:`add_input` with a Current adds to it)."""
        return self._i_ext

    @property
    def t(self) -> float:
        """Current time in ms (the end of the last run)."""
        return self._t

    @property
    def weights(self) -> np.ndarray:
        """Current weights (changed by STDP) in the connectivity's CSR order (float32, a new array)."""
        if self._order is None:
            return self._weights.copy()
        w = np.empty_like(self._weights)
        w[self._order] = self._weights
        return w

    @property
    def delays_ms(self) -> np.ndarray:
        """Delay of every synapse in ms, in the connectivity's CSR order (float64, a new array)."""
        if self._uniform_delay is not None:
            return np.full(self._conn.nnz, self._uniform_delay)
        return self._delays.copy()

    # ------------------------------------------------------------------ setup

    def reset(self) -> None:
        """Back to ``t = 0``: ``v = v_init``, no refractoriness, Poisson generators restart, spikes cleared.

        Explicit events not yet delivered stay scheduled (at their absolute
        times); those already delivered are not replayed (add them again).
        Time-varying currents restart from step 0; STDP traces, SC spike
        ordinals and statistics restart, LFSR registers are re-seeded; the
        weights (possibly changed by STDP) are kept.
        """
        n = self.n
        self._t = 0.0
        S = _cache_line_rows(n, self._model.n_cols)
        self._model.init_rows(S, self._drive)
        S[:, K.TUPD] = 0.0
        S[:, K.TSPK] = -math.inf
        S[:, K.ACC] = math.nan
        S[:, K.VER] = 0.0
        self._S = S
        self._chg_pos = np.zeros(1, dtype=np.int64)
        self._tlist = np.zeros(n, dtype=np.int32)
        self._slist = np.zeros(n, dtype=np.int32)
        self._heap_n = np.zeros(1, dtype=np.int64)
        cap = max(1024, 2 * n)
        self._h = np.zeros((cap, 3))
        p = int(self._ext_pos[0])
        self._ext_t = self._ext_t[p:]
        self._ext_i = self._ext_i[p:]
        self._ext_w = self._ext_w[p:]
        self._ext_pos = np.zeros(1, dtype=np.int64)
        self._out_t = np.zeros(max(1024, n))
        self._out_i = np.zeros(max(1024, n), dtype=np.int32)
        self._n_out = np.zeros(1, dtype=np.int64)
        self._t_record_start = 0.0
        self._stats = np.zeros(len(_STAT_NAMES), dtype=np.int64)
        self._wall_s = 0.0
        self._bio_ms = 0.0
        self._nspk = np.zeros(n, dtype=np.int64)
        self._traces = self._fresh_traces()
        self._Q = fresh_rows(self._stp_params)
        if self._synapse == "lfsr":
            self._lfsr = lfsr_init(self._lfsr_key[0], self._lfsr_key[1], self._conn.nnz, self._lfsr_width)
        else:
            self._lfsr = np.zeros(0, dtype=np.uint32)
        # initial SELF predictions (also a neuron starting at or above threshold: spike at t = 0)
        tc = K.predict_all(self._kp, S)
        sel = np.flatnonzero(tc < math.inf)
        self._push_sorted(tc[sel], sel.astype(np.int64), np.zeros(sel.shape[0], dtype=np.int64))
        self._p_count = np.zeros(0, np.int64)
        self._pois_arrays()
        for inp in self._poisson:
            self._schedule_poisson_first(inp)

    def _push_sorted(self, times: np.ndarray, keys: np.ndarray, payloads: np.ndarray) -> None:
        hn = int(self._heap_n[0])
        while hn + times.shape[0] > self._h.shape[0]:
            self._h = K._grow(self._h)
        order = np.lexsort((keys, times))
        self._heap_n[0] = K.push_many(self._h, hn, np.ascontiguousarray(times[order], dtype=np.float64),
                                      np.ascontiguousarray(keys[order], dtype=np.float64),
                                      np.ascontiguousarray(payloads[order], dtype=np.float64))

    def _pois_arrays(self) -> None:
        tg, amp, mean, k0, k1, dom = [], [], [], [], [], []
        for inp in self._poisson:
            m = inp.rates_hz.shape[0]
            tg.append(inp.targets)
            amp.append(np.full(m, inp.amplitude))
            with np.errstate(divide="ignore"):
                mean.append(np.where(inp.rates_hz > 0, 1000.0 / np.maximum(inp.rates_hz, 1e-300), math.inf))
            k0.append(np.full(m, inp.key[0], dtype=np.uint64))
            k1.append(np.full(m, inp.key[1], dtype=np.uint64))
            dom.append(np.arange(m, dtype=np.uint64))
        if tg:
            self._p_target = np.concatenate(tg).astype(np.int32)
            self._p_amp = np.concatenate(amp)
            self._p_mean = np.concatenate(mean)
            self._p_k0 = np.concatenate(k0)
            self._p_k1 = np.concatenate(k1)
            self._p_dom = np.concatenate(dom)
        else:
            self._p_target = np.zeros(0, np.int32)
            self._p_amp = np.zeros(0)
            self._p_mean = np.zeros(0)
            self._p_k0 = np.zeros(0, np.uint64)
            self._p_k1 = np.zeros(0, np.uint64)
            self._p_dom = np.zeros(0, np.uint64)
        old = getattr(self, "_p_count", np.zeros(0, np.int64))
        cnt = np.zeros(self._p_target.shape[0], dtype=np.int64)
        cnt[: old.shape[0]] = old[: cnt.shape[0]]
        self._p_count = cnt

    def _schedule_poisson_first(self, inp: PoissonInput) -> None:
        # generators of ``inp`` occupy the global indices [offset, offset + m)
        offset = 0
        for other in self._poisson:
            if other is inp:
                break
            offset += other.rates_hz.shape[0]
        m = inp.rates_hz.shape[0]
        q = np.arange(offset, offset + m)
        live = q[np.isfinite(self._p_mean[q])]
        times = K.poisson_first_times(self.t, self._p_k0[live], self._p_k1[live], self._p_dom[live],
                                      self._p_mean[live])
        self._p_count[live] = 1
        keys = (np.int64(K.KIND_POIS) << np.int64(K.KIND_SHIFT)) + live.astype(np.int64)
        self._push_sorted(times, keys, np.zeros(live.shape[0], dtype=np.int64))

    def add_input(self, inp: PoissonInput | Current | BinaryInput) -> EventDrivenNetwork:
        """Attach a Poisson input, a current or a bit matrix (returns ``self``).

        :class:`PoissonInput` generator ``q`` fires as a continuous-time Poisson
        process: its ``k``-th interval is ``-(1000 / rate) * log(1 - u_k)`` ms with
        ``u_k = uniform01(key, q, k)`` (counter hash keyed by the input's seed),
        and each spike adds ``amplitude`` to ``targets[q]``.  A constant
        :class:`Current` is added to ``i_ext``.  A time-varying :class:`Current`
        (``T`` steps) is piecewise constant: on ``[k dt, (k + 1) dt)`` (``dt =
        population.dt``) it adds ``values[k]`` to ``i_ext``, and nothing from
        ``T dt`` on; the neuron's asymptote changes exactly at those instants
        (an event per neuron whose total current changes).  Currents must be
        added before the first run.  A :class:`BinaryInput` /
        :class:`BitstreamInput` becomes explicit events (:meth:`add_events`):
        bit ``k`` of row ``q`` adds ``amplitude`` to ``targets[q]`` at ``k dt``
        ms (the start of the clock-driven step ``k``); steps before the
        current time are refused.
        """
        n = self.n
        if isinstance(inp, BinaryInput):
            return self._add_bits(inp)
        if isinstance(inp, Current):
            const, tv = inp.resolve(n)
            if self.t != 0.0 or int(self._n_out[0]) != 0:
                raise ValueError("inp (a Current) must be added before the first run; call reset() first")
            if tv is not None:
                self._add_time_course(tv)
                return self
            i_ext = self._i_ext + np.asarray(const, dtype=np.float64)
            self._drive = self._checked_drive(i_ext)  # validated before anything changes
            self._i_ext = frozen(i_ext)
            if self._tv.shape[0]:  # the schedule's asymptotes include i_ext
                self._add_time_course(np.zeros((0, n)))
            # new asymptotes (t = 0, the initial state): invalidate the old self-crossing predictions
            # and predict again
            self._S[:, self._model.drive_col] = self._drive
            self._S[:, K.VER] += 1.0
            tc = K.predict_all(self._kp, self._S)
            sel = np.flatnonzero(tc < math.inf)
            self._push_sorted(tc[sel], sel.astype(np.int64), self._S[sel, K.VER].astype(np.int64))
            return self
        if not isinstance(inp, PoissonInput):
            raise TypeError(f"inp must be a PoissonInput, a Current or a BinaryInput; "
                            f"got {type(inp).__name__}")
        check_targets(inp.targets, n)
        # a shallow copy (the arrays are read-only): reset() re-reads it, so the caller's later
        # reassignments must not reach the kernel
        self._poisson.append(copy.copy(inp))
        self._pois_arrays()
        self._schedule_poisson_first(self._poisson[-1])
        return self

    def _add_bits(self, inp: BinaryInput) -> EventDrivenNetwork:
        n = self.n
        check_targets(inp.targets, n)
        bits = np.unpackbits(inp.packed.view(np.uint8), axis=1, bitorder="little")[:, : inp.length]
        rows, steps = np.nonzero(bits)
        order = np.lexsort((rows, steps))  # by step, then row: the summation order at one instant
        times = steps[order] * self._pop.dt
        if times.size and times[0] < self.t:
            raise ValueError(f"inp (a BinaryInput) must not have bits before the current time {self.t} ms; "
                             f"got a bit at step {int(steps[order][0])} ({times[0]} ms)")
        return self.add_events(times, inp.targets[rows[order]], inp.amplitude)

    def _add_time_course(self, tv: np.ndarray) -> None:
        """Add a (T, n) current time course and rebuild the schedule of asymptote changes."""
        steps = max(self._tv.shape[0], tv.shape[0])
        total = np.zeros((steps, self.n))
        total[: self._tv.shape[0]] += self._tv
        total[: tv.shape[0]] += tv
        pop = self._pop
        # drive per step, then the base one again from step T on
        vi = np.concatenate([self._model.drive(self._i_ext + total), self._drive[None, :]])
        if not np.isfinite(vi).all():
            raise ValueError(f"inp (a time-varying Current) must keep {self._model.drive_text} finite")
        prev = np.concatenate([self._drive[None, :], vi[:-1]])
        k, i = np.nonzero(vi != prev)  # step-major: sorted by time, then neuron
        self._tv = total
        self._chg_t = np.asarray(k * pop.dt, dtype=np.float64)
        self._chg_i = i.astype(np.int32)
        self._chg_v = vi[k, i]
        self._chg_pos = np.zeros(1, dtype=np.int64)

    def add_poisson(self, rates_hz: Any, weight: float, *, n: int | None = None, targets: Any = None,
                    seed: Any = None) -> EventDrivenNetwork:
        """Shortcut for ``add_input(PoissonInput(rates_hz, weight, n=n, targets=targets, seed=seed))``."""
        return self.add_input(PoissonInput(rates_hz, weight, n=n, targets=targets, seed=seed))

    def add_events(self, times_ms: Any, neurons: Any, weights: Any) -> EventDrivenNetwork:
        """Explicit external input: at ``times_ms[e]`` add ``weights[e]`` to neuron ``neurons[e]``.

        Times must be >= the current time ``t``; events at equal times keep
        their order (which only fixes the floating-point summation order).
        """
        ids = check_neuron_ids(neurons, "neurons", self.n)
        m = ids.shape[0]
        tt = _check_times(times_ms, "times_ms", m)
        ww = np.atleast_1d(check_finite_array(weights, "weights"))
        if ww.shape == (1,) and m != 1:
            ww = np.full(m, ww[0])
        if ww.shape != (m,):
            raise ValueError(f"weights must be a scalar or have shape ({m},); got shape {ww.shape}")
        if m and tt.min() < self.t:
            raise ValueError(f"times_ms must be >= the current time {self.t}; got {tt.min()}")
        p = int(self._ext_pos[0])
        t_all = np.concatenate([self._ext_t[p:], tt])
        i_all = np.concatenate([self._ext_i[p:], ids])
        w_all = np.concatenate([self._ext_w[p:], ww])
        order = np.argsort(t_all, kind="stable")
        self._ext_t = np.ascontiguousarray(t_all[order])
        self._ext_i = np.ascontiguousarray(i_all[order], dtype=np.int32)
        self._ext_w = np.ascontiguousarray(w_all[order])
        self._ext_pos[0] = 0
        return self

    def _fresh_traces(self) -> np.ndarray:
        """STDP traces ``(x_pre, x_post, t_last)`` per neuron: zero, never spiked (empty without STDP)."""
        P = np.zeros((self.n if self._stdp is not None else 0, 3))
        P[:, 2] = -math.inf
        return P

    def set_stdp(self, stdp: STDP | None) -> None:
        """Enable (or with ``None`` disable) exact event-driven STDP; traces restart from 0.

        The rule and parameters are :class:`STDP`'s, with traces evaluated at
        event times, ``x(t) = x(t_0) exp(-(t - t_0) / tau)`` (no time step):
        at a spike of neuron ``i`` at time ``t`` its outgoing synapses are
        depressed from their targets' ``x_post(t)`` and its incoming synapses
        potentiated from their sources' ``x_pre(t)`` (traces before the
        increments of the spikes at ``t``, so a pre/post pair at the same
        instant changes nothing; synapses are updated in ascending neuron
        order of the spikes at ``t``), then ``i``'s traces are incremented by 1
        (set to 1 with ``nearest_neighbor``).  Plasticity acts at spike
        emission times; an arrival transmits the weight it has when it arrives.
        In SC modes ``stdp`` must clip to ``W_max <= w_scale``.
        """
        self._check_stdp(stdp)
        self._stdp = copy.copy(stdp)  # own copy (plain attributes)
        if stdp is not None and not self._plastic:
            self._weights = self._weights.copy()  # connectivities handed out so far keep their weights
            self._plastic = True
        self._traces = self._fresh_traces()
        if stdp is not None and self._in_ptr.shape[0] != self.n + 1:
            # incoming synapses of each neuron as (source, kernel position) pairs, by position
            n = self.n
            pos_row = np.repeat(np.arange(n, dtype=np.int64), np.diff(self._conn.indptr))
            order = np.argsort(self._indices, kind="stable")
            self._in_syn = np.ascontiguousarray(np.stack([pos_row[order], order.astype(np.int64)], axis=1))
            self._in_ptr = np.zeros(n + 1, dtype=np.int64)
            np.cumsum(np.bincount(self._indices, minlength=n), out=self._in_ptr[1:])

    # ------------------------------------------------------------------ run

    def run(self, duration: float, *, threads: int = 1, checkpoint_every: float | None = None,
            checkpoint_dir: Any = None, keep: int = 3) -> EventSpikes:
        """Process every event in ``[t, t + duration)`` ms, optionally saving periodic checkpoints.

        ``run(a); run(b)`` gives the same spikes as ``run(a + b)`` (when
        ``t + a + b`` is computed the same way).

        Parameters
        ----------
        duration : float
            Biological time to simulate in ms (> 0).
        threads : int
            Threads (>= 1).  With more than one, the neurons are split into
            ``threads`` ranges that advance in parallel in windows of the
            smallest synaptic delay; the spikes and the state are bit-identical
            to ``threads=1`` (only the counters ``rounds`` and ``heap_pops`` of
            :meth:`statistics` count per partition).  Needs STDP off and every
            delay > 0.  Worth it when there is much work per window: at 1M
            neurons see ``docs/event_driven.md``, "Threads".
        checkpoint_every : float, optional
            With ``checkpoint_dir``: after every ``checkpoint_every`` ms of
            biological time (at ``t0 + k * checkpoint_every``) and at the end,
            :meth:`save` to ``checkpoint_dir/checkpoint_<index>.npz`` (index
            one more than the highest there; written to a temporary name and
            renamed, so a crash never leaves a half-written checkpoint), then
            delete all but the newest ``keep``.  Chunking does not change the
            spikes.
        checkpoint_dir : str or os.PathLike, optional
            An existing directory.
        keep : int
            How many checkpoints to keep (>= 1).

        Returns
        -------
        EventSpikes
            The spikes of this call, at exact times (ms), sorted by time then neuron.

        Raises
        ------
        ValueError
            If ``duration`` or ``checkpoint_every`` is not a finite number > 0,
            ``keep < 1``, or ``checkpoint_dir`` is not a directory; or only one of
            ``checkpoint_every`` / ``checkpoint_dir`` is given; ``threads < 1``, or
            ``threads > 1`` with STDP on, a zero delay, or a smallest delay below
            half a float64 ulp of ``t + duration`` (a window would not advance time).
        TypeError
            If ``threads`` is not an integer.
        """
        duration = check_real(duration, "duration", low=0.0, low_open=True)
        t_begin = self.t
        t_stop = self.t + duration
        threads = self._check_threads(threads, t_stop)
        first = int(self._n_out[0])
        if checkpoint_every is None and checkpoint_dir is None:
            self._run_until(t_stop, threads)
        else:
            if checkpoint_every is None or checkpoint_dir is None:
                raise ValueError("checkpoint_every and checkpoint_dir must be given together; got "
                                 f"checkpoint_every={checkpoint_every!r}, checkpoint_dir={checkpoint_dir!r}")
            every = check_real(checkpoint_every, "checkpoint_every", low=0.0, low_open=True)
            keep = check_int(keep, "keep", low=1)
            if not isinstance(checkpoint_dir, (str, os.PathLike)) or not os.path.isdir(checkpoint_dir):
                raise ValueError(f"checkpoint_dir must be an existing directory; got {checkpoint_dir!r}")
            k = 1
            while True:
                # boundaries t0 + k * every, the last one exactly t0 + duration
                t_k = t_stop if k * every >= duration else t_begin + k * every
                self._run_until(t_k, threads)
                self._checkpoint(os.fspath(checkpoint_dir), keep)
                if t_k == t_stop:
                    break
                k += 1
        return self._events(first, int(self._n_out[0]), t_begin, t_stop)

    def _checkpoint(self, directory: str, keep: int) -> None:
        existing = sorted(int(m.group(1)) for f in os.listdir(directory) if (m := _CKPT_RE.match(f)))
        index = existing[-1] + 1 if existing else 0
        path = os.path.join(directory, f"checkpoint_{index:09d}.npz")
        tmp = path + ".tmp"
        self.save(tmp)
        os.replace(tmp, path)
        for old in [*existing, index][:-keep]:
            os.remove(os.path.join(directory, f"checkpoint_{old:09d}.npz"))

    def _plasticity(self) -> K.EvPlasticity:
        st = self._stdp
        if st is None:
            return K.EvPlasticity(on=False, P=self._traces, tau_plus=1.0, tau_minus=1.0, rule=0,
                                  a_plus=_F32(0), a_minus=_F32(0), w_max=_F32(1), clip=False, nearest=False)
        return K.EvPlasticity(on=True, P=self._traces, tau_plus=st.tau_plus, tau_minus=st.tau_minus,
                              rule=0 if st.rule == "additive" else 1, a_plus=_F32(st.eta * st.A_plus),
                              a_minus=_F32(st.eta * st.A_minus), w_max=_F32(st.W_max), clip=st.clip,
                              nearest=st.nearest_neighbor)

    def _graph(self) -> K.EvGraph:
        return K.EvGraph(grp_ptr=self._grp_ptr, grp_start=self._grp_start, grp_delay=self._grp_delay,
                         indices=self._indices, weights=self._weights, in_ptr=self._in_ptr,
                         in_syn=self._in_syn)

    def _inputs(self) -> K.EvInputs:
        return K.EvInputs(ext_t=self._ext_t, ext_i=self._ext_i, ext_w=self._ext_w, ext_pos=self._ext_pos,
                          pois_target=self._p_target, pois_amp=self._p_amp, pois_mean=self._p_mean,
                          pois_k0=self._p_k0, pois_k1=self._p_k1, pois_dom=self._p_dom,
                          pois_count=self._p_count,
                          chg_t=self._chg_t, chg_i=self._chg_i, chg_v=self._chg_v, chg_pos=self._chg_pos)

    def _synapse_args(self) -> K.EvSynapse:
        w = self._lfsr_width
        return K.EvSynapse(mode=SYNAPSE_MODES.index(self._synapse), w_scale=_F32(self._w_scale),
                           k0=self._syn_key[0], k1=self._syn_key[1], syn_id=self._syn_id, nspk=self._nspk,
                           lfsr=self._lfsr, tap_mask=np.uint32(tap_mask(MAXIMAL_TAPS[w])), n_bits=w,
                           n_mask=np.uint32((1 << w) - 1), stp=self._stp is not None, Q=self._Q)

    def _append_spikes(self, t: np.ndarray, i: np.ndarray) -> None:
        """Record spikes after the ones so far (a threaded run's)."""
        no = int(self._n_out[0])
        m = no + t.shape[0]
        if m > self._out_t.shape[0]:
            cap = max(2 * self._out_t.shape[0], m)
            self._out_t = np.concatenate([self._out_t[:no], np.zeros(cap - no)])
            self._out_i = np.concatenate([self._out_i[:no], np.zeros(cap - no, np.int32)])
        self._out_t[no:m] = t
        self._out_i[no:m] = i
        self._n_out[0] = m

    def _partition_cuts(self, bounds: np.ndarray) -> np.ndarray:
        """:func:`~sc_neurocore._kernels._event.partition_cuts` for ``bounds`` (kept for the next run)."""
        key = bounds.tobytes()
        if self._cuts is None or self._cuts[0] != key:
            self._cuts = (key, K.partition_cuts(self._grp_start, self._indices, bounds))
        return self._cuts[1]

    def _check_threads(self, threads: Any, t_stop: float) -> int:
        threads = check_int(threads, "threads", low=1)
        if threads > 1 and self._stdp is not None:
            raise ValueError(f"threads={threads} needs STDP off: a spike's weight updates read the traces of "
                             "neurons in other partitions; run with threads=1 or set_stdp(None)")
        if threads > 1 and self._min_delay == 0.0:
            raise ValueError(f"threads={threads} needs every synaptic delay > 0 (the partitions advance in "
                             "windows of the smallest delay); got a delay of 0 ms")
        if threads > 1 and t_stop + self._min_delay == t_stop:
            # below half a float64 ulp of the time a window would not advance it: the run would never end
            raise ValueError(f"threads={threads} needs the smallest synaptic delay ({self._min_delay} ms) to "
                             f"advance the time {t_stop} ms in float64 (at least {np.spacing(t_stop)} ms); "
                             "run with threads=1")
        return threads

    def _run_until(self, t_stop: float, threads: int = 1) -> None:
        wall0 = time.perf_counter()
        if threads > 1 and self.n > 1:
            from ._event_threads import run_threaded

            run_threaded(self, t_stop, threads)
        else:
            nrn = K.EvNeurons(model=self._kp, S=self._S, tlist=self._tlist, slist=self._slist)
            queue = K.EvQueue(h=self._h, n=self._heap_n)
            rec = K.EvRecord(out_t=self._out_t, out_i=self._out_i, n_out=self._n_out, stats=self._stats)
            graph, inp, syn, pl = self._graph(), self._inputs(), self._synapse_args(), self._plasticity()
            self._h, self._out_t, self._out_i = K.run_events(t_stop, nrn, graph, inp, queue, syn, pl, rec)
        self._wall_s += time.perf_counter() - wall0
        self._bio_ms += t_stop - self._t
        self._t = t_stop

    def _events(self, a: int, b: int, t0: float, t1: float) -> EventSpikes:
        tt = self._out_t[a:b]
        ii = self._out_i[a:b]
        dt = np.diff(tt)
        # the loop emits rounds in time order and each round's spikes by neuron: already sorted, so the
        # O(n log n) sort (5% of a 1M-neuron run's time) is needed only if that check fails
        if np.all((dt > 0.0) | ((dt == 0.0) & (np.diff(ii) >= 0))):
            tt, ii = tt.copy(), ii.copy()  # not views of the network's output buffers
        else:
            order = np.lexsort((ii, tt))
            tt, ii = tt[order], ii[order]
        return EventSpikes(tt, ii, n_neurons=self.n, t_start=t0, t_stop=t1)

    @property
    def spikes(self) -> EventSpikes:
        """Every spike since the last :meth:`reset`."""
        return self._events(0, int(self._n_out[0]), self._t_record_start, self.t)

    def potentials(self) -> np.ndarray:
        """Membrane potentials at the current time ``t`` (float64, shape (n,)); the state is not changed."""
        return K.potentials_at(self.t, self._kp, self._S)

    def statistics(self) -> dict[str, float]:
        """Counters since :meth:`reset` and the speed of the runs that made them.

        Counters (int): ``rounds`` (distinct instants), ``heap_pops``,
        ``synaptic_events`` (arrivals, including discarded ones),
        ``accepted_inputs`` (input sums integrated), ``spikes`` and
        ``transmitted`` (arrivals that added input: every one in
        deterministic mode, the transmitted ones in SC modes).  Speed (float):
        ``wall_s`` (seconds spent in :meth:`run` since :meth:`reset`, not saved
        in checkpoints), ``bio_ms`` (biological ms simulated by those runs),
        ``events_per_s = (synaptic_events + heap_pops) / wall_s`` and the
        real-time factor ``rtf = wall_s / (bio_ms / 1000)`` (below 1: faster
        than real time); both 0 before the first run.
        """
        out: dict[str, float] = {k: int(v) for k, v in zip(_STAT_NAMES, self._stats, strict=True)}
        wall = self._wall_s
        out["wall_s"] = wall
        out["bio_ms"] = self._bio_ms
        out["events_per_s"] = (out["synaptic_events"] + out["heap_pops"]) / wall if wall > 0 else 0.0
        out["rtf"] = wall / (self._bio_ms / 1000.0) if self._bio_ms > 0 else 0.0
        return out

    # ------------------------------------------------------------------ persistence

    def save(self, path: Any) -> None:
        """Write the whole network, pending events and state included, to exactly ``path`` (npz, no pickles).

        ``load(path).run(b)`` then gives the same spikes, bit for bit, as
        continuing this network with ``run(b)``.  Inputs: the Poisson inputs,
        the constant currents (folded into ``i_ext``) and the explicit events
        not yet delivered are stored.  The format is in ``docs/event_driven.md``.

        Raises
        ------
        TypeError
            If ``path`` is not a str, ``os.PathLike`` or writable binary file object.
        """
        from ._event_persistence import save_event_network

        save_event_network(self, path)

    @classmethod
    def load(cls, path: Any) -> EventDrivenNetwork:
        """Rebuild a network written by :meth:`save` (the file is untrusted input).

        Raises
        ------
        TypeError
            If ``path`` is not a str, ``os.PathLike`` or readable binary file object.
        FileNotFoundError
            If there is no file ``path``.
        ValueError
            If the file is not a readable npz archive, is of a newer format,
            lacks an entry or has an unexpected one, or any array or field
            fails its check (the constructor's, ``add_input``'s, ``set_stdp``'s,
            ``add_events``' or the state checks: shapes, finiteness, ranges, a
            valid event heap); the message names the file and the problem.
        """
        from ._event_persistence import load_event_network

        net: EventDrivenNetwork = load_event_network(path)
        return net

    def __repr__(self) -> str:
        return f"EventDrivenNetwork(n={self.n}, nnz={self._conn.nnz}, t={self.t} ms)"
