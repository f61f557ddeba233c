"""The command line: parse arguments, call the pipeline stages, map errors to exit codes.

    collect -> Snapshot -> evaluate(snapshot, rules, config) -> AuditResult -> render(...)

Exit codes: 0 nothing at or above --fail-on; 1 findings at or above it; 2 usage error or
invalid input; 3 live collection could not complete. No traceback unless --debug.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console
from rich.table import Table
from rich.text import Text

from mcaudit import __version__
from mcaudit.engine import EvaluationConfig, RulePack, evaluate, load_rules
from mcaudit.engine.context import DEFAULT_ATTESTATION_MAX_AGE_DAYS
from mcaudit.engine.rule import RuleSpec
from mcaudit.engine.waivers import load_waivers
from mcaudit.errors import InputError, McauditError
from mcaudit.findings import AuditReport, AuditResult, Severity, Status
from mcaudit.report import FORMATS, RenderOptions, format_for_path, render
from mcaudit.snapshot import load_snapshot, snapshot_json_schema
from mcaudit.snapshot.loader import DEFAULT_MAX_BYTES
from mcaudit.snapshot.locate import locate_lines

FAIL_ON_CHOICES = ("critical", "high", "medium", "low", "info", "never")
F = TypeVar("F", bound=Callable[..., Any])


def _split_ids(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(part.strip() for value in values for part in value.split(",") if part.strip())


def report_options(command: F) -> F:
    """Options shared by every command that evaluates rules and writes reports."""
    decorators = [
        click.option("--format", "-f", "formats", multiple=True, metavar="FORMAT",
                     help=f"{', '.join(FORMATS)} (repeatable; each takes the -o whose extension names "
                     "it, else the next -o in order; one may go to stdout)"),
        click.option("--output", "-o", "outputs", multiple=True, type=click.Path(path_type=Path),
                     help="write a report to PATH (format inferred from the extension when no "
                     "--format is given)"),
        click.option("--fail-on", type=click.Choice(FAIL_ON_CHOICES), default="high",
                     show_default=True, help="exit 1 when a finding is at or above this severity"),
        click.option("--select", multiple=True, metavar="IDS",
                     help="only these rule ids or prefixes (comma-separated, repeatable)"),
        click.option("--ignore", multiple=True, metavar="IDS",
                     help="skip these rule ids or prefixes (comma-separated, repeatable)"),
        click.option("--rules-dir", multiple=True, type=click.Path(path_type=Path),
                     help="extra folder of rule files (repeatable)"),
        click.option("--waivers", "waivers_file", type=click.Path(path_type=Path),
                     help="YAML file of accepted findings (shown as waived, with their reason)"),
        click.option("--strict", is_flag=True,
                     help="also fail on unknown/manual results at or above --fail-on"),
        click.option("--attestation-max-age", type=click.IntRange(min=0),
                     default=DEFAULT_ATTESTATION_MAX_AGE_DAYS, show_default=True,
                     help="days an attestation counts, measured from the snapshot's collected_at"),
        click.option("--max-snapshot-size", type=click.IntRange(min=1),
                     default=DEFAULT_MAX_BYTES // 2**20, show_default=True,
                     help="refuse snapshot files larger than this many MiB"),
        click.option("--no-color", is_flag=True, help="no colour in console output"),
        click.option("--quiet", "-q", is_flag=True, help="only the summary and verdict"),
        click.option("--verbose", "-v", is_flag=True, help="also list passed and n/a results"),
    ]
    for decorator in reversed(decorators):
        command = decorator(command)
    return command


def _want_color(no_color: bool) -> bool:
    if no_color or os.environ.get("NO_COLOR"):
        return False
    return sys.stdout.isatty()


def _pair_outputs(formats: list[str], outputs: list[Path]) -> list[tuple[str, Path | None]]:
    """Pair each -o with a --format.

    An -o whose extension names one of the given formats takes it (`-f sarif -f html -o r.html
    -o r.sarif` does what it says); the other -o pair with the remaining formats in order; an -o
    left over takes its format from its extension; a format left over goes to standard output.
    """
    for fmt in formats:
        if fmt not in FORMATS:
            raise InputError(f"--format: unknown format '{fmt}' (choose from {', '.join(FORMATS)})")
    remaining = list(formats)
    chosen: list[str | None] = []
    for output in outputs:
        inferred = format_for_path(output)
        if inferred is not None and inferred in remaining:
            remaining.remove(inferred)
            chosen.append(inferred)
        else:
            chosen.append(None)
    pairs: list[tuple[str, Path | None]] = []
    for output, fmt in zip(outputs, chosen, strict=True):
        if fmt is None:
            fmt = remaining.pop(0) if remaining else format_for_path(output)
        if fmt is None:
            raise InputError(f"-o {output}: cannot tell the format from the extension; add --format")
        pairs.append((fmt, output))
    pairs.extend((fmt, None) for fmt in remaining)
    if not pairs:
        pairs.append(("console", None))
    if sum(1 for _, path in pairs if path is None) > 1:
        raise InputError("only one --format can go to standard output; give the others an -o PATH")
    return pairs


def _emit(report: AuditReport, pairs: list[tuple[str, Path | None]], *, no_color: bool,
          quiet: bool, verbose: bool) -> None:
    for fmt, path in pairs:
        if path is None:
            options = RenderOptions(color=_want_color(no_color), quiet=quiet, verbose=verbose,
                                    width=_terminal_width())
            sys.stdout.write(render(report, fmt, options))
            continue
        text = render(report, fmt, RenderOptions(quiet=quiet, verbose=verbose))
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        except OSError as error:
            raise InputError(f"cannot write report: {error.strerror}", path=str(path)) from None
        if not any(p is None for _, p in pairs) and not quiet:
            sys.stderr.write(f"mcaudit: wrote {fmt} report to {path}\n")


def _terminal_width() -> int:
    if sys.stdout.isatty():
        return max(80, min(os.get_terminal_size().columns, 160))
    return 110


def _fail_on(value: str) -> Severity | None:
    return None if value == "never" else Severity(value)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="mcaudit", message="%(prog)s %(version)s")
@click.option("--debug", is_flag=True, help="show tracebacks on errors")
def cli(debug: bool) -> None:
    """Health linter for Salesforce Marketing Cloud Connect (MCC)."""


@cli.command()
@click.argument("snapshots", nargs=-1, required=True, type=click.Path(path_type=Path))
@report_options
def audit(snapshots: tuple[Path, ...], formats: tuple[str, ...], outputs: tuple[Path, ...],
          fail_on: str, select: tuple[str, ...], ignore: tuple[str, ...],
          rules_dir: tuple[Path, ...], waivers_file: Path | None, strict: bool, attestation_max_age: int,
          max_snapshot_size: int, no_color: bool, quiet: bool, verbose: bool) -> None:
    """Run the connection checklist (SF1xx, MC2xx) on one or more snapshots.

    Several snapshots are audited each on its own; the exit code is that of the worst.
    """
    pairs = _pair_outputs(list(formats), list(outputs))
    pack = load_rules(rules_dir)
    config = EvaluationConfig(
        mode="audit", fail_on=_fail_on(fail_on), strict=strict,
        select=_split_ids(select), ignore=_split_ids(ignore),
        attestation_max_age_days=attestation_max_age,
        waivers=load_waivers(waivers_file) if waivers_file else (),
        now=datetime.now(timezone.utc),
    )
    _check_known_ids(pack, config)
    results: list[AuditResult] = []
    for path in snapshots:
        loaded = load_snapshot(path, max_bytes=max_snapshot_size * 2**20)
        results.append(with_lines(evaluate(loaded.snapshot, pack, config, path=loaded.path)))
    report = AuditReport(tool_version=__version__, command="audit", results=tuple(results))
    _warn_notes(report)
    _emit(report, pairs, no_color=no_color, quiet=quiet, verbose=verbose)
    sys.exit(report.exit_code)


def with_lines(result: AuditResult) -> AuditResult:
    """Fill each finding's line in the snapshot file, for reports that point into it."""
    paths = {f.location for f in result.findings if f.location and f.status is not Status.pass_}
    lines = locate_lines(result.snapshot.path, paths)
    if not lines:
        return result
    findings = tuple(replace(f, line=lines.get(f.location or "")) if f.location in lines else f
                     for f in result.findings)
    return replace(result, findings=findings)


