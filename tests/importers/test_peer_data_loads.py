"""Real public describe-* data (../shared/peer-data) loads, with the resource counts its sources state.

In scope: every Batfish aws_configs snapshot and unit fixture, pybatfish's hybrid-cloud network, the
aws-cli and botocore documentation examples, cloudmapper's demo account and cloud-custodian's recorded
responses (unwrapped from placebo's {"status_code", "data"}). Out of scope: Terraform/HCL/CloudFormation
sources (other importers) and IAM/S3/... files, which carry no VPC data.
"""
from __future__ import annotations

import json

import pytest

from vpcreach.errors import InputError
from vpcreach.importers import load_source
from vpcreach.importers.describe import load_describe_document
from vpcreach.importers.describe_collect import KNOWN_KEYS

BATFISH_AWS = "batfish/projects/batfish/src/test/resources/org/batfish/representation/aws"

# Counts stated in peer-data/batfish/SOURCE.md and pybatfish/SOURCE.md (instances exclude terminated ones).
EXPECTED_COUNTS = {
    "batfish/networks/hybrid-cloud-aws": dict(vpcs=4, subnets=10, route_tables=5, internet_gateways=3,
                                              nat_gateways=0, security_groups=11, network_acls=4,
                                              network_interfaces=9, instances=4, vpn_gateways=1),
    "pybatfish/jupyter_notebooks/networks/hybrid-cloud": dict(vpcs=4, subnets=8, route_tables=4, internet_gateways=2,
                                                              security_groups=8, network_acls=4, network_interfaces=8,
                                                              instances=4, transit_gateways=2,
                                                              transit_gateway_route_tables=2, prefix_lists=4),
    f"{BATFISH_AWS}/test-nat-gateway": dict(vpcs=1, subnets=3, route_tables=3, internet_gateways=1, nat_gateways=1,
                                            security_groups=3, network_acls=2, network_interfaces=4, instances=3),
    f"{BATFISH_AWS}/test-vpc-peering": dict(vpcs=3, subnets=3, route_tables=3, security_groups=6, network_acls=3,
                                            network_interfaces=3, instances=3, peering_connections=2),
    f"{BATFISH_AWS}/test-transit-gateway": dict(vpcs=2, subnets=3, route_tables=2, internet_gateways=1,
                                                security_groups=5, network_acls=2, network_interfaces=5, instances=3,
                                                transit_gateways=1, transit_gateway_route_tables=1),
    f"{BATFISH_AWS}/test-vpc-endpoint-gateway": dict(vpcs=1, subnets=2, route_tables=3, internet_gateways=1,
                                                     security_groups=2, network_acls=2, network_interfaces=2,
                                                     instances=2, vpc_endpoints=1),
}


def batfish_snapshots(peer_data):
    return sorted(p for root in ("batfish", "pybatfish") for p in (peer_data / root).rglob("aws_configs") if p.is_dir())


@pytest.mark.parametrize("snapshot, counts", sorted(EXPECTED_COUNTS.items()), ids=sorted(EXPECTED_COUNTS))
def test_stated_counts(peer_data, snapshot, counts):
    network = load_source(str(peer_data / snapshot))
    assert {name: network.counts()[name] for name in counts} == counts


def test_every_batfish_snapshot_loads_and_names_what_it_does_not_model(peer_data):
    snapshots = batfish_snapshots(peer_data)
    assert len(snapshots) == 25
    for snapshot in snapshots:
        network = load_source(str(snapshot))
        assert network.vpcs or network.transit_gateways or network.nat_gateways, snapshot
        for diagnostic in network.diagnostics:
            assert diagnostic.where.startswith(str(snapshot)) and diagnostic.subject, diagnostic


