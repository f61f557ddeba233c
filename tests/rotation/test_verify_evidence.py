"""A passing `verify` shows its evidence by default: the lines an admin attaches to the change ticket."""

from __future__ import annotations

from ..conftest import run_cli
from .conftest import sample

ROTATED_AT = ("--rotated-at", "2026-11-21T08:00Z")

# each restored asset, with the evidence that proves it is back
RESTORED = {
    "PV402  triggered send 'Order receipt' (key order-receipt) is Active again": "evidence: Status now: Active",
    "PV402  triggered send 'Welcome email' (key welcome-email) is Active again": "evidence: Status now: Active",
    "PV403  journey 'Lead nurture' (key lead-nurture)": "evidence: now: version 1 Stopped, version 2 Published",
    "PV403  journey 'Onboarding' (key onboarding-journey)":
        "evidence: now: version 2 Stopped, version 3 Stopped, version 4 Published",
    "PV404  CRM send 'November newsletter'": "evidence: Status now: scheduled",
    "PV404  CRM send 'Service update'": "evidence: Status now: in_progress",
    "PV405  Synchronized Data Extension Contact succeeded": "evidence: last successful run: 2026-11-21T09:10:00Z",
    "PV405  Synchronized Data Extension Lead succeeded": "evidence: last successful run: 2026-11-21T09:12:00Z",
    "PV406  Individual Email Results (IER) sync succeeded": "evidence: last successful run: 2026-11-21T09:15:00Z",
}


def verify_console(*extra: str) -> tuple[int, str]:
    result = run_cli("verify", sample("live"), sample("after-restored"), *ROTATED_AT,
                     "--no-color", *extra)
    return result.returncode, result.stdout


def test_a_passing_verify_lists_each_restored_asset_with_its_evidence() -> None:
    code, text = verify_console()
    assert code == 0
    lines = text.splitlines()
    for headline, evidence in RESTORED.items():
        [start] = [i for i, line in enumerate(lines) if headline in line]
        block = []
        for line in lines[start + 1:]:
            if not line.startswith(" " * 18):  # the body column
                break
            block.append(line.strip())
        assert evidence in block, (headline, block)
    assert "evidence: MC211 pass: MCC connector configuration" in text  # PV401 and what proves it
    assert "PV405  Synchronized Data Extension Account is paused" not in text  # n/a stays behind --verbose
    assert " PASS  nothing rated high or above failed, and every check could be made" in text
    assert "attach this report to the change record" in text
    assert text.index(" PASS ") < text.index("Passed (10)")  # the verdict first


def test_quiet_leaves_the_evidence_out() -> None:
    code, text = verify_console("--quiet")
    assert code == 0
    assert "evidence:" not in text and " PASS  nothing rated high or above failed" in text
