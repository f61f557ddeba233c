"""Turn SOQL records into snapshot models. Values are taken as they come; a missing or null value
stays null (not collected), and nothing is inferred from its absence."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime, timezone
from typing import Any

from mcaudit.collectors.salesforce import queries as q
from mcaudit.collectors.salesforce.soql import Record
from mcaudit.snapshot.salesforce import (
    ConnectedApp,
    ConnectorBusinessUnit,
    PermissionSet,
    PermissionSetAssignment,
    PermissionSetGroup,
    PermittedUsers,
    SalesforceUser,
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
            permission_set_ids=None if grants is None else granted.get(app.get("Id") or "", []),
        ))
    return result


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
    for record in records:
        if not (text(record.get("Id")) and text(record.get("Username"))):
            continue
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


def connector_business_units(records: list[Record]) -> list[ConnectorBusinessUnit]:
    units = []
    for record in records:
        mid = whole_number(record.get(q.BUSINESS_UNIT_MID))
        if mid is not None:
            units.append(ConnectorBusinessUnit(mid=mid, name=text(record.get("Name"))))
    return units


# et4ae5__SendDefinition__c status values, folded (lower case, letters only) -> snapshot status
SEND_STATUSES = {
    "scheduled": ScheduledSendStatus.scheduled,
    "inprogress": ScheduledSendStatus.in_progress,
    "sending": ScheduledSendStatus.in_progress,
    "paused": ScheduledSendStatus.paused,
    "completed": ScheduledSendStatus.completed,
    "complete": ScheduledSendStatus.completed,
    "sent": ScheduledSendStatus.completed,
    "canceled": ScheduledSendStatus.canceled,
    "cancelled": ScheduledSendStatus.canceled,
    "failed": ScheduledSendStatus.failed,
    "error": ScheduledSendStatus.failed,
}


def scheduled_sends(definitions: list[Record], automated: list[Record]) -> list[ScheduledSend]:
    sends = []
    for record in definitions:
        raw = text(record.get(q.SEND_STATUS))
        status = SEND_STATUSES.get(re.sub(r"[^a-z]", "", (raw or "").lower()))
        if status is None:  # never guess whether an unknown status still sends
            raise ValueError(f"{q.SEND_DEFINITION_OBJECT} {record.get('Id')}: unknown status '{raw}'")
        sends.append(ScheduledSend(id=record["Id"], name=text(record.get("Name")), kind="send_definition",
                                   status=status, scheduled_at=timestamp(record.get(q.SEND_SCHEDULED_AT))))
    for record in automated:
        active = flag(record.get(q.AUTOMATED_SEND_ACTIVE))
        if active is None:
            raise ValueError(f"{q.AUTOMATED_SEND_OBJECT} {record.get('Id')}: no active flag")
        sends.append(ScheduledSend(id=record["Id"], name=text(record.get("Name")), kind="automated_send",
                                   status=ScheduledSendStatus.in_progress if active else ScheduledSendStatus.paused))
    return sends


def package_version(records: Iterable[Record]) -> str | None:
    for record in records:
        if str(related(record, "SubscriberPackage.NamespacePrefix") or "").lower() == q.MCC_NAMESPACE:
            major = whole_number(related(record, "SubscriberPackageVersion.MajorVersion"))
            minor = whole_number(related(record, "SubscriberPackageVersion.MinorVersion"))
            if major is not None:
                return f"{major}.{minor or 0}"
    return None
