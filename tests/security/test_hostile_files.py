"""Hostile files of every kind mcaudit reads, refused by the one reader (mcaudit.untrusted).

A snapshot in a pull request is written by whoever opened it, and so may be the merge file, the
attestations, the waivers, the baseline report, the rotation plan, the rule files and the
`sf org display --json` output beside it. All of them are read by mcaudit.untrusted, so each class
of hostile file is refused the same way whatever kind it poses as: exit 2 and one clean line
naming the file (and, where known, the line and the field), within the bar of harness.py (5 s and
1 GiB of address space at the default limits).

Where memory or time is the point (devices, FIFOs, alias bombs, huge files, the worst files at the
limits) the real command runs in a capped child process (harness.refused). Refusals that read
nothing dangerous run in this process, through the same entry point, to cover every kind cheaply.
Every hostile file is generated here, at test time.
"""

from __future__ import annotations

import os
import re
import signal
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

import pytest

from mcaudit.cli import main
from mcaudit.untrusted import DEFAULT_MAX_BYTES, Limits

from .harness import CONTROL, ROOT, TIME_LIMIT, refused, refused_in_process, run_capped

HEALTHY = ROOT / "samples" / "healthy.yaml"
AFTER = ROOT / "samples" / "rotation" / "after-restored.yaml"
LIMITS = Limits.scaled(DEFAULT_MAX_BYTES)
JSON_MIB, YAML_MIB = LIMITS.json_bytes // 2**20, LIMITS.yaml_bytes // 2**20
Args = list[str | Path]


@dataclass(frozen=True)
class Kind:
    """A kind of file mcaudit reads, and the command that reads it."""

    formats: tuple[str, ...]
    command: Callable[[Path, Path], Args]  # (the file, a folder for outputs) -> arguments
    in_rules_dir: bool = False  # a rule file is found in --rules-dir, not named on the command line


KINDS = {
    "snapshot": Kind(("yaml", "json"), lambda file, _: ["audit", file]),
    "waivers": Kind(("yaml", "json"), lambda file, _: ["audit", HEALTHY, "--waivers", file]),
    "baseline": Kind(("json",), lambda file, _: ["audit", HEALTHY, "--baseline", file]),
    "plan": Kind(("json",), lambda file, _: ["verify", "--plan", file, AFTER]),
    "rule file": Kind(("yaml",), lambda file, _: ["audit", HEALTHY, "--rules-dir", file.parent], in_rules_dir=True),
    # collect reads these before it asks for any credential or makes any call
    "merge file": Kind(("yaml", "json"), lambda file, out: ["collect", "-o", out / "s.json", "--merge", file]),
    "attestations": Kind(("yaml", "json"), lambda file, out: ["collect", "-o", out / "s.json", "--attestations", file]),
    "org json": Kind(("json",), lambda file, out: ["collect", "-o", out / "s.json", "--only", "sf",
                                                   "--sf-org-json", file]),
}
YAML_KINDS = [name for name, kind in KINDS.items() if "yaml" in kind.formats]
OTHER_KINDS = [name for name in KINDS if name != "snapshot"]


def place(tmp_path: Path, kind_name: str, fmt: str | None = None) -> Path:
    """Where the test puts the hostile file of this kind (not created)."""
    kind = KINDS[kind_name]
    if kind.in_rules_dir:
        folder = tmp_path / "rules"
        folder.mkdir(exist_ok=True)
        return folder / "XC901.yaml"
    return tmp_path / f"{kind_name.replace(' ', '-')}.{fmt or kind.formats[0]}"


def command(tmp_path: Path, kind_name: str, file: Path) -> Args:
    return KINDS[kind_name].command(file, tmp_path)


def written(tmp_path: Path, kind_name: str, content: str | bytes, fmt: str | None = None) -> Path:
    path = place(tmp_path, kind_name, fmt)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


class _Hung(Exception):
    pass


def _hung(_signum: int, _frame: FrameType | None) -> None:
    raise _Hung("the command blocked")


