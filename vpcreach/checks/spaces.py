"""Set arithmetic over packet fields, for checks that reason about whole rule sets.

A packet class is a box: one inclusive integer interval per dimension. The checks use three dimensions,
(protocol, port, address), one address family at a time:
- protocol: 0..255; AWS's -1 ("all") is the whole interval.
- port:     the TCP/UDP destination port. ICMP type and code are packed into the same 16 bits as
            type * 256 + code (type -1 is every value, code -1 every code of that type), and protocols without
            ports use the whole interval, so one dimension serves every protocol without special cases.
- address:  the IPv4 or IPv6 address as an integer.

`BoxSet` keeps its boxes pairwise disjoint, which makes projection, size and rendering simple.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Iterator, Sequence

import netaddr

from ..engine.addresses import merge_intervals
from ..model import ALL_PROTOCOLS, IcmpMatch, IpNet, PortRange, protocol_label
from ..model.values import ICMP_PROTOCOLS, PORTED_PROTOCOLS

Interval = tuple[int, int]  # inclusive bounds
Box = tuple[Interval, ...]

PROTOCOLS: Interval = (0, 255)
PORTS: Interval = (0, 65535)


def family_bits(version: int) -> int:
    return 32 if version == 4 else 128


def addresses(version: int) -> Interval:
    return (0, (1 << family_bits(version)) - 1)


# ---------------------------------------------------------------- one dimension

class IntervalSet:
    """A normalised (sorted, merged) union of inclusive integer intervals."""

    __slots__ = ("intervals",)

    def __init__(self, intervals: Iterable[Interval] = ()):
        self.intervals: tuple[Interval, ...] = merge_intervals(intervals)

    def __iter__(self) -> Iterator[Interval]:
        return iter(self.intervals)

    def __bool__(self) -> bool:
        return bool(self.intervals)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, IntervalSet) and self.intervals == other.intervals

    def __repr__(self) -> str:
        return f"IntervalSet({list(self.intervals)})"

    def union(self, other: Iterable[Interval]) -> "IntervalSet":
        return IntervalSet([*self.intervals, *other])

    def difference(self, other: Iterable[Interval]) -> "IntervalSet":
        remaining = list(self.intervals)
        for low, high in other:
            next_remaining: list[Interval] = []
            for a, b in remaining:
                if high < a or b < low:
                    next_remaining.append((a, b))
                    continue
                if a < low:
                    next_remaining.append((a, low - 1))
                if high < b:
                    next_remaining.append((high + 1, b))
            remaining = next_remaining
        return IntervalSet(remaining)

    def intersection(self, other: Iterable[Interval]) -> "IntervalSet":
        pieces = []
        for low, high in other:
            for a, b in self.intervals:
                if a <= high and low <= b:
                    pieces.append((max(a, low), min(b, high)))
        return IntervalSet(pieces)

    def covers(self, interval: Interval) -> bool:
        return not IntervalSet([interval]).difference(self.intervals)


# ---------------------------------------------------------------- several dimensions

def _intersect(a: Box, b: Box) -> Box | None:
    out = []
    for (a_low, a_high), (b_low, b_high) in zip(a, b):
        low, high = max(a_low, b_low), min(a_high, b_high)
        if low > high:
            return None
        out.append((low, high))
    return tuple(out)


def _subtract(a: Box, b: Box) -> list[Box]:
    """a minus b as at most 2 * dims disjoint boxes (peel one dimension at a time)."""
    if _intersect(a, b) is None:
        return [a]
    pieces: list[Box] = []
    rest = list(a)
    for dim, ((low, high), (b_low, b_high)) in enumerate(zip(a, b)):
        if low < b_low:
            pieces.append(tuple(rest[:dim] + [(low, b_low - 1)] + rest[dim + 1:]))
        if b_high < high:
            pieces.append(tuple(rest[:dim] + [(b_high + 1, high)] + rest[dim + 1:]))
        rest[dim] = (max(low, b_low), min(high, b_high))
    return pieces


@dataclass(frozen=True)
class BoxSet:
    """A union of pairwise-disjoint boxes of the same dimension."""

    boxes: tuple[Box, ...] = ()

    @staticmethod
    def of(boxes: Iterable[Box]) -> "BoxSet":
        result = BoxSet()
        for box in boxes:
            result = result.union_box(box)
        return result

    def __bool__(self) -> bool:
        return bool(self.boxes)

    def union_box(self, box: Box) -> "BoxSet":
        new_pieces = [box]
        for existing in self.boxes:
            new_pieces = [p for piece in new_pieces for p in _subtract(piece, existing)]
            if not new_pieces:
                return self
        return BoxSet(self.boxes + tuple(new_pieces))

    def union(self, other: "BoxSet") -> "BoxSet":
        result = self
        for box in other.boxes:
            result = result.union_box(box)
        return result

    def minus_box(self, box: Box) -> "BoxSet":
        return BoxSet(tuple(p for existing in self.boxes for p in _subtract(existing, box)))

    def minus(self, other: "BoxSet") -> "BoxSet":
        result = self
        for box in other.boxes:
            result = result.minus_box(box)
        return result

    def intersect_box(self, box: Box) -> "BoxSet":
        return BoxSet(tuple(p for existing in self.boxes if (p := _intersect(existing, box)) is not None))

    def intersect(self, other: "BoxSet") -> "BoxSet":
        pieces = []
        for mine in self.boxes:
            for theirs in other.boxes:
                piece = _intersect(mine, theirs)
                if piece is not None:
                    pieces.append(piece)
        return BoxSet(tuple(pieces))  # intersections of two disjoint families stay disjoint

    def covers_box(self, box: Box) -> bool:
        return not BoxSet((box,)).minus(self)

    def project(self, dims: Sequence[int]) -> "BoxSet":
        return BoxSet.of(tuple(box[d] for d in dims) for box in self.boxes)

    def values(self, dim: int) -> IntervalSet:
        return IntervalSet(box[dim] for box in self.boxes)


# ---------------------------------------------------------------- rule fields to boxes

def port_interval(protocol: int, ports: PortRange | None, icmp: IcmpMatch | None) -> Interval:
    """The port-dimension interval of a rule (see the module docstring for the ICMP packing)."""
    if protocol in PORTED_PROTOCOLS and ports is not None:
        return (ports.low, ports.high)
    if protocol in ICMP_PROTOCOLS and icmp is not None and icmp.type != -1:
        if icmp.code == -1:
            return (icmp.type * 256, icmp.type * 256 + 255)
        return (icmp.type * 256 + icmp.code,) * 2
    return PORTS


def protocol_interval(protocol: int) -> Interval:
    return PROTOCOLS if protocol == ALL_PROTOCOLS else (protocol, protocol)


def net_interval(net: IpNet) -> Interval:
    return (net.first, net.last)


def rule_box(protocol: int, ports: PortRange | None, icmp: IcmpMatch | None, net: IpNet) -> Box:
    return (protocol_interval(protocol), port_interval(protocol, ports, icmp), net_interval(net))


# ---------------------------------------------------------------- rendering

def interval_cidrs(version: int, interval: Interval) -> list[str]:
    """The fewest CIDR blocks that exactly make up an address interval."""
    low, high = interval
    return [str(c) for c in netaddr.iprange_to_cidrs(netaddr.IPAddress(low, version), netaddr.IPAddress(high, version))]


def describe_addresses(version: int, values: IntervalSet, limit: int = 3) -> str:
    """e.g. "10.0.0.0/20, 10.0.16.0/21 and 3 more", or "0.0.0.0/0 except 10.0.0.0/24" when that is shorter."""
    def listed(intervals: Iterable[Interval]) -> list[str]:
        return [c for interval in intervals for c in interval_cidrs(version, interval)]

    def shown(cidrs: list[str]) -> str:
        text = ", ".join(cidrs[:limit])
        return text if len(cidrs) <= limit else f"{text} and {len(cidrs) - limit} more"

    cidrs = listed(values)
    missing = listed(IntervalSet([addresses(version)]).difference(values))
    if missing and len(missing) < len(cidrs):
        world = "0.0.0.0/0" if version == 4 else "::/0"
        return f"{world} except {shown(missing)}"
    return shown(cidrs)


def describe_ports(protocol: int, ports: IntervalSet) -> str:
    """e.g. "tcp/22", "tcp/20-21, 23", "icmp (all types)" or "protocol 50"."""
    label = protocol_label(protocol)
    if protocol in PORTED_PROTOCOLS:
        if ports.covers(PORTS):
            return f"{label}/all ports"
        return label + "/" + ", ".join(str(PortRange(a, b)) for a, b in ports)
    if protocol in ICMP_PROTOCOLS:
        if ports.covers(PORTS):
            return f"{label} (all types)"
        types = sorted({v // 256 for a, b in ports for v in (a, b)})
        return f"{label} type " + ", ".join(str(t) for t in types)
    return "all traffic" if label == "all" else (label if not label.isdigit() else f"protocol {label}")


def describe_traffic(space: BoxSet) -> list[str]:
    """(protocol, port) space as sorted human text, one item per protocol; all protocols become "all traffic"."""
    if space.covers_box((PROTOCOLS, PORTS)):
        return ["all traffic"]
    by_protocol: dict[int, list[Interval]] = {}
    for (p_low, p_high), ports in space.boxes:
        for protocol in range(p_low, p_high + 1):
            by_protocol.setdefault(protocol, []).append(ports)
    return [describe_ports(p, IntervalSet(v)) for p, v in sorted(by_protocol.items())]


ALL_ADDRESSES = {4: addresses(4), 6: addresses(6)}
