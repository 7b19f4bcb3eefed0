"""RTL co-simulation: every hw_models block's emitted Verilog, run in Icarus Verilog,
equals its Python model cycle for cycle.

In CI (env CI set) a missing simulator fails these tests; locally they skip and
say what to install.
"""

from __future__ import annotations

import numpy as np
import pytest
from _hw_toy_blocks import ToyBroken, ToyCounter, ToyNoReset, ToySignedAcc, require_tool
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import hw_models as hw
import hw_models._counters as ctr
import hw_models._datapaths as dp
import hw_models._lif as lif
from hw_models._common import mirror_taps
from hw_models._correlation import check_correlation
from hw_models._cosim import CosimError, cosimulate, emit_testbench
from sc_neurocore._taps import MAXIMAL_TAPS

pytestmark = pytest.mark.rtl


@pytest.fixture(autouse=True)
def _simulator() -> None:
    require_tool("iverilog")
    require_tool("vvp")


# --- the harness itself, on hand-written toy blocks ---------------------------


@pytest.mark.parametrize("width", [1, 3, 8, 13])
def test_toy_counter_matches(tmp_path, width):
    rng = np.random.default_rng(width)
    n = 3000
    en = rng.integers(0, 2, n)
    blk = ToyCounter(width, start=(5 % (1 << width)))
    res = cosimulate(blk, n, {"en": en}, workdir=tmp_path)
    assert res.ok, str(res)
    # the model run is the expected counter
    expected = (blk.start + np.concatenate([[0], np.cumsum(en)[:-1]])) % (1 << width)
    np.testing.assert_array_equal(res.model["q"], expected)
    np.testing.assert_array_equal(res.rtl["q"], expected)
    assert (tmp_path / "dut.v").exists() and (tmp_path / "tb.v").exists()


@pytest.mark.parametrize("width", [2, 7, 16, 40])
def test_toy_signed_accumulator_matches(width):
    rng = np.random.default_rng(100 + width)
    lo, hi = -(1 << (width - 1)), (1 << (width - 1)) - 1
    x = rng.integers(lo, hi + 1, 2000)
    res = cosimulate(ToySignedAcc(width), 2000, {"x": x})
    assert res.ok, str(res)
    assert res.rtl["acc"].min() < 0 < res.rtl["acc"].max()  # both signs exercised
    np.testing.assert_array_equal(res.rtl["neg"], (res.rtl["acc"] < 0).astype(int))


def test_reset_cycles_follow_model():
    n = 500
    en = np.ones(n, dtype=int)
    res = cosimulate(ToyCounter(6, start=3), n, {"en": en}, reset_cycles=[10, 11, 200])
    assert res.ok, str(res)
    q = res.rtl["q"]
    assert q[10] == 10 + 3 and q[11] == 3 and q[12] == 3 and q[13] == 4
    assert q[201] == 3


def test_first_mismatch_is_reported():
    # the RTL freezes the accumulator when it equals 9; with x = 1 the model reaches 9 at cycle 9
    n = 100
    res = cosimulate(ToySignedAcc(8, bug_at=9), n, {"x": np.ones(n, dtype=int)})
    assert not res.ok
    assert (res.mismatch.cycle, res.mismatch.port) == (10, "acc")
    assert (res.mismatch.model, res.mismatch.rtl) == (10, 9)
    assert "cycle 10" in str(res)


def test_unknown_values_are_a_mismatch():
    res = cosimulate(ToyNoReset(4), 20, {"en": [1] * 20})
    assert not res.ok
    assert (res.mismatch.cycle, res.mismatch.port, res.mismatch.model) == (0, "q", 0)
    assert res.mismatch.rtl == "x" and len(res.rtl["q"]) == 0


def test_compile_error_is_reported():
    with pytest.raises(CosimError, match="iverilog failed to compile"):
        cosimulate(ToyBroken(4), 10, {"en": [0] * 10})


def test_bad_inputs_rejected():
    blk = ToySignedAcc(4)
    with pytest.raises(ValueError, match=r"inputs\['x'\] must be integers in \[-8, 7\].*got 8 at cycle 2"):
        cosimulate(blk, 3, {"x": [0, 1, 8]})
    with pytest.raises(ValueError, match="must hold at least n_cycles=5 values; got 3"):
        cosimulate(blk, 5, {"x": [0, 1, 2]})
    with pytest.raises(ValueError, match="must give a sequence for port 'x'"):
        cosimulate(blk, 5)
    with pytest.raises(ValueError, match=r"got unknown \['y'\]"):
        cosimulate(blk, 2, {"x": [0, 0], "y": [1, 1]})
    with pytest.raises(ValueError, match=r"n_cycles must be an integer in \[1, "):
        cosimulate(blk, 0, {"x": []})
    with pytest.raises(TypeError, match="block must be a hw_models Block"):
        cosimulate("counter", 5)  # type: ignore[arg-type]


