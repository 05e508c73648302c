"""Every broken Terraform plan or state in fixtures/bad/terraform/ fails through the real CLI with exactly
the stored error lines and exit 2, and never a traceback."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from golden import run_cli

CASES_FILE = Path(__file__).resolve().parents[2] / "fixtures" / "bad" / "terraform" / "cases.yaml"
CASES = yaml.safe_load(CASES_FILE.read_text(encoding="utf-8"))["cases"]


def test_every_bad_file_has_a_case():
    on_disk = {p.name for p in CASES_FILE.parent.iterdir() if p.name != CASES_FILE.name}
    assert on_disk == {Path(case["args"][-1]).name for case in CASES}


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_bad_terraform_input_is_reported_exactly(case):
    result = run_cli(case["args"])
    assert result.stderr.splitlines() == case["stderr"]
    assert result.exit_code == case["exit"] == 2
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    assert all(line.startswith("error: ") for line in result.stderr.splitlines())
