"""The ``snnpy`` reservoir package's API as written, through ``sc_neurocore.network.snnpy``.

* The seed's example (``shared/seeds/reservoir_snn_package.txt``) is extracted at
  test time and run with only its import line changed; a checked-in copy
  (``tests/data/snnpy_example.py``) runs without the seed.
* Every documented method name (37, also extracted from the seed) exists and is
  called with the documented arguments; return shapes and feature keys are checked.
* Each corrected defect (docs/interop.md) has a test showing the corrected behaviour.
"""

from __future__ import annotations

import contextlib
import io
import math
import os
import re
import runpy
from pathlib import Path

import numpy as np
import pytest

from sc_neurocore.network import STDP, Reservoir, extract_features, snnpy
from sc_neurocore.network.snnpy import SNN, SimulationParams, STDPParams

sp = pytest.importorskip("scipy.sparse")

SEED = Path(__file__).resolve().parents[2] / "shared" / "seeds" / "reservoir_snn_package.txt"
EXAMPLE = Path(__file__).resolve().parent / "data" / "snnpy_example.py"
IMPORT_LINE = "from snnpy import SNN, SimulationParams"
OUR_IMPORT = "from sc_neurocore.network.snnpy import SNN, SimulationParams"


def _seed_text() -> str:
    """The seed, or a skip when it is absent locally; in CI (``CI`` set) a missing seed fails."""
    if not SEED.exists():
        if os.environ.get("CI"):
            pytest.fail(f"seed {SEED} is missing in CI")
        pytest.skip(f"seed not found at {SEED} (shared/ sits beside the checkout)")
    return SEED.read_text(encoding="utf-8")


def _seed_example(text: str) -> str:
    """The seed's example code block: from its import line to the page footer."""
    start = text.index(IMPORT_LINE)
    stop = text.index("Project details", start)
    return text[start:stop].rstrip() + "\n"


def _seed_method_names(text: str) -> list[str]:
    """Every ``name(`` of the 'Main Methods' section (the scraped page glues 'and' to one name)."""
    section = text[text.index("Main Methods"):text.index("Output Files")]
    names = set(re.findall(r"\b([a-z][a-z_]*)\(", section))
    return sorted({n[3:] if n.startswith("and") and n[3:] in names else n for n in names})


#: The documented method names, kept here so the API is checked without the seed too.
DOCUMENTED_METHODS = [
    "apply_global_scalar_threshold", "calculate_mean_isi", "compute_global_scalar_threshold", "disable_stdp",
    "extract_features_from_spikes", "get_autocorrelation_first_lag", "get_burst_counts", "get_burstiness",
    "get_first_spike_times", "get_isi_variance_per_neuron", "get_last_spike_times", "get_mean_isi_per_neuron",
    "get_mean_spike_times", "get_membrane_potentials", "get_output_neurons", "get_spike_counts",
    "get_spike_entropy_per_neuron", "get_spike_histogram_moments", "get_spike_rates", "get_spike_symmetry",
    "get_spike_time_lists_output", "get_topology", "load_membrane_potentials", "load_output_neurons",
    "load_topology", "prune", "rescale_synaptic_weights_to_mean", "reset", "reset_synaptic_weights",
    "save_membrane_potentials", "save_output_neurons", "save_topology", "set_input_spike_times",
    "set_membrane_potentials", "set_output_neurons", "set_topology", "simulate",
]
STANDALONE = ["load_membrane_potentials", "load_output_neurons", "load_topology"]


def _run_code(code: str) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "snnpy_example", "exec"), {"__name__": "__snnpy_example__"})
    return out.getvalue()


def _check_example_output(printed: str) -> None:
    lines = printed.splitlines()
    assert lines[0] == "Output shape: (500, 35)"
    assert lines[1].startswith("Available feature keys: ['spike_counts'")
    assert lines[2] == "Spike counts shape: (35,)"


# ---------------------------------------------------------------- the seed's example and method list


@pytest.mark.slow
def test_seed_example_runs_with_only_the_import_changed():
    code = _seed_example(_seed_text())
    assert code.count(IMPORT_LINE) == 1
    _check_example_output(_run_code(code.replace(IMPORT_LINE, OUR_IMPORT)))


