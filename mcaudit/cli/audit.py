"""`mcaudit audit`: evaluate snapshots against the rules and write the reports."""

from __future__ import annotations

from pathlib import Path

import click

from mcaudit.baseline import apply_baseline, load_baseline
from mcaudit.cli.evaluation import evaluate_shown, finish, load_shown
from mcaudit.cli.options import ReportOptions, check_known_ids, report_options
from mcaudit.cli.output import pair_outputs, refuse_overwriting_inputs, report_outputs
from mcaudit.engine import load_rules
from mcaudit.findings import AuditResult


@click.command()
@click.argument("snapshots", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--baseline", "baseline_file", type=click.Path(path_type=Path), metavar="REPORT.json",
              help="a previous JSON report (e.g. of the base branch): only failures new since then set the exit code")
@click.option("--allow-incomplete", is_flag=True,
              help="exit 0 instead of 4 when checks at or above --fail-on could not run for want of data")
@report_options
def audit(snapshots: tuple[Path, ...], baseline_file: Path | None, allow_incomplete: bool,
          options: ReportOptions) -> None:
    """Audit snapshots against the connection checklist (and AEP/API rules where present).

    Several snapshots are audited each on its own; the exit code is that of the worst.

    \b
    Exit codes:
      0  pass: nothing at or above --fail-on failed, and every such check ran
      1  fail: a finding at or above --fail-on (with --strict, also unknown or manual)
      2  bad input: usage error, invalid snapshot, rule or waiver file, unknown rule id
      3  collection incomplete (`mcaudit collect`)
      4  audit incomplete: nothing failed, but a check at or above --fail-on is unknown
         because its data was not collected (--allow-incomplete makes this 0)

    `manual` results (facts no API shows) set no exit code unless --strict.
    """
    pairs = pair_outputs(list(options.formats), list(options.outputs))
    inputs = [("snapshot", path) for path in snapshots]
    inputs += [("--baseline file", baseline_file)] if baseline_file is not None else []
    refuse_overwriting_inputs(report_outputs(pairs), inputs + options.input_files())
    pack = load_rules(options.rules_dir)
    config = options.evaluation_config("audit", strict=options.strict)
    check_known_ids(pack, config)
    known = load_baseline(baseline_file, max_bytes=options.max_bytes) if baseline_file else None
    results: list[AuditResult] = []
    for path in snapshots:
        result = evaluate_shown(load_shown(path, options), pack, config, options)
        results.append(apply_baseline(result, known) if known is not None else result)
    finish("audit", tuple(results), options, pairs, allow_incomplete=allow_incomplete)
