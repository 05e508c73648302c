"""Generate a deterministic synthetic AWS network as describe-* JSON, for the benchmarks in bench/.

    python3 bench/generate.py --enis 10000 --out /tmp/net10k            (--vpcs, --azs, --seed, --services)

Writes `<out>/aws_configs/accounts/<account>/us-east-1/<Call>.json` (the `vpcreach snapshot` / Batfish layout)
for two accounts. The shape follows real `aws ec2 describe-*` output; the design follows a common hub-and-spoke
organisation so that real questions have varied answers:

- VPC 0 is the shared-services hub (account A): bastion hosts (Role=bastion, Elastic IPs) and monitoring hosts.
  Every other VPC is a spoke (accounts A and B alternate), peered with the hub; some neighbouring spokes are
  peered with each other. Each VPC has public / app / db subnets per AZ, an internet gateway, a NAT gateway per
  AZ (with its ENI and Elastic IP), route tables per tier (public -> IGW, app -> the AZ's NAT, db -> local and
  peers) and, in every other VPC, IPv6 (an egress-only gateway for the app tier).
- Deliberate defects, by VPC index (see `Defects`): hub peerings routed on one side only, a blackholed NAT route,
  a pending peering, db NACLs without the ephemeral return to the hub, world-open SSH and RDP.
- Security groups per tier (web, app, db) and per service (ports 8000+), tens of thousands of rules in total at
  10,000 ENIs: CIDRs (office and partner ranges, 0.0.0.0/0 on web ports, ::/0 on some), group references
  (in-VPC, and cross-VPC/cross-account to the hub's bastion and monitoring groups through peering), prefix lists
  (a customer-managed office list, the AWS-managed S3 list).
- Instances carry Name, Tier, Service, Environment tags; public-tier hosts mostly have a public IPv4 (some an
  Elastic IP, some none), hosts in IPv6 VPCs often an IPv6 address; a few app hosts have a second ENI.

The same arguments always produce byte-identical files (one seeded random.Random, sorted output).
"""
from __future__ import annotations

import argparse
import ipaddress
import json
import os
import random
import shutil
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

REGION = "us-east-1"
ACCOUNTS = ("111111111111", "222222222222")  # hub and even spokes in A, odd spokes in B
TIERS = ("public", "app", "db")
TIER_SHARE = {"public": 0.15, "app": 0.55, "db": 0.30}  # of a spoke's instance ENIs
MAX_AZS = 5  # 3 tiers x 5 AZs = 15 /20 subnets in a /16
MAX_VPCS = 256  # 10.<vpc>.0.0/16
FIRST_HOST = 10  # instance addresses start at .10 of a subnet (AWS reserves the first four)
NAT_HOST = 5
SERVICE_PORT_BASE = 8000
OFFICE_CIDRS = ("192.0.2.0/24", "198.51.100.128/25", "203.0.113.64/26")
OFFICE_V6 = "2001:db8:1000::/48"
S3_PREFIX_LIST = "pl-63a5400a"  # com.amazonaws.us-east-1.s3 (AWS-managed)
S3_CIDRS = ("3.5.0.0/19", "16.182.0.0/16", "52.216.0.0/15", "54.231.0.0/16")
# Pools public IPv4 addresses are drawn from (scattered, as AWS assigns them).
PUBLIC_POOLS = tuple(ipaddress.ip_network(c) for c in ("3.80.0.0/12", "44.192.0.0/11", "54.160.0.0/11",
                                                          "18.204.0.0/14", "34.192.0.0/10"))
MAX_ID = (1 << 64) - 1


@dataclass(frozen=True)
class Defects:
    """Which spokes carry which deliberate misconfiguration: spoke i has defect d when i % period == offset.
    Offsets are staggered so that even a 1,000-ENI network (spokes 1-6) has every kind at least once."""

    nat_blackhole: tuple[int, int] = (7, 1)  # the app route table of AZ 0 -> a deleted NAT (blackhole)
    one_sided_hub_peering: tuple[int, int] = (6, 2)  # routes on the spoke's side only: the hub has no way back
    nacl_no_hub_return: tuple[int, int] = (4, 3)  # the db NACL admits the hub but not the replies to it
    db_open_rdp: tuple[int, int] = (5, 1)  # the db security group allows 3389 from 0.0.0.0/0
    pending_peering: tuple[int, int] = (9, 4)  # the spoke's peering to its neighbour is pending-acceptance

    def has(self, kind: str, vpc: int) -> bool:
        period, offset = getattr(self, kind)
        return vpc > 0 and vpc % period == offset


DEFECTS = Defects()


# ---------------------------------------------------------------- small helpers

def tags(**pairs: str) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in pairs.items()]


def tcp(low: int, high: int | None = None) -> dict[str, Any]:
    return {"IpProtocol": "tcp", "FromPort": low, "ToPort": low if high is None else high}


def permission(proto: dict[str, Any], cidrs=(), cidrs_v6=(), prefix_lists=(), groups=()) -> dict[str, Any]:
    """One IpPermissions entry; `cidrs` items are CIDRs or (CIDR, description) pairs."""
    def described(items, key):
        out = []
        for item in items:
            cidr, description = item if isinstance(item, tuple) else (item, None)
            out.append({key: cidr, **({"Description": description} if description else {})})
        return out
    return {**proto, "IpRanges": described(cidrs, "CidrIp"), "Ipv6Ranges": described(cidrs_v6, "CidrIpv6"),
            "PrefixListIds": [{"PrefixListId": p} for p in prefix_lists], "UserIdGroupPairs": list(groups)}


