"""Read an SFMC DevTools (`mcdev retrieve`) folder into the snapshot's `marketing_cloud` side.

Every fact below comes from the DevTools repository (github.com/Accenture/sfmc-devtools); each
is listed in SOURCES with the file that shows it, and nothing else is read:

- Layout: `retrieve/<credential>/<business unit>/<type>/<key>.<type>-meta.json`, one JSON object per
  file; the parent (enterprise) business unit's folder is `_ParentBU_`, the others are named as in
  .mcdevrc.json (`credentials.<credential>.businessUnits`, name -> MID), which `mcdev init` fills
  from the BusinessUnit names (special characters removed, spaces to `_`).
- `mcdev init` / `mcdev upgrade` also writes the business units themselves, the SOAP BusinessUnit
  rows (Name, ID, ParentName, ParentID, IsActive), to `businessUnits/<credential>.businessUnits.json`.
- Users and roles are retrieved on the parent business unit only.
- A user row is `c__type` "User" or "Installed Package" (an installed package's "app user"); older
  DevTools wrote `type__c`, `AssociatedBusinessUnits__c` and `RoleNamesGlobal__c` instead of
  `c__type`, `c__AssociatedBusinessUnits` and `c__RoleNamesGlobal`, `AccountUserID` and `IsLocked`
  instead of `c__AccountUserID` and `c__IsLocked_readOnly`. Both spellings are read.
- Journeys keep `key`, `name`, `version`, `status` and `triggers`; the entry event is
  `triggers[0].metaData.r__event_key` (older: `eventDefinitionKey`). Event definitions keep
  `eventDefinitionKey`, `type` and `configurationArguments` (the Salesforce object of a
  SalesforceObjectTriggerV2 event is `configurationArguments.objectAPIName`).

A type whose folder is in no business unit leaves its section null (not collected, so rules say
unknown). A business unit without a type's folder has none of that type: DevTools writes no folder
for a type with nothing in it. Installed-package rows are not users: they are left out, and counted
in the collection record.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from mcaudit import __version__
from mcaudit.errors import InputError
from mcaudit.imports.fields import Item, json_type, read_json, soap_timestamp
from mcaudit.snapshot.marketing_cloud import BusinessUnit, MarketingCloud, MarketingCloudUser, Role
from mcaudit.snapshot.meta import Collection, CollectorRun, CollectorStatus, SnapshotSource
from mcaudit.snapshot.model import SCHEMA_VERSION, Snapshot
from mcaudit.snapshot.sending import (
    EntrySource,
    EntrySourceType,
    Journey,
    JourneyStatus,
    TriggeredSend,
    TriggeredSendStatus,
)
from mcaudit.untrusted import DEFAULT_MAX_BYTES

REPO = "Accenture/sfmc-devtools"
# fact -> the file of the DevTools repository that shows it
SOURCES: dict[str, str] = {
    "retrieve/<credential>/<business unit>/<type>/ folders": "wiki 09. Examples; lib/metadataTypes/MetadataType.js",
    "<key>.<type>-meta.json file names":
        "lib/metadataTypes/*.js (File.writeJSONToFile(dir, key + '.' + type + '-meta', item))",
    "parent business unit folder _ParentBU_": "lib/util/util.js (parentBuName: '_ParentBU_')",
    "business-unit folder names (equalized BusinessUnit.Name)": "lib/util/businessUnit.js",
    "businessUnits/<credential>.businessUnits.json (Name, ID, ParentID, IsActive)": "lib/util/businessUnit.js",
    ".mcdevrc.json credentials.<credential>.businessUnits, directories.businessUnits": "docs (wiki config page)",
    "users and roles only on the parent business unit": "lib/metadataTypes/User.js, lib/metadataTypes/Role.js",
    "user fields c__type, c__AccountUserID, c__IsLocked_readOnly, c__AssociatedBusinessUnits, "
    "c__RoleNamesGlobal": "lib/metadataTypes/User.js (postRetrieveTasks); "
                          "test/resources/1111111/user/retrieve-expected.json",
    "older user fields type__c, AssociatedBusinessUnits__c, RoleNamesGlobal__c, IsLocked, AccountUserID":
        "lib/metadataTypes/User.js (CommonJS versions); lib/metadataTypes/definitions/User.definition.js",
    "installed-package rows: c__type 'Installed Package' (Email without '@' or Name ending 'app user')":
        "lib/metadataTypes/User.js (postRetrieveTasks)",
    "user fields UserID, Name, Email, ActiveFlag, IsAPIUser, MustChangePassword, DefaultBusinessUnit, "
    "LastSuccessfulLogin": "lib/metadataTypes/definitions/User.definition.js",
    "role fields CustomerKey, Name, IsSystemDefined": "lib/metadataTypes/Role.js",
    "triggered send fields CustomerKey, Name, TriggeredSendStatus, r__email_Name":
        "test/resources/9999999/triggeredSend/get-expected.json",
    "journey fields key, name, version, status, triggers[0].type, triggers[0].metaData.r__event_key":
        "test/resources/9999999/journey/get-multistep-expected.json, get-published-expected.json",
    "journey triggers[].configurationArguments.objectAPIName": "lib/metadataTypes/definitions/Journey.definition.js",
    "event fields eventDefinitionKey, type, configurationArguments; types EmailAudience, AutomationAudience, "
    "APIEvent, SalesforceObjectTriggerV2": "lib/metadataTypes/definitions/Event.definition.js; "
                                           "test/resources/9999999/event/get-published-expected.json",
    "SOAP dateTimes without offset are server time, UTC-6 (options.serverTimeOffset -6)": "docs (wiki config page)",
}

PARENT_BU = "_ParentBU_"
USER_TYPE_USER = "User"
INSTALLED_PACKAGE = "Installed Package"
SERVER_TIME_OFFSET = -6
# a metadata type -> its folder names, current first (older DevTools versions used the others)
TYPE_FOLDERS: dict[str, tuple[str, ...]] = {
    "user": ("user", "accountUser"),
    "role": ("role",),
    "triggeredSend": ("triggeredSend",),
    "journey": ("journey", "interaction"),
    "event": ("event", "eventDefinition"),
}
ENTRY_TYPES = {member.value.casefold(): member for member in EntrySourceType}
SECTIONS = {"user": "marketing_cloud.users", "role": "marketing_cloud.roles",
            "triggeredSend": "marketing_cloud.triggered_sends", "journey": "marketing_cloud.journeys",
            "businessUnits": "marketing_cloud.business_units"}


@dataclass(frozen=True)
class Retrieve:
    """Where the retrieve is: the project folder (if known), the credential and its folder."""

    root: Path | None
    credential: str
    folder: Path


@dataclass
class _Read:
    """What the import read: files (for collected_at) and what it left out."""

    max_bytes: int
    newest: float = 0.0
    installed_packages: int = 0
    notes: list[str] = field(default_factory=list)

    def json(self, path: Path) -> Any:
        data = read_json(path, max_bytes=self.max_bytes)
        with contextlib.suppress(OSError):
            self.newest = max(self.newest, path.stat().st_mtime)
        return data


@dataclass(frozen=True)
class McdevImport:
    snapshot: Snapshot
    notes: tuple[str, ...]  # what the import left out or could not read, one line each


def import_mcdev(path: Path, *, name: str | None = None, mcc_api_user: str | None = None,
                 max_bytes: int = DEFAULT_MAX_BYTES, now: datetime | None = None) -> Snapshot:
    """A snapshot with only the `marketing_cloud` side, read from a DevTools retrieve at `path`
    (the project folder holding retrieve/, or its retrieve/<credential> folder)."""
    return read_mcdev(path, name=name, mcc_api_user=mcc_api_user, max_bytes=max_bytes, now=now).snapshot


def read_mcdev(path: Path, *, name: str | None = None, mcc_api_user: str | None = None,
               max_bytes: int = DEFAULT_MAX_BYTES, now: datetime | None = None) -> McdevImport:
    """import_mcdev, and the notes on what it left out."""
    retrieve = locate(path)
    read = _Read(max_bytes=max_bytes)
    marketing_cloud, collected, missing = _marketing_cloud(retrieve, read)
    if mcc_api_user is not None:
        known = {user.username.casefold() for user in marketing_cloud.users or []}
        if marketing_cloud.users is not None and mcc_api_user.casefold() not in known:
            raise InputError(f"--mc-api-user {mcc_api_user}: no such user in the retrieve's user folder",
                             path=str(retrieve.folder / PARENT_BU / "user"))
        marketing_cloud = marketing_cloud.model_copy(update={"mcc_api_user": mcc_api_user})
    notes = list(read.notes)
    if read.installed_packages:
        notes.append(f"{read.installed_packages} installed-package row(s) (c__type 'Installed Package') "
                     "left out of users")
    gaps = f"no folder in the retrieve for: {', '.join(missing)}" if missing else None
    run = CollectorRun(name="mcdev import", status=CollectorStatus.partial if missing else CollectorStatus.ok,
                       sections=collected, failed_sections=missing, error=gaps)
    stamp = now or (datetime.fromtimestamp(read.newest, timezone.utc) if read.newest
                    else datetime.now(timezone.utc))
    snapshot = Snapshot(schema_version=SCHEMA_VERSION, collected_at=stamp, source=SnapshotSource.export,
                        name=name, collection=Collection(tool_version=__version__, collectors=[run]),
                        marketing_cloud=marketing_cloud)
    return McdevImport(snapshot=snapshot, notes=tuple(([gaps] if gaps else []) + notes))


# -- where the retrieve is -------------------------------------------------------------------------

def locate(path: Path) -> Retrieve:
    if not path.exists():
        raise InputError("no such folder", path=str(path))
    if not path.is_dir():
        raise InputError("not a folder: give the DevTools project folder (with retrieve/) or its "
                         "retrieve/<credential> folder", path=str(path))
    retrieve = path / "retrieve"
    if retrieve.is_dir():
        credentials = _folders(retrieve)
        if len(credentials) != 1:
            found = ", ".join(folder.name for folder in credentials[:5]) or "none"
            raise InputError(f"retrieve/ should hold one credential's folder, found {len(credentials)} "
                             f"({found}): give PATH/retrieve/<credential>", path=str(retrieve))
        retrieve_folder = credentials[0]
        found_root: Path | None = path
    else:
        retrieve_folder = path
        found_root = path.resolve().parent.parent if path.resolve().parent.name == "retrieve" else None
    units = _folders(retrieve_folder)
    if any(_type_folder(retrieve_folder, kind) is not None for kind in TYPE_FOLDERS):
        raise InputError("is one business unit's folder: give the folder above it (retrieve/<credential>)",
                         path=str(retrieve_folder))
    if not any(unit.name == PARENT_BU or any(_type_folder(unit, kind) is not None for kind in TYPE_FOLDERS)
               for unit in units):
        raise InputError("not an SFMC DevTools retrieve folder: expected retrieve/<credential>/<business unit>/"
                         f"<type>/ (a {PARENT_BU} folder, or one with a {', '.join(TYPE_FOLDERS)} folder)",
                         path=str(retrieve_folder))
    return Retrieve(root=found_root, credential=retrieve_folder.resolve().name, folder=retrieve_folder)


def _folders(path: Path) -> list[Path]:
    try:
        return sorted(entry for entry in path.iterdir() if entry.is_dir() and not entry.name.startswith("."))
    except OSError as error:
        raise InputError(f"cannot read the folder: {error.strerror or error}", path=str(path)) from None


def _type_folder(unit: Path, kind: str) -> Path | None:
    for name in TYPE_FOLDERS[kind]:
        folder = unit / name
        if folder.is_dir():
            return folder
        if folder.exists() or folder.is_symlink():
            raise InputError(f"expected a folder of {kind} files", path=str(folder))
    return None


def _type_files(unit: Path, kind: str) -> list[Path] | None:
    """The `<key>.<type>-meta.json` files of one type in one business unit; None without its folder."""
    folder = _type_folder(unit, kind)
    if folder is None:
        return None
    suffix = f".{folder.name}-meta.json"
    try:
        return sorted(entry for entry in folder.iterdir() if entry.name.endswith(suffix))
    except OSError as error:
        raise InputError(f"cannot read the folder: {error.strerror or error}", path=str(folder)) from None


# -- the side ---------------------------------------------------------------------------------------

def _marketing_cloud(retrieve: Retrieve, read: _Read) -> tuple[MarketingCloud, list[str], list[str]]:
    units, folder_mids = _business_units(retrieve, read)
    folders = _folders(retrieve.folder)
    parent = retrieve.folder / PARENT_BU
    if PARENT_BU not in folder_mids and units:
        folder_mids[PARENT_BU] = next((unit.mid for unit in units if unit.is_top_level), None)
    users = _users(parent, read) if parent.is_dir() else None
    roles = _roles(parent, read) if parent.is_dir() else None
    sends = _per_unit(folders, folder_mids, "triggeredSend", read, _triggered_send)
    journeys = _journeys(folders, folder_mids, read)
    values: dict[str, Any] = {"business_units": units, "users": users, "roles": roles,
                              "triggered_sends": sends, "journeys": journeys}
    sections = {"businessUnits": units, "user": users, "role": roles, "triggeredSend": sends, "journey": journeys}
    collected = [SECTIONS[kind] for kind, value in sections.items() if value is not None]
    missing = [SECTIONS[kind] for kind, value in sections.items() if value is None]
    top = next((unit.mid for unit in units or [] if unit.is_top_level), folder_mids.get(PARENT_BU))
    return MarketingCloud(mid=top, **values), collected, missing


def _business_units(retrieve: Retrieve, read: _Read) -> tuple[list[BusinessUnit] | None, dict[str, int | None]]:
    """The business units (from businessUnits/<credential>.businessUnits.json) and each business-unit
    folder's MID (from .mcdevrc.json, else from the units' names as `mcdev init` spells them)."""
    units: list[BusinessUnit] | None = None
    folder_mids: dict[str, int | None] = {}
    if retrieve.root is None:
        return None, folder_mids
    listing = retrieve.root / "businessUnits" / f"{retrieve.credential}.businessUnits.json"
    if listing.exists() or listing.is_symlink():
        data = read.json(listing)
        if not isinstance(data, list):
            raise InputError(f"expected a list of business units, found {json_type(data)}", path=str(listing))
        units = []
        for index, row in enumerate(data):
            item = Item(row, listing, "business unit", f"[{index}].")
            mid = item.integer("ID")
            if mid is None:
                raise item.fail("ID", "missing: every business unit has it")
            parent = item.integer("ParentID")
            top = parent in (None, 0, mid)
            unit_name = item.text("Name")
            units.append(BusinessUnit(mid=mid, name=unit_name, parent_mid=None if top else parent,
                                      is_top_level=top, is_active=item.boolean("IsActive")))
            folder_mids[PARENT_BU if top else _folder_name(unit_name or "")] = mid
    config = retrieve.root / ".mcdevrc.json"
    if config.exists() or config.is_symlink():
        folder_mids.update(_configured_mids(config, retrieve.credential, read))
    return units, folder_mids


def _folder_name(name: str) -> str:
    """A child business unit's folder as `mcdev init` names it (lib/util/businessUnit.js)."""
    return re.sub(r"__+", "_", re.sub(r" +", "_", re.sub(r"[^\w\s]", "", name, flags=re.ASCII)))


