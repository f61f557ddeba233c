"""`mcaudit schema`: print (or write) the JSON Schema of the snapshot format."""

from __future__ import annotations

import json
from pathlib import Path

import click

from mcaudit.cli.output import write_file, write_stdout
from mcaudit.snapshot import snapshot_json_schema


@click.command()
@click.option("--output", "-o", type=click.Path(path_type=Path), help="write the schema to PATH")
def schema(output: Path | None) -> None:
    """Print the JSON Schema of the snapshot format."""
    text = json.dumps(snapshot_json_schema(), indent=2) + "\n"
    if output is None:
        write_stdout(text, what="the schema")
    else:
        write_file(output, text, what="the schema")
