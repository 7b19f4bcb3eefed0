"""Files written before the model refactor (format 1) still load and continue bit for bit.

``tests/data/network_format1.npz`` was saved by the code before issue #13 §1
(commit 743454a) from :func:`build` after 150 steps (LFSR synapses, STDP,
homeostasis, a monitor, Poisson and bit inputs, per-synapse delays).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from sc_neurocore.network import (
    STDP,
    BitstreamInput,
    Homeostasis,
    Network,
    PoissonInput,
    Population,
    from_arrays,
    load_network,
)

FILE = Path(__file__).parent / "data" / "network_format1.npz"


def build() -> Network:
    rng = np.random.default_rng(3)
    n = 40
    mask = rng.random((n, n)) < 0.2
    np.fill_diagonal(mask, False)
    pre, post = np.nonzero(mask)
    w = np.where(pre < 32, 0.1, -0.2).astype(np.float32)
    d = rng.integers(1, 6, size=pre.shape[0]).astype(np.int8)
    pop = Population(n, tau_m=rng.uniform(10.0, 30.0, n), refractory=2.0, dt=0.1, n_exc=32)
    net = Network(pop, from_arrays(pre, post, w, d, n_pre=n), synapse="lfsr", w_scale=0.25, lfsr_width=10,
                  seed=2)
    net.add_input(PoissonInput(1500.0, 0.15, n=n, seed=3))
    net.add_input(BitstreamInput((rng.random((n, 250)) < 0.05).astype(np.uint8), 0.3))
    net.set_stdp(STDP(A_plus=0.005, A_minus=0.006, W_max=0.25))
    net.set_homeostasis(Homeostasis(theta_plus=0.05, tau_theta=50.0))
    net.monitor(np.array([0, 7, 39]))
    return net


def test_format1_file_loads_and_resumes_bit_identically() -> None:
    loaded = load_network(FILE)
    assert loaded.t == 150
    loaded.run(150)
    ref = build()
    ref.run(300)
    assert len(ref.spikes) > 100  # the comparison below is about a busy network
    np.testing.assert_array_equal(loaded.spikes.neurons, ref.spikes.neurons)
    np.testing.assert_array_equal(loaded.spikes.steps, ref.spikes.steps)
    for name in ("v", "refr", "ring", "theta", "xpre", "xpost", "lfsr"):
        np.testing.assert_array_equal(getattr(loaded, name), getattr(ref, name), err_msg=name)
    np.testing.assert_array_equal(loaded.connectivity.weights, ref.connectivity.weights)
    np.testing.assert_array_equal(loaded.v_trace.v, ref.v_trace.v)
