"""The documentation site builds strictly, and its generated reference pages name everything."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mcaudit import docsgen
from mcaudit.engine import load_rules
from mcaudit.engine.attributes import OFFERS
from mcaudit.engine.operators import OPERATIONS
from mcaudit.snapshot.model import snapshot_json_schema

from .conftest import ROOT

README = ROOT / "README.md"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("mkdocs")
    pytest.importorskip("material")
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    out = tmp_path_factory.mktemp("site")
    config = load_config(str(ROOT / "mkdocs.yml"), site_dir=str(out), strict=True)
    build(config)  # strict: any warning (a broken link, a page outside the nav) aborts the build
    return out


def test_the_site_builds_strictly_with_every_reference_page(site: Path) -> None:
    for name in docsgen.PAGES:
        assert (site / name.removesuffix(".md") / "index.html").is_file(), name
    for page in ("index.html", "security/index.html", "performance/index.html", "guides/rotation/index.html"):
        assert (site / page).is_file(), page


def test_the_built_rules_page_names_every_rule(site: Path) -> None:
    html = (site / "reference/rules/index.html").read_text(encoding="utf-8")
    for rule in load_rules().rules:
        assert f'id="{rule.id.lower()}"' in html, rule.id


def test_the_built_subjects_page_names_every_subject_and_operator(site: Path) -> None:
    html = (site / "reference/subjects/index.html").read_text(encoding="utf-8")
    for name in (*OFFERS, *OPERATIONS):
        assert f"<code>{name}</code>" in html, name


def test_the_rules_page_has_every_rule_with_its_facts() -> None:
    text = docsgen.rules_md()
    for rule in load_rules().rules:
        section = text.split(f"### {rule.id}\n", 1)[1].split("\n### ", 1)[0]
        assert rule.title in section
        assert f"`{rule.severity.value}`" in section
        for value in (*rule.modes, *rule.needs):
            assert f"`{value}`" in section, (rule.id, value)
        assert " ".join(rule.rationale.split()) in section
        assert " ".join(rule.remediation.split()) in section
        if rule.setup_path:
            assert rule.setup_path in section
        if rule.source.url:
            assert rule.source.url in section


def test_the_schema_page_has_every_definition_and_field() -> None:
    text = docsgen.snapshot_schema_md()
    schema = snapshot_json_schema()
    for name, definition in schema["$defs"].items():
        section = text.split(f"\n## {name}\n", 1)[1].split("\n## ", 1)[0]
        for field in definition.get("properties", {}):
            assert f"| `{field}` |" in section, (name, field)
    for field in schema["properties"]:
        assert f"| `{field}` |" in text, field


def test_the_cli_page_has_every_command() -> None:
    text = docsgen.cli_md()
    commands = docsgen.cli_commands()
    assert {"audit", "collect", "preflight", "verify", "rules", "schema"} <= set(commands)
    for command in commands:
        assert f"## mcaudit {command}\n" in text
        assert f"Usage: mcaudit {command}" in text, command


def test_the_readme_is_short_and_links_only_to_pages_that_exist() -> None:
    text = README.read_text(encoding="utf-8")
    assert len(text.encode("utf-8")) < 10_240
    for target in re.findall(r"\]\((docs/[^)#]+)", text):
        assert (ROOT / target).is_file(), target
