"""Subjects of the rules on the connection's silent failures (SF130-SF136, MC214, RT305).

What reaches Marketing Cloud from Salesforce without raising an error when it breaks: the org a
connection lives in (a sandbox refreshed from production), the connector's identity, the Apex
triggers behind MCC triggered sends, the flows Journey Builder generates for Salesforce Data
entries, the package's triggered-send records, OAuth grants, API headroom and business units; and,
for the preflight, the journey versions a rotation stops. Merged into SUBJECTS by engine.subjects.

Each view holds what its check function reads; the functions (engine/checks/health.py) decide.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from mcaudit.engine.base import Missing, Subject, fold
from mcaudit.engine.context import Context
from mcaudit.engine.rotation_assets import Asset, running_assets, uses_salesforce_data
from mcaudit.snapshot.automation import ApexTrigger, AutomatedSend, JourneyFlow
from mcaudit.snapshot.org import ApiLimit, Organization
from mcaudit.snapshot.salesforce import ConnectorBusinessUnit
from mcaudit.snapshot.sending import Journey, JourneyStatus

# the /limits entries whose headroom matters to the connector: the daily API requests, and the
# Bulk API the connector uses for tracking, which connected-app authentication does not exempt
DAILY_API = "DailyApiRequests"
BULK_PREFIX = "DailyBulk"


@dataclass(frozen=True)
class OrgView:
    """SF130: the org itself, and where the connector points."""

    organization: Organization


@dataclass(frozen=True)
class ObjectSendsView:
    """SF132: one object with MCC triggered sends (et4ae5__Automated_Send__c) active on it, or maybe active."""

    object: str
    sends: tuple[AutomatedSend, ...]
    triggers: tuple[tuple[int, ApexTrigger], ...]  # the triggers on this object, with their position


@dataclass(frozen=True)
class JourneyFlowsView:
    """SF133: one running journey version with a Salesforce Data entry source, and the JBSystem flows."""

    journey: Journey
    location: str
    flows: tuple[JourneyFlow, ...]


@dataclass(frozen=True)
class AutomatedSendView:
    """SF134: one automated send active in Salesforce, and the account's triggered send definitions."""

    send: AutomatedSend
    location: str


@dataclass(frozen=True)
class ApiLimitView:
    """SF136: one /limits entry (None: DailyApiRequests, which /limits should have, is absent)."""

    name: str
    limit: ApiLimit | None


@dataclass(frozen=True)
class BusinessUnitView:
    """MC214: one business unit the connector uses or the expectations list."""

    mid: int
    in_connector: ConnectorBusinessUnit | None
    expected: bool
    location: str


@dataclass(frozen=True)
class EjectView:
    """RT305: one journey version the runbook stops, and its contacts in flight."""

    asset: Asset


# -- selectors -------------------------------------------------------------------------------

def _organization(ctx: Context) -> list[Subject]:
    sf = ctx.index.sf
    organization = sf.organization if sf else None
    if organization is None:
        raise Missing("salesforce.organization")
    return [Subject(organization.id, f"Salesforce org {organization.id}" + (
        f" ({organization.name})" if organization.name else ""), "salesforce.organization", OrgView(organization))]


def _automated_send_objects(ctx: Context) -> list[Subject]:
    """One subject per object with an automated send that is active, or whose Active was not read."""
    sf = ctx.index.sf
    sends = (sf.automated_sends if sf else None) or []
    triggers = (sf.apex_triggers if sf else None) or []
    by_object: dict[str, list[AutomatedSend]] = {}
    names: dict[str, str] = {}
    for send in sends:
        if send.active is False:
            continue
        if not send.object:  # an active send on an object nobody recorded: cannot be placed
            by_object.setdefault("", []).append(send)
            continue
        by_object.setdefault(fold(send.object), []).append(send)
        names.setdefault(fold(send.object), send.object)
    subjects = []
    for key, on_object in sorted(by_object.items()):
        if not key:
            for send in on_object:
                subjects.append(Subject(send.id, f"automated send {send.name or send.id}",
                                        f"salesforce.automated_sends[{sends.index(send)}].object",
                                        ObjectSendsView("", (send,), ())))
            continue
        matching = tuple((position, trigger) for position, trigger in enumerate(triggers)
                         if fold(trigger.object) == key)
        subjects.append(Subject(names[key], f"object {names[key]}", "salesforce.apex_triggers",
                                ObjectSendsView(names[key], tuple(on_object), matching)))
    return subjects


