"""Verdict wording and groups shared by the console, Markdown and HTML reports."""

from __future__ import annotations

from typing import Any

import pytest

from mcaudit.report.presentation import area_groups, banner, safe_href


def result(verdict: str, mode: str = "audit", blocking: int = 0, unknown: int = 0, manual: int = 0,
           **extra: Any) -> dict[str, Any]:
    return {"verdict": verdict, "mode": mode, "fail_on": "high",
            "summary": {"blocking": blocking, "by_status": {"unknown": unknown, "manual": manual}}, **extra}


@pytest.mark.parametrize(("data", "label", "tone", "detail"), [
    (result("pass"), "PASS", "pass", "nothing at or above --fail-on high"),
    (result("fail", blocking=1), "FAIL", "fail", "1 finding at or above --fail-on high"),
    (result("fail", blocking=3), "FAIL", "fail", "3 findings at or above --fail-on high"),
    (result("incomplete", unknown=1, manual=1), "INCOMPLETE", "warn",
     "nothing failed at or above --fail-on high, but 2 check(s) could not be verified (unknown or manual)"),
    (result("pass", "preflight"), "GO", "pass", "nothing at or above --fail-on high"),
    (result("fail", "preflight", blocking=2), "NO-GO", "fail", "2 findings at or above --fail-on high"),
    (result("incomplete", "preflight", manual=1), "NO-GO", "fail",
     "1 check(s) could not be proven (unknown or manual); a preflight needs proof"),
    (result("pass", "preflight", decision="NO-GO"), "NO-GO", "fail", "nothing at or above --fail-on high"),
])
def test_banner(data: dict[str, Any], label: str, tone: str, detail: str) -> None:
    assert banner(data) == {"label": label, "tone": tone, "detail": detail}


def test_area_groups_follow_the_catalog_order_and_keep_unknown_areas() -> None:
    findings = [{"area": "marketing_cloud", "status": "pass"}, {"area": None, "status": "fail"},
                {"area": "salesforce", "status": "fail"}]
    groups = area_groups(findings)
    assert [(g["key"], g["title"], g["attention"]) for g in groups] == [
        ("salesforce", "Salesforce", 1), ("marketing_cloud", "Marketing Cloud", 0), ("other", "Other", 1)]


@pytest.mark.parametrize(("url", "href"), [
    ("https://help.salesforce.com/s/articleView?id=000383403", "https://help.salesforce.com/s/articleView?id=000383403"),
    ("javascript:alert(1)", None), ("data:text/html,x", None), (None, None), ("", None),
])
def test_only_http_links_are_clickable(url: str | None, href: str | None) -> None:
    assert safe_href(url) == href
