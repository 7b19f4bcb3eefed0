"""Tutorial 13 - stochastic-computing synapses versus deterministic weights in one E/I network.

What you will see
-----------------
* The same 500-neuron E/I network (same synapses, same input spikes) run three
  ways: deterministic weights (a spike adds ``w`` to its target), and SC
  synapses whose transmission is the AND of the spike with one bit of a
  weight bitstream, a Bernoulli stream or an LFSR comparator stream of
  probability ``|w| / w_scale``; a transmitted spike adds ``sign(w) * w_scale``.
* The mean input per spike is the same (``w``) in all three modes; the SC
  modes add binomial transmission noise (variance ``w_scale^2 p (1 - p)`` per
  spike, ``p = |w| / w_scale``).  These neurons are driven by fluctuations
  around a mean input near threshold, so more variance means slightly more
  firing: the SC networks fire a few percent faster, a measurable and
  explainable difference rather than an error.
* A decision task at low input contrast, where that extra noise could matter:
  accuracy and confusion matrices per mode.

Run:  python tutorials/13_sc_vs_deterministic_synapses.py
Figures (if matplotlib is installed) go to $SC_NEUROCORE_FIGURES, default
``figures/`` next to this file.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import numpy as np

from sc_neurocore.network import DecisionTask


def figure_dir() -> Path | None:
    """Directory for figures, or None when matplotlib is not installed."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return None
    path = Path(os.environ.get("SC_NEUROCORE_FIGURES") or Path(__file__).resolve().parent / "figures")
    path.mkdir(parents=True, exist_ok=True)
    return path


MODES = ("deterministic", "bernoulli", "lfsr")


def main() -> None:
    task = DecisionTask(n=500, n_pool=50, rate_on_hz=32.0, rate_off_hz=28.0, seed=13)
    w = task.connectivity.weights
    w_scale = float(np.abs(w).max())
    p_exc = float(np.abs(w[w > 0]).mean()) / w_scale
    print(f"{task.n} neurons, {task.connectivity.nnz} synapses; "
          f"SC full scale w_scale = max|w| = {w_scale:.3f}")
    print(f"mean excitatory transmission probability |w|/w_scale = {p_exc:.3f}: an excitatory spike is "
          f"passed on about 1 time in {1 / p_exc:.0f}, each time as a jump of {w_scale:.3f}")
    results = {}
    for mode in MODES:
        t0 = time.perf_counter()
        train = task.run_trials(20, seed=1, synapse=mode)
        test = task.run_trials(40, seed=2, synapse=mode)
        elapsed = (time.perf_counter() - t0) / 60
        pools = task.score(test, "pools")
        lin = task.score(test, "linear", train=train, alpha=10.0)
        results[mode] = test
        on = test.rates_hz[test.labels == 1].mean(axis=0)
        print(f"{mode:>13s}: network rate {test.network_rate_hz.mean():5.1f} Hz, pool rates on/off "
              f"{on[0]:5.1f}/{on[1]:5.1f} Hz,"
              f" accuracy pools {pools.accuracy:.1%} linear {lin.accuracy:.1%}, "
              f"confusion (pools) {pools.confusion.tolist()}, {1e3 * elapsed:.1f} ms per 100 ms trial")
    det = results["deterministic"].network_rate_hz
    for mode in MODES[1:]:
        sc = results[mode].network_rate_hz
        diff = sc - det
        se = diff.std(ddof=1) / np.sqrt(diff.size)
        print(f"{mode} minus deterministic network rate, same input spikes: {diff.mean():+.2f} Hz "
              f"(+- {se:.2f} Hz standard error over {diff.size} trials)")
    print("same mean input per spike; the SC transmission noise adds membrane variance, and neurons near "
          "threshold fire more with more variance")

    fig_dir = figure_dir()
    if fig_dir is None:
        return
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(2, 3, figsize=(14, 7))
    for k, mode in enumerate(MODES):
        net = task.build_network(1, seed=5, synapse=mode)
        ev = net.run(task.n_steps)
        ax[0, k].plot(ev.times_ms, ev.neurons, ",k")
        ax[0, k].set(xlabel="time (ms)", ylabel="neuron", title=f"{mode} synapses, pattern '1'")
        ax[1, k].hist(ev.rates_hz(), bins=np.linspace(0, 200, 41))
        ax[1, k].set(xlabel="rate (Hz)", ylabel="neurons", title=f"rates ({mode})")
    fig.tight_layout()
    fig.savefig(fig_dir / "13_sc_vs_deterministic.png", dpi=110)
    plt.close(fig)
    print(f"figure written to {fig_dir / '13_sc_vs_deterministic.png'}")


if __name__ == "__main__":
    main()
