"""Neuron models of the clock-driven :class:`Network`: the one place that lists state (private; re-exported).

A neuron model is a small definition, as in norse: its kernel parameter and
state ``NamedTuple`` types and update kernel
(``sc_neurocore._kernels._neuron_models``), the :class:`StateField` specs of
its state (dtype, valid range, initial value) and its own parameters
(validated here, per neuron or shared).  The network-level state (delay
ring, adaptive thresholds, STDP traces, LFSR registers) is described by the
same specs in :data:`NETWORK_STATE`.  Validation on assignment, the pre-run
check, :meth:`Network.reset` and the persistence field list (``st_<name>``)
are all derived from these specs; ``docs/network.md`` shows how to add a model.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar, NamedTuple

import numpy as np

from .._kernels._neuron_models import (
    COBAParams,
    COBAState,
    IzhParams,
    IzhState,
    LIFExpParams,
    LIFExpState,
    LIFParams,
    LIFState,
)
from .._validation import check_finite_array, check_real
from ._population import Population, _param, check_f32, frozen

__all__ = ["COBA", "NETWORK_STATE", "ExpSynLIF", "Izhikevich", "LIF", "NeuronModel", "StateField",
           "model_from"]

#: an integer bound: a constant, or a function of the network (e.g. the LFSR mask)
Bound = int | Callable[[Any], Any]
_I32_MAX = int(np.iinfo(np.int32).max)
_F32 = np.float32


def _bits(a: np.ndarray) -> np.ndarray:
    """The elements of ``a`` as unsigned integers of their size (compares bit patterns, not values)."""
    return np.ascontiguousarray(a).view(f"u{a.dtype.itemsize}")


@dataclass(frozen=True)
class StateField:
    """One state array of a model or of the network.

    Attributes
    ----------
    name : str
        Attribute of the network (``net.<name>``) and file entry ``st_<name>``.
    dtype : numpy dtype
        Kernel dtype (float32 state must be finite; integer state in ``[low, high]``).
    per : {"neuron", "synapse", "ring"}
        Shape: ``(n,)``; ``(nnz,)`` in LFSR mode else ``(0,)``; ``(max_delay + 1 .., channels * n)``.
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
    high: Bound = _I32_MAX
    load_high: Callable[[Any], Any] | None = None
    load_high_name: str = ""
    checked: Callable[[Any], bool] = lambda net: True

    def bounds(self, net: Any, *, loading: bool = False) -> tuple[Any, Any]:
        """``(low, high)`` for this network (``loading``: the tighter bound of a saved file)."""
        low = self.low(net) if callable(self.low) else self.low
        if loading and self.load_high is not None:
            return low, self.load_high(net)
        return low, self.high(net) if callable(self.high) else self.high


_V = StateField("v", np.dtype(np.float32))
# the kernel counts refr down from hold_steps after a spike
_REFR = StateField("refr", np.dtype(np.int32), low=0, high=_I32_MAX,
                   load_high=lambda net: net.population.hold_steps, load_high_name="hold_steps")


