"""The corpus of broken inputs (fixtures/bad/<format>/): each fails through the real CLI with exactly the
stored error lines and exit 2 - one line per problem, never a traceback."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from golden import run_cli

BAD = Path(__file__).resolve().parents[2] / "fixtures" / "bad"
CASE_FILES = sorted(BAD.glob("*/cases.yaml"))


def cases():
    for case_file in CASE_FILES:
        for case in yaml.safe_load(case_file.read_text(encoding="utf-8"))["cases"]:
            yield pytest.param(case, id=f"{case_file.parent.name}: {case['name']}")


@pytest.mark.parametrize("case_file", CASE_FILES, ids=lambda p: p.parent.name)
def test_every_bad_input_on_disk_has_a_case(case_file):
    on_disk = {p.name for p in case_file.parent.iterdir() if p.name != case_file.name}
    covered = {Path(case["args"][-1]).name for case in yaml.safe_load(case_file.read_text())["cases"]}
    assert on_disk == covered


@pytest.mark.parametrize("case", list(cases()))
def test_bad_input_is_reported_exactly(case):
    result = run_cli(case["args"])
    assert result.stderr.splitlines() == case["stderr"]
    assert result.exit_code == case["exit"] == 2
    assert result.stdout == ""
    assert all(line.startswith("error: ") or line.startswith("hint: ") for line in result.stderr.splitlines())
