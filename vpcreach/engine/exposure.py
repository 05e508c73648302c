"""The internet exposure sweep: for every ENI, which protocols and ports the internet can reach,
at which public address, through which gateway (Network Access Analyzer's internet-ingress scope).

Complete, not sampled: ENIs that share a subnet and the same security groups are exposed
identically (an internet client never matches a group reference or a private range), so each
such class is solved once. Within a class, TCP and UDP destination ports are cut where any
rule or entry on the path starts or ends a port range, and one z3 check per segment decides it.
"""
from __future__ import annotations

import bisect
from collections import defaultdict
from dataclasses import dataclass

import z3

from ..model import (
    ALL_PROTOCOLS, ICMP, ICMPV6, TCP, UDP, IpNet, NetworkAcl, NetworkInterface, PortRange, SecurityGroup,
    format_ip, protocol_label,
)
from .addresses import AddressSet, merge_intervals
from .encode import LOWER



@dataclass(frozen=True, order=True)
class Exposure:
    eni_id: str
    family: str  # "ipv4" or "ipv6"
    address: str  # where the internet reaches it: a public IPv4 / Elastic IP, or an IPv6 address
    protocol: int  # -1 with `except_protocols` empty: every protocol
    ports: PortRange | None  # TCP/UDP destination ports; None for other protocols
    gateway_id: str
    instance_id: str | None = None
    except_protocols: tuple[int, ...] = ()  # with protocol -1: every protocol but these
    undecided: str = ""  # why the internet's reach of this address could not be decided, if it could not

    def describe(self) -> str:
        if self.undecided:
            return f"undecided: {self.undecided}"
        if self.protocol == ALL_PROTOCOLS:
            what = "all traffic" if not self.except_protocols else \
                "all protocols except " + ", ".join(protocol_label(p) for p in self.except_protocols)
        else:
            what = protocol_label(self.protocol) + (f"/{self.ports}" if self.ports else "")
        return what

    def to_dict(self) -> dict:
        return {"eni": self.eni_id, "instance": self.instance_id, "family": self.family, "address": self.address,
                "protocol": protocol_label(self.protocol), "ports": str(self.ports) if self.ports else None,
                "except_protocols": [protocol_label(p) for p in self.except_protocols],
                "gateway": self.gateway_id, "undecided": self.undecided or None}


def sweep(analyzer) -> tuple[Exposure, ...]:
    from .analyzer import Query

    network, topology = analyzer.network, analyzer.topology
    classes: dict[tuple, list[NetworkInterface]] = defaultdict(list)
    edge_routed = {t.vpc_id for t in network.route_tables if any(a.kind == "gateway" for a in t.associations)}
    for eni in network.network_interfaces:
        publics = topology.public_ips_of(eni)
        v6 = topology.eni_addresses(eni, 6)
        if not publics and not v6:
            continue
        classes[_exposure_class(network, edge_routed, eni, bool(publics), bool(v6))].append(eni)
    instance_of = {e: i.id for i in network.instances for e in i.eni_ids if isinstance(e, str)}
    results: list[Exposure] = []
    query = Query("internet", "exposure")
    source = analyzer.endpoints.internet_endpoint()
    for key in sorted(classes):
        members = classes[key]
        rep = members[0]
        for version in (4, 6):
            rep_addresses = ([p for p, _ in topology.public_ips_of(rep)] if version == 4
                             else topology.eni_addresses(rep, 6))
            if not rep_addresses:
                continue
            reach, gateway, undecided = _class_exposure(analyzer, query, source, rep, version, rep_addresses[0])
            if undecided:  # nothing is dropped silently: a path we cannot decide is listed as such
                reach = reach + [(ALL_PROTOCOLS, None, (), undecided)]
            if not reach:
                continue
            for eni in members:
                addresses = ([p for p, _ in topology.public_ips_of(eni)] if version == 4
                             else topology.eni_addresses(eni, 6))
                for address in addresses:
                    shown = format_ip(version, address)
                    if shown in analyzer.placeholders:  # a public address Terraform does not know yet
                        shown = "(unknown until apply)"
                    for protocol, ports, excluded, *why in reach:
                        results.append(Exposure(eni.id, f"ipv{version}", shown, protocol, ports, gateway,
                                                instance_of.get(eni.id), excluded, why[0] if why else ""))
    return tuple(sorted(results))


def _exposure_class(network, edge_routed: set, eni: NetworkInterface, public_v4: bool, v6: bool) -> tuple:
    """Interfaces the internet reaches identically: same VPC, route table, NACL and groups. The
    client's address decides every filter and the reply's route; the interface's own private address
    only matters to ingress routing, so a VPC with edge-associated route tables keeps subnets apart."""
    subnet_id = eni.subnet_id if isinstance(eni.subnet_id, str) else str(eni.subnet_id)
    table = network.route_table_for_subnet(subnet_id)
    acl = network.nacl_for_subnet(subnet_id)
    return (str(eni.vpc_id), table.id if table else subnet_id, acl.id if acl else subnet_id,
            subnet_id if eni.vpc_id in edge_routed or table is None or acl is None else "",
            tuple(sorted(map(str, eni.security_group_ids))), public_v4, v6)


