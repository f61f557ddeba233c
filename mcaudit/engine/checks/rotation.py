"""Credential-rotation checks (KB 005228128): preflight RT300/RT304 and verify PV401/PV403/PV405/PV406.

RT301-RT303, PV402 and PV404 are declarative; what is here needs more than one comparison:
whole sections, other rules' results, versions of a journey, or the rotation time.
`asset_quiet_for_rotation` words RT301-RT303 per state (a Paused journey version is told what a
Paused version needs, an unknown status is named); it takes effect once it is registered in CHECKS
and named by those rule files.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any

from mcaudit.engine.base import Subject
from mcaudit.engine.checks.outcome import Outcome
from mcaudit.engine.context import Context, Missing, NotApplicable
from mcaudit.engine.coverage import collector_problems, section_present
from mcaudit.engine.rotation_assets import (
    RESTORED_JOURNEY,
    ROTATION_SECTIONS,
    RUNNING_JOURNEY,
    Asset,
    AssetKind,
    RotationBaseline,
    journey_status_words,
)
from mcaudit.engine.subjects_rotation import LIVE, QUIET, UNKNOWN, JourneyAfterView
from mcaudit.findings import Finding, Status
from mcaudit.snapshot.sending import Journey, JourneyStatus, SyncStatus

_SECTION_NAMES = {kind.section: kind.section_name for kind in AssetKind}
# results that leave a "does the connection work" question open, worst first
_OPEN = (Status.unknown, Status.manual)


def _stamp(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


# -- RT300 -------------------------------------------------------------------------------------

def rotation_sections_present(ctx: Context, subject: Subject, params: Mapping[str, Any]) -> Outcome:
    """RT300: every section the preflight reads is in the snapshot, and no collector says it is
    incomplete. A missing section is a failure here, not an unknown: it is the reason for NO-GO."""
    sections = list(params.get("sections", ROTATION_SECTIONS))
    evidence, lacking = [], []
    for section in sections:
        present = section_present(ctx.snapshot, section)
        problem = "; ".join(collector_problems(ctx.snapshot, [section])) or None
        if present and problem is None:
            evidence.append(f"{section}: present")
            continue
        state = "partial" if present else "not collected"
        evidence.append(f"{section}: {state}" + (f" ({problem})" if problem else ""))
        lacking.append(f"{_SECTION_NAMES.get(section, section)} ({section}, {state})")
    if lacking:
        return Outcome(Status.fail,
                       f"the snapshot lacks {'; '.join(lacking)}, so what a rotation would break is "
                       "not known: NO-GO until it is collected", tuple(evidence))
    return Outcome(Status.pass_, "the snapshot holds triggered sends, journeys and CRM scheduled sends",
                   tuple(evidence))


# -- RT304 and PV401: other rules' results -----------------------------------------------------

def _summarise(results: list[tuple[str, Finding]], *, verb: str) -> Outcome:
    """Fold other rules' findings into one outcome: any fail fails; else anything open stays open."""
    # most messages already begin with their subject; name it only where one does not
    evidence = tuple(f"{rule_id} {finding.status.value}: " + (finding.message if finding.message.startswith(
        finding.subject) else f"{finding.subject}: {finding.message}") for rule_id, finding in results)
    failing = [(rule_id, f) for rule_id, f in results if f.status is Status.fail]
    if failing:
        named = "; ".join(f"{rule_id} ({finding.message})" for rule_id, finding in failing)
        return Outcome(Status.fail, f"{verb}: {named}", evidence)
    for status in _OPEN:
        open_ = [(rule_id, f) for rule_id, f in results if f.status is status]
        if open_:
            named = "; ".join(f"{rule_id}: {finding.message}" for rule_id, finding in open_)
            what = "a person must confirm" if status is Status.manual else "cannot confirm"
            return Outcome(status, f"{what} {len(open_)} check(s): {named}", evidence)
    return Outcome(Status.pass_, f"all {len({rule_id for rule_id, _ in results})} checks pass", evidence)


