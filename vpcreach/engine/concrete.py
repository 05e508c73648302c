"""A plain-Python evaluator of one concrete packet, written independently of the z3 encoding.

It walks the network hop by hop exactly as AWS forwards a single packet (and its reply), and
names the rule or route that decided each hop. The z3 engine is tested against it on boundary
and random packets, and uses it to annotate the hops of the witnesses it finds.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

from ..model import (
    ALL_PROTOCOLS, ICMP, ICMPV6, TCP, UDP, InternetGateway, IpNet, NatGateway, Network, NetworkAcl,
    NetworkAclEntry, NetworkInterface, PrefixList, Route, RouteTable, SecurityGroup,
    SecurityGroupRule, Subnet, Unknown, VpcPeeringConnection, format_ip, parse_ip, protocol_label,
)
from ..model.resources import (
    CidrPeer, EgressOnlyInternetGateway, GroupPeer, PrefixListRef, TransitGateway, TransitGatewayAttachment,
    TransitGatewayRouteTable, Vpc,
)
from . import codes

NON_INTERNET_V4 = ((0x0A000000, 8), (0xAC100000, 12), (0xC0A80000, 16), (0x64400000, 10),
                   (0x7F000000, 8), (0xA9FE0000, 16), (0x00000000, 8), (0xE0000000, 4), (0xF0000000, 4),
                   (0xC0000000, 24), (0xC6120000, 15))
NON_INTERNET_V6 = ((0, 3), (0x4 << 124, 2), (0x8 << 124, 1))  # all but global unicast 2000::/3
NAT_PROTOCOLS = (TCP, UDP, ICMP)  # a NAT gateway translates only these; others are dropped
ECHO_REPLY = {8: 0, 128: 129}  # ICMP echo request type -> reply type (IPv4, IPv6)


@dataclass(frozen=True)
class Packet:
    version: int
    src: int
    dst: int
    protocol: int  # 0..255
    src_port: int = 0
    dst_port: int = 0
    icmp_type: int = 0
    icmp_code: int = 0

    def reply(self) -> "Packet":
        icmp_type = ECHO_REPLY.get(self.icmp_type, self.icmp_type) if self.protocol in (ICMP, ICMPV6) else 0
        return replace(self, src=self.dst, dst=self.src, src_port=self.dst_port, dst_port=self.src_port,
                       icmp_type=icmp_type)

    def describe(self) -> str:
        src, dst = format_ip(self.version, self.src), format_ip(self.version, self.dst)
        name = protocol_label(self.protocol)
        if self.protocol in (TCP, UDP):
            return f"{name} {src}:{self.src_port} -> {dst}:{self.dst_port}"
        if self.protocol in (ICMP, ICMPV6):
            return f"{name} {src} -> {dst} type {self.icmp_type} code {self.icmp_code}"
        return f"{name} {src} -> {dst}"


@dataclass(frozen=True)
class Step:
    component: str
    kind: str  # security-group, network-acl, route-table, internet-gateway, nat-gateway, peering, eni, internet ...
    decision: str  # allow, deny, route, translate, deliver, exit, drop
    detail: str
    origin: str = ""


@dataclass(frozen=True)
class FilterCheck:
    """A filter on the path, recorded (not evaluated) in record mode for the z3 engine to decide.

    kind: "security-groups" (component = ENI id), "network-acl" (component = NACL id) or
          "nat-protocol" (component = NAT gateway id); packet: the packet as it is at that point.
    """

    kind: str
    component: str
    egress: bool
    packet: Packet
    reply: bool


@dataclass
class Trace:
    steps: list[Step] = field(default_factory=list)
    outcome: str = ""  # delivered, exited, dropped, inconclusive
    code: str = ""
    component: str = ""
    detail: str = ""
    endpoint: str = ""  # ENI id delivered to, or "internet" / "aws-service"
    packet: Packet | None = None  # the packet as it arrived (after translations)
    translations: list[tuple[str, Packet, Packet]] = field(default_factory=list)  # (component, before, after)
    filters: list[FilterCheck] = field(default_factory=list)  # record mode only
    tgw_lookups: set[tuple[str, str]] = field(default_factory=set)  # (TGW route table, arriving attachment)

    def add(self, component: str, kind: str, decision: str, detail: str, origin: object = "") -> None:
        self.steps.append(Step(component, kind, decision, detail, str(origin)))

    def stop(self, outcome: str, code: str, component: str, detail: str) -> "Trace":
        self.outcome, self.code, self.component, self.detail = outcome, code, component, detail
        return self


# ---------------------------------------------------------------- filters

def _address_in(net: object, version: int, value: int) -> bool:
    return isinstance(net, IpNet) and net.version == version and net.contains_int(value)


def _prefix_list_contains(network: Network, plist_id: object, version: int, value: int) -> bool | None:
    plist = network.get(plist_id, PrefixList)
    if plist is None or not plist.entries_known:
        return None
    return any(_address_in(e.cidr, version, value) for e in plist.entries)


def _ports_match(protocol: int, ports, icmp, packet: Packet) -> bool:
    """Protocol-specific part of a rule: TCP/UDP destination port, ICMP type/code, nothing else."""
    if protocol == ALL_PROTOCOLS:
        return True
    if protocol != packet.protocol:
        return False
    if protocol in (TCP, UDP):
        return ports is None or ports.contains(packet.dst_port)
    if protocol in (ICMP, ICMPV6):
        return icmp is None or icmp.matches(packet.icmp_type, packet.icmp_code)
    return True


def _group_member_has(network: Network, sg: SecurityGroup, group_id: object, version: int, value: int) -> bool:
    """A rule naming a group admits its members' private addresses, in the same or a peered VPC."""
    for eni in network.group_members(group_id) if isinstance(group_id, str) else []:
        if eni.vpc_id != sg.vpc_id and not _vpcs_peered(network, eni.vpc_id, sg.vpc_id):
            continue
        addresses = eni.private_ips if version == 4 else eni.ipv6_addresses
        for address in addresses:
            if isinstance(address, str) and parse_ip(address) == (version, value):
                return True
    return False


def _vpcs_peered(network: Network, a: object, b: object) -> bool:
    for pcx in network.peering_connections:
        sides = {pcx.requester.vpc_id, pcx.accepter.vpc_id}
        if pcx.is_active and sides == {a, b}:
            return True
    return False


def sg_rule_matches(network: Network, sg: SecurityGroup, rule: SecurityGroupRule, packet: Packet) -> bool | None:
    """None when the answer depends on something not in the snapshot."""
    if not rule.valid or not _ports_match(rule.protocol, rule.ports, rule.icmp, packet):
        return False
    remote = packet.dst if rule.egress else packet.src
    peer = rule.peer
    if isinstance(peer, CidrPeer):
        if isinstance(peer.cidr, Unknown):
            return None
        return _address_in(peer.cidr, packet.version, remote)
    if isinstance(peer, GroupPeer):
        if isinstance(peer.group_id, Unknown):
            return None
        return _group_member_has(network, sg, peer.group_id, packet.version, remote)
    if isinstance(peer, PrefixListRef):
        return _prefix_list_contains(network, peer.prefix_list_id, packet.version, remote)
    return False


def security_groups_allow(network: Network, eni: NetworkInterface, packet: Packet, egress: bool):
    """(decision, group, rule): decision True/False/None (unknown). Any matching rule allows."""
    undecided = None
    for group_id in eni.security_group_ids:
        sg = network.get(group_id, SecurityGroup)
        if sg is None:
            undecided = (None, group_id, None)
            continue
        for rule in (sg.egress if egress else sg.ingress):
            matched = sg_rule_matches(network, sg, rule, packet)
            if matched:
                return True, sg, rule
            if matched is None:
                undecided = (None, sg, rule)
    return undecided or (False, None, None)


