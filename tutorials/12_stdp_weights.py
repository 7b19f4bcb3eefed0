"""Tutorial 12 - STDP shaping weights: causal synapses grow, anti-causal ones shrink.

What you will see
-----------------
* Two groups of 20 neurons, A and B, connected all-to-all in both directions
  (A -> B and B -> A), all weights 0.01 (threshold 1, so recurrent input alone
  never makes a neuron fire here).
* A binary input matrix makes group A fire, and 5 ms later group B, every
  100 ms.  Pair-based STDP with exponential traces (tau+ = 20 ms, tau- = 40 ms)
  therefore sees "pre before post" on every A -> B synapse and "post before pre"
  on every B -> A synapse.
* The two rules, with x_pre and x_post the exponential traces of the pre- and
  postsynaptic spikes and m the weight's magnitude:

  - additive: at a post spike m += A+ x_pre, at a pre spike m -= A- x_post,
    then m is clipped to [0, W_max];
  - multiplicative: at a post spike m += A+ x_pre (1 - m / W_max), at a pre
    spike m *= 1 - (A- / W_max) x_post, so m approaches W_max and 0 only
    gradually.

  With either rule A -> B weights rise and B -> A weights fall.
* Every neuron of a group fires at the same instants, so all 400 A -> B
  synapses follow one trajectory and all 400 B -> A synapses another: the
  script prints the spread within each group (zero).  The additive weights
  are checked against a plain-Python sum of the exponential trace values at
  the known spike times, and the figure shows both side by side.

Run:  python tutorials/12_stdp_weights.py
Figures (with matplotlib installed) go to the current directory, or to --out DIR.
"""

# %%
import math

import numpy as np
from _common import figure_dir, save_figure

from sc_neurocore.network import STDP, BinaryInput, Network, Population, from_arrays

N_GROUP = 20
DT = 0.1  # ms
PERIOD, LAG = 1000, 50  # steps: A fires every 100 ms, B 5 ms after A
N_PAIR = 10
N_STEPS = N_PAIR * PERIOD  # 1 s
W0, ETA_A, TAU_P, TAU_M = 0.01, 0.005, 20.0, 40.0


def build(rule: str) -> tuple[Network, np.ndarray]:
    n = 2 * N_GROUP
    a = np.arange(N_GROUP)
    b = np.arange(N_GROUP, n)
    pre = np.concatenate([np.repeat(a, N_GROUP), np.repeat(b, N_GROUP)])
    post = np.concatenate([np.tile(b, N_GROUP), np.tile(a, N_GROUP)])
    conn = from_arrays(pre, post, W0, 1, n_pre=n)
    a_to_b = conn.pre() < N_GROUP
    pop = Population(n, tau_m=20.0, refractory=2.0, dt=DT)
    net = Network(pop, conn)
    drive = np.zeros((n, N_STEPS), dtype=np.uint8)
    drive[:N_GROUP, 0::PERIOD] = 1
    drive[N_GROUP:, LAG::PERIOD] = 1
    net.add_input(BinaryInput(drive, 1.0))  # jump = threshold: every input bit is a spike
    net.set_stdp(STDP(tau_plus=TAU_P, tau_minus=TAU_M, A_plus=ETA_A, A_minus=ETA_A, W_max=0.2, rule=rule))
    return net, a_to_b


def predicted_additive() -> tuple[np.ndarray, np.ndarray]:
    """Additive-rule weights after each pairing, from the trace sums at the known spike times.

    A spikes at k P, B at k P + L (ms).  An A->B synapse gains A+ x_pre(A) at each
    B spike and loses A- x_post(B) at each A spike; a B->A synapse loses
    A- x_post(A) at each B spike and gains A+ x_pre(B) at each A spike.  Traces
    are sums of exp(-age / tau) over earlier spikes (same-step pairs excluded).
    """
    p, lag = PERIOD * DT, LAG * DT
    a_times = [k * p for k in range(N_PAIR)]
    b_times = [k * p + lag for k in range(N_PAIR)]
    w_ab, w_ba, out_ab, out_ba = W0, W0, [], []
    for k in range(N_PAIR):
        t_a, t_b = a_times[k], b_times[k]
        # A spike at t_a: LTD on A->B from x_post(B), LTP on B->A from x_pre(B)
        w_ab -= ETA_A * sum(math.exp(-(t_a - s) / TAU_M) for s in b_times if s < t_a)
        w_ba += ETA_A * sum(math.exp(-(t_a - s) / TAU_P) for s in b_times if s < t_a)
        w_ab, w_ba = min(max(w_ab, 0.0), 0.2), min(max(w_ba, 0.0), 0.2)
        # B spike at t_b: LTP on A->B from x_pre(A), LTD on B->A from x_post(A)
        w_ab += ETA_A * sum(math.exp(-(t_b - s) / TAU_P) for s in a_times if s < t_b)
        w_ba -= ETA_A * sum(math.exp(-(t_b - s) / TAU_M) for s in a_times if s < t_b)
        w_ab, w_ba = min(max(w_ab, 0.0), 0.2), min(max(w_ba, 0.0), 0.2)
        out_ab.append(w_ab)
        out_ba.append(w_ba)
    return np.array(out_ab), np.array(out_ba)

