"""The attributes each subject selector offers a declarative check, and the kind of each value.

One literal registry, the source of truth for three readers: the loader, which refuses a rule
whose `attribute:`, `show:` or `manual.attribute` names anything else (with a did-you-mean), so a
typo fails at load instead of as an internal error mid-audit; the operators, which check the
attribute's kind against what they compare; and the generated reference page of subjects and
attributes (mcaudit/docsgen.py), which tests/engine/test_subject_docs.py keeps equal to this registry
and to the view classes.

A view over one snapshot model (engine.base.ModelView) passes the model's fields through, and
the registry derives those entries from the model: each field whose annotation is text, a
true/false, a number or a list of text or numbers (an enum, open or not, counts as text) is
offered with that kind, so a rule on a field the model already has needs no engine edit. A
timestamp or a nested model is not offered. Joins and derived facts are the view's own properties
and are listed here by hand, with their kind; a hand-listed entry wins over a derived one.

A selector that offers no attribute is there for the built-in check functions; a declarative
rule on it is refused.

A selector also says what a rule reports when it finds no subject (`when_no_subjects`): the MC
API user not found is the same n/a for every rule on it, so a rule file need not repeat it and
may still say otherwise.
"""

from __future__ import annotations

import types
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from mcaudit.engine import subjects, subjects_aep, subjects_health, subjects_integrations, subjects_rotation
from mcaudit.engine.base import ModelView, PassThrough
from mcaudit.engine.operators import Kind
from mcaudit.engine.rule import WhenNoSubjects

TEXT, FLAG, NUMBER, TEXTS, NUMBERS = Kind.text, Kind.flag, Kind.number, Kind.texts, Kind.numbers


@dataclass(frozen=True)
class Offer:
    view: type | None  # the class of the subjects' view, whose properties these attributes are
    attributes: Mapping[str, Kind]
    when_no_subjects: WhenNoSubjects | None = None  # a rule's default; None: n/a, "nothing to check"


