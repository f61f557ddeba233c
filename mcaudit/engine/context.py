"""What a check may see: the snapshot, its indexes, the evaluation settings and attestations."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from mcaudit.engine.index import SnapshotIndex, fold
from mcaudit.engine.rotation_assets import RotationBaseline
from mcaudit.findings import Attested, Finding, RuleInfo, Severity
from mcaudit.snapshot import Attestation, Snapshot

DEFAULT_ATTESTATION_MAX_AGE_DAYS = 90


class NotApplicable(Exception):
    """Raised by a subject attribute when the question does not arise (e.g. app not installed)."""


class Missing(Exception):
    """Raised by a subject attribute when the data it needs was not collected."""

    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what


@dataclass(frozen=True)
class EvaluationConfig:
    mode: str = "audit"
    fail_on: Severity | None = Severity.high
    strict: bool = False
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    attestation_max_age_days: int = DEFAULT_ATTESTATION_MAX_AGE_DAYS
    # verify only: what ran before the credential rotation, and when the rotation happened
    baseline: RotationBaseline | None = None
    waivers: tuple[Any, ...] = ()  # engine.waivers.Waiver
    now: datetime | None = None  # the clock, passed in; used for waiver expiry


@dataclass(frozen=True)
class AttestationLookup:
    """The outcome of looking for a person's confirmation of a fact."""

    attested: Attested | None = None  # a current attestation
    raw_value: object = None
    stale: Attested | None = None  # one exists but is too old to count

    @property
    def found(self) -> bool:
        return self.attested is not None


@dataclass
class Context:
    snapshot: Snapshot
    config: EvaluationConfig
    # set by the evaluator: runs another rule's check on a given subject (MC203 reuses SF111-116)
    rule_runner: Callable[[str, Any], Any] | None = None
    index: SnapshotIndex = field(init=False)
    # set by the evaluator: a whole rule's findings, subjects included (RT304 and PV401 re-run
    # checklist rules that are not in their mode), and the catalog to pick those rules from
    rules_runner: Callable[[str], list[Finding]] | None = None
    catalog: dict[str, RuleInfo] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.index = SnapshotIndex(self.snapshot, as_of=self.snapshot.collected_at)
        self._attestations: dict[str, list[Attestation]] = {}
        for attestation in self.snapshot.attestations:
            self._attestations.setdefault(attestation.fact, []).append(attestation)

    def evaluate_rule_on(self, rule_id: str, subject: Any) -> Any:
        if self.rule_runner is None:
            raise RuntimeError("no rule runner configured")
        return self.rule_runner(rule_id, subject)

    def evaluate_rule(self, rule_id: str) -> list[Finding]:
        if self.rules_runner is None:
            raise RuntimeError("no rules runner configured")
        return self.rules_runner(rule_id)

    def attestation(self, fact: str, subject_key: str | None = None) -> AttestationLookup:
        """The newest attestation of `fact` for this subject (or for any subject)."""
        candidates = [
            a for a in self._attestations.get(fact, [])
            if a.subject is None or subject_key is None or fold(a.subject) == fold(subject_key)
        ]
        if not candidates:
            return AttestationLookup()
        newest = max(candidates, key=lambda a: a.attested_at)
        evidence = Attested(
            fact=fact,
            value=str(newest.value).lower() if isinstance(newest.value, bool) else str(newest.value),
            by=newest.attested_by,
            on=newest.attested_at.date().isoformat(),
        )
        max_age = timedelta(days=self.config.attestation_max_age_days)
        if abs(self.snapshot.collected_at - newest.attested_at) > max_age:
            return AttestationLookup(stale=evidence)
        return AttestationLookup(attested=evidence, raw_value=newest.value)
