"""Carry hand-maintained parts into a collected snapshot (`collect --merge FILE`, `--attestations FILE`).

No API returns some parts of a snapshot: the AEP destinations (`aep`), the declared API
integrations (`integrations`), attestations, a few Marketing Cloud facts (the edition's custom
attribute limit, Setup > Security Settings, which attribute sets a role may use) and the MCC
connector's settings chosen in Marketing Cloud (the Salesforce System User, scope by user, whether
it is connected). A team keeps them in a merge file, a partial snapshot validated by
`Declarations`, and merges it into every collection.

What is already in the snapshot always wins: a value an API returned is never overwritten, nor one
an earlier merge file gave. A merged value that contradicts it is dropped with one warning line
naming the field. Merging the same file again changes nothing. The one exception is an inferred
System User: a person's word replaces mcaudit's guess.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pydantic import Field, field_validator, model_validator

from mcaudit.collectors.attestations import load_attestations
from mcaudit.snapshot import Attestation, Snapshot
from mcaudit.snapshot.aep import Aep
from mcaudit.snapshot.integrations import DeclaredIntegration
from mcaudit.snapshot.loader import load_model
from mcaudit.snapshot.marketing_cloud import MarketingCloud, Role, SecuritySettings
from mcaudit.snapshot.salesforce import Salesforce, SalesforceUser, SystemUserSource, UserRef
from mcaudit.snapshot.types import Bool, Int, Model, NonEmptyStr, Str

log = logging.getLogger("mcaudit.collect.merge")
FORMAT_HELP = ("a merge file holds attestations, aep, integrations, marketing_cloud with "
               "custom_attribute_limit, security and roles, and salesforce.mcc_connector with system_user, "
               "scope_by_user and connected; see `mcaudit schema` for each part")
# top-level keys of a snapshot that a merge file never has
SNAPSHOT_ONLY = frozenset({"schema_version", "collected_at", "source", "collection"})
T = TypeVar("T")
M = TypeVar("M", bound=Model)


class RoleAccess(Model):
    """Which Contact Builder attribute sets a role may use, joined to a collected role by key or name."""

    key: NonEmptyStr | None = Field(default=None, description="Role.CustomerKey, e.g. SYS_DEF_IMHADMIN")
    name: NonEmptyStr | None = Field(default=None, description="Role.Name, when the key is not known")
    attribute_set_access: list[Str] = Field(description="attribute sets the role may use, e.g. Email")

    @model_validator(mode="after")
    def _named(self) -> RoleAccess:
        if self.key is None and self.name is None:
            raise ValueError("a role needs its key or its name")
        return self

    def label(self) -> str:
        return str(self.key or self.name)


class HandKeptMarketingCloud(Model):
    """The Marketing Cloud facts a merge file may give: only those no collector reads."""

    custom_attribute_limit: Int | None = Field(default=None, description="the edition's custom fields per object")
    security: SecuritySettings | None = Field(default=None, description="Setup > Security Settings")
    roles: list[RoleAccess] = Field(default_factory=list)

    @field_validator("roles")
    @classmethod
    def _distinct_roles(cls, roles: list[RoleAccess]) -> list[RoleAccess]:
        _distinct([role.key for role in roles if role.key], "role key")
        _distinct([role.name for role in roles if role.name], "role name")
        return roles


class HandKeptConnector(Model):
    """The MCC connector settings chosen in Marketing Cloud, which the package does not store."""

    system_user: UserRef | None = Field(default=None, description="the Salesforce System User (username or Id)")
    scope_by_user: Bool | None = None
    connected: Bool | None = None


class HandKeptSalesforce(Model):
    mcc_connector: HandKeptConnector


class Declarations(Model):
    """A merge file: the hand-maintained parts of a snapshot, each optional."""

    attestations: list[Attestation] = Field(default_factory=list)
    aep: Aep | None = Field(default=None, description="Adobe Experience Platform destinations")
    integrations: list[DeclaredIntegration] | None = Field(default=None, description="declared API integrations")
    marketing_cloud: HandKeptMarketingCloud | None = None
    salesforce: HandKeptSalesforce | None = None

    @model_validator(mode="before")
    @classmethod
    def _not_a_snapshot(cls, data: Any) -> Any:
        if isinstance(data, dict) and not SNAPSHOT_ONLY.isdisjoint(data):
            raise ValueError("a whole snapshot, not a merge file (only the hand-maintained parts: "
                             "attestations, aep, integrations, marketing_cloud facts, "
                             "salesforce.mcc_connector settings); "
                             "--attestations FILE takes a snapshot's attestations")
        return data

    @field_validator("aep")
    @classmethod
    def _distinct_destinations(cls, aep: Aep | None) -> Aep | None:
        _distinct([destination.name for destination in aep.destinations] if aep else [], "destination name")
        return aep

    @field_validator("integrations")
    @classmethod
    def _distinct_integrations(cls, integrations: list[DeclaredIntegration] | None) -> (
            list[DeclaredIntegration] | None):
        _distinct([integration.name for integration in integrations or []], "integration name")
        return integrations


def _distinct(names: Iterable[str], what: str) -> None:
    """Names are the join keys: two entries with one name (ignoring case) could not both be merged."""
    seen: set[str] = set()
    for name in names:
        if name.casefold() in seen:
            raise ValueError(f"{what} {json.dumps(name)} is given twice (names are compared ignoring case)")
        seen.add(name.casefold())


@dataclass(frozen=True)
class MergeFile:
    path: str
    declarations: Declarations


def load_merge_file(path: Path) -> MergeFile:
    """A merge file (YAML or JSON), validated like any snapshot: InputError with file, line and field."""
    return MergeFile(str(path), load_model(path, Declarations, format_help=FORMAT_HELP))


def attestations_file(path: Path) -> MergeFile:
    """`--attestations FILE`: only the attestations of a list, a merge file or a whole snapshot."""
    return MergeFile(str(path), Declarations(attestations=list(load_attestations(path))))


def merge(snapshot: Snapshot, files: Sequence[MergeFile]) -> Snapshot:
    """`snapshot` with each file's parts added in order; what is already there wins."""
    merger = _Merger()
    for file in files:
        snapshot = merger.apply(snapshot, file)
    return snapshot


