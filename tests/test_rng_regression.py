"""Bit-for-bit regression of every public random path (issue #9 §4, issue #8 §3).

Each case builds a small, fixed-seed output of one public random path and
compares the SHA-256 of its canonical bytes with a value stored before the
random-number primitives were consolidated into ``_kernels/_hash.py``.  A
refactor of the hash, the stream keys, the comparators or the tap masks that
changes any bit of any path fails here.  One digest changed on purpose since:
``network.synapse.lfsr_ties``, whose weights are rounding ties, when the
network's SC synapses took the encoders' round-half-to-even rule (issue #8 §3;
the tests at the end check that rule directly).  The canonical bytes of an array are
its dtype kind and item size, its shape and its C-order little-endian data, so
the digests are the same on every machine (and with ``NUMBA_DISABLE_JIT=1``).

Regenerate (only for an intended, explained change of the random bits)::

    PYTHONPATH=$PWD python tests/test_rng_regression.py
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import numpy as np
import pytest

import hw_models
import sc_neurocore as sc
from sc_neurocore import bitstream as bs
from sc_neurocore import network as net
from sc_neurocore._kernels import _network as K
from sc_neurocore._kernels._hash import hash3_py, prob_threshold, prob_thresholds
from sc_neurocore._taps import MAXIMAL_TAPS, tap_mask
from sc_neurocore.bitstream._encoders import _thresholds

L = 200  # cycles: three full words and a partial one


def _canonical(a: np.ndarray) -> bytes:
    a = np.ascontiguousarray(a)
    head = f"{a.dtype.kind}{a.dtype.itemsize}{a.shape}".encode()
    return head + a.astype(a.dtype.newbyteorder("<"), copy=False).tobytes()


def digest(arrays: list[np.ndarray]) -> str:
    """SHA-256 (hex) of the canonical bytes of ``arrays``, in order."""
    h = hashlib.sha256()
    for a in arrays:
        h.update(_canonical(np.asarray(a)))
    return h.hexdigest()


_P = np.linspace(0.0, 1.0, 23)  # includes 0, 1 and values with long binary expansions


def _bernoulli() -> list[np.ndarray]:
    return [bs.bernoulli(_P, L, seed=11), bs.bernoulli(_P, 1000, seed=12, stream_offset=5)]


def _lfsr() -> list[np.ndarray]:
    return [bs.lfsr(_P, L, width=w, seed=s, zero_state=z)
            for w, s, z in ((16, 1, False), (7, 5, True), (12, 77, False))] + [bs.lfsr_states(L, 9, 3)]


def _sobol() -> list[np.ndarray]:
    return [bs.sobol(_P, L), bs.sobol(_P, L, dimension=3, skip=37), bs.sobol_points(L, 5, 1000)]


def _mux_add() -> list[np.ndarray]:
    return [bs.mux_add(bs.bernoulli(np.array([[0.2, 0.7], [0.5, 0.9], [0.1, 0.3]]), L, seed=4), L, seed=6)]


def _encoder() -> list[np.ndarray]:
    x = np.linspace(-1.0, 2.0, 13)
    out = [sc.BitstreamEncoder(-1.0, 2.0, L, seed=3).encode_packed(x)]
    out.append(sc.BitstreamEncoder(-1.0, 2.0, L, seed=3, mode="lfsr", lfsr_width=10).encode_packed(x))
    out.append(sc.BitstreamEncoder(-1.0, 2.0, L, mode="sobol", sobol_dimension=2).encode_packed(x))
    return out


def _synapse() -> list[np.ndarray]:
    pre = bs.bernoulli(np.array([0.6]), L, seed=2)[0]
    return [sc.BitstreamSynapse(0.0, 1.0, L, w=w, seed=s, mode=m, bipolar=b).apply_packed(pre)
            for w, s, m, b in ((0.37, 9, "bernoulli", False), (0.8, 9, "lfsr", False), (0.25, None, "sobol", True))]


def _dense_layer() -> list[np.ndarray]:
    rng = np.random.default_rng(0)  # only for the parameters; the layer's bits come from base_seed
    x = rng.random(5)
    w = rng.random((6, 5))
    out = []
    for acc in ("or", "count", "mux"):
        layer = sc.SCDenseLayer(6, x, w, length=L, y_min=0.02, y_max=0.09, accumulation=acc, base_seed=21,
                                neuron_params={"noise_std": 0.05, "tau_mem": 10.0, "v_threshold": 0.5})
        out.append(layer.run(300))
        out.append(layer.currents())
    return out


def _current_source() -> list[np.ndarray]:
    src = sc.BitstreamCurrentSource([0.5, 0.8, 0.3], 0.0, 1.0, [0.6, 0.4, 0.9], 0.0, 1.0, length=130, seed=5)
    return [src.currents(), src.weight_words]


def _neuron() -> list[np.ndarray]:
    n = sc.StochasticLIFNeuron(noise_std=0.3, tau_mem=5.0, refractory_period=2, seed=17, noise_stream=4)
    a = n.run_constant(0.15, 300)
    b = np.array([n.step(0.2) for _ in range(50)], dtype=np.uint8)
    return [a, b, np.array([n.v])]


def _fixed_point_layer() -> list[np.ndarray]:
    rng = np.random.default_rng(1)
    out = []
    for acc in ("or", "count", "mux"):
        layer = sc.FixedPointDenseLayer(4, rng.random(3), rng.random((4, 3)), acc, lfsr_width=12, seed=8,
                                        zero_state=acc == "mux")
        out += [layer.run(150), layer.last_v_raw, layer.last_acc]
    return out


def _connectivity() -> list[np.ndarray]:
    er = net.erdos_renyi(60, 0.1, weight=0.4, weight_std=0.1, seed=31)
    ws = net.watts_strogatz(50, 6, 0.3, weight=0.2, weight_std=0.05, seed=32)
    return [er.indptr, er.indices, er.weights, ws.indptr, ws.indices, ws.weights]


def _events(ev: net.SpikeEvents) -> list[np.ndarray]:
    return [ev.neurons, ev.steps]


def _poisson() -> list[np.ndarray]:
    n = net.Network(net.Population(30, dt=0.1), seed=1)
    n.add_input(net.PoissonInput(np.linspace(0.0, 4000.0, 60), 0.4, targets=np.arange(60) % 30, seed=41))
    return _events(n.run(400))


def _sc_network(synapse: str, width: int, weights: np.ndarray) -> list[np.ndarray]:
    n_pre = 20
    pre = np.repeat(np.arange(n_pre), 4)
    post = (pre + np.tile(np.arange(1, 5), n_pre)) % n_pre
    conn = net.from_arrays(pre, post, weights, 1, n_pre=n_pre)
    n = net.Network(net.Population(n_pre, dt=0.1, refractory=0.2), conn, synapse=synapse, lfsr_width=width,
                    w_scale=1.0, seed=51)
    n.add_input(net.PoissonInput(2000.0, 0.6, n=n_pre, seed=52))
    ev = n.run(300)
    return _events(ev) + [n.lfsr, n.v]


_W_RANDOM = np.random.default_rng(2).uniform(-1.0, 1.0, 80)


def _sc_bernoulli() -> list[np.ndarray]:
    return _sc_network("bernoulli", 16, _W_RANDOM)


def _sc_lfsr() -> list[np.ndarray]:
    return _sc_network("lfsr", 12, _W_RANDOM)


def _sc_lfsr_ties() -> list[np.ndarray]:
    # |w| * 2^4 = k + 1/2 exactly: the comparator threshold is a rounding tie (issue #8 §3)
    w = (2.0 * (np.arange(80) % 16) + 1.0) / 32.0 * np.where(np.arange(80) % 3, 1.0, -1.0)
    return _sc_network("lfsr", 4, w)


def _decision() -> list[np.ndarray]:
    task = net.DecisionTask(n=40, n_pool=4, window_ms=20.0, seed=1)
    out = []
    for synapse in ("deterministic", "bernoulli"):
        tr = task.run_trials(4, seed=61, synapse=synapse)
        out += [tr.counts, tr.rates_hz, tr.network_rate_hz]
    return out


def _reservoir() -> list[np.ndarray]:
    x = (np.random.default_rng(5).random((4, 60)) < 0.2).astype(np.uint8)
    out = []
    for synapse in ("deterministic", "bernoulli", "lfsr"):
        r = net.Reservoir(40, n_inputs=4, n_outputs=6, k=6, p_rewire=0.2, mean_weight=0.3, synapse=synapse,
                          seed=3)
        out += _events(r.simulate(x)) + [r.get_output_neurons()]
    return out


def _hw_lfsr_jump() -> list[np.ndarray]:
    return [np.array([hw_models.lfsr_jump(5, k, w) for w in (3, 12, 32) for k in (0, 1, 1000, 2**40 + 3)],
                     dtype=np.uint64)]


CASES: dict[str, Callable[[], list[np.ndarray]]] = {
    "bitstream.bernoulli": _bernoulli,
    "bitstream.lfsr": _lfsr,
    "bitstream.sobol": _sobol,
    "bitstream.mux_add": _mux_add,
    "BitstreamEncoder": _encoder,
    "BitstreamSynapse": _synapse,
    "SCDenseLayer.run": _dense_layer,
    "BitstreamCurrentSource": _current_source,
    "StochasticLIFNeuron.noise": _neuron,
    "FixedPointDenseLayer": _fixed_point_layer,
    "network.connectivity": _connectivity,
    "network.PoissonInput": _poisson,
    "network.synapse.bernoulli": _sc_bernoulli,
    "network.synapse.lfsr": _sc_lfsr,
    "network.synapse.lfsr_ties": _sc_lfsr_ties,
    "network.DecisionTask": _decision,
    "network.Reservoir": _reservoir,
    "hw_models.lfsr_jump": _hw_lfsr_jump,
}

EXPECTED: dict[str, str] = {
    'BitstreamCurrentSource': '83dd6c8986447d5c0adb9e8184acf460e7e18067c9871c94140e3ebce6a9d068',
    'BitstreamEncoder': '9db9cb1dc5f379ecdce53e660438df04710190fe121a851d9528779929358e9d',
    'BitstreamSynapse': 'a819cffd226d7ce84e30a0f5ad6479a199d9d8aa28b0f3134dadad7ae75f151c',
    'FixedPointDenseLayer': '61c16c72374318e2ac8c34f74c2ad59e564992249dd15f1829b03e7d623b487f',
    'SCDenseLayer.run': '3774ac8f098b78519d382299ff923da0ba2fbc43bfad259b842718ba9d7bf95b',
    'StochasticLIFNeuron.noise': '368ff731393fa6937aa3bf34e0133d10997f56a3d6b3ecde42856d3e27a12cdb',
    'bitstream.bernoulli': '2cda662ff6fe244d34dbbccaee1226eeb129513ba4b6e098694e6e379a49ee21',
    'bitstream.lfsr': '5408e4f3cc0a3105cb0d5ecc48e3953fe05818bdf74f578dab993c73aa0df826',
    'bitstream.mux_add': '4f942309713b323a841436aa91fe91184eddd3955a4e1ac5185fa154e6305c64',
    'bitstream.sobol': '180212758720ad9edb38d567d1299a55933a518e6549df651c2542d591628d65',
    'hw_models.lfsr_jump': '46e000693ce68bd910162745d88b17fb933aa5d1a7ab02d3e285f67736b2d8a0',
    'network.DecisionTask': '9f89f32bb5e70420b60550fe937b7f9fd253bb92b1d7dc7106b1248efac2a5b0',
    'network.PoissonInput': '213f50963c68713dd0a5cd45acce6db6a3136ff14a1395a0eeeed24b1dd2be43',
    'network.Reservoir': '0aaa18a5c5731a0f2fb965030c51ef12056cd2aa117cf85a7008cb9be1aecb46',
    'network.connectivity': '20f7a659e6ff38395ae243180100586a7656a60445cfb43098b535af177eebe4',
    'network.synapse.bernoulli': '70185942e85239b88ee7a3ac612bff137f7647570cf5d6b81082dbd3031bf1f6',
    'network.synapse.lfsr': 'aa8135fe4b37a4c6ce64a2d54fdbb0d15226e971cb8217e51a9eb7ab699ac1ae',
    'network.synapse.lfsr_ties': '30e36e54ff8b672ede8d9d8ae9e4159c7a3d201022299aae38cb4e88e3daa76d',
}


def test_every_case_has_a_stored_digest() -> None:
    assert sorted(EXPECTED) == sorted(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_random_bits_unchanged(name: str) -> None:
    assert digest(CASES[name]()) == EXPECTED[name]


def test_digest_is_byte_order_and_shape_canonical() -> None:
    a = np.arange(6, dtype=np.uint64)
    assert digest([a]) == digest([a.astype(">u8")])
    assert digest([a]) != digest([a.reshape(2, 3)])
    assert digest([a]) != digest([a.astype(np.int64)])
    assert digest([a[::2]]) == digest([a[::2].copy()])


# --------------------------------------------------------------------------- threshold rounding (issue #8 §3)


def _encoder_threshold(p: float, bits: int) -> int:
    return int(_thresholds(np.array([p]), bits)[0])


def _transmit(mode: int, s: int, t: int, p: float, k: tuple[int, int], state: int, width: int) -> bool:
    """Whether the network's SC synapse ``s`` (|w| / w_scale = p) transmits the spike of step ``t``."""
    lfsr = np.array([0] * s + [state], dtype=np.uint32)
    jump = K._transmit(mode, s, t, np.float32(p), 1.0, np.float32(1.0), np.uint64(k[0]), np.uint64(k[1]), lfsr,
                       np.uint32(tap_mask(MAXIMAL_TAPS[width])), width, np.uint32((1 << width) - 1))
    return bool(jump != 0.0)


