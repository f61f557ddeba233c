"""The one place where ruamel.yaml is configured.

Snapshots and rule files are untrusted: only the safe loader is used (no Python object tags),
duplicate keys are an error, and the event stream is walked before anything is built from it.
That walk counts what the document will become once its aliases are expanded: nesting depth,
keys per mapping, aliases, nodes (each alias counts as the nodes it repeats) and the scalar text
aliases repeat. So an alias bomb, even one of fewer than MAX_ALIASES aliases to one large string,
cannot expand into gigabytes downstream, and a deeply nested document cannot crash the parser.
A value the parser reads but Python cannot build (2026-02-30, an integer of more than 4300
digits) is a problem with its line and field path, like a syntax error.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from io import StringIO
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.constructor import ConstructorError, DuplicateKeyError, SafeConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import (
    AliasEvent,
    CollectionEndEvent,
    MappingEndEvent,
    MappingStartEvent,
    NodeEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
)
from ruamel.yaml.resolver import VersionedResolver

MAX_ALIASES = 1000
MAX_DEPTH = 100
MAX_KEYS = 1000  # far more than any mcaudit file has; bounds the "unknown field" errors of one mapping
Path_ = tuple[str | int, ...]


@dataclass(frozen=True)
class YamlLimits:
    """How large a document may become once its aliases are expanded (mcaudit.untrusted scales
    these with the size limit; the defaults are those of the default limit)."""

    nodes: int = 131_072  # scalars, sequences and mappings; an alias counts as all the nodes it repeats
    alias_text: int = 2 * 2**20  # characters of scalar text that aliases may repeat, in all

    @property
    def fallback_nodes(self) -> int:
        """The pure-Python parser, which has the last word on YAML 1.2 corners, is some 25 times
        slower than the C one: it reads at most this many nodes."""
        return max(self.nodes // 8, 1024)

    @property
    def fallback_chars(self) -> int:
        """...and at most this much text (a single long value costs it seconds, whatever the nodes)."""
        return self.nodes * 8


class YamlProblem(Exception):
    """A YAML document could not be read; carries the 1-based line/column where known, the path
    of the node at fault where known, whether the text itself is malformed (`syntax`) rather than
    over a limit or holding a value Python cannot build, and whether it has more nodes than the
    limit allows (`too_large`)."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None, *,
                 path: Path_ = (), syntax: bool = True, too_large: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column
        self.path = path
        self.syntax = syntax
        self.too_large = too_large


class _Yaml12Resolver(VersionedResolver):
    """Snapshots are YAML 1.2. The stock resolver looks the document's version up for every
    scalar through an attribute the C parser lacks, paying for an exception each time; with a
    fixed version (and its table looked up once) the C-accelerated load is much faster."""

    @property
    def processing_version(self) -> tuple[int, int]:
        return (1, 2)

    @property
    def versioned_resolver(self) -> Any:
        table = self.__dict__.get("_yaml12_table")
        if table is None:
            table = self.__dict__["_yaml12_table"] = super().versioned_resolver
        return table


class _ValueProblem(ConstructorError):
    """A scalar the parser resolved (a date, an integer) that Python cannot build."""


class _Constructor(SafeConstructor):
    """The safe constructor, with a scalar Python cannot build reported at its place instead of
    escaping as a bare ValueError ("day is out of range for month")."""

    def construct_non_recursive_object(self, node: Any, tag: str | None = None) -> Any:
        try:
            return super().construct_non_recursive_object(node, tag)
        except (ValueError, OverflowError) as error:
            raise _ValueProblem(None, None, _value_message(node, error), node.start_mark) from None


def _value_message(node: Any, error: Exception) -> str:
    value = str(getattr(node, "value", ""))
    kind = str(getattr(node, "tag", "")).rsplit(":", 1)[-1]
    if kind == "int":
        digits = sum(char.isdigit() for char in value)
        if digits > _int_digits_limit():
            return f"an integer of {digits} digits, more than the {_int_digits_limit()} Python reads"
    shown = value if len(value) <= 40 else value[:40] + "..."
    what = "date or timestamp" if kind == "timestamp" else kind or "value"
    return f"not a valid {what} ({error}): {shown}"


def _int_digits_limit() -> int:
    getter = getattr(sys, "get_int_max_str_digits", None)  # Python 3.10.7 and later
    return int(getter()) if getter is not None else 4300


def _safe_loader(*, pure: bool = False) -> YAML:
    yaml = YAML(typ="safe", pure=pure)  # C-accelerated where ruamel.yaml.clib is installed
    yaml.Resolver = _Yaml12Resolver
    yaml.Constructor = _Constructor
    yaml.allow_duplicate_keys = False
    return yaml


