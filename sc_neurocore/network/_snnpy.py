"""The ``snnpy`` reservoir package's API on top of :class:`Reservoir` (private; see ``snnpy.py``).

Code written for the reservoir package runs with only its import line
changed (``from sc_neurocore.network.snnpy import SNN, SimulationParams``).
The simulation is :class:`~sc_neurocore.network.Reservoir` (the compiled
network engine); this module only translates names, units and return types.

One step is 1 ms (``dt = 1``), so the package's step counts read as ms:
``refractory_period`` steps = ms, ``leak_coefficient`` ``lambda`` gives
``tau_m = 1 / lambda`` ms, and every time feature is in steps.  The
package's documented defects are corrected; ``docs/interop.md`` lists them
one by one with the test that shows each correction.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._rng import SeedLike
from .._validation import (
    check_binary_array,
    check_bool,
    check_choice,
    check_finite_array,
    check_int,
    check_real,
)
from ._plasticity import STDP
from ._reservoir import Reservoir

__all__ = [
    "SNN",
    "SimulationParams",
    "STDPParams",
    "load_membrane_potentials",
    "load_output_neurons",
    "load_topology",
]

#: One simulation step in ms: the package counts steps.
DT_MS = 1.0
#: ``tau_m`` standing for "no leak" (``leak_coefficient = 0``): its float32 leak factor ``dt / tau_m`` is 0.
_NO_LEAK_TAU_MS = 1e60
#: The package's default file paths (relative to the working directory).
TOPOLOGY_PATH = os.path.join("dati", "snn_matrices.npz")
POTENTIALS_PATH = os.path.join("dati", "membrane_potentials.npy")
OUTPUTS_PATH = os.path.join("dati", "output_neurons.npy")

#: ``extract_features_from_spikes`` key -> the Reservoir feature it reads (times in steps, dt = 1 ms).
FEATURE_KEYS: dict[str, str] = {
    "spike_counts": "spike_count",
    "mean_spike_times": "mean_spike_time_ms",
    "first_spike_times": "first_spike_time_ms",
    "last_spike_times": "last_spike_time_ms",
    "mean_isi": "mean_isi_ms",
    "isi_variance": "isi_variance_ms2",
    "spike_entropy": "spike_entropy_bits",
    "spike_rates": "spike_count",  # divided by the duration below: spikes per step
    "autocorrelation_first_lag": "autocorrelation_lag1",
    "burstiness": "burstiness",
    "spike_symmetry": "half_asymmetry",
    "histogram_mean": "mean_spike_time_ms",
    "histogram_skewness": "spike_time_skewness",
    "histogram_kurtosis": "spike_time_kurtosis",
    "burst_counts": "burst_count",
}


@dataclass
class SimulationParams:
    """The package's simulation parameters (names, meanings and defaults as documented).

    Corrections: ``refractory_period`` must be >= 0 (steps; the package says
    "any real number"); ``weight_variance`` is a variance (``std = sqrt``), its
    default ``(0.1 mean_weight)^2`` is the spread the package actually uses
    (it defaults a "variance" to ``0.1 * mean_weight``, a standard deviation);
    ``small_world_graph_k`` need not be even (the graph is directed with
    in-degree exactly ``k``).  Values are checked when an :class:`SNN` is built.
    """

    num_neurons: int | None = None
    num_output_neurons: int | None = None
    output_neurons: Any = None
    membrane_threshold: float | None = None
    leak_coefficient: float | None = None
    refractory_period: float | None = None
    duration: int | None = None
    input_spike_times: Any = None
    membrane_potentials: Any = None
    adjacency_matrix: Any = None
    mean_weight: float | None = None
    weight_variance: float | None = None
    current_amplitude: float | None = None
    small_world_graph_p: float | None = None
    small_world_graph_k: int | None = None
    connection_prob: float | None = None
    is_random_uniform: bool = False


@dataclass
class STDPParams:
    """The package's STDP parameters.

    ``tau_plus``/``tau_minus`` are in **seconds** (defaults 0.02 s, 0.04 s) and
    are converted to ms for the engine: the package applies them per step,
    where ``exp(-1 / 0.02)`` erases a trace in one step and leaves STDP inert.
    """

    enabled: bool = True
    tau_plus: float = 0.02
    tau_minus: float = 0.04
    A_plus: float = 1e-3
    A_minus: float = 1e-3
    eta: float = 1.0
    W_max: float = 1.0
    clip: bool = True
    nearest_neighbor: bool = False
    lock_A_minus: bool = False
    weight_update_rule: str = "multiplicative"

    def to_stdp(self) -> STDP | None:
        """The engine's :class:`STDP` (time constants in ms), or None when not ``enabled``."""
        if not check_bool(self.enabled, "enabled"):
            return None
        tp = check_real(self.tau_plus, "tau_plus", low=0.0, low_open=True)
        tm = check_real(self.tau_minus, "tau_minus", low=0.0, low_open=True)
        return STDP(tau_plus=1e3 * tp, tau_minus=1e3 * tm, A_plus=self.A_plus, A_minus=self.A_minus,
                    eta=self.eta, W_max=self.W_max, clip=self.clip, nearest_neighbor=self.nearest_neighbor,
                    lock_A_minus=self.lock_A_minus,
                    rule=check_choice(self.weight_update_rule, "weight_update_rule",
                                      ("multiplicative", "additive")))


