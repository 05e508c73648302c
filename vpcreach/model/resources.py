"""The normalized AWS network resources: frozen dataclasses, no I/O.

Conventions
- Every resource has `id`, `origin` (where it came from), `tags` (sorted key/value pairs),
  and `account`/`region` when known. In a Terraform plan a resource whose id is unknown until
  apply gets its Terraform address as its id, so references stay resolvable.
- A value that is not known until apply is an `Unknown`, never "" or None.
- Collections are tuples, so every object is hashable and immutable.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Union

from .origin import Origin
from .values import IcmpMatch, IpNet, PortRange, Unknown

Tags = tuple[tuple[str, str], ...]
MaybeStr = Union[str, Unknown]


@dataclass(frozen=True, kw_only=True)
class Resource:
    id: str
    origin: Origin
    tags: Tags = ()
    account: str | None = None
    region: str | None = None

    def tag(self, key: str) -> str | None:
        for k, v in self.tags:
            if k == key:
                return v
        return None

    @property
    def name(self) -> str | None:
        return self.tag("Name")


# ---------------------------------------------------------------- VPCs and subnets

@dataclass(frozen=True, kw_only=True)
class Vpc(Resource):
    cidrs_v4: tuple[IpNet | Unknown, ...]  # primary first, then secondary associations
    cidrs_v6: tuple[IpNet | Unknown, ...] = ()
    is_default: bool = False
    state: str = "available"


@dataclass(frozen=True, kw_only=True)
class Subnet(Resource):
    vpc_id: MaybeStr
    availability_zone: MaybeStr | None = None
    cidr_v4: IpNet | Unknown | None = None  # None: an IPv6-only subnet
    cidrs_v6: tuple[IpNet | Unknown, ...] = ()
    map_public_ip_on_launch: bool = False
    assign_ipv6_on_creation: bool = False
    is_default: bool = False


# ---------------------------------------------------------------- routing

@dataclass(frozen=True)
class PrefixListRef:
    """A destination or peer given as a managed prefix list id."""

    prefix_list_id: MaybeStr

    def __str__(self) -> str:
        return str(self.prefix_list_id)


Destination = Union[IpNet, PrefixListRef, Unknown]

# Route target kinds, named after the describe-route-tables field that carries them.
TARGET_KINDS = (
    "local", "internet-gateway", "egress-only-internet-gateway", "nat-gateway", "vpc-peering",
    "transit-gateway", "network-interface", "instance", "vpn-gateway", "vpc-endpoint",
    "core-network", "carrier-gateway", "local-gateway", "unknown",
)


@dataclass(frozen=True)
class RouteTarget:
    kind: str  # one of TARGET_KINDS; "vpn-gateway" covers vgw-, "vpc-endpoint" covers gateway/GWLB endpoints
    id: MaybeStr | None = None  # None for "local"

    def __str__(self) -> str:
        return "local" if self.kind == "local" else str(self.id)


@dataclass(frozen=True, kw_only=True)
class Route:
    destination: Destination
    target: RouteTarget
    state: str = "active"  # "active" or "blackhole"
    origin_kind: str = "CreateRoute"  # CreateRouteTable (local), CreateRoute, EnableVgwRoutePropagation
    origin: Origin


@dataclass(frozen=True, kw_only=True)
class RouteTableAssociation:
    kind: str  # "subnet", "main" or "gateway" (edge association)
    subnet_id: MaybeStr | None = None
    gateway_id: MaybeStr | None = None
    id: str | None = None
    origin: Origin


@dataclass(frozen=True, kw_only=True)
class RouteTable(Resource):
    vpc_id: MaybeStr
    routes: tuple[Route, ...] = ()
    associations: tuple[RouteTableAssociation, ...] = ()
    propagating_vgws: tuple[str, ...] = ()

    @property
    def is_main(self) -> bool:
        return any(a.kind == "main" for a in self.associations)


# ---------------------------------------------------------------- gateways

@dataclass(frozen=True, kw_only=True)
class InternetGateway(Resource):
    vpc_ids: tuple[MaybeStr, ...] = ()  # attachments in state "available"/"attached"


@dataclass(frozen=True, kw_only=True)
class EgressOnlyInternetGateway(Resource):
    vpc_ids: tuple[MaybeStr, ...] = ()


@dataclass(frozen=True, kw_only=True)
class NatGatewayAddress:
    private_ip: MaybeStr | None = None
    public_ip: MaybeStr | None = None
    allocation_id: MaybeStr | None = None
    eni_id: MaybeStr | None = None
    is_primary: bool = True


@dataclass(frozen=True, kw_only=True)
class NatGateway(Resource):
    subnet_id: MaybeStr
    vpc_id: MaybeStr | None = None
    connectivity: str = "public"  # "public" or "private"
    state: str = "available"
    addresses: tuple[NatGatewayAddress, ...] = ()


@dataclass(frozen=True, kw_only=True)
class VpnGateway(Resource):
    vpc_ids: tuple[MaybeStr, ...] = ()
    state: str = "available"


# ---------------------------------------------------------------- security groups

@dataclass(frozen=True)
class CidrPeer:
    cidr: IpNet | Unknown

    def __str__(self) -> str:
        return str(self.cidr)


@dataclass(frozen=True)
class GroupPeer:
    """Another security group (or the same one): its members' private addresses."""

    group_id: MaybeStr
    account: str | None = None
    vpc_id: str | None = None
    peering_status: str | None = None

    def __str__(self) -> str:
        return f"{self.account}/{self.group_id}" if self.account else str(self.group_id)


