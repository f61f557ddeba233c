"""Map dotted snapshot paths (salesforce.users[3]) to lines in the snapshot file.

Positions come from the C parser's event stream, walked once with a small path stack: linear,
and several times faster than building a round-trip document. It runs after the audit, only
for the paths findings point at, and only for files up to a size where it stays quick.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from io import StringIO
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError
from ruamel.yaml.events import (
    CollectionEndEvent,
    MappingStartEvent,
    NodeEvent,
    ScalarEvent,
    SequenceStartEvent,
)

MAX_LOCATE_BYTES = 32 * 1024 * 1024
_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")
Path_ = tuple[str | int, ...]


def parse_path(dotted: str) -> Path_:
    """'salesforce.users[3].roles' -> ('salesforce', 'users', 3, 'roles')."""
    return tuple(int(index) if index else name for name, index in _PART.findall(dotted))


@dataclass
class _Container:
    path: Path_ | None  # None inside a complex key, whose contents have no path
    is_mapping: bool
    expect_key: bool = True
    key: str | None = None
    index: int = 0


def positions(text: str, wanted: set[Path_]) -> dict[Path_, tuple[int, int]]:
    """(line, column), 1-based, of each wanted path: a mapping key, or a list item's first token."""
    try:
        return _walk(text, wanted, pure=False)
    except YAMLError:
        return _walk(text, wanted, pure=True)  # YAML 1.2 corners the C parser reads as 1.1


def _walk(text: str, wanted: set[Path_], *, pure: bool) -> dict[Path_, tuple[int, int]]:
    found: dict[Path_, tuple[int, int]] = {}
    stack: list[_Container] = []
    for event in YAML(typ="safe", pure=pure).parse(StringIO(text)):
        if isinstance(event, CollectionEndEvent):
            stack.pop()
            continue
        if not isinstance(event, NodeEvent):
            continue
        path: Path_ | None = ()
        if stack:
            top = stack[-1]
            if top.is_mapping and top.expect_key:
                top.expect_key = False
                top.key = event.value if isinstance(event, ScalarEvent) else None
                key_path = None if top.path is None or top.key is None else (*top.path, top.key)
                if key_path is not None and key_path in wanted:
                    found[key_path] = _mark(event)
                if isinstance(event, MappingStartEvent | SequenceStartEvent):
                    stack.append(_Container(None, isinstance(event, MappingStartEvent)))
                continue
            if top.is_mapping:
                top.expect_key = True
                path = None if top.path is None or top.key is None else (*top.path, top.key)
            else:
                path = None if top.path is None else (*top.path, top.index)
                top.index += 1
                if path is not None and path in wanted:
                    found[path] = _mark(event)
        if isinstance(event, MappingStartEvent | SequenceStartEvent):
            stack.append(_Container(path, isinstance(event, MappingStartEvent)))
    return found


def _mark(event: NodeEvent) -> tuple[int, int]:
    return event.start_mark.line + 1, event.start_mark.column + 1


def locate_lines(file: str | Path, dotted_paths: Iterable[str]) -> dict[str, int]:
    """Line (1-based) of each path's key or list item; paths not found are left out."""
    wanted = {parse_path(path): path for path in dotted_paths}
    file = Path(file)
    try:
        if not wanted or file.stat().st_size > MAX_LOCATE_BYTES:
            return {}
        found = positions(file.read_text(encoding="utf-8-sig"), set(wanted))
    except (OSError, UnicodeDecodeError, YAMLError, RecursionError):
        return {}
    return {wanted[path]: line for path, (line, _column) in found.items()}
