"""API-integration checks (API601-API607), from the Marketing Cloud API guide.

Each check reads one subject (an installed package, a declared integration, or one call it
declares) and the lookups of SnapshotIndex.integrations. Much of what they catch fails quietly in
production: an injected field name in the wrong case is accepted by the events API and the contact
never enters the journey, so the snapshot is the only place to see it before customers do.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from mcaudit.engine.base import Subject
from mcaudit.engine.checks.outcome import Outcome
from mcaudit.engine.context import Context, Missing, NotApplicable
from mcaudit.engine.index import fold
from mcaudit.engine.index_integrations import EventLookup, EventMatch, journey_label
from mcaudit.engine.subjects_integrations import CallView, IntegrationView, PackageView
from mcaudit.findings import Status
from mcaudit.snapshot.integrations import (
    DataExtensionWrite,
    DeclaredIntegration,
    InstalledPackage,
    IntegrationType,
    JourneyInjection,
    TriggeredSendCall,
)
from mcaudit.snapshot.sending import TriggeredSendStatus

# -- API601: installed packages ------------------------------------------------------------


def _component_types(package: InstalledPackage) -> list[IntegrationType | None]:
    return [component.integration_type for component in package.api_integrations]


def installed_package_usable(ctx: Context, subject: Subject, params: Mapping[str, Any]) -> Outcome:
    """API601: legacy packages fail; a package without a server-to-server component fails only
    when an integration relies on it or no other package offers one."""
    view: PackageView = subject.view
    package = view.package
    if package is None:
        return Outcome(Status.fail, f"the account lists no installed package, yet {len(view.lookups.integrations)} "
                       "integration(s) are declared: they have no supported source of API credentials")
    types = _component_types(package)
    users = view.lookups.integrations_by_package.get(fold(package.name), [])
    evidence = [f"API Integration components: {', '.join(_kind(kind) for kind in types) or 'none'}",
                f"legacy: {'not collected' if package.legacy is None else str(package.legacy).lower()}"]
    if users:
        evidence.append(f"used by: {', '.join(users)}")
    if package.legacy is True:
        return Outcome(Status.fail,
                       f"{subject.label} is a legacy package: its credentials are the deprecated Legacy Fuel "
                       "(App Center) kind; move its integrations to an enhanced package", tuple(evidence))
    if package.legacy is None:
        raise Missing(f"{view.location}.legacy")
    if IntegrationType.server_to_server in types:
        return Outcome(Status.pass_, f"{subject.label} has a server-to-server API Integration component",
                       tuple(evidence))
    if None in types:
        raise Missing(f"{view.location}.api_integrations[{types.index(None)}].integration_type")
    return _without_server_to_server(subject, view, users, tuple(evidence))


def _kind(integration_type: IntegrationType | None) -> str:
    return integration_type.value if integration_type else "type not collected"


def _without_server_to_server(subject: Subject, view: PackageView, users: list[str],
                              evidence: tuple[str, ...]) -> Outcome:
    lacking = f"{subject.label} has no server-to-server API Integration component"
    if users:
        return Outcome(Status.fail,
                       f"{lacking}, yet {', '.join(users)} authenticate(s) with it: a server-side integration "
                       "needs one to get a token with the client credentials flow", evidence)
    available, detail = view.lookups.server_to_server_available  # detail: a package name or a path
    if available:
        return Outcome(Status.na, f"{lacking}; no declared integration uses it, and package '{detail}' "
                       "provides server-to-server access", evidence)
    if available is None and detail:
        raise Missing(detail)
    return Outcome(Status.fail,
                   f"{lacking}, and neither has any other installed package: no integration can get a token with "
                   "the client credentials flow", evidence)


# -- API602: tenant-specific endpoints -----------------------------------------------------

TENANT_HOST = re.compile(r"(?P<tenant>[a-z0-9][a-z0-9-]*)\.(?P<service>auth|rest|soap)\.marketingcloudapis\.com")
# shared hosts that older integrations were set up with; none of them belongs to one tenant
GENERIC_DOMAINS = ("exacttargetapis.com", "exacttarget.com", "marketingcloudapis.com")
ENDPOINT_SLOTS = ("auth", "rest", "soap")


def _scheme_and_host(url: str) -> tuple[str | None, str]:
    """The scheme (None for a bare host name) and the lower-case host of a URL."""
    text = url.strip()
    try:
        parts = urlsplit(text if "://" in text else f"//{text}")
    except ValueError:  # e.g. an unbalanced "[" (IPv6 syntax): certainly no tenant host
        return None, ""
    return parts.scheme.lower() or None, parts.hostname or ""


def shown_url(url: str) -> str:
    """A URL as reports show it: user info, query and fragment can carry credentials, so they go."""
    text = url.strip()
    try:
        parts = urlsplit(text)
    except ValueError:
        return text
    if "@" not in parts.netloc and not parts.query and not parts.fragment:
        return text
    return urlunsplit((parts.scheme, parts.netloc.rpartition("@")[2], parts.path, "", ""))


def _account_subdomain(ctx: Context) -> str | None:
    """marketing_cloud.subdomain as a bare tenant prefix, even if someone wrote a URL there."""
    raw = ctx.index.mc.subdomain if ctx.index.mc else None
    if not raw:
        return None
    return _scheme_and_host(raw)[1].split(".")[0] or None


def _endpoint_problem(slot: str, url: str, expected: str | None) -> tuple[str | None, str | None]:
    """(what is wrong with one endpoint or None, the tenant it points at if any)."""
    scheme, host = _scheme_and_host(url)
    match = TENANT_HOST.fullmatch(host)
    if match is None:
        generic = any(host == domain or host.endswith(f".{domain}") for domain in GENERIC_DOMAINS)
        return ("a generic host shared by every account" if generic else "not a Marketing Cloud tenant host"), None
    tenant, service = match["tenant"], match["service"]
    if scheme not in (None, "https"):
        return f"{scheme}:// instead of https://", tenant
    if service != slot:
        return f"the {service} host where the {slot} host belongs", tenant
    if expected and tenant != fold(expected):
        return f"tenant '{tenant}', not this account's '{expected}'", tenant
    return None, tenant


def endpoints_tenant_specific(ctx: Context, subject: Subject, params: Mapping[str, Any]) -> Outcome:
    """API602: every configured base URL is https://{subdomain}.{auth|rest|soap}.marketingcloudapis.com."""
    view: IntegrationView = subject.view
    endpoints = view.integration.endpoints
    configured = {slot: url for slot in ENDPOINT_SLOTS if endpoints and (url := getattr(endpoints, slot))}
    if not configured:
        raise Missing(f"{view.location}.endpoints")
    expected = _account_subdomain(ctx)
    evidence, problems, tenants = [], [], set()
    for slot, url in configured.items():
        problem, tenant = _endpoint_problem(slot, url, expected)
        if tenant:
            tenants.add(tenant)
        evidence.append(f"{slot}: {shown_url(url)}" + (f" ({problem})" if problem else ""))
        if problem:
            problems.append(f"{slot} {shown_url(url)} is {problem}")
    evidence.append(f"account subdomain: {expected}" if expected
                    else "account subdomain: not collected, so the endpoints are only compared with each other")
    if not expected and len(tenants) > 1:
        problems.append(f"the endpoints point at different tenants ({', '.join(sorted(tenants))})")
    if problems:
        return Outcome(Status.fail, f"{subject.label} is not configured with this account's tenant-specific "
                       f"endpoints: {'; '.join(problems)}", tuple(evidence))
    whose = f"this account's subdomain {expected}" if expected else f"the one tenant {', '.join(sorted(tenants))}"
    return Outcome(Status.pass_, f"{subject.label} uses the tenant-specific endpoints of {whose}", tuple(evidence))