@pytest.mark.slow
def test_checked_in_example_runs():
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        runpy.run_path(str(EXAMPLE), run_name="__snnpy_example__")
    _check_example_output(out.getvalue())


def test_checked_in_example_differs_from_the_seed_only_by_the_adaptations():
    seed = _seed_example(_seed_text()).replace(IMPORT_LINE, OUR_IMPORT).replace(
        "np.random.randint(0, 2,", "np.random.default_rng(14).integers(0, 2,")
    text = EXAMPLE.read_text()
    ours = text[text.index(OUR_IMPORT):]  # after the header comment

    def lines(code: str) -> list[str]:  # the scraped seed lost its blank lines and indentation
        return [ln.strip() for ln in code.splitlines() if ln.strip()]

    assert lines(ours) == lines(seed)


def test_seed_documents_exactly_these_37_methods():
    assert _seed_method_names(_seed_text()) == DOCUMENTED_METHODS
    assert len(DOCUMENTED_METHODS) == 37


def test_every_documented_method_exists():
    missing = [m for m in DOCUMENTED_METHODS if not callable(getattr(SNN, m, None))]
    assert missing == []
    for name in STANDALONE:
        assert callable(getattr(snnpy, name))
    assert set(snnpy.__all__) == {"SNN", "SimulationParams", "STDPParams", *STANDALONE}


# ---------------------------------------------------------------- every method, called as documented


def _params(**kw: object) -> SimulationParams:
    base: dict = dict(num_neurons=60, num_output_neurons=8, leak_coefficient=0.05, refractory_period=2,
                      membrane_threshold=1.0, is_random_uniform=False, small_world_graph_p=0.2,
                      small_world_graph_k=6, mean_weight=0.3,
                      input_spike_times=np.random.default_rng(3).integers(0, 2, (5, 120), dtype=np.uint8))
    base.update(kw)
    return SimulationParams(**base)


