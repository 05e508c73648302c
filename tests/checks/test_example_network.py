"""The example network (fixtures/example, described in NETWORK.md) yields exactly its expected findings."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from vpcreach.checks.catalogue import load_catalogue, run_rules
from vpcreach.importers import load_source

REPO_ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = REPO_ROOT / "fixtures" / "example"
EXPECTED = yaml.safe_load((Path(__file__).parent / "data" / "example_findings.yaml").read_text())["findings"]
CATALOGUE = load_catalogue()


def findings(source: Path) -> list:
    return run_rules(load_source(str(source)), CATALOGUE)


@pytest.mark.parametrize("source", ["aws_configs", "terraform/plan.json"])
def test_the_describe_and_plan_forms_give_the_expected_findings(source):
    got = sorted([f.name, f.severity, list(f.resource_ids)] for f in findings(EXAMPLE / source))
    assert got == sorted(EXPECTED)


def test_every_finding_network_md_marks_by_rule_name_is_reported():
    marked = set(re.findall(r"\[finding: ([a-z0-9-]+)\]", (EXAMPLE / "NETWORK.md").read_text()))
    assert marked == {"blackhole-route", "missing-nat-route"}
    assert marked <= {name for name, _, _ in EXPECTED}


def test_the_world_open_rdp_on_db_is_reported_as_not_reachable():
    [rdp] = [f for f in findings(EXAMPLE / "aws_configs") if f.name == "sg-ingress-admin-port-open-to-world"]
    assert (rdp.severity, rdp.message) == (
        "medium", "security group sg-0db00000000000001 (db) allows tcp/3389 from 0.0.0.0/0; it is attached to 1 "
                  "network interface, none reachable from the internet on these ports today")


def test_a_plan_made_before_apply_says_what_it_does_not_know():
    by_name = {f.name: f for f in findings(EXAMPLE / "terraform" / "plan-create.json")}
    assert by_name["instance-has-public-ip"].message == \
        "instance aws_instance.web (web-1) has public IPv4 address (known after apply)"
    assert "blackhole-route" not in by_name  # the deleted NAT gateway exists only in the live network
    assert by_name["missing-nat-route"].resource_ids == ("aws_subnet.app_b", "aws_route_table.app_b")
    assert by_name["internet-exposed-admin-port"].message == (
        "instance aws_instance.web (web-1) accepts tcp/22 from the internet (192.0.2.0/24, 198.51.100.128/25) at "
        "(unknown until apply) (interface aws_instance.web#primary-network-interface) via aws_internet_gateway.shop")
