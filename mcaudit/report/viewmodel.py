"""The one shape every formatter renders: built from findings, never the snapshot.

`build_report` turns an AuditReport into the typed JSON report (mcaudit/report/json_model.py,
format_version 1): the JSON format dumps it as is, the other formats read it, or its plain-data
form (`report_dict`) where a template wants one. Grouping, counting and ordering happen in Python
so that templates only loop and print.
"""

from __future__ import annotations

from typing import Any, Literal

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
from mcaudit.report.json_model import (
    FORMAT_VERSION,
    JsonAttested,
    JsonFinding,
    JsonReport,
    JsonResult,
    JsonRule,
    JsonRunbook,
    JsonRunbookStep,
    JsonSnapshot,
    JsonSource,
    JsonSummary,
    JsonTool,
)


def json_source(rule: RuleInfo) -> JsonSource:
    return JsonSource(document=rule.source.document, title=rule.source.title, section=rule.source.section,
                      url=rule.source.url, cite=rule.source.cite())


def json_rule(rule: RuleInfo) -> JsonRule:
    """A catalog entry as reports show it (SARIF's rule list, the JSON report's `rules`)."""
    return JsonRule(
        id=rule.id, name=rule.name, title=rule.title, severity=rule.severity, area=rule.area,
        area_title=rule.area.label, modes=list(rule.modes), rationale=rule.rationale,
        remediation=rule.remediation, setup_path=rule.setup_path,
        manual_instructions=rule.manual_instructions, source=json_source(rule),
    )


def json_runbook(runbook: Runbook | None) -> JsonRunbook | None:
    if runbook is None:
        return None
    steps = [JsonRunbookStep(number=step.number, phase=step.phase, action=step.action, asset_kind=step.asset_kind,
                             asset_key=step.asset_key, note=step.note, asset_location=step.asset_location)
             for step in runbook.steps]
    return JsonRunbook(impact=list(runbook.impact), steps=steps, notes=list(runbook.notes))


def json_finding(result: AuditResult, finding: Finding) -> JsonFinding:
    rule: RuleInfo | None = result.rules.get(finding.rule_id)
    attested = finding.attested
    return JsonFinding(
        rule_id=finding.rule_id,
        title=rule.title if rule else finding.rule_id,
        severity=finding.severity,
        area=rule.area if rule else None,
        status=finding.status,
        blocking=result.is_blocking(finding),
        subject=finding.subject,
        location=finding.location,
        line=finding.line,
        message=finding.message,
        evidence=list(finding.evidence),
        attested=None if attested is None else JsonAttested(
            fact=attested.fact, value=attested.value, by=attested.by, on=attested.on),
        remediation=rule.remediation if rule else None,
        setup_path=rule.setup_path if rule else None,
        manual_instructions=rule.manual_instructions if rule else None,
        source=None if rule is None else json_source(rule),
        waiver_reason=finding.waiver_reason,
        waived_from=finding.waived_from,
        baseline_state=finding.baseline,
    )


def json_result(result: AuditResult) -> JsonResult:
    by_status = result.count_by_status()
    failures = result.count_failures_by_severity()
    identity = result.snapshot
    return JsonResult(
        snapshot=JsonSnapshot(
            path=identity.path, name=identity.name, source=identity.source,
            collected_at=identity.collected_at, schema_version=identity.schema_version,
            org_id=identity.org_id, mid=identity.mid, failed_collectors=list(identity.failed_collectors),
        ),
        mode=result.mode,
        fail_on=result.fail_on or "never",
        strict=result.strict,
        verdict=result.verdict,
        summary=JsonSummary(
            total=len(result.findings),
            blocking=len(result.blocking),
            by_status={status: by_status.get(status, 0) for status in STATUSES},
            failures_by_severity={sev: failures.get(sev, 0) for sev in SEVERITIES},
        ),
        findings=[json_finding(result, finding) for finding in result.findings],
        notes=list(result.gaps) + list(result.notes),  # what was not collected first
        runbook=json_runbook(result.runbook),  # preflight only; null otherwise
        decision=preflight_decision(result),  # preflight only: GO / NO-GO; null otherwise
    )


def preflight_decision(result: AuditResult) -> Literal["GO", "NO-GO"] | None:
    """GO only on a clean pass: a preflight needs proof, so an unknown result is never GO."""
    if result.mode != "preflight":
        return None
    return "GO" if result.verdict is Verdict.passed else "NO-GO"


def build_report(report: AuditReport) -> JsonReport:
    """The typed JSON report: what `--format json` prints and every other format reads."""
    return JsonReport(
        format_version=FORMAT_VERSION,
        tool=JsonTool(name="mcaudit", version=report.tool_version),
        command=report.command,
        exit_code=report.exit_code,
        results=[json_result(result) for result in report.results],
        rules=[json_rule(rule) for rule in _catalog(report)],
    )


def report_dict(report: AuditReport) -> dict[str, Any]:
    """build_report as plain JSON data, for the templates and the formats that walk it."""
    return build_report(report).model_dump(mode="json")


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
