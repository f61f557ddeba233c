"""Faults the emulator injects on demand, each on the calls whose label starts with `match`.

A fault hits `times` matching calls after letting `skip` through, then the endpoint recovers; a
large `times` makes it permanent. Labels look like 'sf.query:User', 'mc.soap.Retrieve:AccountUser',
'mc.rest.interactions', 'mc.token'.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from enum import Enum

PERMANENT = 1_000_000


class FaultKind(str, Enum):
    status = "status"  # answer with an HTTP error status (429 with Retry-After, 500, ...)
    slow = "slow"  # answer only after `delay` seconds (beyond the client's timeout)
    drop = "drop"  # close the connection without an answer
    malformed = "malformed"  # answer 200 with a truncated body
    cut = "cut"  # the right answer, but the connection drops before the whole body is sent
    expire_token = "expire_token"  # the Marketing Cloud token expires just before this call
    redirect = "redirect"  # answer with a redirect (`status`, 307 by default) to `location`


@dataclass
class Fault:
    kind: FaultKind
    match: str = ""
    times: int = 1
    skip: int = 0
    status: int = 500
    retry_after: str | None = None
    delay: float = 2.0
    location: str = ""
    _seen: int = 0
    _fired: int = 0

    @classmethod
    def http(cls, match: str, status: int, *, times: int = 1, retry_after: str | None = None,
             skip: int = 0) -> Fault:
        return cls(FaultKind.status, match, times=times, skip=skip, status=status, retry_after=retry_after)

    @classmethod
    def slow(cls, match: str, delay: float, *, times: int = 1, skip: int = 0) -> Fault:
        return cls(FaultKind.slow, match, times=times, skip=skip, delay=delay)

    @classmethod
    def drop(cls, match: str, *, times: int = 1, skip: int = 0) -> Fault:
        return cls(FaultKind.drop, match, times=times, skip=skip)

    @classmethod
    def malformed(cls, match: str, *, times: int = 1, skip: int = 0) -> Fault:
        return cls(FaultKind.malformed, match, times=times, skip=skip)

    @classmethod
    def cut(cls, match: str, *, times: int = 1, skip: int = 0) -> Fault:
        return cls(FaultKind.cut, match, times=times, skip=skip)

    @classmethod
    def expire_token(cls, match: str, *, skip: int = 0) -> Fault:
        return cls(FaultKind.expire_token, match, times=1, skip=skip)

    @classmethod
    def redirect(cls, match: str, location: str, *, status: int = 307, times: int = 1) -> Fault:
        return cls(FaultKind.redirect, match, times=times, status=status, location=location)

    @property
    def fired(self) -> int:
        return self._fired


class FaultPlan:
    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._lock = threading.Lock()

    def add(self, fault: Fault) -> Fault:
        with self._lock:
            self._faults.append(fault)
        return fault

    def take(self, label: str) -> Fault | None:
        """The fault that hits this call, if any (the first one added wins)."""
        with self._lock:
            for fault in self._faults:
                if not _matches(label, fault.match) or fault._fired >= fault.times:
                    continue
                fault._seen += 1
                if fault._seen > fault.skip:
                    fault._fired += 1
                    return fault
            return None


def _matches(label: str, match: str) -> bool:
    """A whole label ('sf.query:User' is not 'sf.query:UserLogin'), or every label under a prefix
    that ends where a label part does ('mc.soap.', 'sf.query:'; '' matches every call)."""
    return label == match or (label.startswith(match) and (match == "" or match[-1] in ".:"))
