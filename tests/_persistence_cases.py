"""Valid network and reservoir files for the untrusted-input and fuzz tests of the loaders (test helper).

Kept small (a few KB per file) so that hundreds of mutated copies load in seconds.
"""

from __future__ import annotations

import io
from typing import Any

import numpy as np

from sc_neurocore.network import (
    STDP,
    BinaryInput,
    BitstreamInput,
    Current,
    Homeostasis,
    Network,
    PoissonInput,
    Population,
    Reservoir,
    TsodyksMarkram,
    from_arrays,
)


def small_network(synapse: str = "deterministic", n: int = 300, steps: int = 40, stp: bool = False) -> Network:
    """A ``n``-neuron network with mixed delays (1..4), every input kind, STDP, homeostasis and a monitor
    (and per-neuron short-term plasticity with ``stp``), run ``steps``."""
    rng = np.random.default_rng(5)
    m = 4 * n
    pre = rng.integers(0, n, m)
    post = rng.integers(0, n, m)
    w = rng.uniform(0.05, 0.45, m) * np.where(pre < (4 * n) // 5, 1.0, -1.0)
    conn = from_arrays(pre, post, w, rng.integers(1, 5, m), n_pre=n)
    pop = Population(n, v_rest=0.0, v_reset=0.0, threshold=1.0, tau_m=10.0, refractory=0.3, dt=0.1)
    net = Network(pop, conn, synapse=synapse, w_scale=0.5 if synapse != "deterministic" else None,
                  lfsr_width=10, seed=7)
    net.add_input(PoissonInput(rng.uniform(200.0, 900.0, 20), 0.6, seed=8))
    net.add_input(BinaryInput(rng.integers(0, 2, (3, 70)), 0.5, targets=[20, 21, 22]))
    net.add_input(BitstreamInput(rng.integers(0, 2, (2, 100)), 0.7, targets=[23, 24]))
    net.add_input(Current(rng.uniform(0.0, 8.0, 50), targets=np.arange(25, 30), time_varying=True))
    net.add_input(Current(np.full(n, 2.0), time_varying=False))
    net.set_stdp(STDP(tau_plus=2.0, tau_minus=4.0, A_plus=0.01, A_minus=0.01, W_max=0.5))
    net.set_homeostasis(Homeostasis(theta_plus=0.1, tau_theta=5.0))
    net.monitor([0, 5, 299 % n])
    if stp:
        net.set_stp(TsodyksMarkram(rng.uniform(0.1, 1.0, n), rng.uniform(0.0, 50.0, n), rng.uniform(0.0, 80.0, n)))
    net.run(steps)
    return net


def small_reservoir() -> Reservoir:
    """A 40-neuron small-world reservoir after one simulation."""
    r = Reservoir(40, n_inputs=4, n_outputs=6, k=6, mean_weight=0.3, seed=3)
    r.simulate((np.random.default_rng(1).random((4, 30)) < 0.2).astype(np.uint8))
    return r


def file_bytes(obj: Any) -> bytes:
    """The bytes ``obj.save`` writes."""
    buf = io.BytesIO()
    obj.save(buf)
    return buf.getvalue()


def arrays_of(data: bytes) -> dict[str, np.ndarray]:
    """Every array of a (trusted, our own) npz file."""
    with np.load(io.BytesIO(data), allow_pickle=False) as z:
        return {k: z[k] for k in z.files}


def npz_bytes(arrays: dict[str, Any]) -> bytes:
    """An npz file holding ``arrays`` (object arrays are pickled, as ``np.savez`` does)."""
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()
