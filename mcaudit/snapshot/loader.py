"""Read a snapshot file (YAML or JSON) into the model, or fail naming each problem's place.

The file is read by mcaudit.untrusted (regular files only, bounded size and counts, strict
JSON, the safe C YAML loader); only when validation fails is the text walked again, to find the
line of the offending field.
"""

from __future__ import annotations

import collections.abc
import json
import re
import types
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from mcaudit.errors import InputError
from mcaudit.gcpause import gc_paused
from mcaudit.snapshot.model import Snapshot
from mcaudit.suggest import did_you_mean
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


# 'function-before[_to_utc(), datetime]', 'list[str]', '[leaf]': maybe a name, then brackets; a key
# from the file with a '[' elsewhere ('is_\x1b[2J') is no tag, and dropping it would lose its place
_TAG = re.compile(r"[a-z-]*\[.*\]", re.DOTALL)


def _is_type_tag(part: str) -> bool:
    return part in {"str", "bool", "int", "float", "enum", "none"} or _TAG.fullmatch(part) is not None


MAX_LISTED = 20  # problems listed for one file; the rest are counted


def validation_error(error: ValidationError, document: Document, kind: FileKind, model: Any, *,
                     format_help: str | None = SCHEMA_HELP, inside: tuple[str | int, ...] = ()) -> InputError:
    """The error for a file that does not validate as `model`: its first problem as the one line
    (with "(and N more problems)"), and up to MAX_LISTED - 1 more, each with its line, column and
    field. `model` is what was validated (a model class, or a type such as list[Attestation]);
    `inside` is where the validated data is in the file, if not at its top."""
    errors = error.errors(include_url=False)
    listed = errors[:MAX_LISTED]  # only these are worded and looked for in the text
    places = document.positions([_in_file((*inside, *problem["loc"])) for problem in listed])
    problems = [_problem(problem, model, document.path, place, inside)
                for problem, place in zip(listed, places, strict=True)]
    first = problems[0]
    if format_help and listed[0]["type"] == "extra_forbidden":
        first.detail += f" ({format_help})"  # on the first line only: once is enough to say where
    if len(errors) > 1:
        first.detail += f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})"
    return kind.error(first.detail, path=first.path, line=first.line, column=first.column, field=first.field,
                      more=problems[1:], unlisted=len(errors) - len(listed))


def _problem(problem: Any, model: Any, path: str, place: tuple[int | None, int | None],
             inside: tuple[str | int, ...]) -> InputError:
    """One pydantic error as a person editing the file would say it, at its line and field."""
    loc = tuple(problem["loc"])
    message = _FRIENDLY.get(problem["type"]) or _short(problem["msg"])
    if problem["type"] == "extra_forbidden":
        message = "unknown field" + did_you_mean(str(loc[-1]), fields_at(model, loc[:-1]))
    if problem["type"] in {"value_error", "enum", "literal_error"}:
        message = _short(problem["msg"]).removeprefix("Value error, ")
    if problem["type"] not in {"missing", "extra_forbidden"} and "input" in problem:
        shown = problem["input"]
        if isinstance(shown, str | int | float | bool) or shown is None:
            # JSON escapes every control character and non-ASCII one: the value cannot reach a terminal raw
            message += f" (got {json.dumps(shown[:60] if isinstance(shown, str) else shown)[:60]})"
    if not loc and problem["type"] == "model_type":
        message = "expected a mapping at the top level"
    line, column = place
    return InputError(message, path=path, line=line, column=column,
                      field=field_path((*inside, *loc)) or None)


def _short(message: object) -> str:
    """A pydantic message (which a validator may have built from the value) on one line, bounded."""
    return " ".join(str(message).split())[:200]


def fields_at(model: Any, loc: tuple[Any, ...]) -> list[str]:
    """The field names of the model at `loc` under `model` (a pydantic error location, union
    member tags and all), for an unknown field's did-you-mean; [] where no model is found."""
    kinds: list[Any] = [model]
    for part in loc:
        following = [found for kind in _flat(kinds) for found in _step(kind, part)]
        if not following:
            if not isinstance(part, str):
                return []
            # a tag pydantic adds for a union member ('str', 'function-after[...]', a model's name)
            named = [kind for kind in _flat(kinds) if getattr(kind, "__name__", None) == part]
            following = named or kinds
        kinds = following
    names = {info.alias or name for kind in _flat(kinds) if _is_model(kind)
             for name, info in kind.model_fields.items()}
    return sorted(names)


def _is_model(kind: Any) -> bool:
    return isinstance(kind, type) and issubclass(kind, BaseModel)


def _flat(kinds: list[Any]) -> list[Any]:
    """The types an annotation may be: Optional, unions and Annotated taken apart."""
    flat: list[Any] = []
    for kind in kinds:
        origin = typing.get_origin(kind)
        if origin in (typing.Union, types.UnionType):
            flat.extend(_flat(list(typing.get_args(kind))))
        elif origin is typing.Annotated:
            flat.extend(_flat([typing.get_args(kind)[0]]))
        else:
            flat.append(kind)
    return flat


def _step(kind: Any, part: Any) -> list[Any]:
    """What is at `part` of a value of type `kind`: a model's field, a list's item, a dict's value."""
    origin = typing.get_origin(kind)
    if isinstance(part, int):
        if origin in (list, tuple, set, frozenset, collections.abc.Sequence) and typing.get_args(kind):
            return [typing.get_args(kind)[0]]
        return []
    if _is_model(kind):
        return [info.annotation for name, info in kind.model_fields.items() if part in (name, info.alias)]
    if origin in (dict, collections.abc.Mapping) and len(typing.get_args(kind)) == 2:
        return [typing.get_args(kind)[1]]
    return []


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
            raise validation_error(error, document, kind, model, format_help=format_help) from None


def load_snapshot(path: str | Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> LoadedSnapshot:
    """Load and validate one snapshot file. Raises InputError with file, line and field."""
    snapshot = load_model(path, Snapshot, max_bytes=max_bytes, kind=SNAPSHOT)
    return LoadedSnapshot(snapshot=snapshot, path=str(path), format=snapshot_format(Path(path)))
