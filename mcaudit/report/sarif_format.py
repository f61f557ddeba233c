"""SARIF 2.1.0 for GitHub code scanning and other SARIF viewers: one run, results in the snapshot file.

What becomes a result:
- `fail`: kind "fail", level from the severity (critical/high -> error, medium -> warning,
  low/info -> note);
- `waived`: as what was waived (a failure, or a check nobody could make), plus a suppression
  carrying the waiver's reason, so viewers show it as dismissed rather than dropping it;
- `unknown` and `manual`: kind "review" with level "none" (SARIF requires "none" for kinds other
  than "fail"), so a person sees what could not be verified without it counting as an error;
- `pass` and `n/a`: no result (the rule list still shows what ran).

Each result points at the snapshot file (relative paths stay relative, so GitHub resolves them
against the checkout) at the offending line when known, else line 1 because GitHub needs a
line; the dotted path into the snapshot is the result's logical location. Message text escapes
`\\`, `[` and `]`, which SARIF viewers would otherwise read as embedded links.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import PurePath, PurePosixPath, PureWindowsPath
from typing import Any
from urllib.parse import quote

from mcaudit.findings import AuditReport, Status
from mcaudit.report.json_format import inert_json
from mcaudit.report.json_model import JsonFinding, JsonResult, JsonRule, JsonSnapshot
from mcaudit.report.markdown_text import escape_inline, link
from mcaudit.report.presentation import safe_href
from mcaudit.report.viewmodel import build_report

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
LEVELS = {"critical": "error", "high": "error", "medium": "warning", "low": "note", "info": "note"}
REVIEW = frozenset({"unknown", "manual"})
REPORTED = frozenset({"fail", "waived"}) | REVIEW


def sarif_text(text: str) -> str:
    """Plain message text with SARIF's embedded-link syntax neutralised (SARIF 3.11.6)."""
    return text.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")


def artifact_uri(path: str) -> str:
    """The snapshot path as a URI reference: relative stays relative, absolute becomes file://."""
    for flavour in (PurePosixPath, PureWindowsPath):
        candidate: PurePath = flavour(path)
        if candidate.is_absolute():
            return candidate.as_uri()
    return quote(path.replace("\\", "/"), safe="/")


def _rule(rule: JsonRule) -> dict[str, Any]:
    source = rule.source
    setup = f"\n\nSetup: {rule.setup_path}" if rule.setup_path else ""
    citation = f"{source.cite} ({source.title})"
    md_setup = f"\n\n**Setup:** {escape_inline(rule.setup_path)}" if rule.setup_path else ""
    level = LEVELS[rule.severity.value]
    descriptor: dict[str, Any] = {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": rule.rationale.strip()},
        "help": {
            "text": f"{rule.rationale.strip()}\n\nHow to fix: {rule.remediation.strip()}{setup}\n\n"
                    f"Source: {citation}",
            "markdown": f"{escape_inline(rule.rationale)}\n\n**How to fix:** "
                        f"{escape_inline(rule.remediation)}{md_setup}\n\n"
                        f"**Source:** {link(citation, source.url)}",
        },
        "defaultConfiguration": {"level": level},
        "properties": {
            "severity": rule.severity.value,
            "area": rule.area.value,
            "modes": list(rule.modes),
            "tags": ["mcaudit", "marketing-cloud-connect", rule.area.value],
            # GitHub's name for a non-security alert's severity
            "problem.severity": {"error": "error", "warning": "warning", "note": "recommendation"}[level],
        },
    }
    href = safe_href(source.url)
    if href:
        descriptor["helpUri"] = href
    return descriptor


def _fingerprint(snapshot: JsonSnapshot, finding: JsonFinding) -> str:
    # stable across runs and line moves: the same rule on the same subject in the same org
    identity = "\x1f".join(str(part) for part in (snapshot.org_id, snapshot.mid, finding.rule_id,
                                                  finding.subject, finding.location))
    return hashlib.sha256(identity.encode("utf-8")).hexdigest()[:32]


def _result(result: JsonResult, finding: JsonFinding, rule_index: dict[str, int]) -> dict[str, Any]:
    snapshot = result.snapshot
    text = finding.message
    if finding.evidence:
        text += "\nEvidence: " + "; ".join(finding.evidence)
    location: dict[str, Any] = {
        "physicalLocation": {
            "artifactLocation": {"uri": artifact_uri(snapshot.path)},
            "region": {"startLine": finding.line or 1},
        },
    }
    if finding.location:
        location["logicalLocations"] = [{"fullyQualifiedName": finding.location,
                                         "name": finding.location.rsplit(".", 1)[-1]}]
    sarif: dict[str, Any] = {"ruleId": finding.rule_id}
    if finding.rule_id in rule_index:
        sarif["ruleIndex"] = rule_index[finding.rule_id]
    # a waived finding keeps the kind of what was waived: a failure, or a check nobody could make
    checked = (finding.waived_from or finding.status) if finding.status is Status.waived else finding.status
    if checked.value in REVIEW:
        sarif.update(kind="review", level="none")
    else:
        sarif.update(kind="fail", level=LEVELS[finding.severity.value])
    sarif["message"] = {"text": sarif_text(text)}
    sarif["locations"] = [location]
    sarif["partialFingerprints"] = {"mcauditFinding/v1": _fingerprint(snapshot, finding)}
    if finding.baseline_state:
        sarif["baselineState"] = finding.baseline_state
    if finding.status is Status.waived:
        sarif["suppressions"] = [{"kind": "external", "status": "accepted",
                                  "justification": finding.waiver_reason or "waived"}]
    sarif["properties"] = {
        "status": finding.status.value,
        "severity": finding.severity.value,
        "blocking": finding.blocking,
        "subject": finding.subject,
        "evidence": list(finding.evidence),
        "snapshot": {"path": snapshot.path, "name": snapshot.name, "org_id": snapshot.org_id,
                     "mid": snapshot.mid, "collected_at": snapshot.collected_at},
        "mode": result.mode,
        "lineKnown": finding.line is not None,
    }
    return sarif


def sarif_log(report: AuditReport) -> dict[str, Any]:
    data = build_report(report)
    rules = [_rule(rule) for rule in data.rules]
    rule_index = {rule["id"]: index for index, rule in enumerate(rules)}
    results = [_result(result, finding, rule_index)
               for result in data.results for finding in result.findings
               if finding.status.value in REPORTED]
    artifacts = list(dict.fromkeys(artifact_uri(result.snapshot.path) for result in data.results))
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "mcaudit",
                "fullName": "mcaudit: Marketing Cloud Connect health linter",
                "version": data.tool.version,
                "rules": rules,
            }},
            "automationDetails": {"id": f"mcaudit/{data.command}/"},
            "artifacts": [{"location": {"uri": uri}, "roles": ["analysisTarget"]} for uri in artifacts],
            "results": results,
            "columnKind": "unicodeCodePoints",
            "properties": {"exitCode": data.exit_code,
                           "verdicts": [{"snapshot": r.snapshot.path, "verdict": r.verdict.value}
                                        for r in data.results]},
        }],
    }


def render_sarif(report: AuditReport) -> str:
    return inert_json(json.dumps(sarif_log(report), indent=2, ensure_ascii=False)) + "\n"
