"""Baselines: fail CI only on problems that are new since a previous report.

`mcaudit audit SNAPSHOT --baseline main-report.json` compares with the JSON report of the same
audit on the base branch. A failing finding whose rule and subject already failed there is
`unchanged` and no longer sets the exit code; everything else that fails is `new`. Like every
feature on the engine, this is a thin layer over evaluate()'s results.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError

from mcaudit.errors import InputError
from mcaudit.findings import AuditResult, Status
from mcaudit.snapshot.loader import validation_error
from mcaudit.untrusted import BASELINE, DEFAULT_MAX_BYTES, read_document

FAILING = frozenset({Status.fail.value, Status.waived.value})


class _Finding(BaseModel):
    model_config = ConfigDict(extra="ignore")  # a newer report may carry more fields

    rule_id: str
    subject: str
    status: str


class _Result(BaseModel):
    model_config = ConfigDict(extra="ignore")

    findings: list[_Finding]


class _Report(BaseModel):
    model_config = ConfigDict(extra="ignore")

    format_version: int
    results: list[_Result]


def load_baseline(path: str | Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> frozenset[tuple[str, str]]:
    """(rule id, subject) of every finding that failed (or was waived) in a previous JSON report.

    The report is read like any untrusted file (mcaudit.untrusted), within the limits scaled from
    `max_bytes`; any problem is one line."""
    document = read_document(path, BASELINE, max_bytes=max_bytes)
    try:
        report = _Report.model_validate(document.data)
    except ValidationError as error:
        problem = validation_error(error, document, BASELINE, _Report, format_help=None)
        raise InputError(f"not an mcaudit JSON report: {problem.detail}", path=problem.path, line=problem.line,
                         column=problem.column, field=problem.field, more=problem.more,
                         unlisted=problem.unlisted) from None
    if report.format_version != 1:
        raise InputError(f"baseline report format_version {report.format_version} is not supported",
                         path=document.path)
    return frozenset((finding.rule_id, finding.subject) for result in report.results
                     for finding in result.findings if finding.status in FAILING)


def apply_baseline(result: AuditResult, known: frozenset[tuple[str, str]]) -> AuditResult:
    """Mark each failing finding new or unchanged against the baseline."""
    findings = tuple(
        replace(finding, baseline="unchanged" if (finding.rule_id, finding.subject) in known else "new")
        if finding.status is Status.fail else finding
        for finding in result.findings
    )
    return replace(result, findings=findings)
