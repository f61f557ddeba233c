"""The spinner for a slow step: on a terminal's stderr only, after a delay, gone when the step ends."""

from __future__ import annotations

import io
import threading
import time
from pathlib import Path

import pytest

from mcaudit.cli import progress
from mcaudit.cli.progress import file_size, status

from .conftest import SAMPLES, run_cli

SHOW_CURSOR = "\x1b[?25h"


def stopped(written: str) -> bool:
    """The spinner is gone: the cursor shown again, and then its line erased (rich's transient Live)."""
    return SHOW_CURSOR in written and written.endswith("\x1b[2K") and written.rindex(SHOW_CURSOR) > written.rindex("…")


class FakeTerminal(io.StringIO):
    """A stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def test_on_a_terminal_the_text_is_shown_on_that_stream_and_nothing_on_stdout(
        capsys: pytest.CaptureFixture[str]) -> None:
    terminal = FakeTerminal()
    with status("loading samples/x.yaml (93 MiB)", delay=0, stream=terminal):
        assert "loading samples/x.yaml (93 MiB)…" in terminal.getvalue()
    assert stopped(terminal.getvalue())  # stopped: the cursor is back
    assert capsys.readouterr().out == ""


def test_not_a_terminal_is_never_written_to() -> None:
    pipe = io.StringIO()
    with status("loading x", delay=0, stream=pipe):
        pass
    assert pipe.getvalue() == ""


def test_quiet_shows_nothing_even_on_a_terminal() -> None:
    terminal = FakeTerminal()
    with status("loading x", delay=0, quiet=True, stream=terminal):
        pass
    assert terminal.getvalue() == ""


def test_a_quick_step_shows_nothing_and_leaves_no_thread() -> None:
    terminal = FakeTerminal()
    before = threading.active_count()
    with status("loading x", delay=30, stream=terminal):
        pass
    assert terminal.getvalue() == ""
    deadline = time.monotonic() + 5
    while threading.active_count() > before and time.monotonic() < deadline:  # the cancelled timer ends
        time.sleep(0.01)
    assert threading.active_count() == before


def test_a_slow_step_is_shown_after_the_delay() -> None:
    terminal = FakeTerminal()
    with status("evaluating 59 rules", delay=0.05, stream=terminal):
        assert terminal.getvalue() == ""  # not yet
        deadline = time.monotonic() + 5
        while "evaluating 59 rules…" not in terminal.getvalue() and time.monotonic() < deadline:
            time.sleep(0.01)
        assert "evaluating 59 rules…" in terminal.getvalue()
    assert stopped(terminal.getvalue())


@pytest.mark.parametrize("raised", [ValueError, KeyboardInterrupt])
def test_an_error_or_ctrl_c_stops_the_spinner(raised: type[BaseException]) -> None:
    terminal = FakeTerminal()
    with pytest.raises(raised), status("loading x", delay=0, stream=terminal):
        raise raised()
    assert stopped(terminal.getvalue())
    written = len(terminal.getvalue())
    time.sleep(0.3)  # no refresh thread is left drawing
    assert len(terminal.getvalue()) == written


def test_a_path_is_shown_inert() -> None:
    terminal = FakeTerminal()
    with status("loading \x1b[2Jevil [bold]x[/bold].yaml", delay=0, stream=terminal):
        pass
    assert "loading \\x1b[2Jevil [bold]x[/bold].yaml…" in terminal.getvalue()  # escaped, and no markup
    assert "\x1b[2J" not in terminal.getvalue()


def test_the_size_of_a_file(tmp_path: Path) -> None:
    small, large = tmp_path / "small.yaml", tmp_path / "large.json"
    small.write_bytes(b"x" * 3000)
    with large.open("wb") as handle:
        handle.truncate(93 * 2**20)
    assert file_size(small) == " (2.93 KiB)"
    assert file_size(large) == " (93 MiB)"
    assert file_size(tmp_path / "absent") == ""


def test_audit_shows_loading_and_evaluating_on_a_terminal_only(monkeypatch: pytest.MonkeyPatch) -> None:
    broken = SAMPLES / "broken.yaml"
    said = f"loading {broken}"
    plain = run_cli("audit", broken, "--no-color")
    assert said not in plain.stderr and "evaluating" not in plain.stderr  # a pipe: nothing

    monkeypatch.setattr(progress, "DELAY", 0)
    monkeypatch.setattr(progress, "_is_terminal", lambda stream: True)
    shown = run_cli("audit", broken, "--no-color")
    assert shown.returncode == plain.returncode == 1
    assert f"{said} ({file_size(broken)[2:-1]})…" in shown.stderr
    assert "evaluating " in shown.stderr and " rules…" in shown.stderr
    assert shown.stdout == plain.stdout  # the report on stdout, untouched
    quiet = run_cli("audit", broken, "--no-color", "--quiet")
    assert said not in quiet.stderr and "evaluating" not in quiet.stderr