@pytest.fixture
def no_hang() -> Iterator[None]:
    """In this process, an open that blocks (a FIFO without O_NONBLOCK) fails the test instead."""
    previous = signal.signal(signal.SIGALRM, _hung)
    signal.alarm(int(TIME_LIMIT))
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def refused_here(args: Args, capsys: pytest.CaptureFixture[str], *contains: str) -> str:
    """The in-process twin of harness.refused: exit 2 and one clean line on stderr."""
    with pytest.raises(SystemExit) as done:
        main([str(arg) for arg in args])
    err = capsys.readouterr().err
    assert done.value.code == 2, err
    lines = err.splitlines()
    assert len(lines) == 1 and "Traceback" not in err and "internal error" not in err, err
    assert not CONTROL & set(lines[0]), lines[0]
    for needle in contains:
        assert needle in lines[0], lines[0]
    return lines[0]


# -- not a regular file: a device, a FIFO, a symlink to a device, a directory ---------------------

@pytest.mark.parametrize("kind", KINDS)
def test_dev_zero_as_each_kind_of_file(tmp_path: Path, kind: str) -> None:
    if KINDS[kind].in_rules_dir:  # found by its name in the folder: a symlink there
        target = place(tmp_path, kind)
        target.symlink_to("/dev/zero")
    else:
        target = Path("/dev/zero")
    refused(*command(tmp_path, kind, target), contains=(f"{target}: is a character device", "not a regular file"))


def _special(tmp_path: Path, kind: str, special: str) -> Path:
    path = place(tmp_path, kind)
    if special == "/dev/urandom":
        if not KINDS[kind].in_rules_dir:
            return Path("/dev/urandom")
        path.symlink_to("/dev/urandom")
    elif special == "FIFO":
        os.mkfifo(path)
    elif special == "symlink to /dev/zero":
        path.symlink_to("/dev/zero")
    else:
        path.mkdir()
    return path


SPECIAL = {
    "/dev/urandom": "is a character device",
    "FIFO": "is a FIFO (named pipe), not a regular file",
    "symlink to /dev/zero": "is a character device (such as /dev/zero), not a regular file",
    "directory": "is a directory, expected a snapshot file",
}


@pytest.mark.parametrize("special", SPECIAL)
def test_special_files_as_a_snapshot(tmp_path: Path, special: str) -> None:
    path = _special(tmp_path, "snapshot", special)
    refused("audit", path, contains=(f"{path}: {SPECIAL[special]}",))


@pytest.mark.parametrize("special", SPECIAL)
@pytest.mark.parametrize("kind", OTHER_KINDS)
@pytest.mark.usefixtures("no_hang")
def test_special_files_as_every_other_kind(tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str,
                                           special: str) -> None:
    path = _special(tmp_path, kind, special)
    if special == "directory":  # click refuses some before mcaudit reads them: still one line
        refused_here(command(tmp_path, kind, path), capsys, str(path), "is a directory")
    else:
        refused_here(command(tmp_path, kind, path), capsys, f"{path}: {SPECIAL[special]}")


# -- alias amplification: 999 aliases (under the cap of 1000) to one large string ---------------

@pytest.mark.parametrize("kind", YAML_KINDS)
def test_999_aliases_to_a_large_string(tmp_path: Path, kind: str) -> None:
    bomb = "x: &big " + "a" * 1_200_000 + "\nnames: [" + ", ".join(["*big"] * 999) + "]\n"  # 1.2 MB -> 1.2 GB
    path = written(tmp_path, kind, bomb, "yaml")
    refused(*command(tmp_path, kind, path),
            contains=(f"{path}:2:", "names[1]: aliases repeat more than 2 MiB of text; refusing to expand"))


