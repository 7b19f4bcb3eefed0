"""``sc-neurocore deploy MODEL.npz --out DIR`` and ``sc-neurocore deploy-train --out MODEL.npz`` (private).

``deploy`` runs :func:`sc_neurocore.deploy.run_flow` on a saved float MLP and the
digits data (the ``ml`` extra) and writes the table, the Pareto plot and the
Verilog into DIR; ``deploy-train`` trains the 64-32-10 MLP on the digits (optionally
fine-tuned with the SC mapping in the loop) and saves it.  Exit codes: 0 success,
1 the flow failed (missing FPGA tools, synthesis failure: the message says which),
2 bad command line or model file.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ._model import ACCUMULATIONS, CODINGS, ENCODERS, LENGTH_RANGE, WIDTH_RANGE

__all__ = ["add_parsers", "deploy_command", "train_command"]


def _length(text: str) -> int:
    lo, hi = LENGTH_RANGE
    try:
        value = int(text, 10)
    except ValueError:
        value = -1
    if not lo <= value <= hi or value & (value - 1):
        raise argparse.ArgumentTypeError(f"a length must be a power of two in [{lo}, {hi}]; got {text!r}")
    return value


def _int_in(low: int, high: int, what: str) -> Any:
    def parse(text: str) -> int:
        try:
            value = int(text, 10)
        except ValueError:
            value = low - 1
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{what} must be an integer in [{low}, {high}]; got {text!r}")
        return value

    return parse


def add_parsers(sub: Any) -> None:
    """Add the ``deploy`` and ``deploy-train`` sub-commands to an argparse sub-parsers object."""
    p = sub.add_parser(
        "deploy",
        help="a trained MLP in SC: accuracy per stream length and encoder, FPGA area and speed vs binary",
        description=(
            "Map the float MLP in MODEL.npz (sc-neurocore deploy-train writes one; any npz with arrays "
            "w0, b0, w1, b1, ... in (n_out, n_in) layout works) onto the SC datapath at each stream "
            "length and encoder, measure its test accuracy on the digits with the bit-exact fast path, "
            "synthesise the SC designs and a binary fixed-point baseline for an FPGA (yosys + nextpnr, "
            "the 'fpga' extra) and write DIR/table.csv, DIR/table.md, DIR/pareto.png and DIR/verilog/."
        ),
    )
    p.add_argument("model", type=Path, metavar="MODEL.npz", help="float MLP weights (FloatMLP.save)")
    p.add_argument("--out", type=Path, required=True, metavar="DIR", help="output directory")
    p.add_argument("--lengths", type=_length, nargs="+", metavar="L", default=None,
                   help="stream lengths, powers of two (default 16 32 ... 4096)")
    p.add_argument("--encoders", nargs="+", choices=ENCODERS, default=["bernoulli", "lfsr", "sobol"],
                   metavar="ENC", help=f"stream encoders, from {', '.join(ENCODERS)} (default: all)")
    p.add_argument("--family", choices=("ice40", "ecp5"), default="ice40", help="FPGA family (default ice40)")
    p.add_argument("--no-fpga", action="store_true", help="accuracy and cycles only, no synthesis")
    p.add_argument("--fpga-lengths", type=_length, nargs="+", metavar="L", default=None,
                   help="synthesise the SC designs at these lengths (default: the longest of --lengths; "
                   "other lengths show the nearest synthesised design's FPGA numbers)")
    p.add_argument("--width", type=_int_in(*WIDTH_RANGE, "--width"), default=16,
                   help="comparator width W in bits (default 16)")
    p.add_argument("--accumulation", choices=ACCUMULATIONS, default="apc", help="default apc")
    p.add_argument("--coding", choices=CODINGS, default="unipolar", help="default unipolar")
    p.add_argument("--seed", type=_int_in(1, 2**31 - 1, "--seed"), default=1,
                   help="channel-plan seed of the SC classifier (default 1)")
    p.add_argument("--no-baseline", action="store_true", help="leave out the binary baseline")
    p.add_argument("--workers", type=_int_in(1, 1024, "--workers"), default=None,
                   help="run the accuracy sweep on a local process pool of N workers (default: serially)")

    t = sub.add_parser(
        "deploy-train",
        help="train the 64-32-10 MLP on the digits and save it for 'sc-neurocore deploy'",
        description=(
            "Train a ReLU MLP on the scikit-learn digits (fixed stratified split; the 'ml' extra) with "
            "NumPy and save it as an npz for 'sc-neurocore deploy'.  With --sc-length the model is then "
            "fine-tuned with the SC mapping's quantisation and stream noise at that length in the loop."
        ),
    )
    t.add_argument("--out", type=Path, required=True, metavar="MODEL.npz", help="file to write")
    t.add_argument("--hidden", type=_int_in(1, 4096, "--hidden"), nargs="+", default=[32], metavar="N",
                   help="hidden layer widths (default 32)")
    t.add_argument("--epochs", type=_int_in(1, 100000, "--epochs"), default=60, help="default 60")
    t.add_argument("--seed", type=_int_in(0, 2**31 - 1, "--seed"), default=0,
                   help="training seed (default 0)")
    t.add_argument("--sc-length", type=_length, default=None, metavar="L",
                   help="fine-tune for the SC mapping at stream length L (default: no fine-tuning)")
    t.add_argument("--width", type=_int_in(*WIDTH_RANGE, "--width"), default=16,
                   help="comparator width W of the fine-tuning (default 16)")


def deploy_command(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    """Run ``sc-neurocore deploy``; returns the exit code."""
    from hw_models import FpgaError, ToolNotFoundError

    from ._evaluate import CURVE_LENGTHS
    from ._flow import run_flow
    from ._train import FloatMLP

    if args.out.exists() and not args.out.is_dir():
        parser.error(f"--out must be a directory; got {str(args.out)!r}, which is a file")
    try:
        mlp = FloatMLP.load(args.model)
    except FileNotFoundError:
        parser.error(f"MODEL.npz not found: {str(args.model)!r}")
    except ValueError as exc:
        parser.error(str(exc))
    lengths = args.lengths if args.lengths is not None else list(CURVE_LENGTHS)
    try:
        result = run_flow(mlp, args.out, lengths=lengths, encoders=args.encoders, width=args.width,
                          accumulation=args.accumulation, coding=args.coding, seed=args.seed,
                          fpga=not args.no_fpga, family=args.family,
                          fpga_lengths=args.fpga_lengths or [max(lengths)],
                          baseline=not args.no_baseline,
                          scheduler="serial" if args.workers is None else "processes",
                          n_workers=args.workers, say=lambda line: print(line, flush=True))
    except (ToolNotFoundError, FpgaError, ImportError) as exc:
        print(f"sc-neurocore deploy: error: {exc}", file=sys.stderr)
        return 1
    except (TypeError, ValueError) as exc:
        parser.error(str(exc))
    for name, path in sorted(result.files.items()):
        if not name.startswith("verilog_"):
            print(f"wrote {path}")
    n_designs = sum(n.startswith("verilog_") for n in result.files)
    print(f"wrote {n_designs} Verilog designs to {args.out / 'verilog'}")
    return 0


def train_command(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    """Run ``sc-neurocore deploy-train``; returns the exit code."""
    from ._data import load_digits_split
    from ._train import float_accuracy, sc_finetune, train_mlp

    if args.out.is_dir():
        parser.error(f"--out must be a file name; got {str(args.out)!r}, which is a directory")
    try:
        d = load_digits_split()
    except ImportError as exc:
        print(f"sc-neurocore deploy-train: error: {exc}", file=sys.stderr)
        return 1
    mlp = train_mlp(d.x_train, d.y_train, hidden=args.hidden, epochs=args.epochs, seed=args.seed)
    print(f"float model: test accuracy {100 * float_accuracy(mlp, d.x_test, d.y_test):.2f} %")
    if args.sc_length is not None:
        mlp = sc_finetune(mlp, d.x_train, d.y_train, width=args.width, length=args.sc_length, seed=args.seed)
        print(f"after SC-aware fine-tuning (L={args.sc_length}): float test accuracy "
              f"{100 * float_accuracy(mlp, d.x_test, d.y_test):.2f} %")
    mlp.save(args.out)
    print(f"wrote {args.out}")
    return 0
