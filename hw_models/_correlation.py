"""Correlation checks: shared random sources in a datapath, decorrelated channels (private).

:func:`check_correlation` walks a composed datapath and flags every AND/XNOR
whose two inputs derive from the same random source (the classic silent SC
bug: the gate then computes ``min(p, q)`` instead of ``p q``).
:func:`assign_channels` gives N channels decorrelated sources and measures
their pairwise SCC.

Decorrelated channels
---------------------

Two SC streams feeding an AND must come from independent random sources;
N channels therefore need N sources that are pairwise uncorrelated.  With
LFSRs the obvious recipe, "same polynomial, seeds 1, 2, 3, ...", is a trap:
for a shift-left Fibonacci register the state after seed 1 is 2 (when the
feedback bit is 0), so consecutive seeds are often the *same* m-sequence one
cycle apart, and comparator streams of one sequence shifted by a few cycles
are strongly correlated (a one-cycle shift multiplies the state by 2 modulo
2^n).

:func:`assign_channels` avoids that: channel ``i`` starts at phase
``floor(i P / N)`` of one maximal-length sequence (``P = 2^n - 1``), i.e. the
phases are spread as far apart as possible.  Over a full period this is
provably good: at ``p = 1/2`` the comparator output is the m-sequence itself,
and by the shift-and-add property two distinct phases agree on exactly
``2^(n-1) - 1`` of the ``P`` cycles, which gives
``SCC = -2^(n-2) / (2^(n-1) - 1)^2 ~ -2^-n`` for every pair.  (Measured:
alternating the table polynomial with its reciprocal, ``polynomials=2``, is no
better and over a full period clearly worse.)  The jump to a phase is
computed in O(n^2 log P) with the register's GF(2) transition matrix, so
32-bit registers are as cheap as 8-bit ones.  With
``kind="sobol"`` channel ``i`` is Sobol dimension ``i``.  The helper then
generates every channel's stream with the core package's hardware-mode
encoders (``sc_neurocore.bitstream.lfsr`` / ``sobol``, bit-exact with the
gate-level models) and reports the pairwise stochastic cross-correlation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from hw_models._common import mask, mirror_taps
from sc_neurocore._taps import MAX_LFSR_WIDTH, MAXIMAL_TAPS, MIN_LFSR_WIDTH, tap_mask
from sc_neurocore._validation import check_choice, check_int, check_unit_array

__all__ = [
    "ChannelAssignment",
    "ChannelSource",
    "CorrelationIssue",
    "CorrelationReport",
    "assign_channels",
    "check_correlation",
    "lfsr_jump",
    "pairwise_scc",
]


@dataclass(frozen=True)
class ChannelSource:
    """Random source of one channel: an LFSR (width, taps, seed) or a Sobol dimension."""

    kind: str
    width: int
    taps: tuple[int, ...] | None = None
    seed: int | None = None
    dimension: int | None = None


def _check_taps(taps: Any, width: int) -> list[int]:
    """``taps`` as a non-empty list of distinct ints in [1, width], or raise."""
    allowed = f"a 1-d sequence of distinct integers in [1, {width}]"
    if isinstance(taps, (str, bytes)) or not isinstance(taps, (Sequence, np.ndarray)):
        raise TypeError(f"taps must be {allowed}; got {type(taps).__name__} {taps!r}")
    if np.ndim(taps) != 1 or len(taps) == 0:
        raise ValueError(f"taps must be {allowed}; got shape {np.shape(taps)}")
    out = [check_int(t, "taps", low=1, high=width) for t in taps]
    if len(set(out)) != len(out):
        raise ValueError(f"taps must be {allowed}; got {out}")
    return out


def _step(state: int, width: int, tmask: int) -> int:
    fb = bin(state & tmask).count("1") & 1
    return ((state << 1) | fb) & mask(width)


def _apply(cols: list[int], v: int) -> int:
    out = 0
    j = 0
    while v:
        if v & 1:
            out ^= cols[j]
        v >>= 1
        j += 1
    return out


def lfsr_jump(state: int, k: int, width: int, taps: Sequence[int] | None = None) -> int:
    """State of the Fibonacci LFSR (conventions §3, no zero-state insertion) ``k`` clocks after ``state``.

    One clock is linear over GF(2), ``s' = A s``; the matrix is stored as the
    images of the basis vectors and ``A^k`` is built by repeated squaring, so
    the cost is O(width^2 log k) bit operations.

    Parameters
    ----------
    state : int
        Current state in [1, 2^width - 1].
    k : int
        Number of clocks, >= 0.
    width : int
        Register width in [3, 32].
    taps : sequence of int, optional
        Feedback taps; default ``MAXIMAL_TAPS[width]``.
    """
    n = check_int(width, "width", low=MIN_LFSR_WIDTH, high=MAX_LFSR_WIDTH)
    s = check_int(state, "state", low=1, high=mask(n))
    k = check_int(k, "k", low=0)
    tmask = tap_mask(MAXIMAL_TAPS[n] if taps is None else _check_taps(taps, n))
    cols = [_step(1 << j, n, tmask) for j in range(n)]  # images of basis vectors under A
    while k:
        if k & 1:
            s = _apply(cols, s)
        cols = [_apply(cols, c) for c in cols]  # A <- A^2
        k >>= 1
    return s


@dataclass(frozen=True)
class ChannelAssignment:
    """Sources of N channels and the measured pairwise SCC of their streams.

    Attributes
    ----------
    sources : list of ChannelSource
        One per channel.
    probabilities : numpy.ndarray
        The stream value used for each channel in the measurement.
    length : int
        Stream length of the measurement.
    scc : numpy.ndarray
        (N, N) stochastic cross-correlation matrix (diagonal 1 for non-constant streams).
    """

    sources: list[ChannelSource]
    probabilities: np.ndarray
    length: int
    scc: np.ndarray

    @property
    def max_abs_scc(self) -> float:
        """Largest |SCC| over distinct channel pairs (0 for a single channel)."""
        n = len(self.sources)
        if n < 2:
            return 0.0
        off = self.scc[~np.eye(n, dtype=bool)]
        return float(np.abs(off).max())


def _streams(sources: Sequence[ChannelSource], p: np.ndarray, length: int) -> np.ndarray:
    from sc_neurocore.bitstream import lfsr, sobol

    rows = []
    for src, pi in zip(sources, p, strict=True):
        if src.kind == "lfsr":
            rows.append(lfsr(float(pi), length, width=src.width, seed=src.seed, taps=src.taps))
        else:
            rows.append(sobol(float(pi), length, dimension=int(src.dimension or 0)))
    return np.stack(rows)


def pairwise_scc(streams: Any, length: int) -> np.ndarray:
    """(N, N) SCC matrix of N packed streams of ``length`` bits (``sc_neurocore.bitstream.scc``).

    Parameters
    ----------
    streams : numpy.ndarray of uint64, shape (N, ceil(length / 64))
        Packed streams (conventions §1), N >= 1, zero padding bits.
    length : int
        Stream length in bits (>= 1).

    Raises
    ------
    TypeError
        If ``streams`` is not uint64 or ``length`` not an integer.
    ValueError
        If ``streams`` is not 2-D with ``n_words(length)`` words per row and
        zero padding, or ``length`` is out of range.
    """
    from sc_neurocore.bitstream import scc
    from sc_neurocore.bitstream._packing import check_length, check_words

    length = check_length(length)
    s = check_words(streams, "streams", length)
    if s.ndim != 2 or s.shape[0] == 0:
        raise ValueError(f"streams must be a 2-d (N, n_words) array with N >= 1; got shape {s.shape}")
    return np.asarray(scc(s[:, None, :], s[None, :, :], length), dtype=np.float64)


def assign_channels(
    n_channels: int,
    *,
    kind: str = "lfsr",
    width: int = 16,
    seed: int = 1,
    probabilities: Any = 0.5,
    length: int | None = None,
    polynomials: int = 1,
) -> ChannelAssignment:
    """Give ``n_channels`` channels distinct random sources and measure their pairwise SCC.

    Parameters
    ----------
    n_channels : int
        Number of channels, >= 1 (for ``kind="sobol"`` at most the number of
        Sobol dimensions available).
    kind : {"lfsr", "sobol", "naive"}
        ``lfsr``: evenly spread phases of one maximal-length sequence (see
        module docs).  ``sobol``: dimension ``i`` for channel ``i``.
        ``naive``: the common mistake (one polynomial, seeds ``seed + i``),
        offered so its SCC can be shown next to the good assignment.
    width : int
        LFSR width in [3, 32] (ignored for Sobol, whose points have 32 bits).
    seed : int
        Starting state of the first LFSR channel, in [1, 2^width - 1].
    probabilities : float or array_like of float in [0, 1]
        Stream value(s) used for the SCC measurement (broadcast to N).
    length : int, optional
        Measurement length; default one LFSR period ``2^width - 1`` capped at
        2^16 (``2^16`` for Sobol).
    polynomials : {1, 2}
        For ``kind="lfsr"``: 2 alternates the table polynomial and its
        reciprocal (channel ``i`` uses polynomial ``i mod 2``, phases spread
        within each).

    Returns
    -------
    ChannelAssignment
    """
    from sc_neurocore.bitstream import SOBOL_MAX_DIMENSION

    k = check_choice(kind, "kind", ("lfsr", "sobol", "naive"))
    hi = SOBOL_MAX_DIMENSION + 1 if k == "sobol" else 1 << 20
    n = check_int(n_channels, "n_channels", low=1, high=hi)
    w = check_int(width, "width", low=MIN_LFSR_WIDTH, high=MAX_LFSR_WIDTH)
    s0 = check_int(seed, "seed", low=1, high=mask(w))
    p = check_unit_array(probabilities, "probabilities")
    if p.ndim > 1 or (p.ndim == 1 and p.size != n):
        raise ValueError(
            f"probabilities must be a scalar or have n_channels={n} entries; got shape {p.shape}"
        )
    p = np.broadcast_to(p, (n,)).astype(np.float64)
    period = mask(w)
    if length is None:
        length = (1 << 16) if k == "sobol" else min(period, 1 << 16)
    L = check_int(length, "length", low=1, high=1 << 26)

    sources: list[ChannelSource] = []
    if k == "sobol":
        sources = [ChannelSource("sobol", 32, dimension=i) for i in range(n)]
    elif k == "naive":
        if s0 + n - 1 > period:
            raise ValueError(f"seed must leave room for n_channels seeds below 2^width; got {s0}")
        sources = [ChannelSource("lfsr", w, MAXIMAL_TAPS[w], s0 + i) for i in range(n)]
    else:
        npoly = check_int(polynomials, "polynomials", low=1, high=2)
        polys = (MAXIMAL_TAPS[w], mirror_taps(MAXIMAL_TAPS[w]))[:npoly]
        per_poly = -(-n // npoly)
        if per_poly > period:
            raise ValueError(f"n_channels must be at most {npoly * period} for width {w}; got {n}")
        for i in range(n):
            taps = polys[i % npoly]
            phase = (i // npoly) * period // per_poly
            sources.append(ChannelSource("lfsr", w, taps, lfsr_jump(s0, phase, w, taps)))
    streams = _streams(sources, p, L)
    return ChannelAssignment(sources, p, L, pairwise_scc(streams, L))


# --- static checker over a composed datapath ------------------------------------

#: severity of a finding: "error" = the gate computes the wrong function
#: (its inputs are the same random sequence), "warning" = likely correlated
SEVERITIES = ("error", "warning")


@dataclass(frozen=True)
class CorrelationIssue:
    """One AND/XNOR whose two inputs share randomness.

    Attributes
    ----------
    severity : {"error", "warning"}
    gate : str
        Attribute path of the gate from the checked block (e.g. ``"syn[2].gate"``).
    op : str
        ``"AND"`` or ``"XNOR"``; for a block declaring ``correlation_requirement``,
        its ``op`` attribute or class name.
    source_a, source_b : str
        Paths of the offending random sources feeding input 0 and input 1.
    reason : str
        Human-readable explanation.
    scc : float or None
        For near-phase LFSR warnings where both gate inputs are constant-threshold
        SNGs: the SCC of the two input streams measured over one period (at most
        2^16 cycles), so the warning can be weighed; otherwise None.
    """

    severity: str
    gate: str
    op: str
    source_a: str
    source_b: str
    reason: str
    scc: float | None = None

    def __str__(self) -> str:
        return f"{self.severity}: {self.op} {self.gate}: {self.reason} ({self.source_a} vs {self.source_b})"


@dataclass(frozen=True)
class CorrelationReport:
    """Result of :func:`check_correlation`: every gate checked and the issues found."""

    gates_checked: int
    sources: int
    issues: list[CorrelationIssue]

    @property
    def ok(self) -> bool:
        """True when no issue of severity ``error`` was found."""
        return not any(i.severity == "error" for i in self.issues)

    def format(self) -> str:
        """One line per issue, after a summary line."""
        head = (f"{self.gates_checked} AND/XNOR gates checked, {self.sources} random sources, "
                f"{sum(i.severity == 'error' for i in self.issues)} errors, "
                f"{sum(i.severity == 'warning' for i in self.issues)} warnings")
        return "\n".join([head, *(str(i) for i in self.issues)])


def _cls(obj: object) -> str:
    return type(obj).__name__.lower()


def _source_kind(obj: object) -> str | None:
    hook = getattr(obj, "random_source_kind", None)
    if isinstance(hook, str):
        return hook
    name = _cls(obj)
    if "lfsr" in name:
        return "lfsr"
    if "sobol" in name or "corput" in name:
        return "sobol"
    return None


def _signature(obj: object, kind: str) -> tuple[Any, ...]:
    """Everything that determines the source's sequence (equal signature = equal sequence)."""
    if kind not in ("lfsr", "sobol"):  # other kinds (e.g. a shuffle buffer): only the object itself
        return ("object", id(obj))
    fields = ("width", "taps", "seed", "zero_state") if kind == "lfsr" else ("width", "dimension", "skip")
    vals = []
    for f in fields:
        v = getattr(obj, f, None)
        vals.append(tuple(v) if isinstance(v, (list, tuple)) else v)
    return (type(obj).__name__, *vals)


