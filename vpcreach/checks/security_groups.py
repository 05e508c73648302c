"""Security group checks, judged on what a whole group admits and graded by what the engine says is exposed.

"Open to the world" means: for some (protocol, port), the union of the group's rule peers (CIDRs, resolved prefix
lists, referenced groups' member addresses) covers every internet address. So 0.0.0.0/0 is open, and so is
0.0.0.0/1 together with 128.0.0.0/1, while 10.0.0.0/8 or a referenced group never is.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterable, Iterator, Sequence

from ..model import ALL_PROTOCOLS, CidrPeer, GroupPeer, IpNet, SecurityGroup, SecurityGroupRule
from .context import PRIVATE_V4, WORLD, CheckContext, internet, undecided, via
from .findings import Hit
from .spaces import PORTS, PROTOCOLS, Box, BoxSet, IntervalSet, describe_traffic, port_interval, protocol_interval

FAMILY = {4: "ipv4", 6: "ipv6"}
TCP_UDP = ("tcp", "udp")
PROTOCOL_NUMBERS = {"tcp": 6, "udp": 17, "icmp": 1, "icmpv6": 58}


@dataclass(frozen=True)
class WorldOpen:
    """The (protocol, port) space a group admits from the whole internet, for one address family."""

    group: SecurityGroup
    version: int
    space: BoxSet  # dims (protocol, port)
    rules: tuple[SecurityGroupRule, ...]  # rules whose peer reaches the internet, in group order
    unknown: tuple[str, ...]  # why some peers could not be resolved

    def rules_within(self, space: BoxSet) -> list[SecurityGroupRule]:
        return [rule for rule in self.rules if space.intersect_box(traffic_box(rule))]

    def first_rule(self, space: BoxSet) -> SecurityGroupRule:
        return self.rules_within(space)[0]

    def peers_text(self, within: BoxSet) -> str:
        peers: list[str] = []
        for rule in self.rules_within(within):
            if str(rule.peer) not in peers:
                peers.append(str(rule.peer))
        if peers == [str(WORLD[self.version])]:
            return f"from {peers[0]}"
        return f"from {', '.join(peers)} (together every {FAMILY[self.version].replace('ip', 'IP')} internet address)"


def traffic_box(rule: SecurityGroupRule) -> Box:
    """The (protocol, port) box of a rule."""
    return (protocol_interval(rule.protocol), port_interval(rule.protocol, rule.ports, rule.icmp))


def rule_space(ctx: CheckContext, rule: SecurityGroupRule, version: int,
               within: IntervalSet | None = None) -> tuple[BoxSet, str | None]:
    """(protocol, port, address) space one rule admits, optionally only from addresses `within`."""
    if not rule.valid:
        return BoxSet(), None
    values, why = ctx.facts.peer_addresses(rule, version)
    if within is not None:
        values = values.intersection(within)
    return BoxSet.of(traffic_box(rule) + (interval,) for interval in values), why


def groups_space(ctx: CheckContext, group_ids: Iterable[object], version: int, egress: bool = False) -> BoxSet:
    """What a set of groups (e.g. all of one ENI's) admits together, one direction, one family."""
    space = BoxSet()
    for group_id in group_ids:
        group = ctx.network.get(group_id, SecurityGroup)
        for rule in (group.egress if egress else group.ingress) if group else ():
            space = space.union(rule_space(ctx, rule, version)[0])
    return space


def world_open(ctx: CheckContext, group: SecurityGroup, version: int, egress: bool = False) -> WorldOpen:
    """What `group` admits from (or to) every internet address; shared by the rules of one run."""
    return ctx.facts.memo(("world_open", group.id, version, egress),
                          lambda: _world_open(ctx, group, version, egress))


def _world_open(ctx: CheckContext, group: SecurityGroup, version: int, egress: bool) -> WorldOpen:
    net = internet(version)
    admitted = BoxSet()
    rules, unknown = [], []
    for rule in (group.egress if egress else group.ingress):
        space, why = rule_space(ctx, rule, version, within=net)
        if why:
            unknown.append(f"{rule.peer}: {why}")
        if space:
            rules.append(rule)
            admitted = admitted.union(space)
    touched = admitted.project((0, 1))
    gaps = BoxSet.of(box + (interval,) for box in touched.boxes for interval in net).minus(admitted)
    return WorldOpen(group, version, touched.minus(gaps.project((0, 1))), tuple(rules), tuple(unknown))


def traffic_space(protocols: Iterable[str], ports: Iterable[int] | None = None) -> BoxSet:
    """(protocol, port) boxes for the given protocol names and ports (None: every port/type)."""
    boxes = []
    for name in protocols:
        number = PROTOCOL_NUMBERS[name]
        if ports is None:
            boxes.append(((number, number), PORTS))
        else:
            boxes.extend(((number, number), (p, p)) for p in ports)
    return BoxSet.of(boxes)


# ---------------------------------------------------------------- exposure grading

def _overlaps(exposure: Any, version: int, space: BoxSet) -> bool:
    """Whether an engine Exposure (protocol -1 less its except_protocols; ports None = all) meets `space`."""
    if exposure.family != FAMILY[version]:
        return False
    ports = (exposure.ports.low, exposure.ports.high) if exposure.ports is not None else PORTS
    exposed = BoxSet.of([(PROTOCOLS if exposure.protocol == ALL_PROTOCOLS else (exposure.protocol,) * 2, ports)])
    for protocol in getattr(exposure, "except_protocols", ()):
        exposed = exposed.minus_box(((protocol, protocol), PORTS))
    return bool(exposed.intersect(space))


def grade(ctx: CheckContext, group: SecurityGroup, version: int, space: BoxSet) -> tuple[str | None, str]:
    """(severity or None for the rule's own, sentence on exposure) for a group admitting `space` from the internet."""
    members = ctx.network.group_members(group.id)
    if not members:
        return ctx.capped("low"), "it is attached to no network interface"
    member_ids = {eni.id for eni in members}
    reached = sorted((e for e in ctx.exposures if e.eni_id in member_ids and _overlaps(e, version, space)),
                     key=lambda e: (bool(undecided(e)), e.eni_id, str(e.address)))
    if reached:
        first = reached[0]  # a decided exposure if there is one
        more = f" (and {len(reached) - 1} more)" if len(reached) > 1 else ""
        who, where = first.instance_id or first.eni_id, f"reachable from the internet at {first.address}{via(first)}"
        if undecided(first):  # the engine could not decide (a value unknown until apply): say so, grade medium
            return ctx.capped("medium"), f"{who} may be {where}{more} ({undecided(first)})"
        return None, f"{who} is {where}{more}"
    count = len(members)
    return ctx.capped("medium"), (f"it is attached to {count} network interface{'s' if count > 1 else ''}, none "
                                  "reachable from the internet on these ports today")


def _world_open_hits(ctx: CheckContext, select: Callable[[WorldOpen], BoxSet]) -> Iterator[Hit]:
    """One hit per group and address family whose world-open space, narrowed by `select`, is not empty."""
    for group in ctx.network.security_groups:
        for version in (4, 6):
            found = world_open(ctx, group, version)
            space = select(found) if found.space else found.space
            if not space:
                continue
            severity, exposure = grade(ctx, group, version, space)
            unknown = f"; not resolved: {'; '.join(found.unknown)}" if found.unknown else ""
            yield Hit((group.id,), f"security group {_label(group)} allows {', '.join(describe_traffic(space))} "
                                   f"{found.peers_text(space)}; {exposure}{unknown}",
                      str(found.first_rule(space).origin), severity=severity, key=FAMILY[version])


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _label(group: Any) -> str:
    name = getattr(group, "group_name", None) or getattr(group, "name", None)
    return f"{group.id} ({name})" if isinstance(name, str) and name else group.id


# ---------------------------------------------------------------- the checks

def world_open_ports(ctx: CheckContext, ports: Sequence[int], protocols: Sequence[str] = ("tcp",)) -> Iterator[Hit]:
    wanted = traffic_space(protocols, ports)
    yield from _world_open_hits(ctx, lambda found: found.space.intersect(wanted))


def _fully_open_protocols(space: BoxSet) -> BoxSet:
    """The part of `space` that is every port of a protocol (or every protocol)."""
    if space.covers_box((PROTOCOLS, PORTS)):
        return BoxSet.of([(PROTOCOLS, PORTS)])
    protocols = [name for name in TCP_UDP if space.covers_box(((PROTOCOL_NUMBERS[name],) * 2, PORTS))]
    return traffic_space(protocols)


def world_open_all_ports(ctx: CheckContext) -> Iterator[Hit]:
    yield from _world_open_hits(ctx, lambda found: _fully_open_protocols(found.space))


def world_open_unauthorized_ports(ctx: CheckContext, authorized_ports: Sequence[int] = (80, 443)) -> Iterator[Hit]:
    wanted = traffic_space(TCP_UDP).minus(traffic_space(TCP_UDP, authorized_ports))
    yield from _world_open_hits(ctx, lambda found: found.space.intersect(wanted))


def world_open_icmp(ctx: CheckContext) -> Iterator[Hit]:
    """Every ICMP (or ICMPv6) type from the internet; a rule for echo or path MTU discovery alone is fine."""
    def every_type(found: WorldOpen) -> BoxSet:
        if found.space.covers_box((PROTOCOLS, PORTS)):
            return BoxSet()  # all traffic is open: world-open-all-ports says so, once
        return traffic_space(n for n in ("icmp", "icmpv6") if found.space.covers_box(traffic_space([n]).boxes[0]))
    yield from _world_open_hits(ctx, every_type)


def default_groups_with_rules(ctx: CheckContext) -> Iterator[Hit]:
    for group in ctx.network.security_groups:
        if not group.is_default or not (group.ingress or group.egress):
            continue
        used = bool(ctx.network.group_members(group.id))
        rules = f"{plural(len(group.ingress), 'inbound rule')} and {plural(len(group.egress), 'outbound rule')}"
        yield Hit((group.id,) + ((group.vpc_id,) if isinstance(group.vpc_id, str) else ()),
                  f"default security group {group.id} of {group.vpc_id} has {rules}; "
                  + ("it is attached to network interfaces" if used else "it is attached to nothing"),
                  str(group.origin), severity=None if used else ctx.capped("low"))


def _referenced_groups(ctx: CheckContext) -> set[str]:
    return {rule.peer.group_id for g in ctx.network.security_groups for rule in g.ingress + g.egress
            if isinstance(rule.peer, GroupPeer) and isinstance(rule.peer.group_id, str) and rule.peer.group_id != g.id}


def unused_security_groups(ctx: CheckContext) -> Iterator[Hit]:
    """Cloud Custodian's "unused": attached to no ENI (or instance, or endpoint) and referenced by no other group."""
    network = ctx.network
    used = _referenced_groups(ctx)
    used |= {g for i in network.instances for g in i.security_group_ids if isinstance(g, str)}
    used |= {g for e in network.vpc_endpoints for g in e.security_group_ids if isinstance(g, str)}
    for group in network.security_groups:
        if group.is_default or group.id in used or network.group_members(group.id):
            continue
        yield Hit((group.id,), f"security group {_label(group)} is attached to no network interface and "
                               "referenced by no other security group", str(group.origin))


def world_open_egress(ctx: CheckContext) -> Iterator[Hit]:
    everything = (PROTOCOLS, PORTS)
    for group in ctx.network.security_groups:
        opens = [(v, world_open(ctx, group, v, egress=True)) for v in (4, 6)]
        opens = [(v, wo) for v, wo in opens if wo.space.covers_box(everything)]
        if opens:
            # Point at the rule that opens it (in a plan, often a standalone aws_security_group_rule).
            first = opens[0][1].rules[0] if opens[0][1].rules else None
            location = str(first.origin) if first is not None else str(group.origin)
            families = " and ".join(str(WORLD[v]) for v, _ in opens)
            yield Hit((group.id,), f"security group {_label(group)} allows all outbound traffic to {families}",
                      location)


def _private_and_broad(peer: object, min_prefix_length: int) -> IpNet | None:
    if isinstance(peer, CidrPeer) and isinstance(peer.cidr, IpNet) and peer.cidr.version == 4 \
            and peer.cidr.prefixlen < min_prefix_length and any(p.contains(peer.cidr) for p in PRIVATE_V4):
        return peer.cidr
    return None


def broad_private_ingress(ctx: CheckContext, min_prefix_length: int = 16) -> Iterator[Hit]:
    for group in ctx.network.security_groups:
        for rule in group.ingress:
            cidr = _private_and_broad(rule.peer, min_prefix_length)
            if cidr is None:
                continue
            traffic = describe_traffic(BoxSet.of([traffic_box(rule)]))
            yield Hit((group.id,), f"security group {_label(group)} allows {', '.join(traffic)} from {cidr}, "
                                   f"{cidr.size:,} addresses (broader than /{min_prefix_length})",
                      str(rule.origin), key=f"{rule.protocol}:{rule.ports}:{cidr}")


STALE_PEERING = {"deleted", "deleting", "rejected", "expired", "failed"}


def _peered(ctx: CheckContext, vpc_a: object, vpc_b: object) -> bool:
    return any(p.is_active and {p.requester.vpc_id, p.accepter.vpc_id} == {vpc_a, vpc_b}
               for p in ctx.network.peering_connections)


def stale_group_references(ctx: CheckContext) -> Iterator[Hit]:
    known_vpcs = {v.id for v in ctx.network.vpcs}
    for group in ctx.network.security_groups:
        for rule in group.ingress + group.egress:
            peer = rule.peer
            if not isinstance(peer, GroupPeer):
                continue
            if peer.peering_status in STALE_PEERING:
                why = f"the peering it was shared over is {peer.peering_status}"
            elif peer.vpc_id and peer.vpc_id != group.vpc_id and {peer.vpc_id, group.vpc_id} <= known_vpcs \
                    and not _peered(ctx, group.vpc_id, peer.vpc_id):
                why = f"its VPC {peer.vpc_id} is not peered with {group.vpc_id}"
            else:
                continue
            direction = "outbound" if rule.egress else "inbound"
            yield Hit((group.id, str(peer.group_id)),
                      f"security group {_label(group)} has an {direction} rule referencing {peer} that matches "
                      f"nothing: {why}", str(rule.origin), key=f"{direction}:{peer}")

