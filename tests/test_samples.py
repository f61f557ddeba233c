"""Every bundled sample's verdict and per-rule statuses, pinned through the real CLI.

Each sample is audited once by `python -m mcaudit audit SAMPLE --format json` in a child process;
the exit code, the verdict and the exact status of every rule are compared with the pins below.
A rule with several subjects (SF107, SF120-SF122) is pinned as its sorted statuses joined by "+".
"""

from __future__ import annotations

import json
from collections import defaultdict
from functools import cache
from typing import Any

import pytest

from .conftest import SAMPLES, run_cli

# sample -> (exit code, verdict, {rule id: statuses})
PINS: dict[str, tuple[int, str, dict[str, str]]] = {
    "aep": (1, "fail", {
        "SF101": "pass", "SF102": "pass", "SF103": "pass", "SF104": "pass", "SF105": "pass", "SF106": "pass",
        "SF107": "pass", "SF108": "pass", "SF110": "pass", "SF111": "pass", "SF112": "pass", "SF113": "pass",
        "SF114": "pass", "SF115": "pass", "SF116": "pass", "SF117": "n/a", "SF120": "pass", "SF121": "pass",
        "SF122": "pass",
        "MC201": "pass", "MC202": "pass", "MC203": "pass", "MC204": "pass", "MC205": "pass", "MC206": "pass",
        "MC207": "pass", "MC208": "pass", "MC209": "pass", "MC210": "pass", "MC211": "pass", "MC212": "pass",
        "MC213": "pass",
        "AEP501": "fail", "AEP502": "fail+pass+pass+pass", "AEP503": "fail+pass+pass", "AEP504": "fail+pass+pass",
        "AEP505": "pass", "AEP506": "fail+pass", "AEP507": "pass", "AEP508": "pass", "AEP509": "pass",
        "AEP510": "fail",
        "API601": "n/a", "API602": "n/a", "API603": "n/a", "API604": "n/a", "API605": "n/a", "API606": "n/a",
        "API607": "n/a",
    }),
    "integrations": (1, "fail", {
        "SF101": "pass", "SF102": "pass", "SF103": "pass", "SF104": "pass", "SF105": "pass", "SF106": "pass",
        "SF107": "pass", "SF108": "pass", "SF110": "pass", "SF111": "pass", "SF112": "pass", "SF113": "pass",
        "SF114": "pass", "SF115": "pass", "SF116": "pass", "SF117": "n/a", "SF120": "pass", "SF121": "pass",
        "SF122": "pass",
        "MC201": "pass", "MC202": "pass", "MC203": "pass", "MC204": "pass", "MC205": "pass", "MC206": "pass",
        "MC207": "pass", "MC208": "pass", "MC209": "pass", "MC210": "pass", "MC211": "pass", "MC212": "pass",
        "MC213": "pass",
        "AEP501": "n/a", "AEP502": "n/a", "AEP503": "n/a", "AEP504": "n/a", "AEP505": "n/a", "AEP506": "n/a",
        "AEP507": "n/a", "AEP508": "n/a", "AEP509": "n/a", "AEP510": "n/a",
        "API601": "fail+pass+pass+pass", "API602": "fail+fail+pass+pass", "API603": "fail+n/a+n/a+n/a",
        "API604": "fail+pass", "API605": "fail+pass", "API606": "fail+pass", "API607": "fail+pass+pass",
    }),
    "healthy": (0, "pass", {
        "SF101": "pass", "SF102": "pass", "SF103": "pass", "SF104": "pass", "SF105": "pass", "SF106": "pass",
        "SF107": "pass", "SF108": "pass", "SF110": "pass", "SF111": "pass", "SF112": "pass", "SF113": "pass",
        "SF114": "pass", "SF115": "pass", "SF116": "pass", "SF117": "n/a", "SF120": "pass", "SF121": "pass",
        "SF122": "pass",
        "MC201": "pass", "MC202": "pass", "MC203": "pass", "MC204": "pass", "MC205": "pass", "MC206": "pass",
        "MC207": "pass", "MC208": "pass", "MC209": "pass", "MC210": "pass", "MC211": "pass", "MC212": "pass",
        "MC213": "pass",
        "AEP501": "n/a", "AEP502": "n/a", "AEP503": "n/a", "AEP504": "n/a", "AEP505": "n/a", "AEP506": "n/a",
        "AEP507": "n/a", "AEP508": "n/a", "AEP509": "n/a", "AEP510": "n/a",
        "API601": "n/a", "API602": "n/a", "API603": "n/a", "API604": "n/a", "API605": "n/a", "API606": "n/a",
        "API607": "n/a",
    }),
    "broken": (1, "fail", {
        "SF101": "pass", "SF102": "fail", "SF103": "fail", "SF104": "fail", "SF105": "pass", "SF106": "fail",
        "SF107": "fail+pass", "SF108": "n/a", "SF110": "pass", "SF111": "fail", "SF112": "pass", "SF113": "pass",
        "SF114": "fail", "SF115": "pass", "SF116": "fail", "SF117": "fail", "SF120": "fail+pass+pass",
        "SF121": "fail+pass", "SF122": "fail+pass",
        "MC201": "pass", "MC202": "pass", "MC203": "fail", "MC204": "pass", "MC205": "fail", "MC206": "fail",
        "MC207": "fail", "MC208": "fail", "MC209": "fail", "MC210": "fail", "MC211": "fail", "MC212": "fail",
        "MC213": "fail",
        "AEP501": "n/a", "AEP502": "n/a", "AEP503": "n/a", "AEP504": "n/a", "AEP505": "n/a", "AEP506": "n/a",
        "AEP507": "n/a", "AEP508": "n/a", "AEP509": "n/a", "AEP510": "n/a",
        "API601": "n/a", "API602": "n/a", "API603": "n/a", "API604": "n/a", "API605": "n/a", "API606": "n/a",
        "API607": "n/a",
    }),
    "broken-system-user": (1, "fail", {
        "SF101": "pass", "SF102": "pass", "SF103": "pass", "SF104": "pass", "SF105": "fail", "SF106": "n/a",
        "SF107": "fail+fail", "SF108": "n/a", "SF110": "fail", "SF111": "n/a", "SF112": "n/a", "SF113": "n/a",
        "SF114": "n/a", "SF115": "n/a", "SF116": "n/a", "SF117": "n/a", "SF120": "pass+pass", "SF121": "pass+pass",
        "SF122": "pass+pass",
        "MC201": "pass", "MC202": "fail", "MC203": "n/a", "MC204": "fail", "MC205": "pass", "MC206": "pass",
        "MC207": "pass", "MC208": "pass", "MC209": "pass", "MC210": "pass", "MC211": "fail", "MC212": "pass",
        "MC213": "pass",
        "AEP501": "n/a", "AEP502": "n/a", "AEP503": "n/a", "AEP504": "n/a", "AEP505": "n/a", "AEP506": "n/a",
        "AEP507": "n/a", "AEP508": "n/a", "AEP509": "n/a", "AEP510": "n/a",
        "API601": "n/a", "API602": "n/a", "API603": "n/a", "API604": "n/a", "API605": "n/a", "API606": "n/a",
        "API607": "n/a",
    }),
    "broken-setup": (1, "fail", {
        "SF101": "fail", "SF102": "n/a", "SF103": "n/a", "SF104": "n/a", "SF105": "n/a", "SF106": "n/a", "SF107": "n/a",
        "SF108": "n/a", "SF110": "pass", "SF111": "pass", "SF112": "fail", "SF113": "fail", "SF114": "fail",
        "SF115": "fail", "SF116": "fail", "SF117": "n/a", "SF120": "pass", "SF121": "pass", "SF122": "pass",
        "MC201": "fail", "MC202": "n/a", "MC203": "n/a", "MC204": "n/a", "MC205": "n/a", "MC206": "n/a",
        "MC207": "n/a", "MC208": "n/a", "MC209": "n/a", "MC210": "pass", "MC211": "fail", "MC212": "pass",
        "MC213": "n/a",
        "AEP501": "n/a", "AEP502": "n/a", "AEP503": "n/a", "AEP504": "n/a", "AEP505": "n/a", "AEP506": "n/a",
        "AEP507": "n/a", "AEP508": "n/a", "AEP509": "n/a", "AEP510": "n/a",
        "API601": "n/a", "API602": "n/a", "API603": "n/a", "API604": "n/a", "API605": "n/a", "API606": "n/a",
        "API607": "n/a",
    }),
    "inferred-system-user": (0, "incomplete", {
        "SF101": "pass", "SF102": "pass", "SF103": "pass", "SF104": "pass", "SF105": "pass", "SF106": "pass",
        "SF107": "pass", "SF108": "fail", "SF110": "manual", "SF111": "pass", "SF112": "pass", "SF113": "pass",
        "SF114": "pass", "SF115": "pass", "SF116": "pass", "SF117": "n/a", "SF120": "pass", "SF121": "pass",
        "SF122": "pass",
        "MC201": "pass", "MC202": "pass", "MC203": "manual", "MC204": "pass", "MC205": "pass", "MC206": "pass",
        "MC207": "pass", "MC208": "pass", "MC209": "pass", "MC210": "pass", "MC211": "pass", "MC212": "pass",
        "MC213": "pass",
        "AEP501": "n/a", "AEP502": "n/a", "AEP503": "n/a", "AEP504": "n/a", "AEP505": "n/a", "AEP506": "n/a",
        "AEP507": "n/a", "AEP508": "n/a", "AEP509": "n/a", "AEP510": "n/a",
        "API601": "n/a", "API602": "n/a", "API603": "n/a", "API604": "n/a", "API605": "n/a", "API606": "n/a",
        "API607": "n/a",
    }),
    "partial": (0, "incomplete", {
        "SF101": "pass", "SF102": "pass", "SF103": "manual", "SF104": "pass", "SF105": "unknown", "SF106": "unknown",
        "SF107": "unknown", "SF108": "unknown", "SF110": "pass", "SF111": "pass", "SF112": "pass", "SF113": "pass",
        "SF114": "pass", "SF115": "pass", "SF116": "pass", "SF117": "unknown", "SF120": "unknown", "SF121": "unknown",
        "SF122": "unknown",
        "MC201": "pass", "MC202": "manual", "MC203": "manual", "MC204": "pass", "MC205": "pass", "MC206": "pass",
        "MC207": "pass", "MC208": "pass", "MC209": "pass", "MC210": "pass", "MC211": "manual", "MC212": "manual",
        "MC213": "pass",
        "AEP501": "n/a", "AEP502": "n/a", "AEP503": "n/a", "AEP504": "n/a", "AEP505": "n/a", "AEP506": "n/a",
        "AEP507": "n/a", "AEP508": "n/a", "AEP509": "n/a", "AEP510": "n/a",
        "API601": "n/a", "API602": "n/a", "API603": "n/a", "API604": "n/a", "API605": "n/a", "API606": "n/a",
        "API607": "n/a",
    }),
    "partial-attested": (0, "incomplete", {
        "SF101": "pass", "SF102": "pass", "SF103": "pass", "SF104": "pass", "SF105": "unknown", "SF106": "unknown",
        "SF107": "unknown", "SF108": "unknown", "SF110": "pass", "SF111": "pass", "SF112": "pass", "SF113": "pass",
        "SF114": "pass", "SF115": "pass", "SF116": "pass", "SF117": "unknown", "SF120": "unknown", "SF121": "unknown",
        "SF122": "unknown",
        "MC201": "pass", "MC202": "pass", "MC203": "pass", "MC204": "pass", "MC205": "pass", "MC206": "pass",
        "MC207": "pass", "MC208": "pass", "MC209": "pass", "MC210": "pass", "MC211": "pass", "MC212": "pass",
        "MC213": "pass",
        "AEP501": "n/a", "AEP502": "n/a", "AEP503": "n/a", "AEP504": "n/a", "AEP505": "n/a", "AEP506": "n/a",
        "AEP507": "n/a", "AEP508": "n/a", "AEP509": "n/a", "AEP510": "n/a",
        "API601": "n/a", "API602": "n/a", "API603": "n/a", "API604": "n/a", "API605": "n/a", "API606": "n/a",
        "API607": "n/a",
    }),
}

