from __future__ import annotations

import json

from mcaudit.findings import AuditReport
from mcaudit.report.viewmodel import report_dict


def render_json(report: AuditReport) -> str:
    return json.dumps(report_dict(report), indent=2, ensure_ascii=False) + "\n"
