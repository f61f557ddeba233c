"""Locate the data folders shipped with mcaudit: the rule catalog and the report templates.

A wheel carries them as mcaudit/_data/{rules,reports}; an editable install or a source
checkout has them at the repository root. The packaged copy wins when both exist.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _data_dir(name: str) -> Path:
    for candidate in (_PACKAGE / "_data" / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"mcaudit's '{name}' folder is missing from this installation")


def rules_dir() -> Path:
    return _data_dir("rules")


def reports_dir() -> Path:
    return _data_dir("reports")
