"""`mcaudit merge`: snapshots (a Salesforce side, a Marketing Cloud side) and attestation files into one."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from mcaudit.attest import load_filled
from mcaudit.cli.output import refuse_overwriting_inputs, write_file
from mcaudit.collectors.snapshot_file import output_format, snapshot_text
from mcaudit.errors import InputError
from mcaudit.imports.merge import Part, merge_snapshots
from mcaudit.safetext import visible
from mcaudit.snapshot import Attestation, load_snapshot
from mcaudit.snapshot.loader import DEFAULT_MAX_BYTES
from mcaudit.untrusted import DATA_FILE, read_document


@click.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path), metavar="FILE...")
@click.option("--output", "-o", required=True, type=click.Path(path_type=Path), metavar="SNAPSHOT",
              help="write the merged snapshot to SNAPSHOT (.yaml, .yml or .json)")
@click.option("--name", help="a label for reports (else the inputs' name, which must then agree)")
@click.option("--max-snapshot-size", type=click.IntRange(min=1), default=DEFAULT_MAX_BYTES // 2**20,
              show_default=True, help="size limit in MiB of a JSON snapshot (YAML: an eighth of it)")
def merge(inputs: tuple[Path, ...], output: Path, name: str | None, max_snapshot_size: int) -> None:
    """Merge snapshots and attestation files (FILE...) into one snapshot.

    A value not collected (null) in one snapshot is taken from another; two different values for
    one field stop the merge (exit 2) with a line naming the field and both files. Attestation
    files (lists, or filled `mcaudit attest` templates) add their attestations. collected_at is the
    oldest of the snapshots'.
    """
    refuse_overwriting_inputs([("-o", output)], [("input", path) for path in inputs])
    output_format(output)
    max_bytes = max_snapshot_size * 2**20
    parts: list[Part] = []
    attestations: list[Attestation] = []
    for path in inputs:
        if _is_snapshot(path, max_bytes):
            parts.append(Part(str(path), load_snapshot(path, max_bytes=max_bytes).snapshot))
        else:
            attestations.extend(load_filled(path)[0])
    if not parts:
        raise InputError("no snapshot among the inputs (each has attestations only); merge needs at least one")
    merged = merge_snapshots(parts, attestations, name=name)
    write_file(output, snapshot_text(merged, output), what="the snapshot")
    sys.stderr.write(f"mcaudit: wrote {visible(str(output))} from {len(parts)} snapshot(s) and "
                     f"{len(inputs) - len(parts)} attestation file(s)\n")


def _is_snapshot(path: Path, max_bytes: int) -> bool:
    """A snapshot has schema_version; anything else is read as attestations."""
    data = read_document(path, DATA_FILE, max_bytes=max_bytes).data
    return isinstance(data, dict) and "schema_version" in data
