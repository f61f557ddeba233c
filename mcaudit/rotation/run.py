"""The thin layer preflight and verify add on evaluate(), as plain functions the CLI calls.

The preflight's result gains the runbook (and may be saved as a plan); verify's baseline is what
ran before the rotation, read from a BEFORE snapshot or a saved plan, and when the rotation was.
"""

from __future__ import annotations

import hashlib
import shlex
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

from mcaudit import __version__
from mcaudit.engine import EvaluationConfig
from mcaudit.engine.rotation_assets import running_assets, unaffected_running_journeys
from mcaudit.engine.subjects import describe_system_user
from mcaudit.errors import InputError
from mcaudit.findings import AuditResult, Verdict
from mcaudit.rotation.baseline import Before, before_from_plan, before_from_snapshot, parse_moment
from mcaudit.rotation.plan import build_plan, load_plan, write_plan
from mcaudit.rotation.runbook import RotationTarget, build_runbook
from mcaudit.snapshot import LoadedSnapshot, Snapshot, load_snapshot


def rotation_time(text: str) -> datetime:
    """--rotated-at as an aware time that exists in UTC too (0001-01-01T00:00+01:00 does not)."""
    moment = parse_moment(text)
    try:
        moment.astimezone(timezone.utc)
    except OverflowError:
        raise InputError(f"--rotated-at: {text.strip()[:40]!r} is out of range: in UTC it falls before "
                         "year 1 or after year 9999") from None
    return moment


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


def with_runbook(result: AuditResult, loaded: LoadedSnapshot, config: EvaluationConfig,
                 plan_path: Path | None) -> AuditResult:
    """The preflight's result with the runbook for what `loaded` shows running."""
    target = _target(loaded.snapshot, loaded.path, plan_path, config)
    return replace(result, runbook=build_runbook(running_assets(loaded.snapshot), target))


def write_preflight_plan(loaded: LoadedSnapshot, result: AuditResult, path: Path) -> None:
    """Write the preflight (its result must carry the runbook) as a plan for `verify --plan`."""
    assert result.runbook is not None
    plan = build_plan(running=running_assets(loaded.snapshot), runbook=result.runbook,
                      snapshot=result.snapshot, sha256=hashlib.sha256(Path(loaded.path).read_bytes()).hexdigest(),
                      go=result.verdict is not Verdict.failed, created_at=datetime.now(timezone.utc),
                      tool_version=__version__)
    write_plan(plan, path)


# -- verify --------------------------------------------------------------------------------------

def load_before(path: Path, *, from_plan: bool, max_bytes: int) -> Before:
    """What verify compares AFTER with: the BEFORE snapshot, or the saved plan, at `path`."""
    if from_plan:
        return before_from_plan(load_plan(path, max_bytes=max_bytes), str(path))
    loaded = load_snapshot(path, max_bytes=max_bytes)
    return before_from_snapshot(loaded.snapshot, loaded.path)
