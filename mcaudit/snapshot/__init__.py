"""The snapshot model: pydantic types for both sides of an MCC connection, and its loader."""

from __future__ import annotations

from mcaudit.snapshot.loader import LoadedSnapshot, field_path, load_snapshot
from mcaudit.snapshot.marketing_cloud import MarketingCloud, MarketingCloudUser
from mcaudit.snapshot.meta import Attestation, SnapshotSource
from mcaudit.snapshot.model import SCHEMA_VERSION, Snapshot, snapshot_json_schema
from mcaudit.snapshot.salesforce import Salesforce, SalesforceUser

__all__ = [
    "SCHEMA_VERSION",
    "Attestation",
    "LoadedSnapshot",
    "MarketingCloud",
    "MarketingCloudUser",
    "Salesforce",
    "SalesforceUser",
    "Snapshot",
    "SnapshotSource",
    "field_path",
    "load_snapshot",
    "snapshot_json_schema",
]