# the facts no API returns, left to a person in partial.yaml and attested in partial-attested.yaml
PERSON_CHECKED = ("SF103", "MC202", "MC203", "MC211", "MC212")


@cache
def audit(sample: str, *flags: str) -> tuple[int, dict[str, Any], str]:
    """Exit code, the JSON report's single result, and stderr."""
    done = run_cli("audit", SAMPLES / f"{sample}.yaml", "--format", "json", *flags)
    assert done.stdout, f"no report for {sample}: exit {done.returncode}, stderr: {done.stderr}"
    report = json.loads(done.stdout)
    assert len(report["results"]) == 1
    return done.returncode, report["results"][0], done.stderr


def status_map(result: dict[str, Any]) -> dict[str, str]:
    statuses: dict[str, list[str]] = defaultdict(list)
    for finding in result["findings"]:
        statuses[finding["rule_id"]].append(finding["status"])
    return {rule_id: "+".join(sorted(found)) for rule_id, found in statuses.items()}


def findings_of(result: dict[str, Any], rule_id: str) -> list[dict[str, Any]]:
    return [finding for finding in result["findings"] if finding["rule_id"] == rule_id]


def test_every_sample_is_pinned() -> None:
    on_disk = sorted(path.stem for path in SAMPLES.glob("*.yaml")) + sorted(
        path.stem for path in SAMPLES.glob("*.json"))
    assert sorted(PINS) == on_disk, "pin the verdict and statuses of every sample in tests/test_samples.py"