def test_every_documented_method_call(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    snn = SNN(_params(), STDPParams(), seed=5)
    out = snn.simulate()
    assert out.shape == (120, 8) and out.dtype == np.uint8 and out.sum() > 0
    lists = snn.get_spike_time_lists_output()
    assert len(lists) == 8 and all(isinstance(s, list) for s in lists)
    assert [len(s) for s in lists] == out.sum(axis=0).tolist()
    feats = snn.extract_features_from_spikes()
    assert "spike_counts" in feats and all(v.shape == (8,) for v in feats.values())
    np.testing.assert_array_equal(feats["spike_counts"], out.sum(axis=0))
    per_neuron = ["get_spike_counts", "get_mean_spike_times", "get_first_spike_times", "get_last_spike_times",
                  "get_mean_isi_per_neuron", "get_isi_variance_per_neuron", "get_spike_entropy_per_neuron",
                  "get_spike_rates", "get_autocorrelation_first_lag", "get_burstiness", "get_spike_symmetry",
                  "get_burst_counts"]
    for name in per_neuron:
        v = getattr(snn, name)()
        assert isinstance(v, np.ndarray) and v.shape == (8,), name
    np.testing.assert_allclose(snn.get_spike_rates(), out.sum(axis=0) / 120)  # spikes per step
    moments = snn.get_spike_histogram_moments()
    assert len(moments) == 3 and all(m.shape == (8,) for m in moments)
    assert isinstance(snn.calculate_mean_isi(), float)

    snn.rescale_synaptic_weights_to_mean(0.25)
    assert abs(np.abs(snn.get_topology().data).mean() - 0.25) < 1e-6
    theta = snn.compute_global_scalar_threshold()
    assert snn.apply_global_scalar_threshold() == theta
    snn.disable_stdp()
    nnz = snn.get_topology().nnz
    assert snn.prune(0.2) == round(0.2 * nnz) and snn.get_topology().nnz == nnz - round(0.2 * nnz)
    snn.reset_synaptic_weights(0.2, 0.1)
    snn.reset_synaptic_weights(0.2)

    snn.set_input_spike_times(np.zeros((5, 50), dtype=np.uint8))
    assert snn.duration == 50
    snn.set_membrane_potentials(np.full(60, 0.5))
    snn.set_output_neurons(np.array([10, 20, 30]))
    np.testing.assert_array_equal(snn.get_output_neurons(), [10, 20, 30])
    assert snn.simulate().shape == (50, 3)
    snn.reset()
    with pytest.raises(ValueError, match="simulate must be called first"):
        snn.get_spike_counts()

    snn.save_topology()
    snn.save_membrane_potentials()
    snn.save_output_neurons()
    for f in ("dati/snn_matrices.npz", "dati/membrane_potentials.npy", "dati/output_neurons.npy"):
        assert (tmp_path / f).is_file(), f
    topo = snnpy.load_topology()
    assert (topo != snn.get_topology()).nnz == 0
    np.testing.assert_array_equal(snnpy.load_membrane_potentials(), np.full(60, 0.5))
    np.testing.assert_array_equal(snnpy.load_output_neurons(), [10, 20, 30])
    assert (snn.load_topology() != topo).nnz == 0
    np.testing.assert_array_equal(snn.load_membrane_potentials(), np.full(60, 0.5))
    np.testing.assert_array_equal(snn.load_output_neurons(), [10, 20, 30])
    snn.set_topology(topo * 0.5)
    np.testing.assert_allclose(snn.get_topology().toarray(), topo.toarray() * 0.5)
    assert snn.get_membrane_potentials().shape == (60,)


def test_constructor_signature_and_defaults():
    snn = SNN(_params())  # stdp_params=None: static reservoir
    w0 = snn.get_topology().toarray()
    snn.simulate()
    np.testing.assert_array_equal(snn.get_topology().toarray(), w0)
    s = STDPParams()
    assert (s.enabled, s.tau_plus, s.tau_minus, s.A_plus, s.A_minus, s.eta, s.W_max, s.clip, s.nearest_neighbor,
            s.lock_A_minus, s.weight_update_rule) == (True, 0.02, 0.04, 1e-3, 1e-3, 1.0, 1.0, True, False, False,
                                                      "multiplicative")


# ---------------------------------------------------------------- corrected defects (docs/interop.md)


def _pair(stdp: STDPParams | None, pre_step: int, post_step: int, w: float = 0.01) -> SNN:
    """Neurons 0 (pre) and 1 (post) driven by their own input rows; one synapse 0 -> 1 of weight w."""
    adj = sp.csr_matrix(([w], ([0], [1])), shape=(4, 4))
    bits = np.zeros((2, 12), dtype=np.uint8)
    bits[0, pre_step] = 1
    bits[1, post_step] = 1
    return SNN(SimulationParams(adjacency_matrix=adj, output_neurons=np.array([0, 1]), input_spike_times=bits,
                                leak_coefficient=0.01, refractory_period=1, membrane_threshold=1.0), stdp)


def test_stdp_is_not_inert_with_default_parameters_and_traces_decay_every_step():
    """Pre spike at step 2, post spike at step 7: LTP from a trace decayed over 5 steps of 1 ms.

    Expected ``dw = eta A+ exp(-5 ms / 20 ms) (1 - w / W_max)``.  The package's
    defaults read as steps give ``exp(-5 / 0.02) ~ 1e-109`` (inert), and a trace
    that decays only on spike steps would give ``exp(0)`` (no decay between spikes).
    """
    snn = _pair(STDPParams(), 2, 7)
    out = snn.simulate()
    assert out[:, 0].nonzero()[0].tolist() == [2] and out[:, 1].nonzero()[0].tolist() == [7]
    w = snn.get_topology()[0, 1]
    expected = 0.01 + 1e-3 * math.exp(-5 / 20) * (1 - 0.01 / 1.0)
    assert w == pytest.approx(expected, rel=1e-6)
    assert w - 0.01 > 1e-3 * 0.5  # clearly learning, not ~1e-109


def test_stdp_params_map_to_engine_stdp_in_ms():
    stdp = STDPParams(tau_plus=0.01, tau_minus=0.03, weight_update_rule="additive").to_stdp()
    assert isinstance(stdp, STDP) and (stdp.tau_plus, stdp.tau_minus, stdp.rule) == (10.0, 30.0, "additive")
    assert STDPParams(enabled=False).to_stdp() is None


def test_weight_variance_is_a_variance():
    p = _params(weight_variance=0.0025, input_spike_times=None)
    snn = SNN(p, seed=9)
    snn.set_input_spike_times(np.zeros((5, 10), dtype=np.uint8))
    ref = Reservoir(60, n_inputs=5, n_outputs=8, k=6, p_rewire=0.2, mean_weight=0.3, weight_std=0.05,
                    threshold=1.0, leak_coefficient=0.05, refractory=2.0, dt=1.0, allow_large_dt=True, seed=9)
    np.testing.assert_array_equal(snn.get_topology().toarray(), ref.get_topology().toarray())


def test_refractory_period_must_be_non_negative():
    with pytest.raises(ValueError, match=r"refractory_period must be in \[0.0, inf\); got -1.0"):
        SNN(_params(refractory_period=-1))


def test_small_world_in_degree_is_exactly_k():
    snn = SNN(_params(small_world_graph_k=6, small_world_graph_p=0.5), seed=2)
    np.testing.assert_array_equal(np.diff(snn.get_topology().tocsc().indptr), np.full(60, 6))


def _hand_spikes(refractory: int) -> SNN:
    """Output neuron 0 is an input neuron with no synapses: it spikes exactly on its input steps 2, 3, 4, 10."""
    bits = np.zeros((1, 20), dtype=np.uint8)
    bits[0, [2, 3, 4, 10]] = 1
    return SNN(SimulationParams(adjacency_matrix=sp.csr_matrix((3, 3)), output_neurons=np.array([0]),
                                input_spike_times=bits, leak_coefficient=0.5, refractory_period=refractory,
                                membrane_threshold=1.0))


def test_burst_counts_are_runs_of_two_or_more_spikes():
    snn = _hand_spikes(0)
    assert snn.simulate()[:, 0].nonzero()[0].tolist() == [2, 3, 4, 10]
    # the package's "contiguous sequences of 1s" would count 2 ({2,3,4} and {10})
    assert snn.get_burst_counts().tolist() == [1.0]


def test_symmetry_and_histogram_moments_are_defined_exactly():
    snn = _hand_spikes(0)
    snn.simulate()
    ref = extract_features(np.zeros(4, dtype=np.int64), np.array([2, 3, 4, 10]), 1, 20, 1.0)
    assert snn.get_spike_symmetry().tolist() == [0.5]  # 3 spikes in [0, 10), 1 in [10, 20)
    mean, skew, kurt = snn.get_spike_histogram_moments()
    assert mean.tolist() == [4.75]
    np.testing.assert_array_equal(skew, ref["spike_time_skewness"])
    np.testing.assert_array_equal(kurt, ref["spike_time_kurtosis"])
    assert snn.get_spike_entropy_per_neuron().tolist() == [1.5]
    assert snn.get_spike_counts().tolist() == [4.0]


def test_simulate_starts_from_the_initial_state_every_time():
    snn = SNN(_params(), seed=4)
    first = snn.simulate()
    second = snn.simulate()
    np.testing.assert_array_equal(first, second)


def test_input_count_is_fixed_so_outputs_stay_non_input_neurons():
    snn = SNN(_params(), seed=4)
    assert snn.get_output_neurons().min() >= 5
    with pytest.raises(ValueError, match=r"input_spike_times must have 5 rows \(the input neurons fixed by the "
                                         r"first input matrix\); got shape \(9, 10\)"):
        snn.set_input_spike_times(np.zeros((9, 10), dtype=np.uint8))


def test_rescale_keeps_signs_and_sets_mean_abs_weight():
    snn = SNN(_params(), seed=4)
    w = snn.get_topology().tocoo()
    signs = np.where(np.arange(w.nnz) % 2 == 0, 1.0, -1.0)
    snn.set_topology(sp.csr_matrix((w.data * signs, (w.row, w.col)), shape=w.shape))
    snn.rescale_synaptic_weights_to_mean(0.1)
    new = snn.get_topology().tocoo()
    assert abs(np.abs(new.data).mean() - 0.1) < 1e-6
    old = dict(zip(zip(w.row, w.col, strict=True), w.data * signs, strict=True))
    assert all(np.sign(v) == np.sign(old[(r, c)]) for r, c, v in zip(new.row, new.col, new.data, strict=True))


def test_global_threshold_is_the_documented_formula():
    snn = SNN(_params(), seed=4)
    w = snn.get_topology()
    bits = _params().input_spike_times
    expected = w.data.mean() * np.diff(w.tocsc().indptr).mean() + 2 * 1.0 * bits.mean() * 2
    assert snn.compute_global_scalar_threshold() == pytest.approx(expected, rel=1e-6)


def test_zero_leak_keeps_the_potential():
    bits = np.zeros((1, 30), dtype=np.uint8)
    bits[0, 0] = 1
    snn = SNN(SimulationParams(adjacency_matrix=sp.csr_matrix((3, 3)), output_neurons=np.array([0]),
                               input_spike_times=bits, leak_coefficient=0.0, refractory_period=0,
                               membrane_threshold=1.0, current_amplitude=0.25))
    snn.simulate()
    assert snn.get_membrane_potentials()[0] == 0.25


# ---------------------------------------------------------------- bad input and files


def test_bad_parameters_name_themselves():
    with pytest.raises(ValueError, match=r"membrane_threshold must be given \(> 0\); got None"):
        SNN(_params(membrane_threshold=None))
    with pytest.raises(ValueError, match=r"leak_coefficient must be in \[0.0, 1.0\); got 1.0"):
        SNN(_params(leak_coefficient=1.0))
    with pytest.raises(ValueError, match="small_world_graph_k must be given when is_random_uniform is False"):
        SNN(_params(small_world_graph_k=None))
    with pytest.raises(ValueError, match=r"membrane_potentials must be in \[0, 1.0\] \(membrane_threshold\); "
                                         r"got 2.0 at index 0"):
        SNN(_params(membrane_potentials=np.full(60, 2.0)))
    with pytest.raises(TypeError, match="simulation_params must be a SimulationParams; got dict"):
        SNN({})  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="weight_update_rule must be one of 'multiplicative', 'additive'"):
        SNN(_params(), STDPParams(weight_update_rule="hebb"))
    snn = SNN(_params(input_spike_times=None))
    with pytest.raises(ValueError, match="input_spike_times must be set first"):
        snn.simulate()


