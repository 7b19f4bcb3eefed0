"""Systematic bad-input sweep over the public API.

Every public function or class gets hostile values per parameter (NaN, +/-inf,
negative, zero, huge, wrong type, float where an int is required, empty or
wrongly shaped arrays, wrong dtypes, padding bits set, ...).  The contract:
a ``ValueError`` or ``TypeError`` whose message names the parameter, never a
silent clip, a NaN result, an ``OverflowError``/``IndexError``/numba typing
error from deep inside, or a huge allocation.  Valid edge inputs (p = 0 and
1, length 1/64/65, a single stream, non-contiguous or read-only arrays) must
keep working.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import hw_models as hw
import sc_neurocore as sc
import sc_neurocore.bitstream as bs
import sc_neurocore.network as net
from sc_neurocore._validation import MAX_COUNT

L = 100  # stream length used by the sweep (two words, 36 padding bits)


def _words() -> np.ndarray:
    """Two packed streams of length L (built without any kernel: deterministic bits)."""
    bits = (np.arange(2 * L).reshape(2, L) % 3 == 0).astype(np.uint8)
    out = np.zeros((2, 2), dtype=np.uint64)
    for s in range(2):
        for t in range(L):
            if bits[s, t]:
                out[s, t // 64] |= np.uint64(1) << np.uint64(t % 64)
    return out


def _any(x: Any) -> Any:
    """Pass a deliberately ill-typed argument past the static type checker."""
    return x


def _readonly(a: np.ndarray) -> np.ndarray:
    a = a.copy()
    a.setflags(write=False)
    return a


# --- hostile values, by name --------------------------------------------------
SCALARS: dict[str, Callable[[], Any]] = {
    "nan": lambda: float("nan"),
    "inf": lambda: float("inf"),
    "-inf": lambda: -float("inf"),
    "neg_int": lambda: -1,
    "neg_float": lambda: -0.5,
    "zero": lambda: 0,
    "huge_float": lambda: 1e30,
    "huge_int": lambda: 2**70,
    "str": lambda: "abc",
    "none": lambda: None,
    "list_of_str": lambda: ["a", "b"],
    "complex": lambda: 1 + 2j,
    "bool": lambda: True,
    "float_for_int": lambda: 3.5,
    "object_array": lambda: np.array([object()]),
}
WORDS: dict[str, Callable[[], Any]] = {
    "float_words": lambda: _words().astype(np.float64),
    "int64_words": lambda: _words().astype(np.int64),
    "padding_set": lambda: _words() | np.uint64(1 << 63),
    "empty_word_axis": lambda: np.zeros((2, 0), dtype=np.uint64),
    "zero_d": lambda: np.uint64(3),
    "too_few_words": lambda: _words()[:, :1],
    "too_many_words": lambda: np.concatenate([_words(), _words()], axis=1),
    "str": lambda: "abc",
    "none": lambda: None,
    "list_of_str": lambda: ["a", "b"],
}

# which hostile values each kind of parameter must reject
REAL_BAD = ["nan", "inf", "-inf", "str", "none", "list_of_str", "complex", "bool"]
KINDS: dict[str, list[str]] = {
    # probability (scalar or array) in [0, 1]
    "prob": REAL_BAD + ["neg_int", "neg_float", "huge_float", "huge_int", "object_array"],
    # int >= 1 (lengths, sizes)
    "int_pos": ["nan", "inf", "str", "none", "list_of_str", "complex", "bool", "float_for_int",
                "huge_float", "huge_int", "neg_int", "zero"],
    # int >= 0 (step counts, offsets)
    "int_nonneg": ["nan", "inf", "str", "none", "list_of_str", "complex", "bool", "float_for_int",
                   "huge_float", "huge_int", "neg_int"],
    # finite real > 0
    "real_pos": REAL_BAD + ["neg_int", "neg_float", "zero"],
    # any finite real
    "real": REAL_BAD,
    # a bool flag
    "bool": ["nan", "zero", "neg_int", "str", "float_for_int", "list_of_str"],
    # packed words with a known length
    "words_len": list(WORDS),
    # packed words without a length (padding cannot be checked)
    "words": ["float_words", "int64_words", "empty_word_axis", "zero_d", "str", "none", "list_of_str"],
}


def _meth(factory: Callable[[], Any], name: str) -> Callable[..., Any]:
    def call(**kw: Any) -> Any:
        return getattr(factory(), name)(**kw)

    return call


def _fib8() -> hw.FibonacciLFSR:
    return hw.FibonacciLFSR(8, seed=3)


def _hw_synapse(**kw: Any) -> hw.Synapse:
    return hw.Synapse(hw.SNG(hw.FibonacciLFSR(8, seed=3), 100), hw.SNG(hw.FibonacciLFSR(8, seed=7), 50), **kw)


W2 = _words
# (id, callable, baseline kwargs (values or zero-arg factories), {param: kind})
API: list[tuple[str, Callable[..., Any], dict[str, Any], dict[str, str]]] = [
    # --- bitstream encoders and helpers
    ("bernoulli", bs.bernoulli, dict(p=0.3, length=L, seed=1, stream_offset=0),
     dict(p="prob", length="int_pos", stream_offset="int_nonneg")),
    ("lfsr", bs.lfsr, dict(p=0.3, length=L, width=8, seed=1, zero_state=False),
     dict(p="prob", length="int_pos", width="int_pos", seed="int_pos", zero_state="bool")),
    ("lfsr_states", bs.lfsr_states, dict(length=L, width=8, seed=1, zero_state=False),
     dict(length="int_pos", width="int_pos", zero_state="bool")),
    ("sobol", bs.sobol, dict(p=0.3, length=L, dimension=1, skip=0),
     dict(p="prob", length="int_pos", dimension="int_nonneg", skip="int_nonneg")),
    ("sobol_points", bs.sobol_points, dict(length=L, dimension=1, skip=0),
     dict(length="int_pos", dimension="int_nonneg", skip="int_nonneg")),
    ("sobol_direction_numbers", bs.sobol_direction_numbers, dict(dimension=1), dict(dimension="int_nonneg")),
    ("to_bipolar", bs.to_bipolar, dict(p=0.3), dict(p="prob")),
    ("n_words", bs.n_words, dict(length=L), dict(length="int_pos")),
    ("binomial_standard_error", bs.binomial_standard_error, dict(p=0.3, length=L),
     dict(p="prob", length="int_pos")),
    ("required_length", bs.required_length, dict(eps=0.1, delta=0.1, p=0.3),
     dict(eps="real_pos", delta="real_pos", p="real")),
    ("lfsr_period", bs.lfsr_period, dict(width=8, seed=1, zero_state=False),
     dict(width="int_pos", seed="int_pos", zero_state="bool")),
    # --- bitstream on packed words
    ("unpack", bs.unpack, dict(words=W2, length=L), dict(words="words_len", length="int_pos")),
    ("decode", bs.decode, dict(words=W2, length=L), dict(words="words_len", length="int_pos")),
    ("decode_bipolar", bs.decode_bipolar, dict(words=W2, length=L), dict(words="words_len", length="int_pos")),
    ("parallel_count", bs.parallel_count, dict(words=W2, length=L), dict(words="words_len", length="int_pos")),
    ("mux_add", bs.mux_add, dict(words=W2, length=L, seed=1), dict(words="words_len", length="int_pos")),
    ("not_", bs.not_, dict(a=W2, length=L), dict(a="words_len", length="int_pos")),
    ("xnor", bs.xnor, dict(a=W2, b=W2, length=L), dict(a="words_len", b="words_len", length="int_pos")),
    ("scc", bs.scc, dict(a=W2, b=W2, length=L), dict(a="words_len", b="words_len", length="int_pos")),
    ("bits_at", bs.bits_at, dict(words=W2, t=3, length=L), dict(t="int_nonneg", length="int_pos")),
    ("progressive_precision", bs.progressive_precision, dict(words=W2, length=L, target=0.3),
     dict(words="words_len", length="int_pos", target="prob")),
    ("popcount", bs.popcount, dict(words=W2), dict(words="words")),
    ("and_popcount", bs.and_popcount, dict(a=W2, b=W2), dict(a="words", b="words")),
    ("and_", bs.and_, dict(a=W2, b=W2), dict(a="words", b="words")),
    ("or_", bs.or_, dict(a=W2, b=W2), dict(a="words", b="words")),
    ("mux", bs.mux, dict(a=W2, b=W2, sel=W2), dict(a="words", b="words", sel="words")),
    ("or_reduce", bs.or_reduce, dict(words=W2), dict(words="words")),
    ("and_reduce", bs.and_reduce, dict(words=W2), dict(words="words")),
    # --- tutorial API
    ("BitstreamEncoder", sc.BitstreamEncoder,
     dict(x_min=0.0, x_max=1.0, length=L, seed=1, lfsr_width=8, sobol_dimension=0, clip=False),
     dict(x_min="real", x_max="real", length="int_pos", lfsr_width="int_pos",
          sobol_dimension="int_nonneg", clip="bool")),
    ("BitstreamEncoder.encode_packed", _meth(lambda: sc.BitstreamEncoder(length=L, seed=1), "encode_packed"),
     dict(x=0.3), dict(x="prob")),
    ("BitstreamSpikeRecorder", sc.BitstreamSpikeRecorder, dict(dt_ms=1.0), dict(dt_ms="real_pos")),
    ("BitstreamSpikeRecorder.isi_histogram", _meth(sc.BitstreamSpikeRecorder, "isi_histogram"),
     dict(bins=5, range=(0.0, 10.0)), dict(bins="int_pos")),
    ("BitstreamSynapse", sc.BitstreamSynapse, dict(length=L, w=0.5, seed=1, bipolar=False),
     dict(length="int_pos", w="prob", bipolar="bool")),
    ("BitstreamSynapse.apply_packed", _meth(lambda: sc.BitstreamSynapse(length=L, w=0.5, seed=1), "apply_packed"),
     dict(pre_words=W2), dict(pre_words="words_len")),
    ("BitstreamCurrentSource", sc.BitstreamCurrentSource,
     dict(x_inputs=[0.2, 0.5], weight_values=[0.5, 0.5], length=L, y_min=0.0, y_max=0.1, seed=1),
     dict(length="int_pos", y_min="real", y_max="real")),
    ("SCDenseLayer", sc.SCDenseLayer,
     dict(n_neurons=2, x_inputs=[0.2, 0.5], weight_values=[[0.5, 0.5], [0.1, 0.2]], length=L, dt_ms=1.0,
          base_seed=1),
     dict(n_neurons="int_pos", length="int_pos", dt_ms="real_pos")),
    ("SCDenseLayer.run", _meth(lambda: sc.SCDenseLayer(2, [0.2, 0.5], [[0.5, 0.5], [0.1, 0.2]], length=L,
                                                       base_seed=1), "run"),
     dict(T=2), dict(T="int_nonneg")),
    ("StochasticLIFNeuron", sc.StochasticLIFNeuron,
     dict(v_rest=0.0, v_reset=0.0, v_threshold=1.0, tau_mem=20.0, dt=1.0, noise_std=0.0, resistance=1.0,
          refractory_period=0, seed=1),
     dict(v_rest="real", v_reset="real", v_threshold="real", tau_mem="real_pos", dt="real_pos",
          refractory_period="int_nonneg")),
    ("StochasticLIFNeuron.step", _meth(sc.StochasticLIFNeuron, "step"), dict(I=0.5), dict(I="real")),
    ("StochasticLIFNeuron.run_constant", _meth(sc.StochasticLIFNeuron, "run_constant"),
     dict(I=0.5, n_steps=3), dict(I="real", n_steps="int_nonneg")),
    # --- network readout and features
    ("LinearClassifier", net.LinearClassifier, dict(alpha=1.0), dict(alpha="real")),
    ("RidgeReadout", net.RidgeReadout, dict(alpha=1.0), dict(alpha="real")),
    ("confusion_matrix", net.confusion_matrix, dict(y_true=[0, 1], y_pred=[1, 1], n_classes=2),
     dict(n_classes="int_pos")),
    ("spike_counts", net.spike_counts, dict(neuron=[0, 1], step=[1, 2], neurons=2, n_steps=10),
     dict(neurons="int_nonneg", n_steps="int_pos")),
    ("spike_entropy", net.spike_entropy, dict(neuron=[0, 1], step=[1, 2], neurons=2, n_steps=10, n_bins=4),
     dict(n_steps="int_pos", n_bins="int_pos")),
    ("autocorrelation_lag1", net.autocorrelation_lag1,
     dict(neuron=[0, 1], step=[1, 2], neurons=2, n_steps=10, bin_steps=1),
     dict(n_steps="int_pos", bin_steps="int_pos")),
    ("extract_features", net.extract_features,
     dict(neuron=[0, 1], step=[1, 2], neurons=2, n_steps=10, dt_ms=1.0, n_bins=4, bin_steps=1),
     dict(n_steps="int_pos", dt_ms="real_pos", n_bins="int_pos", bin_steps="int_pos")),
    # --- hw_models
    ("threshold_of", hw.threshold_of, dict(p=0.3, width=8), dict(p="prob", width="int_pos")),
    ("bipolar_decode", hw.bipolar_decode, dict(q=3, length=10), dict(length="int_pos")),
    ("FibonacciLFSR", hw.FibonacciLFSR, dict(width=8, seed=1, zero_state=False),
     dict(width="int_pos", seed="int_pos", zero_state="bool")),
    ("GaloisLFSR", hw.GaloisLFSR, dict(width=8, seed=1, zero_state=False),
     dict(width="int_pos", seed="int_pos", zero_state="bool")),
    ("FibonacciLFSR.next_state", _meth(_fib8, "next_state"), dict(state=3), dict(state="int_pos")),
    ("GaloisLFSR.next_state", _meth(lambda: hw.GaloisLFSR(8), "next_state"), dict(state=3),
     dict(state="int_pos")),
    ("FibonacciLFSR.run", _meth(_fib8, "run"), dict(n_cycles=3), dict(n_cycles="int_nonneg")),
    ("SobolGenerator", hw.SobolGenerator, dict(dimension=1, width=16, skip=0),
     dict(dimension="int_nonneg", width="int_pos", skip="int_nonneg")),
    ("SobolGenerator.point_at", _meth(lambda: hw.SobolGenerator(width=16), "point_at"), dict(k=3),
     dict(k="int_nonneg")),
    ("SobolGenerator.sequence", _meth(lambda: hw.SobolGenerator(width=16), "sequence"), dict(n_cycles=3),
     dict(n_cycles="int_nonneg")),
    ("SNG.bits", _meth(lambda: hw.SNG(_fib8(), 5), "bits"), dict(n_cycles=10), dict(n_cycles="int_nonneg")),
    ("UpCounter", hw.UpCounter, dict(length=16, saturate=False), dict(length="int_pos", saturate="bool")),
    ("UpDownCounter", hw.UpDownCounter, dict(length=16), dict(length="int_pos")),
    ("ParallelCounter", hw.ParallelCounter, dict(n_inputs=4), dict(n_inputs="int_pos")),
    ("AccumulativeParallelCounter", hw.AccumulativeParallelCounter, dict(n_inputs=4, length=16),
     dict(n_inputs="int_pos", length="int_pos")),
    ("DFF", hw.DFF, dict(width=4, stages=1, init=0), dict(width="int_pos", stages="int_pos")),
    ("AndGate", hw.AndGate, dict(width=4), dict(width="int_pos")),
    ("FixedPointLIFNeuron", hw.FixedPointLIFNeuron, dict(width=16, leak_shift=4, refractory=0),
     dict(width="int_pos", leak_shift="int_nonneg", refractory="int_nonneg")),
    ("FixedPointLIFNeuron.to_real", _meth(hw.FixedPointLIFNeuron, "to_real"), dict(raw=3),
     dict(raw="int_nonneg")),
    ("hw.Synapse", _hw_synapse, dict(bipolar=False), dict(bipolar="bool")),
]

# hostile values that are legitimately accepted by a particular parameter
ACCEPTED: dict[tuple[str, str], set[str]] = {
    # a probability of 0 is valid
    **{(api, p): {"zero"} for api, _, _, kinds in API for p, k in kinds.items() if k == "prob"},
    ("required_length", "p"): {"none"},  # p=None means "unknown"
    ("progressive_precision", "target"): {"none"},
    ("BitstreamSynapse", "w"): {"none"},  # None: w = w_max (transparent)
    ("confusion_matrix", "n_classes"): {"none"},  # None: largest label + 1  # None: the full-length estimate
    # raw register values and LFSR states may be 0 or negative where the register allows it
    ("FixedPointLIFNeuron.to_real", "raw"): {"neg_int"},
    ("FibonacciLFSR.next_state", "state"): {"zero"},
    ("GaloisLFSR.next_state", "state"): {"zero"},
}

CASES = []
for _api, _fn, _base, _kinds in API:
    for _param, _kind in _kinds.items():
        for _bad in KINDS[_kind]:
            if _bad in ACCEPTED.get((_api, _param), set()):
                continue
            CASES.append(pytest.param(_fn, _base, _param, _bad, id=f"{_api}-{_param}-{_bad}"))


def _materialise(base: dict[str, Any]) -> dict[str, Any]:
    return {k: (v() if callable(v) and not isinstance(v, type) else v) for k, v in base.items()}


@pytest.mark.parametrize(("fn", "base", "param", "bad"), CASES)
def test_hostile_value_rejected_naming_parameter(
    fn: Callable[..., Any], base: dict[str, Any], param: str, bad: str
) -> None:
    kw = _materialise(base)
    kw[param] = (WORDS[bad] if bad in WORDS and bad not in SCALARS else SCALARS[bad])()
    name = re.escape(param)
    with pytest.raises((ValueError, TypeError), match=rf"(^|\W){name}(\W|$)"):
        fn(**kw)


@pytest.mark.parametrize(("api", "fn", "base"), [pytest.param(a, f, b, id=a) for a, f, b, _ in API])
def test_baseline_is_valid(api: str, fn: Callable[..., Any], base: dict[str, Any]) -> None:
    """The sweep's baselines must be valid, so every rejection above is due to the hostile value."""
    out = fn(**_materialise(base))
    if isinstance(out, (float, np.ndarray)) and np.asarray(out).dtype.kind == "f":
        assert np.all(np.isfinite(out)), api


