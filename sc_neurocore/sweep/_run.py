"""Running a sweep: serial, local process pool or Dask, with resume, failures and progress (private).

The driver submits one task per run (point x seed) that is not already done,
records each result as it arrives (appending it to ``out/results.jsonl``) and
builds the table at the end.  Only the driver writes files, and it keeps the
first result of each run, so a task that Dask re-runs after a worker died is
never recorded twice.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import sys
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ._spec import RESERVED_COLUMNS, Sweep
from ._store import ResultStore
from ._table import Table, aggregate
from ._worker import execute

__all__ = ["Failure", "SweepResult", "run", "DISTRIBUTED_EXTRA"]

DISTRIBUTED_EXTRA = 'python -m pip install "sc-neurocore[distributed]"'
_KINDS = {"bool": np.bool_, "int": np.int64, "float": np.float64}

Task = tuple[int, int]  # (point, seed_index)


@dataclass(frozen=True)
class Failure:
    """A run that raised (or timed out): where, what, and the full traceback."""

    point: int
    seed_index: int
    params: dict[str, Any]
    error: str
    traceback: str
    worker: str


@dataclass(frozen=True)
class SweepResult:
    """Outcome of :func:`run`.

    Attributes
    ----------
    table : Table
        One row per successful run (point x seed), sorted by point, then seed.
    failures : list of Failure
        Runs of this call whose function raised or timed out, or whose worker
        died; re-running the sweep with the same ``out`` retries them.
    n_total, n_skipped, n_run : int
        Runs in the sweep, runs already done in ``out`` and skipped, runs executed now.
    ran : list of (point, seed_index)
        The runs executed by this call, in completion order.
    fingerprint : str
        The sweep's fingerprint.
    out : pathlib.Path or None
        The output directory.
    """

    table: Table
    failures: list[Failure]
    n_total: int
    n_skipped: int
    n_run: int
    ran: list[tuple[int, int]] = field(repr=False)
    fingerprint: str = field(repr=False)
    out: Path | None = None

    def aggregate(self, confidence: float = 0.95) -> Table:
        """Per-point mean, standard error and Student-t confidence interval (see :func:`aggregate`)."""
        return aggregate(self.table, confidence)

    def plot(self, metric: str, x: str, hue: str | None = None, **kwargs: Any) -> Any:
        """Plot ``metric`` against parameter ``x``, one line per ``hue`` value (see :func:`plot_metric`)."""
        from ._table import plot_metric

        return plot_metric(self.table, metric, x, hue, **kwargs)

    def summary(self) -> str:
        """Counts, and each failure with its error (tracebacks are in ``failures``)."""
        lines = [
            f"{len(self.table)} of {self.n_total} runs done ({self.n_skipped} from earlier runs, "
            f"{self.n_run} run now), {len(self.failures)} failed"
        ]
        for f in self.failures:
            lines.append(f"  FAILED point {f.point} seed {f.seed_index} {f.params}: {f.error}")
        return "\n".join(lines)


# ---------------------------------------------------------------------- backends


def _args(sweep: Sweep, task: Task) -> tuple[Any, ...]:
    i, j = task
    return (sweep.fn, sweep.point(i), i, j, sweep.seed_sequence(i, j), sweep.timeout)


def _lost(sweep: Sweep, task: Task, error: str) -> dict[str, Any]:
    """Record of a run whose task died outside the user's function."""
    i, j = task
    return {
        "point": i,
        "seed_index": j,
        "params": sweep.point(i),
        "worker": "",
        "status": "failed",
        "wall_time_s": 0.0,
        "error": error,
        "traceback": "",
    }


def _serial(sweep: Sweep, tasks: list[Task]) -> Iterator[dict[str, Any]]:
    for t in tasks:
        yield execute(*_args(sweep, t))


def _check_serialisable(sweep: Sweep, where: str, dumps: Any) -> None:
    try:
        dumps(sweep.fn)
    except Exception as exc:
        raise TypeError(
            f"fn must be serialisable to run on {where} (module-level functions pickle by reference; "
            f"lambdas, local functions and closures over locks or files do not); got {sweep.fn!r}: "
            f"{type(exc).__name__}: {exc}. Use scheduler='serial' for functions that cannot be sent."
        ) from None