def _configured_mids(config: Path, credential: str, read: _Read) -> dict[str, int | None]:
    root = Item(read.json(config), config, "DevTools configuration")
    credentials = root.child("credentials", "map of credentials")
    entry = credentials.child(credential, "credential") if credentials else None
    listed = entry.child("businessUnits", "map of business-unit names to MIDs") if entry else None
    if listed is None:
        return {}
    return {folder: listed.integer(folder) for folder in listed.data}


def _per_unit(folders: list[Path], folder_mids: dict[str, int | None], kind: str, read: _Read,
              build: Callable[[Item, int | None], Any]) -> list[Any] | None:
    found = False
    items: list[Any] = []
    for unit in folders:
        files = _type_files(unit, kind)
        if files is None:
            continue
        found = True
        for file in files:
            items.append(build(Item(read.json(file), file, kind), folder_mids.get(unit.name)))
    return items if found else None


# -- users and roles --------------------------------------------------------------------------------

def _users(parent: Path, read: _Read) -> list[MarketingCloudUser] | None:
    files = _type_files(parent, "user")
    if files is None:
        return None
    users = []
    for file in files:
        item = Item(read.json(file), file, "user")
        if _user_type(item) == INSTALLED_PACKAGE:
            read.installed_packages += 1
            continue
        users.append(_user(item))
    return users


