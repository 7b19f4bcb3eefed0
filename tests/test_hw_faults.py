"""Fault injection: bit flips in streams and registers, SC vs binary arithmetic."""

from __future__ import annotations

import numpy as np
import pytest
from _hw_toy_blocks import ToyCounter
from _stats import assert_bernstein, assert_binomial, clopper_pearson, spend
from hypothesis import given
from hypothesis import strategies as st

from hw_models._faults import (
    FaultyBlock,
    binary_operation_faulty,
    fault_tolerance,
    flip_bits,
    flip_register_bits,
    sc_operation_faulty,
)

rates = st.floats(0.0, 1.0, allow_nan=False)


@given(n=st.integers(1, 5000), rate=rates, seed=st.integers(0, 2**32))
def test_flip_bits_count_is_binomial(n, rate, seed):
    bits = np.random.default_rng(seed).integers(0, 2, n)
    out = flip_bits(bits, rate, seed)
    assert out.dtype == np.uint8 and out.shape == bits.shape
    k = int((out != bits).sum())
    # each bit flips with probability ceil(rate 2^53) / 2^53 (random() < rate): exact Clopper-Pearson.
    # False failure <= 60 x 1e-10.
    assert_binomial(k, n, rate, slack=2.0**-53)
    np.testing.assert_array_equal(flip_bits(bits, rate, seed), out)  # same seed, same faults


def test_flip_bits_extremes_and_shapes():
    bits = np.array([[0, 1, 1], [1, 0, 0]], dtype=bool)
    np.testing.assert_array_equal(flip_bits(bits, 0.0, 1), bits.astype(np.uint8))
    np.testing.assert_array_equal(flip_bits(bits, 1.0, 1), 1 - bits.astype(np.uint8))


def test_flip_bits_bad_input():
    with pytest.raises(ValueError, match=r"rate must be in \[0.0, 1.0\]; got 1.5"):
        flip_bits([0, 1], 1.5)
    with pytest.raises(ValueError, match="bits must hold only 0 and 1"):
        flip_bits([0, 2], 0.1)
    with pytest.raises(TypeError, match="bits must be an integer or bool array"):
        flip_bits([0.5], 0.1)
    with pytest.raises(ValueError, match="seed must be a non-negative integer; got -1"):
        flip_bits([0, 1], 0.1, seed=-1)


@given(width=st.integers(1, 40), signed=st.booleans(), rate=rates, seed=st.integers(0, 2**32))
def test_flip_register_bits(width, signed, rate, seed):
    lo, hi = (-(1 << (width - 1)), (1 << (width - 1)) - 1) if signed else (0, (1 << width) - 1)
    vals = np.random.default_rng(seed).integers(lo, hi, 300, endpoint=True)
    out = flip_register_bits(vals, width, rate, seed, signed=signed)
    assert out.min() >= lo and out.max() <= hi
    m = (1 << width) - 1
    diff = (vals & m) ^ (out & m)
    k = sum(bin(int(d)).count("1") for d in diff)
    n = 300 * width
    # exact Clopper-Pearson on the flipped-bit count; false failure <= 60 x 1e-10
    assert_binomial(k, n, rate, slack=2.0**-53)
    # rate 1 is the bitwise complement: ~v (= -v - 1) for signed, m - v for unsigned
    comp = flip_register_bits(vals, width, 1.0, seed, signed=signed)
    np.testing.assert_array_equal(comp, -vals - 1 if signed else m - vals)


def test_flip_register_bits_bad_input():
    with pytest.raises(ValueError, match=r"values must fit a unsigned 4-bit register, i.e. lie in \[0, 15\]; got values in \[0, 16\]"):
        flip_register_bits([0, 16], 4, 0.1)
    with pytest.raises(ValueError, match=r"width must be an integer in \[1, 62\]; got 0"):
        flip_register_bits([0], 0, 0.1)
    with pytest.raises(TypeError, match="values must be an integer array"):
        flip_register_bits([0.5], 4, 0.1)


@given(
    p=st.floats(0.0, 1.0), q=st.floats(0.0, 1.0), width=st.integers(2, 8),
    rate=st.floats(0.0, 0.5), op=st.sampled_from(["multiply", "add"]), seed=st.integers(0, 2**32),
)
def test_sc_faulty_mean_matches_theory(p, q, width, rate, op, seed):
    # stream densities x = floor(pL)/L; a flip maps density d to d + r(1 - 2d)
    L, n = 1 << width, 400
    x, y = np.floor(p * L) / L, np.floor(q * L) / L
    xf, yf = x + rate * (1 - 2 * x), y + rate * (1 - 2 * y)
    z = xf * yf if op == "multiply" else (xf + yf) / 2
    zf = z + rate * (1 - 2 * z)
    got = sc_operation_faulty(op, np.full(n, p), np.full(n, q), width, rate, seed)
    # L n output bits, independent with mean probability zf: the count has variance <= L n zf (1 - zf)
    # (concavity), terms in [0, 1]: Bernstein.  False failure <= 60 x 1e-10.
    assert_bernstein(L * n * (got.mean() - zf), L * n * zf * (1 - zf), 1.0, slack=L * n * 1e-12)


@given(width=st.integers(2, 16), seed=st.integers(0, 2**32))
def test_binary_faulty_exact_at_rate_0_and_1(width, seed):
    rng = np.random.default_rng(seed)
    p, q = rng.random(50), rng.random(50)
    L = 1 << width
    a, b = np.floor(p * L), np.floor(q * L)
    np.testing.assert_array_equal(binary_operation_faulty("multiply", p, q, width, 0.0, seed), a * b / L**2)
    np.testing.assert_array_equal(binary_operation_faulty("add", p, q, width, 0.0, seed), (a + b) / (2 * L))
    # every register bit flipped: operands complemented, then the result register complemented
    ac, bc = L - 1 - a, L - 1 - b
    np.testing.assert_array_equal(
        binary_operation_faulty("multiply", p, q, width, 1.0, seed), (L * L - 1 - ac * bc) / L**2
    )
    np.testing.assert_array_equal(
        binary_operation_faulty("add", p, q, width, 1.0, seed), (2 * L - 1 - (ac + bc)) / (2 * L)
    )


