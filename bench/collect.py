"""Benchmark: `mcaudit collect` against the emulator with a fixed latency on every call.

    python bench/collect.py                      # 100 ms a call, the healthy sample, 5 runs
    python bench/collect.py --latency 0.05 --reps 9 --users 2000

On a real network a collection is mostly waiting, so the figure that matters is overlap: the calls
made times the latency of each, divided by the wall time. 1.0 means one call after another; the
collectors run both sides at once and a few independent reads per side at once. Each run starts a
fresh emulator and runs the real command in this process; the table gives the median of the runs.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from mcaudit.cli import main  # noqa: E402
from mcaudit.snapshot import load_snapshot  # noqa: E402
from mcaudit.testing import Emulator, EmulatorConfig  # noqa: E402
from mcaudit.testing.scenarios import with_empty_sections, with_extra_users  # noqa: E402


def one_run(sample: Path, latency: float, users: int) -> tuple[int, float, int]:
    """(calls the emulator answered, wall seconds, exit code) of one collection."""
    source = with_empty_sections(load_snapshot(sample).snapshot)
    if users:
        source = with_extra_users(source, users)
    connector = source.salesforce.mcc_connector if source.salesforce else None
    system_user = connector.system_user.username if connector and connector.system_user else None
    with Emulator(source, EmulatorConfig(latency=latency)) as api, tempfile.TemporaryDirectory() as folder:
        args = ["collect", "-o", str(Path(folder) / "snapshot.json"),
                "--sf-login-url", api.sf_login_url, "--sf-username", "auditor@example.com",
                "--sf-password", "emulated-password", "--sf-security-token", "",
                "--mc-auth-url", api.mc_auth_url, "--mc-client-id", "emulated-client-id",
                "--mc-client-secret", "emulated-client-secret",
                *(["--sf-system-user", system_user] if system_user else [])]
        started = time.perf_counter()
        with contextlib.redirect_stderr(io.StringIO()):
            try:
                main(args)
                code = 0
            except SystemExit as done:
                code = int(done.code or 0)
        wall = time.perf_counter() - started
        return len(api.calls), wall, code


def main_bench() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=Path, default=ROOT / "samples" / "healthy.yaml")
    parser.add_argument("--latency", type=float, default=0.1, help="seconds added to every call")
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--users", type=int, default=0, help="extra users on each side")
    options = parser.parse_args()
    runs = [one_run(options.sample, options.latency, options.users) for _ in range(options.reps)]
    if any(code != 0 for _, _, code in runs):
        sys.exit(f"a collection did not complete: exit codes {[code for _, _, code in runs]}")
    calls = statistics.median(count for count, _, _ in runs)
    wall = statistics.median(seconds for _, seconds, _ in runs)
    print(f"sample {options.sample.name}, {options.users} extra users a side, {options.latency * 1000:.0f} ms a call, "
          f"{options.reps} runs")
    print(f"{'calls':>6} {'calls x latency':>16} {'wall (median)':>14} {'overlap':>8}")
    print(f"{calls:>6.0f} {calls * options.latency:>15.2f}s {wall:>13.2f}s {calls * options.latency / wall:>7.1f}x")


if __name__ == "__main__":
    main_bench()
