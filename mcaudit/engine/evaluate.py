"""evaluate(snapshot, pack, config) -> AuditResult: every selected rule, one result per subject."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mcaudit.engine.attributes import when_no_subjects
from mcaudit.engine.base import Missing, NotApplicable, Outcome, Subject, fold
from mcaudit.engine.checks import CHECKS
from mcaudit.engine.context import Context, EvaluationConfig
from mcaudit.engine.coverage import collector_problems, coverage_gaps, section_present
from mcaudit.engine.loader import RulePack
from mcaudit.engine.operators import EXPECTATIONS, OPERATORS
from mcaudit.engine.rule import Combinator, FunctionCheck, Leaf, RuleSpec
from mcaudit.engine.selection import is_selected
from mcaudit.engine.subjects import SUBJECTS
from mcaudit.engine.waivers import apply_waivers
from mcaudit.findings import Attested, AuditResult, Finding, SnapshotIdentity, Status
from mcaudit.gcpause import gc_paused
from mcaudit.snapshot import Snapshot


@dataclass
class _LeafState:
    """What a declarative evaluation learned besides true/false."""

    missing: list[str] = field(default_factory=list)
    stale: Attested | None = None
    attested: Attested | None = None
    evidence: list[str] = field(default_factory=list)


def _show(value: Any) -> str:
    display = getattr(value, "display", None)
    if isinstance(display, str):
        return display
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple | set):
        return "none" if not value else ", ".join(str(item) for item in value)
    return str(value)


def _attested_value(value: Any, operator: str, labels: dict[str, str]) -> Any:
    """A person may write `value: "true"` as well as `value: true`, and the label Setup shows
    ("Relax IP restrictions") as well as the value it stands for (relax)."""
    if isinstance(value, str):
        value = next((meant for seen, meant in labels.items() if fold(seen) == fold(value)), value)
    if operator in {"is_true", "is_false"} and isinstance(value, str) and fold(value) in {"true", "false"}:
        return fold(value) == "true"
    return value


def _leaf(leaf: Leaf, rule: RuleSpec, subject: Subject, ctx: Context, state: _LeafState) -> bool | None:
    try:
        value = getattr(subject.view, leaf.attribute)
    except Missing as missing:
        state.missing.append(missing.what)
        return None
    label = leaf.label or leaf.attribute.replace("_", " ")
    if value is None:
        manual = rule.manual
        if manual is None or manual.attribute != leaf.attribute:
            state.missing.append(f"{subject.location}.{leaf.attribute}")
            return None
        lookup = ctx.attestation(manual.fact, subject.key)
        if not lookup.found:
            state.stale = lookup.stale
            return None
        value = _attested_value(lookup.raw_value, leaf.operator, manual.labels)
        state.attested = lookup.attested
        label += f" ({lookup.attested.label()})" if lookup.attested else ""
    result = OPERATORS[leaf.operator](value, leaf.value)
    expectation = EXPECTATIONS[leaf.operator].format(value=_show(leaf.value))
    state.evidence.append(f"{label}: {_show(value)}" + ("" if result else f" ({expectation})"))
    return result


def _condition(cond: Leaf | Combinator, rule: RuleSpec, subject: Subject, ctx: Context,
               state: _LeafState) -> bool | None:
    if isinstance(cond, Leaf):
        return _leaf(cond, rule, subject, ctx, state)
    if cond.not_ is not None:
        inner = _condition(cond.not_, rule, subject, ctx, state)
        return None if inner is None else not inner
    parts = [_condition(part, rule, subject, ctx, state) for part in (cond.all or cond.any or [])]
    if cond.all is not None:  # three-valued AND: one false decides, else any unknown is unknown
        return False if False in parts else (None if None in parts else True)
    return True if True in parts else (None if None in parts else False)


def _declarative(rule: RuleSpec, subject: Subject, ctx: Context) -> Outcome:
    assert not isinstance(rule.check, FunctionCheck)
    state = _LeafState()
    result = _condition(rule.check, rule, subject, ctx, state)
    evidence = tuple(state.evidence) + _context_evidence(rule, subject)
    if result is True:
        return Outcome(Status.pass_, _message(rule, "pass", subject, evidence), evidence, state.attested)
    if result is False:
        return Outcome(Status.fail, _message(rule, "fail", subject, evidence), evidence, state.attested)
    if state.missing:
        return _not_collected(state.missing, ctx, evidence)
    return _manual(rule, state.stale, ctx)


def _context_evidence(rule: RuleSpec, subject: Subject) -> tuple[str, ...]:
    """Attributes a rule shows for context (e.g. an expired assignment that explains a failure)."""
    lines = []
    for attribute in rule.show:
        try:
            value = getattr(subject.view, attribute)
        except (Missing, NotApplicable):
            continue
        if value not in (None, [], ()):
            lines.append(f"{attribute.replace('_', ' ')}: {_show(value)}")
    return tuple(lines)


# the evidence of a manual finding whose attestation exists but is too old (`mcaudit attest` asks again)
STALE_ATTESTATION = "attestation too old: "


def _manual(rule: RuleSpec, stale: Attested | None, ctx: Context) -> Outcome:
    assert rule.manual is not None
    message = f"no API shows this; check by hand: {rule.manual.instructions.strip()}"
    if stale is not None:
        message += (f" (the attestation {stale.label()} is older than "
                    f"{ctx.config.attestation_max_age_days} days and no longer counts)")
        return Outcome(Status.manual, message, (f"{STALE_ATTESTATION}{stale.label()}",))
    message += f" Then record it as attestation '{rule.manual.fact}'."
    return Outcome(Status.manual, message)


def _message(rule: RuleSpec, kind: str, subject: Subject, evidence: tuple[str, ...]) -> str:
    """The rule's own words for this outcome; a rule without them (a custom one) says what was
    found ("Package version: 1.0 (expected 2.0)"), never its title, which names the passing state."""
    template = rule.messages.pass_ if kind == "pass" else rule.messages.fail
    if template is None:
        return f"{subject.label}: {'; '.join(evidence[:2]) or kind}"
    return template.replace("{subject}", subject.label)


def _not_collected(paths: list[str], ctx: Context, evidence: tuple[str, ...] = ()) -> Outcome:
    """`unknown`, naming what was not collected; why (a collector's error) is evidence, so a report
    that says it once above the findings need not repeat it in every message."""
    unique = list(dict.fromkeys(paths))
    message = "cannot tell: " + ", ".join(unique) + (" was" if len(unique) == 1 else " were") + " not collected"
    return Outcome(Status.unknown, message, tuple(collector_problems(ctx.snapshot, unique)) + evidence)


def _run_check(rule: RuleSpec, subject: Subject, ctx: Context) -> Outcome:
    try:
        if isinstance(rule.check, FunctionCheck):
            outcome = CHECKS[rule.check.function](ctx, subject, rule.check.params)
            if outcome.status is Status.manual and not outcome.message and rule.manual:
                outcome = _manual(rule, outcome.attested, ctx)
            return outcome
        return _declarative(rule, subject, ctx)
    except NotApplicable as reason:
        return Outcome(Status.na, str(reason))
    except Missing as missing_data:
        return _not_collected([missing_data.what], ctx)


def _evaluate_rule(rule: RuleSpec, ctx: Context) -> list[Finding]:
    def finding(subject: str, location: str | None, outcome: Outcome) -> Finding:
        return Finding(rule_id=rule.id, severity=rule.severity, status=outcome.status,
                       subject=subject, message=outcome.message, evidence=outcome.evidence,
                       location=location, attested=outcome.attested)

    unused = [section for section in rule.applies_if if not section_present(ctx.snapshot, section)]
    if unused:
        return [finding("snapshot", None, Outcome(Status.na, f"{unused[0]} is not in the snapshot: not in use"))]
    missing = [need for need in rule.needs if not section_present(ctx.snapshot, need)]
    if missing:
        return [finding("snapshot", missing[0], _not_collected(missing, ctx))]
    try:
        subjects = SUBJECTS[rule.subjects](ctx)
    except Missing as missing_data:
        return [finding("snapshot", missing_data.what,
                        _not_collected([missing_data.what], ctx))]
    if not subjects:
        fallback = rule.when_no_subjects or when_no_subjects(rule.subjects)
        status = Status(fallback.status) if fallback else Status.na
        message = fallback.message if fallback else "nothing to check"
        return [finding("snapshot", None, Outcome(status, message))]
    return [finding(subject.label, subject.location, _run_check(rule, subject, ctx))
            for subject in subjects]


class _Evaluator:
    """The RuleEvaluator a check is given: any rule of the pack, on the audit's own context."""

    def __init__(self, snapshot: Snapshot, pack: RulePack, config: EvaluationConfig) -> None:
        self.by_id = {rule.id: rule for rule in pack.rules}
        self.ctx = Context(snapshot, config, evaluator=self, catalog={rule.id: rule.info() for rule in pack.rules})

    def run_check(self, rule_id: str, subject: Subject) -> Outcome:
        return _run_check(self.by_id[rule_id], subject, self.ctx)

    def findings(self, rule_id: str) -> list[Finding]:
        return _evaluate_rule(self.by_id[rule_id], self.ctx)


def identify(snapshot: Snapshot, path: str) -> SnapshotIdentity:
    failed: tuple[str, ...] = ()
    if snapshot.collection is not None:
        failed = tuple(run.name for run in snapshot.collection.collectors
                       if run.status.value in {"failed", "partial"})
    return SnapshotIdentity(
        path=path,
        name=snapshot.name,
        source=snapshot.source.value,
        collected_at=snapshot.collected_at.isoformat().replace("+00:00", "Z"),
        schema_version=snapshot.schema_version,
        org_id=snapshot.salesforce.org_id if snapshot.salesforce else None,
        mid=snapshot.marketing_cloud.mid if snapshot.marketing_cloud else None,
        failed_collectors=failed,
    )


def selected_rules(pack: RulePack, config: EvaluationConfig) -> list[RuleSpec]:
    return [rule for rule in pack.rules
            if config.mode in rule.modes and is_selected(rule.id, config.select, config.ignore)]


def evaluate(snapshot: Snapshot, pack: RulePack, config: EvaluationConfig, *,
             path: str = "<snapshot>") -> AuditResult:
    ctx = _Evaluator(snapshot, pack, config).ctx
    rules = selected_rules(pack, config)
    findings: list[Finding] = []
    with gc_paused():
        for rule in rules:
            findings.extend(_evaluate_rule(rule, ctx))
    gaps = coverage_gaps(snapshot, findings, [rule.id for rule in rules])
    notes: list[str] = []
    if config.waivers:
        findings, notes = apply_waivers(findings, config.waivers, config.now or snapshot.collected_at)
    findings.sort(key=lambda f: f.sort_key)
    return AuditResult(
        snapshot=identify(snapshot, path),
        mode=config.mode,
        fail_on=config.fail_on,
        findings=tuple(findings),
        rules={rule.id: rule.info() for rule in rules},
        strict=config.strict,
        notes=tuple(notes),
        gaps=gaps,
    )
