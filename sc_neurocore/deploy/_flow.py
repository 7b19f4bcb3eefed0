r"""The designer's answer: accuracy, FPGA area and speed of a model in SC against a binary baseline (private).

:func:`run_flow` takes a float MLP (a :class:`FloatMLP` or its ``.npz`` file)
and a data set and writes into one directory:

* ``table.csv`` and ``table.md``: one row per design point: the SC classifier
  at each stream length L and encoder, and the binary fixed-point baseline
  (``hw_models.BinaryClassifier``);
* ``pareto.png``: accuracy against latency per image and against LUT4s;
* ``verilog/``: the Verilog of every synthesised design;
* ``fpga/``: the synthesis and place-and-route build directories
  (netlists, nextpnr ``--report`` JSON and logs);
* ``sweep/``: the accuracy sweep's results (resumable, ``sc_neurocore.sweep``);
* ``model.npz``, ``data.npz``: the model and the data used.

Accuracy comes from the fast bit-exact evaluation (``evaluate``,
``evaluate_early_exit``) run as a sweep over L x encoder with
``sc_neurocore.sweep``; the FPGA numbers from :func:`hw_models.fpga_report`.
What each column means is in ``docs/model_to_hardware.md`` and in
:data:`COLUMNS`.
"""

from __future__ import annotations

import hashlib
import math
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .._validation import check_int
from ._data import DigitsSplit, load_digits_split
from ._evaluate import CURVE_LENGTHS, accuracy_curve
from ._mapping import to_sc
from ._model import ACCUMULATIONS, CODINGS, ENCODERS, HW_ENCODERS, LENGTH_RANGE, WIDTH_RANGE, channel_plan
from ._train import FloatMLP, float_accuracy

__all__ = ["COLUMNS", "FlowResult", "pareto_figure", "pareto_front", "run_flow"]

#: Columns of ``table.csv`` with their meaning (also the header of ``table.md``).
COLUMNS: dict[str, str] = {
    "design": "'sc' (stochastic computing) or 'binary' (fixed-point MAC baseline)",
    "encoder": "random source of the SC streams (lfsr, sobol, bernoulli); '-' for binary",
    "length": "L, cycles per layer phase (SC); 0 for binary",
    "accuracy_pct": "test accuracy, % (bit-exact model of the hardware)",
    "float_accuracy_pct": "test accuracy of the float model, %",
    "cycles": "clock cycles per image, start to result (SC: K L + 2; binary: MACs + K + 1)",
    "early_cycles": "mean cycles per image with provably exact early termination (SC only)",
    "fpga_length": "L of the synthesised SC design whose FPGA numbers the row shows (the nearest one "
                   "synthesised when this L was not: the designs differ only in counter widths)",
    "luts": "LUT4s after synthesis (FPGA)",
    "ffs": "flip-flops of the design (FPGA; the I/O wrapper's excluded)",
    "carry": "carry cells (SB_CARRY / CCU2C)",
    "bram": "block RAMs",
    "logic_cells": "packed logic cells after placement (incl. the I/O wrapper)",
    "device": "smallest device of the family that fits",
    "fmax_mhz": "Fmax after routing reported by nextpnr, MHz",
    "latency_us": "cycles / Fmax, microseconds per image",
    "throughput_ips": "images per second, one image at a time (Fmax / cycles)",
    "early_latency_us": "early_cycles / Fmax, microseconds",
    "generic_cells": "Yosys generic cells (synth -flatten; technology independent)",
    "toggles_per_image": "mean register bit toggles per image, per-cycle model (energy proxy, not joules)",
    "pareto": "on the Pareto front of (accuracy up, LUTs down, latency down)",
}


