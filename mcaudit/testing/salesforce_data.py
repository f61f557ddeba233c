"""What the emulated Salesforce org holds, derived from a snapshot: SOQL tables and connected-app
metadata. An org whose snapshot has no MCC connector is served without the MCC package (its
objects and user fields do not exist), like an org where Marketing Cloud Connect is not installed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from mcaudit.apicatalog import soql_fields
from mcaudit.snapshot import Snapshot
from mcaudit.snapshot.automation import ApexTrigger
from mcaudit.snapshot.salesforce import ConnectedApp, IpRelaxation, PermittedUsers, RefreshTokenPolicy
from mcaudit.testing.plumbing import AUTOMATED_ACTIVE, DEFAULT_ORG_ID, with_plumbing
from mcaudit.testing.soql import Table

__all__ = ["AUTOMATED_ACTIVE", "DEFAULT_ORG_ID"]
# The emulated org's Marketing Cloud Connect package: object and field names as the emulator plays
# them (kept apart from the collector's, so that a test compares two readings, not one constant).
MCC_NAMESPACE = "et4ae5"
MCC_USER_FIELD = "et4ae5__ExactTargetForAppExchangeUser__c"
MCC_ADMIN_FIELD = "et4ae5__ExactTargetForAppExchangeAdmin__c"
CONFIG_OBJECT = "et4ae5__Configuration__c"
BUSINESS_UNIT_OBJECT, BUSINESS_UNIT_MID = "et4ae5__Business_Unit__c", "et4ae5__Business_Unit_ID__c"
MCC_APP = "Salesforce Marketing Cloud"
SEND_DEFINITION_OBJECT, SEND_STATUS, SEND_SCHEDULED_AT = (
    "et4ae5__SendDefinition__c", "et4ae5__SendStatus__c", "et4ae5__Scheduled_Date_Time__c")
AUTOMATED_SEND_OBJECT, AUTOMATED_SEND_ACTIVE = "et4ae5__Automated_Send__c", "et4ae5__Active__c"
USER_FIELDS = ("Id", "Username", "Name", "Email", "IsActive", "Profile.Name", "Profile.UserLicense.Name",
               "UserPermissionsMarketingUser")
IP_RELAXATION = {IpRelaxation.enforce: "ENFORCE", IpRelaxation.bypass_2fa: "BYPASS_2FACTOR",
                 IpRelaxation.relax: "BYPASS", IpRelaxation.enforce_relax_refresh: "ENFORCE_RELAXREFRESH"}
REFRESH_POLICY = {RefreshTokenPolicy.immediately_expire: "zero", RefreshTokenPolicy.infinite: "infinite",
                  RefreshTokenPolicy.specific_lifetime: "specific_lifetime:12:HOURS",
                  RefreshTokenPolicy.specific_inactivity: "specific_inactivity:30:DAYS"}
# how the package's picklist shows each status (one real value each; status_value wins when given)
SEND_STATUS_VALUES = {"new": "New", "scheduled": "Scheduled", "in_progress": "Sending", "paused": "Paused",
                      "completed": "Completed", "canceled": "Canceled", "failed": "Failed", "deleted": "Deleted",
                      "unknown": None}


@dataclass(frozen=True)
class AppMetadata:
    id: str
    full_name: str
    label: str
    admin_approved: bool | None
    ip_relaxation: str | None
    refresh_token_policy: str | None


def sf_time(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000+0000")


def app_id(app: ConnectedApp, position: int) -> str:
    return app.id or f"0H4000000000{position:03d}AAA"


def refresh_token_fields(policy: RefreshTokenPolicy | None) -> dict[str, object]:
    """ConnectedApplication's SOQL view of the refresh token policy: a period only for a policy that
    expires tokens after a time, counted from their last use or not."""
    period = {RefreshTokenPolicy.specific_lifetime: 12, RefreshTokenPolicy.specific_inactivity: 30}.get(
        policy) if policy else None
    return {"OptionsRefreshTokenValidityMetric": policy is RefreshTokenPolicy.specific_inactivity,
            "RefreshTokenValidityPeriod": period}


def has_package(snapshot: Snapshot) -> bool:
    return snapshot.salesforce is not None and snapshot.salesforce.mcc_connector is not None


def limits(snapshot: Snapshot) -> dict[str, dict[str, int]] | None:
    """REST /limits as the org answers it; None when the snapshot lacks it (served as a refusal)."""
    sf = with_plumbing(snapshot).salesforce
    if sf is None or sf.api_limits is None:
        return None
    return {limit.name: {"Max": limit.max, "Remaining": limit.remaining} for limit in sf.api_limits}


def tables(snapshot: Snapshot) -> dict[str, Table]:
    snapshot = with_plumbing(snapshot)
    sf = snapshot.salesforce
    assert sf is not None, "emulating Salesforce needs a salesforce section"
    apps = sf.connected_apps or []
    org = sf.organization
    result = {
        "Organization": Table(ORGANIZATION_FIELDS, [{
            "Id": sf.org_id or (org.id if org else None) or DEFAULT_ORG_ID, "Name": org.name if org else snapshot.name,
            "InstanceName": (org.instance_name if org else None) or "EMU1",
            # a checkbox is never null in an org
            "IsSandbox": bool(org and org.is_sandbox), "TrialExpirationDate": sf_time(org.trial_expiration_date)
            if org else None, "OrganizationType": org.organization_type if org else None}]),
        "ApexTrigger": _triggers(sf.apex_triggers or [], with_package=has_package(snapshot)),
        "FlowDefinitionView": Table(FLOW_FIELDS, [{
            "ApiName": flow.api_name, "Label": flow.label, "IsActive": flow.is_active is True,
            "ProcessType": flow.process_type, "ActiveVersionId": flow.active_version_id}
            for flow in sf.journey_flows or []]),
        "ConnectedApplication": Table(("Id", "Name", "OptionsAllowAdminApprovedUsersOnly",
                                       "OptionsRefreshTokenValidityMetric", "RefreshTokenValidityPeriod"), [
            {"Id": app_id(app, i), "Name": app.name,
             "OptionsAllowAdminApprovedUsersOnly": None if app.permitted_users is None
             else app.permitted_users is PermittedUsers.admin_approved,
             **refresh_token_fields(app.refresh_token_policy)}
            for i, app in enumerate(apps)]),
        "SetupEntityAccess": Table(("ParentId", "SetupEntityId", "SetupEntityType"), [
            {"ParentId": ps, "SetupEntityId": app_id(app, i), "SetupEntityType": "ConnectedApplication"}
            for i, app in enumerate(apps) for ps in app.permission_set_ids or []]),
        "PermissionSet": Table(("Id", "Name", "Label", "NamespacePrefix", "IsOwnedByProfile", "Profile.Name"), [
            {"Id": ps.id, "Name": ps.name, "Label": ps.label, "NamespacePrefix": ps.namespace_prefix,
             "IsOwnedByProfile": ps.is_owned_by_profile, "Profile.Name": ps.profile_name}
            for ps in sf.permission_sets or []]),
        "PermissionSetGroup": Table(("Id", "DeveloperName"), [
            {"Id": group.id, "DeveloperName": group.name} for group in sf.permission_set_groups or []]),
        "PermissionSetGroupComponent": Table(("PermissionSetGroupId", "PermissionSetId"), [
            {"PermissionSetGroupId": group.id, "PermissionSetId": member}
            for group in sf.permission_set_groups or [] for member in group.permission_set_ids]),
        "PermissionSetAssignment": Table(("AssigneeId", "PermissionSetId", "PermissionSetGroupId", "ExpirationDate"), [
            {"AssigneeId": a.assignee_id, "PermissionSetId": a.permission_set_id,
             "PermissionSetGroupId": a.permission_set_group_id, "ExpirationDate": sf_time(a.expiration_date)}
            for a in sf.permission_set_assignments or []]),
        "User": _users(snapshot),
        "UserLogin": Table(("UserId", "IsFrozen"), [
            {"UserId": user.id, "IsFrozen": user.is_frozen is True} for user in sf.users or []]),
    }
    if has_package(snapshot):
        result.update(_package_tables(snapshot))
    result = {name: as_in_org(name, table) for name, table in result.items()}
    # a section the snapshot lacks (its collection failed) is served as a refusal, so it fails again
    # (an object that several sections read is refused only when every one of them is absent)
    readers: dict[str, list[str]] = {}
    for section, objects in SECTION_OBJECTS.items():
        for name in objects:
            readers.setdefault(name, []).append(section)
    for name, sections in readers.items():
        if name in result and all(getattr(sf, section) is None for section in sections):
            result[name].refused = True
    return result


SECTION_OBJECTS = {
    "connected_apps": ("ConnectedApplication", "SetupEntityAccess"),
    "permission_sets": ("PermissionSet",),
    "permission_set_groups": ("PermissionSetGroup", "PermissionSetGroupComponent"),
    "permission_set_assignments": ("PermissionSetAssignment",),
    "users": ("User", "UserLogin"),
    "scheduled_sends": (SEND_DEFINITION_OBJECT, AUTOMATED_SEND_OBJECT),
    "automated_sends": (AUTOMATED_SEND_OBJECT,),
    "apex_triggers": ("ApexTrigger",),
    "journey_flows": ("FlowDefinitionView",),
}
ORGANIZATION_FIELDS = ("Id", "Name", "InstanceName", "IsSandbox", "TrialExpirationDate", "OrganizationType")
FLOW_FIELDS = ("ApiName", "Label", "IsActive", "ProcessType", "ActiveVersionId")
TRIGGER_FIELDS = ("Id", "Name", "TableEnumOrId", "Status", "NamespacePrefix", "UsageAfterInsert", "UsageAfterUpdate",
                  "Body")
AUTOMATED_SEND_FIELDS = ("Id", "Name", "et4ae5__Object__c", "et4ae5__Action__c", AUTOMATED_SEND_ACTIVE,
                         "et4ae5__Business_Unit__c", "et4ae5__etTriggeredSendDefId__c", "et4ae5__EmailName__c",
                         "et4ae5__Hours_Delayed__c")
HIDDEN_BODY = "(hidden)"  # a managed package's trigger body as ApexTrigger.Body shows it
# one of the package's own triggers (mcc-api-reference.md 3.1): on a package object, so never one of
# the objects MCC automation uses, and its body hidden
PACKAGE_TRIGGER = {"Id": "01q000000000PKGAAA", "Name": "trigSendDefChange", "TableEnumOrId": "01I000000000PKGAAA",
                   "Status": "Active", "NamespacePrefix": MCC_NAMESPACE, "UsageAfterInsert": True,
                   "UsageAfterUpdate": True, "Body": HIDDEN_BODY}


def trigger_body(trigger: ApexTrigger) -> str:
    """A body that calls the trigger utility, or one that mentions it only in comments (it does not
    call it), or the package's hidden body when the snapshot does not know."""
    header = f"trigger {trigger.name} on {trigger.object} (after insert, after update) {{\n"
    if trigger.calls_trigger_utility is None:
        return HIDDEN_BODY
    if trigger.calls_trigger_utility:
        return header + f"    ET4AE5.triggerUtility .automate('{trigger.object}'); // sends the record\n}}\n"
    return header + (f"    // et4ae5.triggerUtility.automate('{trigger.object}');\n"
                     f"    /* removed: et4ae5.triggerUtility.automate('{trigger.object}'); */\n"
                     "    System.debug('no send from here');\n}\n")


