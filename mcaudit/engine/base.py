"""The engine's shared vocabulary, a leaf every engine module may import without a cycle.

What a subject is, the two ways an attribute says it cannot answer, how names are compared, and
what a check may ask of the evaluator (another rule's result). It imports nothing of the engine,
so subjects, indexes, checks and the evaluator all build on it and on nothing above them;
tests/engine/test_no_cycles.py keeps it that way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from mcaudit.findings import Attested, Finding, Status

MCC_CONNECTED_APP = "salesforce marketing cloud"
MCC_NAMESPACE = "et4ae5"


def fold(name: str | None) -> str:
    """Case-insensitive key for user names, role names and similar."""
    return (name or "").strip().casefold()


@dataclass(frozen=True)
class Outcome:
    """A check's verdict on one subject, before the engine stamps rule id and severity."""

    status: Status
    message: str = ""
    evidence: tuple[str, ...] = ()
    attested: Attested | None = None


class NotApplicable(Exception):
    """Raised by a subject attribute when the question does not arise (e.g. app not installed)."""


class Missing(Exception):
    """Raised by a subject attribute when the data it needs was not collected."""

    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what


@dataclass(frozen=True)
class Subject:
    key: str  # stable identifier, used to match attestations and waivers
    label: str  # what a report shows
    location: str  # dotted path into the snapshot
    view: Any


class RuleEvaluator(Protocol):
    """What a check function may ask of the evaluator running it, given in its Context.

    MC203 applies SF111-SF116 to a Salesforce user who is not the System User; RT304 and PV401
    re-run checklist rules that are not in their own mode.
    """

    def run_check(self, rule_id: str, subject: Subject) -> Outcome:
        """One rule's check on a given subject, whatever subjects the rule itself selects."""
        ...

    def findings(self, rule_id: str) -> list[Finding]:
        """A whole rule's findings, its own subjects included."""
        ...
