"""hw_models random sources, SNG, gates and DFF: periods, truth tables, the bit-exact
contract with the core encoders, and bad input."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hw_models import (
    DFF,
    SNG,
    AndGate,
    Block,
    FibonacciLFSR,
    GaloisLFSR,
    Mux2,
    NotGate,
    OrGate,
    SobolGenerator,
    XnorGate,
    assert_bit_exact,
    first_difference,
    mirror_taps,
    threshold_of,
)
from sc_neurocore import bitstream as bs
from sc_neurocore._taps import MAXIMAL_TAPS

# --- plain-Python references written from conventions §3 ------------------------


def fib_ref(width: int, seed: int, taps: tuple[int, ...], zero_state: bool, n: int) -> list[int]:
    out, s = [], seed
    for _ in range(n):
        out.append(s)
        fb = 0
        for t in taps:
            fb ^= (s >> (t - 1)) & 1
        if zero_state and s % (1 << (width - 1)) == 0:
            fb ^= 1
        s = ((s << 1) | fb) % (1 << width)
    return out


def period_of(block: FibonacciLFSR | GaloisLFSR) -> tuple[int, set[int]]:
    """Cycles until the register returns to its seed, and the set of states visited."""
    seen = set()
    s = block.seed
    while True:
        seen.add(s)
        s = block.next_state(s)
        if s == block.seed or len(seen) > (1 << block.width):
            return len(seen), seen


# --- LFSRs -----------------------------------------------------------------


@pytest.mark.parametrize("cls", [FibonacciLFSR, GaloisLFSR])
@pytest.mark.parametrize("zero_state", [False, True])
@pytest.mark.parametrize("width", range(3, 15))
def test_lfsr_maximal_period(cls, zero_state, width):
    for taps in (MAXIMAL_TAPS[width], mirror_taps(MAXIMAL_TAPS[width])):
        blk = cls(width, seed=1, taps=taps, zero_state=zero_state)
        period, seen = period_of(blk)
        assert period == blk.period == (1 << width) - (0 if zero_state else 1)
        assert seen == set(range(0 if zero_state else 1, 1 << width))


@pytest.mark.slow
@pytest.mark.parametrize("cls", [FibonacciLFSR, GaloisLFSR])
@pytest.mark.parametrize("width", range(15, 21))
def test_lfsr_maximal_period_wide(cls, width):
    blk = cls(width, seed=1)
    period, seen = period_of(blk)
    assert period == (1 << width) - 1 and len(seen) == period and 0 not in seen


@given(width=st.integers(3, 32), data=st.data(), zero_state=st.booleans(), mirror=st.booleans())
def test_fibonacci_matches_reference_and_core_states(width, data, zero_state, mirror):
    seed = data.draw(st.integers(1, (1 << width) - 1))
    taps = mirror_taps(MAXIMAL_TAPS[width]) if mirror else MAXIMAL_TAPS[width]
    blk = FibonacciLFSR(width, seed, taps, zero_state)
    n = 300
    out = blk.run(n)["state"]
    assert_bit_exact(out, fib_ref(width, seed, taps, zero_state, n), "state vs reference")
    assert_bit_exact(out, bs.lfsr_states(n, width, seed, taps, zero_state).astype(np.int64), "state vs core")
    # run() advanced the register by n cycles; sequence() continues from there without moving it
    nxt = blk.sequence(5)
    assert_bit_exact(nxt, fib_ref(width, seed, taps, zero_state, n + 5)[n:], "continuation")
    assert blk.state == nxt[0]


def test_reset_reloads_seed():
    blk = GaloisLFSR(7, seed=9, zero_state=True)
    first = blk.run(20)["state"]
    blk.reset()
    assert_bit_exact(blk.run(20)["state"], first, "after reset")
    assert first[0] == 9


def test_galois_zero_state_order():
    blk = GaloisLFSR(5, seed=1, zero_state=True)
    assert blk.next_state(blk.pre_one) == 0 and blk.next_state(0) == 1
    # without insertion the pre-one state goes to 1
    assert GaloisLFSR(5, seed=1).next_state(blk.pre_one) == 1


# --- Sobol -----------------------------------------------------------------


@given(dim=st.integers(0, bs.SOBOL_MAX_DIMENSION), skip=st.integers(0, 5000),
       n=st.integers(1, 700), p=st.floats(0, 1))
def test_sobol_32_matches_core_encoder(dim, skip, n, p):
    gen = SobolGenerator(dim, 32, skip)
    sng = SNG(gen, threshold_of(p, 32))
    model = sng.run(n)["stream"]
    core = bs.unpack(bs.sobol(p, n, dim, skip), n)
    assert_bit_exact(model, core, "sobol stream")


@pytest.mark.parametrize("width", [1, 2, 5, 8])
@pytest.mark.parametrize("dim", [0, 1, 4])
def test_sobol_narrow_period_and_net(width, dim):
    gen = SobolGenerator(dim, width)
    pts = gen.sequence(2 << width)
    # one period visits every w-bit value once (a (0, w, 1)-net) and then repeats
    assert sorted(pts[: 1 << width].tolist()) == list(range(1 << width))
    assert_bit_exact(pts[1 << width:], pts[: 1 << width], "second period")
    assert pts[0] == 0


def test_van_der_corput_points():
    assert SobolGenerator(0, 3).sequence(8).tolist() == [0, 4, 6, 2, 3, 7, 5, 1]


# --- SNG: the bit-exact contract with sc_neurocore.bitstream.lfsr ----------------


@given(width=st.integers(3, 32), data=st.data(), p=st.floats(0, 1), zero_state=st.booleans(),
       n=st.integers(1, 2000))
def test_lfsr_sng_matches_core_encoder(width, data, p, zero_state, n):
    seed = data.draw(st.integers(1, (1 << width) - 1))
    sng = SNG(FibonacciLFSR(width, seed, zero_state=zero_state), threshold_of(p, width))
    core = bs.unpack(bs.lfsr(p, n, width, seed, zero_state=zero_state), n)
    assert_bit_exact(sng.run(n)["stream"], core, "SNG run() vs bitstream.lfsr")


@settings(max_examples=8)
@given(width=st.integers(3, 32), data=st.data(), p=st.floats(0, 1), zero_state=st.booleans(),
       extra=st.integers(0, 5000))
def test_lfsr_sng_long_contract(width, data, p, zero_state, extra):
    """>= 2^16 cycles per case, with the vectorised model (same next-state function)."""
    seed = data.draw(st.integers(1, (1 << width) - 1))
    n = (1 << 16) + extra
    sng = SNG(FibonacciLFSR(width, seed, zero_state=zero_state), threshold_of(p, width))
    core = bs.unpack(bs.lfsr(p, n, width, seed, zero_state=zero_state), n)
    assert_bit_exact(sng.bits(n), core, "SNG bits() vs bitstream.lfsr")


@settings(max_examples=4)
@given(dim=st.integers(0, bs.SOBOL_MAX_DIMENSION), p=st.floats(0, 1), skip=st.integers(0, 1 << 20))
def test_sobol_sng_long_contract(dim, p, skip):
    """>= 2^16 cycles of the Sobol SNG (vectorised model) against bitstream.sobol."""
    n = 1 << 16
    sng = SNG(SobolGenerator(dim, 32, skip), threshold_of(p, 32))
    assert_bit_exact(sng.bits(n), bs.unpack(bs.sobol(p, n, dim, skip), n), "Sobol SNG vs bitstream.sobol")


def test_sng_full_period_count_is_exact():
    width, x = 10, 300
    sng = SNG(FibonacciLFSR(width, seed=77))
    ones = sng.run((1 << width) - 1, {"x": [x] * ((1 << width) - 1)})["stream"].sum()
    assert ones == x - 1
    sng_z = SNG(FibonacciLFSR(width, seed=77, zero_state=True), x)
    assert sng_z.bits(1 << width).sum() == x


def test_sng_port_threshold_and_bits_equal_run():
    sng = SNG(GaloisLFSR(8, 3))
    xs = np.arange(600) % 512
    out = sng.run(600, {"x": xs})["stream"]
    states = GaloisLFSR(8, 3).sequence(600)
    assert_bit_exact(out, (states < xs).astype(np.int64), "port threshold")
    with pytest.raises(ValueError, match="needs a value"):
        sng.bits(10)


# --- gates and DFF ------------------------------------------------------------


@pytest.mark.parametrize(("cls", "f"), [(AndGate, lambda a, b: a & b), (OrGate, lambda a, b: a | b),
                                        (XnorGate, lambda a, b: 1 - (a ^ b))])
def test_two_input_truth_tables(cls, f):
    g = cls()
    for a in (0, 1):
        for b in (0, 1):
            assert g.step(a=a, b=b) == {"y": f(a, b)}
    wide = cls(width=4)
    assert wide.eval(a=0b1100, b=0b1010)["y"] == sum(f((0b1100 >> i) & 1, (0b1010 >> i) & 1) << i
                                                     for i in range(4))


def test_not_and_mux():
    assert [NotGate().eval(a=a)["y"] for a in (0, 1)] == [1, 0]
    assert NotGate(3).eval(a=0b101)["y"] == 0b010
    m = Mux2(2)
    assert m.eval(a=1, b=2, sel=0)["y"] == 1 and m.eval(a=1, b=2, sel=1)["y"] == 2


@given(stages=st.integers(1, 5), width=st.integers(1, 6), data=st.data())
def test_dff_delays_by_stages(stages, width, data):
    init = data.draw(st.integers(0, (1 << width) - 1))
    d = data.draw(st.lists(st.integers(0, (1 << width) - 1), min_size=1, max_size=40))
    q = DFF(width, stages, init).run(len(d), {"d": d})["q"]
    expected = ([init] * stages + d)[: len(d)]
    assert_bit_exact(q, expected, "dff q")


def test_dff_isolator_shifts_a_stream_by_one_cycle():
    sng = SNG(FibonacciLFSR(8, 5), 128)
    bits = sng.bits(50)
    dff = DFF(sources=(sng,))
    q = dff.run(50, {"d": bits})["q"]
    assert_bit_exact(q[1:], bits[:-1], "isolated stream")
    assert dff.input_sources() == [sng]


# --- contract helper ------------------------------------------------------------


def test_assert_bit_exact_reports_first_cycle():
    a = np.array([0, 1, 1, 0, 1, 1])
    b = a.copy()
    b[4] = 0
    b[5] = 0
    assert first_difference(a, b) == 4 and first_difference(a, a) is None
    with pytest.raises(AssertionError, match="first differing cycle 4 of 6"):
        assert_bit_exact(a, b, "x")
    with pytest.raises(ValueError, match="same shape"):
        first_difference(a, b[:3])
    assert first_difference(np.zeros((3, 2)), np.array([[0, 0], [0, 1], [1, 1]])) == 1


# --- bad input -------------------------------------------------------------------


@pytest.mark.parametrize("cls", [FibonacciLFSR, GaloisLFSR])
def test_lfsr_bad_input(cls):
    name = cls.__name__
    with pytest.raises(ValueError, match=rf"{name}: seed must be an integer in \[1, 255\]; got 0"):
        cls(8, 0)
    with pytest.raises(ValueError, match=rf"{name}: seed must be an integer in \[1, 255\]; got 256"):
        cls(8, 256)
    with pytest.raises(ValueError, match=rf"{name}: width must be an integer in \[3, 32\]; got 2"):
        cls(2, 1)
    with pytest.raises(ValueError, match=rf"{name}: width must be an integer in \[3, 32\]; got 33"):
        cls(33, 1)
    with pytest.raises(ValueError, match=rf"{name}: taps must be a maximal-length tap set for width 8"):
        cls(8, 1, taps=(8, 7))
    with pytest.raises(TypeError, match=rf"{name}: seed must be an integer"):
        cls(8, 1.5)
    with pytest.raises(TypeError, match=rf"{name}: zero_state must be a bool"):
        cls(8, 1, zero_state=1)


def test_sobol_sng_gate_bad_input():
    with pytest.raises(ValueError, match=r"SobolGenerator: width must be an integer in \[1, 32\]; got 0"):
        SobolGenerator(0, 0)
    with pytest.raises(ValueError, match=r"SobolGenerator: dimension must be an integer in \[0, "):
        SobolGenerator(99)
    with pytest.raises(ValueError, match=r"SobolGenerator: skip must be an integer in \[0, 15\]; got 16"):
        SobolGenerator(0, 4, 16)
    with pytest.raises(ValueError, match=r"SNG: value must be an integer in \[0, 256\]; got 257"):
        SNG(FibonacciLFSR(8), 257)
    with pytest.raises(ValueError, match=r"SNG: x must be an integer in \[0, 511\]; got 512"):
        SNG(FibonacciLFSR(8)).eval(x=512)
    with pytest.raises(TypeError, match="SNG: source must be a random-source block"):
        SNG(AndGate())  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"SNG: p must be in \[0, 1\]; got 1.5"):
        threshold_of(1.5, 8)
    with pytest.raises(ValueError, match=r"AndGate: a must be an integer in \[0, 1\]; got 2"):
        AndGate().eval(a=2, b=0)
    with pytest.raises(ValueError, match=r"Mux2: sel must be an integer in \[0, 1\]; got 3"):
        Mux2(4).eval(a=2, b=0, sel=3)
    with pytest.raises(ValueError, match=r"DFF: d must be an integer in \[0, 7\]; got 8"):
        DFF(3).eval(d=8)
    with pytest.raises(ValueError, match=r"DFF: init must be an integer in \[0, 1\]; got 2"):
        DFF(1, 1, 2)
    with pytest.raises(ValueError, match="OrGate: sources must name one block per input"):
        OrGate(sources=(AndGate(),))
    with pytest.raises(ValueError, match=r"FibonacciLFSR: n_cycles must be an integer in \[0, "):
        FibonacciLFSR(5).run(-1)


def test_every_block_emits_verilog_with_its_top_module():
    blocks: list[Block] = [FibonacciLFSR(5), GaloisLFSR(6), SobolGenerator(2, 8), SNG(FibonacciLFSR(4)),
                           AndGate(), OrGate(), XnorGate(), NotGate(), Mux2(), DFF(2, 3)]
    for b in blocks:
        v = b.to_verilog()
        assert f"module {b.top_module} (" in v and "input wire clk" in v and v.count("endmodule") >= 2


@pytest.mark.parametrize("width", [5, 6, 8])
def test_every_primitive_tap_set_is_accepted_and_maximal(width):
    """All 2- and 4-term tap sets: accepted iff primitive (core's is_maximal_taps), then full period
    in both register forms; rejected otherwise."""
    import itertools

    n_ok = 0
    for k in (1, 3):
        for rest in itertools.combinations(range(1, width), k):
            taps = (width, *sorted(rest, reverse=True))
            if bs.is_maximal_taps(width, taps):
                n_ok += 1
                for cls in (FibonacciLFSR, GaloisLFSR):
                    period, _ = period_of(cls(width, 1, taps[::-1]))  # any order is accepted
                    assert period == (1 << width) - 1
            else:
                with pytest.raises(ValueError, match="taps must be a maximal-length tap set"):
                    FibonacciLFSR(width, 1, taps)
    assert n_ok >= 2


def test_bad_taps_messages():
    with pytest.raises(ValueError, match=r"GaloisLFSR: taps must be a maximal-length tap set for width 8: "
                                         r"distinct ints in \[1, 8\] including 8.*got \(8, 8, 6, 5, 4\)"):
        GaloisLFSR(8, 1, (8, 8, 6, 5, 4))
    with pytest.raises(ValueError, match=r"got \(7, 6\)"):
        FibonacciLFSR(8, 1, (7, 6))
    with pytest.raises(TypeError, match="FibonacciLFSR: taps must be a tuple of ints"):
        FibonacciLFSR(8, 1, "86")
    with pytest.raises(TypeError, match="FibonacciLFSR: taps must be a tuple of ints"):
        FibonacciLFSR(8, 1, (8, 6.0, 5, 4))
