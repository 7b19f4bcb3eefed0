"""Save files are untrusted input: every malformed network or reservoir file gives a ValueError naming it.

Each case below edits one array, one metadata field or the bytes of a valid
file written by ``save`` and checks the exact complaint; none may load (a
loaded broken file lets the simulation kernel read or write past an array's
end).  The random version of these cases is ``test_persistence_fuzz.py``.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from _persistence_cases import arrays_of, file_bytes, npz_bytes, small_network, small_reservoir

from sc_neurocore.network import Reservoir, load_network

Arrays = dict[str, Any]

_NET: dict[str, bytes] = {}


def _valid(synapse: str = "deterministic") -> bytes:
    if synapse not in _NET:
        _NET[synapse] = file_bytes(small_network(synapse))
    return _NET[synapse]


def _meta(**changes: Any) -> Callable[[Arrays], None]:
    def edit(d: Arrays) -> None:
        meta = json.loads(str(d["meta"]))
        meta.update(changes)
        d["meta"] = np.array(json.dumps(meta))
    return edit


def _set(key: str, index: Any, value: Any) -> Callable[[Arrays], None]:
    def edit(d: Arrays) -> None:
        a = d[key].copy()
        a[index] = value
        d[key] = a
    return edit


def _replace(key: str, value: Callable[[np.ndarray], Any]) -> Callable[[Arrays], None]:
    def edit(d: Arrays) -> None:
        d[key] = value(d[key])
    return edit


def _drop(key: str) -> Callable[[Arrays], None]:
    def edit(d: Arrays) -> None:
        del d[key]
    return edit


def _indptr_down(d: Arrays) -> None:
    p = d["conn_indptr"].copy()
    p[10] = p[-1]  # row 10 ends before it starts
    assert p[11] < p[10]
    d["conn_indptr"] = p


def _indptr_down_uint64(d: Arrays) -> None:
    _indptr_down(d)
    d["conn_indptr"] = d["conn_indptr"].astype(np.uint64)  # np.diff of uint64 wraps: a decrease looks huge


# (id, synapse mode, edit of the arrays, expected message after "got '<file>': ")
NETWORK_CASES: list[tuple[str, str, Callable[[Arrays], None], str]] = [
    ("weights_all_nan", "deterministic", _replace("conn_weights", lambda w: np.full_like(w, np.nan)),
     r"weights must be finite; got nan at index 0"),
    ("potentials_5_for_300", "deterministic", _replace("st_v", lambda v: v[:5]),
     r"st_v must have shape \(300,\) and dtype float32; got shape \(5,\) dtype float32"),
    ("delays_all_zero", "deterministic", _replace("conn_delays", np.zeros_like),
     r"delays must be in \[1, 32767\] steps; got 0"),
    ("synapse_target_1e6", "deterministic", _set("conn_indices", 7, 10**6),
     r"indices must be in \[0, 299\]; got 1000000"),
    ("indptr_decreasing", "deterministic", _indptr_down,
     r"indptr must start at 0 and be non-decreasing; got an invalid row pointer"),
    ("indptr_decreasing_uint64", "deterministic", _indptr_down_uint64,
     r"indptr must start at 0 and be non-decreasing; got an invalid row pointer"),
    ("ring_too_short", "deterministic", _replace("st_ring", lambda r: r[:2]),
     r"st_ring must have shape \(5, 300\) and dtype float32; got shape \(2, 300\) dtype float32"),
    ("potential_nan", "deterministic", _set("st_v", 4, np.nan), r"st_v must be finite; got nan at index \(4,\)"),
    ("refractory_counter_negative", "deterministic", _set("st_refr", 3, -1),
     r"st_refr must be in \[0, hold_steps\] = \[0, 2\]; got -1 at index 3"),
    ("refractory_counter_1e6", "deterministic", _set("st_refr", 3, 10**6),
     r"st_refr must be in \[0, hold_steps\] = \[0, 2\]; got 1000000 at index 3"),
    ("lfsr_state_zero", "lfsr", _set("st_lfsr", 9, 0), r"st_lfsr must be in \[1, 1023\]; got 0 at index 9"),
    ("lfsr_states_missing", "lfsr", _replace("st_lfsr", lambda s: s[:10]),
     r"st_lfsr must have shape \(1200,\) and dtype uint32; got shape \(10,\) dtype uint32"),
    ("monitor_index_1e6", "deterministic", _set("st_mon_idx", 1, 10**6),
     r"neurons must be in \[0, 299\]; got 1000000"),
    ("monitor_rows", "deterministic", _replace("st_mon_v", lambda v: v[:3]),
     r"st_mon_v must have shape \(40, 3\) and dtype float32; got shape \(3, 3\) dtype float32"),
    ("recorded_neuron_1e6", "deterministic", _set("st_sp_n", 0, 10**6),
     r"neurons must be in \[0, 299\]; got 1000000"),
    ("recorded_step_after_t", "deterministic", _set("st_sp_t", -1, 40),
     r"steps must be in \[t_start, t_stop\) = \[0, 40\); got 40"),
    ("record_mask_not_binary", "deterministic", _set("st_rec_mask", 0, 7),
     r"st_rec_mask must contain only 0 and 1; got 7 at index \(0,\)"),
    ("poisson_key_shape", "deterministic", _replace("in0_key", lambda k: k[:1]),
     r"in0_key must have shape \(2,\) and dtype uint64; got shape \(1,\) dtype uint64"),
    ("poisson_target_1e6", "deterministic", _set("in0_targets", 0, 10**6),
     r"targets must be in \[0, 299\]; got 1000000"),
    ("population_size_array", "deterministic", _replace("pop_n", lambda n: np.array([300, 300])),
     r"pop_n must be 0-dimensional; got shape \(2,\)"),
    ("population_size_float", "deterministic", _replace("pop_n", lambda n: np.array(300.5)),
     r"n must be an integer; got float64 np.float64\(300.5\)"),
    ("population_size_mismatch", "deterministic", _replace("pop_n", lambda n: np.array(5)),
     r"v_rest must be a scalar or have shape \(5,\); got shape \(300,\)"),
    ("state_dtype", "deterministic", _replace("st_theta", lambda a: a.astype(np.float64)),
     r"st_theta must have shape \(300,\) and dtype float32; got shape \(300,\) dtype float64"),
    ("missing_weights", "deterministic", _drop("conn_weights"), r"missing entry conn_weights"),
    ("unexpected_entry", "deterministic", lambda d: d.update(in9_values=np.zeros(3)),
     r"unexpected entry in9_values"),
    ("pickled_object", "deterministic", _replace("st_v", lambda v: np.array([1, "a"], dtype=object)),
     r"entry st_v holds Python objects \(dtype object\), which are never unpickled"),
    ("step_negative", "deterministic", _meta(t=-3), r"t must be an integer in \[0, 2147483647\]; got -3"),
    ("record_start_after_t", "deterministic", _meta(t_record_start=41),
     r"t_record_start must be an integer in \[0, 40\]; got 41"),
    ("scale_beyond_float", "deterministic", _meta(w_scale=10**400),
     r"w_scale must be finite; got an integer of 1329 bits"),
    ("synapse_mode_number", "deterministic", _meta(synapse=5),
     r"synapse must be one of 'deterministic', 'bernoulli', 'lfsr'; got 5"),
    ("meta_missing_field", "deterministic",
     lambda d: d.update(meta=np.array(json.dumps({k: v for k, v in json.loads(str(d["meta"])).items()
                                                  if k != "inputs"}))),
     r"meta has no field 'inputs'"),
    ("meta_not_json", "deterministic", lambda d: d.update(meta=np.array("{not json")),
     r"meta is not a JSON object"),
    ("input_kind_unknown", "deterministic",
     lambda d: _meta(inputs=[{"kind": "laser"}] + json.loads(str(d["meta"]))["inputs"][1:])(d),
     r"inputs\[0\].kind must be one of 'poisson', 'bits', 'current'; got 'laser'"),
    ("stdp_unknown_field", "deterministic", _meta(stdp={"tau_plus": 2.0, "gain": 3.0}),
     r"stdp has unknown key\(s\) 'gain'"),
]


@pytest.mark.parametrize(("name", "synapse", "edit", "match"), NETWORK_CASES, ids=[c[0] for c in NETWORK_CASES])
def test_malformed_network_file_raises(tmp_path: Path, name: str, synapse: str,
                                       edit: Callable[[Arrays], None], match: str) -> None:
    d = arrays_of(_valid(synapse))
    edit(d)
    path = tmp_path / "bad.npz"
    path.write_bytes(npz_bytes(d))
    with pytest.raises(ValueError, match=r"path must be an npz network file saved by save_network; got "
                                         r"'[^']*bad\.npz': " + match):
        load_network(path)


def test_newer_format_is_rejected_clearly(tmp_path: Path) -> None:
    for data, load, kind, current in ((_valid(), load_network, "network", 3),
                                      (_valid_reservoir(), Reservoir.load, "reservoir", 1)):
        d = arrays_of(data)
        _meta(format=current + 1)(d)
        path = tmp_path / "new.npz"
        path.write_bytes(npz_bytes(d))
        with pytest.raises(ValueError, match=rf"path must be a {kind} file of format <= {current}; got "
                                             rf"'[^']*new\.npz' of format {current + 1}, written by a newer "
                                             r"sc_neurocore \(upgrade to read it\)"):
            load(path)


def _member_data_offset(data: bytes, key: str) -> int:
    """Offset in the archive of the first array byte of member ``key``.npy (stored uncompressed)."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        info = zf.getinfo(key + ".npy")
        with zf.open(info) as f:
            np.lib.format.read_magic(f)
            np.lib.format.read_array_header_1_0(f)
            header = f.tell()
    local = data[info.header_offset: info.header_offset + 30]
    name_len = int.from_bytes(local[26:28], "little")
    extra_len = int.from_bytes(local[28:30], "little")
    return info.header_offset + 30 + name_len + extra_len + header


