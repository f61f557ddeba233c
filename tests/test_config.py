"""The configuration file: found upwards or named by --config, defaults that flags override, strict keys."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mcaudit.cli import cli as group
from mcaudit.config import COMMANDS, KEYS

from .conftest import SAMPLES, run_cli

BROKEN = SAMPLES / "broken.yaml"


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _rule_ids(stdout: str) -> set[str]:
    return {finding["rule_id"] for result in json.loads(stdout)["results"] for finding in result["findings"]}


def _one_error_line(stderr: str) -> str:
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    return lines[0]


def test_no_file_means_the_defaults(tmp_path: Path) -> None:
    assert run_cli("audit", BROKEN, "-q", cwd=tmp_path).returncode == 1  # --fail-on high


def test_the_file_sets_a_default_and_a_flag_wins(tmp_path: Path) -> None:
    _write(tmp_path / "mcaudit.toml", 'fail-on = "never"\n')
    assert run_cli("audit", BROKEN, "-q", cwd=tmp_path).returncode == 0
    assert run_cli("audit", BROKEN, "-q", "--fail-on", "high", cwd=tmp_path).returncode == 1


@pytest.mark.parametrize("select", ['"SF"', '["SF"]', '"SF,MC2"', '["SF", "MC2"]'])
def test_select_from_the_file(tmp_path: Path, select: str) -> None:
    _write(tmp_path / "mcaudit.toml", f"select = {select}\nfail-on = \"never\"\n")
    result = run_cli("audit", BROKEN, "--format", "json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    ids = _rule_ids(result.stdout)
    assert any(rule.startswith("SF") for rule in ids)
    assert all(rule.startswith("SF") or ("MC2" in select and rule.startswith("MC2")) for rule in ids)
    # the flag replaces the file's list, it does not add to it
    flagged = run_cli("audit", BROKEN, "--format", "json", "--select", "MC", cwd=tmp_path)
    assert _rule_ids(flagged.stdout) and all(rule.startswith("MC") for rule in _rule_ids(flagged.stdout))


def test_pyproject_tool_mcaudit_table(tmp_path: Path) -> None:
    _write(tmp_path / "pyproject.toml", '[project]\nname = "x"\n\n[tool.mcaudit]\nfail-on = "never"\n')
    assert run_cli("audit", BROKEN, "-q", cwd=tmp_path).returncode == 0


def test_found_upwards_from_a_subfolder_and_mcaudit_toml_comes_first(tmp_path: Path) -> None:
    _write(tmp_path / "mcaudit.toml", 'fail-on = "never"\n')
    _write(tmp_path / "pyproject.toml", '[tool.mcaudit]\nfail-on = "low"\n')
    # a pyproject.toml without [tool.mcaudit] on the way up is passed over
    _write(tmp_path / "a" / "pyproject.toml", '[project]\nname = "a"\n')
    (tmp_path / "a" / "b").mkdir()
    assert run_cli("audit", BROKEN, "-q", cwd=tmp_path / "a" / "b").returncode == 0


def test_the_nearest_file_wins(tmp_path: Path) -> None:
    _write(tmp_path / "mcaudit.toml", 'fail-on = "never"\n')
    _write(tmp_path / "sub" / "pyproject.toml", '[tool.mcaudit]\nfail-on = "high"\n')
    assert run_cli("audit", BROKEN, "-q", cwd=tmp_path / "sub").returncode == 1


def test_config_option_names_the_file(tmp_path: Path) -> None:
    _write(tmp_path / "mcaudit.toml", 'fail-on = "high"\n')
    _write(tmp_path / "other.toml", 'fail-on = "never"\n')
    assert run_cli("--config", "other.toml", "audit", BROKEN, "-q", cwd=tmp_path).returncode == 0


def test_config_option_that_does_not_exist(tmp_path: Path) -> None:
    result = run_cli("--config", "missing.toml", "audit", BROKEN, cwd=tmp_path)
    assert result.returncode == 2
    assert "missing.toml" in _one_error_line(result.stderr)
    assert "no such configuration file" in result.stderr


def test_unknown_key_is_one_line_with_a_suggestion(tmp_path: Path) -> None:
    _write(tmp_path / "mcaudit.toml", 'fial-on = "never"\n')
    result = run_cli("audit", BROKEN, cwd=tmp_path)
    assert result.returncode == 2
    line = _one_error_line(result.stderr)
    assert "mcaudit.toml" in line and "unknown key 'fial-on'" in line and "did you mean 'fail-on'?" in line


def test_unknown_key_in_pyproject_names_its_table(tmp_path: Path) -> None:
    _write(tmp_path / "pyproject.toml", '[tool.mcaudit]\nwaiver = "w.yaml"\n')
    result = run_cli("audit", BROKEN, cwd=tmp_path)
    assert result.returncode == 2
    line = _one_error_line(result.stderr)
    assert "pyproject.toml" in line and "'tool.mcaudit.waiver'" in line and "did you mean 'waivers'?" in line


@pytest.mark.parametrize(("text", "said"), [
    ('fail-on = "sometimes"\n', "'fail-on': 'sometimes' is not one of"),
    ("fail-on = 3\n", "'fail-on' must be a string"),
    ("attestation-max-age = -1\n", "'attestation-max-age'"),
    ('select = [1, "SF"]\n', "'select' must be"),
    ('fail-on = "high"\nfail-on = "low"\n', "invalid TOML"),
    ("audit = 1\n", "'audit' must be a table"),
])
def test_a_bad_value_names_the_file_and_the_key(tmp_path: Path, text: str, said: str) -> None:
    _write(tmp_path / "mcaudit.toml", text)
    result = run_cli("audit", BROKEN, cwd=tmp_path)
    assert result.returncode == 2
    line = _one_error_line(result.stderr)
    assert "mcaudit.toml" in line and said in line


def test_paths_are_relative_to_the_file(tmp_path: Path) -> None:
    _write(tmp_path / "project" / "ci" / "waivers.yaml",
           "waivers:\n  - rule: SF\n    reason: accepted\n  - rule: MC\n    reason: accepted\n")
    _write(tmp_path / "project" / "mcaudit.toml", 'waivers = "ci/waivers.yaml"\n')
    (tmp_path / "project" / "sub").mkdir()
    result = run_cli("audit", BROKEN, "--format", "json", cwd=tmp_path / "project" / "sub")
    assert result.returncode == 0, result.stderr
    statuses = {finding["status"] for result in json.loads(result.stdout)["results"] for finding in result["findings"]}
    assert "waived" in statuses and "fail" not in statuses
    # the same file named from elsewhere: still relative to the file, not to the current folder
    named = run_cli("--config", tmp_path / "project" / "mcaudit.toml", "audit", BROKEN, "-q", cwd=tmp_path)
    assert named.returncode == 0, named.stderr


def test_rules_dir_is_relative_to_the_file(tmp_path: Path) -> None:
    _write(tmp_path / "mcaudit.toml", 'rules-dir = ["my-rules"]\n')
    result = run_cli("audit", BROKEN, cwd=tmp_path)
    assert result.returncode == 2
    assert str(tmp_path / "my-rules") in _one_error_line(result.stderr)


def test_a_command_table_wins_and_a_key_the_command_lacks_is_passed_over(tmp_path: Path) -> None:
    _write(tmp_path / "mcaudit.toml", 'fail-on = "high"\nbaseline = "none.json"\n[audit]\nfail-on = "never"\n')
    # audit has --baseline: the file's (missing) baseline is read, relative to the file
    audited = run_cli("audit", BROKEN, "-q", cwd=tmp_path)
    assert audited.returncode == 2 and str(tmp_path / "none.json") in _one_error_line(audited.stderr)
    # preflight has none: the key is passed over, and the preflight runs (NO-GO on this sample)
    preflight = run_cli("preflight", SAMPLES / "healthy.yaml", "-q", cwd=tmp_path)
    assert preflight.returncode == 1 and "NO-GO" in preflight.stdout
    _write(tmp_path / "mcaudit.toml", 'fail-on = "high"\n[audit]\nfail-on = "never"\n')
    assert run_cli("audit", BROKEN, "-q", cwd=tmp_path).returncode == 0


def test_a_key_in_a_command_table_the_command_lacks_is_an_error(tmp_path: Path) -> None:
    _write(tmp_path / "mcaudit.toml", '[preflight]\nbaseline = "report.json"\n')
    result = run_cli("preflight", SAMPLES / "healthy.yaml", cwd=tmp_path)
    assert result.returncode == 2
    assert "'preflight.baseline': preflight has no --baseline" in _one_error_line(result.stderr)


def test_other_commands_do_not_read_the_file(tmp_path: Path) -> None:
    _write(tmp_path / "mcaudit.toml", 'fial-on = "never"\n')
    assert run_cli("rules", cwd=tmp_path).returncode == 0


def test_every_key_is_an_option_of_a_command_that_reads_the_file() -> None:
    options = {opt for name in COMMANDS for param in group.commands[name].params for opt in param.opts}
    assert {f"--{key}" for key in KEYS} <= options
