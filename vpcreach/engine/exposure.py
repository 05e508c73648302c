"""The internet exposure sweep: for every ENI, which protocols and ports the internet can reach,
at which public address, through which gateway (Network Access Analyzer's internet-ingress scope).

Complete, not sampled: ENIs that share a subnet and the same security groups are exposed
identically (an internet client never matches a group reference or a private range), so each
such class is solved once. Within a class, TCP and UDP destination ports are cut where any
rule or entry on the path starts or ends a port range, and one z3 check per segment decides it.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import z3

from ..model import (
    ALL_PROTOCOLS, ICMP, ICMPV6, TCP, UDP, NetworkAcl, NetworkInterface, PortRange, SecurityGroup,
    format_ip, protocol_label,
)
from .addresses import AddressSet
from .encode import LOWER

PROTOCOL_NUMBERS = range(256)


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
    for eni in network.network_interfaces:
        publics = topology.public_ips_of(eni)
        v6 = topology.eni_addresses(eni, 6)
        if not publics and not v6:
            continue
        key = (str(eni.subnet_id), tuple(sorted(map(str, eni.security_group_ids))), bool(publics), bool(v6))
        classes[key].append(eni)
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
    rest = next(p for p in PROTOCOL_NUMBERS if p not in mentioned)
    undecided = ""
    for walks in groups:
        walk = walks[0]
        if not walk.reached(destination, False):
            stopped = [t for t in (walk.forward, walk.reply) if t is not None and t.outcome == "inconclusive"]
            if stopped and not undecided:
                undecided = f"{stopped[0].component}: {stopped[0].detail}"
            continue
        gateway = gateway or next((s.component for s in walk.forward.steps if s.kind == "internet-gateway"), "")
        pairs = [p for w in walks for p in w.pairs]
        solver = analyzer._solver(version)
        hv = analyzer.encoder.vars[version]
        solver.push()
        try:
            solver.add(*analyzer._header_constraints(query, version),
                       analyzer.encoder.address_pairs(version, pairs),
                       *[analyzer.encoder.filter(c, walk.rep, LOWER) for c in walk.filters(False)])
            for protocol in sorted(mentioned):
                if protocol in (TCP, UDP):
                    for low, high in _port_segments(analyzer, eni, protocol):
                        if solver.check(hv.proto == protocol, hv.dport == low) == z3.sat:
                            per_protocol[protocol].append(PortRange(low, high))
                elif solver.check(hv.proto == protocol) == z3.sat:
                    protocol_open.add(protocol)
            rest_open = rest_open or solver.check(hv.proto == rest) == z3.sat
        finally:
            solver.pop()
    return _summarise(per_protocol, protocol_open, rest_open, mentioned), gateway, undecided


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
