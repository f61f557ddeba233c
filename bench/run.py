"""Benchmark: load + validate a snapshot alone vs. a full `mcaudit audit` (and `preflight`) on it.

    python bench/run.py                  # small (the samples) and large, YAML and JSON
    python bench/run.py --sizes large --formats json --reps 5

Each measurement runs in a fresh process (so caches, the frozen GC generation and peak memory
belong to that run alone); the table shows medians over the repetitions and the ratio of the
full command to the load alone. Generated snapshots are cached under bench/out/.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = HERE / "out"
sys.path.insert(0, str(ROOT))


def _worker(task: str, path: str) -> None:
    """Runs in a child process: time one task, print seconds and peak memory as JSON."""
    started = time.perf_counter()
    if task == "load":
        from mcaudit.snapshot import load_snapshot

        load_snapshot(path, max_bytes=2**31)
        code = 0
    else:
        from mcaudit.cli import main

        try:
            main([task, path, "--format", "json", "-o", os.devnull, "--quiet",
                  "--max-snapshot-size", "2048"])
        except SystemExit as done:
            code = int(done.code or 0)
    seconds = time.perf_counter() - started
    print(json.dumps({"seconds": seconds, "peak_mib": _peak_mib(), "exit": code}))


def _peak_mib() -> float:
    """This process's own peak resident memory. ru_maxrss is no good here: a child started by
    fork+exec inherits its parent's high-water mark, which the generator may have driven up."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _measure(task: str, path: Path, reps: int) -> tuple[float, float]:
    times, peaks = [], []
    for _ in range(reps):
        done = subprocess.run([sys.executable, __file__, "--worker", task, str(path)],
                              capture_output=True, text=True, check=False)
        if done.returncode != 0 or not done.stdout.strip():
            raise SystemExit(f"{task} {path} failed: {done.stderr.strip()[-400:]}")
        row = json.loads(done.stdout.strip().splitlines()[-1])
        if row["exit"] not in (0, 1):
            raise SystemExit(f"{task} {path} exited {row['exit']}")
        times.append(row["seconds"])
        peaks.append(row["peak_mib"])
    return statistics.median(times), max(peaks)


def _snapshot_for(size: str, fmt: str) -> Path:
    if size == "small":
        source = ROOT / "samples" / "healthy.yaml"
        if fmt == "yaml":
            return source
        target = OUT / "small.json"
        if not target.exists():
            from mcaudit.snapshot import load_snapshot

            OUT.mkdir(parents=True, exist_ok=True)
            target.write_text(load_snapshot(source).snapshot.model_dump_json(exclude_none=True))
        return target
    target = OUT / f"{size}.{fmt}"
    if not target.exists():
        from generate import SIZES, generate, write

        print(f"generating {target.relative_to(ROOT)} ...", file=sys.stderr, flush=True)
        write(generate(**SIZES[size]), target)
    return target


def _has_command(name: str) -> bool:
    from mcaudit.cli import cli

    return name in cli.commands


def main() -> None:
    parser = argparse.ArgumentParser(description="mcaudit benchmark")
    parser.add_argument("--worker", nargs=2, metavar=("TASK", "PATH"), help=argparse.SUPPRESS)
    parser.add_argument("--sizes", nargs="+", default=["small", "large"], choices=["small", "large"])
    parser.add_argument("--formats", nargs="+", default=["yaml", "json"], choices=["yaml", "json"])
    parser.add_argument("--reps", type=int, default=5, help="repetitions per measurement (median)")
    parser.add_argument("--yaml-reps", type=int, default=3, help="repetitions for the large YAML file")
    args = parser.parse_args()
    if args.worker:
        _worker(*args.worker)
        return
    sys.path.insert(0, str(HERE))
    tasks = ["audit"] + (["preflight"] if _has_command("preflight") else [])
    print(f"mcaudit benchmark: {os.cpu_count()} cores, Python {sys.version.split()[0]}, "
          f"medians of {args.reps} runs ({args.yaml_reps} for large YAML), each in a fresh process")
    header = f"{'size':<6} {'format':<6} {'MiB':>7} {'task':<10} {'median s':>9} {'ratio':>6} {'peak MiB':>9}"
    print(header)
    print("-" * len(header))
    ratio_large_json = None
    for size in args.sizes:
        for fmt in args.formats:
            path = _snapshot_for(size, fmt)
            reps = args.yaml_reps if (size == "large" and fmt == "yaml") else args.reps
            mib = path.stat().st_size / 2**20
            load_s, load_peak = _measure("load", path, reps)
            print(f"{size:<6} {fmt:<6} {mib:>7.1f} {'load':<10} {load_s:>9.3f} {'':>6} {load_peak:>9.0f}", flush=True)
            for task in tasks:
                task_s, task_peak = _measure(task, path, reps)
                ratio = task_s / load_s
                print(f"{size:<6} {fmt:<6} {mib:>7.1f} {task:<10} {task_s:>9.3f} {ratio:>6.2f} {task_peak:>9.0f}",
                      flush=True)
                if size == "large" and fmt == "json" and task == "audit":
                    ratio_large_json = ratio
    if ratio_large_json is not None:
        print(f"audit/load ratio at large JSON: {ratio_large_json:.2f}")


if __name__ == "__main__":
    main()
