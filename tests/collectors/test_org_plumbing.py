"""The org's plumbing, collected from the emulator over real HTTP: the Organization record, REST
/limits, OAuth grants for the MCC app, Apex triggers (whether they call the package's trigger
utility, never their bodies), JBSystem flows, the package's automated sends, and the triggered
send definitions' ObjectID and ID. A user without the permission a read needs loses only that
section, recorded as not collected with the permission named."""

from __future__ import annotations

from pathlib import Path

import pytest

from mcaudit import apicatalog
from mcaudit.collectors.salesforce.records import calls_trigger_utility, trigger_object
from mcaudit.snapshot import Snapshot
from mcaudit.snapshot.automation import ApexTrigger, ApexTriggerStatus, AutomatedSend
from mcaudit.snapshot.meta import Collection, CollectorRun, CollectorStatus
from mcaudit.snapshot.org import OauthGrants
from mcaudit.snapshot.sending import TriggeredSend, TriggeredSendStatus
from mcaudit.testing.salesforce_api import CUSTOMIZE_APPLICATION, VIEW_SETUP
from mcaudit.testing.scenarios import with_empty_sections

from .conftest import collect, sample

SYSTEM_USER = "0055g00000SysUsrAAA"


@pytest.fixture
def live() -> Snapshot:
    """rotation/live.yaml: Salesforce Data journeys on Contact and Lead, an active automated send."""
    return with_empty_sections(sample("rotation/live.yaml"))


def with_salesforce(source: Snapshot, **update: object) -> Snapshot:
    assert source.salesforce is not None
    return source.model_copy(update={"salesforce": source.salesforce.model_copy(update=update)})


# -- the healthy org ------------------------------------------------------------------------------------------

def test_a_healthy_org_reads_back_healthy_plumbing(live: Snapshot, serve, tmp_path: Path, capsys) -> None:
    result = collect(serve(live), live, tmp_path / "collected.yaml", capsys)
    assert result.exit_code == 0, result.stderr
    sf = result.snapshot.salesforce
    assert sf.organization is not None
    assert sf.organization.id == sf.org_id == "00D5g000004AcmeEAC" and sf.organization.is_sandbox is False
    limits = {limit.name: limit for limit in sf.api_limits}
    assert limits["DailyApiRequests"].max == 15000 and limits["DailyApiRequests"].remaining == 14998
    assert "DailyBulkApiBatches" in limits
    assert [(grant.user_id, grant.tokens) for grant in sf.oauth_grants] == [(SYSTEM_USER, 1)]
    assert sf.oauth_grants[0].app_name == "Salesforce Marketing Cloud"
    # one automated send, on Contact (no automation objects configured), active, with its trigger
    assert [(send.id, send.object, send.active) for send in sf.automated_sends] == [
        ("a0B5g00000SvcUpdtAAA", "Contact", True)]
    assert [(t.object, t.status, t.calls_trigger_utility) for t in sf.apex_triggers] == [
        ("Contact", ApexTriggerStatus.active, True)]  # the package's own trigger is not on Contact: left out
    flows = {flow.api_name: flow.is_active for flow in sf.journey_flows}
    # every object a Salesforce Data journey enters from (Contact, Lead, and the stopped Opportunity one)
    assert flows == {f"JBSystem{name}": True for name in (
        "Flow_Contact", "_Contact_RecordFlow", "Flow_Lead", "_Lead_RecordFlow", "Flow_Opportunity",
        "_Opportunity_RecordFlow")}
    assert {send.kind for send in sf.scheduled_sends} == {"send_definition", "automated_send"}  # still there


def test_triggered_send_definitions_carry_object_id_and_id(live: Snapshot, serve, tmp_path: Path, capsys) -> None:
    mc = live.marketing_cloud
    sends = [TriggeredSend(key="welcome-email", object_id="6f1c0a2e-0000-4000-8000-00000000a001", id=1201,
                           name="Welcome email", status=TriggeredSendStatus.active),
             TriggeredSend(key="legacy-promo", name="Legacy promo", status=TriggeredSendStatus.inactive)]
    source = live.model_copy(update={"marketing_cloud": mc.model_copy(update={"triggered_sends": sends})})
    result = collect(serve(source), source, tmp_path / "collected.yaml", capsys)
    assert result.exit_code == 0, result.stderr
    collected = {send.key: (send.object_id, send.id) for send in result.snapshot.marketing_cloud.triggered_sends}
    assert collected == {"welcome-email": ("6f1c0a2e-0000-4000-8000-00000000a001", 1201),
                         "legacy-promo": (None, None)}


# -- triggers: the body is read, judged and dropped ---------------------------------------------------------

