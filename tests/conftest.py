from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"


def run_cli(*args: str | Path, cwd: Path | None = None, env: dict[str, str] | None = None,
            timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """Run the real `mcaudit` entry point in a child process, as a user would."""
    return subprocess.run(
        [sys.executable, "-m", "mcaudit", *map(str, args)],
        capture_output=True, text=True, cwd=cwd or ROOT, env=env, timeout=timeout, check=False,
    )


@pytest.fixture
def cli():
    return run_cli


@pytest.fixture
def healthy_text() -> str:
    return (SAMPLES / "healthy.yaml").read_text(encoding="utf-8")