def _required(value: Any, name: str, when: str) -> Any:
    if value is None:
        raise ValueError(f"{name} must be given {when}; got None")
    return value


def _reservoir_kwargs(p: SimulationParams) -> dict[str, Any]:
    """Translate :class:`SimulationParams` (all but the inputs) to :class:`Reservoir` arguments."""
    thr = check_real(_required(p.membrane_threshold, "membrane_threshold", "(> 0)"), "membrane_threshold",
                     low=0.0, low_open=True)
    lam = check_real(_required(p.leak_coefficient, "leak_coefficient", "(in [0, 1))"), "leak_coefficient",
                     low=0.0, high=1.0, high_open=True)
    refr = check_real(_required(p.refractory_period, "refractory_period", "(steps, >= 0)"),
                      "refractory_period", low=0.0)
    kw: dict[str, Any] = {
        "threshold": thr, "v_reset": 0.0, "v_rest": 0.0, "dt": DT_MS, "refractory": refr * DT_MS,
        "tau_m": DT_MS / lam if lam > 0 else _NO_LEAK_TAU_MS,
        # the package's update v <- v (1 - lambda) is the model itself, not an approximation of an ODE
        "allow_large_dt": True,
        "input_amplitude": None if p.current_amplitude is None
        else check_real(p.current_amplitude, "current_amplitude"),
    }
    if p.adjacency_matrix is not None:
        kw["adjacency"] = p.adjacency_matrix
        if p.num_neurons is not None:
            kw["n_neurons"] = p.num_neurons
    else:
        when = "when adjacency_matrix is None"
        kw["n_neurons"] = _required(p.num_neurons, "num_neurons", when)
        mw = check_real(_required(p.mean_weight, "mean_weight", when), "mean_weight", low=0.0, low_open=True)
        kw["mean_weight"] = mw
        if p.weight_variance is not None:
            kw["weight_std"] = math.sqrt(check_real(p.weight_variance, "weight_variance", low=0.0))
        if check_bool(p.is_random_uniform, "is_random_uniform"):
            kw["topology"] = "random"
            kw["connection_prob"] = _required(p.connection_prob, "connection_prob", "when is_random_uniform")
        else:
            when = "when is_random_uniform is False"
            kw["topology"] = "small_world"
            kw["k"] = _required(p.small_world_graph_k, "small_world_graph_k", when)
            kw["p_rewire"] = _required(p.small_world_graph_p, "small_world_graph_p", when)
    if p.output_neurons is not None:
        kw["output_neurons"] = p.output_neurons
    else:
        kw["n_outputs"] = _required(p.num_output_neurons, "num_output_neurons", "when output_neurons is None")
    if p.membrane_potentials is not None:
        kw["membrane_potentials"] = _check_potentials(p.membrane_potentials, thr)
    return kw


def _check_potentials(v: Any, threshold: float, n: int | None = None) -> np.ndarray:
    arr = check_finite_array(v, "membrane_potentials", ndim=1)
    if n is not None and arr.shape != (n,):
        raise ValueError(f"membrane_potentials must have shape ({n},); got shape {arr.shape}")
    bad = (arr < 0) | (arr > threshold)
    if bad.any():
        i = int(np.argmax(bad))
        raise ValueError(f"membrane_potentials must be in [0, {threshold}] (membrane_threshold); "
                         f"got {arr[i]} at index {i}")
    return arr