@dataclass
class _Merger:
    # field -> the merge file that filled it, to tell a collected value from an earlier file's
    filled_by: dict[str, str] = field(default_factory=dict)

    def apply(self, snapshot: Snapshot, file: MergeFile) -> Snapshot:
        given = file.declarations
        # an attestation given twice (say, to --attestations and to --merge) counts once
        update: dict[str, Any] = {"attestations": _unique([*snapshot.attestations, *given.attestations])}
        if given.aep is not None:
            current = snapshot.aep.destinations if snapshot.aep else []
            update["aep"] = Aep(destinations=self._union(
                current, given.aep.destinations, lambda item: item.name, "aep.destinations", "destination", file))
        if given.integrations is not None:
            update["integrations"] = self._union(
                snapshot.integrations or [], given.integrations, lambda item: item.name, "integrations",
                "integration", file)
        if given.marketing_cloud is not None:
            update["marketing_cloud"] = self._marketing_cloud(snapshot.marketing_cloud, given.marketing_cloud, file)
        if given.salesforce is not None:
            update["salesforce"] = self._salesforce(snapshot.salesforce, given.salesforce.mcc_connector, file)
        return snapshot.model_copy(update=update)

    def _salesforce(self, current: Salesforce | None, given: HandKeptConnector, file: MergeFile) -> Salesforce | None:
        connector = current.mcc_connector if current else None
        if current is None or connector is None:
            log.warning("salesforce.mcc_connector: not collected, so %s's connector settings were not merged",
                        file.path)
            return current
        update: dict[str, Any] = {name: self._value(f"salesforce.mcc_connector.{name}", getattr(connector, name),
                                                    getattr(given, name), file)
                                  for name in ("scope_by_user", "connected") if getattr(given, name) is not None}
        if given.system_user is not None:
            stated = _joined(given.system_user, current.users)
            if connector.system_user_source is SystemUserSource.inferred:
                connector = connector.model_copy(update={"system_user": None, "system_user_source": None})
            kept = self._value("salesforce.mcc_connector.system_user", connector.system_user, stated, file)
            update["system_user"] = kept
            if connector.system_user is None:
                update["system_user_source"] = SystemUserSource.declared
        return current.model_copy(update={"mcc_connector": connector.model_copy(update=update)})

    def _union(self, current: list[T], given: list[T], name: Callable[[T], str], where: str, what: str,
               file: MergeFile) -> list[T]:
        """Entries joined on their name, ignoring case: new ones are added, a different one is dropped."""
        result = list(current)
        for item in given:
            if item in result:
                continue
            same = next((entry for entry in result if name(entry).casefold() == name(item).casefold()), None)
            if same is None:
                result.append(item)
                self.filled_by[f"{where}[{_quote(name(item))}]"] = file.path
                continue
            self._contradiction(f"{where}[{_quote(name(same))}]", f"the {what}", "a different one", file)
        return result

    def _marketing_cloud(self, current: MarketingCloud | None, given: HandKeptMarketingCloud,
                         file: MergeFile) -> MarketingCloud | None:
        if current is None:
            if given.model_dump(exclude_defaults=True):
                log.warning("marketing_cloud: not collected, so %s's custom_attribute_limit, security and roles "
                            "were not merged", file.path)
            return current
        update: dict[str, Any] = {}
        if given.custom_attribute_limit is not None:
            update["custom_attribute_limit"] = self._value(
                "marketing_cloud.custom_attribute_limit", current.custom_attribute_limit,
                given.custom_attribute_limit, file)
        if given.security is not None and given.security.model_dump(exclude_none=True):
            update["security"] = self._fields(
                "marketing_cloud.security", current.security or SecuritySettings(), given.security, file)
        if given.roles:
            update["roles"] = self._roles(current.roles, given.roles, file)
        return current.model_copy(update=update)

    def _fields(self, where: str, current: M, given: M, file: MergeFile) -> M:
        """Fill each field of `current` that is null from `given`."""
        update = {name: self._value(f"{where}.{name}", getattr(current, name), getattr(given, name), file)
                  for name in type(given).model_fields if getattr(given, name) is not None}
        return current.model_copy(update=update)

    def _roles(self, current: list[Role] | None, given: list[RoleAccess], file: MergeFile) -> list[Role] | None:
        if current is None:
            log.warning("marketing_cloud.roles: not collected, so %s's attribute_set_access of %d role(s) "
                        "was not merged", file.path, len(given))
            return current
        roles = list(current)
        for access in given:
            index = _find_role(roles, access)
            if index is None:
                log.warning("marketing_cloud.roles: no collected role has the key or name %s; its "
                            "attribute_set_access in %s was not merged", _quote(access.label()), file.path)
                continue
            role = roles[index]
            where = f"marketing_cloud.roles[{_quote(role.key or role.name)}].attribute_set_access"
            roles[index] = role.model_copy(update={"attribute_set_access": self._value(
                where, role.attribute_set_access, access.attribute_set_access, file)})
        return roles

    def _value(self, where: str, current: T | None, given: T, file: MergeFile) -> T | None:
        if current is None:
            self.filled_by[where] = file.path
            return given
        if current != given:
            self._contradiction(where, _show(current), _show(given), file)
        return current

    def _contradiction(self, where: str, kept: str, dropped: str, file: MergeFile) -> None:
        log.warning("%s: kept %s (%s), ignored %s (%s)", where, kept, self.filled_by.get(where, "collected"),
                    dropped, file.path)