def _user_type(item: Item) -> str:
    """c__type (type__c in older DevTools); without it, DevTools' own rule: a user has an e-mail
    address with @ and a name that does not end in 'app user'."""
    key = item.first("c__type", "type__c")
    if key is not None:
        return item.text(key) or ""
    email, name = item.text("Email") or "", item.text("Name") or ""
    return USER_TYPE_USER if "@" in email and not name.endswith("app user") else INSTALLED_PACKAGE


def _user(item: Item) -> MarketingCloudUser:
    user_id_key = item.first("c__AccountUserID", "AccountUserID") or "c__AccountUserID"
    locked_key = item.first("c__IsLocked_readOnly", "IsLocked") or "c__IsLocked_readOnly"
    units_key = item.first("c__AssociatedBusinessUnits", "AssociatedBusinessUnits__c") or "c__AssociatedBusinessUnits"
    roles_key = item.first("c__RoleNamesGlobal", "RoleNamesGlobal__c") or "c__RoleNamesGlobal"
    return MarketingCloudUser(
        account_user_id=item.integer(user_id_key), username=item.required("UserID"),
        name=item.text("Name"), email=item.text("Email"), active=item.boolean("ActiveFlag"),
        is_locked=item.boolean(locked_key), is_api_user=item.boolean("IsAPIUser"),
        must_change_password=item.boolean("MustChangePassword"),
        last_successful_login=soap_timestamp(item.text("LastSuccessfulLogin"), SERVER_TIME_OFFSET,
                                             lambda message: item.fail("LastSuccessfulLogin", message)),
        roles=item.texts(roles_key), business_unit_mids=item.integers(units_key),
        default_business_unit=item.integer("DefaultBusinessUnit"),
        salesforce_integration=None,  # "Salesforce.com Status": no API, no export shows it
    )


