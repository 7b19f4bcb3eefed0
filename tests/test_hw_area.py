"""Area reports: Yosys cell counts of emitted blocks."""

from __future__ import annotations

import pytest
from _hw_toy_blocks import ToyBroken, ToyCounter, ToySignedAcc, require_tool

from hw_models._area import area_report, cell_counts
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
        assert (tmp_path / "stat.json").exists()
        assert f"{rep.total_cells} cells ({width} flip-flops" in rep.summary()

    def test_wider_datapath_costs_more(self):
        counts = cell_counts({f"acc{w}": ToySignedAcc(w) for w in (4, 8, 16)})
        assert counts["acc4"] < counts["acc8"] < counts["acc16"]

    def test_yosys_error_is_reported(self):
        with pytest.raises(CosimError, match="yosys failed on the emitted Verilog"):
            area_report(ToyBroken(4))
