"""Regression tests for engine bugs the Batfish conformance run found."""
from __future__ import annotations

from pathlib import Path

import pytest

from vpcreach.engine import Analyzer, Query, codes
from vpcreach.importers import load_source
from vpcreach.model import PortRange

ROOT = Path(__file__).resolve().parents[2]
LOAD_BALANCER = (ROOT.parent / "shared" / "peer-data" / "batfish" / "projects" / "batfish" / "src" / "test" /
                 "resources" / "org" / "batfish" / "representation" / "aws" / "test-load-balancer")
HTTPS = dict(protocol=6, ports=PortRange(443, 443))


@pytest.fixture(scope="module")
def example() -> Analyzer:
    return Analyzer(load_source(str(ROOT / "fixtures" / "example" / "aws_configs")))


def test_a_literal_packet_to_a_private_address_from_the_internet_goes_nowhere(example):
    """Batfish testFromInternetToPrivateIp replays a literal packet (NULL_ROUTED); so must z3 when asked."""
    result = example.query(Query("internet", "10.0.0.20", literal_destination=True, **HTTPS))
    assert result.verdict == "unreachable"
    assert [(e.code, e.component) for e in result.explanations] == [(codes.NO_ROUTE_TO_DESTINATION, "internet")]


def test_from_the_internet_a_private_address_names_its_host(example):
    """The documented question: can the internet reach the host that owns 10.0.0.20, through any public address?"""
    assert example.query(Query("internet", "10.0.0.20", **HTTPS)).verdict == "reachable"


def test_internet_to_the_instance_still_means_its_public_address(example):
    assert example.query(Query("internet", "i-0web00000000000001", **HTTPS)).verdict == "reachable"


def test_a_load_balancer_interface_is_inconclusive_not_denied_by_its_empty_groups():
    """Was: an NLB interface has no security groups, so every flow to it was 'denied' (ENI_SG_RULES_MISMATCH)
    whatever its listeners; listeners and targets are not modelled."""
    if not LOAD_BALANCER.is_dir():
        pytest.skip(f"peer data not found at {LOAD_BALANCER}")
    analyzer = Analyzer(load_source(str(LOAD_BALANCER)))
    result = analyzer.query(Query("10.1.250.112", "10.1.1.237", protocol=6, ports=PortRange(80, 80),
                                  forward_only=True))
    assert result.verdict == "inconclusive"
    assert [(e.code, e.component) for e in result.explanations] == [
        (codes.UNSUPPORTED_COMPONENT, "eni-01f261dccaba46564")]
