"""The public API: ``hotspots.__all__`` names what the dashboard and the command line use.

Every name is importable from ``hotspots``, is the object its module defines, is
documented (its own docstring and a line in the package docstring), and ``import
hotspots`` loads none of them until one is used.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import subprocess
import sys
from pathlib import Path

import pytest

import hotspots

INIT = Path(hotspots.__file__)


def _type_checking_imports() -> dict[str, str]:
    """Name -> module of the imports under ``if TYPE_CHECKING:`` in ``hotspots/__init__.py``."""
    tree = ast.parse(INIT.read_text(encoding="utf-8"))
    block = next(
        node
        for node in tree.body
        if isinstance(node, ast.If)
        and isinstance(node.test, ast.Name)
        and node.test.id == "TYPE_CHECKING"
    )
    return {
        alias.name: node.module
        for node in block.body
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }


def test_all_has_no_duplicates_and_matches_the_static_imports():
    assert len(hotspots.__all__) == len(set(hotspots.__all__))
    assert set(_type_checking_imports()) == set(hotspots.__all__)


@pytest.mark.parametrize("name", hotspots.__all__)
def test_every_public_name_is_importable_and_is_its_modules_object(name):
    module = _type_checking_imports()[name]
    namespace: dict[str, object] = {}
    exec(f"from hotspots import {name}", namespace)
    assert namespace[name] is getattr(importlib.import_module(module), name)
    assert getattr(hotspots, name) is namespace[name]
    assert name in dir(hotspots)


@pytest.mark.parametrize("name", hotspots.__all__)
def test_every_public_name_is_documented(name):
    obj = getattr(hotspots, name)
    # A line "<name>  <what it is>" in the package docstring's API table.
    lines = [line.split(maxsplit=1) for line in hotspots.__doc__.splitlines()]
    entry = next((words for words in lines if words and words[0] == name), None)
    assert entry is not None and len(entry) == 2, f"{name} is not in the hotspots docstring"
    if inspect.isclass(obj) or inspect.isfunction(obj):
        doc = obj.__doc__ or ""
        if inspect.isclass(obj):
            assert "__doc__" in vars(obj), f"{name} inherits its docstring"
        # A dataclass without a docstring gets its signature ("Store(root, ...)") as one.
        assert doc.strip() and not doc.startswith(f"{name}("), f"{name} has no docstring"
        assert obj.__module__.startswith("hotspots."), obj.__module__


def test_an_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="module 'hotspots' has no attribute 'no_such_name'"):
        hotspots.no_such_name  # noqa: B018
    with pytest.raises(ImportError, match="no_such_name"):
        exec("from hotspots import no_such_name", {})


def test_import_hotspots_loads_no_public_module_until_a_name_is_used():
    code = (
        "import sys, hotspots\n"
        "heavy = ('pandas', 'geopandas', 'numpy', 'esda', 'statsmodels', 'hotspots.')\n"
        "print(sorted(m for m in sys.modules if m.startswith(heavy)))\n"
        "hotspots.InputError\n"
        "print('hotspots.errors' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=INIT.parent.parent,
    ).stdout.splitlines()
    assert out == ["[]", "True"]
