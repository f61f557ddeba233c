"""The exports an admin already has, end to end (issue 16): the sf CLI export and the DevTools
retrieve folder imported, merged, and the facts no API shows attested, audit and preflight
exactly like the equivalent hand-written snapshot."""

from __future__ import annotations

import json
from pathlib import Path

from ..conftest import run_cli

FIXTURES = Path(__file__).parent / "fixtures"
HAND_WRITTEN = FIXTURES / "initrode.yaml"
ATTESTED = {  # what a person reads in Setup for the five facts no export shows
    "salesforce.connected_app.ip_relaxation": "relax",
    "marketing_cloud.api_user.salesforce_status": "integrated",
    "marketing_cloud.api_user.salesforce_username": "mcc.system@initrode.example",
    "salesforce.mcc_connector.connected": True,
    "marketing_cloud.security.api_users_excluded_from_password_expiration": True,
}


def ok(*args: str | Path) -> None:
    done = run_cli(*args)
    assert done.returncode == 0, done.stderr


def statuses(command: str, snapshot: Path, *extra: str | Path) -> dict[str, list[tuple[str, str]]]:
    done = run_cli(command, snapshot, "--format", "json", *extra)
    assert done.returncode in (0, 1, 4), done.stderr
    found: dict[str, list[tuple[str, str]]] = {}
    for finding in json.loads(done.stdout)["results"][0]["findings"]:
        found.setdefault(finding["rule_id"], []).append((finding["subject"], finding["status"]))
    return {rule: sorted(pairs) for rule, pairs in found.items()}


def imported(tmp_path: Path) -> Path:
    sf, mc, merged = tmp_path / "sf.yaml", tmp_path / "mc.yaml", tmp_path / "initrode.yaml"
    when = ("--collected-at", "2024-06-01T15:00:00Z")  # when the exports ran, as the hand-written file says
    ok("import", "sf", FIXTURES / "sf", "-o", sf, "--sf-system-user", "mcc.system@initrode.example", *when)
    ok("import", "mcdev", FIXTURES / "mcdev", "-o", mc, "--mc-api-user", "mcc.api@initrode.example", *when)
    ok("merge", sf, mc, "-o", merged, "--name", "Initrode")
    return merged


def attestations(tmp_path: Path, snapshot: Path) -> Path:
    """`mcaudit attest` on the snapshot, filled in as a person would."""
    path = tmp_path / "attest.yaml"
    ok("attest", snapshot, "-o", path)
    lines, fact = path.read_text(encoding="utf-8").splitlines(), None
    for index, line in enumerate(lines):
        if line.startswith("  - fact: "):
            fact = json.loads(line.removeprefix("  - fact: "))
        elif line in ("    value:", "    attested_by:", "    attested_at:"):
            assert fact in ATTESTED, fact
            value = {"    value:": json.dumps(ATTESTED[fact]), "    attested_by:": "dana.admin@initrode.example",
                     "    attested_at:": "2024-06-01"}[line]
            lines[index] = f"{line} {value}"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_imported_and_merged_exports_audit_like_the_hand_written_snapshot(tmp_path: Path) -> None:
    merged = imported(tmp_path)
    for command in ("audit", "preflight"):
        assert statuses(command, merged) == statuses(command, HAND_WRITTEN), command


def test_attested_they_audit_alike_and_pass(tmp_path: Path) -> None:
    merged = imported(tmp_path)
    attested = attestations(tmp_path, merged)
    for command in ("audit", "preflight"):
        ours = statuses(command, merged, "--attestations", attested)
        assert ours == statuses(command, HAND_WRITTEN, "--attestations", attested), command
    audit = statuses("audit", merged, "--attestations", attested)
    left = {rule: pairs for rule, pairs in audit.items() if any(status in ("manual", "fail") for _, status in pairs)}
    assert left == {}, left
