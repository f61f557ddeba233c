"""Field types shared by the snapshot models.

Snapshots are untrusted and often hand-written, so scalars are strict: a number is not silently
turned into a name, nor "yes" into a boolean. Timestamps accept ISO 8601 strings or YAML
timestamps; a bare date means midnight UTC and a naive time is read as UTC.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from enum import Enum
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetJsonSchemaHandler,
    StrictBool,
    StrictInt,
    StrictStr,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema


def _to_utc(value: Any) -> Any:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=timezone.utc)
    if isinstance(value, str):
        text = value.strip()
        try:
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return value  # let pydantic report the bad value
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)
    if isinstance(value, bool | int | float):
        raise ValueError("expected an ISO 8601 date or timestamp, not a number")
    return value


Timestamp = Annotated[datetime, BeforeValidator(_to_utc)]
Str = StrictStr
Bool = StrictBool
Int = StrictInt
NonEmptyStr = Annotated[StrictStr, Field(min_length=1)]


class Model(BaseModel):
    """Base of every snapshot model: unknown keys are errors (they are usually typos)."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class OpenEnum(str, Enum):
    """A value set an API owns and may extend: the known values are members, and any other
    non-empty text is kept as it came (a pseudo-member whose `recognised` is False) instead of
    failing the snapshot or losing a collected section. Rules treat such a value as unknown."""

    @classmethod
    def _missing_(cls, value: object) -> OpenEnum | None:
        if not isinstance(value, str) or not value.strip():
            return None
        member = str.__new__(cls, value)
        member._name_ = "unrecognised"
        member._value_ = value
        return member

    @property
    def recognised(self) -> bool:
        return self._name_ != "unrecognised"

    @classmethod
    def __get_pydantic_json_schema__(cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        known = [member.value for member in cls]
        return {"type": "string", "minLength": 1, "examples": known,
                "description": f"known values: {', '.join(known)}; any other value is kept and reported"}
