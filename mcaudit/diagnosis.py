"""A triage's answer: for one symptom and one snapshot, which rules' findings explain it.

The shape renderers read for `mcaudit triage`, as findings.py is for the other commands: it
knows neither the snapshot model nor the engine, only findings and the rule metadata they carry.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from mcaudit.findings import AuditResult, Finding, RuleInfo


class Verdict(str, Enum):
    """Where a rule stands for this symptom."""

    likely = "likely"  # it fails on this snapshot: a likely cause
    cannot_tell = "cannot_tell"  # its data was not collected, or a person must look
    ruled_out = "ruled_out"  # it passes (or does not apply): not the cause


@dataclass(frozen=True)
class SymptomInfo:
    name: str
    title: str
    looks_like: str
    also_from: tuple[str, ...]  # causes no configuration shows


@dataclass(frozen=True)
class Cause:
    """One rule mapped to the symptom, with the findings that place it."""

    rule: RuleInfo
    verdict: Verdict
    how: str  # how this rule's failure causes the symptom (from the rule file)
    findings: tuple[Finding, ...]  # the failing ones for a likely cause, else all of the rule's
    next_step: str  # likely: the fix; cannot tell: what to collect or check; ruled out: what holds


@dataclass(frozen=True)
class Diagnosis:
    symptom: SymptomInfo
    result: AuditResult
    likely: tuple[Cause, ...]
    cannot_tell: tuple[Cause, ...]
    ruled_out: tuple[Cause, ...]

    @property
    def exit_code(self) -> int:
        """1 when a likely cause was found; else 4 when something could not be told; else 0."""
        if self.likely:
            return 1
        return 4 if self.cannot_tell else 0


@dataclass(frozen=True)
class TriageReport:
    tool_version: str
    diagnoses: tuple[Diagnosis, ...]  # one per snapshot

    @property
    def exit_code(self) -> int:
        codes = {diagnosis.exit_code for diagnosis in self.diagnoses}
        return 1 if 1 in codes else 4 if 4 in codes else 0