def test_truncated_network_file_raises(tmp_path: Path) -> None:
    data = _valid()
    for cut in (len(data) // 2, len(data) - 10, 100, 0):
        path = tmp_path / "cut.npz"
        path.write_bytes(data[:cut])
        with pytest.raises(ValueError, match=r"path must be an npz network file saved by save_network; got "
                                             r"'[^']*cut\.npz', which is not a readable npz archive \("):
            load_network(path)


def test_byte_corrupted_network_file_raises(tmp_path: Path) -> None:
    data = bytearray(_valid())
    at = _member_data_offset(bytes(data), "conn_weights")
    data[at + 100: at + 104] = b"\xff\xff\xff\xff"  # a NaN weight, but the member's CRC-32 no longer matches
    path = tmp_path / "flip.npz"
    path.write_bytes(bytes(data))
    with pytest.raises(ValueError, match=r"got '[^']*flip\.npz', which is not a readable npz archive "
                                         r"\(BadZipFile: Bad CRC-32 for file 'conn_weights\.npy'\)"):
        load_network(path)


def _with_member(data: bytes, key: str, payload: bytes) -> bytes:
    """``data`` with member ``key``.npy replaced by raw ``payload`` (CRC recomputed by zipfile)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            dst.writestr(info.filename, payload if info.filename == key + ".npy" else src.read(info))
    return out.getvalue()


def test_header_declaring_a_huge_array_raises_without_allocating(tmp_path: Path) -> None:
    buf = io.BytesIO()
    np.lib.format.write_array_header_1_0(buf, {"descr": "<f8", "fortran_order": False, "shape": (2**45,)})
    path = tmp_path / "huge.npz"
    path.write_bytes(_with_member(_valid(), "st_xpre", buf.getvalue() + b"\0" * 64))
    with pytest.raises(ValueError, match=r"got '[^']*huge\.npz': entry st_xpre declares shape \(35184372088832,\) "
                                         r"of float64 \(281474976710656 bytes\) but holds 64 bytes"):
        load_network(path)


def test_compressed_member_raises(tmp_path: Path) -> None:
    # deflated members could expand far beyond the file's size; save_network never compresses
    path = tmp_path / "zipped.npz"
    np.savez_compressed(path, **arrays_of(_valid()))
    with pytest.raises(ValueError, match=r"got '[^']*zipped\.npz': entry pop_n is compressed; save_network "
                                         r"writes uncompressed entries"):
        load_network(path)


def test_save_without_suffix_round_trips(tmp_path: Path) -> None:
    net = small_network(n=40, steps=15)
    path = str(tmp_path / "x")
    net.save(path)
    back = load_network(path)
    assert not (tmp_path / "x.npz").exists()
    assert back.t == net.t
    np.testing.assert_array_equal(back.v, net.v)
    r = small_reservoir()
    r.save(str(tmp_path / "r"))
    np.testing.assert_array_equal(Reservoir.load(str(tmp_path / "r")).connectivity.weights, r.connectivity.weights)


def test_loaded_file_runs_like_the_original(tmp_path: Path) -> None:
    # the checks accept what save wrote, in every synapse mode
    for synapse in ("deterministic", "bernoulli", "lfsr"):
        path = tmp_path / f"{synapse}.npz"
        path.write_bytes(_valid(synapse))
        a, b = small_network(synapse), load_network(path)
        ea, eb = a.run(15), b.run(15)
        np.testing.assert_array_equal(ea.neurons, eb.neurons)
        np.testing.assert_array_equal(ea.steps, eb.steps)
        np.testing.assert_array_equal(a.v_trace.v, b.v_trace.v)


# ------------------------------------------------------------------ Reservoir.load

_RES: list[bytes] = []


def _valid_reservoir() -> bytes:
    if not _RES:
        _RES.append(file_bytes(small_reservoir()))
    return _RES[0]


RESERVOIR_CASES: list[tuple[str, Callable[[Arrays], None], str]] = [
    ("theta_5_for_40", _replace("theta", lambda t: t[:5]),
     r"theta must have shape \(40,\) and dtype float32; got shape \(5,\) dtype float32"),
    ("theta_nan", _set("theta", 2, np.nan), r"theta must be finite; got nan at index \(2,\)"),
    ("synapse_target_1e6", _set("indices", 3, 10**6), r"indices must be in \[0, 39\]; got 1000000"),
    ("delays_all_zero", _replace("delays", np.zeros_like), r"delays must be in \[1, 32767\] steps; got 0"),
    ("weights_all_nan", _replace("weights", lambda w: np.full_like(w, np.nan)),
     r"weights must be finite; got nan at index 0"),
    ("indptr_decreasing_uint64", lambda d: d.update(indptr=np.r_[d["indptr"][:5], d["indptr"][4] - 1,
                                                                 d["indptr"][6:]].astype(np.uint64)),
     r"indptr must start at 0 and be non-decreasing; got an invalid row pointer"),
    ("output_neuron_1e6", _set("output_neurons", 0, 10**6), r"output_neurons must be in \[0, 39\]; got 1000000"),
    ("missing_meta_field", lambda d: d.update(meta=np.array(json.dumps(
        {k: v for k, v in json.loads(str(d["meta"])).items() if k != "n_inputs"}))),
     r"meta has no field 'n_inputs'"),
    ("pickled_object", _replace("v_init", lambda v: np.array([None, 1], dtype=object)),
     r"entry v_init holds Python objects \(dtype object\), which are never unpickled"),
    ("meta_number_as_text", _meta(n_inputs="4"), r"n_inputs must be an integer; got str '4'"),
]


@pytest.mark.parametrize(("name", "edit", "match"), RESERVOIR_CASES, ids=[c[0] for c in RESERVOIR_CASES])
def test_malformed_reservoir_file_raises(tmp_path: Path, name: str, edit: Callable[[Arrays], None],
                                         match: str) -> None:
    d = arrays_of(_valid_reservoir())
    edit(d)
    path = tmp_path / "bad.npz"
    path.write_bytes(npz_bytes(d))
    with pytest.raises(ValueError, match=r"path must be a reservoir file written by Reservoir.save; got "
                                         r"'[^']*bad\.npz': " + match):
        Reservoir.load(path)


def test_truncated_reservoir_file_raises(tmp_path: Path) -> None:
    path = tmp_path / "cut.npz"
    path.write_bytes(_valid_reservoir()[:-40])
    with pytest.raises(ValueError, match=r"path must be a reservoir file written by Reservoir.save; got "
                                         r"'[^']*cut\.npz', which is not a readable npz archive \("):
        Reservoir.load(path)
