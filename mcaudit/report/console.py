"""The console summary: the verdict and counts first, then findings most urgent first, a rule
failing for many subjects as one entry with its count.

Every value from a snapshot goes into rich Text objects, never into markup strings, so a name
like "[bold]x[/]" or "<script>" prints literally; and every value passes `visible` first, so a
newline, a terminal escape or a bidi override in it shows as `\\n`, `\\x1b`, `\\u202e` and a
finding stays on its lines. Without colour (a file, a pipe, a CI log) the finished text passes
`visible` once more, so a value that wrapping puts at the start of a line cannot start a CI log
command there either.
"""

from __future__ import annotations

from typing import Any

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text

from mcaudit.findings import AuditReport
from mcaudit.report.console_text import buffer_console, finished, hanging
from mcaudit.report.presentation import banner, fleet, printable, rule_groups
from mcaudit.report.viewmodel import ATTENTION, report_dict
from mcaudit.safetext import visible

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
DECISION_STYLE = {"GO": "bold white on green", "NO-GO": "bold white on red"}


SECTIONS = {
    "fail": "Failed",
    "unknown": "Unknown: the data was not collected",
    "manual": "Manual: no API shows it, a person must look",
    "waived": "Waived",
    "pass": "Passed",
    "n/a": "Not applicable",
}
MORE_SUBJECTS = 3  # subjects named after a group's first finding before "and N more"


def _row(severity: str, rule_id: str, body: Text) -> Table:
    """severity, rule id, then the body wrapped in its own column."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(width=1)
    grid.add_column(width=8, no_wrap=True)
    grid.add_column(width=6, no_wrap=True)
    grid.add_column(ratio=1)
    grid.add_row("", Text(severity, style=SEVERITY_STYLE[severity]), Text(rule_id, style="bold"), body)
    return grid


def _details(finding: dict[str, Any]) -> Text:
    """The finding's message, then its evidence, fix, source and place in the snapshot."""
    body = Text(finding["message"])
    if finding.get("baseline_state") == "unchanged":
        body.append("  (in the baseline)", style="dim")
    extra: list[tuple[str, str]] = [("evidence: ", item) for item in finding["evidence"]]
    if finding["status"] in ("fail", "manual") and finding["remediation"]:
        extra.append(("fix: ", finding["remediation"]))
    if finding["status"] == "waived" and finding["waiver_reason"]:
        extra.append(("waived: ", finding["waiver_reason"]))
    source = finding["source"]
    where = source["cite"] + (f" {source['url']}" if source["url"] else "") if source else ""
    if finding["location"]:
        where += f" · at {finding['location']}" + (f" (line {finding['line']})" if finding["line"] else "")
    if where:
        extra.append(("", where))
    for key, value in extra:
        body.append("\n")
        body.append(key, style="dim")
        body.append(value, style="dim" if not key else "")
    return body


def _summary_line(finding: dict[str, Any], group: dict[str, Any]) -> Text:
    """A group in one entry: its first finding's message, then how many more and whom."""
    body = Text(finding["message"])
    if finding.get("baseline_state") == "unchanged":
        body.append("  (in the baseline)", style="dim")
    rest = group["findings"][1:]
    if rest:
        named = ", ".join(f["subject"] for f in rest[:MORE_SUBJECTS])
        more = len(rest) - MORE_SUBJECTS
        body.append(f"\n+ {len(rest):,} more: {named}" + (f" and {more:,} more" if more > 0 else ""),
                    style="dim")
    return body


def _counts(result: dict[str, Any]) -> Text:
    counts = result["summary"]["by_status"]
    total = result["summary"]["total"]
    line = Text(f"{total:,} check{'' if total == 1 else 's'}: ")
    parts = [(counts[key], STATUS_STYLE[key]) for key in STATUS_STYLE if counts.get(key)]
    for index, (count, (label, style)) in enumerate(parts):
        line.append(f"{count:,} {label.lower()}", style=style)
        if index < len(parts) - 1:
            line.append(" · ")
    line.append(" | failures by severity: ")
    for index, (severity, count) in enumerate(result["summary"]["failures_by_severity"].items()):
        line.append(f"{severity} {count:,}", style=SEVERITY_STYLE[severity] if count else "dim")
        if index < 4:
            line.append(" · ")
    return line


def _verdict(result: dict[str, Any]) -> list[RenderableType]:
    """The verdict banner: label, why, and what to do next (shared wording: presentation.banner)."""
    said = banner(result)
    style = DECISION_STYLE.get(said["label"]) or VERDICT_STYLE[result["verdict"]]
    body = Text(said["detail"])
    known = sum(1 for f in result["findings"] if f.get("baseline_state") == "unchanged")
    if known:
        body.append(f" · {known} failure{'s' if known != 1 else ''} already in the baseline", style="dim")
    body.append("\n" + said["action"], style="bold")
    threshold = f"threshold --fail-on {result['fail_on']}" + (" (strict)" if result["strict"] else "")
    body.append(f"\n{threshold}", style="dim")
    return [hanging(Text(f" {said['label']} ", style=style), body, indent=len(said["label"]) + 3)]


