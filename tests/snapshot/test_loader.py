"""Bad snapshot files: each gives exit 2 and one line naming file, line and field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from mcaudit.errors import InputError
from mcaudit.snapshot import load_snapshot
from mcaudit.yamlio import YamlLimits, YamlProblem, load_yaml

from ..conftest import SAMPLES, run_cli


def _one_line_error(result, *needles: str) -> str:
    assert result.returncode == 2, result.stderr + result.stdout
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("mcaudit: error: ")
    line = lines[0].removeprefix("mcaudit: error: ")
    for needle in needles:
        assert needle in line, line
    return line


def test_healthy_sample_loads() -> None:
    loaded = load_snapshot(SAMPLES / "healthy.yaml")
    assert loaded.format == "yaml"
    assert loaded.snapshot.salesforce is not None
    assert loaded.snapshot.salesforce.users is not None


def test_json_and_yaml_load_the_same(tmp_path: Path) -> None:
    data = load_yaml((SAMPLES / "healthy.yaml").read_text())
    target = tmp_path / "healthy.json"
    target.write_text(json.dumps(data, default=str))
    assert load_snapshot(target).snapshot == load_snapshot(SAMPLES / "healthy.yaml").snapshot


def test_nonexistent_path(tmp_path: Path) -> None:
    _one_line_error(run_cli("audit", tmp_path / "nope.yaml"), "nope.yaml", "no such file")


def test_empty_file(tmp_path: Path) -> None:
    empty = tmp_path / "empty.yaml"
    empty.write_text("\n  \n")
    _one_line_error(run_cli("audit", empty), "empty.yaml", "file is empty")


def test_comment_only_file_is_not_a_mapping(tmp_path: Path) -> None:
    only = tmp_path / "comment.yaml"
    only.write_text("# nothing here\n")
    _one_line_error(run_cli("audit", only), "comment.yaml", "expected a mapping")


def test_malformed_yaml_names_line_and_column(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("schema_version: 1\nsalesforce:\n  users: [\n    {id: a\n")
    line = _one_line_error(run_cli("audit", bad), "bad.yaml:", "invalid YAML")
    assert line.split(":")[1].isdigit()


def test_malformed_json_names_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{\n  "schema_version": 1,\n  "source": "live",\n}\n')
    _one_line_error(run_cli("audit", bad), "bad.json:4:", "invalid JSON")


def test_wrong_type_names_field_path_and_line(tmp_path: Path, healthy_text: str) -> None:
    text = healthy_text.replace(
        "      roles: [Administrator, Marketing Cloud Administrator]",
        "      roles: Administrator",
    )
    bad = tmp_path / "x.yaml"
    bad.write_text(text)
    line = _one_line_error(run_cli("audit", bad), "marketing_cloud.users[0].roles: expected a list")
    expected_line = text.splitlines().index("      roles: Administrator") + 1
    assert line.startswith(f"{bad}:{expected_line}:")


def test_number_where_string_belongs(tmp_path: Path, healthy_text: str) -> None:
    bad = tmp_path / "x.yaml"
    bad.write_text(healthy_text.replace("username: mcc.api@acme.example", "username: 12345"))
    _one_line_error(run_cli("audit", bad), "marketing_cloud.users[0].username: expected a string")


def test_string_where_boolean_belongs(tmp_path: Path, healthy_text: str) -> None:
    bad = tmp_path / "x.yaml"
    bad.write_text(healthy_text.replace("      is_frozen: false\n      user_license: Salesforce\n      profile_name: "
                                        "System Administrator", "      is_frozen: \"no\"\n      user_license: "
                                        "Salesforce\n      profile_name: System Administrator", 1))
    _one_line_error(run_cli("audit", bad), "salesforce.users[0].is_frozen: expected true or false")


def test_unknown_top_level_key(tmp_path: Path, healthy_text: str) -> None:
    bad = tmp_path / "x.yaml"
    bad.write_text(healthy_text + "salesfroce: {}\n")
    _one_line_error(run_cli("audit", bad), "salesfroce: unknown field")


def test_unknown_enum_value(tmp_path: Path, healthy_text: str) -> None:
    bad = tmp_path / "x.yaml"
    bad.write_text(healthy_text.replace("permitted_users: admin_approved", "permitted_users: everyone"))
    line = _one_line_error(run_cli("audit", bad), "salesforce.connected_apps[0].permitted_users")
    assert "admin_approved" in line  # says what is allowed


def test_future_schema_version(tmp_path: Path, healthy_text: str) -> None:
    bad = tmp_path / "x.yaml"
    bad.write_text(healthy_text.replace("schema_version: 1", "schema_version: 7"))
    _one_line_error(run_cli("audit", bad), "schema_version", "newer than this mcaudit understands")


def test_python_object_tag_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "x.yaml"
    bad.write_text("schema_version: !!python/object/apply:os.system ['echo pwned']\n")
    _one_line_error(run_cli("audit", bad), "invalid YAML")


def test_duplicate_keys_are_refused(tmp_path: Path) -> None:
    bad = tmp_path / "x.yaml"
    bad.write_text("schema_version: 1\nschema_version: 1\n")
    _one_line_error(run_cli("audit", bad), "x.yaml:2", "duplicate")


def test_alias_bomb_is_refused() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 200)]
    with pytest.raises(Exception, match="aliases"):
        load_yaml("\n".join(lines))


def test_size_limit(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    big.write_text("schema_version: 1\n" + "# padding\n" * 200_000)
    line = _one_line_error(run_cli("audit", big, "--max-snapshot-size", "1"), "big.yaml", "limit")
    assert "--max-snapshot-size" in line


def test_binary_garbage(tmp_path: Path) -> None:
    bad = tmp_path / "x.yaml"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    _one_line_error(run_cli("audit", bad), "binary")


def test_not_utf8(tmp_path: Path) -> None:
    bad = tmp_path / "x.yaml"
    bad.write_bytes("name: caf\xe9\n".encode("latin-1"))
    _one_line_error(run_cli("audit", bad), "not UTF-8")


def test_directory_instead_of_file(tmp_path: Path) -> None:
    _one_line_error(run_cli("audit", tmp_path), "directory")


def test_loader_error_is_structured(tmp_path: Path, healthy_text: str) -> None:
    bad = tmp_path / "x.yaml"
    bad.write_text(healthy_text.replace("      roles: [Administrator, Marketing Cloud Administrator]",
                                        "      roles: Administrator"))
    with pytest.raises(InputError) as caught:
        load_snapshot(bad)
    assert caught.value.field == "marketing_cloud.users[0].roles"
    assert caught.value.line is not None


def test_yaml_12_corners_are_read_again_within_a_text_budget() -> None:
    # libyaml refuses `:` inside a plain value in flow style; YAML 1.2 (the pure parser) reads it
    corner = "grants: [{user: u1, last_used: 2026-11-20T08:00:00Z}]\n"
    [grant] = load_yaml(corner)["grants"]
    assert grant["user"] == "u1" and grant["last_used"].isoformat() == "2026-11-20T08:00:00+00:00"
    # a long file is not read a second time, ten times slower: the message says how to avoid it
    filler = "note: " + "a" * (YamlLimits().fallback_chars + 10) + "\n"
    with pytest.raises(YamlProblem) as raised:
        load_yaml(filler + corner)
    assert "is not read again as YAML 1.2; quote the value, or save the file as JSON" in raised.value.message
    assert raised.value.line == 2


def test_the_samples_need_no_second_reading() -> None:
    """Samples are what people copy: each one reads with the fast parser, whatever its size."""
    for path in SAMPLES.rglob("*.yaml"):
        YAML(typ="safe", pure=False).load(path.read_text(encoding="utf-8"))
