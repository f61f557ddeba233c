"""Step 2 of the mcaudit GitHub Action: audit the snapshots and keep mcaudit's exit code.

GitHub does not hand a composite action's inputs to its scripts, so action.yml passes them as
environment variables named as GitHub names them for other actions (INPUT_SNAPSHOTS,
INPUT_FAIL_ON, INPUT_WAIVERS, INPUT_SARIF). The console report goes to the job log, the
Markdown report is appended to $GITHUB_STEP_SUMMARY, SARIF is written to INPUT_SARIF when one is
given, and `exit-code` is set as a step output. Run it with the Python that has mcaudit installed;
a test runs it exactly so. Standard library only: it runs before anything else is known to work.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path


def snapshot_paths(spec: str) -> list[str]:
    """Paths separated by spaces or new lines; a glob pattern expands (sorted), or stays as given
    when it matches nothing, so that mcaudit reports the missing file (exit 2)."""
    paths: list[str] = []
    for item in spec.split():
        matches = sorted(glob.glob(item, recursive=True)) if glob.has_magic(item) else []
        paths.extend(matches or [item])
    return paths


def audit_command(env: Mapping[str, str], workdir: Path) -> list[str]:
    """The mcaudit command line; the Markdown (and SARIF) go to files in workdir whose
    extensions name their format, the console report to standard output."""
    command = [sys.executable, "-m", "mcaudit", "audit", *snapshot_paths(env.get("INPUT_SNAPSHOTS", ""))]
    command += ["--fail-on", env.get("INPUT_FAIL_ON") or "high"]
    if env.get("INPUT_WAIVERS"):
        command += ["--waivers", env["INPUT_WAIVERS"]]
    command += ["--format", "console", "--format", "markdown", "--output", str(workdir / "summary.md")]
    if env.get("INPUT_SARIF"):
        command += ["--format", "sarif", "--output", str(workdir / "mcaudit.sarif")]
    return command


def publish(env: Mapping[str, str], workdir: Path, exit_code: int) -> None:
    """Hand the reports to GitHub: step summary (appended, as GitHub asks), SARIF, step output."""
    summary = workdir / "summary.md"
    if env.get("GITHUB_STEP_SUMMARY") and summary.is_file():
        with open(env["GITHUB_STEP_SUMMARY"], "a", encoding="utf-8") as out:
            out.write(summary.read_text(encoding="utf-8"))
    sarif = workdir / "mcaudit.sarif"
    if env.get("INPUT_SARIF") and sarif.is_file():
        target = Path(env["INPUT_SARIF"])
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(sarif, target)
    if env.get("GITHUB_OUTPUT"):
        with open(env["GITHUB_OUTPUT"], "a", encoding="utf-8") as out:
            out.write(f"exit-code={exit_code}\n")


def main(env: Mapping[str, str] = os.environ) -> int:
    if not env.get("INPUT_SNAPSHOTS", "").strip():
        print("mcaudit action: error: the input `snapshots` is empty", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="mcaudit-action-") as tmp:
        workdir = Path(tmp)
        exit_code = subprocess.run(audit_command(env, workdir), check=False).returncode
        publish(env, workdir, exit_code)
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
