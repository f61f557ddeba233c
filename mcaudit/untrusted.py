"""The one reader for every file someone else may have written.

A snapshot, merge file, attestations file, waiver file, baseline report, rotation plan, rule file
or `sf org display --json` output can come from a pull request, so whoever opened it chose every
byte. Each is read here, the same way, with the same limits, and every problem is one InputError
line naming the file, the line (and column) where known and the field path:

- **Regular files only.** The file is opened without blocking (a FIFO cannot hang the open) and
  checked with fstat on the opened descriptor, so a directory, a FIFO, a socket or a device such
  as /dev/zero is refused, also behind a symlink. At most limit + 1 bytes are ever read.
- **One encoding rule.** UTF-8, with or without a BOM; UTF-16, NUL bytes and invalid UTF-8 are
  refused, the last with the byte's line and offset.
- **Bounded cost at the default limits.** Time and memory grow with the number of values, not
  the bytes (each value may even cost a validation error of ~1 KB), and YAML costs some 25 times
  JSON per value, so each format has its own limits, all scaled from one number, the size limit
  of a JSON file (`--max-snapshot-size` where a command has it, 16 MiB by default):

  | limit, at the default | JSON | YAML |
  |---|---|---|
  | file size | 16 MiB | 2 MiB (an eighth) |
  | objects and lists / nodes of any kind | 65,536 (size / 256) | 131,072 (YAML size / 16) |
  | values, counted as commas and brackets | 349,525 (size / 48) | (the nodes) |
  | text that aliases repeat, in all | (none) | 2 MiB (the YAML size) |
  | nesting / keys per mapping / aliases | 100 / 1,000 / (none) | 100 / 1,000 / 1,000 |

  JSON is counted on the raw bytes before it is parsed; YAML on its event stream before anything
  is built, each alias counting as all that it repeats. A real snapshot meets these counts near
  its size limit: JSON as `mcaudit collect` writes it, some 10,000 users a side (11 MiB); YAML,
  some 3,500 users (1.7 MiB). The worst files found at these limits (65,536 objects or 131,072
  YAML mappings, each failing validation four times) are read, refused and reported in under 2 s
  and 560 MiB of address space.
- **Values Python cannot build** (2026-02-30, an integer of more than 4300 digits) are problems
  at their line and field, never an internal error.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import stat
from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from itertools import accumulate, repeat
from operator import sub
from pathlib import Path
from typing import Any

from mcaudit.errors import InputError, RuleError
from mcaudit.yamlio import MAX_DEPTH, MAX_KEYS, Path_, YamlLimits, YamlProblem, load_yaml, positions

MIB = 2**20
DEFAULT_MAX_BYTES = 16 * MIB
# Everything scales with the size limit of a JSON file. Cost grows with values, not bytes, and
# `mcaudit collect` writes indented JSON, every null included: an object or list every ~220 bytes
# and a value every ~33. The counts keep the worst file at the limits near 500,000 validation
# errors (an empty object may cost four, any other value one), at ~1 KB each.
JSON_BYTES_PER_CONTAINER = 256
JSON_BYTES_PER_VALUE = 48
YAML_SHARE = 8  # a YAML file may be an eighth of the size of a JSON one ...
YAML_BYTES_PER_NODE = 16  # ... and have a node per 16 bytes of that (a real one: one per ~13.7)
_READ_CHUNK = 4 * MIB


@dataclass(frozen=True)
class Limits:
    """What one file may hold, all scaled from one size: that of a JSON file."""

    json_bytes: int
    json_containers: int
    json_values: int
    yaml_bytes: int
    yaml: YamlLimits

    @classmethod
    def scaled(cls, max_bytes: int) -> Limits:
        yaml_bytes = max(max_bytes // YAML_SHARE, 1)
        return cls(json_bytes=max_bytes,
                   json_containers=max(max_bytes // JSON_BYTES_PER_CONTAINER, MAX_DEPTH),
                   json_values=max(max_bytes // JSON_BYTES_PER_VALUE, MAX_DEPTH),
                   yaml_bytes=yaml_bytes,
                   yaml=YamlLimits(nodes=max(yaml_bytes // YAML_BYTES_PER_NODE, MAX_DEPTH), alias_text=yaml_bytes))

    def bytes_for(self, fmt: str) -> int:
        return self.json_bytes if fmt == "json" else self.yaml_bytes


@dataclass(frozen=True)
class FileKind:
    """What a file is: which formats it may be in, and how the messages about it name it."""

    name: str  # "is a directory, expected a {name}"
    formats: tuple[str, ...] = ("yaml", "json")  # one: always that format; both: `.json` is JSON
    option: str | None = None  # the option that raises its limits, if a command has one
    missing: str = "no such file"
    invalid: str | None = None  # says a syntax error instead of "invalid JSON" / "invalid YAML"
    as_json: str = "save it as JSON"  # what to do with a YAML file too large for YAML
    error: type[InputError] = InputError

    def format_of(self, path: Path) -> str:
        if len(self.formats) == 1:
            return self.formats[0]
        return "json" if path.suffix.lower() == ".json" else "yaml"


SNAPSHOT = FileKind("snapshot file", option="--max-snapshot-size",
                    as_json="save it as JSON (`mcaudit collect -o snapshot.json` writes JSON)")
DATA_FILE = FileKind("YAML or JSON file")  # a merge file, or any part of a snapshot
ATTESTATIONS = FileKind("attestations file")
WAIVERS = FileKind("waiver file")
BASELINE = FileKind("JSON report", formats=("json",), invalid="not a JSON report (mcaudit audit --format json)")
PLAN = FileKind("plan file", formats=("json",), option="--max-snapshot-size", missing="no such plan file")
RULE_FILE = FileKind("rule file", formats=("yaml",), error=RuleError)
ORG_JSON = FileKind("`sf org display --json` output", formats=("json",),
                    invalid="not JSON (expected the output of `sf org display --json`)")


@dataclass(frozen=True)
class Document:
    """A file read and parsed, and its text, to find where a field is."""

    path: str
    format: str  # "yaml" or "json"
    text: str = field(repr=False)
    data: Any = field(repr=False)

    def position(self, loc: tuple[Any, ...]) -> tuple[int | None, int | None]:
        """(line, column) of the deepest key or list item of `loc` that the file has."""
        return self.positions([loc])[0]

    def positions(self, locs: list[tuple[Any, ...]]) -> list[tuple[int | None, int | None]]:
        """`position` of each of `locs`, found in one walk of the text rather than one each."""
        paths = [tuple(part for part in loc if isinstance(part, str | int)) for loc in locs]
        prefixes = {path[:end] for path in paths for end in range(1, len(path) + 1)}
        found = find_positions(self.text, self.format, prefixes)
        places: list[tuple[int | None, int | None]] = []
        for path in paths:
            deepest = next((path[:end] for end in range(len(path), 0, -1) if path[:end] in found), None)
            places.append(found[deepest] if deepest is not None else (None, None))
        return places


def dotted(path: tuple[Any, ...]) -> str:
    """('salesforce', 'users', 3, 'roles') -> 'salesforce.users[3].roles'."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def read_document(path: str | Path, kind: FileKind, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Document:
    """Read and parse one untrusted file within the limits scaled from `max_bytes`.

    Raises kind.error (an InputError) of one line for anything wrong with the file or its text.
    """
    file = Path(path)
    fmt = kind.format_of(file)
    limits = Limits.scaled(max_bytes)
    raw = _read_bytes(file, kind, limits.bytes_for(fmt), fmt=fmt)
    if fmt == "json":
        _check_json_counts(raw, file, kind, limits)
    text = _decode(raw, file, kind)
    del raw
    data = _parse_json(text, file, kind) if fmt == "json" else _parse_yaml(text, file, kind, limits)
    return Document(path=str(file), format=fmt, text=text, data=data)


