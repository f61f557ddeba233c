"""The few error types mcaudit raises on purpose; the CLI maps each to an exit code."""

from __future__ import annotations


class McauditError(Exception):
    """Base of every error that is reported as one line instead of a traceback."""

    exit_code = 2


class InputError(McauditError):
    """Invalid user input: a bad snapshot, rule file, waiver file or option value (exit 2)."""

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None,
                 column: int | None = None, field: str | None = None) -> None:
        self.path = path
        self.line = line
        self.column = column
        self.field = field
        self.detail = message
        super().__init__(self.render())

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