def _problem_from(error: YAMLError, text: str) -> YamlProblem:
    if isinstance(error, MarkedYAMLError) and error.problem_mark is not None:
        mark = error.problem_mark
        line, column = mark.line + 1, mark.column + 1
        built = isinstance(error, ConstructorError | DuplicateKeyError)  # parsed, then refused
        path = path_at(text, line, column) if built else None
        if isinstance(error, DuplicateKeyError) and path:
            return YamlProblem(f"duplicate key {str(path[-1])[:80]!r}", line, column, path=path)
        message = (error.problem or str(error).splitlines()[0]).strip()
        if error.context and "duplicate" in str(error.context):
            message = f"{error.context.strip()}: {message}"
        return YamlProblem(message, line, column, path=path or (),
                           syntax=not isinstance(error, _ValueProblem))
    first = str(error).strip().splitlines()
    return YamlProblem(first[0] if first else type(error).__name__)


@dataclass
class _Open:
    """A sequence or mapping the scan is inside of."""

    anchor: str | None
    is_mapping: bool
    nodes_before: int  # the totals at its start: what it holds is the difference at its end
    text_before: int
    entries: int = 0  # nodes directly inside it (a mapping's keys and values)


def _scan(text: str, yaml: YAML, limits: YamlLimits) -> None:
    """Walk the parser's event stream (iterative, cheap) before anything is built from it.

    Counted as the built document will have them: each alias adds the nodes and the scalar text
    of what it repeats (aliases inside an anchored node included), so the totals are those of
    the expanded document and the walk stops as soon as one is over its limit. Too deep nesting
    would overflow the C composer's stack (a crash, not an exception); an alias to a node it is
    inside of would build a cycle."""
    nodes = text_total = alias_text = aliases = 0
    anchors: dict[str, tuple[int, int]] = {}  # anchor -> (nodes, characters) of the anchored node
    stack: list[_Open] = []
    for event in yaml.parse(StringIO(text)):
        kind = type(event)
        if kind is SequenceEndEvent or kind is MappingEndEvent:
            closed = stack.pop()
            if closed.anchor:
                anchors[closed.anchor] = (nodes - closed.nodes_before, text_total - closed.text_before)
            continue
        if kind is not ScalarEvent and kind is not AliasEvent and kind is not MappingStartEvent \
                and kind is not SequenceStartEvent:
            continue
        if stack:
            parent = stack[-1]
            parent.entries += 1
            if parent.is_mapping and parent.entries > 2 * MAX_KEYS:
                raise _limit(f"a mapping with more than {MAX_KEYS} keys", event)
        if kind is ScalarEvent:
            nodes += 1
            text_total += len(event.value)
            if event.anchor:
                anchors[event.anchor] = (1, len(event.value))
        elif kind is AliasEvent:
            aliases += 1
            if aliases > MAX_ALIASES:
                raise _limit(f"too many YAML aliases (more than {MAX_ALIASES}); refusing to expand", event)
            if any(open_.anchor == event.anchor for open_ in stack):
                raise _limit(f"the alias *{event.anchor} is inside the node it repeats (a cycle)", event)
            repeated_nodes, repeated_text = anchors.get(event.anchor, (1, 0))
            nodes += repeated_nodes
            text_total += repeated_text
            alias_text += repeated_text
            if alias_text > limits.alias_text:
                raise _limit(f"aliases repeat more than {_size(limits.alias_text)} of text; refusing to expand",
                             event)
        else:
            stack.append(_Open(event.anchor, kind is MappingStartEvent, nodes, text_total))
            nodes += 1
            if len(stack) > MAX_DEPTH:
                raise _limit(f"nesting deeper than {MAX_DEPTH} levels", event, syntax=True)
        if nodes > limits.nodes:
            problem = _limit(f"more than {limits.nodes:,} YAML nodes (values, lists and mappings, counting what "
                             "aliases repeat)", event)
            problem.too_large = True
            raise problem


def _limit(message: str, event: Any, *, syntax: bool = False) -> YamlProblem:
    mark = event.start_mark
    line, column = (mark.line + 1, mark.column + 1) if mark is not None else (None, None)
    return YamlProblem(message, line, column, syntax=syntax)


def _size(count: int) -> str:
    return f"{count / 2**20:g} MiB" if count >= 2**20 else f"{count / 2**10:g} KiB"


def _load_with(text: str, yaml: YAML, limits: YamlLimits, *, pure: bool) -> Any:
    try:
        _scan(text, yaml, limits)
    except YamlProblem as problem:  # a limit: name the field it was found in (the walk stops there)
        if problem.line is not None and problem.column is not None and not (pure and problem.too_large):
            problem.path = path_at(text, problem.line, problem.column, pure=pure) or ()
        raise
    return yaml.load(text)


