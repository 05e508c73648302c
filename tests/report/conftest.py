"""A hand-made report over two small source files (a describe-* JSON file and a plan), for every format's tests."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from vpcreach.checks.findings import Finding, Hit, fingerprint
from vpcreach.report.base import CheckReport, RuleInfo, sort_findings

SECURITY_GROUPS = {"SecurityGroups": [
    {"GroupId": "sg-0web", "IpPermissions": []},
    {"GroupId": "sg-0db", "IpPermissions": [
        {"IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432},
        {"IpProtocol": "tcp", "FromPort": 3389, "ToPort": 3389, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]},
    ]},
]}
PLAN = {"format_version": "1.2", "resource_changes": [
    {"address": "aws_vpc.main", "type": "aws_vpc"},
    {"address": "aws_security_group.web", "type": "aws_security_group"},
]}

RULES = (
    RuleInfo("VPC010", "sg-ingress-open-to-world", "Security group allows ingress from anywhere", "high",
             rationale="Anyone on the internet can try the port.", remediation="Restrict the source CIDR.",
             references=(("Security groups", "https://docs.aws.amazon.com/vpc/latest/userguide/vpc-security-groups.html"),)),
    RuleInfo("VPC020", "blackhole-route", "Route points at a deleted target", "low",
             rationale="Traffic to the destination is dropped.", remediation="Delete or repoint the route."),
    RuleInfo("VPC030", "unused-security-group", "Security group is attached to nothing", "info"),
)


def make_finding(code: str, name: str, severity: str, message: str, resource_ids: tuple[str, ...],
                 location: str, key: str = "", details: tuple = ()) -> Finding:
    hit = Hit(resource_ids=resource_ids, message=message, location=location, key=key)
    rule = next(r for r in RULES if r.code == code)
    return Finding(code=code, name=name, severity=severity, message=message, resource_ids=resource_ids,
                   location=location, fingerprint=fingerprint(code, hit), title=rule.title, details=details)


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Sources laid out as a repository would have them; the working directory is its root."""
    (tmp_path / "snap").mkdir()
    (tmp_path / "snap" / "sg.json").write_text(json.dumps(SECURITY_GROUPS, indent=2) + "\n")
    (tmp_path / "plan.json").write_text(json.dumps(PLAN, indent=2) + "\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("VPCREACH_DOCS_URL", raising=False)
    return tmp_path


SAMPLE_FINDINGS = (
    make_finding("VPC010", "sg-ingress-open-to-world", "high", "tcp/3389 is open to 0.0.0.0/0",
                 ("sg-0db",), "snap/sg.json#/SecurityGroups/1/IpPermissions/1", key="3389",
                 details=(("cidr", "0.0.0.0/0"),)),
    make_finding("VPC010", "sg-ingress-open-to-world", "critical", "all traffic is open to 0.0.0.0/0 | ::/0",
                 ("aws_security_group.web",), "plan.json: aws_security_group.web"),
    make_finding("VPC020", "blackhole-route", "low", "10.99.0.0/16 -> nat-0gone is a blackhole",
                 ("rtb-0main", "nat-0gone"), "snap/rt.json#/RouteTables/0/Routes/1"),
)


@pytest.fixture
def sample_report(workdir: Path) -> CheckReport:
    return CheckReport(
        findings=sort_findings(list(SAMPLE_FINDINGS)), rules=RULES, sources=("snap", "plan.json"),
        fail_on="high", suppressed={"tag": 1, "config": 0, "baseline": 2}, exit_code=1,
    )
