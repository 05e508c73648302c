"""describe-* semantics, one small inline document per behaviour (see docs/snapshot-format.md)."""
from __future__ import annotations

import json

import pytest

from vpcreach.errors import InputError
from vpcreach.importers.describe import load_describe, load_describe_document
from vpcreach.model import IcmpMatch, Origin, PortRange, parse_cidr
from vpcreach.model.resources import CidrPeer, GroupPeer, PrefixListRef, PublicIp, RouteTarget

VPC = {"VpcId": "vpc-1", "CidrBlock": "10.0.0.0/16", "OwnerId": "111111111111"}
SUBNET = {"SubnetId": "subnet-1", "VpcId": "vpc-1", "CidrBlock": "10.0.1.0/24", "AvailabilityZone": "us-east-1a"}


def load(**document):
    return load_describe_document(document, "snap.json")


def problems(**document) -> list[str]:
    with pytest.raises(InputError) as raised:
        load(**document)
    return [p.line() for p in raised.value.problems]


def diagnostics(network, kind: str) -> list[str]:
    return [d.line() for d in network.diagnostics if d.kind == kind]


# ---------------------------------------------------------------- VPCs and subnets

def test_vpc_cidrs_keep_primary_first_and_only_associated_blocks():
    vpc = load(Vpcs=[{**VPC, "IsDefault": True, "CidrBlockAssociationSet": [
        {"CidrBlock": "10.0.0.0/16", "CidrBlockState": {"State": "associated"}},
        {"CidrBlock": "10.1.0.0/16", "CidrBlockState": {"State": "associated"}},
        {"CidrBlock": "10.2.0.0/16", "CidrBlockState": {"State": "disassociated"}}],
        "Ipv6CidrBlockAssociationSet": [
        {"Ipv6CidrBlock": "2600:1f18::/56", "Ipv6CidrBlockState": {"State": "associated"}},
        {"Ipv6CidrBlock": "2600:1f19::/56", "Ipv6CidrBlockState": {"State": "associating"}}]}]).vpcs[0]
    assert [str(c) for c in vpc.cidrs_v4] == ["10.0.0.0/16", "10.1.0.0/16"]
    assert [str(c) for c in vpc.cidrs_v6] == ["2600:1f18::/56"]
    assert (vpc.is_default, vpc.account, vpc.origin) == (True, "111111111111", Origin("file", "snap.json", "/Vpcs/0"))


def test_subnet_fields():
    subnet = load(Vpcs=[VPC], Subnets=[{**SUBNET, "MapPublicIpOnLaunch": True, "AssignIpv6AddressOnCreation": True,
                                        "DefaultForAz": True, "Tags": [{"Key": "Name", "Value": "a"}],
                                        "Ipv6CidrBlockAssociationSet": [{"Ipv6CidrBlock": "2600:1f18::/64",
                                                                         "Ipv6CidrBlockState": {"State": "associated"}}]}]
                  ).subnets[0]
    assert (subnet.vpc_id, subnet.availability_zone, str(subnet.cidr_v4), [str(c) for c in subnet.cidrs_v6]) == (
        "vpc-1", "us-east-1a", "10.0.1.0/24", ["2600:1f18::/64"])
    assert (subnet.map_public_ip_on_launch, subnet.assign_ipv6_on_creation, subnet.is_default) == (True, True, True)
    assert subnet.name == "a"


def test_ipv6_only_subnet_needs_no_ipv4_block():
    subnet = load(Subnets=[{"SubnetId": "subnet-6", "VpcId": "vpc-1", "Ipv6Native": True}]).subnets[0]
    assert subnet.cidr_v4 is None


# ---------------------------------------------------------------- route tables

@pytest.mark.parametrize("fields, kind, target_id", [
    ({"GatewayId": "local"}, "local", None),
    ({"GatewayId": "igw-1"}, "internet-gateway", "igw-1"),
    ({"GatewayId": "vgw-1"}, "vpn-gateway", "vgw-1"),
    ({"GatewayId": "vpce-1"}, "vpc-endpoint", "vpce-1"),
    ({"EgressOnlyInternetGatewayId": "eigw-1"}, "egress-only-internet-gateway", "eigw-1"),
    ({"NatGatewayId": "nat-1"}, "nat-gateway", "nat-1"),
    ({"TransitGatewayId": "tgw-1"}, "transit-gateway", "tgw-1"),
    ({"VpcPeeringConnectionId": "pcx-1"}, "vpc-peering", "pcx-1"),
    ({"NetworkInterfaceId": "eni-1"}, "network-interface", "eni-1"),
    ({"InstanceId": "i-1", "InstanceOwnerId": "111111111111", "NetworkInterfaceId": "eni-1"}, "network-interface", "eni-1"),
    ({"InstanceId": "i-1"}, "instance", "i-1"),
    ({"LocalGatewayId": "lgw-1"}, "local-gateway", "lgw-1"),
    ({"CarrierGatewayId": "cagw-1"}, "carrier-gateway", "cagw-1"),
    ({"CoreNetworkArn": "arn:aws:networkmanager::1:core-network/c-1"}, "core-network",
     "arn:aws:networkmanager::1:core-network/c-1"),
])
def test_route_targets(fields, kind, target_id):
    route = load(RouteTables=[{"RouteTableId": "rtb-1", "VpcId": "vpc-1",
                               "Routes": [{"DestinationCidrBlock": "0.0.0.0/0", **fields}]}]).route_tables[0].routes[0]
    assert route.target == RouteTarget(kind, target_id)


