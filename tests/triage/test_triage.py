"""`mcaudit triage`: a symptom turned into likely causes, what cannot be told yet and what is ruled
out, from the rule files' `symptoms:` (issue 15)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pytest

from mcaudit.diagnosis import Verdict
from mcaudit.engine import EvaluationConfig, RulePack, evaluate, load_rules
from mcaudit.errors import RuleError
from mcaudit.findings import AuditResult, RuleInfo, Status
from mcaudit.snapshot import load_snapshot
from mcaudit.symptoms import symptom, symptom_names, symptoms
from mcaudit.triage import diagnose

from ..conftest import SAMPLES, run_cli

SAMPLE_FILES = sorted(path for path in SAMPLES.rglob("*.yaml") if "merge" not in path.parts)


@cache
def pack() -> RulePack:
    return load_rules()


@cache
def audited(path: Path) -> AuditResult:
    loaded = load_snapshot(path)
    return evaluate(loaded.snapshot, pack(), EvaluationConfig(mode="audit", fail_on=None), path=loaded.path)


def mapped(name: str) -> list[RuleInfo]:
    return [rule.info() for rule in pack().rules if any(link.symptom == name for link in rule.symptoms)]


def test_every_symptom_is_explained_by_at_least_two_audit_rules() -> None:
    for known in symptoms():
        rules = mapped(known.name)
        assert len(rules) >= 2, f"{known.name}: {[rule.id for rule in rules]}"
        assert all("audit" in rule.modes for rule in rules)
        assert known.also_from  # what no configuration shows is always said


def test_a_rule_naming_an_unknown_symptom_does_not_load(tmp_path: Path) -> None:
    source = next((SAMPLES.parent / "rules").rglob("MC206.yaml")).read_text(encoding="utf-8")
    (tmp_path / "XC950.yaml").write_text(
        source.replace("id: MC206", "id: XC950").replace("name: ", "name: x-", 1)
        .replace("symptom: connection-fails", "symptom: conection-fails"), encoding="utf-8")
    with pytest.raises(RuleError) as raised:
        load_rules([tmp_path], include_builtin=False)
    assert "unknown symptom 'conection-fails'; did you mean 'connection-fails'?" in str(raised.value)


def _expected_order(rules: list[RuleInfo]) -> list[str]:
    """The documented order, computed independently: severity, then fewest symptoms, then id."""
    ranks = {"critical": 0, "high": 1, "medium": 2, "low": 3, "info": 4}
    return [rule.id for rule in sorted(rules, key=lambda r: (ranks[r.severity.value], len(r.symptoms), r.id))]


@pytest.mark.parametrize("sample", SAMPLE_FILES, ids=lambda path: str(path.relative_to(SAMPLES)))
def test_likely_causes_are_exactly_the_failing_mapped_rules_in_order(sample: Path) -> None:
    result = audited(sample)
    for name in symptom_names():
        known = symptom(name)
        assert known is not None
        diagnosis = diagnose(result, known)
        statuses: dict[str, set[Status]] = {}
        for finding in result.findings:
            statuses.setdefault(finding.rule_id, set()).add(finding.status)
        rules = [rule for rule in mapped(name) if rule.id in statuses]
        failing = [r for r in rules if statuses[r.id] & {Status.fail, Status.waived}]
        untold = [r for r in rules if r not in failing and statuses[r.id] & {Status.unknown, Status.manual}]
        assert [c.rule.id for c in diagnosis.likely] == _expected_order(failing), name
        assert [c.rule.id for c in diagnosis.cannot_tell] == _expected_order(untold), name
        assert len(diagnosis.ruled_out) == len(rules) - len(failing) - len(untold)
        assert all(c.verdict is Verdict.likely and c.findings for c in diagnosis.likely)
        assert diagnosis.exit_code == (1 if failing else 4 if untold else 0)


def test_a_missing_section_cannot_be_told_and_is_named() -> None:
    known = symptom("tracking-missing")
    assert known is not None
    diagnosis = diagnose(audited(SAMPLES / "partial.yaml"), known)
    assert not diagnosis.likely
    sf106 = next(c for c in diagnosis.cannot_tell if c.rule.id == "SF106")
    assert "salesforce.permission_sets" in sf106.next_step and sf106.next_step.startswith("collect")
    manual = next(c for c in diagnosis.cannot_tell if c.rule.id == "MC211")
    assert "check by hand: " in manual.next_step


def test_list_names_each_symptom_first() -> None:
    done = run_cli("triage", "--list")
    assert done.returncode == 0
    lines = done.stdout.splitlines()
    assert [line.split()[0] for line in lines] == list(symptom_names())
    assert lines[0].startswith("sends-stopped") and "Triggered sends stopped or never fire" in lines[0]
    listed = json.loads(run_cli("triage", "--list", "--format", "json").stdout)
    assert listed[0] == {"name": "sends-stopped", "title": "Triggered sends stopped or never fire"}
    assert len(listed) == len(symptoms()) >= 9


def test_console_answer_and_exit_codes() -> None:
    done = run_cli("triage", SAMPLES / "broken.yaml", "--symptom", "crm-users-cannot-use-mc", "--no-color")
    assert done.returncode == 1, done.stderr
    text = done.stdout
    assert text.index("Likely causes") < text.index("Ruled out") < text.index("Also possible")
    assert " 1. SF102 high " in text and "fix: Edit the connected app's policies" in text
    assert run_cli("triage", SAMPLES / "partial.yaml", "--symptom", "tracking-missing").returncode == 4
    assert run_cli("triage", SAMPLES / "healthy.yaml", "--symptom", "connection-fails").returncode == 0


def test_an_unknown_symptom_is_bad_input_with_a_suggestion() -> None:
    done = run_cli("triage", SAMPLES / "broken.yaml", "--symptom", "sends-stoped")
    assert done.returncode == 2
    assert done.stderr == "mcaudit: error: --symptom: unknown symptom 'sends-stoped'; did you mean 'sends-stopped'?\n"
    assert run_cli("triage", SAMPLES / "broken.yaml").returncode == 2


def test_markdown_html_and_json(tmp_path: Path) -> None:
    done = run_cli("triage", SAMPLES / "broken.yaml", "--symptom", "connection-fails",
                   "-o", tmp_path / "t.md", "-o", tmp_path / "t.html", "-o", tmp_path / "t.json")
    assert done.returncode == 1, done.stderr
    markdown = (tmp_path / "t.md").read_text(encoding="utf-8")
    assert markdown.startswith("## Triage: Connection test or re-authentication fails · Globex production")
    assert "### Likely causes, most severe and most specific first\n\n1. **" in markdown
    html = (tmp_path / "t.html").read_text(encoding="utf-8")
    assert "script-src &#39;none&#39;" in html and "<script" not in html  # no script may run
    assert 'rel="noopener noreferrer"' in html
    data = json.loads((tmp_path / "t.json").read_text(encoding="utf-8"))
    assert data["kind"] == "triage" and data["exit_code"] == 1
    [diagnosis] = data["diagnoses"]
    assert diagnosis["symptom"]["name"] == "connection-fails"
    likely = [cause["rule_id"] for cause in diagnosis["likely"]]
    assert likely[0] in {"MC208", "SF106", "SF111"} and len(likely) == len(set(likely))
    assert all(cause["how"] and cause["next_step"] for cause in diagnosis["likely"])


def test_after_a_rotation_never_restored_the_paused_definitions_come_first() -> None:
    """The preflight story end to end: the sends were paused during a rotation done without a
    preflight and never activated again; triage names exactly those definitions first."""
    for name in ("sends-stopped", "everything-stopped"):
        done = run_cli("triage", SAMPLES / "rotation" / "never-restored.yaml", "--symptom", name, "-f", "json")
        assert done.returncode == 1, done.stderr
        [diagnosis] = json.loads(done.stdout)["diagnoses"]
        first = diagnosis["likely"][0]
        assert first["rule_id"] == "SF134"
        assert sorted(f["subject"] for f in first["findings"]) == [
            "automated send 'Order receipt' (a0B5g000001OrdrAAA)",
            "automated send 'Welcome email' (a0B5g000001WelcAAA)"]
        assert all("Inactive" in f["message"] for f in first["findings"])


def test_expectations_turn_cannot_tell_into_a_likely_cause(tmp_path: Path) -> None:
    sandbox = SAMPLES / "sandbox-wired-to-production.yaml"
    expectations = SAMPLES.parent / "docs" / "examples" / "expectations.yaml"
    args = ("triage", sandbox, "--symptom", "sandbox-reaching-production", "-f", "json")
    untold = json.loads(run_cli(*args).stdout)["diagnoses"][0]
    assert [c["rule_id"] for c in untold["cannot_tell"]] == ["SF130"]
    assert "expectations.production_mids" in untold["cannot_tell"][0]["next_step"]
    done = run_cli(*args, "--expectations", expectations)
    assert done.returncode == 1
    assert json.loads(done.stdout)["diagnoses"][0]["likely"][0]["rule_id"] == "SF130"
    (tmp_path / "mcaudit.toml").write_text("[expectations]\nproduction_mids = [510000001]\n", encoding="utf-8")
    from_table = run_cli("triage", sandbox, "--symptom", "sandbox-reaching-production", cwd=tmp_path)
    assert from_table.returncode == 1, from_table.stderr


def test_the_symptom_reference_page_lists_each_symptom_and_its_rules() -> None:
    from mcaudit.docsgen import symptoms_md

    page = symptoms_md()
    for known in symptoms():
        assert f"## `{known.name}`: {known.title}" in page
        for rule in mapped(known.name):
            assert f"[{rule.id}](rules.md#{rule.id.lower()})" in page


def test_attestation_max_age_and_waiver_ids_work_as_for_audit(tmp_path: Path) -> None:
    sample = (SAMPLES / "partial-attested.yaml").read_text(encoding="utf-8")
    aged = tmp_path / "aged.yaml"  # attested ten months before the snapshot was collected
    aged.write_text(sample.replace("attested_at: 2026-11-23", "attested_at: 2026-01-10"), encoding="utf-8")

    def untold(*extra: str | Path) -> list[str]:
        done = run_cli("triage", aged, "--symptom", "everything-stopped", "-f", "json", *extra)
        return sorted(cause["rule_id"] for cause in json.loads(done.stdout)["diagnoses"][0]["cannot_tell"])

    assert untold() == ["MC202", "MC203", "MC212"]  # too old at the default 90 days
    assert untold("--attestation-max-age", "400") == []
    (tmp_path / "mcaudit.toml").write_text("attestation-max-age = 400\n", encoding="utf-8")
    from_file = run_cli("triage", aged, "--symptom", "everything-stopped", "-f", "json", cwd=tmp_path)
    assert json.loads(from_file.stdout)["diagnoses"][0]["cannot_tell"] == []  # the shared key applies here too
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text("waivers:\n  - rule: SF1O6\n    reason: typo\n", encoding="utf-8")
    done = run_cli("triage", aged, "--symptom", "everything-stopped", "--waivers", waivers)
    assert done.returncode == 2 and "did you mean SF106" in done.stderr
