"""Spiking network simulation: LIF populations, CSR connectivity, SC synapses, inputs, STDP.

See ``docs/network.md`` for the model, the update order, the units and the
benchmarks.
"""

from ._connectivity import Connectivity, ei_weights, erdos_renyi, from_arrays, from_scipy, watts_strogatz
from ._inputs import BinaryInput, BitstreamInput, Current, PoissonInput
from ._monitors import SpikeEvents, StateTrace
from ._persistence import load_network, save_network
from ._plasticity import STDP, Homeostasis
from ._population import Population
from ._simulate import SYNAPSE_MODES, Network

__all__ = [
    "BinaryInput",
    "BitstreamInput",
    "Connectivity",
    "Current",
    "Homeostasis",
    "Network",
    "PoissonInput",
    "Population",
    "STDP",
    "SYNAPSE_MODES",
    "SpikeEvents",
    "StateTrace",
    "ei_weights",
    "erdos_renyi",
    "from_arrays",
    "from_scipy",
    "load_network",
    "save_network",
    "watts_strogatz",
]

# --- readout, tasks and reservoir ---
from ._decision import DECISION_RULES, DecisionResult, DecisionTask, DecisionTrials
from ._features import (
    FEATURE_NAMES,
    autocorrelation_lag1,
    burst_counts,
    burstiness,
    extract_features,
    features_from_events,
    first_spike_times,
    half_asymmetry,
    isi_cv,
    isi_variance,
    last_spike_times,
    mean_isi,
    mean_spike_times,
    spike_counts,
    spike_entropy,
    spike_rates,
    spike_time_kurtosis,
    spike_time_skewness,
)
from ._readout import LinearClassifier, RidgeReadout, accuracy, confusion_matrix
from ._reservoir import Reservoir

__all__ += [
    "FEATURE_NAMES",
    "autocorrelation_lag1",
    "burst_counts",
    "burstiness",
    "extract_features",
    "features_from_events",
    "first_spike_times",
    "half_asymmetry",
    "isi_cv",
    "isi_variance",
    "last_spike_times",
    "mean_isi",
    "mean_spike_times",
    "spike_counts",
    "spike_entropy",
    "spike_rates",
    "spike_time_kurtosis",
    "spike_time_skewness",
    "LinearClassifier",
    "RidgeReadout",
    "accuracy",
    "confusion_matrix",
    "DECISION_RULES",
    "DecisionResult",
    "DecisionTask",
    "DecisionTrials",
    "Reservoir",
]

# --- event-driven simulation ---
from ._event_driven import EventDrivenNetwork, EventSpikes

__all__ += ["EventDrivenNetwork", "EventSpikes"]
