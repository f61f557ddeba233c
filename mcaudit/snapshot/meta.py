"""Snapshot metadata: where it came from, which collectors ran, and attested facts."""

from __future__ import annotations

from enum import Enum

from pydantic import Field

from mcaudit.snapshot.types import Bool, Int, Model, NonEmptyStr, Str, Timestamp


class SnapshotSource(str, Enum):
    live = "live"
    export = "export"
    hand_written = "hand-written"


class CollectorStatus(str, Enum):
    ok = "ok"
    partial = "partial"
    failed = "failed"
    skipped = "skipped"


class CollectorRun(Model):
    """One collector's outcome. A failed collector leaves its sections absent."""

    name: NonEmptyStr = Field(description="collector name, e.g. 'salesforce' or 'marketing_cloud'")
    status: CollectorStatus
    sections: list[Str] = Field(
        default_factory=list,
        description="snapshot sections this collector is responsible for (dotted paths)",
    )
    failed_sections: list[Str] = Field(
        default_factory=list, description="sections it could not collect (dotted paths)"
    )
    error: Str | None = Field(default=None, description="why it failed, without any secret")
    api_calls: int | None = None


class Collection(Model):
    tool_version: Str | None = None
    collectors: list[CollectorRun] = Field(default_factory=list)


class Attestation(Model):
    """A fact no API can show, confirmed by a person.

    Rules use it as evidence labelled "attested by WHO on WHEN" until it is older than the
    configured maximum age (measured from the snapshot's collected_at).
    """

    fact: NonEmptyStr = Field(description="fact id, as named by the rule (see `mcaudit rules ID`)")
    value: Str | Bool | Int = Field(description="the confirmed value (string, boolean or number)")
    subject: Str | None = Field(
        default=None, description="optional: the subject the fact is about, if the rule has several"
    )
    attested_by: NonEmptyStr
    attested_at: Timestamp
    note: Str | None = None