def _triggers(triggers: list[ApexTrigger], *, with_package: bool) -> Table:
    rows = [dict(PACKAGE_TRIGGER)] if with_package else []
    for position, trigger in enumerate(triggers):
        body = trigger_body(trigger)
        # TableEnumOrId names a standard object but holds a custom object's Id; the header names it
        custom = trigger.object.endswith("__c") and body != HIDDEN_BODY
        rows.append({"Id": trigger.id or f"01q{position:015d}", "Name": trigger.name,
                     "TableEnumOrId": f"01I{position:012d}AAA" if custom else trigger.object,
                     "Status": trigger.status.value, "NamespacePrefix": trigger.namespace_prefix,
                     "UsageAfterInsert": trigger.after_insert is not False,
                     "UsageAfterUpdate": trigger.after_update is not False, "Body": body})
    return Table(TRIGGER_FIELDS, rows)


def as_in_org(name: str, table: Table) -> Table:
    """The table with the object's real field list (API catalog), as an org has it: a query naming
    any other field is refused with INVALID_FIELD. Rows fill only what the snapshot says."""
    fields = soql_fields(name)
    known = {field.casefold() for field in fields}
    invented = sorted({key for row in table.rows for key in row if key.casefold() not in known})
    assert not invented, f"the emulator serves {name} fields the API catalog does not list: {invented}"
    if not any(field.startswith(MCC_NAMESPACE + "__") for field in table.fields) and name == "User":
        # without the package installed, its user fields do not exist
        fields = tuple(field for field in fields if not field.startswith(MCC_NAMESPACE + "__"))
    return Table(fields, table.rows, table.refused)