def _roles(parent: Path, read: _Read) -> list[Role] | None:
    files = _type_files(parent, "role")
    if files is None:
        return None
    roles = []
    for file in files:
        item = Item(read.json(file), file, "role")
        roles.append(Role(key=item.text("CustomerKey"), name=item.required("Name"),
                          is_system_defined=item.boolean("IsSystemDefined")))
    return roles


# -- sends and journeys -----------------------------------------------------------------------------

def _triggered_send(item: Item, mid: int | None) -> TriggeredSend:
    return TriggeredSend(key=item.required("CustomerKey"), name=item.text("Name"),
                         status=item.choice(TriggeredSendStatus, "TriggeredSendStatus"),
                         business_unit_mid=mid, email_name=item.text("r__email_Name"))


@dataclass(frozen=True)
class _Event:
    type: str | None
    salesforce_object: str | None


def _events(unit: Path, read: _Read) -> dict[str, _Event] | None:
    files = _type_files(unit, "event")
    if files is None:
        return None
    events = {}
    for file in files:
        item = Item(read.json(file), file, "event")
        arguments = item.child("configurationArguments", "object")
        events[item.required("eventDefinitionKey")] = _Event(
            type=item.text("type"), salesforce_object=arguments.text("objectAPIName") if arguments else None)
    return events