class SNN:
    """The reservoir package's ``SNN`` on :class:`Reservoir`.

    Parameters
    ----------
    simulation_params : SimulationParams
    stdp_params : STDPParams, optional
        STDP on (with ``enabled=True``) or off (None, the package's default).
    seed : None, int, SeedSequence or Generator
        Keys topology, weights and the drawn output neurons (our addition; the
        package draws from global state).

    Notes
    -----
    The input count is fixed by the first input matrix (``input_spike_times``
    here or the first :meth:`set_input_spike_times`), so output neurons drawn
    among non-input neurons stay so; methods that need the network raise a
    ``ValueError`` until it is known.  Every :meth:`simulate` starts from the
    initial potentials with cleared refractory counters (learned weights kept).
    """

    def __init__(self, simulation_params: SimulationParams, stdp_params: STDPParams | None = None, *,
                 seed: SeedLike = None) -> None:
        if not isinstance(simulation_params, SimulationParams):
            raise TypeError(f"simulation_params must be a SimulationParams; got "
                            f"{type(simulation_params).__name__}")
        if stdp_params is not None and not isinstance(stdp_params, STDPParams):
            raise TypeError(f"stdp_params must be an STDPParams or None; got {type(stdp_params).__name__}")
        p = simulation_params
        self._kwargs = _reservoir_kwargs(p)
        self._stdp = None if stdp_params is None else stdp_params.to_stdp()
        self._seed = seed
        self.duration: int | None = None if p.duration is None else check_int(p.duration, "duration", low=1)
        self._duration_given = p.duration is not None
        self._input: np.ndarray | None = None
        self._res: Reservoir | None = None
        self._output: np.ndarray | None = None
        if p.input_spike_times is not None:
            self.set_input_spike_times(p.input_spike_times)

    # ------------------------------------------------------------------ helpers

    @property
    def reservoir(self) -> Reservoir:
        """The underlying :class:`Reservoir` (built once the input count is known)."""
        if self._res is None:
            raise ValueError("input_spike_times must be set first (SimulationParams.input_spike_times or "
                             "set_input_spike_times) to fix the input neurons; got none")
        return self._res

    def _ran(self) -> np.ndarray:
        if self._output is None:
            raise ValueError("simulate must be called first; got no simulation since construction or reset")
        return self._output

    def _feature(self, name: str) -> np.ndarray:
        self._ran()
        return self.reservoir.features()[name]

    # ------------------------------------------------------------------ simulation

    def set_input_spike_times(self, input_spike_times: Any) -> None:
        """Binary ``(input_neurons, time)`` matrix; row ``q`` drives neuron ``q``.

        Sets ``duration`` to the number of columns unless a duration was given.
        The number of rows must stay the one of the first matrix.
        """
        bits = check_binary_array(input_spike_times, "input_spike_times")
        if bits.ndim != 2 or bits.shape[1] < 1:
            raise ValueError(f"input_spike_times must be a 2-d (input_neurons, time) matrix with at least "
                             f"one column; got shape {bits.shape}")
        if self._res is None:
            self._res = Reservoir(n_inputs=bits.shape[0], seed=self._seed, **self._kwargs)
            if self._stdp is not None:
                self._res.enable_stdp(self._stdp)
        elif bits.shape[0] != self._res.n_inputs:
            raise ValueError(f"input_spike_times must have {self._res.n_inputs} rows (the input neurons "
                             f"fixed by the first input matrix); got shape {bits.shape}")
        self._input = bits
        if not self._duration_given:
            self.duration = bits.shape[1]

    def simulate(self) -> np.ndarray:
        """Run ``duration`` steps from the initial state; ``(time, output_neurons)`` uint8 spike matrix."""
        res = self.reservoir
        assert self._input is not None  # set together with the reservoir
        res.simulate(self._input, self.duration)
        self._output = res.raster()
        return self._output.copy()

    def reset(self) -> None:
        """Forget the last simulation (the next one starts from the initial state anyway)."""
        self._output = None

    def get_spike_time_lists_output(self) -> list[list[int]]:
        """For each output neuron, the steps of its spikes in the last simulation."""
        self._ran()
        return [[int(s) for s in t] for t in self.reservoir.spike_time_lists()]

    # ------------------------------------------------------------------ STDP & homeostasis

    def rescale_synaptic_weights_to_mean(self, target_mean: float) -> None:
        """Scale every weight by one factor so that the mean ``|w|`` is ``target_mean`` (signs kept)."""
        self.reservoir.rescale_synaptic_weights_to_mean(target_mean)

    def compute_global_scalar_threshold(self, use_abs_weights: bool = False) -> float:
        """``theta = mean(w) mean(in-degree) + 2 I_in refractory_period`` (a heuristic, see docs)."""
        return self.reservoir.suggested_threshold(self._input, use_abs_weights=use_abs_weights)

    def apply_global_scalar_threshold(self, use_abs_weights: bool = False) -> float:
        """Set every neuron's threshold to :meth:`compute_global_scalar_threshold`; returns it."""
        theta = self.compute_global_scalar_threshold(use_abs_weights)
        self.reservoir.set_threshold(theta)
        return theta

    def disable_stdp(self) -> None:
        """STDP off, traces cleared (weights stay as learned)."""
        self._stdp = None
        if self._res is not None:
            self._res.disable_stdp()

    def prune(self, fraction: float) -> int:
        """Remove the weakest ``fraction`` of synapses by ``|w|``; returns how many were removed."""
        return self.reservoir.prune(fraction)

    def reset_synaptic_weights(self, mean: float, std: float = 0.1) -> None:
        """Redraw every existing weight from ``N(mean, (std * mean)^2)`` (``std`` is relative)."""
        mu = check_real(mean, "mean")
        sd = check_real(std, "std", low=0.0)
        self.reservoir.reset_synaptic_weights(mu, sd * abs(mu))

    # ------------------------------------------------------------------ features

    def extract_features_from_spikes(self) -> dict[str, np.ndarray]:
        """Every feature of the output neurons, keyed as in :data:`FEATURE_KEYS` (1-d arrays)."""
        self._ran()
        f = self.reservoir.features()
        out = {key: f[name].copy() for key, name in FEATURE_KEYS.items()}
        out["spike_rates"] = out["spike_rates"] / self._ran().shape[0]
        return out

    def get_spike_counts(self) -> np.ndarray:
        return self._feature("spike_count")

    def get_mean_spike_times(self) -> np.ndarray:
        return self._feature("mean_spike_time_ms")

    def get_first_spike_times(self) -> np.ndarray:
        return self._feature("first_spike_time_ms")

    def get_last_spike_times(self) -> np.ndarray:
        return self._feature("last_spike_time_ms")

    def get_mean_isi_per_neuron(self) -> np.ndarray:
        return self._feature("mean_isi_ms")

    def get_isi_variance_per_neuron(self) -> np.ndarray:
        return self._feature("isi_variance_ms2")

    def get_spike_entropy_per_neuron(self) -> np.ndarray:
        return self._feature("spike_entropy_bits")

    def get_spike_rates(self) -> np.ndarray:
        """Spikes per step (the package's "spikes per time unit")."""
        return self._feature("spike_count") / self._ran().shape[0]

    def get_autocorrelation_first_lag(self) -> np.ndarray:
        return self._feature("autocorrelation_lag1")

    def get_burstiness(self) -> np.ndarray:
        return self._feature("burstiness")

    def get_spike_symmetry(self) -> np.ndarray:
        """``(n_1 - n_2) / (n_1 + n_2)`` of the spikes in the first and second halves."""
        return self._feature("half_asymmetry")

    def get_spike_histogram_moments(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Mean (steps), skewness and excess kurtosis of each output neuron's spike times."""
        f = self.extract_features_from_spikes()
        return f["histogram_mean"], f["histogram_skewness"], f["histogram_kurtosis"]

    def get_burst_counts(self) -> np.ndarray:
        """Runs of at least 2 spikes on consecutive steps (see docs: not the package's runs of 1s)."""
        return self._feature("burst_count")

    def calculate_mean_isi(self) -> float:
        """Mean ISI in steps pooled over the output neurons (0 when there is no ISI)."""
        self._ran()
        return self.reservoir.mean_isi() / DT_MS

    # ------------------------------------------------------------------ state and files

    def set_membrane_potentials(self, membrane_potentials: Any) -> None:
        """Initial potentials, shape ``(num_neurons,)``, values in ``[0, membrane_threshold]``."""
        res = self.reservoir
        res.set_membrane_potentials(_check_potentials(membrane_potentials, res.threshold, res.n_neurons))

    def get_membrane_potentials(self) -> np.ndarray:
        """Potentials at the end of the last simulation (the initial ones before any)."""
        return self.reservoir.get_membrane_potentials()

    def set_output_neurons(self, indices: Any) -> None:
        self.reservoir.set_output_neurons(indices)
        self._output = None

    def get_output_neurons(self) -> np.ndarray:
        return self.reservoir.get_output_neurons()

    def set_topology(self, sparse_matrix: Any) -> None:
        """Replace the weights by a square scipy.sparse ``M[pre, post]`` of the same size."""
        self.reservoir.set_topology(sparse_matrix)

    def get_topology(self) -> Any:
        """The weight matrix as scipy.sparse CSR ``M[pre, post]``."""
        return self.reservoir.get_topology()

    def save_topology(self, path: Any = TOPOLOGY_PATH) -> None:
        """Write the weight matrix as a SciPy sparse ``.npz`` (uncompressed)."""
        import scipy.sparse as sp

        sp.save_npz(_out_path(path), self.get_topology(), compressed=False)

    def load_topology(self, path: Any = TOPOLOGY_PATH) -> Any:
        """Read a matrix written by :meth:`save_topology`, make it the topology and return it."""
        m = load_topology(path)
        self.set_topology(m)
        return m

    def save_membrane_potentials(self, path: Any = POTENTIALS_PATH) -> None:
        """Write the initial potentials as ``.npy``."""
        np.save(_out_path(path), self.reservoir.population.v_init)

    def load_membrane_potentials(self, path: Any = POTENTIALS_PATH) -> np.ndarray:
        v = load_membrane_potentials(path)
        self.set_membrane_potentials(v)
        return v

    def save_output_neurons(self, path: Any = OUTPUTS_PATH) -> None:
        np.save(_out_path(path), self.get_output_neurons())

    def load_output_neurons(self, path: Any = OUTPUTS_PATH) -> np.ndarray:
        idx = load_output_neurons(path)
        self.set_output_neurons(idx)
        return idx

    def __repr__(self) -> str:
        return f"SNN({self._res!r})"


def _out_path(path: Any) -> str:
    """``path`` as a str, its directory created (the package writes to ``dati/``)."""
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a str or os.PathLike; got {type(path).__name__}")
    p = os.fspath(path)
    parent = os.path.dirname(p)
    if parent:
        os.makedirs(parent, exist_ok=True)
    return str(p)


def _in_path(path: Any) -> str:
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a str or os.PathLike; got {type(path).__name__}")
    p = str(os.fspath(path))
    if not os.path.exists(p):
        raise FileNotFoundError(f"no file {p!r}")
    return p


def _load_npy(path: Any, what: str) -> np.ndarray:
    p = _in_path(path)
    try:
        arr = np.load(p, allow_pickle=False)
    except Exception as exc:  # the npy parser raises several types on corrupt bytes
        raise ValueError(f"{p!r} must be a .npy array of {what}; it cannot be read "
                         f"({type(exc).__name__}: {exc})") from exc
    if not isinstance(arr, np.ndarray) or arr.ndim != 1:
        raise ValueError(f"{p!r} must hold a 1-d array of {what}; got "
                         f"{'an npz archive' if not isinstance(arr, np.ndarray) else f'shape {arr.shape}'}")
    return arr


def load_topology(path: Any = TOPOLOGY_PATH) -> Any:
    """Read a square SciPy sparse weight matrix from ``.npz`` (untrusted: checked, never unpickled).

    Raises
    ------
    FileNotFoundError
        No file ``path``.
    ValueError
        Not a SciPy sparse ``.npz``, not square, or non-finite weights; the message names the file.
    """
    import scipy.sparse as sp

    p = _in_path(path)
    try:
        m = sp.load_npz(p)  # np.load with allow_pickle=False inside
    except Exception as exc:
        raise ValueError(f"{p!r} must be a SciPy sparse matrix .npz (save_topology); it cannot be read "
                         f"({type(exc).__name__}: {exc})") from exc
    m = sp.csr_matrix(m)
    if m.shape[0] != m.shape[1] or not np.issubdtype(m.dtype, np.number) or not np.isfinite(m.data).all():
        raise ValueError(f"{p!r} must hold a square matrix of finite weights; got shape {m.shape} "
                         f"dtype {m.dtype}")
    return m


def load_membrane_potentials(path: Any = POTENTIALS_PATH) -> np.ndarray:
    """Read a 1-d float array of finite potentials from ``.npy`` (checked against the SNN when set)."""
    arr = _load_npy(path, "membrane potentials")
    try:
        return check_finite_array(arr, "membrane_potentials", ndim=1)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{os.fspath(path)!r}: {exc}") from exc


def load_output_neurons(path: Any = OUTPUTS_PATH) -> np.ndarray:
    """Read a 1-d integer array of neuron indices from ``.npy``."""
    arr = _load_npy(path, "output neuron indices")
    if not np.issubdtype(arr.dtype, np.integer) or arr.size == 0 or arr.min() < 0:
        raise ValueError(f"{os.fspath(path)!r} must hold a non-empty 1-d array of non-negative integer "
                         f"indices; got dtype {arr.dtype}, {arr.size} entries")
    return arr.astype(np.int64)

