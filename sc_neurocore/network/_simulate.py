"""The network: population + connectivity + inputs + plasticity, simulated by one numba loop (private).

See ``docs/network.md`` for the update order, units and refractory semantics.
"""

from __future__ import annotations

import copy
import math
from typing import Any

import numba
import numpy as np

from .._kernels import _network as K
from .._rng import SeedLike
from .._taps import MAXIMAL_TAPS, tap_mask
from .._validation import check_bool, check_count, check_finite_array, check_int, check_real
from ._connectivity import _MAX_DELAY, Connectivity, _is_uniform, _uniform_delays
from ._engine_common import SYNAPSE_MODES, EngineBase, check_neuron_ids, empty_connectivity, max_abs
from ._inputs import BinaryInput, Current, PoissonInput
from ._models import LIF, NETWORK_STATE, NeuronModel, StateField
from ._monitors import SpikeEvents, StateTrace
from ._plasticity import STDP, Homeostasis
from ._population import F32_MAX, Population, check_f32, frozen
from ._stp import fresh_rows

__all__ = ["Network", "SYNAPSE_MODES"]

_F32 = np.float32


def _check_finite_state(a: np.ndarray, name: str) -> None:
    """Raise unless every entry of the float32 state ``a`` is finite (one float64 sum, no temporary).

    Finite float32 values cannot overflow a float64 sum, so the sum is finite iff every entry is.
    """
    if a.size and not math.isfinite(float(a.sum(dtype=np.float64))):
        i = int(np.argmax(~np.isfinite(a)))
        raise ValueError(f"{name} must be finite; got {a[i]} at index {i} (edited in place?)")


class _State:
    """A state array the network owns: assigning validates the value and stores a C-contiguous copy.

    Described by the network's :class:`~._models.StateField` of that name.  The
    kernels index with these arrays' shapes, so a wrong shape (or a value
    outside ``[low, high]`` for integer state) is a ValueError here, never an
    out-of-bounds access later.  In-place edits keep the shape; their values
    are checked by :meth:`Network.run` before every run.
    """

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, obj: Any, objtype: Any = None) -> Any:
        return self if obj is None else obj._state[self.name]

    def __set__(self, obj: Network, value: Any) -> None:
        obj.set_state(self.name, value)


