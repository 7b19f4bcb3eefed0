"""Tutorial 21 - a tanh activation built three ways: FSM, Bernstein polynomial, APC + Btanh.

What you will see
-----------------
The target is y = tanh(2 x) for a bipolar input x in [-1, 1], computed on
stochastic streams by three classic circuits:

1. **FSM** (Brown & Card 2001): a 4-state saturating up/down counter
   (``bitstream.stanh``); its exact long-run output is tanh(2 artanh x),
   close to tanh(2 x).
2. **Bernstein polynomial** (ReSC, Qian & Riedel 2011): the unipolar
   function p -> (1 + tanh(2 (2p - 1))) / 2 fitted with degree-6 coefficients
   in [0, 1] (``bitstream.bernstein_coefficients``) and evaluated by counting
   the ones among 6 independent copies of x (``bitstream.bernstein``).
3. **APC + Btanh** (Kim et al. 2016): 4 independent copies of x summed by a
   parallel counter into a 4-state saturating counter stepping by 2c - 4
   (``bitstream.apc_btanh``), which approximates tanh(K/(2M) * sum) =
   tanh(2 x) for M = 4 inputs and K = 4 states.

For stream lengths L = 16 .. 4096 the script prints the RMS error of each
circuit against tanh(2 x) over 21 inputs (64 streams each), then each
circuit's Yosys cell count and the number of independent random streams it
needs (each costs a random source + comparator).  In the printed table the
Btanh error levels off near its systematic approximation error (~0.08 for
this small 4-state counter), the FSM error falls more slowly than 1/sqrt(L)
(its memory inflates the variance and adds a start-up bias of order K/L), and
ReSC, combinational with i.i.d. output bits, is the most accurate at every L
but needs 13 independent streams instead of 1 or 4.
Figures: the transfer curves at L = 1024 and the error against L.

Run:  python tutorials/21_activation_three_ways.py
Figures (with matplotlib installed) go to the current directory, or to --out DIR.
The area table needs Yosys (without it those lines say "area skipped").
"""

# %%
import numpy as np
from _common import figure_dir, save_figure

import hw_models as hw
from sc_neurocore import bitstream as bs

SEED = 21
XS = np.linspace(-1.0, 1.0, 21)
LENGTHS = [16, 64, 256, 1024, 4096]
N_STREAMS = 64
K_FSM, M_BTANH, K_BTANH, DEGREE = 4, 4, 4, 6


def target(x: np.ndarray) -> np.ndarray:
    """The activation every circuit approximates, tanh(2 x), on bipolar values."""
    return np.tanh(2.0 * x)


def three_ways(length: int, coeffs: np.ndarray, seed: np.random.SeedSequence) -> dict[str, np.ndarray]:
    """Decoded bipolar outputs, shape (len(XS), N_STREAMS), of the three circuits."""
    s_fsm, s_resc_x, s_resc_z, s_btanh = seed.spawn(4)
    p = (XS + 1.0) / 2.0
    x1 = bs.bernoulli(np.repeat(p[:, None], N_STREAMS, axis=1), length, seed=s_fsm)
    xr = bs.bernoulli(np.broadcast_to(p[:, None, None], (XS.size, N_STREAMS, DEGREE)), length, seed=s_resc_x)
    zr = bs.bernoulli(np.broadcast_to(coeffs, (XS.size, N_STREAMS, DEGREE + 1)), length, seed=s_resc_z)
    xb = bs.bernoulli(np.broadcast_to(p[:, None, None], (XS.size, N_STREAMS, M_BTANH)), length, seed=s_btanh)
    outs = {f"FSM (Stanh, K={K_FSM})": bs.stanh(x1, length, K_FSM),
            f"Bernstein (N={DEGREE})": bs.bernstein(xr, zr, length),
            f"APC + Btanh (M={M_BTANH}, K={K_BTANH})": bs.apc_btanh(xb, length, K_BTANH)}
    return {k: 2.0 * bs.popcount(v) / length - 1.0 for k, v in outs.items()}

# %% [markdown]
# ## The Bernstein coefficients
#
# A Bernstein polynomial of degree N, B(p) = sum_k z_k C(N, k) p^k (1 - p)^(N - k), is what the
# ReSC circuit computes when it counts the ones among N independent copies of the input (k of
# them) and passes bit k of one of N + 1 coefficient streams z_k.  The coefficients must be
# probabilities, in [0, 1]: `bernstein_coefficients` fits the unipolar form of the target,
# p -> (1 + tanh(2 (2p - 1))) / 2, under that constraint.  The fit is antisymmetric, like tanh:
# z_k + z_(N-k) = 1 to the printed digits.

# %%
coeffs = bs.bernstein_coefficients(lambda q: (1.0 + np.tanh(2.0 * (2.0 * q - 1.0))) / 2.0, DEGREE)
print(f"Bernstein coefficients (degree {DEGREE}): {np.round(coeffs, 4).tolist()}")

