"""`mcaudit import sf`: a snapshot's Salesforce side from a folder of Salesforce CLI exports (a collector
whose reads are files: it lives here, beside the live one, to share its mapping and assembly).

The folder holds one `sf data query --json` result per statement the live collector runs (the
same SOQL, from collectors/salesforce/queries.py, so the two cannot drift), the org's REST
/limits, and, where present, the connected app's metadata from `sf project retrieve start`. The
rows go through the collector's own mapping and assembly (collectors/salesforce/assemble.py):
the same rows give the same snapshot as a live collection.

A missing file leaves what it feeds not collected (rules say unknown, never pass), as a refused
read would; a file that is not such an export is an InputError of one line naming it. Every file
is read through mcaudit.untrusted (regular files, size and nesting limits, strict UTF-8).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from lxml import etree

from mcaudit import __version__
from mcaudit.collectors.base import SectionLog
from mcaudit.collectors.problems import ApiError, describe
from mcaudit.collectors.salesforce import assemble, metadata, records
from mcaudit.collectors.salesforce import queries as q
from mcaudit.collectors.salesforce.auth import API_VERSION
from mcaudit.collectors.salesforce.soql import Record
from mcaudit.collectors.secrets import Redactor
from mcaudit.errors import InputError
from mcaudit.snapshot import SCHEMA_VERSION, Snapshot, SnapshotSource
from mcaudit.snapshot.meta import Collection
from mcaudit.snapshot.salesforce import ConnectedApp
from mcaudit.untrusted import DEFAULT_MAX_BYTES, FileKind, read_document, read_text

QUERY_FILE = FileKind("`sf data query --json` output", formats=("json",),
                      invalid="not JSON (expected the output of `sf data query --json`)")
LIMITS_FILE = FileKind("`sf api request rest` output", formats=("json",),
                       invalid="not JSON (expected the REST /limits answer)")
METADATA_FILE = FileKind("connected app metadata file")
METADATA_SUFFIX = ".connectedApp-meta.xml"  # source format of `sf project retrieve start`
METADATA_NS = "http://soap.sforce.com/2006/04/metadata"
MAX_METADATA_BYTES = 2**20
MAX_METADATA_FILES = 50
_XML = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False)
_FROM = re.compile(r"\bFROM\s+(\w+)", re.IGNORECASE)
_SELECT = re.compile(r"^\s*SELECT\s+(.+?)\s+FROM\s", re.IGNORECASE | re.DOTALL)


@dataclass(frozen=True)
class Export:
    """One file of the folder and how an admin makes it."""

    file: str
    statement: str  # SOQL, or the REST resource for `rest`
    api: str = "soql"  # soql | tooling | rest
    instead: str | None = None  # an older form the file may hold (users without the package's fields)

    def command(self, statement: str | None = None) -> str:
        if self.api == "rest":
            return f"sf api request rest /services/data/v{API_VERSION}/{self.statement} > {self.file}"
        tooling = " --use-tooling-api" if self.api == "tooling" else ""
        return f'sf data query{tooling} --query "{statement or self.statement}" --json > {self.file}'

    @property
    def object_name(self) -> str | None:
        found = _FROM.search(self.statement) if self.api != "rest" else None
        return found.group(1) if found else None


ORGANIZATION = Export("organization.json", q.ORGANIZATION)
CONNECTED_APPS = Export("connected_apps.json", q.CONNECTED_APPS)
APP_ACCESS = Export("app_access.json", q.APP_ACCESS)
PERMISSION_SETS = Export("permission_sets.json", q.PERMISSION_SETS)
PERMISSION_SET_GROUPS = Export("permission_set_groups.json", q.PERMISSION_SET_GROUPS)
GROUP_COMPONENTS = Export("permission_set_group_components.json", q.PERMISSION_SET_GROUP_MEMBERS)
ASSIGNMENTS = Export("permission_set_assignments.json", q.ASSIGNMENTS)
USERS = Export("users.json", q.users(with_package_fields=True), instead=q.users(with_package_fields=False))
FROZEN = Export("frozen_logins.json", q.FROZEN_LOGINS)
TOKENS = Export("oauth_tokens.json", q.MCC_APP_TOKENS)
CONFIG = Export("connector_configuration.json", q.CONNECTOR_CONFIG)
UNITS = Export("connector_business_units.json", q.CONNECTOR_BUSINESS_UNITS)
DEFINITIONS = Export("send_definitions.json", q.SEND_DEFINITIONS)
AUTOMATED = Export("automated_sends.json", q.AUTOMATED_SENDS)
TRIGGERS = Export("apex_triggers.json", q.APEX_TRIGGERS)
FLOWS = Export("journey_flows.json", q.JOURNEY_FLOWS)
PACKAGES = Export("installed_packages.json", q.INSTALLED_PACKAGES, api="tooling")
LIMITS = Export("limits.json", q.LIMITS_RESOURCE, api="rest")
EXPORTS = (ORGANIZATION, CONNECTED_APPS, APP_ACCESS, PERMISSION_SETS, PERMISSION_SET_GROUPS, GROUP_COMPONENTS,
           ASSIGNMENTS, USERS, FROZEN, TOKENS, CONFIG, UNITS, DEFINITIONS, AUTOMATED, TRIGGERS, FLOWS, PACKAGES,
           LIMITS)
APP_COMPONENT = "Salesforce_Marketing_Cloud"  # the connected app's API name, as the Metadata API lists it
USERS_WITHOUT_PACKAGE = ("the MCC package's user fields (Marketing Cloud for AppExchange User/Admin) are not "
                         "available: is Marketing Cloud Connect installed, and may this user read those fields?")


def commands() -> list[str]:
    """What an admin runs, in an empty sf project, to make the folder: one line each, `#` notes."""
    lines = ["# mcaudit import sf: run these in an empty folder, logged in to the org with the Salesforce CLI",
             "# (sf org login web), as a user with View Setup and Configuration and Customize Application;",
             "# add --target-org ALIAS to each command for an org that is not your default. No credential leaves",
             "# your machine: mcaudit reads only the files.",
             "sf project generate --name mcaudit-export && cd mcaudit-export"]
    for export in EXPORTS:
        lines.append(export.command())
        if export.instead:
            lines.append(f"#   if it fails with INVALID_FIELD (the MCC package is not installed, or its fields are "
                         f"hidden from you), instead: {export.command(export.instead)}")
        if export.api == "rest":
            lines.append("#   (`sf api request rest` is a beta command; without it api_limits stay not collected)")
    lines += ["# the connected app's OAuth policy (refresh token policy, IP relaxation), through the Metadata API;",
              "# `sf org list metadata --metadata-type ConnectedApp` lists its name if this one is not found:",
              f'sf project retrieve start --metadata "ConnectedApp:{APP_COMPONENT}"',
              "# then, from the folder above it: mcaudit import sf mcaudit-export -o salesforce.yaml"]
    return lines


@dataclass(frozen=True)
class Imported:
    snapshot: Snapshot
    missing: list[str]  # export files not in the folder
    files: list[Path]  # export files read
    metadata_files: list[Path]  # connected app metadata files read
    not_collected: dict[str, str]  # section -> why


def import_sf(folder: Path, *, collected_at: datetime | None = None, system_user: str | None = None,
              name: str | None = None, max_bytes: int = DEFAULT_MAX_BYTES) -> Imported:
    """The snapshot (source: export, salesforce only) the live collector would build from these rows.
    collected_at defaults to the oldest modification time of the files read (when the export ran)."""
    if not folder.is_dir():
        raise InputError("not a folder (expected a folder of `sf data query --json` results; see "
                         "`mcaudit import sf --print-queries`)", path=str(folder))
    folder_files = _Folder(folder, max_bytes)
    sections = SectionLog(assemble.NAME, assemble.SECTIONS, Redactor())
    read = folder_files.read_all()  # every file checked first: a malformed one stops the import
    if read.get(USERS.file) is not None and read[USERS.file].older:
        sections.fail("salesforce.users", USERS_WITHOUT_PACKAGE)
    policies = _policies(folder_files.metadata_files())

    def rows(export: Export) -> Callable[[], list[Record]]:
        def reader() -> list[Record]:
            found = read.get(export.file)
            if found is None:
                raise ApiError(f"{export.file} is not in the folder ({export.command()})")
            if found.error is not None:
                raise ApiError(f"{export.file}: {found.error}")
            return found.records
        return reader

    def connected_apps() -> list[ConnectedApp]:
        apps = records.connected_apps(rows(CONNECTED_APPS)(), sections.read(
            "salesforce.connected_apps", rows(APP_ACCESS)))
        matched = metadata.match_apps([SimpleNamespace(fullName=full_name, id=None) for full_name in policies],
                                      assemble.mcc_apps(apps))
        by_id = {app_id: policies[full_name] for full_name, app_id in matched.items()}
        return [assemble.with_policy(app, by_id[app.id]) if app.id in by_id else app for app in apps]

    def version() -> str | None:
        try:  # the version is a nicety; its absence is not a failed section (as in the collector)
            return records.package_version(rows(PACKAGES)())
        except ApiError:
            return None

    def limits() -> Any:
        found = read.get(LIMITS.file)
        if found is None:
            raise ApiError(f"{LIMITS.file} is not in the folder ({LIMITS.command()})")
        return found.answer

    salesforce = assemble.assemble(assemble.Reads(
        connected_apps=connected_apps, permission_sets=lambda: records.permission_sets(rows(PERMISSION_SETS)()),
        group_rows=rows(PERMISSION_SET_GROUPS), member_rows=rows(GROUP_COMPONENTS),
        assignments=lambda: records.assignments(rows(ASSIGNMENTS)()), user_rows=rows(USERS),
        frozen=lambda: records.frozen_user_ids(rows(FROZEN)()), tokens=rows(TOKENS), config=rows(CONFIG),
        units=rows(UNITS), version=version, definitions=rows(DEFINITIONS), automated=rows(AUTOMATED),
        triggers=rows(TRIGGERS), flows=rows(FLOWS), limits=limits,
    ), sections, lambda error: describe(error, sections.redactor), instance_url=None, system_user=system_user)
    try:
        organization = rows(ORGANIZATION)()
    except ApiError as error:
        sections.fail("salesforce.organization", str(error))
        organization = []
    salesforce = salesforce.model_copy(update=assemble.organization_fields(organization, sections))
    run = sections.run(0).model_copy(update={"api_calls": None})
    if collected_at is None:
        collected_at = folder_files.oldest([folder / file for file in read])
    snapshot = Snapshot(schema_version=SCHEMA_VERSION, collected_at=collected_at, source=SnapshotSource.export,
                        name=name, collection=Collection(tool_version=__version__, collectors=[run]),
                        salesforce=salesforce)
    return Imported(snapshot, [export.file for export in EXPORTS if export.file not in read],
                    [folder / file for file in read], folder_files.metadata_files(),
                    dict(sections.failed))


@dataclass(frozen=True)
class _Read:
    records: list[Record]
    error: str | None = None  # the query failed in the org: sf wrote its error instead of a result
    older: bool = False  # users.json holds the form without the package's fields
    answer: Any = None  # the REST answer (limits.json)


@dataclass(frozen=True)
class _Folder:
    path: Path
    max_bytes: int

    def read_all(self) -> dict[str, _Read]:
        found = {}
        for export in EXPORTS:
            file = self.path / export.file
            if not file.exists() and not file.is_symlink():
                continue
            found[export.file] = self._limits(file) if export.api == "rest" else self._query(file, export)
        return found

    def _query(self, file: Path, export: Export) -> _Read:
        data = read_document(file, QUERY_FILE, max_bytes=self.max_bytes).data
        if not isinstance(data, dict) or not isinstance(data.get("status"), int):
            raise _shape(file, "expected the output of `sf data query --json`: an object with status and result")
        if data["status"] != 0:
            return _Read([], error=f"the query failed: {_sf_error(data)}")
        result = data.get("result")
        if not isinstance(result, dict) or not isinstance(result.get("records"), list):
            raise _shape(file, "result.records: expected a list of records (the output of `sf data query --json`)")
        rows = result["records"]
        for index, row in enumerate(rows):
            if not isinstance(row, dict):
                raise _shape(file, f"result.records[{index}]: expected a record (an object)")
        total = result.get("totalSize")
        short = isinstance(total, int) and not isinstance(total, bool) and total > len(rows)
        if result.get("done") is False or short:
            return _Read([], error=f"holds {len(rows)} of {total} records: the export stopped early (raise the sf "
                                   "CLI's org-max-query-limit and export it again)")
        older = _check_records(file, export, rows)
        return _Read([dict(row) for row in rows], older=older)

    def _limits(self, file: Path) -> _Read:
        data = read_document(file, LIMITS_FILE, max_bytes=self.max_bytes).data
        if isinstance(data, dict) and isinstance(data.get("status"), int) and "result" in data:
            if data["status"] != 0:
                return _Read([], error=f"the request failed: {_sf_error(data)}")
            data = data["result"]  # the --json form wraps the answer
        if isinstance(data, list):  # `sf org list limits --json`: [{"name", "max", "remaining"}]
            data = _listed_limits(file, data)
        if not isinstance(data, dict):
            raise _shape(file, "expected the REST /limits answer, an object such as "
                               '{"DailyApiRequests": {"Max": 15000, "Remaining": 14000}}')
        return _Read([], answer=data)

    def oldest(self, files: list[Path]) -> datetime:
        times = [file.stat().st_mtime for file in [*files, *self.metadata_files()]]
        return datetime.fromtimestamp(min(times), timezone.utc) if times else datetime.now(timezone.utc)

    def metadata_files(self) -> list[Path]:
        files = sorted(self.path.glob(f"**/connectedApps/*{METADATA_SUFFIX}"))
        if len(files) > MAX_METADATA_FILES:
            raise InputError(f"more than {MAX_METADATA_FILES} connected app metadata files: retrieve only the "
                             "Marketing Cloud Connect app", path=str(self.path))
        return files


def _check_records(file: Path, export: Export, rows: list[Record]) -> bool:
    """Each record is of the query's object and has each field it selects (the sf CLI writes every
    selected field, null included). Returns whether the file holds the `instead` form."""
    expected = export.object_name
    forms = [export.statement, *([export.instead] if export.instead else [])]
    keys = [_selected(form) for form in forms]
    older = False
    for index, row in enumerate(rows):
        attributes = row.get("attributes")
        kind = attributes.get("type") if isinstance(attributes, dict) else None
        if expected and isinstance(kind, str) and kind.casefold() != expected.casefold():
            raise _shape(file, f"result.records[{index}] is a {kind} record, expected {expected}: is it the "
                               f"output of the query for {export.file}? (mcaudit import sf --print-queries)")
        missing = [[key for key in wanted if key not in row] for wanted in keys]
        if missing[0] and not (len(missing) > 1 and not missing[1]):
            raise _shape(file, f"result.records[{index}] has no {missing[0][0]}: not the output of the query "
                               f"mcaudit reads (mcaudit import sf --print-queries)")
        older = older or bool(missing[0])
    return older


def _selected(statement: str) -> list[str]:
    """The top-level keys a record of this statement has: Profile.Name comes as Profile: {Name}."""
    found = _SELECT.match(statement)
    fields = found.group(1).split(",") if found else []
    return list(dict.fromkeys(field.strip().split(".")[0] for field in fields if field.strip()))


def _listed_limits(file: Path, items: list[Any]) -> dict[str, Any]:
    answer: dict[str, Any] = {}
    for index, item in enumerate(items):
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            raise _shape(file, f"[{index}]: expected a limit with name, max and remaining")
        answer[item["name"]] = {"Max": item.get("max"), "Remaining": item.get("remaining")}
    return answer


def _sf_error(data: dict[str, Any]) -> str:
    name, message = data.get("name"), data.get("message")
    said = ": ".join(str(part) for part in (name, message) if isinstance(part, str) and part)
    return (said or "no message")[:300]


def _shape(file: Path, message: str) -> InputError:
    return InputError(message, path=str(file))


def _policies(files: list[Path]) -> dict[str, metadata.OAuthPolicy]:
    """fullName (the file name) -> the OAuth policy its metadata gives, through the collector's mapping."""
    policies = {}
    for file in files:
        policies[file.name[: -len(METADATA_SUFFIX)]] = _policy(file)
    return policies


