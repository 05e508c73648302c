"""The shipped CI integrations point at things that exist: the pre-commit hook and the GitHub Actions example."""
from __future__ import annotations

import importlib
import re
import sys
from pathlib import Path

import pytest
import yaml

from vpcreach.cli.exitcodes import Exit
from vpcreach.cli.check import exit_code_for

REPO = Path(__file__).resolve().parents[2]

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


def hook() -> dict:
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    assert isinstance(hooks, list)
    return next(h for h in hooks if h["id"] == "vpcreach-check")


def test_pre_commit_hook_entry_is_a_real_console_script_and_command() -> None:
    entry = hook()["entry"].split()
    assert entry == ["vpcreach", "check"]
    scripts = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["scripts"]
    module_name, function_name = scripts[entry[0]].split(":")
    assert callable(getattr(importlib.import_module(module_name), function_name))
    from vpcreach.cli import check as _  # noqa: F401  (registers the command)
    from vpcreach.cli.main import app

    assert entry[1] in {command.name for command in app.registered_commands}


def test_pre_commit_hook_runs_once_on_all_plan_files() -> None:
    definition = hook()
    assert definition["language"] == "python"
    assert definition["pass_filenames"] is True and definition["require_serial"] is True


@pytest.mark.parametrize("path, matches", [
    ("plan.tfplan.json", True), ("infra/prod.tfplan.json", True), ("tfplan.json", True), ("envs/a/tfplan.json", True),
    ("plan.json", True), ("envs/prod/plan.out.json", True),
    ("package.json", False), ("snapshot/ec2-describe-vpcs.json", False), ("myplan.json", False),
    ("plan.tfplan", False),
])
def test_pre_commit_hook_files_pattern(path: str, matches: bool) -> None:
    assert bool(re.search(hook()["files"], path)) is matches


def test_github_actions_example_uploads_the_sarif_vpcreach_writes() -> None:
    workflow = yaml.safe_load((REPO / "docs" / "ci" / "github-actions.yml").read_text())
    steps = workflow["jobs"]["network-check"]["steps"]
    runs = [s.get("run", "") for s in steps]
    plan_step = next(i for i, r in enumerate(runs) if "terraform show -json" in r)
    check_step = next(i for i, r in enumerate(runs) if r.startswith("vpcreach check"))
    upload = next(i for i, s in enumerate(steps) if s.get("uses", "").startswith("github/codeql-action/upload-sarif"))
    assert plan_step < check_step < upload
    command = runs[check_step].split()
    plan_json = re.search(r"> (\S+)", runs[plan_step])[1]
    assert command[2] == plan_json
    assert command[command.index("--format") + 1] == "sarif"
    assert steps[upload]["with"]["sarif_file"] == command[command.index("--output") + 1]
    assert "always()" in steps[upload]["if"]  # findings exit 1, and the upload must still happen
    assert workflow["permissions"]["security-events"] == "write"


EXIT_CODES = [
    # failing findings, inconclusive intents, exit code
    (0, 0, Exit.OK),
    (2, 0, Exit.FINDINGS),
    (0, 1, Exit.INCONCLUSIVE),
    (5, 1, Exit.INCONCLUSIVE),  # an undecided gate is not an ordinary failure, even with findings
]


@pytest.mark.parametrize("failing, inconclusive, expected", EXIT_CODES)
def test_exit_code_precedence(failing: int, inconclusive: int, expected: Exit) -> None:
    assert exit_code_for(failing, inconclusive) == expected
