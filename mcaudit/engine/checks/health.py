"""Checks of the connection's silent failures: SF130-SF136, MC214 (audit) and RT305 (preflight).

None of these failures raises an error where an admin would see it: a refreshed sandbox sends to
production journeys, a send whose object has no trigger never fires, a journey whose generated
flow is inactive admits nobody. Each check reads its subject's view (engine/subjects_health.py),
the snapshot index and the evaluation config (the expectations, RT305's acknowledgements), and
says what it compared in its evidence. What a check needs and the snapshot lacks is unknown;
what only a person can say (which MID is production) is manual, naming the setting.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from mcaudit.engine.base import MCC_CONNECTED_APP, Missing, NotApplicable, Subject, fold
from mcaudit.engine.checks.integrations import TENANT_HOST, shown_url
from mcaudit.engine.checks.outcome import Outcome
from mcaudit.engine.context import Context
from mcaudit.engine.rotation_assets import uses_salesforce_data
from mcaudit.engine.subjects import ConnectorView, SystemUserView
from mcaudit.engine.subjects_health import (
    ApiLimitView,
    AutomatedSendView,
    BusinessUnitView,
    EjectView,
    JourneyFlowsView,
    ObjectSendsView,
    OrgView,
)
from mcaudit.expectations import DEFAULT_API_HEADROOM, Expectations, setting
from mcaudit.findings import Status
from mcaudit.snapshot.automation import ApexTriggerStatus, JourneyFlow
from mcaudit.snapshot.sending import TriggeredSend, TriggeredSendStatus

TRIGGER_UTILITY = "et4ae5.triggerUtility.automate"


def _expectations(ctx: Context) -> Expectations:
    return ctx.config.expectations or Expectations()


def tenant_of(url: str | None) -> str | None:
    """The tenant subdomain of a https://SUBDOMAIN.auth.marketingcloudapis.com URL; None for any other."""
    if not url:
        return None
    text = url.strip()
    try:
        host = urlsplit(text if "://" in text else f"//{text}").hostname or ""
    except ValueError:
        return None
    match = TENANT_HOST.fullmatch(host)
    return match["tenant"] if match else None


def _bare_subdomain(text: str | None) -> str | None:
    """A subdomain someone may have written as a URL or host: its first label, folded."""
    if not text:
        return None
    return tenant_of(text) or fold(text.split("://")[-1].split(".")[0].split("/")[0]) or None


# -- SF130 ---------------------------------------------------------------------------------------

def sandbox_not_wired_to_production(ctx: Context, subject: Subject, params: Mapping[str, Any]) -> Outcome:
    """SF130: a sandbox (or scratch org) is not connected to the production Marketing Cloud account.

    A refresh copies production's MCC configuration and tokens into the sandbox (KB 000384712), so the
    sandbox's MID and tenant are production's until someone resets them; only the expectations say
    which account is production, so without them a connected sandbox is for a person to check."""
    view: OrgView = subject.view
    organization = view.organization
    if organization.is_sandbox is None:
        raise Missing("salesforce.organization.is_sandbox")
    kind = "a scratch org" if organization.trial_expiration_date is not None else "a sandbox"
    evidence = [f"IsSandbox: {'true' if organization.is_sandbox else 'false'}"]
    if not organization.is_sandbox:
        return Outcome(Status.pass_, f"{subject.label} is a production org (IsSandbox false)", tuple(evidence))
    evidence[0] += f" ({kind})"
    connector = ctx.index.sf.mcc_connector if ctx.index.sf else None
    if connector is None:
        raise Missing("salesforce.mcc_connector")
    mid = connector.parent_account_mid
    tenants = {tenant for tenant in (tenant_of(url) for url in _urls(connector)) if tenant}
    if mid is None and not tenants:
        if connector.endpoints is None:
            raise Missing("salesforce.mcc_connector.parent_account_mid")
        return Outcome(Status.pass_, f"{subject.label} is {kind} whose MCC configuration names no Marketing Cloud "
                       "account (reset after the refresh)", tuple(evidence))
    evidence.append(f"parent account MID in the MCC configuration: {mid if mid is not None else 'not set'}")
    if tenants:
        evidence.append(f"tenant in the MCC endpoints: {', '.join(sorted(tenants))}")
    expected = _expectations(ctx)
    production_mids = set(expected.production_mids)
    production_tenant = _bare_subdomain(expected.tenant_subdomain)
    if not production_mids and production_tenant is None:
        return Outcome(Status.manual, f"{subject.label} is {kind} connected to Marketing Cloud account "
                       f"{mid if mid is not None else 'of tenant ' + ', '.join(sorted(tenants))}; mcaudit cannot "
                       "tell whether that is production: " + setting("production_mids") + " (or "
                       "expectations.tenant_subdomain), or check in Marketing Cloud that it is a test account",
                       tuple(evidence))
    evidence.append(f"production MIDs (expectations): {', '.join(map(str, sorted(production_mids))) or 'not set'}")
    if production_tenant:
        evidence.append(f"production tenant (expectations): {production_tenant}")
    hits = []
    if mid is not None and mid in production_mids:
        hits.append(f"MID {mid}")
    if production_tenant and production_tenant in tenants:
        hits.append(f"tenant {production_tenant}")
    if hits:
        return Outcome(Status.fail, f"{subject.label} is {kind} connected to the production Marketing Cloud account "
                       f"({' and '.join(hits)}): its records can enter production journeys and trigger production "
                       "sends", tuple(evidence))
    return Outcome(Status.pass_, f"{subject.label} is {kind} connected to a Marketing Cloud account that is not "
                   "production", tuple(evidence))


