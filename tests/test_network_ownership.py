"""Issue #8 §1 (last bullet) and §2: simulators own what they mutate, validate before they change state,
and no public call (a loaded array, an array edited in place, an attribute reassigned) can make a
kernel index out of bounds."""

from __future__ import annotations

import re

import numpy as np
import pytest

from sc_neurocore.network import (
    STDP,
    BinaryInput,
    Connectivity,
    Current,
    EventDrivenNetwork,
    Homeostasis,
    Network,
    PoissonInput,
    Population,
    Reservoir,
    erdos_renyi,
    from_arrays,
)

# --------------------------------------------------------------------------- §2 ownership


def _pre_then_post(n_steps: int = 6) -> BinaryInput:
    """Neuron 0 fires on step 0, neuron 1 on step 3: LTP of the synapse 0 -> 1."""
    bits = np.zeros((2, n_steps), dtype=np.uint8)
    bits[0, 0] = 1
    bits[1, 3] = 1
    return BinaryInput(bits, 2.0)


def _stdp() -> STDP:
    return STDP(tau_plus=10.0, tau_minus=20.0, A_plus=0.1, A_minus=0.1, W_max=1.0, rule="additive")


def test_stdp_on_one_network_does_not_change_another_built_on_the_same_connectivity():
    # the case: the second network's weight went from 0.5 to 0.537
    conn = from_arrays([0], [1], [0.5], 5, n_pre=2)
    pop = Population(2, threshold=1.0, tau_m=100.0, refractory=0.0, dt=1.0)
    first = Network(pop, conn)
    second = Network(pop, conn)
    first.add_input(_pre_then_post())
    first.set_stdp(_stdp())
    first.run(4)
    assert first.connectivity.weights[0] > np.float32(0.5)  # learned, on the first network's own copy
    assert first.connectivity is not conn
    assert second.connectivity.weights[0] == np.float32(0.5)
    assert conn.weights[0] == np.float32(0.5)
    # the copied network keeps the immutable structure and keeps learning on its copy
    assert first.connectivity.indices is conn.indices
    w = first.connectivity.weights
    first.run(2)
    assert first.connectivity.weights is w


def test_network_shares_weights_until_it_changes_one():
    # copy-on-write: before any weight change the network reads the caller's weights (no per-synapse copy)
    conn = from_arrays([0], [1], [0.5], 1, n_pre=2)
    net = Network(Population(2), conn)
    assert net.connectivity is conn
    net.rescale_weights(0.25)
    assert net.connectivity is not conn and conn.weights[0] == np.float32(0.5)
    assert net.connectivity.weights[0] == np.float32(0.25)


def test_event_driven_owns_its_weights_on_both_delay_paths():
    """Both the uniform-delay path (which used to share the caller's arrays) and the per-synapse path
    (which copied them) simulate the weights given at construction, whatever the caller does later."""
    conn = erdos_renyi(40, 0.2, weight=0.4, weight_std=0.1, delay=3, seed=5)
    pop = Population(40, tau_m=20.0, refractory=1.0)
    delays = np.random.default_rng(1).uniform(0.1, 2.0, conn.nnz)
    for delays_ms in (None, delays):
        fresh = EventDrivenNetwork(pop, conn.copy(), delays_ms=delays_ms, i_ext=0.06)
        edited = EventDrivenNetwork(pop, (mine := conn.copy()), delays_ms=delays_ms, i_ext=0.06)
        mine.weights[:] = 5.0  # after construction: must not reach the simulator
        a, b = fresh.run(200.0), edited.run(200.0)
        assert len(a) > 20
        assert a.times_ms.tolist() == b.times_ms.tolist() and a.neurons.tolist() == b.neurons.tolist()
        with pytest.raises(ValueError, match="read-only"):
            edited.connectivity.weights[0] = 1.0
        with pytest.raises(ValueError, match=re.escape("weights are read-only in this Connectivity")):
            edited.connectivity.weights = np.zeros(conn.nnz)
        with pytest.raises(ValueError, match="read-only"):
            edited.i_ext[0] = 1.0


# --------------------------------------------------------------------------- §2 validate, then commit


