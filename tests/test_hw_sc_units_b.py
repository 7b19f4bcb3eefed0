"""Nonlinear and sequential units: packed kernel == hw_models block == Icarus RTL, bit for bit;
the correlation checker knows which units need independent and which need correlated inputs;
area (Yosys) of the documented configurations."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from _hw_toy_blocks import require_tool
from hypothesis import given, settings
from hypothesis import strategies as st

import hw_models as hw
from hw_models._cosim import cosimulate
from sc_neurocore import bitstream as bs

Kernel = Callable[[list[np.ndarray], int], np.ndarray]


def _bus(bits: np.ndarray) -> np.ndarray:
    """(n, L) 0/1 -> per-cycle ints with row i in bit i."""
    return (bits.astype(np.int64) << np.arange(bits.shape[0])[:, None]).sum(axis=0)


def units() -> list[tuple[str, hw.Block, Callable[[np.random.Generator, int], dict[str, np.ndarray]], Kernel]]:
    """(name, block, per-port 0/1 bit rows, kernel on the packed rows in port order)."""

    def one(rng, n):
        return {"x": rng.integers(0, 2, (1, n))}

    def two(names):
        return lambda rng, n: {k: rng.integers(0, 2, (1, n)) for k in names}

    def bus(m, extra=None):
        def gen(rng, n):
            d = {"x": rng.integers(0, 2, (m, n))}
            if extra:
                d["z"] = rng.integers(0, 2, (extra, n))
            return d
        return gen

    return [
        ("stanh8", hw.Stanh(8), one, lambda p, n: bs.stanh(p[0][0], n, 8)),
        ("stanh2", hw.Stanh(2), one, lambda p, n: bs.stanh(p[0][0], n, 2)),
        ("stanh16", hw.Stanh(16), one, lambda p, n: bs.fsm_sigmoid(p[0][0], n, 16)),
        ("sexp8_2", hw.Sexp(8, 2), one, lambda p, n: bs.sexp(p[0][0], n, 8, 2)),
        ("sexp6_5", hw.Sexp(6, 5), one, lambda p, n: bs.sexp(p[0][0], n, 6, 5)),
        ("abs8", hw.FsmAbs(8), one, lambda p, n: bs.fsm_abs(p[0][0], n, 8)),
        ("sqrt", hw.BitInsertSqrt(), one, lambda p, n: bs.sc_sqrt(p[0][0], n)),
        ("cordiv", hw.Cordiv(), two(("dividend", "divisor")), lambda p, n: bs.cordiv(p[0][0], p[1][0], n)),
        ("jk", hw.JKDivider(), two(("a", "b")), lambda p, n: bs.jk_divide(p[0][0], p[1][0], n)),
        ("btanh5_8", hw.ApcBtanh(5, 8), bus(5), lambda p, n: bs.apc_btanh(p[0], n, 8)),
        ("btanh16_32", hw.ApcBtanh(16, 32), bus(16), lambda p, n: bs.apc_btanh(p[0], n, 32)),
        ("bernstein4", hw.BernsteinUnit(4), bus(4, 5), lambda p, n: bs.bernstein(p[0], p[1], n)),
    ]


UNITS = {u[0]: u for u in units()}


def _three_forms(block: hw.Block, gen: Callable, kernel: Kernel, seed: int, length: int, rtl: bool) -> None:
    bits = gen(np.random.default_rng(seed), length)
    packed = [bs.pack(b.astype(np.uint8)) for b in bits.values()]
    k = bs.unpack(kernel(packed, length), length).astype(np.int64)
    ports = {port: (b[0] if b.shape[0] == 1 and w == 1 else _bus(b))
             for (port, w, _), b in zip(block.inputs_spec(), bits.values(), strict=True)}
    block.reset()
    np.testing.assert_array_equal(block.run(length, ports)["y"], k)
    if rtl:
        res = cosimulate(block, length, ports)
        assert res.ok, str(res)
        np.testing.assert_array_equal(res.rtl["y"], k)


@pytest.mark.parametrize("name", sorted(UNITS))
@given(seed=st.integers(0, 2**63 - 1), length=st.integers(1, 400))
@settings(max_examples=10)
def test_kernel_equals_model(name, seed, length):
    _three_forms(*UNITS[name][1:], seed, length, rtl=False)


@pytest.mark.rtl
@pytest.mark.parametrize("name", sorted(UNITS))
@given(seed=st.integers(0, 2**63 - 1))
@settings(max_examples=2)
def test_kernel_equals_model_equals_rtl(name, seed):
    require_tool("iverilog")
    require_tool("vvp")
    _three_forms(*UNITS[name][1:], seed, 700, rtl=True)


def _drawn_unit(kind: str, k: int, g: int, m: int) -> tuple[hw.Block, Callable, Kernel]:
    """A unit of a hypothesis-drawn configuration: (block, bit generator, kernel)."""
    def one(rng, n):
        return {"x": rng.integers(0, 2, (1, n))}

    def bus(rng, n):
        d = {"x": rng.integers(0, 2, (m, n))}
        if kind == "bernstein":
            d["z"] = rng.integers(0, 2, (m + 1, n))
        return d

    g = min(g, k - 1)
    return {
        "stanh": (hw.Stanh(k), one, lambda p, n: bs.stanh(p[0][0], n, k)),
        "sexp": (hw.Sexp(k, g), one, lambda p, n: bs.sexp(p[0][0], n, k, g)),
        "abs": (hw.FsmAbs(k), one, lambda p, n: bs.fsm_abs(p[0][0], n, k)),
        "btanh": (hw.ApcBtanh(m, k), bus, lambda p, n: bs.apc_btanh(p[0], n, k)),
        "bernstein": (hw.BernsteinUnit(m), bus, lambda p, n: bs.bernstein(p[0], p[1], n)),
    }[kind]


@pytest.mark.rtl
@given(kind=st.sampled_from(["stanh", "sexp", "abs", "btanh", "bernstein"]), k=st.integers(1, 40).map(lambda h: 2 * h),
       g=st.integers(1, 79), m=st.integers(1, 20), seed=st.integers(0, 2**63 - 1))
@settings(max_examples=8)
def test_drawn_configurations_kernel_equals_model_equals_rtl(kind, k, g, m, seed):
    require_tool("iverilog")
    require_tool("vvp")
    _three_forms(*_drawn_unit(kind, k, g, m), seed, 300, rtl=True)


def test_reset_restores_the_start_state():
    blk = hw.Stanh(4)
    first = blk.run(20, {"x": [1] * 20})["y"]
    blk.reset()
    np.testing.assert_array_equal(blk.run(20, {"x": [1] * 20})["y"], first)
    assert blk.s == 3 and first[0] == 1  # saturated at the top; output 1 from the start state K/2


# --- correlation checker -------------------------------------------------------


def _sng(lfsr: hw.Block, value: int) -> hw.SNG:
    return hw.SNG(lfsr, value)


def test_checker_flags_cordiv_on_independent_sources():
    a, b = hw.FibonacciLFSR(8, 1), hw.FibonacciLFSR(8, hw.lfsr_jump(1, 100, 8))
    rep = hw.check_correlation(hw.Cordiv(sources=(_sng(a, 40), _sng(b, 80))))
    assert not rep.ok
    assert "Cordiv needs correlated inputs (SCC = +1)" in rep.issues[0].reason
    shared = hw.FibonacciLFSR(8, 1)
    assert hw.check_correlation(hw.Cordiv(sources=(_sng(shared, 40), _sng(shared, 80)))).ok


def test_checker_flags_jk_and_bernstein_on_a_shared_source():
    shared = hw.FibonacciLFSR(8, 1)
    for blk in (hw.JKDivider(sources=(_sng(shared, 40), _sng(shared, 80))),
                hw.BernsteinUnit(1, sources=(_sng(shared, 40), _sng(shared, 80)))):
        rep = hw.check_correlation(blk)
        assert not rep.ok
        assert "a biased result (it needs independent inputs)" in rep.issues[0].reason
    a, b = hw.FibonacciLFSR(8, 1), hw.FibonacciLFSR(8, hw.lfsr_jump(1, 100, 8))
    assert hw.check_correlation(hw.JKDivider(sources=(_sng(a, 40), _sng(b, 80)))).ok


# --- bad input -------------------------------------------------------------------


def test_bad_parameters_are_rejected():
    with pytest.raises(ValueError, match=r"Stanh: n_states must be an even integer in \[2, 65536\]; got 7"):
        hw.Stanh(7)
    with pytest.raises(ValueError, match=r"Sexp: g must be an integer in \[1, 7\]; got 0"):
        hw.Sexp(8, 0)
    with pytest.raises(ValueError, match=r"ApcBtanh: n_inputs must be an integer in \[1, 4096\]; got 0"):
        hw.ApcBtanh(0, 4)
    with pytest.raises(ValueError, match=r"BernsteinUnit: degree must be an integer in \[1, 64\]; got 65"):
        hw.BernsteinUnit(65)
    with pytest.raises(ValueError, match=r"Cordiv: sources must name one block per input"):
        hw.Cordiv(sources=(hw.FibonacciLFSR(8, 1),))
    with pytest.raises(ValueError, match=r"Cordiv: divisor must be an integer in \[0, 1\]; got 2"):
        hw.Cordiv().eval(dividend=0, divisor=2)
    with pytest.raises(ValueError, match=r"BitInsertSqrt: input port x must be given"):
        hw.BitInsertSqrt().eval()
    with pytest.raises(ValueError, match=r"BernsteinUnit: z must be an integer in \[0, 7\]; got 8"):
        hw.BernsteinUnit(2).eval(x=0, z=8)


# --- area -------------------------------------------------------------------------


def test_area_of_the_documented_configurations():
    require_tool("yosys")
    # register bits are fixed by the design: log2(K) state bits, one flip-flop for the 1-bit units
    expected_ffs = {"stanh8": 3, "sexp8_2": 3, "abs8": 3, "sqrt": 1, "cordiv": 1, "jk": 1, "btanh16_32": 5,
                    "bernstein4": 0}
    for name, ffs in expected_ffs.items():
        rep = hw.area_report(UNITS[name][1])
        assert rep.flip_flops == ffs, (name, rep.summary())
        assert rep.logic_cells > 0, (name, rep.summary())
