"""Named Python checks for rules whose logic is more than a comparison.

A rule file points at one with `check: {function: NAME, params: {...}}`. Each check reads only
the subject and the context (snapshot, index, attestations) and returns an Outcome; it raises
Missing when its data was not collected and NotApplicable when the question does not arise.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from mcaudit.engine.base import Subject
from mcaudit.engine.checks.aep import (
    aep_subdomain_is_tenant_prefix,
    api_user_email_attribute_access,
    attribute_page_limit,
    custom_attribute_headroom,
    mandatory_mappings_present,
    mapping_target_supported,
    segment_mapping_id_matches,
    source_ranges_allowlisted,
)
from mcaudit.engine.checks.health import (
    api_headroom,
    automated_send_has_active_definition,
    business_unit_connected,
    connection_identity_consistent,
    ejection_acknowledged,
    journey_flows_active,
    object_trigger_calls_utility,
    sandbox_not_wired_to_production,
    system_user_grant_headroom,
)
from mcaudit.engine.checks.integrations import (
    bulk_writes_async,
    endpoints_tenant_specific,
    fired_send_active,
    injection_fields_match_schema,
    injection_uses_entry_event_key,
    installed_package_usable,
    read_only_scopes,
)
from mcaudit.engine.checks.marketing_cloud import (
    api_user_business_unit_access,
    api_user_integrated_with_valid_user,
)
from mcaudit.engine.checks.outcome import Outcome
from mcaudit.engine.checks.rotation import (
    asset_quiet_for_rotation,
    checklist_criticals_pass,
    journey_running_again,
    reauthenticated,
    rotation_sections_present,
    synced_after_rotation,
)
from mcaudit.engine.checks.salesforce import package_permission_sets_held, system_user_identified
from mcaudit.engine.context import Context

Check = Callable[[Context, Subject, Mapping[str, Any]], Outcome]

CHECKS: dict[str, Check] = {
    "package_permission_sets_held": package_permission_sets_held,
    "system_user_identified": system_user_identified,
    "api_user_integrated_with_valid_user": api_user_integrated_with_valid_user,
    "api_user_business_unit_access": api_user_business_unit_access,
    "rotation_sections_present": rotation_sections_present,
    "asset_quiet_for_rotation": asset_quiet_for_rotation,
    "checklist_criticals_pass": checklist_criticals_pass,
    "reauthenticated": reauthenticated,
    "journey_running_again": journey_running_again,
    "synced_after_rotation": synced_after_rotation,
    # Adobe Experience Platform destination (AEP5xx)
    "aep_subdomain_is_tenant_prefix": aep_subdomain_is_tenant_prefix,
    "segment_mapping_id_matches": segment_mapping_id_matches,
    "mandatory_mappings_present": mandatory_mappings_present,
    "mapping_target_supported": mapping_target_supported,
    "attribute_page_limit": attribute_page_limit,
    "api_user_email_attribute_access": api_user_email_attribute_access,
    "custom_attribute_headroom": custom_attribute_headroom,
    "source_ranges_allowlisted": source_ranges_allowlisted,
    # Marketing Cloud API integrations (API6xx)
    "installed_package_usable": installed_package_usable,
    "endpoints_tenant_specific": endpoints_tenant_specific,
    "read_only_scopes": read_only_scopes,
    "injection_uses_entry_event_key": injection_uses_entry_event_key,
    "injection_fields_match_schema": injection_fields_match_schema,
    "fired_send_active": fired_send_active,
    "bulk_writes_async": bulk_writes_async,
    # silent failures of the connection (SF130-SF136, MC214) and the ejection acknowledgement (RT305)
    "sandbox_not_wired_to_production": sandbox_not_wired_to_production,
    "connection_identity_consistent": connection_identity_consistent,
    "object_trigger_calls_utility": object_trigger_calls_utility,
    "journey_flows_active": journey_flows_active,
    "automated_send_has_active_definition": automated_send_has_active_definition,
    "system_user_grant_headroom": system_user_grant_headroom,
    "api_headroom": api_headroom,
    "business_unit_connected": business_unit_connected,
    "ejection_acknowledged": ejection_acknowledged,
}

__all__ = ["CHECKS", "Check", "Outcome"]
