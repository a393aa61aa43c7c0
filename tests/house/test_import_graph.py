"""The import graph of the house: no cycle between modules, and the layers point one way.

``domain ← projections ← service`` (docs/architecture.md): domain imports nothing from
projections or service, projections nothing from service, and the standalone verifier
(``scripts/verify_ledger.py``) nothing from the project at all.

The graph is read statically: every ``.py`` file of the packages is parsed with :mod:`ast`
and every ``import`` / ``from … import`` in it counts — at module level, inside functions
(a deferred import is still a dependency, only a hidden one) and under
``if TYPE_CHECKING:``. Those last never run, so Python would not fail on a cycle through
them; they count all the same, because a reader following the types goes round the same
circle, and a cycle that is "only for the type checker" is one refactoring away from a
real one.

An import names one module: ``from a.b import c`` is an edge to ``a.b.c`` when that is a
module, else to ``a.b`` (``c`` is a name defined there). The packages ``a`` and ``a.b``
that Python initialises on the way are not edges: a package's ``__init__`` re-exporting
its own modules would otherwise be a cycle with each of them. Imports by string
(``importlib.import_module``) cannot be seen here.
"""

from __future__ import annotations

import ast
import itertools
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("domain", "projections", "service")
#: the layers, lowest first: a module may import from its own layer and those before it
LAYERS = ("domain", "projections", "service")
#: run by an outside inspector without installing the project (stdlib + cryptography)
STANDALONE = ("scripts/verify_ledger.py",)
PROJECT = (*PACKAGES, "scripts", "tests")


@dataclass(frozen=True)
class Import:
    """One imported name, where it was written: ``import module`` (``name`` None) or
    ``from module import name``."""

    module: str
    name: str | None
    line: int


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules_of(root: Path, packages: Iterable[str]) -> dict[str, Path]:
    """module name → its file, for every ``.py`` file of ``packages`` under ``root``."""
    found: dict[str, Path] = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            found[module_name(path, root)] = path
    return found


