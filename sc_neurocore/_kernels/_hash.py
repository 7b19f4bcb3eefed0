"""Random-number primitives: the one place every kernel takes its random bits from (private).

Counter-based random numbers.  Every random bit in sc_neurocore is a pure
function of ``(key, domain, counter)``, so any word of any stream can be
regenerated on its own, on any machine, in any order, and chunked runs equal
unchunked ones.  The mixer is the SplitMix64 finaliser (Steele, Lea & Flood
2014), applied twice with the two key words so that nearby counters under
nearby keys give unrelated outputs:

.. math::

    h(k_0, k_1, d, c) = m\\bigl(m(k_0 \\oplus d\\,\\gamma) \\oplus k_1 \\oplus m(c + \\gamma)\\bigr)
    = m(S \\oplus C),

with :math:`m` = :func:`mix64`, :math:`\\gamma` = :data:`GOLDEN` and all
arithmetic mod :math:`2^{64}`.  Kernels hoist the per-stream part
``S = stream_key(k0, k1, d)`` out of their counter loops and, when many streams
share a counter, the per-counter part ``C = counter_key(c)`` out of their
stream loops; :func:`hash_parts` joins the two.  :func:`hash3` is the
composition, so a hoisted hash is bit-identical to an unhoisted one by
construction.

Also here: the 53-bit uniform and the Box-Muller normal built on the hash,
the exact multiply-high used to pick one of ``n`` inputs, the probability to
comparator-threshold rounding rule (conventions §3) and the MSB-first
bit-sliced ``<`` comparator shared by the Bernoulli, LFSR and Sobol encoders.
Every kernel here is ``inline="always"``, so callers pay no call overhead;
:func:`prob_thresholds` is the NumPy form of :func:`prob_threshold` for the
Python wrappers.  :func:`bernoulli_mask8` is eight Bernoulli tests of
:func:`hash_parts` words at once, in 512-bit vectors.
"""

from __future__ import annotations

import math

import numpy as np
from llvmlite import ir
from numba import njit, types, uint64
from numba.core import cgutils
from numba.extending import intrinsic, overload

GOLDEN = uint64(0x9E3779B97F4A7C15)
_M1 = uint64(0xBF58476D1CE4E5B9)
_M2 = uint64(0x94D049BB133111EB)
# mix64's three xor-shifts (the vector form below takes the same constants)
_R1, _R2, _R3 = uint64(30), uint64(27), uint64(31)
# 2**-53: turns the top 53 bits of a word into a double in [0, 1).
_INV_2_53 = 1.0 / 9007199254740992.0
_ONE = uint64(1)


# --------------------------------------------------------------------------- hash


@njit(cache=True, inline="always")
def mix64(z):
    """SplitMix64 finaliser: a bijection on uint64 with full avalanche."""
    z = uint64(z)
    z = (z ^ (z >> _R1)) * _M1
    z = (z ^ (z >> _R2)) * _M2
    return z ^ (z >> _R3)


@njit(cache=True, inline="always")
def stream_key(k0, k1, domain):
    """Per-stream part ``S = mix64(k0 ^ domain * GOLDEN) ^ k1`` of :func:`hash3` (uint64)."""
    return mix64(uint64(k0) ^ (uint64(domain) * GOLDEN)) ^ uint64(k1)


@njit(cache=True, inline="always")
def counter_key(counter):
    """Per-counter part ``C = mix64(counter + GOLDEN)`` of :func:`hash3` (uint64, key-free)."""
    return mix64(uint64(counter) + GOLDEN)


@njit(cache=True, inline="always")
def hash_parts(skey, ckey):
    """:func:`hash3` from its hoisted parts: ``mix64(S ^ C)``."""
    return mix64(skey ^ ckey)


@njit(cache=True, inline="always")
def bernoulli_hit(skey, ckey, thr):
    """The Bernoulli test of one generator: the top 53 bits of ``hash_parts(skey, ckey)`` below ``thr``
    (``thr = ceil(p 2^53)``: probability ``p``)."""
    return (hash_parts(skey, ckey) >> uint64(11)) < thr


