"""The HTML report: self-contained, escaped, and locked down by its Content-Security-Policy."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import pytest

from mcaudit.engine import RulePack
from mcaudit.findings import AuditReport, Status
from mcaudit.report import html_format, render
from mcaudit.report.presentation import html_cards, rule_groups
from mcaudit.report.viewmodel import ATTENTION

from ..conftest import SAMPLES
from .conftest import HOSTILE_STRINGS, SAMPLE_FILES, SCRIPT, as_preflight, sample_id

VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
                  "wbr"})


class Node:
    """An element of the page: tag, attributes, children (elements and text)."""

    def __init__(self, tag: str, attrs: dict[str, str], parent: Node | None) -> None:
        self.tag, self.attrs, self.parent = tag, attrs, parent
        self.children: list[Node | str] = []

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    def text(self) -> str:
        """The text inside, whitespace collapsed as a browser shows it."""
        parts: list[str] = []

        def walk(node: Node) -> None:
            for child in node.children:
                if isinstance(child, str):
                    parts.append(child)
                else:
                    walk(child)
        walk(self)
        return re.sub(r"\s+", " ", "".join(parts)).strip()

    def all(self, tag: str | None = None, cls: str | None = None) -> list[Node]:
        found = []
        for child in self.children:
            if isinstance(child, Node):
                if (tag is None or child.tag == tag) and (cls is None or cls in child.classes):
                    found.append(child)
                found.extend(child.all(tag, cls))
        return found

    def one(self, tag: str | None = None, cls: str | None = None) -> Node:
        [found] = self.all(tag, cls)
        return found

    def by_id(self, name: str) -> Node:
        [found] = [node for node in self.all() if node.attrs.get("id") == name]
        return found

    def inside(self, tag: str) -> bool:
        node = self.parent
        while node is not None:
            if node.tag == tag:
                return True
            node = node.parent
        return False


class Page(HTMLParser):
    """Every element with its attributes, the text, the contents of <script> and <style>, and the
    element tree (`root`) for what belongs to which card."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.text: list[str] = []
        self.blocks: dict[str, list[str]] = {"script": [], "style": []}
        self._inside: str | None = None
        self.root = Node("#document", {}, None)
        self._open = self.root
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        self.elements.append((tag, attributes))
        node = Node(tag, attributes, self._open)
        self._open.children.append(node)
        if tag not in VOID:
            self._open = node
        if tag in self.blocks:
            self._inside = tag
            self.blocks[tag].append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == self._inside:
            self._inside = None
        node: Node | None = self._open
        while node is not None and node.tag != tag:
            node = node.parent
        assert node is not None and node.parent is not None, f"</{tag}> closes nothing"
        self._open = node.parent

    def handle_data(self, data: str) -> None:
        if self._inside:
            self.blocks[self._inside][-1] += data
        else:
            self.text.append(data)
            self._open.children.append(data)

    def cards(self) -> list[Node]:
        return self.root.all("article", "finding")

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


def number(text: str) -> int:
    """'2,492' -> 2492."""
    return int(text.replace(",", ""))


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
    # one card per rule and status, and together they account for every finding
    cards = page.cards()
    pairs = {(f.rule_id, f.status.value) for f in result.findings}
    assert sorted((c.attrs["data-rule"], c.attrs["data-status"]) for c in cards) == sorted(pairs)
    assert sum(int(c.attrs["data-count"]) for c in cards) == len(result.findings)
    assert all(c.attrs["data-severity"] and c.attrs["data-area"] for c in cards)
    text = " ".join(page.text)
    for needle in (result.snapshot.collected_at, result.snapshot.source, str(result.snapshot.mid or "")):
        assert needle in text


def test_banner_says_what_is_wrong_and_what_to_do_in_plain_words(make_report: Callable[..., AuditReport],
                                                                 hostile_snapshot: Path) -> None:
    report = make_report(hostile_snapshot)
    page = Page(render(report, "html"))
    text = re.sub(r"\s+", " ", " ".join(page.text))
    assert "Salesforce org ID 00D5g000004AcmeEAC" in text and "Marketing Cloud MID 510000001" in text
    assert "Collected at 2026-11-20T09:30:00Z" in text and "Source hand-written" in text
    verdict = page.root.one(cls="verdict")
    assert verdict.one(cls="label").text() == "FAIL"
    assert verdict.one(cls="why").text() == "2 problems rated high or above must be fixed"
    assert verdict.one(cls="action").text() == ("Fix them, most severe first (each one says how), "
                                                "then run mcaudit again.")
    # the threshold flag is small print beside the sentence, never in it
    total = len(report.results[0].findings)
    assert verdict.one(cls="threshold").text() == f"{total} findings · threshold --fail-on high"
    assert "--fail-on" not in verdict.one(cls="why").text() + verdict.one(cls="action").text()


