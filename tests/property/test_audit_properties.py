"""Property-based: any valid snapshot audits without crashing, one result per rule and subject,
and the same snapshot written as YAML or JSON audits identically."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mcaudit.engine import EvaluationConfig, evaluate, load_rules
from mcaudit.snapshot import Snapshot, load_snapshot
from mcaudit.yamlio import dump_yaml

PACK = load_rules()
AUDIT_RULES = {rule.id for rule in PACK.rules if "audit" in rule.modes}
maybe_bool = st.sampled_from([True, False, None])
names = st.sampled_from(["Salesforce", "Salesforce Platform", "System Administrator", "Standard User", None])


@st.composite
def snapshots(draw: st.DrawFn) -> dict[str, Any]:
    n_users = draw(st.integers(0, 6))
    user_ids = [f"005U{n}" for n in range(n_users)]
    ps_ids = ["0PSAPP", "0PSOTHER", "0PSPKG"]
    users = [{
        "id": user_id, "username": f"User{n}@Example.com", "is_active": draw(maybe_bool),
        "is_frozen": draw(maybe_bool), "user_license": draw(names), "profile_name": draw(names),
        "marketing_user": draw(maybe_bool), "mc_appexchange_user": draw(maybe_bool),
        "mc_appexchange_admin": draw(maybe_bool),
    } for n, user_id in enumerate(user_ids)]
    assignments = [{
        "assignee_id": draw(st.sampled_from([*user_ids, "005GHOST"])),
        "permission_set_id": draw(st.sampled_from([*ps_ids, None])),
        "permission_set_group_id": draw(st.sampled_from(["0PGGROUP", None])),
        "expiration_date": draw(st.sampled_from([None, "2020-01-01T00:00:00Z", "2030-01-01T00:00:00Z"])),
    } for _ in range(draw(st.integers(0, 8)))]
    app = {"name": draw(st.sampled_from(["Salesforce Marketing Cloud", "salesforce marketing cloud", "Other"])),
           "permitted_users": draw(st.sampled_from(["admin_approved", "all_users", None])),
           "ip_relaxation": draw(st.sampled_from(["relax", "enforce", None])),
           "refresh_token_policy": draw(st.sampled_from(["immediately_expire", "infinite", None])),
           "permission_set_ids": draw(st.sampled_from([None, [], ["0PSAPP"], ["0PSAPP", "0PSPROFILE"]]))}
    system_user = draw(st.sampled_from([None, {"id": "005U0"}, {"username": "user1@example.com"},
                                        {"id": "005NOBODY"}]))
    salesforce = {
        "org_id": "00DORG",
        "connected_apps": draw(st.sampled_from([None, [], [app]])),
        "permission_sets": draw(st.sampled_from([None, [
            {"id": "0PSAPP", "name": "App"}, {"id": "0PSOTHER", "name": "Other"},
            {"id": "0PSPKG", "name": "MCC", "label": "Marketing Cloud Connector", "namespace_prefix": "et4ae5"},
            {"id": "0PSPROFILE", "name": "X", "is_owned_by_profile": True, "profile_name": "System Administrator"},
        ]])),
        "permission_set_groups": [{"id": "0PGGROUP", "name": "G", "permission_set_ids": ["0PSAPP"]}],
        "permission_set_assignments": draw(st.sampled_from([None, assignments])),
        "users": draw(st.sampled_from([None, users])),
        "mcc_connector": draw(st.sampled_from([None, {
            "system_user": system_user, "scope_by_user": draw(maybe_bool), "connected": draw(maybe_bool),
            "business_units": draw(st.sampled_from([None, [], [{"mid": 1}, {"mid": 2, "name": "EU"}]])),
        }])),
    }
    mc_users = [{
        "username": name, "active": draw(maybe_bool), "is_locked": draw(maybe_bool),
        "is_api_user": draw(maybe_bool), "must_change_password": draw(maybe_bool),
        "roles": draw(st.sampled_from([None, [], ["Administrator"], ["SYS_DEF_IMHADMIN", "administrator"]])),
        "business_unit_mids": draw(st.sampled_from([None, [], [1], [1, 2]])),
        "default_business_unit": draw(st.sampled_from([None, 1, 2])),
        "salesforce_integration": draw(st.sampled_from([None, {"status": "integrated"}, {
            "status": "not_integrated", "salesforce_username": "USER0@example.com"},
            {"salesforce_username": "ghost@example.com"}])),
    } for name in draw(st.sampled_from([[], ["api@x"], ["api@x", "other@x"]]))]
    marketing_cloud = {
        "mid": 1, "mcc_api_user": draw(st.sampled_from([None, "API@x", "missing@x"])),
        "users": draw(st.sampled_from([None, mc_users])),
        "roles": [{"key": "SYS_DEF_IMHADMIN", "name": "Marketing Cloud Administrator"}],
        "business_units": [{"mid": 1, "is_top_level": True}, {"mid": 2, "parent_mid": 1}],
        "security": draw(st.sampled_from([None, {"api_users_excluded_from_password_expiration": True}])),
    }
    attestations = draw(st.sampled_from([[], [
        {"fact": "marketing_cloud.api_user.salesforce_status", "value": "integrated",
         "attested_by": "a@x", "attested_at": "2026-11-01"},
        {"fact": "salesforce.connected_app.ip_relaxation", "value": "relax", "attested_by": "a@x",
         "attested_at": "2025-01-01"},
    ]]))
    return {"schema_version": 1, "collected_at": "2026-11-20T00:00:00Z", "source": "hand-written",
            "attestations": attestations,
            "salesforce": draw(st.sampled_from([None, salesforce])),
            "marketing_cloud": draw(st.sampled_from([None, marketing_cloud]))}


def _statuses(snapshot: Snapshot) -> list[tuple[str, str, str, str]]:
    result = evaluate(snapshot, PACK, EvaluationConfig())
    return [(f.rule_id, f.subject, f.status.value, f.message) for f in result.findings]


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(snapshots())
def test_audit_never_crashes_and_yields_one_result_per_rule_and_subject(data: dict[str, Any]) -> None:
    snapshot = Snapshot.model_validate(data)
    findings = _statuses(snapshot)
    pairs = Counter((rule_id, subject) for rule_id, subject, _, _ in findings)
    assert all(count == 1 for count in pairs.values()), pairs.most_common(3)
    assert {rule_id for rule_id, *_ in findings} == AUDIT_RULES  # every rule speaks


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(snapshots())
def test_yaml_and_json_audit_identically(tmp_path: Path, data: dict[str, Any]) -> None:
    snapshot = Snapshot.model_validate(data)
    plain = snapshot.model_dump(mode="json", by_alias=True)
    as_json, as_yaml = tmp_path / "s.json", tmp_path / "s.yaml"
    as_json.write_text(json.dumps(plain))
    as_yaml.write_text(dump_yaml(plain))
    from_json, from_yaml = load_snapshot(as_json).snapshot, load_snapshot(as_yaml).snapshot
    assert from_json == from_yaml == snapshot
    assert _statuses(from_json) == _statuses(from_yaml)
