"""Network ACL checks, evaluated with AWS's first-match semantics over whole (protocol, port, address) spaces.

NACLs are stateless: a reply is a new packet that the other direction must admit, addressed to the client's
ephemeral port (AWS recommends allowing 1024-65535). NACLs never see traffic between two addresses of one subnet.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, Iterator, Sequence

from ..model import IpNet, NetworkAcl, NetworkAclEntry, SecurityGroupRule, Subnet
from .context import CheckContext, internet
from .findings import Hit
from .security_groups import groups_space, rule_space, traffic_box, traffic_space
from .spaces import (
    PORTS, PROTOCOLS, BoxSet, IntervalSet, addresses, describe_addresses, describe_traffic, net_interval, rule_box,
)

EPHEMERAL = (1024, 65535)
TCP, UDP = 6, 17
FINAL_RULES = (32767, 32768)  # the catch-all denies AWS lists for IPv4 and IPv6


@dataclass(frozen=True)
class Matched:
    entry: NetworkAclEntry
    space: BoxSet  # the packets this entry decides (not already decided by a lower-numbered entry)


def entry_box(entry: NetworkAclEntry) -> tuple:
    return rule_box(entry.protocol, entry.ports, entry.icmp, entry.cidr)  # type: ignore[arg-type]


def entries(acl: NetworkAcl, egress: bool, version: int) -> list[NetworkAclEntry]:
    """One direction's entries of one family in evaluation order (entries with unknown CIDRs cannot be placed)."""
    return sorted((e for e in acl.direction(egress) if isinstance(e.cidr, IpNet) and e.cidr.version == version),
                  key=lambda e: e.rule_number)


@lru_cache(maxsize=1024)
def first_match(acl: NetworkAcl, egress: bool, version: int) -> tuple[Matched, ...]:
    """What each entry decides, in rule-number order (cached: several checks ask about the same ACL)."""
    remaining = BoxSet.of([(PROTOCOLS, PORTS, addresses(version))])
    decided = []
    for entry in entries(acl, egress, version):
        box = entry_box(entry)
        decided.append(Matched(entry, remaining.intersect_box(box)))
        remaining = remaining.minus_box(box)
    return tuple(decided)


def unknown_entries_note(acl: NetworkAcl) -> str:
    """Entries whose CIDR is known only after apply cannot be placed in the evaluation; say so in findings."""
    numbers = sorted({e.rule_number for e in acl.entries if not isinstance(e.cidr, IpNet)})
    if not numbers:
        return ""
    return f"; entries {', '.join(map(str, numbers))} have CIDRs not known yet and were not evaluated"


@lru_cache(maxsize=1024)
def allowed(acl: NetworkAcl, egress: bool, version: int, with_reply_entries: bool = True) -> BoxSet:
    """What the ACL admits in one direction; optionally leaving out what only the ephemeral reply entries admit."""
    space = BoxSet()
    for matched in first_match(acl, egress, version):
        if matched.entry.allow and (with_reply_entries or not _is_reply_entry(matched.entry)):
            space = space.union(matched.space)
    return space


def subnets_using(ctx: CheckContext, acl: NetworkAcl) -> list[Subnet]:
    return [s for s in ctx.network.subnets if ctx.network.nacl_for_subnet(s.id) is acl]


def _label(acl: NetworkAcl) -> str:
    kind = "default network ACL" if acl.is_default else "network ACL"
    return f"{kind} {acl.id} ({acl.name})" if acl.name else f"{kind} {acl.id}"


def _entry_text(entry: NetworkAclEntry) -> str:
    action = "allow" if entry.allow else "deny"
    traffic = ", ".join(describe_traffic(BoxSet.of([entry_box(entry)[:2]])))
    return f"entry {entry.rule_number} ({action} {traffic} {'to' if entry.egress else 'from'} {entry.cidr})"


# ---------------------------------------------------------------- open to the world

def _world_open_space(acl: NetworkAcl, wanted: BoxSet, version: int) -> tuple[BoxSet, list[NetworkAclEntry]]:
    """The boxes of `wanted` (protocol, port) the ACL admits inbound from every internet address, and the entries.

    The ephemeral-port entry that admits replies (e.g. tcp 1024-65535 from 0.0.0.0/0) necessarily covers ports such
    as 3389; a stateless NACL cannot admit replies otherwise, so it is not counted (security groups must close them).
    """
    admitted = allowed(acl, False, version, with_reply_entries=False)
    net = internet(version)
    open_space = BoxSet(tuple(box for box in wanted.boxes if all(admitted.covers_box(box + (i,)) for i in net)))
    from_internet = BoxSet.of(box + (i,) for box in open_space.boxes for i in net)
    deciding = [m.entry for m in first_match(acl, False, version)
                if m.entry.allow and m.space.intersect(from_internet)]
    return open_space, deciding


