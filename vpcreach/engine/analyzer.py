"""Answers reachability questions: routing is walked concretely per address-set atom, headers
and filters are decided by z3, and the witness is replayed through the concrete evaluator to name
the rule or route behind every hop.

How a question is answered
1. Endpoints become address sets per IP family (endpoints.py).
2. Each set is cut into atoms: ranges no route destination, VPC or subnet CIDR splits, so every
   address in an atom is forwarded the same way.
3. For each (source atom, destination atom) a representative packet is walked in record mode,
   forward and back; pairs whose walks record the same filters are grouped.
4. Per group, z3 decides whether some packet within the query satisfies every filter. The first
   satisfiable group gives the witness; otherwise every blocking filter and every routing drop
   becomes an explanation.
"""
from __future__ import annotations

import bisect
from dataclasses import dataclass, field, replace
from functools import cached_property

import z3

from ..model import (
    ALL_PROTOCOLS, EPHEMERAL_PORTS, ICMP, ICMPV6, TCP, UDP, IpNet, Network, NetworkAcl, NetworkInterface,
    PortRange, SecurityGroup, format_ip, parse_ip, protocol_label,
)
from ..model.resources import PrefixListRef
from . import codes
from .addresses import AddressSet
from .concrete import ConcreteEvaluator, FilterCheck, Packet, Trace, describe_nacl_entry, nacl_decision
from .encode import LOWER, UPPER, Encoder, make_solver
from .endpoints import Endpoint, EndpointResolver
from .placeholders import placeholder_notes, with_placeholders
from .topology import Topology

REP_SPORT, REP_DPORT = 40000, 40001  # distinct representative ports; fields are mapped back by value
PREFERRED_SPORT = 49152
MAX_ATOM_PAIRS = 4096


class EngineInconsistency(AssertionError):
    """z3 and the concrete evaluator disagree on a witness: a bug, never an answer."""


@dataclass(frozen=True)
class Query:
    source: str
    destination: str
    protocol: int = ALL_PROTOCOLS
    ports: PortRange | None = None
    forward_only: bool = False
    icmp_type: int | None = None
    icmp_code: int | None = None
    src_port: int | None = None  # pin the client's port (the concrete cross-check uses it)
    ephemeral: PortRange = EPHEMERAL_PORTS
    # A packet's literal destination: an address named from the internet is not mapped to the host's
    # public addresses (conformance tests replay other tools' literal packets with it).
    literal_destination: bool = False

    def summary(self) -> str:
        text = f"{self.source} -> {self.destination} {protocol_label(self.protocol)}"
        if self.ports is not None:
            text += f"/{self.ports}"
        return text + (" (forward only)" if self.forward_only else "")


@dataclass(frozen=True)
class Hop:
    component: str
    kind: str
    decision: str
    detail: str
    location: str = ""

    def to_dict(self) -> dict:
        return {"component": self.component, "kind": self.kind, "decision": self.decision,
                "detail": self.detail, "location": self.location}


@dataclass(frozen=True, order=True)
class Explanation:
    code: str
    component: str
    detail: str
    direction: str = "forward"  # forward or return
    location: str = ""

    def to_dict(self) -> dict:
        return {"code": self.code, "component": self.component, "direction": self.direction,
                "detail": self.detail, "location": self.location}


@dataclass(frozen=True)
class Result:
    query: Query
    verdict: str  # reachable, unreachable, inconclusive
    packet: Packet | None = None
    forward: tuple[Hop, ...] = ()
    reverse: tuple[Hop, ...] = ()
    explanations: tuple[Explanation, ...] = ()
    source: str = ""
    destination: str = ""
    notes: tuple[str, ...] = ()  # assumptions the answer rests on (placeholder addresses)

    @property
    def reachable(self) -> bool | None:
        return {"reachable": True, "unreachable": False}.get(self.verdict)

    def to_dict(self) -> dict:
        return {
            "query": {"from": self.query.source, "to": self.query.destination,
                      "protocol": protocol_label(self.query.protocol),
                      "port": str(self.query.ports) if self.query.ports else None,
                      "forward_only": self.query.forward_only},
            "verdict": self.verdict,
            "reachable": self.reachable,
            "packet": packet_dict(self.packet) if self.packet else None,
            "forward": [h.to_dict() for h in self.forward],
            "return": [h.to_dict() for h in self.reverse],
            "explanations": [e.to_dict() for e in self.explanations],
            "notes": list(self.notes),
        }


