"""Read a snapshot file (YAML or JSON) into the model, or fail with one line naming the place.

The file is read by mcaudit.untrusted (regular files only, bounded size and counts, strict
JSON, the safe C YAML loader); only when validation fails is the text walked again, to find the
line of the offending field.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from mcaudit.errors import InputError
from mcaudit.gcpause import gc_paused
from mcaudit.snapshot.model import Snapshot
from mcaudit.untrusted import DATA_FILE, SNAPSHOT, Document, FileKind, dotted, read_document
from mcaudit.untrusted import DEFAULT_MAX_BYTES as DEFAULT_MAX_BYTES  # the default of --max-snapshot-size

SCHEMA_HELP = "see `mcaudit schema` for the format"
M = TypeVar("M", bound=BaseModel)

# pydantic error types, said the way a person editing the file would say them
_FRIENDLY = {
    "list_type": "expected a list",
    "dict_type": "expected a mapping",
    "model_type": "expected a mapping",
    "model_attributes_type": "expected a mapping",
    "string_type": "expected a string",
    "bool_type": "expected true or false",
    "int_type": "expected an integer",
    "int_parsing": "expected an integer",
    "missing": "required field is missing",
    "string_too_short": "must not be empty",
    "datetime_type": "expected an ISO 8601 timestamp",
    "datetime_parsing": "expected an ISO 8601 timestamp",
    "datetime_from_date_parsing": "expected an ISO 8601 timestamp",
}


@dataclass(frozen=True)
class LoadedSnapshot:
    snapshot: Snapshot
    path: str
    format: str  # "yaml" or "json"


def field_path(loc: tuple[Any, ...]) -> str:
    """('marketing_cloud', 'users', 3, 'roles') -> 'marketing_cloud.users[3].roles'."""
    return dotted(_in_file(loc))


def _in_file(loc: tuple[Any, ...]) -> tuple[str | int, ...]:
    """A pydantic error location as a path in the file: without the union member names pydantic
    adds ('str', 'bool', 'function-before[...]')."""
    return tuple(part for part in loc if isinstance(part, int) or not _is_type_tag(part))


def _is_type_tag(part: str) -> bool:
    return part in {"str", "bool", "int", "float", "enum", "none"} or "[" in part


def _validation_error(error: ValidationError, document: Document, kind: FileKind, format_help: str) -> InputError:
    errors = error.errors(include_url=False)
    first = errors[0]
    loc = tuple(first["loc"])
    message = _FRIENDLY.get(first["type"]) or first["msg"]
    if first["type"] == "extra_forbidden":
        message = f"unknown field ({format_help})"
    if first["type"] in {"value_error", "enum", "literal_error"}:
        message = first["msg"].removeprefix("Value error, ")
    if first["type"] not in {"missing", "extra_forbidden"} and "input" in first:
        shown = first["input"]
        if isinstance(shown, str | int | float | bool) or shown is None:
            message += f" (got {json.dumps(shown[:60] if isinstance(shown, str) else shown)[:60]})"
    if len(errors) > 1:
        message += f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})"
    if not loc:
        message = "expected a mapping at the top level" if first["type"] == "model_type" else message
    line, column = document.position(_in_file(loc))
    return kind.error(message, path=document.path, line=line, column=column, field=field_path(loc) or None)


def snapshot_format(path: Path) -> str:
    return SNAPSHOT.format_of(path)


def load_model(path: str | Path, model: type[M], *, max_bytes: int = DEFAULT_MAX_BYTES,
               format_help: str = SCHEMA_HELP, kind: FileKind = DATA_FILE) -> M:
    """Load one YAML/JSON file and validate it as `model` (a snapshot, or a part of one).

    Raises InputError with file, line and field; `format_help` says where the format is described.
    """
    with gc_paused():  # millions of small objects are built and none of them is garbage
        document = read_document(path, kind, max_bytes=max_bytes)
        if not isinstance(document.data, dict):
            shape = "empty" if document.data is None else type(document.data).__name__
            raise kind.error(f"expected a mapping at the top level, got {shape}", path=document.path)
        try:
            return model.model_validate(document.data)
        except ValidationError as error:
            raise _validation_error(error, document, kind, format_help) from None


def load_snapshot(path: str | Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> LoadedSnapshot:
    """Load and validate one snapshot file. Raises InputError with file, line and field."""
    snapshot = load_model(path, Snapshot, max_bytes=max_bytes, kind=SNAPSHOT)
    return LoadedSnapshot(snapshot=snapshot, path=str(path), format=snapshot_format(Path(path)))
