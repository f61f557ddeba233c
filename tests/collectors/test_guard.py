"""The HTTP layer only reads: it refuses any SOAP operation but Retrieve (and the Metadata reads),
any REST method but GET, and plain http to anything but this machine, before a byte is sent."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests

from mcaudit.collectors.guard import WriteRefused, check_read_only
from mcaudit.collectors.http import GuardedSession, HttpSettings, InsecureURL, RetryPolicy
from mcaudit.collectors.secrets import Redactor
from mcaudit.testing.scenarios import with_empty_sections

from .conftest import collect, sample

PARTNER = "http://exacttarget.com/wsdl/partnerAPI"
METADATA = "http://soap.sforce.com/2006/04/metadata"


def envelope(operation: str, namespace: str = PARTNER) -> str:
    return ('<?xml version="1.0"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/">'
            f'<s:Header/><s:Body><{operation} xmlns="{namespace}"><Objects/></{operation}></s:Body></s:Envelope>')


def prepared(method: str, url: str, body: str | None = None, action: str | None = None) -> requests.PreparedRequest:
    headers = {"SOAPAction": action} if action else {}
    return requests.Request(method, url, data=body, headers=headers).prepare()


@pytest.mark.parametrize("operation", ["CreateRequest", "UpdateRequest", "DeleteRequest", "PerformRequestMsg",
                                       "ConfigureRequestMsg", "ScheduleRequestMsg", "ExecuteRequestMsg"])
def test_soap_writes_are_refused(operation: str) -> None:
    with pytest.raises(WriteRefused):
        check_read_only(prepared("POST", "https://x.soap.marketingcloudapis.com/Service.asmx", envelope(operation)))


@pytest.mark.parametrize("operation", ["createMetadata", "updateMetadata", "deleteMetadata", "deploy",
                                       "upsertMetadata"])
def test_metadata_writes_are_refused(operation: str) -> None:
    with pytest.raises(WriteRefused):
        check_read_only(prepared("POST", "https://acme.my.salesforce.com/services/Soap/m/59.0",
                                 envelope(operation, METADATA)))


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_rest_writes_are_refused(method: str) -> None:
    for url in ("https://acme.my.salesforce.com/services/data/v59.0/sobjects/User/005xx",
                "https://x.rest.marketingcloudapis.com/interaction/v1/interactions"):
        with pytest.raises(WriteRefused):
            check_read_only(prepared(method, url, '{"Name": "changed"}'))


def test_a_retrieve_envelope_cannot_claim_another_action() -> None:
    with pytest.raises(WriteRefused):
        check_read_only(prepared("POST", "https://x.soap.marketingcloudapis.com/Service.asmx",
                                 envelope("RetrieveRequestMsg"), action="Create"))


def test_reads_and_token_requests_pass() -> None:
    soap = "https://x.soap.marketingcloudapis.com/Service.asmx"
    rest = "https://x.rest.marketingcloudapis.com/interaction/v1/interactions"
    assert check_read_only(prepared("GET", rest)) == "GET"
    assert check_read_only(prepared("POST", soap, envelope("RetrieveRequestMsg"), action='"Retrieve"')) == "Retrieve"
    assert check_read_only(prepared("POST", "https://x.auth.marketingcloudapis.com/v2/token", "{}")) == "token"
    assert check_read_only(prepared("POST", "https://login.salesforce.com/services/Soap/u/59.0",
                                    envelope("login", "urn:partner.soap.sforce.com"), action="login")) == "login"
    assert check_read_only(prepared("POST", "https://a.my.salesforce.com/services/Soap/m/59.0",
                                    envelope("readMetadata", METADATA))) == "readMetadata"


def test_refused_requests_never_reach_the_server(serve) -> None:
    api = serve(with_empty_sections(sample("healthy.yaml")))
    session = GuardedSession(HttpSettings(timeout=1), Redactor())
    with pytest.raises(WriteRefused):
        session.post(f"{api.base_url}/mc-soap/Service.asmx", data=envelope("CreateRequest"),
                     headers={"SOAPAction": "Create"})
    with pytest.raises(WriteRefused):
        session.delete(f"{api.base_url}/services/data/v59.0/sobjects/User/005000000000001")
    with pytest.raises(WriteRefused):
        session.patch(f"{api.base_url}/mc-rest/interaction/v1/interactions/abc", json={"status": "Stopped"})
    assert api.calls == []


def test_a_whole_collection_only_reads(serve, tmp_path: Path, capsys) -> None:
    source = with_empty_sections(sample("rotation/live.yaml"))
    api = serve(source)
    collect(api, source, tmp_path / "s.yaml", capsys)
    posts = {call.label for call in api.calls if call.method != "GET"}
    assert posts <= {"sf.login", "mc.token", "sf.metadata.listMetadata", "sf.metadata.readMetadata"} | {
        label for label in posts if label.startswith("mc.soap.Retrieve:")}
    assert {call.method for call in api.calls} == {"GET", "POST"}


@pytest.mark.parametrize("url", ["http://login.salesforce.com/services/Soap/u/59.0", "http://10.0.0.5/v2/token",
                                 "ftp://example.com/x"])
def test_plain_http_only_to_loopback(url: str) -> None:
    session = GuardedSession(HttpSettings(timeout=1), Redactor())
    with pytest.raises(InsecureURL):
        session.get(url)


def test_tls_verification_cannot_be_turned_off() -> None:
    seen: dict[str, object] = {}

    class Recorder(requests.adapters.HTTPAdapter):
        def send(self, request, **kwargs):  # type: ignore[no-untyped-def]
            seen.update(kwargs)
            response = requests.Response()
            response.status_code, response._content, response.request = 200, b"{}", request
            return response

    session = GuardedSession(HttpSettings(timeout=3, retry=RetryPolicy(attempts=1)), Redactor())
    session.mount("https://", Recorder())
    session.get("https://example.com/", verify=False)
    assert seen["verify"] is True and seen["timeout"] == 3
