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
    "check-payload": "Request check",
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


def _rated(fail_on: str) -> str:
    """' rated high or above': the --fail-on threshold in words; nothing when every severity counts."""
    if fail_on == "info":
        return ""
    return " rated critical" if fail_on == "critical" else f" rated {fail_on} or above"


def _listed(items: list[str], *, limit: int = 3) -> str:
    """'a, b and c', or 'a, b, c and 4 more'."""
    if len(items) > limit:
        return ", ".join(items[:limit]) + f" and {len(items) - limit} more"
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _pause_steps(result: dict[str, Any]) -> tuple[set[str], str]:
    """Where in the snapshot the assets the runbook pauses are, and which steps pause them ('steps 1-4')."""
    steps = [step for step in (result.get("runbook") or {}).get("steps", []) if step["phase"] == "pause"]
    numbers = [step["number"] for step in steps]
    where = ""
    if numbers:
        where = f"step {numbers[0]}" if len(numbers) == 1 else f"steps {numbers[0]}-{numbers[-1]}"
    return {step["asset_location"] for step in steps if step.get("asset_location")}, where


def _no_go_reason(result: dict[str, Any]) -> tuple[str, str]:
    """What stands between this preflight and GO, naming the assets to pause, and what to do.

    The first failing rule to name an asset claims it for the list of assets to pause; a later
    rule about the same assets (the ejection acknowledgement) and every other open check are said
    with their own first message, so the reason never repeats an asset or hides a step."""
    paused, steps = _pause_steps(result)
    assets: list[str] = []
    others: list[dict[str, Any]] = []
    for group in rule_groups(result["findings"]):
        if group["status"] not in ATTENTION or group["status"] == Status.waived.value:
            continue
        subjects = [f["subject"] for f in group["findings"]]
        fresh = [subject for subject in subjects if subject not in assets]
        # a failing finding is about an asset the runbook pauses when it is located where that asset is
        if group["status"] == Status.fail.value and fresh and all(f["location"] in paused for f in group["findings"]):
            assets.extend(dict.fromkeys(fresh))
        else:
            others.append(group)
    parts = []
    if assets:
        parts.append(f"{_plural(len(assets), 'asset')} would stop sending: {_listed(assets)}")
    if others:
        said = [f"{g['rule_id']}: {g['findings'][0]['message']}" + (f" (+{g['count'] - 1} more)" if g["count"] > 1
                                                                     else "") for g in others[:2]]
        more = f"; and {_plural(len(others) - 2, 'more check')}" if len(others) > 2 else ""
        parts.append("also " + "; ".join(said) + more)
    reason = "do not rotate the credentials yet: " + "; ".join(parts or ["a precondition is not proven"])
    action = (f"Pause {'it' if len(assets) == 1 else 'them'} as the runbook says ({steps}), "
              if assets else "Resolve what is listed, ")
    return reason, action + "run the preflight again, and rotate only on GO."


