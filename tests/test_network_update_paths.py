"""The fast paths of the clock-driven neuron update (issue #13 §3) give the reference bits.

* Poisson generators that drive their own neuron (``_poisson_own``, a
  vectorised loop) against ``hash3_py`` and against the plain-Python network
  reference of ``test_network_sim``, mixed with generators that take the
  by-target index;
* every model's shared-parameter path (``uni``: scalars) against its
  per-neuron path (arrays), bit for bit, on random states;
* ``uni`` is decided on bit patterns (``0.0`` and ``-0.0`` differ).
"""

from __future__ import annotations

import numpy as np
import pytest
from conftest import NOJIT
from test_network_sim import reference

from sc_neurocore._kernels import _neuron_models as M
from sc_neurocore._kernels._hash import counter_key, hash3_py
from sc_neurocore._kernels._network import _poisson_own, identity_prefix, poisson_prehash
from sc_neurocore.network import (
    COBA,
    LIF,
    Current,
    ExpSynLIF,
    Izhikevich,
    Network,
    PoissonInput,
    Population,
    from_arrays,
)

F = np.float32


@pytest.mark.parametrize("split", [False, True])
def test_poisson_own_matches_hash3_py(split):
    rng = np.random.default_rng(5)
    n, lo, hi, t = 200, 64, 190, 37
    key = (12345, 678)
    keys = np.tile(np.array(key, dtype=np.uint64), (n, 1))
    pre = poisson_prehash(keys, np.arange(n, dtype=np.int64))
    thr = np.ceil(rng.uniform(0.0, 1.0, n) * 2.0**53).astype(np.uint64)
    amp = rng.uniform(-1.0, 1.0, n).astype(F)
    amp[::7] = -0.0  # a negative zero is excitatory (not < 0), as in the by-target loop
    buf = rng.uniform(-1.0, 1.0, 2 * n).astype(F)
    buf[::5] = -0.0  # x + 0 would turn -0.0 into +0.0: an unfired generator must leave x alone
    want = buf.copy()
    fired = []
    for q in range(lo, hi):
        if (hash3_py(*key, q, t) >> 11) < int(thr[q]):
            j = q + n if split and amp[q] < 0.0 else q
            want[j] = F(want[j] + amp[q])
            fired.append(q)
    assert 0 < len(fired) < hi - lo and (amp[fired] < 0).any() and (amp[fired] > 0).any()
    _poisson_own(buf, lo, hi, n, split, pre, thr, amp, counter_key(t))
    np.testing.assert_array_equal(buf.view(np.uint32), want.view(np.uint32))


def test_identity_prefix():
    assert identity_prefix(np.array([0, 1, 2, 5, 4], dtype=np.int32), 10) == 3
    assert identity_prefix(np.array([0, 1, 2], dtype=np.int32), 2) == 2
    assert identity_prefix(np.array([1, 0], dtype=np.int32), 2) == 0
    assert identity_prefix(np.zeros(0, dtype=np.int32), 4) == 0


def test_own_and_indexed_poisson_generators_match_reference():
    """Generators 0..n-1 onto their own neurons (fast path), then permuted and partial ones (index)."""
    n = 30
    rng = np.random.default_rng(3)
    pop = Population(n, v_rest=F(-0.1), v_reset=0.0, threshold=rng.uniform(0.9, 1.1, n), tau_m=10.0,
                     refractory=0.3, dt=0.1)
    m = 5 * n
    conn = from_arrays(rng.integers(0, n, m), rng.integers(0, n, m), rng.uniform(-0.3, 0.3, m),
                       rng.integers(1, 4, m), n_pre=n)
    net = Network(pop, conn, seed=1)
    net.add_input(PoissonInput(rng.uniform(300, 900, n), 0.4, seed=2))
    net.add_input(PoissonInput(rng.uniform(300, 900, n), -0.3, targets=rng.permutation(n), seed=3))
    net.add_input(PoissonInput(600.0, 0.25, n=7, seed=4))
    net.add_input(Current(np.full(n, 1.0), time_varying=False))
    steps = 60 if NOJIT else 200
    ref_spikes, ref_v, _ = reference(net, steps)
    sp = net.run(steps)
    assert len(ref_spikes) > 20
    assert list(zip(sp.steps.tolist(), sp.neurons.tolist(), strict=True)) == ref_spikes
    np.testing.assert_array_equal(net.v, ref_v)