@pytest.mark.parametrize("sample", sorted(PINS))
def test_sample_verdict_and_statuses(sample: str) -> None:
    exit_code, verdict, statuses = PINS[sample]
    returncode, result, stderr = audit(sample)
    assert (returncode, result["verdict"]) == (exit_code, verdict), stderr
    assert status_map(result) == statuses


@pytest.mark.parametrize("sample", sorted(PINS))
def test_sample_says_what_it_shows(sample: str) -> None:
    first = (SAMPLES / f"{sample}.yaml").read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# ") and len(first) > 20, f"{sample}.yaml should open with a comment saying what it shows"


def test_strict_turns_the_incomplete_partial_into_a_failure() -> None:
    returncode, result, _ = audit("partial", "--strict")
    assert (returncode, result["verdict"]) == (1, "fail")
    blocking = {finding["rule_id"] for finding in result["findings"] if finding["blocking"]}
    assert {"SF103", "SF106", "MC202", "MC203", "MC211"} <= blocking


def test_every_checklist_rule_fails_in_some_sample() -> None:
    # the connection checklist is SF1xx and MC2xx; optional features (AEP5xx...) need not all fail in a sample
    checklist = {rule_id for pins in PINS.values() for rule_id in pins[2] if rule_id.startswith(("SF", "MC"))}
    failing = {rule_id for _, _, pins in PINS.values() for rule_id, statuses in pins.items() if "fail" in statuses}
    assert sorted(checklist - failing) == []
    assert len(checklist) == 32


