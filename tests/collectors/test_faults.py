"""Every fault either recovers (the same snapshot as without it) or yields a partial snapshot with
the failure recorded and exit 3. None hangs (timeouts are short), none crashes."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from mcaudit.snapshot import Snapshot
from mcaudit.testing import PERMANENT, Fault, FaultKind

from .conftest import collect, comparable, sample, statuses

RECOVERS = {
    "429 with Retry-After on a SOQL query": Fault.http("sf.query:User", 429, retry_after="1"),
    "429 on the token request": Fault.http("mc.token", 429, retry_after="0"),
    "500 twice on a SOAP Retrieve": Fault.http("mc.soap.Retrieve:AccountUser", 500, times=2),
    "503 on the journey list": Fault.http("mc.rest.interactions", 503),
    "429 on the attribute set list": Fault.http("mc.rest.attributeSetDefinitions", 429, retry_after="0"),
    "slow Metadata API read": Fault.slow("sf.metadata.readMetadata", 2.0),
    "slow event definitions": Fault.slow("mc.rest.eventDefinitions", 2.0),
    "dropped connection on a SOQL query": Fault.drop("sf.query:PermissionSet"),
    "dropped connection on the SOAP login": Fault.drop("sf.login"),
    "dropped connection on the token request": Fault.drop("mc.token"),
    "body cut short on a SOQL query": Fault.cut("sf.query:User"),
    "body cut short on a SOAP Retrieve, twice": Fault.cut("mc.soap.Retrieve:AccountUser", times=2),
    "body cut short on the journey list": Fault.cut("mc.rest.interactions"),
    "token expires before a SOAP Retrieve": Fault.expire_token("mc.soap.Retrieve:Role"),
    "token expires before a REST call": Fault.expire_token("mc.rest.interactions"),
}


@pytest.fixture
def source() -> Snapshot:
    from mcaudit.testing.scenarios import with_empty_sections
    return with_empty_sections(sample("rotation/live.yaml"))  # journeys, sends: every endpoint in use


_BASELINE: list[dict[str, object]] = []  # collected once per worker: every fault is compared with it


@pytest.fixture
def baseline(source: Snapshot, serve, tmp_path: Path, capsys) -> dict[str, object]:
    if not _BASELINE:
        result = collect(serve(source), source, tmp_path / "baseline.yaml", capsys)
        assert result.exit_code == 0, result.stderr
        _BASELINE.append(comparable(result.snapshot))
    return _BASELINE[0]


@pytest.mark.parametrize("fault", RECOVERS.values(), ids=RECOVERS.keys())
def test_fault_recovers(fault: Fault, source: Snapshot, baseline, serve, tmp_path: Path, capsys) -> None:
    api = serve(source)
    api.inject(fault)
    result = collect(api, source, tmp_path / "collected.yaml", capsys)
    assert fault.fired == fault.times
    assert result.exit_code == 0, result.stderr
    assert comparable(result.snapshot) == baseline
    tokens = api.counts()["mc.token"]
    if fault.kind is FaultKind.expire_token:
        assert tokens == 2  # one refresh after the 401, no more
    elif fault.match != "mc.token":
        assert tokens == 1


def test_paging_across_many_pages(source: Snapshot, baseline, serve, tmp_path: Path, capsys) -> None:
    api = serve(source, sf_page_size=1, soap_page_size=1, rest_max_page_size=1)
    result = collect(api, source, tmp_path / "paged.yaml", capsys)
    assert result.exit_code == 0, result.stderr
    assert comparable(result.snapshot) == baseline
    pages = api.counts(paging=True)
    assert pages["sf.query:User"] == 2 and pages["sf.query:PermissionSetAssignment"] == 1
    assert pages["mc.soap.Retrieve:AccountUser"] == 1 and pages["mc.soap.Retrieve:TriggeredSendDefinition"] == 2
    assert pages["mc.rest.interactions"] == 5  # six journey versions, one per page


PARTIAL = {
    "500 on every try of a SOAP Retrieve": (
        Fault.http("mc.soap.Retrieve:TriggeredSendDefinition", 500, times=PERMANENT),
        "marketing_cloud", ["marketing_cloud.triggered_sends"], "HTTP 500"),
    "429 that never ends": (
        Fault.http("sf.query:PermissionSetAssignment", 429, retry_after="120", times=PERMANENT),
        "salesforce", ["salesforce.permission_set_assignments"], "HTTP 429"),
    "every answer slower than the timeout": (
        Fault.slow("sf.query:PermissionSetAssignment", 1.5, times=PERMANENT),
        "salesforce", ["salesforce.permission_set_assignments"], "timed out"),
    "malformed SOQL answer": (
        Fault.malformed("sf.query:User"), "salesforce", ["salesforce.users"], "malformed"),
    "malformed SOAP answer": (
        Fault.malformed("mc.soap.Retrieve:BusinessUnit"), "marketing_cloud", ["marketing_cloud.business_units"],
        "malformed"),
    "malformed REST answer": (
        Fault.malformed("mc.rest.interactions"), "marketing_cloud", ["marketing_cloud.journeys"], "malformed"),
    "500 on every try of the attribute set list": (
        Fault.http("mc.rest.attributeSetDefinitions", 500, times=PERMANENT), "marketing_cloud",
        ["marketing_cloud.attribute_sets"], "HTTP 500"),
    "the Organization query fails on every try": (
        Fault.http("sf.query:Organization", 500, times=PERMANENT), "salesforce", ["salesforce.organization"],
        "Organization not readable"),
    "a body cut short on every try": (
        Fault.cut("mc.rest.interactions", times=PERMANENT), "marketing_cloud",
        ["marketing_cloud.journeys"], "dropped"),
    "the token expires on every call": (
        Fault(FaultKind.expire_token, "mc.soap.Retrieve:Role", times=PERMANENT), "marketing_cloud",
        ["marketing_cloud.roles"], "Unauthorized"),
}


@pytest.mark.parametrize(("fault", "collector", "failed", "reason"), PARTIAL.values(), ids=PARTIAL.keys())
def test_fault_leaves_a_partial_snapshot(fault: Fault, collector: str, failed: list[str], reason: str,
                                         source: Snapshot, serve, tmp_path: Path, capsys) -> None:
    api = serve(source)
    api.inject(fault)
    started = time.monotonic()
    result = collect(api, source, tmp_path / "partial.yaml", capsys)
    assert time.monotonic() - started < 8  # bounded retries, short timeouts: no hang
    assert result.exit_code == 3 and result.snapshot is not None
    run = next(run for run in result.snapshot.collection.collectors if run.name == collector)
    assert run.status.value == "partial"
    if fault.kind is FaultKind.expire_token:
        # reads run at once: one that shared the dying token may fail with it, never for another reason
        assert failed[0] in run.failed_sections
        assert all(reason.lower() in part.lower() for part in (run.error or "").split("; ")), run.error
    else:
        assert run.failed_sections == failed
    assert reason.lower() in (run.error or "").lower()
    section, _, field = failed[0].partition(".")
    assert getattr(getattr(result.snapshot, section), field) is None  # not collected, not guessed
    other = next(run for run in result.snapshot.collection.collectors if run.name != collector)
    assert other.status.value == "ok"
    assert "collection incomplete" in result.stderr and "Traceback" not in result.stderr


def test_retries_are_bounded(source: Snapshot, serve, tmp_path: Path, capsys) -> None:
    api = serve(source)
    api.inject(Fault.http("mc.soap.Retrieve:TriggeredSendDefinition", 500, times=PERMANENT))
    collect(api, source, tmp_path / "partial.yaml", capsys, "--retries", "2")
    assert api.counts()["mc.soap.Retrieve:TriggeredSendDefinition"] == 3


@pytest.mark.parametrize(("fault", "collector"), [
    (Fault.http("sf.login", 500, times=PERMANENT), "salesforce"),
    (Fault.drop("mc.token", times=PERMANENT), "marketing_cloud"),
], ids=["Salesforce login fails", "token endpoint drops every connection"])
def test_failed_collector_leaves_its_section_absent(fault: Fault, collector: str, source: Snapshot, serve,
                                                    tmp_path: Path, capsys) -> None:
    api = serve(source)
    api.inject(fault)
    result = collect(api, source, tmp_path / "failed.yaml", capsys)
    assert result.exit_code == 3 and result.snapshot is not None
    assert getattr(result.snapshot, collector) is None
    runs = {run.name: run for run in result.snapshot.collection.collectors}
    assert runs[collector].status.value == "failed" and runs[collector].error
    assert all(run.status.value == "ok" for name, run in runs.items() if name != collector)
    # rules that need the missing side say unknown, citing the collector's error
    unknown = {rule for (rule, _), status in statuses(result.snapshot, "audit").items() if status == "unknown"}
    assert ("SF101" if collector == "salesforce" else "MC201") in unknown


def test_wrong_client_secret(source: Snapshot, serve, tmp_path: Path, capsys) -> None:
    api = serve(source)
    args = ["--mc-client-secret", "not-the-secret"]
    result = collect(api, source, tmp_path / "denied.yaml", capsys, *args)
    assert result.exit_code == 3 and result.snapshot is not None
    run = next(run for run in result.snapshot.collection.collectors if run.name == "marketing_cloud")
    assert run.error == "token request refused: HTTP 401 invalid_client"
    assert api.counts()["mc.token"] == 1  # a refused credential is not retried


@pytest.mark.parametrize("mode", ["refused", "hidden"])
def test_metadata_read_not_allowed(mode: str, source: Snapshot, serve, tmp_path: Path, capsys) -> None:
    """IP relaxation and the refresh token policy stay null: rules then ask a person."""
    result = collect(serve(source, metadata=mode), source, tmp_path / "meta.yaml", capsys)
    assert result.exit_code == 0, result.stderr
    app = result.snapshot.salesforce.connected_apps[0]
    assert app.ip_relaxation is None and app.refresh_token_policy is None
    assert app.permitted_users is not None  # SOQL still shows it
    found = statuses(result.snapshot, "audit")
    assert {status for (rule, _), status in found.items() if rule in ("SF103", "SF104")} == {"manual"}


def test_org_without_the_mcc_package(source: Snapshot, serve, tmp_path: Path, capsys) -> None:
    no_package = source.model_copy(update={"salesforce": source.salesforce.model_copy(
        update={"mcc_connector": None, "scheduled_sends": None})})
    result = collect(serve(no_package), no_package, tmp_path / "plain-org.yaml", capsys)
    assert result.exit_code == 3 and result.snapshot is not None
    sf = result.snapshot.salesforce
    assert sf.mcc_connector is None and sf.scheduled_sends is None
    assert sf.users and all(user.mc_appexchange_user is None for user in sf.users)
    run = result.snapshot.collection.collectors[0]
    # everything that reads the package's objects (or needs them to choose triggers) is not collected
    assert set(run.failed_sections) == {"salesforce.users", "salesforce.mcc_connector", "salesforce.scheduled_sends",
                                        "salesforce.oauth_grants", "salesforce.automated_sends",
                                        "salesforce.apex_triggers"}
    assert sf.organization is not None and sf.api_limits and sf.journey_flows is not None
    assert "Marketing Cloud Connect" in (run.error or "")