@given(rate=st.floats(0.001, 0.2), seed=st.integers(0, 2**32))
def test_binary_tail_lower_bound(rate, seed):
    table = fault_tolerance("multiply", [rate], width=8, trials=2000, tolerance=0.1, seed=seed)
    # If the top bit of the 16-bit product register (weight 1/2) flips while the 16 operand bits and
    # the next 7 product bits stay intact, |err| >= 1/2 - 2^-8 (low product bits) - 2/256
    # (quantisation) > 0.1.  That event alone has probability r (1 - r)^23: a lower bound.
    p_bound = rate * (1 - rate) ** 23
    # the tail count is Binomial(2000, P) with P >= p_bound: p_bound must not exceed the exact
    # Clopper-Pearson upper limit (one-sided, false failure <= 60 x 1e-10 / 2).
    k = round(float(table.binary_tail[0]) * 2000)
    assert k == pytest.approx(table.binary_tail[0] * 2000, abs=1e-9)
    assert p_bound <= clopper_pearson(k, 2000)[1]
    spend()


def test_fault_tolerance_table():
    t = fault_tolerance("multiply", [0.0, 0.01], width=6, trials=300, seed=7)
    t2 = fault_tolerance("multiply", [0.0, 0.01], width=6, trials=300, seed=7)
    np.testing.assert_array_equal(t.sc_mean, t2.sc_mean)
    np.testing.assert_array_equal(t.binary_p99, t2.binary_p99)
    # without faults binary is quantisation-limited: |pq - floor(pL)floor(qL)/L^2| < 2/L
    assert t.binary_mean[0] < 2 / 64 and t.binary_tail[0] == 0.0
    text = t.format()
    assert "SC stream length 64" in text and len(text.splitlines()) == 4
    with pytest.raises(ValueError, match="op must be one of 'multiply', 'add'; got 'div'"):
        fault_tolerance("div")
    with pytest.raises(ValueError, match="rates must hold at least one rate"):
        fault_tolerance("add", [])
    with pytest.raises(ValueError, match=r"rates entry must be in \[0.0, 1.0\]; got -0.1"):
        fault_tolerance("add", [-0.1])
    with pytest.raises(ValueError, match=r"q must have the shape of p \(2,\); got \(3,\)"):
        sc_operation_faulty("add", [0.1, 0.2], [0.1, 0.2, 0.3], 4, 0.0)
    with pytest.raises(ValueError, match=r"p must be in \[0.0, 1.0\]; got 1.5"):
        binary_operation_faulty("add", [1.5], [0.1], 4, 0.0)


def test_faulty_block_wraps_a_model():
    n, en = 200, np.ones(200, dtype=int)
    clean = ToyCounter(5).run(n, {"en": en})["q"]
    same = FaultyBlock(ToyCounter(5), seed=1).run(n, {"en": en})["q"]
    np.testing.assert_array_equal(same, clean)
    inv = FaultyBlock(ToyCounter(5), output_rate=1.0, seed=1)
    np.testing.assert_array_equal(inv.run(n, {"en": en})["q"], 31 - clean)
    assert inv.flips == 5 * n
    # every register bit flipped after each edge: q' = ~(q + 1) = -q - 2 (mod 32)
    reg = FaultyBlock(ToyCounter(5), register_rate=1.0, registers={"q": 5}, seed=1)
    q = reg.run(n, {"en": en})["q"]
    expect = [0]
    for _ in range(n - 1):
        expect.append((~(expect[-1] + 1)) & 31)
    np.testing.assert_array_equal(q, expect)
    assert reg.to_verilog() == ToyCounter(5).to_verilog()
    with pytest.raises(ValueError, match="registers must name integer attributes of the block; got 'nope'"):
        FaultyBlock(ToyCounter(5), registers={"nope": 3})
    with pytest.raises(ValueError, match=r"register_rate must be in \[0.0, 1.0\]; got 2.0"):
        FaultyBlock(ToyCounter(5), register_rate=2.0)


def test_faulty_block_on_real_parts():
    import hw_models as hw

    # every bit of the x-side LFSR register flipped after each edge: state' = ~next(state)
    lx, lw = hw.FibonacciLFSR(8, 1), hw.FibonacciLFSR(8, 200)
    syn = hw.Synapse(hw.SNG(lx, 100), hw.SNG(lw, 50))
    faulty = FaultyBlock(syn, register_rate=1.0, registers={"x.source.state": 8}, seed=0)
    ref = hw.FibonacciLFSR(8, 1)
    states = []
    for _ in range(50):
        states.append(lx.state)
        faulty.step()
    s = 1
    for t in range(50):
        assert states[t] == s
        s = ~ref.next_state(s) & 0xFF
    # signed membrane register of the LIF neuron: flips keep it in the signed range
    nrn = hw.FixedPointLIFNeuron(12, 500, 0, 0, 3, 1)
    fn = FaultyBlock(nrn, register_rate=0.05, registers={"v": (12, True)}, seed=4)
    v = fn.run(2000, {"i": np.full(2000, 40)})["v"]
    assert v.min() >= -2048 and v.max() <= 2047 and fn.flips > 0
    clean = hw.FixedPointLIFNeuron(12, 500, 0, 0, 3, 1).run(2000, {"i": np.full(2000, 40)})["v"]
    assert not np.array_equal(v, clean)
