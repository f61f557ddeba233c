"""The preflight's runbook: what would fail if rotated now, and a safe rotation step by step.

The order is the one KB 005228128 asks for: pause everything that sends through the connector,
rotate, re-authenticate, restore exactly what was paused, then verify. Every step that acts on
an asset names it; an asset already paused before the preflight appears nowhere. A journey
version that is Paused or ScheduledToPublish can start by itself during the rotation, so it is
named too, with what to do about its pause or schedule and the state to put it back in. An asset
whose status mcaudit does not know is named as one to check by hand.
"""

from __future__ import annotations

import shlex
from collections.abc import Iterator
from dataclasses import dataclass

from mcaudit.engine.rotation_assets import JOURNEY_BEHAVIOUR, Asset, AssetKind, RunningAssets
from mcaudit.findings import Runbook, RunbookStep
from mcaudit.snapshot.sending import JourneyStatus

QUIET_WINDOW_NOTE = (
    "A quiet time window alone is not a substitute for pausing: re-authenticating the API user can "
    "disturb the sending infrastructure itself, so pause everything listed even when nothing is due "
    "to send during the rotation (KB 005228128)."
)
RESTORE_ONLY_NOTE = (
    "Restore only what this runbook pauses: assets that were already inactive, stopped or paused "
    "before the preflight stay as they are. A journey version that was Paused or ScheduledToPublish "
    "goes back to that state (or runs), as its restore step says."
)
NOTHING_RUNNING_NOTE = (
    "Nothing that a rotation breaks is running now. If you paused assets yourself before this "
    "preflight, it cannot see them: restore them from your own list, and verify against the "
    "snapshot or plan taken before you paused them."
)
_KIND_RUNNING = {
    AssetKind.triggered_send: "every Active triggered send definition",
    AssetKind.journey: ("every Published, Paused or ScheduledToPublish journey version with a Salesforce Data "
                        "entry source"),
    AssetKind.scheduled_send: "every scheduled or in-progress CRM send",
}


def _section_title(kind: AssetKind) -> str:
    return kind.section_name[:1].upper() + kind.section_name[1:]


@dataclass(frozen=True)
class RotationTarget:
    """Who the rotation is about and how to verify it afterwards."""

    api_user: str | None  # the MC API user whose credentials change
    system_user: str | None  # the Salesforce System User who re-authenticates the connector
    system_user_how: str | None  # how that is known: "given with --sf-system-user", "inferred from ...; confirm it"
    verify_command: str  # the exact `mcaudit verify ...` to run afterwards
    unaffected_journeys: int = 0  # running journeys with API-event or audience entry sources
    plan_path: str | None = None


def _stamp(asset: Asset) -> str:
    return asset.scheduled_at.isoformat().replace("+00:00", "Z") if asset.scheduled_at else ""


def _ejects(asset: Asset) -> str:
    if asset.population is None:
        return ("Stopping a version ejects every contact in it; the snapshot has no population for "
                "this one, so look at it in Journey Builder first.")
    people = "contact" if asset.population == 1 else "contacts"
    return f"Stopping a version ejects every contact in it: {asset.population:,} {people} in flight."


def _crm_state(asset: Asset) -> str:
    if asset.status == "in_progress":
        return "in progress"
    return f"scheduled for {_stamp(asset)}" if asset.scheduled_at else "scheduled"


# -- impact --------------------------------------------------------------------------------------

def _impact_line(kind: AssetKind, assets: tuple[Asset, ...] | None) -> str:
    if assets is None:
        return f"{_section_title(kind)}: not collected, so what would fail there is unknown."
    count = len(assets)
    if kind is AssetKind.triggered_send:
        head = f"{count} triggered send{'s' if count != 1 else ''} would fail to send"
    elif kind is AssetKind.journey:
        head = (f"{count} journey version{'s' if count != 1 else ''} would stop taking Salesforce Data "
                "entries")
        if any(asset.journey_status is not JourneyStatus.published for asset in assets):
            head += " (now, or when they start by themselves during the rotation)"
    else:
        head = f"{count} CRM-initiated send{'s' if count != 1 else ''} would stop"
    return head + (": " + "; ".join(_impact_item(asset) for asset in assets) if assets else ".")


def _impact_item(asset: Asset) -> str:
    if not asset.status_known:
        return f"{asset.short_label}, {asset.status_words}: a status mcaudit does not know, may be affected"
    if asset.kind is AssetKind.journey:
        status = asset.journey_status
        extra = []
        if status is not None and status is not JourneyStatus.published and status in JOURNEY_BEHAVIOUR:
            extra.append(f"{status.value}: {JOURNEY_BEHAVIOUR[status]}")
        if asset.population is not None:
            extra.append(f"{asset.population:,} in flight")
        if asset.entry_source is None:
            extra.append("entry source not collected, may be affected")
        elif asset.salesforce_data is None:
            extra.append(f"entry source type '{asset.entry_source}' not known to mcaudit, may be affected")
        return asset.short_label + (f", {', '.join(extra)}" if extra else "")
    if asset.kind is AssetKind.scheduled_send:
        return f"{asset.short_label}, {_crm_state(asset)}"
    return asset.short_label


