"""What every tutorial shares: where figures go, how they are saved, and one plotting style.

Run a tutorial as ``python tutorials/NN_name.py [--out DIR]``: its figures go
to ``DIR``, or to the current directory when ``--out`` is not given.  Without
matplotlib the tutorials print the same numbers and write no figure.  In a
notebook (``tutorials/notebooks/``) the figures also appear below their cell.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.figure import Figure

#: The one style of every tutorial figure (applied by :func:`figure_dir`).
STYLE = {
    "figure.dpi": 100,
    "savefig.dpi": 110,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": "medium",
    "legend.fontsize": "small",
    "lines.markersize": 5,
}


def figure_dir(argv: list[str] | None = None) -> Path | None:
    """Directory for figures (``--out DIR``, default the current directory), or None without matplotlib.

    Also applies :data:`STYLE` to matplotlib, so every figure looks the same.
    """
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--out", type=Path, default=Path.cwd())
    args, _ = parser.parse_known_args(sys.argv[1:] if argv is None else argv)
    try:
        import matplotlib
    except ImportError:
        return None
    import matplotlib.style

    matplotlib.style.use(STYLE)
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    return out


def save_figure(fig: Figure, path: Path) -> None:
    """Write ``fig`` to ``path``; inside a Jupyter kernel also show it below the cell.

    The tutorials draw on :class:`matplotlib.figure.Figure` objects (or close their
    pyplot figures), which a notebook would not display by itself; showing the saved
    file displays exactly what a script run writes.
    """
    fig.savefig(path)
    ipython = sys.modules.get("IPython")  # imported only when running under IPython/Jupyter
    if ipython is not None and ipython.get_ipython() is not None:
        from IPython.display import Image, display

        display(Image(filename=str(path)))
