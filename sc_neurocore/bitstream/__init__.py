"""Packed stochastic bitstreams: encoders, gates, counters, decoders and metrics.

A stream of ``L`` bits (clock cycles) is stored in ``ceil(L / 64)`` ``uint64``
words, LSB first: bit ``t`` is bit ``t % 64`` of word ``t // 64``; the unused
high bits of the last word are always 0 (conventions §1).  A value array of
shape ``S`` encodes to packed streams of shape ``S + (n_words,)``; gates
broadcast over the leading axes.  Every function validates its input and then
calls one numba kernel (compiled lazily, cached on disk).

Encoders: :func:`bernoulli` (counter-hash PRNG, independent, ~1/sqrt(L) error),
:func:`lfsr` (hardware LFSR + comparator, exact counts over a period),
:func:`sobol` (low-discrepancy, ~1/L error); :func:`to_unipolar` /
:func:`to_bipolar` map between bipolar values in [-1, 1] and probabilities.
See ``docs/bitstream.md``.  Deterministic encodings (:func:`thermometer`,
:func:`deterministic_pair`) and correlation control (:func:`synchronize`,
:func:`desynchronize`, :func:`decorrelate`, :func:`correlated_pair`,
:func:`sc_min` ...): ``docs/sc_units.md``.
"""

from __future__ import annotations

from ._correlation_control import (
    MAX_FSM_DEPTH,
    correlated_pair,
    decorrelate,
    desynchronize,
    sc_abs_diff,
    sc_max,
    sc_min,
    sc_sat_add,
    shuffle,
    synchronize,
    xor,
)
from ._counting import and_popcount, decode, decode_bipolar, mux_add, parallel_count, popcount
from ._deterministic import (
    DETERMINISTIC_METHODS,
    MAX_DETERMINISTIC_BITS,
    deterministic_add,
    deterministic_length,
    deterministic_multiply,
    deterministic_pair,
    thermometer,
)
from ._encoders import (
    BERNOULLI_BITS,
    SOBOL_BITS,
    SOBOL_MAX_DIMENSION,
    bernoulli,
    lfsr,
    lfsr_states,
    sobol,
    sobol_direction_numbers,
    sobol_points,
    to_bipolar,
    to_unipolar,
)
from ._gates import and_, and_reduce, mux, not_, or_, or_reduce, sc_and, sc_xnor, xnor
from ._metrics import (
    ProgressivePrecision,
    binomial_standard_error,
    is_maximal_taps,
    lfsr_period,
    progressive_precision,
    required_length,
    scc,
)
from ._nonlinear import (
    MAX_FSM_STATES,
    apc_btanh,
    bernstein,
    bernstein_coefficients,
    bernstein_poly,
    cordiv,
    fsm_abs,
    fsm_sigmoid,
    jk_divide,
    sc_sqrt,
    sexp,
    stanh,
)
from ._packing import bits_at, n_words, pack, unpack

__all__ = [
    "BERNOULLI_BITS",
    "DETERMINISTIC_METHODS",
    "MAX_DETERMINISTIC_BITS",
    "MAX_FSM_DEPTH",
    "MAX_FSM_STATES",
    "ProgressivePrecision",
    "SOBOL_BITS",
    "SOBOL_MAX_DIMENSION",
    "and_",
    "and_popcount",
    "and_reduce",
    "apc_btanh",
    "bernoulli",
    "bernstein",
    "bernstein_coefficients",
    "bernstein_poly",
    "binomial_standard_error",
    "bits_at",
    "cordiv",
    "correlated_pair",
    "decode",
    "decode_bipolar",
    "decorrelate",
    "desynchronize",
    "deterministic_add",
    "deterministic_length",
    "deterministic_multiply",
    "deterministic_pair",
    "fsm_abs",
    "fsm_sigmoid",
    "is_maximal_taps",
    "jk_divide",
    "lfsr",
    "lfsr_period",
    "lfsr_states",
    "mux",
    "mux_add",
    "n_words",
    "not_",
    "or_",
    "or_reduce",
    "pack",
    "parallel_count",
    "popcount",
    "progressive_precision",
    "required_length",
    "sc_abs_diff",
    "sc_and",
    "sc_max",
    "sc_min",
    "sc_sat_add",
    "sc_sqrt",
    "sc_xnor",
    "scc",
    "sexp",
    "shuffle",
    "sobol",
    "sobol_direction_numbers",
    "sobol_points",
    "stanh",
    "synchronize",
    "thermometer",
    "to_bipolar",
    "to_unipolar",
    "unpack",
    "xnor",
    "xor",
]


def __dir__() -> list[str]:
    # Only the API, not the private submodules the imports above loaded.
    return sorted(__all__)
