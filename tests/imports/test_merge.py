"""`mcaudit merge`: a Salesforce side, a Marketing Cloud side and attestation files -> one snapshot."""

from __future__ import annotations

from pathlib import Path

import pytest

from mcaudit.imports.merge import Conflict, Part, merge_snapshots
from mcaudit.snapshot import load_snapshot

from ..conftest import run_cli

FIXTURES = Path(__file__).parent / "fixtures"
SF = FIXTURES / "initrode-sf.yaml"
MC = FIXTURES / "initrode-mc.yaml"
ATTESTED = """\
- fact: connected_app_ip_relaxation
  value: enforce
  attested_by: pat.admin@initrode.example
  attested_at: 2026-02-02T10:00:00Z
"""


def test_the_two_sides_become_one_snapshot(tmp_path: Path) -> None:
    attestations = tmp_path / "attested.yaml"
    attestations.write_text(ATTESTED, encoding="utf-8")
    output = tmp_path / "initrode.yaml"
    result = run_cli("merge", SF, MC, attestations, "-o", output, "--name", "Initrode")
    assert result.returncode == 0, result.stderr
    merged = load_snapshot(output).snapshot
    sf, mc = load_snapshot(SF).snapshot, load_snapshot(MC).snapshot
    assert merged.salesforce == sf.salesforce and merged.marketing_cloud == mc.marketing_cloud
    assert merged.collected_at == min(sf.collected_at, mc.collected_at)  # the older of the two
    assert merged.name == "Initrode" and merged.source.value == "hand-written"
    assert [a.fact for a in merged.attestations] == ["connected_app_ip_relaxation"]
    again = run_cli("merge", output, attestations, "-o", tmp_path / "again.yaml")
    assert again.returncode == 0, again.stderr
    assert len(load_snapshot(tmp_path / "again.yaml").snapshot.attestations) == 1  # a duplicate counts once


def test_the_order_of_the_inputs_does_not_matter(tmp_path: Path) -> None:
    for name, order in (("one.json", (SF, MC)), ("two.json", (MC, SF))):
        assert run_cli("merge", *order, "-o", tmp_path / name, "--name", "Initrode").returncode == 0
    assert (tmp_path / "one.json").read_text(encoding="utf-8") == (tmp_path / "two.json").read_text(encoding="utf-8")


def test_a_value_given_twice_differently_is_refused_naming_both_files(tmp_path: Path) -> None:
    other = tmp_path / "other-sf.yaml"
    other.write_text(SF.read_text(encoding="utf-8").replace("parent_account_mid: 600000001",
                                                            "parent_account_mid: 600000009"), encoding="utf-8")
    output = tmp_path / "merged.yaml"
    result = run_cli("merge", SF, other, "-o", output, "--name", "x")
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and "salesforce.mcc_connector.parent_account_mid" in lines[0]
    assert str(SF) in lines[0] and str(other) in lines[0]
    assert not output.exists()


def test_null_in_one_is_taken_from_the_other() -> None:
    sf = load_snapshot(SF).snapshot
    assert sf.salesforce is not None and sf.salesforce.mcc_connector is not None
    connector = sf.salesforce.mcc_connector.model_copy(update={"parent_account_mid": None, "connected": True})
    partial = sf.model_copy(update={"salesforce": sf.salesforce.model_copy(update={
        "mcc_connector": connector, "users": None})})
    merged = merge_snapshots([Part("a.yaml", sf), Part("b.yaml", partial)])
    assert merged.salesforce and merged.salesforce.users == sf.salesforce.users
    assert merged.salesforce.mcc_connector and merged.salesforce.mcc_connector.parent_account_mid == 600000001
    assert merged.salesforce.mcc_connector.connected is True


def test_conflicting_names_need_a_name() -> None:
    sf, mc = load_snapshot(SF).snapshot, load_snapshot(MC).snapshot
    with pytest.raises(Conflict) as refused:
        merge_snapshots([Part("sf.yaml", sf), Part("mc.yaml", mc)])
    assert refused.value.where == "name"


def test_refuses_to_write_over_an_input(tmp_path: Path) -> None:
    copy = tmp_path / "sf.yaml"
    copy.write_text(SF.read_text(encoding="utf-8"), encoding="utf-8")
    result = run_cli("merge", copy, MC, "-o", copy)
    assert result.returncode == 2 and "never writes over its inputs" in result.stderr