def checklist_criticals_pass(ctx: Context, subject: Subject, params: Mapping[str, Any]) -> Outcome:
    """RT304: the connection checklist's rules of the given areas and severities all pass now,
    so that what breaks after the rotation is the rotation's doing, and the rotation can work."""
    areas = set(params.get("areas", ["salesforce", "marketing_cloud"]))
    severities = set(params.get("severities", ["critical"]))
    rule_ids = sorted(rule_id for rule_id, rule in ctx.catalog.items()
                      if rule.area.value in areas and rule.severity.value in severities)
    if not rule_ids:
        raise NotApplicable("no connection-checklist rule matches")
    results = [(rule_id, finding) for rule_id in rule_ids for finding in ctx.evaluator.findings(rule_id)]
    outcome = _summarise(results, verb="the connection already has critical problems; fix them first")
    if outcome.status is Status.pass_:
        return Outcome(Status.pass_, f"{subject.label}: every critical connection check passes "
                       f"({', '.join(rule_ids)})", outcome.evidence)
    return outcome


def _baseline(ctx: Context) -> RotationBaseline:
    if ctx.config.baseline is None:
        raise Missing("the baseline (a BEFORE snapshot or a --plan)")
    return ctx.config.baseline


def _confirmed_after(finding: Finding, rotated_at: datetime) -> Finding:
    """A person's confirmation made before the rotation says nothing about after it."""
    if finding.status is not Status.pass_ or finding.attested is None:
        return finding
    if finding.attested.on >= rotated_at.date().isoformat():  # ISO dates compare as text
        return finding
    message = (f"{finding.attested.label()}, before the rotation ({_stamp(rotated_at)}): confirm it "
               "again now and record a new attestation")
    return replace(finding, status=Status.manual, message=message)


def reauthenticated(ctx: Context, subject: Subject, params: Mapping[str, Any]) -> Outcome:
    """PV401: after the rotation the API user is still integrated and the connector connected."""
    rotated_at = _baseline(ctx).rotated_at
    results = [(rule_id, _confirmed_after(finding, rotated_at))
               for rule_id in params.get("rules", [])
               for finding in ctx.evaluator.findings(rule_id)]
    outcome = _summarise(results, verb="the connection does not work after the rotation")
    if outcome.status is Status.pass_:
        return Outcome(Status.pass_, f"{subject.label} works after the rotation: the API user is "
                       "integrated and the connector is connected", outcome.evidence)
    return outcome


# -- RT301-RT303 ---------------------------------------------------------------------------------

_STATE_STATUS = {LIVE: Status.fail, QUIET: Status.pass_, UNKNOWN: Status.unknown}


def asset_quiet_for_rotation(ctx: Context, subject: Subject, params: Mapping[str, Any]) -> Outcome:
    """RT301-RT303: the asset neither sends nor takes entries now, nor can it start by itself during
    the rotation. The view says which state it is in and what to do: an Active send or a Published
    version is stopped, a Paused version resumes by itself when its pause ends, a ScheduledToPublish
    one goes live at its scheduled time, and a status mcaudit does not know is unknown, named."""
    view = subject.view
    state = view.state  # raises Missing when the entry source of a live version was not collected
    return Outcome(_STATE_STATUS[state], f"{subject.label} {view.message}", view.evidence)


# -- PV403 -------------------------------------------------------------------------------------

def _was(asset: Asset) -> str:
    """What a version handled for the rotation was, e.g. "version 2 was Paused before the rotation"."""
    status = asset.journey_status
    if status is None or status is JourneyStatus.published:
        return f"version {asset.version} ran before the rotation"
    if not status.recognised:
        return f"version {asset.version} had status '{status.value}' before the rotation"
    return f"version {asset.version} was {status.value} before the rotation"


_WANTED = {
    JourneyStatus.published: ("running", "activate a new version"),
    JourneyStatus.paused: ("Paused or running",
                           "if it was stopped, create a new version from it and activate it; a stopped version "
                           "cannot be resumed"),
    JourneyStatus.scheduled_to_publish: ("scheduled to publish or running",
                                         "schedule it to publish again, or publish it"),
}


