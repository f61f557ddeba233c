"""`mcaudit schema`: print (or write) the JSON Schema of the snapshot format, or with --report of the JSON report."""

from __future__ import annotations

import json
from pathlib import Path

import click

from mcaudit.cli.output import write_file, write_stdout
from mcaudit.snapshot import snapshot_json_schema


@click.command()
@click.option("--report", "report", is_flag=True,
              help="the JSON Schema of the JSON report (--format json) instead of the snapshot format")
@click.option("--output", "-o", type=click.Path(path_type=Path), help="write the schema to PATH")
def schema(output: Path | None, *, report: bool) -> None:
    """Print the JSON Schema of the snapshot format (or, with --report, of the JSON report)."""
    if report:
        from mcaudit.report.json_model import report_json_schema  # pydantic models of the report: only here

        data = report_json_schema()
    else:
        data = snapshot_json_schema()
    text = json.dumps(data, indent=2) + "\n"
    if output is None:
        write_stdout(text, what="the schema")
    else:
        write_file(output, text, what="the schema")
