"""A local HTTP server that plays a Salesforce org and a Marketing Cloud account from a snapshot.

    with emulate(snapshot) as api:
        mcaudit collect --sf-login-url api.sf_login_url --mc-auth-url api.mc_auth_url ...

It listens on 127.0.0.1 on a free port, counts calls per endpoint label, and injects faults on
demand (see faults.py). It builds on the snapshot model only, never on the collectors, so that
collect(emulate(snapshot)) is a real round trip through HTTP, simple-salesforce and zeep.
"""

from __future__ import annotations

import socket
import threading
import time
from collections import Counter
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit

from mcaudit.snapshot import Snapshot
from mcaudit.testing.faults import Fault, FaultKind, FaultPlan
from mcaudit.testing.http_types import Reply, Request, Route
from mcaudit.testing.marketing_cloud_api import AUTH, MarketingCloudApi, MarketingCloudLogin
from mcaudit.testing.salesforce_api import SalesforceApi, SalesforceLogin


@dataclass(frozen=True)
class EmulatorConfig:
    salesforce: SalesforceLogin = field(default_factory=SalesforceLogin)
    marketing_cloud: MarketingCloudLogin = field(default_factory=MarketingCloudLogin)
    sf_page_size: int = 2000  # Salesforce's default batch for query/queryMore
    soap_page_size: int = 2500  # Marketing Cloud's Retrieve page
    rest_max_page_size: int = 50  # documented maximum of the journey and event lists
    metadata: str = "allowed"  # allowed | refused | hidden (managed-package app: no OAuth policy)
    journey_entry_hints: bool = True  # list items name their entry event in `defaults`
    latency: float = 0.0  # seconds every answer waits, as a real network would (the collection benchmark)
    stale_entry_keys: bool = False  # journey details name their entry event by a stale key (the id stays right)
    extra_soap_rows: tuple[tuple[str, dict[str, Any]], ...] = ()  # (object type, row) served as well, as given
    # the Salesforce auditor's missing permissions (salesforce_api.PERMISSIONS) and the objects it
    # may not see (they answer INVALID_TYPE, as an object without access does)
    sf_lacking: frozenset[str] = frozenset()
    sf_hidden: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    label: str
    paging: bool
    status: int | None
    params: dict[str, list[str]] = field(default_factory=dict)  # the query string (SOQL in `q`)
    body: bytes = b""  # what was posted (SOAP envelopes)
    started: float = 0.0  # time.monotonic() when the request arrived and when it was answered
    ended: float = 0.0


class _Drop(Exception):
    """Close the connection without answering."""