def _world_open_hits(ctx: CheckContext, acl: NetworkAcl, wanted: BoxSet) -> Iterator[Hit]:
    for version in (4, 6):
        space, deciding = _world_open_space(acl, wanted, version)
        if not space:
            continue
        used = subnets_using(ctx, acl)
        exposure = (f"it applies to {len(used)} subnet{'s' if len(used) != 1 else ''}" if used
                    else "it applies to no subnet")
        yield Hit((acl.id,), f"{_label(acl)} allows inbound {', '.join(describe_traffic(space))} from every "
                             f"{'IPv4' if version == 4 else 'IPv6'} internet address by "
                             f"{' and '.join(_entry_text(e) for e in deciding)}; {exposure}{unknown_entries_note(acl)}",
                  str(deciding[0].origin), severity=None if used else ctx.capped("low"), key=f"ipv{version}")


def world_open_ports(ctx: CheckContext, ports: Sequence[int], protocols: Sequence[str] = ("tcp",)) -> Iterator[Hit]:
    wanted = traffic_space(protocols, ports)
    for acl in ctx.network.network_acls:
        yield from _world_open_hits(ctx, acl, wanted)


def world_open_all_traffic(ctx: CheckContext) -> Iterator[Hit]:
    everything = BoxSet.of([(PROTOCOLS, PORTS)])  # one box: reported only when all of it is open
    for acl in ctx.network.network_acls:
        yield from _world_open_hits(ctx, acl, everything)


def unused_nacls(ctx: CheckContext) -> Iterator[Hit]:
    for acl in ctx.network.network_acls:
        if not acl.is_default and not acl.subnet_ids:
            yield Hit((acl.id,), f"{_label(acl)} is associated with no subnet", str(acl.origin))


# ---------------------------------------------------------------- entries that never match

def shadowed_entries(ctx: CheckContext) -> Iterator[Hit]:
    for acl in ctx.network.network_acls:
        for egress in (False, True):
            for version in (4, 6):
                yield from _shadowed(acl, entries(acl, egress, version))


def _shadowed(acl: NetworkAcl, ordered: list[NetworkAclEntry]) -> Iterator[Hit]:
    earlier = BoxSet()
    for index, entry in enumerate(ordered):
        box = entry_box(entry)
        if entry.rule_number not in FINAL_RULES and earlier.covers_box(box):
            covering = [e for e in ordered[:index] if BoxSet.of([entry_box(e)]).intersect_box(box)]
            effect = ""
            if all(e.allow != entry.allow for e in covering):
                effect = f"; its {'allow' if entry.allow else 'deny'} never takes effect"
            numbers = ", ".join(str(e.rule_number) for e in covering)
            decide = f"entry {numbers} already decides" if len(covering) == 1 else f"entries {numbers} already decide"
            yield Hit((acl.id,), f"{_label(acl)}: {_entry_text(entry)} can never match: lower-numbered {decide} all "
                                 f"of its traffic{effect}", str(entry.origin),
                      key=f"{'egress' if entry.egress else 'ingress'}:{entry.rule_number}")
        earlier = earlier.union_box(box)


# ---------------------------------------------------------------- replies dropped

def _is_reply_entry(entry: NetworkAclEntry) -> bool:
    """The usual entry that admits replies to connections the subnet starts: TCP/UDP to the ephemeral ports."""
    return entry.protocol in (TCP, UDP) and entry.ports is not None and entry.ports.low >= 1024 \
        and entry.ports.high == 65535


def _routable(ctx: CheckContext, subnet: Subnet, version: int, started_here: bool) -> IntervalSet:
    """Peer addresses of connections through the subnet: whatever its active routes lead to (and back from).

    A NAT gateway or egress-only gateway route only carries connections the subnet starts itself, so it counts for
    those alone. Prefix-list destinations (gateway endpoints) are AWS services, not connection peers here.
    """
    table = ctx.network.route_table_for_subnet(subnet.id)
    one_way = () if started_here else ("nat-gateway", "egress-only-internet-gateway")
    return IntervalSet(net_interval(r.destination) for r in (table.routes if table else ())
                       if r.state == "active" and isinstance(r.destination, IpNet)
                       and r.destination.version == version and r.target.kind not in one_way)


def _own_cidrs(subnet: Subnet, version: int) -> list[tuple[int, int]]:
    """The subnet's own addresses: traffic between two of them never crosses its NACL."""
    cidrs = [subnet.cidr_v4] if version == 4 else list(subnet.cidrs_v6)
    return [net_interval(c) for c in cidrs if isinstance(c, IpNet)]


