"""What the emulated Marketing Cloud account holds, derived from a snapshot: SOAP objects (as
nested dicts in the element order of the SOAP API), REST journeys and event definitions, and contact
attribute set definitions."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from mcaudit.apicatalog import retrievable_properties
from mcaudit.snapshot import Snapshot
from mcaudit.snapshot.contacts import AttributeSet
from mcaudit.snapshot.marketing_cloud import MarketingCloud
from mcaudit.snapshot.sending import EntrySource, Journey

SoapObject = dict[str, Any]
# the SOAP API answers dateTimes without an offset, in US Central Standard Time
SOAP_SERVER_TIME = timezone(timedelta(hours=-6))
# what each SOAP object lets a Retrieve ask for, from the API catalog; anything else is an error, as
# the API answers
RETRIEVABLE = {name: retrievable_properties(name) for name in
               ("BusinessUnit", "Role", "AccountUser", "AccountUserAccount", "TriggeredSendDefinition")}


@dataclass
class AccountData:
    soap: dict[str, list[SoapObject]] = field(default_factory=dict)
    journeys: list[dict[str, Any]] = field(default_factory=list)  # list items (with stats)
    details: dict[str, dict[str, Any]] = field(default_factory=dict)  # id -> detail with triggers
    event_definitions: list[dict[str, Any]] = field(default_factory=list)
    attribute_sets: list[dict[str, Any]] = field(default_factory=list)  # each set with all its attributes
    refused: set[str] = field(default_factory=set)  # SOAP objects / "journeys" / "attribute_sets" left absent


def account_user_id(position: int, given: int | None) -> int:
    return given if given is not None else 700_000_000 + position


def journey_id(journey: Journey) -> str:
    return journey.id or str(uuid.uuid5(uuid.NAMESPACE_URL, f"journey:{journey.key}:{journey.version}"))


def event_key(journey: Journey) -> str | None:
    """Every real entry event has a key; a snapshot may leave it out, so the emulator makes one up."""
    source = journey.entry_source
    if source is None:
        return None
    return source.event_definition_key or f"{source.type.value}-{uuid.uuid5(uuid.NAMESPACE_URL, journey.key)}"


def event_id(key: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"event:{key}"))


def soap_time(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(SOAP_SERVER_TIME).replace(tzinfo=None).isoformat()


def account(snapshot: Snapshot, *, entry_hints: bool = True, stale_entry_keys: bool = False) -> AccountData:
    mc = snapshot.marketing_cloud
    assert mc is not None, "emulating Marketing Cloud needs a marketing_cloud section"
    data = AccountData(soap={
        "BusinessUnit": _business_units(mc),
        "Role": [{"CustomerKey": role.key, "Name": role.name, "IsSystemDefined": role.is_system_defined}
                 for role in mc.roles or []],
        "AccountUser": _users(mc),
        "AccountUserAccount": [
            {"AccountUser": {"AccountUserID": account_user_id(i, user.account_user_id), "Delete": 0},
             "Account": {"ID": mid, "AccountType": "None"}}
            for i, user in enumerate(mc.users or []) for mid in user.business_unit_mids or []],
        "TriggeredSendDefinition": [
            {"Client": {"ID": send.business_unit_mid} if send.business_unit_mid else None,
             "ID": send.id, "ObjectID": send.object_id,
             "CustomerKey": send.key, "Name": send.name, "TriggeredSendStatus": send.status.value}
            for send in mc.triggered_sends or []],
    })
    definitions: dict[str, dict[str, Any]] = {}
    for journey in mc.journeys or []:
        key = event_key(journey)
        if journey.entry_source is not None and key is not None:
            definitions.setdefault(key, _event_definition(journey.entry_source, key))
        data.journeys.append(_journey_item(journey, key if entry_hints else None))
        data.details[journey_id(journey)] = {
            **_journey_item(journey, None),
            "triggers": [] if journey.entry_source is None or key is None else [{
                "key": "TRIGGER", "type": journey.entry_source.type.value,
                # Journey Builder keeps the id current; a renamed event can leave the key stale
                "metaData": {"eventDefinitionId": event_id(key),
                             "eventDefinitionKey": f"{key}-stale" if stale_entry_keys else key}}],
        }
    data.event_definitions = list(definitions.values())
    data.attribute_sets = [_attribute_set(position, attribute_set)
                           for position, attribute_set in enumerate(mc.attribute_sets or [])]
    # a section the snapshot lacks (its collection failed) is served as a refusal, so it fails again
    for section, name in (("business_units", "BusinessUnit"), ("users", "AccountUser"), ("roles", "Role"),
                          ("triggered_sends", "TriggeredSendDefinition"), ("journeys", "journeys"),
                          ("attribute_sets", "attribute_sets")):
        if getattr(mc, section) is None:
            data.refused.add(name)
    return data


def _business_units(mc: MarketingCloud) -> list[SoapObject]:
    units = mc.business_units or []
    top = next((unit.mid for unit in units if unit.is_top_level), mc.mid)
    return [{"ID": unit.mid, "CustomerKey": f"BU-{unit.mid}", "Name": unit.name,
             "ParentID": 0 if unit.is_top_level or (unit.parent_mid is None and unit.mid == top)
             else unit.parent_mid or top,
             "IsActive": 0 if unit.is_active is False else 1}
            for unit in units]


def _users(mc: MarketingCloud) -> list[SoapObject]:
    roles = {name.casefold(): role for role in mc.roles or [] for name in (role.name, role.key) if name}
    users = []
    for i, user in enumerate(mc.users or []):
        user_id = account_user_id(i, user.account_user_id)
        users.append({
            "Client": {"ID": mc.mid}, "CustomerKey": f"user-{user_id}", "AccountUserID": user_id,
            "UserID": user.username, "Name": user.name, "Email": user.email,
            "MustChangePassword": user.must_change_password, "ActiveFlag": user.active, "Delete": 0,
            "LastSuccessfulLogin": soap_time(user.last_successful_login), "IsAPIUser": user.is_api_user,
            "IsLocked": user.is_locked, "DefaultBusinessUnit": user.default_business_unit,
            "Locale": {"LocaleCode": "en-US"},  # served, though the packaged WSDL leaves it out
            "Roles": None if user.roles is None else {"Role": [
                _role(roles.get(name.casefold()), name) for name in user.roles]},
        })
    return users


def _role(role: Any, name: str) -> SoapObject:
    if role is None:
        return {"Name": name}
    return {"CustomerKey": role.key, "Name": role.name, "IsSystemDefined": role.is_system_defined}


def _journey_item(journey: Journey, hint_key: str | None) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": journey_id(journey), "key": journey.key, "name": journey.name or journey.key,
        "version": journey.version, "status": journey.status.value, "definitionId": journey_id(journey),
        "entryMode": "MultipleEntries", "definitionType": "Multistep",
    }
    if journey.population is not None:
        item["stats"] = {"currentPopulation": journey.population, "cumulativePopulation": journey.population}
    if hint_key is not None:
        # Journey Builder writes the entry event into the defaults; the collector reads it from here
        item["defaults"] = {"email": [f'{{{{Event.{hint_key}."Email"}}}}']}
    return item


def _event_definition(source: EntrySource, key: str) -> dict[str, Any]:
    definition: dict[str, Any] = {
        "id": event_id(key), "type": source.type.value,
        "name": key, "eventDefinitionKey": key, "mode": "Production",
    }
    if source.schema_fields is not None:
        definition["schema"] = {"fields": [{"name": name, "dataType": "Text"} for name in source.schema_fields]}
    if source.salesforce_object:
        definition["configurationArguments"] = {"objectAPIName": source.salesforce_object}
    return definition


def _attribute_set(position: int, attribute_set: AttributeSet) -> dict[str, Any]:
    """A list item of /contacts/v1/attributeSetDefinitions, with only what the snapshot says (an
    unknown type, length or origin is left out, as the API leaves out what does not apply)."""
    set_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"attribute-set:{position}:{attribute_set.key or attribute_set.name}"))
    item: dict[str, Any] = {"id": set_id, "name": {"value": attribute_set.name},
                            "fullyQualifiedName": attribute_set.name, "isRoot": False, "isSendable": False}
    if attribute_set.key is not None:
        item["key"] = attribute_set.key
    attributes = []
    for index, attribute in enumerate(attribute_set.attributes or []):
        served: dict[str, Any] = {
            "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"attribute:{set_id}:{index}")), "key": attribute.name,
            "name": {"value": attribute.name}, "fullyQualifiedName": f"{attribute_set.name}.{attribute.name}",
            "isPrimaryKey": False, "isNullable": True, "displayOrder": index,
        }
        if attribute.data_type is not None:
            served["dataType"] = attribute.data_type
        if attribute.length is not None:
            served["length"] = attribute.length
        if attribute.is_custom is not None:
            served["isSystemDefined"] = not attribute.is_custom
        attributes.append(served)
    item["attributes"] = attributes
    return item
