"""Turn SOQL records into snapshot models. Values are taken as they come; a missing or null value
stays null (not collected), and nothing is inferred from its absence."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime, timezone
from typing import Any

from mcaudit.collectors.problems import ApiError
from mcaudit.collectors.salesforce import queries as q
from mcaudit.collectors.salesforce.soql import Record
from mcaudit.snapshot.automation import ApexTrigger, ApexTriggerStatus, AutomatedSend, JourneyFlow
from mcaudit.snapshot.integrations import Endpoints
from mcaudit.snapshot.org import ApiLimit, OauthGrants, Organization
from mcaudit.snapshot.salesforce import (
    ConnectedApp,
    ConnectorBusinessUnit,
    PermissionSet,
    PermissionSetAssignment,
    PermissionSetGroup,
    PermittedUsers,
    RefreshTokenPolicy,
    SalesforceUser,
    SystemUserCandidate,
)
from mcaudit.snapshot.sending import ScheduledSend, ScheduledSendStatus


def text(value: Any) -> str | None:
    return value if isinstance(value, str) and value != "" else None


def flag(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


def related(record: Record, path: str) -> Any:
    """Follow a relationship path such as Profile.UserLicense.Name; null anywhere gives None."""
    node: Any = record
    for part in path.split("."):
        if not isinstance(node, dict):
            return None
        node = node.get(part)
    return node


def timestamp(value: Any) -> datetime | None:
    """Salesforce datetimes look like 2026-01-31T12:00:00.000+0000 (or a bare date)."""
    if not isinstance(value, str) or not value:
        return None
    normal = re.sub(r"([+-]\d{2})(\d{2})$", r"\1:\2", value.replace("Z", "+00:00"))
    parsed = datetime.fromisoformat(normal)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def whole_number(value: Any) -> int | None:
    """A MID may come as a number field (510000001.0) or a text field ('510000001')."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float) and float(value).is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def connected_apps(apps: list[Record], grants: list[Record] | None) -> list[ConnectedApp]:
    granted: dict[str, list[str]] = {}
    for grant in grants or []:
        if text(grant.get("SetupEntityId")) and text(grant.get("ParentId")):
            granted.setdefault(grant["SetupEntityId"], []).append(grant["ParentId"])
    result = []
    for app in apps:
        name = text(app.get("Name"))
        if name is None:
            continue
        admin_only = flag(app.get("OptionsAllowAdminApprovedUsersOnly"))
        result.append(ConnectedApp(
            id=text(app.get("Id")), name=name,
            permitted_users=None if admin_only is None else (
                PermittedUsers.admin_approved if admin_only else PermittedUsers.all_users),
            refresh_token_policy=refresh_policy(app.get("OptionsRefreshTokenValidityMetric"),
                                                app.get("RefreshTokenValidityPeriod")),
            permission_set_ids=None if grants is None else granted.get(app.get("Id") or "", []),
        ))
    return result


def refresh_policy(by_last_use: Any, period: Any) -> RefreshTokenPolicy | None:
    """The refresh token policy as far as SOQL shows it. ConnectedApplication has a validity period
    (null unless the policy expires tokens after a time) and whether it counts from the last use.
    "Valid until revoked" and "immediately expire" both leave the period null, so a null period
    tells nothing: the policy then stays not collected, for the Metadata API or a person."""
    if whole_number(period) is None or not isinstance(by_last_use, bool):
        return None
    return RefreshTokenPolicy.specific_inactivity if by_last_use else RefreshTokenPolicy.specific_lifetime


def permission_sets(records: list[Record]) -> list[PermissionSet]:
    return [PermissionSet(
        id=record["Id"], name=record["Name"], label=text(record.get("Label")),
        namespace_prefix=text(record.get("NamespacePrefix")),
        is_owned_by_profile=record.get("IsOwnedByProfile") is True,
        profile_name=text(related(record, "Profile.Name")),
    ) for record in records if text(record.get("Id")) and text(record.get("Name"))]


def permission_set_groups(groups: list[Record], members: list[Record]) -> list[PermissionSetGroup]:
    by_group: dict[str, list[str]] = {}
    for member in members:
        if text(member.get("PermissionSetGroupId")) and text(member.get("PermissionSetId")):
            by_group.setdefault(member["PermissionSetGroupId"], []).append(member["PermissionSetId"])
    return [PermissionSetGroup(id=group["Id"], name=group["DeveloperName"],
                               permission_set_ids=by_group.get(group["Id"], []))
            for group in groups if text(group.get("Id")) and text(group.get("DeveloperName"))]


