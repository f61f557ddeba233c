"""JUnit fails a test case only for what sets the exit code; every other finding is recorded."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from xml.etree import ElementTree as ET

from mcaudit.findings import AuditReport, Severity, Status

from ..conftest import SAMPLES
from .test_junit import junit


def cases_by_finding(root: ET.Element) -> dict[str, ET.Element]:
    return {case.get("name", ""): case for case in root.iter("testcase")}


def test_a_low_failure_below_fail_on_passes_and_is_recorded(make_report: Callable[..., AuditReport]) -> None:
    report = make_report(SAMPLES / "broken.yaml", fail_on=Severity.high)
    [result] = report.results
    low = next(f for f in result.findings if f.status is Status.fail and f.severity is Severity.low)
    case = cases_by_finding(junit(report))[f"{low.rule_id} {low.subject}"]
    assert case.find("failure") is None and case.find("skipped") is None and case.find("error") is None
    recorded = case.find("system-out")
    assert recorded is not None
    assert (recorded.text or "").startswith("recorded, not failed (low is below --fail-on high): FAIL ")
    assert low.message in (recorded.text or "")


def test_a_high_failure_is_a_failure(make_report: Callable[..., AuditReport]) -> None:
    report = make_report(SAMPLES / "broken.yaml", fail_on=Severity.high)
    [result] = report.results
    assert result.blocking
    root = junit(report)
    cases = cases_by_finding(root)
    for finding in result.blocking:
        failure = cases[f"{finding.rule_id} {finding.subject}"].find("failure")
        assert failure is not None and failure.get("type") == finding.severity.value
    [suite] = root.findall("testsuite")
    assert int(suite.get("failures", "")) == len(result.blocking) == len(root.findall(".//failure"))


def test_fail_on_never_fails_no_test_case(make_report: Callable[..., AuditReport]) -> None:
    report = make_report(SAMPLES / "broken.yaml", fail_on=None)
    assert report.exit_code == 0
    root = junit(report)
    assert root.findall(".//failure") == [] and root.get("failures") == "0"
    failed = [f for f in report.results[0].findings if f.status is Status.fail]
    recorded = [out for out in root.iter("system-out") if (out.text or "").startswith("recorded, not failed")]
    assert len(recorded) == len(failed) > 0
    assert all("(--fail-on never)" in (out.text or "") for out in recorded)


def test_an_uncollected_check_at_or_above_fail_on_is_an_error(make_report: Callable[..., AuditReport]) -> None:
    report = make_report(SAMPLES / "partial.yaml", fail_on=Severity.high)
    [result] = report.results
    assert result.uncollected and report.exit_code in (1, 4)
    root = junit(report)
    cases = cases_by_finding(root)
    for finding in result.uncollected:
        error = cases[f"{finding.rule_id} {finding.subject}"].find("error")
        assert error is not None and error.get("message", "").startswith("not verified: the data")
    assert int(root.get("errors", "")) == len(result.uncollected)
    below = [f for f in result.findings if f.status is Status.unknown and f not in result.uncollected]
    for finding in below:
        assert cases[f"{finding.rule_id} {finding.subject}"].find("skipped") is not None
    # with --allow-incomplete an unknown check does not set the exit code, so it is only skipped
    allowed = replace(report, allow_incomplete=True)
    assert junit(allowed).findall(".//error") == []
