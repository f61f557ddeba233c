"""The Jinja environments for the report templates in `reports/` (mcaudit/_data/reports in a wheel).

Both are strict (an unknown name is an error, not an empty string) and escape by default:
HTML through Jinja's autoescape, Markdown through `finalize` (see markdown_text). A template
never decides whether a value from a snapshot is markup; it only loops and prints.
"""

from __future__ import annotations

from functools import cache

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from mcaudit.report.markdown_text import code_span, escape_cell, escape_inline, finalize
from mcaudit.resources import reports_dir


def _base(**options: object) -> Environment:
    return Environment(
        loader=FileSystemLoader(str(reports_dir())),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        **options,  # type: ignore[arg-type]
    )


@cache
def html_environment() -> Environment:
    # explicit extensions, so a template named *.html.j2 is escaped and nothing else guesses
    return _base(autoescape=select_autoescape(enabled_extensions=("html", "html.j2"),
                                              default_for_string=True, default=True))


@cache
def markdown_environment() -> Environment:
    env = _base(autoescape=False, finalize=finalize)
    env.filters["md"] = escape_inline
    env.filters["cell"] = escape_cell
    env.filters["code"] = code_span
    env.filters["code_cell"] = lambda value: code_span(value, in_table=True)
    return env
