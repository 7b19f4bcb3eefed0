"""From a trained model to SC hardware: the SC classifier, its mapping and bit-exact evaluation.

The value types and the datapath contract (:class:`SCClassifier`, :class:`SCLayer`,
:func:`validate`, :func:`channel_plan`) and the plain-Python cycle-by-cycle reference
(:func:`reference_counters`, :func:`reference_trace`) that the fast path, ``hw_models``
and the RTL are checked against.  See ``docs/model_to_hardware.md``.
"""

from ._data import DIGITS_SEED, DIGITS_TEST_SIZE, DigitsSplit, load_digits_split, stratified_split
from ._evaluate import (
    CURVE_LENGTHS,
    CurvePoint,
    EarlyExitOutput,
    accuracy_curve,
    evaluate,
    evaluate_early_exit,
    fast_source_values,
)
from ._flow import COLUMNS, FlowResult, pareto_figure, pareto_front, run_flow
from ._mapping import activation_scales, effective_matrices, gain_shift, quantise_weights, to_sc
from ._model import (
    ACCUMULATIONS,
    CODINGS,
    DETERMINISTIC_ENCODERS,
    ENCODERS,
    HW_ENCODERS,
    LENGTH_RANGE,
    WIDTH_RANGE,
    LayerChannels,
    SCClassifier,
    SCLayer,
    channel_layout,
    channel_plan,
    clock_division_bits,
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
    "COLUMNS",
    "FlowResult",
    "pareto_figure",
    "pareto_front",
    "run_flow",
    "CODINGS",
    "CURVE_LENGTHS",
    "DETERMINISTIC_ENCODERS",
    "DIGITS_SEED",
    "DIGITS_TEST_SIZE",
    "ENCODERS",
    "HW_ENCODERS",
    "LENGTH_RANGE",
    "WIDTH_RANGE",
    "ClassifierOutput",
    "CurvePoint",
    "DigitsSplit",
    "EarlyExitOutput",
    "FloatMLP",
    "LayerChannels",
    "PhaseTrace",
    "SCClassifier",
    "SCLayer",
    "accuracy_curve",
    "activation_scales",
    "channel_layout",
    "channel_plan",
    "clock_division_bits",
    "early_exit_bounds",
    "effective_matrices",
    "evaluate",
    "evaluate_early_exit",
    "fast_source_values",
    "float_accuracy",
    "gain_shift",
    "hidden_activations",
    "input_levels",
    "input_thresholds",
    "level_to_threshold",
    "load_classifier",
    "load_digits_split",
    "next_thresholds",
    "predict_float",
    "quantise_weights",
    "reference_counters",
    "reference_early_exit",
    "reference_trace",
    "save_classifier",
    "sc_finetune",
    "source_values",
    "stratified_split",
    "to_sc",
    "train_mlp",
    "validate",
]
from ._train import FloatMLP, float_accuracy, hidden_activations, predict_float, sc_finetune, train_mlp


def __dir__() -> list[str]:
    # Only the API, not the private submodules the imports above loaded.
    return sorted(__all__)
