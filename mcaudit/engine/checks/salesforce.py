"""Salesforce-side checks that need more than one comparison."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mcaudit.engine.checks.outcome import Outcome
from mcaudit.engine.context import Context, Missing, NotApplicable
from mcaudit.engine.index import MCC_NAMESPACE, fold
from mcaudit.engine.subjects import Subject
from mcaudit.findings import Status


def _name_key(name: str | None) -> str:
    """Labels and API names compare alike: 'Marketing_Cloud_Connector' == 'Marketing Cloud Connector'."""
    return fold((name or "").replace("_", " "))


def package_permission_sets_held(ctx: Context, subject: Subject, params: Mapping[str, Any]) -> Outcome:
    """SF117: the System User holds each MCC package permission set the package provides."""
    sets = ctx.index.sf.permission_sets if ctx.index.sf else None
    if sets is None:
        raise Missing("salesforce.permission_sets")
    expected = {_name_key(label) for label in params.get("labels", [])}
    provided = sorted(
        {(ps.label or ps.name) for ps in sets
         if fold(ps.namespace_prefix) == MCC_NAMESPACE
         and (_name_key(ps.label) in expected or _name_key(ps.name) in expected)}
    )
    if not provided:
        raise NotApplicable("the installed MCC package provides none of these permission sets")
    held = {fold(label) for label in subject.view.package_permission_sets}
    lacking = [label for label in provided if fold(label) not in held]
    evidence = tuple(f"{label}: {'assigned' if fold(label) in held else 'not assigned'}"
                     for label in provided)
    if lacking:
        return Outcome(Status.fail,
                       f"{subject.label} lacks the MCC permission set(s): {', '.join(lacking)}",
                       evidence)
    return Outcome(Status.pass_, f"{subject.label} holds every MCC package permission set", evidence)