def _class_exposure(analyzer, query, source, eni: NetworkInterface, version: int, address: int):
    from .endpoints import Endpoint

    destination = Endpoint("eni", eni.id, eni.id, {version: AddressSet.hosts(version, [address])})
    internet = source.spaces[version]
    groups = analyzer._walk_groups(query, source, destination, version, internet,
                                   AddressSet.hosts(version, [address]))
    per_protocol: dict[int, list[PortRange]] = defaultdict(list)
    protocol_open: set[int] = set()
    rest_open = False
    gateway = ""
    mentioned = _mentioned_protocols(analyzer, eni, version)
    undecided = ""
    for walks in groups:
        walk = walks[0]
        if not walk.reached(destination, False):
            stopped = [t for t in (walk.forward, walk.reply) if t is not None and t.outcome == "inconclusive"]
            if stopped and not undecided:
                undecided = f"{stopped[0].component}: {stopped[0].detail}"
            continue
        gateway = gateway or next((s.component for s in walk.forward.steps if s.kind == "internet-gateway"), "")
        cuts = _client_cut_points(analyzer, eni, version)
        pairs = [(_coarsen(src, cuts), dst) for w in walks for src, dst in w.pairs]
        solver = analyzer._solver(version)
        hv = analyzer.encoder.vars[version]
        solver.push()
        try:
            solver.add(*analyzer._header_constraints(query, version),
                       analyzer.encoder.address_pairs(version, pairs),
                       *[analyzer.encoder.filter(c, walk.rep, LOWER, _clients(analyzer, c, version))
                         for c in walk.filters(False)])
            rest_open |= _open_protocols(solver, hv, mentioned, per_protocol, protocol_open,
                                         lambda protocol: _port_segments(analyzer, eni, protocol))
        finally:
            solver.pop()
    return _summarise(per_protocol, protocol_open, rest_open, mentioned), gateway, undecided


def _clients(analyzer, check, version: int):
    """The destination's ingress groups only ever see internet clients here."""
    if check.kind == "security-groups" and not check.egress:
        return analyzer.topology.internet_cells[version]
    return None


def _base_client_cuts(analyzer, version: int) -> set[int]:
    """Where forwarding can treat internet clients differently: the edges of the internet itself (VPC
    and special ranges) and routes to destinations outside VPC space."""
    key = ("client-cuts", version)
    cached = analyzer.memo.get(key)
    if cached is None:
        cached = set(analyzer._cut_points[(version, True)])
        for low, high in analyzer.topology.internet_cells[version].intervals:
            cached.update((low, high + 1))
        analyzer.memo[key] = cached
    return cached


def _client_cut_points(analyzer, eni: NetworkInterface, version: int) -> list[int]:
    """Where any rule on the path, or forwarding, can change its decision about a client address.
    Interfaces with the same groups behind the same NACL share them."""
    acl = analyzer.network.nacl_for_subnet(eni.subnet_id) if isinstance(eni.subnet_id, str) else None
    key = ("client-cut-points", version, tuple(map(str, eni.security_group_ids)), acl.id if acl else None)
    cached = analyzer.memo.get(key)
    if cached is None:
        cached = analyzer.memo[key] = _rule_cut_points(analyzer, eni, version)
    return cached


def _rule_cut_points(analyzer, eni: NetworkInterface, version: int) -> list[int]:
    cuts = set(_base_client_cuts(analyzer, version))
    for group_id in eni.security_group_ids:
        sg = analyzer.network.get(group_id, SecurityGroup)
        for rule in sg.ingress if sg is not None else ():
            space = analyzer.encoder.peer_space(sg, rule.peer, version)
            for low, high in (space.intervals if space else ()):
                cuts.update((low, high + 1))
    _, entries = _rules_on_path(analyzer, eni)
    for entry in entries:
        if isinstance(entry.cidr, IpNet) and entry.cidr.version == version:
            cuts.update((entry.cidr.first, entry.cidr.last + 1))
    return sorted(cuts)


def _coarsen(space: AddressSet, cuts: list[int]) -> AddressSet:
    """The cells between cut points that `space` touches. Exact for exposure: every filter decides a
    whole cell alike, so a cell holds an internet client that passes iff any of its addresses does;
    dropping the set's small holes (the snapshot's own public IPs) keeps z3's problem small."""
    top = (1 << (32 if space.version == 4 else 128)) - 1
    cells = []
    for low, high in space.intervals:
        first = bisect.bisect_right(cuts, low) - 1
        last = bisect.bisect_right(cuts, high) - 1
        cell_low = cuts[first] if first >= 0 else 0
        cell_high = cuts[last + 1] - 1 if last + 1 < len(cuts) else top
        cells.append((cell_low, cell_high))
    return AddressSet(space.version, merge_intervals(cells))