def plumbing(source: Snapshot) -> Snapshot:
    triggers = [
        ApexTrigger(name="Trig_Contact", object="Contact", status=ApexTriggerStatus.active,
                    calls_trigger_utility=True),
        ApexTrigger(name="LeadTrigger", object="Lead", status=ApexTriggerStatus.active,
                    calls_trigger_utility=False),  # mentions the utility only in comments
        ApexTrigger(name="OldContactTrigger", object="Contact", status=ApexTriggerStatus.inactive,
                    calls_trigger_utility=True),
        ApexTrigger(name="pkgContact", object="Contact", status=ApexTriggerStatus.active, namespace_prefix="acme",
                    calls_trigger_utility=None),  # a managed package's: body "(hidden)"
        ApexTrigger(name="Trig_Renewal", object="Renewal__c", status=ApexTriggerStatus.active,
                    calls_trigger_utility=True),  # TableEnumOrId is the object's Id; the header names it
        ApexTrigger(name="AccountRollup", object="Account", status=ApexTriggerStatus.active,
                    calls_trigger_utility=False),  # not an object MCC automation uses
    ]
    sends = [AutomatedSend(id="a0A000000000001AAA", name="Welcome", object="Contact", action="Insert", active=True,
                           definition_id="6f1c0a2e-0000-4000-8000-00000000a001", email_name="Welcome",
                           hours_delayed=0),
             AutomatedSend(id="a0A000000000002AAA", name="Renewal", object="Renewal__c", action="Either",
                           active=True, hours_delayed=24)]
    connector = source.salesforce.mcc_connector.model_copy(update={"automation_objects": ["Contact", "Lead"]})
    return with_salesforce(source, apex_triggers=triggers, automated_sends=sends, mcc_connector=connector)


def test_triggers_are_judged_and_their_bodies_never_kept(live: Snapshot, serve, tmp_path: Path, capsys) -> None:
    source = plumbing(live)
    api = serve(source)
    output = tmp_path / "collected.yaml"
    result = collect(api, source, output, capsys)
    assert result.exit_code == 0, result.stderr
    sf = result.snapshot.salesforce
    found = {trigger.name: (trigger.object, trigger.status.value, trigger.calls_trigger_utility)
             for trigger in sf.apex_triggers}
    assert found == {
        "Trig_Contact": ("Contact", "Active", True),
        "LeadTrigger": ("Lead", "Active", False),
        "OldContactTrigger": ("Contact", "Inactive", True),
        "pkgContact": ("Contact", "Active", None),
        "Trig_Renewal": ("Renewal__c", "Active", True),
    }
    assert {send.object: send.hours_delayed for send in sf.automated_sends} == {"Contact": 0, "Renewal__c": 24}
    assert sf.automated_sends[0].definition_id == "6f1c0a2e-0000-4000-8000-00000000a001"
    # the bodies were served ...
    bodies = [call for call in api.calls if "ApexTrigger" in call.label]
    assert bodies and all(call.status == 200 for call in bodies)
    # ... and appear nowhere in what was written or said
    written = output.read_text(encoding="utf-8")
    for fragment in ("triggerUtility", "System.debug", "(hidden)", "after insert"):
        assert fragment not in written and fragment not in result.stderr and fragment not in result.stdout


@pytest.mark.parametrize(("body", "expected"), [
    ("trigger T on Contact (after insert) { et4ae5.triggerUtility.automate('Contact'); }", True),
    ("trigger T on Contact (after insert) {\n  ET4AE5 . TriggerUtility\n .AUTOMATE ( 'Contact' );\n}", True),
    ("trigger T on Contact (after insert) {\n  // et4ae5.triggerUtility.automate('Contact');\n}", False),
    ("trigger T on Contact (after insert) {\n  /* et4ae5.triggerUtility\n.automate('Contact'); */\n}", False),
    ("trigger T on Contact (after insert) { String u = 'http://x'; et4ae5.triggerUtility.automate('Contact'); }",
     True),  # a '//' inside a string is not a comment
    ("trigger T on Contact (after insert) { String s = 'et4ae5.triggerUtility.automate('; }", True),
    ("trigger T on Contact (after insert) { System.debug('nothing'); }", False),
    ("(hidden)", None), ("", None), (None, None),
])
def test_the_trigger_utility_call(body: str | None, expected: bool | None) -> None:
    assert calls_trigger_utility(body) is expected


def test_the_object_of_a_custom_object_trigger_comes_from_its_header() -> None:
    assert trigger_object("Contact", "(hidden)") == "Contact"
    assert trigger_object("01I5g000000AbCdEAF", "trigger X on Renewal__c (after insert) {}") == "Renewal__c"
    assert trigger_object("01I5g000000AbCdEAF", "(hidden)") == "01I5g000000AbCdEAF"


# -- a user without the permission ---------------------------------------------------------------------------

REFUSALS = {
    "no View Setup and Configuration: /limits refused": (
        {"sf_lacking": frozenset({VIEW_SETUP})}, "api_limits", VIEW_SETUP),
    "no Customize Application: only one's own OAuth tokens": (
        {"sf_lacking": frozenset({CUSTOMIZE_APPLICATION})}, "oauth_grants", CUSTOMIZE_APPLICATION),
    "ApexTrigger not visible": ({"sf_hidden": frozenset({"ApexTrigger"})}, "apex_triggers",
                                "needs the View Setup and Configuration permission"),
    "FlowDefinitionView not visible": (
        {"sf_hidden": frozenset({"FlowDefinitionView"})}, "journey_flows", "FlowDefinitionView"),
    "no access to the package's automated sends": (
        {"sf_hidden": frozenset({"et4ae5__Automated_Send__c"})}, "automated_sends", "et4ae5__Automated_Send__c"),
}
PLUMBING = ("organization", "api_limits", "oauth_grants", "apex_triggers", "journey_flows", "automated_sends")