def test_malformed_files_name_the_file(tmp_path):
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"garbage")
    with pytest.raises(ValueError, match=r"bad\.npz' must be a SciPy sparse matrix \.npz"):
        snnpy.load_topology(bad)
    npy = tmp_path / "bad.npy"
    npy.write_bytes(b"\x93NUMPY garbage")
    with pytest.raises(ValueError, match=r"bad\.npy' must be a \.npy array of membrane potentials"):
        snnpy.load_membrane_potentials(npy)
    floats = tmp_path / "floats.npy"
    np.save(floats, np.array([0.5, 1.5]))
    with pytest.raises(ValueError, match=r"floats\.npy' must hold a non-empty 1-d array of non-negative integer"):
        snnpy.load_output_neurons(floats)
    obj = tmp_path / "obj.npy"
    np.save(obj, np.array([{"a": 1}], dtype=object), allow_pickle=True)
    with pytest.raises(ValueError, match=r"obj\.npy' must be a \.npy array of membrane potentials"):
        snnpy.load_membrane_potentials(obj)
    rect = tmp_path / "rect.npz"
    sp.save_npz(rect, sp.csr_matrix(np.ones((2, 3))))
    with pytest.raises(ValueError, match=r"rect\.npz' must hold a square matrix of finite weights"):
        snnpy.load_topology(rect)
    with pytest.raises(FileNotFoundError):
        snnpy.load_topology(tmp_path / "absent.npz")
