"""The steps audit, preflight and verify share around evaluate(): the rules for a mode, each
finding's line in its snapshot file, and the report that ends the run with its exit code.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

from mcaudit import __version__
from mcaudit.cli.options import ReportOptions, check_known_ids
from mcaudit.cli.output import emit, warn_notes
from mcaudit.engine import EvaluationConfig, RulePack, load_rules
from mcaudit.engine.evaluate import selected_rules
from mcaudit.errors import InputError
from mcaudit.findings import AuditReport, AuditResult, Status
from mcaudit.snapshot.locate import locate_lines


def rules_for_mode(mode: str, options: ReportOptions, config: EvaluationConfig) -> RulePack:
    """The rule pack, refused when --select/--ignore leave none of `mode`'s rules to run."""
    pack = load_rules(options.rules_dir)
    check_known_ids(pack, config)
    if not selected_rules(pack, config):
        in_mode = ", ".join(rule.id for rule in pack.rules if mode in rule.modes)
        raise InputError(f"--select/--ignore leave no {mode} rule to run (its rules: {in_mode})")
    return pack


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
