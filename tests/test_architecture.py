"""The import graph against the layer order the README writes down.

Every `gateway` import counts: at module level, inside functions and under
`TYPE_CHECKING`. A module may import its own layer or lower ones, never a
higher one, and no set of modules imports itself round (no cycles).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "gateway"


def layers() -> list[list[str]]:
    """The README's layer block, bottom layer first: the fenced block after
    the line `Layers, highest first`, one layer per line as `name: modules`."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    found = re.search(r"Layers, highest first.*?```\n(.*?)```", text, re.S)
    assert found, "README.md: no layer block under 'Layers, highest first'"
    rows = [line.partition(":")[2].split() for line in found.group(1).splitlines()
            if line.strip()]
    return rows[::-1]


def modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def imports(name: str, path: Path, known: dict[str, Path]) -> Iterator[str]:
    """The gateway modules `name` imports, resolved to modules that exist."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[:len(package.split(".")) - node.level + 1]
                                + ([base] if base else []))
            targets = [f"{base}.{alias.name}" for alias in node.names] + [base]
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target.startswith("gateway") and target != name:
                yield target


def graph() -> dict[str, set[str]]:
    known = modules()
    return {name: set(imports(name, path, known)) for name, path in known.items()}


def layer_of(module: str, table: list[list[str]]) -> int:
    """The layer of the longest prefix that names the module or a package
    holding it."""
    best, where = -1, -1
    for index, names in enumerate(table):
        for prefix in names:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > best:
                best, where = len(prefix), index
    return where


def test_every_module_has_a_layer() -> None:
    table = layers()
    assert [m for m in modules() if layer_of(m, table) < 0] == []


def test_no_import_goes_up_a_layer() -> None:
    table = layers()
    upward = sorted(f"{source} -> {target}" for source, targets in graph().items()
                    for target in targets if layer_of(target, table) > layer_of(source, table))
    assert upward == []


def test_no_import_cycles() -> None:
    edges = graph()
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(node: str) -> None:  # Tarjan's strongly connected components
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in edges.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    assert cycles == []


@pytest.mark.parametrize(("source", "target", "expect"), [
    ("gateway.codecs.base", "gateway.http.canonical", True),
    ("gateway.http.canonical", "gateway.proxy.handler", False),
])
def test_the_layer_table_orders_known_pairs(source: str, target: str, expect: bool) -> None:
    """The table is read the right way up (a reversed table would pass the
    other tests only if the graph were empty)."""
    table = layers()
    assert (layer_of(target, table) <= layer_of(source, table)) is expect