# -- API603: least privilege ---------------------------------------------------------------

# a scope only reads when its name says so; `offline` asks for refresh tokens and grants nothing
READ_SUFFIXES = ("_read", "_view")
GRANTS_NOTHING = frozenset({"offline"})


def _beyond_read(scope: str) -> bool:
    name = fold(scope)
    return not name.endswith(READ_SUFFIXES) and name not in GRANTS_NOTHING


def _granted_scopes(package: InstalledPackage, location: str) -> tuple[list[str], str | None]:
    """Scopes of all the package's API Integration components, and the first that was not collected."""
    granted: list[str] = []
    uncollected = None
    for number, component in enumerate(package.api_integrations):
        if component.scopes is None:
            uncollected = uncollected or f"{location}.api_integrations[{number}].scopes"
        granted.extend(component.scopes or [])
    return sorted(set(granted), key=fold), uncollected


def _declared_writes(integration: DeclaredIntegration) -> str:
    counts = ((len(integration.journey_injections), "journey injection(s)"),
              (len(integration.triggered_sends), "triggered send(s)"),
              (len(integration.data_extension_writes), "Data Extension write(s)"))
    return ", ".join(f"{count} {what}" for count, what in counts if count)


def read_only_scopes(ctx: Context, subject: Subject, params: Mapping[str, Any]) -> Outcome:
    """API603: an integration declared read-only holds no scope that writes, sends, publishes or deletes."""
    view: IntegrationView = subject.view
    integration = view.integration
    if integration.read_only is None:
        raise Missing(f"{view.location}.read_only")
    if not integration.read_only:
        return Outcome(Status.na, f"{subject.label} is declared as writing; which write scopes its calls need "
                       "is not judged, only those of read-only integrations")
    if not integration.installed_package:
        raise Missing(f"{view.location}.installed_package")
    if view.lookups.packages is None:
        raise Missing("marketing_cloud.installed_packages")
    found = view.lookups.packages_by_name.get(fold(integration.installed_package))
    if found is None:
        return Outcome(Status.unknown,
                       f"cannot tell: {subject.label} names installed package '{integration.installed_package}', "
                       "which matches no package in marketing_cloud.installed_packages (joined on name, ignoring "
                       "case), so its scopes are not known")
    position, package = found
    granted, uncollected = _granted_scopes(package, f"marketing_cloud.installed_packages[{position}]")
    wide = [scope for scope in granted if _beyond_read(scope)]
    evidence = [f"package: '{package.name}'", f"granted scopes: {', '.join(granted) or 'none'}"]
    if writes := _declared_writes(integration):
        evidence.append(f"although read-only, it declares {writes}")
    if wide:
        return Outcome(Status.fail, f"{subject.label} is declared read-only, yet its package '{package.name}' "
                       f"grants {len(wide)} scope(s) beyond reading: {', '.join(wide)}", tuple(evidence))
    if uncollected:
        raise Missing(uncollected)
    return Outcome(Status.pass_, f"{subject.label} is read-only and its package '{package.name}' grants read "
                   "scopes only", tuple(evidence))