@pytest.mark.parametrize("bits", [1, 4, 10, 16, 23, 32])
def test_one_threshold_rule(bits: int) -> None:
    # kernel scalar, array form and the hw_models reference agree, ties (2k + 1) / 2^(bits + 1) included
    k = np.unique(np.r_[0:8, (1 << bits) - 8:1 << bits].clip(0, (1 << bits) - 1))
    p = np.r_[(2 * k + 1) / 2.0 ** (bits + 1), 0.0, 1.0, np.random.default_rng(bits).random(20)]
    arr = prob_thresholds(p, bits)
    assert arr.dtype == np.uint64 and arr.flags.c_contiguous
    for pi, t in zip(p, arr, strict=True):
        assert int(prob_threshold(pi, bits)) == int(t) == hw_models.threshold_of(float(pi), bits), (pi, bits)
    ties = arr[: k.size].astype(np.int64)
    np.testing.assert_array_equal(ties, k + (k % 2))  # half to even


@pytest.mark.parametrize(("width", "ks"), [(4, range(16)), (10, (0, 1, 2, 3, 256, 511, 1022, 1023))])
def test_lfsr_synapse_tie_rounds_as_the_encoders(width: int, ks: range) -> None:
    # p = (2k + 1) / 2^(n+1): p 2^n = k + 1/2 exactly, a tie.  The synapse transmits while state < X,
    # so X is the number of register values (0 .. 2^n - 1) that transmit; it must be the encoders' X
    # (round half to even: k for even k, k + 1 for odd k).  Half-up gave k + 1 for every k.
    for k in ks:
        p = (2 * k + 1) / 2 ** (width + 1)
        x = sum(_transmit(2, 0, 0, p, (0, 0), st, width) for st in range(1 << width))
        assert x == _encoder_threshold(p, width) == hw_models.threshold_of(p, width) == k + (k % 2), (width, k)


@pytest.mark.parametrize("parity", [0, 1])
def test_bernoulli_synapse_tie_rounds_as_the_encoders(parity: int) -> None:
    # The synapse's bit is u < T with u = hash3(key, s, t) >> 32.  Find (s, t) whose u is below 2^23
    # (so p = (2u + 1) / 2^33, a tie at 32 bits, is exact in float32) and has the given parity; the
    # encoders' T is u for even u (no transmission) and u + 1 for odd u.  Half-up gave u + 1 for both.
    key = (12345, 678)
    s, t, u = next((s, t, u) for s in range(64) for t in range(4096)
                   if (u := hash3_py(key[0], key[1], s, t) >> 32) < 2**23 and u % 2 == parity)
    p = (2 * u + 1) / 2**33
    thr = _encoder_threshold(p, 32)
    assert thr == u + parity
    assert _transmit(1, s, t, p, key, 1, 16) == (u < thr) == bool(parity)


if __name__ == "__main__":  # print the digests of the current code (see the module docstring)
    for key in sorted(CASES):
        print(f"    {key!r}: {digest(CASES[key]())!r},")
