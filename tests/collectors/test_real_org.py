"""Collection against an emulator that answers as a real org and account do: only the fields and
properties the API catalog lists, every real status value, refusals that are answers, records
without identity, and a System User that no API names."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from pathlib import Path

import requests

from mcaudit import apicatalog
from mcaudit.snapshot import Snapshot
from mcaudit.snapshot.salesforce import ConnectorBusinessUnit, RefreshTokenPolicy, SystemUserCandidate
from mcaudit.snapshot.sending import (
    EntrySource,
    EntrySourceType,
    Journey,
    JourneyStatus,
    ScheduledSend,
    ScheduledSendStatus,
    TriggeredSend,
    TriggeredSendStatus,
)
from mcaudit.testing import Fault
from mcaudit.testing.marketing_cloud_data import event_key
from mcaudit.testing.salesforce_api import SalesforceLogin
from mcaudit.testing.scenarios import with_empty_sections

from .conftest import collect, sample, statuses

ACCESS_TOKEN = "00D!emulated-access-token"
SELECT = re.compile(r"^\s*SELECT\s+(?P<fields>.+?)\s+FROM\s+(?P<object>\w+)(?:\s+WHERE\s+(?P<where>.+))?$",
                    re.IGNORECASE | re.DOTALL)


def soql(api, statement: str) -> requests.Response:
    return requests.get(f"{api.base_url}/services/data/v59.0/query", params={"q": statement},
                        headers={"Authorization": f"Bearer {ACCESS_TOKEN}"}, timeout=5)


def test_the_emulator_refuses_a_field_the_catalog_does_not_list(healthy: Snapshot, serve) -> None:
    api = serve(healthy, salesforce=SalesforceLogin(access_token=ACCESS_TOKEN))
    for invented in ("et4ae5__System_User__c", "et4ae5__Scope_By_User__c"):  # never fields of the package
        answer = soql(api, f"SELECT Id, {invented} FROM et4ae5__Configuration__c")
        assert answer.status_code == 400 and answer.json()[0]["errorCode"] == "INVALID_FIELD", invented
    # every field of the object exists, including ones mcaudit never reads
    answer = soql(api, "SELECT Id, et4ae5__Support_Ticket_Recipient__c FROM et4ae5__Configuration__c")
    assert answer.status_code == 200 and answer.json()["totalSize"] == 1
    assert soql(api, "SELECT Id FROM et4ae5__Nonexistent__c").json()[0]["errorCode"] == "INVALID_TYPE"


def test_every_call_of_a_whole_collection_is_in_the_catalog(healthy: Snapshot, serve, tmp_path: Path,
                                                           capsys) -> None:
    api = serve(healthy)
    result = collect(api, healthy, tmp_path / "collected.yaml", capsys)
    assert result.exit_code == 0, result.stderr
    statements = [call.params["q"][0] for call in api.calls if "q" in call.params]
    assert len(statements) >= 14
    for statement in statements:
        match = SELECT.match(statement)
        assert match is not None, statement
        name = match.group("object")
        for field in match.group("fields").split(","):
            assert apicatalog.is_soql_field(name, field.strip()), f"{name}.{field.strip()}"
        assert "Password" not in statement  # the package's stored credential is never read
    for call in api.calls:
        path = call.path.removeprefix("/mc-rest")
        if call.method == "GET" and path.startswith(("/interaction", "/contacts")):
            assert apicatalog.is_rest_path(path), path
            assert set(call.params) <= set(apicatalog.rest_params(path)), (path, call.params)


def with_every_status(source: Snapshot) -> Snapshot:
    """Every real value of each value set the collectors map, and one no list knows yet."""
    sf, mc = source.salesforce, source.marketing_cloud
    assert sf is not None and mc is not None
    sends = [ScheduledSend(id=f"a0S{number:015d}", name=value, kind="send_definition",
                           status=ScheduledSendStatus.unknown, status_value=value)
             for number, value in enumerate([*apicatalog.value_set("et4ae5__SendDefinition__c.et4ae5__SendStatus__c"),
                                             "Archived"])]
    api_event = EntrySourceType.api_event
    journeys = [Journey(key=f"journey-{number}", name=value, version=1, status=JourneyStatus(value),
                        entry_source=EntrySource(type=api_event, event_definition_key=f"APIEvent-{number}"))
                for number, value in enumerate([*apicatalog.value_set("JourneyStatus"), "Archived"])]
    # the Retrieve asks for the statuses it knows (IN, as the API needs), so a new one never comes back
    triggered = [TriggeredSend(key=f"send-{number}", name=value, status=TriggeredSendStatus(value))
                 for number, value in enumerate(apicatalog.value_set("TriggeredSendStatusEnum"))]
    return source.model_copy(update={
        "salesforce": sf.model_copy(update={"scheduled_sends": sends}),
        "marketing_cloud": mc.model_copy(update={"journeys": journeys, "triggered_sends": triggered})})


def test_every_real_status_value_is_collected_and_a_new_one_kept(healthy: Snapshot, serve, tmp_path: Path,
                                                                 capsys) -> None:
    source = with_every_status(healthy)
    result = collect(serve(source), source, tmp_path / "collected.yaml", capsys)
    assert result.exit_code == 0, result.stderr  # no section lost to a value
    collected = result.snapshot
    assert collected is not None and collected.salesforce and collected.marketing_cloud
    by_value = {send.status_value: send.status for send in collected.salesforce.scheduled_sends or []
                if send.kind == "send_definition"}
    assert by_value["Pending Tracking Subscription"] is ScheduledSendStatus.completed
    assert by_value["Send Queued"] is ScheduledSendStatus.in_progress
    assert by_value["Archived"] is ScheduledSendStatus.unknown
    assert len(by_value) == 14 and ScheduledSendStatus.unknown not in {
        status for value, status in by_value.items() if value != "Archived"}
    journeys = {journey.status.value: journey.status.recognised for journey in collected.marketing_cloud.journeys or []}
    assert journeys == {**dict.fromkeys(apicatalog.value_set("JourneyStatus"), True), "Archived": False}
    sends = {send.status.value for send in collected.marketing_cloud.triggered_sends or []}
    assert sends == set(apicatalog.value_set("TriggeredSendStatusEnum")) - {"Deleted"}
    assert "'Archived'" in result.stderr  # reported, not hidden
    # an unknown status on something that may send keeps the preflight from saying GO
    assert "unknown" in {status for (rule, _), status in statuses(collected, "preflight").items() if rule == "RT303"}


def test_a_refused_metadata_read_costs_one_call(healthy: Snapshot, serve, tmp_path: Path, capsys) -> None:
    api = serve(healthy, metadata="refused")
    result = collect(api, healthy, tmp_path / "collected.yaml", capsys)
    assert result.exit_code == 0, result.stderr
    assert api.counts()["sf.metadata.listMetadata"] == 1 and "sf.metadata.readMetadata" not in api.counts()
    assert "refused" in result.stderr and "INSUFFICIENT_ACCESS" in result.stderr
    app = result.snapshot.salesforce.connected_apps[0]
    assert app.ip_relaxation is None  # not collected; a person attests it


def test_a_metadata_outage_is_retried_and_named_as_an_outage(healthy: Snapshot, serve, tmp_path: Path,
                                                             capsys) -> None:
    api = serve(healthy)
    api.inject(Fault.http("sf.metadata.listMetadata", 500, times=1_000))
    result = collect(api, healthy, tmp_path / "collected.yaml", capsys, "--retries", "2")
    assert result.exit_code == 3
    assert api.counts()["sf.metadata.listMetadata"] == 3  # an outage may pass: asked again
    run = next(run for run in result.snapshot.collection.collectors if run.name == "salesforce")
    assert run.failed_sections == ["salesforce.connected_apps"]
    assert "not a refusal" in run.error and "HTTP 500" in run.error


def test_the_refresh_token_policy_from_soql_when_the_metadata_api_refuses(healthy: Snapshot, serve,
                                                                          tmp_path: Path, capsys) -> None:
    sf = healthy.salesforce
    app = sf.connected_apps[0].model_copy(update={"refresh_token_policy": RefreshTokenPolicy.specific_inactivity})
    source = healthy.model_copy(update={"salesforce": sf.model_copy(update={"connected_apps": [app]})})
    result = collect(serve(source, metadata="refused"), source, tmp_path / "collected.yaml", capsys)
    assert result.snapshot.salesforce.connected_apps[0].refresh_token_policy.value == "specific_inactivity"
    # "immediately expire" has no period, like "valid until revoked": SOQL cannot tell them apart
    result = collect(serve(healthy, metadata="refused"), healthy, tmp_path / "again.yaml", capsys)
    assert result.snapshot.salesforce.connected_apps[0].refresh_token_policy is None


def test_a_business_unit_without_an_id_fails_its_section(healthy: Snapshot, serve, tmp_path: Path,
                                                         capsys) -> None:
    api = serve(healthy, extra_soap_rows=(("BusinessUnit", {"Name": "Orphan unit", "ParentID": 510000001}),))
    result = collect(api, healthy, tmp_path / "collected.yaml", capsys)
    assert result.exit_code == 3
    assert result.snapshot.marketing_cloud.business_units is None  # not collected, rather than incomplete
    run = next(run for run in result.snapshot.collection.collectors if run.name == "marketing_cloud")
    assert run.failed_sections == ["marketing_cloud.business_units"] and "Orphan unit" in run.error


def test_a_disabled_business_unit_reads_as_disabled(healthy: Snapshot, serve, tmp_path: Path, capsys) -> None:
    sf = healthy.salesforce
    connector = sf.mcc_connector.model_copy(update={"business_units": [
        ConnectorBusinessUnit(mid=510000001, name="ACME Enterprise", enabled=True),
        ConnectorBusinessUnit(mid=510000099, name="Retired unit", enabled=False)]})
    source = healthy.model_copy(update={"salesforce": sf.model_copy(update={"mcc_connector": connector})})
    result = collect(serve(source), source, tmp_path / "collected.yaml", capsys)
    units = result.snapshot.salesforce.mcc_connector.business_units
    assert [(unit.mid, unit.enabled) for unit in units] == [(510000001, True), (510000099, False)]


def test_a_journey_entry_is_matched_by_event_id_when_its_key_is_stale(serve, tmp_path: Path, capsys) -> None:
    source = with_empty_sections(sample("rotation/live.yaml"))
    api = serve(source, journey_entry_hints=False, stale_entry_keys=True)
    result = collect(api, source, tmp_path / "collected.yaml", capsys)
    assert result.exit_code == 0, result.stderr
    assert api.counts()["mc.rest.interaction"] >= 1  # the details were needed
    expected = {(j.key, j.version): (j.entry_source.type, event_key(j), j.entry_source.salesforce_object)
                for j in source.marketing_cloud.journeys or []
                if j.entry_source and j.status in (JourneyStatus.published, JourneyStatus.paused)}
    found = {(j.key, j.version): (j.entry_source.type, j.entry_source.event_definition_key,
                                  j.entry_source.salesforce_object) if j.entry_source else None
             for j in result.snapshot.marketing_cloud.journeys}
    # the real key and the definition's object, not the stale key the trigger still carries
    assert expected and all(found[version] == entry for version, entry in expected.items())


def test_event_definitions_are_read_with_their_schema(serve, tmp_path: Path, capsys) -> None:
    source = with_empty_sections(sample("integrations.yaml"))
    result = collect(serve(source), source, tmp_path / "collected.yaml", capsys)
    expected = {j.key: j.entry_source.schema_fields for j in source.marketing_cloud.journeys or [] if j.entry_source}
    found = {j.key: j.entry_source.schema_fields for j in result.snapshot.marketing_cloud.journeys if j.entry_source}
    assert any(expected.values()) and found == expected


# -- the System User: named by a person, or inferred and labelled so --------------------------------------------

def connector_of(snapshot: Snapshot):
    return snapshot.salesforce.mcc_connector


def test_system_user_from_the_option(healthy: Snapshot, serve, tmp_path: Path, capsys) -> None:
    result = collect(serve(healthy), healthy, tmp_path / "collected.yaml", capsys)
    connector = connector_of(result.snapshot)
    assert connector.system_user.id == "0055g00000SysUsrAAA" and connector.system_user_source.value == "option"
    assert statuses(result.snapshot, "audit")[("SF110", "MCC connector configuration")] == "pass"


def test_system_user_named_but_absent_from_the_org_fails(healthy: Snapshot, serve, tmp_path: Path, capsys) -> None:
    result = collect(serve(healthy), healthy, tmp_path / "collected.yaml", capsys,
                     "--sf-system-user", "gone@acme.example", name_system_user=False)
    connector = connector_of(result.snapshot)
    assert connector.system_user.username == "gone@acme.example" and connector.system_user.id is None
    assert statuses(result.snapshot, "audit")[("SF110", "MCC connector configuration")] == "fail"


def test_system_user_inferred_from_the_apps_oauth_tokens(healthy: Snapshot, serve, tmp_path: Path, capsys) -> None:
    result = collect(serve(healthy), healthy, tmp_path / "collected.yaml", capsys, name_system_user=False)
    connector = connector_of(result.snapshot)
    assert connector.system_user_source.value == "inferred"
    assert connector.system_user.username == "mcc.system@acme.example"
    [candidate] = connector.system_user_candidates
    assert candidate.oauth_tokens == 1 and candidate.oauth_use_count == 1200
    found = statuses(result.snapshot, "audit")
    assert found[("SF110", "MCC connector configuration")] == "manual"  # to be confirmed, never a fact
    assert found[("SF111", "System User mcc.system@acme.example (inferred)")] == "pass"


def test_no_system_user_when_the_evidence_points_to_several(healthy: Snapshot, serve, tmp_path: Path,
                                                            capsys) -> None:
    sf = healthy.salesforce
    moment = datetime(2026, 11, 19, tzinfo=timezone.utc)
    connector = sf.mcc_connector.model_copy(update={"system_user_candidates": [
        SystemUserCandidate(user_id=user_id, oauth_tokens=1, oauth_use_count=10, oauth_last_used=moment)
        for user_id in ("0055g00000SysUsrAAA", "0055g00000MktUsrAAA")]})
    source = healthy.model_copy(update={"salesforce": sf.model_copy(update={"mcc_connector": connector})})
    result = collect(serve(source), source, tmp_path / "collected.yaml", capsys, name_system_user=False)
    connector = connector_of(result.snapshot)
    assert connector.system_user is None and connector.system_user_source is None
    assert {c.username for c in connector.system_user_candidates} == {"mcc.system@acme.example",
                                                                      "marta.marketer@acme.example"}
    assert statuses(result.snapshot, "audit")[("SF110", "MCC connector configuration")] == "manual"


def test_system_user_from_a_merge_file_replaces_an_inference(healthy: Snapshot, serve, tmp_path: Path,
                                                             capsys) -> None:
    merge = tmp_path / "declarations.yaml"
    merge.write_text("salesforce:\n  mcc_connector:\n    system_user: {username: MCC.System@acme.example}\n"
                     "    scope_by_user: false\n", encoding="utf-8")
    result = collect(serve(healthy), healthy, tmp_path / "collected.yaml", capsys, "--merge", str(merge),
                     name_system_user=False)
    connector = connector_of(result.snapshot)
    assert connector.system_user_source.value == "declared" and connector.scope_by_user is False
    assert connector.system_user.id == "0055g00000SysUsrAAA"  # joined to the org's user, ignoring case
    assert statuses(result.snapshot, "audit")[("SF110", "MCC connector configuration")] == "pass"


def test_the_option_wins_over_a_merge_file_that_disagrees(healthy: Snapshot, serve, tmp_path: Path,
                                                          capsys) -> None:
    merge = tmp_path / "declarations.yaml"
    merge.write_text("salesforce:\n  mcc_connector:\n    system_user: {username: marta.marketer@acme.example}\n",
                     encoding="utf-8")
    result = collect(serve(healthy), healthy, tmp_path / "collected.yaml", capsys, "--merge", str(merge))
    connector = connector_of(result.snapshot)
    assert connector.system_user.username == "mcc.system@acme.example"
    assert connector.system_user_source.value == "option"
    assert "salesforce.mcc_connector.system_user: kept" in result.stderr


# -- overlap ----------------------------------------------------------------------------------------------------

def in_flight(calls, prefix: str) -> int:
    """The most calls under this path prefix that were being answered at one moment."""
    events = sorted([(call.started, 1) for call in calls if call.path.startswith(prefix)]
                    + [(call.ended, -1) for call in calls if call.path.startswith(prefix)])
    most = current = 0
    for _, change in events:
        current += change
        most = max(most, current)
    return most


def test_reads_overlap_within_bounds_and_share_one_token(healthy: Snapshot, serve, tmp_path: Path,
                                                         capsys) -> None:
    api = serve(healthy, latency=0.05)
    result = collect(api, healthy, tmp_path / "collected.yaml", capsys)
    assert result.exit_code == 0, result.stderr
    salesforce, marketing_cloud = in_flight(api.calls, "/services"), in_flight(api.calls, "/mc-")
    assert 2 <= salesforce <= 4 and 2 <= marketing_cloud <= 4  # a few at a time per host, never a flood
    assert in_flight(api.calls, "") > max(salesforce, marketing_cloud)  # both sides at once
    assert api.counts()["mc.token"] == 1 and api.counts()["sf.login"] == 1
    runs = {run.name: run.api_calls for run in result.snapshot.collection.collectors}
    assert sum(runs.values()) == len(api.calls)

