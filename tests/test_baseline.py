"""--baseline: a CI job fails on failures that are new since the base branch's report."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from .conftest import ROOT, SAMPLES, run_cli

SARIF_SCHEMA = ROOT / "tests" / "report" / "schemas" / "sarif-schema-2.1.0.json"


@pytest.fixture
def baseline(tmp_path: Path) -> Path:
    target = tmp_path / "main-report.json"
    assert run_cli("audit", SAMPLES / "broken.yaml", "-o", target).returncode == 1
    return target


def _with_a_new_failure(tmp_path: Path) -> Path:
    text = (SAMPLES / "broken.yaml").read_text()
    target = tmp_path / "branch.yaml"
    target.write_text(text.replace("      user_license: Salesforce\n", "      user_license: Chatter Free\n", 1))
    return target


def test_known_failures_do_not_fail_the_run(baseline: Path) -> None:
    result = run_cli("audit", SAMPLES / "broken.yaml", "--baseline", baseline, "--format", "json")
    assert result.returncode == 0, result.stdout[-2000:]
    findings = json.loads(result.stdout)["results"][0]["findings"]
    failing = [f for f in findings if f["status"] == "fail"]
    assert failing and all(f["baseline_state"] == "unchanged" and not f["blocking"] for f in failing)
    assert all(f["baseline_state"] is None for f in findings if f["status"] != "fail")


def test_a_new_failure_fails_the_run_and_is_named(baseline: Path, tmp_path: Path) -> None:
    result = run_cli("audit", _with_a_new_failure(tmp_path), "--baseline", baseline, "--format", "json")
    assert result.returncode == 1
    new = [f for f in json.loads(result.stdout)["results"][0]["findings"] if f["baseline_state"] == "new"]
    assert [(f["rule_id"], f["blocking"]) for f in new] == [("SF112", True)]


def test_console_says_what_the_baseline_covers(baseline: Path, tmp_path: Path) -> None:
    result = run_cli("audit", _with_a_new_failure(tmp_path), "--baseline", baseline)
    assert "1 problem rated high or above must be fixed · 22 failures already in the baseline" in result.stdout


def test_sarif_carries_the_baseline_state(baseline: Path, tmp_path: Path) -> None:
    target = tmp_path / "out.sarif"
    run_cli("audit", _with_a_new_failure(tmp_path), "--baseline", baseline, "-o", target)
    sarif = json.loads(target.read_text())
    jsonschema.validate(sarif, json.loads(SARIF_SCHEMA.read_text()))
    states = {r["ruleId"]: r.get("baselineState") for r in sarif["runs"][0]["results"] if r["kind"] == "fail"}
    assert states["SF112"] == "new" and states["SF106"] == "unchanged"


@pytest.mark.parametrize(("content", "needle"), [
    ("not json", "not a JSON report"),
    ('{"format_version": 1}', "not an mcaudit JSON report"),
    ('{"format_version": 9, "results": []}', "format_version 9 is not supported"),
    ('[' * 100_000, "not a JSON report"),
])
def test_a_bad_baseline_is_one_line_and_exit_2(tmp_path: Path, content: str, needle: str) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(content)
    result = run_cli("audit", SAMPLES / "healthy.yaml", "--baseline", bad)
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1 and needle in result.stderr


def test_html_and_markdown_mark_new_and_known_failures(baseline: Path, tmp_path: Path) -> None:
    html, markdown = tmp_path / "r.html", tmp_path / "r.md"
    run_cli("audit", _with_a_new_failure(tmp_path), "--baseline", baseline, "-o", html, "-o", markdown)
    page = html.read_text()
    assert page.count('class="badge baseline-new"') == 1 and 'class="badge baseline-known"' in page
    assert markdown.read_text().count("**new since the baseline**") == 1
