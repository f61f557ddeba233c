"""The number of API calls is fixed: it does not grow with users, apart from paging and business-unit
access (asked for 100 users at a time, as Marketing Cloud's own tooling does), and each run asks for
exactly one Marketing Cloud token, however many reads run at once."""

from __future__ import annotations

import math
from pathlib import Path

from mcaudit.testing.scenarios import with_empty_sections, with_extra_users

from .conftest import collect, sample

SF_PAGE, SOAP_PAGE = 200, 250


def test_calls_do_not_grow_with_users(serve, tmp_path: Path, capsys) -> None:
    base = with_empty_sections(sample("rotation/live.yaml"))
    # pages ten times smaller than the APIs' own (2,000 SOQL rows, 2,500 SOAP objects), so that
    # 1,000 more users page as 10,000 would in an org
    small, large = with_extra_users(base, 10), with_extra_users(base, 1_000)
    counted = {}
    for name, source in (("small", small), ("large", large)):
        api = serve(source, sf_page_size=SF_PAGE, soap_page_size=SOAP_PAGE)
        result = collect(api, source, tmp_path / f"{name}.json", capsys, "--timeout", "10")
        assert result.exit_code == 0, result.stderr
        assert len(result.snapshot.salesforce.users) == len(source.salesforce.users)
        assert len(result.snapshot.marketing_cloud.users) == len(source.marketing_cloud.users)
        counted[name] = api
        # what the collectors counted is what the server saw
        assert sum(run.api_calls or 0 for run in result.snapshot.collection.collectors) == len(api.calls)

    access = "mc.soap.Retrieve:AccountUserAccount"
    first_pages = {name: counted[name].counts(paging=False) for name in counted}
    assert first_pages["small"][access] == math.ceil(len(small.marketing_cloud.users) / 100)
    assert first_pages["large"][access] == math.ceil(len(large.marketing_cloud.users) / 100)
    assert {k: v for k, v in first_pages["small"].items() if k != access} == {
        k: v for k, v in first_pages["large"].items() if k != access}
    assert counted["small"].counts(paging=True) == {}
    users, assignments = len(large.salesforce.users), len(large.salesforce.permission_set_assignments)
    mc_users = len(large.marketing_cloud.users)
    assert counted["large"].counts(paging=True) == {
        "sf.query:User": math.ceil(users / SF_PAGE) - 1,
        "sf.query:PermissionSetAssignment": math.ceil(assignments / SF_PAGE) - 1,
        "mc.soap.Retrieve:AccountUser": math.ceil(mc_users / SOAP_PAGE) - 1,
    }
    for api in counted.values():
        assert api.counts()["mc.token"] == 1
        assert api.counts()["sf.login"] == 1
    fixed = counted["small"].counts(paging=False)
    # Marketing Cloud: token, five SOAP Retrieves (one AccountUserAccount for 23 users), event
    # definitions, journeys, attribute sets
    assert sum(n for label, n in fixed.items() if label.startswith("mc.")) == 9
    assert fixed["mc.rest.attributeSetDefinitions"] == 1
    print(f"\nAPI calls per run, paging aside: {sum(fixed.values())} "
          f"(Salesforce {sum(n for label, n in fixed.items() if label.startswith('sf.'))}, "
          f"Marketing Cloud {sum(n for label, n in fixed.items() if label.startswith('mc.'))}); "
          f"continuation pages with 1,000 more users at a tenth of the page sizes: "
          f"{sum(counted['large'].counts(paging=True).values())}")
