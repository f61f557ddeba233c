"""Renderers: AuditReport -> text in one format. They read findings, never the snapshot.

Whatever a format escapes its own way, `render` returns text that encodes as UTF-8: a lone
surrogate from a snapshot (JSON allows `"\\ud800"`) becomes U+FFFD, never a crash at write time.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from pathlib import PurePath
from typing import Any

from mcaudit.findings import AuditReport
from mcaudit.safetext import without_surrogates


@dataclass(frozen=True)
class RenderOptions:
    color: bool = False
    verbose: bool = False
    quiet: bool = False
    width: int = 110
    companions: tuple[str, ...] = ()  # the other report files of the run, named where one is shortened


Renderer = Callable[[AuditReport, RenderOptions], str]


def _lazy(module: str, function: str, **options: str) -> Renderer:
    """A renderer imported on first use: Jinja and XML cost start-up time to runs that don't need them.
    `options` maps the renderer's keyword arguments to RenderOptions fields."""

    def render_with(report: AuditReport, opts: RenderOptions) -> str:
        renderer: Any = getattr(import_module(f"mcaudit.report.{module}"), function)
        return str(renderer(report, **{name: getattr(opts, field) for name, field in options.items()}))

    return render_with


FORMATS: dict[str, Renderer] = {
    "console": _lazy("console", "render_console", color="color", verbose="verbose", quiet="quiet", width="width"),
    "markdown": _lazy("markdown_format", "render_markdown", verbose="verbose", companions="companions"),
    "html": _lazy("html_format", "render_html"),
    "json": _lazy("json_format", "render_json"),
    "sarif": _lazy("sarif_format", "render_sarif"),
    "junit": _lazy("junit_format", "render_junit"),
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
    return without_surrogates(FORMATS[fmt](report, options or RenderOptions()))


__all__ = ["EXTENSIONS", "FORMATS", "RenderOptions", "format_for_path", "render"]
