"""Journey versions that are not running yet can start by themselves during a rotation: a Paused
version resumes when its pause ends, a ScheduledToPublish one goes live at its scheduled time.
Through the real CLI: the preflight says NO-GO and the runbook names them in its pause and restore
steps, `--save-plan` keeps their status, and `verify` checks that each is back in a state that counts.
A status mcaudit does not know is never read as quiet.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ..conftest import run_cli
from .conftest import edited_sample, run_json, sample, statuses

LEAD_NURTURE = "journey 'Lead nurture' version 1 (key lead-nurture)"
LEAD_NURTURE_JOURNEY = "journey 'Lead nurture' (key lead-nurture)"
# samples/rotation/after-restored.yaml: [2] lead-nurture version 1 (Stopped), [7] version 2 (Published)
AFTER_V1, AFTER_V2 = 2, 7


def _steps(result: dict[str, Any], phase: str, key: str) -> list[dict[str, Any]]:
    return [step for step in result["runbook"]["steps"] if step["phase"] == phase and step["asset_key"] == key]


def _scheduled(document: dict[str, Any]) -> None:
    document["marketing_cloud"]["journeys"][2]["status"] = "ScheduledToPublish"


def _after(tmp_path: Path, name: str, status: str | None, keep_v2: bool) -> Path:
    """after-restored.yaml with lead-nurture version 1 in `status` (None: as it is), with or without version 2."""
    def edit(document: dict[str, Any]) -> None:
        journeys = document["marketing_cloud"]["journeys"]
        if status is not None:
            journeys[AFTER_V1]["status"] = status
        if not keep_v2:
            del journeys[AFTER_V2]

    return edited_sample("after-restored", tmp_path / f"{name}.yaml", edit)


def test_the_only_live_salesforce_data_version_paused_is_no_go() -> None:
    done, result = run_json("preflight", sample("paused-journey"))
    assert done.returncode == 1, done.stderr
    assert result["decision"] == "NO-GO"
    assert {subject for subject, status in statuses(result, "RT302").items() if status != "pass"} == {LEAD_NURTURE}
    assert statuses(result, "RT302")[LEAD_NURTURE] == "fail"
    for rule_id in ("RT300", "RT301", "RT303", "RT304"):
        assert set(statuses(result, rule_id).values()) == {"pass"}, rule_id
    rt302 = next(f for f in result["findings"] if f["subject"] == LEAD_NURTURE)
    assert any("resumes by itself when its pause ends: stop it, or confirm the pause outlasts the rotation" in line
               for line in rt302["evidence"])
    [pause] = _steps(result, "pause", "lead-nurture")
    assert "is Paused: it resumes by itself when its pause ends" in pause["action"]
    assert "Stop it in Journey Builder, or confirm its pause ends after the rotation" in pause["action"]
    assert "87 contacts in flight" in pause["note"]
    [restore] = _steps(result, "restore", "lead-nurture")
    assert "which was Paused, back as you chose" in restore["action"]
    assert "stays Paused until its pause ends (or resume it now)" in restore["action"]
    assert "if you stopped it, create a new version" in restore["action"]
    impact = "\n".join(result["runbook"]["impact"])
    assert "'Lead nurture' version 1 (key lead-nurture), Paused: resumes by itself when its pause ends" in impact


def test_the_only_live_salesforce_data_version_scheduled_is_no_go(tmp_path: Path) -> None:
    path = edited_sample("paused-journey", tmp_path / "scheduled.yaml", _scheduled)
    done, result = run_json("preflight", path)
    assert done.returncode == 1, done.stderr
    assert result["decision"] == "NO-GO"
    assert statuses(result, "RT302")[LEAD_NURTURE] == "fail"
    [pause] = _steps(result, "pause", "lead-nurture")
    assert "is ScheduledToPublish: it goes live at its scheduled time" in pause["action"]
    assert "Unschedule it in Journey Builder, or confirm its schedule falls after the rotation" in pause["action"]
    assert "scheduled time" in pause["note"]
    [restore] = _steps(result, "restore", "lead-nurture")
    assert "Schedule journey 'Lead nurture' version 1 (key lead-nurture) to publish again" in restore["action"]


def test_console_runbook_names_the_paused_version_in_pause_and_restore() -> None:
    done = run_cli("preflight", sample("paused-journey"), "--no-color")
    assert done.returncode == 1
    out = " ".join(done.stdout.split())
    order = [out.index(text) for text in (
        " NO-GO ", "[pause] Journey 'Lead nurture' version 1 (key lead-nurture) is Paused", "[rotate]",
        "[restore] Put journey 'Lead nurture' version 1 (key lead-nurture), which was Paused", "[verify]")]
    assert order == sorted(order)


def test_an_unpublished_version_is_finishing_and_not_an_asset(tmp_path: Path) -> None:
    def edit(document: dict[str, Any]) -> None:
        document["marketing_cloud"]["journeys"][2]["status"] = "Unpublished"

    done, result = run_json("preflight", edited_sample("paused-journey", tmp_path / "finishing.yaml", edit))
    assert done.returncode == 0, done.stdout
    assert result["decision"] == "GO"
    assert not _steps(result, "pause", "lead-nurture")


@pytest.fixture(scope="module")
def paused_plan(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("paused") / "plan.json"
    done = run_cli("preflight", sample("paused-journey"), "--save-plan", path)
    assert done.returncode == 1
    return path


def test_the_plan_keeps_the_paused_version_with_its_status(paused_plan: Path) -> None:
    restore = json.loads(paused_plan.read_text(encoding="utf-8"))["restore"]
    assert restore["journeys"] == [{"key": "lead-nurture", "name": "Lead nurture", "version": 1, "population": 87,
                                    "entry_source": "SalesforceObjectTrigger", "status": "Paused"}]
    assert restore["triggered_sends"] == [] and restore["scheduled_sends"] == []


@pytest.mark.parametrize(("status", "keep_v2", "exit_code", "pv403", "message", "now"), [
    ("Paused", False, 0, "pass", "version 1 was Paused before the rotation; version 1 is Paused now",
     "now: version 1 Paused"),
    (None, True, 0, "pass", "version 1 was Paused before the rotation; version 2 is running now",
     "now: version 1 Stopped, version 2 Published"),
    ("Published", False, 0, "pass", "version 1 is running now", "now: version 1 Published"),
    (None, False, 1, "fail", "no version of it is Paused or running now", "now: version 1 Stopped"),
], ids=["still-paused", "stopped-and-new-version", "resumed", "stopped"])
def test_verify_with_the_plan_checks_the_paused_version(paused_plan: Path, tmp_path: Path, status: str | None,
                                                         keep_v2: bool, exit_code: int, pv403: str, message: str,
                                                         now: str) -> None:
    after = _after(tmp_path, "after", status, keep_v2)
    done, result = run_json("verify", "--plan", paused_plan, after)
    assert done.returncode == exit_code, done.stdout
    assert statuses(result, "PV403") == {LEAD_NURTURE_JOURNEY: pv403}
    [finding] = [f for f in result["findings"] if f["rule_id"] == "PV403"]
    assert message in finding["message"]
    assert f"before: version 1 Paused (in the plan {paused_plan})" in finding["evidence"]
    assert now in finding["evidence"]


@pytest.mark.parametrize(("status", "exit_code", "pv403"), [
    ("Published", 0, "pass"), ("ScheduledToPublish", 0, "pass"), ("Draft", 1, "fail"), ("Stopped", 1, "fail"),
])
def test_save_plan_then_verify_checks_the_scheduled_version(tmp_path: Path, status: str, exit_code: int,
                                                           pv403: str) -> None:
    before = edited_sample("paused-journey", tmp_path / "scheduled.yaml", _scheduled)
    plan = tmp_path / "plan.json"
    assert run_cli("preflight", before, "--save-plan", plan).returncode == 1
    assert [item["status"] for item in json.loads(plan.read_text(encoding="utf-8"))["restore"]["journeys"]] == [
        "ScheduledToPublish"]
    done, result = run_json("verify", "--plan", plan, _after(tmp_path, "after", status, keep_v2=False))
    assert done.returncode == exit_code, done.stdout
    assert statuses(result, "PV403") == {LEAD_NURTURE_JOURNEY: pv403}
    [finding] = [f for f in result["findings"] if f["rule_id"] == "PV403"]
    assert "version 1 was ScheduledToPublish before the rotation" in finding["message"]
    assert f"now: version 1 {status}" in finding["evidence"]


def test_verify_with_the_before_snapshot_checks_the_paused_version_too(tmp_path: Path) -> None:
    done, result = run_json("verify", sample("paused-journey"), _after(tmp_path, "after", None, keep_v2=False))
    assert done.returncode == 1
    assert statuses(result, "PV403") == {LEAD_NURTURE_JOURNEY: "fail"}


Edit = Callable[[dict[str, Any]], None]


def _unknown_journey_status(document: dict[str, Any]) -> None:
    document["marketing_cloud"]["journeys"][2]["status"] = "Suspended"


def _unknown_send_status(document: dict[str, Any]) -> None:
    document["marketing_cloud"]["journeys"][2]["status"] = "Stopped"
    document["marketing_cloud"]["triggered_sends"].append({"key": "odd", "name": "Odd", "status": "Running"})


def _unknown_crm_status(document: dict[str, Any]) -> None:
    document["marketing_cloud"]["journeys"][2]["status"] = "Stopped"
    document["salesforce"]["scheduled_sends"].append({"id": "a0Bodd", "name": "Odd", "status": "unknown",
                                                      "status_value": ""})


@pytest.mark.parametrize(("edit", "rule_id", "kind", "key", "named"), [
    (_unknown_journey_status, "RT302", "journey", "lead-nurture", "'Suspended'"),
    (_unknown_send_status, "RT301", "triggered_send", "odd", "'Running'"),
    (_unknown_crm_status, "RT303", "scheduled_send", "a0Bodd", "an empty status"),
], ids=["journey", "triggered-send", "crm-send"])
def test_a_status_mcaudit_does_not_know_is_no_go_and_checked_by_hand(tmp_path: Path, edit: Edit, rule_id: str,
                                                                     kind: str, key: str, named: str) -> None:
    plan = tmp_path / "plan.json"
    done, result = run_json("preflight", edited_sample("paused-journey", tmp_path / "odd.yaml", edit),
                            "--save-plan", plan, "--ack-eject")  # RT305 acknowledged: only the unknown is left
    assert done.returncode == 1
    assert result["decision"] == "NO-GO"
    unknown = [f for f in result["findings"] if f["status"] != "pass"]
    assert [(f["rule_id"], f["status"]) for f in unknown] == [(rule_id, "unknown")]
    assert named in unknown[0]["message"]
    [pause] = _steps(result, "pause", key)
    assert pause["asset_kind"] == kind and pause["action"].startswith("Check ") and named in pause["action"]
    assert _steps(result, "restore", key)[0]["action"].startswith("If you ")
    # the plan keeps it; afterwards (not running again, or not found) verify cannot tell whether it is back
    done, result = run_json("verify", "--plan", plan, _after(tmp_path, "after", None, keep_v2=False))
    assert done.returncode == 1
    [after] = [f for f in result["findings"] if f["status"] != "pass" and f["rule_id"] in {"PV402", "PV403", "PV404"}]
    assert after["status"] == "unknown" and named in after["message"]
