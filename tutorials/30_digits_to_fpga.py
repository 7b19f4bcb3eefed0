"""Tutorial 30 - from a trained model to SC hardware: digits, accuracy per stream length, FPGA numbers.

What you will see
-----------------
* A 64-32-10 MLP trained in float on scikit-learn's 8x8 handwritten digits
  (1437 training / 360 test images, a fixed stratified split), with our short
  NumPy trainer.
* The same network mapped onto the SC datapath (``sc_neurocore.deploy.to_sc``):
  per-layer weight scales, comparator thresholds, the requantisation of the
  hidden layer, and what each step costs in accuracy.
* Its test accuracy at one stream length, checked bit for bit against the
  plain-Python cycle-by-cycle reference, and the average cycles with provably
  exact early termination.
* The hardware: ``hw_models.SCClassifierDatapath`` (the same classifier as
  gate-level model and Verilog) and the binary fixed-point baseline.
* The designer's table and Pareto plot (``run_flow``): accuracy against
  latency for every stream length L and encoder, against the binary MAC.
  With ``--fpga`` the SC and binary designs are also synthesised, placed and
  routed for an FPGA (yosys + nextpnr, the ``fpga`` extra) and the plot gains
  LUT4s and microseconds; that takes tens of minutes for the full network, so
  the default run leaves it out (``docs/model_to_hardware.md`` lists the
  numbers measured that way).

Needs the ``ml`` extra (scikit-learn, for the data set only).

Run:  python tutorials/30_digits_to_fpga.py [--full] [--fpga] [--out DIR]
Figures (with matplotlib installed) go to the current directory, or to --out DIR.
"""

# %%
import sys
from pathlib import Path

import numpy as np
from _common import figure_dir, save_figure

from hw_models import BinaryClassifier, SCClassifierDatapath
from sc_neurocore.deploy import (
    evaluate,
    evaluate_early_exit,
    float_accuracy,
    load_digits_split,
    pareto_figure,
    reference_counters,
    run_flow,
    to_sc,
    train_mlp,
)

FULL = "--full" in sys.argv  # L = 2^4 .. 2^12 instead of four lengths
FPGA = "--fpga" in sys.argv  # synthesise, place and route (minutes to hours)
LENGTHS = [2**k for k in range(4, 13)] if FULL else [16, 64, 256, 1024]
WIDTH = 16  # comparator / source width W in bits
SEED = 1  # channel-plan seed: all LFSR / Sobol sources come from one assign_channels call

# %% [markdown]
# ## Data and a float model
#
# The digits ship inside scikit-learn, so nothing is downloaded.  Pixels are grey levels
# 0..16; the network sees `pixels / 16`.  Training is deterministic for a seed.

# %%
data = load_digits_split()
mlp = train_mlp(data.x_train, data.y_train, hidden=(32,), epochs=60, seed=0)
float_acc = 100 * float_accuracy(mlp, data.x_test, data.y_test)
print(f"{len(data.y_train)} training / {len(data.y_test)} test images; "
      f"float 64-32-10 test accuracy {float_acc:.2f} %")

# %% [markdown]
# ## Mapping onto the SC datapath
#
# Each layer's weights and bias become one matrix `E = [W A | b]`, scaled into [-1, 1] by its
# largest entry `s`, and quantised to W-bit comparator thresholds with a sign bit (unipolar
# sign-magnitude coding).  The hidden ReLU becomes a clamp of the counter, rescaled by an
# integer `gain` and a right `shift`: `X' = clamp((C gain) >> shift, 0, 2^W)`.  The
# activation scale `A` (here the 99th percentile of the training activations) sets that
# rescaling.

# %%
clf = to_sc(mlp, width=WIDTH, length=1024, encoder="lfsr", accumulation="apc", seed=SEED,
            calibration=data.x_train)
for k, layer in enumerate(clf.layers):
    print(f"layer {k}: {layer.magnitude.shape[0]} neurons x {layer.magnitude.shape[1]} inputs (bias last), "
          f"scale s = {layer.scale:.3f}, gain {layer.gain}, shift {layer.shift}")

# %% [markdown]
# ## Accuracy at one length, bit-exact
#
# `evaluate` runs the packed fast path; `reference_counters` is the plain-Python, cycle-by-cycle
# model of the datapath that the hardware is checked against.  They agree bit for bit on the
# counters, not just on the predicted class.  Early termination stops the output phase once no
# other class can catch up with the leader in the remaining cycles, so its answer is the
# full-length answer.

