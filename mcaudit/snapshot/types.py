"""Field types shared by the snapshot models.

Snapshots are untrusted and often hand-written, so scalars are strict: a number is not silently
turned into a name, nor "yes" into a boolean. Timestamps accept ISO 8601 strings or YAML
timestamps; a bare date means midnight UTC and a naive time is read as UTC.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictBool, StrictInt, StrictStr


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