def test_testbench_text_is_verilog_2005_shape():
    tb = emit_testbench(ToySignedAcc(5), 7, reset_cycles=[1])
    assert "toy_acc_top dut (.clk(clk), .rst(rst), .x(i_x), .acc(o_acc), .neg(o_neg));" in tb
    assert '$readmemh("rst.hex", m_rst);' in tb
    assert "for (t = 0; t < 7; t = t + 1)" in tb


def test_random_inputs_cover_port_ranges():
    from hw_models._cosim import random_inputs

    ins = random_inputs(ToySignedAcc(3), 2000, seed=5)
    assert set(ins) == {"x"} and ins["x"].min() == -4 and ins["x"].max() == 3
    again = random_inputs(ToySignedAcc(3), 2000, seed=5)
    np.testing.assert_array_equal(ins["x"], again["x"])
    res = cosimulate(ToySignedAcc(3), 2000, ins)
    assert res.ok, str(res)
    wide = random_inputs(ToySignedAcc(64), 500, seed=1)["x"]
    assert wide.dtype == object and min(wide) < -(1 << 62) and max(wide) > 1 << 62
    res = cosimulate(ToySignedAcc(64), 500, {"x": wide})
    assert res.ok, str(res)


# --- the hw_models blocks ----------------------------------------------------------

N_CYCLES = 4096  # per co-simulated configuration; long enough to wrap every register below 12 bits


def _check(block, n=N_CYCLES, seed=0, **kw):
    res = hw.cosimulate(block, n, hw.random_inputs(block, n, seed=seed), **kw)
    assert res.ok, f"{block.part}: {res}"
    return res


@pytest.mark.parametrize("cls", [hw.FibonacciLFSR, hw.GaloisLFSR])
@pytest.mark.parametrize(
    ("width", "seed", "mirror", "zero_state"),
    [(3, 5, False, False), (4, 1, True, True), (8, 0xA5, False, True), (11, 1234, True, False),
     (16, 0xACE1, False, False), (24, 0x123456, True, True), (32, 0xDEADBEEF, False, False)],
)
def test_lfsr_rtl(cls, width, seed, mirror, zero_state):
    taps = mirror_taps(MAXIMAL_TAPS[width]) if mirror else None
    res = _check(cls(width, seed, taps=taps, zero_state=zero_state), reset_cycles=[777])
    # the register visits distinct states until its period is reached
    period = (1 << width) - (0 if zero_state else 1)
    assert len(set(res.rtl["state"][:777].tolist())) == min(777, period)


@pytest.mark.parametrize(("dimension", "width", "skip"), [(0, 8, 0), (1, 10, 3), (5, 16, 100), (15, 32, 0)])
def test_sobol_rtl(dimension, width, skip):
    _check(hw.SobolGenerator(dimension, width=width, skip=skip), reset_cycles=[1000])


@pytest.mark.parametrize(
    "make",
    [lambda: hw.FibonacciLFSR(8, 77), lambda: hw.GaloisLFSR(12, 9, zero_state=True),
     lambda: hw.SobolGenerator(2, width=10)],
)
@pytest.mark.parametrize("value", [None, 0, 1, 100, "max"])
def test_sng_rtl(make, value):
    src = make()
    v = (1 << src.width) if value == "max" else value
    if v is not None:
        v = min(v, 1 << src.width)
    res = _check(hw.SNG(src, v), seed=3)
    if v == 0:
        assert res.rtl["stream"].sum() == 0
    if value == "max":
        assert res.rtl["stream"].min() == 1


@pytest.mark.parametrize("cls", [hw.AndGate, hw.OrGate, hw.XnorGate, hw.NotGate, hw.Mux2])
@pytest.mark.parametrize("width", [1, 5, 64])
def test_gates_rtl(cls, width):
    _check(cls(width), n=1024, seed=width)


@pytest.mark.parametrize(("width", "stages", "init"), [(1, 1, 0), (1, 1, 1), (4, 3, 9), (16, 8, 0xBEEF)])
def test_dff_rtl(width, stages, init):
    res = _check(hw.DFF(width, stages, init), n=2048, seed=stages, reset_cycles=[50, 51, 600])
    assert (res.rtl["q"][:stages] == init).all()


