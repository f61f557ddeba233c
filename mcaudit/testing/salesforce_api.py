"""The emulated Salesforce endpoints: SOAP login, OAuth JWT token, SOQL query/queryMore (REST and
Tooling) and the Metadata API's listMetadata/readMetadata for connected apps."""

from __future__ import annotations

import itertools
import re
import secrets
import threading
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

import jwt

from mcaudit.snapshot import Snapshot
from mcaudit.testing import soap_xml
from mcaudit.testing.http_types import Reply, Request, Route
from mcaudit.testing.plumbing import recorded_failed
from mcaudit.testing.salesforce_data import AppMetadata, app_metadata, limits, tables, tooling_tables
from mcaudit.testing.soql import SoqlError, Table, run

_DATA = re.compile(r"^/services/data/v[\d.]+/(?P<tooling>tooling/)?query/?(?P<locator>[^/]*)$")
_LIMITS = re.compile(r"^/services/data/v[\d.]+/limits/?$")
AUDITOR_ID = "005EMU"  # the emulated auditor's own user id (as the SOAP login answers it)
# Permissions the emulated auditor can be made to lack (EmulatorConfig.sf_lacking), each with what a
# real org then does:
# - View Setup and Configuration: REST /limits is for users with it (SF-REST-LIMITS-192 in the API
#   catalog) and SetupEntityAccess only for them (SF-SEA); both are refused.
# - Customize Application: without it OauthToken shows a user only their own tokens (SF-OAUTHTOKEN);
#   the query works and the other users' tokens are missing.
VIEW_SETUP = "View Setup and Configuration"
CUSTOMIZE_APPLICATION = "Customize Application"
PERMISSIONS = frozenset({VIEW_SETUP, CUSTOMIZE_APPLICATION})
# how a refusal is answered: HTTP 403 with an INSUFFICIENT_ACCESS error (the emulator's convention for
# every refusal; the exact code a real org gives for /limits is not in the sources read)
INSUFFICIENT_ACCESS = "INSUFFICIENT_ACCESS"
_FROM = re.compile(r"\bFROM\s+(\w+)", re.IGNORECASE)
JWT_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
INVALID_SESSION = [{"errorCode": "INVALID_SESSION_ID", "message": "Session expired or invalid"}]


@dataclass(frozen=True)
class SalesforceLogin:
    username: str = "auditor@example.com"
    password: str = "emulated-password"
    security_token: str = ""
    access_token: str | None = None  # accepted as is, like a token from `sf org display`
    consumer_key: str | None = None  # JWT bearer: the connected app and its certificate's public key
    jwt_public_key: bytes | None = None
    instance_url: str | None = None  # what the login answer names as the org's instance; None: this emulator


