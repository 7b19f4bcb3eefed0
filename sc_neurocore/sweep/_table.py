"""Tidy result tables, per-point aggregation and the one-call plot (private).

A :class:`Table` wraps a read-only numpy structured array.  The run table of
a sweep has one row per point x seed: the parameters, ``point``,
``seed_index``, the metrics (float64; array metrics as sub-array fields),
``wall_time_s`` and ``worker``.  Export to CSV needs nothing; Parquet and
pandas need ``pyarrow`` / ``pandas`` (optional).
"""

from __future__ import annotations

import csv
import math
import os
from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = ["Table", "t_quantile", "aggregate", "plot_metric"]


class Table:
    """A read-only structured array with named parameter and metric columns.

    Parameters
    ----------
    data : numpy.ndarray
        A 1-D structured array (copied and made read-only).
    param_names, metric_names : sequence of str
        Which fields are parameters and which are metrics.
    """

    def __init__(
        self, data: np.ndarray, param_names: Sequence[str] = (), metric_names: Sequence[str] = ()
    ) -> None:
        if not isinstance(data, np.ndarray) or data.dtype.names is None or data.ndim != 1:
            raise TypeError("data must be a 1-D numpy structured array")
        for n in (*param_names, *metric_names):
            if n not in data.dtype.names:
                raise ValueError(
                    f"column {n!r} is not a field of data; fields: {', '.join(data.dtype.names)}"
                )
        self._data = data.copy()
        self._data.flags.writeable = False
        self.param_names = tuple(param_names)
        self.metric_names = tuple(metric_names)

    @property
    def data(self) -> np.ndarray:
        """The structured array (read-only)."""
        return self._data

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(self._data.dtype.names or ())

    def __len__(self) -> int:
        return int(self._data.shape[0])

    def __getitem__(self, name: str) -> np.ndarray:
        if name not in self.columns:
            raise KeyError(f"no column {name!r}; columns: {', '.join(self.columns)}")
        return self._data[name]

    def __repr__(self) -> str:
        return f"Table({len(self)} rows; columns {', '.join(self.columns)})"

    def _flat_columns(self) -> list[tuple[str, np.ndarray]]:
        """(header, 1-D column) pairs; sub-array ``m`` of shape (2, 3) gives ``m[0][0]`` .. ``m[1][2]``."""
        cols = []
        for name in self.columns:
            col = self._data[name]
            if col.ndim == 1:
                cols.append((name, col))
            else:
                for idx in np.ndindex(*col.shape[1:]):
                    cols.append((name + "".join(f"[{k}]" for k in idx), col[(slice(None),) + idx]))
        return cols

    def to_csv(self, path: str | os.PathLike[str]) -> None:
        """Write the table as CSV (header row; floats with ``repr``, so they read back exactly)."""
        cols = self._flat_columns()
        with open(path, "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow([h for h, _ in cols])
            for r in range(len(self)):
                w.writerow([repr(float(c[r])) if c.dtype.kind == "f" else c[r].item() for _, c in cols])

    def to_pandas(self) -> Any:
        """A ``pandas.DataFrame`` (array metrics as columns of arrays); needs pandas."""
        try:
            import pandas as pd
        except ImportError:
            raise ImportError("Table.to_pandas needs pandas: python -m pip install pandas") from None
        return pd.DataFrame(
            {n: list(self._data[n]) if self._data[n].ndim > 1 else self._data[n] for n in self.columns}
        )

    def to_parquet(self, path: str | os.PathLike[str]) -> None:
        """Write the table as Parquet (array metrics as list columns); needs pyarrow."""
        try:
            import pyarrow as pa
            import pyarrow.parquet as pq
        except ImportError:
            raise ImportError("Table.to_parquet needs pyarrow: python -m pip install pyarrow") from None
        arrays = {
            n: (self._data[n].tolist() if self._data[n].ndim > 1 else self._data[n]) for n in self.columns
        }
        pq.write_table(pa.table(arrays), str(path))


# ---------------------------------------------------------------------- Student t quantile


def _betacf(a: float, b: float, x: float) -> float:
    """Continued fraction of the incomplete beta function (modified Lentz)."""
    tiny = 1e-300
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 10_000):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < 1e-15:
            break
    return h