# -- steps ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Step:
    phase: str
    action: str
    asset: Asset | None = None
    kind: AssetKind | None = None
    note: str | None = None


_SEND_PLACE = "Email Studio > Interactions > Triggered Emails"


def _entry_check(asset: Asset) -> str | None:
    """When the entry source of a journey version is not known: what to check first."""
    if asset.entry_source is None:
        return f"Check the entry source of {asset.label} in Journey Builder (the snapshot does not have it)"
    if asset.salesforce_data is None:
        return (f"Check the entry source of {asset.label} in Journey Builder (its type '{asset.entry_source}' is "
                "not one mcaudit knows)")
    return None


def _pause_journey(asset: Asset) -> _Step:
    status = asset.journey_status
    if status is None or not status.recognised:
        return _Step("pause", f"Check {asset.label} in Journey Builder: its status {asset.status_words} is not one "
                     "mcaudit knows. If it has a Salesforce Data entry source and is running, paused or scheduled "
                     "to publish, stop it (or unschedule it) and write down its state to restore it afterwards.",
                     asset, note=_ejects(asset))
    check = _entry_check(asset)
    if status is JourneyStatus.paused:
        what = (f"{asset.label} is Paused: it {JOURNEY_BEHAVIOUR[status]}. Stop it in Journey Builder, or confirm "
                "its pause ends after the rotation and verification (extend the pause if it does not).")
        note = (_ejects(asset) + " Write down when its pause ends and whether you stopped it: the restore step "
                "depends on it.")
    elif status is JourneyStatus.scheduled_to_publish:
        what = (f"{asset.label} is ScheduledToPublish: it {JOURNEY_BEHAVIOUR[status]}. Unschedule it in Journey "
                "Builder, or confirm its schedule falls after the rotation and verification.")
        note = "Write down its scheduled time: you schedule it again afterwards."
    elif check:
        return _Step("pause", f"{check}; if it is Salesforce Data, stop this version.", asset, note=_ejects(asset))
    else:
        return _Step("pause", f"Stop {asset.label} in Journey Builder.", asset, note=_ejects(asset))
    if check:
        what = f"{check}; if it is Salesforce Data: {what[0].lower()}{what[1:]}"
    return _Step("pause", what[0].upper() + what[1:], asset, note=note)


def _pause(kind: AssetKind, assets: tuple[Asset, ...] | None) -> Iterator[_Step]:
    if assets is None:
        yield _Step("pause", f"{_section_title(kind)} were not collected: find {_KIND_RUNNING[kind]} by "
                    "hand and pause it, writing down each one to restore later (or collect them and run the "
                    "preflight again).", kind=kind)
        return
    for asset in assets:
        if kind is AssetKind.journey:
            yield _pause_journey(asset)
        elif kind is AssetKind.triggered_send and not asset.status_known:
            yield _Step("pause", f"Check {asset.label} in {_SEND_PLACE}: it has {asset.status_words}, which "
                        "mcaudit does not know. If it is running, pause it and write it down to restore it.", asset)
        elif kind is AssetKind.triggered_send:
            yield _Step("pause", f"Pause {asset.label} in {_SEND_PLACE}.", asset)
        elif not asset.status_known:
            yield _Step("pause", f"Check {asset.label} from its MCC send record in Salesforce: it has "
                        f"{asset.status_words}, which mcaudit does not know. If it is scheduled or sending, pause "
                        "it and write it down to restore it.", asset)
        else:
            yield _Step("pause", f"Pause {asset.label}, {_crm_state(asset)}, from its MCC send record in "
                        "Salesforce.", asset)


def _restore_journey(asset: Asset) -> _Step:
    status = asset.journey_status
    named = f"'{asset.name}' (key {asset.key})" if asset.name else f"(key {asset.key})"
    new_version = (f"create a new version of journey {named} from the stopped version {asset.version} and activate "
                   "it")
    if status is None or not status.recognised:
        return _Step("restore", f"If you stopped, paused or unscheduled {asset.label}, whose status in the "
                     f"snapshot was {asset.status_words}, put it back in the state it had: for a stopped "
                     f"version, {new_version}.", asset,
                     note="A stopped version cannot be restarted; the new version takes new entries.")
    if status is JourneyStatus.paused:
        return _Step("restore", f"Put {asset.label}, which was Paused, back as you chose: if you left it paused, it "
                     "stays Paused until its pause ends (or resume it now); if you stopped it, "
                     f"{new_version}.", asset,
                     note="Verify accepts it Paused or running again, not Stopped.")
    if status is JourneyStatus.scheduled_to_publish:
        return _Step("restore", f"Schedule {asset.label} to publish again if you unscheduled it (publish it now if "
                     "its scheduled time has passed); if you left it scheduled, check it is still "
                     "ScheduledToPublish or has gone live.", asset,
                     note="Verify accepts it ScheduledToPublish or running.")
    condition = "If you stopped it, create" if _entry_check(asset) else "Create"
    return _Step("restore", f"{condition} a new version of journey {named} from the stopped version "
                 f"{asset.version} and activate it.", asset,
                 note="A stopped version cannot be restarted; the new version takes new entries.")


