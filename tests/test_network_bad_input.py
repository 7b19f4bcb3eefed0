"""Bad input to the network API: clear ValueError/TypeError naming the parameter.

Each case is a defect found by an adversarial sweep (a numpy/numba error
without the parameter's name, a MemoryError, a silent wrap-around or a silent
acceptance).  Valid edge inputs next to each limit must keep working.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import scipy.sparse as sp

import sc_neurocore.network as net
from hw_models._correlation import lfsr_jump, pairwise_scc
from sc_neurocore.network._monitors import SpikeEvents

I32 = 2**31 - 1
HUGE = 2**70


def _any(x: Any) -> Any:
    """Pass a deliberately ill-typed argument past the static type checker."""
    return x


def _net(n: int = 4) -> net.Network:
    return net.Network(net.Population(n), net.erdos_renyi(n, 0.5, seed=0))


def _events(**kw: Any) -> SpikeEvents:
    args: dict[str, Any] = {"n_neurons": 2, "dt": 1.0, "t_start": 0, "t_stop": 5}
    args.update(kw)
    neurons = args.pop("neurons", np.array([0, 1]))
    steps = args.pop("steps", np.array([0, 1]))
    return SpikeEvents(neurons, steps, **args)


CASES: list[tuple[str, Callable[[], Any], type[Exception], str]] = [
    # 1. population size: int32 neuron ids
    ("pop_huge", lambda: net.Population(HUGE), ValueError, rf"n must be an integer in \[1, {I32}\]; got {HUGE}"),
    ("pop_2_41", lambda: net.Population(2**41), ValueError, rf"n must be an integer in \[1, {I32}\]"),
    ("pop_2_31", lambda: net.Population(2**31), ValueError, rf"n must be an integer in \[1, {I32}\]; got {2**31}"),
    ("pop_float", lambda: net.Population(_any(3.5)), TypeError, r"n must be an integer; got float 3.5"),
    ("pop_dt_tiny", lambda: net.Population(2, dt=1e-300), ValueError, r"dt must be in \[1e-12, 1000000000.0\]"),
    ("pop_refr_wrap", lambda: net.Population(2, refractory=1e39), ValueError,
     r"refractory must be <= \(2\*\*31 - 1\) \* dt"),
    ("pop_vrest_f32", lambda: net.Population(2, v_rest=-1e39), ValueError,
     r"v_rest must be in \[-3.402823e\+38, 3.402823e\+38\] \(float32 range\); got -1e\+39"),
    ("pop_vinit_f32", lambda: net.Population(2, v_init=[0.0, 1e39]), ValueError,
     r"v_init must be in .* \(float32 range\); got 1e\+39 at index 1"),
    # 2. Poisson input size / targets
    ("poisson_n_huge", lambda: net.PoissonInput(10.0, 0.1, n=HUGE), ValueError,
     rf"n must be an integer in \[1, {I32}\]; got {HUGE}"),
    ("poisson_target_wrap", lambda: net.PoissonInput(10.0, 0.1, n=1, targets=[2**40]), ValueError,
     rf"targets must be in \[0, {I32}\] \(int32 neuron ids\); got {2**40}"),
    ("poisson_n_mismatch", lambda: net.PoissonInput([1.0, 2.0], 0.1, n=3), ValueError,
     r"n must be None or equal len\(rates_hz\) = 2; got 3"),
    ("poisson_amp_f32", lambda: net.PoissonInput(1.0, 1e300, n=1), ValueError,
     r"amplitude must be in .* \(float32 range\)"),
    # 3. connectivity sizes (numba TypingError before)
    ("from_arrays_n_pre", lambda: net.from_arrays([0], [1], [0.1], n_pre=HUGE, n_post=2), ValueError,
     rf"n_pre must be an integer in \[1, {I32}\]; got {HUGE}"),
    ("from_arrays_n_post", lambda: net.from_arrays([0], [1], [0.1], n_pre=2, n_post=HUGE), ValueError,
     rf"n_post must be an integer in \[1, {I32}\]; got {HUGE}"),
    ("from_arrays_weight_f32", lambda: net.from_arrays([0], [1], [1e39], n_pre=2), ValueError,
     r"weight must be in .* \(float32 range\); got 1e\+39 at index 0"),
    ("er_n_pre", lambda: net.erdos_renyi(HUGE, 0.0), ValueError, rf"n_pre must be an integer in \[1, {I32}\]"),
    ("er_allow_self", lambda: net.erdos_renyi(3, 0.5, allow_self=_any("yes")), TypeError,
     r"allow_self must be a bool; got str 'yes'"),
    ("er_weight_f32", lambda: net.erdos_renyi(3, 0.5, weight=1e300), ValueError,
     r"weight must be in .* \(float32 range\)"),
    ("ws_weight_std_f32", lambda: net.watts_strogatz(6, 2, 0.1, weight_std=1e39), ValueError,
     r"weight_std must be in .* \(float32 range\)"),
    ("ws_n", lambda: net.watts_strogatz(HUGE, 2, 0.1), ValueError, rf"n must be an integer in \[3, {I32}\]"),
    ("ei_n_pre", lambda: net.ei_weights(HUGE, 1, 1.0, 1.0), ValueError, rf"n_pre must be an integer in \[1, {I32}\]"),
    ("ei_w_exc_f32", lambda: net.ei_weights(3, 1, 1e39, 1.0), ValueError, r"w_exc must be in .* \(float32 range\)"),
    ("conn_weights_f32", lambda: net.Connectivity([0, 1, 1], [1], [1e39], [1], 2), ValueError,
     r"weights must be in .* \(float32 range\)"),
    ("conn_n_post", lambda: net.Connectivity([0, 1, 1], [1], [0.1], [1], HUGE), ValueError,
     rf"n_post must be an integer in \[1, {I32}\]"),
    # 4. persistence
    ("save_net", lambda: net.save_network(123, "x.npz"), TypeError, r"net must be a Network; got int"),
    ("save_path", lambda: net.save_network(_net(), 123), TypeError,
     r"path must be a str, an os.PathLike or a binary file object; got int 123"),
    ("load_path", lambda: net.load_network(123), TypeError,
     r"path must be a str, an os.PathLike or a binary file object; got int 123"),
    # 5. SpikeEvents
    ("events_id", lambda: _events(neurons=np.array([0, 9])), ValueError, r"neurons must be in \[0, 1\]; got 9"),
    ("events_neg_id", lambda: _events(neurons=np.array([-1, 0])), ValueError, r"neurons must be in \[0, 1\]; got -1"),
    ("events_dt0", lambda: _events(dt=0.0), ValueError, r"dt must be in \(0.0, inf\); got 0.0"),
    ("events_dt_nan", lambda: _events(dt=float("nan")), ValueError, r"dt must be finite; got nan"),
    ("events_step", lambda: _events(steps=np.array([0, 5])), ValueError,
     r"steps must be in \[t_start, t_stop\) = \[0, 5\); got 5"),
    ("events_step_before", lambda: _events(steps=np.array([0, 1]), t_start=1), ValueError,
     r"steps must be in \[t_start, t_stop\) = \[1, 5\); got 0"),
    ("events_window", lambda: _events(t_start=6), ValueError, r"t_stop must be an integer in \[6, "),
    ("events_float_ids", lambda: _events(neurons=np.array([0.0, 1.0])), ValueError,
     r"neurons must be a 1-d integer array; got shape \(2,\) dtype float64"),
    ("events_shape", lambda: _events(steps=np.array([0])), ValueError,
     r"steps must have the same shape as neurons \(2,\); got shape \(1,\)"),
    ("events_n", lambda: _events(n_neurons=_any(2.0)), TypeError, r"n_neurons must be an integer; got float"),
    ("events_to_dense", lambda: _events().to_dense([5]), ValueError, r"neurons must be in \[0, 1\]; got 5"),
    ("events_mean_rate", lambda: _events().mean_rate_hz([-1]), ValueError, r"neurons must be in \[0, 1\]; got -1"),
    ("events_window_args", lambda: _events().window(3, 1), ValueError, r"t_stop must be an integer in \[3, "),
    # 6. run(progress)
    ("run_progress", lambda: _net().run(3, progress=_any("yes")), TypeError, r"progress must be a bool; got str 'yes'"),
    ("run_steps_huge", lambda: _net().run(HUGE), ValueError, r"n_steps must be an integer in \[0, 1099511627776\]"),
    ("w_scale_f32", lambda: net.Network(net.Population(2), w_scale=1e39), ValueError,
     r"w_scale must be in .* \(float32 range\)"),
    # 7. pairwise_scc names its arguments
    ("scc_dtype", lambda: pairwise_scc(np.zeros((2, 5), np.uint8), 5), TypeError,
     r"streams must be a uint64 array of packed streams"),
    ("scc_ndim", lambda: pairwise_scc(np.zeros(1, np.uint64), 5), ValueError,
     r"streams must be a 2-d \(N, n_words\) array with N >= 1; got shape \(1,\)"),
    ("scc_length", lambda: pairwise_scc(np.zeros((2, 1), np.uint64), HUGE), ValueError,
     r"length must be an integer in \[1, 1099511627776\]"),
    ("scc_words", lambda: pairwise_scc(np.zeros((2, 2), np.uint64), 5), ValueError,
     r"streams must have last axis n_words\(length\) = 1 for length 5"),
    ("scc_padding", lambda: pairwise_scc(np.full((2, 1), 2**63, np.uint64), 5), ValueError,
     r"streams must have zero padding bits"),
    ("jump_taps_type", lambda: lfsr_jump(1, 5, 8, _any(3)), TypeError,
     r"taps must be a 1-d sequence of distinct integers in \[1, 8\]; got int 3"),
    ("jump_taps_range", lambda: lfsr_jump(1, 5, 8, [9, 1]), ValueError, r"taps must be an integer in \[1, 8\]; got 9"),
    ("jump_taps_dup", lambda: lfsr_jump(1, 5, 8, [8, 8]), ValueError, r"taps must be .* distinct .*; got \[8, 8\]"),
    ("jump_taps_empty", lambda: lfsr_jump(1, 5, 8, []), ValueError, r"taps must be .*; got shape \(0,\)"),
    # 8. reservoir names (the other two are pinned in test_network_reservoir.py)
    ("res_conn_prob", lambda: net.Reservoir(20, n_inputs=2, n_outputs=2, topology="random", connection_prob=-0.1),
     ValueError, r"connection_prob must be in \[0.0, 1.0\]; got -0.1"),
    ("res_conn_prob_unused", lambda: net.Reservoir(20, n_inputs=2, n_outputs=2, k=4,
                                                   connection_prob=float("nan")),
     ValueError, r"connection_prob must be finite; got nan"),
    ("res_mean_weight_f32", lambda: net.Reservoir(20, n_inputs=2, n_outputs=2, k=4, mean_weight=1e39),
     ValueError, r"mean_weight must be in .* \(float32 range\)"),
    ("res_threshold_f32", lambda: net.Reservoir(20, n_inputs=2, n_outputs=2, k=4, threshold=1e39),
     ValueError, r"threshold must be in .* \(float32 range\)"),
    ("res_input_amp_f32", lambda: net.Reservoir(20, n_inputs=2, n_outputs=2, k=4, input_amplitude=-1e39),
     ValueError, r"input_amplitude must be in .* \(float32 range\)"),
    ("res_mp_f32", lambda: net.Reservoir(20, n_inputs=2, n_outputs=2, k=4, membrane_potentials=1e39),
     ValueError, r"membrane_potentials must be in .* \(float32 range\)"),
    ("res_reset_w_f32", lambda: net.Reservoir(20, n_inputs=2, n_outputs=2, k=4, seed=0)
     .reset_synaptic_weights(1e39), ValueError, r"mean must be in .* \(float32 range\)"),
    ("res_reset_w_draw", lambda: net.Reservoir(20, n_inputs=2, n_outputs=2, k=4, seed=0)
     .reset_synaptic_weights(3e38, 1e38), ValueError, r"mean and std must keep every weight in the float32"),
    ("rescale_f32", lambda: _net().rescale_weights(1e39), ValueError,
     r"target_mean must keep every \|w\| within the float32 range"),
    ("res_load_path", lambda: net.Reservoir.load(_any(3.5)), TypeError, r"path must be a str, os.PathLike"),
    # further defects of the sweep
    ("bitstream_name", lambda: net.BitstreamInput(np.zeros((1, 4)), 1.0), TypeError,
     r"streams must be an array of 0/1 bits"),
    ("bitstream_length", lambda: net.BitstreamInput(np.zeros((1, 1), np.uint64), 1.0, length=HUGE), ValueError,
     r"length must be an integer in \[0, 1099511627776\]"),
    ("bitstream_padding", lambda: net.BitstreamInput(np.array([[1, 2**63]], np.uint64), 1.0, length=100),
     ValueError, r"streams must have zero padding bits \(positions >= 36\) in their last word; got last word "
                 r"0x8000000000000000 of stream 0"),
    ("binary_amp_f32", lambda: net.BinaryInput(np.zeros((1, 4), np.uint8), -1e39), ValueError,
     r"amplitude must be in .* \(float32 range\)"),
    ("current_tv", lambda: net.Current(1.0, time_varying=_any("yes")), TypeError,
     r"time_varying must be a bool or None; got str 'yes'"),
    ("current_f32", lambda: net.Current([1.0, 1e39]), ValueError, r"values must be in .* \(float32 range\)"),
    ("current_target_wrap", lambda: net.Current(1.0, targets=[2**40]), ValueError,
     rf"targets must be in \[0, {I32}\]"),
    ("stdp_w_max", lambda: net.STDP(W_max=1e39), ValueError, r"W_max must be in .* \(float32 range\)"),
    ("stdp_rate", lambda: net.STDP(eta=1e30, A_plus=1e10), ValueError, r"eta \* A_plus must be in .* \(float32 range\)"),
    ("homeo_theta", lambda: net.Homeostasis(theta_plus=1e39), ValueError, r"theta_plus must be in .* \(float32 range\)"),
    ("to_spike_events_dt", lambda: net.EventDrivenNetwork(net.Population(1), i_ext=0.08).run(50.0)
     .to_spike_events(1e-300), ValueError, r"dt must keep step indices below 2\^31"),
    ("edn_i_ext", lambda: net.EventDrivenNetwork(net.Population(1, tau_m=1e10), i_ext=1e300), ValueError,
     r"i_ext must keep v_inf = v_rest \+ tau_m \* i_ext finite; got 1e\+300 at index 0"),
]


@pytest.mark.parametrize(("name", "call", "exc", "match"), CASES, ids=[c[0] for c in CASES])
def test_bad_input_raises(name: str, call: Callable[[], Any], exc: type[Exception], match: str) -> None:
    with pytest.raises(exc, match=match):
        call()


def test_load_network_rejects_foreign_files(tmp_path: Path) -> None:
    npy = tmp_path / "a.npy"
    np.save(npy, np.zeros(3))
    with pytest.raises(ValueError, match=r"path must be an npz network file saved by save_network; got a plain"):
        net.load_network(npy)
    npz = tmp_path / "b.npz"
    np.savez(npz, x=np.zeros(2))
    with pytest.raises(ValueError, match=r"path must be an npz network file saved by save_network \(with a 'meta'"):
        net.load_network(npz)
    txt = tmp_path / "c.npz"
    txt.write_bytes(b"not a numpy file")
    with pytest.raises(ValueError, match=r"path must be an npz network file saved by save_network; got"):
        net.load_network(txt)
    with pytest.raises(ValueError, match=r"path must be a reservoir file written by Reservoir.save"):
        net.Reservoir.load(npz)


# ------------------------------------------------------------------ valid edges


def test_valid_edges_next_to_the_limits(tmp_path: Path) -> None:
    pop = net.Population(1, v_rest=-3.4e38, v_reset=-3.4e38, threshold=3.4e38, v_init=0.0, refractory=0.0)
    assert pop.refractory_steps[0] == 0
    assert net.Population(2, refractory=(2**31 - 1) * 0.1).refractory_steps[0] == 2**31 - 1
    assert net.PoissonInput([1.0, 2.0], 0.1, n=2).rates_hz.shape == (2,)
    assert net.PoissonInput(5.0, 0.1, n=1, targets=[I32]).targets[0] == I32
    assert net.Current(np.zeros(3), time_varying=_any(np.bool_(True))).time_varying is True
    c = net.from_arrays([0], [1], [3.4e38], n_pre=2)
    assert c.weights[0] == np.float32(3.4e38)
    assert net.erdos_renyi(3, 1.0, allow_self=_any(np.bool_(True)), seed=0).nnz == 9
    # SpikeEvents: boundary ids and steps, empty events of any numeric dtype
    ev = _events(neurons=np.array([1, 0]), steps=np.array([4, 0]))
    np.testing.assert_array_equal(ev.counts(), [1, 1])
    assert len(SpikeEvents(np.zeros(0), np.zeros(0), n_neurons=1, dt=1.0, t_start=5, t_stop=5)) == 0
    assert len(ev.window(0, 0)) == 0
    assert ev.to_dense([1]).sum() == 1
    # run: zero steps and a numpy bool for progress
    n = _net()
    assert len(n.run(0, progress=_any(np.bool_(False)))) == 0
    path = tmp_path / "net.npz"
    net.save_network(n, path)
    with open(path, "rb") as f:
        assert net.load_network(f).t == 0
    net.save_network(n, str(tmp_path / "net2.npz"))
    assert net.load_network(str(tmp_path / "net2.npz")).population.n == 4
    # pairwise_scc: a single stream and the boundary length 64
    s = np.array([[np.uint64(0x00FF00FF00FF00FF)]], dtype=np.uint64)
    np.testing.assert_array_equal(pairwise_scc(s, 64), [[1.0]])
    # lfsr_jump: explicit taps equal to the default ones give the same state
    assert lfsr_jump(1, 5, 8, _any(np.array([8, 6, 5, 4]))) == lfsr_jump(1, 5, 8)
    # reservoir: p_rewire / connection_prob at 0 and 1, scalar membrane potential
    r = net.Reservoir(20, n_inputs=2, n_outputs=2, k=4, p_rewire=1.0, membrane_potentials=0.5, seed=0)
    np.testing.assert_array_equal(r.population.v_init, np.full(20, 0.5))
    r2 = net.Reservoir(20, n_inputs=2, n_outputs=2, topology="random", connection_prob=0.0, seed=0)
    assert r2.connectivity.nnz == 0
    adj = sp.csr_matrix(np.eye(4, k=1))
    assert net.Reservoir(n_inputs=1, n_outputs=1, adjacency=adj, seed=0).n_neurons == 4


def test_engine_events_stay_valid_and_match_public_constructor() -> None:
    """The engine's trusted SpikeEvents pass the public checks unchanged."""
    n = net.Network(net.Population(5), net.erdos_renyi(5, 0.6, weight=0.6, seed=1))
    n.add_input(net.PoissonInput(400.0, 0.6, n=5, seed=2))
    ev = n.run(200)
    again = SpikeEvents(ev.neurons, ev.steps, n_neurons=ev.n_neurons, dt=ev.dt, t_start=ev.t_start,
                        t_stop=ev.t_stop)
    assert len(ev) > 0
    np.testing.assert_array_equal(again.neurons, ev.neurons)
    np.testing.assert_array_equal(again.steps, ev.steps)
    assert (again.n_neurons, again.dt, again.t_start, again.t_stop) == (5, 0.1, 0, 200)
