"""hw_models counters and the fixed-point LIF datapath: behaviour, overflow as an error,
and the bit-exact contract with sc_neurocore.FixedPointLIF."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from hw_models import (
    AccumulativeParallelCounter,
    FixedPointLIFNeuron,
    ParallelCounter,
    UpCounter,
    UpDownCounter,
    assert_bit_exact,
    bipolar_decode,
)
from sc_neurocore._fixed_point import FixedPointLIF, QFormat

# --- counters -----------------------------------------------------------------


@given(bits=st.lists(st.integers(0, 1), min_size=1, max_size=300))
def test_up_counter_counts_ones(bits):
    c = UpCounter(len(bits))
    q = c.run(len(bits), {"inc": bits})["q"]
    assert_bit_exact(q, np.concatenate([[0], np.cumsum(bits)[:-1]]), "count")
    assert c.q == sum(bits)
    assert c.width == len(bits).bit_length()


def test_counter_widths_for_power_of_two_lengths():
    for n in range(1, 12):
        assert UpCounter(2**n).width == n + 1
        assert UpDownCounter(2**n).width == n + 2
        assert AccumulativeParallelCounter(4, 2**n).width == n + 3


def test_up_counter_overflow_raises_or_saturates():
    c = UpCounter(3)
    c.run(3, {"inc": [1, 1, 1]})
    with pytest.raises(OverflowError, match=r"UpCounter: count would exceed length=3 \(width 2 bits\); got 4"):
        c.step(inc=1)
    s = UpCounter(3, saturate=True)
    assert s.run(6, {"inc": [1] * 6})["q"].tolist() == [0, 1, 2, 3, 3, 3]


@given(bits=st.lists(st.integers(0, 1), min_size=1, max_size=300))
def test_up_down_counter_bipolar(bits):
    n = len(bits)
    c = UpDownCounter(n)
    c.run(n, {"stream": bits})
    assert c.q == 2 * sum(bits) - n
    assert bipolar_decode(c.q, n) == pytest.approx(2 * sum(bits) / n - 1)


def test_up_down_overflow():
    c = UpDownCounter(2)
    c.run(2, {"stream": [0, 0]})
    with pytest.raises(OverflowError, match=r"UpDownCounter: count would leave \[-2, 2\]"):
        c.step(stream=0)


@given(n_in=st.integers(1, 12), data=st.data())
def test_parallel_and_accumulative_counters(n_in, data):
    xs = data.draw(st.lists(st.integers(0, (1 << n_in) - 1), min_size=1, max_size=100))
    pc = ParallelCounter(n_in)
    counts = [pc.eval(x=x)["count"] for x in xs]
    assert counts == [bin(x).count("1") for x in xs]
    apc = AccumulativeParallelCounter(n_in, len(xs))
    acc = apc.run(len(xs), {"x": xs})["acc"]
    assert_bit_exact(acc, np.concatenate([[0], np.cumsum(counts)[:-1]]), "apc")
    assert apc.acc == sum(counts)


def test_apc_overflow_and_bad_input():
    apc = AccumulativeParallelCounter(3, 1)
    apc.step(x=7)
    with pytest.raises(OverflowError, match="AccumulativeParallelCounter: sum would exceed n_inputs\\*length=3"):
        apc.step(x=1)
    with pytest.raises(ValueError, match=r"ParallelCounter: x must be an integer in \[0, 7\]; got 8"):
        ParallelCounter(3).eval(x=8)
    with pytest.raises(ValueError, match=r"UpCounter: length must be an integer in \[1, "):
        UpCounter(0)
    with pytest.raises(ValueError, match=r"UpCounter: inc must be an integer in \[0, 1\]; got 2"):
        UpCounter(5).eval(inc=2)


# --- fixed-point LIF: contract with the core kernel ---------------------------------


@st.composite
def lif_case(draw):
    width = draw(st.integers(2, 32))
    lo, hi = -(1 << (width - 1)), (1 << (width - 1)) - 1
    v_th, v_reset, v_rest = (draw(st.integers(lo, hi)) for _ in range(3))
    k = draw(st.integers(0, width - 1))
    refractory = draw(st.integers(0, 20))
    # currents: mostly small (so the membrane moves), sometimes extreme (saturation)
    small = st.integers(max(lo, -(hi // 4) - 1), hi // 4)
    cur = draw(st.lists(st.one_of(small, st.integers(lo, hi)), min_size=1, max_size=300))
    return width, v_th, v_reset, v_rest, k, refractory, cur


def core_real(raw: int, frac: int) -> float:
    return float(QFormat(32, frac).to_real(raw))


@given(case=lif_case())
def test_lif_block_matches_core_fixed_point(case):
    width, v_th, v_reset, v_rest, k, refractory, cur = case
    frac = width - 1
    blk = FixedPointLIFNeuron(width, v_th, v_reset, v_rest, k, refractory, frac=frac)
    out = blk.run(len(cur), {"i": cur})
    assert blk.to_real(v_th) == core_real(v_th, frac)
    core = FixedPointLIF(1, QFormat(width, frac), v_th / 2**frac, v_reset / 2**frac, v_rest / 2**frac,
                         k, refractory)
    spikes, volts = core.run_raw(np.array(cur, dtype=np.int64))
    assert_bit_exact(out["spike"], spikes[:, 0], "spike")
    # the block's v output is the register during the cycle; the core reports v after it
    assert_bit_exact(out["v"][1:], volts[:-1, 0], "membrane")
    assert blk.v == volts[-1, 0]


def test_lif_refractory_semantics():
    blk = FixedPointLIFNeuron(8, v_threshold=10, v_reset=-5, v_rest=0, leak_shift=7, refractory=2)
    out = blk.run(7, {"i": [20, 20, 20, 20, 20, 20, 20]})
    # spike on cycle 0 is not suppressed by the refractory period it starts; held for 2 cycles
    assert out["spike"].tolist() == [1, 0, 0, 1, 0, 0, 1]
    assert out["v"].tolist() == [0, -5, -5, -5, -5, -5, -5]


def test_lif_bad_input():
    with pytest.raises(ValueError, match=r"FixedPointLIFNeuron: v_threshold must be an integer in \[-128, 127\]; got 200"):
        FixedPointLIFNeuron(8, v_threshold=200)
    with pytest.raises(ValueError, match=r"FixedPointLIFNeuron: leak_shift must be an integer in \[0, 7\]; got 8"):
        FixedPointLIFNeuron(8, v_threshold=10, leak_shift=8)
    with pytest.raises(ValueError, match=r"FixedPointLIFNeuron: i must be an integer in \[-128, 127\]; got 128"):
        FixedPointLIFNeuron(8, v_threshold=10).eval(i=128)
    with pytest.raises(ValueError, match=r"FixedPointLIFNeuron: frac must be an integer in \[0, 7\]; got 8"):
        FixedPointLIFNeuron(8, v_threshold=10, frac=8)
    with pytest.raises(ValueError, match=r"FixedPointLIFNeuron: width must be an integer in \[2, 32\]; got 1"):
        FixedPointLIFNeuron(1)
