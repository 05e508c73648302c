"""Text and JSON output of `vpcreach check`, on a hand-made report (see conftest.py)."""
from __future__ import annotations

import json
from dataclasses import replace

from vpcreach.report.base import CheckReport, IntentOutcome
from vpcreach.report.json_report import render_json
from vpcreach.report.text import render_text


def test_text_is_one_line_per_finding_most_severe_first_then_the_summary(sample_report: CheckReport) -> None:
    assert render_text(sample_report) == (
        "plan.json: aws_security_group.web: VPC010 sg-ingress-open-to-world [critical] "
        "all traffic is open to 0.0.0.0/0 | ::/0\n"
        "snap/sg.json#/SecurityGroups/1/IpPermissions/1: VPC010 sg-ingress-open-to-world [high] "
        "tcp/3389 is open to 0.0.0.0/0\n"
        "snap/rt.json#/RouteTables/0/Routes/1: VPC020 blackhole-route [low] 10.99.0.0/16 -> nat-0gone is a blackhole\n"
        "\n"
        "Found 3 findings (1 critical, 1 high, 1 low). 2 at or above --fail-on high.\n"
        "Suppressed 3: 1 by tag, 0 by config, 2 by baseline.\n"
    )


def test_text_clean_run_reports_stale_baseline_and_intents(sample_report: CheckReport) -> None:
    report = replace(sample_report, findings=(), suppressed={"tag": 0, "config": 0, "baseline": 0}, stale_baseline=1,
                     intents=(IntentOutcome("db-private", "unreachable", "held"),
                              IntentOutcome("app-to-db", "reachable", "inconclusive",
                                            "the engine could not decide i-1 -> i-2")))
    assert render_text(report) == (
        "Found 0 findings. 0 at or above --fail-on high.\n"
        "Suppressed 0: 0 by tag, 0 by config, 0 by baseline.\n"
        "1 baseline entry matched no finding (fixed since; rewrite the baseline with --write-baseline to drop them).\n"
        "Intent 'app-to-db' is inconclusive: the engine could not decide i-1 -> i-2\n"
        "Intents: 2 checked, 1 held, 0 violated, 1 inconclusive.\n"
    )


def test_text_never_fail(sample_report: CheckReport) -> None:
    last_lines = render_text(replace(sample_report, fail_on="never")).splitlines()[-2:]
    assert last_lines[0] == "Found 3 findings (1 critical, 1 high, 1 low). Not failing on any severity (--fail-on never)."


def test_json_finding_carries_code_name_severity_resources_location_and_fingerprint(sample_report: CheckReport) -> None:
    document = json.loads(render_json(sample_report))
    assert document["findings"][1] == {
        "code": "VPC010",
        "name": "sg-ingress-open-to-world",
        "title": "Security group allows ingress from anywhere",
        "severity": "high",
        "failing": True,
        "message": "tcp/3389 is open to 0.0.0.0/0",
        "resource_ids": ["sg-0db"],
        "location": {"text": "snap/sg.json#/SecurityGroups/1/IpPermissions/1", "file": "snap/sg.json",
                     "pointer": "/SecurityGroups/1/IpPermissions/1"},
        "fingerprint": sample_report.findings[1].fingerprint,
        "details": {"cidr": "0.0.0.0/0"},
    }
    assert document["findings"][0]["location"] == {
        "text": "plan.json: aws_security_group.web", "file": "plan.json", "address": "aws_security_group.web"}


def test_json_summary_sources_and_determinism(sample_report: CheckReport) -> None:
    text = render_json(sample_report)
    document = json.loads(text)
    assert document["summary"] == {
        "total": 3, "failing": 2,
        "by_severity": {"info": 0, "low": 1, "medium": 0, "high": 1, "critical": 1},
        "suppressed": {"tag": 1, "config": 0, "baseline": 2},
        "stale_baseline": 0,
    }
    assert document["sources"] == ["snap", "plan.json"]
    assert document["rules"] == ["VPC010", "VPC020", "VPC030"]
    assert document["exit_code"] == 1
    assert [f["severity"] for f in document["findings"]] == ["critical", "high", "low"]
    # Same input, same bytes; and nothing time-dependent anywhere in the document.
    assert render_json(sample_report) == text
    assert not any(word in text.lower() for word in ("timestamp", "time\"", "date"))