def _runbook_lines(result: dict[str, Any]) -> list[RenderableType]:
    """A preflight's anticipated impact, runbook and notes."""
    runbook = printable(result["runbook"])  # each part as it is printed, not the passes only counted
    if runbook is None:
        return []
    lines: list[RenderableType] = [Text(), Text("Anticipated impact if rotated now", style="bold underline")]
    lines += [hanging("  - ", Text(item), indent=4) for item in runbook["impact"]]
    lines += [Text(), Text("Runbook", style="bold underline")]
    for step in runbook["steps"]:
        body = Text(f"[{step['phase']}] ", style="bold") + Text(step["action"])
        if step["note"]:
            body.append("\nnote: ", style="dim")
            body.append(step["note"])
        lines.append(hanging(f"  {step['number']:>2}. ", body, indent=6))
    lines += [Text(), Text("Notes", style="bold underline")]
    lines += [hanging("  - ", Text(note), indent=4) for note in runbook["notes"]]
    return lines


def _findings_lines(result: dict[str, Any], *, verbose: bool) -> list[RenderableType]:
    """Sections by status (failed first), each ordered by severity across areas. By default a rule
    is one entry with its count; --verbose lists every finding with its evidence and fix. A
    verify lists its passes with their evidence by default: they are what it proves."""
    listed = set(ATTENTION) | ({"pass"} if result["mode"] == "verify" else set())
    lines: list[RenderableType] = []
    groups = rule_groups(result["findings"])
    for status, title in SECTIONS.items():
        members = [g for g in groups if g["status"] == status]
        if not members or not (verbose or status in listed):
            continue
        count = sum(g["count"] for g in members)
        lines += [Text(), Text(f"{title} ({count:,})", style="bold underline " + STATUS_STYLE[status][1])]
        detailed = verbose or status == "pass"
        for group in members:
            shown = printable(group["findings"])
            if detailed:
                lines += [_row(group["severity"], group["rule_id"], _details(f)) for f in shown]
            else:
                lines.append(_row(group["severity"], group["rule_id"], _summary_line(shown[0], printable(group))))
    hidden = sum(1 for f in result["findings"] if f["status"] not in listed)
    if not verbose:
        hint = "--verbose adds evidence, fixes and sources, and lists every subject"
        if hidden:
            hint = (f"{hidden:,} passed or n/a check{'' if hidden == 1 else 's'} not listed; --verbose lists "
                    "every check and subject, with evidence, fixes and sources")
        lines += [Text(), Text(hint, style="dim")]
    return lines


def _tail(path: str, room: int) -> str:
    """The end of a long path, which names the file, so the heading stays one line wherever the
    snapshot lives and the verdict keeps its place."""
    return path if len(path) <= room else "…" + path[-(room - 1):]


def render_console(report: AuditReport, *, color: bool = False, verbose: bool = False,
                   quiet: bool = False, width: int = 110) -> str:
    """Per snapshot: what was audited, the verdict with its next action and the counts, what was
    not collected (once), a preflight's runbook, then the findings most urgent first."""
    data = report_dict(report)
    console, buffer = buffer_console(width=width, color=color)
    for position, result in enumerate(data["results"]):
        if position:
            console.print()
        snapshot = printable(result["snapshot"])
        title = Text(f"mcaudit {result['mode']} · ", style="bold")
        if snapshot["name"]:
            title.append(snapshot["name"], style="bold")
            title.append(" · ")
        room = max(width - len(title.plain), 12)
        title.append(_tail(snapshot["path"], room), style="" if snapshot["name"] else "bold")
        console.print(title)
        identity = (f"org {snapshot['org_id'] or '?'} · MID {snapshot['mid'] or '?'} · collected "
                    f"{snapshot['collected_at']} · {snapshot['source']}")
        if snapshot["failed_collectors"]:
            identity += f" · incomplete collectors: {', '.join(snapshot['failed_collectors'])}"
        console.print(Text(identity, style="dim"))
        console.print()
        for line in _verdict(printable(result)):
            console.print(line)
        console.print(_counts(result))
        gaps = report.results[position].gaps
        if gaps:  # once, above the per-check lines that each repeat "not collected"
            console.print()
            for gap in gaps:
                console.print(hanging(Text("! ", style="bold yellow"), Text(visible(gap), style="yellow"),
                                       indent=2))
        if quiet:
            continue
        for line in _runbook_lines(result) + _findings_lines(result, verbose=verbose):
            console.print(line)
    roll_up = fleet(data)
    if roll_up is not None:
        console.print()
        console.print(Text(roll_up["line"], style="bold"))
    return finished(buffer, color=color)
