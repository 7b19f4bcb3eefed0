"""Declaring a sweep: a function of named parameters, its points, seeds and fingerprint (private).

Seeding rule: run ``(i, j)`` (point ``i`` in grid order, seed index ``j``) gets
``SeedSequence(root.entropy, spawn_key=root.spawn_key + (i, j))``, which is
exactly ``root.spawn(n_points)[i].spawn(n_seeds)[j]``.  It depends only on the
root seed and the two indices, never on how many workers ran the sweep or in
what order the runs finished.
"""

from __future__ import annotations

import hashlib
import inspect
import itertools
import json
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from .._validation import check_int, check_real

__all__ = ["ParamValue", "Sweep", "RESERVED_COLUMNS"]

ParamValue = int | float | str | bool

#: Column names of the result table that parameters and metrics may not use.
RESERVED_COLUMNS = ("point", "seed_index", "wall_time_s", "worker", "seed")

_INT64 = (-(2**63), 2**63 - 1)


def _param_value(name: str, value: Any) -> ParamValue:
    """A grid value as a plain Python scalar (int, float, str or bool), or raise."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        v = int(value)
        if not _INT64[0] <= v <= _INT64[1]:
            raise ValueError(f"parameter {name!r} must be an int64 integer; got {v}")
        return v
    if isinstance(value, (float, np.floating)):
        f = float(value)
        if not math.isfinite(f):
            raise ValueError(f"parameter {name!r} must be finite; got {f}")
        return f
    if isinstance(value, str):
        return value
    raise TypeError(
        f"parameter {name!r} values must be int, float, str or bool; got {type(value).__name__} {value!r}"
    )


def _kind(values: list[ParamValue], name: str) -> str:
    """Column kind of one parameter over all points: 'bool', 'int', 'float' or 'str'."""
    kinds = {type(v).__name__ for v in values}
    if len(kinds) == 1:
        return kinds.pop()
    if kinds == {"int", "float"}:
        return "float"
    raise TypeError(f"parameter {name!r} mixes value types {', '.join(sorted(kinds))}; use one type")


def _check_name(name: Any, what: str) -> str:
    if not isinstance(name, str) or not name.isidentifier():
        raise ValueError(f"{what} names must be Python identifiers; got {name!r}")
    if name in RESERVED_COLUMNS:
        raise ValueError(f"{what} name {name!r} is reserved; reserved names: {', '.join(RESERVED_COLUMNS)}")
    return name


def _accepted(fn: Callable[..., Any]) -> tuple[set[str], set[str], bool]:
    """(all keyword names, required names, takes **kwargs) of ``fn``'s signature."""
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"fn must be a function with an inspectable signature; got {fn!r} ({exc})") from None
    names, required, var_kw = set(), set(), False
    for p in sig.parameters.values():
        if p.kind is p.VAR_KEYWORD:
            var_kw = True
        elif p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY):
            names.add(p.name)
            if p.default is p.empty:
                required.add(p.name)
    return names, required, var_kw


def fn_name(fn: Callable[..., Any]) -> str:
    """``module:qualname`` of a function (part of the fingerprint)."""
    return f"{getattr(fn, '__module__', '?')}:{getattr(fn, '__qualname__', type(fn).__qualname__)}"