def _urls(connector: Any) -> list[str]:
    endpoints = connector.endpoints
    return [url for url in (endpoints.auth, endpoints.rest, endpoints.soap) if url] if endpoints else []


# -- SF131 ---------------------------------------------------------------------------------------

def connection_identity_consistent(ctx: Context, subject: Subject, params: Mapping[str, Any]) -> Outcome:
    """SF131: the MCC configuration's parent MID and endpoints, the org and the System User are the
    Marketing Cloud account audited alongside and what the expectations say."""
    view: ConnectorView = subject.view
    connector = ctx.index.sf.mcc_connector if ctx.index.sf else None
    if connector is None:
        raise Missing("salesforce.mcc_connector")
    mc, sf = ctx.index.mc, ctx.index.sf
    expected = _expectations(ctx)
    organization = sf.organization if sf else None
    sandbox = organization.is_sandbox if organization else None
    drift: list[str] = []
    evidence: list[str] = []
    compared = 0
    mid = connector.parent_account_mid
    evidence.append(f"parent account MID in the MCC configuration: {mid if mid is not None else 'not collected'}")
    if mid is not None and mc is not None and mc.mid is not None:
        compared += 1
        evidence.append(f"MID of the Marketing Cloud account audited: {mc.mid}")
        if mid != mc.mid:
            drift.append(f"the parent account MID {mid} is not the audited account's MID {mc.mid}")
    # a sandbox's identity is SF130's question: production's MIDs are not expected of it
    production = sandbox is not True
    if mid is not None and expected.production_mids and production:
        compared += 1
        if mid not in expected.production_mids:
            drift.append(f"the parent account MID {mid} is not one of the expected production MIDs "
                         f"{', '.join(map(str, expected.production_mids))}")
    for slot in ("auth", "rest", "soap"):
        url = getattr(connector.endpoints, slot, None) if connector.endpoints else None
        if not url:
            continue
        tenant = tenant_of(url)
        evidence.append(f"{slot} endpoint: {shown_url(url)}")
        if tenant is None:
            continue  # a generic host names no tenant; API602's concern, not drift
        for other, whose in ((_bare_subdomain(mc.subdomain) if mc else None, "the audited account's subdomain"),
                             (_bare_subdomain(expected.tenant_subdomain) if production else None,
                              "the expected tenant")):
            if other is None:
                continue
            compared += 1
            if tenant != other:
                drift.append(f"the {slot} endpoint points at tenant '{tenant}', not {whose} '{other}'")
    org_id = (organization.id if organization else None) or (sf.org_id if sf else None)
    if org_id and expected.production_org_ids and production:
        compared += 1
        evidence.append(f"org: {org_id}")
        if not any(fold(org_id)[:15] == fold(known)[:15] for known in expected.production_org_ids):
            drift.append(f"the org {org_id} is not one of the expected production orgs "
                         f"{', '.join(expected.production_org_ids)}")
    identity = view.identity
    if expected.system_user and identity is not None:
        compared += 1
        evidence.append(f"System User: {identity.display}")
        if fold(identity.username or identity.user_id) != fold(expected.system_user):
            drift.append(f"the System User is {identity.name}, not the expected {expected.system_user}")
    if drift:
        return Outcome(Status.fail, f"{subject.label}: the connection's identity drifted: " + "; ".join(drift),
                       tuple(evidence))
    if compared:
        return Outcome(Status.pass_, f"{subject.label}: the parent MID, endpoints, org and System User agree with "
                       f"the account audited and the expectations ({compared} comparison"
                       f"{'s' if compared != 1 else ''})", tuple(evidence))
    if mid is None and connector.endpoints is None:
        raise Missing("salesforce.mcc_connector.parent_account_mid")
    return Outcome(Status.manual, f"{subject.label}: nothing to compare the connection's identity with: the "
                   "Marketing Cloud side (MID, subdomain) was not collected and no expectation is set; "
                   + setting("production_mids"), tuple(evidence))


