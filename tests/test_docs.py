"""The documentation states what the code does: runnable examples, and printed numbers quoted right."""

from __future__ import annotations

import re
import runpy
import sys
from pathlib import Path

import numpy as np
import pytest

from sc_neurocore.network import Current, EventDrivenNetwork, Network, Population

ROOT = Path(__file__).resolve().parents[1]


def _python_blocks(path: Path) -> list[str]:
    return re.findall(r"^```python\n(.*?)^```", path.read_text(encoding="utf-8"), re.S | re.M)


def test_tutorial_api_python_blocks_are_valid_and_run() -> None:
    doc = ROOT / "docs" / "tutorial_api.md"
    blocks = _python_blocks(doc)
    assert len(blocks) == 6  # one per class section
    ns: dict[str, object] = {"__name__": "__doc__"}
    for i, block in enumerate(blocks):
        code = compile(block, f"{doc.name} python block {i}", "exec")  # valid Python
        exec(code, ns)  # noqa: S102 - and it runs, blocks in order as in a notebook
    # the recorder saw one step, then 200: its rate is spikes per 201 ms
    assert ns["hz"] == pytest.approx(ns["n"] * 1000.0 / 201)  # type: ignore[operator]


def test_tutorials_readme_quotes_tutorial_04_spread(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    path = ROOT / "tutorials" / "04_dense_layer.py"
    monkeypatch.setattr(sys, "argv", [str(path), "--out", str(tmp_path)])
    monkeypatch.syspath_prepend(str(ROOT / "tutorials"))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    runpy.run_path(str(path), run_name="__main__")
    out = capsys.readouterr().out
    m = re.search(r"rates: mean ([\d.]+) Hz, spread \(std/mean\) ([\d.]+)%", out)
    assert m is not None, out
    row = next(ln for ln in (ROOT / "tutorials" / "README.md").read_text().splitlines()
               if ln.startswith("| `04_dense_layer.py`"))
    assert f"{m.group(1)} Hz, rate spread {m.group(2)}%" in row, (m.group(0), row)
    assert "few percent" not in row


def test_tutorials_readme_run_time_is_not_a_blanket_claim() -> None:
    text = (ROOT / "tutorials" / "README.md").read_text()
    intro = text.split("## ")[0]
    assert "each a few seconds" not in intro  # tutorial 14 takes ~20 s cold
    assert re.search(r"Tutorial 14 takes about\s+20 s cold", intro)


def _signed_euler_errors(dt: float) -> float:
    """Signed mean (clock - exact) of the first five spike times of tutorial 14's eight neurons."""
    i_ext = np.linspace(0.06, 0.2, 8)
    exact = EventDrivenNetwork(Population(8, tau_m=20.0, refractory=2.0, dt=1.0), i_ext=i_ext).run(200.0)
    trains = exact.spike_trains()
    net = Network(Population(8, tau_m=20.0, refractory=2.0, dt=dt))
    net.add_input(Current(i_ext, time_varying=False))
    sp = net.run(round(200.0 / dt))
    errs = [(sp.steps[sp.neurons == i][:5] + 1.0) * dt - trains[i][:5] for i in range(8)]
    return float(np.concatenate(errs).mean())


def test_event_driven_doc_euler_crossing_is_early() -> None:
    text = " ".join((ROOT / "docs" / "event_driven.md").read_text().split())
    assert "Euler's crossing is early" in text
    assert "Euler's crossing is late" not in text and "cross slightly later" not in text
    m = re.search(r"signed mean error of (-[\d.]+) ms at `dt = 1`, (-[\d.]+) ms at `dt = 1/8` "
                  r"and (-[\d.]+) ms at `dt = 1/64`", text)
    assert m is not None
    for quoted, dt in zip(m.groups(), (1.0, 1 / 8, 1 / 64), strict=True):
        digits = len(quoted.split(".")[1])
        assert float(quoted) == round(_signed_euler_errors(dt), digits), dt


def test_readme_says_where_the_seed_tutorial_test_reads_the_seed() -> None:
    text = " ".join((ROOT / "README.md").read_text().split())
    assert "`tests/test_seed_tutorial.py` reads the real seed tutorial only where `../shared/seeds/" in text
    assert "fails the run" in text and "tests/data/tutorial_first_snn_cells.json" in text