# --- specific defects found by the sweep (regression tests) ------------------
@pytest.mark.parametrize(
    "call",
    [
        lambda: bs.bernoulli(0.5, 2**70),
        lambda: bs.lfsr(0.5, 2**70),
        lambda: bs.lfsr_states(2**70),
        lambda: bs.n_words(MAX_COUNT + 1),
        lambda: sc.BitstreamSynapse(length=2**70),
        lambda: sc.BitstreamEncoder(length=2**70),
    ],
    ids=["bernoulli", "lfsr", "lfsr_states", "n_words", "synapse", "encoder"],
)
def test_huge_length_is_a_value_error(call: Callable[[], Any]) -> None:
    with pytest.raises(ValueError, match=rf"length must be an integer in \[1, {MAX_COUNT}\]; got"):
        call()


def test_length_cap_is_inclusive_and_low_message_unchanged() -> None:
    assert bs.n_words(MAX_COUNT) == MAX_COUNT // 64
    with pytest.raises(ValueError, match=r"length must be an integer in \[1, inf\]; got 0"):
        bs.n_words(0)


@pytest.mark.parametrize("fn", [bs.sobol_points, lambda length: bs.sobol(0.5, length)])
def test_sobol_length_beyond_sequence_names_length(fn: Callable[[int], Any]) -> None:
    with pytest.raises(ValueError, match=r"length must be an integer in \[1, 4294967296\]"):
        fn(2**32 + 1)