def _users(snapshot: Snapshot) -> Table:
    fields = (*USER_FIELDS, MCC_USER_FIELD, MCC_ADMIN_FIELD) if has_package(snapshot) else USER_FIELDS
    users = snapshot.salesforce.users if snapshot.salesforce else None
    return Table(fields, [{
        "Id": user.id, "Username": user.username, "Name": user.name, "Email": user.email,
        "IsActive": user.is_active, "Profile.Name": user.profile_name, "Profile.UserLicense.Name": user.user_license,
        "UserPermissionsMarketingUser": user.marketing_user, MCC_USER_FIELD: user.mc_appexchange_user,
        MCC_ADMIN_FIELD: user.mc_appexchange_admin,
    } for user in users or []])


def _package_tables(snapshot: Snapshot) -> dict[str, Table]:
    sf = snapshot.salesforce
    assert sf is not None and sf.mcc_connector is not None
    connector = sf.mcc_connector
    endpoints = connector.endpoints
    sends = sf.scheduled_sends or []
    return {
        # the package keeps its settings in one record; the System User and scope by user are not among them
        CONFIG_OBJECT: Table(("Id", "et4ae5__Parent_Account_MID__c", "et4ae5__Auth_API_URL__c",
                              "et4ae5__Root_Rest_API_URL__c", "et4ae5__Root_SOAP_API_URL__c",
                              "et4ae5__automationObjects__c"), [{
            "Id": "a0C000000000001AAA",
            "et4ae5__Parent_Account_MID__c": None if connector.parent_account_mid is None
            else str(connector.parent_account_mid),
            "et4ae5__Auth_API_URL__c": endpoints.auth if endpoints else None,
            "et4ae5__Root_Rest_API_URL__c": endpoints.rest if endpoints else None,
            "et4ae5__Root_SOAP_API_URL__c": endpoints.soap if endpoints else None,
            "et4ae5__automationObjects__c": None if connector.automation_objects is None
            else ";".join(connector.automation_objects)}]),
        BUSINESS_UNIT_OBJECT: Table(("Id", "Name", BUSINESS_UNIT_MID, "et4ae5__Enabled__c",
                                     "et4ae5__IsParentAccountMID__c"), [
            {"Id": f"a0D{i:015d}", "Name": unit.name, BUSINESS_UNIT_MID: str(unit.mid),
             # a checkbox is never null in an org: an unknown state reads as the field's default
             "et4ae5__Enabled__c": unit.enabled is not False, "et4ae5__IsParentAccountMID__c": unit.is_parent is True}
            for i, unit in enumerate(connector.business_units or [])]),
        SEND_DEFINITION_OBJECT: Table(("Id", "Name", SEND_STATUS, SEND_SCHEDULED_AT), [
            {"Id": send.id, "Name": send.name,
             SEND_STATUS: send.status_value if send.status_value is not None else SEND_STATUS_VALUES[send.status.value],
             SEND_SCHEDULED_AT: sf_time(send.scheduled_at)}
            for send in sends if send.kind != "automated_send"]),
        AUTOMATED_SEND_OBJECT: _automated_sends(snapshot),
        "OauthToken": _oauth_tokens(snapshot),
    }