def nacl_entry(number: int, egress: bool, allow: bool, protocol: str, cidr: str,
               ports: tuple[int, int] | None = None) -> dict[str, Any]:
    entry: dict[str, Any] = {"Egress": egress, "Protocol": protocol, "RuleAction": "allow" if allow else "deny",
                             "RuleNumber": number}
    entry["Ipv6CidrBlock" if ":" in cidr else "CidrBlock"] = cidr
    if ports is not None:
        entry["PortRange"] = {"From": ports[0], "To": ports[1]}
    return entry


def final_denies(v6: bool) -> list[dict[str, Any]]:
    """AWS lists the catch-all deny of every NACL: 32767 (IPv4) and, in IPv6 VPCs, 32768 (::/0)."""
    out = []
    for egress in (False, True):
        out.append(nacl_entry(32767, egress, False, "-1", "0.0.0.0/0"))
        if v6:
            out.append(nacl_entry(32768, egress, False, "-1", "::/0"))
    return out


# ---------------------------------------------------------------- the model being generated

@dataclass
class Subnet:
    id: str
    vpc: "Vpc"
    tier: str
    az: int
    cidr: ipaddress.IPv4Network
    cidr_v6: str | None
    next_host: int = FIRST_HOST
    next_v6: int = 0x100

    def take_ip(self) -> str:
        if self.next_host >= self.cidr.num_addresses - 1:
            raise SystemExit(f"subnet {self.cidr} is full: use more --vpcs for this many --enis")
        address = str(self.cidr.network_address + self.next_host)
        self.next_host += 1
        return address

    def take_ipv6(self) -> str:
        assert self.cidr_v6 is not None
        address = str(ipaddress.ip_network(self.cidr_v6).network_address + self.next_v6)
        self.next_v6 += 1
        return address


@dataclass
class Vpc:
    index: int
    id: str
    account: str
    name: str
    cidr: str
    cidr_v6: str | None
    subnets: dict[tuple[str, int], Subnet] = field(default_factory=dict)
    groups: dict[str, str] = field(default_factory=dict)  # role -> sg id
    services: list[str] = field(default_factory=list)  # service sg ids
    nats: dict[int, str] = field(default_factory=dict)  # az -> nat id
    peerings: list[tuple[str, "Vpc", bool]] = field(default_factory=list)  # (pcx id, peer, routed on this side)
    igw: str = ""
    eigw: str | None = None


