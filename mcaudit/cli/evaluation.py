"""The steps audit, preflight and verify share around evaluate(): the rules for a mode, loading
and evaluating a snapshot (with a spinner on a terminal when that takes a while), each finding's
line in its snapshot file, and the report that ends the run with its exit code.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path
from typing import Protocol

from mcaudit import __version__
from mcaudit.attest import load_filled, with_attestations
from mcaudit.cli.options import ReportOptions, check_known_ids
from mcaudit.cli.output import emit, warn_notes
from mcaudit.cli.progress import file_size, status
from mcaudit.engine import EvaluationConfig, RulePack, evaluate, load_rules
from mcaudit.engine.evaluate import selected_rules
from mcaudit.errors import InputError
from mcaudit.findings import AuditReport, AuditResult, Status
from mcaudit.safetext import visible
from mcaudit.snapshot import Snapshot, load_snapshot
from mcaudit.snapshot.loader import LoadedSnapshot
from mcaudit.snapshot.locate import locate_lines


def rules_for_mode(mode: str, options: ReportOptions, config: EvaluationConfig) -> RulePack:
    """The rule pack, refused when --select/--ignore leave none of `mode`'s rules to run."""
    pack = load_rules(options.rules_dir)
    check_known_ids(pack, config)
    if not selected_rules(pack, config):
        in_mode = ", ".join(rule.id for rule in pack.rules if mode in rule.modes)
        raise InputError(f"--select/--ignore leave no {mode} rule to run (its rules: {in_mode})")
    return pack


class Showing(Protocol):
    """What loading and evaluating need of a command's options (ReportOptions has them all)."""

    @property
    def quiet(self) -> bool: ...
    @property
    def no_color(self) -> bool: ...
    @property
    def max_bytes(self) -> int: ...
    @property
    def attestations_files(self) -> tuple[Path, ...]: ...


def load_shown(path: Path, options: Showing) -> LoadedSnapshot:
    """load_snapshot, saying so on a terminal when it takes more than a second (a large YAML file),
    with the --attestations files' attestations added."""
    with status(f"loading {path}{file_size(path)}", quiet=options.quiet, no_color=options.no_color):
        loaded = load_snapshot(path, max_bytes=options.max_bytes)
    return replace(loaded, snapshot=attested(loaded.snapshot, options.attestations_files, quiet=options.quiet))


def attested(snapshot: Snapshot, files: tuple[Path, ...], *, quiet: bool) -> Snapshot:
    """The snapshot with the attestations of these files added; blank template entries are skipped
    and said once per file (not with --quiet)."""
    for file in files:
        attestations, blank = load_filled(file)
        snapshot = with_attestations(snapshot, attestations)
        if blank and not quiet:
            sys.stderr.write(f"mcaudit: {visible(str(file))}: {blank} attestation{'s' if blank != 1 else ''} "
                             "left blank, skipped\n")
    return snapshot


def evaluate_shown(loaded: LoadedSnapshot, pack: RulePack, config: EvaluationConfig,
                   options: Showing) -> AuditResult:
    """evaluate and with_lines, saying so on a terminal when they take more than a second."""
    count = len(selected_rules(pack, config))
    with status(f"evaluating {count} rule{'s' if count != 1 else ''}", quiet=options.quiet,
                no_color=options.no_color):
        return with_lines(evaluate(loaded.snapshot, pack, config, path=loaded.path))


def with_lines(result: AuditResult) -> AuditResult:
    """Fill each finding's line in the snapshot file, for reports that point into it."""
    paths = {f.location for f in result.findings if f.location and f.status is not Status.pass_}
    lines = locate_lines(result.snapshot.path, paths)
    if not lines:
        return result
    findings = tuple(replace(f, line=lines.get(f.location or "")) if f.location in lines else f
                     for f in result.findings)
    return replace(result, findings=findings)


def finish(command: str, results: tuple[AuditResult, ...], options: ReportOptions,
           pairs: list[tuple[str, Path | None]], *, allow_incomplete: bool = False) -> None:
    """Warn, write every report, and exit with the report's code (that of the worst result)."""
    report = AuditReport(tool_version=__version__, command=command, results=results,
                         allow_incomplete=allow_incomplete)
    warn_notes(report)
    emit(report, pairs, no_color=options.no_color, quiet=options.quiet, verbose=options.verbose)
    sys.exit(report.exit_code)