@pytest.mark.parametrize("amp_own", [-0.5, 0.5])
def test_coba_own_poisson_generators_split_by_sign(amp_own):
    """COBA: own generators feed g_inh with a negative amplitude and g_exc with a positive one, indexed
    ones g_exc (float32 recursion; n = 43: five groups of eight tested at once and three one by one)."""
    n, steps, dt = 43, 50, 0.1
    pop = Population(n, v_rest=-60.0, v_reset=-60.0, threshold=1e6, v_init=-60.0, dt=dt)
    net = Network(pop, neuron=COBA(tau_exc=5.0, tau_inh=10.0))
    own = PoissonInput(2000.0, amp_own, n=n, seed=7)
    perm = np.random.default_rng(1).permutation(n)
    other = PoissonInput(1500.0, 0.3, n=n, targets=perm, seed=8)
    net.add_input(own)
    net.add_input(other)
    net.run(steps)
    dec_e, dec_i = F(np.exp(-dt / 5.0)), F(np.exp(-dt / 10.0))
    p_own, p_other = 2000.0 * dt / 1000.0, 1500.0 * dt / 1000.0
    ge = np.zeros(n, dtype=F)
    gi = np.zeros(n, dtype=F)
    for t in range(steps):
        xe = np.zeros(n, dtype=F)
        xi = np.zeros(n, dtype=F)
        for q in range(n):
            if (hash3_py(int(own.key[0]), int(own.key[1]), q, t) >> 11) * 2.0**-53 < p_own:
                if amp_own < 0.0:
                    xi[q] = F(xi[q] + F(amp_own))
                else:
                    xe[q] = F(xe[q] + F(amp_own))
            if (hash3_py(int(other.key[0]), int(other.key[1]), q, t) >> 11) * 2.0**-53 < p_other:
                xe[perm[q]] = F(xe[perm[q]] + F(0.3))
        ge = (ge + xe) * dec_e
        gi = (gi - xi) * dec_i
    assert ge.min() > 0.0  # every neuron got excitatory jumps
    assert (gi.min() > 0.0) if amp_own < 0.0 else not gi.any()
    np.testing.assert_array_equal(net.g_exc, ge)
    np.testing.assert_array_equal(net.g_inh, gi)


def _params(model, n):
    """Per-neuron kernel parameters of ``model`` with every neuron sharing the first neuron's values."""
    pop = Population(n, v_rest=-65.0 if model == "izh" else 0.0, v_reset=0.0, threshold=1.0, tau_m=20.0,
                     refractory=0.5, dt=0.1, v_init=-70.0 if model == "izh" else 0.0)
    m = {"lif": LIF(), "exp": ExpSynLIF(4.0), "izh": Izhikevich(), "coba": COBA()}[model]
    return m, m.params(pop), pop


@pytest.mark.parametrize("model", ["lif", "exp", "izh", "coba"])
@pytest.mark.parametrize("homeo", [False, True])
def test_shared_parameter_path_equals_per_neuron_path(model, homeo):
    """The same update through scalars (``uni``) and through arrays of equal values: the same bits."""
    n, lo, hi = 300, 64, 290
    rng = np.random.default_rng(11)
    m, p_full, pop = _params(model, n)
    p_uni = m.kernel_params(pop, per_neuron_rows=False)
    assert p_uni.uni and all(a.shape == (1,) for a in p_uni if isinstance(a, np.ndarray))
    p_full = p_full._replace(uni=False)
    base = {"v": rng.uniform(-0.5, 1.5, n).astype(F) if model != "izh" else rng.uniform(-80, 40, n).astype(F),
            "refr": rng.integers(0, 3, n).astype(np.int32)}
    for name in ("u", "i_syn", "g_exc", "g_inh"):
        base[name] = rng.uniform(0.0, 0.5, n).astype(F)
    theta = rng.uniform(-0.2, 0.2, n).astype(F) if homeo else np.zeros(n, dtype=F)
    i_const = np.linspace(0.0, 0.08, n).astype(F)
    i_tn = np.zeros((0, n), dtype=F)
    runs = []
    for p in (p_full, p_uni):
        arrays = {k: a.copy() for k, a in base.items()}
        st = m.make_state(arrays)
        flags = np.zeros(n, dtype=np.uint8)
        spikes = []
        r = np.random.default_rng(2)
        for t in range(20):
            buf = r.uniform(-0.3, 0.6, m.channels * n).astype(F)
            M.update_neurons(p, st, lo, hi, buf, flags, theta, homeo, i_const, i_tn, t)
            spikes.append(flags.copy())
            assert not buf[lo:hi].any()
        runs.append((arrays, np.array(spikes)))
    (a0, s0), (a1, s1) = runs
    assert s0.sum() > 0 and (s0 == 0).any()  # some neurons spike, some do not
    np.testing.assert_array_equal(s0, s1)
    for k in a0:
        np.testing.assert_array_equal(a0[k].view(np.uint32), a1[k].view(np.uint32))


def test_uni_compares_bit_patterns():
    n = 8
    v_reset = np.zeros(n)
    v_reset[3] = -0.0
    pop = Population(n, v_reset=v_reset)
    assert not LIF().kernel_params(pop, per_neuron_rows=False).uni
    p = LIF().kernel_params(Population(n), per_neuron_rows=False)
    assert p.uni and p.thr.shape == (1,)
    p = LIF().kernel_params(Population(n), per_neuron_rows=True)  # current rows: arrays kept, uni declared
    assert p.uni and p.thr.shape == (n,)
