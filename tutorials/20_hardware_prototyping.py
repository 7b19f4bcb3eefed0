"""Tutorial 20 - prototyping an SC multiplier in hardware with hw_models.

What you will see
-----------------
* An 8-bit stochastic multiplier assembled from gate-level parts: two LFSRs,
  two comparators (SNGs), one AND gate and a counter, as one clocked block.
* Its product over one LFSR period against the real product and against the
  software Bernoulli engine, and a bit-for-bit check against the core
  package's hardware-mode ``lfsr`` encoder.
* The Verilog it emits, a co-simulation of that Verilog in Icarus Verilog
  compared cycle by cycle with the Python model, and the cell count Yosys
  synthesises it to, next to a plain 8x8 binary multiplier: 70 cells
  against 370.  The SC multiplier needs 255 cycles (one LFSR period) for an
  8-bit product where the binary one needs 1, so per product it occupies 70 x 255
  = 17,850 cell-cycles against 370: 48 times more area x latency, and, with
  equal switching activity per cell, about as much more energy.
* The classic silent bug: both comparators on one random source.  The
  correlation checker flags it; SCC = 1; the AND then outputs min(p, q).
* Fault injection: the same per-bit flip rate hits the SC streams and the
  registers of a binary multiplier; SC degrades gracefully.

The simulator parts need Icarus Verilog and Yosys (Debian/Ubuntu:
``apt-get install iverilog yosys``); without them those steps say so and the
rest still runs.

Run:  python tutorials/20_hardware_prototyping.py
Figures (with matplotlib installed) go to the current directory, or to --out DIR.
"""

# %%
import shutil

import numpy as np
from _common import figure_dir, save_figure

import hw_models as hw
from sc_neurocore import bitstream as bs

WIDTH = 8  # LFSR and comparator width n: values are quantised to X / 2^n
PERIOD = (1 << WIDTH) - 1  # one full LFSR period: 255 cycles

# %% [markdown]
# ## A multiplier built from gate-level parts
#
# `SNGMultiplier` is one clocked `hw_models` block: two 8-bit Fibonacci LFSRs, two comparators
# (stochastic number generators, SNGs: bit = [r < X] for the register value r), one AND gate
# and a counter of the product ones.  It can also put both comparators on one LFSR, to show the
# classic bug.  Each part knows its Python behaviour and its Verilog.

# %%
class SNGMultiplier(hw.Block):
    """``y = (r_x < X) AND (r_w < W)`` with a counter of the ones of ``y``.

    Two Fibonacci LFSRs (or one, shared, to show the bug), two comparators,
    an AND gate and an up counter.  Outputs per cycle: the two input stream
    bits, the product bit and the count of product ones *before* this cycle.
    """

    part = "SNGMultiplier"
    top_module = "sng_multiplier_top"

    def __init__(self, x: int, w: int, seed_x: int, seed_w: int, shared: bool = False) -> None:
        self.lfsr_x = hw.FibonacciLFSR(WIDTH, seed_x)
        self.lfsr_w = self.lfsr_x if shared else hw.FibonacciLFSR(WIDTH, seed_w)
        self.shared = shared
        self.sng_x = hw.SNG(self.lfsr_x, x)
        self.sng_w = hw.SNG(self.lfsr_w, w)
        # `sources` records the wiring for the correlation checker
        self.gate = hw.AndGate(1, sources=(self.sng_x, self.sng_w))
        self.counter = hw.UpCounter(PERIOD + 1)

    # registers live in the LFSRs and the counter; a shared LFSR is clocked once
    def leaves(self) -> list[hw.Block]:
        return [self.lfsr_x, self.lfsr_w, self.counter]

    def outputs_spec(self) -> list[tuple[str, int, bool]]:
        return [("x_bit", 1, False), ("w_bit", 1, False), ("y", 1, False),
                ("count", self.counter.width, False)]

    def eval(self, **inputs: int) -> dict[str, int]:
        a = self.sng_x.eval()["stream"]
        b = self.sng_w.eval()["stream"]
        y = self.gate.eval(a=a, b=b)["y"]
        count = self.counter.eval(inc=y)["q"]
        return {"x_bit": a, "w_bit": b, "y": y, "count": count}

    def verilog_modules(self) -> dict[str, str]:
        mods: dict[str, str] = {}
        for part in (self.sng_x, self.sng_w, self.gate, self.counter):
            mods.update(part.verilog_modules())
        return mods

    def verilog_top(self) -> str:
        cw = self.counter.width
        body = self.sng_x.verilog_body("u_sx", {"stream": "x_bit"})
        # a shared source is one LFSR instance whose output net feeds both comparators
        body += self.sng_w.verilog_body("u_sw", {"stream": "w_bit"},
                                        source_net="u_sx_r" if self.shared else None)
        body += self.gate.verilog_body("u_and", {"a": "x_bit", "b": "w_bit", "y": "y"})
        body += self.counter.verilog_body("u_cnt", {"inc": "y", "q": "count"})
        return (f"module {self.top_module} (input wire clk, input wire rst,\n"
                f"  output wire x_bit, output wire w_bit, output wire y, output wire [{cw - 1}:0] count);\n"
                f"{body}endmodule\n")

