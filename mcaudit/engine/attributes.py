"""The attributes each subject selector offers a declarative check, and the kind of each value.

One literal registry, the source of truth for three readers: the loader, which refuses a rule
whose `attribute:`, `show:` or `manual.attribute` names anything else (with a did-you-mean), so a
typo fails at load instead of as an internal error mid-audit; the operators, which check the
attribute's kind against what they compare; and the generated reference page of subjects and
attributes (mcaudit/docsgen.py), which tests/engine/test_subject_docs.py keeps equal to this registry
and to the view classes.

A selector that offers no attribute is there for the built-in check functions; a declarative
rule on it is refused.

A selector also says what a rule reports when it finds no subject (`when_no_subjects`): the MC
API user not found is the same n/a for every rule on it, so a rule file need not repeat it and
may still say otherwise.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from mcaudit.engine import subjects, subjects_aep, subjects_integrations, subjects_rotation
from mcaudit.engine.operators import Kind
from mcaudit.engine.rule import WhenNoSubjects

TEXT, FLAG, NUMBER, TEXTS, NUMBERS = Kind.text, Kind.flag, Kind.number, Kind.texts, Kind.numbers


@dataclass(frozen=True)
class Offer:
    view: type | None  # the class of the subjects' view, whose properties these attributes are
    attributes: Mapping[str, Kind]
    when_no_subjects: WhenNoSubjects | None = None  # a rule's default; None: n/a, "nothing to check"


def _none(message: str, status: Literal["pass", "fail", "n/a"] = "n/a") -> WhenNoSubjects:
    return WhenNoSubjects(status=status, message=message)


_NO_SYSTEM_USER = _none("the System User is not identified or not found (see SF110)")


_SALESFORCE_USER: dict[str, Kind] = {
    "user_id": TEXT,
    "username": TEXT,
    "is_active": FLAG,
    "is_frozen": FLAG,
    "user_license": TEXT,
    "profile_name": TEXT,
    "marketing_user": FLAG,
    "mc_appexchange_user": FLAG,
    "mc_appexchange_admin": FLAG,
    "app_permission_sets": TEXTS,
    "app_access_via_profile": TEXTS,
    "app_access": TEXTS,
    "app_access_through_permission_set": FLAG,
    "expired_app_permission_sets": TEXTS,
    "package_permission_sets": TEXTS,
    "system_user": TEXT,  # null on anyone but the System User; there so its rules run on others (MC203)
}

_RESTORED: dict[str, Kind] = {"status_now": TEXT, "ran_before": TEXT}

OFFERS: dict[str, Offer] = {
    "sf.org": Offer(subjects.OrgView, {"mcc_app_installed": FLAG, "connected_app_names": TEXTS}),
    "sf.mcc_connected_app": Offer(subjects.ConnectedAppView, {
        "permitted_users": TEXT,
        "ip_relaxation": TEXT,
        "refresh_token_policy": TEXT,
        "granting_permission_sets": TEXTS,
        "granting_profiles": TEXTS,
    }, _none("the connected app is not installed (see SF101)")),
    "sf.connector": Offer(subjects.ConnectorView, {
        "system_user_identified": FLAG,
        "system_user_found": FLAG,
        "system_user": TEXT,
        "system_user_source": TEXT,
        "scope_by_user": FLAG,
        "connected": FLAG,
    }),
    "sf.system_user": Offer(subjects.SystemUserView, {**_SALESFORCE_USER, "identified_by": TEXT}, _NO_SYSTEM_USER),
    "sf.impacted_users": Offer(subjects.SalesforceUserView, _SALESFORCE_USER,
        _none("no active user other than the System User holds an MCC permission")),
    "sf.mcc_permission_holders": Offer(subjects.SalesforceUserView, _SALESFORCE_USER,
        _none("no user other than the System User holds an MCC permission", "pass")),
    "mc.api_user": Offer(subjects.MarketingCloudUserView, {
        "username": TEXT,
        "active": FLAG,
        "is_locked": FLAG,
        "is_api_user": FLAG,
        "must_change_password": FLAG,
        "roles": TEXTS,
        "business_unit_mids": NUMBERS,
        "default_business_unit": NUMBER,
        "default_business_unit_is_top_level": FLAG,
        "salesforce_status": TEXT,
        "salesforce_username": TEXT,
    }, _none("the MC API user is not identified or not found (see MC201)")),
    "mc.account": Offer(subjects.AccountView, {
        "mcc_api_user_found": FLAG,
        "api_users_excluded_from_password_expiration": FLAG,
    }),
    "aep.segment_attributes": Offer(subjects_aep.AttributeView, {
        "name": TEXT,
        "data_type": TEXT,
        "length": NUMBER,
        "name_has_whitespace": FLAG,
    }, _none("no Mapping ID names an Email Demographics attribute (see AEP502)")),
    "verify.triggered_sends_before": Offer(subjects_rotation.RestoredView, _RESTORED,
        _none("no triggered send was Active before the rotation, so none needs restoring", "pass")),
    "verify.scheduled_sends_before": Offer(subjects_rotation.RestoredView, _RESTORED,
        _none("no CRM-initiated send was scheduled or in progress before the rotation", "pass")),
    # for the built-in check functions only
    "aep.destinations": Offer(subjects_aep.DestinationView, {}, _none("no AEP destination is configured")),
    "aep.segments": Offer(subjects_aep.SegmentView, {}, _none("no segment is activated to an AEP destination")),
    "aep.other_mappings": Offer(subjects_aep.MappingView, {},
        _none("no mapping besides the mandatory contactKey and personalEmail.address")),
    "aep.email_demographics": Offer(subjects_aep.AttributeSetView, {}),
    "integrations.installed_packages": Offer(subjects_integrations.PackageView, {}),
    "integrations.declared": Offer(subjects_integrations.IntegrationView, {}, _none("no API integration is declared")),
    "integrations.journey_injections": Offer(subjects_integrations.CallView, {},
        _none("no declared integration injects contacts into a journey")),
    "integrations.triggered_sends": Offer(subjects_integrations.CallView, {},
        _none("no declared integration fires a triggered send")),
    "integrations.data_extension_writes": Offer(subjects_integrations.CallView, {},
        _none("no declared integration writes to a Data Extension")),
    "rotation.snapshot": Offer(None, {}),
    "rotation.connection": Offer(None, {}),
    "rotation.triggered_sends": Offer(subjects_rotation.TriggeredSendView, {},
        _none("the account has no triggered send definitions", "pass")),
    "rotation.salesforce_data_journeys": Offer(subjects_rotation.JourneyVersionView, {},
        _none("no journey version uses a Salesforce Data entry source", "pass")),
    "rotation.scheduled_sends": Offer(subjects_rotation.CrmSendView, {},
        _none("no CRM-initiated sends are recorded", "pass")),
    "verify.journeys_before": Offer(subjects_rotation.JourneyAfterView, {}),
    "verify.synchronized_data_extensions": Offer(subjects_rotation.SyncView, {},
        _none("no Synchronized Data Extensions are configured")),
    "verify.ier_sync": Offer(subjects_rotation.SyncView, {}, _none("IER sync is not configured")),
}

# the subjects a check function applies another rule to (MC203 runs SF111-SF116 on a Salesforce
# user who is not the System User): a rule run there may read only what any Salesforce user offers
SALESFORCE_USER = "sf.impacted_users"


def when_no_subjects(selector: str) -> WhenNoSubjects | None:
    """What a rule on this selector reports when it finds no subject, unless the rule says."""
    offer = OFFERS.get(selector)
    return offer.when_no_subjects if offer else None


def offered(selector: str) -> Mapping[str, Kind]:
    """The attributes a selector's subjects offer (none for an unknown selector)."""
    offer = OFFERS.get(selector)
    return offer.attributes if offer else {}
