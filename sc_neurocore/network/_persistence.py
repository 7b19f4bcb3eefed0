"""Save / load a whole network, state included, as one ``.npz`` (private; re-exported).

Everything needed to continue bit for bit is stored: parameters, CSR arrays,
synapse signs, inputs (with their RNG keys), plasticity settings, the step
counter, membrane potentials, refractory counters, the delay ring buffer,
traces, adaptive thresholds, LFSR registers, RNG keys and recorded spikes.
Counter-based randomness means no generator state beyond keys and the step.

Files are untrusted input.  :func:`read_npz` reads an archive without numpy's
loader (no pickles, no array larger than the bytes that hold it, no
compressed entries), and the loaders rebuild every object through its
constructor, so a file passes exactly the checks a call with the same arrays
would; state arrays must match the shape and dtype of a fresh network's and
be finite and in range.  Every problem is a ``ValueError`` naming the file.
The format is described in ``docs/network.md``.
"""

from __future__ import annotations

import json
import math
import os
import zipfile
from typing import Any

import numpy as np

from .._kernels._stp import STP_UV
from .._validation import check_binary_array, check_choice, check_finite_array, check_int, check_known_keys
from ._connectivity import Connectivity
from ._inputs import BinaryInput, BitstreamInput, Current, PoissonInput
from ._models import LIF, MODELS, NeuronModel, model_from
from ._monitors import SpikeEvents
from ._plasticity import STDP, Homeostasis
from ._population import Population
from ._stp import TsodyksMarkram, check_saved_state

__all__ = ["save_network", "load_network"]

#: Version of the network file format written by :func:`save_network` (``meta["format"]``): 2 adds the
#: neuron model (``meta["neuron"]``, arrays ``nm_<param>``); LIF networks are still written as format 1,
#: which every version reads, and format 1 files load as LIF.  3 adds short-term plasticity (``stp_*``,
#: ``st_stp``); only networks with it are written as format 3.
_FORMAT = 3
_NET_FILE = "path must be an npz network file saved by save_network"
_MAX_INT32 = 2**31 - 1
#: dtype kinds an entry may have: bool, signed / unsigned integer, float, and str for ``meta``.
_KINDS = "biufU"


def _check_path(path: Any, mode: str) -> None:
    """``path`` must be a str, an ``os.PathLike`` or an open binary file (with ``write`` / ``read``)."""
    if isinstance(path, (str, os.PathLike)) or hasattr(path, mode):
        return
    raise TypeError(f"path must be a str, an os.PathLike or a binary file object; "
                    f"got {type(path).__name__} {path!r}")


def file_name(path: Any) -> str:
    """How error messages name ``path``: the quoted file name, or the file object's type."""
    if isinstance(path, (str, os.PathLike)):
        return repr(os.fspath(path))
    name = getattr(path, "name", None)
    return repr(name) if isinstance(name, str) else f"a {type(path).__name__}"


def write_npz(path: Any, arrays: dict[str, np.ndarray]) -> None:
    """Write ``arrays`` as an uncompressed npz to exactly ``path`` (``np.savez`` would append ``.npz``)."""
    if isinstance(path, (str, os.PathLike)):
        with open(path, "wb") as f:
            np.savez(f, **arrays)  # type: ignore[arg-type]
    else:
        np.savez(path, **arrays)  # type: ignore[arg-type]


class _Bad(ValueError):
    """A problem with one entry of an archive (the reader adds the file name)."""


