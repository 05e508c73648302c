"""SARIF (validated against the 2.1.0 schema and GitHub code scanning's constraints), JUnit XML and Markdown."""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

import pytest

from vpcreach.report.base import CheckReport, IntentOutcome
from vpcreach.report.junit import render_junit
from vpcreach.report.markdown import render_markdown
from vpcreach.report.sarif import render_sarif

from report.sarif_validation import SARIF_SCHEMA, validate_sarif

DOCS = "https://github.com/vpcreach/vpcreach/blob/main/docs/rules/"


def test_sarif_schema_is_present() -> None:
    if not SARIF_SCHEMA.is_file():
        pytest.skip(f"SARIF 2.1.0 schema not found at {SARIF_SCHEMA} (../shared is absent): SARIF output is checked "
                    "against GitHub's constraints only")
    assert json.loads(SARIF_SCHEMA.read_text())["title"].startswith("Static Analysis Results Format (SARIF) Version 2.1.0")


def test_sarif_is_valid_and_what_github_code_scanning_reads(sample_report: CheckReport) -> None:
    document = json.loads(render_sarif(sample_report))
    validate_sarif(document)
    run = document["runs"][0]
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == ["VPC010", "VPC020", "VPC030"]
    assert run["tool"]["driver"]["rules"][0]["properties"]["security-severity"] == "8.0"
    assert run["tool"]["driver"]["rules"][0]["helpUri"] == DOCS + "VPC010.md"
    assert [(r["ruleId"], r["level"]) for r in run["results"]] == [
        ("VPC010", "error"), ("VPC010", "error"), ("VPC020", "note")]
    assert run["properties"]["suppressed"] == {"tag": 1, "config": 0, "baseline": 2}


def test_sarif_region_is_the_line_of_the_pointer_and_of_the_plan_address(sample_report: CheckReport,
                                                                         workdir: Path) -> None:
    run = json.loads(render_sarif(sample_report))["runs"][0]
    plan_result, sg_result, _ = run["results"]
    sg_lines = (workdir / "snap" / "sg.json").read_text().splitlines()
    opening = sg_lines.index('          "FromPort": 3389,') - 2  # 0-based line of the rule's "{"; +1 for 1-based
    assert sg_lines[opening].strip() == "{"
    assert sg_result["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "snap/sg.json"}, "region": {"startLine": opening + 1}}
    plan_lines = (workdir / "plan.json").read_text().splitlines()
    web = plan_lines.index('      "address": "aws_security_group.web",')  # 0-based, so this is the "{" line 1-based
    assert plan_result["locations"][0]["physicalLocation"]["region"] == {"startLine": web}
    assert plan_result["locations"][0]["logicalLocations"] == [
        {"fullyQualifiedName": "aws_security_group.web", "kind": "resource", "name": "web"}]
    assert plan_result["partialFingerprints"] == {
        "vpcreachFingerprint/v1": sample_report.findings[0].fingerprint}


def test_sarif_uri_is_relative_even_for_absolute_source_paths(sample_report: CheckReport, workdir: Path) -> None:
    absolute = replace(sample_report.findings[1], location=f"{workdir}/snap/sg.json#/SecurityGroups/1")
    run = json.loads(render_sarif(replace(sample_report, findings=(absolute,))))["runs"][0]
    assert run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "snap/sg.json"


def test_sarif_docs_url_can_point_at_a_fork(sample_report: CheckReport, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VPCREACH_DOCS_URL", "https://example.org/fork/docs")
    rules = json.loads(render_sarif(sample_report))["runs"][0]["tool"]["driver"]["rules"]
    assert rules[1]["helpUri"] == "https://example.org/fork/docs/rules/VPC020.md"


def test_sarif_with_no_findings_is_valid(sample_report: CheckReport) -> None:
    document = json.loads(render_sarif(replace(sample_report, findings=())))
    validate_sarif(document)
    assert document["runs"][0]["results"] == []


def test_junit_one_suite_per_rule_failures_at_or_above_fail_on(sample_report: CheckReport) -> None:
    root = ET.fromstring(render_junit(sample_report))
    assert root.tag == "testsuites"
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("4", "2", "0")
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    assert list(suites) == ["VPC010 sg-ingress-open-to-world", "VPC020 blackhole-route", "VPC030 unused-security-group"]
    vpc010 = suites["VPC010 sg-ingress-open-to-world"]
    assert (vpc010.get("tests"), vpc010.get("failures")) == ("2", "2")
    failure = vpc010.findall("testcase")[1].find("failure")
    assert failure.get("message") == "tcp/3389 is open to 0.0.0.0/0" and failure.get("type") == "high"
    low = suites["VPC020 blackhole-route"].find("testcase")
    assert low.find("failure") is None and "blackhole" in low.find("system-out").text
    assert [c.get("name") for c in suites["VPC030 unused-security-group"].findall("testcase")] == ["no findings"]
    properties = {p.get("name"): p.get("value") for p in vpc010.find("properties")}
    assert properties["suppressed.baseline"] == "2" and properties["fail_on"] == "high"


def test_junit_inconclusive_intent_is_an_error(sample_report: CheckReport) -> None:
    report = replace(sample_report, intents=(IntentOutcome("app-to-db", "reachable", "inconclusive", "timeout"),))
    root = ET.fromstring(render_junit(report))
    assert root.get("errors") == "1"
    suite = root.findall("testsuite")[-1]
    assert suite.get("name") == "intents inconclusive"
    assert suite.find("testcase/error").get("message") == "inconclusive: timeout"


def test_markdown_is_a_pull_request_comment(sample_report: CheckReport) -> None:
    text = render_markdown(sample_report)
    assert text.startswith("### :x: vpcreach check\n\nFound 3 findings (1 critical, 1 high, 1 low). "
                           "2 at or above --fail-on high.\n")
    assert ("| severity | findings | fails the check |\n|---|---:|---|\n| critical | 1 | yes |\n| high | 1 | yes |\n"
            "| medium | 0 | no |\n| low | 1 | no |\n| info | 0 | no |\n") in text
    assert "Suppressed: 3 (1 by tag, 0 by config, 2 by baseline)." in text
    assert text.count("<details>") == 2 and text.count("</details>") == 2
    assert "<summary>:x: <b>VPC010</b> sg-ingress-open-to-world: 2 findings (2 failing)</summary>" in text
    assert "<summary>:white_check_mark: <b>VPC020</b> blackhole-route: 1 finding (0 failing)</summary>" in text
    assert f"([rule documentation]({DOCS}VPC010.md))" in text
    # A pipe in a message must not split the table row.
    assert "| critical | `aws_security_group.web` | `plan.json: aws_security_group.web` | all traffic is open to " \
           "0.0.0.0/0 \\| ::/0 |" in text


def test_markdown_clean(sample_report: CheckReport) -> None:
    text = render_markdown(replace(sample_report, findings=()))
    assert text.startswith("### :white_check_mark: vpcreach check\n\nFound 0 findings. 0 at or above --fail-on high.")
    assert "<details>" not in text
