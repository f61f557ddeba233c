"""`mcaudit import sf`: a snapshot's Salesforce side from a folder of Salesforce CLI exports.

A subcommand of the `import` group (mcaudit/cli/imports.py registers it with `add_command`).
"""

from __future__ import annotations

import contextlib
import logging
import sys
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import click

from mcaudit.cli.output import refuse_overwriting_inputs, write_file, write_stdout
from mcaudit.collectors.salesforce.exports import commands, import_sf
from mcaudit.collectors.snapshot_file import output_format, snapshot_text
from mcaudit.errors import InputError
from mcaudit.safetext import visible
from mcaudit.snapshot.loader import DEFAULT_MAX_BYTES

# accepted by --collected-at of both imports; a time without an offset is UTC
TIMESTAMP_FORMATS = ["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%dT%H:%M:%S%z"]


def as_utc(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


@click.command("sf")
@click.argument("folder", required=False, type=click.Path(path_type=Path))
@click.option("--output", "-o", type=click.Path(path_type=Path), metavar="SNAPSHOT",
              help="write the snapshot to SNAPSHOT (.yaml, .yml or .json)")
@click.option("--print-queries", is_flag=True,
              help="print the commands that make the folder (the SOQL the live collector runs) and exit")
@click.option("--sf-system-user", metavar="USERNAME",
              help="the MCC System User's username (chosen in Marketing Cloud; no export holds it)")
@click.option("--name", help="a label for reports, e.g. 'ACME production'")
@click.option("--max-snapshot-size", type=click.IntRange(min=1), default=DEFAULT_MAX_BYTES // 2**20,
              show_default=True, help="size limit in MiB of each export file")
@click.option("--collected-at", type=click.DateTime(TIMESTAMP_FORMATS), metavar="TIMESTAMP",
              help="when the export ran (UTC unless an offset is given); default: the oldest file's time")
def sf(folder: Path | None, output: Path | None, print_queries: bool, sf_system_user: str | None,
       name: str | None, max_snapshot_size: int, collected_at: datetime | None) -> None:
    """Build the Salesforce side of a snapshot from FOLDER, `sf data query --json` results.

    The folder holds one file per query the live collector runs (`--print-queries` lists each
    command and its file) and, if retrieved, the connected app's metadata. A missing file leaves
    what it feeds not collected: rules say unknown, never pass. `collected_at` is the oldest
    modification time of the files read.
    """
    if print_queries:
        write_stdout("".join(f"{line}\n" for line in commands()), what="the queries")
        return
    if folder is None or output is None:
        raise InputError("import sf needs FOLDER and -o SNAPSHOT (or --print-queries)")
    output_format(output)
    with _quiet_collector_log():
        imported = import_sf(folder, system_user=sf_system_user, name=name, max_bytes=max_snapshot_size * 2**20,
                             collected_at=as_utc(collected_at))
    inputs = [("export file", path) for path in [*imported.files, *imported.metadata_files]]
    refuse_overwriting_inputs([("-o", output)], inputs)
    write_file(output, snapshot_text(imported.snapshot, output), what="the snapshot")
    for section, why in imported.not_collected.items():
        sys.stderr.write(f"mcaudit: warning: {visible(section)} not collected: {visible(why)}\n")
    sys.stderr.write(f"mcaudit: wrote {visible(str(output))} from {len(imported.files)} export file(s) and "
                     f"{len(imported.metadata_files)} connected app metadata file(s)\n")


@contextlib.contextmanager
def _quiet_collector_log() -> Iterator[None]:
    """The shared assembly logs as the collector does; here the command says what was not collected."""
    logger = logging.getLogger("mcaudit.collect")
    saved = logger.propagate, list(logger.handlers)
    logger.propagate = False
    logger.handlers = [logging.NullHandler()]
    try:
        yield
    finally:
        logger.propagate, logger.handlers = saved[0], saved[1]
