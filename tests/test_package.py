"""The public surface: explicit __all__, lazy imports, cheap import."""

from __future__ import annotations

import subprocess
import sys

import pytest

import sc_neurocore


def test_all_names_resolve() -> None:
    for name in sc_neurocore.__all__:
        assert getattr(sc_neurocore, name) is not None, name


def test_unknown_attribute_raises() -> None:
    with pytest.raises(AttributeError, match="has no attribute 'does_not_exist'"):
        sc_neurocore.does_not_exist  # noqa: B018


def test_import_is_lazy() -> None:
    # Importing the package must not pull in scipy, matplotlib or the network simulator.
    code = (
        "import sys, sc_neurocore; "
        "print(','.join(m for m in ('scipy', 'matplotlib', 'sc_neurocore.network', 'tqdm') "
        "if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_all_matches_lazy_table() -> None:
    assert set(sc_neurocore.__all__) == set(sc_neurocore._EXPORTS) | set(sc_neurocore._SUBPACKAGES) | {
        "__version__"
    }
