"""Verify's baseline: what ran before the rotation (from a BEFORE snapshot or a saved plan), and
when the rotation happened.

The rotation time is --rotated-at when given. Otherwise it is the moment the BEFORE snapshot was
collected: the latest moment known to come before the rotation. (The AFTER snapshot's collection
time cannot serve: no sync recorded in AFTER can have succeeded after it.)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from mcaudit.engine.rotation_assets import RotationBaseline, RunningAssets, running_assets
from mcaudit.errors import InputError
from mcaudit.rotation.plan import RotationPlan, planned_assets
from mcaudit.snapshot import Snapshot


@dataclass(frozen=True)
class Before:
    """The state before the rotation, whichever file it came from."""

    described_as: str
    running: RunningAssets
    collected_at: datetime
    org_id: str | None
    mid: int | None


def before_from_snapshot(snapshot: Snapshot, path: str) -> Before:
    return Before(f"BEFORE snapshot {path}", running_assets(snapshot), snapshot.collected_at,
                  snapshot.salesforce.org_id if snapshot.salesforce else None,
                  snapshot.marketing_cloud.mid if snapshot.marketing_cloud else None)


def before_from_plan(plan: RotationPlan, path: str) -> Before:
    return Before(f"plan {path}", planned_assets(plan), plan.snapshot.collected_at, plan.snapshot.org_id,
                  plan.snapshot.mid)


def parse_moment(text: str, option: str = "--rotated-at") -> datetime:
    """ISO 8601 date or time; no offset means UTC, as in snapshots."""
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise InputError(f"{option}: expected an ISO 8601 time such as 2026-11-21T08:00Z, "
                         f"got {text[:40]!r}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _stamp(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


def _same_org(before: Before, after: Snapshot, after_path: str) -> None:
    after_org = after.salesforce.org_id if after.salesforce else None
    after_mid = after.marketing_cloud.mid if after.marketing_cloud else None
    if before.org_id and after_org and before.org_id != after_org:
        raise InputError(f"the {before.described_as} is of Salesforce org {before.org_id}, the AFTER "
                         f"snapshot of org {after_org}: they must be the same org", path=after_path)
    if before.mid is not None and after_mid is not None and before.mid != after_mid:
        raise InputError(f"the {before.described_as} is of MID {before.mid}, the AFTER snapshot of MID "
                         f"{after_mid}: they must be the same account", path=after_path)


def build_baseline(before: Before, after: Snapshot, after_path: str,
                   rotated_at: datetime | None) -> RotationBaseline:
    """Check that BEFORE and AFTER belong together, and settle the rotation time."""
    _same_org(before, after, after_path)
    if after.collected_at <= before.collected_at:
        raise InputError(f"AFTER was collected at {_stamp(after.collected_at)}, not after the "
                         f"{before.described_as} ({_stamp(before.collected_at)}); are they swapped?",
                         path=after_path)
    if rotated_at is None:
        return RotationBaseline(before.described_as, before.running, before.collected_at,
                                f"when the {before.described_as} was collected; no --rotated-at given")
    if rotated_at > after.collected_at:
        raise InputError(f"--rotated-at {_stamp(rotated_at)} is after the AFTER snapshot was collected "
                         f"({_stamp(after.collected_at)}): collect AFTER once the rotation is done")
    if rotated_at < before.collected_at:
        raise InputError(f"--rotated-at {_stamp(rotated_at)} is before the {before.described_as} was "
                         f"collected ({_stamp(before.collected_at)}): BEFORE must show the state before "
                         "the rotation")
    return RotationBaseline(before.described_as, before.running, rotated_at, "given with --rotated-at")
