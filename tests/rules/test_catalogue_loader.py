"""Loading rule folders: schema errors with exact lines, user folders, duplicates, and the crash-safe runner."""
from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml

from vpcreach.checks.catalogue import CRASH_CODE, load_catalogue, run_rules
from vpcreach.errors import InputError
from vpcreach.model import Network, Origin, RouteTable

REPO_ROOT = Path(__file__).resolve().parents[2]
VALID = yaml.safe_load((REPO_ROOT / "rules" / "VPC035-unattached-internet-gateway.yaml").read_text())


def write_rule(folder: Path, data: dict, file_name: str | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / (file_name or f"{data['code']}-{data['name']}.yaml")
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def user_rule(**changes) -> dict:
    data = {**VALID, "code": "VPC900", "name": "custom-unattached-igw", **changes}
    return {k: v for k, v in data.items() if v is not None}


def problems(extra: list[str]) -> list[str]:
    with pytest.raises(InputError) as caught:
        load_catalogue(extra)
    return [p.line() for p in caught.value.problems]


def test_a_user_folder_adds_its_rules(tmp_path):
    write_rule(tmp_path, user_rule())
    codes = [r.code for r in load_catalogue([str(tmp_path)])]
    assert "VPC900" in codes and codes == sorted(codes)
    assert next(r for r in load_catalogue([str(tmp_path)]) if r.code == "VPC900").path == \
        f"{tmp_path}/VPC900-custom-unattached-igw.yaml"


BAD_FIELDS = [
    ("bad-severity", {"severity": "urgent"},
     '#/severity: not an allowed value: "urgent" (expected one of info, low, medium, high, critical)'),
    ("bad-code", {"code": "VPC9"},
     '#/code: does not match the required pattern: "VPC9" (expected text matching ^VPC[0-9]{3}$)'),
    ("missing-title", {"title": None}, ': missing required field: "title"'),
    ("unknown-field", {"severty": "low"},
     '#/severty: unknown field: "severty" (expected one of code, name, title, severity, rationale, remediation, '
     'references, check, params, examples)'),
    ("wrong-type", {"references": "https://example.com"},
     '#/references: wrong type: "https://example.com" (expected a list)'),
    ("bad-url", {"references": [{"title": "AWS docs", "url": "http://example.com"}]},
     '#/references/0/url: does not match the required pattern: "http://example.com" (expected text matching ^https://)'),
]


@pytest.mark.parametrize("changes, expected", [pytest.param(c, e, id=i) for i, c, e in BAD_FIELDS])
def test_schema_errors_name_the_file_and_pointer(tmp_path, changes, expected):
    data = user_rule(**changes)
    path = write_rule(tmp_path, data, "VPC900-custom-unattached-igw.yaml")
    assert problems([str(tmp_path)]) == [f"{path}{expected}"]


def test_every_problem_in_a_folder_is_reported_together(tmp_path):
    write_rule(tmp_path, user_rule(severity="urgent"), "VPC900-a.yaml")
    write_rule(tmp_path, user_rule(code="VPC901", title="short"), "VPC901-b.yaml")
    assert problems([str(tmp_path)]) == [
        f'{tmp_path}/VPC900-a.yaml#/severity: not an allowed value: "urgent" '
        "(expected one of info, low, medium, high, critical)",
        f'{tmp_path}/VPC901-b.yaml#/title: too short: "short" (expected at least 10 characters)',
    ]


def test_codes_must_be_unique_across_folders(tmp_path):
    write_rule(tmp_path, user_rule(code="VPC001"))
    assert problems([str(tmp_path)]) == [
        f'{tmp_path}/VPC001-custom-unattached-igw.yaml: duplicate rule code, already used by '
        'rules/VPC001-blackhole-route.yaml: "VPC001" (expected a code unique across all rule folders)']


def test_the_file_name_must_match_code_and_name(tmp_path):
    write_rule(tmp_path, user_rule(), "custom.yaml")
    assert problems([str(tmp_path)]) == [
        f'{tmp_path}/custom.yaml: file name does not match the rule\'s code and name: "custom.yaml" '
        "(expected VPC900-custom-unattached-igw.yaml)"]


def test_the_check_must_be_importable(tmp_path):
    write_rule(tmp_path, user_rule(check="vpcreach.checks.routing:no_such_check"))
    [line] = problems([str(tmp_path)])
    assert line.startswith(f"{tmp_path}/VPC900-custom-unattached-igw.yaml#/check: cannot import the check "
                           "(AttributeError: ")
    assert line.endswith(': "vpcreach.checks.routing:no_such_check" '
                         "(expected module:function naming a function in an importable module)")


def test_params_must_fit_the_check(tmp_path):
    write_rule(tmp_path, user_rule(params={"ports": [22]}))
    [line] = problems([str(tmp_path)])
    assert line.startswith(f"{tmp_path}/VPC900-custom-unattached-igw.yaml#/params: not accepted by "
                           "vpcreach.checks.routing:unattached_internet_gateways (")
    assert line.endswith('): {"ports": [22]} (expected the keyword parameters the check function takes)')


def test_yaml_syntax_errors_give_line_and_column(tmp_path):
    (tmp_path / "VPC900-x.yaml").write_text("code: VPC900\nname: [unclosed\n")
    [line] = problems([str(tmp_path)])
    assert line.startswith(f"{tmp_path}/VPC900-x.yaml:3:1: not valid YAML: ")


def test_a_good_example_must_not_list_hits(tmp_path):
    examples = {"bad": VALID["examples"]["bad"], "good": VALID["examples"]["bad"]}
    write_rule(tmp_path, user_rule(examples=examples))
    assert problems([str(tmp_path)]) == [
        f"{tmp_path}/VPC900-custom-unattached-igw.yaml#/examples/good/hits: a good example must have no hits: 1 "
        "(expected an empty list)"]


def test_a_missing_folder_is_an_error(tmp_path):
    assert problems([str(tmp_path / "nope")]) == [
        f"{tmp_path}/nope: no such rules folder (expected a folder of <CODE>-<name>.yaml rule files)"]


def test_a_bad_rules_folder_exits_2_with_one_line_per_problem(tmp_path):
    write_rule(tmp_path, user_rule(severity="urgent"))
    result = subprocess.run([sys.executable, "-c", "from vpcreach.cli.main import run; run()", "rules",
                             "--rules", str(tmp_path)], capture_output=True, text=True, cwd=tmp_path)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == (f'error: {tmp_path}/VPC900-custom-unattached-igw.yaml#/severity: not an allowed value: '
                             '"urgent" (expected one of info, low, medium, high, critical)\n')


# ---------------------------------------------------------------- running


def test_a_crashing_rule_becomes_a_finding_and_the_others_still_run(tmp_path):
    (tmp_path / "crashy.py").write_text(textwrap.dedent("""
        def check(ctx):
            raise KeyError("rtb-missing")
    """))
    sys.path.insert(0, str(tmp_path))
    try:
        write_rule(tmp_path, user_rule(check="crashy:check"))
        rules = [r for r in load_catalogue([str(tmp_path)]) if r.code in ("VPC001", "VPC900")]
    finally:
        sys.path.remove(str(tmp_path))
    blackhole = RouteTable(id="rtb-1", vpc_id="vpc-1", origin=Origin("file", file="n.json", pointer="/RouteTables/0"))
    findings = run_rules(Network(route_tables=(blackhole,)), rules)
    assert [(f.code, f.name, f.severity, f.message, f.location) for f in findings] == [
        (CRASH_CODE, "rule-crashed", "high", "rule VPC900 custom-unattached-igw crashed: KeyError: 'rtb-missing'",
         f"{tmp_path}/VPC900-custom-unattached-igw.yaml")]