class NeuronModel:
    """Base of the neuron models (:class:`LIF`, :class:`ExpSynLIF`, :class:`Izhikevich`, :class:`COBA`).

    A subclass declares ``name``, ``params_type`` / ``state_type`` (kernel
    ``NamedTuple`` classes; ``params_type`` selects the update kernel),
    ``state`` (its :class:`StateField` specs in ``state_type`` order, ``v``
    and ``refr`` among them), ``param_specs`` (its own parameters: name ->
    ``"real"``, ``"positive"`` or ``"f32"``), ``bytes_per_update`` and ``param_bytes``, and
    implements :meth:`params` and :meth:`initial`.  The population supplies
    ``n``, ``dt``, ``refractory`` and ``v_init`` (and the LIF parameters to
    the LIF models).  Instances are immutable; parameters are scalars or
    arrays of shape ``(n,)``, checked against the population by :meth:`bind`.
    """

    name: ClassVar[str]
    params_type: ClassVar[type]
    state_type: ClassVar[type]
    state: ClassVar[tuple[StateField, ...]]
    param_specs: ClassVar[dict[str, str]] = {}
    #: bytes of state one neuron update reads or writes with shared parameters (see docs/network.md)
    bytes_per_update: ClassVar[int]
    #: bytes of parameters it reads in addition when they differ between neurons
    param_bytes: ClassVar[int]
    #: input channels of the delay ring: 1 (summed jumps), or 2 (excitatory | inhibitory, for COBA)
    channels: ClassVar[int] = 1
    _values: dict[str, Any]

    def __init__(self, **values: Any) -> None:
        checked: dict[str, Any] = {}
        for key, kind in self.param_specs.items():
            v = values[key]
            if v is None:
                checked[key] = None
            elif np.ndim(v) == 0:
                checked[key] = check_real(v, key, low=0.0 if kind == "positive" else None,
                                          low_open=kind == "positive")
                check_f32(checked[key], key)
            else:
                checked[key] = frozen(check_finite_array(v, key, ndim=1).astype(np.float64))
        object.__setattr__(self, "_values", checked)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable: cannot set {name!r}; build a new one")

    @property
    def values(self) -> dict[str, Any]:
        """The model's own parameters (floats, read-only arrays, or None for a default)."""
        return dict(self._values)

    def bind(self, pop: Population) -> dict[str, np.ndarray]:
        """Parameters as float64 arrays of length ``pop.n``; a ValueError names a bad one."""
        out = {}
        for key, kind in self.param_specs.items():
            v = self._values[key]
            if v is not None:
                out[key] = _param(v, key, pop.n, positive=kind == "positive", f32=True)
        return out

    def params(self, pop: Population) -> NamedTuple:
        """Kernel parameters (per-neuron arrays) for ``pop``."""
        raise NotImplementedError

    def initial(self, pop: Population) -> dict[str, np.ndarray]:
        """State at step 0, by field name."""
        raise NotImplementedError

    def kernel_params(self, pop: Population, per_neuron_rows: bool) -> NamedTuple:
        """Kernel parameters for a run (``per_neuron_rows``: time-varying current rows are present).

        When every parameter array holds one value (the same bits: ``0.0`` and
        ``-0.0`` are not merged) the kernel takes its shared-parameter path
        (``uni``), and the arrays are cut to that one element unless current
        rows need the per-neuron path on their steps.
        """
        p: Any = self.params(pop)
        arrays = {k: a for k, a in p._asdict().items() if isinstance(a, np.ndarray)}
        uni = all(bool((_bits(a) == _bits(a)[0]).all()) for a in arrays.values())
        if uni and not per_neuron_rows:  # the kernel reads element 0 only: drop the per-neuron copies
            return p._replace(uni=True, **{k: np.ascontiguousarray(a[:1]) for k, a in arrays.items()})
        return p._replace(uni=uni)

    def make_state(self, arrays: dict[str, np.ndarray]) -> NamedTuple:
        """The kernel state tuple from the network's arrays, by field name."""
        return self.state_type(*(arrays[f.name] for f in self.state))

    def check_population(self, pop: Population) -> None:
        """Raise unless this model can run ``pop`` (parameter shapes, model-specific constraints)."""
        self.bind(pop)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={'array' if isinstance(v, np.ndarray) else v}"
                         for k, v in self._values.items())
        return f"{type(self).__name__}({args})"


class LIF(NeuronModel):
    """Leaky integrate-and-fire with delta synapses, forward Euler (``docs/network.md``, "Model").

    Every parameter comes from the :class:`Population`.
    """

    name = "lif"
    params_type = LIFParams
    state_type = LIFState
    state = (_V, _REFR)
    bytes_per_update = 4 + 4 + 4 + 1  # v, refr, the ring slot (read and zeroed), the spike flag
    param_bytes = 5 * 4  # alpha, v_rest, v_reset, thr (float32), refr_steps (int32)

    def __init__(self) -> None:
        super().__init__()

    def params(self, pop: Population) -> LIFParams:
        return LIFParams(_F32(pop.dt), pop.v_rest.astype(np.float32), pop.v_reset.astype(np.float32),
                         pop.threshold.astype(np.float32), pop.alpha, pop.hold_steps)

    def initial(self, pop: Population) -> dict[str, np.ndarray]:
        return {"v": pop.v_init.astype(np.float32), "refr": np.zeros(pop.n, dtype=np.int32)}


