"""Tutorial 22 - correlation control: the same min() circuit, wrong, right, and fixed.

What you will see
-----------------
An AND gate computes min(p, q) only when its inputs are maximally correlated
(SCC = +1): the ones of the sparser stream sit inside the ones of the denser
one (Alaghi & Hayes, ICCD 2013).  Fed by two independent LFSR comparators the
same gate computes about p q instead: the classic silent bug, here in reverse.

1. Wrong: two independent LFSR streams into AND.  The run prints the output
   next to min(p, q) and p q for a sweep of q; it tracks p q, not min.
2. Right: both comparators on ONE register (shared randomness): the output
   count equals min(n_a, n_b) exactly (error 0).
3. Fixed: the independent pair through a synchronizer FSM (Lee, Alaghi &
   Ceze, DATE 2018) before the AND.  The run prints SCC and the min() error
   for FSM depths 1, 2, 4, 8: SCC rises towards +1 and the error falls,
   while each stream loses at most `depth` ones.  The synchronized error is
   largest near q = p: the running imbalance of two independent streams of
   equal density is a random walk that often exceeds the FSM depth, and then
   unpaired ones pass through.
4. The gate-level check: ``hw_models.check_correlation`` flags the wrong
   circuit (a ``MinGate`` needs SCC = +1 but its inputs come from independent
   sources) and passes the shared-source and the synchronized circuits.
5. The same trick for max (OR), |p - q| (XOR) and, at SCC = -1 (a
   desynchronizer), saturating addition (OR).

Run:  python tutorials/22_correlation_control.py
Figures (with matplotlib): ``22_min_circuits.png`` (output vs q for the three
circuits) and ``22_sync_depth.png`` (min() error and SCC vs FSM depth).
"""

# %%
import numpy as np
from _common import figure_dir, save_figure

import hw_models as hw
from hw_models._correlation import lfsr_jump
from sc_neurocore import bitstream as bs

