"""Just enough SOQL for the emulator: SELECT fields FROM Object [WHERE a = x AND b IN (...) AND c LIKE 'p%'].

Rows are flat dicts keyed by field path ('Profile.UserLicense.Name'); projection builds the nested
records the REST API returns. A field the table does not have is INVALID_FIELD, an unknown object
INVALID_TYPE, as Salesforce answers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

_QUERY = re.compile(r"^\s*SELECT\s+(?P<fields>.+?)\s+FROM\s+(?P<object>\w+)(?:\s+WHERE\s+(?P<where>.+?))?\s*$",
                    re.IGNORECASE | re.DOTALL)
_CONDITION = re.compile(r"^\s*(?P<field>[\w.]+)\s*(?P<op>=|IN|LIKE)\s*(?P<value>.+?)\s*$", re.IGNORECASE)


class SoqlError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass
class Table:
    fields: tuple[str, ...]
    rows: list[dict[str, Any]] = field(default_factory=list)
    refused: bool = False  # the querying user may not read this object (its snapshot section is absent)


def run(tables: dict[str, Table], soql: str) -> tuple[str, list[dict[str, Any]]]:
    """(object name, projected records) for one statement."""
    match = _QUERY.match(soql)
    if match is None:
        raise SoqlError("MALFORMED_QUERY", f"cannot parse: {soql[:80]}")
    name = match.group("object")
    table = next((t for key, t in tables.items() if key.lower() == name.lower()), None)
    if table is None:
        raise SoqlError("INVALID_TYPE", f"sObject type '{name}' is not supported.")
    if table.refused:
        raise SoqlError("INSUFFICIENT_ACCESS", f"insufficient access rights on {name}")
    known = {f.lower(): f for f in table.fields}
    wanted = [part.strip() for part in match.group("fields").split(",")]
    for wanted_field in wanted:
        if wanted_field.lower() not in known:
            raise SoqlError("INVALID_FIELD", f"No such column '{wanted_field}' on entity '{name}'.")
    conditions = [_condition(part, known, name) for part in re.split(r"\s+AND\s+", match.group("where") or "",
                                                                    flags=re.IGNORECASE) if part.strip()]
    rows = [row for row in table.rows if all(_holds(row.get(f), values) for f, values in conditions)]
    return name, [_project(row, [known[w.lower()] for w in wanted], name) for row in rows]


def _holds(value: Any, wanted: list[Any] | re.Pattern[str]) -> bool:
    if isinstance(wanted, re.Pattern):
        return isinstance(value, str) and wanted.fullmatch(value) is not None
    return value in wanted


def _like(pattern: str) -> re.Pattern[str]:
    """SOQL LIKE: % any run, _ one character, case-insensitive."""
    parts = [".*" if char == "%" else "." if char == "_" else re.escape(char) for char in pattern]
    return re.compile("".join(parts), re.IGNORECASE | re.DOTALL)


def _condition(text: str, known: dict[str, str], name: str) -> tuple[str, list[Any] | re.Pattern[str]]:
    match = _CONDITION.match(text)
    if match is None or match.group("field").lower() not in known:
        raise SoqlError("MALFORMED_QUERY", f"unsupported condition on {name}: {text}")
    raw = match.group("value")
    if match.group("op").upper() == "LIKE":
        return known[match.group("field").lower()], _like(str(_literal(raw)))
    values = [_literal(v) for v in raw.strip("()").split(",")] if match.group("op").upper() == "IN" else [_literal(raw)]
    return known[match.group("field").lower()], values


def _literal(text: str) -> Any:
    text = text.strip()
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    return text.strip("'")


def _project(row: dict[str, Any], fields: list[str], name: str) -> dict[str, Any]:
    record: dict[str, Any] = {"attributes": {"type": name}}
    for path in fields:
        parts = path.split(".")
        node = record
        for depth, part in enumerate(parts[:-1]):
            prefix = ".".join(parts[: depth + 1])
            if not any(key.startswith(prefix + ".") and value is not None for key, value in row.items()):
                node[part] = None  # a null relationship comes back as null, not as an empty object
                break
            node = node.setdefault(part, {"attributes": {"type": part}})
        else:
            node[parts[-1]] = row.get(path)
    return record