def nacl_decision(network: Network, acl: NetworkAcl, packet: Packet, egress: bool):
    """(allowed, entry): the lowest-numbered matching entry decides; None entry = nothing matched."""
    remote = packet.dst if egress else packet.src
    for entry in sorted(acl.direction(egress), key=lambda e: e.rule_number):
        if not _ports_match(entry.protocol, entry.ports, entry.icmp, packet):
            continue
        if isinstance(entry.cidr, Unknown):
            return None, entry
        if _address_in(entry.cidr, packet.version, remote):
            return entry.allow, entry
    return False, None


def describe_sg_rule(sg: SecurityGroup, rule: SecurityGroupRule) -> str:
    direction = "egress" if rule.egress else "ingress"
    what = protocol_label(rule.protocol)
    if rule.ports is not None:
        what += f"/{rule.ports}"
    elif rule.icmp is not None:
        what += f" ({rule.icmp})"
    peer = f"{'to' if rule.egress else 'from'} {rule.peer}"
    text = f"{sg.id} {direction} {what} {peer}"
    return text + (f" \"{rule.description}\"" if rule.description else "")


def describe_nacl_entry(acl: NetworkAcl, entry: NetworkAclEntry | None, egress: bool) -> str:
    direction = "egress" if egress else "ingress"
    if entry is None:
        return f"{acl.id} {direction}: no entry matches"
    action = "allow" if entry.allow else "deny"
    what = protocol_label(entry.protocol)
    if entry.ports is not None:
        what += f"/{entry.ports}"
    number = "*" if entry.rule_number == 32767 else str(entry.rule_number)
    return f"{acl.id} {direction} rule {number} {action} {what} {entry.cidr}"


# ---------------------------------------------------------------- routing

def route_destination_contains(network: Network, route: Route, version: int, value: int) -> tuple[bool | None, int]:
    """(matches, prefix length) of a route for an address; prefix lists match with their entry's length."""
    return destination_contains(network, route.destination, version, value)


def destination_contains(network: Network, dest: object, version: int, value: int) -> tuple[bool | None, int]:
    if isinstance(dest, IpNet):
        return (dest.version == version and dest.contains_int(value)), dest.prefixlen
    if isinstance(dest, PrefixListRef):
        plist = network.get(dest.prefix_list_id, PrefixList)
        if plist is None or not plist.entries_known:
            return None, 0
        best = -1
        for e in plist.entries:
            if _address_in(e.cidr, version, value):
                best = max(best, e.cidr.prefixlen)  # type: ignore[union-attr]
        return best >= 0, max(best, 0)
    return None, 0


def longest_prefix_match(network: Network, table: RouteTable, version: int, value: int):
    """(route or None, undecided): the most specific matching route; CIDR beats prefix list on ties."""
    best: tuple[int, int, Route] | None = None
    undecided = False
    for route in table.routes:
        matched, length = route_destination_contains(network, route, version, value)
        if matched is None:
            undecided = True
        elif matched:
            rank = (length, 1 if isinstance(route.destination, IpNet) else 0)
            if best is None or rank > best[:2]:
                best = (*rank, route)
    return (best[2] if best else None), undecided


class NetworkIndex:
    """Who owns which address, built once per network: the walk asks these questions at every hop.

    Where two resources claim the same address, the first in snapshot order wins, as a scan would.
    """

    def __init__(self, network: Network):
        self.owner: dict[tuple[int, int], NetworkInterface] = {}
        self.public_owner: dict[int, tuple[object, int, str]] = {}
        self.public_for_source: dict[int, int] = {}
        self.nat_by_private: dict[int, NatGateway] = {}
        self.vpc_subnets: dict[object, list[Subnet]] = {}
        self.gateway_tables: dict[tuple[object, object], list[RouteTable]] = {}
        self.internet: dict[tuple[int, int], bool] = {}
        self.vpc_cidrs = [c for vpc in network.vpcs for c in vpc.cidrs_v4 + vpc.cidrs_v6 if isinstance(c, IpNet)]
        for eni in network.network_interfaces:
            for version, values in ((4, eni.private_ips), (6, eni.ipv6_addresses)):
                for address in values:
                    if isinstance(address, str) and parse_ip(address)[0] == version:
                        self.owner.setdefault((version, parse_ip(address)[1]), eni)
            for public in eni.public_ips:
                if isinstance(public.address, str) and isinstance(public.private_ip, str):
                    self.public_owner.setdefault(parse_ip(public.address)[1],
                                                 (eni.vpc_id, parse_ip(public.private_ip)[1], eni.id))
                    self.public_for_source.setdefault(parse_ip(public.private_ip)[1], parse_ip(public.address)[1])
        for nat in network.nat_gateways:
            subnet = network.get(nat.subnet_id, Subnet)
            for address in nat.addresses:
                if not isinstance(address.private_ip, str):
                    continue
                private = parse_ip(address.private_ip)[1]
                self.nat_by_private.setdefault(private, nat)
                if isinstance(address.public_ip, str):
                    public = parse_ip(address.public_ip)[1]
                    self.public_owner.setdefault(public, (subnet.vpc_id if subnet else nat.vpc_id, private, nat.id))
                    self.public_for_source.setdefault(private, public)
        for subnet in network.subnets:
            self.vpc_subnets.setdefault(subnet.vpc_id, []).append(subnet)
        for table in network.route_tables:
            for association in table.associations:
                if association.kind == "gateway":
                    self.gateway_tables.setdefault((table.vpc_id, association.gateway_id), []).append(table)


_INDEXES: dict[int, tuple[Network, NetworkIndex]] = {}


def network_index(network: Network) -> NetworkIndex:
    """The network's index, kept for the few networks in use (identity-checked, never stale)."""
    entry = _INDEXES.get(id(network))
    if entry is None or entry[0] is not network:
        if len(_INDEXES) > 16:
            _INDEXES.clear()
        entry = _INDEXES[id(network)] = (network, NetworkIndex(network))
    return entry[1]


def is_internet_address(network: Network, version: int, value: int) -> bool:
    index = network_index(network)
    known = index.internet.get((version, value))
    if known is None:
        known = index.internet[(version, value)] = _is_internet_address(network, index, version, value)
    return known


def _is_internet_address(network: Network, index: NetworkIndex, version: int, value: int) -> bool:
    ranges = NON_INTERNET_V4 if version == 4 else NON_INTERNET_V6
    bits = 32 if version == 4 else 128
    for base, length in ranges:
        if value >> (bits - length) == base >> (bits - length):
            return False
    if any(_address_in(cidr, version, value) for cidr in index.vpc_cidrs):
        return False
    return not (version == 4 and value in index.public_owner)


def _public_ip_owner(network: Network, value: int) -> tuple[object, int, str] | None:
    """(VPC id, private address, owner id) of a public IPv4 owned by an ENI or a NAT gateway."""
    return network_index(network).public_owner.get(value)


def _public_ip_for_source(network: Network, value: int) -> int | None:
    """The public IPv4 an internet gateway maps a private source address to (ENI or NAT gateway)."""
    return network_index(network).public_for_source.get(value)


def _nat_with_private_ip(network: Network, version: int, value: int) -> NatGateway | None:
    return network_index(network).nat_by_private.get(value) if version == 4 else None


def _eni_owning(network: Network, version: int, value: int) -> NetworkInterface | None:
    return network_index(network).owner.get((version, value))


