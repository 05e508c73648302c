"""The z3 encoding of packet headers and of the filters on a path. The only module that imports z3.

A path's filters are recorded by the walker (concrete.py, record mode) with the packet as it
looked at that point. Every field of that packet is one of the query's header variables
(source, destination, ports, ICMP type/code, possibly swapped for the reply) or a constant
introduced by a translation; `View` maps it back to z3 terms. Encodings are cached per
(filter, view, mode), so repeated questions over the same network reuse them.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

import z3

from ..model import (
    ALL_PROTOCOLS, ICMP, ICMPV6, TCP, UDP, IpNet, Network, NetworkAcl, NetworkInterface, SecurityGroup,
    SecurityGroupRule, Unknown,
)
from ..model.resources import CidrPeer, GroupPeer, PrefixListRef
from .addresses import FAMILY_BITS, AddressSet
from .concrete import FilterCheck, Packet
from .topology import Topology

DEFAULT_TIMEOUT_MS = 10_000
LOWER, UPPER = "lower", "upper"  # bounds for unknown values: assume they never / always match


def make_solver(timeout_ms: int = DEFAULT_TIMEOUT_MS) -> z3.Solver:
    """The one place solvers are built: fixed seed and a time limit, so answers are reproducible."""
    solver = z3.SolverFor("QF_BV")
    solver.set("random_seed", 0)
    solver.set("timeout", timeout_ms)
    return solver


class HeaderVars:
    """z3 variables for one IP family's forward packet; the reply reuses them swapped."""

    def __init__(self, version: int):
        bits = FAMILY_BITS[version]
        self.version = version
        self.src = z3.BitVec(f"src{version}", bits)
        self.dst = z3.BitVec(f"dst{version}", bits)
        self.proto = z3.BitVec(f"proto{version}", 8)
        self.sport = z3.BitVec(f"sport{version}", 16)
        self.dport = z3.BitVec(f"dport{version}", 16)
        self.icmp_type = z3.BitVec(f"icmp_type{version}", 8)
        self.icmp_code = z3.BitVec(f"icmp_code{version}", 8)

    def reply_icmp_type(self) -> z3.ExprRef:
        echo, echo_reply = (8, 0) if self.version == 4 else (128, 129)
        return z3.If(self.icmp_type == echo, z3.BitVecVal(echo_reply, 8), self.icmp_type)

    def packet_of(self, model: z3.ModelRef) -> Packet:
        def value(term: z3.ExprRef) -> int:
            return model.eval(term, model_completion=True).as_long()
        return Packet(self.version, value(self.src), value(self.dst), value(self.proto), value(self.sport),
                      value(self.dport), value(self.icmp_type), value(self.icmp_code))


@dataclass(frozen=True)
class View:
    """z3 terms of one packet on the path, and a hashable key describing them for caching."""

    src: z3.ExprRef
    dst: z3.ExprRef
    proto: z3.ExprRef
    dport: z3.ExprRef
    icmp_type: z3.ExprRef
    icmp_code: z3.ExprRef
    key: tuple


def view_of(check: FilterCheck, rep: Packet, hv: HeaderVars) -> View:
    """Map a recorded packet's field values back to variables (by the representative's values)."""
    bits = FAMILY_BITS[hv.version]

    def address(value: int) -> tuple[z3.ExprRef, object]:
        if value == rep.src:
            return hv.src, "S"
        if value == rep.dst:
            return hv.dst, "D"
        return z3.BitVecVal(value, bits), value

    def port(value: int) -> tuple[z3.ExprRef, object]:
        if value == rep.src_port:
            return hv.sport, "SP"
        if value == rep.dst_port:
            return hv.dport, "DP"
        return z3.BitVecVal(value, 16), value

    src, src_key = address(check.packet.src)
    dst, dst_key = address(check.packet.dst)
    dport, dport_key = port(check.packet.dst_port)
    icmp_type = hv.reply_icmp_type() if check.reply else hv.icmp_type
    key = (src_key, dst_key, dport_key, check.reply)
    return View(src, dst, hv.proto, dport, icmp_type, hv.icmp_code, key)


