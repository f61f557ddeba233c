"""The engine's modules import one another without a cycle, and only at the top of the file.

A bottom-of-file or in-function import is how a cycle is usually dodged; with the shared types
in engine/base.py (a leaf) none is needed. The graph is read from the source (ast), so a cycle
that happens to import fine today, because of the order modules load in, still fails here.
"""

from __future__ import annotations

import ast
from pathlib import Path

ENGINE = Path(__file__).resolve().parents[2] / "mcaudit" / "engine"
PACKAGE = "mcaudit.engine"


def module_name(file: Path) -> str:
    parts = file.relative_to(ENGINE.parent.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(file): file for file in sorted(ENGINE.rglob("*.py"))}


def _targets(node: ast.Import | ast.ImportFrom) -> set[str]:
    """The engine modules an import statement names (`from mcaudit.engine import x` names x)."""
    if isinstance(node, ast.Import):
        return {alias.name for alias in node.names if alias.name in MODULES}
    base = node.module or ""
    named = {f"{base}.{alias.name}" for alias in node.names if f"{base}.{alias.name}" in MODULES}
    return named or ({base} if base in MODULES and base != PACKAGE else set())


def _leading_imports(tree: ast.Module) -> set[int]:
    """ids of the import statements in the module's opening block (after the docstring)."""
    allowed = set()
    for position, statement in enumerate(tree.body):
        if isinstance(statement, (ast.Import, ast.ImportFrom)):
            allowed.add(id(statement))
        elif not (position == 0 and isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant)):
            break
    return allowed


def import_graph() -> tuple[dict[str, set[str]], list[str]]:
    """module -> the engine modules it imports, and every import outside the opening block."""
    graph: dict[str, set[str]] = {}
    misplaced: list[str] = []
    for name, file in MODULES.items():
        tree = ast.parse(file.read_text(encoding="utf-8"))
        allowed = _leading_imports(tree)
        graph[name] = set()
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                if id(node) not in allowed:
                    misplaced.append(f"{file.relative_to(ENGINE.parent.parent)}:{node.lineno}")
                graph[name] |= _targets(node) - {name}
    return graph, misplaced


def find_cycle(graph: dict[str, set[str]]) -> list[str]:
    """One cycle as a path of modules (first == last), or [] when the graph has none."""
    state: dict[str, str] = {}
    path: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = "open"
        path.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == "open":
                return [*path[path.index(target):], target]
            if target not in state and (found := visit(target)):
                return found
        path.pop()
        state[node] = "done"
        return []

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return []


def test_engine_imports_have_no_cycle() -> None:
    graph, _ = import_graph()
    assert find_cycle(graph) == [], " -> ".join(find_cycle(graph))


def test_engine_imports_only_at_the_top_of_a_module() -> None:
    _, misplaced = import_graph()
    assert misplaced == [], f"imports below the opening block or inside a function: {misplaced}"


def test_base_is_a_leaf() -> None:
    graph, _ = import_graph()
    assert graph["mcaudit.engine.base"] == set()


def test_the_checks_find_a_cycle_and_a_late_import() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) == []
    late = ast.parse('"""doc."""\nimport os\nX = 1\nimport sys\ndef f():\n    import re\n')
    allowed = _leading_imports(late)
    found = [node.lineno for node in ast.walk(late) if isinstance(node, ast.Import) and id(node) not in allowed]
    assert sorted(found) == [4, 6]