class Generator:
    def __init__(self, enis: int, vpcs: int, azs: int, seed: int, services: int):
        if not 1 <= azs <= MAX_AZS:
            raise SystemExit(f"--azs must be 1-{MAX_AZS}")
        if not 2 <= vpcs <= MAX_VPCS:
            raise SystemExit(f"--vpcs must be 2-{MAX_VPCS}")
        self.enis, self.vpc_count, self.azs, self.services = enis, vpcs, azs, services
        self.rng = random.Random(seed)
        self.counters: dict[str, int] = defaultdict(int)
        self.salts: dict[str, int] = {}
        self.docs: dict[str, dict[str, list]] = {a: defaultdict(list) for a in ACCOUNTS}
        self.vpcs: list[Vpc] = []
        self.used_public: set[int] = set()
        self.eni_total = 0
        self.office_lists = {a: self.new_id("pl") for a in ACCOUNTS}

    # ------------------------------------------------------------ ids and addresses

    def new_id(self, prefix: str) -> str:
        """A unique AWS-looking id: a counter through an odd multiplier (a bijection mod 2**64), 17 hex digits."""
        salt = self.salts.setdefault(prefix, self.rng.getrandbits(64))
        self.counters[prefix] += 1
        return f"{prefix}-{(self.counters[prefix] * 0x9E3779B97F4A7C15 + salt) & MAX_ID:017x}"

    def public_ip(self) -> str:
        while True:
            pool = self.rng.choice(PUBLIC_POOLS)
            value = int(pool.network_address) + self.rng.randrange(256, pool.num_addresses - 256)
            if value not in self.used_public and value & 0xFF not in (0, 255):
                self.used_public.add(value)
                return str(ipaddress.IPv4Address(value))

    def partner_cidr(self) -> str:
        """A partner's range: a public /24-/29 outside AWS's pools."""
        prefix = self.rng.choice((24, 26, 27, 28, 29))
        first = self.rng.choice((62, 81, 85, 91, 109, 151, 176, 185, 193, 212, 217))
        value = (first << 24) | self.rng.getrandbits(24)
        return str(ipaddress.ip_network((value, prefix), strict=False))

    def emit(self, account: str, key: str, item: dict[str, Any]) -> None:
        self.docs[account][key].append(item)

    # ------------------------------------------------------------ the whole network

    def build(self) -> None:
        for index in range(self.vpc_count):
            self.vpcs.append(self.make_vpc(index))
        self.emit_prefix_lists()
        for vpc in self.vpcs:
            self.make_subnets(vpc)
            self.make_gateways(vpc)
        self.make_peerings()
        for vpc in self.vpcs:
            self.make_route_tables(vpc)
            self.make_nacls(vpc)
        for vpc in self.vpcs:  # group ids first: rules reference groups of other VPCs
            self.allocate_groups(vpc)
        for vpc in self.vpcs:
            self.make_security_groups(vpc)
        self.make_instances()

    def make_vpc(self, index: int) -> Vpc:
        account = ACCOUNTS[0] if index == 0 else ACCOUNTS[index % 2]
        name = "shared-services" if index == 0 else f"spoke-{index:03d}"
        v6 = index % 2 == 0
        vpc = Vpc(index, self.new_id("vpc"), account, name, f"10.{index}.0.0/16",
                  f"2600:1f18:{0x4a00 + index:x}::/56" if v6 else None)
        item: dict[str, Any] = {
            "CidrBlock": vpc.cidr, "DhcpOptionsId": "dopt-0a1b2c3d4e5f60718", "State": "available",
            "VpcId": vpc.id, "OwnerId": account, "InstanceTenancy": "default",
            "CidrBlockAssociationSet": [{"AssociationId": self.new_id("vpc-cidr-assoc"), "CidrBlock": vpc.cidr,
                                         "CidrBlockState": {"State": "associated"}}],
            "IsDefault": False, "Tags": tags(Name=name, Environment=self.environment(index))}
        if v6:
            item["Ipv6CidrBlockAssociationSet"] = [{
                "AssociationId": self.new_id("vpc-cidr-assoc"), "Ipv6CidrBlock": vpc.cidr_v6,
                "Ipv6CidrBlockState": {"State": "associated"}, "NetworkBorderGroup": REGION, "Ipv6Pool": "Amazon"}]
        self.emit(account, "Vpcs", item)
        return vpc

    @staticmethod
    def environment(index: int) -> str:
        return "shared" if index == 0 else ("prod", "staging", "dev")[index % 3]

    def emit_prefix_lists(self) -> None:
        for account, list_id in self.office_lists.items():
            self.emit(account, "PrefixLists", {
                "PrefixListId": list_id, "AddressFamily": "IPv4", "State": "create-complete",
                "PrefixListArn": f"arn:aws:ec2:{REGION}:{account}:prefix-list/{list_id}",
                "PrefixListName": "office", "MaxEntries": 10, "Version": 3, "Tags": tags(Name="office"),
                "OwnerId": account})
            self.emit(account, "PrefixLists", {
                "PrefixListId": S3_PREFIX_LIST, "AddressFamily": "IPv4", "State": "create-complete",
                "PrefixListArn": f"arn:aws:ec2:{REGION}:aws:prefix-list/{S3_PREFIX_LIST}",
                "PrefixListName": f"com.amazonaws.{REGION}.s3", "MaxEntries": 0, "Version": 1, "Tags": [],
                "OwnerId": "AWS"})
            self.emit(account, "ManagedPrefixListEntries", {
                "PrefixListId": list_id, "Entries": [{"Cidr": c, "Description": d} for c, d in
                                                     zip(OFFICE_CIDRS, ("HQ", "branch", "VPN pool"))]})
            self.emit(account, "ManagedPrefixListEntries", {
                "PrefixListId": S3_PREFIX_LIST, "Entries": [{"Cidr": c} for c in S3_CIDRS]})

    def make_subnets(self, vpc: Vpc) -> None:
        base = ipaddress.ip_network(vpc.cidr)
        for t, tier in enumerate(TIERS):
            for az in range(self.azs):
                k = t * self.azs + az
                cidr = ipaddress.ip_network((int(base.network_address) + (k << 12), 20))
                cidr_v6 = None
                if vpc.cidr_v6 is not None and tier != "db":
                    cidr_v6 = str(ipaddress.ip_network(vpc.cidr_v6).network_address + (k << 64)) + "/64"
                subnet = Subnet(self.new_id("subnet"), vpc, tier, az, cidr, cidr_v6)
                vpc.subnets[(tier, az)] = subnet
                letter = "abcde"[az]
                item: dict[str, Any] = {
                    "AvailabilityZone": f"{REGION}{letter}", "AvailabilityZoneId": f"use1-az{az + 1}",
                    "AvailableIpAddressCount": 4091, "CidrBlock": str(cidr), "DefaultForAz": False,
                    "MapPublicIpOnLaunch": tier == "public", "State": "available", "SubnetId": subnet.id,
                    "VpcId": vpc.id, "OwnerId": vpc.account, "AssignIpv6AddressOnCreation": False,
                    "Ipv6CidrBlockAssociationSet": [], "Ipv6Native": False,
                    "SubnetArn": f"arn:aws:ec2:{REGION}:{vpc.account}:subnet/{subnet.id}",
                    "Tags": tags(Name=f"{vpc.name}-{tier}-{letter}", Tier=tier)}
                if cidr_v6:
                    item["Ipv6CidrBlockAssociationSet"].append({
                        "AssociationId": self.new_id("subnet-cidr-assoc"), "Ipv6CidrBlock": cidr_v6,
                        "Ipv6CidrBlockState": {"State": "associated"}})
                self.emit(vpc.account, "Subnets", item)

    def make_gateways(self, vpc: Vpc) -> None:
        vpc.igw = self.new_id("igw")
        self.emit(vpc.account, "InternetGateways", {
            "Attachments": [{"State": "available", "VpcId": vpc.id}], "InternetGatewayId": vpc.igw,
            "OwnerId": vpc.account, "Tags": tags(Name=vpc.name)})
        if vpc.cidr_v6:
            vpc.eigw = self.new_id("eigw")
            self.emit(vpc.account, "EgressOnlyInternetGateways", {
                "Attachments": [{"State": "attached", "VpcId": vpc.id}], "EgressOnlyInternetGatewayId": vpc.eigw,
                "Tags": tags(Name=vpc.name)})
        for az in range(self.azs):
            self.make_nat(vpc, az)

    def make_nat(self, vpc: Vpc, az: int) -> None:
        subnet = vpc.subnets[("public", az)]
        nat_id, eni_id, alloc = self.new_id("nat"), self.new_id("eni"), self.new_id("eipalloc")
        assoc = self.new_id("eipassoc")
        private = str(subnet.cidr.network_address + NAT_HOST)
        public = self.public_ip()
        vpc.nats[az] = nat_id
        name = f"{vpc.name}-nat-{'abcde'[az]}"
        self.emit(vpc.account, "NatGateways", {
            "CreateTime": "2024-03-11T09:21:40+00:00", "NatGatewayId": nat_id, "State": "available",
            "SubnetId": subnet.id, "VpcId": vpc.id, "ConnectivityType": "public", "Tags": tags(Name=name),
            "NatGatewayAddresses": [{"AllocationId": alloc, "NetworkInterfaceId": eni_id, "PrivateIp": private,
                                     "PublicIp": public, "AssociationId": assoc, "IsPrimary": True,
                                     "Status": "succeeded"}]})
        self.emit(vpc.account, "Addresses", {
            "AllocationId": alloc, "AssociationId": assoc, "Domain": "vpc", "NetworkInterfaceId": eni_id,
            "NetworkInterfaceOwnerId": vpc.account, "PrivateIpAddress": private, "PublicIp": public,
            "PublicIpv4Pool": "amazon", "NetworkBorderGroup": REGION, "Tags": tags(Name=name)})
        association = {"AllocationId": alloc, "AssociationId": assoc, "IpOwnerId": vpc.account, "PublicIp": public}
        self.emit(vpc.account, "NetworkInterfaces", {
            "AvailabilityZone": f"{REGION}{'abcde'[az]}", "Description": f"Interface for NAT Gateway {nat_id}",
            "Groups": [], "InterfaceType": "nat_gateway", "Ipv6Addresses": [], "NetworkInterfaceId": eni_id,
            "OwnerId": vpc.account, "PrivateIpAddress": private, "Association": association,
            "PrivateIpAddresses": [{"Association": association, "Primary": True, "PrivateIpAddress": private}],
            "RequesterId": "440991383716", "RequesterManaged": True, "SourceDestCheck": False,
            "Status": "in-use", "SubnetId": subnet.id, "TagSet": [], "VpcId": vpc.id})
        self.eni_total += 1

    # ------------------------------------------------------------ peering and routing

    def make_peerings(self) -> None:
        hub = self.vpcs[0]
        for spoke in self.vpcs[1:]:
            hub_routes = not DEFECTS.has("one_sided_hub_peering", spoke.index)
            self.peer(hub, spoke, "active", hub_routes, True)
        for spoke in self.vpcs[1:-1]:
            if spoke.index % 3 == 1:  # spoke n <-> n+1, for n = 1, 4, 7, ...
                status = "pending-acceptance" if DEFECTS.has("pending_peering", spoke.index) else "active"
                self.peer(spoke, self.vpcs[spoke.index + 1], status, True, True)

    def peer(self, requester: Vpc, accepter: Vpc, status: str, requester_routes: bool, accepter_routes: bool):
        pcx_id = self.new_id("pcx")
        requester.peerings.append((pcx_id, accepter, requester_routes))
        accepter.peerings.append((pcx_id, requester, accepter_routes))

        def side(vpc: Vpc) -> dict[str, Any]:
            info: dict[str, Any] = {"CidrBlock": vpc.cidr, "CidrBlockSet": [{"CidrBlock": vpc.cidr}],
                                    "OwnerId": vpc.account, "VpcId": vpc.id, "Region": REGION,
                                    "PeeringOptions": {"AllowDnsResolutionFromRemoteVpc": False}}
            if vpc.cidr_v6:
                info["Ipv6CidrBlockSet"] = [{"Ipv6CidrBlock": vpc.cidr_v6}]
            return info
        message = {"active": "Active", "pending-acceptance": f"Pending Acceptance by {accepter.account}"}[status]
        item = {"AccepterVpcInfo": side(accepter), "RequesterVpcInfo": side(requester),
                "Status": {"Code": status, "Message": message}, "VpcPeeringConnectionId": pcx_id,
                "Tags": tags(Name=f"{requester.name}--{accepter.name}")}
        # Each account's describe-vpc-peering-connections lists the connections it is a side of.
        for account in sorted({requester.account, accepter.account}):
            self.emit(account, "VpcPeeringConnections", item)

    def local_routes(self, vpc: Vpc) -> list[dict[str, Any]]:
        routes = [{"DestinationCidrBlock": vpc.cidr, "GatewayId": "local", "Origin": "CreateRouteTable",
                   "State": "active"}]
        if vpc.cidr_v6:
            routes.append({"DestinationIpv6CidrBlock": vpc.cidr_v6, "GatewayId": "local",
                           "Origin": "CreateRouteTable", "State": "active"})
        return routes

    def peering_routes(self, vpc: Vpc) -> list[dict[str, Any]]:
        return [{"DestinationCidrBlock": peer.cidr, "VpcPeeringConnectionId": pcx_id, "Origin": "CreateRoute",
                 "State": "active"} for pcx_id, peer, routed in vpc.peerings if routed]

    def route_table(self, vpc: Vpc, name: str, routes: list[dict[str, Any]], subnets: list[Subnet],
                    main: bool = False) -> None:
        table_id = self.new_id("rtb")
        associations = [{"Main": False, "RouteTableAssociationId": self.new_id("rtbassoc"),
                         "RouteTableId": table_id, "SubnetId": s.id,
                         "AssociationState": {"State": "associated"}} for s in subnets]
        if main:
            associations.insert(0, {"Main": True, "RouteTableAssociationId": self.new_id("rtbassoc"),
                                    "RouteTableId": table_id, "AssociationState": {"State": "associated"}})
        self.emit(vpc.account, "RouteTables", {
            "Associations": associations, "PropagatingVgws": [], "RouteTableId": table_id, "Routes": routes,
            "Tags": tags(Name=f"{vpc.name}-{name}"), "VpcId": vpc.id, "OwnerId": vpc.account})

    def make_route_tables(self, vpc: Vpc) -> None:
        local, peers = self.local_routes(vpc), self.peering_routes(vpc)
        self.route_table(vpc, "main", local, [], main=True)
        public = local + peers + [{"DestinationCidrBlock": "0.0.0.0/0", "GatewayId": vpc.igw,
                                   "Origin": "CreateRoute", "State": "active"}]
        if vpc.cidr_v6:
            public.append({"DestinationIpv6CidrBlock": "::/0", "GatewayId": vpc.igw, "Origin": "CreateRoute",
                           "State": "active"})
        self.route_table(vpc, "public", public, [vpc.subnets[("public", az)] for az in range(self.azs)])
        for az in range(self.azs):
            if az == 0 and DEFECTS.has("nat_blackhole", vpc.index):
                default = {"DestinationCidrBlock": "0.0.0.0/0", "NatGatewayId": self.new_id("nat"),
                           "Origin": "CreateRoute", "State": "blackhole"}
            else:
                default = {"DestinationCidrBlock": "0.0.0.0/0", "NatGatewayId": vpc.nats[az],
                           "Origin": "CreateRoute", "State": "active"}
            app = local + peers + [default]
            if vpc.eigw:
                app.append({"DestinationIpv6CidrBlock": "::/0", "EgressOnlyInternetGatewayId": vpc.eigw,
                            "Origin": "CreateRoute", "State": "active"})
            self.route_table(vpc, f"app-{'abcde'[az]}", app, [vpc.subnets[("app", az)]])
        self.route_table(vpc, "db", local + peers, [vpc.subnets[("db", az)] for az in range(self.azs)])

    # ------------------------------------------------------------ network ACLs

    def make_nacls(self, vpc: Vpc) -> None:
        v6 = vpc.cidr_v6 is not None
        default_entries = [nacl_entry(100, e, True, "-1", "0.0.0.0/0") for e in (False, True)]
        if v6:
            default_entries += [nacl_entry(101, e, True, "-1", "::/0") for e in (False, True)]
        others = [s for (tier, _), s in sorted(vpc.subnets.items()) if tier != "db"]
        self.nacl(vpc, "default", default_entries + final_denies(v6), others, default=True)
        self.nacl(vpc, "db", self.db_nacl_entries(vpc) + final_denies(v6),
                  [s for (tier, _), s in sorted(vpc.subnets.items()) if tier == "db"])

    def db_nacl_entries(self, vpc: Vpc) -> list[dict[str, Any]]:
        """Databases: clients from the app tier and the hub; replies on ephemeral ports; HTTPS out."""
        hub = self.vpcs[0].cidr
        entries = []
        for az in range(self.azs):  # the public tier never talks to a database directly
            entries.append(nacl_entry(50 + az, False, False, "6", str(vpc.subnets[("public", az)].cidr),
                                      (5432, 5432)))
        entries += [
            nacl_entry(100, False, True, "6", vpc.cidr, (5432, 5432)),
            nacl_entry(110, False, True, "6", vpc.cidr, (3306, 3306)),
            nacl_entry(120, False, True, "6", hub, (22, 22)),
            nacl_entry(130, False, True, "6", hub, (9100, 9100)),
            nacl_entry(200, False, True, "6", "0.0.0.0/0", (1024, 65535)),  # replies to the db's own requests
            nacl_entry(100, True, True, "6", vpc.cidr, (1024, 65535)),
            nacl_entry(200, True, True, "6", "0.0.0.0/0", (443, 443)),
            nacl_entry(210, True, True, "17", vpc.cidr, (53, 53)),
        ]
        if not DEFECTS.has("nacl_no_hub_return", vpc.index):
            entries.append(nacl_entry(110, True, True, "6", hub, (1024, 65535)))
        return entries

    def nacl(self, vpc: Vpc, name: str, entries: list, subnets: list[Subnet], default: bool = False) -> None:
        acl_id = self.new_id("acl")
        self.emit(vpc.account, "NetworkAcls", {
            "Associations": [{"NetworkAclAssociationId": self.new_id("aclassoc"), "NetworkAclId": acl_id,
                              "SubnetId": s.id} for s in subnets],
            "Entries": entries, "IsDefault": default, "NetworkAclId": acl_id,
            "Tags": tags(Name=f"{vpc.name}-{name}"), "VpcId": vpc.id, "OwnerId": vpc.account})

    # ------------------------------------------------------------ security groups

    def allocate_groups(self, vpc: Vpc) -> None:
        roles = ["default", "web", "app", "db"] + (["bastion", "monitoring"] if vpc.index == 0 else ["ssh-open"])
        for role in roles:
            vpc.groups[role] = self.new_id("sg")
        vpc.services = [self.new_id("sg") for _ in range(self.services if vpc.index else 0)]

    def group_ref(self, owner: Vpc, target: Vpc, role_or_id: str, description: str | None = None) -> dict:
        """A UserIdGroupPairs item; across VPCs AWS adds the peering connection and its status."""
        group_id = target.groups.get(role_or_id, role_or_id)
        pair: dict[str, Any] = {"GroupId": group_id, "UserId": target.account}
        if description:
            pair["Description"] = description
        if target is not owner:
            pcx = next((p for p, peer, _ in owner.peerings if peer is target), None)
            pair.update(VpcId=target.id, VpcPeeringConnectionId=pcx, PeeringStatus="active")
        return pair

    def security_group(self, vpc: Vpc, group_id: str, name: str, description: str, ingress: list, egress: list):
        self.emit(vpc.account, "SecurityGroups", {
            "Description": description, "GroupName": name, "IpPermissions": ingress, "OwnerId": vpc.account,
            "GroupId": group_id, "IpPermissionsEgress": egress, "VpcId": vpc.id, "Tags": tags(Name=name)})

    def egress_all(self, vpc: Vpc) -> list[dict[str, Any]]:
        return [permission({"IpProtocol": "-1"}, ["0.0.0.0/0"], ["::/0"] if vpc.cidr_v6 else [])]

    def make_security_groups(self, vpc: Vpc) -> None:
        hub = self.vpcs[0]
        v6_any = ["::/0"] if vpc.cidr_v6 else []
        office = self.office_lists[vpc.account]
        g = vpc.groups
        self.security_group(vpc, g["default"], "default", "default VPC security group",
                            [permission({"IpProtocol": "-1"}, groups=[self.group_ref(vpc, vpc, "default")])],
                            [permission({"IpProtocol": "-1"}, ["0.0.0.0/0"])])
        from_bastion = self.group_ref(vpc, hub, "bastion", "bastion hosts")
        from_monitoring = self.group_ref(vpc, hub, "monitoring", "prometheus")
        self.security_group(vpc, g["web"], f"{vpc.name}-web", "web tier: HTTP(S) from anywhere", [
            permission(tcp(443), ["0.0.0.0/0"], v6_any),
            permission(tcp(80), ["0.0.0.0/0"]),
            permission(tcp(22), prefix_lists=[office], groups=[from_bastion]),
            permission(tcp(9100), groups=[from_monitoring]),
        ], self.egress_all(vpc))
        service_ports = [SERVICE_PORT_BASE + i for i in range(len(vpc.services))]
        self.security_group(vpc, g["app"], f"{vpc.name}-app", "app tier", [
            permission(tcp(8080), groups=[self.group_ref(vpc, vpc, "web", "from the load balancers")]),
            permission(tcp(22), groups=[from_bastion]),
            permission(tcp(9100), groups=[from_monitoring]),
            permission(tcp(8080), [(hub.cidr, "shared services")]),
        ], self.egress_all(vpc))
        db_ingress = [
            permission(tcp(5432), groups=[self.group_ref(vpc, vpc, "app")]),
            permission(tcp(3306), groups=[self.group_ref(vpc, vpc, "app")]),
            permission(tcp(22), groups=[from_bastion]),
            permission(tcp(9100), groups=[from_monitoring]),
        ]
        if vpc.index % 2 == 1:  # a legacy rule: the whole VPC may reach Postgres (the NACL still says no)
            db_ingress.append(permission(tcp(5432), [(vpc.cidr, "legacy: whole VPC")]))
        if DEFECTS.has("db_open_rdp", vpc.index):
            db_ingress.append(permission(tcp(3389), ["0.0.0.0/0"]))
        self.security_group(vpc, g["db"], f"{vpc.name}-db", "databases", db_ingress, [
            permission(tcp(443), prefix_lists=[S3_PREFIX_LIST]),
            permission(tcp(1024, 65535), [vpc.cidr]),
            permission({"IpProtocol": "udp", "FromPort": 53, "ToPort": 53}, [vpc.cidr]),
        ])
        if vpc.index == 0:
            self.hub_groups(vpc)
        else:
            self.security_group(vpc, g["ssh-open"], f"{vpc.name}-ssh-open", "temporary debugging access",
                                [permission(tcp(22), ["0.0.0.0/0"], v6_any)], self.egress_all(vpc))
            for number, group_id in enumerate(vpc.services):
                self.service_group(vpc, number, group_id, service_ports)

    def hub_groups(self, hub: Vpc) -> None:
        office = [(c, d) for c, d in zip(OFFICE_CIDRS, ("HQ", "branch", "VPN pool"))]
        self.security_group(hub, hub.groups["bastion"], "bastion", "SSH from the offices", [
            permission(tcp(22), office, [OFFICE_V6], [self.office_lists[hub.account]]),
            permission({"IpProtocol": "icmp", "FromPort": 8, "ToPort": -1}, office),
        ], self.egress_all(hub))
        self.security_group(hub, hub.groups["monitoring"], "monitoring", "Prometheus and Grafana", [
            permission(tcp(3000), office),
            permission(tcp(9090), groups=[self.group_ref(hub, hub, "bastion")]),
        ], self.egress_all(hub))

    def service_group(self, vpc: Vpc, number: int, group_id: str, ports: list[int]) -> None:
        """A service's own group: its port from the web and app tiers, a few sibling services, the hub,
        the offices and a partner allow-list (the bulk of the rules, as in real accounts)."""
        rng = self.rng
        port = ports[number]
        siblings = rng.sample([s for s in vpc.services if s != group_id], k=min(3, len(vpc.services) - 1))
        partners = [(self.partner_cidr(), f"partner {rng.randrange(1, 60)}") for _ in range(rng.randint(20, 60))]
        ingress = [
            permission(tcp(port), groups=[self.group_ref(vpc, vpc, "web"), self.group_ref(vpc, vpc, "app")]
                       + [self.group_ref(vpc, vpc, s) for s in siblings]),
            permission(tcp(port), [(self.vpcs[0].cidr, "shared services")],
                       prefix_lists=[self.office_lists[vpc.account]]),
            permission(tcp(port), partners, [f"2001:db8:{rng.randrange(0x2000, 0xffff):x}::/48"]
                       if vpc.cidr_v6 else []),
            permission(tcp(port + 1000), [c for c, _ in partners[: len(partners) // 4]]),  # admin port, fewer
            permission(tcp(9100), groups=[self.group_ref(vpc, self.vpcs[0], "monitoring")]),
        ]
        egress = [
            permission(tcp(443), ["0.0.0.0/0"], ["::/0"] if vpc.cidr_v6 else [], [S3_PREFIX_LIST]),
            permission(tcp(5432), groups=[self.group_ref(vpc, vpc, "db")]),
            permission(tcp(SERVICE_PORT_BASE, SERVICE_PORT_BASE + 99), [vpc.cidr]),
            permission({"IpProtocol": "udp", "FromPort": 53, "ToPort": 53}, [vpc.cidr]),
        ]
        name = f"{vpc.name}-svc{number:02d}"
        self.security_group(vpc, group_id, name, f"service svc{number:02d}", ingress, egress)

    # ------------------------------------------------------------ instances and their ENIs

    def make_instances(self) -> None:
        budget = self.enis - self.eni_total  # NAT gateway ENIs are already counted
        if budget < 2 * self.vpc_count:
            raise SystemExit(f"--enis {self.enis} is too small for {self.vpc_count} VPCs and their NAT gateways")
        per_vpc = [budget // self.vpc_count + (1 if i < budget % self.vpc_count else 0)
                   for i in range(self.vpc_count)]
        for vpc, count in zip(self.vpcs, per_vpc):
            self.instances_of(vpc, count)

    def roles_of(self, vpc: Vpc, count: int) -> list[str]:
        """The instance role per ENI slot of a VPC (hub: bastions and monitoring, spokes: three tiers)."""
        if vpc.index == 0:
            bastions = min(max(2, count // 20), count)
            monitoring = min(max(1, count // 10), count - bastions)
            return ["bastion"] * bastions + ["monitoring"] * monitoring + ["app"] * (count - bastions - monitoring)
        public = max(1, round(count * TIER_SHARE["public"]))
        db = max(1, round(count * TIER_SHARE["db"]))
        return ["public"] * public + ["db"] * db + ["app"] * (count - public - db)

    def instances_of(self, vpc: Vpc, count: int) -> None:
        slots = self.roles_of(vpc, count)
        position = defaultdict(int)
        remaining = len(slots)
        for role in slots:
            if remaining <= 0:
                break
            n = position[role]
            position[role] += 1
            two_enis = role == "app" and remaining >= 2 and self.rng.random() < 0.05
            self.instance(vpc, role, n, 2 if two_enis else 1)
            remaining -= 2 if two_enis else 1

    def instance(self, vpc: Vpc, role: str, n: int, eni_count: int) -> None:
        rng = self.rng
        tier = {"bastion": "public", "monitoring": "app"}.get(role, role)
        az = n % self.azs
        subnet = vpc.subnets[(tier, az)]
        service = n % len(vpc.services) if vpc.services and tier == "app" else None
        groups = self.instance_groups(vpc, role, service, n)
        instance_id = self.new_id("i")
        name = f"{vpc.name}-{role}-{n:04d}"
        instance_tags = dict(Name=name, Tier=tier, Environment=self.environment(vpc.index))
        if role in ("bastion", "monitoring"):
            instance_tags["Role"] = role
        if service is not None:
            instance_tags["Service"] = f"svc{service:02d}"
        public_kind = self.public_kind(role, rng)
        enis = []
        for device in range(eni_count):
            eni_groups = groups if device == 0 else groups[-1:]
            enis.append(self.eni(vpc, subnet, instance_id, device, eni_groups,
                                 public_kind if device == 0 else None, tier))
        primary = enis[0]
        instance: dict[str, Any] = {
            "AmiLaunchIndex": 0, "ImageId": "ami-0c7217cdde317cfec", "InstanceId": instance_id,
            "InstanceType": rng.choice(("t3.micro", "t3.large", "m6i.large", "c6i.xlarge", "r6g.large")),
            "LaunchTime": "2024-03-11T09:30:11+00:00", "Monitoring": {"State": "disabled"},
            "Placement": {"AvailabilityZone": f"{REGION}{'abcde'[az]}", "GroupName": "", "Tenancy": "default"},
            "PrivateIpAddress": primary["PrivateIpAddress"], "State": {"Code": 16, "Name": "running"},
            "SubnetId": subnet.id, "VpcId": vpc.id, "Architecture": "x86_64",
            "NetworkInterfaces": [self.embedded(e) for e in enis], "SecurityGroups": primary["Groups"],
            "SourceDestCheck": True, "Tags": tags(**instance_tags)}
        public = primary.get("Association", {}).get("PublicIp")
        if public:
            instance["PublicIpAddress"] = public
        self.emit(vpc.account, "Reservations", {
            "Groups": [], "Instances": [instance], "OwnerId": vpc.account, "ReservationId": self.new_id("r")})

    def instance_groups(self, vpc: Vpc, role: str, service: int | None, n: int) -> list[dict[str, str]]:
        g = vpc.groups
        if role in ("bastion", "monitoring"):
            roles = [role]
        elif role == "public":
            roles = ["web"] + (["ssh-open"] if n % 17 == 3 else [])
        elif role == "db":
            roles = ["db"] + (["default"] if n % 4 == 0 else [])
        else:
            roles = ["app"]
        ids = [g[r] for r in roles]
        if service is not None:
            ids.append(vpc.services[service])
        return [{"GroupName": self.group_name(vpc, group_id), "GroupId": group_id} for group_id in ids]

    @staticmethod
    def group_name(vpc: Vpc, group_id: str) -> str:
        for role, gid in vpc.groups.items():
            if gid == group_id:
                return "default" if role == "default" else f"{vpc.name}-{role}" if vpc.index else role
        return f"{vpc.name}-svc{vpc.services.index(group_id):02d}"

    @staticmethod
    def public_kind(role: str, rng: random.Random) -> str | None:
        """Bastions have Elastic IPs; most public-tier hosts an auto-assigned address, some an EIP, some none."""
        if role == "bastion":
            return "eip"
        if role != "public":
            return None
        draw = rng.random()
        return "auto" if draw < 0.7 else "eip" if draw < 0.85 else None

    def eni(self, vpc: Vpc, subnet: Subnet, instance_id: str, device: int, groups: list, public_kind: str | None,
            tier: str) -> dict[str, Any]:
        eni_id = self.new_id("eni")
        private = subnet.take_ip()
        v6 = []
        if subnet.cidr_v6 and self.rng.random() < (0.5 if tier == "public" else 0.3):
            v6 = [{"Ipv6Address": subnet.take_ipv6(), "IsPrimaryIpv6": False}]
        dns = f"ip-{private.replace('.', '-')}.ec2.internal"
        item: dict[str, Any] = {
            "Attachment": {"AttachTime": "2024-03-11T09:30:12+00:00", "AttachmentId": self.new_id("eni-attach"),
                           "DeleteOnTermination": device == 0, "DeviceIndex": device, "NetworkCardIndex": 0,
                           "InstanceOwnerId": vpc.account, "Status": "attached", "InstanceId": instance_id},
            "AvailabilityZone": f"{REGION}{'abcde'[subnet.az]}",
            "Description": "Primary network interface" if device == 0 else "secondary interface",
            "Groups": groups, "InterfaceType": "interface", "Ipv6Addresses": v6,
            "MacAddress": "0e:%02x:%02x:%02x:%02x:%02x" % tuple(self.rng.getrandbits(8) for _ in range(5)),
            "NetworkInterfaceId": eni_id, "OwnerId": vpc.account, "PrivateDnsName": dns,
            "PrivateIpAddress": private, "RequesterManaged": False, "SourceDestCheck": True, "Status": "in-use",
            "SubnetId": subnet.id, "TagSet": [], "VpcId": vpc.id}
        address: dict[str, Any] = {"Primary": True, "PrivateDnsName": dns, "PrivateIpAddress": private}
        if public_kind is not None:
            public = self.public_ip()
            association: dict[str, Any] = {"IpOwnerId": "amazon", "PublicIp": public,
                                           "PublicDnsName": f"ec2-{public.replace('.', '-')}.compute-1.amazonaws.com"}
            if public_kind == "eip":
                alloc, assoc = self.new_id("eipalloc"), self.new_id("eipassoc")
                association.update(IpOwnerId=vpc.account, AllocationId=alloc, AssociationId=assoc)
                self.emit(vpc.account, "Addresses", {
                    "AllocationId": alloc, "AssociationId": assoc, "Domain": "vpc", "InstanceId": instance_id,
                    "NetworkInterfaceId": eni_id, "NetworkInterfaceOwnerId": vpc.account,
                    "PrivateIpAddress": private, "PublicIp": public, "PublicIpv4Pool": "amazon",
                    "NetworkBorderGroup": REGION})
            item["Association"] = association
            address["Association"] = association
        item["PrivateIpAddresses"] = [address]
        self.emit(vpc.account, "NetworkInterfaces", item)
        self.eni_total += 1
        return item

    @staticmethod
    def embedded(eni: dict[str, Any]) -> dict[str, Any]:
        """The ENI as describe-instances embeds it: no AZ, type or tags; the association without allocation ids."""
        out = {k: v for k, v in eni.items() if k not in ("AvailabilityZone", "TagSet", "RequesterManaged")}
        for holder in [out] + out["PrivateIpAddresses"]:
            if "Association" in holder:
                holder["Association"] = {k: v for k, v in holder["Association"].items()
                                         if k not in ("AllocationId", "AssociationId")}
        return out

    # ------------------------------------------------------------ output

    def write(self, out: str, indent: int | None) -> dict[str, int]:
        configs = os.path.join(out, "aws_configs")
        if os.path.isdir(configs):
            shutil.rmtree(configs)
        counts: dict[str, int] = defaultdict(int)
        for account, documents in self.docs.items():
            folder = os.path.join(configs, "accounts", account, REGION)
            os.makedirs(folder, exist_ok=True)
            for key, items in sorted(documents.items()):
                counts[key] += len(items)
                with open(os.path.join(folder, f"{key}.json"), "w", encoding="utf-8") as handle:
                    json.dump({key: items}, handle, indent=indent)
                    handle.write("\n")
        counts["ENIs"] = self.eni_total
        counts["SecurityGroupRules"] = sum(rule_count(g) for d in self.docs.values() for g in d["SecurityGroups"])
        return dict(sorted(counts.items()))


def rule_count(group: dict[str, Any]) -> int:
    """Rules as AWS counts them (and the model holds them): one per peer of each permission."""
    return sum(len(p["IpRanges"]) + len(p["Ipv6Ranges"]) + len(p["PrefixListIds"]) + len(p["UserIdGroupPairs"])
               for p in group["IpPermissions"] + group["IpPermissionsEgress"])


def default_vpcs(enis: int) -> int:
    """About 150 ENIs per VPC (7 VPCs at 1,000 ENIs, 67 at 10,000), at least 3."""
    return max(3, min(MAX_VPCS, round(enis / 150)))


def generate(out: str, enis: int, vpcs: int | None = None, azs: int = 3, seed: int = 1, services: int = 10,
             indent: int | None = 4) -> dict[str, int]:
    """Write the network; returns resource counts (per describe-* key, plus ENIs and SecurityGroupRules)."""
    generator = Generator(enis, vpcs or default_vpcs(enis), azs, seed, services)
    generator.build()
    return generator.write(out, indent)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--enis", type=int, default=1000, help="total ENIs, NAT gateway ENIs included")
    parser.add_argument("--vpcs", type=int, default=None, help="number of VPCs (default: about 150 ENIs each)")
    parser.add_argument("--azs", type=int, default=3, help="availability zones per VPC (1-5)")
    parser.add_argument("--services", type=int, default=10, help="service security groups per spoke VPC")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--indent", type=int, default=4, help="JSON indent (the AWS CLI prints 4)")
    parser.add_argument("--out", required=True, help="snapshot folder to write (its aws_configs/ is replaced)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    counts = generate(args.out, args.enis, args.vpcs, args.azs, args.seed, args.services, args.indent)
    elapsed = time.perf_counter() - started
    print(", ".join(f"{k} {v}" for k, v in counts.items()))
    print(f"wrote {args.out} in {elapsed:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
