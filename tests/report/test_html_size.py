"""The HTML report stays small at enterprise size (issue 13): the 200k-user bench snapshot gives at
most 3 MB, with every failing subject of a rule on one card and the rest of the page unchanged.

Slow (the snapshot is generated and audited in process, about 8 s): `pytest -m slow`.
"""

from __future__ import annotations

import pytest

from mcaudit.findings import AuditReport, Status
from mcaudit.report import render
from mcaudit.report.presentation import HTML_IN_FULL, HTML_LISTED_ATTENTION, HTML_LISTED_OTHER

from .test_html import Page, assert_self_contained

pytestmark = pytest.mark.slow

MAX_BYTES = 3_000_000  # 3 MB


def test_bench_size_html_is_at_most_3_mb(bench_report: AuditReport) -> None:
    html = render(bench_report, "html")
    size = len(html.encode("utf-8"))
    findings = bench_report.results[0].findings
    print(f"\nbench-size HTML: {size:,} bytes for {len(findings):,} findings")
    assert size <= MAX_BYTES, f"{size:,} bytes"
    page = Page(html)
    assert_self_contained(page)
    cards = page.cards()
    # one card per rule and status, and together they account for every finding
    pairs = {(f.rule_id, f.status.value) for f in findings}
    assert len(cards) == len(pairs) < 100
    assert sum(int(card.attrs["data-count"]) for card in cards) == len(findings)
    for card in cards:
        count = int(card.attrs["data-count"])
        attention = "quiet" not in card.classes
        listed = card.all("li")
        rows = [li for li in listed if li.parent is not None and "rows" in li.parent.classes]
        cap = HTML_LISTED_ATTENTION if attention else HTML_LISTED_OTHER
        assert len(rows) == min(cap, max(0, count - HTML_IN_FULL)), card.attrs
        assert len(card.all(cls="item")) == min(count, HTML_IN_FULL)
        if count > HTML_IN_FULL + len(rows):
            note = card.one(cls="not-listed").text()
            assert note.startswith(f"{count - HTML_IN_FULL - len(rows):,} more not listed here"), note
    # the rule failing for the most users: 2,492 subjects on one card, each failure on the page or counted
    sf121 = next(c for c in cards if c.attrs["data-rule"] == "SF121" and c.attrs["data-status"] == "fail")
    failing = sum(1 for f in findings if f.rule_id == "SF121" and f.status is Status.fail)
    assert sf121.attrs["data-count"] == str(failing) and failing > HTML_LISTED_ATTENTION
    assert sf121.one("details", "more").one("summary").text() == f"and {failing - HTML_IN_FULL:,} more subjects"
