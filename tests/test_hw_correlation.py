"""Correlation checker (shared random sources at AND/XNOR gates) and channel assignment."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import hw_models as hw
from hw_models._common import Block, mirror_taps
from hw_models._correlation import (
    ChannelSource,
    assign_channels,
    check_correlation,
    lfsr_jump,
    pairwise_scc,
)
from sc_neurocore._taps import MAXIMAL_TAPS
from sc_neurocore.bitstream import and_, lfsr, popcount, scc

# --- structural toy blocks: only the attributes the checker reads ---------------


class ToyLFSR(Block):
    def __init__(self, width, seed, taps=None, zero_state=False):
        self.width, self.seed = width, seed
        self.taps = MAXIMAL_TAPS[width] if taps is None else taps
        self.zero_state = zero_state


class ToySobol(Block):
    def __init__(self, dimension):
        self.width, self.dimension, self.skip = 32, dimension, 0


class ToySNG(Block):
    def __init__(self, source, value):
        self.source, self.value = source, value


class ToyDFF(Block):
    def __init__(self, d):
        self.d = d


class AndGate(Block):
    def __init__(self, a, b):
        self.a, self.b = a, b


class ToyXnor(Block):
    op = "XNOR"

    def __init__(self, a, b):
        self.a, self.b = a, b


class ToySynapse(Block):
    def __init__(self, src_x, src_w):
        self.sng_x, self.sng_w = ToySNG(src_x, 10), ToySNG(src_w, 20)
        self.gate = AndGate(self.sng_x, self.sng_w)


class ToyLayer(Block):
    def __init__(self, synapses):
        self.synapses = synapses


def test_independent_sources_pass():
    rep = check_correlation(ToySynapse(ToyLFSR(8, 1), ToyLFSR(8, 1, taps=mirror_taps(MAXIMAL_TAPS[8]))))
    assert rep.ok and rep.issues == [] and rep.gates_checked == 1 and rep.sources == 2
    assert rep.format().startswith("1 AND/XNOR gates checked, 2 random sources, 0 errors, 0 warnings")


def test_shared_source_object_is_an_error():
    src = ToyLFSR(8, 5)
    rep = check_correlation(ToySynapse(src, src))
    assert not rep.ok
    (issue,) = rep.issues
    assert issue.severity == "error" and issue.op == "AND" and issue.gate == ".gate"
    assert "same random source" in issue.reason and "min(p, q)" in issue.reason
    assert issue.source_a == issue.source_b == ".sng_x.source"


def test_identical_lfsr_configs_are_an_error():
    rep = check_correlation(ToySynapse(ToyLFSR(10, 77), ToyLFSR(10, 77)))
    assert [i.severity for i in rep.issues] == ["error"]
    assert "identical LFSRs (same polynomial and seed)" in rep.issues[0].reason
    # different zero-state flag = different sequence: fine
    assert check_correlation(ToySynapse(ToyLFSR(10, 77), ToyLFSR(10, 77, zero_state=True))).ok


def test_same_sobol_dimension_flagged():
    assert not check_correlation(ToySynapse(ToySobol(3), ToySobol(3))).ok
    assert check_correlation(ToySynapse(ToySobol(3), ToySobol(4))).ok


def test_dff_isolator_is_a_warning_and_offsets_can_cancel():
    src = ToyLFSR(8, 5)
    gate = ToyXnor(ToySNG(src, 3), ToyDFF(ToySNG(src, 9)))
    rep = check_correlation(gate)
    assert rep.ok  # warning only
    (issue,) = rep.issues
    assert issue.severity == "warning" and issue.op == "XNOR" and "shifted by 1 cycle" in issue.reason
    # seed b = seed a clocked once; delaying b's stream by one cycle re-aligns them exactly
    seed_b = lfsr_jump(5, 1, 8)
    rep2 = check_correlation(ToyXnor(ToySNG(ToyLFSR(8, 5), 1), ToySNG(ToyLFSR(8, seed_b), 1)))
    assert [i.severity for i in rep2.issues] == ["warning"] and "1 clock(s) apart" in rep2.issues[0].reason
    rep3 = check_correlation(ToyXnor(ToyDFF(ToySNG(ToyLFSR(8, seed_b), 1)), ToySNG(ToyLFSR(8, 5), 1)))
    assert [i.severity for i in rep3.issues] == ["error"] and "cancelled by the DFF delays" in rep3.issues[0].reason


def test_layer_reports_each_bad_synapse():
    shared = ToyLFSR(12, 99)
    good = [ToySynapse(ToyLFSR(12, s), ToyLFSR(12, lfsr_jump(s, 1000, 12))) for s in (1, 2000)]
    bad = ToySynapse(shared, shared)
    rep = check_correlation(ToyLayer([good[0], bad, good[1]]))
    assert rep.gates_checked == 3 and len(rep.issues) == 1
    assert rep.issues[0].gate == ".synapses[1].gate"


def test_checker_bad_input():
    with pytest.raises(TypeError, match="block must be a hw_models Block; got str"):
        check_correlation("layer")
    with pytest.raises(ValueError, match=r"near_phase must be an integer in \[0, 1048576\]; got -1"):
        check_correlation(ToySynapse(ToyLFSR(8, 1), ToyLFSR(8, 2)), near_phase=-1)


@given(width=st.integers(3, 16), seed=st.integers(1, 2**16), p=st.floats(0, 1), q=st.floats(0, 1))
def test_shared_lfsr_makes_and_compute_min(width, seed, p, q):
    # the failure the checker prevents: one LFSR feeding both comparators -> SCC = 1 and AND = min
    seed = 1 + (seed - 1) % ((1 << width) - 1)
    period = (1 << width) - 1
    a = lfsr(p, period, width=width, seed=seed)
    b = lfsr(q, period, width=width, seed=seed)
    X, Y = round(p * 2**width), round(q * 2**width)
    assert int(popcount(and_(a, b))) == max(min(X, Y) - 1, 0)
    if 1 < X < 2**width and 1 < Y < 2**width:  # both streams non-constant
        assert scc(a, b, period) == 1.0


# --- channel assignment ----------------------------------------------------------


@given(width=st.integers(3, 32), state=st.integers(1, 2**32), k=st.integers(0, 300))
def test_lfsr_jump_equals_stepping(width, state, k):
    state = 1 + (state - 1) % ((1 << width) - 1)
    taps = MAXIMAL_TAPS[width]
    tmask = sum(1 << (t - 1) for t in taps)
    s = state
    for _ in range(k):
        s = ((s << 1) | (bin(s & tmask).count("1") & 1)) & ((1 << width) - 1)
    assert lfsr_jump(state, k, width) == s
    assert lfsr_jump(state, (1 << width) - 1, width) == state  # one full period


@given(width=st.integers(3, 14), n=st.integers(2, 12), seed=st.integers(1, 2**14))
def test_spread_phases_full_period_scc_is_exact(width, n, seed):
    # p = 1/2: each stream is the m-sequence (MSB == 0); distinct phases agree on 2^(n-1) - 1 cycles,
    # so SCC = -2^(w-2) / (2^(w-1) - 1)^2 for every pair (shift-and-add property)
    period = (1 << width) - 1
    n = min(n, period)
    a = assign_channels(n, width=width, seed=1 + (seed - 1) % period, probabilities=0.5)
    assert a.length == period and len({s.seed for s in a.sources}) == n
    expected = -(2 ** (width - 2)) / (2 ** (width - 1) - 1) ** 2
    off = ~np.eye(n, dtype=bool)
    np.testing.assert_allclose(a.scc[off], expected, rtol=1e-12)
    np.testing.assert_array_equal(np.diag(a.scc), 1.0)
    assert a.max_abs_scc == pytest.approx(abs(expected))


def test_naive_seeds_are_shifted_copies():
    # MAXIMAL_TAPS[16] has no tap 1, so state 1 clocks to 2: seeds 1 and 2 are one cycle apart
    w = 16
    assert 1 not in MAXIMAL_TAPS[w][1:] and lfsr_jump(1, 1, w) == 2
    naive = assign_channels(2, kind="naive", width=w, probabilities=0.7, length=4096)
    good = assign_channels(2, width=w, probabilities=0.7, length=4096)
    s0, s1 = (lfsr(0.7, 4097, width=w, seed=s.seed) for s in naive.sources)
    from sc_neurocore.bitstream import unpack

    u0, u1 = unpack(s0, 4097), unpack(s1, 4097)
    np.testing.assert_array_equal(u1[:-1], u0[1:])  # the same stream, one cycle ahead
    assert naive.max_abs_scc > 10 * good.max_abs_scc
    # the checker flags the naive pair (seeds one clock apart)
    src = [ToyLFSR(w, s.seed) for s in naive.sources]
    assert "1 clock(s) apart" in check_correlation(ToySynapse(*src)).issues[0].reason
    src = [ToyLFSR(w, s.seed, taps=s.taps) for s in good.sources]
    assert check_correlation(ToySynapse(*src)).issues == []


def test_sobol_and_two_polynomial_assignments():
    s = assign_channels(6, kind="sobol", probabilities=[0.1, 0.3, 0.5, 0.5, 0.7, 0.9], length=4096)
    assert [c.dimension for c in s.sources] == list(range(6))
    two = assign_channels(5, width=10, polynomials=2)
    assert [c.taps for c in two.sources[:2]] == [MAXIMAL_TAPS[10], mirror_taps(MAXIMAL_TAPS[10])]
    assert two.scc.shape == (5, 5)
    assert assign_channels(1).max_abs_scc == 0.0


def test_pairwise_scc_matches_scc():
    streams = lfsr(np.array([0.2, 0.5, 0.9]), 1000, width=12, seed=np.array([1, 500, 3000]))
    m = pairwise_scc(streams, 1000)
    for i in range(3):
        for j in range(3):
            assert m[i, j] == scc(streams[i], streams[j], 1000)


def test_channel_bad_input():
    with pytest.raises(ValueError, match="kind must be one of 'lfsr', 'sobol', 'naive'; got 'mt'"):
        assign_channels(2, kind="mt")
    with pytest.raises(ValueError, match=r"n_channels must be an integer in \[1, "):
        assign_channels(0)
    with pytest.raises(ValueError, match=r"probabilities must be a scalar or have n_channels=3 entries; got shape \(2,\)"):
        assign_channels(3, probabilities=[0.1, 0.2])
    with pytest.raises(ValueError, match=r"seed must be an integer in \[1, 255\]; got 0"):
        assign_channels(3, width=8, seed=0)
    with pytest.raises(ValueError, match=r"n_channels must be at most 7 for width 3; got 8"):
        assign_channels(8, width=3)
    with pytest.raises(ValueError, match=r"state must be an integer in \[1, 15\]; got 16"):
        lfsr_jump(16, 1, 4)
    assert ChannelSource("lfsr", 8, (8, 6, 5, 4), 1).seed == 1


# --- on the real hw_models parts ------------------------------------------------------

def _synapse(src_a, src_b, gate_cls=hw.AndGate):
    a, b = hw.SNG(src_a, 100), hw.SNG(src_b, 50)
    return gate_cls(1, sources=(a, b))


def test_real_parts_shared_lfsr_flagged_and_wrong():
    shared = hw.FibonacciLFSR(8, 1)
    gate = _synapse(shared, shared)
    rep = check_correlation(gate)
    assert not rep.ok and rep.issues[0].source_a == "in0.source"
    # and the flagged circuit really computes min(p, q): run the model for one period
    a, b = hw.SNG(shared, 100), hw.SNG(shared, 50)
    ones = 0
    for _ in range(255):
        ya, yb = a.eval()["stream"], b.eval()["stream"]
        ones += gate.eval(a=ya, b=yb)["y"]
        shared.clock()
    assert ones == min(100, 50) - 1  # states 1..49 are below both thresholds


def test_real_parts_independent_and_galois_vs_fibonacci():
    assert check_correlation(_synapse(hw.FibonacciLFSR(8, 1), hw.FibonacciLFSR(8, lfsr_jump(1, 128, 8)))).ok
    assert check_correlation(_synapse(hw.FibonacciLFSR(8, 1), hw.GaloisLFSR(8, 1))).issues == []
    assert not check_correlation(_synapse(hw.GaloisLFSR(9, 3), hw.GaloisLFSR(9, 3), hw.XnorGate)).ok
    assert not check_correlation(_synapse(hw.SobolGenerator(1, 10), hw.SobolGenerator(1, 10))).ok
    assert check_correlation(_synapse(hw.SobolGenerator(1, 10), hw.SobolGenerator(2, 10))).ok


def test_real_dff_isolator_warning():
    src = hw.FibonacciLFSR(8, 1)
    a = hw.SNG(src, 64)
    delayed = hw.DFF(1, stages=2, sources=(hw.SNG(src, 64),))
    rep = check_correlation(hw.AndGate(1, sources=(a, delayed)))
    assert rep.ok and [i.severity for i in rep.issues] == ["warning"]
    assert "shifted by 2 cycle(s)" in rep.issues[0].reason


def test_dense_layer_with_one_shared_weight_source():
    import hw_models._datapaths as dp

    w = 12
    lfsrs = [hw.FibonacciLFSR(w, c.seed) for c in assign_channels(9, width=w).sources]
    xs = [hw.SNG(lfsrs[i], 1000 + 500 * i) for i in range(3)]
    sources, neurons = [], []
    k = 3
    for r in range(2):
        syns = []
        for i in range(3):
            # neuron 1, input 2: the weight SNG reuses the input's LFSR -- the bug
            src = lfsrs[2] if (r, i) == (1, 2) else lfsrs[k]
            k += 0 if (r, i) == (1, 2) else 1
            syns.append(dp.Synapse(xs[i], hw.SNG(src, 2000)))
        sources.append(dp.CurrentSource(syns, "count"))
        neurons.append(hw.FixedPointLIFNeuron(12, 256, 0, 0, 3, 0))
    layer = dp.DenseLayer(sources, neurons, gain=16, bias=0)
    rep = check_correlation(layer)
    assert rep.gates_checked == 6 and rep.sources == 8
    assert [(i.severity, i.gate) for i in rep.issues] == [("error", ".sources[1].synapses[2].gate")]
    # the layer's input SNGs are shared across neurons: that is fine, they meet different weights
    assert check_correlation(dp.DenseLayer(sources[:1], neurons[:1], gain=16)).ok


@given(width=st.integers(4, 16), seed=st.integers(1, 2**16))
def test_one_cycle_isolator_leaves_lfsr_streams_correlated(width, seed):
    # why a DFF on an LFSR comparator stream is only a warning, not a fix: at p = 1/4 the bit is
    # "top two state bits zero"; one clock shifts the state left, so the stream and its one-cycle
    # delay are both 1 exactly when the top three bits of the earlier state are zero:
    # 2^(n-3) - 1 of the 2^n - 1 states (circularly over one period), far above the 1/16 of independence
    period = (1 << width) - 1
    seed = 1 + (seed - 1) % period
    from sc_neurocore.bitstream import pack, unpack

    b = unpack(lfsr(0.25, period, width=width, seed=seed), period)
    delayed = np.roll(b, 1)
    assert int((b & delayed).sum()) == 2 ** (width - 3) - 1
    r = scc(pack(b), pack(delayed), period)
    pa = (2 ** (width - 2) - 1) / period
    expected = ((2 ** (width - 3) - 1) / period - pa * pa) / (pa - pa * pa)
    assert r == pytest.approx(expected, rel=1e-9) and r > 0.15  # -> 1/3 as the width grows


@pytest.mark.parametrize("offset", [1, 3, 13])
def test_near_phase_warning_carries_measured_scc(offset):
    w = 12
    period = (1 << w) - 1
    sa, sb = 77, lfsr_jump(77, offset, w)
    syn = hw.Synapse(hw.SNG(hw.FibonacciLFSR(w, sa), 1500), hw.SNG(hw.FibonacciLFSR(w, sb), 2600))
    (issue,) = check_correlation(syn).issues
    assert issue.severity == "warning" and f"{offset} clock(s) apart" in issue.reason
    expected = scc(lfsr(1500 / 4096, period, width=w, seed=sa), lfsr(2600 / 4096, period, width=w, seed=sb), period)
    assert issue.scc == expected and f"measured SCC {expected:+.3f}" in issue.reason
    # no measurement when an input is not a constant-threshold SNG directly on the source
    delayed = hw.AndGate(1, sources=(hw.SNG(hw.FibonacciLFSR(w, sa), 1500),
                                     hw.DFF(1, sources=(hw.SNG(hw.FibonacciLFSR(w, sb), 2600),))))
    assert all(i.scc is None for i in check_correlation(delayed).issues)


def test_near_phase_uses_the_registers_own_next_state():
    g = hw.GaloisLFSR(10, 5)
    s3 = 5
    for _ in range(3):
        s3 = g.next_state(s3)
    rep = check_correlation(hw.Synapse(hw.SNG(hw.GaloisLFSR(10, 5), 300), hw.SNG(hw.GaloisLFSR(10, s3), 600)))
    assert [i.severity for i in rep.issues] == ["warning"] and "3 clock(s) apart" in rep.issues[0].reason
    # state 777's Fibonacci successor is 367 Galois clocks away: stepping with the wrong rule would
    # call this pair one clock apart
    fib_next = lfsr_jump(777, 1, 10)
    far = hw.Synapse(hw.SNG(hw.GaloisLFSR(10, 777), 300), hw.SNG(hw.GaloisLFSR(10, fib_next), 600))
    assert check_correlation(far).issues == []
    near_fib = hw.Synapse(hw.SNG(hw.FibonacciLFSR(10, 777), 300), hw.SNG(hw.FibonacciLFSR(10, fib_next), 600))
    assert "1 clock(s) apart" in check_correlation(near_fib).issues[0].reason