def _version_back(asset: Asset, versions: list[Journey]) -> tuple[Status, str]:
    """Whether one version handled for the rotation is back, by what it was before."""
    was = _was(asset)
    running = [journey.version for journey in versions if journey.status is RUNNING_JOURNEY]
    if running:  # a running version restores any state: it takes entries again
        return Status.pass_, f"{was}; version {max(running)} is running now"
    before = asset.journey_status or RUNNING_JOURNEY
    if not before.recognised:
        return Status.unknown, (f"{was}, which mcaudit does not know, and no version of it is running now: check "
                                "in Journey Builder that it is back in the state it had")
    accepted = RESTORED_JOURNEY.get(before, frozenset({RUNNING_JOURNEY}))
    back = [journey for journey in versions if journey.status in accepted]
    if back:
        newest = max(back, key=lambda journey: journey.version)
        return Status.pass_, f"{was}; version {newest.version} is {newest.status.value} now"
    wanted, remedy = _WANTED.get(before, _WANTED[RUNNING_JOURNEY])
    strange = [journey for journey in versions if not journey.status.recognised]
    if strange:
        named = ", ".join(f"version {journey.version} has status '{journey.status.value}'" for journey in strange)
        return Status.unknown, (f"{was}; no version of it is {wanted} now, and {named}, which mcaudit does not "
                                "know: check it in Journey Builder")
    return Status.fail, f"{was}, and no version of it is {wanted} now: {remedy}"


def journey_running_again(ctx: Context, subject: Subject, params: Mapping[str, Any]) -> Outcome:
    """PV403: each version handled for the rotation is back in a state that counts. One that was
    Published has a Published version again (a stopped version cannot be restarted, so a newer
    published version is the normal way back); one that was Paused is Paused or Published, not
    Stopped; one that was ScheduledToPublish is ScheduledToPublish or Published."""
    view: JourneyAfterView = subject.view
    befores, versions = view.befores, sorted(view.versions_now, key=lambda journey: journey.version)
    before_line = ("before: " + ", ".join(f"version {asset.version} {asset.status_words}" for asset in befores)
                   + f" (in the {_baseline(ctx).described_as})")
    if not versions:
        ran = " and ".join(_was(asset) for asset in befores)
        return Outcome(Status.fail, f"{subject.label}: {ran}, and no journey with this key is in the AFTER "
                       "snapshot (joined on the journey key, ignoring case)",
                       (before_line, "now: not found", f"journey key: {befores[-1].key}"))
    evidence = (before_line, "now: " + ", ".join(f"version {journey.version} {journey_status_words(journey.status)}"
                                                 for journey in versions))
    results = [_version_back(asset, versions) for asset in befores]
    for status in (Status.fail, Status.unknown):
        texts = [text for found, text in results if found is status]
        if texts:
            return Outcome(status, f"{subject.label}: " + "; ".join(texts), evidence)
    return Outcome(Status.pass_, f"{subject.label}: " + "; ".join(text for _, text in results), evidence)


# -- PV405 / PV406 -----------------------------------------------------------------------------

def synced_after_rotation(ctx: Context, subject: Subject, params: Mapping[str, Any]) -> Outcome:
    """PV405/PV406: the sync path succeeded after the rotation and is not in error now."""
    view = subject.view
    baseline = _baseline(ctx)
    if view.enabled is False:
        raise NotApplicable(f"{view.what} is not enabled")
    if view.status in (SyncStatus.paused, SyncStatus.disabled):
        raise NotApplicable(f"{view.what} is {view.status.value}, so it is not in use; not checked")
    rotation = f"the rotation time {_stamp(baseline.rotated_at)} ({baseline.rotated_at_basis})"
    evidence = [f"rotation time: {_stamp(baseline.rotated_at)} ({baseline.rotated_at_basis})"]
    if view.status is not None:
        evidence.append(f"status: {view.status.value}")
    if view.last_error:
        evidence.append(f"last error: {view.last_error}")
    if view.last_success is None:
        raise Missing(view.last_success_field)
    evidence.append(f"last successful run: {_stamp(view.last_success)}")
    if view.status is SyncStatus.error:
        return Outcome(Status.fail, f"{view.what} is in error now" + (f": {view.last_error}" if view.last_error
                       else ""), tuple(evidence))
    if view.last_success < baseline.rotated_at:
        return Outcome(Status.fail, f"{view.what} last succeeded at {_stamp(view.last_success)}, before "
                       f"{rotation}: it has not run successfully since", tuple(evidence))
    return Outcome(Status.pass_, f"{view.what} succeeded at {_stamp(view.last_success)}, after the rotation",
                   tuple(evidence))