def kind_of_annotation(annotation: Any) -> Kind | None:
    """The kind of a pydantic field's value, from its annotation; None for what a rule cannot
    compare (a timestamp, a nested model, a mapping). Optional and Annotated are seen through."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return kind_of_annotation(get_args(annotation)[0])
    if origin is Union or origin is types.UnionType:
        options = [option for option in get_args(annotation) if option is not type(None)]
        return kind_of_annotation(options[0]) if len(options) == 1 else None
    if origin is list:
        item = kind_of_annotation(get_args(annotation)[0])
        return TEXTS if item is TEXT else NUMBERS if item is NUMBER else None
    if not isinstance(annotation, type):
        return None
    if issubclass(annotation, Enum | str):
        return TEXT
    if issubclass(annotation, bool):
        return FLAG
    if issubclass(annotation, int | float):
        return NUMBER
    return None


def passed_through(view: type) -> dict[str, Kind]:
    """The fields a ModelView passes through that a rule can compare, in the model's order, with
    their kind. A field the view replaces with a property of its own is not among them."""
    model = view.snapshot_model if issubclass(view, ModelView) else None
    if model is None:
        return {}
    offered = {}
    for name, field in model.model_fields.items():
        kind = kind_of_annotation(field.annotation)
        if kind is not None and isinstance(getattr(view, name, None), PassThrough):
            offered[name] = kind
    return offered


def _offer(view: type | None, computed: Mapping[str, Kind] | None = None,
           when_no_subjects: WhenNoSubjects | None = None) -> Offer:
    """A selector's offer: the view's pass-through fields, then its computed attributes."""
    derived = passed_through(view) if view is not None else {}
    return Offer(view, {**derived, **(computed or {})}, when_no_subjects)


def _none(message: str, status: Literal["pass", "fail", "n/a"] = "n/a") -> WhenNoSubjects:
    return WhenNoSubjects(status=status, message=message)


_NO_SYSTEM_USER = _none("the System User is not identified or not found (see SF110)")


# computed from the snapshot index (joins, derived facts); the user's own fields pass through
_SALESFORCE_USER: dict[str, Kind] = {
    "user_id": TEXT,  # the model's `id`, by the name rules have always used
    "app_permission_sets": TEXTS,
    "app_access_via_profile": TEXTS,
    "app_access": TEXTS,
    "app_access_through_permission_set": FLAG,
    "expired_app_permission_sets": TEXTS,
    "package_permission_sets": TEXTS,
    "system_user": TEXT,  # null on anyone but the System User; there so its rules run on others (MC203)
}

_RESTORED: dict[str, Kind] = {"status_now": TEXT, "ran_before": TEXT}

# a status mcaudit does not know raises Missing instead of being compared (subjects_rotation)
_STATUS: dict[str, Kind] = {"status": TEXT}

OFFERS: dict[str, Offer] = {
    "sf.org": _offer(subjects.OrgView, {"mcc_app_installed": FLAG, "connected_app_names": TEXTS}),
    "sf.mcc_connected_app": _offer(subjects.ConnectedAppView, {
        "granting_permission_sets": TEXTS,
        "granting_profiles": TEXTS,
    }, _none("the connected app is not installed (see SF101)")),
    "sf.connector": _offer(subjects.ConnectorView, {
        "system_user_identified": FLAG,
        "system_user_found": FLAG,
        "system_user": TEXT,
        "system_user_source": TEXT,
    }),
    "sf.system_user": _offer(subjects.SystemUserView, {**_SALESFORCE_USER, "identified_by": TEXT}, _NO_SYSTEM_USER),
    "sf.impacted_users": _offer(subjects.SalesforceUserView, _SALESFORCE_USER,
        _none("no active user other than the System User holds an MCC permission")),
    "sf.mcc_permission_holders": _offer(subjects.SalesforceUserView, _SALESFORCE_USER,
        _none("no user other than the System User holds an MCC permission", "pass")),
    "mc.api_user": _offer(subjects.MarketingCloudUserView, {
        "roles": TEXTS,  # matched by name or key
        "default_business_unit_is_top_level": FLAG,
        "salesforce_status": TEXT,
        "salesforce_username": TEXT,
    }, _none("the MC API user is not identified or not found (see MC201)")),
    "mc.account": _offer(subjects.AccountView, {
        "mcc_api_user_found": FLAG,
        "api_users_excluded_from_password_expiration": FLAG,
    }),
    "aep.segment_attributes": _offer(subjects_aep.AttributeView, {"name_has_whitespace": FLAG},
        _none("no Mapping ID names an Email Demographics attribute (see AEP502)")),
    "verify.triggered_sends_before": _offer(subjects_rotation.RestoredView, _RESTORED,
        _none("no triggered send was Active before the rotation, so none needs restoring", "pass")),
    "verify.scheduled_sends_before": _offer(subjects_rotation.RestoredView, _RESTORED,
        _none("no CRM-initiated send was scheduled or in progress before the rotation", "pass")),
    "rotation.triggered_sends": _offer(subjects_rotation.TriggeredSendView, _STATUS,
        _none("the account has no triggered send definitions", "pass")),
    "rotation.salesforce_data_journeys": _offer(subjects_rotation.JourneyVersionView, _STATUS,
        _none("no journey version uses a Salesforce Data entry source", "pass")),
    "rotation.scheduled_sends": _offer(subjects_rotation.CrmSendView, _STATUS,
        _none("no CRM-initiated sends are recorded", "pass")),
    # for the built-in check functions only
    "aep.destinations": _offer(subjects_aep.DestinationView, {}, _none("no AEP destination is configured")),
    "aep.segments": _offer(subjects_aep.SegmentView, {}, _none("no segment is activated to an AEP destination")),
    "aep.other_mappings": _offer(subjects_aep.MappingView, {},
        _none("no mapping besides the mandatory contactKey and personalEmail.address")),
    "aep.email_demographics": _offer(subjects_aep.AttributeSetView),
    "integrations.installed_packages": _offer(subjects_integrations.PackageView),
    "integrations.declared": _offer(subjects_integrations.IntegrationView, {}, _none("no API integration is declared")),
    "integrations.journey_injections": _offer(subjects_integrations.CallView, {},
        _none("no declared integration injects contacts into a journey")),
    "integrations.triggered_sends": _offer(subjects_integrations.CallView, {},
        _none("no declared integration fires a triggered send")),
    "integrations.data_extension_writes": _offer(subjects_integrations.CallView, {},
        _none("no declared integration writes to a Data Extension")),
    # SF130-SF136, MC214, RT305: function checks only
    "sf.organization": _offer(subjects_health.OrgView),
    "sf.automated_send_objects": _offer(subjects_health.ObjectSendsView, {},
        _none("no MCC triggered send is active in Salesforce", "pass")),
    "sf.active_automated_sends": _offer(subjects_health.AutomatedSendView, {},
        _none("no MCC triggered send is active in Salesforce", "pass")),
    "sf.api_limits": _offer(subjects_health.ApiLimitView),
    "sf.connector_business_units": _offer(subjects_health.BusinessUnitView, {},
        _none("the connector uses no business unit and the expectations list none")),
    "mc.running_salesforce_data_journeys": _offer(subjects_health.JourneyFlowsView, {},
        _none("no running journey version has a Salesforce Data entry source", "pass")),
    "rotation.journeys_to_stop": _offer(subjects_health.EjectView, {},
        _none("the runbook stops no Salesforce Data journey version, so no contact is ejected", "pass")),
    "rotation.snapshot": _offer(None),
    "rotation.connection": _offer(None),
    "verify.journeys_before": _offer(subjects_rotation.JourneyAfterView),
    "verify.synchronized_data_extensions": _offer(subjects_rotation.SyncView, {},
        _none("no Synchronized Data Extensions are configured")),
    "verify.ier_sync": _offer(subjects_rotation.SyncView, {}, _none("IER sync is not configured")),
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
