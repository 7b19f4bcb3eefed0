"""Default LFSR seeds of FixedPointDenseLayer: decorrelated by construction.

Default: one polynomial, every weight register more than a guard of clocks
from its input register (and the MUX select clear of all).  With ``w_taps`` the
reciprocal polynomial every AND pairs two different primitive polynomials.
Checked here: the jump-ahead kernels against plain-Python stepping, the seed
structure (phases by discrete log), bit
exactness of the layer (taps included) against the core encoder, the gate-level
datapath flags no AND, with reciprocal taps every synapse's full-period
covariance and SCC stay within the Weil (Kloosterman) bound, and mean currents
match their expected values.
"""

from __future__ import annotations

import numpy as np
import pytest
from _stats import assert_bernstein
from hypothesis import given, settings
from hypothesis import strategies as st

from hw_models import DenseLayer, check_correlation, mirror_taps
from hw_models._contract import assert_bit_exact
from sc_neurocore import bitstream as bs
from sc_neurocore._fixed_point import FixedPointDenseLayer, QFormat
from sc_neurocore._kernels._fixed import (
    gf2_matvec,
    lfsr_jump_matrix,
    lfsr_jump_states,
    pick_offsets,
    top_bits_independent,
)
from sc_neurocore._taps import MAXIMAL_TAPS, tap_mask

# --- plain-Python references -----------------------------------------------------


def py_step(state: int, width: int, taps: tuple[int, ...]) -> int:
    """One clock of the Fibonacci LFSR of conventions §3 (no zero-state insertion)."""
    fb = 0
    for t in taps:
        fb ^= (state >> (t - 1)) & 1
    return ((state << 1) | fb) & ((1 << width) - 1)


def py_jump(state: int, k: int, width: int, taps: tuple[int, ...]) -> int:
    for _ in range(k):
        state = py_step(state, width, taps)
    return state


def walsh_l1(x: int, width: int) -> float:
    """Sum of |non-constant Walsh coefficients| of [s < X] on ``width``-bit s, by the closed form.

    For a != 0 with lowest set bit l, |f^(a)| = |(X mod 2^l) - X_l 2^l| / 2^n (split [0, X)
    into dyadic blocks), and 2^(n-l-1) masks a share that l.
    """
    return sum(abs((x % (1 << lo)) - ((x >> lo) & 1) * (1 << lo)) / (1 << (lo + 1)) for lo in range(width))


def walsh_l1_bruteforce(x: int, width: int) -> float:
    s = np.arange(1 << width)
    f = (s < x).astype(np.float64)
    h = 1
    while h < f.size:  # fast Walsh-Hadamard transform
        f = f.reshape(-1, 2, h)
        f = np.stack([f[:, 0] + f[:, 1], f[:, 0] - f[:, 1]], axis=1).reshape(-1)
        h *= 2
    return float(np.abs(f[1:]).sum() / (1 << width))


def dense_reference(layer: FixedPointDenseLayer, n: int):
    """Accumulated a_t from the core encoder (bitstream.lfsr with each group's taps), plain Python."""
    w, zs = layer.lfsr_width, layer.zero_state
    xs = bs.unpack(bs.lfsr(layer.p_inputs, n, w, layer.x_seeds.astype(np.int64), taps=layer.x_taps,
                           zero_state=zs), n)
    ws = bs.unpack(bs.lfsr(layer.p_weights, n, w, layer.w_seeds.astype(np.int64), taps=layer.w_taps,
                           zero_state=zs), n)
    sel = (bs.lfsr_states(n, w, layer.sel_seed, taps=layer.sel_taps, zero_state=zs).astype(np.int64)
           * layer.n_inputs) >> w
    prod = xs[None, :, :] & ws
    if layer.accumulation == "count":
        return prod.sum(axis=1).T
    if layer.accumulation == "or":
        return prod.max(axis=1).T
    return prod[:, sel, np.arange(n)].T


def make_layer(n_out, n_in, width, mode="count", seed=0, mirror=False, **kw):
    rng = np.random.default_rng(seed)
    if mirror:
        kw["w_taps"] = mirror_taps(MAXIMAL_TAPS[width])
    return FixedPointDenseLayer(n_out, rng.random(n_in), rng.random((n_out, n_in)), mode, gain=0.0,
                                lfsr_width=width, seed=seed, **kw)


