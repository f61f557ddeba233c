"""Renderers: AuditReport -> text in one format. They read findings, never the snapshot."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePath

from mcaudit.findings import AuditReport
from mcaudit.report.console import render_console
from mcaudit.report.html_format import render_html
from mcaudit.report.json_format import render_json
from mcaudit.report.junit_format import render_junit
from mcaudit.report.markdown_format import render_markdown
from mcaudit.report.sarif_format import render_sarif


@dataclass(frozen=True)
class RenderOptions:
    color: bool = False
    verbose: bool = False
    quiet: bool = False
    width: int = 110


Renderer = Callable[[AuditReport, RenderOptions], str]

FORMATS: dict[str, Renderer] = {
    "console": lambda report, opts: render_console(
        report, color=opts.color, verbose=opts.verbose, quiet=opts.quiet, width=opts.width
    ),
    "markdown": lambda report, opts: render_markdown(report, verbose=opts.verbose),
    "html": lambda report, opts: render_html(report),
    "json": lambda report, opts: render_json(report),
    "sarif": lambda report, opts: render_sarif(report),
    "junit": lambda report, opts: render_junit(report),
}

# output file extension -> format, for `-o report.html` without --format; the longest matching
# suffix wins, so report.sarif.json is SARIF and report.json is JSON
EXTENSIONS: dict[str, str] = {
    ".json": "json",
    ".sarif": "sarif",
    ".sarif.json": "sarif",
    ".html": "html",
    ".htm": "html",
    ".md": "markdown",
    ".markdown": "markdown",
    ".xml": "junit",
    ".txt": "console",
    ".log": "console",
}


def format_for_path(path: PurePath) -> str | None:
    """The format an output file's name implies, or None when it implies none."""
    name = path.name.lower()
    matches = [suffix for suffix in EXTENSIONS if name.endswith(suffix) and len(name) > len(suffix)]
    return EXTENSIONS[max(matches, key=len)] if matches else None


def render(report: AuditReport, fmt: str, options: RenderOptions | None = None) -> str:
    return FORMATS[fmt](report, options or RenderOptions())


__all__ = ["EXTENSIONS", "FORMATS", "RenderOptions", "format_for_path", "render"]
