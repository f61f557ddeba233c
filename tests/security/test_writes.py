"""Every file mcaudit writes is whole or untouched, never one of its inputs, and standard output
that cannot be written is one line (or, when its reader went away, silence and exit 141).

Failed writes are real where the test can make them so as root too: a file-size limit in the
child (EFBIG), /dev/full (ENOSPC), a pipe whose reader has gone (EPIPE); a failed rename is
simulated in this process.
"""

from __future__ import annotations

import errno
import os
import resource
import stat
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from mcaudit.cli import main
from mcaudit.collectors.snapshot_file import write_snapshot
from mcaudit.errors import OutputError
from mcaudit.safetext import write_text_atomically
from mcaudit.snapshot import load_snapshot

from ..conftest import ROOT, SAMPLES
from .harness import CONTROL, refused, refused_in_process

HEALTHY = SAMPLES / "healthy.yaml"
ROTATION = SAMPLES / "rotation"
PREVIOUS = '{"previous": "report"}\n'


def run_main(args: list[str | Path], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as done:
        main([str(arg) for arg in args])
    captured = capsys.readouterr()
    return int(done.value.code or 0), captured.out, captured.err


def one_line(stderr: str, *needles: str) -> str:
    lines = stderr.splitlines()
    assert len(lines) == 1, lines
    assert not CONTROL & set(lines[0]) and "internal error" not in lines[0], lines[0]
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


def leftovers(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir() if path.name.endswith(".tmp"))


def child(*args: str | Path, **options: object) -> subprocess.CompletedProcess[bytes]:
    """The real command in a child process, with standard output as the test sets it up."""
    return subprocess.run([sys.executable, "-m", "mcaudit", *map(str, args)], cwd=ROOT, stderr=subprocess.PIPE,
                          timeout=60, check=False, **options)  # type: ignore[call-overload, no-any-return]


@contextmanager
def file_size_limit(size: int) -> Iterator[None]:
    """Children started inside inherit a file-size limit: a longer write fails with EFBIG (Python
    ignores SIGXFSZ), for root too. This process writes nothing large meanwhile."""
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (size, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))


@pytest.fixture
def snapshot(tmp_path: Path) -> Path:
    path = tmp_path / "snapshot.yaml"
    path.write_bytes(HEALTHY.read_bytes())
    return path


