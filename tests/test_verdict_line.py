"""With every report going to a file, the terminal still shows the verdict, on standard error."""

from __future__ import annotations

from pathlib import Path

from .conftest import SAMPLES, run_cli


def test_only_an_html_file_still_prints_the_verdict(tmp_path: Path) -> None:
    out = tmp_path / "x.html"
    result = run_cli("audit", SAMPLES / "broken.yaml", "-o", out)
    assert result.returncode == 1, result.stderr  # the exit code is unchanged
    assert result.stdout == ""
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert result.stderr.splitlines()[-2:] == [
        f"mcaudit: wrote html report to {out}",
        "mcaudit: FAIL  14 problems rated high or above must be fixed",
    ]


def test_the_verdict_stays_with_quiet_and_passes_say_so(tmp_path: Path) -> None:
    result = run_cli("audit", "--quiet", SAMPLES / "healthy.yaml", "-o", tmp_path / "x.html")
    assert result.returncode == 0, result.stderr
    assert "wrote" not in result.stderr
    assert result.stderr.splitlines()[-1] == (
        "mcaudit: PASS  nothing rated high or above failed, and every check could be made")


def test_several_snapshots_name_each_verdict_and_roll_up(tmp_path: Path) -> None:
    result = run_cli("audit", SAMPLES / "broken.yaml", SAMPLES / "healthy.yaml", "-o", tmp_path / "x.json")
    assert result.returncode == 1, result.stderr
    lines = result.stderr.splitlines()
    assert lines[-1] == "mcaudit: 2 snapshots: 1 FAIL, 1 PASS; exit 1"
    assert lines[-3].endswith(": FAIL  14 problems rated high or above must be fixed")
    assert lines[-2].endswith(": PASS  nothing rated high or above failed, and every check could be made")


def test_a_report_on_standard_output_carries_its_own_verdict(tmp_path: Path) -> None:
    result = run_cli("audit", SAMPLES / "broken.yaml", "-f", "html", "-f", "json", "-o", tmp_path / "x.html")
    assert result.returncode == 1, result.stderr
    assert result.stdout.startswith("{")  # the JSON report says the verdict; stderr need not repeat it
    assert "14 problems" not in result.stderr and "wrote" not in result.stderr
