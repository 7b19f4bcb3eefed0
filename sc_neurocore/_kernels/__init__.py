"""numba kernels: pure functions on C-contiguous arrays (private).

Nothing here validates input; the public wrappers do that once, then call in.
"""
