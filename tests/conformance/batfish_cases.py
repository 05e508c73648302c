"""Batfish's stated traceroute answers, asked of vpcreach: the case -> question mapping and the comparison.

Each Batfish case is one concrete flow from a start location. vpcreach answers it twice: with the z3 engine
(`Analyzer.query`, the flow pinned by its addresses, protocol and ports) and with the concrete evaluator on
the same literal packet. The two must agree with each other (else the engine has a bug); the answer is then
compared with Batfish's disposition, and the explanation code with what the disposition says dropped it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from vpcreach.engine import Analyzer, Query
from vpcreach.engine import codes
from vpcreach.engine.concrete import ConcreteEvaluator, Packet
from vpcreach.importers import load_source
from vpcreach.model import PortRange, parse_ip

BATFISH_SPORT = 49152  # Batfish's tests pin this source port for TCP flows
INTERNET_HOST = "8.8.8.8"  # stands for "(an IP of the internet node)"

REACHABLE = {"ACCEPTED", "EXITS_NETWORK", "ACCEPTED or EXITS_NETWORK", "ACCEPTED exists (reachable)"}

# What each Batfish disposition says stopped the flow, as the vpcreach codes that say the same thing.
# Batfish models the internet gateway and the AWS backbone as filtering nodes, so a gateway dropping a
# source without a public address, or the backbone dropping a private destination, is a DENIED there.
FILTER_CODES = frozenset({
    codes.ENI_SG_RULES_MISMATCH, codes.SUBNET_ACL_RESTRICTION, codes.NAT_PROTOCOL_UNSUPPORTED,
    codes.NAT_UNSOLICITED_INBOUND, codes.NO_PUBLIC_IP, codes.EGRESS_ONLY_INBOUND,
    codes.PRIVATE_ADDRESS_NOT_ROUTABLE,
})
ROUTING_CODES = frozenset({
    codes.NO_ROUTE_TO_DESTINATION, codes.BAD_STATE_ROUTE, codes.BAD_STATE, codes.PEERING_DESTINATION_OUTSIDE_PEER,
    codes.PRIVATE_ADDRESS_NOT_ROUTABLE, codes.IGW_NOT_ATTACHED, codes.TGW_NO_ATTACHMENT_IN_AZ, codes.ROUTING_LOOP,
    codes.NO_ENI_AT_DESTINATION,
})
CONSISTENT_CODES = {
    "DENIED_IN": FILTER_CODES, "DENIED_OUT": FILTER_CODES,
    "NO_ROUTE": ROUTING_CODES, "NULL_ROUTED": ROUTING_CODES,
    "NEIGHBOR_UNREACHABLE": frozenset({codes.NO_ENI_AT_DESTINATION}),
}


@dataclass(frozen=True)
class Flow:
    """One Batfish case as a vpcreach question; `skip` says why it cannot be asked."""

    source: str = ""  # the Query source: an address, "internet" or a subnet id
    start: str = ""  # where the concrete evaluator starts: an ENI id, a subnet id or "internet"
    src: str = ""
    dst: str = ""
    protocol: int = 0
    dst_port: int | None = None
    forward_only: bool = True
    skip: str = ""


@dataclass(frozen=True)
class Outcome:
    status: str  # agree, disagree, skip
    detail: str  # what vpcreach answered, for the report
    engines_agree: bool = True
    engines_detail: str = ""


def case_id(case: dict) -> str:
    """snapshot folder and test method, then start and destination: a method may state several flows."""
    snapshot = case["snapshot_dir"].rstrip("/").split("/")[-1]
    method = case["stated_in"].split("#")[-1]
    return f"{snapshot}:{method}:{case['start_location']}->{case['dst_ip'].split()[0]}"


def parse_protocol(headers: dict) -> tuple[int, int | None] | None:
    text = str(headers.get("ip_protocol", ""))
    if text == "tcp":
        return 6, headers.get("dst_port")
    number = re.search(r"\((\d+)\)", text) if not text[:1].isdigit() else re.match(r"(\d+)", text)
    return (int(number.group(1)), None) if number else None


def flow_of(case: dict, network) -> Flow:
    start, src, dst = case["start_location"], case["src_ip"], case["dst_ip"].split()[0]
    forward_only = "expected_reverse_path_after_forward_session" not in case
    headers = parse_protocol(case["headers"])
    if headers is None:
        return Flow(skip="a reachability question over any headers to a load balancer's targets: "
                         "load balancers are not modelled")
    protocol, port = headers
    if start.startswith(("vgw-", "vpn-")) or start.startswith("onprem"):
        return Flow(skip="starts at a VPN gateway or an on-premises router: VPN gateways, VPN connections "
                         "and on-premises routers are not modelled")
    if start.startswith("vpc-"):
        return Flow(skip="starts at the VPC's router with no source address (0.0.0.0); vpcreach starts at an "
                         "instance, network interface, subnet or the internet")
    if not _is_address(dst):
        return Flow(skip=f"destination {case['dst_ip']} is not an address")
    common = dict(dst=dst, protocol=protocol, dst_port=port, forward_only=forward_only)
    if start == "internet":
        source_ip = src if _is_address(src) else INTERNET_HOST
        return Flow(source=src if _is_address(src) else "internet", start="internet", src=source_ip, **common)
    if start.startswith("subnet-"):
        return Flow(source=src, start=start, src=src, **common)
    owner = Analyzer(network).topology.address_owners.get(parse_ip(src))
    if owner is None:
        return Flow(skip=f"no interface in the snapshot has the source address {src}")
    return Flow(source=src, start=owner.id, src=src, **common)


def _is_address(text: str) -> bool:
    try:
        parse_ip(text)
    except ValueError:
        return False
    return True


@lru_cache(maxsize=None)
def load_snapshot(path: str):
    network = load_source(path)
    return network, Analyzer(network)


def answer(case: dict, snapshot_path: str) -> Outcome:
    network, analyzer = load_snapshot(snapshot_path)
    flow = flow_of(case, network)
    if flow.skip:
        return Outcome("skip", flow.skip)
    ports = PortRange(flow.dst_port, flow.dst_port) if flow.dst_port is not None else None
    query = Query(source=flow.source, destination=flow.dst, protocol=flow.protocol, ports=ports,
                  literal_destination=True,
                  forward_only=flow.forward_only, src_port=BATFISH_SPORT if ports else None)
    result = analyzer.query(query)
    z3_codes = sorted({e.code for e in result.explanations})
    concrete_verdict, concrete_code = _concrete(analyzer, flow)
    engines_agree = concrete_verdict == result.verdict and (
        result.verdict != "unreachable" or concrete_code in z3_codes)
    engines_detail = (f"z3: {result.verdict} {z3_codes}; concrete evaluator on the literal packet: "
                      f"{concrete_verdict} {concrete_code or ''}".strip())
    detail = f"vpcreach: {result.verdict} {' '.join(z3_codes)}".strip()
    expected = case["expected_disposition"]
    if result.verdict == "inconclusive":
        return Outcome("skip", detail, engines_agree, engines_detail)
    if expected in REACHABLE:
        status = "agree" if result.verdict == "reachable" else "disagree"
    else:
        consistent = CONSISTENT_CODES[expected]
        status = "agree" if result.verdict == "unreachable" and concrete_code in consistent \
            and any(code in consistent for code in z3_codes) else "disagree"
    return Outcome(status, detail, engines_agree, engines_detail)


def _concrete(analyzer: Analyzer, flow: Flow) -> tuple[str, str]:
    """The concrete evaluator's verdict and drop code for the literal packet, set up as the analyzer does."""
    version, src = parse_ip(flow.src)
    _, dst = parse_ip(flow.dst)
    ported = flow.protocol in (6, 17)
    packet = Packet(version, src, dst, flow.protocol, BATFISH_SPORT if ported else 0,
                    (flow.dst_port or 0) if ported else 0)
    destination = analyzer.endpoints.resolve(flow.dst, "to")[0]
    evaluator = ConcreteEvaluator(analyzer.network)
    evaluator.target_subnet = destination.location if destination.kind == "subnet" else None
    if flow.forward_only:
        forward, reply = evaluator.forward(flow.start, packet), None
    else:
        forward, reply = evaluator.connection(flow.start, packet)
    trace = reply if reply is not None and forward.outcome in ("delivered", "exited") else forward
    if trace.outcome == "inconclusive":
        return "inconclusive", trace.code
    arrived = forward.outcome in ("delivered", "exited") and (
        forward.outcome == "exited" if destination.kind in ("internet", "address") else
        forward.endpoint == destination.location)
    if arrived and (flow.forward_only or trace.outcome in ("delivered", "exited")):
        return "reachable", ""
    if forward.outcome in ("delivered", "exited") and not arrived:
        return "unreachable", codes.NO_ROUTE_TO_DESTINATION
    return "unreachable", trace.code