def banner(result: dict[str, Any]) -> dict[str, str]:
    """The verdict as a label, a tone (pass/warn/fail), one sentence of why and the next action,
    in plain words (the threshold flag is shown beside it, not in it).

    A preflight is GO only on a clean pass: anything unproven is NO-GO (SPEC section 4).
    """
    verdict = result["verdict"]
    rated = _rated(result["fail_on"])
    blocking = result["summary"]["blocking"]
    by_status = result["summary"]["by_status"]
    unresolved = by_status[Status.unknown.value] + by_status[Status.manual.value]
    if result["mode"] == "preflight":
        if result.get("decision", "GO" if verdict == "pass" else "NO-GO") == "GO":
            return {"label": "GO", "tone": "pass",
                    "detail": "safe to rotate: nothing a rotation breaks is unpaused, and every precondition is proven",
                    "action": "Follow the runbook step by step, then run mcaudit verify."}
        if "findings" in result:
            reason, action = _no_go_reason(result)
        else:
            reason, action = "do not rotate the credentials yet", "Run the preflight again once it is resolved."
        return {"label": "NO-GO", "tone": "fail", "detail": reason, "action": action}
    again = "mcaudit verify" if result["mode"] == "verify" else "mcaudit again"
    if verdict == "fail":
        return {"label": "FAIL", "tone": "fail",
                "detail": f"{_plural(blocking, 'problem')}{rated} must be fixed",
                "action": f"Fix them, most severe first (each one says how), then run {again}."}
    if verdict == "incomplete":
        return {"label": "INCOMPLETE", "tone": "warn",
                "detail": f"nothing{rated} failed, but {_plural(unresolved, 'check')} could not be made",
                "action": f"Collect what is missing or look by hand, as each one says, then run {again}."}
    below = by_status[Status.fail.value] - blocking if Status.fail.value in by_status else 0
    kind = "problem" if result["fail_on"] == "never" else "lower-rated problem"
    action = (f"{_plural(below, kind)} {'is' if below == 1 else 'are'} listed for "
              "information." if below > 0 else "Nothing to do.")
    if result["mode"] == "verify":
        action = "The rotation is complete: attach this report to the change record." + (
            f" {action}" if below > 0 else "")
    detail = f"nothing{rated} failed, and every check could be made"
    if result["fail_on"] == "never":  # nothing can fail the run: say so, not a threshold
        detail = "no finding sets the exit code (--fail-on never)"
        if unresolved:
            detail += f"; {_plural(unresolved, 'check')} could not be made"
    return {"label": "PASS", "tone": "pass", "detail": detail,
            "action": action}


STATUS_ORDER = {status.value: index for index, status in enumerate(STATUSES)}
SEVERITY_ORDER = {severity.value: index for index, severity in enumerate(SEVERITIES)}


