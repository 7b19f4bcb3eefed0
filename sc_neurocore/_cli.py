"""Command line: ``sc-neurocore demo``, ``warmup``, ``sweep``, ``deploy`` and ``deploy-train``
(console script declared in pyproject.toml; ``python -m sc_neurocore`` runs the same).

Exit codes: 0 success, 1 the demo could not write its figures (or its output
pipe was closed), 2 bad command line (argparse prints the usage and the reason
to stderr).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

__all__ = ["build_parser", "main"]

DEFAULT_OUT = "sc_neurocore_demo"


def _int_at_least(low: int, what: str) -> Callable[[str], int]:
    """An argparse ``type`` accepting base-10 integers >= ``low``."""

    def parse(text: str) -> int:
        try:
            value = int(text, 10)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{what} must be an integer >= {low}; got {text!r}") from None
        if value < low:
            raise argparse.ArgumentTypeError(f"{what} must be an integer >= {low}; got {value}")
        return value

    return parse


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``sc-neurocore``."""
    from sc_neurocore import __version__

    parser = argparse.ArgumentParser(
        prog="sc-neurocore",
        description="Stochastic-computing spiking neurons: packed bitstreams, LIF neurons and SC layers.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    demo = sub.add_parser(
        "demo",
        help="a few-second tour: SC multiplication vs theory, one LIF neuron, a dense layer",
        description=(
            "Encode values as bitstreams and multiply them with an AND gate (estimate vs exact and vs "
            "the binomial standard error), run one LIF neuron (measured rate vs the analytic and Euler "
            "predictions) and a dense SC layer (firing rates).  With matplotlib installed (the 'plot' "
            "extra) the figures are written to --out."
        ),
    )
    demo.add_argument("--seed", type=_int_at_least(0, "--seed"), default=2024,
                      help="root seed of all random streams (integer >= 0; default 2024)")
    demo.add_argument("--length", type=_int_at_least(1, "--length"), default=4096,
                      help="stream length in bits for the multiplication (default 4096)")
    demo.add_argument("--trials", type=_int_at_least(2, "--trials"), default=200,
                      help="independent repetitions used to measure the error spread (default 200)")
    demo.add_argument("--out", type=Path, default=Path(DEFAULT_OUT), metavar="DIR",
                      help=f"directory for the figures (default ./{DEFAULT_OUT}/)")
    demo.add_argument("--no-plot", action="store_true", help="do not write figures")
    sub.add_parser(
        "warmup",
        help="compile every numba kernel once and cache it, so that later runs start at once",
        description=(
            "numba compiles each kernel the first time it is used, which takes seconds (tens of seconds "
            "for the network simulator).  This compiles every kernel the demo, the tutorials, the network "
            "simulators and the hardware models use and writes them to numba's on-disk cache "
            "(NUMBA_CACHE_DIR if set, else next to the package or in the user cache directory)."
        ),
    )
    from sc_neurocore.sweep._command import add_parser as add_sweep_parser

    add_sweep_parser(sub)
    from sc_neurocore.deploy._command import add_parsers as add_deploy_parsers

    add_deploy_parsers(sub)
    return parser


def _warmup() -> int:
    from sc_neurocore._warmup import warmup

    print("sc-neurocore warmup: compiling the numba kernels into the cache...", flush=True)
    report = warmup(say=lambda line: print(line, flush=True))
    if report.n_specialisations == 0:
        return 0
    print(f"Ready: {report.n_specialisations} kernel specialisations ({report.n_compiled} compiled now, "
          f"{report.n_loaded} loaded from the cache) in {report.seconds:.1f} s.")
    for path in report.cache_dirs:
        print(f"Cache: {path}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``sc-neurocore`` console script; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "sweep":
        from sc_neurocore.sweep._command import command as sweep_command

        return sweep_command(args, parser)
    if args.command in ("deploy", "deploy-train"):
        from sc_neurocore.deploy._command import deploy_command, train_command

        return (deploy_command if args.command == "deploy" else train_command)(args, parser)
    if args.command == "warmup":
        return _warmup()
    # Otherwise "demo": argparse has already rejected anything else.
    from sc_neurocore._demo import FigureWriteError, matplotlib_available, run_demo

    out_dir: Path | None = None
    if not args.no_plot:
        if args.out.exists() and not args.out.is_dir():
            parser.error(f"--out must be a directory; got {str(args.out)!r}, which is a file")
        if matplotlib_available():
            out_dir = args.out
    try:
        run_demo(seed=args.seed, length=args.length, trials=args.trials, out_dir=out_dir)
    except FigureWriteError as exc:
        print(f"sc-neurocore: error: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        # output piped into e.g. `head`, which stopped reading: not an error of ours
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    if not args.no_plot and out_dir is None:
        print('No figures: matplotlib is not installed (python -m pip install "sc-neurocore[plot]").')
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
