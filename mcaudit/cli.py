"""The command line: parse arguments, call the pipeline stages, map errors to exit codes.

    collect -> Snapshot -> evaluate(snapshot, rules, config) -> AuditResult -> render(...)

Exit codes: 0 nothing at or above --fail-on; 1 findings at or above it; 2 usage error or
invalid input; 3 live collection could not complete. No traceback unless --debug.
"""

from __future__ import annotations

import json
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
    report_options,
    split_ids,
    terminal_width,
    want_color,
    warn_notes,
    with_lines,
)
from mcaudit.collectors.command import collect
from mcaudit.engine import EvaluationConfig, evaluate, load_rules
from mcaudit.engine.rule import RuleSpec
from mcaudit.engine.waivers import load_waivers
from mcaudit.errors import McauditError
from mcaudit.findings import AuditReport, AuditResult
from mcaudit.rotation.commands import preflight, verify
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
    pack = load_rules(rules_dir)
    config = EvaluationConfig(
        mode="audit", fail_on=fail_on_severity(fail_on), strict=strict,
        select=split_ids(select), ignore=split_ids(ignore),
        attestation_max_age_days=attestation_max_age,
        waivers=load_waivers(waivers_file) if waivers_file else (),
        now=datetime.now(timezone.utc),
    )
    check_known_ids(pack, config)
    known = load_baseline(baseline_file) if baseline_file else None
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
        sys.stdout.write(json.dumps(payload[0] if rule_id else payload, indent=2) + "\n")
        return
    console = Console(no_color=not want_color(no_color), highlight=False,
                      width=terminal_width(), soft_wrap=not sys.stdout.isatty())
    if rule_id:
        _explain(console, chosen[0])
        return
    table = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
    for column in ("id", "severity", "area", "modes", "title"):
        table.add_column(column, no_wrap=column != "title")
    for rule in chosen:
        table.add_row(rule.id, rule.severity.value, rule.area.value, ",".join(rule.modes),
                      Text(rule.title))
    with console.capture() as captured:
        console.print(table)
    text = captured.get()
    if not sys.stdout.isatty():  # the table pads every row to the full width; files don't need that
        text = "\n".join(line.rstrip() for line in text.splitlines()) + "\n"
    sys.stdout.write(text)
    console.print(Text(f"{len(chosen)} rules. `mcaudit rules ID` explains one.", style="dim"))


def _rule_json(rule: RuleSpec) -> dict[str, object]:
    data = rule.model_dump(mode="json", by_alias=True, exclude_none=True)
    data["check"] = rule.check.model_dump(mode="json", by_alias=True, exclude_none=True)
    return data


def _explain(console: Console, rule: RuleSpec) -> None:
    info = rule.info()
    console.print(Text(f"{rule.id} {rule.name}", style="bold"))
    console.print(Text(rule.title))
    console.print()
    for label, value in (
        ("severity", rule.severity.value),
        ("area", rule.area.label),
        ("modes", ", ".join(rule.modes)),
        ("needs", ", ".join(rule.needs)),
        ("source", f"{info.source.cite()}: {info.source.title}"),
        ("setup", rule.setup_path or "-"),
    ):
        console.print(Text(f"{label:>9}: ", style="dim") + Text(value))
    for heading, body in (("Why it matters", info.rationale), ("How to fix", info.remediation)):
        console.print()
        console.print(Text(heading, style="bold"))
        console.print(Text(body))
    if rule.manual:
        console.print()
        console.print(Text("When no API shows it", style="bold"))
        console.print(Text(f"Check by hand: {rule.manual.instructions.strip()}"))
        console.print(Text(f"Then record what you saw in the snapshot as an attestation of fact "
                           f"'{rule.manual.fact}' (it counts for --attestation-max-age days):"))
        console.print(Text(f"  attestations:\n    - fact: {rule.manual.fact}\n      value: ...\n"
                           "      attested_by: you@example.com\n      attested_at: YYYY-MM-DD"))
        if rule.manual.labels:
            console.print(Text("The value may be what Setup shows or the value it stands for:"))
            for seen, meant in rule.manual.labels.items():
                console.print(Text(f"  {seen!r} = {meant}"))


@cli.command()
@click.option("--output", "-o", type=click.Path(path_type=Path), help="write the schema to PATH")
def schema(output: Path | None) -> None:
    """Print the JSON Schema of the snapshot format."""
    text = json.dumps(snapshot_json_schema(), indent=2) + "\n"
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")


cli.add_command(collect)
cli.add_command(preflight)
cli.add_command(verify)


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args
    try:
        returned = cli.main(args=args, prog_name="mcaudit", standalone_mode=False)
    except McauditError as error:
        if debug:
            raise
        sys.stderr.write(f"mcaudit: error: {error}\n")
        sys.exit(error.exit_code)
    except click.exceptions.Exit as done:
        sys.exit(done.exit_code)
    except click.ClickException as error:
        error.show()
        sys.exit(2)
    except click.exceptions.Abort:
        sys.stderr.write("mcaudit: aborted\n")
        sys.exit(130)
    except KeyboardInterrupt:
        sys.stderr.write("mcaudit: interrupted\n")
        sys.exit(130)
    except Exception as error:  # the promise is: no traceback without --debug
        if debug:
            raise
        sys.stderr.write(f"mcaudit: internal error: {type(error).__name__}: {error} "
                         "(run with --debug for details)\n")
        sys.exit(2)
    sys.exit(returned if isinstance(returned, int) else 0)
