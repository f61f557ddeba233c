"""The Markdown report stays under GitHub's step-summary limit whatever the org's size, and says
what it left out and where the full report is."""

from __future__ import annotations

from mcaudit.findings import AuditReport, AuditResult, Finding, Severity, SnapshotIdentity, Status
from mcaudit.report import RenderOptions, render
from mcaudit.report.markdown_format import MAX_BYTES, render_markdown

GITHUB_LIMIT = 1024 * 1024


def _org(users: int) -> AuditReport:
    """An org where four rules fail for `users` users each."""
    findings = []
    for rule_id in ("SF107", "SF120", "SF121", "SF122"):
        findings += [Finding(rule_id=rule_id, severity=Severity.medium, status=Status.fail,
                             subject=f"user u{n}@very-long-company-domain.example",
                             message=f"user u{n}@very-long-company-domain.example uses MCC but does not have "
                                     "Marketing User checked",
                             evidence=("Marketing User: false (expected true)",), location=f"salesforce.users[{n}]")
                     for n in range(users)]
    result = AuditResult(snapshot=SnapshotIdentity(path="big.json", name="Enterprise", source="live",
                                                   collected_at="2026-11-20T00:00:00Z", schema_version=1,
                                                   org_id=None, mid=None),
                         mode="audit", findings=tuple(findings), fail_on=Severity.high)
    return AuditReport(command="audit", tool_version="0", results=(result,))


def test_a_small_org_is_listed_whole() -> None:
    markdown = render(_org(20), "markdown")
    assert "Shortened" not in markdown
    assert markdown.count("\n  - user u") == 80  # every subject of the four rules


def test_an_enterprise_org_stays_under_the_limit_and_says_what_it_left_out() -> None:
    markdown = render(_org(2_000), "markdown")
    assert len(markdown.encode("utf-8")) <= MAX_BYTES < GITHUB_LIMIT
    assert "> **Shortened to fit a step summary:** at most 100 subjects per rule are listed (7,600 left out); " \
           "run again with `--format html -o report.html` or `--format json` for every finding." in markdown
    assert markdown.count("_and 1,900 more, left out here_") == 4
    assert markdown.count("\n  - user u") == 400


def test_it_names_the_full_report_the_same_run_writes() -> None:
    markdown = render(_org(200), "markdown", RenderOptions(companions=("out/report.html", "out/report.json")))
    assert "the full report is `out/report.html`, `out/report.json` (written by the same run)." in markdown


def test_fewer_subjects_per_rule_until_it_fits() -> None:
    report = _org(2_000)
    whole = len(render_markdown(report).encode("utf-8"))
    markdown = render_markdown(report, max_bytes=whole // 2)
    assert len(markdown.encode("utf-8")) <= whole // 2
    assert "at most 25 subjects per rule are listed (7,900 left out)" in markdown
    assert markdown.count("\n  - user u") == 100


def test_then_the_details_go_and_the_table_stays() -> None:
    report = _org(2_000)
    table_only = render_markdown(report, max_bytes=2_500)
    assert "the details of each rule are left out; the table lists every rule" in table_only
    assert "### Details" not in table_only and table_only.count("| ❌ FAIL | medium |") == 4


def test_when_nothing_else_fits_the_text_is_cut_at_a_line_and_says_so() -> None:
    markdown = render_markdown(_org(200), max_bytes=1_000)
    assert len(markdown.encode("utf-8")) <= 1_000
    assert markdown.endswith("> **Cut to fit 1,000 bytes:** run again with `--format html -o report.html` or "
                             "`--format json` for every finding.\n")
