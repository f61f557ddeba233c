"""`mcaudit import mcdev`: an SFMC DevTools retrieve folder into a snapshot's Marketing Cloud side
(issue 16). The fixture (fixtures/mcdev) is written in DevTools' documented format; fixtures/
initrode-mc.yaml is the same org written by hand."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from mcaudit.errors import InputError
from mcaudit.imports import import_mcdev
from mcaudit.imports.mcdev import SOURCES, read_mcdev
from mcaudit.snapshot import load_snapshot
from mcaudit.snapshot.meta import CollectorStatus, SnapshotSource

from ..conftest import run_cli

FIXTURES = Path(__file__).resolve().parent / "fixtures"
MCDEV = FIXTURES / "mcdev"
HAND_WRITTEN = FIXTURES / "initrode-mc.yaml"
PARENT = Path("retrieve/initrode/_ParentBU_")
RETAIL = Path("retrieve/initrode/Initrode_Retail")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the fixture project to break."""
    return Path(shutil.copytree(MCDEV, tmp_path / "mcdev"))


def statuses(command: str, snapshot: Path) -> dict[tuple[str, str], str]:
    done = run_cli(command, snapshot, "--format", "json")
    assert done.stdout, done.stderr
    findings = json.loads(done.stdout)["results"][0]["findings"]
    return {(finding["rule_id"], finding["subject"]): finding["status"] for finding in findings}


def edit(path: Path, change: Any) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    path.write_text(json.dumps(change(data)), encoding="utf-8")


def one_line_error(done: Any) -> str:
    assert done.returncode == 2, done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("mcaudit: error:"), lines[0]
    assert "Traceback" not in done.stderr
    return str(lines[0])


# -- the fixture org --------------------------------------------------------------------------------

def test_import_equals_the_hand_written_snapshot() -> None:
    imported = import_mcdev(MCDEV)
    hand_written = load_snapshot(HAND_WRITTEN).snapshot
    assert imported.marketing_cloud == hand_written.marketing_cloud
    assert imported.source is SnapshotSource.export
    assert imported.salesforce is None
    run = imported.collection.collectors[0] if imported.collection else None
    assert run is not None and run.status is CollectorStatus.ok and not run.failed_sections


def test_the_credential_folder_and_the_project_folder_give_the_same_side() -> None:
    assert import_mcdev(MCDEV / "retrieve" / "initrode").marketing_cloud == import_mcdev(MCDEV).marketing_cloud


def test_audit_and_preflight_match_the_hand_written_snapshot(tmp_path: Path) -> None:
    output = tmp_path / "initrode.json"
    done = run_cli("import", "mcdev", MCDEV, "-o", output, "--name", "Initrode")
    assert done.returncode == 0, done.stderr
    assert json.loads(output.read_text(encoding="utf-8"))["name"] == "Initrode"
    for command in ("audit", "preflight"):
        imported, hand_written = statuses(command, output), statuses(command, HAND_WRITTEN)
        assert imported == hand_written, command
        assert imported  # the rules ran


def test_installed_package_rows_are_not_users(tmp_path: Path) -> None:
    imported = read_mcdev(MCDEV)
    users = imported.snapshot.marketing_cloud.users if imported.snapshot.marketing_cloud else None
    assert users is not None
    assert [user.username for user in users] == ["maria.marketer@initrode.example", "mcc.api@initrode.example"]
    assert any("installed-package" in note for note in imported.notes)
    done = run_cli("import", "mcdev", MCDEV, "-o", tmp_path / "s.yaml")
    assert "mcaudit: note: 1 installed-package row(s)" in done.stderr


def test_journeys_carry_status_version_and_entry_event() -> None:
    side = import_mcdev(MCDEV).marketing_cloud
    assert side is not None and side.journeys is not None
    by_key = {journey.key: journey for journey in side.journeys}
    onboarding = by_key["contact-onboarding"]
    assert (onboarding.version, onboarding.status.value) == (2, "Published")
    assert onboarding.entry_source is not None
    assert onboarding.entry_source.type.value == "SalesforceObjectTriggerV2"
    assert onboarding.entry_source.salesforce_object == "Contact"
    assert by_key["order-api"].entry_source is not None
    assert by_key["order-api"].entry_source.event_definition_key == "APIEvent-2d1c3b4a-order"


