"""A differential diagnosis: the rules that explain a symptom, sorted by what an audit found.

Each rule file names the symptoms it explains (`symptoms:`). For one symptom every such rule is
a likely cause when it fails on the snapshot, cannot be told when its data was not collected or
a person must look, and is ruled out when it passes or does not apply. Likely causes come most
severe first, then most specific (a rule that explains fewer symptoms points closer to this
one), then by rule id; the other two lists keep the same order.
"""

from __future__ import annotations

from mcaudit.diagnosis import Cause, Diagnosis, SymptomInfo, Verdict
from mcaudit.findings import AuditResult, Finding, RuleInfo, Status
from mcaudit.symptoms import Symptom

_FAILED = (Status.fail, Status.waived)  # a waived failure still fails: it may be the cause
_UNTOLD = (Status.unknown, Status.manual)


def symptom_info(symptom: Symptom) -> SymptomInfo:
    return SymptomInfo(name=symptom.name, title=symptom.title, looks_like=symptom.looks_like.strip(),
                       also_from=symptom.also_from)


def order_key(rule: RuleInfo) -> tuple[int, int, str]:
    """Most severe first; then most specific (fewest symptoms explained); then rule id."""
    return (-rule.severity.rank, len(rule.symptoms), rule.id)


def _how(rule: RuleInfo, name: str) -> str:
    return next(how for symptom, how in rule.symptoms if symptom == name)


def _next_step(rule: RuleInfo, verdict: Verdict, findings: tuple[Finding, ...]) -> str:
    if verdict is Verdict.likely:
        return rule.remediation
    if verdict is Verdict.cannot_tell:
        missing = [f for f in findings if f.status is Status.unknown]
        if missing:  # the message names what was not collected
            return f"collect the missing data again ({missing[0].message.removeprefix('cannot tell: ')})"
        # a manual finding says what a person must look at (or which expectation to set)
        return findings[0].message if findings else f"check by hand: {rule.manual_instructions or rule.remediation}"
    passed = [f for f in findings if f.status is Status.pass_]
    return passed[0].message if passed else (findings[0].message if findings else "nothing to check")


def _cause(rule: RuleInfo, name: str, findings: list[Finding]) -> Cause:
    statuses = {finding.status for finding in findings}
    if statuses & set(_FAILED):
        verdict, shown = Verdict.likely, tuple(f for f in findings if f.status in _FAILED)
    elif statuses & set(_UNTOLD):
        verdict, shown = Verdict.cannot_tell, tuple(f for f in findings if f.status in _UNTOLD)
    else:
        verdict, shown = Verdict.ruled_out, tuple(findings)
    return Cause(rule=rule, verdict=verdict, how=_how(rule, name), findings=shown,
                 next_step=_next_step(rule, verdict, shown))


def diagnose(result: AuditResult, symptom: Symptom) -> Diagnosis:
    """The diagnosis of `symptom` from one snapshot's audit. A rule mapped to the symptom that did
    not run (left out by --select/--ignore) is left out of the answer too."""
    by_rule: dict[str, list[Finding]] = {}
    for finding in result.findings:
        by_rule.setdefault(finding.rule_id, []).append(finding)
    mapped = sorted((rule for rule in result.rules.values()
                     if rule.id in by_rule and any(name == symptom.name for name, _ in rule.symptoms)),
                    key=order_key)
    causes = [_cause(rule, symptom.name, by_rule[rule.id]) for rule in mapped]
    return Diagnosis(
        symptom=symptom_info(symptom),
        result=result,
        likely=tuple(c for c in causes if c.verdict is Verdict.likely),
        cannot_tell=tuple(c for c in causes if c.verdict is Verdict.cannot_tell),
        ruled_out=tuple(c for c in causes if c.verdict is Verdict.ruled_out),
    )