def _read_entry(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> np.ndarray:
    """One ``.npy`` member as an owned, native-byte-order array, checked before anything is allocated."""
    key = info.filename[:-4]
    if info.compress_type != zipfile.ZIP_STORED:
        # a deflated entry may expand far beyond the file's size; save writes stored entries
        raise _Bad(f"entry {key} is compressed; save_network writes uncompressed entries")
    with zf.open(info) as f:
        version = np.lib.format.read_magic(f)
        if version == (1, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_1_0(f)
        elif version == (2, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_2_0(f)
        else:
            raise _Bad(f"entry {key} has npy format version {version}; expected (1, 0) or (2, 0)")
        if dtype.hasobject:
            raise _Bad(f"entry {key} holds Python objects (dtype object), which are never unpickled")
        if dtype.kind not in _KINDS or dtype.fields or dtype.subdtype or not dtype.itemsize:
            raise _Bad(f"entry {key} must have a bool, integer, float or str dtype; got {dtype}")
        if any(s < 0 for s in shape):
            raise _Bad(f"entry {key} declares the negative shape {shape}")
        count = math.prod(shape)
        held = info.file_size - f.tell()
        if count * dtype.itemsize != held:
            raise _Bad(f"entry {key} declares shape {shape} of {dtype} ({count * dtype.itemsize} bytes) "
                       f"but holds {held} bytes")
        data = f.read(held)  # the CRC-32 is checked when the member is read to its end
    arr = np.frombuffer(data, dtype=dtype, count=count).reshape(shape, order="F" if fortran else "C")
    return np.array(arr, dtype=dtype.newbyteorder("="), order="C")  # a writable copy (0-d stays 0-d)


def _read_zip(f: Any) -> dict[str, np.ndarray]:
    out: dict[str, np.ndarray] = {}
    with zipfile.ZipFile(f) as zf:
        for info in zf.infolist():
            if not info.filename.endswith(".npy"):
                raise _Bad(f"entry {info.filename!r} is not an .npy array")
            key = info.filename[:-4]
            if key in out:
                raise _Bad(f"entry {key} appears twice")
            out[key] = _read_entry(zf, info)
    return out


def read_npz(path: Any, what: str) -> dict[str, np.ndarray]:
    """Every entry of the npz archive ``path`` (untrusted), or a ``ValueError`` starting with ``what``.

    Memory use is bounded by the file's size: entries must be stored
    uncompressed and hold exactly the bytes their header declares; object
    (pickled) and structured dtypes are refused.  A missing file still raises
    ``FileNotFoundError``.
    """
    name = file_name(path)
    try:
        f = open(path, "rb") if isinstance(path, (str, os.PathLike)) else path  # noqa: SIM115
    except FileNotFoundError:
        raise
    except OSError as exc:
        raise ValueError(f"{what}; got {name}, which cannot be read ({type(exc).__name__}: {exc})") from exc
    try:
        start = f.tell()
        plain_npy = f.read(6) == b"\x93NUMPY"
        f.seek(start)
        out = None if plain_npy else _read_zip(f)
    except _Bad as exc:
        raise ValueError(f"{what}; got {name}: {exc}") from exc
    except Exception as exc:  # zipfile and the npy header parser raise a dozen types on corrupt bytes
        raise ValueError(f"{what}; got {name}, which is not a readable npz archive "
                         f"({type(exc).__name__}: {exc})") from exc
    finally:
        if f is not path:
            f.close()
    if out is None:
        raise ValueError(f"{what}; got a plain .npy array in {name}")
    return out


class Entries:
    """The arrays of a file, handed out once each, so that leftovers can be reported."""

    def __init__(self, arrays: dict[str, np.ndarray]) -> None:
        self._arrays = arrays
        self._used: set[str] = set()

    def __contains__(self, key: str) -> bool:
        return key in self._arrays

    def __getitem__(self, key: str) -> np.ndarray:
        if key not in self._arrays:
            raise ValueError(f"missing entry {key}")
        self._used.add(key)
        return self._arrays[key]

    def get(self, key: str) -> np.ndarray | None:
        return self[key] if key in self._arrays else None

    def check_all_used(self) -> None:
        rest = sorted(set(self._arrays) - self._used)
        if rest:
            raise ValueError(f"unexpected entry {', '.join(rest)}")


def read_meta(e: Entries, what: str, name: str, kind: str, current: int, *,
              default_format: int | None = None) -> dict[str, Any]:
    """The JSON ``meta`` entry as a dict, after checking its format version against ``current``."""
    if "meta" not in e:
        raise ValueError(f"{what} (with a 'meta' entry); got {name}")
    m = e["meta"]
    try:
        if m.ndim != 0 or m.dtype.kind != "U":
            raise ValueError
        meta = json.loads(str(m))
    except (ValueError, RecursionError) as exc:
        raise ValueError(f"{what}; got {name}: meta is not a JSON object") from exc
    if not isinstance(meta, dict):
        raise ValueError(f"{what}; got {name}: meta is not a JSON object")
    fmt = meta.get("format", default_format)
    if not isinstance(fmt, int) or isinstance(fmt, bool) or fmt < 1:
        raise ValueError(f"{what}; got {name}: meta.format must be a version number >= 1; got {fmt!r}")
    if fmt > current:
        raise ValueError(f"path must be a {kind} file of format <= {current}; got {name} of format {fmt}, "
                         f"written by a newer sc_neurocore (upgrade to read it)")
    return meta


def field(mapping: dict[str, Any], key: str, where: str = "meta") -> Any:
    """``mapping[key]``, or a ``ValueError`` naming the missing field."""
    if key not in mapping:
        raise ValueError(f"{where} has no field {key!r}")
    return mapping[key]


def adopt(e: Entries, key: str, like: np.ndarray) -> np.ndarray:
    """Entry ``key`` if it has the shape and dtype of ``like`` (a fresh object's array) and is finite."""
    a = e[key]
    if a.shape != like.shape or a.dtype != like.dtype:
        raise ValueError(f"{key} must have shape {like.shape} and dtype {like.dtype}; "
                         f"got shape {a.shape} dtype {a.dtype}")
    if a.dtype.kind == "f":
        check_finite_array(a, key)
    return a


def _check_in(a: np.ndarray, key: str, low: Any, high: Any, bound: str) -> None:
    """Every ``a[i]`` in ``[low[i], high[i]]`` (scalars or arrays), or a ValueError naming an outlier."""
    bad = (a < low) | (a > high)
    if bad.any():
        i = int(np.argmax(bad))
        lo, hi = np.broadcast_to(low, a.shape)[i], np.broadcast_to(high, a.shape)[i]
        raise ValueError(f"{key} must be in {bound}[{lo}, {hi}]; got {a[i]} at index {i}")


def save_network(net: Any, path: Any) -> None:
    """Write ``net`` (a :class:`~sc_neurocore.network.Network`) to exactly ``path`` (npz, no pickles).

    No ``.npz`` suffix is appended: ``save_network(net, "x")`` writes ``x``,
    which ``load_network("x")`` reads.

    Raises
    ------
    TypeError
        If ``net`` is not a Network or ``path`` is not a str, ``os.PathLike``
        or writable binary file object.
    """
    from ._simulate import Network

    if not isinstance(net, Network):
        raise TypeError(f"net must be a Network; got {type(net).__name__}")
    _check_path(path, "write")
    arrays: dict[str, np.ndarray] = {}
    for k, v in net.population.to_arrays().items():
        arrays["pop_" + k] = np.asarray(v)
    c = net.connectivity
    arrays.update(conn_indptr=c.indptr, conn_indices=c.indices, conn_weights=c.weights,
                  conn_delays=c.delays, conn_n_post=np.array(c.n_post))
    m = int(net._n_rec[0])
    for spec in net.state_fields:  # the model's and the network's state fields (_models)
        arrays["st_" + spec.name] = getattr(net, spec.name)
    arrays.update(
        st_syn_key=net._syn_key, st_lfsr_key=net._lfsr_key, st_rec_mask=net._rec_mask, st_sp_n=net._sp_n[:m],
        st_sp_t=net._sp_t[:m], st_mon_idx=net._mon_idx,
    )
    if net._mon_chunks:
        arrays["st_mon_v"] = np.concatenate(net._mon_chunks)
    if net.stp is not None:  # per-neuron parameters and (u, x, t_last), as the event-driven files
        prm = net._stp_params
        arrays.update(stp_U=prm[:, 0], stp_tau_facil=prm[:, 1], stp_tau_rec=prm[:, 2],
                      st_stp=np.ascontiguousarray(net._Q[:, STP_UV:]))
    inputs_meta = []
    for i, inp in enumerate(net.inputs):
        p = f"in{i}_"
        if isinstance(inp, PoissonInput):
            inputs_meta.append({"kind": "poisson", "amplitude": inp.amplitude})
            arrays.update({p + "rates": inp.rates_hz, p + "targets": inp.targets, p + "key": inp.key})
        elif isinstance(inp, BinaryInput):
            inputs_meta.append({"kind": "bits", "amplitude": inp.amplitude, "length": inp.length})
            arrays.update({p + "packed": inp.packed, p + "targets": inp.targets})
        else:
            inputs_meta.append({"kind": "current", "time_varying": inp.time_varying})
            arrays[p + "values"] = inp.values
            if inp.targets is not None:
                arrays[p + "targets"] = inp.targets
    neuron_meta = model_meta(net.neuron, arrays)
    meta: dict[str, Any] = {
        "format": 3 if net.stp is not None else 1 if neuron_meta is None else 2,
        "synapse": net.synapse,
        "w_scale": net.w_scale,
        "lfsr_width": net.lfsr_width,
        "t": net.t,
        "t_record_start": net._t_record_start,
        "mon_start": net._mon_start,
        "inputs": inputs_meta,
        "stdp": None if net.stdp is None else net.stdp.to_dict(),
        "homeostasis": None if net.homeostasis is None else net.homeostasis.to_dict(),
    }
    if neuron_meta is not None:
        meta["neuron"] = neuron_meta
    arrays["meta"] = np.array(json.dumps(meta))
    write_npz(path, arrays)


def load_network(path: Any) -> Any:
    """Rebuild a network saved by :func:`save_network`; continuing it equals never having stopped.

    The file is untrusted: every array goes through the constructor that
    would receive it in code (:class:`Population`, :class:`Connectivity`,
    :class:`Network`, the inputs, :class:`STDP`, :class:`Homeostasis`,
    :class:`SpikeEvents`, :meth:`Network.monitor`), and every state array must
    have the shape and dtype of a fresh network's, be finite, and lie in range
    (refractory counters in ``[0, hold_steps]``, LFSR registers in
    ``[1, 2^lfsr_width - 1]``, steps in ``[0, t]``).

    Raises
    ------
    TypeError
        If ``path`` is not a str, ``os.PathLike`` or readable binary file object.
    FileNotFoundError
        If there is no file ``path``.
    ValueError
        If the file is not a readable npz archive (truncated, corrupted,
        compressed, with pickled objects), is of a newer format than this
        version writes, lacks an entry or has an unexpected one, or any array
        or field fails its check; the message names the file and the problem.
    """
    _check_path(path, "read")
    name = file_name(path)
    e = Entries(read_npz(path, _NET_FILE))
    meta = read_meta(e, _NET_FILE, name, "network", _FORMAT)
    try:
        return _network_from(e, meta)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"{_NET_FILE}; got {name}: {exc}") from exc


def population_from(e: Entries) -> Population:
    """The ``pop_*`` entries as a :class:`Population`, through its constructor's checks."""
    like = Population(1).to_arrays()
    pop_arrays = {k: e["pop_" + k] for k in like}
    for k, a in pop_arrays.items():
        if a.ndim != like[k].ndim:  # a scalar would be broadcast to n neurons without a size check
            raise ValueError(f"pop_{k} must be {like[k].ndim}-dimensional; got shape {a.shape}")
    return Population.from_arrays(pop_arrays)


def _network_from(e: Entries, meta: dict[str, Any]) -> Any:
    from ._simulate import Network

    pop = population_from(e)
    n_post: Any = e["conn_n_post"][()]  # a numpy scalar, type-checked by the constructor
    conn = Connectivity(e["conn_indptr"], e["conn_indices"], e["conn_weights"], e["conn_delays"], n_post)
    net = Network(pop, conn, synapse=field(meta, "synapse"), w_scale=field(meta, "w_scale"),
                  lfsr_width=field(meta, "lfsr_width"), record=None, neuron=neuron_from(e, meta))
    inputs = field(meta, "inputs")
    if not isinstance(inputs, list):
        raise ValueError(f"meta.inputs must be a list; got {type(inputs).__name__}")
    for i, im in enumerate(inputs):
        net.add_input(_input_from(e, im, i))
    net.set_stdp(_plasticity(meta, "stdp", STDP))
    net.set_homeostasis(_plasticity(meta, "homeostasis", Homeostasis))
    if "stp_U" in e:
        net.set_stp(TsodyksMarkram(e["stp_U"], e["stp_tau_facil"], e["stp_tau_rec"]))
    n = pop.n
    t = check_int(field(meta, "t"), "t", low=0, high=_MAX_INT32)
    stp_state = None
    if net.stp is not None:
        stp_state = e["st_stp"]
        check_saved_state(stp_state, n, t * pop.dt)
    t_record_start = check_int(field(meta, "t_record_start"), "t_record_start", low=0, high=t)
    mon_start = check_int(field(meta, "mon_start"), "mon_start", low=0, high=t)
    # state: the fresh network's arrays give the shapes and dtypes (ring: max delay + 1 slots), the
    # model's StateField specs the ranges
    state = {spec.name: adopt(e, "st_" + spec.name, getattr(net, spec.name)) for spec in net.state_fields}
    for spec in net.state_fields:
        if spec.dtype.kind != "f" and state[spec.name].size:
            low, high = spec.bounds(net, loading=True)
            named = f"[{low}, {spec.load_high_name}] = " if spec.load_high_name else ""
            _check_in(state[spec.name], "st_" + spec.name, low, high, named)
    state.update({attr: adopt(e, "st" + attr, getattr(net, attr)) for attr in ("_syn_key", "_lfsr_key",
                                                                              "_rec_mask")})
    check_binary_array(state["_rec_mask"], "st_rec_mask")
    spikes = SpikeEvents(e["st_sp_n"], e["st_sp_t"], n_neurons=n, dt=pop.dt, t_start=t_record_start, t_stop=t)
    net.monitor(e["st_mon_idx"])
    n_mon = net._mon_idx.shape[0]
    rows = t - mon_start  # the monitor holds one row per step since monitor() was called
    # the shape comes from the file's t: a zero-stride template, not an allocation of that size
    mon_v = (adopt(e, "st_mon_v", np.broadcast_to(np.float32(0), (rows, n_mon)))
             if n_mon and (rows or "st_mon_v" in e) else None)
    e.check_all_used()
    # commit (the network is new: nothing to roll back on an error above)
    for attr, a in state.items():
        setattr(net, attr, a)
    net.t = t
    if stp_state is not None:
        net._Q[:, STP_UV:] = stp_state
    net._t_record_start = t_record_start
    m = len(spikes)
    cap = max(net._sp_n.shape[0], 2 * m)
    net._sp_n = np.zeros(cap, dtype=np.int32)
    net._sp_t = np.zeros(cap, dtype=np.int32)
    net._sp_n[:m] = spikes.neurons
    net._sp_t[:m] = spikes.steps
    net._n_rec[0] = m
    net._mon_start = mon_start
    net._mon_chunks = [] if mon_v is None else [mon_v]
    return net


def model_meta(model: NeuronModel, arrays: dict[str, np.ndarray]) -> dict[str, Any] | None:
    """``meta["neuron"]`` of ``model`` (None for LIF, the format-1 default); its array parameters go to
    ``arrays`` as ``nm_<param>``."""
    if isinstance(model, LIF):
        return None
    scalars = {}
    for k, v in model.values.items():
        if isinstance(v, np.ndarray):
            arrays["nm_" + k] = v
        else:
            scalars[k] = v
    return {"model": model.name, "params": scalars}


def neuron_from(e: Entries, meta: dict[str, Any]) -> NeuronModel:
    """The neuron model of ``meta["neuron"]`` (LIF when absent: format 1), through its constructor."""
    spec = meta.get("neuron")
    if spec is None:
        return LIF()
    if not isinstance(spec, dict):
        raise ValueError(f"meta.neuron must be a JSON object or absent; got {type(spec).__name__}")
    check_known_keys(spec, "neuron", ("model", "params"))
    name = field(spec, "model", "meta.neuron")
    params = field(spec, "params", "meta.neuron")
    if not isinstance(params, dict):
        raise ValueError(f"meta.neuron.params must be a JSON object; got {type(params).__name__}")
    values = dict(params)
    missing = []
    for k in MODELS.get(name, LIF).param_specs if isinstance(name, str) else ():
        if "nm_" + k in e:
            if k in values:
                raise ValueError(f"neuron parameter {k} is given twice (meta and nm_{k})")
            values[k] = e["nm_" + k]
        elif k not in values:
            missing.append(k)
    model = model_from(name, values)
    if missing:  # saved files list every parameter: a missing one must not become the default silently
        raise ValueError(f"neuron parameter {missing[0]} is missing (meta.neuron.params or nm_{missing[0]})")
    return model


def _plasticity(meta: dict[str, Any], key: str, cls: Any) -> Any:
    """``cls(**meta[key])`` (STDP or Homeostasis) or None, with only the constructor's keywords."""
    spec = field(meta, key)
    if spec is None:
        return None
    if not isinstance(spec, dict):
        raise ValueError(f"meta.{key} must be a JSON object or null; got {type(spec).__name__}")
    check_known_keys(spec, key, tuple(cls().to_dict()))
    return cls(**spec)


_INPUT_KINDS = ("poisson", "bits", "current")


def _input_from(e: Entries, im: Any, i: int) -> Any:
    """Input ``i`` from its meta entry ``im`` and its arrays ``in{i}_*``, through its constructor."""
    where = f"inputs[{i}]"
    if not isinstance(im, dict):
        raise ValueError(f"meta.{where} must be a JSON object; got {type(im).__name__}")
    kind = check_choice(field(im, "kind", where), f"{where}.kind", _INPUT_KINDS)
    p = f"in{i}_"
    if kind == "poisson":
        inp = PoissonInput(e[p + "rates"], field(im, "amplitude", where), targets=e[p + "targets"], seed=0)
        inp.key = adopt(e, p + "key", inp.key)
        return inp
    if kind == "bits":
        return BitstreamInput(e[p + "packed"], field(im, "amplitude", where),
                              length=field(im, "length", where), targets=e[p + "targets"])
    return Current(e[p + "values"], targets=e.get(p + "targets"),
                   time_varying=field(im, "time_varying", where))