@dataclass(frozen=True)
class FlowResult:
    """What :func:`run_flow` wrote and measured.

    Attributes
    ----------
    rows : list of dict
        One dict per design point with the keys of :data:`COLUMNS` (missing numbers are None).
    out_dir : pathlib.Path
    files : dict of str to pathlib.Path
        ``table_csv``, ``table_md``, ``pareto_png`` (absent without matplotlib), ``verilog_*``.
    """

    rows: list[dict[str, Any]]
    out_dir: Path
    files: dict[str, Path]


def _sc_point(model_file: str, data_file: str, length: int, encoder: str, width: int, accumulation: str,
              coding: str, clf_seed: int, *, seed: Any = None) -> dict[str, float]:
    """Sweep function: :func:`accuracy_curve` at one (L, encoder) point.

    The classifier is deterministic given ``clf_seed`` (the channel plan's seed), so that
    the hardware synthesised for the same point is the very classifier evaluated here; the
    sweep's per-run ``seed`` is not needed.
    """
    from ..network._persistence import read_npz

    data = read_npz(data_file, "data_file must be the flow's data.npz")
    (point,) = accuracy_curve(FloatMLP.load(model_file), DigitsSplit(**data), lengths=[length],
                              encoders=[encoder], width=width, accumulation=accumulation, coding=coding,
                              seed=clf_seed)
    # + 2: the RTL's load and argmax cycles (SCClassifierDatapath.latency = K L + 2)
    return {"accuracy": point.accuracy, "early_cycles": point.mean_latency + 2}


def pareto_front(points: Sequence[tuple[float, float, float]]) -> list[bool]:
    """Which points are not dominated: (accuracy, maximise; cost1, cost2, minimise).

    A point is dominated when another is at least as good in all three and
    better in one.
    """
    flags = []
    for i, (a, c1, c2) in enumerate(points):
        dominated = any(b >= a and d1 <= c1 and d2 <= c2 and (b > a or d1 < c1 or d2 < c2)
                        for j, (b, d1, d2) in enumerate(points) if j != i)
        flags.append(not dominated)
    return flags


def _check_choices(values: Any, name: str, allowed: Sequence[Any]) -> tuple[Any, ...]:
    if isinstance(values, (str, bytes)) or not isinstance(values, Sequence) or len(values) == 0:
        raise TypeError(f"{name} must be a non-empty sequence; got {values!r}")
    for v in values:
        if v not in allowed:
            raise ValueError(f"{name} must hold values from {tuple(allowed)}; got {v!r}")
    if len(set(values)) != len(values):
        raise ValueError(f"{name} must not repeat values; got {list(values)}")
    return tuple(values)


def _check_lengths(lengths: Any, name: str) -> tuple[int, ...]:
    if isinstance(lengths, (str, bytes)) or not isinstance(lengths, Sequence) or len(lengths) == 0:
        raise TypeError(f"{name} must be a non-empty sequence of ints; got {lengths!r}")
    lo, hi = LENGTH_RANGE
    for v in lengths:
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or not lo <= v <= hi or v & (v - 1):
            raise ValueError(f"{name} must hold powers of two in [{lo}, {hi}]; got {v!r}")
    if len(set(lengths)) != len(lengths):
        raise ValueError(f"{name} must not repeat values; got {list(lengths)}")
    return tuple(sorted(int(v) for v in lengths))


