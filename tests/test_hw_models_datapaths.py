"""hw_models composed datapaths (synapse, current source, dense layer): bit-exact contract
with sc_neurocore.FixedPointDenseLayer and the bitstream engine, RTL co-simulation, bad input."""

from __future__ import annotations

import numpy as np
import pytest
from _hw_toy_blocks import require_tool
from hypothesis import given, settings
from hypothesis import strategies as st

from hw_models import (
    SNG,
    CurrentSource,
    DenseLayer,
    FibonacciLFSR,
    FixedPointLIFNeuron,
    Synapse,
    assert_bit_exact,
    check_correlation,
    cosimulate,
    threshold_of,
)
from sc_neurocore import bitstream as bs
from sc_neurocore._fixed_point import FixedPointDenseLayer, QFormat


def spike_bus(spikes: np.ndarray) -> np.ndarray:
    return (spikes.astype(np.int64) << np.arange(spikes.shape[1])).sum(axis=1)


def make_layer(n_in, n_out, width, mode, seed, k=2, refr=1, zero_state=False):
    rng = np.random.default_rng(seed)
    return FixedPointDenseLayer(n_out, rng.random(n_in), rng.random((n_out, n_in)), mode, gain=0.125,
                                bias=0.0625, lfsr_width=width, seed=seed, qformat=QFormat(10, 6),
                                v_threshold=0.5, leak_shift=k, refractory_period=refr, zero_state=zero_state)


@settings(max_examples=20)
@given(n_in=st.integers(1, 5), n_out=st.integers(1, 3), width=st.integers(3, 24),
       mode=st.sampled_from(["count", "or", "mux"]), seed=st.integers(0, 2**32), n=st.integers(1, 300),
       k=st.integers(0, 5), refr=st.integers(0, 3), zero_state=st.booleans())
def test_dense_layer_model_matches_core_fixed_point(n_in, n_out, width, mode, seed, n, k, refr, zero_state):
    core = make_layer(n_in, n_out, width, mode, seed, k, refr, zero_state)
    hw = DenseLayer.from_fixed_point(core)
    out = hw.run(n)
    spikes = core.run(n)
    assert_bit_exact(out["spike"], spike_bus(spikes), "spike bus")
    v = np.stack([out[f"v{r}"] for r in range(n_out)], axis=1)
    assert_bit_exact(v[1:], core.last_v_raw[:-1], "membrane")
    # continue: the model and the core stay in lock step
    out2 = hw.run(50)
    assert_bit_exact(out2["spike"], spike_bus(core.run(50)), "spike bus, second call")


@given(width=st.integers(3, 16), seed=st.integers(0, 2**32), n=st.integers(1, 400),
       mode=st.sampled_from(["count", "or"]))
def test_current_source_matches_bitstream_engine(width, seed, n, mode):
    rng = np.random.default_rng(seed)
    k = 4
    px, pw = rng.random(k), rng.random(k)
    sx = rng.integers(1, 1 << width, k)
    sw = rng.integers(1, 1 << width, k)
    syns = [Synapse(SNG(FibonacciLFSR(width, int(sx[i])), threshold_of(px[i], width)),
                    SNG(FibonacciLFSR(width, int(sw[i])), threshold_of(pw[i], width))) for i in range(k)]
    a = CurrentSource(syns, mode).run(n)["a"]
    prod = bs.and_(bs.lfsr(px, n, width, sx), bs.lfsr(pw, n, width, sw))
    if mode == "count":
        ref = bs.parallel_count(prod, n)
    else:
        ref = bs.unpack(bs.or_(bs.or_(prod[0], prod[1]), bs.or_(prod[2], prod[3])), n)
    assert_bit_exact(a, np.asarray(ref, dtype=np.int64), f"a ({mode})")


def test_synapse_full_period_product():
    """Two LFSRs of coprime periods (2^5-1, 2^7-1): over the joint period every state pair occurs once,
    so the count of ones of x AND w is exactly (X-1)(W-1)."""
    x = SNG(FibonacciLFSR(5, 3), 20)
    w = SNG(FibonacciLFSR(7, 9), 70)
    syn = Synapse(x, w)
    n = 31 * 127
    assert syn.run(n)["y"].sum() == 19 * 69
    assert check_correlation(syn).ok


