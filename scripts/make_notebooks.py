"""Generate the tutorial notebooks ``tutorials/notebooks/NN_x.ipynb`` from the scripts ``tutorials/NN_x.py``.

The scripts are the source: jupytext "percent" files, whose ``# %%`` and
``# %% [markdown]`` comments mark the cells.  This script turns each into a
notebook, committed without outputs, and changes two things on the way:

* the module docstring becomes the first, markdown, cell (the lesson's title and
  "What you will see");
* a setup cell follows it, so that the notebook finds ``tutorials/_common.py``
  (``figure_dir``, ``save_figure``): Jupyter starts a notebook's kernel in the
  notebook's own folder, ``tutorials/notebooks/``, one level below ``_common.py``.
  The scripts need no such cell, because Python puts a script's own folder on
  ``sys.path``.

Usage::

    python scripts/make_notebooks.py           # (re)write every notebook
    python scripts/make_notebooks.py --check   # exit 1 if a notebook is stale, missing or orphaned

Needs the ``notebooks`` extra (``python -m pip install ".[notebooks]"``).
``tests/test_notebooks.py`` checks that the committed notebooks are in sync.
"""

from __future__ import annotations

import argparse
import ast
import re
import sys
from pathlib import Path

import jupytext
import nbformat

ROOT = Path(__file__).resolve().parent.parent
TUTORIALS = ROOT / "tutorials"
NOTEBOOKS = TUTORIALS / "notebooks"

SETUP_CELL = """\
# Setup, added by scripts/make_notebooks.py (the script needs none): the lesson imports
# figure_dir and save_figure from tutorials/_common.py, one folder above this notebook.
import sys
from pathlib import Path

try:
    import _common  # noqa: F401  (importable already, e.g. with tutorials/ on PYTHONPATH)
except ImportError:  # Jupyter runs the kernel in tutorials/notebooks/
    sys.path.insert(0, str(Path.cwd().parent))"""

KERNELSPEC = {"display_name": "Python 3", "language": "python", "name": "python3"}


def scripts() -> list[Path]:
    """The tutorial scripts, ``tutorials/NN_*.py``, in order."""
    return sorted(TUTORIALS.glob("[0-9][0-9]_*.py"))


def notebook_path(script: Path) -> Path:
    """Where the notebook generated from ``script`` lives."""
    return NOTEBOOKS / (script.stem + ".ipynb")


def docstring_markdown(docstring: str, script: Path) -> str:
    """The module docstring as markdown: a title, reST roles and literals as code spans."""
    title, _, body = docstring.strip().partition("\n")
    body = re.sub(r":\w+:`~?(?:[\w.]+\.)?(\w+)`", r"`\1`", body)  # :class:`~pkg.Name` -> `Name`
    body = body.replace("``", "`")
    source = f"# {title}\n{body}".rstrip()
    return (f"{source}\n\n*This notebook is generated from `tutorials/{script.name}` by "
            "`scripts/make_notebooks.py`; edit the script, not the notebook.*")


def build(script: Path) -> nbformat.NotebookNode:
    """The notebook for ``script``, without outputs (deterministic: same script, same notebook)."""
    text = script.read_text(encoding="utf-8")
    docstring = ast.get_docstring(ast.parse(text), clean=True)
    if not docstring:
        raise ValueError(f"{script}: a tutorial script must start with a docstring")
    parsed = jupytext.reads(text, fmt="py:percent")
    cells = list(parsed.cells)
    first = cells[0]
    if first.cell_type != "code" or ast.get_docstring(ast.parse(first.source)) is None \
            or len(ast.parse(first.source).body) != 1:
        raise ValueError(f"{script}: the docstring must be alone before the first '# %%' cell marker")
    new = nbformat.v4.new_notebook()
    new.metadata = {"kernelspec": dict(KERNELSPEC), "language_info": {"name": "python"}}
    new.cells = [nbformat.v4.new_markdown_cell(docstring_markdown(docstring, script)),
                 nbformat.v4.new_code_cell(SETUP_CELL)]
    for cell in cells[1:]:
        if cell.cell_type == "markdown":
            new.cells.append(nbformat.v4.new_markdown_cell(cell.source))
        else:
            new.cells.append(nbformat.v4.new_code_cell(cell.source))
    for k, cell in enumerate(new.cells):
        cell.id = f"{script.stem[:2]}-{k:02d}"  # stable ids: regenerating changes nothing
    nbformat.validate(new)
    return new


def render(nb: nbformat.NotebookNode) -> str:
    """The notebook as the text written to disk."""
    return nbformat.writes(nb) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 if a notebook differs from its script")
    args = parser.parse_args(argv)
    expected = {notebook_path(s): render(build(s)) for s in scripts()}
    stale = [p for p, text in expected.items()
             if not p.exists() or p.read_text(encoding="utf-8") != text]
    orphans = sorted(set(NOTEBOOKS.glob("*.ipynb")) - set(expected))
    if args.check:
        for p in stale:
            print(f"stale or missing: {p.relative_to(ROOT)}")
        for p in orphans:
            print(f"no script for: {p.relative_to(ROOT)}")
        return 1 if stale or orphans else 0
    NOTEBOOKS.mkdir(exist_ok=True)
    for p in stale:
        p.write_text(expected[p], encoding="utf-8")
        print(f"wrote {p.relative_to(ROOT)}")
    for p in orphans:
        print(f"warning: {p.relative_to(ROOT)} has no script (delete it?)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
