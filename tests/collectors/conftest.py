"""Fixtures for collection tests: an emulator per test, and `mcaudit collect` run against it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from mcaudit.cli import main
from mcaudit.engine import EvaluationConfig, evaluate, load_rules
from mcaudit.snapshot import Snapshot, load_snapshot
from mcaudit.testing import Emulator, EmulatorConfig
from mcaudit.testing.scenarios import with_empty_sections

from ..conftest import SAMPLES

SF_USERNAME = "auditor@example.com"
SF_PASSWORD = "emulated-password"
MC_CLIENT_ID = "emulated-client-id"
MC_CLIENT_SECRET = "emulated-client-secret"
# short enough that a slow answer times out quickly; backoff that does not slow the suite
FAST = ["--timeout", "0.5", "--backoff-base", "0.001", "--retry-after-cap", "0.01"]


@dataclass(frozen=True)
class Outcome:
    exit_code: int
    stdout: str
    stderr: str
    snapshot: Snapshot | None


def sample(name: str) -> Snapshot:
    return load_snapshot(SAMPLES / name).snapshot


@pytest.fixture
def healthy() -> Snapshot:
    return with_empty_sections(sample("healthy.yaml"))


@pytest.fixture
def serve() -> Iterator[object]:
    """serve(snapshot, **config) -> a started Emulator, stopped after the test."""
    started: list[Emulator] = []

    def start(snapshot: Snapshot, **config: object) -> Emulator:
        emulator = Emulator(snapshot, EmulatorConfig(**config)).start()  # type: ignore[arg-type]
        started.append(emulator)
        return emulator

    yield start
    for emulator in started:
        emulator.stop()


def collect_args(api: Emulator, source: Snapshot, output: Path, *extra: str,
                 name_system_user: bool = True) -> list[str]:
    """The command line of a collection from this emulator, naming the source's System User (which
    no API holds) as an admin would, unless `name_system_user` is False."""
    api_user = source.marketing_cloud.mcc_api_user if source.marketing_cloud else None
    connector = source.salesforce.mcc_connector if source.salesforce else None
    system_user = connector.system_user.username if connector and connector.system_user else None
    named = ["--sf-system-user", system_user] if system_user and name_system_user else []
    return ["collect", "-o", str(output), *named,
            "--sf-login-url", api.sf_login_url, "--sf-username", SF_USERNAME, "--sf-password", SF_PASSWORD,
            "--sf-security-token", "",
            "--mc-auth-url", api.mc_auth_url, "--mc-client-id", MC_CLIENT_ID, "--mc-client-secret", MC_CLIENT_SECRET,
            *(["--mc-api-user", api_user] if api_user else []), *FAST, *extra]


def run_main(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """The real CLI entry point, in this process (fast), with its exit code."""
    with pytest.raises(SystemExit) as done:
        main(args)
    captured = capsys.readouterr()
    return int(done.value.code or 0), captured.out, captured.err


def collect(api: Emulator, source: Snapshot, output: Path, capsys: pytest.CaptureFixture[str],
            *extra: str, name_system_user: bool = True) -> Outcome:
    code, out, err = run_main(collect_args(api, source, output, *extra, name_system_user=name_system_user), capsys)
    snapshot = load_snapshot(output).snapshot if output.exists() else None
    return Outcome(code, out, err, snapshot)


def statuses(snapshot: Snapshot, mode: str) -> dict[tuple[str, str], str]:
    """(rule id, subject) -> status: what an audit concludes, independent of wording."""
    config = EvaluationConfig(mode=mode, attestation_max_age_days=100_000)
    return {(f.rule_id, f.subject): f.status.value for f in evaluate(snapshot, load_rules(()), config).findings}


def comparable(snapshot: Snapshot | None) -> dict[str, object]:
    """A collected snapshot without what differs between any two runs (time, addresses, call counts)."""
    assert snapshot is not None
    data = snapshot.model_dump(mode="json", exclude={"collected_at", "collection"})
    for section, key in (("salesforce", "instance_url"), ("marketing_cloud", "endpoints")):
        if data.get(section):
            data[section].pop(key, None)
    return data
