# %% [markdown]
# # Lesson 19 - Hardware you can look at: model, bit-exact check, Verilog, simulation, waveform
#
# Lesson 18 ended with a fixed-point dense layer and its gate-level twin.
# Here we take one small neuron all the way to a simulated circuit and look
# at its signals the way a hardware engineer does, as a waveform:
#
# 1. **model**: `FixedPointDenseLayer` (fast, numba) and the gate-level
#    `hw_models.DenseLayer` built from it, equal spike for spike;
# 2. **Verilog**: the gate-level model emits it;
# 3. **co-simulation**: `hw_models.cosimulate` runs that Verilog in Icarus
#    Verilog and compares every output on every cycle with the model;
# 4. **waveform**: with `vcd=PATH` the simulator also writes a Value Change
#    Dump of every signal; we read it back, check each signal against the
#    Python model's trace cycle by cycle, and plot both.  GTKWave opens
#    the same file (`gtkwave 19_waveform.vcd`).
#
# Steps 3 and 4 need Icarus Verilog (`apt-get install iverilog`, or
# `brew install icarus-verilog`); without it the lesson says so and plots
# the model's trace alone.
#
# Run: `python tutorials/19_hardware_waveform.py [--out DIR]` (figure and VCD
# file into the current directory, or DIR).

# %%
import bisect
import re
import shutil
import tempfile
from pathlib import Path

import numpy as np
from _common import figure_dir, save_figure

import hw_models as hw
from sc_neurocore import FixedPointDenseLayer, QFormat
from sc_neurocore import bitstream as bs

# %% [markdown]
# ## 1. The model and its gate-level twin
#
# One neuron with two inputs.  Inputs p = 0.75 and 0.5, weights 0.5 and
# 0.875, every stream from its own 8-bit LFSR and comparator; two AND gates;
# a counter a_t in {0, 1, 2}; input current i_t = 0.25 a_t; a Q(8, 4) LIF
# neuron with leak shift 2 (tau = 4 cycles) and threshold 1.  The expected
# count is 0.75 x 0.5 + 0.5 x 0.875 = 0.8125 per cycle.

# %%
T = 48  # cycles shown in the waveform
layer = FixedPointDenseLayer(1, [0.75, 0.5], [[0.5, 0.875]], accumulation="count", gain=0.25,
                             lfsr_width=8, qformat=QFormat(8, 4), leak_shift=2, seed=19)
gate = hw.DenseLayer.from_fixed_point(layer)
period = 2**8 - 1
core_spikes = layer.run(period)[:, 0]
hw.assert_bit_exact(gate.run(period)["spike"], core_spikes, "spikes")
print(f"model: {int(core_spikes.sum())} spikes in one LFSR period ({period} cycles), "
      f"mean count {layer.last_acc.mean():.4f} (expected 0.8125); "
      "the gate-level model has the same spikes on every cycle")
print(f"LFSR seeds: inputs {layer.x_seeds.tolist()}, weights {layer.w_seeds.tolist()} "
      "(all on one polynomial, "
      "placed far apart by the layer)")

# The model's trace of the first T cycles, every signal we will find in the waveform.
layer.reset()
spikes = layer.run(T)[:, 0]
streams = {
    name: bs.unpack(bs.lfsr(p, T, 8, seed=int(seed), taps=taps), T)
    for name, p, seed, taps in [
        ("x0", 0.75, layer.x_seeds[0], layer.x_taps),
        ("w0", 0.5, layer.w_seeds[0, 0], layer.w_taps),
        ("x1", 0.5, layer.x_seeds[1], layer.x_taps),
        ("w1", 0.875, layer.w_seeds[0, 1], layer.w_taps),
    ]
}
count = layer.last_acc[:, 0]
assert np.array_equal(count, (streams["x0"] & streams["w0"]) + (streams["x1"] & streams["w1"]))
# The circuit's membrane register holds, during cycle t, the value after cycle t - 1.
v_reg = np.concatenate([[0], layer.last_v_raw[:-1, 0]]) / 2**4
model = {"x0": streams["x0"], "w0": streams["w0"], "x0 AND w0": streams["x0"] & streams["w0"],
         "count a_t": count, "membrane v": v_reg, "spike": spikes}

