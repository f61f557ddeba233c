"""`mcaudit attest` and `--attestations`: a template of the facts no API shows, filled in by a person,
turns `manual` into pass or fail "attested by ... on ...", until it is too old (issue 16)."""

from __future__ import annotations

import json
from pathlib import Path

from mcaudit.yamlio import load_yaml

from ..conftest import SAMPLES, run_cli

PARTIAL = SAMPLES / "partial.yaml"  # collected 2026-11-23; five facts no API shows are unknown to it
FACTS = {  # what a person reads in Setup, as the template's accepted values spell it
    "salesforce.connected_app.ip_relaxation": "relax",
    "marketing_cloud.api_user.salesforce_status": "integrated",
    "marketing_cloud.api_user.salesforce_username": "mcc.system@acme.example",
    "salesforce.mcc_connector.connected": True,
    "marketing_cloud.security.api_users_excluded_from_password_expiration": True,
}
RULES = {"SF103", "MC202", "MC203", "MC211", "MC212"}


def statuses(*args: str | Path) -> dict[str, list[dict[str, object]]]:
    done = run_cli("audit", PARTIAL, "--format", "json", "--select", ",".join(sorted(RULES)), *args)
    assert done.returncode in (0, 1, 4), done.stderr
    found: dict[str, list[dict[str, object]]] = {}
    for finding in json.loads(done.stdout)["results"][0]["findings"]:
        found.setdefault(finding["rule_id"], []).append(finding)
    return found


def template(tmp_path: Path) -> Path:
    path = tmp_path / "attest.yaml"
    done = run_cli("attest", PARTIAL, "-o", path)
    assert done.returncode == 0, done.stderr
    assert done.stderr == f"mcaudit: wrote 5 facts to attest to {path}\n"
    return path


def fill(path: Path, on: str, facts: dict[str, object] = FACTS) -> None:
    """Fill the template as a person would: the value after `value:`, name and date after theirs."""
    lines = path.read_text(encoding="utf-8").splitlines()
    fact = None
    for index, line in enumerate(lines):
        if line.startswith("  - fact: "):
            fact = json.loads(line.removeprefix("  - fact: "))
        elif fact in facts and line == "    value:":
            lines[index] = f"    value: {json.dumps(facts[fact])}"
        elif fact in facts and line == "    attested_by:":
            lines[index] = "    attested_by: dana.admin@acme.example"
        elif fact in facts and line == "    attested_at:":
            lines[index] = f"    attested_at: {on}"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_the_template_lists_each_missing_fact_with_where_to_look_and_the_accepted_values(tmp_path: Path) -> None:
    text = template(tmp_path).read_text(encoding="utf-8")
    data = load_yaml(text)
    assert [entry["fact"] for entry in data["attestations"]] == list(FACTS)
    assert all(entry["value"] is None for entry in data["attestations"])
    assert "# for SF103 The connected app's IP Relaxation is \"Relax IP restrictions\"" in text
    assert "# where to look: open Setup > Connected Apps > Manage Connected Apps > Salesforce Marketing Cloud" in text
    assert 'relax ("Relax IP restrictions")' in text
    assert "# accepted values: true or false" in text  # MC211 and MC212 are flags
    assert max(len(line) for line in text.splitlines()) <= 100


def test_filled_in_the_manual_checks_become_attested_passes(tmp_path: Path) -> None:
    before = statuses()
    assert {rule for rule, found in before.items() if {f["status"] for f in found} == {"manual"}} == RULES
    path = template(tmp_path)
    fill(path, "2026-11-22")
    after = statuses("--attestations", path)
    for rule in RULES:
        [finding] = after[rule]
        assert finding["status"] == "pass", (rule, finding)
        assert finding["attested"]["by"] == "dana.admin@acme.example"
        assert finding["attested"]["on"] == "2026-11-22"
    assert "attested by dana.admin@acme.example on 2026-11-22" in " ".join(after["SF103"][0]["evidence"])


def test_an_attested_value_can_fail_too(tmp_path: Path) -> None:
    path = template(tmp_path)
    fill(path, "2026-11-22", {**FACTS, "salesforce.connected_app.ip_relaxation": "enforce"})
    [finding] = statuses("--attestations", path)["SF103"]
    assert finding["status"] == "fail" and finding["attested"]["by"] == "dana.admin@acme.example"


def test_an_expired_attestation_turns_it_back_to_manual(tmp_path: Path) -> None:
    path = template(tmp_path)
    fill(path, "2026-01-05")  # more than 90 days before the snapshot was collected
    after = statuses("--attestations", path)
    assert {after[rule][0]["status"] for rule in RULES} == {"manual"}
    assert "is older than 90 days" in after["SF103"][0]["message"]
    again = run_cli("attest", PARTIAL, "--attestations", path)
    assert again.stdout.count("  - fact: ") == 5
    assert "too old to count: look again" in again.stdout


def test_blank_entries_are_skipped_and_a_half_filled_one_is_an_error_with_its_line(tmp_path: Path) -> None:
    path = template(tmp_path)
    fill(path, "2026-11-22", {"salesforce.connected_app.ip_relaxation": "relax"})
    done = run_cli("audit", PARTIAL, "--attestations", path, "--select", "SF103", "--format", "json")
    assert f"mcaudit: {path}: 4 attestations left blank, skipped\n" in done.stderr
    assert json.loads(done.stdout)["results"][0]["findings"][0]["status"] == "pass"
    text = path.read_text(encoding="utf-8").replace("    attested_by: dana.admin@acme.example\n", "    attested_by:\n")
    path.write_text(text, encoding="utf-8")
    done = run_cli("audit", PARTIAL, "--attestations", path)
    assert done.returncode == 2
    line = next(i for i, text_line in enumerate(text.splitlines(), 1) if text_line == "    attested_by:")
    assert done.stderr.startswith(f"mcaudit: error: {path}:{line}:")


def test_every_command_takes_attestations(tmp_path: Path) -> None:
    path = template(tmp_path)
    fill(path, "2026-11-22")
    triage = run_cli("triage", PARTIAL, "--symptom", "connection-fails", "--attestations", path, "-f", "json")
    [diagnosis] = json.loads(triage.stdout)["diagnoses"]
    assert "MC211" not in [cause["rule_id"] for cause in diagnosis["cannot_tell"]]
    assert run_cli("attest", PARTIAL, "--attestations", path).stdout.count("  - fact: ") == 0
    for command in ("preflight", "verify"):
        assert "--attestations FILE" in run_cli(command, "--help").stdout
