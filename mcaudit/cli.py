"""The command line: parse arguments, call the pipeline stages, map errors to exit codes.

    collect -> Snapshot -> evaluate(snapshot, rules, config) -> AuditResult -> render(...)

Exit codes: 0 nothing at or above --fail-on; 1 findings at or above it; 2 usage error, invalid
input or a report that could not be written; 3 live collection could not complete; 141 standard
output closed by its reader (`| head`), without a word. No traceback unless --debug, and every
error is one line of visible text (safetext.visible), whatever the input holds.
"""

from __future__ import annotations

import io
import json
import os
import sys
from datetime import datetime, timezone
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table
from rich.text import Text

from mcaudit import __version__
from mcaudit.baseline import apply_baseline, load_baseline
from mcaudit.cli_shared import (
    check_known_ids,
    emit,
    fail_on_severity,
    pair_outputs,
    refuse_overwriting_inputs,
    report_options,
    report_outputs,
    split_ids,
    stdout_is_terminal,
    terminal_width,
    want_color,
    warn_notes,
    with_lines,
    write_file,
    write_stdout,
)
from mcaudit.collectors.command import collect
from mcaudit.engine import EvaluationConfig, evaluate, load_rules
from mcaudit.engine.rule import RuleSpec
from mcaudit.engine.waivers import load_waivers
from mcaudit.errors import McauditError, OutputClosed, OutputError
from mcaudit.findings import AuditReport, AuditResult
from mcaudit.rotation.commands import preflight, verify
from mcaudit.safetext import visible
from mcaudit.snapshot import load_snapshot, snapshot_json_schema


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="mcaudit", message="%(prog)s %(version)s")
@click.option("--debug", is_flag=True, help="show tracebacks on errors")
def cli(debug: bool) -> None:
    """Health linter for Salesforce Marketing Cloud Connect (MCC)."""


@cli.command()
@click.argument("snapshots", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--baseline", "baseline_file", type=click.Path(path_type=Path), metavar="REPORT.json",
              help="a previous JSON report (e.g. of the base branch): only failures new since then set the exit code")
@report_options
def audit(snapshots: tuple[Path, ...], baseline_file: Path | None, formats: tuple[str, ...],
          outputs: tuple[Path, ...], fail_on: str, select: tuple[str, ...], ignore: tuple[str, ...],
          rules_dir: tuple[Path, ...], waivers_file: Path | None, strict: bool, attestation_max_age: int,
          max_snapshot_size: int, no_color: bool, quiet: bool, verbose: bool) -> None:
    """Audit snapshots against the connection checklist (and AEP/API rules where present).

    Several snapshots are audited each on its own; the exit code is that of the worst.
    """
    pairs = pair_outputs(list(formats), list(outputs))
    inputs = [("snapshot", path) for path in snapshots]
    inputs += [(label, path) for label, path in (("--baseline file", baseline_file), ("--waivers file", waivers_file))
               if path is not None]
    refuse_overwriting_inputs(report_outputs(pairs), inputs)
    pack = load_rules(rules_dir)
    config = EvaluationConfig(
        mode="audit", fail_on=fail_on_severity(fail_on), strict=strict,
        select=split_ids(select), ignore=split_ids(ignore),
        attestation_max_age_days=attestation_max_age,
        waivers=load_waivers(waivers_file) if waivers_file else (),
        now=datetime.now(timezone.utc),
    )
    check_known_ids(pack, config)
    known = load_baseline(baseline_file, max_bytes=max_snapshot_size * 2**20) if baseline_file else None
    results: list[AuditResult] = []
    for path in snapshots:
        loaded = load_snapshot(path, max_bytes=max_snapshot_size * 2**20)
        result = with_lines(evaluate(loaded.snapshot, pack, config, path=loaded.path))
        results.append(apply_baseline(result, known) if known is not None else result)
    report = AuditReport(tool_version=__version__, command="audit", results=tuple(results))
    warn_notes(report)
    emit(report, pairs, no_color=no_color, quiet=quiet, verbose=verbose)
    sys.exit(report.exit_code)


@cli.command()
@click.argument("rule_id", required=False)
@click.option("--rules-dir", multiple=True, type=click.Path(path_type=Path),
              help="extra folder of rule files (repeatable)")
@click.option("--format", "-f", "fmt", type=click.Choice(["console", "json"]), default="console",
              show_default=True)
@click.option("--no-color", is_flag=True, help="no colour")
def rules(rule_id: str | None, rules_dir: tuple[Path, ...], fmt: str, no_color: bool) -> None:
    """List the rule catalog, or explain RULE_ID."""
    pack = load_rules(rules_dir)
    chosen = [pack.get(rule_id)] if rule_id else list(pack.rules)
    if fmt == "json":
        payload = [_rule_json(rule) for rule in chosen]
        write_stdout(json.dumps(payload[0] if rule_id else payload, indent=2) + "\n", what="the rule catalog")
        return
    on_terminal = stdout_is_terminal()
    console = Console(no_color=not want_color(no_color), highlight=False,
                      width=terminal_width(), soft_wrap=not on_terminal)
    with console.capture() as captured:
        if rule_id:
            _explain(console, chosen[0])
        else:
            _catalog(console, chosen)
    text = captured.get()
    if not on_terminal:  # the table pads every row to the full width; files and logs don't need that
        text = visible("\n".join(line.rstrip() for line in text.splitlines()) + "\n", newlines=True)
    write_stdout(text, what="the rule catalog")