def test_filters_are_labelled_selects_and_a_search(make_report: Callable[..., AuditReport],
                                                   hostile_snapshot: Path) -> None:
    page = Page(render(make_report(hostile_snapshot), "html"))
    toolbar = page.root.one("nav", "toolbar")
    labels = {label.attrs["for"]: label.text() for label in toolbar.all("label")}
    assert labels == {"filter-show": "Show", "filter-severity": "Severity", "filter-area": "Area",
                      "filter-search": "Search"}
    show = {o.attrs["value"]: o for o in toolbar.by_id("filter-show").all("option")}
    assert list(show) == ["attention", "fail", "unproven", "waived", "pass", "n/a", "all"]
    assert [v for v, o in show.items() if "selected" in o.attrs] == ["attention"], "opens on what needs attention"
    assert show["attention"].text().startswith("Needs attention (fail, unknown, manual, waived): ")
    assert show["unproven"].text().startswith("Not proven (unknown or manual): ")
    assert set(show["attention"].attrs["data-statuses"].split()) == ATTENTION
    severity = page.root.by_id("filter-severity")
    assert [(o.attrs["value"], o.text()) for o in severity.all("option")] == [
        ("critical", "critical only"), ("high", "high or above"), ("medium", "medium or above"),
        ("low", "low or above"), ("info", "any (info and above)")]
    assert "selected" in severity.all("option")[-1].attrs
    area = [(o.attrs["value"], o.text()) for o in page.root.by_id("filter-area").all("option")]
    assert area[:3] == [("", "All areas"), ("salesforce", "Salesforce"), ("marketing_cloud", "Marketing Cloud")]
    [search] = page.all("input", id="filter-search")
    assert search["type"] == "search"
    [counter] = page.all("p", id="filter-counter")
    assert counter["aria-live"] == "polite"
    assert not page.classed("chip"), "no toggle chips: a pressed chip read as 'hide this'"


@pytest.mark.parametrize("sample", ["broken.yaml", "partial.yaml"])
def test_counts_agree_between_filters_and_tiles(sample: str, make_report: Callable[..., AuditReport]) -> None:
    report = make_report(SAMPLES / sample)
    findings = report.results[0].findings
    page = Page(render(report, "html"))
    tiles = {tile.one(cls="l").text(): number(tile.one(cls="n").text())
             for tile in page.root.all("li", "tile") if any(c.startswith("st-") for c in tile.classes)}
    by_status = {status.value: sum(1 for f in findings if f.status is status) for status in Status}
    assert tiles == by_status
    show = {o.attrs["value"]: o.text() for o in page.root.by_id("filter-show").all("option")}

    def option(statuses: set[str]) -> str:
        count = sum(tiles[status] for status in statuses)
        rules = len({f.rule_id for f in findings if f.status.value in statuses})
        return (f"{count:,} finding{'' if count == 1 else 's'} in "
                f"{rules} rule{'' if rules == 1 else 's'}")

    assert show["attention"].endswith(": " + option(set(ATTENTION)))
    assert show["fail"] == "Failed only: " + option({"fail"})
    assert show["unproven"] == "Not proven (unknown or manual): " + option({"unknown", "manual"})
    assert show["pass"] == "Passed: " + option({"pass"})
    assert show["n/a"] == "Not applicable: " + option({"n/a"})
    assert show["all"] == "Everything: " + option({s.value for s in Status})
    # the cards count the same findings as the tiles
    cards = page.cards()
    for status, count in by_status.items():
        assert sum(int(c.attrs["data-count"]) for c in cards if c.attrs["data-status"] == status) == count
    failed = {tile.one(cls="l").text(): number(tile.one(cls="n").text())
              for tile in page.root.all("li", "tile") if any(c.startswith("sev-") for c in tile.classes)}
    assert sum(failed.values()) == by_status["fail"]


def test_the_heading_says_what_is_wrong_and_the_rule_title_comes_second(
        make_report: Callable[..., AuditReport], rule_pack: RulePack) -> None:
    report = make_report(SAMPLES / "broken.yaml")
    findings = report.results[0].findings
    page = Page(render(report, "html"))
    failing = [c for c in page.cards() if c.attrs["data-status"] == "fail"]
    assert failing
    for card in failing:
        mine = [f for f in findings if f.rule_id == card.attrs["data-rule"] and f.status is Status.fail]
        title = rule_pack.get(mine[0].rule_id).title
        heading = card.one("h3").text()
        expected = mine[0].message if len(mine) == 1 else f"{len(mine)} subjects, for example: {mine[0].message}"
        assert heading == expected
        assert card.one(cls="rule-title").text() == f"Rule: {title}"
    # the example: the heading is what is wrong, not the rule's passing condition
    sf106 = next(c for c in failing if c.attrs["data-rule"] == "SF106")
    assert sf106.one("h3").text() == ("System User mcc.integration@globex.example has no current access to the "
                                      "connected app: no permission set, group or profile grants it")
    # cards come most urgent first: failures by severity across areas, then what is not proven, then passes
    order = {"fail": 0, "unknown": 1, "manual": 2, "waived": 3, "pass": 4, "n/a": 5}
    ranks = {"critical": 0, "high": 1, "medium": 2, "low": 3, "info": 4}
    keys = [(order[c.attrs["data-status"]], ranks[c.attrs["data-severity"]], c.attrs["data-rule"])
            for c in page.cards()]
    assert keys == sorted(keys)


