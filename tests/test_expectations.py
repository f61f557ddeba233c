"""Expectations (what the connection should be): from mcaudit.toml's [expectations], from
--expectations FILE, or both (the file's keys win); a bad table or file is exit 2, naming the key
and, for a file, its line. Without them, SF130 on a connected sandbox is manual, naming the setting."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from mcaudit.errors import InputError
from mcaudit.expectations import Expectations, load_expectations, merged

from .conftest import SAMPLES, run_cli

SANDBOX = SAMPLES / "sandbox-wired-to-production.yaml"
HEALTHY = SAMPLES / "healthy.yaml"


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _finding(stdout: str, rule_id: str) -> dict[str, Any]:
    [result] = json.loads(stdout)["results"]
    [finding] = [finding for finding in result["findings"] if finding["rule_id"] == rule_id]
    return finding


def test_without_expectations_a_connected_sandbox_is_manual_naming_the_setting(tmp_path: Path) -> None:
    done = run_cli("audit", SANDBOX, "--format", "json", "--select", "SF130", cwd=tmp_path)
    finding = _finding(done.stdout, "SF130")
    assert finding["status"] == "manual"
    assert "expectations.production_mids in mcaudit.toml" in finding["message"]


def test_the_config_table_marks_production(tmp_path: Path) -> None:
    _write(tmp_path / "mcaudit.toml", "[expectations]\nproduction_mids = [510000001]\n")
    done = run_cli("audit", SANDBOX, "--format", "json", "--select", "SF130", cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    assert _finding(done.stdout, "SF130")["status"] == "fail"


def test_the_pyproject_table_marks_production(tmp_path: Path) -> None:
    _write(tmp_path / "pyproject.toml",
           "[tool.mcaudit.expectations]\ntenant_subdomain = \"mc7x1y2z3abcd4efgh5ijk6lmn7p\"\n")
    done = run_cli("audit", SANDBOX, "--format", "json", "--select", "SF130", cwd=tmp_path)
    assert _finding(done.stdout, "SF130")["status"] == "fail"


def test_the_file_marks_production(tmp_path: Path) -> None:
    file = _write(tmp_path / "expect.yaml", "production_mids: [510000001]\n")
    done = run_cli("audit", SANDBOX, "--format", "json", "--select", "SF130", "--expectations", file, cwd=tmp_path)
    assert _finding(done.stdout, "SF130")["status"] == "fail"


def test_the_file_wins_over_the_table(tmp_path: Path) -> None:
    _write(tmp_path / "mcaudit.toml", "[expectations]\nproduction_mids = [510000001]\napi_headroom = 0.1\n")
    file = _write(tmp_path / "expect.json", json.dumps({"production_mids": [520000009]}))
    done = run_cli("audit", SANDBOX, "--format", "json", "--select", "SF130", "--expectations", file, cwd=tmp_path)
    assert _finding(done.stdout, "SF130")["status"] == "pass"


def test_merged_keeps_the_table_keys_the_file_does_not_give() -> None:
    table = Expectations(production_mids=(1,), api_headroom=0.1)
    both = merged(table, Expectations(production_mids=(2,)))
    assert both is not None and both.production_mids == (2,) and both.api_headroom == 0.1
    assert both.given("api_headroom") and not Expectations().given("api_headroom")
    assert merged(None, None) is None and merged(table, None) is table


def test_a_bad_file_is_exit_2_with_its_lines(tmp_path: Path) -> None:
    file = _write(tmp_path / "expect.yaml", "production_mids: [510000001]\napi_headroom: 1.5\nproduction_mid: 3\n")
    done = run_cli("audit", HEALTHY, "--expectations", file, cwd=tmp_path)
    assert done.returncode == 2
    assert f"{file}:2:" in done.stderr and "api_headroom" in done.stderr
    assert f"{file}:3:" in done.stderr and "production_mid" in done.stderr and "unknown field" in done.stderr


def test_a_file_that_is_not_a_mapping(tmp_path: Path) -> None:
    file = _write(tmp_path / "expect.yaml", "- 510000001\n")
    with pytest.raises(InputError, match="expected a mapping of expectations"):
        load_expectations(file)


def test_a_file_may_keep_the_table_name(tmp_path: Path) -> None:
    file = _write(tmp_path / "expect.yaml", "expectations:\n  production_org_ids: [00D5g000004AcmeEAC]\n")
    assert load_expectations(file).production_org_ids == ("00D5g000004AcmeEAC",)


def test_a_missing_file_is_exit_2(tmp_path: Path) -> None:
    done = run_cli("audit", HEALTHY, "--expectations", tmp_path / "nope.yaml", cwd=tmp_path)
    assert done.returncode == 2 and "nope.yaml" in done.stderr


@pytest.mark.parametrize(("table", "said"), [
    ("production_mid = [1]", "'expectations.production_mid': unknown key"),
    ("production_org_ids = [\"00Dshort\"]", "is not a Salesforce org id"),
    ("api_headroom = 0", "'expectations.api_headroom'"),
    ("system_user = \" \"", "must not be empty"),
])
def test_a_bad_table_is_exit_2_naming_the_key(tmp_path: Path, table: str, said: str) -> None:
    _write(tmp_path / "mcaudit.toml", f"[expectations]\n{table}\n")
    done = run_cli("audit", HEALTHY, "-q", cwd=tmp_path)
    assert done.returncode == 2
    assert "mcaudit.toml" in done.stderr and said in done.stderr


def test_expectations_that_are_not_a_table(tmp_path: Path) -> None:
    _write(tmp_path / "mcaudit.toml", "expectations = \"expect.yaml\"\n")
    done = run_cli("audit", HEALTHY, "-q", cwd=tmp_path)
    assert done.returncode == 2 and "'expectations' must be a table" in done.stderr


def test_healthy_stays_healthy_with_its_own_expectations(tmp_path: Path) -> None:
    _write(tmp_path / "mcaudit.toml", (
        "[expectations]\nproduction_org_ids = [\"00D5g000004AcmeEAC\"]\nproduction_mids = [510000001]\n"
        "tenant_subdomain = \"mc7x1y2z3abcd4efgh5ijk6lmn7p\"\nsystem_user = \"mcc.system@acme.example\"\n"
        "business_unit_mids = [510000001]\n"))
    assert run_cli("audit", HEALTHY, "-q", cwd=tmp_path).returncode == 0


def test_the_expectations_file_is_never_overwritten(tmp_path: Path) -> None:
    file = _write(tmp_path / "expect.json", json.dumps({"production_mids": [510000001]}))
    done = run_cli("audit", HEALTHY, "--expectations", file, "-o", file, cwd=tmp_path)
    assert done.returncode == 2 and "--expectations file" in done.stderr