def test_hybrid_cloud_unmodelled_and_unresolved_are_named(peer_data):
    network = load_source(str(peer_data / "batfish/networks/hybrid-cloud-aws"))
    subjects = {d.subject for d in network.diagnostics if d.kind == "unmodelled"}
    assert {"DBInstances", "DomainStatusList", "VpnConnections", "CustomerGateways", "AvailabilityZones"} <= subjects
    assert [d.subject for d in network.diagnostics if d.kind == "unresolved"] == ["sg-cf3f86b3"]
    blackholes = [(t.id, str(r.destination), r.target.id) for t in network.route_tables for r in t.routes
                  if r.state == "blackhole"]
    assert ("rtb-f28e418b", "0.0.0.0/0") in [(t, d) for t, d, _ in blackholes]


def test_multi_account_layout_stores_account_and_region_from_the_folders(peer_data):
    # The folders are named 123456789012/13 although the data's OwnerIds differ: the folders win.
    network = load_source(str(peer_data / BATFISH_AWS / "test-vpc-peering-multi-account"))
    assert {(v.account, v.region) for v in network.vpcs} == {("123456789012", "us-east-1"), ("123456789013", "us-east-1")}
    assert sum(d.message.startswith("terminated instance") for d in network.diagnostics) == 1


def describe_files(peer_data):
    yield from sorted((peer_data / BATFISH_AWS).glob("*.json"))
    yield from sorted((peer_data / "aws-cli/derived/outputs").glob("*-*.json"))
    yield from sorted((peer_data / "botocore/derived/describe-outputs").glob("*-*.json"))
    yield from sorted((peer_data / "cloudmapper/account-data/demo").rglob("ec2-describe-*.json"))


# Documentation examples with values no AWS account can hold; rejecting them shows values are checked.
INVALID_EXAMPLES = {
    "describe-instances-1.json": "/Reservations/0/Instances/0/NetworkInterfaces/0/PrivateIpAddress: invalid IP "
                                 'address: "10-0-0-157"',
    "DescribeNatGateways-1.json": '/NatGateways/0/NatGatewayAddresses/0/PublicIp: invalid IP address: "198.11.222.333"',
}


def test_single_file_examples(peer_data):
    """Files with a key vpcreach reads load; the others fail with the one-line "no describe-* data" error."""
    loaded = 0
    for path in describe_files(peer_data):
        document = json.loads(path.read_text())
        if path.name in INVALID_EXAMPLES:
            with pytest.raises(InputError) as raised:
                load_source(str(path))
            assert INVALID_EXAMPLES[path.name] in raised.value.problems[0].line()
        elif isinstance(document, dict) and KNOWN_KEYS & set(document):
            network = load_source(str(path))
            assert any(network.counts().values()) or path.name.startswith(("TransitGatewayPropagations",
                                                                           "TransitGatewayStaticRoutes",
                                                                           "ec2-describe-vpc-peering")), path
            loaded += 1
        else:
            with pytest.raises(InputError) as raised:
                load_source(str(path))
            assert "no describe-* data vpcreach reads" in raised.value.problems[0].line()
    assert loaded >= 50


def test_cloud_custodian_recordings_unwrapped(peer_data):
    folder = peer_data / "cloud-custodian/tests/data/placebo/ec2_igw_subnet"
    documents = {p.name: json.loads(p.read_text())["data"] for p in sorted(folder.glob("ec2.Describe*.json"))}
    combined = {key: value for name, doc in documents.items() if "Tags" not in name for key, value in doc.items()}
    network = load_describe_document(combined, str(folder))
    public = {s.id for s in network.subnets if any(
        r.target.kind == "internet-gateway" for r in network.route_table_for_subnet(s.id).routes)}
    assert public == {"subnet-02e1a5b426e2b16a9"}  # custodian's test_vpc.py: the IGW-routed subnet
    assert len(network.instances) == 5
    # Instances with an ENI in the public subnet, as cloud-custodian's test states.
    in_public = {i.id for i in network.instances if any(network.get(e).subnet_id in public for e in i.eni_ids)}
    assert in_public == {"i-05799f38ad9df4c34", "i-0ed351953eb1132ef", "i-08d26c9b0862f70c8"}
