"""The flow stays one-way: collectors -> snapshot <- engine -> findings <- report, with the CLI on top.

Checked on the source (AST), so a forbidden import fails here before it becomes a tangle.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from .conftest import ROOT

PACKAGE = ROOT / "mcaudit"
CLI = PACKAGE / "cli"
# package -> mcaudit packages it must never import
FORBIDDEN = {
    "snapshot": ("engine", "collectors", "report", "rotation", "cli", "findings"),
    "engine": ("collectors", "report", "rotation", "triage", "cli", "testing"),
    "collectors": ("engine", "report", "rotation", "triage", "findings", "testing", "cli"),
    "report": ("snapshot", "engine", "collectors", "rotation", "triage", "testing", "cli"),
    "testing": ("collectors", "engine", "report", "rotation", "cli"),
    # a feature built on the engine: it adds its thin layer as plain functions the CLI calls
    "rotation": ("collectors", "report", "testing", "cli"),
    # triage reads findings (an audit's) and the symptom catalog, never the snapshot itself
    "triage": ("snapshot", "engine", "collectors", "report", "rotation", "testing", "cli"),
    # check-payload runs the integration rules on declared calls built from request bodies
    "payloads": ("collectors", "report", "rotation", "triage", "testing", "cli"),
    # importers turn exports (DevTools folders, sf CLI JSON) into snapshots; no engine, no report
    "imports": ("engine", "collectors", "report", "rotation", "triage", "testing", "cli"),
    # the attestation template reads rule results; it writes YAML text, no report
    "attest": ("collectors", "report", "rotation", "triage", "testing", "cli"),
    # the symptom catalog is data the rule loader, triage and the docs read; it depends on none of them
    "symptoms": ("snapshot", "engine", "collectors", "report", "rotation", "triage", "testing", "cli", "findings"),
    # the API catalog is data both the collectors and the emulator read; it depends on neither
    "apicatalog": ("snapshot", "engine", "collectors", "report", "rotation", "testing", "cli"),
}
# the modules outside the CLI that may run it: `python -m mcaudit`, and the docs generator, which
# prints each command's --help into the CLI reference
CLI_ENTRY_POINTS = {PACKAGE / "__main__.py", PACKAGE / "docsgen.py"}


def _tree(file: Path) -> ast.Module:
    return ast.parse(file.read_text(encoding="utf-8"))


def _imports(file: Path) -> set[str]:
    """The mcaudit packages and modules `file` imports (`mcaudit.X...` and `from mcaudit import X`)."""
    names: set[str] = set()
    for node in ast.walk(_tree(file)):
        if isinstance(node, ast.ImportFrom) and node.module == "mcaudit" and node.level == 0:
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("mcaudit."):
            names.add(node.module.split(".")[1])
        elif isinstance(node, ast.Import):
            names.update(alias.name.split(".")[1] for alias in node.names if alias.name.startswith("mcaudit."))
    return names


def _top_level_modules(file: Path) -> set[str]:
    """Every third-party or standard module `file` imports, by its top-level name."""
    names: set[str] = set()
    for node in ast.walk(_tree(file)):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
        elif isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
    return names


def _outside_cli() -> list[Path]:
    return [file for file in sorted(PACKAGE.rglob("*.py")) if CLI not in file.parents]


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_boundaries(package: str) -> None:
    offenders = []
    for file in sorted((PACKAGE / package).rglob("*.py")):
        bad = _imports(file) & set(FORBIDDEN[package])
        if bad:
            offenders.append(f"{file.relative_to(ROOT)} imports mcaudit.{', mcaudit.'.join(sorted(bad))}")
    assert not offenders, "\n".join(offenders)


def test_click_only_in_the_cli() -> None:
    """Argument parsing is the CLI's job: everything else takes typed values, so it runs without click."""
    offenders = [str(file.relative_to(ROOT)) for file in _outside_cli() if "click" in _top_level_modules(file)]
    assert not offenders, "click imported outside mcaudit/cli/:\n" + "\n".join(offenders)


def test_nothing_imports_the_cli() -> None:
    """The CLI sits on top: no package imports it back (only its entry points run it)."""
    offenders = [str(file.relative_to(ROOT)) for file in _outside_cli()
                 if file not in CLI_ENTRY_POINTS and "cli" in _imports(file)]
    assert not offenders, "mcaudit.cli imported from outside it:\n" + "\n".join(offenders)


def test_the_cli_is_one_package() -> None:
    """The commands and what they share live in mcaudit/cli/, not in modules scattered beside it."""
    assert (CLI / "__init__.py").is_file()
    strays = [str(path.relative_to(ROOT)) for path in (PACKAGE / "cli.py", PACKAGE / "cli_shared.py",
                                                       PACKAGE / "collectors" / "command.py",
                                                       PACKAGE / "rotation" / "commands.py") if path.exists()]
    assert not strays, "CLI code outside mcaudit/cli/: " + ", ".join(strays)


def test_the_checks_see_what_they_forbid(tmp_path: Path) -> None:
    """The AST readers find each import form, so a passing boundary test means something."""
    sample = tmp_path / "sample.py"
    sample.write_text("import click\nfrom click import option\nfrom mcaudit import cli\n"
                      "from mcaudit.cli.output import emit\nimport mcaudit.engine.rule\n", encoding="utf-8")
    assert _imports(sample) == {"cli", "engine"}
    assert "click" in _top_level_modules(sample)
