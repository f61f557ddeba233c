"""The saved rotation plan (`preflight --save-plan`): the runbook in machine-readable form.

It records what was to be handled when the preflight ran (so what must be restored), with the
status each asset had (a journey version may have been Published, Paused or ScheduledToPublish,
and is restored to match), the snapshot it came from and when it was made, so that
`verify --plan PLAN AFTER` can stand in for the BEFORE snapshot. Plans of version 1, written
before statuses were recorded, list only Active sends, Published versions and live CRM sends.
A plan file comes back from disk, maybe edited, so it is read like any untrusted input:
size-limited, strict JSON, a strict model, and one line naming the problem.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, StrictInt, StrictStr, ValidationError, field_validator

from mcaudit.engine.rotation_assets import (
    ACTIVE_SEND,
    LIVE_JOURNEY,
    RUNNING_JOURNEY,
    Asset,
    AssetKind,
    RunningAssets,
    parse_journey_status,
    parse_send_status,
)
from mcaudit.errors import InputError, OutputError
from mcaudit.findings import Runbook, SnapshotIdentity
from mcaudit.safetext import write_text_atomically
from mcaudit.snapshot import field_path
from mcaudit.snapshot.loader import validation_error
from mcaudit.snapshot.types import Model, Timestamp
from mcaudit.untrusted import PLAN, read_document

PLAN_FORMAT = "mcaudit-rotation-plan"
PLAN_VERSION = 2
READABLE_VERSIONS = (1, 2)  # version 1 had no statuses: every asset in it was running
MAX_ITEMS = 200_000  # far above any real org, far below what would exhaust memory


def _printable(value: str) -> str:
    # names end up on terminals and in reports: no escape sequences or other control characters
    if any((ord(char) < 32 and char != "\t") or 127 <= ord(char) < 160 for char in value):
        raise ValueError("contains control characters")
    return value


Text = Annotated[StrictStr, Field(max_length=4000), AfterValidator(_printable)]
Key = Annotated[StrictStr, Field(min_length=1, max_length=400), AfterValidator(_printable)]
Count = Annotated[StrictInt, Field(ge=0, le=10**12)]
StatusText = Annotated[StrictStr, Field(min_length=1, max_length=4000), AfterValidator(_printable)]


class PlannedTriggeredSend(Model):
    key: Key = Field(description="TriggeredSendDefinition.CustomerKey")
    name: Text | None = None
    status: StatusText | None = Field(default=None, description="its status when planned: Active, or a value mcaudit "
                                "did not know; null (version 1 plans) means Active")

    @field_validator("status")
    @classmethod
    def _to_restore(cls, value: str | None) -> str | None:
        status = parse_send_status(value)
        if status is not None and status.recognised and status is not ACTIVE_SEND:
            raise ValueError(f"a triggered send with status {value} is not one a plan restores (only Active)")
        return value


class PlannedJourney(Model):
    key: Key = Field(description="journey key (shared by its versions)")
    name: Text | None = None
    version: Annotated[StrictInt, Field(ge=1, le=10**6)]
    population: Count | None = Field(default=None, description="contacts in flight when planned")
    entry_source: Text | None = Field(default=None, description="entry source type; null if unknown")
    status: StatusText | None = Field(default=None, description="its status when planned: Published, Paused, "
                                "ScheduledToPublish, or a value mcaudit did not know; null (version 1 plans) "
                                "means Published")

    @field_validator("status")
    @classmethod
    def _to_restore(cls, value: str | None) -> str | None:
        status = parse_journey_status(value)
        if status is not None and status.recognised and status not in LIVE_JOURNEY:
            raise ValueError(f"a journey version with status {value} is not one a plan restores (only Published, "
                             "Paused or ScheduledToPublish)")
        return value


class PlannedScheduledSend(Model):
    id: Key = Field(description="Salesforce record Id of the CRM-initiated send")
    name: Text | None = None
    status: Literal["scheduled", "in_progress", "unknown"]
    status_value: StatusText | None = Field(default=None, description="the status as Salesforce showed it")
    scheduled_at: Timestamp | None = None


class PlannedRestore(Model):
    """What was running, so what to restore; null for a kind means it was not collected."""

    triggered_sends: Annotated[list[PlannedTriggeredSend], Field(max_length=MAX_ITEMS)] | None
    journeys: Annotated[list[PlannedJourney], Field(max_length=MAX_ITEMS)] | None
    scheduled_sends: Annotated[list[PlannedScheduledSend], Field(max_length=MAX_ITEMS)] | None


class PlannedSnapshot(Model):
    path: Text
    name: Text | None = None
    collected_at: Timestamp
    org_id: Text | None = None
    mid: StrictInt | None = None
    sha256: Annotated[StrictStr, Field(pattern=r"^[0-9a-f]{64}$")]


class PlannedStep(Model):
    number: Annotated[StrictInt, Field(ge=1)]
    phase: Literal["pause", "rotate", "reauthenticate", "restore", "verify"]
    action: Text
    asset_kind: Literal["triggered_send", "journey", "scheduled_send"] | None = None
    asset_key: Text | None = None
    note: Text | None = None
    asset_location: Text | None = None  # absent from plans saved before it was recorded


class PlannedRunbook(Model):
    impact: Annotated[list[Text], Field(max_length=100)]
    steps: Annotated[list[PlannedStep], Field(max_length=3 * MAX_ITEMS)]
    notes: Annotated[list[Text], Field(max_length=100)]


class RotationPlan(Model):
    format: Literal["mcaudit-rotation-plan"]
    plan_version: StrictInt
    created_at: Timestamp
    tool_version: Text
    decision: Literal["GO", "NO-GO"]
    snapshot: PlannedSnapshot
    restore: PlannedRestore
    runbook: PlannedRunbook

    @field_validator("plan_version")
    @classmethod
    def _supported(cls, value: int) -> int:
        if value not in READABLE_VERSIONS:
            readable = ", ".join(str(version) for version in READABLE_VERSIONS)
            raise ValueError(f"plan_version {value} is not one this mcaudit reads ({readable})")
        return value


# -- building and writing ------------------------------------------------------------------------

def _restore_of(running: RunningAssets) -> PlannedRestore:
    def listed(kind: AssetKind) -> list[Asset] | None:
        assets = running.of_kind(kind)
        return None if assets is None else list(assets)

    sends, journeys, scheduled = (listed(kind) for kind in AssetKind)
    return PlannedRestore(
        triggered_sends=None if sends is None else [
            PlannedTriggeredSend(key=a.key, name=a.name, status=a.status) for a in sends],
        journeys=None if journeys is None else [
            PlannedJourney(key=a.key, name=a.name, version=a.version or 1, population=a.population,
                           entry_source=a.entry_source, status=a.status) for a in journeys],
        scheduled_sends=None if scheduled is None else [
            PlannedScheduledSend.model_validate({"id": a.key, "name": a.name, "status": a.status,
                                                 "status_value": a.status_value or None,
                                                 "scheduled_at": a.scheduled_at})
            for a in scheduled],
    )


def build_plan(*, running: RunningAssets, runbook: Runbook, snapshot: SnapshotIdentity, sha256: str,
               go: bool, created_at: datetime, tool_version: str) -> RotationPlan:
    """The plan; a snapshot value a plan cannot hold (a name with control characters) is an InputError."""
    try:
        return _plan(running=running, runbook=runbook, snapshot=snapshot, sha256=sha256, go=go,
                     created_at=created_at, tool_version=tool_version)
    except ValidationError as error:
        first = error.errors(include_url=False)[0]
        message = " ".join(str(first["msg"]).removeprefix("Value error, ").split())[:200]
        raise InputError(f"cannot save the plan: a value from the snapshot {message}", path=snapshot.path,
                         field=field_path(tuple(first["loc"])) or None) from None


def _plan(*, running: RunningAssets, runbook: Runbook, snapshot: SnapshotIdentity, sha256: str,
          go: bool, created_at: datetime, tool_version: str) -> RotationPlan:
    return RotationPlan(
        format=PLAN_FORMAT,
        plan_version=PLAN_VERSION,
        created_at=created_at,
        tool_version=tool_version,
        decision="GO" if go else "NO-GO",
        snapshot=PlannedSnapshot(path=snapshot.path, name=snapshot.name, collected_at=snapshot.collected_at,
                                 org_id=snapshot.org_id, mid=snapshot.mid, sha256=sha256),
        restore=_restore_of(running),
        runbook=PlannedRunbook.model_validate({"impact": list(runbook.impact),
                                               "steps": [asdict(step) for step in runbook.steps],
                                               "notes": list(runbook.notes)}),
    )


def write_plan(plan: RotationPlan, path: Path) -> None:
    """Write the plan whole or not at all: a failed write leaves the previous plan as it was."""
    text = json.dumps(plan.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n"
    try:
        write_text_atomically(path, text)
    except OSError as error:
        raise OutputError(f"cannot write the plan: {error.strerror or error}", path=str(path)) from None


# -- reading -------------------------------------------------------------------------------------

def load_plan(path: Path, *, max_bytes: int) -> RotationPlan:
    """Read and validate a plan file; any problem is an InputError of one line (exit 2).

    A plan is read like any untrusted file (mcaudit.untrusted: a regular file, within the JSON
    limits scaled from `max_bytes`, strict JSON: no duplicate keys, no NaN)."""
    document = read_document(path, PLAN, max_bytes=max_bytes)
    data = document.data
    if not isinstance(data, dict):
        raise InputError("expected a JSON object (a plan written by `mcaudit preflight --save-plan`)",
                         path=str(path))
    if data.get("format") != PLAN_FORMAT:
        raise InputError(f"not an mcaudit rotation plan (expected \"format\": \"{PLAN_FORMAT}\")", path=str(path))
    try:
        return RotationPlan.model_validate(data)
    except ValidationError as error:
        # the one wording of every file's problems; a value is shown JSON-escaped, never raw
        raise validation_error(error, document, PLAN, RotationPlan, format_help=None) from None


def planned_assets(plan: RotationPlan) -> RunningAssets:
    """The plan's restore list as the engine's RunningAssets (what verify checks)."""
    restore = plan.restore
    return RunningAssets(
        triggered_sends=None if restore.triggered_sends is None else tuple(
            Asset(AssetKind.triggered_send, item.key, item.name, item.status or ACTIVE_SEND.value)
            for item in restore.triggered_sends),
        journeys=None if restore.journeys is None else tuple(
            Asset(AssetKind.journey, item.key, item.name, item.status or RUNNING_JOURNEY.value, version=item.version,
                  population=item.population, entry_source=item.entry_source)
            for item in restore.journeys),
        scheduled_sends=None if restore.scheduled_sends is None else tuple(
            Asset(AssetKind.scheduled_send, item.id, item.name, item.status, scheduled_at=item.scheduled_at,
                  status_value=item.status_value)
            for item in restore.scheduled_sends),
    )