# -- SF132 ---------------------------------------------------------------------------------------

def object_trigger_calls_utility(ctx: Context, subject: Subject, params: Mapping[str, Any]) -> Outcome:
    """SF132: an object with an active MCC triggered send has an active Apex trigger calling
    et4ae5.triggerUtility.automate; without one, the send never fires and nothing says so."""
    view: ObjectSendsView = subject.view
    if not view.object:
        raise Missing(f"{subject.location} (the object the automated send is based on)")
    names = ", ".join(sorted(send.name or send.id for send in view.sends))
    evidence = [f"automated sends on it: {names}"]
    if any(send.active is None for send in view.sends):
        evidence.append("some of them have no Active value in the snapshot; counted as active")
    calling, hidden, other = [], [], []
    for position, trigger in view.triggers:
        state = trigger.status.value if trigger.status.recognised else f"'{trigger.status.value}'"
        calls = {True: "calls", False: "does not call", None: "body not read"}[trigger.calls_trigger_utility]
        evidence.append(f"trigger {trigger.name}: {state}, {calls} {TRIGGER_UTILITY}")
        if trigger.status is not ApexTriggerStatus.active:
            if not trigger.status.recognised:
                hidden.append((position, trigger))
            continue
        if trigger.calls_trigger_utility is True:
            calling.append(trigger)
        elif trigger.calls_trigger_utility is None:
            hidden.append((position, trigger))
        else:
            other.append(trigger)
    connector = ctx.index.sf.mcc_connector if ctx.index.sf else None
    enabled = connector.automation_objects if connector else None
    if enabled is not None:
        listed = any(fold(item) == fold(view.object) for item in enabled)
        evidence.append(f"enabled automation objects: {', '.join(enabled) or 'none'}"
                        + ("" if listed else f" ({view.object} is not among them)"))
    if calling:
        return Outcome(Status.pass_, f"{subject.label}: the active trigger {calling[0].name} calls "
                       f"{TRIGGER_UTILITY}", tuple(evidence))
    if hidden:
        position, trigger = hidden[0]
        raise Missing(f"whether the trigger {trigger.name} (salesforce.apex_triggers[{position}]) is active and "
                      f"calls {TRIGGER_UTILITY}")
    found = "no Apex trigger" if not view.triggers else "no active Apex trigger that calls it"
    return Outcome(Status.fail, f"{subject.label}: {found}: the MCC triggered sends on it ({names}) never fire",
                   tuple(evidence))


# -- SF133 ---------------------------------------------------------------------------------------

def flow_name_part(salesforce_object: str) -> str:
    """The object as Journey Builder spells it in flow names: a custom object's `__c` becomes `_c`."""
    return salesforce_object.strip().replace("__", "_")


