"""What every console format shares: a rich Console writing to a buffer, hanging indents, and
the finished text made safe for a file, a pipe or a CI log."""

from __future__ import annotations

from io import StringIO

from rich.console import Console
from rich.table import Table
from rich.text import Text

from mcaudit.safetext import visible


def buffer_console(*, width: int, color: bool) -> tuple[Console, StringIO]:
    buffer = StringIO()
    console = Console(file=buffer, width=width, color_system="standard" if color else None,
                      force_terminal=color, highlight=False, emoji=False, soft_wrap=False)
    return console, buffer


def hanging(prefix: Text | str, body: Text, *, indent: int) -> Table:
    """`prefix` then `body`, with wrapped lines of the body aligned under its first line."""
    grid = Table.grid()
    grid.add_column(width=indent, no_wrap=True)
    grid.add_column(ratio=1)
    grid.add_row(prefix, body)
    return grid


def finished(buffer: StringIO, *, color: bool) -> str:
    """The buffer's text. Without colour (a file, a pipe, a CI log) trailing blanks go and the
    whole passes `visible` once more, so a value wrapped to the start of a line cannot start a CI
    log command there."""
    text = buffer.getvalue()
    if not color:
        text = visible("\n".join(line.rstrip() for line in text.splitlines()) + "\n", newlines=True)
    return text
