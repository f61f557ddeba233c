from __future__ import annotations

import json
from pathlib import Path

from ..conftest import SAMPLES, run_cli


def _broken(tmp_path: Path) -> Path:
    target = tmp_path / "b.yaml"
    target.write_text((SAMPLES / "healthy.yaml").read_text().replace(
        "      profile_name: System Administrator", "      profile_name: Standard User", 1))
    return target


def _waivers(tmp_path: Path, body: str) -> Path:
    target = tmp_path / "waivers.yaml"
    target.write_text(body)
    return target


def test_waived_finding_stays_visible_and_does_not_block(tmp_path: Path) -> None:
    waivers = _waivers(tmp_path, "waivers:\n  - rule: SF113\n    subject: 'System User *'\n"
                                 "    reason: profile migration, CHG-1234\n    approved_by: ciso@acme.example\n")
    result = run_cli("audit", _broken(tmp_path), "--waivers", waivers, "--format", "json")
    assert result.returncode == 0, result.stdout
    finding = next(f for f in json.loads(result.stdout)["results"][0]["findings"] if f["rule_id"] == "SF113")
    assert finding["status"] == "waived"
    assert finding["waived_from"] == "fail"
    assert finding["waiver_reason"] == "profile migration, CHG-1234 (approved by ciso@acme.example)"


def test_expired_waiver_no_longer_applies(tmp_path: Path) -> None:
    waivers = _waivers(tmp_path, "waivers:\n  - rule: SF113\n    reason: temporary\n    expires: 2020-01-01\n")
    result = run_cli("audit", _broken(tmp_path), "--waivers", waivers)
    assert result.returncode == 1
    assert "expired on 2020-01-01" in result.stderr


def test_unused_waiver_is_reported(tmp_path: Path) -> None:
    waivers = _waivers(tmp_path, "waivers:\n  - rule: MC208\n    reason: nothing to waive\n")
    result = run_cli("audit", SAMPLES / "healthy.yaml", "--waivers", waivers)
    assert result.returncode == 0
    assert "waiver MC208 '*' matched no finding" in result.stderr


def test_malformed_waiver_file_exits_2(tmp_path: Path) -> None:
    waivers = _waivers(tmp_path, "waivers:\n  - rule: SF113\n")
    result = run_cli("audit", SAMPLES / "healthy.yaml", "--waivers", waivers)
    assert result.returncode == 2
    assert "waivers.yaml" in result.stderr and "waivers[0].reason" in result.stderr
