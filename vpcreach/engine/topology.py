"""Indexes the engine derives from a Network once: who owns which address, which addresses a
security group reference or prefix list stands for, and what counts as "the internet"."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import cached_property

from ..model import (
    IpNet, Network, NetworkInterface, PrefixList, Subnet, Unknown, parse_cidr, parse_ip,
)
from ..model.resources import PublicIp
from .addresses import AddressSet

# Addresses no internet host has: private, shared, loopback, link-local, multicast and reserved
# space. A packet to one of these that leaves through an internet gateway is dropped by the
# AWS backbone; the internet never sends from one.
NON_INTERNET = {
    4: ("0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
        "192.0.0.0/24", "192.168.0.0/16", "198.18.0.0/15", "224.0.0.0/4", "240.0.0.0/4"),
    6: ("::/3", "4000::/2", "8000::/1"),  # everything but global unicast 2000::/3
}


def known_nets(values) -> list[IpNet]:
    return [v for v in values if isinstance(v, IpNet)]


@dataclass(frozen=True)
class OwnedAddress:
    """A private or IPv6 address owned by an ENI."""

    eni: NetworkInterface
    version: int
    value: int


class Topology:
    """Derived, read-only facts about a Network, computed lazily and cached."""

    def __init__(self, network: Network):
        self.network = network

    # ------------------------------------------------------------ VPC address space

    def vpc_space(self, vpc_id: str, version: int) -> AddressSet:
        return self._vpc_spaces.get((vpc_id, version), AddressSet(version))

    @cached_property
    def _vpc_spaces(self) -> dict[tuple[str, int], AddressSet]:
        spaces = {}
        for vpc in self.network.vpcs:
            for version in (4, 6):
                spaces[(vpc.id, version)] = AddressSet.of(version, known_nets(vpc.cidrs_v4 + vpc.cidrs_v6))
        return spaces

    @cached_property
    def all_vpc_space(self) -> dict[int, AddressSet]:
        result = {4: AddressSet(4), 6: AddressSet(6)}
        for (_, version), space in self._vpc_spaces.items():
            result[version] = result[version].union(space)
        return result

    @cached_property
    def internet_space(self) -> dict[int, AddressSet]:
        """Addresses of hosts on the internet: public space not owned by any VPC or public IP here."""
        result = {}
        for version in (4, 6):
            excluded = AddressSet.of(version, [parse_cidr(c) for c in NON_INTERNET[version]])
            excluded = excluded.union(self.all_vpc_space[version])
            if version == 4:
                excluded = excluded.union(AddressSet.hosts(4, self.public_ipv4_owners.keys()))
            result[version] = excluded.complement()
        return result

    @cached_property
    def internet_cells(self) -> dict[int, AddressSet]:
        """A few-interval superset of the internet: public space outside every VPC, with the snapshot's
        own public addresses not cut out (they are single hosts and would make the set large)."""
        result = {}
        for version in (4, 6):
            excluded = AddressSet.of(version, [parse_cidr(c) for c in NON_INTERNET[version]])
            result[version] = excluded.union(self.all_vpc_space[version]).complement()
        return result

    def well_known_internet_host(self, version: int) -> int:
        """A familiar internet address (Google's public DNS) that witnesses use when they may."""
        return parse_ip("8.8.8.8" if version == 4 else "2001:4860:4860::8888")[1]

    def is_internet_address(self, version: int, value: int) -> bool:
        return self.internet_space[version].contains(value)

    # ------------------------------------------------------------ subnets

    def subnet_cidrs(self, subnet: Subnet, version: int) -> list[IpNet]:
        values = [subnet.cidr_v4] if version == 4 else list(subnet.cidrs_v6)
        return known_nets(values)

    # ------------------------------------------------------------ interfaces and addresses

    def eni_addresses(self, eni: NetworkInterface, version: int) -> list[int]:
        """The ENI's own (private IPv4 or IPv6) addresses; unknown values are skipped."""
        values = eni.private_ips if version == 4 else eni.ipv6_addresses
        out = []
        for value in values:
            if isinstance(value, str):
                v, n = parse_ip(value)
                if v == version:
                    out.append(n)
        return out

    @cached_property
    def address_owners(self) -> dict[tuple[int, int], NetworkInterface]:
        owners = {}
        for eni in self.network.network_interfaces:
            for version in (4, 6):
                for value in self.eni_addresses(eni, version):
                    owners[(version, value)] = eni
        return owners

    @cached_property
    def public_ipv4_owners(self) -> dict[int, tuple[NetworkInterface, PublicIp]]:
        owners = {}
        for eni in self.network.network_interfaces:
            for public in eni.public_ips:
                if isinstance(public.address, str):
                    owners[parse_ip(public.address)[1]] = (eni, public)
        return owners

    def public_ips_of(self, eni: NetworkInterface) -> list[tuple[int, int]]:
        """(public address, private address) pairs of an ENI, known values only."""
        pairs = []
        for public in eni.public_ips:
            if isinstance(public.address, str) and isinstance(public.private_ip, str):
                pairs.append((parse_ip(public.address)[1], parse_ip(public.private_ip)[1]))
        return pairs

    # ------------------------------------------------------------ group references and prefix lists

    def prefix_list(self, prefix_list_id) -> PrefixList | None:
        return self.network.get(prefix_list_id, PrefixList)

    def prefix_list_space(self, prefix_list_id, version: int) -> AddressSet | None:
        """The prefix list's CIDRs, or None when its entries are not in the snapshot."""
        plist = self.prefix_list(prefix_list_id)
        if plist is None or not plist.entries_known or any(isinstance(e.cidr, Unknown) for e in plist.entries):
            return None
        return AddressSet.of(version, [e.cidr for e in plist.entries])  # type: ignore[misc]

    # ------------------------------------------------------------ peering

    @cached_property
    def _active_peers(self) -> dict[str, set[str]]:
        peers: dict[str, set[str]] = defaultdict(set)
        for pcx in self.network.peering_connections:
            a, b = pcx.requester.vpc_id, pcx.accepter.vpc_id
            if pcx.is_active and isinstance(a, str) and isinstance(b, str):
                peers[a].add(b)
                peers[b].add(a)
        return peers

    def vpcs_peered(self, a: str, b: str) -> bool:
        return b in self._active_peers.get(a, set())
