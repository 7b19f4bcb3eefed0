"""``sc-neurocore sweep SPEC.toml``: run a registered experiment's grid from a TOML spec (private).

Spec keys: ``experiment`` (a registered name, required), ``[grid]`` (parameter
lists; replace the experiment's default lists for those parameters),
``n_seeds``, ``seed`` (root seed, default 0) and ``timeout`` (seconds per run).
Exit codes: 0 every run succeeded, 1 some runs failed (listed), 2 bad command
line, spec or output directory.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

__all__ = ["add_parser", "command", "load_spec", "SPEC_KEYS"]

SPEC_KEYS = ("experiment", "grid", "n_seeds", "seed", "timeout")


def add_parser(sub: Any) -> None:
    """Add the ``sweep`` sub-command to an argparse sub-parsers object."""
    p = sub.add_parser(
        "sweep",
        help="run a parameter sweep of a registered experiment (local pool or Dask cluster)",
        description=(
            "Run every point x seed of SPEC.toml's grid of a registered experiment, appending each "
            "finished run to DIR/results.jsonl (a re-run skips finished runs), then write DIR/table.csv "
            "(one row per run) and DIR/aggregate.csv (mean, standard error, 95%% CI per point).  "
            "Experiments: sc_multiply_error, decision_accuracy, hw_multiplier_design."
        ),
    )
    p.add_argument(
        "spec", type=Path, metavar="SPEC.toml", help="experiment name, grid, n_seeds, seed, timeout"
    )
    p.add_argument(
        "--scheduler",
        default="processes",
        metavar="WHERE",
        help="'processes' (local process pool, default), 'serial', 'local' (a Dask LocalCluster) "
        "or a Dask scheduler address such as tcp://host:8786",
    )
    p.add_argument("--out", type=Path, required=True, metavar="DIR", help="output directory (resumable)")
    p.add_argument(
        "--n-workers",
        type=int,
        default=None,
        metavar="N",
        help="worker processes of the local pool or LocalCluster (default: CPU count)",
    )
    p.add_argument("--restart", action="store_true", help="discard DIR's results of a different sweep")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")


def load_spec(path: Path) -> dict[str, Any]:
    """The parsed and checked spec, or a ValueError naming the file and the problem."""
    try:
        import tomllib
    except ImportError:  # Python 3.10
        try:
            import tomli as tomllib
        except ImportError:
            raise ImportError(
                "reading a TOML spec on Python 3.10 needs tomli: python -m pip install tomli"
            ) from None
    try:
        spec = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"cannot read spec {str(path)!r}: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"spec {str(path)!r} is not valid TOML: {exc}") from None
    unknown = sorted(set(spec) - set(SPEC_KEYS))
    if unknown:
        raise ValueError(
            f"spec {str(path)!r} has unknown key(s) {', '.join(map(repr, unknown))}; "
            f"allowed: {', '.join(SPEC_KEYS)}"
        )
    if "experiment" not in spec:
        raise ValueError(f'spec {str(path)!r} must name an experiment (experiment = "...")')
    if not isinstance(spec.get("grid", {}), dict):
        raise ValueError(f"spec {str(path)!r}: grid must be a table of parameter lists ([grid])")
    return spec


def command(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    """Run the ``sweep`` sub-command; returns the exit code."""
    from ._experiments import experiment
    from ._run import run
    from ._store import SweepMismatchError

    if args.n_workers is not None and args.n_workers < 1:
        parser.error(f"--n-workers must be an integer >= 1; got {args.n_workers}")
    try:
        spec = load_spec(args.spec)
        sweep = experiment(spec["experiment"]).sweep(
            spec.get("grid"),
            n_seeds=spec.get("n_seeds"),
            seed=spec.get("seed", 0),
            timeout=spec.get("timeout"),
        )
    except (ValueError, TypeError) as exc:
        parser.error(str(exc))
    try:
        result = run(
            sweep,
            args.scheduler,
            out=args.out,
            n_workers=args.n_workers,
            restart=args.restart,
            progress=False if args.no_progress else None,
        )
    except (SweepMismatchError, ImportError, ValueError) as exc:
        print(f"sc-neurocore: error: {exc}", file=sys.stderr)
        return 2
    result.table.to_csv(args.out / "table.csv")
    agg = result.aggregate()
    agg.to_csv(args.out / "aggregate.csv")
    print(result.summary())
    print(
        f"wrote {args.out / 'table.csv'} ({len(result.table)} runs) and {args.out / 'aggregate.csv'} "
        f"({len(agg)} points)"
    )
    return 1 if result.failures else 0
