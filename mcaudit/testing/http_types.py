"""The emulator's small request/reply types, shared by the Salesforce and Marketing Cloud APIs."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-cased names
    body: bytes

    def param(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[0] if values else default

    def bearer(self) -> str | None:
        value = self.headers.get("authorization", "")
        return value[7:].strip() if value.lower().startswith("bearer ") else None


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)
    cut: bool = False  # send half the body, then drop the connection (Content-Length says more)

    @classmethod
    def json(cls, status: int, data: Any) -> Reply:
        return cls(status, json.dumps(data).encode("utf-8"))

    @classmethod
    def xml(cls, status: int, body: bytes) -> Reply:
        return cls(status, body, "text/xml; charset=utf-8")


@dataclass(frozen=True)
class Route:
    """What a request is (for counting and faults) and how to answer it."""

    label: str
    answer: Callable[[Request], Reply]
    paging: bool = False  # a continuation page of a result already asked for
    xml: bool = False
