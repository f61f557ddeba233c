"""JUnit XML for CI test reports (Jenkins, GitLab, Azure DevOps, GitHub test-report actions).

One <testsuite> per snapshot, one <testcase> per rule and subject (classname `area.RULE`, name
`RULE subject`). A CI page goes red exactly when the run's exit code does, so a test case is:

- <failure> for a finding that sets exit 1: a failed check at or above --fail-on (not already in
  the baseline), or under --strict (verify) an unknown or manual one at or above it. Its message
  is the finding; its text adds evidence, remediation, source and place in the snapshot.
- <error> for an unknown check at or above --fail-on that sets exit 4: it could not run for want
  of data, which JUnit calls an error, not a failure (with --allow-incomplete it is <skipped>).
- <skipped> for every other `unknown`, `manual`, `waived` and `n/a`, with the reason as message:
  CI systems show skipped tests with their message, and none of these is a proven failure.
- passed for a pass, and for a failed check that does not set the exit code (below --fail-on,
  --fail-on never, or already in the baseline): the finding is recorded in <system-out>, headed
  "recorded, not failed", so it is in the CI page without turning it red.

Built with ElementTree, never with string templates, and validated in the tests against the
junit-10.xsd that Jenkins' xUnit plugin uses.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any
from xml.etree import ElementTree as ET

from mcaudit.findings import AuditReport
from mcaudit.report.presentation import printable, where
from mcaudit.report.viewmodel import report_dict
from mcaudit.safetext import visible

# characters XML 1.0 cannot carry at all, even escaped; `visible` has already spelled out the
# controls among them (\\x1b), so these two noncharacters are what is left
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
SKIP_REASONS = {
    "unknown": "not verified: the data this check needs was not collected",
    "manual": "not verified: a person must check this",
    "waived": "waived",
    "n/a": "not applicable",
}


def _clean(text: object) -> str:
    """Text XML can carry and a CI page shows as written: controls as escapes, line breaks kept."""
    return _NOT_XML.sub("\N{REPLACEMENT CHARACTER}", visible(text, newlines=True))


def _set(element: ET.Element, **attributes: object) -> ET.Element:
    for name, value in attributes.items():
        element.set(name, _clean(value))
    return element


def _details(finding: dict[str, Any], snapshot_path: str) -> str:
    lines = [finding["message"]]
    if finding["evidence"]:
        lines += ["", "Evidence:"] + [f"  - {item}" for item in finding["evidence"]]
    if finding["attested"]:
        attested = finding["attested"]
        lines += ["", f"Attested: {attested['fact']} = {attested['value']}, by {attested['by']} on {attested['on']}"]
    if finding["status"] == "waived" and finding["waiver_reason"]:
        lines += ["", f"Waived: {finding['waiver_reason']}"]
    if finding["status"] in {"fail", "waived", "manual"} and finding["remediation"]:
        lines += ["", f"How to fix: {finding['remediation'].strip()}"]
        if finding["setup_path"]:
            lines.append(f"Setup: {finding['setup_path']}")
    if finding["source"]:
        lines += ["", f"Source: {finding['source']['cite']} ({finding['source']['title']})"]
    lines += [f"Severity: {finding['severity']}{' (blocking)' if finding['blocking'] else ''}",
              f"In snapshot: {where(finding, snapshot_path)}"]
    return "\n".join(lines)


def _outcome(finding: dict[str, Any], *, sets_exit_4: bool) -> str:
    """What the test case shows: failure, error, skipped, recorded (a failure that does not set the
    exit code) or passed."""
    status = finding["status"]
    if finding["blocking"]:
        return "failure"
    if sets_exit_4:
        return "error"
    if status == "fail":
        return "recorded"
    return "skipped" if status in SKIP_REASONS else "passed"


def _not_failed_because(finding: dict[str, Any], fail_on: str) -> str:
    if finding.get("baseline_state") == "unchanged":
        return "already in the baseline"
    if fail_on == "never":
        return "--fail-on never"
    return f"{finding['severity']} is below --fail-on {fail_on}"


def _testcase(suite: ET.Element, finding: dict[str, Any], snapshot_path: str, *, fail_on: str,
              sets_exit_4: bool) -> str:
    case = _set(ET.SubElement(suite, "testcase"),
                classname=f"{finding['area'] or 'other'}.{finding['rule_id']}",
                name=f"{finding['rule_id']} {finding['subject']}", time="0")
    status = finding["status"]
    outcome = _outcome(finding, sets_exit_4=sets_exit_4)
    if outcome == "failure":
        message = finding["message"] if status == "fail" else f"{SKIP_REASONS[status]}. {finding['message']}"
        failure = _set(ET.SubElement(case, "failure"), message=message, type=finding["severity"])
        failure.text = _clean(_details(finding, snapshot_path))
    elif outcome == "error":
        error = _set(ET.SubElement(case, "error"), message=f"{SKIP_REASONS['unknown']}. {finding['message']}",
                     type="not collected")
        error.text = _clean(_details(finding, snapshot_path))
    elif outcome == "recorded":
        out = ET.SubElement(case, "system-out")
        out.text = _clean(f"recorded, not failed ({_not_failed_because(finding, fail_on)}): FAIL "
                          + _details(finding, snapshot_path))
    elif status in SKIP_REASONS:
        reason = SKIP_REASONS[status]
        if status == "waived" and finding["waiver_reason"]:
            reason += f": {finding['waiver_reason']}"
        skipped = _set(ET.SubElement(case, "skipped"), message=f"{reason}. {finding['message']}")
        skipped.text = _clean(_details(finding, snapshot_path))
    elif finding["evidence"]:
        out = ET.SubElement(case, "system-out")
        out.text = _clean(_details(finding, snapshot_path))
    return outcome


def _suite(parent: ET.Element, result: dict[str, Any], uncollected: list[bool]) -> Counter[str]:
    """One snapshot's suite; `uncollected` says, per finding, whether it sets exit 4."""
    snapshot = result["snapshot"]
    findings = result["findings"]
    title = snapshot["name"] or snapshot["path"]
    suite = _set(ET.SubElement(parent, "testsuite"), name=f"mcaudit {result['mode']}: {title}",
                 time="0", file=snapshot["path"])
    properties = ET.SubElement(suite, "properties")
    for key in ("path", "name", "org_id", "mid", "collected_at", "source", "schema_version"):
        _set(ET.SubElement(properties, "property"), name=f"snapshot.{key}",
             value="" if snapshot[key] is None else snapshot[key])
    for key in ("mode", "fail_on", "verdict"):
        _set(ET.SubElement(properties, "property"), name=key, value=result[key])
    counts = Counter(_testcase(suite, finding, snapshot["path"], fail_on=result["fail_on"], sets_exit_4=flag)
                     for finding, flag in zip(findings, uncollected, strict=True))
    counts["tests"] = len(findings)
    for key, value in (("tests", counts["tests"]), ("failures", counts["failure"]), ("errors", counts["error"]),
                       ("skipped", counts["skipped"])):
        suite.set(key, str(value))
    return counts


def _uncollected(report: AuditReport) -> list[list[bool]]:
    """Per result and finding: an unknown check that sets exit 4 (see AuditReport.exit_code)."""
    flags = []
    for result in report.results:
        uncollected = set() if report.allow_incomplete else {id(f) for f in result.uncollected}
        flags.append([id(f) in uncollected for f in result.findings])
    return flags


def render_junit(report: AuditReport) -> str:
    data = printable(report_dict(report))  # each value one visible line, so a name cannot add lines
    root = ET.Element("testsuites")
    totals: Counter[str] = Counter()
    for result, uncollected in zip(data["results"], _uncollected(report), strict=True):
        totals += _suite(root, result, uncollected)
    _set(root, name=f"mcaudit {data['command']}", tests=totals["tests"], failures=totals["failure"],
         errors=totals["error"], time="0")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
