"""Generate the tutorial notebooks ``tutorials/notebooks/NN_x.ipynb`` from the scripts ``tutorials/NN_x.py``.

The scripts are the source: jupytext "percent" files, whose ``# %%`` and
``# %% [markdown]`` comments mark the cells.  This script turns each into a
notebook, committed without outputs, and changes two things on the way:

* the module docstring, if the script starts with one, becomes the first, markdown, cell
  (the lesson's title and "What you will see");
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

_GENERATED = ("*This notebook is generated from `tutorials/{}` by `scripts/make_notebooks.py`; "
              "edit the script, not the notebook.*")

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
    return f"{source}\n\n{_GENERATED.format(script.name)}"


def build(script: Path) -> nbformat.NotebookNode:
    """The notebook for ``script``, without outputs (deterministic: same script, same notebook).

    A script starts either with a module docstring (which becomes the title cell) or with a
    ``# %% [markdown]`` cell.  A script without cell markers becomes one code cell after its
    docstring.  ``from __future__`` imports move to the top of the setup cell, the first code
    cell (where Python requires them; IPython keeps them for the later cells).
    """
    parsed = jupytext.reads(script.read_text(encoding="utf-8"), fmt="py:percent")
    cells = list(parsed.cells)
    head, rest = cells[0], cells[1:]
    if head.cell_type == "markdown":
        title = nbformat.v4.new_markdown_cell(head.source + "\n\n" + _GENERATED.format(script.name))
    else:
        module = ast.parse(head.source)
        docstring = ast.get_docstring(module, clean=True)
        if not docstring:
            raise ValueError(f"{script}: a tutorial starts with a docstring or a '# %% [markdown]' cell")
        title = nbformat.v4.new_markdown_cell(docstring_markdown(docstring, script))
        end = module.body[0].end_lineno or 0
        remainder = "\n".join(head.source.splitlines()[end:]).strip("\n")
        if remainder:  # no cell markers: the whole script is one code cell
            rest.insert(0, nbformat.v4.new_code_cell(remainder))
    future: list[str] = []
    body = []
    for cell in rest:
        if cell.cell_type == "markdown":
            body.append(nbformat.v4.new_markdown_cell(cell.source))
            continue
        lines = cell.source.splitlines()
        future += [ln for ln in lines if ln.startswith("from __future__ import")]
        source = "\n".join(ln for ln in lines if not ln.startswith("from __future__ import")).strip("\n")
        body.append(nbformat.v4.new_code_cell(source))
    prefix = "".join(f"{ln}\n" for ln in sorted(set(future)))
    setup = f"{prefix}\n{SETUP_CELL}" if prefix else SETUP_CELL
    new = nbformat.v4.new_notebook()
    new.metadata = {"kernelspec": dict(KERNELSPEC), "language_info": {"name": "python"}}
    new.cells = [title, nbformat.v4.new_code_cell(setup), *body]
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
