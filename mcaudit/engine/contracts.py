"""What each named check function accepts: the subjects it reads and the params it takes.

A rule file may call any function in engine.checks.CHECKS, with any subject selector and params.
A function reads its subject's view and its params without defending against the wrong ones, so
the loader holds every function rule, built-in or custom, to the contract declared here: the
wrong subject, an unknown param or a param of the wrong shape fails at load, naming the field,
instead of as an internal error during an audit. A test keeps this registry and CHECKS in step.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from mcaudit.engine.operators import shown
from mcaudit.findings import Area, Severity


class Param(Enum):
    """The shape of one param (and, for references, what the loader checks it against)."""

    count = "a whole number of at least 1"
    rows = "a whole number of at least 0"
    percent = "a whole number from 1 to 100"
    texts = "a non-empty list of text"
    sections = "a non-empty list of snapshot sections"  # each one a snapshot path
    areas = "a non-empty list of areas"
    severities = "a non-empty list of severities"
    rules = "a non-empty list of rule ids"  # rules whose findings the check summarises
    user_rules = "a non-empty list of ids of declarative rules"  # the check applies them to a Salesforce user


@dataclass(frozen=True)
class Contract:
    subjects: frozenset[str] | None  # the selectors whose views it reads; None: any (it reads the context)
    params: Mapping[str, Param] = field(default_factory=dict)
    # rule-selecting params left out: what the function falls back to (engine/checks/rotation.py)
    defaults: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


def _on(*selectors: str) -> frozenset[str]:
    return frozenset(selectors)


SALESFORCE_USERS = _on("sf.system_user", "sf.impacted_users", "sf.mcc_permission_holders")

CONTRACTS: dict[str, Contract] = {
    "package_permission_sets_held": Contract(SALESFORCE_USERS, {"labels": Param.texts}),
    "system_user_identified": Contract(None),
    "api_user_integrated_with_valid_user": Contract(_on("mc.api_user"), {"requirements": Param.user_rules}),
    "api_user_business_unit_access": Contract(_on("mc.api_user")),
    "rotation_sections_present": Contract(None, {"sections": Param.sections}),
    "asset_quiet_for_rotation": Contract(_on("rotation.triggered_sends", "rotation.salesforce_data_journeys",
                                             "rotation.scheduled_sends")),
    "checklist_criticals_pass": Contract(None, {"areas": Param.areas, "severities": Param.severities},
                                         defaults={"areas": ("salesforce", "marketing_cloud"),
                                                   "severities": ("critical",)}),
    "reauthenticated": Contract(None, {"rules": Param.rules}),
    "journey_running_again": Contract(_on("verify.journeys_before")),
    "synced_after_rotation": Contract(_on("verify.synchronized_data_extensions", "verify.ier_sync")),
    "aep_subdomain_is_tenant_prefix": Contract(_on("aep.destinations")),
    "segment_mapping_id_matches": Contract(_on("aep.segments")),
    "mandatory_mappings_present": Contract(_on("aep.destinations")),
    "mapping_target_supported": Contract(_on("aep.other_mappings")),
    "attribute_page_limit": Contract(_on("aep.email_demographics"), {"page_size": Param.count}),
    "api_user_email_attribute_access": Contract(_on("mc.api_user")),
    "custom_attribute_headroom": Contract(_on("aep.email_demographics"), {"threshold_percent": Param.percent}),
    "source_ranges_allowlisted": Contract(_on("aep.destinations")),
    "installed_package_usable": Contract(_on("integrations.installed_packages")),
    "endpoints_tenant_specific": Contract(_on("integrations.declared")),
    "read_only_scopes": Contract(_on("integrations.declared")),
    "injection_uses_entry_event_key": Contract(_on("integrations.journey_injections")),
    "injection_fields_match_schema": Contract(_on("integrations.journey_injections")),
    "fired_send_active": Contract(_on("integrations.triggered_sends")),
    "bulk_writes_async": Contract(_on("integrations.data_extension_writes"), {"max_sync_rows": Param.rows}),
    "sandbox_not_wired_to_production": Contract(_on("sf.organization")),
    "connection_identity_consistent": Contract(_on("sf.connector")),
    "object_trigger_calls_utility": Contract(_on("sf.automated_send_objects")),
    "journey_flows_active": Contract(_on("mc.running_salesforce_data_journeys")),
    "automated_send_has_active_definition": Contract(_on("sf.active_automated_sends")),
    "system_user_grant_headroom": Contract(_on("sf.system_user"), {"limit": Param.count}),
    "api_headroom": Contract(_on("sf.api_limits"), {"share_percent": Param.percent}),
    "business_unit_connected": Contract(_on("sf.connector_business_units")),
    "ejection_acknowledged": Contract(_on("rotation.journeys_to_stop")),
}

_CHOICES: dict[Param, tuple[str, ...]] = {
    Param.areas: tuple(area.value for area in Area),
    Param.severities: tuple(severity.value for severity in Severity),
}
_LOWEST = {Param.count: 1, Param.rows: 0, Param.percent: 1}


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def param_problem(kind: Param, value: Any) -> str | None:
    """Why `value` is not a `kind` param, or None when it is (references are the loader's to check)."""
    if kind in _LOWEST:
        highest = 100 if kind is Param.percent else None
        if not _whole(value) or value < _LOWEST[kind] or (highest is not None and value > highest):
            return f"needs {kind.value}, not {shown(str(value))}"
        return None
    if not isinstance(value, list) or not value:
        return f"needs {kind.value}, not {shown(str(value))}"
    for position, item in enumerate(value):
        if not isinstance(item, str) or not item.strip():
            return f"needs {kind.value}; item {position + 1} ({shown(str(item))}) is not a name"
        choices = _CHOICES.get(kind)
        if choices is not None and item not in choices:
            what = "area" if kind is Param.areas else "severity"
            return f"item {position + 1}: unknown {what} '{shown(item)}' (known: {', '.join(choices)})"
    return None
