"""Where the report-writing commands put what they produce: output pairing, rendering to files or
the terminal, and the refusal to write over an input.

Every file is written whole or not at all (safetext.write_text_atomically), never over one of the
run's inputs, and standard output is flushed as it is written, so a full disk or a closed pipe is
reported as one line instead of surfacing at exit.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path

from mcaudit.errors import InputError, OutputClosed, OutputError
from mcaudit.findings import AuditReport
from mcaudit.report import FORMATS, RenderOptions, format_for_path, render
from mcaudit.report.presentation import banner, fleet, printable
from mcaudit.report.viewmodel import report_dict
from mcaudit.safetext import same_file, visible, without_surrogates, write_text_atomically

# a format and where it goes: a path, or None for standard output
OutputPair = tuple[str, Path | None]


def stdout_is_terminal() -> bool:
    return sys.stdout is not None and sys.stdout.isatty()


def want_color(no_color: bool) -> bool:
    if no_color or os.environ.get("NO_COLOR"):
        return False
    return stdout_is_terminal()


def terminal_width() -> int:
    """COLUMNS when set (the shell's convention, and how a CI job asks for a width), else the
    terminal's width, else 110 for a file or a pipe; kept within 60..160 either way."""
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit():
        return max(60, min(int(columns), 160))
    if stdout_is_terminal():
        return max(60, min(os.get_terminal_size().columns, 160))
    return 110


def pair_outputs(formats: list[str], outputs: list[Path], known: Sequence[str] = tuple(FORMATS)
                 ) -> list[OutputPair]:
    """Pair each -o with a --format (one of `known`).

    An -o whose extension names one of the given formats takes it (`-f sarif -f html -o r.html
    -o r.sarif` does what it says); the other -o pair with the remaining formats in order; an -o
    left over takes its format from its extension; a format left over goes to standard output.
    """
    for fmt in formats:
        if fmt not in known:
            raise InputError(f"--format: unknown format '{fmt}' (choose from {', '.join(known)})")
    remaining = list(formats)
    chosen: list[str | None] = []
    for output in outputs:
        inferred = format_for_path(output)
        if inferred is not None and inferred in remaining:
            remaining.remove(inferred)
            chosen.append(inferred)
        else:
            chosen.append(None)
    pairs: list[OutputPair] = []
    for output, picked in zip(outputs, chosen, strict=True):
        if picked is None:
            picked = remaining.pop(0) if remaining else format_for_path(output)
        if picked is None or picked not in known:
            raise InputError(f"-o {output}: cannot tell the format from the extension; add --format "
                             f"({', '.join(known)})")
        pairs.append((picked, output))
    pairs.extend((fmt, None) for fmt in remaining)
    if not pairs:
        pairs.append(("console", None))
    if sum(1 for _, path in pairs if path is None) > 1:
        raise InputError("only one --format can go to standard output; give the others an -o PATH")
    return pairs


def report_outputs(pairs: list[OutputPair]) -> list[tuple[str, Path]]:
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


def emit(report: AuditReport, pairs: list[OutputPair], *, no_color: bool, quiet: bool, verbose: bool) -> None:
    """Render every report. When none goes to standard output, the terminal still gets one line
    per written file (not with --quiet) and the verdict (always: it is what the run says)."""
    to_files = not any(path is None for _, path in pairs)
    for fmt, path in pairs:
        if path is None:
            options = RenderOptions(color=want_color(no_color), quiet=quiet, verbose=verbose,
                                    width=terminal_width())
            write_stdout(render(report, fmt, options))
            continue
        companions = tuple(str(other) for _, other in pairs if other is not None and other != path)
        write_file(path, render(report, fmt, RenderOptions(quiet=quiet, verbose=verbose, companions=companions)),
                   what="the report")
        if to_files and not quiet:
            sys.stderr.write(f"mcaudit: wrote {fmt} report to {visible(path)}\n")
    if to_files:
        sys.stderr.write("".join(f"mcaudit: {line}\n" for line in verdict_lines(report)))


def verdict_lines(report: AuditReport) -> list[str]:
    """The verdict in the words the reports use ("FAIL  14 findings at or above --fail-on high"):
    one line per snapshot, named when there are several, then the fleet roll-up."""
    data = printable(report_dict(report))  # each value one visible line
    several = len(data["results"]) > 1
    lines = []
    for result in data["results"]:
        verdict = banner(result)
        snapshot = result["snapshot"]
        named = f"{snapshot['name'] or snapshot['path']}: " if several else ""
        lines.append(f"{named}{verdict['label']}  {verdict['detail']}")
    roll_up = fleet(data)
    if roll_up is not None:
        lines.append(roll_up["line"])
    return lines


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


def warn_notes(report: AuditReport) -> None:
    for note in dict.fromkeys(note for result in report.results for note in result.notes):
        sys.stderr.write(f"mcaudit: warning: {visible(note)}\n")
