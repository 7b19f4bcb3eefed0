"""The network: population + connectivity + inputs + plasticity, simulated by one numba loop (private).

See ``docs/network.md`` for the update order, units and refractory semantics.
"""

from __future__ import annotations

import math
from typing import Any

import numba
import numpy as np

from .._kernels import _network as K
from .._rng import SeedLike, spawn_keys
from .._taps import MAXIMAL_TAPS
from .._validation import check_bool, check_choice, check_count, check_int, check_real
from ._connectivity import Connectivity, _is_uniform, _uniform_delays
from ._inputs import BinaryInput, Current, PoissonInput
from ._monitors import SpikeEvents, StateTrace
from ._plasticity import STDP, Homeostasis
from ._population import F32_MAX, Population, check_f32

__all__ = ["Network", "SYNAPSE_MODES"]

SYNAPSE_MODES = ("deterministic", "bernoulli", "lfsr")

_F32 = np.float32


def _tap_mask(n_bits: int) -> int:
    m = 0
    for t in MAXIMAL_TAPS[n_bits]:
        m |= 1 << (t - 1)
    return m


def _max_abs(a: np.ndarray) -> float:
    """``max |a|`` of a non-empty finite array without an ``|a|`` temporary (two reductions)."""
    return max(abs(float(a.max())), abs(float(a.min())))


