"""Issue 11, part A, three times: packed kernel == hw_models block == Icarus RTL, bit for bit.

The non-``rtl`` tests compare the kernels (``sc_neurocore.bitstream``) with the
cycle-by-cycle models on hypothesis-drawn inputs (full periods for the
deterministic pair).  The ``rtl`` tests co-simulate the emitted Verilog on the
same inputs and compare the simulator's output with the kernel as well, plus
uniformly random port values.  Also: the correlation checker's
``correlation_requirement`` hook.
"""

from __future__ import annotations

import numpy as np
import pytest
from _hw_toy_blocks import require_tool
from hypothesis import given, settings
from hypothesis import strategies as st

import hw_models as hw
from hw_models._correlation import lfsr_jump
from sc_neurocore import bitstream as bs

methods = st.sampled_from(bs.DETERMINISTIC_METHODS)


def _bits(words, length):
    return bs.unpack(words, length).astype(np.int64)


# --- per-unit cases: (block, inputs, expected outputs from the kernel) -----------------------


def thermometer_case(period, k, length):
    block = hw.ThermometerEncoder(period)
    return block, {"k": [k] * length}, {"stream": _bits(bs.thermometer(k, length, period), length)}


def pair_case(n, method, a, b, length=None):
    block = hw.DeterministicPair(n, method)
    L = block.period if length is None else length
    sa, sb = bs.deterministic_pair(a, b, n, method, L)
    exp = {"sa": _bits(sa, L), "sb": _bits(sb, L)}
    if length is None:  # the product / sum wrappers work on one period
        exp["prod"] = _bits(bs.deterministic_multiply(a, b, n, method), L)
        exp["bprod"] = _bits(bs.deterministic_multiply(a, b, n, method, bipolar=True), L)
        exp["add"] = _bits(bs.deterministic_add(a, b, n, method), L)
    return block, {"a": [a] * L, "b": [b] * L}, exp


def fsm_case(kind, depth, p, q, length, seed):
    x, y = bs.bernoulli(p, length, seed=seed), bs.bernoulli(q, length, seed=seed + 1)
    block = (hw.Synchronizer if kind == "sync" else hw.Desynchronizer)(depth)
    xo, yo = (bs.synchronize if kind == "sync" else bs.desynchronize)(x, y, length, depth)
    return block, {"x": _bits(x, length), "y": _bits(y, length)}, {"xo": _bits(xo, length),
                                                                   "yo": _bits(yo, length)}


def shuffle_case(m, init, p, length, seed):
    x = bs.bernoulli(p, length, seed=seed)
    idx = hw.FibonacciLFSR(12, 1 + seed % 4095).sequence(length) & ((1 << m) - 1)  # LFSR low bits
    block = hw.ShuffleBuffer(m, init=init)
    out = bs.shuffle(x, idx, length, init=init)
    return block, {"x": _bits(x, length), "idx": idx}, {"y": _bits(out, length)}


