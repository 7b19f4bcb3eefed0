"""EventDrivenNetwork checkpoints: run(T) == run(T/2); save; load; run(T/2) bit for bit (pending
events in the queue included), periodic checkpoints keeping the last k, and malformed files.

The fuzz test mutates the bytes, arrays and metadata of valid files (as tests/test_persistence_fuzz.py
does for Network, with its mutation helpers) in ONE subprocess, so that a loader bug that lets the
compiled kernel read past an array cannot kill pytest: every mutated file must raise a ValueError
naming it, or load a network that passes :func:`check_event_network` (written here, independently of
the loader) and then runs, saves and loads again.  ``FUZZ_CASES`` (200) cases, 20 without JIT;
replay a failure with ``PYTHONPATH=. python tests/test_event_driven_checkpoint.py CASES SEED``.
"""

from __future__ import annotations

import io
import json
import os
import sys
from typing import Any

import numpy as np
import pytest
from conftest import NOJIT

from sc_neurocore._kernels import _event as K
from sc_neurocore.network import (
    STDP,
    BinaryInput,
    Current,
    EventDrivenNetwork,
    PoissonInput,
    Population,
    ei_weights,
    erdos_renyi,
)

FUZZ_CASES = 200
PREFIX = "path must be an npz event-driven network file saved by EventDrivenNetwork.save"


def build(synapse: str = "deterministic", *, uniform: bool = False, stdp: bool = False, tv: bool = False,
          n: int = 60, seed: int = 3) -> EventDrivenNetwork:
    """A recurrent E/I network with Poisson input, explicit events and (optionally) SC synapses, STDP and a
    time-varying current plus a bit matrix running across the checkpoint."""
    pop = Population(n, tau_m=20.0, refractory=2.0, threshold=1.0, v_reset=0.0, dt=0.1, n_exc=int(0.8 * n))
    conn = erdos_renyi(n, 0.2, weight=ei_weights(n, pop.n_exc, 0.2, 0.4), delay=15, seed=seed)
    delays = None if uniform else np.random.default_rng(seed).uniform(0.5, 3.0, conn.nnz)
    net = EventDrivenNetwork(pop, conn, delays_ms=delays, i_ext=0.045, synapse=synapse, seed=seed + 1)
    net.add_input(PoissonInput(50.0, 0.3, n=n, seed=seed + 2))
    net.add_events([5.0, 120.0, 150.0, 150.0], [1, 2, 3, 4], [2.0, 2.0, 0.5, 2.0])
    if stdp:
        net.set_stdp(STDP(A_plus=0.01, A_minus=0.012, W_max=0.4))
    if tv:
        rng = np.random.default_rng(seed)
        net.add_input(Current(rng.uniform(0.0, 0.03, (1500, n))))
        net.add_input(BinaryInput((rng.random((10, 1800)) < 0.01).astype(np.uint8), 0.4))
    return net


def _reload(net: EventDrivenNetwork) -> EventDrivenNetwork:
    f = io.BytesIO()
    net.save(f)
    f.seek(0)
    return EventDrivenNetwork.load(f)


CONFIGS = [("deterministic", True, False, False), ("deterministic", False, False, False),
           ("bernoulli", False, False, False), ("lfsr", True, False, False), ("deterministic", False, True, False),
           ("bernoulli", True, True, False), ("deterministic", False, False, True), ("lfsr", False, True, True)]


@pytest.mark.parametrize("synapse,uniform,stdp,tv", CONFIGS)
def test_resume_from_file_equals_one_run(synapse: str, uniform: bool, stdp: bool, tv: bool) -> None:
    whole = build(synapse, uniform=uniform, stdp=stdp, tv=tv)
    ref = whole.run(200.0)
    half = build(synapse, uniform=uniform, stdp=stdp, tv=tv)
    first = half.run(100.0)
    # the checkpoint is taken with events pending: deliveries, Poisson spikes, self-crossings, explicit events
    keys = half._h[: int(half._heap_n[0]), 1].astype(np.int64) >> K.KIND_SHIFT
    assert {K.KIND_POIS, K.KIND_DELIV} <= set(keys.tolist())
    assert half._ext_t.shape[0] - int(half._ext_pos[0]) >= 3
    assert not tv or 0 < int(half._chg_pos[0]) < half._chg_t.shape[0]
    resumed = _reload(half)
    second = resumed.run(100.0)
    np.testing.assert_array_equal(np.concatenate([first.times_ms, second.times_ms]), ref.times_ms)
    np.testing.assert_array_equal(np.concatenate([first.neurons, second.neurons]), ref.neurons)
    assert len(ref) > 500
    np.testing.assert_array_equal(resumed.potentials(), whole.potentials())
    np.testing.assert_array_equal(resumed.weights, whole.weights)
    np.testing.assert_array_equal(resumed.spikes.times_ms, whole.spikes.times_ms)
    counters = ("rounds", "heap_pops", "synaptic_events", "accepted_inputs", "spikes", "transmitted")
    assert [resumed.statistics()[k] for k in counters] == [whole.statistics()[k] for k in counters]
    if stdp:
        assert not np.array_equal(whole.weights, build(synapse, uniform=uniform).weights)  # STDP acted


