"""Fuzz the loaders: hypothesis mutates the bytes, arrays and metadata of valid network and reservoir files.

Every mutated file must either raise a ``ValueError`` that names it or load an
object that passes :func:`check_network` / :func:`check_reservoir` (checks
written here, independently of the loaders) and then runs, saves and loads
again.  A broken file that loads can make the compiled kernel read or write
past an array's end, which may kill the interpreter; so the whole batch runs in
ONE subprocess (running this file as a script), which prints each case before
trying it: a crash fails the test with the offending case in its output.

The batch is ``FUZZ_CASES`` (600) cases, with a hypothesis seed fixed in CI and fresh
elsewhere (a failure prints the replay command,
``PYTHONPATH=. python tests/test_persistence_fuzz.py CASES SEED``); under
``NUMBA_DISABLE_JIT=1`` only 20 cases (every kernel runs as plain Python).
"""

from __future__ import annotations

import io
import json
import os
import sys
import warnings
import zipfile
from typing import Any

import numpy as np

FUZZ_CASES = 600
NOJIT = os.environ.get("NUMBA_DISABLE_JIT", "0") not in ("", "0")

# values that sit on or just past the edge of some valid range
_EDGES: tuple[Any, ...] = (0, 1, -1, 2, 3, 39, 40, 41, 127, 128, 255, 256, 1023, 1024, 32767, 32768, 10**6,
                           2**31 - 1, 2**31, -(2**31), 2**63 - 1, 0.5, -0.5, 1e30, -1e30, 3.5e38,
                           float("nan"), float("inf"), float("-inf"))
_JSON_VALUES: tuple[Any, ...] = (*_EDGES[:-3], 10**400, None, True, False, "", "lfsr", "x", [], [1, 2], {},
                                 {"a": 1})


def check_network(net: Any) -> None:
    """Invariants the simulation kernel relies on (plain numpy, independent of the loader)."""
    n = net.population.n
    c = net.connectivity
    nnz = c.indices.shape[0]
    assert c.indptr.dtype == np.int32 and c.indptr.shape == (n + 1,)
    assert c.indptr[0] == 0 and (c.indptr[1:] >= c.indptr[:-1]).all() and c.indptr[-1] == nnz
    assert c.weights.shape == (nnz,) and c.delays.shape == (nnz,)
    assert ((c.indices >= 0) & (c.indices < n)).all() and np.isfinite(c.weights).all()
    d_max = net.ring.shape[0] - 1
    assert net.ring.shape == (d_max + 1, n) and ((c.delays >= 1) & (c.delays <= d_max)).all()
    for a in (net.v, net.theta, net.xpre, net.xpost, net.ring):
        assert a.dtype == np.float32 and np.isfinite(a).all()
    for a in (net.v, net.theta, net.xpre, net.xpost, net.refr, net._rec_mask):
        assert a.shape == (n,)
    assert ((net.refr >= 0) & (net.refr <= net.population.hold_steps)).all()
    assert net.lfsr.shape == ((nnz,) if net.synapse == "lfsr" else (0,))
    if net.synapse == "lfsr":
        assert ((net.lfsr >= 1) & (net.lfsr < 2**net.lfsr_width)).all()
    assert ((net._mon_idx >= 0) & (net._mon_idx < n)).all()
    for inp in net.inputs:
        t = getattr(inp, "targets", None)
        assert t is None or ((t >= 0) & (t < n)).all()
    m = int(net._n_rec[0])
    assert m <= net._sp_n.shape[0] and ((net._sp_n[:m] >= 0) & (net._sp_n[:m] < n)).all()
    assert 0 <= net._t_record_start <= net.t < 2**31 - 10


def check_reservoir(res: Any) -> None:
    n = res.n_neurons
    c = res.connectivity
    assert c.indptr.shape == (n + 1,) and c.indptr[0] == 0 and (c.indptr[1:] >= c.indptr[:-1]).all()
    assert ((c.indices >= 0) & (c.indices < n)).all() and np.isfinite(c.weights).all()
    assert (c.delays >= 1).all() and res._theta.shape == (n,) and np.isfinite(res._theta).all()
    assert ((res.output_neurons >= 0) & (res.output_neurons < n)).all()


# ------------------------------------------------------------------ the worker (runs in the subprocess)