def pair_gen_case(width, p, q, c, length, seed):
    # three phase-spread LFSR sequences as r0, r1, r2 (hw_models.assign_channels' recipe)
    period = (1 << width) - 1
    s0 = 1 + seed % period
    r = np.stack([hw.FibonacciLFSR(width, lfsr_jump(s0, i * period // 3, width)).sequence(length)
                  for i in range(3)])
    scale = 1 << width
    x, y = bs.correlated_pair(p / scale, q / scale, c / scale, length, width=width, randoms=r)
    block = hw.CorrelatedPairGenerator(width)
    inputs = {"r0": r[0], "r1": r[1], "r2": r[2], "p": [p] * length, "q": [q] * length,
              "c": [abs(c)] * length, "neg": [int(c < 0)] * length}
    return block, inputs, {"x": _bits(x, length), "y": _bits(y, length)}


def _assert_model(block, inputs, expected):
    n = len(next(iter(expected.values())))
    block.reset()
    got = block.run(n, inputs)
    for port, ref in expected.items():
        hw.assert_bit_exact(got[port], ref, f"{block.part}.{port} (model vs kernel)")


# --- kernel == model ------------------------------------------------------------------


@given(st.integers(2, 300), st.integers(0, 300), st.integers(1, 900))
def test_thermometer_kernel_equals_model(period, k, length):
    _assert_model(*thermometer_case(period, min(k, period), length))


@st.composite
def det_inputs(draw, max_bits=5):
    n = draw(st.integers(1, max_bits))
    method = draw(methods)
    big = 1 << n
    a = draw(st.integers(0, big))
    b = draw(st.integers(0, big - 1 if method == "relatively_prime" else big))
    return n, method, a, b


@given(det_inputs())
def test_deterministic_pair_kernel_equals_model_over_full_period(case):
    _assert_model(*pair_case(*case))


@given(st.sampled_from(["sync", "desync"]), st.integers(1, 6), st.floats(0, 1), st.floats(0, 1),
       st.integers(1, 600), st.integers(0, 2**40))
def test_pair_fsm_kernel_equals_model(kind, depth, p, q, length, seed):
    _assert_model(*fsm_case(kind, depth, p, q, length, seed))


@pytest.mark.parametrize("kind", ["sync", "desync"])
def test_bit_sliced_fsm_kernel_equals_model(kind):
    # 70 pairs: bit-sliced path (64 + 6 lanes); every 7th pair replayed on the model
    length, depth = 333, 3
    rng = np.random.default_rng(70)
    x = bs.bernoulli(rng.random(70), length, seed=1)
    y = bs.bernoulli(rng.random(70), length, seed=2)
    xo, yo = (bs.synchronize if kind == "sync" else bs.desynchronize)(x, y, length, depth)
    for i in range(0, 70, 7):
        block = (hw.Synchronizer if kind == "sync" else hw.Desynchronizer)(depth)
        _assert_model(block, {"x": _bits(x[i], length), "y": _bits(y[i], length)},
                      {"xo": _bits(xo[i], length), "yo": _bits(yo[i], length)})


@given(st.integers(1, 6), st.integers(0, 2**64 - 1), st.floats(0, 1), st.integers(1, 600),
       st.integers(0, 2**40))
def test_shuffle_kernel_equals_model(m, init, p, length, seed):
    _assert_model(*shuffle_case(m, init & ((1 << (1 << m)) - 1), p, length, seed))


@given(st.integers(3, 16), st.data(), st.integers(1, 600), st.integers(0, 2**40))
def test_correlated_pair_kernel_equals_model(width, data, length, seed):
    scale = 1 << width
    p, q = data.draw(st.integers(0, scale)), data.draw(st.integers(0, scale))
    c = data.draw(st.integers(-scale, scale))
    _assert_model(*pair_gen_case(width, p, q, c, length, seed))


def test_correlated_gates_are_the_plain_gates():
    rng = np.random.default_rng(1)
    a, b = rng.integers(0, 2, (2, 200))
    for blk, ref in [(hw.MinGate(), a & b), (hw.MaxGate(), a | b), (hw.AbsDiffGate(), a ^ b),
                     (hw.SatAddGate(), a | b), (hw.XorGate(), a ^ b)]:
        hw.assert_bit_exact(blk.run(200, {"a": a, "b": b})["y"], ref, blk.part)


# --- the correlation checker hook ---------------------------------------------------------


def _sngs():
    shared = hw.FibonacciLFSR(8, 1)
    other = hw.FibonacciLFSR(8, lfsr_jump(1, 127, 8))
    return hw.SNG(shared, 100), hw.SNG(shared, 50), hw.SNG(other, 50)


def test_checker_flags_min_on_independent_inputs_and_accepts_shared():
    s1, s_shared, s_indep = _sngs()
    bad = hw.check_correlation(hw.MinGate(sources=(s1, s_indep)))
    (issue,) = bad.issues
    assert not bad.ok and issue.severity == "error" and issue.op == "AND"
    assert "MinGate needs correlated inputs (SCC = +1) but they derive from independent random " \
           "sources" in issue.reason and "Synchronizer" in issue.reason
    assert hw.check_correlation(hw.MinGate(sources=(s1, s_shared))).issues == []
    # the plain AND on the shared pair is the classic error; on the independent pair it is fine
    assert not hw.check_correlation(hw.AndGate(sources=(s1, s_shared))).ok
    assert hw.check_correlation(hw.AndGate(sources=(s1, s_indep))).issues == []


def test_checker_sat_add_needs_negative_and_synchronizer_fixes_min():
    s1, _s, s_indep = _sngs()
    (issue,) = hw.check_correlation(hw.SatAddGate(sources=(s1, s_indep))).issues
    assert "SCC = -1" in issue.reason and "Desynchronizer" in issue.reason
    sync = hw.Synchronizer(4, sources=(s1, s_indep))
    assert hw.check_correlation(hw.MinGate(sources=(sync, sync))).issues == []


def test_checker_flags_the_wrong_kind_of_correlation_circuit():
    s1, _s, s_indep = _sngs()
    desync = hw.Desynchronizer(4, sources=(s1, s_indep))
    (issue,) = hw.check_correlation(hw.MinGate(sources=(desync, desync))).issues
    assert issue.severity == "error" and "needs SCC = +1 but its inputs come from a Desynchronizer, " \
        "which drives SCC towards -1" in issue.reason
    sync = hw.Synchronizer(4, sources=(s1, s_indep))
    (issue,) = hw.check_correlation(hw.SatAddGate(sources=(sync, sync))).issues
    assert "needs SCC = -1 but its inputs come from a Synchronizer" in issue.reason
    assert hw.check_correlation(hw.SatAddGate(sources=(desync, desync))).issues == []


def test_checker_shuffle_buffer_is_a_fresh_source_and_requirement_hook_is_generic():
    s1, s_shared, _s = _sngs()
    shuf = hw.ShuffleBuffer(3, sources=(s_shared,))
    assert hw.check_correlation(hw.AndGate(sources=(s1, shuf))).issues == []

    class NeedsIndependent(hw.Synchronizer):  # any block may declare a requirement
        correlation_requirement = "independent"

    rep = hw.check_correlation(NeedsIndependent(1, sources=(s1, s_shared)))
    assert rep.gates_checked == 1 and not rep.ok


# --- RTL: kernel == model == Icarus ----------------------------------------------------------


def _cosim(block, inputs, expected):
    n = len(next(iter(expected.values())))
    res = hw.cosimulate(block, n, inputs)
    assert res.ok, f"{block.part}: {res}"
    for port, ref in expected.items():
        hw.assert_bit_exact(res.rtl[port], ref, f"{block.part}.{port} (RTL vs kernel)")
    rnd = hw.random_inputs(block, 512, seed=n)  # every input bit, including out-of-range values
    res = hw.cosimulate(block, 512, rnd)
    assert res.ok, f"{block.part} on random ports: {res}"


@pytest.mark.rtl
@pytest.mark.parametrize("case", [
    lambda: thermometer_case(16, 5, 100), lambda: thermometer_case(7, 7, 50),
    lambda: thermometer_case(300, 123, 700),
    *[(lambda m=m: pair_case(3, m, 5, 6)) for m in bs.DETERMINISTIC_METHODS],
    *[(lambda m=m: pair_case(1, m, 1, 1)) for m in bs.DETERMINISTIC_METHODS],
    lambda: pair_case(5, "rotation", 17, 32),
    lambda: fsm_case("sync", 1, 0.3, 0.6, 700, 1), lambda: fsm_case("sync", 5, 0.5, 0.5, 700, 2),
    lambda: fsm_case("desync", 1, 0.7, 0.6, 700, 3), lambda: fsm_case("desync", 6, 0.4, 0.9, 700, 4),
    lambda: shuffle_case(3, 0, 0.5, 700, 5), lambda: shuffle_case(6, 2**63 + 12345, 0.3, 700, 6),
    lambda: pair_gen_case(8, 100, 180, 200, 600, 7), lambda: pair_gen_case(8, 100, 180, -256, 600, 8),
    lambda: pair_gen_case(16, 40000, 20000, -30000, 600, 9),
])
def test_rtl_three_way(case):
    require_tool("iverilog")
    require_tool("vvp")
    _cosim(*case())


@pytest.mark.rtl
@settings(max_examples=4)
@given(det_inputs(max_bits=4))
def test_rtl_deterministic_pair_drawn(case):
    require_tool("iverilog")
    require_tool("vvp")
    _cosim(*pair_case(*case))


@pytest.mark.rtl
@pytest.mark.parametrize("cls", [hw.XorGate, hw.MinGate, hw.MaxGate, hw.AbsDiffGate, hw.SatAddGate])
def test_rtl_correlated_gates(cls):
    require_tool("iverilog")
    require_tool("vvp")
    block = cls(3)
    res = hw.cosimulate(block, 256, hw.random_inputs(block, 256, seed=2))
    assert res.ok, str(res)


def test_blocks_reject_bad_parameters():
    with pytest.raises(ValueError, match=r"ThermometerEncoder: period must be an integer in \[2, 16777216\]; got 1"):
        hw.ThermometerEncoder(1)
    with pytest.raises(ValueError, match="DeterministicPair: method must be one of 'clock_division', "
                                         "'rotation', 'relatively_prime'; got 'rot'"):
        hw.DeterministicPair(3, "rot")
    with pytest.raises(ValueError, match=r"DeterministicPair: n_bits must be an integer in \[1, 12\]; got 13"):
        hw.DeterministicPair(13)
    with pytest.raises(ValueError, match=r"Synchronizer: depth must be an integer in \[1, 64\]; got 0"):
        hw.Synchronizer(0)
    with pytest.raises(ValueError, match=r"Desynchronizer: sources must name one block per input \('x', 'y'\); got 1"):
        hw.Desynchronizer(1, sources=(hw.FibonacciLFSR(8, 1),))
    with pytest.raises(ValueError, match=r"ShuffleBuffer: init must be an integer in \[0, 255\]; got 256"):
        hw.ShuffleBuffer(3, init=256)
    with pytest.raises(TypeError, match="CorrelatedPairGenerator: width must be an integer; got float 8.0"):
        hw.CorrelatedPairGenerator(8.0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"Synchronizer: x must be an integer in \[0, 1\]; got 2"):
        hw.Synchronizer(1).eval(x=2, y=0)
    with pytest.raises(ValueError, match=r"ShuffleBuffer: idx must be an integer in \[0, 7\]; got 8"):
        hw.ShuffleBuffer(3).eval(x=1, idx=8)
