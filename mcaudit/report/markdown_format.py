"""The Markdown report: GitHub-flavoured, for a step summary or a support ticket.

One table of what needs attention (every check with --verbose), then the details of each.
Values are escaped by the Markdown environment (see jinja_env and markdown_text).
"""

from __future__ import annotations

from typing import Any

from mcaudit.findings import AuditReport
from mcaudit.report.jinja_env import markdown_environment
from mcaudit.report.markdown_text import MarkdownSafe, escape_inline, link
from mcaudit.report.presentation import STATUS_LABELS, report_view
from mcaudit.report.viewmodel import ATTENTION, report_dict

TEMPLATE = "report.md.j2"
STATUS_ICONS = {"fail": "❌", "unknown": "❓", "manual": "🔎", "waived": "💤", "pass": "✅", "n/a": "⚪"}
VERDICT_ICONS = {"GO": "🟢", "NO-GO": "🔴", "PASS": "✅", "INCOMPLETE": "⚠️", "FAIL": "❌"}


def _counts_line(counts: dict[str, int], labels: dict[str, str] | None = None) -> str:
    return " · ".join(f"{(labels or {}).get(key, key).lower()} {count}" for key, count in counts.items())


def _source_line(finding: dict[str, Any]) -> MarkdownSafe | None:
    """'KB 003834038 ([title](url))': the document's title links to it when it has an address."""
    source = finding["source"]
    if not source:
        return None
    return MarkdownSafe(f"{escape_inline(source['cite'])} ({link(source['title'], finding['source_href'])})")


def _with_icons(result: dict[str, Any], *, verbose: bool) -> dict[str, Any]:
    findings = [{**f, "icon": STATUS_ICONS[f["status"]], "source_line": _source_line(f)}
                for f in result["findings"]]
    attention = [f for f in findings if f["status"] in ATTENTION]
    table = findings if verbose else attention
    summary = result["data"]["summary"]
    return {
        **result,
        "icon": VERDICT_ICONS.get(result["banner"]["label"], ""),
        "attention": attention,
        "table": table,
        "hidden": len(findings) - len(table),
        "status_line": _counts_line({k: v for k, v in summary["by_status"].items() if v}, STATUS_LABELS),
        "severity_line": _counts_line(summary["failures_by_severity"]),
    }


def render_markdown(report: AuditReport, *, verbose: bool = False) -> str:
    view = report_view(report_dict(report))
    view["results"] = [_with_icons(result, verbose=verbose) for result in view["results"]]
    return markdown_environment().get_template(TEMPLATE).render(**view)
