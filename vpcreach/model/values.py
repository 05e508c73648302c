"""Value types shared by every resource: addresses, CIDRs, ports, protocols, unknowns.

Everything here is immutable and hashable. Addresses are kept as integers with their
IP version so that the engine can compare and encode them without re-parsing.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
import netaddr

ALL_PROTOCOLS = -1  # AWS's "-1": every IP protocol, ports ignored
TCP, UDP, ICMP, ICMPV6 = 6, 17, 1, 58

PROTOCOL_NAMES = {"tcp": TCP, "udp": UDP, "icmp": ICMP, "icmpv6": ICMPV6, "all": ALL_PROTOCOLS}
PROTOCOL_LABELS = {TCP: "tcp", UDP: "udp", ICMP: "icmp", ICMPV6: "icmpv6", ALL_PROTOCOLS: "all"}
PORTED_PROTOCOLS = frozenset({TCP, UDP})
ICMP_PROTOCOLS = frozenset({ICMP, ICMPV6})


@dataclass(frozen=True)
class Unknown:
    """A value that is not known until `terraform apply` (or could not be resolved).

    `reason` says why, e.g. "known after apply" or "var.vpc_id is not in the plan".
    It is never equal to a real value, so comparisons with it fail loudly in review.
    """

    reason: str

    def __str__(self) -> str:
        return f"<unknown: {self.reason}>"


class ValueProblem(ValueError):
    """A malformed value; `expected` says what would have been valid."""

    def __init__(self, value: object, expected: str):
        super().__init__(f"{value!r} (expected {expected})")
        self.value = value
        self.expected = expected


@dataclass(frozen=True, order=True)
class IpNet:
    """An IPv4 or IPv6 CIDR block as integers: [first, last] inclusive."""

    version: int
    first: int
    prefixlen: int

    @property
    def bits(self) -> int:
        return 32 if self.version == 4 else 128

    @property
    def last(self) -> int:
        return self.first + (1 << (self.bits - self.prefixlen)) - 1

    @property
    def size(self) -> int:
        return 1 << (self.bits - self.prefixlen)

    def contains_int(self, address: int) -> bool:
        return self.first <= address <= self.last

    def contains(self, other: "IpNet") -> bool:
        return self.version == other.version and self.first <= other.first and other.last <= self.last

    def overlaps(self, other: "IpNet") -> bool:
        return self.version == other.version and self.first <= other.last and other.first <= self.last

    def __str__(self) -> str:
        return f"{netaddr.IPAddress(self.first, self.version)}/{self.prefixlen}"

    def __repr__(self) -> str:
        return f"IpNet({str(self)!r})"


@lru_cache(maxsize=65536)
def parse_cidr(text: object) -> IpNet:
    """Parse a CIDR such as "10.0.0.0/16" or "2600:1f18::/56".

    Host bits are cleared, as AWS does when it stores a rule ("10.0.0.5/24" -> "10.0.0.0/24").
    Raises ValueProblem for anything that is not a CIDR with an explicit prefix length.
    """
    if not isinstance(text, str) or "/" not in text:
        raise ValueProblem(text, "a CIDR block such as 10.0.0.0/16 or 2001:db8::/56")
    try:
        net = netaddr.IPNetwork(text)
        address, prefix = text.split("/", 1)
        netaddr.IPAddress(address)  # rejects short forms like "10/8" that netaddr would expand
        if not prefix.isdigit():
            raise ValueError(prefix)
    except (netaddr.AddrFormatError, ValueError, TypeError):
        raise ValueProblem(text, "a CIDR block such as 10.0.0.0/16 or 2001:db8::/56") from None
    return IpNet(net.version, int(net.network), net.prefixlen)


@lru_cache(maxsize=262144)
def parse_ip(text: object) -> tuple[int, int]:
    """Parse one address; returns (version, integer)."""
    if not isinstance(text, str) or "/" in text:
        raise ValueProblem(text, "an IP address such as 10.0.0.5 or 2001:db8::5")
    try:
        addr = netaddr.IPAddress(text)
    except (netaddr.AddrFormatError, ValueError, TypeError):
        raise ValueProblem(text, "an IP address such as 10.0.0.5 or 2001:db8::5") from None
    return addr.version, int(addr)


def format_ip(version: int, value: int) -> str:
    return str(netaddr.IPAddress(value, version))


def parse_protocol(value: object) -> int:
    """AWS protocol as name ("tcp"), number ("6", 6) or "-1"/"all"; returns -1 or 0..255."""
    if isinstance(value, bool):
        raise ValueProblem(value, "a protocol name (tcp, udp, icmp, icmpv6), a number 0-255, or -1 for all")
    if isinstance(value, int):
        number = value
    elif isinstance(value, str):
        key = value.strip().lower()
        if key in PROTOCOL_NAMES:
            return PROTOCOL_NAMES[key]
        try:
            number = int(key)
        except ValueError:
            raise ValueProblem(value, "a protocol name (tcp, udp, icmp, icmpv6), a number 0-255, or -1 for all") from None
    else:
        raise ValueProblem(value, "a protocol name (tcp, udp, icmp, icmpv6), a number 0-255, or -1 for all")
    if number == -1 or 0 <= number <= 255:
        return number
    raise ValueProblem(value, "a protocol name (tcp, udp, icmp, icmpv6), a number 0-255, or -1 for all")


def protocol_label(number: int) -> str:
    return PROTOCOL_LABELS.get(number, str(number))


@dataclass(frozen=True, order=True)
class PortRange:
    """An inclusive range of TCP/UDP ports."""

    low: int
    high: int

    def __post_init__(self) -> None:
        if not (0 <= self.low <= self.high <= 65535):
            raise ValueProblem(f"{self.low}-{self.high}", "ports 0-65535 with from <= to")

    def contains(self, port: int) -> bool:
        return self.low <= port <= self.high

    def __str__(self) -> str:
        return str(self.low) if self.low == self.high else f"{self.low}-{self.high}"


ALL_PORTS = PortRange(0, 65535)
EPHEMERAL_PORTS = PortRange(1024, 65535)


@dataclass(frozen=True, order=True)
class IcmpMatch:
    """ICMP type and code; -1 means any."""

    type: int = -1
    code: int = -1

    def matches(self, icmp_type: int, icmp_code: int) -> bool:
        return (self.type == -1 or self.type == icmp_type) and (self.code == -1 or self.code == icmp_code)

    def __str__(self) -> str:
        t = "any" if self.type == -1 else str(self.type)
        c = "any" if self.code == -1 else str(self.code)
        return f"type {t} code {c}"

