"""SARIF 2.1.0: valid against the official schema, one run, results located in the snapshot file."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft4Validator

from mcaudit.findings import AuditReport, Status
from mcaudit.report import render
from mcaudit.report.sarif_format import artifact_uri, sarif_text

from .conftest import HOSTILE_STRINGS, SAMPLE_FILES, SCHEMAS, hostile_data, sample_id


@cache
def validator() -> Draft4Validator:
    schema = json.loads((SCHEMAS / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    Draft4Validator.check_schema(schema)
    return Draft4Validator(schema, format_checker=Draft4Validator.FORMAT_CHECKER)


def sarif(report: AuditReport) -> dict[str, Any]:
    log = json.loads(render(report, "sarif"))
    errors = sorted(validator().iter_errors(log), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:5])
    return log


@pytest.mark.parametrize("sample", SAMPLE_FILES, ids=sample_id)
def test_every_sample_is_valid_sarif(sample: Path, make_report: Callable[..., AuditReport]) -> None:
    report = make_report(sample)
    [run] = sarif(report)["runs"]
    result = report.results[0]
    reported = [f for f in result.findings if f.status.value in {"fail", "waived", "unknown", "manual"}]
    assert len(run["results"]) == len(reported)
    assert {r["id"] for r in run["tool"]["driver"]["rules"]} == set(result.rules)


def test_driver_rules_carry_help_and_levels(make_report: Callable[..., AuditReport]) -> None:
    [run] = sarif(make_report(SAMPLE_FILES[0]))["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "mcaudit" and driver["version"]
    rules = {rule["id"]: rule for rule in driver["rules"]}
    assert list(rules) == sorted(rules)
    sf101, mc212, mc210 = rules["SF101"], rules["MC212"], rules["MC210"]
    assert sf101["defaultConfiguration"]["level"] == "error"  # critical
    assert mc212["defaultConfiguration"]["level"] == "warning"  # medium
    assert mc210["defaultConfiguration"]["level"] == "note"  # info
    assert sf101["shortDescription"]["text"] and sf101["fullDescription"]["text"]
    assert "How to fix:" in sf101["help"]["text"] and "KB 003834038" in sf101["help"]["text"]
    assert sf101["properties"]["severity"] == "critical" and sf101["properties"]["area"] == "salesforce"


def test_results_levels_kinds_locations(make_report: Callable[..., AuditReport], hostile_snapshot: Path) -> None:
    report = make_report(hostile_snapshot)
    result = report.results[0]
    lines = {f.rule_id: n for n, f in enumerate(result.findings, start=10)}
    located = replace(report, results=(replace(result, findings=tuple(
        replace(f, line=lines[f.rule_id]) if f.rule_id != "MC212" else f for f in result.findings)),))
    [run] = sarif(located)["runs"]
    by_rule = {r["ruleId"]: r for r in run["results"]}
    assert set(by_rule) == {"SF113", "MC208", "MC212"}
    assert (by_rule["MC208"]["kind"], by_rule["MC208"]["level"]) == ("fail", "error")
    assert (by_rule["MC212"]["kind"], by_rule["MC212"]["level"]) == ("review", "none")
    assert by_rule["MC212"]["properties"]["status"] == "manual"
    physical = by_rule["SF113"]["locations"][0]["physicalLocation"]
    assert physical["artifactLocation"]["uri"] == hostile_snapshot.as_uri()
    assert physical["region"]["startLine"] == lines["SF113"]
    assert by_rule["SF113"]["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] == "salesforce.users[0]"
    assert by_rule["MC212"]["locations"][0]["physicalLocation"]["region"]["startLine"] == 1
    assert by_rule["MC212"]["properties"]["lineKnown"] is False
    rules = run["tool"]["driver"]["rules"]
    assert all(rules[r["ruleIndex"]]["id"] == r["ruleId"] for r in run["results"])
    assert len({r["partialFingerprints"]["mcauditFinding/v1"] for r in run["results"]}) == 3


def test_waived_findings_are_suppressed_not_dropped(make_report: Callable[..., AuditReport],
                                                    hostile_snapshot: Path) -> None:
    report = make_report(hostile_snapshot)
    result = report.results[0]
    findings = tuple(replace(f, status=Status.waived, waiver_reason="accepted until the migration",
                             waived_from=f.status) if f.rule_id in {"MC208", "MC212"} else f
                     for f in result.findings)
    [run] = sarif(replace(report, results=(replace(result, findings=findings),)))["runs"]
    by_rule = {r["ruleId"]: r for r in run["results"]}
    assert by_rule["MC208"]["suppressions"] == [{"kind": "external", "status": "accepted",
                                                 "justification": "accepted until the migration"}]
    assert by_rule["MC208"]["kind"] == "fail"
    assert by_rule["MC212"]["kind"] == "review"  # it was a manual check that got waived
    assert "suppressions" not in by_rule["SF113"]


def test_hostile_names_survive_as_data(hostile_report: AuditReport) -> None:
    [run] = sarif(hostile_report)["runs"]
    subjects = [r["properties"]["subject"] for r in run["results"]]
    for hostile in HOSTILE_STRINGS:
        assert any(hostile in subject for subject in subjects), hostile
    texts = " ".join(r["message"]["text"] for r in run["results"])
    assert "\\[link\\](javascript:alert(1))" in texts, "brackets would form a SARIF embedded link"
    assert "[link](" not in texts.replace("\\[link\\](", "")


def test_several_snapshots_one_run(make_report: Callable[..., AuditReport], tmp_path: Path) -> None:
    other = tmp_path / "other dir" / "snap #2.json"
    other.parent.mkdir()
    other.write_text(json.dumps(hostile_data()), encoding="utf-8")
    report = make_report(SAMPLE_FILES[0], other)
    log = sarif(report)
    [run] = log["runs"]
    uris = [a["location"]["uri"] for a in run["artifacts"]]
    assert uris == [artifact_uri(str(SAMPLE_FILES[0])), other.as_uri()]
    assert "%20" in uris[1] and "%23" in uris[1]


@pytest.mark.parametrize(("path", "uri"), [
    ("samples/healthy.yaml", "samples/healthy.yaml"),
    ("snaps/acme prod.yaml", "snaps/acme%20prod.yaml"),
    ("/srv/snaps/a.json", "file:///srv/snaps/a.json"),
    ("C:\\snaps\\a.json", "file:///C:/snaps/a.json"),
])
def test_artifact_uri(path: str, uri: str) -> None:
    assert artifact_uri(path) == uri


def test_sarif_text_escapes_link_syntax() -> None:
    assert sarif_text("a [b](c) \\ d") == "a \\[b\\](c) \\\\ d"
