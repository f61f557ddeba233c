"""`mcaudit preflight` and `mcaudit verify`: the credential-rotation commands.

Both are thin layers on evaluate(): the preflight adds the runbook (and optionally saves it as a
plan); verify first settles what ran before and when the rotation happened, and hands that to
the engine as the baseline. Unknown and manual results always count against GO and against a
passing verification (as with --strict): both commands exist to prove something.
"""

from __future__ import annotations

import hashlib
import shlex
import sys
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import click

from mcaudit import __version__
from mcaudit.cli_shared import (
    check_known_ids,
    emit,
    fail_on_severity,
    pair_outputs,
    refuse_overwriting_inputs,
    report_options,
    report_outputs,
    split_ids,
    warn_notes,
    with_lines,
)
from mcaudit.engine import EvaluationConfig, RulePack, evaluate, load_rules
from mcaudit.engine.evaluate import selected_rules
from mcaudit.engine.rotation_assets import RotationBaseline, running_assets, unaffected_running_journeys
from mcaudit.engine.subjects import describe_system_user
from mcaudit.engine.waivers import load_waivers
from mcaudit.errors import InputError
from mcaudit.findings import AuditReport, AuditResult, Verdict
from mcaudit.rotation.baseline import before_from_plan, before_from_snapshot, build_baseline, parse_moment
from mcaudit.rotation.plan import build_plan, load_plan, write_plan
from mcaudit.rotation.runbook import RotationTarget, build_runbook
from mcaudit.safetext import visible
from mcaudit.snapshot import LoadedSnapshot, Snapshot, load_snapshot


def _waivers_input(options: dict[str, Any]) -> list[tuple[str, Path]]:
    waivers_file = options.get("waivers_file")
    return [("--waivers file", waivers_file)] if waivers_file is not None else []


def _rotation_time(text: str) -> datetime:
    """--rotated-at as an aware time that exists in UTC too (0001-01-01T00:00+01:00 does not)."""
    moment = parse_moment(text)
    try:
        moment.astimezone(timezone.utc)
    except OverflowError:
        raise InputError(f"--rotated-at: {text.strip()[:40]!r} is out of range: in UTC it falls before "
                         "year 1 or after year 9999") from None
    return moment


def _max_bytes(options: dict[str, Any]) -> int:
    return int(options["max_snapshot_size"]) * 2**20


def _config(mode: str, options: dict[str, Any], baseline: RotationBaseline | None = None) -> EvaluationConfig:
    waivers_file = options.get("waivers_file")
    return EvaluationConfig(
        mode=mode, fail_on=fail_on_severity(options["fail_on"]), strict=True,
        select=split_ids(options["select"]), ignore=split_ids(options["ignore"]),
        attestation_max_age_days=options["attestation_max_age"],
        waivers=load_waivers(waivers_file) if waivers_file else (),
        now=datetime.now(timezone.utc), baseline=baseline,
    )


def _rules_for(mode: str, options: dict[str, Any], config: EvaluationConfig) -> RulePack:
    pack = load_rules(options["rules_dir"])
    check_known_ids(pack, config)
    if not selected_rules(pack, config):
        in_mode = ", ".join(rule.id for rule in pack.rules if mode in rule.modes)
        raise InputError(f"--select/--ignore leave no {mode} rule to run (its rules: {in_mode})")
    return pack


def _finish(command: str, result: AuditResult, options: dict[str, Any],
            pairs: list[tuple[str, Path | None]]) -> None:
    report = AuditReport(tool_version=__version__, command=command, results=(result,))
    warn_notes(report)
    emit(report, pairs, no_color=options["no_color"], quiet=options["quiet"], verbose=options["verbose"])
    sys.exit(report.exit_code)


# -- preflight -----------------------------------------------------------------------------------

def _target(snapshot: Snapshot, snapshot_path: str, plan_path: Path | None,
            config: EvaluationConfig) -> RotationTarget:
    mc = snapshot.marketing_cloud
    identity = describe_system_user(snapshot, config)  # the runbook says how it is known, as findings do
    if plan_path is not None:
        verify = f"mcaudit verify --plan {shlex.quote(str(plan_path))} AFTER.yaml"
    else:
        verify = f"mcaudit verify {shlex.quote(snapshot_path)} AFTER.yaml"
    return RotationTarget(
        api_user=mc.mcc_api_user if mc else None,
        system_user=identity.name if identity else None,
        system_user_how=identity.how if identity else None,
        verify_command=verify,
        unaffected_journeys=unaffected_running_journeys(snapshot),
        plan_path=str(plan_path) if plan_path is not None else None,
    )