def _rezip(data: bytes, key: str, payload: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            dst.writestr(info.filename, payload if info.filename == key + ".npy" else src.read(info))
    return out.getvalue()


def _edit_array(a: np.ndarray, op: str, value: Any, frac: float) -> Any:
    i = min(int(frac * a.size), a.size - 1) if a.size else 0
    if op == "set" and a.size and a.dtype.kind in "biuf":
        b = a.copy().reshape(-1)
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            b[i] = np.asarray(value).astype(a.dtype) if not isinstance(value, (list, dict, str)) else 0
        return b.reshape(a.shape)
    if op == "fill" and a.dtype.kind in "biuf":
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return np.full_like(a, np.asarray(value).astype(a.dtype) if np.ndim(value) == 0 and
                                not isinstance(value, (str, type(None))) else 0)
    if op == "cut":
        return a.reshape(-1)[:i]
    if op == "grow":
        return np.concatenate([a.reshape(-1), a.reshape(-1)[:1].repeat(1 + int(frac * 5))])
    if op == "scalar":
        return a.reshape(-1)[0] if a.size else np.zeros(())
    if op == "2d":
        return a.reshape(1, -1)
    if op in ("int8", "int64", "uint64", "float16", "float64", "bool"):
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return a.astype(op) if a.dtype.kind in "biuf" else a
    if op == "text":
        return np.array("fuzz")
    if op == "object":
        return np.array([1, "fuzz"], dtype=object)
    return a


def _mutate(data: bytes, arrays: dict[str, np.ndarray], how: tuple[Any, ...]) -> bytes:
    from _persistence_cases import npz_bytes

    kind = how[0]
    if kind == "flip":  # raw bytes of the archive (usually caught by the CRC-32)
        b = bytearray(data)
        for frac, byte in how[1]:
            b[int(frac * (len(b) - 1))] = byte
        return bytes(b)
    if kind == "cut":
        return data[: int(how[1] * len(data))]
    keys = sorted(arrays)
    key = keys[int(how[1] * (len(keys) - 1))]
    if kind == "payload":  # bytes of one entry (npy header or data), with a valid CRC-32
        buf = io.BytesIO()
        np.save(buf, arrays[key], allow_pickle=False)
        b = bytearray(buf.getvalue())
        for frac, byte in how[2]:
            b[int(frac * (len(b) - 1))] = byte
        return _rezip(data, key, bytes(b))
    d = dict(arrays)
    if kind == "drop":
        del d[key]
    elif kind == "array":
        d[key] = _edit_array(d[key], how[2], how[3], how[4])
    elif kind == "meta":
        meta = json.loads(str(d["meta"]))
        target = meta
        if how[2] and isinstance(meta.get("inputs"), list) and meta["inputs"]:
            target = meta["inputs"][int(how[4] * (len(meta["inputs"]) - 1))]
        fields = sorted(target)
        name = fields[int(how[4] * (len(fields) - 1))] if fields else "x"
        if how[3] == "<drop>":
            target.pop(name, None)
        else:
            target[name] = how[3]
        d["meta"] = np.array(json.dumps(meta))
    return npz_bytes(d)


def _attempt(data: bytes, loader: str, prefix: str) -> bool:
    """Load ``data``; a ValueError must name the file, a loaded object must be valid and usable (True)."""
    from sc_neurocore.network import Reservoir, load_network

    f = io.BytesIO(data)
    f.name = "fuzz.npz"  # type: ignore[attr-defined]
    try:
        obj = load_network(f) if loader == "network" else Reservoir.load(f)
    except ValueError as exc:
        msg = str(exc)
        assert msg.startswith(prefix) or msg.startswith(f"path must be a {loader} file of format"), msg
        assert "'fuzz.npz'" in msg, msg
        return False
    if loader == "network":
        check_network(obj)
        obj.run(3)
        buf = io.BytesIO()
        obj.save(buf)
        buf.seek(0)
        assert load_network(buf).t == obj.t
    else:
        check_reservoir(obj)
        obj.simulate(np.ones((obj.n_inputs, 4), dtype=np.uint8))
    return True


def fuzz(cases: int, seed: int) -> None:
    from _persistence_cases import arrays_of, file_bytes, small_network, small_reservoir
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as hseed
    from hypothesis import strategies as st

    bases = [(file_bytes(small_network(s, n=40, steps=25)), "network") for s in ("deterministic", "lfsr", "bernoulli")]
    bases.append((file_bytes(small_network(n=40, steps=25, stp=True)), "network"))
    bases.append((file_bytes(small_reservoir()), "reservoir"))
    prefixes = {"network": "path must be an npz network file saved by save_network",
                "reservoir": "path must be a reservoir file written by Reservoir.save"}
    parsed = [arrays_of(b) for b, _ in bases]
    frac = st.floats(0.0, 1.0)
    pokes = st.lists(st.tuples(frac, st.integers(0, 255)), min_size=1, max_size=6)
    how = st.one_of(
        st.tuples(st.just("flip"), pokes),
        st.tuples(st.just("cut"), frac),
        st.tuples(st.just("payload"), frac, pokes),
        st.tuples(st.just("drop"), frac),
        st.tuples(st.just("array"), frac,
                  st.sampled_from(["set", "set", "set", "fill", "cut", "grow", "scalar", "2d", "int8", "int64",
                                   "uint64", "float16", "float64", "bool", "text", "object"]),
                  st.sampled_from(_EDGES), frac),
        st.tuples(st.just("meta"), frac, st.booleans(), st.sampled_from((*_JSON_VALUES, "<drop>")), frac),
    )
    count = [0, 0]  # cases, of which loaded

    @hseed(seed)
    # no shrinking: the failing case is printed as generated (shrinking many distinct errors took > 5 min)
    @settings(max_examples=cases, database=None, deadline=None, derandomize=False,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(base=st.integers(0, len(bases) - 1), how=how)
    def run(base: int, how: tuple[Any, ...]) -> None:
        count[0] += 1
        print(f"case {count[0]}: base {base} ({bases[base][1]}) mutation {how!r}", file=sys.stderr, flush=True)
        data = _mutate(bases[base][0], parsed[base], how)
        count[1] += _attempt(data, bases[base][1], prefixes[bases[base][1]])

    run()
    print(f"fuzzed {count[0]} cases, {count[1]} loaded", flush=True)


# ------------------------------------------------------------------ the test (runs the worker once)


def test_fuzzed_files_raise_or_load_valid_networks() -> None:
    from _fuzz_batch import run_batch  # here, not at the top: the batch script itself does not need it

    run_batch(__file__, 20 if NOJIT else FUZZ_CASES)


if __name__ == "__main__":
    fuzz(int(sys.argv[1]), int(sys.argv[2]))
