"""RT305 through the real CLI: the preflight says GO only once stopping each Salesforce Data journey
version, and the contacts that ejects, is acknowledged (--ack-eject, --ack-eject-journey, or the
configuration file's [preflight] table)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..conftest import run_cli
from .conftest import edited_sample, run_json, sample, statuses

ONBOARDING = "journey 'Onboarding' version 3 (key onboarding-journey)"
LEAD_NURTURE = "journey 'Lead nurture' version 1 (key lead-nurture)"


def test_without_acknowledgement_rt305_fails_for_each_version_with_its_population() -> None:
    done, result = run_json("preflight", sample("live"), "--select", "RT305")
    assert done.returncode == 1 and result["decision"] == "NO-GO"
    assert statuses(result, "RT305") == {ONBOARDING: "fail", LEAD_NURTURE: "fail"}
    [onboarding] = [f for f in result["findings"] if f["subject"] == ONBOARDING]
    assert "ejects its 1,204 contacts in flight" in onboarding["message"]


def test_ack_eject_acknowledges_every_version() -> None:
    done, result = run_json("preflight", sample("live"), "--select", "RT305", "--ack-eject")
    assert done.returncode == 0, done.stderr
    assert statuses(result, "RT305") == {ONBOARDING: "pass", LEAD_NURTURE: "pass"}


def test_ack_eject_journey_acknowledges_the_journeys_named() -> None:
    done, result = run_json("preflight", sample("live"), "--select", "RT305",
                            "--ack-eject-journey", "onboarding-journey@3")
    assert done.returncode == 1
    assert statuses(result, "RT305") == {ONBOARDING: "pass", LEAD_NURTURE: "fail"}
    done, result = run_json("preflight", sample("live"), "--select", "RT305",
                            "--ack-eject-journey", "onboarding-journey,lead-nurture")
    assert done.returncode == 0, done.stderr


def test_the_configuration_file_can_acknowledge(tmp_path: Path) -> None:
    (tmp_path / "mcaudit.toml").write_text("[preflight]\nack-eject-journey = [\"lead-nurture\"]\n", encoding="utf-8")
    done = run_cli("preflight", sample("live"), "--select", "RT305", "--format", "json", cwd=tmp_path)
    assert done.returncode == 1
    (tmp_path / "mcaudit.toml").write_text("[preflight]\nack-eject = true\n", encoding="utf-8")
    assert run_cli("preflight", sample("live"), "--select", "RT305", "-q", cwd=tmp_path).returncode == 0


def test_a_bad_acknowledgement_setting_is_exit_2(tmp_path: Path) -> None:
    (tmp_path / "mcaudit.toml").write_text("[preflight]\nack-eject = \"yes\"\n", encoding="utf-8")
    done = run_cli("preflight", sample("live"), "-q", cwd=tmp_path)
    assert done.returncode == 2 and "'preflight.ack-eject' must be true or false" in done.stderr


def test_a_paused_org_is_still_go_without_acknowledgement() -> None:
    done, result = run_json("preflight", sample("paused"))
    assert done.returncode == 0, done.stderr
    assert set(statuses(result, "RT305").values()) == {"pass"}


def test_a_version_with_no_one_in_flight_needs_no_acknowledgement(tmp_path: Path) -> None:
    def empty(document: dict[str, Any]) -> None:
        for journey in document["marketing_cloud"]["journeys"]:
            journey["population"] = 0
    done, result = run_json("preflight", edited_sample("live", tmp_path / "empty.yaml", empty), "--select", "RT305")
    assert done.returncode == 0, done.stderr
    assert set(statuses(result, "RT305").values()) == {"pass"}