class Network(EngineBase):
    """A recurrent spiking network (LIF unless ``neuron`` says otherwise) simulated in compiled steps.

    Parameters
    ----------
    population : Population
    connectivity : Connectivity, optional
        Recurrent synapses (``n_pre == n_post == population.n``); ``None`` for none.
    synapse : {"deterministic", "bernoulli", "lfsr"}
        ``deterministic``: a spike adds ``w`` to the target.  Stochastic-computing
        modes: each transmission succeeds with probability ``|w| / w_scale``
        and then adds ``sign(w) * w_scale``; the bit is ``hash3(k, s, t) >> 32 < T``
        with ``T = round(|w| / w_scale * 2^32)`` (``bernoulli``, keyed per synapse
        ``s`` and emission step ``t``) or the comparator ``state < round(|w| / w_scale * 2^n)``
        of a per-synapse ``n``-bit LFSR clocked once per presynaptic spike
        (``lfsr``, conventions §3).
    w_scale : float, optional
        SC full-scale weight (default: the largest ``|w|``); every ``|w|`` must be <= it.
    lfsr_width : int
        LFSR width ``n`` in [3, 32] for ``synapse="lfsr"``.
    record : "all", None or array of int
        Which neurons' spikes to record.
    seed : None, int, SeedSequence or Generator
        Keys the SC synapse bits / LFSR seeds (inputs carry their own seeds).
    neuron : NeuronModel, optional
        The neuron model: :class:`LIF` (default), :class:`ExpSynLIF` (exponential
        current synapses), :class:`Izhikevich` or :class:`COBA` (conductance-based);
        every synapse mode, input, STDP and homeostasis (``threshold + theta``)
        works with each.  Model
        state beyond ``v`` and ``refr`` is an attribute too (``net.u``,
        ``net.i_syn``), assigned like ``v`` or with :meth:`set_state`.

    Notes
    -----
    Ownership.  ``population``, ``connectivity``, ``synapse``, ``w_scale``,
    ``lfsr_width``, ``inputs``, ``stdp`` and ``homeostasis`` are read-only
    attributes (use the methods to change them).  The population and the
    connectivity's structure are immutable and shared.  The weights are
    copy-on-write: the network reads ``connectivity.weights`` of the object
    it was given until it first changes a weight (a run with STDP,
    :meth:`rescale_weights`, :meth:`prune`); it then switches to its own copy,
    and ``net.connectivity`` is that new object, so two networks built on one
    Connectivity never change each other's weights.  The state arrays ``v``,
    ``refr``, ``ring``, ``theta``, ``xpre``, ``xpost`` and ``lfsr`` are the
    network's own: assigning one validates it (shape, dtype, finiteness,
    range) and stores a copy; editing one in place is allowed, and every
    :meth:`run` first checks, by reductions costing O(N) (O(nnz) for the
    weights and LFSR registers, no temporaries), that the state and the weights
    are finite and in range.
    """

    v = _State()
    refr = _State()
    ring = _State()
    theta = _State()
    xpre = _State()
    xpost = _State()
    lfsr = _State()

    def __init__(
        self,
        population: Population,
        connectivity: Connectivity | None = None,
        *,
        synapse: str = "deterministic",
        w_scale: float | None = None,
        lfsr_width: int = 16,
        record: Any = "all",
        seed: SeedLike = None,
        neuron: NeuronModel | None = None,
    ) -> None:
        self._set_population(population)
        if neuron is None:
            neuron = LIF()
        if not isinstance(neuron, NeuronModel):
            raise TypeError(f"neuron must be a NeuronModel (LIF, ExpSynLIF, Izhikevich, COBA); "
                            f"got {type(neuron).__name__}")
        neuron.check_population(population)
        self._model = neuron
        n = population.n
        if connectivity is None:
            connectivity = empty_connectivity(n)
        if not isinstance(connectivity, Connectivity):
            raise TypeError(f"connectivity must be a Connectivity; got {type(connectivity).__name__}")
        self._set_synapse_model(connectivity, synapse, w_scale, lfsr_width, seed)
        self._conn = connectivity  # shared until the network changes a weight (copy-on-write)
        self._owns_weights = False
        self._check_weights()
        if isinstance(record, str) and record == "all":
            self._rec_mask = np.ones(n, dtype=np.uint8)
        elif record is None:
            self._rec_mask = np.zeros(n, dtype=np.uint8)
        else:
            idx = check_neuron_ids(record, "record", n)
            self._rec_mask = np.zeros(n, dtype=np.uint8)
            self._rec_mask[idx] = 1
        self._inputs: list[Any] = []
        self._homeostasis: Homeostasis | None = None
        self._mon_idx = np.zeros(0, dtype=np.int32)
        self._merged: K.Inputs | None = None
        self._csc: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
        self._d_uni = 0
        self._d_uni_of: np.ndarray | None = None
        self._sorted: tuple[np.ndarray, bool] | None = None
        self._d_min: tuple[np.ndarray, int] | None = None
        # the engine's scratch and what it was made for (_scratch)
        self._scratch_of: tuple[tuple[int, int, int], tuple[np.ndarray, np.ndarray, np.ndarray]] | None = None
        self._rec_hint = 0
        self.reset()

    # ------------------------------------------------------------------ owned state

    @property
    def t(self) -> int:
        """Steps simulated since the last :meth:`reset` (the absolute step of the next one)."""
        return self._t

    @t.setter
    def t(self, value: Any) -> None:
        self._t = check_int(value, "t", low=0, high=np.iinfo(np.int32).max)

    @property
    def neuron(self) -> NeuronModel:
        """The neuron model (immutable; :class:`LIF` unless given)."""
        return self._model

    @property
    def state_fields(self) -> tuple[StateField, ...]:
        """Every state array, in file order: the neuron model's fields, then the network's (``_models``)."""
        return self._model.state + NETWORK_STATE

    def __getattr__(self, name: str) -> Any:
        # model-specific state (``u``, ``i_syn``) reads like ``v``; only called when normal lookup fails
        state = self.__dict__.get("_state")
        if state is not None and name in state:
            return state[name]
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def __setattr__(self, name: str, value: Any) -> None:
        # ``net.u = ...`` assigns model state through set_state (never a stray instance attribute)
        state = self.__dict__.get("_state")
        if state is not None and name in state and not hasattr(type(self), name):
            self.set_state(name, value)
        else:
            object.__setattr__(self, name, value)

    def set_state(self, name: str, value: Any) -> None:
        """Assign the state array ``name`` (e.g. ``"v"``, ``"u"``, ``"ring"``): validated, then copied.

        Raises
        ------
        ValueError
            Unknown ``name``, wrong shape, non-finite float state or integer state out of range.
        TypeError
            Integer state given as a non-integer array.
        """
        specs = {f.name: f for f in self.state_fields}
        if name not in specs:
            raise ValueError(f"name must be a state field of this network ({', '.join(specs)}); got {name!r}")
        spec = specs[name]
        arr = np.asarray(value)
        shape = self._state_shape(spec, arr)
        if arr.shape != shape:
            raise ValueError(f"{name} must have shape {shape}; got shape {arr.shape}")
        if spec.dtype.kind == "f":
            arr = check_finite_array(arr, name)
            check_f32(arr, name)
        else:
            if arr.dtype == np.bool_ or not np.issubdtype(arr.dtype, np.integer):
                raise TypeError(f"{name} must be an integer array; got dtype {arr.dtype}")
            low, high = spec.bounds(self)
            if arr.size and (int(arr.min()) < low or int(arr.max()) > high):
                bad = int(arr.min()) if int(arr.min()) < low else int(arr.max())
                raise ValueError(f"{name} must be in [{low}, {high}]; got {bad}")
        self._state[name] = np.array(arr, dtype=spec.dtype)

    @property
    def connectivity(self) -> Connectivity:
        """The synapses the network simulates (see Notes: the weights are copy-on-write)."""
        return self._conn

    @property
    def _lfsr_mask(self) -> int:
        """Largest LFSR register value, ``2^lfsr_width - 1``."""
        return (1 << self._lfsr_width) - 1

    @property
    def inputs(self) -> tuple[Any, ...]:
        """The attached inputs, in the order added (attach with :meth:`add_input`)."""
        return tuple(self._inputs)

    @property
    def homeostasis(self) -> Homeostasis | None:
        return self._homeostasis

    def _state_shape(self, spec: StateField, value: np.ndarray) -> tuple[int, ...]:
        """Shape a state array must have (``ring``: any row count from ``max_delay + 1`` on)."""
        n = self._pop.n
        if spec.per == "neuron":
            return (n,)
        if spec.per == "synapse":
            return (self._conn.nnz if self._synapse == "lfsr" else 0,)
        rows = value.shape[0] if value.ndim == 2 else -1
        cols = self._model.channels * n  # COBA: excitatory | inhibitory channel
        if not self._conn.max_delay + 1 <= rows <= _MAX_DELAY + 1:
            what = f"{n} neurons" if cols == n else f"{cols} entries ({n} neurons x 2 channels)"
            raise ValueError(f"ring must have {self._conn.max_delay + 1} to {_MAX_DELAY + 1} rows "
                             f"(max_delay + 1) of {what}; got shape {value.shape}")
        return (rows, cols)

    def _own_weights(self) -> None:
        """Copy-on-write: give the network its own weights before it changes one."""
        if not self._owns_weights:
            c = self._conn
            self._conn = Connectivity._trusted(c.indptr, c.indices, c.weights.copy(), c.delays, c.n_post)
            self._owns_weights = True

    def _check_weights(self) -> None:
        """Finite weights, and ``|w| <= w_scale`` in SC mode (one integer pass, no temporary)."""
        w = self._conn.weights
        if not w.size:
            return
        m = np.uint32(K.abs_max_bits(w.view(np.uint32)))
        if m >= 0x7F800000:  # the bits of +inf: an infinite or NaN weight
            i = int(np.argmax(~np.isfinite(w)))
            raise ValueError(f"weights must be finite; got {w[i]} at index {i}")
        self._check_sc_weights(float(m.view(np.float32)))

    def _check_state(self) -> None:
        """Before a run: state the kernel reads, if edited in place, must still be finite and in range.

        Reductions only, over the fields whose spec says the kernel reads them now
        (``theta`` only with homeostasis, the traces only with STDP, which
        :meth:`set_stdp` zeroes).
        """
        for spec in self.state_fields:
            if not spec.checked(self):
                continue
            a = self._state[spec.name]
            if spec.dtype.kind == "f":
                _check_finite_state(a, spec.name)
                continue
            low, high = spec.bounds(self)
            if a.size and (int(a.min()) < low or int(a.max()) > high):
                i = int(np.argmax((a < low) | (a > high)))
                # the dtype's own maximum needs no mention
                allowed = f">= {low}" if high >= np.iinfo(a.dtype).max else f"in [{low}, {high}]"
                raise ValueError(f"{spec.name} must be {allowed}; got {a[i]} at index {i} (edited in place?)")
        self._check_weights()

    # ------------------------------------------------------------------ setup

    def reset(self) -> None:
        """Back to step 0: ``v = v_init``, no refractoriness, empty buffers, traces, theta and recordings.

        Weights (possibly changed by STDP), inputs and monitors are kept; LFSR
        states are re-seeded.
        """
        pop = self.population
        n = pop.n
        self._t = 0
        state = self._model.initial(pop)
        state["ring"] = np.zeros((self._conn.max_delay + 1, self._model.channels * n), dtype=np.float32)
        for name in ("theta", "xpre", "xpost"):
            state[name] = np.zeros(n, dtype=np.float32)
        if self._synapse == "lfsr":
            state["lfsr"] = K.lfsr_init(self._lfsr_key[0], self._lfsr_key[1], self._conn.nnz,
                                        self._lfsr_width)
        else:
            state["lfsr"] = np.zeros(0, dtype=np.uint32)
        self._state: dict[str, np.ndarray] = state
        self._Q = fresh_rows(self._stp_params)
        # Spike record: fresh buffers, never rewound (returned SpikeEvents are read-only views of
        # them).  Sized for the most spikes recorded before a reset (plus one step), so that
        # repeating a run does not grow (copy) the buffers again; zero-filled pages cost memory
        # only once written.
        self._new_record(max(4 * n, 1 << 12, self._rec_hint))
        self._mon_chunks: list[np.ndarray] = []
        self._mon_start = 0
        self._t_record_start = 0

    def _new_record(self, capacity: int) -> None:
        """Fresh, empty spike-record buffers of ``capacity`` events (earlier views stay valid)."""
        self._sp_n = np.zeros(capacity, dtype=np.int32)
        self._sp_t = np.zeros(capacity, dtype=np.int32)
        self._n_rec = np.zeros(1, dtype=np.int64)

    def _record_view(self, start: int, stop: int) -> tuple[np.ndarray, np.ndarray]:
        """Read-only views of recorded events ``start:stop`` (the engine never rewrites them)."""
        a = self._sp_n[start:stop]
        b = self._sp_t[start:stop]
        a.flags.writeable = False
        b.flags.writeable = False
        return a, b

    def _check_input(self, inp: Any) -> None:
        """Raise unless ``inp`` can drive this network with every kernel index in bounds.

        Called by :meth:`add_input` and again when the inputs are merged for a
        run (an attribute of an added input may have been reassigned since).
        """
        if not isinstance(inp, (PoissonInput, BinaryInput, Current)):
            raise TypeError(f"inp must be a PoissonInput, BinaryInput, BitstreamInput or Current; "
                            f"got {type(inp).__name__}")
        n = self._pop.n
        if isinstance(inp, Current):
            inp.resolve(n)  # validates shapes and targets against n
            return
        if isinstance(inp, PoissonInput):
            r = np.asarray(inp.rates_hz)
            if r.ndim != 1 or not np.issubdtype(r.dtype, np.floating):
                raise ValueError(f"rates_hz must be a 1-d float array; got shape {r.shape} dtype {r.dtype}")
            rows = r.shape[0]
            limit = 1000.0 / self._pop.dt
            if rows and not float(r.min()) >= 0.0:
                raise ValueError(f"rates_hz must be >= 0; got {float(r.min())}")
            if rows and not float(r.max()) <= limit:
                raise ValueError(f"rates_hz must be <= 1000 / dt = {limit} Hz; got {float(r.max())}")
        else:
            b = np.asarray(inp.packed)
            length = inp.length
            if (b.ndim != 2 or b.dtype != np.uint64 or not isinstance(length, int)
                    or not 0 <= length <= 64 * b.shape[1]):
                raise ValueError(f"packed must be a 2-d uint64 array with at least length / 64 words per "
                                 f"row; got shape {b.shape} dtype {b.dtype} for length {length!r}")
            rows = b.shape[0]
        t = np.asarray(inp.targets)
        if t.shape != (rows,) or not np.issubdtype(t.dtype, np.integer):
            raise ValueError(f"targets must be an integer array of shape ({rows},); got shape {t.shape} "
                             f"dtype {t.dtype}")
        if rows and (int(t.min()) < 0 or int(t.max()) >= n):
            bad = int(t.min()) if int(t.min()) < 0 else int(t.max())
            raise ValueError(f"targets must be in [0, {n - 1}]; got {bad}")

    def add_input(self, inp: PoissonInput | BinaryInput | Current) -> Network:
        """Attach an external input (returns ``self`` for chaining).

        The network keeps a shallow copy of ``inp`` (its arrays are read-only),
        so reassigning an attribute of ``inp`` afterwards does not change the network.
        """
        self._check_input(inp)
        self._inputs.append(copy.copy(inp))
        self._merged = None
        return self

    def set_stdp(self, stdp: STDP | None) -> None:
        """Enable (or with ``None`` disable) STDP on the recurrent synapses; traces restart from 0."""
        self._check_stdp(stdp)
        self._stdp = stdp
        self._state["xpre"][:] = 0
        self._state["xpost"][:] = 0
        self._csc = None

    def set_homeostasis(self, homeostasis: Homeostasis | None) -> None:
        """Enable (or disable) the adaptive threshold; ``theta`` keeps its value."""
        if homeostasis is not None and not isinstance(homeostasis, Homeostasis):
            raise TypeError(f"homeostasis must be a Homeostasis or None; got {type(homeostasis).__name__}")
        self._homeostasis = homeostasis

    def monitor(self, neurons: Any) -> None:
        """Record the membrane potential of ``neurons`` after every future step."""
        self._mon_idx = check_neuron_ids(neurons, "neurons", self.population.n)
        self._mon_chunks = []
        self._mon_start = self.t

    # ------------------------------------------------------------------ run

    def _merge_inputs(self) -> K.Inputs:
        if self._merged is not None:
            return self._merged
        n = self.population.n
        dt = self.population.dt
        i_const = np.zeros(n, dtype=np.float32)
        tn: list[np.ndarray] = []
        pp, pt, pa, pk = [], [], [], []
        rows, lens, bt, ba = [], [], [], []
        for inp in self._inputs:
            self._check_input(inp)
            if isinstance(inp, Current):
                c, tv = inp.resolve(n)
                if c is not None:
                    i_const += c
                if tv is not None:
                    tn.append(tv)
            elif isinstance(inp, PoissonInput):
                m = inp.rates_hz.shape[0]
                pp.append(inp.rates_hz * dt / 1000.0)
                pt.append(inp.targets)
                pa.append(np.full(m, inp.amplitude, dtype=np.float32))
                keys = np.ascontiguousarray(np.broadcast_to(inp.key, (m, 2)), dtype=np.uint64)
                pk.append(K.poisson_prehash(keys, np.arange(m, dtype=np.int64)))
            else:
                rows.append(inp.packed)
                lens.append(np.full(inp.packed.shape[0], inp.length, dtype=np.int64))
                bt.append(inp.targets)
                ba.append(np.full(inp.packed.shape[0], inp.amplitude, dtype=np.float32))
        if tn:
            t_max = max(a.shape[0] for a in tn)
            i_tn = np.zeros((t_max, n), dtype=np.float32)
            for a in tn:
                i_tn[: a.shape[0]] += a
        else:
            i_tn = np.zeros((0, 1), dtype=np.float32)
        if pp:
            thr = np.ceil(np.concatenate(pp) * 9007199254740992.0).astype(np.uint64)  # p * 2^53, exact
            pois = (thr, np.concatenate(pt).astype(np.int32), np.concatenate(pa),
                    np.concatenate(pk))
        else:
            pois = (np.zeros(0, np.uint64), np.zeros(0, np.int32), np.zeros(0, np.float32),
                    np.zeros(0, np.uint64))
        if rows:
            w = max(r.shape[1] for r in rows)
            bits = np.zeros((sum(r.shape[0] for r in rows), max(w, 1)), dtype=np.uint64)
            o = 0
            for r in rows:
                bits[o: o + r.shape[0], : r.shape[1]] = r
                o += r.shape[0]
            bitin = (bits, np.concatenate(lens), np.concatenate(bt).astype(np.int32), np.concatenate(ba))
        else:
            bitin = (np.zeros((0, 1), np.uint64), np.zeros(0, np.int64), np.zeros(0, np.int32),
                     np.zeros(0, np.float32))
        self._merged = K.Inputs(i_const, i_tn, *pois, *bitin)
        return self._merged

    def _plasticity(self) -> K.Plasticity:
        s = self.stdp
        if s is None:
            z32 = np.zeros(1, dtype=np.int32)
            return K.Plasticity(False, _F32(1), _F32(1), 0, _F32(0), _F32(0), _F32(1), False, False,
                                z32, z32, z32)
        if self._csc is None:
            c = self.connectivity
            in_ptr, in_syn = K.csc_index(c.indptr, c.indices, c.n_post)
            self._csc = (in_ptr, in_syn, c.pre())
        dp, dm = s.decay(self.population.dt)
        return K.Plasticity(True, _F32(dp), _F32(dm), 0 if s.rule == "additive" else 1,
                            _F32(s.eta * s.A_plus),
                            _F32(s.eta * s.A_minus), _F32(s.W_max), s.clip, s.nearest_neighbor, *self._csc)

    def run(self, n_steps: int, *, progress: bool = False) -> SpikeEvents:
        """Simulate ``n_steps`` more steps; returns the spikes of this call.

        ``run(a); run(b)`` is bit-identical to ``run(a + b)``.  With
        ``progress=True`` the loop runs in ~100 compiled chunks and shows a tqdm
        bar between them (no Python work inside a chunk).

        Raises
        ------
        ValueError
            Bad ``n_steps``, or state / weights edited in place to a non-finite
            or out-of-range value (checked before anything changes).
        """
        n_steps = check_count(n_steps, "n_steps")
        progress = check_bool(progress, "progress")
        pop = self.population
        n = pop.n
        if self.t + n_steps > np.iinfo(np.int32).max:
            raise ValueError(f"n_steps must keep the step count below 2^31; got {n_steps} from step {self.t}")
        if progress:
            try:
                from tqdm import tqdm
            except ImportError as exc:  # optional dependency
                raise ImportError("progress=True needs tqdm: pip install 'sc_neurocore[progress]'") from exc
        self._check_state()
        merged = self._merge_inputs()
        if self._stdp is not None:
            self._own_weights()
        pl = self._plasticity()
        h = self.homeostasis
        homeo = K.Homeo(h is not None, _F32(math.exp(-pop.dt / h.tau_theta)) if h else _F32(1),
                        _F32(h.theta_plus) if h else _F32(0))
        # time-varying current rows take the per-neuron path, which needs full parameter arrays
        neuron = self._model.kernel_params(pop, per_neuron_rows=merged.i_tn.shape[0] > 0)
        n_mon = self._mon_idx.shape[0]
        first_event = int(self._n_rec[0])
        t_begin = self.t
        chunk = max(1, n_steps // 100) if progress else max(n_steps, 1)
        bar = tqdm(total=n_steps, unit="step") if progress else None
        done = 0
        while done < n_steps:
            todo = min(chunk, n_steps - done)
            mon_v = np.empty((todo, n_mon), dtype=np.float32)
            k = self._call(todo, neuron, merged, homeo, pl, mon_v)
            if n_mon:
                self._mon_chunks.append(mon_v[:k].copy())
            self._t += k
            done += k
            if bar is not None:
                bar.update(k)
            if k < todo:
                self._grow(int(self._n_rec[0]) - first_event, done, n_steps - done)
        if bar is not None:
            bar.close()
        m = int(self._n_rec[0])
        self._rec_hint = max(self._rec_hint, m + n)
        nrn, stp = self._record_view(first_event, m)
        return SpikeEvents._trusted(nrn, stp, n_neurons=n, dt=pop.dt, t_start=t_begin, t_stop=self.t)

    def _call(self, todo: int, neuron: Any, inputs: K.Inputs, homeo: K.Homeo, pl: K.Plasticity,
              mon_v: np.ndarray) -> int:
        c = self.connectivity
        d_uni = self._uniform_delay()
        # a common delay is passed as d_uni; the kernel then never reads the delay array, so the
        # (possibly stride-0, see Connectivity) per-synapse view is replaced by one contiguous element,
        # read-only like the per-synapse array, so that numba compiles one specialisation, not two
        delays = frozen(np.array(c.delays[:1])) if d_uni else c.delays
        st = self._state
        state = K.NetState(st["ring"], st["theta"], st["xpre"], st["xpost"], st["lfsr"])
        graph = K.Graph(c.indptr, c.indices, c.weights, delays, d_uni, self._min_delay(), self._rows_sorted())
        syn = K.Synapse(SYNAPSE_MODES.index(self.synapse), _F32(self.w_scale), self._syn_key[0],
                        self._syn_key[1], np.uint32(tap_mask(MAXIMAL_TAPS[self.lfsr_width])), self.lfsr_width,
                        self._stp is not None, self._Q, float(self.population.dt))
        rec = K.Recording(self._rec_mask, self._sp_n, self._sp_t, self._n_rec, self._mon_idx, mon_v)
        n = self.population.n
        threads = numba.get_num_threads() if n >= K.PAR_MIN_NEURONS else 1
        eng = K.Engine(*self._scratch(n), threads, K.CHUNK, K.MAX_EPOCH, self._model.channels == 2)
        try:
            return int(K.simulate(self._t, todo, neuron, self._model.make_state(st), state, graph, syn,
                                  inputs, homeo, pl, rec, eng))
        except BaseException:  # interrupted (plain Python): the scratch may not be zero any more
            self._scratch_of = None
            raise

    def _scratch(self, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The engine's scratch (:class:`~sc_neurocore._kernels._network.Engine`: spike flags, zero
        input row, spike lists), the network's own and kept across runs: fresh arrays on every
        run cost a page fault per page the run touches.  A run leaves flags and input row zero;
        one that raised drops them (:meth:`_call`)."""
        key = (n, self._model.channels, K.MAX_EPOCH)
        if self._scratch_of is None or self._scratch_of[0] != key:
            self._scratch_of = (key, (np.zeros(8 * ((n + 7) // 8), dtype=np.uint8),
                                      np.zeros(self._model.channels * n, dtype=np.float32),
                                      np.empty((2, K.MAX_EPOCH, n), dtype=np.uint16)))
        return self._scratch_of[1]

    def _min_delay(self) -> int:
        """Smallest synaptic delay in steps (``MAX_EPOCH`` without synapses); cached per delay array."""
        d = self.connectivity.delays
        if self._d_min is None or self._d_min[0] is not d:
            self._d_min = (d, self._uniform_delay() or (int(d.min()) if d.shape[0] else K.MAX_EPOCH))
        return self._d_min[1]

    def _rows_sorted(self) -> bool:
        """Whether every CSR row lists its targets in ascending order (cached per indices array)."""
        idx = self.connectivity.indices
        if self._sorted is None or self._sorted[0] is not idx:
            self._sorted = (idx, bool(K.rows_sorted(self.connectivity.indptr, idx)))
        return self._sorted[1]

    def _uniform_delay(self) -> int:
        """The common delay of every synapse (steps), or 0 when delays differ (cached per delay array).

        Two reductions (``min == max``), no per-synapse temporary.
        """
        d = self.connectivity.delays
        if self._d_uni_of is not d:
            self._d_uni = int(d[0]) if d.shape[0] and (_is_uniform(d) or int(d.min()) == int(d.max())) else 0
            self._d_uni_of = d
        return self._d_uni

    def _grow(self, events: int, steps: int, remaining: int) -> None:
        """Enlarge the spike record (copy), sized for this run's remaining steps at its rate so far.

        ``events`` were recorded in the ``steps`` done so far by this call of
        :meth:`run`, ``remaining`` are left.  The new capacity is the recorded
        events plus ``1.25 x`` the extrapolated ones plus one step's worth (``N``),
        clamped to ``[cap + 4 N, 4 cap]``: usually one copy per run, and never
        more than four times the old buffer (zero-filled pages cost memory only
        once written).
        """
        cap = self._sp_n.shape[0]
        n = self.population.n
        m = int(self._n_rec[0])
        expected = -(-events * remaining // steps) if steps else 0  # ceil(events / steps * remaining)
        new = min(max(m + expected + expected // 4 + n, cap + 4 * n), 4 * cap)
        sp_n = np.zeros(new, dtype=np.int32)
        sp_t = np.zeros(new, dtype=np.int32)
        sp_n[:m] = self._sp_n[:m]
        sp_t[:m] = self._sp_t[:m]
        self._sp_n, self._sp_t = sp_n, sp_t

    # ------------------------------------------------------------------ results

    @property
    def spikes(self) -> SpikeEvents:
        """Every recorded spike since the last :meth:`reset`."""
        nrn, stp = self._record_view(0, int(self._n_rec[0]))
        return SpikeEvents._trusted(nrn, stp, n_neurons=self.population.n, dt=self.population.dt,
                                    t_start=self._t_record_start, t_stop=self.t)

    def clear_spikes(self) -> None:
        """Forget recorded spikes (the simulation state is untouched)."""
        self._new_record(self._sp_n.shape[0])  # not rewound: earlier results are views of the old buffers
        self._t_record_start = self.t

    @property
    def v_trace(self) -> StateTrace:
        """Membrane potentials of the monitored neurons since :meth:`monitor` (or :meth:`reset`)."""
        v = (np.concatenate(self._mon_chunks) if self._mon_chunks
             else np.zeros((0, self._mon_idx.shape[0]), dtype=np.float32))
        return StateTrace(self._mon_idx.copy(), v, dt=self.population.dt,
                          t_start=getattr(self, "_mon_start", 0))

    @property
    def time_ms(self) -> float:
        return self.t * self.population.dt

    # ------------------------------------------------------------------ weights

    def rescale_weights(self, target_mean: float) -> None:
        """Multiply every weight by one factor so that the mean of ``|w|`` becomes ``target_mean``.

        (Signs are kept: the reservoir package rescales the mean of non-zero
        weights, which for an E/I network would mix signs.)  Every check comes
        first: a call that raises leaves the weights unchanged.  The network
        then scales its own copy of the weights (copy-on-write, see the class Notes).
        """
        target = check_real(target_mean, "target_mean", low=0.0)
        self._check_weights()
        w = self._conn.weights
        cur = float(np.abs(w.astype(np.float64)).mean()) if w.size else 0.0
        if cur == 0.0:
            raise ValueError("weights must not all be zero to rescale; got mean |w| = 0")
        if max_abs(w) * (target / cur) > F32_MAX:
            raise ValueError(f"target_mean must keep every |w| within the float32 range "
                             f"(<= {F32_MAX:.7g}); got {target}")
        factor = _F32(target / cur)
        # float32 rounding is monotonic, so the largest scaled |w| is the scaled largest |w|
        if self._synapse != "deterministic" and float(_F32(max_abs(w)) * factor) > self._w_scale:
            raise ValueError(f"target_mean must keep |w| <= w_scale = {self._w_scale} in SC mode; "
                             f"got {target}")
        self._own_weights()
        self._conn.weights *= factor

    def prune(self, fraction: float) -> int:
        """Remove the weakest ``fraction`` of synapses by ``|w|`` (ties: lower index first); returns how many.

        The CSR arrays are rebuilt (the network then owns them); per-synapse
        state (signs, LFSR registers) follows the surviving synapses.
        Delay-buffer contents already in flight are kept.
        """
        fraction = check_real(fraction, "fraction", low=0.0, high=1.0)
        c = self._conn
        k = int(math.floor(fraction * c.nnz))
        if k == 0:
            return 0
        order = np.argsort(np.abs(c.weights), kind="stable")
        keep = np.ones(c.nnz, dtype=bool)
        keep[order[:k]] = False
        # new row pointer: synapses kept before each old row boundary (rows may be empty, at the end too)
        kept_before = np.zeros(c.nnz + 1, dtype=np.int32)
        np.cumsum(keep, out=kept_before[1:])
        indptr = kept_before[c.indptr]
        n_kept = int(indptr[-1])
        delays = (_uniform_delays(n_kept, int(c.delays[0])) if _is_uniform(c.delays) and n_kept
                  else c.delays[keep])
        lfsr = self.lfsr[keep] if self.lfsr.shape[0] else self.lfsr
        self._conn = Connectivity._trusted(indptr, c.indices[keep], c.weights[keep], delays, c.n_post)
        self._owns_weights = True
        self._state["lfsr"] = lfsr
        self._csc = None
        return k

    # ------------------------------------------------------------------ persistence

    def save(self, path: Any) -> None:
        """Save topology, parameters, inputs and the full simulation state (npz); see :func:`load_network`."""
        from ._persistence import save_network

        save_network(self, path)

    @staticmethod
    def load(path: Any) -> Network:
        """Inverse of :meth:`save`."""
        from ._persistence import load_network

        return load_network(path)

    def __repr__(self) -> str:
        return (f"Network(n={self.population.n}, nnz={self.connectivity.nnz}, synapse={self.synapse!r}, "
                f"t={self.t})")
