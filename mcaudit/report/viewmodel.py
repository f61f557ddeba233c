"""The one plain-data shape every formatter renders: built from findings, never the snapshot.

Grouping, counting and ordering happen here so that templates only loop and print. The JSON
report is this structure as is (format_version 1, documented in the generated reference, mcaudit/docsgen.py).
"""

from __future__ import annotations

from typing import Any

from mcaudit.findings import (
    SEVERITIES,
    STATUSES,
    Area,
    AuditReport,
    AuditResult,
    Finding,
    RuleInfo,
    Runbook,
    Status,
    Verdict,
)

FORMAT_VERSION = 1


def source_dict(rule: RuleInfo) -> dict[str, Any]:
    return {
        "document": rule.source.document,
        "title": rule.source.title,
        "section": rule.source.section,
        "url": rule.source.url,
        "cite": rule.source.cite(),
    }


def rule_dict(rule: RuleInfo) -> dict[str, Any]:
    """A catalog entry as reports show it (SARIF's rule list, the JSON report's `rules`)."""
    return {
        "id": rule.id,
        "name": rule.name,
        "title": rule.title,
        "severity": rule.severity.value,
        "area": rule.area.value,
        "area_title": rule.area.label,
        "modes": list(rule.modes),
        "rationale": rule.rationale,
        "remediation": rule.remediation,
        "setup_path": rule.setup_path,
        "manual_instructions": rule.manual_instructions,
        "source": source_dict(rule),
    }


def runbook_dict(runbook: Runbook | None) -> dict[str, Any] | None:
    if runbook is None:
        return None
    return {
        "impact": list(runbook.impact),
        "steps": [
            {
                "number": step.number,
                "phase": step.phase,
                "action": step.action,
                "asset_kind": step.asset_kind,
                "asset_key": step.asset_key,
                "note": step.note,
            }
            for step in runbook.steps
        ],
        "notes": list(runbook.notes),
    }


def finding_dict(result: AuditResult, finding: Finding) -> dict[str, Any]:
    rule: RuleInfo | None = result.rules.get(finding.rule_id)
    return {
        "rule_id": finding.rule_id,
        "title": rule.title if rule else finding.rule_id,
        "severity": finding.severity.value,
        "area": rule.area.value if rule else None,
        "status": finding.status.value,
        "blocking": result.is_blocking(finding),
        "subject": finding.subject,
        "location": finding.location,
        "line": finding.line,
        "message": finding.message,
        "evidence": list(finding.evidence),
        "attested": None if finding.attested is None else {
            "fact": finding.attested.fact,
            "value": finding.attested.value,
            "by": finding.attested.by,
            "on": finding.attested.on,
        },
        "remediation": rule.remediation if rule else None,
        "setup_path": rule.setup_path if rule else None,
        "manual_instructions": rule.manual_instructions if rule else None,
        "source": None if rule is None else source_dict(rule),
        "waiver_reason": finding.waiver_reason,
        "waived_from": finding.waived_from.value if finding.waived_from else None,
        "baseline_state": finding.baseline,
    }


def result_dict(result: AuditResult) -> dict[str, Any]:
    by_status = result.count_by_status()
    failures = result.count_failures_by_severity()
    identity = result.snapshot
    findings = [finding_dict(result, finding) for finding in result.findings]
    return {
        "snapshot": {
            "path": identity.path,
            "name": identity.name,
            "source": identity.source,
            "collected_at": identity.collected_at,
            "schema_version": identity.schema_version,
            "org_id": identity.org_id,
            "mid": identity.mid,
            "failed_collectors": list(identity.failed_collectors),
        },
        "mode": result.mode,
        "fail_on": result.fail_on.value if result.fail_on else "never",
        "strict": result.strict,
        "verdict": result.verdict.value,
        "summary": {
            "total": len(result.findings),
            "blocking": len(result.blocking),
            "by_status": {status.value: by_status.get(status, 0) for status in STATUSES},
            "failures_by_severity": {sev.value: failures.get(sev, 0) for sev in SEVERITIES},
        },
        "findings": findings,
        "notes": list(result.notes),
        "runbook": runbook_dict(result.runbook),  # preflight only; null otherwise
        "decision": preflight_decision(result),  # preflight only: GO / NO-GO; null otherwise
    }


def preflight_decision(result: AuditResult) -> str | None:
    """GO only on a clean pass: a preflight needs proof, so an unknown result is never GO."""
    if result.mode != "preflight":
        return None
    return "GO" if result.verdict is Verdict.passed else "NO-GO"


def report_dict(report: AuditReport) -> dict[str, Any]:
    return {
        "format_version": FORMAT_VERSION,
        "tool": {"name": "mcaudit", "version": report.tool_version},
        "command": report.command,
        "exit_code": report.exit_code,
        "results": [result_dict(result) for result in report.results],
        "rules": [rule_dict(rule) for rule in _catalog(report)],
    }


def _catalog(report: AuditReport) -> list[RuleInfo]:
    """The rules that ran, once each, in id order (every result of one run shares them)."""
    rules: dict[str, RuleInfo] = {}
    for result in report.results:
        for rule_id, rule in result.rules.items():
            rules.setdefault(rule_id, rule)
    return [rules[rule_id] for rule_id in sorted(rules)]


def group_by_area(findings: list[dict[str, Any]]) -> list[tuple[str, list[dict[str, Any]]]]:
    """[(area title, findings)] in catalog order of areas; empty areas left out."""
    groups: list[tuple[str, list[dict[str, Any]]]] = []
    for area in Area:
        members = [f for f in findings if f["area"] == area.value]
        if members:
            groups.append((area.label, members))
    return groups


ATTENTION = frozenset({Status.fail.value, Status.unknown.value, Status.manual.value,
                       Status.waived.value})