def test_rescale_weights_that_raises_changes_nothing():
    # the case: [0.2, 0.4] became [0.667, 1.333] and then the SC bound raised
    conn = from_arrays([0, 1], [1, 0], [0.2, 0.4], 1, n_pre=2)
    net = Network(Population(2), conn, synapse="bernoulli", w_scale=0.4)
    with pytest.raises(ValueError, match=r"target_mean must keep \|w\| <= w_scale = 0.4 in SC mode; got 1.0"):
        net.rescale_weights(1.0)
    assert net.connectivity.weights.tolist() == [np.float32(0.2), np.float32(0.4)]
    assert conn.weights.tolist() == [np.float32(0.2), np.float32(0.4)]
    net.rescale_weights(0.15)  # within the bound: [0.1, 0.2]
    np.testing.assert_allclose(net.connectivity.weights, [0.1, 0.2], rtol=1e-6)


def test_failed_run_and_failed_add_leave_the_network_untouched():
    net = Network(Population(5), erdos_renyi(5, 0.5, weight=0.3, seed=1))
    net.add_input(Current(0.2))
    net.run(10)
    t, v = net.t, net.v.copy()
    with pytest.raises(ValueError, match=r"targets must be in \[0, 4\]; got 7"):
        net.add_input(PoissonInput([10.0], 0.1, targets=[7]))
    assert len(net.inputs) == 1
    net.v[1] = np.nan
    with pytest.raises(ValueError, match=r"v must be finite; got nan at index 1 \(edited in place\?\)"):
        net.run(10)
    assert net.t == t
    net.v[1] = v[1]
    np.testing.assert_array_equal(net.v, v)
    net.run(10)
    assert net.t == t + 10


# --------------------------------------------------------------------------- §1 structure is immutable


def test_connectivity_structure_cannot_be_edited():
    pre, post = [0, 0, 1, 2], [1, 2, 2, 0]
    conn = from_arrays(pre, post, [0.1, 0.2, 0.3, 0.4], np.array([1, 4, 2, 3]), n_pre=3)
    for name in ("indptr", "indices", "delays"):
        with pytest.raises(ValueError, match="read-only"):
            getattr(conn, name)[0] = 10**6
        with pytest.raises(AttributeError):
            setattr(conn, name, np.zeros(4, np.int32))
    with pytest.raises(AttributeError):
        conn.n_post = 100  # type: ignore[misc]
    # the validating constructor copies: the caller's arrays stay writable and are not aliased
    idx = np.array([1, 2, 2, 0], dtype=np.int32)
    c2 = Connectivity(np.array([0, 2, 3, 4], dtype=np.int32), idx, np.ones(4, np.float32), np.ones(4, np.int8), 3)
    idx[0] = 10**6
    assert c2.indices[0] == 1 and idx.flags.writeable


def test_connectivity_weights_setter_validates():
    conn = from_arrays([0, 1], [1, 0], [0.1, 0.2], 1, n_pre=2)
    with pytest.raises(ValueError, match=re.escape("weights must have shape (2,); got shape (3,)")):
        conn.weights = np.ones(3)
    with pytest.raises(ValueError, match="weights must be finite; got nan at index 1"):
        conn.weights = np.array([0.1, np.nan], dtype=np.float32)
    w = np.array([0.5, 0.25], dtype=np.float32)
    conn.weights = w
    w[0] = 9.0  # the setter stored a copy
    assert conn.weights.tolist() == [0.5, 0.25]


