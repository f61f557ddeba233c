"""The one place where ruamel.yaml is configured.

Snapshots and rule files are untrusted: only the safe loader is used (no Python object tags),
duplicate keys are an error, and aliases and nesting depth are counted on the event stream before
anything is built from it, so an alias bomb cannot expand into gigabytes of data downstream and a
deeply nested document cannot crash the parser.
"""

from __future__ import annotations

from io import StringIO
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import AliasEvent, CollectionEndEvent, CollectionStartEvent
from ruamel.yaml.resolver import VersionedResolver

MAX_ALIASES = 1000
MAX_DEPTH = 100


class YamlProblem(Exception):
    """A YAML document could not be read; carries the 1-based line/column where known."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


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


def _safe_loader(*, pure: bool = False) -> YAML:
    yaml = YAML(typ="safe", pure=pure)  # C-accelerated where ruamel.yaml.clib is installed
    yaml.Resolver = _Yaml12Resolver
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


def _scan(text: str, yaml: YAML) -> None:
    """Walk the parser's event stream (iterative, cheap) before anything is built from it:
    too many aliases would expand into a bomb, and very deep nesting would overflow the C
    composer's stack (a crash, not an exception)."""
    depth = aliases = 0
    for event in yaml.parse(StringIO(text)):
        if isinstance(event, CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                line = event.start_mark.line + 1 if event.start_mark else None
                raise YamlProblem(f"nesting deeper than {MAX_DEPTH} levels", line)
        elif isinstance(event, CollectionEndEvent):
            depth -= 1
        elif isinstance(event, AliasEvent):
            aliases += 1
            if aliases > MAX_ALIASES:
                raise YamlProblem(f"too many YAML aliases (more than {MAX_ALIASES}); refusing to expand")


def _load_with(text: str, yaml: YAML) -> Any:
    _scan(text, yaml)
    return yaml.load(text)


def load_yaml(text: str) -> Any:
    """Parse YAML safely. Raises YamlProblem for syntax errors, tags, duplicates, bombs and
    excessive nesting."""
    try:
        try:
            return _load_with(text, _safe_loader())
        except YAMLError:
            # the C parser follows YAML 1.1 in places (e.g. `{at: 2026-11-21T09:20:00Z}` in flow
            # style); the pure-Python one reads YAML 1.2 and has the final word on what is valid
            return _load_with(text, _safe_loader(pure=True))
    except YAMLError as error:
        raise _problem_from(error) from None
    except RecursionError:
        raise YamlProblem("nesting too deep") from None


def dump_yaml(data: Any) -> str:
    yaml = YAML(typ="safe", pure=False)  # the C emitter, where installed: same text, ~3x faster
    yaml.default_flow_style = False
    yaml.sort_base_mapping_type_on_output = False  # type: ignore[assignment]  # keep the field order
    out = StringIO()
    yaml.dump(data, out)
    return out.getvalue()
