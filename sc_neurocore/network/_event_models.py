"""Neuron models of the event-driven engine: the Python side of each model's state rows (private).

A neuron model runs in :class:`EventDrivenNetwork` when it has an exact
solution between events: its kernel parameter type and maths
(:class:`~sc_neurocore._kernels._event.EvOps`, registered in
``_kernels._event.EV_MODELS``) and an :class:`EventModel` here, registered
in :data:`EVENT_MODELS` under the :class:`~._models.NeuronModel` class.  The
:class:`EventModel` fixes the layout of the state rows (:class:`Column`), fills
them at ``t = 0``, maps a constant current to the model's drive and builds the
kernel parameters; the network's reset, persistence (``st_<name>`` entries)
and load checks are derived from its columns.  ``docs/event_driven.md``
("How to add an event-driven model") walks through adding one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, NamedTuple

import numpy as np

from .._kernels import _event as K
from .._kernels import _expsyn_event as KX
from ._models import LIF, ExpSynLIF, NeuronModel
from ._population import Population

__all__ = ["ENGINE_COLUMNS", "EVENT_MODELS", "Column", "EventModel", "ExpSynLIFEvent", "LIFEvent",
           "event_model"]


@dataclass(frozen=True)
class Column:
    """One column of the event-driven state rows ``S[:, col]``.

    Attributes
    ----------
    name : str
        File entry ``st_<name>`` when ``saved``.
    col : int
        Column index.
    saved : bool
        Stored by :meth:`EventDrivenNetwork.save` (a model column must then be finite);
        otherwise rebuilt from the parameters by :meth:`EventModel.init_rows`.
    """

    name: str
    col: int
    saved: bool = True


#: the engine's columns, the same in every model (their load checks are the engine's); ``acc`` is
#: NaN between calls and not saved
ENGINE_COLUMNS: tuple[Column, ...] = (Column("tupd", K.TUPD), Column("tspk", K.TSPK), Column("ver", K.VER),
                                      Column("acc", K.ACC, saved=False))


class EventModel:
    """The event-driven definition of a neuron model bound to a population (subclass per model).

    Class attributes: ``n_cols`` (row width), ``columns`` (the model's own
    :class:`Column`\\ s; with :data:`ENGINE_COLUMNS` they must cover
    ``0 .. n_cols - 1`` once), ``drive_col`` (the column a current change
    sets) and ``drive_text`` (how error messages name the drive).
    """

    n_cols: ClassVar[int]
    columns: ClassVar[tuple[Column, ...]]
    drive_col: ClassVar[int]
    drive_text: ClassVar[str]

    def __init__(self, neuron: NeuronModel, pop: Population) -> None:
        self.neuron = neuron
        self.pop = pop

    def kernel_params(self) -> NamedTuple:
        """The model's kernel parameter tuple (its type selects the kernel maths)."""
        raise NotImplementedError

    def drive(self, i_ext: np.ndarray) -> np.ndarray:
        """The drive column's value for the constant current ``i_ext`` (shape ``(..., n)``; not checked)."""
        raise NotImplementedError

    def init_rows(self, S: np.ndarray, drive: np.ndarray) -> None:
        """Fill the model's columns of ``S`` for ``t = 0`` (``v = v_init``) with the drive ``drive``."""
        raise NotImplementedError

    @property
    def state_columns(self) -> tuple[Column, ...]:
        """Every saved column, in file order: the model's, then the engine's."""
        return tuple(c for c in self.columns + ENGINE_COLUMNS if c.saved)


class LIFEvent(EventModel):
    """Event-driven LIF (:class:`~sc_neurocore._kernels._event.EvLIF`): the 8-column, 64-byte rows."""

    n_cols = K.N_COLS
    columns = (Column("v", K.V), Column("vinf", K.VINF), Column("tau", K.TAU, saved=False),
               Column("thr", K.THR, saved=False))
    drive_col = K.VINF
    drive_text = "v_inf = v_rest + tau_m * i_ext"

    def kernel_params(self) -> K.EvLIF:
        return K.EvLIF(self.pop.v_reset, self.pop.refractory)

    def drive(self, i_ext: np.ndarray) -> np.ndarray:
        with np.errstate(over="ignore", invalid="ignore"):
            out: np.ndarray = self.pop.v_rest + self.pop.tau_m * i_ext
        return out

    def init_rows(self, S: np.ndarray, drive: np.ndarray) -> None:
        pop = self.pop
        S[:, K.V] = pop.v_init
        S[:, K.VINF] = drive
        S[:, K.TAU] = pop.tau_m
        S[:, K.THR] = pop.threshold


class ExpSynLIFEvent(EventModel):
    """Event-driven ExpSynLIF (:class:`~sc_neurocore._kernels._expsyn_event.EvExpSyn`): LIF's columns plus
    ``i_syn`` (saved; the current at ``t_upd``, which is the end of the refractory period while held)
    and ``tau_syn``: 10-column rows.  The drive is LIF's ``v_inf``."""

    n_cols = KX.N_COLS_EXPSYN
    columns = LIFEvent.columns + (Column("i_syn", KX.ISYN), Column("tau_syn", KX.TAUS, saved=False))
    drive_col = LIFEvent.drive_col
    drive_text = LIFEvent.drive_text

    def kernel_params(self) -> KX.EvExpSyn:
        return KX.EvExpSyn(self.pop.v_reset, self.pop.refractory)

    def drive(self, i_ext: np.ndarray) -> np.ndarray:
        return LIFEvent(self.neuron, self.pop).drive(i_ext)

    def init_rows(self, S: np.ndarray, drive: np.ndarray) -> None:
        LIFEvent(self.neuron, self.pop).init_rows(S, drive)
        p = self.neuron.bind(self.pop)
        S[:, KX.ISYN] = p.get("i_init", 0.0)
        S[:, KX.TAUS] = p["tau_syn"]


#: neuron model class -> its event-driven definition (the models :class:`EventDrivenNetwork` runs)
EVENT_MODELS: dict[type[NeuronModel], type[EventModel]] = {LIF: LIFEvent, ExpSynLIF: ExpSynLIFEvent}


def event_model(neuron: Any, pop: Population) -> EventModel:
    """The event-driven definition of ``neuron`` for ``pop``, or an error naming the model.

    Raises
    ------
    TypeError
        If ``neuron`` is not a :class:`NeuronModel`.
    ValueError
        If the model has no exact event-driven solution here (e.g. Izhikevich, COBA).
    """
    if not isinstance(neuron, NeuronModel):
        raise TypeError(f"neuron must be a NeuronModel (LIF, ExpSynLIF, Izhikevich, COBA); "
                        f"got {type(neuron).__name__}")
    cls = EVENT_MODELS.get(type(neuron))
    if cls is None:
        known = ", ".join(sorted(m.__name__ for m in EVENT_MODELS))
        raise ValueError(f"neuron must be a model with an exact event-driven solution ({known}); got "
                         f"{type(neuron).__name__}, which has none here: simulate it with the clock-driven "
                         f"Network(population, neuron={type(neuron).__name__}(...))")
    neuron.check_population(pop)
    return cls(neuron, pop)
