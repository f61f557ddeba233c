"""Credentials never leave their host: no redirect is followed for a request that carries one, none
goes to another host, and API base URLs a response names must be the vendor's (or --allow-host's).

"Another host" is a listener on 127.0.0.2 that records whatever reaches it; the emulator (on
127.0.0.1) answers with the redirect or the base URL under test.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import pytest
from simple_salesforce.exceptions import SalesforceGeneralError

from mcaudit.collectors.http import MARKETING_CLOUD_DOMAINS, HttpSettings, InsecureURL, check_api_base, safe_url
from mcaudit.collectors.problems import describe
from mcaudit.collectors.secrets import Redactor
from mcaudit.snapshot import Snapshot
from mcaudit.testing import Fault
from mcaudit.testing.marketing_cloud_api import MarketingCloudLogin
from mcaudit.testing.salesforce_api import SalesforceLogin

from ..collectors.conftest import MC_CLIENT_SECRET, SF_PASSWORD, collect, run_main

TOKEN = "Zq7-emulated-bearer-token-0123456789abcdef"


class Recorder(BaseHTTPRequestHandler):
    seen: list[tuple[str, str, bytes]]

    def _record(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.seen.append((self.command, self.path, self.rfile.read(length) if length else b""))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_GET = do_POST = _record

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""


@pytest.fixture
def elsewhere() -> Iterator[tuple[str, list[tuple[str, str, bytes]]]]:
    """(base URL of another host, what it received)."""
    seen: list[tuple[str, str, bytes]] = []
    server = HTTPServer(("127.0.0.2", 0), type("Handler", (Recorder,), {"seen": seen}))
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
    yield f"http://127.0.0.2:{server.server_address[1]}", seen
    server.shutdown()
    server.server_close()


def run_of(snapshot: Snapshot | None, name: str) -> Any:
    assert snapshot is not None and snapshot.collection is not None
    return next(run for run in snapshot.collection.collectors if run.name == name)


@pytest.mark.parametrize(("label", "collector", "carried"), [
    ("sf.login", "salesforce", SF_PASSWORD),  # the SOAP login: username, password, security token
    ("mc.token", "marketing_cloud", MC_CLIENT_SECRET),  # client id and secret
    ("mc.soap.Retrieve:Role", "marketing_cloud", None),  # a SOAP envelope with the access token
    ("mc.rest.interactions", "marketing_cloud", None),  # a GET with a bearer token
    ("sf.query:User", "salesforce", None),  # a GET with the session id
])
def test_a_redirect_of_a_request_with_credentials_is_not_followed(
        label: str, collector: str, carried: str | None, healthy: Snapshot, serve, elsewhere,
        tmp_path: Path, capsys) -> None:
    other, seen = elsewhere
    api = serve(healthy)
    api.inject(Fault.redirect(label, f"{other}/steal", times=1_000))
    result = collect(api, healthy, tmp_path / "collected.yaml", capsys)
    assert seen == []  # nothing, credential or not, reached the other host
    assert result.exit_code == 3
    run = run_of(result.snapshot, collector)
    assert "not followed: HTTP 307" in (run.error or "") and "carried credentials" in run.error
    if carried is not None:
        assert carried not in result.stderr and carried not in (tmp_path / "collected.yaml").read_text()


def test_the_token_is_never_sent_to_a_base_url_outside_marketing_cloud(healthy: Snapshot, serve, elsewhere,
                                                                        tmp_path: Path, capsys) -> None:
    other, seen = elsewhere
    for rest, soap, said in (
            ("https://evil.example.com/", "https://evil.example.com/", "outside marketingcloudapis.com"),
            (f"{other}/", "file:///etc/passwd", "refused file://"),
            ("https://user:pw@x.rest.marketingcloudapis.com/", "https://x.soap.marketingcloudapis.com/",
             "user information")):
        api = serve(healthy, marketing_cloud=MarketingCloudLogin(rest_instance_url=rest, soap_instance_url=soap))
        result = collect(api, healthy, tmp_path / "collected.yaml", capsys)
        run = run_of(result.snapshot, "marketing_cloud")
        assert run.status.value == "failed" and said in (run.error or ""), run.error
        assert [call.label for call in api.calls if call.label.startswith("mc.")] == ["mc.token"]
    assert seen == []


def test_the_session_id_is_never_sent_to_an_instance_outside_salesforce(healthy: Snapshot, serve, elsewhere,
                                                                       tmp_path: Path, capsys) -> None:
    other, seen = elsewhere
    for instance, said in (("https://acme.my.salesforce.com.evil.example", "refused http://acme.my.salesforce.com.evil"),
                           (other, None)):  # loopback: the emulator's own kind of address, allowed
        api = serve(healthy, salesforce=SalesforceLogin(instance_url=instance))
        result = collect(api, healthy, tmp_path / "collected.yaml", capsys, "--only", "sf")
        run = run_of(result.snapshot, "salesforce")
        assert run.status.value == "failed"
        if said:
            assert said in (run.error or "") and [call.label for call in api.calls] == ["sf.login"]
    # the other host was reached only where loopback is allowed, and never with a password
    assert all(SF_PASSWORD.encode() not in body for _, _, body in seen)


def test_allow_host_names_a_host_outside_the_vendors_domains() -> None:
    settings = HttpSettings(allowed_hosts=("proxy.acme.example",))
    assert check_api_base("https://mc.proxy.acme.example/rest/", MARKETING_CLOUD_DOMAINS, settings, "x")
    assert check_api_base("https://abc.rest.marketingcloudapis.com/", MARKETING_CLOUD_DOMAINS, HttpSettings(), "x")
    for url in ("https://marketingcloudapis.com.evil.example/", "https://evilmarketingcloudapis.com/",
                "http://abc.rest.marketingcloudapis.com/"):
        with pytest.raises(InsecureURL):
            check_api_base(url, MARKETING_CLOUD_DOMAINS, settings, "x")


def test_a_secret_is_masked_before_an_error_is_cut_short() -> None:
    redactor = Redactor()
    redactor.add(TOKEN)
    body = "x" * 180 + f"Bearer {TOKEN} rest of a long proxy error page" + "y" * 400
    error = SalesforceGeneralError("https://acme.my.salesforce.com/x", 502, "x", body)
    line = describe(error, redactor)
    assert TOKEN[:8] not in line and "***" in line


def test_urls_in_debug_lines_and_the_snapshot_lose_their_userinfo(healthy: Snapshot, serve, tmp_path: Path,
                                                                   capsys) -> None:
    api = serve(healthy)
    auth = api.mc_auth_url.replace("http://", "http://gateway:Pr0xyPassw0rd@")
    output = tmp_path / "collected.json"
    _, _, err = run_main(["--debug", "collect", "-o", str(output), "--only", "mc", "--mc-auth-url", auth,
                             "--mc-client-id", "emulated-client-id", "--mc-client-secret", MC_CLIENT_SECRET,
                             "--timeout", "2"], capsys)
    assert "Pr0xyPassw0rd" not in err and "Pr0xyPassw0rd" not in output.read_text(encoding="utf-8")
    assert "POST http://127.0.0.1:" in err  # the debug line is there, without the userinfo
    assert safe_url("https://u:p@h.example:8443/a/b?q=1") == "https://h.example:8443/a/b"
