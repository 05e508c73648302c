"""Builds networks in a moto server through real EC2/IAM/STS API calls.

Account 123456789012 / us-east-1 holds the "shop" and "ops" VPCs of fixtures/example/NETWORK.md (ids differ;
names are the Name tags), plus a transit gateway, a gateway VPC endpoint and a VPN gateway.
eu-west-1 holds one small VPC and WORKERS instances in its default VPC; account 222222222222 (reached by assuming a role) holds one VPC.
The IAM users and role that the snapshot tests use are created here too (see `create_identities`).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import boto3

AMI = "ami-12c6146b"  # an image moto knows
MAIN_ACCOUNT = "123456789012"  # moto's default account
PARTNER_ACCOUNT = "222222222222"
MAIN_ROLE = f"arn:aws:iam::{MAIN_ACCOUNT}:role/vpcreach-reader"
PARTNER_ROLE = f"arn:aws:iam::{PARTNER_ACCOUNT}:role/vpcreach-reader"
# eu-west-1's default VPC gets this many one-instance reservations: more than one page of PAGE_SIZE.
# (Pagination is tested there because moto's SearchTransitGatewayRoutes cannot take MaxResults.)
WORKERS = 7
PAGE_SIZE = 5


@dataclass
class Built:
    """Ids of what was built, by Name tag, for assertions."""

    ids: dict[str, str] = field(default_factory=dict)
    keys: dict[str, dict[str, str]] = field(default_factory=dict)  # user name -> access key id and secret


def tags(name: str, **extra: str) -> list[dict[str, Any]]:
    pairs = [{"Key": "Name", "Value": name}] + [{"Key": k, "Value": v} for k, v in extra.items()]
    return pairs


def spec(resource_type: str, name: str, **extra: str) -> list[dict[str, Any]]:
    return [{"ResourceType": resource_type, "Tags": tags(name, **extra)}]


def tcp(port: int, **peer: Any) -> dict[str, Any]:
    return {"IpProtocol": "tcp", "FromPort": port, "ToPort": port, **peer}


def build_shop(ec2: Any, built: Built) -> None:
    ids = built.ids
    shop = ec2.create_vpc(CidrBlock="10.0.0.0/16", AmazonProvidedIpv6CidrBlock=True,
                          TagSpecifications=spec("vpc", "shop"))["Vpc"]["VpcId"]
    ops = ec2.create_vpc(CidrBlock="10.1.0.0/16", TagSpecifications=spec("vpc", "ops"))["Vpc"]["VpcId"]
    ids.update(shop=shop, ops=ops)
    subnets = [("public-a", "us-east-1a", "10.0.0.0/24"), ("public-b", "us-east-1b", "10.0.1.0/24"),
               ("app-a", "us-east-1a", "10.0.10.0/24"), ("app-b", "us-east-1b", "10.0.11.0/24"),
               ("db-a", "us-east-1a", "10.0.20.0/24"), ("db-b", "us-east-1b", "10.0.21.0/24")]
    for name, zone, cidr in subnets:
        ids[name] = ec2.create_subnet(VpcId=shop, CidrBlock=cidr, AvailabilityZone=zone,
                                      TagSpecifications=spec("subnet", name))["Subnet"]["SubnetId"]
    for name in ("public-a", "public-b"):
        ec2.modify_subnet_attribute(SubnetId=ids[name], MapPublicIpOnLaunch={"Value": True})
    ids["ops-a"] = ec2.create_subnet(VpcId=ops, CidrBlock="10.1.0.0/24", AvailabilityZone="us-east-1a",
                                     TagSpecifications=spec("subnet", "ops-a"))["Subnet"]["SubnetId"]

    ids["igw"] = ec2.create_internet_gateway(TagSpecifications=spec("internet-gateway", "shop"))[
        "InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=ids["igw"], VpcId=shop)
    ids["eigw"] = ec2.create_egress_only_internet_gateway(
        VpcId=shop, TagSpecifications=spec("egress-only-internet-gateway", "shop"))["EgressOnlyInternetGateway"][
        "EgressOnlyInternetGatewayId"]
    ids["eip"] = ec2.allocate_address(Domain="vpc")["AllocationId"]
    ids["nat"] = ec2.create_nat_gateway(SubnetId=ids["public-a"], AllocationId=ids["eip"],
                                        TagSpecifications=spec("natgateway", "shop-nat"))["NatGateway"]["NatGatewayId"]
    ids["pcx"] = ec2.create_vpc_peering_connection(VpcId=shop, PeerVpcId=ops)["VpcPeeringConnection"][
        "VpcPeeringConnectionId"]
    ec2.accept_vpc_peering_connection(VpcPeeringConnectionId=ids["pcx"])

    build_shop_routing(ec2, ids)
    build_shop_security(ec2, ids)
    build_shop_instances(ec2, ids)


def build_shop_routing(ec2: Any, ids: dict[str, str]) -> None:
    def table(name: str, vpc: str, routes: list[dict[str, str]], subnets: tuple[str, ...]) -> None:
        rtb = ec2.create_route_table(VpcId=ids[vpc], TagSpecifications=spec("route-table", name))[
            "RouteTable"]["RouteTableId"]
        ids[f"rtb:{name}"] = rtb
        for route in routes:
            ec2.create_route(RouteTableId=rtb, **route)
        for subnet in subnets:
            ec2.associate_route_table(RouteTableId=rtb, SubnetId=ids[subnet])

    table("shop-public", "shop", [{"DestinationCidrBlock": "0.0.0.0/0", "GatewayId": ids["igw"]},
                                 {"DestinationIpv6CidrBlock": "::/0", "GatewayId": ids["igw"]}],
          ("public-a", "public-b"))
    table("shop-app-a", "shop", [{"DestinationCidrBlock": "0.0.0.0/0", "NatGatewayId": ids["nat"]},
                                {"DestinationIpv6CidrBlock": "::/0", "EgressOnlyInternetGatewayId": ids["eigw"]},
                                {"DestinationCidrBlock": "10.1.0.0/16", "VpcPeeringConnectionId": ids["pcx"]}],
          ("app-a",))
    table("shop-app-b", "shop", [{"DestinationCidrBlock": "10.1.0.0/16", "VpcPeeringConnectionId": ids["pcx"]}],
          ("app-b",))
    table("shop-db", "shop", [], ("db-a",))
    table("ops-a", "ops", [{"DestinationCidrBlock": "10.0.0.0/16", "VpcPeeringConnectionId": ids["pcx"]}],
          ("ops-a",))
    # db-b keeps the main route table (no explicit association), as in NETWORK.md.


def build_shop_security(ec2: Any, ids: dict[str, str]) -> None:
    ids["pl-office"] = ec2.create_managed_prefix_list(
        PrefixListName="office", AddressFamily="IPv4", MaxEntries=10,
        Entries=[{"Cidr": "192.0.2.0/24", "Description": "HQ"},
                 {"Cidr": "198.51.100.128/25", "Description": "branch"}])["PrefixList"]["PrefixListId"]
    office = {"PrefixListIds": [{"PrefixListId": ids["pl-office"]}]}

    def group(name: str, vpc: str) -> str:
        ids[f"sg-{name}"] = ec2.create_security_group(GroupName=name, Description=name, VpcId=ids[vpc])["GroupId"]
        return ids[f"sg-{name}"]

    web, app, db, bastion = group("web", "shop"), group("app", "shop"), group("db", "shop"), group("bastion", "ops")
    ec2.authorize_security_group_ingress(GroupId=web, IpPermissions=[
        tcp(443, IpRanges=[{"CidrIp": "0.0.0.0/0"}], Ipv6Ranges=[{"CidrIpv6": "::/0"}]),
        tcp(80, IpRanges=[{"CidrIp": "0.0.0.0/0"}]), tcp(22, **office)])
    ec2.authorize_security_group_ingress(GroupId=app, IpPermissions=[
        tcp(8080, UserIdGroupPairs=[{"GroupId": web}]), tcp(22, UserIdGroupPairs=[{"GroupId": bastion}])])
    ec2.authorize_security_group_ingress(GroupId=db, IpPermissions=[
        tcp(5432, UserIdGroupPairs=[{"GroupId": app}]), tcp(3389, IpRanges=[{"CidrIp": "0.0.0.0/0"}])])
    ec2.authorize_security_group_ingress(GroupId=bastion, IpPermissions=[tcp(22, **office)])

    acl = ec2.create_network_acl(VpcId=ids["shop"], TagSpecifications=spec("network-acl", "shop-db"))[
        "NetworkAcl"]["NetworkAclId"]
    ids["acl-db"] = acl
    for egress, number, ports, cidr in ((False, 100, (5432, 5432), "10.0.10.0/23"),
                                        (False, 200, (1024, 65535), "10.0.0.0/16"),
                                        (True, 100, (1024, 65535), "10.0.10.0/23"),
                                        (True, 200, (443, 443), "0.0.0.0/0")):
        ec2.create_network_acl_entry(NetworkAclId=acl, RuleNumber=number, Protocol="6", RuleAction="allow",
                                     Egress=egress, CidrBlock=cidr, PortRange={"From": ports[0], "To": ports[1]})
    current = ec2.describe_network_acls(Filters=[{"Name": "vpc-id", "Values": [ids["shop"]]},
                                                 {"Name": "default", "Values": ["true"]}])["NetworkAcls"][0]
    for association in current["Associations"]:
        if association["SubnetId"] in (ids["db-a"], ids["db-b"]):
            ec2.replace_network_acl_association(AssociationId=association["NetworkAclAssociationId"],
                                                NetworkAclId=acl)


def build_shop_instances(ec2: Any, ids: dict[str, str]) -> None:
    for name, subnet, address, group, tier in (("web-1", "public-a", "10.0.0.20", "web", None),
                                               ("app-1", "app-a", "10.0.10.20", "app", "app"),
                                               ("db-1", "db-a", "10.0.20.20", "db", "db"),
                                               ("bastion-1", "ops-a", "10.1.0.10", "bastion", None)):
        extra = {"Tier": tier} if tier else {}
        ids[name] = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, SubnetId=ids[subnet],
                                      PrivateIpAddress=address, SecurityGroupIds=[ids[f"sg-{group}"]],
                                      TagSpecifications=spec("instance", name, **extra))["Instances"][0]["InstanceId"]


def build_transit(ec2: Any, ids: dict[str, str]) -> None:
    """A transit gateway with its own route table and a static (blackhole) route; a gateway endpoint; a VGW.

    No VPC attachment: moto 5 lists every attachment, VPC ones included, in DescribeTransitGatewayPeeringAttachments
    (without RequesterTgwInfo), which the importer rightly rejects as malformed.
    """
    ids["tgw"] = ec2.create_transit_gateway(TagSpecifications=spec("transit-gateway", "core"))[
        "TransitGateway"]["TransitGatewayId"]
    ids["tgw-rtb"] = ec2.create_transit_gateway_route_table(TransitGatewayId=ids["tgw"])[
        "TransitGatewayRouteTable"]["TransitGatewayRouteTableId"]
    ec2.create_transit_gateway_route(DestinationCidrBlock="10.50.0.0/16", TransitGatewayRouteTableId=ids["tgw-rtb"],
                                     Blackhole=True)
    # On ops' main table, which the example leaves unnamed, so the example's named tables stay as they are.
    ops_main = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [ids["ops"]]},
                                                  {"Name": "association.main", "Values": ["true"]}])["RouteTables"][0]
    ids["vpce-s3"] = ec2.create_vpc_endpoint(VpcId=ids["ops"], ServiceName="com.amazonaws.us-east-1.s3",
                                             VpcEndpointType="Gateway", RouteTableIds=[ops_main["RouteTableId"]])[
        "VpcEndpoint"]["VpcEndpointId"]
    ids["vgw"] = ec2.create_vpn_gateway(Type="ipsec.1")["VpnGateway"]["VpnGatewayId"]
    ec2.attach_vpn_gateway(VpnGatewayId=ids["vgw"], VpcId=ids["ops"])


def build_small_vpc(ec2: Any, name: str, cidr: str, zone: str) -> dict[str, str]:
    vpc = ec2.create_vpc(CidrBlock=cidr, TagSpecifications=spec("vpc", name))["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock=cidr.replace("/16", "/24"), AvailabilityZone=zone,
                               TagSpecifications=spec("subnet", f"{name}-a"))["Subnet"]["SubnetId"]
    return {name: vpc, f"{name}-a": subnet}


def read_policy(path: str) -> dict[str, Any]:
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def without_action(policy: dict[str, Any], action: str) -> dict[str, Any]:
    statement = dict(policy["Statement"][0], Action=[a for a in policy["Statement"][0]["Action"] if a != action])
    return dict(policy, Statement=[statement])


def create_user(iam: Any, name: str, policy: dict[str, Any]) -> dict[str, str]:
    iam.create_user(UserName=name)
    iam.put_user_policy(UserName=name, PolicyName="vpcreach", PolicyDocument=json.dumps(policy))
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return {"id": key["AccessKeyId"], "secret": key["SecretAccessKey"]}


def create_reader_role(iam: Any, policy: dict[str, Any]) -> None:
    trust = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{MAIN_ACCOUNT}:user/reader"}, "Action": "sts:AssumeRole"}]}
    iam.create_role(RoleName="vpcreach-reader", AssumeRolePolicyDocument=json.dumps(trust))
    iam.put_role_policy(RoleName="vpcreach-reader", PolicyName="vpcreach", PolicyDocument=json.dumps(policy))


def create_identities(iam: Any, partner_iam: Any, policy: dict[str, Any], built: Built) -> None:
    """`reader`: the shipped policy plus sts:AssumeRole on the two reader roles; `limited`: the shipped
    policy without ec2:DescribeNatGateways; and a `vpcreach-reader` role with the shipped policy per account."""
    assume = {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": [MAIN_ROLE, PARTNER_ROLE]}
    built.keys["reader"] = create_user(iam, "reader", dict(policy, Statement=policy["Statement"] + [assume]))
    built.keys["limited"] = create_user(iam, "limited", without_action(policy, "ec2:DescribeNatGateways"))
    create_reader_role(iam, policy)
    create_reader_role(partner_iam, policy)


def build_everything(policy: dict[str, Any]) -> Built:
    """Uses the environment's (unauthenticated) credentials; call before IAM enforcement is switched on."""
    built = Built()
    build_shop(boto3.client("ec2", region_name="us-east-1"), built)
    build_transit(boto3.client("ec2", region_name="us-east-1"), built.ids)
    europe = boto3.client("ec2", region_name="eu-west-1")
    built.ids.update(build_small_vpc(europe, "eu", "10.30.0.0/16", "eu-west-1a"))
    for index in range(WORKERS):  # in the default VPC, one reservation each
        europe.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, TagSpecifications=spec("instance", f"worker-{index}"))
    partner = boto3.client("sts", region_name="us-east-1").assume_role(
        RoleArn=PARTNER_ROLE, RoleSessionName="build")["Credentials"]
    partner_keys = dict(aws_access_key_id=partner["AccessKeyId"], aws_secret_access_key=partner["SecretAccessKey"],
                        aws_session_token=partner["SessionToken"])
    built.ids.update(build_small_vpc(boto3.client("ec2", region_name="us-east-1", **partner_keys),
                                     "partner", "10.40.0.0/16", "us-east-1a"))
    create_identities(boto3.client("iam", region_name="us-east-1"),
                      boto3.client("iam", region_name="us-east-1", **partner_keys), policy, built)
    return built
