"""What the human formats (console, Markdown, HTML) show besides the data: verdict wording,
groups, counts and labels. Derived from report_dict in Python, so templates only loop and print
and every format words a verdict the same way.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from mcaudit.findings import SEVERITIES, STATUSES, Area, Status
from mcaudit.report.viewmodel import ATTENTION
from mcaudit.safetext import visible

STATUS_LABELS = {
    "fail": "FAIL",
    "unknown": "UNKNOWN",
    "manual": "MANUAL",
    "waived": "WAIVED",
    "pass": "PASS",
    "n/a": "N/A",
}
STATUS_HELP = {
    "fail": "the check failed",
    "unknown": "the data the check needs was not collected",
    "manual": "no API shows it: a person must look",
    "waived": "failed, but waived with a reason",
    "pass": "the check passed",
    "n/a": "nothing to check",
}
MODE_TITLES = {
    "audit": "Connection audit",
    "preflight": "Credential-rotation preflight",
    "verify": "Post-rotation verification",
}
PHASE_TITLES = {
    "pause": "Pause",
    "rotate": "Rotate",
    "reauthenticate": "Re-authenticate",
    "restore": "Restore",
    "verify": "Verify",
}
ASSET_LABELS = {
    "triggered_send": "Triggered send",
    "journey": "Journey",
    "scheduled_send": "Scheduled send",
}
OTHER_AREA = ("other", "Other")
# rule prose from YAML block scalars: its own line breaks are kept, its final one dropped
PROSE = frozenset({"remediation", "rationale", "manual_instructions"})


def printable(value: Any, key: str = "") -> Any:
    """A part of the view-model with every string in it made visible (safetext.visible), for the
    formats a person reads as plain text (console, JUnit): a value is one line, rule prose keeps
    its own line breaks."""
    if isinstance(value, str):
        return visible(value.strip(), newlines=True) if key in PROSE else visible(value)
    if isinstance(value, dict):
        return {name: printable(item, name) for name, item in value.items()}
    if isinstance(value, list):
        return [printable(item, key) for item in value]
    return value


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def banner(result: dict[str, Any]) -> dict[str, str]:
    """The verdict as a label, a tone (pass/warn/fail) and one sentence of why.

    A preflight is GO only on a clean pass: anything unproven is NO-GO (SPEC section 4).
    """
    verdict = result["verdict"]
    fail_on = result["fail_on"]
    blocking = result["summary"]["blocking"]
    by_status = result["summary"]["by_status"]
    unresolved = by_status[Status.unknown.value] + by_status[Status.manual.value]
    if verdict == "fail":
        detail = f"{_plural(blocking, 'finding')} at or above --fail-on {fail_on}"
    elif verdict == "incomplete":
        detail = (f"nothing failed at or above --fail-on {fail_on}, but {unresolved} "
                  "check(s) could not be verified (unknown or manual)")
    else:
        detail = f"nothing at or above --fail-on {fail_on}"
    if result["mode"] == "preflight":
        go = result.get("decision", "GO" if verdict == "pass" else "NO-GO") == "GO"
        if verdict == "incomplete":
            detail = f"{unresolved} check(s) could not be proven (unknown or manual); a preflight needs proof"
        return {"label": "GO" if go else "NO-GO", "tone": "pass" if go else "fail", "detail": detail}
    tone = {"pass": "pass", "incomplete": "warn", "fail": "fail"}[verdict]
    return {"label": verdict.upper(), "tone": tone, "detail": detail}


def area_key(finding: dict[str, Any]) -> str:
    return str(finding["area"] or OTHER_AREA[0])


def area_groups(findings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """[{key, title, findings, attention}] in catalog order of areas; empty areas left out."""
    order = [(area.value, area.label) for area in Area] + [OTHER_AREA]
    groups = []
    for key, title in order:
        members = [f for f in findings if area_key(f) == key]
        if members:
            groups.append({"key": key, "title": title, "findings": members,
                           "attention": sum(1 for f in members if f["status"] in ATTENTION)})
    return groups


def safe_href(url: str | None) -> str | None:
    """Only http(s) links are clickable; a rule file from --rules-dir is not trusted markup."""
    if not url:
        return None
    return url if urlsplit(url).scheme in {"http", "https"} else None


def where(finding: dict[str, Any], snapshot_path: str) -> str:
    """'samples/x.yaml:12 (salesforce.users[3])': the place in the snapshot a finding is about."""
    text = snapshot_path + (f":{finding['line']}" if finding["line"] else "")
    return text + (f" ({finding['location']})" if finding["location"] else "")


def css_key(value: str) -> str:
    """A value as a CSS class suffix: 'n/a' -> 'na'."""
    return value.replace("/", "")


def finding_view(finding: dict[str, Any], snapshot_path: str) -> dict[str, Any]:
    source = finding["source"]
    return {
        **finding,
        "area_key": area_key(finding),
        "status_key": css_key(finding["status"]),
        "status_label": STATUS_LABELS[finding["status"]],
        "where": where(finding, snapshot_path),
        "source_href": safe_href(source["url"]) if source else None,
    }


def result_view(result: dict[str, Any], index: int) -> dict[str, Any]:
    findings = [finding_view(f, result["snapshot"]["path"]) for f in result["findings"]]
    severity_counts = {sev.value: sum(1 for f in findings if f["severity"] == sev.value) for sev in SEVERITIES}
    return {
        "data": result,
        "anchor": f"snapshot-{index + 1}",
        "title": result["snapshot"]["name"] or result["snapshot"]["path"],
        "mode_title": MODE_TITLES.get(result["mode"], result["mode"]),
        "banner": banner(result),
        "findings": findings,
        "groups": area_groups(findings),
        "attention": [f for f in findings if f["status"] in ATTENTION],
        "severity_counts": severity_counts,
        "runbook": runbook_view(result.get("runbook")),
    }


def runbook_view(runbook: dict[str, Any] | None) -> dict[str, Any] | None:
    if not runbook:
        return None
    steps = [{**step,
              "phase_title": PHASE_TITLES.get(step["phase"], step["phase"].capitalize()),
              "asset_label": ASSET_LABELS.get(step["asset_kind"] or "", (step["asset_kind"] or "").replace("_", " "))}
             for step in runbook["steps"]]
    return {**runbook, "steps": steps}


def facets(results: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """The filter buttons: each value with its count over every snapshot, and whether it starts on.

    Passed and n/a results start hidden: the report opens on what needs attention.
    """
    findings = [f for result in results for f in result["findings"]]
    areas = area_groups(findings)
    return {
        "severity": [{"value": sev.value, "label": sev.value, "css": f"sev-{sev.value}",
                      "count": sum(1 for f in findings if f["severity"] == sev.value), "on": True}
                     for sev in SEVERITIES],
        "status": [{"value": status.value, "label": STATUS_LABELS[status.value].lower(),
                    "css": f"st-{css_key(status.value)}",
                    "count": sum(1 for f in findings if f["status"] == status.value),
                    "on": status.value in ATTENTION}
                   for status in STATUSES],
        "area": [{"value": group["key"], "label": group["title"], "css": f"area-{group['key']}",
                  "count": len(group["findings"]),
                  "on": True} for group in areas],
    }


_TONE_ORDER = ("fail", "warn", "pass")


def fleet(data: dict[str, Any]) -> dict[str, Any] | None:
    """The roll-up of a run over several snapshots: how many ended each way, and the exit code.

    `line` is what console and Markdown close with: "3 snapshots: 1 FAIL, 1 INCOMPLETE, 1 PASS; exit 1".
    None for a single snapshot, whose own verdict says it all.
    """
    if len(data["results"]) < 2:
        return None
    banners = [banner(result) for result in data["results"]]
    counts: dict[str, dict[str, Any]] = {}
    for item in sorted(banners, key=lambda b: _TONE_ORDER.index(b["tone"])):
        entry = counts.setdefault(item["label"], {"label": item["label"], "tone": item["tone"], "count": 0})
        entry["count"] += 1
    parts = ", ".join(f"{entry['count']} {entry['label']}" for entry in counts.values())
    total = len(data["results"])
    return {"total": total, "counts": list(counts.values()), "exit_code": data["exit_code"],
            "line": f"{total} snapshots: {parts}; exit {data['exit_code']}"}


def report_view(data: dict[str, Any]) -> dict[str, Any]:
    """report_dict plus everything the Markdown and HTML templates show."""
    results = [result_view(result, index) for index, result in enumerate(data["results"])]
    modes = {result["mode"] for result in data["results"]}
    return {
        "report": data,
        "results": results,
        "facets": facets(data["results"]),
        "fleet": fleet(data),
        "title": f"mcaudit {data['command']}",
        "mode_title": MODE_TITLES.get(next(iter(modes)), data["command"]) if len(modes) == 1 else "Report",
        "status_labels": STATUS_LABELS,
        "status_help": STATUS_HELP,
        "status_keys": {status.value: css_key(status.value) for status in STATUSES},
        "phase_titles": PHASE_TITLES,
    }