def imports_in(source: str, module: str, *, is_package: bool) -> list[Import]:
    """Every import of ``source`` wherever the statement stands, relative ones resolved
    against ``module``."""
    found: list[Import] = []
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.extend(Import(alias.name, None, node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                parts = parts[: len(parts) - (node.level - 1)]
                base = ".".join([*parts, *([node.module] if node.module else [])])
            else:
                base = node.module or ""
            found.extend(Import(base, alias.name, node.lineno) for alias in node.names)
    return found


def resolve(imported: Import, modules: Mapping[str, Path]) -> str | None:
    """The module of ``modules`` an import names: ``from a import b`` → ``a.b`` when that is
    a module, else ``a``; ``import a.b`` → ``a.b``. None: not one of ``modules``."""
    if imported.name is not None and f"{imported.module}.{imported.name}" in modules:
        return f"{imported.module}.{imported.name}"
    return imported.module if imported.module in modules else None


def _imports_of(root: Path, packages: Iterable[str]) -> Iterator[tuple[str, Import, str | None]]:
    modules = modules_of(root, packages)
    for module, path in modules.items():
        for imported in imports_in(path.read_text(encoding="utf-8"), module, is_package=path.name == "__init__.py"):
            yield module, imported, resolve(imported, modules)


def import_graph(root: Path, packages: Iterable[str]) -> dict[str, dict[str, int]]:
    """module → {module it imports: line of the first such import}, within ``packages``."""
    graph: dict[str, dict[str, int]] = {module: {} for module in modules_of(root, packages)}
    for module, imported, target in _imports_of(root, packages):
        if target is not None and target != module:
            graph[module].setdefault(target, imported.line)
    return graph


def unresolved(root: Path, packages: tuple[str, ...]) -> list[str]:
    """``module (line n) → name`` for every import into ``packages`` that names no module of
    theirs (a renamed module left behind, often in a deferred import no test runs)."""
    return [
        f"{module} (line {imported.line}) → {imported.module}" + (f" import {imported.name}" if imported.name else "")
        for module, imported, target in _imports_of(root, packages)
        if target is None and imported.module.split(".")[0] in packages
    ]


def cycles(graph: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """One cycle (``[a, b, …, a]``) per strongly connected component with more than one
    module (or a module importing itself), found by Tarjan's algorithm, iteratively."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    components: list[list[str]] = []
    counter = 0
    nodes = sorted(set(graph) | {t for targets in graph.values() for t in targets})
    for start in nodes:
        if start in index:
            continue
        work: list[tuple[str, list[str]]] = [(start, sorted(graph.get(start, ())))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, pending = work[-1]
            if pending:
                nxt = pending.pop(0)
                if nxt not in index:
                    index[nxt] = low[nxt] = counter
                    counter += 1
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, sorted(graph.get(nxt, ()))))
                elif nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component: list[str] = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1 or node in graph.get(node, ()):
                    components.append(sorted(component))
    return [_cycle_in(component, graph) for component in sorted(components)]


def _cycle_in(component: list[str], graph: Mapping[str, Iterable[str]]) -> list[str]:
    """A shortest cycle through the first module of a strongly connected ``component``."""
    members = set(component)
    start = component[0]
    paths: dict[str, list[str]] = {start: [start]}
    frontier = [start]
    while frontier:
        following: list[str] = []
        for node in frontier:
            for nxt in sorted(graph.get(node, ())):
                if nxt == start:
                    return [*paths[node], start]
                if nxt in members and nxt not in paths:
                    paths[nxt] = [*paths[node], nxt]
                    following.append(nxt)
        frontier = following
    raise AssertionError(f"not a strongly connected component: {component}")  # pragma: no cover


def describe(cycle: list[str], graph: Mapping[str, Mapping[str, int]]) -> str:
    steps = [f"{a} (line {graph[a][b]}) → {b}" for a, b in itertools.pairwise(cycle)]
    return "  " + "\n  ".join(steps)


def layer_breaches(graph: Mapping[str, Mapping[str, int]], layers: tuple[str, ...]) -> list[str]:
    """``module (line n) → module`` for every import from a lower layer into a higher one."""
    rank = {layer: n for n, layer in enumerate(layers)}
    found: list[str] = []
    for module, edges in sorted(graph.items()):
        own = rank.get(module.split(".")[0])
        for target, line in sorted(edges.items()):
            theirs = rank.get(target.split(".")[0])
            if own is not None and theirs is not None and theirs > own:
                found.append(f"{module} (line {line}) → {target}")
    return found


def project_imports(path: Path, project: tuple[str, ...]) -> list[str]:
    """``module (line n)`` for every import of ``path`` from one of the ``project``'s packages."""
    imported = imports_in(path.read_text(encoding="utf-8"), path.stem, is_package=False)
    return sorted({f"{i.module} (line {i.line})" for i in imported if i.module.split(".")[0] in project})


# ── the finder itself can fail ──────────────────────────────────────────────────


def test_the_cycle_finder_finds_a_cycle_and_names_it() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a", "d"}, "d": set(), "e": {"a"}}
    assert cycles(graph) == [["a", "b", "c", "a"]]
    assert cycles({"a": {"a"}}) == [["a", "a"]]
    assert cycles({"a": {"b"}, "b": {"c"}, "c": set(), "d": {"b", "c"}}) == []
    two = cycles({"x": {"y"}, "y": {"x"}, "p": {"q"}, "q": {"r"}, "r": {"p"}, "z": {"x", "p"}})
    assert two == [["p", "q", "r", "p"], ["x", "y", "x"]]


def _write(root: Path, files: Mapping[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def test_imports_inside_functions_relative_and_for_the_type_checker_all_count(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "low/__init__.py": "",
            "low/a.py": "def f():\n    from ..high import gate\n    return gate\n",
            "high/__init__.py": "from .gate import Gate\n",
            "high/gate.py": (
                "from typing import TYPE_CHECKING\nimport json\nif TYPE_CHECKING:\n    from high.deps import Deps\n"
            ),
            "high/deps.py": "from . import gate\nfrom low.a import f\n",
            "high/old.py": "import json\n\n\ndef later():\n    from high.renamed import thing\n",
            "verify.py": "import hashlib\nfrom cryptography import x509\nfrom low.a import f\n",
        },
    )
    graph = import_graph(tmp_path, ("low", "high"))
    assert graph["low.a"] == {"high.gate": 2}  # relative, inside a function; ``high`` itself is not an edge
    assert graph["high"] == {"high.gate": 1}
    assert graph["high.gate"] == {"high.deps": 4}  # under TYPE_CHECKING; ``json`` is not ours
    assert graph["high.deps"] == {"high.gate": 1, "low.a": 2}  # ``from . import gate`` names the module
    assert cycles(graph) == [["high.deps", "high.gate", "high.deps"]]
    assert layer_breaches(graph, ("low", "high")) == ["low.a (line 2) → high.gate"]
    assert unresolved(tmp_path, ("low", "high")) == ["high.old (line 5) → high.renamed import thing"]
    assert project_imports(tmp_path / "verify.py", ("low", "high")) == ["low.a (line 3)"]


# ── the house ─────────────────────────────────────────────────────────────────


def test_no_module_of_the_project_takes_part_in_an_import_cycle() -> None:
    graph = import_graph(ROOT, PACKAGES)
    assert "service.application" in graph and "domain.envelope" in graph  # the walk saw the house
    found = cycles(graph)
    assert not found, "import cycles (a module reaches itself through its imports):\n" + "\n\n".join(
        describe(cycle, graph) for cycle in found
    )


def test_every_import_of_the_project_names_a_module_that_exists() -> None:
    broken = unresolved(ROOT, PACKAGES)
    assert not broken, "imports of modules that do not exist:\n  " + "\n  ".join(broken)


def test_the_layers_point_one_way() -> None:
    breaches = layer_breaches(import_graph(ROOT, PACKAGES), LAYERS)
    assert not breaches, "imports against the layering domain ← projections ← service:\n  " + "\n  ".join(breaches)


def test_the_standalone_verifier_imports_nothing_from_the_project() -> None:
    for name in STANDALONE:
        ours = project_imports(ROOT / name, PROJECT)
        assert not ours, f"{name} must run without the project installed, but imports {', '.join(ours)}"
