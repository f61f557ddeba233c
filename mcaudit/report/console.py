"""The console summary: findings that need attention grouped by area, then counts and verdict.

Every value from a snapshot goes into rich Text objects, never into markup strings, so a name
like "[bold]x[/]" or "<script>" prints literally; and every value passes `visible` first, so a
newline, a terminal escape or a bidi override in it shows as `\\n`, `\\x1b`, `\\u202e` and a
finding stays on its lines. Without colour (a file, a pipe, a CI log) the finished text passes
`visible` once more, so a value that wrapping puts at the start of a line cannot start a CI log
command there either.
"""

from __future__ import annotations

from collections import Counter
from io import StringIO
from typing import Any

from rich.console import Console, RenderableType
from rich.table import Table
from rich.text import Text

from mcaudit.findings import AuditReport
from mcaudit.report.presentation import fleet, printable
from mcaudit.report.viewmodel import ATTENTION, group_by_area, report_dict
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


def _finding_row(finding: dict[str, Any], *, detail: bool) -> Table:
    """One finding as a grid row: long messages and evidence wrap inside their own column."""
    label, style = STATUS_STYLE[finding["status"]]
    body = Text(finding["message"])
    if finding.get("baseline_state") == "unchanged":
        body.append("  (in the baseline)", style="dim")
    if detail:
        extra: list[tuple[str, str]] = [("evidence: ", item) for item in finding["evidence"]]
        if finding["status"] == "fail" and finding["remediation"]:
            extra.append(("fix: ", finding["remediation"]))
        if finding["status"] == "waived" and finding["waiver_reason"]:
            extra.append(("waived: ", finding["waiver_reason"]))
        where = finding["source"]["cite"] if finding["source"] else ""
        if finding["location"]:
            where += f" · at {finding['location']}" + (f" (line {finding['line']})" if finding["line"] else "")
        if where:
            extra.append(("", where))
        for key, value in extra:
            body.append("\n")
            body.append(key, style="dim")
            body.append(value, style="dim" if not key else "")
    grid = Table.grid(padding=(0, 1))
    grid.add_column(width=1)
    grid.add_column(width=7, no_wrap=True)
    grid.add_column(width=8, no_wrap=True)
    grid.add_column(width=6, no_wrap=True)
    grid.add_column(ratio=1)
    grid.add_row("", Text(label, style=style), Text(finding["severity"], style=SEVERITY_STYLE[finding["severity"]]),
                 Text(finding["rule_id"], style="bold"), body)
    return grid


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
    decision = result.get("decision")
    if decision:  # a preflight ends as it began: GO or NO-GO, never a bare PASS
        text.append(f" {decision} ", style=DECISION_STYLE[decision])
        blocking = result["summary"]["blocking"]
        text.append(" every precondition is proven" if decision == "GO" else
                    f" {blocking} precondition{'s' if blocking != 1 else ''} not proven (see above)")
        return text
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
    known = sum(1 for f in result["findings"] if f.get("baseline_state") == "unchanged")
    if known:
        text.append(f" · {known} failure{'s' if known != 1 else ''} already in the baseline", style="dim")
    return text


def _hanging(prefix: Text | str, body: Text, *, indent: int) -> Table:
    """`prefix` then `body`, with wrapped lines of the body aligned under its first line."""
    grid = Table.grid()
    grid.add_column(width=indent, no_wrap=True)
    grid.add_column(ratio=1)
    grid.add_row(prefix, body)
    return grid


def _preflight_lines(result: dict[str, Any], *, quiet: bool) -> list[RenderableType]:
    """A preflight leads with its decision, then what would fail, the runbook and its notes."""
    decision = result["decision"]
    if decision == "GO":
        reason = Text("nothing that a credential rotation breaks is running, and every preflight check passed")
    else:
        titles = {f["rule_id"]: visible(f["title"]) for f in result["findings"]}
        open_ = Counter((f["rule_id"], f["status"]) for f in result["findings"]
                        if f["status"] not in ("pass", "n/a", "waived"))
        reason = Text("do not rotate the credentials yet: " + "; ".join(
            f"{rule_id} {titles[rule_id]} ({count} {status})" for (rule_id, status), count in sorted(open_.items())))
    head = _hanging(Text(f" {decision} ", style=DECISION_STYLE[decision]), reason, indent=len(decision) + 3)
    lines: list[RenderableType] = [Text(), head]
    runbook = printable(result["runbook"])  # each part as it is printed, not the passes only counted
    if quiet or runbook is None:
        return lines
    lines += [Text(), Text("Anticipated impact if rotated now", style="bold underline")]
    lines += [_hanging("  - ", Text(item), indent=4) for item in runbook["impact"]]
    lines += [Text(), Text("Runbook", style="bold underline")]
    for step in runbook["steps"]:
        body = Text(f"[{step['phase']}] ", style="bold") + Text(step["action"])
        if step["note"]:
            body.append("\nnote: ", style="dim")
            body.append(step["note"])
        lines.append(_hanging(f"  {step['number']:>2}. ", body, indent=6))
    lines += [Text(), Text("Notes", style="bold underline")]
    lines += [_hanging("  - ", Text(note), indent=4) for note in runbook["notes"]]
    return lines


def render_console(report: AuditReport, *, color: bool = False, verbose: bool = False,
                   quiet: bool = False, width: int = 110) -> str:
    data = report_dict(report)
    buffer = StringIO()
    console = Console(file=buffer, width=width, color_system="standard" if color else None,
                      force_terminal=color, highlight=False, emoji=False, soft_wrap=False)
    for position, result in enumerate(data["results"]):
        if position:
            console.print()
        snapshot = printable(result["snapshot"])
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
        if result.get("decision"):
            for line in _preflight_lines(result, quiet=quiet):
                console.print(line)
        gaps = report.results[position].gaps
        if gaps:  # once, above the per-check lines that each repeat "not collected"
            console.print()
            for gap in gaps:
                console.print(_hanging(Text("! ", style="bold yellow"), Text(visible(gap), style="yellow"),
                                       indent=2))
        # a verify's passes are its evidence (what an admin attaches to the change ticket), so they
        # are listed by default, each with its evidence
        detailed = ATTENTION | {"pass"} if result["mode"] == "verify" else ATTENTION
        if not quiet:
            for area, findings in group_by_area(result["findings"]):
                shown = [f for f in findings if verbose or f["status"] in detailed]
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
                    console.print(_finding_row(printable(finding), detail=finding["status"] in detailed))
        console.print()
        for line in _summary(result):
            console.print(line)
        console.print(_verdict(result))
    roll_up = fleet(data)
    if roll_up is not None:
        console.print()
        console.print(Text(roll_up["line"], style="bold"))
    text = buffer.getvalue()
    if not color:  # grid padding leaves trailing blanks that only clutter files and diffs
        text = visible("\n".join(line.rstrip() for line in text.splitlines()) + "\n", newlines=True)
    return text
