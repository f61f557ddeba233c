"""Text leaving mcaudit: shown on a terminal or in a CI log, or written to a file.

A snapshot in a pull request is written by whoever opened it, so any name in it may hold a
newline, a terminal escape (colours, cursor moves, OSC 8 links), a Unicode line separator, a bidi
override, a CI log command (`::error ...`, `##vso[...]`) or a lone surrogate that no encoder
accepts. `visible` makes such text inert for a terminal or a log: each control character is
shown as its escape (`\\n`, `\\x1b`, `\\u202e`), so one value stays on one line and one error is
one line; lone surrogates become U+FFFD. `write_text_atomically` writes a file so that a failed
write leaves the previous file whole.

Imports nothing of ours, so every layer can use it.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import stat
from pathlib import Path

# What a terminal or a log viewer acts on (a new line, an escape sequence, text shown reordered):
# the C0 controls (tab and newline too) and, as BEYOND_C0 (a regex class body), DEL, the C1
# controls (NEL, CSI), the Unicode line and paragraph separators, and the bidi marks, embeddings,
# overrides and isolates
BEYOND_C0 = "\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069"
_UNSAFE = re.compile(f"[\x00-\x1f{BEYOND_C0}]")
_UNSAFE_BUT_NEWLINE = re.compile(f"[\x00-\x09\x0b-\x1f{BEYOND_C0}]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_SUSPECT = re.compile(f"[\x00-\x1f{BEYOND_C0}\ud800-\udfff]|::|##")  # nothing to do without one of these
_NAMED = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}
# a CI runner acts on a log line that starts with `::name` (GitHub Actions, after leading blanks)
# and on `##[name` or `##vso[` anywhere in a line (GitHub's older syntax, Azure Pipelines)
_LINE_COMMAND = re.compile(r"^(\s*):(?=:)", re.MULTILINE)
_INLINE_COMMAND = re.compile(r"##(vso)?\[", re.IGNORECASE)


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(value: object, *, newlines: bool = False) -> str:
    """`value` as text a terminal or a CI log shows as written and never acts on.

    Control characters become their escapes (`\\n`, `\\x1b`, `\\u2028`), lone surrogates U+FFFD,
    and CI log commands are broken (`\\x3a:error`, `##\\x5b`). With `newlines`, a newline stays a
    line break (for prose and whole reports) and each line is guarded on its own. Applying it
    twice changes nothing more.
    """
    text = value if isinstance(value, str) else str(value)
    if _SUSPECT.search(text) is None:  # by far the most common case, so the cheapest
        return text
    text = _SURROGATE.sub("\N{REPLACEMENT CHARACTER}", text)
    text = (_UNSAFE_BUT_NEWLINE if newlines else _UNSAFE).sub(_escape, text)
    text = _LINE_COMMAND.sub(r"\1\\x3a", text)
    return _INLINE_COMMAND.sub(lambda match: match.group()[:-1] + "\\x5b", text)


def without_surrogates(text: str) -> str:
    """`text` with each lone surrogate replaced by U+FFFD: encodable as UTF-8, otherwise unchanged.

    For machine formats (JSON, SARIF, XML), which keep the data as it is and escape it their way."""
    return _SURROGATE.sub("\N{REPLACEMENT CHARACTER}", text)


def same_file(first: Path, second: Path) -> bool:
    """Whether two paths name one file: the same inode when both exist (through symlinks and
    hard links), else the same resolved path."""
    try:
        return os.path.samefile(first, second)
    except OSError:
        return os.path.realpath(first) == os.path.realpath(second)


def write_text_atomically(path: Path, text: str) -> None:
    """Write `text` as UTF-8 to `path`: afterwards the file is the old one or the new one, whole.

    The text goes to a temporary file in the same folder, is flushed to disk and renamed over the
    target (a symlink there is replaced, not followed). A failed write (disk full, I/O error, no
    permission, file too large) raises OSError and leaves the previous file as it was. A target
    that is not a regular file (/dev/stdout, a pipe) cannot be replaced, so it is written in place.
    """
    data = without_surrogates(text).encode("utf-8")
    try:
        mode: int | None = os.stat(path).st_mode
    except FileNotFoundError:
        mode = None
    if mode is not None and not stat.S_ISREG(mode):
        with open(path, "wb") as device:
            device.write(data)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o666)
    try:
        with os.fdopen(handle, "wb") as out:
            if mode is not None:
                os.fchmod(out.fileno(), stat.S_IMODE(mode))  # a replaced file keeps its permissions
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise
    _sync_folder(path.parent)


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable; some file systems cannot sync a folder, which is no error."""
    with contextlib.suppress(OSError):
        handle = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(handle)
        finally:
            os.close(handle)