def test_mcc_api_user_names_an_imported_user(tmp_path: Path) -> None:
    snapshot = import_mcdev(MCDEV, mcc_api_user="mcc.api@initrode.example")
    assert snapshot.marketing_cloud is not None
    assert snapshot.marketing_cloud.mcc_api_user == "mcc.api@initrode.example"
    done = run_cli("import", "mcdev", MCDEV, "-o", tmp_path / "s.yaml", "--mc-api-user", "nobody@initrode.example")
    assert "no such user" in one_line_error(done)


def test_business_unit_folders_without_mcdevrc_use_the_names_mcdev_init_writes(project: Path) -> None:
    (project / ".mcdevrc.json").unlink()
    assert import_mcdev(project).marketing_cloud == import_mcdev(MCDEV).marketing_cloud


def test_older_devtools_field_names_are_read(project: Path) -> None:
    def older(data: dict[str, Any]) -> dict[str, Any]:
        for new, old in (("c__type", "type__c"), ("c__AssociatedBusinessUnits", "AssociatedBusinessUnits__c"),
                         ("c__RoleNamesGlobal", "RoleNamesGlobal__c"), ("c__AccountUserID", "AccountUserID"),
                         ("c__IsLocked_readOnly", "IsLocked")):
            data[old] = data.pop(new)
        return data

    for file in (project / PARENT / "user").iterdir():
        edit(file, older)
    assert import_mcdev(project).marketing_cloud == import_mcdev(MCDEV).marketing_cloud


def test_unknown_fields_are_ignored(project: Path) -> None:
    for file in sorted(project.rglob("*-meta.json")):
        edit(file, lambda data: {**data, "zz_future_field": {"nested": [1, "two", None]}})
    assert import_mcdev(project).marketing_cloud == import_mcdev(MCDEV).marketing_cloud


def test_unknown_status_values_are_kept(project: Path) -> None:
    edit(project / PARENT / "triggeredSend" / "welcome-email.triggeredSend-meta.json",
         lambda data: {**data, "TriggeredSendStatus": "Throttled"})
    side = import_mcdev(project).marketing_cloud
    assert side is not None and side.triggered_sends is not None
    status = next(send.status for send in side.triggered_sends if send.key == "welcome-email")
    assert status.value == "Throttled" and not status.recognised


# -- what the retrieve lacks --------------------------------------------------------------------------

def test_a_missing_type_folder_leaves_its_section_null_and_its_rules_unknown(project: Path, tmp_path: Path) -> None:
    for unit in (PARENT, RETAIL):
        shutil.rmtree(project / unit / "journey")
    imported = import_mcdev(project)
    assert imported.marketing_cloud is not None and imported.marketing_cloud.journeys is None
    assert imported.marketing_cloud.triggered_sends is not None
    run = imported.collection.collectors[0] if imported.collection else None
    assert run is not None and run.status is CollectorStatus.partial
    assert run.failed_sections == ["marketing_cloud.journeys"]

    output = tmp_path / "no-journeys.yaml"
    assert run_cli("import", "mcdev", project, "-o", output).returncode == 0
    done = run_cli("audit", output, "--format", "json")
    findings = json.loads(done.stdout)["results"][0]["findings"]
    about_journeys = [finding for finding in findings if "marketing_cloud.journeys" in finding["message"]]
    assert about_journeys
    assert {finding["status"] for finding in about_journeys} == {"unknown"}


def test_without_business_units_listing_the_units_are_not_collected(project: Path) -> None:
    shutil.rmtree(project / "businessUnits")
    side = import_mcdev(project).marketing_cloud
    assert side is not None and side.business_units is None
    assert side.mid == 600000001  # from .mcdevrc.json's _ParentBU_
    assert side.triggered_sends is not None and {send.business_unit_mid for send in side.triggered_sends} == {600000001}


def test_users_and_roles_are_read_from_the_parent_business_unit_only(project: Path) -> None:
    shutil.rmtree(project / PARENT / "user")
    shutil.rmtree(project / PARENT / "role")
    side = import_mcdev(project).marketing_cloud
    assert side is not None and side.users is None and side.roles is None


# -- malformed folders: one line naming the file, exit 2 ---------------------------------------------

USER = PARENT / "user" / "mcc-api-user.user-meta.json"
SEND = PARENT / "triggeredSend" / "welcome-email.triggeredSend-meta.json"
JOURNEY = PARENT / "journey" / "contact-onboarding.journey-meta.json"


