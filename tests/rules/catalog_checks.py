"""The catalog's lint, as functions of a rules folder and a cases folder.

test_catalog.py runs them on the built-in rules/ and tests/rules/cases/; test_new_rule.py runs the
same functions on a rule written to a temporary folder, so the bar a new rule must meet is the one
the shipped rules meet, with no list of ids to extend anywhere. Each check raises AssertionError
with a message that says what to add.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from mcaudit.engine import RulePack, load_rules
from mcaudit.engine.loader import load_rule_file
from mcaudit.engine.rule import RuleSpec
from mcaudit.resources import rules_dir
from mcaudit.yamlio import load_yaml

from .test_rule_cases import CASES_DIR, read_case_file


@dataclass(frozen=True)
class Catalog:
    """Rule files in `rules_folder`, tested by the case files in `cases_folder`.

    An extra folder is loaded on top of the built-in rules, as `--rules-dir` does, so an id that
    clashes with a shipped rule fails here as it would for a user.
    """

    rules_folder: Path = field(default_factory=rules_dir)
    cases_folder: Path = CASES_DIR

    @property
    def builtin(self) -> bool:
        return self.rules_folder.resolve() == rules_dir().resolve()

    @cached_property
    def pack(self) -> RulePack:
        return load_rules(() if self.builtin else (self.rules_folder,))

    @cached_property
    def rule_files(self) -> list[Path]:
        return sorted(self.rules_folder.rglob("*.yaml"))

    @cached_property
    def rules(self) -> dict[str, RuleSpec]:
        """The rules this catalog's folder defines (the built-in ones too, when it is rules/)."""
        stems = {file.stem for file in self.rule_files}
        return {rule.id: rule for rule in self.pack.rules if rule.id in stems}

    def case_file(self, rule_id: str) -> dict[str, Any]:
        file = self.cases_folder / f"{rule_id}.yaml"
        assert file.is_file(), f"rule {rule_id} has no test cases: add {file}"
        return read_case_file(file)

    def expectations(self, rule_id: str) -> list[tuple[dict[str, Any], dict[str, Any]]]:
        """(case, expected result) pairs of a rule's case file."""
        return [(case, item) for case in self.case_file(rule_id)["cases"] for item in case["expect"]]


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def check_ids_unique_and_match_files(catalog: Catalog) -> None:
    seen: dict[str, Path] = {}
    for file in catalog.rule_files:
        data = load_yaml(file.read_text(encoding="utf-8"))
        rule_id = data.get("id")
        assert rule_id == file.stem, f"{file}: id {rule_id!r} differs from the file name"
        assert rule_id not in seen, f"{rule_id} is defined in {seen.get(rule_id)} and {file}"
        seen[rule_id] = file
    assert sorted(seen) == sorted(catalog.rules)


def check_rule_file_validates(file: Path) -> None:
    """Every attribute, operator, value, pattern, function and param a rule names fits
    (engine/loader.py): a shipped rule meets the bar a user's does, none is let through on trust."""
    assert load_rule_file(file).id == file.stem


def check_rule_documents_itself(rule: RuleSpec) -> None:
    for name in ("name", "title", "rationale", "remediation"):
        assert str(getattr(rule, name)).strip(), f"{rule.id}: {name} is empty"
    assert rule.source.document.strip() and rule.source.title.strip(), f"{rule.id}: source is incomplete"
    assert rule.needs, f"{rule.id}: needs is empty"
    if rule.manual is not None:
        assert rule.manual.fact.strip() and rule.manual.instructions.strip(), f"{rule.id}: manual block incomplete"


def check_rule_has_pass_fail_and_unknown_cases(catalog: Catalog, rule: RuleSpec) -> None:
    statuses = {item["status"] for _, item in catalog.expectations(rule.id)}
    wanted = {"pass", "fail"} | ({"unknown"} if rule.needs else set())
    assert wanted <= statuses, f"{rule.id}: no case expects {sorted(wanted - statuses)}"


def check_manual_rule_has_attestation_cases(catalog: Catalog, rule: RuleSpec) -> None:
    if rule.manual is None:
        return
    pairs = catalog.expectations(rule.id)

    def stale(item: dict[str, Any]) -> bool:
        return any("no longer counts" in text for text in _as_list(item.get("message_contains")))

    kinds = {
        "manual (no attestation)": any(item["status"] == "manual" and not stale(item) for _, item in pairs),
        "attested pass": any(item["status"] == "pass" and "attested_by" in item for _, item in pairs),
        "attested fail": any(item["status"] == "fail" and "attested_by" in item for _, item in pairs),
        "stale attestation": any(item["status"] == "manual" and stale(item) for _, item in pairs),
    }
    missing = [kind for kind, present in kinds.items() if not present]
    assert not missing, f"{rule.id}: no case for {missing}"


def check_every_case_file_names_a_rule(catalog: Catalog, known: Iterable[str] | None = None) -> None:
    ids = set(catalog.rules if known is None else known)
    orphans = [file.name for file in catalog.cases_folder.glob("*.yaml") if file.stem not in ids]
    assert not orphans, f"case files for rules that do not exist: {orphans}"


def check_catalog(catalog: Catalog) -> None:
    """Every catalog check, on every rule of the folder: what a new rule must pass."""
    check_ids_unique_and_match_files(catalog)
    for file in catalog.rule_files:
        check_rule_file_validates(file)
    for rule in catalog.rules.values():
        check_rule_documents_itself(rule)
        check_rule_has_pass_fail_and_unknown_cases(catalog, rule)
        check_manual_rule_has_attestation_cases(catalog, rule)
    check_every_case_file_names_a_rule(catalog)
