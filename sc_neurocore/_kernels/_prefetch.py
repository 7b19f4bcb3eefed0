"""Software prefetch for the kernels (private): a hint to load a cache line, no value changes.

Plain Python (``NUMBA_DISABLE_JIT=1``) does nothing.
"""

from __future__ import annotations

from llvmlite import ir
from numba import njit, types
from numba.core import cgutils
from numba.extending import intrinsic, overload

__all__ = ["_prefetch", "_prefetch_at", "_prefetch_at_l2", "_prefetch_each", "_prefetch_l2",
           "_prefetch_lines"]


def _prefetch(arr, i):  # noqa: ARG001
    """Hint the CPU to load element ``i`` of a 1-d ``arr``, or row ``i`` of a 2-d one (its first and last
    cache lines); changes no value (plain Python: nothing)."""


def _prefetch_l2(arr, i):  # noqa: ARG001
    """As :func:`_prefetch`, into the level-2 cache and beyond (``prefetcht1``), not level 1: the far stage
    of a two-stage prefetch, for loads needed much later (plain Python: nothing)."""


# llvm.prefetch's locality hint: 3 is prefetcht0 (all levels), 2 is prefetcht1 (level 2 and beyond)
_L1, _L2 = 3, 2


def _prefetch_codegen(locality: int):  # type: ignore[no-untyped-def]
    """Code generator prefetching ``arr[i]`` (1-d; ``j`` unused) or ``arr[i, j]`` (2-d)."""

    def codegen(context, builder, signature, args):  # type: ignore[no-untyped-def]
        ary = context.make_array(signature.args[0])(context, builder, args[0])
        idx = [context.cast(builder, args[1], signature.args[1], types.intp)]
        if signature.args[0].ndim == 2:
            idx.append(context.cast(builder, args[2], signature.args[2], types.intp))
        ptr = cgutils.get_item_pointer(context, builder, signature.args[0], ary, idx, wraparound=False)
        raw = builder.bitcast(ptr, ir.IntType(8).as_pointer())
        fnty = ir.FunctionType(ir.VoidType(), [raw.type, ir.IntType(32), ir.IntType(32), ir.IntType(32)])
        fn = cgutils.get_or_insert_function(builder.module, fnty, "llvm.prefetch.p0i8")
        # read (0), the locality hint, data cache (1)
        builder.call(fn, [raw, ir.Constant(ir.IntType(32), 0), ir.Constant(ir.IntType(32), locality),
                          ir.Constant(ir.IntType(32), 1)])
        return context.get_dummy_value()

    return codegen


@intrinsic
def _prefetch_intrinsic(typingctx, arr, i, j):  # type: ignore[no-untyped-def]
    """Prefetch ``arr[i]`` (1-d; ``j`` unused) or ``arr[i, j]`` (2-d) into every cache level."""
    return types.void(arr, i, j), _prefetch_codegen(_L1)


@intrinsic
def _prefetch_l2_intrinsic(typingctx, arr, i, j):  # type: ignore[no-untyped-def]
    """Prefetch ``arr[i]`` (1-d; ``j`` unused) or ``arr[i, j]`` (2-d) into the level-2 cache."""
    return types.void(arr, i, j), _prefetch_codegen(_L2)


def _row_prefetch(fetch):  # type: ignore[no-untyped-def]
    """An overload prefetching with ``fetch``: element ``i`` of a 1-d array, or row ``i`` of a 2-d one."""

    def typer(arr, i):  # type: ignore[no-untyped-def]
        if arr.ndim == 1:
            return lambda arr, i: fetch(arr, i, 0)

        def impl(arr, i):  # type: ignore[no-untyped-def]
            fetch(arr, i, 0)
            if arr.shape[1] > 8:  # wider than one cache line (ExpSynLIF's 10 columns): its last line too
                fetch(arr, i, arr.shape[1] - 1)

        return impl

    return typer


overload(_prefetch, inline="always")(_row_prefetch(_prefetch_intrinsic))
overload(_prefetch_l2, inline="always")(_row_prefetch(_prefetch_l2_intrinsic))


def _prefetch_at(arr, i, j):  # noqa: ARG001
    """Hint the CPU to load element ``[i, j]`` of a 2-d ``arr``; changes no value (plain Python: nothing)."""


@overload(_prefetch_at, inline="always")
def _prefetch_at_jit(arr, i, j):
    return lambda arr, i, j: _prefetch_intrinsic(arr, i, j)


def _prefetch_at_l2(arr, i, j):  # noqa: ARG001
    """As :func:`_prefetch_at`, into the level-2 cache (plain Python: nothing)."""


@overload(_prefetch_at_l2, inline="always")
def _prefetch_at_l2_jit(arr, i, j):
    return lambda arr, i, j: _prefetch_l2_intrinsic(arr, i, j)


@njit(cache=True, inline="always")
def _prefetch_lines(arr, a, b):
    """Prefetch the cache lines of ``arr[a:b]`` (a 1-d array of 4-byte elements: 16 per line)."""
    for s in range(a, b, 16):
        _prefetch(arr, s)
    if b > a:
        _prefetch(arr, b - 1)


@njit(cache=True, inline="always")
def _prefetch_each(arr, indices, a, b):
    """Prefetch ``arr[indices[s]]`` (an element, or a row of a 2-d ``arr``) for ``s`` in ``[a, b)``."""
    for s in range(a, b):
        _prefetch(arr, indices[s])