def in_set(term: z3.ExprRef, space: AddressSet) -> z3.BoolRef:
    if not space.intervals:
        return z3.BoolVal(False)
    top = (1 << FAMILY_BITS[space.version]) - 1
    if space.intervals == ((0, top),):
        return z3.BoolVal(True)
    bits = FAMILY_BITS[space.version]
    terms = []
    for low, high in space.intervals:
        if low == high:
            terms.append(term == z3.BitVecVal(low, bits))
        else:
            terms.append(z3.And(z3.UGE(term, z3.BitVecVal(low, bits)), z3.ULE(term, z3.BitVecVal(high, bits))))
    return z3.Or(terms) if len(terms) > 1 else terms[0]


def in_range(term: z3.ExprRef, low: int, high: int, bits: int) -> z3.BoolRef:
    if low == high:
        return term == z3.BitVecVal(low, bits)
    return z3.And(z3.UGE(term, z3.BitVecVal(low, bits)), z3.ULE(term, z3.BitVecVal(high, bits)))


def protocol_part(protocol: int, ports, icmp, view: View) -> z3.BoolRef:
    """What a rule or entry says about protocol, destination port and ICMP type/code."""
    if protocol == ALL_PROTOCOLS:
        return z3.BoolVal(True)
    parts = [view.proto == z3.BitVecVal(protocol, 8)]
    if protocol in (TCP, UDP) and ports is not None:
        parts.append(in_range(view.dport, ports.low, ports.high, 16))
    if protocol in (ICMP, ICMPV6) and icmp is not None:
        if icmp.type != -1:
            parts.append(view.icmp_type == z3.BitVecVal(icmp.type, 8))
        if icmp.code != -1:
            parts.append(view.icmp_code == z3.BitVecVal(icmp.code, 8))
    return z3.And(parts) if len(parts) > 1 else parts[0]