class ExpSynLIF(NeuronModel):
    r"""LIF neuron with exponential current synapses, integrated exactly.

    .. math::
        \frac{dv}{dt} = \frac{v_\mathrm{rest} - v}{\tau_m} + i_\mathrm{syn} + I, \qquad
        \frac{di_\mathrm{syn}}{dt} = -\frac{i_\mathrm{syn}}{\tau_\mathrm{syn}}

    A synaptic jump ``w`` arriving on a step adds ``w / tau_syn`` to
    ``i_syn`` at the start of the step, so ``w`` is the total charge (the
    delta model's jump when ``tau_syn -> 0``); the postsynaptic potential of a
    jump ``w`` at time 0 is (``tau_syn != tau_m``)

    .. math:: v(t) - v_\mathrm{rest} = \frac{w\,\tau_m}{\tau_m - \tau_\mathrm{syn}}
              \left(e^{-t/\tau_m} - e^{-t/\tau_\mathrm{syn}}\right).

    One step of ``dt`` applies this exact propagator (constant ``I`` over the
    step; refractory neurons are held at ``v_reset`` while ``i_syn`` integrates,
    as NEST's ``iaf_psc_exp``), so ``dt`` is not limited by ``tau_m / 10``
    (pass ``allow_large_dt=True`` to the :class:`Population`).  The same
    propagator is the exact solution between events for an event-driven engine.

    Parameters
    ----------
    tau_syn : float or array (n,)
        Synaptic time constant in ms (> 0).
    i_init : float or array (n,), optional
        Initial synaptic current (default 0).
    """

    name = "exp_syn_lif"
    params_type = LIFExpParams
    state_type = LIFExpState
    state = (_V, StateField("i_syn", np.dtype(np.float32)), _REFR)
    param_specs = {"tau_syn": "positive", "i_init": "f32"}
    bytes_per_update = 4 + 4 + 4 + 4 + 1  # v, i_syn, refr, ring slot, flag
    param_bytes = 9 * 4  # eight float32 parameters and refr_steps

    def __init__(self, tau_syn: Any = 5.0, *, i_init: Any = None) -> None:
        super().__init__(tau_syn=tau_syn, i_init=i_init)

    def params(self, pop: Population) -> LIFExpParams:
        tau_s = self.bind(pop)["tau_syn"]
        tau_m = pop.tau_m
        dt = pop.dt
        em = np.exp(-dt / tau_m)
        es = np.exp(-dt / tau_s)
        with np.errstate(divide="ignore", invalid="ignore"):
            p21 = tau_m * tau_s / (tau_s - tau_m) * (es - em)
        same = np.isclose(tau_s, tau_m, rtol=1e-9, atol=0.0)
        p21 = np.where(same, dt * em, p21)  # the tau_syn = tau_m limit
        f = np.float32
        return LIFExpParams(pop.v_rest.astype(f), pop.v_reset.astype(f), pop.threshold.astype(f),
                            tau_m.astype(f), em.astype(f), es.astype(f), p21.astype(f),
                            (1.0 / tau_s).astype(f), pop.hold_steps)

    def initial(self, pop: Population) -> dict[str, np.ndarray]:
        i0 = self.bind(pop).get("i_init", np.zeros(pop.n))
        return {"v": pop.v_init.astype(np.float32), "i_syn": i0.astype(np.float32),
                "refr": np.zeros(pop.n, dtype=np.int32)}


