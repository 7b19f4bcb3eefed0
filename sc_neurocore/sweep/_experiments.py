"""Registered experiments: named sweep functions the CLI and specs can refer to (private).

Each experiment is a module-level function ``fn(**params, seed)`` (so it
pickles by reference to any worker) with a ``version`` that changes whenever
its results would change, a description and a small default grid.
"""

from __future__ import annotations

import math
import shutil
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .._validation import check_choice, check_count, check_real
from ._spec import Sweep

__all__ = [
    "Experiment",
    "EXPERIMENTS",
    "experiment",
    "register_experiment",
    "sc_multiply_error",
    "decision_accuracy",
    "hw_multiplier_design",
]

ENCODERS = ("bernoulli", "lfsr", "sobol")


@dataclass(frozen=True)
class Experiment:
    """A registered sweep function with its version, description and default grid."""

    name: str
    fn: Callable[..., Mapping[str, Any]]
    version: str
    description: str
    default_grid: dict[str, list[Any]] = field(default_factory=dict)
    default_n_seeds: int = 1

    def sweep(
        self,
        grid: Mapping[str, Sequence[Any]] | None = None,
        *,
        n_seeds: int | None = None,
        seed: int = 0,
        timeout: float | None = None,
    ) -> Sweep:
        """A :class:`Sweep` of this experiment; ``grid`` entries replace the default grid's (others kept)."""
        full: dict[str, Sequence[Any]] = {**self.default_grid, **(grid or {})}
        return Sweep(
            self.fn,
            full,
            n_seeds=self.default_n_seeds if n_seeds is None else n_seeds,
            seed=seed,
            version=f"{self.name}/{self.version}",
            timeout=timeout,
        )


EXPERIMENTS: dict[str, Experiment] = {}


def register_experiment(
    name: str,
    fn: Callable[..., Mapping[str, Any]],
    *,
    version: str,
    description: str,
    default_grid: Mapping[str, Sequence[Any]] | None = None,
    default_n_seeds: int = 1,
) -> Experiment:
    """Register ``fn`` under ``name`` (a new name, or the same function again) and return its entry."""
    if not isinstance(name, str) or not name.isidentifier():
        raise ValueError(f"name must be an identifier; got {name!r}")
    if name in EXPERIMENTS and EXPERIMENTS[name].fn is not fn:
        raise ValueError(f"experiment {name!r} is already registered with {EXPERIMENTS[name].fn!r}")
    exp = Experiment(
        name,
        fn,
        str(version),
        description,
        {k: list(v) for k, v in (default_grid or {}).items()},
        check_count(default_n_seeds, "default_n_seeds", low=1),
    )
    EXPERIMENTS[name] = exp
    return exp


def experiment(name: str) -> Experiment:
    """The registered experiment ``name``, or a ValueError listing the registered ones."""
    if name not in EXPERIMENTS:
        raise ValueError(
            f"experiment must be one of {', '.join(map(repr, sorted(EXPERIMENTS)))}; got {name!r}"
        )
    return EXPERIMENTS[name]


# ---------------------------------------------------------------------- 1. SC multiply error


def sc_multiply_error(
    length: int,
    encoder: str,
    p: float = 0.3,
    q: float = 0.6,
    width: int = 16,
    *,
    seed: np.random.SeedSequence,
) -> dict[str, float]:
    r"""Error of an SC product ``p q`` computed by an AND gate on two encoded streams of ``length`` bits.

    Encoders: ``"bernoulli"`` (two independent counter-hash streams, each
    keyed by a child of ``seed``), ``"lfsr"`` (two ``width``-bit registers
    with different primitive polynomials, the default taps and their mirror,
    and random nonzero start states drawn from ``seed``) and ``"sobol"``
    (dimensions 0 and 1 from the start; deterministic, ``seed`` unused).

    Metrics: ``estimate`` (ones / L), ``error`` = estimate - p q,
    ``abs_error``, ``sq_error`` and ``theory_se`` =
    :math:`\sqrt{pq(1-pq)/L}`, the standard error of independent Bernoulli
    streams (the RMS of ``error`` over seeds for ``"bernoulli"``).
    """
    from hw_models import mirror_taps
    from sc_neurocore import bitstream as bs
    from sc_neurocore._taps import MAXIMAL_TAPS
    from sc_neurocore.bitstream._encoders import check_width

    length = check_count(length, "length", low=1)
    encoder = check_choice(encoder, "encoder", ENCODERS)
    p = check_real(p, "p", low=0.0, high=1.0)
    q = check_real(q, "q", low=0.0, high=1.0)
    if encoder == "bernoulli":
        sx, sy = seed.spawn(2)
        a, b = bs.bernoulli(p, length, seed=sx), bs.bernoulli(q, length, seed=sy)
    elif encoder == "lfsr":
        taps = MAXIMAL_TAPS[check_width(width)]
        states = np.random.default_rng(seed).integers(1, 2**width, size=2)
        a = bs.lfsr(p, length, width=width, seed=int(states[0]), taps=taps)
        b = bs.lfsr(q, length, width=width, seed=int(states[1]), taps=mirror_taps(taps))
    else:
        a, b = bs.sobol(p, length, dimension=0), bs.sobol(q, length, dimension=1)
    est = float(bs.decode(bs.and_(a, b), length))
    err = est - p * q
    return {
        "estimate": est,
        "error": err,
        "abs_error": abs(err),
        "sq_error": err * err,
        "theory_se": math.sqrt(p * q * (1.0 - p * q) / length),
    }


