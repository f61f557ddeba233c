"""The configuration file: option defaults a project keeps beside its snapshots instead of on every command line.

Found from the current directory upwards: in each folder `mcaudit.toml` first, then a `pyproject.toml`
that has a `[tool.mcaudit]` table (one without it is passed over); `--config PATH` names the file
instead. Keys are spelt like the long options (`fail-on = "high"`); the top-level keys apply to every
command that has the option, and a table named after a command (`[audit]`, or `[tool.mcaudit.audit]`
in pyproject.toml) applies to that command only and wins over them. The `[expectations]` table is
not options but what the connection should be (mcaudit/expectations.py), for the rules to compare
with. Paths are relative to the file's folder. The file may come from a pull request, so it is read
like any other untrusted file, and every problem is one InputError line naming the file and the key.

This module knows the keys and the shape of their values; the CLI turns them into click's defaults
(so flags given on the command line win) and checks each value with the option's own type.
"""

from __future__ import annotations

import difflib
import sys
from dataclasses import dataclass, field
from pathlib import Path

from mcaudit.errors import InputError
from mcaudit.expectations import Expectations, expectations_from_table
from mcaudit.untrusted import FileKind, read_text

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

__all__ = ["COMMANDS", "CONFIG_NAME", "EXPECTATIONS", "KEYS", "Config", "Value", "find_config", "load_config"]

CONFIG_NAME = "mcaudit.toml"
PYPROJECT = "pyproject.toml"
MAX_CONFIG_BYTES = 2**20  # a pyproject.toml is a few KB; more is not a configuration file
CONFIG_FILE = FileKind("configuration file", formats=("toml",), missing="no such configuration file")

# key (the long option's name) -> what its value is; every key is an option of some command
KEYS: dict[str, str] = {
    "fail-on": "text",
    "select": "ids",
    "ignore": "ids",
    "rules-dir": "paths",
    "waivers": "path",
    "baseline": "path",
    "attestation-max-age": "integer",
    "max-snapshot-size": "integer",
    "ack-eject": "flag",
    "ack-eject-journey": "ids",
}
# the commands that read the file, each of which may have its own table
COMMANDS = ("audit", "preflight", "verify", "triage", "attest", "check-payload")
# the table of what the connection should be (mcaudit/expectations.py), read by every command above
EXPECTATIONS = "expectations"

_EXPECTED = {
    "text": "a string",
    "ids": "a string of comma-separated ids or a list of strings",
    "paths": "a path or a list of paths",
    "path": "a path (string)",
    "integer": "an integer",
    "flag": "true or false",
}

# a value as the CLI receives it: text, a number (or a flag), a path, or several ids or paths
Value = str | int | Path | tuple[str, ...] | tuple[Path, ...]


@dataclass(frozen=True)
class Config:
    """One configuration file's values by key: those for every command, and each command's own."""

    path: Path
    shared: dict[str, Value] = field(default_factory=dict)
    sections: dict[str, dict[str, Value]] = field(default_factory=dict)
    expectations: Expectations | None = None  # the [expectations] table, validated

    def table(self, key: str, command: str | None = None) -> str:
        """How the file spells a key's place: `tool.mcaudit.audit.fail-on` in pyproject.toml."""
        prefix = "tool.mcaudit." if self.path.name == PYPROJECT else ""
        return f"{prefix}{command + '.' if command else ''}{key}"

    def values_for(self, command: str) -> dict[str, tuple[Value, bool]]:
        """The values for one command, each with whether the command's own table gave it."""
        merged = {key: (value, False) for key, value in self.shared.items()}
        merged.update({key: (value, True) for key, value in self.sections.get(command, {}).items()})
        return merged


def find_config(start: Path) -> Path | None:
    """The configuration file that applies in `start`: the nearest one in it or a folder above it."""
    for folder in (start, *start.parents):
        candidate = folder / CONFIG_NAME
        if candidate.is_file():
            return candidate
        candidate = folder / PYPROJECT
        if candidate.is_file() and "tool" in (tables := _parse(candidate)) and _has_mcaudit(tables["tool"]):
            return candidate
    return None


def load_config(path: Path) -> Config:
    """Read and check one configuration file (mcaudit.toml, or pyproject.toml's [tool.mcaudit])."""
    document = _parse(path)
    table: object = document
    if path.name == PYPROJECT:
        tool = document.get("tool", {})
        table = tool.get("mcaudit", {}) if isinstance(tool, dict) else {}
    if not isinstance(table, dict):
        raise InputError("'tool.mcaudit' must be a table", path=str(path))
    config = Config(path=path)
    expectations = None
    for key, value in table.items():
        if key in COMMANDS:
            if not isinstance(value, dict):
                raise InputError(f"'{config.table(key)}' must be a table of {key}'s options", path=str(path))
            config.sections[key] = {name: _value(config, name, item, key) for name, item in value.items()}
        elif key == EXPECTATIONS:
            expectations = expectations_from_table(value, path=path, spelt=config.table(key))
        else:
            config.shared[key] = _value(config, key, value, None)
    return Config(path=path, shared=config.shared, sections=config.sections, expectations=expectations)


def _parse(path: Path) -> dict[str, object]:
    text = read_text(path, CONFIG_FILE, limit=MAX_CONFIG_BYTES)
    try:
        parsed: dict[str, object] = tomllib.loads(text)
        return parsed
    except tomllib.TOMLDecodeError as error:
        raise InputError(f"invalid TOML: {error}", path=str(path)) from None


def _has_mcaudit(tool: object) -> bool:
    return isinstance(tool, dict) and "mcaudit" in tool


def _value(config: Config, key: str, value: object, command: str | None) -> Value:
    """One key's value, checked for its shape, with paths made relative to the file's folder."""
    kind = KEYS.get(key)
    if kind is None:
        raise InputError(f"unknown key '{config.table(key, command)}'{_did_you_mean(key, command)}",
                         path=str(config.path))
    checked = _shaped(kind, value)
    if checked is None:
        raise InputError(f"'{config.table(key, command)}' must be {_EXPECTED[kind]}", path=str(config.path))
    if isinstance(checked, str) and kind == "path":
        return config.path.parent / checked
    if isinstance(checked, tuple) and kind == "paths":
        return tuple(config.path.parent / str(item) for item in checked)
    return checked


def _shaped(kind: str, value: object) -> Value | None:
    """The value if it has the kind's shape (a single string stands for a list of one), else None."""
    if kind in ("text", "path"):
        return value if isinstance(value, str) else None
    if kind == "integer":
        return value if isinstance(value, int) and not isinstance(value, bool) else None
    if kind == "flag":
        return value if isinstance(value, bool) else None
    items = [value] if isinstance(value, str) else value
    if isinstance(items, list) and all(isinstance(item, str) for item in items):
        return tuple(str(item) for item in items)
    return None


def _did_you_mean(key: str, command: str | None) -> str:
    """'; did you mean 'fail-on'?' for a near miss, else ''."""
    choices = list(KEYS) if command else [*KEYS, *COMMANDS, EXPECTATIONS]
    close = difflib.get_close_matches(key, choices, n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else f" (known keys: {', '.join(KEYS)})"
