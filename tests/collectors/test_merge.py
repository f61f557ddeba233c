"""`mcaudit collect --merge FILE`: hand-maintained parts (attestations, aep, integrations, a few Marketing
Cloud facts) carried into a collected snapshot, end to end against the emulator; what was collected wins."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from mcaudit.collectors import run
from mcaudit.collectors.base import CollectorOutput, Progress
from mcaudit.collectors.merge import Declarations, MergeFile, attestations_file, load_merge_file, merge
from mcaudit.errors import InputError
from mcaudit.snapshot import Snapshot
from mcaudit.snapshot.marketing_cloud import SecuritySettings
from mcaudit.testing.scenarios import with_empty_sections

from ..conftest import SAMPLES
from .conftest import collect, comparable, run_main, sample, statuses

DECLARATIONS = SAMPLES / "merge" / "acme-declarations.yaml"
FEATURE_RULES = ("AEP", "API")


@pytest.fixture
def account() -> Snapshot:
    """ACME's healthy account with what the sample declarations refer to: the Email Demographics
    attributes of samples/aep.yaml, the journeys and triggered sends of samples/integrations.yaml.
    Nothing the declarations give is served: no API returns it."""
    base, calls = sample("aep.yaml"), sample("integrations.yaml")
    assert base.marketing_cloud is not None and calls.marketing_cloud is not None
    mc = base.marketing_cloud.model_copy(update={
        "journeys": calls.marketing_cloud.journeys, "triggered_sends": calls.marketing_cloud.triggered_sends})
    return with_empty_sections(base.model_copy(update={"aep": None, "attestations": [], "marketing_cloud": mc}))


@pytest.fixture
def declarations() -> Declarations:
    return load_merge_file(DECLARATIONS).declarations


def by_rule(snapshot: Snapshot) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for (rule, _), status in statuses(snapshot, "audit").items():
        if rule.startswith(FEATURE_RULES):
            found.setdefault(rule, set()).add(status)
    return found


def warnings(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if "ignored" in line]


def test_merged_parts_equal_the_file(account: Snapshot, declarations: Declarations, serve, tmp_path: Path,
                                     capsys) -> None:
    api = serve(account)
    plain = collect(api, account, tmp_path / "plain.yaml", capsys)
    merged = collect(api, account, tmp_path / "merged.json", capsys, "--merge", str(DECLARATIONS))
    assert merged.exit_code == 0, merged.stderr
    snapshot = merged.snapshot
    assert snapshot is not None and not warnings(merged.stderr)
    assert snapshot.aep == declarations.aep and snapshot.aep is not None
    assert snapshot.integrations == declarations.integrations
    assert snapshot.attestations == declarations.attestations
    given, mc = declarations.marketing_cloud, snapshot.marketing_cloud
    assert given is not None and mc is not None and mc.roles is not None
    assert mc.custom_attribute_limit == given.custom_attribute_limit == 250
    assert mc.security == given.security
    access = {role.key: role.attribute_set_access for role in mc.roles}
    assert access == {"SYS_DEF_ADMIN": None, "SYS_DEF_IMHADMIN": ["Email"]}
    # collected parts are untouched: only the declared parts differ from a collection without --merge
    assert comparable(snapshot) == comparable(merge(plain.snapshot, [MergeFile("f", declarations)]))

    before, after = by_rule(plain.snapshot), by_rule(snapshot)
    assert all(found == {"n/a"} for rule, found in before.items() if rule != "API601")  # nothing declared
    assert sorted(after) == sorted(before) and len(after) == 17
    assert all(found - {"n/a"} for found in after.values()), after  # every AEP and API rule evaluated
    assert all(found <= {"pass", "n/a"} for found in after.values()), after  # and the sample is healthy


def _reads_hand_kept_facts(monkeypatch: pytest.MonkeyPatch) -> None:
    """A collector that (unlike today's) reads some of the facts a merge file may give."""
    build = run.COLLECTORS["marketing_cloud"]

    class Reading:
        name = "marketing_cloud"

        def __init__(self, inner: run.Collector) -> None:
            self.inner = inner

        def collect(self, progress: Progress) -> CollectorOutput:
            output = self.inner.collect(progress)
            section = output.section
            assert isinstance(section, run.MarketingCloud) and section.roles is not None
            roles = [role.model_copy(update={"attribute_set_access": ["Email", "Mobile"]})
                     if role.name == "Marketing Cloud Administrator" else role for role in section.roles]
            return CollectorOutput(section.model_copy(update={
                "custom_attribute_limit": 500, "roles": roles,
                "security": SecuritySettings(ip_allowlist_restricted=False)}), output.run)

    def reading(request: run.CollectRequest, session: run.GuardedSession) -> run.Collector | None:
        inner = build(request, session)
        return None if inner is None else Reading(inner)

    monkeypatch.setitem(run.COLLECTORS, "marketing_cloud", reading)


def test_collected_values_win(account: Snapshot, declarations: Declarations, serve, tmp_path: Path, capsys,
                              monkeypatch: pytest.MonkeyPatch) -> None:
    _reads_hand_kept_facts(monkeypatch)
    result = collect(serve(account), account, tmp_path / "s.yaml", capsys, "--merge", str(DECLARATIONS))
    assert result.exit_code == 0, result.stderr
    mc = result.snapshot.marketing_cloud
    assert mc is not None and mc.security is not None and mc.roles is not None
    assert mc.custom_attribute_limit == 500
    assert {role.name: role.attribute_set_access for role in mc.roles}["Marketing Cloud Administrator"] == [
        "Email", "Mobile"]
    # a collected field wins; the fields it left null are still filled
    assert mc.security == SecuritySettings(ip_allowlist_restricted=False,
                                           api_users_excluded_from_password_expiration=True,
                                           ip_allowlist=["198.51.100.0/24", "192.0.2.0/25", "203.0.113.32/28"])
    assert result.snapshot.aep == declarations.aep  # nothing collected there: taken over
    lines = warnings(result.stderr)
    assert len(lines) == 3, result.stderr
    fields = ["marketing_cloud.custom_attribute_limit", "marketing_cloud.security.ip_allowlist_restricted",
              'marketing_cloud.roles["SYS_DEF_IMHADMIN"].attribute_set_access']
    for line, field in zip(lines, fields, strict=True):
        assert line.startswith(f"mcaudit: {field}: kept ") and "(collected), ignored " in line
        assert line.endswith(f"({DECLARATIONS})")
    assert "kept 500 (collected), ignored 250" in lines[0]


BAD = {
    # name -> (file name, text, what the one line says)
    "typo key": ("d.yaml", "# declarations\nintegratoins: []\n",
                 "d.yaml:2:1: integratoins: unknown field; did you mean 'integrations'? "
                 "(a merge file holds attestations, aep, integrations"),
    "typo nested": ("d.yaml", "marketing_cloud:\n  securty: {}\n",
                    "d.yaml:2:3: marketing_cloud.securty: unknown field; did you mean 'security'?"),
    "wrong type": ("d.yaml", "marketing_cloud:\n  custom_attribute_limit: '250'\n",
                   'd.yaml:2:3: marketing_cloud.custom_attribute_limit: expected an integer (got "250")'),
    "wrong type, JSON": ("d.json", '{\n  "aep": {"destinations": {"name": "x"}}\n}\n',
                         "d.json:2:11: aep.destinations: expected a list"),
    "role without key or name": ("d.yaml", "marketing_cloud:\n  roles:\n    - attribute_set_access: [Email]\n",
                                 "marketing_cloud.roles[0]: a role needs its key or its name"),
    "one name twice": ("d.yaml", "integrations:\n  - {name: Sync}\n  - {name: sync}\n",
                       'd.yaml:1:1: integrations: integration name "sync" is given twice'),
    "a whole snapshot": ("d.yaml", (SAMPLES / "healthy.yaml").read_text(encoding="utf-8"),
                         "d.yaml: a whole snapshot, not a merge file"),
    "not a mapping": ("d.yaml", "- fact: x\n", "d.yaml: expected a mapping at the top level, got list"),
    "missing file": ("absent.yaml", None, "absent.yaml: no such file"),
}


@pytest.mark.parametrize("case", BAD)
def test_malformed_merge_file_stops_before_collection(case: str, account: Snapshot, serve, tmp_path: Path,
                                                      capsys) -> None:
    name, text, expected = BAD[case]
    file = tmp_path / name
    if text is not None:
        file.write_text(text, encoding="utf-8")
    api = serve(account)
    output = tmp_path / "s.yaml"
    result = collect(api, account, output, capsys, "--merge", str(DECLARATIONS), "--merge", str(file))
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("mcaudit: error: ")
    assert expected in result.stderr, result.stderr
    assert not api.calls and not output.exists()  # no collection started


def test_merging_twice_is_idempotent(account: Snapshot, declarations: Declarations, serve, tmp_path: Path,
                                     capsys) -> None:
    api = serve(account)
    once = collect(api, account, tmp_path / "once.yaml", capsys, "--merge", str(DECLARATIONS))
    twice = collect(api, account, tmp_path / "twice.yaml", capsys, "--merge", str(DECLARATIONS),
                    "--merge", str(DECLARATIONS), "--attestations", str(DECLARATIONS))
    assert once.exit_code == twice.exit_code == 0, twice.stderr
    assert not warnings(twice.stderr)
    assert comparable(twice.snapshot) == comparable(once.snapshot)
    assert twice.snapshot.attestations == declarations.attestations  # not doubled
    # and merging into an already merged snapshot changes nothing either
    file = load_merge_file(DECLARATIONS)
    assert merge(once.snapshot, [file]) == once.snapshot


def test_attestations_option_still_takes_a_snapshots_attestations(account: Snapshot, serve, tmp_path: Path,
                                                                  capsys) -> None:
    source = SAMPLES / "aep.yaml"
    result = collect(serve(account), account, tmp_path / "s.yaml", capsys, "--attestations", str(source))
    assert result.exit_code == 0, result.stderr
    assert result.snapshot.attestations == sample("aep.yaml").attestations
    assert result.snapshot.aep is None  # --attestations takes nothing else
    assert attestations_file(source).declarations.aep is None


def test_files_merge_in_order_and_teams_can_split_them(declarations: Declarations, tmp_path: Path,
                                                       caplog: pytest.LogCaptureFixture) -> None:
    collected = sample("healthy.yaml")
    assert collected.marketing_cloud is not None
    collected = collected.model_copy(update={
        "attestations": [], "marketing_cloud": collected.marketing_cloud.model_copy(update={"security": None})})
    first = tmp_path / "a.yaml"
    first.write_text("integrations:\n  - {name: Order service (Apex), read_only: true}\n"
                     "marketing_cloud:\n  custom_attribute_limit: 100\n", encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="mcaudit"):
        result = merge(collected, [load_merge_file(first), load_merge_file(DECLARATIONS)])
    assert result.integrations is not None and declarations.integrations is not None
    names = [integration.name for integration in result.integrations]
    assert names == ["Order service (Apex)", "mcaudit"]  # joined on the name; the earlier file's one kept
    assert result.integrations[0].read_only is True
    assert result.marketing_cloud is not None and result.marketing_cloud.custom_attribute_limit == 100
    assert [record.getMessage() for record in caplog.records] == [
        f'integrations["Order service (Apex)"]: kept the integration ({first}), ignored a different one '
        f"({DECLARATIONS})",
        f"marketing_cloud.custom_attribute_limit: kept 100 ({first}), ignored 250 ({DECLARATIONS})",
    ]


def test_roles_join_on_key_or_name_ignoring_case(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    file = tmp_path / "roles.yaml"
    file.write_text("marketing_cloud:\n  roles:\n"
                    "    - {key: sys_def_admin, attribute_set_access: [Email]}\n"
                    "    - {name: MARKETING CLOUD ADMINISTRATOR, attribute_set_access: [Email, Mobile]}\n"
                    "    - {key: CUSTOM_ROLE, name: Analyst, attribute_set_access: []}\n", encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="mcaudit"):
        result = merge(sample("healthy.yaml"), [load_merge_file(file)])
    assert result.marketing_cloud is not None and result.marketing_cloud.roles is not None
    assert {role.key: role.attribute_set_access for role in result.marketing_cloud.roles} == {
        "SYS_DEF_ADMIN": ["Email"], "SYS_DEF_IMHADMIN": ["Email", "Mobile"]}
    [warning] = [record.getMessage() for record in caplog.records]
    assert warning.startswith('marketing_cloud.roles: no collected role has the key or name "CUSTOM_ROLE"')


def test_marketing_cloud_facts_need_a_collected_section(caplog: pytest.LogCaptureFixture) -> None:
    collected = sample("healthy.yaml").model_copy(update={"marketing_cloud": None, "attestations": []})
    with caplog.at_level(logging.WARNING, logger="mcaudit"):
        result = merge(collected, [load_merge_file(DECLARATIONS)])
    assert result.marketing_cloud is None and result.aep is not None
    [warning] = [record.getMessage() for record in caplog.records]
    assert warning.startswith("marketing_cloud: not collected, so ")


def test_merge_file_errors_name_the_place(tmp_path: Path) -> None:
    file = tmp_path / "d.yaml"
    file.write_text("aep:\n  destinations:\n    - name: A\n      segmnts: []\n", encoding="utf-8")
    with pytest.raises(InputError) as error:
        load_merge_file(file)
    assert (error.value.line, error.value.field) == (4, "aep.destinations[0].segmnts")


@pytest.mark.parametrize("path", sorted((SAMPLES / "merge").glob("*.yaml")), ids=lambda path: path.name)
def test_bundled_merge_files_validate_and_say_what_they_are(path: Path) -> None:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# ") and len(first) > 20
    assert load_merge_file(path).declarations.model_dump(exclude_defaults=True)


def test_collect_never_writes_over_its_merge_or_attestations_file(tmp_path: Path, capsys) -> None:
    kept = tmp_path / "declarations.yaml"
    kept.write_text("attestations: []\n", encoding="utf-8")
    link = tmp_path / "link.yaml"
    link.symlink_to(kept)
    for option in ("--merge", "--attestations"):
        code, _, err = run_main(["collect", "-o", str(link), option, str(kept), "--only", "mc",
                                 "--mc-subdomain", "x", "--mc-client-id", "a", "--mc-client-secret", "b"], capsys)
        assert code == 2 and "never writes over its inputs" in err and len(err.strip().splitlines()) == 1
    assert kept.read_text(encoding="utf-8") == "attestations: []\n"
