"""The HTML report: self-contained, escaped, and locked down by its Content-Security-Policy."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import pytest

from mcaudit.findings import AuditReport
from mcaudit.report import render

from .conftest import HOSTILE_STRINGS, SAMPLE_FILES, SCRIPT, as_preflight, sample_id


class Page(HTMLParser):
    """Every element with its attributes, the text, and the contents of <script> and <style>."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.text: list[str] = []
        self.blocks: dict[str, list[str]] = {"script": [], "style": []}
        self._inside: str | None = None
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, {name: value or "" for name, value in attrs}))
        if tag in self.blocks:
            self._inside = tag
            self.blocks[tag].append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == self._inside:
            self._inside = None

    def handle_data(self, data: str) -> None:
        if self._inside:
            self.blocks[self._inside][-1] += data
        else:
            self.text.append(data)

    def all(self, tag: str, **attrs: str) -> list[dict[str, str]]:
        return [a for t, a in self.elements if t == tag and all(a.get(k) == v for k, v in attrs.items())]

    def classed(self, name: str) -> list[dict[str, str]]:
        return [a for _, a in self.elements if name in a.get("class", "").split()]


def sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def assert_self_contained(page: Page) -> None:
    [script] = page.blocks["script"]
    [style] = page.blocks["style"]
    [meta] = page.all("meta", **{"http-equiv": "Content-Security-Policy"})
    policy = dict(part.strip().split(" ", 1) for part in meta["content"].split(";"))
    assert policy["default-src"] == "'none'"
    assert policy["script-src"] == sha256(script), "the CSP must allow exactly the inline script"
    assert policy["style-src"] == sha256(style)
    for tag, attrs in page.elements:
        assert "src" not in attrs, f"<{tag}> loads something: {attrs}"
        assert not [name for name in attrs if name.startswith("on")], f"event handler on <{tag}>"
        assert "style" not in attrs, f"inline style on <{tag}> (the CSP blocks it)"
        href = attrs.get("href", "#")
        assert href.startswith(("#", "https://", "http://")), href
    assert not page.all("link"), "no external stylesheets, icons or preloads"


@pytest.mark.parametrize("sample", SAMPLE_FILES, ids=sample_id)
def test_every_sample_renders_a_self_contained_page(sample: Path, make_report: Callable[..., AuditReport]) -> None:
    report = make_report(sample)
    html = render(report, "html")
    assert html.startswith("<!DOCTYPE html>")
    page = Page(html)
    assert_self_contained(page)
    result = report.results[0]
    [banner] = page.classed("verdict")
    assert f"tone-{ {'pass': 'pass', 'fail': 'fail', 'incomplete': 'warn'}[result.verdict.value]}" in banner["class"]
    findings = page.classed("finding")
    assert len(findings) == len(result.findings)
    assert {f["data-status"] for f in findings} == {f.status.value for f in result.findings}
    assert all(f["data-severity"] and f["data-area"] for f in findings)
    text = " ".join(page.text)
    for needle in (result.snapshot.collected_at, result.snapshot.source, str(result.snapshot.mid or "")):
        assert needle in text


def test_identity_verdict_counts_and_filters(make_report: Callable[..., AuditReport],
                                             hostile_snapshot: Path) -> None:
    report = make_report(hostile_snapshot)
    page = Page(render(report, "html"))
    text = re.sub(r"\s+", " ", " ".join(page.text))
    assert "Salesforce org ID 00D5g000004AcmeEAC" in text and "Marketing Cloud MID 510000001" in text
    assert "Collected at 2026-11-20T09:30:00Z" in text and "Source hand-written" in text
    assert "FAIL 2 findings at or above --fail-on high" in text
    chips = page.classed("chip")
    assert {(c["data-filter"], c["data-value"]) for c in chips} >= {
        ("severity", "critical"), ("severity", "info"), ("status", "fail"), ("status", "n/a"),
        ("area", "salesforce"), ("area", "marketing_cloud")}
    pressed = {c["data-value"] for c in chips if c["data-filter"] == "status" and c["aria-pressed"] == "true"}
    assert pressed == {"fail", "unknown", "manual", "waived"}, "the page opens on what needs attention"
    groups = [g["data-area"] for g in page.classed("area-group")]
    # rules of optional features (aep, integrations) follow as their own groups, n/a without their section
    assert groups[:2] == ["salesforce", "marketing_cloud"] and set(groups[2:]) <= {"aep", "integrations"}
    # each finding carries rule, remediation, source and where it is in the snapshot
    assert "How to fix" in text and "KB 003834038" in text and "SF113" in text
    assert f"{hostile_snapshot}" in text and "(marketing_cloud.users[0])" in text


def test_hostile_names_are_text_not_markup(hostile_report: AuditReport) -> None:
    html = render(hostile_report, "html")
    assert SCRIPT not in html and "<img" not in html
    page = Page(html)
    assert_self_contained(page)
    assert not page.all("img") and len(page.all("script")) == 1
    text = "".join(page.text)
    for hostile in HOSTILE_STRINGS:
        assert hostile in text, hostile


def test_several_snapshots_get_a_section_each(make_report: Callable[..., AuditReport],
                                              hostile_snapshot: Path) -> None:
    report = make_report(SAMPLE_FILES[0], hostile_snapshot)
    page = Page(render(report, "html"))
    sections = page.classed("snapshot")
    assert [s["id"] for s in sections] == ["snapshot-1", "snapshot-2"]
    overview_links = [a["href"] for a in page.all("a") if a.get("href", "").startswith("#snapshot-")]
    assert overview_links == ["#snapshot-1", "#snapshot-2"]
    assert len(page.classed("verdict")) == 2


def test_preflight_shows_go_no_go_and_a_numbered_checklist(make_report: Callable[..., AuditReport],
                                                           hostile_snapshot: Path) -> None:
    page = Page(render(as_preflight(make_report(hostile_snapshot)), "html"))
    text = re.sub(r"\s+", " ", " ".join(page.text))
    assert "NO-GO" in text and "Credential-rotation preflight" in text
    steps = page.classed("step")
    assert len(steps) == 6 and len(page.all("input", type="checkbox")) == 6
    assert "1. Pause Pause the triggered send Triggered send welcome-ts" in text
    assert "Stopping ejects the 1,204 contacts currently in the journey" in text
    assert "Welcome <b>email</b>" in text  # literal, not bold
    assert not page.all("b")
    healthy = next(path for path in SAMPLE_FILES if path.name == "healthy.yaml")
    healthy_page = Page(render(as_preflight(make_report(healthy)), "html"))
    [banner] = healthy_page.classed("verdict")
    assert "tone-pass" in banner["class"] and "GO" in " ".join(healthy_page.text).split()


def test_output_is_deterministic(make_report: Callable[..., AuditReport]) -> None:
    report = make_report(*SAMPLE_FILES)
    assert render(report, "html") == render(report, "html")
