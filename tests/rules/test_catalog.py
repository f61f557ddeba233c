"""Lint the rule catalog itself: ids, required text, and that every rule is tested by cases.

The checks live in catalog_checks.py, as functions of a rules folder and a cases folder, so
test_new_rule.py holds a rule written to a temporary folder to the same bar. The case files are
those run by test_rule_cases.py. Every rule needs a `pass` and a `fail` case,
an `unknown` case (a section it needs absent), and, when it has a `manual:` block, a `manual`
case, an attested pass, an attested fail and a stale attestation (a `manual` expectation whose
message_contains says the attestation "no longer counts").
"""

from __future__ import annotations

from pathlib import Path

import pytest

from mcaudit.engine.rule import FunctionCheck

from .catalog_checks import (
    Catalog,
    check_every_case_file_names_a_rule,
    check_ids_unique_and_match_files,
    check_manual_rule_has_attestation_cases,
    check_rule_documents_itself,
    check_rule_file_validates,
    check_rule_has_pass_fail_and_unknown_cases,
)

# SPEC section 4: the connection checklist, Salesforce and Marketing Cloud sides
CHECKLIST_IDS = (
    [f"SF{n}" for n in (*range(101, 108), *range(110, 118), 120, 121, 122)]
    + [f"MC{n}" for n in range(201, 213)]
)

BUILTIN = Catalog()
RULES = BUILTIN.rules


def test_every_checklist_rule_is_in_the_catalog() -> None:
    missing = [rule_id for rule_id in CHECKLIST_IDS if rule_id not in RULES]
    assert not missing, f"SPEC section 4 rules missing from the catalog: {missing}"


def test_rule_ids_are_unique_and_match_their_file() -> None:
    check_ids_unique_and_match_files(BUILTIN)
    assert sorted(RULES) == sorted(rule.id for rule in BUILTIN.pack.rules)


@pytest.mark.parametrize("file", BUILTIN.rule_files, ids=lambda file: file.stem)
def test_rule_file_passes_the_validation_custom_rules_get(file: Path) -> None:
    check_rule_file_validates(file)


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_rule_documents_itself(rule_id: str) -> None:
    check_rule_documents_itself(RULES[rule_id])


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_rule_has_pass_fail_and_unknown_cases(rule_id: str) -> None:
    check_rule_has_pass_fail_and_unknown_cases(BUILTIN, RULES[rule_id])


@pytest.mark.parametrize("rule_id", sorted(rule_id for rule_id, rule in RULES.items() if rule.manual))
def test_manual_rule_has_attestation_cases(rule_id: str) -> None:
    check_manual_rule_has_attestation_cases(BUILTIN, RULES[rule_id])


def test_every_case_file_names_a_rule() -> None:
    check_every_case_file_names_a_rule(BUILTIN)


def test_mc203_requirements_name_existing_rules() -> None:
    check = RULES["MC203"].check
    assert isinstance(check, FunctionCheck)
    requirements = check.params.get("requirements")
    assert requirements == ["SF111", "SF112", "SF113", "SF114", "SF115", "SF116"]
    assert all(rule_id in RULES for rule_id in requirements)
