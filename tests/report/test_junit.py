"""JUnit XML: valid against Jenkins' junit-10.xsd, one testcase per rule and subject."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from functools import cache
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from lxml import etree

from mcaudit.findings import AuditReport
from mcaudit.report import render

from .conftest import HOSTILE_STRINGS, SAMPLE_FILES, SCHEMAS, sample_id

STRICT = etree.XMLParser(resolve_entities=False, no_network=True, recover=False, huge_tree=False)


@cache
def schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMAS / "junit-10.xsd"), STRICT))


def junit(report: AuditReport) -> ET.Element:
    text = render(report, "junit")
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    document = etree.fromstring(text.encode("utf-8"), STRICT)
    schema().assertValid(document)
    return ET.fromstring(text)


@pytest.mark.parametrize("sample", SAMPLE_FILES, ids=sample_id)
def test_every_sample_is_valid_junit(sample: Path, make_report: Callable[..., AuditReport]) -> None:
    report = make_report(sample)
    root = junit(report)
    [suite] = root.findall("testsuite")
    result = report.results[0]
    cases = suite.findall("testcase")
    assert len(cases) == len(result.findings) == int(suite.get("tests", ""))
    failed = result.blocking  # only what sets the exit code fails a test case
    assert len(suite.findall("testcase/failure")) == len(failed) == int(suite.get("failures", ""))
    assert int(suite.get("skipped", "")) == len(suite.findall("testcase/skipped"))
    assert int(suite.get("errors", "")) == len(suite.findall("testcase/error")) == len(result.uncollected)
    assert root.get("tests") == suite.get("tests") and root.get("failures") == suite.get("failures")
    for case, finding in zip(cases, result.findings, strict=True):
        rule = result.rules[finding.rule_id]
        assert case.get("classname") == f"{rule.area.value}.{finding.rule_id}"
        assert case.get("name") == f"{finding.rule_id} {finding.subject}"


def test_failures_and_skips_say_why(make_report: Callable[..., AuditReport], hostile_snapshot: Path) -> None:
    root = junit(make_report(hostile_snapshot))
    cases = {case.get("name", "").split()[0]: case for case in root.iter("testcase")}
    failure = cases["MC208"].find("failure")
    assert failure is not None and failure.get("type") == "critical"
    assert failure.get("message", "").endswith("is inactive or locked out")
    body = failure.text or ""
    assert "Evidence:\n  - Active: true\n  - Locked: true (expected false)" in body
    assert "How to fix: In Marketing Cloud Setup > Users" in body and "Source: KB 003834038" in body
    assert f"In snapshot: {hostile_snapshot}" in body and "(marketing_cloud.users[0])" in body
    manual = cases["MC212"].find("skipped")
    assert manual is not None and manual.get("message", "").startswith("not verified: a person must check this")
    assert cases["SF117"].find("skipped") is not None  # n/a
    assert cases["SF101"].find("failure") is None and cases["SF101"].find("skipped") is None
    properties = {p.get("name"): p.get("value") for p in root.iter("property")}
    assert properties["snapshot.org_id"] == "00D5g000004AcmeEAC" and properties["verdict"] == "fail"


def test_hostile_names_round_trip_exactly(hostile_report: AuditReport) -> None:
    root = junit(hostile_report)
    names = [case.get("name", "") for case in root.iter("testcase")]
    messages = [f.get("message", "") for f in root.iter("failure")]
    for hostile in HOSTILE_STRINGS:
        assert any(hostile in name for name in names), hostile
        assert any(hostile in message for message in messages), hostile
    assert root.find("testsuite").get("name", "").endswith("<script>alert(1)</script>")  # type: ignore[union-attr]


def test_characters_xml_cannot_carry_are_spelled_out(make_report: Callable[..., AuditReport],
                                                     hostile_snapshot: Path) -> None:
    report = make_report(hostile_snapshot)
    result = report.results[0]
    findings = tuple(replace(f, message=f.message + " \x00\x1b[31m\ufffe") for f in result.findings)
    root = junit(replace(report, results=(replace(result, findings=findings),)))
    assert "\\x00\\x1b[31m\ufffd" in (next(root.iter("failure")).get("message") or "")


def test_several_snapshots_one_suite_each(make_report: Callable[..., AuditReport], hostile_snapshot: Path) -> None:
    root = junit(make_report(SAMPLE_FILES[0], hostile_snapshot))
    suites = root.findall("testsuite")
    assert len(suites) == 2
    assert int(root.get("tests", "")) == sum(int(s.get("tests", "")) for s in suites)
