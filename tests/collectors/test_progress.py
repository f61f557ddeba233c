"""Progress: a live line on a terminal, one plain log line per object otherwise; both redacted."""

from __future__ import annotations

import io
import logging

from mcaudit.collectors.progress import LogProgress, TerminalProgress, reporting
from mcaudit.collectors.secrets import Redactor


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_plain_lines_when_not_a_terminal() -> None:
    stream, redactor = io.StringIO(), Redactor()
    redactor.add("s3cr3t-value")
    with reporting(redactor, debug=False, stream=stream) as progress:
        assert isinstance(progress, LogProgress)
        progress.step("salesforce", "User")
        progress.step("salesforce", "UserLogin")  # reads overlap: a line is written when each one ends
        progress.records("salesforce", "User", 2000)
        logging.getLogger("mcaudit.collect").warning("token s3cr3t-value refused")
        progress.done("salesforce", "UserLogin", None)
        progress.done("salesforce", "User", 3120)
    lines = stream.getvalue().splitlines()
    assert lines == ["mcaudit: token *** refused", "mcaudit: salesforce: UserLogin",
                     "mcaudit: salesforce: User: 3120 records"]


def test_terminal_line_per_collector_names_the_reads_in_flight() -> None:
    from rich.console import Console

    progress = TerminalProgress(Console(file=FakeTerminal(), force_terminal=True, width=200))
    try:
        progress.step("salesforce", "User")
        progress.step("salesforce", "PermissionSet")
        progress.records("salesforce", "User", 4000)
        progress.step("marketing_cloud", "AccountUser")
        progress.done("salesforce", "PermissionSet", 12)
        shown = {str(task.description) for task in progress._bar.tasks}
    finally:
        progress.close()
    assert shown == {"salesforce · 1 read done · reading User (4,000)",
                     "marketing_cloud · 0 reads done · reading AccountUser"}


def test_live_display_on_a_terminal() -> None:
    stream = FakeTerminal()
    with reporting(Redactor(), debug=False, stream=stream) as progress:
        assert isinstance(progress, TerminalProgress)
        progress.step("marketing_cloud", "AccountUser")
        progress.records("marketing_cloud", "AccountUser", 12_500)
    assert not logging.getLogger("mcaudit").handlers  # the display and its handler are gone afterwards
