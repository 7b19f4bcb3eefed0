"""A LIF reservoir driven by binary input matrices, with readout features (private; re-exported).

This covers what the reservoir package described in the project's seed
documents offers (small-world or random topology, binary input matrix,
STDP, pruning, weight rescaling, spike-train features of output neurons,
topology / potentials / output-neuron persistence) on top of the compiled
network engine, with these differences (see ``docs/network_readout.md``):

* times are in ms (``tau_m``, ``refractory``, STDP time constants); the
  package's per-step ``leak_coefficient`` ``lambda`` is accepted and converted
  to ``tau_m = dt / lambda``;
* the small-world graph is directed with in-degree exactly ``k``;
* ``weight_std`` is a standard deviation (the package calls its parameter a
  variance but defaults it to ``0.1 * mean_weight``, a standard deviation);
* every :meth:`Reservoir.simulate` starts from the initial state (weights
  changed by STDP, pruning or rescaling are kept), so samples do not leak into
  each other through left-over potentials;
* output neurons are drawn, with the reservoir's seed, from the non-input
  neurons, and the input count is fixed at construction so they stay
  non-input neurons.
"""

from __future__ import annotations

import json
import os
from typing import Any

import numpy as np

from .._rng import SeedLike, spawn_generators
from .._validation import check_binary_array, check_choice, check_finite_array, check_int, check_real
from ._connectivity import Connectivity, erdos_renyi, from_scipy, watts_strogatz
from ._features import FEATURE_NAMES, features_from_events
from ._inputs import BinaryInput
from ._monitors import SpikeEvents
from ._persistence import Entries, adopt, field, file_name, read_meta, read_npz, write_npz
from ._plasticity import STDP, Homeostasis
from ._population import F32_MAX, Population, _param, check_f32
from ._simulate import SYNAPSE_MODES, Network

__all__ = ["Reservoir"]

_TOPOLOGIES = ("small_world", "random")
#: Version of the reservoir file format written by :meth:`Reservoir.save` (``meta["format"]``).
_FORMAT = 1
_RES_FILE = "path must be a reservoir file written by Reservoir.save"
#: Population parameters stored in the file's meta.
_POP_KEYS = ("v_rest", "v_reset", "threshold", "tau_m", "refractory", "dt", "allow_large_dt")
#: Neuron ids and step counts are int32 in the network engine.
_MAX_NEURONS = 2**31 - 1
_MAX_STEPS = 2**31 - 1


def _is_sparse(x: Any) -> bool:
    import scipy.sparse as sp

    return bool(sp.issparse(x))


