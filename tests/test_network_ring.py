"""The engine's memory savings (issue #13 §3) give the reference bits: the delay ring read only where
it was written, and epochs sized by refractoriness.

After the first ``max_delay + 1`` steps of a run, a step's ring row is read
only for the groups of ``chunk / 64`` neurons a delivery wrote since the row
was last read; the other groups are known to hold +0.0.  The first pass reads
whole rows, so a ring edited in place (any values, ``-0.0`` included) or
loaded from a file is consumed exactly.  Checked bit for bit against the
plain-Python reference of ``test_network_sim`` (LIF, every synapse mode) and,
for the other models and short-term plasticity, against ``run(1)`` repeated
(a one-step run never leaves the whole-row pass): spikes, state and the ring
itself.

Epochs are cut to what the free spike record holds in the worst case
(``epoch_steps``: each neuron spikes at most once per ``min(refr_steps) + 1``
steps), checked against a brute-force count and on a network firing at that
bound.  The one-pass weight check (``abs_max_bits``) against NumPy.
"""

from __future__ import annotations

from collections.abc import Iterator

import numba
import numpy as np
import pytest
from conftest import NOJIT
from test_network_sim import _small_net, reference

from sc_neurocore._kernels import _network as KN
from sc_neurocore.network import COBA, Current, ExpSynLIF, Izhikevich, Network, Population, TsodyksMarkram

F = np.float32


@pytest.fixture(params=["serial", "threaded"])
def engine(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The serial path (one 1024-neuron chunk: 16 neurons per dirty bit) or two threads over
    64-neuron chunks (one neuron per bit)."""
    before = numba.get_num_threads()
    if request.param == "threaded":
        monkeypatch.setattr(KN, "PAR_MIN_NEURONS", 0)
        monkeypatch.setattr(KN, "CHUNK", 64)
        numba.set_num_threads(min(2, numba.config.NUMBA_NUM_THREADS))
    yield request.param
    numba.set_num_threads(before)


def _edit_ring(net: Network, seed: int) -> None:
    """Edit the ring in place: random jumps in a fifth of the entries, -0.0 in another fifth."""
    rng = np.random.default_rng(seed)
    r = net.ring
    u = rng.random(r.shape)
    r[u < 0.2] = rng.uniform(-0.3, 0.6, r.shape)[u < 0.2].astype(F)
    r[u > 0.8] = F(-0.0)


def _bits(a: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(a).view(np.uint32 if a.dtype == F else a.dtype)


@pytest.mark.parametrize("synapse", ["deterministic", "bernoulli", "lfsr"])
def test_edited_ring_matches_reference(engine, synapse):
    steps = 40 if NOJIT else 120
    net = _small_net(synapse, n=200, delay_max=5)  # ring of 6 rows: 34 / 114 steps after the first pass
    _edit_ring(net, 1)
    ring = net.ring.copy()
    ref_spikes, ref_v, ref_w = reference(net, steps, ring)
    sp = net.run(steps)
    assert len(ref_spikes) > 50
    assert list(zip(sp.steps.tolist(), sp.neurons.tolist(), strict=True)) == ref_spikes
    np.testing.assert_array_equal(_bits(net.v), _bits(ref_v))
    np.testing.assert_array_equal(_bits(net.ring), _bits(ring))


def _model_net(model: str) -> Network:
    net = _small_net("deterministic", n=200, delay_max=5)
    if model == "stp":
        net.set_stp(TsodyksMarkram(0.3, 100.0, 50.0))
        return net
    neuron = {"expsyn": ExpSynLIF(2.0), "izh": Izhikevich(), "coba": COBA()}[model]
    m = Network(net.population, net.connectivity, neuron=neuron, seed=0)
    for inp in net.inputs:
        m.add_input(inp)
    return m


@pytest.mark.parametrize("model", ["expsyn", "izh", "coba", "stp"])
def test_long_run_equals_one_step_runs(engine, model):
    steps = 30 if NOJIT else 100
    a, b = _model_net(model), _model_net(model)
    for net in (a, b):
        _edit_ring(net, 2)
    sa = a.run(steps)
    sb = [b.run(1) for _ in range(steps)]
    assert sa.neurons.size > 20
    assert sa.steps.tolist() == [int(s) for r in sb for s in r.steps]
    assert sa.neurons.tolist() == [int(i) for r in sb for i in r.neurons]
    for name in [f.name for f in a.state_fields]:
        np.testing.assert_array_equal(_bits(getattr(a, name)), _bits(getattr(b, name)), err_msg=name)


def test_epochs_cut_by_refractoriness_keep_every_spike():
    """Every neuron spikes as often as its refractoriness allows (every ``r + 1 = 5`` steps): the
    engine's epochs, sized by ``ceil(E / (r + 1))`` spikes per neuron against the free record
    (4096 events here: 13 spikes per neuron, so every epoch is cut near the end of the buffer),
    lose and reorder nothing across the record's growths."""
    n, steps = 300, 200
    pop = Population(n, tau_m=10.0, refractory=0.5, dt=0.1)  # hold_steps = round(5) - 1 = 4
    assert int(pop.hold_steps.min()) == 4
    net = Network(pop)
    net.add_input(Current(np.full(n, 200.0), time_varying=False))  # dt I = 20 >= threshold: fires when free
    cap0 = net._sp_n.shape[0]
    sp = net.run(steps)
    assert net._sp_n.shape[0] > cap0 > n * 5
    fire = np.arange(0, steps, 5)
    np.testing.assert_array_equal(sp.steps, np.repeat(fire, n))
    np.testing.assert_array_equal(sp.neurons, np.tile(np.arange(n), fire.size))


@pytest.mark.parametrize("r_min", [0, 1, 4, 19])
def test_epoch_steps_is_the_longest_safe_epoch(r_min):
    """Against the definition: every neuron spiking as often as ``r_min`` allows, ``E`` steps hold at
    most ``ceil(E / (r_min + 1))`` spikes each (counted by brute force, from every phase)."""
    n = 7

    def most(e: int) -> int:  # spikes of one neuron in e steps, first spike at the best phase
        return max(len(range(ph, e, r_min + 1)) for ph in range(r_min + 1)) if e else 0

    for limit in (1, 5, 16):
        for free in range(0, 8 * n):
            e = KN.epoch_steps(limit, free, n, r_min)
            assert 0 <= e <= limit and n * most(e) <= free
            assert e == limit or n * most(e + 1) > free  # the longest


@pytest.mark.parametrize("seed", range(4))
def test_abs_max_bits_matches_numpy(seed):
    """The one-pass weight check: the bits of ``max |w|`` for finite weights (signed zeros,
    subnormals, float32 extremes), and at least the bits of +inf once any weight is inf or NaN."""
    rng = np.random.default_rng(seed)
    w = (rng.standard_normal(1000) * 10.0 ** rng.integers(-40, 38, 1000)).astype(F)
    w[:4] = [F(-0.0), F(0.0), np.finfo(F).smallest_subnormal, -np.finfo(F).max * F(seed % 2)]
    rng.shuffle(w)
    want = np.abs(w).max()
    got = np.uint32(KN.abs_max_bits(w.view(np.uint32)))
    assert got.view(F) == want and got == want.view(np.uint32)
    assert KN.abs_max_bits(np.zeros(3, F).view(np.uint32)) == 0
    assert KN.abs_max_bits(np.array([-0.0], F).view(np.uint32)) == 0
    for bad in (np.inf, -np.inf, np.nan, -np.nan):
        v = w.copy()
        v[rng.integers(0, v.size)] = bad
        assert KN.abs_max_bits(v.view(np.uint32)) >= 0x7F800000
