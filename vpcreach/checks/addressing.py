"""Public addressing checks: public IPs where they cannot work, or where nothing should have one."""
from __future__ import annotations

from typing import Iterator

from ..model import Instance, NetworkInterface, Unknown
from .context import CheckContext
from .findings import Hit


def _address(value: object) -> str:
    """An address, or why it is not known yet: "(known after apply)"."""
    return f"({value.reason})" if isinstance(value, Unknown) else str(value)


def _owner(ctx: CheckContext, eni: NetworkInterface) -> str:
    instance = ctx.network.get(eni.instance_id, Instance) if isinstance(eni.instance_id, str) else None
    if instance is None:
        return f"network interface {eni.id}"
    return f"network interface {eni.id} of {instance.id}" + (f" ({instance.name})" if instance.name else "")


def public_ips_without_internet_route(ctx: CheckContext) -> Iterator[Hit]:
    for eni in ctx.network.network_interfaces:
        # A NAT gateway's own address is nat-without-internet-route's finding.
        if not eni.public_ips or eni.interface_type == "nat_gateway" or not isinstance(eni.subnet_id, str):
            continue
        if ctx.facts.subnet_internet_route(eni.subnet_id, 4) is not None:
            continue
        table = ctx.network.route_table_for_subnet(eni.subnet_id)
        addresses = ", ".join(_address(p.address) for p in eni.public_ips)
        yield Hit((eni.id, eni.subnet_id), f"{_owner(ctx, eni)} has public IPv4 address {addresses}, but its subnet "
                                           f"{eni.subnet_id} "
                                           f"({'route table ' + table.id if table else 'no route table'}) has no "
                                           "route to an internet gateway: the address neither receives nor sends "
                                           "anything", str(eni.origin))


def subnets_auto_assigning_public_ips(ctx: CheckContext) -> Iterator[Hit]:
    for subnet in ctx.network.subnets:
        if subnet.map_public_ip_on_launch:
            label = f"{subnet.id} ({subnet.name})" if subnet.name else subnet.id
            yield Hit((subnet.id,), f"subnet {label} gives every instance launched in it a public IPv4 address "
                                    "(MapPublicIpOnLaunch)", str(subnet.origin))


def instances_with_public_ips(ctx: CheckContext) -> Iterator[Hit]:
    by_instance: dict[str, list[str]] = {}
    for eni in ctx.network.network_interfaces:
        if isinstance(eni.instance_id, str) and eni.public_ips:
            by_instance.setdefault(eni.instance_id, []).extend(_address(p.address) for p in eni.public_ips)
    for instance in ctx.network.instances:
        addresses = by_instance.get(instance.id) or ([_address(instance.public_ip)] if instance.public_ip else [])
        if not addresses or instance.state in ("terminated", "shutting-down"):
            continue
        label = f"{instance.id} ({instance.name})" if instance.name else instance.id
        yield Hit((instance.id,), f"instance {label} has public IPv4 address {', '.join(sorted(addresses))}",
                  str(instance.origin))