class SalesforceApi:
    def __init__(self, snapshot: Snapshot, login: SalesforceLogin, *, page_size: int, metadata: str,
                 base_url: Any, lacking: frozenset[str] = frozenset(), hidden: frozenset[str] = frozenset()) -> None:
        unknown = set(lacking) - PERMISSIONS
        assert not unknown, f"the emulator cannot take away {sorted(unknown)}: only {sorted(PERMISSIONS)}"
        if recorded_failed(snapshot, "salesforce.oauth_grants"):  # served so that it fails again
            lacking = lacking | {CUSTOMIZE_APPLICATION}
        self._lacking = lacking
        self._limits = limits(snapshot)
        self._tables = tables(snapshot)
        self._withhold(lacking, hidden)
        self._tooling = tooling_tables(snapshot)
        self._apps = app_metadata(snapshot)
        self._org_id = self._tables["Organization"].rows[0]["Id"]
        self._login = login
        self._page_size = page_size
        self._metadata = metadata  # allowed | refused | hidden (read works, policies left out)
        self._base_url = base_url  # a callable: the server's URL is known only once it listens
        self._sessions: set[str] = set()
        self._cursors: dict[str, tuple[str, list[dict[str, Any]]]] = {}
        self._counter = itertools.count(1)
        self._lock = threading.Lock()
        self.issued_sessions: list[str] = []

    def _withhold(self, lacking: frozenset[str], hidden: frozenset[str]) -> None:
        """What the auditor may not see: objects hidden from them do not exist for them (INVALID_TYPE:
        "sObject type 'X' is not supported", as for a custom object the user has no access to)."""
        for name in hidden:
            self._tables.pop(name, None)
        if VIEW_SETUP in lacking and "SetupEntityAccess" in self._tables:
            self._tables["SetupEntityAccess"].refused = True
        tokens = self._tables.get("OauthToken")
        if CUSTOMIZE_APPLICATION in lacking and tokens is not None:
            tokens.rows = [row for row in tokens.rows if row.get("UserId") == AUDITOR_ID]

    def route(self, request: Request) -> Route | None:
        path = request.path
        if request.method == "GET" and _LIMITS.match(path):
            return Route("sf.limits", self._limits_call)
        if request.method == "POST" and re.fullmatch(r"/services/Soap/u/[\d.]+/?", path):
            return Route("sf.login", self._soap_login, xml=True)
        if request.method == "POST" and path == "/services/oauth2/token":
            return Route("sf.oauth_token", self._jwt_token)
        if request.method == "POST" and re.fullmatch(r"/services/Soap/m/[\d.]+/?", path):
            try:
                operation = soap_xml.parse(request.body).tag.split("}")[-1]
            except Exception:
                operation = "unknown"
            return Route(f"sf.metadata.{operation}", self._metadata_call, xml=True)
        match = _DATA.match(path)
        if request.method == "GET" and match:
            tooling = bool(match.group("tooling"))
            if match.group("locator"):
                cursor = self._cursors.get(match.group("locator").rsplit("-", 1)[0])
                name = cursor[0] if cursor else "unknown"
                return Route(f"sf.query:{name}", self._query_more, paging=True)
            found = _FROM.search(request.param("q") or "")
            name = found.group(1) if found else "unknown"
            return Route(f"sf.{'tooling_' if tooling else ''}query:{name}",
                         lambda r: self._query(r, self._tooling if tooling else self._tables))
        return None

    # -- login ------------------------------------------------------------------------------
    def _new_session(self) -> str:
        session = f"00D!EMU.{secrets.token_urlsafe(24)}"
        with self._lock:
            self._sessions.add(session)
            self.issued_sessions.append(session)
        return session

    def _soap_login(self, request: Request) -> Reply:
        login = soap_xml.parse(request.body)
        username, password = soap_xml.child_text(login, "username"), soap_xml.child_text(login, "password")
        if username != self._login.username or password != self._login.password + self._login.security_token:
            return Reply.xml(500, soap_xml.login_fault())
        server_url = f"{self._login.instance_url or self._base_url()}/services/Soap/u/59.0/{self._org_id}"
        return Reply.xml(200, soap_xml.login_response(self._new_session(), server_url, AUDITOR_ID, self._org_id))

    def _jwt_token(self, request: Request) -> Reply:
        form = {key: values[0] for key, values in parse_qs(request.body.decode("utf-8")).items()}
        if self._login.jwt_public_key is None or form.get("grant_type") != JWT_GRANT:
            return Reply.json(400, {"error": "unsupported_grant_type"})
        try:
            claims = jwt.decode(form.get("assertion", ""), self._login.jwt_public_key, algorithms=["RS256"],
                                options={"verify_aud": False})
        except jwt.PyJWTError:
            return Reply.json(400, {"error": "invalid_grant", "error_description": "invalid assertion"})
        if claims.get("iss") != self._login.consumer_key or claims.get("sub") != self._login.username:
            return Reply.json(400, {"error": "invalid_grant",
                                    "error_description": "user hasn't approved this consumer"})
        return Reply.json(200, {"access_token": self._new_session(), "instance_url": self._base_url(),
                                "token_type": "Bearer", "scope": "api"})

    def _authorized(self, token: str | None) -> bool:
        return token is not None and (token in self._sessions or token == self._login.access_token)

    # -- REST /limits ----------------------------------------------------------------------
    def _limits_call(self, request: Request) -> Reply:
        if not self._authorized(request.bearer()):
            return Reply.json(401, INVALID_SESSION)
        if self._limits is None or VIEW_SETUP in self._lacking:
            return Reply.json(403, [{"errorCode": INSUFFICIENT_ACCESS,
                                     "message": "insufficient access rights: the limits resource needs the "
                                                "View Setup and Configuration permission"}])
        return Reply.json(200, self._limits)

    # -- SOQL -------------------------------------------------------------------------------
    def _query(self, request: Request, source: dict[str, Table]) -> Reply:
        if not self._authorized(request.bearer()):
            return Reply.json(401, INVALID_SESSION)
        try:
            name, records = run(source, request.param("q") or "")
        except SoqlError as error:
            status = 403 if error.code == "INSUFFICIENT_ACCESS" else 400
            return Reply.json(status, [{"errorCode": error.code, "message": error.message}])
        return self._page(name, records, 0, len(records))

    def _query_more(self, request: Request) -> Reply:
        if not self._authorized(request.bearer()):
            return Reply.json(401, INVALID_SESSION)
        locator = request.path.rstrip("/").rsplit("/", 1)[-1]
        cursor_id, _, offset = locator.rpartition("-")
        cursor = self._cursors.get(cursor_id)
        if cursor is None or not offset.isdigit():
            return Reply.json(400, [{"errorCode": "INVALID_QUERY_LOCATOR", "message": "invalid query locator"}])
        return self._page(cursor[0], cursor[1], int(offset), len(cursor[1]), cursor_id)

    def _page(self, name: str, records: list[dict[str, Any]], offset: int, total: int,
              cursor_id: str | None = None) -> Reply:
        end = offset + self._page_size
        body: dict[str, Any] = {"totalSize": total, "done": end >= total, "records": records[offset:end]}
        if end < total:
            if cursor_id is None:
                cursor_id = f"01gEMU{next(self._counter):09d}"
                with self._lock:
                    self._cursors[cursor_id] = (name, records)
            body["nextRecordsUrl"] = f"/services/data/v59.0/query/{cursor_id}-{end}"
        return Reply.json(200, body)

    # -- Metadata API -----------------------------------------------------------------------
    def _metadata_call(self, request: Request) -> Reply:
        if not self._authorized(soap_xml.header_text(request.body, "sessionId")):
            return Reply.xml(500, soap_xml.fault("sf:INVALID_SESSION_ID", "INVALID_SESSION_ID: Invalid Session ID"))
        if self._metadata == "refused":
            return Reply.xml(500, soap_xml.fault("sf:INSUFFICIENT_ACCESS",
                                                 "INSUFFICIENT_ACCESS: insufficient access rights on object id"))
        operation = soap_xml.parse(request.body)
        name = operation.tag.split("}")[-1]
        if name == "listMetadata":
            return Reply.xml(200, soap_xml.metadata_response(name, [_file_properties(app) for app in self._apps]))
        if name == "readMetadata":
            wanted = set(soap_xml.children_text(operation, "fullNames"))
            records = [self._connected_app(app) for app in self._apps if app.full_name in wanted]
            return Reply.xml(200, soap_xml.metadata_response(name, records, "ConnectedApp"))
        return Reply.xml(500, soap_xml.fault("sf:INVALID_OPERATION", f"{name} is not emulated"))

    def _connected_app(self, app: AppMetadata) -> dict[str, Any]:
        policy = None if self._metadata == "hidden" else {
            "ipRelaxation": app.ip_relaxation, "refreshTokenPolicy": app.refresh_token_policy}
        return {"fullName": app.full_name, "contactEmail": "admin@example.com", "label": app.label,
                "oauthConfig": {"callbackUrl": "https://example.com/callback", "isAdminApproved": app.admin_approved},
                "oauthPolicy": policy if policy and any(policy.values()) else None}


def _file_properties(app: AppMetadata) -> dict[str, Any]:
    return {"createdById": "005EMU", "createdByName": "Emulator", "createdDate": "2020-01-01T00:00:00.000Z",
            "fileName": f"connectedApps/{app.full_name}.connectedApp", "fullName": app.full_name, "id": app.id,
            "lastModifiedById": "005EMU", "lastModifiedByName": "Emulator",
            "lastModifiedDate": "2020-01-01T00:00:00.000Z", "type": "ConnectedApp"}
