"""The boundaries of individual checks: what each must report, and the look-alikes it must leave alone."""
from __future__ import annotations

import copy

import pytest

from vpcreach.checks.catalogue import find_rule, load_catalogue, run_rules
from vpcreach.importers.describe import load_describe_document

CATALOGUE = load_catalogue()
VPC = {"VpcId": "vpc-1", "CidrBlock": "10.0.0.0/16"}
LOCAL = {"DestinationCidrBlock": "10.0.0.0/16", "GatewayId": "local"}


def messages(rule_name: str, document: dict) -> list[str]:
    network = load_describe_document(document, "edge.json")
    return [f.message for f in run_rules(network, [find_rule(CATALOGUE, rule_name)])]


def subnet(subnet_id: str, az: str, cidr: str, name: str | None = None) -> dict:
    item = {"SubnetId": subnet_id, "VpcId": "vpc-1", "CidrBlock": cidr, "AvailabilityZone": az}
    return {**item, "Tags": [{"Key": "Name", "Value": name}]} if name else item


def table(table_id: str, subnet_id: str, *routes: dict) -> dict:
    return {"RouteTableId": table_id, "VpcId": "vpc-1", "Routes": [LOCAL, *routes],
            "Associations": [{"SubnetId": subnet_id, "RouteTableAssociationId": f"assoc-{table_id}"}]}


NAT = {"NatGatewayId": "nat-1", "SubnetId": "subnet-pub", "VpcId": "vpc-1", "State": "available",
       "ConnectivityType": "public"}
TO_NAT = {"DestinationCidrBlock": "0.0.0.0/0", "NatGatewayId": "nat-1"}
TO_PEER = {"DestinationCidrBlock": "10.1.0.0/16", "VpcPeeringConnectionId": "pcx-1"}
TO_TGW = {"DestinationCidrBlock": "0.0.0.0/0", "TransitGatewayId": "tgw-1"}


def nat_network(second_az: str, second_name: str | None, *second_routes: dict) -> dict:
    return {"Vpcs": [VPC], "NatGateways": [NAT],
            "Subnets": [subnet("subnet-pub", "us-east-1a", "10.0.0.0/24"),
                        subnet("subnet-x", "us-east-1a", "10.0.10.0/24"),
                        subnet("subnet-y", second_az, "10.0.11.0/24", second_name)],
            "RouteTables": [table("rtb-x", "subnet-x", TO_NAT, TO_PEER), table("rtb-y", "subnet-y", *second_routes)]}


@pytest.mark.parametrize("document, reported", [
    pytest.param(nat_network("us-east-1b", None, TO_PEER), True, id="same-non-default-routes-make-peers"),
    pytest.param(nat_network("us-east-1b", None), False, id="a-local-only-tier-is-isolated-not-broken"),
    pytest.param(nat_network("us-east-1a", None, TO_PEER), False, id="same-az-is-not-a-peer"),
    pytest.param(nat_network("us-east-1b", None, TO_PEER, TO_TGW), False, id="a-default-route-elsewhere-is-fine"),
])
def test_missing_nat_route_peers(document, reported):
    assert bool(messages("missing-nat-route", document)) == reported


def acl(*entries: dict, subnets: tuple[str, ...] = ()) -> dict:
    return {"NetworkAclId": "acl-1", "VpcId": "vpc-1", "IsDefault": False,
            "Associations": [{"SubnetId": s, "NetworkAclId": "acl-1"} for s in subnets], "Entries": list(entries)}


def entry(number: int, action: str, cidr: str, protocol: str = "6", ports: tuple[int, int] | None = None,
          egress: bool = False) -> dict:
    item = {"RuleNumber": number, "Egress": egress, "Protocol": protocol, "RuleAction": action,
            ("Ipv6CidrBlock" if ":" in cidr else "CidrBlock"): cidr}
    return {**item, "PortRange": {"From": ports[0], "To": ports[1]}} if ports else item


def test_an_entry_shadowed_by_the_union_of_earlier_entries():
    document = {"Vpcs": [VPC], "NetworkAcls": [acl(
        entry(100, "allow", "0.0.0.0/1", ports=(0, 65535)), entry(110, "deny", "128.0.0.0/1", ports=(0, 1023)),
        entry(120, "deny", "0.0.0.0/0", ports=(22, 22)),  # shadowed: 100 and 110 decide all of it
        entry(130, "deny", "0.0.0.0/0", ports=(8080, 8080)),  # only half decided: still matches 128.0.0.0/1
        entry(140, "deny", "::/0", ports=(22, 22)))]}  # IPv6 is a separate space
    assert messages("nacl-entry-shadowed", document) == [
        "network ACL acl-1: entry 120 (deny tcp/22 from 0.0.0.0/0) can never match: lower-numbered entries "
        "100, 110 already decide all of its traffic"]