def _subnet_of_address(network: Network, vpc_id: object, version: int, value: int) -> Subnet | None:
    for subnet in network_index(network).vpc_subnets.get(vpc_id, ()):
        cidrs = [subnet.cidr_v4] if version == 4 else list(subnet.cidrs_v6)
        if any(_address_in(c, version, value) for c in cidrs):
            return subnet
    return None


def _vpc_contains(vpc: Vpc | None, version: int, value: int) -> bool:
    return vpc is not None and any(_address_in(c, version, value) for c in vpc.cidrs_v4 + vpc.cidrs_v6)


# ---------------------------------------------------------------- transit gateway route tables

# For one destination prefix, static routes win over propagated ones, and propagated routes rank by the
# kind of attachment they came from (AWS Transit Gateway user guide, "Route evaluation order":
# docs.aws.amazon.com/vpc/latest/tgw/how-transit-gateways-work.html).
TGW_STATIC_PREFERENCE = 10
TGW_PREFIX_LIST_PREFERENCE = 9
TGW_PROPAGATED_PREFERENCE = {"vpc": 8, "direct-connect-gateway": 7, "connect": 6, "vpn": 5, "peering": 4}
TGW_ATTACHMENT_NAMES = {"vpn": "VPN", "direct-connect-gateway": "Direct Connect gateway", "connect": "Connect",
                        "peering": "peering", "tgw-peering": "peering", "vpc": "VPC"}


@dataclass(frozen=True)
class TgwRoute:
    """One effective route of a transit gateway route table: recorded, or derived from a VPC propagation."""

    destination: object  # IpNet or PrefixListRef
    attachment_ids: tuple[str, ...]
    blackhole: bool
    preference: int
    kind: str  # "static" or "propagated"
    origin: str


def _tgw_route_preference(network: Network, route_type: str, destination: object, attachment_ids) -> int:
    if route_type != "propagated":
        return TGW_PREFIX_LIST_PREFERENCE if isinstance(destination, PrefixListRef) else TGW_STATIC_PREFERENCE
    attachment = network.get(attachment_ids[0], TransitGatewayAttachment) if attachment_ids else None
    return TGW_PROPAGATED_PREFERENCE.get(getattr(attachment, "resource_type", ""), 0)


def tgw_effective_routes(network: Network, table: TransitGatewayRouteTable) -> tuple[list[TgwRoute], list[str]]:
    """(routes, attachments whose propagated routes are unknown).

    A snapshot holds either every route (`vpcreach snapshot` records search-transit-gateway-routes with
    propagated routes) or only the static ones (Batfish's layout); then a VPC attachment's propagation is
    derived from the VPC's IPv4 CIDRs, and what VPN / Direct Connect / Connect attachments learn over BGP
    is unknown."""
    routes = [TgwRoute(r.destination, r.attachment_ids, r.state == "blackhole",
                       _tgw_route_preference(network, r.route_type, r.destination, r.attachment_ids),
                       r.route_type, str(r.origin)) for r in table.routes]
    if any(r.route_type == "propagated" for r in table.routes):
        return routes, []
    unknown = []
    for attachment_id in table.propagations:
        attachment = network.get(attachment_id, TransitGatewayAttachment)
        if attachment is not None and attachment.state != "available":
            continue  # a deleted or pending attachment propagates nothing
        vpc = network.get(getattr(attachment, "resource_id", None), Vpc)
        if attachment is None or attachment.resource_type != "vpc" or vpc is None \
                or any(isinstance(c, Unknown) for c in vpc.cidrs_v4):
            unknown.append(attachment_id)
            continue
        for cidr in vpc.cidrs_v4:
            routes.append(TgwRoute(cidr, (attachment.id,), False, TGW_PROPAGATED_PREFERENCE["vpc"], "propagated",
                                   str(attachment.origin)))
    return routes, unknown


def tgw_longest_prefix_match(network: Network, routes: list[TgwRoute], version: int, value: int):
    """(route or None, undecided): the most specific route, then the preferred kind.

    Two VPC attachments propagating the same CIDR is undecided: AWS keeps whichever was attached first."""
    best: list[tuple[tuple[int, int], TgwRoute]] = []
    undecided = False
    for route in routes:
        matched, length = destination_contains(network, route.destination, version, value)
        if matched is None:
            undecided = True
        elif matched:
            rank = (length, route.preference)
            if not best or rank > best[0][0]:
                best = [(rank, route)]
            elif rank == best[0][0]:
                best.append((rank, route))
    if len({r.attachment_ids for _, r in best}) > 1:
        return None, True
    return (best[0][1] if best else None), undecided


LOAD_BALANCER_INTERFACE_TYPES = ("network_load_balancer", "gateway_load_balancer")


def _is_load_balancer_interface(eni: NetworkInterface) -> bool:
    """An interface AWS manages for a load balancer: NLB / GWLB by type, ALB / CLB ("ELB app/...",
    "ELB name") by their requester-managed description."""
    return eni.interface_type in LOAD_BALANCER_INTERFACE_TYPES or (
        eni.requester_managed and (eni.description or "").startswith("ELB "))


def _same_zone(a: Subnet, b: Subnet) -> bool:
    """Zone names are per account (us-east-1a differs between accounts), so only same-account names compare."""
    return a.account == b.account and isinstance(a.availability_zone, str) \
        and a.availability_zone == b.availability_zone


# ---------------------------------------------------------------- the walk