class Sweep:
    """A declared experiment: ``fn(**point, seed=SeedSequence) -> {metric: value}`` over points and seeds.

    Parameters
    ----------
    fn : callable
        Called once per run as ``fn(**params, seed=seed_sequence)`` and
        returning a mapping of metric names to numbers or small numeric
        arrays.  It must accept a ``seed`` keyword and every parameter name.
        To run in worker processes it must be picklable (a module-level
        function; on a Dask cluster, anything ``cloudpickle`` can send).
    grid : mapping of str to sequence, optional
        Parameter values; the points are their Cartesian product in C order
        (the last parameter varies fastest).
    points : sequence of mappings, optional
        An explicit list of points (all with the same parameter names);
        exactly one of ``grid`` and ``points`` is given.
    n_seeds : int
        Independent runs per point, >= 1.
    seed : int or numpy.random.SeedSequence
        The root seed (int >= 0).  Run ``(i, j)`` gets
        ``SeedSequence(root.entropy, spawn_key=root.spawn_key + (i, j))``,
        i.e. ``root.spawn(n_points)[i].spawn(n_seeds)[j]``.
    version : str
        Your version of ``fn``: change it when ``fn``'s code changes so that a
        resumed sweep refuses results computed by the old code.
    timeout : float, optional
        Seconds one run may take (> 0); a run over time is recorded as a
        failure.  Checked between Python bytecodes: a single compiled kernel
        call that runs longer finishes first.

    Raises
    ------
    TypeError, ValueError
        Unknown or missing parameter names, an empty grid or one with an
        empty value list, values that are not int/float/str/bool, mixed
        value types in one parameter, a bad ``n_seeds``, ``seed``,
        ``version`` or ``timeout``.
    """

    def __init__(
        self,
        fn: Callable[..., Mapping[str, Any]],
        grid: Mapping[str, Sequence[Any]] | None = None,
        *,
        points: Sequence[Mapping[str, Any]] | None = None,
        n_seeds: int = 1,
        seed: int | np.random.SeedSequence = 0,
        version: str = "0",
        timeout: float | None = None,
    ) -> None:
        if not callable(fn):
            raise TypeError(f"fn must be callable; got {type(fn).__name__} {fn!r}")
        if (grid is None) == (points is None):
            raise TypeError(
                "give exactly one of grid (a mapping of parameter lists) and points (a list of mappings)"
            )
        pts = self._grid_points(grid) if grid is not None else self._list_points(points)
        names = tuple(pts[0])
        accepted, required, var_kw = _accepted(fn)
        if "seed" not in accepted and not var_kw:
            raise TypeError(f"fn {fn_name(fn)} must accept a 'seed' keyword argument (its SeedSequence)")
        if not var_kw:
            unknown = [n for n in names if n not in accepted]
            if unknown:
                raise ValueError(
                    f"unknown parameter name(s) {', '.join(map(repr, unknown))}: fn {fn_name(fn)} accepts "
                    f"{', '.join(sorted(accepted - {'seed'})) or 'no parameters'}"
                )
        missing = sorted(required - set(names) - {"seed"})
        if missing:
            raise ValueError(
                f"fn {fn_name(fn)} requires parameter(s) {', '.join(map(repr, missing))} "
                "that the grid does not give"
            )
        self._kinds = {n: _kind([p[n] for p in pts], n) for n in names}
        self._fn = fn
        self._points = pts
        self._names = names
        self._n_seeds = check_int(n_seeds, "n_seeds", low=1, high=2**31 - 1)
        if isinstance(seed, np.random.SeedSequence):
            self._root = seed
        else:
            self._root = np.random.SeedSequence(check_int(seed, "seed", low=0))
        if isinstance(version, int) and not isinstance(version, bool):
            version = str(version)
        if not isinstance(version, str):
            raise TypeError(f"version must be a str; got {type(version).__name__} {version!r}")
        self._version = version
        self._timeout = None if timeout is None else check_real(timeout, "timeout", low=0.0, low_open=True)

    @staticmethod
    def _grid_points(grid: Any) -> list[dict[str, ParamValue]]:
        if not isinstance(grid, Mapping):
            raise TypeError(
                f"grid must be a mapping of parameter name to a list of values; got {type(grid).__name__}"
            )
        if not grid:
            raise ValueError("grid must name at least one parameter; got an empty grid")
        axes = []
        for name, values in grid.items():
            _check_name(name, "parameter")
            if isinstance(values, (str, bytes)) or not isinstance(values, (Sequence, np.ndarray)):
                raise TypeError(
                    f"grid[{name!r}] must be a list of values; got {type(values).__name__} {values!r}"
                )
            if len(values) == 0:
                raise ValueError(f"grid[{name!r}] must hold at least one value; got an empty list")
            vals = [_param_value(name, v) for v in values]
            if len(set(map(repr, vals))) != len(vals):
                raise ValueError(f"grid[{name!r}] must not repeat a value; got {vals}")
            axes.append((name, vals))
        return [
            dict(zip([a[0] for a in axes], combo, strict=True))
            for combo in itertools.product(*[a[1] for a in axes])
        ]

    @staticmethod
    def _list_points(points: Any) -> list[dict[str, ParamValue]]:
        if isinstance(points, (str, bytes, Mapping)) or not isinstance(points, Sequence):
            raise TypeError(f"points must be a list of mappings; got {type(points).__name__}")
        if len(points) == 0:
            raise ValueError("points must hold at least one point; got an empty list")
        out: list[dict[str, ParamValue]] = []
        for k, p in enumerate(points):
            if not isinstance(p, Mapping) or not p:
                raise TypeError(f"points[{k}] must be a non-empty mapping of parameter values; got {p!r}")
            if out and list(p) != list(out[0]):
                raise ValueError(f"points[{k}] has parameters {list(p)}; points[0] has {list(out[0])}")
            out.append({_check_name(n, "parameter"): _param_value(n, v) for n, v in p.items()})
        return out

    # ------------------------------------------------------------------ accessors

    @property
    def fn(self) -> Callable[..., Mapping[str, Any]]:
        """The function run at every point."""
        return self._fn

    @property
    def param_names(self) -> tuple[str, ...]:
        """Parameter names, in declaration order."""
        return self._names

    def param_kind(self, name: str) -> str:
        """'bool', 'int', 'float' or 'str': the table column type of parameter ``name``."""
        return self._kinds[name]

    @property
    def points(self) -> list[dict[str, ParamValue]]:
        """The points in grid order (a fresh copy)."""
        return [dict(p) for p in self._points]

    def point(self, i: int) -> dict[str, ParamValue]:
        """Parameters of point ``i`` (a fresh copy)."""
        return dict(self._points[i])

    @property
    def n_points(self) -> int:
        return len(self._points)

    @property
    def n_seeds(self) -> int:
        return self._n_seeds

    @property
    def n_runs(self) -> int:
        """``n_points * n_seeds``."""
        return len(self._points) * self._n_seeds

    @property
    def version(self) -> str:
        return self._version

    @property
    def timeout(self) -> float | None:
        return self._timeout

    @property
    def root_seed(self) -> np.random.SeedSequence:
        return self._root

    def seed_sequence(self, point: int, seed_index: int) -> np.random.SeedSequence:
        """The SeedSequence of run ``(point, seed_index)``: child ``(point, seed_index)`` of the root."""
        point = check_int(point, "point", low=0, high=self.n_points - 1)
        seed_index = check_int(seed_index, "seed_index", low=0, high=self._n_seeds - 1)
        return np.random.SeedSequence(
            self._root.entropy, spawn_key=tuple(self._root.spawn_key) + (point, seed_index)
        )

    @property
    def fingerprint(self) -> str:
        """SHA-256 (hex) of the function's name, ``version``, points, ``n_seeds`` and root seed.

        Values are tagged with their type, so ``1``, ``1.0`` and ``True`` differ.
        """
        doc = {
            "fn": fn_name(self._fn),
            "version": self._version,
            "params": list(self._names),
            "points": [[[type(v).__name__, v] for v in p.values()] for p in self._points],
            "n_seeds": self._n_seeds,
            "seed": [str(self._root.entropy), [int(k) for k in self._root.spawn_key]],
        }
        text = json.dumps(doc, sort_keys=True, separators=(",", ":"), allow_nan=False)
        return hashlib.sha256(text.encode()).hexdigest()

    def __repr__(self) -> str:
        return (
            f"Sweep({fn_name(self._fn)}, {self.n_points} points x {self._n_seeds} seeds, "
            f"params={list(self._names)}, version={self._version!r})"
        )