def test_shared_source_is_flagged_and_clocked_once():
    lfsr = FibonacciLFSR(8, 5)
    syn = Synapse(SNG(lfsr, 100), SNG(lfsr, 200))
    rep = check_correlation(syn)
    assert not rep.ok and rep.issues[0].severity == "error"
    # a shared source advances once per cycle: AND gives min(X, W) comparisons
    states = FibonacciLFSR(8, 5).sequence(255)
    assert_bit_exact(syn.run(255)["y"], (states < 100).astype(np.int64), "min(p, q)")


def test_mux_select_is_shared_and_uniform():
    core = make_layer(4, 2, 10, "mux", 7)
    hw = DenseLayer.from_fixed_point(core)
    assert hw.sources[0].select is hw.sources[1].select
    assert hw.sources[0].synapses[2].x is hw.sources[1].synapses[2].x  # shared input SNGs
    # over the full period of the select LFSR each of the 4 inputs is selected 2^8 (or 2^8 - 1) times
    sel = (FibonacciLFSR(10, 5).sequence(1023) * 4) >> 10
    assert sorted(np.bincount(sel).tolist()) == [255, 256, 256, 256]


@pytest.mark.rtl
@pytest.mark.parametrize("mode", ["count", "or", "mux"])
def test_dense_layer_rtl_cosimulation(tmp_path, mode):
    require_tool("iverilog")
    require_tool("vvp")
    core = make_layer(4, 2, 7, mode, 11)
    hw = DenseLayer.from_fixed_point(core)
    res = cosimulate(hw, 600, workdir=tmp_path)
    assert res.ok, str(res)
    assert_bit_exact(res.rtl["spike"], spike_bus(core.run(600)), "RTL spikes vs core")
    assert res.rtl["spike"].sum() > 0


@pytest.mark.rtl
def test_synapse_and_current_source_rtl(tmp_path):
    require_tool("iverilog")
    syns = [Synapse(SNG(FibonacciLFSR(6, s), 20 + s), SNG(FibonacciLFSR(6, 40 + s), 50 - s), bipolar=s % 2 == 1)
            for s in (1, 2, 3)]
    for blk in (syns[0], syns[1], CurrentSource(syns, "count"),
                CurrentSource(syns, "mux", FibonacciLFSR(6, 11)), CurrentSource(syns, "or")):
        res = cosimulate(blk, 300, workdir=tmp_path)
        assert res.ok, str(res)


def test_bad_input():
    lf = FibonacciLFSR(6, 3)
    with pytest.raises(ValueError, match="Synapse: x must have a constant threshold"):
        Synapse(SNG(lf), SNG(FibonacciLFSR(6, 4), 3))
    with pytest.raises(TypeError, match="Synapse: w must be an SNG"):
        Synapse(SNG(lf, 3), lf)  # type: ignore[arg-type]
    syn = Synapse(SNG(lf, 3), SNG(FibonacciLFSR(6, 4), 3))
    with pytest.raises(ValueError, match="CurrentSource: synapses must be a non-empty sequence"):
        CurrentSource([])
    with pytest.raises(ValueError, match="CurrentSource: accumulation must be one of"):
        CurrentSource([syn], "sum")
    with pytest.raises(ValueError, match="CurrentSource: accumulation 'mux' needs an LFSR select source"):
        CurrentSource([syn], "mux")
    cs = CurrentSource([syn, syn], "count")
    with pytest.raises(ValueError, match="DenseLayer: neurons must share one width; got widths \\[8, 10\\]"):
        DenseLayer([cs, cs], [FixedPointLIFNeuron(8, 10), FixedPointLIFNeuron(10, 10)], 1)
    with pytest.raises(ValueError, match="DenseLayer: sources and neurons must be non-empty and of equal length"):
        DenseLayer([cs], [], 1)
    with pytest.raises(ValueError, match=r"DenseLayer: bias \+ gain \* a must be in \[-128, 127\].*got 130"):
        DenseLayer([cs], [FixedPointLIFNeuron(8, 10)], 60, 10)
    with pytest.raises(ValueError, match=r"DenseLayer: gain must be an integer in \[-128, 127\]; got 300"):
        DenseLayer([cs], [FixedPointLIFNeuron(8, 10)], 300)
