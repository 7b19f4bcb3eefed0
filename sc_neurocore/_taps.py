"""Maximal-length LFSR feedback taps for widths 3..32 (private; re-exported).

Each entry lists the exponents of a primitive polynomial over GF(2),
``x^n + sum(x^t for t in rest) + 1`` written as ``(n, *rest)``; the constant
term is implicit.  The entries are the classic maximal-length table (Xilinx
application note XAPP052).  ``tests`` prove every entry primitive algebraically
and, for widths up to 20, by running the full 2^n - 1 period.
"""

from __future__ import annotations

from collections.abc import Iterable

MAXIMAL_TAPS: dict[int, tuple[int, ...]] = {
    3: (3, 2),
    4: (4, 3),
    5: (5, 3),
    6: (6, 5),
    7: (7, 6),
    8: (8, 6, 5, 4),
    9: (9, 5),
    10: (10, 7),
    11: (11, 9),
    12: (12, 6, 4, 1),
    13: (13, 4, 3, 1),
    14: (14, 5, 3, 1),
    15: (15, 14),
    16: (16, 15, 13, 4),
    17: (17, 14),
    18: (18, 11),
    19: (19, 6, 2, 1),
    20: (20, 17),
    21: (21, 19),
    22: (22, 21),
    23: (23, 18),
    24: (24, 23, 22, 17),
    25: (25, 22),
    26: (26, 6, 2, 1),
    27: (27, 5, 2, 1),
    28: (28, 25),
    29: (29, 27),
    30: (30, 6, 4, 1),
    31: (31, 28),
    32: (32, 22, 2, 1),
}

MIN_LFSR_WIDTH = 3
MAX_LFSR_WIDTH = 32


def tap_mask(taps: Iterable[int]) -> int:
    """Bit mask with bit ``t - 1`` set for every tap ``t`` (the state bits XORed into the feedback).

    The one tap-mask builder: encoders, fixed-point layer, network LFSR synapses and hw_models use it.
    """
    mask = 0
    for t in taps:
        mask |= 1 << (t - 1)
    return mask


__all__ = ["MAXIMAL_TAPS", "MAX_LFSR_WIDTH", "MIN_LFSR_WIDTH", "tap_mask"]