@pytest.mark.parametrize(("config", "section", "named"), REFUSALS.values(), ids=REFUSALS.keys())
def test_a_user_without_the_permission_loses_only_that_section(config: dict[str, frozenset[str]], section: str,
                                                                named: str, live: Snapshot, serve, tmp_path: Path,
                                                                capsys) -> None:
    source = plumbing(live)
    result = collect(serve(source, **config), source, tmp_path / "refused.yaml", capsys)
    assert result.exit_code == 3 and result.snapshot is not None, result.stderr
    sf = result.snapshot.salesforce
    assert getattr(sf, section) is None  # not collected, not guessed
    run = next(run for run in result.snapshot.collection.collectors if run.name == "salesforce")
    assert run.status is CollectorStatus.partial and f"salesforce.{section}" in run.failed_sections
    reason = next(part for part in (run.error or "").split("; ") if part.startswith(f"salesforce.{section}:"))
    assert named in reason, reason
    # the other plumbing sections, the connector and the other side are still there
    also_lost = {"automated_sends": {"scheduled_sends"}, "api_limits": {"connected_apps"}}.get(section, set())
    for other in PLUMBING:
        if other != section:
            assert getattr(sf, other) is not None, other
    assert sf.mcc_connector is not None and sf.users
    assert set(run.failed_sections) == {f"salesforce.{name}" for name in {section, *also_lost}}
    assert next(run for run in result.snapshot.collection.collectors if run.name != "salesforce").status.value == "ok"


def test_without_view_setup_the_setup_entity_access_is_refused_too(live: Snapshot, serve, tmp_path: Path,
                                                                     capsys) -> None:
    """SetupEntityAccess is for View Setup and Configuration holders only: the app's permission sets go."""
    result = collect(serve(live, sf_lacking=frozenset({VIEW_SETUP})), live, tmp_path / "c.yaml", capsys)
    run = result.snapshot.collection.collectors[0]
    assert "salesforce.connected_apps" in run.failed_sections
    apps = result.snapshot.salesforce.connected_apps
    assert apps and all(app.permission_set_ids is None for app in apps)  # the rest of the app is still read


def test_a_section_recorded_as_failed_is_served_so_that_it_fails_again(live: Snapshot, serve, tmp_path: Path,
                                                                        capsys) -> None:
    failed = CollectorRun(name="salesforce", status=CollectorStatus.partial, sections=["salesforce"],
                          failed_sections=["salesforce.journey_flows", "salesforce.oauth_grants"], error="earlier")
    source = live.model_copy(update={"collection": Collection(collectors=[failed])})
    result = collect(serve(source), source, tmp_path / "again.yaml", capsys)
    sf = result.snapshot.salesforce
    assert sf.journey_flows is None and sf.oauth_grants is None and sf.apex_triggers is not None


def test_explicit_grants_are_served_as_tokens(live: Snapshot, serve, tmp_path: Path, capsys) -> None:
    grants = [OauthGrants(user_id=SYSTEM_USER, app_name="Salesforce Marketing Cloud", tokens=5)]
    source = with_salesforce(live, oauth_grants=grants)
    result = collect(serve(source), source, tmp_path / "grants.yaml", capsys)
    assert [(grant.user_id, grant.tokens) for grant in result.snapshot.salesforce.oauth_grants] == [(SYSTEM_USER, 5)]


# -- read only, and only catalog names --------------------------------------------------------------------------

def test_every_plumbing_call_is_a_catalog_read(live: Snapshot, serve, tmp_path: Path, capsys) -> None:
    source = plumbing(live)
    api = serve(source)
    result = collect(api, source, tmp_path / "collected.yaml", capsys)
    assert result.exit_code == 0, result.stderr
    labels = {call.label for call in api.calls}
    assert {"sf.limits", "sf.query:ApexTrigger", "sf.query:FlowDefinitionView",
            "sf.query:et4ae5__Automated_Send__c", "sf.query:OauthToken"} <= labels
    for call in api.calls:
        if call.path.startswith("/services/data/"):
            assert call.method == "GET", call  # REST reads only: no create, update or delete
            assert apicatalog.is_rest_path(call.path), call.path
        else:  # the SOAP login, Metadata API reads, the MC token and SOAP Retrieves are POSTs
            assert call.method in ("GET", "POST"), call
    statements = " ".join(call.params["q"][0] for call in api.calls if "q" in call.params)
    assert "LIKE 'JBSystem%'" in statements and "Body" in statements
    assert api.counts()["sf.query:OauthToken"] == 1  # grants and System User evidence share one read
