"""The few error types mcaudit raises on purpose; the CLI maps each to an exit code.

A message may quote a snapshot, a file name or an option value as given; the CLI shows it through
`safetext.visible`, so whatever it quotes, the error stays one line with no control character.
An invalid file may have more problems than the first: `details()` gives one further line for
each (bounded), which the CLI shows, each made visible, below the first.
"""

from __future__ import annotations

from collections.abc import Sequence


class McauditError(Exception):
    """Base of every error that is reported as one line instead of a traceback."""

    exit_code = 2

    def details(self) -> tuple[str, ...]:
        """Lines to show below the error's own one: none, unless a subclass has more to say."""
        return ()


class InputError(McauditError):
    """Invalid user input: a bad snapshot, rule file, waiver file or option value (exit 2)."""

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None,
                 column: int | None = None, field: str | None = None,
                 more: Sequence[InputError] = (), unlisted: int = 0) -> None:
        self.path = path
        self.line = line
        self.column = column
        self.field = field
        self.detail = message
        # further problems of the same file, listed below the first; `unlisted` more were not kept
        self.more = tuple(more)
        self.unlisted = unlisted
        super().__init__(self.render())

    def details(self) -> tuple[str, ...]:
        lines = tuple(problem.render() for problem in self.more)
        if self.unlisted:
            lines += (f"... and {self.unlisted} more problem{'s' if self.unlisted > 1 else ''} not listed",)
        return lines

    def render(self) -> str:
        place = ""
        if self.path:
            place = self.path
            if self.line is not None:
                place += f":{self.line}"
                if self.column is not None:
                    place += f":{self.column}"
            place += ": "
        field = f"{self.field}: " if self.field else ""
        return f"{place}{field}{self.detail}"


class RuleError(InputError):
    """A rule file (packaged or from --rules-dir) is malformed."""


class UnknownRuleError(InputError):
    """A rule id given on the command line is not in the catalog."""


class CollectionError(McauditError):
    """Live collection could not complete (exit 3)."""

    exit_code = 3


class OutputError(McauditError):
    """A report, snapshot or plan could not be written: disk full, I/O error, no permission (exit 2).

    Files are written whole or not at all, so the previous file, if any, is as it was.
    """

    def __init__(self, message: str, *, path: str | None = None) -> None:
        self.path = path
        super().__init__(f"{path}: {message}" if path else message)


class OutputClosed(McauditError):
    """The reader of standard output went away (`mcaudit audit x.yaml | head -c1`).

    Like other Unix tools, mcaudit then stops without a word; the exit code is the one a shell
    shows for a tool ended by SIGPIPE.
    """

    exit_code = 141  # 128 + SIGPIPE