def _automated_sends(snapshot: Snapshot) -> Table:
    """The package's automated-send records: the snapshot's, else its scheduled automated sends."""
    sf = snapshot.salesforce
    assert sf is not None
    if sf.automated_sends is not None:
        return Table(AUTOMATED_SEND_FIELDS, [{
            "Id": send.id, "Name": send.name, "et4ae5__Object__c": send.object, "et4ae5__Action__c": send.action,
            AUTOMATED_SEND_ACTIVE: send.active is True, "et4ae5__Business_Unit__c": send.business_unit_id,
            "et4ae5__etTriggeredSendDefId__c": send.definition_id, "et4ae5__EmailName__c": send.email_name,
            "et4ae5__Hours_Delayed__c": None if send.hours_delayed is None else float(send.hours_delayed)}
            for send in sf.automated_sends])
    return Table(AUTOMATED_SEND_FIELDS, [
        {"Id": send.id, "Name": send.name, AUTOMATED_SEND_ACTIVE: send.status.value in AUTOMATED_ACTIVE}
        for send in sf.scheduled_sends or [] if send.kind == "automated_send"])


def token_holdings(snapshot: Snapshot) -> dict[str, tuple[int, datetime | None]]:
    """user id -> (tokens for the MCC app, last use): the candidates' as the snapshot records them,
    else one token held by the System User (the connector authenticates as that user)."""
    sf = snapshot.salesforce
    connector = sf.mcc_connector if sf else None
    held = {candidate.user_id: (candidate.oauth_tokens, candidate.oauth_last_used)
            for candidate in (connector.system_user_candidates if connector else None) or []
            if candidate.oauth_tokens}
    if not held and (system_user := system_user_id(snapshot)) is not None:
        held[system_user] = (1, snapshot.collected_at)
    return held