def _open_protocols(solver, hv, mentioned: set[int], per_protocol, protocol_open: set[int], segments_of) -> bool:
    """Ask z3 for a passing packet, record its protocol (and for TCP/UDP every open port segment), exclude
    it and ask again, until nothing passes: one check per open protocol, not one per protocol. Protocols no
    rule names behave alike, so one witness among them stands for all; returns whether they are open."""
    excluded: list = []
    rest_open = False
    while solver.check(*excluded) == z3.sat:
        protocol = solver.model().eval(hv.proto, model_completion=True).as_long()
        if protocol not in mentioned:
            rest_open = True
            excluded.append(z3.Or([hv.proto == p for p in sorted(mentioned)]))
            continue
        if protocol in (TCP, UDP):
            per_protocol[protocol].extend(_open_segments(solver, hv, protocol, segments_of(protocol)))
        else:
            protocol_open.add(protocol)
        excluded.append(hv.proto != protocol)
    return rest_open


def _open_segments(solver, hv, protocol: int, segments: list[tuple[int, int]]) -> list[PortRange]:
    """The port segments some packet of `protocol` reaches. Each witness's whole segment is open
    (nothing on the path decides differently inside a segment), so it is recorded and excluded and
    z3 is asked again: one check per open segment plus one, not one per segment."""
    starts = [low for low, _ in segments]
    found: list[PortRange] = []
    excluded: list = []
    while solver.check(hv.proto == protocol, *excluded) == z3.sat:
        port = solver.model().eval(hv.dport, model_completion=True).as_long()
        low, high = segments[bisect.bisect_right(starts, port) - 1]
        found.append(PortRange(low, high))
        excluded.append(z3.Not(z3.And(z3.UGE(hv.dport, low), z3.ULE(hv.dport, high))))
    return found


def _rules_on_path(analyzer, eni: NetworkInterface):
    """The ingress security group rules of the ENI and the entries of its subnet's NACL."""
    network = analyzer.network
    rules = []
    for group_id in eni.security_group_ids:
        sg = network.get(group_id, SecurityGroup)
        if sg is not None:
            rules.extend(sg.ingress)
    acl = network.nacl_for_subnet(eni.subnet_id) if isinstance(eni.subnet_id, str) else None
    entries = list(acl.entries) if isinstance(acl, NetworkAcl) else []
    return rules, entries


def _mentioned_protocols(analyzer, eni: NetworkInterface, version: int) -> set[int]:
    rules, entries = _rules_on_path(analyzer, eni)
    mentioned = {TCP, UDP, ICMP if version == 4 else ICMPV6}
    mentioned |= {r.protocol for r in rules if r.protocol != ALL_PROTOCOLS}
    mentioned |= {e.protocol for e in entries if e.protocol != ALL_PROTOCOLS}
    return mentioned


def _port_segments(analyzer, eni: NetworkInterface, protocol: int) -> list[tuple[int, int]]:
    """Destination-port ranges within which every rule and entry on the path decides alike."""
    rules, entries = _rules_on_path(analyzer, eni)
    cuts = {0, 65536}
    for item in [*rules, *entries]:
        if item.protocol == protocol and item.ports is not None:
            cuts.update((item.ports.low, item.ports.high + 1))
    points = sorted(cuts)
    return [(points[i], points[i + 1] - 1) for i in range(len(points) - 1)]


def _merge(ranges: list[PortRange]) -> list[PortRange]:
    merged: list[PortRange] = []
    for r in sorted(ranges):
        if merged and r.low <= merged[-1].high + 1:
            merged[-1] = PortRange(merged[-1].low, max(merged[-1].high, r.high))
        else:
            merged.append(r)
    return merged


def _summarise(per_protocol, protocol_open, rest_open, mentioned):
    """(protocol, ports, excluded) entries; everything open collapses to one "all traffic" entry."""
    merged = {p: _merge(r) for p, r in per_protocol.items()}
    fully_ported = all(merged.get(p) == [PortRange(0, 65535)] for p in (TCP, UDP))
    others = mentioned - {TCP, UDP}
    if rest_open and fully_ported and others <= protocol_open:
        return [(ALL_PROTOCOLS, None, ())]
    out = []
    for protocol in sorted(merged):
        for ports in merged[protocol]:
            out.append((protocol, ports, ()))
    for protocol in sorted(protocol_open):
        out.append((protocol, None, ()))
    if rest_open:
        out.append((ALL_PROTOCOLS, None, tuple(sorted(mentioned))))
    return out
