"""Text from a snapshot (or an option, a file name, an org) is shown, never acted on.

A snapshot in a pull request is written by whoever opened it. Its names may carry a workflow
command (`\\n::error ...`), terminal escapes (colours, clear screen, OSC 8 links), Unicode line
separators, bidi overrides, rich markup or a lone surrogate. Every format must show them as text:
the human formats (console, Markdown, HTML, JUnit) as visible escapes, the machine formats (JSON,
SARIF) as the data itself, escaped their way; every output parses; no line of any output can
start a CI log command; an error is one line. The snapshots are generated here, at test time.
"""

from __future__ import annotations

import io
import json
import logging
import re
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import pytest
from markdown_it import MarkdownIt
from rich.console import Console

from mcaudit import __version__
from mcaudit.cli import main
from mcaudit.cli.output import warn_notes
from mcaudit.collectors.progress import TerminalProgress, reporting
from mcaudit.collectors.secrets import Redactor
from mcaudit.engine import EvaluationConfig, evaluate, load_rules
from mcaudit.errors import InputError
from mcaudit.findings import AuditReport
from mcaudit.report import RenderOptions, render
from mcaudit.report.jinja_env import html_environment
from mcaudit.report.markdown_text import code_span, escape_inline
from mcaudit.safetext import visible, without_surrogates
from mcaudit.snapshot import load_snapshot
from mcaudit.yamlio import load_yaml

from ..conftest import SAMPLES
from .harness import CONTROL, refused_in_process, run_capped

# what a terminal, a log viewer or a browser acts on: controls, line separators, bidi controls
ACTIVE = CONTROL | {"\t", "\u061c", "\u200e", "\u200f", "\u2028", "\u2029", *map(chr, range(0x202A, 0x202F)),
                    *map(chr, range(0x2066, 0x206A))}
# each hostile part, and how a terminal must show it
HOSTILE = {
    "workflow": ("\n::error file=x::pwned", "\\n::error file=x::pwned"),
    "escape": ("\x1b[31mred\x1b[2J", "\\x1b[31mred\\x1b[2J"),
    "osc8": ("\x1b]8;;http://evil.example\x1b\\click\x1b]8;;\x1b\\", "\\x1b]8;;http://evil.example\\x1b\\click"),
    "separators": ("a\u2028b\u2029c\x85d", "a\\u2028b\\u2029c\\x85d"),
    "bidi": ("ls\u202egnp.exe", "ls\\u202egnp.exe"),
    "markup": ("[bold]loud[/bold][/]", "[bold]loud[/bold][/]"),
    "legacy": ("##[error]old", "##\\x5berror]old"),
}
SYSTEM_USER = "sys " + " ".join(raw for raw, _ in HOSTILE.values()) + " @acme.example"
API_USER = "api " + " ".join(raw for raw, _ in reversed(HOSTILE.values())) + " @acme.example"
SNAPSHOT_NAME = "ACME \ud800 " + HOSTILE["workflow"][0] + HOSTILE["bidi"][0]  # a lone surrogate, as JSON allows
FORMATS = ("console", "markdown", "html", "json", "sarif", "junit")


def hostile_data() -> dict[str, Any]:
    """healthy.yaml with hostile names on the snapshot, the System User and the MC API user, and
    both users broken (SF113, MC208) so that failing findings carry the names into every report."""
    data = json.loads(json.dumps(load_yaml((SAMPLES / "healthy.yaml").read_text(encoding="utf-8")), default=str))
    data["name"] = SNAPSHOT_NAME
    salesforce, marketing_cloud = data["salesforce"], data["marketing_cloud"]
    salesforce["users"][0]["username"] = SYSTEM_USER
    salesforce["users"][0]["profile_name"] = "Standard User"
    salesforce["mcc_connector"]["system_user"]["username"] = SYSTEM_USER
    marketing_cloud["users"][0]["username"] = API_USER
    marketing_cloud["users"][0]["is_locked"] = True
    marketing_cloud["users"][0]["salesforce_integration"]["salesforce_username"] = SYSTEM_USER
    marketing_cloud["mcc_api_user"] = API_USER
    return data


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    path = tmp_path / "hostile.json"
    path.write_text(json.dumps(hostile_data(), indent=1), encoding="utf-8")  # "\ud800" as a JSON escape
    return path