def _gate_op(obj: object) -> str | None:
    for attr in ("op", "kind", "function"):
        v = getattr(obj, attr, None)
        if isinstance(v, str) and v.upper() in ("AND", "XNOR"):
            return v.upper()
    name = _cls(obj).removesuffix("gate").removesuffix("2").strip("_")
    if name in ("and", "xnor"):
        return name.upper()
    return None


#: input correlation a block's function needs (block attribute ``correlation_requirement``)
REQUIREMENTS = ("independent", "positive", "negative")


def _requirement(obj: object) -> str | None:
    """The block's ``correlation_requirement`` if it declares one, "independent" for AND/XNOR, else None."""
    req = getattr(obj, "correlation_requirement", None)
    if isinstance(req, str) and req in REQUIREMENTS:
        return req
    return "independent" if _gate_op(obj) is not None else None


def _delay(obj: object) -> int:
    name = _cls(obj)
    if "dff" in name or "delay" in name or "isolator" in name or "flipflop" in name:
        return int(getattr(obj, "stages", 1) or 1)
    return 0


def _children(obj: object) -> list[tuple[str, object]]:
    """Sub-blocks in attribute order: ``input_sources()`` if the block offers it, else its attributes."""
    from hw_models._common import Block

    hook = getattr(obj, "input_sources", None)
    if callable(hook):
        return [(f"in{i}", b) for i, b in enumerate(hook())]
    out: list[tuple[str, object]] = []
    attrs = vars(obj) if hasattr(obj, "__dict__") else {}
    for name, v in attrs.items():
        if isinstance(v, Block):
            out.append((f".{name}", v))
        elif isinstance(v, (list, tuple)):
            out.extend((f".{name}[{i}]", b) for i, b in enumerate(v) if isinstance(b, Block))
        elif isinstance(v, dict):
            out.extend((f".{name}[{k!r}]", b) for k, b in v.items() if isinstance(b, Block))
    return out