Peer = Union[CidrPeer, GroupPeer, PrefixListRef]


@dataclass(frozen=True, kw_only=True)
class SecurityGroupRule:
    """One (protocol, ports, peer) permission; IpPermissions with several peers become several rules.

    protocol: -1 for all (ports ignored), else 0..255.
    ports:    TCP/UDP port range; None for other protocols (AWS ignores ports for them).
    icmp:     ICMP/ICMPv6 type and code; None for other protocols.
    valid:    False when AWS would match nothing (e.g. ICMP type -1 with a specific code).
    """

    egress: bool
    protocol: int
    ports: PortRange | None = None
    icmp: IcmpMatch | None = None
    peer: Peer
    description: str | None = None
    rule_id: str | None = None
    valid: bool = True
    origin: Origin


@dataclass(frozen=True, kw_only=True)
class SecurityGroup(Resource):
    vpc_id: MaybeStr | None
    group_name: MaybeStr | None = None
    description: str | None = None
    ingress: tuple[SecurityGroupRule, ...] = ()
    egress: tuple[SecurityGroupRule, ...] = ()

    @property
    def is_default(self) -> bool:
        return self.group_name == "default"


# ---------------------------------------------------------------- network ACLs

@dataclass(frozen=True, kw_only=True)
class NetworkAclEntry:
    rule_number: int  # 1..32766; AWS's final deny-all is 32767 (IPv4) and 32768 (IPv6), listed explicitly
    egress: bool
    allow: bool
    protocol: int
    cidr: IpNet | Unknown
    ports: PortRange | None = None
    icmp: IcmpMatch | None = None
    origin: Origin


@dataclass(frozen=True, kw_only=True)
class NetworkAcl(Resource):
    vpc_id: MaybeStr
    is_default: bool = False
    entries: tuple[NetworkAclEntry, ...] = ()  # sorted by (egress, rule_number)
    subnet_ids: tuple[MaybeStr, ...] = ()

    def direction(self, egress: bool) -> tuple[NetworkAclEntry, ...]:
        return tuple(e for e in self.entries if e.egress == egress)


# ---------------------------------------------------------------- interfaces and instances

@dataclass(frozen=True, kw_only=True)
class PublicIp:
    address: MaybeStr
    private_ip: MaybeStr  # the private address it maps to 1:1 at the internet gateway
    kind: str = "auto"  # "eip" (Elastic IP) or "auto" (auto-assigned public IPv4)
    allocation_id: MaybeStr | None = None


@dataclass(frozen=True, kw_only=True)
class NetworkInterface(Resource):
    subnet_id: MaybeStr
    vpc_id: MaybeStr | None = None
    private_ips: tuple[MaybeStr, ...] = ()  # primary first
    public_ips: tuple[PublicIp, ...] = ()
    ipv6_addresses: tuple[MaybeStr, ...] = ()
    security_group_ids: tuple[MaybeStr, ...] = ()
    source_dest_check: bool = True
    interface_type: str = "interface"
    instance_id: MaybeStr | None = None
    device_index: int | None = None
    status: str = "in-use"
    description: str | None = None
    requester_managed: bool = False