def journey_flows_active(ctx: Context, subject: Subject, params: Mapping[str, Any]) -> Outcome:
    """SF133: a running journey with a Salesforce Data entry source has its JBSystemFlow_<Object>
    and its JBSystem_<Object>_Process or _RecordFlow, and they are active."""
    view: JourneyFlowsView = subject.view
    entry = view.journey.entry_source
    if entry is None:
        raise Missing(f"{view.location}.entry_source")
    if uses_salesforce_data(view.journey) is None:
        raise Missing(f"whether this version has a Salesforce Data entry source ('{entry.type.value}' at "
                      f"{view.location}.entry_source.type is not a type mcaudit can place)")
    if not entry.salesforce_object:
        raise Missing(f"{view.location}.entry_source.salesforce_object")
    part = flow_name_part(entry.salesforce_object)
    by_name = {fold(flow.api_name): flow for flow in view.flows}
    subflow = f"JBSystemFlow_{part}"
    triggers = (f"JBSystem_{part}_RecordFlow", f"JBSystem_{part}_Process")
    evidence = [f"entry object: {entry.salesforce_object}"]
    problems, unknown = [], []

    def state(name: str) -> tuple[str, JourneyFlow | None]:
        flow = by_name.get(fold(name))
        if flow is None:
            return "not found", None
        return {True: "active", False: "inactive", None: "activity not collected"}[flow.is_active], flow

    words, flow = state(subflow)
    evidence.append(f"{subflow}: {words}")
    if flow is None or flow.is_active is False:
        problems.append(f"{subflow} is {words}")
    elif flow.is_active is None:
        unknown.append(subflow)
    found = [(name, *state(name)) for name in triggers]
    for name, words, _ in found:
        if words != "not found":
            evidence.append(f"{name}: {words}")
    active = [name for name, _, flow in found if flow is not None and flow.is_active is True]
    if not active:
        undecided = [name for name, _, flow in found if flow is not None and flow.is_active is None]
        if undecided:
            unknown.extend(undecided)
        else:
            present = [f"{name} is {words}" for name, words, flow in found if flow is not None]
            problems.append("; ".join(present) if present else f"neither {triggers[0]} nor {triggers[1]} exists")
    if problems:
        return Outcome(Status.fail, f"{subject.label}: the flows Journey Builder generated for "
                       f"{entry.salesforce_object} do not run ({'; '.join(problems)}), so no record enters this "
                       "journey",
                       tuple(evidence))
    if unknown:
        raise Missing(f"whether the flow {unknown[0]} is active (salesforce.journey_flows)")
    return Outcome(Status.pass_, f"{subject.label}: {subflow} and {active[0]} are active", tuple(evidence))


# -- SF134 ---------------------------------------------------------------------------------------

def _matches(send: TriggeredSend, wanted: str) -> str | None:
    """How a triggered send definition matches an automated send's definition id, if it does."""
    if send.object_id and fold(send.object_id) == wanted:
        return "ObjectID"
    if send.id is not None and str(send.id) == wanted:
        return "ID"
    if fold(send.key) == wanted:
        return "external key"
    return None


def automated_send_has_active_definition(ctx: Context, subject: Subject, params: Mapping[str, Any]) -> Outcome:
    """SF134: an automated send active in Salesforce has an Active triggered send definition in Marketing
    Cloud; an Inactive (paused) one queues its sends, a missing or canceled one drops them."""
    view: AutomatedSendView = subject.view
    send = view.send
    if send.definition_id is None or not send.definition_id.strip():
        raise Missing(f"{view.location}.definition_id")
    definitions = (ctx.index.mc.triggered_sends if ctx.index.mc else None)
    if definitions is None:
        raise Missing("marketing_cloud.triggered_sends")
    wanted = fold(send.definition_id)
    evidence = [f"definition id in Salesforce: {send.definition_id}"]
    if send.active is None:
        evidence.append(f"Active not collected ({view.location}.active): checked as if active")
    hits = [(definition, how) for definition in definitions if (how := _matches(definition, wanted))]
    if not hits:
        return Outcome(Status.fail, f"{subject.label} is active in Salesforce, but no triggered send definition of "
                       "the Marketing Cloud account matches it (by ObjectID, ID or external key, ignoring case)",
                       tuple(evidence))
    definition, how = hits[0]
    evidence.append(f"matched the definition '{definition.name or definition.key}' (key {definition.key}) on its "
                    f"{how}")
    status = definition.status
    evidence.append(f"its status: {status.value}")
    if not status.recognised:
        raise Missing(f"the status of the triggered send definition {definition.key} ('{status.value}', which "
                      "mcaudit does not know), as a status mcaudit knows")
    if status is TriggeredSendStatus.active:
        return Outcome(Status.pass_, f"{subject.label} has the Active definition {definition.key}", tuple(evidence))
    effect = "queues every send until it is started again" if status is TriggeredSendStatus.inactive else (
        "cannot send")
    return Outcome(Status.fail, f"{subject.label} is active in Salesforce, but its triggered send definition "
                   f"{definition.key} is {status.value} and {effect}", tuple(evidence))


