"""The read-only guard: every request the collectors send passes here before it leaves.

Reads are GET. The only POSTs allowed are the ones a read needs: an OAuth token request, the
Salesforce SOAP login, and SOAP envelopes whose operation reads (Marketing Cloud Retrieve,
Metadata API readMetadata/listMetadata). Anything else is refused before it reaches the network,
so a bug or a hostile WSDL cannot turn an audit into a change.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from lxml import etree
from requests import PreparedRequest

from mcaudit.errors import CollectionError

MC_PARTNER_NS = "http://exacttarget.com/wsdl/partnerAPI"
SF_PARTNER_NS = "urn:partner.soap.sforce.com"
SF_METADATA_NS = "http://soap.sforce.com/2006/04/metadata"

# (namespace, element) of the first child of soap:Body -> the SOAPAction it may carry
READ_OPERATIONS: dict[tuple[str, str], str] = {
    (MC_PARTNER_NS, "RetrieveRequestMsg"): "Retrieve",
    (SF_PARTNER_NS, "login"): "login",
    (SF_METADATA_NS, "readMetadata"): "readMetadata",
    (SF_METADATA_NS, "listMetadata"): "listMetadata",
}
TOKEN_PATHS = ("/v2/token", "/services/oauth2/token")
READ_METHODS = frozenset({"GET", "HEAD"})
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


class WriteRefused(CollectionError):
    """A request that could change something was about to be sent; it was not."""


def check_read_only(request: PreparedRequest) -> str:
    """Return a short name of the allowed request, or raise WriteRefused."""
    method = (request.method or "").upper()
    path = urlsplit(request.url or "").path
    if method in READ_METHODS:
        return method
    if method != "POST":
        raise WriteRefused(f"refused {method} {path}: mcaudit only reads")
    if path.rstrip("/").endswith(TOKEN_PATHS):
        return "token"
    body = request.body if isinstance(request.body, str | bytes) else None  # a stream is not a read
    operation = _soap_operation(body)
    if operation is None:
        raise WriteRefused(f"refused POST {path}: not a token request or a SOAP read")
    raw_action = request.headers.get("SOAPAction") or ""
    action = (raw_action.decode("latin-1") if isinstance(raw_action, bytes) else raw_action).strip().strip('"')
    if action and action != operation:
        raise WriteRefused(f"refused SOAP action '{action}' on {path}: mcaudit only reads")
    return operation


def _soap_operation(body: str | bytes | None) -> str | None:
    if not body:
        return None
    raw = body.encode("utf-8") if isinstance(body, str) else body
    try:
        root = etree.fromstring(raw, parser=_PARSER)
    except etree.XMLSyntaxError:
        return None
    envelope_body = next((child for child in root.iterchildren(etree.Element)
                          if etree.QName(child).localname == "Body"), None)
    if envelope_body is None:
        return None
    first = next(envelope_body.iterchildren(etree.Element), None)
    if first is None:
        return None
    name = etree.QName(first)
    return READ_OPERATIONS.get((name.namespace or "", name.localname))
