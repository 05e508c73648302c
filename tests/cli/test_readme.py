"""Every `vpcreach ...` example in the README runs and gives an answer (a README example is a test)."""
from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from golden import run_cli

README = Path(__file__).resolve().parents[2] / "README.md"
EXAMPLES = [line.split("#")[0].strip() for line in re.findall(r"^vpcreach .*$", README.read_text(), re.M)]
RUNNABLE = [e for e in EXAMPLES if "fixtures/" in e]  # the others need a plan or AWS credentials


def test_the_readme_has_runnable_examples():
    assert len(RUNNABLE) >= 5


@pytest.mark.parametrize("example", RUNNABLE)
def test_readme_example_runs(example):
    result = run_cli(shlex.split(example)[1:])
    assert result.exit_code in (0, 1), result.stderr
    assert result.stdout and not result.stderr
