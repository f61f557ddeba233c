"""A spinner on stderr for a step that takes a while ("loading x.yaml (9.3 MiB)…").

Shown only when stderr is a terminal and the run is not --quiet, and only once the step has taken
DELAY seconds, so a quick run prints nothing more and a pipe or a CI log never sees it. It is
transient (erased when the step ends, whether it ended well, with an error or with Ctrl-C) and
never touches stdout: rich's Live would otherwise redirect sys.stdout while it runs.

A step that holds the interpreter (pydantic validates in Rust without letting other threads
run) may keep the spinner from turning for a while; its text still says what is going on.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from rich.console import Console
from rich.live import Live
from rich.spinner import Spinner
from rich.text import Text

from mcaudit.safetext import visible

DELAY = 1.0  # seconds a step runs before it is worth a word
MIB = 2**20


def file_size(path: str | Path) -> str:
    """' (9.3 MiB)' for the size of a file, '' when it cannot be read (its loading will say why)."""
    try:
        size = os.stat(path).st_size
    except (OSError, ValueError):
        return ""
    if size >= 10 * MIB:
        return f" ({size / MIB:.0f} MiB)"
    return f" ({size / MIB:.3g} MiB)" if size >= MIB else f" ({size / 2**10:.3g} KiB)"


def _is_terminal(stream: TextIO | None) -> bool:
    try:
        return stream is not None and stream.isatty()
    except (AttributeError, ValueError, OSError):  # closed, or not a real file
        return False


class _Delayed:
    """A Live spinner that starts on a timer thread after `delay` seconds, unless stopped first."""

    def __init__(self, text: str, console: Console, delay: float) -> None:
        # visible: a path may hold escapes; Text: a '[' in it is not rich markup
        self._spinner = Spinner("dots", Text(visible(text) + "…"))
        self._console = console
        self._lock = threading.Lock()
        self._live: Live | None = None
        self._stopped = False
        self._timer: threading.Timer | None = None
        if delay <= 0:
            self._show()
        else:
            self._timer = threading.Timer(delay, self._show)
            self._timer.daemon = True  # never keeps the process alive
            self._timer.start()

    def _show(self) -> None:
        with self._lock:
            if self._stopped:
                return
            live = Live(self._spinner, console=self._console, transient=True, refresh_per_second=10,
                        redirect_stdout=False, redirect_stderr=False)
            with contextlib.suppress(Exception):  # a display that fails is no reason to fail the run
                live.start(refresh=True)  # drawn at once, not at the first tick
                self._live = live

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
        with self._lock:
            self._stopped = True
            if self._live is not None:
                with contextlib.suppress(Exception):
                    self._live.stop()  # erases the line and shows the cursor again
                self._live = None


@contextlib.contextmanager
def status(text: str, *, quiet: bool = False, no_color: bool = False, delay: float | None = None,
           stream: TextIO | None = None) -> Iterator[None]:
    """Show `text` with a spinner on `stream` (stderr) while the block runs longer than `delay`.

    Nothing at all unless the stream is a terminal and not `quiet`. The spinner is gone when the
    block ends, also by an exception or KeyboardInterrupt."""
    out = sys.stderr if stream is None else stream
    if quiet or not _is_terminal(out) or os.environ.get("TERM") == "dumb":  # dumb: no cursor moves
        yield
        return
    # the terminal test is ours: rich would take FORCE_COLOR (set in many CI runners) for a terminal
    console = Console(file=out, force_terminal=True, no_color=no_color, highlight=False)
    shown = _Delayed(text, console, DELAY if delay is None else delay)
    try:
        yield
    finally:
        shown.stop()