def _processes(sweep: Sweep, tasks: list[Task], n_workers: int) -> Iterator[dict[str, Any]]:
    _check_serialisable(sweep, "a process pool", pickle.dumps)
    # spawn: fresh interpreters, safe with numba's threads (fork copies locks in unknown states)
    pool = ProcessPoolExecutor(max_workers=n_workers, mp_context=multiprocessing.get_context("spawn"))
    finished = False
    try:
        pending: dict[Future[dict[str, Any]], Task] = {
            pool.submit(execute, *_args(sweep, t)): t for t in tasks
        }
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for fut in done:
                task = pending.pop(fut)
                try:
                    yield fut.result()
                except BrokenProcessPool as exc:
                    yield _lost(
                        sweep,
                        task,
                        f"BrokenProcessPool: a worker process died before this run finished ({exc})",
                    )
                except Exception as exc:  # the task could not start, e.g. fn not importable in the worker
                    raise RuntimeError(
                        f"a worker process could not run fn: {type(exc).__name__}: {exc}"
                    ) from exc
        finished = True
    finally:
        # interrupted: cancel what has not started and do not wait for the runs in flight
        pool.shutdown(wait=finished, cancel_futures=True)


def _import_distributed(scheduler: Any) -> Any:
    try:
        import distributed
    except ImportError:
        raise ImportError(
            f"scheduler={scheduler!r} needs dask.distributed, which is not installed: {DISTRIBUTED_EXTRA}"
        ) from None
    return distributed


def _dask(sweep: Sweep, tasks: list[Task], client: Any) -> Iterator[dict[str, Any]]:
    from distributed.protocol.pickle import dumps

    _check_serialisable(sweep, "a Dask cluster", dumps)
    distributed = sys.modules["distributed"]
    prefix = f"sweep-{sweep.fingerprint[:12]}"
    futures = {
        client.submit(execute, *_args(sweep, t), key=f"{prefix}-{t[0]}-{t[1]}", pure=False): t for t in tasks
    }
    try:
        for fut in distributed.as_completed(list(futures)):
            try:
                yield fut.result()
            except Exception as exc:  # e.g. KilledWorker: the task's workers died too often
                yield _lost(sweep, futures[fut], f"{type(exc).__name__}: {exc}")
    finally:
        client.cancel(list(futures))


def _open_dask(scheduler: Any, n_workers: int | None) -> tuple[Any, list[Any]]:
    """(client, things to close) for ``scheduler`` = "local", an address or a Client."""
    distributed = _import_distributed(scheduler)
    if isinstance(scheduler, distributed.Client):
        return scheduler, []
    if scheduler == "local":
        cluster = distributed.LocalCluster(
            n_workers=n_workers or os.cpu_count() or 1,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=":0",
        )
        client = distributed.Client(cluster)
        return client, [client, cluster]
    client = distributed.Client(scheduler)
    return client, [client]


# ---------------------------------------------------------------------- table


def _schema(rec: dict[str, Any]) -> dict[str, tuple[int, ...]]:
    """Metric names and array shapes (() for scalars) of an ok record."""
    return {m: tuple(v["shape"]) if isinstance(v, dict) else () for m, v in rec["metrics"].items()}


class _SchemaCheck:
    """Every successful run must return the same metrics; the first one seen sets them."""

    def __init__(self, sweep: Sweep) -> None:
        self.sweep = sweep
        self.shapes: dict[str, tuple[int, ...]] | None = None
        self.first: tuple[int, int] = (0, 0)

    def __call__(self, rec: dict[str, Any]) -> None:
        shapes, key = _schema(rec), (rec["point"], rec["seed_index"])
        if self.shapes is None:
            clash = sorted(set(shapes) & (set(self.sweep.param_names) | set(RESERVED_COLUMNS)))
            if clash:
                raise TypeError(
                    f"run (point {key[0]}, seed {key[1]}): metric name(s) {', '.join(map(repr, clash))} "
                    f"clash with the parameter names or the reserved columns {', '.join(RESERVED_COLUMNS)}"
                )
            self.shapes, self.first = shapes, key
        elif shapes != self.shapes:
            raise TypeError(
                f"every run must return the same metrics (names and array shapes): run (point "
                f"{self.first[0]}, seed {self.first[1]}) returned {self.shapes}, run (point {key[0]}, "
                f"seed {key[1]}) returned {shapes}"
            )


