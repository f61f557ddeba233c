from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from ..conftest import SAMPLES, run_cli

ROTATION = SAMPLES / "rotation"


def sample(name: str) -> Path:
    return ROTATION / f"{name}.yaml"


def run_json(*args: str | Path) -> tuple[subprocess.CompletedProcess[str], dict[str, Any]]:
    """Run mcaudit with --format json; the process and its single result."""
    done = run_cli(*args, "--format", "json")
    assert done.stdout, f"no report: exit {done.returncode}, stderr: {done.stderr}"
    report = json.loads(done.stdout)
    assert len(report["results"]) == 1
    return done, report["results"][0]


def edited_sample(name: str, target: Path, edit: Any) -> Path:
    """Write a copy of a rotation sample, after `edit(document)` changed it, as JSON next to target."""
    document = YAML(typ="safe", pure=True).load(sample(name).read_text(encoding="utf-8"))
    edit(document)
    path = target.with_suffix(".json")
    path.write_text(json.dumps(document, default=lambda value: value.isoformat()), encoding="utf-8")
    return path


def statuses(result: dict[str, Any], rule_id: str) -> dict[str, str]:
    """subject -> status of one rule's findings."""
    return {f["subject"]: f["status"] for f in result["findings"] if f["rule_id"] == rule_id}
