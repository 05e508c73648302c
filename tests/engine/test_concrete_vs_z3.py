"""The z3 engine and the plain-Python evaluator of one concrete packet must agree.

For every scenario network, packets are drawn from boundary values (ports 0, 1023, 1024, 65535,
/32 and /0 edges, protocol 0 and other non-port protocols, ICMP types) and from a seeded random
generator. The concrete evaluator walks each packet and its reply; the engine answers the same
question with every header pinned. Any disagreement is a bug in one of them.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

import pytest

from vpcreach.engine import Analyzer, ConcreteEvaluator, Packet, Query
from vpcreach.engine.concrete import is_internet_address
from vpcreach.importers import load_source
from vpcreach.model import ICMP, ICMPV6, TCP, UDP, PortRange, format_ip, parse_ip

ROOT = Path(__file__).resolve().parents[2]
NETWORKS = sorted(str(p) for p in (ROOT / "fixtures" / "scenarios").glob("*/network.json")) + [
    str(ROOT / "fixtures" / "example")]
RANDOM_PACKETS_PER_NETWORK = 400
BOUNDARY_PORTS = (0, 1, 22, 53, 80, 81, 82, 443, 1022, 1023, 1024, 1025, 5432, 8080, 49151, 49152, 65534, 65535)
CLIENT_PORTS = (1024, 1025, 32768, 49152, 65535)
PROTOCOLS = (TCP, TCP, TCP, UDP, UDP, "icmp", "icmp", 0, 47, 50)
INTERNET_HOSTS = {4: ("8.8.8.8", "1.1.1.1", "203.0.113.5", "192.0.2.77", "198.51.100.200"),
                  6: ("2001:4860:4860::8888", "2a00:1450::1", "2001:db8::1")}
NOT_ON_THE_INTERNET = {4: ("100.64.0.1", "172.31.255.1"), 6: ("fd00::1",)}  # destinations only


@dataclass(frozen=True)
class Case:
    start: str  # ENI id or "internet"
    source_spec: str  # what the user would type: the source address
    destination_spec: str
    packet: Packet


class Sampler:
    """Draws packets between the network's interfaces, its public addresses and internet hosts."""

    def __init__(self, network, rng: random.Random):
        self.network, self.rng = network, rng
        self.enis = [e for e in network.network_interfaces if e.interface_type != "nat_gateway"]

    def addresses(self, eni, version):
        values = eni.private_ips if version == 4 else eni.ipv6_addresses
        return [v for v in values if isinstance(v, str)]

    def destinations(self, version, from_internet):
        out = []
        for eni in self.network.network_interfaces:
            if not from_internet:
                out += self.addresses(eni, version)
            if version == 4:
                out += [p.address for p in eni.public_ips if isinstance(p.address, str)]
            elif from_internet:
                out += self.addresses(eni, 6)
        for nat in self.network.nat_gateways:
            out += [a.public_ip for a in nat.addresses if version == 4 and isinstance(a.public_ip, str)]
        out += list(INTERNET_HOSTS[version]) + list(NOT_ON_THE_INTERNET[version])
        if not from_internet:
            for subnet in self.network.subnets:  # an address in the subnet that nothing owns
                cidr = subnet.cidr_v4 if version == 4 else (subnet.cidrs_v6[0] if subnet.cidrs_v6 else None)
                if cidr is not None and not isinstance(cidr, str):
                    out.append(format_ip(version, cidr.first + 200))
        return sorted(set(out))

    def packet(self, version, src, dst, protocol, dst_port=None, src_port=None) -> Packet:
        rng = self.rng
        if protocol in (TCP, UDP):
            dport = dst_port if dst_port is not None else rng.choice(BOUNDARY_PORTS + (rng.randrange(65536),))
            sport = src_port if src_port is not None else rng.choice(CLIENT_PORTS + (rng.randrange(1024, 65536),))
            return Packet(version, parse_ip(src)[1], parse_ip(dst)[1], protocol, sport, dport)
        if protocol in (ICMP, ICMPV6):
            icmp_type = rng.choice((0, 3, 8, 11, 128, 129))
            return Packet(version, parse_ip(src)[1], parse_ip(dst)[1], protocol, 0, 0, icmp_type, rng.choice((0, 4)))
        return Packet(version, parse_ip(src)[1], parse_ip(dst)[1], protocol)

    def random_case(self) -> Case | None:
        rng = self.rng
        version = rng.choice((4, 4, 6))
        from_internet = rng.random() < 0.25
        if from_internet:
            start, src = "internet", rng.choice(INTERNET_HOSTS[version])
        else:
            candidates = [e for e in self.enis if self.addresses(e, version)]
            if not candidates:
                return None
            eni = rng.choice(candidates)
            start, src = eni.id, rng.choice(self.addresses(eni, version))
        destinations = [d for d in self.destinations(version, from_internet) if d != src]
        if not destinations:
            return None
        dst = rng.choice(destinations)
        protocol = rng.choice(PROTOCOLS)
        if protocol == "icmp":  # ICMP is protocol 1 over IPv4 and 58 over IPv6
            protocol = ICMP if version == 4 else ICMPV6
        return Case(start, src, dst, self.packet(version, src, dst, protocol))

    def boundary_cases(self):
        for eni in self.enis:
            for src in self.addresses(eni, 4)[:1]:
                for dst in self.destinations(4, False)[:6]:
                    if dst == src:
                        continue
                    for port in (0, 1023, 1024, 65535):
                        yield Case(eni.id, src, dst, self.packet(4, src, dst, TCP, port, 1024))
                    yield Case(eni.id, src, dst, self.packet(4, src, dst, UDP, 65535, 65535))
                    yield Case(eni.id, src, dst, self.packet(4, src, dst, 0))