@pytest.mark.parametrize(("length", "saturate"), [(4096, False), (1000, False), (100, True), (1, True)])
def test_up_counter_rtl(length, saturate):
    n = min(N_CYCLES, length) if not saturate else N_CYCLES
    res = _check(ctr.UpCounter(length, saturate=saturate), n=n, seed=length)
    if saturate:
        assert res.rtl["q"].max() == length  # it reached the limit and held there


@pytest.mark.parametrize("length", [1, 5, 255, 256, 4096])
def test_updown_counter_rtl(length):
    _check(ctr.UpDownCounter(length), n=min(N_CYCLES, length), seed=length)


@pytest.mark.parametrize("n_inputs", [1, 7, 16, 64, 100])
def test_parallel_counter_rtl(n_inputs):
    res = _check(ctr.ParallelCounter(n_inputs), n=1024, seed=n_inputs)
    assert res.rtl["count"].max() <= n_inputs


@pytest.mark.parametrize(("n_inputs", "length"), [(1, 64), (3, 1000), (16, 4096), (70, 512)])
def test_apc_rtl(n_inputs, length):
    # reset every `length` cycles: the accumulator restarts, so a long run never exceeds N*L
    n = 3 * length
    _check(ctr.AccumulativeParallelCounter(n_inputs, length), n=n, seed=n_inputs,
           reset_cycles=[length - 1, 2 * length - 1])


LIF_CASES = [
    # width, v_threshold, v_reset, v_rest, leak_shift, refractory
    (4, 5, 0, 0, 1, 0),
    (8, 100, -20, 0, 3, 2),
    (8, 60, -128, -50, 0, 1),
    (12, 1000, 0, -100, 4, 7),
    (16, 256, 0, 0, 4, 0),
    (16, -50, -1000, -2000, 15, 3),
    (24, 1 << 20, 0, 0, 6, 40),
    (32, 1 << 28, -(1 << 20), 0, 8, 65535),
]


