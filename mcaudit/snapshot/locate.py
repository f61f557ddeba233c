"""Map dotted snapshot paths (salesforce.users[3]) to lines in the snapshot file.

It runs after the audit, only for the paths findings point at, and only for files up to a size
where it stays quick. The file is read again through mcaudit.untrusted (a regular file, bounded,
UTF-8: it may have been replaced since it was loaded). YAML positions come from the C parser's
event stream, walked once with a small path stack (mcaudit.yamlio); JSON is walked only along
the wanted paths, every other value skipped by the C decoder.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from mcaudit.errors import InputError
from mcaudit.untrusted import SNAPSHOT, find_positions, read_text
from mcaudit.yamlio import Path_

MAX_LOCATE_BYTES = 32 * 1024 * 1024
_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def parse_path(dotted: str) -> Path_:
    """'salesforce.users[3].roles' -> ('salesforce', 'users', 3, 'roles')."""
    return tuple(int(index) if index else name for name, index in _PART.findall(dotted))


def positions(text: str, wanted: set[Path_], *, fmt: str = "yaml") -> dict[Path_, tuple[int, int]]:
    """(line, column), 1-based, of each wanted path: a mapping key, or a list item's first token."""
    return find_positions(text, fmt, wanted)


def locate_lines(file: str | Path, dotted_paths: Iterable[str]) -> dict[str, int]:
    """Line (1-based) of each path's key or list item; paths not found are left out."""
    wanted = {parse_path(path): path for path in dotted_paths}
    if not wanted:
        return {}
    file = Path(file)
    try:
        text = read_text(file, SNAPSHOT, limit=MAX_LOCATE_BYTES)
        found = positions(text, set(wanted), fmt=SNAPSHOT.format_of(file))
    except (InputError, RecursionError, ValueError):
        return {}
    return {wanted[path]: line for path, (line, _column) in found.items()}
