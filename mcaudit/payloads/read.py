"""Reading request bodies (a JSON file, or a folder of them) as untrusted input."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mcaudit.errors import InputError
from mcaudit.untrusted import FileKind, read_document

PAYLOAD_FILE = FileKind("request body", formats=("json",), missing="no such request body file")
MAX_FILES = 1_000  # a folder of payloads is a test corpus, not a data dump


@dataclass(frozen=True)
class Payload:
    path: str
    body: Any  # the parsed JSON: checked for shape by the checks, never trusted


def read_payloads(path: Path) -> list[Payload]:
    """One file, or every *.json file of a folder (sorted, not recursive). Bad JSON is exit 2 naming
    the file; an empty folder too."""
    if path.is_dir():
        files = sorted(child for child in path.iterdir() if child.suffix.lower() == ".json" and child.is_file())
        if not files:
            raise InputError("no *.json request bodies in this folder", path=str(path))
        if len(files) > MAX_FILES:
            raise InputError(f"{len(files)} request bodies; at most {MAX_FILES:,} are checked in one run",
                             path=str(path))
    else:
        files = [path]
    return [Payload(path=str(file), body=read_document(file, PAYLOAD_FILE).data) for file in files]