def test_saved_file_round_trips_parameters(tmp_path: Any) -> None:
    net = build("lfsr", stdp=False)
    net.run(10.0)
    net.save(tmp_path / "a.npz")
    back = EventDrivenNetwork.load(tmp_path / "a.npz")
    assert (back.synapse, back.w_scale, back.lfsr_width, back.t, back.n) == ("lfsr", net.w_scale, 16, 10.0, 60)
    np.testing.assert_array_equal(back.delays_ms, net.delays_ms)
    np.testing.assert_array_equal(back.i_ext, net.i_ext)
    np.testing.assert_array_equal(back.connectivity.indices, net.connectivity.indices)


def test_periodic_checkpoints_keep_the_last_k(tmp_path: Any) -> None:
    ref = build().run(100.0)
    net = build()
    sp = net.run(100.0, checkpoint_every=30.0, checkpoint_dir=tmp_path, keep=2)
    np.testing.assert_array_equal(sp.times_ms, ref.times_ms)
    np.testing.assert_array_equal(sp.neurons, ref.neurons)
    # checkpoints at 30, 60, 90 and 100 ms: indices 0..3, the last two kept
    assert sorted(os.listdir(tmp_path)) == ["checkpoint_000000002.npz", "checkpoint_000000003.npz"]
    at90 = EventDrivenNetwork.load(tmp_path / "checkpoint_000000002.npz")
    assert at90.t == 90.0
    tail = at90.run(10.0)
    late = ref.times_ms >= 90.0
    np.testing.assert_array_equal(tail.times_ms, ref.times_ms[late])
    np.testing.assert_array_equal(tail.neurons, ref.neurons[late])
    assert EventDrivenNetwork.load(tmp_path / "checkpoint_000000003.npz").t == 100.0
    # a later run continues the numbering
    net.run(5.0, checkpoint_every=5.0, checkpoint_dir=tmp_path, keep=1)
    assert os.listdir(tmp_path) == ["checkpoint_000000004.npz"]


def test_checkpoint_arguments(tmp_path: Any) -> None:
    net = build()
    with pytest.raises(ValueError, match="checkpoint_every and checkpoint_dir must be given together"):
        net.run(1.0, checkpoint_every=1.0)
    with pytest.raises(ValueError, match="checkpoint_dir must be an existing directory; got"):
        net.run(1.0, checkpoint_every=1.0, checkpoint_dir=tmp_path / "nope")
    with pytest.raises(ValueError, match=r"keep must be an integer in \[1, inf\]; got 0"):
        net.run(1.0, checkpoint_every=1.0, checkpoint_dir=tmp_path, keep=0)
    with pytest.raises(ValueError, match="checkpoint_every must be"):
        net.run(1.0, checkpoint_every=-1.0, checkpoint_dir=tmp_path)
    assert net.t == 0.0 and os.listdir(tmp_path) == []


# --------------------------------------------------------------------------- malformed files


def _arrays(net: EventDrivenNetwork) -> dict[str, np.ndarray]:
    f = io.BytesIO()
    net.save(f)
    f.seek(0)
    with np.load(f) as z:
        return {k: z[k] for k in z.files}


def _load(arrays: dict[str, Any]) -> EventDrivenNetwork:
    f = io.BytesIO()
    np.savez(f, **arrays)
    f.seek(0)
    f.name = "bad.npz"  # type: ignore[attr-defined]
    return EventDrivenNetwork.load(f)


def _edit(key: str, fn: Any) -> Any:
    def go(a: dict[str, np.ndarray]) -> None:
        a[key] = fn(a[key].copy())
    return go


def _set(key: str, index: Any, value: Any) -> Any:
    def fn(x: np.ndarray) -> np.ndarray:
        x[index] = value
        return x
    return _edit(key, fn)