def _build_table(sweep: Sweep, records: dict[tuple[int, int], dict[str, Any]]) -> Table:
    """The run table of the ok ``records`` (already checked by :class:`_SchemaCheck`)."""
    ok = sorted((k, r) for k, r in records.items() if r["status"] == "ok")
    names = sweep.param_names
    metric_shapes = _schema(ok[0][1]) if ok else {}
    fields: list[tuple[Any, ...]] = []
    for n in names:
        kind = sweep.param_kind(n)
        if kind == "str":
            width = max(len(str(p[n])) for p in sweep.points)
            fields.append((n, f"<U{max(width, 1)}"))
        else:
            fields.append((n, _KINDS[kind]))
    fields += [("point", np.int64), ("seed_index", np.int64)]
    fields += [(m, np.float64, s) if s else (m, np.float64) for m, s in metric_shapes.items()]
    worker_width = max([len(r["worker"]) for _, r in ok] + [1])
    fields += [("wall_time_s", np.float64), ("worker", f"<U{worker_width}")]
    data = np.zeros(len(ok), dtype=fields)
    for row, ((i, j), r) in enumerate(ok):
        for n in names:
            data[n][row] = r["params"][n]
        data["point"][row], data["seed_index"][row] = i, j
        for m, v in r["metrics"].items():
            data[m][row] = (
                np.asarray(v["data"], dtype=np.float64).reshape(v["shape"]) if isinstance(v, dict) else v
            )
        data["wall_time_s"][row] = r["wall_time_s"]
        data["worker"][row] = r["worker"]
    return Table(data, names, tuple(metric_shapes))


# ---------------------------------------------------------------------- run


def _progress_bar(show: bool | None, total: int, initial: int) -> Any:
    if show is False:
        return None
    try:
        from tqdm.auto import tqdm
    except ImportError:
        if show:
            raise ImportError(
                'progress=True needs tqdm: python -m pip install "sc-neurocore[progress]"'
            ) from None
        return None
    if show is None and not sys.stderr.isatty():
        return None
    return tqdm(total=total, initial=initial, unit="run", desc="sweep", dynamic_ncols=True)