def read_text(path: str | Path, kind: FileKind, *, limit: int) -> str:
    """The text of one untrusted file of at most `limit` bytes, unparsed (regular files, UTF-8)."""
    file = Path(path)
    return _decode(_read_bytes(file, kind, limit, fmt=None), file, kind)


def find_positions(text: str, fmt: str, wanted: set[Path_]) -> dict[Path_, tuple[int, int]]:
    """(line, column), 1-based, of each wanted path that the text has: a key, or a list item."""
    if not wanted:
        return {}
    if fmt == "json":
        return _json_positions(text, wanted)
    return positions(text, wanted)


# -- reading: a regular file, at most limit + 1 bytes ---------------------------------------------

_NOT_REGULAR = (
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device (such as /dev/zero)"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def _fail(kind: FileKind, message: str, file: Path, **where: Any) -> InputError:
    return kind.error(message, path=str(file), **where)


def _read_bytes(file: Path, kind: FileKind, limit: int, *, fmt: str | None) -> bytes:
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        handle = os.open(file, flags)
    except FileNotFoundError:
        raise _fail(kind, kind.missing, file) from None
    except OSError as error:
        raise _fail(kind, _open_problem(file, error), file) from None
    try:
        mode = os.fstat(handle)
        if stat.S_ISDIR(mode.st_mode):
            raise _fail(kind, f"is a directory, expected a {kind.name}", file)
        if not stat.S_ISREG(mode.st_mode):
            raise _fail(kind, f"is {_what(mode.st_mode)}, not a regular file", file)
        if mode.st_size > limit:
            raise _fail(kind, _too_large(mode.st_size, limit, kind, fmt), file)
        raw = _read_at_most(handle, limit + 1, hint=mode.st_size)
    except OSError as error:
        raise _fail(kind, f"cannot read: {error.strerror or error}", file) from None
    finally:
        os.close(handle)
    if len(raw) > limit:  # grew since fstat, or a file system that does not know its sizes
        raise _fail(kind, _too_large(len(raw), limit, kind, fmt, at_least=True), file)
    return raw


def _read_at_most(handle: int, wanted: int, *, hint: int) -> bytes:
    """Up to `wanted` bytes; one read for a regular file whose size is known (hint)."""
    parts: list[bytes] = []
    total = 0
    size = min(hint + 1, wanted) if hint else min(_READ_CHUNK, wanted)
    while total < wanted:
        part = os.read(handle, min(size, wanted - total))
        if not part:
            break
        parts.append(part)
        total += len(part)
        size = _READ_CHUNK
    return b"".join(parts)  # a single part is returned as it is, not copied


def _open_problem(file: Path, error: OSError) -> str:
    try:  # opening a socket fails (ENXIO); say what it is rather than the errno's words
        mode = os.stat(file).st_mode
    except OSError:
        mode = stat.S_IFREG
    if not stat.S_ISREG(mode) and not stat.S_ISDIR(mode):
        return f"is {_what(mode)}, not a regular file"
    return f"cannot read: {error.strerror or error}"


def _what(mode: int) -> str:
    return next((name for test, name in _NOT_REGULAR if test(mode)), "not a regular file")


def _size(count: int) -> str:
    if count >= MIB:
        return f"{count / MIB:.0f} MiB" if count >= 10 * MIB else f"{count / MIB:.3g} MiB"
    return f"{count / 2**10:.3g} KiB"


def _too_large(size: int, limit: int, kind: FileKind, fmt: str | None, *, at_least: bool = False) -> str:
    said = f"file is {'more than ' if at_least else ''}{_size(size)}, above the {_size(limit)} limit"
    return said + (" for YAML" if fmt == "yaml" and "json" in kind.formats else "") + _advice(kind, fmt)


def _advice(kind: FileKind, fmt: str | None) -> str:
    """What to do about a file over a limit: JSON for YAML that may be JSON, or the option."""
    if fmt == "yaml" and "json" in kind.formats:
        return (f": YAML is far slower to read than JSON, so {kind.as_json}"
                + (f" or raise {kind.option}" if kind.option else ""))
    return f" (raise it with {kind.option})" if kind.option else ""


def _decode(raw: bytes, file: Path, kind: FileKind) -> str:
    if not raw.strip():
        raise _fail(kind, "file is empty", file)
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise _fail(kind, "file is UTF-16 encoded; save it as UTF-8", file)
    if b"\x00" in raw[:8192]:
        raise _fail(kind, "file is binary, not YAML or JSON text", file)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        raise _fail(kind, f"not UTF-8 text (byte 0x{raw[error.start]:02x} at offset {error.start})", file,
                    line=line) from None


# -- YAML ---------------------------------------------------------------------------------------

def _parse_yaml(text: str, file: Path, kind: FileKind, limits: Limits) -> Any:
    try:
        return load_yaml(text, limits.yaml)
    except YamlProblem as problem:
        message = f"{kind.invalid or 'invalid YAML'}: {problem.message}" if problem.syntax else problem.message
        if problem.too_large:  # the node limit: YAML is the expensive format
            message += _advice(kind, "yaml")
        raise _fail(kind, message, file, line=problem.line, column=problem.column,
                    field=dotted(problem.path) or None) from None


# -- JSON: counted on the bytes, parsed strictly, and a problem found where it is -----------------

class _Refused(Exception):
    """The strict JSON decoder refuses an object or a constant (not a syntax error)."""


def _checked_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """JSON allows a key twice and keeps the last; in mcaudit's files that hides which value counts."""
    mapping = dict(pairs)
    if len(mapping) != len(pairs):
        raise _Refused("duplicate key")
    if len(mapping) > MAX_KEYS:
        raise _Refused(f"an object with more than {MAX_KEYS} keys")
    return mapping


def _no_constant(name: str) -> Any:
    raise _Refused(f"{name} is not valid JSON")


_STRICT = json.JSONDecoder(object_pairs_hook=_checked_object, parse_constant=_no_constant)
_PLAIN = json.JSONDecoder()
# the C function that reads one JSON string: (text, offset after its opening quote) -> (str, offset after it)
_scanstring: Callable[[str, int], tuple[str, int]] = json.decoder.scanstring  # type: ignore[attr-defined]
_SPACE = re.compile(r"[ \t\n\r]*")
_DIGITS = re.compile(r"-?\d*")
_STRUCTURE = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)
_BYTES_BUT_BRACKETS = bytes(set(range(256)) - set(b'"[]{}'))
_QUOTED_BRACKETS = re.compile(rb'"[^"]*"')
_STEPS = bytes.maketrans(b"[{]}", b"\x02\x02\x00\x00")  # +1 and -1, once 1 is taken off each


