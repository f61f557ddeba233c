"""The command line contract: commands, options and exit codes (SPEC section 2)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from .conftest import SAMPLES, run_cli, run_cli_process

SF_MC_RULES = [f"SF{n}" for n in (101, 102, 103, 104, 105, 106, 107, 110, 111, 112, 113, 114, 115, 116, 117,
                                  120, 121, 122)] + [f"MC{n}" for n in range(201, 214)]
HEALTHY = SAMPLES / "healthy.yaml"


def test_rules_lists_the_connection_checklist_with_title_and_severity() -> None:
    result = run_cli("rules", "--no-color")
    assert result.returncode == 0, result.stderr
    for rule_id in SF_MC_RULES:
        line = next((row for row in result.stdout.splitlines() if row.startswith(rule_id)), None)
        assert line is not None, f"{rule_id} missing from `mcaudit rules`"
        assert re.search(r"\b(critical|high|medium|low|info)\b", line)
    assert "Salesforce Marketing Cloud" in result.stdout


def test_rules_explains_one_rule() -> None:
    result = run_cli("rules", "MC203", "--no-color")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.startswith("MC203")
    for needle in ("Why it matters", "How to fix", "KB 003834038", "System User", "SF111",
                   "marketing_cloud.api_user.salesforce_username", "severity: high"):
        assert needle in out, needle


def test_rules_lookup_is_case_insensitive_and_by_name() -> None:
    assert run_cli("rules", "sf111").returncode == 0
    assert run_cli("rules", "system-user-active").stdout.startswith("SF111")


def test_rules_unknown_id_exits_2_with_one_line() -> None:
    result = run_cli("rules", "ZZ999")
    assert result.returncode == 2
    assert result.stderr.strip() == "mcaudit: error: unknown rule id 'ZZ999' (see `mcaudit rules` for the list)"


def test_rules_json() -> None:
    result = run_cli("rules", "--format", "json")
    catalog = json.loads(result.stdout)
    assert {rule["id"] for rule in catalog} >= set(SF_MC_RULES)
    assert all(rule["rationale"] and rule["remediation"] and rule["source"]["document"] for rule in catalog)


def test_schema_is_json_schema_of_the_snapshot() -> None:
    result = run_cli("schema")
    assert result.returncode == 0
    schema = json.loads(result.stdout)
    assert schema["$schema"].startswith("https://json-schema.org/")
    assert {"schema_version", "collected_at", "source", "salesforce", "marketing_cloud", "attestations"} <= set(
        schema["properties"])


def test_healthy_audit_exits_0() -> None:
    result = run_cli("audit", HEALTHY, "--no-color")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "PASS" in result.stdout


def test_audit_json_structure_is_stable() -> None:
    result = run_cli("audit", HEALTHY, "--format", "json")
    assert result.returncode == 0
    report = json.loads(result.stdout)
    assert report["format_version"] == 1
    assert report["tool"] == {"name": "mcaudit", "version": report["tool"]["version"]}
    assert report["command"] == "audit" and report["exit_code"] == 0
    [snapshot] = report["results"]
    assert snapshot["snapshot"]["org_id"] == "00D5g000004AcmeEAC"
    assert snapshot["snapshot"]["mid"] == 510000001
    assert snapshot["snapshot"]["collected_at"] == "2026-11-20T09:30:00Z"
    assert snapshot["verdict"] == "pass"
    assert set(snapshot["summary"]) == {"total", "blocking", "by_status", "failures_by_severity"}
    finding = next(f for f in snapshot["findings"] if f["rule_id"] == "SF103")
    assert set(finding) >= {"rule_id", "title", "severity", "area", "status", "subject", "message", "evidence",
                            "remediation", "source", "location", "attested"}
    assert finding["attested"]["by"] == "dana.admin@acme.example"
    assert finding["source"]["document"] == "KB 003834038"
    assert {f["rule_id"] for f in snapshot["findings"]} >= set(SF_MC_RULES)


def _broken_copy(tmp_path: Path) -> Path:
    text = HEALTHY.read_text().replace("      is_active: true\n      is_frozen: false\n      user_license: Salesforce\n"
                                       "      profile_name: System Administrator",
                                       "      is_active: true\n      is_frozen: false\n      user_license: Salesforce\n"
                                       "      profile_name: Standard User", 1)
    target = tmp_path / "broken.yaml"
    target.write_text(text)
    return target


def test_fail_on_threshold_decides_exit_code(tmp_path: Path) -> None:
    broken = _broken_copy(tmp_path)  # SF113 (high) fails; MC203 fine: integrated with the System User
    assert run_cli("audit", broken).returncode == 1
    assert run_cli("audit", broken, "--fail-on", "critical").returncode == 0
    assert run_cli("audit", broken, "--fail-on", "never").returncode == 0
    assert run_cli("audit", broken, "--ignore", "SF113").returncode == 0
    assert run_cli("audit", broken, "--select", "MC").returncode == 0
    assert run_cli("audit", broken, "--select", "SF", "--ignore", "SF11").returncode == 0
    assert run_cli("audit", broken, "--select", "SF113", "--ignore", "SF").returncode == 1  # most specific wins


def test_several_snapshots_exit_with_the_worst(tmp_path: Path) -> None:
    broken = _broken_copy(tmp_path)
    result = run_cli("audit", HEALTHY, broken, "--format", "json")
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert [r["verdict"] for r in report["results"]] == ["pass", "fail"]


def test_unknown_select_prefix_is_a_usage_error() -> None:
    result = run_cli("audit", HEALTHY, "--select", "XY")
    assert result.returncode == 2
    assert "matches no rule" in result.stderr


def test_bad_option_value_exits_2() -> None:
    result = run_cli("audit", HEALTHY, "--fail-on", "sometimes")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr


def test_output_file_format_from_extension(tmp_path: Path) -> None:
    target = tmp_path / "out" / "report.json"
    result = run_cli("audit", HEALTHY, "-o", target)
    assert result.returncode == 0
    assert json.loads(target.read_text())["format_version"] == 1


def test_rules_dir_adds_a_custom_rule(tmp_path: Path) -> None:
    rules = tmp_path / "my-rules"
    rules.mkdir()
    (rules / "XC901.yaml").write_text(
        "id: XC901\nname: system-user-not-named-admin\ntitle: The System User's username is not admin@\n"
        "severity: high\narea: salesforce\nmodes: [audit]\nneeds: [salesforce.users, salesforce.mcc_connector]\n"
        "subjects: sf.system_user\n"
        "check: {attribute: username, operator: matches, value: 'admin@.*', label: username}\n"
        "rationale: House rule.\nremediation: Rename it.\n"
        "source: {document: ACME runbook, title: Integration users}\n")
    result = run_cli("audit", HEALTHY, "--rules-dir", rules, "--select", "XC", "--format", "json")
    report = json.loads(result.stdout)
    [finding] = report["results"][0]["findings"]
    assert finding["rule_id"] == "XC901" and finding["status"] == "fail"
    assert result.returncode == 1
    listed = run_cli("rules", "--rules-dir", rules)
    assert "XC901" in listed.stdout


def test_bad_rule_file_exits_2_naming_it(tmp_path: Path) -> None:
    rules = tmp_path / "my-rules"
    rules.mkdir()
    (rules / "XC902.yaml").write_text("id: XC902\nname: x\ntitle: t\nseverity: urgent\n")
    result = run_cli("audit", HEALTHY, "--rules-dir", rules)
    assert result.returncode == 2
    assert "XC902.yaml" in result.stderr and "Traceback" not in result.stderr


def test_debug_shows_traceback_only_when_asked(tmp_path: Path) -> None:
    missing = tmp_path / "missing.yaml"
    assert "Traceback" not in run_cli("audit", missing).stderr
    assert "Traceback" in run_cli("--debug", "audit", missing).stderr


def test_version() -> None:
    result = run_cli("--version")
    assert result.returncode == 0 and result.stdout.startswith("mcaudit ")


# -- the few runs in a child process: every other test calls mcaudit.cli.main in-process -----------

def test_python_dash_m_runs_the_command() -> None:
    result = run_cli_process("audit", HEALTHY, "--format", "json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["results"][0]["findings"]


def test_installed_entry_point_runs_the_command() -> None:
    """The console script pip installed (project.scripts), not the module."""
    script = Path(sys.executable).with_name("mcaudit")
    result = subprocess.run([script, "audit", SAMPLES / "broken.yaml", "--no-color"], capture_output=True, text=True,
                            timeout=60, check=False)
    assert result.returncode == 1, result.stderr
    assert "problems rated high or above must be fixed" in result.stdout and result.stderr == ""