def concrete_verdict(network, case: Case) -> str:
    evaluator = ConcreteEvaluator(network)
    forward, reply = evaluator.connection(case.start, case.packet)
    traces = [forward] + ([reply] if reply is not None else [])
    if any(t.outcome == "inconclusive" for t in traces):
        return "inconclusive"
    if reply is None or reply.outcome not in ("delivered", "exited"):
        return "unreachable"
    owner = _intended_endpoint(network, case)
    arrived = forward.endpoint in ("internet", "aws-service") if owner is None else forward.endpoint == owner
    return "reachable" if arrived else "unreachable"


def _intended_endpoint(network, case: Case):
    version, value = parse_ip(case.destination_spec)
    for eni in network.network_interfaces:
        values = (eni.private_ips if version == 4 else eni.ipv6_addresses)
        if any(isinstance(v, str) and parse_ip(v) == (version, value) for v in values):
            return eni.id
        if version == 4 and any(isinstance(p.address, str) and parse_ip(p.address)[1] == value for p in eni.public_ips):
            return eni.id
    if is_internet_address(network, version, value):
        return None
    return "nothing"


def engine_query(case: Case) -> Query:
    p = case.packet
    ported = p.protocol in (TCP, UDP)
    icmp = p.protocol in (ICMP, ICMPV6)
    return Query(case.source_spec, case.destination_spec, p.protocol,
                 PortRange(p.dst_port, p.dst_port) if ported else None,
                 src_port=p.src_port if ported else None,
                 icmp_type=p.icmp_type if icmp else None, icmp_code=p.icmp_code if icmp else None)


@pytest.fixture(scope="module", params=NETWORKS, ids=lambda p: Path(p).parent.name if p.endswith(".json") else "example")
def loaded(request):
    network = load_source(request.param)
    return network, Analyzer(network)


def _check(network, analyzer, cases) -> int:
    disagreements = []
    checked = 0
    for case in cases:
        expected = concrete_verdict(network, case)
        answer = analyzer.query(engine_query(case)).verdict
        checked += 1
        if answer != expected:
            disagreements.append(f"{case.start}: {case.packet.describe()}: z3 {answer}, concrete {expected}")
    assert not disagreements, "\n".join(disagreements[:20])
    return checked


def test_boundary_packets_agree(loaded):
    network, analyzer = loaded
    assert _check(network, analyzer, Sampler(network, random.Random(0)).boundary_cases()) > 0


def test_random_packets_agree(loaded):
    network, analyzer = loaded
    sampler = Sampler(network, random.Random(20261123))
    cases = [c for c in (sampler.random_case() for _ in range(RANDOM_PACKETS_PER_NETWORK)) if c is not None]
    assert _check(network, analyzer, cases) >= RANDOM_PACKETS_PER_NETWORK // 2


def test_the_samples_exercise_both_answers():
    """A cross-check where every packet is dropped would prove little: make sure both answers occur."""
    verdicts = set()
    for path in NETWORKS:
        network = load_source(path)
        sampler = Sampler(network, random.Random(20261123))
        for _ in range(200):
            case = sampler.random_case()
            if case is not None:
                verdicts.add(concrete_verdict(network, case))
    assert {"reachable", "unreachable"} <= verdicts
