"""The top-level handler: every error becomes one visible line on stderr and an exit code.

An invalid file's further problems (at most 20 in all, mcaudit.snapshot.loader) follow that
line, one indented line each, so a grep for `mcaudit: error:` still finds the one line it did.

0 nothing at or above --fail-on; 1 findings at or above it; 2 usage error, invalid input or a
report that could not be written; 3 live collection could not complete; 4 nothing failed but a
check at or above --fail-on could not run (its data was not collected); 130 interrupted; 141
standard output closed by its reader (`| head`), without a word. No traceback unless --debug.
"""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Callable
from typing import NoReturn

import click

from mcaudit.errors import McauditError, OutputClosed, OutputError
from mcaudit.safetext import visible

# click shows these whole (the help of `mcaudit` run without a command); it has them since 8.2
_SHOWN_WHOLE: tuple[type[click.ClickException], ...] = tuple(
    getattr(click.exceptions, name) for name in ("NoArgsIsHelpError",) if hasattr(click.exceptions, name))


def fail(message: str, code: int, details: tuple[str, ...] = ()) -> NoReturn:
    """The one line an error is, and its details indented below it: whatever they quote (a name,
    a path, an option value), visible, so each stays one line."""
    sys.stderr.write("".join(f"{line}\n" for line in (f"mcaudit: {visible(message)}",
                                                       *(f"  {visible(detail)}" for detail in details))))
    sys.stderr.flush()
    sys.exit(code)


def _usage_error(error: click.ClickException) -> NoReturn:
    if isinstance(error, _SHOWN_WHOLE):
        error.show()
        sys.exit(2)
    hint = ""
    if isinstance(error, click.UsageError) and error.ctx is not None:
        hint = f" Try '{error.ctx.command_path} --help' for help."
    fail(f"error: {error.format_message()}{hint}", 2)


def _quiet_stdout() -> None:
    """After a failed write to standard output, point it at /dev/null: the interpreter's last flush
    of what could not be written then succeeds instead of printing a second error at exit."""
    stream = sys.stdout
    if stream is not sys.__stdout__ or stream is None:  # replaced (tests capture it): nothing pending
        return
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, stream.fileno())
        os.close(devnull)
    except (OSError, ValueError, io.UnsupportedOperation):
        pass


def _replace_unencodable() -> None:
    """An output encoding that cannot show a character (a non-UTF-8 locale) shows '?', never crashes."""
    if isinstance(sys.stdout, io.TextIOWrapper) and sys.stdout.errors == "strict":
        sys.stdout.reconfigure(errors="replace")


def run_guarded(run: Callable[[], object], *, debug: bool) -> NoReturn:
    """Run the command line and exit with its code, mapping every error to one line and a code."""
    _replace_unencodable()
    try:
        returned = run()
    except OutputClosed as closed:  # `mcaudit audit x.yaml | head -c1`: stop as quietly as cat would
        _quiet_stdout()
        sys.exit(closed.exit_code)
    except McauditError as error:
        if debug:
            raise
        if isinstance(error, OutputError):
            _quiet_stdout()
        fail(f"error: {error}", error.exit_code, error.details())
    except click.exceptions.Exit as done:
        sys.exit(done.exit_code)
    except click.ClickException as error:
        _usage_error(error)
    except click.exceptions.Abort:
        fail("aborted", 130)
    except KeyboardInterrupt:
        fail("interrupted", 130)
    except Exception as error:  # the promise is: no traceback without --debug
        if debug:
            raise
        fail(f"internal error: {type(error).__name__}: {error} (run with --debug for details)", 2)
    sys.exit(returned if isinstance(returned, int) else 0)