# ---------------------------------------------------------------------- 2. decision task


def decision_accuracy(
    contrast: float,
    readout: str,
    n: int = 400,
    n_pool: int = 40,
    n_train: int = 20,
    n_test: int = 40,
    base_rate_hz: float = 30.0,
    *,
    seed: np.random.SeedSequence,
) -> dict[str, float]:
    r"""Test accuracy of the E/I decision task at input ``contrast`` with decision rule ``readout``.

    The two patterns drive their pool's afferents at
    :math:`r_0 (1 \pm c)` Hz (``base_rate_hz`` :math:`r_0`, ``contrast``
    :math:`c \in [0, 1)`); ``readout`` is a rule of
    :meth:`sc_neurocore.network.DecisionTask.decide` (``"pools"``,
    ``"threshold"`` with a calibrated threshold, ``"linear"``,
    ``"hebbian"``).  One child of ``seed`` builds the network, the other
    draws the training and test trials.  Metrics: ``accuracy`` on ``n_test``
    trials and its binomial ``stderr``.
    """
    from sc_neurocore.network import DECISION_RULES, DecisionTask

    contrast = check_real(contrast, "contrast", low=0.0, high=1.0, high_open=True)
    readout = check_choice(readout, "readout", DECISION_RULES)
    g_net, g_trials = seed.spawn(2)
    task = DecisionTask(
        n=n,
        n_pool=n_pool,
        rate_on_hz=base_rate_hz * (1.0 + contrast),
        rate_off_hz=base_rate_hz * (1.0 - contrast),
        seed=g_net,
    )
    res = task.evaluate(readout, n_train=n_train, n_test=n_test, seed=g_trials, threshold_hz=None)
    return {"accuracy": res.accuracy, "stderr": res.stderr}


# ---------------------------------------------------------------------- 3. hw_models design sweep


def hw_multiplier_design(
    width: int,
    length: int,
    p: float = 0.3,
    q: float = 0.6,
    area: bool = True,
    *,
    seed: np.random.SeedSequence,
) -> dict[str, float]:
    """A gate-level SC multiplier (two LFSR SNGs and an AND gate, ``hw_models.Synapse``) of ``width`` bits.

    The registers use the default primitive polynomial and its mirror, with
    random nonzero start states drawn from ``seed``; the product is the
    fraction of ones in ``length`` cycles of the bit-exact model.  Metrics:
    ``estimate``, ``error`` (estimate - p q), ``abs_error`` and, when Yosys
    is installed and ``area`` is true, ``area_cells`` and ``flip_flops`` of
    the synthesised design (NaN otherwise).
    """
    import hw_models as hw
    from sc_neurocore._taps import MAXIMAL_TAPS
    from sc_neurocore.bitstream._encoders import check_width

    width = check_width(width)
    length = check_count(length, "length", low=1)
    states = np.random.default_rng(seed).integers(1, 2**width, size=2)
    taps = MAXIMAL_TAPS[width]
    sx = hw.SNG(hw.FibonacciLFSR(width, seed=int(states[0]), taps=taps), hw.threshold_of(p, width))
    sw = hw.SNG(
        hw.FibonacciLFSR(width, seed=int(states[1]), taps=hw.mirror_taps(taps)), hw.threshold_of(q, width)
    )
    syn = hw.Synapse(sx, sw)
    est = float(np.mean(sx.bits(length) & sw.bits(length)))
    err = est - p * q
    cells = ffs = math.nan
    if area and shutil.which("yosys"):
        rep = hw.area_report(syn)
        cells, ffs = float(rep.total_cells), float(rep.flip_flops)
    return {"estimate": est, "error": err, "abs_error": abs(err), "area_cells": cells, "flip_flops": ffs}


register_experiment(
    "sc_multiply_error",
    sc_multiply_error,
    version="1",
    description="SC multiply (AND gate) error vs stream length x encoder, with the binomial theory",
    default_grid={"length": [64, 256, 1024, 4096, 16384], "encoder": list(ENCODERS)},
    default_n_seeds=16,
)
register_experiment(
    "decision_accuracy",
    decision_accuracy,
    version="1",
    description="decision-task accuracy vs input contrast x readout rule",
    default_grid={"contrast": [0.0, 0.01, 0.02, 0.05, 0.1], "readout": ["pools", "threshold", "linear"]},
    default_n_seeds=4,
)
register_experiment(
    "hw_multiplier_design",
    hw_multiplier_design,
    version="1",
    description="hw_models SC multiplier design sweep: LFSR width x stream length; error and Yosys area",
    default_grid={"width": [8, 12, 16], "length": [256, 1024, 4096]},
    default_n_seeds=4,
)
