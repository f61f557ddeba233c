"""Read a snapshot file (YAML or JSON) into the model, or fail with one line naming the place.

Fast path first: the safe (C) YAML loader or pydantic's JSON parser. Only when validation
fails is the file re-read with the slow round-trip loader, to find the offending line.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from ruamel.yaml.error import YAMLError

from mcaudit.errors import InputError
from mcaudit.gcpause import gc_paused
from mcaudit.snapshot.locate import positions
from mcaudit.snapshot.model import Snapshot
from mcaudit.yamlio import YamlProblem, load_yaml

DEFAULT_MAX_BYTES = 256 * 1024 * 1024
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
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        elif _is_type_tag(part):
            continue
        else:
            text += f".{part}" if text else str(part)
    return text


def _is_type_tag(part: str) -> bool:
    # pydantic adds union member names ('str', 'bool', 'function-before[...]') to locations
    return part in {"str", "bool", "int", "float", "enum", "none"} or "[" in part


def _read_text(path: Path, max_bytes: int) -> str:
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise InputError("no such file", path=str(path)) from None
    except OSError as error:
        raise InputError(f"cannot read: {error.strerror}", path=str(path)) from None
    if path.is_dir():
        raise InputError("is a directory, expected a snapshot file", path=str(path))
    if size > max_bytes:
        raise InputError(
            f"file is {size / 2**20:.0f} MiB, above the {max_bytes / 2**20:.0f} MiB limit "
            "(raise it with --max-snapshot-size)",
            path=str(path),
        )
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise InputError(f"cannot read: {error.strerror}", path=str(path)) from None
    if not raw.strip():
        raise InputError("file is empty", path=str(path))
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError("file is UTF-16 encoded; save it as UTF-8", path=str(path))
    if b"\x00" in raw[:8192]:
        raise InputError("file is binary, not a YAML or JSON snapshot", path=str(path))
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InputError(
            f"not UTF-8 text (byte 0x{raw[error.start]:02x} at offset {error.start})",
            path=str(path),
        ) from None


class _DuplicateKey(ValueError):
    pass


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """JSON allows a key twice and keeps the last; in a snapshot that hides which value counts."""
    mapping = dict(pairs)
    if len(mapping) != len(pairs):
        seen: set[str] = set()
        for key, _value in pairs:
            if key in seen:
                raise _DuplicateKey(key)
            seen.add(key)
    return mapping


def _duplicate_key_error(text: str, path: Path, key: str) -> InputError:
    """Name the place: JSON is YAML, and the YAML parser reports a duplicate with its position."""
    try:
        load_yaml(text)
    except YamlProblem as problem:
        if "duplicate" in problem.message:
            return InputError(f"invalid JSON: {problem.message}", path=str(path), line=problem.line,
                              column=problem.column)
    return InputError(f'invalid JSON: duplicate key "{key}"', path=str(path))


def _parse(text: str, path: Path, fmt: str) -> Any:
    if fmt == "json":
        try:
            return json.loads(text, object_pairs_hook=_unique_keys)
        except _DuplicateKey as duplicate:
            raise _duplicate_key_error(text, path, str(duplicate)) from None
        except json.JSONDecodeError as error:
            raise InputError(f"invalid JSON: {error.msg}", path=str(path), line=error.lineno,
                             column=error.colno) from None
        except RecursionError:
            raise InputError("invalid JSON: nesting too deep", path=str(path)) from None
    try:
        return load_yaml(text)
    except YamlProblem as problem:
        raise InputError(f"invalid YAML: {problem.message}", path=str(path), line=problem.line,
                         column=problem.column) from None


def _locate(text: str, loc: tuple[Any, ...]) -> tuple[int | None, int | None]:
    """Find the line/column of the deepest existing key on the error's path."""
    wanted = tuple(part for part in loc if isinstance(part, int) or not _is_type_tag(part))
    prefixes = {wanted[:n] for n in range(1, len(wanted) + 1)}
    try:
        found = positions(text, prefixes)
    except (YAMLError, RecursionError):
        return None, None
    deepest = max(found, key=len, default=None)
    return found[deepest] if deepest is not None else (None, None)


def _validation_error(error: ValidationError, text: str, path: Path, format_help: str) -> InputError:
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
            message += f" (got {json.dumps(shown)[:60]})"
    if len(errors) > 1:
        message += f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})"
    if not loc:
        message = "expected a mapping at the top level" if first["type"] == "model_type" else message
    line, column = _locate(text, loc)
    return InputError(message, path=str(path), line=line, column=column,
                      field=field_path(loc) or None)


def snapshot_format(path: Path) -> str:
    return "json" if path.suffix.lower() == ".json" else "yaml"


def load_model(path: str | Path, model: type[M], *, max_bytes: int = DEFAULT_MAX_BYTES,
               format_help: str = SCHEMA_HELP) -> M:
    """Load one YAML/JSON file and validate it as `model` (a snapshot, or a part of one).

    Raises InputError with file, line and field; `format_help` says where the format is described.
    """
    file = Path(path)
    text = _read_text(file, max_bytes)
    with gc_paused():
        data = _parse(text, file, snapshot_format(file))
        if not isinstance(data, dict):
            kind = "empty" if data is None else type(data).__name__
            raise InputError(f"expected a mapping at the top level, got {kind}", path=str(file))
        try:
            return model.model_validate(data)
        except ValidationError as error:
            raise _validation_error(error, text, file, format_help) from None


def load_snapshot(path: str | Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> LoadedSnapshot:
    """Load and validate one snapshot file. Raises InputError with file, line and field."""
    snapshot = load_model(path, Snapshot, max_bytes=max_bytes)
    return LoadedSnapshot(snapshot=snapshot, path=str(path), format=snapshot_format(Path(path)))
