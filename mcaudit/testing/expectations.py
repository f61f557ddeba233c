"""What a live collection of an emulated snapshot can give back: the source, minus the facts no
API shows and with the values the APIs express differently.

Comparing audits of `collectable(source)` and of the collected snapshot checks the round trip
without pretending that collection can see what only a person can (the MC user's Salesforce.com
Status, whether the connector is connected, MC security settings, sync health). Of the installed
packages, collection sees only the one it authenticates with, and that one from its token.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from mcaudit.snapshot import Snapshot
from mcaudit.snapshot.integrations import ApiIntegrationComponent, InstalledPackage, IntegrationType
from mcaudit.snapshot.marketing_cloud import MarketingCloud
from mcaudit.snapshot.salesforce import ConnectedApp, RefreshTokenPolicy, Salesforce, SystemUserSource
from mcaudit.snapshot.sending import ScheduledSend, ScheduledSendStatus, TriggeredSendStatus
from mcaudit.testing.marketing_cloud_api import MarketingCloudLogin
from mcaudit.testing.marketing_cloud_data import event_key
from mcaudit.testing.plumbing import automation_objects, with_plumbing
from mcaudit.testing.salesforce_data import AUTOMATED_ACTIVE, DEFAULT_ORG_ID

T = TypeVar("T")
# the name `mcaudit collect` gives its own package when --mc-package-name does not say
DEFAULT_PACKAGE_NAME = "mcaudit audit package"


def collectable(source: Snapshot, *, collected_at: datetime | None = None, metadata: str = "allowed",
                login: MarketingCloudLogin | None = None, package_name: str = DEFAULT_PACKAGE_NAME) -> Snapshot:
    """`source` as a collection through the APIs would see it (`metadata`: as EmulatorConfig.metadata;
    `login` and `package_name`: the emulated credentials and --mc-package-name)."""
    package = auditor_package(login or MarketingCloudLogin(), package_name)
    source = with_plumbing(source)  # the org's plumbing as the emulator serves it
    return source.model_copy(update={
        "collected_at": collected_at or source.collected_at,
        "salesforce": _salesforce(source.salesforce, metadata) if source.salesforce else None,
        "marketing_cloud": _marketing_cloud(source.marketing_cloud, package) if source.marketing_cloud else None,
    })


def auditor_package(login: MarketingCloudLogin, name: str = DEFAULT_PACKAGE_NAME) -> InstalledPackage:
    """The one installed package a collection records: its own, an enhanced package whose
    server-to-server integration holds the scopes the token response grants."""
    scopes = None if login.scope is None else sorted(set(login.scope.split()))
    return InstalledPackage(name=name, legacy=False, api_integrations=[ApiIntegrationComponent(
        client_id=login.client_id, integration_type=IntegrationType.server_to_server, scopes=scopes)])


def _salesforce(sf: Salesforce, metadata: str) -> Salesforce:
    apps = [app.model_copy(update={
        "permission_set_ids": app.permission_set_ids or [],
        **({} if metadata == "allowed" else {"ip_relaxation": None, "refresh_token_policy": _soql_policy(app)}),
    }) for app in sf.connected_apps or []]
    connector = sf.mcc_connector
    return sf.model_copy(update={
        "org_id": sf.org_id or DEFAULT_ORG_ID,
        "connected_apps": apps if sf.connected_apps is not None else None,
        "users": _each(sf.users, lambda user: user.model_copy(update={"is_frozen": user.is_frozen is True})),
        # the connector's state and scope by user are set in Marketing Cloud, where no API shows them;
        # the System User is named on the command line (--sf-system-user), and the org's tokens are evidence
        "mcc_connector": connector.model_copy(update={
            "connected": None, "scope_by_user": None,
            # checkboxes are never null in an org: an unknown state reads as the field's default
            "business_units": _each(connector.business_units, lambda unit: unit.model_copy(update={
                "enabled": unit.enabled is not False, "is_parent": unit.is_parent is True})),
            "system_user_source": SystemUserSource.option if connector.system_user else None,
            "system_user_candidates": None}) if connector else None,
        "scheduled_sends": _each(sf.scheduled_sends, _scheduled) if connector else None,
        **_plumbing(sf),
    })


def _plumbing(sf: Salesforce) -> dict[str, object]:
    """The org's plumbing as its records read back: the Organization record is the org's own; a
    checkbox is never null; only triggers on the objects MCC automation uses are kept (and none can
    be chosen without the package); no visible OAuth token reads as not collected."""
    org_id = sf.org_id or DEFAULT_ORG_ID
    organization = sf.organization.model_copy(update={
        "id": org_id, "is_sandbox": sf.organization.is_sandbox is True,
        "instance_name": sf.organization.instance_name or "EMU1"}) if sf.organization else None
    wanted = {name.casefold() for name in automation_objects(sf, sf.automated_sends or [])}
    triggers = None if sf.apex_triggers is None or sf.mcc_connector is None else [
        trigger.model_copy(update={"id": trigger.id or f"01q{position:015d}",
                                   "after_insert": trigger.after_insert is not False,
                                   "after_update": trigger.after_update is not False})
        for position, trigger in enumerate(sf.apex_triggers) if trigger.object.casefold() in wanted]
    return {
        "organization": organization,
        "oauth_grants": sf.oauth_grants or None,
        "apex_triggers": triggers,
        "journey_flows": _each(sf.journey_flows, lambda flow: flow.model_copy(update={
            "is_active": flow.is_active is True})),
        "automated_sends": _each(sf.automated_sends, lambda send: send.model_copy(update={
            "active": send.active is True})) if sf.mcc_connector else None,
    }


def _soql_policy(app: ConnectedApp) -> RefreshTokenPolicy | None:
    """What SOQL alone shows of the refresh token policy: only the two that expire after a time."""
    timed = (RefreshTokenPolicy.specific_lifetime, RefreshTokenPolicy.specific_inactivity)
    return app.refresh_token_policy if app.refresh_token_policy in timed else None


def _scheduled(send: ScheduledSend) -> ScheduledSend:
    if send.kind != "automated_send":
        return send
    # an automated send is on or off: on reads back as in progress, off as paused
    active = send.status.value in AUTOMATED_ACTIVE
    return send.model_copy(update={
        "status": ScheduledSendStatus.in_progress if active else ScheduledSendStatus.paused})


def _marketing_cloud(mc: MarketingCloud, package: InstalledPackage) -> MarketingCloud:
    journeys = []
    for journey in mc.journeys or []:
        source = journey.entry_source
        if source is not None:
            source = source.model_copy(update={"event_definition_key": event_key(journey)})
        journeys.append(journey.model_copy(update={"entry_source": source}))
    return mc.model_copy(update={
        "multi_org": None, "security": None, "synchronized_data_extensions": None, "ier_sync": None,
        "custom_attribute_limit": None,  # an edition's limit, which no API returns
        # the SOAP Role object does not say which attribute sets a role may use
        "roles": _each(mc.roles, lambda role: role.model_copy(update={"attribute_set_access": None})),
        "users": _each(mc.users, lambda user: user.model_copy(update={
            "salesforce_integration": None, "roles": user.roles or [],
            "business_unit_mids": user.business_unit_mids or []})),
        "triggered_sends": None if mc.triggered_sends is None else [
            send for send in mc.triggered_sends if send.status is not TriggeredSendStatus.deleted],
        "journeys": journeys if mc.journeys is not None else None,
        # no API lists installed packages: whatever the source says, only the auditor's own is seen
        "installed_packages": [package],
    })


def _each(items: list[T] | None, change: Callable[[T], T]) -> list[T] | None:
    """Apply `change` to every item; an absent (not collected) list stays absent."""
    return None if items is None else [change(item) for item in items]
