"""Answers Cloud Custodian's tests state for recorded AWS responses (peer-data/cloud-custodian/SOURCE.md)."""
from __future__ import annotations

import json

from vpcreach.checks.catalogue import find_rule, load_catalogue, run_rules
from vpcreach.importers.describe import load_describe_document

CATALOGUE = load_catalogue()


def placebo(peer_data, test: str, calls: tuple[str, ...]):
    """Merge recorded describe-* responses (each wrapped as {"status_code", "data"}) into one document."""
    document: dict[str, list] = {}
    for call in calls:
        data = json.loads((peer_data / "cloud-custodian/tests/data/placebo" / test / f"ec2.{call}.json").read_text())
        for key, value in data["data"].items():
            if isinstance(value, list):
                document.setdefault(key, []).extend(value)
    return load_describe_document(document, test)


def test_cross_az_nat_routes_match_custodians_answer(peer_data):
    network = placebo(peer_data, "test_cross_az_nat_gateway_route_filter",
                      ("DescribeSubnets_1", "DescribeNatGateways_1", "DescribeRouteTables_1"))
    findings = run_rules(network, [find_rule(CATALOGUE, "nat-route-crosses-az")])
    # Stated: exactly 2 route tables; the first routes subnet-01989283067fcc12f (us-west-2c) to
    # nat-06e9acaa9c0ab8799 in us-west-2a.
    assert len({f.resource_ids[1] for f in findings}) == 2
    [stated] = [f for f in findings if f.resource_ids[0] == "subnet-01989283067fcc12f"]
    assert stated.message == ("subnet subnet-01989283067fcc12f (PrivateSubnetAz3) in us-west-2c sends 0.0.0.0/0 via "
                              "rtb-0790946c364d31f08 to nat-06e9acaa9c0ab8799 in us-west-2a")


def test_unused_security_groups_follow_custodians_cross_reference_semantics(peer_data):
    network = placebo(peer_data, "sg_used_cross_ref", ("DescribeSecurityGroups_1",))
    findings = run_rules(network, [find_rule(CATALOGUE, "unused-security-group")])
    # Stated: n2 (sg-01ba3c57af54ef22c) is used, because n1's egress rule references it; n1 is not.
    # The VPC's default groups are never reported.
    assert [f.resource_ids for f in findings] == [("sg-073c8f4fb3b58731d",)]
