"""The console summary: findings that need attention grouped by area, then counts and verdict.

Every value from a snapshot goes into rich Text objects, never into markup strings, so a name
like "[bold]x[/]" or "<script>" prints literally.
"""

from __future__ import annotations

from io import StringIO
from typing import Any

from rich.console import Console
from rich.text import Text

from mcaudit.findings import AuditReport
from mcaudit.report.viewmodel import ATTENTION, group_by_area, report_dict

STATUS_STYLE = {
    "fail": ("FAIL", "bold red"),
    "unknown": ("UNKNOWN", "yellow"),
    "manual": ("MANUAL", "magenta"),
    "waived": ("WAIVED", "dim"),
    "pass": ("pass", "green"),
    "n/a": ("n/a", "dim"),
}
SEVERITY_STYLE = {
    "critical": "bold red",
    "high": "red",
    "medium": "yellow",
    "low": "cyan",
    "info": "dim",
}
VERDICT_STYLE = {"fail": "bold white on red", "incomplete": "bold black on yellow",
                 "pass": "bold white on green"}


def _finding_lines(finding: dict[str, Any], *, detail: bool) -> list[Text]:
    label, style = STATUS_STYLE[finding["status"]]
    head = Text("  ")
    head.append(f"{label:<8}", style=style)
    head.append(f"{finding['severity']:<9}", style=SEVERITY_STYLE[finding["severity"]])
    head.append(f"{finding['rule_id']:<7}", style="bold")
    head.append(finding["message"])
    lines = [head]
    if not detail:
        return lines
    indent = " " * 26
    for item in finding["evidence"]:
        lines.append(Text(f"{indent}evidence: ", style="dim") + Text(item))
    if finding["status"] == "fail" and finding["remediation"]:
        lines.append(Text(f"{indent}fix: ", style="dim") + Text(finding["remediation"]))
    if finding["status"] == "waived" and finding["waiver_reason"]:
        lines.append(Text(f"{indent}waived: ", style="dim") + Text(finding["waiver_reason"]))
    where = finding["source"]["cite"] if finding["source"] else ""
    if finding["location"]:
        where += f" · at {finding['location']}" + (f" (line {finding['line']})" if finding["line"] else "")
    if where:
        lines.append(Text(f"{indent}{where}", style="dim"))
    return lines


def _summary(result: dict[str, Any]) -> list[Text]:
    counts = result["summary"]["by_status"]
    line = Text(f"{result['summary']['total']} checks: ")
    parts = [(counts[key], STATUS_STYLE[key]) for key in STATUS_STYLE if counts.get(key)]
    for index, (count, (label, style)) in enumerate(parts):
        line.append(f"{count} {label.lower()}", style=style)
        if index < len(parts) - 1:
            line.append(" · ")
    severities = Text("failures by severity: ")
    for index, (severity, count) in enumerate(result["summary"]["failures_by_severity"].items()):
        severities.append(f"{severity} {count}", style=SEVERITY_STYLE[severity] if count else "dim")
        if index < 4:
            severities.append(" · ")
    return [line, severities]


def _verdict(result: dict[str, Any]) -> Text:
    verdict = result["verdict"]
    text = Text()
    text.append(f" {verdict.upper()} ", style=VERDICT_STYLE[verdict])
    blocking = result["summary"]["blocking"]
    if verdict == "fail":
        text.append(f" {blocking} finding{'s' if blocking != 1 else ''} at or above "
                    f"--fail-on {result['fail_on']}")
    elif verdict == "incomplete":
        unresolved = result["summary"]["by_status"]["unknown"] + result["summary"]["by_status"]["manual"]
        text.append(f" nothing failed at or above --fail-on {result['fail_on']}, but {unresolved} "
                    "check(s) could not be verified (unknown or manual)")
    else:
        text.append(f" nothing at or above --fail-on {result['fail_on']}")
    return text


def render_console(report: AuditReport, *, color: bool = False, verbose: bool = False,
                   quiet: bool = False, width: int = 110) -> str:
    data = report_dict(report)
    buffer = StringIO()
    console = Console(file=buffer, width=width, color_system="standard" if color else None,
                      force_terminal=color, highlight=False, emoji=False, soft_wrap=False)
    for position, result in enumerate(data["results"]):
        if position:
            console.print()
        snapshot = result["snapshot"]
        title = Text(f"mcaudit {result['mode']} · ", style="bold")
        title.append(snapshot["name"] or snapshot["path"], style="bold")
        if snapshot["name"]:
            title.append(f" · {snapshot['path']}")
        console.print(title)
        identity = (f"org {snapshot['org_id'] or '?'} · MID {snapshot['mid'] or '?'} · collected "
                    f"{snapshot['collected_at']} · {snapshot['source']}")
        if snapshot["failed_collectors"]:
            identity += f" · incomplete collectors: {', '.join(snapshot['failed_collectors'])}"
        console.print(Text(identity, style="dim"))
        if not quiet:
            for area, findings in group_by_area(result["findings"]):
                shown = [f for f in findings if verbose or f["status"] in ATTENTION]
                hidden = len(findings) - len(shown)
                if not shown and not hidden:
                    continue
                console.print()
                heading = Text(area, style="bold underline")
                if hidden:
                    heading.append(f"  ({hidden} passed or n/a hidden; --verbose shows them)",
                                   style="dim")
                console.print(heading)
                for finding in shown:
                    for line in _finding_lines(finding, detail=finding["status"] in ATTENTION):
                        console.print(line)
        console.print()
        for line in _summary(result):
            console.print(line)
        console.print(_verdict(result))
    return buffer.getvalue()