def asymmetric_network(*routes: dict) -> dict:
    return {"Vpcs": [VPC], "InternetGateways": [{"InternetGatewayId": "igw-1",
                                                 "Attachments": [{"VpcId": "vpc-1", "State": "available"}]}],
            "Subnets": [subnet("subnet-1", "us-east-1a", "10.0.1.0/24")],
            "RouteTables": [table("rtb-1", "subnet-1", *routes)],
            "SecurityGroups": [{"GroupId": "sg-1", "GroupName": "web", "VpcId": "vpc-1", "Description": "web",
                                "IpPermissions": [{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
                                                   "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}],
                                "IpPermissionsEgress": []}],
            "NetworkInterfaces": [{"NetworkInterfaceId": "eni-1", "SubnetId": "subnet-1", "VpcId": "vpc-1",
                                   "PrivateIpAddress": "10.0.1.10", "Groups": [{"GroupId": "sg-1"}]}],
            "NetworkAcls": [acl(entry(100, "allow", "0.0.0.0/0", ports=(443, 443)),
                                entry(100, "allow", "10.0.0.0/16", ports=(1024, 65535), egress=True),
                                subnets=("subnet-1",))]}


def test_replies_are_judged_only_for_peers_the_subnet_can_reach():
    # Inside the VPC, replies to 10.0.0.0/16 pass; the internet is only a peer once a route leads to it.
    assert messages("asymmetric-nacl", asymmetric_network()) == []
    assert messages("asymmetric-nacl", asymmetric_network({"DestinationCidrBlock": "0.0.0.0/0",
                                                           "GatewayId": "igw-1"})) == [
        "network ACL acl-1 admits tcp/443 from 0.0.0.0/0 except 10.0.0.0/16 into subnet subnet-1, but its outbound "
        "entries drop every reply on ports 1024-65535"]


def test_a_prefix_list_and_a_cidr_can_add_up_to_the_world():
    document = {"Vpcs": [VPC],
                "ManagedPrefixListEntries": [{"PrefixListId": "pl-half", "Entries": [{"Cidr": "0.0.0.0/1"}]}],
                "SecurityGroups": [{"GroupId": "sg-1", "GroupName": "admin", "VpcId": "vpc-1", "Description": "x",
                                    "IpPermissions": [{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22,
                                                       "PrefixListIds": [{"PrefixListId": "pl-half"}],
                                                       "IpRanges": [{"CidrIp": "128.0.0.0/1"}]}],
                                    "IpPermissionsEgress": []}]}
    assert messages("sg-ingress-admin-port-open-to-world", document) == [
        "security group sg-1 (admin) allows tcp/22 from 128.0.0.0/1, pl-half (together every IPv4 internet "
        "address); it is attached to no network interface"]
    narrower = copy.deepcopy(document)
    narrower["ManagedPrefixListEntries"][0]["Entries"] = [{"Cidr": "0.0.0.0/2"}]
    assert messages("sg-ingress-admin-port-open-to-world", narrower) == []


def test_a_peering_to_a_vpc_outside_the_snapshot_is_not_judged_for_that_side():
    document = {"Vpcs": [{"VpcId": "vpc-a", "CidrBlock": "10.0.0.0/16"}],
                "VpcPeeringConnections": [{
                    "VpcPeeringConnectionId": "pcx-1", "Status": {"Code": "active"},
                    "RequesterVpcInfo": {"VpcId": "vpc-a", "OwnerId": "111111111111", "CidrBlock": "10.0.0.0/16"},
                    "AccepterVpcInfo": {"VpcId": "vpc-b", "OwnerId": "222222222222", "CidrBlock": "10.1.0.0/16"}}],
                "RouteTables": [{"RouteTableId": "rtb-a", "VpcId": "vpc-a", "Routes": [LOCAL],
                                 "Associations": [{"Main": True, "RouteTableAssociationId": "a"}]}]}
    assert messages("peering-route-missing", document) == [
        "active peering pcx-1 between vpc-a and vpc-b: no route table of vpc-a sends traffic to vpc-b through it (the "
        "route tables of vpc-b are not in the snapshot), so no connection between the two VPCs can work"]
