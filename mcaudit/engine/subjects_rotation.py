"""Subjects of the credential-rotation rules: preflight (RT3xx) and post-rotation verify (PV4xx).

Preflight subjects come from the snapshot being checked. Verify subjects come from the baseline
(what ran before the rotation, from a BEFORE snapshot or a saved plan), each joined to its
current state in the AFTER snapshot by its key. Merged into SUBJECTS by engine.subjects, which imports this module.

A status mcaudit does not know is never compared as if it were known: the attribute raises
Missing with a reason that names the value and says what a person must look at, so the rule
reports unknown (and the preflight is NO-GO) instead of passing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime

from mcaudit.engine.base import Missing, ModelView, Subject
from mcaudit.engine.context import Context
from mcaudit.engine.index import fold
from mcaudit.engine.rotation_assets import (
    ACTIVE_SEND,
    JOURNEY_ACTION,
    JOURNEY_BEHAVIOUR,
    LIVE_JOURNEY,
    LIVE_SCHEDULED,
    RESTORED_SCHEDULED,
    RESTORED_SEND,
    Asset,
    AssetKind,
    RotationBaseline,
    crm_status_words,
    journey_asset,
    journey_status_words,
    scheduled_send_asset,
    triggered_send_asset,
    uses_salesforce_data,
)
from mcaudit.snapshot.sending import (
    Journey,
    JourneyStatus,
    ScheduledSend,
    ScheduledSendStatus,
    SyncStatus,
    TriggeredSend,
)

NOT_FOUND = "not found"

# what a person checks by hand when mcaudit cannot read an asset's state
CHECK_SEND = ("check it in Email Studio > Interactions > Triggered Emails, and pause it before the rotation if it "
              "is running")
CHECK_JOURNEY = ("open it in Journey Builder and check whether it is running, paused or scheduled to publish; if "
                 "it is, stop it (or unschedule it) before the rotation")
CHECK_ENTRY = "check in Journey Builder whether its entry source is Salesforce Data"
CHECK_CRM = ("open its MCC send record in Salesforce, and pause it before the rotation if it is scheduled or "
             "sending")

# RT301-RT303 read a state from each view: one that takes entries or sends now or by itself
# during the rotation, one that does not, or one mcaudit cannot place
LIVE, QUIET, UNKNOWN = "live", "quiet", "unknown"


class Shown(str):
    """A value compared as itself and shown to people in more words (e.g. what Unpublished means)."""

    display: str

    def __new__(cls, value: str, display: str) -> Shown:
        shown = super().__new__(cls, value)
        shown.display = display
        return shown


def _cannot_tell(question: str, reason: str) -> Missing:
    """Missing for a value that was collected but is not one mcaudit knows. The engine words it as
    "cannot tell: <what> was not collected", so <what> ends with the thing that is lacking."""
    return Missing(f"{question} ({reason}), as a status mcaudit knows")


# -- preflight views -------------------------------------------------------------------------

class TriggeredSendView(ModelView, model=TriggeredSend):
    """RT301: a triggered send definition; only Active ones send."""

    def __init__(self, send: TriggeredSend, location: str) -> None:
        super().__init__(send, location)
        self._send = send
        self._location = location

    @property
    def status(self) -> str:
        if not self._send.status.recognised:
            raise _cannot_tell("whether it sends", f"'{self._send.status.value}' at {self._location}.status is "
                               f"not a triggered send status mcaudit knows: {CHECK_SEND}")
        return self._send.status.value

    @property
    def what_to_do(self) -> str | None:
        if self._send.status.recognised:
            return None
        return f"'{self._send.status.value}' is not a triggered send status mcaudit knows: {CHECK_SEND}"

    @property
    def state(self) -> str:
        if not self._send.status.recognised:
            return UNKNOWN
        return LIVE if self._send.status is ACTIVE_SEND else QUIET

    @property
    def message(self) -> str:
        """What to say after the subject's label, for its state."""
        value = self._send.status.value
        if self.state == UNKNOWN:
            return (f"has status '{value}' ({self._location}.status), which mcaudit does not know, so it cannot "
                    f"tell whether it sends: {CHECK_SEND}")
        if self.state == LIVE:
            return "is Active: pause it before the rotation, or its sends fail"
        return f"is {value}, not Active: nothing to pause"

    @property
    def evidence(self) -> tuple[str, ...]:
        todo = self.what_to_do
        return (f"Status: {self._send.status.value}", *([f"what to do: {todo}"] if todo else []))


