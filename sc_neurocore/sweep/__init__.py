"""Parameter sweeps and Monte Carlo: declare a grid, run it locally or on a Dask cluster, resume it.

A :class:`Sweep` is a function of named parameters, a grid (or list) of
points and a number of seeds per point; :func:`run` runs it serially, on a
local process pool (default, no Dask needed) or on Dask's ``distributed``
scheduler (``scheduler="local"`` for a ``LocalCluster``, an address such as
``"tcp://host:8786"``, or a ``Client``), appends every finished run to an
output directory as it completes and skips finished runs when re-run.
Results come back as a tidy :class:`Table` (one row per point x seed) with
per-point aggregation (mean, standard error, Student-t confidence interval)
and a one-call plot.  See ``docs/sweeps.md``.

Seeding rule: run ``(i, j)`` gets child ``(i, j)`` of the root
``SeedSequence`` (``root.spawn(n_points)[i].spawn(n_seeds)[j]``), independent
of workers and completion order.
"""

from __future__ import annotations

from ._experiments import (
    EXPERIMENTS,
    Experiment,
    decision_accuracy,
    experiment,
    hw_multiplier_design,
    register_experiment,
    sc_multiply_error,
)
from ._run import Failure, SweepResult, run
from ._spec import Sweep
from ._store import SweepMismatchError
from ._table import Table, aggregate, plot_metric, t_quantile
from ._worker import PointTimeout

__all__ = [
    "EXPERIMENTS",
    "Experiment",
    "Failure",
    "PointTimeout",
    "Sweep",
    "SweepMismatchError",
    "SweepResult",
    "Table",
    "aggregate",
    "decision_accuracy",
    "experiment",
    "hw_multiplier_design",
    "plot_metric",
    "register_experiment",
    "run",
    "sc_multiply_error",
    "t_quantile",
]


def __dir__() -> list[str]:
    # Only the API, not the private submodules the imports above loaded.
    return sorted(__all__)