class Network:
    """A recurrent LIF network simulated in compiled steps.

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
    """

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
    ) -> None:
        if not isinstance(population, Population):
            raise TypeError(f"population must be a Population; got {type(population).__name__}")
        self.population = population
        n = population.n
        if connectivity is None:
            connectivity = Connectivity._trusted(np.zeros(n + 1, np.int32), np.zeros(0, np.int32),
                                                 np.zeros(0, np.float32), np.ones(0, np.int8), n)
        if not isinstance(connectivity, Connectivity):
            raise TypeError(f"connectivity must be a Connectivity; got {type(connectivity).__name__}")
        if connectivity.n_pre != n or connectivity.n_post != n:
            raise ValueError(f"connectivity must be {n} x {n} to match the population; "
                             f"got {connectivity.n_pre} x {connectivity.n_post}")
        self.connectivity = connectivity
        self.synapse = check_choice(synapse, "synapse", SYNAPSE_MODES)
        self.lfsr_width = check_int(lfsr_width, "lfsr_width", low=3, high=32)
        wmax = _max_abs(connectivity.weights) if connectivity.nnz else 1.0
        if w_scale is None:
            self.w_scale = wmax if wmax > 0 else 1.0
        else:
            self.w_scale = check_real(w_scale, "w_scale", low=0.0, low_open=True)
            check_f32(self.w_scale, "w_scale")
            if self.synapse != "deterministic" and wmax > self.w_scale * (1 + 1e-7):
                raise ValueError(f"weights must satisfy |w| <= w_scale = {self.w_scale} in SC mode; "
                                 f"got max |w| = {wmax}")
        if isinstance(record, str) and record == "all":
            self._rec_mask = np.ones(n, dtype=np.uint8)
        elif record is None:
            self._rec_mask = np.zeros(n, dtype=np.uint8)
        else:
            idx = self._check_indices(record, "record")
            self._rec_mask = np.zeros(n, dtype=np.uint8)
            self._rec_mask[idx] = 1
        keys = spawn_keys(seed, 2)
        self._syn_key = keys[0]
        self._lfsr_key = keys[1]
        self.inputs: list[Any] = []
        self.stdp: STDP | None = None
        self.homeostasis: Homeostasis | None = None
        self._mon_idx = np.zeros(0, dtype=np.int32)
        self._merged: tuple[Any, ...] | None = None
        self._csc: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
        self._d_uni = 0
        self._d_uni_of: np.ndarray | None = None
        self._sorted: tuple[np.ndarray, bool] | None = None
        self._d_min: tuple[np.ndarray, int] | None = None
        self._rec_hint = 0
        self.reset()

    # ------------------------------------------------------------------ setup

    def _check_indices(self, idx: Any, name: str) -> np.ndarray:
        a = np.asarray(idx)
        if a.ndim != 1 or (a.size and not np.issubdtype(a.dtype, np.integer)):
            raise ValueError(f"{name} must be a 1-d integer array; got shape {a.shape} dtype {a.dtype}")
        n = self.population.n
        if a.size and (a.min() < 0 or a.max() >= n):
            bad = int(a.min() if a.min() < 0 else a.max())
            raise ValueError(f"{name} must be in [0, {n - 1}]; got {bad}")
        return a.astype(np.int32)

    def reset(self) -> None:
        """Back to step 0: ``v = v_init``, no refractoriness, empty buffers, traces, theta and recordings.

        Weights (possibly changed by STDP), inputs and monitors are kept; LFSR
        states are re-seeded.
        """
        pop = self.population
        n = pop.n
        self.t = 0
        self.v = pop.v_init.astype(np.float32)
        self.refr = np.zeros(n, dtype=np.int32)
        self.ring = np.zeros((self.connectivity.max_delay + 1, n), dtype=np.float32)
        self.theta = np.zeros(n, dtype=np.float32)
        self.xpre = np.zeros(n, dtype=np.float32)
        self.xpost = np.zeros(n, dtype=np.float32)
        if self.synapse == "lfsr":
            self.lfsr = K.lfsr_init(self._lfsr_key[0], self._lfsr_key[1], self.connectivity.nnz,
                                    self.lfsr_width)
        else:
            self.lfsr = np.zeros(0, dtype=np.uint32)
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

    def add_input(self, inp: PoissonInput | BinaryInput | Current) -> Network:
        """Attach an external input (returns ``self`` for chaining)."""
        if not isinstance(inp, (PoissonInput, BinaryInput, Current)):
            raise TypeError(f"inp must be a PoissonInput, BinaryInput, BitstreamInput or Current; "
                            f"got {type(inp).__name__}")
        n = self.population.n
        if isinstance(inp, Current):
            inp.resolve(n)  # validates shapes against n
        elif inp.targets.size and inp.targets.max() >= n:
            raise ValueError(f"targets must be in [0, {n - 1}]; got {int(inp.targets.max())}")
        if isinstance(inp, PoissonInput):
            p = inp.rates_hz * self.population.dt / 1000.0
            if (p > 1).any():
                raise ValueError(f"rates_hz must be <= 1000 / dt = {1000.0 / self.population.dt} Hz; "
                                 f"got {float(inp.rates_hz.max())}")
        self.inputs.append(inp)
        self._merged = None
        return self

    def set_stdp(self, stdp: STDP | None) -> None:
        """Enable (or with ``None`` disable) STDP on the recurrent synapses; traces restart from 0."""
        if stdp is not None and not isinstance(stdp, STDP):
            raise TypeError(f"stdp must be an STDP or None; got {type(stdp).__name__}")
        sc_mode = self.synapse != "deterministic"
        if stdp is not None and sc_mode and (not stdp.clip or stdp.W_max > self.w_scale):
            raise ValueError(f"stdp.W_max must be <= w_scale = {self.w_scale} with clip=True in SC mode; "
                             f"got W_max={stdp.W_max}, clip={stdp.clip}")
        self.stdp = stdp
        self.xpre[:] = 0
        self.xpost[:] = 0
        self._csc = None

    def set_homeostasis(self, homeostasis: Homeostasis | None) -> None:
        """Enable (or disable) the adaptive threshold; ``theta`` keeps its value."""
        if homeostasis is not None and not isinstance(homeostasis, Homeostasis):
            raise TypeError(f"homeostasis must be a Homeostasis or None; got {type(homeostasis).__name__}")
        self.homeostasis = homeostasis

    def monitor(self, neurons: Any) -> None:
        """Record the membrane potential of ``neurons`` after every future step."""
        self._mon_idx = self._check_indices(neurons, "neurons")
        self._mon_chunks = []
        self._mon_start = self.t

    # ------------------------------------------------------------------ run

    def _merge_inputs(self) -> tuple[Any, ...]:
        if self._merged is not None:
            return self._merged
        n = self.population.n
        dt = self.population.dt
        i_const = np.zeros(n, dtype=np.float32)
        tn: list[np.ndarray] = []
        pp, pt, pa, pk = [], [], [], []
        rows, lens, bt, ba = [], [], [], []
        for inp in self.inputs:
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
        self._merged = (i_const, i_tn, *pois, *bitin)
        return self._merged

    def _stdp_args(self) -> tuple[Any, ...]:
        s = self.stdp
        if s is None:
            z32 = np.zeros(1, dtype=np.int32)
            return (False, _F32(1), _F32(1), 0, _F32(0), _F32(0), _F32(1), False, False,
                    z32, z32, z32)
        if self._csc is None:
            c = self.connectivity
            in_ptr, in_syn = K.csc_index(c.indptr, c.indices, c.n_post)
            self._csc = (in_ptr, in_syn, c.pre())
        dp, dm = s.decay(self.population.dt)
        return (True, _F32(dp), _F32(dm), 0 if s.rule == "additive" else 1, _F32(s.eta * s.A_plus),
                _F32(s.eta * s.A_minus), _F32(s.W_max), s.clip, s.nearest_neighbor, *self._csc)

    def run(self, n_steps: int, *, progress: bool = False) -> SpikeEvents:
        """Simulate ``n_steps`` more steps; returns the spikes of this call.

        ``run(a); run(b)`` is bit-identical to ``run(a + b)``.  With
        ``progress=True`` the loop runs in ~100 compiled chunks and shows a tqdm
        bar between them (no Python work inside a chunk).
        """
        n_steps = check_count(n_steps, "n_steps")
        progress = check_bool(progress, "progress")
        pop = self.population
        n = pop.n
        if self.t + n_steps > np.iinfo(np.int32).max:
            raise ValueError(f"n_steps must keep the step count below 2^31; got {n_steps} from step {self.t}")
        merged = self._merge_inputs()
        stdp_args = self._stdp_args()
        h = self.homeostasis
        homeo = (h is not None, _F32(math.exp(-pop.dt / h.tau_theta)) if h else _F32(1),
                 _F32(h.theta_plus) if h else _F32(0))
        mode = SYNAPSE_MODES.index(self.synapse)
        params = (_F32(pop.dt), pop.v_rest.astype(np.float32), pop.v_reset.astype(np.float32),
                  pop.threshold.astype(np.float32), pop.alpha, pop.hold_steps)
        uni = all(bool((a == a[0]).all()) for a in params[1:])
        if uni and merged[1].shape[0] == 0:  # the kernel reads element 0 only: drop the per-neuron copies
            params = (params[0], *(np.ascontiguousarray(a[:1]) for a in params[1:]))
        n_mon = self._mon_idx.shape[0]
        flags = np.zeros(8 * ((n + 7) // 8), dtype=np.uint8)
        first_event = int(self._n_rec[0])
        t_begin = self.t
        chunk = max(1, n_steps // 100) if progress else max(n_steps, 1)
        bar = None
        if progress:
            try:
                from tqdm import tqdm
            except ImportError as exc:  # optional dependency
                raise ImportError("progress=True needs tqdm: pip install 'sc_neurocore[progress]'") from exc
            bar = tqdm(total=n_steps, unit="step")
        done = 0
        while done < n_steps:
            todo = min(chunk, n_steps - done)
            mon_v = np.empty((todo, n_mon), dtype=np.float32)
            k = self._call(todo, params, uni, mode, merged, homeo, stdp_args, mon_v, flags)
            if n_mon:
                self._mon_chunks.append(mon_v[:k].copy())
            self.t += k
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

    def _call(self, todo: int, params: tuple[Any, ...], uni: bool, mode: int, merged: tuple[Any, ...],
              homeo: tuple[Any, ...], stdp_args: tuple[Any, ...], mon_v: np.ndarray,
              flags: np.ndarray) -> int:
        c = self.connectivity
        d_uni = self._uniform_delay()
        # a common delay is passed as d_uni; the kernel then never reads the delay array, so the
        # (possibly stride-0, see Connectivity) per-synapse view is replaced by one contiguous element
        delays = np.ascontiguousarray(c.delays[:1]) if d_uni else c.delays
        return int(K.simulate(  # type: ignore[call-arg]
            self.t, todo, params[0], params[1], params[2], params[3], params[4], params[5], uni,
            self.v, self.refr, self.ring,
            c.indptr, c.indices, c.weights, delays, d_uni, self._min_delay(),
            mode, _F32(self.w_scale), self._syn_key[0], self._syn_key[1], self.lfsr,
            np.uint32(_tap_mask(self.lfsr_width)), self.lfsr_width,
            *merged,
            homeo[0], self.theta, homeo[1], homeo[2],
            stdp_args[0], self.xpre, self.xpost, *stdp_args[1:],
            self._rec_mask, self._sp_n, self._sp_t, self._n_rec,
            self._mon_idx, mon_v, flags,
            self._rows_sorted(), numba.get_num_threads() if self.population.n >= K.PAR_MIN_NEURONS else 1,
            K.CHUNK, K.MAX_EPOCH,
        ))

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
        weights, which for an E/I network would mix signs.)
        """
        target = check_real(target_mean, "target_mean", low=0.0)
        w = self.connectivity.weights
        cur = float(np.abs(w.astype(np.float64)).mean()) if w.size else 0.0
        if cur == 0.0:
            raise ValueError("weights must not all be zero to rescale; got mean |w| = 0")
        if float(np.abs(w).max()) * (target / cur) > F32_MAX:
            raise ValueError(f"target_mean must keep every |w| within the float32 range "
                             f"(<= {F32_MAX:.7g}); got {target}")
        w *= _F32(target / cur)
        if self.synapse != "deterministic" and float(np.abs(w).max()) > self.w_scale:
            raise ValueError(f"target_mean must keep |w| <= w_scale = {self.w_scale} in SC mode; "
                             f"got {target}")

    def prune(self, fraction: float) -> int:
        """Remove the weakest ``fraction`` of synapses by ``|w|`` (ties: lower index first); returns how many.

        The CSR arrays are rebuilt; per-synapse state (signs, LFSR registers)
        follows the surviving synapses.  Delay-buffer contents already in flight
        are kept.
        """
        fraction = check_real(fraction, "fraction", low=0.0, high=1.0)
        c = self.connectivity
        k = int(math.floor(fraction * c.nnz))
        if k == 0:
            return 0
        order = np.argsort(np.abs(c.weights), kind="stable")
        keep = np.ones(c.nnz, dtype=bool)
        keep[order[:k]] = False
        counts = (np.add.reduceat(keep.astype(np.int64), c.indptr[:-1]) if c.nnz
                  else np.zeros(c.n_pre, np.int64))
        counts[np.diff(c.indptr) == 0] = 0
        indptr = np.zeros(c.n_pre + 1, dtype=np.int32)
        np.cumsum(counts, out=indptr[1:])
        n_kept = int(indptr[-1])
        delays = (_uniform_delays(n_kept, int(c.delays[0])) if _is_uniform(c.delays) and n_kept
                  else c.delays[keep].copy())
        self.connectivity = Connectivity._trusted(indptr, c.indices[keep].copy(), c.weights[keep].copy(),
                                                  delays, c.n_post)
        if self.lfsr.shape[0]:
            self.lfsr = self.lfsr[keep].copy()
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