def test_route_destinations_states_and_origins():
    routes = load(RouteTables=[{"RouteTableId": "rtb-1", "VpcId": "vpc-1", "Routes": [
        {"DestinationIpv6CidrBlock": "::/0", "GatewayId": "igw-1", "Origin": "CreateRoute", "State": "active"},
        {"DestinationPrefixListId": "pl-1", "GatewayId": "vpce-1", "Origin": "CreateRoute", "State": "active"},
        {"DestinationCidrBlock": "10.9.0.0/16", "NatGatewayId": "nat-gone", "State": "blackhole"},
        {"DestinationCidrBlock": "10.8.0.0/16", "GatewayId": "vgw-1", "Origin": "EnableVgwRoutePropagation"},
    ]}]).route_tables[0].routes
    assert [(str(r.destination), r.state, r.origin_kind) for r in routes] == [
        ("::/0", "active", "CreateRoute"), ("pl-1", "active", "CreateRoute"),
        ("10.9.0.0/16", "blackhole", "CreateRoute"), ("10.8.0.0/16", "active", "EnableVgwRoutePropagation")]
    assert routes[1].destination == PrefixListRef("pl-1")
    assert routes[2].origin == Origin("file", "snap.json", "/RouteTables/0/Routes/2")


def test_unmodelled_route_target_is_named():
    network = load(RouteTables=[{"RouteTableId": "rtb-1", "VpcId": "vpc-1", "Routes": [
        {"DestinationCidrBlock": "10.0.0.0/8", "OdbNetworkArn": "arn:aws:odb:x"}]}])
    assert network.route_tables[0].routes[0].target == RouteTarget("unknown", "arn:aws:odb:x")
    assert diagnostics(network, "unmodelled") == [
        "snap.json#/RouteTables/0/Routes/0/OdbNetworkArn: route target OdbNetworkArn arn:aws:odb:x is not modelled"]


def test_route_table_associations():
    table = load(RouteTables=[{"RouteTableId": "rtb-1", "VpcId": "vpc-1", "PropagatingVgws": [{"GatewayId": "vgw-1"}],
                               "Associations": [
        {"Main": True, "RouteTableAssociationId": "rtbassoc-1", "AssociationState": {"State": "associated"}},
        {"Main": False, "SubnetId": "subnet-1", "RouteTableAssociationId": "rtbassoc-2"},
        {"Main": False, "GatewayId": "igw-1", "RouteTableAssociationId": "rtbassoc-3"},
        {"Main": False, "SubnetId": "subnet-2", "AssociationState": {"State": "disassociated"}}]}]).route_tables[0]
    assert [(a.kind, a.subnet_id, a.gateway_id, a.id) for a in table.associations] == [
        ("main", None, None, "rtbassoc-1"), ("subnet", "subnet-1", None, "rtbassoc-2"),
        ("gateway", None, "igw-1", "rtbassoc-3")]
    assert table.is_main and table.propagating_vgws == ("vgw-1",)


# ---------------------------------------------------------------- network ACLs

def test_nacl_entries_sorted_and_defaults_kept_as_given():
    acl = load(NetworkAcls=[{"NetworkAclId": "acl-1", "VpcId": "vpc-1", "IsDefault": True,
                             "Associations": [{"NetworkAclAssociationId": "aclassoc-1", "SubnetId": "subnet-1"}],
                             "Entries": [
        {"CidrBlock": "0.0.0.0/0", "Egress": False, "Protocol": "-1", "RuleAction": "deny", "RuleNumber": 32767},
        {"Ipv6CidrBlock": "::/0", "Egress": False, "Protocol": "-1", "RuleAction": "deny", "RuleNumber": 32768},
        {"CidrBlock": "10.0.0.0/8", "Egress": False, "Protocol": "6", "RuleAction": "allow", "RuleNumber": 100,
         "PortRange": {"From": 22, "To": 22}},
        {"CidrBlock": "0.0.0.0/0", "Egress": True, "Protocol": "1", "RuleAction": "allow", "RuleNumber": 90,
         "IcmpTypeCode": {"Type": 8, "Code": -1}},
        {"CidrBlock": "0.0.0.0/0", "Egress": True, "Protocol": "17", "RuleAction": "allow", "RuleNumber": 95},
    ]}]).network_acls[0]
    assert [(e.egress, e.rule_number, e.allow, e.protocol, str(e.cidr), e.ports, e.icmp) for e in acl.entries] == [
        (False, 100, True, 6, "10.0.0.0/8", PortRange(22, 22), None),
        (False, 32767, False, -1, "0.0.0.0/0", None, None),
        (False, 32768, False, -1, "::/0", None, None),
        (True, 90, True, 1, "0.0.0.0/0", None, IcmpMatch(8, -1)),
        (True, 95, True, 17, "0.0.0.0/0", PortRange(0, 65535), None),  # UDP without PortRange: every port
        (True, 32767, False, -1, "0.0.0.0/0", None, None),  # the egress catch-all the input left out
    ]
    assert (acl.is_default, acl.subnet_ids) == (True, ("subnet-1",))
    assert acl.entries[0].origin.pointer == "/NetworkAcls/0/Entries/2"
    implied = acl.entries[-1].origin
    assert (implied.kind, implied.pointer, implied.note) == ("implied", "/NetworkAcls/0",
                                                            "the catch-all deny AWS applies last")


