"""`mcaudit import KIND PATH -o SNAPSHOT`: turn an export someone already has into a snapshot.

One subcommand per export (`mcdev` here); each reads its export with mcaudit.imports and writes the
snapshot through write_snapshot_file, so a new kind is one more decorated function below.
"""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

import click

from mcaudit.cli.import_sf import TIMESTAMP_FORMATS, as_utc, sf
from mcaudit.cli.output import write_file
from mcaudit.collectors.snapshot_file import output_format, snapshot_text
from mcaudit.errors import InputError
from mcaudit.safetext import same_file, visible
from mcaudit.snapshot import Snapshot


@click.group(name="import")
def imports() -> None:
    """Turn an export (no credentials needed) into a snapshot."""


def check_output(output: Path, inputs: list[tuple[str, Path]]) -> None:
    """Refuse an -o that is not a snapshot file name, or that is, or is inside, an input."""
    output_format(output)
    for label, source in inputs:
        target = output.resolve()
        if same_file(output, source) or source.resolve() in target.parents:
            raise InputError(f"-o {output}: is inside the {label} this run reads; mcaudit never writes over "
                             "its inputs")


def write_snapshot_file(snapshot: Snapshot, output: Path) -> None:
    write_file(output, snapshot_text(snapshot, output), what="the snapshot")
    sys.stderr.write(f"mcaudit: wrote {visible(str(output))}\n")


@imports.command(name="mcdev")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--output", "-o", type=click.Path(path_type=Path), required=True, metavar="SNAPSHOT",
              help="snapshot to write (.yaml, .yml or .json)")
@click.option("--name", help="a label for reports, e.g. 'ACME production'")
@click.option("--mc-api-user", "mcc_api_user", metavar="USERNAME",
              help="the MC user Marketing Cloud Connect authenticates as, as for collect (no export says which)")
@click.option("--collected-at", type=click.DateTime(TIMESTAMP_FORMATS), metavar="TIMESTAMP",
              help="when the retrieve ran (UTC unless an offset is given); default: the newest file's time")
def mcdev(path: Path, output: Path, name: str | None, mcc_api_user: str | None,
          collected_at: datetime | None) -> None:
    """Read an SFMC DevTools retrieve (mcdev retrieve) into a snapshot's Marketing Cloud side.

    PATH is the DevTools project folder (with retrieve/ and businessUnits/) or its
    retrieve/<credential> folder. Users, roles, business units, triggered sends, journeys and their
    entry events are read; a type the retrieve lacks stays not collected.
    """
    from mcaudit.imports.mcdev import read_mcdev  # only this command pays for it

    check_output(output, [("DevTools folder", path)])
    imported = read_mcdev(path, name=name, mcc_api_user=(mcc_api_user or "").strip() or None,
                          now=as_utc(collected_at))
    for note in imported.notes:
        sys.stderr.write(f"mcaudit: note: {visible(note)}\n")
    write_snapshot_file(imported.snapshot, output)


imports.add_command(sf)  # `import sf`, in its own file