def assignments(records: list[Record]) -> list[PermissionSetAssignment]:
    return [PermissionSetAssignment(
        assignee_id=record["AssigneeId"], permission_set_id=text(record.get("PermissionSetId")),
        permission_set_group_id=text(record.get("PermissionSetGroupId")),
        expiration_date=timestamp(record.get("ExpirationDate")),
    ) for record in records if text(record.get("AssigneeId"))]


def users(records: list[Record], frozen_ids: set[str] | None) -> list[SalesforceUser]:
    result = []
    for record in _identified(records, "User"):
        if not text(record.get("Username")):
            raise ApiError(f"User {record['Id']}: no Username")
        user_id = record["Id"]
        result.append(SalesforceUser(
            id=user_id, username=record["Username"], name=text(record.get("Name")),
            email=text(record.get("Email")), is_active=flag(record.get("IsActive")),
            # every user has a UserLogin row; only frozen ones were asked for
            is_frozen=None if frozen_ids is None else user_id in frozen_ids,
            user_license=text(related(record, "Profile.UserLicense.Name")),
            profile_name=text(related(record, "Profile.Name")),
            marketing_user=flag(record.get("UserPermissionsMarketingUser")),
            mc_appexchange_user=flag(record.get(q.MCC_USER_FIELD)),
            mc_appexchange_admin=flag(record.get(q.MCC_ADMIN_FIELD)),
        ))
    return result


def frozen_user_ids(records: list[Record]) -> set[str]:
    """The users UserLogin shows frozen (the query asks only for frozen ones)."""
    return {record["UserId"] for record in records if text(record.get("UserId"))}


def connector_business_units(records: list[Record]) -> list[ConnectorBusinessUnit]:
    units = []
    for record in records:
        mid = whole_number(record.get(q.BUSINESS_UNIT_MID))
        if mid is None:  # a unit we cannot name by MID would vanish from every check
            raise ApiError(f"{q.BUSINESS_UNIT_OBJECT} {record.get('Id')}: no MID in {q.BUSINESS_UNIT_MID} "
                           f"({_shown(record.get(q.BUSINESS_UNIT_MID))})")
        units.append(ConnectorBusinessUnit(mid=mid, name=text(record.get("Name")),
                                           enabled=flag(record.get(q.BUSINESS_UNIT_ENABLED)),
                                           is_parent=flag(record.get(q.BUSINESS_UNIT_IS_PARENT))))
    return units


def connector_settings(records: list[Record]) -> dict[str, Any]:
    """MccConnector fields from the package's Configuration record (one is expected; with none the
    fields stay not collected, with several the first one's are taken, as the package reads one)."""
    if not records:
        return {}
    first = records[0]
    automation = text(first.get(q.CONFIG_AUTOMATION_OBJECTS))
    endpoints = {name: text(first.get(field)) for name, field in
                 (("auth", q.CONFIG_AUTH_URL), ("rest", q.CONFIG_REST_URL), ("soap", q.CONFIG_SOAP_URL))}
    return {
        "parent_account_mid": whole_number(first.get(q.CONFIG_PARENT_MID)),
        "endpoints": Endpoints(**endpoints) if any(endpoints.values()) else None,
        "automation_objects": None if automation is None else [
            name.strip() for name in automation.split(";") if name.strip()],
    }


# et4ae5__SendDefinition__c.et4ae5__SendStatus__c, all 13 picklist values (API catalog), compared
# ignoring case -> what the send is doing. Anything else is kept as text with status `unknown`.
SEND_STATUSES = {
    "new": ScheduledSendStatus.new,
    "scheduled": ScheduledSendStatus.scheduled,
    "send queued": ScheduledSendStatus.in_progress,
    "submitted": ScheduledSendStatus.in_progress,
    "processing": ScheduledSendStatus.in_progress,
    "processing data": ScheduledSendStatus.in_progress,
    "sending": ScheduledSendStatus.in_progress,
    "paused": ScheduledSendStatus.paused,
    "completed": ScheduledSendStatus.completed,
    "pending tracking subscription": ScheduledSendStatus.completed,  # sent; the package shows "completed"
    "canceled": ScheduledSendStatus.canceled,
    "failed": ScheduledSendStatus.failed,
    "deleted": ScheduledSendStatus.deleted,
}


def send_status(raw: str | None) -> ScheduledSendStatus:
    return SEND_STATUSES.get((raw or "").strip().casefold(), ScheduledSendStatus.unknown)


