"""``benchmarks/bench_scale.py``: the seed's workload runs, and its comparison with the seed's row."""

from __future__ import annotations

import importlib
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"


@pytest.fixture
def bench_scale(monkeypatch):
    # importing the script sets NUMBA_NUM_THREADS if unset: keep the process's environment as it was
    monkeypatch.setenv("NUMBA_NUM_THREADS", os.environ.get("NUMBA_NUM_THREADS", "1"))
    monkeypatch.syspath_prepend(str(BENCH))
    return importlib.import_module("bench_scale")


def test_seed_comparison_says_which_figures_are_beaten(bench_scale):
    assert bench_scale.SEED_ROW == (0.2, 25.0, 5e7)
    lines = bench_scale.seed_comparison(0.3, 12.4, 8.3e7)
    assert lines == [
        "  the seed's RTF (biological / wall time): 0.2; this run: 0.3 (beaten)",
        "  the seed's peak memory (GB): 25; this run: 12.4 (beaten)",
        "  the seed's events/s: 5e+07; this run: 8.3e+07 (beaten)",
    ]
    # slower than the seed, more memory, fewer events: none beaten; equal is not beaten either
    lines = bench_scale.seed_comparison(0.19, 25.0, 4.9e7)
    assert [line.endswith("(NOT beaten)") for line in lines] == [True, True, True]


@pytest.mark.slow
def test_seed_workload_runs_with_its_synapses_and_weights_and_threads_agree():
    out = subprocess.run(
        [sys.executable, str(BENCH / "bench_scale.py"), "--n", "2000", "--ms", "60", "--config", "seed",
         "--threads", "1,2"],
        capture_output=True, text=True, check=True, timeout=600,
    ).stdout
    # 1000 synapses per neuron (Erdos-Renyi: binomial, mean 1000), the 'denser' weights x 100 / 1000
    per_neuron = [float(x) for x in re.findall(r"synapses \(([\d.]+) per neuron\)", out)]
    assert len(per_neuron) == 2 and all(abs(x - 1000) < 5 for x in per_neuron), out
    assert out.count("w_exc 0.002, w_inh 0.01, Poisson kicks 0.3 Hz") == 2, out
    assert "spikes identical to threads=1: True" in out, out
    assert "the seed's" not in out.replace("the seed's workload", "")  # the comparison is for 10^6 neurons


def test_bad_synapse_count_is_refused_with_its_value():
    res = subprocess.run(
        [sys.executable, str(BENCH / "bench_scale.py"), "--k", "0", "--config", "seed"],
        capture_output=True, text=True, timeout=600,
    )
    assert res.returncode == 2
    assert "--k must be at least 1 (synapses per neuron), got 0" in res.stderr