class ConcreteEvaluator:
    """Evaluates one packet from a start location; `connection` adds the reply."""

    def __init__(self, network: Network, record: bool = False):
        self.network = network
        self.record = record  # record filters instead of evaluating them (routing stays concrete)
        self._client_subnet: str | None = None  # set while tracing a reply to a subnet client
        self.target_subnet: str | None = None  # a subnet destination: any host there, groups not evaluated

    # -------------------------------------------------------- entry points

    def forward(self, start: str, packet: Packet) -> Trace:
        """start: an ENI id, a subnet id (a host there, security groups not evaluated) or "internet"."""
        trace = Trace()
        if start == "internet":
            if not is_internet_address(self.network, packet.version, packet.src):
                return trace.stop("dropped", codes.SOURCE_NOT_ON_INTERNET, "internet",
                                  f"{format_ip(packet.version, packet.src)} is not an internet address")
            return self._from_internet(trace, packet)
        eni = self.network.get(start, NetworkInterface)
        if eni is not None:
            return self._from_eni(trace, eni, packet)
        subnet = self.network.get(start, Subnet)
        if subnet is not None:
            trace.add(subnet.id, "subnet", "allow", "source is a host in the subnet (security groups not evaluated)")
            return self._leave_subnet(trace, subnet, packet, reply=False)
        return trace.stop("inconclusive", codes.UNSUPPORTED_COMPONENT, start, f"cannot start at {start}")

    def connection(self, start: str, packet: Packet) -> tuple[Trace, Trace | None]:
        """The forward trace and, when it got there, the reply's trace back to the client."""
        forward = self.forward(start, packet)
        if forward.outcome not in ("delivered", "exited"):
            return forward, None
        self._client_subnet = start if self.network.get(start, Subnet) is not None else None
        arrived = forward.packet or packet
        reply = arrived.reply()
        back = Trace()
        back.translations = list(forward.translations)
        if forward.endpoint == "aws-service":
            # The service answers through the same gateway endpoint, straight into the client's VPC.
            back.add(forward.component, "vpc-endpoint", "route", "reply from the AWS service")
            trace = self._local_delivery(back, self._vpc_of_start(start), reply, reply=True)
        elif forward.endpoint == "internet":
            trace = self._reply_from_outside(back, reply)
        else:
            eni = self.network.get(forward.endpoint, NetworkInterface)
            if eni is not None:
                back.add(eni.id, "eni", "allow", "reply to a tracked connection (security groups are stateful)")
                subnet = self.network.get(eni.subnet_id, Subnet)
            else:  # a host in a destination subnet
                subnet = self.network.get(forward.endpoint, Subnet)
                back.add(subnet.id, "subnet", "allow", "reply from the host in the subnet")
            trace = self._leave_subnet(back, subnet, reply, reply=True)
        return forward, self._check_reply_reached_client(trace, start, packet)

    def _vpc_of_start(self, start: str) -> Vpc | None:
        resource = self.network.get(start)
        return self.network.get(getattr(resource, "vpc_id", None), Vpc)

    # -------------------------------------------------------- sources

    def _from_eni(self, trace: Trace, eni: NetworkInterface, packet: Packet) -> Trace:
        if self.record:
            trace.filters.append(FilterCheck("security-groups", eni.id, True, packet, False))
            trace.add(eni.id, "security-group", "check", "egress rules of its security groups")
            return self._leave_subnet(trace, self.network.get(eni.subnet_id, Subnet), packet, reply=False) \
                if self.network.get(eni.subnet_id, Subnet) else trace.stop(
                    "inconclusive", codes.UNKNOWN_VALUE, eni.id, f"subnet {eni.subnet_id} is not in the snapshot")
        decision, sg, rule = security_groups_allow(self.network, eni, packet, egress=True)
        if decision is None:
            return trace.stop("inconclusive", codes.UNKNOWN_VALUE, getattr(sg, "id", str(sg)),
                              "a security group rule on the path is not known")
        if not decision:
            trace.add(eni.id, "security-group", "deny", f"no egress rule of {', '.join(map(str, eni.security_group_ids)) or 'its groups'} allows it")
            return trace.stop("dropped", codes.ENI_SG_RULES_MISMATCH, eni.id, "security groups deny egress")
        trace.add(sg.id, "security-group", "allow", describe_sg_rule(sg, rule), rule.origin)
        subnet = self.network.get(eni.subnet_id, Subnet)
        if subnet is None:
            return trace.stop("inconclusive", codes.UNKNOWN_VALUE, eni.id, f"subnet {eni.subnet_id} is not in the snapshot")
        return self._leave_subnet(trace, subnet, packet, reply=False)

    def _from_internet(self, trace: Trace, packet: Packet) -> Trace:
        trace.add("internet", "internet", "route", f"from {format_ip(packet.version, packet.src)}")
        if packet.version == 4:
            return self._enter_through_public_ip(trace, packet, reply=False)
        eni = _eni_owning(self.network, 6, packet.dst)
        if eni is None:
            return trace.stop("dropped", codes.NO_ROUTE_TO_DESTINATION, "internet",
                              f"no resource in the snapshot owns {format_ip(6, packet.dst)}")
        igw = self.network.internet_gateway_for_vpc(eni.vpc_id) if isinstance(eni.vpc_id, str) else None
        if igw is None:
            eigw = self._eigw_for(eni.vpc_id)
            component = eigw.id if eigw else str(eni.vpc_id)
            return trace.stop("dropped", codes.EGRESS_ONLY_INBOUND if eigw else codes.IGW_NOT_ATTACHED, component,
                              "an egress-only internet gateway admits replies only" if eigw
                              else f"{eni.vpc_id} has no attached internet gateway")
        trace.add(igw.id, "internet-gateway", "route", f"to {format_ip(6, packet.dst)}")
        return self._enter_vpc(trace, self.network.get(eni.vpc_id, Vpc), igw.id, packet, reply=False)

    def _reply_from_outside(self, trace: Trace, reply: Packet) -> Trace:
        """A reply from an internet host (or AWS service) to the address the client was seen as."""
        if reply.version == 4:
            return self._enter_through_public_ip(trace, reply, reply=True)
        eni = _eni_owning(self.network, 6, reply.dst)
        if eni is None:
            return trace.stop("dropped", codes.NO_ROUTE_TO_DESTINATION, "internet", "no resource owns the address")
        gateway = self.network.internet_gateway_for_vpc(eni.vpc_id) or self._eigw_for(eni.vpc_id)
        if gateway is None:
            return trace.stop("dropped", codes.IGW_NOT_ATTACHED, str(eni.vpc_id), "no internet gateway")
        trace.add(gateway.id, "internet-gateway", "route", "reply admitted (tracked connection)")
        return self._enter_vpc(trace, self.network.get(eni.vpc_id, Vpc), gateway.id, reply, reply=True)

    def _enter_through_public_ip(self, trace: Trace, packet: Packet, reply: bool) -> Trace:
        """IPv4 from the internet: the IGW maps the public address 1:1 to its private address."""
        owner = _public_ip_owner(self.network, packet.dst)
        if owner is None:
            return trace.stop("dropped", codes.NO_ROUTE_TO_DESTINATION, "internet",
                              f"no resource in the snapshot owns {format_ip(4, packet.dst)}")
        vpc_id, private, _ = owner
        igw = self.network.internet_gateway_for_vpc(vpc_id) if isinstance(vpc_id, str) else None
        if igw is None:
            return trace.stop("dropped", codes.IGW_NOT_ATTACHED, str(vpc_id),
                              f"{vpc_id} has no attached internet gateway")
        translated = replace(packet, dst=private)
        trace.add(igw.id, "internet-gateway", "translate",
                  f"destination {format_ip(4, packet.dst)} -> {format_ip(4, private)}", igw.origin)
        if not reply:
            trace.translations.append((igw.id, packet, translated))
        return self._enter_vpc(trace, self.network.get(vpc_id, Vpc), igw.id, translated, reply=reply)

    def _eigw_for(self, vpc_id: object) -> EgressOnlyInternetGateway | None:
        for eigw in self.network.egress_only_internet_gateways:
            if vpc_id in eigw.vpc_ids:
                return eigw
        return None

    # -------------------------------------------------------- subnets and routing

    def _leave_subnet(self, trace: Trace, subnet: Subnet, packet: Packet, reply: bool) -> Trace:
        """Packet leaves an ENI (or NAT) in `subnet`: same-subnet delivery, else route table and NACL."""
        if self._in_subnet(subnet, packet.version, packet.dst):
            trace.add(subnet.id, "subnet", "route", "destination is in the same subnet (no route table, no NACL)")
            return self._deliver_in_subnet(trace, subnet, packet, reply, crossed=False)
        table = self.network.route_table_for_subnet(subnet.id)
        if table is None:
            return trace.stop("inconclusive", codes.UNKNOWN_VALUE, subnet.id, "no route table is known for the subnet")
        route, undecided = longest_prefix_match(self.network, table, packet.version, packet.dst)
        if route is None:
            if undecided:
                return trace.stop("inconclusive", codes.UNKNOWN_VALUE, table.id, "a prefix list route is not known")
            trace.add(table.id, "route-table", "drop", f"no route for {format_ip(packet.version, packet.dst)}")
            return trace.stop("dropped", codes.NO_ROUTE_TO_DESTINATION, table.id,
                              f"{table.id} has no route for {format_ip(packet.version, packet.dst)}")
        if not self._pass_nacl(trace, subnet, packet, egress=True, reply=reply):
            return trace
        trace.add(table.id, "route-table", "route", f"{route.destination} -> {route.target}", route.origin)
        if route.state != "active":
            return trace.stop("dropped", codes.BAD_STATE_ROUTE, table.id,
                              f"route {route.destination} -> {route.target} is a blackhole")
        return self._follow_target(trace, subnet, table, route, packet, reply)

    def _pass_nacl(self, trace: Trace, subnet: Subnet, packet: Packet, egress: bool, reply: bool) -> bool:
        """Evaluate (or record) the subnet's NACL for traffic crossing its boundary; False = stopped."""
        acl = self.network.nacl_for_subnet(subnet.id)
        if acl is None:
            trace.stop("inconclusive", codes.UNKNOWN_VALUE, subnet.id, "no network ACL is known for the subnet")
            return False
        if self.record:
            trace.filters.append(FilterCheck("network-acl", acl.id, egress, packet, reply))
            trace.add(acl.id, "network-acl", "check", f"{'egress' if egress else 'ingress'} entries")
            return True
        allowed, entry = nacl_decision(self.network, acl, packet, egress=egress)
        if allowed is None:
            trace.stop("inconclusive", codes.UNKNOWN_VALUE, acl.id, "a NACL entry is not known")
            return False
        trace.add(acl.id, "network-acl", "allow" if allowed else "deny",
                  describe_nacl_entry(acl, entry, egress), entry.origin if entry else acl.origin)
        if not allowed:
            trace.stop("dropped", codes.SUBNET_ACL_RESTRICTION, acl.id, describe_nacl_entry(acl, entry, egress))
        return allowed

    def _in_subnet(self, subnet: Subnet, version: int, value: int) -> bool:
        cidrs = [subnet.cidr_v4] if version == 4 else list(subnet.cidrs_v6)
        return any(_address_in(c, version, value) for c in cidrs)

    def _follow_target(self, trace: Trace, subnet: Subnet, table: RouteTable, route: Route,
                       packet: Packet, reply: bool) -> Trace:
        target = route.target
        vpc = self.network.get(subnet.vpc_id, Vpc)
        if target.kind == "local":
            return self._local_delivery(trace, vpc, packet, reply)
        if isinstance(target.id, Unknown) or target.id is None:
            return trace.stop("inconclusive", codes.UNKNOWN_VALUE, table.id, f"route target {target} is not known")
        if target.kind == "internet-gateway":
            return self._out_internet_gateway(trace, vpc, str(target.id), packet, reply)
        if target.kind == "egress-only-internet-gateway":
            return self._out_egress_only(trace, vpc, str(target.id), packet, reply)
        if target.kind == "nat-gateway":
            return self._through_nat(trace, subnet, str(target.id), packet, reply)
        if target.kind == "vpc-peering":
            return self._through_peering(trace, vpc, str(target.id), packet, reply)
        if target.kind == "vpc-endpoint" and isinstance(route.destination, PrefixListRef):
            trace.add(str(target.id), "vpc-endpoint", "exit", "to the AWS service through a gateway endpoint")
            trace.packet, trace.endpoint = packet, "aws-service"
            return trace.stop("exited", "", str(target.id), "delivered to the AWS service")
        if target.kind == "transit-gateway":
            return self._into_transit_gateway(trace, subnet, str(target.id), packet, reply)
        if target.kind == "vpn-gateway":
            return trace.stop("inconclusive", codes.UNSUPPORTED_COMPONENT, str(target.id),
                              f"routing through the VPN gateway {target.id} (to a VPN connection) is not modelled")
        if target.kind in ("network-interface", "instance"):
            return self._to_appliance(trace, str(target.id), target.kind, packet)
        return trace.stop("inconclusive", codes.UNSUPPORTED_COMPONENT, str(target.id),
                          f"routing through a {target.kind} is not modelled yet")

    def _to_appliance(self, trace: Trace, target_id: str, kind: str, packet: Packet) -> Trace:
        """A route to an ENI or instance (a NAT instance, a firewall). AWS delivers traffic not addressed
        to the interface only when its source/destination check is off; what the appliance then does
        is its own configuration, which no snapshot holds."""
        eni = self.network.get(target_id, NetworkInterface)
        if eni is None and kind == "instance":
            instance = self.network.get(target_id)
            eni = self.network.get(next(iter(getattr(instance, "eni_ids", ())), None), NetworkInterface)
        if eni is None:
            return trace.stop("dropped", codes.BAD_STATE_ROUTE, target_id, f"{target_id} does not exist")
        if eni.source_dest_check and _eni_owning(self.network, packet.version, packet.dst) is not eni:
            trace.add(eni.id, "eni", "drop", "source/destination check is on: traffic for others is dropped")
            return trace.stop("dropped", codes.SOURCE_DEST_CHECK_RESTRICTION, eni.id,
                              f"{eni.id} has its source/destination check on, so it drops traffic addressed "
                              f"to {format_ip(packet.version, packet.dst)}")
        return trace.stop("inconclusive", codes.UNSUPPORTED_COMPONENT, eni.id,
                          f"forwarding by the appliance behind {eni.id} is not modelled")

    def _local_delivery(self, trace: Trace, vpc: Vpc | None, packet: Packet, reply: bool) -> Trace:
        if vpc is None:
            return trace.stop("inconclusive", codes.UNKNOWN_VALUE, "vpc", "the VPC is not in the snapshot")
        subnet = _subnet_of_address(self.network, vpc.id, packet.version, packet.dst)
        if subnet is None and self._vpc_has_unknown_subnet_cidr(vpc.id, packet.version):
            return trace.stop("inconclusive", codes.UNKNOWN_VALUE, vpc.id,
                              f"a subnet CIDR of {vpc.id} is unknown until apply")
        if subnet is None:
            return trace.stop("dropped", codes.NO_ROUTE_TO_DESTINATION, vpc.id,
                              f"no subnet of {vpc.id} contains {format_ip(packet.version, packet.dst)}")
        return self._deliver_in_subnet(trace, subnet, packet, reply, crossed=True)

    def _vpc_has_unknown_subnet_cidr(self, vpc_id: str, version: int) -> bool:
        for subnet in self.network.subnets:
            if subnet.vpc_id == vpc_id:
                values = [subnet.cidr_v4] if version == 4 else list(subnet.cidrs_v6)
                if any(isinstance(v, Unknown) for v in values):
                    return True
        return False

    def _deliver_in_subnet(self, trace: Trace, subnet: Subnet, packet: Packet, reply: bool, crossed: bool) -> Trace:
        if crossed and not self._pass_nacl(trace, subnet, packet, egress=False, reply=reply):
            return trace
        eni = _eni_owning(self.network, packet.version, packet.dst)
        nat = _nat_with_private_ip(self.network, packet.version, packet.dst)
        if nat is not None and nat.subnet_id == subnet.id:
            return self._arrive_at_nat(trace, nat, packet, reply)
        if reply and subnet.id == self._client_subnet:
            trace.add(subnet.id, "subnet", "deliver", "reply reached the client host in the subnet")
            trace.packet, trace.endpoint = packet, subnet.id
            return trace.stop("delivered", "", subnet.id, "delivered")
        if (eni is None or eni.subnet_id != subnet.id) and not reply and subnet.id == self.target_subnet:
            trace.add(subnet.id, "subnet", "deliver", "reached a host in the subnet (security groups not evaluated)")
            trace.packet, trace.endpoint = packet, subnet.id
            return trace.stop("delivered", "", subnet.id, "delivered")
        if eni is None or eni.subnet_id != subnet.id:
            return trace.stop("dropped", codes.NO_ENI_AT_DESTINATION, subnet.id,
                              f"no network interface has {format_ip(packet.version, packet.dst)}")
        if not reply and _is_load_balancer_interface(eni):
            return trace.stop("inconclusive", codes.UNSUPPORTED_COMPONENT, eni.id,
                              f"{eni.id} belongs to a load balancer ({eni.description or eni.interface_type}): "
                              "load balancer listeners and targets are not modelled")
        if reply:
            trace.add(eni.id, "eni", "deliver", "reply accepted (tracked connection)")
        elif subnet.id == self.target_subnet:
            trace.add(subnet.id, "subnet", "deliver", "reached a host in the subnet (security groups not evaluated)")
            trace.packet, trace.endpoint = packet, subnet.id
            return trace.stop("delivered", "", subnet.id, "delivered")
        elif self.record:
            trace.filters.append(FilterCheck("security-groups", eni.id, False, packet, False))
            trace.add(eni.id, "security-group", "check", "ingress rules of its security groups")
        else:
            decision, sg, rule = security_groups_allow(self.network, eni, packet, egress=False)
            if decision is None:
                return trace.stop("inconclusive", codes.UNKNOWN_VALUE, getattr(sg, "id", str(sg)),
                                  "a security group rule on the path is not known")
            if not decision:
                trace.add(eni.id, "security-group", "deny", "no ingress rule allows it")
                return trace.stop("dropped", codes.ENI_SG_RULES_MISMATCH, eni.id, "security groups deny ingress")
            trace.add(sg.id, "security-group", "allow", describe_sg_rule(sg, rule), rule.origin)
            trace.add(eni.id, "eni", "deliver", f"delivered to {eni.id}")
        trace.packet, trace.endpoint = packet, eni.id
        return trace.stop("delivered", "", eni.id, "delivered")

    # -------------------------------------------------------- gateways

    def _out_internet_gateway(self, trace: Trace, vpc: Vpc | None, igw_id: str, packet: Packet, reply: bool) -> Trace:
        igw = self.network.get(igw_id, InternetGateway)
        if igw is None:
            return trace.stop("dropped", codes.BAD_STATE_ROUTE, igw_id, f"{igw_id} does not exist")
        if vpc is None or vpc.id not in igw.vpc_ids:
            return trace.stop("dropped", codes.IGW_NOT_ATTACHED, igw_id, f"{igw_id} is not attached to the VPC")
        outgoing = packet
        if packet.version == 4:
            public = _public_ip_for_source(self.network, packet.src)
            if public is None:
                trace.add(igw_id, "internet-gateway", "drop",
                          f"{format_ip(4, packet.src)} has no public IPv4 address")
                return trace.stop("dropped", codes.NO_PUBLIC_IP, igw_id,
                                  f"{format_ip(4, packet.src)} has no public IPv4 or Elastic IP")
            outgoing = replace(packet, src=public)
            trace.add(igw_id, "internet-gateway", "translate",
                      f"source {format_ip(4, packet.src)} -> {format_ip(4, public)}", igw.origin)
            trace.translations.append((igw_id, packet, outgoing))
        else:
            trace.add(igw_id, "internet-gateway", "route", "IPv6 leaves untranslated")
        return self._on_internet(trace, outgoing, reply)

    def _out_egress_only(self, trace: Trace, vpc: Vpc | None, eigw_id: str, packet: Packet, reply: bool) -> Trace:
        eigw = self.network.get(eigw_id, EgressOnlyInternetGateway)
        if eigw is None or vpc is None or vpc.id not in eigw.vpc_ids:
            return trace.stop("dropped", codes.IGW_NOT_ATTACHED, eigw_id, f"{eigw_id} is not attached to the VPC")
        if packet.version != 6:
            return trace.stop("dropped", codes.NO_ROUTE_TO_DESTINATION, eigw_id, "egress-only gateways carry IPv6 only")
        trace.add(eigw_id, "egress-only-internet-gateway", "route", "IPv6 out to the internet")
        return self._on_internet(trace, packet, reply)

    def _on_internet(self, trace: Trace, packet: Packet, reply: bool) -> Trace:
        """The packet is on the internet: it exits, comes back into the snapshot, or is dropped."""
        if reply:
            trace.packet, trace.endpoint = packet, "internet"
            if is_internet_address(self.network, packet.version, packet.dst):
                trace.add("internet", "internet", "exit", f"to {format_ip(packet.version, packet.dst)}")
                return trace.stop("exited", "", "internet", "reply left to the internet")
        elif is_internet_address(self.network, packet.version, packet.dst):
            trace.add("internet", "internet", "exit", f"to {format_ip(packet.version, packet.dst)}")
            trace.packet, trace.endpoint = packet, "internet"
            return trace.stop("exited", "", "internet", "left to the internet")
        if packet.version == 4 and _public_ip_owner(self.network, packet.dst) is not None \
                or packet.version == 6 and _eni_owning(self.network, 6, packet.dst) is not None:
            return self._from_internet(trace, packet) if not reply else self._reply_from_outside(trace, packet)
        trace.add("internet", "internet", "drop", f"{format_ip(packet.version, packet.dst)} is not routable on the internet")
        return trace.stop("dropped", codes.PRIVATE_ADDRESS_NOT_ROUTABLE, "internet",
                          f"{format_ip(packet.version, packet.dst)} is not an internet address")

    def _through_nat(self, trace: Trace, subnet: Subnet, nat_id: str, packet: Packet, reply: bool) -> Trace:
        nat = self.network.get(nat_id, NatGateway)
        if nat is None:
            return trace.stop("dropped", codes.BAD_STATE_ROUTE, nat_id, f"{nat_id} does not exist")
        if nat.state != "available":
            return trace.stop("dropped", codes.BAD_STATE, nat_id, f"{nat_id} is {nat.state}")
        nat_subnet = self.network.get(nat.subnet_id, Subnet)
        if nat_subnet is None:
            return trace.stop("inconclusive", codes.UNKNOWN_VALUE, nat_id, "the NAT gateway's subnet is not known")
        if nat_subnet.id != subnet.id and not self._pass_nacl(trace, nat_subnet, packet, egress=False, reply=reply):
            return trace
        if packet.version != 4:
            trace.add(nat_id, "nat-gateway", "drop", "NAT gateways translate IPv4 only")
            return trace.stop("dropped", codes.NAT_PROTOCOL_UNSUPPORTED, nat_id, "NAT gateways translate IPv4 only")
        if self.record:
            trace.filters.append(FilterCheck("nat-protocol", nat_id, True, packet, reply))
        elif packet.protocol not in NAT_PROTOCOLS:
            trace.add(nat_id, "nat-gateway", "drop", "NAT gateways translate only TCP, UDP and ICMP")
            return trace.stop("dropped", codes.NAT_PROTOCOL_UNSUPPORTED, nat_id,
                              "NAT gateways translate only TCP, UDP and ICMP")
        private = next((a.private_ip for a in nat.addresses if isinstance(a.private_ip, str)), None)
        if private is None:
            return trace.stop("inconclusive", codes.UNKNOWN_VALUE, nat_id, "the NAT gateway's address is not known")
        port = packet.src_port if packet.protocol in (TCP, UDP) else 0
        translated = replace(packet, src=parse_ip(private)[1], src_port=port)
        trace.add(nat_id, "nat-gateway", "translate", f"source {format_ip(4, packet.src)} -> {private}", nat.origin)
        trace.translations.append((nat_id, packet, translated))
        onward = self._leave_subnet(trace, nat_subnet, translated, reply)
        table = self.network.route_table_for_subnet(nat_subnet.id)
        if onward.code == codes.NO_ROUTE_TO_DESTINATION and table is not None and onward.component == table.id:
            # Name the real problem: a NAT gateway only works if its own subnet routes onward.
            onward.code = codes.NAT_NO_INTERNET_ROUTE
            onward.detail = (f"{nat_id} is in {nat_subnet.id}, whose route table {table.id} has no route for "
                             f"{format_ip(packet.version, packet.dst)}")
        return onward

    def _arrive_at_nat(self, trace: Trace, nat: NatGateway, packet: Packet, reply: bool) -> Trace:
        """A packet addressed to a NAT gateway is either the reply to a translation or dropped."""
        for component, before, after in reversed(trace.translations):
            if component == nat.id and reply and after.src == packet.dst and after.src_port == packet.dst_port:
                restored = replace(packet, dst=before.src, dst_port=before.src_port)
                trace.add(nat.id, "nat-gateway", "translate",
                          f"reply destination {format_ip(4, packet.dst)} -> {format_ip(4, before.src)}")
                return self._leave_subnet(trace, self.network.get(nat.subnet_id, Subnet), restored, reply=True)
        trace.add(nat.id, "nat-gateway", "drop", "NAT gateways drop unsolicited inbound traffic")
        return trace.stop("dropped", codes.NAT_UNSOLICITED_INBOUND, nat.id, "NAT gateways accept no unsolicited traffic")

    def _through_peering(self, trace: Trace, vpc: Vpc | None, pcx_id: str, packet: Packet, reply: bool) -> Trace:
        pcx = self.network.get(pcx_id, VpcPeeringConnection)
        if pcx is None:
            return trace.stop("dropped", codes.BAD_STATE_ROUTE, pcx_id, f"{pcx_id} does not exist")
        if not pcx.is_active:
            return trace.stop("dropped", codes.BAD_STATE, pcx_id, f"{pcx_id} is {pcx.status}")
        if vpc is None or vpc.id not in (pcx.requester.vpc_id, pcx.accepter.vpc_id):
            return trace.stop("dropped", codes.BAD_STATE_ROUTE, pcx_id, f"{pcx_id} does not connect this VPC")
        peer_id = pcx.accepter.vpc_id if vpc.id == pcx.requester.vpc_id else pcx.requester.vpc_id
        peer = self.network.get(peer_id, Vpc)
        if peer is None:
            return trace.stop("inconclusive", codes.UNKNOWN_VALUE, pcx_id, f"peer VPC {peer_id} is not in the snapshot")
        if not _vpc_contains(peer, packet.version, packet.dst):
            trace.add(pcx_id, "peering", "drop", f"{format_ip(packet.version, packet.dst)} is outside {peer.id}")
            return trace.stop("dropped", codes.PEERING_DESTINATION_OUTSIDE_PEER, pcx_id,
                              f"{format_ip(packet.version, packet.dst)} is not in the peer VPC {peer.id}")
        trace.add(pcx_id, "peering", "route", f"to {peer.id}", pcx.origin)
        return self._local_delivery(trace, peer, packet, reply)

    def _enter_vpc(self, trace: Trace, vpc: Vpc | None, gateway_id: str, packet: Packet, reply: bool) -> Trace:
        """Traffic entering from a gateway: an edge-associated route table may steer it, else local."""
        for table in network_index(self.network).gateway_tables.get((getattr(vpc, "id", None), gateway_id), ()):
            route, _ = longest_prefix_match(self.network, table, packet.version, packet.dst)
            if route is None or route.target.kind != "local":
                return trace.stop("inconclusive", codes.UNSUPPORTED_COMPONENT, table.id,
                                  "ingress routing to an appliance is not modelled yet")
        return self._local_delivery(trace, vpc, packet, reply)

    # -------------------------------------------------------- transit gateways
    #
    # Network ACLs around a transit gateway (AWS Transit Gateway user guide, "Network ACLs for transit
    # gateways", docs.aws.amazon.com/vpc/latest/tgw/tgw-nacls.html): traffic from instances to the transit
    # gateway is checked by the instance subnet's outbound rules and the attachment subnet's inbound rules
    # (both, even when they are the same subnet); traffic from the transit gateway to instances by the
    # attachment subnet's outbound rules and the instance subnet's inbound rules, and by none when the
    # instance is in the attachment subnet. The first is `_leave_subnet` then `_pass_nacl` of the attachment
    # subnet; the second is `_leave_subnet` from the attachment subnet, whose route table forwards the packet.

    def _into_transit_gateway(self, trace: Trace, subnet: Subnet, tgw_id: str, packet: Packet, reply: bool) -> Trace:
        tgw = self.network.get(tgw_id, TransitGateway)
        if tgw is None:
            return trace.stop("inconclusive", codes.UNKNOWN_VALUE, tgw_id,
                              f"transit gateway {tgw_id} is not in the snapshot")
        if tgw.state != "available":
            return trace.stop("dropped", codes.BAD_STATE, tgw.id, f"{tgw.id} is {tgw.state}")
        if packet.version != 4:
            # Whether an attachment carries IPv6 (its Ipv6Support option) is not in the model.
            return trace.stop("inconclusive", codes.UNSUPPORTED_COMPONENT, tgw.id,
                              f"IPv6 through the transit gateway {tgw.id} is not modelled yet")
        attachment = self._vpc_attachment(tgw, subnet.vpc_id)
        if attachment is None:
            return trace.stop("inconclusive", codes.UNKNOWN_VALUE, tgw.id,
                              f"no attachment of {tgw.id} to {subnet.vpc_id} is in the snapshot")
        if attachment.state != "available":
            return trace.stop("dropped", codes.BAD_STATE, attachment.id, f"{attachment.id} is {attachment.state}")
        zones = [getattr(self.network.get(s, Subnet), "availability_zone", None) for s in attachment.subnet_ids]
        if not all(isinstance(z, str) for z in [subnet.availability_zone, *zones]):
            return trace.stop("inconclusive", codes.UNKNOWN_VALUE, attachment.id,
                              f"the Availability Zones of {subnet.id} and of the subnets of {attachment.id} are not known")
        entry = self._attachment_subnet_in_az(attachment, subnet)
        if entry is None:
            # "Resources in Availability Zones where there is no transit gateway attachment cannot reach the
            # transit gateway" (AWS Transit Gateway user guide, "Amazon VPC attachments", Limits).
            trace.add(attachment.id, "transit-gateway-attachment", "drop",
                      f"no subnet of {attachment.id} is in {subnet.availability_zone}")
            return trace.stop("dropped", codes.TGW_NO_ATTACHMENT_IN_AZ, attachment.id,
                              f"{attachment.id} has no subnet in {subnet.availability_zone}, the zone of {subnet.id}")
        if not self._pass_nacl(trace, entry, packet, egress=False, reply=reply):
            return trace
        trace.add(attachment.id, "transit-gateway-attachment", "route", f"into {tgw.id} at {entry.id}",
                  attachment.origin)
        return self._route_in_transit_gateway(trace, tgw, attachment, entry, packet, reply)

    def _vpc_attachment(self, tgw: TransitGateway, vpc_id: object) -> TransitGatewayAttachment | None:
        """The VPC's attachment to the transit gateway, an available one first."""
        found = [a for a in self.network.transit_gateway_attachments
                 if a.transit_gateway_id == tgw.id and a.resource_type == "vpc" and a.resource_id == vpc_id]
        found.sort(key=lambda a: (a.state != "available", a.id))
        return found[0] if found else None

    def _attachment_subnet_in_az(self, attachment: TransitGatewayAttachment, subnet: Subnet) -> Subnet | None:
        for subnet_id in sorted(s for s in attachment.subnet_ids if isinstance(s, str)):
            candidate = self.network.get(subnet_id, Subnet)
            if candidate is not None and _same_zone(candidate, subnet):
                return candidate
        return None

    def _route_in_transit_gateway(self, trace: Trace, tgw: TransitGateway, arrived: TransitGatewayAttachment,
                                  entry: Subnet | None, packet: Packet, reply: bool) -> Trace:
        """Look the destination up in the route table associated with the attachment the packet came in by.

        `entry` is the attachment subnet it came from (None after a peering: another Region's zones)."""
        table = self._tgw_association(tgw, arrived)
        if isinstance(table, str):
            return trace.stop("inconclusive", codes.UNKNOWN_VALUE, table,
                              f"transit gateway route table {table} is not in the snapshot")
        if table is None:
            trace.add(arrived.id, "transit-gateway-attachment", "drop", f"not associated with a route table of {tgw.id}")
            return trace.stop("dropped", codes.NO_ROUTE_TO_DESTINATION, arrived.id,
                              f"{arrived.id} is not associated with a route table of {tgw.id}")
        if (table.id, arrived.id) in trace.tgw_lookups:
            return trace.stop("dropped", codes.ROUTING_LOOP, table.id,
                              f"the packet comes back to {table.id} from {arrived.id}: a routing loop")
        trace.tgw_lookups.add((table.id, arrived.id))
        if not table.routes_known:
            return trace.stop("inconclusive", codes.UNKNOWN_VALUE, table.id, f"the routes of {table.id} are not in the snapshot")
        routes, unknown = tgw_effective_routes(self.network, table)
        if unknown:
            return trace.stop("inconclusive", codes.UNKNOWN_VALUE, unknown[0],
                              f"{table.id} has routes propagated from {unknown[0]} that are not in the snapshot "
                              "(learned over BGP, or from a VPC not in the snapshot)")
        route, undecided = tgw_longest_prefix_match(self.network, routes, packet.version, packet.dst)
        destination = format_ip(packet.version, packet.dst)
        if undecided:
            return trace.stop("inconclusive", codes.UNKNOWN_VALUE, table.id,
                              f"the route {table.id} uses for {destination} is not determined by the snapshot")
        if route is None:
            trace.add(table.id, "transit-gateway-route-table", "drop", f"no route for {destination}", table.origin)
            return trace.stop("dropped", codes.NO_ROUTE_TO_DESTINATION, table.id,
                              f"{table.id} has no route for {destination}")
        targets = ", ".join(route.attachment_ids) or "blackhole"
        trace.add(table.id, "transit-gateway-route-table", "route", f"{route.destination} -> {targets} ({route.kind})",
                  route.origin)
        if route.blackhole:
            return trace.stop("dropped", codes.BAD_STATE_ROUTE, table.id,
                              f"route {route.destination} in {table.id} is a blackhole")
        if len(route.attachment_ids) != 1:
            return trace.stop("inconclusive", codes.UNSUPPORTED_COMPONENT, table.id,
                              f"equal-cost routing across {targets} is not modelled")
        return self._to_tgw_attachment(trace, tgw, route.attachment_ids[0], entry, packet, reply)

    def _tgw_association(self, tgw: TransitGateway, attachment: TransitGatewayAttachment):
        """The route table of this transit gateway associated with the attachment; its id if not in the
        snapshot; None when the attachment is not associated (a peering attachment has one per side)."""
        for table in self.network.transit_gateway_route_tables:
            if table.transit_gateway_id == tgw.id and attachment.id in table.associations:
                return table
        table_id = attachment.association_route_table_id
        if attachment.transit_gateway_id == tgw.id and table_id:
            return self.network.get(table_id, TransitGatewayRouteTable) or table_id
        return None

    def _to_tgw_attachment(self, trace: Trace, tgw: TransitGateway, attachment_id: str, entry: Subnet | None,
                           packet: Packet, reply: bool) -> Trace:
        attachment = self.network.get(attachment_id, TransitGatewayAttachment)
        if attachment is None:
            return trace.stop("inconclusive", codes.UNKNOWN_VALUE, attachment_id,
                              f"transit gateway attachment {attachment_id} is not in the snapshot")
        if attachment.state != "available":
            return trace.stop("dropped", codes.BAD_STATE, attachment.id, f"{attachment.id} is {attachment.state}")
        if attachment.resource_type == "vpc":
            return self._out_of_transit_gateway(trace, attachment, entry, packet, reply)
        if attachment.resource_type in ("peering", "tgw-peering"):
            sides = {attachment.transit_gateway_id, attachment.peer_transit_gateway_id, attachment.resource_id}
            peer_id = next((s for s in sorted(str(x) for x in sides if isinstance(x, str)) if s != tgw.id), None)
            peer = self.network.get(peer_id, TransitGateway)
            if peer is None:
                return trace.stop("inconclusive", codes.UNKNOWN_VALUE, attachment.id,
                                  f"the peer transit gateway {peer_id} of {attachment.id} is not in the snapshot")
            trace.add(attachment.id, "transit-gateway-peering", "route", f"{tgw.id} -> {peer.id}", attachment.origin)
            return self._route_in_transit_gateway(trace, peer, attachment, None, packet, reply)
        name = TGW_ATTACHMENT_NAMES.get(attachment.resource_type, attachment.resource_type)
        return trace.stop("inconclusive", codes.UNSUPPORTED_COMPONENT, attachment.id,
                          f"routing to the {name} attachment {attachment.id} is not modelled")

    def _out_of_transit_gateway(self, trace: Trace, attachment: TransitGatewayAttachment, entry: Subnet | None,
                                packet: Packet, reply: bool) -> Trace:
        vpc = self.network.get(attachment.resource_id, Vpc)
        if vpc is None:
            return trace.stop("inconclusive", codes.UNKNOWN_VALUE, attachment.id,
                              f"the VPC {attachment.resource_id} of {attachment.id} is not in the snapshot")
        exit_subnet = self._attachment_exit_subnet(attachment, entry)
        if exit_subnet is None:
            return trace.stop("inconclusive", codes.UNKNOWN_VALUE, attachment.id,
                              f"which subnet of {attachment.id} the transit gateway delivers through is not "
                              "determined (none in the zone the traffic came from, and they differ)")
        trace.add(attachment.id, "transit-gateway-attachment", "route", f"into {vpc.id} at {exit_subnet.id}",
                  attachment.origin)
        return self._leave_subnet(trace, exit_subnet, packet, reply)

    def _attachment_exit_subnet(self, attachment: TransitGatewayAttachment, entry: Subnet | None) -> Subnet | None:
        """With appliance mode off, a transit gateway keeps traffic in the Availability Zone it came from
        and crosses zones only when the destination attachment has no subnet there (AWS Transit Gateway
        user guide, "Appliance mode"). Which other zone it then picks is not documented: the answer is
        determined only when all the attachment's subnets forward and filter alike."""
        subnets = [self.network.get(s, Subnet) for s in sorted(x for x in attachment.subnet_ids if isinstance(x, str))]
        subnets = [s for s in subnets if s is not None]
        if not subnets:
            return None
        if entry is not None:
            for subnet in subnets:
                if _same_zone(subnet, entry):
                    return subnet
        behaviours = {(getattr(self.network.route_table_for_subnet(s.id), "id", None),
                       getattr(self.network.nacl_for_subnet(s.id), "id", None)) for s in subnets}
        return subnets[0] if len(behaviours) == 1 else None

    # -------------------------------------------------------- reply bookkeeping

    def _check_reply_reached_client(self, trace: Trace, start: str, packet: Packet) -> Trace:
        """A reply only completes the connection if it reaches the client from the address it used."""
        if trace.outcome == "delivered" and start != trace.endpoint and start != "internet":
            return trace.stop("dropped", codes.RETURN_PATH_MISMATCH, trace.endpoint,
                                  "the reply reached a different interface than the client")
        if trace.outcome in ("delivered", "exited") and trace.packet is not None:
            expected_src = packet.dst
            if trace.packet.src != expected_src:
                return trace.stop("dropped", codes.RETURN_PATH_MISMATCH, trace.endpoint,
                                  f"the reply comes from {format_ip(packet.version, trace.packet.src)}, "
                                  f"not {format_ip(packet.version, expected_src)}")
        return trace
