"""The bit-exact contract over long runs: at least 2^16 clock cycles per drawn case.

The other contract tests draw many short runs; these draw a few runs longer than
the period of a 16-bit LFSR, so every register state of the stream generators is
visited and a divergence that only shows after a wrap-around would be caught.
The gate-level models run at roughly 10^4 - 10^5 cycles/s, so the examples are
few and the tests are marked slow (deselected in the NUMBA_DISABLE_JIT profile).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hw_models import DenseLayer, FixedPointLIFNeuron, assert_bit_exact
from sc_neurocore import FixedPointDenseLayer, FixedPointLIF, QFormat

LONG = 1 << 16

pytestmark = pytest.mark.slow


@settings(max_examples=4)
@given(n_in=st.integers(1, 3), n_out=st.integers(1, 2), width=st.integers(8, 16),
       mode=st.sampled_from(["count", "or", "mux"]), seed=st.integers(0, 2**32),
       extra=st.integers(0, 4096), zero_state=st.booleans())
def test_dense_layer_contract_over_2_16_cycles(n_in, n_out, width, mode, seed, extra, zero_state):
    rng = np.random.default_rng(seed)
    core = FixedPointDenseLayer(n_out, rng.random(n_in), rng.random((n_out, n_in)), mode, gain=0.125,
                                bias=0.0625, lfsr_width=width, seed=seed, qformat=QFormat(10, 6),
                                v_threshold=0.5, leak_shift=2, refractory_period=1, zero_state=zero_state)
    hw = DenseLayer.from_fixed_point(core)
    n = LONG + extra
    out = hw.run(n)
    spikes = core.run(n)
    bus = (spikes.astype(np.int64) << np.arange(n_out)).sum(axis=1)
    assert_bit_exact(out["spike"], bus, "spike bus")
    v = np.stack([out[f"v{r}"] for r in range(n_out)], axis=1)
    assert_bit_exact(v[1:], core.last_v_raw[:-1], "membrane")


@settings(max_examples=4)
@given(width=st.integers(6, 24), k=st.integers(0, 5), refractory=st.integers(0, 7),
       seed=st.integers(0, 2**32))
def test_lif_contract_over_2_16_cycles(width, k, refractory, seed):
    lo, hi = -(1 << (width - 1)), (1 << (width - 1)) - 1
    v_th = hi // 2
    # mean input 0.75 hi / 2^k: the leak balances it at v ~ 0.75 hi > v_th, so the neuron
    # integrates, fires and is reset over and over (and saturates for small k)
    m = max(hi >> k, 1)
    cur = np.clip(np.random.default_rng(seed).integers(-(m // 2), 2 * m + 1, LONG), lo, hi)
    blk = FixedPointLIFNeuron(width, v_th, 0, 0, k, refractory)
    out = blk.run(LONG, {"i": cur})
    core = FixedPointLIF(1, QFormat(width, 0), float(v_th), 0.0, 0.0, k, refractory)
    spikes, volts = core.run_raw(cur)
    assert_bit_exact(out["spike"], spikes[:, 0], "spike")
    assert_bit_exact(out["v"][1:], volts[:-1, 0], "membrane")
    assert lo <= volts.min() and volts.max() <= hi
    assert spikes.sum() > 100