# --- jump-ahead kernels ----------------------------------------------------------


@given(width=st.integers(3, 12), k=st.integers(0, 5000), state=st.integers(1, 2**12 - 1),
       mirror=st.booleans())
def test_jump_matrix_matches_stepping(width, k, state, mirror):
    taps = mirror_taps(MAXIMAL_TAPS[width]) if mirror else MAXIMAL_TAPS[width]
    s0 = state % ((1 << width) - 1) + 1
    cols = lfsr_jump_matrix(width, np.uint64(tap_mask(taps)), k)
    assert int(gf2_matvec(cols, np.uint64(s0))) == py_jump(s0, k, width, taps)


@given(width=st.integers(3, 10), phases=st.lists(st.integers(0, 3000), max_size=20), state=st.integers(1, 1023),
       mirror=st.booleans())
def test_jump_states_match_stepping(width, phases, state, mirror):
    taps = mirror_taps(MAXIMAL_TAPS[width]) if mirror else MAXIMAL_TAPS[width]
    s0 = state % ((1 << width) - 1) + 1
    got = lfsr_jump_states(np.uint64(s0), width, np.uint64(tap_mask(taps)), np.array(phases, dtype=np.int64))
    assert got.tolist() == [py_jump(s0, k, width, taps) for k in phases]


def test_jump_full_period_is_identity():
    for width in (3, 16, 31, 32):
        cols = lfsr_jump_matrix(width, np.uint64(tap_mask(MAXIMAL_TAPS[width])), (1 << width) - 1)
        assert cols.tolist() == [1 << j for j in range(width)]


# --- seed structure --------------------------------------------------------------


def phase_table(width: int, taps: tuple[int, ...]) -> dict[int, int]:
    """Discrete log: state -> clocks after state 1 (plain-Python stepping over one period)."""
    out, s = {}, 1
    for k in range((1 << width) - 1):
        out[s] = k
        s = py_step(s, width, taps)
    return out


def py_top_bits_independent(theta: int, width: int, taps: tuple[int, ...]) -> bool:
    """Plain Python: the top k = n // 2 bits of A^theta s and of s are jointly independent functionals of s.

    Functional of bit i of A^theta s = the set of j with bit i of A^theta e_j set; the 2k functionals
    (k unit vectors for the top bits of s, k rows of A^theta) must have rank 2k.
    """
    k = width // 2
    cols = [py_jump(1 << j, theta, width, taps) for j in range(width)]
    funcs = [1 << (width - 1 - i) for i in range(k)]
    funcs += [sum(((cols[j] >> (width - 1 - i)) & 1) << j for j in range(width)) for i in range(k)]
    basis: list[int] = []
    for v in funcs:
        for b in basis:
            v = min(v, v ^ b)
        if v == 0:
            return False
        basis.append(v)
    return True


def gap(a: int, b: int, period: int) -> int:
    d = abs(a - b) % period
    return min(d, period - d)


@given(n_out=st.integers(1, 4), n_in=st.integers(1, 6), width=st.integers(3, 12), seed=st.integers(0, 2**32),
       mirror=st.booleans(), sel_same=st.booleans())
