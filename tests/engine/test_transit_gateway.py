"""Transit gateway forwarding: small networks (fixtures/scenarios/transit-gateway/*.json) and the answers
AWS's documentation gives for them (answers.yaml), asked of the z3 engine and of the concrete evaluator."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pytest
import yaml

from vpcreach.engine import Analyzer, Query, codes
from vpcreach.engine.concrete import ConcreteEvaluator, Packet, tgw_effective_routes
from vpcreach.importers import load_source
from vpcreach.model import (
    ALL_PROTOCOLS, Origin, PortRange, TransitGatewayRoute, TransitGatewayRouteTable, parse_cidr, parse_ip,
    parse_protocol,
)

SCENARIOS = Path(__file__).resolve().parents[2] / "fixtures" / "scenarios" / "transit-gateway"
EXPECTED = yaml.safe_load((SCENARIOS / "answers.yaml").read_text())


@lru_cache(maxsize=None)
def analyzer_for(name: str) -> Analyzer:
    return Analyzer(load_source(str(SCENARIOS / name)))


def query_of(case: dict) -> Query:
    port = case.get("port")
    return Query(source=case["from"], destination=case["to"], protocol=parse_protocol(case.get("protocol", "all")),
                 ports=PortRange(port, port) if port else None, forward_only=case.get("forward_only", False))


@pytest.mark.parametrize("case", EXPECTED["cases"], ids=[c["name"] for c in EXPECTED["cases"]])
def test_scenario(case):
    result = analyzer_for(case["network"]).query(query_of(case))
    assert result.verdict == case["verdict"], result.explanations
    if case["verdict"] == "reachable":
        assert any(hop.kind == "transit-gateway-route-table" for hop in result.forward)
        return
    first = result.explanations[0]
    assert (first.code, first.component, first.direction) == (
        case["code"], case["component"], case.get("direction", "forward")), result.explanations


@pytest.mark.parametrize("case", EXPECTED["cases"], ids=[c["name"] for c in EXPECTED["cases"]])
def test_concrete_evaluator_agrees_on_the_literal_packet(case):
    analyzer = analyzer_for(case["network"])
    protocol = parse_protocol(case.get("protocol", "all"))
    protocol = 6 if protocol == ALL_PROTOCOLS else protocol
    packet = Packet(4, parse_ip(case["from"])[1], parse_ip(case["to"])[1], protocol, 49152, case.get("port", 443))
    start = analyzer.topology.address_owners[parse_ip(case["from"])].id
    evaluator = ConcreteEvaluator(analyzer.network)
    forward, reply = (evaluator.forward(start, packet), None) if case.get("forward_only") else \
        evaluator.connection(start, packet)
    last = reply if reply is not None else forward
    expected_outcome = {"reachable": ("delivered", "exited"), "unreachable": ("dropped",),
                        "inconclusive": ("inconclusive",)}[case["verdict"]]
    assert last.outcome in expected_outcome and (last.code or None) == case.get("code"), (last.code, last.detail)


def test_vgw_route_is_named_as_a_vpn_gateway():
    result = analyzer_for("hybrid.json").query(Query("10.30.1.10", "172.16.0.1", forward_only=True))
    assert "VPN gateway vgw-x" in result.explanations[0].detail


def test_peering_walk_crosses_both_transit_gateways():
    result = analyzer_for("peering.json").query(Query("10.10.1.10", "10.20.1.10", protocol=6,
                                                      ports=PortRange(443, 443)))
    tables = [hop.component for hop in result.forward if hop.kind == "transit-gateway-route-table"]
    back = [hop.component for hop in result.reverse if hop.kind == "transit-gateway-route-table"]
    assert (tables, back) == (["tgw-rtb-east", "tgw-rtb-west"], ["tgw-rtb-west", "tgw-rtb-east"])


def test_recorded_propagated_routes_are_used_as_recorded():
    """A `vpcreach snapshot` records propagated routes too (search-transit-gateway-routes): then nothing is
    derived, and a VPN attachment's propagation is known."""
    network = analyzer_for("hybrid.json").network
    recorded = TransitGatewayRouteTable(
        id="tgw-rtb-full", origin=Origin("file", file="x.json"), transit_gateway_id="tgw-h",
        propagations=("tgw-attach-vpn", "tgw-attach-x"),
        routes=(TransitGatewayRoute(destination=parse_cidr("192.168.0.0/16"), attachment_ids=("tgw-attach-vpn",),
                                    route_type="propagated", origin=Origin("file", file="x.json")),))
    routes, unknown = tgw_effective_routes(network, recorded)
    assert unknown == [] and [str(r.destination) for r in routes] == ["192.168.0.0/16"]


def test_static_only_snapshot_derives_vpc_propagations_from_vpc_cidrs():
    network = analyzer_for("hub.json").network
    table = network.get("tgw-rtb-hub")
    routes, unknown = tgw_effective_routes(network, table)
    propagated = sorted((str(r.destination), r.attachment_ids) for r in routes if r.kind == "propagated")
    assert unknown == [] and propagated == [
        ("10.1.0.0/16", ("tgw-attach-a",)), ("10.2.0.0/16", ("tgw-attach-b",)),
        ("10.3.0.0/16", ("tgw-attach-c",)), ("10.4.0.0/16", ("tgw-attach-d",))]


def test_new_codes_are_routing_drops_not_inconclusive():
    assert {codes.TGW_NO_ATTACHMENT_IN_AZ, codes.ROUTING_LOOP}.isdisjoint(codes.INCONCLUSIVE_CODES)