# -- SF135 ---------------------------------------------------------------------------------------

def system_user_grant_headroom(ctx: Context, subject: Subject, params: Mapping[str, Any]) -> Outcome:
    """SF135: the System User holds fewer grants for the Salesforce Marketing Cloud app than the limit
    of approvals per user and app; at the limit, the next grant revokes the oldest."""
    view: SystemUserView = subject.view
    limit = int(params.get("limit", 5))
    grants = ctx.index.sf.oauth_grants if ctx.index.sf else None
    if grants is None:
        raise Missing("salesforce.oauth_grants")
    mine = [grant for grant in grants if grant.user_id == view.user_id and fold(grant.app_name) == MCC_CONNECTED_APP]
    tokens = sum(grant.tokens for grant in mine)
    last = max((grant.last_used for grant in mine if grant.last_used), default=None)
    evidence = [f"OAuth grants for the Salesforce Marketing Cloud app: {tokens} (limit {limit} per user and app)"]
    if last is not None:
        evidence.append(f"last used: {last.date().isoformat()}")
    evidence.append(view.identity.evidence())
    if not mine:
        # the connection runs on a grant of the System User, so none visible means the read saw only
        # some users' tokens (without Customize Application a user sees only their own), not zero
        return Outcome(Status.unknown, f"{subject.label}: no OAuth grant of the Salesforce Marketing Cloud app is "
                       "visible, though the connection runs on one; the user who collected may not see every "
                       "user's tokens (that needs Customize Application)", tuple(evidence))
    if tokens >= limit:
        return Outcome(Status.fail, f"{subject.label} holds {tokens} grants for the Salesforce Marketing Cloud app, "
                       f"the limit of {limit}: the next connection or re-authentication revokes the oldest grant "
                       "and silently disconnects whatever used it", tuple(evidence))
    return Outcome(Status.pass_, f"{subject.label} holds {tokens} of at most {limit} grants for the Salesforce "
                   "Marketing Cloud app", tuple(evidence))


# -- SF136 ---------------------------------------------------------------------------------------

def api_headroom(ctx: Context, subject: Subject, params: Mapping[str, Any]) -> Outcome:
    """SF136: a daily API limit (requests, Bulk API) keeps at least the configured share remaining."""
    view: ApiLimitView = subject.view
    if view.limit is None:
        raise Missing(f"salesforce.api_limits: {view.name} (REST /limits always lists it)")
    limit = view.limit
    if limit.max == 0:
        raise NotApplicable(f"{view.name} has a maximum of 0: the org has no allocation of it")
    expected = _expectations(ctx)
    share = expected.api_headroom if expected.given("api_headroom") else float(
        params.get("share_percent", DEFAULT_API_HEADROOM * 100)) / 100
    left = limit.remaining / limit.max
    evidence = (f"remaining: {limit.remaining:,} of {limit.max:,} ({left:.0%})",
                f"required headroom: {share:.0%}" + (" (expectations.api_headroom)"
                                                    if expected.given("api_headroom") else ""))
    if left < share:
        return Outcome(Status.fail, f"{subject.label}: only {left:.0%} of the daily allocation remains, below "
                       f"{share:.0%}; synchronization and tracking stall when it runs out", evidence)
    return Outcome(Status.pass_, f"{subject.label}: {left:.0%} of the daily allocation remains", evidence)