# %% [markdown]
# ## 2. The Verilog
#
# `to_verilog()` returns the generic modules (LFSR, comparator, AND,
# population count, LIF) and a top module that wires them.  The netlist
# names its nets in the order it creates them: `r1`/`s2` are the register and
# stream of input 0, `r3`/`s4` those of weight 0, `y5` their AND, then input
# 1 and weight 1, `a12` the count, `v0` the membrane.

# %%
verilog = gate.to_verilog()
modules = re.findall(r"^module (\w+)", verilog, flags=re.MULTILINE)
print(f"\nVerilog: {len(verilog.splitlines())} lines, modules {modules}")
top = verilog[verilog.index("module dense_layer_top"):]
print("\n".join(top.splitlines()[:14]) + "\n  ...")

# %% [markdown]
# ## 3. Co-simulation with a waveform
#
# `cosimulate(gate, T, vcd=PATH)` compiles the Verilog with `iverilog`, runs
# it, compares the outputs with the model, and copies the VCD file to PATH.
# In the VCD, one cycle is 10 time units; the outputs of cycle c are
# sampled at time 10 c + 14 (the test bench's timing, `docs/hardware.md`).
#
# A VCD file is text: a header declares each signal (`$var wire 8 ) v0 $end`
# gives signal `v0` the short code `)`), then `#time` lines are followed by
# the values that changed (`b1010 )` for a vector, `1"` for a bit).  The
# reader below is all we need.
#
# In the figure, registers (the LFSRs, hence the streams, and the membrane)
# change at the rising edge in the middle of a cycle, and the model's value
# of cycle t sits on the line just before that edge.  The membrane never
# shows 1: the spike is decided from the sum of this cycle, and the
# register then loads the reset value, not the sum.

# %%


def read_vcd(path: Path) -> dict[str, tuple[list[int], list[str]]]:
    """Every signal of a VCD file: dotted name -> (change times, values as bit strings)."""
    codes: dict[str, list[str]] = {}
    scope: list[str] = []
    changes: dict[str, tuple[list[int], list[str]]] = {}
    words = iter(path.read_text().split())
    now, header = 0, True
    for w in words:
        if header:
            if w == "$scope":
                next(words)
                scope.append(next(words))
            elif w == "$upscope":
                scope.pop()
            elif w == "$var":
                _kind, _width, code, name = (next(words) for _ in range(4))
                codes.setdefault(code, []).append(".".join([*scope, name]))
                changes[code] = ([], [])
            elif w == "$enddefinitions":
                header = False
        elif w[0] == "#":
            now = int(w[1:])
        elif w[0] in "bB":  # vector: b<bits> <code>
            code = next(words)
            changes[code][0].append(now)
            changes[code][1].append(w[1:])
        elif w[0] in "01xXzZ":  # one bit: <value><code>
            changes[w[1:]][0].append(now)
            changes[w[1:]][1].append(w[0])
    return {name: changes[code] for code, names in codes.items() for name in names}


def sample(signal: tuple[list[int], list[str]], times: np.ndarray, width: int, signed: bool) -> np.ndarray:
    """Integer values of a signal at the given times (its last change at or before each)."""
    out = []
    for t in times:
        bits = signal[1][bisect.bisect_right(signal[0], int(t)) - 1]
        v = int(bits, 2)
        out.append(v - (1 << width) if signed and v >> (width - 1) else v)
    return np.array(out)


# which net of the circuit shows which model signal: (VCD name, width, signed, scale)
NETS = {"x0": ("tb.dut.s2", 1, False, 1), "w0": ("tb.dut.s4", 1, False, 1),
        "x0 AND w0": ("tb.dut.y5", 1, False, 1), "count a_t": ("tb.dut.a12", 2, False, 1),
        "membrane v": ("tb.o_v0", 8, True, 2**4), "spike": ("tb.o_spike", 1, False, 1)}

