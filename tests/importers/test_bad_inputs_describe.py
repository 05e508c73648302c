"""Every broken describe-* input in fixtures/bad/describe/ fails with exactly the stored error lines and exit 2."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from golden import run_cli

CASES_FILE = Path(__file__).resolve().parents[2] / "fixtures" / "bad" / "describe" / "cases.yaml"
CASES = yaml.safe_load(CASES_FILE.read_text(encoding="utf-8"))["cases"]


def test_every_case_folder_or_file_is_covered():
    on_disk = {p.name for p in CASES_FILE.parent.iterdir() if p.name != CASES_FILE.name}
    covered = {Path(case["args"][-1]).name for case in CASES}
    assert on_disk == covered


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_bad_input_is_reported_exactly(case):
    result = run_cli(case["args"])
    assert result.stderr.splitlines() == case["stderr"]
    assert result.exit_code == case["exit"] == 2
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    assert all(line.startswith("error: ") for line in result.stderr.splitlines())
