r"""Composed datapaths: synapse, current source and dense layer, assembled from the parts (private).

* :class:`Synapse`: two SNGs and an AND gate (XNOR for bipolar), the
  product stream ``y_t = x_t AND w_t``.
* :class:`CurrentSource`: N synapses accumulated per cycle into ``a_t``, the
  hardware images of the accumulation modes of
  ``sc_neurocore.BitstreamCurrentSource``: ``"count"`` (parallel counter,
  ``a_t = sum_i y_i``), ``"or"`` (OR tree, ``a_t = OR_i y_i``) and ``"mux"``
  (N:1 multiplexer, ``a_t = y_{sel_t}`` with
  ``sel_t = floor(s_t N / 2^n)`` from a select LFSR ``s``).  The core's
  ``y_min + (y_max - y_min) a_t`` becomes the fixed-point
  ``bias + gain * a_t`` of :class:`DenseLayer`.
* :class:`DenseLayer`: one current source and one
  :class:`~hw_models.FixedPointLIFNeuron` per neuron; input SNGs (and the MUX
  select LFSR) are shared by all neurons, every weight has its own SNG.
  :meth:`DenseLayer.from_fixed_point` builds the datapath of a
  ``sc_neurocore.FixedPointDenseLayer``, with which it is bit-exact.

A source shared by several parts is one object: the composed block clocks it
once per cycle and the Verilog instantiates it once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from hw_models._common import (
    Block,
    Port,
    check_part_bool,
    check_part_int,
    signed_range,
    vsigned,
    wrap_top,
)
from hw_models._counters import ParallelCounter
from hw_models._gates import AndGate, XnorGate
from hw_models._lfsr import FibonacciLFSR
from hw_models._lif import FixedPointLIFNeuron
from hw_models._sng import SNG

__all__ = ["CurrentSource", "DenseLayer", "Synapse"]

ACCUMULATIONS = ("or", "count", "mux")


class _Netlist:
    """Collects Verilog nets and instances of composed blocks; each distinct part appears once."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.nets: dict[int, str] = {}
        self.modules: dict[str, str] = {}
        self.count = 0

    def _name(self, prefix: str) -> str:
        self.count += 1
        return f"{prefix}{self.count}"

    def source(self, src: Block) -> str:
        if id(src) not in self.nets:
            name = self._name("r")
            w = src.width  # type: ignore[attr-defined]
            self.lines.append(f"  wire [{w - 1}:0] {name};\n")
            self.lines.append(src.verilog_body(f"u_{name}", {src.out_port: name}))  # type: ignore[attr-defined]
            self.modules.update(src.verilog_modules())
            self.nets[id(src)] = name
        return self.nets[id(src)]

    def sng(self, sng: SNG) -> str:
        if id(sng) not in self.nets:
            r = self.source(sng.source)
            name = self._name("s")
            self.lines.append(f"  wire {name};\n")
            self.lines.append(sng.verilog_body(f"u_{name}", {"stream": name}, source_net=r))
            self.modules.update(sng.verilog_modules())
            self.nets[id(sng)] = name
        return self.nets[id(sng)]

    def synapse(self, syn: Synapse) -> str:
        if id(syn) not in self.nets:
            a, b = self.sng(syn.x), self.sng(syn.w)
            name = self._name("y")
            self.lines.append(f"  wire {name};\n")
            self.lines.append(syn.gate.verilog_body(f"u_{name}", {"a": a, "b": b, "y": name}))
            self.modules.update(syn.gate.verilog_modules())
            self.nets[id(syn)] = name
        return self.nets[id(syn)]

    def current_source(self, cs: CurrentSource) -> str:
        if id(cs) not in self.nets:
            ys = [self.synapse(s) for s in cs.synapses]
            n = len(ys)
            bus = self._name("ybus")
            self.lines.append(f"  wire [{n - 1}:0] {bus} = {{{', '.join(reversed(ys))}}};\n")
            name = self._name("a")
            self.lines.append(f"  wire [{cs.width - 1}:0] {name};\n")
            if cs.accumulation == "count":
                self.lines.append(cs.counter.verilog_body(f"u_{name}", {"x": bus, "count": name}))
                self.modules.update(cs.counter.verilog_modules())
            elif cs.accumulation == "or":
                self.lines.append(f"  assign {name} = |{bus};\n")
            else:
                assert cs.select is not None
                r = self.source(cs.select)
                w, nb = int(cs.select.width), n.bit_length()
                prod = self._name("selprod")
                self.lines.append(f"  wire [{w + nb - 1}:0] {prod} = {r} * {w + nb}'d{n};\n")
                self.lines.append(f"  assign {name} = {bus}[{prod}[{w + nb - 1}:{w}]];\n")
            self.nets[id(cs)] = name
        return self.nets[id(cs)]