@dataclass(frozen=True, kw_only=True)
class Instance(Resource):
    state: str = "running"
    subnet_id: MaybeStr | None = None
    vpc_id: MaybeStr | None = None
    eni_ids: tuple[MaybeStr, ...] = ()  # device index order
    private_ip: MaybeStr | None = None
    public_ip: MaybeStr | None = None
    security_group_ids: tuple[MaybeStr, ...] = ()


@dataclass(frozen=True, kw_only=True)
class ElasticIp(Resource):
    public_ip: MaybeStr
    allocation_id: MaybeStr | None = None
    association_id: MaybeStr | None = None
    eni_id: MaybeStr | None = None
    instance_id: MaybeStr | None = None
    private_ip: MaybeStr | None = None
    domain: str = "vpc"


# ---------------------------------------------------------------- peering and prefix lists

@dataclass(frozen=True, kw_only=True)
class PeeringSide:
    vpc_id: MaybeStr
    account: str | None = None
    region: str | None = None
    cidrs_v4: tuple[IpNet | Unknown, ...] = ()
    cidrs_v6: tuple[IpNet | Unknown, ...] = ()


@dataclass(frozen=True, kw_only=True)
class VpcPeeringConnection(Resource):
    requester: PeeringSide
    accepter: PeeringSide
    status: str = "active"

    @property
    def is_active(self) -> bool:
        return self.status == "active"


@dataclass(frozen=True, kw_only=True)
class PrefixListEntry:
    cidr: IpNet | Unknown
    description: str | None = None


@dataclass(frozen=True, kw_only=True)
class PrefixList(Resource):
    list_name: str | None = None
    address_family: str | None = None  # "IPv4", "IPv6", or None when AWS-managed lists mix
    entries: tuple[PrefixListEntry, ...] = ()
    max_entries: int | None = None
    aws_managed: bool = False
    entries_known: bool = True  # False when the snapshot did not include the entries


# ---------------------------------------------------------------- transit gateways and endpoints

@dataclass(frozen=True, kw_only=True)
class TransitGateway(Resource):
    state: str = "available"
    asn: int | None = None
    default_association_route_table_id: str | None = None
    default_propagation_route_table_id: str | None = None


@dataclass(frozen=True, kw_only=True)
class TransitGatewayAttachment(Resource):
    transit_gateway_id: MaybeStr
    resource_type: str  # vpc, vpn, peering, direct-connect-gateway, connect, tgw-peering
    resource_id: MaybeStr | None = None
    resource_account: str | None = None
    state: str = "available"
    subnet_ids: tuple[MaybeStr, ...] = ()  # for VPC attachments
    association_route_table_id: str | None = None
    peer_transit_gateway_id: str | None = None  # for peering attachments


@dataclass(frozen=True, kw_only=True)
class TransitGatewayRoute:
    destination: Destination
    attachment_ids: tuple[str, ...] = ()
    route_type: str = "static"  # static or propagated
    state: str = "active"  # active or blackhole
    origin: Origin


@dataclass(frozen=True, kw_only=True)
class TransitGatewayRouteTable(Resource):
    transit_gateway_id: MaybeStr
    routes: tuple[TransitGatewayRoute, ...] = ()
    associations: tuple[str, ...] = ()  # attachment ids
    propagations: tuple[str, ...] = ()  # attachment ids
    routes_known: bool = True  # False when the snapshot did not include the routes
    is_default_association: bool = False
    is_default_propagation: bool = False


@dataclass(frozen=True, kw_only=True)
class VpcEndpoint(Resource):
    vpc_id: MaybeStr
    endpoint_type: str  # Gateway, Interface, GatewayLoadBalancer
    service_name: str | None = None
    state: str = "available"
    route_table_ids: tuple[MaybeStr, ...] = ()
    subnet_ids: tuple[MaybeStr, ...] = ()
    eni_ids: tuple[MaybeStr, ...] = ()
    security_group_ids: tuple[MaybeStr, ...] = ()


# Every resource class, in the order `show` lists them.
RESOURCE_TYPES: tuple[type[Resource], ...] = (
    Vpc, Subnet, RouteTable, InternetGateway, EgressOnlyInternetGateway, NatGateway, VpnGateway,
    SecurityGroup, NetworkAcl, NetworkInterface, Instance, ElasticIp, VpcPeeringConnection,
    PrefixList, TransitGateway, TransitGatewayAttachment, TransitGatewayRouteTable, VpcEndpoint,
)
