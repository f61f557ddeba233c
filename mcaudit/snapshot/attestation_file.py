"""Attestation files (`--attestations FILE` on every command, `collect` included): a list of
attestations, or a mapping with an `attestations` list (a snapshot, a merge file, a filled
`mcaudit attest` template, whose entries left blank are skipped), and adding them to a snapshot
before the rules run. Read like any untrusted file (mcaudit.untrusted)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError

from mcaudit.errors import InputError
from mcaudit.snapshot.loader import validation_error
from mcaudit.snapshot.meta import Attestation
from mcaudit.snapshot.model import Snapshot
from mcaudit.untrusted import ATTESTATIONS, read_document

_LIST = TypeAdapter(list[Attestation])
_FILLED_IN = ("value", "attested_by", "attested_at")


def _blank(entry: Any) -> bool:
    """A template entry nobody filled in: none of its three blanks has a value."""
    return isinstance(entry, dict) and all(entry.get(key) in (None, "") for key in _FILLED_IN)


def load_filled(path: Path) -> tuple[tuple[Attestation, ...], int]:
    """The attestations of a file (a list, or a mapping with `attestations`, such as the template),
    and how many template entries were left blank and skipped. A half-filled entry is an error
    with its line, like any invalid value."""
    document = read_document(path, ATTESTATIONS)
    data = document.data
    inside: tuple[str, ...] = ()
    if isinstance(data, dict):
        data, inside = data.get("attestations") or [], ("attestations",)
    if not isinstance(data, list):
        raise InputError("expected a list of attestations, or a mapping with an 'attestations' list",
                         path=document.path)
    kept = [(index, entry) for index, entry in enumerate(data) if not _blank(entry)]
    try:
        attestations = tuple(_LIST.validate_python([entry for _, entry in kept]))
    except ValidationError as error:
        # positions in the file are those of the entries kept, not of the filtered list
        raise _located(error, document, inside, [index for index, _ in kept]) from None
    return attestations, len(data) - len(kept)


def _located(error: ValidationError, document: Any, inside: tuple[str, ...], indices: list[int]) -> InputError:
    """validation_error with each problem's list index mapped back to the entry's place in the file."""
    details: list[Any] = []
    for problem in error.errors():
        loc = tuple(problem["loc"])
        if loc and isinstance(loc[0], int):
            loc = (indices[loc[0]], *loc[1:])
        detail = {"type": problem["type"], "loc": loc, "input": problem.get("input")}
        if problem.get("ctx"):
            detail["ctx"] = problem["ctx"]
        details.append(detail)
    remapped = ValidationError.from_exception_data(error.title, details)
    return validation_error(remapped, document, ATTESTATIONS, list[Attestation], format_help=None, inside=inside)


def with_attestations(snapshot: Snapshot, extra: Sequence[Attestation]) -> Snapshot:
    """The snapshot with these attestations added (one given twice counts once)."""
    known = set(snapshot.attestations)
    added = [attestation for attestation in extra if attestation not in known]
    return snapshot.model_copy(update={"attestations": [*snapshot.attestations, *added]}) if added else snapshot
