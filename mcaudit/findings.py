"""Findings: the one immutable shape that flows from the engine to every renderer.

Nothing here knows the snapshot model, the rule engine or any output format. Renderers read
an AuditReport and nothing else.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from enum import Enum


class Severity(str, Enum):
    critical = "critical"
    high = "high"
    medium = "medium"
    low = "low"
    info = "info"

    @property
    def rank(self) -> int:
        """Higher is worse; used to compare against --fail-on."""
        return _SEVERITY_RANK[self]


_SEVERITY_RANK = {
    Severity.critical: 5,
    Severity.high: 4,
    Severity.medium: 3,
    Severity.low: 2,
    Severity.info: 1,
}
SEVERITIES = tuple(Severity)


class Status(str, Enum):
    fail = "fail"
    unknown = "unknown"  # the data the rule needs was not collected
    manual = "manual"  # no API shows it and no current attestation covers it
    waived = "waived"
    pass_ = "pass"
    na = "n/a"


STATUSES = tuple(Status)
# statuses that mean "not proven healthy"; a preflight treats them all as NO-GO
UNRESOLVED = frozenset({Status.unknown, Status.manual})


class Area(str, Enum):
    salesforce = "salesforce"
    marketing_cloud = "marketing_cloud"
    rotation = "rotation"
    aep = "aep"
    integrations = "integrations"

    @property
    def label(self) -> str:
        """How reports name the area ("Marketing Cloud"); `title` would shadow str.title."""
        return _AREA_TITLES[self]


_AREA_TITLES = {
    Area.salesforce: "Salesforce",
    Area.marketing_cloud: "Marketing Cloud",
    Area.rotation: "Credential rotation",
    Area.aep: "Adobe Experience Platform",
    Area.integrations: "API integrations",
}


class Verdict(str, Enum):
    passed = "pass"  # nothing failed at or above the threshold and nothing is unresolved
    incomplete = "incomplete"  # nothing failed at or above it, but some checks could not be made
    failed = "fail"


@dataclass(frozen=True)
class Source:
    """Where a rule comes from: a knowledge article number or a named document."""

    document: str  # e.g. "KB 003834038"
    title: str
    section: str | None = None
    url: str | None = None

    def cite(self) -> str:
        return f"{self.document}, {self.section}" if self.section else self.document


@dataclass(frozen=True)
class RuleInfo:
    """The rule metadata a report may show; a copy of the catalog entry, not the rule itself."""

    id: str
    name: str
    title: str
    severity: Severity
    area: Area
    modes: tuple[str, ...]
    rationale: str
    remediation: str
    source: Source
    setup_path: str | None = None
    manual_instructions: str | None = None
    # the symptoms this rule explains, each with how its failure causes it (`mcaudit triage`)
    symptoms: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Attested:
    """Evidence that came from a person, not an API."""

    fact: str
    value: str
    by: str
    on: str  # ISO date

    def label(self) -> str:
        return f"attested by {self.by} on {self.on}"


@dataclass(frozen=True)
class Finding:
    rule_id: str
    severity: Severity
    status: Status
    subject: str
    message: str
    evidence: tuple[str, ...] = ()
    location: str | None = None  # dotted path into the snapshot, e.g. salesforce.users[3]
    line: int | None = None  # line in the snapshot file, where known
    attested: Attested | None = None
    waiver_reason: str | None = None
    waived_from: Status | None = None  # the status a waiver replaced
    baseline: str | None = None  # with --baseline: "new" or "unchanged" (failed before too)

    @property
    def sort_key(self) -> tuple[int, int, str, str]:
        return (_STATUS_ORDER[self.status], -self.severity.rank, self.rule_id, self.subject)


_STATUS_ORDER = {status: index for index, status in enumerate(STATUSES)}


@dataclass(frozen=True)
class SnapshotIdentity:
    path: str
    name: str | None
    source: str
    collected_at: str
    schema_version: int
    org_id: str | None
    mid: int | None
    failed_collectors: tuple[str, ...] = ()


@dataclass(frozen=True)
class RunbookStep:
    """One numbered step of a credential-rotation runbook."""

    number: int
    phase: str  # pause | rotate | reauthenticate | restore | verify
    action: str
    asset_kind: str | None = None  # triggered_send | journey | scheduled_send
    asset_key: str | None = None
    note: str | None = None  # e.g. the in-flight population a journey stop ejects
    asset_location: str | None = None  # where the asset is in the snapshot, as its findings locate it


@dataclass(frozen=True)
class Runbook:
    """What a preflight tells the admin: impact if rotated now, and the steps in order."""

    impact: tuple[str, ...]
    steps: tuple[RunbookStep, ...]
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class AuditResult:
    """The outcome of one snapshot in one mode."""

    snapshot: SnapshotIdentity
    mode: str
    fail_on: Severity | None  # None means --fail-on never
    findings: tuple[Finding, ...]
    rules: dict[str, RuleInfo] = field(default_factory=dict)
    strict: bool = False
    runbook: Runbook | None = None  # preflight only
    notes: tuple[str, ...] = ()  # e.g. waivers that matched nothing
    # a side or section the snapshot lacks, once each, e.g. "the snapshot has no Salesforce side: ..."
    gaps: tuple[str, ...] = ()

    def is_blocking(self, finding: Finding) -> bool:
        if self.fail_on is None or finding.severity.rank < self.fail_on.rank:
            return False
        if finding.status is Status.fail:
            return finding.baseline != "unchanged"  # a known failure does not fail the run again
        return self.strict and finding.status in UNRESOLVED

    @property
    def blocking(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if self.is_blocking(f))

    @property
    def unresolved(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.status in UNRESOLVED)

    @property
    def uncollected(self) -> tuple[Finding, ...]:
        """Unknown results at or above --fail-on: checks that matter and could not run (exit 4)."""
        if self.fail_on is None:
            return ()
        fail_on = self.fail_on
        return tuple(f for f in self.findings
                     if f.status is Status.unknown and f.severity.rank >= fail_on.rank)

    @property
    def verdict(self) -> Verdict:
        if self.blocking:
            return Verdict.failed
        return Verdict.incomplete if self.unresolved else Verdict.passed

    def count_by_status(self) -> Counter[Status]:
        return Counter(f.status for f in self.findings)

    def count_failures_by_severity(self) -> Counter[Severity]:
        return Counter(f.severity for f in self.findings if f.status is Status.fail)


# the exit codes of a report-writing command; 2 (bad input) and 3 (collection) come from errors
EXIT_PASS = 0
EXIT_FAIL = 1
EXIT_INCOMPLETE = 4


@dataclass(frozen=True)
class AuditReport:
    """Everything one command run produced: a result per snapshot."""

    tool_version: str
    command: str
    results: tuple[AuditResult, ...]
    allow_incomplete: bool = False  # --allow-incomplete: unknown results do not set exit 4

    @property
    def exit_code(self) -> int:
        """1 when a result failed; else 4 when a check at or above --fail-on could not run for want
        of data (unless --allow-incomplete); else 0. `manual` results count only with --strict,
        where they (and unknown ones) already fail."""
        if any(r.verdict is Verdict.failed for r in self.results):
            return EXIT_FAIL
        if not self.allow_incomplete and any(r.uncollected for r in self.results):
            return EXIT_INCOMPLETE
        return EXIT_PASS