def _meta(field: str, value: Any) -> Any:
    def go(a: dict[str, np.ndarray]) -> None:
        m = json.loads(str(a["meta"]))
        m[field] = value
        a["meta"] = np.array(json.dumps(m))
    return go


BAD = [
    (_set("st_v", 3, np.nan), r"st_v must be finite; got nan at index \(3,\)"),
    (_set("st_tspk", 0, 1e9), "st_tspk must be -inf or finite and <= t"),
    (_set("st_tupd", 0, 1e9), "st_tupd must be finite and <= t \\+ refractory"),
    (_set("st_ver", 1, 0.5), "st_ver must be an integer in"),
    (_set("st_heap", (0, 0), 1.0), "st_heap must be made of event times >= t = 100.0"),
    (_set("st_heap", (0, 1), float((3 << K.KIND_SHIFT) + 10**6)), "st_heap must be keys of neurons < 60"),
    (_set("st_heap", (0, 1), 0.5), "st_heap must be made of integer keys"),
    (_set("st_heap", (0, 2), -1.0), "st_heap must be made of integer payloads"),
    (_set("st_heap", (1, 0), 1e6), "st_heap must be a binary heap ordered by"),
    (_set("st_lfsr", 0, 0), "st_lfsr must be in \\[1, 2\\^16 - 1\\]"),
    (_set("st_out_i", 0, 60), "st_out_i must be in \\[0, 59\\]"),
    (_set("st_p_count", 0, -1), "st_p_count must be >= 0"),
    (_set("st_ext_t", 0, 1.0), "times_ms must be >= the current time 100.0"),
    (_edit("st_nspk", lambda x: x[:5]), "st_nspk must have shape \\(60,\\)"),
    (_edit("st_heap", lambda x: x[:, :2]), "st_heap must have shape \\(m, 3\\)"),
    (_edit("conn_indices", lambda x: x + 1000), "indices must be in"),
    (_edit("delays_ms", lambda x: -x), r"delays_ms must be in \[0.0, inf\); got -1.5"),
    (_meta("format", 3), "path must be a event-driven network file of format <= 2; got 'bad.npz' of format 3"),
    (_meta("synapse", "magic"), "synapse must be one of"),
    (_meta("n_poisson", 5), "missing entry in1_rates"),
    (_meta("stdp", {"tau_plus": -1.0}), "tau_plus must be"),
    (lambda a: a.pop("st_traces"), "missing entry st_traces"),
    (lambda a: a.update(extra=np.zeros(1)), "unexpected entry extra"),
]


@pytest.mark.parametrize("mutate,match", BAD)
def test_malformed_file_raises_naming_it(mutate: Any, match: str) -> None:
    net = build("lfsr", uniform=True)
    net.run(100.0)
    arrays = _arrays(net)
    mutate(arrays)
    with pytest.raises(ValueError, match=match) as info:
        _load(arrays)
    assert "'bad.npz'" in str(info.value)


def test_truncated_and_foreign_files(tmp_path: Any) -> None:
    net = build()
    net.save(tmp_path / "ok.npz")
    data = (tmp_path / "ok.npz").read_bytes()
    (tmp_path / "cut.npz").write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match=f"{PREFIX}; got '.*cut.npz', which is not a readable npz archive"):
        EventDrivenNetwork.load(tmp_path / "cut.npz")
    np.save(tmp_path / "plain.npy", np.zeros(3))
    with pytest.raises(ValueError, match=f"{PREFIX}; got a plain .npy array in '.*plain.npy'"):
        EventDrivenNetwork.load(tmp_path / "plain.npy")
    with pytest.raises(TypeError, match="path must be a str, an os.PathLike or a binary file object; got int 3"):
        EventDrivenNetwork.load(3)


# --------------------------------------------------------------------------- fuzz