# ---------------------------------------------------------------- security groups

def test_ip_permissions_become_one_rule_per_peer():
    group = load(SecurityGroups=[{"GroupId": "sg-1", "GroupName": "web", "VpcId": "vpc-1", "OwnerId": "111",
                                  "IpPermissions": [{
        "IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
        "IpRanges": [{"CidrIp": "0.0.0.0/0", "Description": "world"}], "Ipv6Ranges": [{"CidrIpv6": "::/0"}],
        "PrefixListIds": [{"PrefixListId": "pl-1"}],
        "UserIdGroupPairs": [{"GroupId": "sg-2", "UserId": "222", "VpcId": "vpc-2", "PeeringStatus": "active",
                              "VpcPeeringConnectionId": "pcx-1"}]}],
        "IpPermissionsEgress": [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]}]).security_groups[0]
    assert [(r.peer, r.description, r.origin.pointer) for r in group.ingress] == [
        (CidrPeer(parse_cidr("0.0.0.0/0")), "world", "/SecurityGroups/0/IpPermissions/0/IpRanges/0"),
        (CidrPeer(parse_cidr("::/0")), None, "/SecurityGroups/0/IpPermissions/0/Ipv6Ranges/0"),
        (PrefixListRef("pl-1"), None, "/SecurityGroups/0/IpPermissions/0/PrefixListIds/0"),
        (GroupPeer("sg-2", "222", "vpc-2", "active"), None, "/SecurityGroups/0/IpPermissions/0/UserIdGroupPairs/0"),
    ]
    assert {(r.egress, r.protocol, r.ports) for r in group.ingress} == {(False, 6, PortRange(443, 443))}
    assert [(r.egress, r.protocol, r.ports, r.icmp) for r in group.egress] == [(True, -1, None, None)]
    assert (group.group_name, group.is_default) == ("web", False)


@pytest.mark.parametrize("protocol, from_port, to_port, icmp, valid", [
    ("icmp", 8, 0, IcmpMatch(8, 0), True),
    ("icmp", 3, -1, IcmpMatch(3, -1), True),
    ("1", -1, -1, IcmpMatch(-1, -1), True),
    ("icmpv6", 128, -1, IcmpMatch(128, -1), True),
    ("icmp", -1, 9, IcmpMatch(-1, 9), False),
])
def test_icmp_ports_are_type_and_code(protocol, from_port, to_port, icmp, valid):
    network = load(SecurityGroups=[{"GroupId": "sg-1", "VpcId": "vpc-1", "IpPermissions": [
        {"IpProtocol": protocol, "FromPort": from_port, "ToPort": to_port, "IpRanges": [{"CidrIp": "10.0.0.0/8"}]}]}])
    rule = network.security_groups[0].ingress[0]
    assert (rule.icmp, rule.ports, rule.valid) == (icmp, None, valid)
    assert diagnostics(network, "warning") == ([] if valid else [
        "snap.json#/SecurityGroups/0/IpPermissions/0: ICMP rule with any type but code 9 matches nothing"])


def test_security_group_rules_shape_replaces_ip_permissions_and_keeps_rule_ids():
    network = load(
        SecurityGroups=[{"GroupId": "sg-1", "VpcId": "vpc-1", "IpPermissions": [
            {"IpProtocol": "-1", "UserIdGroupPairs": [{"GroupId": "sg-1", "UserId": "111"}]}]}],
        SecurityGroupRules=[
            {"SecurityGroupRuleId": "sgr-1", "GroupId": "sg-1", "GroupOwnerId": "111", "IsEgress": False,
             "IpProtocol": "-1", "FromPort": -1, "ToPort": -1, "ReferencedGroupInfo": {"GroupId": "sg-1", "UserId": "111"}},
            {"SecurityGroupRuleId": "sgr-2", "GroupId": "sg-1", "IsEgress": True, "IpProtocol": "tcp",
             "FromPort": 443, "ToPort": 443, "CidrIpv6": "::/0"},
            {"SecurityGroupRuleId": "sgr-3", "GroupId": "sg-9", "GroupOwnerId": "111", "IsEgress": True,
             "IpProtocol": "udp", "FromPort": 53, "ToPort": 53, "PrefixListId": "pl-1"}])
    one, nine = network.security_groups
    assert [(r.rule_id, r.peer) for r in one.ingress] == [("sgr-1", GroupPeer("sg-1", "111"))]
    assert [(r.rule_id, str(r.peer), r.ports) for r in one.egress] == [("sgr-2", "::/0", PortRange(443, 443))]
    assert (nine.vpc_id, nine.account, [r.peer for r in nine.egress]) == (None, "111", [PrefixListRef("pl-1")])
    assert "snap.json#/SecurityGroupRules/2: security group sg-9 has rules but is not in describe-security-groups " \
           "(its VPC and name are unknown)" in diagnostics(network, "unresolved")


