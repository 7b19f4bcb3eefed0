"""The binary decision task on a 1000-neuron E/I LIF network (private; re-exported).

Model (defaults): ``n = 1000`` LIF neurons, 80 % excitatory, Erdős–Rényi
connectivity with ``p = 0.1``, ``tau_m = 20 ms``, refractory 2 ms, ``dt =
0.1 ms``, threshold 1, reset and rest 0, one 100 ms window per trial.  The
excitatory weight of each synapse is ``|w_exc + w_std_frac * w_exc * N(0, 1)|``,
the inhibitory one ``-g`` times that (the absolute value keeps Dale's law);
delays ``delay_ms``.  Every neuron
receives background Poisson input (``bg_rate_hz`` at jump ``bg_amplitude``).

Stimulus: each stimulated neuron has ``n_afferents`` Poisson afferents of
jump ``input_amplitude``, each firing at ``rate_on_hz`` or ``rate_off_hz``.

* ``coding="two_pools"`` (default): pools ``A = [0, n_pool)`` and ``B =
  [n_pool, 2 n_pool)`` of excitatory neurons; label 1 drives A "on" and B
  "off", label 0 the reverse.  The output neurons are A and B.
* ``coding="single_pool"`` (the seed document's set-up): only pool A is
  stimulated, "on" (sustained) for label 1 and "off" (sparse) for label 0; the
  output neurons are the next ``n_pool`` excitatory neurons, which see the
  stimulus only through the random recurrent synapses.

Every trial draws fresh background/stimulus spikes and a fresh initial
membrane potential (uniform in ``[v_reset, threshold)``) from its own spawned
seed; the network itself is fixed by the task's ``seed``.

Decision rules (see :meth:`DecisionTask.evaluate`):

* ``"pools"``: label 1 if the mean rate of A exceeds that of B (two-pool coding).
* ``"threshold"``: label 1 if the mean output rate exceeds ``threshold_hz``; the
  seed document fixes 50 Hz, ``threshold_hz=None`` calibrates it as the
  midpoint of the two class means on training trials.
* ``"linear"``: :class:`~sc_neurocore.network.LinearClassifier` on the spike
  counts of the output neurons, trained on training trials.
* ``"hebbian"``: a readout trained by the supervised Hebbian rule
  ``dw_i = eta (2 y - 1) (x_i - mean(x_i))`` summed over the training trials
  (``x``: output spike counts, ``y``: label), so ``w`` is proportional to the
  difference of the class means; the bias puts the decision boundary
  midway between the projected class means.  (The seed's unsupervised
  ``dW = eta pre post`` has no depression term and only grows.)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .._rng import SeedLike, spawn_generators
from .._validation import check_choice, check_int, check_real
from ._connectivity import Connectivity, ei_weights, erdos_renyi
from ._inputs import PoissonInput
from ._plasticity import STDP
from ._population import Population
from ._readout import LinearClassifier, accuracy, confusion_matrix
from ._simulate import Network

__all__ = ["DecisionTask", "DecisionTrials", "DecisionResult", "DECISION_RULES"]

DECISION_RULES = ("pools", "threshold", "linear", "hebbian")
_CODINGS = ("two_pools", "single_pool")


@dataclass(frozen=True)
class DecisionTrials:
    """Outcome of Monte Carlo trials.

    Attributes
    ----------
    labels : ndarray of int64 (n_trials,)
        The presented pattern (0 or 1).
    counts : ndarray of int64 (n_trials, n_outputs)
        Spike counts of the output neurons in each trial's window.
    rates_hz : ndarray of float64 (n_trials, 2)
        Mean rate of pool A and of pool B (two-pool coding), or of the output
        pool and of the stimulated pool (single-pool coding).
    network_rate_hz : ndarray of float64 (n_trials,)
        Mean rate of all neurons.
    """

    labels: np.ndarray
    counts: np.ndarray
    rates_hz: np.ndarray
    network_rate_hz: np.ndarray


@dataclass(frozen=True)
class DecisionResult:
    """Accuracy and confusion matrix of one decision rule on test trials.

    ``confusion[i, j]`` counts test trials of pattern ``i`` decided as ``j``;
    ``threshold_hz`` is the threshold used by the ``"threshold"`` rule (NaN
    otherwise); ``stderr`` is the binomial standard error
    ``sqrt(acc (1 - acc) / n_test)``.
    """

    rule: str
    accuracy: float
    confusion: np.ndarray
    n_test: int
    threshold_hz: float
    stderr: float


class DecisionTask:
    """A seeded E/I LIF network deciding between two Poisson input patterns.

    Parameters
    ----------
    n, exc_fraction, p : int, float, float
        Size, excitatory fraction and connection probability (1000, 0.8, 0.1).
    tau_m, refractory, dt, window_ms : float
        Membrane time constant, refractory period, step and trial window in ms
        (20, 2, 0.1, 100).
    w_exc, g, w_std_frac : float
        Excitatory jump (threshold units), inhibitory/excitatory ratio and
        relative weight spread (0.02, 5, 0.5: the seed's N(0.1, 0.05) spread).
    delay_ms : float
        Synaptic delay (1.5 ms; rounded to whole steps, >= 1 step).
    bg_rate_hz, bg_amplitude : float
        Background Poisson input of every neuron (3000 Hz of 0.02 jumps).
    coding : {"two_pools", "single_pool"}
    n_pool, n_afferents : int
        Neurons per pool (100) and stimulus afferents per stimulated neuron (20).
    rate_on_hz, rate_off_hz, input_amplitude : float
        Afferent rates of the "on" and "off" pattern (40, 20 Hz) and their jump (0.1).
    seed : None, int, SeedSequence or Generator
        Fixes the connectivity; trials take their own seeds.
    """

    def __init__(
        self,
        *,
        n: int = 1000,
        exc_fraction: float = 0.8,
        p: float = 0.1,
        tau_m: float = 20.0,
        refractory: float = 2.0,
        dt: float = 0.1,
        window_ms: float = 100.0,
        w_exc: float = 0.02,
        g: float = 5.0,
        w_std_frac: float = 0.5,
        delay_ms: float = 1.5,
        bg_rate_hz: float = 3000.0,
        bg_amplitude: float = 0.02,
        coding: str = "two_pools",
        n_pool: int = 100,
        n_afferents: int = 20,
        rate_on_hz: float = 40.0,
        rate_off_hz: float = 20.0,
        input_amplitude: float = 0.1,
        seed: SeedLike = None,
    ) -> None:
        self.n = check_int(n, "n", low=4)
        self.exc_fraction = check_real(exc_fraction, "exc_fraction", low=0.0, high=1.0)
        self.n_exc = int(round(self.exc_fraction * self.n))
        self.coding = check_choice(coding, "coding", _CODINGS)
        self.n_pool = check_int(n_pool, "n_pool", low=1)
        if 2 * self.n_pool > self.n_exc:
            raise ValueError(f"n_pool must be <= n_exc / 2 = {self.n_exc // 2} (two pools of excitatory "
                             f"neurons); got {self.n_pool}")
        self.n_afferents = check_int(n_afferents, "n_afferents", low=1)
        self.rate_on_hz = check_real(rate_on_hz, "rate_on_hz", low=0.0)
        self.rate_off_hz = check_real(rate_off_hz, "rate_off_hz", low=0.0)
        self.input_amplitude = check_real(input_amplitude, "input_amplitude")
        self.bg_rate_hz = check_real(bg_rate_hz, "bg_rate_hz", low=0.0)
        self.bg_amplitude = check_real(bg_amplitude, "bg_amplitude")
        self.w_exc = check_real(w_exc, "w_exc", low=0.0)
        self.g = check_real(g, "g", low=0.0)
        self.w_std_frac = check_real(w_std_frac, "w_std_frac", low=0.0)
        self.window_ms = check_real(window_ms, "window_ms", low=0.0, low_open=True)
        self.population = Population(self.n, tau_m=tau_m, refractory=refractory, dt=dt, n_exc=self.n_exc)
        self.dt = self.population.dt
        self.n_steps = max(1, int(round(self.window_ms / self.dt)))
        d_ms = check_real(delay_ms, "delay_ms", low=0.0, low_open=True)
        self.delay_steps = max(1, int(round(d_ms / self.dt)))
        for name, rate in (("rate_on_hz", self.rate_on_hz), ("rate_off_hz", self.rate_off_hz)):
            if rate * self.n_afferents * self.dt / 1000.0 > 1.0:
                raise ValueError(f"{name} must be <= 1000 / (dt * n_afferents) = "
                                 f"{1000.0 / (self.dt * self.n_afferents)} Hz; got {rate}")
        if self.bg_rate_hz * self.dt / 1000.0 > 1.0:
            raise ValueError(
                f"bg_rate_hz must be <= 1000 / dt = {1000.0 / self.dt} Hz; got {self.bg_rate_hz}")
        gen = spawn_generators(seed, 2)
        self._trial_parent = gen[1]
        w = ei_weights(self.n, self.n_exc, self.w_exc, self.g * self.w_exc)
        self.connectivity: Connectivity = erdos_renyi(
            self.n, check_real(p, "p", low=0.0, high=1.0), weight=w, weight_std=np.abs(w) * self.w_std_frac,
            delay=self.delay_steps, seed=gen[0])
        # Dale's law: a Gaussian spread can flip a weight's sign; reflect it back
        # (|w| keeps the row's sign; with w_std_frac = 0.5 about 2.3 % of weights are reflected)
        sign = np.where(self.connectivity.pre() < self.n_exc, 1.0, -1.0).astype(np.float32)
        self.connectivity.weights[:] = sign * np.abs(self.connectivity.weights)
        self.p = float(p)

    # ------------------------------------------------------------------ neurons

    @property
    def pool_a(self) -> np.ndarray:
        """Indices of pool A (stimulated in both codings)."""
        return np.arange(self.n_pool, dtype=np.int64)

    @property
    def pool_b(self) -> np.ndarray:
        """Indices of pool B (stimulated: two-pool coding; unstimulated output pool: single-pool coding)."""
        return np.arange(self.n_pool, 2 * self.n_pool, dtype=np.int64)

    @property
    def output_neurons(self) -> np.ndarray:
        """A and B for two-pool coding; B (the unstimulated read-out pool) for single-pool coding."""
        if self.coding == "two_pools":
            return np.arange(2 * self.n_pool, dtype=np.int64)
        return self.pool_b

    def _stimulus(self, label: int) -> tuple[np.ndarray, np.ndarray]:
        on, off = self.rate_on_hz * self.n_afferents, self.rate_off_hz * self.n_afferents
        if self.coding == "two_pools":
            rates = np.empty(2 * self.n_pool)
            rates[: self.n_pool] = on if label == 1 else off
            rates[self.n_pool:] = off if label == 1 else on
            return rates, np.arange(2 * self.n_pool, dtype=np.int32)
        return np.full(self.n_pool, on if label == 1 else off), np.arange(self.n_pool, dtype=np.int32)

    def build_network(self, label: int, seed: SeedLike = None, *, synapse: str = "deterministic",
                      **network_kwargs: Any) -> Network:
        """One trial's network: fresh initial potentials, background and stimulus for ``label``.

        The connectivity object is shared with the task (STDP on the returned
        network changes the task's weights).  ``synapse`` and further keyword
        arguments go to :class:`~sc_neurocore.network.Network`.
        """
        label = check_int(label, "label", low=0, high=1)
        g_init, g_bg, g_stim, g_net = spawn_generators(seed, 4)
        pop = self.population
        v0 = g_init.uniform(pop.v_reset, pop.threshold)
        trial_pop = Population(self.n, v_rest=pop.v_rest, v_reset=pop.v_reset, threshold=pop.threshold,
                               tau_m=pop.tau_m, refractory=pop.refractory, dt=pop.dt, n_exc=pop.n_exc,
                               v_init=v0)
        net = Network(trial_pop, self.connectivity, synapse=synapse, seed=g_net, **network_kwargs)
        if self.bg_rate_hz > 0:
            net.add_input(PoissonInput(self.bg_rate_hz, self.bg_amplitude, n=self.n, seed=g_bg))
        rates, targets = self._stimulus(label)
        net.add_input(PoissonInput(rates, self.input_amplitude, targets=targets, seed=g_stim))
        return net

    # ------------------------------------------------------------------ trials

    def run_trials(self, n_trials: int, seed: SeedLike = None, *, synapse: str = "deterministic",
                   **network_kwargs: Any) -> DecisionTrials:
        """``n_trials`` Monte Carlo trials, labels alternating 0, 1, 0, ... (balanced classes).

        Trial ``i`` uses the ``i``-th seed spawned from ``seed``, so the same
        seed gives the same spikes.
        """
        n_trials = check_int(n_trials, "n_trials", low=1)
        gens = spawn_generators(seed, n_trials)
        out = self.output_neurons
        labels = np.arange(n_trials, dtype=np.int64) % 2
        counts = np.zeros((n_trials, out.size), dtype=np.int64)
        rates = np.zeros((n_trials, 2))
        net_rate = np.zeros(n_trials)
        win_s = self.n_steps * self.dt / 1000.0
        second = self.pool_a if self.coding == "single_pool" else self.pool_b
        first = self.pool_a if self.coding == "two_pools" else self.pool_b
        for i in range(n_trials):
            net = self.build_network(int(labels[i]), gens[i], synapse=synapse, **network_kwargs)
            c = net.run(self.n_steps).counts()
            counts[i] = c[out]
            rates[i, 0] = c[first].mean() / win_s
            rates[i, 1] = c[second].mean() / win_s
            net_rate[i] = c.mean() / win_s
        return DecisionTrials(labels, counts, rates, net_rate)

    def decide(self, trials: DecisionTrials, rule: str, *, threshold_hz: float | None = 50.0,
               train: DecisionTrials | None = None, alpha: float = 1.0) -> tuple[np.ndarray, float]:
        """Decisions (0/1 per trial) of ``rule`` on ``trials``; returns ``(decisions, threshold_hz used)``.

        ``"pools"``: 1 where rate(A) > rate(B) (two-pool coding only).
        ``"threshold"``: 1 where the output rate (pool A for two-pool coding,
        the output pool otherwise) > ``threshold_hz``; ``threshold_hz=None``
        calibrates it on ``train`` as the midpoint of the class-mean rates.
        ``"linear"``: a :class:`LinearClassifier` (penalty ``alpha``) fitted on
        ``train``'s output spike counts.  ``"hebbian"``: the class-mean
        difference readout described in the module docstring.
        """
        rule = check_choice(rule, "rule", DECISION_RULES)
        if not isinstance(trials, DecisionTrials):
            raise TypeError(f"trials must be DecisionTrials; got {type(trials).__name__}")
        thr = float("nan")
        if rule == "pools":
            if self.coding != "two_pools":
                raise ValueError("rule must be 'threshold', 'linear' or 'hebbian' for "
                                 f"coding='single_pool'; got {rule!r}")
            return (trials.rates_hz[:, 0] > trials.rates_hz[:, 1]).astype(np.int64), thr
        if rule == "threshold":
            if threshold_hz is None:
                if train is None:
                    raise ValueError("train must be given to calibrate threshold_hz=None; got None")
                r = train.rates_hz[:, 0]
                thr = 0.5 * (r[train.labels == 0].mean() + r[train.labels == 1].mean())
            else:
                thr = check_real(threshold_hz, "threshold_hz", low=0.0)
            return (trials.rates_hz[:, 0] > thr).astype(np.int64), thr
        if train is None:
            raise ValueError(f"train must be given for rule={rule!r}; got None")
        if np.unique(train.labels).size < 2:
            raise ValueError("train must contain trials of both labels; got one label")
        if rule == "hebbian":
            x = train.counts.astype(np.float64)
            w = ((2 * train.labels - 1)[:, None] * (x - x.mean(axis=0))).sum(axis=0)
            m0 = x[train.labels == 0].mean(axis=0) @ w
            m1 = x[train.labels == 1].mean(axis=0) @ w
            return (trials.counts @ w > 0.5 * (m0 + m1)).astype(np.int64), thr
        clf = LinearClassifier(alpha=alpha).fit(train.counts, train.labels)
        return clf.predict(trials.counts), thr

    def evaluate(self, rule: str = "pools", *, n_train: int = 40, n_test: int = 100, seed: SeedLike = None,
                 threshold_hz: float | None = 50.0, alpha: float = 1.0, synapse: str = "deterministic",
                 **network_kwargs: Any) -> DecisionResult:
        """Monte Carlo accuracy and confusion matrix of ``rule`` on ``n_test`` fresh trials.

        Training trials (used by ``"linear"`` and the calibrated threshold) and
        test trials come from independent children of ``seed``.
        """
        rule = check_choice(rule, "rule", DECISION_RULES)
        n_test = check_int(n_test, "n_test", low=1)
        n_train = check_int(n_train, "n_train", low=2)
        g_train, g_test = spawn_generators(seed, 2)
        needs_train = rule in ("linear", "hebbian") or (rule == "threshold" and threshold_hz is None)
        train = self.run_trials(n_train, g_train, synapse=synapse, **network_kwargs) if needs_train else None
        test = self.run_trials(n_test, g_test, synapse=synapse, **network_kwargs)
        return self.score(test, rule, train=train, threshold_hz=threshold_hz, alpha=alpha)

    def score(self, test: DecisionTrials, rule: str, *, train: DecisionTrials | None = None,
              threshold_hz: float | None = 50.0, alpha: float = 1.0) -> DecisionResult:
        """Accuracy and confusion matrix of ``rule`` on already simulated ``test`` trials."""
        dec, thr = self.decide(test, rule, threshold_hz=threshold_hz, train=train, alpha=alpha)
        acc = accuracy(test.labels, dec)
        n_test = int(test.labels.size)
        return DecisionResult(rule, acc, confusion_matrix(test.labels, dec, n_classes=2), n_test, thr,
                              float(np.sqrt(acc * (1.0 - acc) / n_test)))

    # ------------------------------------------------------------------ plasticity

    def train_stdp(self, stdp: STDP, n_presentations: int, seed: SeedLike = None, *,
                   plastic: str = "excitatory", keep_mean: bool = True) -> np.ndarray:
        """Unsupervised STDP: present ``n_presentations`` windows (labels alternating) with plasticity on.

        Each presentation is a fresh trial network sharing the task's
        connectivity, run with the engine's STDP.  ``plastic="excitatory"``
        restores the inhibitory weights after every presentation (only
        excitatory synapses learn; the engine's single ``W_max`` would otherwise
        also clip inhibitory magnitudes); ``keep_mean=True`` then rescales the
        excitatory weights to their mean before training (synaptic scaling).
        Without these, STDP on every synapse drives the balanced network into
        runaway excitation (see ``docs/network_readout.md``).  Returns the mean
        weight of the synapses within pool A and within pool B after each
        presentation, shape ``(n_presentations, 2)``.
        """
        plastic = check_choice(plastic, "plastic", ("excitatory", "all"))
        if not isinstance(keep_mean, bool):
            raise TypeError(f"keep_mean must be a bool; got {type(keep_mean).__name__}")
        if not isinstance(stdp, STDP):
            raise TypeError(f"stdp must be an STDP; got {type(stdp).__name__}")
        n_presentations = check_int(n_presentations, "n_presentations", low=1)
        gens = spawn_generators(seed, n_presentations)
        c = self.connectivity
        pre = c.pre()
        post = c.indices
        in_a = (pre < self.n_pool) & (post < self.n_pool)
        in_b = ((pre >= self.n_pool) & (pre < 2 * self.n_pool) & (post >= self.n_pool)
                & (post < 2 * self.n_pool))
        exc = pre < self.n_exc
        w_inh = c.weights[~exc].copy()
        mean_exc = float(c.weights[exc].mean()) if exc.any() else 0.0
        history = np.zeros((n_presentations, 2))
        for i in range(n_presentations):
            net = self.build_network(i % 2, gens[i])
            net.set_stdp(stdp)
            net.run(self.n_steps)
            if net.connectivity is not c:  # keep the trained weights whatever the engine does
                c.weights[:] = net.connectivity.weights
            if plastic == "excitatory":
                c.weights[~exc] = w_inh
            if keep_mean and exc.any():
                cur = float(c.weights[exc].mean())
                if cur > 0:
                    c.weights[exc] *= np.float32(mean_exc / cur)
            history[i, 0] = float(c.weights[in_a].mean()) if in_a.any() else 0.0
            history[i, 1] = float(c.weights[in_b].mean()) if in_b.any() else 0.0
        return history
