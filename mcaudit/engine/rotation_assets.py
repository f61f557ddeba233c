"""What a credential rotation touches (KB 005228128), read from one snapshot.

Only Active triggered sends send; only Published journey versions with a Salesforce Data entry
source take entries through the connector; only scheduled or in-progress CRM sends are still to
run. Anything else is already paused: it is neither something to pause nor something to restore.
The preflight rules, the runbook, the saved plan and verify all read these same definitions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from mcaudit.snapshot import Snapshot
from mcaudit.snapshot.sending import (
    EntrySourceType,
    Journey,
    JourneyStatus,
    ScheduledSend,
    ScheduledSendStatus,
    TriggeredSend,
    TriggeredSendStatus,
)

SALESFORCE_DATA = frozenset({EntrySourceType.salesforce_data, EntrySourceType.salesforce_data_legacy})
RUNNING_JOURNEY = JourneyStatus.published
LIVE_SCHEDULED = frozenset({ScheduledSendStatus.scheduled, ScheduledSendStatus.in_progress})


class AssetKind(str, Enum):
    triggered_send = "triggered_send"
    journey = "journey"
    scheduled_send = "scheduled_send"

    @property
    def section(self) -> str:
        """The snapshot section that holds this kind of asset."""
        return _KIND_SECTIONS[self][0]

    @property
    def section_name(self) -> str:
        """How reports name that section, e.g. "triggered send definitions"."""
        return _KIND_SECTIONS[self][1]


_KIND_SECTIONS = {
    AssetKind.triggered_send: ("marketing_cloud.triggered_sends", "triggered send definitions"),
    AssetKind.journey: ("marketing_cloud.journeys", "journeys"),
    AssetKind.scheduled_send: ("salesforce.scheduled_sends", "CRM-initiated sends"),
}
# the sections a preflight cannot do without (RT300)
ROTATION_SECTIONS = tuple(kind.section for kind in AssetKind)


@dataclass(frozen=True)
class Asset:
    """One running asset: what to pause before the rotation and restore after it."""

    kind: AssetKind
    key: str  # triggered send CustomerKey, journey key, or the CRM send's Salesforce record Id
    name: str | None = None
    status: str | None = None
    location: str | None = None  # dotted path into the snapshot it was read from
    version: int | None = None  # journeys
    population: int | None = None  # journeys: contacts in flight, when known
    entry_source: str | None = None  # journeys: None when the entry source was not collected
    scheduled_at: datetime | None = None  # CRM sends

    @property
    def label(self) -> str:
        """How reports name it, e.g. journey 'Onboarding' version 3 (key onboarding)."""
        return f"{_KIND_TITLES[self.kind]} {self.short_label}"

    @property
    def short_label(self) -> str:
        """The label without its kind, for lists that already say the kind."""
        parts = [f"'{self.name}'"] if self.name else []
        if self.version is not None:
            parts.append(f"version {self.version}")
        parts.append(f"(Id {self.key})" if self.kind is AssetKind.scheduled_send else f"(key {self.key})")
        return " ".join(parts)


_KIND_TITLES = {
    AssetKind.triggered_send: "triggered send",
    AssetKind.journey: "journey",
    AssetKind.scheduled_send: "CRM send",
}


@dataclass(frozen=True)
class RunningAssets:
    """What was running; None for a kind means its section was not collected (unknown)."""

    triggered_sends: tuple[Asset, ...] | None
    journeys: tuple[Asset, ...] | None
    scheduled_sends: tuple[Asset, ...] | None

    def of_kind(self, kind: AssetKind) -> tuple[Asset, ...] | None:
        return {AssetKind.triggered_send: self.triggered_sends, AssetKind.journey: self.journeys,
                AssetKind.scheduled_send: self.scheduled_sends}[kind]


@dataclass(frozen=True)
class RotationBaseline:
    """What verify compares the AFTER snapshot with: a BEFORE snapshot or a saved plan."""

    described_as: str  # e.g. "BEFORE snapshot before.yaml" or "plan plan.json"
    running: RunningAssets
    rotated_at: datetime
    rotated_at_basis: str  # how the rotation time was chosen, said in the sync checks' evidence


def uses_salesforce_data(journey: Journey) -> bool | None:
    """True for a Salesforce Data entry source; None when the entry source was not collected."""
    if journey.entry_source is None:
        return None
    return journey.entry_source.type in SALESFORCE_DATA


def triggered_send_asset(send: TriggeredSend, location: str) -> Asset:
    return Asset(AssetKind.triggered_send, send.key, send.name, send.status.value, location)


def journey_asset(journey: Journey, location: str) -> Asset:
    entry = journey.entry_source.type.value if journey.entry_source else None
    return Asset(AssetKind.journey, journey.key, journey.name, journey.status.value, location,
                 version=journey.version, population=journey.population, entry_source=entry)


def scheduled_send_asset(send: ScheduledSend, location: str) -> Asset:
    return Asset(AssetKind.scheduled_send, send.id, send.name, send.status.value, location,
                 scheduled_at=send.scheduled_at)


def running_assets(snapshot: Snapshot) -> RunningAssets:
    """The assets a rotation would break right now. A running journey whose entry source was
    not collected is included: it may be affected, and restoring it is harmless."""
    mc, sf = snapshot.marketing_cloud, snapshot.salesforce
    sends = mc.triggered_sends if mc else None
    journeys = mc.journeys if mc else None
    scheduled = sf.scheduled_sends if sf else None
    return RunningAssets(
        triggered_sends=None if sends is None else tuple(
            triggered_send_asset(send, f"marketing_cloud.triggered_sends[{position}]")
            for position, send in enumerate(sends) if send.status is TriggeredSendStatus.active
        ),
        journeys=None if journeys is None else tuple(
            journey_asset(journey, f"marketing_cloud.journeys[{position}]")
            for position, journey in enumerate(journeys)
            if journey.status is RUNNING_JOURNEY and uses_salesforce_data(journey) is not False
        ),
        scheduled_sends=None if scheduled is None else tuple(
            scheduled_send_asset(send, f"salesforce.scheduled_sends[{position}]")
            for position, send in enumerate(scheduled) if send.status in LIVE_SCHEDULED
        ),
    )


def unaffected_running_journeys(snapshot: Snapshot) -> int:
    """Running journeys whose entry source (API event, audience) does not use the connector."""
    journeys = (snapshot.marketing_cloud.journeys if snapshot.marketing_cloud else None) or []
    return sum(1 for journey in journeys
               if journey.status is RUNNING_JOURNEY and uses_salesforce_data(journey) is False)
