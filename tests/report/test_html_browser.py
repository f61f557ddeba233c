"""The HTML report in a real browser: Debian's headless Chromium, driven by Playwright, from disk.

Chromium comes from `.ci/install-chromium` (never from `playwright install`: no downloads here).
Without it the tests skip on a developer's machine and fail under CI (CI is set), so a CI run
can never pass without having opened the report. Screenshots land in test-artifacts/.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from mcaudit.findings import AuditReport
from mcaudit.report import render

from ..conftest import ROOT, SAMPLES
from .conftest import HOSTILE_STRINGS, IMG, MARKDOWN, SCRIPT, as_preflight

pytestmark = pytest.mark.browser

CHROMIUM = os.environ.get("MCAUDIT_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
ARTIFACTS = ROOT / "test-artifacts"


def _require_chromium() -> None:
    if Path(CHROMIUM).is_file() and os.access(CHROMIUM, os.X_OK):
        return
    message = (f"headless Chromium not found at {CHROMIUM}: run .ci/install-chromium "
               "(apt-get install chromium) to run the HTML report's browser tests")
    if os.environ.get("CI"):
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    _require_chromium()
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield launched
        launched.close()


class Opened:
    """A report page plus everything it did that a report must never do."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        self.requests: list[str] = []
        page.on("dialog", self._dialog)
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on("console", lambda msg: self.errors.append(msg.text) if msg.type == "error" else None)
        page.on("request", lambda request: self.requests.append(request.url))

    def _dialog(self, dialog: object) -> None:
        self.dialogs.append(getattr(dialog, "message", "?"))
        dialog.dismiss()  # type: ignore[attr-defined]

    def visible(self) -> int:
        return self.page.locator(".finding:visible").count()

    def chip(self, kind: str, value: str) -> None:
        self.page.locator(f'button.chip[data-filter="{kind}"][data-value="{value}"]').click()


@pytest.fixture
def open_report(browser: Browser, tmp_path: Path) -> Iterator[Callable[[AuditReport, str], Opened]]:
    contexts = []

    def open_(report: AuditReport, name: str) -> Opened:
        path = tmp_path / f"{name}.html"
        path.write_text(render(report, "html"), encoding="utf-8")
        context = browser.new_context(viewport={"width": 1280, "height": 1000}, device_scale_factor=2)
        contexts.append(context)
        opened = Opened(context.new_page())
        opened.page.goto(path.as_uri())
        opened.page.wait_for_load_state("load")
        return opened

    yield open_
    for context in contexts:
        context.close()


def screenshot(opened: Opened, name: str, *, full_page: bool = False) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    target = ARTIFACTS / name
    opened.page.screenshot(path=str(target), full_page=full_page)
    assert target.stat().st_size > 10_000
    return target


def assert_clean(opened: Opened, report_path_prefix: str = "file://") -> None:
    assert opened.dialogs == [], f"a dialog fired: {opened.dialogs}"
    assert opened.errors == [], f"errors in the page (a CSP violation shows here): {opened.errors}"
    assert all(url.startswith(report_path_prefix) for url in opened.requests), opened.requests


def test_severity_filter_changes_the_visible_findings(make_report: Callable[..., AuditReport],
                                                      open_report: Callable[[AuditReport, str], Opened]) -> None:
    sample = SAMPLES / "broken.yaml"
    report = make_report(sample if sample.exists() else SAMPLES / "healthy.yaml")
    findings = report.results[0].findings
    opened = open_report(report, "audit")
    page = opened.page
    attention = [f for f in findings if f.status.value in {"fail", "unknown", "manual", "waived"}]
    assert opened.visible() == len(attention), "the page opens on what needs attention"
    assert page.locator("#filter-counter").inner_text() == f"Showing {len(attention)} of {len(findings)} results"
    screenshot(opened, "report-html.png")  # what the page opens on: the one to share
    screenshot(opened, "report-html-full.png", full_page=True)

    critical = [f for f in attention if f.severity.value == "critical"]
    assert critical, "the sample needs a critical finding to filter"
    opened.chip("severity", "critical")
    assert opened.visible() == len(attention) - len(critical)
    assert page.locator('.finding[data-severity="critical"]:visible').count() == 0
    assert page.locator('button.chip[data-value="critical"]').get_attribute("aria-pressed") == "false"

    opened.chip("severity", "critical")
    opened.chip("status", "pass")
    passed = [f for f in findings if f.status.value == "pass"]
    assert opened.visible() == len(attention) + len(passed)

    page.locator("#filter-reset").click()
    assert opened.visible() == len(attention)
    page.locator("#filter-all").click()
    assert opened.visible() == len(findings)
    assert_clean(opened)


def test_hostile_names_render_as_text_and_nothing_runs(hostile_report: AuditReport,
                                                       open_report: Callable[[AuditReport, str], Opened]) -> None:
    opened = open_report(hostile_report, "hostile")
    page = opened.page
    page.locator("#filter-all").click()  # every result in view, passes included
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.locator("img").count() == 0
    assert page.locator("script").count() == 1
    assert page.locator("h1").first.inner_text() == f"ACME {SCRIPT}"
    subjects = page.locator(".finding .subject").all_inner_texts()
    assert any(IMG in subject for subject in subjects)
    assert any(MARKDOWN in subject and SCRIPT in subject for subject in subjects)
    body = page.locator("body").inner_text()
    for hostile in HOSTILE_STRINGS:
        assert hostile in body, hostile
    screenshot(opened, "report-html-hostile.png", full_page=True)
    assert_clean(opened)


def test_preflight_runbook_and_print_layout(make_report: Callable[..., AuditReport],
                                            hostile_snapshot: Path,
                                            open_report: Callable[[AuditReport, str], Opened]) -> None:
    opened = open_report(as_preflight(make_report(hostile_snapshot)), "preflight")
    page = opened.page
    assert page.locator(".verdict .label").inner_text() == "NO-GO"
    steps = page.locator(".checklist li")
    assert steps.count() == 6
    page.locator(".checklist input").first.check()
    assert page.locator(".checklist input:checked").count() == 1
    screenshot(opened, "report-html-preflight.png", full_page=True)
    page.emulate_media(media="print")
    assert not page.locator(".toolbar").is_visible(), "filters do not print"
    assert page.locator(".verdict").is_visible()
    assert_clean(opened)


def test_without_javascript_every_result_is_shown(make_report: Callable[..., AuditReport], browser: Browser,
                                                  tmp_path: Path) -> None:
    report = make_report(SAMPLES / "healthy.yaml")
    path = tmp_path / "nojs.html"
    path.write_text(render(report, "html"), encoding="utf-8")
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(path.as_uri())
        assert page.locator(".finding:visible").count() == len(report.results[0].findings)
        assert not page.locator(".toolbar").is_visible(), "filter buttons that cannot work stay hidden"
    finally:
        context.close()