def _journeys(folders: list[Path], folder_mids: dict[str, int | None], read: _Read) -> list[Journey] | None:
    events_by_unit = {unit.name: _events(unit, read) for unit in folders}
    every_event = {key: event for events in events_by_unit.values() for key, event in (events or {}).items()}
    if any(_type_folder(unit, "journey") is not None for unit in folders) and \
            all(events is None for events in events_by_unit.values()):
        read.notes.append("no event folder: journeys' entry sources from their triggers only")

    def build(item: Item, _mid: int | None) -> Journey:
        return _journey(item, every_event)

    return _per_unit(folders, folder_mids, "journey", read, build)


def _journey(item: Item, events: dict[str, _Event]) -> Journey:
    version = item.integer("version")
    if version is not None and version < 1:
        raise item.fail("version", f"expected 1 or more, found {version}")
    return Journey(id=item.text("id"), key=item.required("key"), name=item.text("name"),
                   version=version or 1, status=item.choice(JourneyStatus, "status"),
                   entry_source=_entry_source(item, events))


def _entry_source(journey: Item, events: dict[str, _Event]) -> EntrySource | None:
    triggers = journey.children("triggers", "trigger")
    if not triggers:
        return None
    trigger = triggers[0]
    meta = trigger.child("metaData", "object")
    key_field = meta.first("r__event_key", "eventDefinitionKey") if meta else None
    key = meta.text(key_field) if meta and key_field else None
    event = events.get(key) if key else None
    arguments = trigger.child("configurationArguments", "object")
    kind = (event.type if event else None) or trigger.text("type")
    if kind is None:
        return None
    sf_object = (event.salesforce_object if event else None) or (
        arguments.text("objectAPIName") if arguments else None)
    return EntrySource(type=ENTRY_TYPES.get(kind.casefold()) or EntrySourceType(kind),
                       event_definition_key=key, salesforce_object=sf_object)


def sources() -> Iterator[tuple[str, str]]:
    """(fact, file in the DevTools repository) for the documentation."""
    yield from SOURCES.items()
