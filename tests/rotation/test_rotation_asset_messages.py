"""RT301-RT303 worded per state by the function check `asset_quiet_for_rotation`.

The built-in rule files are declarative, so their fail message is one per rule and the per-status
text is in the evidence ("what to do: ..."). `asset_quiet_for_rotation` puts it in the message; it
takes effect once it is registered in CHECKS and the three rule files name it. These tests register
it for the test only, run it on the same rule files switched to it, and check that it gives the
same statuses as the declarative rules with the message for each state, and that the rules' case
files (tests/rules/cases/RT30x.yaml) hold for it too.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from mcaudit.engine import EvaluationConfig, RulePack, evaluate, load_rules
from mcaudit.engine import checks as engine_checks
from mcaudit.engine.checks.rotation import asset_quiet_for_rotation
from mcaudit.findings import Finding
from mcaudit.resources import rules_dir
from mcaudit.snapshot import Snapshot
from mcaudit.yamlio import load_yaml

from ..rules.test_rule_cases import CASES, RuleCase, build_snapshot

RULES = ("RT301", "RT302", "RT303")


@pytest.fixture
def function_pack(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> RulePack:
    monkeypatch.setitem(engine_checks.CHECKS, "asset_quiet_for_rotation", asset_quiet_for_rotation)
    for rule_id in RULES:
        data: dict[str, Any] = load_yaml((rules_dir() / "rotation" / f"{rule_id}.yaml").read_text(encoding="utf-8"))
        data["check"] = {"function": "asset_quiet_for_rotation"}
        data.pop("show", None)
        data.pop("messages", None)
        (tmp_path / f"{rule_id}.yaml").write_text(json.dumps(data), encoding="utf-8")  # JSON is YAML
    return load_rules([tmp_path], include_builtin=False)


def _snapshot() -> Snapshot:
    return build_snapshot({
        "base": "rotation/paused",
        "set": {
            "marketing_cloud.triggered_sends": [
                {"key": "on", "name": "On", "status": "Active"},
                {"key": "odd", "name": "Odd", "status": "Running"},
                {"key": "off", "name": "Off", "status": "Inactive"},
            ],
            "marketing_cloud.journeys": [
                {"key": f"j-{status.lower()}", "name": status, "version": 1, "status": status,
                 "entry_source": {"type": "SalesforceObjectTriggerV2"}}
                for status in ("Published", "Paused", "ScheduledToPublish", "Unpublished", "Stopped", "Suspended")
            ] + [
                {"key": "no-entry", "name": "No entry", "version": 1, "status": "Paused"},
                {"key": "v3", "name": "V3", "version": 1, "status": "Published",
                 "entry_source": {"type": "SalesforceObjectTriggerV3"}},
            ],
            "salesforce.scheduled_sends": [
                {"id": "a0Blive", "name": "Live", "status": "scheduled"},
                {"id": "a0Bodd", "name": "Odd", "status": "unknown", "status_value": "Archived"},
                {"id": "a0Bempty", "name": "Empty", "status": "unknown"},
                {"id": "a0Bdraft", "name": "Draft", "status": "new", "status_value": "New"},
            ],
        },
    })


def _findings(pack: RulePack) -> dict[str, Finding]:
    result = evaluate(_snapshot(), pack, EvaluationConfig(mode="preflight", select=RULES))
    return {finding.subject: finding for finding in result.findings}


EXPECTED = {  # subject -> (status, text the message must hold)
    "triggered send 'On' (key on)": ("fail", "is Active: pause it before the rotation"),
    "triggered send 'Odd' (key odd)": (
        "unknown", "has status 'Running' (marketing_cloud.triggered_sends[1].status), which mcaudit does not know"),
    "triggered send 'Off' (key off)": ("pass", "is Inactive, not Active"),
    "journey 'Published' version 1 (key j-published)": (
        "fail", "is running with a Salesforce Data entry source: stop it before the rotation"),
    "journey 'Paused' version 1 (key j-paused)": (
        "fail", "is Paused with a Salesforce Data entry source and resumes by itself when its pause ends: stop it, "
                "or confirm the pause outlasts the rotation"),
    "journey 'ScheduledToPublish' version 1 (key j-scheduledtopublish)": (
        "fail", "is ScheduledToPublish with a Salesforce Data entry source and goes live at its scheduled time: "
                "unschedule it, or confirm the schedule falls after the rotation and verification"),
    "journey 'Unpublished' version 1 (key j-unpublished)": (
        "pass", "is Unpublished (Finishing: no new entries, contacts still in it) and takes no new entries"),
    "journey 'Stopped' version 1 (key j-stopped)": ("pass", "is Stopped and takes no new entries"),
    "journey 'Suspended' version 1 (key j-suspended)": (
        "unknown", "has status 'Suspended' (marketing_cloud.journeys[5].status), which mcaudit does not know, so it "
                   "cannot tell whether this version takes entries or can start by itself: open it in Journey Builder"),
    "journey 'No entry' version 1 (key no-entry)": ("unknown", "marketing_cloud.journeys[6].entry_source"),
    "journey 'V3' version 1 (key v3)": (
        "unknown", "is Published with entry source type 'SalesforceObjectTriggerV3', which mcaudit cannot place: "
                   "check in Journey Builder whether its entry source is Salesforce Data"),
    "CRM send 'Live' (Id a0Blive)": ("fail", "is scheduled or in progress: pause it before the rotation"),
    "CRM send 'Odd' (Id a0Bodd)": (
        "unknown", "has status 'Archived' in Salesforce (salesforce.scheduled_sends[1].status_value), which mcaudit "
                   "does not read"),
    "CRM send 'Empty' (Id a0Bempty)": ("unknown", "has an empty status in Salesforce"),
    "CRM send 'Draft' (Id a0Bdraft)": ("pass", "is new: nothing to pause"),
}


def test_the_function_words_each_state(function_pack: RulePack) -> None:
    found = _findings(function_pack)
    assert set(found) == set(EXPECTED)
    for subject, (status, text) in EXPECTED.items():
        finding = found[subject]
        assert finding.status.value == status, f"{subject}: {finding.status.value}: {finding.message}"
        assert text in finding.message, f"{subject}: {finding.message}"


def test_the_function_and_the_declarative_rules_agree(function_pack: RulePack) -> None:
    declarative = _findings(load_rules())
    assert Counter((s, f.status) for s, f in declarative.items()) == Counter(
        (s, f.status) for s, f in _findings(function_pack).items())
    paused = declarative["journey 'Paused' version 1 (key j-paused)"]
    assert any("resumes by itself when its pause ends: stop it, or confirm the pause outlasts the rotation" in line
               for line in paused.evidence)


@pytest.mark.parametrize("rule_case", [case for case in CASES if case.rule in RULES],
                         ids=[case.test_id for case in CASES if case.rule in RULES])
def test_the_case_files_hold_for_the_function(function_pack: RulePack, rule_case: RuleCase) -> None:
    """Switching RT301-RT303 to the function keeps every expectation of their case files."""
    result = evaluate(build_snapshot(rule_case.data), function_pack,
                      EvaluationConfig(mode=rule_case.data.get("mode", "audit"), select=(rule_case.rule,)))
    found = [finding for finding in result.findings if finding.rule_id == rule_case.rule]
    expected = rule_case.data["expect"]
    assert Counter((f.status.value, f.subject) for f in found) == Counter(
        (item["status"], item["subject"]) for item in expected)
    for item in expected:
        [finding] = [f for f in found if (f.status.value, f.subject) == (item["status"], item["subject"])]
        evidence = "\n".join(finding.evidence)
        for text in _texts(item.get("message_contains")):
            assert text in finding.message, f"{rule_case.name}: {finding.message}"
        for text in _texts(item.get("evidence_contains")):
            assert text in evidence, f"{rule_case.name}: {evidence}"


def _texts(value: Any) -> list[str]:
    if value is None:
        return []
    return [str(item) for item in value] if isinstance(value, list) else [str(value)]
