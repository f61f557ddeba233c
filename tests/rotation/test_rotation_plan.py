"""The saved plan: `preflight --save-plan` then `verify --plan`, and hostile plan files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ..conftest import run_cli
from .conftest import edited_sample, run_json, sample


@pytest.fixture(scope="module")
def plan_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("plan") / "plan.json"
    done = run_cli("preflight", sample("live"), "--save-plan", path, "--no-color")
    assert done.returncode == 1  # NO-GO, and the plan is written all the same: it is the restore list
    assert f"wrote the rotation plan to {path}" in done.stderr
    return path


def _plan(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def test_plan_records_what_was_running_and_where_it_came_from(plan_file: Path) -> None:
    plan = _plan(plan_file)
    assert (plan["format"], plan["plan_version"], plan["decision"]) == ("mcaudit-rotation-plan", 2, "NO-GO")
    assert plan["snapshot"]["collected_at"] == "2026-11-21T07:00:00Z"
    assert plan["snapshot"]["org_id"] == "00D5g000004AcmeEAC" and len(plan["snapshot"]["sha256"]) == 64
    assert plan["created_at"].endswith("Z")
    restore = plan["restore"]
    assert [(item["key"], item["status"]) for item in restore["triggered_sends"]] == [
        ("welcome-email", "Active"), ("order-receipt", "Active")]
    assert [(item["key"], item["version"], item["status"]) for item in restore["journeys"]] == [
        ("onboarding-journey", 3, "Published"), ("lead-nurture", 1, "Published")]
    assert [(item["id"], item["status"]) for item in restore["scheduled_sends"]] == [
        ("a0B5g00000NovNewsAAA", "scheduled"), ("a0B5g00000SvcUpdtAAA", "in_progress")]
    phases = [step["phase"] for step in plan["runbook"]["steps"]]
    assert phases[0] == "pause" and phases[-1] == "verify"
    assert "--plan" in plan["runbook"]["steps"][-1]["action"]


def test_verify_with_the_plan_everything_back(plan_file: Path) -> None:
    done, result = run_json("verify", "--plan", plan_file, sample("after-restored"))
    assert done.returncode == 0, done.stderr
    assert result["verdict"] == "pass"


def test_verify_with_the_plan_names_what_did_not_come_back(plan_file: Path) -> None:
    done, result = run_json("verify", "--plan", plan_file, sample("after-partial"))
    assert done.returncode == 1
    failing = {(f["rule_id"], f["subject"]) for f in result["findings"] if f["status"] == "fail"}
    assert failing == {
        ("PV402", "triggered send 'Order receipt' (key order-receipt)"),
        ("PV403", "journey 'Lead nurture' (key lead-nurture)"),
        ("PV406", "Individual Email Results (IER) sync"),
    }


def test_a_plan_without_a_section_leaves_it_unknown(tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    assert run_cli("preflight", sample("missing-sends"), "--save-plan", path).returncode == 1
    assert _plan(path)["restore"]["triggered_sends"] is None
    done, result = run_json("verify", "--plan", path, sample("after-restored"))
    assert done.returncode == 1
    pv402 = [f for f in result["findings"] if f["rule_id"] == "PV402"]
    assert [f["status"] for f in pv402] == ["unknown"]
    assert "marketing_cloud.triggered_sends" in pv402[0]["message"]


def test_a_version_1_plan_without_statuses_still_verifies(plan_file: Path, tmp_path: Path) -> None:
    """Plans written before statuses were recorded list only running assets: read as Active / Published."""
    old = _plan(plan_file)
    old["plan_version"] = 1
    for kind in ("triggered_sends", "journeys"):
        for item in old["restore"][kind]:
            del item["status"]
    for item in old["restore"]["scheduled_sends"]:
        del item["status_value"]
    path = tmp_path / "v1.json"
    path.write_text(json.dumps(old), encoding="utf-8")
    done, result = run_json("verify", "--plan", path, sample("after-partial"))
    assert done.returncode == 1
    failing = {(f["rule_id"], f["subject"]) for f in result["findings"] if f["status"] == "fail"}
    assert ("PV403", "journey 'Lead nurture' (key lead-nurture)") in failing
    pv403 = next(f for f in result["findings"] if f["subject"] == "journey 'Lead nurture' (key lead-nurture)")
    assert f"before: version 1 Published (in the plan {path})" in pv403["evidence"]


@pytest.mark.parametrize("field", ["name", "status"])
def test_a_snapshot_value_a_plan_cannot_hold_is_one_line_and_exit_2(tmp_path: Path, field: str) -> None:
    def edit(document: dict[str, Any]) -> None:
        document["marketing_cloud"]["journeys"][1][field] = "Odd\x1b[31m"

    done = run_cli("preflight", edited_sample("live", tmp_path / "control.yaml", edit), "--save-plan",
                   tmp_path / "plan.json")
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith("mcaudit: error: ") and done.stderr.count("\n") == 1, done.stderr
    assert "cannot save the plan" in done.stderr and "control characters" in done.stderr
    assert "\x1b" not in done.stderr and not (tmp_path / "plan.json").exists()


def _valid(plan_file: Path) -> dict[str, Any]:
    return _plan(plan_file)


def _hostile(plan_file: Path, tmp_path: Path, name: str) -> Path:
    target = tmp_path / "hostile.json"
    good = _valid(plan_file)
    if name == "not json":
        target.write_text("{ this is not json", encoding="utf-8")
    elif name == "a list":
        target.write_text("[1, 2, 3]", encoding="utf-8")
    elif name == "not a plan":
        target.write_text(json.dumps({"schema_version": 1, "collected_at": "2026-11-21"}), encoding="utf-8")
    elif name == "escape sequences in a key":
        good["restore"]["triggered_sends"][0]["key"] = "\x1b[2J\x1b[31mowned"
        target.write_text(json.dumps(good), encoding="utf-8")
    elif name == "unknown field":
        good["restore"]["__class__"] = "os.system"
        target.write_text(json.dumps(good), encoding="utf-8")
    elif name == "wrong type":
        good["restore"]["journeys"][0]["version"] = "3; rm -rf /"
        target.write_text(json.dumps(good), encoding="utf-8")
    elif name == "a stopped journey to restore":
        good["restore"]["journeys"][0]["status"] = "Stopped"
        target.write_text(json.dumps(good), encoding="utf-8")
    elif name == "an inactive send to restore":
        good["restore"]["triggered_sends"][0]["status"] = "Inactive"
        target.write_text(json.dumps(good), encoding="utf-8")
    elif name == "newer version":
        good["plan_version"] = 99
        target.write_text(json.dumps(good), encoding="utf-8")
    elif name == "duplicate keys":
        target.write_text('{"format": "mcaudit-rotation-plan", "format": "x"}', encoding="utf-8")
    elif name == "deep nesting":
        target.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    elif name == "NaN":
        target.write_text(json.dumps(good).replace('"population": 1204', '"population": NaN'), encoding="utf-8")
    elif name == "binary":
        target.write_bytes(b"\xff\xfe\x00\x00garbage")
    elif name == "too big":
        target.write_text(" " * (2 * 2**20) + "{}", encoding="utf-8")
    return target


HOSTILE = ["not json", "a list", "not a plan", "escape sequences in a key", "unknown field", "wrong type",
           "a stopped journey to restore", "an inactive send to restore", "newer version", "duplicate keys",
           "deep nesting", "NaN", "binary", "too big"]


@pytest.mark.parametrize("name", HOSTILE)
def test_a_hostile_plan_is_one_line_and_exit_2(plan_file: Path, tmp_path: Path, name: str) -> None:
    path = _hostile(plan_file, tmp_path, name)
    done = run_cli("verify", "--plan", path, sample("after-restored"), "--max-snapshot-size", "1")
    assert done.returncode == 2, done.stdout
    assert done.stdout == ""
    assert done.stderr.startswith("mcaudit: error: ") and done.stderr.count("\n") == 1, done.stderr
    assert "Traceback" not in done.stderr and "\x1b" not in done.stderr
    assert str(path) in done.stderr  # names the file


def test_a_missing_plan_file_is_exit_2(tmp_path: Path) -> None:
    done = run_cli("verify", "--plan", tmp_path / "nope.json", sample("after-restored"))
    assert done.returncode == 2 and "no such plan file" in done.stderr
