"""The command line: parse arguments, call the pipeline stages, map errors to exit codes.

    collect -> Snapshot -> evaluate(snapshot, rules, config) -> AuditResult -> render(...)

One module per command (audit, rules, schema, collect, preflight, verify); `options` holds the
options the report-writing commands share as one typed object, `output` where their reports go,
`errors` the top-level handler that turns every error into one visible line and an exit code.
click is imported nowhere else in mcaudit (tests/test_architecture.py checks it).

The group reads the configuration file (mcaudit/config.py: `--config PATH`, else the nearest
mcaudit.toml or pyproject.toml with [tool.mcaudit] from the current directory upwards) into click's
`default_map`, so the file provides defaults and flags on the command line win.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from mcaudit import __version__
from mcaudit.cli import attest, audit, check_payload, collect, imports, preflight, rules, schema, triage, verify
from mcaudit.cli import merge as merge_command
from mcaudit.cli.errors import run_guarded
from mcaudit.cli.options import EXPECTATIONS_META
from mcaudit.config import COMMANDS, Config, Value, find_config, load_config
from mcaudit.errors import InputError

__all__ = ["cli", "main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="mcaudit", message="%(prog)s %(version)s")
@click.option("--debug", is_flag=True, help="show tracebacks on errors")
@click.option("--config", "config_file", type=click.Path(path_type=Path), metavar="PATH",
              help="configuration file (default: the nearest mcaudit.toml, or pyproject.toml with "
              "[tool.mcaudit], from the current directory upwards); flags win over it")
@click.pass_context
def cli(ctx: click.Context, debug: bool, config_file: Path | None) -> None:
    """Health linter for Salesforce Marketing Cloud Connect (MCC)."""
    if config_file is None and ctx.invoked_subcommand not in COMMANDS:
        return  # the other commands take none of the file's options
    path = config_file if config_file is not None else find_config(Path.cwd())
    if path is not None:
        config = load_config(path)
        ctx.default_map = default_map(ctx, config)
        ctx.meta[EXPECTATIONS_META] = config.expectations


def default_map(ctx: click.Context, config: Config) -> dict[str, dict[str, Any]]:
    """click's defaults for each command that reads the file, keyed by parameter name.

    A top-level key the command lacks (`baseline` for preflight) is passed over; the same key in
    the command's own table is an error. Each value is checked with the option's own click type,
    so a bad one is reported against the file and the key, not as a flag never given.
    """
    defaults: dict[str, dict[str, Any]] = {}
    for name in COMMANDS:
        command = cli.commands[name]
        by_option = {opt[2:]: param for param in command.params for opt in param.opts if opt.startswith("--")}
        defaults[name] = {}
        for key, (value, own_table) in config.values_for(name).items():
            param = by_option.get(key)
            if param is None:
                if own_table:
                    raise InputError(f"'{config.table(key, name)}': {name} has no --{key}", path=str(config.path))
                continue
            spelt = config.table(key, name if own_table else None)
            defaults[name][str(param.name)] = _checked(ctx, param, value, spelt, config.path)
    return defaults


def _checked(ctx: click.Context, param: click.Parameter, value: Value, key: str, path: Path) -> Any:
    given = value if param.multiple or not isinstance(value, tuple) else ",".join(map(str, value))
    try:
        param.type_cast_value(ctx, given)
    except click.BadParameter as error:
        raise InputError(f"'{key}': {error.message}", path=str(path)) from None
    return given


for _command in (audit.audit, triage.triage, attest.attest, check_payload.check_payload, rules.rules, schema.schema,
                 collect.collect, preflight.preflight, verify.verify,
                 imports.imports, merge_command.merge):
    cli.add_command(_command)


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    run_guarded(lambda: cli.main(args=args, prog_name="mcaudit", standalone_mode=False),
                debug="--debug" in args)
