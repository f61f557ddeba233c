"""Hostile snapshots a customer might send: each is refused with exit 2 and one line, quickly."""

from __future__ import annotations

from pathlib import Path

import pytest

from mcaudit.errors import InputError
from mcaudit.snapshot import load_snapshot

from ..conftest import run_cli
from ..security.harness import refused


def _refused(path: Path, *needles: str, extra: tuple[str, ...] = (), capped: bool = False) -> None:
    """Refused with exit 2 and one line: in this process, or where memory or time is the point (a bomb,
    a huge file) in a child capped at 1 GiB and 5 s (security/harness.py)."""
    if capped:
        refused("audit", path, *extra, contains=needles)
        return
    result = run_cli("audit", path, *extra, timeout=60)
    assert result.returncode == 2, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]


def test_billion_laughs(tmp_path: Path) -> None:
    bomb = ["schema_version: 1", "lol0: &lol0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    bomb += [f"lol{i}: &lol{i} [" + ", ".join([f"*lol{i - 1}"] * 10) + "]" for i in range(1, 120)]
    path = tmp_path / "bomb.yaml"
    path.write_text("\n".join(bomb) + "\n")
    # counted as expanded: 10**6 nodes by lol5, far before the 1000 aliases of the whole bomb
    _refused(path, "bomb.yaml:7:", "YAML nodes", "counting what aliases repeat", capped=True)


def test_more_than_a_thousand_aliases(tmp_path: Path) -> None:
    path = tmp_path / "aliases.yaml"
    path.write_text("schema_version: 1\nx: &x a\nnames: [" + ", ".join(["*x"] * 1001) + "]\n")
    _refused(path, "too many YAML aliases")


def test_few_aliases_are_fine_then_validated(tmp_path: Path) -> None:
    path = tmp_path / "alias.yaml"
    path.write_text("schema_version: 1\ncollected_at: &t 2026-11-20T00:00:00Z\nsource: live\nname: *t\n")
    _refused(path, "name: expected a string")


@pytest.mark.parametrize("depth", [150, 100_000])
def test_deep_flow_nesting_yaml(tmp_path: Path, depth: int) -> None:
    path = tmp_path / "deep.yaml"
    path.write_text("schema_version: " + "[" * depth + "]" * depth + "\n")
    _refused(path, "nesting deeper than", capped=depth > 1000)


def test_deep_nesting_json(tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_text('{"schema_version": ' + "[" * 100_000 + "]" * 100_000 + "}")
    _refused(path, "deep.json:1:119: invalid JSON: nesting deeper than 100 levels", capped=True)


def test_a_gigabyte_file_is_refused_by_the_size_limit(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    with path.open("wb") as handle:  # sparse: costs no disk
        handle.truncate(1024**3)
    _refused(path, "1024 MiB", "--max-snapshot-size", capped=True)


def test_size_limit_can_be_raised(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_text("# padding\n" * 150_000)  # ~1.4 MiB of comments, then nothing
    # YAML may be an eighth of --max-snapshot-size, which is the limit of a JSON file
    _refused(path, "above the 1 MiB limit for YAML", "save it as JSON", extra=("--max-snapshot-size", "8"))
    _refused(path, "expected a mapping", extra=("--max-snapshot-size", "12"))
    as_json = tmp_path / "big.json"
    as_json.write_text(" " * 1_500_000 + "[]")
    _refused(as_json, "above the 1 MiB limit (raise it with --max-snapshot-size)", extra=("--max-snapshot-size", "1"))
    _refused(as_json, "expected a mapping", extra=("--max-snapshot-size", "2"))


def test_utf16(tmp_path: Path) -> None:
    path = tmp_path / "u16.yaml"
    path.write_bytes("schema_version: 1\n".encode("utf-16"))
    _refused(path, "UTF-16")


def test_tag_building_objects(tmp_path: Path) -> None:
    path = tmp_path / "tag.yaml"
    path.write_text("schema_version: 1\nx: !!python/name:os.system\n")
    _refused(path, "invalid YAML")


def test_custom_tag(tmp_path: Path) -> None:
    path = tmp_path / "tag.yaml"
    path.write_text("schema_version: !include /etc/passwd\n")
    _refused(path, "invalid YAML")


def test_duplicate_keys_in_json(tmp_path: Path) -> None:
    path = tmp_path / "dup.json"
    path.write_text('{\n  "schema_version": 1,\n  "source": "live",\n  "collected_at": "2026-11-20T00:00:00Z",\n'
                    '  "salesforce": {"org_id": "00Da",\n                 "org_id": "00Db"}\n}\n')
    _refused(path, "dup.json:6:", 'duplicate key "org_id"')


# in the JSON text: brackets, an escaped backslash then an escaped quote, an escaped quote
@pytest.mark.parametrize("name", ["[" * 150, "]" * 150 + "[" * 150, '\\\\\\"' + "{" * 150, '\\"]]' + "[" * 150])
def test_brackets_inside_strings_are_not_nesting(tmp_path: Path, name: str) -> None:
    """The depth of a JSON file is read on its bytes, skipping strings (with escaped quotes)."""
    path = tmp_path / "s.json"
    path.write_text('{"schema_version": 1, "source": "live", "collected_at": "2026-11-20T00:00:00Z", '
                    f'"name": "{name}", "x": ' + "[" * 99 + "]" * 99 + "}")
    with pytest.raises(InputError, match=r"s\.json:1:\d+: x: unknown field"):
        load_snapshot(path)