# ---------------------------------------------------------------- interfaces and instances

ENI = {
    "NetworkInterfaceId": "eni-1", "SubnetId": "subnet-1", "VpcId": "vpc-1", "InterfaceType": "interface",
    "PrivateIpAddress": "10.0.1.5", "SourceDestCheck": False, "Status": "in-use", "Description": "web",
    "Association": {"IpOwnerId": "amazon", "PublicIp": "203.0.113.5"},
    "Attachment": {"InstanceId": "i-1", "DeviceIndex": 0, "Status": "attached"},
    "Groups": [{"GroupId": "sg-1", "GroupName": "web"}, {"GroupId": "sg-2", "GroupName": "ssh"}],
    "Ipv6Addresses": [{"Ipv6Address": "2600:1f18::5"}],
    "PrivateIpAddresses": [
        {"Primary": False, "PrivateIpAddress": "10.0.1.6",
         "Association": {"AllocationId": "eipalloc-1", "IpOwnerId": "111", "PublicIp": "198.51.100.6"}},
        {"Primary": True, "PrivateIpAddress": "10.0.1.5", "Association": {"IpOwnerId": "amazon", "PublicIp": "203.0.113.5"}}],
    "TagSet": [{"Key": "Name", "Value": "web-eni"}],
}


def test_network_interface_fields():
    eni = load(NetworkInterfaces=[ENI]).network_interfaces[0]
    assert eni.private_ips == ("10.0.1.5", "10.0.1.6")
    assert eni.public_ips == (
        PublicIp(address="198.51.100.6", private_ip="10.0.1.6", kind="eip", allocation_id="eipalloc-1"),
        PublicIp(address="203.0.113.5", private_ip="10.0.1.5", kind="auto"))
    assert (eni.ipv6_addresses, eni.security_group_ids) == (("2600:1f18::5",), ("sg-1", "sg-2"))
    assert (eni.source_dest_check, eni.interface_type, eni.instance_id, eni.device_index) == (False, "interface", "i-1", 0)
    assert (eni.status, eni.description, eni.name, eni.requester_managed) == ("in-use", "web", "web-eni", False)


def test_eip_is_recognised_by_its_owner_even_without_allocation_id():
    eni = load(NetworkInterfaces=[{"NetworkInterfaceId": "eni-1", "SubnetId": "subnet-1", "PrivateIpAddress": "10.0.1.5",
                                   "Association": {"IpOwnerId": "111111111111", "PublicIp": "198.51.100.1"}}]
               ).network_interfaces[0]
    assert eni.public_ips[0].kind == "eip"


def test_instances_bring_their_interfaces_and_terminated_ones_are_skipped_with_a_diagnostic():
    embedded = {k: v for k, v in ENI.items() if k not in ("TagSet",)}
    embedded["Attachment"] = {"DeviceIndex": 0, "Status": "attached"}
    network = load(Reservations=[{"OwnerId": "111", "Instances": [
        {"InstanceId": "i-1", "State": {"Name": "running"}, "SubnetId": "subnet-1", "VpcId": "vpc-1",
         "PrivateIpAddress": "10.0.1.5", "PublicIpAddress": "203.0.113.5", "NetworkInterfaces": [embedded],
         "SecurityGroups": [{"GroupId": "sg-1"}]},
        {"InstanceId": "i-2", "State": {"Name": "terminated"}, "NetworkInterfaces": []}]}])
    instance, = network.instances
    assert (instance.eni_ids, instance.public_ip, instance.security_group_ids, instance.account) == (
        ("eni-1",), "203.0.113.5", ("sg-1",), "111")
    eni, = network.network_interfaces
    assert (eni.instance_id, eni.origin.pointer) == ("i-1", "/Reservations/0/Instances/0/NetworkInterfaces/0")
    assert "snap.json#/Reservations/0/Instances/1: terminated instance i-2 skipped" in diagnostics(network, "unmodelled")


def test_describe_network_interfaces_wins_over_the_copy_inside_describe_instances():
    network = load(NetworkInterfaces=[ENI], Reservations=[{"Instances": [
        {"InstanceId": "i-1", "State": {"Name": "running"}, "NetworkInterfaces": [
            {"NetworkInterfaceId": "eni-1", "SubnetId": "subnet-1", "PrivateIpAddress": "10.0.1.5"}]}]}])
    assert network.network_interfaces[0].origin.pointer == "/NetworkInterfaces/0"


