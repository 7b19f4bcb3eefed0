"""What runs on a worker: one run of the sweep function, timed, checked and caught (private).

:func:`execute` never raises for an error of the user's function: it returns a
record with ``status`` ``"ok"``, ``"failed"`` (the function raised or ran over
its timeout; the traceback is kept) or ``"invalid"`` (the function returned
something that is not a mapping of metric names to numbers or small numeric
arrays; the driver turns that into a ``TypeError``).
"""

from __future__ import annotations

import ctypes
import os
import socket
import sys
import threading
import time
import traceback
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

__all__ = ["PointTimeout", "execute", "MAX_ARRAY_METRIC"]

#: Largest number of elements of an array metric ("small arrays": every run stores its own copy).
MAX_ARRAY_METRIC = 4096


class PointTimeout(Exception):
    """Raised inside a run that exceeded the sweep's timeout."""


def _noop() -> None:
    """A Python-level call: a delivery point for a pending asynchronous exception."""


def _call(fn: Callable[..., Any], kwargs: dict[str, Any], timeout: float | None) -> Any:
    """``fn(**kwargs)``, interrupted with :class:`PointTimeout` after ``timeout`` seconds.

    A timer thread raises the exception asynchronously in this thread
    (``PyThreadState_SetAsyncExc``), which works in any thread: the main
    thread of a pool process and the executor threads of a Dask worker alike.
    The lock makes "finished" and "timed out" mutually exclusive.
    """
    if timeout is None:
        return fn(**kwargs)
    target = threading.get_ident()
    lock = threading.Lock()
    state = {"done": False}

    def fire() -> None:
        with lock:
            if not state["done"]:
                ctypes.pythonapi.PyThreadState_SetAsyncExc(
                    ctypes.c_ulong(target), ctypes.py_object(PointTimeout)
                )

    timer = threading.Timer(timeout, fire)
    timer.daemon = True
    timer.start()
    try:
        try:
            return fn(**kwargs)
        finally:
            with lock:
                state["done"] = True
            timer.cancel()
            _noop()  # an exception set just before "done" is delivered here, inside the try
    except PointTimeout:
        raise PointTimeout(f"the run exceeded the timeout of {timeout} s") from None


def worker_name() -> str:
    """The Dask worker address inside a Dask worker, else ``host:pid``."""
    if sys.modules.get("distributed") is not None:
        try:
            from distributed import get_worker

            return str(get_worker().address)
        except ValueError:  # not inside a Dask worker
            pass
    return f"{socket.gethostname()}:{os.getpid()}"


def check_metrics(value: Any) -> dict[str, float | dict[str, Any]]:
    """The returned metrics in JSON-ready form, or a TypeError/ValueError saying what is wrong.

    Scalars become floats; arrays become ``{"shape": [...], "data": [...]}``
    (float64, C order).
    """
    if not isinstance(value, Mapping):
        raise TypeError(
            f"the function must return a mapping of metric names to numbers or arrays; "
            f"got {type(value).__name__} {value!r:.80}"
        )
    if not value:
        raise ValueError("the function must return at least one metric; got an empty mapping")
    out: dict[str, float | dict[str, Any]] = {}
    for name, v in value.items():
        if not isinstance(name, str) or not name.isidentifier():
            raise TypeError(f"metric names must be Python identifiers; got {name!r}")
        if isinstance(v, (bool, int, float, np.bool_, np.integer, np.floating)):
            out[name] = float(v)
            continue
        if isinstance(v, (list, tuple, np.ndarray)):
            try:
                arr = np.asarray(v)
            except ValueError:
                arr = np.asarray([None])  # ragged: rejected below
            if arr.dtype.kind in "biuf" and arr.ndim >= 1 and 0 < arr.size <= MAX_ARRAY_METRIC:
                a = np.ascontiguousarray(arr, dtype=np.float64)
                out[name] = {"shape": list(a.shape), "data": a.reshape(-1).tolist()}
                continue
            raise TypeError(
                f"metric {name!r} must be a number or a numeric array of 1 to {MAX_ARRAY_METRIC} elements; "
                f"got an array of dtype {arr.dtype} and shape {arr.shape}"
            )
        raise TypeError(
            f"metric {name!r} must be a number or a numeric array; got {type(v).__name__} {v!r:.80}"
        )
    return out


def execute(
    fn: Callable[..., Any],
    params: dict[str, Any],
    point: int,
    seed_index: int,
    seed: np.random.SeedSequence,
    timeout: float | None,
) -> dict[str, Any]:
    """Run ``fn(**params, seed=seed)`` once (``seed``: the run's SeedSequence); return its record."""
    record: dict[str, Any] = {
        "point": point,
        "seed_index": seed_index,
        "params": params,
        "worker": worker_name(),
    }
    start = time.perf_counter()
    try:
        value = _call(fn, {**params, "seed": seed}, timeout)
    except Exception as exc:  # a failing run is data (PointTimeout included); the sweep goes on
        record.update(
            status="failed",
            wall_time_s=time.perf_counter() - start,
            error=f"{type(exc).__name__}: {exc}",
            traceback=traceback.format_exc(),
        )
        return record
    record["wall_time_s"] = time.perf_counter() - start
    try:
        record.update(status="ok", metrics=check_metrics(value))
    except (TypeError, ValueError) as exc:
        record.update(status="invalid", error=str(exc))
    return record
