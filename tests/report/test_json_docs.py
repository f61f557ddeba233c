"""The JSON report has one definition, its pydantic model (mcaudit/report/json_model.py): the output,
the JSON Schema `mcaudit schema --report` prints and the generated reference page
(reference/json-report.md, mcaudit.docsgen.json_report_md) all come from it and cannot drift."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import jsonschema

from mcaudit.docsgen import json_report_md
from mcaudit.findings import AuditReport
from mcaudit.report import render
from mcaudit.report.json_model import JsonReport, report_json_schema
from mcaudit.report.viewmodel import FORMAT_VERSION

from ..conftest import run_cli
from .conftest import RUNBOOK, SAMPLE_FILES, as_preflight

# the page's type for a JSON object documented by its own table, e.g. 'list of object [findings[]](#...)'
_TABLE_OBJECT = re.compile(r"^(list of )?object \[")


def documented() -> dict[str, dict[str, str]]:
    """{object: {field: type}} from the '## JSON: object' tables of the generated page."""
    tables: dict[str, dict[str, str]] = {}
    current = None
    for line in json_report_md().splitlines():
        heading = re.match(r"## JSON: (\S+)", line)
        if heading:
            current = heading.group(1)
            tables[current] = {}
        elif line.startswith("#"):
            current = None  # any other heading ends the table
        elif current and (row := re.match(r"\| `([a-z_]+)` \| (.*?) \|", line)):
            tables[current][row.group(1)] = row.group(2)
    return tables


def observed(data: dict[str, Any], docs: dict[str, dict[str, str]]) -> dict[str, set[str]]:
    """{object: fields} as a real report has them, objects named as the page names them: the field they
    sit under, `[]` for a list's items; a map the page documents as one (`object: key → value`) is a value."""
    found: dict[str, set[str]] = {}

    def walk(name: str, node: dict[str, Any]) -> None:
        found.setdefault(name, set()).update(node)
        for field, value in node.items():
            kind = docs.get(name, {}).get(field, "")
            if isinstance(value, dict) and not kind.startswith("object:"):
                walk(field, value)
            elif isinstance(value, list):
                for item in value:
                    if isinstance(item, dict):
                        walk(f"{field}[]", item)

    walk("report", data)
    return found


def real_report(make_report: Callable[..., AuditReport]) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(render(as_preflight(make_report(*SAMPLE_FILES)), "json"))
    return data


def test_every_field_is_documented_and_nothing_else(make_report: Callable[..., AuditReport]) -> None:
    data = real_report(make_report)
    assert data["format_version"] == FORMAT_VERSION == 1
    docs = documented()
    actual = observed(data, docs)
    assert {"report", "results[]", "snapshot", "summary", "findings[]", "rules[]", "runbook", "steps[]",
            "source", "attested", "tool"} <= set(actual), "the sample report no longer shows every object"
    assert set(actual) == set(docs), "reference/json-report.md: objects"
    for name, fields in actual.items():
        assert fields == set(docs[name]), f"reference/json-report.md, JSON: {name}"
    for name, rows in docs.items():
        for field, kind in rows.items():
            if _TABLE_OBJECT.match(kind):  # its link names a table of the page
                target = re.search(r"\]\(#json-([\w-]+)\)", kind)
                assert target and any(re.sub(r"[^\w-]", "", other) == target.group(1) for other in docs), (
                    f"JSON: {name}.{field} links to a table the page lacks")
    result = data["results"][0]
    assert result["runbook"]["steps"][0] == {
        "number": 1, "phase": "pause", "action": RUNBOOK.steps[0].action, "asset_kind": "triggered_send",
        "asset_key": "welcome-ts", "note": None, "asset_location": None}


def test_a_real_report_is_valid_under_the_schema_the_cli_prints(make_report: Callable[..., AuditReport]) -> None:
    result = run_cli("schema", "--report")
    assert result.returncode == 0, result.stderr
    schema = json.loads(result.stdout)
    assert schema == json.loads(json.dumps(report_json_schema()))
    assert schema["$schema"].startswith("https://json-schema.org/")
    assert schema["properties"]["format_version"]["const"] == FORMAT_VERSION
    jsonschema.Draft202012Validator.check_schema(schema)
    data = real_report(make_report)
    jsonschema.Draft202012Validator(schema).validate(data)
    # and the model reads its own output back exactly, key order included
    assert JsonReport.model_validate(data).model_dump(mode="json") == data
    assert list(JsonReport.model_validate(data).model_dump(mode="json")["results"][0]) == list(data["results"][0])


def test_the_schema_says_every_field_is_always_present() -> None:
    schema = report_json_schema()
    for name, definition in [("report", schema), *schema["$defs"].items()]:
        if "properties" in definition:
            assert set(definition["required"]) == set(definition["properties"]), name
            assert definition["additionalProperties"] is False, name


def test_schema_without_report_still_prints_the_snapshot_schema() -> None:
    result = run_cli("schema")
    assert result.returncode == 0, result.stderr
    assert "salesforce" in json.loads(result.stdout)["properties"]
