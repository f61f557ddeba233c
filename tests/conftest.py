from __future__ import annotations

import gc
import io
import os
import signal
import subprocess
import sys
import threading
import traceback
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from types import FrameType

import pytest

from mcaudit.cli import main

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"

# some tests start fresh interpreters (the entry points, the capped security children); where the
# environment says not to write bytecode, each one would compile mcaudit again from source
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)


class CliTimeout(Exception):
    """An in-process run took longer than its timeout (a child process would have been killed)."""


@contextmanager
def _deadline(seconds: float) -> Iterator[None]:
    """Fail an in-process run that blocks, as subprocess.run(timeout=...) would; main thread only."""
    if threading.current_thread() is not threading.main_thread() or not seconds:
        yield
        return

    def expire(_signum: int, _frame: FrameType | None) -> None:
        raise CliTimeout(f"mcaudit did not finish within {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@contextmanager
def _environment(env: dict[str, str] | None) -> Iterator[None]:
    """os.environ replaced by `env` (as a child started with env=... sees it), then restored."""
    if env is None:
        yield
        return
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def _decoded(raw: bytes, errors: str) -> str:
    """Bytes as subprocess.run(text=True) reads them: UTF-8 with universal newlines."""
    return io.TextIOWrapper(io.BytesIO(raw), encoding="utf-8", errors=errors).read()


def run_in_process(*args: str | Path, cwd: Path | None = None, env: dict[str, str] | None = None,
                   timeout: float = 60, stdin: str | None = None,
                   errors: str = "strict") -> subprocess.CompletedProcess[str]:
    """The real entry point (mcaudit.cli.main) in this process, seen as a child process would be:
    its own standard streams (not terminals), working folder and environment, an exit code (1 and a
    traceback on stderr for an uncaught exception, as the interpreter does), and no state left
    behind. Much faster than a child: no interpreter start, no imports."""
    argv = [str(arg) for arg in args]
    out, err = io.BytesIO(), io.BytesIO()
    # as the interpreter sets them up on pipes: strict standard output, backslashreplace on stderr
    stdout = io.TextIOWrapper(out, encoding="utf-8", errors="strict")
    stderr = io.TextIOWrapper(err, encoding="utf-8", errors="backslashreplace", line_buffering=True)
    stdin_stream = io.TextIOWrapper(io.BytesIO((stdin or "").encode()), encoding="utf-8")
    saved = sys.stdin, sys.stdout, sys.stderr
    here = Path.cwd()
    code: int
    try:
        with _environment(env):
            os.chdir(cwd or ROOT)
            sys.stdin, sys.stdout, sys.stderr = stdin_stream, stdout, stderr
            try:
                with _deadline(timeout):
                    main(argv)
                code = 0
            except SystemExit as done:
                if done.code is None or isinstance(done.code, int):
                    code = done.code or 0
                else:
                    print(done.code, file=sys.stderr)
                    code = 1
            except (KeyboardInterrupt, CliTimeout):
                raise
            except BaseException:  # what the interpreter does with an uncaught exception
                traceback.print_exc(file=sys.stderr)
                code = 1
            for stream in (sys.stdout, sys.stderr):
                with suppress(OSError, ValueError):
                    stream.flush()
    finally:
        sys.stdin, sys.stdout, sys.stderr = saved
        os.chdir(here)
        gc.unfreeze()  # the command freezes what it built (mcaudit.gcpause): a child would exit instead
    return subprocess.CompletedProcess(argv, code, _decoded(out.getvalue(), errors),
                                       _decoded(err.getvalue(), errors))


def run_cli(*args: str | Path, cwd: Path | None = None, env: dict[str, str] | None = None,
            timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """Run `mcaudit ARGS` as a user would, in this process (see run_in_process); use
    run_cli_process for what only a child shows (the entry point itself, closed descriptors)."""
    return run_in_process(*args, cwd=cwd, env=env, timeout=timeout)


def run_cli_process(*args: str | Path, cwd: Path | None = None, env: dict[str, str] | None = None,
                    timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """Run the real `mcaudit` entry point in a child process (`python -m mcaudit`)."""
    return subprocess.run(
        [sys.executable, "-m", "mcaudit", *map(str, args)],
        capture_output=True, text=True, cwd=cwd or ROOT, env=env, timeout=timeout, check=False,
    )


@pytest.fixture(autouse=True)
def _no_columns(monkeypatch: pytest.MonkeyPatch) -> None:
    """The console's width follows COLUMNS; a developer's exported COLUMNS must not change a test."""
    monkeypatch.delenv("COLUMNS", raising=False)


@pytest.fixture
def cli():
    return run_cli


@pytest.fixture
def healthy_text() -> str:
    return (SAMPLES / "healthy.yaml").read_text(encoding="utf-8")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", default=False,
                     help="rewrite the golden file of tests/test_samples.py instead of comparing with it")


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))
