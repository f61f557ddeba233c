"""JUnit XML for CI test reports (Jenkins, GitLab, Azure DevOps, GitHub test-report actions).

One <testsuite> per snapshot, one <testcase> per rule and subject (classname `area.RULE`, name
`RULE subject`). A failed check is a <failure> whose message is the finding and whose text adds
evidence, remediation, source and place in the snapshot. `unknown`, `manual`, `waived` and
`n/a` are <skipped> with the reason as message: CI systems show skipped tests with their
message, and none of these is a proven failure. Built with ElementTree, never with string
templates, and validated in the tests against the junit-10.xsd that Jenkins' xUnit plugin uses.
"""

from __future__ import annotations

import re
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


def _testcase(suite: ET.Element, finding: dict[str, Any], snapshot_path: str) -> None:
    case = _set(ET.SubElement(suite, "testcase"),
                classname=f"{finding['area'] or 'other'}.{finding['rule_id']}",
                name=f"{finding['rule_id']} {finding['subject']}", time="0")
    status = finding["status"]
    if status == "fail":
        failure = _set(ET.SubElement(case, "failure"), message=finding["message"], type=finding["severity"])
        failure.text = _clean(_details(finding, snapshot_path))
    elif status in SKIP_REASONS:
        reason = SKIP_REASONS[status]
        if status == "waived" and finding["waiver_reason"]:
            reason += f": {finding['waiver_reason']}"
        skipped = _set(ET.SubElement(case, "skipped"), message=f"{reason}. {finding['message']}")
        skipped.text = _clean(_details(finding, snapshot_path))
    elif finding["evidence"]:
        out = ET.SubElement(case, "system-out")
        out.text = _clean(_details(finding, snapshot_path))


def _suite(parent: ET.Element, result: dict[str, Any]) -> dict[str, int]:
    snapshot = result["snapshot"]
    findings = result["findings"]
    counts = {
        "tests": len(findings),
        "failures": sum(1 for f in findings if f["status"] == "fail"),
        "skipped": sum(1 for f in findings if f["status"] in SKIP_REASONS),
    }
    title = snapshot["name"] or snapshot["path"]
    suite = _set(ET.SubElement(parent, "testsuite"), name=f"mcaudit {result['mode']}: {title}",
                 tests=counts["tests"], failures=counts["failures"], errors=0, skipped=counts["skipped"],
                 time="0", file=snapshot["path"])
    properties = ET.SubElement(suite, "properties")
    for key in ("path", "name", "org_id", "mid", "collected_at", "source", "schema_version"):
        _set(ET.SubElement(properties, "property"), name=f"snapshot.{key}",
             value="" if snapshot[key] is None else snapshot[key])
    for key in ("mode", "fail_on", "verdict"):
        _set(ET.SubElement(properties, "property"), name=key, value=result[key])
    for finding in findings:
        _testcase(suite, finding, snapshot["path"])
    return counts


def render_junit(report: AuditReport) -> str:
    data = printable(report_dict(report))  # each value one visible line, so a name cannot add lines
    root = ET.Element("testsuites")
    totals = {"tests": 0, "failures": 0}
    for result in data["results"]:
        counts = _suite(root, result)
        totals["tests"] += counts["tests"]
        totals["failures"] += counts["failures"]
    _set(root, name=f"mcaudit {data['command']}", tests=totals["tests"], failures=totals["failures"],
         errors=0, time="0")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