def test_encoder_sobol_dimension_upper_bound() -> None:
    with pytest.raises(ValueError, match=rf"sobol_dimension must be an integer in \[0, {bs.SOBOL_MAX_DIMENSION}\]"):
        sc.BitstreamEncoder(sobol_dimension=bs.SOBOL_MAX_DIMENSION + 1)


@pytest.mark.parametrize(
    ("kw", "exc", "msg"),
    [
        ({"bins": 0}, ValueError, r"bins must be an integer in \[1, inf\]; got 0"),
        ({"bins": "auto"}, TypeError, r"bins must be an int >= 1 or an array of bin edges"),
        ({"bins": [0.0, float("nan")]}, ValueError, r"bins must be finite"),
        ({"bins": [2.0, 1.0]}, ValueError, r"bins must be at least two strictly increasing edges"),
        ({"bins": [1.0]}, ValueError, r"bins must be at least two strictly increasing edges"),
        ({"range": 3.0}, TypeError, r"range must be None or a pair"),
        ({"range": (0.0, float("inf"))}, ValueError, r"range\[1\] must be finite"),
        ({"range": (2.0, 1.0)}, ValueError, r"range must have lo < hi; got \(2.0, 1.0\)"),
    ],
)
def test_isi_histogram_arguments(kw: dict[str, Any], exc: type[Exception], msg: str) -> None:
    rec = sc.BitstreamSpikeRecorder()
    rec.record_many([1, 0, 1, 1])
    with pytest.raises(exc, match=msg):
        rec.isi_histogram(**kw)


