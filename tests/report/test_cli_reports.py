"""End to end through the CLI: every format from one run, formats from extensions, hostile names literal."""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree as ET

from ..conftest import run_cli
from .conftest import HOSTILE_STRINGS, IMG, SCRIPT


def test_one_run_writes_every_format(hostile_snapshot: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    names = ["report.html", "summary.md", "results.sarif.json", "junit.xml", "report.json", "report.txt"]
    result = run_cli("audit", hostile_snapshot, *[arg for name in names for arg in ("-o", out / name)])
    assert result.returncode == 1, result.stderr
    assert result.stdout == ""
    assert [line.split()[2] for line in result.stderr.splitlines() if "wrote" in line] == [
        "html", "markdown", "sarif", "junit", "json", "console"]
    html, markdown, sarif, junit, report, console = (
        (out / name).read_text(encoding="utf-8") for name in names)
    assert html.startswith("<!DOCTYPE html>")
    assert SCRIPT not in html and IMG not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert markdown.startswith("## ❌ FAIL: Connection audit of ACME &lt;script&gt;")
    sarif_log = json.loads(sarif)
    assert sarif_log["version"] == "2.1.0"
    lines = [r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in sarif_log["runs"][0]["results"]]
    assert all(line > 1 for line in lines), "the CLI locates findings on their line in the snapshot file"
    suite = ET.fromstring(junit).find("testsuite")
    assert suite is not None and suite.get("failures") == "2"
    data = json.loads(report)
    assert data["format_version"] == 1 and data["results"][0]["verdict"] == "fail"
    subjects = " ".join(f["subject"] for f in data["results"][0]["findings"])
    unwrapped = "".join(console.split())  # the console wraps long lines
    for hostile in HOSTILE_STRINGS:
        assert hostile in subjects and "".join(hostile.split()) in unwrapped, hostile


def test_repeated_format_pairs_with_its_output(hostile_snapshot: Path, tmp_path: Path) -> None:
    result = run_cli("audit", hostile_snapshot, "--format", "junit", "--format", "markdown",
                     "-o", tmp_path / "ci-results", "--fail-on", "never")
    assert result.returncode == 0, result.stderr
    assert ET.fromstring((tmp_path / "ci-results").read_text(encoding="utf-8")).tag == "testsuites"
    assert result.stdout.startswith("## ")  # the format without an -o goes to standard output


def test_unknown_extension_needs_a_format(hostile_snapshot: Path, tmp_path: Path) -> None:
    result = run_cli("audit", hostile_snapshot, "-o", tmp_path / "report.pdf")
    assert result.returncode == 2
    assert "cannot tell the format from the extension" in result.stderr
