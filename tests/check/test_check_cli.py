"""`vpcreach check` end to end, through the real entry point, importers, rule catalogue and engine.

Usage errors need none of those. The rest skips, saying which piece is missing, while a colleague's part
(importers, catalogue, engine) has not landed.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from golden import REPO_ROOT, assert_golden, run_cli
from report.sarif_validation import validate_sarif

DATA = Path(__file__).parent / "data"
GOLDEN = Path(__file__).parent / "golden"
WEB_SG = "sg-0e2essh0000000001"
TEAM_RULES = str(DATA / "rules")  # VPC801 team-world-open-ssh: a user rule folder, as --rules takes it
ONLY_TEAM_RULE = ("--rules", TEAM_RULES, "--select", "VPC801")


def require(*modules: str) -> None:
    import importlib

    for name in modules:
        module, _, attribute = name.partition(":")
        try:
            imported = importlib.import_module(module)
            if attribute:
                getattr(imported, attribute)
        except (ImportError, AttributeError) as error:
            pytest.skip(f"end-to-end check needs {name}, which is not available yet ({error})")


@pytest.fixture
def pipeline() -> None:
    require("vpcreach.importers:load_sources", "vpcreach.checks.catalogue:load_catalogue",
            "vpcreach.checks.security_groups:world_open_ports")


@pytest.fixture
def engine(pipeline: None) -> None:
    require("vpcreach.engine:Analyzer", "vpcreach.engine:Query")


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    """A repository-like folder holding the test network; no config file above it matters (--isolated or own)."""
    shutil.copy(DATA / "exposed.json", tmp_path / "exposed.json")
    return tmp_path


def check_json(workdir: Path, *args: str, rules: tuple[str, ...] = ONLY_TEAM_RULE) -> tuple[int, dict, str]:
    result = run_cli(["check", "exposed.json", "--format", "json", *rules, *args], cwd=workdir)
    assert result.stdout, result.stderr
    return result.exit_code, json.loads(result.stdout), result.stderr


def edit_network(workdir: Path, edit) -> None:
    path = workdir / "exposed.json"
    document = json.loads(path.read_text())
    edit(document)
    path.write_text(json.dumps(document, indent=2))


# ---------------------------------------------------------------- usage errors (exit 2)

USAGE_ERRORS = [
    (["--format", "xml"], 'error: --format: unknown output format: "xml" (expected one of text, json, sarif, junit, '
                          'markdown)\n'),
    (["--fail-on", "severe"], 'error: --fail-on: unknown severity: "severe" (expected one of info, low, medium, high, '
                              'critical, never)\n'),
    (["--isolated", "--config", "x.toml"], "error: --isolated: cannot be combined with --config (expected either "
                                           "--config FILE or --isolated)\n"),
]


@pytest.mark.parametrize("args, stderr", USAGE_ERRORS, ids=["format", "fail-on", "isolated-config"])
def test_usage_errors_exit_2_with_one_line_each(workdir: Path, args: list[str], stderr: str) -> None:
    result = run_cli(["check", "exposed.json", *args], cwd=workdir)
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", stderr)


def test_unknown_rule_code_in_select_is_bad_input(workdir: Path, pipeline: None) -> None:
    result = run_cli(["check", "exposed.json", "--isolated", "--select", "VPC9999,VPC0"], cwd=workdir)
    assert (result.exit_code, result.stderr) == (
        2, 'error: --select: unknown rule code: "VPC9999" (expected a rule code or prefix such as VPC010, VPC0 or ALL)\n')


def test_unknown_rule_code_in_config_names_the_file(workdir: Path, pipeline: None) -> None:
    (workdir / ".vpcreach.toml").write_text('ignore = ["VPC7"]\n')
    result = run_cli(["check", "exposed.json"], cwd=workdir)
    assert (result.exit_code, result.stderr) == (
        2, 'error: .vpcreach.toml: ignore: unknown rule code: "VPC7" (expected a rule code or prefix such as VPC010, '
           'VPC0 or ALL)\n')


def test_missing_source_is_bad_input(workdir: Path, pipeline: None) -> None:
    result = run_cli(["check", "absent.json", "--isolated"], cwd=workdir)
    assert result.exit_code == 2 and result.stderr.startswith("error: absent.json: no such file or directory")


def test_invalid_policy_is_bad_input_with_every_problem(pipeline: None) -> None:
    result = run_cli(["check", "tests/check/data/exposed.json", "--isolated", "--policy",
                      "fixtures/policies/invalid.yaml"])
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        'error: fixtures/policies/invalid.yaml#/0/expect: intent db-private: invalid expect: "unreachable-ish" '
        '(expected reachable or unreachable)',
        'error: fixtures/policies/invalid.yaml#/1/port: intent app-to-db: invalid port: 99999 (expected a port '
        '0-65535 or a range such as 1024-65535, only with protocol tcp or udp)',
        'error: fixtures/policies/invalid.yaml#/2: intent #2: missing field name (expected a non-empty string, '
        'unique in the file)',
        'error: fixtures/policies/invalid.yaml#/2/port: intent #2: port given for protocol icmp: 443 (expected no '
        'port, or protocol tcp or udp)',
        'error: fixtures/policies/invalid.yaml#/3/severety: intent db-private: unknown field severety: "low" '
        '(expected one of name, description, from, to, protocol, port, expect, severity)',
    ]


# ---------------------------------------------------------------- findings, exit codes, suppression, baselines

def findings_on(document: dict, resource_id: str) -> list[dict]:
    return [f for f in document["findings"] if resource_id in f["resource_ids"]]


def test_world_open_ssh_is_found_and_fails_at_fail_on_info(workdir: Path, pipeline: None) -> None:
    code, document, _ = check_json(workdir, "--isolated", "--fail-on", "info")
    assert findings_on(document, WEB_SG), document["findings"]
    assert code == 1
    assert document["summary"]["failing"] == document["summary"]["total"] == len(document["findings"])
    assert document["sources"] == ["exposed.json"]
    # Same input, same bytes.
    assert check_json(workdir, "--isolated", "--fail-on", "info")[1] == document


def test_fail_on_never_reports_but_exits_0(workdir: Path, pipeline: None) -> None:
    code, document, _ = check_json(workdir, "--isolated", "--fail-on", "never")
    assert code == 0 and document["findings"] and document["summary"]["failing"] == 0


def test_exit_code_follows_the_most_severe_finding(workdir: Path, pipeline: None) -> None:
    _, document, _ = check_json(workdir, "--isolated", "--fail-on", "never")
    severities = ["info", "low", "medium", "high", "critical"]
    worst = max(severities.index(f["severity"]) for f in document["findings"])
    for threshold in severities:
        code, _, _ = check_json(workdir, "--isolated", "--fail-on", threshold)
        assert code == (1 if severities.index(threshold) <= worst else 0), threshold


def test_select_and_ignore_limit_the_rules(workdir: Path, pipeline: None) -> None:
    _, only, _ = check_json(workdir, "--isolated", "--fail-on", "never", rules=("--rules", TEAM_RULES, "--select",
                                                                                "VPC8"))
    assert {f["code"] for f in only["findings"]} == {"VPC801"} and only["rules"] == ["VPC801"]
    _, without, _ = check_json(workdir, "--isolated", "--fail-on", "never", rules=("--rules", TEAM_RULES),
                               *("--ignore", "VPC801"))
    assert "VPC801" not in {f["code"] for f in without["findings"]} and "VPC801" not in without["rules"]
    assert without["rules"], "the built-in rules still ran"


def test_ignore_tag_on_the_resource_suppresses_its_findings(workdir: Path, pipeline: None) -> None:
    _, before, _ = check_json(workdir, "--isolated", "--fail-on", "never")
    codes = sorted({f["code"] for f in findings_on(before, WEB_SG)})

    def tag(document: dict) -> None:
        group = next(g for g in document["SecurityGroups"] if g["GroupId"] == WEB_SG)
        group["Tags"] = [{"Key": "vpcreach:ignore", "Value": ", ".join(codes)}]

    edit_network(workdir, tag)
    _, after, _ = check_json(workdir, "--isolated", "--fail-on", "never")
    assert findings_on(after, WEB_SG) == []
    assert after["summary"]["suppressed"]["tag"] == len(findings_on(before, WEB_SG))
    assert after["summary"]["total"] == before["summary"]["total"] - len(findings_on(before, WEB_SG))


def test_config_file_ignore_resources_and_fail_on(workdir: Path, pipeline: None) -> None:
    _, before, _ = check_json(workdir, "--isolated", "--fail-on", "never")
    (workdir / "pyproject.toml").write_text(
        '[tool.vpcreach]\nfail-on = "never"\nignore-resources = {"%s" = ["all"]}\n' % WEB_SG)
    code, after, _ = check_json(workdir)
    assert code == 0 and after["fail_on"] == "never"
    assert findings_on(after, WEB_SG) == []
    assert after["summary"]["suppressed"]["config"] == len(findings_on(before, WEB_SG))


def test_baseline_hides_accepted_findings_and_fails_only_on_new_ones(workdir: Path, pipeline: None) -> None:
    code, written, _ = check_json(workdir, "--isolated", "--fail-on", "info", "--write-baseline", "baseline.json")
    accepted = json.loads((workdir / "baseline.json").read_text())["findings"]
    assert code == 0 and written["findings"] == [] and written["summary"]["suppressed"]["baseline"] == len(accepted) > 0

    def open_ssh(document: dict) -> None:
        group = next(g for g in document["SecurityGroups"] if g["GroupId"] == "sg-0e2edb00000000001")
        group["IpPermissions"].append({"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22,
                                       "IpRanges": [{"CidrIp": "0.0.0.0/0"}], "Ipv6Ranges": [], "PrefixListIds": [],
                                       "UserIdGroupPairs": []})

    edit_network(workdir, open_ssh)
    code, document, _ = check_json(workdir, "--isolated", "--fail-on", "info", "--baseline", "baseline.json")
    assert code == 1
    assert document["findings"] and all("sg-0e2edb00000000001" in f["resource_ids"] for f in document["findings"])
    assert not {f["fingerprint"] for f in document["findings"]} & {e["fingerprint"] for e in accepted}
    assert document["summary"]["suppressed"]["baseline"] == len(accepted)


@pytest.mark.parametrize("output_format", ["text", "json", "sarif", "junit", "markdown"])
def test_every_format_reports_suppressed_counts(workdir: Path, pipeline: None, output_format: str) -> None:
    (workdir / ".vpcreach.toml").write_text('ignore-resources = {"%s" = ["all"]}\n' % WEB_SG)
    result = run_cli(["check", "exposed.json", *ONLY_TEAM_RULE, "--format", output_format, "--output", "report.out"],
                     cwd=workdir)
    text = (workdir / "report.out").read_text()
    assert result.stdout == "" and "Report written to report.out." in result.stderr
    markers = {"text": "by config", "json": '"config": ', "sarif": '"config": ', "junit": 'name="suppressed.config"',
               "markdown": "by config"}
    assert markers[output_format] in text
    if output_format == "sarif":
        validate_sarif(json.loads(text))


# ---------------------------------------------------------------- intents

POLICY = """
- name: web-ssh-private
  from: internet
  to: i-0e2eweb000000000001
  protocol: tcp
  port: 22
  expect: unreachable