def _betainc(a: float, b: float, x: float) -> float:
    """Regularised incomplete beta function I_x(a, b)."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    lbt = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    if x < (a + 1.0) / (a + b + 2.0):
        return math.exp(lbt) * _betacf(a, b, x) / a
    return 1.0 - math.exp(lbt) * _betacf(b, a, 1.0 - x) / b


def _t_upper_tail(t: float, df: float) -> float:
    """P(T > t) for t >= 0: ``I_{df/(df+t^2)}(df/2, 1/2) / 2``."""
    return 0.5 * _betainc(0.5 * df, 0.5, df / (df + t * t))


def t_quantile(q: float, df: float) -> float:
    r"""Quantile of Student's t distribution with ``df`` degrees of freedom, for ``q`` in (0.5, 1).

    Solves :math:`P(T > t) = 1 - q` by bisection on the exact tail
    :math:`\tfrac12 I_{\nu/(\nu+t^2)}(\nu/2, 1/2)` (no scipy needed);
    relative accuracy about 1e-12.
    """
    if not 0.5 < q < 1.0:
        raise ValueError(f"q must be in (0.5, 1); got {q}")
    if not df > 0:
        raise ValueError(f"df must be > 0; got {df}")
    tail = 1.0 - q
    lo, hi = 0.0, 1.0
    while _t_upper_tail(hi, df) > tail:
        lo, hi = hi, 2.0 * hi
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if _t_upper_tail(mid, df) > tail:
            lo = mid
        else:
            hi = mid
        if hi - lo <= 1e-13 * hi:
            break
    return 0.5 * (lo + hi)


# ---------------------------------------------------------------------- aggregation


def aggregate(table: Table, confidence: float = 0.95) -> Table:
    r"""Mean, standard error and confidence interval of every metric, per point.

    For the :math:`n` seeds of a point with values :math:`x_k`:
    ``mean`` :math:`\bar x`, ``sem`` :math:`s/\sqrt n` (:math:`s`: sample
    standard deviation, ddof = 1) and the Student-t interval
    :math:`\bar x \pm t_{(1+c)/2,\,n-1}\, s/\sqrt n` (exact for normal
    values, approximate otherwise).  With one seed ``sem`` and the interval
    are NaN.  Failed runs are not in the table and do not count in ``n``.

    Returns
    -------
    Table
        One row per point that has at least one result: the parameters,
        ``point``, ``n``, and ``<metric>_mean``, ``_sem``, ``_ci_low``,
        ``_ci_high`` (sub-arrays for array metrics).
    """
    if not isinstance(table, Table) or "point" not in table.columns:
        raise TypeError("table must be the run table of a sweep (SweepResult.table)")
    if isinstance(confidence, bool) or not isinstance(confidence, (int, float)) or not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be a number in (0, 1); got {confidence!r}")
    data = table.data
    points, first = np.unique(data["point"], return_index=True)
    fields: list[tuple[Any, ...]] = [(n, data.dtype[n]) for n in table.param_names]
    fields += [("point", np.int64), ("n", np.int64)]
    for m in table.metric_names:
        shape = data.dtype[m].shape
        for suffix in ("mean", "sem", "ci_low", "ci_high"):
            fields.append((f"{m}_{suffix}", np.float64, shape) if shape else (f"{m}_{suffix}", np.float64))
    out = np.zeros(points.size, dtype=fields)
    for n in table.param_names:
        out[n] = data[n][first]
    out["point"] = points
    for r, p in enumerate(points):
        rows = data[data["point"] == p]
        n = rows.shape[0]
        out["n"][r] = n
        half = t_quantile(0.5 * (1.0 + confidence), n - 1) if n > 1 else math.nan
        for m in table.metric_names:
            x = rows[m]
            mean = x.mean(axis=0)
            sem = x.std(axis=0, ddof=1) / math.sqrt(n) if n > 1 else np.full_like(mean, math.nan)
            out[f"{m}_mean"][r] = mean
            out[f"{m}_sem"][r] = sem
            out[f"{m}_ci_low"][r] = mean - half * sem
            out[f"{m}_ci_high"][r] = mean + half * sem
    metrics = [f"{m}_{s}" for m in table.metric_names for s in ("mean", "sem", "ci_low", "ci_high")]
    return Table(out, table.param_names, metrics)


# ---------------------------------------------------------------------- plot


def plot_metric(
    table: Table,
    metric: str,
    x: str,
    hue: str | None = None,
    *,
    where: dict[str, Any] | None = None,
    confidence: float = 0.95,
    ax: Any = None,
    logx: bool = False,
    logy: bool = False,
) -> Any:
    """Plot ``metric``'s per-point mean against parameter ``x`` with confidence-interval error bars.

    One line per value of ``hue``; every other parameter must take a single
    value, or be fixed with ``where={name: value}``.  Needs matplotlib (the
    ``plot`` extra).  Returns the matplotlib ``Axes``.
    """
    if not isinstance(table, Table) or "point" not in table.columns:
        raise TypeError("table must be the run table of a sweep (SweepResult.table)")
    for name, what in ((x, "x"), (hue, "hue")):
        if name is not None and name not in table.param_names:
            raise ValueError(f"{what} must be a parameter ({', '.join(table.param_names)}); got {name!r}")
    if metric not in table.metric_names:
        raise ValueError(f"metric must be one of {', '.join(table.metric_names)}; got {metric!r}")
    if table.data[metric].ndim != 1:
        raise ValueError(f"metric {metric!r} is an array metric; plot_metric plots scalar metrics")
    try:
        import matplotlib.pyplot as plt
    except ImportError:
        raise ImportError(
            'plot_metric needs matplotlib: python -m pip install "sc-neurocore[plot]"'
        ) from None
    data = table.data
    keep = np.ones(len(table), dtype=bool)
    for name, value in (where or {}).items():
        if name not in table.param_names:
            raise ValueError(
                f"where names unknown parameter {name!r}; parameters: {', '.join(table.param_names)}"
            )
        keep &= data[name] == value
    sub = Table(data[keep], table.param_names, (metric,))
    for name in table.param_names:
        if name not in (x, hue) and np.unique(sub.data[name]).size > 1:
            raise ValueError(
                f"parameter {name!r} takes {np.unique(sub.data[name]).size} values; fix one with "
                f"where={{{name!r}: value}} or choose it as hue"
            )
    agg = aggregate(sub, confidence).data
    if ax is None:
        _, ax = plt.subplots()
    groups = [None] if hue is None else list(dict.fromkeys(agg[hue].tolist()))
    for g in groups:
        rows = agg if g is None else agg[agg[hue] == g]
        rows = rows[np.argsort(rows[x], kind="stable")]
        mean = rows[f"{metric}_mean"]
        err = np.vstack([mean - rows[f"{metric}_ci_low"], rows[f"{metric}_ci_high"] - mean])
        ax.errorbar(
            rows[x],
            mean,
            yerr=np.nan_to_num(err),
            marker="o",
            capsize=3,
            label=None if g is None else f"{hue} = {g}",
        )
    ax.set_xlabel(x)
    ax.set_ylabel(f"{metric} (mean, {confidence:.0%} CI)")
    if logx:
        ax.set_xscale("log")
    if logy:
        ax.set_yscale("log")
    if hue is not None:
        ax.legend()
    return ax
