"""Area reports: Yosys cell counts of emitted blocks."""

from __future__ import annotations

import pytest
from _hw_toy_blocks import ToyBroken, ToyCounter, ToySignedAcc, require_tool

import hw_models as hw
import hw_models._counters as ctr
import hw_models._lif as lif
from hw_models._area import area_report, cell_counts, parse_stat
from hw_models._cosim import CosimError, ToolNotFoundError, cosimulate


def test_missing_tools_say_what_to_install(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty directory: no yosys, no iverilog
    with pytest.raises(ToolNotFoundError, match=r"yosys not found on PATH; install Yosys \(Debian/Ubuntu: apt-get install yosys"):
        area_report(ToyCounter(4))
    with pytest.raises(ToolNotFoundError, match=r"iverilog not found on PATH; install Icarus Verilog \(Debian/Ubuntu: apt-get install iverilog"):
        cosimulate(ToyCounter(4), 3, {"en": [1, 1, 1]})


def test_area_rejects_non_blocks():
    with pytest.raises(TypeError, match="block must be a hw_models Block; got int"):
        area_report(3)  # type: ignore[arg-type]


CLASSIC_STAT = """
3. Printing statistics.

=== $paramod\\cnt\\W=s32'00000000000000000000000000001000 ===

   Number of wires:                 14
   Number of cells:                 24
     $_ANDNOT_                       3
     $_SDFFE_PP0P_                   8
     $_XOR_                         13

=== top ===

   Number of wires:                  5
   Number of cells:                  2
     $_AND_                          1
     $paramod\\cnt\\W=s32'00000000000000000000000000001000      1

=== design hierarchy ===

   top                               1
     $paramod\\cnt\\W=s32'00000000000000000000000000001000      1

   Number of wires:                 19
   Number of cells:                 25
     $_ANDNOT_                       3
     $_AND_                          1
     $_SDFFE_PP0P_                   8
     $_XOR_                         13

"""

COUNT_FIRST_STAT = """
=== top ===

       12 wires
        9 cells
        1   $_AND_
        8   $_DFF_P_

"""


def test_parse_stat_layouts():
    total, by_type, modules = parse_stat(CLASSIC_STAT, "top")
    assert total == 25 and by_type == {"$_ANDNOT_": 3, "$_AND_": 1, "$_SDFFE_PP0P_": 8, "$_XOR_": 13}
    assert modules["top"] == {"$_AND_": 1, "$paramod\\cnt\\W=s32'00000000000000000000000000001000": 1}
    assert len(modules) == 2
    total, by_type, modules = parse_stat(COUNT_FIRST_STAT, "top")
    assert (total, by_type) == (9, {"$_AND_": 1, "$_DFF_P_": 8}) and modules == {"top": by_type}
    with pytest.raises(ValueError, match="no cell statistics for top module 'other'"):
        parse_stat(COUNT_FIRST_STAT, "other")


@pytest.mark.rtl
class TestYosys:
    @pytest.fixture(autouse=True)
    def _yosys(self) -> None:
        require_tool("yosys")

    @pytest.mark.parametrize("width", [4, 8, 12])
    def test_counter_has_one_flip_flop_per_bit(self, width, tmp_path):
        rep = area_report(ToyCounter(width), workdir=tmp_path)
        assert rep.flip_flops == width
        assert rep.total_cells == sum(rep.cells_by_type.values())
        assert rep.logic_cells == rep.total_cells - width > 0
        assert rep.top == "toy_counter_top" and "toy_counter_top" in rep.modules
        assert (tmp_path / "stat.txt").exists()
        assert f"{rep.total_cells} cells ({width} flip-flops" in rep.summary()

    def test_wider_datapath_costs_more(self):
        counts = cell_counts({f"acc{w}": ToySignedAcc(w) for w in (4, 8, 16)})
        assert counts["acc4"] < counts["acc8"] < counts["acc16"]

    def test_yosys_error_is_reported(self):
        with pytest.raises(CosimError, match="yosys failed on the emitted Verilog"):
            area_report(ToyBroken(4))


@pytest.mark.rtl
class TestBlockAreas:
    @pytest.fixture(autouse=True)
    def _yosys(self) -> None:
        require_tool("yosys")

    @pytest.mark.parametrize("width", [3, 8, 16, 24, 32])
    def test_fibonacci_lfsr_is_flops_plus_tap_xors(self, width):
        # n flip-flops and one 2-input XOR per extra tap; the synchronous reset folds into the flop
        # cells ($_SDFF_*) in Yosys 0.23, and may cost at most one gate per bit where it does not
        lfsr = hw.FibonacciLFSR(width, 1)
        rep = area_report(lfsr)
        assert rep.flip_flops == width
        xors = rep.cells_by_type.get("$_XOR_", 0) + rep.cells_by_type.get("$_XNOR_", 0)
        assert xors == len(lfsr.taps) - 1
        assert rep.logic_cells - xors <= width

    def test_flattening_propagates_constant_thresholds(self):
        sng = hw.SNG(hw.FibonacciLFSR(8, 1), 100)
        flat, hier = area_report(sng), area_report(sng, flatten=False)
        assert flat.flip_flops == hier.flip_flops == 8
        assert flat.total_cells < hier.total_cells
        assert any("sc_sng_cmp" in m for m in hier.modules) and len(flat.modules) == 1

    def test_deep_hierarchy_parses(self):
        # three levels (top > apc > popcount): totals come from the "design hierarchy" section
        rep = area_report(ctr.AccumulativeParallelCounter(16, 256), flatten=False)
        assert rep.flip_flops == 13 and rep.total_cells > 13
        # the total counts every cell of every module once per instance (each module is used once here)
        leaf_cells = sum(v for m in rep.modules.values() for k, v in m.items() if not k.startswith("$paramod"))
        assert rep.total_cells == leaf_cells

    def test_counter_and_lif_widths(self):
        assert area_report(ctr.UpCounter(256)).flip_flops == 9  # n + 1 bits for 2^n
        assert area_report(ctr.UpDownCounter(256)).flip_flops == 10  # signed: one more
        lif_rep = area_report(lif.FixedPointLIFNeuron(16, 256, 0, 0, 4, 2))
        assert lif_rep.flip_flops == 16 + 2  # membrane + refractory counter

    def test_flatten_must_be_bool(self):
        with pytest.raises(TypeError, match="flatten must be a bool; got str 'yes'"):
            area_report(ToyCounter(4), flatten="yes")  # type: ignore[arg-type]