def _policy(file: Path) -> metadata.OAuthPolicy:
    text = read_text(file, METADATA_FILE, limit=MAX_METADATA_BYTES)
    if "<!DOCTYPE" in text.upper() or "<!ENTITY" in text.upper():
        raise InputError("a document type declaration is not allowed in metadata", path=str(file))
    try:
        root = etree.fromstring(text.encode("utf-8"), _XML)
    except etree.XMLSyntaxError as error:
        raise InputError(f"not XML: {error.msg}", path=str(file), line=error.lineno) from None
    if etree.QName(root).localname != "ConnectedApp":
        raise InputError(f"expected a ConnectedApp metadata file, found <{etree.QName(root).localname}>",
                         path=str(file))
    policy = _child(root, "oauthPolicy")
    if policy is None:
        return metadata.oauth_policy(None, None)
    return metadata.oauth_policy(_text(_child(policy, "ipRelaxation")), _text(_child(policy, "refreshTokenPolicy")))


def _child(node: Any, name: str) -> Any:
    return next(_children(node, name), None)


def _children(node: Any, name: str) -> Iterator[Any]:
    for child in node:
        if isinstance(child.tag, str) and etree.QName(child).localname == name:
            yield child


def _text(node: Any) -> str | None:
    return node.text.strip() if node is not None and isinstance(node.text, str) else None
