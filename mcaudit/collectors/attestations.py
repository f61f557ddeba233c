"""Carry a person's attestations into a collected snapshot (`collect --attestations FILE`).

No API shows some facts (the MC user's "Salesforce.com Status", often the connected app's IP
relaxation). A team keeps its confirmations in a file, or in an earlier snapshot, and merges them
into every collection so that the audit can use them while they are current.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError

from mcaudit.errors import InputError
from mcaudit.snapshot import Attestation, field_path
from mcaudit.yamlio import YamlProblem, load_yaml

_LIST = TypeAdapter(list[Attestation])


def load_attestations(path: Path) -> tuple[Attestation, ...]:
    """A YAML/JSON list of attestations, or a mapping (such as a snapshot) with an `attestations` key."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise InputError(f"cannot read: {error.strerror}", path=str(path)) from None
    data = _parse(text, path)
    if isinstance(data, dict):
        data = data.get("attestations", [])
    if not isinstance(data, list):
        raise InputError("expected a list of attestations, or a mapping with an 'attestations' list",
                         path=str(path))
    try:
        return tuple(_LIST.validate_python(data))
    except ValidationError as error:
        first = error.errors(include_url=False)[0]
        raise InputError(first["msg"], path=str(path), field=f"attestations{_where(first['loc'])}") from None


def _parse(text: str, path: Path) -> Any:
    if path.suffix.lower() == ".json":
        try:
            return json.loads(text)
        except json.JSONDecodeError as error:
            raise InputError(f"invalid JSON: {error.msg}", path=str(path), line=error.lineno) from None
    try:
        return load_yaml(text)
    except YamlProblem as problem:
        raise InputError(f"invalid YAML: {problem.message}", path=str(path), line=problem.line) from None


def _where(loc: tuple[Any, ...]) -> str:
    text = field_path(loc)
    return text if text.startswith("[") else f".{text}"