def packet_dict(packet: Packet) -> dict:
    out = {"ip_version": packet.version, "src": format_ip(packet.version, packet.src),
           "dst": format_ip(packet.version, packet.dst), "protocol": protocol_label(packet.protocol)}
    if packet.protocol in (TCP, UDP):
        out.update(src_port=packet.src_port, dst_port=packet.dst_port)
    if packet.protocol in (ICMP, ICMPV6):
        out.update(icmp_type=packet.icmp_type, icmp_code=packet.icmp_code)
    return out


@dataclass
class Walk:
    """The recorded forward (and reply) walk of one representative packet."""

    rep: Packet
    forward: Trace
    reply: Trace | None
    pairs: list[tuple[AddressSet, AddressSet]] = field(default_factory=list)

    def reached(self, destination: Endpoint, forward_only: bool) -> bool:
        if self.forward.outcome not in ("delivered", "exited"):
            return False
        if not _arrived_at(self.forward, destination):
            return False
        return forward_only or (self.reply is not None and self.reply.outcome in ("delivered", "exited"))

    def filters(self, forward_only: bool) -> list[FilterCheck]:
        checks = list(self.forward.filters)
        if not forward_only and self.reply is not None:
            checks += self.reply.filters
        return checks


def _arrived_at(trace: Trace, destination: Endpoint) -> bool:
    if destination.kind in ("internet", "address"):
        return trace.outcome == "exited"
    return trace.endpoint == destination.location


def _walk_signature(walk: Walk, forward_only: bool) -> tuple:
    def trace_sig(trace: Trace | None) -> tuple:
        if trace is None:
            return ()
        return (trace.outcome, trace.code, trace.component, trace.endpoint,
                tuple((c.kind, c.component, c.egress, c.reply, _view_key(c, walk.rep)) for c in trace.filters))
    return trace_sig(walk.forward), () if forward_only else trace_sig(walk.reply)


def _view_key(check: FilterCheck, rep: Packet) -> tuple:
    def address(value: int) -> object:
        return "S" if value == rep.src else "D" if value == rep.dst else value
    def port(value: int) -> object:
        return "SP" if value == rep.src_port else "DP" if value == rep.dst_port else value
    return address(check.packet.src), address(check.packet.dst), port(check.packet.dst_port)


