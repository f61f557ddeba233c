"""Lint the rule catalog itself: ids, required text, and that every rule is tested by cases.

The case files are those run by test_rule_cases.py. Every rule needs a `pass` and a `fail` case,
an `unknown` case (a section it needs absent), and, when it has a `manual:` block, a `manual`
case, an attested pass, an attested fail and a stale attestation (a `manual` expectation whose
message_contains says the attestation "no longer counts").
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from mcaudit.engine import load_rules
from mcaudit.engine.loader import load_rule_file
from mcaudit.engine.rule import FunctionCheck
from mcaudit.resources import rules_dir
from mcaudit.yamlio import load_yaml

from .test_rule_cases import CASES_DIR, read_case_file

# SPEC section 4: the connection checklist, Salesforce and Marketing Cloud sides
CHECKLIST_IDS = (
    [f"SF{n}" for n in (*range(101, 108), *range(110, 118), 120, 121, 122)]
    + [f"MC{n}" for n in range(201, 213)]
)

PACK = load_rules()
RULES = {rule.id: rule for rule in PACK.rules}
RULE_FILES = sorted(rules_dir().rglob("*.yaml"))


def _case_file(rule_id: str) -> dict[str, Any]:
    file = CASES_DIR / f"{rule_id}.yaml"
    assert file.is_file(), f"rule {rule_id} has no test cases: add tests/rules/cases/{rule_id}.yaml"
    return read_case_file(file)


def _expectations(rule_id: str) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(case, expected result) pairs of a rule's case file."""
    return [(case, item) for case in _case_file(rule_id)["cases"] for item in case["expect"]]


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def test_every_checklist_rule_is_in_the_catalog() -> None:
    missing = [rule_id for rule_id in CHECKLIST_IDS if rule_id not in RULES]
    assert not missing, f"SPEC section 4 rules missing from the catalog: {missing}"


def test_rule_ids_are_unique_and_match_their_file() -> None:
    seen: dict[str, Path] = {}
    for file in RULE_FILES:
        data = load_yaml(file.read_text(encoding="utf-8"))
        rule_id = data.get("id")
        assert rule_id == file.stem, f"{file}: id {rule_id!r} differs from the file name"
        assert rule_id not in seen, f"{rule_id} is defined in {seen.get(rule_id)} and {file}"
        seen[rule_id] = file
    assert sorted(seen) == sorted(RULES)


@pytest.mark.parametrize("file", RULE_FILES, ids=lambda file: file.stem)
def test_rule_file_passes_the_validation_custom_rules_get(file: Path) -> None:
    """The shipped rules meet the same bar as a user's: every attribute, operator, value, pattern,
    function and param they name fits (engine/loader.py), so none is let through on trust."""
    assert load_rule_file(file).id == file.stem


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_rule_documents_itself(rule_id: str) -> None:
    rule = RULES[rule_id]
    for name in ("name", "title", "rationale", "remediation"):
        assert str(getattr(rule, name)).strip(), f"{rule_id}: {name} is empty"
    assert rule.source.document.strip() and rule.source.title.strip(), f"{rule_id}: source is incomplete"
    assert rule.needs, f"{rule_id}: needs is empty"
    if rule.manual is not None:
        assert rule.manual.fact.strip() and rule.manual.instructions.strip(), f"{rule_id}: manual block incomplete"


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_rule_has_pass_fail_and_unknown_cases(rule_id: str) -> None:
    statuses = {item["status"] for _, item in _expectations(rule_id)}
    wanted = {"pass", "fail"} | ({"unknown"} if RULES[rule_id].needs else set())
    assert wanted <= statuses, f"{rule_id}: no case expects {sorted(wanted - statuses)}"


@pytest.mark.parametrize("rule_id", sorted(rule_id for rule_id, rule in RULES.items() if rule.manual))
def test_manual_rule_has_attestation_cases(rule_id: str) -> None:
    pairs = _expectations(rule_id)
    kinds = {
        "manual (no attestation)": any(
            item["status"] == "manual" and not any("no longer counts" in text
                                                   for text in _as_list(item.get("message_contains")))
            for _, item in pairs),
        "attested pass": any(item["status"] == "pass" and "attested_by" in item for _, item in pairs),
        "attested fail": any(item["status"] == "fail" and "attested_by" in item for _, item in pairs),
        "stale attestation": any(
            item["status"] == "manual" and any("no longer counts" in text
                                               for text in _as_list(item.get("message_contains")))
            for _, item in pairs),
    }
    missing = [kind for kind, present in kinds.items() if not present]
    assert not missing, f"{rule_id}: no case for {missing}"


def test_every_case_file_names_a_rule() -> None:
    orphans = [file.name for file in CASES_DIR.glob("*.yaml") if file.stem not in RULES]
    assert not orphans, f"case files for rules that do not exist: {orphans}"


def test_mc203_requirements_name_existing_rules() -> None:
    check = RULES["MC203"].check
    assert isinstance(check, FunctionCheck)
    requirements = check.params.get("requirements")
    assert requirements == ["SF111", "SF112", "SF113", "SF114", "SF115", "SF116"]
    assert all(rule_id in RULES for rule_id in requirements)
