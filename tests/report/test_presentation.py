"""Verdict wording and groups shared by the console, Markdown and HTML reports."""

from __future__ import annotations

from typing import Any

import pytest

from mcaudit.report.presentation import area_groups, banner, rule_groups, safe_href


def result(verdict: str, mode: str = "audit", blocking: int = 0, unknown: int = 0, manual: int = 0,
           fail: int = 0, **extra: Any) -> dict[str, Any]:
    return {"verdict": verdict, "mode": mode, "fail_on": "high",
            "summary": {"blocking": blocking, "by_status": {"fail": fail, "unknown": unknown, "manual": manual}},
            **extra}


@pytest.mark.parametrize(("data", "label", "tone", "detail", "action"), [
    (result("pass"), "PASS", "pass", "nothing rated high or above failed, and every check could be made",
     "Nothing to do."),
    (result("pass", fail=2), "PASS", "pass", "nothing rated high or above failed, and every check could be made",
     "2 lower-rated problems are listed for information."),
    (result("fail", blocking=1, fail=1), "FAIL", "fail", "1 problem rated high or above must be fixed",
     "Fix them, most severe first (each one says how), then run mcaudit again."),
    (result("fail", "verify", blocking=3, fail=3), "FAIL", "fail", "3 problems rated high or above must be fixed",
     "Fix them, most severe first (each one says how), then run mcaudit verify."),
    (result("incomplete", unknown=1, manual=1), "INCOMPLETE", "warn",
     "nothing rated high or above failed, but 2 checks could not be made",
     "Collect what is missing or look by hand, as each one says, then run mcaudit again."),
    (result("pass", "preflight"), "GO", "pass",
     "safe to rotate: nothing a rotation breaks is unpaused, and every precondition is proven",
     "Follow the runbook step by step, then run mcaudit verify."),
    (result("pass", "preflight", decision="NO-GO"), "NO-GO", "fail", "do not rotate the credentials yet",
     "Run the preflight again once it is resolved."),
])
def test_banner_says_why_and_what_to_do_next_in_plain_words(
        data: dict[str, Any], label: str, tone: str, detail: str, action: str) -> None:
    assert banner(data) == {"label": label, "tone": tone, "detail": detail, "action": action}
    assert "--fail-on" not in detail + action


def finding(rule_id: str, status: str, subject: str, severity: str = "high",
            location: str | None = None) -> dict[str, Any]:
    return {"rule_id": rule_id, "title": f"title of {rule_id}", "status": status, "severity": severity,
            "area": "rotation", "subject": subject, "location": location, "blocking": status != "pass",
            "source": None,
            "remediation": "", "setup_path": None, "message": f"{subject}: {status}"}


def test_a_no_go_names_the_assets_to_pause_and_the_runbook_steps() -> None:
    steps = [{"number": 1, "phase": "pause", "asset_key": "welcome",
              "asset_location": "marketing_cloud.triggered_sends[0]"},
             {"number": 2, "phase": "pause", "asset_key": "a0B000000000001AAA",
              "asset_location": "salesforce.scheduled_sends[0]"},
             {"number": 3, "phase": "rotate", "asset_key": None, "asset_location": None}]
    findings = [finding("RT301", "fail", "triggered send 'Welcome' (key welcome)", "critical",
                        "marketing_cloud.triggered_sends[0]"),
                finding("RT303", "fail", "CRM send 'News' (Id a0B000000000001AAA)",
                        location="salesforce.scheduled_sends[0]"),
                finding("RT301", "pass", "triggered send 'Old' (key old)",
                        location="marketing_cloud.triggered_sends[1]"),
                finding("SF106", "unknown", "snapshot", "critical", "salesforce.permission_sets")]
    findings[3]["message"] = "cannot tell: salesforce.permission_sets was not collected"
    said = banner(result("fail", "preflight", blocking=3, fail=2, unknown=1, decision="NO-GO",
                         findings=findings, runbook={"steps": steps}))
    assert said["detail"] == ("do not rotate the credentials yet: 2 assets would stop sending: triggered send "
                              "'Welcome' (key welcome) and CRM send 'News' (Id a0B000000000001AAA); "
                              "also SF106: cannot tell: salesforce.permission_sets was not collected")
    assert said["action"] == ("Pause them as the runbook says (steps 1-2), run the preflight again, "
                              "and rotate only on GO.")


def test_a_second_rule_about_the_same_asset_is_said_with_its_own_words() -> None:
    steps = [{"number": 1, "phase": "pause", "asset_key": "nurture", "asset_location": "marketing_cloud.journeys[0]"}]
    journey = "journey 'Nurture' version 1 (key nurture)"
    findings = [finding("RT302", "fail", journey, "critical", "marketing_cloud.journeys[0]"),
                finding("RT305", "fail", journey, location="marketing_cloud.journeys[0]")]
    findings[1]["message"] = f"{journey}: stopping it ejects its 87 contacts in flight"
    said = banner(result("fail", "preflight", blocking=2, fail=2, decision="NO-GO", findings=findings,
                         runbook={"steps": steps}))
    assert said["detail"] == (f"do not rotate the credentials yet: 1 asset would stop sending: {journey}; "
                              f"also RT305: {journey}: stopping it ejects its 87 contacts in flight")


def test_rule_groups_put_failures_first_then_severity_across_areas() -> None:
    findings = [finding("SF120", "fail", "user a", "low"), finding("MC208", "pass", "api user", "critical"),
                finding("SF107", "fail", "user b", "medium"), finding("SF107", "fail", "user c", "medium"),
                finding("MC211", "unknown", "snapshot", "critical"), finding("MC209", "fail", "api user", "high")]
    groups = rule_groups(findings)
    assert [(g["rule_id"], g["status"], g["count"]) for g in groups] == [
        ("MC209", "fail", 1), ("SF107", "fail", 2), ("SF120", "fail", 1), ("MC211", "unknown", 1),
        ("MC208", "pass", 1)]
    assert [f["subject"] for f in groups[1]["findings"]] == ["user b", "user c"]


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
