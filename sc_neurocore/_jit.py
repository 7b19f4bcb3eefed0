"""numba set-up done once per process, before the first kernel is decorated (private).

:mod:`sc_neurocore._kernels` calls :func:`configure` when it is first imported,
which every kernel module import passes through.  It does two things:

* **Cache fallback.**  The kernels are decorated ``@numba.njit(cache=True)``;
  numba then needs a writable cache directory when the decorator runs: the
  directory named by ``NUMBA_CACHE_DIR``, else the kernels' ``__pycache__``,
  else the user-wide cache under ``HOME``.  In a read-only container none of
  them is writable and numba raises ``RuntimeError: no locator available``
  at import time.  :func:`configure` asks numba's own locator search first; only
  if it finds nothing does it point ``numba.config.CACHE_DIR`` at a fresh
  private temporary directory (removed at exit) and issue one
  :class:`JitCacheWarning`.
* **Compile notice.**  Compiling the kernels takes seconds on first use, which
  looks like a hang.  The first time numba compiles (rather than loads from
  its cache) a kernel of this package, one line, :data:`COMPILE_NOTICE`, goes to
  stderr.  It is not a warning, so ``-W error`` does not turn it into an error.

Nothing happens under ``NUMBA_DISABLE_JIT=1``: kernels are then plain Python.
"""

from __future__ import annotations

import atexit
import shutil
import sys
import tempfile
import types
import warnings
from pathlib import Path
from typing import Any

__all__ = ["COMPILE_NOTICE", "JitCacheWarning", "configure", "kernel_dispatchers", "numba_config"]

COMPILE_NOTICE = (
    "sc_neurocore: compiling numba kernels on first use, this takes a few seconds "
    "(run `sc-neurocore warmup` once to cache them)..."
)

_KERNELS_PACKAGE = "sc_neurocore._kernels"


class JitCacheWarning(UserWarning):
    """numba cannot write its on-disk cache anywhere it normally would.

    Issued once per process, when the first kernel module is imported, if neither
    ``NUMBA_CACHE_DIR``, nor the kernels' ``__pycache__``, nor the user cache
    directory under ``HOME`` is writable (for example in a read-only container).
    The kernels are then cached in a temporary directory for this process only,
    so every new process compiles them again.  Set ``NUMBA_CACHE_DIR`` to a
    writable directory to keep them between runs.
    """


_configured = False


def numba_config() -> Any:
    """numba's run-time configuration module (its settings are set dynamically: typed ``Any``)."""
    from numba.core import config

    return config


def configure(kernels_dir: str | Path) -> None:
    """Make numba's cache usable and install the compile notice; idempotent.

    Parameters
    ----------
    kernels_dir : path
        Directory of the kernel modules; numba derives every cache location
        from the directory of the decorated function's source file.

    Raises
    ------
    ImportError
        If no cache location can be found and no temporary directory can be
        created either (then no ``cache=True`` kernel could be decorated).
    """
    global _configured
    if _configured or numba_config().DISABLE_JIT:
        return
    _ensure_cache_location(Path(kernels_dir))  # may raise: then a later import tries again
    from numba.core import event

    event.register("numba:compile", _compile_notice())
    _configured = True


def _probe() -> None:
    """Stands in for a kernel when asking numba where it would cache one."""


def _numba_finds_a_cache(kernels_dir: Path) -> bool:
    """Whether numba's own locator search finds a writable cache for a file in ``kernels_dir``."""
    from numba.core.caching import CompileResultCacheImpl

    # numba picks the locator from the directory of the function's source file, so
    # relocate the probe's code object into the kernels' directory.
    code = _probe.__code__.replace(co_filename=str(kernels_dir / "__init__.py"))
    try:
        CompileResultCacheImpl(types.FunctionType(code, {}))
    except RuntimeError:  # "cannot cache function ...: no locator available for file ..."
        return False
    return True


def _ensure_cache_location(kernels_dir: Path) -> None:
    config = numba_config()
    if _numba_finds_a_cache(kernels_dir):
        return
    try:
        cache_dir = tempfile.mkdtemp(prefix="sc_neurocore-numba-cache-")
    except OSError as exc:
        raise ImportError(
            "sc_neurocore: numba cannot cache its kernels: neither NUMBA_CACHE_DIR "
            f"({config.CACHE_DIR or 'unset'}), nor {kernels_dir / '__pycache__'}, nor the user "
            f"cache directory is writable, and no temporary directory can be created ({exc}); "
            "set NUMBA_CACHE_DIR to a writable directory"
        ) from exc
    atexit.register(shutil.rmtree, cache_dir, ignore_errors=True)
    config.CACHE_DIR = cache_dir
    warnings.warn(
        "numba cannot write its cache: NUMBA_CACHE_DIR is unset or not writable, and neither "
        f"{kernels_dir / '__pycache__'} nor the user cache directory under HOME is writable; "
        f"caching the kernels in {cache_dir} for this process only. Set NUMBA_CACHE_DIR to a "
        "writable directory to keep them between runs.",
        JitCacheWarning,
        stacklevel=2,
    )


def _is_kernel(dispatcher: Any) -> bool:
    module = getattr(getattr(dispatcher, "py_func", None), "__module__", None) or ""
    return module.startswith(_KERNELS_PACKAGE + ".")


def _compile_notice() -> Any:
    """A numba event listener printing :data:`COMPILE_NOTICE` on the first compile of a kernel."""
    from numba.core.event import Listener

    class CompileNotice(Listener):  # type: ignore[misc]
        shown = False

        def on_start(self, event: Any) -> None:
            # Cache loads raise no event; only a real compile of one of our kernels counts.
            if self.shown or not _is_kernel((event.data or {}).get("dispatcher")):
                return
            self.shown = True
            if sys.stderr is None:  # e.g. pythonw
                return
            try:
                print(COMPILE_NOTICE, file=sys.stderr, flush=True)
            except (OSError, ValueError):  # stderr closed: a notice must never break a compile
                pass

        def on_end(self, event: Any) -> None:
            pass

    return CompileNotice()


def kernel_dispatchers() -> dict[str, Any]:
    """Every numba kernel of the package, imported, by ``"module.function"`` name.

    Returns
    -------
    dict
        ``{"_bitops.popcount64": <CPUDispatcher>, ...}``; empty under
        ``NUMBA_DISABLE_JIT=1``, where kernels are plain functions.
    """
    import importlib
    import pkgutil

    from numba.core.registry import CPUDispatcher

    package = importlib.import_module(_KERNELS_PACKAGE)
    found: dict[str, Any] = {}
    for info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"{_KERNELS_PACKAGE}.{info.name}")
        for name, obj in vars(module).items():
            if isinstance(obj, CPUDispatcher) and obj.py_func.__module__ == module.__name__:
                found[f"{info.name}.{name}"] = obj
    return found