def test_default_seeds_keep_every_pair_out_of_phase(n_out, n_in, width, seed, mirror, sel_same):
    kw = {"sel_taps": MAXIMAL_TAPS[width]} if sel_same else {}
    layer = make_layer(n_out, n_in, width, mode="mux", seed=seed, mirror=mirror, **kw)
    period = (1 << width) - 1
    g = layer.phase_guard
    assert g == min(4 * width, (period - 3) // 2)
    assert layer.x_taps == MAXIMAL_TAPS[width]
    assert layer.sel_taps == (MAXIMAL_TAPS[width] if sel_same else mirror_taps(MAXIMAL_TAPS[width]))
    assert layer.w_taps == (mirror_taps(MAXIMAL_TAPS[width]) if mirror else MAXIMAL_TAPS[width])
    log_x = phase_table(width, layer.x_taps)
    px = [log_x[int(s)] for s in layer.x_seeds]
    psel = log_x[layer.sel_seed]
    rivals = list(px)
    if not mirror:  # one polynomial: every weight more than g clocks from its own input, top bits independent
        pw = [[log_x[int(s)] for s in row] for row in layer.w_seeds]
        assert all(gap(pw[r][i], px[i], period) > g for r in range(n_out) for i in range(n_in))
        for r in range(n_out):
            for i in range(n_in):
                assert py_top_bits_independent((pw[r][i] - px[i]) % period, width, layer.x_taps) or g == 0
        rivals += [p for row in pw for p in row]
    # a select on the inputs' polynomial is kept g clocks clear of them (on the default
    # reciprocal polynomial phases on the two sequences are unrelated and need no guard)
    if sel_same and len(rivals) * (2 * g + 1) <= period // 2:  # all 64 candidates blocked: p <= 2^-64
        assert all(gap(psel, p, period) > g for p in rivals)


def test_seeds_round_trip_and_explicit_taps():
    a = make_layer(3, 4, 10, "mux", seed=7)
    b = FixedPointDenseLayer(3, a.p_inputs, a.p_weights, "mux", gain=0.0, lfsr_width=10, **a.seeds())
    assert b.seeds() == a.seeds()
    np.testing.assert_array_equal(a.run(300), b.run(300))
    np.testing.assert_array_equal(a.last_acc, b.last_acc)
    # explicit seeds keep their meaning: states of the registers with the given taps
    old = FixedPointDenseLayer(1, [0.5, 0.25], [[0.75, 0.5]], gain=0.0, lfsr_width=8, x_seeds=[3, 200],
                               w_seeds=[[17, 99]], w_taps=MAXIMAL_TAPS[8])
    old.run(255)
    ref = bs.unpack(bs.and_(bs.lfsr([0.5, 0.25], 255, 8, [3, 200]), bs.lfsr([0.75, 0.5], 255, 8, [17, 99])), 255)
    assert_bit_exact(old.last_acc[:, 0], ref.sum(axis=0), "explicit seeds, table taps")
    # reciprocal taps round-trip too
    m = make_layer(2, 3, 12, "mux", seed=1, mirror=True)
    m2 = FixedPointDenseLayer(2, m.p_inputs, m.p_weights, "mux", gain=0.0, lfsr_width=12, **m.seeds())
    np.testing.assert_array_equal(m.run(300), m2.run(300))
    np.testing.assert_array_equal(m.last_acc, m2.last_acc)


def test_seed_reproducible_and_distinct():
    a, b, c = make_layer(2, 3, 16, seed=5), make_layer(2, 3, 16, seed=5), make_layer(2, 3, 16, seed=6)
    assert a.seeds() == b.seeds() != c.seeds()


def test_bad_taps():
    with pytest.raises(ValueError, match=r"w_taps must be a maximal-length tap set for width 8"):
        FixedPointDenseLayer(1, [0.5], [[0.5]], lfsr_width=8, w_taps=(8, 1))
    with pytest.raises(ValueError, match=r"x_taps must be a maximal-length tap set for width 8.*got \(16, 15, 13, 4\)"):
        FixedPointDenseLayer(1, [0.5], [[0.5]], lfsr_width=8, x_taps=MAXIMAL_TAPS[16])
    with pytest.raises(ValueError, match=r"sel_taps must be a maximal-length tap set"):
        FixedPointDenseLayer(1, [0.5], [[0.5]], "mux", lfsr_width=8, sel_taps=(8, 6, 6, 5, 4))
    with pytest.raises(TypeError, match=r"x_taps must be a sequence of ints; got str"):
        FixedPointDenseLayer(1, [0.5], [[0.5]], x_taps="16")
    with pytest.raises(TypeError, match=r"w_taps must be a sequence of ints"):
        FixedPointDenseLayer(1, [0.5], [[0.5]], lfsr_width=3, w_taps=(3, 1.0))


# --- bit exactness with the taps ---------------------------------------------------


@given(n_in=st.integers(1, 5), n_out=st.integers(1, 3), width=st.integers(3, 20),
       mode=st.sampled_from(["count", "or", "mux"]), seed=st.integers(0, 2**32), n=st.integers(1, 300),
       zero_state=st.booleans())
def test_layer_matches_encoder_reference_with_taps(n_in, n_out, width, mode, seed, n, zero_state):
    layer = make_layer(n_out, n_in, width, mode, seed, mirror=bool(seed & 1), zero_state=zero_state)
    layer.run(n // 2)
    first = layer.last_acc
    layer.run(n - n // 2)
    assert_bit_exact(np.concatenate([first, layer.last_acc]), dense_reference(layer, n), "a_t")


@settings(max_examples=15)
@given(n_in=st.integers(1, 4), n_out=st.integers(1, 3), width=st.integers(3, 16),
       mode=st.sampled_from(["count", "or", "mux"]), seed=st.integers(0, 2**32), zero_state=st.booleans())
def test_gate_level_datapath_uses_the_taps(n_in, n_out, width, mode, seed, zero_state):
    rng = np.random.default_rng(seed)
    core = FixedPointDenseLayer(n_out, rng.random(n_in), rng.random((n_out, n_in)), mode, gain=0.125,
                                bias=0.0625, lfsr_width=width, seed=seed, qformat=QFormat(10, 6),
                                v_threshold=0.5, leak_shift=2, zero_state=zero_state,
                                w_taps=mirror_taps(MAXIMAL_TAPS[width]))
    hw = DenseLayer.from_fixed_point(core)
    assert hw.sources[0].synapses[0].x.source.taps == core.x_taps
    assert hw.sources[0].synapses[0].w.source.taps == core.w_taps
    out = hw.run(200)
    spikes = core.run(200)
    assert_bit_exact(out["spike"], (spikes.astype(np.int64) << np.arange(n_out)).sum(axis=1), "spikes")


# --- decorrelation ----------------------------------------------------------------


def test_walsh_l1_closed_form():
    for width in (3, 6, 10):
        for x in range((1 << width) + 1):
            assert walsh_l1(x, width) == pytest.approx(walsh_l1_bruteforce(x, width), abs=1e-12)


SIZES = [pytest.param(64, 64, 16, marks=pytest.mark.slow), (16, 16, 8), (8, 32, 12), (4, 4, 3),
         pytest.param(32, 8, 20, marks=pytest.mark.slow), (3, 5, 32)]


@pytest.mark.parametrize(("n_out", "n_in", "width"), SIZES)
@pytest.mark.parametrize("mode", ["count", "mux"])
def test_no_and_gate_flagged(n_out, n_in, width, mode):
    """Reciprocal taps: never; one polynomial: whenever the guard exceeds the checker's 2 n window."""
    for mirror in (True, False):
        layer = make_layer(n_out, n_in, width, mode, seed=n_in + width, mirror=mirror)
        rep = check_correlation(DenseLayer.from_fixed_point(layer))
        assert rep.gates_checked == n_out * n_in
        if mirror or layer.phase_guard >= 2 * width:
            assert rep.issues == [], rep.format()
        else:  # period too short for the guard: close phases possible, reported as warnings only
            assert all(i.severity == "warning" for i in rep.issues)


def full_period_covariance(layer: FixedPointDenseLayer):
    """Per synapse (N, n_in): covariance of x and w over one full period, and its Weil bound."""
    n = layer.lfsr_width
    period = (1 << n) - 1
    xs = bs.lfsr(layer.p_inputs, period, n, layer.x_seeds.astype(np.int64), taps=layer.x_taps)
    ws = bs.lfsr(layer.p_weights, period, n, layer.w_seeds.astype(np.int64), taps=layer.w_taps)
    px = bs.popcount(xs) / period
    pw = bs.popcount(ws) / period
    pxw = bs.popcount(bs.and_(xs[None, :, :], ws)) / period
    cov = pxw - px[None, :] * pw
    lx = np.array([walsh_l1(int(x), n) for x in layer.x_thresholds])
    lw = np.array([[walsh_l1(int(w), n) for w in row] for row in layer.w_thresholds])
    # |cov| <= L_X L_W 2^(n/2+1)/P + 1/P^2  (Kloosterman sums, Weil bound)
    bound = lx[None, :] * lw * 2.0 ** (n / 2 + 1) / period + 1.0 / period**2
    return xs, ws, cov, bound


@pytest.mark.slow
@pytest.mark.parametrize(("n_out", "n_in", "width"), [(64, 64, 16), (16, 16, 8), (8, 32, 12), (6, 10, 14)])
def test_every_synapse_within_weil_bound(n_out, n_in, width):
    layer = make_layer(n_out, n_in, width, seed=3, mirror=True)
    xs, ws, cov, bound = full_period_covariance(layer)
    assert np.all(np.abs(cov) <= bound)
    period = (1 << width) - 1
    scc = bs.scc(xs[None, :, :], ws, period)
    # the SCC is the covariance over its (sign-dependent) denominator; bound it the same way
    px = bs.popcount(xs)[None, :] / period
    pw = bs.popcount(ws) / period
    den = np.where(cov > 0, np.minimum(px, pw) - px * pw, px * pw - np.maximum(px + pw - 1, 0))
    ok = den > 0
    assert np.all(np.abs(scc[ok]) <= bound[ok] / den[ok] + 1e-12)
    assert np.all(scc[~ok] == 0)


@pytest.mark.slow
@pytest.mark.parametrize("width", [8, 10, 12, 14, 16])
def test_half_threshold_scc_within_weil_bound(width):
    """X = W = 2^(n-1): the streams are single sequence bits, |SCC| <= 2^(n/2+1) / (2^n - 1)."""
    n_in, n_out = 8, 8
    layer = FixedPointDenseLayer(n_out, np.full(n_in, 0.5), np.full((n_out, n_in), 0.5), gain=0.0,
                                 lfsr_width=width, seed=width, w_taps=mirror_taps(MAXIMAL_TAPS[width]))
    period = (1 << width) - 1
    xs = bs.lfsr(layer.p_inputs, period, width, layer.x_seeds.astype(np.int64), taps=layer.x_taps)
    ws = bs.lfsr(layer.p_weights, period, width, layer.w_seeds.astype(np.int64), taps=layer.w_taps)
    scc = np.asarray(bs.scc(xs[None, :, :], ws, period))
    assert np.abs(scc).max() <= 2.0 ** (width / 2 + 1) / period


@pytest.mark.slow
@pytest.mark.parametrize(("n_out", "n_in", "width"), [(16, 16, 8), (8, 32, 12), (64, 64, 16)])
def test_count_mean_current_full_period(n_out, n_in, width):
    """Mean of a_t over a full period: sum_i p_x p_w within the summed Weil bounds and quantisation."""
    layer = make_layer(n_out, n_in, width, seed=11, mirror=True)
    period = (1 << width) - 1
    _, _, _, bound = full_period_covariance(layer)
    layer.run(period)
    mean = layer.last_acc.mean(axis=0)
    # full period: densities (X - 1)/P exactly; expected value uses the real probabilities
    qx = np.maximum(layer.x_thresholds.astype(np.float64) - 1, 0) / period
    qw = np.maximum(layer.w_thresholds.astype(np.float64) - 1, 0) / period
    quant = np.abs(qx[None, :] * qw - layer.p_inputs[None, :] * layer.p_weights).sum(axis=1)
    err = np.abs(mean - (layer.p_inputs[None, :] * layer.p_weights).sum(axis=1))
    assert np.all(err <= bound.sum(axis=1) + quant)


@pytest.mark.slow
@given(n_in=st.integers(2, 12), n_out=st.integers(1, 6), seed=st.integers(0, 2**32),
       mode=st.sampled_from(["count", "or", "mux"]), mirror=st.booleans())
def test_mean_current_full_period_binomial(n_in, n_out, seed, mode, mirror):
    """16-bit registers, one full period: mean a within a Bernstein bound of T = 2^16 - 1 cycles.

    Expected values treat the synapse products as independent: count sum_i q_i, OR 1 - prod_i (1 - q_i),
    MUX sum_i P(sel = i) q_i with the exact selection shares of the select states 1 .. 2^n - 1
    (q_i = p_x p_w; + n_in 2^-n for the threshold rounding).
    """
    width = 16
    n = (1 << width) - 1
    # MUX: the default select runs on the reciprocal polynomial (a select on the table polynomial is
    # only kept clear of near phases: about 1 % of drawn 16-bit MUX layers then have one synapse
    # beyond this bound, see FixedPointDenseLayer Notes)
    layer = make_layer(n_out, n_in, width, mode, seed, mirror=mirror)
    layer.run(n)
    q = layer.p_inputs[None, :] * layer.p_weights  # (N, n_in) synapse products
    if mode == "count":
        expect = q.sum(axis=1)
        var = (q * (1 - q)).sum(axis=1)
    elif mode == "or":
        expect = 1 - np.prod(1 - q, axis=1)
        var = expect * (1 - expect)
    else:
        states = np.arange(1, 1 << width, dtype=np.int64)
        share = np.bincount((states * n_in) >> width, minlength=n_in) / states.size
        expect = (q * share[None, :]).sum(axis=1)
        var = expect * (1 - expect)
    # the LFSR bits modelled as independent Bernoulli bits: the summed output over n cycles has
    # variance n var and terms in [0, 1] (per synapse bit for count, per output bit for or/mux):
    # Bernstein.  False failure (of the model) <= 60 x 6 x 1e-10.
    err = layer.last_acc.mean(axis=0) - expect
    assert_bernstein(n * err, n * var, 1.0, slack=n * n_in * 2.0**-width)


@given(width=st.integers(3, 10), theta=st.integers(0, 1022), k=st.integers(1, 5))
def test_top_bits_independent_matches_rank_reference(width, theta, k):
    k = min(k, width // 2) or 1
    taps = MAXIMAL_TAPS[width]
    cols = lfsr_jump_matrix(width, np.uint64(tap_mask(taps)), theta)
    pycols = [py_jump(1 << j, theta, width, taps) for j in range(width)]
    funcs = [1 << (width - 1 - i) for i in range(k)]
    funcs += [sum(((pycols[j] >> (width - 1 - i)) & 1) << j for j in range(width)) for i in range(k)]
    basis: list[int] = []
    for v in funcs:
        for b in basis:
            v = min(v, v ^ b)
        if v:
            basis.append(v)
    assert bool(top_bits_independent(cols, width, k)) == (len(basis) == 2 * k)


def test_pick_offsets_skips_resonant_offsets():
    """16-bit table polynomial: offsets 15941 and 31882 make top bits XORs of each other; 1000 does not."""
    cands = np.array([[15941, 31882, 1000], [15941, 15942, 31882]], dtype=np.int64)
    theta, ok = pick_offsets(cands, 16, np.uint64(tap_mask(MAXIMAL_TAPS[16])), 8)
    assert theta.tolist() == [1000, 31882] and ok.tolist() == [True, False]


@pytest.mark.slow
@pytest.mark.parametrize(("n_out", "n_in", "width"), [(64, 64, 16), (16, 16, 8), (8, 32, 12), (6, 10, 14)])
def test_one_polynomial_grid_thresholds_exactly_uncorrelated(n_out, n_in, width):
    """Top 2k bits independent: on the 2^(n-k) threshold grid |cov| <= 2/P; any thresholds < 4 2^-k + 2/P."""
    k = width // 2
    period = (1 << width) - 1
    rng = np.random.default_rng(width)
    grid = 2.0**-k
    px, pw = rng.integers(0, 2**k + 1, n_in) * grid, rng.integers(0, 2**k + 1, (n_out, n_in)) * grid
    layer = FixedPointDenseLayer(n_out, px, pw, gain=0.0, lfsr_width=width, seed=width)
    xs, ws, cov, _ = full_period_covariance(layer)
    assert np.abs(cov).max() <= 2 / period
    # SCC = cov over its sign-dependent denominator: bounded by (2/P) / denominator
    scc = np.asarray(bs.scc(xs[None, :, :], ws, period))
    qx = bs.popcount(xs)[None, :] / period
    qw = bs.popcount(ws) / period
    den = np.where(cov > 0, np.minimum(qx, qw) - qx * qw, qx * qw - np.maximum(qx + qw - 1, 0))
    ok = den > 0
    assert np.all(np.abs(scc[ok]) <= 2 / period / den[ok] + 1e-12)
    layer = make_layer(n_out, n_in, width, seed=width + 1)
    _, _, cov, _ = full_period_covariance(layer)
    assert np.abs(cov).max() < 4 * 2.0**-k + 2 / period
