"""Subjects of the credential-rotation rules: preflight (RT3xx) and post-rotation verify (PV4xx).

Preflight subjects come from the snapshot being checked. Verify subjects come from the baseline
(what ran before the rotation, from a BEFORE snapshot or a saved plan), each joined to its
current state in the AFTER snapshot by its key. Merged into SUBJECTS by engine.subjects.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime

from mcaudit.engine.context import Context, Missing
from mcaudit.engine.index import fold
from mcaudit.engine.rotation_assets import (
    Asset,
    AssetKind,
    RotationBaseline,
    journey_asset,
    scheduled_send_asset,
    triggered_send_asset,
    uses_salesforce_data,
)
from mcaudit.engine.subjects import Subject
from mcaudit.snapshot.sending import Journey, SyncStatus

NOT_FOUND = "not found"

# -- preflight views -------------------------------------------------------------------------


@dataclass(frozen=True)
class StatusView:
    """A triggered send or CRM send: only its status is compared."""

    status: str


class JourneyVersionView:
    def __init__(self, journey: Journey, location: str) -> None:
        self._journey = journey
        self._location = location

    @property
    def status(self) -> str:
        return self._journey.status.value

    @property
    def uses_salesforce_data(self) -> bool:
        uses = uses_salesforce_data(self._journey)
        if uses is None:
            raise Missing(f"{self._location}.entry_source")
        return uses


# -- verify views ----------------------------------------------------------------------------

@dataclass(frozen=True)
class RestoredView:
    """An asset that ran before the rotation, and its status in the AFTER snapshot."""

    before: Asset
    status_now: str  # NOT_FOUND when the key joins nothing in AFTER
    ran_before: str  # shown as evidence: the status it had, and where that was recorded


@dataclass(frozen=True)
class JourneyAfterView:
    before: Asset
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
        subjects.append(Subject(send.key, asset.label, asset.location or "", StatusView(send.status.value)))
    return subjects


def _salesforce_data_journeys(ctx: Context) -> list[Subject]:
    """Journey versions with a Salesforce Data entry source, or one that was not collected.
    API-event and audience entries do not go through the connector, so they are not subjects."""
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
        subjects.append(Subject(send.id, asset.label, asset.location or "", StatusView(send.status.value)))
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


def _restored(ctx: Context, kind: AssetKind, current: list[tuple[str, str]]) -> list[Subject]:
    """Join each asset that ran before to its (key, status) in AFTER: exactly, else ignoring case."""
    exact: dict[str, int] = {}
    folded: dict[str, int] = {}
    for index, (key, _) in enumerate(current):
        exact.setdefault(key, index)
        folded.setdefault(fold(key), index)
    subjects = []
    for asset in _ran_before(ctx, kind):
        position = exact.get(asset.key, folded.get(fold(asset.key)))
        location = kind.section + ("" if position is None else f"[{position}]")
        status = NOT_FOUND if position is None else current[position][1]
        ran_before = f"{asset.status} in the {_baseline(ctx).described_as}"
        subjects.append(Subject(asset.key, asset.label, location, RestoredView(asset, status, ran_before)))
    return subjects


def _triggered_sends_before(ctx: Context) -> list[Subject]:
    sends = (ctx.index.mc.triggered_sends if ctx.index.mc else None) or []
    return _restored(ctx, AssetKind.triggered_send, [(send.key, send.status.value) for send in sends])


def _scheduled_sends_before(ctx: Context) -> list[Subject]:
    sends = (ctx.index.sf.scheduled_sends if ctx.index.sf else None) or []
    return _restored(ctx, AssetKind.scheduled_send, [(send.id, send.status.value) for send in sends])


def _journeys_before(ctx: Context) -> list[Subject]:
    """One subject per journey key that ran before (the newest version that ran names it)."""
    newest: dict[str, Asset] = {}
    for asset in _ran_before(ctx, AssetKind.journey):
        current = newest.get(fold(asset.key))
        if current is None or (asset.version or 0) > (current.version or 0):
            newest[fold(asset.key)] = asset
    journeys = (ctx.index.mc.journeys if ctx.index.mc else None) or []
    versions: dict[str, list[Journey]] = {}
    for journey in journeys:
        versions.setdefault(fold(journey.key), []).append(journey)
    # one subject per journey, so its label names the journey, not the version that ran
    return [Subject(asset.key, replace(asset, version=None).label, "marketing_cloud.journeys",
                    JourneyAfterView(asset, tuple(versions.get(key, ()))))
            for key, asset in newest.items()]


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