# %% [markdown]
# ## Error against stream length
#
# Each circuit runs on 21 inputs x in [-1, 1], 64 independent streams each, for L = 16 .. 4096
# (every length gets its own child seed from `SeedSequence.spawn`).  The table is the RMS error
# of the decoded outputs against tanh(2 x): random error and systematic error together.
# The Btanh error levels off near its approximation error (~0.08 for this 4-state counter).
# The FSM error falls more slowly than 1/sqrt(L): its memory inflates the variance, its
# start-up adds a bias of order K/L, and its exact output tanh(2 artanh x) is itself 0.037
# from tanh(2 x) (RMS over x in [-1, 1]).  ReSC, combinational with independent output bits,
# is the most accurate at every L.

# %%
seeds = np.random.SeedSequence(SEED).spawn(len(LENGTHS))
results = {length: three_ways(length, coeffs, ss) for length, ss in zip(LENGTHS, seeds, strict=True)}
names = list(results[LENGTHS[0]])
ref = target(XS)[:, None]
rms = {n: [float(np.sqrt(np.mean((results[L][n] - ref) ** 2))) for L in LENGTHS] for n in names}
print("\nRMS error against tanh(2x) over 21 inputs x 64 streams:")
print(f"{'L':>6s} " + " ".join(f"{n:>24s}" for n in names))
for i, length in enumerate(LENGTHS):
    print(f"{length:6d} " + " ".join(f"{rms[n][i]:24.4f}" for n in names))

# %% [markdown]
# ## What each circuit costs
#
# Accuracy is half the story.  `hw_models.area_report` synthesises each unit's gate-level model
# with Yosys and counts its cells.  Each independent input stream costs a random source and a
# comparator on top: the FSM needs 1, Btanh M = 4, ReSC N + (N + 1) = 13 (N copies of x and
# N + 1 coefficient streams).  Without Yosys the area lines say so and the lesson goes on.

# %%
blocks = {names[0]: (hw.Stanh(K_FSM), 1), names[1]: (hw.BernsteinUnit(DEGREE), 2 * DEGREE + 1),
          names[2]: (hw.ApcBtanh(M_BTANH, K_BTANH), M_BTANH)}
print("\nArea (Yosys cells of the unit itself) and independent input streams needed:")
areas: dict[str, int] = {}
for name, (blk, n_streams) in blocks.items():
    try:
        rep = hw.area_report(blk)
    except hw.ToolNotFoundError as exc:
        print(f"  {name}: area skipped ({exc})")
        continue
    areas[name] = rep.total_cells
    print(f"  {name:24s} {rep.total_cells:4d} cells ({rep.flip_flops} flip-flops), "
          f"{n_streams} independent input streams")

# %% [markdown]
# ## The figure
#
# `21_activation_three_ways.png`: left, the transfer curves at L = 1024 (mean and standard
# deviation over the 64 streams) against tanh(2 x); right, the RMS error against L.

# %%
out = figure_dir()
if out is None:
    print("\n(matplotlib not installed: no figures)")
else:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(11, 4.2), layout="constrained")
    ax1, ax2 = fig.subplots(1, 2)
    fine = np.linspace(-1, 1, 401)
    ax1.plot(fine, target(fine), "k-", label="tanh(2x) (target)")
    for n in names:
        ax1.errorbar(XS, results[1024][n].mean(axis=1), yerr=results[1024][n].std(axis=1), fmt="o",
                     ms=3, capsize=2, label=f"{n}" + (f", {areas[n]} cells" if n in areas else ""))
    ax1.set(title="Transfer curves at L = 1024 (mean ± std over 64 streams)",
            xlabel="input x (bipolar value, dimensionless)", ylabel="output (bipolar value, dimensionless)")
    ax1.legend(fontsize=8)
    for n in names:
        ax2.loglog(LENGTHS, rms[n], "o-", label=n)
    ax2.set(title="Error against stream length", xlabel="stream length L (clock cycles)",
            ylabel="RMS error vs tanh(2x) (bipolar units)")
    ax2.legend(fontsize=8)
    path = out / "21_activation_three_ways.png"
    save_figure(fig, path)
    print(f"\nfigure written: {path}")

# %% [markdown]
# ## Try this
#
# Predict first, then change the code and run the cells again.
#
# * Set `DEGREE = 3`.  Prediction: the coefficients become [0, 0, 1, 1], a 3-input majority
#   gate with B(p) = 3p^2 - 2p^3, which is 0.062 (RMS) from the target; the Bernstein column
#   levels off there (0.0623 at L = 4096, now worse than the FSM's 0.0420), with 7 independent
#   streams instead of 13 (and 8 Yosys cells instead of 24).
# * Set `K_FSM = 8`.  Prediction: an 8-state Stanh computes tanh(4 artanh x), about tanh(4 x):
#   the wrong function, 0.19 (RMS) from tanh(2 x), so its error stops falling near 0.19
#   (0.1926 at L = 4096).  Setting `K_BTANH = 8` does the same to Btanh (0.2030).
# * Set `N_STREAMS = 256`.  Prediction: the table barely moves (0.0420 stays 0.0420,
#   0.0193 becomes 0.0191): the RMS error is the error of one stream; more streams measure it
#   more precisely but do not reduce it.
