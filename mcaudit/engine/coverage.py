"""What the snapshot holds: is a section there, and if not, what did its collector say, and which
checks a missing side or section kept from running."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from mcaudit.findings import Finding, Status
from mcaudit.snapshot import Snapshot


def section_present(snapshot: Snapshot, dotted: str) -> bool:
    """`salesforce.users` is present when every step of the path is collected (not null)."""
    node: Any = snapshot
    for part in dotted.split("."):
        node = getattr(node, part, None)
        if node is None:
            return False
    return True


def collector_problems(snapshot: Snapshot, paths: Iterable[str]) -> list[str]:
    """Why collectors could not (fully) read these sections, as the snapshot records it."""
    if snapshot.collection is None:
        return []
    wanted = list(paths)
    problems = []
    for run in snapshot.collection.collectors:
        covered = list(run.failed_sections) + (list(run.sections) if run.status.value == "failed" else [])
        if any(path.startswith(part) or part.startswith(path) for path in wanted for part in covered):
            problems.append(f"collector {run.name} {run.status.value}" + (f": {run.error}" if run.error else ""))
    return problems


_EN_DASH = "\u2013"
_SIDES = {"salesforce": "Salesforce", "marketing_cloud": "Marketing Cloud"}


def _absent_section(snapshot: Snapshot, path: str) -> str:
    """The shallowest part of `path` the snapshot lacks: `salesforce` when the whole side is gone,
    `marketing_cloud.journeys` when only that section is; item indices are not sections."""
    parts: list[str] = []
    for part in path.split("."):
        if "[" in part:
            break
        parts.append(part)
        if not section_present(snapshot, ".".join(parts)):
            break
    return ".".join(parts) or path


def id_ranges(ids: Sequence[str], order: Sequence[str]) -> str:
    """`SF101-SF122, MC203` (with an en dash) for ids that run unbroken through `order` (the rules that ran)."""
    position = {rule_id: index for index, rule_id in enumerate(order)}
    ranked = sorted(ids, key=lambda rule_id: position.get(rule_id, len(order)))
    runs: list[list[str]] = []
    for rule_id in ranked:
        if runs and position.get(rule_id) is not None and position.get(runs[-1][-1]) == position[rule_id] - 1:
            runs[-1].append(rule_id)
        else:
            runs.append([rule_id])
    return ", ".join(run[0] if len(run) == 1 else f"{run[0]}{_EN_DASH}{run[-1]}" for run in runs)


def coverage_gaps(snapshot: Snapshot, findings: Iterable[Finding], order: Sequence[str]) -> tuple[str, ...]:
    """One line per side or section the snapshot lacks, naming the checks that could not run for it.

    A check that could not run at all is one `unknown` finding on the subject `snapshot` located
    at the path it missed; per-subject gaps (one user's missing field) are not sections.
    """
    by_section: dict[str, list[str]] = {}
    for finding in findings:
        if finding.status is Status.unknown and finding.subject == "snapshot" and finding.location:
            rules = by_section.setdefault(_absent_section(snapshot, finding.location), [])
            if finding.rule_id not in rules:
                rules.append(finding.rule_id)
    lines = []
    # sections lost to the same collector error are said in one line, the error once
    by_reason: dict[str, list[str]] = {}
    for section, rules in sorted(by_section.items()):
        checks = f"{len(rules)} check{'s' if len(rules) != 1 else ''}"
        reason = "; ".join(collector_problems(snapshot, [section]))
        if reason:
            what = f"the {_SIDES[section]} side" if section in _SIDES else section
            by_reason.setdefault(reason, []).append(f"{what} ({checks}: {id_ranges(rules, order)})")
        elif section in _SIDES:
            lines.append(f"the snapshot has no {_SIDES[section]} side: {checks} cannot run ({id_ranges(rules, order)})")
        else:
            lines.append(f"{section} was not collected: {checks} cannot run ({id_ranges(rules, order)})")
    for reason, parts in by_reason.items():
        said = ", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 else parts[0]
        lines.append(f"{reason}: {said} {'were' if len(parts) > 1 else 'was'} not collected")
    return tuple(lines)
