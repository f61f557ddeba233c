"""The console and Markdown at enterprise size (issue 13): the 200k-user bench snapshot's console
audit is a few hundred lines at most, and its Markdown fits a GitHub step summary.

Slow (the snapshot is generated and audited in process): `pytest -m slow`.
"""

from __future__ import annotations

import pytest

from mcaudit.findings import AuditReport
from mcaudit.report import RenderOptions, render
from mcaudit.report.markdown_format import MAX_BYTES

pytestmark = pytest.mark.slow


def test_bench_size_console_is_a_few_hundred_lines(bench_report: AuditReport) -> None:
    lines = render(bench_report, "console", RenderOptions(width=80)).splitlines()
    print(f"\nbench-size console: {len(lines)} lines at 80 columns")
    assert len(lines) <= 300
    assert lines[3].startswith(" FAIL ")
    assert any(line.strip().startswith("+ 2,491 more: ") for line in lines)  # SF121's other subjects


def test_bench_size_markdown_fits_a_step_summary(bench_report: AuditReport) -> None:
    markdown = render(bench_report, "markdown", RenderOptions(verbose=True))
    size = len(markdown.encode("utf-8"))
    print(f"\nbench-size Markdown (--verbose): {size:,} bytes")
    assert size <= MAX_BYTES
    assert "> **Shortened to fit a step summary:**" in markdown
