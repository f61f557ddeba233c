"""`mcaudit check-payload`: an integration developer's request body checked against a snapshot, by the
API integration rules themselves (issue 17)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ..conftest import SAMPLES, run_cli

SNAPSHOT = SAMPLES / "integrations.yaml"
# the onboarding journey's entry source (samples/integrations.yaml)
EVENT_KEY = "APIEvent-5c1d7e2a-onboarding"
GOOD = {"ContactKey": "0035g00000AbcDEF", "EventDefinitionKey": EVENT_KEY,
        "Data": {"EmailAddress": "ann@example.com", "FirstName": "Ann", "AccountTier": "gold"}}


def body(tmp_path: Path, data: Any, name: str = "request.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def check(*args: str | Path) -> tuple[int, list[dict[str, Any]], str]:
    done = run_cli("check-payload", SNAPSHOT, *args, "--format", "json")
    findings = json.loads(done.stdout)["results"][0]["findings"] if done.stdout else []
    return done.returncode, findings, done.stderr


def failing(findings: list[dict[str, Any]]) -> dict[str, str]:
    return {f["rule_id"]: f["message"] for f in findings if f["status"] == "fail"}


def test_a_correct_journey_injection_passes(tmp_path: Path) -> None:
    code, findings, _ = check(body(tmp_path, GOOD), "--journey", "onboarding")
    assert code == 0
    assert {f["rule_id"]: f["status"] for f in findings} == {"API604": "pass", "API605": "pass", "REQ100": "pass"}


@pytest.mark.parametrize(("change", "rule", "says"), [
    ({"EventDefinitionKey": "onboarding"}, "API604",
     f"sends the key of journey 'Onboarding' version 3 (key onboarding) itself, not its entry event's "
     f"EventDefinitionKey ('{EVENT_KEY}')"),
    ({"Data": {**GOOD["Data"], "firstName": "Ann", "FirstName": None}}, "API605",
     "'firstName' differs from the schema's 'FirstName' in case"),
    ({"Data": {"EmailAddress": "ann@example.com", "FirstName": "Ann"}}, "REQ100",
     "Data leaves out entry source field(s) AccountTier of journey 'onboarding'"),
    ({"ContactKey": ""}, "REQ100", "ContactKey is missing or empty"),
    ({"EventDefinitionKey": None}, "REQ100",
     f"EventDefinitionKey is missing: send the entry event's key '{EVENT_KEY}'"),
    ({"EventDefinitionKey": "APIEvent-9f3b0c6d-winback"}, "REQ100",
     "EventDefinitionKey 'APIEvent-9f3b0c6d-winback' is not the entry event of journey 'onboarding' (--journey)"),
])
def test_each_journey_mistake_names_the_field_or_key_and_the_fix(tmp_path: Path, change: dict[str, Any],
                                                                 rule: str, says: str) -> None:
    data = {**GOOD, **change}
    if change.get("Data", {}).get("FirstName", "") is None:
        del data["Data"]["FirstName"]
    data = {key: value for key, value in data.items() if value is not None}
    code, findings, _ = check(body(tmp_path, data), "--journey", "onboarding")
    assert code == 1
    assert says in failing(findings)[rule]


def test_a_triggered_send_must_be_active_and_addressed(tmp_path: Path) -> None:
    request = {"To": {"Address": "ann@example.com", "SubscriberKey": "0035g00000AbcDEF"}}
    code, findings, _ = check(body(tmp_path, request), "--triggered-send", "order-confirmation")
    assert code == 0, findings
    code, findings, _ = check(body(tmp_path, request), "--triggered-send", "shipping-update")
    assert code == 1
    assert "the definition is Inactive, not Active" in failing(findings)["API606"]
    code, findings, _ = check(body(tmp_path, {"To": {"Address": "ann@example.com"}}), "--triggered-send",
                              "order-confirmation")
    assert code == 1 and failing(findings)["REQ100"] == "To.SubscriberKey is missing or empty"


def test_a_large_rowset_must_go_to_the_asynchronous_endpoint(tmp_path: Path) -> None:
    rows = [{"keys": {"Id": str(n)}, "values": {"Tier": "gold"}} for n in range(150)]
    code, findings, _ = check(body(tmp_path, rows), "--data-extension", "Customers")
    assert code == 1
    assert "sends 150 rows per call to /hub/v1/dataevents/key:Customers/rowset" in failing(findings)["API607"]
    code, _, _ = check(body(tmp_path, rows), "--data-extension", "Customers",
                       "--endpoint", "/hub/v1/dataeventsasync/key:Customers/rowset")
    assert code == 0
    code, findings, _ = check(body(tmp_path, {"keys": {}}), "--data-extension", "Customers")
    assert code == 1 and "not a JSON array of rows" in failing(findings)["REQ100"]


def test_a_folder_of_payloads_is_checked_body_by_body(tmp_path: Path) -> None:
    folder = tmp_path / "payloads"
    folder.mkdir()
    body(folder, GOOD, "a-good.json")
    body(folder, {**GOOD, "EventDefinitionKey": "onboarding"}, "b-journey-key.json")
    (folder / "notes.txt").write_text("not a payload", encoding="utf-8")
    code, findings, _ = check(folder, "--journey", "onboarding")
    assert code == 1
    subjects = {(f["rule_id"], f["status"]): f["subject"] for f in findings}
    assert "b-journey-key.json" in subjects[("API604", "fail")]
    assert "a-good.json" in subjects[("API604", "pass")]


def test_bad_input_is_exit_2_with_one_line(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    code, _, stderr = check(broken, "--journey", "onboarding")
    assert code == 2 and stderr.startswith(f"mcaudit: error: {broken}") and stderr.count("\n") == 1
    code, _, stderr = check(body(tmp_path, GOOD), "--journey", "onbording")
    assert code == 2
    assert stderr == ("mcaudit: error: --journey: 'onbording' is neither a journey key nor an entry event key in "
                      "the snapshot; did you mean 'onboarding'?\n")
    code, _, stderr = check(body(tmp_path, GOOD), "--triggered-send", "order-confirmaton")
    assert code == 2 and "did you mean 'order-confirmation'?" in stderr
    code, _, stderr = check(body(tmp_path, GOOD))
    assert code == 2 and "exactly one of --journey KEY, --triggered-send KEY, --data-extension KEY" in stderr


def test_the_console_says_what_is_wrong(tmp_path: Path) -> None:
    done = run_cli("check-payload", SNAPSHOT, body(tmp_path, {**GOOD, "EventDefinitionKey": "onboarding"}),
                   "--journey", "onboarding", "--no-color")
    assert done.returncode == 1
    assert "mcaudit check-payload · ACME production (API integrations)" in done.stdout
    assert " FAIL  1 problem must be fixed" in done.stdout


def test_fail_on_and_waivers_decide_what_counts(tmp_path: Path) -> None:
    rows = [{"keys": {"Id": str(n)}, "values": {"Tier": "gold"}} for n in range(150)]
    request = body(tmp_path, rows)
    code, findings, _ = check(request, "--data-extension", "Customers")
    assert code == 1 and failing(findings)["API607"]
    # API607 is medium: raised above it, the mistake is still reported but no longer sets the exit code
    code, findings, _ = check(request, "--data-extension", "Customers", "--fail-on", "high")
    assert code == 0 and failing(findings)["API607"]
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text("waivers:\n  - rule: API607\n    subject: '*request.json*'\n"
                       "    reason: the loader batches below 100 rows before sending\n", encoding="utf-8")
    code, findings, _ = check(request, "--data-extension", "Customers", "--waivers", waivers)
    assert code == 0
    assert [f["status"] for f in findings if f["rule_id"] == "API607"] == ["waived"]


def test_options_it_cannot_honour_are_not_offered(tmp_path: Path) -> None:
    for option in ("--select", "--ignore", "--strict", "--rules-dir", "--attestation-max-age"):
        done = run_cli("check-payload", SNAPSHOT, body(tmp_path, GOOD), "--journey", "onboarding", option, "x")
        assert done.returncode == 2 and f"No such option '{option}'" in done.stderr


def test_the_configuration_file_sets_its_threshold(tmp_path: Path) -> None:
    rows = [{"keys": {"Id": str(n)}, "values": {"Tier": "gold"}} for n in range(150)]
    request = body(tmp_path, rows)
    config = tmp_path / "mcaudit.toml"
    config.write_text('fail-on = "high"\n', encoding="utf-8")  # a key for every command: this one too
    args = ("check-payload", SNAPSHOT, request, "--data-extension", "Customers")
    assert run_cli(*args, cwd=tmp_path).returncode == 0
    config.write_text('fail-on = "high"\n\n[check-payload]\nfail-on = "info"\n', encoding="utf-8")
    assert run_cli(*args, cwd=tmp_path).returncode == 1
