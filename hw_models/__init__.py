"""hw_models: bit-accurate, cycle-by-cycle gate-level references of the SC datapath.

Every model is a :class:`Block` with explicit bit widths and one clocking
protocol (``eval`` = combinational phase of a cycle, ``clock`` = rising edge,
``step`` = both, ``run`` = many cycles) and emits synthesizable Verilog-2005
(:meth:`Block.to_verilog`) with a synchronous, active-high reset that loads the
seeds and clears the registers.
"""

from hw_models._area import AreaReport, area_report, cell_counts
from hw_models._baseline import BinaryClassifier, BinaryLayer
from hw_models._classifier import SCClassifierDatapath
from hw_models._common import Block, check_part_int, check_taps, mirror_taps
from hw_models._contract import assert_bit_exact, first_difference
from hw_models._correlation import (
    ChannelAssignment,
    ChannelSource,
    CorrelationIssue,
    CorrelationReport,
    assign_channels,
    check_correlation,
    lfsr_jump,
    pairwise_scc,
)
from hw_models._cosim import (
    BACKENDS,
    CosimError,
    CosimResult,
    Mismatch,
    RtlRun,
    ToolNotFoundError,
    cosimulate,
    emit_testbench,
    random_inputs,
    run_rtl,
)
from hw_models._counters import (
    AccumulativeParallelCounter,
    ParallelCounter,
    UpCounter,
    UpDownCounter,
    bipolar_decode,
)
from hw_models._datapaths import CurrentSource, DenseLayer, Synapse
from hw_models._deterministic import DeterministicPair, ThermometerEncoder
from hw_models._faults import (
    FaultTable,
    FaultyBlock,
    binary_operation_faulty,
    fault_tolerance,
    flip_bits,
    flip_register_bits,
    sc_operation_faulty,
)
from hw_models._fpga import FpgaError, FpgaReport, fpga_report
from hw_models._gates import DFF, AndGate, Mux2, NotGate, OrGate, XnorGate
from hw_models._imageio import classify_rtl, image_schedule, register_toggles
from hw_models._lfsr import FibonacciLFSR, GaloisLFSR
from hw_models._lif import FixedPointLIFNeuron
from hw_models._nonlinear import (
    ApcBtanh,
    BernsteinUnit,
    BitInsertSqrt,
    Cordiv,
    FsmAbs,
    JKDivider,
    Sexp,
    Stanh,
)
from hw_models._sng import SNG, threshold_of
from hw_models._sobol import SobolGenerator
from hw_models._sync import (
    AbsDiffGate,
    CorrelatedPairGenerator,
    Desynchronizer,
    MaxGate,
    MinGate,
    SatAddGate,
    ShuffleBuffer,
    Synchronizer,
    XorGate,
)

__all__ = [
    "BACKENDS",
    "AbsDiffGate",
    "AccumulativeParallelCounter",
    "AndGate",
    "ApcBtanh",
    "AreaReport",
    "BernsteinUnit",
    "BinaryClassifier",
    "BinaryLayer",
    "BitInsertSqrt",
    "Block",
    "ChannelAssignment",
    "ChannelSource",
    "Cordiv",
    "CorrelatedPairGenerator",
    "CorrelationIssue",
    "CorrelationReport",
    "CosimError",
    "CosimResult",
    "CurrentSource",
    "DFF",
    "DenseLayer",
    "Desynchronizer",
    "DeterministicPair",
    "FaultTable",
    "FaultyBlock",
    "FibonacciLFSR",
    "FixedPointLIFNeuron",
    "FpgaError",
    "FpgaReport",
    "FsmAbs",
    "GaloisLFSR",
    "JKDivider",
    "MaxGate",
    "MinGate",
    "Mismatch",
    "Mux2",
    "NotGate",
    "OrGate",
    "ParallelCounter",
    "RtlRun",
    "SCClassifierDatapath",
    "SNG",
    "SatAddGate",
    "Sexp",
    "ShuffleBuffer",
    "SobolGenerator",
    "Stanh",
    "Synapse",
    "Synchronizer",
    "ThermometerEncoder",
    "ToolNotFoundError",
    "UpCounter",
    "UpDownCounter",
    "XnorGate",
    "XorGate",
    "area_report",
    "assert_bit_exact",
    "assign_channels",
    "binary_operation_faulty",
    "bipolar_decode",
    "cell_counts",
    "check_correlation",
    "check_part_int",
    "check_taps",
    "classify_rtl",
    "cosimulate",
    "emit_testbench",
    "fault_tolerance",
    "image_schedule",
    "first_difference",
    "flip_bits",
    "flip_register_bits",
    "fpga_report",
    "lfsr_jump",
    "mirror_taps",
    "pairwise_scc",
    "random_inputs",
    "register_toggles",
    "run_rtl",
    "sc_operation_faulty",
    "threshold_of",
]


def __dir__() -> list[str]:
    # Only the API, not the private submodules the imports above loaded.
    return sorted(__all__)
