from __future__ import annotations

from dataclasses import dataclass

from mcaudit.findings import Attested, Status


@dataclass(frozen=True)
class Outcome:
    """A check's verdict on one subject, before the engine stamps rule id and severity."""

    status: Status
    message: str = ""
    evidence: tuple[str, ...] = ()
    attested: Attested | None = None
