"""The flow stays one-way: collectors -> snapshot <- engine -> findings <- report.

Checked on the source (AST), so a forbidden import fails here before it becomes a tangle.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from .conftest import ROOT

PACKAGE = ROOT / "mcaudit"
# package -> mcaudit packages it must never import
FORBIDDEN = {
    "snapshot": ("engine", "collectors", "report", "rotation", "cli", "cli_shared", "findings"),
    "engine": ("collectors", "report", "rotation", "cli", "cli_shared", "testing"),
    "collectors": ("engine", "report", "rotation", "findings", "testing"),
    "report": ("snapshot", "engine", "collectors", "rotation", "testing"),
    "testing": ("collectors", "engine", "report", "rotation"),
    # the API catalog is data both the collectors and the emulator read; it depends on neither
    "apicatalog": ("snapshot", "engine", "collectors", "report", "rotation", "testing", "cli", "cli_shared"),
}


def _imports(file: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("mcaudit."):
            names.add(node.module.split(".")[1])
        elif isinstance(node, ast.Import):
            names.update(alias.name.split(".")[1] for alias in node.names if alias.name.startswith("mcaudit."))
    return names


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_boundaries(package: str) -> None:
    offenders = []
    for file in sorted((PACKAGE / package).rglob("*.py")):
        bad = _imports(file) & set(FORBIDDEN[package])
        if bad:
            offenders.append(f"{file.relative_to(ROOT)} imports mcaudit.{', mcaudit.'.join(sorted(bad))}")
    assert not offenders, "\n".join(offenders)
