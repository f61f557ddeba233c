"""The Markdown report: valid GFM for a step summary or a ticket, with every value escaped."""

from __future__ import annotations

import re
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from mcaudit.findings import AuditReport
from mcaudit.report import RenderOptions, render
from mcaudit.report.markdown_text import code_span, escape_cell, escape_inline

from .conftest import HOSTILE_STRINGS, MARKDOWN, SAMPLE_FILES, SCRIPT, as_preflight, sample_id

# GitHub renders raw HTML in Markdown (sanitised); render it here too, so any that slipped through shows
GFM = MarkdownIt("commonmark", {"html": True}).enable("table").enable("strikethrough")
UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def rendered(markdown: str) -> _Collect:
    collector = _Collect()
    collector.feed(GFM.render(markdown))
    return collector


def table_rows(markdown: str) -> list[list[str]]:
    """Each table's rows as their raw cells, split the way GFM splits them."""
    rows = []
    for line in markdown.splitlines():
        if line.startswith("|"):
            rows.append(UNESCAPED_PIPE.split(line)[1:-1])
    return rows


def assert_tables_well_formed(markdown: str) -> None:
    width = None
    for cells in table_rows(markdown):
        if all(re.fullmatch(r"-+", cell) for cell in cells):
            continue
        if cells[0].strip() in {"Snapshot", "Status"}:
            width = len(cells)
        assert len(cells) == width, f"row with {len(cells)} cells under a {width}-column header: {cells}"


@pytest.mark.parametrize("sample", SAMPLE_FILES, ids=sample_id)
def test_every_sample_renders_valid_markdown(sample: Path, make_report: Callable[..., AuditReport]) -> None:
    report = make_report(sample)
    markdown = render(report, "markdown")
    result = report.results[0]
    verdict = {"pass": "PASS", "fail": "FAIL", "incomplete": "INCOMPLETE"}[result.verdict.value]
    assert markdown.startswith(f"## {'✅❌⚠️'[['PASS', 'FAIL', 'INCOMPLETE'].index(verdict)]}")
    assert_tables_well_formed(markdown)
    html = rendered(markdown)
    assert not [tag for tag, _ in html.tags if tag in {"script", "img", "iframe", "details"}]
    attention = [f for f in result.findings if f.status.value in {"fail", "unknown", "manual", "waived"}]
    groups = {(f.rule_id, f.status) for f in attention}  # one row and one section per rule and status
    rows = [cells for cells in table_rows(markdown) if cells[0].strip()[:1] in "❌❓🔎💤✅⚪"]
    assert len(rows) == len(groups)
    assert sum(int(cells[4]) for cells in rows) == len(attention)  # the subject counts add up
    assert markdown.count("\n#### ") == len(groups)


def test_verbose_lists_every_check(make_report: Callable[..., AuditReport]) -> None:
    report = make_report(SAMPLE_FILES[0])
    markdown = render(report, "markdown", RenderOptions(verbose=True))
    rows = [cells for cells in table_rows(markdown) if cells[0].strip()[:1] in "❌❓🔎💤✅⚪"]
    assert sum(int(cells[4]) for cells in rows) == len(report.results[0].findings)
    assert "not listed" not in markdown


def test_table_then_details(make_report: Callable[..., AuditReport], hostile_snapshot: Path) -> None:
    markdown = render(make_report(hostile_snapshot), "markdown")
    table = markdown.index("| Status | Severity | Rule | Finding | Subjects |")
    details = markdown.index("### Details")
    assert table < details
    section = markdown[details:]
    # headed by what is wrong; the rule's title (its passing condition) comes second
    heading = next(line for line in section.splitlines() if line.startswith("#### ❌ MC208: "))
    assert heading.endswith("is inactive or locked out")
    assert "- **Rule:** The MC API user is active and not locked · **Status:** FAIL" in section
    assert "- **How to fix:** " in section and "- **Source:** KB 003834038" in section
    assert "- **Evidence:**\n  - " in section


def test_hostile_names_are_literal_text(hostile_report: AuditReport) -> None:
    markdown = render(hostile_report, "markdown")
    assert SCRIPT not in markdown and "<img" not in markdown
    assert_tables_well_formed(markdown)
    html = rendered(markdown)
    assert not [tag for tag, _ in html.tags if tag in {"script", "img"}]
    assert not [attrs for tag, attrs in html.tags if tag == "a" and "javascript" in (attrs.get("href") or "")]
    text = "".join(html.text)
    for hostile in HOSTILE_STRINGS:
        assert hostile in text, hostile
    # in the findings table the subject stays inside its own cell
    cell = next(cells for cells in table_rows(markdown) if "SF113" in cells[2])
    assert MARKDOWN.split("|")[1].strip() in GFM.render(cell[3])
    assert cell[4].strip() == "1"


def test_several_snapshots_get_an_overview(make_report: Callable[..., AuditReport],
                                           hostile_snapshot: Path) -> None:
    markdown = render(make_report(SAMPLE_FILES[0], hostile_snapshot), "markdown")
    assert markdown.startswith("# mcaudit audit: 2 snapshots\n")
    assert markdown.count("\n## ") == 2
    assert_tables_well_formed(markdown)


def test_preflight_shows_go_no_go_and_the_runbook(make_report: Callable[..., AuditReport],
                                                   hostile_snapshot: Path) -> None:
    markdown = render(as_preflight(make_report(hostile_snapshot)), "markdown")
    assert markdown.startswith("## 🔴 NO-GO: Credential-rotation preflight of ")
    assert "- [ ] **1. Pause** (triggered send `welcome-ts`): Pause the triggered send\n" in markdown
    assert "- [ ] **6. Verify**: Run mcaudit verify BEFORE AFTER\n" in markdown
    assert "Welcome &lt;b&gt;email&lt;/b&gt;" in markdown  # impact lines are escaped too
    assert "> A quiet time window alone is not a substitute for pausing." in markdown
    healthy = next(path for path in SAMPLE_FILES if path.name == "healthy.yaml")
    assert render(as_preflight(make_report(healthy)), "markdown").startswith("## 🟢 GO: ")


@pytest.mark.parametrize(("value", "expected"), [
    ("plain words", "plain words"),
    ("a|b", "a\\|b"),
    ("[x](javascript:y)", "\\[x\\](javascript:y)"),
    ("`code`", "\\`code\\`"),
    ("<b>&amp;", "&lt;b&gt;&amp;amp;"),
    ("*em* _em_ ~~s~~", "\\*em\\* \\_em\\_ \\~\\~s\\~\\~"),
    ("line one\nline two", "line one line two"),
    ("# heading", "\\# heading"),
    ("1. item", "1\\. item"),
    ("- item", "\\- item"),
    ("---", "\\-\\-\\-"),
    ("version 0.1.0", "version 0.1.0"),
    ("back\\slash", "back\\\\slash"),
])
def test_escape_inline(value: str, expected: str) -> None:
    assert escape_inline(value) == expected
    assert "".join(rendered(f"x {escape_inline(value)}").text).strip() == "x " + " ".join(value.split())


def test_escape_cell_and_code_span() -> None:
    assert escape_cell("") == " "
    assert code_span("a`b") == "``a`b``"
    assert code_span("`x`") == "`` `x` ``"
    assert code_span("a|b", in_table=True) == "`a\\|b`"
    assert code_span(None) == ""
