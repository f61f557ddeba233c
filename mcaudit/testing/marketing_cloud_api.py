"""The emulated Marketing Cloud endpoints: the tenant's auth host (POST /v2/token), SOAP Retrieve
with MoreDataAvailable/ContinueRequest paging, and the REST journey, event definition and attribute
set lists. Mounted under /mc-auth, /mc-soap and /mc-rest of the emulator's address."""

from __future__ import annotations

import itertools
import json
import secrets
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from mcaudit.snapshot import Snapshot
from mcaudit.testing import soap_xml
from mcaudit.testing.http_types import Reply, Request, Route
from mcaudit.testing.marketing_cloud_data import RETRIEVABLE, account
from mcaudit.testing.soap_xml import MC_PARTNER_NS

AUTH, SOAP, REST = "/mc-auth", "/mc-soap", "/mc-rest"
# the most attributes one page of the attribute set list carries (AEP's documentation of its destination)
ATTRIBUTES_PER_PAGE = 2000
NOT_AUTHORIZED = {"message": "Not Authorized", "errorcode": 0, "documentation": ""}


@dataclass(frozen=True)
class MarketingCloudLogin:
    client_id: str = "emulated-client-id"
    client_secret: str = "emulated-client-secret"
    token_lifetime: int = 1080
    # None: the token response leaves `scope` out
    scope: str | None = "email_read journeys_read list_and_subscribers_read users_read accounts_read"
    # what the token response names as the API base URLs; None: this emulator's own
    rest_instance_url: str | None = None
    soap_instance_url: str | None = None


