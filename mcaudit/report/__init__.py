"""Renderers: AuditReport -> text in one format. They read findings, never the snapshot."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from mcaudit.findings import AuditReport
from mcaudit.report.console import render_console
from mcaudit.report.json_format import render_json


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
    "json": lambda report, opts: render_json(report),
}

# output file extension -> format, for `-o report.json` without --format
EXTENSIONS: dict[str, str] = {
    ".json": "json",
    ".txt": "console",
    ".log": "console",
}


def render(report: AuditReport, fmt: str, options: RenderOptions | None = None) -> str:
    return FORMATS[fmt](report, options or RenderOptions())


__all__ = ["EXTENSIONS", "FORMATS", "RenderOptions", "render"]