- name: db-private
  from: internet
  to: tag:Tier=db
  expect: unreachable
- name: web-to-db
  from: tag:Tier=web
  to: tag:Tier=db
  protocol: tcp
  port: 5432
  expect: reachable
"""


def test_policy_violation_is_a_vpc900_finding_with_the_path(workdir: Path, engine: None) -> None:
    (workdir / "policy.yaml").write_text(POLICY)
    code, document, stderr = check_json(workdir, "--isolated", "--policy", "policy.yaml", rules=("--select", "VPC900"))
    assert stderr == ""
    assert document["intents"] == [
        {"name": "web-ssh-private", "expect": "unreachable", "status": "violated",
         "detail": "1 of 1 endpoint pairs break it"},
        {"name": "db-private", "expect": "unreachable", "status": "held", "detail": ""},
        {"name": "web-to-db", "expect": "reachable", "status": "held", "detail": ""},
    ]
    [finding] = document["findings"]
    assert (finding["code"], finding["name"], finding["severity"]) == ("VPC900", "intent-violated", "high")
    assert finding["location"] == {"text": "policy.yaml#/0", "file": "policy.yaml", "pointer": "/0"}
    assert finding["message"].startswith("intent web-ssh-private expects internet -> i-0e2eweb000000000001 (tcp/22) "
                                         "to be unreachable, but it is reachable via ")
    assert "igw-0e2e0000000000001" in finding["details"]["path"]
    assert code == 1


def test_inconclusive_intent_exits_3_even_with_failing_findings(workdir: Path, engine: None,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    import vpcreach.engine

    class UndecidedAnalyzer(vpcreach.engine.Analyzer):
        def query(self, query):  # the real engine decides this network; force the rare "unknown" answer
            answer = super().query(query)
            return type("Undecided", (), {"verdict": "inconclusive", "forward": (), "explanations": (),
                                          "packet": None, "reachable": None})() if answer else answer

    monkeypatch.setattr(vpcreach.engine, "Analyzer", UndecidedAnalyzer)
    (workdir / "policy.yaml").write_text(POLICY)
    code, document, _ = check_json(workdir, "--isolated", "--policy", "policy.yaml", "--fail-on", "info",
                                   rules=("--rules", TEAM_RULES, "--select", "VPC801,VPC900"))
    assert [i["status"] for i in document["intents"]] == ["inconclusive"] * 3
    assert document["summary"]["failing"] > 0  # rule findings fail, but the undecided gate wins
    assert code == 3 and document["exit_code"] == 3


def test_sarif_for_a_policy_finding_points_at_the_intent_line(workdir: Path, engine: None) -> None:
    (workdir / "policy.yaml").write_text(POLICY)
    run_cli(["check", "exposed.json", "--isolated", "--rules", TEAM_RULES, "--select", "VPC801", "--select", "VPC900",
             "--policy", "policy.yaml", "--format", "sarif", "-o", "r.sarif"], cwd=workdir)
    document = json.loads((workdir / "r.sarif").read_text())
    validate_sarif(document)
    [result] = [r for r in document["runs"][0]["results"] if r["ruleId"] == "VPC900"]
    assert result["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "policy.yaml"}, "region": {"startLine": 2}}
    rule = document["runs"][0]["tool"]["driver"]["rules"][result["ruleIndex"]]
    assert rule["helpUri"].endswith("/docs/ci/check.md#intent-policies")


# ---------------------------------------------------------------- goldens on the example network

EXAMPLE = REPO_ROOT / "fixtures" / "example"
EXAMPLE_SOURCES = {
    "describe": "fixtures/example/aws_configs",
    "plan": "fixtures/example/terraform/plan.json",
}


@pytest.mark.parametrize("output_format", ["text", "json", "sarif", "junit", "markdown"])
@pytest.mark.parametrize("source", sorted(EXAMPLE_SOURCES))
def test_golden_example(source: str, output_format: str, engine: None) -> None:
    path = REPO_ROOT / EXAMPLE_SOURCES[source]
    if not path.exists():
        pytest.skip(f"{EXAMPLE_SOURCES[source]} is not written yet")
    result = run_cli(["check", EXAMPLE_SOURCES[source], "--isolated", "--policy", "fixtures/policies/example.yaml",
                      "--format", output_format])
    assert_golden(GOLDEN / f"example_{source}_{output_format}.txt", result)
