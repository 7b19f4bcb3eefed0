"""Compatibility module: the ``snnpy`` reservoir package's API on sc_neurocore's reservoir.

Replace ``from snnpy import SNN, SimulationParams`` by
``from sc_neurocore.network.snnpy import SNN, SimulationParams``; the rest of
the code runs unchanged.  The simulation is
:class:`sc_neurocore.network.Reservoir`; one step is 1 ms.  The package's
documented defects are corrected (``docs/interop.md`` lists them).
"""

from ._snnpy import (
    SNN,
    SimulationParams,
    STDPParams,
    load_membrane_potentials,
    load_output_neurons,
    load_topology,
)

__all__ = [
    "SNN",
    "SimulationParams",
    "STDPParams",
    "load_membrane_potentials",
    "load_output_neurons",
    "load_topology",
]
