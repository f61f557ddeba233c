"""What a check may see: the snapshot, its indexes, the evaluation settings and attestations."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from mcaudit.engine.base import Missing, NotApplicable, Outcome, RuleEvaluator, Subject, fold
from mcaudit.engine.index import SnapshotIndex
from mcaudit.engine.rotation_assets import RotationBaseline
from mcaudit.expectations import Expectations
from mcaudit.findings import Attested, Finding, RuleInfo, Severity
from mcaudit.snapshot import Attestation, Snapshot

__all__ = ["AttestationLookup", "Context", "EvaluationConfig", "Missing", "NotApplicable"]

DEFAULT_ATTESTATION_MAX_AGE_DAYS = 90


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
    # what a person says the connection should be (mcaudit.expectations); None: nothing was said
    expectations: Expectations | None = None
    # preflight only (RT305): stopping Salesforce Data journey versions ejects their contacts; a
    # person accepts that for every version (ack_eject_all) or for the journeys named (keys, or key@version)
    ack_eject_all: bool = False
    ack_eject: tuple[str, ...] = ()


@dataclass(frozen=True)
class AttestationLookup:
    """The outcome of looking for a person's confirmation of a fact."""

    attested: Attested | None = None  # a current attestation
    raw_value: object = None
    stale: Attested | None = None  # one exists but is too old to count

    @property
    def found(self) -> bool:
        return self.attested is not None


class NoEvaluator:
    """The evaluator of a Context built outside evaluate() (a subject read on its own): there is
    no catalog to run another rule from, so asking is a programming error."""

    def run_check(self, rule_id: str, subject: Subject) -> Outcome:
        raise RuntimeError(f"no evaluator to run {rule_id} with")

    def findings(self, rule_id: str) -> list[Finding]:
        raise RuntimeError(f"no evaluator to run {rule_id} with")


@dataclass
class Context:
    snapshot: Snapshot
    config: EvaluationConfig
    # what a check may ask of the evaluator running it (MC203 reuses SF111-116 on another user;
    # RT304 and PV401 re-run checklist rules outside their mode), and the catalog of those rules
    evaluator: RuleEvaluator = field(default_factory=NoEvaluator)
    catalog: dict[str, RuleInfo] = field(default_factory=dict)
    index: SnapshotIndex = field(init=False)

    def __post_init__(self) -> None:
        self.index = SnapshotIndex(self.snapshot, as_of=self.snapshot.collected_at)
        self._attestations: dict[str, list[Attestation]] = {}
        for attestation in self.snapshot.attestations:
            self._attestations.setdefault(attestation.fact, []).append(attestation)

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