def check_event_network(net: EventDrivenNetwork) -> None:
    """Invariants the event kernel relies on (plain numpy, independent of the loader)."""
    n = net.n
    c = net.connectivity
    nnz = c.indices.shape[0]
    assert c.indptr.shape == (n + 1,) and c.indptr[0] == 0 and (np.diff(c.indptr) >= 0).all()
    assert c.indptr[-1] == nnz and ((c.indices >= 0) & (c.indices < n)).all() and np.isfinite(c.weights).all()
    assert net._weights.shape == (nnz,) and net._indices.shape == (nnz,)
    assert net._grp_start[-1] == nnz and (np.diff(net._grp_start) >= 0).all() and net._grp_ptr[-1] == net._grp_delay.size
    assert np.isfinite(net._S[:, [K.V, K.TUPD, K.VINF, K.TAU, K.THR, K.VER]]).all() and np.isnan(net._S[:, K.ACC]).all()
    hn = int(net._heap_n[0])
    h = net._h[:hn]
    assert hn <= net._h.shape[0] and not np.isnan(h).any() and (h[:, 0] >= net.t).all()
    kind = h[:, 1].astype(np.int64) >> K.KIND_SHIFT
    idx = h[:, 1].astype(np.int64) & ((1 << K.KIND_SHIFT) - 1)
    assert ((kind == K.KIND_SELF) | (kind == K.KIND_POIS) | (kind == K.KIND_DELIV)).all()
    assert (idx[kind == K.KIND_SELF] < n).all() and (idx[kind == K.KIND_DELIV] < net._grp_delay.size).all()
    assert (idx[kind == K.KIND_POIS] < net._p_target.size).all()
    assert ((net._p_target >= 0) & (net._p_target < n)).all() and net._p_count.shape == net._p_target.shape
    assert net._nspk.shape == (n,) and (net._nspk >= 0).all()
    if net.synapse == "lfsr":
        assert net._lfsr.shape == (nnz,) and ((net._lfsr >= 1) & (net._lfsr < 2**net.lfsr_width)).all()
        assert ((net._syn_id >= 0) & (net._syn_id < nnz)).all()
    if net.stdp is not None:
        assert net._traces.shape == (n, 3) and net._in_ptr[-1] == nnz
    m = int(net._n_out[0])
    assert ((net._out_i[:m] >= 0) & (net._out_i[:m] < n)).all()


def _attempt(data: bytes) -> bool:
    f = io.BytesIO(data)
    f.name = "fuzz.npz"  # type: ignore[attr-defined]
    try:
        net = EventDrivenNetwork.load(f)
    except ValueError as exc:
        msg = str(exc)
        assert msg.startswith(PREFIX) or msg.startswith("path must be a event-driven network file of format"), msg
        assert "'fuzz.npz'" in msg, msg
        return False
    check_event_network(net)
    net.run(3.0)
    assert _reload(net).t == net.t
    return True


def fuzz(cases: int, seed: int) -> None:
    from _persistence_cases import arrays_of
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as hseed
    from hypothesis import strategies as st
    from test_persistence_fuzz import _EDGES, _JSON_VALUES, _mutate

    bases = []
    for synapse, stdp in (("deterministic", False), ("lfsr", True)):
        net = build(synapse, stdp=stdp, tv=stdp, n=20)
        net.run(60.0)
        f = io.BytesIO()
        net.save(f)
        bases.append(f.getvalue())
    parsed = [arrays_of(b) for b in bases]
    frac = st.floats(0.0, 1.0)
    pokes = st.lists(st.tuples(frac, st.integers(0, 255)), min_size=1, max_size=6)
    how = st.one_of(
        st.tuples(st.just("flip"), pokes),
        st.tuples(st.just("cut"), frac),
        st.tuples(st.just("payload"), frac, pokes),
        st.tuples(st.just("drop"), frac),
        st.tuples(st.just("array"), frac,
                  st.sampled_from(["set", "set", "set", "set", "fill", "cut", "grow", "scalar", "2d", "int64",
                                   "float64", "bool", "text"]),
                  st.sampled_from(_EDGES), frac),
        st.tuples(st.just("meta"), frac, st.just(False), st.sampled_from((*_JSON_VALUES, "<drop>")), frac),
    )
    count = [0, 0]

    @hseed(seed)
    @settings(max_examples=cases, database=None, deadline=None, derandomize=False,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(base=st.integers(0, len(bases) - 1), how=how)
    def run(base: int, how: tuple[Any, ...]) -> None:
        count[0] += 1
        print(f"case {count[0]}: base {base} mutation {how!r}", file=sys.stderr, flush=True)
        count[1] += _attempt(_mutate(bases[base], parsed[base], how))

    run()
    print(f"fuzzed {count[0]} cases, {count[1]} loaded", flush=True)


def test_fuzzed_files_raise_or_load_valid_networks() -> None:
    from _fuzz_batch import run_batch  # here, not at the top: the batch script itself does not need it

    run_batch(__file__, 20 if NOJIT else FUZZ_CASES)


if __name__ == "__main__":
    fuzz(int(sys.argv[1]), int(sys.argv[2]))
