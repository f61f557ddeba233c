"""What every collector shares: the Collector protocol, progress reporting and section bookkeeping.

A collector fills one top-level snapshot section from one source. It reads section by section;
a section that cannot be read is left null (not collected) and recorded, the others still count.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

from mcaudit.collectors.problems import describe
from mcaudit.collectors.secrets import Redactor
from mcaudit.snapshot.meta import CollectorRun, CollectorStatus

T = TypeVar("T")
log = logging.getLogger("mcaudit.collect")


class Progress(Protocol):
    """Where collectors report what they are reading (a TTY display or plain log lines). Reads run
    at once, so a read is named by (collector, what) from `step` until `done`."""

    def step(self, collector: str, what: str) -> None: ...

    def records(self, collector: str, what: str, count: int) -> None: ...

    def done(self, collector: str, what: str, count: int | None) -> None: ...


@dataclass
class SectionLog:
    """Which sections a collector is responsible for, and which it could not read and why."""

    collector: str
    sections: list[str]
    redactor: Redactor
    failed: dict[str, str] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def read(self, section: str, reader: Callable[[], T]) -> T | None:
        """Run one section's reader; on any error record it and return None (not collected)."""
        try:
            return reader()
        except Exception as error:  # a failed section must never stop the others
            self.fail(section, describe(error, self.redactor))
            return None

    def fail(self, section: str, reason: str) -> None:
        log.warning("%s: %s not collected: %s", self.collector, section, reason)
        with self._lock:  # readers run on several threads
            self.failed.setdefault(section, reason)

    def run(self, api_calls: int, *, fatal: str | None = None) -> CollectorRun:
        if fatal is not None:
            return CollectorRun(name=self.collector, status=CollectorStatus.failed, sections=self.sections,
                                failed_sections=self.sections, error=fatal, api_calls=api_calls)
        status = CollectorStatus.partial if self.failed else CollectorStatus.ok
        # in the order of `sections`, whichever thread failed first: the record is the same every run
        order = {section: position for position, section in enumerate(self.sections)}
        failed = sorted(self.failed.items(), key=lambda item: (order.get(item[0], len(order)), item[0]))
        error = "; ".join(f"{section}: {reason}" for section, reason in failed) or None
        return CollectorRun(name=self.collector, status=status, sections=self.sections,
                            failed_sections=[section for section, _ in failed], error=error, api_calls=api_calls)


@dataclass(frozen=True)
class CollectorOutput:
    section: object | None  # the Salesforce or MarketingCloud model, or None when it failed
    run: CollectorRun


class Collector(Protocol):
    name: str

    def collect(self, progress: Progress) -> CollectorOutput: ...
