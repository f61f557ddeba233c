"""Carry a person's attestations into a collected snapshot (`collect --attestations FILE`).

No API shows some facts (the MC user's "Salesforce.com Status", often the connected app's IP
relaxation). A team keeps its confirmations in a file, or in an earlier snapshot, and merges them
into every collection so that the audit can use them while they are current.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError

from mcaudit.errors import InputError
from mcaudit.snapshot import Attestation, field_path
from mcaudit.snapshot.loader import validation_error
from mcaudit.untrusted import ATTESTATIONS, read_document

_LIST = TypeAdapter(list[Attestation])


def load_attestations(path: Path) -> tuple[Attestation, ...]:
    """A YAML/JSON list of attestations, or a mapping (such as a snapshot) with an `attestations` key.

    Read like any untrusted file (mcaudit.untrusted); any problem is one line."""
    document = read_document(path, ATTESTATIONS)
    data = document.data
    inside: tuple[str, ...] = ()  # where the list is in the file
    if isinstance(data, dict):
        data, inside = data.get("attestations", []), ("attestations",)
    if not isinstance(data, list):
        raise InputError("expected a list of attestations, or a mapping with an 'attestations' list",
                         path=document.path)
    try:
        return tuple(_LIST.validate_python(data))
    except ValidationError as error:
        raise validation_error(error, document, ATTESTATIONS, list[Attestation], format_help=None,
                               inside=inside) from None


def _where(loc: tuple[Any, ...]) -> str:
    text = field_path(loc)
    return text if text.startswith("[") else f".{text}"