def load_yaml(text: str, limits: YamlLimits | None = None) -> Any:
    """Parse YAML safely. Raises YamlProblem for syntax errors, tags, duplicates, values Python
    cannot build, bombs, excessive nesting and documents over `limits` (by default those of the
    default size limit)."""
    limits = limits or YamlLimits()
    try:
        try:
            return _load_with(text, _safe_loader(), limits, pure=False)
        except (ConstructorError, DuplicateKeyError):
            raise  # parsed fine: the pure-Python parser would build the same and refuse the same
        except YAMLError as error:
            # the C parser follows YAML 1.1 in places (e.g. `{at: 2026-11-21T09:20:00Z}` in flow
            # style); the pure-Python one reads YAML 1.2 and has the final word on what is valid,
            # within a node budget its speed allows: beyond it, the C parser's word stands
            fallback = YamlLimits(nodes=limits.fallback_nodes, alias_text=limits.alias_text)
            too_large = f"more than {limits.fallback_chars:,} characters"
            try:
                if len(text) > limits.fallback_chars:
                    raise YamlProblem(too_large, too_large=True)
                return _load_with(text, _safe_loader(pure=True), fallback, pure=True)
            except YamlProblem as problem:
                if not problem.too_large:
                    raise
                beyond = _problem_from(error, text)
                size = too_large if len(text) > limits.fallback_chars else f"more than {fallback.nodes:,} nodes"
                beyond.message += (f" (read as YAML 1.1: a file of {size} is not read again as YAML 1.2; quote "
                                   "the value, or save the file as JSON)")
                raise beyond from None
    except YAMLError as error:
        raise _problem_from(error, text) from None
    except RecursionError:
        raise YamlProblem("nesting too deep") from None


# -- where things are: the path of each node, walked on the event stream --------------------------

@dataclass
class _Container:
    path: Path_ | None  # None inside a complex key, whose contents have no path
    is_mapping: bool
    expect_key: bool = True
    key: str | None = None
    index: int = 0


def _node_paths(text: str, *, pure: bool) -> Iterator[tuple[Path_ | None, Any, bool]]:
    """(path, event, marks_path) for each node event, and (path of the closed container, event,
    False) for each end of one. A node marks its path when it is a mapping key (the path of that
    entry) or a list item; a mapping value has its entry's path but the key marks it."""
    stack: list[_Container] = []
    for event in YAML(typ="safe", pure=pure).parse(StringIO(text)):
        if isinstance(event, CollectionEndEvent):
            yield stack.pop().path, event, False
            continue
        if not isinstance(event, NodeEvent):
            continue
        path: Path_ | None = ()
        marks = False
        if stack:
            top = stack[-1]
            if top.is_mapping and top.expect_key:
                top.expect_key = False
                top.key = event.value if isinstance(event, ScalarEvent) else None
                key_path = None if top.path is None or top.key is None else (*top.path, top.key)
                yield key_path, event, True
                if isinstance(event, MappingStartEvent | SequenceStartEvent):
                    stack.append(_Container(None, isinstance(event, MappingStartEvent)))
                continue
            if top.is_mapping:
                top.expect_key = True
                path = None if top.path is None or top.key is None else (*top.path, top.key)
            else:
                path = None if top.path is None else (*top.path, top.index)
                top.index += 1
                marks = True
        yield path, event, marks
        if isinstance(event, MappingStartEvent | SequenceStartEvent):
            stack.append(_Container(path, isinstance(event, MappingStartEvent)))


def positions(text: str, wanted: set[Path_]) -> dict[Path_, tuple[int, int]]:
    """(line, column), 1-based, of each wanted path: a mapping key, or a list item's first token.

    The walk stops once every wanted path is found or can no longer come (its container ended);
    a text that is not YAML gives what was found before the parser stopped."""
    found: dict[Path_, tuple[int, int]] = {}
    try:
        _positions(text, wanted, found, pure=False)
    except YAMLError:
        with contextlib.suppress(YAMLError):  # YAML 1.2 corners the C parser reads as 1.1
            _positions(text, wanted, found, pure=True)
    return found


def _positions(text: str, wanted: set[Path_], found: dict[Path_, tuple[int, int]], *, pure: bool) -> None:
    pending = set(wanted) - set(found)
    within: dict[Path_, set[Path_]] = {}  # container path -> wanted paths that can only come inside it
    for target in wanted:
        for end in range(len(target)):
            within.setdefault(target[:end], set()).add(target)
    for path, event, marks in _node_paths(text, pure=pure):
        if path is None:
            continue
        if isinstance(event, CollectionEndEvent):
            pending -= within.get(path, set())
        elif marks and path in pending:
            found[path] = _mark(event)
            pending.discard(path)
        if not pending:
            break


def path_at(text: str, line: int, column: int, *, pure: bool | None = None) -> Path_ | None:
    """The path of the node that starts at (line, column), 1-based; None if none does. The walk
    stops there, so a problem further on does not matter; `pure` chooses the parser (by default
    the C one, then the pure-Python one if the C one fails first)."""
    for parser_is_pure in (False, True) if pure is None else (pure,):
        try:
            for path, event, _marks in _node_paths(text, pure=parser_is_pure):
                if isinstance(event, NodeEvent) and _mark(event) >= (line, column):
                    return path if _mark(event) == (line, column) else None
            return None
        except YAMLError:
            continue
    return None


def _mark(event: Any) -> tuple[int, int]:
    return event.start_mark.line + 1, event.start_mark.column + 1


def dump_yaml(data: Any) -> str:
    yaml = YAML(typ="safe", pure=False)  # the C emitter, where installed: same text, ~3x faster
    yaml.default_flow_style = False
    yaml.sort_base_mapping_type_on_output = False  # type: ignore[assignment]  # keep the field order
    out = StringIO()
    yaml.dump(data, out)
    return out.getvalue()