class _Composite(Block):
    """A block made of parts: clocks and resets each distinct register-owning leaf once per cycle.

    The parts are fixed at construction, so the distinct leaves are computed once.
    """

    _leaf_cache: list[Block] | None = None

    def _distinct_leaves(self) -> list[Block]:
        if self._leaf_cache is None:
            seen: set[int] = set()
            self._leaf_cache = []
            for leaf in self.leaves():
                if id(leaf) not in seen and leaf is not self:
                    seen.add(id(leaf))
                    self._leaf_cache.append(leaf)
        return self._leaf_cache

    def reset(self) -> None:
        for leaf in self._distinct_leaves():
            leaf.reset()

    def clock(self) -> None:
        for leaf in self._distinct_leaves():
            leaf.clock()


class Synapse(_Composite):
    """SC synapse: ``y = x AND w`` (``XNOR`` if ``bipolar``) of two SNG streams.

    Parameters
    ----------
    x, w : SNG
        Input and weight stream generators, each with a constant threshold
        (``value``); they must not share a random source (see
        ``hw_models.check_correlation``).
    bipolar : bool
        XNOR (bipolar multiplication) instead of AND.

    Ports: output ``y``.
    """

    part = "Synapse"
    top_module = "synapse_top"

    def __init__(self, x: SNG, w: SNG, bipolar: bool = False) -> None:
        for name, s in (("x", x), ("w", w)):
            if not isinstance(s, SNG):
                raise TypeError(f"{self.part}: {name} must be an SNG; got {type(s).__name__}")
            if s.value is None:
                raise ValueError(f"{self.part}: {name} must have a constant threshold (SNG value); got None")
        self.x, self.w = x, w
        self.bipolar = check_part_bool(self.part, "bipolar", bipolar)
        self.gate: AndGate | XnorGate = (XnorGate if self.bipolar else AndGate)(sources=(x, w))

    def leaves(self) -> list[Block]:
        return self.x.leaves() + self.w.leaves()

    def outputs_spec(self) -> list[Port]:
        return [("y", 1, False)]

    def eval(self, **inputs: int) -> dict[str, int]:
        a = self.x.eval()["stream"]
        b = self.w.eval()["stream"]
        return {"y": self.gate.func(a, b)}  # internal nets: 1-bit by construction, no port check

    def verilog_modules(self) -> dict[str, str]:
        net = _Netlist()
        net.synapse(self)
        return net.modules

    def verilog_top(self) -> str:
        net = _Netlist()
        y = net.synapse(self)
        return wrap_top(self, "".join(net.lines) + f"  assign y = {y};\n")