def test_elastic_ips_and_nat_gateways():
    network = load(
        Addresses=[{"AllocationId": "eipalloc-1", "PublicIp": "198.51.100.1", "AssociationId": "eipassoc-1",
                    "NetworkInterfaceId": "eni-1", "PrivateIpAddress": "10.0.1.5", "Domain": "vpc"},
                   {"PublicIp": "198.51.100.2", "Domain": "standard", "InstanceId": "i-1"}],
        NatGateways=[{"NatGatewayId": "nat-1", "SubnetId": "subnet-1", "VpcId": "vpc-1", "State": "available",
                      "ConnectivityType": "private", "NatGatewayAddresses": [
                          {"NetworkInterfaceId": "eni-9", "PrivateIp": "10.0.1.9", "IsPrimary": True},
                          {"NetworkInterfaceId": "eni-9", "PrivateIp": "10.0.1.10", "IsPrimary": False}]}])
    assert [(e.id, e.public_ip, e.eni_id, e.domain) for e in network.elastic_ips] == [
        ("198.51.100.2", "198.51.100.2", None, "standard"), ("eipalloc-1", "198.51.100.1", "eni-1", "vpc")]
    nat, = network.nat_gateways
    assert (nat.connectivity, [(a.private_ip, a.public_ip, a.eni_id, a.is_primary) for a in nat.addresses]) == (
        "private", [("10.0.1.9", None, "eni-9", True), ("10.0.1.10", None, "eni-9", False)])


def test_gateway_attachments_count_only_when_attached():
    network = load(
        InternetGateways=[{"InternetGatewayId": "igw-1", "Attachments": [{"State": "available", "VpcId": "vpc-1"}]},
                          {"InternetGatewayId": "igw-2", "Attachments": [{"State": "detaching", "VpcId": "vpc-1"}]}],
        EgressOnlyInternetGateways=[{"EgressOnlyInternetGatewayId": "eigw-1",
                                     "Attachments": [{"State": "attached", "VpcId": "vpc-1"}]}],
        VpnGateways=[{"VpnGatewayId": "vgw-1", "State": "available", "Type": "ipsec.1",
                      "VpcAttachments": [{"State": "attached", "VpcId": "vpc-1"}, {"State": "detached", "VpcId": "vpc-2"}]}])
    assert [g.vpc_ids for g in network.internet_gateways] == [("vpc-1",), ()]
    assert network.egress_only_internet_gateways[0].vpc_ids == ("vpc-1",)
    assert network.vpn_gateways[0].vpc_ids == ("vpc-1",)


# ---------------------------------------------------------------- peering, prefix lists, endpoints

def test_peering_both_sides():
    pcx, = load(VpcPeeringConnections=[{
        "VpcPeeringConnectionId": "pcx-1", "Status": {"Code": "pending-acceptance", "Message": "Pending"},
        "RequesterVpcInfo": {"VpcId": "vpc-1", "OwnerId": "111", "Region": "us-east-1", "CidrBlock": "10.0.0.0/16",
                             "CidrBlockSet": [{"CidrBlock": "10.0.0.0/16"}, {"CidrBlock": "10.5.0.0/16"}],
                             "Ipv6CidrBlockSet": [{"Ipv6CidrBlock": "2600:1f18::/56"}]},
        "AccepterVpcInfo": {"VpcId": "vpc-2", "OwnerId": "222"}}]).peering_connections
    assert (pcx.status, pcx.is_active, pcx.account) == ("pending-acceptance", False, "111")
    assert [str(c) for c in pcx.requester.cidrs_v4 + pcx.requester.cidrs_v6] == [
        "10.0.0.0/16", "10.5.0.0/16", "2600:1f18::/56"]
    assert (pcx.requester.region, pcx.accepter.vpc_id, pcx.accepter.account, pcx.accepter.cidrs_v4) == (
        "us-east-1", "vpc-2", "222", ())


def test_prefix_lists_from_the_three_calls():
    network = load(
        PrefixLists=[{"PrefixListId": "pl-s3", "PrefixListName": "com.amazonaws.us-east-1.s3",
                      "Cidrs": ["52.216.0.0/15", "3.5.0.0/19"]},
                     {"PrefixListId": "pl-mine", "PrefixListName": "office", "AddressFamily": "IPv4",
                      "MaxEntries": 10, "OwnerId": "111", "State": "create-complete"},
                     {"PrefixListId": "pl-unread", "AddressFamily": "IPv6", "OwnerId": "AWS", "MaxEntries": 5}],
        ManagedPrefixListEntries=[{"PrefixListId": "pl-mine", "Entries": [
            {"Cidr": "192.0.2.0/24", "Description": "HQ"}]}])
    by_id = {p.id: p for p in network.prefix_lists}
    s3, mine, unread = by_id["pl-s3"], by_id["pl-mine"], by_id["pl-unread"]
    assert ([str(e.cidr) for e in s3.entries], s3.aws_managed, s3.address_family) == (
        ["52.216.0.0/15", "3.5.0.0/19"], True, "IPv4")
    assert ([(str(e.cidr), e.description) for e in mine.entries], mine.max_entries, mine.account, mine.aws_managed) == (
        [("192.0.2.0/24", "HQ")], 10, "111", False)
    assert (unread.entries_known, unread.aws_managed, unread.entries) == (False, True, ())


