"""RTL co-simulation: every hw_models block's emitted Verilog, run in Icarus Verilog,
equals its Python model cycle for cycle.

In CI (env CI set) a missing simulator fails these tests; locally they skip and
say what to install.
"""

from __future__ import annotations

import numpy as np
import pytest
from _hw_toy_blocks import ToyBroken, ToyCounter, ToySignedAcc, require_tool

from hw_models._cosim import CosimError, cosimulate, emit_testbench

pytestmark = pytest.mark.rtl


@pytest.fixture(autouse=True)
def _simulator() -> None:
    require_tool("iverilog")
    require_tool("vvp")


# --- the harness itself, on hand-written toy blocks ---------------------------


@pytest.mark.parametrize("width", [1, 3, 8, 13])
def test_toy_counter_matches(tmp_path, width):
    rng = np.random.default_rng(width)
    n = 3000
    en = rng.integers(0, 2, n)
    blk = ToyCounter(width, start=(5 % (1 << width)))
    res = cosimulate(blk, n, {"en": en}, workdir=tmp_path)
    assert res.ok, str(res)
    # the model run is the expected counter
    expected = (blk.start + np.concatenate([[0], np.cumsum(en)[:-1]])) % (1 << width)
    np.testing.assert_array_equal(res.model["q"], expected)
    np.testing.assert_array_equal(res.rtl["q"], expected)
    assert (tmp_path / "dut.v").exists() and (tmp_path / "tb.v").exists()


@pytest.mark.parametrize("width", [2, 7, 16, 40])
def test_toy_signed_accumulator_matches(width):
    rng = np.random.default_rng(100 + width)
    lo, hi = -(1 << (width - 1)), (1 << (width - 1)) - 1
    x = rng.integers(lo, hi + 1, 2000)
    res = cosimulate(ToySignedAcc(width), 2000, {"x": x})
    assert res.ok, str(res)
    assert res.rtl["acc"].min() < 0 < res.rtl["acc"].max()  # both signs exercised
    np.testing.assert_array_equal(res.rtl["neg"], (res.rtl["acc"] < 0).astype(int))


def test_reset_cycles_follow_model():
    n = 500
    en = np.ones(n, dtype=int)
    res = cosimulate(ToyCounter(6, start=3), n, {"en": en}, reset_cycles=[10, 11, 200])
    assert res.ok, str(res)
    q = res.rtl["q"]
    assert q[10] == 10 + 3 and q[11] == 3 and q[12] == 3 and q[13] == 4
    assert q[201] == 3


def test_first_mismatch_is_reported():
    # the RTL freezes the accumulator when it equals 9; with x = 1 the model reaches 9 at cycle 9
    n = 100
    res = cosimulate(ToySignedAcc(8, bug_at=9), n, {"x": np.ones(n, dtype=int)})
    assert not res.ok
    assert (res.mismatch.cycle, res.mismatch.port) == (10, "acc")
    assert (res.mismatch.model, res.mismatch.rtl) == (10, 9)
    assert "cycle 10" in str(res)


def test_compile_error_is_reported():
    with pytest.raises(CosimError, match="iverilog failed to compile"):
        cosimulate(ToyBroken(4), 10, {"en": [0] * 10})


def test_bad_inputs_rejected():
    blk = ToySignedAcc(4)
    with pytest.raises(ValueError, match=r"inputs\['x'\] must be integers in \[-8, 7\].*got 8 at cycle 2"):
        cosimulate(blk, 3, {"x": [0, 1, 8]})
    with pytest.raises(ValueError, match="must hold at least n_cycles=5 values; got 3"):
        cosimulate(blk, 5, {"x": [0, 1, 2]})
    with pytest.raises(ValueError, match="must give a sequence for port 'x'"):
        cosimulate(blk, 5)
    with pytest.raises(ValueError, match=r"got unknown \['y'\]"):
        cosimulate(blk, 2, {"x": [0, 0], "y": [1, 1]})
    with pytest.raises(ValueError, match=r"n_cycles must be an integer in \[1, "):
        cosimulate(blk, 0, {"x": []})
    with pytest.raises(TypeError, match="block must be a hw_models Block"):
        cosimulate("counter", 5)  # type: ignore[arg-type]


def test_testbench_text_is_verilog_2005_shape():
    tb = emit_testbench(ToySignedAcc(5), 7, reset_cycles=[1])
    assert "toy_acc_top dut (.clk(clk), .rst(rst), .x(i_x), .acc(o_acc), .neg(o_neg));" in tb
    assert '$readmemh("rst.hex", m_rst);' in tb
    assert "for (t = 0; t < 7; t = t + 1)" in tb


def test_random_inputs_cover_port_ranges():
    from hw_models._cosim import random_inputs

    ins = random_inputs(ToySignedAcc(3), 2000, seed=5)
    assert set(ins) == {"x"} and ins["x"].min() == -4 and ins["x"].max() == 3
    again = random_inputs(ToySignedAcc(3), 2000, seed=5)
    np.testing.assert_array_equal(ins["x"], again["x"])
    res = cosimulate(ToySignedAcc(3), 2000, ins)
    assert res.ok, str(res)
