"""Turn SOAP objects into snapshot models. Missing values stay null (not collected)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone
from typing import Any

from mcaudit.collectors.problems import ApiError
from mcaudit.snapshot.marketing_cloud import BusinessUnit, MarketingCloudUser, Role
from mcaudit.snapshot.sending import TriggeredSend, TriggeredSendStatus

log = logging.getLogger("mcaudit.collect.marketing_cloud")
# SOAP dateTimes without an offset are in the API's server time, US Central Standard Time (UTC-6)
SOAP_SERVER_TIME = timezone(timedelta(hours=-6))


def value(obj: Any, path: str) -> Any:
    node = obj
    for part in path.split("."):
        node = node.get(part) if isinstance(node, dict) else None
    return node


def items(raw: Any) -> list[Any]:
    """A repeated element: one comes back as itself, several as a list, none as None."""
    if raw is None:
        return []
    return raw if isinstance(raw, list) else [raw]


def text(raw: Any) -> str | None:
    return raw if isinstance(raw, str) and raw != "" else None


def number(raw: Any) -> int | None:
    if isinstance(raw, str) and raw.strip().lstrip("-").isdigit():
        return int(raw)
    return None


def flag(raw: Any) -> bool | None:
    return {"true": True, "false": False, "1": True, "0": False}.get(raw.strip().lower()) \
        if isinstance(raw, str) else None


def soap_time(raw: Any) -> datetime | None:
    if not isinstance(raw, str) or not raw:
        return None
    parsed = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=SOAP_SERVER_TIME)


def business_units(results: list[Any]) -> list[BusinessUnit]:
    units = []
    for result in results:
        mid = number(value(result, "ID"))
        if mid is None:  # a unit without its MID cannot be joined to anything; never drop it quietly
            raise ApiError(f"BusinessUnit {text(value(result, 'Name')) or '(no name)'}: no ID in the Retrieve result")
        parent = number(value(result, "ParentID"))
        top = parent in (None, 0, mid)
        units.append(BusinessUnit(mid=mid, name=text(value(result, "Name")),
                                  parent_mid=None if top else parent, is_top_level=top,
                                  is_active=flag(value(result, "IsActive"))))
    return units


def roles(results: list[Any]) -> list[Role]:
    return [Role(key=text(value(result, "CustomerKey")), name=value(result, "Name"),
                 is_system_defined=flag(value(result, "IsSystemDefined")))
            for result in results if text(value(result, "Name"))]


def user_access(results: list[Any]) -> dict[int, list[int]]:
    """AccountUserAccount rows -> {AccountUserID: [business unit MIDs]}."""
    access: dict[int, list[int]] = {}
    for result in results:
        user_id = number(value(result, "AccountUser.AccountUserID"))
        mid = number(value(result, "Account.ID"))
        if user_id is not None and mid is not None and mid not in access.setdefault(user_id, []):
            access[user_id].append(mid)
    return access


def users(results: list[Any], access: dict[int, list[int]] | None) -> list[MarketingCloudUser]:
    collected = []
    for result in results:
        username = text(value(result, "UserID"))
        if username is None:
            raise ApiError(f"AccountUser {text(value(result, 'AccountUserID')) or '(no AccountUserID)'}: no UserID")
        user_id = number(value(result, "AccountUserID"))
        collected.append(MarketingCloudUser(
            account_user_id=user_id, username=username, name=text(value(result, "Name")),
            email=text(value(result, "Email")), active=flag(value(result, "ActiveFlag")),
            is_locked=flag(value(result, "IsLocked")), is_api_user=flag(value(result, "IsAPIUser")),
            must_change_password=flag(value(result, "MustChangePassword")),
            last_successful_login=soap_time(value(result, "LastSuccessfulLogin")),
            roles=[name for role in items(value(result, "Roles.Role")) if (name := text(value(role, "Name")))],
            business_unit_mids=None if access is None or user_id is None else access.get(user_id, []),
            default_business_unit=number(value(result, "DefaultBusinessUnit")),
            salesforce_integration=None,  # "Salesforce.com Status" has no API: a person confirms it
        ))
    return collected


def triggered_sends(results: list[Any]) -> list[TriggeredSend]:
    sends = []
    for result in results:
        key = text(value(result, "CustomerKey"))
        status = text(value(result, "TriggeredSendStatus"))
        if key is None or status is None:
            raise ApiError(f"TriggeredSendDefinition {key or text(value(result, 'Name')) or '(no key)'}: "
                           f"no {'CustomerKey' if key is None else 'TriggeredSendStatus'}")
        # ObjectID and ID: what the package's automated-send record may name the definition by
        send = TriggeredSend(key=key, object_id=text(value(result, "ObjectID")), id=number(value(result, "ID")),
                             name=text(value(result, "Name")), status=TriggeredSendStatus(status),
                             business_unit_mid=number(value(result, "Client.ID")))
        if not send.status.recognised:
            log.warning("marketing_cloud: triggered send %s has a status this mcaudit does not know (%r): kept "
                        "as it is; rules treat it as unknown", key, status)
        sends.append(send)
    return sends
