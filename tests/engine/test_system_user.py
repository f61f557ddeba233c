"""Who the System User is, and how mcaudit knows: the package does not store it, so every source
(option, snapshot, attestation, inference) is named wherever the System User is shown."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest

from mcaudit.engine import EvaluationConfig
from mcaudit.engine.context import Context
from mcaudit.engine.subjects import (
    SUBJECTS,
    ConnectorView,
    SystemUserView,
    candidate_evidence,
    describe_system_user,
    system_user_identity,
)
from mcaudit.snapshot import Snapshot, load_snapshot
from mcaudit.snapshot.salesforce import SystemUserCandidate

from ..conftest import SAMPLES

ATTESTATION = {"fact": "salesforce.mcc_connector.system_user", "value": "mcc.system@acme.example",
               "attested_by": "dana.admin@acme.example", "attested_at": "2026-11-19"}
CANDIDATE = {"user_id": "0055g00000SysUsrAAA", "username": "mcc.system@acme.example", "oauth_tokens": 2,
             "oauth_use_count": 4210, "oauth_last_used": "2026-11-19T22:10:00Z"}


def healthy(**connector: Any) -> dict[str, Any]:
    data = load_snapshot(SAMPLES / "healthy.yaml").snapshot.model_dump(mode="json", exclude_none=True)
    data["salesforce"]["mcc_connector"].update(connector)
    return data


def context(data: dict[str, Any], **config: Any) -> Context:
    return Context(Snapshot.model_validate(data), EvaluationConfig(**config))


@pytest.mark.parametrize(("source", "identified_by", "how"), [
    (None, "declared", "declared in the snapshot"),
    ("declared", "declared", "declared in the snapshot"),
    ("option", "option", "given with --sf-system-user"),
    ("inferred", "inferred", "inferred from OAuth tokens for the Salesforce Marketing Cloud app: 2 tokens, "
                             "used 4,210 times, last 2026-11-19; confirm it"),
])
def test_each_source_is_named(source: str | None, identified_by: str, how: str) -> None:
    identity = system_user_identity(context(healthy(system_user_source=source, system_user_candidates=[CANDIDATE])))
    assert identity is not None
    assert (identity.identified_by, identity.how, identity.name) == (identified_by, how, "mcc.system@acme.example")
    assert identity.evidence() == f"system user: mcc.system@acme.example ({how})"
    assert identity.inferred is (source == "inferred")


def test_an_attestation_names_the_system_user_when_no_one_else_did() -> None:
    data = healthy(system_user=None)
    data["attestations"].append(ATTESTATION)
    identity = system_user_identity(context(data))
    assert identity is not None and identity.attested is not None
    assert (identity.identified_by, identity.how) == ("attested", "attested by dana.admin@acme.example on 2026-11-19")


def test_an_attestation_settles_an_inference_but_not_a_named_user() -> None:
    inferred = healthy(system_user={"id": "0055g00000MktUsrAAA"}, system_user_source="inferred")
    inferred["attestations"].append(ATTESTATION)
    identity = system_user_identity(context(inferred))
    assert identity is not None and identity.identified_by == "attested"
    declared = healthy(system_user={"username": "marta.marketer@acme.example"})
    declared["attestations"].append(ATTESTATION)
    identity = system_user_identity(context(declared))
    assert identity is not None
    assert (identity.identified_by, identity.name) == ("declared", "marta.marketer@acme.example")


def test_a_stale_attestation_or_an_empty_reference_identifies_no_one() -> None:
    data = healthy(system_user={})
    data["attestations"].append(ATTESTATION)
    assert system_user_identity(context(data, attestation_max_age_days=0)) is None
    assert system_user_identity(context(healthy(system_user=None))) is None


def test_the_inferred_system_user_is_checked_but_labelled() -> None:
    ctx = context(healthy(system_user_source="inferred", system_user_candidates=[CANDIDATE]))
    [subject] = SUBJECTS["sf.system_user"](ctx)
    assert subject.label == "System User mcc.system@acme.example (inferred)"
    assert subject.key == "mcc.system@acme.example"
    assert isinstance(subject.view, SystemUserView)
    assert subject.view.identified_by == "inferred"
    assert subject.view.system_user.endswith("; confirm it)")
    # the impacted-user rules leave the (inferred) System User to its own rules
    assert [s.key for s in SUBJECTS["sf.impacted_users"](ctx)] == ["marta.marketer@acme.example"]


def test_connector_view_tells_identified_from_inferred() -> None:
    ctx = context(healthy(system_user_source="inferred"))
    [subject] = SUBJECTS["sf.connector"](ctx)
    view = subject.view
    assert isinstance(view, ConnectorView)
    assert (view.system_user_identified, view.system_user_found, view.system_user_source) == (False, True, "inferred")
    ctx = context(healthy(system_user_source="option"))
    view = SUBJECTS["sf.connector"](ctx)[0].view
    assert (view.system_user_identified, view.system_user_found, view.system_user) == (
        True, True, "mcc.system@acme.example (given with --sf-system-user)")


def test_describe_system_user_needs_no_evaluation() -> None:
    """What the rotation runbook can call to say how it knows the System User."""
    snapshot = Snapshot.model_validate(healthy(system_user_source="option"))
    identity = describe_system_user(snapshot)
    assert identity is not None and identity.display == "mcc.system@acme.example (given with --sf-system-user)"
    assert describe_system_user(Snapshot.model_validate(healthy(system_user=None))) is None


@pytest.mark.parametrize(("candidate", "text"), [
    ({"oauth_tokens": 1, "oauth_use_count": 1},
     "OAuth tokens for the Salesforce Marketing Cloud app: 1 token, used 1 time"),
    ({"oauth_tokens": 0, "holds_system_user_permission_set": True},
     "no OAuth token for the Salesforce Marketing Cloud app; assigned the package's Marketing Cloud System User "
     "permission set"),
    ({"holds_system_user_permission_set": False},
     "OAuth tokens for the Salesforce Marketing Cloud app not collected; not assigned the package's"),
    ({"oauth_tokens": 3, "oauth_last_used": datetime(2026, 11, 2, 23, 59, tzinfo=timezone.utc)},
     "3 tokens, last 2026-11-02"),
])
def test_candidate_evidence(candidate: dict[str, Any], text: str) -> None:
    line = candidate_evidence(SystemUserCandidate(user_id="0055g00000SysUsrAAA", **candidate))
    assert line.startswith("candidate 0055g00000SysUsrAAA: ") and text in line
