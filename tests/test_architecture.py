"""The layout holds: no import circle, `models` never imports `optimizer`, highspy only
behind the solver boundary, and the application's packages depend on each other in one
direction only.

The graph counts every import, at module level, inside functions and under
``TYPE_CHECKING`` alike: a circle held open by a function-level import is still a
circle. Importing ``a.b.c`` also runs ``a/__init__`` and ``a/b/__init__``, so those
count as imported too.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

from tests.conftest import ROOT

SOLVER_BOUNDARY = "optimizer.solving.highs"
# The application's layers, lowest first: a package may import only from lower layers
# (and from itself). `errors` and `xlsx` are the two modules every layer may use.
LAYERS = [
    {"optimizer.errors", "optimizer.xlsx"},
    {"optimizer.workbook", "optimizer.solving"},
    {"optimizer.runs"},
    {"optimizer.planning"},
    {"optimizer.reports"},
    {"optimizer.cli"},
]


def modules() -> dict[str, Path]:
    out = {}
    for top in ("models", "optimizer"):
        for path in sorted((ROOT / top).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            out[".".join(parts)] = path
    return out


def imports(path: Path, name: str, known: dict[str, Path]) -> set[str]:
    """Every module of ours that importing ``name`` may import, directly."""
    is_package = path.name == "__init__.py"
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = name.split(".")[: len(name.split(".")) - node.level + is_package]
                base = ".".join(anchor + ([base] if base else []))
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base
                       for a in node.names]
        for target in targets:
            parts = target.split(".")
            out.update(".".join(parts[:i]) for i in range(1, len(parts) + 1))
    return out


def graph() -> dict[str, set[str]]:
    known = modules()
    return {name: {t for t in imports(path, name, known) if t in known and t != name}
            for name, path in known.items()}


def third_party(path: Path) -> set[str]:
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            out.add(node.module.split(".")[0])
    return out


def circles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


def package_of(module: str) -> str:
    parts = module.split(".")
    return ".".join(parts[:2]) if parts[0] == "optimizer" and len(parts) > 1 else parts[0]


def test_no_import_circle() -> None:
    assert circles(graph()) == []


def test_the_circle_finder_finds_circles() -> None:
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert circles({"a": {"b"}, "b": set()}) == []


def test_models_never_imports_optimizer() -> None:
    wrong = {m: sorted(t for t in deps if t.startswith("optimizer"))
             for m, deps in graph().items() if m.startswith("models")}
    assert {m: d for m, d in wrong.items() if d} == {}


def test_highspy_only_behind_the_solver_boundary() -> None:
    users = sorted(name for name, path in modules().items() if "highspy" in third_party(path))
    assert users == [SOLVER_BOUNDARY]


def test_packages_depend_downwards_only() -> None:
    layer = {pkg: i for i, group in enumerate(LAYERS) for pkg in group}
    known = modules()
    packages = {package_of(m) for m in known if m.startswith("optimizer.")}
    assert packages - set(layer) == set(), "a new package: give it a layer in LAYERS"
    upward = defaultdict(set)
    for module, deps in graph().items():
        if not module.startswith("optimizer."):
            continue
        for dep in deps:
            if dep.startswith("optimizer.") and package_of(dep) != package_of(module) \
                    and layer[package_of(dep)] >= layer[package_of(module)] \
                    and package_of(dep) not in LAYERS[0]:
                upward[module].add(dep)
    assert dict(upward) == {}


def test_every_package_says_what_it_holds() -> None:
    for name, path in modules().items():
        if path.name == "__init__.py":
            doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
            assert doc and len(doc) > 60, f"{name} has no opening docstring"
