"""Memory hints (private): back large arrays with transparent huge pages on Linux.

A random access to an array of hundreds of MB on 4 KiB pages misses the TLB as well as the cache: the
page walk comes first, and a software prefetch cannot retire until it is done.  numpy asks for huge
pages when it allocates a large array (``madvise(MADV_HUGEPAGE)``), but arrays allocated inside numba
kernels come from numba's runtime (``malloc``) and get none where the kernel's THP mode is
``madvise``.  :func:`huge_pages` asks for them after the fact and, on Linux 6.1 or newer, collapses the
array's pages into huge pages at once (``MADV_COLLAPSE``).  It changes no value and never fails: an
older kernel, another system or a refused request leaves the memory as it was.
"""

from __future__ import annotations

import ctypes
import sys
from typing import Any

import numpy as np

__all__ = ["huge_pages"]

_HUGE = 2 << 20  # bytes in an x86-64 / arm64 huge page
_MIN_BYTES = 4 * _HUGE  # smaller arrays gain little and are not worth a system call
_MADV_HUGEPAGE = 14
_MADV_COLLAPSE = 25


def _madvise() -> Any:
    """libc's ``madvise`` (Linux only), or None."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        fn = ctypes.CDLL(None, use_errno=True).madvise
    except (OSError, AttributeError):
        return None
    fn.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
    fn.restype = ctypes.c_int
    return fn


_MADVISE = _madvise()


def huge_pages(a: np.ndarray) -> np.ndarray:
    """Ask for transparent huge pages under the whole 2 MiB pages inside ``a``'s memory; returns ``a``.

    Only for arrays of at least 8 MiB whose memory is their own contiguous block (a broadcast array,
    such as a stride-0 delay, spans no memory to speak of).  Measured: 0.3 s for the 400 MB of
    ``indices`` of 1M x 100 synapses (``docs/event_driven.md``, "Huge pages, and a cheaper exchange").
    """
    if _MADVISE is None or a.nbytes < _MIN_BYTES or not a.flags.c_contiguous:
        return a
    start = a.ctypes.data
    lo = -(-start // _HUGE) * _HUGE
    hi = (start + a.nbytes) // _HUGE * _HUGE
    if hi > lo:
        # return values ignored: a refusal (EINVAL on an old kernel, EAGAIN, ENOMEM) is not an error
        _MADVISE(lo, hi - lo, _MADV_HUGEPAGE)
        _MADVISE(lo, hi - lo, _MADV_COLLAPSE)
    return a
