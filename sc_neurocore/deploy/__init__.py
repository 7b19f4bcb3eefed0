"""From a trained model to SC hardware: the SC classifier, its mapping and bit-exact evaluation.

The value types and the datapath contract (:class:`SCClassifier`, :class:`SCLayer`,
:func:`validate`, :func:`channel_plan`) and the plain-Python cycle-by-cycle reference
(:func:`reference_counters`, :func:`reference_trace`) that the fast path, ``hw_models``
and the RTL are checked against.  See ``docs/model_to_hardware.md``.
"""

from ._evaluate import EarlyExitOutput, evaluate, evaluate_early_exit, fast_source_values
from ._model import (
    ACCUMULATIONS,
    CODINGS,
    ENCODERS,
    HW_ENCODERS,
    LENGTH_RANGE,
    WIDTH_RANGE,
    LayerChannels,
    SCClassifier,
    SCLayer,
    channel_layout,
    channel_plan,
    input_levels,
    input_thresholds,
    level_to_threshold,
    load_classifier,
    next_thresholds,
    save_classifier,
    validate,
)
from ._reference import (
    ClassifierOutput,
    PhaseTrace,
    early_exit_bounds,
    reference_counters,
    reference_early_exit,
    reference_trace,
    source_values,
)

__all__ = [
    "ACCUMULATIONS",
    "CODINGS",
    "ENCODERS",
    "HW_ENCODERS",
    "LENGTH_RANGE",
    "WIDTH_RANGE",
    "ClassifierOutput",
    "EarlyExitOutput",
    "LayerChannels",
    "PhaseTrace",
    "SCClassifier",
    "SCLayer",
    "channel_layout",
    "channel_plan",
    "early_exit_bounds",
    "evaluate",
    "evaluate_early_exit",
    "fast_source_values",
    "input_levels",
    "input_thresholds",
    "next_thresholds",
    "level_to_threshold",
    "load_classifier",
    "reference_counters",
    "reference_early_exit",
    "reference_trace",
    "save_classifier",
    "source_values",
    "validate",
]