def _restore(kind: AssetKind, assets: tuple[Asset, ...] | None) -> Iterator[_Step]:
    if assets is None:
        yield _Step("restore", f"{_section_title(kind)}: restore the ones you paused by hand, and only "
                    "those.", kind=kind)
        return
    for asset in assets:
        if kind is AssetKind.journey:
            yield _restore_journey(asset)
        elif kind is AssetKind.triggered_send:
            condition = "Activate" if asset.status_known else "If you paused it, activate"
            yield _Step("restore", f"{condition} {asset.label} again.", asset)
        else:
            condition = "Resume" if asset.status_known else "If you paused it, resume"
            yield _Step("restore", f"{condition} {asset.label}.", asset,
                        note="Reschedule it if its time passed while it was paused." if asset.scheduled_at
                        else None)


def _steps(running: RunningAssets, target: RotationTarget) -> list[_Step]:
    kinds = tuple(AssetKind)
    nothing = all(running.of_kind(kind) == () for kind in kinds)
    steps: list[_Step] = []
    if nothing:
        steps.append(_Step("pause", "Nothing to pause: no Active triggered send, no Published, Paused or "
                           "ScheduledToPublish journey version with a Salesforce Data entry source, and no "
                           "scheduled or in-progress CRM send."))
    for kind in kinds:
        steps.extend(_pause(kind, running.of_kind(kind)))
    api_user = f"'{target.api_user}'" if target.api_user else "(the one the connector uses)"
    steps.append(_Step("rotate", f"Only when every step above is done: reset the password of, or "
                       f"re-authenticate, the MC API user {api_user} in Marketing Cloud Setup > Users."))
    who = "the System User"
    if target.system_user:
        who = f"the System User '{target.system_user}'" + (f" ({target.system_user_how})"
                                                           if target.system_user_how else "")
    steps.append(_Step("reauthenticate", f"Log in to Salesforce as {who}, open App Launcher > Marketing "
                       "Cloud and connect the MC API user with its new credentials; the send page, not "
                       "\"Connect to Marketing Cloud\", means it worked."))
    if nothing:
        steps.append(_Step("restore", "Nothing to restore: nothing was running when this preflight ran."))
    for kind in kinds:
        steps.extend(_restore(kind, running.of_kind(kind)))
    steps.append(_Step("verify", "Collect the AFTER snapshot once everything is restored (`mcaudit collect "
                       "-o AFTER.yaml`, or update a hand-written one), with a new attestation of the API "
                       "user's Salesforce.com Status."))
    run = f"Run `{target.verify_command}`; --rotated-at (when you rotated) makes the sync checks exact."
    if nothing:
        run += (" If you paused assets before this preflight, verify against the snapshot or plan from before "
                "you paused them instead, so that their return is checked too.")
    steps.append(_Step("verify", run))
    return steps


def build_runbook(running: RunningAssets, target: RotationTarget) -> Runbook:
    impact = tuple(_impact_line(kind, running.of_kind(kind)) for kind in AssetKind)
    steps = tuple(
        RunbookStep(number=number, phase=step.phase, action=step.action,
                    asset_kind=(step.asset.kind.value if step.asset else step.kind.value if step.kind else None),
                    asset_key=step.asset.key if step.asset else None, note=step.note,
                    asset_location=step.asset.location if step.asset else None)
        for number, step in enumerate(_steps(running, target), start=1)
    )
    notes = [QUIET_WINDOW_NOTE, RESTORE_ONLY_NOTE]
    if all(running.of_kind(kind) == () for kind in AssetKind):
        notes.append(NOTHING_RUNNING_NOTE)
    if target.unaffected_journeys:
        count = target.unaffected_journeys
        notes.append(f"{count} running journey version{'s' if count != 1 else ''} with other entry sources "
                     "(API events, audiences) do not use the MCC credential and need no action.")
    if target.plan_path:
        notes.append(f"The plan {target.plan_path} records what to restore: keep it for "
                     f"`mcaudit verify --plan {shlex.quote(target.plan_path)} AFTER.yaml`.")
    return Runbook(impact=impact, steps=steps, notes=tuple(notes))