class Reservoir:
    """A recurrent LIF reservoir with input neurons ``0 .. n_inputs - 1`` and chosen output neurons.

    Parameters
    ----------
    n_neurons : int, optional
        Number of neurons (needed unless ``adjacency`` is given).
    n_inputs : int
        Rows of the input matrices; input row ``q`` drives neuron ``q``.
    n_outputs : int, optional
        Number of output neurons drawn at random (seeded) from the non-input
        neurons; or give ``output_neurons``.
    output_neurons : array of int, optional
        Explicit output neuron indices (distinct).
    topology : {"small_world", "random"}
        Directed Watts–Strogatz (in-degree ``k``, rewiring ``p_rewire``) or
        Erdős–Rényi (``connection_prob``).  Ignored with ``adjacency``.
    k, p_rewire, connection_prob : int, float, float
    adjacency : scipy.sparse matrix, optional
        Weighted adjacency ``M[pre, post]`` used as is.
    mean_weight, weight_std : float
        Synaptic weight distribution ``N(mean, std^2)`` (``weight_std`` default
        ``0.1 * mean_weight``).
    threshold, v_reset, v_rest : float
        Potentials (threshold > v_reset).
    tau_m, refractory, dt : float
        Membrane time constant, refractory period and step, in ms.
    leak_coefficient : float, optional
        The package's per-step leak ``lambda`` in (0, 1); sets ``tau_m = dt / lambda``.
    input_amplitude : float, optional
        Jump added to an input neuron per input bit (default ``threshold``, so
        every input bit makes a non-refractory input neuron fire).
    membrane_potentials : array, optional
        Initial potentials (default ``v_rest``).
    delay : int
        Synaptic delay in steps (>= 1).
    synapse : {"deterministic", "bernoulli", "lfsr"}
        Synapse mode of the engine (stochastic-computing synapses if not
        deterministic).
    allow_large_dt : bool
        Passed to :class:`Population` (needed when ``dt >= tau_m / 10``).
    seed : None, int, SeedSequence or Generator
    """

    def __init__(
        self,
        n_neurons: int | None = None,
        *,
        n_inputs: int,
        n_outputs: int | None = None,
        output_neurons: Any = None,
        topology: str = "small_world",
        k: int = 10,
        p_rewire: float = 0.2,
        connection_prob: float = 0.1,
        adjacency: Any = None,
        mean_weight: float = 0.1,
        weight_std: float | None = None,
        threshold: float = 1.0,
        v_reset: float = 0.0,
        v_rest: float = 0.0,
        tau_m: float = 20.0,
        refractory: float = 2.0,
        dt: float = 1.0,
        leak_coefficient: float | None = None,
        input_amplitude: float | None = None,
        membrane_potentials: Any = None,
        delay: int = 1,
        synapse: str = "deterministic",
        allow_large_dt: bool = False,
        seed: SeedLike = None,
    ) -> None:
        # validated whatever the topology, so an unused bad value is not silently accepted
        p_rewire = check_real(p_rewire, "p_rewire", low=0.0, high=1.0)
        connection_prob = check_real(connection_prob, "connection_prob", low=0.0, high=1.0)
        g_topo, g_out, g_net = spawn_generators(seed, 3)
        self._g_weights = g_topo.spawn(1)[0]
        if adjacency is not None:
            if not _is_sparse(adjacency):
                raise TypeError(
                    f"adjacency must be a scipy.sparse matrix (M[pre, post]); got {type(adjacency).__name__}"
                )
            conn = from_scipy(adjacency, delay)
            if conn.n_pre != conn.n_post:
                raise ValueError(f"adjacency must be square; got {conn.n_pre} x {conn.n_post}")
            n = conn.n_pre
            if n_neurons is not None and check_int(n_neurons, "n_neurons", low=1) != n:
                raise ValueError(f"n_neurons must equal the adjacency size {n}; got {n_neurons}")
        else:
            if n_neurons is None:
                raise ValueError("n_neurons must be given when adjacency is None; got None")
            n = check_int(n_neurons, "n_neurons", low=3, high=_MAX_NEURONS)
            topology = check_choice(topology, "topology", _TOPOLOGIES)
            mw = check_real(mean_weight, "mean_weight")
            ws = 0.1 * abs(mw) if weight_std is None else check_real(weight_std, "weight_std", low=0.0)
            check_f32(mw, "mean_weight")
            check_f32(ws, "weight_std")
            if topology == "small_world":
                conn = watts_strogatz(n, k, p_rewire, weight=mw, weight_std=ws, delay=delay, seed=g_topo)
            else:
                conn = erdos_renyi(n, connection_prob, weight=mw, weight_std=ws, delay=delay, seed=g_topo)
        self.n_neurons = n
        self.n_inputs = check_int(n_inputs, "n_inputs", low=1, high=n - 1)
        self.dt = check_real(dt, "dt", low=0.0, low_open=True)
        if leak_coefficient is not None:
            lam = check_real(leak_coefficient, "leak_coefficient", low=0.0, high=1.0, low_open=True,
                             high_open=True)
            tau_m = self.dt / lam
        self.threshold = check_real(threshold, "threshold")
        check_f32(self.threshold, "threshold")
        self.input_amplitude = (self.threshold if input_amplitude is None
                                else check_real(input_amplitude, "input_amplitude"))
        check_f32(self.input_amplitude, "input_amplitude")
        self._pop_kwargs: dict[str, Any] = {
            "v_rest": v_rest, "v_reset": v_reset, "threshold": threshold, "tau_m": tau_m,
            "refractory": refractory, "dt": self.dt, "allow_large_dt": allow_large_dt,
        }
        v_init = (None if membrane_potentials is None
                  else _param(membrane_potentials, "membrane_potentials", n, f32=True))
        self.population = Population(n, v_init=v_init, **self._pop_kwargs)
        self.synapse = check_choice(synapse, "synapse", SYNAPSE_MODES)
        self.connectivity: Connectivity = conn
        self._net_seed = g_net
        if output_neurons is not None:
            self.set_output_neurons(output_neurons)
        else:
            if n_outputs is None:
                raise ValueError("n_outputs must be given when output_neurons is None; got None")
            m = check_int(n_outputs, "n_outputs", low=1, high=n - self.n_inputs)
            hidden = np.arange(self.n_inputs, n, dtype=np.int64)
            self.output_neurons = np.sort(g_out.choice(hidden, size=m, replace=False))
        self.stdp: STDP | None = None
        self.homeostasis: Homeostasis | None = None
        self._theta = np.zeros(n, dtype=np.float32)
        self._network = self._build()
        self._last: SpikeEvents | None = None

    # ------------------------------------------------------------------ engine

    def _build(self) -> Network:
        net = Network(self.population, self.connectivity, synapse=self.synapse, seed=self._net_seed)
        net.set_stdp(self.stdp)
        net.set_homeostasis(self.homeostasis)
        net.theta[:] = self._theta
        return net

    @property
    def network(self) -> Network:
        """The underlying :class:`Network` of the last simulation (or a fresh one)."""
        return self._network

    # ------------------------------------------------------------------ running

    def simulate(self, input_spikes: Any, duration: int | None = None) -> SpikeEvents:
        """Run one sample from the initial state; returns the output neurons' spikes.

        Parameters
        ----------
        input_spikes : array (n_inputs, T) of 0/1
            ``input_spikes[q, t] = 1`` adds ``input_amplitude`` to neuron ``q`` on step ``t``.
        duration : int, optional
            Steps to simulate (default ``T``; steps past ``T`` get no input).

        Returns
        -------
        SpikeEvents
            Spikes of the output neurons (neuron ids are network indices); all
            neurons' spikes are in ``self.network.spikes``.
        """
        return self._simulate(*self._check_sample(input_spikes, duration))

    def _check_sample(self, input_spikes: Any, duration: int | None = None) -> tuple[np.ndarray, int]:
        """``(bits, steps)`` of one validated input sample."""
        bits = check_binary_array(input_spikes, "input_spikes")
        if bits.ndim != 2 or bits.shape[0] != self.n_inputs:
            raise ValueError(f"input_spikes must have shape ({self.n_inputs}, T) (inputs x time); "
                             f"got shape {bits.shape}")
        steps = bits.shape[1] if duration is None else check_int(duration, "duration", low=1, high=_MAX_STEPS)
        if steps < 1:
            raise ValueError(f"duration must be >= 1 step; got input_spikes with {steps} columns")
        return bits, steps

    def _simulate(self, bits: np.ndarray, steps: int) -> SpikeEvents:
        net = self._build()
        net.add_input(BinaryInput(bits, self.input_amplitude))
        net.run(steps)
        self._network = net
        self._theta = net.theta.copy()
        if net.connectivity is not self.connectivity:
            self.connectivity = net.connectivity
        ev = net.spikes
        keep = np.isin(ev.neurons, self.output_neurons)
        self._last = SpikeEvents._trusted(ev.neurons[keep], ev.steps[keep], n_neurons=self.n_neurons,
                                          dt=self.dt, t_start=ev.t_start, t_stop=ev.t_stop)
        return self._last

    def _require_run(self) -> SpikeEvents:
        if self._last is None:
            raise ValueError("simulate must be called first; got no simulation")
        return self._last

    def raster(self) -> np.ndarray:
        """Dense ``(T, n_outputs)`` uint8 spike matrix of the last run (time x output neuron)."""
        return self._require_run().to_dense(self.output_neurons)

    def spike_time_lists(self) -> list[np.ndarray]:
        """For each output neuron (in ``output_neurons`` order), its spike steps in the last run."""
        trains = self._require_run().spike_trains()
        return [trains[int(i)] for i in self.output_neurons]

    def features(self, **kwargs: Any) -> dict[str, np.ndarray]:
        """All readout features of the output neurons in the last run (see :func:`extract_features`)."""
        return features_from_events(self._require_run(), self.output_neurons, **kwargs)

    def transform(self, samples: Any, features: Any = ("spike_count",), **kwargs: Any) -> np.ndarray:
        """Feature matrix of many samples: shape ``(n_samples, n_outputs * len(features))``.

        Each sample (an ``(n_inputs, T)`` matrix; ``samples`` a list or a 3-D
        array) is simulated from the initial state; the chosen features of
        every output neuron are concatenated feature by feature.  With STDP
        enabled the weights keep changing from sample to sample.  Every sample
        and argument is checked first: a call that raises changes nothing.
        """
        names = (features,) if isinstance(features, str) else tuple(features)
        for nm in names:
            check_choice(nm, "features", FEATURE_NAMES)
        if len(names) == 0:
            raise ValueError("features must name at least one feature; got none")
        # everything is checked before the first simulation changes the reservoir (STDP, theta)
        checked = [self._check_sample(s) for s in samples]
        if not checked:
            raise ValueError("samples must hold at least one input matrix; got none")
        empty = SpikeEvents._trusted(np.zeros(0, np.int32), np.zeros(0, np.int32), n_neurons=self.n_neurons,
                                     dt=self.dt, t_start=0, t_stop=1)
        features_from_events(empty, self.output_neurons, **kwargs)  # rejects bad keyword arguments now
        rows = []
        for bits, steps in checked:
            self._simulate(bits, steps)
            f = self.features(**kwargs)
            rows.append(np.concatenate([f[nm] for nm in names]))
        return np.vstack(rows)

    # ------------------------------------------------------------------ plasticity

    def enable_stdp(self, stdp: STDP | None = None) -> None:
        """Turn STDP on (default parameters when ``stdp`` is None) for the following simulations."""
        if stdp is None:
            stdp = STDP()
        if not isinstance(stdp, STDP):
            raise TypeError(f"stdp must be an STDP or None; got {type(stdp).__name__}")
        self.stdp = stdp
        self._network = self._build()

    def disable_stdp(self) -> None:
        """Turn STDP off (traces start from 0 when it is enabled again); weights stay as learned."""
        self.stdp = None
        self._network = self._build()

    def enable_homeostasis(self, homeostasis: Homeostasis | None = None) -> None:
        """Adaptive thresholds; ``theta`` is carried from one simulation to the next."""
        if homeostasis is None:
            homeostasis = Homeostasis()
        if not isinstance(homeostasis, Homeostasis):
            raise TypeError(f"homeostasis must be a Homeostasis or None; got {type(homeostasis).__name__}")
        self.homeostasis = homeostasis
        self._network = self._build()

    def rescale_synaptic_weights_to_mean(self, target_mean: float) -> None:
        """Scale all weights by one factor so that the mean ``|w|`` becomes ``target_mean``."""
        net = self._build()
        net.rescale_weights(target_mean)  # scales the network's own copy (copy-on-write)...
        self.connectivity = net.connectivity  # ...which the reservoir adopts
        self._network = net

    def prune(self, fraction: float) -> int:
        """Remove the weakest ``fraction`` of synapses by ``|w|``; returns how many were removed."""
        net = self._build()
        removed = net.prune(fraction)
        self.connectivity = net.connectivity
        self._network = self._build()
        return removed

    def reset_synaptic_weights(self, mean: float, std: float = 0.0, seed: SeedLike = None) -> None:
        """Redraw every existing synapse's weight from ``N(mean, std^2)`` (topology kept)."""
        mu = check_real(mean, "mean")
        sd = check_real(std, "std", low=0.0)
        check_f32(mu, "mean")
        check_f32(sd, "std")
        rng = np.random.default_rng(self._g_weights.spawn(1)[0] if seed is None else seed)
        c = self.connectivity
        w64 = mu + sd * rng.standard_normal(c.nnz)
        if w64.size and np.abs(w64).max() > F32_MAX:
            raise ValueError(f"mean and std must keep every weight in the float32 range; got a draw of "
                             f"{float(w64[np.argmax(np.abs(w64))])} from mean {mu}, std {sd}")
        # validated above; the immutable structure is shared, the new weights are ours
        self.connectivity = Connectivity._trusted(c.indptr, c.indices, w64.astype(np.float32), c.delays,
                                                  c.n_post)
        self._network = self._build()

    def suggested_threshold(self, input_spikes: Any = None, *, use_abs_weights: bool = False) -> float:
        """The reservoir package's heuristic global threshold (a starting point, not a guarantee).

        ``theta = mean(w) * mean(in-degree) + 2 * I_in * refractory_steps`` where
        ``mean(w) * mean(in-degree)`` is the jump a neuron receives when all its
        presynaptic neurons fire on one step and ``I_in = input_amplitude * mean(input_spikes)``
        is the mean input jump per input neuron and step (0 without
        ``input_spikes``).  Units: potential.  ``use_abs_weights`` averages ``|w|``.
        """
        if not isinstance(use_abs_weights, bool):
            raise TypeError(f"use_abs_weights must be a bool; got {type(use_abs_weights).__name__}")
        w = self.connectivity.weights.astype(np.float64)
        mean_w = float((np.abs(w) if use_abs_weights else w).mean()) if w.size else 0.0
        mean_k = float(self.connectivity.in_degree().mean())
        i_in = 0.0
        if input_spikes is not None:
            i_in = self.input_amplitude * float(check_binary_array(input_spikes, "input_spikes").mean())
        refr_steps = float(self.population.refractory_steps.mean())
        return mean_w * mean_k + 2.0 * i_in * refr_steps

    def set_threshold(self, threshold: float) -> None:
        """Set one firing threshold for every neuron (must exceed ``v_reset``)."""
        kw = dict(self._pop_kwargs, threshold=check_real(threshold, "threshold"))
        self.population = Population(self.n_neurons, v_init=self.population.v_init, **kw)
        self._pop_kwargs = kw
        self.threshold = kw["threshold"]
        self._network = self._build()

    def mean_isi(self) -> float:
        """Mean ISI in ms pooled over the output neurons of the last run (NaN-free: 0 without ISIs)."""
        trains = self.spike_time_lists()
        isis = np.concatenate([np.diff(t) for t in trains]) if trains else np.zeros(0)
        return float(isis.mean() * self.dt) if isis.size else 0.0

    # ------------------------------------------------------------------ state access

    def set_output_neurons(self, indices: Any) -> None:
        """Choose the output neurons (distinct indices in ``[0, n_neurons)``)."""
        a = np.asarray(indices)
        if a.ndim != 1 or a.size == 0 or not np.issubdtype(a.dtype, np.integer):
            raise ValueError(f"output_neurons must be a non-empty 1-d integer array; got shape {a.shape} "
                             f"dtype {a.dtype}")
        if a.min() < 0 or a.max() >= self.n_neurons:
            bad = int(a.min() if a.min() < 0 else a.max())
            raise ValueError(f"output_neurons must be in [0, {self.n_neurons - 1}]; got {bad}")
        if np.unique(a).size != a.size:
            raise ValueError("output_neurons must be distinct; got a repeated index")
        self.output_neurons = a.astype(np.int64)

    def get_output_neurons(self) -> np.ndarray:
        return self.output_neurons.copy()

    def set_membrane_potentials(self, potentials: Any) -> None:
        """Initial potentials of every neuron for the following simulations (shape ``(n_neurons,)``)."""
        v = check_finite_array(potentials, "membrane_potentials", ndim=1)
        if v.shape != (self.n_neurons,):
            raise ValueError(f"membrane_potentials must have shape ({self.n_neurons},); got shape {v.shape}")
        self.population = Population(self.n_neurons, v_init=v, **self._pop_kwargs)
        self._network = self._build()

    def get_membrane_potentials(self) -> np.ndarray:
        """Potentials at the end of the last run (the initial ones before any run), float64."""
        return self._network.v.astype(np.float64)

    def get_topology(self) -> Any:
        """The weighted adjacency as a scipy.sparse CSR matrix ``M[pre, post]``."""
        return self.connectivity.to_scipy()

    def set_topology(self, matrix: Any, delay: Any = 1) -> None:
        """Replace the synapses by a square scipy.sparse adjacency of the same size."""
        conn = from_scipy(matrix, delay)
        if conn.n_pre != self.n_neurons or conn.n_post != self.n_neurons:
            raise ValueError(f"matrix must be {self.n_neurons} x {self.n_neurons}; got "
                             f"{conn.n_pre} x {conn.n_post}")
        self.connectivity = conn
        self._network = self._build()

    def save(self, path: Any) -> None:
        """Save topology, delays, outputs, initial potentials, thresholds and parameters to exactly ``path``.

        One uncompressed npz without pickles and without an appended suffix
        (``save("x")`` writes ``x``); the format is in ``docs/network.md``.
        """
        if not isinstance(path, (str, os.PathLike)) and not hasattr(path, "write"):
            raise TypeError(f"path must be a str, os.PathLike or a writable file; got {type(path).__name__}")
        c = self.connectivity
        meta = {k: (v.tolist() if isinstance(v, np.ndarray) else v) for k, v in self._pop_kwargs.items()}
        meta.update(format=_FORMAT, n_inputs=self.n_inputs, input_amplitude=self.input_amplitude,
                    synapse=self.synapse)
        write_npz(path, {"indptr": c.indptr, "indices": c.indices, "weights": c.weights, "delays": c.delays,
                         "output_neurons": self.output_neurons, "v_init": self.population.v_init,
                         "theta": self._theta, "meta": np.array(json.dumps(meta))})

    @classmethod
    def load(cls, path: Any, seed: SeedLike = None) -> Reservoir:
        """Rebuild a reservoir written by :meth:`save` (``seed`` keys SC synapse bits).

        The file is untrusted: the arrays and parameters go through
        :class:`Connectivity` and the :class:`Reservoir` constructor, and
        ``theta`` must be a finite float32 array of one entry per neuron.  Files
        written before format versions were stored count as format 1.

        Raises
        ------
        TypeError
            If ``path`` is not a str, ``os.PathLike`` or readable file.
        FileNotFoundError
            If there is no file ``path``.
        ValueError
            If the file is not a readable npz archive, is of a newer format, or
            any entry fails its check; the message names the file and the problem.
        """
        if not isinstance(path, (str, os.PathLike)) and not hasattr(path, "read"):
            raise TypeError(f"path must be a str, os.PathLike or a readable file; got {type(path).__name__}")
        name = file_name(path)
        e = Entries(read_npz(path, _RES_FILE))
        meta = read_meta(e, _RES_FILE, name, "reservoir", _FORMAT, default_format=1)
        try:
            indptr = e["indptr"]
            conn = Connectivity(indptr, e["indices"], e["weights"], e["delays"],
                                indptr.shape[0] - 1 if indptr.ndim == 1 else 0)
            pop_kwargs = {k: field(meta, k) for k in _POP_KEYS}
            res = cls(n_inputs=field(meta, "n_inputs"), output_neurons=e["output_neurons"],
                      adjacency=conn.to_scipy(), input_amplitude=field(meta, "input_amplitude"),
                      membrane_potentials=e["v_init"], synapse=field(meta, "synapse"), seed=seed,
                      **pop_kwargs)
            theta = adopt(e, "theta", res._theta)
            e.check_all_used()
            unknown = sorted(set(meta) - {"format", "n_inputs", "input_amplitude", "synapse", *_POP_KEYS})
            if unknown:
                raise ValueError(f"meta has unknown field(s) {', '.join(map(repr, unknown))}")
        except (ValueError, TypeError) as exc:
            raise ValueError(f"{_RES_FILE}; got {name}: {exc}") from exc
        res.connectivity = conn  # the file's synapse order (the adjacency round trip may reorder a row)
        res._theta = theta
        res._network = res._build()
        return res

    def __repr__(self) -> str:
        return (f"Reservoir(n={self.n_neurons}, inputs={self.n_inputs}, outputs={self.output_neurons.size}, "
                f"synapses={self.connectivity.nnz}, synapse={self.synapse!r})")
