"""The rule's source is a link in every format that can hold one (issue 13), and only a safe one.

A rule from --rules-dir is not trusted: a `javascript:` or otherwise odd address must never
become a link, and a title must never become markup.
"""

from __future__ import annotations

import json
from html.parser import HTMLParser

from mcaudit import __version__
from mcaudit.engine import EvaluationConfig, RulePack, evaluate
from mcaudit.engine.rule import RuleSource
from mcaudit.findings import AuditReport
from mcaudit.report import render
from mcaudit.report.markdown_text import link
from mcaudit.snapshot import load_snapshot

from ..conftest import SAMPLES, run_cli
from .test_markdown import rendered

KB = "https://help.salesforce.com/s/articleView?id=003834038"
RULE = "SF101"  # cites KB 003834038, fails on broken.yaml
HOSTILE_URL = "javascript:alert(1)"


def _report(pack: RulePack, *, sample: str = "broken.yaml") -> AuditReport:
    loaded = load_snapshot(SAMPLES / sample)
    result = evaluate(loaded.snapshot, pack, EvaluationConfig(mode="audit"), path=loaded.path)
    return AuditReport(tool_version=__version__, command="audit", results=(result,))


def _with_source(pack: RulePack, rule_id: str, source: RuleSource) -> RulePack:
    return RulePack(rules=tuple(rule.model_copy(update={"source": source}) if rule.id == rule_id else rule
                                for rule in pack.rules))


class _Anchors(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.anchors: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.anchors.append(dict(attrs))


def _anchors(html: str) -> list[dict[str, str | None]]:
    parser = _Anchors()
    parser.feed(html)
    return parser.anchors


def test_html_links_the_source_with_noopener(rule_pack: RulePack) -> None:
    anchors = [a for a in _anchors(render(_report(rule_pack), "html")) if a.get("href") == KB]
    assert anchors
    for anchor in anchors:
        assert "noopener" in (anchor.get("rel") or "").split()


def test_markdown_links_the_source_title(rule_pack: RulePack) -> None:
    markdown = render(_report(rule_pack), "markdown")
    title = rule_pack.get(RULE).source.title
    assert f"[{title}]({KB})" in markdown
    hrefs = [attrs.get("href") for tag, attrs in rendered(markdown).tags if tag == "a"]
    assert KB in hrefs


def test_sarif_rule_has_help_uri_and_linked_help(rule_pack: RulePack) -> None:
    sarif = json.loads(render(_report(rule_pack), "sarif"))
    rules = {rule["id"]: rule for rule in sarif["runs"][0]["tool"]["driver"]["rules"]}
    assert rules[RULE]["helpUri"] == KB
    assert f"]({KB})" in rules[RULE]["help"]["markdown"]
    for rule_id, descriptor in rules.items():
        url = rule_pack.get(rule_id).source.url
        assert descriptor.get("helpUri") == url, rule_id


def test_rules_command_prints_the_address() -> None:
    result = run_cli("rules", RULE, "--no-color")
    assert result.returncode == 0, result.stderr
    assert KB in result.stdout.replace("\n", "")
    assert any(line.strip().startswith("address:") for line in result.stdout.splitlines())


def test_unsafe_address_is_never_a_link(rule_pack: RulePack) -> None:
    title = "[click](javascript:alert(2)) <b>x</b>"
    pack = _with_source(rule_pack, RULE, RuleSource(document="KB 1", title=title, url=HOSTILE_URL))
    report = _report(pack)
    html = render(report, "html")
    assert not [a for a in _anchors(html) if "javascript" in (a.get("href") or "")]
    assert "<b>x</b>" not in html
    markdown = render(report, "markdown")
    assert not [attrs for tag, attrs in rendered(markdown).tags if tag in {"a", "b"}
                and (tag == "b" or "javascript" in (attrs.get("href") or ""))]
    sarif = json.loads(render(report, "sarif"))
    descriptor = next(r for r in sarif["runs"][0]["tool"]["driver"]["rules"] if r["id"] == RULE)
    assert "helpUri" not in descriptor
    assert not [tag for tag, _ in rendered(descriptor["help"]["markdown"]).tags if tag in {"a", "b"}]


def test_markdown_link_destination_cannot_break_out() -> None:
    made = link("a ] b", "https://example.com/x y)(z<w>")
    assert made == "[a \\] b](https://example.com/x%20y%29%28z%3Cw%3E)"
    assert link("t", None) == "t" and link("t", "ftp://example.com") == "t"
    html = rendered(f"- {made}")
    assert [attrs.get("href") for tag, attrs in html.tags if tag == "a"] == ["https://example.com/x%20y%29%28z%3Cw%3E"]


def test_markdown_details_link_every_source_with_an_address(rule_pack: RulePack) -> None:
    report = _report(rule_pack)
    markdown = render(report, "markdown")
    sources = [line for line in markdown.splitlines() if line.startswith("- **Source:**")]
    attention = [f for f in report.results[0].findings if f.status.value in {"fail", "unknown", "manual", "waived"}]
    assert len(sources) == len(attention)
    for finding, line in zip(attention, sources, strict=True):
        url = rule_pack.get(finding.rule_id).source.url
        assert (f"]({url})" in line) if url else ("](" not in line), (finding.rule_id, line)
