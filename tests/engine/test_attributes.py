"""The attribute registry tells the truth: on every sample snapshot, each attribute a subject
offers holds a value of its declared kind (or null, or says why it cannot answer).

The loader checks a rule's operator and value against the declared kind; a kind declared wrong
would let a rule through that fails mid-audit, or refuse one that works.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from mcaudit.engine.attributes import OFFERS, passed_through
from mcaudit.engine.context import Context, EvaluationConfig, Missing, NotApplicable
from mcaudit.engine.operators import Kind
from mcaudit.engine.rotation_assets import RotationBaseline, running_assets
from mcaudit.engine.subjects import SUBJECTS
from mcaudit.snapshot import Snapshot, load_snapshot

from ..conftest import ROOT, SAMPLES

SNAPSHOTS = sorted([*SAMPLES.glob("*.yaml"), *(SAMPLES / "rotation").glob("*.yaml"),
                    *(ROOT / "tests" / "rules" / "bases").glob("*.yaml")])

NULL_IN_EVERY_SAMPLE = {
    ("sf.impacted_users", "system_user"),  # the System User's name is null on other users by design
    ("sf.mcc_permission_holders", "system_user"),
    # no API shows this one: the samples attest it (ip_relaxation too, a field passed through)
    ("mc.account", "api_users_excluded_from_password_expiration"),
}


def _holds(kind: Kind, value: Any) -> bool:
    def number(item: Any) -> bool:
        return isinstance(item, int | float) and not isinstance(item, bool)

    if kind is Kind.text:
        return isinstance(value, str)
    if kind is Kind.flag:
        return isinstance(value, bool)
    if kind is Kind.number:
        return number(value)
    items = list(value) if isinstance(value, list | tuple) else None
    if items is None:
        return False
    return all(isinstance(item, str) if kind is Kind.texts else number(item) for item in items)


def _context(snapshot: Snapshot) -> Context:
    """A context whose baseline is the snapshot itself, so that verify's subjects exist too."""
    baseline = RotationBaseline("BEFORE snapshot", running_assets(snapshot), snapshot.collected_at, "test")
    return Context(snapshot, EvaluationConfig(mode="verify", baseline=baseline))


@pytest.mark.parametrize("path", SNAPSHOTS, ids=lambda path: str(Path(path).relative_to(ROOT)))
def test_every_attribute_holds_its_declared_kind(path: Path) -> None:
    ctx = _context(load_snapshot(path).snapshot)
    for selector, offer in OFFERS.items():
        if not offer.attributes:
            continue
        try:
            subjects = SUBJECTS[selector](ctx)
        except Missing:
            continue
        for subject in subjects:
            for attribute, kind in offer.attributes.items():
                try:
                    value = getattr(subject.view, attribute)
                except (Missing, NotApplicable):
                    continue
                assert value is None or _holds(kind, value), (selector, subject.label, attribute, value)


def _computed(selector: str) -> list[str]:
    """The attributes a view computes; a pass-through field's kind comes from the model's own
    annotation (tests/engine/test_pass_through.py), so no sample need hold a value for it."""
    offer = OFFERS[selector]
    derived = passed_through(offer.view) if offer.view else {}
    return [attribute for attribute in offer.attributes if attribute not in derived]


def test_the_samples_reach_every_attribute() -> None:
    """Each computed attribute was seen with a value on some sample, so the test above checked it."""
    seen: set[tuple[str, str]] = set()
    for path in SNAPSHOTS:
        ctx = _context(load_snapshot(path).snapshot)
        for selector, offer in OFFERS.items():
            try:
                subjects = SUBJECTS[selector](ctx) if offer.attributes else []
            except Missing:
                continue
            for subject in subjects:
                for attribute in offer.attributes:
                    try:
                        if getattr(subject.view, attribute) is not None:
                            seen.add((selector, attribute))
                    except (Missing, NotApplicable):
                        pass
    unseen = sorted({(selector, attribute) for selector in OFFERS for attribute in _computed(selector)} - seen)
    assert unseen == sorted(NULL_IN_EVERY_SAMPLE)
