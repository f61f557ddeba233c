"""Adobe Experience Platform's "(API) Salesforce Marketing Cloud" streaming destinations.

What the destination is configured with in AEP: the tenant subdomain, each activated segment's
Mapping ID (the Email Demographics attribute it writes), and the field mappings.
"""

from __future__ import annotations

from enum import Enum

from pydantic import Field

from mcaudit.snapshot.types import Model, NonEmptyStr, Str


class MappingTargetKind(str, Enum):
    identity = "identity"
    attribute = "attribute"


class AepSegment(Model):
    name: NonEmptyStr
    id: Str | None = None
    mapping_id: Str | None = Field(default=None, description="the Mapping ID entered when scheduling the export")


class AepMapping(Model):
    source: NonEmptyStr = Field(description="XDM field or identity namespace, e.g. personalEmail.address")
    target: NonEmptyStr = Field(description="e.g. salesforceContactKey, or an attribute name")
    target_kind: MappingTargetKind
    attribute_set: Str | None = Field(default=None, description="for attributes: the set it belongs to")


class AepDestination(Model):
    name: NonEmptyStr
    subdomain: Str | None = Field(default=None, description="as entered in the destination's authentication")
    segments: list[AepSegment] | None = None
    mappings: list[AepMapping] | None = None
    source_ip_ranges: list[Str] | None = Field(
        default=None, description="the ranges AEP streams from (CIDR), for accounts that allowlist IPs"
    )


class Aep(Model):
    destinations: list[AepDestination] = Field(default_factory=list)