def rule_groups(findings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Findings grouped by rule and status, most urgent first: failures before the unproven, the
    unproven before passes; within a status, by severity across areas, then by rule id.

    A rule that fails for 2,000 users is one group with a count, so every format can show the
    first few subjects and say how many more there are.
    """
    groups: dict[tuple[str, str], dict[str, Any]] = {}
    for finding in findings:
        key = (finding["rule_id"], finding["status"])
        group = groups.get(key)
        if group is None:
            group = groups[key] = {
                "rule_id": finding["rule_id"], "title": finding["title"], "status": finding["status"],
                "severity": finding["severity"], "area": finding["area"], "findings": [],
                "blocking": False, "source": finding["source"], "remediation": finding["remediation"],
                "setup_path": finding["setup_path"]}
        group["findings"].append(finding)
        group["blocking"] = group["blocking"] or finding["blocking"]
    ordered = sorted(groups.values(), key=lambda g: (STATUS_ORDER.get(g["status"], len(STATUS_ORDER)),
                                                      SEVERITY_ORDER.get(g["severity"], len(SEVERITY_ORDER)),
                                                      g["rule_id"]))
    for group in ordered:
        group["count"] = len(group["findings"])
    return ordered


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


# --- the HTML report: one card per rule and status, filters that say what they show ---------------

HTML_IN_FULL = 3  # the first findings of a group shown in full (evidence, place in the snapshot)
# how many more of a group are listed one line each: every format stays small at enterprise size
HTML_LISTED_ATTENTION = 2_000
HTML_LISTED_OTHER = 50
HTML_LISTED_PER_SNAPSHOT = 10_000
SEVERITY_FLOOR_LABELS = {
    "critical": "critical only",
    "high": "high or above",
    "medium": "medium or above",
    "low": "low or above",
    "info": "any (info and above)",
}
SHOW_OPTIONS: tuple[tuple[str, str, frozenset[str]], ...] = (
    ("attention", "Needs attention (fail, unknown, manual, waived)", ATTENTION),
    ("fail", "Failed only", frozenset({Status.fail.value})),
    ("unproven", "Not proven (unknown or manual)", frozenset({Status.unknown.value, Status.manual.value})),
    ("waived", "Waived", frozenset({Status.waived.value})),
    ("pass", "Passed", frozenset({Status.pass_.value})),
    ("n/a", "Not applicable", frozenset({Status.na.value})),
    ("all", "Everything", frozenset(status.value for status in STATUSES)),
)


def _count(number: int, word: str) -> str:
    """'2,492 findings', '1 rule'."""
    return f"{number:,} {word}{'' if number == 1 else 's'}"


def _line(finding: dict[str, Any]) -> str:
    """A finding as one line: its message, led by its subject when the message does not name it."""
    subject, message = finding["subject"], finding["message"]
    return message if not subject or subject in message else f"{subject}: {message}"


def html_cards(findings: list[dict[str, Any]], *, in_full: int = HTML_IN_FULL,
               listed_attention: int = HTML_LISTED_ATTENTION, listed_other: int = HTML_LISTED_OTHER,
               listed_total: int = HTML_LISTED_PER_SNAPSHOT) -> list[dict[str, Any]]:
    """rule_groups of one snapshot's finding views (result_view's `findings`) as HTML cards.

    The heading says what is wrong (fail) or what holds (pass): the finding's message, with the
    count when the rule concerns several subjects; the rule title is secondary. The first
    `in_full` findings are shown in full, the next ones one line each (`listed`) up to a cap per
    group and per snapshot (most urgent groups first), and `not_listed` says how many the page
    leaves out (the JSON report lists every finding).
    """
    budget = listed_total
    cards = []
    for group in rule_groups(findings):
        members = group["findings"]
        first = members[0]
        attention = group["status"] in ATTENTION
        cap = min(listed_attention if attention else listed_other, budget)
        listed = [_line(f) for f in members[in_full:in_full + cap]]
        budget -= len(listed)
        count = group["count"]
        heading = first["message"] if count == 1 else f"{_count(count, 'subject')}, for example: {first['message']}"
        source = group["source"]
        new = sum(1 for f in members if f.get("baseline_state") == "new")
        known = sum(1 for f in members if f.get("baseline_state") == "unchanged")
        cards.append({
            **group,
            "heading": heading,
            "status_key": css_key(group["status"]),
            "status_label": STATUS_LABELS[group["status"]],
            "area_key": area_key(first),
            "area_label": _area_label(area_key(first)),
            "attention": attention,
            "in_full": members[:in_full],
            "listed": listed,
            "more": count - min(count, in_full),
            "more_label": _count(count - min(count, in_full), "more subject"),
            "not_listed": count - min(count, in_full) - len(listed),
            "source_href": safe_href(source["url"]) if source else None,
            "manual_instructions": first.get("manual_instructions"),
            "new": new,
            "known": known,
        })
    return cards


def _area_label(key: str) -> str:
    labels = {area.value: area.label for area in Area}
    return labels.get(key, OTHER_AREA[1])


def html_filters(results: list[dict[str, Any]]) -> dict[str, Any]:
    """The HTML toolbar: what each choice shows, with counts of findings (subjects) and rules over
    every snapshot, so they agree with each snapshot's tiles. `default` is what the page opens on."""
    findings = [f for result in results for f in result["findings"]]
    show = []
    for value, label, statuses in SHOW_OPTIONS:
        members = [f for f in findings if f["status"] in statuses]
        rules = len({f["rule_id"] for f in members})
        show.append({"value": value, "label": label, "statuses": " ".join(sorted(statuses)),
                     "count": len(members), "rules": rules,
                     "text": f"{label}: {_count(len(members), 'finding')} in {_count(rules, 'rule')}"})
    severity = [{"value": sev.value, "label": SEVERITY_FLOOR_LABELS[sev.value]} for sev in SEVERITIES]
    areas = [{"value": group["key"], "label": group["title"]} for group in area_groups(findings)]
    return {"show": show, "severity": severity, "area": areas,
            "default_show": "attention", "default_severity": SEVERITIES[-1].value}
