"""The JSON report is documented field by field (the site's generated reference/json-report.md,
from mcaudit.docsgen.json_report_md), and the docs cannot drift."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from mcaudit.docsgen import json_report_md
from mcaudit.findings import AuditReport
from mcaudit.report.viewmodel import FORMAT_VERSION, report_dict

from .conftest import RUNBOOK, SAMPLE_FILES, as_preflight


def documented() -> dict[str, list[str]]:
    """{object: [field, ...]} from the '## JSON: object' tables of the generated page."""
    tables: dict[str, list[str]] = {}
    current = None
    for line in json_report_md().splitlines():
        heading = re.match(r"## JSON: (\S+)", line)
        if heading:
            current = heading.group(1)
            tables[current] = []
        elif line.startswith("#"):
            current = None  # any other heading ends the table
        elif current and (row := re.match(r"\| `([a-z_]+)` \|", line)):
            tables[current].append(row.group(1))
    return tables


def test_every_field_is_documented(make_report: Callable[..., AuditReport]) -> None:
    data: dict[str, Any] = report_dict(as_preflight(make_report(*SAMPLE_FILES)))
    assert data["format_version"] == FORMAT_VERSION == 1
    result = data["results"][0]
    actual = {
        "report": list(data),
        "results[]": list(result),
        "snapshot": list(result["snapshot"]),
        "summary": list(result["summary"]),
        "findings[]": list(result["findings"][0]),
        "rules[]": list(data["rules"][0]),
        "runbook": list(result["runbook"]),
    }
    docs = documented()
    for name, fields in actual.items():
        assert set(docs.get(name, [])) == set(fields), f"mcaudit/docsgen.py JSON_REPORT, JSON: {name}"
    assert result["runbook"]["steps"][0] == {
        "number": 1, "phase": "pause", "action": RUNBOOK.steps[0].action, "asset_kind": "triggered_send",
        "asset_key": "welcome-ts", "note": None}
