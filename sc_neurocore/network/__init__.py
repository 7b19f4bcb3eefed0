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