class Encoder:
    """Encodes filters for one Network; caches every encoding it builds."""

    def __init__(self, network: Network, topology: Topology):
        self.network = network
        self.topology = topology
        self.vars = {4: HeaderVars(4), 6: HeaderVars(6)}
        self._cache: dict[tuple, z3.BoolRef] = {}
        self._pairs_cache: dict[tuple, z3.BoolRef] = {}
        self._set_cache: dict[tuple, z3.BoolRef] = {}
        self._reference_cache: dict[tuple, AddressSet] = {}

    # -------------------------------------------------------- filters

    def filter(self, check: FilterCheck, rep: Packet, mode: str, clients: AddressSet | None = None) -> z3.BoolRef:
        """The filter's condition on the packet it saw. `clients`, when given, is a superset of the
        remote addresses the question allows (e.g. the internet): rules whose peers lie wholly outside
        it can never match and are left out, which keeps large group-reference rules out of z3."""
        hv = self.vars[rep.version]
        view = view_of(check, rep, hv)
        # Interfaces with the same groups share one encoding: rules depend on the groups, not the ENI.
        subject = tuple(self.network.get(check.component, NetworkInterface).security_group_ids) \
            if check.kind == "security-groups" else check.component
        key = (check.kind, subject, check.egress, view.key, rep.version, mode, clients)
        cached = self._cache.get(key)
        if cached is None:
            if check.kind == "security-groups":
                cached = self._security_groups(self.network.get(check.component, NetworkInterface),
                                               check.egress, view, rep.version, mode, clients)
            elif check.kind == "network-acl":
                cached = self._network_acl(self.network.get(check.component, NetworkAcl),
                                           check.egress, view, rep.version, mode)
            else:  # nat-protocol
                cached = z3.Or([view.proto == z3.BitVecVal(p, 8) for p in (TCP, UDP, ICMP)])
            self._cache[key] = cached
        return cached

    def _security_groups(self, eni: NetworkInterface, egress: bool, view: View, version: int, mode: str,
                         clients: AddressSet | None = None):
        """Any rule of any of the ENI's groups allows it (groups are allow-lists)."""
        remote = view.dst if egress else view.src
        terms = []
        for group_id in eni.security_group_ids:
            sg = self.network.get(group_id, SecurityGroup)
            if sg is None:
                if mode == UPPER:  # a group not in the snapshot might allow anything
                    terms.append(z3.BoolVal(True))
                continue
            for rule in (sg.egress if egress else sg.ingress):
                if clients is not None:
                    space = self.peer_space(sg, rule.peer, version)
                    if space is not None and not space.intersect(clients):
                        continue
                term = self._sg_rule(sg, rule, remote, view, version, mode)
                if not z3.is_false(term):
                    terms.append(term)
        return z3.simplify(z3.Or(terms)) if terms else z3.BoolVal(False)

    def _sg_rule(self, sg: SecurityGroup, rule: SecurityGroupRule, remote, view: View, version: int, mode: str):
        if not rule.valid:
            return z3.BoolVal(False)
        space = self.peer_space(sg, rule.peer, version)
        if space is None:  # unknown until apply, or not in the snapshot
            return protocol_part(rule.protocol, rule.ports, rule.icmp, view) if mode == UPPER else z3.BoolVal(False)
        if not space:
            return z3.BoolVal(False)
        return z3.And(protocol_part(rule.protocol, rule.ports, rule.icmp, view), in_set(remote, space))

    def peer_space(self, sg: SecurityGroup, peer, version: int) -> AddressSet | None:
        """The addresses a rule's peer stands for; None when they cannot be known."""
        if isinstance(peer, CidrPeer):
            if isinstance(peer.cidr, Unknown):
                return None
            return AddressSet.of(version, [peer.cidr])
        if isinstance(peer, PrefixListRef):
            return self.topology.prefix_list_space(peer.prefix_list_id, version)
        if isinstance(peer, GroupPeer):
            if isinstance(peer.group_id, Unknown):
                return None
            return self.group_reference_space(sg, peer.group_id, version)
        return None

    def group_reference_space(self, sg: SecurityGroup, group_id: str, version: int) -> AddressSet:
        """Members' private addresses, for members in the group's own VPC or a peered one."""
        key = (sg.vpc_id, group_id, version)
        cached = self._reference_cache.get(key)
        if cached is None:
            addresses = []
            for eni in self.network.group_members(group_id):
                if eni.vpc_id == sg.vpc_id or (isinstance(eni.vpc_id, str) and isinstance(sg.vpc_id, str)
                                               and self.topology.vpcs_peered(eni.vpc_id, sg.vpc_id)):
                    addresses.extend(self.topology.eni_addresses(eni, version))
            cached = AddressSet.hosts(version, addresses)
            self._reference_cache[key] = cached
        return cached

    def _network_acl(self, acl: NetworkAcl, egress: bool, view: View, version: int, mode: str):
        """First match wins: fold the entries from the last to the first into nested If terms."""
        remote = view.dst if egress else view.src
        decision: z3.BoolRef = z3.BoolVal(False)  # nothing matched: denied
        for entry in sorted(acl.direction(egress), key=lambda e: e.rule_number, reverse=True):
            proto = protocol_part(entry.protocol, entry.ports, entry.icmp, view)
            if isinstance(entry.cidr, Unknown):
                # Lower bound: an unknown allow never matches, an unknown deny always does.
                matches_always = (mode == LOWER) != entry.allow
                if not matches_always:
                    continue
                match = proto
            else:
                if not isinstance(entry.cidr, IpNet) or entry.cidr.version != version:
                    continue
                match = z3.And(proto, in_set(remote, AddressSet.of(version, [entry.cidr])))
            decision = z3.If(match, z3.BoolVal(entry.allow), decision)
        return z3.simplify(decision)

    # -------------------------------------------------------- addresses

    def address_pairs(self, version: int, pairs: Iterable[tuple[AddressSet, AddressSet]]) -> z3.BoolRef:
        """Source and destination within one of the (source set, destination set) pairs; cached,
        because the same large sets (the internet, a subnet) recur in question after question."""
        key = (version, tuple(pairs))
        cached = self._pairs_cache.get(key)
        if cached is None:
            hv = self.vars[version]
            terms = [z3.And(self._in_set(hv.src, "src", s), self._in_set(hv.dst, "dst", d)) for s, d in key[1]]
            cached = self._pairs_cache[key] = z3.Or(terms) if len(terms) > 1 else terms[0]
        return cached

    def _in_set(self, term: z3.ExprRef, name: str, space: AddressSet) -> z3.BoolRef:
        key = (name, space)
        cached = self._set_cache.get(key)
        if cached is None:
            cached = self._set_cache[key] = in_set(term, space)
        return cached