def _warn_notes(report: AuditReport) -> None:
    for note in dict.fromkeys(note for result in report.results for note in result.notes):
        sys.stderr.write(f"mcaudit: warning: {note}\n")


def _check_known_ids(pack: RulePack, config: EvaluationConfig) -> None:
    """A --select/--ignore prefix that matches no rule is almost always a typo."""
    for option, prefixes in (("--select", config.select), ("--ignore", config.ignore)):
        for prefix in prefixes:
            if not any(rule_id.upper().startswith(prefix.upper()) for rule_id in pack.ids):
                raise InputError(f"{option}: '{prefix}' matches no rule id (see `mcaudit rules`)")


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
    console = Console(no_color=not _want_color(no_color), highlight=False,
                      width=_terminal_width(), soft_wrap=not sys.stdout.isatty())
    if rule_id:
        _explain(console, chosen[0])
        return
    table = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
    for column in ("id", "severity", "area", "modes", "title"):
        table.add_column(column, no_wrap=column != "title")
    for rule in chosen:
        table.add_row(rule.id, rule.severity.value, rule.area.value, ",".join(rule.modes),
                      Text(rule.title))
    console.print(table)
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
        ("area", rule.area.title),
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


# -- commands that features add (one line each) -----------------------------------------------
from mcaudit.collectors.command import collect  # noqa: E402

cli.add_command(collect)
from mcaudit.rotation.commands import preflight, verify  # noqa: E402

cli.add_command(preflight)
cli.add_command(verify)

# -----------------------------------------------------------------------------------------------


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