# -- API604 and API605: journey injections -------------------------------------------------

def _entry_event(view: CallView[JourneyInjection]) -> tuple[str, EventLookup]:
    key = view.call.event_definition_key
    if not key:
        raise Missing(f"{view.location}.event_definition_key")
    if view.lookups.mc is None or view.lookups.mc.journeys is None:
        raise Missing("marketing_cloud.journeys")
    return key, view.lookups.entry_event(key)


def _journey_evidence(lookup: EventLookup) -> tuple[str, ...]:
    if lookup.newest is None:
        return ()
    journey = lookup.newest.item
    source = journey.entry_source
    entry = (f"entry source {source.type.value}, EventDefinitionKey {source.event_definition_key or 'not collected'}"
             if source else "entry source not collected")
    return (f"{journey_label(journey)}: {journey.status.value}, {entry}",)


def injection_uses_entry_event_key(ctx: Context, subject: Subject, params: Mapping[str, Any]) -> Outcome:
    """API604: the key sent as EventDefinitionKey is an entry source's, not a journey's own key."""
    view: CallView[JourneyInjection] = subject.view
    key, lookup = _entry_event(view)
    evidence = _journey_evidence(lookup)
    if lookup.newest is not None:
        journey = lookup.newest.item
        named = journey_label(journey)
        event_key = journey.entry_source.event_definition_key if journey.entry_source else None
        if lookup.match is EventMatch.entry_event:
            return Outcome(Status.pass_, f"{subject.label} uses the entry event key of {named}", evidence)
        if lookup.match is EventMatch.entry_event_case:
            return Outcome(Status.fail, f"{subject.label} matches the entry event key '{event_key}' of {named} only "
                           "when case is ignored: send the key exactly as Journey Builder shows it", evidence)
        instead = f"'{event_key}'" if event_key else "not collected here; Journey Builder shows it on the entry source"
        return Outcome(Status.fail, f"{subject.label} sends the key of {named} itself, not its entry event's "
                       f"EventDefinitionKey ({instead}): no contact enters the journey", evidence)
    if lookup.uncollected:
        raise Missing(f"{lookup.uncollected[0].location}.entry_source")
    return Outcome(Status.fail, f"{subject.label}: '{key}' matches no entry event and no journey in "
                   "marketing_cloud.journeys", evidence)


def _differs(sent: str, schema_name: str) -> str:
    how = "case" if sent.strip() == sent and schema_name.strip() == schema_name else "spacing"
    return f"'{sent}' differs from the schema's '{schema_name}' in {how}"


def _field_problems(sent: list[str], schema: list[str]) -> list[str]:
    """One line per sent field the schema lacks, naming a near miss (other case or spacing)."""
    exact = set(schema)
    near: dict[str, str] = {}
    for name in schema:
        near.setdefault(fold(name), name)
    problems = []
    for name in dict.fromkeys(sent):
        if name in exact:
            continue
        other = near.get(fold(name))
        problems.append(_differs(name, other) if other else f"'{name}' is not in the schema")
    return problems