# %%
fast = evaluate(clf, data.x_test)
acc = 100 * np.mean(fast.predictions == data.y_test)
print(f"SC, lfsr, L = 1024: test accuracy {acc:.2f} % (float {float_acc:.2f} %)")
ref = reference_counters(clf, data.x_test[:3])
same = all(np.array_equal(a, b[:3]) for a, b in zip(ref.counters, fast.counters, strict=True))
print(f"fast path == plain-Python reference on 3 images, every counter: {same}")
early = evaluate_early_exit(clf, data.x_test)
print(f"early termination: same predictions {np.array_equal(early.predictions, fast.predictions)}, "
      f"output phase {early.cycles.mean():.0f} of 1024 cycles on average")

# %% [markdown]
# ## The hardware and the baseline
#
# `SCClassifierDatapath` is the same classifier as a gate-level `hw_models` block: one source
# register per input column and per weight column, one comparator per weight, parallel counters,
# the requantiser, a phase controller and an argmax.  Its latency is `K L + 2` cycles.  The
# baseline is what a designer would write first: one 8-bit multiply-accumulate unit stepping
# through all 2368 weights, the weights in ROM.

# %%
hw = SCClassifierDatapath.from_classifier(clf)
reg_bits = sum(width for _, width in hw.registers().values())
print(f"SC datapath: {reg_bits} register bits, latency {hw.latency} cycles per image, "
      f"{len(hw.to_verilog().splitlines())} lines of Verilog")
base = BinaryClassifier.from_float(mlp.weights, mlp.biases, data.x_train, act_scales=mlp.act_scales)
base_pred, _ = base.classify(data.x_test)
print(f"binary baseline: test accuracy {100 * np.mean(base_pred == data.y_test):.2f} %, "
      f"latency {base.latency} cycles per image")

# %% [markdown]
# ## The designer's table and Pareto plot
#
# `run_flow` does all of the above for every L and encoder (as a `sc_neurocore.sweep` run), writes
# `table.csv`, `table.md`, `pareto.png` and the Verilog of every design into one directory, and,
# with FPGA synthesis on, adds LUT4s, flip-flops, carry cells, BRAM, the device and Fmax.  The
# command line does the same: `sc-neurocore deploy model.npz --out DIR`.  The last column is the
# energy proxy: register bits that toggle per image in the per-cycle model (2 test images;
# combinational nets, clock tree and wires are not counted, so it compares designs, not joules).

# %%
out = figure_dir()
flow_dir = (out if out is not None else Path.cwd()) / "30_flow"
result = run_flow(mlp, flow_dir, data=data, lengths=LENGTHS, encoders=["bernoulli", "lfsr", "sobol"],
                  width=WIDTH, seed=SEED, fpga=FPGA, family="ecp5", fpga_lengths=[LENGTHS[-1]])
print(f"{'design':>7} {'encoder':>9} {'L':>5} {'accuracy %':>10} {'cycles':>7} {'early cycles':>12} "
      f"{'toggles/image':>13}")
for r in result.rows:
    early_text = "" if r["early_cycles"] is None else f"{r['early_cycles']:.0f}"
    toggle_text = "" if r["toggles_per_image"] is None else f"{r['toggles_per_image']:.0f}"
    print(f"{r['design']:>7} {r['encoder']:>9} {r['length']:>5} {r['accuracy_pct']:>10.2f} "
          f"{r['cycles']:>7} {early_text:>12} {toggle_text:>13}")
for enc in ("bernoulli", "lfsr", "sobol"):
    # the shortest L from which on every longer L stays within 1 point of the float model
    good = None
    for r in sorted((r for r in result.rows if r["encoder"] == enc), key=lambda r: -r["length"]):
        if r["accuracy_pct"] < float_acc - 1:
            break
        good = r["length"]
    print(f"{enc}: within 1 point of float for every L >= {good}" if good is not None
          else f"{enc}: not within 1 point of float at L = {LENGTHS[-1]}")
print(f"table: {result.files['table_md']}")

# %%
if out is not None:
    save_figure(pareto_figure(result.rows, "SC 64-32-10 vs binary MAC on the digits"), out / "30_pareto.png")
    print(f"figure written to {out}")

# %% [markdown]
# ## Try this
#
# Predict first, then change the code and run the cells again.
#
# * Map with `accumulation="mux"` in `to_sc` (and in `run_flow`).  Prediction: accuracy drops
#   at every L: the MUX passes one of 65 inputs per cycle, so the counter sees 1/65 of the
#   products and the stream noise grows by about sqrt(65).
# * Map with `width=8`.  Prediction: the weights are quantised to 1/256 of the layer scale;
#   accuracy at L = 1024 changes by well under a point, and the hardware shrinks (8-bit
#   comparators and sources instead of 16).
# * Run with `--fpga`.  Prediction: the SC design needs far more LUTs than the binary MAC
#   (one comparator per weight against one multiplier), and is faster per image only at short L.
