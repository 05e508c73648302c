"""Stand-in addresses for values a Terraform plan leaves unknown until apply.

An auto-assigned public IP, an Elastic IP, or a private address AWS picks at launch does not change
which rules and routes a packet meets: filters test the client's address and the private address,
and the internet gateway maps whatever public address there is 1:1. So the engine gives each such
value a placeholder, reasons as usual, and every answer that used one says so.

Public placeholders come from 240.0.0.0/8 (reserved space no real address uses); private ones are
taken from the top of their subnet, below the address AWS reserves, skipping addresses in use.
"""
from __future__ import annotations

from dataclasses import replace

from ..model import IpNet, Network, NetworkInterface, Unknown, format_ip, parse_ip
from ..model.resources import NatGatewayAddress

PUBLIC_POOL_START = 240 << 24


class Placeholders:
    def __init__(self, network: Network):
        self.described: dict[str, str] = {}  # placeholder address -> what it stands for
        self._next_public = PUBLIC_POOL_START
        self._used = {parse_ip(a) for eni in network.network_interfaces
                      for a in (*eni.private_ips, *eni.ipv6_addresses) if isinstance(a, str)}
        self._subnets = {s.id: s for s in network.subnets}

    def public(self, what: str) -> str:
        address = format_ip(4, self._next_public)
        self._next_public += 1
        self.described[address] = f"{what}, unknown until apply"
        return address

    def private(self, subnet_id: object, what: str) -> Unknown | str:
        subnet = self._subnets.get(subnet_id) if isinstance(subnet_id, str) else None
        cidr = subnet.cidr_v4 if subnet is not None else None
        if not isinstance(cidr, IpNet):
            return Unknown(f"{what}: its subnet's CIDR is not known")
        candidate = cidr.last - 1  # AWS reserves the last address of a subnet
        while (4, candidate) in self._used and candidate > cidr.first + 4:
            candidate -= 1
        self._used.add((4, candidate))
        address = format_ip(4, candidate)
        self.described[address] = f"{what}, unknown until apply"
        return address


def with_placeholders(network: Network) -> tuple[Network, dict[str, str]]:
    """The network with unknown addresses replaced, and what each placeholder stands for."""
    if not _has_unknown_addresses(network):
        return network, {}
    p = Placeholders(network)
    enis = tuple(_interface(p, eni) for eni in network.network_interfaces)
    nats = tuple(replace(nat, addresses=tuple(_nat_address(p, nat, a) for a in nat.addresses))
                 for nat in network.nat_gateways)
    resolved = replace(network, network_interfaces=enis, nat_gateways=nats)
    return resolved, p.described


def _has_unknown_addresses(network: Network) -> bool:
    for eni in network.network_interfaces:
        if any(isinstance(a, Unknown) for a in eni.private_ips):
            return True
        if any(isinstance(pub.address, Unknown) or isinstance(pub.private_ip, Unknown) for pub in eni.public_ips):
            return True
    return any(isinstance(a.private_ip, Unknown) or isinstance(a.public_ip, Unknown)
               for nat in network.nat_gateways for a in nat.addresses)


def _interface(p: Placeholders, eni: NetworkInterface) -> NetworkInterface:
    privates = tuple(p.private(eni.subnet_id, f"a private IPv4 address of {eni.id}") if isinstance(a, Unknown) else a
                     for a in eni.private_ips)
    primary = next((a for a in privates if isinstance(a, str)), None)
    publics = []
    for public in eni.public_ips:
        address = p.public(f"the public IPv4 address of {eni.id}") if isinstance(public.address, Unknown) \
            else public.address
        private = primary if isinstance(public.private_ip, Unknown) and primary else public.private_ip
        publics.append(replace(public, address=address, private_ip=private))
    return replace(eni, private_ips=privates, public_ips=tuple(publics))


def _nat_address(p: Placeholders, nat, address: NatGatewayAddress) -> NatGatewayAddress:
    private = p.private(nat.subnet_id, f"the private address of {nat.id}") \
        if isinstance(address.private_ip, Unknown) else address.private_ip
    public = address.public_ip
    if isinstance(public, Unknown) and nat.connectivity == "public":
        public = p.public(f"the Elastic IP of {nat.id}")
    return replace(address, private_ip=private, public_ip=public)


def placeholder_notes(described: dict[str, str], texts: list[str]) -> tuple[str, ...]:
    """The placeholders a rendered answer mentions, as sentences for its notes."""
    notes = []
    for address, what in sorted(described.items(), key=lambda kv: parse_ip(kv[0])):
        if any(address in text for text in texts):
            notes.append(f"{address} stands for {what}")
    return tuple(notes)