def injection_fields_match_schema(ctx: Context, subject: Subject, params: Mapping[str, Any]) -> Outcome:
    """API605: every field name an injection puts in Data is in the entry source schema, case included."""
    view: CallView[JourneyInjection] = subject.view
    key, lookup = _entry_event(view)
    if lookup.newest is None:
        if lookup.uncollected:
            raise Missing(f"{lookup.uncollected[0].location}.entry_source")
        raise NotApplicable(f"'{key}' matches no entry event, so there is no schema to compare with (see API604)")
    sent = view.call.fields
    if sent is None:
        raise Missing(f"{view.location}.fields")
    found = lookup.newest
    source = found.item.entry_source
    if source is None or source.schema_fields is None:
        raise Missing(f"{found.location}.entry_source" + (".schema_fields" if source else ""))
    schema = source.schema_fields
    named = journey_label(found.item)
    unsent = [name for name in schema if name not in set(sent)]
    evidence = (f"fields sent: {', '.join(sent) or 'none'}",
                f"entry source schema of {named}: {', '.join(schema) or 'none'}",
                *([f"schema fields not sent: {', '.join(unsent)}"] if unsent else []))
    problems = _field_problems(sent, schema)
    if problems:
        return Outcome(Status.fail, f"{subject.label} sends {len(problems)} field name(s) that the entry source "
                       f"schema of {named} does not have, so its contacts are dropped without an error: "
                       f"{'; '.join(problems)}", evidence)
    return Outcome(Status.pass_, f"{subject.label}: every field name sent matches the entry source schema of "
                   f"{named} exactly", evidence)


# -- API606: triggered sends ---------------------------------------------------------------

def fired_send_active(ctx: Context, subject: Subject, params: Mapping[str, Any]) -> Outcome:
    """API606: the definition an integration fires exists and is Active."""
    view: CallView[TriggeredSendCall] = subject.view
    if view.lookups.mc is None or view.lookups.mc.triggered_sends is None:
        raise Missing("marketing_cloud.triggered_sends")
    found = view.lookups.triggered_send(view.call.key)
    if found is None:
        return Outcome(Status.fail, f"{subject.label}: no triggered send definition has the external key "
                       f"'{view.call.key}' (joined on key with marketing_cloud.triggered_sends), so every send "
                       "request fails")
    located, exact = found
    send = located.item
    status = send.status.value
    evidence = (f"definition: {f'{send.name!r} ' if send.name else ''}(key {send.key}), status {status}",
                *([] if exact else ["the key matches only when case is ignored"]))
    if send.status is TriggeredSendStatus.active:
        return Outcome(Status.pass_, f"{subject.label}: the definition is Active", evidence)
    if not send.status.recognised:  # a status the API added: it may or may not accept send requests
        return Outcome(Status.unknown, f"{subject.label}: the definition has status '{status}', which mcaudit "
                       "does not know, so whether it accepts send requests cannot be told: check it in Email "
                       "Studio > Interactions > Triggered Emails", evidence)
    return Outcome(Status.fail, f"{subject.label}: the definition is {status}, not Active, so its send requests "
                   "are refused until it is started (activated)", evidence)


# -- API607: Data Extension writes ---------------------------------------------------------

ASYNC_PATH = re.compile(r"/hub/v1/dataeventsasync(/|$)|/data/v1/async/", re.IGNORECASE)


def bulk_writes_async(ctx: Context, subject: Subject, params: Mapping[str, Any]) -> Outcome:
    """API607: a write of more than `max_sync_rows` rows per call goes to an asynchronous endpoint."""
    view: CallView[DataExtensionWrite] = subject.view
    write = view.call
    limit = int(params.get("max_sync_rows", 100))
    if write.batch_size is None:
        raise Missing(f"{view.location}.batch_size")
    endpoint = shown_url(write.endpoint) if write.endpoint else None
    evidence = (f"rows per call: {write.batch_size}", f"endpoint: {endpoint or 'not declared'}")
    if write.batch_size <= limit:
        return Outcome(Status.pass_, f"{subject.label} sends at most {limit} rows per call ({write.batch_size}), "
                       "which the synchronous endpoint handles", evidence)
    if not write.endpoint or not endpoint:
        raise Missing(f"{view.location}.endpoint")
    if ASYNC_PATH.search(write.endpoint):
        return Outcome(Status.pass_, f"{subject.label} sends {write.batch_size} rows per call to an asynchronous "
                       "endpoint", evidence)
    return Outcome(Status.fail, f"{subject.label} sends {write.batch_size} rows per call to {endpoint}, "
                   f"which is synchronous: above {limit} rows post to /hub/v1/dataeventsasync/key:{write.key}/rowset "
                   "and poll the requestId it returns", evidence)
