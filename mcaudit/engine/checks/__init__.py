"""Named Python checks for rules whose logic is more than a comparison.

A rule file points at one with `check: {function: NAME, params: {...}}`. Each check reads only
the subject and the context (snapshot, index, attestations) and returns an Outcome; it raises
Missing when its data was not collected and NotApplicable when the question does not arise.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from mcaudit.engine.checks.marketing_cloud import (
    api_user_business_unit_access,
    api_user_integrated_with_valid_user,
)
from mcaudit.engine.checks.outcome import Outcome
from mcaudit.engine.checks.rotation import (
    checklist_criticals_pass,
    journey_running_again,
    reauthenticated,
    rotation_sections_present,
    synced_after_rotation,
)
from mcaudit.engine.checks.salesforce import package_permission_sets_held
from mcaudit.engine.context import Context
from mcaudit.engine.subjects import Subject

Check = Callable[[Context, Subject, Mapping[str, Any]], Outcome]

CHECKS: dict[str, Check] = {
    "package_permission_sets_held": package_permission_sets_held,
    "api_user_integrated_with_valid_user": api_user_integrated_with_valid_user,
    "api_user_business_unit_access": api_user_business_unit_access,
    "rotation_sections_present": rotation_sections_present,
    "checklist_criticals_pass": checklist_criticals_pass,
    "reauthenticated": reauthenticated,
    "journey_running_again": journey_running_again,
    "synced_after_rotation": synced_after_rotation,
}

__all__ = ["CHECKS", "Check", "Outcome"]
