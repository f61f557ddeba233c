"""The JSON report: the typed model (mcaudit/report/json_model.py) dumped, indented, with one finding per line.

One line per finding keeps the file readable, diffable and grep-able, and lets the C encoder
do the bulk of the work: fully indented output goes through json's pure-Python encoder, which
is four times slower on an enterprise org's tens of thousands of findings.

The data is kept exactly, but the text is inert on a terminal and in a CI log: json escapes C0
controls, and `inert_json` escapes the rest a terminal or a viewer acts on (DEL, C1 controls such
as NEL and CSI, line separators, bidi overrides) and the bracket of a `##[` or `##vso[` log
command as \\uXXXX, which every JSON parser reads back unchanged.
"""

from __future__ import annotations

import json
import re
import secrets
from typing import Any

from mcaudit.findings import AuditReport
from mcaudit.report.viewmodel import build_report
from mcaudit.safetext import BEYOND_C0

_INDENT = " " * 6  # findings sit at report.results[i].findings
# outside strings JSON text is ASCII without '#', so each match is inside a string, where a
# \uXXXX escape means the same character
_ACTIVE = re.compile(f"[{BEYOND_C0}]|(?<=##)\\[|(?<=##vso)\\[", re.IGNORECASE)


def inert_json(text: str) -> str:
    """JSON text with every character a terminal or a CI runner acts on written as its \\uXXXX escape."""
    return _ACTIVE.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


def _findings_block(findings: list[Any]) -> str:
    if not findings:
        return "[]"
    rows = ",\n".join(_INDENT + "  " + json.dumps(finding, ensure_ascii=False) for finding in findings)
    return "[\n" + rows + "\n" + _INDENT + "]"


def render_json(report: AuditReport) -> str:
    data = build_report(report).model_dump(mode="json")
    marker = f"@@findings-{secrets.token_hex(8)}-"  # cannot occur in the data: it is made up now
    blocks = {}
    for index, result in enumerate(data["results"]):
        blocks[f'"{marker}{index}"'] = _findings_block(result["findings"])
        result["findings"] = f"{marker}{index}"
    text = json.dumps(data, indent=2, ensure_ascii=False)
    for placeholder, block in blocks.items():
        text = text.replace(placeholder, block, 1)
    return inert_json(text) + "\n"