class Izhikevich(NeuronModel):
    r"""Izhikevich (2003) neuron, forward Euler in float32 (mV, ms).

    .. math::
        \frac{dv}{dt} = 0.04 v^2 + 5 v + 140 - u + I, \qquad \frac{du}{dt} = a (b v - u);
        \quad v \ge v_\mathrm{peak}: v \leftarrow c,\; u \leftarrow u + d.

    Synaptic and input jumps are added to ``v``; currents ``I`` enter as
    ``dt * I`` (mV/ms).  The population supplies ``n``, ``dt``, ``v_init`` and
    ``refractory`` (usually 0: the neuron is then never held); its LIF
    parameters are not used.  Classic patterns (Izhikevich 2003, Fig. 2):
    regular spiking ``(0.02, 0.2, -65, 8)``, intrinsically bursting
    ``(0.02, 0.2, -55, 4)``, chattering ``(0.02, 0.2, -50, 2)``, fast spiking
    ``(0.1, 0.2, -65, 2)``.  Forward Euler needs ``dt <= 0.5`` ms for these
    (``dt = 0.1`` recommended).

    Parameters
    ----------
    a, b, c, d : float or array (n,)
        Recovery rate (1/ms), recovery sensitivity, reset potential (mV), reset increment of ``u``.
    v_peak : float or array (n,)
        Spike cut-off (mV), > ``c``.
    u_init : float or array (n,), optional
        Initial recovery variable (default ``b * v_init``).
    """

    name = "izhikevich"
    params_type = IzhParams
    state_type = IzhState
    state = (_V, StateField("u", np.dtype(np.float32)), _REFR)
    param_specs = {"a": "real", "b": "real", "c": "f32", "d": "f32", "v_peak": "f32", "u_init": "f32"}
    bytes_per_update = 4 + 4 + 4 + 4 + 1  # v, u, refr, ring slot, flag
    param_bytes = 6 * 4  # a, b, c, d, v_peak (float32) and refr_steps

    def __init__(self, a: Any = 0.02, b: Any = 0.2, c: Any = -65.0, d: Any = 8.0, *, v_peak: Any = 30.0,
                 u_init: Any = None) -> None:
        super().__init__(a=a, b=b, c=c, d=d, v_peak=v_peak, u_init=u_init)
        if np.ndim(c) == 0 and np.ndim(v_peak) == 0:  # arrays: checked per neuron by check_population
            self._check_peak(np.array([self._values["v_peak"]]), np.array([self._values["c"]]), "")

    @staticmethod
    def _check_peak(v_peak: np.ndarray, c: np.ndarray, where: str) -> None:
        bad = ~(v_peak > c)
        if bad.any():
            i = int(np.argmax(bad))
            at = f" at index {i}" if where else ""
            raise ValueError(f"v_peak must be > c (else the neuron spikes every step); got v_peak "
                             f"{v_peak[i]} <= c {c[i]}{at}")

    def params(self, pop: Population) -> IzhParams:
        b = self.bind(pop)
        f = np.float32
        return IzhParams(_F32(pop.dt), b["a"].astype(f), b["b"].astype(f), b["c"].astype(f), b["d"].astype(f),
                         b["v_peak"].astype(f), pop.hold_steps)

    def initial(self, pop: Population) -> dict[str, np.ndarray]:
        b = self.bind(pop)
        u0 = b["u_init"] if "u_init" in b else b["b"] * pop.v_init
        if not np.all(np.abs(u0) <= float(np.finfo(np.float32).max)):
            raise ValueError("u_init (default b * v_init) must fit float32")
        return {"v": pop.v_init.astype(np.float32), "u": u0.astype(np.float32),
                "refr": np.zeros(pop.n, dtype=np.int32)}

    def check_population(self, pop: Population) -> None:
        b = self.bind(pop)  # shapes, then v_peak > c per neuron
        self._check_peak(b["v_peak"], b["c"], "per neuron")
        self.initial(pop)