def test_isi_histogram_valid_edges_and_range() -> None:
    rec = sc.BitstreamSpikeRecorder(dt_ms=1.0)
    rec.record_many([1, 0, 1, 1, 0, 0, 1])  # ISIs 2, 1, 3 ms
    counts, edges = rec.isi_histogram(bins=[0.0, 1.5, 4.0])
    np.testing.assert_array_equal(counts, [1, 2])
    np.testing.assert_array_equal(edges, [0.0, 1.5, 4.0])
    counts, _ = rec.isi_histogram(bins=3, range=(0, 3))
    assert counts.sum() == 3


def test_binomial_standard_error_shape_mismatch_names_length() -> None:
    with pytest.raises(ValueError, match=r"length must broadcast against p; got shapes \(3,\)"):
        bs.binomial_standard_error([0.1, 0.2], [1, 2, 3])


def test_confusion_matrix_label_bounds() -> None:
    with pytest.raises(ValueError, match=r"y_true labels must be >= 0; got -1"):
        net.confusion_matrix([0, -1], [0, 0])
    with pytest.raises(ValueError, match=r"y_pred labels must be < 16384"):
        net.confusion_matrix([0], [10**12])
    with pytest.raises(ValueError, match=r"n_classes must be an integer in \[1, 16384\]; got"):
        net.confusion_matrix([0], [0], n_classes=2**70)