class CurrentSource(_Composite):
    """N synapses accumulated per cycle: ``a_t`` by parallel count, OR, or MUX.

    Parameters
    ----------
    synapses : sequence of Synapse
        N >= 1 synapses (input SNGs may be shared with other current sources).
    accumulation : {"or", "count", "mux"}
        Accumulation mode (module docstring).
    select : FibonacciLFSR, optional
        Select source of the MUX (required for, and only used by, "mux"):
        ``sel_t = floor(s_t N / 2^n)``.

    Ports: output ``a`` (``bit_length(N)`` bits for "count", else 1 bit).
    """

    part = "CurrentSource"
    top_module = "current_source_top"

    def __init__(self, synapses: Sequence[Synapse], accumulation: str = "count",
                 select: Block | None = None) -> None:
        self.synapses: list[Synapse] = list(synapses)
        if not self.synapses or not all(isinstance(s, Synapse) for s in self.synapses):
            raise ValueError(
                f"{self.part}: synapses must be a non-empty sequence of Synapse; got {synapses!r}")
        if accumulation not in ACCUMULATIONS:
            raise ValueError(
                f"{self.part}: accumulation must be one of {ACCUMULATIONS}; got {accumulation!r}")
        self.accumulation = accumulation
        n = len(self.synapses)
        self.n_inputs = n
        if accumulation == "mux":
            if select is None or getattr(select, "random_source_kind", None) != "lfsr":
                raise ValueError(
                    f"{self.part}: accumulation 'mux' needs an LFSR select source; got {select!r}")
        self.select: Any = select if accumulation == "mux" else None
        self.counter = ParallelCounter(n)
        self.width: int = n.bit_length() if accumulation == "count" else 1

    def leaves(self) -> list[Block]:
        out: list[Block] = []
        for s in self.synapses:
            out += s.leaves()
        if self.select is not None:
            out += self.select.leaves()
        return out

    def outputs_spec(self) -> list[Port]:
        return [("a", self.width, False)]

    def eval(self, **inputs: int) -> dict[str, int]:
        ys = [s.eval()["y"] for s in self.synapses]
        if self.accumulation == "count":
            bus = sum(y << i for i, y in enumerate(ys))
            return {"a": self.counter.eval(x=bus)["count"]}
        if self.accumulation == "or":
            return {"a": int(any(ys))}
        assert self.select is not None
        s = self.select.eval()["state"]
        sel = (s * self.n_inputs) >> self.select.width
        return {"a": ys[sel]}

    def verilog_modules(self) -> dict[str, str]:
        net = _Netlist()
        net.current_source(self)
        return net.modules

    def verilog_top(self) -> str:
        net = _Netlist()
        a = net.current_source(self)
        return wrap_top(self, "".join(net.lines) + f"  assign a = {a};\n")


