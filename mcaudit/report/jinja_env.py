"""The Jinja environments for the report templates in `reports/` (mcaudit/_data/reports in a wheel).

Both are strict (an unknown name is an error, not an empty string) and escape by default:
HTML through Jinja's autoescape, Markdown through `finalize` (see markdown_text). A template
never decides whether a value from a snapshot is markup; it only loops and prints. In HTML every
value also passes `visible` first, so a line break, a terminal escape or a bidi override in a
name shows as `\\n`, `\\x1b` or `\\u202e` instead of hiding in whitespace or reordering the text.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from mcaudit.report.markdown_text import code_span, escape_cell, escape_inline, finalize
from mcaudit.resources import reports_dir
from mcaudit.safetext import visible


def _base(**options: object) -> Environment:
    return Environment(
        loader=FileSystemLoader(str(reports_dir())),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        **options,  # type: ignore[arg-type]
    )


def html_finalize(value: Any) -> Any:
    """Every printed string is made visible before autoescape; our own markup (Markup) is not data.
    Surrounding whitespace, which HTML does not show anyway (rule prose ends in a newline), goes."""
    if isinstance(value, str) and not isinstance(value, Markup):
        return visible(value.strip())
    return value


@cache
def html_environment() -> Environment:
    # explicit extensions, so a template named *.html.j2 is escaped and nothing else guesses
    return _base(autoescape=select_autoescape(enabled_extensions=("html", "html.j2"),
                                              default_for_string=True, default=True),
                 finalize=html_finalize)


@cache
def markdown_environment() -> Environment:
    env = _base(autoescape=False, finalize=finalize)
    env.filters["md"] = escape_inline
    env.filters["cell"] = escape_cell
    env.filters["code"] = code_span
    env.filters["code_cell"] = lambda value: code_span(value, in_table=True)
    return env
