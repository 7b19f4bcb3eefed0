"""Model definitions of the clock-driven :class:`Network`: the one place that lists state (private).

Each neuron model is a :class:`NeuronModel`: its kernel parameter and state
``NamedTuple`` types (``sc_neurocore._kernels._neuron_models``), the
:class:`StateField` specs of its state (dtype, valid range, initial value)
and a function building the kernel parameters from a population.  The
network-level state (delay ring, adaptive thresholds, STDP traces, LFSR
registers) is described by the same specs in :data:`NETWORK_STATE`.
Validation on assignment, the pre-run check, :meth:`Network.reset` and the
persistence field list (``st_<name>``) are all derived from these specs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from .._kernels._neuron_models import LIFParams, LIFState
from ._population import Population

__all__ = ["LIF", "NETWORK_STATE", "NeuronModel", "StateField"]

#: an integer bound: a constant, or a function of the network (e.g. the LFSR mask)
Bound = int | Callable[[Any], Any]


@dataclass(frozen=True)
class StateField:
    """One state array of a model.

    Attributes
    ----------
    name : str
        Attribute of the network (``net.<name>``) and file entry ``st_<name>``.
    dtype : numpy dtype
        Kernel dtype (float32 state must be finite; integer state in ``[low, high]``).
    per : {"neuron", "synapse", "ring"}
        Shape: ``(n,)``; ``(nnz,)`` in LFSR mode else ``(0,)``; ``(max_delay + 1 .. , n)``.
    low, high : int or callable(net)
        Range of integer state accepted on assignment.
    load_high : callable(net), optional
        Tighter upper bound a saved file must satisfy (per neuron, e.g. ``hold_steps``).
    load_high_name : str
        How error messages name ``load_high`` (empty: by its value only).
    checked : callable(net) -> bool
        Whether :meth:`Network.run` checks this array before a run (only state the kernel reads).
    """

    name: str
    dtype: np.dtype
    per: str = "neuron"
    low: Bound = 0
    high: Bound = np.iinfo(np.int32).max
    load_high: Callable[[Any], Any] | None = None
    load_high_name: str = ""
    checked: Callable[[Any], bool] = lambda net: True

    def bounds(self, net: Any, *, loading: bool = False) -> tuple[Any, Any]:
        """``(low, high)`` for this network (``loading``: the tighter bound of a saved file)."""
        low = self.low(net) if callable(self.low) else self.low
        if loading and self.load_high is not None:
            return low, self.load_high(net)
        return low, self.high(net) if callable(self.high) else self.high


@dataclass(frozen=True)
class NeuronModel:
    """A neuron model of the clock-driven engine.

    Attributes
    ----------
    name : str
    params_type, state_type : NamedTuple classes
        Kernel parameters (selects the update kernel) and state.
    state : tuple of StateField
        The state arrays in ``state_type``'s field order.
    params : callable(population) -> params_type
        Kernel parameters of a population (per-neuron arrays; shared values are
        folded to one element by :meth:`kernel_params`).
    initial : callable(population) -> dict
        State at step 0, by field name.
    bytes_per_update : int
        Bytes of state and per-neuron parameters a neuron update reads and
        writes (uniform parameters; see ``docs/network.md``).
    """

    name: str
    params_type: type
    state_type: type
    state: tuple[StateField, ...]
    params: Callable[[Population], NamedTuple]
    initial: Callable[[Population], dict[str, np.ndarray]]
    bytes_per_update: int

    def kernel_params(self, pop: Population, per_neuron_rows: bool) -> NamedTuple:
        """Kernel parameters; arrays shared by every neuron are cut to one element unless ``per_neuron_rows``.

        The ``uni`` field of the result says whether every array was uniform (the
        kernel then reads element 0 only).
        """
        p = self.params(pop)
        arrays = [a for a in p if isinstance(a, np.ndarray)]
        uni = all(bool((a == a[0]).all()) for a in arrays)
        if uni and not per_neuron_rows:
            p = p._replace(**{k: np.ascontiguousarray(a[:1]) for k, a in p._asdict().items()
                              if isinstance(a, np.ndarray)})
        return p._replace(uni=uni)

    def make_state(self, arrays: dict[str, np.ndarray]) -> NamedTuple:
        """The kernel state tuple from the network's arrays, by field name."""
        return self.state_type(*(arrays[f.name] for f in self.state))


def _lif_params(pop: Population) -> LIFParams:
    return LIFParams(np.float32(pop.dt), pop.v_rest.astype(np.float32), pop.v_reset.astype(np.float32),
                     pop.threshold.astype(np.float32), pop.alpha, pop.hold_steps, False)


_I32_MAX = int(np.iinfo(np.int32).max)

#: Leaky integrate-and-fire with delta synapses, forward Euler (``docs/network.md``, "Model").
LIF = NeuronModel(
    name="lif",
    params_type=LIFParams,
    state_type=LIFState,
    state=(
        StateField("v", np.dtype(np.float32)),
        # the kernel counts refr down from hold_steps after a spike
        StateField("refr", np.dtype(np.int32), low=0, high=_I32_MAX,
                   load_high=lambda net: net.population.hold_steps, load_high_name="hold_steps"),
    ),
    params=_lif_params,
    initial=lambda pop: {"v": pop.v_init.astype(np.float32), "refr": np.zeros(pop.n, dtype=np.int32)},
    bytes_per_update=4 + 4 + 4 + 1,  # v, refr, the ring slot (read and zeroed), the spike flag
)

#: State of the network beyond the neuron model's, in file order after the model's fields.
NETWORK_STATE: tuple[StateField, ...] = (
    StateField("ring", np.dtype(np.float32), per="ring", checked=lambda net: False),  # as before: not scanned
    StateField("theta", np.dtype(np.float32), checked=lambda net: net.homeostasis is not None),
    StateField("xpre", np.dtype(np.float32), checked=lambda net: net.stdp is not None),
    StateField("xpost", np.dtype(np.float32), checked=lambda net: net.stdp is not None),
    # 0 is the LFSR's lock-up state
    StateField("lfsr", np.dtype(np.uint32), per="synapse", low=1, high=lambda net: net._lfsr_mask,
               load_high=lambda net: net._lfsr_mask, checked=lambda net: net.synapse == "lfsr"),
)
