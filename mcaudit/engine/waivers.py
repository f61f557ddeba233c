"""Waivers: accepted findings that stay visible as `waived`, with their reason.

A waiver file is untrusted input like a snapshot: read by mcaudit.untrusted with the same limits,
validated strictly, one-line errors naming the line and field. A waiver names a rule id (or
prefix) and optionally a subject glob; it can expire, after which the finding counts again.
Waivers that match nothing are reported, since they are usually stale; a waiver whose rule id or
prefix names no rule at all is a typo, refused like the same typo in --select (with its line).
"""

from __future__ import annotations

import fnmatch
from collections.abc import Collection
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError

from mcaudit.errors import InputError
from mcaudit.findings import Finding, Status
from mcaudit.snapshot.loader import validation_error
from mcaudit.snapshot.types import NonEmptyStr, Str, Timestamp
from mcaudit.suggest import suggest_rule_id
from mcaudit.untrusted import WAIVERS, read_document

WAIVABLE = frozenset({Status.fail, Status.unknown, Status.manual})


class Waiver(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    rule: NonEmptyStr = Field(description="rule id or prefix, e.g. SF120")
    subject: Str = Field(default="*", description="glob on the finding's subject, e.g. 'user old.*'")
    reason: NonEmptyStr
    approved_by: Str | None = None
    expires: Timestamp | None = None
    # where the waiver was written (file, line of its `rule`), for an error that points at it
    _origin: tuple[str | None, int | None] = PrivateAttr(default=(None, None))

    def applies_to(self, finding: Finding) -> bool:
        return (finding.rule_id.upper().startswith(self.rule.upper())
                and fnmatch.fnmatchcase(finding.subject.casefold(), self.subject.casefold()))

    def describe(self) -> str:
        return f"{self.rule} '{self.subject}'"


class WaiverFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    waivers: list[Waiver]


def load_waivers(path: str | Path) -> tuple[Waiver, ...]:
    """The waivers of a YAML (or .json) file, read like any untrusted file; a problem is one line."""
    document = read_document(path, WAIVERS)
    try:
        waivers = tuple(WaiverFile.model_validate(document.data).waivers)
    except ValidationError as error:
        raise validation_error(error, document, WAIVERS, WaiverFile, format_help=None) from None
    for index, waiver in enumerate(waivers):
        waiver._origin = (document.path, document.position(("waivers", index, "rule"))[0])
    return waivers


def check_waiver_rules(waivers: tuple[Waiver, ...], known_ids: Collection[str]) -> None:
    """A waiver whose rule id or prefix matches no rule can never apply: almost always a typo."""
    for waiver in waivers:
        if not any(rule_id.upper().startswith(waiver.rule.upper()) for rule_id in known_ids):
            path, line = waiver._origin
            raise InputError(f"waiver rule '{waiver.rule}' matches no rule id{suggest_rule_id(waiver.rule, known_ids)} "
                             "(see `mcaudit rules`)", path=path, line=line)


def apply_waivers(findings: list[Finding], waivers: tuple[Waiver, ...], now: datetime
                  ) -> tuple[list[Finding], list[str]]:
    """Return the findings with waived ones marked, and notes about unused or expired waivers."""
    current = [w for w in waivers if w.expires is None or w.expires > now]
    notes = [f"waiver {w.describe()} expired on {w.expires.date().isoformat()} and no longer applies"
             for w in waivers if w.expires is not None and w.expires <= now]
    used: set[int] = set()
    result = []
    for finding in findings:
        waiver = next((w for w in current if finding.status in WAIVABLE and w.applies_to(finding)), None)
        if waiver is None:
            result.append(finding)
            continue
        used.add(id(waiver))
        reason = waiver.reason + (f" (approved by {waiver.approved_by})" if waiver.approved_by else "")
        result.append(replace(finding, status=Status.waived, waiver_reason=reason, waived_from=finding.status))
    notes += [f"waiver {w.describe()} matched no finding" for w in current if id(w) not in used]
    return result, notes