class COBA(NeuronModel):
    r"""Conductance-based LIF neuron (COBA) with exponential conductances and reversal potentials.

    .. math::
        \tau_m \frac{dv}{dt} = (v_\mathrm{rest} - v) + g_e (E_e - v) + g_i (E_i - v) + \tau_m I,
        \qquad \frac{dg_e}{dt} = -\frac{g_e}{\tau_e}, \quad \frac{dg_i}{dt} = -\frac{g_i}{\tau_i}

    Conductances are in units of the leak conductance (``g = 1`` doubles the
    membrane conductance).  A synaptic jump ``w > 0`` adds ``w`` to ``g_e``,
    ``w < 0`` adds ``|w|`` to ``g_i`` (the network keeps the two in separate
    ring channels), so E/I weights from :func:`ei_weights` work unchanged.  ``v``
    is integrated by forward Euler (``dt < tau_m / 10`` as for LIF), the
    conductances decay exactly.  The Vogels–Abbott / Brette et al. (2007)
    benchmark uses ``tau_m = 20``, ``v_rest = v_reset = -60``, ``threshold = -50``,
    ``refractory = 5``, ``E_e = 0``, ``E_i = -80``, ``tau_e = 5``, ``tau_i = 10`` (mV, ms)
    and jumps of 0.6 (6 nS / 10 nS) and 6.7 (67 nS / 10 nS)
    (``benchmarks/bench_coba.py``).

    Parameters
    ----------
    e_exc, e_inh : float or array (n,)
        Reversal potentials (potential units).
    tau_exc, tau_inh : float or array (n,)
        Conductance time constants in ms (> 0).
    """

    name = "coba"
    params_type = COBAParams
    state_type = COBAState
    state = (_V, StateField("g_exc", np.dtype(np.float32)), StateField("g_inh", np.dtype(np.float32)), _REFR)
    param_specs = {"e_exc": "f32", "e_inh": "f32", "tau_exc": "positive", "tau_inh": "positive"}
    channels = 2
    bytes_per_update = 4 * 4 + 2 * 4 + 1  # v, g_exc, g_inh, refr, two ring channels, flag
    param_bytes = 9 * 4  # eight float32 parameters and refr_steps

    def __init__(self, e_exc: Any = 0.0, e_inh: Any = -80.0, tau_exc: Any = 5.0, tau_inh: Any = 10.0) -> None:
        super().__init__(e_exc=e_exc, e_inh=e_inh, tau_exc=tau_exc, tau_inh=tau_inh)

    def params(self, pop: Population) -> COBAParams:
        b = self.bind(pop)
        f = np.float32
        return COBAParams(_F32(pop.dt), pop.v_rest.astype(f), pop.v_reset.astype(f), pop.threshold.astype(f),
                          pop.alpha, b["e_exc"].astype(f), b["e_inh"].astype(f),
                          np.exp(-pop.dt / b["tau_exc"]).astype(f), np.exp(-pop.dt / b["tau_inh"]).astype(f),
                          pop.hold_steps)

    def initial(self, pop: Population) -> dict[str, np.ndarray]:
        z = np.zeros(pop.n, dtype=np.float32)
        return {"v": pop.v_init.astype(np.float32), "g_exc": z, "g_inh": z.copy(),
                "refr": np.zeros(pop.n, dtype=np.int32)}


#: model name -> class, for loading files
MODELS: dict[str, type[NeuronModel]] = {m.name: m for m in (LIF, ExpSynLIF, Izhikevich, COBA)}


def model_from(name: Any, values: dict[str, Any]) -> NeuronModel:
    """A model from its saved name and parameters, through its constructor's checks."""
    if not isinstance(name, str) or name not in MODELS:
        raise ValueError(f"neuron model must be one of {sorted(MODELS)}; got {name!r}")
    cls = MODELS[name]
    unknown = sorted(set(values) - set(cls.param_specs))
    if unknown:
        raise ValueError(f"neuron model {name} has no parameter {unknown[0]!r}")
    return cls(**values)


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
