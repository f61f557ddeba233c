"""The HTML report: one self-contained page people open from disk, filter, print and share.

CSS and JS are inlined from reports/report.css and reports/report.js, and the page carries a
Content-Security-Policy that allows exactly those two blocks by hash and nothing else: even if
a value ever escaped Jinja's autoescape, an injected script or event handler would not run.
"""

from __future__ import annotations

import base64
import hashlib
from functools import cache

from markupsafe import Markup

from mcaudit.findings import AuditReport
from mcaudit.report.jinja_env import html_environment
from mcaudit.report.presentation import html_cards, html_filters, report_view
from mcaudit.report.viewmodel import report_dict
from mcaudit.resources import reports_dir

TEMPLATE = "report.html.j2"


def _csp_hash(text: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


@cache
def _assets() -> tuple[str, str]:
    folder = reports_dir()
    style = (folder / "report.css").read_text(encoding="utf-8")
    script = (folder / "report.js").read_text(encoding="utf-8")
    for name, text in (("report.css", style), ("report.js", script)):
        # the blocks are inlined verbatim; a closing tag inside would end them early
        if "</" in text:
            raise ValueError(f"reports/{name} must not contain '</'")
    return style, script


def _sentence(text: str) -> str:
    """'do not rotate yet: ...' as the banner's sentence: 'Do not rotate yet: ...'."""
    return text[:1].upper() + text[1:]


def stylesheet() -> str:
    """The report's CSS, as inlined (the triage page shares it)."""
    return _assets()[0]


def content_security_policy(style: str, script: str | None) -> str:
    """Only our own inline style and script run, by hash; a page without a script allows none."""
    return "; ".join((
        "default-src 'none'",
        "script-src " + (_csp_hash(script) if script is not None else "'none'"),
        f"style-src {_csp_hash(style)}",
        "img-src data:",
        "base-uri 'none'",
        "form-action 'none'",
    ))


def render_html(report: AuditReport) -> str:
    style, script = _assets()
    data = report_dict(report)
    view = report_view(data)
    results = [{**result, "cards": html_cards(result["findings"]), "why": _sentence(result["banner"]["detail"])}
               for result in view["results"]]
    template = html_environment().get_template(TEMPLATE)
    return template.render(
        **{**view, "results": results},
        filters=html_filters(data["results"]),
        csp=content_security_policy(style, script),
        style=Markup(style),  # our own static file, hashed into the CSP above
        script=Markup(script),
    )
