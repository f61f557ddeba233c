"""`mcaudit verify`: after a credential rotation, prove that everything is back.

It first settles what ran before (a BEFORE snapshot or a saved plan) and when the rotation
happened, and hands that to the engine as the baseline. Unknown and manual results always count
against a passing verification (as with --strict).
"""

from __future__ import annotations

from pathlib import Path

import click

from mcaudit.cli.evaluation import evaluate_shown, finish, load_shown, rules_for_mode
from mcaudit.cli.options import ReportOptions, report_options
from mcaudit.cli.output import pair_outputs, refuse_overwriting_inputs, report_outputs
from mcaudit.rotation.baseline import build_baseline
from mcaudit.rotation.run import load_before, rotation_time


@click.command()
@click.argument("snapshots", nargs=-1, required=True, type=click.Path(path_type=Path),
                metavar="[BEFORE] AFTER")
@click.option("--plan", "plan_file", type=click.Path(path_type=Path), metavar="PLAN.json",
              help="the plan `mcaudit preflight --save-plan` wrote, instead of a BEFORE snapshot")
@click.option("--rotated-at", metavar="TIME",
              help="when the credentials were rotated (ISO 8601, UTC unless an offset is given); "
              "default: when BEFORE was collected")
@report_options
def verify(snapshots: tuple[Path, ...], plan_file: Path | None, rotated_at: str | None,
           options: ReportOptions) -> None:
    """Post-rotation verification (PV401-PV406): compare AFTER with BEFORE (or a saved plan).

    Every asset that was running before and is not running now is named, and the sync paths
    must have succeeded after the rotation. The console report lists every result, passed ones
    too, with its evidence (what to attach to the change ticket); --quiet leaves them out.
    Exit 0 when everything is proven back, else 1.
    """
    wanted = 1 if plan_file is not None else 2
    if len(snapshots) != wanted:
        usage = "mcaudit verify --plan PLAN AFTER" if plan_file is not None else "mcaudit verify BEFORE AFTER"
        raise click.UsageError(f"expected {wanted} snapshot{'s' if wanted > 1 else ''}: {usage}")
    pairs = pair_outputs(list(options.formats), list(options.outputs))
    inputs = [("snapshot", path) for path in snapshots] + ([("--plan file", plan_file)] if plan_file else [])
    refuse_overwriting_inputs(report_outputs(pairs), inputs + options.input_files())
    moment = rotation_time(rotated_at) if rotated_at is not None else None
    before = load_before(plan_file if plan_file is not None else snapshots[0],
                         from_plan=plan_file is not None, max_bytes=options.max_bytes)
    after = load_shown(snapshots[-1], options)
    baseline = build_baseline(before, after.snapshot, after.path, moment)
    config = options.evaluation_config("verify", strict=True, baseline=baseline)
    pack = rules_for_mode("verify", options, config)
    result = evaluate_shown(after, pack, config, options)
    finish("verify", (result,), options, pairs)
