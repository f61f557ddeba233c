"""Hostile custom rules (`audit --rules-dir DIR`): refused when loaded, or run in linear time.

A rule file comes from a user or a pull request. A mistake in it (a regular expression RE2 cannot
compile, a value of the wrong type for its operator, an attribute, subject or `show:` entry that
does not exist) is refused before the audit runs: exit 2 and one clean line naming the file, the
line and the field. A valid pattern that would backtrack for minutes in a backtracking engine
(`^(a+)+$` on "aaa...ab") runs on RE2 and answers at once.

The real command runs in a capped child process where the bar itself is the point (regular
expressions); the other refusals run in this process through the same entry point.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from mcaudit.cli import main

from .harness import CONTROL, ROOT, TIME_LIMIT, refused, refused_in_process, run_capped

HEALTHY = ROOT / "samples" / "healthy.yaml"
SYSTEM_USER = "mcc.system@acme.example"
LONG_USERNAME = "a" * 54 + "b"  # 55 characters: 2^54 ways for a backtracking engine to fail ^(a+)+$

RULE = """id: {rule_id}
name: custom-{number}
title: A custom rule
severity: high
area: salesforce
modes: [audit]
needs: [salesforce.users, salesforce.mcc_connector]
subjects: {subjects}
check: {check}
{extra}rationale: Why.
remediation: What.
source: {{document: ACME runbook, title: House rules}}
"""


def rules_dir(tmp_path: Path, *checks: str, subjects: str = "sf.system_user", extra: str = "") -> Path:
    folder = tmp_path / "rules"
    folder.mkdir()
    for number, check in enumerate(checks, start=901):
        (folder / f"XC{number}.yaml").write_text(
            RULE.format(rule_id=f"XC{number}", number=number, subjects=subjects, check=check, extra=extra),
            encoding="utf-8")
    return folder


def refused_here(args: list[str | Path], capsys: pytest.CaptureFixture[str], *contains: str) -> str:
    """The in-process twin of harness.refused: exit 2 and one clean line on stderr."""
    with pytest.raises(SystemExit) as done:
        main([str(arg) for arg in args])
    err = capsys.readouterr().err
    assert done.value.code == 2, err
    lines = err.splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    assert not CONTROL & set(lines[0]), lines[0]
    for needle in contains:
        assert needle in lines[0], lines[0]
    return lines[0]


# -- regular expressions: what costs time or memory on the real command in a capped child process ---

@pytest.mark.parametrize(("pattern", "said"), [
    ("admin[", "check.value: invalid regular expression (RE2 syntax): missing ]"),
    ("(?=admin).*", "check.value: RE2 syntax: lookahead (?=...) is not supported"),
    ("(a+)\\1", "check.value: RE2 syntax: a backreference (\\1) is not supported"),
], ids=["invalid", "lookahead", "backreference"])
def test_a_pattern_re2_cannot_run_is_refused_at_load(tmp_path: Path, pattern: str, said: str) -> None:
    folder = rules_dir(tmp_path, f"{{attribute: username, operator: matches, value: '{pattern}'}}")
    refusal = refused_in_process("audit", HEALTHY, "--rules-dir", folder, contains=("XC901.yaml:9: ", said))
    assert refusal.stdout == ""


def test_a_catastrophic_pattern_runs_in_linear_time(tmp_path: Path) -> None:
    snapshot = tmp_path / "long-username.yaml"
    text = re.sub(re.escape(SYSTEM_USER), LONG_USERNAME, HEALTHY.read_text(encoding="utf-8"), flags=re.IGNORECASE)
    snapshot.write_text(text, encoding="utf-8")
    folder = rules_dir(tmp_path, "{attribute: username, operator: matches, value: '^(a+)+$'}",
                       "{attribute: username, operator: matches, value: '^(a+)+b$'}")
    done, seconds = run_capped("audit", snapshot, "--rules-dir", folder, "--select", "XC", "--format", "json")
    assert seconds < TIME_LIMIT, f"took {seconds:.1f} s"
    assert done.returncode == 1, done.stderr  # XC901 fails at severity high
    findings = json.loads(done.stdout)["results"][0]["findings"]
    assert {(f["rule_id"], f["status"]) for f in findings} == {("XC901", "fail"), ("XC902", "pass")}
    assert all(f["subject"] == f"System User {LONG_USERNAME}" for f in findings)


def test_patterns_too_costly_to_compile_are_refused_at_load(tmp_path: Path) -> None:
    """Matching is linear, compiling is not free: 20 characters of counted repetition compile to
    400,000 RE2 instructions. A budget for all rules together bounds it, however many files come."""
    heavy = "[\\p{L}\\p{N}]{300}"
    folder = rules_dir(tmp_path, *(f"{{attribute: username, operator: matches, value: '{heavy}{n}'}}"
                                   for n in range(90)))
    refused("audit", HEALTHY, "--rules-dir", folder,
            contains=("XC903.yaml:9: check: the loaded rules' regular expressions compile to more than",))


# -- every other mistake, refused at load (in this process) -----------------------------------

@pytest.mark.parametrize(("subjects", "check", "said"), [
    # the number operators need a number
    ("aep.segment_attributes", "{attribute: length, operator: gte, value: abc}",
     "check.value: 'gte' needs a number here, not text 'abc'"),
    # the list operators need a list
    ("sf.system_user", "{attribute: username, operator: in, value: 5}",
     "check.value: 'in' needs a non-empty list of text, such as [a, b], not number 5"),
    ("mc.api_user", "{attribute: roles, operator: contains_any, value: Administrator}",
     "check.value: 'contains_any' needs a non-empty list of text"),
    # the equality operators need one value of the attribute's kind
    ("sf.system_user", "{attribute: is_active, operator: equals, value: [true]}",
     "check.value: 'equals' needs true or false here, not a list"),
    # a list attribute's operators need one item
    ("mc.api_user", "{attribute: business_unit_mids, operator: contains, value: [1]}",
     "check.value: 'contains' needs a number here, not a list"),
    # the flag and emptiness operators take no value
    ("sf.system_user", "{attribute: is_active, operator: is_true, value: false}",
     "check.value: 'is_true' takes no value; remove it"),
    # matches needs text
    ("sf.system_user", "{attribute: username, operator: matches, value: 5}",
     "check.value: 'matches' needs a regular expression (text), not number 5"),
    # an operator must fit the attribute's kind
    ("sf.system_user", "{attribute: username, operator: gte, value: 5}",
     "check.operator: 'gte' does not apply to 'username', which is text"),
    # names that do not exist
    ("sf.system_user", "{attribute: usrname, operator: equals, value: x}",
     "check.attribute: unknown attribute 'usrname' for subjects sf.system_user; did you mean 'username'?"),
    ("sf.sytem_user", "{attribute: username, operator: equals, value: x}",
     "subjects: unknown subject selector 'sf.sytem_user'; did you mean 'sf.system_user'?"),
    ("sf.system_user", "{attribute: username, operator: equal, value: x}",
     "check.operator: unknown operator 'equal'; did you mean 'equals'?"),
    # a check function on subjects it does not read, or with a param of the wrong shape
    ("sf.org", "{function: attribute_page_limit}",
     "subjects: check 'attribute_page_limit' reads the subjects of aep.email_demographics"),
    ("aep.email_demographics", "{function: attribute_page_limit, params: {page_size: abc}}",
     "check.params.page_size: needs a whole number of at least 1, not abc"),
], ids=["gte-text", "in-number", "contains_any-text", "equals-list", "contains-list", "is_true-value",
        "matches-number", "gte-on-text", "attribute", "subject", "operator", "function-subject", "function-param"])
def test_a_rule_that_cannot_work_is_refused_at_load(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                    subjects: str, check: str, said: str) -> None:
    folder = rules_dir(tmp_path, check, subjects=subjects)
    line = refused_here(["audit", HEALTHY, "--rules-dir", folder], capsys, said)
    assert "XC901.yaml:" in line


def test_an_unknown_show_attribute_is_refused_at_load(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = rules_dir(tmp_path, "{attribute: is_active, operator: is_true}", extra="show: [system_usr]\n")
    refused_here(["audit", HEALTHY, "--rules-dir", folder], capsys,
                 "XC901.yaml:10: show[0]: unknown attribute 'system_usr' for subjects sf.system_user; "
                 "did you mean 'system_user'?")


def test_a_rule_that_runs_itself_is_refused_at_load(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = rules_dir(tmp_path, "{function: checklist_criticals_pass, params: {areas: [salesforce], "
                       "severities: [high]}}", subjects="rotation.connection")
    refused_here(["audit", HEALTHY, "--rules-dir", folder], capsys,
                 "check.params: XC901 would run itself (XC901 -> XC901) and never finish")


def test_control_characters_in_a_rule_are_escaped(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = rules_dir(tmp_path, '{attribute: "user\\e[2Jname", operator: equals, value: x}')
    refused_here(["audit", HEALTHY, "--rules-dir", folder], capsys, "unknown attribute 'user\\x1b[2Jname'")