def bernoulli_mask8(skeys, thr, i, ckey):  # type: ignore[no-untyped-def]
    """Eight Bernoulli tests at once: bit ``b`` of the result (uint8) is set iff
    ``bernoulli_hit(skeys[i + b], ckey, thr[i + b])`` (``b = 0 .. 7``).

    ``skeys`` and ``thr`` are 1-d uint64 arrays with ``i + 8 <= len``.  Compiled, the eight
    :func:`mix64` run as one 512-bit vector (two 64-bit multiplies for eight words; the loops that
    numba vectorises itself use 256 bits), so this is :func:`hash_parts` bit for bit.
    """
    mask = 0
    for b in range(8):
        if bernoulli_hit(skeys[i + b], ckey, thr[i + b]):
            mask |= 1 << b
    return np.uint8(mask)


@intrinsic
def _bernoulli_mask8_intrinsic(typingctx, skeys, thr, i, ckey):  # type: ignore[no-untyped-def]
    sig = types.uint8(skeys, thr, i, ckey)

    def codegen(context, builder, signature, args):  # type: ignore[no-untyped-def]
        vec = ir.VectorType(ir.IntType(64), 8)

        def load8(k):  # the eight words from element i of argument k
            ary = context.make_array(signature.args[k])(context, builder, args[k])
            idx = context.cast(builder, args[2], signature.args[2], types.intp)
            ptr = cgutils.get_item_pointer(context, builder, signature.args[k], ary, [idx], wraparound=False)
            return builder.load(builder.bitcast(ptr, vec.as_pointer()), align=8)

        def splat(c):  # type: ignore[no-untyped-def]
            return ir.Constant(vec, [int(c)] * 8)

        def xorshift(z, r):  # type: ignore[no-untyped-def]
            return builder.xor(z, builder.lshr(z, splat(r)))

        c = builder.insert_element(ir.Constant(vec, ir.Undefined), args[3], ir.Constant(ir.IntType(32), 0))
        c = builder.shuffle_vector(c, ir.Constant(vec, ir.Undefined),
                                   ir.Constant(ir.VectorType(ir.IntType(32), 8), [0] * 8))
        z = builder.xor(load8(0), c)  # hash_parts: mix64(S ^ C)
        z = builder.mul(xorshift(z, _R1), splat(_M1))
        z = builder.mul(xorshift(z, _R2), splat(_M2))
        z = xorshift(z, _R3)
        fire = builder.icmp_unsigned("<", builder.lshr(z, splat(11)), load8(1))
        return builder.bitcast(fire, ir.IntType(8))

    return sig, codegen


@overload(bernoulli_mask8, inline="always")
def _bernoulli_mask8_jit(skeys, thr, i, ckey):  # type: ignore[no-untyped-def]
    if not (isinstance(skeys, types.Array) and isinstance(thr, types.Array) and skeys.ndim == thr.ndim == 1
            and skeys.dtype == thr.dtype == types.uint64):
        return None
    if skeys.layout != "C" or thr.layout != "C":  # the vector loads need eight adjacent words
        return bernoulli_mask8
    return lambda skeys, thr, i, ckey: _bernoulli_mask8_intrinsic(skeys, thr, i, uint64(ckey))


@njit(cache=True, inline="always")
def hash3(k0, k1, domain, counter):
    """Random 64-bit word for ``counter`` in ``domain`` (e.g. a stream index) under key (k0, k1)."""
    return hash_parts(stream_key(k0, k1, domain), counter_key(counter))


@njit(cache=True, inline="always")
def unit_double(h):
    """The top 53 bits of the word ``h`` as a double in [0, 1)."""
    return float(h >> uint64(11)) * _INV_2_53


@njit(cache=True, inline="always")
def uniform01(k0, k1, domain, counter):
    """Double in [0, 1) with 53 random bits."""
    return unit_double(hash3(k0, k1, domain, counter))


@njit(cache=True, inline="always")
def box_muller(h1, h2):
    """N(0, 1) from two random words: the cosine branch of Box-Muller on ``u1 = 1 - U(h1)``, ``u2 = U(h2)``.

    ``1 - U`` lies in (0, 1], so ``log(u1)`` is finite.
    """
    u1 = 1.0 - unit_double(h1)
    u2 = unit_double(h2)
    return math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)


@njit(cache=True, inline="always")
def standard_normal(k0, k1, domain, counter):
    """N(0, 1) draw for one counter: :func:`box_muller` on the hashes of counters ``2c`` and ``2c + 1``."""
    skey = stream_key(k0, k1, domain)
    c = uint64(counter) * uint64(2)
    return box_muller(hash_parts(skey, counter_key(c)), hash_parts(skey, counter_key(c + _ONE)))


