"""`mcaudit collect` end to end against the emulator: the audit of what was collected equals the
audit of the snapshot the emulator served, apart from facts no API shows (compared against the
source with those facts nulled, and with its attestations carried over by --attestations)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mcaudit.snapshot import Snapshot, load_snapshot
from mcaudit.testing.expectations import collectable
from mcaudit.testing.scenarios import with_empty_sections

from ..conftest import SAMPLES, run_cli, run_cli_process
from .conftest import collect, collect_args, sample, statuses

SCENARIOS = {
    # sample -> exit code: 3 where the sample itself lacks sections (their collection failed)
    "healthy.yaml": 0,
    "broken.yaml": 0,
    "rotation/live.yaml": 0,
    "partial.yaml": 3,
}


def source_for(name: str) -> Snapshot:
    snapshot = sample(name)
    return snapshot if name == "partial.yaml" else with_empty_sections(snapshot)


@pytest.mark.parametrize("name", SCENARIOS)
def test_collected_snapshot_audits_like_its_source(name: str, serve, tmp_path: Path, capsys) -> None:
    source = source_for(name)
    api = serve(source)
    result = collect(api, source, tmp_path / "collected.yaml", capsys, "--attestations", str(SAMPLES / name))
    assert result.exit_code == SCENARIOS[name], result.stderr
    assert result.snapshot is not None and result.stdout == ""
    expected = collectable(source, collected_at=result.snapshot.collected_at)
    for mode in ("audit", "preflight"):
        assert statuses(result.snapshot, mode) == statuses(expected, mode), mode


def test_broken_scenario_really_fails(serve, tmp_path: Path, capsys) -> None:
    """The round trip keeps failures: the collected broken org fails the checks it should."""
    source = source_for("broken.yaml")
    result = collect(serve(source), source, tmp_path / "collected.json", capsys)
    assert result.snapshot is not None
    found = statuses(result.snapshot, "audit")
    failing = {rule for (rule, _), status in found.items() if status == "fail"}
    assert {"SF102", "SF106", "SF111", "SF114", "SF116", "MC205", "MC206", "MC207", "MC208", "MC209"} <= failing
    assert found[("MC202", "MC API user mcc.api@globex.example")] == "manual"  # no API shows it


def test_partial_sample_reports_what_failed(serve, tmp_path: Path, capsys) -> None:
    source = source_for("partial.yaml")
    result = collect(serve(source), source, tmp_path / "collected.yaml", capsys)
    assert result.exit_code == 3 and result.snapshot is not None
    runs = {run.name: run for run in result.snapshot.collection.collectors}
    assert runs["salesforce"].status.value == "partial"
    assert {"salesforce.permission_sets", "salesforce.permission_set_assignments"} <= set(
        runs["salesforce"].failed_sections)
    assert "INSUFFICIENT_ACCESS" in (runs["salesforce"].error or "")
    assert result.snapshot.salesforce is not None and result.snapshot.salesforce.permission_sets is None
    assert "collection incomplete" in result.stderr


def test_real_entry_point_writes_json(serve, tmp_path: Path) -> None:
    """The installed command, in a child process, exactly as a user runs it; then an audit of it."""
    source = source_for("healthy.yaml")
    api = serve(source)
    output = tmp_path / "snapshot.json"
    done = run_cli_process(*collect_args(api, source, output, "--attestations", str(SAMPLES / "healthy.yaml")))
    assert done.returncode == 0, done.stderr
    data = json.loads(output.read_text(encoding="utf-8"))
    assert data["source"] == "live" and data["salesforce"]["users"] and data["marketing_cloud"]["users"]
    assert data["salesforce"]["connected_apps"][0]["ip_relaxation"] is None  # null: not collected
    assert "mcaudit: salesforce: User: 3 records" in done.stderr
    audit = run_cli("audit", output, "--format", "json", "--fail-on", "never")
    assert audit.returncode == 0, audit.stderr
    assert load_snapshot(output).snapshot.collection is not None


def test_only_one_side(serve, tmp_path: Path, capsys) -> None:
    source = source_for("healthy.yaml")
    api = serve(source)
    result = collect(api, source, tmp_path / "sf.yaml", capsys, "--only", "sf")
    assert result.exit_code == 0 and result.snapshot is not None
    assert result.snapshot.marketing_cloud is None and result.snapshot.salesforce is not None
    runs = {run.name: run.status.value for run in result.snapshot.collection.collectors}
    assert runs == {"salesforce": "ok", "marketing_cloud": "skipped"}
    assert not [call for call in api.calls if call.label.startswith("mc.")]