class MarketingCloudApi:
    def __init__(self, snapshot: Snapshot, login: MarketingCloudLogin, *, soap_page_size: int,
                 rest_max_page_size: int, entry_hints: bool, base_url: Any, stale_entry_keys: bool = False,
                 extra_soap_rows: tuple[tuple[str, dict[str, Any]], ...] = ()) -> None:
        self._data = account(snapshot, entry_hints=entry_hints, stale_entry_keys=stale_entry_keys)
        for object_type, row in extra_soap_rows:
            self._data.soap.setdefault(object_type, []).append(row)
        self._login = login
        self._soap_page_size = soap_page_size
        self._rest_max_page_size = rest_max_page_size
        self._base_url = base_url
        self._tokens: dict[str, bool] = {}  # token -> still valid
        self._cursors: dict[str, tuple[str, list[dict[str, Any]], int]] = {}
        self._counter = itertools.count(1)
        self._lock = threading.Lock()
        self.issued_tokens: list[str] = []

    def expire_token_of(self, request: Request) -> None:
        """The token this request carries expires (others, held by reads in flight, stay valid)."""
        token = request.bearer() or soap_xml.header_text(request.body, "fueloauth")
        with self._lock:
            if token in self._tokens:
                self._tokens[token] = False

    def route(self, request: Request) -> Route | None:
        path = request.path
        if request.method == "POST" and path == f"{AUTH}/v2/token":
            return Route("mc.token", self._token)
        if request.method == "POST" and path == f"{SOAP}/Service.asmx":
            return self._soap_route(request)
        if request.method == "GET" and path.startswith(f"{REST}/"):
            return self._rest_route(request, path[len(REST):])
        return None

    # -- auth -------------------------------------------------------------------------------
    def _token(self, request: Request) -> Reply:
        try:
            body = json.loads(request.body or b"{}")
        except ValueError:
            return Reply.json(400, {"error": "invalid_request"})
        if (body.get("grant_type") != "client_credentials" or body.get("client_id") != self._login.client_id
                or body.get("client_secret") != self._login.client_secret):
            return Reply.json(401, {"error": "invalid_client", "error_description": "Invalid client ID or secret"})
        token = secrets.token_urlsafe(32)
        with self._lock:
            self._tokens[token] = True
            self.issued_tokens.append(token)
        base = self._base_url()
        granted = {} if self._login.scope is None else {"scope": self._login.scope}
        return Reply.json(200, {"access_token": token, "token_type": "Bearer",
                                "expires_in": self._login.token_lifetime, **granted,
                                "soap_instance_url": self._login.soap_instance_url or f"{base}{SOAP}/",
                                "rest_instance_url": self._login.rest_instance_url or f"{base}{REST}/"})

    def _valid(self, token: str | None) -> bool:
        with self._lock:
            return bool(token) and self._tokens.get(token or "", False)

    # -- SOAP -------------------------------------------------------------------------------
    def _soap_route(self, request: Request) -> Route:
        try:
            operation = soap_xml.parse(request.body)
        except Exception:
            return Route("mc.soap.unparsable", lambda r: Reply.xml(500, soap_xml.fault("soap:Client", "bad XML")),
                         xml=True)
        if operation.tag != f"{{{MC_PARTNER_NS}}}RetrieveRequestMsg":
            name = operation.tag.split("}")[-1]
            return Route(f"mc.soap.{name}", lambda r: Reply.xml(500, soap_xml.fault("soap:Client", "not emulated")),
                         xml=True)
        continuing = soap_xml.child_text(operation, "ContinueRequest")
        if continuing:
            cursor = self._cursors.get(continuing)
            return Route(f"mc.soap.Retrieve:{cursor[0] if cursor else 'unknown'}", self._continue, paging=True,
                         xml=True)
        object_type = soap_xml.child_text(operation, "ObjectType") or "unknown"
        return Route(f"mc.soap.Retrieve:{object_type}", self._retrieve, xml=True)

    def _retrieve(self, request: Request) -> Reply:
        if not self._valid(soap_xml.header_text(request.body, "fueloauth")):
            return Reply(401, b"Unauthorized", "text/plain")
        operation = soap_xml.parse(request.body)
        object_type = soap_xml.child_text(operation, "ObjectType") or ""
        if object_type not in RETRIEVABLE:
            return self._status(object_type, f"Error: Unable to retrieve {object_type}")
        if object_type in self._data.refused:
            return self._status(object_type, "Error: Insufficient privileges to retrieve this object")
        properties = soap_xml.children_text(next(operation.iter(f"{{{MC_PARTNER_NS}}}RetrieveRequest")),
                                            "Properties")
        unknown = [p for p in properties if p not in RETRIEVABLE[object_type]]
        if unknown or not properties:
            return self._status(object_type, f"Error: The Request Property(s) {', '.join(unknown)} do not match "
                                             f"with the fields of {object_type} retrieve")
        if soap_xml.child_text(operation, "SimpleOperator") == "IN" and len(_filter_values(operation)) < 2:
            # the API refuses IN with one value (Marketing Cloud's own tooling sends equals then)
            return self._status(object_type, "Error: The IN operator requires more than one value")
        matches = _filter(operation)
        results = [_project(item, properties) for item in self._data.soap[object_type] if matches(item)]
        return self._page(object_type, results, 0)

    def _continue(self, request: Request) -> Reply:
        if not self._valid(soap_xml.header_text(request.body, "fueloauth")):
            return Reply(401, b"Unauthorized", "text/plain")
        cursor = self._cursors.get(soap_xml.child_text(soap_xml.parse(request.body), "ContinueRequest") or "")
        if cursor is None:
            return self._status("unknown", "Error: ContinueRequest not found")
        return self._page(cursor[0], cursor[1], cursor[2])

    def _page(self, object_type: str, results: list[dict[str, Any]], offset: int) -> Reply:
        end = offset + self._soap_page_size
        request_id = str(uuid.uuid4())
        if end < len(results):
            with self._lock:
                self._cursors[request_id] = (object_type, results, end)
            status = "MoreDataAvailable"
        else:
            status = "OK"
        return Reply.xml(200, soap_xml.retrieve_response(object_type, results[offset:end], status, request_id))

    def _status(self, object_type: str, status: str) -> Reply:
        return Reply.xml(200, soap_xml.retrieve_response(object_type, [], status, str(uuid.uuid4())))

    # -- REST -------------------------------------------------------------------------------
    def _rest_route(self, request: Request, path: str) -> Route | None:
        page = int(request.param("$page", "1") or 1)
        lists = {"/interaction/v1/interactions": ("mc.rest.interactions", self._interactions),
                 "/interaction/v1/eventDefinitions": ("mc.rest.eventDefinitions", self._event_definitions),
                 "/contacts/v1/attributeSetDefinitions": ("mc.rest.attributeSetDefinitions", self._attribute_sets)}
        if path.rstrip("/") in lists:
            label, answer = lists[path.rstrip("/")]
            if (label == "mc.rest.interactions" and "journeys" in self._data.refused) or (
                    label == "mc.rest.attributeSetDefinitions" and "attribute_sets" in self._data.refused):
                answer = self._forbidden
            return Route(label, self._authorized(answer), paging=page > 1)
        if path.startswith("/interaction/v1/interactions/"):
            return Route("mc.rest.interaction", self._authorized(self._interaction))
        return None

    def _authorized(self, answer: Callable[[Request], Reply]) -> Callable[[Request], Reply]:
        def guarded(request: Request) -> Reply:
            if not self._valid(request.bearer()):
                return Reply.json(401, NOT_AUTHORIZED)
            return answer(request)
        return guarded

    def _page_and_size(self, request: Request) -> tuple[int, int]:
        page = max(1, int(request.param("$page", "1") or 1))
        return page, max(1, min(int(request.param("$pageSize", "50") or 50), self._rest_max_page_size))

    def _listing(self, request: Request, items: list[dict[str, Any]]) -> Reply:
        page, size = self._page_and_size(request)
        chunk = items[(page - 1) * size: page * size]
        return Reply.json(200, {"count": len(items), "page": page, "pageSize": size, "links": {}, "items": chunk})

    def _interactions(self, request: Request) -> Reply:
        items = self._data.journeys
        if (request.param("mostRecentVersionOnly", "true") or "true").lower() != "false":
            latest: dict[str, dict[str, Any]] = {}
            for item in items:
                if item["key"] not in latest or item["version"] > latest[item["key"]]["version"]:
                    latest[item["key"]] = item
            items = list(latest.values())
        extras = (request.param("extras", "") or "").lower()
        if "stats" not in extras and "all" not in extras:
            items = [{k: v for k, v in item.items() if k != "stats"} for item in items]
        return self._listing(request, items)

    def _interaction(self, request: Request) -> Reply:
        detail = self._data.details.get(request.path.rstrip("/").rsplit("/", 1)[-1])
        if detail is None:
            return Reply.json(404, {"message": "Not found", "errorcode": 30000})
        return Reply.json(200, detail)

    def _event_definitions(self, request: Request) -> Reply:
        items = self._data.event_definitions
        if (request.param("extras", "") or "").lower() != "all":
            # without extras=all the list leaves out each definition's schema and configuration
            items = [{k: v for k, v in item.items() if k not in ("schema", "configurationArguments")}
                     for item in items]
        return self._listing(request, items)

    def _forbidden(self, request: Request) -> Reply:
        return Reply.json(403, {"message": "Insufficient privileges", "errorcode": 10002})

    def _attribute_sets(self, request: Request) -> Reply:
        """`count` sets, at most `pageSize` items and ATTRIBUTES_PER_PAGE attributes a page; a set that
        does not fit goes on, as the same set, on the next page (so only page 1 is what AEP sees)."""
        page, size = self._page_and_size(request)
        pages = _attribute_pages(self._data.attribute_sets, size)
        chunk = pages[page - 1] if page <= len(pages) else []
        return Reply.json(200, {"count": len(self._data.attribute_sets), "page": page, "pageSize": size,
                                "links": {}, "items": chunk})


