"""Save / load an :class:`EventDrivenNetwork`, pending events included, as one ``.npz`` (private).

The same untrusted-file machinery as :mod:`._persistence` (``read_npz`` /
``write_npz``, a JSON ``meta`` entry with a format version): the network is
rebuilt through its constructor, ``add_input``, ``set_stdp`` and
``add_events`` from the stored parameters, so a file passes exactly the checks
a call with the same arrays would; then the dynamic state (membrane state,
event queue, Poisson counters, spike ordinals, LFSR registers, STDP traces,
recorded spikes, counters) is adopted after its own checks: shapes and dtypes
of a fresh network's, finite where finite, in range, and a queue that is a
valid heap whose entries point at existing neurons, generators and synapse
groups.  Every problem is a ``ValueError`` naming the file.  The format is in
``docs/event_driven.md``.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from .._kernels import _event as K
from .._kernels._stp import STP_UV
from .._validation import check_known_keys, check_real
from ._connectivity import Connectivity
from ._inputs import PoissonInput
from ._persistence import (
    Entries,
    _check_path,
    adopt,
    field,
    file_name,
    model_meta,
    neuron_from,
    population_from,
    read_meta,
    read_npz,
    write_npz,
)
from ._plasticity import STDP
from ._stp import TsodyksMarkram, check_saved_state

__all__ = ["save_event_network", "load_event_network"]

#: Version of the event-driven network file format (``meta["format"]``) this code reads.  Format 2 adds
#: the neuron model (``meta["neuron"]``, arrays ``nm_<param>``, the model's state columns ``st_<name>``,
#: e.g. ExpSynLIF's ``st_i_syn``), written only for a model other than LIF (LIF networks stay format 1,
#: and format 1 files load as LIF).
_FORMAT = 2
_EDN_FILE = "path must be an npz event-driven network file saved by EventDrivenNetwork.save"
_MAX_EXACT = 2.0**53  # integers stored in float64 (versions, keys, ordinals) are exact below this


def _sorted_rows(h: np.ndarray) -> np.ndarray:
    """The pending entries sorted by (time, key, payload): a valid heap, the same whatever order the
    queue held them in (a threaded run's or a sequential one's)."""
    return h[np.lexsort((h[:, 2], h[:, 1], h[:, 0]))]


def save_event_network(net: Any, path: Any) -> None:
    """Write ``net`` to exactly ``path`` (npz, no pickles); see :meth:`EventDrivenNetwork.save`."""
    _check_path(path, "write")
    arrays: dict[str, np.ndarray] = {}
    for k, v in net.population.to_arrays().items():
        arrays["pop_" + k] = np.asarray(v)
    c = net.connectivity
    arrays.update(conn_indptr=c.indptr, conn_indices=c.indices, conn_weights=c.weights, conn_delays=c.delays,
                  delays_ms=(np.array(net._uniform_delay) if net._uniform_delay is not None else net._delays),
                  i_ext=net.i_ext, syn_key=net._syn_key, lfsr_key=net._lfsr_key)
    for i, inp in enumerate(net._poisson):
        arrays.update({f"in{i}_rates": inp.rates_hz, f"in{i}_targets": inp.targets, f"in{i}_key": inp.key,
                       f"in{i}_amplitude": np.array(inp.amplitude)})
    for column in net._model.state_columns:  # the model's and the engine's saved columns (_event_models)
        arrays["st_" + column.name] = np.ascontiguousarray(net._S[:, column.col])
    p = int(net._ext_pos[0])
    m = int(net._n_out[0])
    arrays.update(
        st_t=np.array(net.t), st_t_record_start=np.array(net._t_record_start),
        st_heap=_sorted_rows(net._h[: int(net._heap_n[0])]), st_nspk=net._nspk, st_p_count=net._p_count,
        st_ext_t=net._ext_t[p:], st_ext_i=net._ext_i[p:], st_ext_w=net._ext_w[p:],
        st_out_t=net._out_t[:m], st_out_i=net._out_i[:m], st_stats=net._stats, st_lfsr=net._lfsr,
        st_traces=net._traces, st_tv=net._tv, st_chg_pos=net._chg_pos,
    )
    if net.stp is not None:  # per-neuron parameters and (u, x, t_last)
        prm = net._stp_params
        arrays.update(stp_U=prm[:, 0], stp_tau_facil=prm[:, 1], stp_tau_rec=prm[:, 2],
                      st_stp=np.ascontiguousarray(net._Q[:, STP_UV:]))
    neuron = model_meta(net.neuron, arrays)
    meta: dict[str, Any] = {
        "format": 1 if neuron is None else 2,
        "synapse": net.synapse,
        "w_scale": net.w_scale,
        "lfsr_width": net.lfsr_width,
        "n_poisson": len(net._poisson),
        "stdp": None if net.stdp is None else net.stdp.to_dict(),
    }
    if neuron is not None:
        meta["neuron"] = neuron
    arrays["meta"] = np.array(json.dumps(meta))
    write_npz(path, arrays)


def load_event_network(path: Any) -> Any:
    """Rebuild a network saved by :func:`save_event_network`; see :meth:`EventDrivenNetwork.load`."""
    _check_path(path, "read")
    name = file_name(path)
    e = Entries(read_npz(path, _EDN_FILE))
    meta = read_meta(e, _EDN_FILE, name, "event-driven network", _FORMAT)
    try:
        return _network_from(e, meta)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"{_EDN_FILE}; got {name}: {exc}") from exc


def _scalar(e: Entries, key: str) -> float:
    a = e[key]
    if a.shape != () or a.dtype != np.float64:
        raise ValueError(f"{key} must be a float64 scalar; got shape {a.shape} dtype {a.dtype}")
    return float(a)


def _check(ok: np.ndarray, key: str, what: str, a: np.ndarray) -> None:
    """``ok`` everywhere, or a ValueError naming the first offending element of ``a``."""
    if not ok.all():
        i = np.unravel_index(int(np.argmax(~ok)), ok.shape)
        raise ValueError(f"{key} must be {what}; got {a[i]} at index {tuple(map(int, i))}")


def _is_count(a: np.ndarray) -> np.ndarray:
    """Elements that are integers in [0, 2^53) (exact in float64)."""
    with np.errstate(invalid="ignore"):
        return (a >= 0) & (a < _MAX_EXACT) & (np.floor(a) == a)


def _network_from(e: Entries, meta: dict[str, Any]) -> Any:
    from ._event_driven import EventDrivenNetwork

    pop = population_from(e)
    n = pop.n
    conn = Connectivity(e["conn_indptr"], e["conn_indices"], e["conn_weights"], e["conn_delays"], n)
    d = e["delays_ms"]
    net = EventDrivenNetwork(pop, conn, delays_ms=d if d.ndim else d[()], i_ext=e["i_ext"],
                             synapse=field(meta, "synapse"), w_scale=field(meta, "w_scale"),
                             lfsr_width=field(meta, "lfsr_width"), seed=0, neuron=neuron_from(e, meta))
    syn_key = adopt(e, "syn_key", net._syn_key)
    lfsr_key = adopt(e, "lfsr_key", net._lfsr_key)
    n_pois = field(meta, "n_poisson")
    if not isinstance(n_pois, int) or isinstance(n_pois, bool) or not 0 <= n_pois <= 1024:
        raise ValueError(f"meta.n_poisson must be an integer in [0, 1024]; got {n_pois!r}")
    for i in range(n_pois):
        inp = PoissonInput(e[f"in{i}_rates"], _scalar(e, f"in{i}_amplitude"), targets=e[f"in{i}_targets"],
                           seed=0)
        inp.key = adopt(e, f"in{i}_key", inp.key)
        net.add_input(inp)
    spec = field(meta, "stdp")
    if spec is not None:
        if not isinstance(spec, dict):
            raise ValueError(f"meta.stdp must be a JSON object or null; got {type(spec).__name__}")
        check_known_keys(spec, "stdp", tuple(STDP().to_dict()))
        net.set_stdp(STDP(**spec))
    if "stp_U" in e:
        net.set_stp(TsodyksMarkram(e["stp_U"], e["stp_tau_facil"], e["stp_tau_rec"]))
    t = check_real(_scalar(e, "st_t"), "st_t", low=0.0)
    t0 = check_real(_scalar(e, "st_t_record_start"), "st_t_record_start", low=0.0, high=t)
    tv = e["st_tv"]
    if tv.ndim != 2 or tv.shape[1] != n or tv.dtype != np.float64:
        raise ValueError(f"st_tv must have shape (T, {n}) and dtype float64; "
                         f"got shape {tv.shape} dtype {tv.dtype}")
    _check(np.isfinite(tv), "st_tv", "finite", tv)
    if tv.shape[0]:
        net._add_time_course(tv)
    chg_pos = adopt(e, "st_chg_pos", net._chg_pos)
    # the changes before the position are the applied ones: those before t
    applied = int(np.searchsorted(net._chg_t, t, side="left"))
    _check(chg_pos == applied, "st_chg_pos", f"{applied} (the current changes before t = {t})", chg_pos)
    # pending explicit events, through add_events' checks (times >= t once the clock is set)
    net._t = t
    net.add_events(e["st_ext_t"], e["st_ext_i"], e["st_ext_w"])

    # --- neuron state: the model's saved columns (finite), then the engine's (_event_models)
    cols = {}
    for column in net._model.state_columns:
        key = "st_" + column.name
        a = e[key]
        if a.shape != (n,) or a.dtype != np.float64:
            raise ValueError(f"{key} must have shape ({n},) and dtype float64; "
                             f"got shape {a.shape} dtype {a.dtype}")
        cols[column.col] = a
        if column in net._model.columns:
            _check(np.isfinite(a), key, "finite", a)
    tupd, tspk, ver = cols[K.TUPD], cols[K.TSPK], cols[K.VER]
    with np.errstate(invalid="ignore"):
        # t_upd: the time v is valid, at most the end of a refractory period begun at or before t
        _check(np.isfinite(tupd) & (tupd <= t + pop.refractory), "st_tupd",
               f"finite and <= t + refractory (t = {t})",
               tupd)
        _check((tspk == -np.inf) | (np.isfinite(tspk) & (tspk <= t)), "st_tspk",
               f"-inf or finite and <= t = {t}",
               tspk)
    _check(_is_count(ver), "st_ver", "an integer in [0, 2^53)", ver)
    nspk = adopt(e, "st_nspk", net._nspk)
    _check((nspk >= 0) & (nspk < _MAX_EXACT), "st_nspk", "in [0, 2^53)", nspk)
    p_count = adopt(e, "st_p_count", net._p_count)
    _check(p_count >= 0, "st_p_count", ">= 0", p_count)
    lfsr = adopt(e, "st_lfsr", net._lfsr)
    if net.synapse == "lfsr":  # 0 is the LFSR's lock-up state
        _check((lfsr >= 1) & (lfsr < (1 << net.lfsr_width)), "st_lfsr", f"in [1, 2^{net.lfsr_width} - 1]",
               lfsr)
    traces = e["st_traces"]
    if traces.shape != net._traces.shape or traces.dtype != np.float64:
        raise ValueError(f"st_traces must have shape {net._traces.shape} and dtype float64; "
                         f"got shape {traces.shape} dtype {traces.dtype}")
    with np.errstate(invalid="ignore"):
        _check(np.isfinite(traces[:, :2]) & (traces[:, :2] >= 0), "st_traces",
               "finite and >= 0 (x_pre, x_post)",
               traces[:, :2])
        never = traces[:, 2] == -np.inf
        zero = (traces[:, 0] == 0) & (traces[:, 1] == 0)
        _check((never & zero) | (np.isfinite(traces[:, 2]) & (traces[:, 2] <= t)),
               "st_traces", f"a last-spike time <= t = {t} (or -inf with zero traces)", traces[:, 2])

    stp_state = None
    if net.stp is not None:
        stp_state = e["st_stp"]
        check_saved_state(stp_state, n, t)

    # --- the event queue: a valid heap of (time, key, payload) rows pointing at existing objects
    h = e["st_heap"]
    if h.ndim != 2 or h.shape[1] != 3 or h.dtype != np.float64:
        raise ValueError(f"st_heap must have shape (m, 3) and dtype float64; "
                         f"got shape {h.shape} dtype {h.dtype}")
    ht, hk, hp = h[:, 0], h[:, 1], h[:, 2]
    with np.errstate(invalid="ignore"):
        _check(ht >= t, "st_heap", f"made of event times >= t = {t}", ht)
    _check(_is_count(hk) & (hk < float(4 << K.KIND_SHIFT)), "st_heap", "made of integer keys in [0, 2^42)",
           hk)
    hkey = hk.astype(np.int64)
    kind = hkey >> K.KIND_SHIFT
    if net.stp is not None:  # a delivery's payload is the released fraction r = u x of its spike
        with np.errstate(invalid="ignore"):
            _check(np.where(kind == K.KIND_DELIV, (hp >= 0) & (hp <= 1), _is_count(hp)), "st_heap",
                   "made of payloads in [0, 1] (deliveries) or integers in [0, 2^53)", hp)
    else:
        _check(_is_count(hp), "st_heap", "made of integer payloads in [0, 2^53)", hp)
    idx = hkey & ((1 << K.KIND_SHIFT) - 1)
    n_grp = net._grp_start.shape[0] - 1
    limit = np.select([kind == K.KIND_SELF, kind == K.KIND_POIS, kind == K.KIND_DELIV],
                      [n, net._p_target.shape[0], n_grp], 0)
    _check(idx < limit, "st_heap", f"keys of neurons < {n}, Poisson generators < {net._p_target.shape[0]} "
           f"or synapse groups < {n_grp}", hk)
    pois = kind == K.KIND_POIS  # a generator of rate 0 never has a pending spike (its interval is inf)
    _check(~pois | np.isfinite(net._p_mean[np.where(pois, idx, 0)] if net._p_mean.size else pois), "st_heap",
           "Poisson keys of generators with a rate > 0", hk)
    self_ = kind == K.KIND_SELF
    _check(~self_ | (hp <= ver[np.where(self_, idx, 0)]), "st_heap", "SELF payloads <= the neuron's version",
           hp)
    if h.shape[0] > 1:
        c = np.arange(1, h.shape[0])
        par = (c - 1) >> 1
        ok = (ht[par] < ht[c]) | ((ht[par] == ht[c]) & (hk[par] <= hk[c]))
        _check(np.concatenate([[True], ok]), "st_heap", "a binary heap ordered by (time, key)", ht)

    # --- record and counters
    out_t, out_i = e["st_out_t"], e["st_out_i"]
    if out_t.ndim != 1 or out_t.dtype != np.float64 or out_i.shape != out_t.shape or out_i.dtype != np.int32:
        raise ValueError(f"st_out_t / st_out_i must be float64 / int32 arrays of one length; got shapes "
                         f"{out_t.shape} / {out_i.shape} dtypes {out_t.dtype} / {out_i.dtype}")
    with np.errstate(invalid="ignore"):
        _check((out_t >= t0) & (out_t <= t), "st_out_t", f"in [{t0}, {t}]", out_t)
    _check((out_i >= 0) & (out_i < n), "st_out_i", f"in [0, {n - 1}]", out_i)
    stats = adopt(e, "st_stats", net._stats)
    _check(stats >= 0, "st_stats", ">= 0", stats)
    e.check_all_used()

    # commit (the network is new: nothing to roll back on an error above)
    net._syn_key, net._lfsr_key = syn_key, lfsr_key
    if net.synapse == "lfsr":
        net._lfsr = lfsr
    net._traces = traces
    if stp_state is not None:
        net._Q[:, STP_UV:] = stp_state
    for col, a in cols.items():
        net._S[:, col] = a
    net._nspk = nspk
    net._chg_pos = chg_pos
    net._p_count = p_count
    cap = max(net._h.shape[0], 2 * h.shape[0])
    net._h = np.zeros((cap, 3))
    net._h[: h.shape[0]] = h
    net._heap_n[0] = h.shape[0]
    m = out_t.shape[0]
    cap = max(net._out_t.shape[0], 2 * m)
    net._out_t = np.zeros(cap)
    net._out_i = np.zeros(cap, dtype=np.int32)
    net._out_t[:m] = out_t
    net._out_i[:m] = out_i
    net._n_out[0] = m
    net._stats = stats
    net._t_record_start = t0
    return net
