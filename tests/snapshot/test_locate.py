from __future__ import annotations

import json
from pathlib import Path

from mcaudit.snapshot.locate import locate_lines, parse_path
from mcaudit.yamlio import load_yaml

from ..conftest import SAMPLES


def _line_of(path: Path, text: str, nth: int = 0) -> int:
    lines = path.read_text().splitlines()
    hits = [number for number, line in enumerate(lines, start=1) if text in line]
    return hits[nth]


def test_parse_path() -> None:
    assert parse_path("salesforce.users[3].roles") == ("salesforce", "users", 3, "roles")
    assert parse_path("marketing_cloud") == ("marketing_cloud",)


def test_yaml_lines_of_keys_and_list_items() -> None:
    sample = SAMPLES / "healthy.yaml"
    found = locate_lines(sample, ["salesforce.users[0]", "salesforce.users[1]", "marketing_cloud",
                                  "salesforce.connected_apps[0].permitted_users", "salesforce.nope"])
    assert found == {
        "salesforce.users[0]": _line_of(sample, "- id: 0055g00000SysUsrAAA"),
        "salesforce.users[1]": _line_of(sample, "- id: 0055g00000MktUsrAAA"),
        "marketing_cloud": _line_of(sample, "marketing_cloud:"),
        "salesforce.connected_apps[0].permitted_users": _line_of(sample, "permitted_users:"),
    }


def test_json_lines(tmp_path: Path) -> None:
    data = load_yaml((SAMPLES / "healthy.yaml").read_text())
    target = tmp_path / "s.json"
    target.write_text(json.dumps(data, indent=2, default=str))
    found = locate_lines(target, ["marketing_cloud.users[1]"])
    assert found == {"marketing_cloud.users[1]": _line_of(target, '"account_user_id": 7002') - 1}


def test_unreadable_or_unparsable_files_give_nothing(tmp_path: Path) -> None:
    broken = tmp_path / "b.yaml"
    broken.write_text("a: [1,\nb: 2\n")
    assert locate_lines(broken, ["b"]) == {}
    assert locate_lines(broken, ["a"]) == {"a": 1}  # the walk stops once it has found what it was asked
    assert locate_lines(tmp_path / "missing.yaml", ["a"]) == {}
    assert locate_lines(tmp_path, ["a"]) == {}