def test_vpc_endpoints():
    endpoint, = load(VpcEndpoints=[{"VpcEndpointId": "vpce-1", "VpcEndpointType": "Interface", "VpcId": "vpc-1",
                                    "ServiceName": "com.amazonaws.us-east-1.s3", "State": "Available",
                                    "RouteTableIds": [], "SubnetIds": ["subnet-1"], "NetworkInterfaceIds": ["eni-7"],
                                    "Groups": [{"GroupId": "sg-1", "GroupName": "x"}]}]).vpc_endpoints
    assert (endpoint.endpoint_type, endpoint.state, endpoint.subnet_ids, endpoint.eni_ids,
            endpoint.security_group_ids) == ("Interface", "available", ("subnet-1",), ("eni-7",), ("sg-1",))


# ---------------------------------------------------------------- transit gateways

def test_transit_gateways_attachments_and_route_tables():
    network = load(
        TransitGateways=[{"TransitGatewayId": "tgw-1", "State": "available", "OwnerId": "111", "Options": {
            "AmazonSideAsn": 64512, "DefaultRouteTableAssociation": "enable", "AssociationDefaultRouteTableId": "tgw-rtb-1",
            "DefaultRouteTablePropagation": "disable", "PropagationDefaultRouteTableId": "tgw-rtb-1"}}],
        TransitGatewayAttachments=[
            {"TransitGatewayAttachmentId": "tgw-attach-1", "TransitGatewayId": "tgw-1", "ResourceType": "vpc",
             "ResourceId": "vpc-1", "ResourceOwnerId": "111", "State": "available",
             "Association": {"TransitGatewayRouteTableId": "tgw-rtb-1", "State": "associated"}},
            {"TransitGatewayAttachmentId": "tgw-attach-2", "TransitGatewayId": "tgw-1", "ResourceType": "peering",
             "ResourceId": "tgw-9", "State": "available"}],
        TransitGatewayVpcAttachments=[{"TransitGatewayAttachmentId": "tgw-attach-1", "TransitGatewayId": "tgw-1",
                                       "VpcId": "vpc-1", "SubnetIds": ["subnet-1", "subnet-2"], "State": "available"}],
        TransitGatewayRouteTables=[
            {"TransitGatewayRouteTableId": "tgw-rtb-1", "TransitGatewayId": "tgw-1", "State": "available",
             "DefaultAssociationRouteTable": True, "DefaultPropagationRouteTable": False},
            {"TransitGatewayRouteTableId": "tgw-rtb-2", "TransitGatewayId": "tgw-1", "State": "available"},
            {"TransitGatewayRouteTableId": "tgw-rtb-old", "TransitGatewayId": "tgw-1", "State": "deleted"}],
        TransitGatewayStaticRoutes=[{"TransitGatewayRouteTableId": "tgw-rtb-1", "Routes": [
            {"DestinationCidrBlock": "10.0.0.0/8", "State": "active", "Type": "static",
             "TransitGatewayAttachments": [{"TransitGatewayAttachmentId": "tgw-attach-2", "ResourceType": "peering"}]},
            {"DestinationCidrBlock": "192.168.0.0/16", "State": "blackhole", "Type": "static"}]}],
        TransitGatewayPropagations=[{"TransitGatewayRouteTableId": "tgw-rtb-1", "TransitGatewayRouteTablePropagations": [
            {"TransitGatewayAttachmentId": "tgw-attach-1", "State": "enabled"},
            {"TransitGatewayAttachmentId": "tgw-attach-2", "State": "disabled"}]}],
        TransitGatewayRouteTableAssociations=[{"TransitGatewayRouteTableId": "tgw-rtb-2", "Associations": [
            {"TransitGatewayAttachmentId": "tgw-attach-2", "ResourceType": "peering", "State": "associated"}]}])
    tgw, = network.transit_gateways
    assert (tgw.asn, tgw.default_association_route_table_id, tgw.default_propagation_route_table_id) == (
        64512, "tgw-rtb-1", None)
    vpc_attachment, peering = network.transit_gateway_attachments
    assert (vpc_attachment.resource_type, vpc_attachment.resource_id, vpc_attachment.subnet_ids,
            vpc_attachment.association_route_table_id, vpc_attachment.origin.pointer) == (
        "vpc", "vpc-1", ("subnet-1", "subnet-2"), "tgw-rtb-1", "/TransitGatewayAttachments/0")
    assert peering.peer_transit_gateway_id == "tgw-9"
    one, two = network.transit_gateway_route_tables
    assert [(str(r.destination), r.attachment_ids, r.state) for r in one.routes] == [
        ("10.0.0.0/8", ("tgw-attach-2",), "active"), ("192.168.0.0/16", (), "blackhole")]
    assert (one.associations, one.propagations, one.routes_known, one.is_default_association) == (
        ("tgw-attach-1",), ("tgw-attach-1",), True, True)
    assert (two.associations, two.routes_known) == (("tgw-attach-2",), False)
    assert "snap.json#/TransitGatewayRouteTables/2: deleted transit gateway route table tgw-rtb-old skipped" in \
        diagnostics(network, "unmodelled")


