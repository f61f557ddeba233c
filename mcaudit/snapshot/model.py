"""The snapshot: both sides of one MCC connection at one moment.

It is the unit that is collected, committed, diffed, sent to support and audited. A section
that is absent (null) was not collected; rules that need it report `unknown`.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, field_validator

from mcaudit.snapshot.aep import Aep
from mcaudit.snapshot.integrations import DeclaredIntegration
from mcaudit.snapshot.marketing_cloud import MarketingCloud
from mcaudit.snapshot.meta import Attestation, Collection, SnapshotSource
from mcaudit.snapshot.salesforce import Salesforce
from mcaudit.snapshot.types import Int, Model, Str, Timestamp

SCHEMA_VERSION = 1


class Snapshot(Model):
    schema_version: Int = Field(description=f"snapshot format version; this mcaudit reads {SCHEMA_VERSION}")
    collected_at: Timestamp = Field(description="when the data was read (ISO 8601, UTC if no offset)")
    source: SnapshotSource = Field(description="live (mcaudit collect), export, or hand-written")
    name: Str | None = Field(default=None, description="a label for reports, e.g. 'ACME production'")
    collection: Collection | None = Field(
        default=None, description="for live collection: which collectors ran, which failed and why"
    )
    attestations: list[Attestation] = Field(default_factory=list)
    salesforce: Salesforce | None = None
    marketing_cloud: MarketingCloud | None = None
    aep: Aep | None = Field(default=None, description="optional: Adobe Experience Platform destinations")
    integrations: list[DeclaredIntegration] | None = Field(
        default=None, description="optional: API integrations and what they call"
    )

    @field_validator("schema_version")
    @classmethod
    def _supported_version(cls, value: int) -> int:
        if value > SCHEMA_VERSION:
            raise ValueError(
                f"schema_version {value} is newer than this mcaudit understands "
                f"({SCHEMA_VERSION}); upgrade mcaudit"
            )
        if value < 1:
            raise ValueError(f"schema_version must be 1 or more, got {value}")
        return value


def snapshot_json_schema() -> dict[str, Any]:
    schema = Snapshot.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "mcaudit snapshot"
    return schema
