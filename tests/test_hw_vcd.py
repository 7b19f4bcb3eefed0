"""``hw_models.cosimulate(..., vcd=PATH)`` writes a waveform that shows what the model computes.

The VCD file is read back with a small parser written here (independent of
the tutorial's) and every port is sampled where the test bench samples it
(time ``10 c + 14`` for cycle ``c``, see ``hw_models._cosim``); the values must
equal the Python model's trace cycle for cycle, and the clock and reset must
have the documented timing.  In CI a missing simulator fails these tests;
locally they skip and say what to install.
"""

from __future__ import annotations

import bisect
import re
from pathlib import Path

import numpy as np
import pytest
from _hw_toy_blocks import ToyCounter, ToySignedAcc, require_tool

import hw_models as hw
from hw_models._cosim import emit_testbench

rtl = pytest.mark.rtl


@pytest.fixture
def simulator() -> None:
    require_tool("iverilog")
    require_tool("vvp")


def read_vcd(path: Path) -> dict[str, tuple[list[int], list[str]]]:
    """Signals of a VCD file: full dotted name -> (change times, values as bit strings).

    Handles what Icarus writes for scalars (``1!``) and vectors (``b101 !``);
    one identifier may name several signals (a port and the net it drives).
    """
    names: dict[str, list[str]] = {}
    scope: list[str] = []
    changes: dict[str, tuple[list[int], list[str]]] = {}
    tokens = iter(path.read_text().split())
    now = 0
    in_header = True
    for tok in tokens:
        if in_header:
            if tok == "$scope":
                next(tokens)  # scope kind
                scope.append(next(tokens))
            elif tok == "$upscope":
                scope.pop()
            elif tok == "$var":
                _kind, _width, ident, name = (next(tokens) for _ in range(4))
                names.setdefault(ident, []).append(".".join([*scope, name]))
                changes.setdefault(ident, ([], []))
            elif tok == "$enddefinitions":
                in_header = False
            continue
        if tok.startswith("#"):
            now = int(tok[1:])
        elif tok[0] in "bB":
            ident = next(tokens)
            changes[ident][0].append(now)
            changes[ident][1].append(tok[1:])
        elif tok[0] in "01xXzZ":
            changes[tok[1:]][0].append(now)
            changes[tok[1:]][1].append(tok[0])
        # $dumpvars / $end / $comment markers carry no value
    return {name: changes[ident] for ident, full in names.items() for name in full}


def value_at(signal: tuple[list[int], list[str]], t: int) -> str:
    """The signal's bit string at time ``t`` (its last change at or before ``t``)."""
    times, values = signal
    k = bisect.bisect_right(times, t) - 1
    assert k >= 0, f"no value before t = {t}"
    return values[k]


def to_int(bits: str, width: int, signed: bool) -> int:
    assert re.fullmatch("[01]+", bits), f"x/z bits in {bits!r}"
    v = int(bits, 2)  # VCD drops leading zeros of vectors
    return v - (1 << width) if signed and v >> (width - 1) else v


def sampled(wave: dict, name: str, n: int, width: int, signed: bool) -> np.ndarray:
    return np.array([to_int(value_at(wave[name], 10 * c + 14), width, signed) for c in range(n)])


@rtl
def test_vcd_of_lif_neuron_equals_model_trace(tmp_path, simulator):
    # a signed 8-bit neuron driven by random currents: spikes, resets and negative membranes
    blk = hw.FixedPointLIFNeuron(8, v_threshold=60, v_reset=-20, leak_shift=2, refractory=3)
    n = 300
    inputs = hw.random_inputs(blk, n, seed=5)
    path = tmp_path / "lif.vcd"
    res = hw.cosimulate(blk, n, inputs, vcd=path)
    assert res.ok, str(res)
    assert res.vcd == path and path.stat().st_size > 0
    wave = read_vcd(path)
    for name, width, signed in blk.outputs_spec():
        got = sampled(wave, f"tb.o_{name}", n, width, signed)
        np.testing.assert_array_equal(got, res.model[name], err_msg=name)
    np.testing.assert_array_equal(sampled(wave, "tb.i_i", n, 8, True), inputs["i"])
    # the design's own register is in the dump too, under the instance hierarchy
    np.testing.assert_array_equal(sampled(wave, "tb.dut.u_lif.v", n, 8, True), res.model["v"])
    assert res.model["spike"].sum() > 10 and res.model["v"].min() < 0  # the trace is not trivial
    # documented timing: clk low from 10c + 10, high from 10c + 15; rst high until t = 10
    for c in range(n):
        assert value_at(wave["tb.clk"], 10 * c + 12) == "0"
        assert value_at(wave["tb.clk"], 10 * c + 17) == "1"
    assert value_at(wave["tb.rst"], 5) == "1" and value_at(wave["tb.rst"], 10) == "0"