def _running_salesforce_data_journeys(ctx: Context) -> list[Subject]:
    """Published versions with a Salesforce Data entry source, or one mcaudit cannot place (unknown)."""
    mc, sf = ctx.index.mc, ctx.index.sf
    journeys = (mc.journeys if mc else None) or []
    flows = tuple((sf.journey_flows if sf else None) or [])
    subjects = []
    for position, journey in enumerate(journeys):
        if journey.status is not JourneyStatus.published or uses_salesforce_data(journey) is False:
            continue
        location = f"marketing_cloud.journeys[{position}]"
        label = f"journey '{journey.name or journey.key}' version {journey.version} (key {journey.key})"
        subjects.append(Subject(f"{journey.key}@{journey.version}", label, location,
                                JourneyFlowsView(journey, location, flows)))
    return subjects


def _active_automated_sends(ctx: Context) -> list[Subject]:
    sf = ctx.index.sf
    sends = (sf.automated_sends if sf else None) or []
    subjects = []
    for position, send in enumerate(sends):
        if send.active is False:
            continue
        location = f"salesforce.automated_sends[{position}]"
        label = f"automated send '{send.name}' ({send.id})" if send.name else f"automated send {send.id}"
        subjects.append(Subject(send.id, label, location, AutomatedSendView(send, location)))
    return subjects


def _api_limits(ctx: Context) -> list[Subject]:
    sf = ctx.index.sf
    limits = (sf.api_limits if sf else None) or []
    wanted = [(position, limit) for position, limit in enumerate(limits)
              if limit.name == DAILY_API or limit.name.startswith(BULK_PREFIX)]
    subjects = [Subject(limit.name, f"API limit {limit.name}", f"salesforce.api_limits[{position}]",
                        ApiLimitView(limit.name, limit)) for position, limit in wanted]
    if not any(limit.name == DAILY_API for _, limit in wanted):  # /limits always has it: absent is not collected
        subjects.insert(0, Subject(DAILY_API, f"API limit {DAILY_API}", "salesforce.api_limits",
                                   ApiLimitView(DAILY_API, None)))
    return subjects


def _connector_business_units(ctx: Context) -> list[Subject]:
    """Each business unit the connector uses (not disabled) and each one the expectations list."""
    sf = ctx.index.sf
    connector = sf.mcc_connector if sf else None
    if connector is None or connector.business_units is None:
        raise Missing("salesforce.mcc_connector.business_units")
    expected = set(ctx.config.expectations.business_unit_mids) if ctx.config.expectations else set()
    in_connector = {unit.mid: (position, unit) for position, unit in enumerate(connector.business_units)}
    mids = [unit.mid for unit in connector.business_units if unit.enabled is not False or unit.mid in expected]
    mids += sorted(mid for mid in expected if mid not in in_connector)
    subjects = []
    for mid in dict.fromkeys(mids):
        found = in_connector.get(mid)
        location = (f"salesforce.mcc_connector.business_units[{found[0]}]" if found
                    else "salesforce.mcc_connector.business_units")
        name = found[1].name if found and found[1].name else None
        subjects.append(Subject(str(mid), f"business unit {mid}" + (f" ({name})" if name else ""), location,
                                BusinessUnitView(mid, found[1] if found else None, mid in expected, location)))
    return subjects


def journeys_to_stop(assets: tuple[Asset, ...]) -> list[Asset]:
    """The live versions the runbook has stopped: Published and Paused ones, and those whose status
    mcaudit does not know. A ScheduledToPublish version is unscheduled, not stopped: it has no contacts."""
    return [asset for asset in assets
            if asset.journey_status is not JourneyStatus.scheduled_to_publish]


def _journeys_to_stop(ctx: Context) -> list[Subject]:
    journeys = running_assets(ctx.snapshot).journeys or ()
    return [Subject(f"{asset.key}@{asset.version}", asset.label, asset.location or "marketing_cloud.journeys",
                    EjectView(asset)) for asset in journeys_to_stop(journeys)]


HEALTH_SUBJECTS: dict[str, Callable[[Context], list[Subject]]] = {
    "sf.organization": _organization,
    "sf.automated_send_objects": _automated_send_objects,
    "sf.active_automated_sends": _active_automated_sends,
    "sf.api_limits": _api_limits,
    "sf.connector_business_units": _connector_business_units,
    "mc.running_salesforce_data_journeys": _running_salesforce_data_journeys,
    "rotation.journeys_to_stop": _journeys_to_stop,
}
