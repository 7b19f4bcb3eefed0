"""numba kernels: pure functions on C-contiguous arrays (private).

Nothing here validates input; the public wrappers do that once, then call in.
Importing this package (which every kernel import does first) sets numba up
once: a usable cache directory and the first-compile notice, see
:mod:`sc_neurocore._jit`.
"""

from pathlib import Path

from sc_neurocore._jit import configure

configure(Path(__file__).parent)