def _attribute_pages(sets: list[dict[str, Any]], size: int) -> list[list[dict[str, Any]]]:
    """Every page of the list, in order, each item a set (or the next slice of one)."""
    pages: list[list[dict[str, Any]]] = []
    current: list[dict[str, Any]] = []
    room = ATTRIBUTES_PER_PAGE
    for attribute_set in sets:
        attributes = attribute_set["attributes"]
        start = 0
        while True:
            if len(current) == size or room == 0:  # this page is full: start the next one
                pages.append(current)
                current, room = [], ATTRIBUTES_PER_PAGE
            part = attributes[start:start + room]
            current.append({**attribute_set, "attributes": part})
            room -= len(part)
            start += len(part)
            if start >= len(attributes):
                break
    if current:
        pages.append(current)
    return pages


def _project(item: dict[str, Any], properties: list[str]) -> dict[str, Any]:
    """Only what was asked for, as the API answers (plus the parts it always sends)."""
    wanted = {prop.split(".")[0] for prop in properties} | {"Client", "Locale"}
    return {key: value for key, value in item.items() if key in wanted}


def _filter_values(operation: Any) -> set[str]:
    return {v for f in operation.iter() if isinstance(f.tag, str) and f.tag.endswith("Filter")
            for v in soap_xml.children_text(f, "Value")}


def _filter(operation: Any) -> Callable[[dict[str, Any]], bool]:
    """The request's SimpleFilterPart as a test on one item, read from the request once."""
    prop = soap_xml.child_text(operation, "Property")
    if not prop:
        return lambda item: True
    operator = soap_xml.child_text(operation, "SimpleOperator")
    values = _filter_values(operation)
    parts = prop.split(".")

    def matches(item: dict[str, Any]) -> bool:
        actual: Any = item
        for part in parts:
            actual = actual.get(part) if isinstance(actual, dict) else None
        text = "" if actual is None else str(actual).lower() if isinstance(actual, bool) else str(actual)
        if operator == "IN":
            return text in values
        if operator == "equals":
            return text in values and len(values) == 1
        return True

    return matches