def test_features_huge_neuron_ids_need_no_lookup_table() -> None:
    # a dense id -> output lookup would allocate 8 * 10^15 bytes here
    np.testing.assert_array_equal(net.spike_counts([0, 10**15, 3], [1, 2, 3], [3, 10**15], 10), [1.0, 1.0])


@given(
    neuron=st.lists(st.integers(0, 6), min_size=0, max_size=12),
    sel=st.lists(st.integers(0, 8), min_size=0, max_size=6, unique=True),
)
def test_features_selection_matches_reference(neuron: list[int], sel: list[int]) -> None:
    steps = list(range(len(neuron)))  # distinct steps, so no (neuron, step) repeats
    got = net.spike_counts(neuron, steps, sel, max(len(neuron), 1))
    want = [float(sum(1 for n in neuron if n == s)) for s in sel]
    np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize(
    ("call", "msg"),
    [
        (lambda: _fib8().run(2, inputs=_any([1, 2])), r"FibonacciLFSR: inputs must be None or a mapping"),
        (lambda: hw.AndGate(1).run(2, {"a": [1, 0], "b": [1, 1], "c": [0, 0]}),
         r"AndGate: inputs must only name input ports \['a', 'b'\]; got unknown 'c'"),
        (lambda: hw.AndGate(1).run(2, _any({"a": [1, 0.9], "b": [1, 1]})),
         r"AndGate: inputs\['a'\] must hold integers; got float 0.9 at cycle 1"),
        (lambda: hw.AndGate(1).run(2, _any({"a": "10", "b": [1, 1]})),
         r"AndGate: inputs\['a'\] must be a sequence of ints; got str"),
        (lambda: hw.AndGate(1).run(1, _any({"a": [float("nan")], "b": [1]})),
         r"AndGate: inputs\['a'\] must hold integers; got float nan at cycle 0"),
    ],
)
def test_block_run_inputs_are_checked_not_truncated(call: Callable[[], Any], msg: str) -> None:
    # (the calls pass deliberately ill-typed inputs; built through Any below for the type checker)
    with pytest.raises((TypeError, ValueError), match=msg):
        call()


