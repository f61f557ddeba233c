"""The packaged WSDL agrees with the published Marketing Cloud WSDL: same namespace, and every type
and element it declares exists there under the same name (AccountUserAccount aside, which the live
API serves but the published WSDL leaves out). It declares one operation: Retrieve."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from mcaudit.collectors.zeep_clients import MC_WSDL

from ..conftest import ROOT

REFERENCE = ROOT.parent / "shared" / "reference" / "ExactTargetWSDL.xml"
WSDL_NS = "http://schemas.xmlsoap.org/wsdl/"
XSD_NS = "http://www.w3.org/2001/XMLSchema"
LIVE_ONLY = {"AccountUserAccount"}


def types(path: Path) -> tuple[str, dict[str, tuple[str | None, set[str]]]]:
    """(target namespace, {complexType: (base type, element names)})."""
    root = etree.parse(str(path)).getroot()
    found = {}
    for complex_type in root.iter(f"{{{XSD_NS}}}complexType"):
        name = complex_type.get("name")
        if not name:
            continue
        extension = complex_type.find(f".//{{{XSD_NS}}}extension")
        base = extension.get("base").split(":")[-1] if extension is not None else None
        elements = {element.get("name") for element in complex_type.iter(f"{{{XSD_NS}}}element")
                    if element.get("name")}
        found[name] = (base, elements)
    return root.get("targetNamespace"), found


def flattened(name: str, table: dict[str, tuple[str | None, set[str]]]) -> set[str]:
    base, elements = table[name]
    return elements | (flattened(base, table) if base and base in table else set())


@pytest.mark.skipif(not REFERENCE.exists(), reason="the reference WSDL is not in this checkout")
def test_packaged_wsdl_matches_the_published_one() -> None:
    ours_ns, ours = types(MC_WSDL)
    theirs_ns, theirs = types(REFERENCE)
    assert ours_ns == theirs_ns == "http://exacttarget.com/wsdl/partnerAPI"
    for name in ours:
        if name in LIVE_ONLY:
            continue
        assert name in theirs, f"{name} is not in the published WSDL"
        assert flattened(name, ours) <= flattened(name, theirs), name
        assert ours[name][0] == theirs[name][0], f"{name} extends another base"


def test_packaged_wsdl_declares_only_retrieve() -> None:
    root = etree.parse(str(MC_WSDL)).getroot()
    operations = {op.get("name") for op in root.iter(f"{{{WSDL_NS}}}operation")}
    assert operations == {"Retrieve"}
    actions = {op.get("soapAction") for op in root.iter("{http://schemas.xmlsoap.org/wsdl/soap/}operation")}
    assert actions == {"Retrieve"}
