"""`mcaudit verify` through the real CLI: BEFORE AFTER, --plan PLAN AFTER, and --rotated-at."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ..conftest import run_cli
from .conftest import edited_sample, run_json, sample, statuses

PV_RULES = {"PV401", "PV402", "PV403", "PV404", "PV405", "PV406"}


def _failing(result: dict[str, Any]) -> set[tuple[str, str]]:
    return {(f["rule_id"], f["subject"]) for f in result["findings"] if f["status"] == "fail"}


def test_everything_came_back() -> None:
    done, result = run_json("verify", sample("live"), sample("after-restored"))
    assert done.returncode == 0, done.stderr
    assert result["verdict"] == "pass"
    assert {f["rule_id"] for f in result["findings"]} == PV_RULES
    assert statuses(result, "PV402") == {"triggered send 'Welcome email' (key welcome-email)": "pass",
                                         "triggered send 'Order receipt' (key order-receipt)": "pass"}
    assert statuses(result, "PV403") == {"journey 'Onboarding' (key onboarding-journey)": "pass",
                                         "journey 'Lead nurture' (key lead-nurture)": "pass"}
    assert set(statuses(result, "PV404").values()) == {"pass"} and len(statuses(result, "PV404")) == 2


def test_a_newer_published_version_counts_as_running_again() -> None:
    _, result = run_json("verify", sample("live"), sample("after-restored"))
    onboarding = next(f for f in result["findings"] if f["subject"] == "journey 'Onboarding' (key onboarding-journey)")
    assert "version 3 ran before the rotation; version 4 is running now" in onboarding["message"]


def test_assets_paused_before_the_preflight_are_not_expected_back() -> None:
    _, result = run_json("verify", sample("live"), sample("after-restored"))
    subjects = "\n".join(f["subject"] for f in result["findings"])
    for text in ("Legacy promo", "Renewal reminders", "Black Friday teaser", "Order confirmation (API)"):
        assert text not in subjects


def test_one_send_and_one_journey_still_paused_and_ier_not_run() -> None:
    done, result = run_json("verify", sample("live"), sample("after-partial"))
    assert done.returncode == 1
    assert _failing(result) == {
        ("PV402", "triggered send 'Order receipt' (key order-receipt)"),
        ("PV403", "journey 'Lead nurture' (key lead-nurture)"),
        ("PV406", "Individual Email Results (IER) sync"),
    }
    ier = next(f for f in result["findings"] if f["rule_id"] == "PV406")
    assert "2026-11-21T06:45:00Z, before the rotation time 2026-11-21T07:00:00Z" in ier["message"]
    console = run_cli("verify", sample("live"), sample("after-partial"), "--no-color").stdout
    for text in ("'Order receipt' (key order-receipt) was Active before the rotation and is not Active now",
                 "'Lead nurture' (key lead-nurture): version 1 ran before the rotation, and no version of it is "
                 "running now", "Individual Email Results (IER) sync last succeeded at"):
        assert text in " ".join(console.split())


def test_rotated_at_sets_the_time_syncs_are_measured_from() -> None:
    done, result = run_json("verify", sample("live"), sample("after-restored"), "--rotated-at", "2026-11-21T08:00Z")
    assert done.returncode == 0
    assert "given with --rotated-at" in "\n".join(f["message"] for f in result["findings"] if f["rule_id"] == "PV405"
                                                  ) + "\n".join(e for f in result["findings"] for e in f["evidence"])
    done, result = run_json("verify", sample("live"), sample("after-restored"), "--rotated-at", "2026-11-21T09:11:00Z")
    assert done.returncode == 1
    assert _failing(result) == {("PV405", "Synchronized Data Extension Contact")}  # 09:10 < 09:11, Lead 09:12 ok


@pytest.mark.parametrize(("args", "message"), [
    (["--rotated-at", "2026-11-21T10:00Z"], "after the AFTER snapshot was collected"),
    (["--rotated-at", "2026-11-20T10:00Z"], "BEFORE must show the state before the rotation"),
    (["--rotated-at", "yesterday"], "expected an ISO 8601 time"),
])
def test_impossible_rotation_times_are_refused(args: list[str], message: str) -> None:
    done = run_cli("verify", sample("live"), sample("after-restored"), *args)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and message in done.stderr


def test_swapped_snapshots_are_refused() -> None:
    done = run_cli("verify", sample("after-restored"), sample("live"))
    assert done.returncode == 2 and "are they swapped?" in done.stderr


def test_snapshots_of_different_orgs_are_refused(tmp_path: Path) -> None:
    def edit(document: dict[str, Any]) -> None:
        document["salesforce"]["org_id"] = "00D000000000OTHER"

    other = edited_sample("after-restored", tmp_path / "other.yaml", edit)
    done = run_cli("verify", sample("live"), other)
    assert done.returncode == 2 and "must be the same org" in done.stderr


@pytest.mark.parametrize("args", [["only-one.yaml"], ["a.yaml", "b.yaml", "c.yaml"]])
def test_verify_needs_before_and_after(args: list[str]) -> None:
    done = run_cli("verify", *args)
    assert done.returncode == 2 and "BEFORE AFTER" in done.stderr


def test_integration_confirmed_before_the_rotation_does_not_count_after_it(tmp_path: Path) -> None:
    def edit(document: dict[str, Any]) -> None:
        for attestation in document["attestations"]:
            if attestation["fact"] == "marketing_cloud.api_user.salesforce_status":
                attestation["attested_at"] = "2026-11-20"

    stale = edited_sample("after-restored", tmp_path / "stale.yaml", edit)
    done, result = run_json("verify", sample("live"), stale)
    assert done.returncode == 1  # verify needs proof: a manual result blocks
    pv401 = next(f for f in result["findings"] if f["rule_id"] == "PV401")
    assert pv401["status"] == "manual"
    assert "before the rotation" in pv401["message"] and "MC202" in pv401["message"]


def test_api_user_locked_after_the_rotation_fails(tmp_path: Path) -> None:
    def edit(document: dict[str, Any]) -> None:
        document["marketing_cloud"]["users"][0]["is_locked"] = True

    done, result = run_json("verify", sample("live"), edited_sample("after-restored", tmp_path / "l.yaml", edit))
    assert done.returncode == 1
    assert ("PV401", "MCC connection") in _failing(result)


def test_sections_missing_in_after_are_unknown_and_block(tmp_path: Path) -> None:
    def edit(document: dict[str, Any]) -> None:
        del document["marketing_cloud"]["triggered_sends"]

    done, result = run_json("verify", sample("live"), edited_sample("after-restored", tmp_path / "m.yaml", edit))
    assert done.returncode == 1
    assert statuses(result, "PV402") == {"snapshot": "unknown"}
