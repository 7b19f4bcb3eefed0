"""Save / load a whole network, state included, as one ``.npz`` (private; re-exported).

Everything needed to continue bit for bit is stored: parameters, CSR arrays,
synapse signs, inputs (with their RNG keys), plasticity settings, the step
counter, membrane potentials, refractory counters, the delay ring buffer,
traces, adaptive thresholds, LFSR registers, RNG keys and recorded spikes.
Counter-based randomness means no generator state beyond keys and the step.
"""

from __future__ import annotations

import json
import os
from typing import Any

import numpy as np

from ._connectivity import Connectivity
from ._inputs import BinaryInput, BitstreamInput, Current, PoissonInput
from ._plasticity import STDP, Homeostasis
from ._population import Population

__all__ = ["save_network", "load_network"]

_FORMAT = 1


def _check_path(path: Any, mode: str) -> None:
    """``path`` must be a str, an ``os.PathLike`` or an open binary file (with ``write`` / ``read``)."""
    if isinstance(path, (str, os.PathLike)) or hasattr(path, mode):
        return
    raise TypeError(f"path must be a str, an os.PathLike or a binary file object; "
                    f"got {type(path).__name__} {path!r}")


def save_network(net: Any, path: Any) -> None:
    """Write ``net`` (a :class:`~sc_neurocore.network.Network`) to ``path`` (npz, no pickles).

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
    arrays.update(
        st_v=net.v, st_refr=net.refr, st_ring=net.ring, st_theta=net.theta, st_xpre=net.xpre,
        st_xpost=net.xpost, st_lfsr=net.lfsr, st_syn_key=net._syn_key,
        st_lfsr_key=net._lfsr_key, st_rec_mask=net._rec_mask, st_sp_n=net._sp_n[:m], st_sp_t=net._sp_t[:m],
        st_mon_idx=net._mon_idx,
    )
    if net._mon_chunks:
        arrays["st_mon_v"] = np.concatenate(net._mon_chunks)
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
    meta = {
        "format": _FORMAT,
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
    arrays["meta"] = np.array(json.dumps(meta))
    np.savez(path, **arrays)  # type: ignore[arg-type]


def load_network(path: Any) -> Any:
    """Rebuild a network saved by :func:`save_network`; continuing it equals never having stopped.

    Raises
    ------
    TypeError
        If ``path`` is not a str, ``os.PathLike`` or readable binary file object.
    ValueError
        If ``path`` is not an npz network file of the current format.
    """
    from ._simulate import Network

    _check_path(path, "read")
    try:
        loaded = np.load(path, allow_pickle=False)
    except (ValueError, OSError, EOFError) as exc:
        if isinstance(exc, FileNotFoundError):
            raise
        raise ValueError(f"path must be an npz network file saved by save_network; "
                         f"got {path!r} ({exc})") from exc
    if not isinstance(loaded, np.lib.npyio.NpzFile):
        raise ValueError(f"path must be an npz network file saved by save_network; got a plain .npy array in "
                         f"{path!r}")
    with loaded as z:
        d = {k: z[k] for k in z.files}
    try:
        meta = json.loads(str(d["meta"]))
    except (KeyError, ValueError) as exc:
        raise ValueError(f"path must be an npz network file saved by save_network (with a 'meta' entry); "
                         f"got {path!r}") from exc
    if not isinstance(meta, dict) or meta.get("format") != _FORMAT:
        got = meta.get("format") if isinstance(meta, dict) else meta
        raise ValueError(f"path must be a network file of format {_FORMAT}; got format {got!r}")
    pop = Population.from_arrays({k[4:]: v for k, v in d.items() if k.startswith("pop_")})
    conn = Connectivity._trusted(d["conn_indptr"], d["conn_indices"], d["conn_weights"], d["conn_delays"],
                                 int(d["conn_n_post"]))
    net = Network(pop, conn, synapse=meta["synapse"], w_scale=meta["w_scale"], lfsr_width=meta["lfsr_width"],
                  record=None)
    for i, im in enumerate(meta["inputs"]):
        p = f"in{i}_"
        inp: Any
        if im["kind"] == "poisson":
            inp = PoissonInput(d[p + "rates"], im["amplitude"], targets=d[p + "targets"], seed=0)
            inp.key = d[p + "key"]
        elif im["kind"] == "bits":
            inp = BitstreamInput(d[p + "packed"], im["amplitude"], length=im["length"],
                                 targets=d[p + "targets"])
        else:
            inp = Current(d[p + "values"], targets=d.get(p + "targets"), time_varying=im["time_varying"])
        net.add_input(inp)
    if meta["stdp"] is not None:
        net.set_stdp(STDP(**meta["stdp"]))
    if meta["homeostasis"] is not None:
        net.set_homeostasis(Homeostasis(**meta["homeostasis"]))
    net.t = int(meta["t"])
    net._t_record_start = int(meta["t_record_start"])
    net.v = d["st_v"].copy()
    net.refr = d["st_refr"].copy()
    net.ring = d["st_ring"].copy()
    net.theta = d["st_theta"].copy()
    net.xpre = d["st_xpre"].copy()
    net.xpost = d["st_xpost"].copy()
    net.lfsr = d["st_lfsr"].copy()
    net._syn_key = d["st_syn_key"].copy()
    net._lfsr_key = d["st_lfsr_key"].copy()
    net._rec_mask = d["st_rec_mask"].copy()
    sp_n, sp_t = d["st_sp_n"], d["st_sp_t"]
    cap = max(net._sp_n.shape[0], 2 * sp_n.shape[0])
    net._sp_n = np.zeros(cap, dtype=np.int32)
    net._sp_t = np.zeros(cap, dtype=np.int32)
    net._sp_n[: sp_n.shape[0]] = sp_n
    net._sp_t[: sp_t.shape[0]] = sp_t
    net._n_rec[0] = sp_n.shape[0]
    net._mon_idx = d["st_mon_idx"].copy()
    net._mon_start = int(meta["mon_start"])
    net._mon_chunks = [d["st_mon_v"].copy()] if "st_mon_v" in d else []
    return net