class JourneyVersionView(ModelView, model=Journey):
    """RT302: a journey version whose entry source is (or may be) Salesforce Data."""

    def __init__(self, journey: Journey, location: str) -> None:
        super().__init__(journey, location)
        self._journey = journey
        self._location = location

    @property
    def status(self) -> str:
        status = self._journey.status
        if not status.recognised:
            raise _cannot_tell("whether this version can take entries during the rotation",
                               f"'{status.value}' at {self._location}.status is not a journey status mcaudit "
                               f"knows: {CHECK_JOURNEY}")
        return Shown(status.value, journey_status_words(status))

    @property
    def uses_salesforce_data(self) -> bool:
        uses = uses_salesforce_data(self._journey)
        if uses is not None:
            return uses
        entry = self._journey.entry_source
        if entry is None:
            raise Missing(f"{self._location}.entry_source")
        raise Missing(f"whether this version uses the connector ('{entry.type.value}' at {self._location}."
                      f"entry_source.type is not an entry source type mcaudit can place: {CHECK_ENTRY}), as a "
                      "type mcaudit knows")

    @property
    def what_to_do(self) -> str | None:
        status = self._journey.status
        if not status.recognised:
            return f"'{status.value}' is not a journey status mcaudit knows: {CHECK_JOURNEY}"
        if status not in LIVE_JOURNEY:
            return None
        if uses_salesforce_data(self._journey) is None:
            return f"{CHECK_ENTRY}; if it is, {JOURNEY_ACTION[status]}"
        return f"{status.value}: {JOURNEY_BEHAVIOUR[status]}: {JOURNEY_ACTION[status]}"

    @property
    def state(self) -> str:
        """live, quiet or unknown; raises Missing when the entry source of a live version was not collected."""
        status = self._journey.status
        if not status.recognised:
            return UNKNOWN
        if status not in LIVE_JOURNEY:
            return QUIET
        if uses_salesforce_data(self._journey) is None:
            if self._journey.entry_source is None:
                raise Missing(f"{self._location}.entry_source")
            return UNKNOWN
        return LIVE

    @property
    def message(self) -> str:
        status = self._journey.status
        state = self.state
        if state == QUIET:
            return f"is {journey_status_words(status)} and takes no new entries: nothing to stop"
        if state == UNKNOWN and not status.recognised:
            return (f"has status '{status.value}' ({self._location}.status), which mcaudit does not know, so it "
                    f"cannot tell whether this version takes entries or can start by itself: {CHECK_JOURNEY}")
        if state == UNKNOWN:
            entry = self._journey.entry_source.type.value if self._journey.entry_source else "not collected"
            return (f"is {status.value} with entry source type '{entry}', which mcaudit cannot place: "
                    f"{CHECK_ENTRY}, and if it is, {JOURNEY_ACTION[status]}")
        if status is JourneyStatus.published:
            return "is running with a Salesforce Data entry source: stop it before the rotation"
        return (f"is {status.value} with a Salesforce Data entry source and {JOURNEY_BEHAVIOUR[status]}: "
                f"{JOURNEY_ACTION[status]}")

    @property
    def evidence(self) -> tuple[str, ...]:
        journey = self._journey
        entry = journey.entry_source.type.value if journey.entry_source else "not collected"
        lines = [f"Status: {journey_status_words(journey.status)}", f"entry source: {entry}"]
        todo = self.what_to_do
        if todo:
            lines.append(f"what to do: {todo}")
        if journey.population is not None:
            lines.append(f"contacts in it: {journey.population:,}")
        return tuple(lines)


class CrmSendView(ModelView, model=ScheduledSend):
    """RT303: a CRM-initiated send; scheduled and in-progress ones still run."""

    def __init__(self, send: ScheduledSend, location: str) -> None:
        super().__init__(send, location)
        self._send = send
        self._location = location

    @property
    def _words(self) -> str:
        return crm_status_words(self._send.status_value)

    @property
    def status(self) -> str:
        if self._send.status is ScheduledSendStatus.unknown:
            raise _cannot_tell("whether this send is scheduled or sending",
                               f"it has {self._words} in Salesforce ({self._location}.status_value), which mcaudit "
                               f"does not know: {CHECK_CRM}")
        status: str = self._send.status.value
        return status

    @property
    def what_to_do(self) -> str | None:
        if self._send.status is not ScheduledSendStatus.unknown:
            return None
        return f"{self._words} in Salesforce is not a CRM send status mcaudit knows: {CHECK_CRM}"

    @property
    def state(self) -> str:
        if self._send.status is ScheduledSendStatus.unknown:
            return UNKNOWN
        return LIVE if self._send.status in LIVE_SCHEDULED else QUIET

    @property
    def message(self) -> str:
        if self.state == UNKNOWN:
            return (f"has {self._words} in Salesforce ({self._location}.status_value), which mcaudit does not "
                    f"read as scheduled, sending or stopped: {CHECK_CRM}")
        if self.state == LIVE:
            return "is scheduled or in progress: pause it before the rotation"
        return f"is {self._send.status.value}: nothing to pause"

    @property
    def evidence(self) -> tuple[str, ...]:
        lines = [f"Status: {self._send.status.value}"]
        if self._send.status_value is not None:
            lines.append(f"status in Salesforce: '{self._send.status_value}'")
        todo = self.what_to_do
        if todo:
            lines.append(f"what to do: {todo}")
        return tuple(lines)


