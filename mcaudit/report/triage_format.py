"""The formats of `mcaudit triage`: console, Markdown (for a ticket), HTML and JSON.

They read a TriageReport (mcaudit/diagnosis.py) and nothing else. `triage_view` builds the one
plain-data shape all four print, so a cause is worded the same everywhere: the JSON format
dumps it as is, the templates only loop over it.
"""

from __future__ import annotations

import json
from typing import Any

from markupsafe import Markup
from rich.table import Table
from rich.text import Text

from mcaudit.diagnosis import Cause, Diagnosis, TriageReport
from mcaudit.report.console_text import buffer_console, finished, hanging
from mcaudit.report.html_format import content_security_policy, stylesheet
from mcaudit.report.jinja_env import html_environment, markdown_environment
from mcaudit.report.json_format import inert_json
from mcaudit.report.presentation import printable, safe_href
from mcaudit.safetext import visible

FORMAT_VERSION = 1
LISTED = 5  # failing subjects named per likely cause; the rest are counted
SEVERITY_STYLE = {"critical": "bold red", "high": "red", "medium": "yellow", "low": "cyan", "info": "dim"}


def _cause(cause: Cause) -> dict[str, Any]:
    rule = cause.rule
    findings = [{"subject": f.subject, "status": f.status.value, "message": f.message,
                 "evidence": list(f.evidence), "location": f.location, "line": f.line}
                for f in cause.findings]
    return {
        "rule_id": rule.id, "title": rule.title, "severity": rule.severity.value, "how": cause.how,
        "next_step": cause.next_step.strip(), "setup_path": rule.setup_path,
        "source": {"cite": rule.source.cite(), "title": rule.source.title, "url": rule.source.url},
        "count": len(findings), "findings": findings[:LISTED], "not_listed": max(0, len(findings) - LISTED),
    }


def _headline(diagnosis: Diagnosis) -> str:
    likely, untold = len(diagnosis.likely), len(diagnosis.cannot_tell)
    if likely:
        return (f"{likely} likely cause{'s' if likely != 1 else ''} found; start with the first"
                + (f" ({untold} more cannot be told yet)" if untold else ""))
    if untold:
        return (f"nothing found yet, but {untold} possible cause{'s' if untold != 1 else ''} cannot be told: "
                "collect or check them, then run triage again")
    return "every cause a configuration shows is ruled out: look at the causes listed under 'also'"


def _diagnosis(diagnosis: Diagnosis) -> dict[str, Any]:
    snapshot = diagnosis.result.snapshot
    symptom = diagnosis.symptom
    return {
        "snapshot": {"path": snapshot.path, "name": snapshot.name, "org_id": snapshot.org_id,
                     "mid": snapshot.mid, "collected_at": snapshot.collected_at, "source": snapshot.source},
        "symptom": {"name": symptom.name, "title": symptom.title, "looks_like": symptom.looks_like,
                    "also_from": list(symptom.also_from)},
        "exit_code": diagnosis.exit_code,
        "headline": _headline(diagnosis),
        "likely": [_cause(cause) for cause in diagnosis.likely],
        "cannot_tell": [_cause(cause) for cause in diagnosis.cannot_tell],
        "ruled_out": [_cause(cause) for cause in diagnosis.ruled_out],
        "notes": list(diagnosis.result.gaps),
    }


def triage_view(report: TriageReport) -> dict[str, Any]:
    """The triage as plain data: what the JSON format prints and the templates loop over."""
    return {"format_version": FORMAT_VERSION, "kind": "triage",
            "tool": {"name": "mcaudit", "version": report.tool_version},
            "exit_code": report.exit_code, "diagnoses": [_diagnosis(d) for d in report.diagnoses]}


def render_triage_json(report: TriageReport) -> str:
    return inert_json(json.dumps(triage_view(report), indent=2, ensure_ascii=False)) + "\n"


def render_triage_markdown(report: TriageReport) -> str:
    return markdown_environment().get_template("triage.md.j2").render(**triage_view(report))


def render_triage_html(report: TriageReport) -> str:
    view = triage_view(report)
    for diagnosis in view["diagnoses"]:
        for key in ("likely", "cannot_tell", "ruled_out"):
            for cause in diagnosis[key]:
                cause["href"] = safe_href(cause["source"]["url"])
    style = stylesheet()
    return html_environment().get_template("triage.html.j2").render(
        **view, csp=content_security_policy(style, None), style=Markup(style))


def _likely(cause: dict[str, Any], number: int) -> Table:
    body = Text(f"{cause['rule_id']} ", style="bold")
    body.append(f"{cause['severity']}", style=SEVERITY_STYLE.get(cause["severity"], ""))
    body.append(f"  {cause['how']}")
    for finding in cause["findings"]:
        body.append("\n- ", style="dim")
        body.append(finding["message"])
    if cause["not_listed"]:
        body.append(f"\n- and {cause['not_listed']:,} more", style="dim")
    body.append("\nfix: ", style="dim")
    body.append(cause["next_step"])
    return hanging(Text(f"{number:>2}. "), body, indent=4)


def render_triage_console(report: TriageReport, *, color: bool = False, width: int = 110) -> str:
    view = triage_view(report)
    console, buffer = buffer_console(width=width, color=color)
    for position, diagnosis in enumerate(view["diagnoses"]):
        if position:
            console.print()
        snapshot = diagnosis["snapshot"]
        console.print(Text(f"mcaudit triage · {diagnosis['symptom']['title']} · "
                           f"{visible(snapshot['name'] or snapshot['path'])}", style="bold"))
        console.print(Text(visible(diagnosis["headline"]), style="bold"))
        for note in diagnosis["notes"]:
            console.print(hanging(Text("! ", style="yellow"), Text(visible(note), style="yellow"), indent=2))
        sections = (("Likely causes, most severe and most specific first", "likely"),
                    ("Can't tell yet", "cannot_tell"), ("Ruled out", "ruled_out"))
        for title, key in sections:
            if not diagnosis[key]:
                continue
            console.print()
            console.print(Text(f"{title} ({len(diagnosis[key])})", style="bold underline"))
            for number, cause in enumerate(diagnosis[key], 1):
                if key == "likely":
                    console.print(_likely(printable(cause), number))
                else:
                    line = Text(f"{cause['rule_id']} ", style="bold")
                    line.append(visible(cause["title"] if key == "ruled_out" else cause["how"]))
                    line.append(" · " + visible(cause["next_step"]), style="dim")
                    console.print(hanging(Text("  - "), line, indent=4))
        console.print()
        console.print(Text("Also possible, and no configuration shows it:", style="bold underline"))
        for item in diagnosis["symptom"]["also_from"]:
            console.print(hanging(Text("  - "), Text(visible(item)), indent=4))
    return finished(buffer, color=color)


RENDERERS = {"json": render_triage_json, "markdown": render_triage_markdown, "html": render_triage_html}


def render_triage(report: TriageReport, fmt: str, *, color: bool = False, width: int = 110) -> str:
    if fmt == "console":
        return render_triage_console(report, color=color, width=width)
    return RENDERERS[fmt](report)
