"""What the snapshot holds: is a section there, and if not, what did its collector say."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

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
