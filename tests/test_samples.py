"""Every bundled sample's verdict and per-rule statuses, pinned through the real CLI.

Each sample is audited once by `python -m mcaudit audit SAMPLE --format json` in a child process;
the exit code, the verdict and the exact status of every rule are compared with the golden file
tests/golden/sample_statuses.json. A rule with several subjects (SF107, SF120-SF122) is pinned as
its sorted statuses joined by "+".

A new rule or sample changes that file through `pytest tests/test_samples.py --update-golden`,
never by hand; review the diff it leaves like any other change.
"""

from __future__ import annotations

import json
from collections import defaultdict
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from .conftest import SAMPLES, run_cli

GOLDEN = Path(__file__).resolve().parent / "golden" / "sample_statuses.json"
UPDATE_HINT = "if the change is intended, run `pytest tests/test_samples.py --update-golden` and review the diff"

# the facts no API returns, left to a person in partial.yaml and attested in partial-attested.yaml
PERSON_CHECKED = ("SF103", "MC202", "MC203", "MC211", "MC212")
# what a person says the connection should be: only the sandbox sample needs it to show its failure
EXPECTATIONS = SAMPLES.parent / "docs" / "examples" / "expectations.yaml"
FLAGS: dict[str, tuple[str, ...]] = {"sandbox-wired-to-production": ("--expectations", str(EXPECTATIONS))}
# the samples of issue 14's silent failures: exactly these rules fail, nothing is left unknown
ONE_FAILURE = {
    "sandbox-wired-to-production": {"SF130"},
    "journey-flow-inactive": {"SF133"},
    "custom-object-no-trigger": {"SF132"},
    "silent-failures": {"SF134", "SF135", "SF136", "MC214", "MC207"},  # MC207: the API user cannot reach it
}


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


def samples_on_disk() -> list[str]:
    return sorted(path.stem for path in SAMPLES.glob("*.yaml"))


def pin(sample: str) -> dict[str, Any]:
    """What the golden file holds for one sample: exit code, verdict and every rule's statuses."""
    returncode, result, _ = audit(sample, *FLAGS.get(sample, ()))
    return {"exit_code": returncode, "verdict": result["verdict"], "statuses": status_map(result)}


def write_golden(pins: dict[str, dict[str, Any]]) -> None:
    GOLDEN.parent.mkdir(parents=True, exist_ok=True)
    GOLDEN.write_text(json.dumps(pins, indent=1, sort_keys=True) + "\n", encoding="utf-8")


@cache
def golden() -> dict[str, dict[str, Any]]:
    pins: dict[str, dict[str, Any]] = json.loads(GOLDEN.read_text(encoding="utf-8"))
    return pins


def test_golden_file_pins_every_sample(update_golden: bool) -> None:
    if update_golden:  # the one place the file is written: every sample, so none goes stale
        write_golden({sample: pin(sample) for sample in samples_on_disk()})
        golden.cache_clear()
    assert sorted(golden()) == samples_on_disk(), f"tests/golden/sample_statuses.json: {UPDATE_HINT}"


@pytest.mark.parametrize("sample", samples_on_disk())
def test_sample_verdict_and_statuses(sample: str, update_golden: bool) -> None:
    if update_golden:
        pytest.skip("rewriting the golden file (test_golden_file_pins_every_sample)")
    expected = golden().get(sample)
    assert expected is not None, f"{sample} is not in tests/golden/sample_statuses.json: {UPDATE_HINT}"
    actual = pin(sample)
    assert (actual["exit_code"], actual["verdict"]) == (expected["exit_code"], expected["verdict"]), \
        f"{audit(sample)[2]}\n{UPDATE_HINT}"
    changed = {rule_id: (expected["statuses"].get(rule_id), actual["statuses"].get(rule_id))
               for rule_id in expected["statuses"].keys() | actual["statuses"].keys()
               if expected["statuses"].get(rule_id) != actual["statuses"].get(rule_id)}
    assert not changed, f"{sample}: rule -> (golden, now): {dict(sorted(changed.items()))}\n{UPDATE_HINT}"

@pytest.mark.parametrize("sample", samples_on_disk())
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
    pinned = [entry["statuses"] for entry in golden().values()]
    checklist = {rule_id for statuses in pinned for rule_id in statuses if rule_id.startswith(("SF", "MC"))}
    failing = {rule_id for statuses in pinned for rule_id, status in statuses.items() if "fail" in status}
    assert sorted(checklist - failing) == []
    assert len(checklist) == 40


def test_partial_unknowns_name_the_failed_collector() -> None:
    _, result, _ = audit("partial")
    assert result["snapshot"]["failed_collectors"] == ["salesforce.permissions"]
    unknown = [finding for finding in result["findings"] if finding["status"] == "unknown"]
    assert unknown
    for finding in unknown:  # the message names what is missing; why is its evidence
        assert "were not collected" in finding["message"] or "was not collected" in finding["message"]
        assert any("collector salesforce.permissions failed: REQUEST_LIMIT_EXCEEDED" in item
                   for item in finding["evidence"])


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


@pytest.mark.parametrize("sample", sorted(ONE_FAILURE))
def test_a_silent_failure_sample_fails_exactly_its_rules(sample: str) -> None:
    returncode, result, _ = audit(sample, *FLAGS.get(sample, ()))
    assert (returncode, result["verdict"]) == (1, "fail")
    statuses = status_map(result)
    assert {rule_id for rule_id, status in statuses.items() if "fail" in status} == ONE_FAILURE[sample]
    assert not [rule_id for rule_id, status in statuses.items() if "unknown" in status or "manual" in status]


def test_without_expectations_the_sandbox_is_left_to_a_person() -> None:
    returncode, result, _ = audit("sandbox-wired-to-production")
    [sf130] = findings_of(result, "SF130")
    assert sf130["status"] == "manual" and "expectations.production_mids" in sf130["message"]
    assert returncode == 0  # manual sets no exit code without --strict


def test_silent_failures_names_what_failed() -> None:
    _, result, _ = audit("silent-failures")
    [mc214] = [finding for finding in findings_of(result, "MC214") if finding["status"] == "fail"]
    assert mc214["subject"] == "business unit 510000044 (ACME Outlet)"
    [sf134] = findings_of(result, "SF134")
    assert "welcome-email is Inactive" in sf134["message"]
    assert any("on its ObjectID" in line for line in sf134["evidence"])