def _flows(ctx: CheckContext, acl: NetworkAcl, subnet: Subnet, version: int, egress: bool) -> BoxSet:
    """TCP/UDP connections that can really start in one direction through this subnet's NACL.

    Admitted by a non-reply NACL entry, by a security group of an interface in the subnet, and to or from an
    address the subnet routes to; traffic inside the subnet itself never crosses its NACL.
    """
    enis = ctx.network.subnet_interfaces(subnet.id)
    sg_space = BoxSet()
    for eni in enis:
        sg_space = sg_space.union(groups_space(ctx, eni.security_group_ids, version, egress=egress))
    peers = _routable(ctx, subnet, version, started_here=egress).difference(_own_cidrs(subnet, version))
    nacl_space = allowed(acl, egress, version, with_reply_entries=False)
    tcp_udp = BoxSet.of((p, PORTS, a) for p in ((TCP, TCP), (UDP, UDP)) for a in peers)
    return nacl_space.intersect(sg_space).intersect(tcp_udp)


def _dropped_replies(acl: NetworkAcl, flows: BoxSet, version: int, egress: bool) -> list[tuple[BoxSet, IntervalSet]]:
    """For each flow box, the peer addresses to which no reply can pass (on any ephemeral port)."""
    reply_allowed = allowed(acl, not egress, version)
    broken = []
    for protocol, ports, peer in flows.boxes:
        passes = reply_allowed.intersect_box((protocol, EPHEMERAL, peer)).values(2)
        dropped = IntervalSet([peer]).difference(passes)
        if dropped:
            broken.append((BoxSet.of([(protocol, ports)]), dropped))
    return broken


def asymmetric_nacls(ctx: CheckContext) -> Iterator[Hit]:
    for acl in ctx.network.network_acls:
        for subnet in subnets_using(ctx, acl):
            for egress in (False, True):
                for version in (4, 6):
                    broken = _dropped_replies(acl, _flows(ctx, acl, subnet, version, egress), version, egress)
                    if broken:
                        yield _asymmetric_hit(acl, subnet, version, egress, broken)


def _asymmetric_hit(acl: NetworkAcl, subnet: Subnet, version: int, egress: bool,
                    broken: list[tuple[BoxSet, IntervalSet]]) -> Hit:
    merged: dict[str, IntervalSet] = {}
    for traffic, dropped in broken:
        for text in describe_traffic(traffic):
            merged[text] = merged.get(text, IntervalSet()).union(dropped)
    parts = [f"{t} {'to' if egress else 'from'} {describe_addresses(version, d)}" for t, d in sorted(merged.items())]
    first_part = parts[0] + (f" (and {len(parts) - 1} more)" if len(parts) > 1 else "")
    started = "out of" if egress else "into"
    return Hit((acl.id, subnet.id),
               f"{_label(acl)} admits {first_part} {started} subnet {subnet.id}, but its "
               f"{'inbound' if egress else 'outbound'} entries drop every reply on ports 1024-65535"
               + unknown_entries_note(acl),
               str(acl.origin), key=f"{subnet.id}:{'egress' if egress else 'ingress'}:ipv{version}")


# ---------------------------------------------------------------- security group rules a NACL defeats

def sg_rules_blocked_by_nacl(ctx: CheckContext) -> Iterator[Hit]:
    for group in ctx.network.security_groups:
        members = ctx.network.group_members(group.id)
        subnets = sorted({m.subnet_id for m in members if isinstance(m.subnet_id, str)})
        if not subnets:
            continue
        for rule in group.ingress:
            blocking = _blocking_nacls(ctx, rule, subnets)
            if blocking:
                traffic = ", ".join(describe_traffic(BoxSet.of([traffic_box(rule)])))
                yield Hit((group.id, *sorted({a.id for a in blocking})),
                          f"security group {group.id} allows inbound {traffic} from {rule.peer}, but "
                          f"{', '.join(sorted({a.id for a in blocking}))} (the network ACL of every subnet it is "
                          f"used in: {', '.join(subnets)}) denies all of it", str(rule.origin),
                          key=f"{rule.protocol}:{rule.ports}:{rule.icmp}:{rule.peer}")


def _blocking_nacls(ctx: CheckContext, rule: SecurityGroupRule, subnet_ids: Iterable[str]) -> list[NetworkAcl]:
    """The NACLs that deny every packet of `rule`, if they do so in every subnet; else []."""
    blocking = []
    for subnet_id in subnet_ids:
        subnet = ctx.network.get(subnet_id, Subnet)
        acl = ctx.network.nacl_for_subnet(subnet_id)
        if subnet is None or acl is None:
            return []
        any_traffic = False
        for version in (4, 6):
            outside = IntervalSet([addresses(version)]).difference(_own_cidrs(subnet, version))
            space, why = rule_space(ctx, rule, version, within=outside)
            if why:
                return []  # cannot tell what it admits; say nothing rather than guess
            if space:
                any_traffic = True
                if allowed(acl, False, version).intersect(space):
                    return []
        if not any_traffic:
            return []
        blocking.append(acl)
    return blocking