class Emulator:
    def __init__(self, snapshot: Snapshot, config: EmulatorConfig | None = None) -> None:
        self.config = config or EmulatorConfig()
        self.faults = FaultPlan()
        self.calls: list[Call] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self.salesforce = (SalesforceApi(snapshot, self.config.salesforce, page_size=self.config.sf_page_size,
                                         metadata=self.config.metadata, base_url=lambda: self.base_url,
                                         lacking=frozenset(self.config.sf_lacking),
                                         hidden=frozenset(self.config.sf_hidden))
                           if snapshot.salesforce is not None else None)
        self.marketing_cloud = (MarketingCloudApi(
            snapshot, self.config.marketing_cloud, soap_page_size=self.config.soap_page_size,
            rest_max_page_size=self.config.rest_max_page_size, entry_hints=self.config.journey_entry_hints,
            stale_entry_keys=self.config.stale_entry_keys, extra_soap_rows=self.config.extra_soap_rows,
            base_url=lambda: self.base_url) if snapshot.marketing_cloud is not None else None)

    # -- lifecycle --------------------------------------------------------------------------
    def start(self) -> Emulator:
        handler = type("EmulatorHandler", (_Handler,), {"emulator": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, name="mcaudit-emulator",
                         daemon=True).start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # wakes slow responses
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> Emulator:
        return self.start() if self._server is None else self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.stop()

    # -- addresses --------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        assert self._server is not None, "start the emulator first"
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def sf_login_url(self) -> str:
        return self.base_url

    @property
    def mc_auth_url(self) -> str:
        return self.base_url + AUTH

    # -- counting ---------------------------------------------------------------------------
    def inject(self, fault: Fault) -> Fault:
        return self.faults.add(fault)

    def counts(self, *, paging: bool | None = None) -> Counter[str]:
        """Calls per label; paging=False leaves continuation pages out, True counts only them."""
        with self._lock:
            return Counter(call.label for call in self.calls if paging is None or call.paging == paging)

    def reset_counts(self) -> None:
        with self._lock:
            self.calls.clear()

    # -- handling ---------------------------------------------------------------------------
    def handle(self, request: Request) -> Reply:
        started = time.monotonic()
        if self.config.latency:
            self._stopping.wait(self.config.latency)
        route = self._route(request)
        fault = self.faults.take(route.label) if route else None
        reply = self._answer(request, route, fault)
        with self._lock:
            self.calls.append(Call(request.method, request.path, route.label if route else "unrouted",
                                   route.paging if route else False, reply.status if reply else None,
                                   request.query, request.body, started, time.monotonic()))
        if reply is None:
            raise _Drop
        return reply

    def _route(self, request: Request) -> Route | None:
        for api in (self.salesforce, self.marketing_cloud):
            route = api.route(request) if api is not None else None
            if route is not None:
                return route
        return None

    def _answer(self, request: Request, route: Route | None, fault: Fault | None) -> Reply | None:
        if route is None:
            return Reply.json(405 if request.method not in ("GET", "POST") else 404, {"message": "not emulated"})
        if fault is not None:
            if fault.kind is FaultKind.drop:
                return None
            if fault.kind is FaultKind.status:
                headers = {"Retry-After": fault.retry_after} if fault.retry_after else {}
                return Reply(fault.status, b'{"message": "emulated failure"}', headers=headers)
            if fault.kind is FaultKind.redirect:
                return Reply(fault.status, b"", headers={"Location": fault.location})
            if fault.kind is FaultKind.malformed:
                return (Reply.xml(200, b"<soap:Envelope><soap:Body><Retrieve") if route.xml
                        else Reply(200, b'{"records": [{"Id": '))
            if fault.kind is FaultKind.cut:
                return replace(route.answer(request), cut=True)
            if fault.kind is FaultKind.slow:
                self._stopping.wait(fault.delay)
            if fault.kind is FaultKind.expire_token and self.marketing_cloud is not None:
                self.marketing_cloud.expire_token_of(request)
        return route.answer(request)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    emulator: Emulator

    def setup(self) -> None:
        super().setup()
        # headers and body go out in two writes; without this, Nagle + delayed ACK add 40 ms a call
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_GET(self) -> None:
        self._dispatch()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_GET

    def _dispatch(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        parts = urlsplit(self.path)
        request = Request(self.command, parts.path, parse_qs(parts.query, keep_blank_values=True),
                          {key.lower(): value for key, value in self.headers.items()}, body)
        try:
            reply = self.emulator.handle(request)
        except _Drop:
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        try:
            self.send_response(reply.status)
            self.send_header("Content-Type", reply.content_type)
            self.send_header("Content-Length", str(len(reply.body)))
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.end_headers()
            if reply.cut:
                self.wfile.write(reply.body[:len(reply.body) // 2])
                self.wfile.flush()
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)
            elif self.command != "HEAD":
                self.wfile.write(reply.body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client gave up (a slow response beyond its timeout)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the tests read the call log instead."""


def emulate(snapshot: Snapshot, config: EmulatorConfig | None = None) -> Emulator:
    """A started emulator serving this snapshot (use it as a context manager to stop it)."""
    return Emulator(snapshot, config).start()