def test_population_is_immutable():
    pop = Population(3, threshold=[1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="read-only"):
        pop.threshold[0] = -5.0
    with pytest.raises(AttributeError, match="Population is immutable: cannot set 'threshold'"):
        pop.threshold = np.zeros(1)
    with pytest.raises(AttributeError, match="Population is immutable: cannot set 'n'"):
        pop.n = 1


def test_network_configuration_is_read_only():
    net = Network(Population(4), erdos_renyi(4, 0.5, seed=2))
    for name, value in (("population", Population(2)), ("connectivity", erdos_renyi(2, 0.5, seed=1)),
                        ("synapse", "lfsr"), ("w_scale", 5.0), ("lfsr_width", 40), ("stdp", _stdp()),
                        ("homeostasis", None), ("inputs", [object()])):
        with pytest.raises(AttributeError):
            setattr(net, name, value)


# --------------------------------------------------------------------------- §1 state setters


def _lfsr_net() -> Network:
    conn = from_arrays([0, 1, 2, 2], [1, 2, 0, 1], [0.2, -0.3, 0.4, 0.1], np.array([1, 3, 2, 1]), n_pre=3)
    return Network(Population(3), conn, synapse="lfsr", lfsr_width=8, seed=3)


_STATE_CASES = [
    ("v", np.zeros(2), ValueError, r"v must have shape \(3,\); got shape \(2,\)"),
    ("v", [0.0, np.inf, 0.0], ValueError, r"v must be finite; got inf at index \(1,\)"),
    ("v", [0.0, 1e39, 0.0], ValueError, r"v must be in .* \(float32 range\)"),
    ("refr", np.zeros(4, np.int32), ValueError, r"refr must have shape \(3,\); got shape \(4,\)"),
    ("refr", [0, -1, 0], ValueError, r"refr must be in \[0, 2147483647\]; got -1"),
    ("refr", [0.0, 1.0, 0.0], TypeError, r"refr must be an integer array; got dtype float64"),
    ("theta", np.zeros((3, 1)), ValueError, r"theta must have shape \(3,\); got shape \(3, 1\)"),
    ("xpre", np.zeros(30), ValueError, r"xpre must have shape \(3,\)"),
    ("xpost", [np.nan] * 3, ValueError, r"xpost must be finite"),
    ("ring", np.zeros((3, 3)), ValueError, r"ring must have 4 to 32768 rows \(max_delay \+ 1\) of 3 neurons; "
                                           r"got shape \(3, 3\)"),
    ("ring", np.zeros((4, 2)), ValueError, r"ring must have shape \(4, 3\); got shape \(4, 2\)"),
    ("ring", np.zeros(12), ValueError, r"ring must have 4 to 32768 rows"),
    ("lfsr", np.ones(3, np.uint32), ValueError, r"lfsr must have shape \(4,\); got shape \(3,\)"),
    ("lfsr", np.array([1, 2, 0, 3]), ValueError, r"lfsr must be in \[1, 255\]; got 0"),
    ("lfsr", np.array([1, 2, 256, 3]), ValueError, r"lfsr must be in \[1, 255\]; got 256"),
    ("t", -1, ValueError, r"t must be an integer in \[0, 2147483647\]; got -1"),
    ("t", 1.5, TypeError, r"t must be an integer"),
]


@pytest.mark.parametrize(("name", "value", "exc", "match"), _STATE_CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(_STATE_CASES)])
def test_state_assignment_is_validated(name, value, exc, match):
    net = _lfsr_net()
    before = np.array(getattr(net, name), copy=True)
    with pytest.raises(exc, match=match):
        setattr(net, name, value)
    np.testing.assert_array_equal(getattr(net, name), before)


def test_state_assignment_stores_an_owned_copy():
    net = _lfsr_net()
    ring = np.zeros((6, 3), dtype=np.float32)  # more rows than max_delay + 1 is a valid (pruned) state
    ring[2, 1] = 0.7
    net.ring = ring
    ring[2, 1] = 99.0
    assert net.ring[2, 1] == np.float32(0.7) and net.ring.shape == (6, 3)
    net.v = [0.1, 0.2, 0.3]
    assert net.v.dtype == np.float32 and net.v.flags.c_contiguous and net.v.flags.writeable
    net.run(5)  # a valid state runs


@pytest.mark.parametrize(("edit", "match"), [
    (lambda net: net.theta.__setitem__(0, np.inf), r"theta must be finite; got inf at index 0"),
    (lambda net: net.xpre.__setitem__(2, np.nan), r"xpre must be finite; got nan at index 2"),
    (lambda net: net.refr.__setitem__(1, -3), r"refr must be >= 0; got -3 at index 1"),
    (lambda net: net.lfsr.__setitem__(3, 0), r"lfsr must be in \[1, 255\]; got 0"),
    (lambda net: net.connectivity.weights.__setitem__(1, np.nan), r"weights must be finite; got nan at index 1"),
    (lambda net: net.connectivity.weights.__setitem__(1, 0.9),
     r"weights must satisfy \|w\| <= w_scale = 0\.4\d* in SC mode; got max \|w\| = 0\.8999\d*"),
], ids=["theta", "xpre", "refr", "lfsr", "weights_nan", "weights_sc_bound"])
def test_in_place_edits_are_checked_before_each_run(edit, match):
    net = _lfsr_net()
    net.set_homeostasis(Homeostasis())  # the kernel reads theta only with homeostasis...
    net.set_stdp(STDP(W_max=0.4))  # ...and the traces only with STDP
    net.run(3)
    t, v, lfsr = net.t, net.v.copy(), net.lfsr.copy()
    edit(net)
    with pytest.raises(ValueError, match=match):
        net.run(5)
    assert net.t == t
    np.testing.assert_array_equal(net.v, v)
    if "lfsr" not in match:
        np.testing.assert_array_equal(net.lfsr, lfsr)


# --------------------------------------------------------------------------- §1 inputs