# %% [markdown]
# ## A binary multiplier, for comparison
#
# A registered 8x8 -> 16-bit multiplier, only used to compare area with Yosys.

# %%
class BinaryMultiplier(hw.Block):
    """Registered 8x8 -> 16-bit binary multiplier, only for the area comparison."""

    part = "BinaryMultiplier"
    top_module = "binary_multiplier_top"

    def outputs_spec(self) -> list[tuple[str, int, bool]]:
        return [("p", 2 * WIDTH, False)]

    def inputs_spec(self) -> list[tuple[str, int, bool]]:
        return [("a", WIDTH, False), ("b", WIDTH, False)]

    def verilog_modules(self) -> dict[str, str]:
        return {}

    def verilog_top(self) -> str:
        w = WIDTH
        return (f"module {self.top_module} (input wire clk, input wire rst, input wire [{w - 1}:0] a,\n"
                f"  input wire [{w - 1}:0] b, output reg [{2 * w - 1}:0] p);\n"
                f"  always @(posedge clk) p <= rst ? {2 * w}'d0 : a * b;\nendmodule\n")

# %% [markdown]
# ## Seeds that decorrelate two LFSRs
#
# `assign_channels` picks start states half a period apart on one polynomial, so the two
# streams are nearly uncorrelated (SCC about 0).  The tempting seeds 1 and 2 are one clock
# apart: the second stream is the first one cycle ahead (SCC +0.25).  Over one full period of
# 255 cycles each LFSR visits every nonzero state once, so the product's error is a fixed
# rounding, not noise; the core package's hardware-mode `bs.lfsr` encoder gives the same bits,
# checked bit for bit.

# %%
print("Tutorial 20: prototyping an SC multiplier in hardware\n")
p, q = 0.6, 0.5
X, W = hw.threshold_of(p, WIDTH), hw.threshold_of(q, WIDTH)

channels = hw.assign_channels(2, width=WIDTH, seed=1, probabilities=[p, q])
seed_x, seed_w = (c.seed for c in channels.sources)
print(f"1. Seeds from assign_channels: {seed_x} and {seed_w} (half a period apart on one "
      f"polynomial); measured SCC of the two streams = {channels.scc[0, 1]:+.4f}")

naive = hw.assign_channels(2, kind="naive", width=WIDTH, seed=1, probabilities=[p, q])
print(f"   (the tempting seeds 1 and 2 give SCC {naive.scc[0, 1]:+.4f}: with these taps state 1 "
      f"clocks to {hw.lfsr_jump(1, 1, WIDTH)}, so the second stream is the first one cycle ahead)")

mult = SNGMultiplier(X, W, seed_x, seed_w)
out = mult.run(PERIOD + 1)
ones = int(out["count"][-1])  # count of the first PERIOD cycles
sc = ones / PERIOD
print(f"   X = round({p} x 2^{WIDTH}) = {X}, W = {W}; one period of {PERIOD} cycles: "
      f"{ones} ones -> p*q ~ {sc:.4f} (exact {p * q:.4f}, error {sc - p * q:+.4f})")

# the same product with the core package's engines
a = bs.lfsr(p, PERIOD, width=WIDTH, seed=seed_x)
b = bs.lfsr(q, PERIOD, width=WIDTH, seed=seed_w)
core_bits = bs.unpack(bs.and_(a, b), PERIOD)
same = np.array_equal(core_bits, out["y"][:PERIOD])
if not same:
    raise RuntimeError("the gate-level model and the core lfsr encoder disagree")
print(f"   core hardware-mode encoder bs.lfsr + AND: {int(core_bits.sum())} ones, "
      f"bit-for-bit equal to the gate-level model: {same}")
rng_errors = []
for child in np.random.SeedSequence(20).spawn(200):  # 200 independent seeds
    x_s, w_s = bs.bernoulli(np.array([p, q]), PERIOD, seed=child)
    rng_errors.append(float(bs.popcount(bs.and_(x_s, w_s))) / PERIOD - p * q)
se = bs.binomial_standard_error(p * q, PERIOD)
rms = float(np.sqrt(np.mean(np.square(rng_errors))))
print(f"   Bernoulli engine, same length, 200 seeds: RMS error {rms:.4f} (binomial SE {se:.4f}).\n"
      f"   The LFSR pair's error ({abs(sc - p * q):.4f}) is deterministic: over a full period each "
      "LFSR visits every state exactly once.\n")

