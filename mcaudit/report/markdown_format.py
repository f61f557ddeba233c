"""The Markdown report: GitHub-flavoured, for a step summary or a support ticket.

A table with one row per rule that needs attention (every rule with --verbose), then the details
of each: what is wrong, the subjects it is wrong for, evidence, how to fix, the source. Whatever
the org's size the text stays within MAX_BYTES (GitHub accepts 1 MiB in a step summary): subjects
beyond a per-rule cap are left out, the cap shrinking until the text fits, and the report says
what it left out and where the full report is. Values are escaped by the Markdown environment
(see jinja_env and markdown_text).
"""

from __future__ import annotations

from typing import Any

from mcaudit.findings import AuditReport
from mcaudit.report.jinja_env import markdown_environment
from mcaudit.report.markdown_text import MarkdownSafe, code_span, escape_inline, link
from mcaudit.report.presentation import STATUS_LABELS, report_view, rule_groups
from mcaudit.report.viewmodel import ATTENTION, report_dict

TEMPLATE = "report.md.j2"
MAX_BYTES = 1_000_000  # under GitHub's 1 MiB step-summary limit, with room for a job's own lines
SUBJECT_CAPS = (100, 25, 5, 1)  # subjects listed per rule, tried in turn until the text fits
STATUS_ICONS = {"fail": "❌", "unknown": "❓", "manual": "🔎", "waived": "💤", "pass": "✅", "n/a": "⚪"}
VERDICT_ICONS = {"GO": "🟢", "NO-GO": "🔴", "PASS": "✅", "INCOMPLETE": "⚠️", "FAIL": "❌"}


def _counts_line(counts: dict[str, int], labels: dict[str, str] | None = None) -> str:
    return " · ".join(f"{(labels or {}).get(key, key).lower()} {count}" for key, count in counts.items())


def _source_line(source: dict[str, Any] | None, href: str | None) -> MarkdownSafe | None:
    """'KB 003834038 ([title](url))': the document's title links to it when it has an address."""
    if not source:
        return None
    return MarkdownSafe(f"{escape_inline(source['cite'])} ({link(source['title'], href)})")


def _group_view(group: dict[str, Any], cap: int) -> dict[str, Any]:
    first = group["findings"][0]
    listed = group["findings"][:cap] if group["count"] > 1 else []
    return {
        **group,
        "icon": STATUS_ICONS[group["status"]],
        "status_label": STATUS_LABELS[group["status"]],
        "first": first,
        "listed": listed,
        "left_out": group["count"] - len(listed) if group["count"] > 1 else 0,
        "source_line": _source_line(group["source"], first["source_href"]),
    }


def _result_view(result: dict[str, Any], groups: list[dict[str, Any]], *, verbose: bool, cap: int,
                 details: bool) -> dict[str, Any]:
    shown = groups if verbose else [g for g in groups if g["status"] in ATTENTION]
    summary = result["data"]["summary"]
    views = [_group_view(group, cap) for group in shown]
    return {
        **result,
        "icon": VERDICT_ICONS.get(result["banner"]["label"], ""),
        "groups": views,
        "details": views if details else [],
        "hidden": sum(g["count"] for g in groups) - sum(g["count"] for g in shown),
        "left_out": sum(v["left_out"] for v in views) if details else 0,
        "status_line": _counts_line({k: v for k, v in summary["by_status"].items() if v}, STATUS_LABELS),
        "severity_line": _counts_line(summary["failures_by_severity"]),
    }


def _full_report(companions: tuple[str, ...]) -> MarkdownSafe:
    if companions:
        return MarkdownSafe("the full report is " + ", ".join(code_span(path) for path in companions)
                            + " (written by the same run)")
    return MarkdownSafe("run again with " + code_span("--format html -o report.html") + " or "
                        + code_span("--format json") + " for every finding")


def render_markdown(report: AuditReport, *, verbose: bool = False, companions: tuple[str, ...] = (),
                    max_bytes: int = MAX_BYTES) -> str:
    """`companions`: the other report files this run writes, named where the text is shortened."""
    base = report_view(report_dict(report))
    template = markdown_environment().get_template(TEMPLATE)
    text = ""
    grouped = [rule_groups(result["findings"]) for result in base["results"]]  # once, whatever the tries
    # fewer subjects per rule until it fits; then no details at all (the table alone)
    for cap, details in [*((cap, True) for cap in SUBJECT_CAPS), (1, False)]:
        results = [_result_view(result, groups, verbose=verbose, cap=cap, details=details)
                   for result, groups in zip(base["results"], grouped, strict=True)]
        left_out = sum(result["left_out"] for result in results)
        shortened = None
        if not details:
            shortened = "the details of each rule are left out; the table lists every rule"
        elif left_out:
            shortened = f"at most {cap} subject{'s' if cap != 1 else ''} per rule are listed ({left_out:,} left out)"
        text = template.render(**{**base, "results": results}, shortened=shortened,
                               full_report=_full_report(companions))
        if len(text.encode("utf-8")) <= max_bytes:
            return text
    return _cut(text, max_bytes, _full_report(companions))


def _cut(text: str, max_bytes: int, full_report: str) -> str:
    """The last resort (thousands of snapshots): the text cut at a line, saying so."""
    note = f"\n\n> **Cut to fit {max_bytes:,} bytes:** {full_report}.\n"
    room = max_bytes - len(note.encode("utf-8"))
    head = text.encode("utf-8")[:room].decode("utf-8", errors="ignore")
    return head[:head.rfind("\n")] + note