def test_peering_attachment_seen_from_both_transit_gateways_is_one_attachment():
    network = load(
        TransitGatewayPeeringAttachments=[{"TransitGatewayAttachmentId": "tgw-attach-p", "State": "available",
                                           "RequesterTgwInfo": {"TransitGatewayId": "tgw-1", "OwnerId": "111"},
                                           "AccepterTgwInfo": {"TransitGatewayId": "tgw-2", "OwnerId": "222"}}],
        TransitGatewayAttachments=[{"TransitGatewayAttachmentId": "tgw-attach-p", "TransitGatewayId": "tgw-2",
                                    "ResourceType": "peering", "ResourceId": "tgw-1"}])
    attachment, = network.transit_gateway_attachments  # the first call to describe it gives its perspective
    assert (attachment.transit_gateway_id, attachment.peer_transit_gateway_id, attachment.resource_account) == (
        "tgw-1", "tgw-2", "222")


# ---------------------------------------------------------------- unmodelled and unresolved

def test_every_other_key_is_named_with_its_count_and_envelopes_are_handled():
    network = load(Vpcs=[VPC], LoadBalancers=[{}, {}], DhcpOptions=[{}], AvailabilityZones=[],
                   ResponseMetadata={"RequestId": "x"}, NextToken="abc")
    assert diagnostics(network, "unmodelled") == [
        "snap.json: DhcpOptions: 1 item not modelled", "snap.json: LoadBalancers: 2 items not modelled"]
    assert diagnostics(network, "warning") == [
        "snap.json: output is one page of several (NextToken is set): resources on the other pages are missing"]


def test_references_to_absent_resources_are_unresolved_when_their_type_was_not_read():
    network = load(Subnets=[SUBNET], NetworkInterfaces=[ENI],
                   SecurityGroups=[{"GroupId": "sg-1", "VpcId": "vpc-1", "OwnerId": "111", "IpPermissions": [
                       {"IpProtocol": "-1", "UserIdGroupPairs": [{"GroupId": "sg-404", "UserId": "111"},
                                                                 {"GroupId": "sg-elsewhere", "UserId": "999"}]}]}],
                   RouteTables=[{"RouteTableId": "rtb-1", "VpcId": "vpc-1", "Routes": [
                       {"DestinationCidrBlock": "0.0.0.0/0", "GatewayId": "igw-404", "State": "active"},
                       {"DestinationCidrBlock": "10.9.0.0/16", "NatGatewayId": "nat-gone", "State": "blackhole"}]}])
    assert diagnostics(network, "unresolved") == [
        "snap.json#/NetworkInterfaces/0/Groups/1/GroupId: security group sg-2 is not in the snapshot",
        "snap.json#/RouteTables/0/Routes/0/GatewayId: internet gateway igw-404 is not in the snapshot",
        "snap.json#/RouteTables/0/VpcId: VPC vpc-1 is not in the snapshot",
        "snap.json#/SecurityGroups/0/IpPermissions/0/UserIdGroupPairs/0/GroupId: security group sg-404 is not in the snapshot",
        "snap.json#/SecurityGroups/0/VpcId: VPC vpc-1 is not in the snapshot",
        "snap.json#/Subnets/0/VpcId: VPC vpc-1 is not in the snapshot",
    ]


@pytest.mark.parametrize("document, line", [
    ({"Vpcs": [VPC], "Subnets": [{**SUBNET, "VpcId": "vpc-2"}]},
     'snap.json#/Subnets/0/VpcId: reference to a VPC that is not in the snapshot: "vpc-2" '
     "(expected a VPC listed in the same folder's describe-* output)"),
    ({"Subnets": [SUBNET], "NetworkInterfaces": [{**ENI, "SubnetId": "subnet-2"}]},
     'snap.json#/NetworkInterfaces/0/SubnetId: reference to a subnet that is not in the snapshot: "subnet-2" '
     "(expected a subnet listed in the same folder's describe-* output)"),
    ({"Vpcs": [VPC], "RouteTables": [{"RouteTableId": "rtb-1", "VpcId": "vpc-2"}]},
     'snap.json#/RouteTables/0/VpcId: reference to a VPC that is not in the snapshot: "vpc-2" '
     "(expected a VPC listed in the same folder's describe-* output)"),
    ({"Vpcs": [VPC], "NetworkAcls": [{"NetworkAclId": "acl-1", "VpcId": "vpc-2"}]},
     'snap.json#/NetworkAcls/0/VpcId: reference to a VPC that is not in the snapshot: "vpc-2" '
     "(expected a VPC listed in the same folder's describe-* output)"),
])
def test_model_critical_reference_missing_from_loaded_output_is_an_error(document, line):
    assert problems(**document) == [line]


