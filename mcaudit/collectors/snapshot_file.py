"""Write a collected snapshot, YAML or JSON by extension, through the model (so it always validates).

The file is written whole or not at all (safetext.write_text_atomically): a crash, a full disk or
an I/O error leaves the previous snapshot as it was, never half of a new one.
"""

from __future__ import annotations

import json
from pathlib import Path

from mcaudit.errors import InputError, OutputError
from mcaudit.safetext import write_text_atomically
from mcaudit.snapshot import Snapshot
from mcaudit.yamlio import dump_yaml

SUFFIXES = {".yaml": "yaml", ".yml": "yaml", ".json": "json"}


def output_format(path: Path) -> str:
    fmt = SUFFIXES.get(path.suffix.lower())
    if fmt is None:
        raise InputError(f"-o {path}: the snapshot file must end in .yaml, .yml or .json")
    return fmt


def snapshot_text(snapshot: Snapshot, path: Path) -> str:
    """A snapshot as collect, import and merge write it: YAML or JSON by the file's extension, every
    null kept (null means "not collected", which a reader must see)."""
    data = snapshot.model_dump(mode="json", exclude_none=False)
    return json.dumps(data, indent=2) + "\n" if output_format(path) == "json" else dump_yaml(data)


def write_snapshot(snapshot: Snapshot, path: Path) -> None:
    text = snapshot_text(snapshot, path)
    try:
        write_text_atomically(path, text)
    except OSError as error:
        raise OutputError(f"cannot write the snapshot: {error.strerror or error}", path=str(path)) from None