def _oauth_tokens(snapshot: Snapshot) -> Table:
    """The MCC app's OAuth tokens: as the snapshot's grants count them, else its token evidence."""
    fields = ("AppName", "UserId", "UseCount", "LastUsedDate")
    sf = snapshot.salesforce
    connector = sf.mcc_connector if sf else None
    uses = {candidate.user_id: candidate.oauth_use_count
            for candidate in (connector.system_user_candidates if connector else None) or []}
    held = ({grant.user_id: (grant.tokens, grant.last_used) for grant in sf.oauth_grants}
            if sf is not None and sf.oauth_grants is not None else token_holdings(snapshot))
    rows = []
    for user_id, (count, last) in held.items():
        for number in range(count):
            rows.append({"AppName": MCC_APP, "UserId": user_id,
                         "UseCount": (uses.get(user_id) or 1200) if number == 0 else 0,
                         "LastUsedDate": sf_time(last) if number == 0 else None})
    return Table(fields, rows)


def system_user_id(snapshot: Snapshot) -> str | None:
    sf = snapshot.salesforce
    ref = sf.mcc_connector.system_user if sf and sf.mcc_connector else None
    if ref is None:
        return None
    if ref.id:
        return ref.id
    by_name = {user.username.casefold(): user.id for user in sf.users or []} if sf else {}
    return by_name.get((ref.username or "").casefold())


def tooling_tables(snapshot: Snapshot) -> dict[str, Table]:
    fields = ("SubscriberPackage.NamespacePrefix", "SubscriberPackageVersion.MajorVersion",
              "SubscriberPackageVersion.MinorVersion")
    rows = []
    connector = snapshot.salesforce.mcc_connector if snapshot.salesforce else None
    if connector is not None and connector.package_version:
        major, _, minor = connector.package_version.partition(".")
        if major.isdigit():
            rows.append({fields[0]: MCC_NAMESPACE, fields[1]: int(major),
                         fields[2]: int(minor) if minor.isdigit() else 0})
    return {"InstalledSubscriberPackage": as_in_org("InstalledSubscriberPackage", Table(fields, rows))}


def app_metadata(snapshot: Snapshot) -> list[AppMetadata]:
    apps = snapshot.salesforce.connected_apps if snapshot.salesforce else None
    return [AppMetadata(
        id=app_id(app, i), full_name=app.name.replace(" ", "_"), label=app.name,
        admin_approved=None if app.permitted_users is None else app.permitted_users is PermittedUsers.admin_approved,
        ip_relaxation=IP_RELAXATION.get(app.ip_relaxation) if app.ip_relaxation else None,
        refresh_token_policy=REFRESH_POLICY.get(app.refresh_token_policy) if app.refresh_token_policy else None,
    ) for i, app in enumerate(apps or [])]