# ---------------------------------------------------------------- pybatfish's hybrid-cloud notebook

FLOW = re.compile(r"(?P<src>[\d.]+):(?P<sport>\d+) -> (?P<dst>[\d.]+):(?P<dport>\d+) TCP")


def pybatfish_flow_case(cell: dict) -> dict | None:
    """A notebook traceroute as a Batfish-style case (start, addresses, headers), or None if not TCP."""
    match = FLOW.match(cell.get("flow", ""))
    if match is None:
        return None
    return {"start_location": cell["start"], "src_ip": match["src"], "dst_ip": match["dst"],
            "headers": {"ip_protocol": "tcp", "dst_port": int(match["dport"])},
            "expected_disposition": cell["expected_disposition"]}


def exposed_instances(analyzer: Analyzer, only_tcp_except: int | None = None) -> set[str]:
    """Instances the internet certainly reaches (`vpcreach exposure`); with `only_tcp_except`, by TCP to another
    port. Exposures left undecided (here: replies to 203.0.113.0/24 go to the transit gateway, whose VPN
    routes are not in the snapshot) are not counted: Batfish's question asks whether some flow succeeds."""
    found = set()
    for exposure in analyzer.exposure():
        if getattr(exposure, "undecided", ""):
            continue
        if only_tcp_except is not None and not _tcp_other_than(exposure, only_tcp_except):
            continue
        if exposure.instance_id:
            found.add(exposure.instance_id)
    return found


def _tcp_other_than(exposure, port: int) -> bool:
    if exposure.protocol == -1:
        return 6 not in exposure.except_protocols
    return exposure.protocol == 6 and exposure.ports is not None and exposure.ports != PortRange(port, port)