def _check_json_counts(raw: bytes, file: Path, kind: FileKind, limits: Limits) -> None:
    """Refuse, before parsing, a file whose parse would cost too much. Brackets and commas inside
    strings are counted too: an upper bound, far above what a real file comes near."""
    containers = raw.count(b"{") + raw.count(b"[")
    if containers > MAX_DEPTH:  # first, as the more precise message
        depth = _json_depth(raw, most_strings=limits.json_containers)
        if depth is not None and depth > MAX_DEPTH:
            raise _too_deep(raw.decode("utf-8", "replace"), file, kind)
    if containers > limits.json_containers:
        raise _fail(kind, f"more than {limits.json_containers:,} objects and lists{_advice(kind, 'json')}", file)
    if containers + raw.count(b",") > limits.json_values:
        raise _fail(kind, f"more than {limits.json_values:,} values{_advice(kind, 'json')}", file)


def _json_depth(raw: bytes, *, most_strings: int) -> int | None:
    """The deepest nesting of brackets outside strings, with C-speed byte operations only; None
    when more than `most_strings` strings hold brackets (so many brackets that the count of
    objects and lists refuses the file anyway, and skipping those strings would cost more)."""
    unescaped = raw
    if b"\\" in raw:  # (a scan for one byte: far cheaper than looking for two)
        unescaped = raw.replace(b"\\\\", b"").replace(b'\\"', b"")  # now every quote opens or closes a string
    skeleton = unescaped.translate(None, _BYTES_BUT_BRACKETS).replace(b'""', b"")
    if b'"' in skeleton:  # strings that hold brackets
        if skeleton.count(b'"') > 2 * most_strings:
            return None
        skeleton = _QUOTED_BRACKETS.sub(b"", skeleton)
    return max(accumulate(map(sub, skeleton.translate(_STEPS), repeat(1))), default=0)