class Analyzer:
    """Reachability over one Network. Cheap to create; indexes and encodings are built lazily."""

    def __init__(self, network: Network, timeout_ms: int = 10_000):
        # Addresses unknown until apply get placeholders; answers that use one say so (placeholders.py).
        network, self.placeholders = with_placeholders(network)
        self.network = network
        self.topology = Topology(network)
        self.encoder = Encoder(network, self.topology)
        self.endpoints = EndpointResolver(network, self.topology)
        self.timeout_ms = timeout_ms
        self._solvers: dict[int, z3.Solver] = {}
        self._headers: dict[tuple, list[z3.BoolRef]] = {}
        self.memo: dict[tuple, object] = {}  # derived facts the exposure sweep reuses across classes

    # ------------------------------------------------------------ public API

    def resolve(self, selector: str) -> tuple[str, ...]:
        return tuple(e.location for e in self.endpoints.resolve(selector, "to"))

    def exposure(self):
        """Every ENI's internet-reachable protocols and ports (see exposure.py)."""
        from .exposure import sweep
        return sweep(self)

    def query(self, query: Query) -> Result:
        sources = self.endpoints.resolve(query.source, "from")
        destinations = self.endpoints.resolve(query.destination, "to")
        outcomes = []
        for source in sources:
            for destination in destinations:
                outcome = self._answer(query, source, destination)
                if outcome.verdict == "reachable":
                    return self._with_notes(outcome)
                outcomes.append(outcome)
        return self._with_notes(_combine(query, outcomes))

    def _with_notes(self, result: Result) -> Result:
        if not self.placeholders:
            return result
        texts = [result.packet.describe()] if result.packet else []
        texts += [h.detail for h in (*result.forward, *result.reverse)] + [e.detail for e in result.explanations]
        return replace(result, notes=placeholder_notes(self.placeholders, texts))

    # ------------------------------------------------------------ one source, one destination

    def _answer(self, query: Query, source: Endpoint, destination: Endpoint) -> Result:
        explanations: set[Explanation] = set()
        inconclusive = False
        spaces = self._destination_spaces(query, source, destination)
        tried = False
        for version in (4, 6):
            src_space, dst_space = source.spaces.get(version), spaces.get(version)
            if not src_space or not dst_space:
                continue
            if not self._protocol_fits_family(query, version):
                continue
            tried = True
            groups = self._walk_groups(query, source, destination, version, src_space, dst_space)
            for walks in groups:
                walk = walks[0]
                pairs = [p for w in walks for p in w.pairs]
                if not walk.reached(destination, query.forward_only):
                    found, undecided = self._routing_explanations(query, walk, pairs, destination)
                    explanations |= found
                    inconclusive |= undecided
                    continue
                verdict, packet, found = self._solve(query, walk, pairs)
                if verdict == "sat":
                    return self._reachable_result(query, source, destination, packet)
                inconclusive |= verdict == "unknown"
                explanations |= found
        if not tried and source.kind == "internet" and destination.kind == "eni":
            explanations.add(Explanation(codes.NO_PUBLIC_IP, destination.location,
                                         f"{destination.label} has no public IPv4 address, Elastic IP or IPv6 "
                                         "address the internet could reach"))
        elif not tried:
            explanations.add(Explanation(codes.NO_ROUTE_TO_DESTINATION, destination.location,
                                         f"{source.label} and {destination.label} share no IP family"
                                         " the query allows"))
        ordered = tuple(sorted(explanations))
        verdict = "inconclusive" if inconclusive or any(e.code in codes.INCONCLUSIVE_CODES for e in ordered) \
            else "unreachable"
        return Result(query, verdict, explanations=ordered, source=source.label, destination=destination.label)

    def _protocol_fits_family(self, query: Query, version: int) -> bool:
        return not ((query.protocol == ICMP and version == 6) or (query.protocol == ICMPV6 and version == 4))

    def _destination_spaces(self, query: Query, source: Endpoint, destination: Endpoint) -> dict[int, AddressSet]:
        """From the internet, a host - named by id, tag or one of its private addresses - is reached at
        its public addresses (public IPv4, IPv6): the question is whether the internet can reach it."""
        literal = query.literal_destination and _is_address(query.destination)
        if source.kind == "internet" and destination.kind == "eni" and not literal:
            eni = self.network.get(destination.location, NetworkInterface)
            publics = [public for public, _ in self.topology.public_ips_of(eni)]
            return {4: AddressSet.hosts(4, publics), 6: destination.spaces.get(6, AddressSet(6))}
        return destination.spaces

    # ------------------------------------------------------------ atoms and walks

    @cached_property
    def _cut_points(self) -> dict[int, list[int]]:
        """Where forwarding can change: every route destination, VPC CIDR and subnet CIDR."""
        nets: dict[int, set[IpNet]] = {4: set(), 6: set()}
        for table in (*self.network.route_tables, *self.network.transit_gateway_route_tables):
            for route in table.routes:
                for net in self._route_nets(route.destination):
                    nets[net.version].add(net)
        for vpc in self.network.vpcs:
            for net in vpc.cidrs_v4 + vpc.cidrs_v6:
                if isinstance(net, IpNet):
                    nets[net.version].add(net)
        for subnet in self.network.subnets:
            for net in [subnet.cidr_v4, *subnet.cidrs_v6]:
                if isinstance(net, IpNet):
                    nets[net.version].add(net)
        # Special ranges (private, multicast...) are not cut points: the sets the walker splits are the
        # internet, VPC space or single hosts, so an atom never mixes internet and non-internet addresses.
        points = {}
        for version in (4, 6):
            inside = self.topology.all_vpc_space[version]
            for outside_only in (False, True):
                cuts = set()
                for net in nets[version]:
                    # Routes to VPC space (local, peering) cannot split a set that lies outside it.
                    if outside_only and inside.contains_range(net.first, net.last):
                        continue
                    cuts.add(net.first)
                    cuts.add(net.last + 1)
                points[(version, outside_only)] = sorted(cuts)
        return points

    def _route_nets(self, destination) -> list[IpNet]:
        if isinstance(destination, IpNet):
            return [destination]
        if isinstance(destination, PrefixListRef):
            plist = self.topology.prefix_list(destination.prefix_list_id)
            if plist is not None:
                return [e.cidr for e in plist.entries if isinstance(e.cidr, IpNet)]
        return []

    def atoms(self, space: AddressSet) -> list[AddressSet]:
        """Split a set into the forwarding cells it touches; a small set of hosts splits into hosts.

        A cell lies between two consecutive cut points, so every address in it meets the same routes.
        The set's own gaps inside a cell (e.g. the snapshot's public IPs cut out of "the internet")
        do not split it further: they do not change forwarding, and z3 keeps them out exactly.
        """
        if space.size() <= 16:
            return [AddressSet(space.version, ((low, low),)) for low, high in space.intervals
                    for low in range(low, high + 1)]
        outside = not space.intersect(self.topology.all_vpc_space[space.version])
        cuts = self._cut_points[(space.version, outside)]
        cells: dict[int, list[tuple[int, int]]] = {}
        for low, high in space.intervals:
            start = low
            while start <= high:
                cell = bisect.bisect_right(cuts, start)
                end = min(high, cuts[cell] - 1) if cell < len(cuts) else high
                cells.setdefault(cell, []).append((start, end))
                start = end + 1
        return [AddressSet(space.version, tuple(pieces)) for _, pieces in sorted(cells.items())]

    def _pick(self, atom: AddressSet) -> int:
        """The atom's representative address: a familiar internet host when the atom has it."""
        well_known = self.topology.well_known_internet_host(atom.version)
        return well_known if atom.contains(well_known) else atom.first()

    def _representative(self, query: Query, version: int, src: int, dst: int) -> Packet:
        proto = query.protocol if query.protocol != ALL_PROTOCOLS else TCP
        icmp_type = 8 if version == 4 else 128
        return Packet(version, src, dst, proto, REP_SPORT, REP_DPORT, icmp_type, 0)

    def _evaluator(self, source: Endpoint, destination: Endpoint, record: bool) -> ConcreteEvaluator:
        evaluator = ConcreteEvaluator(self.network, record=record)
        evaluator.target_subnet = destination.location if destination.kind == "subnet" else None
        return evaluator

    def _walk_groups(self, query: Query, source: Endpoint, destination: Endpoint, version: int,
                     src_space: AddressSet, dst_space: AddressSet) -> list[list[Walk]]:
        src_atoms, dst_atoms = self.atoms(src_space), self.atoms(dst_space)
        if len(src_atoms) * len(dst_atoms) > MAX_ATOM_PAIRS:
            dst_atoms = dst_atoms[: max(1, MAX_ATOM_PAIRS // max(1, len(src_atoms)))]
        evaluator = self._evaluator(source, destination, record=True)
        groups: dict[tuple, list[Walk]] = {}
        for s in src_atoms:
            for d in dst_atoms:
                src, dst = self._pick(s), self._pick(d)
                if src == dst:
                    continue  # a host does not route to itself
                rep = self._representative(query, version, src, dst)
                if query.forward_only:
                    forward, reply = evaluator.forward(source.location, rep), None
                else:
                    forward, reply = evaluator.connection(source.location, rep)
                walk = Walk(rep, forward, reply, [(s, d)])
                key = _walk_signature(walk, query.forward_only)
                if key in groups:
                    groups[key][0].pairs.append((s, d))
                else:
                    groups[key] = [walk]
        # Walks that reach the destination first, so a reachable answer is found early.
        return sorted(groups.values(), key=lambda ws: not ws[0].reached(destination, query.forward_only))

    # ------------------------------------------------------------ solving

    def _solver(self, version: int) -> z3.Solver:
        if version not in self._solvers:
            self._solvers[version] = make_solver(self.timeout_ms)
        return self._solvers[version]

    def _header_constraints(self, query: Query, version: int) -> list[z3.BoolRef]:
        key = (query.protocol, query.ports, query.src_port, query.ephemeral, query.icmp_type, query.icmp_code,
               version)
        cached = self._headers.get(key)
        if cached is None:
            cached = self._headers[key] = self._build_header_constraints(query, version)
        return cached

    def _build_header_constraints(self, query: Query, version: int) -> list[z3.BoolRef]:
        hv = self.encoder.vars[version]
        proto, sport, dport = hv.proto, hv.sport, hv.dport
        ported = z3.Or(proto == TCP, proto == UDP)
        icmp_protocol = ICMP if version == 4 else ICMPV6
        out = []
        if query.protocol != ALL_PROTOCOLS:
            out.append(proto == query.protocol)
        elif query.ports is not None:
            out.append(ported)
        if query.ports is not None:
            out.append(z3.Implies(ported, z3.And(z3.UGE(dport, query.ports.low), z3.ULE(dport, query.ports.high))))
        low, high = (query.src_port, query.src_port) if query.src_port is not None else \
            (query.ephemeral.low, query.ephemeral.high)
        out.append(z3.Implies(ported, z3.And(z3.UGE(sport, low), z3.ULE(sport, high))))
        out.append(z3.Implies(z3.Not(ported), z3.And(sport == 0, dport == 0)))
        is_icmp = proto == icmp_protocol
        if query.icmp_type is not None:
            out.append(z3.Implies(is_icmp, hv.icmp_type == query.icmp_type))
        if query.icmp_code is not None:
            out.append(z3.Implies(is_icmp, hv.icmp_code == query.icmp_code))
        out.append(z3.Implies(z3.Not(is_icmp), z3.And(hv.icmp_type == 0, hv.icmp_code == 0)))
        return out

    def _preferences(self, query: Query, version: int, pairs=()) -> list[z3.BoolRef]:
        """Assumptions tried in order to make witnesses readable (and stable across z3 versions)."""
        hv = self.encoder.vars[version]
        prefs = []
        well_known = self.topology.well_known_internet_host(version)
        for source_space, destination_space in pairs[:1]:
            for space, term in ((source_space, hv.src), (destination_space, hv.dst)):
                if space.size() > 1 and space.contains(well_known):
                    prefs.append(term == z3.BitVecVal(well_known, 32 if version == 4 else 128))
        if query.protocol == ALL_PROTOCOLS:
            prefs.append(hv.proto == TCP)
        if query.ports is not None:
            prefs.append(hv.dport == query.ports.low)
        else:
            prefs.append(hv.dport == 443)
        if query.src_port is None and query.ephemeral.contains(PREFERRED_SPORT):
            prefs.append(hv.sport == PREFERRED_SPORT)
        if query.icmp_type is None:
            prefs.append(hv.icmp_type == (8 if version == 4 else 128))
        return prefs

    def _solve(self, query: Query, walk: Walk, pairs) -> tuple[str, Packet | None, set[Explanation]]:
        version = walk.rep.version
        solver = self._solver(version)
        checks = walk.filters(query.forward_only)
        base = self._header_constraints(query, version) + [self.encoder.address_pairs(version, pairs)]
        lower = [self.encoder.filter(c, walk.rep, LOWER) for c in checks]
        solver.push()
        try:
            solver.add(*base, *lower)
            status = solver.check()
            if status == z3.sat:
                return "sat", self._witness(solver, query, version, pairs), set()
            if status == z3.unknown:
                return "unknown", None, {Explanation(codes.SOLVER_TIMEOUT, "solver",
                                                     f"z3 did not decide within {self.timeout_ms} ms")}
        finally:
            solver.pop()
        upper = [self.encoder.filter(c, walk.rep, UPPER) for c in checks]
        if any(not a.eq(b) for a, b in zip(lower, upper)):
            solver.push()
            solver.add(*base, *upper)
            status = solver.check()
            solver.pop()
            if status != z3.unsat:
                return "unknown", None, {Explanation(
                    codes.UNKNOWN_VALUE, c.component, "the answer depends on a value unknown until apply")
                    for c, a, b in zip(checks, lower, upper) if not a.eq(b)}
        return "unsat", None, self._blockers(query, walk, checks, base, lower)

    def _witness(self, solver: z3.Solver, query: Query, version: int, pairs=()) -> Packet:
        preferences = self._preferences(query, version, pairs)
        while preferences and solver.check(*preferences) != z3.sat:
            preferences.pop()
        if not preferences:
            solver.check()
        return self.encoder.vars[version].packet_of(solver.model())

    def _blockers(self, query: Query, walk: Walk, checks, base, encoded) -> set[Explanation]:
        """Every filter that alone blocks the query; if none does alone, the set that does together."""
        solver = self._solver(walk.rep.version)
        solver.push()
        solver.add(*base)
        try:
            found = self._lone_blockers(query, walk, checks, encoded)
            if not found:
                literals = [z3.Bool(f"filter{i}") for i in range(len(checks))]
                for literal, term in zip(literals, encoded):
                    solver.add(z3.Implies(literal, term))
                if solver.check(*literals) == z3.unsat:
                    core = {str(x) for x in solver.unsat_core()}
                    for i, check in enumerate(checks):
                        if f"filter{i}" in core:
                            found.add(self._explain_filter(query, solver, check, encoded[i], walk.rep, jointly=True))
        finally:
            solver.pop()
        return found

    def _explain_filter(self, query: Query, solver: z3.Solver, check: FilterCheck, term, rep: Packet,
                        jointly: bool = False) -> Explanation:
        """Name the filter and show one packet of the query it drops (and the NACL entry that does)."""
        direction = "return" if check.reply else "forward"
        example = None
        blocked = [z3.Not(term)]
        preferences = self._preferences(query, rep.version)
        while preferences and solver.check(*blocked, *preferences) != z3.sat:
            preferences.pop()
        if solver.check(*blocked, *preferences) == z3.sat:
            example = self._concrete_view(check, rep, self.encoder.vars[rep.version].packet_of(solver.model()))
        suffix = " (together with the other filters listed)" if jointly else ""
        if check.kind == "network-acl":
            acl = self.network.get(check.component, NetworkAcl)
            entry_text = describe_nacl_entry(acl, nacl_decision(self.network, acl, example, check.egress)[1],
                                             check.egress) if example else acl.id
            what = f"drops {example.describe()}" if example else "drops it"
            return Explanation(codes.SUBNET_ACL_RESTRICTION, acl.id, f"{entry_text} {what}{suffix}", direction,
                               str(acl.origin))
        if check.kind == "security-groups":
            eni = self.network.get(check.component, NetworkInterface)
            groups = ", ".join(str(g) for g in eni.security_group_ids) or "no security groups"
            side = "egress" if check.egress else "ingress"
            what = f" allows {example.describe()}" if example else " allows it"
            first_group = self.network.get(next(iter(eni.security_group_ids), None), SecurityGroup)
            location = str(first_group.origin) if first_group is not None else str(eni.origin)
            return Explanation(codes.ENI_SG_RULES_MISMATCH, eni.id,
                               f"no {side} rule of {groups}{what}{suffix}", direction, location)
        return Explanation(codes.NAT_PROTOCOL_UNSUPPORTED, check.component,
                           "NAT gateways translate only TCP, UDP and ICMP" + suffix, direction)

    def _concrete_view(self, check: FilterCheck, rep: Packet, witness: Packet) -> Packet:
        """The recorded packet at a filter, with the witness's header values put back in."""
        def address(value: int) -> int:
            return witness.src if value == rep.src else witness.dst if value == rep.dst else value
        def port(value: int) -> int:
            return witness.src_port if value == rep.src_port else witness.dst_port if value == rep.dst_port else value
        p = check.packet
        icmp_type = witness.reply().icmp_type if check.reply else witness.icmp_type
        return Packet(p.version, address(p.src), address(p.dst), witness.protocol, port(p.src_port),
                      port(p.dst_port), icmp_type, witness.icmp_code)

    def _routing_explanations(self, query: Query, walk: Walk, pairs, destination: Endpoint):
        """A walk that did not arrive: its routing drop, plus any filter before it that blocks alone."""
        found: set[Explanation] = set()
        forward_done = walk.forward.outcome in ("delivered", "exited")
        trace = walk.reply if forward_done and walk.reply is not None else walk.forward
        direction = "return" if trace is walk.reply else "forward"
        if forward_done and not _arrived_at(walk.forward, destination):
            found.add(Explanation(codes.NO_ROUTE_TO_DESTINATION, walk.forward.endpoint,
                                  f"traffic for {destination.label} is delivered to {walk.forward.endpoint} instead"))
            return found, False
        location = self._step_location(trace)
        found.add(Explanation(trace.code or codes.NO_ROUTE_TO_DESTINATION, trace.component, trace.detail,
                              direction, location))
        undecided = trace.code in codes.INCONCLUSIVE_CODES
        checks = walk.filters(query.forward_only)
        if checks:
            base = self._header_constraints(query, walk.rep.version) + [
                self.encoder.address_pairs(walk.rep.version, pairs)]
            encoded = [self.encoder.filter(c, walk.rep, LOWER) for c in checks]
            solver = self._solver(walk.rep.version)
            solver.push()
            try:
                solver.add(*base)
                found |= self._lone_blockers(query, walk, checks, encoded)
            finally:
                solver.pop()
        return found, undecided

    def _lone_blockers(self, query: Query, walk: Walk, checks, encoded) -> set[Explanation]:
        """The filters that block the question on their own (the solver holds the question already)."""
        solver = self._solver(walk.rep.version)
        return {self._explain_filter(query, solver, check, term, walk.rep)
                for check, term in zip(checks, encoded) if solver.check(term) == z3.unsat}

    def _step_location(self, trace: Trace) -> str:
        for step in reversed(trace.steps):
            if step.component == trace.component and step.origin:
                return step.origin
        resource = self.network.get(trace.component)
        return str(resource.origin) if resource is not None else ""

    # ------------------------------------------------------------ witnesses

    def _reachable_result(self, query: Query, source: Endpoint, destination: Endpoint, packet: Packet) -> Result:
        evaluator = self._evaluator(source, destination, record=False)
        if query.forward_only:
            forward, reply = evaluator.forward(source.location, packet), None
        else:
            forward, reply = evaluator.connection(source.location, packet)
        ok = forward.outcome in ("delivered", "exited") and _arrived_at(forward, destination) and (
            query.forward_only or (reply is not None and reply.outcome in ("delivered", "exited")))
        if not ok:
            failed = reply if reply is not None and forward.outcome in ("delivered", "exited") else forward
            raise EngineInconsistency(
                f"z3 found {packet.describe()} for {query.summary()}, but the concrete evaluator says "
                f"{failed.outcome} at {failed.component}: {failed.code} {failed.detail}")
        return Result(query, "reachable", packet, _hops(forward), _hops(reply) if reply else (),
                      source=source.label, destination=destination.label)


def _is_address(text: str) -> bool:
    try:
        parse_ip(text.strip())
    except ValueError:
        return False
    return True


def _hops(trace: Trace) -> tuple[Hop, ...]:
    return tuple(Hop(s.component, s.kind, s.decision, s.detail, s.origin) for s in trace.steps)


def _combine(query: Query, outcomes: list[Result]) -> Result:
    if any(o.verdict == "inconclusive" for o in outcomes):
        verdict = "inconclusive"
    else:
        verdict = "unreachable"
    explanations = tuple(sorted({e for o in outcomes for e in o.explanations}))
    return Result(query, verdict, explanations=explanations)