def test_association_to_a_subnet_absent_from_loaded_subnets_is_unresolved_not_an_error():
    network = load(Vpcs=[VPC], Subnets=[SUBNET], NetworkAcls=[{"NetworkAclId": "acl-1", "VpcId": "vpc-1",
                                                               "Associations": [{"SubnetId": "subnet-gone"}]}])
    assert diagnostics(network, "unresolved") == [
        "snap.json#/NetworkAcls/0/Associations/0/SubnetId: subnet subnet-gone is not in the snapshot"]


def test_duplicate_id_in_one_folder_keeps_the_first_with_a_warning():
    network = load(Vpcs=[VPC, {**VPC, "CidrBlock": "10.9.0.0/16"}])
    assert [str(v.cidrs_v4[0]) for v in network.vpcs] == ["10.0.0.0/16"]
    assert diagnostics(network, "warning") == ["snap.json#/Vpcs/1: vpc-1 is listed twice; using snap.json#/Vpcs/0"]


# ---------------------------------------------------------------- folders and layouts

def write(folder, name, document):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(json.dumps(document))


def test_batfish_layout_gives_account_and_region_and_any_of_three_paths_works(tmp_path):
    configs = tmp_path / "snap" / "aws_configs"
    write(configs / "accounts" / "222" / "eu-west-1", "x.json", {"Vpcs": [{"VpcId": "vpc-b", "CidrBlock": "10.2.0.0/16"}]})
    write(configs / "us-east-1", "Vpcs.json", {"Vpcs": [{"VpcId": "vpc-a", "CidrBlock": "10.1.0.0/16", "OwnerId": "111"}]})
    write(configs / "us-east-1", "Igw.json", {"InternetGateways": [{"InternetGatewayId": "igw-a"}]})
    (tmp_path / "snap" / "hosts").mkdir()
    write(tmp_path / "snap" / "hosts", "srv.json", {"hostname": "srv-101"})  # outside aws_configs: not read
    (configs / "us-east-1" / "notes.md").write_text("ignored")
    via_snapshot = load_describe(str(tmp_path / "snap"))
    via_configs = load_describe(str(configs))
    assert [(v.id, v.account, v.region) for v in via_snapshot.vpcs] == [
        ("vpc-a", "111", "us-east-1"), ("vpc-b", "222", "eu-west-1")]
    assert via_snapshot.vpcs[1].origin == Origin("file", str(configs / "accounts/222/eu-west-1/x.json"), "/Vpcs/0",
                                                 region="eu-west-1", account="222")
    # A region-only folder's account is the one its resources state, for those that state none.
    assert via_snapshot.internet_gateways[0].account == "111"
    assert via_snapshot.diagnostics == ()
    assert [(v.id, v.account, v.region) for v in via_configs.vpcs] == [
        (v.id, v.account, v.region) for v in via_snapshot.vpcs]


def test_plain_folder_reads_json_recursively_and_reports_other_json_as_unmodelled(tmp_path):
    write(tmp_path / "b", "vpcs.json", {"Vpcs": [VPC]})
    write(tmp_path / "a", "lb.json", {"LoadBalancers": [{"LoadBalancerName": "x"}]})
    (tmp_path / "main.tf").write_text('resource "aws_vpc" "x" {}')
    network = load_describe(str(tmp_path))
    assert [v.id for v in network.vpcs] == ["vpc-1"]
    assert [d.line() for d in network.diagnostics] == [f"{tmp_path}/a/lb.json: LoadBalancers: 1 item not modelled"]


def test_folder_without_describe_data_is_an_error(tmp_path):
    write(tmp_path, "lb.json", {"LoadBalancers": []})
    with pytest.raises(InputError) as raised:
        load_describe(str(tmp_path))
    assert [p.line() for p in raised.value.problems] == [
        f'{tmp_path}: no describe-* data found in 1 .json file (expected a top-level key such as Vpcs, Subnets or '
        "RouteTables; see docs/snapshot-format.md)"]


def test_problems_from_several_files_are_reported_together(tmp_path):
    write(tmp_path, "a.json", {"Vpcs": [{"VpcId": "vpc-1", "CidrBlock": "nope"}]})
    (tmp_path / "b.json").write_text('{"Subnets": [')
    with pytest.raises(InputError) as raised:
        load_describe(str(tmp_path))
    assert [p.line() for p in raised.value.problems] == [
        f'{tmp_path}/a.json#/Vpcs/0/CidrBlock: invalid CIDR: "nope" (expected a CIDR block such as 10.0.0.0/16 or '
        "2001:db8::/56)",
        f"{tmp_path}/b.json:1:14: invalid JSON: Expecting value (expected a JSON object as printed by aws ec2 describe-*)"]


def test_resources_are_sorted_by_id_regardless_of_file_order():
    network = load(Vpcs=[{**VPC, "VpcId": "vpc-b"}, {**VPC, "VpcId": "vpc-a"}])
    assert [v.id for v in network.vpcs] == ["vpc-a", "vpc-b"]