# %% [markdown]
# ## The Verilog it emits
#
# The same block writes Verilog-2005: one module per part and a top module that wires them.

# %%
verilog = mult.to_verilog()
start = verilog.index(f"module {mult.top_module}")
top = verilog[start:verilog.index("endmodule", start) + len("endmodule")]
print(f"2. Emitted Verilog-2005: {len(verilog.splitlines())} lines, modules "
      f"{sorted(mult.verilog_modules())} and the top:\n")
print("   " + top.replace("\n", "\n   ").rstrip())

# %% [markdown]
# ## Co-simulation with Icarus Verilog
#
# `hw.cosimulate` compiles the Verilog, runs it with a reset at cycle 100 and compares every
# port with the Python model, cycle by cycle.  Skipped, with a message, without `iverilog`.

# %%
if shutil.which("iverilog") and shutil.which("vvp"):
    res = hw.cosimulate(mult, PERIOD + 1, reset_cycles=[100])
    if not res.ok:  # a tutorial that silently printed FAILED would hide a real bug
        raise RuntimeError(str(res))
    print(f"3. Icarus Verilog co-simulation, {res.n_cycles} cycles with a reset at cycle 100: {res}")
    print(f"   RTL product ones after the restart: {int(res.rtl['y'][101:].sum())} in "
          f"{PERIOD + 1 - 101} cycles\n")
else:
    print("3. Co-simulation skipped: install Icarus Verilog (apt-get install iverilog)\n")

# %% [markdown]
# ## Area, latency and energy
#
# Yosys synthesises the SC multiplier to 70 cells and the binary one to 370.  But the SC
# product needs one LFSR period, 255 cycles, where the binary one needs 1: per product SC
# occupies 70 x 255 = 17,850 cell-cycles against 370, 48 times more area x latency, and with
# equal switching activity per cell about as much more energy.  Skipped without `yosys`.

# %%
if shutil.which("yosys"):
    rep = hw.area_report(mult)
    binary = hw.area_report(BinaryMultiplier())
    print(f"4. Yosys cell counts: SC multiplier {rep.summary()}")
    print(f"   for comparison, a registered 8x8 binary multiplier: {binary.summary()}")
    # Area alone flatters SC: the SC product needs a whole period of cycles, the binary one a
    # single cycle.  Cells x cycles is the silicon-time one product occupies; with equal
    # switching activity per cell and cycle, energy per product follows the same ratio.
    sc_cost, bin_cost = rep.total_cells * PERIOD, binary.total_cells * 1
    print(f"   latency: SC {PERIOD} cycles (one full LFSR period) for an 8-bit product, binary 1 cycle")
    print(f"   area x latency (cells x cycles per product, also a first-order energy proxy): "
          f"SC {sc_cost}, binary {bin_cost}: SC costs {sc_cost / bin_cost:.0f}x more")
    print(f"   SC breaks even only below {bin_cost / rep.total_cells:.1f} cycles, far too short for "
          "8-bit precision.\n   Its case rests elsewhere: tolerance of bit flips (step 6), and designs "
          "where one input's SNG\n   feeds many AND gates (each with its own weight stream), so the "
          "per-product share of the\n   SNG and counter area shrinks while the AND gate stays one "
          "cell.\n")
else:
    print("4. Area report skipped: install Yosys (apt-get install yosys)\n")

# %% [markdown]
# ## The shared-source bug
#
# Both comparators on one LFSR: the correlation checker flags it from the wiring, SCC = 1, and
# the AND computes min(p, q) = 0.498 instead of p q = 0.3.  With one register r, the output is
# [r < X and r < W] = [r < min(X, W)], and r runs over 1 .. 255: min(X, W) - 1 ones.

# %%
bad = SNGMultiplier(X, W, seed_x, seed_x, shared=True)
report = hw.check_correlation(bad)
print("5. Both comparators on one LFSR. Correlation checker:")
print("   " + report.format().replace("\n", "\n   "))
bad_out = bad.run(PERIOD + 1)
packed = bs.pack(np.stack([bad_out["x_bit"][:PERIOD], bad_out["w_bit"][:PERIOD]]).astype(np.uint8))
scc_bad = float(bs.scc(packed[0], packed[1], PERIOD))
ones_bad = int(bad_out["count"][-1])
print(f"   SCC of the two streams = {scc_bad:.3f}; product count {ones_bad} = min(X, W) - 1 = "
      f"{min(X, W) - 1}: the AND computes min(p, q) = {ones_bad / PERIOD:.3f}, not p*q = {p * q:.3f}")
