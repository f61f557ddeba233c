"""Canary secrets go in through flags and environment variables; none comes out anywhere: not on
stdout or stderr (also with --debug), not in the snapshot, not in any report of it."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest

from mcaudit.testing import MarketingCloudLogin, SalesforceLogin
from mcaudit.testing.scenarios import with_empty_sections

from ..conftest import run_cli, run_cli_process
from .conftest import FAST, sample


def canary(name: str) -> str:
    return f"canary-{name}-{uuid.uuid4().hex}"


@pytest.fixture
def secrets() -> dict[str, str]:
    return {"password": canary("sf-password"), "token": canary("sf-token"), "client_secret": canary("mc-secret")}


def leaked(texts: list[str], values: list[str]) -> list[str]:
    return [value for value in values for text in texts if value in text]


@pytest.mark.parametrize("how", ["flags", "environment with --debug"])
def test_no_secret_reaches_any_output(how: str, secrets: dict[str, str], serve, tmp_path: Path) -> None:
    source = with_empty_sections(sample("broken.yaml"))
    api = serve(source, salesforce=SalesforceLogin(password=secrets["password"], security_token=secrets["token"]),
                marketing_cloud=MarketingCloudLogin(client_secret=secrets["client_secret"]))
    output = tmp_path / "snapshot.yaml"
    common = ["collect", "-o", output, "--sf-login-url", api.sf_login_url, "--sf-username", "auditor@example.com",
              "--mc-auth-url", api.mc_auth_url, "--mc-client-id", "emulated-client-id", *FAST]
    env = {**os.environ}
    if how == "flags":
        args = [*common, "--sf-password", secrets["password"], "--sf-security-token", secrets["token"],
                "--mc-client-secret", secrets["client_secret"]]
    else:
        args = ["--debug", *common]
        env.update(MCAUDIT_SF_PASSWORD=secrets["password"], MCAUDIT_SF_SECURITY_TOKEN=secrets["token"],
                   MCAUDIT_MC_CLIENT_SECRET=secrets["client_secret"])
    # through the environment in a child process: what reaches its real descriptors, not just sys.stderr
    done = (run_cli if how == "flags" else run_cli_process)(*args, env=env)
    assert done.returncode == 0, done.stderr
    if how != "flags":
        assert " -> 200 in " in done.stderr  # --debug really logged every call
    reports = [tmp_path / f"report.{suffix}" for suffix in ("txt", "json", "md", "html", "sarif", "xml")]
    audit = run_cli("audit", output, "--fail-on", "never", *[arg for report in reports for arg in ("-o", report)])
    assert audit.returncode == 0, audit.stderr
    issued = api.salesforce.issued_sessions + api.marketing_cloud.issued_tokens
    texts = [done.stdout, done.stderr, output.read_text(encoding="utf-8"), audit.stdout, audit.stderr,
             *(report.read_text(encoding="utf-8") for report in reports)]
    assert issued and all("SF102" in text for text in texts[-len(reports):])
    assert leaked(texts, [*secrets.values(), *issued]) == []


def test_refused_login_does_not_echo_the_password(secrets: dict[str, str], serve, tmp_path: Path) -> None:
    source = with_empty_sections(sample("healthy.yaml"))
    api = serve(source)
    output = tmp_path / "snapshot.json"
    done = run_cli("--debug", "collect", "-o", output, "--only", "sf", "--sf-login-url", api.sf_login_url,
                   "--sf-username", "auditor@example.com", "--sf-password", secrets["password"],
                   "--sf-security-token", secrets["token"], *FAST)
    assert done.returncode == 3
    assert "INVALID_LOGIN" in done.stderr and "Traceback" not in done.stderr
    assert leaked([done.stdout, done.stderr, output.read_text(encoding="utf-8")], list(secrets.values())) == []