# %% [markdown]
# ## Two groups, a fixed firing order, two STDP rules
#
# Groups A and B (20 neurons each) are connected all-to-all in both directions with weights
# 0.01, far too weak to make a neuron fire (threshold 1).  An input matrix makes A fire, and
# 5 ms later B, every 100 ms.  Pair-based STDP with exponential traces (tau+ = 20 ms,
# tau- = 40 ms) therefore sees "pre before post" on every A->B synapse and "post before pre" on
# every B->A synapse.  With x_pre and x_post the traces of the pre- and postsynaptic spikes
# and m the weight's magnitude:
#
# * additive: at a post spike m += A+ x_pre, at a pre spike m -= A- x_post, then m is clipped
#   to [0, W_max];
# * multiplicative: at a post spike m += A+ x_pre (1 - m / W_max), at a pre spike
#   m *= 1 - (A- / W_max) x_post, so m approaches W_max and 0 only gradually.
#
# Every neuron of a group fires at the same instants, so all 400 synapses of one direction
# follow one trajectory: the spread within a group is zero.

# %%
x_pre = math.exp(-LAG * DT / TAU_P)
print(f"presynaptic trace seen by an A->B synapse when B fires: exp(-5/20) = {x_pre:.4f}")
hist = {}
for rule in ("multiplicative", "additive"):
    net, a_to_b = build(rule)
    w_ab, w_ba = [], []
    for _ in range(N_STEPS // PERIOD):
        net.run(PERIOD)
        # the network's own weights: it copies the Connectivity's on the first STDP update
        w = net.connectivity.weights
        w_ab.append(float(w[a_to_b].mean()))
        w_ba.append(float(w[~a_to_b].mean()))
    hist[rule] = (np.array(w_ab), np.array(w_ba))
    spread = max(float(np.ptp(w[a_to_b])), float(np.ptp(w[~a_to_b])))
    print(f"{rule:>14s}: mean A->B weight {W0:.4f} -> {w_ab[-1]:.4f}, mean B->A weight {W0:.4f} -> "
          f"{w_ba[-1]:.4f} after {len(w_ab)} pairings; spread within a group {spread:.1e}")
    spikes = net.spikes
    print(f"{'':>14s}  {len(spikes)} spikes ({spikes.counts()[:N_GROUP].mean():.1f} per A neuron, "
          f"{spikes.counts()[N_GROUP:].mean():.1f} per B neuron)")

# %% [markdown]
# ## The additive rule against a hand calculation
#
# At the first pairing an A->B synapse gains A+ exp(-5/20) = 0.003894.  `predicted_additive`
# sums the exponential trace values at the known spike times in plain Python for all ten
# pairings; the simulation, with float32 traces, agrees to about 1e-7.

# %%
pred_ab, pred_ba = predicted_additive()
got_ab, got_ba = hist["additive"][0], hist["additive"][1]
print(f"additive rule, first pairing: A->B gain {got_ab[0] - W0:.6f}; A+ * exp(-5/20) = "
      f"{ETA_A * x_pre:.6f}")
err = max(np.abs(got_ab - pred_ab).max(), np.abs(got_ba - pred_ba).max())
print(f"additive rule, all {N_PAIR} pairings: largest difference to the trace-sum prediction "
      f"{err:.1e} (float32 traces)")

# %% [markdown]
# ## The figure
#
# `12_stdp_weights.png`: left, the mean A->B and B->A weights after each pairing under both
# rules (causal up, anti-causal down; the additive B->A weight is clipped at 0); right, the
# additive rule's simulated weights on its trace-sum prediction.

# %%
fig_dir = figure_dir()
if fig_dir is not None:
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(1, 2, figsize=(11, 4))
    pairing = np.arange(1, N_PAIR + 1)
    for rule, style in (("multiplicative", "-"), ("additive", "--")):
        w_ab, w_ba = hist[rule]
        ax[0].plot(pairing, w_ab, "r" + style, label=f"A->B, {rule}")
        ax[0].plot(pairing, w_ba, "b" + style, label=f"B->A, {rule}")
    ax[0].axhline(W0, color="k", lw=0.8, label="initial weight")
    ax[0].set(xlabel="pairing (one every 100 ms)", ylabel="weight (threshold = 1)",
              title="STDP: causal synapses grow, anti-causal shrink")
    ax[0].legend(fontsize=8)
    ax[1].plot(pairing, pred_ab, "r-", label="A->B, trace-sum prediction")
    ax[1].plot(pairing, got_ab, "ro", mfc="none", label="A->B, simulated")
    ax[1].plot(pairing, pred_ba, "b-", label="B->A, trace-sum prediction")
    ax[1].plot(pairing, got_ba, "bo", mfc="none", label="B->A, simulated")
    ax[1].set(xlabel="pairing (one every 100 ms)", ylabel="weight (threshold = 1)",
              title=f"additive rule against theory (largest difference {err:.0e})")
    ax[1].legend(fontsize=8)
    fig.tight_layout()
    save_figure(fig, fig_dir / "12_stdp_weights.png")
    plt.close(fig)
    print(f"figure written to {fig_dir / '12_stdp_weights.png'}")

# %% [markdown]
# ## Try this
#
# Predict first, then change the code and run the cells again.
#
# * Let B fire 10 ms after A (`LAG = 100` steps).  Prediction: the first A->B gain becomes
#   A+ exp(-10/20) = 0.003033.
# * Run 20 pairings (`N_PAIR = 20`).  Prediction: the additive A->B weight keeps growing by
#   about 0.0034 per pairing (gain minus the depression from the previous B spike) to 0.0788,
#   the B->A weight stays clipped at 0, and the trace-sum check still agrees to about 1e-7.
