"""zeep clients on WSDL files, sending through the guarded HTTP layer.

Parsing a WSDL takes a noticeable part of a second (the Metadata API's is 27,000 lines), so the
two WSDLs that ship with mcaudit and simple-salesforce are parsed once per process; neither imports
anything remote. Any other WSDL (--mc-wsdl) is loaded afresh through the guarded session.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path

import simple_salesforce
from zeep import Client, Settings
from zeep.transports import Transport
from zeep.wsdl import Document

from mcaudit.collectors.http import GuardedSession

MC_WSDL = Path(str(resources.files("mcaudit.collectors") / "wsdl" / "etframework.wsdl"))
METADATA_WSDL = Path(simple_salesforce.__file__).parent / "metadata.wsdl"  # shipped with simple-salesforce
SHIPPED = frozenset({str(MC_WSDL), str(METADATA_WSDL)})


def settings() -> Settings:
    # not strict: live responses carry elements a WSDL leaves out, in any order
    return Settings(strict=False, xsd_ignore_sequence_order=True)


@lru_cache(maxsize=len(SHIPPED))
def _shipped_document(path: str) -> Document:
    return Document(path, Transport(), settings=settings())  # type: ignore[no-untyped-call,arg-type]


def client(wsdl: str, session: GuardedSession) -> Client:
    transport = Transport(session=session, timeout=session.settings.timeout,  # type: ignore[no-untyped-call]
                          operation_timeout=session.settings.timeout)
    document = _shipped_document(wsdl) if wsdl in SHIPPED else wsdl
    return Client(document, transport=transport, settings=settings())  # type: ignore[no-untyped-call]
