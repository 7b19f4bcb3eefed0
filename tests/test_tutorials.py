"""Every tutorial script runs to the end, in-process, and (with matplotlib) writes its figures.

Tutorials are discovered as ``tutorials/[0-9][0-9]_*.py`` and executed with
``runpy.run_path(path, run_name="__main__")``, as ``python tutorials/NN_x.py
--out DIR`` would (the tutorials directory on ``sys.path``, so ``_common``
imports), with ``DIR`` a temporary directory and the ``Agg`` matplotlib backend.
"""

from __future__ import annotations

import importlib.util
import runpy
import sys
from pathlib import Path

import pytest

TUTORIALS_DIR = Path(__file__).resolve().parent.parent / "tutorials"
TUTORIALS = sorted(TUTORIALS_DIR.glob("[0-9][0-9]_*.py"))
HAVE_MATPLOTLIB = importlib.util.find_spec("matplotlib") is not None

# Tutorials that deliberately write no figure (name -> reason).  Empty: all of them do.
NO_FIGURES: dict[str, str] = {}

# Run time of a tutorial as plain Python (NUMBA_DISABLE_JIT=1) is far longer than compiled;
# the ones listed here were measured to finish in a few seconds that way, every other one is
# marked slow (deselected in the no-JIT pass, still run in the compiled pass).
FAST_WITHOUT_JIT = {
    "01_single_neuron.py",
    "03_current_source.py",
    "04_dense_layer.py",
    "05_two_layers.py",
    "18_fixed_point.py",
    "19_hardware_waveform.py",
}


def _param(path: Path):  # type: ignore[no-untyped-def]
    marks = [] if path.name in FAST_WITHOUT_JIT else [pytest.mark.slow]
    return pytest.param(path, id=path.stem, marks=marks)


def test_tutorials_are_found():
    names = [p.name for p in TUTORIALS]
    for n in range(1, 9):
        assert any(name.startswith(f"{n:02d}_") for name in names), f"tutorial {n:02d} missing: {names}"


@pytest.mark.parametrize("path", [_param(p) for p in TUTORIALS])
def test_tutorial_runs(path: Path, tmp_path, monkeypatch, capsys):
    fig_dir = tmp_path / "figures"
    monkeypatch.setattr(sys, "argv", [str(path), "--out", str(fig_dir)])
    monkeypatch.syspath_prepend(str(TUTORIALS_DIR))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.chdir(tmp_path)  # anything written relative to the cwd lands in tmp_path
    if HAVE_MATPLOTLIB:
        import matplotlib

        with matplotlib.rc_context():  # the tutorials' style must not leak into other tests
            runpy.run_path(str(path), run_name="__main__")
    else:
        runpy.run_path(str(path), run_name="__main__")
    out = capsys.readouterr().out
    assert out.strip(), "a tutorial must print what it shows"
    if HAVE_MATPLOTLIB:
        import matplotlib.pyplot as plt

        plt.close("all")  # in case a tutorial used pyplot
        written = sorted(fig_dir.glob("*")) if fig_dir.exists() else []
        if path.name in NO_FIGURES:
            assert written == [], NO_FIGURES[path.name]
        else:
            assert written, f"{path.name} wrote no figure into --out"
            for f in written:
                assert f.stat().st_size > 0, f
    else:
        assert not fig_dir.exists() or not any(fig_dir.iterdir()), "figures written without matplotlib"


@pytest.mark.parametrize("path", [_param(p) for p in TUTORIALS])
def test_tutorial_runs_without_matplotlib(path: Path, tmp_path, monkeypatch, capsys):
    """Without the plot extra a tutorial still prints its numbers and writes no figure."""
    fig_dir = tmp_path / "figures"
    monkeypatch.setattr(sys, "argv", [str(path), "--out", str(fig_dir)])
    monkeypatch.syspath_prepend(str(TUTORIALS_DIR))
    monkeypatch.chdir(tmp_path)
    for name in [m for m in sys.modules if m == "matplotlib" or m.startswith("matplotlib.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # makes `import matplotlib` raise ImportError
    runpy.run_path(str(path), run_name="__main__")
    assert capsys.readouterr().out.strip()
    assert not fig_dir.exists() or not any(fig_dir.iterdir())
