"""What the report-writing commands (audit, preflight, verify) share: options, output pairing,
rendering to files or the terminal, and the checks on --select/--ignore.

Every file is written whole or not at all (safetext.write_text_atomically), never over one of the
run's inputs, and standard output is flushed as it is written, so a full disk or a closed pipe is
reported as one line instead of surfacing at exit.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

import click

from mcaudit.engine import EvaluationConfig, RulePack
from mcaudit.engine.context import DEFAULT_ATTESTATION_MAX_AGE_DAYS
from mcaudit.errors import InputError, OutputClosed, OutputError
from mcaudit.findings import AuditReport, AuditResult, Severity, Status
from mcaudit.report import FORMATS, RenderOptions, format_for_path, render
from mcaudit.safetext import same_file, visible, without_surrogates, write_text_atomically
from mcaudit.snapshot.loader import DEFAULT_MAX_BYTES
from mcaudit.snapshot.locate import locate_lines

FAIL_ON_CHOICES = ("critical", "high", "medium", "low", "info", "never")
# a century: more is no limit at all, and far more overflows the date arithmetic
MAX_ATTESTATION_AGE_DAYS = 36_500
F = TypeVar("F", bound=Callable[..., Any])


def split_ids(values: tuple[str, ...]) -> tuple[str, ...]:
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
        click.option("--attestation-max-age", type=click.IntRange(min=0, max=MAX_ATTESTATION_AGE_DAYS),
                     default=DEFAULT_ATTESTATION_MAX_AGE_DAYS, show_default=True,
                     help="days an attestation counts, measured from the snapshot's collected_at "
                     f"(at most {MAX_ATTESTATION_AGE_DAYS})"),
        click.option("--max-snapshot-size", type=click.IntRange(min=1),
                     default=DEFAULT_MAX_BYTES // 2**20, show_default=True,
                     help="size limit in MiB of a JSON snapshot, baseline or plan (YAML: an eighth of it, since "
                     "it costs far more to read); the counts of values a file may hold scale with it"),
        click.option("--no-color", is_flag=True, help="no colour in console output"),
        click.option("--quiet", "-q", is_flag=True, help="only the summary and verdict"),
        click.option("--verbose", "-v", is_flag=True, help="also list passed and n/a results"),
    ]
    for decorator in reversed(decorators):
        command = decorator(command)
    return command


def stdout_is_terminal() -> bool:
    return sys.stdout is not None and sys.stdout.isatty()


def want_color(no_color: bool) -> bool:
    if no_color or os.environ.get("NO_COLOR"):
        return False
    return stdout_is_terminal()


def pair_outputs(formats: list[str], outputs: list[Path]) -> list[tuple[str, Path | None]]:
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
    for output, picked in zip(outputs, chosen, strict=True):
        if picked is None:
            picked = remaining.pop(0) if remaining else format_for_path(output)
        if picked is None:
            raise InputError(f"-o {output}: cannot tell the format from the extension; add --format")
        pairs.append((picked, output))
    pairs.extend((fmt, None) for fmt in remaining)
    if not pairs:
        pairs.append(("console", None))
    if sum(1 for _, path in pairs if path is None) > 1:
        raise InputError("only one --format can go to standard output; give the others an -o PATH")
    return pairs


def emit(report: AuditReport, pairs: list[tuple[str, Path | None]], *, no_color: bool,
         quiet: bool, verbose: bool) -> None:
    for fmt, path in pairs:
        if path is None:
            options = RenderOptions(color=want_color(no_color), quiet=quiet, verbose=verbose,
                                    width=terminal_width())
            write_stdout(render(report, fmt, options))
            continue
        write_file(path, render(report, fmt, RenderOptions(quiet=quiet, verbose=verbose)), what="the report")
        if not any(p is None for _, p in pairs) and not quiet:
            sys.stderr.write(f"mcaudit: wrote {fmt} report to {visible(path)}\n")


def write_file(path: Path, text: str, *, what: str) -> None:
    """Write a report, plan or schema whole or not at all; a failure is one line (exit 2)."""
    try:
        write_text_atomically(path, text)
    except BrokenPipeError:  # `-o /dev/stdout` into a pipe whose reader went away
        raise OutputClosed(f"{path}: closed by its reader") from None
    except OSError as error:
        raise OutputError(f"cannot write {what}: {error.strerror or error}", path=str(path)) from None


def write_stdout(text: str, *, what: str = "the report") -> None:
    """Write to standard output now, so that a full disk or a closed pipe is reported here:
    a reader that went away ends the run quietly (OutputClosed), any other failure is one line."""
    stream = sys.stdout
    if stream is None:  # started with standard output closed (`>&-`)
        raise OutputError(f"cannot write {what} to standard output: it is closed")
    try:
        stream.write(without_surrogates(text))
        stream.flush()
    except BrokenPipeError:
        raise OutputClosed("standard output was closed by its reader") from None
    except OSError as error:
        raise OutputError(f"cannot write {what} to standard output: {error.strerror or error}") from None


def report_outputs(pairs: list[tuple[str, Path | None]]) -> list[tuple[str, Path]]:
    return [("-o", path) for _, path in pairs if path is not None]


def refuse_overwriting_inputs(outputs: Sequence[tuple[str, Path]], inputs: Sequence[tuple[str, Path]]) -> None:
    """Refuse, before anything runs, an output that is one of the run's inputs (the same file, also
    through a symlink or a hard link) or the same file as another output: it would be destroyed."""
    for index, (option, output) in enumerate(outputs):
        for label, source in inputs:
            if same_file(output, source):
                raise InputError(f"{option} {output}: is the {label} this run reads; mcaudit never "
                                 "writes over its inputs")
        for other_option, other in outputs[:index]:
            if same_file(output, other):
                raise InputError(f"{option} {output}: is the same file as {other_option} {other}")


def terminal_width() -> int:
    if stdout_is_terminal():
        return max(80, min(os.get_terminal_size().columns, 160))
    return 110


def fail_on_severity(value: str) -> Severity | None:
    return None if value == "never" else Severity(value)


def with_lines(result: AuditResult) -> AuditResult:
    """Fill each finding's line in the snapshot file, for reports that point into it."""
    paths = {f.location for f in result.findings if f.location and f.status is not Status.pass_}
    lines = locate_lines(result.snapshot.path, paths)
    if not lines:
        return result
    findings = tuple(replace(f, line=lines.get(f.location or "")) if f.location in lines else f
                     for f in result.findings)
    return replace(result, findings=findings)


def warn_notes(report: AuditReport) -> None:
    for note in dict.fromkeys(note for result in report.results for note in result.notes):
        sys.stderr.write(f"mcaudit: warning: {visible(note)}\n")


def check_known_ids(pack: RulePack, config: EvaluationConfig) -> None:
    """A --select/--ignore prefix that matches no rule is almost always a typo."""
    for option, prefixes in (("--select", config.select), ("--ignore", config.ignore)):
        for prefix in prefixes:
            if not any(rule_id.upper().startswith(prefix.upper()) for rule_id in pack.ids):
                raise InputError(f"{option}: '{prefix}' matches no rule id (see `mcaudit rules`)")
