"""Interval and box arithmetic behind the whole-rule-set checks."""
from __future__ import annotations

import pytest

from vpcreach.checks.spaces import (
    PORTS, PROTOCOLS, BoxSet, IntervalSet, describe_addresses, describe_ports, describe_traffic, port_interval,
)
from vpcreach.model import IcmpMatch, PortRange, parse_cidr


def cidrs(*texts: str) -> IntervalSet:
    return IntervalSet((parse_cidr(t).first, parse_cidr(t).last) for t in texts)


@pytest.mark.parametrize("given, expected", [
    ([(5, 9), (1, 3), (4, 4)], [(1, 9)]),  # adjacent intervals merge
    ([(1, 3), (6, 9)], [(1, 3), (6, 9)]),
    ([(1, 10), (2, 3)], [(1, 10)]),
    ([], []),
])
def test_interval_sets_normalise(given, expected):
    assert list(IntervalSet(given)) == expected


def test_interval_difference_intersection_and_cover():
    ports = IntervalSet([(0, 65535)])
    assert list(ports.difference([(80, 80), (443, 443)])) == [(0, 79), (81, 442), (444, 65535)]
    assert list(IntervalSet([(0, 100)]).intersection([(50, 150), (200, 300)])) == [(50, 100)]
    assert cidrs("0.0.0.0/1", "128.0.0.0/1").covers((0, 2**32 - 1))
    assert not cidrs("0.0.0.0/1", "128.0.0.0/2").covers((0, 2**32 - 1))


def test_box_sets_stay_disjoint_and_subtract():
    a = BoxSet.of([((6, 6), (0, 1023)), ((6, 6), (22, 22))])  # the second box is inside the first
    assert a.boxes == (((6, 6), (0, 1023)),)
    rest = a.minus_box(((6, 6), (22, 22)))
    assert sorted(rest.values(1)) == [(0, 21), (23, 1023)]
    assert rest.covers_box(((6, 6), (0, 21))) and not rest.covers_box(((6, 6), (0, 22)))


def test_projection_drops_a_dimension():
    space = BoxSet.of([((6, 6), (22, 22), (0, 9)), ((6, 6), (22, 22), (10, 19)), ((17, 17), (53, 53), (0, 0))])
    assert space.project((0, 1)) == BoxSet.of([((6, 6), (22, 22)), ((17, 17), (53, 53))])


@pytest.mark.parametrize("protocol, ports, icmp, expected", [
    (6, PortRange(22, 22), None, (22, 22)),
    (-1, None, None, PORTS),
    (1, None, IcmpMatch(-1, -1), PORTS),
    (1, None, IcmpMatch(8, -1), (8 * 256, 8 * 256 + 255)),  # type 8, any code
    (58, None, IcmpMatch(1, 4), (1 * 256 + 4, 1 * 256 + 4)),
    (50, None, None, PORTS),  # ESP has no ports: every packet of the protocol
])
def test_port_dimension_packs_icmp_type_and_code(protocol, ports, icmp, expected):
    assert port_interval(protocol, ports, icmp) == expected


@pytest.mark.parametrize("protocol, ports, expected", [
    (6, IntervalSet([(22, 22), (3389, 3389)]), "tcp/22, 3389"),
    (17, IntervalSet([PORTS]), "udp/all ports"),
    (1, IntervalSet([PORTS]), "icmp (all types)"),
    (1, IntervalSet([(8 * 256, 8 * 256 + 255)]), "icmp type 8"),
    (50, IntervalSet([PORTS]), "protocol 50"),
])
def test_describe_ports(protocol, ports, expected):
    assert describe_ports(protocol, ports) == expected


def test_describe_traffic_names_all_traffic_once():
    assert describe_traffic(BoxSet.of([(PROTOCOLS, PORTS)])) == ["all traffic"]
    assert describe_traffic(BoxSet.of([((6, 6), (22, 22)), ((17, 17), (53, 53))])) == ["tcp/22", "udp/53"]


@pytest.mark.parametrize("given, expected", [
    (cidrs("10.0.0.0/24"), "10.0.0.0/24"),
    (cidrs("10.0.0.0/24", "10.0.2.0/24", "10.0.4.0/24", "10.0.6.0/24"),
     "10.0.0.0/24, 10.0.2.0/24, 10.0.4.0/24 and 1 more"),
    (IntervalSet([(0, 2**32 - 1)]).difference([(parse_cidr("10.0.0.0/24").first, parse_cidr("10.0.0.0/24").last)]),
     "0.0.0.0/0 except 10.0.0.0/24"),
])
def test_describe_addresses_prefers_the_shorter_form(given, expected):
    assert describe_addresses(4, given) == expected
