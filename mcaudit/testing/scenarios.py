"""Scenario builders for tests: grow a snapshot to many users without changing its verdicts."""

from __future__ import annotations

from mcaudit.snapshot import Snapshot
from mcaudit.snapshot.marketing_cloud import MarketingCloudUser
from mcaudit.snapshot.salesforce import PermissionSetAssignment, SalesforceUser


def with_extra_users(source: Snapshot, count: int) -> Snapshot:
    """`source` plus `count` ordinary users on each side (no MCC permissions, one assignment each)."""
    sf, mc = source.salesforce, source.marketing_cloud
    assert sf is not None and mc is not None and sf.users is not None and mc.users is not None
    any_set = next((ps.id for ps in sf.permission_sets or [] if not ps.is_owned_by_profile), None)
    sf_users = [SalesforceUser(id=f"005EXTRA{n:010d}", username=f"user{n}@extra.example", name=f"User {n}",
                               is_active=n % 7 != 0, is_frozen=n % 11 == 0, user_license="Salesforce",
                               profile_name="Standard User", marketing_user=False, mc_appexchange_user=False,
                               mc_appexchange_admin=False)
                for n in range(count)]
    assignments = [PermissionSetAssignment(assignee_id=user.id, permission_set_id="0PSEXTRAREPORTING")
                   for user in sf_users] if any_set else []
    top = mc.mid
    mc_users = [MarketingCloudUser(account_user_id=800_000_000 + n, username=f"mc.user{n}", name=f"MC user {n}",
                                   active=True, is_locked=False, is_api_user=False, must_change_password=False,
                                   roles=["Analyst"], business_unit_mids=[top] if top else [],
                                   default_business_unit=top)
                for n in range(count)]
    return source.model_copy(update={
        "salesforce": sf.model_copy(update={
            "users": [*sf.users, *sf_users],
            "permission_set_assignments": [*(sf.permission_set_assignments or []), *assignments]}),
        "marketing_cloud": mc.model_copy(update={"users": [*mc.users, *mc_users]}),
    })


def with_empty_sections(source: Snapshot) -> Snapshot:
    """`source` where the sending sections and attribute sets it leaves out are empty lists
    (collected, nothing there) rather than absent (not collected), so an emulated account serves
    them instead of refusing."""
    sf, mc = source.salesforce, source.marketing_cloud
    return source.model_copy(update={
        "salesforce": sf.model_copy(update={
            "scheduled_sends": sf.scheduled_sends if sf.scheduled_sends is not None else []}) if sf else None,
        "marketing_cloud": mc.model_copy(update={
            "triggered_sends": mc.triggered_sends if mc.triggered_sends is not None else [],
            "journeys": mc.journeys if mc.journeys is not None else [],
            "attribute_sets": mc.attribute_sets if mc.attribute_sets is not None else []}) if mc else None,
    })
