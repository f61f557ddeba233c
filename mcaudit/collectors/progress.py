"""Progress for a collection: a live line on a terminal (rich), plain log lines otherwise.

Both go to stderr; stdout stays free for whatever a caller pipes. Log records pass the redactor.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

from rich.console import Console
from rich.logging import RichHandler
from rich.progress import Progress as RichBar
from rich.progress import SpinnerColumn, TaskID, TextColumn

from mcaudit.collectors.secrets import RedactingFilter, Redactor

OUR_LOGGER = "mcaudit"
THIRD_PARTY = ("zeep", "urllib3", "requests", "simple_salesforce")  # their DEBUG output dumps raw envelopes
log = logging.getLogger("mcaudit.collect")


class LogProgress:
    """One line per object read, with its record count once known."""

    def __init__(self) -> None:
        self._current: tuple[str, str] | None = None
        self._count: int | None = None

    def step(self, collector: str, what: str) -> None:
        self._flush()
        self._current, self._count = (collector, what), None

    def records(self, collector: str, what: str, count: int) -> None:
        if self._current == (collector, what):
            self._count = count
        else:
            log.info("%s: %s: %d records", collector, what, count)

    def close(self) -> None:
        self._flush()
        self._current = None

    def _flush(self) -> None:
        if self._current is None:
            return
        collector, what = self._current
        log.info("%s: %s%s", collector, what, f": {self._count} records" if self._count is not None else "")


class TerminalProgress:
    """A spinner line: which collector, which object, how many records so far."""

    def __init__(self, console: Console) -> None:
        self._bar = RichBar(SpinnerColumn(), TextColumn("{task.description}"), console=console, transient=True)
        self._task: TaskID = self._bar.add_task("starting")
        self._bar.start()

    def step(self, collector: str, what: str) -> None:
        self._bar.update(self._task, description=f"{collector} · {what}")

    def records(self, collector: str, what: str, count: int) -> None:
        self._bar.update(self._task, description=f"{collector} · {what} · {count:,} records")

    def close(self) -> None:
        self._bar.stop()


@contextmanager
def reporting(redactor: Redactor, *, debug: bool,
              stream: TextIO | None = None) -> Iterator[LogProgress | TerminalProgress]:
    """Install a redacting log handler (and a progress display) for the length of a collection."""
    stream = stream or sys.stderr
    on_terminal = stream.isatty()
    console = Console(file=stream, stderr=stream is sys.stderr) if on_terminal else None
    handler: logging.Handler = (RichHandler(console=console, show_path=False, show_time=False)
                                if console is not None else logging.StreamHandler(stream))
    if console is None:
        handler.setFormatter(logging.Formatter("mcaudit: %(message)s"))
    handler.addFilter(RedactingFilter(redactor))
    ours = logging.getLogger(OUR_LOGGER)
    saved = (ours.level, ours.propagate)
    ours.setLevel(logging.DEBUG if debug else logging.INFO)
    ours.propagate = False
    ours.addHandler(handler)
    others = [logging.getLogger(name) for name in THIRD_PARTY]
    saved_others = [(other.level, other.propagate) for other in others]
    for other in others:
        other.setLevel(logging.WARNING)  # never their DEBUG dumps, even with --debug
        other.propagate = False
        other.addHandler(handler)
    progress: LogProgress | TerminalProgress = TerminalProgress(console) if console is not None else LogProgress()
    try:
        yield progress
    finally:
        progress.close()
        ours.removeHandler(handler)
        ours.setLevel(saved[0])
        ours.propagate = saved[1]
        for other, (level, propagate) in zip(others, saved_others, strict=True):
            other.removeHandler(handler)
            other.setLevel(level)
            other.propagate = propagate