def test_block_run_accepts_integer_and_bool_sequences() -> None:
    g = hw.AndGate(1)
    out = g.run(3, {"a": np.array([1, 0, 1], dtype=np.uint8), "b": [True, True, False]})
    np.testing.assert_array_equal(out["y"], [1, 0, 0])


@pytest.mark.parametrize(
    ("taps", "exc"),
    [(5, TypeError), ("853", TypeError), ([], TypeError), ([8.0, 6], TypeError), ((8, 9), ValueError),
     ((8, 0), ValueError)],
)
def test_mirror_taps_rejects_bad_taps(taps: Any, exc: type[Exception]) -> None:
    with pytest.raises(exc, match=r"taps must be"):
        hw.mirror_taps(taps)


def test_mirror_taps_valid() -> None:
    assert hw.mirror_taps((8, 6, 5, 4)) == (8, 4, 3, 2)
    assert hw.mirror_taps(_any(np.array([8, 6, 5, 4]))) == (8, 4, 3, 2)


def test_hw_raw_register_values_checked() -> None:
    with pytest.raises(ValueError, match=r"FixedPointLIFNeuron: raw must be an integer in \[-32768, 32767\]"):
        hw.FixedPointLIFNeuron(16).to_real(2**15)
    with pytest.raises(ValueError, match=r"FibonacciLFSR: state must be an integer in \[0, 255\]; got 256"):
        _fib8().next_state(256)
    with pytest.raises(ValueError, match=r"SobolGenerator: k must be an integer in \[0, 65535\]; got -1"):
        hw.SobolGenerator(width=16).point_at(-1)
    with pytest.raises(ValueError, match=r"bipolar_decode: q must be an integer in \[-10, 10\]; got 11"):
        hw.bipolar_decode(11, 10)


# --- valid edge inputs keep working ------------------------------------------
@pytest.mark.parametrize("length", [1, 63, 64, 65, 128])
@pytest.mark.parametrize("p", [0.0, 1.0])
def test_extreme_probabilities_and_word_boundaries(length: int, p: float) -> None:
    for words in (bs.bernoulli(p, length, seed=1), bs.sobol(p, length), bs.lfsr(p, length, width=8,
                                                                               zero_state=True)):
        assert words.shape == (bs.n_words(length),)
        assert bs.decode(words, length) == p
        bits = bs.unpack(words, length)
        np.testing.assert_array_equal(bs.pack(bits), words)


def test_non_contiguous_and_readonly_words_are_copied_not_rejected() -> None:
    w = _words()
    wide = np.stack([w, w], axis=-1)  # (2, 2, 2)
    nc = wide[..., 0]
    assert not nc.flags.c_contiguous
    np.testing.assert_array_equal(bs.decode(nc, L), bs.decode(w, L))
    ro = _readonly(w)
    np.testing.assert_array_equal(bs.not_(ro, L), bs.not_(w, L))
    np.testing.assert_array_equal(bs.and_(ro, nc), w)
    fortran = np.asfortranarray(np.stack([w, w]))
    np.testing.assert_array_equal(bs.popcount(fortran), bs.popcount(np.stack([w, w])))


def test_single_stream_and_empty_batch() -> None:
    w = _words()[0]
    assert isinstance(bs.decode(w, L), float)
    assert bs.bernoulli(np.zeros((0,)), L, seed=1).shape == (0, 2)
    assert bs.parallel_count(w, L).shape == (L,)


@given(length=st.integers(1, 300), p=st.floats(0.0, 1.0))
def test_padding_bits_always_rejected_when_length_known(length: int, p: float) -> None:
    words = bs.bernoulli(p, length, seed=3)
    if length % 64:
        bad = words.copy()
        bad[-1] |= np.uint64(1) << np.uint64(63)
        with pytest.raises(ValueError, match=r"words must have zero padding bits"):
            bs.decode(bad, length)
    assert 0.0 <= bs.decode(words, length) <= 1.0


# --- network: readout, decision task, reservoir ------------------------------
def test_readout_rejects_magnitudes_whose_squares_overflow() -> None:
    x = np.array([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0], [0.0, 0.0]])
    with pytest.raises(ValueError, match=r"X must have entries in \[-1e\+150, 1e\+150\]; got 1e\+300"):
        net.RidgeReadout().fit(x * 1e300, [0.0, 1.0, 1.0, 0.0])
    with pytest.raises(ValueError, match=r"y must have entries in \[-1e\+150, 1e\+150\]; got 1e\+200"):
        net.RidgeReadout().fit(x, [0.0, 1e200, 1.0, 0.0])
    with pytest.raises(ValueError, match=r"X must have entries in"):
        net.LinearClassifier().fit(x * 1e300, [0, 1, 1, 0])
    # large but safe values still fit
    r = net.RidgeReadout().fit(x * 1e100, [0.0, 1.0, 1.0, 0.0])
    assert np.all(np.isfinite(r.predict(x * 1e100)))