print(f"   the checked good design: {hw.check_correlation(mult).format()}\n")

# %% [markdown]
# ## Bit flips: SC degrades gracefully
#
# The same per-bit flip rate hits the SC streams and the registers of a binary multiplier.  A
# flip moves an SC product by only 1/L, while a flip of the top product bit costs a binary
# product 1/2: at 1% flips the binary product is off by more than 0.1 in 5.0% of the cases,
# the SC product in 0.1%.

# %%
rates = (0.0, 1e-3, 1e-2, 5e-2, 0.1)
table = hw.fault_tolerance("multiply", rates, width=WIDTH, trials=1000, seed=20)
print("6. Bit flips at the same per-bit rate in SC streams and in binary registers "
      "(absolute error of p*q):")
print("   " + table.format().replace("\n", "\n   "))
i1 = rates.index(1e-2)
print(f"   At 1% flips the binary product is off by more than 0.1 in {table.binary_tail[i1]:.1%} "
      "of the cases (an upset of the top product bit costs 1/2),\n"
      f"   the SC product in {table.sc_tail[i1]:.1%}: each flip moves it by only 1/L.  "
      "At 10% both are poor (SC is then biased by r(1 - 2p)).")
faulty = hw.FaultyBlock(SNGMultiplier(X, W, seed_x, seed_w), output_rate=0.01, seed=3)
f_out = faulty.run(PERIOD + 1)
print(f"   The gate-level model with 1% flips on its output wires: product bit ones "
      f"{int(f_out['y'][:PERIOD].sum())} vs {ones} fault-free ({faulty.flips} bits flipped in total)\n")

# %% [markdown]
# ## The figure
#
# `20_hardware_prototyping.png`: left, the AND output against q with two LFSRs (on the line
# p q) and with one shared LFSR (on min(p, q)); right, the mean and 99th-percentile error of
# both multipliers against the flip rate.

# %%
out_dir = figure_dir()
if out_dir is not None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4))
    grid = np.linspace(0.0, 1.0, 21)
    good, shared = [], []
    for qq in grid:
        wq = hw.threshold_of(float(qq), WIDTH)
        good.append(int(SNGMultiplier(X, wq, seed_x, seed_w).run(PERIOD + 1)["count"][-1]) / PERIOD)
        shared.append(int(SNGMultiplier(X, wq, seed_x, seed_x, shared=True)
                          .run(PERIOD + 1)["count"][-1]) / PERIOD)
    ax1.plot(grid, p * grid, "k-", label="p q (exact)")
    ax1.plot(grid, good, "o", label="independent LFSRs")
    ax1.plot(grid, shared, "s", label="one shared LFSR")
    ax1.set_xlabel("q")
    ax1.set_ylabel(f"AND output density (p = {p})")
    ax1.set_title("Shared random source: min(p, q)")
    ax1.legend()
    x = np.where(table.rates == 0, 1e-4, table.rates)
    ax2.semilogx(x, table.sc_p99, "o-", label="SC, 99th percentile")
    ax2.semilogx(x, table.binary_p99, "s-", label="binary, 99th percentile")
    ax2.semilogx(x, table.sc_mean, "o--", label="SC, mean")
    ax2.semilogx(x, table.binary_mean, "s--", label="binary, mean")
    ax2.set_xlabel("bit-flip rate (0 plotted at 1e-4)")
    ax2.set_ylabel("absolute error of p q")
    ax2.set_title(f"{WIDTH}-bit multiply under bit flips")
    ax2.legend()
    fig.tight_layout()
    save_figure(fig, out_dir / "20_hardware_prototyping.png")
    plt.close(fig)
    print(f"Figure written to {out_dir / '20_hardware_prototyping.png'}")

# %% [markdown]
# ## Try this
#
# Predict first, then change the code and run the cells again.
#
# * Build the multiplier with the tempting seeds, `SNGMultiplier(X, W, 1, 2)`.  Prediction: SCC
#   +0.25 pulls the AND output from p q = 0.30 towards min(p, q) = 0.5, to about
#   0.30 + 0.25 x 0.2 = 0.35 (89 ones, 0.349, in our run).
# * Share one LFSR at p = 0.3, q = 0.7.  Prediction: X = 77, so the count is min(X, W) - 1 = 76
#   ones: 0.298, which looks plausible but is min(p, q), not p q = 0.21.
# * Add a flip rate of 0.02 to `rates` in step 6.  Prediction: the binary tail (error > 0.1)
#   grows about in proportion to the rate, to about 10%, while the SC tail stays well under 1%
#   (11.3% and 0.2% in our run; the other rows move a little too, since the random operands
#   drawn depend on the list of rates).
