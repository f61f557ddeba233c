"""`mcaudit preflight` through the real CLI: GO / NO-GO, the impact, and the runbook's order."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ..conftest import run_cli
from .conftest import edited_sample, run_json, sample, statuses

LIVE_ASSETS = {  # what samples/rotation/live.yaml has running: kind -> keys
    "triggered_send": {"welcome-email", "order-receipt"},
    "journey": {"onboarding-journey", "lead-nurture"},
    "scheduled_send": {"a0B5g00000NovNewsAAA", "a0B5g00000SvcUpdtAAA"},
}
ALREADY_PAUSED = ("legacy-promo", "Legacy promo", "renewal-reminders", "Renewal reminders",
                  "a0B5g00000BlkFriTAAA", "Black Friday teaser")
NOT_AFFECTED = ("order-api-journey", "Order confirmation (API)", "monthly-audience", "Monthly audience")
PHASES = ("pause", "rotate", "reauthenticate", "restore", "verify")


def _steps(result: dict[str, Any], phase: str) -> list[dict[str, Any]]:
    return [step for step in result["runbook"]["steps"] if step["phase"] == phase]


def _assets(steps: list[dict[str, Any]]) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for step in steps:
        if step["asset_key"]:
            found.setdefault(step["asset_kind"], set()).add(step["asset_key"])
    return found


def test_fully_paused_org_is_go() -> None:
    done, result = run_json("preflight", sample("paused"))
    assert done.returncode == 0, done.stderr
    assert (result["decision"], result["verdict"]) == ("GO", "pass")
    assert {f["rule_id"] for f in result["findings"]} == {"RT300", "RT301", "RT302", "RT303", "RT304", "RT305"}
    assert _assets(result["runbook"]["steps"]) == {}
    assert _steps(result, "pause")[0]["action"].startswith("Nothing to pause")
    assert _steps(result, "restore")[0]["action"].startswith("Nothing to restore")
    assert any("quiet time window alone is not a substitute" in note for note in result["runbook"]["notes"])


def test_go_console_leads_with_the_decision() -> None:
    done = run_cli("preflight", sample("paused"), "--no-color")
    assert done.returncode == 0
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    assert lines[2].startswith(" GO "), done.stdout


def test_live_assets_are_no_go_and_each_is_paused_then_restored() -> None:
    done, result = run_json("preflight", sample("live"))
    assert done.returncode == 1
    assert result["decision"] == "NO-GO"
    failing = {(f["rule_id"], f["subject"]) for f in result["findings"] if f["status"] == "fail"}
    assert {rule_id for rule_id, _ in failing} == {"RT301", "RT302", "RT303", "RT305"}
    assert len(failing) == 8  # six assets to pause, and the two journey versions whose ejection is not acknowledged
    assert _assets(_steps(result, "pause")) == LIVE_ASSETS
    assert _assets(_steps(result, "restore")) == LIVE_ASSETS  # exactly what was paused, nothing more


def test_runbook_order_is_pause_rotate_reauthenticate_restore_verify() -> None:
    _, result = run_json("preflight", sample("live"))
    steps = result["runbook"]["steps"]
    assert [step["number"] for step in steps] == list(range(1, len(steps) + 1))
    phases = [step["phase"] for step in steps]
    assert sorted(phases, key=PHASES.index) == phases  # every pause before the rotation, and so on
    assert set(phases) == set(PHASES)
    assert phases.count("rotate") == 1 and phases.count("reauthenticate") == 1
    verify = _steps(result, "verify")[-1]["action"]
    assert f"mcaudit verify {sample('live')} AFTER.yaml" in verify


def test_journey_stop_says_it_ejects_contacts_with_the_population() -> None:
    _, result = run_json("preflight", sample("live"))
    notes = {step["asset_key"]: step["note"] for step in _steps(result, "pause") if step["asset_kind"] == "journey"}
    assert "ejects every contact" in notes["onboarding-journey"]
    assert "1,204 contacts in flight" in notes["onboarding-journey"]
    assert "no population" in notes["lead-nurture"]  # unknown population is said, not guessed


def test_impact_counts_and_names_what_would_fail() -> None:
    _, result = run_json("preflight", sample("live"))
    impact = "\n".join(result["runbook"]["impact"])
    for text in ("2 triggered sends would fail", "'Welcome email'", "'Order receipt'",
                 "2 journey versions would stop", "'Onboarding' version 3", "1,204 in flight",
                 "2 CRM-initiated sends would stop", "'November newsletter'", "in progress"):
        assert text in impact


def test_console_shows_decision_impact_runbook_and_notes_in_that_order() -> None:
    done = run_cli("preflight", sample("live"), "--no-color")
    assert done.returncode == 1
    out = done.stdout
    marks = [out.index(" NO-GO "), out.index("Anticipated impact if rotated now"), out.index("Runbook"),
             out.index("Notes"), out.index("quiet time window alone is not a substitute")]
    assert marks == sorted(marks)
    order = [out.index(text) for text in ("1. [pause] Pause triggered send 'Welcome email'",
                                          "[pause] Stop journey 'Onboarding' version 3",
                                          "[pause] Pause CRM send 'Service update'",
                                          "[rotate]", "[reauthenticate]",
                                          "[restore] Activate triggered send 'Welcome email'",
                                          "[restore] Resume CRM send 'Service update'",
                                          "[verify] Run `mcaudit verify")]
    assert order == sorted(order)


@pytest.mark.parametrize("name", ["live", "paused"])
def test_assets_already_paused_or_not_affected_are_not_listed(name: str) -> None:
    done, result = run_json("preflight", sample(name))
    listed = "\n".join([*result["runbook"]["impact"], *(s["action"] for s in result["runbook"]["steps"])])
    for text in (*ALREADY_PAUSED, *NOT_AFFECTED):
        assert text not in listed
    console = run_cli("preflight", sample(name), "--no-color", "--verbose").stdout
    for text in NOT_AFFECTED:  # API-event and audience journeys appear nowhere, not even as a pass
        assert text not in console
        assert text not in done.stdout
    assert any("other entry sources (API events, audiences)" in note for note in result["runbook"]["notes"])


def test_missing_triggered_sends_section_is_no_go_with_the_reason() -> None:
    done, result = run_json("preflight", sample("missing-sends"))
    assert done.returncode == 1
    assert result["decision"] == "NO-GO"
    rt300 = next(f for f in result["findings"] if f["rule_id"] == "RT300")
    assert rt300["status"] == "fail"
    assert "marketing_cloud.triggered_sends" in rt300["message"] and "not collected" in rt300["message"]
    assert any("Insufficient privileges" in line for line in rt300["evidence"])
    assert statuses(result, "RT301") == {"snapshot": "unknown"}
    assert "Triggered send definitions were not collected" in _steps(result, "pause")[0]["action"]
    console = run_cli("preflight", sample("missing-sends"), "--no-color").stdout
    assert "the snapshot lacks triggered send definitions" in console


def test_unproven_is_never_go(tmp_path: Path) -> None:
    """A running journey whose entry source was not collected, and an unattested integration status."""
    def edit(document: dict[str, Any]) -> None:
        document["marketing_cloud"]["journeys"].append({"key": "mystery", "version": 1, "status": "Published"})
        document["attestations"] = [a for a in document["attestations"]
                                    if a["fact"] != "marketing_cloud.api_user.salesforce_status"]

    path = edited_sample("paused", tmp_path / "unproven.yaml", edit)
    done, result = run_json("preflight", path, "--fail-on", "high")
    assert done.returncode == 1
    assert result["decision"] == "NO-GO"
    assert statuses(result, "RT302")["journey version 1 (key mystery)"] == "unknown"
    assert statuses(result, "RT304") == {"MCC connection": "manual"}
    assert "mystery" in _assets(_steps(result, "pause"))["journey"]  # listed to check by hand


def test_unhealthy_connection_is_no_go(tmp_path: Path) -> None:
    def edit(document: dict[str, Any]) -> None:
        document["salesforce"]["mcc_connector"]["connected"] = False

    done, result = run_json("preflight", edited_sample("paused", tmp_path / "down.yaml", edit))
    assert done.returncode == 1
    rt304 = next(f for f in result["findings"] if f["rule_id"] == "RT304")
    assert rt304["status"] == "fail" and "MC211" in rt304["message"]


@pytest.mark.parametrize("value", ["never", "critical"])
def test_fail_on_that_would_let_a_check_through_is_refused(value: str) -> None:
    done = run_cli("preflight", sample("live"), "--fail-on", value)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "a preflight blocks on every RT check" in done.stderr


def test_select_that_leaves_no_preflight_rule_is_refused() -> None:
    done = run_cli("preflight", sample("live"), "--select", "SF111")
    assert done.returncode == 2
    assert "no preflight rule" in done.stderr


def test_audit_does_not_run_rotation_rules() -> None:
    _, result = run_json("audit", sample("live"))
    assert not any(f["rule_id"].startswith(("RT", "PV")) for f in result["findings"])
    assert result["runbook"] is None and result["decision"] is None


@pytest.mark.parametrize("fmt", ["markdown", "html", "sarif", "junit"])
def test_other_formats_render_a_preflight(fmt: str) -> None:
    done = run_cli("preflight", sample("live"), "--format", fmt)
    assert done.returncode == 1, done.stderr
    assert "Welcome email" in done.stdout


@pytest.mark.parametrize(("source", "said"), [
    ("declared", "(declared in the snapshot)"),
    ("option", "(given with --sf-system-user)"),
    ("inferred", "(inferred "),
])
def test_runbook_says_how_the_system_user_is_known(source: str, said: str, tmp_path: Path) -> None:
    """No API names the System User, so the step that has that person log in says where the name came from."""
    def edit(document: dict) -> None:
        document["salesforce"]["mcc_connector"]["system_user_source"] = source

    _, result = run_json("preflight", edited_sample("live", tmp_path / "live", edit))
    [step] = _steps(result, "reauthenticate")
    assert "mcc.system@" in step["action"] and said in step["action"], step["action"]
    assert source != "inferred" or "confirm" in step["action"]
