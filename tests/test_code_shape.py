"""The shape the developers' guide asks of the code, checked on every run: no function over 60 lines, and
imports between the package's layers flow one way (pages -> components -> state -> domain -> db)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "soulroute"
SOURCES = sorted(PACKAGE.rglob("*.py"))
# Lower layers never import higher ones (live and auth sit beside state; notify beside domain).
LAYERS = ["db", "domain", "notify", "auth", "live", "state", "components", "pages"]


def test_no_function_is_longer_than_60_lines() -> None:
    long = [
        f"{path.relative_to(PACKAGE)}:{node.lineno} {node.name} ({node.end_lineno - node.lineno + 1} lines)"
        for path in SOURCES
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.end_lineno - node.lineno + 1 > 60
    ]
    assert long == []


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("soulroute."):
            found.add(node.module.split(".")[1])
        elif isinstance(node, ast.Import):
            found |= {a.name.split(".")[1] for a in node.names if a.name.startswith("soulroute.")}
    return found


@pytest.mark.parametrize("layer", LAYERS)
def test_a_layer_imports_nothing_above_it(layer: str) -> None:
    above = set(LAYERS[LAYERS.index(layer) + 1 :])
    wrong = {
        f"{path.relative_to(PACKAGE)} imports soulroute.{name}"
        for path in sorted((PACKAGE / layer).rglob("*.py"))
        for name in _imports(path) & above
    }
    assert wrong == set()