def test_inputs_own_read_only_arrays():
    rates = np.array([10.0, 20.0])
    p = PoissonInput(rates, 0.5, targets=[0, 1], seed=1)
    rates[0] = 1e9  # the input copied its arguments
    assert p.rates_hz[0] == 10.0
    b = BinaryInput(np.ones((2, 5), np.uint8), 0.5, targets=[0, 2])
    c = Current(np.ones(3), time_varying=True, targets=[1])
    for arr in (p.rates_hz, p.targets, p.key, b.packed, b.targets, c.values, c.targets):
        with pytest.raises(ValueError, match="read-only"):
            arr[0] = 10**6


def test_network_keeps_its_own_copy_of_an_input():
    net = Network(Population(3))
    inp = BinaryInput(np.ones((1, 5), np.uint8), 2.0, targets=[1])
    net.add_input(inp)
    inp.targets = np.array([10**6], dtype=np.int32)  # the caller's object, not the network's
    inp.length = 10**6
    assert net.run(5).neurons.tolist() == [1]  # one spike on step 0, then refractory


@pytest.mark.parametrize(("attr", "value", "match"), [
    ("targets", np.array([10**6], dtype=np.int32), r"targets must be in \[0, 2\]; got 1000000"),
    ("targets", np.array([0, 1], dtype=np.int32), r"targets must be an integer array of shape \(1,\)"),
    ("length", 10**6, r"packed must be a 2-d uint64 array with at least length / 64 words per row; got shape \(1, 1\)"),
], ids=["targets_range", "targets_shape", "length"])
def test_reassigned_input_attributes_are_checked_before_the_kernel(attr, value, match):
    net = Network(Population(3))
    net.add_input(BinaryInput(np.ones((1, 5), np.uint8), 2.0, targets=[1]))
    setattr(net.inputs[0], attr, value)
    with pytest.raises(ValueError, match=match):
        net.run(5)
    assert net.t == 0


def test_reassigned_poisson_rates_are_checked():
    net = Network(Population(3, dt=0.1))
    net.add_input(PoissonInput([10.0], 0.5, targets=[0], seed=1))
    net.inputs[0].rates_hz = np.array([2e4])
    with pytest.raises(ValueError, match=r"rates_hz must be <= 1000 / dt = 10000.0 Hz; got 20000.0"):
        net.run(5)


# --------------------------------------------------------------------------- reservoir


def test_reservoir_rescale_is_kept_by_the_next_simulation():
    r = Reservoir(30, n_inputs=3, n_outputs=4, topology="random", connection_prob=0.2, seed=1)
    r.rescale_synaptic_weights_to_mean(0.3)
    r.simulate(np.ones((3, 10), np.uint8))
    assert float(np.abs(r.network.connectivity.weights.astype(np.float64)).mean()) == pytest.approx(0.3, rel=1e-5)


def test_reservoir_transform_checks_every_sample_before_simulating_any():
    r = Reservoir(30, n_inputs=3, n_outputs=4, topology="random", connection_prob=0.3, mean_weight=0.3, seed=1)
    r.enable_stdp(STDP(W_max=0.5, A_plus=0.05, A_minus=0.05))
    w0 = r.connectivity.weights.copy()
    good = np.ones((3, 20), np.uint8)
    with pytest.raises(ValueError, match=re.escape("input_spikes must have shape (3, T) (inputs x time); "
                                                   "got shape (2, 20)")):
        r.transform([good, np.ones((2, 20), np.uint8)])
    with pytest.raises(TypeError):
        r.transform([good], no_such_option=1)
    np.testing.assert_array_equal(r.connectivity.weights, w0)  # no sample was simulated
    with pytest.raises(ValueError, match="simulate must be called first"):
        r.raster()
    r.transform([good])  # the same sample alone runs and learns
    assert not np.array_equal(r.connectivity.weights, w0)


def test_event_driven_keeps_its_own_copy_of_a_poisson_input():
    pop = Population(3, tau_m=20.0)
    inp = PoissonInput([500.0], 0.6, targets=[1], seed=4)
    a = EventDrivenNetwork(pop).add_input(inp)
    b = EventDrivenNetwork(pop).add_input(PoissonInput([500.0], 0.6, targets=[1], seed=4))
    inp.targets = np.array([10**6], dtype=np.int32)  # reset() re-reads the network's copy, not this
    a.reset()
    sa, sb = a.run(50.0), b.run(50.0)
    assert len(sa) > 0 and set(sa.neurons.tolist()) == {1}
    assert sa.times_ms.tolist() == sb.times_ms.tolist()