P, L, WIDTH = 0.6, 4095, 12  # one full period of a 12-bit LFSR
QS = np.linspace(0.05, 0.95, 19)
DEPTHS = (1, 2, 4, 8)
# a second register state half a period away from seed 1: an independent-looking sequence
FAR_SEED = lfsr_jump(1, L // 2, WIDTH)

# %% [markdown]
# ## min(p, q) with one AND gate: wrong, right, synchronized
#
# Stream a (p = 0.6) comes from a 12-bit LFSR comparator started at seed 1.  For a sweep of q
# we make b three ways: from the same register at another phase, half a period away
# (independent-looking: the AND then computes about p q, the **wrong** circuit); from the
# **same** register and phase (the ones of the sparser stream sit inside those of the denser
# one, SCC = +1, and the AND computes min(p, q)); and the independent pair passed through a
# synchronizer FSM of depth 4 (Lee, Alaghi & Ceze 2018), which holds back up to 4 unpaired ones
# of one stream until the other stream has a one to pair them with.

# %%
print("Tutorial 22: correlation control - min(p, q) with one AND gate\n")
a_shared = bs.lfsr(P, L, width=WIDTH, seed=1)
b_indep = bs.lfsr(QS, L, width=WIDTH, seed=FAR_SEED)  # another phase: independent
b_shared = bs.lfsr(QS, L, width=WIDTH, seed=1)  # the same register as a
pa, pb = bs.decode(a_shared, L), bs.decode(b_indep, L)

wrong = bs.decode(bs.sc_min(a_shared, b_indep), L)
right = bs.decode(bs.sc_min(a_shared, b_shared), L)
xs, ys = bs.synchronize(a_shared, b_indep, L, depth=4)
fixed = bs.decode(bs.sc_min(xs, ys), L)
print(f"p = {P}, L = {L} (12-bit LFSR comparators)")
print(f"{'q':>5} {'min(p,q)':>9} {'p q':>7} {'wrong':>7} {'right':>7} {'synced':>7}")
for k in range(0, QS.size, 3):
    print(f"{QS[k]:5.2f} {min(P, QS[k]):9.4f} {P * QS[k]:7.4f} {wrong[k]:7.4f} {right[k]:7.4f} "
          f"{fixed[k]:7.4f}")

# %% [markdown]
# ## How far off each circuit is
#
# Against min(p^, q^) of the measured densities: the wrong circuit is off by 0.13 on average
# (its SCC is about 0); on one shared register the AND count equals the smaller of the two
# counts exactly, for every q (bit t is r_t < T_a AND r_t < T_b = r_t < min(T_a, T_b)); the
# synchronized pair reaches SCC +0.967 and an average error of 0.0072.

# %%
target = np.minimum(pa, pb)
exact = np.array_equal(bs.popcount(bs.sc_min(a_shared, b_shared)),
                       np.minimum(bs.popcount(a_shared), bs.popcount(b_shared)))
print(f"\nwrong  (independent sources): mean |error| vs min {np.abs(wrong - target).mean():.4f}, "
      f"mean SCC {np.mean(bs.scc(a_shared, b_indep, L)):+.3f}")
print(f"right  (one shared register):  AND count == min of the counts for every q: {exact}")
print(f"synced (synchronizer depth 4): mean |error| vs min {np.abs(fixed - target).mean():.4f}, "
      f"mean SCC {np.mean(bs.scc(xs, ys, L)):+.3f}")

# %% [markdown]
# ## The synchronizer's depth
#
# A deeper FSM can hold more unpaired ones, so SCC rises towards +1 and the min() error falls;
# the price is that each stream loses at most `depth` ones (still held at the end of the
# stream).  The error is largest near q = p: there the running imbalance of the two
# independent streams is a random walk that often exceeds the depth, and unpaired ones pass.

# %%
print("\nsynchronizer depth sweep (independent pair, all q):")
print(f"{'depth':>5} {'mean SCC':>9} {'min |error|':>12} {'max count loss':>15}")
sweep = []
for d in DEPTHS:
    x2, y2 = bs.synchronize(a_shared, b_indep, L, depth=d)
    err = np.abs(bs.decode(bs.sc_min(x2, y2), L) - target).mean()
    loss = int(max((bs.popcount(a_shared) - bs.popcount(x2)).max(),
                   (bs.popcount(b_indep) - bs.popcount(y2)).max()))
    sc = float(np.mean(bs.scc(x2, y2, L)))
    sweep.append((d, sc, err))
    print(f"{d:5d} {sc:+9.3f} {err:12.4f} {loss:15d}")

# %% [markdown]
# ## The gate-level check
#
# The same three circuits as `hw_models` gate-level blocks: stochastic number generators
# (`SNG`: a register and a comparator threshold), a `Synchronizer` and a `MinGate`.
# `hw_models.check_correlation` follows every input back to its random source and flags the
# wrong circuit (a `MinGate` needs SCC = +1 but its inputs come from independent registers);
# the shared-source and the synchronized circuits pass.

# %%
reg, other = hw.FibonacciLFSR(WIDTH, 1), hw.FibonacciLFSR(WIDTH, FAR_SEED)
sng_a = hw.SNG(reg, hw.threshold_of(P, WIDTH))
sng_b_indep = hw.SNG(other, hw.threshold_of(0.3, WIDTH))
sng_b_shared = hw.SNG(reg, hw.threshold_of(0.3, WIDTH))
sync = hw.Synchronizer(4, sources=(sng_a, sng_b_indep))
print("\ncheck_correlation on the three gate-level circuits:")
for name, gate in [("wrong", hw.MinGate(sources=(sng_a, sng_b_indep))),
                   ("right", hw.MinGate(sources=(sng_a, sng_b_shared))),
                   ("synced", hw.MinGate(sources=(sync, sync)))]:
    rep = hw.check_correlation(gate)
    print(f"  {name:<7} {'OK' if rep.ok else 'ERROR'}" + "".join(f"\n    {i}" for i in rep.issues))

# %% [markdown]
# ## Other functions of one gate
#
# On a pair with SCC = +1 an OR gate computes max(p, q) and an XOR |p - q|; on a pair with
# SCC = -1 (ones that avoid each other) an OR computes the saturating sum min(1, p + q).
# A desynchronizer, the synchronizer's mirror image, pushes an independent pair towards
# SCC = -1.

# %%
print("\nother functions of one gate on an SCC = +1 (or -1) pair, p = 0.6, q = 0.3:")
xp, yp = bs.correlated_pair(0.6, 0.3, 1.0, L, seed=22)
xn, yn = bs.correlated_pair(0.6, 0.3, -1.0, L, seed=22)
for name, gate_out, ref in [("max (OR, +1)", bs.sc_max(xp, yp), 0.6),
                            ("|p-q| (XOR, +1)", bs.sc_abs_diff(xp, yp), 0.3),
                            ("min(1,p+q) (OR, -1)", bs.sc_sat_add(xn, yn), 0.9)]:
    print(f"  {name:<20} {float(bs.decode(gate_out, L)):.4f}  "
          f"(target {ref}, up to the encoding error of the inputs)")
xd, yd = bs.desynchronize(a_shared, b_indep[9], L, depth=4)  # q = 0.5
print(f"  desynchronizer (depth 4) on the independent pair at q = {QS[9]:.2f}: SCC "
      f"{float(bs.scc(xd, yd, L)):+.3f} (from {float(bs.scc(a_shared, b_indep[9], L)):+.3f}), "
      f"OR = {float(bs.decode(bs.sc_sat_add(xd, yd), L)):.4f} vs min(1, p + q) = "
      f"{min(1.0, float(pa + pb[9])):.4f}")

# %% [markdown]
# ## The figures
#
# `22_min_circuits.png`: the AND output against q for the three circuits, with min(p, q) and
# p q.  `22_sync_depth.png`: the min() error and the SCC against the synchronizer depth.

# %%
out = figure_dir()
if out is None:
    print("\n(matplotlib not installed: no figures)")
else:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6, 4), layout="constrained")
    ax = fig.subplots()
    ax.plot(QS, np.minimum(P, QS), "k-", label="min(p, q) (target)")
    ax.plot(QS, P * QS, "k:", label="p q")
    ax.plot(QS, wrong, "o", label="AND, independent sources (wrong)")
    ax.plot(QS, right, "s", mfc="none", label="AND, shared register (right)")
    ax.plot(QS, fixed, "^", label="synchronizer (depth 4) + AND")
    ax.set(xlabel="q (probability, unitless)", ylabel="AND output (probability, unitless)",
           title=f"min(p, q) with one AND gate, p = {P}, L = {L}")
    ax.legend(fontsize=8)
    save_figure(fig, out / "22_min_circuits.png")

    fig = Figure(figsize=(6, 4), layout="constrained")
    ax = fig.subplots()
    depths = [s[0] for s in sweep]
    ax.plot(depths, [s[2] for s in sweep], "o-", label="mean |AND - min(p, q)|")
    ax.set(xlabel="synchronizer depth (held ones)", ylabel="mean |error| (probability, unitless)",
           xscale="log", yscale="log", title="Synchronizer depth vs min() error and SCC")
    ax2 = ax.twinx()
    ax2.plot(depths, [s[1] for s in sweep], "s--", color="C1", label="mean SCC after sync")
    ax2.set_ylabel("SCC (unitless)")
    lines = ax.get_lines() + ax2.get_lines()
    ax.legend(lines, [str(ln.get_label()) for ln in lines], fontsize=8, loc="center right")
    save_figure(fig, out / "22_sync_depth.png")
    print(f"\nfigures written to {out}")

# %% [markdown]
# ## Try this
#
# Predict first, then change the code and run the cells again.
#
# * Add depths 16 and 32 to `DEPTHS`.  Prediction: the trend goes on: SCC +0.997 and +1.000,
#   min() error 0.0012 and 0.0005, and the count loss equals the depth (16, 32).
# * Shorten the streams to L = 1000 (no longer a full LFSR period).  Prediction: the shared
#   register still gives the exact min for every q (`True`): the argument
#   r_t < min(T_a, T_b) holds bit by bit, for any L.
# * Set `FAR_SEED = 1`, so the "independent" stream b comes from the same register and phase as
#   a.  Prediction: the wrong circuit becomes right: its column equals the `right` column
#   (error 0.0000, mean SCC +1.000), and `check_correlation` reports OK for all three circuits
#   (two registers with the same class, width, taps and seed count as one source).