def _catalog(console: Console, chosen: list[RuleSpec]) -> None:
    """Rule files may come from --rules-dir, so every value is a Text (no markup) and visible."""
    table = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
    for column in ("id", "severity", "area", "modes", "title"):
        table.add_column(column, no_wrap=column != "title")
    for rule in chosen:
        table.add_row(*(Text(visible(value)) for value in (
            rule.id, rule.severity.value, rule.area.value, ",".join(rule.modes), rule.title)))
    console.print(table)
    console.print(Text(f"{len(chosen)} rules. `mcaudit rules ID` explains one.", style="dim"))


def _rule_json(rule: RuleSpec) -> dict[str, object]:
    data = rule.model_dump(mode="json", by_alias=True, exclude_none=True)
    data["check"] = rule.check.model_dump(mode="json", by_alias=True, exclude_none=True)
    return data


def _prose(text: str) -> Text:
    """A paragraph from a rule file: its own line breaks kept, anything else made visible."""
    return Text(visible(text.strip(), newlines=True))


def _explain(console: Console, rule: RuleSpec) -> None:
    info = rule.info()
    console.print(Text(visible(f"{rule.id} {rule.name}"), style="bold"))
    console.print(_prose(rule.title))
    console.print()
    for label, value in (
        ("severity", rule.severity.value),
        ("area", rule.area.label),
        ("modes", ", ".join(rule.modes)),
        ("needs", ", ".join(rule.needs)),
        ("source", f"{info.source.cite()}: {info.source.title}"),
        ("setup", rule.setup_path or "-"),
    ):
        console.print(Text(f"{label:>9}: ", style="dim") + Text(visible(value)))
    for heading, body in (("Why it matters", info.rationale), ("How to fix", info.remediation)):
        console.print()
        console.print(Text(heading, style="bold"))
        console.print(_prose(body))
    if rule.manual:
        fact = visible(rule.manual.fact)
        console.print()
        console.print(Text("When no API shows it", style="bold"))
        console.print(_prose(f"Check by hand: {rule.manual.instructions.strip()}"))
        console.print(Text(f"Then record what you saw in the snapshot as an attestation of fact "
                           f"'{fact}' (it counts for --attestation-max-age days):"))
        console.print(Text(f"  attestations:\n    - fact: {fact}\n      value: ...\n"
                           "      attested_by: you@example.com\n      attested_at: YYYY-MM-DD"))
        if rule.manual.labels:
            console.print(Text("The value may be what Setup shows or the value it stands for:"))
            for seen, meant in rule.manual.labels.items():
                console.print(Text(visible(f"  {seen!r} = {meant}")))


@cli.command()
@click.option("--output", "-o", type=click.Path(path_type=Path), help="write the schema to PATH")
def schema(output: Path | None) -> None:
    """Print the JSON Schema of the snapshot format."""
    text = json.dumps(snapshot_json_schema(), indent=2) + "\n"
    if output is None:
        write_stdout(text, what="the schema")
    else:
        write_file(output, text, what="the schema")


cli.add_command(collect)
cli.add_command(preflight)
cli.add_command(verify)


# click shows these whole (the help of `mcaudit` run without a command); it has them since 8.2
_SHOWN_WHOLE: tuple[type[click.ClickException], ...] = tuple(
    getattr(click.exceptions, name) for name in ("NoArgsIsHelpError",) if hasattr(click.exceptions, name))


def _fail(message: str, code: int) -> None:
    """The one line an error is: whatever it quotes (a name, a path, an option value), visible."""
    sys.stderr.write(f"mcaudit: {visible(message)}\n")
    sys.stderr.flush()
    sys.exit(code)


def _usage_error(error: click.ClickException) -> None:
    if isinstance(error, _SHOWN_WHOLE):
        error.show()
        sys.exit(2)
    hint = ""
    if isinstance(error, click.UsageError) and error.ctx is not None:
        hint = f" Try '{error.ctx.command_path} --help' for help."
    _fail(f"error: {error.format_message()}{hint}", 2)


def _quiet_stdout() -> None:
    """After a failed write to standard output, point it at /dev/null: the interpreter's last flush
    of what could not be written then succeeds instead of printing a second error at exit."""
    stream = sys.stdout
    if stream is not sys.__stdout__ or stream is None:  # replaced (tests capture it): nothing pending
        return
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, stream.fileno())
        os.close(devnull)
    except (OSError, ValueError, io.UnsupportedOperation):
        pass


def _replace_unencodable() -> None:
    """An output encoding that cannot show a character (a non-UTF-8 locale) shows '?', never crashes."""
    if isinstance(sys.stdout, io.TextIOWrapper) and sys.stdout.errors == "strict":
        sys.stdout.reconfigure(errors="replace")


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args
    _replace_unencodable()
    try:
        returned = cli.main(args=args, prog_name="mcaudit", standalone_mode=False)
    except OutputClosed as closed:  # `mcaudit audit x.yaml | head -c1`: stop as quietly as cat would
        _quiet_stdout()
        sys.exit(closed.exit_code)
    except McauditError as error:
        if debug:
            raise
        if isinstance(error, OutputError):
            _quiet_stdout()
        _fail(f"error: {error}", error.exit_code)
    except click.exceptions.Exit as done:
        sys.exit(done.exit_code)
    except click.ClickException as error:
        _usage_error(error)
    except click.exceptions.Abort:
        _fail("aborted", 130)
    except KeyboardInterrupt:
        _fail("interrupted", 130)
    except Exception as error:  # the promise is: no traceback without --debug
        if debug:
            raise
        _fail(f"internal error: {type(error).__name__}: {error} (run with --debug for details)", 2)
    sys.exit(returned if isinstance(returned, int) else 0)
