"""`mcaudit import sf`: a folder of `sf data query --json` results -> the snapshot's Salesforce side,
the same as the live collector builds from the same rows."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from mcaudit.collectors.salesforce.exports import EXPORTS, commands
from mcaudit.snapshot import load_snapshot
from mcaudit.testing import Emulator
from mcaudit.testing.scenarios import with_empty_sections

from ..collectors.conftest import collect, sample
from ..conftest import ROOT, run_cli

FIXTURES = Path(__file__).parent / "fixtures"
EXPORT = FIXTURES / "sf"
SYSTEM_USER = "mcc.system@initrode.example"
QUERY_LINE = re.compile(r'^sf data query(?P<tooling> --use-tooling-api)? --query "(?P<soql>[^"]+)" '
                        r"--json > (?P<file>\S+)$")


def printed() -> list[str]:
    result = run_cli("import", "sf", "--print-queries")
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


def test_print_queries_is_what_the_live_collector_sends(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = with_empty_sections(sample("healthy.yaml"))
    api = Emulator(source).start()
    try:
        outcome = collect(api, source, tmp_path / "collected.yaml", capsys)
    finally:
        api.stop()
    assert outcome.exit_code == 0, outcome.stderr
    sent = {(call.params["q"][0], "/tooling/" in call.path) for call in api.calls if "q" in call.params}
    lines = [line for line in printed() if not line.startswith("#")]
    queries = [QUERY_LINE.match(line) for line in lines if line.startswith("sf data query")]
    assert all(queries)
    shown = {(found["soql"], bool(found["tooling"])) for found in queries if found}
    assert shown == sent
    assert len({found["file"] for found in queries if found}) == len(queries)  # one file each
    rest = [call.path for call in api.calls if call.path.endswith("/limits")]
    assert rest and f"sf api request rest {rest[0]} > limits.json" in lines


def test_statements_need_no_shell_quoting() -> None:
    """Each is put between double quotes: nothing in it may end or expand them in sh, zsh or PowerShell."""
    for export in EXPORTS:
        assert not set(export.statement) & set('"$`\\'), export.file


def test_the_docs_list_every_command() -> None:
    guide = (ROOT / "docs" / "guides" / "collecting.md").read_text(encoding="utf-8")
    for line in commands():
        if not line.startswith("#"):
            assert line in guide, line
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "mcaudit import sf --print-queries" in readme and "mcaudit merge" in readme
    assert len(readme.encode("utf-8")) < 10_000


def test_the_import_equals_the_hand_written_salesforce_side(tmp_path: Path) -> None:
    output = tmp_path / "sf.yaml"
    result = run_cli("import", "sf", EXPORT, "-o", output, "--sf-system-user", SYSTEM_USER)
    assert result.returncode == 0, result.stderr
    imported = load_snapshot(output).snapshot
    expected = load_snapshot(FIXTURES / "initrode-sf.yaml").snapshot
    assert imported.salesforce == expected.salesforce
    assert imported.source.value == "export" and imported.marketing_cloud is None
    assert "not collected" not in result.stderr
    connected_app = imported.salesforce and (imported.salesforce.connected_apps or [None])[0]
    # from the retrieved metadata: SOQL cannot tell "immediately expire" from "valid until revoked"
    assert connected_app and connected_app.refresh_token_policy and connected_app.ip_relaxation is None


def test_without_the_named_system_user_the_evidence_points_to_it(tmp_path: Path) -> None:
    result = run_cli("import", "sf", EXPORT, "-o", tmp_path / "sf.json")
    assert result.returncode == 0, result.stderr
    connector = load_snapshot(tmp_path / "sf.json").snapshot.salesforce.mcc_connector  # type: ignore[union-attr]
    assert connector and connector.system_user and connector.system_user.username == SYSTEM_USER
    assert connector.system_user_source and connector.system_user_source.value == "inferred"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    copy = tmp_path / "export"
    shutil.copytree(EXPORT, copy)
    return copy


def test_a_missing_file_leaves_its_section_not_collected(folder: Path, tmp_path: Path) -> None:
    for name in ("limits.json", "users.json", "organization.json"):
        (folder / name).unlink()
    shutil.rmtree(folder / "force-app")
    output = tmp_path / "sf.yaml"
    result = run_cli("import", "sf", folder, "-o", output)
    assert result.returncode == 0, result.stderr
    salesforce = load_snapshot(output).snapshot.salesforce
    assert salesforce is not None
    assert salesforce.api_limits is None and salesforce.users is None and salesforce.organization is None
    assert salesforce.permission_sets is not None  # the others still count
    app = (salesforce.connected_apps or [])[0]
    assert app.refresh_token_policy is None  # no metadata: not collected, never guessed
    assert "salesforce.api_limits not collected: limits.json is not in the folder" in result.stderr
    run = load_snapshot(output).snapshot.collection.collectors[0]  # type: ignore[union-attr]
    assert run.status.value == "partial" and "salesforce.users" in run.failed_sections


def test_a_query_that_failed_in_the_org_leaves_its_section_not_collected(folder: Path, tmp_path: Path) -> None:
    (folder / "connector_business_units.json").write_text(json.dumps({
        "code": 1, "name": "INVALID_TYPE", "status": 1, "exitCode": 1,
        "message": "sObject type 'et4ae5__Business_Unit__c' is not supported."}), encoding="utf-8")
    output = tmp_path / "sf.yaml"
    result = run_cli("import", "sf", folder, "-o", output)
    assert result.returncode == 0, result.stderr
    assert load_snapshot(output).snapshot.salesforce.mcc_connector is None  # type: ignore[union-attr]
    assert "INVALID_TYPE" in result.stderr


def test_users_without_the_package_fields_are_read_and_said(folder: Path, tmp_path: Path) -> None:
    data = json.loads((folder / "users.json").read_text(encoding="utf-8"))
    for record in data["result"]["records"]:
        del record["et4ae5__ExactTargetForAppExchangeUser__c"], record["et4ae5__ExactTargetForAppExchangeAdmin__c"]
    (folder / "users.json").write_text(json.dumps(data), encoding="utf-8")
    result = run_cli("import", "sf", folder, "-o", tmp_path / "sf.yaml")
    assert result.returncode == 0, result.stderr
    users = load_snapshot(tmp_path / "sf.yaml").snapshot.salesforce.users  # type: ignore[union-attr]
    assert users and all(user.mc_appexchange_user is None for user in users)
    assert "Marketing Cloud for AppExchange" in result.stderr


@pytest.mark.parametrize(("name", "text", "said"), [
    ("users.json", "{not json", "not JSON"),
    ("users.json", "[]", "an object with status and result"),
    ("permission_sets.json", '{"status": 0, "result": {"records": {}}}', "result.records"),
    ("permission_sets.json", '{"status": 0, "result": {"records": [1]}}', "result.records[0]"),
    ("users.json", json.dumps({"status": 0, "result": {"records": [
        {"attributes": {"type": "PermissionSet"}, "Id": "0PS"}], "totalSize": 1, "done": True}}), "expected User"),
    ("users.json", json.dumps({"status": 0, "result": {"records": [
        {"attributes": {"type": "User"}, "Id": "005"}], "totalSize": 1, "done": True}}), "has no Username"),
    ("limits.json", '"limits"', "REST /limits"),
    ("force-app/main/default/connectedApps/Salesforce_Marketing_Cloud.connectedApp-meta.xml", "<ConnectedApp>",
     "not XML"),
])
def test_a_malformed_file_is_one_line_naming_it(folder: Path, tmp_path: Path, name: str, text: str,
                                                said: str) -> None:
    (folder / name).write_text(text, encoding="utf-8")
    output = tmp_path / "sf.yaml"
    result = run_cli("import", "sf", folder, "-o", output)
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    assert str(folder / name) in lines[0] and said in lines[0], lines[0]
    assert not output.exists()


def test_an_export_cut_short_is_not_taken_as_complete(folder: Path, tmp_path: Path) -> None:
    data = json.loads((folder / "permission_set_assignments.json").read_text(encoding="utf-8"))
    data["result"]["totalSize"] = 60_000
    (folder / "permission_set_assignments.json").write_text(json.dumps(data), encoding="utf-8")
    result = run_cli("import", "sf", folder, "-o", tmp_path / "sf.yaml")
    assert result.returncode == 0, result.stderr
    salesforce = load_snapshot(tmp_path / "sf.yaml").snapshot.salesforce
    assert salesforce is not None and salesforce.permission_set_assignments is None
    assert "org-max-query-limit" in result.stderr


def test_usage_errors(tmp_path: Path) -> None:
    assert run_cli("import", "sf", EXPORT).returncode == 2  # no -o
    missing = run_cli("import", "sf", tmp_path / "nowhere", "-o", tmp_path / "sf.yaml")
    assert missing.returncode == 2 and "not a folder" in missing.stderr
    refused = run_cli("import", "sf", EXPORT, "-o", EXPORT / "users.json")
    assert refused.returncode == 2 and "never writes over its inputs" in refused.stderr
