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
"""

from __future__ import annotations

import os

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
    return np.tanh(2.0 * x)


def three_ways(length: int, coeffs: np.ndarray, seed: np.random.SeedSequence) -> dict[str, np.ndarray]:
    """Decoded bipolar outputs, shape (len(XS), N_STREAMS), of the three circuits."""
    s_fsm, s_resc_x, s_resc_z, s_btanh = seed.spawn(4)
    p = (XS + 1.0) / 2.0
    x1 = bs.bernoulli(np.repeat(p[:, None], N_STREAMS, axis=1), length, seed=s_fsm)
    xr = bs.bernoulli(np.broadcast_to(p[:, None, None], (XS.size, N_STREAMS, DEGREE)), length, seed=s_resc_x)
    zr = bs.bernoulli(np.broadcast_to(coeffs, (XS.size, N_STREAMS, DEGREE + 1)), length, seed=s_resc_z)
    xb = bs.bernoulli(np.broadcast_to(p[:, None, None], (XS.size, N_STREAMS, M_BTANH)), length, seed=s_btanh)
    outs = {"FSM (Stanh, K=4)": bs.stanh(x1, length, K_FSM),
            f"Bernstein (N={DEGREE})": bs.bernstein(xr, zr, length),
            "APC + Btanh (M=4, K=4)": bs.apc_btanh(xb, length, K_BTANH)}
    return {k: 2.0 * bs.popcount(v) / length - 1.0 for k, v in outs.items()}


def main() -> None:
    coeffs = bs.bernstein_coefficients(lambda q: (1.0 + np.tanh(2.0 * (2.0 * q - 1.0))) / 2.0, DEGREE)
    print(f"Bernstein coefficients (degree {DEGREE}): {np.round(coeffs, 4).tolist()}")
    seeds = np.random.SeedSequence(SEED).spawn(len(LENGTHS))
    results = {length: three_ways(length, coeffs, ss) for length, ss in zip(LENGTHS, seeds, strict=True)}
    names = list(results[LENGTHS[0]])
    ref = target(XS)[:, None]
    rms = {n: [float(np.sqrt(np.mean((results[L][n] - ref) ** 2))) for L in LENGTHS] for n in names}
    print("\nRMS error against tanh(2x) over 21 inputs x 64 streams:")
    print(f"{'L':>6s} " + " ".join(f"{n:>24s}" for n in names))
    for i, length in enumerate(LENGTHS):
        print(f"{length:6d} " + " ".join(f"{rms[n][i]:24.4f}" for n in names))

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

    out = figure_dir()
    if out is None:
        print("\n(matplotlib not installed: no figures)")
        return
    import matplotlib

    matplotlib.use(os.environ.get("MPLBACKEND", "Agg"))
    import matplotlib.pyplot as plt

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4.2))
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
    fig.tight_layout()
    path = out / "21_activation_three_ways.png"
    save_figure(fig, path)
    plt.close(fig)
    print(f"\nfigure written: {path}")


if __name__ == "__main__":
    main()