def _write(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")


def _replace_with_file(folder: Path) -> None:
    shutil.rmtree(folder)
    _write(folder, "x")


BREAKAGES: dict[str, tuple[Any, str]] = {
    "not JSON": (lambda root: _write(root / USER, '{"UserID": "x",'), str(USER)),
    "empty file": (lambda root: _write(root / SEND, ""), str(SEND)),
    "a list, not an object": (lambda root: _write(root / SEND, "[1, 2]"), str(SEND)),
    "wrong field type": (lambda root: edit(root / USER, lambda d: {**d, "ActiveFlag": "yes"}), "ActiveFlag"),
    "missing status": (lambda root: edit(root / SEND, lambda d: {k: v for k, v in d.items()
                                                                 if k != "TriggeredSendStatus"}),
                       "TriggeredSendStatus"),
    "blank status": (lambda root: edit(root / SEND, lambda d: {**d, "TriggeredSendStatus": "  "}),
                     "TriggeredSendStatus"),
    "roles not a list": (lambda root: edit(root / USER, lambda d: {**d, "c__RoleNamesGlobal": "Administrator"}),
                         "c__RoleNamesGlobal"),
    "business unit not a number": (lambda root: edit(root / USER, lambda d: {**d, "c__AssociatedBusinessUnits":
                                                                              [{"ID": 1}]}),
                                   "c__AssociatedBusinessUnits[0]"),
    "triggers an object": (lambda root: edit(root / JOURNEY, lambda d: {**d, "triggers": {"type": "x"}}),
                           "triggers"),
    "trigger metaData a list": (lambda root: edit(root / JOURNEY, lambda d: {
        **d, "triggers": [{"type": "APIEvent", "metaData": ["x"]}]}), "triggers[0].metaData"),
    "journey version 0": (lambda root: edit(root / JOURNEY, lambda d: {**d, "version": 0}), "version"),
    "business units an object": (lambda root: _write(root / "businessUnits" / "initrode.businessUnits.json", "{}"),
                                 "initrode.businessUnits.json"),
    "business unit without ID": (lambda root: _write(root / "businessUnits" / "initrode.businessUnits.json",
                                                     '[{"Name": "x"}]'), "[0].ID"),
    "mcdevrc units a list": (lambda root: edit(root / ".mcdevrc.json", lambda d: {
        "credentials": {"initrode": {"businessUnits": [600000001]}}}), ".mcdevrc.json"),
    "type folder is a file": (lambda root: _replace_with_file(root / PARENT / "role"), "role"),
    "file is a folder": (lambda root: (root / PARENT / "role" / "x.role-meta.json").mkdir(), "x.role-meta.json"),
    "several credentials": (lambda root: (root / "retrieve" / "other").mkdir(), "retrieve"),
}


@pytest.mark.parametrize("breakage", sorted(BREAKAGES))
def test_a_malformed_folder_is_one_line_naming_the_file(project: Path, tmp_path: Path, breakage: str) -> None:
    breaks, named = BREAKAGES[breakage]
    breaks(project)
    with pytest.raises(InputError):
        import_mcdev(project)
    line = one_line_error(run_cli("import", "mcdev", project, "-o", tmp_path / "out.yaml"))
    assert named in line
    assert not (tmp_path / "out.yaml").exists()


@pytest.mark.parametrize("layout", ["empty", "unrelated", "a file", "missing", "one business unit"])
def test_a_folder_that_is_not_a_devtools_retrieve(tmp_path: Path, layout: str) -> None:
    path = tmp_path / "given"
    if layout == "empty":
        path.mkdir()
    elif layout == "unrelated":
        (path / "src" / "lib").mkdir(parents=True)
    elif layout == "a file":
        path.write_text("{}", encoding="utf-8")
    elif layout == "one business unit":
        path = Path(shutil.copytree(MCDEV, tmp_path / "copy")) / PARENT
    line = one_line_error(run_cli("import", "mcdev", path, "-o", tmp_path / "out.yaml"))
    assert str(path) in line


def test_the_output_must_be_a_snapshot_file_outside_the_input(project: Path, tmp_path: Path) -> None:
    assert ".yaml, .yml or .json" in one_line_error(run_cli("import", "mcdev", project, "-o", tmp_path / "s.txt"))
    assert "never writes over" in one_line_error(run_cli("import", "mcdev", project, "-o", project / "s.yaml"))
    assert "-o" in run_cli("import", "mcdev", project).stderr  # required


def test_every_fact_names_its_devtools_source() -> None:
    assert SOURCES and all(source.strip() for source in SOURCES.values())
