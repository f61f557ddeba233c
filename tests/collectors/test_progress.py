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
        progress.records("salesforce", "User", 2000)
        progress.records("salesforce", "User", 3120)
        logging.getLogger("mcaudit.collect").warning("token s3cr3t-value refused")
        progress.step("salesforce", "UserLogin")
    lines = stream.getvalue().splitlines()
    assert "mcaudit: salesforce: User: 3120 records" in lines
    assert "mcaudit: token *** refused" in lines and "mcaudit: salesforce: UserLogin" in lines


def test_live_display_on_a_terminal() -> None:
    stream = FakeTerminal()
    with reporting(Redactor(), debug=False, stream=stream) as progress:
        assert isinstance(progress, TerminalProgress)
        progress.step("marketing_cloud", "AccountUser")
        progress.records("marketing_cloud", "AccountUser", 12_500)
    assert not logging.getLogger("mcaudit").handlers  # the display and its handler are gone afterwards
