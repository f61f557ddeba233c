"""What a credential rotation touches (KB 005228128), read from one snapshot.

Assets to handle before a rotation, and to restore after it:
- Active triggered sends (only Active sends);
- journey versions with a Salesforce Data entry source that are Published (taking entries),
  Paused (they resume by themselves when the pause ends) or ScheduledToPublish (they go live by
  themselves at their scheduled time);
- CRM sends that are scheduled or in progress.
Anything else is already quiet: it is neither something to pause nor something to restore. An
Unpublished version is Finishing: it takes no new entries, though contacts are still in it.

A value mcaudit does not know (a journey or triggered send status the API added, an entry source
type it cannot place, a CRM send status that is empty or new) is never read as quiet: the asset is
kept, marked as uncertain, so that the preflight reports it as unknown and the runbook names it.
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
# entry sources that do not go through the connector; "Other" (what an older snapshot wrote for a
# type it did not know) and unrecognised types are in neither set: they may be Salesforce Data
NOT_SALESFORCE_DATA = frozenset({EntrySourceType.api_event, EntrySourceType.email_audience,
                                 EntrySourceType.automation_audience, EntrySourceType.contact_audience})

ACTIVE_SEND = TriggeredSendStatus.active
RUNNING_JOURNEY = JourneyStatus.published
LIVE_JOURNEY = frozenset({JourneyStatus.published, JourneyStatus.paused, JourneyStatus.scheduled_to_publish})
LIVE_SCHEDULED = frozenset({ScheduledSendStatus.scheduled, ScheduledSendStatus.in_progress})

# after the rotation: the states that count as restored, by the state an asset had before it
RESTORED_SEND = frozenset({TriggeredSendStatus.active})
RESTORED_JOURNEY = {
    JourneyStatus.published: frozenset({JourneyStatus.published}),
    JourneyStatus.paused: frozenset({JourneyStatus.paused, JourneyStatus.published}),
    JourneyStatus.scheduled_to_publish: frozenset({JourneyStatus.scheduled_to_publish, JourneyStatus.published}),
}
RESTORED_SCHEDULED = frozenset({ScheduledSendStatus.scheduled, ScheduledSendStatus.in_progress,
                                ScheduledSendStatus.completed})

# what a live journey version does by itself, and what to do about it before the rotation
JOURNEY_BEHAVIOUR = {
    JourneyStatus.published: "takes Salesforce Data entries now",
    JourneyStatus.paused: "resumes by itself when its pause ends",
    JourneyStatus.scheduled_to_publish: "goes live at its scheduled time",
}
JOURNEY_ACTION = {
    JourneyStatus.published: "stop it before the rotation",
    JourneyStatus.paused: "stop it, or confirm the pause outlasts the rotation",
    JourneyStatus.scheduled_to_publish: "unschedule it, or confirm the schedule falls after the rotation and "
                                        "verification",
}
# how people are told a journey status, where the API's name alone misleads
JOURNEY_STATUS_WORDS = {
    JourneyStatus.unpublished: "Unpublished (Finishing: no new entries, contacts still in it)",
    JourneyStatus.scheduled_to_send: "ScheduledToSend (a single-send journey)",
    JourneyStatus.sent: "Sent (a single-send journey)",
}


def journey_status_words(status: JourneyStatus) -> str:
    """A journey status as people are told it, e.g. Unpublished (Finishing: ...)."""
    return JOURNEY_STATUS_WORDS.get(status, status.value) if status.recognised else f"'{status.value}'"


def parse_journey_status(text: str | None) -> JourneyStatus | None:
    """A status text (from a snapshot or a plan) as a JourneyStatus; None when there is none."""
    try:
        return JourneyStatus(text) if text is not None else None
    except ValueError:  # empty text
        return None


def parse_send_status(text: str | None) -> TriggeredSendStatus | None:
    try:
        return TriggeredSendStatus(text) if text is not None else None
    except ValueError:
        return None


def parse_entry_type(text: str | None) -> EntrySourceType | None:
    try:
        return EntrySourceType(text) if text is not None else None
    except ValueError:
        return None


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
    """One asset to handle: what to pause before the rotation and restore after it."""

    kind: AssetKind
    key: str  # triggered send CustomerKey, journey key, or the CRM send's Salesforce record Id
    name: str | None = None
    # triggered sends and journeys: the status as the API gave it; CRM sends: the normalised status
    status: str | None = None
    location: str | None = None  # dotted path into the snapshot it was read from
    version: int | None = None  # journeys
    population: int | None = None  # journeys: contacts in flight, when known
    entry_source: str | None = None  # journeys: the entry source type; None when it was not collected
    scheduled_at: datetime | None = None  # CRM sends
    status_value: str | None = None  # CRM sends: the status as Salesforce shows it (picklist value)

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

    @property
    def journey_status(self) -> JourneyStatus | None:
        return parse_journey_status(self.status) if self.kind is AssetKind.journey else None

    @property
    def status_known(self) -> bool:
        """False when its status is one mcaudit does not know (so it may or may not be live)."""
        if self.kind is AssetKind.triggered_send:
            send_status = parse_send_status(self.status)
            return send_status is not None and send_status.recognised
        if self.kind is AssetKind.journey:
            journey_status = self.journey_status
            return journey_status is not None and journey_status.recognised
        return self.status != ScheduledSendStatus.unknown.value

    @property
    def salesforce_data(self) -> bool | None:
        """Journeys: True for a Salesforce Data entry source, None when that is not known."""
        entry = parse_entry_type(self.entry_source)
        return None if entry is None else entry_type_uses_salesforce_data(entry)

    @property
    def status_words(self) -> str:
        """Its status as people are told it: Paused, 'Suspended' (unknown), an empty status..."""
        if self.kind is AssetKind.journey:
            journey_status = self.journey_status
            return journey_status_words(journey_status) if journey_status is not None else "no status"
        if self.kind is AssetKind.scheduled_send and not self.status_known:
            return crm_status_words(self.status_value)
        if not self.status_known:
            return f"status '{self.status}'" if self.status else "no status"
        return self.status or "no status"


_KIND_TITLES = {
    AssetKind.triggered_send: "triggered send",
    AssetKind.journey: "journey",
    AssetKind.scheduled_send: "CRM send",
}


def crm_status_words(status_value: str | None) -> str:
    """How to name a CRM send status mcaudit could not map: the raw picklist value, or empty."""
    if status_value is None or not status_value.strip():
        return "an empty status"
    return f"status '{status_value}'"


@dataclass(frozen=True)
class RunningAssets:
    """The assets to handle; None for a kind means its section was not collected (unknown)."""

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


def entry_type_uses_salesforce_data(kind: EntrySourceType) -> bool | None:
    """True for Salesforce Data, False for API events and audiences, None for a type mcaudit
    cannot place ("Other" from an older snapshot, or a type the API added)."""
    if kind in SALESFORCE_DATA:
        return True
    if kind in NOT_SALESFORCE_DATA:
        return False
    return None


def uses_salesforce_data(journey: Journey) -> bool | None:
    """True for a Salesforce Data entry source; None when the entry source was not collected or
    its type is one mcaudit does not know."""
    if journey.entry_source is None:
        return None
    return entry_type_uses_salesforce_data(journey.entry_source.type)


def journey_to_handle(journey: Journey) -> bool:
    """A version that is, or may be, live with a Salesforce Data entry source."""
    if uses_salesforce_data(journey) is False:
        return False
    return journey.status in LIVE_JOURNEY or not journey.status.recognised


def triggered_send_to_handle(send: TriggeredSend) -> bool:
    return send.status is ACTIVE_SEND or not send.status.recognised


def scheduled_send_to_handle(send: ScheduledSend) -> bool:
    return send.status in LIVE_SCHEDULED or send.status is ScheduledSendStatus.unknown


def triggered_send_asset(send: TriggeredSend, location: str) -> Asset:
    return Asset(AssetKind.triggered_send, send.key, send.name, send.status.value, location)


def journey_asset(journey: Journey, location: str) -> Asset:
    entry = journey.entry_source.type.value if journey.entry_source else None
    return Asset(AssetKind.journey, journey.key, journey.name, journey.status.value, location,
                 version=journey.version, population=journey.population, entry_source=entry)


def scheduled_send_asset(send: ScheduledSend, location: str) -> Asset:
    return Asset(AssetKind.scheduled_send, send.id, send.name, send.status.value, location,
                 scheduled_at=send.scheduled_at, status_value=send.status_value)


def running_assets(snapshot: Snapshot) -> RunningAssets:
    """The assets a rotation would break now or could break while it runs. A version whose entry
    source was not collected, or whose status or entry type mcaudit does not know, is included:
    it may be affected, and the runbook has it checked by hand."""
    mc, sf = snapshot.marketing_cloud, snapshot.salesforce
    sends = mc.triggered_sends if mc else None
    journeys = mc.journeys if mc else None
    scheduled = sf.scheduled_sends if sf else None
    return RunningAssets(
        triggered_sends=None if sends is None else tuple(
            triggered_send_asset(send, f"marketing_cloud.triggered_sends[{position}]")
            for position, send in enumerate(sends) if triggered_send_to_handle(send)
        ),
        journeys=None if journeys is None else tuple(
            journey_asset(journey, f"marketing_cloud.journeys[{position}]")
            for position, journey in enumerate(journeys) if journey_to_handle(journey)
        ),
        scheduled_sends=None if scheduled is None else tuple(
            scheduled_send_asset(send, f"salesforce.scheduled_sends[{position}]")
            for position, send in enumerate(scheduled) if scheduled_send_to_handle(send)
        ),
    )


def unaffected_running_journeys(snapshot: Snapshot) -> int:
    """Running journeys whose entry source (API event, audience) does not use the connector."""
    journeys = (snapshot.marketing_cloud.journeys if snapshot.marketing_cloud else None) or []
    return sum(1 for journey in journeys
               if journey.status is RUNNING_JOURNEY and uses_salesforce_data(journey) is False)
