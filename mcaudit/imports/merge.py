"""`mcaudit merge`: whole snapshots (say a Salesforce side and a Marketing Cloud side) into one.

Unlike `collect --merge` (collectors/merge.py), which adds hand-kept parts to a collection and lets
what was collected win, every input here is a snapshot of equal standing, so nothing silently wins:

- a value that is null (not collected) or absent in one file is taken from the other;
- objects are merged field by field, on the same rule;
- any other value (a list such as `salesforce.users`, a number, a text) given by two files must be
  equal, else the merge stops with a Conflict naming the field and both files;
- attestations are put together, one given twice counted once;
- `collected_at` is the oldest of the inputs' (the merged data is as old as its oldest part, and an
  attestation's age is measured from it); `source` is the one they share, else the least direct of
  them (hand-written, then export, then live); `collection` lists every input's collector runs.

For inputs without a conflict the result does not depend on their order.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from mcaudit.errors import InputError
from mcaudit.snapshot import SCHEMA_VERSION, Attestation, Snapshot, SnapshotSource
from mcaudit.snapshot.meta import Collection, CollectorRun

# top-level fields that are not data of either side: combined by their own rules
_OWN_RULES = {"schema_version", "collected_at", "source", "name", "collection", "attestations"}
# least direct first: a merge is only as direct as its least direct part
_SOURCE_ORDER = (SnapshotSource.hand_written, SnapshotSource.export, SnapshotSource.live)


@dataclass(frozen=True)
class Part:
    path: str
    snapshot: Snapshot


class Conflict(InputError):
    """Two inputs give different values for one field."""

    def __init__(self, where: str, first: Any, first_path: str, second: Any, second_path: str) -> None:
        self.where = where
        super().__init__(f"{where}: {first_path} has {_show(first)} but {second_path} has {_show(second)}; "
                         "mcaudit merge never chooses between two values (correct one of the files, or leave the "
                         "value out of one)")


def merge_snapshots(parts: Sequence[Part], attestations: Sequence[Attestation] = (), *,
                    name: str | None = None) -> Snapshot:
    """One snapshot from these (and extra attestations, e.g. from filled templates)."""
    if not parts:
        raise InputError("merge needs at least one snapshot")
    ordered = sorted(parts, key=lambda part: part.path)  # conflicts are reported the same way whatever the order
    merged: dict[str, Any] = {}
    origin: dict[str, str] = {}
    for part in ordered:
        data = part.snapshot.model_dump(mode="json", exclude=_OWN_RULES)
        merged = _merge(merged, data, "", part.path, origin)
    if name is None:
        for part in ordered:
            if part.snapshot.name is not None:
                merged = _merge(merged, {"name": part.snapshot.name}, "", part.path, origin)
        name = merged.pop("name", None)
    snapshots = [part.snapshot for part in ordered]
    data = {
        **merged,
        "schema_version": SCHEMA_VERSION,
        "collected_at": min(snapshot.collected_at for snapshot in snapshots),
        "source": _source({snapshot.source for snapshot in snapshots}),
        "name": name,
        "collection": _collection(snapshots),
        "attestations": _attestations([*(a for s in snapshots for a in s.attestations), *attestations]),
    }
    try:
        return Snapshot.model_validate(data)
    except ValidationError as error:  # both halves were valid; say so plainly if their union is not
        first = error.errors(include_url=False)[0]
        where = ".".join(str(part) for part in first["loc"])
        raise InputError(f"the merged snapshot is not valid at {where}: {first['msg']}") from None


def _merge(current: Any, given: Any, where: str, path: str, origin: dict[str, str]) -> Any:
    if given is None:
        return current
    if current is None:
        origin[where] = path
        return given
    if isinstance(current, dict) and isinstance(given, dict):
        result = dict(current)
        for key, value in given.items():
            result[key] = _merge(current.get(key), value, f"{where}.{key}" if where else key, path, origin)
        return result
    if current != given:
        raise Conflict(where, current, _owner(where, origin), given, path)
    return current


def _owner(where: str, origin: dict[str, str]) -> str:
    """The file that gave the value at `where` (or at the nearest object above it)."""
    parts = where.split(".")
    for end in range(len(parts), 0, -1):
        found = origin.get(".".join(parts[:end]))
        if found is not None:
            return found
    return "?"


def _source(sources: set[SnapshotSource]) -> SnapshotSource:
    return next(source for source in _SOURCE_ORDER if source in sources)


def _collection(snapshots: list[Snapshot]) -> Collection | None:
    collections = [snapshot.collection for snapshot in snapshots if snapshot.collection is not None]
    if not collections:
        return None
    runs: list[CollectorRun] = []
    for collection in collections:
        runs.extend(run for run in collection.collectors if run not in runs)
    runs.sort(key=lambda run: (run.name, json.dumps(run.model_dump(mode="json"), sort_keys=True)))
    versions = {collection.tool_version for collection in collections}
    return Collection(tool_version=versions.pop() if len(versions) == 1 else None, collectors=runs)


def _attestations(items: list[Attestation]) -> list[Attestation]:
    unique: list[Attestation] = []
    for item in items:
        if item not in unique:
            unique.append(item)
    return sorted(unique, key=lambda item: json.dumps(item.model_dump(mode="json"), sort_keys=True))


def _show(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= 80 else text[:77] + "..."
