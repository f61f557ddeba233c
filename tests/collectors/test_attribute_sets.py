"""Contact attribute sets round-trip through GET /contacts/v1/attributeSetDefinitions, every page of
them: AEP reads only the first 2,000 attributes, so mcaudit must read the rest to say so (AEP507)."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests

from mcaudit.collectors.marketing_cloud.contacts import attribute_sets
from mcaudit.collectors.problems import ApiError
from mcaudit.snapshot import Snapshot
from mcaudit.snapshot.contacts import AttributeDefinition, AttributeSet
from mcaudit.testing import PERMANENT, Emulator, Fault, MarketingCloudLogin
from mcaudit.testing.marketing_cloud_api import REST
from mcaudit.testing.scenarios import with_empty_sections

from .conftest import MC_CLIENT_ID, MC_CLIENT_SECRET, collect, sample

LABEL = "mc.rest.attributeSetDefinitions"


def email_demographics(count: int) -> AttributeSet:
    """The Email Demographics set with `count` attributes: a few system ones, then AEP segment statuses."""
    system = [AttributeDefinition(name="Contacts ID", data_type="LongNumber", is_custom=False),
              AttributeDefinition(name="Email Address", data_type="EmailAddress", length=254, is_custom=False)]
    custom = [AttributeDefinition(name=f"salesforce_mc_segment_{n}", data_type="Text", length=4000, is_custom=True)
              for n in range(count - len(system))]
    return AttributeSet(key="EmailDemographics", name="Email Demographics", attributes=[*system, *custom])


MIXED = AttributeSet(key="CustomerProfile", name="Customer Profile", attributes=[
    AttributeDefinition(name="Loyalty Tier", data_type="Text", length=50, is_custom=True),
    AttributeDefinition(name="lifetime_value", data_type="Number", is_custom=True),
    AttributeDefinition(name="Score", data_type="Decimal", length=18, is_custom=True),
    AttributeDefinition(name="Opted In", data_type="Boolean", is_custom=False),
    AttributeDefinition(name="Birthday", data_type="Date"),  # type known, origin not
    AttributeDefinition(name="Notes"),  # nothing but the name
])


def with_sets(*sets: AttributeSet) -> Snapshot:
    source = with_empty_sections(sample("healthy.yaml"))
    assert source.marketing_cloud is not None
    return source.model_copy(update={"marketing_cloud": source.marketing_cloud.model_copy(
        update={"attribute_sets": list(sets)})})


def collected_sets(api: Emulator, source: Snapshot, tmp_path: Path, capsys) -> list[AttributeSet] | None:
    result = collect(api, source, tmp_path / "collected.json", capsys)
    assert result.exit_code == 0, result.stderr
    return result.snapshot.marketing_cloud.attribute_sets


def test_more_than_2000_attributes_are_all_collected(serve, tmp_path: Path, capsys) -> None:
    source = with_sets(email_demographics(2500), MIXED)
    api = serve(source)
    found = collected_sets(api, source, tmp_path, capsys)
    assert found == source.marketing_cloud.attribute_sets  # every attribute, in order, with type and length
    assert len(found[0].attributes) == 2500
    # page 1: 2,000 of Email Demographics; page 2: the other 500 and Customer Profile
    assert api.counts(paging=False)[LABEL] == 1 and api.counts(paging=True)[LABEL] == 1


def test_the_first_page_is_all_aep_sees(serve) -> None:
    """What the scenario stands for: page 1 stops at 2,000 attributes, the set goes on on page 2."""
    source = with_sets(email_demographics(2500))
    api = serve(source)
    token = requests.post(f"{api.mc_auth_url}/v2/token", json={
        "grant_type": "client_credentials", "client_id": MC_CLIENT_ID, "client_secret": MC_CLIENT_SECRET},
        timeout=5).json()["access_token"]

    def page(number: int) -> dict[str, object]:
        return requests.get(f"{api.base_url}{REST}/contacts/v1/attributeSetDefinitions",
                            params={"$page": number, "$pageSize": 50}, timeout=5,
                            headers={"Authorization": f"Bearer {token}"}).json()

    first, second = page(1), page(2)
    assert first["count"] == 1 and len(first["items"][0]["attributes"]) == 2000
    assert first["items"][0]["key"] == "EmailDemographics"
    assert first["items"][0]["name"] == {"value": "Email Demographics"}  # the list's shape, as documented
    assert second["items"][0]["id"] == first["items"][0]["id"] and len(second["items"][0]["attributes"]) == 500


def test_exactly_2000_attributes_ask_one_more_page(serve, tmp_path: Path, capsys) -> None:
    """A full page cannot tell whether the set goes on, so the collector asks; an empty page ends it."""
    source = with_sets(email_demographics(2000))
    api = serve(source)
    found = collected_sets(api, source, tmp_path, capsys)
    assert found == source.marketing_cloud.attribute_sets
    assert api.counts()[LABEL] == 2


def test_text_and_number_attributes_keep_type_and_length(serve, tmp_path: Path, capsys) -> None:
    source = with_sets(MIXED, AttributeSet(name="Unkeyed set", attributes=[]), email_demographics(3))
    api = serve(source)
    found = collected_sets(api, source, tmp_path, capsys)
    assert found == source.marketing_cloud.attribute_sets
    tier, value = found[0].attributes[:2]
    assert (tier.data_type, tier.length, tier.is_custom) == ("Text", 50, True)
    assert (value.data_type, value.length) == ("Number", None)
    assert api.counts()[LABEL] == 1  # three small sets fit on one page


def test_many_sets_one_per_page(serve, tmp_path: Path, capsys) -> None:
    sets = [AttributeSet(key=f"Set{n}", name=f"Set {n}", attributes=[
        AttributeDefinition(name=f"field_{n}", data_type="Text", length=n + 1, is_custom=True)]) for n in range(4)]
    source = with_sets(*sets)
    api = serve(source, rest_max_page_size=1)
    assert collected_sets(api, source, tmp_path, capsys) == sets
    assert api.counts(paging=True)[LABEL] == 3


def test_a_failed_page_leaves_the_section_absent(serve, tmp_path: Path, capsys) -> None:
    """Page 2 fails for good: not 2,000 attributes that look complete, but not collected at all."""
    source = with_sets(email_demographics(2500))
    api = serve(source)
    api.inject(Fault.http(LABEL, 500, skip=1, times=PERMANENT))
    result = collect(api, source, tmp_path / "partial.json", capsys)
    assert result.exit_code == 3 and result.snapshot is not None
    mc = result.snapshot.marketing_cloud
    assert mc.attribute_sets is None
    assert mc.users and mc.roles and mc.business_units is not None and mc.journeys is not None
    runs = {run.name: run for run in result.snapshot.collection.collectors}
    assert runs["marketing_cloud"].status.value == "partial"
    assert runs["marketing_cloud"].failed_sections == ["marketing_cloud.attribute_sets"]
    assert "HTTP 500" in (runs["marketing_cloud"].error or "")
    assert runs["salesforce"].status.value == "ok"


def test_a_package_without_the_contacts_scope_is_told_so(serve, tmp_path: Path, capsys) -> None:
    source = with_sets()
    refused = source.model_copy(update={"marketing_cloud": source.marketing_cloud.model_copy(
        update={"attribute_sets": None})})  # the emulator refuses what the snapshot lacks (HTTP 403)
    api = serve(refused, marketing_cloud=MarketingCloudLogin(scope="email_read journeys_read users_read"))
    result = collect(api, refused, tmp_path / "no-scope.json", capsys)
    assert result.exit_code == 3 and result.snapshot.marketing_cloud.attribute_sets is None
    run = next(run for run in result.snapshot.collection.collectors if run.name == "marketing_cloud")
    assert run.failed_sections == ["marketing_cloud.attribute_sets"]
    assert "HTTP 403" in run.error and "list_and_subscribers_read" in run.error


class ScriptedRest:
    """Answers page N with the N-th scripted body (the last one again past the end), counting calls."""

    def __init__(self, *bodies: dict[str, object]) -> None:
        self.bodies, self.asked = bodies, []

    def page(self, path: str, page: int, page_size: int) -> dict[str, object]:
        self.asked.append(page)
        return self.bodies[min(page, len(self.bodies)) - 1]


def attribute(name: str, **extra: object) -> dict[str, object]:
    return {"id": name, "name": name, **extra}  # a plain-string name, as the single-set endpoint answers


def test_without_count_a_short_page_is_the_last() -> None:
    rest = ScriptedRest({"pageSize": 2, "items": [{"key": "A", "name": "A", "attributes": [attribute("a1")]},
                                                  {"key": "B", "name": "B", "attributes": []}]},
                        {"pageSize": 2, "items": [{"key": "C", "name": {"value": "C"}, "attributes": [
                            attribute("c1", dataType="Text", length=10, isSystemDefined=False)]}]})
    found = attribute_sets(rest, 50)
    assert [(s.key, [a.name for a in s.attributes]) for s in found] == [("A", ["a1"]), ("B", []), ("C", ["c1"])]
    assert found[2].attributes[0] == AttributeDefinition(name="c1", data_type="Text", length=10, is_custom=True)
    assert rest.asked == [1, 2]


def test_a_server_that_ignores_the_page_number_is_not_asked_forever() -> None:
    full = {"count": 1, "items": [{"id": "s", "key": "EmailDemographics", "name": {"value": "Email Demographics"},
                                   "attributes": [attribute(f"a{n}") for n in range(2000)]}]}
    rest = ScriptedRest(full)
    with pytest.raises(ApiError, match="page 2 repeats"):
        attribute_sets(rest, 50)
    assert rest.asked == [1, 2]
