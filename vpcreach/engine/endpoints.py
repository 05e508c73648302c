"""Turning what a user types (`i-…`, `eni-…`, `subnet-…`, an address, `internet`, `tag:K=V`,
a Terraform address) into endpoints: a start location and the addresses it stands for."""
from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import InputError
from ..model import Instance, Network, NetworkInterface, Subnet, ValueProblem, parse_ip
from .addresses import AddressSet
from .topology import Topology

RESERVED_HEAD, RESERVED_TAIL = 4, 1  # AWS keeps the first four and the last address of a subnet


@dataclass(frozen=True)
class Endpoint:
    """kind: "eni", "subnet" or "internet". `location` is where a packet starts or must arrive
    (an ENI id, a subnet id, or "internet"); `spaces` are its addresses per IP family."""

    kind: str
    location: str
    label: str
    spaces: dict = field(default_factory=dict, compare=False, hash=False)


def _subnet_host_space(topology: Topology, subnet: Subnet, version: int) -> AddressSet:
    out = AddressSet(version)
    for net in topology.subnet_cidrs(subnet, version):
        low, high = net.first, net.last
        if version == 4 and net.size > RESERVED_HEAD + RESERVED_TAIL:
            low, high = low + RESERVED_HEAD, high - RESERVED_TAIL
        out = out.union(AddressSet(version, ((low, high),)))
    return out


class EndpointResolver:
    def __init__(self, network: Network, topology: Topology):
        self.network = network
        self.topology = topology

    def eni_endpoint(self, eni: NetworkInterface, only: tuple[int, int] | None = None) -> Endpoint:
        spaces = {}
        for version in (4, 6):
            addresses = self.topology.eni_addresses(eni, version)
            if only is not None:
                addresses = [a for a in addresses if (version, a) == only]
            spaces[version] = AddressSet.hosts(version, addresses)
        return Endpoint("eni", eni.id, eni.id, spaces)

    def internet_endpoint(self, only: tuple[int, int] | None = None) -> Endpoint:
        spaces = dict(self.topology.internet_space)
        if only is not None:
            version, value = only
            spaces = {4: AddressSet(4), 6: AddressSet(6)}
            spaces[version] = AddressSet.hosts(version, [value])
        return Endpoint("internet", "internet", "internet", spaces)

    def subnet_endpoint(self, subnet: Subnet, only: tuple[int, int] | None = None) -> Endpoint:
        spaces = {v: _subnet_host_space(self.topology, subnet, v) for v in (4, 6)}
        if only is not None:
            version, value = only
            spaces = {4: AddressSet(4), 6: AddressSet(6)}
            spaces[version] = AddressSet.hosts(version, [value])
        return Endpoint("subnet", subnet.id, subnet.id, spaces)

    def resolve(self, spec: str, role: str) -> list[Endpoint]:
        """All endpoints a spec names; an InputError when it names nothing."""
        text = spec.strip()
        if text == "internet":
            return [self.internet_endpoint()]
        if text.startswith("tag:"):
            return self._by_tag(text, role)
        resource = self.network.get(text)
        if resource is None:
            resource = self._by_terraform_address(text)
        if isinstance(resource, NetworkInterface):
            return [self.eni_endpoint(resource)]
        if isinstance(resource, Instance):
            return self._instance_endpoints(resource, text, role)
        if isinstance(resource, Subnet):
            return [self.subnet_endpoint(resource)]
        if resource is not None:
            raise InputError.at(f"--{role}", "not an endpoint", text,
                                "an instance, network interface or subnet id, an IP address, internet, or tag:Key=Value")
        try:
            version, value = parse_ip(text)
        except ValueProblem:
            raise InputError.at(f"--{role}", "no such resource in the snapshot", text,
                                "an instance, network interface or subnet id, an IP address, internet, or tag:Key=Value")
        return [self._by_address(version, value, text, role)]

    def _by_address(self, version: int, value: int, text: str, role: str) -> Endpoint:
        owner = self.topology.address_owners.get((version, value))
        if owner is not None:
            return self.eni_endpoint(owner, only=(version, value))
        if version == 4 and value in self.topology.public_ipv4_owners:
            eni, public = self.topology.public_ipv4_owners[value]
            private = parse_ip(public.private_ip)[1] if isinstance(public.private_ip, str) else None
            if role == "from" and private is not None:
                return self.eni_endpoint(eni, only=(4, private))
            return Endpoint("public", eni.id, text, {4: AddressSet.hosts(4, [value]), 6: AddressSet(6)})
        for subnet in self.network.subnets:
            if role == "from" and any(net.contains_int(value) for net in self.topology.subnet_cidrs(subnet, version)):
                # An unowned source address in a subnet: a host there (groups not evaluated). As a
                # destination the literal address stays, and nothing owning it is an answer in itself.
                return self.subnet_endpoint(subnet, only=(version, value))
        if self.topology.is_internet_address(version, value):
            return self.internet_endpoint(only=(version, value))
        return Endpoint("address", text, text, {version: AddressSet.hosts(version, [value]),
                                                  10 - version: AddressSet(10 - version)})

    def _instance_endpoints(self, instance: Instance, text: str, role: str) -> list[Endpoint]:
        enis = [self.network.get(e, NetworkInterface) for e in instance.eni_ids]
        enis = [e for e in enis if e is not None]
        if not enis:
            raise InputError.at(f"--{role}", "the instance has no network interface in the snapshot", text,
                                "an instance whose network interfaces were imported")
        return [self.eni_endpoint(e) for e in enis]

    def _by_tag(self, text: str, role: str) -> list[Endpoint]:
        key, sep, value = text[4:].partition("=")
        if not sep or not key:
            raise InputError.at(f"--{role}", "malformed tag selector", text, "tag:Key=Value")
        found: dict[str, Endpoint] = {}
        for instance in self.network.instances:
            if instance.tag(key) == value and instance.state not in ("terminated", "shutting-down"):
                for endpoint in self._instance_endpoints(instance, text, role):
                    found[endpoint.location] = endpoint
        for eni in self.network.network_interfaces:
            if eni.tag(key) == value:
                found[eni.id] = self.eni_endpoint(eni)
        for subnet in self.network.subnets:
            if subnet.tag(key) == value and not found:
                found[subnet.id] = self.subnet_endpoint(subnet)
        if not found:
            raise InputError.at(f"--{role}", "no instance, network interface or subnet has this tag", text,
                                "a tag present in the snapshot")
        return [found[k] for k in sorted(found)]

    def _by_terraform_address(self, text: str):
        for resource in self.network.all_resources():
            if resource.origin.address == text:
                return resource
        return None
