"""One parser per describe-* item shape: a `Fields` object in, a model resource (or None) out.

Parsers record bad values through `Fields` and return None when a required field is missing, so a
snapshot is read completely before its problems are raised together. AWS semantics that are not
obvious from the field names are commented where they are applied.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..model import (
    ALL_PROTOCOLS, ICMP, ICMPV6, TCP, UDP, IcmpMatch, PortRange, ValueProblem, parse_cidr, parse_protocol,
)
from ..model.resources import (
    CidrPeer, EgressOnlyInternetGateway, ElasticIp, GroupPeer, Instance, InternetGateway, NatGateway,
    NatGatewayAddress, NetworkAcl, NetworkAclEntry, NetworkInterface, PeeringSide, PrefixListEntry,
    PrefixListRef, PublicIp, Route, RouteTable, RouteTableAssociation, RouteTarget, SecurityGroup,
    SecurityGroupRule, Subnet, TransitGateway, TransitGatewayRoute, Vpc, VpcEndpoint,
    VpcPeeringConnection, VpnGateway,
)
from .describe_fields import MISSING, WRONG_TYPE, Fields

if TYPE_CHECKING:
    from .describe_collect import Collector

PROTOCOL_EXPECTED = "a protocol name (tcp, udp, icmp, icmpv6), a number 0-255, or -1 for all"
PORT_EXPECTED = "a port 0-65535"
SG_ID = "a security group id such as sg-0123abcd"


def base(item: Fields, resource_id: str, ctx: "Collector", owner_key: str | None = "OwnerId") -> dict[str, Any]:
    """The Resource fields every parser sets. The account is the folder's (accounts/<acct>/<region>/, as
    Batfish and `vpcreach snapshot` lay snapshots out); without one, the OwnerId the data states."""
    owner = item.data.get(owner_key) if owner_key else None
    account = ctx.account or (owner if isinstance(owner, str) and owner else None)
    return dict(id=resource_id, origin=item.origin, tags=item.tags(), account=account, region=ctx.region)


def associated(item: Fields, state_key: str) -> bool:
    """CIDR associations count only once AWS reports them associated (not associating/disassociated)."""
    state = item.obj(state_key)
    return state is None or state.string("State") in (None, "associated")


# ---------------------------------------------------------------- VPCs and subnets

def parse_vpc(item: Fields, ctx: "Collector") -> Vpc | None:
    vpc_id = item.string("VpcId", required=True, expected="a VPC id such as vpc-0123abcd")
    primary = item.cidr("CidrBlock", required=True)
    cidrs_v4 = [primary] if primary is not None else []
    for assoc in item.objects("CidrBlockAssociationSet"):
        cidr = assoc.cidr("CidrBlock", required=True)
        if cidr is not None and cidr not in cidrs_v4 and associated(assoc, "CidrBlockState"):
            cidrs_v4.append(cidr)
    cidrs_v6 = []
    for assoc in item.objects("Ipv6CidrBlockAssociationSet"):
        cidr = assoc.cidr("Ipv6CidrBlock", required=True)
        if cidr is not None and cidr not in cidrs_v6 and associated(assoc, "Ipv6CidrBlockState"):
            cidrs_v6.append(cidr)
    if vpc_id is None:
        return None
    return Vpc(**base(item, vpc_id, ctx), cidrs_v4=tuple(cidrs_v4), cidrs_v6=tuple(cidrs_v6),
               is_default=item.boolean("IsDefault"), state=item.state(default="available"))


def parse_subnet(item: Fields, ctx: "Collector") -> Subnet | None:
    subnet_id = item.string("SubnetId", required=True, expected="a subnet id such as subnet-0123abcd")
    vpc_id = item.string("VpcId", required=True, expected="a VPC id such as vpc-0123abcd")
    cidrs_v6 = tuple(cidr for assoc in item.objects("Ipv6CidrBlockAssociationSet")
                     if (cidr := assoc.cidr("Ipv6CidrBlock", required=True)) is not None
                     and associated(assoc, "Ipv6CidrBlockState"))
    # Only IPv6-only subnets (Ipv6Native) lack an IPv4 block.
    cidr_v4 = item.cidr("CidrBlock", required=not item.boolean("Ipv6Native"))
    if subnet_id is None or vpc_id is None:
        return None
    return Subnet(**base(item, subnet_id, ctx), vpc_id=vpc_id, availability_zone=item.string("AvailabilityZone"),
                  cidr_v4=cidr_v4, cidrs_v6=cidrs_v6,
                  map_public_ip_on_launch=item.boolean("MapPublicIpOnLaunch"),
                  assign_ipv6_on_creation=item.boolean("AssignIpv6AddressOnCreation"),
                  is_default=item.boolean("DefaultForAz"))


# ---------------------------------------------------------------- route tables

# Every target field of the botocore `Route` shape, most specific first: a route to an instance
# carries InstanceId, InstanceOwnerId *and* the NetworkInterfaceId the traffic really goes to.
ROUTE_TARGET_FIELDS = (
    ("NatGatewayId", "nat-gateway"),
    ("TransitGatewayId", "transit-gateway"),
    ("VpcPeeringConnectionId", "vpc-peering"),
    ("EgressOnlyInternetGatewayId", "egress-only-internet-gateway"),
    ("NetworkInterfaceId", "network-interface"),
    ("InstanceId", "instance"),
    ("LocalGatewayId", "local-gateway"),
    ("CarrierGatewayId", "carrier-gateway"),
    ("CoreNetworkArn", "core-network"),
    ("GatewayId", None),  # kind depends on the id's prefix
    ("OdbNetworkArn", "unknown"),  # Oracle Database@AWS network: not modelled
)
GATEWAY_ID_KINDS = (
    ("igw-", "internet-gateway"), ("vgw-", "vpn-gateway"), ("vpce-", "vpc-endpoint"),
    ("eigw-", "egress-only-internet-gateway"), ("nat-", "nat-gateway"), ("tgw-", "transit-gateway"),
)
ROUTE_STATES = ("active", "blackhole")


def route_target(route: Fields, ctx: "Collector") -> RouteTarget | None:
    for key, kind in ROUTE_TARGET_FIELDS:
        target_id = route.string(key)
        if target_id is None:
            continue
        if key == "GatewayId":
            if target_id == "local":
                return RouteTarget("local")
            kind = next((k for prefix, k in GATEWAY_ID_KINDS if target_id.startswith(prefix)), "unknown")
        if kind == "unknown":
            ctx.diagnose("unmodelled", f"route target {key} {target_id} is not modelled",
                         route.where(key), subject=key)
        return RouteTarget(kind, target_id)
    route.bad(None, "route has no target", route.data,
              "one of " + ", ".join(key for key, _ in ROUTE_TARGET_FIELDS))
    return None


def route_destination(item: Fields, cidr_keys: tuple[str, ...], list_key: str):
    for key in cidr_keys:
        if item.has(key):
            return item.cidr(key)
    if item.has(list_key):
        list_id = item.string(list_key)
        return PrefixListRef(list_id) if list_id else None
    item.bad(cidr_keys[0], MISSING, None, f"one of {', '.join(cidr_keys + (list_key,))}")
    return None


def parse_route(route: Fields, ctx: "Collector") -> Route | None:
    destination = route_destination(route, ("DestinationCidrBlock", "DestinationIpv6CidrBlock"),
                                    "DestinationPrefixListId")
    target = route_target(route, ctx)
    state = route.string("State") or "active"
    if state not in ROUTE_STATES:
        route.bad("State", "invalid route state", state, "active or blackhole")
    if destination is None or target is None:
        return None
    return Route(destination=destination, target=target, state=state,
                 origin_kind=route.string("Origin") or "CreateRoute", origin=route.origin)


def parse_route_table_association(assoc: Fields) -> RouteTableAssociation | None:
    if not associated(assoc, "AssociationState"):
        return None
    assoc_id = assoc.string("RouteTableAssociationId")
    if assoc.boolean("Main"):
        return RouteTableAssociation(kind="main", id=assoc_id, origin=assoc.origin)
    if assoc.has("SubnetId"):
        return RouteTableAssociation(kind="subnet", subnet_id=assoc.string("SubnetId"), id=assoc_id,
                                     origin=assoc.origin)
    if assoc.has("GatewayId"):  # edge association: ingress routing for an IGW or VGW
        return RouteTableAssociation(kind="gateway", gateway_id=assoc.string("GatewayId"), id=assoc_id,
                                     origin=assoc.origin)
    assoc.bad("SubnetId", MISSING, None, "Main true, a SubnetId or a GatewayId")
    return None


def parse_route_table(item: Fields, ctx: "Collector") -> RouteTable | None:
    table_id = item.string("RouteTableId", required=True, expected="a route table id such as rtb-0123abcd")
    vpc_id = item.string("VpcId", required=True, expected="a VPC id such as vpc-0123abcd")
    routes = tuple(r for route in item.objects("Routes") if (r := parse_route(route, ctx)) is not None)
    associations = tuple(a for assoc in item.objects("Associations")
                         if (a := parse_route_table_association(assoc)) is not None)
    if table_id is None or vpc_id is None:
        return None
    return RouteTable(**base(item, table_id, ctx), vpc_id=vpc_id, routes=routes, associations=associations,
                      propagating_vgws=item.nested_strings("PropagatingVgws", "GatewayId",
                                                           "a virtual private gateway id such as vgw-0123abcd"))


# ---------------------------------------------------------------- gateways

def attached_vpcs(item: Fields, key: str, states: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(vpc for att in item.objects(key)
                 if att.string("State") in states and (vpc := att.string("VpcId", required=True)))


def parse_internet_gateway(item: Fields, ctx: "Collector") -> InternetGateway | None:
    igw_id = item.string("InternetGatewayId", required=True, expected="an internet gateway id such as igw-0123abcd")
    # describe-internet-gateways reports an attached IGW as "available".
    vpcs = attached_vpcs(item, "Attachments", ("available", "attached"))
    return None if igw_id is None else InternetGateway(**base(item, igw_id, ctx), vpc_ids=vpcs)


def parse_egress_only_gateway(item: Fields, ctx: "Collector") -> EgressOnlyInternetGateway | None:
    eigw_id = item.string("EgressOnlyInternetGatewayId", required=True,
                          expected="an egress-only internet gateway id such as eigw-0123abcd")
    vpcs = attached_vpcs(item, "Attachments", ("attached", "available"))
    return None if eigw_id is None else EgressOnlyInternetGateway(**base(item, eigw_id, ctx, None), vpc_ids=vpcs)


def parse_nat_gateway(item: Fields, ctx: "Collector") -> NatGateway | None:
    nat_id = item.string("NatGatewayId", required=True, expected="a NAT gateway id such as nat-0123abcd")
    subnet_id = item.string("SubnetId", required=True, expected="a subnet id such as subnet-0123abcd")
    addresses = tuple(
        NatGatewayAddress(private_ip=a.ip("PrivateIp"), public_ip=a.ip("PublicIp"),
                          allocation_id=a.string("AllocationId"), eni_id=a.string("NetworkInterfaceId"),
                          is_primary=a.boolean("IsPrimary", default=True))
        for a in item.objects("NatGatewayAddresses"))
    connectivity = item.string("ConnectivityType") or "public"
    if connectivity not in ("public", "private"):
        item.bad("ConnectivityType", "invalid connectivity type", connectivity, "public or private")
    if nat_id is None or subnet_id is None:
        return None
    return NatGateway(**base(item, nat_id, ctx, None), subnet_id=subnet_id, vpc_id=item.string("VpcId"),
                      connectivity=connectivity, state=item.state(default="available"), addresses=addresses)


def parse_vpn_gateway(item: Fields, ctx: "Collector") -> VpnGateway | None:
    vgw_id = item.string("VpnGatewayId", required=True, expected="a virtual private gateway id such as vgw-0123abcd")
    vpcs = attached_vpcs(item, "VpcAttachments", ("attached",))
    return None if vgw_id is None else VpnGateway(**base(item, vgw_id, ctx, None), vpc_ids=vpcs,
                                                  state=item.state(default="available"))


# ---------------------------------------------------------------- security groups

def rule_ports(item: Fields, protocol: int, ctx: "Collector", subject: str) -> tuple[
        PortRange | None, IcmpMatch | None, bool]:
    """(ports, icmp, valid) from FromPort/ToPort, which mean type/code for ICMP and ICMPv6."""
    if protocol in (TCP, UDP):
        low = item.integer("FromPort", required=True, expected=PORT_EXPECTED)
        high = item.integer("ToPort", required=True, expected=PORT_EXPECTED)
        if low is None or high is None:
            return None, None, True
        if -1 in (low, high):
            # AWS never reports -1 for TCP/UDP, but hand-made data (Batfish's fixtures) uses it for an
            # open end; read it as Batfish does (0 / 65535) and say so.
            low, high = (0 if low == -1 else low), (65535 if high == -1 else high)
            ctx.diagnose("warning", f"port -1 read as an open end: ports {low}-{high}", item.where(), subject=subject)
        try:
            return PortRange(low, high), None, True
        except ValueProblem as problem:
            item.bad("FromPort", "invalid port range", f"{low}-{high}", problem.expected)
            return None, None, True
    if protocol in (ICMP, ICMPV6):
        icmp_type = item.integer("FromPort", expected="an ICMP type 0-255 or -1")
        icmp_code = item.integer("ToPort", expected="an ICMP code 0-255 or -1")
        icmp = IcmpMatch(-1 if icmp_type is None else icmp_type, -1 if icmp_code is None else icmp_code)
        # AWS accepts "any type, code 9" but such a rule matches no packet (Batfish warns the same way).
        if icmp.type == -1 and icmp.code != -1:
            ctx.diagnose("warning", f"ICMP rule with any type but code {icmp.code} matches nothing",
                         item.where(), subject=subject)
            return None, icmp, False
        return None, icmp, True
    return None, None, True  # -1 (all) and other protocols: AWS ignores ports


def rule_protocol(item: Fields, key: str) -> int | None:
    value = item.data.get(key)
    if value is None:
        item.bad(key, MISSING, None, PROTOCOL_EXPECTED)
        return None
    try:
        return parse_protocol(value)
    except ValueProblem:
        item.bad(key, "invalid protocol", value, PROTOCOL_EXPECTED)
        return None


def group_peer(pair: Fields, group_key: str = "GroupId") -> GroupPeer | None:
    group_id = pair.string(group_key, required=True, expected="a security group id such as sg-0123abcd")
    if group_id is None:
        return None
    return GroupPeer(group_id, account=pair.string("UserId"), vpc_id=pair.string("VpcId"),
                     peering_status=pair.string("PeeringStatus"))


def permission_peers(perm: Fields):
    """(peer, description, origin) for every peer of one IpPermissions entry."""
    for entry in perm.objects("IpRanges"):
        if (cidr := entry.cidr("CidrIp", required=True)) is not None:
            yield CidrPeer(cidr), entry.string("Description"), entry.origin
    for entry in perm.objects("Ipv6Ranges"):
        if (cidr := entry.cidr("CidrIpv6", required=True)) is not None:
            yield CidrPeer(cidr), entry.string("Description"), entry.origin
    for entry in perm.objects("PrefixListIds"):
        if (pl := entry.string("PrefixListId", required=True)) is not None:
            yield PrefixListRef(pl), entry.string("Description"), entry.origin
    for entry in perm.objects("UserIdGroupPairs"):
        if (peer := group_peer(entry)) is not None:
            yield peer, entry.string("Description"), entry.origin


def parse_permissions(item: Fields, key: str, egress: bool, ctx: "Collector", group_id: str) -> tuple[
        SecurityGroupRule, ...]:
    rules = []
    for perm in item.objects(key):
        protocol = rule_protocol(perm, "IpProtocol")
        if protocol is None:
            continue
        ports, icmp, valid = rule_ports(perm, protocol, ctx, group_id)
        for peer, description, origin in permission_peers(perm):
            rules.append(SecurityGroupRule(egress=egress, protocol=protocol, ports=ports, icmp=icmp, peer=peer,
                                           description=description, valid=valid, origin=origin))
    return tuple(rules)


def parse_security_group(item: Fields, ctx: "Collector") -> SecurityGroup | None:
    group_id = item.string("GroupId", required=True, expected="a security group id such as sg-0123abcd")
    if group_id is None:
        return None
    return SecurityGroup(**base(item, group_id, ctx), vpc_id=item.string("VpcId"),
                         group_name=item.string("GroupName"), description=item.string("Description"),
                         ingress=parse_permissions(item, "IpPermissions", False, ctx, group_id),
                         egress=parse_permissions(item, "IpPermissionsEgress", True, ctx, group_id))


def parse_security_group_rule(item: Fields, ctx: "Collector") -> tuple[str, str | None, SecurityGroupRule] | None:
    """describe-security-group-rules (sgr-): one rule with one peer; returns (group id, owner, rule)."""
    group_id = item.string("GroupId", required=True, expected="a security group id such as sg-0123abcd")
    protocol = rule_protocol(item, "IpProtocol")
    egress = item.boolean("IsEgress")
    peer: Any = None
    if item.has("CidrIpv4"):
        peer = CidrPeer(cidr) if (cidr := item.cidr("CidrIpv4")) is not None else None
    elif item.has("CidrIpv6"):
        peer = CidrPeer(cidr) if (cidr := item.cidr("CidrIpv6")) is not None else None
    elif item.has("PrefixListId"):
        peer = PrefixListRef(item.string("PrefixListId"))
    elif (ref := item.obj("ReferencedGroupInfo")) is not None:
        peer = group_peer(ref)
    else:
        item.bad("CidrIpv4", MISSING, None, "one of CidrIpv4, CidrIpv6, PrefixListId, ReferencedGroupInfo")
    if group_id is None or protocol is None or peer is None:
        return None
    ports, icmp, valid = rule_ports(item, protocol, ctx, group_id)
    rule = SecurityGroupRule(egress=egress, protocol=protocol, ports=ports, icmp=icmp, peer=peer,
                             description=item.string("Description"), rule_id=item.string("SecurityGroupRuleId"),
                             valid=valid, origin=item.origin)
    return group_id, item.string("GroupOwnerId"), rule


# ---------------------------------------------------------------- network ACLs

def parse_nacl_entry(entry: Fields) -> NetworkAclEntry | None:
    # 1-32766 are user rules; AWS lists its catch-all denies as 32767 (IPv4) and 32768 (IPv6).
    number = entry.integer("RuleNumber", required=True, expected="a rule number 1-32768")
    if number is not None and not 1 <= number <= 32768:
        entry.bad("RuleNumber", "invalid rule number", number, "a rule number 1-32768")
    action = entry.string("RuleAction", required=True, expected="allow or deny")
    if action is not None and action not in ("allow", "deny"):
        entry.bad("RuleAction", "invalid rule action", action, "allow or deny")
    protocol = rule_protocol(entry, "Protocol")
    cidr = entry.cidr("Ipv6CidrBlock") if entry.has("Ipv6CidrBlock") else entry.cidr("CidrBlock", required=True)
    ports = icmp = None
    if protocol in (TCP, UDP):
        # A TCP/UDP entry without PortRange (Batfish's hand-made fixtures have some) covers every port.
        ports = PortRange(0, 65535)
        if (port_range := entry.obj("PortRange")) is not None:
            low = port_range.integer("From", required=True, expected=PORT_EXPECTED)
            high = port_range.integer("To", required=True, expected=PORT_EXPECTED)
            try:
                ports = PortRange(low, high) if low is not None and high is not None else None
            except ValueProblem as problem:
                port_range.bad(None, "invalid port range", f"{low}-{high}", problem.expected)
                ports = None
    elif protocol in (ICMP, ICMPV6):
        type_code = entry.obj("IcmpTypeCode")
        icmp = IcmpMatch(-1, -1)
        if type_code is not None:
            icmp_type = type_code.integer("Type", expected="an ICMP type 0-255 or -1")
            icmp_code = type_code.integer("Code", expected="an ICMP code 0-255 or -1")
            icmp = IcmpMatch(-1 if icmp_type is None else icmp_type, -1 if icmp_code is None else icmp_code)
    if None in (number, action, protocol, cidr) or (protocol in (TCP, UDP) and ports is None):
        return None
    return NetworkAclEntry(rule_number=number, egress=entry.boolean("Egress"), allow=action == "allow",
                           protocol=protocol, cidr=cidr, ports=ports, icmp=icmp, origin=entry.origin)


def implied_catch_all_denies(item: Fields, entries: list[NetworkAclEntry]) -> list[NetworkAclEntry]:
    """AWS always ends each direction with a deny-all entry (32767) and lists it; some tools (moto,
    hand-written snapshots) leave it out. Defaults are explicit in the model, so it is added, marked implied."""
    implied = []
    for egress in (False, True):
        if not any(e.egress == egress and e.rule_number == 32767 for e in entries):
            implied.append(NetworkAclEntry(rule_number=32767, egress=egress, allow=False, protocol=ALL_PROTOCOLS,
                                           cidr=parse_cidr("0.0.0.0/0"),
                                           origin=item.origin.implied("the catch-all deny AWS applies last")))
    return implied


def parse_network_acl(item: Fields, ctx: "Collector") -> NetworkAcl | None:
    acl_id = item.string("NetworkAclId", required=True, expected="a network ACL id such as acl-0123abcd")
    vpc_id = item.string("VpcId", required=True, expected="a VPC id such as vpc-0123abcd")
    entries = [e for entry in item.objects("Entries") if (e := parse_nacl_entry(entry)) is not None]
    entries += implied_catch_all_denies(item, entries)
    entries.sort(key=lambda e: (e.egress, e.rule_number))  # stable: IPv4 and IPv6 32767 keep their order
    subnets = tuple(s for assoc in item.objects("Associations")
                    if (s := assoc.string("SubnetId", required=True, expected="a subnet id")) is not None)
    if acl_id is None or vpc_id is None:
        return None
    return NetworkAcl(**base(item, acl_id, ctx), vpc_id=vpc_id, is_default=item.boolean("IsDefault"),
                      entries=tuple(entries), subnet_ids=subnets)


# ---------------------------------------------------------------- interfaces and instances

def public_ip_kind(assoc: Fields) -> str:
    """An Elastic IP has an allocation and is owned by an account; an auto-assigned one by "amazon"."""
    owner = assoc.string("IpOwnerId")
    return "eip" if assoc.has("AllocationId") or (owner is not None and owner != "amazon") else "auto"


def public_ip(assoc: Fields | None, private_ip: str | None) -> PublicIp | None:
    if assoc is None or not assoc.has("PublicIp"):
        return None
    address = assoc.ip("PublicIp")
    if address is None or private_ip is None:
        return None
    return PublicIp(address=address, private_ip=private_ip, kind=public_ip_kind(assoc),
                    allocation_id=assoc.string("AllocationId"))


def parse_network_interface(item: Fields, ctx: "Collector", instance_id: str | None = None,
                            vpc_id: str | None = None) -> NetworkInterface | None:
    """describe-network-interfaces items and the NetworkInterfaces embedded in describe-instances."""
    eni_id = item.string("NetworkInterfaceId", required=True, expected="a network interface id such as eni-0123abcd")
    subnet_id = item.string("SubnetId", required=True, expected="a subnet id such as subnet-0123abcd")
    primary = item.ip("PrivateIpAddress")
    private_ips = [primary] if primary is not None else []
    public_ips = []
    for entry in item.objects("PrivateIpAddresses"):
        address = entry.ip("PrivateIpAddress", required=True)
        if address is not None and address not in private_ips:
            if entry.boolean("Primary"):
                private_ips.insert(0, address)
            else:
                private_ips.append(address)
        if (pip := public_ip(entry.obj("Association"), address)) is not None:
            public_ips.append(pip)
    if not public_ips and (pip := public_ip(item.obj("Association"), primary)) is not None:
        public_ips.append(pip)
    ipv6 = tuple(a for entry in item.objects("Ipv6Addresses") if (a := entry.ip("Ipv6Address", required=True)))
    attachment = item.obj("Attachment")
    device_index = attachment.integer("DeviceIndex") if attachment is not None else None
    attached_instance = (attachment.string("InstanceId") if attachment is not None else None) or instance_id
    if eni_id is None or subnet_id is None:
        return None
    return NetworkInterface(
        **base(item, eni_id, ctx), subnet_id=subnet_id, vpc_id=item.string("VpcId") or vpc_id,
        private_ips=tuple(private_ips), public_ips=tuple(public_ips), ipv6_addresses=ipv6,
        security_group_ids=item.nested_strings("Groups", "GroupId", SG_ID),
        source_dest_check=item.boolean("SourceDestCheck", default=True),
        interface_type=item.string("InterfaceType") or "interface", instance_id=attached_instance,
        device_index=device_index, status=item.string("Status") or "in-use",
        description=item.string("Description"), requester_managed=item.boolean("RequesterManaged"))


def parse_instance(item: Fields, ctx: "Collector", owner: str | None) -> tuple[Instance | None, list[NetworkInterface]]:
    instance_id = item.string("InstanceId", required=True, expected="an instance id such as i-0123abcd")
    state = item.state("State", "Name", default="running")
    if instance_id is None:
        return None, []
    vpc_id = item.string("VpcId")
    enis = [eni for entry in item.objects("NetworkInterfaces")
            if (eni := parse_network_interface(entry, ctx, instance_id, vpc_id)) is not None]
    enis.sort(key=lambda e: (e.device_index if e.device_index is not None else 99, e.id))
    fields = base(item, instance_id, ctx, None)
    fields["account"] = ctx.account or owner
    instance = Instance(**fields, state=state, subnet_id=item.string("SubnetId"), vpc_id=vpc_id,
                        eni_ids=tuple(e.id for e in enis), private_ip=item.ip("PrivateIpAddress"),
                        public_ip=item.ip("PublicIpAddress"),
                        security_group_ids=item.nested_strings("SecurityGroups", "GroupId", SG_ID))
    return instance, enis


def parse_elastic_ip(item: Fields, ctx: "Collector") -> ElasticIp | None:
    address = item.ip("PublicIp", required=True)
    if address is None:
        return None
    # EC2-Classic ("standard") addresses have no allocation id; the address itself identifies them.
    return ElasticIp(**base(item, item.string("AllocationId") or address, ctx, None), public_ip=address,
                     allocation_id=item.string("AllocationId"), association_id=item.string("AssociationId"),
                     eni_id=item.string("NetworkInterfaceId"), instance_id=item.string("InstanceId"),
                     private_ip=item.ip("PrivateIpAddress"), domain=item.string("Domain") or "vpc")


# ---------------------------------------------------------------- peering and prefix lists

def peering_side(info: Fields | None, where: Fields, key: str, ctx: "Collector") -> PeeringSide | None:
    if info is None:
        where.bad(key, MISSING, None, "a JSON object with VpcId, OwnerId and CidrBlock")
        return None
    vpc_id = info.string("VpcId", required=True, expected="a VPC id such as vpc-0123abcd")
    cidrs_v4 = [c for c in [info.cidr("CidrBlock")] if c is not None]
    for entry in info.objects("CidrBlockSet"):
        if (cidr := entry.cidr("CidrBlock", required=True)) is not None and cidr not in cidrs_v4:
            cidrs_v4.append(cidr)
    cidrs_v6 = tuple(c for entry in info.objects("Ipv6CidrBlockSet")
                     if (c := entry.cidr("Ipv6CidrBlock", required=True)) is not None)
    if vpc_id is None:
        return None
    return PeeringSide(vpc_id=vpc_id, account=info.string("OwnerId"), region=info.string("Region") or ctx.region,
                       cidrs_v4=tuple(cidrs_v4), cidrs_v6=cidrs_v6)


def parse_peering(item: Fields, ctx: "Collector") -> VpcPeeringConnection | None:
    pcx_id = item.string("VpcPeeringConnectionId", required=True,
                         expected="a VPC peering connection id such as pcx-0123abcd")
    requester = peering_side(item.obj("RequesterVpcInfo"), item, "RequesterVpcInfo", ctx)
    accepter = peering_side(item.obj("AccepterVpcInfo"), item, "AccepterVpcInfo", ctx)
    if pcx_id is None or requester is None or accepter is None:
        return None
    fields = base(item, pcx_id, ctx, None)
    fields["account"] = ctx.account or requester.account
    return VpcPeeringConnection(**fields, requester=requester, accepter=accepter,
                                status=item.state("Status", "Code", default="active"))


def parse_prefix_list_entries(item: Fields, key: str) -> tuple[PrefixListEntry, ...]:
    """Entries as `Cidrs: ["1.2.3.0/24"]` (describe-prefix-lists) or `Entries: [{"Cidr", "Description"}]`."""
    if key == "Cidrs":
        # A bare array of strings: read each element as field "<index>" of the array itself,
        # so a bad one is reported at .../Cidrs/<index>.
        cidrs = Fields({str(i): v for i, v in enumerate(item.array("Cidrs"))}, item.origin.child("Cidrs"),
                       item.problems)
        return tuple(PrefixListEntry(cidr=cidr) for index in range(len(cidrs.data))
                     if (cidr := cidrs.cidr(str(index), required=True)) is not None)
    return tuple(PrefixListEntry(cidr=cidr, description=entry.string("Description"))
                 for entry in item.objects(key) if (cidr := entry.cidr("Cidr", required=True)) is not None)


# ---------------------------------------------------------------- transit gateways and endpoints

def parse_transit_gateway(item: Fields, ctx: "Collector") -> TransitGateway | None:
    tgw_id = item.string("TransitGatewayId", required=True, expected="a transit gateway id such as tgw-0123abcd")
    options = item.obj("Options")
    asn = assoc_table = prop_table = None
    if options is not None:
        asn = options.integer("AmazonSideAsn", expected="an ASN")
        if options.string("DefaultRouteTableAssociation") != "disable":
            assoc_table = options.string("AssociationDefaultRouteTableId")
        if options.string("DefaultRouteTablePropagation") != "disable":
            prop_table = options.string("PropagationDefaultRouteTableId")
    if tgw_id is None:
        return None
    return TransitGateway(**base(item, tgw_id, ctx), state=item.state(default="available"), asn=asn,
                          default_association_route_table_id=assoc_table,
                          default_propagation_route_table_id=prop_table)


def parse_tgw_route(route: Fields) -> TransitGatewayRoute | None:
    """One route of search-transit-gateway-routes (as in Batfish's TransitGatewayStaticRoutes)."""
    destination = route_destination(route, ("DestinationCidrBlock",), "PrefixListId")
    attachments = tuple(a for att in route.objects("TransitGatewayAttachments")
                        if (a := att.string("TransitGatewayAttachmentId", required=True)) is not None)
    state = route.string("State") or "active"
    if destination is None:
        return None
    return TransitGatewayRoute(destination=destination, attachment_ids=attachments,
                               route_type=route.string("Type") or "static", state=state, origin=route.origin)


def parse_vpc_endpoint(item: Fields, ctx: "Collector") -> VpcEndpoint | None:
    vpce_id = item.string("VpcEndpointId", required=True, expected="a VPC endpoint id such as vpce-0123abcd")
    vpc_id = item.string("VpcId", required=True, expected="a VPC id such as vpc-0123abcd")
    endpoint_type = item.string("VpcEndpointType") or "Gateway"
    if vpce_id is None or vpc_id is None:
        return None
    return VpcEndpoint(**base(item, vpce_id, ctx), vpc_id=vpc_id, endpoint_type=endpoint_type,
                       service_name=item.string("ServiceName"), state=(item.string("State") or "available").lower(),
                       route_table_ids=item.strings("RouteTableIds"), subnet_ids=item.strings("SubnetIds"),
                       eni_ids=item.strings("NetworkInterfaceIds"),
                       security_group_ids=item.nested_strings("Groups", "GroupId", SG_ID))


__all__ = [name for name in dir() if name.startswith("parse_")] + ["base", "WRONG_TYPE"]
