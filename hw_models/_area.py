"""Area estimates: synthesise a block's Verilog with Yosys and count cells (private).

``yosys -p "read_verilog design.v; synth -flatten -top <top>; stat"`` maps the
design onto Yosys' internal gate library (``$_AND_``, ``$_XOR_``, ``$_MUX_``,
``$_DFF_P_``, ``$_SDFF_PP0_`` ...: one cell is one 2-input gate, one mux or
one flip-flop bit).  The cell count is a technology-independent proxy for area,
good for comparing SC blocks with each other and with binary arithmetic; it is
not a layout area.  By default the design is flattened first, so constant
parameters (seeds, comparator thresholds) are optimised into the logic as a
real flow would; with ``flatten=False`` each generic module is synthesised
once on its own and listed with its own counts.
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from hw_models._common import Block
from hw_models._cosim import CosimError, require_tool

__all__ = ["AreaReport", "area_report", "cell_counts", "parse_stat"]


@dataclass(frozen=True)
class AreaReport:
    """Cell counts of one synthesised block.

    Attributes
    ----------
    top : str
        Top module name.
    total_cells : int
        Cells of the whole design (every sub-module instance expanded).
    cells_by_type : dict of str to int
        The same total split by Yosys cell type.
    flip_flops : int
        Cells that are flip-flops (type name contains ``DFF``): one per register bit.
    modules : dict of str to dict of str to int
        Per module: its own ``cells_by_type`` (sub-module instances appear as
        cells named after the sub-module).
    """

    top: str
    total_cells: int
    cells_by_type: dict[str, int]
    flip_flops: int
    modules: dict[str, dict[str, int]]

    @property
    def logic_cells(self) -> int:
        """Cells that are not flip-flops (gates, muxes)."""
        return self.total_cells - self.flip_flops

    def summary(self) -> str:
        """One line: total, flip-flops, logic cells."""
        return (f"{self.top}: {self.total_cells} cells "
                f"({self.flip_flops} flip-flops, {self.logic_cells} logic)")


def _clean(name: str) -> str:
    return name[1:] if name.startswith("\\") else name


_SECTION = re.compile(r"^=== (.+?) ===[ \t]*$", re.M)
_CELLS = (re.compile(r"^\s*Number of cells:\s+(\d+)\s*$"), re.compile(r"^\s*(\d+)\s+cells\s*$"))
_TYPE_NAME_FIRST = re.compile(r"^\s+(\S+)\s+(\d+)\s*$")
_TYPE_COUNT_FIRST = re.compile(r"^\s+(\d+)\s+(\S+)\s*$")


def _cells_of(body: str) -> tuple[int, dict[str, int]] | None:
    """(total, by type) from one ``stat`` section, or None if it has no cell count."""
    total = None
    by_type: dict[str, int] = {}
    for line in body.splitlines():
        if total is None:
            for pat in _CELLS:
                m = pat.match(line)
                if m:
                    total = int(m.group(1))
            continue
        m = _TYPE_NAME_FIRST.match(line)
        if m and not m.group(1).isdigit():
            by_type[_clean(m.group(1))] = int(m.group(2))
            continue
        m = _TYPE_COUNT_FIRST.match(line)
        if m:
            by_type[_clean(m.group(2))] = int(m.group(1))
            continue
        break  # the first line that is not a cell type ends the list
    return None if total is None else (total, by_type)


def parse_stat(text: str, top: str) -> tuple[int, dict[str, int], dict[str, dict[str, int]]]:
    """Parse the text output of Yosys ``stat``: (design total, design cells by type, per-module cells).

    The design total is the ``design hierarchy`` section when present (every
    sub-module instance expanded), else the top module's own section.  The
    classic layout (``Number of cells: N`` then ``<type> <count>`` lines, as
    Yosys 0.23 prints it) and count-first lines (``N cells`` then
    ``<count> <type>``) are both understood.  Text rather than ``stat -json``:
    older releases lack the option and 0.23 prints its hierarchy table into
    the JSON of three-level designs.
    """
    parts = _SECTION.split(text)
    sections = {_clean(parts[i].strip()): parts[i + 1] for i in range(1, len(parts) - 1, 2)}
    modules: dict[str, dict[str, int]] = {}
    for name, body in sections.items():
        cells = _cells_of(body)
        if cells is not None and name != "design hierarchy":
            modules[name] = cells[1]
    design_body = sections.get("design hierarchy") or sections.get(top)
    cells = _cells_of(design_body) if design_body is not None else None
    if cells is None:
        raise ValueError(f"no cell statistics for top module {top!r} in the Yosys output")
    return cells[0], cells[1], modules


def area_report(
    block: Block,
    *,
    flatten: bool = True,
    workdir: str | os.PathLike[str] | None = None,
    timeout: float = 300.0,
) -> AreaReport:
    """Synthesise ``block.to_verilog()`` with Yosys and return its cell counts.

    Parameters
    ----------
    block : Block
        Any model; its ``top_module`` is the synthesis top.
    flatten : bool
        Flatten the hierarchy before optimisation (default), so constants
        (seeds, thresholds, taps) propagate into sub-modules as they would in
        a real flow; ``False`` keeps each generic module separate and reports
        its own cells in ``modules`` (larger totals, no cross-module
        optimisation).
    workdir : path, optional
        Build directory (kept); a temporary directory by default.
    timeout : float
        Seconds allowed for Yosys.

    Raises
    ------
    ToolNotFoundError
        yosys is not installed (the message says how to install it).
    CosimError
        Yosys rejected the design.
    """
    if not isinstance(block, Block):
        raise TypeError(f"block must be a hw_models Block; got {type(block).__name__}")
    if not isinstance(flatten, bool):
        raise TypeError(f"flatten must be a bool; got {type(flatten).__name__} {flatten!r}")
    yosys = require_tool("yosys")
    verilog = block.to_verilog()
    top = block.top_module
    tmp = tempfile.TemporaryDirectory(prefix="hw_area_") if workdir is None else None
    build = Path(tmp.name if tmp is not None else workdir)  # type: ignore[arg-type]
    build.mkdir(parents=True, exist_ok=True)
    try:
        (build / "design.v").write_text(verilog)
        synth = f"synth {'-flatten ' if flatten else ''}-top {top}"
        script = f"read_verilog design.v; {synth}; tee -q -o stat.txt stat"
        proc = subprocess.run([yosys, "-q", "-p", script], cwd=build, capture_output=True,
                              text=True, timeout=timeout)
        if proc.returncode != 0:
            raise CosimError(f"{block.part}: yosys failed on the emitted Verilog:\n"
                             f"{(proc.stderr or proc.stdout).strip()}")
        text = (build / "stat.txt").read_text()
    finally:
        if tmp is not None:
            tmp.cleanup()
    try:
        total, by_type, modules = parse_stat(text, top)
    except ValueError as exc:
        raise CosimError(f"{block.part}: could not read the Yosys statistics: {exc}") from None
    ffs = sum(v for k, v in by_type.items() if "DFF" in k.upper())
    return AreaReport(top, total, by_type, ffs, modules)


def cell_counts(blocks: dict[str, Block], **kwargs: object) -> dict[str, int]:
    """Total cell count of each named block: ``{name: area_report(block).total_cells}``."""
    return {name: area_report(b, **kwargs).total_cells for name, b in blocks.items()}  # type: ignore[arg-type]
