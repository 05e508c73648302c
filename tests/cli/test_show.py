"""`vpcreach show`: golden output for the example network, per format, and its command-line errors."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from golden import assert_golden, run_cli

GOLDEN = Path(__file__).parent / "golden"


@pytest.mark.parametrize("name, args", [
    ("show_example_text", ["show", "fixtures/example"]),
    ("show_example_json", ["show", "fixtures/example", "--format", "json"]),
    ("show_single_file_partial", ["show", "fixtures/example/aws_configs/us-east-1/RouteTables.json"]),
])
def test_show_golden(name, args):
    assert_golden(GOLDEN / f"{name}.txt", run_cli(args))


def test_show_json_is_the_sorted_model():
    result = run_cli(["show", "fixtures/example", "--format", "json"])
    model = json.loads(result.stdout)
    assert result.exit_code == 0
    assert [vpc["id"] for vpc in model["vpcs"]] == ["vpc-0ops00000000000001", "vpc-0shop0000000000001"]
    assert model["vpcs"][1]["cidrs_v4"] == ["10.0.0.0/16"]
    assert model["vpcs"][1]["origin"] == "fixtures/example/aws_configs/us-east-1/Vpcs.json#/Vpcs/0"
    assert result.stdout == json.dumps(model, indent=2, sort_keys=True) + "\n"


def test_show_output_is_deterministic():
    assert run_cli(["show", "fixtures/example"]).stdout == run_cli(["show", "fixtures/example"]).stdout


@pytest.mark.parametrize("args, stderr", [
    (["show", "fixtures/example", "--format", "xml"],
     'error: --format: unknown format: "xml" (expected text or json)\n'),
    (["show", "fixtures/no-such-folder"],
     "error: fixtures/no-such-folder: no such file or directory (expected a folder of describe-* JSON, "
     "a describe-* or Terraform plan/state .json (or .tfstate) file, or aws:[region=R,profile=P,...])\n"),
    (["show", "fixtures/example/NETWORK.md"],
     "error: fixtures/example/NETWORK.md: not a .json or .tfstate file (expected a folder of describe-* JSON, "
     "a describe-* or Terraform plan/state .json (or .tfstate) file, or aws:[region=R,profile=P,...])\n"),
])
def test_show_usage_errors(args, stderr):
    result = run_cli(args)
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", stderr)