def test_a_rule_failing_for_many_subjects_is_one_card_with_the_rest_folded(
        small_org_report: AuditReport, monkeypatch: pytest.MonkeyPatch) -> None:
    findings = [f for f in small_org_report.results[0].findings if f.rule_id == "SF121" and f.status is Status.fail]
    assert len(findings) == 14
    # at most 5 listed per group here (2,000 in a real report), so the page also says what it leaves out
    monkeypatch.setattr(html_format, "html_cards", lambda views: html_cards(views, listed_attention=5))
    page = Page(render(small_org_report, "html"))
    [card] = [c for c in page.cards() if c.attrs["data-rule"] == "SF121" and c.attrs["data-status"] == "fail"]
    assert card.attrs["data-count"] == "14"
    assert card.one("h3").text() == f"14 subjects, for example: {findings[0].message}"
    items = card.all(cls="item")
    assert [i.one(cls="message").text() for i in items] == [f.message for f in findings[:3]]
    assert all(i.one(cls="facts") for i in items), "the first few in full: evidence and place in the snapshot"
    assert "Marketing User: false (expected true)" in items[0].text()
    more = card.one("details", "more")
    assert more.one("summary").text() == "and 11 more subjects"
    assert [li.text() for li in more.one("ul", "rows").all("li")] == [f.message for f in findings[3:8]]
    assert more.one(cls="not-listed").text().startswith("6 more not listed here")
    assert "--format json" in more.one(cls="not-listed").text()
    # how to fix and the source: once per card, not once per subject
    assert len(card.all("dt")) - 2 * len(items) == 2
    assert len([a for a in card.all("a") if a.attrs["href"].startswith("https://")]) == 1
    # passes stay folded and short
    [passed] = [c for c in page.cards() if c.attrs["data-rule"] == "SF121" and c.attrs["data-status"] == "pass"]
    assert "quiet" in passed.classes and passed.one("details", "quiet-body").all(cls="item")
    assert all(item.inside("details") for item in passed.all(cls="item"))


def test_html_cards_cap_the_listed_subjects_per_group_and_per_snapshot() -> None:
    def finding(rule: str, status: str, n: int) -> dict[str, object]:
        return {"rule_id": rule, "title": f"{rule} holds", "status": status, "severity": "medium",
                "area": "salesforce", "blocking": False, "subject": f"user u{n}", "message": f"user u{n} is wrong",
                "source": None, "remediation": None, "setup_path": None, "baseline_state": None}
    views = ([finding("A1", "fail", n) for n in range(100)] + [finding("A2", "fail", n) for n in range(100)]
             + [finding("A1", "pass", n) for n in range(100)])
    cards = html_cards(views, in_full=2, listed_attention=60, listed_other=5, listed_total=90)
    assert [(c["rule_id"], c["status"], len(c["in_full"]), len(c["listed"]), c["not_listed"]) for c in cards] == [
        ("A1", "fail", 2, 60, 38), ("A2", "fail", 2, 30, 68), ("A1", "pass", 2, 0, 98)]
    assert cards[0]["more_label"] == "98 more subjects" and cards[0]["listed"][0] == "user u2 is wrong"
    assert [c["rule_id"] for c in cards] == [g["rule_id"] for g in rule_groups(views)]


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
    # the filters count over both snapshots
    everything = next(o.text() for o in page.root.by_id("filter-show").all("option") if o.attrs["value"] == "all")
    total = sum(len(result.findings) for result in report.results)
    assert everything.startswith(f"Everything: {total:,} findings in ")


def test_preflight_shows_go_no_go_and_a_numbered_checklist(make_report: Callable[..., AuditReport],
                                                           hostile_snapshot: Path) -> None:
    page = Page(render(as_preflight(make_report(hostile_snapshot)), "html"))
    text = re.sub(r"\s+", " ", " ".join(page.text))
    assert "NO-GO" in text and "Credential-rotation preflight" in text
    verdict = page.root.one(cls="verdict")
    assert verdict.one(cls="why").text().startswith("Do not rotate the credentials yet: ")
    assert verdict.one(cls="action").text().endswith("run the preflight again, and rotate only on GO.")
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
    assert healthy_page.root.one(cls="verdict").one(cls="why").text().startswith("Safe to rotate")


def test_output_is_deterministic(make_report: Callable[..., AuditReport]) -> None:
    report = make_report(*SAMPLE_FILES)
    assert render(report, "html") == render(report, "html")
