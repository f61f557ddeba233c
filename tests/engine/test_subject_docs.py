"""The README's table of subjects and attributes for custom rules matches the code."""

from __future__ import annotations

import re

from mcaudit.engine import subjects
from mcaudit.engine.subjects import SUBJECTS

from ..conftest import ROOT

VIEWS = {
    "sf.org": subjects.OrgView,
    "sf.mcc_connected_app": subjects.ConnectedAppView,
    "sf.connector": subjects.ConnectorView,
    "sf.system_user": subjects.SystemUserView,
    "sf.impacted_users": subjects.SalesforceUserView,
    "sf.mcc_permission_holders": subjects.SalesforceUserView,
    "mc.api_user": subjects.MarketingCloudUserView,
    "mc.account": subjects.AccountView,
}


def _documented() -> dict[str, list[str]]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    table = text[text.index("| subject | one result per | attributes |"):]
    rows: dict[str, list[str]] = {}
    for line in table.splitlines()[2:]:
        if not line.startswith("| `"):
            break
        names_cell, _, attributes_cell = line.strip("|").split("|")
        for name in re.findall(r"`([a-z_.]+)`", names_cell):
            rows[name] = re.findall(r"`([a-z_]+)`", attributes_cell)
    return rows


def test_every_documented_attribute_exists() -> None:
    documented = _documented()
    assert set(documented) == set(VIEWS)
    for name, attributes in documented.items():
        assert name in SUBJECTS
        missing = [attribute for attribute in attributes if not hasattr(VIEWS[name], attribute)]
        assert not missing, f"{name}: {missing}"