def _too_deep(text: str, file: Path, kind: FileKind) -> InputError:
    depth = 0
    for match in _STRUCTURE.finditer(text):
        char = text[match.start()]
        if char in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return _fail(kind, f"{kind.invalid or 'invalid JSON'}: nesting deeper than {MAX_DEPTH} levels", file,
                             **_line_column(text, match.start()))
        elif char in "]}":
            depth -= 1
    return _fail(kind, f"{kind.invalid or 'invalid JSON'}: nesting deeper than {MAX_DEPTH} levels", file)


def _parse_json(text: str, file: Path, kind: FileKind) -> Any:
    invalid = kind.invalid or "invalid JSON"
    try:
        return _STRICT.decode(text)
    except json.JSONDecodeError as error:
        raise _fail(kind, f"{invalid}: {error.msg}", file, line=error.lineno, column=error.colno) from None
    except RecursionError:
        raise _too_deep(text, file, kind) from None
    except (_Refused, ValueError) as error:
        # a duplicate key, too many keys, NaN, or a number Python cannot build: find where
        offset, path, problem = _culprit(text)
        message = problem or _value_problem(text, offset, error)
        syntactic = isinstance(error, _Refused)
        raise _fail(kind, f"{invalid}: {message}" if syntactic else message, file, field=dotted(path) or None,
                    **_line_column(text, offset)) from None