def run(
    sweep: Sweep,
    scheduler: Any = None,
    *,
    out: str | os.PathLike[str] | None = None,
    n_workers: int | None = None,
    restart: bool = False,
    progress: bool | None = None,
) -> SweepResult:
    """Run every point x seed of ``sweep`` that is not already done, and collect the results.

    Parameters
    ----------
    sweep : Sweep
        What to run.
    scheduler : None, "processes", "serial", "local", str address or dask.distributed.Client
        ``None``/``"processes"``: a local process pool (``spawn`` context,
        ``n_workers`` processes, default ``os.cpu_count()``); no Dask needed.
        ``"serial"``: in this process, one run after another.
        ``"local"``: a ``distributed.LocalCluster`` on loopback with
        ``n_workers`` single-threaded worker processes, closed at the end.
        ``"tcp://host:8786"`` (any ``scheme://`` address): a running Dask
        scheduler.  A ``Client``: used as is, not closed.  The Dask paths need
        the ``distributed`` extra.
    out : path, optional
        Output directory.  Each finished run is appended to
        ``out/results.jsonl`` as it completes; runs already there are skipped
        (failed ones are run again).  A directory written by a different sweep
        (fingerprint mismatch) raises :class:`SweepMismatchError`, unless
        ``restart`` is true, which discards its manifest and results first.
    n_workers : int, optional
        Processes of the local pool or of the LocalCluster (>= 1); ignored
        for a running cluster (address or Client).
    restart : bool
        Start over in ``out``.
    progress : bool, optional
        A tqdm progress bar (done/total, failed count, ETA); default: shown
        when tqdm is installed and stderr is a terminal.

    Returns
    -------
    SweepResult

    Raises
    ------
    TypeError
        A function that cannot be sent to the workers, or one that returns
        something other than a mapping of metric names to numbers or numeric
        arrays (runs finished before that are kept in ``out``).
    ImportError
        A Dask scheduler without dask.distributed installed.
    SweepMismatchError
        ``out`` holds a different sweep.
    """
    if not isinstance(sweep, Sweep):
        raise TypeError(f"sweep must be a Sweep; got {type(sweep).__name__}")
    if n_workers is not None and (
        isinstance(n_workers, bool) or not isinstance(n_workers, int) or n_workers < 1
    ):
        raise ValueError(f"n_workers must be an integer >= 1 or None; got {n_workers!r}")
    if not isinstance(restart, bool):
        raise TypeError(f"restart must be a bool; got {type(restart).__name__} {restart!r}")
    if progress is not None and not isinstance(progress, bool):
        raise TypeError(f"progress must be a bool or None; got {type(progress).__name__} {progress!r}")
    mode = _mode(scheduler)
    store = ResultStore(out, sweep, restart) if out is not None else None
    records: dict[tuple[int, int], dict[str, Any]] = {}
    check = _SchemaCheck(sweep)
    if store is not None:
        records.update({k: r for k, r in store.records.items() if r["status"] == "ok"})
    for rec in records.values():
        check(rec)
    n_skipped = len(records)
    tasks = [(i, j) for i in range(sweep.n_points) for j in range(sweep.n_seeds) if (i, j) not in records]
    bar = _progress_bar(progress, sweep.n_runs, n_skipped)
    closers: list[Any] = []
    ran: list[tuple[int, int]] = []
    failures: dict[tuple[int, int], dict[str, Any]] = {}
    try:
        if not tasks:
            stream: Iterator[dict[str, Any]] = iter(())
        elif mode == "serial":
            stream = _serial(sweep, tasks)
        elif mode == "processes":
            stream = _processes(sweep, tasks, n_workers or os.cpu_count() or 1)
        else:
            client, closers = _open_dask(scheduler, n_workers)
            stream = _dask(sweep, tasks, client)
        try:
            for rec in stream:
                key = (rec["point"], rec["seed_index"])
                if key in records or key in failures:
                    continue  # first result of a run wins (defensive: one task per run is submitted)
                if rec["status"] == "invalid":
                    raise TypeError(
                        f"run (point {key[0]}, seed {key[1]}) with parameters {rec['params']}: {rec['error']}"
                    )
                if rec["status"] == "ok":
                    check(rec)
                if store is not None:
                    store.append(rec)
                ran.append(key)
                (records if rec["status"] == "ok" else failures)[key] = rec
                if bar is not None:
                    bar.update(1)
                    bar.set_postfix(failed=len(failures), refresh=False)
        finally:
            close = getattr(stream, "close", None)
            if close is not None:
                close()
    finally:
        if bar is not None:
            bar.close()
        if store is not None:
            store.close()
        for c in closers:
            c.close()
    fails = [
        Failure(i, j, r["params"], r["error"], r.get("traceback", ""), r["worker"])
        for (i, j), r in sorted(failures.items())
    ]
    return SweepResult(
        _build_table(sweep, records),
        fails,
        sweep.n_runs,
        n_skipped,
        len(ran),
        ran,
        sweep.fingerprint,
        None if out is None else Path(out),
    )


def _mode(scheduler: Any) -> str:
    if scheduler is None or scheduler == "processes":
        return "processes"
    if scheduler == "serial":
        return "serial"
    if scheduler == "local" or (isinstance(scheduler, str) and "://" in scheduler):
        _import_distributed(scheduler)
        return "dask"
    distributed = sys.modules.get("distributed")
    if distributed is not None and isinstance(scheduler, distributed.Client):
        return "dask"
    raise ValueError(
        f"scheduler must be None, 'processes', 'serial', 'local', a Dask scheduler address such as "
        f"'tcp://host:8786' or a dask.distributed.Client; got {scheduler!r}"
    )
