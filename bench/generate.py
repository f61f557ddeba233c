"""Generate a synthetic snapshot of a chosen size, deterministically (same seed, same file).

    python bench/generate.py --sf-users 200000 --assignments 400000 --mc-users 20000 \
        --triggered-sends 20000 --journeys 10000 -o bench/out/large.json

The org is healthy at its core (a System User and an MC API user that pass the checklist) with
the noise of a real enterprise around it: inactive and frozen users, expired assignments,
permission set groups, impacted users missing permissions, paused and active sends.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from mcaudit.yamlio import dump_yaml

APP_PS = "0PS000000000APPAAA"


def _sf_id(prefix: str, number: int) -> str:
    return f"{prefix}{number:012d}AAA"


def generate(*, sf_users: int, assignments: int, mc_users: int, triggered_sends: int, journeys: int,
             seed: int = 7) -> dict[str, Any]:
    rng = random.Random(seed)
    permission_sets = [{"id": APP_PS, "name": "MCC_App", "label": "Marketing Cloud Connect App"}]
    permission_sets += [{"id": _sf_id("0PS", n), "name": f"PS_{n}", "label": f"Permission set {n}"}
                        for n in range(1, 200)]
    groups = [{"id": _sf_id("0PG", n), "name": f"Group_{n}",
               "permission_set_ids": [_sf_id("0PS", rng.randrange(1, 200)) for _ in range(3)]
               + ([APP_PS] if n % 10 == 0 else [])} for n in range(1, 50)]
    users = []
    for n in range(sf_users):
        mcc = n % 50 == 0
        users.append({
            "id": _sf_id("005", n), "username": f"user{n}@bigcorp.example", "name": f"User {n}",
            "is_active": n % 7 != 0, "is_frozen": n % 97 == 0,
            "user_license": "Salesforce" if n % 3 else "Salesforce Platform",
            "profile_name": "System Administrator" if n == 0 else ("Marketing User" if mcc else "Standard User"),
            "marketing_user": n == 0 or (mcc and n % 150 != 0),
            "mc_appexchange_user": n == 0 or mcc, "mc_appexchange_admin": n == 0,
        })
    pas = [{"assignee_id": _sf_id("005", 0), "permission_set_id": APP_PS}]
    for n in range(1, assignments):
        user = rng.randrange(sf_users)
        entry: dict[str, Any] = {"assignee_id": _sf_id("005", user)}
        if n % 20 == 0:
            entry["permission_set_group_id"] = groups[rng.randrange(len(groups))]["id"]
        elif user % 50 == 0:
            entry["permission_set_id"] = APP_PS
        else:
            entry["permission_set_id"] = _sf_id("0PS", rng.randrange(1, 200))
        if n % 31 == 0:
            entry["expiration_date"] = "2026-01-01T00:00:00Z"
        pas.append(entry)
    mc_user_list = [{
        "account_user_id": 1, "username": "mcc.api@bigcorp.example", "active": True, "is_locked": False,
        "is_api_user": True, "must_change_password": False,
        "roles": ["Administrator", "Marketing Cloud Administrator"],
        "business_unit_mids": [100, 101, 102], "default_business_unit": 100,
        "salesforce_integration": {"status": "integrated", "salesforce_username": "user0@bigcorp.example"},
    }]
    mc_user_list += [{
        "account_user_id": n + 1, "username": f"mcuser{n}", "active": n % 9 != 0, "is_locked": n % 101 == 0,
        "is_api_user": n % 13 == 0, "must_change_password": False, "roles": ["Marketing Cloud Viewer"],
        "business_unit_mids": [100 + n % 3], "default_business_unit": 100 + n % 3,
    } for n in range(1, mc_users)]
    sends = [{"key": f"TS-{n}", "name": f"Triggered send {n}",
              "status": rng.choice(["Active", "Inactive", "New", "Canceled", "Deleted"]),
              "business_unit_mid": 100 + n % 3} for n in range(triggered_sends)]
    journey_list = []
    for n in range(journeys):
        salesforce_entry = n % 4 == 0
        journey_list.append({
            "id": f"j-{n}", "key": f"journey-{n // 2}", "name": f"Journey {n // 2}", "version": 1 + n % 2,
            "status": rng.choice(["Published", "Stopped", "Draft", "Paused"]),
            "entry_source": {"type": "SalesforceObjectTriggerV2" if salesforce_entry else "APIEvent",
                             "event_definition_key": f"evt-{n}",
                             **({"salesforce_object": "Contact"} if salesforce_entry else {})},
            "population": rng.randrange(0, 5000),
        })
    # MCC triggered sends recorded in Salesforce: one per tenth definition, active where it is Active
    automated = [{"id": _sf_id("a0B", n), "name": send["name"], "object": "Contact", "action": "Insert",
                  "active": send["status"] == "Active", "definition_id": send["key"]}
                 for n, send in enumerate(sends) if n % 10 == 0]
    return {
        "schema_version": 1, "name": "BigCorp (synthetic)", "collected_at": "2026-11-20T09:30:00Z",
        "source": "export",
        "attestations": [
            {"fact": "salesforce.connected_app.ip_relaxation", "value": "relax",
             "attested_by": "bench@bigcorp.example", "attested_at": "2026-11-19"},
            {"fact": "marketing_cloud.security.api_users_excluded_from_password_expiration", "value": True,
             "attested_by": "bench@bigcorp.example", "attested_at": "2026-11-19"},
        ],
        "salesforce": {
            "org_id": "00D000000000BIGEAC", "instance_url": "https://bigcorp.my.salesforce.com",
            "connected_apps": [{"id": "0H4000000000001AAA", "name": "Salesforce Marketing Cloud",
                                "permitted_users": "admin_approved", "refresh_token_policy": "immediately_expire",
                                "permission_set_ids": [APP_PS]}],
            "permission_sets": permission_sets, "permission_set_groups": groups,
            "permission_set_assignments": pas, "users": users,
            "mcc_connector": {"system_user": {"id": _sf_id("005", 0)}, "scope_by_user": False, "connected": True,
                              "parent_account_mid": 100,
                              "endpoints": {"auth": "https://mcbigcorp0000000000000000000.auth.marketingcloudapis.com/",
                                            "rest": "https://mcbigcorp0000000000000000000.rest.marketingcloudapis.com/"},
                              "automation_objects": ["Contact"],
                              "business_units": [{"mid": 100 + n, "name": f"BU {n}", "enabled": True}
                                                 for n in range(3)]},
            # the sections of issue 14's rules (SF130-SF136, MC214), healthy so that bench stays comparable
            "organization": {"id": "00D000000000BIGEAC", "name": "BigCorp", "is_sandbox": False},
            "api_limits": [{"name": "DailyApiRequests", "max": 5_000_000, "remaining": 4_100_000},
                           {"name": "DailyBulkApiBatches", "max": 15_000, "remaining": 14_000}],
            "oauth_grants": [{"user_id": _sf_id("005", 0), "app_name": "Salesforce Marketing Cloud", "tokens": 2}],
            "automated_sends": automated,
            "apex_triggers": [{"name": "MCC_Contact", "object": "Contact", "status": "Active",
                               "calls_trigger_utility": True}],
            "journey_flows": [{"api_name": "JBSystemFlow_Contact", "is_active": True},
                              {"api_name": "JBSystem_Contact_RecordFlow", "is_active": True}],
            "scheduled_sends": [{"id": _sf_id("a0X", n), "name": f"CRM send {n}",
                                 "status": rng.choice(["scheduled", "paused", "completed"])}
                                for n in range(200)],
        },
        "marketing_cloud": {
            "subdomain": "mcbigcorp0000000000000000000", "mid": 100, "multi_org": False,
            "mcc_api_user": "mcc.api@bigcorp.example",
            "business_units": [{"mid": 100, "name": "BigCorp", "is_top_level": True, "is_active": True},
                               {"mid": 101, "name": "BigCorp EU", "parent_mid": 100, "is_active": True},
                               {"mid": 102, "name": "BigCorp US", "parent_mid": 100, "is_active": True}],
            "roles": [{"key": "SYS_DEF_IMHADMIN", "name": "Marketing Cloud Administrator"},
                      {"name": "Administrator"}, {"name": "Marketing Cloud Viewer"}],
            "users": mc_user_list, "triggered_sends": sends, "journeys": journey_list,
            "security": {"api_users_excluded_from_password_expiration": None},
            "synchronized_data_extensions": [{"object_name": "Contact", "status": "active",
                                              "last_successful_sync": "2026-11-20T09:00:00Z"}],
            "ier_sync": {"enabled": True, "status": "active", "last_successful_run": "2026-11-20T09:00:00Z"},
        },
    }


SIZES = {
    "small": {"sf_users": 50, "assignments": 100, "mc_users": 10, "triggered_sends": 20, "journeys": 10},
    "large": {"sf_users": 200_000, "assignments": 400_000, "mc_users": 20_000, "triggered_sends": 20_000,
              "journeys": 10_000},
}


def write(data: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".json":
        path.write_text(json.dumps(data, separators=(",", ":")), encoding="utf-8")
    else:
        path.write_text(dump_yaml(data), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=sorted(SIZES), default="small")
    for name in SIZES["small"]:
        parser.add_argument(f"--{name.replace('_', '-')}", type=int)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("-o", "--output", type=Path, required=True)
    args = parser.parse_args()
    sizes = {name: getattr(args, name) or default for name, default in SIZES[args.size].items()}
    write(generate(**sizes, seed=args.seed), args.output)


if __name__ == "__main__":
    main()