def _phase_distance(a: object, b: object, limit: int) -> int | None:
    """Clocks d with |d| <= limit such that b's seed is a's seed shifted by d (same LFSR polynomial).

    Steps with the register's own ``next_state`` when it has one (Galois and
    Fibonacci forms differ), else with the Fibonacci rule of conventions §3.
    """
    width = getattr(a, "width", None)
    taps = getattr(a, "taps", None)
    sa, sb = getattr(a, "seed", None), getattr(b, "seed", None)
    if not (isinstance(width, int) and isinstance(sa, int) and isinstance(sb, int) and taps):
        return None
    own = getattr(a, "next_state", None)
    if callable(own):
        step = own
    else:
        tmask = tap_mask(taps)

        def step(s: int) -> int:
            return _step(s, width, tmask)

    s = sa
    for d in range(1, limit + 1):
        s = int(step(s))
        if s == sb:
            return d
    s = sb
    for d in range(1, limit + 1):
        s = int(step(s))
        if s == sa:
            return -d
    return None


def _measured_scc(in_a: object, in_b: object) -> float | None:
    """SCC of two constant-threshold SNG streams over one source period (<= 2^16 cycles), or None."""
    import copy

    from sc_neurocore.bitstream import pack, scc

    parts = []
    for sng in (in_a, in_b):
        src = getattr(sng, "source", None)
        if not (isinstance(getattr(sng, "value", None), int) and callable(getattr(sng, "bits", None))
                and hasattr(src, "sequence")):
            return None
        parts.append(copy.deepcopy(sng))
    n = min(int(getattr(getattr(parts[0], "source", None), "period", 1 << 16)), 1 << 16)
    streams = []
    for sng in parts:
        sng.reset()  # type: ignore[attr-defined]
        streams.append(pack(sng.bits(n)))  # type: ignore[attr-defined]
    return float(scc(streams[0], streams[1], n))


