"""The command line: parse arguments, call the pipeline stages, map errors to exit codes.

    collect -> Snapshot -> evaluate(snapshot, rules, config) -> AuditResult -> render(...)

One module per command (audit, rules, schema, collect, preflight, verify); `options` holds the
options the report-writing commands share as one typed object, `output` where their reports go,
`errors` the top-level handler that turns every error into one visible line and an exit code.
click is imported nowhere else in mcaudit (tests/test_architecture.py checks it).
"""

from __future__ import annotations

import sys

import click

from mcaudit import __version__
from mcaudit.cli import audit, collect, preflight, rules, schema, verify
from mcaudit.cli.errors import run_guarded

__all__ = ["cli", "main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="mcaudit", message="%(prog)s %(version)s")
@click.option("--debug", is_flag=True, help="show tracebacks on errors")
def cli(debug: bool) -> None:
    """Health linter for Salesforce Marketing Cloud Connect (MCC)."""


for _command in (audit.audit, rules.rules, schema.schema, collect.collect, preflight.preflight, verify.verify):
    cli.add_command(_command)


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    run_guarded(lambda: cli.main(args=args, prog_name="mcaudit", standalone_mode=False),
                debug="--debug" in args)
