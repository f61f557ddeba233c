"""The one place where ruamel.yaml is configured.

Snapshots and rule files are untrusted: only the safe loader is used (no Python object tags),
duplicate keys are an error, and aliases are counted before anything is built from them, so an
alias bomb cannot expand into gigabytes of data downstream.
"""

from __future__ import annotations

from collections.abc import Iterator
from io import StringIO
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError

MAX_ALIASES = 1000


class YamlProblem(Exception):
    """A YAML document could not be read; carries the 1-based line/column where known."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


def _safe_loader() -> YAML:
    yaml = YAML(typ="safe", pure=False)  # C-accelerated where ruamel.yaml.clib is installed
    yaml.allow_duplicate_keys = False
    return yaml


def _roundtrip_loader() -> YAML:
    yaml = YAML(typ="rt")
    yaml.allow_duplicate_keys = False
    return yaml


def _problem_from(error: YAMLError) -> YamlProblem:
    if isinstance(error, MarkedYAMLError) and error.problem_mark is not None:
        mark = error.problem_mark
        text = error.problem or str(error).splitlines()[0]
        if error.context and "duplicate" in str(error.context):
            text = f"{error.context.strip()}: {text}"
        return YamlProblem(text.strip(), mark.line + 1, mark.column + 1)
    first = str(error).strip().splitlines()
    return YamlProblem(first[0] if first else type(error).__name__)


def count_aliases(text: str) -> int:
    """Count alias events cheaply, before any data is built from them."""
    yaml = YAML(typ="safe", pure=False)
    count = 0
    for event in yaml.parse(StringIO(text)):
        if type(event).__name__ == "AliasEvent":
            count += 1
            if count > MAX_ALIASES:
                break
    return count


def load_yaml(text: str) -> Any:
    """Parse YAML safely. Raises YamlProblem for syntax errors, tags, duplicates and bombs."""
    if "*" in text and "&" in text and count_aliases(text) > MAX_ALIASES:
        raise YamlProblem(f"too many YAML aliases (more than {MAX_ALIASES}); refusing to expand")
    try:
        data = _safe_loader().load(text)
    except YAMLError as error:
        raise _problem_from(error) from None
    except RecursionError:
        raise YamlProblem("nesting too deep") from None
    return data


def load_yaml_roundtrip(text: str) -> Any:
    """Parse with position information (slow); used only to locate an error's line."""
    try:
        return _roundtrip_loader().load(text)
    except (YAMLError, RecursionError):
        return None


def dump_yaml(data: Any) -> str:
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    yaml.sort_base_mapping_type_on_output = False  # keep the model's field order
    out = StringIO()
    yaml.dump(data, out)
    return out.getvalue()


def iter_positions(node: Any, prefix: tuple[str | int, ...] = ()) -> Iterator[tuple[tuple[str | int, ...], int, int]]:
    """Yield (path, line, column) for every key/item of a round-trip-loaded document (1-based)."""
    lc = getattr(node, "lc", None)
    if isinstance(node, dict):
        for key, value in node.items():
            path = (*prefix, str(key))
            if lc is not None:
                try:
                    line, col = lc.key(key)
                    yield path, line + 1, col + 1
                except (KeyError, TypeError):
                    pass
            yield from iter_positions(value, path)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            path = (*prefix, index)
            if lc is not None:
                try:
                    line, col = lc.item(index)
                    yield path, line + 1, col + 1
                except (KeyError, TypeError, IndexError):
                    pass
            yield from iter_positions(value, path)
