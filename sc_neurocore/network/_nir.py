"""NIR (Neuromorphic Intermediate Representation) export and import (private; re-exported).

Needs the optional ``nir`` package (``pip install sc_neurocore[nir]``).
``docs/interop.md`` describes the mapping; in short:

* a :class:`Network` (one :class:`Population`, recurrent :class:`Connectivity`)
  is the graph ``input -> lif``, ``lif -> recurrent -> lif``, ``lif -> output``
  with a ``nir.LIF`` node and a ``nir.Linear`` node of dense weights
  ``W[post, pre]`` (``y = W x``);
* NIR's LIF is ``tau dv/dt = (v_leak - v) + r I``; with time in seconds and a
  spike entering as a unit input held for one step, the forward-Euler step
  ``dt`` is ``v <- v + (dt / tau)(v_leak - v) + (dt r / tau) I`` -- the
  engine's update with ``alpha = dt / tau_m`` and a jump ``(dt r / tau) w``
  per spike of weight ``w``.  Export writes ``r = tau / dt`` so that NIR
  weights equal the engine's jumps;
* a spike on step ``t`` reaches its targets on step ``t + 1`` (the engine's
  one-step delay); inputs act on the step they are given;
* what NIR cannot express is refused by name: plasticity (STDP, adaptive
  thresholds), stochastic-computing synapses, delays other than one step,
  current-based synapses (``CubaLIF``) on import.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._validation import check_bool, check_dt_ms, check_int
from ._connectivity import Connectivity, from_arrays
from ._inputs import Current
from ._monitors import SpikeEvents
from ._population import Population
from ._simulate import Network

__all__ = ["NIRImport", "from_nir", "read_nir", "to_nir", "write_nir"]

#: Default limit on the entries of a dense weight matrix (2**24 float64 = 128 MiB).
MAX_DENSE_ENTRIES = 2**24
#: Prefix of every metadata key sc_neurocore writes.
_P = "sc_neurocore."
#: NIR node types the importer understands; anything else is refused by name.
_WEIGHT_TYPES = ("Linear", "Affine")


def _nir() -> Any:
    try:
        import nir
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("NIR export/import needs the optional 'nir' package: "
                          "pip install 'sc_neurocore[nir]'") from exc
    return nir


def _no_synapses(n: int) -> Connectivity:
    empty = np.zeros(0, dtype=np.int64)
    return from_arrays(empty, empty, np.zeros(0), 1, n_pre=n)


def _check_dense(n_out: int, n_in: int, limit: int, what: str) -> None:
    if n_out * n_in > limit:
        raise ValueError(f"{what}: a dense {n_out} x {n_in} weight matrix has {n_out * n_in} entries "
                         f"({8 * n_out * n_in} bytes as float64), above max_dense_entries={limit}; "
                         f"pass a larger max_dense_entries to allow it")


# ---------------------------------------------------------------------------------------------- export


def to_nir(model: Network | Population, connectivity: Connectivity | None = None, *,
           max_dense_entries: int = MAX_DENSE_ENTRIES) -> Any:
    """A ``nir.NIRGraph`` of a network (or of a population and its recurrent connectivity).

    Parameters
    ----------
    model : Network or Population
        A :class:`Network`, or a :class:`Population` with ``connectivity``.
        Attached inputs are not part of the graph: its ``input`` node stands
        for whatever drives the neurons.
    connectivity : Connectivity, optional
        Recurrent synapses of a :class:`Population` (not with a Network).
    max_dense_entries : int
        Largest ``n * n`` densified (NIR stores dense weights).

    Returns
    -------
    nir.NIRGraph
        Nodes ``input``, ``lif`` (``nir.LIF``: ``tau`` in s, ``r = tau_m / dt``,
        ``v_leak = v_rest``, ``v_threshold``, ``v_reset``), ``recurrent``
        (``nir.Linear``, ``W[post, pre]`` = jump in potential units; absent
        without synapses) and ``output``.  The LIF node's metadata holds what
        NIR's LIF cannot: ``sc_neurocore.refractory_ms`` (and ``_steps``),
        ``sc_neurocore.dt_ms``, ``sc_neurocore.spike_condition`` (``v >= v_threshold``),
        ``sc_neurocore.v_init``, ``sc_neurocore.tau_m_ms``, ``sc_neurocore.n_exc``,
        ``sc_neurocore.allow_large_dt``.

    Raises
    ------
    ValueError
        Plasticity (STDP or homeostasis), stochastic-computing synapses or
        delays other than one step (NIR cannot express them), or a weight
        matrix above ``max_dense_entries``.
    """
    nir = _nir()
    limit = check_int(max_dense_entries, "max_dense_entries", low=1)
    if isinstance(model, Network):
        if connectivity is not None:
            raise ValueError("connectivity must be None when model is a Network (it has its own); got one")
        if model.stdp is not None:
            raise ValueError("plasticity (STDP) cannot be expressed in NIR; call set_stdp(None) to export "
                             "the current weights")
        if model.homeostasis is not None:
            raise ValueError("plasticity (Homeostasis adaptive thresholds) cannot be expressed in NIR; call "
                             "set_homeostasis(None) to export")
        if model.synapse != "deterministic":
            raise ValueError(f"stochastic-computing synapses (synapse={model.synapse!r}) cannot be expressed "
                             f"in NIR; only synapse='deterministic' networks are exported")
        pop, conn = model.population, model.connectivity
    elif isinstance(model, Population):
        pop = model
        conn = connectivity if connectivity is not None else _no_synapses(pop.n)
        if not isinstance(conn, Connectivity) or conn.n_pre != pop.n or conn.n_post != pop.n:
            raise ValueError(f"connectivity must be a {pop.n} x {pop.n} Connectivity; got {conn!r}")
    else:
        raise TypeError(f"model must be a Network or a Population; got {type(model).__name__}")
    if conn.nnz and not np.all(conn.delays == 1):
        bad = int(conn.delays[np.argmax(conn.delays != 1)])
        raise ValueError(f"synaptic delays other than one step cannot be expressed in NIR (a graph edge is "
                         f"one step); got a delay of {bad} steps")
    n = pop.n
    dt = pop.dt
    meta = {
        _P + "dt_ms": dt,
        _P + "refractory_ms": pop.refractory.copy(),
        _P + "refractory_steps": pop.refractory_steps.astype(np.int64),
        _P + "refractory_semantics": "a neuron spiking on step t is held at v_reset, inputs discarded, on "
                                     "steps t+1 .. t+R-1 (R = refractory_steps) and integrates again from "
                                     "step t+R",
        _P + "spike_condition": "v >= v_threshold",
        _P + "reset": "v = v_reset on the spike step (hard reset)",
        _P + "v_init": pop.v_init.copy(),
        _P + "tau_m_ms": pop.tau_m.copy(),
        _P + "n_exc": pop.n_exc,
        _P + "allow_large_dt": pop.allow_large_dt,
    }
    lif = nir.LIF(tau=pop.tau_m * 1e-3, r=pop.tau_m / dt, v_leak=pop.v_rest.copy(),
                  v_threshold=pop.threshold.copy(), v_reset=pop.v_reset.copy(), metadata=meta)
    nodes: dict[str, Any] = {
        "input": nir.Input(input_type={"input": np.array([n])}),
        "lif": lif,
        "output": nir.Output(output_type={"output": np.array([n])}),
    }
    edges = [("input", "lif"), ("lif", "output")]
    if conn.nnz:
        _check_dense(n, n, limit, "the recurrent connectivity")
        w = np.zeros((n, n), dtype=np.float64)
        np.add.at(w, (conn.indices, conn.pre()), conn.weights.astype(np.float64))  # duplicates summed
        nodes["recurrent"] = nir.Linear(weight=w)
        edges += [("lif", "recurrent"), ("recurrent", "lif")]
    return nir.NIRGraph(nodes=nodes, edges=edges,
                        metadata={_P + "source": "sc_neurocore.network.to_nir", _P + "time_unit": "s"})


def write_nir(model: Network | Population, path: Any, connectivity: Connectivity | None = None, *,
              max_dense_entries: int = MAX_DENSE_ENTRIES) -> None:
    """Write :func:`to_nir` of ``model`` to the ``.nir`` (HDF5) file ``path``."""
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a str or os.PathLike; got {type(path).__name__}")
    graph = to_nir(model, connectivity, max_dense_entries=max_dense_entries)
    _nir().write(os.fspath(path), graph)


# ---------------------------------------------------------------------------------------------- import


@dataclass
class NIRImport:
    """A NIR graph as sc_neurocore objects.

    Attributes
    ----------
    population : Population
        Every LIF node's neurons, concatenated in node order (``node_slices``).
    connectivity : Connectivity
        Weights between LIF nodes as jumps (potential units), delay one step.
    input_weights : ndarray, shape (n_inputs, n)
        Jump added to each neuron per unit of each input on the same step.
    bias_current : ndarray, shape (n,)
        Constant current (potential units per ms) from ``Affine`` biases.
    output_neurons : ndarray of int
        Neurons of the LIF nodes connected to ``Output`` nodes.
    node_slices : dict
        LIF node name -> ``slice`` of its neurons.
    """

    population: Population
    connectivity: Connectivity
    input_weights: np.ndarray
    bias_current: np.ndarray
    output_neurons: np.ndarray
    node_slices: dict[str, slice]

    def network(self, **kwargs: Any) -> Network:
        """A fresh deterministic :class:`Network` with the bias current attached (kwargs go to Network)."""
        net = Network(self.population, self.connectivity, **kwargs)
        if np.any(self.bias_current):
            net.add_input(Current(self.bias_current.astype(np.float64), time_varying=False))
        return net

    def run(self, inputs: Any, n_steps: int | None = None) -> SpikeEvents:
        """Simulate from the initial state with ``inputs`` of shape ``(T, n_inputs)`` (time-major, as NIR).

        Input ``x[t]`` adds ``x[t] @ input_weights`` on step ``t`` (a current
        ``x[t] @ input_weights / dt``); runs ``n_steps`` (default ``T``) steps
        and returns every neuron's spikes.
        """
        x = np.asarray(inputs, dtype=np.float64)
        n_in = self.input_weights.shape[0]
        if x.ndim != 2 or x.shape[1] != n_in or not np.isfinite(x).all():
            raise ValueError(f"inputs must be a finite (T, {n_in}) array (time x inputs); "
                             f"got shape {x.shape}")
        steps = x.shape[0] if n_steps is None else check_int(n_steps, "n_steps", low=1)
        net = self.network()
        if x.shape[0] and n_in:
            net.add_input(Current((x @ self.input_weights.astype(np.float64)) / self.population.dt,
                                  time_varying=True))
        return net.run(steps)


def _vec(value: Any, what: str, name: str, n: int | None) -> np.ndarray:
    """``value`` (scalar broadcast when ``n`` is known) as a finite float64 1-d array of ``n`` entries."""
    try:
        a = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"node {name!r}: {what} must be a finite 1-d array of real numbers; got "
                         f"{type(value).__name__}") from None
    if a.ndim == 0 and n is not None:
        a = np.full(n, float(a))
    if a.ndim != 1 or (n is not None and a.shape != (n,)) or not np.isfinite(a).all():
        raise ValueError(f"node {name!r}: {what} must be a finite 1-d array"
                         f"{'' if n is None else f' of {n} entries'}; got shape {a.shape}")
    return a


def _meta_vec(md: dict[str, Any], key: str, name: str, m: int) -> np.ndarray:
    """LIF node metadata ``sc_neurocore.<key>`` as a 1-d array of ``m`` entries (zeros if absent)."""
    k = _P + key
    return _vec(md[k], "metadata " + k, name, m) if k in md else np.zeros(m)


def _float32_above(thr: np.ndarray) -> np.ndarray:
    """Smallest float32 ``> thr`` per entry.

    For float32 ``v``, ``v > thr`` (NIR) is ``v >= that`` (the engine's test).
    """
    t32 = thr.astype(np.float32)
    return np.where(t32 > thr, t32, np.nextafter(t32, np.float32(np.inf))).astype(np.float64)


def from_nir(graph: Any, *, dt_ms: float | None = None, allow_large_dt: bool = False,
             max_dense_entries: int = MAX_DENSE_ENTRIES) -> NIRImport:
    """Build sc_neurocore objects from a ``nir.NIRGraph`` of LIF, Linear/Affine, Input and Output nodes.

    Parameters
    ----------
    graph : nir.NIRGraph
        One ``Input`` node (its edges go to LIF or weight nodes), any number
        of ``LIF`` nodes, ``Linear``/``Affine`` nodes between them and
        ``Output`` nodes fed by LIF nodes.  Time constants in seconds.
    dt_ms : float, optional
        Euler step in ms; default the one recorded by :func:`to_nir` (a graph
        from another tool records none, and then ``dt_ms`` is required).
    allow_large_dt : bool
        Passed to :class:`Population` (``dt < tau / 10`` otherwise).
    max_dense_entries : int
        Largest weight matrix accepted.

    Returns
    -------
    NIRImport

    Notes
    -----
    Discretisation (forward Euler, step ``dt``): a LIF neuron with ``tau``,
    ``r``, ``v_leak`` gets ``tau_m = 1000 tau`` ms, ``v_rest = v_leak`` and a
    spike of weight ``w`` reaching it adds ``(dt r / tau) w`` (the unit spike
    held for one step); a spike on step ``t`` arrives on step ``t + 1``.
    NIR spikes when ``v > v_threshold``; the engine tests ``v >= threshold``,
    so the threshold becomes the next float32 above ``v_threshold`` (exactly
    equivalent for float32 potentials) unless the graph was written by
    :func:`to_nir`.  Refractory periods are read from
    ``sc_neurocore.refractory_ms`` metadata (0 without it: NIR's LIF has none);
    initial potentials from ``sc_neurocore.v_init`` (0 without it).

    Raises
    ------
    ValueError
        A node type NIR-to-engine cannot express (``CubaLIF``: current-based
        synapses; any other primitive), an unsupported edge, inconsistent
        shapes, non-finite parameters, a missing ``dt_ms`` or a weight matrix
        above ``max_dense_entries``.
    """
    nir = _nir()
    if not isinstance(graph, nir.NIRGraph):
        raise TypeError(f"graph must be a nir.NIRGraph; got {type(graph).__name__}")
    limit = check_int(max_dense_entries, "max_dense_entries", low=1)
    check_bool(allow_large_dt, "allow_large_dt")
    kinds: dict[str, str] = {}
    for name, node in graph.nodes.items():
        kind = type(node).__name__
        if kind == "CubaLIF":
            raise ValueError(f"node {name!r} is a nir.CubaLIF: current-based synapses (tau_syn) cannot be "
                             f"expressed; sc_neurocore's LIF adds each spike's weight to v directly "
                             f"(use nir.LIF)")
        if kind not in ("Input", "Output", "LIF", *_WEIGHT_TYPES):
            raise ValueError(f"node {name!r} is a nir.{kind}, which cannot be expressed; supported nodes are "
                             f"Input, Output, LIF, Linear and Affine")
        kinds[name] = kind
    inputs = [k for k, v in kinds.items() if v == "Input"]
    if len(inputs) > 1:
        raise ValueError(f"graph must have at most one Input node; got {len(inputs)} ({', '.join(inputs)})")

    # neurons: LIF nodes concatenated in node order
    slices: dict[str, slice] = {}
    par: dict[str, list[np.ndarray]] = {k: [] for k in ("r", "v_leak", "thr", "v_reset", "refr", "v_init",
                                                         "tau_ms")}
    dts: list[float] = []
    large = bool(allow_large_dt)
    n = 0
    for name, node in graph.nodes.items():
        if kinds[name] != "LIF":
            continue
        tau = _vec(node.tau, "tau", name, None)
        m = tau.size
        if (tau <= 0).any():
            raise ValueError(f"node {name!r}: tau must be > 0 (seconds); got {tau.min()}")
        r = _vec(node.r, "r", name, m)
        md = dict(node.metadata or {})
        ours = (_P + "spike_condition") in md
        thr = _vec(node.v_threshold, "v_threshold", name, m)
        par["r"].append(r)
        par["v_leak"].append(_vec(node.v_leak, "v_leak", name, m))
        par["thr"].append(thr if ours else _float32_above(thr))
        par["v_reset"].append(np.zeros(m) if node.v_reset is None else _vec(node.v_reset, "v_reset", name, m))
        par["refr"].append(_meta_vec(md, "refractory_ms", name, m))
        par["v_init"].append(_meta_vec(md, "v_init", name, m))
        tau_ms = tau * 1e3
        if _P + "tau_m_ms" in md:  # to_nir's exact ms values (tau * 1e3 may differ in the last bit)
            t_md = _meta_vec(md, "tau_m_ms", name, m)
            tau_ms = np.where(np.abs(t_md - tau_ms) <= 1e-12 * np.abs(tau_ms), t_md, tau_ms)
        par["tau_ms"].append(tau_ms)
        if _P + "dt_ms" in md:
            dts.append(check_dt_ms(np.asarray(md[_P + "dt_ms"]).item(), f"node {name!r} metadata dt_ms"))
        if _P + "allow_large_dt" in md:
            large = large or bool(np.asarray(md[_P + "allow_large_dt"]).item())
        slices[name] = slice(n, n + m)
        n += m
    if n == 0:
        raise ValueError("graph must contain at least one nir.LIF node; got none")
    if dt_ms is None:
        if not dts:
            raise ValueError("dt_ms must be given: the graph records no time step (NIR is continuous-time); "
                             "got None")
        if len(set(dts)) > 1:
            raise ValueError(f"dt_ms must be given: the LIF nodes record different steps {sorted(set(dts))}")
        dt = dts[0]
    else:
        dt = check_dt_ms(dt_ms, "dt_ms")
    cat = {k: np.concatenate(v) for k, v in par.items()}
    # jump per unit input: dt r / tau (both in ms); to_nir writes r = tau / dt, i.e. exactly 1
    scale = dt * cat["r"] / cat["tau_ms"]
    scale = np.where(np.abs(scale - 1.0) <= 1e-12, 1.0, scale)
    pop = Population(n, v_rest=cat["v_leak"], v_reset=cat["v_reset"], threshold=cat["thr"],
                     tau_m=cat["tau_ms"], refractory=cat["refr"], dt=dt, v_init=cat["v_init"],
                     allow_large_dt=large)

    # edges
    n_in = 0
    if inputs:
        shape = np.asarray(graph.nodes[inputs[0]].input_type.get("input", ())).ravel()
        if shape.size != 1 or not np.issubdtype(shape.dtype, np.integer) or shape[0] < 0:
            raise ValueError(f"node {inputs[0]!r}: the Input must be 1-d with a size >= 0; got shape "
                             f"{shape.tolist()}")
        n_in = int(shape[0])
        _check_dense(n_in, n, limit, f"node {inputs[0]!r}")
    w_in = np.zeros((n_in, n), dtype=np.float64)
    bias = np.zeros(n, dtype=np.float64)
    pre_l: list[np.ndarray] = []
    post_l: list[np.ndarray] = []
    w_l: list[np.ndarray] = []
    outputs: list[np.ndarray] = []
    src_of: dict[str, list[str]] = {}
    for a, b in graph.edges:
        if a not in kinds or b not in kinds:
            raise ValueError(f"edge ({a!r}, {b!r}) names a node that is not in the graph")
        src_of.setdefault(b, []).append(a)

    def size_of(name: str) -> int:
        return n_in if kinds[name] == "Input" else slices[name].stop - slices[name].start

    def add(src: str, dst: str, weight: np.ndarray, b: np.ndarray | None) -> None:
        d = slices[dst]
        nd = d.stop - d.start
        if weight.shape != (nd, size_of(src)):
            raise ValueError(f"edge {src!r} -> {dst!r}: weight shape {weight.shape} does not match "
                             f"({nd}, {size_of(src)}) (target x source neurons)")
        jump = weight * scale[d][:, None]
        if b is not None:
            # a constant input b held every step: current r b / tau (per ms) so that dt * I = (dt r / tau) b
            bias[d] += cat["r"][d] * b / cat["tau_ms"][d]
        if kinds[src] == "Input":
            w_in[:, d] += jump.T
        else:
            post, pre = np.nonzero(jump)
            pre_l.append(pre + slices[src].start)
            post_l.append(post + d.start)
            w_l.append(jump[post, pre])

    for dst, srcs in src_of.items():
        kd = kinds[dst]
        for src in srcs:
            ks = kinds[src]
            if kd == "Output":
                if ks != "LIF":
                    raise ValueError(f"edge ({src!r}, {dst!r}): an Output must be fed by a LIF node "
                                     f"(spikes); got a nir.{ks}")
                s = slices[src]
                outputs.append(np.arange(s.start, s.stop))
            elif kd == "LIF":
                if ks in ("LIF", "Input"):
                    add(src, dst, np.eye(size_of(src)), None)  # one-to-one, weight 1
                elif ks in _WEIGHT_TYPES:
                    wsrc = src_of.get(src, [])
                    if len(wsrc) != 1 or kinds[wsrc[0]] not in ("LIF", "Input"):
                        raise ValueError(f"node {src!r} must have exactly one source, a LIF or the Input; "
                                         f"got {wsrc}")
                    node = graph.nodes[src]
                    wt = np.asarray(node.weight, dtype=np.float64)
                    if wt.ndim != 2:
                        raise ValueError(f"node {src!r}: weight must be 2-d (out x in); got shape {wt.shape}")
                    _check_dense(wt.shape[0], wt.shape[1], limit, f"node {src!r}")
                    if not np.isfinite(wt).all():
                        raise ValueError(f"node {src!r}: weight must be finite")
                    b = _vec(node.bias, "bias", src, wt.shape[0]) if ks == "Affine" else None
                    add(wsrc[0], dst, wt, b)
                else:
                    raise ValueError(f"edge ({src!r}, {dst!r}): a LIF cannot be fed by a nir.{ks}")
            elif kd in _WEIGHT_TYPES:
                if ks not in ("LIF", "Input"):
                    raise ValueError(f"edge ({src!r}, {dst!r}): a weight node must be fed by a LIF or the "
                                     f"Input; got a nir.{ks}")
            else:
                raise ValueError(f"edge ({src!r}, {dst!r}): a nir.{kd} cannot receive edges")
    for name, kind in kinds.items():
        if kind in _WEIGHT_TYPES and any(kinds[b] != "LIF" for a, b in graph.edges if a == name):
            raise ValueError(f"node {name!r}: a weight node must feed LIF nodes only (a readout into an "
                             f"Output cannot be expressed: outputs are spikes)")
    if pre_l:
        pre = np.concatenate(pre_l)
        post = np.concatenate(post_l)
        order = np.lexsort((post, pre))
        conn = from_arrays(pre[order], post[order], np.concatenate(w_l)[order], 1, n_pre=n)
    else:
        conn = _no_synapses(n)
    outs = np.unique(np.concatenate(outputs)) if outputs else np.zeros(0, dtype=np.int64)
    return NIRImport(pop, conn, w_in, bias, outs.astype(np.int64), slices)


def read_nir(path: Any, *, dt_ms: float | None = None, allow_large_dt: bool = False,
             max_dense_entries: int = MAX_DENSE_ENTRIES) -> NIRImport:
    """:func:`from_nir` of the ``.nir`` file ``path`` (untrusted input).

    Before ``nir.read`` loads anything, every dataset's declared size is
    checked against ``4 * max_dense_entries`` entries in total.

    Raises
    ------
    FileNotFoundError
        No file ``path``.
    ValueError
        The file is not a readable NIR graph, or :func:`from_nir` refuses it;
        the message names the file.
    """
    nir = _nir()
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a str or os.PathLike; got {type(path).__name__}")
    p = os.fspath(path)
    if not os.path.isfile(p):
        raise FileNotFoundError(f"no NIR file {p!r}")
    limit = check_int(max_dense_entries, "max_dense_entries", low=1)
    try:
        _check_h5_sizes(p, 4 * limit)
        graph = nir.read(p)
    except ValueError as exc:
        raise ValueError(f"{p!r} is not a usable NIR file: {exc}") from exc
    except Exception as exc:  # h5py and nir raise OSError, KeyError, AssertionError ... on bad files
        raise ValueError(f"{p!r} is not a readable NIR file ({type(exc).__name__}: {exc})") from exc
    try:
        return from_nir(graph, dt_ms=dt_ms, allow_large_dt=allow_large_dt,
                        max_dense_entries=max_dense_entries)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"{p!r}: {exc}") from exc


def _check_h5_sizes(path: str, limit: int) -> None:
    import h5py

    total = 0
    with h5py.File(path, "r") as f:
        def visit(_name: str, obj: Any) -> None:
            nonlocal total
            if isinstance(obj, h5py.Dataset):
                total += int(np.prod(obj.shape, dtype=np.float64)) if obj.shape else 1
        f.visititems(visit)
    if total > limit:
        raise ValueError(f"its datasets declare {total} entries in total, above 4 * max_dense_entries "
                         f"= {limit}")