@pytest.mark.parametrize(
    ("kw", "msg"),
    [
        ({"window_ms": 0.01}, r"window_ms must be in \[dt, dt \* \(2\^31 - 1\)\] = \[0.1, "),
        ({"window_ms": 1e30}, r"window_ms must be in \[dt, "),
        ({"delay_ms": 1e30}, r"delay_ms must be in \(0, 32767 \* dt\]"),
        ({"rate_on_hz": 1e30}, r"rate_on_hz must be in \[0.0, 1000000.0\] \(at most 1000 Poisson generators"),
        ({"bg_rate_hz": 1e30}, r"bg_rate_hz must be in \[0.0, "),
        ({"n": 2**70}, rf"n must be an integer in \[4, {MAX_COUNT}\]"),
    ],
)
def test_decision_task_bounds(kw: dict[str, Any], msg: str) -> None:
    with pytest.raises(ValueError, match=msg):
        net.DecisionTask(**kw)


def test_decision_task_trial_count_bound() -> None:
    task = net.DecisionTask(n=50, n_pool=10, n_afferents=2)
    with pytest.raises(ValueError, match=rf"n_trials must be an integer in \[1, {MAX_COUNT}\]"):
        task.run_trials(2**70, seed=1)


def test_reservoir_size_duration_adjacency_and_path() -> None:
    with pytest.raises(ValueError, match=r"n_neurons must be an integer in \[3, 2147483647\]; got"):
        net.Reservoir(2**70, n_inputs=1, n_outputs=2, k=2, seed=1)
    with pytest.raises(TypeError, match=r"adjacency must be a scipy.sparse matrix"):
        net.Reservoir(n_inputs=1, n_outputs=2, adjacency=np.ones((4, 4)))
    res = net.Reservoir(10, n_inputs=1, n_outputs=2, k=2, seed=1)
    with pytest.raises(ValueError, match=r"duration must be an integer in \[1, 2147483647\]"):
        res.simulate(np.zeros((1, 5), np.uint8), duration=2**70)
    with pytest.raises(TypeError, match=r"path must be a str, os.PathLike or a writable file; got int"):
        res.save(123)


@pytest.mark.parametrize(
    ("call", "msg"),
    [
        (lambda: hw.UpCounter(16).eval(bit=1), r"UpCounter: input port inc must be given; got ports \['bit'\]"),
        (lambda: hw.FixedPointLIFNeuron().eval(current=3), r"FixedPointLIFNeuron: input port i must be given"),
        (lambda: hw.AndGate(1).eval(a=1), r"AndGate: input port b must be given; got ports \['a'\]"),
        (lambda: hw.DFF(1).eval(), r"DFF: input port d must be given; got ports \[\]"),
        (lambda: hw.SNG(_fib8()).eval(), r"SNG: input port x must be given"),
        (lambda: hw.ParallelCounter(3).eval(y=1), r"ParallelCounter: input port x must be given"),
    ],
)
def test_hw_eval_missing_port_is_named(call: Callable[[], Any], msg: str) -> None:
    with pytest.raises(ValueError, match=msg):
        call()


@pytest.mark.parametrize("cls", [hw.AndGate, hw.OrGate, hw.DFF])
def test_hw_gate_sources_must_be_blocks(cls: type) -> None:
    with pytest.raises(TypeError, match=r"sources must be a sequence of Blocks; got an entry of type int"):
        cls(1, sources=(3,) if cls is hw.DFF else (1, 2))
    with pytest.raises(TypeError, match=r"sources must be a sequence of Blocks; got int"):
        cls(1, sources=5)


@pytest.mark.parametrize(
    "make",
    [
        lambda: sc.BitstreamEncoder(x_min=-1e308, x_max=1e308),
        lambda: sc.BitstreamSynapse(w_min=-1e308, w_max=1e308),
        lambda: sc.BitstreamCurrentSource([0.5], weight_values=[0.5], y_min=-1e308, y_max=1e308),
    ],
    ids=["encoder", "synapse", "current_source"],
)
def test_range_width_must_be_finite(make: Callable[[], Any]) -> None:
    # (x - lo) / (hi - lo) with hi - lo = inf would encode every value as p = 0
    with pytest.raises(ValueError, match=r"_max - \w+_min must be finite"):
        make()


def test_wide_but_finite_range_still_encodes() -> None:
    enc = sc.BitstreamEncoder(x_min=-1e307, x_max=1e307, length=64, mode="sobol")
    assert enc.probability(0.0) == 0.5


def test_uint64_labels_do_not_wrap() -> None:
    y = np.array([0, 2**64 - 1], dtype=np.uint64)
    with pytest.raises(ValueError, match=r"y_true must hold labels <= 2\^63 - 1; got 18446744073709551615"):
        net.accuracy(y, y)
    np.testing.assert_array_equal(net.confusion_matrix(np.array([0, 1], np.uint64), [1, 1]), [[0, 1], [0, 1]])


def test_uint64_event_arrays_do_not_wrap() -> None:
    big = np.array([2**64 - 1], dtype=np.uint64)
    with pytest.raises(ValueError, match=r"step must hold values <= 2\^63 - 1; got 18446744073709551615"):
        net.spike_counts(np.array([0], np.uint64), big, 1, 10)
    with pytest.raises(ValueError, match=r"neuron must hold values <= 2\^63 - 1"):
        net.spike_counts(big, np.array([0], np.uint64), 1, 10)
    np.testing.assert_array_equal(net.spike_counts(np.array([0], np.uint64), np.array([3], np.uint64), 1, 10), [1.0])


