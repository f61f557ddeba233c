"""Typed reads of one exported JSON object, each problem one InputError naming the file and field.

An export is untrusted: a field that is absent (or null) stays None, i.e. "not collected"; a field
of the wrong JSON type is an error, never a guess. Unknown fields are not looked at.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from enum import Enum
from pathlib import Path
from typing import Any, TypeVar

from mcaudit.errors import InputError
from mcaudit.untrusted import FileKind, read_document

E = TypeVar("E", bound=Enum)
# every file an export holds is JSON; a syntax error says what the file should have been
EXPORT_JSON = FileKind("JSON file", formats=("json",), invalid="not valid JSON")


def json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    return "an object"


def read_json(path: Path, *, max_bytes: int) -> Any:
    """The parsed JSON of one export file (regular file, bounded, strict) or one InputError line."""
    return read_document(path, EXPORT_JSON, max_bytes=max_bytes).data


class Item:
    """One JSON object from `path`; `where` prefixes field names (e.g. `triggers[0].`)."""

    def __init__(self, data: Any, path: Path, what: str, where: str = "") -> None:
        if not isinstance(data, dict):
            raise InputError(f"expected a JSON object ({what}), found {json_type(data)}",
                             path=str(path), field=where.rstrip(".") or None)
        self.data: Mapping[str, Any] = data
        self.path = path
        self.what = what
        self.where = where

    def fail(self, key: str, message: str) -> InputError:
        return InputError(message, path=str(self.path), field=f"{self.where}{key}")

    def _get(self, key: str) -> Any:
        return self.data.get(key)

    def first(self, *keys: str) -> str | None:
        """The first of `keys` the object has with a non-null value (for renamed fields)."""
        return next((key for key in keys if self._get(key) is not None), None)

    def text(self, key: str, *, required: bool = False) -> str | None:
        value = self._get(key)
        if value is None or value == "":
            if required:
                raise self.fail(key, f"missing: every {self.what} has it")
            return None
        if not isinstance(value, str):
            raise self.fail(key, f"expected a string, found {json_type(value)}")
        return value

    def required(self, key: str) -> str:
        value = self.text(key, required=True)
        assert value is not None  # text() raised otherwise
        return value

    def choice(self, enum: type[E], key: str) -> E:
        """A required value of an open value set (OpenEnum): any non-empty text is kept."""
        value = self.required(key)
        try:
            return enum(value)
        except ValueError:
            raise self.fail(key, f"expected a non-empty value, found {value[:40]!r}") from None

    def boolean(self, key: str) -> bool | None:
        return to_bool(self._get(key), lambda message: self.fail(key, message))

    def integer(self, key: str) -> int | None:
        return to_int(self._get(key), lambda message: self.fail(key, message))

    def integers(self, key: str) -> list[int] | None:
        values = self._list(key)
        if values is None:
            return None
        out: list[int] = []
        for index, value in enumerate(values):
            number = to_int(value, lambda message, at=index: self.fail(f"{key}[{at}]", message))
            if number is None:
                raise self.fail(f"{key}[{index}]", "expected a number, found null")
            if number not in out:
                out.append(number)
        return out

    def texts(self, key: str) -> list[str] | None:
        values = self._list(key)
        if values is None:
            return None
        for index, value in enumerate(values):
            if not isinstance(value, str) or not value:
                raise self.fail(f"{key}[{index}]", f"expected a non-empty string, found {json_type(value)}")
        return list(values)

    def child(self, key: str, what: str) -> Item | None:
        value = self._get(key)
        if value is None:
            return None
        return Item(value, self.path, what, f"{self.where}{key}.")

    def children(self, key: str, what: str) -> list[Item] | None:
        values = self._list(key)
        if values is None:
            return None
        return [Item(value, self.path, what, f"{self.where}{key}[{index}].") for index, value in enumerate(values)]

    def _list(self, key: str) -> list[Any] | None:
        value = self._get(key)
        if value is None:
            return None
        if not isinstance(value, list):
            raise self.fail(key, f"expected a list, found {json_type(value)}")
        return value


def to_bool(value: Any, fail: Any) -> bool | None:
    """JSON true/false, or the SOAP API's other spellings: "true"/"false" and 1/0 (xsd:int flags)."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return value == 1
    if isinstance(value, str) and value.strip().lower() in ("true", "false", "1", "0"):
        return value.strip().lower() in ("true", "1")
    raise fail(f"expected true or false, found {json_type(value)}")


def to_int(value: Any, fail: Any) -> int | None:
    """A JSON integer, or digits in a string (SOAP IDs are xsd:int text before a client parses them)."""
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit() and len(value.strip()) <= 20:
        return int(value.strip())
    raise fail(f"expected a whole number, found {json_type(value)}")


def soap_timestamp(value: str | None, offset_hours: int, fail: Any) -> datetime | None:
    """A SOAP dateTime; one without an offset is in the API's server time (UTC-6 by default)."""
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise fail(f"not an ISO 8601 timestamp: {value[:40]!r}") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone(timedelta(hours=offset_hours)))