def _same_sequence(a: object, b: object) -> bool:
    """True when two sources are one object or have equal signatures (the same bit sequence)."""
    if a is b:
        return True
    ka, kb = _source_kind(a), _source_kind(b)
    return ka == kb and _signature(a, ka or "") == _signature(b, kb or "")


def check_correlation(block: object, *, near_phase: int | None = None) -> CorrelationReport:
    """Flag every AND/XNOR whose two inputs derive from the same random source.

    The block tree is walked through ``input_sources()`` (if a block defines
    it) or its attributes; random sources are recognised by class name
    (``*LFSR*``, ``*Sobol*``) or a ``random_source_kind`` attribute, gates by an
    ``op`` attribute or class name ``AND``/``XNOR``, delays by class name
    (``*DFF*``, ``*Delay*``), each adding one cycle (or ``stages``).  For each
    gate, the random sources reachable from input 0 and from input 1 (with the
    number of DFFs on the way) are compared:

    * **error**: the same source object at the same delay, or two sources with
      equal signature (same class, width, taps/polynomial, seed and zero-state
      flag; or same Sobol dimension), i.e. the same bit sequence.  Then
      SCC = +1 and AND computes ``min(p, q)`` instead of ``p q``.
    * **error** for a block whose ``correlation_requirement`` attribute is
      ``"positive"`` or ``"negative"`` (e.g. ``MinGate``, ``SatAddGate``:
      functions exact only at SCC = +1 / -1) when its two inputs share no
      random source at all: SCC ~ 0 and it computes ``p q``-like values.  The
      sign of a shared-source correlation is not decided statically.  Any
      block may declare ``correlation_requirement = "independent"`` to be
      checked like an AND (the rules above); a block with
      ``random_source_kind`` (e.g. ``ShuffleBuffer``) starts a fresh source.
      Both inputs taken from one block whose ``correlation_effect`` is the
      opposite sign (a ``Desynchronizer`` feeding a ``MinGate``, a
      ``Synchronizer`` feeding a ``SatAddGate``) is an error too.
    * **warning**: the same sequence at different delays (a DFF "isolator" on
      an LFSR stream: a shift of a few cycles multiplies the state by ``2^d``
      and leaves comparator streams correlated), or two LFSRs of one
      polynomial whose seeds are fewer than ``near_phase`` clocks apart
      (default ``2 * width``): the "seed + 1" mistake.  (Measured for 16-bit
      registers over a grid of thresholds: phase offsets up to 4 reach
      SCC = 1 for some threshold pair, offset 12 still 0.38, offsets >= 15
      stay below 0.02.)  When both gate inputs are constant-threshold SNGs the
      issue carries the SCC of the actual streams (``issue.scc``).

    Blocks with a ``correlation_requirement`` attribute are checked too:
    ``"independent"`` as an AND gate; ``"positive"`` / ``"negative"`` (e.g.
    CORDIV, which needs SCC = +1) give an **error** when no random source
    reaches both inputs at the same delay.

    Parameters
    ----------
    block : Block
        The composed datapath (or any object holding blocks).
    near_phase : int, optional
        Phase distance below which same-polynomial LFSRs are flagged.

    Returns
    -------
    CorrelationReport
    """
    from hw_models._common import Block

    if not isinstance(block, Block):
        raise TypeError(f"block must be a hw_models Block; got {type(block).__name__}")
    if near_phase is not None:
        near_phase = check_int(near_phase, "near_phase", low=0, high=1 << 20)

    # name every reachable object once (first path found) and collect gates
    paths: dict[int, str] = {}
    gates: list[object] = []
    stack: list[tuple[str, object]] = [("", block)]
    while stack:
        path, obj = stack.pop()
        if id(obj) in paths:
            continue
        paths[id(obj)] = path or "<top>"
        if _requirement(obj) is not None:
            gates.append(obj)
        stack.extend((path + name, child) for name, child in reversed(_children(obj)))

    memo: dict[int, set[tuple[int, int]]] = {}
    objects: dict[int, object] = {}

    def deps(obj: object, active: frozenset[int]) -> set[tuple[int, int]]:
        """(source id, delay) pairs feeding ``obj``."""
        key = id(obj)
        if key in memo:
            return memo[key]
        if key in active:  # feedback loop through a register: nothing new
            return set()
        objects[key] = obj
        if _source_kind(obj) is not None:
            res = {(key, 0)}
        else:
            d = _delay(obj)
            res = set()
            for _n, child in _children(obj):
                res |= {(s, k + d) for s, k in deps(child, active | {key})}
        memo[key] = res
        return res

    issues: list[CorrelationIssue] = []
    all_sources: set[int] = set()
    for gate in gates:
        kids = _children(gate)
        if len(kids) < 2:
            continue
        op = _gate_op(gate) or str(getattr(gate, "op", "") or type(gate).__name__)
        da, db = deps(kids[0][1], frozenset({id(gate)})), deps(kids[1][1], frozenset({id(gate)}))
        all_sources |= {s for s, _ in da | db}
        req = _requirement(gate)
        if req != "independent":
            shared = any(_same_sequence(objects[sa], objects[sb]) for sa, _ in da for sb, _ in db)
            effect = getattr(kids[0][1], "correlation_effect", None)
            if kids[0][1] is kids[1][1] and effect in REQUIREMENTS[1:] and effect != req:
                fsm = kids[0][1]
                issues.append(CorrelationIssue(
                    "error", paths[id(gate)], op, paths.get(id(fsm), type(fsm).__name__),
                    paths.get(id(fsm), type(fsm).__name__),
                    f"{type(gate).__name__} needs SCC = {'+1' if req == 'positive' else '-1'} but its "
                    f"inputs come from a {type(fsm).__name__}, which drives SCC towards "
                    f"{'+1' if effect == 'positive' else '-1'}"))
            elif da and db and not shared:
                sa, sb = min(da)[0], min(db)[0]
                pa = paths.get(sa, type(objects[sa]).__name__)
                pb = paths.get(sb, type(objects[sb]).__name__)
                sign = "+1" if req == "positive" else "-1"
                issues.append(CorrelationIssue(
                    "error", paths[id(gate)], op, pa, pb,
                    f"{type(gate).__name__} needs correlated inputs (SCC = {sign}) but they derive from "
                    "independent random sources (SCC ~ 0): share the source or insert a "
                    f"{'Synchronizer' if req == 'positive' else 'Desynchronizer'}"))
            continue
        found: dict[tuple[int, int], CorrelationIssue] = {}
        for sa, ka in sorted(da):
            for sb, kb in sorted(db):
                oa, ob = objects[sa], objects[sb]
                kind_a, kind_b = _source_kind(oa), _source_kind(ob)
                same = _same_sequence(oa, ob)
                pa, pb = paths.get(sa, type(oa).__name__), paths.get(sb, type(ob).__name__)
                issue = None
                if same and ka == kb:
                    what = "the same random source" if sa == sb else (
                        "identical LFSRs (same polynomial and seed)" if kind_a == "lfsr"
                        else "identical sources (same Sobol dimension)")
                    issue = CorrelationIssue(
                        "error", paths[id(gate)], op, pa, pb,
                        f"both inputs derive from {what}: SCC = +1, the gate outputs "
                        + {"AND": "min(p, q)", "XNOR": "a correlated XNOR, not the product"}.get(
                            op, "a biased result (it needs independent inputs)"))
                elif same:
                    issue = CorrelationIssue(
                        "warning", paths[id(gate)], op, pa, pb,
                        f"inputs derive from one random sequence shifted by {abs(ka - kb)} cycle(s) "
                        "(DFF isolator); shifted LFSR comparator streams stay correlated: measure SCC")
                elif kind_a == kind_b == "lfsr" and _signature(oa, "lfsr")[:3] == _signature(ob, "lfsr")[:3]:
                    width = int(getattr(oa, "width", 0) or 0)
                    limit = 2 * width if near_phase is None else near_phase
                    d = _phase_distance(oa, ob, limit)
                    if d is not None and d + ka - kb != 0:
                        measured = _measured_scc(kids[0][1], kids[1][1]) if ka == kb == 0 else None
                        note = "" if measured is None else f"; measured SCC {measured:+.3f}"
                        issue = CorrelationIssue(
                            "warning", paths[id(gate)], op, pa, pb,
                            f"LFSRs share the polynomial and their seeds are {abs(d)} clock(s) apart "
                            "(the 'seed + 1' mistake): nearly the same sequence; spread the phases "
                            f"(assign_channels){note}", measured)
                    elif d is not None:
                        issue = CorrelationIssue(
                            "error", paths[id(gate)], op, pa, pb,
                            "LFSR phase offset is cancelled by the DFF delays: the inputs carry the "
                            "same random sequence, SCC = +1")
                if issue is not None:
                    found.setdefault((sa, sb), issue)
        issues.extend(found.values())
    issues.sort(key=lambda i: (SEVERITIES.index(i.severity), i.gate))
    return CorrelationReport(len(gates), len(all_sources), issues)
