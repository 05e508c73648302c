"""Config files, suppression (tag, config, baseline) and baselines."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from vpcreach.checks.findings import Finding, Hit, fingerprint
from vpcreach.config import (
    Config, apply_suppressions, baseline_document, find_config_file, load_config, parse_code_list, read_baseline,
    selected_codes, suppressed_counts, unknown_selectors, with_cli_overrides, write_baseline,
)
from vpcreach.errors import InputError
from vpcreach.model import Network, Origin, SecurityGroup


def finding(code: str, *resource_ids: str, key: str = "") -> Finding:
    hit = Hit(resource_ids=resource_ids, message=f"{code} on {resource_ids[0]}", location="x.json#/0", key=key)
    return Finding(code=code, name="n", severity="high", message=hit.message, resource_ids=resource_ids,
                   location=hit.location, fingerprint=fingerprint(code, hit))


def group(group_id: str, **tags: str) -> SecurityGroup:
    return SecurityGroup(id=group_id, origin=Origin("file", file="sg.json", pointer="/0"), vpc_id="vpc-1",
                         group_name=group_id, tags=tuple(sorted(tags.items())))


# ---------------------------------------------------------------- config files

def test_vpcreach_toml_wins_over_pyproject_and_is_found_upward(tmp_path: Path) -> None:
    nested = tmp_path / "infra" / "envs" / "prod"
    nested.mkdir(parents=True)
    (tmp_path / "pyproject.toml").write_text('[tool.vpcreach]\nfail-on = "low"\n')
    assert find_config_file(nested) == tmp_path / "pyproject.toml"
    (tmp_path / "infra" / ".vpcreach.toml").write_text('fail-on = "medium"\n')
    assert find_config_file(nested) == tmp_path / "infra" / ".vpcreach.toml"


def test_pyproject_without_the_table_is_passed_over(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.vpcreach]\nfail-on = "low"\n')
    inner = tmp_path / "pkg"
    inner.mkdir()
    (inner / "pyproject.toml").write_text('[project]\nname = "other"\n')
    assert find_config_file(inner) == tmp_path / "pyproject.toml"


def test_config_keys_and_paths_relative_to_the_file(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text(
        '[tool.vpcreach]\n'
        'select = ["VPC0"]\nignore = ["VPC020"]\nfail-on = "medium"\nrules = "team-rules"\n'
        'baseline = "ci/baseline.json"\n'
        'ignore-resources = {"sg-123" = ["VPC010"], "aws_security_group.web" = "all"}\n')
    assert load_config(path) == Config(
        select=("VPC0",), ignore=("VPC020",), fail_on="medium", rules=(str(tmp_path / "team-rules"),),
        baseline=str(tmp_path / "ci" / "baseline.json"),
        ignore_resources={"sg-123": ("VPC010",), "aws_security_group.web": ("all",)}, path=str(path))


def test_every_config_problem_is_reported_at_once(tmp_path: Path) -> None:
    path = tmp_path / ".vpcreach.toml"
    path.write_text('selct = ["VPC010"]\nfail-on = "severe"\nignore = "VPC010"\n'
                    'ignore-resources = {"sg-1" = 10}\nbaseline = 3\n')
    with pytest.raises(InputError) as raised:
        load_config(path, ".vpcreach.toml")
    assert [p.line() for p in raised.value.problems] == [
        '.vpcreach.toml: baseline is not a path: 3 (expected a path to a baseline JSON file)',
        '.vpcreach.toml: fail-on is not a severity: "severe" (expected one of info, low, medium, high, critical, never)',
        '.vpcreach.toml: ignore is not a list of rule codes: "VPC010" (expected a list such as ["VPC010", "VPC02"])',
        '.vpcreach.toml: ignore-resources.sg-1 is not a list of rule codes: 10 (expected a list such as ["VPC010"] '
        'or ["all"])',
        '.vpcreach.toml: unknown key selct: ["VPC010"] (expected one of select, ignore, fail-on, rules, baseline, '
        'ignore-resources)',
    ]


def test_pyproject_problems_name_the_tool_table(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text('[tool.vpcreach]\nfail_on = "high"\n')
    with pytest.raises(InputError) as raised:
        load_config(path, "pyproject.toml")
    assert str(raised.value) == ('pyproject.toml: unknown key tool.vpcreach.fail_on: "high" (expected one of select, '
                                 'ignore, fail-on, rules, baseline, ignore-resources)')


def test_invalid_toml(tmp_path: Path) -> None:
    path = tmp_path / ".vpcreach.toml"
    path.write_text("select = [\n")
    with pytest.raises(InputError) as raised:
        load_config(path, ".vpcreach.toml")
    assert str(raised.value).startswith(".vpcreach.toml: config file is not valid TOML: ")


def test_cli_values_replace_config_values() -> None:
    config = Config(select=("VPC0",), ignore=("VPC020",), fail_on="low", path="c.toml")
    merged = with_cli_overrides(config, select=None, ignore=("VPC030",), fail_on="critical", rules=None, baseline=None)
    assert (merged.select, merged.ignore, merged.fail_on) == (("VPC0",), ("VPC030",), "critical")


# ---------------------------------------------------------------- selection

SELECTION = [
    # select, ignore, expected
    (None, (), {"VPC010", "VPC011", "VPC020", "VPC900"}),
    (("VPC01",), (), {"VPC010", "VPC011"}),
    (("ALL",), ("VPC9",), {"VPC010", "VPC011", "VPC020"}),
    (("vpc010", "VPC020"), ("VPC020",), {"VPC010"}),
]


@pytest.mark.parametrize("select, ignore, expected", SELECTION)
def test_select_and_ignore_take_codes_and_prefixes(select, ignore, expected) -> None:
    assert selected_codes({"VPC010", "VPC011", "VPC020", "VPC900"}, select, ignore) == expected


def test_selectors_that_name_no_rule_are_reported() -> None:
    assert unknown_selectors(["VPC01", "VPC999", "all", "XYZ"], ["VPC010"]) == ["VPC999", "XYZ"]


def test_code_lists_are_comma_or_space_separated() -> None:
    assert parse_code_list(" VPC010, VPC020  VPC030,") == ("VPC010", "VPC020", "VPC030")


# ---------------------------------------------------------------- suppression

def test_tag_config_and_baseline_suppression_in_that_order() -> None:
    network = Network(security_groups=(
        group("sg-tagged", **{"vpcreach:ignore": "VPC020, VPC010"}),
        group("sg-all", **{"vpcreach:ignore": "all"}),
        group("sg-other", **{"vpcreach:ignore": "VPC020"}),
        group("sg-plain"),
    ))
    config = Config(ignore_resources={"sg-plain": ("VPC011",), "sg-cfg": ("all",)})
    findings = [
        finding("VPC010", "sg-tagged"),              # tag names the code
        finding("VPC999", "rule-x", "sg-all"),       # any of its resources carries `all`
        finding("VPC010", "sg-other"),               # tag names another code: kept
        finding("VPC011", "sg-plain"),               # config ignore-resources
        finding("VPC010", "sg-cfg"),                 # config `all` for a resource not in the network
        finding("VPC010", "sg-plain", key="22"),     # in the baseline
        finding("VPC010", "sg-plain", key="3389"),   # new: kept
    ]
    baseline = frozenset({findings[5].fingerprint, findings[0].fingerprint})
    kept, hidden = apply_suppressions(findings, network, config, baseline)
    assert kept == [findings[2], findings[6]]
    assert [(h.finding, h.kind) for h in hidden] == [
        (findings[0], "tag"), (findings[1], "tag"), (findings[3], "config"), (findings[4], "config"),
        (findings[5], "baseline")]
    assert suppressed_counts(hidden) == {"tag": 2, "config": 2, "baseline": 1}


def test_terraform_tags_suppress_like_aws_tags() -> None:
    # In a plan the resource id is its address and its tags come from `tags`; the model keeps both alike.
    network = Network(security_groups=(group("aws_security_group.web", **{"vpcreach:ignore": "VPC010 VPC011"}),))
    kept, hidden = apply_suppressions([finding("VPC011", "aws_security_group.web")], network, Config())
    assert kept == [] and hidden[0].kind == "tag"


# ---------------------------------------------------------------- baselines

def test_baseline_round_trip_is_sorted_and_deduplicated(tmp_path: Path) -> None:
    findings = [finding("VPC020", "rtb-1"), finding("VPC010", "sg-1"), finding("VPC010", "sg-1")]
    path = tmp_path / "baseline.json"
    write_baseline(path, findings)
    document = json.loads(path.read_text())
    assert document == baseline_document(findings)
    assert document["vpcreach_baseline"] == 1
    assert [e["fingerprint"] for e in document["findings"]] == sorted({f.fingerprint for f in findings})
    assert document["findings"][0].keys() == {"fingerprint", "code", "resource_ids", "message"}
    assert read_baseline(path) == frozenset(f.fingerprint for f in findings)


BAD_BASELINES = [
    ("[]", 'b.json#/vpcreach_baseline: unsupported baseline format: [] (expected 1, as written by --write-baseline)'),
    ('{"vpcreach_baseline": 2, "findings": []}',
     'b.json#/vpcreach_baseline: unsupported baseline format: 2 (expected 1, as written by --write-baseline)'),
    ('{"vpcreach_baseline": 1, "findings": {}}',
     'b.json#/findings: baseline findings is not a list: {} (expected a list of {fingerprint, code, resource_ids, '
     'message})'),
    ('{"vpcreach_baseline": 1, "findings": [{"fingerprint": "XYZ"}, {"code": "VPC010"}]}',
     'b.json#/findings/0/fingerprint: not a finding fingerprint: "XYZ" (expected 16 lowercase hex digits)\n'
     'b.json#/findings/1/fingerprint: not a finding fingerprint (expected 16 lowercase hex digits)'),
]


@pytest.mark.parametrize("text, error", BAD_BASELINES)
def test_bad_baseline_files(tmp_path: Path, text: str, error: str) -> None:
    path = tmp_path / "b.json"
    path.write_text(text)
    with pytest.raises(InputError) as raised:
        read_baseline(path, "b.json")
    assert str(raised.value) == error


def test_missing_baseline_file(tmp_path: Path) -> None:
    with pytest.raises(InputError) as raised:
        read_baseline(tmp_path / "nope.json", "nope.json")
    assert str(raised.value) == ('nope.json: cannot read baseline file: "No such file or directory" '
                                 '(expected a baseline written by --write-baseline)')
