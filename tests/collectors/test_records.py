"""Record mapping details that the round trip does not reach."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from mcaudit.collectors.marketing_cloud import records as soap_records
from mcaudit.collectors.problems import ApiError
from mcaudit.collectors.salesforce import records
from mcaudit.snapshot.salesforce import SalesforceUser
from mcaudit.snapshot.sending import ScheduledSendStatus

USERS = [SalesforceUser(id="005000000000001AAA", username="mcc.system@acme.example"),
         SalesforceUser(id="005000000000002AAA", username="crm.user@acme.example")]
# every value of the et4ae5__SendStatus__c picklist, as the package's metadata lists it
SEND_STATUS_VALUES = {
    "New": "new", "Scheduled": "scheduled", "Send Queued": "in_progress", "Submitted": "in_progress",
    "Processing": "in_progress", "Processing Data": "in_progress", "Sending": "in_progress", "Paused": "paused",
    "Completed": "completed", "Pending Tracking Subscription": "completed", "Canceled": "canceled",
    "Failed": "failed", "Deleted": "deleted",
}


def test_salesforce_timestamps_and_numbers() -> None:
    assert records.timestamp("2026-10-31T00:00:00.000+0000").isoformat() == "2026-10-31T00:00:00+00:00"
    assert records.timestamp("2026-10-31").isoformat() == "2026-10-31T00:00:00+00:00"
    assert records.whole_number(510000001.0) == records.whole_number("510000001") == 510000001
    assert records.whole_number(True) is None and records.whole_number("5.5") is None


@pytest.mark.parametrize(("raw", "expected"), SEND_STATUS_VALUES.items())
def test_every_real_send_status_maps(raw: str, expected: str) -> None:
    [send] = records.scheduled_sends([{"Id": "a1", "et4ae5__SendStatus__c": raw}], [])
    assert send.status.value == expected and send.status_value == raw


def test_the_catalog_lists_the_same_send_statuses() -> None:
    from mcaudit import apicatalog as catalog

    assert set(catalog.value_set("et4ae5__SendDefinition__c.et4ae5__SendStatus__c")) == set(SEND_STATUS_VALUES)
    assert set(records.SEND_STATUSES) == {value.casefold() for value in SEND_STATUS_VALUES}


def test_unknown_or_empty_send_status_is_kept_not_guessed() -> None:
    sends = records.scheduled_sends([{"Id": "a1", "et4ae5__SendStatus__c": "Archived"},
                                     {"Id": "a2", "et4ae5__SendStatus__c": None}],
                                    [{"Id": "a3", "et4ae5__Active__c": None}, {"Id": "a4", "et4ae5__Active__c": True}])
    assert [(send.status, send.status_value) for send in sends] == [
        (ScheduledSendStatus.unknown, "Archived"), (ScheduledSendStatus.unknown, None),
        (ScheduledSendStatus.unknown, None), (ScheduledSendStatus.in_progress, None)]


def test_a_record_without_an_id_fails_the_read_instead_of_vanishing() -> None:
    with pytest.raises(ApiError, match="1 record"):
        records.scheduled_sends([{"Id": None, "et4ae5__SendStatus__c": "Scheduled"}], [])
    with pytest.raises(ApiError, match="no MID"):
        records.connector_business_units([{"Id": "a0D1", "Name": "Lost", "et4ae5__Business_Unit_ID__c": None}])
    with pytest.raises(ApiError, match="no ID"):
        soap_records.business_units([{"Name": "Child BU", "ParentID": "510000001"}])


def test_business_units_keep_their_enabled_flag() -> None:
    units = records.connector_business_units([
        {"Id": "a0D1", "Name": "Top", "et4ae5__Business_Unit_ID__c": "510000001", "et4ae5__Enabled__c": True,
         "et4ae5__IsParentAccountMID__c": True},
        {"Id": "a0D2", "Name": "Old", "et4ae5__Business_Unit_ID__c": "510000002", "et4ae5__Enabled__c": False,
         "et4ae5__IsParentAccountMID__c": False}])
    assert [(unit.mid, unit.enabled, unit.is_parent) for unit in units] == [
        (510000001, True, True), (510000002, False, False)]


def test_connector_settings_from_the_configuration_record() -> None:
    settings = records.connector_settings([{
        "Id": "a0C1", "et4ae5__Parent_Account_MID__c": "510000001",
        "et4ae5__Auth_API_URL__c": "https://x.auth.marketingcloudapis.com/",
        "et4ae5__Root_Rest_API_URL__c": None, "et4ae5__Root_SOAP_API_URL__c": None,
        "et4ae5__automationObjects__c": "Contact;Lead; Case__c"}])
    assert settings["parent_account_mid"] == 510000001
    assert settings["endpoints"].auth == "https://x.auth.marketingcloudapis.com/"
    assert settings["automation_objects"] == ["Contact", "Lead", "Case__c"]
    assert records.connector_settings([]) == {}


def token(user_id: str, uses: int, last: str) -> dict[str, object]:
    return {"UserId": user_id, "UseCount": uses, "LastUsedDate": last}


def test_candidates_sum_tokens_per_user_and_join_usernames() -> None:
    candidates = records.system_user_candidates(
        [token("005000000000001AAA", 4000, "2026-11-19T08:00:00.000+0000"),
         token("005000000000001AAA", 210, "2026-11-01T08:00:00.000+0000")],
        {"005000000000001AAA", "005000000000009AAA"}, USERS)
    assert candidates is not None
    first, second = candidates
    assert (first.username, first.oauth_tokens, first.oauth_use_count, first.holds_system_user_permission_set) == (
        "mcc.system@acme.example", 2, 4210, True)
    assert first.oauth_last_used == datetime(2026, 11, 19, 8, tzinfo=timezone.utc)
    assert (second.user_id, second.username, second.oauth_tokens, second.oauth_use_count) == (
        "005000000000009AAA", None, 0, 0)
    assert records.system_user_candidates(None, None, USERS) is None


def test_inference_needs_exactly_one_user_the_evidence_points_to() -> None:
    one = records.system_user_candidates([token("005000000000001AAA", 10, "2026-11-19")], set(), USERS)
    assert records.inferred_system_user(one).user_id == "005000000000001AAA"  # type: ignore[union-attr]
    # scope by user: every connected user holds tokens; the permission set tells them apart, if only one has it
    two = records.system_user_candidates([token("005000000000001AAA", 10, "2026-11-19"),
                                          token("005000000000002AAA", 3, "2026-11-18")],
                                         {"005000000000002AAA"}, USERS)
    assert records.inferred_system_user(two).user_id == "005000000000002AAA"  # type: ignore[union-attr]
    tied = records.system_user_candidates([token("005000000000001AAA", 10, "2026-11-19"),
                                           token("005000000000002AAA", 3, "2026-11-18")], set(), USERS)
    assert records.inferred_system_user(tied) is None
    # holding the permission set without ever authenticating is not enough to name anyone
    assert records.inferred_system_user(records.system_user_candidates([], {"005000000000001AAA"}, USERS)) is None


def test_metadata_policy_values_are_read_in_either_case() -> None:
    from types import SimpleNamespace

    from mcaudit.collectors.salesforce.metadata import _policy

    for ip, refresh in (("BYPASS", "zero"), ("bypass", "ZERO"), ("Bypass", "Zero:0:HOURS")):
        policy = _policy(SimpleNamespace(ipRelaxation=ip, refreshTokenPolicy=refresh))
        assert (policy.ip_relaxation.value, policy.refresh_token_policy.value) == ("relax", "immediately_expire")
    unknown = _policy(SimpleNamespace(ipRelaxation="ENFORCE_ACTIVATED_USERS",
                                      refreshTokenPolicy="specific_lifetime:1:DAYS"))
    assert unknown.ip_relaxation is None and unknown.refresh_token_policy.value == "specific_lifetime"


def test_refresh_policy_from_soql_only_where_it_can_tell() -> None:
    assert records.refresh_policy(True, 30).value == "specific_inactivity"
    assert records.refresh_policy(False, 12).value == "specific_lifetime"
    assert records.refresh_policy(False, None) is None  # "valid until revoked" or "immediately expire"
    assert records.refresh_policy(None, 12) is None
