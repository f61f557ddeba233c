"""A non-editable install carries the rule catalog and the report templates."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from .conftest import ROOT, SAMPLES


@pytest.mark.slow
def test_wheel_ships_rules_and_reports_and_audits(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", dist, ROOT],
                   check=True, capture_output=True, timeout=300)
    [wheel] = dist.glob("mcaudit-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "mcaudit/_data/rules/salesforce/SF101.yaml" in names
    assert "mcaudit/_data/reports/report.html.j2" in names
    assert "mcaudit/apicatalog/api_catalog.yaml" in names  # the collectors' sourced API names
    assert not [name for name in names if name.startswith("mcaudit/testing/")]  # the emulator is for tests

    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", target, wheel],
                   check=True, capture_output=True, timeout=300)
    # the installed copy must win over the source checkout, and must not need it
    env = {**os.environ, "PYTHONPATH": str(target)}
    probe = subprocess.run(
        [sys.executable, "-c", "import mcaudit, mcaudit.resources as r; print(mcaudit.__file__); print(r.rules_dir())"],
        capture_output=True, text=True, env=env, cwd=tmp_path, check=True)
    module_file, rules_dir = probe.stdout.split()
    assert module_file.startswith(str(target)) and rules_dir.startswith(str(target))

    html = tmp_path / "report.html"
    sample = SAMPLES / "healthy.yaml"
    command = [sys.executable, "-m", "mcaudit", "audit", sample, "-f", "json", "-f", "html", "-o", html]
    audit = subprocess.run(command, capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)
    assert audit.returncode == 0, audit.stderr
    assert json.loads(audit.stdout)["results"][0]["verdict"] == "pass"
    assert "ACME production (healthy)" in html.read_text()  # the templates came from the wheel
    # triage reads the symptom catalog and its own templates from the wheel too
    triage_html = tmp_path / "triage.html"
    triage = subprocess.run([sys.executable, "-m", "mcaudit", "triage", SAMPLES / "broken.yaml", "--symptom",
                             "connection-fails", "-o", triage_html], capture_output=True, text=True, env=env,
                            cwd=tmp_path, timeout=120)
    assert triage.returncode == 1, triage.stderr
    assert "Globex production (drifted)" in triage_html.read_text()
    assert "mcaudit/symptoms/symptoms.yaml" in names and "mcaudit/_data/reports/triage.html.j2" in names
