"""The attestation template: every fact a snapshot lacks that no API shows, with where a person
looks in Setup and the values the rule accepts.

A fact is needed when a rule that declares it (`manual.fact`) reports `manual` on the snapshot:
nothing was attested, or the attestation is older than the maximum age. The template is YAML a
person fills in; `--attestations` on every command reads it back (mcaudit/attest/filled.py).
"""

from __future__ import annotations

import json
import textwrap
from dataclasses import dataclass, field, replace
from datetime import date

from mcaudit.engine import EvaluationConfig, RulePack, evaluate
from mcaudit.engine.attributes import offered
from mcaudit.engine.evaluate import STALE_ATTESTATION
from mcaudit.engine.operators import Kind
from mcaudit.engine.rule import RuleSpec
from mcaudit.findings import Status
from mcaudit.safetext import visible
from mcaudit.snapshot import Snapshot

MODES = ("audit", "preflight")  # verify needs a BEFORE snapshot; its facts are the audit's


@dataclass(frozen=True)
class Needed:
    fact: str
    rules: tuple[str, ...]  # "SF103 The connected app's IP Relaxation is ..."
    instructions: str  # where to look, from the rule
    accepted: str  # the values an attestation may give
    subjects: tuple[str, ...]  # whom the fact is about, as the findings name them
    stale: bool  # an attestation exists but is too old to count


def _accepted(rule: RuleSpec) -> str:
    manual = rule.manual
    assert manual is not None
    if manual.labels:
        return "one of " + ", ".join(f"{value} ({json.dumps(label)})" for label, value in manual.labels.items())
    kind = offered(rule.subjects).get(manual.attribute or "") if manual.attribute else None
    if kind is Kind.flag:
        return "true or false"
    return "the value as Setup shows it (text)"


@dataclass
class _Gathered:
    instructions: str
    accepted: str
    rules: dict[str, str] = field(default_factory=dict)  # rule id -> title, in the order found
    subjects: dict[str, None] = field(default_factory=dict)  # an ordered set
    stale: bool = False


def needed_facts(snapshot: Snapshot, pack: RulePack, config: EvaluationConfig, *, path: str) -> list[Needed]:
    """The facts to attest, in catalog order of the rules that ask for them."""
    specs = {rule.id: rule for rule in pack.rules if rule.manual is not None}
    found: dict[str, _Gathered] = {}
    for mode in MODES:
        for finding in evaluate(snapshot, pack, replace(config, mode=mode), path=path).findings:
            rule = specs.get(finding.rule_id)
            if rule is None or rule.manual is None or finding.status is not Status.manual:
                continue
            entry = found.setdefault(rule.manual.fact, _Gathered(rule.manual.instructions.strip(), _accepted(rule)))
            entry.rules[rule.id] = rule.title
            if finding.subject != "snapshot":
                entry.subjects[finding.subject] = None
            entry.stale = entry.stale or any(item.startswith(STALE_ATTESTATION) for item in finding.evidence)
    order = [rule.id for rule in pack.rules]
    needed = [Needed(fact=fact, rules=tuple(f"{rule_id} {title}" for rule_id, title in entry.rules.items()),
                     instructions=entry.instructions, accepted=entry.accepted, subjects=tuple(entry.subjects),
                     stale=entry.stale)
              for fact, entry in found.items()]
    return sorted(needed, key=lambda item: order.index(item.rules[0].split()[0]))


def _comment(text: str, indent: str = "") -> str:
    """Text as YAML comment lines of at most 100 columns, made visible first, so no value from a
    snapshot can end a comment and start YAML."""
    lines = textwrap.wrap(visible(" ".join(text.split())), width=98 - len(indent), subsequent_indent="  ",
                          break_long_words=False, break_on_hyphens=False)
    return "\n".join(f"{indent}# {line}" for line in lines)


def template_text(needed: list[Needed], *, snapshot_path: str, today: date) -> str:
    lines = [
        _comment(f"mcaudit attestations for {snapshot_path}, written {today.isoformat()}."),
        "# Each entry is a fact no API shows. Look where it says, fill in value, attested_by (your email)",
        "# and attested_at (the day you looked), delete the entries you did not check, then pass the",
        "# file to any command:  mcaudit audit SNAPSHOT --attestations THIS_FILE",
        "# Entries left blank are skipped. An attestation counts for --attestation-max-age days (90 by",
        "# default) from the snapshot's collected_at; then the check is manual again.",
        "attestations:",
    ]
    if not needed:
        lines[-1] = "attestations: []  # nothing to attest: every fact a rule needs is known"
    for item in needed:
        lines.append("")
        lines += [_comment(f"for {rule}", "  ") for rule in item.rules]
        if item.subjects:
            lines.append(_comment("about: " + "; ".join(item.subjects), "  "))
        if item.stale:
            lines.append(_comment("the attestation in the snapshot is too old to count: look again", "  "))
        lines.append(_comment(f"where to look: {item.instructions}", "  "))
        lines.append(_comment(f"accepted values: {item.accepted}", "  "))
        lines += [f"  - fact: {json.dumps(item.fact)}", "    value:", "    attested_by:", "    attested_at:"]
    return "\n".join(lines) + "\n"
