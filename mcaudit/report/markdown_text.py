"""Markdown escaping: every value from a snapshot is printed as literal text, never as markup.

Jinja has no Markdown autoescape, so the Markdown environment escapes every `{{ ... }}` through
`finalize` unless the value is already `MarkdownSafe` (the output of one of these filters),
the way HTML autoescape treats `Markup`. Forgetting a filter therefore over-escapes; it never
lets markup through. A value is one line: line breaks become spaces, and every other control
character, line separator or bidi override shows as its escape (`\\x1b`, `\\u202e`); no line of
the report can start a CI log command (`::error ...`).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote, urlsplit

from mcaudit.safetext import visible

# CommonMark lets a backslash escape any ASCII punctuation; these are the ones that start
# markup inline (emphasis, code, links, images, tables, strikethrough, autolinks, raw HTML).
_INLINE_SPECIAL = re.compile(r"([\\`*_\[\]|~!#])")
_LINE_BREAKS = re.compile(r"\s*[\r\n]+\s*")
# a line that starts like a block (heading, quote, list, thematic break) is escaped at its start
_BLOCK_MARK = re.compile(r"^(\s*)([-+=])(?=\s|$)")
_ORDERED_MARK = re.compile(r"^(\s*\d{1,9})([.)])(?=\s|$)")
_RULE_LIKE = re.compile(r"^[\s\-=]+$")  # "---" or "===" alone: a thematic break or heading underline


def _one_line(value: Any) -> str:
    """The value as one line of visible text, line breaks read as the spaces Markdown makes of them."""
    return visible(_LINE_BREAKS.sub(" ", "" if value is None else str(value)).strip())


class MarkdownSafe(str):
    """Text that is already valid, escaped Markdown (the Markdown twin of markupsafe.Markup)."""

    __slots__ = ()


def _entities(text: str) -> str:
    # raw HTML and HTML entities are live in GFM: neutralise them as entities, which GFM shows
    # as the literal characters
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def escape_inline(value: Any) -> MarkdownSafe:
    """Escape one value for running text: one line, no live markup."""
    if isinstance(value, MarkdownSafe):
        return value
    text = _entities(_INLINE_SPECIAL.sub(r"\\\1", _one_line(value)))
    if _RULE_LIKE.match(text):
        return MarkdownSafe(re.sub(r"([\-=])", r"\\\1", text))
    text = _ORDERED_MARK.sub(r"\1\\\2", _BLOCK_MARK.sub(r"\1\\\2", text))
    return MarkdownSafe(text)


def escape_cell(value: Any) -> MarkdownSafe:
    """Escape one value for a GFM table cell: like inline text, and never empty."""
    text = escape_inline(value)
    return text if text else MarkdownSafe(" ")


def code_span(value: Any, *, in_table: bool = False) -> MarkdownSafe:
    """A literal code span whose fence is longer than any run of backticks inside it."""
    text = _one_line(value)
    if not text:
        return MarkdownSafe("")
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    padded = f" {text} " if text.startswith("`") or text.endswith("`") else text
    if in_table:  # a pipe splits a table cell even inside a code span; GFM drops the backslash
        padded = padded.replace("|", "\\|")
    return MarkdownSafe(f"{fence}{padded}{fence}")


def _link_destination(url: str) -> str:
    # percent-encode what could end or break a link destination: spaces, parentheses, angle
    # brackets, backslashes, backticks, controls; everything already valid in a URL stays as is
    return quote(_one_line(url), safe=":/?#[]@!$&'*+,;=%-._~")


def link(text: Any, url: str | None) -> MarkdownSafe:
    """`[text](url)`: the text escaped like running text; without a usable http(s) url, just the text."""
    label = escape_inline(text)
    if not url or urlsplit(url).scheme not in {"http", "https"}:
        return label
    return MarkdownSafe(f"[{label}]({_link_destination(url)})")


def finalize(value: Any) -> Any:
    """Jinja `finalize` for the Markdown environment: escape whatever is not MarkdownSafe."""
    if isinstance(value, MarkdownSafe):
        return value
    if isinstance(value, bool | int | float):
        return value
    return escape_inline(value)
