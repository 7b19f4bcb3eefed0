"""The tutorial notebooks: in sync with their scripts, and they execute with the outputs the lessons claim.

``tutorials/notebooks/NN_x.ipynb`` is generated from ``tutorials/NN_x.py`` by
``scripts/make_notebooks.py``.  The sync test regenerates every notebook in memory
and compares it cell by cell with the committed one (needs jupytext).  The
execution test runs each committed notebook in a fresh ``python3`` kernel with
nbclient, in a temporary working directory (where its figures land), with the
tutorials directory and this checkout on the kernel's ``PYTHONPATH`` (the setup
cell of the notebook handles the case of Jupyter started in
``tutorials/notebooks/``), and checks that no cell raised, that the printed text
contains the numbers the lesson states, and that every figure written was also
displayed.  Both need the ``notebooks`` extra and skip without it.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import pytest
from test_tutorials import FAST_WITHOUT_JIT

ROOT = Path(__file__).resolve().parent.parent
TUTORIALS_DIR = ROOT / "tutorials"
NOTEBOOKS_DIR = TUTORIALS_DIR / "notebooks"
SCRIPTS = sorted(TUTORIALS_DIR.glob("[0-9][0-9]_*.py"))
HAVE_MATPLOTLIB = importlib.util.find_spec("matplotlib") is not None

# Printed text each lesson's markdown and docstring quote (deterministic: every run is seeded).
KEY_OUTPUT: dict[str, list[str]] = {
    "00_bits": ["a (p = 0.75): 1111111011100111   13 ones -> 0.8125",
                "RMS error over the streams at t = 1024: 0.0134, theory SE = 0.0135"],
    "09_bipolar_and_addition": ["15 of 15 products within 2 SE of x w",
                                "APC is 2.1x more precise than the MUX for the same L."],
    "16_interop": ["Output shape: (200, 12)", "simulate() again gives the same output: True",
                   "mean |dw| = 2.24e-01, 7850 synapses potentiated, 1150 depressed",
                   "original 1008 spikes, re-imported 1008 spikes, identical spikes: True",
                   "in 100 ms: [164, 62, 41, 145, 173]"],
    "17_choosing_generators": ["width 16: default taps, period 65535 = 2^16 - 1",
                               "     1       2   0.2857        0.2857"],
    "18_fixed_point": ["first spike after 25 cycles (formula 25)",
                       "33 spikes, spikes and membrane identical on every cycle"],
    "19_hardware_waveform": ["the gate-level model has the same spikes on every cycle",
                             "equal the Python model's trace on all 48 cycles"],
    "21_activation_three_ways": ["Bernstein coefficients (degree 6): [0.0277, 0.0295, 0.0, 0.5, 1.0, 0.9705, 0.9723]",
                                 "  1024                   0.0549                   0.0266                   0.0831",
                                 "  4096                   0.0420                   0.0193                   0.0811"],
    "22_correlation_control": ["(independent sources): mean |error| vs min 0.1265, mean SCC -0.001",
                               "AND count == min of the counts for every q: True",
                               "synced (synchronizer depth 4): mean |error| vs min 0.0072, mean SCC +0.967",
                               "    8    +0.989       0.0027               8",
                               "  right   OK\n  synced  OK",
                               "SCC -0.850 (from -0.001)"],
    "01_single_neuron": ["10 spikes in 200 ms -> 50.0 Hz", "= 19.62 ms -> 51.0 Hz", "25 steps -> 40 Hz"],
    "02_sc_multiplication": ["fitted slope of log(error) vs log(L): -0.51 (theory -0.5)",
                             "XNOR of the streams decodes to -0.2017"],
    "03_current_source": ["expected value             0.0653", "repeat exactly: True"],
    "04_dense_layer": ["rates: mean 66.0 Hz, spread (std/mean) 0.0%", "on 111 of 500 steps",
                       "    0.2      0.0381           0.0 Hz    8.0 Hz"],
    "05_two_layers": ["all inside layer 2's input range [0, 0.1]: True", "expected current 0.0837"],
    "06_correctness": ["measured 50.00 Hz, error 1.92%", "0.10    19.568     19.60"],
    "07_error_vs_length": ["sqrt(1.92) = 1.38", "lfsr full period -1.00"],
    "08_correlation": ["bernoulli, same seed                +1.000      0.2970  0.2371  +36.1",
                       "at the measured densities: 0.0e+00", "off by up to 0.0043"],
    "10_decision_network": ["rate(A) > 50 Hz (fixed)      accuracy  50.0%", "period 12.7 ms (79 Hz)"],
    "11_reservoir_readout": ["in-degree of every neuron: [20]", "readout on spike_count: test accuracy 78.3%",
                             "half_asymmetry: test accuracy 95.0%"],
    "12_stdp_weights": ["A->B gain 0.003894; A+ * exp(-5/20) = 0.003894", "spread within a group 0.0e+00",
                        "prediction 5.6e-08"],
    "13_sc_vs_deterministic_synapses": ["bernoulli: network rate +1.58 +- 0.09 Hz",
                                        "lfsr: network rate +1.43 +- 0.11 Hz"],
    "14_event_driven": ["1.0000    -1.50772   -8.1759", "falls by 58x", "0.1250            56          56 / 56",
                        "same spike times and neurons, bit for bit: True"],
    "15_sweep_error_vs_length": ["27 points x 32 seeds = 864 runs", "864 runs found done, 0 run",
                                 "bernoulli: fitted slope of log mean|error| vs log L = -0.50"],
    "31_short_term_plasticity": ["    2      0.246601     0.246601      0.265147     0.265147",
                                 "largest |measured - closed form| = 2.2e-16",
                                 "  depressing: mean   7.5 Hz",
                                 "busy: pilot rate 19.94 Hz -> choose_engine picks 'clock' (crossover 12.6 Hz)"],
    "30_digits_to_fpga": ["fast path == plain-Python reference on 3 images, every counter: True",
                          "early termination: same predictions True"],
    "32_neuron_models": ["              chattering     27    1.6   1.7   1.9      5.0          22       4",
                         "largest |network - analytic| over 400 steps: 3.9e-07",
                         "event-driven spike at 2.326995346 ms, root of the formula 2.326995346 ms",
                         "mean rates after 100 ms: excitatory 20.04 Hz, inhibitory 19.50 Hz"],
    "20_hardware_prototyping": ["76 ones -> p*q ~ 0.2980", "bit-for-bit equal to the gate-level model: True",
                                "product count 127 = min(X, W) - 1 = 127"],
}


def _make_notebooks():  # type: ignore[no-untyped-def]
    pytest.importorskip("jupytext")
    spec = importlib.util.spec_from_file_location("make_notebooks", ROOT / "scripts" / "make_notebooks.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _param(path: Path):  # type: ignore[no-untyped-def]
    marks = [] if path.name in FAST_WITHOUT_JIT else [pytest.mark.slow]
    return pytest.param(path, id=path.stem, marks=marks)


def test_every_lesson_states_its_key_output() -> None:
    assert sorted(KEY_OUTPUT) == [s.stem for s in SCRIPTS]


def test_notebooks_are_in_sync_with_their_scripts() -> None:
    nbformat = pytest.importorskip("nbformat")
    mk = _make_notebooks()
    stored = sorted(NOTEBOOKS_DIR.glob("*.ipynb"))
    assert [p.stem for p in stored] == [s.stem for s in SCRIPTS], "run: python scripts/make_notebooks.py"
    for script in SCRIPTS:
        fresh = mk.build(script)
        nb = nbformat.read(mk.notebook_path(script), as_version=4)
        assert nb.metadata["kernelspec"]["name"] == "python3"
        got = [(c.cell_type, c.source) for c in nb.cells]
        want = [(c.cell_type, c.source) for c in fresh.cells]
        assert len(got) == len(want), f"{script.name}: cell count differs; run: python scripts/make_notebooks.py"
        for k, (g, w) in enumerate(zip(got, want, strict=True)):
            assert g == w, f"{script.name}: cell {k} differs; run: python scripts/make_notebooks.py"
        for c in nb.cells:
            if c.cell_type == "code":
                assert c.outputs == [] and c.execution_count is None, f"{script.name}: commit without outputs"
        assert [c.cell_type for c in nb.cells[:2]] == ["markdown", "code"]
        assert "\n# %%" in script.read_text(encoding="utf-8"), f"{script.name} must be split into cells"
        assert "Try this" in nb.cells[-1].source, f"{script.name} must end with 'Try this' prompts"


def test_generated_markdown_turns_the_docstring_into_a_title() -> None:
    mk = _make_notebooks()
    md = mk.docstring_markdown("Tutorial 99 - a title.\n\nSee :class:`~sc_neurocore.SCDenseLayer` and ``x``.",
                               TUTORIALS_DIR / "99_x.py")
    assert md.startswith("# Tutorial 99 - a title.\n")
    assert "See `SCDenseLayer` and `x`." in md
    assert "`tutorials/99_x.py`" in md


@pytest.mark.parametrize("script", [_param(s) for s in SCRIPTS])
def test_notebook_executes(script: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    nb = nbformat.read(NOTEBOOKS_DIR / (script.stem + ".ipynb"), as_version=4)
    # the kernel imports this checkout and tutorials/_common.py, whatever is installed
    path = [str(TUTORIALS_DIR), str(ROOT)] + ([os.environ["PYTHONPATH"]] if os.environ.get("PYTHONPATH") else [])
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(path))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.setenv("JUPYTER_PLATFORM_DIRS", "1")  # silences jupyter_core's path-migration warning
    client = nbclient.NotebookClient(nb, timeout=1200, kernel_name="python3",
                                     resources={"metadata": {"path": str(tmp_path)}})
    client.execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    errors = [o for o in outputs if o.output_type == "error"]
    assert not errors, "\n".join(f"{e.ename}: {e.evalue}" for e in errors)
    text = "".join(o.text for o in outputs if o.output_type == "stream" and o.name == "stdout")
    for claim in KEY_OUTPUT[script.stem]:
        assert claim in text, f"{script.stem} should print {claim!r}; printed:\n{text}"
    shown = sum("image/png" in o.get("data", {}) for o in outputs if o.output_type == "display_data")
    written = sorted(tmp_path.glob("*.png"))
    if HAVE_MATPLOTLIB:
        assert written, f"{script.stem} wrote no figure"
    assert shown == len(written), (shown, written)