def scheduled_sends(definitions: list[Record], automated: list[Record]) -> list[ScheduledSend]:
    sends = []
    for record in _identified(definitions, q.SEND_DEFINITION_OBJECT):
        raw = text(record.get(q.SEND_STATUS))
        sends.append(ScheduledSend(id=record["Id"], name=text(record.get("Name")), kind="send_definition",
                                   status=send_status(raw), status_value=raw,
                                   scheduled_at=timestamp(record.get(q.SEND_SCHEDULED_AT))))
    for record in _identified(automated, q.AUTOMATED_SEND_OBJECT):
        active = flag(record.get(q.AUTOMATED_SEND_ACTIVE))
        status = (ScheduledSendStatus.unknown if active is None
                  else ScheduledSendStatus.in_progress if active else ScheduledSendStatus.paused)
        sends.append(ScheduledSend(id=record["Id"], name=text(record.get("Name")), kind="automated_send",
                                   status=status))
    return sends


def system_user_candidates(tokens: list[Record] | None, holders: set[str] | None,
                           users: list[SalesforceUser] | None) -> list[SystemUserCandidate] | None:
    """Users the org's records tie to the connector: OAuth tokens for its app (OauthToken rows) and
    the package's System User permission set. None when neither could be read."""
    if tokens is None and holders is None:
        return None
    usernames = {user.id: user.username for user in users or []}
    grouped: dict[str, list[Record]] = {}
    for token in tokens or []:
        if (user_id := text(token.get("UserId"))) is not None:
            grouped.setdefault(user_id, []).append(token)
    candidates = []
    for user_id in sorted(set(grouped) | (holders or set())):
        held = grouped.get(user_id, [])
        uses = [count for token in held if (count := whole_number(token.get("UseCount"))) is not None]
        last = [moment for token in held if (moment := timestamp(token.get("LastUsedDate"))) is not None]
        candidates.append(SystemUserCandidate(
            user_id=user_id, username=usernames.get(user_id),
            oauth_tokens=None if tokens is None else len(held),
            oauth_use_count=sum(uses) if uses else (None if tokens is None or held else 0),
            oauth_last_used=max(last) if last else None,
            holds_system_user_permission_set=None if holders is None else user_id in holders))
    return candidates


def inferred_system_user(candidates: list[SystemUserCandidate] | None) -> SystemUserCandidate | None:
    """The one user the evidence points to, if exactly one does: the only holder of OAuth tokens for
    the app, or the only token holder that also holds the System User permission set. An inference,
    labelled as such wherever it is shown; with scope by user every connected user holds tokens."""
    holding = [candidate for candidate in candidates or [] if candidate.oauth_tokens]
    if len(holding) == 1:
        return holding[0]
    assigned = [candidate for candidate in holding if candidate.holds_system_user_permission_set]
    return assigned[0] if len(assigned) == 1 else None


def _identified(records: list[Record], what: str) -> list[Record]:
    """Records that have an Id; a record without one cannot be named, so the read fails instead."""
    missing = sum(1 for record in records if not text(record.get("Id")))
    if missing:
        raise ApiError(f"{what}: {missing} record(s) without an Id")
    return records


def _shown(value: Any) -> str:
    return "empty" if value in (None, "") else f"'{str(value)[:40]}'"


def package_version(records: Iterable[Record]) -> str | None:
    for record in records:
        if str(related(record, "SubscriberPackage.NamespacePrefix") or "").lower() == q.MCC_NAMESPACE:
            major = whole_number(related(record, "SubscriberPackageVersion.MajorVersion"))
            minor = whole_number(related(record, "SubscriberPackageVersion.MinorVersion"))
            if major is not None:
                return f"{major}.{minor or 0}"
    return None


# -- the org, its limits and OAuth grants ------------------------------------------------------------

def organization(records: list[Record]) -> Organization | None:
    if not records or not text(records[0].get("Id")):
        return None
    row = records[0]
    return Organization(id=row["Id"], name=text(row.get("Name")), is_sandbox=flag(row.get("IsSandbox")),
                        trial_expiration_date=timestamp(row.get("TrialExpirationDate")),
                        organization_type=text(row.get("OrganizationType")),
                        instance_name=text(row.get("InstanceName")))


def api_limits(answer: Any) -> list[ApiLimit]:
    """REST /limits: every key whose value has a whole Max and Remaining (nested per-app entries and
    anything else are left out)."""
    if not isinstance(answer, dict):
        raise ApiError("/limits answered without a JSON object")
    limits = []
    for name, value in sorted(answer.items()):
        if not isinstance(value, dict):
            continue
        most, left = whole_number(value.get("Max")), whole_number(value.get("Remaining"))
        if isinstance(name, str) and name and most is not None and most >= 0 and left is not None:
            limits.append(ApiLimit(name=name, max=most, remaining=left))
    return limits


