"""Read SOAP requests and write SOAP responses for the emulator (Marketing Cloud and Salesforce)."""

from __future__ import annotations

from typing import Any
from xml.sax.saxutils import escape

from lxml import etree

ENVELOPE_NS = "http://schemas.xmlsoap.org/soap/envelope/"
MC_PARTNER_NS = "http://exacttarget.com/wsdl/partnerAPI"
SF_PARTNER_NS = "urn:partner.soap.sforce.com"
SF_METADATA_NS = "http://soap.sforce.com/2006/04/metadata"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True)


def parse(body: bytes) -> etree._Element:
    """The first element inside soap:Body."""
    root = etree.fromstring(body, parser=_PARSER)
    soap_body = root.find(f"{{{ENVELOPE_NS}}}Body")
    if soap_body is None or len(soap_body) == 0:
        raise ValueError("no SOAP body")
    return soap_body[0]


def header_text(body: bytes, local_name: str) -> str | None:
    root = etree.fromstring(body, parser=_PARSER)
    header = root.find(f"{{{ENVELOPE_NS}}}Header")
    if header is None:
        return None
    for element in header.iter():
        if isinstance(element.tag, str) and etree.QName(element).localname == local_name:
            return (element.text or "").strip()
    return None


def child_text(element: etree._Element, local_name: str) -> str | None:
    for child in element.iter():
        if isinstance(child.tag, str) and etree.QName(child).localname == local_name:
            return str(child.text) if child.text is not None else None
    return None


def children_text(element: etree._Element, local_name: str) -> list[str]:
    return [child.text or "" for child in element
            if isinstance(child.tag, str) and etree.QName(child).localname == local_name]


def render(name: str, value: Any) -> str:
    """One element (repeated for a list) from a plain value or a nested dict; None is left out."""
    if value is None:
        return ""
    if isinstance(value, list):
        return "".join(render(name, item) for item in value)
    if isinstance(value, dict):
        return f"<{name}>{''.join(render(key, item) for key, item in value.items())}</{name}>"
    if isinstance(value, bool):
        value = "true" if value else "false"
    return f"<{name}>{escape(str(value))}</{name}>"


def envelope(body: str) -> bytes:
    return (f'<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="{ENVELOPE_NS}" '
            f'xmlns:xsi="{XSI_NS}"><soap:Body>{body}</soap:Body></soap:Envelope>').encode()


def retrieve_response(object_type: str, results: list[dict[str, Any]], status: str, request_id: str) -> bytes:
    items = "".join(f'<Results xsi:type="{object_type}">{"".join(render(k, v) for k, v in result.items())}'
                    "</Results>" for result in results)
    return envelope(f'<RetrieveResponseMsg xmlns="{MC_PARTNER_NS}"><OverallStatus>{escape(status)}'
                    f"</OverallStatus><RequestID>{request_id}</RequestID>{items}</RetrieveResponseMsg>")


def fault(code: str, message: str) -> bytes:
    return envelope(f"<soap:Fault><faultcode>{escape(code)}</faultcode><faultstring>{escape(message)}"
                    "</faultstring></soap:Fault>")


def login_response(session_id: str, server_url: str, user_id: str, org_id: str) -> bytes:
    return envelope(
        f'<loginResponse xmlns="{SF_PARTNER_NS}"><result><passwordExpired>false</passwordExpired>'
        f"<sandbox>false</sandbox><serverUrl>{escape(server_url)}</serverUrl><sessionId>{session_id}</sessionId>"
        f"<userId>{user_id}</userId><userInfo><organizationId>{org_id}</organizationId></userInfo></result>"
        "</loginResponse>")


def login_fault() -> bytes:
    return envelope(
        '<soap:Fault><faultcode xmlns:sf="urn:fault.partner.soap.sforce.com">sf:INVALID_LOGIN</faultcode>'
        "<faultstring>INVALID_LOGIN: Invalid username, password, security token; or user locked out."
        '</faultstring><detail><sf:LoginFault xmlns:sf="urn:fault.partner.soap.sforce.com">'
        "<sf:exceptionCode>INVALID_LOGIN</sf:exceptionCode><sf:exceptionMessage>Invalid username, password, "
        "security token; or user locked out.</sf:exceptionMessage></sf:LoginFault></detail></soap:Fault>")


def metadata_response(operation: str, results: list[dict[str, Any]], record_type: str | None = None) -> bytes:
    if record_type is None:
        inner = "".join(render("result", result) for result in results)
    else:  # readMetadata: one result holding the records, each typed
        records = "".join(f'<records xsi:type="{record_type}">{"".join(render(k, v) for k, v in r.items())}'
                          "</records>" for r in results)
        inner = f"<result>{records}</result>"
    return envelope(f'<{operation}Response xmlns="{SF_METADATA_NS}">{inner}</{operation}Response>')