out = figure_dir()
# the VCD goes beside the figure; without matplotlib (no figure directory) into a temporary one
tmp = tempfile.TemporaryDirectory() if out is None else None
vcd_path = Path(tmp.name if tmp is not None else str(out)) / "19_waveform.vcd"
wave = None
if shutil.which("iverilog") and shutil.which("vvp"):
    result = hw.cosimulate(gate, T, vcd=vcd_path)
    print(f"\n{result}")
    assert result.ok
    wave = read_vcd(vcd_path)
    cycles = 10 * np.arange(T) + 14
    for name, (net, width, signed, scale) in NETS.items():
        got = sample(wave[net], cycles, width, signed) / scale
        assert np.array_equal(got, model[name]), name
    print(f"VCD {vcd_path.name}: {len(wave)} signals; {', '.join(NETS)} equal the Python model's trace "
          f"on all {T} cycles")
    if tmp is None:
        print(f"open it with: gtkwave {vcd_path}")
else:
    print("\nIcarus Verilog not found (apt-get install iverilog, or brew install icarus-verilog): "
          "no co-simulation, no waveform; the figure shows the model's trace alone")

# %%
if out is None:
    print("\n(matplotlib not installed: no figures)")
else:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(10, 8), layout="constrained")
    axes = fig.subplots(len(NETS) + 1, 1, sharex=True, height_ratios=[0.6] + [1] * len(NETS))
    end = 10 * T + 10  # the simulation's last time

    def trace(net: str) -> tuple[np.ndarray, list[str]]:
        """Change times in cycles (time 10 c + 10 = start of cycle c) and values, held to the end."""
        ch_t, ch_v = wave[net]  # type: ignore[index]
        return (np.array([*ch_t, end]) - 10) / 10, [*ch_v, ch_v[-1]]

    if wave is not None:
        ct, cv = trace("tb.clk")
        axes[0].step(ct, [int(b) for b in cv], where="post", color="0.4", label="clk (VCD)")
        axes[0].legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize="x-small")
    axes[0].set(ylabel="clk (bit)", yticks=[0, 1],
                title="waveform of the simulated circuit (lines, from the VCD) and the Python model (dots)")
    c = np.arange(T)
    for ax, (name, (net, width, signed, scale)) in zip(axes[1:], NETS.items(), strict=True):
        if wave is not None:
            ch_t, ch_v = trace(net)
            vals = [int(v, 2) if re.fullmatch("[01]+", v) else np.nan for v in ch_v]  # x/z before reset
            if signed:
                vals = [v - (1 << width) if v == v and int(v) >> (width - 1) else v for v in vals]
            ax.step(ch_t, np.array(vals, dtype=float) / scale, where="post", lw=1.2, label=f"{net} (VCD)")
        ax.plot(c + 0.4, model[name], "k.", ms=4, label="model, cycle t")
        unit = "model units" if name == "membrane v" else ("count" if name == "count a_t" else "bit")
        ax.set_ylabel(f"{name}\n({unit})", fontsize="small")
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize="x-small")
    axes[-2].axhline(1.0, color="k", ls=":", lw=1, label="threshold")
    axes[-2].legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize="x-small")
    axes[-1].set(xlabel="clock cycle t (model output of cycle t sampled at t + 0.4, before the rising edge)",
                 xlim=(-0.5, T))
    save_figure(fig, out / "19_waveform.png")
    print(f"\nfigure written to {out}")
if tmp is not None:
    tmp.cleanup()

# %% [markdown]
# ## Try this
#
# 1. **Predict, then run:** add `v_threshold=1.5` to the layer.  How many
#    spikes per period, and does the circuit still agree with the model?
#    (1 spike in 255 cycles instead of 23: the membrane hovers near
#    4 x 0.25 x 0.81 = 0.81 and reaches 1.5 only after a rare run of counts
#    of 2.  The circuit agrees on every cycle; the count panel is unchanged.)
# 2. **Predict, then run:** open the VCD in GTKWave and add
#    `tb.dut.u_lif0.leak`.  What is it during a cycle where v0 = 12
#    (raw)?  (12 >>> 2 = 3 raw, i.e. v / 4: the leak of this cycle.)
# 3. **Predict, then run:** give each weight the *same* seed as its input
#    (add `w_seeds=[[173, 208]]`, the input seeds printed in §1).  What
#    happens to the AND panel and to the mean count?  (Each AND compares one
#    register twice, so x0 AND w0 is the sparser stream, min(p, q), not
#    p q.  The mean count over a period rises from 0.81 to 0.996, near
#    0.5 + 0.5 = 1, and the circuit still agrees with the model: the
#    co-simulation checks the circuit, not the design.)