def oauth_grants(tokens: list[Record], app_name: str) -> list[OauthGrants]:
    """The app's OauthToken rows counted per user, with the latest use."""
    grouped: dict[str, list[Record]] = {}
    for token in tokens:
        if (user_id := text(token.get("UserId"))) is not None:
            grouped.setdefault(user_id, []).append(token)
    grants = []
    for user_id, held in sorted(grouped.items()):
        used = [moment for token in held if (moment := timestamp(token.get("LastUsedDate"))) is not None]
        grants.append(OauthGrants(user_id=user_id, app_name=app_name, tokens=len(held),
                                  last_used=max(used) if used else None))
    return grants


# -- triggers, flows and automated sends ---------------------------------------------------------------

HIDDEN_BODY = "(hidden)"  # what ApexTrigger.Body holds for a managed package's trigger
# comments go, string literals stay (a '//' inside a string is not a comment)
_APEX_NOISE = re.compile(r"'(?:\\.|[^'\\])*'|/\*.*?\*/|//[^\n]*", re.DOTALL)
# Apex is case-insensitive and allows whitespace around the dots
_TRIGGER_UTILITY = re.compile(r"\bet4ae5\s*\.\s*triggerUtility\s*\.\s*automate\s*\(", re.IGNORECASE)
_TRIGGER_HEADER = re.compile(r"\btrigger\s+\w+\s+on\s+(\w+)\s*\(", re.IGNORECASE)
_RECORD_ID = re.compile(r"^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$")


def _without_comments(body: str) -> str:
    return _APEX_NOISE.sub(lambda found: found.group(0) if found.group(0).startswith("'") else " ", body)


def calls_trigger_utility(body: Any) -> bool | None:
    """Whether a trigger body calls et4ae5.triggerUtility.automate outside comments; None when the
    body is hidden (a managed package's) or absent."""
    if not isinstance(body, str) or not body.strip() or body.strip() == HIDDEN_BODY:
        return None
    return _TRIGGER_UTILITY.search(_without_comments(body)) is not None


def trigger_object(table: str | None, body: Any) -> str | None:
    """The object a trigger is on: TableEnumOrId is the name for a standard object but an Id for a
    custom one, whose name the trigger's own header (`trigger X on Obj__c (...)`) then gives."""
    if table is not None and not _RECORD_ID.match(table):
        return table
    if isinstance(body, str) and body.strip() != HIDDEN_BODY:
        header = _TRIGGER_HEADER.search(_without_comments(body))
        if header:
            return header.group(1)
    return table


def apex_triggers(records: list[Record], objects: set[str] | None) -> list[ApexTrigger]:
    """Triggers on `objects` (compared ignoring case; None keeps every trigger). Each body is read
    here and dropped: only whether it calls the trigger utility is kept."""
    wanted = None if objects is None else {name.casefold() for name in objects}
    triggers = []
    for record in records:
        name, status = text(record.get("Name")), text(record.get("Status"))
        body = record.pop("Body", None)
        on = trigger_object(text(record.get("TableEnumOrId")), body)
        if name is None or status is None or on is None or (wanted is not None and on.casefold() not in wanted):
            continue
        triggers.append(ApexTrigger(
            id=text(record.get("Id")), name=name, object=on, status=ApexTriggerStatus(status),
            namespace_prefix=text(record.get("NamespacePrefix")),
            after_insert=flag(record.get("UsageAfterInsert")), after_update=flag(record.get("UsageAfterUpdate")),
            calls_trigger_utility=calls_trigger_utility(body)))
    return triggers


def journey_flows(records: list[Record]) -> list[JourneyFlow]:
    return [JourneyFlow(api_name=record["ApiName"], label=text(record.get("Label")),
                        is_active=flag(record.get("IsActive")), process_type=text(record.get("ProcessType")),
                        active_version_id=text(record.get("ActiveVersionId")))
            for record in records if text(record.get("ApiName"))]


def automated_sends(records: list[Record]) -> list[AutomatedSend]:
    return [AutomatedSend(
        id=record["Id"], name=text(record.get("Name")), object=text(record.get(q.AUTOMATED_SEND_OBJECT_NAME)),
        action=text(record.get(q.AUTOMATED_SEND_ACTION)), active=flag(record.get(q.AUTOMATED_SEND_ACTIVE)),
        business_unit_id=text(record.get(q.AUTOMATED_SEND_UNIT)),
        definition_id=text(record.get(q.AUTOMATED_SEND_DEFINITION)),
        email_name=text(record.get(q.AUTOMATED_SEND_EMAIL)),
        hours_delayed=whole_number(record.get(q.AUTOMATED_SEND_DELAY)),
    ) for record in _identified(records, q.AUTOMATED_SEND_OBJECT)]
