"""The emulated org's plumbing: its Organization record, /limits, the OAuth grants for the MCC app,
the Apex triggers behind MCC triggered sends, the flows Journey Builder generates and the package's
automated-send records.

A snapshot that leaves one of these sections out (null, and not recorded as a failed section of its
collection) gets the one a healthy org has: not a sandbox; plenty of API headroom; one grant for
the System User; an active customer trigger that calls the package's trigger utility on every
object MCC automation uses; active JBSystem flows for every object a Salesforce Data journey
enters from; one automated-send record per automated send. A section recorded as failed stays
null and is served as a refusal, so it fails again. Both the emulator and `collectable` start from
`with_plumbing`, so what is served and what a collection should give back are one reading.
"""

from __future__ import annotations

from typing import Any

from mcaudit.snapshot import Snapshot
from mcaudit.snapshot.automation import ApexTrigger, ApexTriggerStatus, AutomatedSend, JourneyFlow
from mcaudit.snapshot.org import ApiLimit, OauthGrants, Organization
from mcaudit.snapshot.salesforce import Salesforce
from mcaudit.snapshot.sending import EntrySourceType, ScheduledSend, ScheduledSendStatus

DEFAULT_ORG_ID = "00D000000000001AAA"
AUTOMATED_ACTIVE = frozenset({"scheduled", "in_progress"})
PLUMBING = ("organization", "api_limits", "oauth_grants", "apex_triggers", "journey_flows", "automated_sends")
# REST /limits keys named in mcc-api-reference.md section 4 (dome-limits); a healthy org's headroom
HEALTHY_LIMITS = (("DailyApiRequests", 15000, 14998), ("DailyBulkApiBatches", 15000, 14990),
                  ("DailyBulkV2QueryJobs", 10000, 9995))
SALESFORCE_ENTRIES = (EntrySourceType.salesforce_data, EntrySourceType.salesforce_data_legacy)


def recorded_failed(snapshot: Snapshot, section: str) -> bool:
    """Whether the snapshot's own collection record says `section` (salesforce.<field>) failed."""
    for run in snapshot.collection.collectors if snapshot.collection else []:
        if section in run.failed_sections or (run.status.value == "failed" and section in run.sections):
            return True
    return False


def with_plumbing(source: Snapshot) -> Snapshot:
    sf = source.salesforce
    if sf is None:
        return source
    update: dict[str, Any] = {}
    missing = {name for name in PLUMBING
               if getattr(sf, name) is None and not recorded_failed(source, f"salesforce.{name}")}
    if "organization" in missing:
        update["organization"] = Organization(id=sf.org_id or DEFAULT_ORG_ID, name=source.name, is_sandbox=False,
                                              instance_name="EMU1")
    if "api_limits" in missing:
        update["api_limits"] = [ApiLimit(name=name, max=most, remaining=left) for name, most, left in HEALTHY_LIMITS]
    if sf.mcc_connector is not None and ("oauth_grants" in missing or sf.oauth_grants is not None):
        update["oauth_grants"] = _grants(source)
    sends = sf.automated_sends
    # the package's automated-send object is also the scheduled sends': without those it is refused
    if "automated_sends" in missing and sf.mcc_connector is not None and sf.scheduled_sends is not None:
        sends = update["automated_sends"] = _automated_sends(sf)
    if "apex_triggers" in missing:
        update["apex_triggers"] = _triggers(sf, sends or [])
    if "journey_flows" in missing:
        update["journey_flows"] = _flows(source)
    if sends is not None and sf.scheduled_sends is not None:
        update["scheduled_sends"] = _scheduled(sf.scheduled_sends, sends)
    return source.model_copy(update={"salesforce": sf.model_copy(update=update)}) if update else source


def _grants(source: Snapshot) -> list[OauthGrants]:
    """The grants the emulated OauthToken rows add up to: the snapshot's grants, plus the token
    evidence of users they leave out (candidates' tokens, else the System User's one)."""
    from mcaudit.testing.salesforce_data import MCC_APP, token_holdings  # the module imports this one

    given = {grant.user_id: grant for grant in (source.salesforce.oauth_grants if source.salesforce else None) or []}
    derived = {user_id: OauthGrants(user_id=user_id, app_name=MCC_APP, tokens=count, last_used=last)
               for user_id, (count, last) in token_holdings(source).items() if user_id not in given}
    return [grant for _, grant in sorted({**given, **derived}.items()) if grant.tokens]


def _automated_sends(sf: Salesforce) -> list[AutomatedSend]:
    """One record per automated send of the scheduled sends, on the first object enabled for automation."""
    objects = (sf.mcc_connector.automation_objects if sf.mcc_connector else None) or ["Contact"]
    return [AutomatedSend(id=send.id, name=send.name, object=objects[0], action="Insert",
                          active=send.status.value in AUTOMATED_ACTIVE, hours_delayed=0)
            for send in sf.scheduled_sends or [] if send.kind == "automated_send"]


def automation_objects(sf: Salesforce, sends: list[AutomatedSend]) -> list[str]:
    """The objects MCC automation uses: enabled for automation, or named by an automated send."""
    named = [*(sf.mcc_connector.automation_objects or [] if sf.mcc_connector else []),
             *(send.object for send in sends if send.object)]
    return list(dict.fromkeys(named))


def _triggers(sf: Salesforce, sends: list[AutomatedSend]) -> list[ApexTrigger]:
    return [ApexTrigger(id=f"01q{position:015d}", name=f"Trig_{name.removesuffix('__c')}", object=name,
                        status=ApexTriggerStatus.active, after_insert=True, after_update=True,
                        calls_trigger_utility=True)
            for position, name in enumerate(automation_objects(sf, sends))]


def flow_object(name: str) -> str:
    """The object part of a JBSystem flow name: a custom object's `__c` becomes `_c`."""
    return name.replace("__", "_")


def _flows(source: Snapshot) -> list[JourneyFlow]:
    mc = source.marketing_cloud
    objects = [journey.entry_source.salesforce_object for journey in (mc.journeys or [] if mc else [])
               if journey.entry_source is not None and journey.entry_source.type in SALESFORCE_ENTRIES
               and journey.entry_source.salesforce_object]
    flows: list[JourneyFlow] = []
    for name in dict.fromkeys(name for name in objects if name):
        for api_name in (f"JBSystemFlow_{flow_object(name)}", f"JBSystem_{flow_object(name)}_RecordFlow"):
            flows.append(JourneyFlow(api_name=api_name, label=api_name, is_active=True,
                                     process_type="AutoLaunchedFlow",
                                     active_version_id=f"301{len(flows):012d}AAA"))
    return flows


def _scheduled(scheduled: list[ScheduledSend], sends: list[AutomatedSend]) -> list[ScheduledSend]:
    """The scheduled sends as the org's records give them: an automated-send record is also a
    scheduled send (on when active), whether or not the snapshot listed it there."""
    by_id = {send.id: send for send in sends}
    result = []
    for send in scheduled:
        record = by_id.pop(send.id, None) if send.kind == "automated_send" else None
        if record is not None and record.active is not None:
            send = send.model_copy(update={
                "status": ScheduledSendStatus.in_progress if record.active else ScheduledSendStatus.paused})
        result.append(send)
    result.extend(ScheduledSend(id=record.id, name=record.name, kind="automated_send",
                                status=ScheduledSendStatus.in_progress if record.active else ScheduledSendStatus.paused)
                  for record in by_id.values())
    return result
