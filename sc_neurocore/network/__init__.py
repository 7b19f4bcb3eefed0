"""Spiking network simulation: LIF populations, CSR connectivity, SC synapses, inputs,
plasticity, readout features, the decision task, reservoirs, exact event-driven runs and NIR
export/import (``docs/interop.md``; the ``snnpy`` compatibility module is
``sc_neurocore.network.snnpy``).

See ``docs/network.md`` (model, update order, units, benchmarks),
``docs/network_readout.md`` (features, readout, decision task, reservoir) and
``docs/event_driven.md`` (the exact event-driven simulator).
"""

from ._connectivity import Connectivity, ei_weights, erdos_renyi, from_arrays, from_scipy, watts_strogatz
from ._decision import DECISION_RULES, DecisionResult, DecisionTask, DecisionTrials
from ._engine import MEASURED_COSTS, EngineChoice, EngineCosts, choose_engine
from ._event_driven import EventDrivenNetwork, EventSpikes
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
from ._inputs import BinaryInput, BitstreamInput, Current, PoissonInput
from ._models import COBA, LIF, ExpSynLIF, Izhikevich, NeuronModel
from ._monitors import SpikeEvents, StateTrace
from ._nir import NIRImport, from_nir, read_nir, to_nir, write_nir
from ._persistence import load_network, save_network
from ._plasticity import STDP, Homeostasis
from ._population import Population
from ._readout import LinearClassifier, RidgeReadout, accuracy, confusion_matrix
from ._reservoir import Reservoir
from ._simulate import SYNAPSE_MODES, Network
from ._stp import TsodyksMarkram

__all__ = [
    "accuracy",
    "autocorrelation_lag1",
    "BinaryInput",
    "BitstreamInput",
    "burst_counts",
    "burstiness",
    "choose_engine",
    "COBA",
    "confusion_matrix",
    "Connectivity",
    "Current",
    "DECISION_RULES",
    "DecisionResult",
    "DecisionTask",
    "DecisionTrials",
    "ei_weights",
    "erdos_renyi",
    "EventDrivenNetwork",
    "EngineChoice",
    "EngineCosts",
    "EventSpikes",
    "ExpSynLIF",
    "extract_features",
    "FEATURE_NAMES",
    "features_from_events",
    "first_spike_times",
    "from_nir",
    "from_arrays",
    "from_scipy",
    "half_asymmetry",
    "Homeostasis",
    "isi_cv",
    "Izhikevich",
    "isi_variance",
    "last_spike_times",
    "LIF",
    "LinearClassifier",
    "load_network",
    "MEASURED_COSTS",
    "mean_isi",
    "mean_spike_times",
    "Network",
    "NeuronModel",
    "NIRImport",
    "PoissonInput",
    "read_nir",
    "Population",
    "Reservoir",
    "RidgeReadout",
    "save_network",
    "spike_counts",
    "spike_entropy",
    "spike_rates",
    "spike_time_kurtosis",
    "spike_time_skewness",
    "SpikeEvents",
    "StateTrace",
    "STDP",
    "SYNAPSE_MODES",
    "to_nir",
    "TsodyksMarkram",
    "watts_strogatz",
    "write_nir",
]


def __dir__() -> list[str]:
    # Only the API, not the private submodules the imports above loaded.
    return sorted(__all__)
