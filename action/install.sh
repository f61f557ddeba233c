#!/usr/bin/env bash
# Step 1 of the mcaudit GitHub Action: install mcaudit from the action's own checkout into a
# virtual environment of its own (the runner's Python may be externally managed, PEP 668, and the
# job's other packages stay untouched). Prints the environment's Python as the step output `python`.
#   MCAUDIT_ACTION_PYTHON  interpreter that creates the environment (default python3)
#   GITHUB_ACTION_PATH     the action's folder (set by GitHub); RUNNER_TEMP  where the environment goes
set -euo pipefail

action_path="${GITHUB_ACTION_PATH:?GITHUB_ACTION_PATH is not set}"
venv="${RUNNER_TEMP:-${TMPDIR:-/tmp}}/mcaudit-venv"

"${MCAUDIT_ACTION_PYTHON:-python3}" -m venv "$venv"
if [[ -x "$venv/bin/python" ]]; then python="$venv/bin/python"; else python="$venv/Scripts/python.exe"; fi
"$python" -m pip install --quiet --disable-pip-version-check "$action_path"
"$python" -m mcaudit --version

echo "python=$python" >> "${GITHUB_OUTPUT:-/dev/stdout}"