def test_partial_unknowns_name_the_failed_collector() -> None:
    _, result, _ = audit("partial")
    assert result["snapshot"]["failed_collectors"] == ["salesforce.permissions"]
    unknown = [finding for finding in result["findings"] if finding["status"] == "unknown"]
    assert unknown
    for finding in unknown:
        assert "collector salesforce.permissions failed: REQUEST_LIMIT_EXCEEDED" in finding["message"]


@pytest.mark.parametrize("rule_id", PERSON_CHECKED)
def test_partial_manual_becomes_attested_pass(rule_id: str) -> None:
    _, partial, _ = audit("partial")
    _, attested, _ = audit("partial-attested")
    [manual] = findings_of(partial, rule_id)
    assert manual["status"] == "manual"
    assert "check by hand" in manual["message"] and manual["attested"] is None
    [passed] = findings_of(attested, rule_id)
    assert passed["status"] == "pass"
    assert passed["attested"] is not None


def test_broken_names_what_failed() -> None:
    _, result, _ = audit("broken")
    [mc203] = findings_of(result, "MC203")
    assert "'mcc.integration@globex.example.uat'" in mc203["message"]
    assert "matches no user" in mc203["message"]
    sf107 = {finding["subject"]: finding["status"] for finding in findings_of(result, "SF107")}
    assert sf107 == {"user bob.campaigns@globex.example": "fail", "user marta.lind@globex.example": "pass"}
    [sf120_fail] = [finding for finding in findings_of(result, "SF120") if finding["status"] == "fail"]
    assert sf120_fail["subject"] == "user olga.former@globex.example"
    [mc207] = findings_of(result, "MC207")
    assert "100000002 (Globex Retail)" in mc207["message"]


def test_integrations_names_what_failed() -> None:
    """Each API rule fails once in integrations.yaml, on the integration the sample's comment describes."""
    _, result, _ = audit("integrations")
    failed = {finding["rule_id"]: finding for finding in result["findings"]
              if finding["rule_id"].startswith("API") and finding["status"] == "fail"}
    assert sorted(failed) == [f"API60{n}" for n in range(1, 8)]
    assert failed["API601"]["subject"] == "installed package 'ET App Center (2016)'"
    assert "used by: Win-back trigger" in failed["API601"]["evidence"]
    assert "www.exacttargetapis.com" in failed["API602"]["message"] or "webservice" in failed["API602"]["message"]
    assert "data_extensions_write, email_send" in failed["API603"]["message"]
    assert "'APIEvent-9f3b0c6d-winback'" in failed["API604"]["message"]
    assert "'firstName' differs from the schema's 'FirstName' in case" in failed["API605"]["message"]
    assert "Inactive" in failed["API606"]["message"]
    assert failed["API607"]["subject"] == "Data Extension write by 'Nightly CRM sync (MuleSoft)' (key Customers)"
