"""Progress for a collection: a live line on a terminal (rich), plain log lines otherwise.

Both go to stderr; stdout stays free for whatever a caller pipes. Log records pass the redactor,
then `visible`: a name read from an org may hold a newline or a terminal escape, and a log line
stays one line that a terminal or a CI runner shows and never acts on. The live line shows its
text as written (no rich markup).
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

from rich.console import Console
from rich.logging import RichHandler
from rich.progress import Progress as RichBar
from rich.progress import SpinnerColumn, TaskID, TextColumn

from mcaudit.collectors.secrets import RedactingFilter, Redactor
from mcaudit.safetext import visible

OUR_LOGGER = "mcaudit"
THIRD_PARTY = ("zeep", "urllib3", "requests", "simple_salesforce")  # their DEBUG output dumps raw envelopes
log = logging.getLogger("mcaudit.collect")


class VisibleFormatter(logging.Formatter):
    """Formats a record as usual, then makes every control character in it visible."""

    def format(self, record: logging.LogRecord) -> str:
        return visible(super().format(record))


class LogProgress:
    """One line per finished read, with its record count. Reads overlap, so a line is written when
    a read ends, never half of one read's line and half of another's."""

    def step(self, collector: str, what: str) -> None:
        """Nothing to say until the read ends."""

    def records(self, collector: str, what: str, count: int) -> None:
        """Pages are counted by the read itself; its line gives the total."""

    def done(self, collector: str, what: str, count: int | None) -> None:
        log.info("%s: %s%s", collector, what, f": {count} records" if count is not None else "")

    def close(self) -> None:
        """Every line was written as its read ended."""


class TerminalProgress:
    """A spinner line per collector: what it is reading now (several reads at once), with record
    counts so far, and how many reads it has finished."""

    def __init__(self, console: Console) -> None:
        self._bar = RichBar(SpinnerColumn(), TextColumn("{task.description}", markup=False), console=console,
                            transient=True)
        self._lock = threading.Lock()
        self._tasks: dict[str, TaskID] = {}
        self._reading: dict[str, dict[str, int | None]] = {}
        self._finished: dict[str, int] = {}
        self._bar.start()

    def step(self, collector: str, what: str) -> None:
        self._update(collector, what, None)

    def records(self, collector: str, what: str, count: int) -> None:
        self._update(collector, what, count)

    def done(self, collector: str, what: str, count: int | None) -> None:
        with self._lock:
            self._reading.setdefault(collector, {}).pop(what, None)
            self._finished[collector] = self._finished.get(collector, 0) + 1
            self._show(collector)

    def close(self) -> None:
        self._bar.stop()

    def _update(self, collector: str, what: str, count: int | None) -> None:
        with self._lock:
            self._reading.setdefault(collector, {})[what] = count
            self._show(collector)

    def _show(self, collector: str) -> None:
        reading = ", ".join(what if count is None else f"{what} ({count:,})"
                            for what, count in self._reading.get(collector, {}).items())
        finished = self._finished.get(collector, 0)
        description = visible(f"{collector} · {finished} read{'s' if finished != 1 else ''} done" + (
            f" · reading {reading}" if reading else ""))
        if collector not in self._tasks:
            self._tasks[collector] = self._bar.add_task(description)
        else:
            self._bar.update(self._tasks[collector], description=description)


@contextmanager
def reporting(redactor: Redactor, *, debug: bool,
              stream: TextIO | None = None) -> Iterator[LogProgress | TerminalProgress]:
    """Install a redacting log handler (and a progress display) for the length of a collection."""
    stream = stream or sys.stderr
    on_terminal = stream.isatty()
    console = Console(file=stream, stderr=stream is sys.stderr) if on_terminal else None
    handler: logging.Handler = (RichHandler(console=console, show_path=False, show_time=False)
                                if console is not None else logging.StreamHandler(stream))
    handler.setFormatter(VisibleFormatter("%(message)s" if console is not None else "mcaudit: %(message)s"))
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
