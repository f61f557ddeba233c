"""An invalid file names every problem (up to a bound), each at its file:line:column and field,
with a did-you-mean for a misspelt field or rule id."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mcaudit.errors import InputError
from mcaudit.rotation.plan import load_plan
from mcaudit.snapshot import load_snapshot
from mcaudit.snapshot.loader import MAX_LISTED, fields_at
from mcaudit.snapshot.model import Snapshot
from mcaudit.suggest import closest_rule_id, suggest_rule_id

from ..conftest import SAMPLES, run_cli
from ..rotation.conftest import sample as rotation_sample

BROKEN = (SAMPLES / "broken.yaml").read_text(encoding="utf-8").splitlines(keepends=True)


def _broken_with(tmp_path: Path, edits: dict[int, tuple[str, str]], name: str = "bad.yaml") -> Path:
    """samples/broken.yaml with `old` replaced by `new` on each given line (1-based)."""
    lines = list(BROKEN)
    for number, (old, new) in edits.items():
        assert old in lines[number - 1], lines[number - 1]
        lines[number - 1] = lines[number - 1].replace(old, new)
    path = tmp_path / name
    path.write_text("".join(lines), encoding="utf-8")
    return path


THREE = {74: ("is_frozen:", "is_forzen:"), 146: ("active: true", "active: yes please"),
         150: ("roles: [Administrator]", "roles: Administrator")}


def test_three_problems_are_each_shown_at_their_line_column_and_field(tmp_path: Path) -> None:
    path = _broken_with(tmp_path, THREE)
    done = run_cli("audit", path, "--no-color")
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.splitlines() == [
        f"mcaudit: error: {path}:74:7: salesforce.users[0].is_forzen: unknown field; did you mean 'is_frozen'? "
        "(see `mcaudit schema` for the format) (and 2 more problems)",
        f"  {path}:146:7: marketing_cloud.users[0].active: expected true or false (got \"yes please\")",
        f"  {path}:150:7: marketing_cloud.users[0].roles: expected a list (got \"Administrator\")",
    ]


def test_the_error_object_carries_every_problem(tmp_path: Path) -> None:
    with pytest.raises(InputError) as raised:
        load_snapshot(_broken_with(tmp_path, THREE))
    error = raised.value
    assert (error.line, error.column, error.field) == (74, 7, "salesforce.users[0].is_forzen")
    assert [(p.line, p.column, p.field) for p in error.more] == [
        (146, 7, "marketing_cloud.users[0].active"), (150, 7, "marketing_cloud.users[0].roles")]
    assert error.unlisted == 0 and "\n" not in str(error)  # the first line stays one line
    assert len(error.details()) == 2


def test_a_json_snapshot_gives_json_lines_and_columns(tmp_path: Path) -> None:
    data = {"schema_version": 1, "source": "export", "collected_at": "2026-11-20T00:00:00Z",
            "salesforce": {"users": [{"id": "005", "username": "a@x", "is_forzen": True},
                                     {"id": "006", "username": "b@x", "is_active": "yes"}]}}
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    lines = run_cli("audit", path).stderr.splitlines()
    assert lines[0] == (f"mcaudit: error: {path}:10:9: salesforce.users[0].is_forzen: unknown field; "
                        "did you mean 'is_frozen'? (see `mcaudit schema` for the format) (and 1 more problem)")
    assert lines[1:] == [f"  {path}:15:9: salesforce.users[1].is_active: expected true or false (got \"yes\")"]


def test_many_problems_are_bounded_and_counted(tmp_path: Path) -> None:
    users = "".join(f"    - id: u{n}\n      username: u{n}@x\n      is_active: maybe\n" for n in range(25))
    path = tmp_path / "many.yaml"
    path.write_text("schema_version: 1\nsource: export\ncollected_at: 2026-11-20T00:00:00Z\n"
                    f"salesforce:\n  users:\n{users}", encoding="utf-8")
    done = run_cli("audit", path)
    lines = done.stderr.splitlines()
    assert done.returncode == 2 and len(lines) == MAX_LISTED + 1 == 21
    assert lines[0] == (f"mcaudit: error: {path}:8:7: salesforce.users[0].is_active: expected true or false "
                        "(got \"maybe\") (and 24 more problems)")
    for n, line in enumerate(lines[1:MAX_LISTED], start=1):  # the 2nd to the 20th, each on its own line
        assert line == f"  {path}:{8 + 3 * n}:7: salesforce.users[{n}].is_active: expected true or false " \
                       "(got \"maybe\")"
    assert lines[-1] == "  ... and 5 more problems not listed"


def test_a_hostile_key_or_value_stays_inert_on_every_line(tmp_path: Path) -> None:
    path = _broken_with(tmp_path, {74: ("is_frozen:", '"is_\\e[2J\\u2028frozen":'),
                                   146: ("active: true", 'active: "\\e]8;;http://evil\\a"')})
    done = run_cli("audit", path)
    lines = done.stderr.splitlines()
    assert done.returncode == 2 and len(lines) == 2, done.stderr
    assert all(not any(ord(char) < 0x20 or char == "\u2028" for char in line) for line in lines)
    assert f"{path}:74:7: salesforce.users[0].is_\\x1b[2J\\u2028frozen: unknown field; did you mean 'is_frozen'?" \
        in lines[0]
    assert lines[1].startswith(f"  {path}:146:7: marketing_cloud.users[0].active: expected true or false (got \"\\")


def test_a_missing_field_is_placed_at_its_parent(tmp_path: Path) -> None:
    path = _broken_with(tmp_path, {71: ("username: mcc.integration@globex.example", "name2: x")})
    lines = run_cli("audit", path).stderr.splitlines()
    assert lines[0] == (f"mcaudit: error: {path}:70:7: salesforce.users[0].username: required field is missing "
                        "(and 1 more problem)")
    assert lines[1].startswith(f"  {path}:71:7: salesforce.users[0].name2: unknown field")


def test_the_allowed_fields_are_those_of_the_model_at_the_location() -> None:
    assert "is_frozen" in fields_at(Snapshot, ("salesforce", "users", 0))
    assert "account_user_id" in fields_at(Snapshot, ("marketing_cloud", "users", 3))
    assert "salesforce" in fields_at(Snapshot, ())
    assert fields_at(Snapshot, ("name",)) == []  # a string: no fields to offer


def test_a_plan_file_lists_its_problems_too(tmp_path: Path) -> None:
    plan = tmp_path / "plan.json"
    done = run_cli("preflight", rotation_sample("live"), "--save-plan", plan, "--no-color")
    assert plan.exists(), done.stderr
    data = json.loads(plan.read_text(encoding="utf-8"))
    data["restore"]["journeys"][0]["version"] = "3"
    data["restore"]["__class__"] = "os.system"
    plan.write_text(json.dumps(data, indent=2), encoding="utf-8")
    with pytest.raises(InputError) as raised:
        load_plan(plan, max_bytes=2**20)
    error = raised.value
    problems = [error, *error.more]
    assert len(problems) == 2 and "(and 1 more problem)" in str(error)
    assert {p.field for p in problems} == {"restore.journeys[0].version", "restore.__class__"}
    assert all(p.line is not None and p.column is not None for p in problems)


@pytest.mark.parametrize(("typed", "meant"), [
    ("SF1O6", "SF106"),  # letter O for zero: difflib alone finds SF116 as close
    ("sf1o6", "SF106"),
    ("SFl06", "SF106"),  # lower-case L for one
    ("SF1O", "SF10"),  # a prefix, corrected
    ("SF1066", "SF106"),
])
def test_a_rule_id_with_look_alike_characters_gets_the_right_suggestion(typed: str, meant: str) -> None:
    known = ["SF101", "SF106", "SF116", "SF120", "MC201"]
    assert closest_rule_id(typed, known) == meant
    assert suggest_rule_id(typed, known) == f" (did you mean {meant}?)"
    assert suggest_rule_id("ZZZZZ", known) == ""


def test_select_with_a_letter_o_suggests_the_rule_with_a_zero() -> None:
    done = run_cli("audit", SAMPLES / "broken.yaml", "--select", "SF1O6")
    assert done.returncode == 2
    assert done.stderr == ("mcaudit: error: --select: 'SF1O6' matches no rule id (did you mean SF106?) "
                           "(see `mcaudit rules`)\n")
