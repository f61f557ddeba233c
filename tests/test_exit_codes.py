"""Every exit code of `mcaudit audit` (and the preflight's on missing data), through the real CLI
in-process: 0 pass, 1 fail, 2 bad input, 4 audit incomplete (3 is `collect`'s, tested there).

A snapshot that lacks a side or a section must not pass a CI gate: the checks it keeps from
running are `unknown`, which exits 4 unless --allow-incomplete, and the console says once, above
the per-check lines, what is missing and which checks it stops.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from mcaudit.yamlio import dump_yaml, load_yaml

from .conftest import SAMPLES, run_cli

NO_SALESFORCE = ("the snapshot has no Salesforce side: 31 checks cannot run "
                 "(SF101\u2013SF136, MC203, MC207, MC210\u2013MC211, MC214)")
NO_MARKETING_CLOUD = "the snapshot has no Marketing Cloud side: 15 checks cannot run"
NO_MC_USERS = "marketing_cloud.users was not collected: 10 checks cannot run (MC201\u2013MC209, MC213)"


def sample_data(name: str) -> dict[str, Any]:
    data: dict[str, Any] = load_yaml((SAMPLES / name).read_text(encoding="utf-8"))
    return data


def write_snapshot(tmp_path: Path, data: dict[str, Any], name: str = "snapshot.yaml") -> Path:
    path = tmp_path / name
    path.write_text(dump_yaml(data), encoding="utf-8")
    return path


@pytest.fixture
def without_salesforce(tmp_path: Path) -> Path:
    data = sample_data("healthy.yaml")
    del data["salesforce"]
    return write_snapshot(tmp_path, data, "no-salesforce.yaml")


@pytest.fixture
def without_mc_users(tmp_path: Path) -> Path:
    data = sample_data("healthy.yaml")
    del data["marketing_cloud"]["users"]
    return write_snapshot(tmp_path, data, "no-mc-users.yaml")


# --- 0 and 1 ---------------------------------------------------------------------------------

def test_a_healthy_snapshot_exits_0() -> None:
    assert run_cli("audit", SAMPLES / "healthy.yaml", "-q").returncode == 0


def test_a_failure_at_or_above_fail_on_exits_1() -> None:
    assert run_cli("audit", SAMPLES / "broken.yaml", "-q").returncode == 1


def test_a_failure_outranks_an_incomplete_snapshot(without_salesforce: Path) -> None:
    done = run_cli("audit", without_salesforce, SAMPLES / "broken.yaml", "-q")
    assert done.returncode == 1


# --- 4: audit incomplete ------------------------------------------------------------------------

def test_a_snapshot_without_its_salesforce_side_exits_4(without_salesforce: Path) -> None:
    done = run_cli("audit", without_salesforce)
    assert done.returncode == 4, done.stdout + done.stderr
    assert "INCOMPLETE" in done.stdout


def test_allow_incomplete_turns_4_into_0(without_salesforce: Path) -> None:
    assert run_cli("audit", without_salesforce, "-q", "--allow-incomplete").returncode == 0


def test_allow_incomplete_does_not_hide_a_failure(without_salesforce: Path) -> None:
    done = run_cli("audit", without_salesforce, SAMPLES / "broken.yaml", "-q", "--allow-incomplete")
    assert done.returncode == 1


def test_strict_makes_missing_data_a_failure(without_salesforce: Path) -> None:
    assert run_cli("audit", without_salesforce, "-q", "--strict").returncode == 1


def test_a_snapshot_with_neither_side_exits_4(tmp_path: Path) -> None:
    data = sample_data("healthy.yaml")
    del data["salesforce"], data["marketing_cloud"]
    done = run_cli("audit", write_snapshot(tmp_path, data), "-q")
    assert done.returncode == 4, done.stdout + done.stderr
    assert NO_SALESFORCE.split(":")[0] in done.stdout
    assert NO_MARKETING_CLOUD.split(":")[0] in done.stdout


def test_a_partial_collection_exits_4_then_0_when_allowed() -> None:
    assert run_cli("audit", SAMPLES / "partial.yaml", "-q").returncode == 4
    assert run_cli("audit", SAMPLES / "partial.yaml", "-q", "--allow-incomplete").returncode == 0


def test_only_unknown_checks_at_or_above_fail_on_count(tmp_path: Path) -> None:
    # without the org's /limits only SF136 (medium) cannot run: --fail-on high does not wait for it
    data = sample_data("healthy.yaml")
    del data["salesforce"]["api_limits"]
    snapshot = write_snapshot(tmp_path, data)
    assert run_cli("audit", snapshot, "-q").returncode == 0
    assert run_cli("audit", snapshot, "-q", "--fail-on", "medium").returncode == 4
    assert run_cli("audit", SAMPLES / "partial.yaml", "-q", "--fail-on", "never").returncode == 0


def test_a_waived_unknown_check_does_not_exit_4(tmp_path: Path, without_salesforce: Path) -> None:
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text("waivers:\n  - rule: SF\n    reason: no Salesforce org yet\n"
                       "  - rule: MC2\n    reason: no Salesforce org yet\n", encoding="utf-8")
    done = run_cli("audit", without_salesforce, "-q", "--waivers", waivers)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_json_report_carries_the_exit_code(without_salesforce: Path) -> None:
    done = run_cli("audit", without_salesforce, "--format", "json")
    assert json.loads(done.stdout)["exit_code"] == 4 == done.returncode


# --- manual results -----------------------------------------------------------------------------

def test_manual_results_keep_exit_0_without_strict() -> None:
    # SF110 (critical) and MC203 (high) are manual there, and nothing is unknown
    done = run_cli("audit", SAMPLES / "inferred-system-user.yaml", "--format", "json")
    statuses = {f["status"] for f in json.loads(done.stdout)["results"][0]["findings"]}
    assert "manual" in statuses and "unknown" not in statuses
    assert done.returncode == 0


def test_manual_results_fail_with_strict() -> None:
    assert run_cli("audit", SAMPLES / "inferred-system-user.yaml", "-q", "--strict").returncode == 1


# --- preflight stays NO-GO ----------------------------------------------------------------------

def test_preflight_is_no_go_on_missing_data(tmp_path: Path) -> None:
    data = sample_data("rotation/live.yaml")
    del data["marketing_cloud"]["journeys"]
    done = run_cli("preflight", write_snapshot(tmp_path, data))
    assert done.returncode == 1
    assert "NO-GO" in done.stdout
    assert "marketing_cloud.journeys was not collected: 2 checks cannot run (RT302, RT305)" in done.stdout


# --- 2: bad input -------------------------------------------------------------------------------

def test_an_unknown_rule_in_a_waiver_file_exits_2_naming_file_and_line(tmp_path: Path) -> None:
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text("waivers:\n  - rule: SF120\n    reason: known\n  - rule: SF1200\n    reason: typo\n",
                       encoding="utf-8")
    done = run_cli("audit", SAMPLES / "healthy.yaml", "--waivers", waivers)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.splitlines() == [
        f"mcaudit: error: {waivers}:4: waiver rule 'SF1200' matches no rule id (did you mean SF120?) "
        "(see `mcaudit rules`)"]


def test_an_unknown_prefix_in_a_waiver_file_exits_2(tmp_path: Path) -> None:
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text("waivers:\n  - rule: XY\n    reason: nothing like it\n", encoding="utf-8")
    done = run_cli("audit", SAMPLES / "healthy.yaml", "--waivers", waivers)
    assert done.returncode == 2
    assert f"{waivers}:2: waiver rule 'XY' matches no rule id (see `mcaudit rules`)" in done.stderr


def test_a_known_prefix_in_a_waiver_file_is_accepted(tmp_path: Path) -> None:
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text("waivers:\n  - rule: sf12\n    reason: a prefix, any case\n", encoding="utf-8")
    assert run_cli("audit", SAMPLES / "healthy.yaml", "-q", "--waivers", waivers).returncode == 0


def test_an_unknown_select_suggests_the_rule_meant() -> None:
    done = run_cli("audit", SAMPLES / "healthy.yaml", "--select", "SF1200")
    assert done.returncode == 2
    assert "--select: 'SF1200' matches no rule id (did you mean SF120?)" in done.stderr


# --- the one message for a missing side or section ----------------------------------------------

def test_a_missing_side_is_said_once_above_the_check_lines(without_salesforce: Path) -> None:
    done = run_cli("audit", without_salesforce)
    lines = done.stdout.splitlines()
    assert done.stdout.count("has no Salesforce side") == 1
    message = lines.index(f"! {NO_SALESFORCE}")
    first_check = next(index for index, line in enumerate(lines) if line.startswith("Unknown: "))
    assert message < first_check
    assert "has no Salesforce side" not in done.stderr


def test_a_missing_side_is_said_in_quiet_mode_too(without_salesforce: Path) -> None:
    done = run_cli("audit", without_salesforce, "-q")
    assert f"! {NO_SALESFORCE}" in done.stdout.splitlines()


def test_a_missing_marketing_cloud_side(tmp_path: Path) -> None:
    data = sample_data("healthy.yaml")
    del data["marketing_cloud"]
    done = run_cli("audit", write_snapshot(tmp_path, data), "-q")
    assert done.returncode == 4
    assert done.stdout.count(NO_MARKETING_CLOUD) == 1


def test_a_missing_section_is_named_with_its_checks(without_mc_users: Path) -> None:
    done = run_cli("audit", without_mc_users)
    assert done.returncode == 4
    assert done.stdout.count(NO_MC_USERS) == 1
    assert "has no Marketing Cloud side" not in done.stdout


def test_a_healthy_snapshot_has_no_gap_message() -> None:
    done = run_cli("audit", SAMPLES / "healthy.yaml")
    assert "cannot run" not in done.stdout


@pytest.mark.parametrize("fmt", ["json", "markdown", "html"])
def test_the_gap_is_a_note_in_the_other_reports(fmt: str, without_salesforce: Path) -> None:
    done = run_cli("audit", without_salesforce, "--format", fmt)
    if fmt == "json":
        assert json.loads(done.stdout)["results"][0]["notes"] == [NO_SALESFORCE]
    else:
        assert done.stdout.count("has no Salesforce side: 31 checks cannot run") == 1


# --- documentation ------------------------------------------------------------------------------

def test_audit_help_lists_the_exit_codes() -> None:
    text = run_cli("audit", "--help").stdout
    for line in ("0  pass", "1  fail", "2  bad input", "3  collection incomplete", "4  audit incomplete"):
        assert line in text
    assert "--allow-incomplete" in text


def test_the_ci_guide_lists_the_exit_codes() -> None:
    guide = (SAMPLES.parent / "docs" / "guides" / "ci.md").read_text(encoding="utf-8")
    for row in ("| `0` |", "| `1` |", "| `2` |", "| `3` |", "| `4` |", "--allow-incomplete"):
        assert row in guide
