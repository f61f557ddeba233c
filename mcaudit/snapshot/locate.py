"""Map dotted snapshot paths (salesforce.users[3]) to lines in the snapshot file.

Only the slow round-trip YAML loader knows positions, so this runs after the audit, only for
the paths findings point at, and only for files small enough to re-read quickly.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from mcaudit.yamlio import iter_positions, load_yaml_roundtrip

MAX_LOCATE_BYTES = 16 * 1024 * 1024
_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def parse_path(dotted: str) -> tuple[str | int, ...]:
    """'salesforce.users[3].roles' -> ('salesforce', 'users', 3, 'roles')."""
    return tuple(int(index) if index else name for name, index in _PART.findall(dotted))


def locate_lines(file: str | Path, dotted_paths: Iterable[str]) -> dict[str, int]:
    """Line (1-based) of each path's key or list item; paths not found are left out."""
    wanted = {parse_path(path): path for path in dotted_paths}
    file = Path(file)
    try:
        if not wanted or file.stat().st_size > MAX_LOCATE_BYTES:
            return {}
        document = load_yaml_roundtrip(file.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError):
        return {}
    if document is None:
        return {}
    found: dict[str, int] = {}
    for position_path, line, _column in iter_positions(document):
        if position_path in wanted:
            found[wanted[position_path]] = line
    return found