def _save_plan(loaded: LoadedSnapshot, result: AuditResult, path: Path) -> None:
    assert result.runbook is not None
    plan = build_plan(running=running_assets(loaded.snapshot), runbook=result.runbook,
                      snapshot=result.snapshot, sha256=hashlib.sha256(Path(loaded.path).read_bytes()).hexdigest(),
                      go=result.verdict is not Verdict.failed, created_at=datetime.now(timezone.utc),
                      tool_version=__version__)
    write_plan(plan, path)


@click.command()
@click.argument("snapshot", type=click.Path(path_type=Path))
@click.option("--save-plan", type=click.Path(path_type=Path), metavar="PLAN.json",
              help="also write the runbook as a JSON plan, for `mcaudit verify --plan PLAN AFTER`; save it "
              "from the preflight taken BEFORE you pause anything")
@report_options
def preflight(snapshot: Path, save_plan: Path | None, **options: Any) -> None:
    """Credential-rotation readiness (RT300-RT304): GO / NO-GO, the impact, and the runbook.

    Run it before resetting or re-authenticating the MC API user. Exit 0 on GO, 1 on NO-GO:
    anything still running, any section not collected, or any check that cannot be proven is
    NO-GO.
    """
    if options["fail_on"] in ("critical", "never"):
        # every preflight check gates the rotation; a higher bar would let an unproven check say GO
        raise InputError(f"--fail-on {options['fail_on']}: a preflight blocks on every RT check, so "
                         "--fail-on must be high or lower")
    pairs = pair_outputs(list(options["formats"]), list(options["outputs"]))
    outputs = report_outputs(pairs) + ([("--save-plan", save_plan)] if save_plan is not None else [])
    refuse_overwriting_inputs(outputs, [("snapshot", snapshot), *_waivers_input(options)])
    config = _config("preflight", options)
    pack = _rules_for("preflight", options, config)
    loaded = load_snapshot(snapshot, max_bytes=_max_bytes(options))
    result = with_lines(evaluate(loaded.snapshot, pack, config, path=loaded.path))
    runbook = build_runbook(running_assets(loaded.snapshot), _target(loaded.snapshot, loaded.path, save_plan, config))
    result = replace(result, runbook=runbook)
    if save_plan is not None:
        _save_plan(loaded, result, save_plan)
        if not options["quiet"]:
            sys.stderr.write(f"mcaudit: wrote the rotation plan to {visible(save_plan)}\n")
    _finish("preflight", result, options, pairs)


# -- verify --------------------------------------------------------------------------------------

@click.command()
@click.argument("snapshots", nargs=-1, required=True, type=click.Path(path_type=Path),
                metavar="[BEFORE] AFTER")
@click.option("--plan", "plan_file", type=click.Path(path_type=Path), metavar="PLAN.json",
              help="the plan `mcaudit preflight --save-plan` wrote, instead of a BEFORE snapshot")
@click.option("--rotated-at", metavar="TIME",
              help="when the credentials were rotated (ISO 8601, UTC unless an offset is given); "
              "default: when BEFORE was collected")
@report_options
def verify(snapshots: tuple[Path, ...], plan_file: Path | None, rotated_at: str | None, **options: Any) -> None:
    """Post-rotation verification (PV401-PV406): compare AFTER with BEFORE (or a saved plan).

    Every asset that was running before and is not running now is named, and the sync paths
    must have succeeded after the rotation. Exit 0 when everything is proven back, else 1.
    """
    wanted = 1 if plan_file is not None else 2
    if len(snapshots) != wanted:
        usage = "mcaudit verify --plan PLAN AFTER" if plan_file is not None else "mcaudit verify BEFORE AFTER"
        raise click.UsageError(f"expected {wanted} snapshot{'s' if wanted > 1 else ''}: {usage}")
    pairs = pair_outputs(list(options["formats"]), list(options["outputs"]))
    inputs = [("snapshot", path) for path in snapshots] + ([("--plan file", plan_file)] if plan_file else [])
    refuse_overwriting_inputs(report_outputs(pairs), inputs + _waivers_input(options))
    moment = _rotation_time(rotated_at) if rotated_at is not None else None
    max_bytes = _max_bytes(options)
    if plan_file is not None:
        before = before_from_plan(load_plan(plan_file, max_bytes=max_bytes), str(plan_file))
    else:
        loaded_before = load_snapshot(snapshots[0], max_bytes=max_bytes)
        before = before_from_snapshot(loaded_before.snapshot, loaded_before.path)
    after = load_snapshot(snapshots[-1], max_bytes=max_bytes)
    baseline = build_baseline(before, after.snapshot, after.path, moment)
    config = _config("verify", options, baseline)
    pack = _rules_for("verify", options, config)
    result = with_lines(evaluate(after.snapshot, pack, config, path=after.path))
    _finish("verify", result, options, pairs)