def _fmt(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "yes" if v else ""
    if isinstance(v, float):
        return f"{v:.4g}" if abs(v) < 1e4 else f"{v:.0f}"
    return str(v)


def _write_tables(rows: list[dict[str, Any]], out: Path) -> tuple[Path, Path]:
    import csv

    csv_path, md_path = out / "table.csv", out / "table.md"
    with open(csv_path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(COLUMNS)
        for r in rows:
            w.writerow(["" if r[c] is None else repr(r[c]) if isinstance(r[c], float) else r[c]
                        for c in COLUMNS])
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    lines += ["| " + " | ".join(_fmt(r[c]) for c in COLUMNS) + " |" for r in rows]
    lines += ["", "Columns:", ""] + [f"- `{c}`: {d}" for c, d in COLUMNS.items()]
    md_path.write_text("\n".join(lines) + "\n")
    return csv_path, md_path


def pareto_figure(rows: list[dict[str, Any]], title: str = "") -> Any:
    """The Pareto plot of :func:`run_flow`'s rows as a matplotlib ``Figure`` (needs matplotlib).

    Left: test accuracy against latency per image (microseconds at Fmax when the
    rows have FPGA numbers, else clock cycles); right (with FPGA numbers):
    against LUT4s.  One line per SC encoder (one point per L, labelled), the
    binary baseline as a star, the Pareto front circled, the float model dotted.
    """
    from matplotlib.figure import Figure

    have_fpga = any(r["luts"] is not None for r in rows)
    xkey, xlabel = (("latency_us", "latency per image (µs, cycles / Fmax)") if have_fpga
                    else ("cycles", "latency per image (clock cycles)"))
    panels = [(xkey, xlabel)] + ([("luts", "FPGA LUT4s")] if have_fpga else [])
    fig = Figure(figsize=(6.2 * len(panels), 4.6), layout="constrained")
    axes = fig.subplots(1, len(panels), squeeze=False)[0]
    markers = {"lfsr": "o", "sobol": "s", "bernoulli": "^"}
    for ax, (key, label) in zip(axes, panels, strict=True):
        labelled: set[int] = set()
        for enc in sorted({r["encoder"] for r in rows if r["design"] == "sc"}):
            pts = [r for r in rows if r["design"] == "sc" and r["encoder"] == enc and r[key] is not None]
            if not pts:
                continue
            ax.plot([r[key] for r in pts], [r["accuracy_pct"] for r in pts], marker=markers.get(enc, "D"),
                    ls="-", label=f"SC, {enc} (one point per L)")
            for r in pts:
                if r["length"] not in labelled:  # one "L=..." label per length
                    labelled.add(r["length"])
                    ax.annotate(f"L={r['length']}", (r[key], r["accuracy_pct"]), textcoords="offset points",
                                xytext=(3, -11), fontsize=7)
        base = [r for r in rows if r["design"] == "binary" and r[key] is not None]
        if base:
            ax.plot([r[key] for r in base], [r["accuracy_pct"] for r in base], "k*", ms=14,
                    label="binary fixed-point MAC")
        front = [r for r in rows if r["pareto"] and r[key] is not None]
        if front:
            ax.plot([r[key] for r in front], [r["accuracy_pct"] for r in front], "o", mfc="none", mec="red",
                    ms=13, label="Pareto front")
        fl = next((r["float_accuracy_pct"] for r in rows), None)
        if fl is not None:
            ax.axhline(fl, color="grey", ls=":", label=f"float model ({fl:.1f} %)")
        ax.set_xscale("log")
        ax.set_xlabel(label)
        ax.set_ylabel("test accuracy (%)")
        ax.grid(True, which="both", alpha=0.3)
    axes[0].legend(fontsize=8, loc="lower right")
    if title:
        fig.suptitle(title)
    return fig


def run_flow(
    model: FloatMLP | str | os.PathLike[str],
    out_dir: str | os.PathLike[str],
    *,
    data: DigitsSplit | None = None,
    lengths: Sequence[int] = CURVE_LENGTHS,
    encoders: Sequence[str] = ("bernoulli", "lfsr", "sobol"),
    width: int = 16,
    accumulation: str = "apc",
    coding: str = "unipolar",
    seed: int = 1,
    fpga: bool = True,
    family: str = "ice40",
    fpga_lengths: Sequence[int] | None = None,
    baseline: bool = True,
    scheduler: Any = "serial",
    n_workers: int | None = None,
    fpga_timeout: float = 3600.0,
    toggle_images: int = 2,
    say: Callable[[str], None] | None = None,
) -> FlowResult:
    r"""Accuracy of the model in SC at each L and encoder, FPGA numbers, and the binary baseline.

    Parameters
    ----------
    model : FloatMLP or path
        The float MLP, or its ``.npz`` (:meth:`FloatMLP.save`; any npz with
        ``w0, b0, w1, b1, ...`` arrays in ``(n_out, n_in)`` layout works).
    out_dir : path
        Output directory (created; files of an earlier run are overwritten,
        the sweep resumes if its parameters are the same).
    data : DigitsSplit, optional
        Train pixels (calibration of the activation scales and of the baseline)
        and test pixels and labels; the digits split by default (needs the
        ``ml`` extra).  Any data with integer pixels in ``[0, 16]`` works.
    lengths : sequence of int
        Stream lengths L (powers of two in ``LENGTH_RANGE``; default 2^4 .. 2^12).
    encoders : sequence of str
        From ``ENCODERS``; only lfsr and sobol have hardware.
    width, accumulation, coding, seed
        The SC mapping (:func:`to_sc`): comparator width W, ``"apc" | "or" |
        "mux"``, ``"unipolar" | "bipolar"``, the channel-plan seed.
    fpga : bool
        Synthesise, place and route (needs the ``fpga`` extra); False: the table
        has accuracy and cycles only.
    family : {"ice40", "ecp5"}
    fpga_lengths : sequence of int, optional
        The L values whose SC designs are built, written as Verilog, synthesised (with
        ``fpga``) and toggle-counted (default: all of ``lengths``).  Rows at other L show
        the FPGA numbers of the nearest of these (column ``fpga_length``) with their own
        cycles: the SC hardware depends on L only through the counter widths.
        The hardware depends on L only through the counter widths.
    baseline : bool
        Include the binary fixed-point baseline (``hw_models.BinaryClassifier``, 8-bit weights).
    scheduler, n_workers
        Of the accuracy sweep (:func:`sc_neurocore.sweep.run`); "serial" by default.
    fpga_timeout : float
        Seconds allowed per tool run.
    toggle_images : int
        Test images on which the per-cycle model counts register toggles
        (``hw_models.register_toggles``, the energy proxy), in [0, 1000]; 0: none.
        The per-cycle Python model runs about 1,000 cycles/s on the 64-32-10 design.
    say : callable, optional
        Progress messages (e.g. ``print``).

    Returns
    -------
    FlowResult

    Raises
    ------
    TypeError, ValueError
        Bad arguments (named in the message) or a bad model file.
    hw_models.ToolNotFoundError, hw_models.FpgaError
        With ``fpga=True``: the tools are missing, or synthesis failed.
    """
    from ..network._persistence import write_npz
    from ..sweep import Sweep, SweepMismatchError, run

    if isinstance(model, (str, os.PathLike)):
        mlp = FloatMLP.load(model)
    elif isinstance(model, FloatMLP):
        mlp = model.checked()
    else:
        raise TypeError(f"model must be a FloatMLP or the path of its .npz file; got {type(model).__name__}")
    lengths = _check_lengths(lengths, "lengths")
    encoders = _check_choices(encoders, "encoders", ENCODERS)
    fpga_lengths = lengths if fpga_lengths is None else _check_lengths(fpga_lengths, "fpga_lengths")
    if not set(fpga_lengths) <= set(lengths):
        raise ValueError(f"fpga_lengths must be a subset of lengths {list(lengths)}; "
                         f"got {list(fpga_lengths)}")
    width = check_int(width, "width", low=WIDTH_RANGE[0], high=WIDTH_RANGE[1])
    _check_choices([accumulation], "accumulation", ACCUMULATIONS)
    _check_choices([coding], "coding", CODINGS)
    toggle_images = check_int(toggle_images, "toggle_images", low=0, high=1000)
    for name, flag in (("fpga", fpga), ("baseline", baseline)):
        if not isinstance(flag, bool):
            raise TypeError(f"{name} must be a bool; got {flag!r}")
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise ValueError(f"out_dir must be a directory; got {str(out)!r}, which is a file")
    say = say if say is not None else (lambda line: None)
    if fpga:
        from hw_models._fpga import fpga_tools

        fpga_tools(family)  # a bad family or missing tools fail now, not after the sweep
    data = load_digits_split() if data is None else data
    if not isinstance(data, DigitsSplit):
        raise TypeError(f"data must be a DigitsSplit (x_train, y_train, x_test, y_test); "
                        f"got {type(data).__name__}")
    # the mapping and the channel plan validate everything else (seed range, shapes, enough
    # distinct sources for the width) before anything runs
    for enc in encoders:
        clf = to_sc(mlp, width=width, length=lengths[0], encoder=enc, accumulation=accumulation,
                    coding=coding, seed=seed, calibration=data.x_train)
        if enc in HW_ENCODERS:
            channel_plan(clf)

    out.mkdir(parents=True, exist_ok=True)
    model_file, data_file = out / "model.npz", out / "data.npz"
    mlp.save(model_file)
    write_npz(data_file, {k: np.ascontiguousarray(v) for k, v in data._asdict().items()})
    fl = 100.0 * float_accuracy(mlp, data.x_test, data.y_test)
    say(f"float model: {fl:.2f} % on {len(data.y_test)} test images")

    # 1. accuracy sweep over L x encoder
    digest = hashlib.sha256(model_file.read_bytes() + data_file.read_bytes()).hexdigest()[:16]
    sweep = Sweep(_sc_point, {"model_file": [str(model_file)], "data_file": [str(data_file)],
                              "length": list(lengths), "encoder": list(encoders), "width": [width],
                              "accumulation": [accumulation], "coding": [coding], "clf_seed": [seed]},
                  seed=seed, version=f"flow-1-{digest}")
    try:  # resumes an interrupted run of the same flow; starts over when anything differs
        res = run(sweep, scheduler, out=out / "sweep", n_workers=n_workers, progress=False)
    except SweepMismatchError:
        res = run(sweep, scheduler, out=out / "sweep", n_workers=n_workers, restart=True, progress=False)
    if res.failures:
        first = res.failures[0]
        raise RuntimeError(f"the accuracy sweep failed at {len(res.failures)} point(s); first: "
                           f"{first.params}: {first.error}")
    tab = res.table
    acc = {(str(e), int(n)): (100.0 * float(a), float(c)) for e, n, a, c in
           zip(tab["encoder"], tab["length"], tab["accuracy"], tab["early_cycles"], strict=True)}
    say(f"accuracy sweep: {len(tab)} points")

    # 2. hardware: one design per (hardware encoder, L), synthesised once per distinct Verilog
    rows: list[dict[str, Any]] = []
    files: dict[str, Path] = {}
    vdir = out / "verilog"
    vdir.mkdir(exist_ok=True)
    cache: dict[str, Any] = {}
    k_layers = len(mlp.weights)

    def synth(verilog: str, top: str, name: str) -> Any:
        path = vdir / f"{name}.v"
        path.write_text(verilog)
        files[f"verilog_{name}"] = path
        if not fpga:
            return None
        key = hashlib.sha256(verilog.encode()).hexdigest()
        if key not in cache:
            from hw_models._fpga import fpga_report

            say(f"FPGA ({family}): {name} ...")
            cache[key] = fpga_report(verilog, top, family, workdir=out / "fpga" / name, timeout=fpga_timeout)
            say(f"  {cache[key].summary()}")
        return cache[key]

    def hw_columns(rep: Any, cycles: int, early: float | None) -> dict[str, Any]:
        if rep is None:
            return {c: None for c in ("luts", "ffs", "carry", "bram", "logic_cells", "device", "fmax_mhz",
                                      "latency_us", "throughput_ips", "early_latency_us", "generic_cells")}
        f = rep.fmax_mhz
        return {"luts": rep.luts, "ffs": rep.flip_flops - rep.wrapper_ffs, "carry": rep.carry,
                "bram": rep.bram, "logic_cells": rep.logic_cells,
                "device": f"{rep.device}-{rep.package}", "fmax_mhz": f,
                "latency_us": cycles / f, "throughput_ips": f * 1e6 / cycles,
                "early_latency_us": None if early is None else early / f,
                "generic_cells": rep.generic.total_cells}

    from hw_models import BinaryClassifier, SCClassifierDatapath, register_toggles

    def toggles(design: Any) -> float | None:
        if toggle_images == 0:
            return None
        return float(np.mean(register_toggles(design, data.x_test[:toggle_images])))

    for enc in encoders:
        reps: dict[int, Any] = {}  # L -> FpgaReport (None without fpga) of the designs built
        togs: dict[int, float | None] = {}
        for n in fpga_lengths if enc in HW_ENCODERS else ():
            clf = to_sc(mlp, width=width, length=n, encoder=enc, accumulation=accumulation, coding=coding,
                        seed=seed, calibration=data.x_train)
            hw = SCClassifierDatapath.from_classifier(clf)
            assert hw.latency == len(clf.layers) * n + 2, hw.latency  # the cycles column below
            reps[n] = synth(hw.to_verilog(), hw.top_module, f"sc_{enc}_L{n}")
            togs[n] = toggles(hw)
        for n in lengths:
            a, early = acc[(enc, n)]
            cycles = k_layers * n + 2
            # the nearest synthesised L (in log2) stands in for an L not synthesised: the
            # hardware differs only in the counter widths; the row says which L it shows
            near = min(reps, key=lambda m: (abs(math.log2(m / n)), m)) if reps else None
            rep = reps[near] if near is not None else None
            rows.append({"design": "sc", "encoder": enc, "length": n, "accuracy_pct": a,
                         "float_accuracy_pct": fl, "cycles": cycles, "early_cycles": early,
                         "fpga_length": near if rep is not None else None,
                         **hw_columns(rep, cycles, early), "toggles_per_image": togs.get(n)})
    if baseline:
        base = BinaryClassifier.from_float(mlp.weights, mlp.biases, data.x_train, act_scales=mlp.act_scales)
        pred, _ = base.classify(data.x_test)
        rep = synth(base.to_verilog(), base.top_module, "binary_baseline")
        rows.append({"design": "binary", "encoder": "-", "length": 0,
                     "accuracy_pct": 100.0 * float(np.mean(pred == data.y_test)), "float_accuracy_pct": fl,
                     "cycles": base.latency, "early_cycles": None, "fpga_length": None,
                     **hw_columns(rep, base.latency, None),
                     "toggles_per_image": toggles(base)})

    # 3. Pareto front over the designs with hardware numbers (cycles stand in for latency without FPGA)
    cost = "latency_us" if fpga else "cycles"
    cand = [r for r in rows if r[cost] is not None and (r["luts"] is not None or not fpga)]
    flags = pareto_front([(r["accuracy_pct"], r["luts"] or 0, r[cost]) for r in cand])
    for r in rows:
        r["pareto"] = False
    for r, f in zip(cand, flags, strict=True):
        r["pareto"] = f
    files["table_csv"], files["table_md"] = _write_tables(rows, out)
    title = (f"SC classifier ({'-'.join(str(w.shape[1]) for w in mlp.weights)}-{mlp.weights[-1].shape[0]}, "
             f"W={width}, {accumulation}) vs binary baseline" + (f", {family}" if fpga else ""))
    try:
        fig = pareto_figure(rows, title)
    except ImportError:  # no matplotlib (the plot extra): tables only
        pass
    else:
        fig.savefig(out / "pareto.png", dpi=120)
        files["pareto_png"] = out / "pareto.png"
    return FlowResult(rows, out, files)