# -- verify views ----------------------------------------------------------------------------

class RestoredView:
    """A triggered send or CRM send handled for the rotation, and its status in the AFTER snapshot.

    `status_now` is what PV402/PV404 compare. It raises Missing when whether the asset is back
    cannot be told: its status before or now is one mcaudit does not know, and it is not plainly
    back (Active; scheduled, in progress or completed)."""

    def __init__(self, before: Asset, ran_before: str, now: str, now_words: str, now_known: bool,
                 check: str) -> None:
        self.before = before
        self.ran_before = ran_before  # shown as evidence: the status it had, and where that was recorded
        self._now = now  # NOT_FOUND when the key joins nothing in AFTER
        self._now_words = now_words
        self._now_known = now_known
        self._check = check

    @property
    def _back(self) -> bool:
        restored = RESTORED_SEND if self.before.kind is AssetKind.triggered_send else RESTORED_SCHEDULED
        return fold(self._now) in {fold(state.value) for state in restored}

    @property
    def status_now(self) -> str:
        if self._back or (self.before.status_known and self._now_known):
            return self._now
        if not self.before.status_known:
            reason = (f"it had {self.before.status_words} before the rotation, which mcaudit does not know, and "
                      f"{self._now_words} now: {self._check}")
        else:
            reason = (f"it was {self.before.status_words} before the rotation and {self._now_words} now, which "
                      f"mcaudit does not know: {self._check}")
        raise _cannot_tell("whether it is back", reason)


@dataclass(frozen=True)
class JourneyAfterView:
    """The versions of one journey handled for the rotation, and every version of it in AFTER."""

    befores: tuple[Asset, ...]  # the versions that were live before, oldest first
    versions_now: tuple[Journey, ...]  # every version of the same journey key in AFTER


@dataclass(frozen=True)
class SyncView:
    """A Synchronized Data Extension or the IER sync in the AFTER snapshot."""

    what: str  # e.g. "Synchronized Data Extension Contact"
    enabled: bool | None
    status: SyncStatus | None
    last_success: datetime | None
    last_success_field: str  # dotted path, named when the value was not collected
    last_error: str | None


# -- preflight selectors ---------------------------------------------------------------------

def _snapshot(ctx: Context) -> list[Subject]:
    return [Subject("snapshot", "snapshot", "", None)]


def _connection(ctx: Context) -> list[Subject]:
    return [Subject("mcc_connection", "MCC connection", "", None)]


def _triggered_sends(ctx: Context) -> list[Subject]:
    sends = (ctx.index.mc.triggered_sends if ctx.index.mc else None) or []
    subjects = []
    for position, send in enumerate(sends):
        asset = triggered_send_asset(send, f"marketing_cloud.triggered_sends[{position}]")
        location = asset.location or ""
        subjects.append(Subject(send.key, asset.label, location, TriggeredSendView(send, location)))
    return subjects


def _salesforce_data_journeys(ctx: Context) -> list[Subject]:
    """Journey versions with a Salesforce Data entry source, or one that was not collected or is of
    a type mcaudit cannot place. API-event and audience entries do not go through the connector,
    so they are not subjects."""
    journeys = (ctx.index.mc.journeys if ctx.index.mc else None) or []
    subjects = []
    for position, journey in enumerate(journeys):
        if uses_salesforce_data(journey) is False:
            continue
        location = f"marketing_cloud.journeys[{position}]"
        subjects.append(Subject(f"{journey.key}@{journey.version}", journey_asset(journey, location).label,
                                location, JourneyVersionView(journey, location)))
    return subjects


def _scheduled_sends(ctx: Context) -> list[Subject]:
    sends = (ctx.index.sf.scheduled_sends if ctx.index.sf else None) or []
    subjects = []
    for position, send in enumerate(sends):
        asset = scheduled_send_asset(send, f"salesforce.scheduled_sends[{position}]")
        location = asset.location or ""
        subjects.append(Subject(send.id, asset.label, location, CrmSendView(send, location)))
    return subjects


# -- verify selectors ------------------------------------------------------------------------

def _baseline(ctx: Context) -> RotationBaseline:
    if ctx.config.baseline is None:
        raise Missing("the baseline (a BEFORE snapshot or a --plan)")
    return ctx.config.baseline


def _ran_before(ctx: Context, kind: AssetKind) -> tuple[Asset, ...]:
    baseline = _baseline(ctx)
    assets = baseline.running.of_kind(kind)
    if assets is None:
        raise Missing(f"{baseline.described_as}: {kind.section}")
    return assets


