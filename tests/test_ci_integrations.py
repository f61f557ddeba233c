"""The CI recipes: the GitHub Action's scripts, the pre-commit hook, and the documentation snippets
of both, which are the example files these tests run (so the README cannot show a recipe that
does not work)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from .conftest import ROOT, SAMPLES

ACTION = ROOT / "action.yml"
RUN_SCRIPT = ROOT / "action" / "run.py"
INSTALL_SCRIPT = ROOT / "action" / "install.sh"
HOOKS = ROOT / ".pre-commit-hooks.yaml"
WORKFLOW_EXAMPLE = ROOT / "docs" / "examples" / "github-workflow.yml"
PRE_COMMIT_EXAMPLE = ROOT / "docs" / "examples" / "pre-commit-config.yaml"
EXAMPLE_REPO_URL = "https://github.com/YOUR-ORG/mcaudit"
EXAMPLE_REV = "v0.1.0"

# waives every failure of samples/broken.yaml (its failing rules are all SF... or MC...)
WAIVERS = """\
waivers:
  - rule: SF
    reason: accepted for the pre-commit test
  - rule: MC
    reason: accepted for the pre-commit test
"""


def _yaml(path: Path) -> Any:
    return YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8"))


def _hook() -> dict[str, Any]:
    hooks = _yaml(HOOKS)
    assert [hook["id"] for hook in hooks] == ["mcaudit"]
    return dict(hooks[0])


# --- documentation: the snippets are the example files, and they fit the action and the hook ---

@pytest.mark.parametrize("doc", ["README.md", "docs/guides/ci.md"])
@pytest.mark.parametrize("example", [WORKFLOW_EXAMPLE, PRE_COMMIT_EXAMPLE], ids=lambda p: p.name)
def test_the_docs_show_each_example_file_verbatim(doc: str, example: Path) -> None:
    text = (ROOT / doc).read_text(encoding="utf-8")
    assert f"```yaml\n{example.read_text(encoding='utf-8')}```" in text


def test_the_example_workflow_uses_the_action_with_inputs_it_declares() -> None:
    declared = _yaml(ACTION)["inputs"]
    steps = _yaml(WORKFLOW_EXAMPLE)["jobs"]["audit"]["steps"]
    ours = [step for step in steps if step.get("uses", "").startswith("YOUR-ORG/mcaudit@")]
    assert len(ours) == 1
    given = set(ours[0]["with"])
    assert given <= set(declared)
    assert {name for name, spec in declared.items() if spec.get("required")} <= given
    assert steps[0]["uses"].startswith("actions/checkout@")
    upload = steps[-1]
    assert upload["uses"].startswith("github/codeql-action/upload-sarif@")
    assert upload["with"]["sarif_file"] == ours[0]["with"]["sarif"]
    assert "always()" in upload["if"]


def test_the_action_passes_every_input_to_its_script_as_an_environment_variable() -> None:
    action = _yaml(ACTION)
    assert action["runs"]["using"] == "composite"
    install, audit = action["runs"]["steps"]
    assert "action/install.sh" in install["run"]
    assert "action/run.py" in audit["run"]
    assert "${{" not in install["run"] + audit["run"]  # inputs never pasted into a shell command
    for name in ("snapshots", "fail-on", "waivers", "sarif"):
        variable = "INPUT_" + name.upper().replace("-", "_")
        assert audit["env"][variable] == f"${{{{ inputs.{name} }}}}"
        assert variable in RUN_SCRIPT.read_text(encoding="utf-8")
    assert audit["env"]["MCAUDIT_ACTION_PYTHON"] == "${{ steps.install.outputs.python }}"
    assert action["outputs"]["exit-code"]["value"] == "${{ steps.audit.outputs.exit-code }}"


def test_the_example_pre_commit_entry_names_the_hook() -> None:
    (repo,) = _yaml(PRE_COMMIT_EXAMPLE)["repos"]
    assert repo["repo"] == EXAMPLE_REPO_URL
    assert repo["rev"] == EXAMPLE_REV
    assert [hook["id"] for hook in repo["hooks"]] == [_hook()["id"]]


def test_the_hook_runs_mcaudit_audit_once_on_the_changed_files() -> None:
    hook = _hook()
    assert hook["entry"] == "mcaudit audit"
    assert hook["language"] == "python"
    assert hook["pass_filenames"] is True
    assert hook["require_serial"] is True


@pytest.mark.parametrize(("path", "is_snapshot"), [
    ("snapshots/org.yaml", True),
    ("snapshots/prod/org.yml", True),
    ("config/snapshots/org.json", True),
    ("acme.mcaudit.yaml", True),
    ("config/acme.mcaudit.json", True),
    ("waivers.yaml", False),
    ("snapshots/README.md", False),
    ("my-snapshots/org.yaml", False),
    ("acme.yaml", False),
])
def test_the_hook_files_pattern(path: str, is_snapshot: bool) -> None:
    # pre-commit matches `files` with re.search on the path relative to the repository root
    assert bool(re.search(_hook()["files"], path)) is is_snapshot


# --- the action's audit script, run as the composite action runs it ---

def _run_action(tmp_path: Path, **inputs: str) -> tuple[subprocess.CompletedProcess[str], Path, Path]:
    summary, outputs = tmp_path / "step-summary.md", tmp_path / "github-output.txt"
    env = {key: value for key, value in os.environ.items() if not key.startswith(("INPUT_", "GITHUB_"))}
    env |= {"GITHUB_STEP_SUMMARY": str(summary), "GITHUB_OUTPUT": str(outputs)}
    env |= {f"INPUT_{name.upper()}": value for name, value in inputs.items()}
    done = subprocess.run([sys.executable, str(RUN_SCRIPT)], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=120, check=False)
    return done, summary, outputs


def test_the_action_fails_on_a_broken_snapshot_with_summary_and_sarif(tmp_path: Path) -> None:
    shutil.copy(SAMPLES / "broken.yaml", tmp_path / "org.yaml")
    done, summary, outputs = _run_action(tmp_path, snapshots="org.yaml", sarif="reports/mcaudit.sarif")
    assert done.returncode == 1, done.stderr
    assert "FAIL" in done.stdout  # the console report goes to the job log
    markdown = summary.read_text(encoding="utf-8")
    assert markdown.startswith("## ❌ FAIL: Connection audit of Globex production (drifted)")
    assert "| Status | Severity | Rule | Finding | Subjects |" in markdown
    sarif = json.loads((tmp_path / "reports" / "mcaudit.sarif").read_text(encoding="utf-8"))
    assert sarif["version"] == "2.1.0"
    assert {result["ruleId"] for result in sarif["runs"][0]["results"]} >= {"SF106", "MC213"}
    assert outputs.read_text(encoding="utf-8") == "exit-code=1\n"


def test_the_action_passes_a_healthy_snapshot_and_writes_no_sarif_unless_asked(tmp_path: Path) -> None:
    summary = tmp_path / "step-summary.md"
    summary.write_text("earlier step\n", encoding="utf-8")
    done, summary, outputs = _run_action(tmp_path, snapshots=str(SAMPLES / "healthy.yaml"))
    assert done.returncode == 0, done.stderr
    markdown = summary.read_text(encoding="utf-8")
    assert markdown.startswith("earlier step\n## ✅ PASS")  # appended, as GitHub asks
    assert not list(tmp_path.rglob("*.sarif"))
    assert outputs.read_text(encoding="utf-8") == "exit-code=0\n"


def test_the_action_audits_several_snapshots_from_a_glob_with_fail_on_and_waivers(tmp_path: Path) -> None:
    (tmp_path / "snapshots").mkdir()
    shutil.copy(SAMPLES / "broken.yaml", tmp_path / "snapshots" / "broken.yaml")
    shutil.copy(SAMPLES / "healthy.yaml", tmp_path / "snapshots" / "healthy.yaml")
    done, summary, _ = _run_action(tmp_path, snapshots="snapshots/*.yaml\n", fail_on="critical")
    assert done.returncode == 1
    assert "# mcaudit audit: 2 snapshots" in summary.read_text(encoding="utf-8")
    (tmp_path / "waivers.yaml").write_text(WAIVERS, encoding="utf-8")
    done, _, outputs = _run_action(tmp_path, snapshots="snapshots/*.yaml", waivers="waivers.yaml")
    assert done.returncode == 0, done.stdout + done.stderr
    assert outputs.read_text(encoding="utf-8").splitlines()[-1] == "exit-code=0"  # appended after the first run


def test_the_action_keeps_the_exit_code_of_bad_input(tmp_path: Path) -> None:
    done, _, outputs = _run_action(tmp_path, snapshots="snapshots/*.yaml")  # matches nothing
    assert done.returncode == 2
    assert "snapshots/*.yaml" in done.stderr
    assert outputs.read_text(encoding="utf-8") == "exit-code=2\n"
    done, _, _ = _run_action(tmp_path, snapshots="  \n")
    assert done.returncode == 2
    assert "the input `snapshots` is empty" in done.stderr


@pytest.mark.slow
def test_the_action_install_script_installs_a_working_mcaudit(tmp_path: Path) -> None:
    """Step 1 then step 2, as on a runner: pip installs the action's folder into a fresh virtual
    environment (network: PyPI), whose Python then runs the audit script."""
    if not shutil.which("bash"):
        pytest.skip("needs bash")
    outputs = tmp_path / "github-output.txt"
    env = {key: value for key, value in os.environ.items() if not key.startswith(("INPUT_", "GITHUB_"))}
    env |= {"GITHUB_ACTION_PATH": str(ROOT), "RUNNER_TEMP": str(tmp_path), "GITHUB_OUTPUT": str(outputs),
            "MCAUDIT_ACTION_PYTHON": sys.executable}
    done = subprocess.run(["bash", str(INSTALL_SCRIPT)], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=600, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    (line,) = outputs.read_text(encoding="utf-8").splitlines()
    python = line.removeprefix("python=")
    assert Path(python).is_relative_to(tmp_path)
    env |= {"INPUT_SNAPSHOTS": str(SAMPLES / "broken.yaml"), "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md")}
    done = subprocess.run([python, str(RUN_SCRIPT)], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 1, done.stderr
    assert "FAIL" in (tmp_path / "summary.md").read_text(encoding="utf-8")


# --- the pre-commit hook, installed by pre-commit itself ---

GIT_IDENTITY = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid",
                "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.invalid"}


def _git(*args: str, cwd: Path) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True,
                          env=os.environ | GIT_IDENTITY).stdout


def _working_tree_as_a_repository(target: Path) -> str:
    """A clone of ROOT with the working tree's changes committed on top; returns that commit.
    `pre-commit try-repo ROOT` would commit only staged and modified tracked files, so a new file
    not yet added to git (this very hook file, in a fresh change) would be missing from it."""
    _git("clone", "--quiet", str(ROOT), str(target), cwd=ROOT)
    changed = _git("ls-files", "-z", "--modified", "--others", "--exclude-standard", cwd=ROOT).split("\0")
    for name in filter(None, changed):
        source, copy = ROOT / name, target / name
        if source.is_file():
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, copy)
        elif copy.exists():  # deleted in the working tree
            copy.unlink()
    _git("add", "--all", cwd=target)
    _git("commit", "--quiet", "--allow-empty", "--no-verify", "-m", "working tree", cwd=target)
    return _git("rev-parse", "HEAD", cwd=target).strip()


def _pre_commit(*args: str, cwd: Path, home: Path) -> subprocess.CompletedProcess[str]:
    env = os.environ | GIT_IDENTITY | {"PRE_COMMIT_HOME": str(home), "PRE_COMMIT_COLOR": "never"}
    return subprocess.run([sys.executable, "-m", "pre_commit", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=900, check=False)


@pytest.mark.slow
def test_the_pre_commit_hook_fails_a_broken_snapshot_and_passes_once_waived(tmp_path: Path) -> None:
    """pre-commit installs this repository into a virtual environment of its own (pip, network:
    PyPI) twice: once for try-repo, once for the documented entry with its waivers argument."""
    pytest.importorskip("pre_commit")
    if not shutil.which("git"):
        pytest.skip("needs git")
    mcaudit_repo, project, home = tmp_path / "mcaudit", tmp_path / "project", tmp_path / "pre-commit-home"
    rev = _working_tree_as_a_repository(mcaudit_repo)
    project.mkdir()
    _git("init", "--quiet", cwd=project)
    (project / "snapshots").mkdir()
    shutil.copy(SAMPLES / "broken.yaml", project / "snapshots" / "org.yaml")
    (project / "waivers.yaml").write_text(WAIVERS, encoding="utf-8")  # outside the pattern: not a snapshot
    _git("add", "--all", cwd=project)

    tried = _pre_commit("try-repo", str(mcaudit_repo), "mcaudit", "--ref", rev, "--all-files", cwd=project, home=home)
    assert tried.returncode == 1, tried.stdout + tried.stderr
    assert re.search(r"mcaudit \(Marketing Cloud Connect snapshots\)\.+Failed", tried.stdout), tried.stdout
    assert "snapshots/org.yaml" in tried.stdout
    assert "SF106" in tried.stdout

    config = PRE_COMMIT_EXAMPLE.read_text(encoding="utf-8")
    config = config.replace(EXAMPLE_REPO_URL, str(mcaudit_repo)).replace(f"rev: {EXAMPLE_REV}", f"rev: {rev}")
    (tmp_path / "pre-commit-config.yaml").write_text(config, encoding="utf-8")
    waived = _pre_commit("run", "--config", str(tmp_path / "pre-commit-config.yaml"), "--all-files",
                         cwd=project, home=home)
    assert waived.returncode == 0, waived.stdout + waived.stderr
    assert re.search(r"mcaudit \(Marketing Cloud Connect snapshots\)\.+Passed", waived.stdout), waived.stdout