class DenseLayer(_Composite):
    """Dense SC layer datapath: per neuron a current source, ``i = bias + gain a``, a fixed-point LIF.

    Parameters
    ----------
    sources : sequence of CurrentSource
        One per neuron.
    neurons : sequence of FixedPointLIFNeuron
        One per neuron, all of one width W.
    gain, bias : int
        Raw current per unit of ``a`` and constant raw current; ``bias + gain a``
        must fit the signed W-bit range for every possible ``a``.

    Ports: output ``spike`` (bit r = neuron r) and ``v<r>`` (membrane register of neuron r).
    """

    part = "DenseLayer"
    top_module = "dense_layer_top"

    def __init__(self, sources: Sequence[CurrentSource], neurons: Sequence[FixedPointLIFNeuron],
                 gain: int, bias: int = 0) -> None:
        self.sources = list(sources)
        self.neurons = list(neurons)
        if not self.sources or len(self.sources) != len(self.neurons):
            raise ValueError(f"{self.part}: sources and neurons must be non-empty and of equal length; "
                             f"got {len(self.sources)} and {len(self.neurons)}")
        widths = {nrn.width for nrn in self.neurons}
        if len(widths) != 1:
            raise ValueError(f"{self.part}: neurons must share one width; got widths {sorted(widths)}")
        self.width: int = widths.pop()
        lo, hi = signed_range(self.width)
        self.gain: int = check_part_int(self.part, "gain", gain, lo, hi)
        self.bias: int = check_part_int(self.part, "bias", bias, lo, hi)
        for r, cs in enumerate(self.sources):
            a_max = cs.n_inputs if cs.accumulation == "count" else 1
            cur = self.bias + self.gain * a_max
            if not lo <= cur <= hi:
                raise ValueError(
                    f"{self.part}: bias + gain * a must be in [{lo}, {hi}] (the neurons' {self.width}-bit "
                    f"input) for a in [0, {a_max}] (neuron {r}); got {cur}")

    @property
    def n_neurons(self) -> int:
        """Number of neurons."""
        return len(self.neurons)

    @classmethod
    def from_fixed_point(cls, layer: Any) -> DenseLayer:
        """The gate-level datapath of a ``sc_neurocore.FixedPointDenseLayer`` (same seeds, taps, parameters).

        Input SNGs use the layer's ``x_taps``, weight SNGs ``w_taps`` and the
        MUX select ``sel_taps``, each register with the layer's seed.
        """
        w, zs = layer.lfsr_width, bool(layer.zero_state)
        x_taps, w_taps, sel_taps = tuple(layer.x_taps), tuple(layer.w_taps), tuple(layer.sel_taps)
        x_sngs = [SNG(FibonacciLFSR(w, int(s), taps=x_taps, zero_state=zs), int(t)) for s, t in
                  zip(layer.x_seeds, layer.x_thresholds, strict=True)]
        select = (FibonacciLFSR(w, int(layer.sel_seed), taps=sel_taps, zero_state=zs)
                  if layer.accumulation == "mux" else None)
        raw = layer.neurons.raw
        sources, neurons = [], []
        for r in range(layer.n_neurons):
            syns = [Synapse(x_sngs[i], SNG(FibonacciLFSR(w, int(layer.w_seeds[r, i]), taps=w_taps,
                                                         zero_state=zs), int(layer.w_thresholds[r, i])))
                    for i in range(layer.n_inputs)]
            sources.append(CurrentSource(syns, layer.accumulation, select))
            neurons.append(FixedPointLIFNeuron(layer.qformat.width, raw["v_threshold"], raw["v_reset"],
                                               raw["v_rest"], raw["leak_shift"], raw["refractory_period"],
                                               frac=layer.qformat.frac))
        return cls(sources, neurons, layer.gain_raw, layer.bias_raw)

    def leaves(self) -> list[Block]:
        out: list[Block] = []
        for cs in self.sources:
            out += cs.leaves()
        return out + list(self.neurons)

    def outputs_spec(self) -> list[Port]:
        vs: list[Port] = [(f"v{r}", self.width, True) for r in range(self.n_neurons)]
        return [("spike", self.n_neurons, False), *vs]

    def eval(self, **inputs: int) -> dict[str, int]:
        out: dict[str, int] = {}
        spikes = 0
        for r, (cs, nrn) in enumerate(zip(self.sources, self.neurons, strict=True)):
            a = cs.eval()["a"]
            o = nrn.eval(i=self.bias + self.gain * a)
            spikes |= o["spike"] << r
            out[f"v{r}"] = o["v"]
        out["spike"] = spikes
        return out

    def _netlist(self) -> tuple[_Netlist, list[str]]:
        net = _Netlist()
        w = self.width
        spike_nets = []
        for r, (cs, nrn) in enumerate(zip(self.sources, self.neurons, strict=True)):
            a = net.current_source(cs)
            cur = f"cur{r}"
            net.lines.append(f"  wire signed [{w - 1}:0] {cur} = {vsigned(self.bias, w)} + "
                             f"{vsigned(self.gain, w)} * $signed({{1'b0, {a}}});\n")
            sp = f"spk{r}"
            net.lines.append(f"  wire {sp};\n")
            net.lines.append(nrn.verilog_body(f"u_lif{r}", {"i": cur, "spike": sp, "v": f"v{r}"}))
            net.modules.update(nrn.verilog_modules())
            spike_nets.append(sp)
        net.lines.append(f"  assign spike = {{{', '.join(reversed(spike_nets))}}};\n")
        return net, spike_nets

    def verilog_modules(self) -> dict[str, str]:
        return self._netlist()[0].modules

    def verilog_top(self) -> str:
        return wrap_top(self, "".join(self._netlist()[0].lines))

    def verilog_body(self, inst: str, conns: Mapping[str, str]) -> str:
        raise NotImplementedError(f"{self.part}: a dense layer is a top-level datapath; use verilog_top()")
