"""sc_neurocore: stochastic-computing spiking neurons.

Values in [0, 1] travel as Bernoulli bitstreams packed 64 cycles per uint64
word; multiplication is an AND gate.  The top level exposes the tutorial API;
the packed engine lives in :mod:`sc_neurocore.bitstream` and the network
simulator in :mod:`sc_neurocore.network`.

Names are resolved lazily (PEP 562) so ``import sc_neurocore`` stays cheap and
numba compiles nothing until a kernel is first called.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# public name -> private module that defines it
_EXPORTS: dict[str, str] = {
    "StochasticLIFNeuron": "sc_neurocore._neuron",
    "BitstreamSpikeRecorder": "sc_neurocore._recorder",
    "BitstreamEncoder": "sc_neurocore._encoder",
    "bitstream_to_probability": "sc_neurocore._encoder",
    "BitstreamSynapse": "sc_neurocore._synapse",
    "BitstreamCurrentSource": "sc_neurocore._current_source",
    "SCDenseLayer": "sc_neurocore._dense",
    # fixed-point hardware mode, bit-exact with hw_models
    "QFormat": "sc_neurocore._fixed_point",
    "FixedPointLIF": "sc_neurocore._fixed_point",
    "FixedPointDenseLayer": "sc_neurocore._fixed_point",
    "FIXED_ACCUMULATION_MODES": "sc_neurocore._fixed_point",
    # issued once if numba's cache directory is not writable (read-only installs)
    "JitCacheWarning": "sc_neurocore._jit",
}
_SUBPACKAGES = ("bitstream", "deploy", "network", "sweep")

__all__ = [
    "BitstreamCurrentSource",
    "BitstreamEncoder",
    "BitstreamSpikeRecorder",
    "BitstreamSynapse",
    "FIXED_ACCUMULATION_MODES",
    "FixedPointDenseLayer",
    "FixedPointLIF",
    "JitCacheWarning",
    "QFormat",
    "SCDenseLayer",
    "StochasticLIFNeuron",
    "__version__",
    "bitstream",
    "bitstream_to_probability",
    "deploy",
    "network",
    "sweep",
]

if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only
    from sc_neurocore import bitstream, deploy, network, sweep
    from sc_neurocore._current_source import BitstreamCurrentSource
    from sc_neurocore._dense import SCDenseLayer
    from sc_neurocore._encoder import BitstreamEncoder, bitstream_to_probability
    from sc_neurocore._fixed_point import (
        FIXED_ACCUMULATION_MODES,
        FixedPointDenseLayer,
        FixedPointLIF,
        QFormat,
    )
    from sc_neurocore._jit import JitCacheWarning
    from sc_neurocore._neuron import StochasticLIFNeuron
    from sc_neurocore._recorder import BitstreamSpikeRecorder
    from sc_neurocore._synapse import BitstreamSynapse


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        value = getattr(importlib.import_module(_EXPORTS[name]), name)
    elif name in _SUBPACKAGES:
        value = importlib.import_module(f"sc_neurocore.{name}")
    else:
        raise AttributeError(f"module 'sc_neurocore' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    # Only the API: not the helpers this module imports, nor private submodules once loaded.
    return sorted(__all__)