@pytest.mark.parametrize("case", LIF_CASES)
@pytest.mark.parametrize("drive", ["full_range", "small"])
def test_lif_rtl(case, drive):
    width, vth, vreset, vrest, k, ref = case
    neuron = lif.FixedPointLIFNeuron(width, vth, vreset, vrest, k, ref)
    rng = np.random.default_rng(width * 100 + k)
    if drive == "full_range":  # saturates both ways
        i = hw.random_inputs(neuron, N_CYCLES, seed=width)["i"]
    else:  # a positive mean drive 1.5 (vth - vrest) / 2^k: the membrane integrates, leaks and fires
        hi = max(8, (4 * abs(vth - vrest)) >> k)
        i = rng.integers(-hi // 4, hi, N_CYCLES)
        i = np.clip(i, *(-(1 << (width - 1)), (1 << (width - 1)) - 1))
    res = hw.cosimulate(neuron, N_CYCLES, {"i": i}, reset_cycles=[N_CYCLES // 2])
    assert res.ok, str(res)
    if drive == "small" and ref < 1000:
        assert res.rtl["spike"].sum() > 0  # the case exercises threshold and reset


# --- composed datapaths ------------------------------------------------------------------


def _spread_lfsrs(n, width, seed=1):
    """n LFSRs at evenly spread phases of one sequence (decorrelated, see assign_channels)."""
    return [hw.FibonacciLFSR(width, c.seed) for c in hw.assign_channels(n, width=width, seed=seed).sources]


@pytest.mark.parametrize("bipolar", [False, True])
@pytest.mark.parametrize(("width", "x", "w"), [(8, 154, 128), (12, 1, 4095), (16, 40000, 1 << 16), (24, 0, 99)])
def test_synapse_rtl(bipolar, width, x, w):
    lx, lw = _spread_lfsrs(2, width, seed=width)
    syn = dp.Synapse(hw.SNG(lx, x), hw.SNG(lw, w), bipolar=bipolar)
    _check(syn, reset_cycles=[2000])
    assert check_correlation(syn).ok


@pytest.mark.parametrize("accumulation", ["count", "or", "mux"])
@pytest.mark.parametrize("n_inputs", [1, 5, 16])
def test_current_source_rtl(accumulation, n_inputs):
    width = 10
    lf = _spread_lfsrs(2 * n_inputs + 1, width, seed=n_inputs)
    rng = np.random.default_rng(n_inputs)
    syns = [dp.Synapse(hw.SNG(lf[2 * i], int(rng.integers(0, 1025))), hw.SNG(lf[2 * i + 1], int(rng.integers(0, 1025))))
            for i in range(n_inputs)]
    cs = dp.CurrentSource(syns, accumulation, select=lf[-1] if accumulation == "mux" else None)
    res = _check(cs, reset_cycles=[1500])
    assert res.rtl["a"].max() <= (n_inputs if accumulation == "count" else 1)


@pytest.mark.parametrize("accumulation", ["count", "or", "mux"])
@pytest.mark.parametrize(("n_neurons", "n_inputs", "lfsr_width"), [(1, 1, 5), (3, 8, 12), (4, 16, 16)])
def test_dense_layer_rtl_equals_model_and_core(accumulation, n_neurons, n_inputs, lfsr_width):
    from sc_neurocore._fixed_point import FixedPointDenseLayer, QFormat

    rng = np.random.default_rng(n_inputs * 7 + lfsr_width)
    core = FixedPointDenseLayer(n_neurons, rng.random(n_inputs), rng.random((n_neurons, n_inputs)),
                                accumulation, gain=0.125, bias=0.0625, lfsr_width=lfsr_width, seed=n_inputs,
                                qformat=QFormat(12, 6), v_threshold=0.375, leak_shift=3, refractory_period=2)
    layer = dp.DenseLayer.from_fixed_point(core)
    n = 2048
    res = _check(layer, n=n)
    bits = (res.rtl["spike"][:, None] >> np.arange(n_neurons)) & 1
    np.testing.assert_array_equal(bits, core.run(n))  # RTL == core fixed-point layer, spike for spike
    assert bits.sum() > 0
    assert check_correlation(layer).ok


# --- drawn configurations (hypothesis): a few dozen random designs per run ---------------

RTL_SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@RTL_SETTINGS
@given(width=st.integers(3, 32), seed=st.integers(1, 2**32 - 1), mirror=st.booleans(), zero=st.booleans(),
       galois=st.booleans(), p=st.floats(0, 1), n=st.integers(1, 3000))
def test_drawn_lfsr_sng_rtl(width, seed, mirror, zero, galois, p, n):
    seed = 1 + (seed - 1) % ((1 << width) - 1)
    taps = mirror_taps(MAXIMAL_TAPS[width]) if mirror else None
    src = (hw.GaloisLFSR if galois else hw.FibonacciLFSR)(width, seed, taps=taps, zero_state=zero)
    sng = hw.SNG(src, hw.threshold_of(p, width))
    res = hw.cosimulate(sng, n)
    assert res.ok, str(res)


@RTL_SETTINGS
@given(data=st.data(), width=st.integers(2, 32), k=st.integers(0, 31), refr=st.integers(0, 20),
       n=st.integers(1, 3000), seed=st.integers(0, 2**32))
def test_drawn_lif_rtl(data, width, k, refr, n, seed):
    lo, hi = -(1 << (width - 1)), (1 << (width - 1)) - 1
    vals = st.integers(lo, hi)
    vth, vreset, vrest = data.draw(vals), data.draw(vals), data.draw(vals)
    neuron = hw.FixedPointLIFNeuron(width, vth, vreset, vrest, min(k, width - 1), refr)
    res = hw.cosimulate(neuron, n, hw.random_inputs(neuron, n, seed=seed))
    assert res.ok, str(res)


@RTL_SETTINGS
@given(n_inputs=st.integers(1, 6), width=st.integers(3, 12), mode=st.sampled_from(["count", "or", "mux"]),
       bipolar=st.booleans(), seed=st.integers(0, 2**32), n=st.integers(1, 2000))
def test_drawn_current_source_rtl(n_inputs, width, mode, bipolar, seed, n):
    rng = np.random.default_rng(seed)
    period = (1 << width) - 1
    seeds = rng.integers(1, period + 1, 2 * n_inputs + 1)
    values = rng.integers(0, (1 << width) + 1, 2 * n_inputs)
    lf = [hw.FibonacciLFSR(width, int(s)) for s in seeds]
    syns = [hw.Synapse(hw.SNG(lf[2 * i], int(values[2 * i])), hw.SNG(lf[2 * i + 1], int(values[2 * i + 1])),
                       bipolar=bipolar) for i in range(n_inputs)]
    cs = hw.CurrentSource(syns, mode, select=lf[-1] if mode == "mux" else None)
    res = hw.cosimulate(cs, n)
    assert res.ok, str(res)
