"""The console layout: the verdict first, findings most urgent first across areas, a rule failing
for many subjects as one entry, and the broken sample's whole audit in about 60 lines at 80 columns."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from mcaudit.findings import AuditReport, AuditResult, Finding, Severity, SnapshotIdentity, Status
from mcaudit.report import RenderOptions, render

from ..conftest import SAMPLES, run_cli

SEVERITY_RANK = ["critical", "high", "medium", "low", "info"]
ENTRY = re.compile(r"^  (critical|high|medium|low|info)\s+([A-Z]+\d+)\s+")


def broken_console(monkeypatch: pytest.MonkeyPatch, *extra: str) -> list[str]:
    monkeypatch.setenv("COLUMNS", "80")
    result = run_cli("audit", SAMPLES / "broken.yaml", "--no-color", *extra)
    assert result.returncode == 1, result.stderr
    return result.stdout.splitlines()


def test_the_broken_sample_fits_in_about_60_lines_at_80_columns(monkeypatch: pytest.MonkeyPatch) -> None:
    lines = broken_console(monkeypatch)
    assert len(lines) <= 62
    assert max(len(line) for line in lines) <= 80


def test_the_verdict_and_counts_come_first(monkeypatch: pytest.MonkeyPatch) -> None:
    lines = broken_console(monkeypatch)
    assert lines[3] == " FAIL  14 problems rated high or above must be fixed"
    assert lines[4].strip().startswith("Fix them, most severe first")
    assert any(line.startswith("63 checks: 22 fail · 23 pass · 18 n/a") for line in lines[:9])


def test_a_long_snapshot_path_keeps_the_heading_on_one_line(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    deep = tmp_path.joinpath(*["a-rather-long-folder-name"] * 6)
    deep.mkdir(parents=True)
    shutil.copy(SAMPLES / "broken.yaml", deep / "broken.yaml")
    monkeypatch.setenv("COLUMNS", "80")
    lines = run_cli("audit", deep / "broken.yaml", "--no-color").stdout.splitlines()
    assert lines[0].startswith("mcaudit audit · Globex production (drifted) · …")
    assert lines[0].endswith("/broken.yaml") and len(lines[0]) <= 80
    assert lines[3] == " FAIL  14 problems rated high or above must be fixed"


def test_failures_are_ordered_by_severity_across_areas(monkeypatch: pytest.MonkeyPatch) -> None:
    lines = broken_console(monkeypatch)
    entries = [ENTRY.match(line) for line in lines]
    found = [(m.group(1), m.group(2)) for m in entries if m]
    assert len(found) == 22  # one entry per failing rule, nothing else listed by default
    ranks = [SEVERITY_RANK.index(severity) for severity, _ in found]
    assert ranks == sorted(ranks)
    # Marketing Cloud critical failures come before Salesforce high ones, not after them
    ids = [rule_id for _, rule_id in found]
    assert ids.index("MC208") < ids.index("SF102") and ids.index("SF120") > ids.index("MC213")
    assert lines.index("Failed (22)") < min(i for i, m in enumerate(entries) if m)


def test_verbose_adds_evidence_fixes_sources_and_the_passes(monkeypatch: pytest.MonkeyPatch) -> None:
    lines = broken_console(monkeypatch, "--verbose")
    text = "\n".join(lines)
    assert "evidence: Frozen: true (expected false)" in text
    assert "fix: Reactivate the user" in text
    assert "https://help.salesforce.com/s/articleView?id=003834038" in "".join(text.split())
    assert "Passed (23)" in lines and "Not applicable (18)" in lines


def _many(count: int) -> AuditReport:
    users = [
        Finding(rule_id="SF121", severity=Severity.medium, status=Status.fail, subject=f"user u{n}@x.example",
                message=f"user u{n}@x.example uses MCC but does not have Marketing User checked",
                evidence=("Marketing User: false (expected true)",))
        for n in range(count)]
    findings = (*users, Finding(rule_id="MC208", severity=Severity.critical, status=Status.fail,
                                subject="MC API user api@x", message="MC API user api@x is inactive or locked out"))
    result = AuditResult(snapshot=SnapshotIdentity(path="org.yaml", name=None, source="export",
                                                   collected_at="2026-11-20T00:00:00Z", schema_version=1,
                                                   org_id=None, mid=None),
                         mode="audit", findings=findings, fail_on=Severity.high)
    return AuditReport(command="audit", tool_version="0", results=(result,))


def test_a_rule_failing_for_many_subjects_is_one_entry_with_its_count() -> None:
    text = render(_many(2_000), "console", RenderOptions(width=80))
    lines = text.splitlines()
    assert len(lines) < 25
    [entry] = [i for i, line in enumerate(lines) if ENTRY.match(line) and "SF121" in line]
    assert "user u0@x.example uses MCC" in lines[entry]
    block = " ".join(line.strip() for line in lines[entry:entry + 4])
    assert "+ 1,999 more: user u1@x.example, user u2@x.example, user u3@x.example and 1,996 more" in block
    assert lines.index("Failed (2,001)") < entry
    assert [ENTRY.match(line).group(2) for line in lines if ENTRY.match(line)] == ["MC208", "SF121"]


def test_verbose_lists_every_subject() -> None:
    text = render(_many(50), "console", RenderOptions(width=200, verbose=True))
    assert all(f"user u{n}@x.example uses MCC" in text for n in range(50))
    assert text.count("evidence: Marketing User: false (expected true)") == 50


def test_quiet_keeps_only_the_verdict_and_counts(monkeypatch: pytest.MonkeyPatch) -> None:
    lines = broken_console(monkeypatch, "--quiet")
    assert len(lines) <= 8 and lines[3].startswith(" FAIL ")
    assert not any(ENTRY.match(line) for line in lines)


def test_a_collector_error_is_said_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    text = run_cli("audit", SAMPLES / "partial.yaml", "--no-color").stdout
    assert text.count("REQUEST_LIMIT_EXCEEDED") == 1
    dash = "\u2013"
    assert (f"salesforce.permission_set_assignments (3 checks: SF120{dash}SF122) and salesforce.permission_sets "
            f"(5 checks: SF105{dash}SF108, SF117) were not collected") in text