def run_main(args: list[str | Path], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """The real entry point in this process, with its exit code and both streams."""
    with pytest.raises(SystemExit) as done:
        main([str(arg) for arg in args])
    captured = capsys.readouterr()
    return int(done.value.code or 0), captured.out, captured.err


def audited(path: Path) -> AuditReport:
    loaded = load_snapshot(path)
    result = evaluate(loaded.snapshot, load_rules(), EvaluationConfig(mode="audit"), path=loaded.path)
    return AuditReport(tool_version=__version__, command="audit", results=(result,))


def assert_inert(text: str) -> None:
    """Nothing a terminal or a CI runner would act on: no raw active character but the line
    break, no line that starts a workflow command, no `##[` command anywhere."""
    raw = sorted(ACTIVE & set(text) - {"\n"})
    assert not raw, f"raw {raw!r} in output"
    assert not re.search(r"[\ud800-\udfff]", text), "a lone surrogate in output"
    starts = [line for line in text.split("\n") if line.lstrip().startswith("::")]
    assert not starts, starts[:3]
    assert not re.search(r"##(vso)?\[", text, re.IGNORECASE), "a ##[ log command in output"


def assert_one_clean_line(stderr: str, *needles: str) -> str:
    lines = stderr.splitlines()
    assert len(lines) == 1, lines
    assert not CONTROL & set(lines[0]), lines[0]
    assert "Traceback" not in stderr and "internal error" not in stderr, stderr
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


def unwrapped(text: str) -> str:
    return "".join(text.split())


class TestVisible:
    @pytest.mark.parametrize(("raw", "shown"), [
        ("plain words", "plain words"),
        ("a\nb\r\tc", "a\\nb\\r\\tc"),
        ("\x00\x07\x1b[2J\x7f", "\\x00\\x07\\x1b[2J\\x7f"),
        ("\x85\x9b31m", "\\x85\\x9b31m"),
        ("\u2028\u2029", "\\u2028\\u2029"),
        ("\u202e\u2066\u200f\u061c", "\\u202e\\u2066\\u200f\\u061c"),
        ("\ud800x\udfff", "\ufffdx\ufffd"),
        ("::error file=x::pwned", "\\x3a:error file=x::pwned"),
        ("  ::warning::x", "  \\x3a:warning::x"),
        ("##[error]x ##vso[task.complete]", "##\\x5berror]x ##vso\\x5btask.complete]"),
        ("2001:db8::1", "2001:db8::1"),
        ("[bold]x[/]", "[bold]x[/]"),
        ("C:\\Users\\n", "C:\\Users\\n"),
        (42, "42"),
    ])
    def test_escapes(self, raw: object, shown: str) -> None:
        assert visible(raw) == shown
        assert visible(shown) == shown  # a second pass changes nothing

    @pytest.mark.parametrize("part", sorted(HOSTILE))
    def test_every_hostile_part_is_one_inert_line(self, part: str) -> None:
        raw, shown = HOSTILE[part]
        assert shown in visible(raw)
        assert "\n" not in visible(raw)
        assert_inert(visible(raw))

    def test_newlines_kept_each_line_guarded(self) -> None:
        assert visible("one\n::error x\n  ::y\r\n\x1b", newlines=True) == "one\n\\x3a:error x\n  \\x3a:y\\r\n\\x1b"

    def test_without_surrogates_keeps_everything_else(self) -> None:
        assert without_surrogates("a\n\x1b\U0001f600\udc00") == "a\n\x1b\U0001f600\ufffd"


class TestConsole:
    def test_real_command_shows_every_hostile_name_as_text(self, hostile: Path) -> None:
        done, _ = run_capped("audit", hostile, "--format", "console")
        assert done.returncode == 1, done.stderr
        assert done.stderr == ""
        assert_inert(done.stdout)
        for part, (_, shown) in HOSTILE.items():
            assert unwrapped(shown) in unwrapped(done.stdout), part
        assert "ACME \ufffd \\n::error file=x::pwnedls\\u202egnp.exe" in done.stdout

    def test_colour_keeps_data_escapes_visible(self, hostile: Path) -> None:
        report = audited(hostile)
        assert report.results[0].snapshot.name == SNAPSHOT_NAME  # the lone surrogate reached the model
        text = render(report, "console", RenderOptions(color=True, verbose=True))
        for raw, shown in HOSTILE.values():
            assert raw == shown or raw not in text
            assert unwrapped(shown) in unwrapped(_without_colour(text))
        assert "\x1b" not in _without_colour(text) and "\u202e" not in text

    def test_verbose_and_quiet_stay_inert(self, hostile: Path, capsys: pytest.CaptureFixture[str]) -> None:
        for flag in ("--verbose", "--quiet"):
            code, out, err = run_main(["audit", hostile, flag], capsys)
            assert code == 1 and err == ""
            assert_inert(out)


class TestFormats:
    @pytest.fixture
    def outputs(self, hostile: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, str]:
        texts = {}
        for fmt in FORMATS:
            code, out, err = run_main(["audit", hostile, "--format", fmt], capsys)
            assert code == 1, (fmt, err)
            assert err == "", (fmt, err)
            texts[fmt] = out
        return texts

    def test_no_output_carries_anything_active(self, outputs: dict[str, str]) -> None:
        for fmt, text in outputs.items():
            try:
                assert_inert(text)
            except AssertionError as error:
                raise AssertionError(f"{fmt}: {error}") from None

    def test_json_keeps_the_data(self, outputs: dict[str, str]) -> None:
        data = json.loads(outputs["json"])
        result = data["results"][0]
        assert result["snapshot"]["name"] == without_surrogates(SNAPSHOT_NAME)
        subjects = {finding["subject"] for finding in result["findings"] if finding["status"] == "fail"}
        assert any(SYSTEM_USER in subject for subject in subjects)
        assert any(API_USER in subject for subject in subjects)

    def test_sarif_keeps_the_data(self, outputs: dict[str, str]) -> None:
        log = json.loads(outputs["sarif"])
        assert log["version"] == "2.1.0"
        subjects = {result["properties"]["subject"] for result in log["runs"][0]["results"]}
        assert any(SYSTEM_USER in subject for subject in subjects)
        messages = " ".join(result["message"]["text"] for result in log["runs"][0]["results"])
        assert "\\[bold\\]loud\\[/bold\\]\\[/\\]" in messages  # SARIF's own escaping of link syntax

    def test_junit_is_xml_with_the_names_spelled_out(self, outputs: dict[str, str]) -> None:
        root = ET.fromstring(outputs["junit"].encode("utf-8"))
        messages = " ".join(failure.get("message") or "" for failure in root.iter("failure"))
        for _, shown in HOSTILE.values():
            assert shown in messages

    def test_html_is_autoescaped_with_the_names_spelled_out(self, outputs: dict[str, str]) -> None:
        autoescape = html_environment().autoescape
        assert callable(autoescape) and autoescape("report.html.j2") is True
        text = _html_text(outputs["html"])
        for _, shown in HOSTILE.values():
            assert unwrapped(shown) in unwrapped(text)

    def test_markdown_tables_keep_their_columns(self, outputs: dict[str, str]) -> None:
        markdown = outputs["markdown"]
        rows = [line for line in markdown.splitlines() if line.startswith("| ")]
        assert rows
        header = len(re.findall(r"(?<!\\)\|", rows[0]))
        assert all(len(re.findall(r"(?<!\\)\|", row)) == header for row in rows), rows
        text = _html_text(MarkdownIt("commonmark", {"html": True}).enable("table").render(markdown))
        for _, shown in HOSTILE.values():  # a line break in a value is the space Markdown would make of it
            assert unwrapped(shown.replace("\\n", " ")) in unwrapped(text)

    @pytest.mark.parametrize("value", ["::error file=x::y", "  ::set-output name=x::1", "a\n::error::x"])
    def test_markdown_never_starts_a_line_with_a_workflow_command(self, value: str) -> None:
        for escaped in (escape_inline(value), code_span(value), code_span(value, in_table=True)):
            assert "\n" not in escaped
            assert not escaped.lstrip().startswith("::") and not escaped.lstrip("`").lstrip().startswith("::")


class TestErrors:
    def test_unknown_key_with_a_newline_is_one_line(self, tmp_path: Path) -> None:
        data = hostile_data()
        data["salesforce"]["users"][0]["bad\n::error file=x::key\x1b[2J"] = True
        path = tmp_path / "unknown-key.json"
        path.write_text(json.dumps(data), encoding="utf-8")
        refused_in_process("audit", path, contains=("unknown-key.json",))

    def test_file_name_with_controls_is_one_line(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        path = tmp_path / "a\n::error::x\x1b[2J.yaml"
        code, out, err = run_main(["audit", path], capsys)
        assert code == 2 and out == ""
        assert_one_clean_line(err, "a\\n::error::x\\x1b[2J.yaml")

    def test_option_value_with_controls_is_one_line(self, capsys: pytest.CaptureFixture[str]) -> None:
        code, _, err = run_main(["audit", SAMPLES / "healthy.yaml", "--fail-on", "x\n::error::y\x1b]8;;"], capsys)
        assert code == 2
        assert_one_clean_line(err, "--fail-on", "x\\n::error::y\\x1b]8;;", "--help")

    def test_usage_error_is_one_line(self, capsys: pytest.CaptureFixture[str]) -> None:
        code, _, err = run_main(["audit"], capsys)
        assert code == 2
        assert_one_clean_line(err, "Missing argument", "mcaudit audit --help")

    @pytest.mark.parametrize("error", [InputError("bad\n::error::x\x1b[2J", path="p\u202e.yaml"),
                                       RuntimeError("boom\n::error::x\x1b[2J\ud800")])
    def test_any_error_is_one_visible_line(self, error: Exception, monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str]) -> None:
        def fail(*_: object) -> None:
            raise error

        monkeypatch.setattr("mcaudit.cli.audit.load_rules", fail)
        code, _, err = run_main(["audit", SAMPLES / "healthy.yaml"], capsys)
        assert code == 2
        lines = err.splitlines()
        assert len(lines) == 1 and not CONTROL & set(lines[0]), lines
        assert "\\n::error::x\\x1b[2J" in lines[0]
        assert_inert(err)


class TestOptionValues:
    @pytest.mark.parametrize("moment", ["0001-01-01T00:00+01:00", "9999-12-31T23:59-01:00"])
    def test_rotation_time_out_of_range(self, moment: str, capsys: pytest.CaptureFixture[str]) -> None:
        rotation = SAMPLES / "rotation"
        code, out, err = run_main(["verify", rotation / "live.yaml", rotation / "after-restored.yaml",
                                   "--rotated-at", moment], capsys)
        assert code == 2 and out == ""
        assert_one_clean_line(err, "--rotated-at", moment, "out of range")

    @pytest.mark.parametrize("command", ["audit", "preflight"])
    def test_huge_attestation_age(self, command: str, capsys: pytest.CaptureFixture[str]) -> None:
        code, out, err = run_main([command, SAMPLES / "healthy.yaml", "--attestation-max-age", "9999999999"], capsys)
        assert code == 2 and out == ""
        assert_one_clean_line(err, "--attestation-max-age", "9999999999")

    def test_a_century_of_attestation_age_still_runs(self, capsys: pytest.CaptureFixture[str]) -> None:
        code, _, err = run_main(["audit", SAMPLES / "healthy.yaml", "--attestation-max-age", "36500"], capsys)
        assert code == 0, err


class TestLogs:
    def test_log_line_is_one_visible_line_and_still_redacted(self) -> None:
        stream, redactor = io.StringIO(), Redactor()
        redactor.add("s3cr3t-value")
        with reporting(redactor, debug=False, stream=stream):
            logging.getLogger("mcaudit.collect").warning("user %s with s3cr3t-value", HOSTILE["workflow"][0]
                                                         + HOSTILE["osc8"][0])
        lines = stream.getvalue().splitlines()
        assert lines == ["mcaudit: user \\n::error file=x::pwned\\x1b]8;;http://evil.example\\x1b\\click"
                         "\\x1b]8;;\\x1b\\ with ***"]

    def test_rich_log_line_on_a_terminal_is_visible(self) -> None:
        stream = _Terminal()
        with reporting(Redactor(), debug=False, stream=stream):
            logging.getLogger("mcaudit.collect").warning("name %s", HOSTILE["escape"][0] + HOSTILE["markup"][0])
        text = _without_colour(stream.getvalue())
        assert "\x1b" not in text
        assert "\\x1b[31mred\\x1b[2J[bold]loud[/bold][/]" in text

    def test_progress_line_shows_markup_and_escapes_as_text(self) -> None:
        stream = _Terminal()
        progress = TerminalProgress(Console(file=stream, force_terminal=True, width=300))
        try:
            progress.step("salesforce", HOSTILE["markup"][0] + HOSTILE["osc8"][0])
            progress._bar.refresh()
            descriptions = [str(task.description) for task in progress._bar.tasks]
        finally:
            progress.close()
        assert descriptions == ["salesforce · 0 reads done · reading [bold]loud[/bold][/]"
                                "\\x1b]8;;http://evil.example\\x1b\\click\\x1b]8;;\\x1b\\"]
        assert "\x1b]8;;http" not in stream.getvalue()

    def test_warning_notes_are_one_line_each(self, hostile: Path, capsys: pytest.CaptureFixture[str]) -> None:
        report = audited(hostile)
        result = replace(report.results[0], notes=("note\n::error::x\x1b[2J",))
        warn_notes(replace(report, results=(result,)))
        err = capsys.readouterr().err
        assert err == "mcaudit: warning: note\\n::error::x\\x1b[2J\n"


def _without_colour(text: str) -> str:
    """Without the codes rich itself writes (colours, cursor hide/show, line erase), so any other
    escape left in the text came from data."""
    return re.sub(r"\x1b\[(?:[0-9;]*m|\?25[lh]|2K)", "", text)


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def _html_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    parser.close()
    return "".join(parser.parts)