def _joined(ref: UserRef, users: list[SalesforceUser] | None) -> UserRef:
    """The reference completed from the collected users (by Id, else by username ignoring case)."""
    for user in users or []:
        if (ref.id and ref.id[:15] == user.id[:15]) or (
                ref.username and ref.username.casefold() == user.username.casefold()):
            return UserRef(id=user.id, username=user.username)
    return ref


def _find_role(roles: list[Role], access: RoleAccess) -> int | None:
    """The role with the key (ignoring case), else the one with the name (ignoring case)."""
    keys = [role.key.casefold() if role.key else None for role in roles]
    if access.key is not None and access.key.casefold() in keys:
        return keys.index(access.key.casefold())
    names = [role.name.casefold() for role in roles]
    if access.name is not None and access.name.casefold() in names:
        return names.index(access.name.casefold())
    return None


def _unique(items: list[T]) -> list[T]:
    result: list[T] = []
    for item in items:
        if item not in result:
            result.append(item)
    return result


def _quote(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _show(value: object) -> str:
    if isinstance(value, Model):
        value = value.model_dump(mode="json", exclude_none=True)
    elif isinstance(value, list):
        value = [item.model_dump(mode="json", exclude_none=True) if isinstance(item, Model) else item
                 for item in value]
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 80 else text[:77] + "..."
