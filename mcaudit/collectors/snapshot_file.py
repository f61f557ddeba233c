"""Write a collected snapshot, YAML or JSON by extension, through the model (so it always validates)."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from mcaudit.errors import InputError
from mcaudit.snapshot import Snapshot
from mcaudit.yamlio import dump_yaml

SUFFIXES = {".yaml": "yaml", ".yml": "yaml", ".json": "json"}


def output_format(path: Path) -> str:
    fmt = SUFFIXES.get(path.suffix.lower())
    if fmt is None:
        raise InputError(f"-o {path}: the snapshot file must end in .yaml, .yml or .json")
    return fmt


def write_snapshot(snapshot: Snapshot, path: Path) -> None:
    data = snapshot.model_dump(mode="json", exclude_none=False)
    text = json.dumps(data, indent=2) + "\n" if output_format(path) == "json" else dump_yaml(data)
    path.parent.mkdir(parents=True, exist_ok=True)
    # write beside the target and rename: a crash never leaves half a snapshot behind
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(temporary, path)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        raise InputError(f"cannot write the snapshot: {error.strerror}", path=str(path)) from None