@pytest.mark.parametrize("dt_ms", [1e-320, 1e-13, 1e10, 1e200])
@pytest.mark.parametrize(
    "make",
    [
        lambda dt: net.extract_features([0, 0, 1], [0, 1, 2], 2, 10, dt_ms=dt),
        lambda dt: sc.BitstreamSpikeRecorder(dt_ms=dt),
        lambda dt: sc.SCDenseLayer(1, [0.5], [0.5], length=64, dt_ms=dt),
    ],
    ids=["features", "recorder", "dense"],
)
def test_dt_ms_range(make: Callable[[float], Any], dt_ms: float) -> None:
    # 1e200 ms squared overflowed isi_variance / the recorder's durations;
    # 1e-320 made the rates 1000 / dt infinite
    with pytest.raises(ValueError, match=r"dt_ms must be in \[1e-12, 1000000000.0\]; got"):
        make(dt_ms)


def test_feature_dt_extremes_inside_range_are_finite() -> None:
    for dt_ms in (1e-12, 1e9):
        feats = net.extract_features([0, 0, 0, 1], [0, 1, 5, 2], 2, 2**20, dt_ms=dt_ms)
        assert all(np.all(np.isfinite(v)) for v in feats.values())


# --- property: arbitrary arrays never crash the packed-stream API ------------
_ANY_ARRAY = st.sampled_from(
    [np.uint64, np.int64, np.uint8, np.float64, np.bool_, np.int32]
).flatmap(lambda d: hnp.arrays(d, hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=3)))
_ANY_LENGTH = st.one_of(st.integers(-2, 200), st.sampled_from([2**40, 2**40 + 1, 2**63, 2**64]))

_WORD_CALLS: list[tuple[str, Callable[[Any, Any, Any], Any]]] = [
    ("unpack", lambda a, b, n: bs.unpack(a, n)),
    ("decode", lambda a, b, n: bs.decode(a, n)),
    ("popcount", lambda a, b, n: bs.popcount(a)),
    ("and_", lambda a, b, n: bs.and_(a, b)),
    ("xnor", lambda a, b, n: bs.xnor(a, b, n)),
    ("scc", lambda a, b, n: bs.scc(a, b, n)),
    ("mux", lambda a, b, n: bs.mux(a, b, a)),
    ("mux_add", lambda a, b, n: bs.mux_add(a, n, seed=1)),
    ("parallel_count", lambda a, b, n: bs.parallel_count(a, n)),
    ("or_reduce", lambda a, b, n: bs.or_reduce(a)),
    ("bits_at", lambda a, b, n: bs.bits_at(a, 0, n)),
    ("pack", lambda a, b, n: bs.pack(a)),
    ("progressive_precision", lambda a, b, n: bs.progressive_precision(a, n, lengths=b)),
    ("binomial_standard_error", lambda a, b, n: bs.binomial_standard_error(a, b)),
    ("to_unipolar", lambda a, b, n: bs.to_unipolar(a)),
]


@given(a=_ANY_ARRAY, b=_ANY_ARRAY, length=_ANY_LENGTH)
def test_arbitrary_arrays_raise_only_value_or_type_errors(a: np.ndarray, b: np.ndarray, length: int) -> None:
    for name, call in _WORD_CALLS:
        try:
            out = call(a, b, length)
        except (ValueError, TypeError):
            continue
        res = out.errors if isinstance(out, bs.ProgressivePrecision) else out
        arr = np.asarray(res)
        if arr.dtype.kind == "f":
            assert np.all(np.isfinite(arr)), name


@pytest.mark.parametrize(
    ("args", "msg"),
    [
        ((np.zeros(2), np.zeros(3), np.zeros(3), np.zeros(3)), r"counts must be a non-negative \(n_trials=2, n_outputs\)"),
        ((np.zeros(0), np.zeros((0, 1)), np.zeros((0, 2)), np.zeros(0)), r"labels must be a non-empty 1-d array"),
        ((np.array([0, 2]), np.zeros((2, 1)), np.zeros((2, 2)), np.zeros(2)), r"labels must hold patterns 0 or 1"),
        ((np.array([0, 1]), np.zeros((2, 1)), np.zeros((2, 3)), np.zeros(2)), r"rates_hz must have shape \(2, 2\)"),
        ((np.array([0, 1]), np.zeros((2, 1)), np.full((2, 2), np.nan), np.zeros(2)), r"rates_hz must be finite"),
        ((np.array([0, 1]), np.zeros((2, 1)), np.zeros((2, 2)), np.zeros(3)),
         r"network_rate_hz must have shape \(2,\)"),
    ],
)
def test_decision_trials_are_validated(args: tuple[Any, ...], msg: str) -> None:
    # mismatched shapes used to surface later as an IndexError inside DecisionTask.decide
    with pytest.raises(ValueError, match=msg):
        net.DecisionTrials(*args)
