"""Reports for the report tests, built through the real pipeline: load -> evaluate -> render."""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from mcaudit import __version__
from mcaudit.engine import EvaluationConfig, RulePack, evaluate, load_rules
from mcaudit.findings import AuditReport, Runbook, RunbookStep, Severity
from mcaudit.snapshot import load_snapshot
from mcaudit.snapshot.model import Snapshot
from mcaudit.yamlio import load_yaml

from ..conftest import ROOT, SAMPLES

# every bundled snapshot; samples/merge holds merge files (`collect --merge`), which are not snapshots
SAMPLE_FILES = sorted(path for pattern in ("*.yaml", "*.yml", "*.json") for path in SAMPLES.rglob(pattern)
                      if path.relative_to(SAMPLES).parts[0] != "merge")


def sample_id(path: Path) -> str:
    return path.relative_to(SAMPLES).as_posix()
SCHEMAS = Path(__file__).resolve().parent / "schemas"

# hostile names: HTML/JS injection, and Markdown table/link/code injection
SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=window.__pwned=1>'
MARKDOWN = "| col | [link](javascript:alert(1)) `tick`"
HOSTILE_STRINGS = (SCRIPT, IMG, MARKDOWN)


@pytest.fixture(scope="session")
def rule_pack() -> RulePack:
    return load_rules()


def audit(pack: RulePack, *paths: Path, fail_on: Severity | None = Severity.high) -> AuditReport:
    config = EvaluationConfig(mode="audit", fail_on=fail_on)
    results = []
    for path in paths:
        loaded = load_snapshot(path)
        results.append(evaluate(loaded.snapshot, pack, config, path=loaded.path))
    return AuditReport(tool_version=__version__, command="audit", results=tuple(results))


@pytest.fixture
def make_report(rule_pack: RulePack) -> Callable[..., AuditReport]:
    def make(*paths: Path, fail_on: Severity | None = Severity.high) -> AuditReport:
        return audit(rule_pack, *paths, fail_on=fail_on)
    return make


def healthy_data() -> dict[str, Any]:
    data = load_yaml((SAMPLES / "healthy.yaml").read_text(encoding="utf-8"))
    return json.loads(json.dumps(data, default=str))  # plain JSON types: dates as ISO strings


def hostile_data() -> dict[str, Any]:
    """healthy.yaml with hostile names on the snapshot, the System User and the MC API user,
    broken so that findings about those users fail and their names reach every report."""
    data = healthy_data()
    data["name"] = f"ACME {SCRIPT}"
    system_user = f"sys{MARKDOWN}{SCRIPT}@acme.example"
    api_user = f"api{IMG}@acme.example"
    salesforce, marketing_cloud = data["salesforce"], data["marketing_cloud"]
    salesforce["users"][0]["username"] = system_user
    salesforce["users"][0]["profile_name"] = "Standard User"  # SF113 fails on the System User
    salesforce["mcc_connector"]["system_user"]["username"] = system_user
    marketing_cloud["users"][0]["username"] = api_user
    marketing_cloud["users"][0]["is_locked"] = True  # MC208 fails on the API user
    marketing_cloud["users"][0]["salesforce_integration"]["salesforce_username"] = system_user
    marketing_cloud["mcc_api_user"] = api_user
    # without its attestation MC212 becomes `manual`
    data["attestations"] = [a for a in data["attestations"] if "password_expiration" not in a["fact"]]
    return data


@pytest.fixture
def hostile_snapshot(tmp_path: Path) -> Path:
    path = tmp_path / "hostile.json"
    path.write_text(json.dumps(hostile_data(), indent=1), encoding="utf-8")
    return path


@pytest.fixture
def hostile_report(make_report: Callable[..., AuditReport], hostile_snapshot: Path) -> AuditReport:
    report = make_report(hostile_snapshot)
    subjects = " ".join(f.subject for f in report.results[0].findings if f.status.value == "fail")
    assert all(text in subjects for text in HOSTILE_STRINGS), "the hostile names must reach failing findings"
    return report


RUNBOOK = Runbook(
    impact=("Triggered send 'Welcome <b>email</b>' would stop sending", "2 journeys would fail to inject"),
    steps=(
        RunbookStep(1, "pause", "Pause the triggered send", "triggered_send", "welcome-ts",
                    None),
        RunbookStep(2, "pause", "Stop the journey version", "journey", "onboarding-v3",
                    "Stopping ejects the 1,204 contacts currently in the journey"),
        RunbookStep(3, "rotate", "Reset the MC API user's password", None, None, None),
        RunbookStep(4, "reauthenticate", "Reconnect the connector as the System User", None, None, None),
        RunbookStep(5, "restore", "Restart the triggered send", "triggered_send", "welcome-ts", None),
        RunbookStep(6, "verify", "Run mcaudit verify BEFORE AFTER", None, None, None),
    ),
    notes=("A quiet time window alone is not a substitute for pausing.",),
)


def as_preflight(report: AuditReport, runbook: Runbook = RUNBOOK) -> AuditReport:
    """The same results, shown as a preflight with a runbook (the rotation feature's shape)."""
    results = tuple(replace(result, mode="preflight", runbook=runbook) for result in report.results)
    return replace(report, command="preflight", results=results)


BENCH_PATH = "bench/out/large.json"  # where `bench/generate.py --size large -o` is usually pointed
# 1,000 users: some rules fail for a dozen users each, in a quarter of a second
SMALL_ORG = {"sf_users": 1_000, "assignments": 2_000, "mc_users": 10, "triggered_sends": 20, "journeys": 10}


def _generator() -> Any:
    spec = importlib.util.spec_from_file_location("mcaudit_bench_generate", ROOT / "bench" / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def bench_audit(pack: RulePack, sizes: dict[str, int] | None = None) -> AuditReport:
    """A snapshot of bench/generate.py audited in this process, without writing it to a file.

    Without `sizes`, the 200k-user bench snapshot (`--size large`, 93 MB as JSON): about 8 s, so
    only for tests marked slow."""
    generator = _generator()
    data = generator.generate(**(sizes or generator.SIZES["large"]))
    snapshot = Snapshot.model_validate(data)
    result = evaluate(snapshot, pack, EvaluationConfig(mode="audit", fail_on=Severity.high), path=BENCH_PATH)
    return AuditReport(tool_version=__version__, command="audit", results=(result,))


@pytest.fixture(scope="session")
def bench_report(rule_pack: RulePack) -> AuditReport:
    """The bench-size report (200k Salesforce users), built once per test process: slow tests only."""
    return bench_audit(rule_pack)


@pytest.fixture(scope="session")
def small_org_report(rule_pack: RulePack) -> AuditReport:
    """A generated org of 1,000 users where rules fail for many subjects (SF121 for 14 users)."""
    return bench_audit(rule_pack, SMALL_ORG)