class TestAtomicWrite:
    def test_new_file_is_written_whole_in_a_new_folder(self, tmp_path: Path) -> None:
        target = tmp_path / "new" / "report.json"
        write_text_atomically(target, "x" * 100_000)
        assert target.read_text(encoding="utf-8") == "x" * 100_000
        assert leftovers(target.parent) == []

    def test_replaced_file_keeps_its_permissions(self, tmp_path: Path) -> None:
        target = tmp_path / "report.json"
        target.write_text(PREVIOUS, encoding="utf-8")
        target.chmod(0o640)
        write_text_atomically(target, "new\n")
        assert target.read_text(encoding="utf-8") == "new\n"
        assert stat.S_IMODE(target.stat().st_mode) == 0o640

    def test_failed_flush_to_disk_leaves_the_previous_file(self, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
        target = tmp_path / "report.json"
        target.write_text(PREVIOUS, encoding="utf-8")

        def full(_: int) -> None:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

        monkeypatch.setattr(os, "fsync", full)
        with pytest.raises(OSError, match="No space left"):
            write_text_atomically(target, "new\n")
        assert target.read_text(encoding="utf-8") == PREVIOUS
        assert leftovers(tmp_path) == []

    def test_symlink_is_replaced_not_followed(self, tmp_path: Path) -> None:
        elsewhere = tmp_path / "elsewhere.txt"
        elsewhere.write_text("keep me\n", encoding="utf-8")
        link = tmp_path / "report.json"
        link.symlink_to(elsewhere)
        write_text_atomically(link, "new\n")
        assert elsewhere.read_text(encoding="utf-8") == "keep me\n"
        assert not link.is_symlink() and link.read_text(encoding="utf-8") == "new\n"

    def test_a_device_is_written_in_place_not_replaced(self) -> None:
        write_text_atomically(Path(os.devnull), "into the void\n")
        assert stat.S_ISCHR(os.stat(os.devnull).st_mode)

    def test_lone_surrogate_is_written_as_replacement_character(self, tmp_path: Path) -> None:
        target = tmp_path / "report.json"
        write_text_atomically(target, "name \ud800\n")
        assert target.read_text(encoding="utf-8") == "name \ufffd\n"


class TestFailedWrites:
    def test_report_larger_than_the_disk_allows_leaves_the_previous_one(self, tmp_path: Path) -> None:
        report = tmp_path / "report.json"
        report.write_text(PREVIOUS, encoding="utf-8")
        with file_size_limit(16 * 1024):  # a JSON report of healthy.yaml is several times that
            refusal = refused("audit", HEALTHY, "-o", report, contains=("report.json", "File too large"))
        assert refusal.stdout == ""
        assert report.read_text(encoding="utf-8") == PREVIOUS
        assert leftovers(tmp_path) == []

    def test_failed_rename_leaves_the_previous_report(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
        report = tmp_path / "report.json"
        report.write_text(PREVIOUS, encoding="utf-8")

        def broken(*_: object) -> None:
            raise OSError(errno.EIO, os.strerror(errno.EIO))

        monkeypatch.setattr(os, "replace", broken)
        code, out, err = run_main(["audit", HEALTHY, "-o", report], capsys)
        assert code == 2 and out == ""
        one_line(err, "cannot write the report", "Input/output error")
        assert report.read_text(encoding="utf-8") == PREVIOUS
        assert leftovers(tmp_path) == []

    def test_full_device_as_output_is_one_line(self, capsys: pytest.CaptureFixture[str]) -> None:
        code, _, err = run_main(["audit", HEALTHY, "-f", "json", "-o", "/dev/full"], capsys)
        assert code == 2
        one_line(err, "/dev/full", "No space left on device")
        assert stat.S_ISCHR(os.stat("/dev/full").st_mode)  # written into, never replaced

    def test_failed_plan_write_leaves_the_previous_plan(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
        plan = tmp_path / "plan.json"
        plan.write_text(PREVIOUS, encoding="utf-8")
        monkeypatch.setattr(os, "replace", _io_error)
        code, _, err = run_main(["preflight", ROTATION / "live.yaml", "--save-plan", plan], capsys)
        assert code == 2
        one_line(err, "plan.json", "cannot write the plan")
        assert plan.read_text(encoding="utf-8") == PREVIOUS
        assert leftovers(tmp_path) == []

    def test_failed_snapshot_write_leaves_the_previous_snapshot(self, snapshot: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
        before = snapshot.read_bytes()
        collected = load_snapshot(HEALTHY).snapshot
        monkeypatch.setattr(os, "replace", _io_error)
        with pytest.raises(OutputError, match="cannot write the snapshot: Input/output error"):
            write_snapshot(collected, snapshot)
        assert snapshot.read_bytes() == before
        assert leftovers(snapshot.parent) == []

    def test_snapshot_is_written_whole(self, tmp_path: Path) -> None:
        target = tmp_path / "out.json"
        write_snapshot(load_snapshot(HEALTHY).snapshot, target)
        assert load_snapshot(target).snapshot == load_snapshot(HEALTHY).snapshot
        assert leftovers(tmp_path) == []


class TestOutputOverInput:
    def test_report_over_the_snapshot_is_refused(self, snapshot: Path) -> None:
        before = snapshot.read_bytes()
        refused_in_process("audit", snapshot, "-f", "json", "-o", snapshot,
                           contains=("snapshot.yaml", "never writes over"))
        assert snapshot.read_bytes() == before

    @pytest.mark.parametrize("link", ["symlink", "hardlink"])
    def test_report_over_a_link_to_the_snapshot_is_refused(self, link: str, snapshot: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
        before = snapshot.read_bytes()
        alias = snapshot.with_name("report.json")
        alias.symlink_to(snapshot) if link == "symlink" else alias.hardlink_to(snapshot)
        code, out, err = run_main(["audit", snapshot, "-o", alias], capsys)
        assert code == 2 and out == ""
        one_line(err, "report.json", "is the snapshot this run reads")
        assert snapshot.read_bytes() == before

    @pytest.mark.parametrize(("option", "value"), [("--baseline", "base.json"), ("--waivers", "waivers.yaml")])
    def test_report_over_another_input_is_refused(self, option: str, value: str, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
        other = tmp_path / value
        other.write_text(PREVIOUS, encoding="utf-8")
        code, _, err = run_main(["audit", HEALTHY, option, other, "-f", "json", "-o", other], capsys)
        assert code == 2
        one_line(err, value, f"is the {option} file")
        assert other.read_text(encoding="utf-8") == PREVIOUS

    def test_plan_over_the_snapshot_is_refused(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        before = tmp_path / "before.yaml"
        before.write_bytes((ROTATION / "live.yaml").read_bytes())
        code, _, err = run_main(["preflight", before, "--save-plan", before], capsys)
        assert code == 2
        one_line(err, "--save-plan", "is the snapshot this run reads")
        assert before.read_bytes() == (ROTATION / "live.yaml").read_bytes()

    def test_report_over_the_plan_is_refused(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        plan = tmp_path / "plan.json"
        code, _, _ = run_main(["preflight", ROTATION / "live.yaml", "--save-plan", plan, "-q"], capsys)
        assert code == 1 and plan.exists()
        saved = plan.read_bytes()
        code, _, err = run_main(["verify", "--plan", plan, ROTATION / "after-restored.yaml", "-o", plan], capsys)
        assert code == 2
        one_line(err, "is the --plan file this run reads")
        assert plan.read_bytes() == saved

    def test_two_outputs_naming_one_file_are_refused(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        code, _, err = run_main(["audit", HEALTHY, "-f", "json", "-f", "sarif", "-o", tmp_path / "r.json",
                                 "-o", tmp_path / "sub" / ".." / "r.json"], capsys)
        assert code == 2
        one_line(err, "is the same file as")
        assert list(tmp_path.iterdir()) == []


class TestStandardOutput:
    def test_full_standard_output_is_one_line(self) -> None:
        with open("/dev/full", "wb") as full:
            done = child("audit", HEALTHY, stdout=full)
        assert done.returncode == 2
        assert done.stderr.decode() == ("mcaudit: error: cannot write the report to standard output: "
                                        "No space left on device\n")

    def test_reader_gone_ends_quietly_with_141(self) -> None:
        reader, writer = os.pipe()
        os.close(reader)  # the reader is gone before anything is written: `| head -c0`
        try:
            done = child("audit", SAMPLES / "broken.yaml", "-f", "json", stdout=writer)
        finally:
            os.close(writer)
        assert (done.returncode, done.stderr) == (141, b"")

    def test_closed_standard_output_is_one_line(self) -> None:
        done = child("audit", HEALTHY, stdout=subprocess.DEVNULL, preexec_fn=lambda: os.close(1))
        assert done.returncode == 2
        one_line(done.stderr.decode(), "cannot write the report to standard output: it is closed")

    def test_reader_gone_in_process(self, monkeypatch: pytest.MonkeyPatch,
                                    capsys: pytest.CaptureFixture[str]) -> None:
        class GoneReader:
            def write(self, _: str) -> int:
                raise BrokenPipeError(errno.EPIPE, os.strerror(errno.EPIPE))

            def flush(self) -> None:
                """Nothing buffered."""

            def isatty(self) -> bool:
                return False

        monkeypatch.setattr(sys, "stdout", GoneReader())
        with pytest.raises(SystemExit) as done:
            main(["audit", str(HEALTHY)])
        assert done.value.code == 141
        assert capsys.readouterr().err == ""


def _io_error(*_: object) -> None:
    raise OSError(errno.EIO, os.strerror(errno.EIO))
