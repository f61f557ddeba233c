"""SOAP Retrieve: zeep builds and sends the envelope from the WSDL; lxml reads the reply.

zeep serialises the RetrieveRequest (filters, ContinueRequest) exactly as the WSDL says, through
the guarded HTTP layer. The reply is read with lxml rather than zeep's typed parser: a 10,000-user
account answers with tens of thousands of objects, which zeep's parser takes seconds per page to
build, and a Retrieve reply is a flat list of Results that plain element reading handles fully.
MoreDataAvailable is followed with ContinueRequest to the last page.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lxml import etree
from requests import Response

from mcaudit.collectors import zeep_clients
from mcaudit.collectors.http import GuardedSession
from mcaudit.collectors.marketing_cloud.token import TOKEN_RETRIES, Token, TokenManager
from mcaudit.collectors.problems import ApiError

PARTNER_NS = "http://exacttarget.com/wsdl/partnerAPI"
ENVELOPE_NS = "http://schemas.xmlsoap.org/soap/envelope/"
XSI_NIL = "{http://www.w3.org/2001/XMLSchema-instance}nil"
BINDING = f"{{{PARTNER_NS}}}SoapBinding"
FUEL_NS = "http://exacttarget.com"  # the header that carries an OAuth token to the SOAP API
MAX_PAGES = 10_000
EXPIRED_HINTS = ("token expired", "login failed", "unauthorized")
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)

SoapObject = dict[str, Any]  # element name -> text, nested object, or list of repeated ones


class SoapFault(ApiError):
    def __init__(self, message: str) -> None:
        super().__init__(f"SOAP fault: {message}")
        self.expired = any(hint in message.lower() for hint in EXPIRED_HINTS)


class SoapClient:
    def __init__(self, tokens: TokenManager, session: GuardedSession, wsdl: str | None = None) -> None:
        self._tokens = tokens
        self._client = zeep_clients.client(wsdl or str(zeep_clients.MC_WSDL), session)

    def retrieve(self, object_type: str, properties: list[str], *, filter: Any = None,
                 query_all_accounts: bool = False,
                 on_page: Callable[[int], None] | None = None) -> list[SoapObject]:
        request: dict[str, Any] = {"ObjectType": object_type, "Properties": properties}
        if filter is not None:
            request["Filter"] = filter
        if query_all_accounts:
            request["QueryAllAccounts"] = True
        results: list[SoapObject] = []
        for _ in range(MAX_PAGES):
            status, request_id, page = self._call(request)
            results.extend(page)
            if on_page is not None:
                on_page(len(results))
            if status == "OK":
                return results
            if status != "MoreDataAvailable" or not request_id:
                raise ApiError(f"Retrieve {object_type}: {status or 'no status'}")
            request = {"ObjectType": object_type, "ContinueRequest": request_id}
        raise ApiError(f"Retrieve {object_type}: more than {MAX_PAGES} pages")

    def simple_filter(self, prop: str, operator: str, values: list[str]) -> Any:
        return self._client.get_type(f"{{{PARTNER_NS}}}SimpleFilterPart")(  # type: ignore[no-untyped-call]
            Property=prop, SimpleOperator=operator, Value=values)

    def _call(self, request: dict[str, Any]) -> tuple[str, str | None, list[SoapObject]]:
        token = self._tokens.current()
        for _ in range(TOKEN_RETRIES):
            try:
                return _read_reply(self._send(token, request))
            except SoapFault as fault:
                if not fault.expired:
                    raise
            token = self._tokens.refresh(token)  # a new token, one more try
        return _read_reply(self._send(token, request))

    def _send(self, token: Token, request: dict[str, Any]) -> Response:
        service = self._client.create_service(BINDING, token.soap_url + "Service.asmx")  # type: ignore[no-untyped-call]
        header = etree.Element(f"{{{FUEL_NS}}}fueloauth")
        header.text = token.access_token
        with self._client.settings(raw_response=True):
            response: Response = service.Retrieve(RetrieveRequest=request, _soapheaders=[header])
        return response


def _read_reply(response: Response) -> tuple[str, str | None, list[SoapObject]]:
    if response.status_code == 401:
        raise SoapFault("Unauthorized (token expired)")
    try:
        root = etree.fromstring(response.content, parser=_PARSER)
    except etree.XMLSyntaxError:
        raise ApiError(f"Retrieve answered HTTP {response.status_code} with a malformed body") from None
    body = root.find(f"{{{ENVELOPE_NS}}}Body")
    fault = body.find(f"{{{ENVELOPE_NS}}}Fault") if body is not None else None
    if fault is not None:
        raise SoapFault(fault.findtext("faultstring") or "no message")
    message = body.find(f"{{{PARTNER_NS}}}RetrieveResponseMsg") if body is not None else None
    if message is None or response.status_code != 200:
        raise ApiError(f"Retrieve answered HTTP {response.status_code} without a RetrieveResponseMsg")
    results = [_plain(element) for element in message.iterchildren(f"{{{PARTNER_NS}}}Results")]
    return (message.findtext(f"{{{PARTNER_NS}}}OverallStatus") or "", message.findtext(f"{{{PARTNER_NS}}}RequestID"),
            [result for result in results if isinstance(result, dict)])


def _plain(element: Any) -> Any:
    children = [child for child in element.iterchildren() if isinstance(child.tag, str)]
    if not children:
        return None if element.get(XSI_NIL) == "true" else element.text
    result: SoapObject = {}
    for child in children:
        name, value = etree.QName(child).localname, _plain(child)
        if name not in result:
            result[name] = value
        elif isinstance(result[name], list):
            result[name].append(value)
        else:
            result[name] = [result[name], value]
    return result