@rtl
def test_vcd_shows_reset_cycles(tmp_path, simulator):
    n = 60
    en = np.random.default_rng(3).integers(0, 2, n)
    resets = [7, 8, 40]
    res = hw.cosimulate(ToyCounter(5, start=2), n, {"en": en}, reset_cycles=resets, vcd=tmp_path / "c.vcd")
    assert res.ok, str(res)
    wave = read_vcd(tmp_path / "c.vcd")
    np.testing.assert_array_equal(sampled(wave, "tb.o_q", n, 5, False), res.model["q"])
    rst = sampled(wave, "tb.rst", n, 1, False)
    np.testing.assert_array_equal(np.flatnonzero(rst), resets)


@rtl
def test_vcd_records_the_rtl_not_the_model(tmp_path, simulator):
    # an accumulator whose RTL is deliberately wrong from cycle 9: the waveform shows the RTL value
    n = 20
    res = hw.cosimulate(ToySignedAcc(8, bug_at=9), n, {"x": np.ones(n, dtype=int)}, vcd=tmp_path / "bug.vcd")
    assert res.mismatch is not None
    wave = read_vcd(tmp_path / "bug.vcd")
    c, port = res.mismatch.cycle, res.mismatch.port
    _name, width, signed = next(p for p in ToySignedAcc(8).outputs_spec() if p[0] == port)
    got = sampled(wave, f"tb.o_{port}", c + 1, width, signed)
    np.testing.assert_array_equal(got[:c], res.model[port][:c])
    assert got[c] == res.mismatch.rtl != res.model[port][c]


@rtl
def test_no_vcd_unless_asked(tmp_path, simulator):
    res = hw.cosimulate(ToyCounter(4), 10, {"en": [1] * 10}, workdir=tmp_path)
    assert res.ok and res.vcd is None
    assert not list(tmp_path.glob("*.vcd"))
    assert "$dump" not in (tmp_path / "tb.v").read_text()


def test_testbench_dump_lines():
    tb = emit_testbench(ToyCounter(4), 5, dumpfile="w.vcd")
    assert '$dumpfile("w.vcd");' in tb and "$dumpvars(0, tb);" in tb
    assert "$dump" not in emit_testbench(ToyCounter(4), 5)


@pytest.mark.parametrize("bad", ['a"b.vcd', "../w.vcd", "", "dir/w.vcd", "w.vcd\n$finish;"])
def test_testbench_rejects_unsafe_dumpfile(bad):
    with pytest.raises(ValueError, match="dumpfile must be a plain file name .*; got"):
        emit_testbench(ToyCounter(4), 5, dumpfile=bad)
    with pytest.raises(TypeError, match="dumpfile must be a str or None; got int"):
        emit_testbench(ToyCounter(4), 5, dumpfile=3)  # type: ignore[arg-type]


def test_cosimulate_rejects_bad_vcd(tmp_path):
    # checked before any tool is looked for, so these run without a simulator
    with pytest.raises(TypeError, match="vcd must be a path .* got int"):
        hw.cosimulate(ToyCounter(4), 3, {"en": [1, 1, 1]}, vcd=3)  # type: ignore[arg-type]
    missing = tmp_path / "no_such_dir" / "w.vcd"
    with pytest.raises(ValueError, match="vcd must be a file in an existing directory; got .*no_such_dir"):
        hw.cosimulate(ToyCounter(4), 3, {"en": [1, 1, 1]}, vcd=missing)
    assert not missing.parent.exists()