@njit(cache=True, inline="always")
def mulhi32(r, n):
    """``floor(r * n / 2^64)`` for uint64 ``r`` and ``n < 2^32``, exactly (no 128-bit type needed).

    With ``r`` a random word this picks one of ``n`` items uniformly (bias < n / 2^64).
    """
    rh = r >> uint64(32)
    rl = r & uint64(0xFFFFFFFF)
    return (rh * n + ((rl * n) >> uint64(32))) >> uint64(32)


# --------------------------------------------------------------------------- comparator


@njit(cache=True, inline="always")
def prob_threshold(p, bits):
    """Comparator threshold ``T = round(p * 2^bits)``, round half to even (conventions §3), as uint64.

    The one rounding rule of every probability -> integer threshold: the
    encoders' (NumPy ``round`` / ``rint``) and the hardware models' rule.  A
    stream compares ``bits``-bit values ``U`` with ``T`` and emits ``U < T``,
    so its probability of a 1 is ``T / 2^bits``; ``p`` must lie in [0, 1].
    """
    return uint64(np.rint(p * float(_ONE << uint64(bits))))


def prob_thresholds(p: np.ndarray, bits: int) -> np.ndarray:
    """:func:`prob_threshold` of every element of a float64 array in [0, 1] (same shape, uint64, C order).

    The same IEEE round-half-to-even operation, so the two agree bit for bit
    (tested); for the Python-level wrappers that validate ``p`` first.
    """
    return np.ascontiguousarray(np.rint(np.asarray(p, dtype=np.float64) * float(1 << bits)).astype(np.uint64))


@njit(cache=True, inline="always")
def compare_start(thr, full, lanes):
    """Comparator state ``(lt, eq)`` before the first plane, for ``bits``-bit values and ``full = 2^bits``.

    ``lt`` holds the lanes already known to be below ``thr``, ``eq`` those
    whose value prefix still equals the threshold prefix.  ``thr >= full``
    (every value is below) and ``thr == 0`` (none is) are decided at once.
    """
    if thr >= full:
        return lanes, uint64(0)
    if thr == uint64(0):
        return uint64(0), uint64(0)
    return uint64(0), lanes


@njit(cache=True, inline="always")
def compare_plane(lt, eq, plane, thr, b):
    """Fold bit plane ``b`` of the 64 lanes' values (``plane``, bit ``l`` = bit ``b`` of lane ``l``).

    MSB-first bit-sliced ``value < thr``, branch-free: where bit ``b`` of
    ``thr`` is 1, tied lanes with a 0 become ``lt`` and those with a 1 stay
    tied; where it is 0, tied lanes with a 1 drop out.  Returns ``(lt, eq)``.
    """
    m = uint64(0) - ((thr >> uint64(b)) & _ONE)  # all ones where the threshold bit is 1
    return lt | (eq & ~plane & m), eq & ~(plane ^ m)


@njit(cache=True, inline="always")
def compare_settled(eq, thr, b):
    """Whether planes ``b - 1 .. 0`` can change nothing: no lane is tied, or those bits of ``thr`` are 0.

    A lane still tied when the remaining threshold bits are all zero has
    ``value >= thr`` whatever its remaining bits are, so stopping early gives
    the full comparison's result.
    """
    return eq == uint64(0) or (thr & ((_ONE << uint64(b)) - _ONE)) == uint64(0)


# --------------------------------------------------------------------------- references


def mix64_py(z: int) -> int:
    """Plain-Python reference of :func:`mix64` (for tests)."""
    mask = (1 << 64) - 1
    z &= mask
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & mask
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & mask
    return z ^ (z >> 31)


def hash3_py(k0: int, k1: int, domain: int, counter: int) -> int:
    """Plain-Python reference of :func:`hash3` (for tests)."""
    mask = (1 << 64) - 1
    x = mix64_py(k0 ^ ((domain * 0x9E3779B97F4A7C15) & mask))
    return mix64_py(x ^ k1 ^ mix64_py((counter + 0x9E3779B97F4A7C15) & mask))


__all__ = [
    "GOLDEN",
    "bernoulli_hit",
    "bernoulli_mask8",
    "box_muller",
    "compare_plane",
    "compare_settled",
    "compare_start",
    "counter_key",
    "hash3",
    "hash3_py",
    "hash_parts",
    "mix64",
    "mix64_py",
    "mulhi32",
    "prob_threshold",
    "prob_thresholds",
    "standard_normal",
    "stream_key",
    "uniform01",
    "unit_double",
]
