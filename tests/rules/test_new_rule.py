"""A new declarative rule on data that already exists is a rule file and a case file, nothing else.

The rule and its cases are written to temporary folders and held to the bar the shipped catalog
meets (catalog_checks.py, and the case runner of test_rule_cases.py): no list of ids, no pinned
dict, no registry to extend. And a typo in such a rule's attribute stops the audit at load, with
exit code 2, instead of surfacing mid-audit.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from mcaudit import cli

from .catalog_checks import Catalog, check_catalog
from .test_rule_cases import check_rule_case, collect_cases

HEALTHY = Path(__file__).resolve().parents[2] / "samples" / "healthy.yaml"

RULE = """\
id: XC901
name: api-user-not-locked
title: The MC API user is not locked out
severity: high
area: marketing_cloud
modes: [audit]
needs: [marketing_cloud.users]
subjects: mc.api_user
check: {attribute: ATTRIBUTE, operator: is_false, label: Locked}
rationale: A locked API user stops every call the connector makes.
remediation: Unlock the API user in Marketing Cloud Setup > Users.
source: {document: test, title: a rule written by test_new_rule.py}
"""

CASES = """\
rule: XC901
cases:
  - name: unlocked passes
    expect:
      - {status: pass, subject: MC API user mcc.api@acme.example}
  - name: locked fails
    set:
      marketing_cloud.users[username=mcc.api@acme.example].is_locked: true
    expect:
      - {status: fail, subject: MC API user mcc.api@acme.example, evidence_contains: "Locked: true"}
  - name: users not collected is unknown
    delete:
      - marketing_cloud.users
    expect:
      - {status: unknown, subject: snapshot}
  - name: API user not found is not applicable, as the subject says by default
    set:
      marketing_cloud.mcc_api_user: someone.else@acme.example
    expect:
      - {status: n/a, subject: snapshot, message_contains: the MC API user is not identified or not found}
"""


def write_rule(tmp_path: Path, attribute: str) -> Catalog:
    rules, cases = tmp_path / "rules", tmp_path / "cases"
    rules.mkdir()
    cases.mkdir()
    (rules / "XC901.yaml").write_text(RULE.replace("ATTRIBUTE", attribute), encoding="utf-8")
    (cases / "XC901.yaml").write_text(CASES, encoding="utf-8")
    return Catalog(rules_folder=rules, cases_folder=cases)


def test_catalog_checks_accept_a_new_rule_and_its_cases(tmp_path: Path) -> None:
    catalog = write_rule(tmp_path, "is_locked")
    check_catalog(catalog)
    assert sorted(catalog.rules) == ["XC901"]
    found = collect_cases(catalog.cases_folder)
    assert len(found) == 4
    for rule_case in found:
        check_rule_case(rule_case, catalog.pack)


def test_catalog_checks_refuse_a_rule_without_a_failing_case(tmp_path: Path) -> None:
    catalog = write_rule(tmp_path, "is_locked")
    (catalog.cases_folder / "XC901.yaml").write_text(CASES.split("  - name: locked fails")[0], encoding="utf-8")
    with pytest.raises(AssertionError, match=r"XC901: no case expects \['fail', 'unknown'\]"):
        check_catalog(catalog)


def test_misspelt_attribute_fails_at_load_with_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    catalog = write_rule(tmp_path, "is_lockd")
    with pytest.raises(SystemExit) as stopped:
        cli.main(["audit", str(HEALTHY), "--rules-dir", str(catalog.rules_folder)])
    assert stopped.value.code == 2
    error = capsys.readouterr().err
    assert "is_lockd" in error and "is_locked" in error, error