@dataclass(frozen=True)
class _Now:
    """An asset's state in AFTER, as verify compares it."""

    key: str
    status: str
    words: str  # how to say it: "is Inactive", "has status 'Halted'"
    known: bool


def _restored(ctx: Context, kind: AssetKind, current: list[_Now], check: str) -> list[Subject]:
    """Join each asset handled before to its state in AFTER by key: exactly, else ignoring case."""
    exact: dict[str, int] = {}
    folded: dict[str, int] = {}
    for index, now in enumerate(current):
        exact.setdefault(now.key, index)
        folded.setdefault(fold(now.key), index)
    subjects = []
    for asset in _ran_before(ctx, kind):
        position = exact.get(asset.key, folded.get(fold(asset.key)))
        location = kind.section + ("" if position is None else f"[{position}]")
        now = _Now(asset.key, NOT_FOUND, "is not found", True) if position is None else current[position]
        ran_before = f"{asset.status_words} in the {_baseline(ctx).described_as}"
        view = RestoredView(asset, ran_before, now.status, now.words, now.known, check)
        subjects.append(Subject(asset.key, asset.label, location, view))
    return subjects


def _send_now(send: TriggeredSend) -> _Now:
    status = send.status
    words = f"is {status.value}" if status.recognised else f"has status '{status.value}'"
    return _Now(send.key, status.value, words, status.recognised)


def _crm_now(send: ScheduledSend) -> _Now:
    known = send.status is not ScheduledSendStatus.unknown
    words = f"is {send.status.value}" if known else f"has {crm_status_words(send.status_value)} in Salesforce"
    return _Now(send.id, send.status.value, words, known)


def _triggered_sends_before(ctx: Context) -> list[Subject]:
    sends = (ctx.index.mc.triggered_sends if ctx.index.mc else None) or []
    return _restored(ctx, AssetKind.triggered_send, [_send_now(send) for send in sends],
                     "check it in Email Studio > Interactions > Triggered Emails")


def _scheduled_sends_before(ctx: Context) -> list[Subject]:
    sends = (ctx.index.sf.scheduled_sends if ctx.index.sf else None) or []
    return _restored(ctx, AssetKind.scheduled_send, [_crm_now(send) for send in sends],
                     "check its MCC send record in Salesforce")


def _journeys_before(ctx: Context) -> list[Subject]:
    """One subject per journey key handled before; its label names the journey, not a version."""
    befores: dict[str, list[Asset]] = {}
    for asset in _ran_before(ctx, AssetKind.journey):
        befores.setdefault(fold(asset.key), []).append(asset)
    journeys = (ctx.index.mc.journeys if ctx.index.mc else None) or []
    versions: dict[str, list[Journey]] = {}
    for journey in journeys:
        versions.setdefault(fold(journey.key), []).append(journey)
    subjects = []
    for key, assets in befores.items():
        ordered = tuple(sorted(assets, key=lambda asset: asset.version or 0))
        newest = ordered[-1]
        subjects.append(Subject(newest.key, replace(newest, version=None).label, "marketing_cloud.journeys",
                                JourneyAfterView(ordered, tuple(versions.get(key, ())))))
    return subjects


def _synchronized_data_extensions(ctx: Context) -> list[Subject]:
    extensions = (ctx.index.mc.synchronized_data_extensions if ctx.index.mc else None) or []
    subjects = []
    for position, extension in enumerate(extensions):
        location = f"marketing_cloud.synchronized_data_extensions[{position}]"
        what = f"Synchronized Data Extension {extension.object_name}"
        subjects.append(Subject(extension.object_name, what, location, SyncView(
            what, True, extension.status, extension.last_successful_sync,
            f"{location}.last_successful_sync", extension.last_error)))
    return subjects


def _ier_sync(ctx: Context) -> list[Subject]:
    ier = ctx.index.mc.ier_sync if ctx.index.mc else None
    if ier is None:
        return []
    location = "marketing_cloud.ier_sync"
    what = "Individual Email Results (IER) sync"
    return [Subject("ier_sync", what, location, SyncView(
        what, ier.enabled, ier.status, ier.last_successful_run, f"{location}.last_successful_run",
        ier.last_error))]


ROTATION_SUBJECTS: dict[str, Callable[[Context], list[Subject]]] = {
    "rotation.snapshot": _snapshot,
    "rotation.connection": _connection,
    "rotation.triggered_sends": _triggered_sends,
    "rotation.salesforce_data_journeys": _salesforce_data_journeys,
    "rotation.scheduled_sends": _scheduled_sends,
    "verify.triggered_sends_before": _triggered_sends_before,
    "verify.journeys_before": _journeys_before,
    "verify.scheduled_sends_before": _scheduled_sends_before,
    "verify.synchronized_data_extensions": _synchronized_data_extensions,
    "verify.ier_sync": _ier_sync,
}