# -- MC214 ---------------------------------------------------------------------------------------

def business_unit_connected(ctx: Context, subject: Subject, params: Mapping[str, Any]) -> Outcome:
    """MC214: a business unit the connector uses (or the expectations list) is enabled in the connector
    and is one of the Marketing Cloud account's business units."""
    view: BusinessUnitView = subject.view
    mc = ctx.index.mc
    units = mc.business_units if mc else None
    if units is None:
        raise Missing("marketing_cloud.business_units")
    evidence = []
    if view.expected:
        evidence.append("listed in expectations.business_unit_mids")
    problems = []
    unit = view.in_connector
    if unit is None:
        evidence.append("in the connector: not found")
        problems.append("the connector does not know it")
    else:
        evidence.append(f"enabled in the connector: {'not collected' if unit.enabled is None else unit.enabled}")
        if unit.enabled is False:
            problems.append("it is disabled in the connector")
    in_mc = next((found for found in units if found.mid == view.mid), None)
    evidence.append("in the Marketing Cloud account: " + ("found" if in_mc else "not found"))
    if in_mc is None:
        problems.append("it is not one of the Marketing Cloud account's business units (deleted, or the MC API "
                        "user cannot see it)")
    elif in_mc.is_active is not None:
        evidence.append(f"active in Marketing Cloud (IsActive): {in_mc.is_active}")
        if not in_mc.is_active:
            problems.append("it is inactive in Marketing Cloud")
    if mc is not None and mc.multi_org:
        evidence.append("multi-org: each business unit is connected on its own")
    if problems:
        return Outcome(Status.fail, f"{subject.label}: " + "; ".join(problems), tuple(evidence))
    if unit is not None and unit.enabled is None:
        raise Missing(f"{view.location}.enabled")
    if in_mc is not None and in_mc.is_active is None:
        raise Missing("marketing_cloud.business_units[].is_active")
    return Outcome(Status.pass_, f"{subject.label} is enabled in the connector and in the Marketing Cloud account",
                   tuple(evidence))


# -- RT305 ---------------------------------------------------------------------------------------

def acknowledged(ctx: Context, key: str, version: int | None) -> str | None:
    """How the ejection from this journey version was acknowledged, if it was."""
    if ctx.config.ack_eject_all:
        return "--ack-eject (every journey version)"
    for given in ctx.config.ack_eject:
        name, _, at = given.partition("@")
        if fold(name) == fold(key) and (not at or (version is not None and at.strip() == str(version))):
            return f"--ack-eject-journey {given}"
    return None


def ejection_acknowledged(ctx: Context, subject: Subject, params: Mapping[str, Any]) -> Outcome:
    """RT305: stopping a Salesforce Data journey version ejects every contact in it (Journey Builder's
    Stopped state); the preflight says GO only once a person acknowledged that for each version."""
    asset = subject.view.asset if isinstance(subject.view, EjectView) else None
    assert asset is not None
    population = asset.population
    evidence = [f"Status: {asset.status_words}",
                "contacts in flight: " + (f"{population:,}" if population is not None
                                          else "not in the snapshot (look in Journey Builder)")]
    if population == 0:
        return Outcome(Status.pass_, f"{subject.label} has no contact in flight: stopping it ejects no one",
                       tuple(evidence))
    how = acknowledged(ctx, asset.key, asset.version)
    ejected = (f"its {population:,} contact{'s' if population != 1 else ''} in flight" if population is not None
               else "every contact in it (how many is not in the snapshot)")
    if how is not None:
        evidence.append(f"acknowledged with {how}")
        return Outcome(Status.pass_, f"{subject.label}: stopping it ejects {ejected}; acknowledged", tuple(evidence))
    return Outcome(Status.fail, f"{subject.label}: stopping it, as the runbook says, ejects {ejected}, and they "
                   "do not come back: acknowledge it with --ack-eject-journey "
                   f"{asset.key}@{asset.version} (or --ack-eject for every version) before rotating",
                   tuple(evidence))