def _value_problem(text: str, offset: int, error: Exception) -> str:
    number = _DIGITS.match(text, offset)
    digits = len(number.group().lstrip("-")) if number else 0
    if "digits" in str(error) and digits:
        limit = re.search(r"\((\d+) digits\)", str(error))
        return f"an integer of {digits} digits, more than the {limit.group(1) if limit else 4300} Python reads"
    return str(error).split(";")[0]


def _line_column(text: str, offset: int) -> dict[str, int]:
    line_start = text.rfind("\n", 0, offset) + 1
    return {"line": text.count("\n", 0, offset) + 1, "column": offset - line_start + 1}


def _skip(text: str, at: int) -> int:
    """The offset of the first character at or after `at` that is not JSON white space."""
    space = _SPACE.match(text, at)
    return space.end() if space else at


# (key or index, offset of the key or item, offset of its value); sent the offset after the value;
# returns the offset after the object or array
Members = Generator[tuple[str | int, int, int], int, int]


def _members(text: str, start: int) -> Members:
    """Each member of the object or array at `start` (the text is JSON up to where it is read)."""
    opener = text[start]
    at = _skip(text, start + 1)
    index = 0
    while text[at] not in "]}":
        if opener == "{":
            key, after = _scanstring(text, at + 1)
            end = yield key, at, _skip(text, _skip(text, after) + 1)
        else:
            end = yield index, at, at
        at = _skip(text, end)
        if text[at] == ",":
            at = _skip(text, at + 1)
        index += 1
    return at + 1


def _culprit(text: str) -> tuple[int, Path_, str | None]:
    """Where the strict decoder first fails, found by descending into the first member it refuses:
    (offset, path, problem); the problem is None when it is the value at the offset itself."""
    at = _skip(text, 0)
    path: list[str | int] = []
    while text[at] in "{[":
        members = _members(text, at)
        seen: set[str] = set()
        try:
            part, part_at, value_at = next(members)
            while True:
                if isinstance(part, str):
                    if part in seen:
                        return part_at, (*path, part), f"duplicate key {json.dumps(part)[:80]}"
                    if len(seen) >= MAX_KEYS:
                        return part_at, (*path, part), f"an object with more than {MAX_KEYS} keys"
                    seen.add(part)
                try:
                    end = _STRICT.raw_decode(text, value_at)[1]
                except (_Refused, ValueError, RecursionError):
                    path.append(part)
                    at = value_at
                    break
                part, part_at, value_at = members.send(end)
        except StopIteration:
            break
    return at, tuple(path), None


def _json_positions(text: str, wanted: set[Path_]) -> dict[Path_, tuple[int, int]]:
    """Find each wanted path by walking only the objects and arrays on the way to it and skipping
    every other value with the C decoder: about the cost of parsing the file once, at worst."""
    found: dict[Path_, tuple[int, int]] = {}
    within = {path[:end] for path in wanted for end in range(len(path))}
    with contextlib.suppress(ValueError, IndexError):  # keep what was found before the text stops being JSON
        _visit(text, _skip(text, 0), (), wanted, within, found)
    return found


def _visit(text: str, start: int, prefix: Path_, wanted: set[Path_], within: set[Path_],
           found: dict[Path_, tuple[int, int]]) -> int | None:
    """Walk the value at `start` for the wanted paths under `prefix`: the offset after it, or None
    once everything wanted has been found."""
    if text[start] not in "{[":
        return int(_PLAIN.raw_decode(text, start)[1])
    members = _members(text, start)
    try:
        part, part_at, value_at = next(members)
        while True:
            path = (*prefix, part)
            if path in wanted and path not in found:
                where = _line_column(text, part_at)
                found[path] = (where["line"], where["column"])
                if len(found) == len(wanted):
                    return None
            if path in within:
                end = _visit(text, value_at, path, wanted, within, found)
                if end is None:
                    return None
            else:
                end = int(_PLAIN.raw_decode(text, value_at)[1])
            part, part_at, value_at = members.send(end)
    except StopIteration as done:
        return int(done.value)
