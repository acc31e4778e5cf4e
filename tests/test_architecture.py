"""The layering contract: which package may import which, no circles, no private names.

Read from the source with :mod:`ast`, so a violation fails here whether or not the
offending line runs. The table is the one ``ARCHITECTURE.md`` draws:

core (errors, namespaces, iri, resources, atomic, bindings)
  < store < ingest < validation, reasoning, query, network (side by side)
  < publishing < build, generate < cli

Imports inside functions count as much as those at the top of a file: a lazy import
hides a dependency from a reader, not from the layering.
"""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx
import pytest

PKG = Path(__file__).resolve().parents[1] / "clustergraph"

CORE = {"errors", "namespaces", "iri", "resources", "atomic", "bindings", "spreadsheet", "display", "progress", "identifiers", "listener", "incidence"}

#: What each part may import besides itself (``core`` is every core module).
ALLOWED: dict[str, set[str]] = {
    "core": {"core"},
    "store": {"core"},
    "ingest": {"core", "store"},
    "validation": {"core", "store"},
    "reasoning": {"core", "store"},
    "query": {"core", "store", "ingest"},
    # matching names against the graph: reads it through store, names through ingest.normalise
    "reconciliation": {"core", "store", "ingest"},
    "network": {"core", "store"},
    "publishing": {"core", "store"},
    "build": {"core", "store", "ingest", "validation", "reasoning", "network"},
    "generate": {"core"},
    # the %sparql magic for Jupyter: runs queries on the data query opens
    "magic": {"core", "store", "ingest", "query"},
    "cli": {"core", "store", "ingest", "validation", "reasoning", "query", "network", "publishing", "build", "generate", "magic", "reconciliation"},
    # the package's own __init__ re-exports the public names of every stage
    "top": {"core", "store", "ingest", "validation", "reasoning", "query", "network", "publishing", "build", "generate", "magic", "reconciliation"},
}

STAGES = {"store", "ingest", "validation", "reasoning", "query", "network", "publishing", "reconciliation"}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PKG.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {_module_name(p): p for p in sorted(PKG.rglob("*.py"))}


def part_of(module: str) -> str:
    """The layer a ``clustergraph`` module belongs to (``core``, a stage, ``build``...)."""
    parts = module.split(".")
    if len(parts) == 1:
        return "top"
    if parts[1] in CORE:
        return "core"
    return parts[1]


def _resolve(module: str, is_package: bool, node: ast.ImportFrom) -> str | None:
    if node.level == 0:
        return node.module
    base = module.split(".")
    if not is_package:
        base = base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _imports(module: str) -> list[tuple[str, str, int]]:
    """(imported module, imported name or '', line) for every clustergraph import in ``module``."""
    path = MODULES[module]
    out = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            out += [(a.name, "", node.lineno) for a in node.names if a.name.startswith("clustergraph")]
        elif isinstance(node, ast.ImportFrom):
            target = _resolve(module, path.name == "__init__.py", node)
            if target and (target == "clustergraph" or target.startswith("clustergraph.")):
                for alias in node.names:
                    full = f"{target}.{alias.name}"
                    if full in MODULES:  # ``from . import rules``: the module itself
                        out.append((full, "", node.lineno))
                    else:
                        out.append((target, alias.name, node.lineno))
    return out


def import_graph() -> nx.DiGraph:
    """Modules as nodes, an edge for each import of one module by another.

    >>> "clustergraph.store.dataset" in import_graph()
    True
    """
    graph = nx.DiGraph()
    graph.add_nodes_from(MODULES)
    for module in MODULES:
        for target, _name, _line in _imports(module):
            if target in MODULES and target != module:
                graph.add_edge(module, target)
    return graph


@pytest.mark.parametrize("module", sorted(MODULES))
def test_each_module_imports_only_lower_layers(module: str) -> None:
    part = part_of(module)
    bad = []
    for target, _name, line in _imports(module):
        other = part_of(target)
        if other == "top" and target == "clustergraph" and part != "top":
            bad.append(f"line {line}: imports the package root, which imports every stage")
        elif other not in ALLOWED[part] | {part, "top"}:
            bad.append(f"line {line}: {part} may not import {target} ({other})")
    assert not bad, f"{MODULES[module].relative_to(PKG.parent)}: " + "; ".join(bad)


def test_no_stage_imports_the_command_line() -> None:
    users = [m for m in MODULES if any(t == "clustergraph.cli" for t, _n, _l in _imports(m))]
    assert users == []


def test_no_import_circle() -> None:
    graph = import_graph()
    # a package __init__ re-exports its modules, so its own edges down are not circles
    for module in MODULES:
        if MODULES[module].name == "__init__.py":
            graph.remove_edges_from([(module, t) for t in list(graph.successors(module)) if t.startswith(module + ".")])
    cycles = list(nx.simple_cycles(graph))
    assert cycles == [], "import circles: " + "; ".join(" -> ".join(c + [c[0]]) for c in cycles[:5])


def test_no_private_name_crosses_a_module() -> None:
    """What two modules share lives, public, in the lower one."""
    found = []
    for module, path in MODULES.items():
        aliases = {}
        tree = ast.parse(path.read_text(), str(path))
        for target, name, line in _imports(module):
            if name.startswith("_") and not name.startswith("__"):
                found.append(f"{module}:{line} imports {target}.{name}")
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                target = _resolve(module, path.name == "__init__.py", node)
                for alias in node.names:
                    if f"{target}.{alias.name}" in MODULES:
                        aliases[alias.asname or alias.name] = f"{target}.{alias.name}"
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id in aliases
                and node.attr.startswith("_")
                and not node.attr.startswith("__")
            ):
                found.append(f"{module}:{node.lineno} reads {aliases[node.value.id]}.{node.attr}")
    assert found == []


def test_every_stage_is_a_package_with_a_docstring_naming_its_imports() -> None:
    for stage in sorted(STAGES):
        init = PKG / stage / "__init__.py"
        doc = ast.get_docstring(ast.parse(init.read_text()))
        assert doc and "Imports from:" in doc, f"{init}: the docstring should say what the stage may import"


def test_the_contract_catches_an_upward_import(tmp_path) -> None:
    """The checker itself: a store module that imports the network stage is refused."""
    assert part_of("clustergraph.store.dataset") == "store"
    assert "network" not in ALLOWED["store"]
    fake = ast.parse("from ..network import graphs\n")
    node = fake.body[0]
    assert isinstance(node, ast.ImportFrom)
    assert _resolve("clustergraph.store.dataset", False, node) == "clustergraph.network"