def test_a_billion_laughs_counts_as_expanded(tmp_path: Path) -> None:
    lines = ["lol0: &lol0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"lol{i}: &lol{i} [" + ", ".join([f"*lol{i - 1}"] * 10) + "]" for i in range(1, 10)]
    path = written(tmp_path, "snapshot", "\n".join(lines) + "\n", "yaml")
    refused("audit", path, contains=("more than 131,072 YAML nodes", "counting what aliases repeat"))


def test_an_alias_inside_what_it_repeats(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = written(tmp_path, "rule file", "params: &p {again: *p}\n")
    refused_here(command(tmp_path, "rule file", path), capsys, f"{path}:1:", "is inside the node it repeats")


# -- huge inputs under the size limits: bounded by counts, within the bar at the defaults ------

def test_a_yaml_string_at_the_yaml_limit_is_read_within_the_bar(tmp_path: Path) -> None:
    text = HEALTHY.read_text(encoding="utf-8")
    filler = LIMITS.yaml_bytes - len(text.encode()) - 100
    path = written(tmp_path, "snapshot", text.replace("name: ACME production (healthy)", "name: " + "a" * filler),
                   "yaml")
    assert LIMITS.yaml_bytes - 200 < path.stat().st_size <= LIMITS.yaml_bytes
    done, seconds = run_capped("audit", path, "--format", "json", "-o", tmp_path / "report.json")
    assert done.returncode == 0, done.stderr[-2000:]
    assert seconds < TIME_LIMIT, f"took {seconds:.1f} s"


def test_a_yaml_string_over_the_yaml_limit_says_to_use_json(tmp_path: Path) -> None:
    path = written(tmp_path, "snapshot", "name: " + "a" * LIMITS.yaml_bytes + "\n", "yaml")
    refused("audit", path, contains=(f"above the {YAML_MIB} MiB limit for YAML", "save it as JSON",
                                     "`mcaudit collect -o snapshot.json` writes JSON", "--max-snapshot-size"))


@pytest.mark.parametrize(("lists", "said"), [
    (LIMITS.json_containers - 10, "schema_version: expected an integer"),  # at the limit: parsed, then refused
    (LIMITS.json_containers + 1, f"more than {LIMITS.json_containers:,} objects and lists (raise it with "
                                 "--max-snapshot-size)"),
    ((LIMITS.json_bytes - 40) // 3, f"more than {LIMITS.json_containers:,} objects and lists"),  # at the size limit
    (LIMITS.json_bytes // 3 + 10, f"above the {JSON_MIB} MiB limit (raise it with --max-snapshot-size)"),
], ids=["at the count limit", "over the count limit", "at the size limit", "over the size limit"])
def test_json_of_empty_lists(tmp_path: Path, lists: int, said: str) -> None:
    path = written(tmp_path, "snapshot", '{"schema_version": [' + "[]," * lists + "[]]}", "json")
    refused("audit", path, contains=(said,))


def _worst(fmt: str) -> str:
    """Objects that each fail validation four times (attestations have four required fields) and, in
    JSON, once more for each unknown key: some 520,000 errors, each costing ~1 KB to report."""
    if fmt == "json":
        return ('{"schema_version": 1, "source": "live", "collected_at": "2026-11-20T00:00:00Z", "attestations": ['
                + ",".join(['{"a":0,"b":0,"c":0,"d":0}'] * (LIMITS.json_containers - 10)) + "]}")
    return ("schema_version: 1\nsource: live\ncollected_at: 2026-11-20T00:00:00Z\nattestations: ["
            + ",".join(["{}"] * (LIMITS.yaml.nodes - 20)) + "]\n")


@pytest.mark.parametrize("fmt", ["json", "yaml"], ids=["json, 65,526 objects of 4 unknown keys",
                                                       "yaml, 131,052 empty mappings"])
def test_the_worst_file_found_at_the_limits_is_refused_within_the_bar(tmp_path: Path, fmt: str) -> None:
    path = written(tmp_path, "snapshot", _worst(fmt), fmt)
    refusal = refused("audit", path, contains=("attestations[0].fact: required field is missing (and 52",))
    assert refusal.line.endswith("more problems)")


@pytest.mark.parametrize("kind", OTHER_KINDS)
def test_over_the_size_limit_for_every_other_kind(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                  kind: str) -> None:
    fmt = KINDS[kind].formats[0]
    path = place(tmp_path, kind, fmt)
    with path.open("wb") as handle:  # sparse: costs no disk, and is never read
        handle.truncate(LIMITS.bytes_for(fmt) + 1)
    said = f"above the {YAML_MIB if fmt == 'yaml' else JSON_MIB} MiB limit"
    if fmt == "yaml" and "json" in KINDS[kind].formats:
        said += " for YAML: YAML is far slower to read than JSON"
    refused_here(command(tmp_path, kind, path), capsys, f"{path}: file is", said)


@pytest.mark.parametrize("kind", [name for name in OTHER_KINDS if "json" in KINDS[name].formats])
def test_json_of_empty_lists_for_every_other_kind(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                  kind: str) -> None:
    path = written(tmp_path, kind, "[" + "[]," * LIMITS.json_containers + "[]]", "json")
    refused_here(command(tmp_path, kind, path), capsys, f"{path}: more than {LIMITS.json_containers:,} objects")


# -- values Python cannot build: an impossible date, an integer over 4300 digits ---------------

BIG = "9" * 5000


def test_an_impossible_date_in_a_yaml_snapshot(tmp_path: Path) -> None:
    path = written(tmp_path, "snapshot", "schema_version: 1\ncollected_at: 2026-02-30T10:00:00Z\nsource: live\n",
                   "yaml")
    refused_in_process("audit", path, contains=(f"{path}:2:15: collected_at: not a valid date or timestamp "
                                                "(day is out of range for month): 2026-02-30T10:00:00Z",))


def test_a_5000_digit_integer_in_a_json_snapshot(tmp_path: Path) -> None:
    path = written(tmp_path, "snapshot", '{"schema_version": 1,\n "marketing_cloud": {"users": [{"account_user_id": '
                   + BIG + "}]}}", "json")
    refused_in_process("audit", path, contains=(f"{path}:2:52: marketing_cloud.users[0].account_user_id: an integer "
                                                "of 5000 digits, more than the 4300 Python reads",))


# (kind, format, text, what the line says after the file name)
UNBUILDABLE = [
    ("snapshot", "yaml", f"schema_version: {BIG}\n", ":1:17: schema_version: an integer of 5000 digits"),
    ("snapshot", "json", '{"schema_version": 1, "collected_at": "2026-02-30T10:00:00Z", "source": "live"}',
     ':1:23: collected_at: expected an ISO 8601 timestamp (got "2026-02-30T10:00:00Z")'),
    ("waivers", "yaml", "waivers:\n  - rule: SF113\n    reason: x\n    expires: 2026-02-30\n",
     ":4:14: waivers[0].expires: not a valid date or timestamp (day is out of range for month): 2026-02-30"),
    ("waivers", "yaml", f"waivers:\n  - rule: {BIG}\n", ":2:11: waivers[0].rule: an integer of 5000 digits"),
    ("rule file", "yaml", "id: XC901\nseverity: 2026-02-30\n",
     ":2:11: severity: not a valid date or timestamp (day is out of range for month)"),
    ("rule file", "yaml", f"id: {BIG}\n", ":1:5: id: an integer of 5000 digits"),
    ("merge file", "yaml", "attestations:\n  - fact: x\n    attested_at: 2026-02-30\n",
     ":3:18: attestations[0].attested_at: not a valid date or timestamp"),
    ("attestations", "json", '[{"fact": "x", "value": ' + BIG + "}]", ":1:25: [0].value: an integer of 5000 digits"),
    ("baseline", "json", '{"format_version": ' + BIG + "}", ":1:20: format_version: an integer of 5000 digits"),
    ("plan", "json", '{"format": "mcaudit-rotation-plan", "plan_version": ' + BIG + "}",
     ":1:53: plan_version: an integer of 5000 digits"),
    ("org json", "json", '{"result": {"accessToken": ' + BIG + "}}", ":1:28: result.accessToken: an integer of 5000"),
]


@pytest.mark.parametrize(("kind", "fmt", "text", "said"), UNBUILDABLE,
                         ids=[f"{kind}-{fmt}-{'date' if 'date' in said or 'timestamp' in said else 'integer'}"
                              for kind, fmt, _, said in UNBUILDABLE])
def test_a_value_python_cannot_build_is_one_line_naming_line_and_field(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str, fmt: str, text: str, said: str) -> None:
    path = written(tmp_path, kind, text, fmt)
    refused_here(command(tmp_path, kind, path), capsys, f"{path}{said}")


# -- encoding: UTF-8 only, the same rule for every kind -----------------------------------------

def test_invalid_utf8_in_a_snapshot(tmp_path: Path) -> None:
    path = written(tmp_path, "snapshot", b"schema_version: 1\nname: caf\xe9\n", "yaml")
    refused_in_process("audit", path, contains=(f"{path}:2: not UTF-8 text (byte 0xe9 at offset 27)",))


@pytest.mark.parametrize("kind", OTHER_KINDS)
def test_invalid_utf8_in_every_other_kind(tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str) -> None:
    fmt = KINDS[kind].formats[0]
    content = b'{\n"name": "caf\xe9"}' if fmt == "json" else b"# a comment\nname: caf\xe9\n"
    path = written(tmp_path, kind, content, fmt)
    line = refused_here(command(tmp_path, kind, path), capsys, f"{path}:2: not UTF-8 text (byte 0xe9 at offset")
    assert re.search(r"offset \d+\)$", line), line
