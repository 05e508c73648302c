"""`vpcreach rules` lists the catalogue; `vpcreach rules CODE|NAME` explains one rule."""
from __future__ import annotations

import subprocess
import sys

import pytest

from vpcreach.checks.catalogue import load_catalogue

CATALOGUE = load_catalogue()


def vpcreach(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", "from vpcreach.cli.main import run; run()", *args],
                          capture_output=True, text=True)


def test_list_shows_code_name_severity_and_title_for_every_rule():
    result = vpcreach("rules")
    assert (result.returncode, result.stderr) == (0, "")
    lines = result.stdout.splitlines()
    assert len(lines) == len(CATALOGUE)
    assert lines[0].split(None, 3) == ["VPC001", "blackhole-route", "medium",
                                       "A route sends traffic to a target that no longer exists, so matching "
                                       "traffic is dropped."]
    assert [line.split()[0] for line in lines] == [rule.code for rule in CATALOGUE]


@pytest.mark.parametrize("selector", ["VPC006", "vpc006", "asymmetric-nacl"])
def test_explain_accepts_code_or_name(selector):
    result = vpcreach("rules", selector)
    assert (result.returncode, result.stderr) == (0, "")
    page = result.stdout
    assert page.splitlines()[1] == "# VPC006 asymmetric-nacl"
    sections = [line for line in page.splitlines() if line.startswith("## ")]
    assert sections == ["## What it does", "## Why is this bad?", "## Example", "## Use instead", "## Remediation",
                        "## References"]
    assert "Network: [`fixtures/rules/nacl-asymmetric-bad.json`](fixtures/rules/nacl-asymmetric-bad.json)" in page


def test_an_unknown_rule_is_bad_usage():
    result = vpcreach("rules", "VPC999")
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == ('error: rules: no such rule: "VPC999" (expected a rule code such as VPC001 or a name '
                             "such as blackhole-route)\nhint: `vpcreach rules` lists every rule\n")
